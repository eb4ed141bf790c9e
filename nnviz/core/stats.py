"""Layer-health statistics: dead and saturated units, gradient flow, update-to-weight ratios, and a
verdict on the network as a whole (sound, collapsed, or not finite).

Pure functions from arrays (a layer's activations on a probe batch, a parameter and its gradient, the
update the optimizer applied) to numbers, so the panels only draw and the tests check the numbers
without Qt. A number that cannot be computed honestly is NaN, never a reassuring 0: the dead and
saturated shares and the percentiles of activations that are not finite are not numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.activations import ACTIVATIONS, SATURATION  # noqa: F401  (the panels' threshold)
from nnviz.core.losses import BINARY, CLASSES

#: gradient norms below / above these are marked vanishing / exploding
VANISHING = 1e-7
EXPLODING = 1e3
#: the reference band of log10(std(ΔW) / std(W)), centred on -3: Karpathy's rule of thumb that a
#: healthy step changes the weights by about 1e-3 of their size ("Building makemore", part 3)
UPDATE_RATIO_BAND = (-4.0, -2.0)
PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: a loss within this share of the chance loss counts as at chance level
CHANCE_MARGIN = 0.02
#: a layer's weights are near zero when rms(W)·√fan_in, the share of its inputs' size that they pass on
#: (about 0.6 to 1.4 after Xavier, He or PyTorch's initialisation), is below this (:func:`weakest_layer`)
NEAR_ZERO_GAIN = 0.2
#: a unit whose output spreads less than this (relative to the layer's largest output, at least 1)
#: over the probe batch is constant
CONSTANT_SPREAD = 1e-6
#: the verdict's states
SOUND, COLLAPSED, NOT_FINITE = "sound", "collapsed", "not_finite"


def dead_fraction(a: np.ndarray, activation: str) -> float | None:
    """Share of units whose output is zero (for leaky variants: negative, on the small slope) for
    every sample of the batch ``a`` (samples, units). None for activations whose units cannot die;
    NaN when the activations are not all finite numbers."""
    if not ACTIVATIONS[activation].can_die or a.size == 0:
        return None
    if not np.isfinite(a).all():
        return math.nan
    return float(np.mean(np.all(a <= 0.0, axis=0)))


def saturated_fraction(a: np.ndarray, activation: str) -> float | None:
    """Share of activations in the flat tails of a bounded activation (for tanh |a| > 0.97, for a
    sigmoid a < 0.03 or a > 0.97: its ``saturation_band``); None for activations without tails;
    NaN when the activations are not all finite numbers."""
    if a.size == 0:
        return None
    saturated = ACTIVATIONS[activation].saturated(a)
    if saturated is None:
        return None
    return float(np.mean(saturated)) if np.isfinite(a).all() else math.nan


def histogram(values: np.ndarray, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges of the finite values (one empty bin around 0 if there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(bins), np.linspace(-1.0, 1.0, bins + 1)
    lo, hi = float(finite.min()), float(finite.max())
    # halved and doubled back: the span of values near ±1.8e308 (a diverging layer) overflows
    edges = 2.0 * np.linspace(lo / 2.0, hi / 2.0, bins + 1)
    if hi - lo <= 1e-12 * max(1.0, abs(lo), abs(hi)) or not np.all(edges[1:] > edges[:-1]):
        # (nearly) constant: too narrow to split into bins
        pad = max(0.5, 1e-3 * max(abs(lo), abs(hi)))
        edges = np.linspace(lo - pad, hi + pad, bins + 1)
    return np.histogram(finite, bins=edges)


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
    """The gradient's norm, mean and largest magnitude (``inf`` where a sum of huge ones overflows)."""
    g = np.abs(grad)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging layer's squares overflow
        return GradientStats(float(np.sqrt(np.sum(grad * grad))), float(g.mean()) if g.size else 0.0,
                             float(g.max()) if g.size else 0.0)


