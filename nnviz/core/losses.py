"""Losses, mean-reduced as in PyTorch, each with its gradient beside it.

``evaluate(out, y, z, activation)`` returns ``(loss, grad, wrt_z)``. ``out`` is the network's output,
``z`` the last layer's pre-activation and ``activation`` the name of the last layer's activation.
Where the loss fuses with that activation (binary cross-entropy and focal with a sigmoid,
cross-entropy with a softmax), the gradient is taken with respect to ``z`` directly (``p - y``), and
``wrt_z`` is True; the loss is then computed from the logits, so nothing overflows however large
they are. Otherwise the gradient is ``dL/d(out)``.

``output_grad(out, y, z, activation)`` gives ``dL/d(out)`` in every case, for display in the trace.

Each loss also says which targets it can fit (:meth:`Loss.check_targets`), which output activations
suit it (:meth:`Loss.fits_output`, :attr:`Loss.output_activation`) and where a single output separates
two classes (:meth:`Loss.decision_threshold`): the experiment fits a model to its data from these facts.

Each loss also explains itself to the step-through view: its formula, its dL/da rule, and one
sample's loss and dL/da with the numbers put in (:meth:`Loss.sample_lines`, :meth:`Loss.output_grad_terms`).
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.core.activations import sigmoid
from nnviz.core.errors import DataError, ModelError
from nnviz.core.formula import MAX_LINES, MAX_TERMS, Line, Num, Sym, flattened, joined, sym
from nnviz.core.spec import HotPath, Registry, split_named
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase

_ELL = Sym("ℓ", r"\ell")


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    shifted -= np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return shifted


#: name -> loss class; ``@LOSSES.register`` adds one
LOSSES: Registry = Registry("loss")
#: what a loss's targets are: real values, one probability in [0, 1] per output, or one class each
REGRESSION, BINARY, CLASSES = "regression", "binary", "classes"


class Loss(HotPath):
    """Base class. Subclasses set ``name``, ``defaults`` and their facts, and implement ``evaluate``."""

    name = ""
    defaults: dict = {}
    #: the output activation whose derivative fuses with this loss's into ``p - y``
    fuses_with: str | None = None
    title = ""
    tooltip = ""
    #: the targets it takes: REGRESSION, BINARY (in [0, 1]) or CLASSES (indices or one-hot rows)
    targets = REGRESSION
    #: the loss in symbols, with ``{option}`` fields for its options (see :meth:`formula`)
    FORMULA = "L(a, y)"
    #: dL/da in symbols (see :meth:`output_grad_rule`)
    GRAD_RULE = "∂L/∂a"
    #: the mean is over every output of every sample ("elements") or over the samples ("rows")
    mean_over = "elements"
    #: the loss in PyTorch, for Export as PyTorch (:mod:`nnviz.core.codegen`): the body of
    #: ``loss_fn(out, y)``, with ``{option!r}`` fields; ``out`` is the model's output, and where this
    #: loss works on logits (:attr:`takes_logits`) the model leaves out the activation it fuses with.
    #: None: no PyTorch form (the export refuses, naming it)
    torch_code: str | None = None
    #: it computes its probabilities from logits itself (the sigmoid and softmax losses)
    takes_logits = False

    def __init__(self, **options):
        unknown = set(options) - set(self.defaults)
        if unknown:
            raise ModelError(f"loss: unknown option {sorted(unknown)[0]!r} for {self.name!r}")
        self.options = {**self.defaults, **options}
        for key, value in self.options.items():
            setattr(self, key, value)

    def evaluate(self, out, y, z=None, activation="identity") -> tuple[float, np.ndarray, bool]:
        raise NotImplementedError

    def value(self, out, y, z=None, activation="identity") -> float:
        return self.evaluate(out, y, z, activation)[0]

    def output_grad(self, out, y, z=None, activation="identity") -> np.ndarray:
        loss, grad, wrt_z = self.evaluate(out, y, z, activation)
        return grad

    @classmethod
    def check_options(cls, options: dict, where: str) -> None:
        """Refuse option values outside the loss's domain (types are already checked)."""

    def formula(self, number=str) -> str:
        """The loss in symbols, its options written by ``number`` (``δ = 1.0``)."""
        return self.FORMULA.format(**{k: number(v) for k, v in self.options.items()})

    def output_grad_rule(self, activation: str) -> str:
        """dL/da in symbols, for an output layer with ``activation``."""
        return self.GRAD_RULE

    # -- what it fits -------------------------------------------------------------------------------
    def check_targets(self, y: np.ndarray, outputs: int | None, data: str) -> None:
        """Raise a one-line :class:`DataError` naming the loss and ``data`` unless this loss can fit
        the targets ``y`` (rows, columns); ``outputs`` is the output width when it is fixed, else
        None. This default (a regression loss) fits any finite targets."""

    @property
    def output_activation(self) -> str:
        """The output activation this loss brings: the one it fuses with, else identity."""
        return self.fuses_with or "identity"

    def fits_output(self, activation, y: np.ndarray) -> bool:
        """Whether an output ``activation`` suits this loss on targets ``y``. This default compares
        outputs with targets directly: a bounded activation must reach every target, and one that
        is not elementwise (softmax) is constant over a single output."""
        bounds = activation.output_range
        if bounds is not None and y.size and (y.min() < bounds[0] or y.max() > bounds[1]):
            return False
        return activation.elementwise or y.shape[1] > 1

    def decision_threshold(self, activation, midpoint: float) -> float:
        """The value of a single output that separates the two classes, whose labels lie either
        side of ``midpoint`` (0.5 for 0/1 labels, 0 for -1/+1): here the output estimates the
        label itself, so the labels' midpoint."""
        return midpoint

    def fuses(self, activation: str) -> bool:
        """Whether the gradient skips dL/da and goes to z directly as ``(p - y)/N``."""
        return self.fuses_with is not None and activation == self.fuses_with

    def mean_count(self, out: np.ndarray) -> int:
        """N, the count the loss is a mean over, for outputs ``out`` (samples, units)."""
        return out.size if self.mean_over == "elements" else out.shape[0]

    # -- explained in the step-through view -------------------------------------------------------
    def notes(self, activation: str) -> list[str]:
        """What the walkthrough says about this loss after an output ``activation`` (texts marked
        ``QT_TRANSLATE_NOOP``, or :class:`~nnviz.core.text.Phrase` where they carry values)."""
        return []

    def sample_lines(self, a: np.ndarray, y: np.ndarray, z: np.ndarray, activation: str,
                     loss: float) -> tuple[list[Line], list[str]]:
        """One sample's loss ``ℓ`` with its numbers put in, and notes; ``a``, ``y``, ``z`` are the
        sample's rows (1, outputs) and ``loss`` its loss. This default writes the mean of
        :meth:`sample_term` over the outputs, or only the result if there is no such term."""
        k = a.shape[1]
        terms = [self.sample_term(a[0, j], y[0, j]) for j in range(min(k, MAX_TERMS))]
        if any(term is None for term in terms):
            return [Line((_ELL,), (), loss)], []
        body = list(joined(terms, " + "))
        if k > MAX_TERMS:
            body.append(" + …")
        if k > 1:
            body = ["("] + body + [f") / {k}"]
        return [Line((_ELL,), tuple(flattened(body)), loss)], []

    def sample_term(self, a: float, y: float) -> tuple | None:
        """One output's term of the mean (``(a − y)²``) with the numbers put in, or None."""
        return None

    def output_grad_terms(self, a: float, y: float, n: int, activation: str) -> tuple:
        """dL/da of one output with its numbers put in (the mean's ``N`` is ``n``), or ``()``."""
        return ()

    def torch_loss(self) -> str | None:
        """The body of ``loss_fn(out, y)`` in PyTorch, options filled in (None: no PyTorch form)."""
        return None if self.torch_code is None else self.torch_code.format(**self.options)

    def to_spec(self):
        changed = {k: v for k, v in self.options.items() if v != self.defaults[k]}
        return {"name": self.name, **changed} if changed else self.name

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}({opts})"


