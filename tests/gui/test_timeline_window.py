"""The timeline, as a person uses it: drag back through the run and every panel shows that step as
it was; Live returns; Branch here… goes back, changes the learning rate and trains on, and the course
left stays on the loss plot, saved with the model."""

import numpy as np
import pytest
from PySide6 import QtWidgets

from nnviz.core.experiment import Experiment


def _reference_params(step: int) -> np.ndarray:
    """The default model trained ``step`` steps headless: what the window's run had at that step."""
    exp = Experiment()
    exp.run(step)
    return np.concatenate([v.ravel() for _, v in exp.net.named_parameters()])


def _shown_params(snapshot) -> np.ndarray:
    return np.concatenate([v.ravel() for v in snapshot.params.values()])


def _view(user, step: int) -> None:
    user.set_value("Timeline", step, settle=False)
    user.qtbot.waitUntil(lambda: user.window.viewing is not None and user.window.viewing.step == step)


def test_dragging_the_timeline_shows_a_past_step_in_every_panel(user):
    window = user.window
    user.train(150)
    live = window.latest.step
    _view(user, 40)
    shown = window.viewing
    assert shown.live_step == live
    assert np.array_equal(_shown_params(shown), _reference_params(40))  # exactly the run's step 40
    for panel in (window.graph, window.output, window.loss, window.health):
        assert panel.snapshot is shown
    assert "viewing step 40 of" in user.status()
    assert window.loss.view_lines[0].isVisible() and window.loss.view_lines[0].value() == 40
    assert user.text("Timeline") == "40"
    # the loss curve is the whole run's, where it went from step 40
    assert shown.history["step"][-1] == live
    # back to the present
    user.click("Live")
    user.qtbot.waitUntil(lambda: window.viewing is None)
    assert window.graph.snapshot is window.latest and window.latest.step == live
    assert not window.loss.view_lines[0].isVisible()
    assert not user.control("Branch here…").isEnabled()


def test_play_while_viewing_returns_to_the_present_and_trains_on(user):
    window = user.window
    user.train(60)
    _view(user, 10)
    user.train(20)
    assert window.viewing is None and window.latest.step >= 80
    assert window.graph.snapshot is window.latest


def test_branch_here_changes_the_rate_from_that_step_and_keeps_the_course_left(user, tmp_path, monkeypatch):
    window = user.window
    user.train(120)
    _view(user, 50)
    user.click("Branch here…", settle=False)
    dialog = next(d for d in window.findChildren(QtWidgets.QDialog)
                  if d.isVisible() and d.windowTitle() == "Branch at step 50")
    edit = next(w for w in dialog.findChildren(QtWidgets.QLineEdit) if w.accessibleName() == "Learning rate")
    edit.setText("0.3")
    next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.accessibleName() == "Branch").click()
    user.qtbot.waitUntil(lambda: window.viewing is None and window.latest is not None and window.latest.step == 50
                         and len(window.latest.branches) == 1)
    assert user.text("Learning rate") == "0.3"
    curves = window.loss.branch_curves()
    assert [label for label, _, _ in curves] == ["lr 0.03 (left at step 50)"]
    assert curves[0][1][0] == 50 and curves[0][1][-1] >= 120
    # the new course: the run's state at 50, then the higher rate
    reference = Experiment()
    reference.run(50)
    reference.set_training(lr=0.3)
    reference.run(10)
    user.trigger("Step")
    for _ in range(9):
        user.trigger("Step")
    assert window.latest.step == 60
    assert np.array_equal(_shown_params(window.latest),
                          np.concatenate([v.ravel() for _, v in reference.net.named_parameters()]))
    # saved and opened again: the course left is still on the plot
    path = tmp_path / "branched.nnviz.json"
    window.save_to(path)
    user.qtbot.waitUntil(lambda: path.exists())
    window.open_path(path)
    user.settle()
    assert [label for label, _, _ in window.loss.branch_curves()] == ["lr 0.03 (left at step 50)"]


