"""The model document ``nnviz.model/1``: read (JSON or TOML), validate, build, and save atomically.

Every problem in a document raises one :class:`ModelError` whose message is one line starting with
the path of the field (``layers[1].weight: expected shape (2, 2), got (2, 3)``). Nothing is ever
unpickled or evaluated. The format is described in ``docs/model-format.md``.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
import tempfile
import tomllib
from pathlib import Path

import numpy as np

from nnviz.core.activations import ACTIVATIONS, make_activation
from nnviz.core.datasets import BUILTIN, Dataset, make_dataset
from nnviz.core.errors import DataError, ModelError
from nnviz.core.initializers import INITIALIZERS, initialize, parse_init
from nnviz.core.layers import LAYERS
from nnviz.core.losses import LOSSES, make_loss
from nnviz.core.network import DTYPES, Network
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.schedules import SCHEDULES
from nnviz.core.trainer import prepare_inputs, prepare_targets

FORMAT = "nnviz.model/1"
TOP_KEYS = ("format", "name", "description", "inputs", "layers", "loss", "regularization", "optimizer",
            "schedule", "clip_grad_norm", "seed", "dtype", "data", "state")
REQUIRED = ("format", "inputs", "layers")
#: layer types that take an ``init`` key
#: every parameter or buffer name some layer (or the prelu activation) has
ARRAY_NAMES = frozenset(name for cls in LAYERS.values() for name in cls.PARAMS + cls.BUFFERS) | {"alpha"}
#: optimizer state terms that are sums or averages of squares, so never negative
NONNEGATIVE_TERMS = ("exp_avg_sq", "max_exp_avg_sq", "square_avg", "sum")
#: the most numbers (parameters and buffers) a network may hold
MAX_NUMBERS = 10_000_000
#: the deepest nesting of objects and arrays a document may have
MAX_DEPTH = 32
_LARGEST_FLOAT_INT = int(np.finfo(np.float64).max)
#: keys of a ``data`` entry (either form) saying how its rows are fed to the trainer, with their kinds
FEEDING = {"batch_size": "posint", "shuffle": "bool"}


# -- small validators -----------------------------------------------------------------------------
def _show(value, limit: int = 60) -> str:
    """``repr(value)``, cut short so that a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    return key if isinstance(key, str) and _PLAIN_KEY.match(key) else _show(key, 30)


def _join(where: str, key) -> str:
    return f"{where}.{_key(key)}" if where else _key(key)


def _unknown_key(where: str, key, allowed, what: str = "key") -> ModelError:
    allowed = [str(a) for a in allowed]
    close = difflib.get_close_matches(key, allowed, n=1) if isinstance(key, str) else []
    if close:
        hint = f"did you mean {close[0]!r}?"
    elif allowed:
        hint = f"allowed: {', '.join(allowed)}"
    else:
        hint = "none are allowed here"
    return ModelError(f"{_join(where, key)}: unknown {what} ({hint})")


def _check_keys(mapping: dict, allowed, where: str, what: str = "key") -> None:
    for key in mapping:
        if key not in allowed:
            raise _unknown_key(where, key, allowed, what)


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
            raise ModelError(f"{where}: expected true or false, got {_show(value)}")
        return value
    if kind.startswith("choice:"):
        choices = kind[len("choice:"):].split(",")
        if value not in choices:
            raise ModelError(f"{where}: expected one of {', '.join(choices)}, got {_show(value)}")
        return value
    if kind == "betas":
        if (not isinstance(value, (list, tuple)) or len(value) != 2
                or not all(_is_finite_number(b) and 0.0 <= b < 1.0 for b in value)):
            raise ModelError(f"{where}: expected two numbers in [0, 1), got {_show(value)}")
        return (float(value[0]), float(value[1]))
    if kind in ("posint", "nonnegint"):
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if kind == "posint" else 0):
            raise ModelError(f"{where}: expected a whole number {'>= 1' if kind == 'posint' else '>= 0'}, "
                             f"got {_show(value)}")
        return value
    if not _is_finite_number(value):
        raise ModelError(f"{where}: expected a finite number, got {_show(value)}")
    value = float(value)
    if kind in ("lr", "posnumber") and value <= 0:
        raise ModelError(f"{where}: must be > 0, got {value!r}")
    if kind == "nonneg" and value < 0:
        raise ModelError(f"{where}: must be >= 0, got {value!r}")
    if kind == "prob" and not 0.0 <= value <= 1.0:
        raise ModelError(f"{where}: must lie in [0, 1], got {value!r}")
    return value


