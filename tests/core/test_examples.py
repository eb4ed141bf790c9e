"""The shipped lesson documents: they load, build, and show what their descriptions promise."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import ModelError, Trainer, load_model
from nnviz.core.errors import DataError
from nnviz.core.examples import EXERCISES, LESSONS, list_examples, load_example
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.network import Network

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["perceptron-accept", "two-two-one", "sigmoid-neuron", "perceptron-and", "perceptron-xor", "symmetry",
        "xor-mlp", "softmax-three-classes", "cross-entropy", "mazur-backprop", "square-fit",
        "exercise-no-activation", "exercise-deep-sigmoid", "exercise-mse-classification", "exercise-naive-softmax",
        "exercise-zero-init", "exercise-fewest-units", "exercise-learning-rate", "circle", "digits"]
#: the lessons with their own rows (the others train on a built-in data set)
INLINE = [key for key in LESSONS if key != "square-fit"]


def _experiment(key: str) -> Experiment:
    exp = Experiment()
    exp.load_document(load_example(key))
    return exp


# -- the collection --------------------------------------------------------------------------------
def test_list_examples_finds_every_document_lessons_first():
    examples = list_examples()
    assert [e.key for e in examples] == KEYS
    assert tuple(KEYS[:len(LESSONS)]) == LESSONS and tuple(KEYS[len(LESSONS):-2]) == EXERCISES
    on_disk = sorted(p.stem for p in (ROOT / "resources" / "examples").glob("*.json"))
    assert sorted(e.key for e in examples) == on_disk
    for example in examples:
        doc = load_example(example.key)
        assert isinstance(load_model(doc), Network)
        assert example.name == doc["name"] and example.description == doc["description"]
        if example.key in LESSONS:
            sentences = len(re.findall(r"[.!?](\s|$)", example.description))
            assert 2 <= sentences <= 4, (example.key, sentences)
            raw = json.loads((ROOT / "resources" / "examples" / f"{example.key}.json").read_text(encoding="utf-8"))
            assert ("inputs" in doc["data"]) == (example.key in INLINE)
            assert "batch_size" in raw["data"]  # said, even if null (full batch)


def test_load_example_returns_a_fresh_validated_document():
    doc = load_example("xor-mlp")
    doc["layers"].clear()
    assert len(load_example("xor-mlp")["layers"]) == 2
    with pytest.raises(ModelError, match=r"unknown example 'nope' \(examples: perceptron-accept, two-two-one, "
                                         r".*circle, digits\)"):
        load_example("nope")


@pytest.mark.parametrize("key", KEYS)
def test_every_example_opens_in_the_experiment_and_draws(key):
    exp = Experiment(load_example(key))  # the app at start-up with a document
    exp.run(3)
    snap = exp.snapshot()
    if key == "exercise-naive-softmax":  # its point: the naive softmax overflows, the first step diverges
        assert snap.step == 1 and snap.diverged and math.isnan(snap.train_loss)
        return
    assert snap.step == 3 and math.isfinite(snap.train_loss)
    assert snap.model_name == load_example(key)["name"]


def test_the_pyproject_ships_every_package_and_the_examples():
    """The package list is explicit (resources/ is mapped to nnviz.resources): none may be missing."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nnviz").rglob("__init__.py")}
    assert found <= packages
    assert config["package-dir"]["nnviz.resources"] == "resources"
    assert {"nnviz.resources", "nnviz.resources.examples"} <= packages
    assert config["package-data"]["nnviz.resources.examples"] == ["*.json"]


# -- the worked examples ---------------------------------------------------------------------------
def test_two_two_one_first_trace():
    trace = _experiment("two-two-one").trainer.trace()
    hidden, out = trace.layers
    np.testing.assert_allclose(hidden.z, [[0.5, -0.15]], atol=1e-15)
    np.testing.assert_allclose(hidden.a, [[0.5, 0.0]], atol=1e-15)
    np.testing.assert_allclose(out.z, [[0.4]], atol=1e-15)
    assert round(float(out.a[0, 0]), 5) == 0.59869
    assert round(float(out.dz[0, 0]), 3) == -0.401
    # ReLU switched the second hidden unit off: no gradient reaches its weights
    assert np.all(hidden.grads["weight"][1] == 0) and hidden.grads["bias"][1] == 0


def test_sigmoid_neuron_first_trace():
    trace = _experiment("sigmoid-neuron").trainer.trace()
    (layer,) = trace.layers
    assert layer.z[0, 0] == pytest.approx(0.5, abs=1e-15)
    assert round(float(layer.a[0, 0]), 3) == 0.622
    assert round(trace.loss, 3) == 0.474
    assert round(float(layer.dz[0, 0]), 3) == -0.378


