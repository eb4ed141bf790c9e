"""One optimizer step, one operation at a time: what the step-through view shows.

A :class:`Walkthrough` turns a :class:`~nnviz.core.trace.Trace` into the ordered list of the step's
operations — forward (``z = W x + b``, then ``a = f(z)``) layer by layer, the loss, backward from the
output (``dL/da``, ``dL/dz``, ``dL/dW``, ``dL/db``, ``dL/dx``), then the optimizer's update of every
parameter — and renders any of them as a :class:`Calculation`: the formula in symbols, the formula
with the step's own numbers put in, the result, and a table of the numbers involved. Every number
comes from the trace (or, for the few intermediate values it does not keep, such as Adam's bias-
corrected moments or softmax's shifted exponentials, from the trace's numbers by the same formula),
so the app, the command line and the tests show the same figures.

Layers and units are numbered from 1, as in a textbook: ``z1`` is the first layer's weighted sum,
``z1[2]`` its second unit, ``a0`` the input ``x``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.network import Network
from nnviz.core.trace import Trace
from nnviz.core.trainer import Trainer

PHASES = ("forward", "loss", "backward", "update")
MAX_LINES = 8  # substituted lines shown in layer mode; the table always has every number
MAX_TOTAL_LINES = 40  # lines of one operation in layer mode
MAX_ENTRIES = 8  # entries of one unit's row of a parameter written out
MAX_TERMS = 6  # terms of a sum written out before it is shortened to "a + b + c + … + z"
MAX_EXPANDED_BATCH = 4  # batch sums over at most this many samples are written out
MAX_NEURON_STEPS = 2000  # neuron-by-neuron stepping is offered below this many operations
CHECK_LIMIT = 5000  # the gradient check runs for networks of at most this many parameters
CHECK_EPS = 1e-6


# -- text -----------------------------------------------------------------------------------------
def format_value(value: float, precision: int = 3) -> str:
    """A number at ``precision`` decimal places, rounded, without trailing zeros but with at least
    one decimal (``0.5``, ``-0.15``, ``1.0``); tiny non-zero numbers in scientific notation so that
    they do not read as zero (``4e-05``)."""
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value != 0 and (abs(value) < 0.5 * 10.0 ** -precision or abs(value) >= 1e9):
        mantissa, exponent = f"{value:.{max(precision - 1, 1)}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{exponent}"
    text = f"{value:.{precision}f}"
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    if text in ("-0.0", "-0"):
        text = text[1:]
    return text


def format_vector(values, precision: int = 3, limit: int = MAX_LINES) -> str:
    """``[0.5, -0.15]``; rows of a matrix as ``[[…], […]]``; long vectors shortened with ``…``."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        return format_value(values, precision)
    if values.ndim > 1:
        rows = [format_vector(row, precision, limit) for row in values[:limit]]
        if len(values) > limit:
            rows.append("…")
        return "[" + ", ".join(rows) + "]"
    items = [format_value(v, precision) for v in values[:limit]]
    if values.size > limit:
        items[-1:] = ["…", format_value(values[-1], precision)]
    return "[" + ", ".join(items) + "]"


@dataclass(frozen=True)
class Num:
    """A number in a formula; ``paren`` puts a negative number in brackets (``0.3*(-0.5)``)."""

    value: float
    paren: bool = False


@dataclass(frozen=True)
class Sym:
    """A symbol: its plain text and its LaTeX."""

    text: str
    latex: str


Token = str | Num | Sym


def _sym(name: str, layer: int | None = None, unit: tuple[int, ...] | int | None = None) -> Sym:
    """``z1[2]`` / ``z^{(1)}_{2}``; names such as ``dL/dz`` become ``\\partial L/\\partial z``."""
    text = name if layer is None else f"{name}{layer}"
    latex = _LATEX_NAMES.get(name, name)
    if layer is not None:
        latex = f"{latex}^{{({layer})}}" if not latex.endswith("}") else latex.replace("@", str(layer))
    if unit is not None:
        unit = (unit,) if isinstance(unit, int) else unit
        text += "[" + ",".join(str(u + 1) for u in unit) + "]"
        latex += "_{" + ",".join(str(u + 1) for u in unit) + "}"
    return Sym(text, latex)


_LATEX_NAMES = {
    "dL/da": r"\frac{\partial L}{\partial a^{(@)}}", "dL/dz": r"\frac{\partial L}{\partial z^{(@)}}",
    "dL/dW": r"\frac{\partial L}{\partial W^{(@)}}", "dL/db": r"\frac{\partial L}{\partial b^{(@)}}",
    "f'": r"f'", "ℓ": r"\ell", "x_hat": r"\hat{x}", "m_hat": r"\hat{m}", "v_hat": r"\hat{v}",
}


@dataclass(frozen=True)
class Line:
    """``lhs = rhs = result``: one line of a calculation. ``rhs`` is empty when there is nothing to
    substitute; ``result`` is a number, a vector, or None (a formula in symbols only)."""

    lhs: tuple[Token, ...]
    rhs: tuple[Token, ...] = ()
    result: object = None

    def text(self, precision: int = 3, hide_result: bool = False) -> str:
        parts = [_plain(self.lhs, precision)]
        if self.rhs and not self.trivial:
            parts.append(_plain(self.rhs, precision))
        if self.result is not None:
            parts.append("?" if hide_result else format_vector(self.result, precision))
        return " = ".join(parts)

    @property
    def trivial(self) -> bool:
        """The right-hand side is the result itself (a sum of one term): not worth writing twice."""
        return (len(self.rhs) == 1 and isinstance(self.rhs[0], Num) and self.result is not None
                and np.ndim(self.result) == 0 and float(self.rhs[0].value) == float(self.result))

    def latex(self, precision: int = 3) -> str:
        parts = [_latex(self.lhs, precision)]
        if self.rhs and not self.trivial:
            parts.append(_latex(self.rhs, precision))
        if self.result is not None:
            parts.append(_latex_value(self.result, precision))
        return " = ".join(parts)


def _plain(tokens, precision: int) -> str:
    out = []
    for t in tokens:
        if isinstance(t, Num):
            s = format_value(t.value, precision)
            out.append(f"({s})" if t.paren and s.startswith("-") else s)
        elif isinstance(t, Sym):
            out.append(t.text)
        else:
            out.append(t)
    return "".join(out)


_LATEX_SYMBOLS = {
    "β": r"\beta ", "σ": r"\sigma ", "ε": r"\varepsilon ", "μ": r"\mu ", "α": r"\alpha ", "γ": r"\gamma ",
    "λ": r"\lambda ", "τ": r"\tau ", "δ": r"\delta ", "Φ": r"\Phi ", "φ": r"\varphi ", "ℓ": r"\ell ",
    "Σ": r"\sum ", "⊙": r" \odot ", "⊗": r" \otimes ", "·": r" \cdot ", "*": r" \cdot ", "−": "-", "²": "^{2}",
    "ᵀ": r"^{\top}", "←": r" \leftarrow ", "…": r"\dots ", "≤": r"\le ", "ḡ": r"\bar{g}", "½": r"\tfrac{1}{2}",
    "%": r"\%",
}
_LATEX_FUNCTIONS = {"ln": r"\ln ", "exp": r"\exp ", "max": r"\max ", "tanh": r"\tanh "}
_LATEX_HATS = {"x_hat": r"\hat{x}", "m_hat": r"\hat{m}", "v_hat": r"\hat{v}"}


def _latex_word(word: str) -> str:
    if word in _LATEX_HATS:
        return _LATEX_HATS[word]
    if word in _LATEX_FUNCTIONS:
        return _LATEX_FUNCTIONS[word]
    if " " in word:
        return rf"\text{{ {word} }}"
    return rf"\operatorname{{{word}}}" if len(word) > 1 else word


def _latex_text(text: str) -> str:
    """Plain formula text as LaTeX math: Greek letters and operators as macros, function names as
    operators, words as \\text, √(…) as \\sqrt{…}, dL/dz as a partial derivative."""
    text = re.sub(r"√\(([^()]*)\)", r"√{\1}", text)
    text = re.sub(r"√([a-z]_hat|[A-Za-z]+)", r"√{\1}", text)
    text = re.sub(r"([βλ])(\d)", r"\1_\2", text)
    text = re.sub(r"dL/d([A-Za-z]+)", r"∂L/∂\1", text)
    out = []
    # words: x_hat-style names, runs of words with spaces ("over the batch of"), single words
    for piece in re.split(r"([a-z]_hat|[A-Za-z]{2,}(?: [A-Za-z]+)*|[A-Za-z]_[a-z])", text):
        if not piece:
            continue
        if re.fullmatch(r"[a-z]_hat|[A-Za-z]{2,}(?: [A-Za-z]+)*", piece):
            out.append(_latex_word(piece))
        elif re.fullmatch(r"[A-Za-z]_[a-z]", piece):
            out.append(piece)
        else:
            mapped = "".join(_LATEX_SYMBOLS.get(ch, ch) for ch in piece)
            out.append(mapped.replace("√{", r"\sqrt{").replace("∂", r"\partial "))
    return "".join(out)


def _latex_number(value, precision: int, paren: bool = False) -> str:
    s = format_value(value, precision)
    s = re.sub(r"e([+-]?)0*(\d+)$", lambda m: r" \times 10^{" + ("-" if m.group(1) == "-" else "") + m.group(2) + "}", s)
    return f"({s})" if paren and s.startswith("-") else s


