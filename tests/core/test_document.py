"""The model document: validation messages, file errors, round trips, exact resume, atomic saves."""

from __future__ import annotations

import ast
import copy
import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import FORMAT, ModelError, Network, Trainer, load_model, save_model
from nnviz.core.document import MAX_DEPTH, TOP_KEYS, dumps, dumps_toml, network_to_dict, read_document
from nnviz.core.errors import NnvizError

BASE = {
    "format": FORMAT,
    "inputs": 2,
    "layers": [
        {"type": "dense", "units": 2, "activation": "tanh"},
        {"type": "dense", "units": 2},
    ],
    "loss": "mse",
    "optimizer": {"name": "sgd", "lr": 0.1},
}

ZEROS_2x2 = [[0.0, 0.0], [0.0, 0.0]]


def _state(terms: dict, step: int = 3) -> dict:
    return {"step": step, "samples_seen": 12, "optimizer": terms}


def _per_param(value=0.0, **override) -> dict:
    """A state term for BASE's four parameters (every entry ``value``), with overrides."""
    out = {"layers[0].weight": [[value] * 2] * 2, "layers[0].bias": [value] * 2,
           "layers[1].weight": [[value] * 2] * 2, "layers[1].bias": [value] * 2}
    out.update(override)
    return out


def _edit(**changes):
    """A function that applies ``changes`` to a copy of BASE: ``key=value`` sets a top-level key,
    ``key=DROP`` removes it, and ``L0=...``/``L1=...`` (dicts) update a layer (DROP removes)."""
    def apply(doc):
        for key, value in changes.items():
            if key.startswith("L") and key[1:].isdigit():
                layer = doc["layers"][int(key[1:])]
                for k, v in value.items():
                    if v is DROP:
                        layer.pop(k)
                    else:
                        layer[k] = v
            elif value is DROP:
                doc.pop(key)
            else:
                doc[key] = value
        return doc
    return apply


DROP = object()
BN_LAYERS = [{"type": "dense", "units": 2}, {"type": "batchnorm"}, {"type": "dense", "units": 2}]

