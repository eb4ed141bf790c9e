"""The paths a learner takes, driven through the real window as a person drives it: controls found by
their accessible names (the labels a person reads), toolbar and menu actions by their text, and the
assertions on what the person sees — the status bar, the sidebar, the panels' numbers and texts.

Each section follows one part of "numbers a learner can trust": switch the data set, pick another
loss, diverge and recover, type into a field, read the health strip, save and reopen, step through
a lesson. The driver is ``tests/gui/user.py`` (the ``user`` fixture)."""

import math
import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from nnviz.core.csv_data import load_csv
from nnviz.core.datasets import DATASETS
from nnviz.core.formula import evaluate
from nnviz.core.losses import LOSSES
from nnviz.core.numbers import format_value
from nnviz.gui.main_window import MainWindow
from nnviz.gui.panels.health import DEAD, GRAD_NORM, NAME, SATURATED, UPDATE_RATIO
from nnviz.gui.panels.loss import READOUT_HINT

# --- Problem types: the data decide the loss, misfits are refused, tiny data are not split -------------------------
# A learner's paths through problem types, driven through the window as a person does: switch data
# sets, pick losses, train XOR. What they see is what is asserted (status bar, controls, panel titles).


REGRESSION = [name for name, spec in DATASETS.items() if spec.kind == "regression"]


def _figure(status: str, name: str) -> float:
    """The number after ``name`` in the status bar (``train loss 0.1234``)."""
    found = re.search(rf"{name} (-?[0-9.]+(?:e[-+]?[0-9]+)?)", status)
    assert found, f"no {name!r} in the status bar: {status!r}"
    return float(found.group(1))


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_built_in_data_set_trains_to_a_sensible_loss(user, dataset):
    user.choose("Data set", dataset)
    user.train(60)
    status = user.status()
    for loss in ("train loss", "test loss") if "test loss" in status else ("train loss",):
        value = _figure(status, loss)
        assert math.isfinite(value) and value >= 0, status
    kind = DATASETS[dataset].kind
    if kind == "regression":
        assert "accuracy" not in status
        assert user.text("Loss") == "mse" and user.text("Output activation") == "identity"
    elif kind == "multiclass":
        assert user.text("Loss") == "cross_entropy" and user.text("Output activation") == "softmax"
        assert user.text("Output units") == str(DATASETS[dataset].classes)
    else:
        assert user.text("Loss") == "bce" and user.text("Output activation") == "sigmoid"


def test_switching_to_regression_data_says_what_was_set_in_the_status_bar(user):
    user.choose("Data set", "plane")
    assert "plane is a regression data set: loss set to mse, output activation set to identity" in user.status()
    user.choose("Data set", "circle")
    assert "circle is a binary classification data set: loss set to bce" in user.status()


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_loss_trains_on_data_it_fits(user, loss):
    user.choose("Loss", loss)
    assert user.text("Loss") == loss
    if loss == "cross_entropy":  # one softmax output per class
        assert user.text("Output activation") == "softmax" and user.text("Output units") == "2"
    user.train(40)
    value = _figure(user.status(), "train loss")
    assert math.isfinite(value) and value >= 0


@pytest.mark.parametrize("loss", ["bce", "focal", "cross_entropy"])
def test_a_loss_that_cannot_fit_regression_targets_is_refused_and_the_combo_reverts(user, loss):
    user.choose("Data set", "plane")
    user.choose("Loss", loss)
    assert user.message().startswith(f"loss {loss}: targets must ")
    assert "but the targets of plane run from" in user.message()
    user.dismiss_message()
    assert user.text("Loss") == "mse"  # the loss in force
    user.train(20)
    assert _figure(user.status(), "train loss") >= 0


def test_xor_trains_on_all_four_points_to_full_accuracy(user, qtbot):
    user.choose("Data set", "xor")
    assert user.window.latest.raw_test is None and len(user.window.latest.raw_train[0]) == 4
    assert "test" not in user.status()
    user.choose("Optimizer", "adam")
    user.type("Learning rate", "0.05")
    user.train(1500)
    title = user.window.output.title.text()
    assert "train accuracy 100" in title, title
    assert _figure(user.status(), "train loss") < 0.05


def test_a_truth_table_disables_the_test_split_and_says_why(user):
    user.choose("Data set", "xor")
    split = user.control("Test split")
    assert not split.isEnabled()
    assert "all 4 rows" in split.toolTip()


