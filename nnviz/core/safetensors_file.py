"""Reading a ``.safetensors`` file: tensors as NumPy arrays, checked byte for byte, never unpickled.

The format (Hugging Face's, written by ``safetensors.torch.save_file``): 8 bytes, a little-endian
unsigned header length ``N``; ``N`` bytes of UTF-8 JSON, an object mapping each tensor's name to its
``dtype``, ``shape`` and ``data_offsets`` ``[start, end]`` (counted from the first byte after the
header), plus an optional ``__metadata__`` object of text; then the tensors' bytes, little-endian, C
order. The reader is nnviz's own (NumPy alone): the ``safetensors`` package cannot hand NumPy a BF16
tensor, and its errors would be its own. It checks what the reference implementation checks (and
no more is needed for it to be safe): the header length against the file, the JSON, every entry's
dtype and shape against its byte range, and the ranges against each other, which must tile the
data exactly (no overlap, no hole, nothing after). Every problem is one :class:`ModelError` line
naming the file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnviz.core.errors import LimitError, ModelError
from nnviz.core.validation import MAX_NUMBERS, no_duplicate_keys, read_file, show, too_many

#: the largest header read, as the reference implementation (a header this large is not an MLP's)
MAX_HEADER_BYTES = 100_000_000
#: the dtypes read: floating point as float64 (exactly), and the integers of a BatchNorm's
#: ``num_batches_tracked``
DTYPES = {"F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2"),
          "I64": np.dtype("<i8")}
FLOAT_DTYPES = ("F64", "F32", "F16", "BF16")
#: every other dtype the format knows: named as not read, rather than as unknown
OTHER_DTYPES = ("BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0",
                "F6_E2M3", "F6_E3M2", "F4", "C64")
#: how a file that ``torch.save`` wrote begins: a zip archive, or a bare pickle (protocol 2 and up)
PICKLE_STARTS = (b"PK\x03\x04", b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


@dataclass
class SafetensorsFile:
    """The tensors of a file, by name in the header's order (floating point as float64, integers as
    int64), and its ``__metadata__`` (text to text)."""

    tensors: dict[str, np.ndarray]
    dtypes: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)


def read_safetensors(path) -> SafetensorsFile:
    """Read and check a safetensors file (at most the file size limit, an ordinary file); any
    problem raises one ModelError (a LimitError for a file too large) naming ``path``."""
    path = Path(path)
    raw = read_file(path, ModelError, "a safetensors file")
    try:
        return _parse(raw)
    except _Bad as bad:
        raise ModelError(f"{path}: {bad}") from None
    except LimitError as exc:
        raise LimitError(f"{path}: {exc}") from None


class _Bad(Exception):
    """A problem of the file's contents; :func:`read_safetensors` prefixes the file."""


def _parse(raw: bytes) -> SafetensorsFile:
    if raw.startswith(PICKLE_STARTS):
        raise _Bad("a PyTorch pickle (what torch.save writes), not safetensors; " + CONVERT_ADVICE)
    if len(raw) < 8:
        raise _Bad(f"{len(raw)} bytes, too short for a safetensors file (it starts with an 8-byte header length)")
    n = int.from_bytes(raw[:8], "little")
    if n > MAX_HEADER_BYTES:
        raise _Bad(f"the header length ({n:,} bytes) is more than a safetensors header may have "
                   f"({MAX_HEADER_BYTES:,}): not a safetensors file")
    if 8 + n > len(raw):
        raise _Bad(f"the header length ({n:,} bytes) runs past the end of the file ({len(raw):,} bytes): "
                   f"the file is truncated, or not a safetensors file")
    header = _header(raw[8:8 + n])
    data = memoryview(raw)[8 + n:]
    metadata = _metadata(header.pop("__metadata__", {}))
    entries = {name: _entry(name, value) for name, value in header.items()}
    _check_tiling(entries, len(data))
    count = sum(math.prod(shape) for _, shape, _ in entries.values())
    if count > MAX_NUMBERS:
        raise too_many("the tensors", "numbers", MAX_NUMBERS, "parameter", count)
    tensors = {name: _decode(data, *entry) for name, entry in entries.items()}
    return SafetensorsFile(tensors, {name: entry[0] for name, entry in entries.items()}, metadata)


