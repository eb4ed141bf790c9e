"""Activation functions, each with its derivative beside it.

An activation maps a layer's pre-activation ``z`` to its output ``a = f(z)``. ``backward(z, a, da)``
returns ``dL/dz`` given ``dL/da``; it receives both ``z`` and ``a`` so each derivative can use whichever
form is cheapest and most accurate (``1 - a**2`` for tanh, ``a (1 - a)`` for the sigmoid). Formulas and
conventions at kinks follow PyTorch: ``relu'(0) = 0``, ``leaky_relu'(0) = alpha``.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.spec import HotPath, Registry, split_named
from nnviz.core.text import QT_TRANSLATE_NOOP

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_BETA = math.sqrt(2.0 / math.pi)
_GELU_TANH_KAPPA = 0.044715
#: an output beyond this share of a bounded activation's range (|tanh| > 0.97, a sigmoid outside
#: [0.03, 0.97]) counts as saturated: its derivative is under 6 % of its largest
SATURATION = 0.97

#: name -> activation class; ``@ACTIVATIONS.register`` adds one
ACTIVATIONS: Registry = Registry("activation")


# (as a decorator, errstate costs half what a ``with`` block does: it matters on a small network)
@np.errstate(over="ignore", under="ignore")
def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))``, PyTorch's formula, which reaches the right limits for any ``z``: below
    z = -709.78 ``exp(-z)`` overflows to inf and the output (under 1e-308) is 0, as in PyTorch.
    Four NumPy passes: faster than SciPy's ``expit`` from a few hundred values, and no SciPy import."""
    e = np.negative(z)
    np.exp(e, out=e)
    e += 1.0
    return np.divide(1.0, e, out=e)


def _erf(z: np.ndarray) -> np.ndarray:
    """The error function, for exact GELU, from SciPy: imported on first use, to keep it out of start-up."""
    from scipy import special

    return special.erf(z)


class Activation(HotPath):
    """Base class. Subclasses set ``name`` and ``defaults``, implement forward/backward, and describe
    themselves: everything the app, the walkthrough and the statistics say about an activation comes
    from these facts, so a new activation is one class and its entry in :data:`ACTIVATIONS`."""

    name = ""
    defaults: dict = {}
    #: names and shapes of learnable parameters (PReLU only); bound by the layer that owns them
    param_shapes: tuple = ()
    #: how people write its name
    title = ""
    #: one line for the controls' tooltip
    tooltip = ""
    #: ``f(z)`` and ``f'(z)`` as plain text (the walkthrough's formula lines) and as LaTeX
    formula_text = "f(z)"
    derivative_text = "f'(z)"
    formula_latex = "f(z)"
    derivative_latex = "f'(z)"
    #: the range of its outputs where it is bounded (plots use it as a fixed axis), else None
    output_range: tuple[float, float] | None = None
    #: the band of outputs that is *not* saturated, for a bounded activation whose tails are flat
    saturation_band: tuple[float, float] | None = None
    #: the output value that separates two classes when it is a single output unit (0 for logits)
    decision_threshold = 0.0
    #: whether a unit can die: output zero (or on a small negative slope) for every input it sees
    can_die = False
    #: said in the walkthrough under the backward step through it
    backward_note = ""
    #: each output depends on its own z only (False for softmax, whose outputs share a row)
    elementwise = True
    #: how the walkthrough writes its learnable parameters (PReLU's α)
    PARAM_SYMBOLS: dict[str, str] = {}
    #: the PyTorch module that computes it, as Python source with ``{option!r}`` fields
    #: (``"nn.LeakyReLU({alpha!r})"``), for Export as PyTorch (:mod:`nnviz.core.codegen`); "" for
    #: nothing to apply (identity); None: no PyTorch form (the export refuses, naming it)
    torch_code: str | None = None
    #: source the module needs besides torch (a class of its own), written once into the script
    torch_helper = ""
    #: its learnable parameters' names in that module (PReLU's ``alpha`` is ``nn.PReLU``'s ``weight``)
    torch_names: dict[str, str] = {}

    def torch_module(self) -> str | None:
        """The PyTorch module computing this activation, as Python source: :attr:`torch_code` with
        the options filled in ("" for none; None when it has no PyTorch form)."""
        return None if self.torch_code is None else self.torch_code.format(**self.options)

    @classmethod
    def saturated(cls, a: np.ndarray) -> np.ndarray | None:
        """Which outputs ``a`` sit in the flat tails (a boolean array), or None if it has none."""
        if cls.saturation_band is None:
            return None
        low, high = cls.saturation_band
        return (a < low) | (a > high)

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