def _latex(tokens, precision: int) -> str:
    out = []
    root = False  # the last text ended with √: the next number or symbol goes under it
    for t in tokens:
        if isinstance(t, Num):
            piece = _latex_number(t.value, precision, t.paren)
        elif isinstance(t, Sym):
            piece = "".join(_LATEX_SYMBOLS.get(ch, ch) if ord(ch) > 127 else ch for ch in t.latex)
            for name, macro in _LATEX_HATS.items():
                piece = piece.replace(name, macro)
        else:
            root_next = t.endswith("√")
            if t.startswith("ᵀ") and out:  # a transposed symbol: one base for the superscript
                out[-1] = "{" + out[-1] + "}"
            if t.startswith("²") and out and r"\times" in out[-1]:  # (1.2 × 10^{-4})^2
                out[-1] = "(" + out[-1] + ")"
            piece = _latex_text(t[:-1] if root_next else t)
            if root:
                piece = "{" + piece + "}"
            out.append(piece)
            if root_next:
                out.append(r"\sqrt")
            root = root_next
            continue
        out.append("{" + piece + "}" if root else piece)
        root = False
    return "".join(out)


def _latex_value(value, precision: int) -> str:
    values = np.asarray(value, dtype=float)
    if values.ndim == 0:
        return _latex_number(values, precision)
    text = format_vector(values, precision)
    text = re.sub(r"-?[\d.]+e[+-]?\d+", lambda m: _latex_number(float(m.group()), precision), text)
    return text.replace("[", r"\left[").replace("]", r"\right]").replace("…", r"\dots")


