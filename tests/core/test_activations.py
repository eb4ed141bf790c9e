"""The activations' own numbers: NumPy's sigmoid against PyTorch's over the whole float64 range, exact GELU
against the standard library's erf (no PyTorch needed: `packaging/check-minimums` runs it at SciPy's minimum)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core.activations import make_activation, sigmoid
from nnviz.core.losses import make_loss

#: every region of the sigmoid: its centre, both tails, where exp(-z) overflows (z < -709.78) and
#: where the output falls below the smallest normal float, the extremes, signed zeros and NaN
EDGES = [0.0, -0.0, 0.4, -0.4, 36.0, 37.0, -36.0, 700.0, -700.0, 708.5, -708.5, 709.0, -709.0,
         709.78, -709.78, 709.8, -709.8, 745.0, -745.0, 746.0, -746.0, 1e308, -1e308,
         np.finfo(np.float64).max, -np.finfo(np.float64).max, np.inf, -np.inf, np.nan]


def wide_range() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate([np.linspace(-800.0, 800.0, 160_001), rng.normal(scale=5.0, size=10_000),
                           np.logspace(-300, 308, 609), -np.logspace(-300, 308, 609), EDGES])


def test_sigmoid_equals_pytorchs_over_the_whole_range():
    torch = pytest.importorskip("torch")
    z = wide_range()
    expected = torch.sigmoid(torch.from_numpy(z)).numpy()
    with np.errstate(all="raise"):  # no overflow or underflow escapes, whatever the caller's settings
        got = sigmoid(z)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=0.0, equal_nan=True)
    assert np.array_equal(got[z == 0], np.full((z == 0).sum(), 0.5))


def test_sigmoid_reaches_its_limits_and_keeps_nan():
    got = sigmoid(np.array([1e308, -1e308, np.inf, -np.inf, np.nan, 0.0]))
    assert got[:4].tolist() == [1.0, 0.0, 1.0, 0.0] and np.isnan(got[4]) and got[5] == 0.5


def test_sigmoid_keeps_float32():
    z = np.linspace(-100, 100, 201, dtype=np.float32)
    got = sigmoid(z)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, sigmoid(z.astype(np.float64)), rtol=1e-6, atol=1e-30)


def test_sigmoid_swish_and_the_binary_losses_share_the_sigmoid():
    z = np.array([[-3.0, -0.5, 0.0, 2.0]])
    assert np.array_equal(make_activation("sigmoid").forward(z), sigmoid(z))
    assert np.array_equal(make_activation("swish").forward(z), z * sigmoid(z))
    y = np.array([[0.0, 1.0, 1.0, 0.0]])
    loss, grad, fused = make_loss("bce").evaluate(z, y)  # identity output: the loss squashes the logits
    assert not fused and np.array_equal(grad, (sigmoid(z) - y) / z.size)


def test_exact_gelu_and_its_derivative_equal_the_formula_with_pythons_erf():
    """z Φ(z) and Φ(z) + z φ(z) with Φ from math.erf, over the centre, both tails and the points where
    erf rounds to ±1; the tanh approximation (off by up to 5e-4) or a single-precision erf would fail."""
    z = np.concatenate([np.linspace(-12.0, 12.0, 24_001), np.random.default_rng(1).normal(scale=3.0, size=5_000),
                        [0.0, -0.0, 1e-300, -1e-300, 40.0, -40.0]])
    cdf = np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in z])
    pdf = np.array([math.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi) for v in z])
    gelu = make_activation("gelu")
    got = gelu.forward(z)
    # the erf of SciPy and of libm may differ by an ulp or two: near erf = -1 that is an absolute 1e-16 in Φ
    np.testing.assert_allclose(got, z * cdf, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(gelu.backward(z, got, np.ones_like(z)), cdf + z * pdf, rtol=1e-13, atol=1e-14)
    assert got[z == 40.0].tolist() == [40.0] and got[z == -40.0].tolist() == [-0.0]
