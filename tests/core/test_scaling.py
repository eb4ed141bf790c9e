"""The built-in digits and input scaling (issue 17): the shipped UCI digits as they are, the scaling's
numbers taken from the training rows only, applied alike to training, test and a drawn picture, kept
by a saved model, and the done-when run: 64-32-10 reaches 95 % test accuracy in 1,500 steps of 32."""

from __future__ import annotations

import json
import tomllib
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz.core import load_model
from nnviz.core.data import Dataset
from nnviz.core.dataconfig import DataConfig
from nnviz.core.datasets import DATASETS, make_dataset
from nnviz.core.document import build_network
from nnviz.core.errors import DataError, ModelError
from nnviz.core.examples import list_examples, load_example
from nnviz.core.experiment import Experiment
from nnviz.core.images import predict
from nnviz.core.scaling import fit_scaling, scaling_from_meta, scaling_to_meta

REPO = Path(__file__).resolve().parents[2]
DIGITS_FILE = REPO / "resources" / "datasets" / "digits.npz"
#: pictures of each digit in the UCI set as scikit-learn ships it (its DESCR and load_digits docs)
PER_DIGIT = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def relu_net(hidden: int = 32, lr: float = 0.001, optimizer: str = "adam") -> dict:
    return {"format": "nnviz.model/1", "inputs": 64,
            "layers": [{"type": "dense", "units": hidden, "activation": "relu"},
                       {"type": "dense", "units": 10, "activation": "softmax"}],
            "loss": "cross_entropy", "optimizer": {"name": optimizer, "lr": lr}, "seed": 0}


def byte_rows(n: int = 600, seed: int = 0) -> Dataset:
    """The digits' first ``n`` pictures as 0-255 bytes (as an MNIST-like CSV gives them)."""
    d = make_dataset("digits")
    X = np.round(d.X[:n] * 255 / 16)
    return Dataset(X, d.y[:n], "bytes", "classification", tuple(f"px{i}" for i in range(64)), ("digit",))


# -- the data ---------------------------------------------------------------------------------------
def test_the_shipped_digits_are_the_uci_set_read_without_pickles():
    with zipfile.ZipFile(DIGITS_FILE) as archive:  # an .npz: plain .npy arrays, no pickled objects
        assert sorted(archive.namelist()) == ["images.npy", "labels.npy"]
    with np.load(DIGITS_FILE, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    assert images.dtype == labels.dtype == np.uint8
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == PER_DIGIT
    # the first picture is the UCI set's first zero (scikit-learn's digits.images[0])
    assert images[0][1].tolist() == [0, 0, 13, 15, 10, 15, 5, 0] and labels[0] == 0
    assert DIGITS_FILE.stat().st_size < 100_000
    readme = (DIGITS_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "Alpaydin" in readme and "CC BY 4.0" in readme


def test_the_digits_are_package_data():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "nnviz.resources.datasets" in project["packages"]
    assert "*.npz" in project["package-data"]["nnviz.resources.datasets"]


def test_digits_is_a_ten_class_set_of_8_by_8_pictures_scaled_to_0_1_by_default():
    spec = DATASETS["digits"]
    assert (spec.kind, spec.inputs, spec.classes, spec.default_scaling, spec.fixed) == (
        "multiclass", 64, 10, "minmax", True)
    data = make_dataset("digits", n=5, noise=0.3, seed=9)  # fixed rows: n, noise and seed do not apply
    assert data.X.shape == (1797, 64) and data.n_classes == 10
    assert np.array_equal(data.X, make_dataset("digits").X)
    with np.load(DIGITS_FILE, allow_pickle=False) as archive:
        assert np.array_equal(data.X.reshape(-1, 8, 8), archive["images"])
        assert np.array_equal(data.y[:, 0], archive["labels"])
    assert DataConfig(dataset="digits").scaling_method == "minmax"
    assert DataConfig(dataset="circle").scaling_method == "none"


def test_the_digits_split_is_fixed_by_the_seed():
    a = Experiment(relu_net(), DataConfig(dataset="digits", test_fraction=0.2, seed=0))
    b = Experiment(relu_net(), DataConfig(dataset="digits", test_fraction=0.2, seed=0))
    assert (len(a.raw_train), len(a.raw_test)) == (1438, 359)
    assert np.array_equal(a.raw_test.X, b.raw_test.X)
    assert set(np.unique(a.raw_test.y)) == set(range(10))


# -- the scaling ------------------------------------------------------------------------------------
def test_minmax_and_standard_take_each_columns_numbers_from_the_rows_given():
    X = np.array([[0.0, 10.0, 5.0], [4.0, 30.0, 5.0], [2.0, 20.0, 5.0]])
    m = fit_scaling("minmax", X)
    assert m.apply(X).tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, 0.5, 0.0]]  # a constant column: shifted
    s = fit_scaling("standard", X)
    z = s.apply(X)
    assert np.allclose(z[:, :2].mean(axis=0), 0) and np.allclose(z[:, :2].std(axis=0), 1)
    assert z[:, 2].tolist() == [0.0, 0.0, 0.0]
    picture = fit_scaling("minmax", X, per_column=False)  # one scale for every pixel
    assert (picture.shift, picture.divisor) == (0.0, 30.0)
    assert fit_scaling("none", X).identity and fit_scaling("none", X).apply(X) is not None
    with pytest.raises(DataError, match="scaling: expected one of none, minmax, standard"):
        fit_scaling("zscore", X)


