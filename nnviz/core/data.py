"""Data as the core holds and feeds it: the :class:`Dataset` of inputs and targets, the checks of
their arguments, and the preparation of rows for a network (inputs, targets, accuracy).

Every module that reads data (datasets, CSV files, the trainer, documents, the experiment) uses these,
so the rules are written once. Pure NumPy; nothing here knows the network's class, only its widths,
dtype and loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.core.errors import DataError
from nnviz.core.losses import CLASSES

CLASSIFICATION = "classification"
REGRESSION = "regression"
_TASKS = (CLASSIFICATION, REGRESSION)


# --------------------------------------------------------------------------- #
# Dataset
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class CsvSource:
    """Where a dataset's rows were read from: a CSV file (absolute path) and its chosen columns."""

    path: str
    inputs: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays is elementwise, not a bool
class Dataset:
    """Inputs and targets of one dataset.

    Attributes
    ----------
    X : numpy.ndarray
        Inputs, shape ``(n, d)``, floating dtype.
    y : numpy.ndarray
        Targets, shape ``(n, k)``, floating dtype. For two-class sets a single
        column of 0/1 labels. A 1-D ``y`` is accepted and made a column.
    name : str
        Display name (built-in name or CSV file stem).
    task : str
        ``"classification"`` or ``"regression"``.
    feature_names, target_names : tuple of str
        One name per column of ``X`` and ``y``.
    source : CsvSource or None
        The CSV file and columns the rows were read from (None: generated, inline or edited rows).

    Notes
    -----
    The arrays are not copied; treat them as read-only.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    task: str
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    source: CsvSource | None = None

    def __post_init__(self) -> None:
        X = as_float_array(self.X, "X")
        y = as_float_array(self.y, "y")
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if X.ndim != 2:
            raise DataError(f"dataset {self.name!r}: X must be 2-D (n, d), got shape {X.shape}")
        if y.ndim != 2:
            raise DataError(f"dataset {self.name!r}: y must be 2-D (n, k), got shape {y.shape}")
        if X.shape[0] != y.shape[0]:
            raise DataError(
                f"dataset {self.name!r}: X has {X.shape[0]} rows but y has {y.shape[0]}"
            )
        if self.task not in _TASKS:
            raise DataError(
                f"dataset {self.name!r}: task must be 'classification' or 'regression', "
                f"got {self.task!r}"
            )
        fnames = tuple(str(s) for s in self.feature_names)
        tnames = tuple(str(s) for s in self.target_names)
        if len(fnames) != X.shape[1]:
            raise DataError(
                f"dataset {self.name!r}: {len(fnames)} feature names for {X.shape[1]} input columns"
            )
        if len(tnames) != y.shape[1]:
            raise DataError(
                f"dataset {self.name!r}: {len(tnames)} target names for {y.shape[1]} target columns"
            )
        # Frozen dataclass: normalised values must go through object.__setattr__.
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "feature_names", fnames)
        object.__setattr__(self, "target_names", tnames)

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, n={len(self)}, "
            f"features={self.feature_names}, targets={self.target_names}, dtype={self.X.dtype})"
        )

    @property
    def n_classes(self) -> int | None:
        """Number of distinct labels for classification, else ``None``.

        With one target column this is the number of distinct values; with
        several (e.g. one-hot) it is the number of distinct target rows.
        """
        if self.task != CLASSIFICATION:
            return None
        if self.y.shape[1] == 1:
            return int(np.unique(self.y[:, 0]).size)
        return int(np.unique(self.y, axis=0).shape[0])

    def split(self, test_fraction: float = 0.5, seed: int = 0) -> tuple[Dataset, Dataset]:
        """Shuffle rows with ``seed`` and split into ``(train, test)``.

        Parameters
        ----------
        test_fraction : float
            Fraction of rows for the test set, in ``[0, 1)``. The test size is
            ``round(n * test_fraction)``, clamped so that both parts are
            non-empty when ``n >= 2`` and ``test_fraction > 0``. ``0`` gives an
            empty test set.
        seed : int
            Seed of the shuffle; the same seed gives the same split.

        Returns
        -------
        train, test : Dataset
            Same name, task and column names as this dataset.
        """
        f = finite_float(test_fraction, "test_fraction")
        if not 0.0 <= f < 1.0:
            raise DataError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
        n = len(self)
        n_test = int(round(n * f))
        if f > 0 and n >= 2:
            n_test = min(max(n_test, 1), n - 1)
        elif n < 2:
            n_test = 0  # a single row goes to training: an empty train set is useless
        perm = np.random.default_rng(seed_value(seed)).permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]
        return self._subset(train_idx), self._subset(test_idx)

    def astype(self, dtype) -> Dataset:
        """Return the dataset with ``X`` and ``y`` cast to a floating ``dtype``."""
        dt = float_dtype(dtype)
        with np.errstate(over="ignore"):
            X, y = self.X.astype(dt, copy=False), self.y.astype(dt, copy=False)
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise DataError(f"dataset {self.name!r}: values too large for {dt.name}")
        return self._replace(X, y, self.source)  # the same rows: still the file's

    def _subset(self, idx: np.ndarray) -> Dataset:
        return self._replace(self.X[idx], self.y[idx])  # some of the rows: no longer the file

    def _replace(self, X: np.ndarray, y: np.ndarray, source: CsvSource | None = None) -> Dataset:
        return Dataset(X, y, self.name, self.task, self.feature_names, self.target_names, source)


# -- argument checks -----------------------------------------------------------------------------
def positive_int(value, what: str) -> int:
    # bool is an int subclass, but n=True is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DataError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def finite_float(value, what: str) -> float:
    if isinstance(value, bool):
        raise DataError(f"{what} must be a number, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(f):
        raise DataError(f"{what} must be finite, got {value!r}")
    return f


def seed_value(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def float_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise DataError(f"dtype must be a floating type, got {dtype!r}") from None
    if dt.kind != "f":
        raise DataError(f"dtype must be a floating type (e.g. float64, float32), got {dt}")
    return dt


def as_float_array(a, what: str) -> np.ndarray:
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as e:
        raise DataError(f"{what} is not an array of numbers ({e})") from None
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise DataError(f"{what} must hold numbers, got dtype {arr.dtype}")


# -- feeding a network ---------------------------------------------------------------------------
def prepare_targets(net, y, n: int) -> np.ndarray:
    """Targets as a 2-D float array of the network's output width; class indices become one-hot
    rows for cross-entropy."""
    y = np.asarray(y)
    if y.shape[:1] != (n,):
        raise DataError(f"targets: expected {n} rows (one per input row), got shape {y.shape}")
    if y.ndim == 1 and net.loss.targets == CLASSES:
        if not np.issubdtype(y.dtype, np.integer) and (not np.all(np.isfinite(y)) or not np.all(y == np.round(y))):
            raise DataError("targets: class indices must be whole numbers")
        if y.size and (y.min() < 0 or y.max() >= net.outputs):  # before the cast: 2e300 is no int64
            lo, hi = (f"{v:g}" if isinstance(v, float) else str(v) for v in (y.min().item(), y.max().item()))
            raise DataError(f"targets: class indices must lie in 0..{net.outputs - 1} "
                            f"(the output layer has {net.outputs} units), got {lo}..{hi}")
        y = y.astype(np.int64)
        onehot = np.zeros((n, net.outputs), dtype=net.dtype)
        onehot[np.arange(n), y] = 1.0
        return onehot
    if y.ndim == 1:
        y = y.reshape(n, 1)
    if y.ndim != 2 or y.shape[1] != net.outputs:
        raise DataError(f"targets: the output layer has {net.outputs} unit(s), but the targets have "
                        f"shape {y.shape}")
    return _cast(y, net, "targets", copy=True)


def prepare_inputs(net, X) -> np.ndarray:
    """Inputs as a C-contiguous 2-D array of the network's dtype, checked for width and finiteness."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != net.inputs:
        raise DataError(f"inputs: the network takes {net.inputs} input(s) per sample, got shape {X.shape}")
    if X.shape[0] == 0:
        raise DataError("inputs: no rows")
    return _cast(X, net, "inputs", copy=False)