# -- what an operation touches in the graph --------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A graph element: ``node`` (column 0 = inputs, ``i + 1`` = layers[i]; its bias square
    included), or ``edges``: the weights into ``unit`` of ``column`` from ``source`` of the column
    before, ``-1`` standing for every unit or source (a layer of 784 × 128 weights is one Ref)."""

    kind: str
    column: int
    unit: int
    source: int | None = None


def expand_edges(refs, sizes, limit: int | None = None) -> list[tuple[int, int, int]]:
    """The ``(column, unit, source)`` of every weight the ``edges`` refs stand for; ``sizes[c]`` is
    the number of units in column ``c``. More than ``limit`` edges: an empty list."""
    out: list[tuple[int, int, int]] = []
    for r in refs:
        if r.kind != "edges" or not 0 < r.column < len(sizes):
            continue
        units = range(sizes[r.column]) if r.unit == -1 else [r.unit]
        sources = range(sizes[r.column - 1]) if r.source in (-1, None) else [r.source]
        if limit is not None and len(out) + len(units) * len(sources) > limit:
            return []
        out += [(r.column, j, k) for j in units for k in sources if j < sizes[r.column] and k < sizes[r.column - 1]]
    return out


@dataclass(frozen=True)
class Edit:
    """What editing a table cell changes: a parameter entry, or a number of a training row."""

    kind: str  # "param" | "input" | "target"
    name: str = ""  # parameter name, e.g. "layers[0].weight"
    index: tuple[int, ...] = ()  # parameter index, or (training row, column)


class LazyEdits(Mapping):
    """``(row, column) -> Edit`` computed when asked: a 784 × 128 weight table has 100,352 editable
    cells, and a view shows a few thousand of them."""

    def __init__(self, shape: tuple[int, int], make):
        self.shape, self._make = shape, make

    def __getitem__(self, key):
        r, c = key
        edit = self._make(r, c) if 0 <= r < self.shape[0] and 0 <= c < self.shape[1] else None
        if edit is None:
            raise KeyError(key)
        return edit

    def __iter__(self):
        for r in range(self.shape[0]):
            for c in range(self.shape[1]):
                if self._make(r, c) is not None:
                    yield (r, c)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:  # without counting them all
        return next(iter(self), None) is not None


class LazyLabels(Sequence):
    """Row labels made when shown."""

    def __init__(self, count: int, make):
        self._count, self._make = count, make

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._count))]
        if not -self._count <= i < self._count:
            raise IndexError(i)
        return self._make(i % self._count)


@dataclass(frozen=True)
class Table:
    """The numbers of an operation laid out as a matrix: ``values[r, c]`` (NaN: empty cell)."""

    rows: Sequence[str]  # a tuple, or LazyLabels for long tables
    columns: tuple[str, ...]
    values: np.ndarray
    edits: dict = field(default_factory=dict)  # (r, c) -> Edit
    highlight_row: int | None = None
    highlight_column: int | None = None  # neuron by neuron: the unit's column in a table of units


@dataclass(frozen=True)
class Calculation:
    """One operation, ready to show."""

    index: int
    count: int
    phase: str
    title: str
    symbol: str  # what the operation computes: "z1", "a2", "L", "dL/dW2", "W2 (Adam)" …
    formula: tuple[Line, ...]  # in symbols
    lines: tuple[Line, ...]  # with the numbers put in
    result: Line  # the result, e.g. z1 = [0.5, -0.15]
    answer: np.ndarray  # the numbers a quiz asks for
    answer_label: str
    table: Table | None = None
    notes: tuple[str, ...] = ()
    terms: dict = field(default_factory=dict)  # name -> array: every quantity the operation used
    reads: tuple[Ref, ...] = ()
    writes: tuple[Ref, ...] = ()

    def text(self, precision: int = 3, hide_result: bool = False) -> str:
        """Plain text: title, formula, substituted lines, result and notes."""
        out = [self.title, ""]
        out += [line.text(precision) for line in self.formula]
        if self.lines:
            out.append("")
            out += [line.text(precision, hide_result) for line in self.lines]
        out += ["", self.result.text(precision, hide_result)]
        if self.notes:
            out += [""] + list(self.notes)
        return "\n".join(out)

    def latex(self, precision: int = 3) -> str:
        """The formula, the substituted lines and the result as a LaTeX ``align*`` block."""
        rows = [line.latex(precision) for line in self.formula + self.lines + (self.result,)]
        rows = [r.replace(r" \leftarrow ", r" &\leftarrow ", 1) if r" \leftarrow " in r.split(" = ")[0]
                else r.replace(" = ", " &= ", 1) for r in rows]
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def check_answer(text: str, answer, precision: int = 3) -> tuple[bool, str]:
    """Whether a typed answer matches ``answer`` at the shown precision: every number within one
    unit of the last shown decimal place (so ``0.598`` and ``0.599`` are both right for 0.598688,
    ``0.6`` is not). Several values are typed separated by commas or spaces. Returns (right, message)."""
    expected = np.atleast_1d(np.asarray(answer, dtype=float)).ravel()
    pieces = [p for p in re.split(r"[,;\s\[\]]+", text.strip()) if p]
    if not pieces:
        return False, "Type a number first."
    try:
        typed = np.array([float(p) for p in pieces])
    except ValueError:
        bad = next(p for p in pieces if not _is_float(p))
        return False, f"{bad!r} is not a number."
    if not np.all(np.isfinite(typed)):
        return False, "Type finite numbers."
    if typed.size != expected.size:
        return False, f"Type {expected.size} number{'s' if expected.size != 1 else ''} " \
                      f"(you typed {typed.size})."
    tolerance = 10.0 ** -precision
    wrong = np.abs(typed - expected) >= tolerance * (1 + 1e-9)
    shown = format_vector(expected if expected.size > 1 else expected[0], precision)
    if not wrong.any():
        return True, f"Right: {shown}."
    return False, f"Not quite: it is {shown}."


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- operations -----------------------------------------------------------------------------------
class _TooMany(Exception):
    """Neuron-by-neuron stepping would take more than MAX_NEURON_STEPS operations."""


@dataclass(frozen=True)
class Operation:
    """One operation of the step: ``kind`` is z, a, loss, da, dz, grad, dx, update or perceptron."""

    phase: str
    kind: str
    layer: int | None = None  # index into the network's layers
    param: str | None = None  # for grad and update
    unit: int | None = None  # neuron-by-neuron stepping: the one unit (or sample, for perceptron)
    title: str = ""
    symbol: str = ""


_ACTIVATION_TEXT = {
    "identity": ("z", "1"), "sigmoid": ("σ(z) = 1 / (1 + exp(−z))", "a·(1 − a)"),
    "tanh": ("tanh(z)", "1 − a²"), "relu": ("max(0, z)", "1 if z > 0 else 0"),
    "leaky_relu": ("z if z > 0 else α·z", "1 if z > 0 else α"), "prelu": ("z if z > 0 else α·z", "1 if z > 0 else α"),
    "elu": ("z if z > 0 else α·(exp(z) − 1)", "1 if z > 0 else a + α"), "gelu": ("z·Φ(z)", "Φ(z) + z·φ(z)"),
    "swish": ("z·σ(βz)", "σ(βz)·(1 + βz·(1 − σ(βz)))"), "step": ("1 if z > 0 else 0", "0"),
    "softmax": ("exp(z_i − m) / Σ_j exp(z_j − m),  m = max_j z_j", "a_i·(δ_ij − a_j)"),
}
_OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
                    "rmsprop": "RMSprop", "perceptron": "perceptron rule"}
_TYPE_NAMES = {"dense": "Dense", "glu": "GLU", "batchnorm": "BatchNorm", "layernorm": "LayerNorm",
               "rmsnorm": "RMSNorm", "dropout": "Dropout"}


@dataclass(frozen=True)
class WalkState:
    """What the step-through view shows: the walkthrough of the next step and the gradient check of
    its batch. ``committed``: this follows a real step (the view starts again at the first operation)."""

    walkthrough: "Walkthrough"
    checks: tuple | None  # nnviz.core.gradcheck.GradientCheck per parameter, or None
    check_note: str = ""  # why there is no check, or what it used
    eps: float = CHECK_EPS
    committed: bool = False


def walk_next_step(net: Network, trainer: Trainer, neurons: bool = False, committed: bool = False,
                   class_indices: bool = False) -> WalkState:
    """Trace the next step of ``trainer`` (see :func:`trace_next_step`) and check its gradients by
    central differences on the same batch, for networks of at most :data:`CHECK_LIMIT` parameters."""
    from nnviz.core.gradcheck import gradient_check

    trace, twin = trace_next_step(net, trainer)
    walk = Walkthrough(trace, twin, neurons=neurons, class_indices=class_indices)
    checks, note = None, ""
    if trace.optimizer == "perceptron":
        note = "The perceptron rule uses no gradient, so there is nothing to check."
    elif net.parameter_count > CHECK_LIMIT:
        note = (f"Not checked: {net.parameter_count:,} parameters would take {2 * net.parameter_count:,} "
                f"loss evaluations (the check runs up to {CHECK_LIMIT:,}).")
    else:
        with np.errstate(all="ignore"):
            # the same dropout mask as the step: the trainer's generator for it
            seed = [trainer.seed, 1, net.optimizer.t]
            checks = tuple(gradient_check(net.copy(), trace.x, trace.y, eps=CHECK_EPS, seed=seed))
        note = f"On this step's batch of {trace.x.shape[0]}, central differences with ε = {CHECK_EPS:g}."
    return WalkState(walk, checks, note, CHECK_EPS, committed)


def trace_next_step(net: Network, trainer: Trainer) -> tuple[Trace, Network]:
    """The trace of the step ``trainer`` would take next, taken on a copy of ``net`` (which is left
    as it is): the same batch, dropout mask and arithmetic, so the numbers are those the real step
    will produce, bit for bit. Returns the trace and the copy (after its step)."""
    twin = net.copy()
    twin.samples_seen = net.samples_seen
    replica = Trainer(twin, trainer.X, trainer.y, batch_size=trainer.batch_size, shuffle=trainer.shuffle,
                      seed=trainer.seed)
    return replica.trace(), twin


class Walkthrough:
    """The operations of one traced step. ``net`` is the network the trace was taken on (for the
    names and options of its layers, loss and optimizer). ``neurons`` splits the layer operations
    into one per unit (where that gives no more than :data:`MAX_NEURON_STEPS` operations)."""

    def __init__(self, trace: Trace, net: Network, neurons: bool = False, rows=None, class_indices: bool = False):
        self.trace = trace
        self.net = net
        self.class_indices = class_indices  # targets are class indices (shown as one-hot rows y)
        self.rows = None if rows is None else np.asarray(rows)  # training row of each batch sample
        if self.rows is None:
            n = trace.x.shape[0]
            self.rows = (np.arange(n) if trace.batch_indices is None else np.asarray(trace.batch_indices))
        self.batch = trace.x.shape[0]
        self.perceptron = trace.optimizer == "perceptron"
        ops = self._operations(neurons=False)
        if neurons:
            try:
                ops = self._operations(neurons=True)
            except _TooMany:  # a step too long to take unit by unit: stay with layers
                pass
        self.neurons = neurons and ops is not None and any(op.unit is not None for op in ops)
        self.operations: list[Operation] = ops
        self._sample_losses = self._per_sample_losses()

    def __len__(self) -> int:
        return len(self.operations)

    # -- the list ---------------------------------------------------------------------------------
    def _operations(self, neurons: bool) -> list[Operation]:
        tr, layers = self.trace, self.trace.layers
        ops: list[Operation] = []

        def add(phase, kind, layer=None, param=None, title="", symbol="", units=None):
            if neurons and units is not None and units > 1:
                if len(ops) + units > MAX_NEURON_STEPS:
                    raise _TooMany
                for u in range(units):
                    ops.append(Operation(phase, kind, layer, param, u, title, symbol))
            else:
                ops.append(Operation(phase, kind, layer, param, None, title, symbol))

        for i, rec in enumerate(layers):
            n, kind = i + 1, rec.type
            if kind in ("dense", "glu"):
                add("forward", "z", i, title=f"Layer {n}: weighted sum", symbol=f"z{n}", units=rec.z.shape[1])
            else:
                add("forward", "z", i, title=f"Layer {n}: {_TYPE_NAMES[kind]}", symbol=f"z{n}",
                    units=rec.z.shape[1])
            if rec.activation != "identity":
                add("forward", "a", i, title=f"Layer {n}: activation {rec.activation}", symbol=f"a{n}",
                    units=None if rec.activation == "softmax" else rec.z.shape[1])
        last = len(layers)
        if self.perceptron:  # Rosenblatt's rule uses no loss
            for s in range(len(tr.perceptron)):
                ops.append(Operation("update", "perceptron", 0, None, s, f"Perceptron rule, sample {s + 1}",
                                     "w, b"))
            return ops
        add("loss", "loss", title=f"Loss: {LOSS_NAMES.get(self.net.loss.name, self.net.loss.name)}", symbol="L")
        add("backward", "da", last - 1, title="Loss gradient at the output", symbol=f"dL/da{last}",
            units=layers[-1].z.shape[1])
        for i in range(last - 1, -1, -1):
            rec, n = layers[i], i + 1
            add("backward", "dz", i, title=f"Layer {n}: through the activation", symbol=f"dL/dz{n}",
                units=rec.z.shape[1])
            for name in rec.grads:
                add("backward", "grad", i, name, title=f"Layer {n}: gradient of {_param_symbol(name, rec.type)}{n}",
                    symbol=f"dL/d{_param_symbol(name, rec.type)}{n}", units=_rows(rec.grads[name]))
            if i > 0:
                add("backward", "dx", i, title=f"Layer {n}: gradient passed down to layer {i}",
                    symbol=f"dL/da{i}", units=rec.input.shape[1])
        opt = _OPTIMIZER_NAMES.get(tr.optimizer, tr.optimizer)
        for i, rec in enumerate(layers):
            for name in rec.params_before:
                add("update", "update", i, name,
                    title=f"{opt} update of {_param_symbol(name, rec.type)}{i + 1}",
                    symbol=f"{_param_symbol(name, rec.type)}{i + 1}", units=_rows(rec.params_before[name]))
        return ops

    def _per_sample_losses(self) -> np.ndarray:
        tr, net = self.trace, self.net
        last = tr.layers[-1]
        out = np.empty(self.batch)
        with np.errstate(all="ignore"):
            for s in range(self.batch):
                out[s] = net.loss.evaluate(last.a[s:s + 1], tr.y[s:s + 1], last.z[s:s + 1], last.activation)[0]
        return out

    # -- rendering --------------------------------------------------------------------------------
    def calculation(self, index: int, sample: int | None = 0) -> Calculation:
        """Operation ``index`` for batch sample ``sample`` (None: the whole batch, as means with one
        table row per sample)."""
        op = self.operations[index]
        if sample is not None and not 0 <= sample < self.batch:
            raise IndexError(f"sample {sample} is not in the batch of {self.batch}")
        with np.errstate(all="ignore"):
            calc = getattr(self, "_calc_" + op.kind)(op, sample)
        calc.update(index=index, count=len(self.operations), phase=op.phase, title=calc.get("title", op.title))
        calc.setdefault("symbol", op.symbol)
        return Calculation(**calc)

    # rendering helpers
    def _sample_text(self, sample) -> str:
        if sample is None:
            return f"the whole batch of {self.batch} (means; one table row per sample)"
        return f"sample {sample + 1} of {self.batch} (training row {int(self.rows[sample]) + 1})"

    def _groups(self, op, count: int, make, sample=0) -> list[list[Line]]:
        """``make(j)`` — the lines of unit ``j`` — for the units whose lines are shown, ``[]`` for the
        rest (the table has them all); nothing for the whole batch (``sample`` None)."""
        return [list(make(j)) if sample is not None and self._wanted(op, j) else [] for j in range(count)]

    @staticmethod
    def _wanted(op, unit: int) -> bool:
        """Whether the substituted lines of ``unit`` are shown (the table has them all)."""
        return op.unit == unit if op.unit is not None else unit < MAX_LINES

    def _per_unit(self, op, groups: list[list[Line]]) -> tuple[Line, ...]:
        """The lines of one unit (neuron mode) or of the first units (layer mode)."""
        if op.unit is not None:
            return tuple(groups[op.unit])
        lines: list[Line] = []
        shown = 0
        for group in groups[:MAX_LINES]:
            if len(lines) + len(group) > MAX_TOTAL_LINES and lines:
                break
            lines += group
            shown += 1
        if len(groups) > shown:
            lines.append(Line((f"… {len(groups) - shown} more rows in the table",)))
        return tuple(lines)

    def _vector_result(self, op, sym_name, layer_no, values, sample, total=False) -> tuple[Line, np.ndarray, str]:
        """Result line and quiz answer for a per-unit vector: the sample's row, or over the batch
        the mean (``total``: the sum, for gradients, which already carry the loss's 1/N)."""
        row = values[sample] if sample is not None else (values.sum(axis=0) if total else values.mean(axis=0))
        if op.unit is not None:
            return (Line((_sym(sym_name, layer_no, op.unit),), (), float(row[op.unit])),
                    np.array([row[op.unit]]), _sym(sym_name, layer_no, op.unit).text)
        label = _sym(sym_name, layer_no).text + ("" if sample is not None else " (batch sum)" if total
                                                 else " (batch mean)")
        answer = row if row.size <= MAX_LINES else row[:1]
        answer_label = label if row.size <= MAX_LINES else _sym(sym_name, layer_no, 0).text
        value = row.copy() if row.size > 1 else float(row[0])
        return Line((Sym(label, _sym(sym_name, layer_no).latex),), (), value), np.asarray(answer), answer_label

    def _unit_table(self, op, values, unit_label: str, sample, extra: dict | None = None, edits=None,
                    total=False) -> Table:
        """A table with one column per unit: the sample's row (or every sample and their mean, or
        ``total`` their sum)."""
        units = values.shape[1]
        columns = tuple(f"{unit_label}[{u + 1}]" for u in range(units))
        if sample is None:
            rows = tuple(f"sample {s + 1}" for s in range(self.batch)) + ("sum" if total else "mean",)
            summary = values.sum(axis=0, keepdims=True) if total else values.mean(axis=0, keepdims=True)
            table = np.vstack([values, summary])
        else:
            rows = (f"sample {sample + 1}",)
            table = values[sample:sample + 1]
        if extra:
            names = tuple(extra)
            rows = names + rows
            table = np.vstack([np.asarray(extra[k], dtype=float).reshape(1, -1) for k in names] + [table])
        return Table(rows, columns, np.array(table, dtype=float), edits or {}, None, op.unit)

    def _refs_nodes(self, column: int, units=None, unit: int | None = None) -> tuple[Ref, ...]:
        n = self._column_size(column)
        which = [unit] if unit is not None else (range(n) if units is None else units)
        return tuple(Ref("node", column, u) for u in which)

    def _refs_edges(self, layer: int, unit: int | None = None, source: int | None = None) -> tuple[Ref, ...]:
        rec = self.trace.layers[layer]
        if rec.type not in ("dense", "glu"):
            return ()
        return (Ref("edges", layer + 1, -1 if unit is None else unit, -1 if source is None else source),)

    def _column_size(self, column: int) -> int:
        return self.trace.x.shape[1] if column == 0 else self.trace.layers[column - 1].z.shape[1]

    # -- forward ----------------------------------------------------------------------------------
    def _calc_z(self, op, sample):
        i = op.layer
        rec, n = self.trace.layers[i], op.layer + 1
        x = rec.input
        xs = x[sample] if sample is not None else None
        groups: list[list[Line]] = []
        notes: list[str] = [f"Input: {self._sample_text(sample)}."]
        terms = {"x": x, "z": rec.z}
        kind = rec.type
        p = rec.params_before
        if kind == "dense":
            W, b = p["weight"], p["bias"]
            formula = (Line((_sym("z", n),), (_sym("W", n), " · ", _sym("a", n - 1), " + ", _sym("b", n))),)
            groups = self._groups(op, W.shape[0], lambda j: [Line(
                (_sym("z", n, j),), _dot(W[j], xs) + (" + ", Num(b[j], True)), float(rec.z[sample, j]))], sample)
            terms.update(W=W, b=b)
            table = (self._weight_table(i, W, b, x, rec.z, sample, op.unit) if sample is not None
                     else self._unit_table(op, rec.z, f"z{n}", None))
        elif kind == "glu":
            e = rec.extras
            gate = {"glu": "σ", "swiglu": "swish", "geglu": "gelu"}[self.net.layers[i].variant]
            formula = (Line((Sym("u", "u"),), (_sym("W", n), " · ", _sym("a", n - 1), " + ", _sym("b", n))),
                       Line((Sym("g", "g"),), (f"{gate}(", _sym("Wg", n), " · ", _sym("a", n - 1), " + ",
                                                _sym("bg", n), ")")),
                       Line((_sym("z", n),), ("g ⊙ u",)))
            groups = self._groups(op, rec.z.shape[1], lambda j: [
                Line((Sym(f"u[{j + 1}]", f"u_{{{j + 1}}}"),), _dot(p["weight"][j], xs) + (" + ", Num(p["bias"][j], True)),
                     float(e["value"][sample, j])),
                Line((Sym(f"g[{j + 1}]", f"g_{{{j + 1}}}"),), (f"{gate}(", Num(e["gate_z"][sample, j]), ")"),
                     float(e["gate"][sample, j])),
                Line((_sym("z", n, j),), (Num(e["gate"][sample, j]), "*", Num(e["value"][sample, j], True)),
                     float(rec.z[sample, j]))], sample)
            terms.update({k: v for k, v in e.items()})
            table = self._unit_table(op, rec.z, f"z{n}", sample,
                                     None if sample is None else {"u": e["value"][sample], "g": e["gate"][sample]})
        else:
            formula, groups, table, more = self._norm_lines(op, rec, n, sample)
            notes += more
            terms.update({k: v for k, v in rec.extras.items()})
        result, answer, label = self._vector_result(op, "z", n, rec.z, sample)
        return dict(symbol=f"z{n}", formula=formula, lines=self._per_unit(op, groups), result=result,
                    answer=answer, answer_label=label, table=table, notes=tuple(notes), terms=terms,
                    reads=self._refs_nodes(i) + self._refs_edges(i, op.unit),
                    writes=self._refs_nodes(i + 1, unit=op.unit))

    def _weight_table(self, i, W, b, x, z, sample, unit) -> Table:
        """Rows: the input, then one row per unit: its weights, its bias and its z."""
        n = i + 1
        fan_in = W.shape[1]
        columns = tuple(f"w[·,{k + 1}]" for k in range(fan_in)) + (f"b{n}", f"z{n}")
        values = np.full((W.shape[0] + 1, fan_in + 2), np.nan)
        values[0, :fan_in] = x[sample]
        values[1:, :fan_in] = W
        values[1:, fan_in] = b
        values[1:, fan_in + 1] = z[sample]
        row = int(self.rows[sample])

        def edit(r, c):
            if r == 0:  # the inputs of the first layer are the data's, and editable
                return Edit("input", index=(row, c)) if i == 0 and c < fan_in else None
            if c < fan_in:
                return Edit("param", f"layers[{i}].weight", (r - 1, c))
            return Edit("param", f"layers[{i}].bias", (r - 1,)) if c == fan_in else None

        rows = LazyLabels(W.shape[0] + 1, lambda r: (f"a{n - 1} = x" if i == 0 else f"a{n - 1}") if r == 0
                          else f"unit {r}")
        return Table(rows, columns, values, LazyEdits(values.shape, edit), None if unit is None else unit + 1)

    def _norm_lines(self, op, rec, n, sample):
        e, kind = rec.extras, rec.type
        groups: list[list[Line]] = []
        notes: list[str] = []
        p = rec.params_before
        if kind == "dropout":
            formula = (Line((_sym("z", n),), (_sym("a", n - 1), " ⊙ mask")),)
            mask = e.get("mask")
            if mask is None:
                notes.append("Dropout is off (p = 0): z = x.")
            groups = self._groups(op, rec.z.shape[1], lambda j: [Line(
                (_sym("z", n, j),), (Num(rec.input[sample, j]), "*", Num(mask[sample, j])), float(rec.z[sample, j]))],
                None if mask is None else sample)
            if mask is not None:
                p_drop = self.net.layers[rec.index].p
                notes.append(f"Each unit is kept with probability 1 − p = {format_value(1 - p_drop)} and scaled by "
                             f"1/(1 − p) = {format_value(1 / (1 - p_drop)) if p_drop < 1 else 'nothing (p = 1)'}.")
            table = self._unit_table(op, rec.z, f"z{n}", sample,
                                     None if sample is None or mask is None else {"x": rec.input[sample], "mask": mask[sample]})
            return formula, groups, table, notes
        if kind == "batchnorm":
            formula = (Line((Sym("μ", r"\mu"),), ("mean over the batch of ", _sym("a", n - 1))),
                       Line((Sym("σ²", r"\sigma^2"),), ("mean over the batch of (", _sym("a", n - 1), " − μ)²")),
                       Line((Sym("x_hat", r"\hat{x}"),), ("(", _sym("a", n - 1), " − μ) / √(σ² + ε)")),
                       Line((_sym("z", n),), ("γ ⊙ x_hat + β",)))
            mean, var = e["batch_mean"], e["batch_var"]
            extra = {"μ": mean, "σ²": var}
        elif kind == "layernorm":
            formula = (Line((Sym("μ", r"\mu"),), ("mean over the units of ", _sym("a", n - 1))),
                       Line((Sym("σ²", r"\sigma^2"),), ("mean over the units of (", _sym("a", n - 1), " − μ)²")),
                       Line((Sym("x_hat", r"\hat{x}"),), ("(", _sym("a", n - 1), " − μ) / √(σ² + ε)")),
                       Line((_sym("z", n),), ("γ ⊙ x_hat + β",)))
            extra = {}
            if sample is not None:
                notes.append(f"This sample: μ = {format_value(e['mean'][sample])}, "
                             f"σ² = {format_value(e['var'][sample])}.")
        else:
            formula = (Line((Sym("x_hat", r"\hat{x}"),), (_sym("a", n - 1), " / √(mean(", _sym("a", n - 1), "²) + ε)")),
                       Line((_sym("z", n),), ("γ ⊙ x_hat",)))
            extra = {}
        def unit_lines(j):
            xh = e["x_hat"][sample, j]
            rhs = (Num(p["weight"][j]), "*", Num(xh, True))
            if "bias" in p:
                rhs += (" + ", Num(p["bias"][j], True))
            return [Line((Sym(f"x_hat[{j + 1}]", rf"\hat{{x}}_{{{j + 1}}}"),), (), float(xh)),
                    Line((_sym("z", n, j),), rhs, float(rec.z[sample, j]))]

        groups = self._groups(op, rec.z.shape[1], unit_lines, sample)
        rows = dict(extra)
        rows["γ"] = p["weight"]
        if "bias" in p:
            rows["β"] = p["bias"]
        if sample is not None:
            rows["x_hat"] = e["x_hat"][sample]
        table = self._unit_table(op, rec.z, f"z{n}", sample, rows)
        return formula, groups, table, notes

    def _calc_a(self, op, sample):
        i = op.layer
        rec, n = self.trace.layers[i], i + 1
        act = rec.activation
        f_text, _ = _ACTIVATION_TEXT.get(act, (act, ""))
        formula = (Line((_sym("a", n),), (f"{act}(", _sym("z", n), ")")),)
        if f_text != f"{act}(z)":
            formula += (Line((Sym(f"{act}(z)", rf"\mathrm{{{act}}}(z)"),), (f_text,)),)
        groups = []
        notes = []
        terms = {"z": rec.z, "a": rec.a}
        if act == "softmax":
            groups, notes, extra = self._softmax_lines(rec, n, sample)
            terms.update(extra)
            lines = tuple(line for g in groups for line in g)
        else:
            groups = self._groups(op, rec.z.shape[1], lambda j: [Line(
                (_sym("a", n, j),), (f"{act}(", Num(rec.z[sample, j]), ")"), float(rec.a[sample, j]))], sample)
            lines = self._per_unit(op, groups)
        result, answer, label = self._vector_result(op, "a", n, rec.a, sample)
        table = self._unit_table(op, rec.a, f"a{n}", sample, None if sample is None else {f"z{n}": rec.z[sample]})
        nodes = self._refs_nodes(i + 1, unit=op.unit)
        return dict(formula=formula, lines=lines, result=result, answer=answer, answer_label=label,
                    table=table, notes=tuple(notes), terms=terms, reads=nodes, writes=nodes)

    def _softmax_lines(self, rec, n, sample):
        z = rec.z
        shift = z.max(axis=1, keepdims=True)
        ex = np.exp(z - shift)
        total = ex.sum(axis=1)
        notes = ["Stable softmax: subtracting the largest z before exp changes nothing in the result "
                 "(it cancels in the ratio) but keeps exp from overflowing."]
        if sample is None:
            return [[]], notes, {"m": shift[:, 0], "exp(z - m)": ex, "sum": total}
        s = sample
        k = z.shape[1]
        shown = list(range(k)) if k <= MAX_LINES else list(range(MAX_LINES - 1)) + [k - 1]
        items = [Num(z[s, j]) for j in shown]
        if k > MAX_LINES:
            items[-1:] = ["…", items[-1]]
        lines = [Line((Sym("m", "m"),), ("max(",) + tuple(_join(items, ", ")) + (")",), float(shift[s, 0]))]
        for j in shown:
            lines.append(Line((Sym(f"e[{j + 1}]", f"e_{{{j + 1}}}"),), ("exp(", Num(z[s, j]), " − ", Num(shift[s, 0], True), ")"),
                              float(ex[s, j])))
        terms = [Num(ex[s, j]) for j in shown]
        if k > MAX_LINES:
            terms[-1:] = ["…", terms[-1]]
        lines.append(Line((Sym("S", "S"),), tuple(_join(terms, " + ")), float(total[s])))
        for j in shown:
            lines.append(Line((_sym("a", n, j),), (Num(ex[s, j]), " / ", Num(total[s])), float(rec.a[s, j])))
        return [lines], notes, {"m": shift[:, 0], "exp(z - m)": ex, "sum": total}

    # -- loss -------------------------------------------------------------------------------------
    def _calc_loss(self, op, sample):
        tr, net = self.trace, self.net
        last = tr.layers[-1]
        L = len(tr.layers)
        name = net.loss.name
        a, y = last.a, tr.y
        k = a.shape[1]
        formula = {
            "bce": "−mean[y·ln(a) + (1 − y)·ln(1 − a)]",
            "mse": "mean((a − y)²)", "mae": "mean(|a − y|)",
            "huber": f"mean(½(a − y)² if |a − y| ≤ δ else δ·(|a − y| − ½δ)),  δ = {format_value(getattr(net.loss, 'delta', 1.0))}",
            "focal": f"−mean[y·(1 − p)^γ·ln p + (1 − y)·p^γ·ln(1 − p)],  γ = {format_value(getattr(net.loss, 'gamma', 2.0))}",
            "cross_entropy": "−mean over samples of Σ_j y_j·ln(p_j)",
        }.get(name, name)
        lines: list[Line] = []
        notes = []
        if name == "cross_entropy" and last.activation != "softmax":
            notes.append("The output is not a softmax, so p = softmax(a): the loss works on logits.")
        if name in ("bce", "focal") and last.activation != "sigmoid":
            notes.append("The output is not a sigmoid, so p = σ(a): the loss works on logits.")
        if name == "bce" and last.activation == "sigmoid":
            notes.append("Computed from z as softplus(z) − y·z, which equals the formula but cannot overflow "
                         "(PyTorch's BCEWithLogitsLoss).")
        if sample is not None:
            s = sample
            if name == "bce" and last.activation == "sigmoid":
                for j in range(min(k, MAX_LINES)):
                    lines.append(Line((Sym("ℓ" + (f"[{j + 1}]" if k > 1 else ""), r"\ell"),),
                                      ("−[", Num(y[s, j]), "·ln(", Num(a[s, j]), ") + (1 − ", Num(y[s, j]), ")·ln(1 − ",
                                       Num(a[s, j]), ")]"),
                                      float(net.loss.evaluate(a[s:s + 1, j:j + 1], y[s:s + 1, j:j + 1],
                                                              last.z[s:s + 1, j:j + 1], "sigmoid")[0])))
            elif name in ("mse", "mae"):
                body = []
                for j in range(min(k, MAX_TERMS)):
                    if j:
                        body.append(" + ")
                    body += (["(", Num(a[s, j]), " − ", Num(y[s, j], True), ")²"] if name == "mse"
                             else ["|", Num(a[s, j]), " − ", Num(y[s, j], True), "|"])
                if k > MAX_TERMS:
                    body.append(" + …")
                if k > 1:
                    body = ["("] + body + [f") / {k}"]
                lines.append(Line((Sym("ℓ", r"\ell"),), tuple(body), float(self._sample_losses[s])))
            elif name == "cross_entropy" and last.activation == "softmax":
                c = np.flatnonzero(y[s])
                if c.size == 1 and y[s, c[0]] == 1.0:
                    lines.append(Line((Sym("ℓ", r"\ell"),), ("−ln(", _sym("p", None, int(c[0])), ") = −ln(",
                                                             Num(a[s, c[0]]), ")"), float(self._sample_losses[s])))
                    notes.append(f"The target is class {c[0]} (output unit {c[0] + 1}): only its probability counts.")
                else:
                    body = ["−("] + _join([("", Num(y[s, j]), "·ln(", Num(a[s, j]), ")") for j in range(k)], " + ") + [")"]
                    lines.append(Line((Sym("ℓ", r"\ell"),), tuple(_flatten(body)), float(self._sample_losses[s])))
            else:
                lines.append(Line((Sym("ℓ", r"\ell"),), (), float(self._sample_losses[s])))
            notes.insert(0, f"ℓ is the loss of {self._sample_text(sample)}; L is the mean over the batch.")
        losses = self._sample_losses
        rhs: tuple = ()
        if self.batch <= MAX_EXPANDED_BATCH and self.batch > 1:
            rhs = ("(",) + tuple(_join([Num(v) for v in losses], " + ")) + (f") / {self.batch}",)
        if tr.regularization_loss:
            notes.append(f"With regularisation: L = {format_value(tr.data_loss, 6)} (data) + "
                         f"{format_value(tr.regularization_loss, 6)} (penalty) = {format_value(tr.loss, 6)}.")
        result = Line((Sym("L", "L"),), rhs, float(tr.loss))
        rows = tuple(f"sample {s + 1}" for s in range(self.batch))
        if self.class_indices:  # the data hold one class index per row; y is its one-hot row
            columns = tuple(f"a{L}[{j + 1}]" for j in range(k)) + ("class", "ℓ")
            values = np.column_stack([a, y.argmax(axis=1), losses])
            edits = {(s, k): Edit("target", index=(int(self.rows[s]), 0)) for s in range(self.batch)}
        else:
            columns = tuple(f"a{L}[{j + 1}]" for j in range(k)) + tuple(f"y[{j + 1}]" for j in range(k)) + ("ℓ",)
            values = np.column_stack([a, y, losses])
            edits = {(s, k + j): Edit("target", index=(int(self.rows[s]), j)) for s in range(self.batch)
                     for j in range(k)}
        table = Table(rows, columns, values, edits, None if sample is None else sample)
        out_nodes = self._refs_nodes(L)
        return dict(formula=(Line((Sym("L", "L"),), (formula,)),), lines=tuple(lines), result=result,
                    answer=np.array([tr.loss]), answer_label="L", table=table, notes=tuple(notes),
                    terms={"per_sample": losses, "data_loss": np.array(tr.data_loss),
                           "regularization": np.array(tr.regularization_loss)},
                    reads=out_nodes, writes=())

    # -- backward ---------------------------------------------------------------------------------
    def _calc_da(self, op, sample):
        tr, net = self.trace, self.net
        i = op.layer
        rec, n = tr.layers[i], i + 1
        a, y, da = rec.a, tr.y, rec.da
        name = net.loss.name
        N = a.size if name in ("bce", "mse", "mae", "huber", "focal") else a.shape[0]
        rule = {"bce": "(a − y) / (a·(1 − a)) / N", "mse": "2·(a − y) / N", "mae": "sign(a − y) / N",
                "cross_entropy": "−y / p / N" if rec.activation == "softmax" else "(softmax(a) − y) / N"}.get(name, "∂L/∂a")
        formula = (Line((_sym("dL/da", n),), (rule,)),)
        s = sample

        def unit_lines(j):
            if name == "bce" and rec.activation == "sigmoid":
                rhs = ("(", Num(a[s, j]), " − ", Num(y[s, j], True), ") / (", Num(a[s, j]), "·(1 − ", Num(a[s, j]),
                       f")) / {N}")
            elif name == "mse":
                rhs = ("2·(", Num(a[s, j]), " − ", Num(y[s, j], True), f") / {N}")
            elif name == "mae":
                rhs = ("sign(", Num(a[s, j]), " − ", Num(y[s, j], True), f") / {N}")
            elif name == "cross_entropy" and rec.activation == "softmax":
                rhs = ("−", Num(y[s, j]), " / ", Num(a[s, j]), f" / {N}")
            else:
                rhs = ()
            return [Line((_sym("dL/da", n, j),), rhs, float(da[s, j]))]

        groups = self._groups(op, a.shape[1], unit_lines, sample)
        notes = [f"N = {N}: the loss is a mean over {'every output of every sample' if N == a.size and a.shape[1] > 1 else 'the batch'}."]
        if tr.fused:
            notes.append("Shown for completeness: with this loss and output activation the backward pass "
                         "skips dL/da and takes dL/dz = (p − y)/N directly (next step), which is exact and stable.")
        result, answer, label = self._vector_result(op, "dL/da", n, da, sample, total=True)
        table = self._unit_table(op, da, f"dL/da{n}", sample,
                                 None if sample is None else {f"a{n}": a[sample], "y": y[sample]}, total=True)
        nodes = self._refs_nodes(i + 1, unit=op.unit)
        return dict(formula=formula, lines=self._per_unit(op, groups), result=result, answer=answer,
                    answer_label=label, table=table, notes=tuple(notes), terms={"da": da, "a": a, "y": y},
                    reads=nodes, writes=nodes)

    def _calc_dz(self, op, sample):
        tr = self.trace
        i = op.layer
        rec, n = tr.layers[i], i + 1
        last = i == len(tr.layers) - 1
        groups = []
        notes = []
        terms = {"da": rec.da, "dz": rec.dz}
        act = rec.activation
        if last and tr.fused:
            N = rec.a.size if self.net.loss.name != "cross_entropy" else rec.a.shape[0]
            p = "p"
            formula = (Line((_sym("dL/dz", n),), (f"({p} − y) / N",)),)
            groups = self._groups(op, rec.z.shape[1], lambda j: [Line(
                (_sym("dL/dz", n, j),), ("(", Num(rec.a[sample, j]), " − ", Num(tr.y[sample, j], True), f") / {N}"),
                float(rec.dz[sample, j]))], sample)
            notes.append(f"The {LOSS_NAMES.get(self.net.loss.name, self.net.loss.name)} loss and the {act} output "
                         f"are differentiated together: "
                         f"dL/da ⊙ {act}'(z) simplifies to (p − y)/N, N = {N}.")
        elif act == "softmax":
            formula = (Line((_sym("dL/dz", n),), ("a ⊙ (dL/da − Σ_j (dL/da)_j·a_j)",)),)
            dot = np.sum(rec.da * rec.a, axis=1)
            groups = self._groups(op, rec.z.shape[1], lambda j: [Line(
                (_sym("dL/dz", n, j),), (Num(rec.a[sample, j]), "·(", Num(rec.da[sample, j]), " − ",
                                         Num(dot[sample], True), ")"), float(rec.dz[sample, j]))], sample)
            terms["Σ da·a"] = dot
        else:
            _, deriv = _ACTIVATION_TEXT.get(act, (act, "f'(z)"))
            formula = (Line((_sym("dL/dz", n),), (_sym("dL/da", n), " ⊙ ", _sym("f'", None), "(", _sym("z", n), ")")),
                       Line((Sym(f"{act}'(z)", rf"\mathrm{{{act}}}'(z)"),), (deriv,)))
            groups = self._groups(op, rec.z.shape[1], lambda j: [Line(
                (_sym("dL/dz", n, j),), (Num(rec.da[sample, j]), "*", Num(rec.dadz[sample, j], True)),
                float(rec.dz[sample, j]))], sample)
            terms["f'(z)"] = rec.dadz
            if act == "relu":
                notes.append("ReLU passes the gradient where z > 0 and blocks it where z ≤ 0.")
            if act == "step":
                notes.append("The step function's derivative is 0 everywhere: no gradient reaches the weights. "
                             "This is why the perceptron is trained by Rosenblatt's rule instead.")
        result, answer, label = self._vector_result(op, "dL/dz", n, rec.dz, sample, total=True)
        extra = None
        if sample is not None:
            extra = {f"dL/da{n}": rec.da[sample]}
            if rec.dadz is not None and not (last and tr.fused):
                extra[f"f'(z{n})"] = rec.dadz[sample]
        table = self._unit_table(op, rec.dz, f"dL/dz{n}", sample, extra, total=True)
        nodes = self._refs_nodes(i + 1, unit=op.unit)
        return dict(formula=formula, lines=self._per_unit(op, groups), result=result, answer=answer,
                    answer_label=label, table=table, notes=tuple(notes), terms=terms, reads=nodes, writes=nodes)

    def _calc_grad(self, op, sample):
        tr, net = self.trace, self.net
        i, name = op.layer, op.param
        rec, n = tr.layers[i], i + 1
        grad = rec.grads[name]
        psym = _param_symbol(name, rec.type)
        reg = net.regularization if getattr(net, "regularization", None) else {"l1": 0.0, "l2": 0.0}
        regularized = name in type(net.layers[i]).REGULARIZED
        l1, l2 = (reg.get("l1", 0.0), reg.get("l2", 0.0)) if regularized else (0.0, 0.0)
        coef = tr.clip_coef
        groups: list[list[Line]] = []
        notes = []
        B = self.batch
        samples = range(B) if B <= MAX_EXPANDED_BATCH else None
        x, dz, W = rec.input, rec.dz, rec.params_before[name]
        if rec.type == "dense" and name in ("weight", "bias"):
            if name == "weight":
                formula = (Line((_sym("dL/dW", n),), ("Σ over the batch of ", _sym("dL/dz", n), " · ",
                                                      _sym("a", n - 1), "ᵀ")),)
            else:
                formula = (Line((_sym("dL/db", n),), ("Σ over the batch of ", _sym("dL/dz", n))),)
            def unit_lines(j):
                group = []
                ks = list(range(grad.shape[1])) if name == "weight" else [None]
                for k in ks[:MAX_ENTRIES]:
                    idx = (j, k) if k is not None else (j,)
                    if samples is not None:
                        pieces = [(Num(dz[s, j], s > 0), "*", Num(x[s, k], True)) if k is not None
                                  else (Num(dz[s, j], s > 0),) for s in samples]
                        rhs = list(_flatten(_join(pieces, " + ")))
                    else:
                        rhs = [f"Σ over {B} samples"]
                    if l2:
                        rhs += [" + 2*", Num(l2), "*", Num(W[idx], True)]
                    if l1:
                        rhs += [" + ", Num(l1), "*sign(", Num(W[idx]), ")"]
                    if coef != 1.0:
                        rhs = ["("] + rhs + [")*", Num(coef)]
                    lhs = (_sym("dL/dW" if name == "weight" else "dL/db", n, idx),)
                    group.append(Line(lhs, tuple(rhs), float(grad[idx])))
                if len(ks) > MAX_ENTRIES:
                    group.append(Line((f"… {len(ks) - MAX_ENTRIES} more entries of this row in the table",)))
                return group

            groups = self._groups(op, grad.shape[0], unit_lines)  # the sums do not depend on the sample
            if sample is not None and B > 1:
                what = f"dL/dz{n} · a{n - 1}ᵀ" if name == "weight" else f"dL/dz{n}"
                notes.append(f"Sample {sample + 1} contributes {what} = "
                             f"{format_vector(np.outer(dz[sample], x[sample]) if name == 'weight' else dz[sample])} "
                             f"to this sum.")
        else:
            formula = (Line((Sym(f"dL/d{psym}{n}", rf"\frac{{\partial L}}{{\partial {psym}^{{({n})}}}}"),),
                            (_GRAD_RULES.get((rec.type, name), "backpropagated through the layer"),)),)
            groups = [[] for _ in range(_rows(grad))]
        if l1 or l2:
            notes.append("The regularisation penalty adds its own gradient: "
                         + (f"2·l2·W (l2 = {format_value(l2, 6)})" if l2 else "")
                         + (" and " if l1 and l2 else "") + (f"l1·sign(W) (l1 = {format_value(l1, 6)})" if l1 else "") + ".")
        if coef != 1.0:
            notes.append(f"The whole gradient's norm {format_value(tr.grad_norm)} exceeded clip_grad_norm "
                         f"{format_value(net.clip_grad_norm)}, so every gradient is scaled by {format_value(coef, 6)}.")
        g2 = grad.reshape(grad.shape[0], -1) if grad.ndim > 1 else grad.reshape(-1, 1)
        if op.unit is not None:
            answer, label = g2[op.unit], f"dL/d{psym}{n}[{op.unit + 1}]"
            result = Line((Sym(label, label),), (), g2[op.unit].copy() if g2.shape[1] > 1 else float(g2[op.unit, 0]))
        else:
            label = f"dL/d{psym}{n}"
            result = Line((_sym(f"dL/d{psym}", n) if psym in "Wb" else Sym(label, label),), (),
                          grad.copy() if grad.size > 1 else float(grad.ravel()[0]))
            answer = grad.ravel() if grad.size <= MAX_LINES else grad.ravel()[:1]
        table = self._param_table(i, name, {"gradient": grad}, op.unit)
        reads = self._refs_nodes(i + 1, unit=op.unit) + self._refs_nodes(i)
        writes = (self._refs_edges(i, op.unit) if name in ("weight", "gate_weight")
                  else self._refs_nodes(i + 1, unit=op.unit))
        return dict(formula=formula, lines=self._per_unit(op, groups), result=result, answer=np.asarray(answer),
                    answer_label=label, table=table, notes=tuple(notes), terms={"grad": grad}, reads=reads,
                    writes=writes)

    def _param_table(self, i, name, columns: dict, unit) -> Table:
        """One row per entry of a parameter, one column per quantity; the value columns editable."""
        first = next(iter(columns.values()))
        shape = first.shape
        symbol = _param_symbol(name, self.trace.layers[i].type)

        def index(r):
            return tuple(int(k) for k in np.unravel_index(r, shape)) if shape else ()

        rows = LazyLabels(first.size, lambda r: f"{symbol}{i + 1}[{','.join(str(k + 1) for k in index(r))}]")
        values = np.column_stack([np.asarray(v, dtype=float).reshape(-1) for v in columns.values()])
        edits = {}
        col_names = tuple(columns)
        if "before" in columns:
            c = col_names.index("before")
            edits = LazyEdits(values.shape, lambda r, cc: Edit("param", f"layers[{i}].{name}", index(r))
                              if cc == c else None)
        highlight = None
        if unit is not None:
            per_row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            highlight = unit * per_row
        return Table(rows, col_names, values, edits, highlight)

    def _calc_dx(self, op, sample):
        tr = self.trace
        i = op.layer
        rec, n = tr.layers[i], i + 1
        below = tr.layers[i - 1]
        da = below.da
        groups = []
        if rec.type == "dense":
            W = rec.params_before["weight"]
            formula = (Line((_sym("dL/da", n - 1),), (_sym("W", n), "ᵀ · ", _sym("dL/dz", n))),)
            groups = self._groups(op, W.shape[1], lambda k: [Line(
                (_sym("dL/da", n - 1, k),), _dot(W[:, k], rec.dz[sample]), float(da[sample, k]))], sample)
        else:
            formula = (Line((_sym("dL/da", n - 1),), (_DX_RULES.get(rec.type, "backpropagated through the layer"),)),)
            groups = [[] for _ in range(da.shape[1])]
        result, answer, label = self._vector_result(op, "dL/da", n - 1, da, sample, total=True)
        if rec.type == "dense" and sample is not None:
            # the matrix view: W's rows and dL/dz beside them, the result underneath
            units, fan_in = W.shape
            values = np.full((units + 1, fan_in + 1), np.nan)
            values[:units, :fan_in] = W
            values[:units, fan_in] = rec.dz[sample]
            values[units, :fan_in] = da[sample]
            edits = LazyEdits(values.shape, lambda j, k: Edit("param", f"layers[{i}].weight", (j, k))
                              if j < units and k < fan_in else None)
            table = Table(tuple(f"unit {j + 1}" for j in range(units)) + (f"dL/da{n - 1}",),
                          tuple(f"w[·,{k + 1}]" for k in range(fan_in)) + (f"dL/dz{n}",), values, edits,
                          None, op.unit)
        else:
            table = self._unit_table(op, da, f"dL/da{n - 1}", sample, total=True)
        notes = ["This is the gradient the layer below receives as its dL/da."]
        reads = self._refs_nodes(i + 1) + self._refs_edges(i, None, op.unit)
        return dict(formula=formula, lines=self._per_unit(op, groups), result=result, answer=answer,
                    answer_label=label, table=table, notes=tuple(notes), terms={"da_below": da},
                    reads=reads, writes=self._refs_nodes(i, unit=op.unit))

    # -- update -----------------------------------------------------------------------------------
    def _calc_update(self, op, sample):
        tr, net = self.trace, self.net
        i, name = op.layer, op.param
        rec = tr.layers[i]
        key = f"layers[{i}].{name}"
        before, after, g = rec.params_before[name], rec.params_after[name], rec.grads[name]
        opt = net.optimizer
        sc = tr.optimizer_scalars
        lr = sc.get("lr", tr.lr)
        state = {term: values[key] for term, values in tr.optimizer_state.items()}
        prev = {term: values[key] for term, values in tr.optimizer_state_before.items()}
        t = tr.step + 1
        P = f"{_param_symbol(name, rec.type)}{i + 1}"
        columns = {"before": before, "gradient": g}
        rules: list[tuple] = []  # (symbolic rule, per-entry rhs builder, per-entry result array)
        notes = [f"Step t = {t}, learning rate lr = {format_value(lr, 6)}."]
        wd = getattr(opt, "weight_decay", 0.0)
        geff = g
        if opt.name in ("sgd", "adam", "adagrad", "rmsprop") and wd:
            geff = g + wd * before
            columns["g + λW"] = geff
            rules.append(("g ← g + λ·W", lambda e: (Num(g[e]), " + ", Num(wd), "*", Num(before[e], True)), geff))
            notes.append(f"Weight decay λ = {format_value(wd, 6)} is added to the gradient (L2 style).")
        if opt.name == "sgd":
            if opt.momentum:
                buf, old = state["momentum_buffer"], prev.get("momentum_buffer")
                columns["momentum buffer"] = buf
                if t == 1:
                    rules.append(("buf ← g (first step)", lambda e: (Num(geff[e]),), buf))
                else:
                    damp = 1.0 - opt.dampening
                    rules.append(("buf ← μ·buf + (1 − τ)·g",
                                  lambda e: (Num(opt.momentum), "*", Num(old[e], True), " + ", Num(damp), "*",
                                             Num(geff[e], True)), buf))
                direction = buf
                if opt.nesterov:
                    direction = geff + opt.momentum * buf
                    columns["nesterov g + μ·buf"] = direction
                    rules.append(("d ← g + μ·buf", lambda e: (Num(geff[e]), " + ", Num(opt.momentum), "*",
                                                             Num(buf[e], True)), direction))
                rules.append((f"{P} ← {P} − lr·{'d' if opt.nesterov else 'buf'}",
                              lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(direction[e], True)), after))
                notes.append(f"Momentum μ = {format_value(opt.momentum, 6)}, dampening τ = "
                             f"{format_value(opt.dampening, 6)}" + (", Nesterov." if opt.nesterov else "."))
            else:
                rules.append((f"{P} ← {P} − lr·g", lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(geff[e], True)),
                              after))
        elif opt.name in ("adam", "adamw"):
            b1, b2 = opt.betas
            bc1, bc2 = sc["bias_correction1"], sc["bias_correction2"]
            base = before
            if opt.name == "adamw" and wd:
                base = before * (1.0 - lr * wd)
                columns[f"{P}·(1 − lr·λ)"] = base
                rules.append((f"{P} ← {P}·(1 − lr·λ)", lambda e: (Num(before[e]), "*(1 − ", Num(lr), "*", Num(wd), ")"),
                              base))
                notes.append(f"AdamW decays the weights directly (decoupled), λ = {format_value(wd, 6)}.")
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m0, v0 = prev["exp_avg"], prev["exp_avg_sq"]
            vv = state.get("max_exp_avg_sq", v)
            m_hat, v_hat = m / bc1, vv / bc2
            columns.update({"m": m, "v": v})
            rules.append(("m ← β1·m + (1 − β1)·g", lambda e: (Num(b1), "*", Num(m0[e], True), " + ", Num(1 - b1), "*",
                                                             Num(geff[e], True)), m))
            rules.append(("v ← β2·v + (1 − β2)·g²", lambda e: (Num(b2), "*", Num(v0[e], True), " + ", Num(1 - b2), "*",
                                                              Num(geff[e], True), "²"), v))
            if "max_exp_avg_sq" in state:
                columns["max v"] = vv
                rules.append(("v_max ← max(v_max, v)", lambda e: ("max(", Num(prev["max_exp_avg_sq"][e]), ", ", Num(v[e]), ")"), vv))
            columns.update({"m_hat": m_hat, "v_hat": v_hat})
            rules.append(("m_hat = m / (1 − β1^t)", lambda e: (Num(m[e]), " / ", Num(bc1)), m_hat))
            rules.append(("v_hat = v / (1 − β2^t)", lambda e: (Num(vv[e]), " / ", Num(bc2)), v_hat))
            rules.append((f"{P} ← {P} − lr·m_hat / (√v_hat + ε)",
                          lambda e: (Num(base[e]), " − ", Num(lr), "*", Num(m_hat[e], True), " / (√", Num(v_hat[e]),
                                     " + ", Num(opt.eps), ")"), after))
            notes.append(f"Bias corrections: 1 − β1^t = 1 − {format_value(b1, 6)}^{t} = {format_value(bc1, 6)}, "
                         f"1 − β2^t = 1 − {format_value(b2, 6)}^{t} = {format_value(bc2, 6)}; ε = {opt.eps:g}.")
        elif opt.name == "adagrad":
            total, old = state["sum"], prev["sum"]
            clr = sc.get("clr", lr)
            columns["sum"] = total
            rules.append(("sum ← sum + g²", lambda e: (Num(old[e]), " + ", Num(geff[e], True), "²"), total))
            rules.append((f"{P} ← {P} − lr·g / (√sum + ε)",
                          lambda e: (Num(before[e]), " − ", Num(clr), "*", Num(geff[e], True), " / (√", Num(total[e]),
                                     " + ", Num(opt.eps), ")"), after))
            if clr != lr:
                notes.append(f"lr decays: lr / (1 + (t − 1)·lr_decay) = {format_value(clr, 6)}.")
        elif opt.name == "rmsprop":
            sq, old = state["square_avg"], prev["square_avg"]
            al = opt.alpha
            columns["square avg"] = sq
            rules.append(("s ← α·s + (1 − α)·g²", lambda e: (Num(al), "*", Num(old[e], True), " + ", Num(1 - al), "*",
                                                            Num(geff[e], True), "²"), sq))
            denom = np.sqrt(sq)
            if opt.centered:
                ga = state["grad_avg"]
                columns["grad avg"] = ga
                rules.append(("ḡ ← α·ḡ + (1 − α)·g", lambda e: (Num(al), "*", Num(prev["grad_avg"][e], True), " + ",
                                                               Num(1 - al), "*", Num(geff[e], True)), ga))
                denom = np.sqrt(sq - ga * ga)
            if opt.momentum:
                buf = state["momentum_buffer"]
                columns["momentum buffer"] = buf
                rules.append(("buf ← μ·buf + g / (√s + ε)", lambda e: (Num(opt.momentum), "*", Num(prev["momentum_buffer"][e], True),
                                                                        " + ", Num(geff[e], True), " / (", Num(denom[e]), " + ",
                                                                        Num(opt.eps), ")"), buf))
                rules.append((f"{P} ← {P} − lr·buf", lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(buf[e], True)), after))
            else:
                rules.append((f"{P} ← {P} − lr·g / (√s + ε)",
                              lambda e: (Num(before[e]), " − ", Num(lr), "*", Num(geff[e], True), " / (", Num(denom[e]),
                                         " + ", Num(opt.eps), ")"), after))
        columns["after"] = after
        formula = tuple(Line((r,)) for r, _, _ in rules)
        entries = list(np.ndindex(*before.shape))
        per_row = int(np.prod(before.shape[1:])) if before.ndim > 1 else 1
        def unit_lines(r):
            group = []
            row = entries[r * per_row:(r + 1) * per_row]
            for e in row[:MAX_ENTRIES]:
                for rule, rhs, value in rules:
                    lhs = rule.split(" ← ")[0].split(" = ")[0]
                    label = lhs.replace(P, f"{P}[{','.join(str(k + 1) for k in e)}]") if P in lhs else \
                        f"{lhs}[{','.join(str(k + 1) for k in e)}]"
                    group.append(Line((Sym(label, _latex_text(label)),), rhs(e), float(value[e])))
            if len(row) > MAX_ENTRIES:
                group.append(Line((f"… {len(row) - MAX_ENTRIES} more entries of this row in the table",)))
            return group

        groups = self._groups(op, _rows(before), unit_lines)
        if op.unit is not None:
            answer = after.reshape(_rows(after), -1)[op.unit]
            label = f"{P}[{op.unit + 1}]"
            result = Line((Sym(f"{P}[{op.unit + 1}] (new)", P),), (), answer.copy() if answer.size > 1 else float(answer[0]))
        else:
            answer = after.ravel() if after.size <= MAX_LINES else after.ravel()[:1]
            label = P
            result = Line((Sym(f"{P} (new)", P),), (), after.copy() if after.size > 1 else float(after.ravel()[0]))
        terms = {k: np.asarray(v) for k, v in columns.items()}
        terms.update({k: np.array(v) for k, v in sc.items()})
        writes = self._refs_edges(i, op.unit) if name in ("weight", "gate_weight") else self._refs_nodes(i + 1, unit=op.unit)
        return dict(formula=formula, lines=self._per_unit(op, groups), result=result, answer=np.asarray(answer),
                    answer_label=label, table=self._param_table(i, name, columns, op.unit), notes=tuple(notes),
                    terms=terms, reads=writes, writes=writes)

    def _calc_perceptron(self, op, sample):
        tr = self.trace
        rec = tr.perceptron[op.unit]
        x, target, z, out, err = rec["x"], rec["target"], rec["z"], rec["output"], rec["error"]
        w0, b0, w1, b1 = rec["weight_before"], rec["bias_before"], rec["weight_after"], rec["bias_after"]
        lr = tr.optimizer_scalars.get("lr", tr.lr)
        formula = (Line(("o = step(w · x + b)",)), Line(("e = y − o",)), Line(("w ← w + lr·e·x",)),
                   Line(("b ← b + lr·e",)))
        lines = []
        for j in range(z.shape[0]):
            lines.append(Line((Sym("z", "z"),), _dot(w0[j], x) + (" + ", Num(b0[j], True)), float(z[j])))
            lines.append(Line((Sym("o", "o"),), ("step(", Num(z[j]), ")"), float(out[j])))
            lines.append(Line((Sym("e", "e"),), (Num(target[j]), " − ", Num(out[j], True)), float(err[j])))
            for k in range(x.size):
                lines.append(Line((Sym(f"w[{k + 1}]", f"w_{{{k + 1}}}"),),
                                  (Num(w0[j, k]), " + ", Num(lr), "*", Num(err[j], True), "*", Num(x[k], True)),
                                  float(w1[j, k])))
            lines.append(Line((Sym("b", "b"),), (Num(b0[j]), " + ", Num(lr), "*", Num(err[j], True)), float(b1[j])))
        notes = [f"Sample {op.unit + 1} of the batch (training row {int(self.rows[op.unit]) + 1}); lr = {format_value(lr, 6)}.",
                 "Right answer (e = 0): nothing changes. Wrong: the weights move towards (e = 1) or away "
                 "from (e = −1) this input."]
        errors = int(tr.optimizer_scalars.get("errors", 0))
        notes.append(f"Misclassified in this batch: {errors} of {len(tr.perceptron)}.")
        columns = {"x": np.append(x, np.nan), "w before": np.append(w0[0], b0[0]), "w after": np.append(w1[0], b1[0])}
        rows = tuple(f"w[{k + 1}]" for k in range(x.size)) + ("b",)
        values = np.column_stack(list(columns.values()))
        edits = {(k, 1): Edit("param", "layers[0].weight", (0, k)) for k in range(x.size)}
        edits[(x.size, 1)] = Edit("param", "layers[0].bias", (0,))
        table = Table(rows, tuple(columns), values, edits, None)
        result = Line((Sym("e", "e"),), (), err.copy() if err.size > 1 else float(err[0]))
        refs = self._refs_edges(0) + self._refs_nodes(1)
        return dict(formula=formula, lines=tuple(lines), result=result, answer=np.atleast_1d(err).astype(float),
                    answer_label="e", table=table, notes=tuple(notes),
                    terms={"z": z, "output": out, "error": err, "weight": w1, "bias": b1}, reads=self._refs_nodes(0),
                    writes=refs)


