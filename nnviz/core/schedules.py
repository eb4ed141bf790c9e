"""Learning-rate schedules, advanced once per optimizer step, in closed form.

``lr(t)`` is the learning rate of step ``t`` (0 for the first step). An optional linear warm-up of
``W`` steps comes first (``lr = base * (t + 1) / W`` for ``t < W``); the schedule proper then starts
at ``t - W``. These equal PyTorch's ``StepLR``, ``CosineAnnealingLR`` and ``LinearLR`` chained by
``SequentialLR``, up to rounding.
"""

from __future__ import annotations

import math

from nnviz.core.errors import ModelError


class Schedule:
    name = ""
    OPTIONS: dict[str, tuple[str, object]] = {}

    def __init__(self, base_lr: float, warmup: int = 0, **options):
        for key, (_, default) in self.OPTIONS.items():
            value = options.pop(key, default)
            if value is None:
                raise ModelError(f"schedule: {self.name!r} needs the option {key!r}")
            setattr(self, key, value)
        if options:
            raise ModelError(f"schedule: unknown option {sorted(options)[0]!r} for {self.name!r}")
        self.base_lr, self.warmup = base_lr, warmup

    def lr(self, t: int) -> float:
        if t < self.warmup and self.warmup > 1:
            return self.base_lr * (t + 1) / self.warmup
        return self._lr(t - self.warmup if self.warmup > 1 else t)

    def _lr(self, t: int) -> float:
        raise NotImplementedError

    def to_spec(self) -> dict:
        spec = {"name": self.name, **{k: getattr(self, k) for k in self.OPTIONS}}
        if self.warmup:
            spec["warmup"] = self.warmup
        return spec

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in self.to_spec().items() if k != "name")
        return f"{type(self).__name__}(base_lr={self.base_lr!r}{', ' if opts else ''}{opts})"


class Constant(Schedule):
    name = "constant"

    def _lr(self, t):
        return self.base_lr


class StepDecay(Schedule):
    """``base * gamma ** (t // step_size)``, as ``StepLR``."""

    name = "step"
    OPTIONS = {"step_size": ("posint", None), "gamma": ("posnumber", 0.1)}

    def _lr(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class Cosine(Schedule):
    """``eta_min + (base - eta_min) (1 + cos(pi t / t_max)) / 2``, the closed form of
    ``CosineAnnealingLR`` (which, past ``t_max``, rises again along the same cosine)."""

    name = "cosine"
    OPTIONS = {"t_max": ("posint", None), "eta_min": ("nonneg", 0.0)}

    def _lr(self, t):
        return self.eta_min + (self.base_lr - self.eta_min) * (1.0 + math.cos(math.pi * t / self.t_max)) / 2.0


SCHEDULES: dict[str, type[Schedule]] = {cls.name: cls for cls in (Constant, StepDecay, Cosine)}
