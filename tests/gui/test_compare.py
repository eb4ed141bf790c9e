"""Compare runs, as a person does it: Compare…, Optimizer race, Compare; the lanes train in step side by
side from the run's state; a lane is closed, another kept as the run; a bad entry is one line."""

import os

import numpy as np
import pytest
from PySide6 import QtWidgets

from nnviz.core.experiment import Experiment
from nnviz.core.lanes import RACE, Lanes


def _flat(snapshot) -> np.ndarray:
    return np.concatenate([v.ravel() for v in snapshot.params.values()])


def _open_dialog(user):
    window = user.window
    user.trigger("Compare…", settle=False)
    user.qtbot.waitUntil(lambda: window.compare_dialog is not None and window.compare_dialog.isVisible())
    return window.compare_dialog


def _button(widget, name):
    return next(b for b in widget.findChildren(QtWidgets.QAbstractButton) if b.accessibleName() == name)


def _race(user):
    dialog = _open_dialog(user)
    _button(dialog, "Optimizer race").click()
    assert [row.optimizer.currentText() for row in dialog.rows] == ["sgd", "sgd (momentum 0.9)", "rmsprop", "adam"]
    _button(dialog, "Compare").click()
    user.qtbot.waitUntil(lambda: user.window.compare_window is not None
                         and len(user.window.compare_window.frames) == 4)
    return user.window.compare_window


def test_the_optimizer_race_trains_four_lanes_in_step_from_the_runs_state(user):
    window = user.window
    user.train(30)
    start = window.latest.step
    compare = _race(user)
    try:
        labels = [label for label, _ in compare.frames]
        assert labels == ["sgd, lr 0.1", "sgd (momentum 0.9), lr 0.03", "rmsprop, lr 0.01", "adam, lr 0.01"]
        assert compare.loss_plot.getAxis("left").labelText == "test loss"  # circle holds rows out
        assert all(np.array_equal(_flat(s), _flat(window.latest)) for _, s in compare.frames)
        assert not window.session.playing
        for _ in range(5):
            frames = compare.frames
            compare.act_step.trigger()
            user.qtbot.waitUntil(lambda f=frames: compare.frames is not f)
        assert {s.step for _, s in compare.frames} == {start + 5}
        # each lane is exactly the headless lanes from the same state
        reference = Experiment()
        reference.run(start)
        lanes = Lanes(reference, RACE)
        lanes.run(5)
        for (label, snapshot), lane in zip(compare.frames, lanes):
            assert np.array_equal(_flat(snapshot), np.concatenate(
                [v.ravel() for _, v in lane.experiment.net.named_parameters()])), label
        # the lanes are drawn side by side, and the curves over each other
        assert [c.title.text().count("Lane") for c in compare.columns] == [1, 1, 1, 1]
        assert "adam, lr 0.01" in compare.columns[3].title.text()
        assert compare.columns[3].output.snapshot is compare.frames[3][1]
        assert len(compare.loss_curves[0].getData()[0]) >= 2
        assert "predict different classes on" in compare.difference_note.text()
        # play, pause: in step still
        compare.act_play.trigger()
        user.qtbot.waitUntil(lambda: compare.frames[0][1].step >= start + 60)
        compare.act_play.trigger()
        user.qtbot.waitUntil(lambda: not compare.act_play.isChecked())
        assert len({s.step for _, s in compare.frames}) == 1
    finally:
        compare.close()


def test_close_a_lane_then_keep_one_as_the_run(user):
    window = user.window
    compare = _race(user)
    colors = [c.color for c in compare.columns]
    _button(compare, "Close lane 2").click()
    user.qtbot.waitUntil(lambda: len(compare.frames) == 3)
    assert [label for label, _ in compare.frames] == ["sgd, lr 0.1", "rmsprop, lr 0.01", "adam, lr 0.01"]
    # the others keep their numbers and colours
    assert [_button(c, f"Keep lane {n}") is c.keep_button for n, c in zip((1, 3, 4), compare.columns)] == [True] * 3
    assert [c.color for c in compare.columns] == [colors[0], colors[2], colors[3]]
    assert [curve.opts["pen"].color().name() for curve in compare.loss_curves] == [colors[0], colors[2], colors[3]]
    assert [compare.landscape_lane.itemText(i) for i in range(3)] == ["Lane 1", "Lane 3", "Lane 4"]
    compare.act_step.trigger()
    user.qtbot.waitUntil(lambda: compare.frames[0][1].step == 1)
    kept = compare.frames[2][1]
    _button(compare, "Keep lane 4").click()
    user.qtbot.waitUntil(lambda: window.latest is not None and window.latest.step == 1
                         and window._state["document"]["optimizer"]["name"] == "adam")
    user.settle()
    assert np.array_equal(_flat(window.latest), _flat(kept))
    assert user.text("Optimizer") == "adam" and user.text("Learning rate") == "0.01"
    assert "is now the run" in user.status()


@pytest.mark.parametrize("optimizer", [None, "adam"])
def test_compare_and_branch_take_a_model_that_names_its_optimizer_or_leaves_it_out(user, optimizer):
    """A model file may leave the optimizer out (SGD at lr 0.001) or name it without options, as a
    PyTorch model opened from a .safetensors file does: Compare… and Branch here… start from that."""
    from nnviz.core.experiment import default_document

    document = default_document()
    del document["optimizer"]
    if optimizer:
        document["optimizer"] = optimizer
    user.window.session.load_document(document)
    user.qtbot.waitUntil(lambda: user.window._state is not None
                         and user.window._state["document"].get("optimizer") == optimizer)
    user.train(20)
    dialog = _open_dialog(user)
    row = dialog.rows[0]
    assert row.optimizer.currentText() == (optimizer or "sgd") and row.lr.text() == "0.001"
    dialog.reject()
    branch = user.window.branch_dialog(10)
    assert branch.optimizer_combo.currentText() == (optimizer or "sgd") and branch.lr_edit.text() == "0.001"
    branch.reject()


def test_a_kept_lane_goes_on_from_the_runs_history_and_keeps_the_runs_own_course_as_a_branch(user):
    """Keep lane replays the lane from where it parted: the same weights bit for bit, the run's
    history before the fork, a timeline that reaches back past it, and the run's own course from the
    fork as a branch named by its settings."""
    window = user.window
    user.train(30)
    fork_step = window.latest.step
    compare = _race(user)
    try:
        assert {s.step for _, s in compare.frames} == {fork_step}
        for _ in range(3):
            frames = compare.frames
            compare.act_step.trigger()
            user.qtbot.waitUntil(lambda f=frames: compare.frames is not f)
        kept = compare.frames[3][1]
    except BaseException:
        compare.close()
        raise
    window.session.step(2)  # the run goes on its own course meanwhile: the keep leaves it as a branch
    user.qtbot.waitUntil(lambda: window.latest.step == fork_step + 2)
    _button(compare, "Keep lane 4").click()
    user.qtbot.waitUntil(lambda: window.latest is not None and window.latest.step == fork_step + 3
                         and window._state["document"]["optimizer"]["name"] == "adam")
    user.settle()
    latest = window.latest
    assert np.array_equal(_flat(latest), _flat(kept))
    assert latest.history["step"][0] < fork_step  # the run's history before the fork stays
    assert window._state["timeline_start"] == 0 and user.control("Timeline").isEnabled()
    course = latest.branches[-1]
    assert course.label == "sgd, lr 0.03" and course.start == fork_step
    assert "stays on the loss plot as “sgd, lr 0.03”" in user.status()


def test_a_lane_kept_after_the_run_changed_is_the_run_from_its_step(user):
    from nnviz.core.experiment import default_document

    window = user.window
    compare = _race(user)
    compare.act_step.trigger()
    user.qtbot.waitUntil(lambda: compare.frames[0][1].step == 1)
    kept = compare.frames[1][1]
    document = default_document()
    document["seed"] = 7  # another model opened meanwhile: the run no longer passes where the lane left it
    window.session.load_document(document)
    user.qtbot.waitUntil(lambda: window._state["document"].get("seed") == 7)
    _button(compare, "Keep lane 2").click()
    user.qtbot.waitUntil(lambda: window.latest.step == 1 and window._state["document"].get("seed") != 7)
    user.settle()
    assert np.array_equal(_flat(window.latest), _flat(kept))
    assert "its history before is not kept" in user.status()