@LOSSES.register
class MSE(Loss):
    name = "mse"
    title = "mean squared error"
    tooltip = QT_TRANSLATE_NOOP("", "mean squared error: mean of (output - target)²; for regression")
    FORMULA = "mean((a − y)²)"
    GRAD_RULE = "2·(a − y) / N"
    torch_code = "return F.mse_loss(out, y)"

    def sample_term(self, a, y):
        return ("(", Num(a), " − ", Num(y, True), ")²")

    def output_grad_terms(self, a, y, n, activation):
        return ("2·(", Num(a), " − ", Num(y, True), f") / {n}")

    def evaluate(self, out, y, z=None, activation="identity"):
        diff = out - y
        flat = diff.reshape(-1)
        loss = float(np.dot(flat, flat)) / flat.size
        diff *= 2.0 / flat.size
        return loss, diff, False


@LOSSES.register
class MAE(Loss):
    name = "mae"
    title = "mean absolute error"
    tooltip = QT_TRANSLATE_NOOP("", "mean absolute error: mean of |output - target|")
    FORMULA = "mean(|a − y|)"
    GRAD_RULE = "sign(a − y) / N"
    torch_code = "return F.l1_loss(out, y)"

    def sample_term(self, a, y):
        return ("|", Num(a), " − ", Num(y, True), "|")

    def output_grad_terms(self, a, y, n, activation):
        return ("sign(", Num(a), " − ", Num(y, True), f") / {n}")

    def evaluate(self, out, y, z=None, activation="identity"):
        diff = out - y
        return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size, False