def _epoch_errors(exp: Experiment) -> int:
    """Train one epoch sample by sample; the number of rows the perceptron rule corrected."""
    errors = 0
    for _ in range(len(exp.X)):
        exp.run(1)
        errors += exp.net.optimizer.last["errors"]
    return errors


def test_perceptron_learns_and_then_stops_changing():
    exp = _experiment("perceptron-and")
    assert exp.trainer.batch_size == 1 and not exp.trainer.shuffle
    errors = [_epoch_errors(exp) for _ in range(6)]
    assert errors == [1, 3, 3, 2, 1, 0]  # the sixth epoch is error-free, as the description says
    learned = exp.net.flat_params.copy()
    np.testing.assert_array_equal(exp.net.layers[0].weight, [[2.0, 1.0]])
    np.testing.assert_array_equal(exp.net.layers[0].bias, [-2.0])
    for _ in range(10):
        assert _epoch_errors(exp) == 0
    np.testing.assert_array_equal(exp.net.flat_params, learned)
    np.testing.assert_array_equal(exp.net.predict(exp.X), exp.y)


def test_perceptron_never_gets_xor_right():
    exp = _experiment("perceptron-xor")
    errors = [_epoch_errors(exp) for _ in range(50)]
    assert min(errors) >= 1
    assert errors[2:] == [4] * 48  # from the third epoch every row is wrong ...
    np.testing.assert_array_equal(exp.net.layers[0].weight, [[-1.0, 0.0]])  # ... and the weights cycle
    np.testing.assert_array_equal(exp.net.layers[0].bias, [1.0])


def test_symmetric_zero_start_never_breaks_symmetry():
    exp = _experiment("symmetry")
    assert exp.trainer.batch_size is None
    first = exp.net.evaluate(exp.X, exp.y)
    assert first == pytest.approx(math.log(2))
    exp.run(3000)
    hidden = exp.net.layers[0]
    assert np.all(hidden.weight == hidden.weight[0]) and np.all(hidden.bias == hidden.bias[0])
    assert np.abs(hidden.weight).max() > 1  # it trained: the units moved, all alike
    exp.net.forward(exp.X, training=False)
    a = exp.net.layers[0].a
    assert np.all(a == a[:, :1])  # every hidden unit outputs the same for every row
    assert exp.net.evaluate(exp.X, exp.y) < first
    assert exp.accuracy(exp.net.predict(exp.X), exp.y) < 1.0  # one unit's worth cannot do XOR
    # the same network from a random start solves it
    doc = load_example("symmetry")
    for layer in doc["layers"]:
        layer["init"] = "default"
    doc["seed"] = 1
    exp = Experiment()
    exp.load_document(doc)
    exp.run(3000)
    assert exp.accuracy(exp.net.predict(exp.X), exp.y) == 1.0


def test_xor_mlp_is_solved_within_the_steps_its_description_claims():
    exp = _experiment("xor-mlp")
    assert "from step 280" in load_example("xor-mlp")["description"]
    accuracy = []
    for _ in range(400):
        exp.run(1)
        accuracy.append(exp.accuracy(exp.net.predict(exp.X), exp.y))
    assert accuracy.index(1.0) + 1 == 280
    assert all(a == 1.0 for a in accuracy[279:])
    assert exp.net.evaluate(exp.X, exp.y) < 0.1