_GRAD_RULES = {
    ("glu", "weight"): "Σ (dL/dz ⊙ g) · xᵀ", ("glu", "bias"): "Σ dL/dz ⊙ g",
    ("glu", "gate_weight"): "Σ (dL/dz ⊙ u ⊙ gate'(z_g)) · xᵀ", ("glu", "gate_bias"): "Σ dL/dz ⊙ u ⊙ gate'(z_g)",
    ("batchnorm", "weight"): "Σ over the batch of dL/dz ⊙ x_hat", ("batchnorm", "bias"): "Σ over the batch of dL/dz",
    ("layernorm", "weight"): "Σ over the batch of dL/dz ⊙ x_hat", ("layernorm", "bias"): "Σ over the batch of dL/dz",
    ("rmsnorm", "weight"): "Σ over the batch of dL/dz ⊙ x_hat",
}
_DX_RULES = {
    "glu": "(dL/dz ⊙ g)·W + (dL/dz ⊙ u ⊙ gate'(z_g))·Wg",
    "batchnorm": "(1/√(σ²+ε))/B · (B·d − Σd − x_hat·Σ(d ⊙ x_hat)),  d = dL/dz ⊙ γ",
    "layernorm": "(1/√(σ²+ε))/n · (n·d − Σd − x_hat·Σ(d ⊙ x_hat)),  d = dL/dz ⊙ γ (sums over units)",
    "rmsnorm": "(1/rms) · (d − x_hat·mean(d ⊙ x_hat)),  d = dL/dz ⊙ γ",
    "dropout": "dL/dz ⊙ mask",
}