@LOSSES.register
class Huber(Loss):
    name = "huber"
    title = "Huber"
    tooltip = QT_TRANSLATE_NOOP("", "Huber: squared for small errors, absolute for large ones (delta 1)")
    FORMULA = "mean(½(a − y)² if |a − y| ≤ δ else δ·(|a − y| − ½δ)),  δ = {delta}"

    @classmethod
    def check_options(cls, options, where):
        if options.get("delta", 1.0) <= 0:
            raise ModelError(f"{where}.delta: must be > 0, got {options['delta']!r}")
    defaults = {"delta": 1.0}
    torch_code = "return F.huber_loss(out, y, delta={delta!r})"

    def evaluate(self, out, y, z=None, activation="identity"):
        d = out - y
        ad = np.abs(d)
        delta = self.delta
        loss = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
        grad = np.clip(d, -delta, delta) / d.size
        return float(np.mean(loss)), grad, False


class _SigmoidProbabilityLoss(Loss):
    """A loss on probabilities p = sigmoid(logits); logits are z when the output is a sigmoid."""

    fuses_with = "sigmoid"
    targets = BINARY
    takes_logits = True

    def check_targets(self, y, outputs, data):
        if y.size and (y.min() < 0.0 or y.max() > 1.0):
            raise DataError(f"loss {self.name}: targets must lie in [0, 1], but the targets of {data} {_span(y)}")

    def fits_output(self, activation, y):
        # a sigmoid gives the probability; identity gives logits, which the loss squashes itself
        return activation.name in (self.fuses_with, "identity")

    def decision_threshold(self, activation, midpoint):
        # a sigmoid's probability, else a logit (whose sign decides)
        return midpoint if self.fuses(activation.name) else 0.0

    def _logits(self, out, z, activation):
        if self.fuses(activation):
            return z, out
        return out, sigmoid(out)

    def notes(self, activation):
        if self.fuses(activation):
            return []
        return [QT_TRANSLATE_NOOP("", "The output is not a sigmoid, so p = σ(a): the loss works on logits.")]

    def output_grad(self, out, y, z=None, activation="identity"):
        loss, grad, wrt_z = self.evaluate(out, y, z, activation)
        if not wrt_z:
            return grad
        # dL/dp = dL/dz / sigmoid'(z); floored as torch's BCE backward does, so it stays finite
        return grad / np.maximum(out * (1.0 - out), 1e-12)