def _ten_classes_csv(path, rows_per_class: int = 30):
    """Ten blobs on three inputs, labelled 0..9 (as the digits are)."""
    rng = np.random.default_rng(10)
    lines = ["a,b,c,digit"]
    for label in range(10):
        centre = rng.normal(scale=4.0, size=3)
        for x in centre + rng.normal(scale=0.5, size=(rows_per_class, 3)):
            lines.append(",".join(repr(float(v)) for v in x) + f",{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_csv_of_ten_classes_trains_as_ten_classes(user, csv_import, tmp_path):
    """Import a CSV the importer calls "classification (10 classes)": the app sets cross-entropy
    with a softmax over 10 output units and says so; training gives a loss >= 0 that falls, a 10 × 10
    confusion matrix and an accuracy well above chance (10 %; the default net's 2-unit layer limits it)."""
    csv_import(_ten_classes_csv(tmp_path / "digits.csv"))
    assert "cross_entropy" in user.status()
    assert (user.text("Loss"), user.text("Output activation"), user.text("Output units")) == (
        "cross_entropy", "softmax", "10")
    first = user.window.latest.train_loss
    user.train(1000)
    snap = user.window.latest
    assert 0 <= snap.train_loss < first
    assert snap.confusion.shape == (10, 10) and snap.confusion.sum() == snap.predictions.shape[0]
    accuracy = _figure(user.status(), "test accuracy")
    assert 25 <= accuracy <= 100
    # the matrix numbers the classes by the CSV's targets 0..9, as the Mistakes gallery does
    output = user.window.output
    assert output.mode == "confusion"
    assert "target value" in output.plot.getAxis("bottom").labelText
    assert [text for _, text in output.plot.getAxis("bottom")._tickLevels[0]] == [str(d) for d in range(10)]


def test_a_regression_run_reports_no_accuracy_anywhere(user, tmp_path):
    """Regression data (plane): neither the status bar nor the run report gives an accuracy."""
    user.choose("Data set", "plane")
    user.train(50)
    assert "accuracy" not in user.status()
    report = user.window.exports.write_report(tmp_path / "run.html").read_text()
    assert "train loss" in report and "accuracy" not in report


def _six_rows_csv(path):
    """Six rows of 0/1 labels: too few to split, so every row trains."""
    path.write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.5,0.5,1\n0.2,0.8,0\n")
    return path


def test_a_loss_that_needs_another_output_width_starts_the_run_again_and_says_so(user, csv_import, tmp_path):
    """Import six rows, train, choose cross-entropy (two outputs instead of one): the note says the
    network starts again, and the step, the loss curve and the weights start again with it. Back to
    bce: the same. Then MSE, which keeps the single sigmoid output: the weights and the run go on."""
    window = user.window
    csv_import(_six_rows_csv(tmp_path / "six.csv"))
    start = window.latest.params["layers[0].weight"].copy()
    for loss in ("cross_entropy", "bce"):
        user.train(50)
        assert not np.array_equal(window.latest.params["layers[0].weight"], start)
        user.choose("Loss", loss)
        assert "the network starts again from its seed" in user.status()
        assert user.step() == 0 and window.latest.history["step"].size == 0
        assert window.loss.batch_curve.getData()[0] is None or len(window.loss.batch_curve.getData()[0]) == 0
        np.testing.assert_array_equal(window.latest.params["layers[0].weight"], start)
    user.train(50)
    step, trained = user.step(), window.latest.params["layers[0].weight"].copy()
    window.statusBar().clearMessage()  # the last note has been read
    user.choose("Loss", "mse")
    assert "starts again" not in user.status()
    assert user.step() == step and window.latest.history["step"].size == step
    np.testing.assert_array_equal(window.latest.params["layers[0].weight"], trained)


def _plus_minus_csv(path):
    """A hundred points labelled -1/+1 by the sign of x1, with a gap of 0.2 between the classes."""
    rng = np.random.default_rng(12)
    X = rng.uniform(-1, 1, (100, 2))
    X[:, 0] = np.sign(X[:, 0]) * (0.1 + 0.9 * np.abs(X[:, 0]))
    rows = [f"{x1!r},{x2!r},{1 if x1 > 0 else -1}" for x1, x2 in X.tolist()]
    path.write_text("x1,x2,y\n" + "\n".join(rows) + "\n")
    return path


def test_minus_one_plus_one_labels_are_counted_by_their_sign_and_train_to_full_accuracy(user, csv_import, tmp_path):
    """Labels -1/+1: the status bar's accuracy counts an output right when it has the label's sign
    (the labels' midpoint is 0), from the first step; trained, the separable set scores 100 %."""
    csv_import(_plus_minus_csv(tmp_path / "pm.csv"))
    assert (user.text("Loss"), user.text("Output activation")) == ("mse", "identity")
    snap = user.window.latest
    by_sign = np.mean((snap.predictions[:, 0] > 0) == (snap.raw_test[1][:, 0] > 0))
    assert _figure(user.status(), "test accuracy") == pytest.approx(100 * by_sign, abs=0.05)
    user.choose("Optimizer", "adam")
    user.type("Learning rate", "0.03")
    user.train(300)
    assert "test accuracy 100.0%" in user.status()
    # the drawn boundary is the one the accuracy counts with: the points are coloured by their sign,
    # and the surface parts the classes at 0
    snap, output = user.window.latest, user.window.output
    assert snap.decision_threshold == 0.0 and snap.label_midpoint == 0.0
    X, y = snap.raw_train
    brushes = output.train_points.data["brush"]
    positive = [b.color().name() for b, label in zip(brushes, y[:, 0]) if label > 0]
    negative = [b.color().name() for b, label in zip(brushes, y[:, 0]) if label < 0]
    assert len(set(positive)) == 1 and len(set(negative)) == 1 and positive[0] != negative[0]


def test_ten_classes_on_one_output_show_no_accuracy(user, csv_import, tmp_path):
    """Ten classes, then Loss mse: one output cannot tell ten classes apart, so no accuracy is shown."""
    csv_import(_ten_classes_csv(tmp_path / "digits.csv"))
    assert "accuracy" in user.status()  # cross-entropy over ten outputs
    user.choose("Loss", "mse")
    assert user.text("Output units") == "1"
    user.train(30)
    assert "accuracy" not in user.status() and user.window.latest.train_accuracy is None
    # nor a two-class confusion matrix: the output is drawn as values against their targets
    output = user.window.output
    assert output.mode == "scatter" and "accuracy" not in output.title.text()
    assert not output.show_confusion.isEnabled()


def test_data_of_another_kind_bring_their_setup_with_a_note(user):
    """plane, Loss mae, then circle: MAE would fit 0/1 labels, but circle is classification data, so
    the app sets bce with a sigmoid output and says so."""
    user.choose("Data set", "plane")
    user.choose("Loss", "mae")
    assert user.text("Loss") == "mae"
    user.choose("Data set", "circle")
    assert ("circle is a binary classification data set: loss set to bce, output activation set to sigmoid"
            in user.status())
    assert (user.text("Loss"), user.text("Output activation")) == ("bce", "sigmoid")
    user.train(30)
    assert "accuracy" in user.status()


# --- The sidebar shows the state in force: divergence, refusals, shortcuts, lessons --------------------------------
# A learner's paths through the window and the sidebar (issue 12), driven as a person does: by the
# controls' visible labels and the toolbar and menu actions, reading what is on screen.


REAL_CONFIRM_DISCARD = MainWindow.confirm_discard  # the main_window fixture replaces it


def diverge(user, steps: int = 2000) -> None:
    """Loss mse with an identity output (unbounded: a learning rate of 100 blows it up), Learning
    rate 100, Play: training stops by itself at the divergence."""
    user.choose("Loss", "mse")
    user.choose("Output activation", "identity")
    user.type("Learning rate", "100")
    user.train(steps)


def test_diverge_then_recover_with_a_smaller_learning_rate(user):
    diverge(user)
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
    """Every setting is accepted while diverged; Reset starts again with what the controls show."""
    diverge(user)
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
    """Switching to regression data says in the status bar what was set to fit it."""
    user.choose("Data set", "plane")
    assert "loss set to mse" in user.status() and "regression" in user.status()  # as the Loss combo reads
    assert user.text("Loss") == "mse"
    user.train(100)
    assert "accuracy" not in user.window.status_label.text()  # regression: no accuracy
    assert user.window.latest.train_loss >= 0


def test_a_truth_table_trains_on_all_its_points_and_says_so(user):
    """A truth table is not split: it trains and is scored on all its points, and says so."""
    user.choose("Data set", "xor")
    assert not user.control("Test split", QtWidgets.QAbstractSpinBox).isEnabled()
    note = user.window.controls.data_section.split_note
    assert note.isVisible() and note.text() == "4 points: all are used for training and testing"
    assert "all 4 are trained on" in user.control("Test split").toolTip()
    user.train(50)
    assert "train accuracy" in user.status() and "test" not in user.window.status_label.text()


def test_a_new_seed_at_step_0_shows_new_weights_at_once(user):
    """While nothing is trained, a new seed draws new weights at once."""
    before = user.window.latest.params["layers[0].weight"].copy()
    user.type("Seed", "7")
    assert user.step() == 0 and user.text("Seed") == "7"
    assert not (user.window.latest.params["layers[0].weight"] == before).all()


def test_a_new_seed_after_training_says_it_waits_for_reset(user):
    """Trained, a new seed keeps the weights and says that Reset will use it; Reset does."""
    user.train(30)
    trained = user.window.latest.params["layers[0].weight"].copy()
    user.type("Seed", "7")
    assert (user.window.latest.params["layers[0].weight"] == trained).all() and user.step() >= 30
    assert "Reset draws new ones from this seed" in user.status()
    user.trigger("Reset")
    fresh = user.window.latest.params["layers[0].weight"].copy()
    user.type("Seed", "0")  # at step 0: the default seed's weights at once
    assert not (fresh == user.window.latest.params["layers[0].weight"]).all()


def test_new_layers_after_training_say_that_the_run_starts_again(user):
    """Changing the architecture of a trained run starts it again: the status bar says so."""
    user.train(30)
    user.set_value("Layer 1 units", 6)
    assert user.step() == 0 and user.window.latest.history["step"].size == 0
    assert "the network starts again from its seed" in user.status()


def test_weights_that_overflow_beside_a_finite_loss_stop_training(user):
    """The perceptron lesson at learning rate 1e308: the weights overflow while the loss stays a
    number; training stops with the divergence message, and no accuracy is shown beside it."""
    open_lesson(user, "Perceptron learns AND")
    user.trigger("Step through")  # off: train as usual
    user.type("Learning rate", "1e308")
    user.trigger("Reset")
    user.train(40)  # stops by itself at the step whose weights overflow
    assert "Training diverged" in user.message() and user.step() < 40
    assert not np.all(np.isfinite(np.concatenate([p.ravel() for p in user.window.latest.params.values()])))
    assert "accuracy" not in user.status()


# --- Honest health -------------------------------------------------------------------------------------------------
# Honest health, on the paths a learner takes: a person trains through the real window's controls and
# reads the health strip (and the Updates panel it opens).


LEFT = QtCore.Qt.MouseButton.LeftButton
HIDDEN_1, HIDDEN_2, OUTPUT = range(3)  # the rows of the default 2-4-2-1 circle network


def strip_row(user, row: int) -> dict[int, str]:
    """What a person reads in one row of the health strip, by column."""
    strip = user.window.health
    return {column: strip.cell_text(row, column) for column in (NAME, DEAD, SATURATED, GRAD_NORM, UPDATE_RATIO)}


def click_cell(user, row: int, column: int) -> None:
    table = user.window.health.table
    user.qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualItemRect(table.item(row, column)).center())


