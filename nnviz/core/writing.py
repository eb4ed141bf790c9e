"""Writing model documents: a network as a plain dict, as JSON or TOML text, saved atomically.

Nothing here imports the network's class: a network is read through its public attributes, so the
network itself can offer :meth:`~nnviz.core.network.Network.to_dict` without an import cycle.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from nnviz.core.errors import ModelError

FORMAT = "nnviz.model/1"


def network_to_dict(net, state: bool = True) -> dict:
    """The document for the :class:`~nnviz.core.network.Network` ``net``: a fresh dict of plain
    Python values (no NumPy), with the optimizer state and progress when ``state`` is true."""
    doc: dict = {"format": FORMAT}
    meta = copy.deepcopy(net.meta)
    for key in ("name", "description"):
        if key in meta:
            doc[key] = meta[key]
    doc["inputs"] = net.inputs
    layers = []
    for layer in net.layers:
        entry = layer.to_spec()
        for name, array in list(layer.parameters().items()) + list(layer.buffers().items()):
            entry[name] = array.tolist()
        layers.append(entry)
    doc["layers"] = layers
    doc["loss"] = net.loss.to_spec()
    doc["regularization"] = dict(net.regularization)
    doc["optimizer"] = net.optimizer.to_spec()
    doc["schedule"] = net.schedule.to_spec()
    doc["clip_grad_norm"] = net.clip_grad_norm
    doc["seed"] = net.seed
    doc["dtype"] = net.dtype_name
    if "data" in meta:
        doc["data"] = meta["data"]
    if state and (net.optimizer.t or net.samples_seen):
        doc["state"] = {
            "step": net.optimizer.t, "samples_seen": net.samples_seen,
            "optimizer": {term: {name: flat[piece].reshape(net.get(name).shape).tolist()
                                 for name, piece in net.param_slices.items()}
                          for term, flat in net.optimizer.state.items()}}
    return doc


def _nested(value) -> bool:
    return isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)


def dumps(doc, indent: int = 2) -> str:
    """JSON with objects one key per line and arrays of numbers kept on one line per row.
    Raises ValueError for NaN or infinity."""
    def fmt(value, level):
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        if isinstance(value, dict) and value:
            items = [f"{inner}{json.dumps(k)}: {fmt(v, level + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if _nested(value):
            return "[\n" + ",\n".join(inner + fmt(v, level + 1) for v in value) + "\n" + pad + "]"
        return json.dumps(value, allow_nan=False)

    return fmt(doc, 0) + "\n"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def dumps_toml(doc: dict) -> str:
    """The same document as TOML: objects become tables, lists of objects arrays of tables, and
    members that are None are left out (TOML has no null). Raises ValueError for NaN or infinity."""
    def key(k):
        return k if _BARE_KEY.match(k) else string(k)

    def string(s):
        return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")

    def value(v, level=0):
        if isinstance(v, str):
            return string(v)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items() if x is not None) + "}"
        if _nested(v):
            inner = "  " * (level + 1)
            return "[\n" + "".join(f"{inner}{value(x, level + 1)},\n" for x in v) + "  " * level + "]"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, allow_nan=False)  # true, false, ints and floats are written alike

    def is_tables(v):
        return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)

    lines: list[str] = []

    def table(d: dict, prefix: str) -> None:
        for k, v in d.items():
            if v is not None and not isinstance(v, dict) and not is_tables(v):
                lines.append(f"{key(k)} = {value(v)}")
        for k, v in d.items():
            path = f"{prefix}.{key(k)}" if prefix else key(k)
            if isinstance(v, dict):
                lines.extend(["", f"[{path}]"])
                table(v, path)
            elif is_tables(v):
                for item in v:
                    lines.extend(["", f"[[{path}]]"])
                    table(item, path)

    table(doc, "")
    return "\n".join(lines) + "\n"


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename, so a
    crash or a full disk never leaves a half-written file behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ModelError(f"{path}: cannot write, the folder {str(folder)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ModelError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ModelError(f"{path}: cannot write ({exc.strerror})") from None
        raise


def save_model(net, path, state: bool = True) -> None:
    """Save ``net`` as a ``nnviz.model/1`` document (TOML when the name ends in ``.toml``, else
    JSON), atomically: on any error the file already at ``path`` is left as it was."""
    doc = network_to_dict(net, state=state)
    try:
        text = dumps_toml(doc) if Path(path).suffix.lower() == ".toml" else dumps(doc)
    except ValueError:
        bad = [name for name, array in net.named_parameters() + net.named_buffers()
               if not np.all(np.isfinite(array))]
        holder = f"{bad[0]} holds" if bad else "the model holds"
        raise ModelError(f"{path}: {holder} NaN or infinite numbers (a diverged run?) and cannot be saved; "
                         f"reset it or load an earlier save") from None
    atomic_write_text(path, text)
