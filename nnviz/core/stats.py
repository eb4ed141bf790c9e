"""Layer-health statistics: dead and saturated units, gradient flow, update-to-weight ratios.

Pure functions from arrays (a layer's activations on a probe batch, a parameter and its gradient) to
numbers, so the panels only draw and the tests check the numbers without Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.activations import ACTIVATIONS, SATURATION  # noqa: F401  (the panels' threshold)

#: gradient norms below / above these are marked vanishing / exploding
VANISHING = 1e-7
EXPLODING = 1e3
#: the reference band of log10(update / weight): around -3 (Karpathy's "makemore" rule of thumb)
UPDATE_RATIO_BAND = (-4.0, -2.0)
PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)


def dead_fraction(a: np.ndarray, activation: str) -> float | None:
    """Share of units whose output is zero (for leaky variants: negative, on the small slope) for
    every sample of the batch ``a`` (samples, units). None for activations whose units cannot die."""
    if not ACTIVATIONS[activation].can_die or a.size == 0:
        return None
    return float(np.mean(np.all(a <= 0.0, axis=0)))


def saturated_fraction(a: np.ndarray, activation: str) -> float | None:
    """Share of activations in the flat tails of a bounded activation (for tanh |a| > 0.97, for a
    sigmoid a < 0.03 or a > 0.97: its ``saturation_band``); None for activations without tails."""
    if a.size == 0:
        return None
    saturated = ACTIVATIONS[activation].saturated(a)
    return None if saturated is None else float(np.mean(saturated))


def histogram(values: np.ndarray, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges of the finite values (one empty bin around 0 if there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(bins), np.linspace(-1.0, 1.0, bins + 1)
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= 1e-12 * max(1.0, abs(lo), abs(hi)):  # (nearly) constant: too narrow to split into bins
        lo, hi = lo - 0.5, hi + 0.5
    return np.histogram(finite, bins=bins, range=(lo, hi))


@dataclass(frozen=True)
class GradientStats:
    norm: float
    mean_abs: float
    max_abs: float

    @property
    def vanishing(self) -> bool:
        return self.norm < VANISHING

    @property
    def exploding(self) -> bool:
        return self.norm > EXPLODING


def gradient_stats(grad: np.ndarray) -> GradientStats:
    g = np.abs(grad)
    return GradientStats(float(np.sqrt(np.sum(grad * grad))), float(g.mean()) if g.size else 0.0,
                         float(g.max()) if g.size else 0.0)


def update_ratio(lr: float, grad: np.ndarray, weight: np.ndarray) -> float:
    """log10(lr * std(grad) / std(weight)): the size of a plain SGD step relative to the weights.
    NaN where the weights have no spread (e.g. all zero)."""
    sw = float(np.std(weight))
    sg = float(np.std(grad))
    if sw == 0.0 or not math.isfinite(sw):
        return math.nan
    if sg == 0.0:
        return -math.inf
    return math.log10(lr * sg / sw)


def actual_update_ratio(before: np.ndarray, after: np.ndarray) -> float:
    """log10(std(after - before) / std(before)): what the optimizer really changed."""
    sw = float(np.std(before))
    su = float(np.std(after - before))
    if sw == 0.0:
        return math.nan
    if su == 0.0:
        return -math.inf
    return math.log10(su / sw)


def percentiles(values: np.ndarray) -> np.ndarray:
    """The PERCENTILES of the finite values (NaN if none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(len(PERCENTILES), np.nan)
    return np.percentile(finite, PERCENTILES)


@dataclass(frozen=True)
class LayerHealth:
    """One layer's health on the probe batch: what the health strip and the insight panels draw."""

    index: int
    type: str
    activation: str
    mean: float
    std: float
    dead: float | None  # share of units dead on the whole probe batch (ReLU-like layers)
    saturated: float | None  # share of activations saturated (tanh, sigmoid)
    percentiles: np.ndarray  # PERCENTILES of the activations
    histogram: tuple[np.ndarray, np.ndarray]  # counts, edges
    grads: dict[str, GradientStats]  # per parameter of the layer ("weight", "bias", …)
    grad_norm: float  # over all the layer's parameters (0 for a layer without any)
    update_ratio: float | None  # log10(lr std(dW) / std(W)) of the layer's weight; None without one
    batchnorm: dict[str, np.ndarray] | None = None  # batch vs running statistics, train/eval gap
    dropout: dict | None = None  # the last training step's mask and its 1/(1-p) scale


def layer_health(net, lr: float, dropout_masks: dict[int, np.ndarray] | None = None) -> tuple[LayerHealth, ...]:
    """Health of every layer of ``net`` from its last forward/backward pass (the probe batch:
    call ``net.loss_and_gradients(X_probe, y_probe, training=False)`` first)."""
    out = []
    for i, layer in enumerate(net.layers):
        a = layer.a
        act = layer.activation.name
        grads = {name: gradient_stats(g) for name, g in layer.gradients().items()}
        total = math.sqrt(sum(s.norm ** 2 for s in grads.values()))
        ratio = update_ratio(lr, layer.grad_weight, layer.weight) if "weight" in grads and \
            layer.WEIGHTED else None
        bn = _batchnorm_view(layer) if layer.type == "batchnorm" else None
        drop = None
        if layer.type == "dropout":
            mask = (dropout_masks or {}).get(i)
            drop = {"p": layer.p, "scale": 1.0 / (1.0 - layer.p) if layer.p < 1 else 0.0, "mask": mask}
        out.append(LayerHealth(
            i, layer.type, act, float(np.mean(a)) if a.size else math.nan, float(np.std(a)) if a.size else math.nan,
            dead_fraction(a, act), saturated_fraction(a, act), percentiles(a.ravel()), histogram(a.ravel()),
            grads, total, ratio, bn, drop))
    return tuple(out)


def _batchnorm_view(layer) -> dict[str, np.ndarray]:
    """The probe batch's own mean and (biased) variance beside the running statistics, and how far
    the training-mode output would be from the evaluation-mode output, per unit."""
    x = layer.x
    batch_mean = x.mean(axis=0)
    batch_var = x.var(axis=0)
    train_out = (x - batch_mean) / np.sqrt(batch_var + layer.eps) * layer.weight + layer.bias
    eval_out = (x - layer.running_mean) / np.sqrt(layer.running_var + layer.eps) * layer.weight + layer.bias
    return {"batch_mean": batch_mean, "batch_var": batch_var, "running_mean": np.array(layer.running_mean),
            "running_var": np.array(layer.running_var), "train_eval_gap": np.mean(np.abs(train_out - eval_out), axis=0)}