def test_a_well_fitted_output_layer_is_confident_not_sick(user):
    user.choose("Optimizer", "adam")
    user.type("Learning rate", "0.03")
    user.train(3000)
    strip = user.window.health
    assert user.window.latest.train_loss < 0.01  # a good fit
    saturated = strip_row(user, OUTPUT)[SATURATED]
    assert saturated.endswith("%") and float(saturated.rstrip("%")) > 50  # the number is still shown
    assert strip.cell_state(OUTPUT, SATURATED) == "plain"  # but not coloured as a fault
    assert not strip.name_is_red(OUTPUT)
    assert "confident answers, not a fault" in strip.table.item(OUTPUT, SATURATED).toolTip()
    assert strip.verdict_text() == ""
    # the update Adam really applies sits near -3 … -4; lr·std(∇W)/std(W) said -4.5 … -8
    ratios = [float(strip_row(user, row)[UPDATE_RATIO]) for row in (HIDDEN_1, HIDDEN_2, OUTPUT)]
    assert all(-4.8 < r < -2.5 for r in ratios), ratios


def test_a_network_collapsed_by_l2_is_flagged(user):
    assert user.window.health.verdict_text() == ""
    user.type("L2 rate", "0.1")
    user.train(600)
    strip = user.window.health
    text = strip.verdict_text()
    assert text.startswith("Collapsed: the loss 0.69"), text
    assert "chance level (a constant guess scores 0.693)" in text and "are near zero" in text
    assert strip.verdict.isVisible()
    assert any(strip.name_is_red(row) for row in range(3))


