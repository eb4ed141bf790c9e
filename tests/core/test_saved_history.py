"""The loss history saved with a model: written thinned, validated on reading, shown again and
continued after loading; and what a snapshot carries for the views (the data's name, the run, the
classes over the plane, the gradient check)."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core import ModelError, load_model
from nnviz.core.data import Dataset
from nnviz.core.document import dumps, read_history
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.gradcheck import gradient_check
from nnviz.core.history import EVALUATION_COLUMNS, SAVED_POINTS, STEP_COLUMNS, saved_history, thinned


def _trained(steps: int = 120, every: int = 10) -> Experiment:
    exp = Experiment()
    exp.run_evaluated(steps, every)
    return exp


def _reopened(doc: dict) -> Experiment:
    """A new experiment that loads ``doc`` as it would come back from a file."""
    other = Experiment()
    other.load_document(json.loads(dumps(doc)))
    return other


def test_thinned_keeps_the_ends_and_at_most_the_limit_evenly():
    assert thinned(5, 10).tolist() == [0, 1, 2, 3, 4]
    rows = thinned(10_001, 11)
    assert rows.tolist() == list(range(0, 10_001, 1000))
    many = thinned(123_457)
    assert many.size == SAVED_POINTS and many[0] == 0 and many[-1] == 123_456
    assert np.all(np.diff(many) > 0)


def test_saved_history_writes_plain_numbers_missing_values_as_null():
    columns = {name: [] for name in STEP_COLUMNS}
    columns.update(step=np.array([1, 2]), epoch=[0.1, 0.2], lr=[0.5, 0.5], loss=[0.3, math.nan],
                   grad_norm=[1.0, 2.0])
    columns.update(eval_step=np.array([2.0]), train_loss=[0.25], test_loss=[math.nan], train_accuracy=[0.5],
                   test_accuracy=[math.nan])
    entry = saved_history(columns)
    assert entry["step"] == [1, 2] and all(type(s) is int for s in entry["step"] + entry["eval_step"])
    assert entry["loss"] == [0.3, None] and entry["test_loss"] == [None]
    json.dumps(entry, allow_nan=False)  # valid JSON as it is


def test_saved_model_shows_the_same_history_and_training_continues_it():
    exp = _trained()
    doc = exp.to_document()
    assert set(doc["history"]) == set(STEP_COLUMNS + EVALUATION_COLUMNS)
    before = exp.snapshot().history
    other = _reopened(doc)
    after = other.snapshot().history
    for key in before:
        np.testing.assert_array_equal(after[key], before[key], err_msg=key)
    assert other.step == exp.step == 120

    exp.run_evaluated(30, 10)
    other.run_evaluated(30, 10)
    np.testing.assert_array_equal(other.net.flat_params, exp.net.flat_params)  # resume stays exact
    for key, values in exp.snapshot().history.items():
        np.testing.assert_array_equal(other.snapshot().history[key], values, err_msg=key)
    assert other.trainer.history["epoch"][-1] == exp.trainer.history["epoch"][-1]


def test_a_long_history_is_saved_thinned_to_the_limit():
    exp = Experiment()
    exp.run(SAVED_POINTS * 2 + 1)
    doc = exp.to_document()
    steps = doc["history"]["step"]
    assert len(steps) == SAVED_POINTS and steps[0] == 1 and steps[-1] == exp.step
    other = _reopened(doc)
    assert other.snapshot().history["step"].tolist() == steps
    other.run(5)
    assert other.snapshot().history["step"][-1] == exp.step + 5


def test_an_untrained_model_saves_no_history_and_a_new_run_starts_none():
    assert "history" not in Experiment().to_document()
    exp = _trained()
    exp.reset()
    assert "history" not in exp.to_document()


def test_a_document_without_history_loads_an_empty_one():
    doc = _trained().to_document()
    del doc["history"]
    other = _reopened(doc)
    assert other.snapshot().history["loss"].size == 0 and other.step == 120


@pytest.mark.parametrize("change, message", [
    (lambda h: "not a history", "history: expected an object of columns"),
    (lambda h: {**h, "losses": []}, "history.losses: unknown history column (did you mean 'loss'?)"),
    (lambda h: {k: v for k, v in h.items() if k != "lr"}, "history.lr: missing"),
    (lambda h: {**h, "loss": h["loss"][:-1]}, "history.loss: 119 values, but history.step has 120"),
    (lambda h: {**h, "loss": ["x", *h["loss"][1:]]}, "history.loss[0]: expected a finite number, got 'x'"),
    (lambda h: {**h, "step": [2, *h["step"][1:]]}, "history.step[1]: 2 does not come after 2"),
    (lambda h: {**h, "eval_step": [-1, *h["eval_step"][1:]]}, "history.eval_step[0]: expected a whole number >= 0"),
    (lambda h: {**h, "train_accuracy": [1.5, *h["train_accuracy"][1:]]}, "history.train_accuracy[0]: must lie in"),
    (lambda h: {**h, "epoch": [None, *h["epoch"][1:]]}, "history.epoch[0]: expected a finite number, got None"),
])
def test_a_bad_history_is_refused_in_one_line_naming_the_field(change, message):
    doc = _trained().to_document()
    doc["history"] = change(doc["history"])
    with pytest.raises(ModelError) as info:
        load_model(json.loads(json.dumps(doc)))
    assert message in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ModelError):  # and the experiment is left as it was
        exp = Experiment()
        exp.load_document(doc)


def test_one_kind_of_history_may_be_left_out():
    doc = _trained().to_document()
    for name in EVALUATION_COLUMNS:
        del doc["history"][name]
    saved = read_history(doc)
    assert saved["eval_step"].size == 0 and saved["loss"].size == 120


def test_snapshot_names_the_data_and_numbers_the_run():
    exp = Experiment()
    first = exp.snapshot()
    assert first.data_name == "Circle" and exp.snapshot().run == first.run
    exp.run(3)
    assert exp.snapshot().run == first.run  # the same run, trained on
    exp.reset()
    assert exp.snapshot().run != first.run
    rows = Dataset(np.zeros((6, 2)) + np.arange(6)[:, None], np.arange(6.0) % 2, "points", "classification",
                   ("a", "b"), ("label",))
    exp.set_data(replace(DataConfig(), imported=rows, dataset="points"))
    assert exp.snapshot().data_name == "points"


def _three_classes(activation: str) -> Experiment:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 30)
    X = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])[labels] + rng.normal(scale=0.5, size=(90, 2))
    doc = {**default_document(), "loss": "cross_entropy"}
    doc["layers"][-1] = {"type": "dense", "units": 3, "activation": activation}
    exp = Experiment(doc, DataConfig(imported=Dataset(X, labels.astype(float), "blobs", "classification",
                                                      ("a", "b"), ("label",)), batch_size=None))
    exp.run(300)
    return exp


@pytest.mark.parametrize("activation", ["softmax", "identity"])
def test_three_classes_on_a_plane_give_the_class_and_its_probability_everywhere(activation):
    """The class is the arg-max of the outputs; its probability the output itself under a softmax,
    else the softmax of the outputs (as cross-entropy reads them)."""
    exp = _three_classes(activation)
    snap = exp.snapshot()
    outputs = exp.net.predict(exp._surface)
    if activation != "softmax":
        outputs = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        outputs /= outputs.sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(snap.surface_classes.ravel(), outputs.argmax(axis=1))
    np.testing.assert_allclose(snap.surface_confidence.ravel(), outputs.max(axis=1))
    assert set(np.unique(snap.surface_classes)) == {0, 1, 2}
    assert Experiment().snapshot().surface_classes is None  # one output: the binary surface only


def test_the_snapshots_gradient_check_is_the_models_on_its_first_batch():
    exp = _trained(30)
    snap = exp.snapshot()
    job = snap.gradient_check
    assert job.runnable and job.note == "on the first 10 training rows"
    params = exp.net.flat_params.copy()
    checks = job.run(snap.params)
    np.testing.assert_array_equal(exp.net.flat_params, params)  # on a network of its own
    expected = gradient_check(exp.net.copy(), exp.X[:10], exp.y[:10], eps=job.eps)
    assert [c.name for c in checks] == [c.name for c in expected]
    for mine, theirs in zip(checks, expected):
        np.testing.assert_array_equal(mine.analytic, theirs.analytic)
    assert sum(c.size for c in checks) == 25


def test_a_gradient_check_that_cannot_run_says_why():
    big = {**default_document(), "layers": [{"type": "dense", "units": 3000, "activation": "tanh"},
                                            {"type": "dense", "units": 1, "activation": "sigmoid"}]}
    job = Experiment(big).snapshot().gradient_check
    assert not job.runnable and job.note.startswith("Not checked: 12,001 parameters")
    perceptron = {**default_document(), "optimizer": {"name": "perceptron", "lr": 1.0}, "loss": "mse",
                  "layers": [{"type": "dense", "units": 1, "activation": "step"}]}
    job = Experiment(perceptron).snapshot().gradient_check
    assert not job.runnable and "uses no gradient" in job.note
