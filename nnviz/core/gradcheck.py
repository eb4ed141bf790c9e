"""Numerical gradient check: analytic gradients against central differences, per parameter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.network import Network
from nnviz.core.trainer import prepare_inputs, prepare_targets


@dataclass(frozen=True)
class GradientCheck:
    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    relative_error: float  # ||analytic - numerical|| / max(||analytic|| + ||numerical||, floor)


def gradient_check(net: Network, X, y, eps: float = 1e-6, seed: int = 0,
                   floor: float = 1e-6) -> list[GradientCheck]:
    """Compare the backward pass with central differences ``(L(p + eps) - L(p - eps)) / 2 eps`` for
    every parameter of ``net`` on the batch ``(X, y)``, in training mode.

    Running statistics are not updated and every evaluation draws the same dropout mask, so the loss
    is one deterministic function of the parameters. The parameters are left as they were.
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
        a, n = analytic[piece], numerical[piece]
        denom = max(float(np.linalg.norm(a) + np.linalg.norm(n)), floor)
        err = float(np.linalg.norm(a - n)) / denom
        shape = net.get(name).shape
        results.append(GradientCheck(name, a.reshape(shape), n.reshape(shape), err))
    return results