def test_a_diverged_network_reads_nan_not_a_green_zero(user):
    diverge(user, 500)
    user.dismiss_message()
    strip = user.window.health
    assert user.window.latest.diverged
    verdict = strip.verdict_text()
    assert verdict.startswith("Diverged: the loss is NaN"), verdict
    assert "accuracy" not in verdict and "%" not in verdict
    for row in (HIDDEN_1, HIDDEN_2):  # tanh layers: their saturated share is not a number
        assert strip_row(user, row)[SATURATED] == "NaN"
        assert strip.cell_state(row, SATURATED) == "bad"
    for row in (HIDDEN_1, HIDDEN_2, OUTPUT):
        assert not any(text.endswith("%") for text in strip_row(user, row).values())
        assert strip.name_is_red(row)
    # nor beside the NaN loss in the output panel's title or the status bar
    title = user.window.output.title.text()
    assert "accuracy" not in title and "test loss nan" in title and "diverged" in title
    assert "accuracy" not in user.status() and "train loss nan" in user.status()


def test_tight_gradient_clipping_reads_too_low(user):
    """SGD at lr 0.03 clipped to a gradient norm of 0.01 (about a twentieth of it): the steps the
    optimizer applies fall below the band, while lr·std(∇W)/std(W) called them healthy."""
    strip = user.window.health
    assert strip_row(user, HIDDEN_1)[UPDATE_RATIO] == "—"  # before the first step: no update to measure
    user.check("max norm")
    user.type("Clip gradient", "0.01")
    for _ in range(2):  # 2 epochs of 250 training rows in batches of 10
        user.trigger("Step epoch")
    assert user.step() == 50
    for row in (HIDDEN_1, HIDDEN_2):
        assert float(strip_row(user, row)[UPDATE_RATIO]) < -4.0
        assert strip.cell_state(row, UPDATE_RATIO) == "warn"
        assert "Too low" in strip.table.item(row, UPDATE_RATIO).toolTip()
    # the cell opens the Updates panel, which says the same
    click_cell(user, HIDDEN_1, UPDATE_RATIO)
    updates = user.window.updates
    user.qtbot.waitUntil(updates.isVisible)
    assert "too low: L1, L2" in updates.readout.text()


# --- Nothing stale: gradient check, hover readouts, export titles, the saved history, class regions ----------------
# A learner's paths through the views that must never be stale: the gradient check, the loss
# panel's hover readout, the titles of exported figures, the loss curve of a reopened model, and the
# decision surface of three classes. Each drives the real window as a person does (``user``).


def _parameters(window) -> int:
    return sum(int(p.size) for p in window.latest.params.values())


def _open_tab(user, name: str) -> None:
    """Click the dock's tab: it comes to the front of its tab group."""
    dock = user.window.docks[name]
    dock.show()
    dock.raise_()


@pytest.fixture
def csv_import(monkeypatch, user):
    """``csv_import(path)``: File › Import CSV data… with the importer's guess accepted as it is."""
    monkeypatch.setattr("nnviz.gui.main_window.import_csv", lambda parent, path: load_csv(path))

    def import_(path):
        user.window.import_csv_path(path)
        user.settle()

    return import_