def _header(text: bytes) -> dict:
    """The header's JSON object (padding spaces allowed, duplicate names not)."""
    if not text.strip():
        raise _Bad("the header is empty")
    if not text.startswith(b"{"):  # as the reference: its JSON is an object, written at once
        raise _Bad("the header does not start with '{': not a safetensors file")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad("the header is not UTF-8 text") from None
    try:
        header = json.loads(decoded, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise _Bad(f"malformed JSON in the header at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise _Bad("the header is nested too deeply to read") from None
    except ValueError as exc:  # a name given twice
        raise _Bad(f"malformed header: {exc}") from None
    if not isinstance(header, dict):
        raise _Bad(f"the header is not a JSON object but {type(header).__name__}")
    return header


def _metadata(value) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _Bad(f"__metadata__: expected an object of text values, got {show(value)}")
    return value


def _entry(name: str, value) -> tuple[str, tuple[int, ...], tuple[int, int]]:
    """One tensor's (dtype, shape, (start, end)), checked on its own."""
    where = f"tensor {show(name, 40)}"
    if not isinstance(value, dict):
        raise _Bad(f"{where}: expected an object with dtype, shape and data_offsets, got {show(value)}")
    for key in value:
        if key not in ("dtype", "shape", "data_offsets"):
            raise _Bad(f"{where}: unknown key {show(key, 30)} (a tensor has dtype, shape and data_offsets)")
    for key in ("dtype", "shape", "data_offsets"):
        if key not in value:
            raise _Bad(f"{where}: {key} missing")
    dtype, shape, offsets = value["dtype"], value["shape"], value["data_offsets"]
    if dtype not in DTYPES:
        kind = "a dtype nnviz does not read" if dtype in OTHER_DTYPES else "an unknown dtype"
        raise _Bad(f"{where}: {show(dtype, 20)} is {kind} (weights must be {', '.join(FLOAT_DTYPES)})")
    if not isinstance(shape, list) or not all(_whole(d) for d in shape):
        raise _Bad(f"{where}: shape: expected a list of whole numbers >= 0, got {show(shape)}")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(_whole(o) for o in offsets)
            or offsets[0] > offsets[1]):
        raise _Bad(f"{where}: data_offsets: expected [start, end], whole numbers with start <= end, "
                   f"got {show(offsets)}")
    size = math.prod(shape) * DTYPES[dtype].itemsize
    if offsets[1] - offsets[0] != size:
        raise _Bad(f"{where}: shape {shape} of {dtype} takes {size:,} bytes, but data_offsets {offsets} hold "
                   f"{offsets[1] - offsets[0]:,}")
    return dtype, tuple(shape), (offsets[0], offsets[1])


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_tiling(entries: dict, length: int) -> None:
    """The byte ranges, in order, cover the data exactly: from 0, each where the last ended, the
    last at its end."""
    at, before = 0, None
    for name, (_, _, (start, end)) in sorted(entries.items(), key=lambda item: item[1][2]):
        if start < at:
            raise _Bad(f"tensors {show(before, 40)} and {show(name, 40)} overlap (bytes {start:,} to {min(at, end):,} "
                       f"of the data)")
        if start > at:
            raise _Bad(f"bytes {at:,} to {start:,} of the data belong to no tensor")
        if end > length:
            raise _Bad(f"tensor {show(name, 40)} ends at byte {end:,} of the data, but the file holds "
                       f"{length:,}: the file is truncated")
        at, before = end, name
    if at < length:
        raise _Bad(f"{length - at:,} bytes after the last tensor's data belong to no tensor")


def _decode(data: memoryview, dtype: str, shape: tuple[int, ...], offsets: tuple[int, int]) -> np.ndarray:
    """The tensor as float64 (floating point, exactly) or int64, a copy (the file's bytes are let go)."""
    raw = np.frombuffer(data[offsets[0]:offsets[1]], dtype=DTYPES[dtype])
    if dtype == "BF16":  # the upper half of a float32: shifted into place, exact
        raw = (raw.astype(np.uint32) << 16).view(np.float32)
    return raw.astype(np.int64 if dtype == "I64" else np.float64).reshape(shape)


#: how to turn a PyTorch pickle into a file nnviz opens (one line, for every message that refuses one)
CONVERT_ADVICE = ("nnviz never loads pickles, which can run any code they hold; save the weights as safetensors "
                  "and open that: from safetensors.torch import save_file; "
                  "save_file(model.state_dict(), \"model.safetensors\")")
