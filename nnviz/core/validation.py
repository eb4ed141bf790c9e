"""The checks a model document's values go through: each raises one :class:`ModelError` whose
message starts with the path of the field (``layers[1].units: expected a whole number >= 1, got 0``).

Also the limits of what nnviz takes (:data:`MAX_ROWS` and the others, explained in
``docs/model-format.md``, "Limits"), with :func:`too_many`, the one message of a value beyond one, and
:func:`read_file`, the one way nnviz reads a file the user names (a model document, a CSV file)."""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
from pathlib import Path

import numpy as np

from nnviz.core.errors import LimitError, ModelError, NnvizError

#: the deepest nesting of objects and arrays a document may have
MAX_DEPTH = 32
# The limits of what nnviz takes (docs/model-format.md, "Limits"). Each keeps one thing that grows
# without bound from a typed number or a file within memory a desktop has to spare.
#: rows of data: a built-in's ``n``, a CSV file's data rows, a document's inline rows
MAX_ROWS = 10_000_000
#: columns of a CSV file or of inline rows (and so a network's inputs)
MAX_COLUMNS = 10_000
#: numbers of data read in all (rows × columns chosen): 800 MB as float64
MAX_VALUES = 100_000_000
#: the most numbers (parameters and buffers) a network may hold (the parameter limit): every step
#: copies the parameters and their gradients into a snapshot, and a saved model holds them with up to
#: three optimizer terms each (about 100 MB of JSON at this size, within the file size limit)
MAX_NUMBERS = 1_000_000
#: bytes of a file nnviz reads (a model document, a CSV file), judged from its size before reading
MAX_FILE_BYTES = 256 * 2**20
#: where every limit is explained, for the messages that name one
LIMITS_DOC = "see Limits in docs/model-format.md"
_LARGEST_FLOAT_INT = int(np.finfo(np.float64).max)