def test_closing_the_app_window_closes_its_comparison(user):
    import shiboken6

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    compare = _race(user)
    pids = [session.child_pid for session in compare.sessions]
    assert all(pids) and all(alive(pid) for pid in pids)
    user.window.close()
    user.qtbot.waitUntil(lambda: not shiboken6.isValid(compare) or not compare.isVisible())
    user.qtbot.waitUntil(lambda: not any(alive(pid) for pid in pids))  # the lanes' training processes ended


def test_a_bad_entry_in_compare_is_one_line_and_opens_nothing(user):
    dialog = _open_dialog(user)
    edit = next(w for w in dialog.findChildren(QtWidgets.QLineEdit) if w.accessibleName() == "Lane 2 learning rate")
    edit.setText("-1")
    _button(dialog, "Compare").click()
    assert dialog.isVisible()
    assert dialog.message.text() == "Lane 2: the learning rate must be a positive number, got '-1'"
    edit.setText("0.1")
    batch = next(w for w in dialog.findChildren(QtWidgets.QLineEdit) if w.accessibleName() == "Lane 2 batch size")
    batch.setText("100000")
    _button(dialog, "Compare").click()
    assert dialog.message.text() == ("Lane 2: the batch size must be a whole number from 1 up to 250 (the training "
                                     "rows) or 'full', got '100000'")
    batch.setText("1e2")  # numbers as the controls read them
    next(w for w in dialog.findChildren(QtWidgets.QCheckBox) if w.accessibleName() == "Lane 2").setChecked(False)
    _button(dialog, "Compare").click()
    assert dialog.message.text().startswith("Switch on at least two lanes")
    assert dialog.isVisible()
    dialog.reject()
    assert user.window.compare_window is None


def test_every_control_of_compare_is_named_by_its_label(user):
    from test_accessibility import _is_part_of_another

    from nnviz.gui.accessibility import CONTROL_TYPES, visible_text

    dialog = _open_dialog(user)
    _button(dialog, "Optimizer race").click()
    _button(dialog, "Compare").click()
    user.qtbot.waitUntil(lambda: user.window.compare_window is not None)
    compare = user.window.compare_window
    try:
        for root in (dialog, compare):
            widgets = [w for w in root.findChildren(QtWidgets.QWidget)
                       if isinstance(w, CONTROL_TYPES) and not _is_part_of_another(w)]
            assert widgets and [w for w in widgets if not w.accessibleName()] == []
            for button in root.findChildren(QtWidgets.QPushButton):
                if button.text():
                    assert button.accessibleName() == visible_text(button.text())
    finally:
        compare.close()


def test_the_landscape_of_a_comparison_draws_every_lanes_path_from_one_start(user):
    from nnviz.gui.panels import landscape

    compare = _race(user)
    try:
        compare.step(30)
        user.qtbot.waitUntil(lambda: compare.frames[0][1].step == 30)
        compare.side_tabs.setCurrentIndex(1)
        assert user.window.compare_window.landscape_lane.currentText() == "Lane 4"
        with user.qtbot.waitSignal(compare.landscape.computed, timeout=20000):
            _button(compare, "Compute").click()
        user.qtbot.waitUntil(lambda: compare.landscape.path_points(3) is not None and landscape.running() == 0)
        paths = [compare.landscape.path_points(k) for k in range(4)]
        for path in paths[1:]:  # the same start, projected onto one plane
            np.testing.assert_allclose(path[0], paths[0][0], atol=1e-12)
        np.testing.assert_allclose(paths[3][-1], (0.0, 0.0), atol=1e-9)  # around lane 4: its weights
        assert not np.allclose(paths[0][-1], (0.0, 0.0))
        assert [label.text for _, label in compare.landscape._path_legend.items] == [
            "sgd, lr 0.1", "sgd (momentum 0.9), lr 0.03", "rmsprop, lr 0.01", "adam, lr 0.01"]
        # on the plane of the four paths' principal directions: the paths spread over the map
        compare.landscape.directions_box.setCurrentIndex(compare.landscape.directions_box.findData("path"))
        with user.qtbot.waitSignal(compare.landscape.computed, timeout=20000):
            _button(compare, "Compute").click()
        user.qtbot.waitUntil(lambda: landscape.running() == 0)
        assert compare.landscape.result.landscape.directions.kind == "path"
        spread = np.concatenate([compare.landscape.path_points(k) for k in range(4)])
        assert np.abs(spread).max() == pytest.approx(0.8) and (spread.max(axis=0) - spread.min(axis=0) > 0.2).all()
    finally:
        compare.close()
