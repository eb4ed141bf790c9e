"""CSV files as datasets: a header row of column names, then rows of numbers.

The file's size is judged before it is read (:func:`~nnviz.core.validation.read_file`), and the rows
are parsed as they stream from it into one array of the chosen columns, so memory stays a small
multiple of the numbers kept, and reading stops at the first row past a limit. A message quotes at
most the one offending cell, and names a column only if the caller named it: never the header or
any other text of the file (a model's ``data.dataset`` may name any file).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
from array import array
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path

import numpy as np

from nnviz.core.data import CLASSIFICATION, REGRESSION, CsvSource, Dataset, float_dtype
from nnviz.core.errors import DataError, LimitError
from nnviz.core.validation import MAX_COLUMNS, MAX_ROWS, MAX_VALUES, read_file, too_many

# A target column counts as class labels if all values are integers and there
# are at most this many distinct values (more looks like a count/measurement).
MAX_CLASSES = 20
#: the longest cell the csv module reads (its own default, named here for the message)
MAX_CELL = csv.field_size_limit()


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
        The file: an ordinary file of at most ``MAX_FILE_BYTES``. Delimiter: comma, or
        semicolon/tab if the header has more of those than commas. Blank lines are skipped.
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
        missing/unreadable/not an ordinary file, not UTF-8, empty, no header
        row, no data rows, bad or duplicate column names, unknown columns,
        ragged rows, and empty, non-numeric or non-finite cells. Only the
        selected columns are parsed, so other columns may hold text.
    LimitError
        A file, a row count, a column count or a number of values beyond
        nnviz's limits (``MAX_FILE_BYTES``, ``MAX_ROWS``, ``MAX_COLUMNS``,
        ``MAX_VALUES``), naming the limit.
    """
    p = Path(path)
    dt = float_dtype(dtype)
    table = _Table(p, read_file(p, DataError, "a CSV file"))
    header = table.header
    given = _given(targets) | _given(inputs)
    t_names = _columns(p, targets, header, "target") if targets is not None else [header[-1]]
    if inputs is not None:
        i_names = _columns(p, inputs, header, "input")
    else:
        chosen = set(t_names)
        i_names = [c for c in header if c not in chosen]
    if not t_names:
        raise DataError(f"{p}: no target columns given")
    if not i_names and len(header) == 1:
        raise DataError(f"{p}: no input columns: the file's one column is the target (a CSV file has a column "
                        f"per input and per target, separated by commas)")
    if not i_names:
        raise DataError(f"{p}: no input columns left: every column is a target")
    both = sorted(set(i_names) & set(t_names), key=i_names.index)
    if both:
        raise DataError(f"{p}: column {_short(both[0])!r} is both an input and a target")

    index = {name: j for j, name in enumerate(header)}
    cols = [index[c] for c in i_names + t_names]
    values = table.read(cols, given)
    split = len(i_names)
    with np.errstate(over="ignore"):  # each cast once, straight into its own array
        X, y = (np.ascontiguousarray(values[:, :split], dtype=dt), np.ascontiguousarray(values[:, split:], dtype=dt))
    del values
    for part, offset in ((X, 0), (y, split)):
        if not np.isfinite(part).all():
            i, k = np.argwhere(~np.isfinite(part))[0]
            raise DataError(f"{table.where(i, cols[offset + k], given)}: value too large for {dt.name}")

    labels = np.unique(y)
    is_class = labels.size <= MAX_CLASSES and bool(np.all(labels == np.round(labels)))
    task = CLASSIFICATION if is_class else REGRESSION
    source = CsvSource(str(p.resolve()), tuple(i_names), tuple(t_names))
    return Dataset(X, y, p.stem, task, tuple(i_names), tuple(t_names), source)


def read_csv_head(path: str | os.PathLike, rows: int, max_bytes: int) -> tuple[list[str], list[list[str]]]:
    """The header and up to ``rows`` data rows (cells stripped) of a CSV file, read from at most its
    first ``max_bytes`` bytes (a row cut short there is left out), checked and split as
    :func:`load_csv` checks and splits them: what a preview shows, at once however large the file.
    Raises load_csv's one-line DataError (or LimitError); a header longer than ``max_bytes`` too."""
    p = Path(path)
    data = read_file(p, DataError, "a CSV file", max_bytes)
    if len(data) > max_bytes:  # the file goes on: keep whole lines only
        whole = data[: data.rfind(b"\n", 0, max_bytes) + 1]
        if not whole.strip():
            if max(data.count(d) for d in (b",", b";", b"\t")) >= MAX_COLUMNS:
                raise too_many(f"{p}, line 1", "columns", MAX_COLUMNS, "column")
            raise DataError(f"{p}: the first line is longer than {max_bytes:,} bytes: not a CSV file of "
                            f"column names and numbers")
        data = whole
    table = _Table(p, data)
    return table.header, table.head(rows)