def test_a_bad_learning_rate_in_branch_here_is_one_line_and_branches_nothing(user):
    window = user.window
    user.train(40)
    _view(user, 20)
    user.click("Branch here…", settle=False)
    dialog = next(d for d in window.findChildren(QtWidgets.QDialog) if d.isVisible())
    edit = next(w for w in dialog.findChildren(QtWidgets.QLineEdit) if w.accessibleName() == "Learning rate")
    edit.setText("fast")
    next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.accessibleName() == "Branch").click()
    assert dialog.isVisible() and dialog.message.text() == "Learning rate: expected a positive number, got 'fast'"
    edit.setText("0.03")  # the run's own rate: nothing changed, the new course would be the old one
    next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.accessibleName() == "Branch").click()
    assert dialog.isVisible() and dialog.message.text().startswith("Change the optimizer or the learning rate")
    dialog.reject()
    user.settle()
    assert window.viewing is not None and window.viewing.step == 20 and not window.latest.branches


def test_compare_while_viewing_starts_the_lanes_from_the_step_shown(user):
    window = user.window
    user.train(60)
    _view(user, 20)
    user.trigger("Compare…", settle=False)
    user.qtbot.waitUntil(lambda: window.compare_dialog is not None and window.compare_dialog.isVisible())
    dialog = window.compare_dialog
    next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.accessibleName() == "Compare").click()
    user.qtbot.waitUntil(lambda: window.compare_window is not None and len(window.compare_window.frames) == 2)
    compare = window.compare_window
    try:
        assert {s.step for _, s in compare.frames} == {20}
        assert np.array_equal(_shown_params(compare.frames[0][1]), _reference_params(20))
    finally:
        compare.close()


def test_the_landscape_in_the_window_draws_the_runs_path_from_the_timeline(user):
    """Landscape tab, Compute: the map of the present weights, and the optimizer's path over it, from
    the run's start (its first keyframe) to the present, which lies at the centre."""
    from nnviz.gui.panels import landscape

    window = user.window
    user.train(200)
    window.docks["landscape"].raise_()
    panel = window.landscape
    user.qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.step == window.latest.step)
    with user.qtbot.waitSignal(panel.computed, timeout=20000):
        user.click("Compute", settle=False)
    user.qtbot.waitUntil(lambda: panel.path_points() is not None and landscape.running() == 0)
    points = panel.path_points()
    assert len(points) >= 3
    np.testing.assert_allclose(points[-1], (0.0, 0.0), atol=1e-9)  # the present: the map's centre
    # the first point is the run's start, projected onto the map's plane
    result = panel.result.landscape
    start = Experiment().net.flat_params
    np.testing.assert_allclose(points[0], result.project(start[None, :])[0], rtol=1e-9, atol=1e-12)
    # while a past step is shown, the map is of its weights and the path ends there
    _view(user, 100)
    user.qtbot.waitUntil(lambda: panel.snapshot is window.viewing)
    with user.qtbot.waitSignal(panel.computed, timeout=20000):
        user.click("Compute", settle=False)
    user.qtbot.waitUntil(lambda: landscape.running() == 0 and panel._paths and panel._paths[0][1][-1] == 100)
    assert panel.result.step == 100
    np.testing.assert_allclose(panel.path_points()[-1], (0.0, 0.0), atol=1e-9)


def test_the_landscape_on_the_plane_of_the_runs_path_holds_the_path(user):
    """Directions "Path of the run", Compute: the window asks the training process for the path, the
    map is computed on the plane of its two principal directions, and the path lies in that plane
    (from the start far out, within a = ±0.8, to the weights at the centre) instead of a random plane's few pixels."""
    from nnviz.gui.panels import landscape

    window = user.window
    user.train(300)
    window.docks["landscape"].raise_()
    panel = window.landscape
    user.qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.step == window.latest.step)
    user.choose("Directions", "Path of the run")
    assert not panel.seed_box.isVisibleTo(panel)  # the seed of random directions has no say
    with user.qtbot.waitSignal(panel.computed, timeout=20000):
        user.click("Compute", settle=False)
    user.qtbot.waitUntil(lambda: landscape.running() == 0)
    land = panel.result.landscape
    assert land.directions.kind == "path"
    assert panel.map_plot.getAxis("bottom").labelText.startswith("path PC1")
    points = panel.path_points()
    np.testing.assert_allclose(points[-1], (0.0, 0.0), atol=1e-9)
    assert points[0][0] < -0.4 and np.abs(points[:, 0]).max() == pytest.approx(0.8)  # the start far out
    assert "principal directions" in panel.note_text()