def _three_classes_csv(path, rows_per_class: int = 40):
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    lines = ["a,b,label"]
    for label, centre in enumerate(centres):
        for x in centre + rng.normal(scale=0.7, size=(rows_per_class, 2)):
            lines.append(f"{float(x[0])!r},{float(x[1])!r},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_gradient_check_tab_checks_the_net_it_shows(user):
    """Open the Gradient check tab on the default net: it counts the net's 25 parameters (not "no
    parameters"); add a layer: it counts the new net's."""
    window = user.window
    assert _parameters(window) == 25
    _open_tab(user, "gradcheck")
    user.qtbot.waitUntil(lambda: window.gradcheck.row_count() == 25)
    assert "25 entries" in window.gradcheck.note_text()
    assert "no parameters" not in window.gradcheck.summary.text()
    assert window.gradcheck.summary_state() in ("ok", "warn")  # a verdict, not "nothing to check"
    # named as everywhere else, counted from 1 (the document path only in the tooltip)
    table = window.gradcheck.table
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert names[:2] == ["W1[1,1]", "W1[1,2]"] and "b3[1]" in names
    summary = window.gradcheck.summary.text()
    assert "layers[" not in summary
    assert "ReLU" not in summary or "if the network has one" in summary  # a tanh net: no kink is blamed

    user.click("+ Add layer")
    user.qtbot.waitUntil(lambda: _parameters(window) != 25)
    grown = _parameters(window)
    user.qtbot.waitUntil(lambda: window.gradcheck.row_count() == grown)
    assert f"{grown} entries" in window.gradcheck.note_text()


def test_gradient_check_in_view_says_when_it_is_of_an_earlier_step(user):
    """Training on with the tab in view, the check is marked as of its step, with Run; Run checks
    the model as it is now."""
    window = user.window
    _open_tab(user, "gradcheck")
    user.qtbot.waitUntil(lambda: window.gradcheck.row_count() == 25)
    user.trigger("Step")
    assert "Checked at step 0" in window.gradcheck.note_text()
    assert window.gradcheck.run_button.isVisible()

    user.click("Run")
    assert window.gradcheck.is_current() and not window.gradcheck.run_button.isVisible()
    assert "Checked at step" not in window.gradcheck.note_text()


def test_loss_readout_clears_when_the_data_change(user):
    """Hover the loss plot, then choose another data set: the readout of the old run is gone."""
    window = user.window
    user.train(40)
    loss = window.loss
    loss.show_readout_at(20)  # what hovering at step 20 shows
    assert "step 20" in loss.readout_text()
    assert all(line.isVisible() for line in loss.crosshairs[:1])

    user.choose("Data set", "spiral")
    assert loss.readout_text() == READOUT_HINT
    assert not any(line.isVisible() for line in loss.crosshairs)


def test_exported_figure_after_a_csv_import_names_the_csv(user, csv_import, tmp_path):
    """Import a CSV, train, export a figure (File › Export figure…) and the report: they name the
    data ("three"), not the default model's old name "Circle"."""
    window = user.window
    csv_import(_three_classes_csv(tmp_path / "three.csv"))
    user.train(20)

    dialog = window.exports.export_dialog("Output")
    try:
        # the same title as Copy image and the report give it: the data, the figure, the step
        assert dialog.title_text() == window.exports.title(window.output) == (
            f"three — Decision surface · step {window.latest.step:,}")
        out = dialog.export_to(tmp_path / "output.svg")
    finally:
        dialog.close()
    texts = " ".join("".join(t.itertext()) for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert f"three — Decision surface · step {window.latest.step:,}" in texts and "Circle" not in texts
    assert window.exports.title(window.loss).startswith("three — Loss · step ")
    report = window.exports.write_report(tmp_path / "run.html").read_text()
    assert "<h1>three</h1>" in report and "Circle" not in report


def test_saved_model_reopens_with_its_loss_curve_and_trains_on(user, tmp_path):
    """Train, save, start a new model, reopen the file (File › Open): the loss curve is there, point
    for point; train on: the curve continues it."""
    window = user.window
    user.train(60)
    before = {k: np.array(v) for k, v in window.latest.history.items()}
    path = tmp_path / "model.json"
    with user.qtbot.waitSignal(window.session.saved):
        window.save_to(path)

    user.trigger("New")
    assert window.latest.history["step"].size == 0

    assert window.open_path(path)
    user.settle()
    after = window.latest.history
    for key, values in before.items():
        np.testing.assert_array_equal(after[key], values, err_msg=key)
    x, y = window.loss.batch_curve.getData()
    np.testing.assert_array_equal(x, before["step"])
    assert window.latest.step == before["step"][-1]

    user.train(30)
    steps = window.latest.history["step"]
    np.testing.assert_array_equal(steps[: before["step"].size], before["step"])
    assert steps.size > before["step"].size and steps[-1] > before["step"][-1]
    assert np.all(np.diff(steps) > 0)


def test_three_classes_on_two_inputs_show_three_regions(user, csv_import, tmp_path):
    """A CSV of three classes on two inputs, trained with cross-entropy: the output shows the plane
    in three class colours with a legend of three classes counted from 1, not a confusion matrix."""
    from nnviz.gui.panels.output import CLASS_COLORS

    window = user.window
    csv_import(_three_classes_csv(tmp_path / "three.csv"))
    if user.text("Loss") != "cross_entropy":
        user.choose("Loss", "cross_entropy")
    user.train(300)

    output = window.output
    assert output.mode == "regions"
    assert [label.text for _, label in output.legend.items] == [
        "class 1 (target 0)", "class 2 (target 1)", "class 3 (target 2)"]
    # the key sits in a band above the plane, clear of every point
    key = output.plot.getViewBox().mapSceneToView(output.legend.sceneBoundingRect()).boundingRect()
    assert min(key.top(), key.bottom()) > window.latest.grid_extent[3]
    snap = window.latest
    assert set(np.unique(snap.surface_classes)) == {0, 1, 2}
    image = output.surface_item.image
    for c in range(3):  # the surest point of each class's region wears that class's colour
        where = np.unravel_index(np.argmax(np.where(snap.surface_classes == c, snap.surface_confidence, -1)),
                                 image.shape[:2])
        hue = QtGui.QColor(*image[where].astype(int).tolist()).hue()
        assert abs(hue - QtGui.QColor(CLASS_COLORS[c]).hue()) <= 12, c


def _train_ten_classes_and_save(user, csv_import, tmp_path):
    """Import ten classes, train, save in a folder of its own: returns the model file."""
    csv_import(_ten_classes_csv(tmp_path / "digits.csv"))
    user.train(40)
    path = tmp_path / "models" / "digits-model.json"
    path.parent.mkdir()
    with user.qtbot.waitSignal(user.window.session.saved):
        user.window.save_to(path)
    return path


def test_a_model_trained_on_a_csv_reopens_on_that_csv(user, csv_import, tmp_path):
    """Import ten classes, train, Save, New, Open: the same rows, the same curve and step, the model
    as trained (10 softmax outputs), and no note about fitting it to other data."""
    window = user.window
    path = _train_ten_classes_and_save(user, csv_import, tmp_path)
    before = window.latest
    user.trigger("New")
    assert window.latest.data_name == "Circle" and window.latest.step == 0

    assert window.open_path(path)
    user.settle()
    after = window.latest
    assert after.data_name == "digits" and after.step == before.step
    np.testing.assert_array_equal(after.raw_train[0], before.raw_train[0])
    np.testing.assert_array_equal(after.history["step"], before.history["step"])
    np.testing.assert_array_equal(after.history["loss"], before.history["loss"])
    assert after.train_loss == before.train_loss
    assert (user.text("Loss"), user.text("Output units")) == ("cross_entropy", "10")
    assert "set to" not in user.status() and f"step {before.step}" in user.status()


def test_a_model_whose_csv_was_moved_says_so_and_changes_nothing(user, csv_import, tmp_path):
    window = user.window
    path = _train_ten_classes_and_save(user, csv_import, tmp_path)
    (tmp_path / "digits.csv").rename(tmp_path / "moved.csv")
    user.trigger("New")
    user.train(10)
    step = user.step()

    assert not window.open_path(path)
    user.settle()
    message = user.message()
    assert "digits.csv: no such file" in message and "\n" not in message
    assert message in user.status()
    assert window.path is None and window.latest.data_name == "Circle" and user.step() == step


def test_the_divergence_message_is_gone_once_the_run_is_recovered(user):
    diverge(user)
    assert "diverged" in user.status()
    user.dismiss_message()
    user.type("Learning rate", "0.03")
    user.trigger("Reset")
    assert "diverged" not in user.status()
    user.train(20)
    assert "diverged" not in user.status() and not user.window.latest.diverged


def test_the_plane_note_is_gone_after_switching_to_circle(user):
    user.choose("Data set", "plane")
    assert "plane is a regression data set" in user.status()
    user.choose("Data set", "circle")
    status = user.status()
    assert "plane" not in status
    assert "circle is a binary classification data set: loss set to bce" in status  # circle's own note


def test_a_note_is_gone_after_the_next_change_that_has_none(user):
    user.choose("Data set", "plane")
    assert "plane is a regression data set" in user.status()
    user.type("Learning rate", "0.01")
    assert "regression" not in user.status() and "step 0" in user.status()


# --- One way to count, the quiz, substituted digits ----------------------------------------------------------------
# User paths: one way to count, substituted lines a learner can redo by hand, and a quiz that does
# not give its answers away. A person opens a lesson from the Examples menu (or turns Step through on
# from the toolbar), walks the step with the Right arrow and reads what the stepper shows.


COUNTED_FROM_ZERO = re.compile(r"\b(?:unit|class|layer|sample|row|input|output|neuron)\s+0\b|\[0[\],]|layers\[",
                               re.IGNORECASE)


def shown_texts(window) -> list[str]:
    """What the stepper shows: heading, position, calculation, table headers and cells, sample choices."""
    stepper, panel = window.stepper, window.stepper.calculation
    table = panel.table
    texts = [panel.heading.text(), stepper.position.text(), panel.shown_text(), panel.table_note.text(),
             stepper.answer_label.text()]
    texts += [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    texts += [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    texts += [stepper.sample_box.itemText(i) for i in range(stepper.sample_box.count())]
    return texts


def unreproducible_lines(window) -> list[str]:
    """The substituted lines on screen whose right-hand side, redone from the digits shown, does
    not give the result shown."""
    precision = window.stepper.calculation.precision
    wrong = []
    for line in window.stepper.calculation.shown_text().splitlines():
        *_, rhs, result = line.split(" = ") if line.count(" = ") >= 2 else ("", "", "")
        value = evaluate(rhs) if rhs else None
        if value is None or evaluate(result) is None:
            continue  # a formula in symbols, a vector, or a result still to answer ("?")
        if format_value(value, precision) != result:
            wrong.append(line)
    return wrong


def walk_every_operation(user) -> int:
    """Press the Right arrow until the last operation of the step; check each one on the way.
    Returns how many substituted lines were redone by hand."""
    window, stepper = user.window, user.window.stepper
    seen, redone = 0, 0
    while True:
        offenders = [t for t in shown_texts(window) if COUNTED_FROM_ZERO.search(t)]
        assert not offenders, f"operation {stepper.index + 1}: {offenders}"
        assert not unreproducible_lines(window), unreproducible_lines(window)
        redone += sum(1 for line in stepper.calculation.shown_text().splitlines() if line.count(" = ") >= 2)
        seen += 1
        if stepper.index == len(stepper.walkthrough) - 1:
            break
        before = stepper.index
        user.press(Qt.Key.Key_Right, on=window.graph, settle=False)
        user.qtbot.waitUntil(lambda: stepper.index == before + 1, timeout=3000)
    assert seen == len(stepper.walkthrough)
    return redone


def open_lesson(user, name: str):
    window = user.window
    with user.qtbot.waitSignal(window.session.walk_ready, timeout=5000):
        user.trigger(name, settle=False)
    user.qtbot.waitUntil(lambda: window.stepper.walkthrough is not None and window.stepper.index == 0)
    assert user.action("Step through").isChecked()  # a lesson opens in step-through mode
    return window.stepper


def test_a_lesson_walked_with_the_right_arrow_counts_from_1_and_its_lines_redo_by_hand(user):
    open_lesson(user, "2-2-1 network, worked example")
    assert walk_every_operation(user) > 10


def test_the_softmax_lesson_says_class_1_for_target_0(user):
    stepper = open_lesson(user, "Softmax and cross-entropy, three classes")
    walk_every_operation(user)
    loss = next(i for i, op in enumerate(stepper.walkthrough.operations) if op.kind == "loss")
    stepper.go(loss)
    text = stepper.calculation.shown_text()
    assert "The target is class 1 (target 0)" in text and "target 0 is class 1" in text
    table = stepper.calculation.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    targets = [table.item(r, headers.index("target")).text() for r in range(3)]
    assert targets == ["0", "1", "2"]  # class indices as whole numbers, not 0.0/1.0/2.0


def test_step_through_from_the_toolbar_on_the_default_network(user):
    window = user.window
    with user.qtbot.waitSignal(window.session.walk_ready, timeout=10000):
        user.action("Step through").trigger()
    user.qtbot.waitUntil(lambda: window.stepper.walkthrough is not None)
    assert walk_every_operation(user) > 10


def test_hovering_an_output_neuron_says_which_gradient_is_a_mean_and_which_a_sum(user, qtbot):
    """Hover the output neuron in the network graph: dL/dz is labelled a mean over the probe rows and
    dL/db their sum, and the two numbers agree as labelled."""
    user.train(20)
    graph, snap = user.window.graph, user.window.latest
    column = len(snap.layers)
    x, y = graph.node_positions(column)[0]
    target = graph.view_to_widget(QtCore.QPointF(float(x), float(y)))
    qtbot.mouseMove(graph.graphics_view.viewport(), target + QtCore.QPoint(40, 40))
    qtbot.mouseMove(graph.graphics_view.viewport(), target)
    qtbot.waitUntil(lambda: graph.hover_text() != "", timeout=3000)
    text = graph.hover_text()
    rows = snap.layers[-1].a.shape[0]
    assert f"(mean over the {rows} probe rows" in text and f"(sum over the {rows} probe rows" in text
    dz = float(re.search(r"dL/dz = (\S+)", text).group(1))
    db = float(re.search(r"dL/db = (\S+)", text).group(1))
    assert db == pytest.approx(rows * dz, rel=1e-2)


def test_neuron_by_neuron_quiz_hides_each_unit_until_it_is_asked(user):
    stepper = open_lesson(user, "2-2-1 network, worked example")
    user.check("Neuron by neuron", settle=False)
    user.qtbot.waitUntil(lambda: stepper.walkthrough is not None and stepper.walkthrough.neurons)
    user.check("Quiz", settle=False)
    stepper.go(0)
    z = stepper.walkthrough.trace.layers[0].z[0]  # z1 = [0.5, -0.15]
    table = stepper.calculation.table

    def cells() -> list[str]:
        return [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
                if table.item(r, c) is not None]

    def z_column() -> list[str]:
        column = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("z1")
        return [table.item(r, column).text() for r in (1, 2)]

    assert stepper.answer_label.text() == "Your value of z1[1]:"
    assert z_column() == ["?", "?"] and format_value(z[1]) not in cells()
    assert "= ?" in stepper.calculation.shown_text()
    user.qtbot.keyClicks(stepper.answer, format_value(z[0]))
    user.qtbot.keyClick(stepper.answer, Qt.Key.Key_Return)
    assert stepper.feedback.text().startswith("Right")
    # z1[1] is answered; z1[2] is the next question: the table must not show it yet
    assert z_column() == [format_value(z[0]), "?"]
    assert format_value(z[1]) not in cells()
    user.press(Qt.Key.Key_Right, on=user.window.graph, settle=False)
    user.qtbot.waitUntil(lambda: stepper.answer_label.text() == "Your value of z1[2]:", timeout=3000)
    assert z_column() == [format_value(z[0]), "?"] and "= ?" in stepper.calculation.shown_text()
    stepper.reveal()  # "Show me"
    assert z_column() == [format_value(z[0]), format_value(z[1])]
    assert np.isclose(float(z_column()[1]), z[1])


def _answer(user, stepper, value: str) -> None:
    """Type an answer in "Your answer:" and press Enter; it must be right."""
    user.qtbot.keyClicks(stepper.answer, value)
    user.qtbot.keyClick(stepper.answer, Qt.Key.Key_Return)
    assert stepper.feedback.text().startswith("Right"), stepper.feedback.text()


def test_switching_neuron_by_neuron_off_mid_quiz_keeps_unasked_answers_hidden(user):
    """Answer z1[1], z1[2], a1[1], a1[2] neuron by neuron, then untick Neuron by neuron: the quiz goes
    on at z2, still hidden, and what was answered stays answered; tick it again: nothing is asked twice."""
    stepper = open_lesson(user, "2-2-1 network, worked example")
    user.check("Neuron by neuron", settle=False)
    user.qtbot.waitUntil(lambda: stepper.walkthrough is not None and stepper.walkthrough.neurons)
    user.check("Quiz", settle=False)
    stepper.go(0)
    for label, value in (("z1[1]", "0.5"), ("z1[2]", "-0.15"), ("a1[1]", "0.5"), ("a1[2]", "0")):
        assert stepper.answer_label.text() == f"Your value of {label}:"
        _answer(user, stepper, value)
        user.press(Qt.Key.Key_Right, on=user.window.graph, settle=False)
    assert stepper.answer_label.text() == "Your value of z2:"  # one output unit

    user.check("Neuron by neuron", on=False, settle=False)
    user.qtbot.waitUntil(lambda: stepper.walkthrough is not None and not stepper.walkthrough.neurons)
    assert stepper.answer_label.text() == "Your value of z2:" and stepper.answer.isEnabled()
    assert "0.4" not in stepper.calculation.shown_text()  # z2 = 0.4, not asked yet
    stepper.go(0)  # back to z1: answered before, so shown, not asked again
    assert not stepper.answer.isEnabled() and "0.5" in stepper.calculation.shown_text()

    user.check("Neuron by neuron", settle=False)
    user.qtbot.waitUntil(lambda: stepper.walkthrough is not None and stepper.walkthrough.neurons)
    for _ in range(4):  # z1[1] … a1[2]: all answered
        assert not stepper.answer.isEnabled()
        stepper.go(stepper.index + 1)
    assert stepper.answer_label.text() == "Your value of z2:" and stepper.answer.isEnabled()


# -- issue 13: live means smooth ----------------------------------------------------------------------
def test_the_speed_is_steps_per_second_and_the_default_is_300(user, qtbot):
    """Steps / second offers 1 … 10,000 and max; the app opens at 300, and at 1 step a second a
    person sees each step come one at a time."""
    assert user.control("Steps / second").currentText() == "300"
    user.choose("Steps / second", "1")
    user.train(1)
    assert user.step() <= 3  # one step a second, not 300


def test_training_runs_in_its_own_process_and_closing_the_window_ends_it(user, qtbot):
    pid = user.window.session.child_pid
    assert pid is not None and pid != os.getpid()
    user.choose("Steps / second", "max")
    user.trigger("Play", settle=False)
    qtbot.waitUntil(lambda: user.step() > 500, timeout=10000)
    user.window.close()
    qtbot.waitUntil(lambda: not user.window.session.is_running(), timeout=1000)


def test_a_perceptron_whose_weights_overflow_pauses_and_will_not_save_them(user, tmp_path):
    """The perceptron with learning rate 1e308: its loss stays finite (a step's output is 0 or 1)
    while its weights overflow. Training pauses and says what went wrong; Save refuses in one line
    and writes nothing; Reset brings it back."""
    open_lesson(user, "Perceptron learns AND")
    user.type("Learning rate", "1e308")
    user.train(200)
    message = user.message()
    assert "Training diverged" in message and "the parameters are no longer finite" in message
    assert user.step() < 200 and user.window.latest.diverged
    user.dismiss_message()
    path = tmp_path / "overflowed.json"
    with user.qtbot.waitSignal(user.window.session.failed, timeout=5000) as failed:
        user.window.save_to(path)
    assert "NaN or infinite" in failed.args[0] and "\n" not in failed.args[0]
    assert not path.exists() and list(tmp_path.iterdir()) == []
    user.trigger("Reset")
    assert user.step() == 0 and not user.window.latest.diverged
