"""Named kinds: the registry each extension point keeps, and the one shape of a named choice in a
model document, ``"name"`` or ``{"name": ..., options}``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import ClassVar

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


class HotPath:
    """A base for the objects every training step reads (network, layers, activations, loss,
    optimizer, schedule, trainer, history). Unpickled — the app's training process gets its copy of
    the experiment that way — their attributes are set one by one as ``__init__`` sets them, not
    written into a materialised ``__dict__``: CPython then reads them by its fast path, and a copy
    trains as fast as the original (with a plain ``__dict__`` update, 9 % slower for a small network)."""

    def __setstate__(self, state: dict) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)


class Registry(dict):
    """The kinds of one extension point (activations, losses, optimizers, …), by name, in the order
    they were registered. A new kind is one class with ``@REGISTRY.register`` above it; everything
    else (document validation, the controls, the walkthrough) loops over the registry."""

    #: every registry, by what it holds (a training process registers the same plug-ins)
    everything: ClassVar[dict[str, Registry]] = {}

    def __init__(self, what: str, key: str = "name"):
        super().__init__()
        self.what, self._key = what, key
        Registry.everything[what] = self

    def register(self, cls):
        """Add ``cls`` under its name (usable as a class decorator); a taken name is refused."""
        name = getattr(cls, self._key)
        if not name or name in self:
            raise ValueError(f"cannot register {self.what} {name!r}: the name is empty or taken")
        self[name] = cls
        return cls

    @contextmanager
    def registered(self, cls):
        """``cls`` registered for the duration of a ``with`` block (tests, plug-ins tried out)."""
        self.register(cls)
        try:
            yield cls
        finally:
            self.pop(getattr(cls, self._key), None)
