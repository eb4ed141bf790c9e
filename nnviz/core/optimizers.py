"""Optimizers with ``torch.optim`` semantics and defaults, updating one flat parameter buffer in place.

The network keeps every parameter in one flat array and every gradient in another, so an update is a
handful of whole-array NumPy calls whatever the number of layers. Each step follows the operation order
of PyTorch's single-tensor implementation, so a run agrees with PyTorch to rounding.

After each step an optimizer keeps the scalars it used (``last``: learning rate, bias corrections, …);
together with its state arrays they are what the step-by-step view shows.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.spec import Registry

#: name -> optimizer class; ``@OPTIMIZERS.register`` adds one
OPTIMIZERS: Registry = Registry("optimizer")


class Optimizer:
    name = ""
    #: option -> (kind, default); kinds are checked by ``make_optimizer``
    OPTIONS: dict[str, tuple[str, object]] = {}
    #: names of the per-parameter state arrays, in the order they are created
    STATE: tuple[str, ...] = ()
    #: how people write its name, one line for the controls' tooltip, and one per option
    title = ""
    tooltip = ""
    OPTION_TIPS: dict[str, str] = {
        "weight_decay": "weight decay: adds weight_decay × weight to every gradient (L2 penalty)",
        "eps": "eps: added to the denominator so it is never 0",
    }
    NONNEGATIVE_STATE: tuple[str, ...] = ()  # state terms that accumulate squares, so never negative

    def __init__(self, size: int, dtype=np.float64, **options):
        for key, (_, default) in self.OPTIONS.items():
            value = options.pop(key, default)
            setattr(self, key, tuple(value) if isinstance(value, list) else value)
        if options:
            raise ModelError(f"optimizer: unknown option {sorted(options)[0]!r} for {self.name!r}")
        self.size, self.dtype = size, np.dtype(dtype)
        self.t = 0  # steps taken
        self.state: dict[str, np.ndarray] = {name: self._initial_state(name) for name in self._state_names()}
        self._tmp = np.empty(size, dtype=self.dtype)
        self._tmp2 = np.empty(size, dtype=self.dtype)
        self.last: dict[str, float] = {}

    def _state_names(self) -> tuple[str, ...]:
        return self.STATE

    def _initial_state(self, name: str) -> np.ndarray:
        return np.zeros(self.size, dtype=self.dtype)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        """Update ``params`` in place from ``grads`` with learning rate ``lr`` (``grads`` is not changed)."""
        self.t += 1
        self._update(params, grads, lr)

    def _update(self, params, grads, lr):
        raise NotImplementedError

    def _with_weight_decay(self, params, grads):
        """``grad + weight_decay * param`` (in a scratch buffer), or ``grads`` itself."""
        if not self.weight_decay:
            return grads
        g = self._tmp2
        np.multiply(params, self.weight_decay, out=g)
        g += grads
        return g

    def options(self) -> dict:
        return {key: list(v) if isinstance(v := getattr(self, key), tuple) else v for key in self.OPTIONS}

    def to_spec(self) -> dict:
        return {"name": self.name, **self.options()}

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"


@OPTIMIZERS.register
class SGD(Optimizer):
    name = "sgd"
    title = "SGD"
    tooltip = "stochastic gradient descent (torch.optim.SGD), optionally with momentum"
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "momentum": "momentum: how much of the previous update is kept (0 = none)",
        "dampening": "dampening: how much the new gradient is damped when added to the momentum",
        "nesterov": "Nesterov momentum: look ahead along the momentum (needs momentum > 0, dampening 0)"}
    NONNEGATIVE_STATE = ()
    OPTIONS = {"lr": ("lr", 1e-3), "momentum": ("nonneg", 0.0), "dampening": ("number", 0.0),
               "nesterov": ("bool", False), "weight_decay": ("nonneg", 0.0)}

    def _state_names(self):
        return ("momentum_buffer",) if self.momentum else ()

    def __init__(self, size, dtype=np.float64, **options):
        super().__init__(size, dtype, **options)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ModelError("optimizer: nesterov needs momentum > 0 and dampening 0")

    def _update(self, params, grads, lr):
        g = self._with_weight_decay(params, grads)
        self.last = {"lr": lr}
        if self.momentum:
            buf = self.state["momentum_buffer"]
            if self.t == 1:  # PyTorch starts the buffer at the first gradient, undamped
                buf[...] = g
            else:
                buf *= self.momentum
                if self.dampening:
                    np.multiply(g, 1.0 - self.dampening, out=self._tmp)
                    buf += self._tmp
                else:
                    buf += g
            if self.nesterov:
                np.multiply(buf, self.momentum, out=self._tmp)
                self._tmp += g
                g = self._tmp
            else:
                g = buf
        np.multiply(g, -lr, out=self._tmp)
        params += self._tmp


@OPTIMIZERS.register
class Adam(Optimizer):
    name = "adam"
    title = "Adam"
    tooltip = "Adam (torch.optim.Adam): per-weight steps from running gradient moments"
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "betas": "betas: decay rates of the running mean of the gradient and of its square",
        "amsgrad": "AMSGrad: use the largest squared-gradient average seen so far"}
    NONNEGATIVE_STATE = ("exp_avg_sq", "max_exp_avg_sq")
    OPTIONS = {"lr": ("lr", 1e-3), "betas": ("betas", (0.9, 0.999)), "eps": ("posnumber", 1e-8),
               "weight_decay": ("nonneg", 0.0), "amsgrad": ("bool", False)}
    decoupled = False

    def _state_names(self):
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if self.amsgrad else ())

    def _update(self, params, grads, lr):
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled:
            params *= 1.0 - lr * self.weight_decay
            g = grads
        else:
            g = self._with_weight_decay(params, grads)
        m, v, tmp = self.state["exp_avg"], self.state["exp_avg_sq"], self._tmp
        # m.lerp_(g, 1 - beta1) = m + (1 - beta1) (g - m)
        np.subtract(g, m, out=tmp)
        tmp *= 1.0 - beta1
        m += tmp
        # v = beta2 v + (1 - beta2) g^2
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - beta2
        v += tmp
        bias_correction1 = 1.0 - beta1 ** self.t
        bias_correction2 = 1.0 - beta2 ** self.t
        step_size = lr / bias_correction1
        if self.amsgrad:
            np.maximum(self.state["max_exp_avg_sq"], v, out=self.state["max_exp_avg_sq"])
            np.sqrt(self.state["max_exp_avg_sq"], out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp /= math.sqrt(bias_correction2)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= -step_size
        params += tmp
        self.last = {"lr": lr, "bias_correction1": bias_correction1,
                     "bias_correction2": bias_correction2, "step_size": step_size}


@OPTIMIZERS.register
class AdamW(Adam):
    """Adam with decoupled weight decay: ``param *= 1 - lr * weight_decay`` before the Adam step."""

    name = "adamw"
    title = "AdamW"
    tooltip = "AdamW (torch.optim.AdamW): Adam with decoupled weight decay"
    NONNEGATIVE_STATE = ("exp_avg_sq", "max_exp_avg_sq")
    OPTIONS = {**Adam.OPTIONS, "weight_decay": ("nonneg", 1e-2)}
    decoupled = True


@OPTIMIZERS.register
class Adagrad(Optimizer):
    name = "adagrad"
    title = "Adagrad"
    tooltip = "Adagrad (torch.optim.Adagrad): steps shrink with the sum of squared gradients"
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "lr_decay": "learning-rate decay: lr / (1 + (t - 1) × lr_decay)",
        "initial_accumulator_value": "initial value of the sum of squared gradients"}
    NONNEGATIVE_STATE = ("sum",)
    OPTIONS = {"lr": ("lr", 1e-2), "lr_decay": ("nonneg", 0.0), "weight_decay": ("nonneg", 0.0),
               "initial_accumulator_value": ("nonneg", 0.0), "eps": ("posnumber", 1e-10)}
    STATE = ("sum",)

    def _initial_state(self, name):
        return np.full(self.size, self.initial_accumulator_value, dtype=self.dtype)

    def _update(self, params, grads, lr):
        g = self._with_weight_decay(params, grads)
        clr = lr / (1.0 + (self.t - 1) * self.lr_decay)
        total, tmp = self.state["sum"], self._tmp
        np.multiply(g, g, out=tmp)
        total += tmp
        np.sqrt(total, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= -clr
        params += tmp
        self.last = {"lr": lr, "clr": clr}


@OPTIMIZERS.register
class RMSprop(Optimizer):
    name = "rmsprop"
    title = "RMSprop"
    tooltip = "RMSprop (torch.optim.RMSprop): steps scaled by a running mean of squared gradients"
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "momentum": "momentum: how much of the previous update is kept (0 = none)",
        "alpha": "alpha: smoothing constant of the running mean of squared gradients",
        "centered": "centred: normalise by the variance of the gradient rather than its mean square"}
    NONNEGATIVE_STATE = ("square_avg",)
    OPTIONS = {"lr": ("lr", 1e-2), "alpha": ("prob", 0.99), "eps": ("posnumber", 1e-8),
               "weight_decay": ("nonneg", 0.0), "momentum": ("nonneg", 0.0), "centered": ("bool", False)}

    def _state_names(self):
        return (("square_avg",) + (("grad_avg",) if self.centered else ())
                + (("momentum_buffer",) if self.momentum else ()))

    def _update(self, params, grads, lr):
        g = self._with_weight_decay(params, grads)
        sq, tmp = self.state["square_avg"], self._tmp
        sq *= self.alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.alpha
        sq += tmp
        if self.centered:
            ga = self.state["grad_avg"]
            np.subtract(g, ga, out=tmp)  # ga.lerp_(g, 1 - alpha)
            tmp *= 1.0 - self.alpha
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(sq, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(sq, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            buf = self.state["momentum_buffer"]
            buf *= self.momentum
            buf += tmp
            np.multiply(buf, -lr, out=tmp)
        else:
            tmp *= -lr
        params += tmp
        self.last = {"lr": lr}


@OPTIMIZERS.register
class Perceptron(Optimizer):
    """Rosenblatt's rule for one ``step`` layer: for each sample in turn, ``w += lr (y - o) x`` and
    ``b += lr (y - o)``. It needs the samples, not a gradient, so the trainer calls
    :meth:`update_sample` instead of :meth:`step`."""

    name = "perceptron"
    title = "perceptron rule"
    tooltip = "Rosenblatt's perceptron rule, sample by sample; for one layer with a step activation"
    OPTIONS = {"lr": ("lr", 1.0)}

    def update_sample(self, weight: np.ndarray, bias: np.ndarray, x: np.ndarray, error: np.ndarray,
                      lr: float) -> None:
        weight += lr * np.outer(error, x)
        bias += lr * error

    def _update(self, params, grads, lr):
        raise ModelError("the perceptron rule updates sample by sample; use the Trainer")

