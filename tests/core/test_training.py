"""Whole-network behaviour: worked examples, normalisation, dropout, seeds, and learning."""

import math

import numpy as np
import pytest

from nnviz.core import Trainer, load_model
from nnviz.core.datasets import make_dataset


def doc(inputs, layers, **rest):
    return {"format": "nnviz.model/1", "inputs": inputs, "layers": layers, **rest}


WORKED_221 = doc(2, [
    {"type": "dense", "units": 2, "activation": "relu", "weight": [[0.2, 0.4], [0.3, -0.5]], "bias": [0.1, -0.2]},
    {"type": "dense", "units": 1, "activation": "sigmoid", "weight": [[0.7, 0.6]], "bias": [0.05]}], loss="bce")


def test_worked_example_2_2_1_forward():
    net = load_model(WORKED_221)
    trace = Trainer(net, [[1.0, 0.5]], [[1.0]]).trace()
    hidden, output = trace.layers
    np.testing.assert_allclose(hidden.z, [[0.5, -0.15]], rtol=1e-15)
    assert hidden.a.tolist() == [[0.5, 0.0]]
    assert output.z[0, 0] == pytest.approx(0.4, rel=1e-15)
    # sigmoid(0.4) = 0.598687...: the "0.598 (3 d.p.)" is the figure truncated; rounded it is 0.599
    assert output.a[0, 0] == pytest.approx(1 / (1 + math.exp(-0.4)), rel=1e-15)
    assert math.floor(output.a[0, 0] * 1000) / 1000 == 0.598 and round(float(output.a[0, 0]), 3) == 0.599


def test_worked_example_single_sigmoid_neuron():
    net = load_model(doc(2, [{"type": "dense", "units": 1, "activation": "sigmoid", "weight": [[0.5, -0.2]],
                              "bias": [0.1]}], loss="bce", optimizer={"name": "sgd", "lr": 0.1}))
    trace = Trainer(net, [[2.0, 3.0]], [[1.0]]).trace()
    layer = trace.layers[0]
    assert layer.z[0, 0] == pytest.approx(0.5, rel=1e-15)
    a = layer.a[0, 0]
    assert round(float(a), 3) == 0.622
    assert round(trace.loss, 3) == 0.474
    assert trace.loss == pytest.approx(-math.log(a), rel=1e-14)
    assert trace.fused and layer.dz[0, 0] == pytest.approx(a - 1, rel=1e-15)
    assert round(float(layer.dz[0, 0]), 3) == -0.378
    # dL/dw = (a - 1) x, and plain SGD applies w -= lr * grad
    np.testing.assert_allclose(layer.grads["weight"], [[2 * (a - 1), 3 * (a - 1)]], rtol=1e-15)
    np.testing.assert_allclose(layer.params_after["weight"], [[0.5 - 0.2 * (a - 1), -0.2 - 0.3 * (a - 1)]],
                               rtol=1e-15)


def test_trace_records_every_quantity_of_the_step():
    net = load_model({**WORKED_221, "optimizer": {"name": "adam", "lr": 0.01}})
    trace = Trainer(net, [[1.0, 0.5], [0.0, 1.0]], [[1.0], [0.0]]).trace()
    assert trace.step == 0 and trace.lr == 0.01 and trace.optimizer == "adam"
    for layer in trace.layers:
        for key in ("input", "z", "a", "da", "dz"):
            assert getattr(layer, key).shape[0] == 2
            assert not getattr(layer, key).flags.writeable
        assert set(layer.grads) == set(layer.params_before) == set(layer.params_after) == {"weight", "bias"}
    # the next layer's input is this layer's output; dL/dz = dL/da * f'(z) for the hidden ReLU
    np.testing.assert_array_equal(trace.layers[1].input, trace.layers[0].a)
    hidden = trace.layers[0]
    np.testing.assert_allclose(hidden.dz, hidden.da * (hidden.z > 0))
    assert set(trace.optimizer_state) == {"exp_avg", "exp_avg_sq"}
    assert trace.optimizer_scalars["bias_correction1"] == pytest.approx(0.1)
    assert np.all(np.isfinite(trace.output_grad))
    d = trace.to_dict()
    assert d["format"] == "nnviz.trace/1" and d["layers"][0]["z"][0] == pytest.approx([0.5, -0.15])


def test_batchnorm_train_and_eval():
    net = load_model(doc(2, [{"type": "batchnorm", "weight": [2.0, 1.0], "bias": [0.5, 0.0]}]))
    bn = net.layers[0]
    X = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])
    out = bn.forward(X, training=True)
    x_hat = (out - [0.5, 0.0]) / [2.0, 1.0]
    np.testing.assert_allclose(x_hat.mean(axis=0), 0, atol=1e-15)
    var = X.var(axis=0)  # biased, for normalising
    np.testing.assert_allclose(x_hat, (X - X.mean(axis=0)) / np.sqrt(var + 1e-5), rtol=1e-14)
    # running statistics move by momentum 0.1, the variance with the unbiased estimate
    np.testing.assert_allclose(bn.running_mean, 0.1 * X.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * X.var(axis=0, ddof=1), rtol=1e-15)
    # evaluation uses the running statistics
    expected = (X - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) * [2.0, 1.0] + [0.5, 0.0]
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-14)
    assert not np.allclose(net.predict(X), out)


