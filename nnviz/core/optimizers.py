"""Optimizers with ``torch.optim`` semantics and defaults, updating one flat parameter buffer in place.

The network keeps every parameter in one flat array and every gradient in another, so an update is a
handful of NumPy calls whatever the number of layers. The calls run block by block (:data:`BLOCK`
elements at a time), so a large network's arrays stay in the CPU cache from one call to the next.
Each step computes PyTorch's single-tensor update, so a run agrees with PyTorch to rounding.

After each step an optimizer keeps the scalars it used (``last``: learning rate, bias corrections, …).
It also explains its own update (:meth:`Optimizer.explain_update`): the rules in symbols and each
entry's numbers put in, from those scalars and its state arrays. That is what the step-by-step view
shows, so a new optimizer is one class here and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.formula import Num, Token
from nnviz.core.numbers import format_value
from nnviz.core.spec import HotPath, Registry
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase

#: name -> optimizer class; ``@OPTIMIZERS.register`` adds one
OPTIMIZERS: Registry = Registry("optimizer")

#: Elements per block of an update. An update is about a dozen NumPy passes; done a block at a time,
#: each block stays in the CPU cache through all of them, so a large network's buffers cross memory
#: about once per step instead of once per pass. 32k elements (256 KiB in float64, a few arrays
#: of it fit the L2 cache) was the fastest on the development machine.
BLOCK = 32768


@dataclass(frozen=True)
class ParamStep:
    """What one parameter went through in one optimizer step: what :meth:`Optimizer.explain_update`
    explains. Arrays have the parameter's shape; ``state`` and ``state_before`` map the optimizer's
    state names (``exp_avg``, ``momentum_buffer``, …) to this parameter's part, after and before."""

    symbol: str  # how the parameter is written: "W2", "b1", "γ3"
    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray
    state: dict[str, np.ndarray]
    state_before: dict[str, np.ndarray]
    scalars: dict[str, float]  # the optimizer's ``last``: learning rate, bias corrections, …
    lr: float
    t: int  # the step's number, from 1


@dataclass(frozen=True)
class UpdateRule:
    """One rule of an update: ``rule`` in symbols (``"m ← β1·m + (1 − β1)·g"``), ``rhs(e)`` its
    right-hand side with entry ``e``'s numbers put in, ``value`` what it gives for every entry, and
    ``column`` the table column that shows it (None for the last rule: its value is the new parameter)."""

    rule: str
    rhs: Callable[[tuple[int, ...]], tuple[Token, ...]]
    value: np.ndarray
    column: str | None = None


@dataclass(frozen=True)
class UpdateExplanation:
    """An optimizer's account of one parameter's update: its rules in order, and notes."""

    rules: tuple[UpdateRule, ...]
    notes: tuple[str, ...] = ()  # marked QT_TRANSLATE_NOOP, or Phrases where they carry values


