"""Optimizer and schedule updates against sequences computed by hand."""

import math

import numpy as np
import pytest

from nnviz.core import Trainer, load_model, optimizers
from nnviz.core.optimizers import BLOCK, OPTIMIZERS
from nnviz.core.schedules import SCHEDULES


def run(name, grads, p0=1.0, lr=0.1, **options):
    """Apply the optimizer to one scalar parameter with the given gradient sequence."""
    opt = OPTIMIZERS[name](1, lr=lr, **options)
    p = np.array([p0])
    out = []
    for g in grads:
        opt.step(p, np.array([g]), lr)
        out.append(p[0])
    return out


def test_sgd_plain():
    assert run("sgd", [1.0, -2.0]) == pytest.approx([0.9, 1.1], abs=1e-15)


def test_sgd_momentum_hand_computed():
    # buf: 1, 1.9, 2.71 -> p: 0.9, 0.71, 0.439
    assert run("sgd", [1, 1, 1], momentum=0.9) == pytest.approx([0.9, 0.71, 0.439], abs=1e-15)


def test_sgd_dampening_leaves_the_first_step_undamped():
    # buf: 1 (first step is the gradient itself), then 0.9 + 0.5*1 = 1.4
    assert run("sgd", [1, 1], momentum=0.9, dampening=0.5) == pytest.approx([0.9, 0.76], abs=1e-15)


def test_sgd_nesterov_hand_computed():
    # buf 1 -> step g + 0.9*1 = 1.9; buf 1.9 -> step 1 + 1.71 = 2.71
    assert run("sgd", [1, 1], momentum=0.9, nesterov=True) == pytest.approx([0.81, 0.539], abs=1e-15)


def test_sgd_weight_decay_adds_to_the_gradient():
    # g + wd*p = 1 + 0.5*1 = 1.5 -> 0.85
    assert run("sgd", [1.0], weight_decay=0.5) == pytest.approx([0.85], abs=1e-15)


def test_adam_first_steps_hand_computed():
    # step 1: m=0.05, v=0.00025, m_hat=0.5, v_hat=0.25 -> p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    # step 2 (g=0.5 again): m=0.095, v=0.00049975, m_hat=0.5, v_hat=0.25 -> same step again
    p2 = p1 - 0.1 * (0.095 / 0.19) / (math.sqrt(0.00049975 / (1 - 0.999**2)) + 1e-8)
    assert run("adam", [0.5, 0.5]) == pytest.approx([p1, p2], rel=1e-14)


def _adam_reference(grads, lr, b1, b2, eps, wd=0.0, decoupled=False, amsgrad=False, p=1.0):
    """Adam as written in Kingma & Ba (and AdamW in Loshchilov & Hutter), in plain floats."""
    m = v = vmax = 0.0
    out = []
    for t, g in enumerate(grads, 1):
        if decoupled:
            p *= 1 - lr * wd
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = max(vmax, v)
        v_hat = (vmax if amsgrad else v) / (1 - b2**t)
        p -= lr * (m / (1 - b1**t)) / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


GRADS = [0.3, -1.2, 0.05, 2.0, -0.7, 0.0, 0.4]


@pytest.mark.parametrize("options", [{}, {"weight_decay": 0.1}, {"amsgrad": True},
                                     {"betas": [0.5, 0.9], "eps": 1e-3}])
def test_adam_matches_the_paper(options):
    b1, b2 = options.get("betas", (0.9, 0.999))
    expected = _adam_reference(GRADS, 0.01, b1, b2, options.get("eps", 1e-8), options.get("weight_decay", 0.0),
                               amsgrad=options.get("amsgrad", False))
    assert run("adam", GRADS, lr=0.01, **options) == pytest.approx(expected, rel=1e-12)


def test_adamw_decouples_weight_decay_with_default_0_01():
    expected = _adam_reference(GRADS, 0.01, 0.9, 0.999, 1e-8, 0.01, decoupled=True)
    assert run("adamw", GRADS, lr=0.01) == pytest.approx(expected, rel=1e-12)
    assert run("adamw", GRADS, lr=0.01) != pytest.approx(run("adam", GRADS, lr=0.01, weight_decay=0.01), rel=1e-9)