def test_the_scaling_comes_from_the_training_rows_only():
    rows = byte_rows()
    exp = Experiment(relu_net(), DataConfig(imported=rows, test_fraction=0.5, scaling="standard"))
    train, test = exp.raw_train.X, exp.raw_test.X
    scaling = exp.input_scaling()
    assert np.allclose(scaling.shift, train.mean()) and np.allclose(scaling.divisor, train.std())  # one picture
    assert not np.isclose(scaling.shift, np.vstack([train, test]).mean(), rtol=1e-6)
    assert np.allclose(exp.X, (train - train.mean()) / train.std(), rtol=0, atol=1e-12)
    assert np.allclose(exp.X_test, (test - train.mean()) / train.std(), rtol=0, atol=1e-12)
    tabular = Dataset(np.column_stack([train[:, 20], 3 * train[:, 36]]), np.zeros(len(train)), "two", "regression",
                      ("a", "b"), ("y",))
    exp2 = Experiment(None, DataConfig(imported=tabular, test_fraction=0.3, scaling="minmax", features=("x1", "x2")))
    lo, hi = exp2.raw_train.X.min(axis=0), exp2.raw_train.X.max(axis=0)
    assert np.allclose(exp2.input_scaling().shift, lo) and np.allclose(exp2.input_scaling().divisor, hi - lo)
    assert exp2.X.min() == 0.0 and exp2.X.max() == 1.0  # the training rows exactly span [0, 1]


def test_a_drawn_picture_is_scaled_as_the_training_rows_were():
    exp = Experiment(relu_net(), DataConfig(dataset="digits", test_fraction=0.2, batch_size=32))
    exp.run(50)
    snap = exp.snapshot()
    picture = np.zeros((8, 8))
    picture[1:7, 3:5] = 16.0  # a one
    lo, hi = exp.raw_train.X.min(), exp.raw_train.X.max()
    expected = exp.net.predict((picture.reshape(1, -1) - lo) / (hi - lo))
    assert np.array_equal(predict(snap.images, snap.params, picture), expected)
    assert snap.images.scaling.name == "minmax" and snap.images.pixel_range == (0.0, 16.0)


def test_scaling_to_0_1_revives_the_relus_that_raw_bytes_kill():
    doc = relu_net(lr=0.03, optimizer="sgd")
    dead = {}
    for method in ("none", "minmax"):
        exp = Experiment(doc, DataConfig(imported=byte_rows(), batch_size=10, test_fraction=0.5, scaling=method))
        exp.run(200)
        dead[method] = exp.snapshot().health[0].dead
    assert dead["none"] > 0.8 and dead["minmax"] < 0.3, dead


def test_a_saved_model_keeps_its_scaling_and_its_numbers(tmp_path):
    rows = byte_rows()
    exp = Experiment(relu_net(), DataConfig(imported=rows, test_fraction=0.5, scaling="standard"))
    exp.run(20)
    csv = tmp_path / "bytes.csv"
    csv.write_text("\n".join([",".join([*rows.feature_names, "digit"])] + [
        ",".join(f"{v:g}" for v in (*x, t)) for x, t in zip(rows.X, rows.y[:, 0])]) + "\n")
    from nnviz.core.csv_data import load_csv
    exp.set_data(DataConfig(imported=load_csv(csv), test_fraction=0.5, scaling="standard"))
    exp.run(20)
    doc = json.loads(json.dumps(exp.to_document(tmp_path)))
    saved = doc["data"]["scaling"]
    assert saved["method"] == "standard" and np.isclose(saved["shift"], exp.raw_train.X.mean())
    reopened = Experiment(doc, data=None)
    reopened.load_document(doc, tmp_path)
    scaling = reopened.input_scaling()
    assert (scaling.name, scaling.shift, scaling.divisor) == ("standard", saved["shift"], saved["divisor"])
    assert np.array_equal(reopened.net.predict(reopened.X_test), exp.net.predict(exp.X_test))
    # the file changed since (its rows, hence their statistics): the model keeps the numbers it learnt with
    csv.write_text(csv.read_text().replace("\n0,", "\n255,"))
    changed = Experiment(doc, data=None)
    changed.load_document(doc, tmp_path)
    assert changed.input_scaling().shift == saved["shift"]
    assert changed.raw_train.X.mean() != saved["shift"]
    # a new choice of scaling takes the training rows' numbers again
    changed.set_data(replace(changed.data, scaling="minmax"))
    assert changed.input_scaling().name == "minmax" and changed.input_scaling().divisor == 255.0


