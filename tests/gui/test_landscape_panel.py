"""The loss-landscape panel, driven by its controls' names: Compute runs the core's landscape off the
GUI thread and draws exactly its grid, Cancel stops it, and the panel exports its figure and numbers."""

import csv
import threading

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.core import landscape as core
from nnviz.core.experiment import Experiment
from nnviz.core.landscape import LandscapeRequest, random_directions
from nnviz.gui.export import export_figure
from nnviz.gui.panels import landscape
from nnviz.gui.panels.landscape import LandscapePanel

from user import User


@pytest.fixture(autouse=True)
def no_landscape_left_running(qtbot):
    """Fail a test that leaves a computation running (its thread would outlive the test)."""
    yield
    left = landscape.running()
    landscape.stop_all()
    assert not left, f"{left} landscape computation(s) left running"


@pytest.fixture(scope="module")
def trained():
    """The default model on circle after 300 steps: the experiment and its snapshot."""
    exp = Experiment()
    exp.run_evaluated(300, every=50)
    return exp, exp.snapshot()


@pytest.fixture
def panel(make_panel, trained):
    widget = make_panel(LandscapePanel, size=(640, 700))
    widget.show_snapshot(trained[1])
    return widget


@pytest.fixture
def user(qtbot, panel):
    return User(qtbot, panel)


def _compute(qtbot, user, panel, timeout=20000):
    with qtbot.waitSignal(panel.computed, timeout=timeout) as blocker:
        user.click("Compute", settle=False)
    qtbot.waitUntil(lambda: landscape.running() == 0)
    return blocker.args[0]


def test_compute_draws_the_cores_grid_with_the_weights_at_the_centre(qtbot, user, panel, trained):
    _, snapshot = trained
    assert user.control("Compute").isEnabled()
    result = _compute(qtbot, user, panel)

    expected = snapshot.landscape.run(snapshot.params, LandscapeRequest(resolution=41))  # on this thread
    np.testing.assert_array_equal(result.landscape.loss, expected.landscape.loss)
    np.testing.assert_array_equal(panel.image_data(), np.log10(expected.landscape.loss))  # "Log scale" ticked
    user.check("Log scale", False, settle=False)
    np.testing.assert_array_equal(panel.image_data(), expected.landscape.loss)
    assert panel.current_point() == (0.0, 0.0)
    assert panel.image_rect().center() == QtCore.QPointF(0.0, 0.0)
    assert panel.image_data()[20, 20] == pytest.approx(snapshot.train_loss, abs=1e-12, rel=0)
    np.testing.assert_array_equal(panel.line_curve.yData, expected.line.loss)  # "Log scale" unticked
    user.check("Log scale", True, settle=False)
    np.testing.assert_array_equal(panel.line_curve.yData, np.log10(expected.line.loss))
    assert not user.control("Cancel").isVisible() and user.control("Compute").isEnabled()
    assert "At step 300, on the 250 training rows" in panel.note_text()


def test_the_controls_choose_the_directions_range_and_resolution(qtbot, user, panel, trained):
    _, snapshot = trained
    user.choose("Directions", "parameters", settle=False)
    assert user.control("First").isVisible() and not user.control("Seed").isVisible()
    user.choose("First", "W1[2,1]", settle=False)
    user.choose("Second", "b2[1]", settle=False)
    user.set_value("Range", 0.5, settle=False)
    user.choose("Resolution", 21, settle=False)
    result = _compute(qtbot, user, panel)

    assert result.landscape.directions.labels == ("W1[2,1]", "b2[1]")
    assert result.landscape.a[0] == -0.5 and len(result.landscape.a) == 21
    request = LandscapeRequest(directions="parameters", first=2, second=20, span=0.5, resolution=21)
    expected = snapshot.landscape.run(snapshot.params, request)
    np.testing.assert_array_equal(panel.image_data(), np.log10(expected.landscape.loss))
    assert panel.map_plot.getAxis("bottom").labelText == "W1[2,1]"

    user.choose("Directions", "random", settle=False)
    user.set_value("Seed", 4, settle=False)
    result = _compute(qtbot, user, panel)
    np.testing.assert_array_equal(result.landscape.directions.d1, random_directions(
        snapshot.landscape.network(snapshot.params), 4).d1)


def test_cancel_stops_the_computation_and_keeps_what_was_drawn(qtbot, user, panel, monkeypatch):
    gate = threading.Event()
    chunks = []
    real = core._losses

    def held(*args):  # each chunk of the grid waits for the test to let it through
        chunks.append(len(args[3]))
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(core, "CHUNK_BYTES", 1)  # a chunk of one point
    monkeypatch.setattr(core, "_losses", held)
    user.click("Compute", settle=False)
    qtbot.waitUntil(lambda: panel.progress_bar.isVisible() and panel.progress_bar.maximum() == 41 * 41 + 41)
    assert user.control("Cancel").isVisible() and not user.control("Compute").isEnabled()

    with qtbot.waitSignal(panel.cancelled):
        user.click("Cancel", settle=False)
    gate.set()
    qtbot.waitUntil(lambda: landscape.running() == 0)

    assert len(chunks) <= 2  # the chunk under way, at most: nothing after Cancel
    assert panel.result is None and panel.image_data() is None
    assert not panel.computing and user.control("Compute").isEnabled()
    assert "Cancelled." in panel.note_text()
    monkeypatch.setattr(core, "_losses", real)
    monkeypatch.setattr(core, "CHUNK_BYTES", 8 * 2**20)
    assert _compute(qtbot, user, panel) is panel.result  # computes again after a cancel


