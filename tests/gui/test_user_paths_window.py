"""A learner's paths through the window and the sidebar (issue 12), driven as a person does: by the
controls' visible labels and the toolbar and menu actions, reading what is on screen."""

import math

import pytest
from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from nnviz.gui.main_window import MainWindow

REAL_CONFIRM_DISCARD = MainWindow.confirm_discard  # the main_window fixture replaces it


def open_lesson(user, name: str) -> None:
    """Choose a lesson from the Examples menu; it opens stepping through."""
    user.trigger(name)
    user.qtbot.waitUntil(lambda: user.window.stepper.walkthrough is not None, timeout=5000)
    assert user.action("Step through").isChecked()


def test_diverge_then_recover_with_a_smaller_learning_rate(user):
    user.choose("Loss", "mse")
    user.choose("Output activation", "identity")  # unbounded: a learning rate of 100 blows it up
    user.type("Learning rate", "100")
    user.train(2000)
    assert "diverged" in user.message() and "it is 100" in user.message()
    user.dismiss_message()
    assert user.window.latest.diverged and "accuracy" not in user.status()
    user.type("Learning rate", "0.03")
    assert user.text("Learning rate") == "0.03"
    assert user.window._state["document"]["optimizer"]["lr"] == 0.03  # what is in force is what it shows
    user.trigger("Reset")
    assert user.step() == 0 and not user.window.latest.diverged
    user.window.last_message = ""
    start = user.window.latest.train_loss
    user.train(300)
    snap = user.window.latest
    assert user.message() == "" and not snap.diverged
    assert math.isfinite(snap.train_loss) and snap.train_loss < start
    assert user.text("Learning rate") == "0.03" and snap.lr == 0.03


def test_after_a_divergence_every_setting_can_be_changed_and_reset_applies_them(user):
    """Needs helper A's side: set_training is accepted while diverged."""
    user.choose("Loss", "mse")
    user.choose("Output activation", "identity")
    user.type("Learning rate", "100")
    user.train(2000)
    assert "diverged" in user.message()
    user.dismiss_message()
    user.window.last_message = ""
    user.type("L2 rate", "0.001")
    user.choose("Optimizer", "adam")
    user.type("Learning rate", "0.01")
    assert user.message() == ""
    assert (user.text("L2 rate"), user.text("Optimizer"), user.text("Learning rate")) == ("0.001", "adam", "0.01")
    user.trigger("Reset")
    user.train(200)
    snap = user.window.latest
    assert user.message() == "" and not snap.diverged and math.isfinite(snap.train_loss)
    document = user.window._state["document"]
    assert document["optimizer"]["name"] == "adam" and document["regularization"]["l2"] == 0.001


def test_the_perceptron_rule_on_a_multi_layer_net_is_refused_and_reverts(user):
    user.choose("Optimizer", "perceptron")
    user.qtbot.waitUntil(lambda: "perceptron" in user.message(), timeout=5000)
    assert "single dense layer" in user.message() and "perceptron" in user.status()
    user.dismiss_message()
    assert user.text("Optimizer") == "sgd"  # the optimizer that trains on
    assert user.control("momentum").isVisible()  # with its own options
    user.window.last_message = ""
    user.train(50)
    assert user.message() == "" and user.text("Optimizer") == "sgd"


def test_a_quiz_answer_with_spaces_is_typed_not_played(user):
    open_lesson(user, "2-2-1 network, worked example")
    user.check("Quiz")
    step, operation = user.step(), user.window.stepper.index
    user.type("Your answer", "0.5, -0.15", enter=False)
    assert user.text("Your answer") == "0.5, -0.15"
    assert not user.window.session.playing and user.action("Step through").isChecked()
    assert user.step() == step and user.window.stepper.index == operation


@pytest.mark.parametrize("field", ["Sample", "Learning rate"])
def test_space_in_a_field_while_stepping_through_does_not_play(user, field):
    open_lesson(user, "XOR solved by a 2-2-1 network")
    assert user.control("Sample").isEnabled()  # a batch of four
    step = user.step()
    user.press(Qt.Key.Key_Space, on=field)
    user.press(Qt.Key.Key_Right, on=field)
    for combo in user.window.findChildren(QtWidgets.QComboBox):
        combo.hidePopup()
    user.settle()
    assert not user.window.session.playing and user.action("Step through").isChecked()
    assert user.step() == step and user.text("Learning rate") == "0.5"
    user.press(Qt.Key.Key_Space, on=user.window.graph)  # from the graph, Space plays
    user.qtbot.waitUntil(lambda: user.window.session.playing, timeout=3000)
    user.trigger("Pause")


def test_switching_lessons_after_stepping_and_playing_asks_nothing(user, monkeypatch):
    def ask(*args, **kwargs):
        raise AssertionError("asked to save a lesson that was only stepped through")

    monkeypatch.setattr(MainWindow, "confirm_discard", REAL_CONFIRM_DISCARD)
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", ask)
    open_lesson(user, "XOR solved by a 2-2-1 network")
    user.trigger("Next operation")
    user.trigger("Last operation")
    user.trigger("Next operation")  # at the end: takes the step
    user.qtbot.waitUntil(lambda: user.step() == 1, timeout=5000)
    user.train(20)  # Play ends the step-through and trains on
    user.trigger("Reset")
    open_lesson(user, "Softmax and cross-entropy, three classes")
    assert user.window.model_name == "Softmax and cross-entropy, three classes"
    assert not user.window.isWindowModified()
    user.type("Learning rate", "0.1")  # an edit: now it is the user's own
    assert user.window.isWindowModified()
    user.window.setWindowModified(False)  # closing at the end must not ask either


def test_an_adjustment_to_fit_the_data_is_said_in_the_status_bar(user):
    """Needs helper A's side: Experiment.set_data returns the note."""
    user.choose("Data set", "plane")
    assert "loss set to mse" in user.status() and "regression" in user.status()  # as the Loss combo reads
    assert user.text("Loss") == "mse"
    user.train(100)
    assert "accuracy" not in user.window.status_label.text()  # regression: no accuracy
    assert user.window.latest.train_loss >= 0


def test_a_truth_table_trains_on_all_its_points_and_says_so(user):
    """Needs helper A's side: tiny data are not split."""
    user.choose("Data set", "xor")
    assert not user.control("Test split", QtWidgets.QAbstractSpinBox).isEnabled()
    note = user.window.controls.data_section.split_note
    assert note.isVisible() and note.text() == "4 points: all are used for training and testing"
    assert "all 4 are trained on" in user.control("Test split").toolTip()
    user.train(50)
    assert "train accuracy" in user.status() and "test" not in user.window.status_label.text()


def test_a_new_seed_at_step_0_shows_new_weights_at_once(user):
    """Needs helper A's side: the seed re-initialises while the step is 0."""
    before = user.window.latest.params["layers[0].weight"].copy()
    user.type("Seed", "7")
    assert user.step() == 0 and user.text("Seed") == "7"
    assert not (user.window.latest.params["layers[0].weight"] == before).all()
