"""Importing a PyTorch ``nn.Sequential`` MLP from a ``.safetensors`` file as an nnviz model document.

The weights come from the file (:mod:`nnviz.core.safetensors_file`), the architecture from the
modules listed, as PyTorch prints them, in a sidecar ``<file>.json`` beside it or under ``"nnviz"``
in the file's ``__metadata__``::

    {"modules": ["Linear(in_features=2, out_features=8, bias=True)", "ReLU()",
                 "Linear(in_features=8, out_features=1, bias=True)", "Sigmoid()"],
     "loss": "bce", "optimizer": {"name": "adam", "lr": 0.01}}

Without one, the layers are read from the state dict's keys and shapes (``<index>.weight`` …), and
each run of indices with no tensors between two layers (where activations and dropout sit) is taken
as a ReLU, with nothing after the last layer: a note says so. A module string is parsed as Python
syntax (``ast``) and its arguments read as literals only: nothing is ever evaluated or unpickled.

Each PyTorch module nnviz reads is one entry of :data:`TORCH_MODULES`, its arguments (in PyTorch's
order, with PyTorch's defaults) beside what it becomes. The format is described in
``docs/model-format.md``, "Importing from PyTorch".
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.safetensors_file import CONVERT_ADVICE, FLOAT_DTYPES, SafetensorsFile, read_safetensors
from nnviz.core.validation import (
    check_keys,
    check_option,
    clean_document,
    no_duplicate_keys,
    read_file,
    show,
    unknown_key,
)
from nnviz.core.writing import FORMAT

#: the format of the architecture (the sidecar, or ``"nnviz"`` in the file's metadata)
SIDECAR_FORMAT = "nnviz.torch/1"
#: the sidecar of ``model.safetensors`` is ``model.safetensors.json``
SIDECAR_SUFFIX = ".json"
#: the key of ``__metadata__`` that may hold the architecture, as JSON text
METADATA_KEY = "nnviz"
#: names of files that ``torch.save`` (a pickle) writes: refused, never opened
PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle")
#: keys of an nnviz model document that the architecture may give too (the rest come from the file)
PASSED_KEYS = ("name", "description", "loss", "regularization", "optimizer", "schedule", "clip_grad_norm", "seed",
               "dtype", "data")
#: the most modules an nn.Sequential may list (or its indices reach): an MLP has tens
MAX_MODULES = 10_000
#: a module string is at most this long (a PyTorch repr of an MLP's module is under 120 characters)
MAX_MODULE_TEXT = 500
REQUIRED = object()  # an argument with no default
_KEY = re.compile(r"(.*?)(\d+)\.([A-Za-z_][A-Za-z0-9_]*)\Z")


@dataclass
class Imported:
    """What :func:`import_safetensors` read: the model document, what it had to assume (one line
    each, for the person to read), and where the architecture came from (the file that a problem in
    its keys belongs to)."""

    document: dict
    notes: list[str] = field(default_factory=list)
    source: str = ""


def pickle_refusal(path) -> ModelError:
    """The one line that refuses a PyTorch pickle (``.pt``, ``.pth``, ``.bin``, ``.ckpt``: what
    ``torch.save`` writes), saying how to convert it."""
    return ModelError(f"{path}: a PyTorch pickle (what torch.save writes); " + CONVERT_ADVICE)


def sidecar_path(path) -> Path:
    """Where the architecture of the safetensors file ``path`` is looked for: ``<file>.json``."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


# -- PyTorch's modules ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TorchModule:
    """A kind of PyTorch module nnviz reads, as one entry of :data:`TORCH_MODULES`.

    ``role``: ``layer`` (an nnviz layer of its own), ``dropout``, ``activation`` (of the layer before
    it) or ``none`` (passes its input on). ``arguments``: (name, kind, default) in PyTorch's order,
    ``kind`` as :func:`~nnviz.core.validation.check_option` takes it or ``shape``, ``int``, ``dim``
    (see :func:`_argument`); ``keyword``: the keyword-only ones. ``tensors``: the names of the tensors
    its state holds, given its arguments, as (required, optional). ``activation``: an activation's
    nnviz spec, given its arguments."""

    role: str
    arguments: tuple = ()
    keyword: tuple = ()
    tensors: Callable[[dict], tuple[tuple[str, ...], tuple[str, ...]]] = lambda a: ((), ())
    activation: Callable[[dict], str | dict] | None = None

    def all_arguments(self) -> tuple:
        return self.arguments + self.keyword