@LOSSES.register
class BCE(_SigmoidProbabilityLoss):
    name = "bce"
    title = "binary cross-entropy"
    tooltip = QT_TRANSLATE_NOOP("", "binary cross-entropy: for one sigmoid output and 0/1 labels")
    FORMULA = "−mean[y·ln(a) + (1 − y)·ln(1 − a)]"
    GRAD_RULE = "(a − y) / (a·(1 − a)) / N"
    torch_code = "return F.binary_cross_entropy_with_logits(out, y)  # out: logits"

    def notes(self, activation):
        if not self.fuses(activation):
            return super().notes(activation)
        return [QT_TRANSLATE_NOOP("", "Computed from z as softplus(z) − y·z, which equals the formula but cannot "
                                      "overflow (PyTorch's BCEWithLogitsLoss).")]

    def sample_lines(self, a, y, z, activation, loss):
        if not self.fuses(activation):
            return super().sample_lines(a, y, z, activation, loss)
        k = a.shape[1]
        lines = [Line((Sym("ℓ" + (f"[{j + 1}]" if k > 1 else ""), r"\ell"),),
                      ("−[", Num(y[0, j]), "·ln(", Num(a[0, j]), ") + (1 − ", Num(y[0, j]), ")·ln(1 − ",
                       Num(a[0, j]), ")]"),
                      float(self.evaluate(a[:, j:j + 1], y[:, j:j + 1], z[:, j:j + 1], activation)[0]))
                 for j in range(min(k, MAX_LINES))]
        return lines, []

    def output_grad_terms(self, a, y, n, activation):
        if not self.fuses(activation):
            return ()
        return ("(", Num(a), " − ", Num(y, True), ") / (", Num(a), "·(1 − ", Num(a), f")) / {n}")

    def evaluate(self, out, y, z=None, activation="identity"):
        logits, p = self._logits(out, z, activation)
        loss = float(np.mean(_softplus(logits) - y * logits))
        return loss, (p - y) / p.size, self.fuses(activation)


@LOSSES.register
class CrossEntropy(Loss):
    """Categorical cross-entropy over rows; targets are one-hot (or probability) rows.

    The probabilities are the output when the output layer is a softmax, else softmax(output).
    (Class-index targets are turned into one-hot rows by the trainer.)
    """

    name = "cross_entropy"
    title = "cross-entropy"
    tooltip = QT_TRANSLATE_NOOP("", "cross-entropy: for a softmax output with one unit per class")
    targets = CLASSES
    FORMULA = "−mean over samples of Σ_j y_j·ln(p_j)"
    mean_over = "rows"
    fuses_with = "softmax"
    takes_logits = True
    torch_code = "return F.cross_entropy(out, y)  # out: logits; y: one-hot (or probability) rows"

    def check_targets(self, y, outputs, data):
        if y.shape[1] == 1:
            labels = y[:, 0]
            odd = labels[labels != np.round(labels)]
            if labels.size and (labels.min() < 0 or odd.size):
                found = _span(labels) if labels.min() < 0 else f"include {odd[0]:.3g}"
                raise DataError(f"loss {self.name}: targets must be class indices, whole numbers 0, 1, 2 …, "
                                f"but the targets of {data} {found}")
            if outputs is not None and labels.size and labels.max() >= outputs:
                raise DataError(f"loss {self.name}: class indices must lie in 0..{outputs - 1} (the output "
                                f"layer has {outputs} units), but the targets of {data} {_span(labels)}")
        elif y.size and (y.min() < 0.0 or y.max() > 1.0 or not np.allclose(y.sum(axis=1), 1.0)):
            raise DataError(f"loss {self.name}: each row of targets must be one-hot (probabilities summing "
                            f"to 1), but the target rows of {data} are not")

    def fits_output(self, activation, y):
        # a softmax gives the probabilities; identity gives logits, which the loss normalises itself
        return activation.name in (self.fuses_with, "identity")

    def output_grad_rule(self, activation):
        return "−y / p / N" if self.fuses(activation) else "(softmax(a) − y) / N"

    def notes(self, activation):
        if self.fuses(activation):
            return []
        return [QT_TRANSLATE_NOOP("", "The output is not a softmax, so p = softmax(a): the loss works on logits.")]

    def sample_lines(self, a, y, z, activation, loss):
        if not self.fuses(activation):
            return super().sample_lines(a, y, z, activation, loss)
        c = np.flatnonzero(y[0])
        if c.size == 1 and y[0, c[0]] == 1.0:
            c = int(c[0])
            line = Line((_ELL,), ("−ln(", sym("p", None, c), ") = −ln(", Num(a[0, c]), ")"), loss)
            return [line], [Phrase(QT_TRANSLATE_NOOP("", "The target is class {unit} (target {target}): only the "
                                                         "probability of output unit {unit} counts."),
                                   unit=c + 1, target=c)]
        body = ["−("] + joined([("", Num(y[0, j]), "·ln(", Num(a[0, j]), ")") for j in range(a.shape[1])],
                               " + ") + [")"]
        return [Line((_ELL,), tuple(flattened(body)), loss)], []

    def output_grad_terms(self, a, y, n, activation):
        if not self.fuses(activation):
            return ()
        return ("−", Num(y), " / ", Num(a), f" / {n}")

    def evaluate(self, out, y, z=None, activation="identity"):
        if out.ndim != 2 or out.shape[1] < 2:
            raise ModelError("cross_entropy needs an output layer of at least 2 units (one per class)")
        fused = self.fuses(activation)
        logits = z if fused else out
        log_p = _log_softmax(logits)
        n = logits.shape[0]
        loss = -float(np.sum(y * log_p)) / n
        if fused and not math.isfinite(float(out.sum())):  # a naive softmax overflowed: p is NaN, so is ln p
            loss = math.nan
        p = out if fused else np.exp(log_p, out=log_p)  # log_p has served: softmax(out) takes its place
        grad = np.multiply(p, y.sum(axis=1, keepdims=True), out=None if fused else p)  # (p Σy - y) / n
        grad -= y
        grad /= n
        return loss, grad, fused

    def output_grad(self, out, y, z=None, activation="identity"):
        loss, grad, wrt_z = self.evaluate(out, y, z, activation)
        if not wrt_z:
            return grad
        return -y / np.maximum(out, 1e-300) / out.shape[0]