def _cast(a: np.ndarray, net, what: str, copy: bool) -> np.ndarray:
    """``a`` as a C-contiguous array of the network's dtype (a new one with ``copy``), or a one-line
    DataError: not numbers, NaN or infinite, or too large for the dtype (float32 ends near 3.4e38)."""
    try:
        with np.errstate(over="ignore"):  # a value beyond float32 becomes inf: reported below
            cast = np.array(a, dtype=net.dtype, order="C") if copy else np.ascontiguousarray(a, dtype=net.dtype)
    except (TypeError, ValueError):
        raise DataError(f"{what}: not numbers") from None
    if not np.isfinite(cast).all():
        if cast.dtype != a.dtype and np.isfinite(a).all():
            largest = np.finfo(net.dtype).max
            raise DataError(f"{what}: a value is too large for {net.dtype_name} (at most {largest:.3g})")
        raise DataError(f"{what}: contain NaN or infinite values")
    return cast


def targets_for(net, y: np.ndarray, class_indices: bool) -> np.ndarray:
    """Target columns ``y`` as :func:`prepare_targets` takes them: with ``class_indices`` (one column
    under cross-entropy), the column as whole class numbers."""
    return prepare_targets(net, y[:, 0].astype(np.int64) if class_indices else y, len(y))


def takes_class_indices(net, data: Dataset) -> bool:
    """Whether ``data``'s single target column holds class indices (the network learns with
    cross-entropy, one output per class)."""
    return net.loss.targets == CLASSES and data.y.shape[1] == 1


