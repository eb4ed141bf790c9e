"""The one shape of a named choice in a model document: ``"name"`` or ``{"name": ..., options}``."""

from __future__ import annotations

from nnviz.core.errors import ModelError


def split_named(spec, where: str, known, what: str) -> tuple[str, dict]:
    """``"relu"`` or ``{"name": "leaky_relu", "alpha": 0.02}`` -> ``(name, options)``, checking that
    the name is one of ``known``; errors name the field ``where``."""
    if isinstance(spec, str):
        name, options = spec, {}
    elif isinstance(spec, dict):
        if "name" not in spec:
            raise ModelError(f"{where}: missing 'name'")
        name, options = spec["name"], {k: v for k, v in spec.items() if k != "name"}
    else:
        raise ModelError(f"{where}: expected a name or an object, got {type(spec).__name__}")
    if not isinstance(name, str) or name not in known:
        raise ModelError(f"{where}: unknown {what} {name!r} (known: {', '.join(known)})")
    return name, options