def test_the_scaling_entry_is_checked_and_read():
    doc = {**relu_net(), "data": {"dataset": "digits", "scaling": {"method": "minmax", "shift": 0, "divisor": 16}}}
    assert build_network(doc).meta["data"]["scaling"]["divisor"] == 16
    bad = [({"method": "zscore"}, "data.scaling.method"), ({"method": "minmax", "shift": 0, "divisor": 0}, "> 0"),
           ({"method": "minmax", "shift": [0, 1], "divisor": 1}, "2 numbers for a model of 64 inputs"),
           ("log", "data.scaling: expected one of none, minmax, standard")]
    for entry, message in bad:
        with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(".", r"\.")):
            build_network({**doc, "data": {"dataset": "digits", "scaling": entry}})
    scaling = fit_scaling("standard", np.arange(12.0).reshape(4, 3))
    back = scaling_from_meta(json.loads(json.dumps(scaling_to_meta(scaling))), 3)
    assert np.array_equal(back.shift, scaling.shift) and np.array_equal(back.divisor, scaling.divisor)
    assert scaling_from_meta("standard") == "standard"


def test_changing_the_data_set_then_the_loss_keeps_working():
    exp = Experiment()  # circle, a tanh net, bce
    exp.run(5)
    exp.set_data(replace(exp.data, dataset="digits"))
    assert exp.net.inputs == 64 and exp.net.outputs == 10 and exp.input_scaling().name == "minmax"
    assert np.isfinite(exp.run(10))
    for loss in ("mse", "cross_entropy", "focal"):
        try:
            exp.set_training(loss=loss)
        except DataError:  # a loss that cannot fit the targets is refused in one line: fine
            continue
        assert np.isfinite(exp.run(10)) and not exp.diverged, loss
        assert exp.snapshot().images.runnable == (exp.net.outputs == 10)
    exp.set_data(replace(exp.data, dataset="circle"))
    assert exp.input_scaling().name == "none" and np.isfinite(exp.run(5))


# -- the done-when run and the example ------------------------------------------------------------
def test_nnviz_train_on_digits_reaches_95_percent_test_accuracy(tmp_path, capsys):
    model = tmp_path / "net.json"
    model.write_text(json.dumps(relu_net()))
    status = cli.main(["train", str(model), "--data", "digits", "--steps", "1500", "--batch-size", "32",
                       "--out", str(tmp_path / "run")])
    assert status == 0
    line = capsys.readouterr().out
    assert "1438 rows, inputs scaled minmax" in line
    trained = json.loads((tmp_path / "run" / "model.json").read_text())
    assert trained["data"]["scaling"] == {"method": "minmax", "shift": 0.0, "divisor": 16.0}
    assert trained["data"]["test_fraction"] == 0.2
    exp = Experiment(trained, fit_model=False)
    assert exp.input_scaling().divisor == 16.0 and len(exp.raw_test) == 359
    out = load_model(str(tmp_path / "run" / "model.json")).predict(exp.raw_test.X / 16.0)
    accuracy = float(np.mean(out.argmax(axis=1) == exp.raw_test.y[:, 0]))
    assert accuracy >= 0.95, accuracy
    assert "test loss" in line and f"accuracy {100 * accuracy:.1f}%" in line.split("test loss")[1]


def test_the_digits_example_opens_on_the_digits_in_0_1():
    assert "digits" in [e.key for e in list_examples()]
    exp = Experiment(load_example("digits"))
    assert exp.data.dataset == "digits" and exp.input_scaling().name == "minmax"
    assert [layer.units for layer in exp.net.layers] == [32, 10] and exp.net.layers[0].activation.name == "relu"
    assert exp.snapshot().images.side == 8
