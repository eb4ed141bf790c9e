"""A learner's paths through problem types, driven through the window as a person does: switch data
sets, pick losses, train XOR. What they see is what is asserted (status bar, controls, panel titles)."""

from __future__ import annotations

import math
import re

import pytest

from nnviz.core.datasets import DATASETS
from nnviz.core.losses import LOSSES

REGRESSION = [name for name, spec in DATASETS.items() if spec.kind == "regression"]


def _figure(status: str, name: str) -> float:
    """The number after ``name`` in the status bar (``train loss 0.1234``)."""
    found = re.search(rf"{name} (\S+)", status)
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
    assert "plane's run from" in user.message()
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