# (id, edit of BASE, the exact start of the expected message: field path first)
MALFORMED = [
    ("missing format", _edit(format=DROP), "format: missing (expected 'nnviz.model/1')"),
    ("format version 2", _edit(format="nnviz.model/2"),
     "format: version 'nnviz.model/2' is not supported (this nnviz reads 'nnviz.model/1')"),
    ("format not ours", _edit(format="keras"), "format: expected 'nnviz.model/1', got 'keras'"),
    ("unknown top-level key", _edit(lyers=[]), "lyers: unknown key (did you mean 'layers'?)"),
    ("unknown top-level key, no match", _edit(zzz=1), "zzz: unknown key (allowed: format, name,"),
    ("name not text", _edit(name=5), "name: expected text, got 5"),
    ("inputs missing", _edit(inputs=DROP), "inputs: missing"),
    ("inputs 0", _edit(inputs=0), "inputs: expected a whole number >= 1, got 0"),
    ("inputs text", _edit(inputs="two"), "inputs: expected a whole number >= 1, got 'two'"),
    ("inputs true", _edit(inputs=True), "inputs: expected a whole number >= 1, got True"),
    ("inputs 2.0", _edit(inputs=2.0), "inputs: expected a whole number >= 1, got 2.0"),
    ("layers missing", _edit(layers=DROP), "layers: missing"),
    ("layers empty", _edit(layers=[]), "layers: empty (a network needs at least one layer)"),
    ("layers not a list", _edit(layers={"type": "dense"}), "layers: expected a list of layers, got {"),
    ("layer not an object", _edit(layers=["dense"]), "layers[0]: expected an object with a 'type', got 'dense'"),
    ("layer missing type", _edit(L1={"type": DROP}), "layers[1].type: missing (one of dense, glu,"),
    ("unknown layer type", _edit(L0={"type": "dens"}),
     "layers[0].type: unknown layer type 'dens' (did you mean 'dense'?)"),
    ("layer type unhashable", _edit(L0={"type": {"name": "dense"}}), "layers[0].type: unknown layer type {"),
    ("missing units", _edit(L1={"units": DROP}), "layers[1].units: missing (a dense layer needs it)"),
    ("units -1", _edit(L0={"units": -1}), "layers[0].units: expected a whole number >= 1, got -1"),
    ("units 2.5", _edit(L0={"units": 2.5}), "layers[0].units: expected a whole number >= 1, got 2.5"),
    ("unknown layer key", _edit(L0={"unit": 2}),
     "layers[0].unit: unknown key for a dense layer (did you mean 'units'?)"),
    ("weight wrong shape", _edit(L1={"weight": [[1, 2, 3], [4, 5, 6]]}),
     "layers[1].weight: expected shape (2, 2), got (2, 3)"),
    ("weight ragged", _edit(L1={"weight": [[1, 2], [3]]}),
     "layers[1].weight: not a rectangular array (rows of different lengths)"),
    ("weight with text", _edit(L1={"weight": [[1, "a"], [3, 4]]}), "layers[1].weight: expected numbers, found 'a'"),
    ("weight with true", _edit(L1={"weight": [[1, True], [3, 4]]}),
     "layers[1].weight: expected numbers, found True"),
    ("weight with null", _edit(L1={"weight": [[1, None], [3, 4]]}),
     "layers[1].weight: expected numbers, found None"),
    ("weight NaN", _edit(L1={"weight": [[1.0, math.nan], [3.0, 4.0]]}),
     "layers[1].weight[0][1]: expected a finite number, got nan"),
    ("weight Infinity", _edit(L1={"weight": [[1.0, 2.0], [math.inf, 4.0]]}),
     "layers[1].weight[1][0]: expected a finite number, got inf"),
    ("weight huge int", _edit(L1={"weight": [[10 ** 400, 2], [3, 4]]}), "layers[1].weight[0][0]: number too large"),
    ("weight too large for float32", _edit(dtype="float32", L1={"weight": [[1e39, 2.0], [3.0, 4.0]]}),
     "layers[1].weight: a number is too large for float32"),
    ("bias wrong shape", _edit(L0={"bias": [0, 0, 0]}), "layers[0].bias: expected shape (2,), got (3,)"),
    ("bias a number", _edit(L0={"bias": 0.5}), "layers[0].bias: expected shape (2,), got ()"),
    ("parameter of another layer type", _edit(L0={"running_mean": [0, 0]}),
     "layers[0].running_mean: a dense layer has no parameter or buffer 'running_mean' (it has: weight, bias)"),
    ("alpha without prelu", _edit(L0={"alpha": [0.25]}),
     "layers[0].alpha: a dense layer has no parameter or buffer 'alpha' (it has: weight, bias; "
     "'alpha' comes with a prelu activation)"),
    ("prelu alpha wrong shape", _edit(L0={"activation": "prelu", "alpha": [0.1, 0.2]}),
     "layers[0].alpha: expected shape (1,), got (2,)"),
    ("negative running_var", _edit(layers=copy.deepcopy(BN_LAYERS), L1={"running_var": [1.0, -0.5]}),
     "layers[1].running_var: a variance cannot be negative"),
    ("batchnorm momentum 2", _edit(layers=copy.deepcopy(BN_LAYERS), L1={"momentum": 2}),
     "layers[1].momentum: must lie in [0, 1], got 2.0"),
    ("unknown activation", _edit(L0={"activation": "tanhh"}),
     "layers[0].activation: unknown activation 'tanhh' (did you mean 'tanh'?)"),
    ("activation not a name", _edit(L0={"activation": 3}),
     "layers[0].activation: expected a name or an object with a 'name', got 3"),
    ("activation missing name", _edit(L0={"activation": {"alpha": 0.1}}),
     "layers[0].activation.name: missing (which activation?)"),
    ("bad activation option value", _edit(L0={"activation": {"name": "leaky_relu", "alpha": "big"}}),
     "layers[0].activation.alpha: expected a finite number, got 'big'"),
    ("unknown activation option", _edit(L0={"activation": {"name": "relu", "alpha": 0.1}}),
     "layers[0].activation.alpha: unknown option for 'relu' (none are allowed here)"),
    ("unknown activation option, close", _edit(L0={"activation": {"name": "elu", "alpah": 0.1}}),
     "layers[0].activation.alpah: unknown option for 'elu' (did you mean 'alpha'?)"),
    ("gelu approximate", _edit(L0={"activation": {"name": "gelu", "approximate": "fast"}}),
     "layers[0].activation: gelu: approximate must be 'none' or 'tanh', got 'fast'"),
    ("dropout p 1.5", _edit(layers=[{"type": "dense", "units": 2}, {"type": "dropout", "p": 1.5}]),
     "layers[1].p: must lie in [0, 1], got 1.5"),
    ("glu bad variant", _edit(L0={"type": "glu", "variant": "reglu"}),
     "layers[0].variant: expected one of glu, swiglu, geglu, got 'reglu'"),
    ("unknown init", _edit(L0={"init": "kaiming"}), "layers[0].init: unknown initialiser 'kaiming' (known: default,"),
    ("unknown init option", _edit(L0={"init": {"name": "normal", "sigma": 1}}),
     "layers[0].init.sigma: unknown option for 'normal'"),
    ("bad init option", _edit(L0={"init": {"name": "normal", "std": "wide"}}),
     "layers[0].init.std: expected a finite number, got 'wide'"),
    ("init normal std negative", _edit(L0={"init": {"name": "normal", "std": -1}}),
     "layers[0].init.std: must be >= 0, got -1.0"),
    ("init xavier gain negative", _edit(L0={"init": {"name": "xavier_normal", "gain": -2}}),
     "layers[0].init.gain: must be >= 0, got -2.0"),
    ("init uniform a > b", _edit(L0={"init": {"name": "uniform", "a": 1, "b": 0}}),
     "layers[0].init: needs a <= b, got a = 1.0, b = 0.0"),
    ("init range overflows", _edit(L0={"init": {"name": "uniform", "a": -1e308, "b": 1e308}}),
     "layers[0].init: the options are too large to draw numbers from"),
    ("init draws overflow float32", _edit(dtype="float32", L1={"init": {"name": "normal", "std": 1e100}}),
     "layers[1].init: draws numbers too large for float32"),
    ("init on batchnorm", _edit(layers=copy.deepcopy(BN_LAYERS), L1={"init": "zeros"}),
     "layers[1].init: unknown key for a batchnorm layer (allowed: type, activation, momentum, eps,"),
    ("unknown loss", _edit(loss="msee"), "loss: unknown loss 'msee' (did you mean 'mse'?)"),
    ("unknown loss option", _edit(loss={"name": "mse", "delta": 1.0}),
     "loss.delta: unknown option for 'mse' (none are allowed here)"),
    ("huber delta 0", _edit(loss={"name": "huber", "delta": 0}), "loss.delta: must be > 0, got 0"),
    ("cross_entropy with one output", _edit(loss="cross_entropy", L1={"units": 1}),
     "loss: cross_entropy needs an output layer of at least 2 units (one per class), the last layer has 1"),
    ("unknown optimizer", _edit(optimizer="adamm"), "optimizer: unknown optimizer 'adamm' (did you mean 'adam'?)"),
    ("unknown optimizer option", _edit(optimizer={"name": "adam", "momentum": 0.9}),
     "optimizer.momentum: unknown option for 'adam' (allowed: lr, betas, eps, weight_decay, amsgrad)"),
    ("lr 0", _edit(optimizer={"name": "sgd", "lr": 0}), "optimizer.lr: must be > 0, got 0.0"),
    ("lr negative", _edit(optimizer={"name": "sgd", "lr": -0.1}), "optimizer.lr: must be > 0, got -0.1"),
    ("lr text", _edit(optimizer={"name": "sgd", "lr": "fast"}),
     "optimizer.lr: expected a finite number, got 'fast'"),
    ("lr huge int", _edit(optimizer={"name": "sgd", "lr": 10 ** 400}), "optimizer.lr: number too large"),
    ("betas one number", _edit(optimizer={"name": "adam", "betas": [0.9]}),
     "optimizer.betas: expected two numbers in [0, 1), got [0.9]"),
    ("betas reaching 1", _edit(optimizer={"name": "adam", "betas": [0.9, 1.0]}),
     "optimizer.betas: expected two numbers in [0, 1), got [0.9, 1.0]"),
    ("amsgrad not a bool", _edit(optimizer={"name": "adam", "amsgrad": "yes"}),
     "optimizer.amsgrad: expected true or false, got 'yes'"),
    ("nesterov without momentum", _edit(optimizer={"name": "sgd", "nesterov": True}),
     "optimizer: nesterov needs momentum > 0 and dampening 0"),
    ("perceptron with tanh", _edit(optimizer="perceptron"),
     "optimizer: the perceptron rule needs a single dense layer with a 'step' activation"),
    ("schedule missing t_max", _edit(schedule={"name": "cosine"}),
     "schedule.t_max: missing (the 'cosine' schedule needs it)"),
    ("unknown schedule", _edit(schedule="cosin"), "schedule: unknown schedule 'cosin' (did you mean 'cosine'?)"),
    ("unknown schedule option", _edit(schedule={"name": "step", "step_size": 3, "t_max": 3}),
     "schedule.t_max: unknown option for 'step' (allowed: step_size, gamma, warmup)"),
    ("warmup -1", _edit(schedule={"name": "constant", "warmup": -1}),
     "schedule.warmup: expected a whole number >= 0, got -1"),
    ("clip_grad_norm negative", _edit(clip_grad_norm=-1), "clip_grad_norm: must be > 0, got -1.0"),
    ("dtype float16", _edit(dtype="float16"), "dtype: expected 'float64' or 'float32', got 'float16'"),
    ("dtype a list", _edit(dtype=["float32"]), "dtype: expected 'float64' or 'float32', got ['float32']"),
    ("seed -1", _edit(seed=-1), "seed: expected a whole number >= 0, got -1"),
    ("regularization unknown key", _edit(regularization={"l3": 0.1}),
     "regularization.l3: unknown key (allowed: l1, l2)"),
    ("regularization negative", _edit(regularization={"l2": -0.5}), "regularization.l2: must be >= 0, got -0.5"),
    ("regularization not an object", _edit(regularization=0.1),
     "regularization: expected an object like {\"l1\": 0.0, \"l2\": 0.0}, got 0.1"),
    ("state not an object", _edit(state=[]), "state: expected an object, got []"),
    ("state unknown key", _edit(state={"steps": 3}), "state.steps: unknown key (did you mean 'step'?)"),
    ("state step -1", _edit(state={"step": -1}), "state.step: expected a whole number >= 0, got -1"),
    ("state unknown term", _edit(state=_state({"exp_avg": _per_param()})),
     "state.optimizer.exp_avg: unknown state term for this 'sgd' optimizer (none are allowed here)"),
    ("state missing term", _edit(optimizer="adam", state=_state({"exp_avg": _per_param()})),
     "state.optimizer.exp_avg_sq: missing (needed to resume 'adam' after 3 steps)"),
    ("state wrong shape", _edit(optimizer={"name": "sgd", "momentum": 0.9},
                                state=_state({"momentum_buffer": _per_param(**{"layers[1].weight": [[0], [0]]})})),
     "state.optimizer.momentum_buffer.layers[1].weight: expected shape (2, 2), got (2, 1)"),
    ("state missing parameter", _edit(optimizer={"name": "sgd", "momentum": 0.9}, state=_state(
        {"momentum_buffer": {k: v for k, v in _per_param().items() if k != "layers[1].bias"}})),
     "state.optimizer.momentum_buffer.layers[1].bias: missing"),
    ("state unknown parameter", _edit(optimizer={"name": "sgd", "momentum": 0.9}, state=_state(
        {"momentum_buffer": _per_param(**{"layers[2].weight": ZEROS_2x2})})),
     "state.optimizer.momentum_buffer.layers[2].weight: unknown parameter (did you mean"),
    ("state negative square average", _edit(optimizer="adam", state=_state(
        {"exp_avg": _per_param(), "exp_avg_sq": _per_param(**{"layers[0].bias": [0.0, -1.0]})})),
     "state.optimizer.exp_avg_sq.layers[0].bias: cannot be negative (it accumulates squares)"),
    ("state term not an object", _edit(optimizer={"name": "sgd", "momentum": 0.9},
                                       state=_state({"momentum_buffer": [0.0]})),
     "state.optimizer.momentum_buffer: expected an object of parameter name -> array, got [0.0]"),
    ("data not an object", _edit(data="xor"), "data: expected an object, got 'xor'"),
    ("data unknown dataset", _edit(data={"dataset": "moons"}), "data.dataset: unknown dataset 'moons' (built-in: and,"),
    ("data misspelt dataset", _edit(data={"dataset": "circel"}),
     "data.dataset: unknown dataset 'circel' (did you mean 'circle'? built-in: and,"),
    ("data dataset not text", _edit(data={"dataset": 3}),
     "data.dataset: expected a dataset name or a CSV file name, got 3"),
    ("data missing dataset", _edit(data={"n": 10}), "data.dataset: missing (a built-in dataset name,"),
    ("data unknown key", _edit(data={"dataset": "circle", "noize": 0.1}),
     "data.noize: unknown key (did you mean 'noise'?)"),
    ("data n 0", _edit(data={"dataset": "circle", "n": 0}), "data.n: expected a whole number >= 1, got 0"),
    ("data test_fraction 1", _edit(data={"dataset": "circle", "test_fraction": 1}),
     "data.test_fraction: must be < 1 (some rows must be left to train on)"),
    ("data noise above 1", _edit(data={"dataset": "circle", "noise": 1.5}),
     "data.noise: noise for 'circle' must be in [0, 1]"),
    ("data inputs wrong width", _edit(data={"inputs": [[1, 2, 3], [4, 5, 6]], "targets": [[0, 1], [1, 0]]}),
     "data.inputs: the network takes 2 input(s) per sample, got shape (2, 3)"),
    ("data targets wrong rows", _edit(data={"inputs": [[1, 2], [4, 5]], "targets": [[0, 1]]}),
     "data.targets: expected 2 rows (one per input row), got shape (1, 2)"),
    ("data targets missing", _edit(data={"inputs": [[1, 2]]}), "data.targets: missing"),
    ("data inputs ragged", _edit(data={"inputs": [[1, 2], [4]], "targets": [[0, 1], [1, 0]]}),
     "data.inputs: not a rectangular array (rows of different lengths)"),
    ("nested too deeply", _edit(description=json.loads("[" * 40 + "]" * 40)),
     "description" + "[0]" * MAX_DEPTH + f": nested more than {MAX_DEPTH} levels deep"),
]


