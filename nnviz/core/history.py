"""Columns of numbers, one row per step or evaluation point, in NumPy arrays of bounded size.

A :class:`Table` holds columns that share rows, read as read-only views of their filled part; a
view taken once never changes, so snapshots share it without copying. It keeps every row up to a
cap, then decimates into buckets that keep each column's lowest and highest values, so memory stays
flat over hours of training and a curve still shows its spikes. :class:`History` is the trainer's
per-step table. Columns read like a list: ``len``, ``[i]``, ``[-1]``, iteration, and ``==``
against a list compares the numbers.

A model document saves the history the app shows (``"history"``, see ``docs/model-format.md``):
:func:`saved_history` writes it, at most :data:`SAVED_POINTS` rows of each kind, evenly thinned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.core.spec import HotPath

GROWTH = 1.25  # capacity factor: amortised O(1) appends, at most a quarter of the memory unused
#: a saved history's columns: one row per optimizer step, and one per evaluation point
STEP_COLUMNS = ("step", "epoch", "lr", "loss", "grad_norm")
EVALUATION_COLUMNS = ("eval_step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
SAVED_POINTS = 2000  # a saved history keeps at most this many rows of each kind (a file of ~200 kB)
STEP_CAP = 100_000  # per-step rows kept before decimating (~6 MB of columns at most)
EVALUATION_CAP = 20_000  # evaluation points kept before decimating (a layer's health has ~20 columns)


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


class Table(HotPath):
    """Columns of numbers that share rows, one row per step (or evaluation point) in increasing
    ``axis`` order, held in NumPy arrays and bounded: at most ``cap`` rows, however long the run.

    Up to ``cap`` rows every row is kept as it came. Beyond, the table decimates: the rows fall
    into buckets of ``width`` axis steps (a power of two that doubles as the run grows, so buckets
    stay aligned), and each bucket of more than two rows becomes two rows, leaving at most
    ``cap // 2``; newer rows come in whole until the cap is reached again. **A decimated point**
    is one of a bucket's two rows: the axis (and each column named in ``ordered``, counts that
    only grow) holds the bucket's first value on the first row and its last on the second; every
    other column holds its lowest and its highest value in the bucket, the earlier of the two on
    the first row (a value that is not a number counts as the highest). So a curve through the
    rows still reaches every spike and dip, and the first and last rows and each column's overall
    minimum and maximum survive. Each column named in ``means`` has a companion ``{name}_mean``:
    the mean over the steps the row stands for (the value itself, until it is decimated).

    Views of the filled part are read-only and never change: decimation writes new arrays.
    """

    def __init__(self, axis: str, columns: Sequence[str], cap: int, ordered: Sequence[str] = (),
                 means: Sequence[str] = (), dtypes: Mapping[str, type] | None = None):
        if cap < 8:
            raise ValueError(f"cap: at least 8 rows, got {cap}")
        self.axis, self.cap = axis, cap
        self.width = 1  #: axis steps per bucket (1: nothing decimated yet)
        self._ordered = {axis, *ordered}
        self._mean_of = {f"{name}_mean": name for name in means}
        names = [axis, *columns, *self._mean_of]
        if means:
            names.append(_WEIGHT)
        dtypes = dtypes or {}
        self._capacity = min(64, cap)
        self._data = {name: np.empty(self._capacity, dtype=dtypes.get(name, np.float64)) for name in names}
        self._size = 0
        #: rows appended since the table began, and how many times rows already there were rewritten
        #: (decimated, or a column added): a copy kept elsewhere takes the newest ``appended`` rows
        #: it lacks while ``rewrites`` is what it was, else copies the table afresh
        self.appended = 0
        self.rewrites = 0

    # -- writing ----------------------------------------------------------------------------------
    def append(self, row: Sequence) -> None:
        """Append one row: the values of :attr:`names` in order (the hot path: no checks)."""
        if self._size == self._capacity:
            self._make_room(1)
        n = self._size
        for array, value in zip(self._data.values(), row):
            array[n] = value
        self._size = n + 1
        self.appended += 1

    def extend(self, columns: Mapping[str, Sequence]) -> None:
        """Append rows given as columns of one length (the axis among them); a column not given
        is NaN, a ``{name}_mean`` not given is ``name``'s value."""
        count = len(columns[self.axis])
        self._make_room(count)
        n, end = self._size, self._size + count
        for name, array in self._data.items():
            if name == _WEIGHT:
                array[n:end] = 1.0
                continue
            source = self._mean_of.get(name, name) if name not in columns else name
            array[n:end] = np.asarray(columns[source], dtype=np.float64) if source in columns else np.nan
        self._size = end
        self.appended += count
        if self._size > self.cap:
            self._decimate()

    def add_column(self, name: str) -> None:
        """A new value column, NaN in the rows before it (a measure that starts later)."""
        self._data = {**self._data, name: np.full(self._capacity, np.nan)}
        self.rewrites += 1

    def _make_room(self, count: int) -> None:
        if self._size >= self.cap:
            self._decimate()
        need = self._size + count
        if need > self._capacity:
            # New buffers rather than resizing in place: views handed out keep the old ones.
            self._set_buffers({name: array[: self._size] for name, array in self._data.items()},
                              max(need, min(self.cap, int(self._capacity * GROWTH) + 1)))

    def _set_buffers(self, columns: Mapping[str, np.ndarray], capacity: int) -> None:
        """New buffers of ``capacity`` rows, starting with ``columns`` (all of one length)."""
        self._data = {}
        for name, values in columns.items():
            self._data[name] = np.empty(capacity, dtype=values.dtype)
            self._data[name][: values.size] = values
        self._capacity = capacity

    def truncate(self, last: float) -> None:
        """Drop the rows whose axis value is beyond ``last`` (a run gone back to an earlier step).
        New buffers: views handed out keep the rows they had."""
        keep = int(np.searchsorted(self._data[self.axis][: self._size], last, side="right"))
        if keep == self._size:
            return
        self._set_buffers({name: array[:keep] for name, array in self._data.items()}, max(self._capacity, 8))
        self._size = keep
        self.rewrites += 1

    # -- decimation -------------------------------------------------------------------------------
    def _decimate(self) -> None:
        """Widen the buckets (never narrower than before, so they stay aligned) until they fit in
        ``cap // 2`` rows, and write them."""
        axis = self._data[self.axis][: self._size]
        span = float(axis[-1] - axis[0]) + 1.0
        self.width = max(self.width, 4, 1 << max(0, math.ceil(math.log2(4 * span / self.cap))))
        while True:
            starts, sizes = _buckets(axis, self.width)
            counts = np.minimum(sizes, 2)
            if counts.sum() <= self.cap // 2:
                break
            self.width *= 2
        columns = self._bucketed(starts, sizes, counts)
        self._size = int(counts.sum())
        self._set_buffers(columns, self.cap)
        self.rewrites += 1

    def _bucketed(self, starts: np.ndarray, sizes: np.ndarray, counts: np.ndarray) -> dict:
        """Every column with each bucket of more than two rows replaced by its two rows."""
        n = self._size
        offsets = np.cumsum(counts) - counts
        source = np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))  # rows kept as they are
        big = sizes > 2
        first, second = offsets[big], offsets[big] + 1
        bstarts, bends = starts[big], starts[big] + sizes[big]
        weights = self._data[_WEIGHT][:n] if self._mean_of else None
        total = np.add.reduceat(weights, starts)[big] if self._mean_of else None
        out = {}
        for name, array in self._data.items():
            values = array[:n]
            column = values[source]
            if name == _WEIGHT:
                column[first] = column[second] = total / 2
            elif name in self._mean_of:
                mean = np.add.reduceat(values * weights, starts)[big] / total
                column[first] = column[second] = mean
            elif name in self._ordered:
                column[first], column[second] = values[bstarts], values[bends - 1]
            else:
                low, high = _extremes(values, starts)
                low, high = low[big], high[big]
                column[first] = values[np.minimum(low, high)]
                column[second] = values[np.maximum(low, high)]
            out[name] = column
        return out

    # -- reading ----------------------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """The columns, in the order :meth:`append` takes their values."""
        return tuple(self._data)

    def view(self, name: str) -> np.ndarray:
        """Column ``name``'s filled part, read-only."""
        v = self._data[name][: self._size]
        v.setflags(write=False)
        return v

    def rows(self, start: int) -> np.ndarray:
        """Rows ``start`` to the end as one float64 array, a row per table row, the columns in
        :attr:`names` order."""
        return np.column_stack([array[start: self._size] for array in self._data.values()]).astype(np.float64)

    def append_rows(self, rows: np.ndarray) -> None:
        """Append rows given as :meth:`rows` gives them (every column, the means and weights too)."""
        count = len(rows)
        if not count:
            return
        self._make_room(count)
        n = self._size
        for j, array in enumerate(self._data.values()):
            array[n: n + count] = rows[:, j]
        self._size = n + count
        self.appended += count
        if self._size > self.cap:
            self._decimate()

    @property
    def nbytes(self) -> int:
        """Bytes held, filled or not."""
        return sum(array.nbytes for array in self._data.values())

    def column_nbytes(self, name: str) -> int:
        return self._data[name].nbytes

    def __len__(self) -> int:
        return self._size

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def __getitem__(self, name: str) -> TableColumn:
        if name not in self._data:
            raise KeyError(name)
        return TableColumn(self, name)


