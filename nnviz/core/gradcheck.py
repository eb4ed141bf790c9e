"""Numerical gradient check: analytic gradients against central differences, per parameter.

:func:`gradient_check` returns one :class:`GradientCheck` per parameter tensor, with the error of the
whole tensor and of every entry; :func:`worst` finds the entry that agrees least, and :func:`verdict`
says what its error means (the bands of CS231n's rule of thumb).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from nnviz.core.data import prepare_inputs, prepare_targets
from nnviz.core.network import Network

AGREE = 1e-7  # relative errors below this: the backward pass agrees with central differences
DISAGREE = 1e-4  # above this they disagree; between the two, worth a check (a kink, float noise)
AGREES, CHECK, DISAGREES = "agree", "check", "disagree"


def verdict(relative_error: float) -> str:
    """``"agree"`` below :data:`AGREE`, ``"disagree"`` above :data:`DISAGREE` (and for NaN),
    ``"check"`` between."""
    if math.isnan(relative_error) or relative_error > DISAGREE:
        return DISAGREES
    return AGREES if relative_error < AGREE else CHECK


@dataclass(frozen=True)
class CheckEntry:
    """One scalar parameter's analytic and numerical gradient."""

    parameter: str  # the tensor, "layers[0].weight"
    index: tuple[int, ...]  # the entry within it, (1, 0)
    analytic: float
    numerical: float
    abs_diff: float  # |analytic - numerical|
    relative_error: float  # abs_diff / max(|analytic| + |numerical|, floor)
    symbol: str = ""  # how a person names the tensor, "W1" (layers and units counted from 1)

    @property
    def label(self) -> str:
        """"layers[0].weight[1, 0]": the document path (counted from 0)."""
        return f"{self.parameter}[{', '.join(map(str, self.index))}]" if self.index else self.parameter

    @property
    def title(self) -> str:
        """"W1[2,1]": the entry as the walkthrough and the graph name it, counted from 1."""
        if not self.symbol:
            return self.label
        return f"{self.symbol}[{','.join(str(i + 1) for i in self.index)}]" if self.index else self.symbol


@dataclass(frozen=True)
class GradientCheck:
    """One parameter tensor's check; every array has the parameter's shape and is read-only."""

    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    relative_error: float  # ||analytic - numerical|| / max(||analytic|| + ||numerical||, floor)
    entry_errors: np.ndarray  # |analytic - numerical| / max(|analytic| + |numerical|, floor), per entry
    abs_diff: np.ndarray  # |analytic - numerical|, per entry
    floor: float = 1e-6
    symbol: str = ""  # "W1": the tensor as a person names it (see CheckEntry.title)

    @property
    def size(self) -> int:
        return self.analytic.size

    @property
    def max_abs_diff(self) -> float:
        return float(self.abs_diff.max()) if self.abs_diff.size else 0.0

    @property
    def max_entry_error(self) -> float:
        """The largest entry error (NaN if any entry is NaN)."""
        return float(self.entry_errors[self.worst_index]) if self.entry_errors.size else 0.0

    @property
    def worst_index(self) -> tuple[int, ...]:
        """The index of the entry with the largest relative error (a NaN counts as the largest)."""
        errors = np.where(np.isnan(self.entry_errors), np.inf, self.entry_errors)
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), errors.shape))

    def entry(self, index: tuple[int, ...]) -> CheckEntry:
        index = tuple(int(i) for i in index)
        return CheckEntry(self.name, index, float(self.analytic[index]), float(self.numerical[index]),
                          float(self.abs_diff[index]), float(self.entry_errors[index]), self.symbol)

    def entries(self) -> Iterator[CheckEntry]:
        """Every entry, in row-major order (the order of the network's flat buffer)."""
        for index in np.ndindex(self.analytic.shape):
            yield self.entry(index)


def worst(checks: Iterable[GradientCheck]) -> CheckEntry | None:
    """The entry with the largest relative error over all ``checks`` (a NaN counts as the largest;
    the first of equals wins); None when there is no entry."""
    best, best_key = None, -math.inf
    for check in checks:
        if not check.size:
            continue
        entry = check.entry(check.worst_index)
        key = math.inf if math.isnan(entry.relative_error) else entry.relative_error
        if best is None or key > best_key:
            best, best_key = entry, key
    return best


def entry_count(checks: Iterable[GradientCheck]) -> int:
    return sum(check.size for check in checks)


def gradient_check(net: Network, X, y, eps: float = 1e-6, seed: int | list[int] = 0,
                   floor: float = 1e-6) -> list[GradientCheck]:
    """Compare the backward pass with central differences ``(L(p + eps) - L(p - eps)) / 2 eps`` for
    every parameter of ``net`` on the batch ``(X, y)``, in training mode.

    Running statistics are not updated and every evaluation draws the same dropout mask (from
    ``default_rng(seed)``; the trainer's mask for step ``t`` is ``seed=[trainer.seed, 1, t]``), so the
    loss is one deterministic function of the parameters. The parameters are left as they were.
    Gradients whose norms add up to less than ``floor`` are compared absolutely (a gradient that is
    exactly zero, such as a bias before BatchNorm, would otherwise give a meaningless ratio of
    rounding errors).
    """
    X = prepare_inputs(net, X)
    y = prepare_targets(net, y, X.shape[0])

    def loss_at() -> float:
        rng = np.random.default_rng(seed)
        return net.loss_and_gradients(X, y, training=True, rng=rng, update_stats=False)

    flat = net.flat_params
    saved = flat.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        loss_at()
        analytic = net.flat_grads.copy()
        numerical = np.empty_like(analytic)
        for k in range(flat.size):
            flat[k] = saved[k] + eps
            plus = loss_at()
            flat[k] = saved[k] - eps
            minus = loss_at()
            flat[k] = saved[k]
            numerical[k] = (plus - minus) / (2.0 * eps)
        loss_at()  # leave the gradients of the unperturbed parameters in place
    results = []
    for name, piece in net.param_slices.items():
        shape = net.get(name).shape
        a, n = analytic[piece].reshape(shape), numerical[piece].reshape(shape)
        with np.errstate(over="ignore", invalid="ignore"):
            diff = np.abs(a - n)
            denom = max(float(np.linalg.norm(a) + np.linalg.norm(n)), floor)
            err = float(np.linalg.norm(a - n)) / denom
            entry_errors = diff / np.maximum(np.abs(a) + np.abs(n), floor)
        for array in (a, n, diff, entry_errors):
            array.setflags(write=False)
        results.append(GradientCheck(name, a, n, err, entry_errors, diff, floor, _symbol(net, name)))
    return results


def _symbol(net: Network, name: str) -> str:
    """``"layers[0].weight"`` -> ``"W1"``: the layer's symbol for the parameter, the layer counted from 1."""
    layer, _, param = name.partition(".")
    i = int(layer[len("layers["):-1])
    return f"{net.layers[i].param_symbol(param)}{i + 1}"
