"""The main window, driven as a person would: play, step, edit, rebuild, open, save, close."""

import json

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt

from nnviz.core import Trainer, load_model
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.walkthrough import Edit
from nnviz.gui.main_window import MainWindow
from nnviz.gui.panels.graph import Selection

from user import settle


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(MainWindow, "confirm_discard", lambda self: True)
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitUntil(lambda: w.session.latest is not None and w._state is not None, timeout=5000)
    yield w
    w.session.shutdown()


def wait_for_step(qtbot, window, step, timeout=5000):
    qtbot.waitUntil(lambda: getattr(window, "latest", None) is not None and window.latest.step == step,
                    timeout=timeout)


def test_play_learns_circle_then_pause(qtbot, window):
    window.session.set_speed(0)
    qtbot.mouseClick(window.findChild(QtWidgets.QToolBar).widgetForAction(window.act_play), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.playing, timeout=3000)
    assert window.act_play.text() == "Pause"
    # the default tanh net separates the circle: test loss below 0.1 within a few thousand steps
    qtbot.waitUntil(lambda: window.latest.test_loss < 0.1, timeout=60000)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: not window.session.playing, timeout=3000)
    assert window.act_play.text() == "Play"
    snap = window.latest
    assert snap.step > 0 and "test loss" in window.status_label.text()
    assert window.isWindowModified()


def test_panels_draw_the_cores_numbers(qtbot, window):
    window.session.step(20)
    wait_for_step(qtbot, window, 20)
    snap = window.latest
    exp = Experiment()
    exp.run(20)
    np.testing.assert_array_equal(snap.params["layers[0].weight"], exp.net.layers[0].weight)
    # graph: one edge per weight, drawn blue exactly where the weight is positive (or 0)
    assert window.graph.edge_count() == sum(layer.weight.size for layer in exp.net.layers)
    assert window.graph.edge_count(+1) == sum(np.sum(layer.weight >= 0) for layer in exp.net.layers)
    # output: the decision surface is the network's output over the plane
    np.testing.assert_array_equal(window.output.surface_item.image, exp.snapshot().surface)
    # loss: the batch-loss curve is the trainer's history
    x, y = window.loss.batch_curve.getData()
    np.testing.assert_array_equal(y, exp.trainer.history["loss"])
    assert f"step {snap.step}" in window.status_label.text()


def test_step_gives_exactly_trainer_step(qtbot, window):
    window.act_step.trigger()
    window.act_step.trigger()
    wait_for_step(qtbot, window, 2)
    exp = Experiment()
    net = load_model(default_document())
    trainer = Trainer(net, exp.X, exp.y, batch_size=10, shuffle=True, seed=0)
    trainer.step()
    trainer.step()
    for name, value in net.named_parameters():
        np.testing.assert_array_equal(window.latest.params[name], value)


def test_space_and_right_arrow_drive_training(qtbot, window):
    qtbot.keyClick(window.graph, Qt.Key.Key_Right)
    wait_for_step(qtbot, window, 1)
    qtbot.keyClick(window.graph, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.session.playing, timeout=3000)
    qtbot.keyClick(window.graph, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.session.playing, timeout=3000)


def test_editing_a_weight_in_the_inspector_changes_the_forward_pass(qtbot, window):
    before = window.latest
    selection = Selection("edge", 1, 0, 0)
    window.graph.select(selection)
    assert window.inspector.selection == selection
    assert float(window.inspector.edit.text()) == before.params["layers[0].weight"][0, 0]
    window.inspector.edit.setText("2.5")
    with qtbot.waitSignal(window.session.snapshot_ready, timeout=5000,
                          check_params_cb=lambda s: s.params["layers[0].weight"][0, 0] == 2.5):
        qtbot.keyClick(window.inspector.edit, Qt.Key.Key_Return)
    after = window.latest
    assert not np.array_equal(after.layers[0].a, before.layers[0].a)
    exp = Experiment()
    exp.set_parameter("layers[0].weight", (0, 0), 2.5)
    np.testing.assert_array_equal(after.layers[-1].a, exp.snapshot().layers[-1].a)
    assert "w = 2.5" in window.inspector.details.text()


def test_typing_letters_into_a_weight_changes_nothing(qtbot, window):
    window.graph.select(Selection("edge", 1, 0, 0))
    window.inspector.edit.setText("abc")
    with qtbot.assertNotEmitted(window.inspector.parameter_edited):
        qtbot.keyClick(window.inspector.edit, Qt.Key.Key_Return)
    assert "not a number" in window.inspector.message.text()