_WEIGHT = "_weight"  # a decimating table's steps per row, for the means


def _buckets(axis: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The first row and the number of rows of each bucket of ``width`` axis steps."""
    bucket = np.floor_divide(axis, width)
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    return starts, np.diff(np.r_[starts, axis.size])


def _extremes(values: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each bucket's lowest and of its highest value (NaN counts as the highest)."""
    key = np.where(np.isnan(values), np.inf, values)
    sizes = np.diff(np.r_[starts, values.size])
    rows = np.arange(values.size)

    def first_row_at(extreme: np.ndarray) -> np.ndarray:
        return np.minimum.reduceat(np.where(key == np.repeat(extreme, sizes), rows, values.size), starts)

    return first_row_at(np.minimum.reduceat(key, starts)), first_row_at(np.maximum.reduceat(key, starts))


class TableColumn(_Column):
    """One column of a :class:`Table`, read like a list."""

    def __init__(self, table: Table, name: str):
        self._table, self._name = table, name

    def view(self) -> np.ndarray:
        return self._table.view(self._name)

    @property
    def nbytes(self) -> int:
        return self._table.column_nbytes(self._name)

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, index):
        return self.view()[index]


class History(HotPath, Mapping):
    """The trainer's per-step metrics: ``step`` (optimizer steps taken), ``epoch`` (samples seen /
    rows), ``lr``, ``loss`` (the batch loss before the update) and ``grad_norm``; each a column
    indexed like a list (``history["loss"][-1]``). Rows are numbered by the run's own step
    (:attr:`run_steps`, which a change of optimizer does not restart), and decimated beyond
    ``cap`` rows as :class:`Table` says; ``loss_mean`` is the mean batch loss a row stands for."""

    KEYS = ("step", "epoch", "lr", "loss", "grad_norm")

    def __init__(self, rows: int, cap: int = STEP_CAP):
        self.rows = rows
        self.run_step = 0  #: the run's step of the last row (where the next row's count starts)
        self._table = Table("run_step", self.KEYS, cap, ordered=("step", "epoch"), means=("loss",),
                            dtypes={"run_step": np.int64, "step": np.int64})

    def restore(self, saved: Mapping[str, np.ndarray]) -> None:
        """Append the per-step rows of a saved history (:data:`STEP_COLUMNS`, epochs as saved)."""
        if len(saved["step"]):
            self._table.extend({"run_step": saved["step"], **{k: saved[k] for k in self.KEYS}})
            self.run_step = int(saved["step"][-1])

    def append(self, step: int, samples_seen: int, lr: float, loss: float, grad_norm: float) -> None:
        self.run_step += 1
        self._table.append((self.run_step, step, samples_seen / self.rows, lr, loss, grad_norm, loss, 1.0))

    def truncate(self, run_step: int) -> None:
        """Forget the steps after ``run_step``: the run goes on from there (a branch)."""
        self._table.truncate(run_step)
        self.run_step = run_step

    @property
    def run_steps(self) -> TableColumn:
        """The run's step of each row."""
        return self._table["run_step"]

    @property
    def loss_mean(self) -> TableColumn:
        """The mean batch loss over the steps each row stands for (its own loss until decimated)."""
        return self._table["loss_mean"]

    @property
    def nbytes(self) -> int:
        """Bytes the columns hold."""
        return self._table.nbytes

    def __getitem__(self, key: str) -> TableColumn:
        if key not in self.KEYS:
            raise KeyError(key)
        return self._table[key]

    def __iter__(self):
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