def _param_symbol(name: str, layer_type: str = "dense") -> str:
    if layer_type in ("batchnorm", "layernorm", "rmsnorm"):
        return {"weight": "γ", "bias": "β"}.get(name, name)
    return {"weight": "W", "bias": "b", "gate_weight": "Wg", "gate_bias": "bg", "alpha": "α"}.get(name, name)


LOSS_NAMES = {"bce": "binary cross-entropy", "cross_entropy": "cross-entropy", "mse": "mean squared error",
              "mae": "mean absolute error", "huber": "Huber", "focal": "focal"}


def _rows(array: np.ndarray) -> int:
    return int(array.shape[0]) if array.ndim else 1


def _join(items, sep):
    out = []
    for k, item in enumerate(items):
        if k:
            out.append(sep)
        out.append(item)
    return out


def _flatten(items):
    for item in items:
        if isinstance(item, (tuple, list)):
            yield from _flatten(item)
        else:
            yield item


def _dot(w, x, name: str = "x") -> tuple:
    """``w1*x1 + w2*x2 + …`` with numbers (or symbols when ``x`` is None), shortened when long."""
    count = len(w)
    idx = list(range(count)) if count <= MAX_TERMS else [0, 1, 2, count - 1]
    out: list = []
    for pos, k in enumerate(idx):
        if pos:
            out.append(" + ")
            if count > MAX_TERMS and k == count - 1:
                out.append("… + ")
        out.append(Num(w[k], pos > 0))
        out.append("*")
        out.append(Sym(f"{name}[{k + 1}]", f"{name}_{{{k + 1}}}") if x is None else Num(x[k], True))
    return tuple(out)