@pytest.mark.parametrize("edit, expected", [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_document_gives_one_clear_line(edit, expected):
    doc = edit(copy.deepcopy(BASE))
    with pytest.raises(ModelError) as info:
        load_model(doc)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(expected), message


def test_malformed_cases_all_have_distinct_messages():
    messages = set()
    for _, edit, _ in MALFORMED:
        with pytest.raises(ModelError) as info:
            load_model(edit(copy.deepcopy(BASE)))
        messages.add(str(info.value))
    assert len(MALFORMED) >= 25
    assert len(messages) == len(MALFORMED)


def test_base_document_is_valid_and_nulls_mean_defaults():
    net = load_model(BASE)
    assert net.outputs == 2 and net.parameter_count == 12
    with_nulls = {**BASE, "loss": None, "schedule": None, "regularization": None, "clip_grad_norm": None,
                  "seed": None, "dtype": None, "state": None}
    with_nulls["layers"] = [{**BASE["layers"][0], "init": None, "weight": None}, BASE["layers"][1]]
    assert load_model(with_nulls).to_dict() == net.to_dict()


def test_example_models_load():
    examples = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json"))
    for path in examples:
        load_model(path)


def test_explicit_arrays_replace_initial_draws_that_overflow():
    doc = _edit(dtype="float32", L1={"init": {"name": "normal", "std": 1e100}, "weight": ZEROS_2x2})(
        copy.deepcopy(BASE))
    assert np.all(load_model(doc).layers[1].weight == 0)


def test_examples_in_the_format_document_load():
    text = (Path(__file__).resolve().parents[2] / "docs" / "model-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(json|toml)\n(.*?)```", text, flags=re.S)
    documents = [(kind, body) for kind, body in blocks
                 if body.lstrip().startswith(("{", "format")) and "nnviz.torch/" not in body]  # not a sidecar
    assert len(documents) >= 3
    nets = [load_model(json.loads(body) if kind == "json" else tomllib.loads(body)) for kind, body in documents]
    trained, untrained_json, untrained_toml = nets[:3]
    assert trained.step_count == 3 and trained.optimizer.name == "adam"
    assert untrained_json.to_dict() == untrained_toml.to_dict()


def _doc_text(name: str) -> str:
    return (Path(__file__).resolve().parents[2] / "docs" / name).read_text(encoding="utf-8")


def test_format_document_names_every_option():
    from nnviz.core.activations import ACTIVATIONS
    from nnviz.core.initializers import INITIALIZERS
    from nnviz.core.layers import LAYERS
    from nnviz.core.losses import LOSSES
    from nnviz.core.optimizers import OPTIMIZERS
    from nnviz.core.schedules import SCHEDULES

    text = _doc_text("model-format.md")
    names = {f"`{key}`" for key in TOP_KEYS}
    for registry, options in ((LAYERS, lambda c: [*c.OPTIONS, *c.PARAMS, *c.BUFFERS]),
                              (ACTIVATIONS, lambda c: c.defaults), (LOSSES, lambda c: c.defaults),
                              (OPTIMIZERS, lambda c: [*c.OPTIONS, *c.STATE]), (SCHEDULES, lambda c: c.OPTIONS),
                              (INITIALIZERS, lambda c: c.defaults)):
        for name, entry in registry.items():
            names |= {f"`{name}`", *(f"`{key}`" for key in options(entry))}
    names |= {f"`{term}`" for term in ("momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg",
                                       "grad_avg", "sum", "step", "samples_seen", "warmup", "alpha")}
    assert {name for name in names if name not in text} == set()


def test_trace_document_names_every_key():
    doc = {"format": FORMAT, "inputs": 2, "loss": "cross_entropy", "optimizer": "adam",
           "layers": [{"type": "glu", "units": 3}, {"type": "batchnorm"}, {"type": "dropout", "p": 0.3},
                      {"type": "layernorm"}, {"type": "rmsnorm"}, {"type": "dense", "units": 2}]}
    trace = Trainer(load_model(doc), *_data(6, 2, 2), batch_size=4).trace().to_dict()
    keys = set(trace) | {k for layer in trace["layers"] for k in (*layer, *layer["extras"], *layer["buffers_after"])}
    keys |= set(trace["optimizer_scalars"]) | set(trace["optimizer_state"])
    text = _doc_text("trace-format.md")
    assert {key for key in keys if f"`{key}`" not in text} == set()


def test_loading_does_not_modify_the_document():
    doc = copy.deepcopy(BASE)
    doc["clip_grad_norm"] = None
    doc["data"] = {"dataset": "xor"}
    before = copy.deepcopy(doc)
    net = load_model(doc)
    assert doc == before
    net.to_dict()["data"]["dataset"] = "and"  # the returned document is a copy as well
    assert net.to_dict()["data"] == {"dataset": "xor"}


@pytest.mark.parametrize("data", [
    {"dataset": "xor"}, {"dataset": " Circle ", "n": 50, "noise": 0.5, "seed": 2, "test_fraction": 0.2},
    {"dataset": "square", "noise": 3.0}, {"dataset": "iris.csv"}, {"dataset": "data/points"},
    {"inputs": [[0, 1], [1, 0]], "targets": [[0, 1], [1, 1]]},
])
def test_valid_data_entries(data):
    assert load_model({**BASE, "data": data}).meta["data"] == data


def test_inline_class_indices_for_cross_entropy():
    doc = {**BASE, "loss": "cross_entropy", "data": {"inputs": [[0, 1], [1, 0]], "targets": [0, 1]}}
    assert load_model(doc).meta["data"]["targets"] == [0, 1]
    doc["data"]["targets"] = [0, 2]
    with pytest.raises(ModelError, match=r"^data\.targets: class indices must lie in 0\.\.1"):
        load_model(doc)
    doc["data"]["targets"] = [0, 2e300]  # a whole number, but no int64: refused in one line, no warning
    with pytest.raises(ModelError, match=r"^data\.targets: class indices must lie in 0\.\.1 .* got 0\.\.2e\+300$"):
        load_model(doc)


# -- file-level errors ----------------------------------------------------------------------------
def _write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


FILE_ERRORS = [
    ("empty", "m.json", "", "m.json: the file is empty"),
    ("blank", "m.json", " \n\t\n", "m.json: the file is empty"),
    ("invalid utf-8", "m.json", b"\xff\xfe{\x00}", "m.json: not a UTF-8 text file"),
    ("malformed JSON", "m.json", '{"format": "nnviz.model/1",\n  "inputs": 2,,\n}',
     "m.json: malformed JSON at line 2, column 15: Expecting property name enclosed in double quotes"),
    ("malformed TOML", "m.toml", 'format = "nnviz.model/1"\ninputs = = 2\n', "m.toml: malformed TOML: "),
    ("top-level array", "m.json", "[1, 2]", "m.json: expected a JSON object at the top level, got list"),
    ("duplicate key", "m.json", '{"inputs": 2, "inputs": 3}',
     "m.json: malformed JSON: the key 'inputs' appears twice in one object"),
    ("deep nesting", "m.json", "[" * 100000 + "]" * 100000, "m.json: nested too deeply to read"),
    ("integer of 5000 digits", "m.json", '{"inputs": ' + "1" * 5000 + "}", "m.json: malformed JSON: "),
]


@pytest.mark.parametrize("name, content, expected", [c[1:] for c in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS])
def test_file_errors(tmp_path, name, content, expected):
    path = _write(tmp_path, name, content)
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / expected)), message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelError, match="no such file$"):
        load_model(tmp_path / "nope.json")
    with pytest.raises(ModelError, match="is a folder, not a model file$"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="expected a dict or a file path, got int"):
        load_model(3)


