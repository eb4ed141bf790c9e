"""Activation functions, each with its derivative beside it.

An activation maps a layer's pre-activation ``z`` to its output ``a = f(z)``. ``backward(z, a, da)``
returns ``dL/dz`` given ``dL/da``; it receives both ``z`` and ``a`` so each derivative can use whichever
form is cheapest and most accurate (``1 - a**2`` for tanh, ``a (1 - a)`` for the sigmoid). Formulas and
conventions at kinks follow PyTorch: ``relu'(0) = 0``, ``leaky_relu'(0) = alpha``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from nnviz.core.errors import ModelError
from nnviz.core.spec import split_named

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_BETA = math.sqrt(2.0 / math.pi)
_GELU_TANH_KAPPA = 0.044715


class Activation:
    """Base class. Subclasses set ``name`` and ``defaults`` and implement forward/backward."""

    name = ""
    defaults: dict = {}
    #: names and shapes of learnable parameters (PReLU only); bound by the layer that owns them
    param_shapes: tuple = ()

    def __init__(self, **options):
        unknown = set(options) - set(self.defaults)
        if unknown:
            raise ModelError(f"unknown option {sorted(unknown)[0]!r} for activation {self.name!r}")
        self.options = {**self.defaults, **options}
        for key, value in self.options.items():
            setattr(self, key, value)

    def forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """f'(z) elementwise (not defined for softmax, whose Jacobian is a matrix per row)."""
        a = self.forward(z)
        return self.backward(z, a, np.ones_like(z))

    def to_spec(self) -> str | dict:
        changed = {k: v for k, v in self.options.items() if v != self.defaults[k]}
        return {"name": self.name, **changed} if changed else self.name

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}({opts})"


class Identity(Activation):
    name = "identity"

    def forward(self, z):
        return z

    def backward(self, z, a, da):
        return da


class Step(Activation):
    """Heaviside step, as in Rosenblatt's perceptron: 1 where z > 0, 0 where z < 0, ``at_zero`` at 0.

    Its derivative is 0 everywhere (undefined at 0), which is why gradient descent cannot train it.
    """

    name = "step"
    defaults = {"at_zero": 0.0}

    def forward(self, z):
        a = (z > 0).astype(z.dtype)
        if self.at_zero:
            a[z == 0] = self.at_zero
        return a

    def backward(self, z, a, da):
        return np.zeros_like(da)


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z):
        return special.expit(z)

    def backward(self, z, a, da):
        return da * (a * (1.0 - a))


class Tanh(Activation):
    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def backward(self, z, a, da):
        d = a * a
        np.subtract(1.0, d, out=d)
        d *= da
        return d


class ReLU(Activation):
    name = "relu"

    def forward(self, z):
        return np.maximum(z, 0.0)

    def backward(self, z, a, da):
        return da * (z > 0)


class LeakyReLU(Activation):
    name = "leaky_relu"
    defaults = {"alpha": 0.01}

    def forward(self, z):
        return np.where(z > 0, z, z * self.alpha)

    def backward(self, z, a, da):
        return np.where(z > 0, da, da * self.alpha)


class PReLU(Activation):
    """Leaky ReLU whose negative slope ``alpha`` is learned (one per layer, as ``nn.PReLU()``)."""

    name = "prelu"
    defaults = {"init": 0.25}
    param_shapes = (("alpha", (1,)),)

    def bind(self, alpha: np.ndarray, grad_alpha: np.ndarray) -> None:
        self.alpha, self.grad_alpha = alpha, grad_alpha

    def forward(self, z):
        return np.where(z > 0, z, z * self.alpha[0])

    def backward(self, z, a, da):
        negative = z <= 0
        self.grad_alpha[0] = np.sum(da * z * negative)
        return np.where(negative, da * self.alpha[0], da)


class ELU(Activation):
    name = "elu"
    defaults = {"alpha": 1.0}

    def forward(self, z):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def backward(self, z, a, da):
        return np.where(z > 0, da, da * (self.alpha * np.exp(np.minimum(z, 0.0))))


class GELU(Activation):
    """Gaussian error linear unit: exact ``z Phi(z)`` (erf), or PyTorch's ``approximate="tanh"``."""

    name = "gelu"
    defaults = {"approximate": "none"}

    def __init__(self, **options):
        super().__init__(**options)
        if self.approximate not in ("none", "tanh"):
            raise ModelError(f"gelu: approximate must be 'none' or 'tanh', got {self.approximate!r}")

    def forward(self, z):
        if self.approximate == "tanh":
            inner = _GELU_TANH_BETA * (z + _GELU_TANH_KAPPA * z * z * z)
            return 0.5 * z * (1.0 + np.tanh(inner))
        return 0.5 * z * (1.0 + special.erf(z * _SQRT_HALF))

    def backward(self, z, a, da):
        if self.approximate == "tanh":
            z2 = z * z
            t = np.tanh(_GELU_TANH_BETA * (z + _GELU_TANH_KAPPA * z2 * z))
            left = 0.5 * (1.0 + t)
            right = 0.5 * z * (1.0 - t * t) * _GELU_TANH_BETA * (1.0 + 3.0 * _GELU_TANH_KAPPA * z2)
            return da * (left + right)
        cdf = 0.5 * (1.0 + special.erf(z * _SQRT_HALF))
        pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return da * (cdf + z * pdf)


class Swish(Activation):
    """``z * sigmoid(beta z)``; beta = 1 is SiLU (the gate of SwiGLU)."""

    name = "swish"
    defaults = {"beta": 1.0}

    def forward(self, z):
        return z * special.expit(self.beta * z)

    def backward(self, z, a, da):
        s = special.expit(self.beta * z)
        return da * (s * (1.0 + self.beta * z * (1.0 - s)))


class Softmax(Activation):
    """Row-wise softmax, shifted by the row maximum so that no exponential overflows."""

    name = "softmax"

    def forward(self, z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def backward(self, z, a, da):
        # Full Jacobian product: dz_i = a_i (da_i - sum_j da_j a_j)
        return a * (da - np.sum(da * a, axis=-1, keepdims=True))

    def derivative(self, z):
        raise ModelError("softmax has a full Jacobian, not an elementwise derivative")


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls
    for cls in (Identity, Step, Sigmoid, Tanh, ReLU, LeakyReLU, PReLU, ELU, GELU, Swish, Softmax)
}


def make_activation(spec: str | dict | None, where: str = "activation") -> Activation:
    """Build an activation from a name or ``{"name": ..., options}``; errors name ``where``."""
    if spec is None:
        return Identity()
    name, options = split_named(spec, where, ACTIVATIONS, "activation")
    cls = ACTIVATIONS[name]
    for key, value in options.items():
        default = cls.defaults.get(key)
        if isinstance(default, float) and not _is_finite_number(value):
            raise ModelError(f"{where}.{key}: expected a finite number, got {value!r}")
    try:
        return cls(**{k: float(v) if isinstance(cls.defaults.get(k), float) else v
                      for k, v in options.items()})
    except ModelError as exc:
        raise ModelError(f"{where}: {exc}") from None


def _is_finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
