"""Datasets: built-in toy problems and CSV files, as float arrays ready to train on.

Pure NumPy and the standard library (no Qt), so it can be used headless.

The 2-D classification and regression generators follow TensorFlow Playground's
``dataset.ts`` (classifyCircleData, classifyXORData, classifyTwoGaussData,
classifySpiralData, regressPlane, regressGaussian): same geometry, same scale
(coordinates in about [-6, 6]), same meaning of ``noise`` (Playground's slider
value / 100), but labels are 0/1 instead of -1/+1 and every random draw comes
from ``numpy.random.default_rng(seed)``, so the same arguments always give
bit-identical arrays.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from nnviz.core.errors import DataError

__all__ = [
    "BUILTIN",
    "DEFAULT_N",
    "FEATURES",
    "Dataset",
    "expand_features",
    "load_csv",
    "load_data",
    "make_dataset",
]

CLASSIFICATION = "classification"
REGRESSION = "regression"
_TASKS = (CLASSIFICATION, REGRESSION)

# A target column counts as class labels if all values are integers and there
# are at most this many distinct values (more looks like a count/measurement).
MAX_CLASSES = 20


# --------------------------------------------------------------------------- #
# Dataset
# --------------------------------------------------------------------------- #


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

    def __post_init__(self) -> None:
        X = _as_float_array(self.X, "X")
        y = _as_float_array(self.y, "y")
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

    def split(self, test_fraction: float = 0.5, seed: int = 0) -> tuple["Dataset", "Dataset"]:
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
        f = _finite_float(test_fraction, "test_fraction")
        if not 0.0 <= f < 1.0:
            raise DataError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
        n = len(self)
        n_test = int(round(n * f))
        if f > 0 and n >= 2:
            n_test = min(max(n_test, 1), n - 1)
        elif n < 2:
            n_test = 0  # a single row goes to training: an empty train set is useless
        perm = np.random.default_rng(_seed(seed)).permutation(n)
        test_idx, train_idx = perm[:n_test], perm[n_test:]
        return self._subset(train_idx), self._subset(test_idx)

    def astype(self, dtype) -> "Dataset":
        """Return the dataset with ``X`` and ``y`` cast to a floating ``dtype``."""
        dt = _float_dtype(dtype)
        with np.errstate(over="ignore"):
            X, y = self.X.astype(dt, copy=False), self.y.astype(dt, copy=False)
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise DataError(f"dataset {self.name!r}: values too large for {dt.name}")
        return self._replace(X, y)

    def _subset(self, idx: np.ndarray) -> "Dataset":
        return self._replace(self.X[idx], self.y[idx])

    def _replace(self, X: np.ndarray, y: np.ndarray) -> "Dataset":
        return Dataset(X, y, self.name, self.task, self.feature_names, self.target_names)


# --------------------------------------------------------------------------- #
# Built-in datasets
# --------------------------------------------------------------------------- #

BUILTIN: dict[str, str] = {
    "and": "AND truth table: 4 points, label 1 only at (1, 1)",
    "or": "OR truth table: 4 points, label 0 only at (0, 0)",
    "xor": "XOR truth table: 4 points, label 1 where exactly one input is 1",
    "circle": "Circle (Playground): class 1 inside radius 2.5, class 0 on a ring 3.5-5",
    "xor2d": "Exclusive or (Playground): class 1 where x1*x2 >= 0",
    "gauss": "Gaussian (Playground): two Gaussian blobs around (2, 2) and (-2, -2)",
    "spiral": "Spiral (Playground): two interleaved spirals",
    "plane": "Plane (Playground regression): target (x1 + x2) / 10",
    "multigauss": "Multi Gaussian (Playground regression): six +/- bumps",
    "square": "Square (regression): y = x^2 on [-1, 1], Gaussian noise of std `noise`",
}

# Number of points when n is None (truth tables always have 4).
DEFAULT_N: dict[str, int] = {
    "and": 4, "or": 4, "xor": 4,
    "circle": 500, "xor2d": 500, "gauss": 500, "spiral": 500,
    "plane": 500, "multigauss": 500,
    "square": 200,
}

_TRUTH_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
_TRUTH_Y = {
    "and": np.array([0, 0, 0, 1], dtype=np.float64),
    "or": np.array([0, 1, 1, 1], dtype=np.float64),
    "xor": np.array([0, 1, 1, 0], dtype=np.float64),
}


def make_dataset(
    name: str,
    n: int | None = None,
    noise: float = 0.0,
    seed: int = 0,
    dtype=np.float64,
) -> Dataset:
    """Generate a built-in dataset.

    Parameters
    ----------
    name : str
        One of :data:`BUILTIN` (case-insensitive).
    n : int, optional
        Number of points; default from :data:`DEFAULT_N` (500 for the
        Playground sets, 200 for ``square``). Ignored by the truth tables.
    noise : float
        Playground sets: Playground's noise slider / 100, in ``[0, 1]``
        (Playground's slider stops at 0.5). ``square``: standard deviation of
        Gaussian noise added to ``y`` (any finite value >= 0). Ignored by the
        truth tables. ``0`` means no noise.
    seed : int
        Seed of ``numpy.random.default_rng``. Changing only ``noise`` keeps
        the same underlying random draws, so the points move only by the noise.
    dtype : floating dtype
        dtype of ``X`` and ``y`` (generated in float64, then cast).

    Returns
    -------
    Dataset
        The Playground sets are shuffled (as Playground does); ``square`` is
        sorted by ``x`` so it plots as a curve.
    """
    key = _builtin_key(name)
    n_pts = DEFAULT_N[key] if n is None else _positive_int(n, "n")
    noise_f = _finite_float(noise, "noise")
    if noise_f < 0:
        raise DataError(f"noise must be >= 0, got {noise!r}")
    if key in _PLAYGROUND and noise_f > 1:
        raise DataError(f"noise for {key!r} must be in [0, 1] (Playground's slider / 100), got {noise!r}")
    dt = _float_dtype(dtype)
    rng = np.random.default_rng(_seed(seed))

    if key in _TRUTH_Y:
        X, y = _TRUTH_X.copy(), _TRUTH_Y[key].copy()
        feats, task = ("x1", "x2"), CLASSIFICATION
    elif key == "square":
        # Evenly spaced x: a clean curve to look at, and noise=0 gives y == x**2 exactly.
        x = np.linspace(-1.0, 1.0, n_pts)
        z = rng.standard_normal(n_pts)
        y = x * x + z * noise_f if noise_f > 0 else x * x
        X, feats, task = x.reshape(-1, 1), ("x",), REGRESSION
    else:
        gen, task = _PLAYGROUND[key]
        X, y = gen(rng, n_pts, noise_f)
        # Playground shuffles its generated points too; drawn last so that the
        # permutation does not depend on noise.
        perm = rng.permutation(n_pts)
        X, y = X[perm], y[perm]
        feats = ("x1", "x2")

    target = ("label",) if task == CLASSIFICATION else ("y",)
    X = X.astype(dt)
    y = y.reshape(-1, 1).astype(dt)
    return Dataset(X, y, key, task, feats, target)


def _halves(n: int) -> tuple[int, int]:
    # Playground loops `i < n/2` twice (n+1 points for odd n); we give exactly n:
    # the positive class gets the extra point.
    return n - n // 2, n // 2


def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    n_pos, n_neg = _halves(n)
    r = np.concatenate([
        rng.uniform(0.0, radius * 0.5, n_pos),        # inside: label 1
        rng.uniform(radius * 0.7, radius, n_neg),     # ring outside: label 0
    ])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    # Noise does not move the points: it flips labels of points whose
    # jittered position falls on the other side of the circle.
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    label = (np.hypot(*(X + jitter).T) < radius * 0.5).astype(np.float64)
    return X, label


def _xor2d(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3
    X = rng.uniform(-5.0, 5.0, (n, 2))
    X = X + np.where(X > 0, padding, -padding)  # keep points off the axes
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    Xn = X + jitter
    label = (Xn[:, 0] * Xn[:, 1] >= 0).astype(np.float64)
    return X, label


def _gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Playground: variance = linear map of noise [0, 0.5] -> [0.5, 4] (unclamped).
    variance = 0.5 + noise * (4.0 - 0.5) / 0.5
    n_pos, n_neg = _halves(n)
    centers = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), [n_pos, n_neg], axis=0)
    X = centers + math.sqrt(variance) * rng.standard_normal((n, 2))
    label = np.repeat([1.0, 0.0], [n_pos, n_neg])
    return X, label


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    parts = []
    for count, delta_t in zip(_halves(n), (0.0, np.pi)):
        i = np.arange(count, dtype=np.float64)
        frac = i / count if count else i
        r = frac * 5.0
        t = 1.75 * frac * 2 * np.pi + delta_t
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X = np.concatenate(parts) + rng.uniform(-1.0, 1.0, (n, 2)) * noise
    n_pos, n_neg = _halves(n)
    label = np.repeat([1.0, 0.0], [n_pos, n_neg])
    return X, label


def _plane(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    radius = 6.0
    X = rng.uniform(-radius, radius, (n, 2))
    Xn = X + rng.uniform(-radius, radius, (n, 2)) * noise
    # Playground maps x + y from [-10, 10] to [-1, 1].
    return X, (Xn[:, 0] + Xn[:, 1]) / 10.0


_GAUSSIANS = np.array([
    [-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
    [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0],
])


def _multigauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    radius = 6.0
    X = rng.uniform(-radius, radius, (n, 2))
    Xn = X + rng.uniform(-radius, radius, (n, 2)) * noise
    d = np.hypot(Xn[:, :1] - _GAUSSIANS[:, 0], Xn[:, 1:] - _GAUSSIANS[:, 1])  # (n, 6)
    values = _GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    # Playground keeps the bump largest in absolute value; argmax picks the
    # first on ties, as its strict `>` does.
    pick = np.argmax(np.abs(values), axis=1)
    return X, values[np.arange(n), pick]


_Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]
_PLAYGROUND: dict[str, tuple[_Generator, str]] = {
    "circle": (_circle, CLASSIFICATION),
    "xor2d": (_xor2d, CLASSIFICATION),
    "gauss": (_gauss, CLASSIFICATION),
    "spiral": (_spiral, CLASSIFICATION),
    "plane": (_plane, REGRESSION),
    "multigauss": (_multigauss, REGRESSION),
}


# --------------------------------------------------------------------------- #
# CSV
# --------------------------------------------------------------------------- #


def load_csv(
    path: str | os.PathLike,
    targets: Sequence[str] | None = None,
    inputs: Sequence[str] | None = None,
    dtype=np.float64,
) -> Dataset:
    """Load a UTF-8 CSV file with a header row.

    Parameters
    ----------
    path : str or path-like
        The file. Delimiter: comma, or semicolon/tab if the header has more of
        those than commas. Blank lines are skipped.
    targets : sequence of str or str, optional
        Target column names (a single string is one name). Default: the last column.
    inputs : sequence of str or str, optional
        Input column names. Default: every column that is not a target.
    dtype : floating dtype
        dtype of ``X`` and ``y``.

    Returns
    -------
    Dataset
        Named after the file stem. Task is ``"classification"`` if every
        target value is an integer and there are at most 20 distinct values,
        else ``"regression"``.

    Raises
    ------
    DataError
        One line naming the file and, where it applies, the line and column:
        missing/unreadable file, not UTF-8, empty, no data rows, bad or
        duplicate column names, unknown columns, ragged rows, and empty,
        non-numeric or non-finite cells. Only the selected columns are parsed,
        so other columns may hold text.
    """
    p = Path(path)
    dt = _float_dtype(dtype)
    text = _read_text(p)
    if not text.strip():
        raise DataError(f"{p}: file is empty")

    header_line = next(line for line in text.splitlines() if line.strip())
    delimiter = max([",", ";", "\t"], key=header_line.count)  # ties -> comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    header: list[str] | None = None
    header_ln = 0
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if header is None:
                header, header_ln = [c.strip() for c in row], reader.line_num
            else:
                rows.append((reader.line_num, row))
    except csv.Error as e:
        raise DataError(f"{p}, line {reader.line_num}: malformed CSV ({e})") from None

    if header is None:  # only whitespace-like lines
        raise DataError(f"{p}: file is empty")
    _check_header(p, header, header_ln)
    if not rows:
        raise DataError(f"{p}: has a header but no data rows")

    t_names = _columns(p, targets, header, "target") if targets is not None else [header[-1]]
    if inputs is not None:
        i_names = _columns(p, inputs, header, "input")
    else:
        i_names = [c for c in header if c not in t_names]
    if not t_names:
        raise DataError(f"{p}: no target columns given")
    if not i_names:
        raise DataError(f"{p}: no input columns left (columns: {_list(header)})")
    both = [c for c in i_names if c in t_names]
    if both:
        raise DataError(f"{p}: column {both[0]!r} is both an input and a target")

    index = {name: j for j, name in enumerate(header)}
    X = _parse_columns(p, rows, header, [index[c] for c in i_names], dt)
    y = _parse_columns(p, rows, header, [index[c] for c in t_names], dt)

    values = np.unique(y)
    is_class = values.size <= MAX_CLASSES and bool(np.all(values == np.round(values)))
    task = CLASSIFICATION if is_class else REGRESSION
    return Dataset(X, y, p.stem, task, tuple(i_names), tuple(t_names))


def _read_text(p: Path) -> str:
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a directory, not a CSV file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise DataError(f"{p}: cannot read file ({e.strerror or e})") from None
    try:
        return data.decode("utf-8-sig")  # -sig: drop the BOM Excel writes
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{p}, line {line}: not UTF-8 text (byte 0x{data[e.start]:02x}); save it as UTF-8"
        ) from None


def _check_header(p: Path, header: list[str], line: int) -> None:
    for j, name in enumerate(header):
        if not name:
            raise DataError(f"{p}, line {line}: column {j + 1} of the header has no name")
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if name in seen:
            raise DataError(
                f"{p}, line {line}: duplicate column name {name!r} (columns {seen[name] + 1} and {j + 1})"
            )
        seen[name] = j
    # A header made only of numbers is almost surely a data row: without this
    # check the first sample would be silently used as column names.
    if all(_is_number(name) for name in header):
        raise DataError(f"{p}, line {line}: first row looks like data; a header row of column names is required")


def _columns(p: Path, names: Sequence[str] | str, header: list[str], what: str) -> list[str]:
    if isinstance(names, str):
        names = [names]
    elif not isinstance(names, Sequence):
        raise DataError(f"{what} columns must be a list of column names, got {names!r}")
    out: list[str] = []
    for raw in names:
        name = str(raw).strip()
        if name not in header:
            raise DataError(f"{p}: unknown {what} column {name!r}; columns are {_list(header)}")
        if name in out:
            raise DataError(f"{p}: {what} column {name!r} given twice")
        out.append(name)
    return out


def _parse_columns(
    p: Path, rows: list[tuple[int, list[str]]], header: list[str], cols: list[int], dt: np.dtype
) -> np.ndarray:
    out = np.empty((len(rows), len(cols)), dtype=np.float64)
    width = len(header)
    for i, (line, row) in enumerate(rows):
        if len(row) != width:
            raise DataError(f"{p}, line {line}: expected {width} fields, found {len(row)}")
        for k, j in enumerate(cols):
            cell = row[j].strip()
            where = f"{p}, line {line}, column {header[j]!r}"
            if not cell:
                raise DataError(f"{where}: empty cell")
            try:
                v = float(cell)
            except ValueError:
                raise DataError(f"{where}: not a number: {_short(cell)!r}") from None
            if not math.isfinite(v):
                raise DataError(f"{where}: {_short(cell)!r} is not a finite number")
            out[i, k] = v
    with np.errstate(over="ignore"):
        cast = out.astype(dt)
    if not np.isfinite(cast).all():
        i, k = np.argwhere(~np.isfinite(cast))[0]
        raise DataError(
            f"{p}, line {rows[i][0]}, column {header[cols[k]]!r}: value too large for {dt.name}"
        )
    return cast


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _short(s: str, limit: int = 40) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _list(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


# --------------------------------------------------------------------------- #
# load_data and input features
# --------------------------------------------------------------------------- #


def load_data(
    spec: str | os.PathLike,
    targets: Sequence[str] | None = None,
    inputs: Sequence[str] | None = None,
    n: int | None = None,
    noise: float = 0.0,
    seed: int = 0,
    dtype=np.float64,
) -> Dataset:
    """Load a built-in dataset by name, or else a CSV file by path.

    A built-in name wins over a file of the same name. ``targets``/``inputs``
    apply only to CSV files (given with a built-in they raise); ``n``,
    ``noise`` and ``seed`` apply only to built-ins and are ignored for CSV.

    Raises
    ------
    DataError
        If ``spec`` is neither a built-in name nor an existing path (the
        message lists the built-in names), or from the loader.
    """
    if isinstance(spec, str) and spec.strip().lower() in BUILTIN:
        if targets is not None or inputs is not None:
            raise DataError(f"targets/inputs only apply to CSV files, not built-in dataset {spec.strip()!r}")
        return make_dataset(spec, n=n, noise=noise, seed=seed, dtype=dtype)
    if not isinstance(spec, (str, os.PathLike)):
        raise DataError(f"dataset must be a built-in name or a CSV path, got {type(spec).__name__}")
    if not Path(spec).exists():
        raise DataError(
            f"unknown dataset {str(spec)!r}: not a built-in ({', '.join(BUILTIN)}) and no such file"
        )
    return load_csv(spec, targets=targets, inputs=inputs, dtype=dtype)


FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")

_FEATURE_FUNCS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin x1": lambda a, b: np.sin(a),
    "sin x2": lambda a, b: np.sin(b),
}


def expand_features(X: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """Compute TensorFlow Playground's input features from 2-D inputs.

    Parameters
    ----------
    X : array, shape (n, 2)
        Raw inputs ``x1, x2``.
    features : sequence of str
        Names from :data:`FEATURES`, one output column each, in this order.

    Returns
    -------
    numpy.ndarray, shape (n, len(features))
        Same dtype as ``X`` if floating, else float64.
    """
    arr = _as_float_array(X, "X")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"input features need X with 2 columns (x1, x2), got shape {arr.shape}")
    if isinstance(features, str):
        features = [features]
    names = list(features)
    if not names:
        raise DataError(f"no input features selected; choose from {_list(FEATURES)}")
    for name in names:
        if name not in _FEATURE_FUNCS:
            raise DataError(f"unknown input feature {name!r}; choose from {_list(FEATURES)}")
    dup = [f for i, f in enumerate(names) if f in names[:i]]
    if dup:
        raise DataError(f"input feature {dup[0]!r} selected twice")
    a, b = arr[:, 0], arr[:, 1]
    out = np.empty((arr.shape[0], len(names)), dtype=arr.dtype)
    for k, name in enumerate(names):
        out[:, k] = _FEATURE_FUNCS[name](a, b)
    return out


# --------------------------------------------------------------------------- #
# Argument checks
# --------------------------------------------------------------------------- #


def _builtin_key(name: str) -> str:
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in BUILTIN:
        raise DataError(f"unknown built-in dataset {name!r}; choose from {', '.join(BUILTIN)}")
    return key


def _positive_int(value, what: str) -> int:
    # bool is an int subclass, but n=True is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DataError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _finite_float(value, what: str) -> float:
    if isinstance(value, bool):
        raise DataError(f"{what} must be a number, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(f):
        raise DataError(f"{what} must be finite, got {value!r}")
    return f


def _seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _float_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise DataError(f"dtype must be a floating type, got {dtype!r}") from None
    if dt.kind != "f":
        raise DataError(f"dtype must be a floating type (e.g. float64, float32), got {dt}")
    return dt


def _as_float_array(a, what: str) -> np.ndarray:
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as e:
        raise DataError(f"{what} is not an array of numbers ({e})") from None
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    raise DataError(f"{what} must hold numbers, got dtype {arr.dtype}")
