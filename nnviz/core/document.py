"""The model document ``nnviz.model/1``: read (JSON or TOML), validate and build a network.

Every problem in a document raises one :class:`ModelError` whose message is one line starting with
the path of the field (``layers[1].weight: expected shape (2, 2), got (2, 3)``). Nothing is ever
unpickled or evaluated. The format is described in ``docs/model-format.md``. The checks of single
values live in :mod:`nnviz.core.validation`, writing in :mod:`nnviz.core.writing`; both are
re-exported here.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import tomllib
from pathlib import Path

import numpy as np

from nnviz.core.activations import ACTIVATIONS, make_activation
from nnviz.core.data import Dataset, prepare_inputs, prepare_targets
from nnviz.core.datasets import DATASETS, find_dataset, make_dataset
from nnviz.core.errors import DataError, LimitError, ModelError
from nnviz.core.history import EVALUATION_COLUMNS, STEP_COLUMNS
from nnviz.core.initializers import INITIALIZERS, initialize, parse_init
from nnviz.core.layers import LAYERS
from nnviz.core.lessons import read_exercise, read_lesson
from nnviz.core.losses import CLASSES, LOSSES, make_loss
from nnviz.core.network import DTYPES, Network
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.safetensors_file import PICKLE_STARTS
from nnviz.core.scaling import scaling_from_meta
from nnviz.core.schedules import SCHEDULES
from nnviz.core.torch_import import PICKLE_SUFFIXES, import_safetensors, pickle_refusal
from nnviz.core.validation import (
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_NUMBERS,
    MAX_ROWS,
    MAX_VALUES,
    check_keys,
    check_option,
    check_options,
    clean_document,
    known_name,
    load_array,
    named_choice,
    no_duplicate_keys,
    read_file,
    show,
    to_array,
    too_many,
    unknown_key,
)
from nnviz.core.writing import FORMAT, atomic_write_text, dumps, dumps_toml, network_to_dict, save_model

TOP_KEYS = ("format", "name", "description", "inputs", "layers", "loss", "regularization", "optimizer",
            "schedule", "clip_grad_norm", "seed", "dtype", "data", "state", "history", "branches", "lesson",
            "exercise", "translations")
#: what a document's ``translations`` may give in another language: {"zh_CN": {"name": …, "description": …}}
TRANSLATED = ("name", "description")
#: the sections a document carries for teaching (see nnviz.core.lessons), kept as they are given
TEACHING = ("lesson", "exercise")
MAX_BRANCHES = 64  # earlier courses a document may keep
REQUIRED = ("format", "inputs", "layers")
#: every parameter or buffer name some layer (or the prelu activation) has
ARRAY_NAMES = frozenset(name for cls in LAYERS.values() for name in cls.PARAMS + cls.BUFFERS) | {"alpha"}
#: keys of a ``data`` entry (either form) saying how its rows are fed to the trainer, with their kinds
FEEDING = {"batch_size": "posint", "shuffle": "bool"}


def read_document(path, notes: list[str] | None = None) -> dict:
    """Parse a JSON or TOML file (TOML when the name ends in ``.toml``) into a dict, with one clear
    error for any problem. The file must be an ordinary file of at most ``MAX_FILE_BYTES`` (judged
    before reading: a device or a pipe is refused, never read). Members that are null are left out
    (null means "not given", see :func:`~nnviz.core.validation.clean_document`), so what every
    caller gets is the document its defaults apply to.

    A ``.safetensors`` file is imported from PyTorch (:mod:`nnviz.core.torch_import`): the document
    of its ``nn.Sequential``, checked whole, with what the import had to assume appended to ``notes``
    (one line each). A PyTorch pickle (``.pt``, ``.pth``, ``.bin``, ``.ckpt``, or any file that
    ``torch.save`` wrote) is refused, never read as one."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise pickle_refusal(path)
    if suffix == ".safetensors":
        return _imported(path, notes)
    raw = read_file(path, ModelError, "a model file")
    if raw.startswith(PICKLE_STARTS):
        raise pickle_refusal(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not a UTF-8 text file") from None
    if not text.strip():
        raise ModelError(f"{path}: the file is empty")
    toml = suffix == ".toml"
    try:
        doc = tomllib.loads(text) if toml else json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ModelError(f"{path}: nested too deeply to read") from None
    except ValueError as exc:  # TOMLDecodeError, a duplicate JSON key, an integer of 4300+ digits
        message = str(exc) if len(str(exc)) <= 200 else str(exc)[:197] + "..."
        raise ModelError(f"{path}: malformed {'TOML' if toml else 'JSON'}: {message}") from None
    if not isinstance(doc, dict):
        raise ModelError(f"{path}: expected a JSON object at the top level, got {type(doc).__name__}")
    try:
        return clean_document(doc)
    except ModelError as exc:  # a field's problem: named as build_network's are (load_model)
        raise ModelError(f"{path.name}: {exc}") from None


def _imported(path: Path, notes: list[str] | None) -> dict:
    """The document of a safetensors file, checked here so that a problem is named in the file it is
    in (the architecture's keys, such as ``loss``, in the sidecar) rather than in the document the
    import made; its notes appended to ``notes``."""
    imported = import_safetensors(path)
    try:
        build_network(imported.document)
    except (ModelError, LimitError) as exc:
        raise type(exc)(f"{imported.source}: {exc}") from None
    if notes is not None:
        notes.extend(imported.notes)
    return imported.document


def load_model(source, notes: list[str] | None = None) -> Network:
    """Build a :class:`Network` from a model document: a dict, or the path of a JSON/TOML file (or a
    PyTorch ``.safetensors`` file, whose import notes go to ``notes``, see :func:`read_document`)."""
    if isinstance(source, dict):
        return build_network(source)
    if isinstance(source, (str, os.PathLike)):
        doc = read_document(source, notes)
        try:
            return build_network(doc)
        except (ModelError, LimitError) as exc:
            raise type(exc)(f"{Path(source).name}: {exc}") from None
    raise ModelError(f"load_model: expected a dict or a file path, got {type(source).__name__}")


def build_network(doc: dict) -> Network:
    """Validate a parsed document and build the network it describes (parameters and state too).
    The document is not modified."""
    if not isinstance(doc, dict):
        raise ModelError(f"document: expected an object, got {type(doc).__name__}")
    doc = clean_document(doc)
    check_keys(doc, TOP_KEYS, "")
    for key in REQUIRED:
        if key not in doc:
            raise ModelError(f"{key}: missing" + (f" (expected {FORMAT!r})" if key == "format" else ""))
    fmt = doc["format"]
    if fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith("nnviz.model/"):
            raise ModelError(f"format: version {fmt!r} is not supported (this nnviz reads {FORMAT!r})")
        raise ModelError(f"format: expected {FORMAT!r}, got {show(fmt)}")
    for key in ("name", "description"):
        if key in doc and not isinstance(doc[key], str):
            raise ModelError(f"{key}: expected text, got {show(doc[key])}")
    translations = doc.get("translations", {})
    if not isinstance(translations, dict):
        raise ModelError(f"translations: expected an object of languages, got {show(translations)}")
    for code, texts in translations.items():
        if not isinstance(texts, dict):
            raise ModelError(f"translations.{code}: expected an object with a 'name' or a 'description', "
                             f"got {show(texts)}")
        check_keys(texts, TRANSLATED, f"translations.{code}")
        for key, text in texts.items():
            if not isinstance(text, str):
                raise ModelError(f"translations.{code}.{key}: expected text, got {show(text)}")
    inputs = check_option("posint", doc["inputs"], "inputs")
    if inputs > MAX_COLUMNS:  # no data nnviz reads have more columns
        raise too_many("inputs", "inputs", MAX_COLUMNS, "column", inputs)
    dtype = doc.get("dtype", "float64")
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise ModelError(f"dtype: expected {' or '.join(map(repr, DTYPES))}, got {show(dtype)}")
    seed = check_option("nonnegint", doc.get("seed", 0), "seed")
    layers = doc["layers"]
    if not isinstance(layers, list):
        raise ModelError(f"layers: expected a list of layers, got {show(layers)}")
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
    if net.loss.targets == CLASSES and net.outputs < 2:
        raise ModelError(f"loss: {loss['name']} needs an output layer of at least 2 units (one per class), "
                         f"the last layer has {net.outputs}")
    for i, given in enumerate(arrays):
        layer = net.layers[i]
        shapes = dict(layer.param_shapes() + layer.buffer_shapes())
        for name, value in given.items():  # _layer_spec let through only this layer's names
            where = f"layers[{i}].{name}"
            array = load_array(value, where, shapes[name], net.dtype)
            if name == "running_var" and np.any(array < 0):
                raise ModelError(f"{where}: a variance cannot be negative")
            getattr(layer, name)[...] = array
        if not all(np.all(np.isfinite(a)) for a in (*layer.parameters().values(), *layer.buffers().values())):
            raise ModelError(f"layers[{i}].init: draws numbers too large for {net.dtype_name}")
    if "data" in doc:
        _check_data(doc["data"], net)
    read_lesson(doc)
    read_exercise(doc)
    net.meta = {k: doc[k] for k in ("name", "description", "translations", "data", *TEACHING) if k in doc}
    if "state" in doc:
        _load_state(net, doc["state"])
    read_history(doc)
    return net


def _layer_spec(raw, where: str) -> tuple[dict, dict]:
    """Split a layer entry into the constructor spec and the explicit arrays it gives."""
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected an object with a 'type', got {show(raw)}")
    if "type" not in raw:
        raise ModelError(f"{where}.type: missing (one of {', '.join(LAYERS)})")
    kind = known_name(raw["type"], f"{where}.type", LAYERS, "layer type")
    cls = LAYERS[kind]
    spec: dict = {"type": kind}
    given: dict = {}
    act_params: tuple[str, ...] = ()
    if "activation" in raw:
        spec["activation"] = raw["activation"]
        named_choice(raw["activation"], f"{where}.activation", ACTIVATIONS, "activation", lambda cls: cls.defaults)
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
            raise unknown_key(where, key, allowed, f"key for a {kind} layer")
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
    named_choice(value, where, INITIALIZERS, "initialiser", lambda cls: cls.defaults)
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
            raise too_many(f"layers[{i}]", "parameters and buffers", MAX_NUMBERS, "parameter", total)
        fan_in = layer.units


def _loss(raw) -> dict:
    name, options = named_choice(raw, "loss", LOSSES, "loss", lambda cls: cls.defaults)
    make_loss(raw)  # checks the option values, naming "loss.<option>"
    return {"name": name, **options}


def _regularization(raw) -> dict:
    if not isinstance(raw, dict):
        raise ModelError(f"regularization: expected an object like {{\"l1\": 0.0, \"l2\": 0.0}}, got {show(raw)}")
    return check_options(raw, {"l1": ("nonneg", 0.0), "l2": ("nonneg", 0.0)}, "regularization")


def _optimizer(raw) -> dict:
    name, options = named_choice(raw, "optimizer", OPTIMIZERS, "optimizer")
    return {"name": name, **check_options(options, OPTIMIZERS[name].OPTIONS, "optimizer", name)}


def optimizer_spec(doc: dict) -> dict:
    """The optimizer of model document ``doc`` with every option (``{"name": "adam", "lr": 0.001,
    "betas": [0.9, 0.999], …}``), whether the document names it, spells it out or leaves it out (SGD)."""
    spec = _optimizer(doc.get("optimizer", "sgd"))
    options = {key: value for key, value in spec.items() if key != "name"}
    defaults = {key: default for key, (_, default) in OPTIMIZERS[spec["name"]].OPTIONS.items()}
    return {"name": spec["name"], **{key: list(v) if isinstance(v, tuple) else v
                                     for key, v in {**defaults, **options}.items()}}


def _schedule(raw) -> dict:
    name, options = named_choice(raw, "schedule", SCHEDULES, "schedule")
    schema = {**SCHEDULES[name].OPTIONS, "warmup": ("nonnegint", 0)}
    out = check_options(options, schema, "schedule", name)
    for key, (_, default) in SCHEDULES[name].OPTIONS.items():
        if default is None and key not in out:
            raise ModelError(f"schedule.{key}: missing (the {name!r} schedule needs it)")
    return {"name": name, **out}


def _check_data(raw, net: Network) -> None:
    """``data``: a built-in dataset (or a CSV path) with its options, or explicit inputs and targets
    that must fit the network."""
    if not isinstance(raw, dict):
        raise ModelError(f"data: expected an object, got {show(raw)}")
    for key, kind in FEEDING.items():  # how the rows are fed, in either form
        if key in raw:
            check_option(kind, raw[key], f"data.{key}")
    if "scaling" in raw:  # and how the inputs are scaled (see nnviz.core.scaling)
        scaling_from_meta(raw["scaling"], net.inputs)
    if "inputs" in raw or "targets" in raw:
        check_keys(raw, ("inputs", "targets", "scaling", *FEEDING), "data")
        for key in ("inputs", "targets"):
            if key not in raw:
                raise ModelError(f"data.{key}: missing")
        _check_rows(raw["inputs"], "data.inputs")
        X, y = to_array(raw["inputs"], "data.inputs"), to_array(raw["targets"], "data.targets")
        try:
            prepare_targets(net, y, prepare_inputs(net, X).shape[0])
        except DataError as exc:  # its messages start with "inputs:" or "targets:"
            raise ModelError(f"data.{exc}") from None
        return
    schema = {"dataset": ("str", None), "n": ("posint", None), "noise": ("nonneg", 0.0),
              "seed": ("nonnegint", 0), "test_fraction": ("prob", 0.0)}
    check_keys(raw, (*schema, "columns", "scaling", *FEEDING), "data")
    if "dataset" not in raw:
        raise ModelError("data.dataset: missing (a built-in dataset name, or give 'inputs' and 'targets')")
    dataset = raw["dataset"]
    if not isinstance(dataset, str) or not dataset.strip():
        raise ModelError(f"data.dataset: expected a dataset name or a CSV file name, got {show(dataset)}")
    builtin = find_dataset(dataset) is not None
    if not builtin and not _looks_like_a_file(dataset):
        close = difflib.get_close_matches(dataset.strip().lower(), list(DATASETS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ModelError(f"data.dataset: unknown dataset {show(dataset)} ({hint}built-in: {', '.join(DATASETS)}; "
                         f"or a CSV file name such as 'data.csv')")
    if "columns" in raw:
        if builtin:
            raise ModelError(f"data.columns: only a CSV file has columns to choose; {show(dataset)} is a built-in "
                             f"dataset")
        _check_columns(raw["columns"])
    values = {key: check_option(schema[key][0], value, f"data.{key}")
              for key, value in raw.items() if key in schema and key != "dataset"}
    if values.get("n", 0) > MAX_ROWS:
        raise too_many("data.n", "rows", MAX_ROWS, "row", values["n"])
    if values.get("test_fraction", 0.0) >= 1.0:
        raise ModelError("data.test_fraction: must be < 1 (some rows must be left to train on)")
    if builtin:
        try:  # the noise range depends on the dataset: let the generator judge, on 4 points
            make_dataset(dataset, n=4, noise=values.get("noise", 0.0))
        except DataError as exc:
            raise ModelError(f"data.noise: {exc}") from None


def _check_rows(rows, where: str) -> None:
    """Inline rows within the limits (the file they came in is bounded too: these keep a document
    built in memory to what a file could hold)."""
    if isinstance(rows, list):
        if len(rows) > MAX_ROWS:
            raise too_many(where, "rows", MAX_ROWS, "row", len(rows))
        width = len(rows[0]) if rows and isinstance(rows[0], list) else 1
        if width > MAX_COLUMNS:
            raise too_many(where, "columns", MAX_COLUMNS, "column", width)
        if len(rows) * width > MAX_VALUES:
            raise too_many(where, "values", MAX_VALUES, "value", len(rows) * width)


def _check_columns(raw) -> None:
    """``data.columns``: the CSV file's input and target column names (either may be left out: the
    targets default to the last column, the inputs to the others), no name in both."""
    if not isinstance(raw, dict):
        raise ModelError(f"data.columns: expected an object like {{\"inputs\": [\"x1\"], \"targets\": [\"y\"]}}, "
                         f"got {show(raw)}")
    check_keys(raw, ("inputs", "targets"), "data.columns")
    for role, names in raw.items():
        where = f"data.columns.{role}"
        if not isinstance(names, list) or not names:
            raise ModelError(f"{where}: expected a non-empty list of column names, got {show(names)}")
        for i, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                raise ModelError(f"{where}[{i}]: expected a column name, got {show(name)}")
        if len(set(names)) < len(names):
            raise ModelError(f"{where}: a column is named twice")
    both = set(raw.get("inputs", ())) & set(raw.get("targets", ()))
    if both:
        raise ModelError(f"data.columns: {show(min(both))} is both an input and a target")


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


def read_history(doc: dict) -> dict[str, np.ndarray] | None:
    """The ``history`` entry of a document as arrays (None without one). Each kind of column (per
    step, per evaluation) comes whole or not at all, its columns of one length; steps are whole
    numbers that only increase; a value is a number or null (missing: read as NaN), an epoch a
    number >= 0, an accuracy a number in [0, 1]. Anything else raises one ModelError naming the
    field."""
    raw = doc.get("history")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ModelError(f"history: expected an object of columns, got {show(raw)}")
    check_keys(raw, STEP_COLUMNS + EVALUATION_COLUMNS, "history", "history column")
    columns = {}
    for names in (STEP_COLUMNS, EVALUATION_COLUMNS):
        if not any(name in raw for name in names):
            columns.update((name, np.zeros(0)) for name in names)
            continue
        for name in names:
            where = f"history.{name}"
            if name not in raw:
                raise ModelError(f"{where}: missing (the columns {', '.join(names)} come together)")
            columns[name] = _history_column(raw[name], where)
            rows, first = len(columns[name]), len(columns[names[0]])
            if rows != first:
                raise ModelError(f"{where}: {rows} values, but history.{names[0]} has {first}")
    return columns


def read_branches(doc: dict) -> list[dict]:
    """The ``branches`` entry of a document (earlier courses of the run, see
    :class:`~nnviz.core.history.Course`), checked: a list of objects with ``from`` (a step),
    ``label`` (text), and ``step`` and ``loss`` columns of one length as in ``history``. Anything
    else raises one ModelError naming the field."""
    raw = doc.get("branches")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ModelError(f"branches: expected a list of earlier courses, got {show(raw)}")
    if len(raw) > MAX_BRANCHES:
        raise ModelError(f"branches: at most {MAX_BRANCHES} earlier courses, got {len(raw)}")
    out = []
    for i, entry in enumerate(raw):
        where = f"branches[{i}]"
        if not isinstance(entry, dict):
            raise ModelError(f"{where}: expected an object, got {show(entry)}")
        check_keys(entry, ("from", "label", "step", "loss"), where, "key")
        for key in ("from", "label", "step", "loss"):
            if key not in entry:
                raise ModelError(f"{where}.{key}: missing")
        start = check_option("nonnegint", entry["from"], f"{where}.from")
        if not isinstance(entry["label"], str):
            raise ModelError(f"{where}.label: expected text, got {show(entry['label'])}")
        steps = _history_column(entry["step"], f"{where}.step")
        loss = _history_column(entry["loss"], f"{where}.loss")
        if len(steps) != len(loss):
            raise ModelError(f"{where}.loss: {len(loss)} values, but {where}.step has {len(steps)}")
        out.append({"from": start, "label": entry["label"], "step": steps.tolist(),
                    "loss": [None if math.isnan(v) else v for v in loss.tolist()]})
    return out


def _history_column(values, where: str) -> np.ndarray:
    """One column of a saved history, checked as :func:`read_history` says."""
    if not isinstance(values, list):
        raise ModelError(f"{where}: expected a list, got {show(values)}")
    name = where.rpartition(".")[2]
    if name.endswith("step"):
        for i, value in enumerate(values):
            check_option("nonnegint", value, f"{where}[{i}]")
            if i and value <= values[i - 1]:
                raise ModelError(f"{where}[{i}]: {value} does not come after {values[i - 1]} (steps only increase)")
        return np.array(values, dtype=np.int64)
    kind = "nonneg" if name == "epoch" else "prob|null" if name.endswith("accuracy") else "number|null"
    out = [check_option(kind, value, f"{where}[{i}]") for i, value in enumerate(values)]
    return np.array([math.nan if v is None else v for v in out], dtype=np.float64)


def _load_state(net: Network, raw) -> None:
    where = "state"
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected an object, got {show(raw)}")
    check_keys(raw, ("step", "samples_seen", "optimizer"), where)
    step = check_option("nonnegint", raw.get("step", 0), f"{where}.step")
    samples_seen = check_option("nonnegint", raw.get("samples_seen", 0), f"{where}.samples_seen")
    terms = raw.get("optimizer", {})
    if not isinstance(terms, dict):
        raise ModelError(f"{where}.optimizer: expected an object of state terms, got {show(terms)}")
    opt = net.optimizer
    check_keys(terms, opt.state, f"{where}.optimizer", f"state term for this {opt.name!r} optimizer")
    for term, flat in opt.state.items():
        here = f"{where}.optimizer.{term}"
        if term not in terms:
            if step > 0:
                raise ModelError(f"{here}: missing (needed to resume {opt.name!r} after {step} steps)")
            continue
        per_param = terms[term]
        if not isinstance(per_param, dict):
            raise ModelError(f"{here}: expected an object of parameter name -> array, got {show(per_param)}")
        check_keys(per_param, net.param_slices, here, "parameter")
        for name, piece in net.param_slices.items():
            if name not in per_param:
                raise ModelError(f"{here}.{name}: missing")
            array = load_array(per_param[name], f"{here}.{name}", net.get(name).shape, net.dtype)
            if term in type(opt).NONNEGATIVE_STATE and np.any(array < 0):
                raise ModelError(f"{here}.{name}: cannot be negative (it accumulates squares)")
            flat[piece] = array.reshape(-1)
    opt.t = step
    net.samples_seen = samples_seen


__all__ = ["ACTIVATIONS", "FORMAT", "MAX_DEPTH", "MAX_NUMBERS", "TOP_KEYS", "atomic_write_text", "build_network",
           "check_option", "dumps", "dumps_toml", "inline_dataset", "load_model", "network_to_dict", "read_document",
           "read_history", "save_model", "to_array"]
