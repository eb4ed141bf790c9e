"""The Calculation panel and the stepper's controls, driven with a walkthrough from the core."""

import pytest
from PySide6 import QtCore, QtWidgets

from nnviz.core import Trainer, load_model
from nnviz.core.walkthrough import walk_next_step
from nnviz.gui.panels.calculation import CalculationPanel
from nnviz.gui.panels.stepper import StepperPanel

DOC = {"format": "nnviz.model/1", "inputs": 2, "loss": "bce", "optimizer": {"name": "adam", "lr": 0.1},
       "layers": [{"type": "dense", "units": 2, "activation": "relu", "weight": [[0.2, 0.4], [0.3, -0.5]],
                   "bias": [0.1, -0.2]},
                  {"type": "dense", "units": 1, "activation": "sigmoid", "weight": [[0.7, 0.6]], "bias": [0.05]}]}


@pytest.fixture
def state():
    net = load_model(DOC)
    return walk_next_step(net, Trainer(net, [[1.0, 0.5], [0.0, 1.0]], [[1.0], [0.0]]))


def test_panel_shows_formula_numbers_and_result(qtbot, state):
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    calc = state.walkthrough.calculation(0, 0)
    panel.show_calculation(calc)
    plain = panel.shown_text()  # the formulas typeset, each read as the text it was typeset from
    assert "z1 = W1 · a0 + b1" in plain
    assert "z1[1] = 0.2*1.0 + 0.4*0.5 + 0.1 = 0.5" in plain
    assert plain.count("z1 = [0.5, -0.15]") == 1
    assert panel.text() == calc.text(3)
    assert "Forward" in panel.heading.text() and "1 of" in panel.heading.text()
    # a typeset line's tooltip has its numbers in full
    z = state.walkthrough.trace.layers[0].z[0, 1]
    assert f"= {float(z)!r}" in panel.browser.toHtml()
    # as plain text, every number is a link carrying its full value, for the hover tooltip
    panel.typeset.setChecked(False)
    assert panel.browser.toPlainText() == plain
    assert f"n:{float(z)!r}" in panel.browser.toHtml()


def test_precision_and_copy(qtbot, state):
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    calc = state.walkthrough.calculation(3, 0)
    panel.show_calculation(calc)
    assert "a2 = 0.599" in panel.text()
    panel.decimals.setValue(5)
    assert panel.precision == 5 and "a2 = 0.59869" in panel.text()
    assert panel.table.item(0, 0).text() == "0.4"  # the z2 row of the table
    panel.copy_text.click()
    assert QtWidgets.QApplication.clipboard().text() == calc.text(5)
    panel.copy_latex.click()
    latex = QtWidgets.QApplication.clipboard().text()
    assert latex.startswith("\\begin{align*}") and "0.59869" in latex


def test_table_cells_are_editable_only_where_they_edit_something(qtbot, state):
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    panel.show_calculation(state.walkthrough.calculation(0, 1))
    table = panel.table
    editable = QtCore.Qt.ItemFlag.ItemIsEditable
    assert table.item(1, 0).flags() & editable  # W1[1,1]
    assert table.item(0, 0).flags() & editable  # the input of the first layer
    assert not table.item(1, 3).flags() & editable  # z
    assert table.item(1, 0).toolTip().startswith("0.2")
    with qtbot.waitSignal(panel.edit_requested) as signal:
        table.item(1, 1).setText("-1e-2")
    edit, value = signal.args
    assert edit.name == "layers[0].weight" and edit.index == (0, 1) and value == -0.01
    with qtbot.assertNotEmitted(panel.edit_requested):
        table.item(2, 2).setText("inf")
    assert "finite" in panel.message.text() and table.item(2, 2).text() == "-0.2"


def test_stepper_moves_and_the_strip_jumps(qtbot, state):
    stepper = StepperPanel()
    qtbot.addWidget(stepper)
    stepper.resize(900, 400)
    stepper.show_walk(state)
    n = len(state.walkthrough)
    assert stepper.slider.maximum() == n - 1 and "operation 1 of" in stepper.position.text()
    assert not stepper.prev_button.isEnabled()
    stepper.next()
    assert stepper.index == 1 and stepper.prev_button.isEnabled()
    stepper.strip.jumped.emit(n - 1)
    assert stepper.index == n - 1 and stepper.next_button.text() == "Take the step"
    with qtbot.waitSignal(stepper.commit_requested):
        stepper.next()
    assert not stepper.slider.isEnabled()  # until the next step's walkthrough arrives
    stepper.show_walk(state)
    assert stepper.index == 0 and stepper.slider.isEnabled()
    stepper.slider.setValue(2)
    assert stepper.index == 2
    assert stepper.strip.index_at(0) == 0 and stepper.strip.index_at(stepper.strip.width() - 1) == n - 1
    # the sample selector: two samples and the whole batch
    assert stepper.sample_box.count() == 3
    stepper.set_sample(1)
    assert stepper.current().result.result == state.walkthrough.trace.layers[1].z[1, 0]  # z2 of sample 2


def test_calculation_exports_to_every_format(qtbot, tmp_path, state):
    import csv
    import xml.etree.ElementTree as ET

    from nnviz.gui.export import export_figure

    panel = CalculationPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    calc = state.walkthrough.calculation(0, 0)
    panel.show_calculation(calc)
    title = f"Circle — {panel.export_title()}"
    png = export_figure(panel, tmp_path / "c.png", scale=2, title=title)
    from PySide6 import QtGui

    assert QtGui.QImage(str(png)).width() == 2 * panel.export_widget().width()  # 2x the figure, margins aside
    # typeset, the formulas are pictures in the SVG; as plain text (Typeset maths off), text as text
    svg = ET.parse(export_figure(panel, tmp_path / "typeset.svg", title=title)).getroot()
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}image"))) >= len(calc.lines)
    panel.typeset.setChecked(False)
    svg = ET.parse(export_figure(panel, tmp_path / "c.svg", title=title)).getroot()
    texts = "".join("".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "z1[1] = 0.2*1.0 + 0.4*0.5 + 0.1 = 0.5" in texts  # text as text, the numbers in order
    assert "Copy LaTeX" not in texts  # the figure leaves out the buttons
    assert export_figure(panel, tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    out = export_figure(panel, tmp_path / "c.csv", table=panel.export_table)
    rows = list(csv.reader(open(out, encoding="utf-8")))
    assert rows[0] == ["row"] + list(calc.table.columns)
    assert [float(v) for v in rows[2][1:4]] == calc.table.values[1, :3].tolist()  # W1's first row
