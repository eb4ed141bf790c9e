"""Built-in datasets: one :class:`DatasetSpec` per set in the :data:`DATASETS` registry, plus
:func:`load_data` (a built-in by name, else a CSV file) and the Playground input features.

Pure NumPy and the standard library (no Qt), so it can be used headless.

The 2-D classification and regression generators follow TensorFlow Playground's
``dataset.ts`` (classifyCircleData, classifyXORData, classifyTwoGaussData,
classifySpiralData, regressPlane, regressGaussian): same geometry, same scale
(coordinates in about [-6, 6]), same meaning of ``noise`` (Playground's slider
value / 100), but labels are 0/1 instead of -1/+1 and every random draw comes
from ``numpy.random.default_rng(seed)``, so the same arguments always give
bit-identical arrays.

To add a data set, put a spec in :data:`DATASETS` (see ``docs/contributing.md``); the document
validation, the experiment, the command line and the app's data-set list all read it from there.
"""

from __future__ import annotations

import functools
import math
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.core.csv_data import load_csv
from nnviz.core.data import (
    CLASSIFICATION,
    REGRESSION,
    Dataset,
    as_float_array,
    finite_float,
    float_dtype,
    positive_int,
    seed_value,
)
from nnviz.core.errors import DataError
from nnviz.core.package_data import resource_folder
from nnviz.core.problems import PROBLEMS
from nnviz.core.scaling import SCALINGS
from nnviz.core.text import QT_TRANSLATE_NOOP
from nnviz.core.validation import MAX_ROWS, too_many

__all__ = [
    "BUILTIN",
    "DATASETS",
    "DatasetSpec",
    "FEATURES",
    "Dataset",
    "expand_features",
    "load_csv",
    "load_data",
    "make_dataset",
]