def _affine(a: dict, flag: str) -> tuple[str, ...]:
    """A norm's learnt tensors: weight and bias, unless turned off."""
    return (("weight", "bias") if a.get("bias", True) else ("weight",)) if a[flag] else ()


TORCH_MODULES: dict[str, TorchModule] = {
    "Linear": TorchModule(
        "layer", (("in_features", "posint", REQUIRED), ("out_features", "posint", REQUIRED), ("bias", "bool", True)),
        tensors=lambda a: (("weight", "bias") if a["bias"] else ("weight",), ())),
    "BatchNorm1d": TorchModule(
        "layer", (("num_features", "posint", REQUIRED), ("eps", "posnumber", 1e-5), ("momentum", "prob|null", 0.1),
                  ("affine", "bool", True), ("track_running_stats", "bool", True)), keyword=(("bias", "bool", True),),
        tensors=lambda a: (_affine(a, "affine") + ("running_mean", "running_var"), ("num_batches_tracked",))),
    "LayerNorm": TorchModule(
        "layer", (("normalized_shape", "shape", REQUIRED), ("eps", "posnumber", 1e-5),
                  ("elementwise_affine", "bool", True), ("bias", "bool", True)),
        tensors=lambda a: (_affine(a, "elementwise_affine"), ())),
    "RMSNorm": TorchModule(
        "layer", (("normalized_shape", "shape", REQUIRED), ("eps", "posnumber|null", None),
                  ("elementwise_affine", "bool", True)),
        tensors=lambda a: (("weight",) if a["elementwise_affine"] else (), ())),
    "Dropout": TorchModule("dropout", (("p", "prob", 0.5), ("inplace", "bool", False))),
    "ReLU": TorchModule("activation", (("inplace", "bool", False),), activation=lambda a: "relu"),
    "Tanh": TorchModule("activation", activation=lambda a: "tanh"),
    "Sigmoid": TorchModule("activation", activation=lambda a: "sigmoid"),
    "GELU": TorchModule("activation", (("approximate", "choice:none,tanh", "none"),),
                        activation=lambda a: {"name": "gelu", "approximate": "tanh"} if a["approximate"] == "tanh"
                        else "gelu"),
    "SiLU": TorchModule("activation", (("inplace", "bool", False),), activation=lambda a: "swish"),
    "LeakyReLU": TorchModule("activation", (("negative_slope", "number", 0.01), ("inplace", "bool", False)),
                             activation=lambda a: {"name": "leaky_relu", "alpha": a["negative_slope"]}),
    "ELU": TorchModule("activation", (("alpha", "number", 1.0), ("inplace", "bool", False)),
                       activation=lambda a: {"name": "elu", "alpha": a["alpha"]}),
    "PReLU": TorchModule("activation", (("num_parameters", "posint", 1), ("init", "number", 0.25)),
                         tensors=lambda a: (("weight",), ()), activation=lambda a: "prelu"),
    "Softmax": TorchModule("activation", (("dim", "dim", None),), activation=lambda a: "softmax"),
    "Identity": TorchModule("none"),
    "Flatten": TorchModule("none", (("start_dim", "int", 1), ("end_dim", "int", -1))),
}