def label_midpoint(y: np.ndarray) -> float:
    """Halfway between the lowest and the highest label of ``y``: what separates two classes
    (0.5 for 0/1 labels, 0 for -1/+1); 0.5 when every label is the same."""
    lo, hi = (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
    return (lo + hi) / 2 if hi > lo else 0.5


def classes_of(net, out: np.ndarray, y: np.ndarray, midpoint: float) -> tuple[np.ndarray, np.ndarray]:
    """The class of each row as the network's outputs ``out`` predict it and as the prepared targets
    ``y`` give it: the arg-max with several output columns; with one, the side of the labels'
    ``midpoint`` (see :func:`label_midpoint`) the target lies on, and the side of the loss's
    decision threshold the output lies on (the midpoint, or 0 for a logit)."""
    if out.shape[1] > 1:
        return np.argmax(out, axis=1), np.argmax(y, axis=1)
    threshold = net.loss.decision_threshold(net.layers[-1].activation, midpoint)
    return (out[:, 0] > threshold).astype(int), (y[:, 0] > midpoint).astype(int)


def accuracy(net, out: np.ndarray, y: np.ndarray, midpoint: float = 0.5) -> float:
    """Share of rows classified right (the classes as :func:`classes_of` reads them)."""
    predicted, true = classes_of(net, out, y, midpoint)
    return float(np.mean(predicted == true))


@dataclass(frozen=True, eq=False)
class InputScaling:
    """What the data's input rows go through before the network reads them, column by column:
    ``x ↦ (x − shift) / divisor`` (``shift`` and ``divisor`` scalars or one number per column). The
    default changes nothing.

    HOOK (issue 17, input scaling): :meth:`Experiment.input_scaling
    <nnviz.core.experiment.Experiment.input_scaling>` gives the one in force. A scaling of the data
    (none / [0, 1] / standardise, from the training rows' statistics) is one of these, applied with
    :meth:`apply` to the training and test rows, so that a picture drawn by hand goes through exactly
    what the data went through."""

    shift: np.ndarray | float = 0.0
    divisor: np.ndarray | float = 1.0
    name: str = "none"

    @property
    def identity(self) -> bool:
        """Whether the rows are left as they are."""
        return bool(np.all(np.asarray(self.shift) == 0.0) and np.all(np.asarray(self.divisor) == 1.0))

    def apply(self, X) -> np.ndarray:
        """``X`` (rows, columns) scaled: a new float64 array (``X`` itself, as float64, when the
        scaling is none)."""
        X = np.asarray(X, dtype=np.float64)
        if self.identity:
            return X
        return (X - self.shift) / self.divisor


class WidthMismatch(DataError):
    """The data have more or fewer input or target columns than the network takes."""


def check_fits(net, data: Dataset) -> None:
    """Raise :class:`WidthMismatch`, naming ``data``, when its columns do not fit the network's
    inputs and outputs (one column of class indices fits a cross-entropy network of any width)."""
    inputs, targets = data.X.shape[1], data.y.shape[1]
    if inputs != net.inputs:
        raise WidthMismatch(f"data: the model takes {_count(net.inputs, 'input')} but {data.name} has "
                            f"{_count(inputs, 'input column')} ({', '.join(data.feature_names)})")
    if targets != net.outputs and not takes_class_indices(net, data):
        raise WidthMismatch(f"data: the model has {_count(net.outputs, 'output')} but {data.name} has "
                            f"{_count(targets, 'target column')} ({', '.join(data.target_names)})")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