#: ``generate(rng, n, noise) -> (X, y)``: float64 inputs (n, inputs) and targets (n,) or (n, k)
Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """What a built-in data set is, and how to draw it.

    ``kind`` is a problem kind of :data:`~nnviz.core.problems.PROBLEMS` (``"regression"``, ``"binary"``,
    ``"multiclass"``), which decides the loss the app fits to it; ``classes`` the number of
    classes (None for regression). ``noise`` says whether the noise setting applies, and
    ``max_noise`` bounds it (None: any value >= 0). ``tiny`` marks the truth tables, whose few
    fixed points ignore ``n``, ``noise`` and ``seed``. ``shuffle`` permutes the generated rows (last,
    so the permutation does not depend on the noise). ``fixed`` marks real data shipped as they are
    (the digits): ``n`` and ``noise`` do not apply, the seed only splits them, and the command line
    holds out ``default_test_share`` of them unless told otherwise. ``default_scaling`` is the input
    scaling (:data:`~nnviz.core.scaling.SCALINGS`) the set gets unless one is chosen.
    """

    name: str
    title: str
    description: str
    kind: str
    inputs: int
    classes: int | None
    noise: bool
    tiny: bool
    default_n: int
    default_test_share: float
    generate: Generator
    max_noise: float | None = None
    shuffle: bool = False
    fixed: bool = False
    default_scaling: str = "none"

    def __post_init__(self) -> None:
        if self.kind not in PROBLEMS:
            raise ValueError(f"dataset {self.name!r}: kind must be one of {', '.join(PROBLEMS)}, got {self.kind!r}")
        if (self.classes is None) != (self.kind == "regression"):
            raise ValueError(f"dataset {self.name!r}: classes go with a classification kind, and only with it")
        if self.default_scaling not in SCALINGS:
            raise ValueError(f"dataset {self.name!r}: default_scaling must be one of {', '.join(SCALINGS)}")

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``, as a :class:`Dataset` names it."""
        return REGRESSION if self.kind == "regression" else CLASSIFICATION

    @property
    def feature_names(self) -> tuple[str, ...]:
        return ("x",) if self.inputs == 1 else tuple(f"x{i + 1}" for i in range(self.inputs))

    def target_names(self, columns: int) -> tuple[str, ...]:
        """Names of ``columns`` target columns: ``label`` (``y`` for regression), else numbered."""
        base = "y" if self.kind == "regression" else "label"
        return (base,) if columns == 1 else tuple(f"{base}{k + 1}" for k in range(columns))


# --------------------------------------------------------------------------- #
# Generators
# --------------------------------------------------------------------------- #

_TRUTH_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def _truth_table(labels) -> Generator:
    """The four corners of the unit square with fixed labels (``n``, noise and the draws unused)."""
    y = np.array(labels, dtype=np.float64)
    return lambda rng, n, noise: (_TRUTH_X.copy(), y.copy())


def _square(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Evenly spaced x, sorted so it plots as a curve; noise=0 gives y == x**2 exactly.
    x = np.linspace(-1.0, 1.0, n)
    z = rng.standard_normal(n)
    y = x * x + z * noise if noise > 0 else x * x
    return x.reshape(-1, 1), y


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


@functools.cache
def _digit_rows() -> tuple[np.ndarray, np.ndarray]:
    """The shipped digits (``resources/datasets/digits.npz``): pictures as rows of 64 pixels 0 … 16,
    and their digits, read once (NumPy only, no pickles), read-only."""
    entry = resource_folder("datasets") / "digits.npz"
    with entry.open("rb") as file, zipfile.ZipFile(file) as archive:  # an .npz: a zip of .npy arrays
        images, labels = (_npy(archive, name) for name in ("images", "labels"))
    X, y = images.reshape(len(images), -1).astype(np.float64), labels.astype(np.float64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def _npy(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    """The array ``name`` of an ``.npz`` archive, read as plain numbers (an object array, which would
    need unpickling, is refused)."""
    with archive.open(f"{name}.npy") as member:
        return np.lib.format.read_array(member)  # its default refuses pickled object arrays


def _digits(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # The 1,797 pictures as they ship, in their own order: n, the noise and the draws unused (the
    # split shuffles them, by the data seed).
    X, y = _digit_rows()
    return X.copy(), y.copy()


def _truth(name: str, title: str, description: str, labels) -> DatasetSpec:
    return DatasetSpec(name, title, description, "binary", 2, 2, noise=False, tiny=True, default_n=4,
                       default_test_share=0.0, generate=_truth_table(labels))


def _playground(name: str, title: str, description: str, kind: str, generate: Generator) -> DatasetSpec:
    return DatasetSpec(name, title, description, kind, 2, 2 if kind == "binary" else None, noise=True,
                       tiny=False, default_n=500, default_test_share=0.5, generate=generate, max_noise=1.0,
                       shuffle=True)


#: every built-in data set by name, in the order the app lists them
DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (
    _truth("and", "AND", QT_TRANSLATE_NOOP("", "AND truth table: 4 points, label 1 only at (1, 1)"),
           [0, 0, 0, 1]),
    _truth("or", "OR", QT_TRANSLATE_NOOP("", "OR truth table: 4 points, label 0 only at (0, 0)"),
           [0, 1, 1, 1]),
    _truth("xor", "XOR", QT_TRANSLATE_NOOP("", "XOR truth table: 4 points, label 1 where exactly one input is 1"),
           [0, 1, 1, 0]),
    _playground("circle", "Circle", QT_TRANSLATE_NOOP(
        "", "Circle (Playground): class 1 inside radius 2.5, class 0 on a ring 3.5-5"), "binary", _circle),
    _playground("xor2d", "Exclusive or", QT_TRANSLATE_NOOP(
        "", "Exclusive or (Playground): class 1 where x1*x2 >= 0"), "binary", _xor2d),
    _playground("gauss", "Gaussian", QT_TRANSLATE_NOOP(
        "", "Gaussian (Playground): two Gaussian blobs around (2, 2) and (-2, -2)"), "binary", _gauss),
    _playground("spiral", "Spiral", QT_TRANSLATE_NOOP("", "Spiral (Playground): two interleaved spirals"),
                "binary", _spiral),
    _playground("plane", "Plane", QT_TRANSLATE_NOOP("", "Plane (Playground regression): target (x1 + x2) / 10"),
                "regression", _plane),
    _playground("multigauss", "Multi Gaussian", QT_TRANSLATE_NOOP(
        "", "Multi Gaussian (Playground regression): six +/- bumps"), "regression", _multigauss),
    DatasetSpec("square", "Square", QT_TRANSLATE_NOOP(
                    "", "Square (regression): y = x^2 on [-1, 1], Gaussian noise of std `noise`"),
                "regression", 1, None, noise=True, tiny=False, default_n=200, default_test_share=0.25,
                generate=_square),
    DatasetSpec("digits", "Digits (8 × 8)", QT_TRANSLATE_NOOP(
                    "", "Handwritten digits (UCI, Alpaydin & Kaynak 1998, CC BY 4.0): 1,797 pictures of 8 × 8 "
                    "pixels 0-16, 10 classes; inputs scaled to [0, 1]"), "multiclass", 64, 10,
                noise=False, tiny=False, default_n=1797, default_test_share=0.2, generate=_digits, fixed=True,
                default_scaling="minmax"),
)}
BUILT_IN = frozenset(DATASETS)  #: the names of nnviz's own data sets (others are plug-ins)


class _Descriptions(Mapping):
    """Name -> description of every data set in :data:`DATASETS`, as it is now (a live view)."""

    def __getitem__(self, name: str) -> str:
        return DATASETS[name].description

    def __iter__(self) -> Iterator[str]:
        return iter(DATASETS)

    def __len__(self) -> int:
        return len(DATASETS)


#: name -> one-line description of every built-in data set (a live view of :data:`DATASETS`)
BUILTIN: Mapping[str, str] = _Descriptions()


def find_dataset(name) -> DatasetSpec | None:
    """The spec of the built-in called ``name`` (case and surrounding spaces ignored), or None."""
    return DATASETS.get(name.strip().lower()) if isinstance(name, str) else None


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
        One of :data:`DATASETS` (case-insensitive).
    n : int, optional
        Number of points, at most ``MAX_ROWS`` (LimitError beyond); default the spec's
        ``default_n`` (500 for the Playground sets, 200 for ``square``). Ignored by the truth
        tables and the digits (fixed rows, all 1,797 of them).
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
    spec = find_dataset(name)
    if spec is None:
        raise DataError(f"unknown built-in dataset {name!r}; choose from {', '.join(DATASETS)}")
    n_pts = spec.default_n if n is None or spec.fixed else positive_int(n, "n")
    if n_pts > MAX_ROWS:  # refused before drawing: the draws take several arrays of n numbers
        raise too_many("n", "rows", MAX_ROWS, "row", n_pts)
    noise_f = finite_float(noise, "noise")
    if noise_f < 0:
        raise DataError(f"noise must be >= 0, got {noise!r}")
    if spec.max_noise is not None and noise_f > spec.max_noise:
        raise DataError(f"noise for {spec.name!r} must be in [0, {spec.max_noise:g}] (Playground's slider / 100), "
                        f"got {noise!r}")
    dt = float_dtype(dtype)
    rng = np.random.default_rng(seed_value(seed))
    X, y = spec.generate(rng, n_pts, noise_f)
    if spec.shuffle:
        perm = rng.permutation(len(X))
        X, y = X[perm], y[perm]
    y = y.reshape(len(y), -1)
    return Dataset(X.astype(dt), y.astype(dt), spec.name, spec.task, spec.feature_names,
                   spec.target_names(y.shape[1]))


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
    if isinstance(spec, str) and find_dataset(spec) is not None:
        if targets is not None or inputs is not None:
            raise DataError(f"targets/inputs only apply to CSV files, not built-in dataset {spec.strip()!r}")
        return make_dataset(spec, n=n, noise=noise, seed=seed, dtype=dtype)
    if not isinstance(spec, (str, os.PathLike)):
        raise DataError(f"dataset must be a built-in name or a CSV path, got {type(spec).__name__}")
    if not Path(spec).exists():
        raise DataError(
            f"unknown dataset {str(spec)!r}: not a built-in ({', '.join(DATASETS)}) and no such file"
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
    arr = as_float_array(X, "X")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"input features need X with 2 columns (x1, x2), got shape {arr.shape}")
    if isinstance(features, str):
        features = [features]
    names = list(features)
    if not names:
        raise DataError(f"no input features selected; choose from {', '.join(map(repr, FEATURES))}")
    for name in names:
        if name not in _FEATURE_FUNCS:
            raise DataError(f"unknown input feature {name!r}; choose from {', '.join(map(repr, FEATURES))}")
    dup = [f for i, f in enumerate(names) if f in names[:i]]
    if dup:
        raise DataError(f"input feature {dup[0]!r} selected twice")
    a, b = arr[:, 0], arr[:, 1]
    out = np.empty((arr.shape[0], len(names)), dtype=arr.dtype)
    for k, name in enumerate(names):
        out[:, k] = _FEATURE_FUNCS[name](a, b)
    return out
