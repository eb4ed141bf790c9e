"""The gradient check's per-entry numbers: what the gradient-check view shows, computed in the core."""

import math

import numpy as np
import pytest

from nnviz.core import load_model
from nnviz.core.gradcheck import (
    AGREE,
    AGREES,
    CHECK,
    DISAGREE,
    DISAGREES,
    CheckEntry,
    GradientCheck,
    entry_count,
    gradient_check,
    verdict,
    worst,
)

WRONG_SCALE = 1.1  # a weight gradient 10% too large: entry errors 0.1 / 2.1 ≈ 0.048


def tanh_net():
    return load_model({"format": "nnviz.model/1", "inputs": 2, "seed": 0, "loss": "mse",
                       "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                                  {"type": "dense", "units": 3, "activation": "tanh"},
                                  {"type": "dense", "units": 1}]})


def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, 2)), rng.normal(size=(6, 1))


def break_weight_gradient(layer, scale=WRONG_SCALE):
    """Make ``layer``'s backward pass report ``scale`` times its true weight gradient."""
    right = layer._backward

    def wrong(dz, need_dx):
        dx = right(dz, need_dx)
        layer.grad_weight *= scale
        return dx

    layer._backward = wrong


def test_a_right_backward_agrees_in_every_entry():
    checks = gradient_check(tanh_net(), *batch())
    assert [c.name for c in checks] == [f"layers[{i}].{p}" for i in range(3) for p in ("weight", "bias")]
    for check in checks:
        assert check.entry_errors.shape == check.analytic.shape == check.numerical.shape == check.abs_diff.shape
        assert check.entry_errors.max() < 1e-7, check.name
        assert check.relative_error < 1e-7
        assert check.max_entry_error < AGREE
        assert check.max_abs_diff < 1e-9
    entry = worst(checks)
    assert verdict(entry.relative_error) == AGREES


def test_a_wrong_weight_gradient_shows_in_that_tensor_only():
    net = tanh_net()
    break_weight_gradient(net.layers[1])
    checks = {c.name: c for c in gradient_check(net, *batch())}
    bad = checks.pop("layers[1].weight")
    expected = (WRONG_SCALE - 1) / (WRONG_SCALE + 1)
    np.testing.assert_allclose(bad.entry_errors, expected, rtol=1e-5)
    assert bad.relative_error == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(bad.analytic, WRONG_SCALE * bad.numerical, rtol=1e-6)
    for name, check in checks.items():
        assert check.entry_errors.max() < 1e-7, name
    entry = worst([*checks.values(), bad])
    assert entry.parameter == "layers[1].weight"
    assert entry.index == bad.worst_index
    assert entry.relative_error == bad.max_entry_error == pytest.approx(expected, rel=1e-5)
    assert verdict(entry.relative_error) == DISAGREES


def test_entry_numbers_are_the_arrays_entries():
    check = gradient_check(tanh_net(), *batch())[0]
    entries = list(check.entries())
    assert len(entries) == check.size == 8
    assert [e.index for e in entries[:3]] == [(0, 0), (0, 1), (1, 0)]  # row-major, as the flat buffer
    e = entries[2]
    assert e.label == "layers[0].weight[1, 0]"
    assert (e.analytic, e.numerical) == (check.analytic[1, 0], check.numerical[1, 0])
    assert e.abs_diff == abs(e.analytic - e.numerical)
    assert e.relative_error == e.abs_diff / max(abs(e.analytic) + abs(e.numerical), check.floor)
    assert check.max_abs_diff == check.abs_diff.max()
    assert CheckEntry("layers[0].bias", (2,), 0, 0, 0, 0).label == "layers[0].bias[2]"


def test_tiny_gradients_are_compared_against_the_floor():
    a, n = np.array([1e-12, 0.0]), np.array([3e-12, 0.0])
    diff = np.abs(a - n)
    check = GradientCheck("p", a, n, 0.0, diff / np.maximum(np.abs(a) + np.abs(n), 1e-6), diff)
    assert check.entry_errors[0] == pytest.approx(2e-6)
    assert check.entry_errors[1] == 0.0


def test_results_are_read_only():
    check = gradient_check(tanh_net(), *batch())[0]
    for array in (check.analytic, check.numerical, check.entry_errors, check.abs_diff):
        with pytest.raises(ValueError):
            array[...] = 0


def test_verdict_bands():
    assert [verdict(v) for v in (0.0, AGREE / 2, AGREE, DISAGREE, DISAGREE * 1.01, 1.0, math.inf, math.nan)] == \
        [AGREES, AGREES, CHECK, CHECK, DISAGREES, DISAGREES, DISAGREES, DISAGREES]


def test_worst_counts_nan_as_the_worst_and_handles_no_checks():
    def check(name, errors):
        errors = np.asarray(errors, dtype=float)
        zeros = np.zeros_like(errors)
        return GradientCheck(name, zeros, zeros, 0.0, errors, zeros)

    assert worst([]) is None
    assert entry_count([]) == 0
    checks = [check("a", [1e-9, 0.5]), check("b", [[0.1, math.nan]]), check("c", [0.9])]
    entry = worst(checks)
    assert (entry.parameter, entry.index) == ("b", (0, 1))
    assert math.isnan(entry.relative_error)
    assert worst(checks[:1] + checks[2:]).parameter == "c"
    assert entry_count(checks) == 5


def test_entries_are_named_as_a_person_counts_them_with_the_document_path_kept():
    from nnviz.core.experiment import Experiment

    exp = Experiment()
    checks = gradient_check(exp.net, exp.X[:5], exp.y[:5])
    first = next(checks[0].entries())
    assert (first.label, first.title) == ("layers[0].weight[0, 0]", "W1[1,1]")
    bias = checks[-1].entry((0,))
    assert (bias.label, bias.title) == ("layers[2].bias[0]", "b3[1]")
