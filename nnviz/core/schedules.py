"""Learning-rate schedules, advanced once per optimizer step, in closed form.

``lr(t)`` is the learning rate of step ``t`` (0 for the first step). An optional linear warm-up of
``W`` steps comes first (``lr = base * (t + 1) / W`` for ``t < W``); the schedule proper then starts
at ``t - W``. These equal PyTorch's ``StepLR``, ``CosineAnnealingLR`` and ``LinearLR`` chained by
``SequentialLR``, up to rounding.

A rate never raises: one beyond the float range is ``inf`` (the run then diverges, which the
trainer's caller reports), one below it ``0.0``.
"""

from __future__ import annotations

import math

from nnviz.core.errors import ModelError
from nnviz.core.spec import HotPath, Registry
from nnviz.core.text import QT_TRANSLATE_NOOP

#: name -> schedule class; ``@SCHEDULES.register`` adds one
SCHEDULES: Registry = Registry("schedule")


class Schedule(HotPath):
    name = ""
    OPTIONS: dict[str, tuple[str, object]] = {}
    #: values the controls start a required option at (the core has no default for it)
    SUGGESTED: dict[str, object] = {}
    title = ""
    tooltip = ""
    OPTION_TIPS: dict[str, str] = {}
    #: the rate of step ``t`` (counted from the end of any warm-up) in Python, from ``BASE_LR`` and
    #: ``{option!r}`` fields, for Export as PyTorch (:mod:`nnviz.core.codegen`); None: no such form
    torch_code: str | None = None

    def torch_lines(self) -> list[str] | None:
        """The body of ``learning_rate(step)`` in Python (``step`` from 0), warm-up included, as
        :meth:`lr` computes it (None: no Python form)."""
        if self.torch_code is None:
            return None
        rate = "return " + self.torch_rate()
        if self.warmup <= 1:
            return ["t = step", rate]
        return [f"if step < {self.warmup}:  # linear warm-up over {self.warmup} steps (LinearLR)",
                f"    return BASE_LR * (step + 1) / {self.warmup}",
                f"t = step - {self.warmup}", rate]

    def torch_rate(self) -> str:
        """The rate of step ``t`` after the warm-up in Python: :attr:`torch_code`, options filled in."""
        return self.torch_code.format(**{key: getattr(self, key) for key in self.OPTIONS})

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
            lr = self.base_lr * (t + 1) / self.warmup
            if lr == math.inf:  # base_lr * (t + 1) overflowed, though the rate is at most base_lr
                lr = self.base_lr * ((t + 1) / self.warmup)
            return lr
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


@SCHEDULES.register
class Constant(Schedule):
    name = "constant"
    title = "constant"
    tooltip = QT_TRANSLATE_NOOP("", "constant: the learning rate never changes")
    torch_code = "BASE_LR"

    def _lr(self, t):
        return self.base_lr


@SCHEDULES.register
class StepDecay(Schedule):
    """``base * gamma ** (t // step_size)``, as ``StepLR``."""

    name = "step"
    title = "step decay"
    tooltip = QT_TRANSLATE_NOOP("", "step decay: multiply the learning rate by gamma every step_size steps (StepLR)")
    OPTION_TIPS = {
        "step_size": QT_TRANSLATE_NOOP("", "step size: multiply the learning rate by gamma every this many steps"),
        "gamma": QT_TRANSLATE_NOOP("", "gamma: the factor applied every step_size steps")}
    SUGGESTED = {"step_size": 100}
    OPTIONS = {"step_size": ("posint", None), "gamma": ("posnumber", 0.1)}
    torch_code = "BASE_LR * {gamma!r} ** (t // {step_size!r})  # StepLR"

    def _lr(self, t):
        k = t // self.step_size
        try:
            power = self.gamma ** k
        except OverflowError:  # a Python float power raises beyond the float range
            power = math.inf
        if power == math.inf or (power == 0.0 and k):  # the power left the float range; the product may not
            return _exp(math.log(self.base_lr) + k * math.log(self.gamma))
        return self.base_lr * power


@SCHEDULES.register
class Cosine(Schedule):
    """``eta_min + (base - eta_min) (1 + cos(pi t / t_max)) / 2``, the closed form of
    ``CosineAnnealingLR`` (which, past ``t_max``, rises again along the same cosine)."""

    name = "cosine"
    title = "cosine"
    tooltip = QT_TRANSLATE_NOOP("", "cosine annealing from the learning rate down to eta_min over t_max steps")
    OPTION_TIPS = {
        "t_max": QT_TRANSLATE_NOOP("", "T_max: steps of one half cosine from the base learning rate down to eta_min"),
        "eta_min": QT_TRANSLATE_NOOP("", "eta_min: the lowest learning rate of the cosine")}
    SUGGESTED = {"t_max": 1000}
    OPTIONS = {"t_max": ("posint", None), "eta_min": ("nonneg", 0.0)}
    torch_code = ("{eta_min!r} + (BASE_LR - {eta_min!r}) * (1 + math.cos(math.pi * t / {t_max!r})) / 2"
                  "  # CosineAnnealingLR")

    def torch_rate(self):
        if self.eta_min == 0:  # the same number: adding and subtracting 0.0 is exact
            return f"BASE_LR * (1 + math.cos(math.pi * t / {self.t_max!r})) / 2  # CosineAnnealingLR"
        return super().torch_rate()

    def _lr(self, t):
        cosine = 1.0 + math.cos(math.pi * t / self.t_max)
        lr = self.eta_min + (self.base_lr - self.eta_min) * cosine / 2.0
        if math.isinf(lr):  # (base - eta_min) * cosine overflowed, though the rate lies between the two
            lr = self.eta_min + (self.base_lr - self.eta_min) * (cosine / 2.0)
        return lr


def _exp(x: float) -> float:
    """``e ** x``, ``inf`` beyond the float range (where ``math.exp`` raises)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf

