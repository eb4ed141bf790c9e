"""Weight initialisers, all drawn from one seeded ``numpy.random.Generator``.

Each initialiser fills a weight of shape ``(fan_out, fan_in)``. Biases are zero, except for ``default``,
which is PyTorch's ``nn.Linear`` initialisation: weight and bias both ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
(``kaiming_uniform_(a=sqrt(5))`` reduces to that bound).
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.spec import Registry, split_named
from nnviz.core.text import QT_TRANSLATE_NOOP

#: name -> initialiser class; ``@INITIALIZERS.register`` adds one
INITIALIZERS: Registry = Registry("initialiser")


class Initializer:
    """Base class: ``defaults`` are the options (PyTorch's ``nn.init`` defaults); ``weight`` draws."""

    name = ""
    defaults: dict = {}
    title = ""
    tooltip = ""

    @staticmethod
    def weight(shape: tuple[int, int], rng: np.random.Generator, options: dict) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def bias(shape: tuple[int, int], rng: np.random.Generator, options: dict) -> np.ndarray:
        """Zero: every initialiser but PyTorch's default leaves the biases at 0."""
        return np.zeros(shape[0])

    @classmethod
    def check_options(cls, options: dict, where: str) -> None:
        """Refuse option values it cannot draw from (types are already checked)."""


@INITIALIZERS.register
class Default(Initializer):
    """PyTorch's ``nn.Linear``: weight and bias both ``U(±1/sqrt(fan_in))``."""

    name = "default"
    title = "default"
    tooltip = QT_TRANSLATE_NOOP("", "PyTorch's nn.Linear default: weights and biases U(±1/√fan_in)")

    @staticmethod
    def _bound(shape):
        return 1.0 / math.sqrt(shape[1]) if shape[1] > 0 else 0.0

    @staticmethod
    def weight(shape, rng, options):
        bound = Default._bound(shape)
        return rng.uniform(-bound, bound, size=shape)

    @staticmethod
    def bias(shape, rng, options):
        bound = Default._bound(shape)
        return rng.uniform(-bound, bound, size=shape[0])


@INITIALIZERS.register
class Zeros(Initializer):
    name = "zeros"
    title = "zeros"
    tooltip = QT_TRANSLATE_NOOP("", "all weights 0 (every unit stays the same: symmetry is never broken)")

    @staticmethod
    def weight(shape, rng, options):
        return np.zeros(shape)


@INITIALIZERS.register
class Uniform(Initializer):
    name = "uniform"
    defaults = {"a": 0.0, "b": 1.0}
    title = "uniform"
    tooltip = QT_TRANSLATE_NOOP("", "weights U(0, 1)")

    @staticmethod
    def weight(shape, rng, options):
        return rng.uniform(options["a"], options["b"], size=shape)

    @classmethod
    def check_options(cls, options, where):
        if options["a"] > options["b"]:
            raise ModelError(f"{where}: needs a <= b, got a = {options['a']!r}, b = {options['b']!r}")


@INITIALIZERS.register
class Normal(Initializer):
    name = "normal"
    defaults = {"mean": 0.0, "std": 1.0}
    title = "normal"
    tooltip = QT_TRANSLATE_NOOP("", "weights N(0, 1)")

    @staticmethod
    def weight(shape, rng, options):
        return rng.normal(options["mean"], options["std"], size=shape)


@INITIALIZERS.register
class XavierUniform(Initializer):
    name = "xavier_uniform"
    defaults = {"gain": 1.0}
    title = "Xavier uniform"
    tooltip = QT_TRANSLATE_NOOP("", "Glorot uniform: U(±√(6 / (fan_in + fan_out))); suits tanh and sigmoid")

    @staticmethod
    def weight(shape, rng, options):
        fan_out, fan_in = shape
        bound = options["gain"] * math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=shape)


@INITIALIZERS.register
class XavierNormal(Initializer):
    name = "xavier_normal"
    defaults = {"gain": 1.0}
    title = "Xavier normal"
    tooltip = QT_TRANSLATE_NOOP("", "Glorot normal: N(0, 2 / (fan_in + fan_out))")

    @staticmethod
    def weight(shape, rng, options):
        fan_out, fan_in = shape
        return rng.normal(0.0, options["gain"] * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@INITIALIZERS.register
class HeUniform(Initializer):
    """``kaiming_uniform_(nonlinearity="relu")``, fan_in mode."""

    name = "he_uniform"
    title = "He uniform"
    tooltip = QT_TRANSLATE_NOOP("", "He (Kaiming) uniform: U(±√(6 / fan_in)); suits ReLU")

    @staticmethod
    def weight(shape, rng, options):
        bound = math.sqrt(6.0 / shape[1])
        return rng.uniform(-bound, bound, size=shape)


@INITIALIZERS.register
class HeNormal(Initializer):
    name = "he_normal"
    title = "He normal"
    tooltip = QT_TRANSLATE_NOOP("", "He (Kaiming) normal: N(0, 2 / fan_in); suits ReLU")

    @staticmethod
    def weight(shape, rng, options):
        return rng.normal(0.0, math.sqrt(2.0 / shape[1]), size=shape)


def parse_init(spec, where: str = "init") -> tuple[str, dict]:
    """Validate an ``init`` entry (a name or ``{"name": ..., options}``) into ``(name, options)``."""
    if spec is None:
        return "default", {}
    name, options = split_named(spec, where, INITIALIZERS, "initialiser")
    cls = INITIALIZERS[name]
    for key, value in options.items():
        if key not in cls.defaults:
            raise ModelError(f"{where}: unknown option {key!r} for initialiser {name!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelError(f"{where}.{key}: expected a finite number, got {value!r}")
    merged = {**cls.defaults, **{k: float(v) for k, v in options.items()}}
    for key in ("std", "gain"):  # spreads and gains, whichever initialiser has them
        if merged.get(key, 0.0) < 0:
            raise ModelError(f"{where}.{key}: must be >= 0, got {merged[key]!r}")
    cls.check_options(merged, where)
    return name, merged


def initialize(name: str, options: dict, shape: tuple[int, int], rng: np.random.Generator,
               dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(weight, bias)`` for a layer with ``shape = (fan_out, fan_in)``, drawn from ``rng``
    in a fixed order (weight, then bias), so that a seed reproduces them bit for bit."""
    if name not in INITIALIZERS:  # parse_init has already refused unknown names
        raise ModelError(f"unknown initialiser {name!r}")
    cls = INITIALIZERS[name]
    weight = cls.weight(shape, rng, options)  # drawn first, then the bias
    bias = cls.bias(shape, rng, options)
    return weight.astype(dtype), bias.astype(dtype)