class _Table:
    """A CSV file's header (checked) and its data rows, parsed from the file's bytes as they are
    needed. Messages name the file and the line."""

    def __init__(self, p: Path, data: bytes):
        self.p, self.data = p, data
        reader = self._reader()
        try:
            for row in reader:
                if row and not (len(row) == 1 and not row[0].strip()):  # blank lines are skipped
                    break
            else:
                raise DataError(f"{p}: file is empty")
        except UnicodeDecodeError:
            raise self._not_utf8() from None
        except csv.Error as e:
            raise self._malformed(reader.line_num, e) from None
        self.header = [c.strip() for c in row]
        self.header_line = reader.line_num
        self._check_header()

    def _reader(self):
        """A csv reader of the text, after a first look at the first non-blank line for its
        delimiter (comma, or semicolon/tab if that line has more of those; ties: comma)."""
        text = self._text()
        head: list[str] = []
        try:
            for line in text:
                head.append(line)
                if line.strip():
                    break
        except UnicodeDecodeError:
            raise self._not_utf8() from None
        delimiter = max([",", ";", "\t"], key=head[-1].count) if head else ","
        self.delimiter = delimiter
        return csv.reader(self._lines(head, text, delimiter), delimiter=delimiter, strict=True)

    def _text(self) -> io.TextIOWrapper:
        """The text, decoded as it is read (-sig: drop the BOM Excel writes)."""
        return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")

    def _lines(self, head: list[str], text, delimiter: str) -> Iterator[str]:
        """The lines of the text, refusing one of more than MAX_COLUMNS fields before the csv
        module splits it into as many strings."""
        for number, line in enumerate(_chain(head, text), 1):
            if line.count(delimiter) >= MAX_COLUMNS:
                raise too_many(f"{self.p}, line {number}", "columns", MAX_COLUMNS, "column")
            yield line

    def _check_header(self) -> None:
        p, header, line = self.p, self.header, self.header_line
        named = [name for name in header if name]
        # A first row of numbers is a data row: without this check the first sample would be taken
        # for column names (and reported as a duplicate column name '0').
        if named and all(_is_number(name) for name in named):
            raise DataError(f"{p}, line {line}: no header row: the first row holds numbers, not column names "
                            f"(a CSV file starts with a row naming its columns, such as x1,x2,y)")
        for j, name in enumerate(header):
            if not name:
                raise DataError(f"{p}, line {line}: column {j + 1} of the header has no name")
        seen: dict[str, int] = {}
        for j, name in enumerate(header):
            if name in seen:
                hint = " (is the first row data? it must name the columns)" if _is_number(name) else ""
                raise DataError(f"{p}, line {line}: duplicate column name {_short(name)!r} "
                                f"(columns {seen[name] + 1} and {j + 1}){hint}")
            seen[name] = j

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) of every data row, after the header; blank lines skipped."""
        reader = self._reader()
        width = len(self.header)
        started = False
        try:
            for row in reader:
                if len(row) < 2 and (not row or not row[0].strip()):
                    continue  # a blank line
                if not started:  # the header
                    started = True
                    continue
                if len(row) != width:
                    raise DataError(f"{self.p}, line {reader.line_num}: expected {width} fields, found {len(row)}")
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise self._not_utf8() from None
        except csv.Error as e:
            raise self._malformed(reader.line_num, e) from None

    def head(self, rows: int) -> list[list[str]]:
        """The first ``rows`` data rows, cells stripped."""
        out = []
        for _, row in self._rows():
            if len(out) == rows:
                break
            out.append([c.strip() for c in row])
        return out

    def read(self, cols: list[int], given: set[str]) -> np.ndarray:
        """The numbers of columns ``cols`` of every data row, as a float64 array (rows, len(cols))."""
        limit = min(MAX_ROWS, MAX_VALUES // len(cols))
        values = self._plain(cols, limit)
        if values is None:
            values = self._careful(cols, given, limit)
        if not np.isfinite(values).all():
            i, k = np.argwhere(~np.isfinite(values))[0]
            line, row = self._row(i)
            cell = row[cols[k]].strip()
            raise DataError(f"{self._where(line, cols[k], given)}: {_short(cell)!r} is not a finite number")
        return values

    def _plain(self, cols: list[int], limit: int) -> np.ndarray | None:
        """The numbers by NumPy's parser (twice as fast), when the file is plain: no quotes, no bare
        carriage returns, every row of the header's width. None: read them carefully instead (which
        also says what is wrong). NumPy reads a number as Python does, or refuses it (``1_000``), and
        then the careful reading takes it. Rows beyond ``limit`` are refused before any is parsed."""
        data, d, width = self.data, self.delimiter, len(self.header)
        if b'"' in data or data.count(b"\r") != data.count(b"\r\n"):
            return None
        count = 0
        try:
            for number, line in enumerate(self._text(), 1):
                if number <= self.header_line or not line.strip():
                    continue
                if line.count(d) != width - 1:
                    return None
                if count == limit:
                    raise self._beyond(limit)
                count += 1
            if not count:
                return None
            values = np.loadtxt(self._text(), dtype=np.float64, delimiter=d, comments=None,
                                skiprows=self.header_line, usecols=cols, ndmin=2)
        except LimitError:
            raise
        except ValueError:  # NumPy's refusal, a UnicodeDecodeError: read carefully, to say what is wrong
            return None
        return values if values.shape == (count, len(cols)) else None

    def _careful(self, cols: list[int], given: set[str], limit: int) -> np.ndarray:
        """The numbers of the chosen columns, row by row, each cell parsed by ``float``; the first
        problem raised as one line naming its line and column."""
        pick = itemgetter(*cols) if len(cols) > 1 else (lambda row, j=cols[0]: (row[j],))
        out = array("d")
        count = 0
        for line, row in self._rows():
            if count == limit:
                raise self._beyond(limit)
            try:
                out.extend(map(float, pick(row)))  # float() ignores surrounding spaces, as strip() would
            except ValueError:
                raise self._bad_cell(line, row, cols, given) from None
            count += 1
        if not count:
            raise DataError(f"{self.p}: has a header but no data rows")
        return np.frombuffer(out, dtype=np.float64).reshape(count, len(cols))

    def _beyond(self, limit: int) -> LimitError:
        """The file has more rows than ``limit``: the row limit, or the value limit that makes it."""
        if limit == MAX_ROWS:
            return too_many(str(self.p), "data rows", MAX_ROWS, "row")
        return too_many(str(self.p), "values in the columns chosen", MAX_VALUES, "value")

    def _row(self, i: int) -> tuple[int, list[str]]:
        """Data row ``i`` (from 0) and its line, read again: only a message needs it."""
        for k, found in enumerate(self._rows()):
            if k == i:
                return found
        raise IndexError(i)

    def where(self, i: int, j: int, given: set[str]) -> str:
        """Where cell ``j`` of data row ``i`` is, for a message."""
        return self._where(self._row(i)[0], j, given)

    def _where(self, line: int, j: int, given: set[str]) -> str:
        """``file, line 5, column 'x2'``: a column by name only if the caller named it (else by number:
        the header is the file's own text)."""
        name = self.header[j]
        return f"{self.p}, line {line}, column {_short(name)!r}" if name in given else \
            f"{self.p}, line {line}, column {j + 1}"

    def _bad_cell(self, line: int, row: list[str], cols: list[int], given: set[str]) -> DataError:
        for j in cols:
            cell = row[j].strip()
            where = self._where(line, j, given)
            if not cell:
                return DataError(f"{where}: empty cell")
            try:
                float(cell)
            except ValueError:
                return DataError(f"{where}: not a number: {_short(cell)!r}")
        return DataError(f"{self.p}, line {line}: not a number")  # not reached: some cell failed

    def _not_utf8(self) -> DataError:
        """Where the text stops being UTF-8 (found by decoding again: only a message needs it)."""
        body = self.data[len(codecs.BOM_UTF8):] if self.data.startswith(codecs.BOM_UTF8) else self.data
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as e:
            line = body.count(b"\n", 0, e.start) + 1
            return DataError(f"{self.p}, line {line}: not UTF-8 text (byte 0x{body[e.start]:02x}); save it as UTF-8")
        return DataError(f"{self.p}: not UTF-8 text; save it as UTF-8")

    def _malformed(self, line: int, e: csv.Error) -> DataError:
        if "field larger than field limit" in str(e):
            return DataError(f"{self.p}, line {line}: a cell longer than {MAX_CELL:,} characters: not a CSV file "
                             f"of column names and numbers")
        return DataError(f"{self.p}, line {line}: malformed CSV ({e})")


def _chain(head: list[str], rest) -> Iterator[str]:
    yield from head
    yield from rest


def _given(names) -> set[str]:
    """The column names a caller gave (stripped), for messages that may quote them."""
    if names is None:
        return set()
    if isinstance(names, str):
        names = [names]
    return {str(name).strip() for name in names} if isinstance(names, Sequence) else set()


def _columns(p: Path, names: Sequence[str] | str, header: list[str], what: str) -> list[str]:
    if isinstance(names, str):
        names = [names]
    elif not isinstance(names, Sequence):
        raise DataError(f"{what} columns must be a list of column names, got {type(names).__name__}")
    known = set(header)
    out: list[str] = []
    for raw in names:
        name = str(raw).strip()
        if name not in known:
            # the file's own names are not listed (a message never shows the file's text) but for one
            # close to what was asked
            close = difflib.get_close_matches(name, header, n=1)
            hint = f"; did you mean {_short(close[0])!r}?" if close else f" (the file has {len(header)} columns)"
            raise DataError(f"{p}: unknown {what} column {_short(name)!r}{hint}")
        out.append(name)
    if len(set(out)) < len(out):
        twice = next(name for i, name in enumerate(out) if name in out[:i])
        raise DataError(f"{p}: {what} column {_short(twice)!r} given twice")
    return out


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _short(s: str, limit: int = 40) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."