def test_batchnorm_refuses_a_batch_of_one_in_training():
    from nnviz.core import ModelError

    net = load_model(doc(2, [{"type": "batchnorm"}]))
    with pytest.raises(ModelError, match="batch of at least 2"):
        Trainer(net, [[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [1.0, 1.0]], batch_size=1).step()


def test_dropout_statistics_and_eval_identity():
    net = load_model(doc(1, [{"type": "dropout", "p": 0.3}]))
    layer = net.layers[0]
    x = np.ones((200, 1000))
    out = layer.forward(x, training=True, rng=np.random.default_rng(0))
    dropped = np.mean(out == 0)
    assert dropped == pytest.approx(0.3, abs=0.005)  # 200k Bernoulli draws: sd 0.001
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7], rtol=1e-15)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the expectation
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    assert layer.forward(x, training=True, rng=np.random.default_rng(1)).tolist() != out.tolist()


def test_dropout_masks_are_reproducible_through_the_trainer():
    d = doc(2, [{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dropout", "p": 0.5},
                {"type": "dense", "units": 1}], seed=4)
    ds = make_dataset("plane", n=64, seed=1)

    def losses(seed):
        tr = Trainer(load_model(d), ds.X, ds.y, batch_size=16, seed=seed)
        tr.run(20)
        return tr.history["loss"]

    assert losses(5) == losses(5)
    assert losses(5) != losses(6)


def test_same_seed_reproduces_a_run_bit_for_bit():
    d = doc(2, [{"type": "dense", "units": 6, "activation": "tanh", "init": "xavier_normal"},
                {"type": "dense", "units": 1, "activation": "sigmoid"}], loss="bce",
            optimizer={"name": "adam", "lr": 0.01}, seed=11)
    ds = make_dataset("spiral", n=100, noise=0.1, seed=2)

    def run(model_seed):
        net = load_model({**d, "seed": model_seed})
        tr = Trainer(net, ds.X, ds.y, batch_size=10, shuffle=True)
        tr.run(50)
        return tr.history["loss"], net.flat_params.copy()

    (l1, p1), (l2, p2) = run(11), run(11)
    assert l1 == l2 and np.array_equal(p1, p2)
    l3, p3 = run(12)
    assert l3 != l1 and not np.array_equal(p3, p1)


@pytest.mark.parametrize("name", ["default", "zeros", "uniform", "normal", "xavier_uniform", "xavier_normal",
                                  "he_uniform", "he_normal"])
def test_initialisers_draw_the_documented_distributions(name):
    net = load_model(doc(400, [{"type": "dense", "units": 300, "init": name}], seed=1))
    w, b = net.layers[0].weight, net.layers[0].bias
    fan_in, fan_out = 400, 300
    expected_std = {
        "default": 1 / math.sqrt(fan_in) / math.sqrt(3), "zeros": 0.0, "uniform": 1 / math.sqrt(12),
        "normal": 1.0, "xavier_uniform": math.sqrt(2 / (fan_in + fan_out)),
        "xavier_normal": math.sqrt(2 / (fan_in + fan_out)), "he_uniform": math.sqrt(2 / fan_in),
        "he_normal": math.sqrt(2 / fan_in)}[name]
    assert w.std() == pytest.approx(expected_std, rel=0.02, abs=1e-12)
    assert w.mean() == pytest.approx(0.5 if name == "uniform" else 0.0, abs=0.01)
    if name == "default":  # nn.Linear: the bias too is U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        assert 0 < np.abs(b).max() <= 1 / math.sqrt(fan_in)
    else:
        assert not b.any()


def test_zero_initialisation_keeps_hidden_units_identical():
    """The symmetry problem: with zero weights every hidden unit gets the same update forever."""
    d = doc(2, [{"type": "dense", "units": 3, "activation": "tanh", "init": "zeros"},
                {"type": "dense", "units": 1, "activation": "sigmoid", "init": "zeros"}],
            loss="bce", optimizer={"name": "sgd", "lr": 0.5})
    ds = make_dataset("xor")
    net = load_model(d)
    Trainer(net, ds.X, ds.y).run(200)
    w = net.layers[0].weight
    assert np.all(w == w[0]) and np.all(net.layers[1].weight == net.layers[1].weight[0, 0])


def _perceptron(data):
    ds = make_dataset(data)
    net = load_model(doc(2, [{"type": "dense", "units": 1, "activation": "step", "init": "zeros"}],
                         optimizer={"name": "perceptron", "lr": 1.0}))
    return net, Trainer(net, ds.X, ds.y, batch_size=None, shuffle=False), ds


def test_perceptron_rule_learns_and():
    net, tr, ds = _perceptron("and")
    for _ in range(20):
        tr.step()
    np.testing.assert_array_equal(net.predict(ds.X), ds.y)


def test_perceptron_rule_cannot_learn_xor():
    net, tr, ds = _perceptron("xor")
    for _ in range(200):
        tr.step()
        assert np.sum(net.predict(ds.X) != ds.y) >= 1  # never all four right: not linearly separable


def test_perceptron_applies_rosenblatts_rule_sample_by_sample():
    net, tr, ds = _perceptron("and")
    trace = tr.trace()
    # zero weights: step(0) = 0 for every sample, so only (1,1) -> 1 is wrong: w += x, b += 1
    np.testing.assert_array_equal(trace.layers[0].params_after["weight"], [[1.0, 1.0]])
    np.testing.assert_array_equal(trace.layers[0].params_after["bias"], [1.0])


def test_perceptron_needs_a_single_step_layer():
    from nnviz.core import ModelError

    with pytest.raises(ModelError, match="single dense layer"):
        load_model(doc(2, [{"type": "dense", "units": 1, "activation": "sigmoid"}],
                       optimizer={"name": "perceptron"}))


def test_mlp_learns_xor():
    ds = make_dataset("xor")
    successes = 0
    for seed in range(10):
        net = load_model(doc(2, [{"type": "dense", "units": 4, "activation": "tanh"},
                                 {"type": "dense", "units": 1, "activation": "sigmoid"}], loss="bce",
                             optimizer={"name": "adam", "lr": 0.05}, seed=seed))
        tr = Trainer(net, ds.X, ds.y)
        tr.run(500)
        if np.array_equal(net.predict(ds.X) > 0.5, ds.y > 0.5) and tr.history["loss"][-1] < 0.01:
            successes += 1
        if seed == 0:
            assert tr.history["loss"][-1] < 0.01
    assert successes >= 8  # a few seeds fall into the classic local minimum


def test_relu_net_fits_a_parabola():
    """1-10-1 ReLU, MSE, SGD lr 0.1, full batch, on y = x^2 + N(0, 0.05^2): the training MSE falls
    below 0.004 (the noise alone contributes 0.0025) within 3000 steps."""
    ds = make_dataset("square", noise=0.05, seed=0)
    net = load_model(doc(1, [{"type": "dense", "units": 10, "activation": "relu"}, {"type": "dense", "units": 1}],
                         loss="mse", optimizer={"name": "sgd", "lr": 0.1}))
    tr = Trainer(net, ds.X, ds.y)
    first = tr.step()
    tr.run(3000)
    assert net.evaluate(ds.X, ds.y) < 0.004 < first


def test_mini_batches_wrap_in_row_order_without_shuffle():
    net = load_model(doc(1, [{"type": "dense", "units": 1}]))
    X = np.arange(5.0).reshape(5, 1)
    tr = Trainer(net, X, X, batch_size=2, shuffle=False)
    batches = [tr.trace().batch_indices.tolist() for _ in range(4)]
    assert batches == [[0, 1], [2, 3], [4, 0], [1, 2]]


def test_shuffled_epochs_visit_every_row_once():
    net = load_model(doc(1, [{"type": "dense", "units": 1}]))
    X = np.arange(12.0).reshape(12, 1)
    tr = Trainer(net, X, X, batch_size=4, shuffle=True, seed=3)
    seen = [i for _ in range(3) for i in tr.trace().batch_indices.tolist()]
    assert sorted(seen) == list(range(12)) and seen != list(range(12))
    tr.epoch()
    assert tr.epoch_count == 2.0


@pytest.mark.parametrize("loss, y", [("mse", np.arange(10.0).reshape(10, 1) * 0.5),
                                     ("cross_entropy", np.arange(10) % 3)])
def test_batches_are_the_rows_of_their_indices_in_reused_buffers(loss, y):
    net = load_model(doc(2, [{"type": "dense", "units": 1 if loss == "mse" else 3}], loss=loss))
    X = np.random.default_rng(0).normal(size=(10, 2))
    tr = Trainer(net, X, y, batch_size=4, shuffle=True, seed=5)
    targets = tr.y  # as the trainer keeps them (one-hot rows for class indices)
    buffers = None
    for _ in range(6):  # across epoch boundaries: batches that take rows from two permutations
        xb, yb, idx = tr.next_batch()
        assert np.array_equal(xb, X[idx]) and np.array_equal(yb, targets[idx])
        assert buffers is None or (xb is buffers[0] and yb is buffers[1])
        buffers = xb, yb
        tr.step()


def test_class_index_targets_for_cross_entropy():
    d = doc(2, [{"type": "dense", "units": 3, "activation": "softmax"}], loss="cross_entropy",
            optimizer={"name": "sgd", "lr": 0.1})
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    a, b = load_model(d), load_model(d)
    la = Trainer(a, X, np.array([0, 2, 1])).step()
    lb = Trainer(b, X, np.eye(3)[[0, 2, 1]]).step()
    assert la == lb and np.array_equal(a.flat_params, b.flat_params)


def test_a_diverging_run_reports_nan_without_raising():
    net = load_model(doc(1, [{"type": "dense", "units": 1}], optimizer={"name": "sgd", "lr": 10.0}))
    tr = Trainer(net, [[10.0], [-10.0]], [[1.0], [2.0]])
    tr.run(200)
    assert not math.isfinite(tr.history["loss"][-1])
