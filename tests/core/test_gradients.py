"""Analytic gradients against central differences, for every activation, loss and layer."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnviz.core import gradient_check, load_model
from nnviz.core.activations import ACTIVATIONS, make_activation
from nnviz.core.losses import LOSSES, make_loss

EPS = 1e-6
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# activations with a kink at 0: keep samples away from it, where the derivative is one-sided
KINKED = {"relu", "leaky_relu", "prelu", "elu", "step"}


def _numeric_jvp(f, z, da):
    """d/dz of sum(da * f(z)), by central differences, element by element."""
    grad = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += EPS
        zm[idx] -= EPS
        grad[idx] = (np.sum(da * f(zp)) - np.sum(da * f(zm))) / (2 * EPS)
    return grad


def _batch(shape_strategy=st.tuples(st.integers(1, 4), st.integers(2, 5)), lo=-4.0, hi=4.0):
    return shape_strategy.flatmap(
        lambda shape: st.tuples(arrays(np.float64, shape, elements=st.floats(lo, hi)),
                                arrays(np.float64, shape, elements=st.floats(-1, 1))))


ACTIVATION_SPECS = [
    "identity", "sigmoid", "tanh", "relu", {"name": "leaky_relu", "alpha": 0.1}, "prelu", "elu",
    {"name": "elu", "alpha": 0.5}, "gelu", {"name": "gelu", "approximate": "tanh"}, "swish",
    {"name": "swish", "beta": 2.0}, "softmax", "step",
]


def test_every_activation_is_covered():
    names = {s if isinstance(s, str) else s["name"] for s in ACTIVATION_SPECS}
    assert names == set(ACTIVATIONS)


@pytest.mark.parametrize("spec", ACTIVATION_SPECS, ids=str)
@SETTINGS
@given(data=_batch())
def test_activation_derivative_matches_central_differences(spec, data):
    z, da = data
    act = make_activation(spec)
    if act.name in KINKED:
        z = np.where(np.abs(z) < 1e-3, 0.5, z)
    if act.name == "prelu":
        act.bind(np.array([0.25]), np.zeros(1))
    numeric = _numeric_jvp(act.forward, z, da)
    analytic = act.backward(z, act.forward(z), da)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@SETTINGS
@given(data=_batch())
def test_prelu_alpha_gradient(data):
    z, da = data
    z = np.where(np.abs(z) < 1e-3, -0.5, z)
    act = make_activation("prelu")
    alpha, grad_alpha = np.array([0.3]), np.zeros(1)
    act.bind(alpha, grad_alpha)
    act.backward(z, act.forward(z), da)

    def f(a):
        alpha[0] = a
        return np.sum(da * act.forward(z))

    numeric = (f(0.3 + EPS) - f(0.3 - EPS)) / (2 * EPS)
    assert grad_alpha[0] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_step_activation_has_zero_gradient_and_heaviside_values():
    act = make_activation("step")
    z = np.array([[-2.0, 0.0, 3.0]])
    assert act.forward(z).tolist() == [[0.0, 0.0, 1.0]]
    assert make_activation({"name": "step", "at_zero": 1.0}).forward(z).tolist() == [[0.0, 1.0, 1.0]]
    assert not np.any(act.backward(z, act.forward(z), np.ones_like(z)))


def test_softmax_is_stable_for_huge_logits():
    act = make_activation("softmax")
    a = act.forward(np.array([[1000.0, 1001.0, -1000.0]]))
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a, [[1 / (1 + np.e), np.e / (1 + np.e), 0.0]], rtol=1e-12)


LOSS_CASES = [
    # (loss spec, last activation, targets kind)
    ("mse", "identity", "real"), ("mse", "tanh", "real"), ("mae", "identity", "real"),
    ({"name": "huber", "delta": 0.5}, "identity", "real"), ("huber", "identity", "real"),
    ("bce", "sigmoid", "binary"), ("bce", "identity", "binary"), ("bce", "identity", "soft"),
    ("focal", "sigmoid", "binary"), ("focal", "identity", "binary"),
    ({"name": "focal", "alpha": -1.0, "gamma": 0.0}, "identity", "binary"),
    ({"name": "focal", "alpha": 0.5, "gamma": 1.5}, "identity", "soft"),
    ("cross_entropy", "softmax", "onehot"), ("cross_entropy", "identity", "onehot"),
    ("cross_entropy", "identity", "soft_rows"), ("mse", "softmax", "real"),
]


def test_every_loss_is_covered():
    assert {c[0] if isinstance(c[0], str) else c[0]["name"] for c in LOSS_CASES} == set(LOSSES)


def _targets(kind, shape, rng):
    if kind == "real":
        return rng.normal(size=shape)
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(float)
    if kind == "soft":
        return rng.uniform(0, 1, size=shape)
    labels = rng.integers(0, shape[1], size=shape[0])
    onehot = np.eye(shape[1])[labels]
    if kind == "onehot":
        return onehot
    soft = rng.uniform(0.1, 1, size=shape)
    return soft / soft.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("spec,activation,kind", LOSS_CASES, ids=str)
@SETTINGS
@given(z=st.tuples(st.integers(1, 5), st.integers(2, 4)).flatmap(
    lambda s: arrays(np.float64, s, elements=st.floats(-3, 3))), seed=st.integers(0, 2**16))
def test_loss_gradient_matches_central_differences(spec, activation, kind, z, seed):
    """The loss gradient w.r.t. the output, or w.r.t. the last z where the loss fuses with the
    activation, matches central differences of the loss as a function of z."""
    loss = make_loss(spec)
    act = make_activation(activation)
    y = _targets(kind, z.shape, np.random.default_rng(seed))
    out = act.forward(z)
    if loss.name in ("mae", "huber"):  # kinks where out - y = 0 (or +-delta)
        y = np.where(np.abs(out - y) < 1e-3, y + 0.01, y)
        if loss.name == "huber":
            d = out - y
            y = np.where(np.abs(np.abs(d) - loss.delta) < 1e-3, y + 0.01, y)
    value, grad, wrt_z = loss.evaluate(out, y, z, activation)
    if not wrt_z:
        grad = act.backward(z, out, grad)

    def f(zz):
        return loss.value(act.forward(zz), y, zz, activation)

    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += EPS
        zm[idx] -= EPS
        numeric[idx] = (f(zp) - f(zm)) / (2 * EPS)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_fused_losses_do_not_overflow_on_large_logits():
    z = np.array([[800.0], [-800.0]])
    y = np.array([[0.0], [1.0]])
    out = make_activation("sigmoid").forward(z)
    value, grad, wrt_z = make_loss("bce").evaluate(out, y, z, "sigmoid")
    assert wrt_z and value == pytest.approx(800.0) and np.all(np.isfinite(grad))
    zc = np.array([[1000.0, -1000.0]])
    outc = make_activation("softmax").forward(zc)
    value, grad, wrt_z = make_loss("cross_entropy").evaluate(outc, np.array([[0.0, 1.0]]), zc, "softmax")
    assert wrt_z and value == pytest.approx(2000.0) and np.all(np.isfinite(grad))


def test_bce_and_cross_entropy_match_closed_forms():
    p = np.array([[0.8], [0.3]])
    y = np.array([[1.0], [0.0]])
    z = np.log(p / (1 - p))
    assert make_loss("bce").value(p, y, z, "sigmoid") == pytest.approx(-(np.log(0.8) + np.log(0.7)) / 2, rel=1e-12)
    probs = np.array([[0.7, 0.2, 0.1]])
    assert make_loss("cross_entropy").value(probs, np.array([[0, 1, 0.0]]), np.log(probs), "softmax") == \
        pytest.approx(-np.log(0.2), rel=1e-12)


def test_focal_loss_matches_torchvision_formula():
    """sigmoid_focal_loss: alpha_t * ce * (1 - p_t)^gamma, mean."""
    logits = np.array([[0.5, -1.0], [2.0, 0.1]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = 1 / (1 + np.exp(-logits))
    ce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    p_t = p * y + (1 - p) * (1 - y)
    expected = np.mean((0.25 * y + 0.75 * (1 - y)) * ce * (1 - p_t) ** 2)
    assert make_loss("focal").value(logits, y) == pytest.approx(expected, rel=1e-12)


# -- layers, through whole networks ----------------------------------------------------------------
LAYER_STACKS = {
    "dense": [{"type": "dense", "units": 3, "activation": "tanh"}],
    "glu": [{"type": "glu", "units": 3, "variant": "glu"}],
    "swiglu": [{"type": "glu", "units": 3, "variant": "swiglu"}],
    "geglu": [{"type": "glu", "units": 3, "variant": "geglu", "activation": "tanh"}],
    "batchnorm": [{"type": "dense", "units": 3}, {"type": "batchnorm", "activation": "tanh"}],
    "layernorm": [{"type": "dense", "units": 3}, {"type": "layernorm", "activation": "gelu"}],
    "rmsnorm": [{"type": "dense", "units": 3}, {"type": "rmsnorm", "eps": 1e-6}],
    "rmsnorm_default_eps": [{"type": "dense", "units": 3}, {"type": "rmsnorm"}],
    "dropout": [{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dropout", "p": 0.4}],
    "prelu": [{"type": "dense", "units": 3, "activation": "prelu"}],
}


@pytest.mark.parametrize("name", LAYER_STACKS)
@settings(max_examples=12, deadline=None)
@given(batch=st.integers(2, 6), inputs=st.integers(1, 3), seed=st.integers(0, 10_000),
       l1=st.sampled_from([0.0, 0.01]), l2=st.sampled_from([0.0, 0.02]))
def test_layer_parameter_gradients_match_central_differences(name, batch, inputs, seed, l1, l2):
    layers = [dict(spec) for spec in LAYER_STACKS[name]] + [{"type": "dense", "units": 2}]
    net = load_model({"format": "nnviz.model/1", "inputs": inputs, "layers": layers, "loss": "mse",
                      "regularization": {"l1": l1, "l2": l2}, "seed": seed})
    rng = np.random.default_rng(seed)
    net.flat_params[:] += rng.normal(scale=0.1, size=net.flat_params.size)  # off the initial symmetry
    if l1:  # |w| has a kink at 0
        w = net.flat_params
        w[np.abs(w) < 1e-3] = 0.05
    X, y = rng.normal(size=(batch, inputs)), rng.normal(size=(batch, 2))
    for check in gradient_check(net, X, y, eps=EPS):
        # central differences carry rounding noise of about ulp(loss) / eps, ~1e-10 to 1e-9 here (a bias
        # before BatchNorm, whose true gradient is 0, showed 1.1e-9): tiny gradients are compared absolutely
        np.testing.assert_allclose(check.analytic, check.numerical, rtol=1e-6, atol=1e-8, err_msg=check.name)


@pytest.mark.parametrize("name", LAYER_STACKS)
def test_layer_input_gradient_matches_central_differences(name):
    """dL/dx, which each layer passes down, against central differences in the input."""
    layers = [dict(spec) for spec in LAYER_STACKS[name]] + [{"type": "dense", "units": 2}]
    net = load_model({"format": "nnviz.model/1", "inputs": 3, "layers": layers, "loss": "mse", "seed": 3})
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))

    def loss(x):
        out = net.forward(x, training=True, rng=np.random.default_rng(7), update_stats=False)
        return net.data_loss(out, y)[0]

    out = net.forward(X, training=True, rng=np.random.default_rng(7), update_stats=False)
    value, grad, wrt_z = net.data_loss(out, y)
    for layer in reversed(net.layers):  # backward by hand, keeping dL/dx of the first layer
        grad = layer.backward(grad, need_dx=True)
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        xp, xm = X.copy(), X.copy()
        xp[idx] += EPS
        xm[idx] -= EPS
        numeric[idx] = (loss(xp) - loss(xm)) / (2 * EPS)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_gradient_check_reports_a_wrong_gradient():
    """The checker itself can fail: break a backward pass and the error shows up."""
    net = load_model({"format": "nnviz.model/1", "inputs": 2,
                      "layers": [{"type": "dense", "units": 2, "activation": "tanh"}, {"type": "dense", "units": 1}]})
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    assert max(c.relative_error for c in gradient_check(net, X, y)) < 1e-7
    act = net.layers[0].activation
    act.backward = lambda z, a, da: da * (1 - a)  # wrong derivative
    errors = {c.name: c.relative_error for c in gradient_check(net, X, y)}
    assert errors["layers[0].weight"] > 1e-2
    assert errors["layers[1].weight"] < 1e-7
