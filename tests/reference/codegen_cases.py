"""Cases for Export as PyTorch (``nnviz.core.codegen``): runs that together cover every layer,
activation, loss, optimizer option, schedule, warm-up, clipping, L1/L2, dropout masks, both batch
orders, a test split, class indices, data and state large enough to go beside the script, and runs
continued from a trained state.

``build_cases()`` and ``nnviz_rows(case)`` need only NumPy and nnviz: the tests call them anywhere.
``record_codegen.py`` (run where torch is installed) runs each case's script with torch and records
its metrics rows in ``codegen/<case>.json``; the tests compare nnviz's rows with those files, and with
the scripts run on the spot when torch is importable.
"""

from __future__ import annotations

import copy
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from nnviz.core.codegen import run_of, write_torch_code
from nnviz.core.data import Dataset
from nnviz.core.dataconfig import DataConfig
from nnviz.core.experiment import Experiment

HERE = Path(__file__).resolve().parent
RECORDED_DIR = HERE / "codegen"
STEPS = 30  # steps each script takes (after `before` steps in nnviz)
COLUMNS = ["step", "epoch", "lr", "loss", "grad_norm"]


def _torch_reference():
    """tests/reference/torch_reference.py, loaded by path (it needs no torch to build its cases)."""
    name = "nnviz_tests_torch_reference"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "torch_reference.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _rows(name: str, X, y, task: str = "regression") -> Dataset:
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    y = y.reshape(len(y), -1)
    return Dataset(X, y, name, task, tuple(f"x{j + 1}" for j in range(X.shape[1])),
                   ("y",) if y.shape[1] == 1 else tuple(f"y{k + 1}" for k in range(y.shape[1])))


def _case(name: str, model: dict, data: dict | None = None, before: int = 0, steps: int = STEPS,
          rtol: float = 1e-9, app: bool = False) -> dict:
    """A case: the model document, the data (DataConfig fields; ``rows``: (X, y, task) imported rows;
    None: the document's own ``data`` entry), steps nnviz takes before the export, steps the script
    takes; ``app``: the model fitted to the data as the app fits it (features of a plane's inputs)."""
    return {"name": name, "model": model, "data": data, "before": before, "steps": steps, "rtol": rtol, "app": app}


def _doc(layers: list, loss="mse", optimizer=None, inputs: int = 2, **extra) -> dict:
    return {"format": "nnviz.model/1", "inputs": inputs, "layers": layers, "loss": loss,
            "optimizer": optimizer or {"name": "sgd", "lr": 0.05}, "seed": 3, **extra}


