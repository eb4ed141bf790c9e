"""The experiment behind the app: commands between steps and the snapshots the panels draw."""

from dataclasses import replace

import numpy as np
import pytest

from nnviz.core import ModelError, Trainer, load_model
from nnviz.core.errors import CommandError
from nnviz.core.experiment import EVALUATION_ROWS, GRID, PROBE, SURFACE, Experiment, InlineData, default_document


def test_default_experiment_is_a_tanh_net_on_circle():
    exp = Experiment()
    assert exp.data.dataset == "circle" and exp.input_names == ("x1", "x2")
    assert [layer.activation.name for layer in exp.net.layers] == ["tanh", "tanh", "sigmoid"]
    assert len(exp.X) + len(exp.X_test) == 500


def test_steps_match_a_headless_trainer_bit_for_bit():
    exp = Experiment()
    net = load_model(default_document())
    trainer = Trainer(net, exp.X, exp.y, batch_size=10, shuffle=True, seed=0)
    exp.run(25)
    trainer.run(25)
    np.testing.assert_array_equal(exp.net.flat_params, net.flat_params)


def test_snapshot_holds_the_cores_numbers_read_only():
    exp = Experiment()
    exp.run(30)
    snap = exp.snapshot()
    assert snap.step == 30 and snap.history["loss"].size == 30
    assert snap.train_loss == pytest.approx(exp.net.evaluate(exp.X, exp.y), rel=1e-15)
    assert snap.test_loss == pytest.approx(exp.net.evaluate(exp.X_test, exp.y_test), rel=1e-15)
    out = exp.net.predict(exp.X_test)
    assert snap.test_accuracy == np.mean((out > 0.5) == (exp.y_test > 0.5))
    # node maps: one per graph column, each unit's output over the input plane
    assert [m.shape for m in snap.node_maps] == [(2, GRID, GRID), (4, GRID, GRID), (2, GRID, GRID), (1, GRID, GRID)]
    x0, x1, y0, y1 = snap.grid_extent
    corner = exp.net.predict(np.array([[x0, y0]]))[0, 0]
    assert snap.node_maps[-1][0, 0, 0] == pytest.approx(corner, rel=1e-12)
    assert snap.surface.shape == (SURFACE, SURFACE)
    assert snap.surface[-1, -1] == pytest.approx(exp.net.predict(np.array([[x1, y1]]))[0, 0], rel=1e-12)
    # probe activations: the first PROBE training rows in evaluation mode
    a = exp.net.predict(exp.X[:200])
    np.testing.assert_allclose(snap.layers[-1].a, a, rtol=1e-15)
    for array in [snap.surface, *snap.params.values(), snap.layers[0].a, snap.history["loss"]]:
        assert not array.flags.writeable
    assert snap.confusion.sum() == len(exp.X_test)


def test_editing_a_weight_changes_the_next_forward_pass():
    exp = Experiment()
    before = exp.snapshot().layers[0].a.copy()
    exp.set_parameter("layers[0].weight", (0, 0), 3.5)
    assert exp.net.layers[0].weight[0, 0] == 3.5
    assert not np.array_equal(exp.snapshot().layers[0].a, before)
    with pytest.raises(CommandError, match=r"layers\[0\]\.weight\[9, 9\]: no such parameter entry"):
        exp.set_parameter("layers[0].weight", (9, 9), 1.0)
    with pytest.raises(CommandError, match="finite"):
        exp.set_parameter("layers[0].weight", (0, 0), float("nan"))


def test_training_changes_keep_weights_and_optimizer_state():
    exp = Experiment(default_document() | {"optimizer": {"name": "adam", "lr": 0.01}})
    exp.run(10)
    weights = exp.net.flat_params.copy()
    m = exp.net.optimizer.state["exp_avg"].copy()
    exp.set_training(lr=0.05, regularization={"l1": 0.0, "l2": 0.001})
    np.testing.assert_array_equal(exp.net.flat_params, weights)
    np.testing.assert_array_equal(exp.net.optimizer.state["exp_avg"], m)
    assert exp.net.optimizer.lr == 0.05 and exp.net.regularization["l2"] == 0.001
    exp.set_training(optimizer="sgd")
    assert exp.net.optimizer.name == "sgd" and exp.net.optimizer.lr == 0.05
    np.testing.assert_array_equal(exp.net.flat_params, weights)


