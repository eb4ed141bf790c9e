"""Append-only columns of numbers, one row per step, in NumPy arrays that grow as needed.

:class:`Series` holds any numbers (a loss, a learning rate) in a growable array, read as a read-only
view of its filled part; a view taken once never changes, so snapshots share it without copying.
:class:`Counter` holds a column that advances by a fixed amount per row (the step number, the samples
seen) as its runs, so it costs nothing per row. Both read like a list: ``len``, ``[i]``, ``[-1]``,
iteration, and ``==`` against a list compares the numbers.

A model document saves the history the app shows (``"history"``, see ``docs/model-format.md``):
:func:`saved_history` writes it, at most :data:`SAVED_POINTS` rows of each kind, evenly thinned.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence

import numpy as np

GROWTH = 1.25  # capacity factor: amortised O(1) appends, at most a quarter of the memory unused
#: a saved history's columns: one row per optimizer step, and one per evaluation point
STEP_COLUMNS = ("step", "epoch", "lr", "loss", "grad_norm")
EVALUATION_COLUMNS = ("eval_step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
SAVED_POINTS = 2000  # a saved history keeps at most this many rows of each kind (a file of ~200 kB)


class _Column(Sequence):
    """What both kinds of column share: list-like reading, equality with sequences, NumPy conversion."""

    def view(self) -> np.ndarray:
        raise NotImplementedError

    def __iter__(self):
        return iter(self.view().tolist())

    def __array__(self, dtype=None, copy=None):
        return self.view() if dtype is None else self.view().astype(dtype)

    def tolist(self) -> list:
        return self.view().tolist()

    def __eq__(self, other) -> bool:
        if isinstance(other, (_Column, np.ndarray)):
            other = other.tolist()
        if isinstance(other, (list, tuple)):
            return self.tolist() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.view()!r})"


class Series(_Column):
    """A growable column of ``dtype`` numbers; views of the filled part never change."""

    def __init__(self, dtype=np.float64, capacity: int = 1024):
        self._data = np.empty(capacity, dtype=dtype)
        self._size = 0

    def append(self, value) -> None:
        if self._size == self._data.size:
            self._grow(self._size + 1)
        self._data[self._size] = value
        self._size += 1

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self._data.dtype)
        need = self._size + values.size
        if need > self._data.size:
            self._grow(need)
        self._data[self._size: need] = values
        self._size = need

    def _grow(self, need: int) -> None:
        # A new buffer rather than resizing in place: views handed out keep the old one.
        grown = np.empty(max(need, int(self._data.size * GROWTH) + 1), dtype=self._data.dtype)
        grown[: self._size] = self._data[: self._size]
        self._data = grown

    def view(self) -> np.ndarray:
        """The filled part, read-only."""
        v = self._data[: self._size]
        v.setflags(write=False)
        return v

    @property
    def nbytes(self) -> int:
        """Bytes held, filled or not."""
        return self._data.nbytes

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):
        return self.view()[index]


class Counter(_Column):
    """A column of whole numbers that usually advances by a fixed step per row, stored as runs
    ``(first row, first value, step)``: a new run starts only where the step changes. With a
    ``divisor``, rows read as ``value / divisor`` (the epoch, from the samples seen)."""

    def __init__(self, divisor: int = 1):
        self.divisor = divisor
        self._starts: list[int] = []  # first row of each run
        self._firsts: list[int] = []
        self._steps: list[int] = []
        self._size = 0

    def append(self, value: int) -> None:
        value = int(value)
        if self._starts:
            length = self._size - self._starts[-1]
            if length == 1:
                self._steps[-1] = value - self._firsts[-1]
                self._size += 1
                return
            if self._firsts[-1] + length * self._steps[-1] == value:
                self._size += 1
                return
        self._starts.append(self._size)
        self._firsts.append(value)
        self._steps.append(0)
        self._size += 1

    def _value(self, row: int):
        run = bisect.bisect_right(self._starts, row) - 1
        value = self._firsts[run] + (row - self._starts[run]) * self._steps[run]
        return value if self.divisor == 1 else value / self.divisor

    def view(self) -> np.ndarray:
        """Every row as a (new, read-only) array."""
        bounds = self._starts + [self._size]
        parts = [first + step * np.arange(end - start, dtype=np.int64)
                 for start, end, first, step in zip(bounds, bounds[1:], self._firsts, self._steps)]
        out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        if self.divisor != 1:
            out = out / self.divisor
        out.setflags(write=False)
        return out

    @property
    def nbytes(self) -> int:
        """Bytes of the run table (a few numbers per run, not per row)."""
        return 3 * 8 * len(self._starts)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.view()[index]
        row = index + self._size if index < 0 else index
        if not 0 <= row < self._size:
            raise IndexError(f"row {index} of {self._size}")
        return self._value(row)


class History(Mapping):
    """The trainer's per-step metrics: ``step`` (optimizer steps taken), ``epoch`` (samples seen /
    rows), ``lr``, ``loss`` (the batch loss before the update) and ``grad_norm``; each a column
    indexed like a list (``history["loss"][-1]``)."""

    KEYS = ("step", "epoch", "lr", "loss", "grad_norm")

    def __init__(self, rows: int):
        self.rows = rows
        self._columns = {"step": Counter(), "epoch": Counter(divisor=rows), "lr": Series(),
                         "loss": Series(), "grad_norm": Series()}

    def restore(self, saved: Mapping[str, np.ndarray]) -> None:
        """Append the per-step rows of a saved history (:data:`STEP_COLUMNS`, epochs as saved)."""
        samples = np.round(np.asarray(saved["epoch"], dtype=np.float64) * self.rows)
        for row in zip(saved["step"], samples, saved["lr"], saved["loss"], saved["grad_norm"]):
            self.append(*row)

    def append(self, step: int, samples_seen: int, lr: float, loss: float, grad_norm: float) -> None:
        c = self._columns
        c["step"].append(step)
        c["epoch"].append(samples_seen)
        c["lr"].append(lr)
        c["loss"].append(loss)
        c["grad_norm"].append(grad_norm)

    @property
    def nbytes(self) -> int:
        """Bytes the columns hold."""
        return sum(column.nbytes for column in self._columns.values())

    def __getitem__(self, key: str):
        return self._columns[key]

    def __iter__(self):
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


def thinned(size: int, limit: int = SAVED_POINTS) -> np.ndarray:
    """The indices of at most ``limit`` of ``size`` rows, evenly spread, the first and last kept."""
    if size <= limit:
        return np.arange(size)
    return np.round(np.linspace(0, size - 1, limit)).astype(np.int64)  # spacing > 1: no repeats


def saved_history(columns: Mapping[str, Sequence[float]], limit: int = SAVED_POINTS) -> dict[str, list]:
    """The ``history`` entry of a model document from ``columns`` (every name of
    :data:`STEP_COLUMNS` and :data:`EVALUATION_COLUMNS`): plain lists, each kind of row thinned to
    at most ``limit`` rows; steps as whole numbers, a missing value (NaN) as None."""
    entry = {}
    for names in (STEP_COLUMNS, EVALUATION_COLUMNS):
        keep = thinned(len(columns[names[0]]), limit)
        for name in names:
            values = np.asarray(columns[name], dtype=np.float64)[keep]
            if name.endswith("step"):
                entry[name] = values.astype(np.int64).tolist()
            else:
                entry[name] = [v if math.isfinite(v) else None for v in values.tolist()]
    return entry