def show(value, limit: int = 60) -> str:
    """``repr(value)``, cut short so that a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_file(path, error: type[NnvizError], kind: str, prefix: int | None = None) -> bytes:
    """The bytes of the ordinary file ``path``, at most :data:`MAX_FILE_BYTES` of them, or one line
    (``error``, or LimitError for a file too large) naming the path. The size is judged before
    reading, on the file opened without blocking, so a device or a named pipe is refused at once
    rather than read forever or waited on. ``kind`` names what the file should be (``"a CSV file"``).
    With ``prefix``, only the first ``prefix + 1`` bytes are read (more than ``prefix``: the file
    goes on)."""
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise error(f"{p}: no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        if p.is_dir():  # Windows cannot open a folder
            raise error(f"{p}: is a folder, not {kind}") from None
        raise error(f"{p}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        mode = os.fstat(fd)
        if stat.S_ISDIR(mode.st_mode):
            raise error(f"{p}: is a folder, not {kind}")
        if not stat.S_ISREG(mode.st_mode):
            raise error(f"{p}: not an ordinary file (a device, a pipe or a socket); nnviz reads {kind} only "
                        f"from an ordinary file")
        if mode.st_size > MAX_FILE_BYTES:
            raise _too_large(p, mode.st_size)
        with open(fd, "rb", closefd=False) as f:  # bounded: a file may grow, or (in /proc) say size 0
            data = f.read(MAX_FILE_BYTES + 1 if prefix is None else prefix + 1)
    except OSError as exc:
        raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if prefix is None and len(data) > MAX_FILE_BYTES:  # it grew while read
        raise _too_large(p, None)
    return data


def _too_large(p: Path, size: int | None) -> LimitError:
    amount = f"{size:,} bytes, " if size is not None else ""
    return LimitError(f"{p}: {amount}larger than nnviz reads (the file size limit is {_size(MAX_FILE_BYTES)}; "
                      f"{LIMITS_DOC})")


def _size(n: int) -> str:
    """A size in bytes as people read it (256 MiB)."""
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def too_many(where: str, what: str, limit: int, name: str, count: int | None = None) -> LimitError:
    """``where: 300,000,000 rows, more than nnviz takes (the row limit is 10,000,000; see …)``;
    without ``count`` (reading stopped at the limit), ``more than 10,000,000 rows``."""
    if count is None:
        amount = f"more than {limit:,} {what}"
    else:  # a count of hundreds of digits (class indices up to 1e308 make as many outputs) stays short
        amount = f"{count:,}" if count < 10**15 else f"about 10^{len(str(count)) - 1}"
        amount += f" {what}, more than nnviz takes"
    return LimitError(f"{where}: {amount} (the {name} limit is {limit:,}; {LIMITS_DOC})")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_finite_number(v) -> bool:
    try:
        return _is_number(v) and math.isfinite(v)
    except OverflowError:  # an int too large for a float
        return False


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-\[\].]+\Z")


def _key(key) -> str:
    """A key as it appears in a field path: bare if plain, else quoted (so a message stays one line)."""
    return key if isinstance(key, str) and _PLAIN_KEY.match(key) else show(key, 30)


def _join(where: str, key) -> str:
    return f"{where}.{_key(key)}" if where else _key(key)


def unknown_key(where: str, key, allowed, what: str = "key") -> ModelError:
    allowed = [str(a) for a in allowed]
    close = difflib.get_close_matches(key, allowed, n=1) if isinstance(key, str) else []
    if close:
        hint = f"did you mean {close[0]!r}?"
    elif allowed:
        hint = f"allowed: {', '.join(allowed)}"
    else:
        hint = "none are allowed here"
    return ModelError(f"{_join(where, key)}: unknown {what} ({hint})")


def check_keys(mapping: dict, allowed, where: str, what: str = "key") -> None:
    for key in mapping:
        if key not in allowed:
            raise unknown_key(where, key, allowed, what)


def check_option(kind: str, value, where: str):
    """Validate one option value against its kind; returns the value, normalised.

    Kinds: ``bool``, ``choice:a,b,c``, ``betas``, ``posint``, ``nonnegint``, ``number``, ``lr``,
    ``posnumber``, ``nonneg``, ``prob``; a ``|null`` suffix also accepts None."""
    if kind.endswith("|null"):
        if value is None:
            return None
        kind = kind[: -len("|null")]
    if kind == "bool":
        if not isinstance(value, bool):
            raise ModelError(f"{where}: expected true or false, got {show(value)}")
        return value
    if kind.startswith("choice:"):
        choices = kind[len("choice:"):].split(",")
        if value not in choices:
            raise ModelError(f"{where}: expected one of {', '.join(choices)}, got {show(value)}")
        return value
    if kind == "betas":
        if (not isinstance(value, (list, tuple)) or len(value) != 2
                or not all(_is_finite_number(b) and 0.0 <= b < 1.0 for b in value)):
            raise ModelError(f"{where}: expected two numbers in [0, 1), got {show(value)}")
        return (float(value[0]), float(value[1]))
    if kind in ("posint", "nonnegint"):
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if kind == "posint" else 0):
            raise ModelError(f"{where}: expected a whole number {'>= 1' if kind == 'posint' else '>= 0'}, "
                             f"got {show(value)}")
        return value
    if not _is_finite_number(value):
        raise ModelError(f"{where}: expected a finite number, got {show(value)}")
    value = float(value)
    if kind in ("lr", "posnumber") and value <= 0:
        raise ModelError(f"{where}: must be > 0, got {value!r}")
    if kind == "nonneg" and value < 0:
        raise ModelError(f"{where}: must be >= 0, got {value!r}")
    if kind == "prob" and not 0.0 <= value <= 1.0:
        raise ModelError(f"{where}: must lie in [0, 1], got {value!r}")
    return value


def check_options(options: dict, schema: dict, where: str, owner: str | None = None) -> dict:
    """Check ``options`` against ``schema`` (option -> (kind, default)); returns them normalised."""
    check_keys(options, schema, where, f"option for {owner!r}" if owner else "key")
    return {key: check_option(schema[key][0], value, f"{where}.{key}") for key, value in options.items()}


def named_choice(spec, where: str, known: dict, what: str, options_of=None) -> tuple[str, dict]:
    """``"name"`` or ``{"name": ..., options}`` -> (name, options), checking the name and, when
    ``options_of(known[name])`` gives the option names allowed, the option keys (not their values)."""
    if isinstance(spec, str):
        name, options = spec, {}
    elif isinstance(spec, dict):
        if "name" not in spec:
            raise ModelError(f"{where}.name: missing (which {what}?)")
        name, options = spec["name"], {k: v for k, v in spec.items() if k != "name"}
    else:
        raise ModelError(f"{where}: expected a name or an object with a 'name', got {show(spec)}")
    name = known_name(name, where, known, what)
    if options_of is not None:
        check_keys(options, options_of(known[name]), where, f"option for {name!r}")
    return name, options


def known_name(name, where: str, known: dict, what: str) -> str:
    """``name`` if it is one of ``known``, else a ModelError suggesting the closest."""
    if not isinstance(name, str) or name not in known:
        close = difflib.get_close_matches(name, list(known), n=1) if isinstance(name, str) else []
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
        raise ModelError(f"{where}: unknown {what} {show(name)} ({hint})")
    return name


class _Bad(Exception):
    """Raised deep inside :func:`_clean`; each level on the way out adds its part of the path."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message, self.parts = message, []