def test_architecture_change_rebuilds_and_keeps_the_data():
    exp = Experiment()
    X = exp.X.copy()
    exp.run(5)
    exp.set_layers([{"type": "dense", "units": 8, "activation": "relu"}, {"type": "batchnorm"},
                    {"type": "dense", "units": 3, "activation": "sigmoid"}])
    assert [layer.units for layer in exp.net.layers] == [8, 8, 1]  # output fitted to the data
    assert exp.step == 0
    np.testing.assert_array_equal(exp.X, X)
    with pytest.raises(ModelError):
        exp.set_layers([{"type": "dense", "units": 0}, {"type": "dense", "units": 1}])
    assert [layer.units for layer in exp.net.layers] == [8, 8, 1]  # a bad change leaves it as it was


def test_data_change_fits_the_input_width():
    exp = Experiment()
    exp.set_data(replace(exp.data, dataset="spiral", features=("x1", "x2", "x1*x2", "sin x1")))
    assert exp.net.inputs == 4 and exp.X.shape[1] == 4
    np.testing.assert_allclose(exp.X[:, 2], exp.raw_train.X[:, 0] * exp.raw_train.X[:, 1])
    exp.set_data(replace(exp.data, dataset="square"))
    snap = exp.snapshot()
    assert exp.net.inputs == 1 and snap.curve is not None and snap.node_maps is None


def test_reset_restarts_from_the_seed():
    exp = Experiment()
    start = exp.net.flat_params.copy()
    exp.run(20)
    exp.reset()
    np.testing.assert_array_equal(exp.net.flat_params, start)
    assert exp.snapshot().history["loss"].size == 0


def test_document_round_trip_resumes_exactly():
    exp = Experiment()
    exp.run(15)
    doc = exp.to_document()
    assert doc["data"]["dataset"] == "circle" and doc["state"]["step"] == 15
    other = Experiment()
    other.load_document(doc)
    exp.run(10)
    other.run(10)
    np.testing.assert_array_equal(exp.net.flat_params, other.net.flat_params)


def test_run_evaluated_records_a_point_at_the_start_and_every_k_steps():
    exp = Experiment()
    exp.run_evaluated(25, every=10)
    assert exp.snapshot().history["eval_step"].tolist() == [0, 10, 20, 25]
    assert exp.step == 25


# -- the document's data: inline rows, batch size and shuffling ------------------------------------
from nnviz.core.datasets import Dataset  # noqa: E402
from nnviz.core.errors import DataError  # noqa: E402
from nnviz.core.experiment import DataConfig  # noqa: E402

XOR_ROWS = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0]}


def _xor_document(**data) -> dict:
    return {**default_document(), "name": "xor by hand", "data": {**XOR_ROWS, **data}}


def test_constructor_follows_the_documents_data_unless_given_other_data():
    exp = Experiment(_xor_document(batch_size=2, shuffle=False))
    assert exp.data.inline and exp.data.dataset == "xor by hand" and exp.data.test_fraction == 0
    np.testing.assert_array_equal(exp.X, XOR_ROWS["inputs"])
    assert exp.trainer.batch_size == 2 and not exp.trainer.shuffle
    builtin = Experiment({**default_document(), "data": {"dataset": "circle", "n": 40, "test_fraction": 0.25}})
    assert builtin.data.dataset == "circle" and len(builtin.X) == 30 and builtin.trainer.batch_size is None
    given = Experiment(_xor_document(), DataConfig(dataset="gauss"))
    assert given.data == DataConfig(dataset="gauss") and len(given.X) == 250
    csv_named = Experiment({**default_document(), "data": {"dataset": "points.csv"}})
    assert csv_named.data == DataConfig()  # a file named relative to a model file: not loaded here


def test_load_document_takes_batch_size_and_shuffle_from_a_builtin_entry():
    exp = Experiment(data=DataConfig(features=("x1", "x2", "x1^2")))
    assert exp.net.inputs == 3
    doc = {**default_document(), "data": {"dataset": "circle", "n": 60, "batch_size": 5, "shuffle": False}}
    exp.load_document(doc)
    assert exp.input_names == ("x1", "x2")  # a 2-input model takes the plane as it is
    assert exp.data.batch_size == 5 and not exp.data.shuffle and exp.trainer.batch_size == 5
    reference = Trainer(load_model(doc), exp.X, exp.y, batch_size=5, shuffle=False)
    exp.run(20)
    reference.run(20)
    np.testing.assert_array_equal(exp.net.flat_params, reference.net.flat_params)
    assert exp.to_document()["data"] == {"dataset": "circle", "noise": 0.0, "seed": 0, "test_fraction": 0.0,
                                         "n": 60, "batch_size": 5, "shuffle": False}


