"""The built-in digits in the window, and input scaling from the Data section (issue 17): the digits come
with their pictures scaled to [0, 1]; the drawing pad predicts as Network.predict does on the picture
scaled so; the confusion matrix numbers the classes 0-9, as the gallery does; large inputs get a one-click
offer to scale them, after which the ReLUs they killed live again; a loss change after a data-set change
keeps training."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PySide6 import QtWidgets
from test_drawing_panel import draw_digit

from nnviz.core.datasets import make_dataset

from pictures import saved_net, wrong_by_confidence

RELU_DOC = {"format": "nnviz.model/1", "inputs": 64,
            "layers": [{"type": "dense", "units": 32, "activation": "relu"},
                       {"type": "dense", "units": 10, "activation": "softmax"}],
            "loss": "cross_entropy", "optimizer": {"name": "sgd", "lr": 0.03}, "seed": 0}


def bytes_csv(path, n: int = 600):
    """The first ``n`` UCI digits as 0-255 bytes in a CSV file (as MNIST-like files give pixels)."""
    d = make_dataset("digits")
    X = np.round(d.X[:n] * 255 / 16).astype(int)
    lines = [",".join([f"px{i}" for i in range(64)] + ["digit"])]
    lines += [",".join(map(str, row)) + f",{int(t)}" for row, t in zip(X, d.y[:n, 0])]
    path.write_text("\n".join(lines) + "\n")
    return path


def offer_shown(user) -> bool:
    return user.control("Scale to [0, 1]", QtWidgets.QPushButton).isVisible()


@pytest.fixture
def digits_user(user):
    user.choose("Data set", "digits")
    user.settle()
    return user


def test_digits_come_scaled_to_0_1_with_their_pictures(digits_user):
    user = digits_user
    window = user.window
    combo = user.control("Input scaling", QtWidgets.QComboBox)
    assert combo.currentData() == "minmax" and combo.currentText() == "[0, 1] (min-max)"
    assert not offer_shown(user)  # the digits reach 16, but they are scaled
    snap = window.latest
    assert snap.input_names[:2] == ("x1", "x2") and len(snap.input_names) == 64
    assert snap.images.runnable and snap.images.side == 8 and snap.images.scaling.name == "minmax"
    assert len(snap.raw_train[0]) + len(snap.raw_test[0]) == 1797
    user.choose("Input scaling", "none")
    assert offer_shown(user)
    assert user.window.controls.data_section.scaling_offer_label.text().startswith("Inputs reach 16:")
    assert window.latest.images.scaling.name == "none"


def test_the_pad_predicts_what_the_network_predicts_on_the_drawing_scaled(digits_user, tmp_path):
    user = digits_user
    window = user.window
    user.train(150)
    window.docks["drawing"].show()
    window.docks["drawing"].raise_()
    pad = window.drawing
    user.qtbot.waitUntil(lambda: pad.isVisible() and pad.snapshot is not None)
    user.settle()
    draw_digit(user.qtbot, pad.canvas, 7)
    user.qtbot.waitUntil(lambda: not pad.prediction_pending())
    net = saved_net(user, tmp_path / "model.json")
    picture = pad.picture()
    lo, hi = window.latest.raw_train[0].min(), window.latest.raw_train[0].max()
    assert (lo, hi) == (0.0, 16.0)
    expected = net.predict((picture.reshape(1, -1) - lo) / (hi - lo))[0]
    assert np.allclose(pad.shown_values(), expected, rtol=0, atol=1e-12)


def test_the_confusion_matrix_and_the_gallery_name_the_digits_alike(digits_user, tmp_path):
    user = digits_user
    window = user.window
    user.train(60)
    window.docks["output"].raise_()
    user.qtbot.waitUntil(lambda: window.output.isVisible())
    user.settle()
    output = window.output
    user.qtbot.waitUntil(lambda: output.mode == "confusion")
    ticks = [text for _, text in output.plot.getAxis("bottom")._tickLevels[0]]
    assert ticks == [str(d) for d in range(10)]
    window.docks["mistakes"].raise_()
    user.qtbot.waitUntil(lambda: window.mistakes.isVisible() and not window.mistakes.stale)
    user.settle()
    net = saved_net(user, tmp_path / "model.json")
    X, y = window.latest.raw_test
    rows, predicted, true, _ = wrong_by_confidence(net, X / 16.0, y)
    table = window.mistakes.export_table()[1]
    shown = len(table)
    assert shown > 0 and [r[1] for r in table] == rows[:shown].tolist()
    assert [r[2] for r in table] == true[:shown].tolist() and [r[3] for r in table] == predicted[:shown].tolist()
    assert set(true) <= set(range(10))


def test_large_inputs_get_the_offer_and_one_click_revives_the_relus(user, tmp_path):
    window = user.window
    csv = bytes_csv(tmp_path / "bytes.csv")
    (tmp_path / "bytes.json").write_text(json.dumps(
        dict(RELU_DOC, data={"dataset": "bytes.csv", "test_fraction": 0.5, "batch_size": 10})))
    assert window.open_path(tmp_path / "bytes.json") and csv.exists()
    user.settle()
    assert user.control("Input scaling", QtWidgets.QComboBox).currentData() == "none"
    assert offer_shown(user)
    assert "255" in window.controls.data_section.scaling_offer_label.text()
    user.train(200)
    assert window.latest.health[0].dead > 0.8  # raw bytes kill the ReLUs
    user.click("Scale to [0, 1]")
    assert user.control("Input scaling", QtWidgets.QComboBox).currentData() == "minmax"
    assert not offer_shown(user)
    assert window.latest.images.scaling.name == "minmax" and window.latest.step == 0  # the run starts again
    user.train(200)
    assert window.latest.health[0].dead < 0.3
    X = window.latest.raw_train[0]
    assert window.latest.images.scaling.divisor == X.max() - X.min() == 255.0


def test_changing_the_data_set_then_the_loss_keeps_training(user):
    user.train(5)
    user.choose("Data set", "digits")
    user.choose("Loss", "mse")
    user.train(20)
    snap = user.window.latest
    assert snap.step >= 20 and math.isfinite(snap.train_loss) and not snap.diverged
    user.choose("Loss", "cross_entropy")
    user.train(20)
    assert math.isfinite(user.window.latest.train_loss) and user.window.latest.images.runnable


def test_the_examples_menu_opens_the_digits_example(user):
    user.trigger("Handwritten digits")
    snap = user.window.latest
    assert snap.data_name == "Digits (8 × 8)" and snap.images.side == 8 and snap.images.scaling.name == "minmax"
    assert user.control("Input scaling", QtWidgets.QComboBox).currentData() == "minmax"
    assert [layer.units for layer in snap.layers] == [32, 10]