def test_adding_a_layer_rebuilds_the_network(qtbot, window):
    qtbot.mouseClick(window.controls.add_layer_button, Qt.MouseButton.LeftButton)
    window.controls.flush()
    qtbot.waitUntil(lambda: len(window.latest.layers) == 4, timeout=5000)
    assert tuple(window.graph.column_sizes()[:2]) == (2, 4)
    assert len(window.graph.column_sizes()) == 5
    assert window.latest.step == 0


def test_a_bad_model_file_shows_a_dialog_and_changes_nothing(qtbot, window, tmp_path):
    bad = tmp_path / "bad.json"
    doc = default_document()
    doc["layers"][1]["weight"] = [[1.0, 2.0, 3.0]]
    bad.write_text(json.dumps(doc))
    before = window.latest
    assert not window.open_path(bad)
    assert "layers[1].weight: expected shape (2, 4), got (1, 3)" in window.last_message
    box = window.findChild(QtWidgets.QMessageBox)
    assert box is not None and box.isVisible() and "layers[1].weight" in box.text()
    settle(qtbot, window.session)
    np.testing.assert_array_equal(window.latest.params["layers[0].weight"], before.params["layers[0].weight"])


def test_a_bad_csv_shows_the_problem_and_keeps_the_model(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,0\n3,oops,1\n")
    seen = {}

    def inspect_dialog():
        dialog = QtWidgets.QApplication.activeModalWidget()
        seen["error"] = dialog.error_label.text()
        seen["ok"] = dialog.ok_button.isEnabled()
        dialog.reject()

    QtCore.QTimer.singleShot(0, inspect_dialog)
    window.import_csv_path(bad)
    assert "oops" in seen["error"] and not seen["ok"]
    settle(qtbot, window.session)
    assert window.latest.input_names == ("x1", "x2") and window.data_name() == "circle"


def test_a_huge_learning_rate_pauses_with_the_divergence_message(qtbot, window):
    window.session.set_layers([{"type": "dense", "units": 4, "activation": "relu"},
                               {"type": "dense", "units": 1}])
    window.session.set_training(loss="mse", lr=1e4)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: "diverged" in window.last_message, timeout=10000)
    assert "smaller learning rate" in window.last_message
    qtbot.waitUntil(lambda: not window.session.playing, timeout=3000)
    assert window.act_play.text() == "Play"


def test_closing_during_training_ends_the_thread_within_a_second(qtbot, window):
    window.session.set_speed(0)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: window.latest.step > 100, timeout=10000)
    window.close()  # waits at most a second (the session's shutdown timeout) for the thread to end
    assert not window.session.is_running()


def test_save_then_open_restores_the_exact_state(qtbot, window, tmp_path):
    window.session.step(37)
    wait_for_step(qtbot, window, 37)
    path = tmp_path / "trained.json"
    with qtbot.waitSignal(window.session.saved, timeout=5000):
        window.save_to(path)
    assert not window.isWindowModified() and window.windowTitle().startswith("trained.json")
    saved = window.latest
    window.session.step(5)
    wait_for_step(qtbot, window, 42)
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.latest.step == 37, timeout=5000)
    for name, value in saved.params.items():
        np.testing.assert_array_equal(window.latest.params[name], value)
    # and training continues as it would have: the next 5 steps land on the same numbers
    reference = load_model(str(path))
    exp = Experiment()
    trainer = Trainer(reference, exp.X, exp.y, batch_size=10, shuffle=True, seed=0)
    trainer.run(5)
    window.session.step(5)
    wait_for_step(qtbot, window, 42)
    for name, value in reference.named_parameters():
        np.testing.assert_array_equal(window.latest.params[name], value)
    assert str(path.resolve()) in window.recent_files()


