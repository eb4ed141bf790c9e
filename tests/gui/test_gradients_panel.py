"""The gradient-flow panel draws the core's gradient statistics: bars of log10 of each tensor's
statistic, lines of its history, the thresholds, and a highlighted layer."""

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.stats import EXPLODING, VANISHING
from nnviz.gui.panels.gradients import TOO_LARGE, TOO_SMALL, GradientFlowPanel, deep_sigmoid_document, layer_colors
from nnviz.gui.style import SELECTED, setup_pyqtgraph

PARAMS = ("weight", "bias")


@pytest.fixture
def panel(make_panel):
    return make_panel(GradientFlowPanel)


def _trained(document=None, rounds=6, steps=25):
    exp = Experiment(document, DataConfig())
    exp.run_evaluated(rounds * steps, every=steps)
    return exp.snapshot()


@pytest.fixture(scope="module")
def healthy():
    return _trained()


@pytest.fixture(scope="module")
def deep_sigmoid():
    return _trained(deep_sigmoid_document(10), rounds=2, steps=10)


@pytest.fixture(scope="module")
def exploding():
    """Ten linear layers drawn from N(0, 1): every layer multiplies the gradient by ~3, so the
    gradients are ~1e9 before the first step."""
    doc = default_document()
    doc["loss"] = "mse"
    doc["layers"] = [{"type": "dense", "units": 8, "init": {"name": "normal", "std": 1.0}} for _ in range(10)]
    doc["layers"].append({"type": "dense", "units": 1, "init": {"name": "normal", "std": 1.0}})
    return Experiment(doc, DataConfig()).snapshot()


def _core_values(snapshot, stat):
    return np.array([getattr(h.grads[p], stat) for h in snapshot.health for p in PARAMS])


def test_bars_are_log10_of_the_core_norms(panel, healthy):
    panel.show_snapshot(healthy)

    assert panel.statistic == "norm"
    assert panel.bar_labels() == ["L1.w", "L1.b", "L2.w", "L2.b", "out.w", "out.b"]
    expected = np.log10(_core_values(healthy, "norm"))
    assert np.all(np.isfinite(expected))
    np.testing.assert_array_equal(panel.bar_heights(), expected)
    np.testing.assert_array_equal(panel.bar_values(), _core_values(healthy, "norm"))
    assert panel.bar_bottom() <= math.log10(VANISHING) - 1  # the vanishing line is always in view
    assert panel.bar_flags() == [None] * 6


@pytest.mark.parametrize(("index", "stat", "suffix"), [(1, "mean_abs", "grad_mean_abs"),
                                                        (2, "max_abs", "grad_max_abs")])
def test_the_combo_switches_bars_and_lines_to_another_statistic(panel, healthy, index, stat, suffix):
    panel.show_snapshot(healthy)
    norms = panel.bar_heights()

    panel.statistic_box.setCurrentIndex(index)

    assert panel.statistic == stat
    heights = panel.bar_heights()
    np.testing.assert_array_equal(heights, np.log10(_core_values(healthy, stat)))
    assert not np.array_equal(heights, norms)
    np.testing.assert_array_equal(panel.line("L2.w").yData,
                                  np.log10(healthy.health_history[f"1.weight.{suffix}"]))
    assert panel.bar_plot.getAxis("left").labelText == panel.statistic_box.currentText()


def test_lines_are_the_history_arrays(panel, healthy):
    panel.show_snapshot(healthy)
    steps = healthy.history["eval_step"]
    assert steps.size == 7  # step 0 and six rounds

    for h in healthy.health:
        for p in PARAMS:
            label = f"{'out' if h.index == 2 else f'L{h.index + 1}'}.{p[0]}"
            line = panel.line(label)
            np.testing.assert_array_equal(line.xData, steps)
            np.testing.assert_array_equal(line.yData, np.log10(healthy.health_history[f"{h.index}.{p}.grad_norm"]))
            dashed = line.opts["pen"].style() == QtCore.Qt.PenStyle.DashLine
            assert dashed == (p == "bias")
    # the last point of every line is the bar now
    np.testing.assert_array_equal([panel.line(lab).yData[-1] for lab in panel.bar_labels()], panel.bar_heights())


def test_deep_sigmoid_gradients_vanish_towards_the_input(panel, deep_sigmoid):
    first = deep_sigmoid.health[0].grads["weight"]
    assert first.vanishing  # the core says so: the net is built to fail
    panel.show_snapshot(deep_sigmoid)

    labels = panel.bar_labels()
    heights = dict(zip(labels, panel.bar_heights()))
    assert labels[0] == "L1.w" and labels[-2] == "out.w"
    assert heights["L1.w"] < heights["out.w"] - 5  # five orders of magnitude and more
    assert heights["L1.w"] == math.log10(first.norm)
    core_flags = [("vanishing" if g.vanishing else "exploding" if g.exploding else None)
                  for h in deep_sigmoid.health for g in h.grads.values()]
    assert panel.bar_flags() == core_flags
    colors = dict(zip(labels, panel.bar_colors()))
    assert colors["L1.w"] == QtGui.QColor(TOO_SMALL).name()
    assert colors["out.w"] == layer_colors(11)[-1].name()
    assert "vanishing" in panel.readout.text() and "L1.w" in panel.readout.text()


