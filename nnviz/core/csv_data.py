"""CSV files as datasets: a header row of column names, then rows of numbers."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nnviz.core.data import CLASSIFICATION, REGRESSION, CsvSource, Dataset, float_dtype
from nnviz.core.errors import DataError

# A target column counts as class labels if all values are integers and there
# are at most this many distinct values (more looks like a count/measurement).
MAX_CLASSES = 20


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
        Named after the file stem, with its :class:`~nnviz.core.data.CsvSource`. Task is ``"classification"`` if every
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
    dt = float_dtype(dtype)
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
    source = CsvSource(str(p.resolve()), tuple(i_names), tuple(t_names))
    return Dataset(X, y, p.stem, task, tuple(i_names), tuple(t_names), source)


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