def update_ratio(delta: np.ndarray, weight: np.ndarray) -> float:
    """log10(std(delta) / std(weight)): the size of the update ``delta`` the optimizer applied to
    ``weight`` (the weights before it), relative to their spread. -inf when nothing moved; NaN where
    the weights have no spread (e.g. all zero), one too large for a float, or either is not finite."""
    if not (np.isfinite(weight).all() and np.isfinite(delta).all()):
        return math.nan
    with np.errstate(over="ignore"):  # the spread of values near the largest floats overflows: inf
        sw = float(np.std(weight))
        su = float(np.std(delta))
    if sw == 0.0 or sw == math.inf:
        return math.nan
    if su == 0.0:
        return -math.inf
    ratio = su / sw
    if ratio < math.inf:
        return math.log10(ratio)
    return math.log10(su) - math.log10(sw)  # inf when su is; else the ratio overflowed, not its logarithm


def percentiles(values: np.ndarray) -> np.ndarray:
    """The PERCENTILES of the values (NaN if any is not finite: they are then not numbers)."""
    if values.size == 0 or not np.isfinite(values).all():
        return np.full(len(PERCENTILES), np.nan)
    return np.percentile(values, PERCENTILES)


def chance_loss(loss, y: np.ndarray) -> float:
    """The loss of the best constant prediction for the targets ``y`` (rows; one-hot rows for
    classes): what a network that ignores its inputs reaches. The guesses, given as raw outputs
    that the probability losses read as logits: the classes' log-frequencies (cross-entropy: the
    entropy of the labels, ln k for k equal classes), the logit of each output's mean (binary
    cross-entropy: ln 2 on balanced labels), the mean and the median (the best for squared and for
    absolute errors; mean squared error: the variance of the targets)."""
    tiny = 1e-12
    if loss.targets == CLASSES:
        guesses = [np.log(np.maximum(y.mean(axis=0), tiny))]
    elif loss.targets == BINARY:
        p = np.clip(y.mean(axis=0), tiny, 1.0 - tiny)
        guesses = [np.log(p) - np.log1p(-p)]
    else:
        guesses = [y.mean(axis=0), np.median(y, axis=0)]
    return min(loss.value(np.repeat(g[None, :], len(y), axis=0), y) for g in guesses)


def layer_name(index: int, count: int) -> str:
    """"Hidden layer 1" … or "Output layer": a layer as a person counts it (from 1, as the sidebar)."""
    return "Output layer" if index == count - 1 else f"Hidden layer {index + 1}"


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
    # log10(std(ΔW) / std(W)) of the layer's weight on the last step the optimizer took; None
    # without a weight matrix or before any step
    update_ratio: float | None
    batchnorm: dict[str, np.ndarray] | None = None  # batch vs running statistics, train/eval gap
    dropout: dict | None = None  # the last training step's mask and its 1/(1-p) scale


def layer_health(net, update: tuple[np.ndarray, np.ndarray] | None = None,
                 dropout_masks: dict[int, np.ndarray] | None = None) -> tuple[LayerHealth, ...]:
    """Health of every layer of ``net`` from its last forward/backward pass (the probe batch:
    call ``net.loss_and_gradients(X_probe, y_probe, training=False)`` first). ``update`` is the last
    step's ``(before, delta)`` over ``net.flat_params`` (:attr:`~nnviz.core.trainer.Trainer.last_update`),
    None before any step."""
    out = []
    for i, layer in enumerate(net.layers):
        a = layer.a
        act = layer.activation.name
        grads = {name: gradient_stats(g) for name, g in layer.gradients().items()}
        total = math.sqrt(sum(s.norm * s.norm for s in grads.values()))  # a float ** raises on overflow
        ratio = None
        if update is not None and "weight" in grads and layer.WEIGHTED:
            piece = net.param_slices[f"layers[{i}].weight"]
            ratio = update_ratio(update[1][piece], update[0][piece])
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


