"""What the step-through view shows of one operation: a :class:`Calculation` (formula, substituted
lines, result, notes), its :class:`Table` of numbers with the cells a reader may edit (:class:`Edit`),
the graph elements it reads and writes (:class:`Ref`), and the quiz's check of a typed answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.formula import Line
from nnviz.core.numbers import format_vector
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase


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
    whole_columns: tuple[int, ...] = ()  # columns of whole numbers (class indices), shown without decimals
    #: ``(row, column) -> unit`` for the cells that show a result the quiz asks for (the unit whose
    #: result it is; 0 for an operation taken whole), None for the others: a quiz hides those
    #: cells until that unit is answered, however the table is laid out
    answer_of: Callable[[int, int], int | None] | None = None


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


def sample_label(sample: int) -> Phrase:
    """A table row's label for batch sample ``sample`` (counted from 0): "sample 1"."""
    return Phrase(QT_TRANSLATE_NOOP("", "sample {sample}"), sample=sample + 1)


def unit_label(unit: int) -> Phrase:
    """A table row's label for unit ``unit`` (counted from 0) of a layer: "unit 1"."""
    return Phrase(QT_TRANSLATE_NOOP("", "unit {unit}"), unit=unit + 1)


#: the columns of a parameter's table (compared as the English words they are)
BEFORE = Phrase(QT_TRANSLATE_NOOP("", "before"))
GRADIENT = Phrase(QT_TRANSLATE_NOOP("", "gradient"))
AFTER = Phrase(QT_TRANSLATE_NOOP("", "after"))


def check_answer(text: str, answer, precision: int = 3) -> tuple[bool, str]:
    """Whether a typed answer matches ``answer`` at the shown precision: every number within one
    unit of the last shown decimal place (so ``0.598`` and ``0.599`` are both right for 0.598688,
    ``0.6`` is not). Several values are typed separated by commas or spaces. Returns (right, message)."""
    expected = np.atleast_1d(np.asarray(answer, dtype=float)).ravel()
    pieces = [p for p in re.split(r"[,;\s\[\]]+", text.strip()) if p]
    if not pieces:
        return False, QT_TRANSLATE_NOOP("", "Type a number first.")
    try:
        typed = np.array([float(p) for p in pieces])
    except ValueError:
        bad = next(p for p in pieces if not _is_float(p))
        return False, Phrase(QT_TRANSLATE_NOOP("", "{text} is not a number."), text=repr(bad))
    if not np.all(np.isfinite(typed)):
        return False, QT_TRANSLATE_NOOP("", "Type finite numbers.")
    if typed.size != expected.size:
        template = (QT_TRANSLATE_NOOP("", "Type {count} numbers (you typed {typed}).") if expected.size != 1
                    else QT_TRANSLATE_NOOP("", "Type {count} number (you typed {typed})."))
        return False, Phrase(template, count=expected.size, typed=typed.size)
    tolerance = 10.0 ** -precision
    wrong = np.abs(typed - expected) >= tolerance * (1 + 1e-9)
    shown = format_vector(expected if expected.size > 1 else expected[0], precision)
    if not wrong.any():
        return True, Phrase(QT_TRANSLATE_NOOP("", "Right: {value}."), value=shown)
    return False, Phrase(QT_TRANSLATE_NOOP("", "Not quite: it is {value}."), value=shown)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