@dataclass
class _Module:
    """One module of the sequence: its index, kind and arguments (defaults filled in), and where a
    message about it points (``modules[3]`` in the architecture, ``module 3`` when inferred)."""

    index: int
    kind: str
    args: dict
    where: str

    def tensors(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The names of the tensors its state holds: (required, optional)."""
        return TORCH_MODULES[self.kind].tensors(self.args)

    def shown(self) -> str:
        """``Linear(in_features=2, out_features=8, bias=True)``, as PyTorch prints it."""
        return f"{self.kind}({', '.join(f'{k}={v!r}' for k, v in self.args.items() if k != 'inplace')})"


class _FileProblem(ModelError):
    """A problem of the tensors (named by their keys): in the safetensors file, whatever the
    architecture says."""


# -- reading --------------------------------------------------------------------------------------------------
def import_safetensors(path) -> Imported:
    """The nnviz model document of the ``nn.Sequential`` whose state dict the safetensors file
    ``path`` holds, with the architecture of its sidecar or metadata, else inferred (see the module's
    docstring). Every problem raises one ModelError line naming the file it is in."""
    path = Path(path)
    file = read_safetensors(path)
    sidecar = sidecar_path(path)
    spec, source = None, str(path)
    if sidecar.is_file():
        spec, source = _read_sidecar(sidecar), str(sidecar)
    elif METADATA_KEY in file.metadata:
        source = f"{path}: __metadata__.{METADATA_KEY}"
        spec = _parse_spec(file.metadata[METADATA_KEY], source)
    try:
        groups, prefix = _groups(file)
        notes: list[str] = []
        if spec is not None:
            check_keys(spec, ("format", "modules", *PASSED_KEYS), "")
            if spec.get("format", SIDECAR_FORMAT) != SIDECAR_FORMAT:
                raise ModelError(f"format: expected {SIDECAR_FORMAT!r}, got {show(spec['format'])}")
            if "modules" not in spec:
                raise ModelError("modules: missing (the modules of the nn.Sequential, as PyTorch prints them: "
                                 "[repr(m) for m in model])")
            modules = _listed_modules(spec["modules"], groups)
        else:
            modules, notes = _inferred_modules(groups, file, path, sidecar)
        inputs, layers, more = _layers(modules, groups, file, prefix)
    except _FileProblem as exc:  # a tensor's: in the file
        raise ModelError(f"{path}: {exc}") from None
    except ModelError as exc:  # the architecture's: where it came from
        raise ModelError(f"{source}: {exc}") from None
    doc = {"format": FORMAT, "name": path.stem,
           "description": f"Imported from PyTorch: {path.name}", "inputs": inputs, "layers": layers,
           # its weights were learnt: the app keeps them (and its widths and loss) rather than
           # fitting the model to the data in force, as it keeps a trained model's
           "state": {"step": 0, "samples_seen": 0}}
    if spec is not None:
        doc.update({key: spec[key] for key in PASSED_KEYS if key in spec})
    return Imported(doc, notes + more, source)


def _read_sidecar(sidecar: Path) -> dict:
    raw = read_file(sidecar, ModelError, "a JSON file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelError(f"{sidecar}: not a UTF-8 text file") from None
    return _parse_spec(text, str(sidecar))


def _parse_spec(text: str, source: str) -> dict:
    try:
        spec = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{source}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ModelError(f"{source}: nested too deeply to read") from None
    except ValueError as exc:  # a key given twice
        raise ModelError(f"{source}: malformed JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise ModelError(f"{source}: expected a JSON object with \"modules\", got {type(spec).__name__}")
    try:
        return clean_document(spec)
    except ModelError as exc:
        raise ModelError(f"{source}: {exc}") from None


def _groups(file: SafetensorsFile) -> tuple[dict[int, dict[str, str]], str]:
    """The state dict's keys by module index (index -> tensor name -> key), and the prefix they
    share (``""``, or ``"net."`` for an ``nn.Sequential`` kept as ``self.net``)."""
    if not file.tensors:
        raise _FileProblem("no tensors: the file holds no weights")
    groups: dict[int, dict[str, str]] = {}
    prefix = None
    for key in file.tensors:
        match = _KEY.match(key)
        if (match is None or (match.group(1) and not match.group(1).endswith("."))
                or (len(match.group(2)) > 1 and match.group(2).startswith("0"))):  # PyTorch writes 0, 1, ..., 10
            raise _FileProblem(f"{show(key, 40)}: not a key of an nn.Sequential's state dict ('<index>.<name>', "
                               f"such as '0.weight'); nnviz imports an nn.Sequential MLP")
        if prefix is None:
            prefix, first = match.group(1), key
        elif match.group(1) != prefix:
            raise _FileProblem(f"{show(key, 40)}: not of the same nn.Sequential as {show(first, 40)} (nnviz "
                               f"imports one nn.Sequential)")
        if len(match.group(2)) > len(str(MAX_MODULES)) or int(match.group(2)) >= MAX_MODULES:
            raise _FileProblem(f"{show(key, 40)}: an index beyond the {MAX_MODULES:,} modules an nn.Sequential "
                               f"nnviz imports may have")
        index = int(match.group(2))
        groups.setdefault(index, {})[match.group(3)] = key
    return dict(sorted(groups.items())), prefix


# -- the modules ----------------------------------------------------------------------------------------------
def _listed_modules(listed, groups: dict) -> list[_Module]:
    """The modules the architecture lists, each parsed and bound to its arguments."""
    if not isinstance(listed, list) or not listed:
        raise ModelError(f"modules: expected a non-empty list of modules as PyTorch prints them "
                         f"(\"Linear(in_features=2, out_features=8, bias=True)\", \"ReLU()\"), got {show(listed)}")
    if len(listed) > MAX_MODULES:
        raise ModelError(f"modules: {len(listed):,} modules, but an nn.Sequential nnviz imports has at most "
                         f"{MAX_MODULES:,}")
    modules = [_module(text, i) for i, text in enumerate(listed)]
    beyond = [i for i in groups if i >= len(modules)]
    if beyond:
        key = next(iter(groups[beyond[0]].values()))
        raise ModelError(f"modules: {len(modules)} modules, but the file has {show(key, 40)} (module {beyond[0]})")
    return modules


def _module(text, i: int) -> _Module:
    """``"Linear(in_features=2, out_features=8)"`` -> a module, its arguments checked."""
    where = f"modules[{i}]"
    example = "such as \"Linear(in_features=2, out_features=8, bias=True)\" or \"ReLU()\""
    if not isinstance(text, str) or len(text) > MAX_MODULE_TEXT:
        raise ModelError(f"{where}: expected a module as PyTorch prints it ({example}), got {show(text)}")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        node = None
    if isinstance(node, ast.Name):  # "ReLU": the module with its defaults
        node = ast.Call(func=node, args=[], keywords=[])
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ModelError(f"{where}: expected a module as PyTorch prints it ({example}), got {show(text)}")
    kind = node.func.id
    if kind not in TORCH_MODULES:
        raise _unknown_module(where, kind)
    spec = TORCH_MODULES[kind]
    arguments = spec.all_arguments()
    if len(node.args) > len(spec.arguments):
        raise ModelError(f"{where}: {kind} takes at most {len(spec.arguments)} arguments by position, got "
                         f"{len(node.args)}")
    given = {}
    for (name, _, _), value in zip(spec.arguments, node.args):
        given[name] = _literal(value, f"{where}.{name}")
    for keyword in node.keywords:
        if keyword.arg is None:
            raise ModelError(f"{where}: expected arguments as name=value, got **")
        names = [name for name, _, _ in arguments]
        if keyword.arg not in names:
            raise unknown_key(where, keyword.arg, names, f"argument of {kind}")
        if keyword.arg in given:
            raise ModelError(f"{where}.{keyword.arg}: given twice")
        given[keyword.arg] = _literal(keyword.value, f"{where}.{keyword.arg}")
    args = {}
    for name, kind_, default in arguments:
        if name not in given:
            if default is REQUIRED:
                raise ModelError(f"{where}.{name}: missing ({kind} needs it)")
            args[name] = default
        else:
            args[name] = _argument(kind_, given[name], f"{where}.{name}")
    return _Module(i, kind, args, where)


def _unknown_module(where: str, kind: str) -> ModelError:
    names = {name.lower(): name for name in TORCH_MODULES}
    close = difflib.get_close_matches(kind.lower(), list(names), n=1)
    hint = f"did you mean {names[close[0]]!r}? " if close else ""
    return ModelError(f"{where}: nnviz has no equivalent of {show(kind, 30)} ({hint}it reads "
                      f"{', '.join(TORCH_MODULES)})")


def _literal(node, where: str):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise ModelError(f"{where}: expected a number, True/False/None, text or a tuple") from None


def _argument(kind: str, value, where: str):
    """An argument checked (``shape``: an int or one int in a tuple or list, as an MLP's norm takes
    it; ``int``: any whole number; ``dim``: None, 1 or -1, the features of a batch)."""
    if kind == "shape":
        if isinstance(value, (tuple, list)) and len(value) == 1:
            value = value[0]
        return check_option("posint", value, where)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ModelError(f"{where}: expected a whole number, got {show(value)}")
        return value
    if kind == "dim":
        if value not in (None, 1, -1) or isinstance(value, bool):
            raise ModelError(f"{where}: nnviz takes the softmax over the features of each sample (dim=1 or -1), "
                             f"got {show(value)}")
        return value
    return check_option(kind, value, where)


def _inferred_modules(groups: dict, file: SafetensorsFile, path: Path,
                      sidecar: Path) -> tuple[list[_Module], list[str]]:
    """The modules read from the keys and shapes alone: Linear (a 2-D weight), BatchNorm1d (running
    statistics), LayerNorm (a 1-D weight and a bias), RMSNorm (a 1-D weight alone; PReLU when it has
    one number and the features are more), and a ReLU for every run of indices with no tensors
    between two of them; with the note that says what was taken."""
    modules: list[_Module] = []
    width = None
    relus, skipped = [], []
    indices = list(groups)
    for n, index in enumerate(indices):
        start = indices[n - 1] + 1 if n else 0
        if index > start:  # modules with no tensors: before the first layer nothing, else a ReLU
            for i in range(start, index):
                guessed = n > 0 and i == start
                modules.append(_Module(i, "ReLU" if guessed else "Identity",
                                       {"inplace": False} if guessed else {}, f"module {i}"))
            (relus if n else skipped).append(_span(start, index - 1))
        module = _infer(index, groups[index], file, width)
        modules.append(module)
        if module.kind == "Linear":
            width = module.args["out_features"]
        elif "num_features" in module.args or "normalized_shape" in module.args:
            width = module.args.get("num_features", module.args.get("normalized_shape"))
    kinds = ", ".join(dict.fromkeys(m.kind for m in modules if m.tensors()[0]))
    parts = [f"{path.name} has no architecture ({sidecar.name}): its modules were read from the shapes ({kinds})"]
    if relus:
        relu = "a ReLU" if len(relus) == 1 else "ReLUs"
        parts.append(f"the modules with no weights at {_listed(relus)} taken for {relu}")
    if skipped:
        parts.append(f"those before the first layer ({_listed(skipped)}) for nothing")
    parts.append(f"no activation after the last layer (module {indices[-1]})")
    note = "; ".join(parts) + (f". To be exact, list the modules in {sidecar.name} (see \"Importing from PyTorch\" "
                               "in docs/model-format.md)")
    return modules, [note]


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _listed(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _infer(index: int, names: dict[str, str], file: SafetensorsFile, width: int | None) -> _Module:
    """The module at ``index`` from the tensors it holds (their shapes are checked afterwards)."""
    where = f"module {index}"
    shapes = {name: file.tensors[key].shape for name, key in names.items()}
    if "running_mean" in shapes or "running_var" in shapes:
        features = shapes.get("running_mean", shapes.get("running_var"))
        return _Module(index, "BatchNorm1d", {"num_features": features[0] if features else 0, "eps": 1e-5,
                                              "momentum": 0.1, "affine": "weight" in shapes,
                                              "track_running_stats": True, "bias": "bias" in shapes}, where)
    weight = shapes.get("weight")
    if weight is not None and len(weight) == 2:
        return _Module(index, "Linear", {"in_features": weight[1], "out_features": weight[0],
                                         "bias": "bias" in shapes}, where)
    if weight is not None and len(weight) == 1:
        if "bias" in shapes:
            return _Module(index, "LayerNorm", {"normalized_shape": weight[0], "eps": 1e-5,
                                                "elementwise_affine": True, "bias": True}, where)
        if weight == (1,) and width is not None and width > 1:
            return _Module(index, "PReLU", {"num_parameters": 1, "init": 0.25}, where)
        return _Module(index, "RMSNorm", {"normalized_shape": weight[0], "eps": None, "elementwise_affine": True},
                       where)
    key = names.get("weight") or next(iter(names.values()))
    if weight is not None:
        raise _FileProblem(f"{show(key, 40)}: shape {weight}: an MLP's weights have 1 or 2 dimensions")
    raise _FileProblem(f"{show(key, 40)}: no module of an MLP holds {' and '.join(map(repr, names))} alone "
                     f"(nnviz reads {', '.join(m for m, s in TORCH_MODULES.items() if s.role == 'layer')})")


# -- the layers ----------------------------------------------------------------------------------------------
def _layers(modules: list[_Module], groups: dict, file: SafetensorsFile, prefix: str):
    """The document's ``inputs`` and ``layers`` from the modules and their tensors, and notes on what
    nnviz adds (a bias where PyTorch's module has none)."""
    tensors = {}
    for module in modules:
        _check_expressible(module)
        names = groups.get(module.index, {})
        required, optional = module.tensors()
        for name, key in names.items():
            if name not in required + optional:
                has = "holds " + (", ".join(required + optional) or "no tensors")
                raise _FileProblem(f"{show(key, 40)}: unknown key ({module.where}, {module.shown()}, {has})")
        for name in required:
            if name not in names:
                raise _FileProblem(f"{show(prefix + f'{module.index}.{name}', 40)}: missing (the state of "
                                   f"{module.where}, {module.shown()}, has it)")
        tensors[module.index] = {name: _tensor(file, key) for name, key in names.items()}
    widths = [_width(m) for m in modules if _width(m) is not None]
    if not widths:
        raise ModelError("no Linear or norm layer: nothing nnviz can train")
    inputs = widths[0]
    width, layers, notes = inputs, [], []
    for module in modules:
        spec = TORCH_MODULES[module.kind]
        given = tensors[module.index]
        keys = {name: prefix + f"{module.index}.{name}" for name in given}
        if spec.role == "layer":
            layer, width, note = _layer(module, given, keys, width)
            layers.append(layer)
            if note:
                notes.append(note)
        elif spec.role == "dropout":
            layers.append({"type": "dropout", "p": module.args["p"]})
        elif spec.role == "activation":
            _activate(module, layers, given, keys)
    return inputs, layers, notes


def _check_expressible(module: _Module) -> None:
    """Refuse a module whose arguments nnviz's layers cannot follow."""
    a = module.args
    if module.kind == "BatchNorm1d" and not a["track_running_stats"]:
        raise ModelError(f"{module.where}: a BatchNorm1d without running statistics normalises by the batch even "
                         f"in evaluation; nnviz's uses running statistics (track_running_stats=True)")
    if module.kind == "BatchNorm1d" and a["momentum"] is None:
        raise ModelError(f"{module.where}: momentum=None (a cumulative average of the batches) has no nnviz "
                         f"equivalent; give a momentum in [0, 1]")
    if module.kind == "PReLU" and a["num_parameters"] != 1:
        raise ModelError(f"{module.where}: PReLU(num_parameters={a['num_parameters']}) learns one slope per "
                         f"feature; nnviz's prelu learns one per layer (num_parameters=1)")
    if module.kind == "Flatten" and (a["start_dim"], a["end_dim"]) not in ((1, -1), (1, 1), (-1, -1)):
        raise ModelError(f"{module.where}: {module.shown()} would change the shape of a batch of samples; an MLP's "
                         f"Flatten keeps start_dim=1")


def _width(module: _Module) -> int | None:
    """The features a layer module takes (None for the others)."""
    a = module.args
    return a.get("in_features", a.get("num_features", a.get("normalized_shape")))


def _tensor(file: SafetensorsFile, key: str) -> np.ndarray:
    array, dtype = file.tensors[key], file.dtypes[key]
    name = key.rpartition(".")[2]
    if name == "num_batches_tracked":
        if array.shape != () or dtype != "I64" or array < 0:
            raise _FileProblem(f"{show(key, 40)}: expected a count (an I64 number >= 0), got {dtype} of shape "
                             f"{array.shape}")
        return array
    if dtype not in FLOAT_DTYPES:
        raise _FileProblem(f"{show(key, 40)}: {dtype}; weights must be floating point ({', '.join(FLOAT_DTYPES)})")
    if not np.all(np.isfinite(array)):
        raise _FileProblem(f"{show(key, 40)}: holds NaN or infinity; nnviz takes finite numbers only")
    return array


def _expect(array: np.ndarray, shape: tuple, key: str, why: str) -> list:
    if array.shape != shape:
        raise _FileProblem(f"{show(key, 40)}: expected shape {shape} ({why}), got {array.shape}")
    return array.tolist()


def _layer(module: _Module, given: dict, keys: dict, width: int) -> tuple[dict, int, str]:
    """A module with tensors as an nnviz layer, its output width, and a note ("" for none)."""
    a, kind = module.args, module.kind
    before = f"the layer before gives {width}"
    if kind == "Linear":
        out, weight = a["out_features"], given["weight"]
        layer = {"type": "dense", "units": out,
                 "weight": _expect(weight, (out, a["in_features"]), keys["weight"], "out_features, in_features")}
        if a["in_features"] != width:
            raise _FileProblem(f"{show(keys['weight'], 40)}: takes {a['in_features']} features (shape {weight.shape}), "
                             f"but {before}")
        note = ""
        if "bias" in given:
            layer["bias"] = _expect(given["bias"], (out,), keys["bias"], "out_features")
        else:
            layer["bias"] = [0.0] * out
            note = (f"{module.where} is a Linear without a bias: nnviz's dense layer has one, here starting at 0 "
                    f"(training moves it)")
        return layer, out, note
    features = a.get("num_features", a.get("normalized_shape"))
    if features != width:
        what = "num_features" if kind == "BatchNorm1d" else "normalized_shape"
        first = next(iter(keys.values()), None)
        raise (_FileProblem if first else ModelError)(
            f"{show(first, 40) if first else module.where}: {kind} of {features} features ({what}), "
                         f"but {before}")
    shape = (features,)
    arrays = {name: _expect(array, shape, keys[name], f"{kind} of {features} features")
              for name, array in given.items() if name != "num_batches_tracked"}
    added = []
    if kind in ("BatchNorm1d", "LayerNorm") and "bias" not in arrays:
        arrays["bias"] = [0.0] * features
        added.append("bias at 0")
    if "weight" not in arrays:
        arrays["weight"] = [1.0] * features
        added.append("weight at 1")
    note = (f"{module.where} is a {kind} without a learnt {' and '.join(s.split()[0] for s in added)}: nnviz's "
            f"has {'them' if len(added) > 1 else 'one'}, here starting at {' and '.join(s.split()[-1] for s in added)} "
            f"(training moves {'them' if len(added) > 1 else 'it'})") if added else ""
    if kind == "BatchNorm1d":
        if min(arrays["running_var"], default=0.0) < 0:
            raise _FileProblem(f"{show(keys['running_var'], 40)}: a variance cannot be negative")
        layer = {"type": "batchnorm", "momentum": a["momentum"], "eps": a["eps"]}
    elif kind == "LayerNorm":
        layer = {"type": "layernorm", "eps": a["eps"]}
    else:
        layer = {"type": "rmsnorm"}
        if a["eps"] is not None:
            layer["eps"] = a["eps"]
    layer.update(arrays)
    return layer, width, note


def _activate(module: _Module, layers: list, given: dict, keys: dict) -> None:
    """Give the layer before ``module`` its activation."""
    spec = TORCH_MODULES[module.kind]
    if not layers:
        raise ModelError(f"{module.where}: {module.shown()} comes before any layer; nnviz applies an activation "
                         f"after a layer (Linear, a norm or Dropout)")
    last = layers[-1]
    if "activation" in last:
        raise ModelError(f"{module.where}: {module.shown()} follows another activation; nnviz gives each layer one")
    last["activation"] = spec.activation(module.args)
    if module.kind == "PReLU":
        last["alpha"] = _expect(given["weight"], (1,), keys["weight"], "one slope, num_parameters=1")


__all__ = ["METADATA_KEY", "PICKLE_SUFFIXES", "SIDECAR_FORMAT", "TORCH_MODULES", "Imported", "import_safetensors",
           "pickle_refusal", "sidecar_path"]
