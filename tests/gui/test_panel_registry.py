"""A panel is one class and one registry entry; an export format is one entry: every place that
lists panels or formats finds them, with no other edit."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6 import QtGui, QtWidgets

from nnviz.cli import build_parser, main
from nnviz.gui import formats
from nnviz.gui.export import export_figure, render_image
from nnviz.gui.export_dialog import ExportDialog
from nnviz.gui.formats import FIGURE_FORMATS, ExportFormat
from nnviz.gui.panels import registry
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.registry import PANELS, PanelSpec, plot_choices, register_panel

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "resources" / "examples" / "circle.json"


class ToyPanel(Panel, QtWidgets.QWidget):
    """The smallest panel: the step and the train loss of the newest snapshot, as text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QtWidgets.QLabel("no snapshot yet")
        self.label.setStyleSheet("font-size: 40px;")  # enough ink for a figure that is not blank
        QtWidgets.QVBoxLayout(self).addWidget(self.label)

    def _draw_snapshot(self, snapshot) -> None:
        self.label.setText(f"step {snapshot.step}: loss {snapshot.train_loss:.4f}")

    def export_title(self) -> str:
        return "Toy numbers"

    def export_table(self):
        snap = self.snapshot
        return ["step", "train_loss"], ([] if snap is None else [[snap.step, snap.train_loss]])


@pytest.fixture
def toy():
    spec = register_panel(PanelSpec("toy", "Toy", ToyPanel, tab_with="loss", exportable=True,
                                    export_name="Toy figure", in_report=True, plot=True))
    yield spec
    del PANELS["toy"]


@pytest.fixture
def ppm(monkeypatch):
    """A figure format registered at run time: PPM pictures."""
    def write_ppm(widget, out, options):
        render_image(widget, scale=options.scale, title=options.title).save(str(out), "PPM")
        return out

    entry = ExportFormat("PPM image", "Portable pixmap", write_ppm, raster=True)
    monkeypatch.setitem(FIGURE_FORMATS, "ppm", entry)
    return entry


def test_a_toy_panel_is_in_the_view_menu_with_its_dock(toy, main_window):
    assert isinstance(main_window.toy, ToyPanel)
    assert main_window.docks["toy"].widget() is main_window.toy
    assert "Toy" in [action.text() for action in main_window.view_menu.actions()]
    assert main_window.toy in main_window.panels
    assert main_window.tabifiedDockWidgets(main_window.docks["loss"]).count(main_window.docks["toy"]) == 1


def test_a_toy_panel_behind_a_tab_draws_when_brought_to_the_front(toy, main_window, qtbot):
    toy_panel = main_window.toy
    assert toy_panel.stale and toy_panel.label.text() == "no snapshot yet"
    main_window.docks["toy"].raise_()
    qtbot.waitUntil(lambda: not toy_panel.stale)
    assert toy_panel.label.text().startswith(f"step {main_window.latest.step}:")


def test_a_toy_panel_is_offered_by_file_export_and_exports_its_numbers(toy, main_window, tmp_path):
    assert "Toy figure" in main_window.exports.panels()
    dialog = main_window.exports.export_dialog("Toy figure")
    try:
        assert dialog.panel_name() == "Toy figure"
        out = dialog.export_to(tmp_path / "toy.csv")
    finally:
        dialog.close()
    assert out is not None, dialog.last_error
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [int(rows[0]["step"]), float(rows[0]["train_loss"])] == [main_window.latest.step,
                                                                    main_window.latest.train_loss]


def test_a_toy_panel_is_in_the_run_report(toy, main_window, tmp_path):
    out = main_window.exports.write_report(tmp_path / "report.html")
    assert out is not None, main_window.last_message
    text = out.read_text(encoding="utf-8")
    assert "<figcaption>Toy numbers</figcaption>" in text
    assert text.index("<figcaption>Toy numbers</figcaption>") > text.index("<h2>Figures</h2>")