def test_errors_inside_a_file_name_the_file_then_the_field(tmp_path):
    text = ('{"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 2}, '
            '{"type": "dense", "units": 2, "weight": [[1, 2], [3, NaN]]}]}')
    path = _write(tmp_path, "model.json", text)  # Python's json reads NaN, so the validator must refuse it
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert str(info.value) == "model.json: layers[1].weight[1][1]: expected a finite number, got nan"


TOML_DOC = '''
format = "nnviz.model/1"
name = "tiny"
inputs = 2
loss = "cross_entropy"
seed = 7
# no clip_grad_norm: TOML has no null, so the key is left out

[[layers]]
type = "dense"
units = 3
activation = { name = "leaky_relu", alpha = 0.1 }
weight = [[0.5, -0.25], [1, 0], [0.125, 2.0]]
bias = [0.0, 0.1, -0.1]

[[layers]]
type = "dense"
units = 2
activation = "softmax"
init = { name = "xavier_uniform", gain = 2.0 }

[optimizer]
name = "adam"
lr = 0.01
betas = [0.8, 0.99]

[schedule]
name = "cosine"
t_max = 100
warmup = 10
'''


def test_toml_document_equals_the_json_one(tmp_path):
    as_json = {
        "format": "nnviz.model/1", "name": "tiny", "inputs": 2, "loss": "cross_entropy", "seed": 7,
        "clip_grad_norm": None,
        "layers": [
            {"type": "dense", "units": 3, "activation": {"name": "leaky_relu", "alpha": 0.1},
             "weight": [[0.5, -0.25], [1, 0], [0.125, 2.0]], "bias": [0.0, 0.1, -0.1]},
            {"type": "dense", "units": 2, "activation": "softmax", "init": {"name": "xavier_uniform", "gain": 2.0}},
        ],
        "optimizer": {"name": "adam", "lr": 0.01, "betas": [0.8, 0.99]},
        "schedule": {"name": "cosine", "t_max": 100, "warmup": 10},
    }
    from_toml = load_model(_write(tmp_path, "m.toml", TOML_DOC))
    from_json = load_model(_write(tmp_path, "m.json", json.dumps(as_json)))
    assert from_toml.to_dict() == from_json.to_dict()
    assert np.array_equal(from_toml.flat_params, from_json.flat_params)


