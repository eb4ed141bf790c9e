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

The module holds the list of operations and the :class:`Walkthrough` that renders them; the forward,
loss-and-backward and update calculations live in ``walkthrough_forward``, ``walkthrough_backward``
and ``walkthrough_update``, the tokens and their text/LaTeX in :mod:`nnviz.core.formula`, and what a
calculation shows (tables, graph refs, the quiz's check) in :mod:`nnviz.core.calculation`. Nothing
here names a kind of layer, activation, loss or optimizer: each explains itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core import walkthrough_backward, walkthrough_forward, walkthrough_update
from nnviz.core.activations import Identity
from nnviz.core.calculation import (
    Calculation,
    Edit,
    LazyEdits,
    LazyLabels,
    Ref,
    Table,
    check_answer,
    expand_edges,
    sample_label,
)
from nnviz.core.formula import (
    MAX_ENTRIES,
    MAX_EXPANDED_BATCH,
    MAX_LINES,
    MAX_TERMS,
    MAX_TOTAL_LINES,
    Line,
    Num,
    Sym,
    Token,
    sym,
)
from nnviz.core.network import Network
from nnviz.core.numbers import format_value, format_vector
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase
from nnviz.core.trace import Trace
from nnviz.core.trainer import Trainer
from nnviz.core.walkthrough_backward import rows_of

__all__ = ["CHECK_EPS", "CHECK_LIMIT", "MAX_ENTRIES", "MAX_EXPANDED_BATCH", "MAX_LINES", "MAX_NEURON_STEPS",
           "MAX_TERMS", "MAX_TOTAL_LINES", "Calculation", "Edit", "LazyEdits", "LazyLabels", "Line", "Num",
           "Operation", "Ref", "Sym", "Table", "Token", "WalkState", "Walkthrough", "check_answer", "expand_edges",
           "format_value", "format_vector", "trace_next_step", "walk_next_step"]

MAX_NEURON_STEPS = 2000  # neuron-by-neuron stepping is offered below this many operations
CHECK_LIMIT = 5000  # the gradient check runs for networks of at most this many parameters
CHECK_EPS = 1e-6
#: what a check of a float32 model says of itself: it runs on a float64 copy of the model
FLOAT64_NOTE = ", in float64 (float32 would round differences of ε away)"


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


@dataclass(frozen=True)
class WalkState:
    """What the step-through view shows: the walkthrough of the next step and the gradient check of
    its batch. ``committed``: this follows a real step (the view starts again at the first operation)."""

    walkthrough: Walkthrough
    checks: tuple | None  # nnviz.core.gradcheck.GradientCheck per parameter, or None
    check_note: str = ""  # why there is no check, or what it used
    eps: float = CHECK_EPS
    committed: bool = False


def unchecked_reason(net: Network) -> str:
    """Why the gradients of ``net`` are not checked ("" when they are): an optimizer that uses no
    gradient, or more than :data:`CHECK_LIMIT` parameters."""
    if net.optimizer.per_sample:
        return Phrase(QT_TRANSLATE_NOOP("", "The {optimizer} uses no gradient, so there is nothing to check."),
                      optimizer=Phrase(net.optimizer.title or net.optimizer.name))
    if net.parameter_count > CHECK_LIMIT:
        return Phrase(QT_TRANSLATE_NOOP("", "Not checked: {count} parameters would take {evaluations} loss "
                                            "evaluations (the check runs up to {limit})."),
                      count=f"{net.parameter_count:,}", evaluations=f"{2 * net.parameter_count:,}",
                      limit=f"{CHECK_LIMIT:,}")
    return ""


def walk_next_step(net: Network, trainer: Trainer, neurons: bool = False, committed: bool = False,
                   class_indices: bool = False) -> WalkState:
    """Trace the next step of ``trainer`` (see :func:`trace_next_step`) and check its gradients by
    central differences on the same batch, for networks of at most :data:`CHECK_LIMIT` parameters."""
    from nnviz.core.gradcheck import gradient_check

    trace, twin = trace_next_step(net, trainer)
    walk = Walkthrough(trace, twin, neurons=neurons, class_indices=class_indices)
    checks, note = None, unchecked_reason(net)
    if not note:
        with np.errstate(all="ignore"):
            # the same dropout mask as the step: the trainer's generator for it
            seed = [trainer.seed, 1, net.optimizer.t]
            # in float64 whatever the model's dtype: float32 rounding would swamp differences of ε
            checks = tuple(gradient_check(net.copy("float64"), trace.x, trace.y, eps=CHECK_EPS, seed=seed))
        if net.dtype_name == "float64":
            note = Phrase(QT_TRANSLATE_NOOP("", "On this step's batch of {size}, central differences with ε = {eps}."),
                          size=trace.x.shape[0], eps=f"{CHECK_EPS:g}")
        else:
            note = Phrase(QT_TRANSLATE_NOOP("", "On this step's batch of {size}, central differences with ε = {eps}, "
                                                "in float64 (float32 would round differences of ε away)."),
                          size=trace.x.shape[0], eps=f"{CHECK_EPS:g}")
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
        self.per_sample = net.optimizer.per_sample  # the perceptron rule: no loss, no backward pass
        ops = self._operations(neurons=False)
        if neurons:
            try:
                ops = self._operations(neurons=True)
            except _TooMany:  # a step too long to take unit by unit: stay with layers
                pass
        self.neurons = neurons and ops is not None and any(op.unit is not None for op in ops)
        self.operations: list[Operation] = ops
        self.sample_losses = self._per_sample_losses()

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

        net = self.net
        for i, rec in enumerate(layers):
            n, layer = i + 1, net.layers[i]
            what = Phrase(QT_TRANSLATE_NOOP("", "weighted sum") if layer.WEIGHTED else layer.title or rec.type)
            title = Phrase(QT_TRANSLATE_NOOP("", "Layer {layer}: {what}"), layer=n, what=what)
            add("forward", "z", i, title=title, symbol=f"z{n}", units=rec.z.shape[1])
            if not isinstance(layer.activation, Identity):
                title = Phrase(QT_TRANSLATE_NOOP("", "Layer {layer}: activation {activation}"), layer=n,
                               activation=rec.activation)
                add("forward", "a", i, title=title, symbol=f"a{n}",
                    units=rec.z.shape[1] if layer.activation.elementwise else None)
        last = len(layers)
        if self.per_sample:  # Rosenblatt's rule uses no loss
            for s in range(len(tr.perceptron)):
                title = Phrase(QT_TRANSLATE_NOOP("", "Perceptron rule, sample {sample}"), sample=s + 1)
                ops.append(Operation("update", "perceptron", 0, None, s, title, "w, b"))
            return ops
        title = Phrase(QT_TRANSLATE_NOOP("", "Loss: {loss}"), loss=Phrase(net.loss.title or net.loss.name))
        add("loss", "loss", title=title, symbol="L")
        add("backward", "da", last - 1, title=QT_TRANSLATE_NOOP("", "Loss gradient at the output"),
            symbol=f"dL/da{last}", units=layers[-1].z.shape[1])
        for i in range(last - 1, -1, -1):
            rec, n = layers[i], i + 1
            title = Phrase(QT_TRANSLATE_NOOP("", "Layer {layer}: through the activation"), layer=n)
            add("backward", "dz", i, title=title, symbol=f"dL/dz{n}", units=rec.z.shape[1])
            for name in rec.grads:
                P = net.layers[i].param_symbol(name)
                title = Phrase(QT_TRANSLATE_NOOP("", "Layer {layer}: gradient of {param}"), layer=n, param=f"{P}{n}")
                add("backward", "grad", i, name, title=title, symbol=f"dL/d{P}{n}", units=rows_of(rec.grads[name]))
            if i > 0:
                title = Phrase(QT_TRANSLATE_NOOP("", "Layer {layer}: gradient passed down to layer {below}"),
                               layer=n, below=i)
                add("backward", "dx", i, title=title, symbol=f"dL/da{i}", units=rec.input.shape[1])
        opt = Phrase(net.optimizer.title or net.optimizer.name)
        for i, rec in enumerate(layers):
            for name in rec.params_before:
                P = f"{net.layers[i].param_symbol(name)}{i + 1}"
                title = Phrase(QT_TRANSLATE_NOOP("", "{optimizer} update of {param}"), optimizer=opt, param=P)
                add("update", "update", i, name, title=title, symbol=P, units=rows_of(rec.params_before[name]))
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
            calc = _CALCULATIONS[op.kind](self, op, sample)
        calc.update(index=index, count=len(self.operations), phase=op.phase, title=calc.get("title", op.title))
        calc.setdefault("symbol", op.symbol)
        return Calculation(**calc)

    # -- layout helpers the calculations share ----------------------------------------------------
    def sample_text(self, sample) -> str:
        if sample is None:
            return Phrase(QT_TRANSLATE_NOOP("", "the whole batch of {size} (means; one table row per sample)"),
                          size=self.batch)
        return Phrase(QT_TRANSLATE_NOOP("", "sample {sample} of {size} (training row {row})"), sample=sample + 1,
                      size=self.batch, row=int(self.rows[sample]) + 1)

    def groups(self, op, count: int, make, sample=0) -> list[list[Line]]:
        """``make(j)`` — the lines of unit ``j`` — for the units whose lines are shown, ``[]`` for the
        rest (the table has them all); nothing for the whole batch (``sample`` None)."""
        return [list(make(j)) if sample is not None and self._wanted(op, j) else [] for j in range(count)]

    @staticmethod
    def _wanted(op, unit: int) -> bool:
        """Whether the substituted lines of ``unit`` are shown (the table has them all)."""
        return op.unit == unit if op.unit is not None else unit < MAX_LINES

    def per_unit(self, op, groups: list[list[Line]]) -> tuple[Line, ...]:
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
            lines.append(Line((Phrase(QT_TRANSLATE_NOOP("", "… {count} more rows in the table"),
                                      count=len(groups) - shown),)))
        return tuple(lines)

    def vector_result(self, op, sym_name, layer_no, values, sample, total=False) -> tuple[Line, np.ndarray, str]:
        """Result line and quiz answer for a per-unit vector: the sample's row, or over the batch
        the mean (``total``: the sum, for gradients, which already carry the loss's 1/N)."""
        row = values[sample] if sample is not None else (values.sum(axis=0) if total else values.mean(axis=0))
        if op.unit is not None:
            return (Line((sym(sym_name, layer_no, op.unit),), (), float(row[op.unit])),
                    np.array([row[op.unit]]), sym(sym_name, layer_no, op.unit).text)
        label = sym(sym_name, layer_no).text + ("" if sample is not None else " (batch sum)" if total
                                                 else " (batch mean)")
        answer = row if row.size <= MAX_LINES else row[:1]
        answer_label = label if row.size <= MAX_LINES else sym(sym_name, layer_no, 0).text
        value = row.copy() if row.size > 1 else float(row[0])
        return Line((Sym(label, sym(sym_name, layer_no).latex),), (), value), np.asarray(answer), answer_label

    def unit_table(self, op, values, unit_label: str, sample, extra: dict | None = None, edits=None,
                    total=False) -> Table:
        """A table with one column per unit: the sample's row (or every sample and their mean, or
        ``total`` their sum)."""
        units = values.shape[1]
        columns = tuple(f"{unit_label}[{u + 1}]" for u in range(units))
        if sample is None:
            rows = tuple(sample_label(s) for s in range(self.batch)) + (
                Phrase(QT_TRANSLATE_NOOP("", "sum") if total else QT_TRANSLATE_NOOP("", "mean")),)
            summary = values.sum(axis=0, keepdims=True) if total else values.mean(axis=0, keepdims=True)
            table = np.vstack([values, summary])
        else:
            rows = (sample_label(sample),)
            table = values[sample:sample + 1]
        given = 0
        if extra:
            names = tuple(extra)
            rows = names + rows
            given = len(names)
            table = np.vstack([np.asarray(extra[k], dtype=float).reshape(1, -1) for k in names] + [table])
        return Table(rows, columns, np.array(table, dtype=float), edits or {}, None, op.unit,
                     answer_of=lambda r, c: c if r >= given else None)

    def refs_nodes(self, column: int, units=None, unit: int | None = None) -> tuple[Ref, ...]:
        n = self.column_size(column)
        which = [unit] if unit is not None else (range(n) if units is None else units)
        return tuple(Ref("node", column, u) for u in which)

    def refs_edges(self, layer: int, unit: int | None = None, source: int | None = None) -> tuple[Ref, ...]:
        if not self.net.layers[layer].WEIGHTED:
            return ()
        return (Ref("edges", layer + 1, -1 if unit is None else unit, -1 if source is None else source),)

    def column_size(self, column: int) -> int:
        return self.trace.x.shape[1] if column == 0 else self.trace.layers[column - 1].z.shape[1]

    def param_table(self, i, name, columns: dict, unit, given=("before", "gradient")) -> Table:
        """One row per entry of a parameter, one column per quantity; the value columns editable.
        The columns not ``given`` are the operation's results (the quiz hides them per unit)."""
        first = next(iter(columns.values()))
        shape = first.shape
        symbol = self.net.layers[i].param_symbol(name)

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
        per_row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        highlight = None if unit is None else unit * per_row
        results = {c for c, column in enumerate(col_names) if column not in given}
        return Table(rows, col_names, values, edits, highlight,
                     answer_of=lambda r, c: r // per_row if c in results else None)


#: operation kind -> the function that renders it
_CALCULATIONS = {
    "z": walkthrough_forward.z_calculation, "a": walkthrough_forward.a_calculation,
    "loss": walkthrough_backward.loss_calculation, "da": walkthrough_backward.da_calculation,
    "dz": walkthrough_backward.dz_calculation, "grad": walkthrough_backward.grad_calculation,
    "dx": walkthrough_backward.dx_calculation, "update": walkthrough_update.update_calculation,
    "perceptron": walkthrough_update.perceptron_calculation,
}