def build_cases() -> list[dict]:
    """Every case: the PyTorch reference cases (every kind and option; every other one continued
    from step 7 of its run), and the runs only a whole script can show."""
    cases = []
    for i, ref in enumerate(_torch_reference().build_cases()):
        rows = (ref["X"], ref["y"], "classification" if isinstance(ref["y"][0], int) else "regression")
        data = {"rows": rows, "batch_size": ref["batch_size"], "shuffle": i % 3 == 0, "test_fraction": 0.0}
        cases.append(_case(ref["name"], ref["model"], data, before=7 if i % 2 else 0))
    rng = np.random.default_rng(16)
    X = rng.uniform(-2, 2, (40, 3))
    y_reg = np.tanh(X @ [0.5, -1.0, 0.3])[:, None]
    labels = (X[:, 0] * X[:, 1] > 0).astype(float)
    classes = np.argmax(X @ rng.uniform(-1, 1, (3, 3)), axis=1)
    cases += [
        # dropout masks, drawn in turn by two layers (the first, p = 1, draws nothing) on shuffled batches
        _case("dropout_masks_shuffled", _doc(
            [{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dropout", "p": 1.0},
             {"type": "dense", "units": 6, "activation": "tanh"}, {"type": "dropout", "p": 0.3},
             {"type": "dense", "units": 1}], optimizer={"name": "adam", "lr": 0.01}, inputs=3),
            {"rows": (X, y_reg, "regression"), "batch_size": 8, "shuffle": True, "test_fraction": 0.0}, before=9),
        _case("dropout_batchnorm_glu", _doc(
            [{"type": "dense", "units": 6}, {"type": "batchnorm", "activation": "relu"},
             {"type": "dropout", "p": 0.25}, {"type": "glu", "units": 4, "variant": "geglu"},
             {"type": "dropout", "p": 0.5}, {"type": "dense", "units": 1}], optimizer={"name": "rmsprop", "lr": 0.003,
                                                                                   "momentum": 0.5}, inputs=3),
            {"rows": (X, y_reg, "regression"), "batch_size": 7, "shuffle": True, "test_fraction": 0.0}, before=11),
        # a step layer passes zeros back (not nothing): AdamW still decays the weights below it
        _case("step_hidden_adamw_decays", _doc(
            [{"type": "dense", "units": 4, "activation": "step"}, {"type": "dense", "units": 1}],
            optimizer={"name": "adamw", "lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, inputs=3),
            {"rows": (X, y_reg, "regression"), "batch_size": None, "test_fraction": 0.0}, before=3),
        # logits exactly 0 on the first step (zero weights): the fused loss's gradient there
        _case("zero_init_logistic", _doc(
            [{"type": "dense", "units": 1, "activation": "sigmoid", "init": "zeros"}], loss="bce", inputs=3),
            {"rows": (X, labels, "classification"), "batch_size": 10, "shuffle": True, "test_fraction": 0.0}),
        # the perceptron rule, sample by sample
        _case("perceptron_rule", _doc([{"type": "dense", "units": 1, "activation": "step"}],
                                      optimizer={"name": "perceptron", "lr": 0.5}, inputs=3),
              {"rows": (X, labels, "classification"), "batch_size": 6, "shuffle": True, "test_fraction": 0.0},
              before=2),
        # a test split (test_loss at each epoch's end), class indices one-hot, warm-up still under way
        _case("class_indices_test_split", _doc(
            [{"type": "dense", "units": 5, "activation": {"name": "leaky_relu", "alpha": 0.05}},
             {"type": "dense", "units": 3, "activation": "softmax"}], loss="cross_entropy",
            optimizer={"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
            schedule={"name": "cosine", "t_max": 20, "warmup": 8}, inputs=3),
            {"rows": (X, classes, "classification"), "batch_size": 6, "shuffle": True, "test_fraction": 0.4},
            before=4),
        # a built-in data set with features of its inputs, continued mid-epoch
        _case("circle_features", _doc(
            [{"type": "dense", "units": 6, "activation": "tanh"},
             {"type": "dense", "units": 1, "activation": "sigmoid"}], loss="focal",
            optimizer={"name": "adagrad", "lr": 0.05, "lr_decay": 0.01}, inputs=4),
            {"dataset": "circle", "n": 120, "test_fraction": 0.3, "batch_size": 16,
             "features": ("x1", "x2", "x1^2", "sin x2")}, before=13, app=True),
        # more than INLINE_ROWS rows: the data go to CSV files beside the script
        _case("large_data_in_csv", _doc(
            [{"type": "dense", "units": 3, "activation": "gelu"}, {"type": "dense", "units": 1}],
            optimizer={"name": "adam", "lr": 0.02}, regularization={"l1": 0.001}, clip_grad_norm=0.5,
            data={"dataset": "plane", "n": 2600, "test_fraction": 0.25, "batch_size": 64}), before=5, steps=10),
        # more than INLINE_NUMBERS numbers: the parameters and Adam's state go to an .npz file beside it
        _case("large_state_in_npz", _doc(
            [{"type": "dense", "units": 120, "activation": "relu"}, {"type": "dense", "units": 150,
                                                                    "activation": "swish"},
             {"type": "layernorm"}, {"type": "dense", "units": 1}], optimizer={"name": "adam", "lr": 0.001,
                                                                              "amsgrad": True}, inputs=3),
            {"rows": (X, y_reg, "regression"), "batch_size": 16, "shuffle": True, "test_fraction": 0.0},
            before=2, steps=8),
        # float32: the script computes in float32 too (agreement to float32 rounding only)
        _case("float32_model", _doc(
            [{"type": "dense", "units": 5, "activation": "tanh"}, {"type": "rmsnorm"},
             {"type": "dense", "units": 1}], optimizer={"name": "adam", "lr": 0.01}, inputs=3, dtype="float32"),
            {"rows": (X, y_reg, "regression"), "batch_size": 8, "shuffle": True, "test_fraction": 0.0},
            before=3, rtol=1e-4),
    ]
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def experiment(case: dict) -> Experiment:
    """The case's experiment at the start of its run, as ``nnviz train`` builds it (the model as it is,
    a loss that cannot fit its targets refused), or as the app does (``app``)."""
    config = None
    if case["data"] is not None:
        fields = dict(case["data"])
        if "rows" in fields:
            X, y, task = fields.pop("rows")
            fields.update(dataset=case["name"], imported=_rows(case["name"], X, y, task))
        config = DataConfig(**fields)
    return Experiment(copy.deepcopy(case["model"]), config, fit_model=case["app"], fit_loss=False)


def exported(case: dict, path: Path) -> list[list]:
    """Write the case's script (or notebook) to ``path`` after its ``before`` steps, and return the
    metrics rows nnviz writes for the next ``steps`` steps (as ``nnviz train`` writes them: step,
    epoch, lr, loss, grad_norm, and test_loss where there is a test set)."""
    exp = experiment(case)
    exp.run(case["before"])
    write_torch_code(run_of(exp), path, steps=case["steps"])
    return nnviz_rows(exp, case["steps"])


def nnviz_rows(exp: Experiment, steps: int) -> list[list]:
    """``steps`` more steps of ``exp``: one metrics row each, test loss as ``nnviz train`` measures it."""
    n, history = exp.trainer.n, exp.trainer.history
    test = run_of(exp) if exp.X_test is not None else None
    rows = []
    for i in range(steps):
        epoch_before = exp.net.samples_seen // n
        exp.run(1)
        row = [history[key][-1] for key in COLUMNS]
        row = [int(row[0]), *(None if math.isnan(v) else float(v) for v in row[1:])]  # NaN: an empty cell
        if test is not None:
            done = exp.net.samples_seen // n > epoch_before or i == steps - 1
            row.append(float(exp.net.evaluate(test.X_test, test.y_test)) if done else None)
        rows.append(row)
    return rows


#: runs each script in turn in one interpreter (torch imported once), as ``python SCRIPT ARGS`` would
_DRIVER = """
import json, runpy, sys, traceback
for path, args in json.loads(sys.argv[1]):
    sys.argv = [path, *args]
    try:
        runpy.run_path(path, run_name="__main__")
    except BaseException:
        print(f"FAILED {path}", file=sys.stderr)
        traceback.print_exc()
"""


def run_scripts(jobs: list[tuple[Path, list[str]]], timeout: float = 600) -> str:
    """Run ``python SCRIPT ARGS`` for each job, in one subprocess (one BLAS thread, from the script's
    folder); returns what it wrote to stderr ("" when every script ran)."""
    import json
    import os
    import subprocess

    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)  # a script needs nothing of nnviz
    done = subprocess.run([sys.executable, "-c", _DRIVER, json.dumps([[str(p), a] for p, a in jobs])],
                          capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=jobs[0][0].parent if jobs else None)
    return done.stderr


def read_metrics(path: Path) -> list[list]:
    """A metrics CSV file's rows as numbers (None for an empty cell)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = []
    for line in lines[1:]:
        cells = line.split(",")
        rows.append([int(cells[0]), *(float(c) if c else None for c in cells[1:])])
    return rows