def _check_options(options: dict, schema: dict, where: str, owner: str | None = None) -> dict:
    """Check ``options`` against ``schema`` (option -> (kind, default)); returns them normalised."""
    _check_keys(options, schema, where, f"option for {owner!r}" if owner else "key")
    return {key: check_option(schema[key][0], value, f"{where}.{key}") for key, value in options.items()}


def _named(spec, where: str, known: dict, what: str, options_of=None) -> tuple[str, dict]:
    """``"name"`` or ``{"name": ..., options}`` -> (name, options), checking the name and, when
    ``options_of(known[name])`` gives the option names allowed, the option keys (not their values)."""
    if isinstance(spec, str):
        name, options = spec, {}
    elif isinstance(spec, dict):
        if "name" not in spec:
            raise ModelError(f"{where}.name: missing (which {what}?)")
        name, options = spec["name"], {k: v for k, v in spec.items() if k != "name"}
    else:
        raise ModelError(f"{where}: expected a name or an object with a 'name', got {_show(spec)}")
    name = _known(name, where, known, what)
    if options_of is not None:
        _check_keys(options, options_of(known[name]), where, f"option for {name!r}")
    return name, options


def _known(name, where: str, known: dict, what: str) -> str:
    """``name`` if it is one of ``known``, else a ModelError suggesting the closest."""
    if not isinstance(name, str) or name not in known:
        close = difflib.get_close_matches(name, list(known), n=1) if isinstance(name, str) else []
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
        raise ModelError(f"{where}: unknown {what} {_show(name)} ({hint})")
    return name


