"""Export from the window: File menu actions, right-click menus, the report and a recording."""

import json
import re

import pytest
from PySide6 import QtCore, QtGui, QtWidgets


@pytest.fixture
def window(main_window):
    return main_window


def test_file_menu_has_the_export_commands(window):
    # the action is held: on PySide6 before 6.11, menu() on a temporary action returns a deleted QMenu
    file_action = window.menuBar().actions()[0]
    titles = [a.text() for a in file_action.menu().actions()]
    for text in ("Export figure…", "Copy image", "Export run report…", "Record animation…"):
        assert text in titles
    assert window.exports.act_export.shortcut() == QtGui.QKeySequence("Ctrl+E")


def test_right_click_menus_export(qtbot, window):
    # plot panels: pyqtgraph's own "Export..." (its SVG exporter fails on PySide6 6.11) is nnviz's
    scene = window.loss.findChildren(QtWidgets.QGraphicsView)[0].scene()
    assert [a.text() for a in scene.contextMenu] == ["Export…", "Copy image"]
    scene.contextMenu[0].trigger()
    dialog = window.findChild(QtWidgets.QDialog)
    assert dialog is not None and dialog.panel_name() == "Loss"
    dialog.close()
    viewport = window.graph.graphics_view.viewport()
    menu = window.exports.graph_menu(viewport, QtCore.QPoint(10, 10))
    assert [a.text() for a in menu.actions()] == ["Export…", "Copy image"]
    menu.actions()[1].trigger()
    image = QtWidgets.QApplication.clipboard().image()
    assert not image.isNull() and image.width() > 400
    menu.close()


def test_report_from_the_window(qtbot, window, tmp_path):
    window.session.step(20)
    qtbot.waitUntil(lambda: window.latest.step == 20)
    out = window.exports.write_report(tmp_path / "run.html")
    text = out.read_text()
    assert "<h1>Circle</h1>" in text and "circle" in text
    assert len(re.findall(r"data:image/png;base64,", text)) == 7  # the loss landscape is not computed yet
    assert "Loss landscape" not in text
    with qtbot.waitSignal(window.landscape.computed, timeout=20000):
        assert window.landscape.compute()
    text = window.exports.write_report(tmp_path / "run.html").read_text()
    assert len(re.findall(r"data:image/png;base64,", text)) == 8 and "Loss landscape" in text
    assert window.exports.write_report(tmp_path / "missing" / "run.html") is None
    assert "does not exist" in window.last_message


def test_recording_while_training(qtbot, window, tmp_path):
    import imageio.v2 as imageio

    assert window.exports.start_recording(tmp_path / "run.gif", fps=5)
    for k in range(3):
        window.session.step(5)
        qtbot.waitUntil(lambda k=k: window.latest.step == 5 * (k + 1))
    assert window.exports.recorder.frames >= 4
    out = window.exports.stop_recording()
    frames = imageio.mimread(out)
    assert len(frames) >= 4 and not window.exports.act_record.isChecked()
    assert not window.exports.start_recording(tmp_path / "run.bmp")
    assert "unknown format" in window.last_message


def test_the_report_is_suggested_in_the_last_folder_whatever_the_models_name(qtbot, window, tmp_path, monkeypatch):
    """Inline data are named after the model: a name like "../outside/evil" gives a file name in
    the folder last used, not a path out of it."""
    model = tmp_path / "evil.json"
    model.write_text(json.dumps({
        "format": "nnviz.model/1", "name": "../outside/evil", "inputs": 2,
        "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}], "loss": "bce",
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 0, 0, 1]}}), encoding="utf-8")
    assert window.open_path(model)
    qtbot.waitUntil(lambda: window.latest is not None and window.latest.data_name == "../outside/evil")
    folder = tmp_path / "reports"
    window.settings.setValue("last_dir", str(folder))
    asked = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda parent, caption, start, filters: (asked.append(start), ("", ""))[1])
    window.exports.report_dialog()
    assert asked == [str(folder / "outside-evil-report.html")]
