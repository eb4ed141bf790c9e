"""The experiment behind the app: commands between steps and the snapshots the panels draw."""

from dataclasses import replace

import numpy as np
import pytest

from nnviz.core import ModelError, Trainer, load_model
from nnviz.core.experiment import GRID, SURFACE, Experiment, default_document


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
    with pytest.raises(ModelError, match="no such parameter"):
        exp.set_parameter("layers[0].weight", (9, 9), 1.0)
    with pytest.raises(ModelError, match="finite"):
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