def clean_document(doc: dict) -> dict:
    """A copy of a parsed document with every ``null`` object member dropped (null means "not
    given"); a ModelError naming the field for a non-finite number, an int too large for a float,
    text that is not valid Unicode, or nesting deeper than ``MAX_DEPTH``."""
    try:
        return _clean(doc)
    except _Bad as bad:
        raise ModelError(f"{''.join(reversed(bad.parts)).lstrip('.')}: {bad.message}") from None


def _clean(value, depth: int = 0):
    """A copy of a parsed document with every ``null`` object member dropped (null means "not
    given"), raising :class:`_Bad` for a non-finite number, an int too large for a float, text that
    is not valid Unicode, or nesting deeper than ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise _Bad(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is not None:
                try:
                    out[key] = _clean(item, depth + 1)
                except _Bad as bad:
                    bad.parts.append(f".{_key(key)}")
                    raise
        return out
    if isinstance(value, (list, tuple)):
        if all(type(v) is float for v in value) and all(map(math.isfinite, value)):
            return list(value)  # a row of numbers, the bulk of a trained model: checked in one go
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_clean(item, depth + 1))
            except _Bad as bad:
                bad.parts.append(f"[{i}]")
                raise
        return out
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad(f"expected a finite number, got {value!r}")
    if _is_number(value) and abs(value) > _LARGEST_FLOAT_INT:
        raise _Bad("number too large")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Bad("text that is not valid Unicode (a lone surrogate)") from None
    return value


def to_array(value, where: str, dtype=np.float64) -> np.ndarray:
    """A (nested) list of finite numbers -> ndarray of ``dtype``, or a ModelError naming ``where``."""
    def walk(v):
        if isinstance(v, list):
            if not all(type(x) is float for x in v):
                for x in v:
                    walk(x)
        elif not _is_number(v):
            raise ModelError(f"{where}: expected numbers, found {show(v)}")

    walk(value)
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        raise ModelError(f"{where}: a number is too large") from None
    except ValueError:
        raise ModelError(f"{where}: not a rectangular array (rows of different lengths)") from None
    if not np.all(np.isfinite(array)):
        raise ModelError(f"{where}: contains a non-finite number (NaN or infinity)")
    with np.errstate(over="ignore"):
        cast = array.astype(dtype)
    if not np.all(np.isfinite(cast)):
        raise ModelError(f"{where}: a number is too large for {np.dtype(dtype).name}")
    return cast


def load_array(value, where: str, shape: tuple, dtype) -> np.ndarray:
    array = to_array(value, where, dtype)
    if array.shape != tuple(shape):
        raise ModelError(f"{where}: expected shape {tuple(shape)}, got {array.shape}")
    return array


def no_duplicate_keys(pairs) -> dict:
    """A JSON object's pairs as a dict (``json.loads``'s ``object_pairs_hook``), refusing a key that
    appears twice (JSON would keep the last silently)."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {show(key)} appears twice in one object")
        out[key] = value
    return out