class Optimizer(HotPath):
    name = ""
    #: option -> (kind, default); kinds are checked by ``make_optimizer``
    OPTIONS: dict[str, tuple[str, object]] = {}
    #: names of the per-parameter state arrays, in the order they are created
    STATE: tuple[str, ...] = ()
    #: how people write its name, one line for the controls' tooltip, and one per option
    title = ""
    tooltip = ""
    OPTION_TIPS: dict[str, str] = {
        "weight_decay": QT_TRANSLATE_NOOP(
            "", "weight decay: adds weight_decay × weight to every gradient (L2 penalty)"),
        "eps": QT_TRANSLATE_NOOP("", "eps: added to the denominator so it is never 0"),
    }
    NONNEGATIVE_STATE: tuple[str, ...] = ()  # state terms that accumulate squares, so never negative
    #: updates sample by sample from the samples themselves, not from a gradient (the perceptron rule)
    per_sample = False
    #: the ``torch.optim`` class that makes the same update, each option in :attr:`OPTIONS` being its
    #: argument of the same name, for Export as PyTorch (:mod:`nnviz.core.codegen`); its state holds
    #: this optimizer's :attr:`STATE` terms under the same names. None: no such class
    torch_class: str | None = None
    #: whether that class counts steps in each parameter's state (``state["step"]``; SGD does not)
    torch_counts_steps = True
    #: for an optimizer with no such class, the body of ``train_step(model, optimizer, xb, yb, lr)``
    #: in PyTorch that applies it and returns ``(loss, grad_norm)``; None: no PyTorch form
    torch_step: str | None = None

    def torch_optimizer(self, params: str = "model.parameters()") -> str | None:
        """The ``torch.optim`` optimizer of :attr:`torch_class` with these options, as Python source
        (``foreach=False``: the single-tensor update, which this class computes); None: no class."""
        if self.torch_class is None:
            return None
        options = "".join(f", {key}={getattr(self, key)!r}" for key in self.OPTIONS)
        return f"{self.torch_class}({params}{options}, foreach=False)"

    def __init__(self, size: int, dtype=np.float64, **options):
        for key, (_, default) in self.OPTIONS.items():
            value = options.pop(key, default)
            setattr(self, key, tuple(value) if isinstance(value, list) else value)
        if options:
            raise ModelError(f"optimizer: unknown option {sorted(options)[0]!r} for {self.name!r}")
        self.size, self.dtype = size, np.dtype(dtype)
        self.t = 0  # steps taken
        self.state: dict[str, np.ndarray] = {name: self._initial_state(name) for name in self._state_names()}
        tmp, tmp2 = np.empty(min(size, BLOCK), dtype=self.dtype), np.empty(min(size, BLOCK), dtype=self.dtype)
        self._blocks = []  # each block of the flat buffers, with the scratch buffers cut to its length
        for start in range(0, size, BLOCK):
            stop = min(start + BLOCK, size)
            self._blocks.append((slice(start, stop), tmp[:stop - start], tmp2[:stop - start]))
        self.last: dict[str, float] = {}

    def _state_names(self) -> tuple[str, ...]:
        return self.STATE

    def _initial_state(self, name: str) -> np.ndarray:
        return np.zeros(self.size, dtype=self.dtype)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        """Update ``params`` in place from ``grads`` with learning rate ``lr`` (``grads`` is not changed)."""
        self.t += 1
        self._update(params, grads, lr)

    def check_network(self, net) -> None:
        """Refuse a network this optimizer cannot train (a ModelError naming the problem)."""

    def _update(self, params, grads, lr):
        """Keep this step's scalars as :attr:`last`, then update block by block (:data:`BLOCK`).
        An optimizer may override this instead, to update the whole buffers in one go."""
        self.last = self._scalars(lr)
        if len(self._blocks) == 1:  # the buffers themselves: a small network's step is mostly call overhead
            self._update_block(params, grads, self.state, *self._blocks[0][1:])
            return
        for block, tmp, tmp2 in self._blocks:
            state = {name: values[block] for name, values in self.state.items()}
            self._update_block(params[block], grads[block], state, tmp, tmp2)

    def _scalars(self, lr: float) -> dict[str, float]:
        """The scalars of this step (:attr:`t`), shared by every block."""
        return {"lr": lr}

    def _update_block(self, params: np.ndarray, grads: np.ndarray, state: dict[str, np.ndarray],
                      tmp: np.ndarray, tmp2: np.ndarray) -> None:
        """Update one block of ``params`` in place; ``state`` holds the block of each state array,
        ``tmp`` and ``tmp2`` are scratch buffers of the block's length; :attr:`last` is this step's."""
        raise NotImplementedError

    def _with_weight_decay(self, params, grads, scratch):
        """``grad + weight_decay * param`` (in ``scratch``), or ``grads`` itself."""
        if not self.weight_decay:
            return grads
        np.multiply(params, self.weight_decay, out=scratch)
        scratch += grads
        return scratch

    def explain_update(self, p: ParamStep) -> UpdateExplanation:
        """How ``p`` was updated, rule by rule. This default shows only the change each entry
        took; each optimizer below writes out its own rules."""
        delta = p.after - p.before
        return UpdateExplanation((
            UpdateRule(f"Δ = change made by {self.title or self.name}", lambda e: (), delta, "change"),
            UpdateRule(f"{p.symbol} ← {p.symbol} + Δ", lambda e: (Num(p.before[e]), " + ", Num(delta[e], True)),
                       p.after)))

    def _explain_weight_decay(self, p: ParamStep) -> tuple[np.ndarray, list[UpdateRule], list[str]]:
        """The gradient the update uses (L2 weight decay added, if any), with its rule and note."""
        wd = getattr(self, "weight_decay", 0.0)
        if not wd:
            return p.grad, [], []
        g = p.grad + wd * p.before
        rule = UpdateRule("g ← g + λ·W", lambda e: (Num(p.grad[e]), " + ", Num(wd), "*", Num(p.before[e], True)),
                          g, "g + λW")
        return g, [rule], [Phrase(QT_TRANSLATE_NOOP("", "Weight decay λ = {wd} is added to the gradient (L2 style)."),
                                  wd=format_value(wd, 6))]

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
    tooltip = QT_TRANSLATE_NOOP("", "stochastic gradient descent (torch.optim.SGD), optionally with momentum")
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "momentum": QT_TRANSLATE_NOOP("", "momentum: how much of the previous update is kept (0 = none)"),
        "dampening": QT_TRANSLATE_NOOP("", "dampening: how much the new gradient is damped when added to the momentum"),
        "nesterov": QT_TRANSLATE_NOOP(
            "", "Nesterov momentum: look ahead along the momentum (needs momentum > 0, dampening 0)")}
    NONNEGATIVE_STATE = ()
    OPTIONS = {"lr": ("lr", 1e-3), "momentum": ("nonneg", 0.0), "dampening": ("number", 0.0),
               "nesterov": ("bool", False), "weight_decay": ("nonneg", 0.0)}
    torch_class = "torch.optim.SGD"
    torch_counts_steps = False

    def _state_names(self):
        return ("momentum_buffer",) if self.momentum else ()

    def __init__(self, size, dtype=np.float64, **options):
        super().__init__(size, dtype, **options)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ModelError("optimizer: nesterov needs momentum > 0 and dampening 0")

    def _update_block(self, params, grads, state, tmp, tmp2):
        g = self._with_weight_decay(params, grads, tmp2)
        if self.momentum:
            buf = state["momentum_buffer"]
            if self.t == 1:  # PyTorch starts the buffer at the first gradient, undamped
                buf[...] = g
            else:
                buf *= self.momentum
                if self.dampening:
                    np.multiply(g, 1.0 - self.dampening, out=tmp)
                    buf += tmp
                else:
                    buf += g
            if self.nesterov:
                np.multiply(buf, self.momentum, out=tmp)
                tmp += g
                g = tmp
            else:
                g = buf
        np.multiply(g, -self.last["lr"], out=tmp)
        params += tmp

    def explain_update(self, p):
        g, rules, notes = self._explain_weight_decay(p)
        P, lr, before = p.symbol, p.lr, p.before
        if not self.momentum:
            rules.append(UpdateRule(f"{P} ← {P} − lr·g",
                                    lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(g[e], True)), p.after))
            return UpdateExplanation(tuple(rules), tuple(notes))
        mu = self.momentum
        buf, old = p.state["momentum_buffer"], p.state_before.get("momentum_buffer")
        if p.t == 1:
            rules.append(UpdateRule("buf ← g (first step)", lambda e: (Num(g[e]),), buf, "momentum buffer"))
        else:
            damp = 1.0 - self.dampening
            rules.append(UpdateRule("buf ← μ·buf + (1 − τ)·g", lambda e: (Num(mu), "*", Num(old[e], True), " + ",
                                                                         Num(damp), "*", Num(g[e], True)),
                                    buf, "momentum buffer"))
        direction = buf
        if self.nesterov:
            direction = g + mu * buf
            rules.append(UpdateRule("d ← g + μ·buf", lambda e: (Num(g[e]), " + ", Num(mu), "*", Num(buf[e], True)),
                                    direction, "nesterov g + μ·buf"))
        rules.append(UpdateRule(f"{P} ← {P} − lr·{'d' if self.nesterov else 'buf'}",
                                lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(direction[e], True)), p.after))
        template = (QT_TRANSLATE_NOOP("", "Momentum μ = {mu}, dampening τ = {tau}, Nesterov.") if self.nesterov
                    else QT_TRANSLATE_NOOP("", "Momentum μ = {mu}, dampening τ = {tau}."))
        notes.append(Phrase(template, mu=format_value(mu, 6), tau=format_value(self.dampening, 6)))
        return UpdateExplanation(tuple(rules), tuple(notes))