def test_exploding_gradients_are_red_above_the_line(panel, exploding):
    assert all(h.grads["weight"].exploding for h in exploding.health)  # the core says so
    panel.show_snapshot(exploding)

    labels = panel.bar_labels()
    weights = [k for k, lab in enumerate(labels) if lab.endswith(".w")]
    assert all(panel.bar_heights()[k] > math.log10(EXPLODING) for k in weights)
    assert all(panel.bar_colors()[k] == QtGui.QColor(TOO_LARGE).name() for k in weights)
    _, hi = panel.bar_plot.getViewBox().viewRange()[1]
    assert hi >= panel.bar_heights().max()  # the axis grows to show the tallest bar


def test_select_layer_highlights_its_bars_and_lines(panel, healthy):
    panel.show_snapshot(healthy)

    panel.select_layer(1)

    assert panel.selected_layer == 1
    assert panel.bar_is_selected() == [False, False, True, True, False, False]
    pens = panel.bars.opts["pens"]
    assert [QtGui.QPen(p).color().name() == QtGui.QColor(SELECTED).name() for p in pens] == panel.bar_is_selected()
    assert panel.selection_band.isVisible()
    lo, hi = panel.selection_band.getRegion()
    x = panel.bar_positions()
    assert lo < x[2] < x[3] < hi and hi < x[4]
    assert panel.line("L2.w").opts["pen"].color().name() == QtGui.QColor(SELECTED).name()
    assert panel.line("L1.w").opts["pen"].color().name() != QtGui.QColor(SELECTED).name()

    panel.select_layer(None)
    assert not any(panel.bar_is_selected())
    assert not panel.selection_band.isVisible()


def test_clicking_a_bar_selects_its_layer(panel, healthy, qtbot, qapp):
    panel.show_snapshot(healthy)
    qapp.processEvents()  # the new axis ranges reach the view's transform
    vb = panel.bar_plot.getViewBox()
    k = panel.bar_labels().index("out.b")
    scene = vb.mapViewToScene(QtCore.QPointF(panel.bar_positions()[k], panel.bar_heights()[k] - 0.5))
    pos = panel.view.mapFromScene(scene)

    with qtbot.waitSignal(panel.layer_clicked) as blocker:
        qtbot.mouseClick(panel.view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)

    assert blocker.args == [2]
    assert panel.selected_layer == 2


def test_hover_readout_names_the_bar_and_its_numbers(panel, healthy):
    panel.show_snapshot(healthy)
    panel.show_readout_for_bar(0)
    text = panel.readout.text()
    g = healthy.health[0].grads["weight"]
    assert "L1.w" in text and f"{g.norm:.3g}" in text and f"{g.max_abs:.3g}" in text


def test_items_are_made_once_per_architecture(panel, healthy, deep_sigmoid):
    panel.show_snapshot(healthy)
    lines = dict(panel.lines)
    bars = panel.bars
    panel.show_snapshot(_trained(rounds=1, steps=5))
    assert panel.lines == lines and all(panel.lines[k] is v for k, v in lines.items())
    assert panel.bars is bars

    panel.show_snapshot(deep_sigmoid)
    assert len(panel.lines) == 22
    assert not any(item.scene() for item in lines.values())  # the old lines left the plot


def test_a_hidden_panel_draws_when_shown(qtbot, healthy):
    setup_pyqtgraph()
    widget = GradientFlowPanel()
    qtbot.addWidget(widget)
    widget.show_snapshot(healthy)
    assert widget.bar_labels() == [] and widget.bar_heights().size == 0

    widget.show()
    qtbot.waitExposed(widget)

    np.testing.assert_array_equal(widget.bar_heights(), np.log10(_core_values(healthy, "norm")))


def test_a_layer_selected_while_hidden_is_highlighted_when_shown(panel, healthy, qtbot):
    panel.show_snapshot(healthy)
    panel.hide()
    panel.select_layer(0)
    panel.show()
    qtbot.waitExposed(panel)

    pens = [QtGui.QPen(p).color().name() for p in panel.bars.opts["pens"]]
    assert [c == QtGui.QColor(SELECTED).name() for c in pens] == [True, True, False, False, False, False]


def test_hovering_a_bar_shows_its_numbers_live(panel, healthy, qtbot, qapp):
    panel.show_snapshot(healthy)
    qapp.processEvents()  # the new axis ranges reach the view's transform
    vb = panel.bar_plot.getViewBox()
    k = panel.bar_labels().index("L2.w")
    pos = panel.view.mapFromScene(vb.mapViewToScene(QtCore.QPointF(panel.bar_positions()[k], panel.bar_bottom() + 1)))

    qtbot.mouseMove(panel.view.viewport(), pos)
    qtbot.waitUntil(lambda: "<b>L2.w</b>" in panel.readout.text())
    assert f"{healthy.health[1].grads['weight'].norm:.3g}" in panel.readout.text()

    later = _trained(rounds=1, steps=5)  # same architecture, new numbers: the readout follows
    panel.show_snapshot(later)
    assert f"{later.health[1].grads['weight'].norm:.3g}" in panel.readout.text()

    QtCore.QCoreApplication.sendEvent(panel, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert "all gradients between 1e-7 and 1e3" in panel.readout.text()