def test_adagrad_hand_computed():
    # sum 1 -> p = 1 - 0.1*1/1; sum 1+4=5 -> p -= 0.1*2/sqrt(5)
    expected = [0.9, 0.9 - 0.2 / math.sqrt(5)]
    assert run("adagrad", [1.0, 2.0], eps=0.0) == pytest.approx(expected, rel=1e-14)


def test_adagrad_lr_decay_and_initial_accumulator():
    # clr_t = lr / (1 + (t-1) * decay); sum starts at 1
    p1 = 1 - 0.1 * 1 / math.sqrt(2)
    p2 = p1 - (0.1 / 1.5) * 1 / math.sqrt(3)
    assert run("adagrad", [1, 1], eps=0.0, lr_decay=0.5, initial_accumulator_value=1.0) == \
        pytest.approx([p1, p2], rel=1e-14)


def test_rmsprop_plain_centered_and_momentum():
    # plain: sq = 0.01*g^2 -> step g/sqrt(sq) = 10 (eps 0)
    assert run("rmsprop", [2.0], lr=0.01, eps=0.0) == pytest.approx([1 - 0.01 * 2 / math.sqrt(0.04)], rel=1e-14)
    # centered: sq=0.04, ga=0.02 -> var = 0.04 - 0.0004
    assert run("rmsprop", [2.0], lr=0.01, eps=0.0, centered=True) == \
        pytest.approx([1 - 0.01 * 2 / math.sqrt(0.0396)], rel=1e-14)
    # momentum 0.5: buf 10 -> p=0.9; sq = 0.99*0.04 + 0.04 = 0.0796; buf = 5 + 2/sqrt(0.0796)
    buf2 = 5 + 2 / math.sqrt(0.0796)
    assert run("rmsprop", [2.0, 2.0], lr=0.01, eps=0.0, momentum=0.5) == \
        pytest.approx([0.9, 0.9 - 0.01 * buf2], rel=1e-13)