@OPTIMIZERS.register
class Adam(Optimizer):
    name = "adam"
    title = "Adam"
    tooltip = QT_TRANSLATE_NOOP("", "Adam (torch.optim.Adam): per-weight steps from running gradient moments")
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "betas": QT_TRANSLATE_NOOP("", "betas: decay rates of the running mean of the gradient and of its square"),
        "amsgrad": QT_TRANSLATE_NOOP("", "AMSGrad: use the largest squared-gradient average seen so far")}
    NONNEGATIVE_STATE = ("exp_avg_sq", "max_exp_avg_sq")
    OPTIONS = {"lr": ("lr", 1e-3), "betas": ("betas", (0.9, 0.999)), "eps": ("posnumber", 1e-8),
               "weight_decay": ("nonneg", 0.0), "amsgrad": ("bool", False)}
    decoupled = False
    torch_class = "torch.optim.Adam"

    def _state_names(self):
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if self.amsgrad else ())

    def _scalars(self, lr):
        beta1, beta2 = self.betas
        bias_correction1 = 1.0 - beta1 ** self.t
        bias_correction2 = 1.0 - beta2 ** self.t
        return {"lr": lr, "bias_correction1": bias_correction1,
                "bias_correction2": bias_correction2, "step_size": lr / bias_correction1}

    def _update_block(self, params, grads, state, tmp, tmp2):
        beta1, beta2 = self.betas
        if self.weight_decay and self.decoupled:
            params *= 1.0 - self.last["lr"] * self.weight_decay
            g = grads
        else:
            g = self._with_weight_decay(params, grads, tmp2)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        # m.lerp_(g, 1 - beta1) = m + (1 - beta1) (g - m)
        np.subtract(g, m, out=tmp)
        tmp *= 1.0 - beta1
        m += tmp
        # v = beta2 v + (1 - beta2) g^2
        v *= beta2
        np.square(g, out=tmp)
        tmp *= 1.0 - beta2
        v += tmp
        if self.amsgrad:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        # param -= step_size m / (sqrt(v) / sqrt(bc2) + eps), with sqrt(bc2) multiplied out of the
        # denominator: the same to rounding, one pass fewer
        root_bc2 = math.sqrt(self.last["bias_correction2"])
        np.sqrt(v, out=tmp)
        tmp += self.eps * root_bc2
        np.divide(m, tmp, out=tmp)
        tmp *= -self.last["step_size"] * root_bc2
        params += tmp

    def explain_update(self, p):
        P, lr, wd = p.symbol, p.lr, self.weight_decay
        base = p.before
        if self.decoupled:
            g, rules, notes = p.grad, [], []
            if wd:
                base = p.before * (1.0 - lr * wd)
                rules.append(UpdateRule(f"{P} ← {P}·(1 − lr·λ)",
                                        lambda e: (Num(p.before[e]), "*(1 − ", Num(lr), "*", Num(wd), ")"),
                                        base, f"{P}·(1 − lr·λ)"))
                notes.append(Phrase(QT_TRANSLATE_NOOP("", "AdamW decays the weights directly (decoupled), λ = {wd}."),
                                    wd=format_value(wd, 6)))
        else:
            g, rules, notes = self._explain_weight_decay(p)
        b1, b2 = self.betas
        bc1, bc2 = p.scalars["bias_correction1"], p.scalars["bias_correction2"]
        m, v = p.state["exp_avg"], p.state["exp_avg_sq"]
        m0, v0 = p.state_before["exp_avg"], p.state_before["exp_avg_sq"]
        rules.append(UpdateRule("m ← β1·m + (1 − β1)·g", lambda e: (Num(b1), "*", Num(m0[e], True), " + ",
                                                                   Num(1 - b1), "*", Num(g[e], True)), m, "m"))
        rules.append(UpdateRule("v ← β2·v + (1 − β2)·g²", lambda e: (Num(b2), "*", Num(v0[e], True), " + ",
                                                                    Num(1 - b2), "*", Num(g[e], True), "²"), v, "v"))
        vv = v
        if self.amsgrad:
            vv, v_max0 = p.state["max_exp_avg_sq"], p.state_before["max_exp_avg_sq"]
            rules.append(UpdateRule("v_max ← max(v_max, v)", lambda e: ("max(", Num(v_max0[e]), ", ", Num(v[e]), ")"),
                                    vv, "max v"))
        m_hat, v_hat = m / bc1, vv / bc2
        rules.append(UpdateRule("m_hat = m / (1 − β1^t)", lambda e: (Num(m[e]), " / ", Num(bc1)), m_hat, "m_hat"))
        rules.append(UpdateRule("v_hat = v / (1 − β2^t)", lambda e: (Num(vv[e]), " / ", Num(bc2)), v_hat, "v_hat"))
        rules.append(UpdateRule(f"{P} ← {P} − lr·m_hat / (√v_hat + ε)",
                                lambda e: (Num(base[e]), " − ", Num(lr), "*", Num(m_hat[e], True), " / (√",
                                           Num(v_hat[e]), " + ", Num(self.eps), ")"), p.after))
        notes.append(Phrase(QT_TRANSLATE_NOOP("", "Bias corrections: 1 − β1^t = 1 − {b1}^{t} = {bc1}, "
                                                  "1 − β2^t = 1 − {b2}^{t} = {bc2}; ε = {eps}."),
                            b1=format_value(b1, 6), b2=format_value(b2, 6), t=p.t, bc1=format_value(bc1, 6),
                            bc2=format_value(bc2, 6), eps=f"{self.eps:g}"))
        return UpdateExplanation(tuple(rules), tuple(notes))