@dataclass(frozen=True, eq=False)  # compared by identity: a course's arrays are its own
class Course:
    """An earlier course of a run, which a branch left at step ``start``: its per-step losses from
    there (thinned to :data:`SAVED_POINTS`), and what it was (``label``: the settings the branch
    changed, as they were on this course)."""

    start: int
    label: str
    step: np.ndarray
    loss: np.ndarray

    @classmethod
    def left(cls, history: History, start: int, label: str) -> Course:
        """The steps of ``history`` after ``start``, as the course a branch at ``start`` leaves."""
        steps = np.asarray(history.run_steps.view())
        after = np.searchsorted(steps, start, side="right")
        before = max(after - 1, 0)  # the curve starts where the branch does
        keep = before + thinned(len(steps) - before)
        return cls(int(start), label, read_only(steps[keep].copy()),
                   read_only(np.asarray(history["loss"].view())[keep].copy()))

    def to_dict(self) -> dict:
        return {"from": self.start, "label": self.label, "step": self.step.astype(np.int64).tolist(),
                "loss": [v if math.isfinite(v) else None for v in self.loss.tolist()]}

    @classmethod
    def from_dict(cls, entry: Mapping) -> Course:
        steps = np.asarray(entry["step"], dtype=np.int64)
        loss = np.asarray([math.nan if v is None else v for v in entry["loss"]], dtype=np.float64)
        return cls(int(entry["from"]), str(entry["label"]), read_only(steps), read_only(loss))


def read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


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