def test_layout_and_recent_files_persist(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(MainWindow, "confirm_discard", lambda self: True)
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.docks["loss"].hide()
    (tmp_path / "a.json").write_text(json.dumps(default_document()), encoding="utf-8")
    assert first.open_path(tmp_path / "a.json")
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert second.docks["loss"].isHidden()
    assert second.recent_files() == [str((tmp_path / "a.json").resolve())]
    second.close()


def test_every_dock_can_be_brought_back_from_the_view_menu(window):
    for key, dock in window.docks.items():
        dock.close()
        assert dock.isHidden()
        dock.toggleViewAction().trigger()
        assert not dock.isHidden(), key


def test_an_exception_in_a_slot_shows_a_one_line_dialog(qtbot, window, monkeypatch):
    import sys
    import threading

    from nnviz.gui.app import install_excepthook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook(window)

    def broken(snapshot):
        raise RuntimeError("panel exploded\nwith a second line")

    monkeypatch.setattr(window.loss, "_draw_snapshot", broken)
    window.session.publish()
    qtbot.waitUntil(lambda: "panel exploded" in window.last_message, timeout=5000)
    assert "\n" not in window.last_message
    window.session.step()  # and the app goes on
    wait_for_step(qtbot, window, 1)


def test_health_strip_turns_a_dead_layer_red_and_opens_its_detail(qtbot, window):
    from nnviz.gui.panels.health import DEAD, GRAD_NORM

    # zero-initialised ReLU units output 0 for every sample: the whole layer is dead
    window.session.set_layers([{"type": "dense", "units": 4, "activation": "relu", "init": "zeros"},
                               {"type": "dense", "units": 1, "activation": "sigmoid"}])
    qtbot.waitUntil(lambda: len(window.latest.layers) == 2 and window.latest.health[0].dead == 1.0, timeout=5000)
    assert window.health.cell_state(0, DEAD) == "bad" and window.health.name_is_red(0)
    assert window.health.cell_text(0, DEAD) == "100%"
    table = window.health.table
    cell = table.visualItemRect(table.item(0, DEAD)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.waitUntil(lambda: window.docks["activations"].isVisible(), timeout=3000)
    assert window.activations.layer == 0
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(table.item(1, GRAD_NORM)).center())
    qtbot.waitUntil(lambda: window.docks["gradients"].isVisible(), timeout=3000)


def test_a_panel_behind_a_tab_draws_the_newest_snapshot_when_shown(qtbot, window):
    window.session.step(7)
    wait_for_step(qtbot, window, 7)
    assert window.gradients.stale and window.gradients.snapshot is window.latest  # hidden: not drawn yet
    window.docks["gradients"].raise_()
    qtbot.waitUntil(lambda: not window.gradients.stale, timeout=3000)
    assert window.gradients.snapshot is window.latest


# -- numbers a learner can trust (issue 12) -------------------------------------------------------------
def _snap(**changes):
    from types import SimpleNamespace

    fields = dict(task="classification", train_loss=0.3, test_loss=0.4, train_accuracy=0.9, test_accuracy=0.8,
                  diverged=False)
    return SimpleNamespace(**{**fields, **changes})


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, "test accuracy 80.0%"),
    ({"test_loss": None, "test_accuracy": None}, "train accuracy 90.0%"),  # nothing held out
    ({"task": "regression", "train_accuracy": None, "test_accuracy": None}, ""),
    ({"task": "regression"}, ""),  # never for regression, whatever the core says
    ({"test_accuracy": None}, ""),
    ({"train_loss": float("nan")}, ""),
    ({"test_loss": float("inf")}, ""),
    ({"diverged": True}, ""),  # non-finite weights with a finite loss
    ({"test_accuracy": float("nan")}, ""),
])
def test_the_status_bar_shows_only_an_accuracy_it_can_trust(changes, expected):
    from nnviz.gui.main_window import accuracy_text

    assert accuracy_text(_snap(**changes)) == expected


def test_the_status_bar_shows_the_train_accuracy_when_nothing_is_held_out(qtbot, window):
    window.session.set_data(DataConfig(test_fraction=0.0))
    qtbot.waitUntil(lambda: window.latest.test_loss is None, timeout=5000)
    assert "train accuracy" in window.status_label.text() and "test" not in window.status_label.text()


def test_a_note_shows_in_the_status_bar(qtbot, window):
    window.session.noticed.emit("plane is a regression data set: loss set to MSE")
    assert window.statusBar().currentMessage() == "plane is a regression data set: loss set to MSE"


