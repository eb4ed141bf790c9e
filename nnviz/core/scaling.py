"""Input scaling: what the data's input rows go through before the network reads them.

Three methods, each with its statistics taken from the training rows only (the test rows and a
picture drawn by hand are scaled with the same numbers, as ``sklearn.preprocessing`` scalers fitted
on the training set would):

* ``"none"`` — the rows as they are;
* ``"minmax"`` — to [0, 1]: ``(x − min) / (max − min)``;
* ``"standard"`` — standardised: ``(x − mean) / std`` (the population standard deviation, ddof 0).

Each column gets its own statistics, except when the inputs are the pixels of one picture
(``per_column`` False): then every pixel shares one minimum and maximum (or one mean and standard
deviation), so a picture stays a picture — a per-pixel scale would blow up ink drawn where the
training pictures had none (the UCI digits' border pixels are 0 in nearly every picture). A
column (or picture) whose values are all equal gets divisor 1: it is shifted, never divided by 0.

The result is an :class:`~nnviz.core.data.InputScaling` (``x ↦ (x − shift) / divisor``), saved in a
model document's ``data`` entry (:func:`scaling_to_meta`) and read back from it
(:func:`scaling_from_meta`), so that a model reopened, evaluated or exported scales exactly as it
was trained.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.data import InputScaling
from nnviz.core.errors import DataError, ModelError

#: the scaling methods, with the words the app and the command line show for them
SCALINGS = {"none": "None", "minmax": "[0, 1] (min-max)", "standard": "Standardise (mean 0, std 1)"}
#: largest input magnitude that goes in unscaled without an offer to scale it
LARGE_INPUT = 10.0

__all__ = ["LARGE_INPUT", "SCALINGS", "check_scaling", "fit_scaling", "large_inputs", "scaling_from_meta",
           "scaling_to_meta"]


def check_scaling(method, what: str = "scaling") -> str:
    """``method`` if it is one of :data:`SCALINGS`, else a one-line DataError naming them."""
    if not isinstance(method, str) or method not in SCALINGS:
        raise DataError(f"{what}: expected one of {', '.join(SCALINGS)}, got {method!r}")
    return method


def fit_scaling(method: str, X, per_column: bool = True) -> InputScaling:
    """The scaling ``method`` with its statistics from the training rows ``X`` (rows, columns): per
    column, or with ``per_column`` False one for all (the pixels of a picture)."""
    check_scaling(method)
    X = np.asarray(X, dtype=np.float64)
    if method == "none" or X.size == 0:
        return InputScaling(name=method)
    axis = 0 if per_column else None
    if method == "minmax":
        shift = X.min(axis=axis)
        spread = X.max(axis=axis) - shift
    else:
        shift = X.mean(axis=axis)
        spread = X.std(axis=axis)
    divisor = np.where(spread > 0, spread, 1.0)
    shift = np.asarray(shift, dtype=np.float64)
    if not per_column:
        shift, divisor = float(shift), float(divisor)
    else:
        shift.setflags(write=False)
        divisor.setflags(write=False)
    return InputScaling(shift, divisor, method)


def large_inputs(X) -> float | None:
    """The largest input magnitude of ``X`` when it exceeds :data:`LARGE_INPUT` (inputs that large
    saturate tanh and sigmoid units and kill ReLUs at the usual initialisations), else None."""
    X = np.asarray(X, dtype=np.float64)
    if X.size == 0:
        return None
    largest = float(np.max(np.abs(X)))
    return largest if largest > LARGE_INPUT else None


def scaling_to_meta(scaling: InputScaling) -> dict:
    """The ``scaling`` entry of a model document's ``data``: the method and, unless none, its
    ``shift`` and ``divisor`` (a number, or one per input column)."""
    meta = {"method": scaling.name}
    if scaling.name != "none":
        for key in ("shift", "divisor"):
            value = np.asarray(getattr(scaling, key), dtype=np.float64)
            meta[key] = float(value) if value.ndim == 0 else value.tolist()
    return meta


def scaling_from_meta(meta, inputs: int | None = None, where: str = "data.scaling") -> InputScaling | str:
    """A ``scaling`` entry of a document's ``data`` as :func:`scaling_to_meta` writes it — the
    :class:`InputScaling` it fixes — or, as the short form, a method's name (``"minmax"``), whose
    statistics are then taken from the training rows (returned as the name). A one-line ModelError
    for anything else (``inputs``: the model's input width, which per-column numbers must match)."""
    if isinstance(meta, str):
        if meta not in SCALINGS:
            raise ModelError(f"{where}: expected one of {', '.join(SCALINGS)}, got {meta!r}")
        return meta
    if not isinstance(meta, dict) or set(meta) - {"method", "shift", "divisor"}:
        raise ModelError(f"{where}: expected a method's name or an object with method, shift and divisor, "
                         f"got {meta!r}"[:200])
    method = meta.get("method")
    if method not in SCALINGS:
        raise ModelError(f"{where}.method: expected one of {', '.join(SCALINGS)}, got {method!r}")
    if method == "none":
        return InputScaling(name="none")
    if "shift" not in meta or "divisor" not in meta:
        return method
    values = []
    for key in ("shift", "divisor"):
        try:
            value = np.asarray(meta[key], dtype=np.float64)
        except (TypeError, ValueError):
            raise ModelError(f"{where}.{key}: expected a number or a list of numbers") from None
        if value.ndim > 1 or not np.isfinite(value).all():
            raise ModelError(f"{where}.{key}: expected a finite number or a list of finite numbers")
        if value.ndim == 1 and inputs is not None and len(value) != inputs:
            raise ModelError(f"{where}.{key}: {len(value)} numbers for a model of {inputs} inputs")
        values.append(value)
    shift, divisor = values
    if np.any(divisor <= 0):
        raise ModelError(f"{where}.divisor: every divisor must be > 0")
    if shift.ndim == 0 and divisor.ndim == 0:
        return InputScaling(float(shift), float(divisor), method)
    shift, divisor = np.broadcast_arrays(shift, divisor)
    shift, divisor = shift.copy(), divisor.copy()
    shift.setflags(write=False)
    divisor.setflags(write=False)
    return InputScaling(shift, divisor, method)