# -- round trips ----------------------------------------------------------------------------------
MIXED_LAYERS = [
    {"type": "dense", "units": 5, "activation": "prelu", "init": "he_normal"},
    {"type": "batchnorm", "momentum": 0.2},
    {"type": "glu", "units": 4, "variant": "swiglu"},
    {"type": "layernorm", "eps": 1e-4},
    {"type": "rmsnorm"},
    {"type": "dropout", "p": 0.25},
    {"type": "dense", "units": 3, "activation": {"name": "gelu", "approximate": "tanh"}},
]


def _data(n=20, inputs=3, outputs=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, inputs)), rng.normal(size=(n, outputs))


def _mixed_doc(dtype="float64", optimizer=None, **extra):
    return {"format": FORMAT, "name": "mixed", "description": "every layer type", "inputs": 3,
            "layers": copy.deepcopy(MIXED_LAYERS), "loss": {"name": "huber", "delta": 0.5},
            "optimizer": optimizer or {"name": "adam", "lr": 0.01, "amsgrad": True},
            "regularization": {"l1": 1e-4, "l2": 1e-3}, "clip_grad_norm": 5.0, "seed": 3, "dtype": dtype,
            "data": {"dataset": "circle", "n": 100, "noise": 0.1}, **extra}


def _assert_same_network(a, b):
    assert a.dtype == b.dtype
    for (na, pa), (nb, pb) in zip(a.named_parameters() + a.named_buffers(), b.named_parameters() + b.named_buffers(),
                                  strict=True):
        assert na == nb and pa.dtype == pb.dtype
        assert np.array_equal(pa, pb), na
    assert a.optimizer.t == b.optimizer.t and a.samples_seen == b.samples_seen
    assert a.optimizer.state.keys() == b.optimizer.state.keys()
    for term in a.optimizer.state:
        assert np.array_equal(a.optimizer.state[term], b.optimizer.state[term]), term