def test_a_refused_optimizer_reverts_with_the_reason(qtbot, window):
    combo = window.controls.optimizer_combo
    combo.setCurrentIndex(combo.findData("perceptron"))
    qtbot.waitUntil(lambda: "perceptron" in window.last_message, timeout=5000)
    qtbot.waitUntil(lambda: combo.currentData() == "sgd", timeout=5000)
    assert "perceptron" in window.statusBar().currentMessage()
    assert set(window.controls.optimizer_fields) == {"momentum", "dampening", "nesterov", "weight_decay"}


def test_reset_applies_the_number_typed_in_the_sidebar(qtbot, window):
    edit = window.controls.lr_combo.lineEdit()
    window.controls.lr_combo.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "0.3")  # no Enter
    with qtbot.waitSignal(window.session.state_changed, timeout=5000,
                          check_params_cb=lambda state: state["document"]["optimizer"]["lr"] == 0.3):
        window.act_reset.trigger()
    assert window.controls.lr_combo.currentText() == "0.3"


def _open_lesson(qtbot, window, key):
    with qtbot.waitSignal(window.session.walk_ready, timeout=5000):
        assert window.open_example(key)
    qtbot.waitUntil(lambda: window.stepper.walkthrough is not None, timeout=5000)


def test_a_lesson_stepped_through_or_played_is_not_modified(qtbot, window):
    _open_lesson(qtbot, window, "two-two-one")
    window.act_end.trigger()
    window.act_next.trigger()  # at the end: takes the step
    wait_for_step(qtbot, window, 1)
    window.act_step.trigger()
    window.act_epoch.trigger()
    window.act_reset.trigger()
    window.act_play.trigger()
    qtbot.waitUntil(lambda: window.session.playing, timeout=3000)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: not window.session.playing, timeout=3000)
    assert not window.isWindowModified()
    window.controls.seed_spin.setValue(5)  # an edit of its settings
    window.controls.flush()
    assert window.isWindowModified()


def test_an_edited_lesson_is_modified_and_a_file_model_trained_is_too(qtbot, window):
    _open_lesson(qtbot, window, "two-two-one")
    window.session.publish()
    window.apply_edit(Edit("param", "layers[0].weight", (0, 0)), 0.25)
    assert window.isWindowModified()
    window.new_model()
    assert not window.isWindowModified()
    window.act_step.trigger()
    assert window.isWindowModified()


@pytest.mark.parametrize("field", ["lr_combo", "loss_combo", "seed_spin"])
def test_space_and_arrows_in_a_sidebar_field_are_typing(qtbot, window, field):
    widget = getattr(window.controls, field)
    widget.setFocus()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() in (widget, widget.lineEdit()), timeout=3000)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Left):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), key)
    widget.setFocus()  # a combo's popup may have opened on Space
    for combo in window.findChildren(QtWidgets.QComboBox):
        combo.hidePopup()
    settle(qtbot, window.session)
    assert not window.session.playing and window.latest.step == 0


def test_space_on_a_button_still_plays(qtbot, window):
    button = window.controls.add_layer_button
    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=3000)
    qtbot.keyClick(button, Qt.Key.Key_Right)
    wait_for_step(qtbot, window, 1)


def test_a_slow_frame_is_drawn_panel_by_panel_with_the_person_answered_between(qtbot, window, monkeypatch):
    """Panels that take 25 ms each: a 10 ms timer (as a key press would) fires between them, and the
    window's latest snapshot is the new one only once every panel shown has drawn it."""
    import time

    ticks, drawn = [], []
    shown = [p for p in window.panels if p.on_screen()]
    assert len(shown) >= 3
    for panel in shown:
        original = panel._draw_snapshot

        def slow(snapshot, panel=panel, original=original):
            time.sleep(0.025)
            drawn.append((panel, snapshot.step, len(ticks)))
            original(snapshot)

        monkeypatch.setattr(panel, "_draw_snapshot", slow)
    timer = QtCore.QTimer(interval=10, timeout=lambda: ticks.append(window.latest.step))
    timer.start()
    window.session.step(3)
    settle(qtbot, window.session)
    timer.stop()
    frame = [(panel, tick) for panel, step, tick in drawn if step == 3][:len(shown)]  # the first frame of step 3
    assert {panel for panel, _ in frame} == set(shown)
    assert len({tick for _, tick in frame}) > 1  # the timer fired between the panels
    assert 3 not in ticks[:frame[-1][1]]  # and saw the earlier snapshot as the latest until the last one drew
    assert window.latest.step == 3 and all(p.snapshot.step == 3 and not p.stale for p in shown)