@LOSSES.register
class Focal(_SigmoidProbabilityLoss):
    """Binary focal loss as torchvision's ``sigmoid_focal_loss(reduction="mean")``.

    ``alpha`` weighs the positive class (negative alpha disables the weighting); ``gamma`` focuses
    on the hard examples.
    """

    name = "focal"
    title = "focal"
    tooltip = QT_TRANSLATE_NOOP("", "focal loss: binary cross-entropy that down-weights easy examples")
    FORMULA = "−mean[y·(1 − p)^γ·ln p + (1 − y)·p^γ·ln(1 − p)],  γ = {gamma}"

    @classmethod
    def check_options(cls, options, where):
        if options.get("gamma", 2.0) < 0:
            raise ModelError(f"{where}.gamma: must be >= 0, got {options['gamma']!r}")
    defaults = {"alpha": 0.25, "gamma": 2.0}
    torch_code = """# torchvision.ops.sigmoid_focal_loss, reduction="mean"; out: logits
p = torch.sigmoid(out)
ce = F.binary_cross_entropy_with_logits(out, y, reduction="none")
p_t = p * y + (1 - p) * (1 - y)
loss = ce * (1 - p_t) ** {gamma!r}
{weighting}return loss.mean()"""

    def torch_loss(self):
        # a negative alpha weighs neither class
        weighting = (f"loss = ({self.alpha!r} * y + (1 - {self.alpha!r}) * (1 - y)) * loss\n"
                     if self.alpha >= 0 else "")
        return self.torch_code.format(gamma=self.gamma, weighting=weighting)

    def evaluate(self, out, y, z=None, activation="identity"):
        logits, p = self._logits(out, z, activation)
        ce = _softplus(logits) - y * logits
        p_t = p * y + (1.0 - p) * (1.0 - y)
        q = 1.0 - p_t
        g = self.gamma
        focus = q ** g
        loss = ce * focus
        # d/dlogits: ce' = p - y, p_t' = p (1 - p)(2y - 1), (q^g)' = -g q^(g-1) p_t'
        # where q = 0, p is exactly 0 or 1, so p (1 - p) = 0 and the term vanishes: take 0 there
        with np.errstate(divide="ignore", invalid="ignore"):
            dfocus = np.where(q > 0, g * q ** (g - 1.0), 0.0)
        grad = (p - y) * focus - ce * dfocus * (p * (1.0 - p) * (2.0 * y - 1.0))
        if self.alpha >= 0:
            alpha_t = self.alpha * y + (1.0 - self.alpha) * (1.0 - y)
            loss = alpha_t * loss
            grad = alpha_t * grad
        return float(np.mean(loss)), grad / p.size, self.fuses(activation)


def _span(y: np.ndarray) -> str:
    """Where targets lie, for a message: ``run from -5.9 to 6.1``."""
    return f"run from {y.min():.3g} to {y.max():.3g}"


def make_loss(spec, where: str = "loss") -> Loss:
    name, options = split_named(spec, where, LOSSES, "loss")
    cls = LOSSES[name]
    for key, value in options.items():
        if key not in cls.defaults:
            raise ModelError(f"{where}: unknown option {key!r} for loss {name!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelError(f"{where}.{key}: expected a finite number, got {value!r}")
    cls.check_options(options, where)
    return cls(**{k: float(v) for k, v in options.items()})