def test_a_toy_panel_is_an_export_plot_choice_of_the_command_line(toy, capsys, tmp_path):
    assert "toy" in plot_choices()
    assert "toy" in _export_help()
    assert main(["export", str(MODEL), "--steps", "5", "--plot", "toy", "--out", str(tmp_path / "toy.csv")]) == 0
    rows = list(csv.DictReader(open(tmp_path / "toy.csv", encoding="utf-8")))
    assert len(rows) == 1 and int(rows[0]["step"]) == 5
    assert main(["export", str(MODEL), "--plot", "toy", "--out", str(tmp_path / "toy.png"), "--scale", "1"]) == 0
    image = QtGui.QImage(str(tmp_path / "toy.png"))
    assert not image.isNull() and image.width() > 100
    capsys.readouterr()


def test_without_registration_the_toy_is_no_plot_choice(capsys, tmp_path):
    assert "toy" not in plot_choices()
    assert main(["export", str(MODEL), "--plot", "toy", "--out", str(tmp_path / "toy.csv")]) == 2
    assert "invalid choice: 'toy'" in capsys.readouterr().err


def test_a_name_can_be_registered_once():
    with pytest.raises(ValueError, match="already exists"):
        register_panel(PanelSpec("loss", "Loss again", ToyPanel))
    with pytest.raises(ValueError, match="already exists"):
        register_panel(PanelSpec(registry.REPORT_PLOT, "Report", ToyPanel))
    with pytest.raises(ValueError, match="unknown area"):
        PanelSpec("elsewhere", "Elsewhere", ToyPanel, area="top")


def test_a_new_export_format_is_offered_by_the_dialog_and_used_by_export(ppm, qtbot, tmp_path):
    panel = ToyPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 200)
    dialog = ExportDialog({"Toy": (panel, panel.export_table)}, "Model")
    qtbot.addWidget(dialog)
    index = dialog.format_combo.findData("ppm")
    assert index >= 0 and dialog.format_combo.itemText(index) == "PPM image"
    dialog.format_combo.setCurrentIndex(index)
    assert dialog.file_filter().split(";;")[0] == "Portable pixmap (*.ppm)"
    assert dialog.size_combo.isEnabled()  # a raster format: it takes a size
    out = dialog.export_to(tmp_path / "toy")  # the chosen format's suffix is added
    assert out == tmp_path / "toy.ppm"
    image = QtGui.QImage(str(out))
    assert image.width() == 400 * dialog.scale()
    assert export_figure(panel, tmp_path / "again.ppm", scale=1) == tmp_path / "again.ppm"
    assert QtGui.QImage(str(tmp_path / "again.ppm")).width() == 400
    assert ".ppm" in _export_help()


def test_an_unregistered_format_is_still_a_clear_error(qtbot, tmp_path):
    panel = ToyPanel()
    qtbot.addWidget(panel)
    with pytest.raises(Exception, match=r"unknown format '\.ppm' \(choose \.png, \.svg, \.pdf or \.csv\)"):
        export_figure(panel, tmp_path / "toy.ppm")


def test_every_format_family_has_its_writer():
    for family in (formats.FIGURE_FORMATS, formats.ANIMATION_FORMATS, formats.REPORT_FORMATS):
        for suffix, entry in family.items():
            assert callable(entry.load()), suffix


def test_every_registered_panel_class_loads_and_keeps_the_contract():
    for spec in PANELS.values():
        cls = spec.load()
        if spec.in_report or spec.plot:
            assert issubclass(cls, Panel) and cls.has_table(), spec.name
        if spec.exportable:
            assert hasattr(cls, "export_title") and hasattr(cls, "export_table"), spec.name


def test_reading_the_registries_starts_no_qt():
    """The command line reads the plot choices and formats while it parses: no Qt import."""
    code = ("import sys, nnviz.cli; nnviz.cli.build_parser(); "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))])")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _export_help() -> str:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return commands.choices["export"].format_help()