def test_a_document_that_does_not_fit_its_data_changes_nothing():
    exp = Experiment()
    before = (exp.data, exp.net, exp.X)
    doc = {**default_document(), "inputs": 3, "data": {"dataset": "xor"}}  # built-in sets are not checked
    with pytest.raises(ModelError, match="^inputs: the model takes 3 inputs but the data give 2"):
        exp.load_document(doc)
    assert exp.data is before[0] and exp.net is before[1]
    np.testing.assert_array_equal(exp.X, before[2])
    exp.run(2)


def test_csv_rows_are_saved_without_a_data_entry():
    exp = Experiment(_xor_document())
    rows = Dataset(np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]), np.array([1.0, 1.0, 0.0]), "mine",
                   "classification", ("a", "b"), ("c",))
    exp.set_data(replace(exp.data, imported=rows, dataset="mine"))  # as the app's Import CSV does
    assert not exp.data.inline
    assert "data" not in exp.to_document()


def test_reset_returns_to_the_starting_weights_of_an_untrained_document():
    doc = _xor_document()
    doc["layers"] = [{"type": "dense", "units": 2, "activation": "tanh", "weight": [[1.0, -1.0], [0.5, 0.5]],
                      "bias": [0.0, 0.1]}, {"type": "dense", "units": 1, "activation": "sigmoid"}]
    exp = Experiment(doc)
    start = exp.net.flat_params.copy()
    exp.run(10)
    exp.reset()
    np.testing.assert_array_equal(exp.net.flat_params, start)
    exp.run(5)
    trained = exp.to_document()  # with state: its arrays are trained values, not a starting point
    exp.load_document(trained)
    exp.reset()
    assert not np.array_equal(exp.net.layers[0].weight, [[1.0, -1.0], [0.5, 0.5]])


def test_set_sample_on_data_that_are_not_planar_leaves_the_shared_rows_alone():
    exp = Experiment(data=DataConfig(dataset="square", test_fraction=0.0))
    snap = exp.snapshot()
    raw = snap.raw_train[0].copy()
    exp.set_sample(3, 0, 9.5)
    assert exp.X[3, 0] == 9.5 and exp.raw_train.X[3, 0] == 9.5
    np.testing.assert_array_equal(snap.raw_train[0], raw)  # the published snapshot never changes
    assert exp.snapshot().curve[0].max() == 9.5
    with pytest.raises(DataError, match=r"^inputs\[0\]\[1\]: no such entry"):
        exp.set_sample(0, 1, 1.0)


def _arrays(snapshot):
    """Every array a snapshot holds, by a path naming it."""
    found = {f"history.{k}": v for k, v in snapshot.history.items()}
    found |= {f"health_history.{k}": v for k, v in snapshot.health_history.items()}
    found |= {f"params.{k}": v for k, v in snapshot.params.items()}
    found |= {f"grads.{k}": v for k, v in snapshot.grads.items()}
    for view in snapshot.layers:
        found |= {f"layers[{view.index}].{k}": getattr(view, k) for k in ("value", "grad", "a", "z", "dz")}
    for name in ("surface", "predictions", "confusion"):
        if getattr(snapshot, name) is not None:
            found[name] = getattr(snapshot, name)
    found |= {f"node_maps[{i}]": m for i, m in enumerate(snapshot.node_maps or ())}
    found |= {f"curve[{i}]": c for i, c in enumerate(snapshot.curve or ())}
    found |= {f"raw_train[{i}]": a for i, a in enumerate(snapshot.raw_train)}
    found |= {f"raw_test[{i}]": a for i, a in enumerate(snapshot.raw_test or ())}
    return found


def test_an_earlier_snapshot_is_unchanged_by_reset_and_further_training():
    exp = Experiment()
    exp.run_evaluated(40, every=10)
    snap = exp.snapshot()
    kept = {name: array.copy() for name, array in _arrays(snap).items()}
    train_loss = snap.train_loss
    exp.reset()
    exp.run_evaluated(60, every=5)
    exp.snapshot()
    exp.load_document(default_document())
    exp.run_evaluated(30, every=3)
    exp.snapshot()
    assert snap.train_loss == train_loss
    for name, array in _arrays(snap).items():
        np.testing.assert_array_equal(array, kept[name], err_msg=name)


def test_every_array_in_a_snapshot_is_read_only():
    exp = Experiment()
    exp.run_evaluated(20, every=10)
    arrays = _arrays(exp.snapshot())
    assert len(arrays) > 20
    assert [name for name, array in arrays.items() if array.flags.writeable] == []