@OPTIMIZERS.register
class AdamW(Adam):
    """Adam with decoupled weight decay: ``param *= 1 - lr * weight_decay`` before the Adam step."""

    name = "adamw"
    title = "AdamW"
    tooltip = QT_TRANSLATE_NOOP("", "AdamW (torch.optim.AdamW): Adam with decoupled weight decay")
    NONNEGATIVE_STATE = ("exp_avg_sq", "max_exp_avg_sq")
    OPTIONS = {**Adam.OPTIONS, "weight_decay": ("nonneg", 1e-2)}
    decoupled = True
    torch_class = "torch.optim.AdamW"


@OPTIMIZERS.register
class Adagrad(Optimizer):
    name = "adagrad"
    title = "Adagrad"
    tooltip = QT_TRANSLATE_NOOP("", "Adagrad (torch.optim.Adagrad): steps shrink with the sum of squared gradients")
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "lr_decay": QT_TRANSLATE_NOOP("", "learning-rate decay: lr / (1 + (t - 1) × lr_decay)"),
        "initial_accumulator_value": QT_TRANSLATE_NOOP("", "initial value of the sum of squared gradients")}
    NONNEGATIVE_STATE = ("sum",)
    OPTIONS = {"lr": ("lr", 1e-2), "lr_decay": ("nonneg", 0.0), "weight_decay": ("nonneg", 0.0),
               "initial_accumulator_value": ("nonneg", 0.0), "eps": ("posnumber", 1e-10)}
    STATE = ("sum",)
    torch_class = "torch.optim.Adagrad"

    def _initial_state(self, name):
        return np.full(self.size, self.initial_accumulator_value, dtype=self.dtype)

    def _scalars(self, lr):
        return {"lr": lr, "clr": lr / (1.0 + (self.t - 1) * self.lr_decay)}

    def _update_block(self, params, grads, state, tmp, tmp2):
        g = self._with_weight_decay(params, grads, tmp2)
        total = state["sum"]
        np.square(g, out=tmp)
        total += tmp
        np.sqrt(total, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= -self.last["clr"]
        params += tmp

    def explain_update(self, p):
        g, rules, notes = self._explain_weight_decay(p)
        P, before = p.symbol, p.before
        total, old = p.state["sum"], p.state_before["sum"]
        clr = p.scalars.get("clr", p.lr)
        rules.append(UpdateRule("sum ← sum + g²", lambda e: (Num(old[e]), " + ", Num(g[e], True), "²"), total, "sum"))
        rules.append(UpdateRule(f"{P} ← {P} − lr·g / (√sum + ε)",
                                lambda e: (Num(before[e]), " − ", Num(clr), "*", Num(g[e], True), " / (√",
                                           Num(total[e]), " + ", Num(self.eps), ")"), p.after))
        if clr != p.lr:
            notes.append(Phrase(QT_TRANSLATE_NOOP("", "lr decays: lr / (1 + (t − 1)·lr_decay) = {lr}."),
                                lr=format_value(clr, 6)))
        return UpdateExplanation(tuple(rules), tuple(notes))


@OPTIMIZERS.register
class RMSprop(Optimizer):
    name = "rmsprop"
    title = "RMSprop"
    tooltip = QT_TRANSLATE_NOOP(
        "", "RMSprop (torch.optim.RMSprop): steps scaled by a running mean of squared gradients")
    OPTION_TIPS = {**Optimizer.OPTION_TIPS,
        "momentum": QT_TRANSLATE_NOOP("", "momentum: how much of the previous update is kept (0 = none)"),
        "alpha": QT_TRANSLATE_NOOP("", "alpha: smoothing constant of the running mean of squared gradients"),
        "centered": QT_TRANSLATE_NOOP(
            "", "centred: normalise by the variance of the gradient rather than its mean square")}
    NONNEGATIVE_STATE = ("square_avg",)
    OPTIONS = {"lr": ("lr", 1e-2), "alpha": ("prob", 0.99), "eps": ("posnumber", 1e-8),
               "weight_decay": ("nonneg", 0.0), "momentum": ("nonneg", 0.0), "centered": ("bool", False)}
    torch_class = "torch.optim.RMSprop"

    def _state_names(self):
        return (("square_avg",) + (("grad_avg",) if self.centered else ())
                + (("momentum_buffer",) if self.momentum else ()))

    def _update_block(self, params, grads, state, tmp, tmp2):
        g = self._with_weight_decay(params, grads, tmp2)
        sq = state["square_avg"]
        sq *= self.alpha
        np.square(g, out=tmp)
        tmp *= 1.0 - self.alpha
        sq += tmp
        if self.centered:
            ga = state["grad_avg"]
            np.subtract(g, ga, out=tmp)  # ga.lerp_(g, 1 - alpha)
            tmp *= 1.0 - self.alpha
            ga += tmp
            np.square(ga, out=tmp)
            np.subtract(sq, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(sq, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        lr = self.last["lr"]
        if self.momentum:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += tmp
            np.multiply(buf, -lr, out=tmp)
        else:
            tmp *= -lr
        params += tmp

    def explain_update(self, p):
        g, rules, notes = self._explain_weight_decay(p)
        P, lr, before, al = p.symbol, p.lr, p.before, self.alpha
        sq, old = p.state["square_avg"], p.state_before["square_avg"]
        rules.append(UpdateRule("s ← α·s + (1 − α)·g²", lambda e: (Num(al), "*", Num(old[e], True), " + ",
                                                                  Num(1 - al), "*", Num(g[e], True), "²"),
                                sq, "square avg"))
        denom = np.sqrt(sq)
        if self.centered:
            ga, ga0 = p.state["grad_avg"], p.state_before["grad_avg"]
            rules.append(UpdateRule("ḡ ← α·ḡ + (1 − α)·g", lambda e: (Num(al), "*", Num(ga0[e], True), " + ",
                                                                     Num(1 - al), "*", Num(g[e], True)),
                                    ga, "grad avg"))
            denom = np.sqrt(sq - ga * ga)
        if self.momentum:
            buf, buf0 = p.state["momentum_buffer"], p.state_before["momentum_buffer"]
            rules.append(UpdateRule("buf ← μ·buf + g / (√s + ε)",
                                    lambda e: (Num(self.momentum), "*", Num(buf0[e], True), " + ", Num(g[e], True),
                                               " / (", Num(denom[e]), " + ", Num(self.eps), ")"),
                                    buf, "momentum buffer"))
            rules.append(UpdateRule(f"{P} ← {P} − lr·buf",
                                    lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(buf[e], True)), p.after))
        else:
            rules.append(UpdateRule(f"{P} ← {P} − lr·g / (√s + ε)",
                                    lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(g[e], True), " / (",
                                               Num(denom[e]), " + ", Num(self.eps), ")"), p.after))
        return UpdateExplanation(tuple(rules), tuple(notes))


@OPTIMIZERS.register
class Perceptron(Optimizer):
    """Rosenblatt's rule for one ``step`` layer: for each sample in turn, ``w += lr (y - o) x`` and
    ``b += lr (y - o)``. It needs the samples, not a gradient, so the trainer calls
    :meth:`update_sample` instead of :meth:`step`."""

    name = "perceptron"
    title = "perceptron rule"
    tooltip = QT_TRANSLATE_NOOP(
        "", "Rosenblatt's perceptron rule, sample by sample; for one layer with a step activation")
    OPTIONS = {"lr": ("lr", 1.0)}
    per_sample = True
    torch_step = """with torch.no_grad():
    loss = loss_fn(model(xb), yb)  # the batch's loss before the updates
    dense, heaviside = model.layers[0], model.layers[1]
    for x, target in zip(xb, yb):  # Rosenblatt's rule, sample by sample
        error = target - heaviside(dense.weight @ x + dense.bias)
        if torch.any(error != 0):
            dense.weight += lr * torch.outer(error, x)
            dense.bias += lr * error
return loss.item(), math.nan  # no gradient, so no gradient norm"""

    def check_network(self, net):
        layers = net.layers
        if len(layers) != 1 or not layers[0].AFFINE or layers[0].activation.name != "step":
            raise ModelError("optimizer: the perceptron rule needs a single dense layer with a 'step' activation")

    def update_sample(self, weight: np.ndarray, bias: np.ndarray, x: np.ndarray, error: np.ndarray,
                      lr: float) -> None:
        weight += lr * np.outer(error, x)
        bias += lr * error

    def _update(self, params, grads, lr):
        raise ModelError("the perceptron rule updates sample by sample; use the Trainer")