@ACTIVATIONS.register
class Identity(Activation):
    name = "identity"
    title = "identity"
    tooltip = QT_TRANSLATE_NOOP("", "identity: a = z (no non-linearity)")
    formula_text = "z"
    derivative_text = "1"
    formula_latex = "z"
    derivative_latex = "1"
    torch_code = ""

    def forward(self, z):
        return z

    def backward(self, z, a, da):
        return da


@ACTIVATIONS.register
class Step(Activation):
    """Heaviside step, as in Rosenblatt's perceptron: 1 where z > 0, 0 where z < 0, ``at_zero`` at 0.

    Its derivative is 0 everywhere (undefined at 0), which is why gradient descent cannot train it.
    """

    name = "step"
    title = "step"
    tooltip = QT_TRANSLATE_NOOP("", "step: 1 where z > 0, else 0 (the perceptron's; its gradient is 0 everywhere)")
    formula_text = "1 if z > 0 else 0"
    derivative_text = "0"
    formula_latex = r"\begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}"
    derivative_latex = "0"
    output_range = (0.0, 1.0)
    can_die = True
    backward_note = QT_TRANSLATE_NOOP("", "The step function's derivative is 0 everywhere: no gradient reaches the "
                                          "weights. This is why the perceptron is trained by Rosenblatt's rule "
                                          "instead.")
    defaults = {"at_zero": 0.0}
    torch_code = "Step({at_zero!r})"
    torch_helper = '''
class Step(nn.Module):
    """Heaviside step: 1 where z > 0, at_zero where z == 0, else 0. Its gradient is 0 everywhere:
    zeros, not none, so the layers below it get zero gradients (as in nnviz) and still decay."""

    class _Heaviside(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z, at_zero):
            out = (z > 0).to(z.dtype)
            if at_zero:
                out[z == 0] = at_zero
            return out

        @staticmethod
        def backward(ctx, grad):
            return torch.zeros_like(grad), None

    def __init__(self, at_zero=0.0):
        super().__init__()
        self.at_zero = at_zero

    def forward(self, z):
        return self._Heaviside.apply(z, self.at_zero)
'''

    def forward(self, z):
        a = (z > 0).astype(z.dtype)
        if self.at_zero:
            a[z == 0] = self.at_zero
        return a

    def backward(self, z, a, da):
        return np.zeros_like(da)


@ACTIVATIONS.register
class Sigmoid(Activation):
    name = "sigmoid"
    title = "sigmoid"
    tooltip = QT_TRANSLATE_NOOP("", "sigmoid: 1 / (1 + e^-z), between 0 and 1")
    formula_text = "σ(z) = 1 / (1 + exp(−z))"
    derivative_text = "a·(1 − a)"
    formula_latex = r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    derivative_latex = r"a\,(1 - a)"
    output_range = (0.0, 1.0)
    decision_threshold = 0.5
    saturation_band = (1.0 - SATURATION, SATURATION)
    torch_code = "nn.Sigmoid()"

    def forward(self, z):
        return sigmoid(z)

    def backward(self, z, a, da):
        return da * (a * (1.0 - a))


@ACTIVATIONS.register
class Tanh(Activation):
    name = "tanh"
    title = "tanh"
    tooltip = QT_TRANSLATE_NOOP("", "tanh: between -1 and 1, centred on 0")
    formula_text = "tanh(z)"
    derivative_text = "1 − a²"
    formula_latex = r"\tanh z"
    derivative_latex = "1 - a^{2}"
    output_range = (-1.0, 1.0)
    saturation_band = (-SATURATION, SATURATION)
    torch_code = "nn.Tanh()"

    def forward(self, z):
        return np.tanh(z)

    def backward(self, z, a, da):
        d = a * a
        np.subtract(1.0, d, out=d)
        d *= da
        return d


@ACTIVATIONS.register
class ReLU(Activation):
    name = "relu"
    title = "ReLU"
    tooltip = QT_TRANSLATE_NOOP("", "ReLU: max(0, z)")
    formula_text = "max(0, z)"
    derivative_text = "1 if z > 0 else 0"
    formula_latex = r"\max(0, z)"
    derivative_latex = r"\begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}"
    can_die = True
    backward_note = QT_TRANSLATE_NOOP("", "ReLU passes the gradient where z > 0 and blocks it where z ≤ 0.")
    torch_code = "nn.ReLU()"

    def forward(self, z):
        return np.maximum(z, 0.0)

    def backward(self, z, a, da):
        return da * (z > 0)


@ACTIVATIONS.register
class LeakyReLU(Activation):
    name = "leaky_relu"
    title = "leaky ReLU"
    tooltip = QT_TRANSLATE_NOOP("", "leaky ReLU: z for z > 0, 0.01 z otherwise")
    formula_text = "z if z > 0 else α·z"
    derivative_text = "1 if z > 0 else α"
    formula_latex = r"\begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}"
    derivative_latex = r"\begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}"
    can_die = True
    defaults = {"alpha": 0.01}
    torch_code = "nn.LeakyReLU({alpha!r})"

    def forward(self, z):
        return np.where(z > 0, z, z * self.alpha)

    def backward(self, z, a, da):
        return np.where(z > 0, da, da * self.alpha)


@ACTIVATIONS.register
class PReLU(Activation):
    """Leaky ReLU whose negative slope ``alpha`` is learned (one per layer, as ``nn.PReLU()``)."""

    name = "prelu"
    title = "PReLU"
    tooltip = QT_TRANSLATE_NOOP("", "PReLU: leaky ReLU whose negative slope is learned")
    formula_text = "z if z > 0 else α·z"
    derivative_text = "1 if z > 0 else α"
    formula_latex = r"\begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}"
    derivative_latex = r"\begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}"
    can_die = True
    defaults = {"init": 0.25}
    param_shapes = (("alpha", (1,)),)
    PARAM_SYMBOLS = {"alpha": "α"}
    torch_code = "nn.PReLU(init={init!r})"
    torch_names = {"alpha": "weight"}

    def bind(self, alpha: np.ndarray, grad_alpha: np.ndarray) -> None:
        self.alpha, self.grad_alpha = alpha, grad_alpha

    def forward(self, z):
        return np.where(z > 0, z, z * self.alpha[0])

    def backward(self, z, a, da):
        negative = z <= 0
        self.grad_alpha[0] = np.sum(da * z * negative)
        return np.where(negative, da * self.alpha[0], da)


@ACTIVATIONS.register
class ELU(Activation):
    name = "elu"
    title = "ELU"
    tooltip = QT_TRANSLATE_NOOP("", "ELU: z for z > 0, e^z - 1 otherwise")
    formula_text = "z if z > 0 else α·(exp(z) − 1)"
    derivative_text = "1 if z > 0 else a + α"
    formula_latex = r"\begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}"
    derivative_latex = r"\begin{cases} 1 & z > 0 \\ a + \alpha & z \le 0 \end{cases}"
    defaults = {"alpha": 1.0}
    torch_code = "nn.ELU({alpha!r})"

    def forward(self, z):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def backward(self, z, a, da):
        return np.where(z > 0, da, da * (self.alpha * np.exp(np.minimum(z, 0.0))))


@ACTIVATIONS.register
class GELU(Activation):
    """Gaussian error linear unit: exact ``z Phi(z)`` (erf), or PyTorch's ``approximate="tanh"``."""

    name = "gelu"
    title = "GELU"
    tooltip = QT_TRANSLATE_NOOP("", "GELU: z Φ(z), a smooth ReLU")
    formula_text = "z·Φ(z)"
    derivative_text = "Φ(z) + z·φ(z)"
    formula_latex = r"z\,\Phi(z)"
    derivative_latex = r"\Phi(z) + z\,\varphi(z)"
    defaults = {"approximate": "none"}
    torch_code = "nn.GELU(approximate={approximate!r})"

    def __init__(self, **options):
        super().__init__(**options)
        if self.approximate not in ("none", "tanh"):
            raise ModelError(f"gelu: approximate must be 'none' or 'tanh', got {self.approximate!r}")

    def forward(self, z):
        if self.approximate == "tanh":
            inner = _GELU_TANH_BETA * (z + _GELU_TANH_KAPPA * z * z * z)
            return 0.5 * z * (1.0 + np.tanh(inner))
        return 0.5 * z * (1.0 + _erf(z * _SQRT_HALF))

    def backward(self, z, a, da):
        if self.approximate == "tanh":
            z2 = z * z
            t = np.tanh(_GELU_TANH_BETA * (z + _GELU_TANH_KAPPA * z2 * z))
            left = 0.5 * (1.0 + t)
            right = 0.5 * z * (1.0 - t * t) * _GELU_TANH_BETA * (1.0 + 3.0 * _GELU_TANH_KAPPA * z2)
            return da * (left + right)
        cdf = 0.5 * (1.0 + _erf(z * _SQRT_HALF))
        pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return da * (cdf + z * pdf)


