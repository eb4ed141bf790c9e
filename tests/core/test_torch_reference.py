"""The NumPy core against PyTorch: every step's loss, lr, grad norm and every parameter/buffer.

The recorded files in tests/reference/data/ were made by tests/reference/record.py with
torch; comparing against them needs no torch.  ``test_live_against_torch`` runs the same
cases through torch on the spot when torch is importable.

Tolerance: rtol 1e-10 in float64, with atol 1e-12 so that values passing close to zero
(a bias crossing 0, a parameter whose gradient is zero up to rounding) are judged on an
absolute scale; for every value larger than 1e-2 in magnitude the atol is tighter than the
rtol and changes nothing.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import Trainer, load_model

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
DATA_DIR = REFERENCE_DIR / "data"
RECORDED = sorted(DATA_DIR.glob("*.json"))

RTOL = 1e-10
ATOL = 1e-12


def _import_reference():
    """tests/reference is not a package: load torch_reference.py by path (it needs no torch)."""
    name = "nnviz_tests_torch_reference"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REFERENCE_DIR / "torch_reference.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


reference = _import_reference()
CASES = reference.build_cases()


def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _targets(y) -> np.ndarray:
    if isinstance(y[0], int):
        return np.asarray(y, dtype=np.int64)
    return np.asarray(y, dtype=np.float64)


def _close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64),
                               rtol=RTOL, atol=ATOL, err_msg=what)


def compare_with_trajectory(case: dict, trajectory: dict) -> None:
    """Train ``case`` with the NumPy core and check it against torch's ``trajectory``.

    Checks run in training order (per step: loss, lr, grad norm, then parameters and buffers
    in layer order), so the first failure names the first step and field that differ."""
    name = case["name"]
    net = load_model(copy.deepcopy(case["model"]))
    X = np.asarray(case["X"], dtype=np.float64)
    trainer = Trainer(net, X, _targets(case["y"]), batch_size=case["batch_size"],
                      shuffle=False)

    expected_names = set(trajectory["params"][0])
    core_params = set(dict(net.named_parameters()))
    core_state = core_params | set(dict(net.named_buffers()))
    assert core_params <= expected_names, (
        f"{name}: core parameters torch does not have: {sorted(core_params - expected_names)}")
    assert expected_names <= core_state, (
        f"{name}: torch parameters/buffers the core lacks: {sorted(expected_names - core_state)}")

    for k in range(case["steps"]):
        loss = trainer.step()
        _close(loss, trajectory["loss"][k], f"{name}: step {k} loss")
        _close(trainer.history["lr"][k], trajectory["lr"][k], f"{name}: step {k} lr")
        # total 2-norm of all gradients (regularization included), before clipping
        _close(trainer.history["grad_norm"][k], trajectory["grad_norm"][k],
               f"{name}: step {k} grad_norm")
        state = {**dict(net.named_parameters()), **dict(net.named_buffers())}
        for field, want in trajectory["params"][k].items():
            _close(state[field], want, f"{name}: after step {k}, {field}")
    assert len(trainer.history["lr"]) == case["steps"]


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_core_matches_recorded_torch_trajectory(path: Path) -> None:
    record = _load(path)
    compare_with_trajectory(record, record["trajectory"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_live_against_torch(case: dict) -> None:
    pytest.importorskip("torch")
    compare_with_trajectory(case, reference.run_torch(case))


# ------------------------------------------------------------------ coverage of the set


def test_recorded_files_are_current() -> None:
    """data/ holds exactly build_cases(), unchanged: re-run record.py after editing cases."""
    recorded = {p.stem: p for p in RECORDED}
    assert sorted(recorded) == sorted(c["name"] for c in CASES), (
        "tests/reference/data is out of date: run python tests/reference/record.py")
    for case in CASES:
        record = _load(recorded[case["name"]])
        stored = {key: record[key] for key in case}
        assert stored == json.loads(json.dumps(case)), (
            f"{case['name']}: recorded case differs from build_cases(); re-record")
        assert len(record["trajectory"]["loss"]) == case["steps"]
        assert len(record["trajectory"]["params"]) == case["steps"]


REQUIRED = {
    "layer": {"dense", "glu", "batchnorm", "layernorm", "rmsnorm", "dropout"},
    "glu_variant": {"glu", "swiglu", "geglu"},
    "hidden_activation": set(reference.ACTIVATIONS),
    "output_activation": {"identity", "sigmoid", "softmax"},
    "loss": set(reference.LOSSES),
    "loss_variant": {
        "bce+sigmoid", "bce+logits", "focal+sigmoid", "focal+logits",
        "cross_entropy+indices+logits", "cross_entropy+indices+softmax",
        "cross_entropy+onehot+logits", "cross_entropy+onehot+softmax",
    },
    "optimizer": set(reference.OPTIMIZERS),
    "optimizer_option": {
        "sgd.plain", "sgd.momentum", "sgd.dampening", "sgd.nesterov", "sgd.weight_decay",
        "adagrad.plain", "adagrad.lr_decay", "adagrad.initial_accumulator_value",
        "adagrad.weight_decay", "adagrad.eps",
        "rmsprop.plain", "rmsprop.centered", "rmsprop.momentum", "rmsprop.weight_decay",
        "rmsprop.alpha", "rmsprop.eps",
        "adam.plain", "adam.amsgrad", "adam.weight_decay", "adam.betas", "adam.eps",
        "adamw.plain", "adamw.weight_decay", "adamw.betas", "adamw.eps",
    },
    "schedule": {f"{s}{w}" for s in reference.SCHEDULES for w in ("", "+warmup")}
    | {"cosine+past_t_max", "warmup=1"},
    "option": {
        "step.at_zero", "leaky_relu.alpha", "elu.alpha", "gelu.approximate=tanh",
        "swish.beta", "huber.delta", "focal.alpha", "focal.gamma",
        "rmsnorm.eps", "rmsnorm.eps_omitted",
    },
    "training": {"clip_grad_norm", "l1", "l2", "full_batch", "mini_batch_wraparound"},
}


def features(record: dict) -> dict[str, set[str]]:
    """What one recorded case exercises, in the vocabulary of REQUIRED."""
    spec = reference.spec
    doc = record["model"]
    found: dict[str, set[str]] = {key: set() for key in REQUIRED}
    layers = doc["layers"]
    for i, layer in enumerate(layers):
        found["layer"].add(layer["type"])
        if layer["type"] == "glu":
            found["glu_variant"].add(layer["variant"])
        if layer["type"] == "rmsnorm":
            found["option"].add("rmsnorm.eps" if "eps" in layer else "rmsnorm.eps_omitted")
        act, opts = spec(layer.get("activation", "identity"))
        found["hidden_activation" if i < len(layers) - 1 else "output_activation"].add(act)
        for option in opts:
            found["option"].add(f"{act}.{option}")
        if act == "gelu" and opts.get("approximate") == "tanh":
            found["option"].add("gelu.approximate=tanh")
    found["option"].discard("gelu.approximate")

    loss, loss_opts = spec(doc["loss"])
    found["loss"].add(loss)
    found["option"].update(f"{loss}.{option}" for option in loss_opts)
    last = spec(layers[-1].get("activation", "identity"))[0]
    output = last if last in ("sigmoid", "softmax") else "logits"
    if loss in ("bce", "focal"):
        found["loss_variant"].add(f"{loss}+{output}")
    if loss == "cross_entropy":
        targets = "indices" if isinstance(record["y"][0], int) else "onehot"
        found["loss_variant"].add(f"cross_entropy+{targets}+{output}")

    opt = dict(doc["optimizer"])
    name = opt.pop("name")
    found["optimizer"].add(name)
    opt.pop("lr", None)
    toggled = {key for key, value in opt.items() if value not in (0, 0.0, False, None)}
    found["optimizer_option"].update(f"{name}.{key}" for key in toggled)
    if not toggled:
        found["optimizer_option"].add(f"{name}.plain")

    schedule = doc["schedule"]
    warmup = int(schedule.get("warmup", 0) or 0)
    found["schedule"].add(schedule["name"] + ("+warmup" if warmup >= 2 else ""))
    if warmup == 1:
        found["schedule"].add("warmup=1")
    if schedule["name"] == "cosine" and record["steps"] - max(warmup, 0) > schedule["t_max"]:
        found["schedule"].add("cosine+past_t_max")

    clip = doc.get("clip_grad_norm")
    if clip is not None and max(record["trajectory"]["grad_norm"]) > clip:
        found["training"].add("clip_grad_norm")  # only counts when it actually clipped
    for kind in ("l1", "l2"):
        if doc["regularization"].get(kind, 0.0) > 0:
            found["training"].add(kind)
    batch, rows = record["batch_size"], len(record["X"])
    if batch is None:
        found["training"].add("full_batch")
    elif rows % batch and batch * record["steps"] > rows:
        found["training"].add("mini_batch_wraparound")
    return found


def test_recorded_files_cover_every_feature() -> None:
    assert RECORDED, "no recorded reference files: run python tests/reference/record.py"
    covered: dict[str, set[str]] = {key: set() for key in REQUIRED}
    for path in RECORDED:
        for key, values in features(_load(path)).items():
            covered[key] |= values
    missing = {key: sorted(REQUIRED[key] - covered[key]) for key in REQUIRED
               if REQUIRED[key] - covered[key]}
    assert not missing, f"reference cases no longer cover: {missing}"
    assert any(layer["type"] == "batchnorm" and _load(p)["batch_size"] is not None
               for p in RECORDED for layer in _load(p)["model"]["layers"]), (
        "batchnorm needs a mini-batch case")


def test_reference_lists_name_what_the_brief_covers() -> None:
    """Guard the lists themselves, so REQUIRED cannot shrink by editing torch_reference."""
    assert set(reference.ACTIVATIONS) == {
        "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu",
        "swish", "softmax"}
    assert set(reference.LOSSES) == {"mse", "mae", "huber", "bce", "cross_entropy", "focal"}
    assert set(reference.OPTIMIZERS) == {"sgd", "adagrad", "rmsprop", "adam", "adamw"}
    assert set(reference.SCHEDULES) == {"constant", "step", "cosine"}
    assert set(reference.LAYER_TYPES) == REQUIRED["layer"]