@dataclass(frozen=True)
class HealthVerdict:
    """The network as a whole on the probe batch: sound, collapsed (its output ignores its inputs)
    or not finite (diverged), with one line that says why."""

    state: str  # SOUND, COLLAPSED or NOT_FINITE
    reason: str  # one line a person reads; "" when sound
    loss: float  # the data loss on the probe batch
    chance_loss: float  # the loss of the best constant prediction for the probe targets
    layer: int | None = None  # the layer that shows the problem, if one does


def health_verdict(net, x: np.ndarray, y: np.ndarray) -> HealthVerdict:
    """Judge ``net`` from its last forward pass on the probe batch ``(x, y)`` (evaluation mode).

    Not finite: the loss, a parameter or an activation is NaN or infinite. Collapsed, when the
    inputs vary and the targets do too: every unit of a layer is constant over the batch, or, after
    training, the loss is at chance level (within CHANCE_MARGIN of :func:`chance_loss`) while a
    layer's weights are near zero (:func:`weakest_layer`)."""
    layers, count = net.layers, len(net.layers)
    with np.errstate(all="ignore"):
        loss = float(net.data_loss(layers[-1].a, y)[0])
        chance = float(chance_loss(net.loss, y))
    bad = next((i for i, layer in enumerate(layers) if not np.isfinite(layer.a).all()), None)
    if not math.isfinite(loss) or bad is not None or not np.isfinite(net.flat_params).all():
        if bad is None:
            reason = f"Diverged: the loss is {_word(loss)}." if not math.isfinite(loss) else \
                "Diverged: some weights are not finite numbers."
        else:
            reason = (f"Diverged: the loss is {_word(loss)}; from {_named(bad, count)} on, the activations "
                      "are not finite numbers.")
        return HealthVerdict(NOT_FINITE, reason, loss, chance, bad)
    if len(x) > 1 and np.ptp(x, axis=0).max() > 0 and chance > 0:
        gain, weakest = weakest_layer(layers)
        if net.step_count > 0 and loss >= (1.0 - CHANCE_MARGIN) * chance and gain < NEAR_ZERO_GAIN:
            return HealthVerdict(COLLAPSED, f"Collapsed: the loss {loss:.3g} is at chance level (a constant guess "
                                 f"scores {chance:.3g}) and the weights of {_named(weakest, count)} are near "
                                 "zero: the network ignores its inputs.", loss, chance, weakest)
        constant = next((i for i, layer in enumerate(layers) if _constant(layer.a)), None)
        if constant is not None:
            return HealthVerdict(COLLAPSED, f"Collapsed: every unit of {_named(constant, count)} gives the same "
                                 "output for every sample: the network ignores its inputs.", loss, chance, constant)
    return HealthVerdict(SOUND, "", loss, chance)


def weakest_layer(layers) -> tuple[float, int | None]:
    """The smallest rms(W)·√fan_in of the weighted layers, the share of its inputs' size that a layer's
    weighted sum passes on, and that layer's index (inf and None without weighted layers)."""
    gains = {i: float(np.sqrt(np.mean(layer.weight ** 2)) * math.sqrt(layer.weight.shape[-1]))
             for i, layer in enumerate(layers) if layer.WEIGHTED and layer.weight.size}
    weakest = min(gains, key=gains.get, default=None)
    return (math.inf, None) if weakest is None else (gains[weakest], weakest)


def _named(index: int, count: int) -> str:
    """A layer's name inside a sentence ("hidden layer 2", "the output layer")."""
    return "the output layer" if index == count - 1 else layer_name(index, count).lower()


def _word(value: float) -> str:
    return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _constant(a: np.ndarray) -> bool:
    """Whether every unit (column) of ``a`` gives (nearly) the same output for every sample."""
    if a.size == 0:
        return False
    return bool(np.all(np.ptp(a, axis=0) <= CONSTANT_SPREAD * max(1.0, float(np.abs(a).max()))))
