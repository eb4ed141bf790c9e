"""Weight initialisers, all drawn from one seeded ``numpy.random.Generator``.

Each initialiser fills a weight of shape ``(fan_out, fan_in)``. Biases are zero, except for ``default``,
which is PyTorch's ``nn.Linear`` initialisation: weight and bias both ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
(``kaiming_uniform_(a=sqrt(5))`` reduces to that bound).
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.spec import split_named

#: name -> option defaults (PyTorch's nn.init defaults)
INITIALIZERS: dict[str, dict] = {
    "default": {},
    "zeros": {},
    "uniform": {"a": 0.0, "b": 1.0},
    "normal": {"mean": 0.0, "std": 1.0},
    "xavier_uniform": {"gain": 1.0},
    "xavier_normal": {"gain": 1.0},
    "he_uniform": {},
    "he_normal": {},
}


def parse_init(spec, where: str = "init") -> tuple[str, dict]:
    """Validate an ``init`` entry (a name or ``{"name": ..., options}``) into ``(name, options)``."""
    if spec is None:
        return "default", {}
    name, options = split_named(spec, where, INITIALIZERS, "initialiser")
    defaults = INITIALIZERS[name]
    for key, value in options.items():
        if key not in defaults:
            raise ModelError(f"{where}: unknown option {key!r} for initialiser {name!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelError(f"{where}.{key}: expected a finite number, got {value!r}")
    merged = {**defaults, **{k: float(v) for k, v in options.items()}}
    for key in ("std", "gain"):
        if merged.get(key, 0.0) < 0:
            raise ModelError(f"{where}.{key}: must be >= 0, got {merged[key]!r}")
    if name == "uniform" and merged["a"] > merged["b"]:
        raise ModelError(f"{where}: needs a <= b, got a = {merged['a']!r}, b = {merged['b']!r}")
    return name, merged


def initialize(name: str, options: dict, shape: tuple[int, int], rng: np.random.Generator,
               dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(weight, bias)`` for a layer with ``shape = (fan_out, fan_in)``, drawn from ``rng``
    in a fixed order (weight, then bias), so that a seed reproduces them bit for bit."""
    fan_out, fan_in = shape
    if name == "default":
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        weight = rng.uniform(-bound, bound, size=shape)
        bias = rng.uniform(-bound, bound, size=fan_out)
        return weight.astype(dtype), bias.astype(dtype)
    bias = np.zeros(fan_out, dtype=dtype)
    if name == "zeros":
        weight = np.zeros(shape)
    elif name == "uniform":
        weight = rng.uniform(options["a"], options["b"], size=shape)
    elif name == "normal":
        weight = rng.normal(options["mean"], options["std"], size=shape)
    elif name == "xavier_uniform":
        bound = options["gain"] * math.sqrt(6.0 / (fan_in + fan_out))
        weight = rng.uniform(-bound, bound, size=shape)
    elif name == "xavier_normal":
        weight = rng.normal(0.0, options["gain"] * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)
    elif name == "he_uniform":  # kaiming_uniform_(nonlinearity="relu"), fan_in mode
        bound = math.sqrt(6.0 / fan_in)
        weight = rng.uniform(-bound, bound, size=shape)
    elif name == "he_normal":
        weight = rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)
    else:  # parse_init has already refused unknown names
        raise ModelError(f"unknown initialiser {name!r}")
    return weight.astype(dtype), bias