@ACTIVATIONS.register
class Swish(Activation):
    """``z * sigmoid(beta z)``; beta = 1 is SiLU (the gate of SwiGLU)."""

    name = "swish"
    title = "swish"
    tooltip = QT_TRANSLATE_NOOP("", "swish (SiLU): z sigmoid(z)")
    formula_text = "z·σ(βz)"
    derivative_text = "σ(βz)·(1 + βz·(1 − σ(βz)))"
    formula_latex = r"z\,\sigma(\beta z)"
    derivative_latex = r"\sigma(\beta z)\,\bigl(1 + \beta z\,(1 - \sigma(\beta z))\bigr)"
    defaults = {"beta": 1.0}
    torch_code = "Swish({beta!r})"
    torch_helper = '''
class Swish(nn.Module):
    """z * sigmoid(beta * z); beta = 1 is nn.SiLU."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, z):
        return z * torch.sigmoid(self.beta * z)
'''

    def torch_module(self):
        return "nn.SiLU()" if self.beta == 1.0 else super().torch_module()

    def forward(self, z):
        return z * sigmoid(self.beta * z)

    def backward(self, z, a, da):
        s = sigmoid(self.beta * z)
        return da * (s * (1.0 + self.beta * z * (1.0 - s)))


@ACTIVATIONS.register
class Softmax(Activation):
    """Row-wise softmax, shifted by the row maximum so that no exponential overflows.

    ``stable`` False is a teaching option: ``exp(z) / Σ exp(z)`` as written, with no shift, so that a
    logit above ~709.78 overflows ``exp`` to infinity and the row becomes NaN (∞ / ∞), which is what
    the shift prevents. Below that it gives the stable softmax's numbers (to rounding)."""

    name = "softmax"
    title = "softmax"
    tooltip = QT_TRANSLATE_NOOP("", "softmax: exponentials normalised to sum to 1 over the layer's units")
    defaults = {"stable": True}
    formula_text = "exp(z_i − m) / Σ_j exp(z_j − m),  m = max_j z_j"
    derivative_text = "a_i·(δ_ij − a_j)"
    formula_latex = r"\frac{e^{z_i - m}}{\sum_j e^{z_j - m}},\quad m = \max_j z_j"
    derivative_latex = r"a_i\,(\delta_{ij} - a_j)"
    output_range = (0.0, 1.0)
    elementwise = False
    torch_code = "nn.Softmax(dim=1)"
    #: the naive softmax's PyTorch module (``stable`` False): PyTorch's own always subtracts the max
    NAIVE_TORCH_HELPER = (
        "class NaiveSoftmax(nn.Module):\n"
        "    \"\"\"exp(z) / sum exp(z) with no shift (nnviz's softmax with \"stable\": false): a logit above\n"
        "    ~709.78 overflows exp to inf and the row to NaN.\"\"\"\n\n"
        "    def forward(self, z):\n"
        "        e = torch.exp(z)\n"
        "        return e / e.sum(dim=1, keepdim=True)\n")

    def __init__(self, **options):
        super().__init__(**options)
        if not isinstance(self.stable, bool):
            raise ModelError(f"softmax: stable must be true or false, got {self.stable!r}")
        if not self.stable:  # the instance describes the arithmetic it does
            self.tooltip = QT_TRANSLATE_NOOP(
                "", "softmax without the max subtracted (teaching): large logits overflow to NaN")
            self.formula_text = "exp(z_i) / Σ_j exp(z_j)"
            self.formula_latex = r"\frac{e^{z_i}}{\sum_j e^{z_j}}"
            self.torch_code = "NaiveSoftmax()"
            self.torch_helper = self.NAIVE_TORCH_HELPER

    def forward(self, z):
        if not self.stable:
            with np.errstate(over="ignore", invalid="ignore"):  # exp(710) = inf, and inf / inf = NaN
                e = np.exp(z)
                e /= e.sum(axis=-1, keepdims=True)
            return e
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def backward(self, z, a, da):
        # Full Jacobian product: dz_i = a_i (da_i - sum_j da_j a_j)
        return a * (da - np.sum(da * a, axis=-1, keepdims=True))

    def derivative(self, z):
        raise ModelError("softmax has a full Jacobian, not an elementwise derivative")


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