class _Bad(Exception):
    """Raised deep inside :func:`_clean`; each level on the way out adds its part of the path."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message, self.parts = message, []


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
            raise ModelError(f"{where}: expected numbers, found {_show(v)}")

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


def _load_array(value, where: str, shape: tuple, dtype) -> np.ndarray:
    array = to_array(value, where, dtype)
    if array.shape != tuple(shape):
        raise ModelError(f"{where}: expected shape {tuple(shape)}, got {array.shape}")
    return array


# -- reading ---------------------------------------------------------------------------------------
def _no_duplicates(pairs) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def read_document(path) -> dict:
    """Parse a JSON or TOML file (TOML when the name ends in ``.toml``) into a dict, with one clear
    error for any problem."""
    path = Path(path)
    if path.is_dir():
        raise ModelError(f"{path}: is a folder, not a model file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not a UTF-8 text file") from None
    if not text.strip():
        raise ModelError(f"{path}: the file is empty")
    toml = path.suffix.lower() == ".toml"
    try:
        doc = tomllib.loads(text) if toml else json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ModelError(f"{path}: nested too deeply to read") from None
    except ValueError as exc:  # TOMLDecodeError, a duplicate JSON key, an integer of 4300+ digits
        raise ModelError(f"{path}: malformed {'TOML' if toml else 'JSON'}: {exc}") from None
    if not isinstance(doc, dict):
        raise ModelError(f"{path}: expected a JSON object at the top level, got {type(doc).__name__}")
    return doc


def load_model(source) -> Network:
    """Build a :class:`Network` from a model document: a dict, or the path of a JSON/TOML file."""
    if isinstance(source, dict):
        return build_network(source)
    if isinstance(source, (str, os.PathLike)):
        doc = read_document(source)
        try:
            return build_network(doc)
        except ModelError as exc:
            raise ModelError(f"{Path(source).name}: {exc}") from None
    raise ModelError(f"load_model: expected a dict or a file path, got {type(source).__name__}")


def build_network(doc: dict) -> Network:
    """Validate a parsed document and build the network it describes (parameters and state too).
    The document is not modified."""
    if not isinstance(doc, dict):
        raise ModelError(f"document: expected an object, got {type(doc).__name__}")
    try:
        doc = _clean(doc)
    except _Bad as bad:
        raise ModelError(f"{''.join(reversed(bad.parts)).lstrip('.')}: {bad.message}") from None
    _check_keys(doc, TOP_KEYS, "")
    for key in REQUIRED:
        if key not in doc:
            raise ModelError(f"{key}: missing" + (f" (expected {FORMAT!r})" if key == "format" else ""))
    fmt = doc["format"]
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith("nnviz.model/"):
            raise ModelError(f"format: version {fmt!r} is not supported (this nnviz reads {FORMAT!r})")
        raise ModelError(f"format: expected {FORMAT!r}, got {_show(fmt)}")
    for key in ("name", "description"):
        if key in doc and not isinstance(doc[key], str):
            raise ModelError(f"{key}: expected text, got {_show(doc[key])}")
    inputs = check_option("posint", doc["inputs"], "inputs")
    dtype = doc.get("dtype", "float64")
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise ModelError(f"dtype: expected {' or '.join(map(repr, DTYPES))}, got {_show(dtype)}")
    seed = check_option("nonnegint", doc.get("seed", 0), "seed")
    layers = doc["layers"]
    if not isinstance(layers, list):
        raise ModelError(f"layers: expected a list of layers, got {_show(layers)}")
    if not layers:
        raise ModelError("layers: empty (a network needs at least one layer)")
    specs, arrays = zip(*(_layer_spec(raw, f"layers[{i}]") for i, raw in enumerate(layers)))
    _check_size(inputs, specs)

    loss = _loss(doc.get("loss", "mse"))
    regularization = {"l1": 0.0, "l2": 0.0, **_regularization(doc.get("regularization", {}))}
    optimizer = _optimizer(doc.get("optimizer", "sgd"))
    schedule = _schedule(doc.get("schedule", "constant"))
    clip = doc.get("clip_grad_norm")
    if clip is not None:
        clip = check_option("posnumber", clip, "clip_grad_norm")
    with np.errstate(over="ignore"):  # initial draws too large for the dtype are reported below
        net = Network(inputs, list(specs), loss, optimizer, schedule, regularization, clip, seed, dtype)
    if loss["name"] == "cross_entropy" and net.outputs < 2:
        raise ModelError(f"loss: cross_entropy needs an output layer of at least 2 units (one per class), "
                         f"the last layer has {net.outputs}")
    for i, given in enumerate(arrays):
        layer = net.layers[i]
        shapes = dict(layer.param_shapes() + layer.buffer_shapes())
        for name, value in given.items():  # _layer_spec let through only this layer's names
            where = f"layers[{i}].{name}"
            array = _load_array(value, where, shapes[name], net.dtype)
            if name == "running_var" and np.any(array < 0):
                raise ModelError(f"{where}: a variance cannot be negative")
            getattr(layer, name)[...] = array
        if not all(np.all(np.isfinite(a)) for a in (*layer.parameters().values(), *layer.buffers().values())):
            raise ModelError(f"layers[{i}].init: draws numbers too large for {net.dtype_name}")
    if "data" in doc:
        _check_data(doc["data"], net)
    net.meta = {k: doc[k] for k in ("name", "description", "data") if k in doc}
    if "state" in doc:
        _load_state(net, doc["state"])
    return net


def _layer_spec(raw, where: str) -> tuple[dict, dict]:
    """Split a layer entry into the constructor spec and the explicit arrays it gives."""
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected an object with a 'type', got {_show(raw)}")
    if "type" not in raw:
        raise ModelError(f"{where}.type: missing (one of {', '.join(LAYERS)})")
    kind = _known(raw["type"], f"{where}.type", LAYERS, "layer type")
    cls = LAYERS[kind]
    spec: dict = {"type": kind}
    given: dict = {}
    act_params: tuple[str, ...] = ()
    if "activation" in raw:
        spec["activation"] = raw["activation"]
        _named(raw["activation"], f"{where}.activation", ACTIVATIONS, "activation", lambda cls: cls.defaults)
        act = make_activation(raw["activation"], f"{where}.activation")
        act_params = tuple(name for name, _ in act.param_shapes)
    arrays = (*cls.PARAMS, *cls.BUFFERS, *act_params)
    allowed = ("type", "activation", *cls.OPTIONS, *arrays, *(("init",) if cls.TAKES_INIT else ()))
    for key, value in raw.items():
        if key in ("type", "activation"):
            continue
        if key in ARRAY_NAMES and key not in arrays:
            hint = "; 'alpha' comes with a prelu activation" if key == "alpha" else ""
            raise ModelError(f"{where}.{key}: a {kind} layer has no parameter or buffer {key!r} "
                             f"(it has: {', '.join(arrays) or 'none'}{hint})")
        if key not in allowed:
            raise _unknown_key(where, key, allowed, f"key for a {kind} layer")
        if key == "init":
            _check_init(value, f"{where}.init")
            spec["init"] = value
        elif key in cls.OPTIONS:
            spec[key] = check_option(cls.OPTIONS[key][0], value, f"{where}.{key}")
        else:
            given[key] = value
    for key, (kind_, default) in cls.OPTIONS.items():
        if default is None and key not in spec and not kind_.endswith("|null"):
            raise ModelError(f"{where}.{key}: missing (a {kind} layer needs it)")
    return spec, given


def _check_init(value, where: str) -> None:
    """An ``init`` entry: known name and options, finite values, and options it can draw from."""
    _named(value, where, INITIALIZERS, "initialiser", lambda cls: cls.defaults)
    name, options = parse_init(value, where)
    try:  # one input and one output give the widest range any layer draws from
        initialize(name, options, (1, 1), np.random.default_rng(0))
    except (ValueError, OverflowError):
        raise ModelError(f"{where}: the options are too large to draw numbers from") from None


def _check_size(inputs: int, specs) -> None:
    """Refuse networks too large to allocate, before allocating them."""
    fan_in, total = inputs, 0
    for i, spec in enumerate(specs):
        options = dict(spec)
        layer = LAYERS[options.pop("type")](fan_in, options.pop("activation", None), options.pop("init", None),
                                            **options)
        total += sum(math.prod(shape) for _, shape in layer.param_shapes() + layer.buffer_shapes())
        if total > MAX_NUMBERS:
            raise ModelError(f"layers[{i}]: too large: the network would hold more than {MAX_NUMBERS:,} "
                             f"parameters and buffers")
        fan_in = layer.units


def _loss(raw) -> dict:
    name, options = _named(raw, "loss", LOSSES, "loss", lambda cls: cls.defaults)
    make_loss(raw)  # checks the option values, naming "loss.<option>"
    return {"name": name, **options}


def _regularization(raw) -> dict:
    if not isinstance(raw, dict):
        raise ModelError(f"regularization: expected an object like {{\"l1\": 0.0, \"l2\": 0.0}}, got {_show(raw)}")
    return _check_options(raw, {"l1": ("nonneg", 0.0), "l2": ("nonneg", 0.0)}, "regularization")


def _optimizer(raw) -> dict:
    name, options = _named(raw, "optimizer", OPTIMIZERS, "optimizer")
    return {"name": name, **_check_options(options, OPTIMIZERS[name].OPTIONS, "optimizer", name)}


def _schedule(raw) -> dict:
    name, options = _named(raw, "schedule", SCHEDULES, "schedule")
    schema = {**SCHEDULES[name].OPTIONS, "warmup": ("nonnegint", 0)}
    out = _check_options(options, schema, "schedule", name)
    for key, (_, default) in SCHEDULES[name].OPTIONS.items():
        if default is None and key not in out:
            raise ModelError(f"schedule.{key}: missing (the {name!r} schedule needs it)")
    return {"name": name, **out}


def _check_data(raw, net: Network) -> None:
    """``data``: a built-in dataset (or a CSV path) with its options, or explicit inputs and targets
    that must fit the network."""
    if not isinstance(raw, dict):
        raise ModelError(f"data: expected an object, got {_show(raw)}")
    for key, kind in FEEDING.items():  # how the rows are fed, in either form
        if key in raw:
            check_option(kind, raw[key], f"data.{key}")
    if "inputs" in raw or "targets" in raw:
        _check_keys(raw, ("inputs", "targets", *FEEDING), "data")
        for key in ("inputs", "targets"):
            if key not in raw:
                raise ModelError(f"data.{key}: missing")
        X, y = to_array(raw["inputs"], "data.inputs"), to_array(raw["targets"], "data.targets")
        try:
            prepare_targets(net, y, prepare_inputs(net, X).shape[0])
        except DataError as exc:  # its messages start with "inputs:" or "targets:"
            raise ModelError(f"data.{exc}") from None
        return
    schema = {"dataset": ("str", None), "n": ("posint", None), "noise": ("nonneg", 0.0),
              "seed": ("nonnegint", 0), "test_fraction": ("prob", 0.0)}
    _check_keys(raw, (*schema, *FEEDING), "data")
    if "dataset" not in raw:
        raise ModelError("data.dataset: missing (a built-in dataset name, or give 'inputs' and 'targets')")
    dataset = raw["dataset"]
    if not isinstance(dataset, str) or not dataset.strip():
        raise ModelError(f"data.dataset: expected a dataset name or a CSV file name, got {_show(dataset)}")
    builtin = dataset.strip().lower() in BUILTIN
    if not builtin and not _looks_like_a_file(dataset):
        close = difflib.get_close_matches(dataset.strip().lower(), list(BUILTIN), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ModelError(f"data.dataset: unknown dataset {_show(dataset)} ({hint}built-in: {', '.join(BUILTIN)}; "
                         f"or a CSV file name such as 'data.csv')")
    values = {key: check_option(schema[key][0], value, f"data.{key}")
              for key, value in raw.items() if key in schema and key != "dataset"}
    if values.get("test_fraction", 0.0) >= 1.0:
        raise ModelError("data.test_fraction: must be < 1 (some rows must be left to train on)")
    if builtin:
        try:  # the noise range depends on the dataset: let the generator judge, on 4 points
            make_dataset(dataset, n=4, noise=values.get("noise", 0.0))
        except DataError as exc:
            raise ModelError(f"data.noise: {exc}") from None


def inline_dataset(raw: dict, name: str = "data") -> Dataset:
    """The rows of a (validated) inline ``data`` entry as a :class:`Dataset`: inputs named ``x1``,
    ``x2``, ...; a classification task when every target is a whole number (class labels or
    indices), else regression."""
    X, y = np.asarray(raw["inputs"], dtype=np.float64), np.asarray(raw["targets"], dtype=np.float64)
    columns = 1 if y.ndim == 1 else y.shape[1]
    task = "classification" if np.all(y == np.round(y)) else "regression"
    return Dataset(X, y, name, task, tuple(f"x{i + 1}" for i in range(X.shape[1])),
                   tuple(f"y{i + 1}" for i in range(columns)))


def _looks_like_a_file(name: str) -> bool:
    """A CSV file named in ``data.dataset`` (relative to the model file): it has a folder or an
    extension, which no built-in name has, so a misspelt built-in is not taken for a file."""
    return "/" in name or "\\" in name or bool(Path(name).suffix)


def _load_state(net: Network, raw) -> None:
    where = "state"
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected an object, got {_show(raw)}")
    _check_keys(raw, ("step", "samples_seen", "optimizer"), where)
    step = check_option("nonnegint", raw.get("step", 0), f"{where}.step")
    samples_seen = check_option("nonnegint", raw.get("samples_seen", 0), f"{where}.samples_seen")
    terms = raw.get("optimizer", {})
    if not isinstance(terms, dict):
        raise ModelError(f"{where}.optimizer: expected an object of state terms, got {_show(terms)}")
    opt = net.optimizer
    _check_keys(terms, opt.state, f"{where}.optimizer", f"state term for this {opt.name!r} optimizer")
    for term, flat in opt.state.items():
        here = f"{where}.optimizer.{term}"
        if term not in terms:
            if step > 0:
                raise ModelError(f"{here}: missing (needed to resume {opt.name!r} after {step} steps)")
            continue
        per_param = terms[term]
        if not isinstance(per_param, dict):
            raise ModelError(f"{here}: expected an object of parameter name -> array, got {_show(per_param)}")
        _check_keys(per_param, net.param_slices, here, "parameter")
        for name, piece in net.param_slices.items():
            if name not in per_param:
                raise ModelError(f"{here}.{name}: missing")
            array = _load_array(per_param[name], f"{here}.{name}", net.get(name).shape, net.dtype)
            if term in NONNEGATIVE_TERMS and np.any(array < 0):
                raise ModelError(f"{here}.{name}: cannot be negative (it accumulates squares)")
            flat[piece] = array.reshape(-1)
    opt.t = step
    net.samples_seen = samples_seen


# -- writing ---------------------------------------------------------------------------------------
def network_to_dict(net: Network, state: bool = True) -> dict:
    """The document for ``net``: a fresh dict of plain Python values (no NumPy)."""
    doc: dict = {"format": FORMAT}
    meta = copy.deepcopy(getattr(net, "meta", {}))
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


def save_model(net: Network, path, state: bool = True) -> None:
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


__all__ = ["FORMAT", "MAX_NUMBERS", "load_model", "save_model", "build_network", "network_to_dict",
           "read_document", "dumps", "dumps_toml", "atomic_write_text", "check_option", "to_array",
           "ACTIVATIONS"]