# -- block by block ----------------------------------------------------------------------------------
CONFIGS = [("sgd", {}), ("sgd", {"momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
           ("sgd", {"momentum": 0.8, "nesterov": True}),
           ("adam", {}), ("adam", {"weight_decay": 0.1, "amsgrad": True, "betas": [0.5, 0.9]}),
           ("adamw", {}), ("adagrad", {"lr_decay": 0.1, "weight_decay": 0.2, "initial_accumulator_value": 0.5}),
           ("rmsprop", {}), ("rmsprop", {"centered": True, "momentum": 0.7, "weight_decay": 0.1})]


def train_vector(name, options, size, steps=5, lr=0.01):
    """``steps`` updates of a random vector of ``size`` from random gradients: (params, state, grads)."""
    rng = np.random.default_rng(7)
    opt = OPTIMIZERS[name](size, lr=lr, **options)
    params = rng.normal(size=size)
    grads = [rng.normal(size=size) for _ in range(steps)]
    p0 = params.copy()
    for g in grads:
        before = g.copy()
        opt.step(params, g, lr)
        assert np.array_equal(g, before)  # the gradient is left as it was
    return p0, params, opt.state, grads


@pytest.mark.parametrize("name, options", CONFIGS)
def test_block_by_block_is_bit_for_bit_one_block(name, options, monkeypatch):
    _, whole, whole_state, _ = train_vector(name, options, 50)
    monkeypatch.setattr(optimizers, "BLOCK", 7)  # 8 blocks, the last one element long
    _, blocked, blocked_state, _ = train_vector(name, options, 50)
    assert np.array_equal(blocked, whole)
    assert blocked_state.keys() == whole_state.keys()
    for term in whole_state:
        assert np.array_equal(blocked_state[term], whole_state[term]), term


@pytest.mark.parametrize("name, options", CONFIGS)
def test_a_vector_of_many_blocks_matches_live_torch(name, options):
    torch = pytest.importorskip("torch")
    size = 2 * BLOCK + 1234
    p0, ours, state, grads = train_vector(name, options, size)
    theirs = torch.nn.Parameter(torch.from_numpy(p0.copy()))
    kinds = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
             "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop}
    opt = kinds[name]([theirs], lr=0.01, foreach=False, **options)
    for g in grads:
        theirs.grad = torch.from_numpy(g.copy())
        opt.step()
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    for term, values in state.items():
        np.testing.assert_allclose(values, opt.state[theirs][term].numpy(), rtol=1e-10, atol=1e-12, err_msg=term)


# -- schedules ---------------------------------------------------------------------------------------
def lrs(name, n, base=1.0, **options):
    schedule = SCHEDULES[name](base, **options)
    return [schedule.lr(t) for t in range(n)]


def test_constant_and_step_schedules():
    assert lrs("constant", 3, base=0.3) == [0.3, 0.3, 0.3]
    assert lrs("step", 6, step_size=2, gamma=0.5) == [1, 1, 0.5, 0.5, 0.25, 0.25]


def test_cosine_schedule_closed_form():
    expected = [1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5, (1 + math.cos(3 * math.pi / 4)) / 2, 0.0,
                (1 + math.cos(3 * math.pi / 4)) / 2]  # past t_max it rises again, as CosineAnnealingLR
    assert lrs("cosine", 6, t_max=4) == pytest.approx(expected, abs=1e-15)
    assert lrs("cosine", 5, t_max=4, eta_min=0.2)[-1] == pytest.approx(0.2)


def test_linear_warmup_then_schedule():
    assert lrs("step", 7, warmup=4, step_size=2, gamma=0.1) == pytest.approx([0.25, 0.5, 0.75, 1, 1, 1, 0.1])
    assert lrs("constant", 2, warmup=1) == [1.0, 1.0]


def test_schedule_advances_once_per_step_in_the_trainer():
    net = load_model({"format": "nnviz.model/1", "inputs": 1, "layers": [{"type": "dense", "units": 1}],
                      "optimizer": {"name": "sgd", "lr": 0.5},
                      "schedule": {"name": "step", "step_size": 2, "gamma": 0.1}})
    tr = Trainer(net, [[1.0], [2.0]], [[1.0], [0.0]], batch_size=1, shuffle=False)
    tr.run(5)
    assert tr.history["lr"] == pytest.approx([0.5, 0.5, 0.05, 0.05, 0.005])
    assert tr.history["epoch"] == [0.5, 1.0, 1.5, 2.0, 2.5]


def test_clip_grad_norm_scales_the_global_gradient():
    """A linear unit w=[0,0], b=0, x=[3,4], y=1, MSE: grad w = -2*[3,4] (norm 10), b = -2."""
    doc = {"format": "nnviz.model/1", "inputs": 2,
           "layers": [{"type": "dense", "units": 1, "weight": [[0.0, 0.0]], "bias": [0.0]}],
           "optimizer": {"name": "sgd", "lr": 1.0}, "clip_grad_norm": 1.0}
    net = load_model(doc)
    tr = Trainer(net, [[3.0, 4.0]], [[1.0]])
    tr.step()
    norm = math.sqrt(36 + 64 + 4)
    assert tr.history["grad_norm"] == [pytest.approx(norm)]
    coef = 1.0 / (norm + 1e-6)
    np.testing.assert_allclose(net.layers[0].weight, [[6 * coef, 8 * coef]], rtol=1e-14)
    np.testing.assert_allclose(net.layers[0].bias, [2 * coef], rtol=1e-14)
    # a large max_norm leaves the gradient alone
    net2 = load_model({**doc, "clip_grad_norm": 100.0})
    Trainer(net2, [[3.0, 4.0]], [[1.0]]).step()
    np.testing.assert_allclose(net2.layers[0].weight, [[6.0, 8.0]], rtol=1e-15)


def test_l1_l2_regularisation_adds_to_loss_and_gradient():
    doc = {"format": "nnviz.model/1", "inputs": 2,
           "layers": [{"type": "dense", "units": 1, "weight": [[0.5, -2.0]], "bias": [3.0]}],
           "optimizer": {"name": "sgd", "lr": 0.1}, "regularization": {"l1": 0.1, "l2": 0.01}}
    net = load_model(doc)
    tr = Trainer(net, [[0.0, 0.0]], [[3.0]])  # data loss 0 and no data gradient
    loss = tr.step()
    assert loss == pytest.approx(0.1 * 2.5 + 0.01 * 4.25)
    # w -= lr * (l1 sign(w) + 2 l2 w); the bias is not regularised
    np.testing.assert_allclose(net.layers[0].weight, [[0.5 - 0.1 * (0.1 + 0.01), -2.0 - 0.1 * (-0.1 - 0.04)]])
    assert net.layers[0].bias[0] == 3.0