def test_the_note_says_when_the_model_has_moved_on(qtbot, user, panel, trained):
    exp, snapshot = trained
    _compute(qtbot, user, panel)
    assert "Compute again" not in panel.note_text()
    assert panel.export_title() == "Loss landscape"  # the figure's title adds "step 300"
    later = exp.fork()
    later.run(20)
    panel.show_snapshot(later.snapshot())
    assert "Computed at step 300; the model is at step 320 now: Compute again" in panel.note_text()
    assert panel.export_title() == "Loss landscape computed at step 300"


def test_the_path_is_drawn_on_the_plane(qtbot, user, panel, trained):
    _, snapshot = trained
    result = _compute(qtbot, user, panel)
    land = result.landscape
    path = [land.theta - land.directions.d1, land.theta + 2 * land.directions.d1 - land.directions.d2, land.theta]
    panel.set_path([0, 100, 300], path)
    np.testing.assert_allclose(panel.path_points(), [[-1, 0], [2, -1], [0, 0]], atol=1e-12)
    (line, start), = panel._path_items
    np.testing.assert_allclose(np.column_stack(line.getData()), panel.path_points())
    panel.set_path(None, None)
    assert panel.path_points() is None and panel._path_items == []


def test_two_optimizers_paths_in_one_plane_are_named_in_a_legend(qtbot, user, panel, trained):
    """Two runs from one start (SGD and Adam): each path in its own colour, named; the CSV says which."""
    result = _compute(qtbot, user, panel)
    land = result.landscape
    d1, d2 = land.directions.d1, land.directions.d2
    panel.set_paths([("sgd", [0, 10], [land.theta - d1, land.theta]),
                     ("adam", [0, 10], [land.theta - d1, land.theta + d2])])
    np.testing.assert_allclose(panel.path_points(0), [[-1, 0], [0, 0]], atol=1e-12)
    np.testing.assert_allclose(panel.path_points(1), [[-1, 0], [0, 1]], atol=1e-12)
    pens = {line.opts["pen"].color().name() for line, _ in panel._path_items}
    assert len(pens) == 2
    assert [label.text for _, label in panel._path_legend.items] == ["sgd", "adam"]
    parts = [row[0] for row in panel.export_table()[1] if row[0].startswith("path")]
    assert parts == ["path sgd", "path sgd", "path adam", "path adam"]


def test_export_the_figure_and_the_grid(qtbot, user, panel, trained, tmp_path):
    _, snapshot = trained
    user.choose("Resolution", 21, settle=False)
    result = _compute(qtbot, user, panel)
    land = result.landscape
    panel.set_path([0, 300], np.stack([snapshot.landscape.start, land.theta]))

    png = export_figure(panel, tmp_path / "landscape.png", scale=1, title=panel.export_title())
    image = QtGui.QImage(str(png))
    assert not image.isNull() and image.width() == panel.view.width()  # the plots, without the controls

    out = export_figure(panel, tmp_path / "landscape.csv", table=panel.export_table)
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    grid = [r for r in rows if r["part"] == "landscape"]
    assert len(grid) == 21 * 21
    np.testing.assert_array_equal([float(r["loss"]) for r in grid], land.loss.ravel())
    np.testing.assert_array_equal([float(r["a"]) for r in grid[:21]], land.a)
    assert {float(r["b"]) for r in grid[:21]} == {land.b[0]}  # b outer, a inner
    line = [r for r in rows if r["part"] == "line"]
    np.testing.assert_array_equal([float(r["loss"]) for r in line], result.line.loss)
    path = [r for r in rows if r["part"] == "path"]
    assert [r["step"] for r in path] == ["0", "300"] and float(path[1]["a"]) == 0.0


def test_before_a_computation_the_panel_exports_no_rows(panel, tmp_path):
    header, rows = panel.export_table()
    assert header == ["part", "a", "b", "t", "step", "loss"] and rows == []
    assert export_figure(panel, tmp_path / "empty.png").exists()


def test_an_error_is_one_line_in_the_note(qtbot, user, panel, monkeypatch):
    def broken(*args):
        raise FloatingPointError("the grid fell over")

    monkeypatch.setattr(core, "_losses", broken)
    with qtbot.waitSignal(panel.failed) as blocker:
        user.click("Compute", settle=False)
    qtbot.waitUntil(lambda: landscape.running() == 0)
    assert blocker.args == ["FloatingPointError: the grid fell over"]
    assert "Could not compute the landscape: FloatingPointError: the grid fell over" in panel.note_text()
    assert user.control("Compute").isEnabled()


def test_the_window_has_the_panel_and_computes_without_touching_training(qtbot, main_window):
    window = main_window
    panel = window.landscape
    assert isinstance(panel, LandscapePanel)
    assert "Landscape" in [action.text() for action in window.view_menu.actions()]
    assert "Loss landscape" in window.exports.panels()
    window.docks["landscape"].raise_()
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.compute_button.isEnabled())
    snapshot = panel.snapshot
    params = {k: v.copy() for k, v in snapshot.params.items()}
    with qtbot.waitSignal(panel.computed, timeout=20000) as blocker:
        User(qtbot, window).click("Compute", settle=False)
    qtbot.waitUntil(lambda: landscape.running() == 0)
    assert blocker.args[0].landscape.centre == pytest.approx(snapshot.train_loss, abs=1e-12, rel=0)
    assert all(np.array_equal(params[k], snapshot.params[k]) for k in params)
    assert isinstance(window.docks["landscape"].widget(), QtWidgets.QWidget)
