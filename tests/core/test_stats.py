"""Layer-health statistics on constructed networks, where the right answer is known."""

import math

import numpy as np
import pytest

from nnviz.core import Trainer, load_model
from nnviz.core.experiment import Experiment, default_document
from nnviz.core.stats import (
    actual_update_ratio,
    dead_fraction,
    gradient_stats,
    histogram,
    layer_health,
    percentiles,
    saturated_fraction,
    update_ratio,
)


def doc(inputs, layers, **rest):
    return {"format": "nnviz.model/1", "inputs": inputs, "layers": layers, **rest}


def probe_health(net, X, y, lr=0.1):
    net.loss_and_gradients(np.asarray(X, float), np.asarray(y, float), training=False)
    return layer_health(net, lr)


def test_a_relu_layer_with_bias_minus_100_is_all_dead():
    rng = np.random.default_rng(0)
    net = load_model(doc(3, [{"type": "dense", "units": 6, "activation": "relu", "bias": [-100.0] * 6},
                             {"type": "dense", "units": 1}]))
    health = probe_health(net, rng.normal(size=(50, 3)), rng.normal(size=(50, 1)))
    assert health[0].dead == 1.0
    assert health[1].dead is None  # an identity output cannot die
    net.layers[0].bias[:3] = 100.0
    assert probe_health(net, rng.normal(size=(50, 3)), rng.normal(size=(50, 1)))[0].dead == 0.5


def test_tanh_with_huge_weights_is_saturated():
    rng = np.random.default_rng(1)
    net = load_model(doc(4, [{"type": "dense", "units": 8, "activation": "tanh",
                              "init": {"name": "normal", "std": 100.0}},
                             {"type": "dense", "units": 1}]))
    health = probe_health(net, rng.normal(size=(200, 4)), rng.normal(size=(200, 1)))
    assert health[0].saturated > 0.98
    small = load_model(doc(4, [{"type": "dense", "units": 8, "activation": "tanh",
                                "init": {"name": "normal", "std": 0.01}},
                               {"type": "dense", "units": 1}]))
    assert probe_health(small, rng.normal(size=(200, 4)), rng.normal(size=(200, 1)))[0].saturated == 0.0


def test_deep_sigmoid_net_has_vanishing_gradients_at_the_bottom():
    rng = np.random.default_rng(2)
    layers = [{"type": "dense", "units": 8, "activation": "sigmoid"} for _ in range(10)]
    layers.append({"type": "dense", "units": 1})
    net = load_model(doc(4, layers, seed=3))
    health = probe_health(net, rng.normal(size=(64, 4)), rng.normal(size=(64, 1)))
    first, last = health[0].grads["weight"].norm, health[-2].grads["weight"].norm
    assert first < last * 1e-4  # each sigmoid multiplies by at most 1/4
    assert health[0].grad_norm == pytest.approx(math.hypot(health[0].grads["weight"].norm,
                                                            health[0].grads["bias"].norm))


def test_update_ratio_is_the_size_of_a_plain_sgd_step():
    rng = np.random.default_rng(4)
    net = load_model(doc(3, [{"type": "dense", "units": 5, "activation": "tanh"}, {"type": "dense", "units": 1}],
                         optimizer={"name": "sgd", "lr": 0.05}))
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    trainer = Trainer(net, X, y)
    before = net.layers[0].weight.copy()
    trainer.step()
    grad = net.layers[0].grad_weight.copy()  # the gradient the step used
    expected = math.log10(0.05 * np.std(grad) / np.std(before))
    assert update_ratio(0.05, grad, before) == pytest.approx(expected, rel=1e-12)
    assert actual_update_ratio(before, net.layers[0].weight) == pytest.approx(expected, rel=1e-9)


def test_small_statistics_helpers():
    assert saturated_fraction(np.array([[0.99, 0.5], [-0.98, 0.0]]), "tanh") == 0.5
    assert saturated_fraction(np.array([[0.01, 0.5, 0.99, 0.2]]), "sigmoid") == 0.5
    assert saturated_fraction(np.ones((2, 2)), "relu") is None
    assert dead_fraction(np.array([[0.0, 1.0], [0.0, 0.0]]), "relu") == 0.5
    g = gradient_stats(np.array([3.0, -4.0]))
    assert (g.norm, g.mean_abs, g.max_abs) == (5.0, 3.5, 4.0)
    assert gradient_stats(np.array([1e-9])).vanishing and gradient_stats(np.array([1e4])).exploding
    counts, edges = histogram(np.array([0.0, 0.5, 1.0, np.nan]), bins=2)
    assert counts.tolist() == [1, 2] and edges.tolist() == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(percentiles(np.arange(101.0)), [5, 25, 50, 75, 95])
    # a layer whose outputs are equal but for rounding still gets a histogram
    counts, _ = histogram(np.array([0.7310585786300049, 0.7310585786300048, 0.731058578630005]))
    assert counts.sum() == 3


def test_batchnorm_and_dropout_are_made_visible_in_the_snapshot():
    d = default_document()
    d["layers"] = [{"type": "dense", "units": 4}, {"type": "batchnorm", "activation": "tanh"},
                   {"type": "dropout", "p": 0.25}, {"type": "dense", "units": 1, "activation": "sigmoid"}]
    exp = Experiment(d)
    exp.run(5)
    snap = exp.snapshot()
    bn, drop = snap.health[1].batchnorm, snap.health[2].dropout
    np.testing.assert_allclose(bn["running_mean"], exp.net.layers[1].running_mean)
    assert bn["batch_mean"].shape == (4,) and np.all(bn["train_eval_gap"] >= 0)
    assert drop["scale"] == pytest.approx(1 / 0.75) and drop["mask"].shape == (10, 4)
    assert set(np.unique(drop["mask"])) <= {0.0, 1 / 0.75}


def test_health_history_grows_with_each_evaluation():
    exp = Experiment()
    for _ in range(3):
        exp.run(5)
        exp.record_evaluation()
    snap = exp.snapshot()
    n = snap.history["eval_step"].size
    assert n == 3  # the snapshot at the same step adds no point
    assert snap.health_history["0.p50"].size == n and snap.health_history["2.weight.grad_norm"].size == n
    assert snap.health_history["0.grad_norm"][-1] == pytest.approx(snap.health[0].grad_norm)