def test_softmax_outputs_loss_and_fused_gradient():
    exp = _experiment("softmax-three-classes")
    trace = exp.trainer.trace()
    (layer,) = trace.layers
    np.testing.assert_allclose(layer.z[0], [4.0, -2.0, 2.0], atol=1e-15)  # large enough to show the shift
    p = layer.a
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    shifted = np.exp(layer.z - layer.z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p, shifted / shifted.sum(axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(p[0], [0.879, 0.002, 0.119], atol=5e-4)
    onehot = np.eye(3)
    assert trace.loss == pytest.approx(np.mean(-np.log(p[np.arange(3), [0, 1, 2]])), rel=1e-14)
    assert round(trace.loss, 3) == 0.270
    assert trace.fused
    np.testing.assert_allclose(layer.dz, (p - onehot) / 3, rtol=1e-13, atol=1e-16)


# -- lessons in the app's Experiment ---------------------------------------------------------------
@pytest.mark.parametrize("key", INLINE)
def test_load_document_uses_the_lessons_inline_data_and_feeding(key):
    doc = load_example(key)
    exp = Experiment(data=DataConfig(dataset="spiral", features=("x1", "x2", "x1^2"), batch_size=7))
    exp.run(2)
    exp.load_document(doc)
    data = doc["data"]
    np.testing.assert_array_equal(exp.X, np.asarray(data["inputs"], dtype=float))
    np.testing.assert_array_equal(exp.raw_train.X, exp.X)
    assert exp.X_test is None and exp.input_names == ("x1", "x2") and exp.step == 0
    assert exp.data.inline and exp.data.dataset == doc["name"]
    assert exp.data.batch_size == data.get("batch_size") and exp.data.shuffle == data.get("shuffle", True)
    assert exp.trainer.shuffle == data.get("shuffle", True)
    assert exp.trainer.batch_size == (None if data.get("batch_size") in (None, len(exp.X)) else data["batch_size"])
    assert exp.net.to_dict(state=False)["layers"] == load_model(doc).to_dict(state=False)["layers"]


@pytest.mark.parametrize("key", INLINE)
def test_to_document_round_trips_inline_data(key):
    doc = load_example(key)
    exp = _experiment(key)
    exp.run(3)
    saved = exp.to_document()
    entry = {k: v for k, v in doc["data"].items()}
    entry.setdefault("batch_size", None)
    entry.setdefault("shuffle", True)
    assert saved["data"] == entry
    assert saved["name"] == doc["name"] and saved["description"] == doc["description"]
    again = Experiment()
    again.load_document(saved)
    np.testing.assert_array_equal(again.X, exp.X)
    np.testing.assert_array_equal(again.y, exp.y)
    assert again.data.batch_size == exp.data.batch_size and again.data.shuffle == exp.data.shuffle
    exp.run(4)
    again.run(4)
    np.testing.assert_array_equal(again.net.flat_params, exp.net.flat_params)


# -- editing samples -------------------------------------------------------------------------------
def _trainer_on(doc: dict, X, y, batch_size, shuffle) -> Trainer:
    net = load_model({k: v for k, v in doc.items() if k != "data"})
    return Trainer(net, X, y, batch_size=batch_size, shuffle=shuffle)


@pytest.mark.parametrize("key, batch_size, shuffle", [
    ("xor-mlp", None, True),  # full batch: the trainer reads its X itself
    ("perceptron-and", 1, False),  # in order: slices (views) of its X
    ("xor-mlp", 3, True),  # shuffled mini-batches: rows gathered from its X
])
def test_set_sample_changes_what_the_next_steps_read(key, batch_size, shuffle):
    doc = load_example(key)
    doc["data"].update(batch_size=batch_size, shuffle=shuffle)
    exp = Experiment()
    exp.load_document(doc)
    exp.run(2)
    exp.set_sample(1, 0, 0.25)
    exp.set_sample(0, 0, 1.0, target=True)
    X = np.asarray(doc["data"]["inputs"], dtype=float)
    y = np.asarray(doc["data"]["targets"], dtype=float).reshape(-1, 1)
    X[1, 0], y[0, 0] = 0.25, 1.0
    reference = _trainer_on(doc, np.asarray(doc["data"]["inputs"], dtype=float),
                            np.asarray(doc["data"]["targets"], dtype=float).reshape(-1, 1), batch_size, shuffle)
    reference.run(2)
    reference.X[...] = X  # the same edit, made between the same steps
    reference.y[...] = y
    exp.run(6)
    reference.run(6)
    np.testing.assert_array_equal(exp.net.flat_params, reference.net.flat_params)
    np.testing.assert_array_equal(exp.X, X)
    np.testing.assert_array_equal(exp.raw_train.X, X)  # raw rows (the scatter plot) in step
    np.testing.assert_array_equal(exp.raw_train.y, y)
    # edited inline rows are the document's data now: saved, and kept across a data-settings change
    assert exp.to_document()["data"]["inputs"][1][0] == 0.25
    exp.set_data(exp.data)
    np.testing.assert_array_equal(exp.X, X)


def test_set_sample_differs_from_training_on_the_unedited_data():
    exp, plain = _experiment("xor-mlp"), _experiment("xor-mlp")
    exp.set_sample(0, 1, 0.5)
    exp.run(1)
    plain.run(1)
    assert not np.array_equal(exp.net.flat_params, plain.net.flat_params)


@pytest.mark.parametrize("row, column, value, target, message", [
    (0, 0, float("nan"), False, r"^inputs\[0\]\[0\] \(x1\): expected a finite number, got nan$"),
    (2, 1, float("inf"), False, r"^inputs\[2\]\[1\] \(x2\): expected a finite number, got inf$"),
    (0, 1, "abc", False, r"^inputs\[0\]\[1\] \(x2\): expected a finite number, got 'abc'$"),
    (0, 1, "0.5", False, r"^inputs\[0\]\[1\] \(x2\): expected a finite number, got '0.5'$"),
    (0, 0, True, False, r"^inputs\[0\]\[0\] \(x1\): expected a finite number, got True$"),
    (0, 0, 1e300, False, None),  # fine in float64
    (4, 0, 1.0, False, r"^inputs\[4\]\[0\]: no such entry \(the training data have 4 rows and 2 input columns\)$"),
    (-1, 0, 1.0, False, r"^inputs\[-1\]\[0\]: no such entry"),
    (0, 2, 1.0, False, r"^inputs\[0\]\[2\]: no such entry"),
    (0, 1, 1.0, True, r"^targets\[0\]\[1\]: no such entry \(the training data have 4 rows and 1 target column\)$"),
    (1.0, 0, 1.0, False, r"^inputs\[1\.0\]\[0\]: no such entry"),
    (True, 0, 1.0, False, r"^inputs\[True\]\[0\]: no such entry"),
    ("a", 0, 1.0, False, r"^inputs\['a'\]\[0\]: no such entry"),
    (0, 0, float("nan"), True, r"^targets\[0\]\[0\] \(y1\): expected a finite number, got nan$"),
])
def test_set_sample_refuses_bad_entries_and_changes_nothing(row, column, value, target, message):
    exp = _experiment("xor-mlp")
    before = (exp.X.copy(), exp.y.copy(), exp.trainer.X.copy(), exp.raw_train, exp.data)
    if message is None:
        exp.set_sample(row, column, value, target)
        assert exp.X[row, column] == value
        return
    with pytest.raises(DataError, match=message):
        exp.set_sample(row, column, value, target)
    np.testing.assert_array_equal(exp.X, before[0])
    np.testing.assert_array_equal(exp.y, before[1])
    np.testing.assert_array_equal(exp.trainer.X, before[2])
    assert exp.raw_train is before[3] and exp.data is before[4]


def test_set_sample_class_index_under_cross_entropy():
    exp = _experiment("softmax-three-classes")
    exp.set_sample(2, 0, 0, target=True)
    np.testing.assert_array_equal(exp.y[2], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(exp.trainer.y, exp.y)
    assert exp.raw_train.y[:, 0].tolist() == [0.0, 1.0, 0.0]
    assert exp.to_document()["data"]["targets"] == [0, 1, 0]
    for bad in (3, 0.5, -1):
        with pytest.raises(DataError, match=r"^targets\[1\]\[0\] \(y1\): a class index must be a whole number "
                                            r"in 0\.\.2, got"):
            exp.set_sample(1, 0, bad, target=True)
    np.testing.assert_array_equal(exp.y[1], [0.0, 1.0, 0.0])


def test_set_sample_copies_the_rows_published_snapshots_hold():
    exp = _experiment("xor-mlp")
    snap = exp.snapshot()
    raw = snap.raw_train[0].copy()
    exp.set_sample(0, 0, 3.0)
    np.testing.assert_array_equal(snap.raw_train[0], raw)  # the published snapshot is unchanged
    new = exp.snapshot()
    assert new.raw_train[0][0, 0] == 3.0 and new.grid_extent[1] > 3.0  # the plane grows to show it


def test_set_sample_on_expanded_features_edits_the_network_input_only():
    exp = Experiment(data=DataConfig(dataset="xor", features=("x1", "x2", "x1*x2"), batch_size=None,
                                     test_fraction=0.0))
    raw = exp.raw_train.X.copy()
    exp.set_sample(0, 2, 5.0)
    assert exp.X[0, 2] == 5.0 and exp.trainer.X[0, 2] == 5.0
    np.testing.assert_array_equal(exp.raw_train.X, raw)


def test_set_sample_in_float32_edits_the_trainers_copy_too():
    doc = load_example("xor-mlp") | {"dtype": "float32"}
    exp = Experiment()
    exp.load_document(doc)
    exp.set_sample(1, 1, 0.1)
    assert exp.trainer.X.dtype == np.float32 and exp.trainer.X[1, 1] == np.float32(0.1)
    with pytest.raises(DataError, match=r"too large for float32"):
        exp.set_sample(1, 1, 1e300)