@pytest.mark.parametrize("suffix", [".json", ".toml"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_then_load_is_bit_exact(tmp_path, dtype, suffix):
    net = load_model(_mixed_doc(dtype))
    X, y = _data()
    Trainer(net, X, y, batch_size=6).run(7)
    path = tmp_path / f"trained{suffix}"
    save_model(net, path)
    loaded = load_model(path)
    _assert_same_network(net, loaded)
    assert loaded.to_dict() == net.to_dict()
    assert loaded.meta == {"name": "mixed", "description": "every layer type",
                           "data": {"dataset": "circle", "n": 100, "noise": 0.1}}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_to_dict_is_a_fixed_point(dtype):
    net = load_model(_mixed_doc(dtype))
    X, y = _data()
    Trainer(net, X, y, batch_size=5).run(4)
    doc = net.to_dict()
    again = load_model(doc).to_dict()
    assert again == doc
    assert dumps(again) == dumps(doc)
    assert dumps_toml(again) == dumps_toml(doc)
    assert json.loads(dumps(doc)) == doc


def test_untrained_network_has_no_state_and_state_false_leaves_it_out():
    net = load_model(_mixed_doc())
    assert "state" not in net.to_dict()
    X, y = _data()
    Trainer(net, X, y).run(2)
    assert net.to_dict()["state"]["step"] == 2
    assert "state" not in network_to_dict(net, state=False)


def test_toml_writer_handles_awkward_text(tmp_path):
    net = load_model({**BASE, "name": 'quote " backslash \\ tab \t newline \n del \x7f', "description": "ünï 🦉"})
    save_model(net, tmp_path / "m.toml")
    assert load_model(tmp_path / "m.toml").meta == net.meta


# -- resume ---------------------------------------------------------------------------------------
RESUME_CASES = {
    "sgd momentum nesterov, step schedule with warm-up": (
        {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        {"name": "step", "step_size": 10, "gamma": 0.5, "warmup": 5}),
    "adam amsgrad, cosine with warm-up": (
        {"name": "adam", "lr": 0.01, "amsgrad": True}, {"name": "cosine", "t_max": 40, "warmup": 8}),
    "adamw, cosine": ({"name": "adamw", "lr": 0.01, "weight_decay": 0.05}, {"name": "cosine", "t_max": 25}),
    "rmsprop centered momentum, constant with warm-up": (
        {"name": "rmsprop", "lr": 0.003, "centered": True, "momentum": 0.5}, {"name": "constant", "warmup": 12}),
    "adagrad lr_decay": (
        {"name": "adagrad", "lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
        {"name": "step", "step_size": 7, "warmup": 3}),
    "sgd dampening": ({"name": "sgd", "lr": 0.02, "momentum": 0.8, "dampening": 0.3}, None),
}


@pytest.mark.parametrize("suffix", [".json", ".toml"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(RESUME_CASES))
def test_resume_is_exact(tmp_path, case, dtype, suffix):
    optimizer, schedule = RESUME_CASES[case]
    doc = _mixed_doc(dtype, optimizer, schedule=schedule)
    X, y = _data(n=23)  # batches of 7 over 23 rows: epochs end mid-batch

    straight = load_model(doc)
    trainer = Trainer(straight, X, y, batch_size=7, shuffle=True)
    expected = [trainer.step() for _ in range(60)]

    first = load_model(doc)
    trainer = Trainer(first, X, y, batch_size=7, shuffle=True)
    losses = [trainer.step() for _ in range(30)]
    path = tmp_path / f"half{suffix}"
    save_model(first, path)
    resumed = load_model(path)
    trainer = Trainer(resumed, X, y, batch_size=7, shuffle=True)
    losses += [trainer.step() for _ in range(30)]

    assert losses == expected
    _assert_same_network(straight, resumed)
    assert resumed.lr == straight.lr


def test_resume_classification_with_class_indices(tmp_path):
    doc = {"format": FORMAT, "inputs": 2, "loss": "cross_entropy", "optimizer": {"name": "adam", "lr": 0.02},
           "layers": [{"type": "glu", "units": 6, "variant": "geglu"}, {"type": "dropout", "p": 0.1},
                      {"type": "batchnorm"}, {"type": "dense", "units": 3, "activation": "softmax"}]}
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 3, size=30)
    straight = load_model(doc)
    t = Trainer(straight, X, y, batch_size=8)
    expected = [t.step() for _ in range(40)]
    first = load_model(doc)
    t = Trainer(first, X, y, batch_size=8)
    losses = [t.step() for _ in range(17)]
    save_model(first, tmp_path / "m.json")
    t = Trainer(load_model(tmp_path / "m.json"), X, y, batch_size=8)
    losses += [t.step() for _ in range(23)]
    assert losses == expected
    _assert_same_network(straight, t.net)


# -- atomic save ----------------------------------------------------------------------------------
def test_save_into_a_missing_folder_creates_nothing(tmp_path):
    net = load_model(BASE)
    with pytest.raises(ModelError, match="does not exist"):
        save_model(net, tmp_path / "missing" / "m.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_failed_save_leaves_the_old_file_untouched(tmp_path, suffix):
    net = load_model(BASE)
    path = tmp_path / f"m{suffix}"
    save_model(net, path)
    before = path.read_bytes()
    net.layers[1].weight[0, 1] = np.nan
    with pytest.raises(ModelError) as info:
        save_model(net, path)
    assert str(info.value).startswith(f"{path}: layers[1].weight holds NaN or infinite numbers")
    assert "\n" not in str(info.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_save_over_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "m.json").mkdir()
    with pytest.raises(ModelError, match="cannot write"):
        save_model(load_model(BASE), tmp_path / "m.json")
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


# -- robustness -----------------------------------------------------------------------------------
def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _trained_doc():
    net = load_model(_mixed_doc(optimizer={"name": "rmsprop", "centered": True, "momentum": 0.3}))
    X, y = _data()
    Trainer(net, X, y, batch_size=4).run(2)
    return net.to_dict()


TRAINED = _trained_doc()
PATHS = [p for p in _paths(TRAINED) if p]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10 ** 400), max_value=10 ** 400)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=json_values, drop=st.booleans())
def test_any_edit_gives_a_network_or_one_clear_line(path, value, drop):
    doc = copy.deepcopy(TRAINED)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if drop and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    try:
        load_model(doc)
    except NnvizError as exc:  # a ModelError, or a LimitError for a layer or data beyond a limit
        message = str(exc)
        assert message and "\n" not in message and ": " in message


def test_no_core_module_can_unpickle_or_evaluate():
    core = Path(__file__).resolve().parents[2] / "nnviz" / "core"
    forbidden_modules = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
    forbidden_calls = {"eval", "exec", "compile", "__import__"}
    sources = sorted(core.glob("*.py"))
    assert sources
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                names = set()
            assert not names & forbidden_modules, f"{source.name}:{node.lineno} imports {names & forbidden_modules}"
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                # bare eval(...), or builtins.eval(...); re.compile is fine, the builtin compile is not
                assert not (isinstance(func, ast.Name) and name in forbidden_calls), \
                    f"{source.name}:{node.lineno} calls {name}()"
                assert not (isinstance(func, ast.Attribute) and name in forbidden_calls - {"compile"}), \
                    f"{source.name}:{node.lineno} calls .{name}()"
                assert name not in ("load", "loads") or not isinstance(func, ast.Attribute) or \
                    getattr(func.value, "id", "") not in ("np", "numpy", "pickle"), \
                    f"{source.name}:{node.lineno} calls {getattr(func.value, 'id', '')}.{name}()"
                assert not any(k.arg == "allow_pickle" for k in node.keywords), f"{source.name}:{node.lineno}"


# -- data: batch_size and shuffle -------------------------------------------------------------------
INLINE = {"inputs": [[0, 1], [1, 0], [1, 1]], "targets": [[0, 1], [1, 1], [1, 0]]}


@pytest.mark.parametrize("data", [
    {**INLINE, "batch_size": 1, "shuffle": False}, {**INLINE, "batch_size": 50}, {**INLINE, "shuffle": True},
    {"dataset": "circle", "batch_size": 10}, {"dataset": "xor", "shuffle": False, "batch_size": 4},
    {"dataset": "points.csv", "batch_size": 2, "shuffle": False},
])
def test_data_batch_size_and_shuffle_in_either_form(data):
    assert load_model({**BASE, "data": data}).meta["data"] == data


def test_data_batch_size_null_means_full_batch():
    assert load_model({**BASE, "data": {**INLINE, "batch_size": None}}).meta["data"] == INLINE


@pytest.mark.parametrize("data, expected", [
    ({**INLINE, "batch_size": 0}, "data.batch_size: expected a whole number >= 1, got 0"),
    ({**INLINE, "batch_size": 2.5}, "data.batch_size: expected a whole number >= 1, got 2.5"),
    ({**INLINE, "batch_size": 2.0}, "data.batch_size: expected a whole number >= 1, got 2.0"),
    ({**INLINE, "batch_size": True}, "data.batch_size: expected a whole number >= 1, got True"),
    ({"dataset": "xor", "batch_size": "all"}, "data.batch_size: expected a whole number >= 1, got 'all'"),
    ({"dataset": "xor", "batch_size": -3}, "data.batch_size: expected a whole number >= 1, got -3"),
    ({**INLINE, "shuffle": "no"}, "data.shuffle: expected true or false, got 'no'"),
    ({"dataset": "xor", "shuffle": 0}, "data.shuffle: expected true or false, got 0"),
    ({**INLINE, "batchsize": 2}, "data.batchsize: unknown key (did you mean 'batch_size'?)"),
    ({"dataset": "xor", "shufle": False}, "data.shufle: unknown key (did you mean 'shuffle'?)"),
    ({**INLINE, "noise": 0.1}, "data.noise: unknown key"),
])
def test_bad_data_batch_size_and_shuffle(data, expected):
    with pytest.raises(ModelError) as info:
        load_model({**BASE, "data": data})
    message = str(info.value)
    assert message.startswith(expected) and "\n" not in message


def test_copy_is_an_independent_twin_without_the_document_module():
    doc = {"format": "nnviz.model/1", "inputs": 2, "name": "twin", "data": {"dataset": "xor"},
           "loss": "bce", "optimizer": {"name": "adam", "lr": 0.01}, "seed": 4,
           "layers": [{"type": "dense", "units": 3, "activation": "prelu"}, {"type": "batchnorm"},
                      {"type": "dense", "units": 1, "activation": "sigmoid"}]}
    net = load_model(doc)
    Trainer(net, [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], batch_size=2).run(5)
    twin = net.copy()
    assert twin.to_dict() == net.to_dict() == load_model(net.to_dict()).to_dict()
    twin.flat_params[0] += 1.0
    twin.meta["name"] = "changed"
    twin.optimizer.state["exp_avg"][0] += 1.0
    assert net.to_dict() != twin.to_dict() and net.meta["name"] == "twin"
    assert "meta" in Network.__annotations__ and load_model(BASE).meta == {}


def test_the_optimizer_names_its_nonnegative_state(monkeypatch):
    from nnviz.core.optimizers import Adam

    net = load_model({**BASE, "optimizer": {"name": "adam"}})
    Trainer(net, [[0.0, 1.0]], [[1.0, 0.0]]).run(2)
    doc = net.to_dict()
    doc["state"]["optimizer"]["exp_avg"]["layers[0].bias"][0] = -1.0
    load_model(doc)  # a first moment may be negative
    monkeypatch.setattr(Adam, "NONNEGATIVE_STATE", ("exp_avg",))
    with pytest.raises(ModelError, match=r"state\.optimizer\.exp_avg\.layers\[0\]\.\w+: cannot be negative"):
        load_model(doc)


def test_every_documented_default_as_null_runs_as_if_left_out(tmp_path):
    """``"loss": null`` (documented as the default), and null for every other key with a default,
    means that default all the way: read from a file, built into the experiment as ``nnviz export``
    builds it, trained and drawn, bit for bit as the document without those keys."""
    from nnviz.core.experiment import Experiment

    layers = [{"type": "dense", "units": 4, "activation": "tanh", "init": None, "weight": None, "bias": None},
              {"type": "rmsnorm", "eps": None, "activation": None},
              {"type": "batchnorm", "momentum": None, "eps": None},
              {"type": "dropout", "p": None},
              {"type": "dense", "units": 1, "activation": "sigmoid", "init": None}]
    data = {"dataset": "circle", "n": None, "noise": None, "seed": None, "test_fraction": None, "columns": None,
            "batch_size": None, "shuffle": None}
    with_nulls = {"format": FORMAT, "name": None, "description": None, "inputs": 2, "layers": layers,
                  "loss": None, "regularization": None, "optimizer": None, "schedule": None,
                  "clip_grad_norm": None, "seed": None, "dtype": None, "data": data, "state": None, "history": None}
    path = tmp_path / "nulls.json"
    path.write_text(json.dumps(with_nulls), encoding="utf-8")
    doc = read_document(path)

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None}
        return [strip(v) for v in value] if isinstance(value, list) else value

    assert doc == strip(with_nulls)  # what every caller of read_document gets: no nulls left
    runs = []
    for document in (doc, strip(with_nulls)):
        for fit_model in (True, False):  # export fits the model to the data; train and trace keep it
            experiment = Experiment(copy.deepcopy(document), fit_model=fit_model, fit_loss=False)
            experiment.run(5)
            snapshot = experiment.snapshot()
            runs.append((experiment.net.loss.name, snapshot.train_loss, experiment.net.flat_params.tobytes()))
    assert runs[0][0] == "mse" and all(run == runs[0] for run in runs)


def test_null_members_are_dropped_by_read_document_but_nulls_in_lists_are_values(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"format": "nnviz.model/1", "inputs": 2, "loss": null, "layers": [{"type": "dense", '
                    '"units": 1}], "history": {"step": [1], "epoch": [0.5], "lr": [null], "loss": [null], '
                    '"grad_norm": [null]}}', encoding="utf-8")
    doc = read_document(path)
    assert "loss" not in doc and doc["history"]["lr"] == [None]


@pytest.mark.parametrize("optimizer", [None, "adam", {"name": "sgd", "momentum": 0.9, "lr": 0.1},
                                       {"name": "rmsprop", "centered": True}])
def test_the_optimizer_spec_is_the_networks_however_the_document_writes_it(optimizer):
    from nnviz.core.document import build_network, optimizer_spec
    from nnviz.core.experiment import default_document

    doc = default_document()
    del doc["optimizer"]
    if optimizer is not None:
        doc["optimizer"] = optimizer
    assert optimizer_spec(doc) == build_network(doc).optimizer.to_spec()