def test_the_batch_loss_curve_is_the_trainers_history_across_setting_changes():
    exp = Experiment()
    exp.run(5)
    exp.set_training(optimizer="adam")  # a new network and trainer, the same history
    exp.run(5)
    snap = exp.snapshot()
    assert snap.history["step"].tolist() == list(range(1, 11))
    np.testing.assert_array_equal(snap.history["loss"], exp.trainer.history["loss"])
    assert len(exp.trainer.history["loss"]) == 10


def test_a_learning_rate_change_updates_the_optimizer_in_place():
    """No rebuild: the same network and trainer go on, with Adam's moments kept, and the run equals
    a headless trainer whose rate was changed between the same steps."""
    doc = default_document()
    doc["optimizer"] = {"name": "adam", "lr": 0.01}
    exp = Experiment(doc)
    exp.run(5)
    net, trainer = exp.net, exp.trainer
    exp.set_training(lr=0.003)
    assert exp.net is net and exp.trainer is trainer
    assert exp.to_document()["optimizer"]["lr"] == 0.003
    exp.run(5)

    twin = Trainer(load_model(Experiment(doc).to_document()), exp.X, exp.y, batch_size=exp.data.batch_size,
                   shuffle=exp.data.shuffle, seed=exp.trainer.seed)
    twin.run(5)
    twin.net.optimizer.lr = twin.net.schedule.base_lr = 0.003
    twin.run(5)
    np.testing.assert_array_equal(exp.net.flat_params, twin.net.flat_params)


def test_a_refused_learning_rate_changes_nothing():
    exp = Experiment()
    before = exp.net.flat_params.copy()
    with pytest.raises(ModelError, match="lr"):
        exp.set_training(lr=-1.0)
    assert exp.to_document()["optimizer"]["lr"] == default_document()["optimizer"]["lr"]
    np.testing.assert_array_equal(exp.net.flat_params, before)


def _big_experiment(rows: int = 70_000) -> Experiment:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(rows, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(np.float64)
    data = DataConfig(imported=InlineData(X, y, "big", "classification", ("a", "b"), ("class",)), test_fraction=0.2)
    return Experiment(data=data)


def test_an_evaluation_point_on_70000_rows_reads_a_fixed_sample_and_its_figures_are_the_samples(monkeypatch):
    exp = _big_experiment()
    assert len(exp.X) == 56_000 and len(exp.X_test) == 14_000
    read = []
    forward = exp.net.forward
    exp.run(5)
    monkeypatch.setattr(exp.net, "forward", lambda X, *args, **kw: read.append(len(X)) or forward(X, *args, **kw))
    snap = exp.snapshot()
    evaluated = [n for n in read if n > PROBE]  # the probe batch and the plane aside
    assert evaluated == [EVALUATION_ROWS, EVALUATION_ROWS] and snap.evaluated_rows == (EVALUATION_ROWS, EVALUATION_ROWS)
    rows = snap.prediction_rows
    assert rows.size == EVALUATION_ROWS and np.all(np.diff(rows) > 0) and rows.max() < 14_000
    out = forward(exp.X_test[rows], training=False)
    assert snap.test_loss == exp.net.data_loss(out, exp.y_test[rows])[0]
    assert snap.test_accuracy == exp.accuracy(out, exp.y_test[rows])
    np.testing.assert_array_equal(snap.predictions, out)
    train_rows = exp._evaluation_sets()[0].rows
    assert snap.train_loss == exp.net.data_loss(forward(exp.X[train_rows], training=False), exp.y[train_rows])[0]
    exp.run(5)
    np.testing.assert_array_equal(exp.snapshot().prediction_rows, rows)  # the same rows every time


def test_a_data_set_within_the_budget_is_evaluated_whole():
    exp = Experiment()
    snap = exp.snapshot()
    assert snap.evaluated_rows == (len(exp.X), len(exp.X_test)) and snap.prediction_rows is None
    assert snap.test_loss == exp.net.evaluate(exp.X_test, exp.y_test)


def test_a_long_run_keeps_its_histories_bounded():
    exp = Experiment()
    exp.trainer.history._table.cap = exp._evals.cap = 1000  # a small cap, reached quickly
    exp.run_evaluated(20_000, 10)
    snap = exp.snapshot()
    assert len(snap.history["step"]) <= 1000 and snap.history["step"][-1] == exp.step == 20_000
    assert len(snap.history["eval_step"]) <= 1000 and snap.history["eval_step"][0] == 0
    assert all(len(v) == len(snap.history["eval_step"]) for v in snap.health_history.values())
    doc = exp.to_document()
    assert doc["history"]["step"][-1] == 20_000 and len(doc["history"]["step"]) <= 1000
