"""Export as PyTorch (nnviz.core.codegen): the script of a run goes on as nnviz does.

Over a spread of runs covering every layer, activation, loss, optimizer option, schedule, warm-up,
clipping, L1/L2, dropout masks and batch order (tests/reference/codegen_cases.py), the per-step metrics
the exported script writes equal nnviz's to 1e-9 relative in float64: live, running the scripts with
torch in a subprocess, where torch is importable; else against the rows recorded by
tests/reference/record_codegen.py. The scripts are valid Python that ruff accepts and need nothing of
nnviz; a kind without a PyTorch form, or a diverged run, is refused in one line and nothing is written.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import Trainer, load_model, writing
from nnviz.core.activations import ACTIVATIONS, Activation
from nnviz.core.codegen import INLINE_ROWS, ExportError, Run, check_path, run_of, torch_files, write_torch_code
from nnviz.core.data import Dataset
from nnviz.core.dataconfig import DataConfig
from nnviz.core.experiment import Experiment
from nnviz.core.layers import LAYERS
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.schedules import SCHEDULES

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
sys.path.insert(0, str(REFERENCE))
import codegen_cases  # noqa: E402

CASES = codegen_cases.build_cases()
BY_NAME = {case["name"]: case for case in CASES}
HAS_TORCH = importlib.util.find_spec("torch") is not None
ATOL = 1e-13  # values passing through 0 (a loss near its floor) are judged on an absolute scale
NNVIZ_IMPORT = re.compile(r"^\s*(import|from)\s+nnviz\b", re.MULTILINE)


def assert_rows_equal(expected: list[list], got: list[list], rtol: float, what: str) -> None:
    """Metrics rows equal column by column: steps exactly, empty cells where nnviz's are, numbers to
    ``rtol`` relative."""
    assert len(got) == len(expected), f"{what}: {len(got)} rows, expected {len(expected)}"
    for want, row in zip(expected, got):
        assert len(row) == len(want), f"{what}: step {want[0]} has {len(row)} columns, expected {len(want)}"
        assert row[0] == want[0], f"{what}: step {row[0]}, expected {want[0]}"
        for column, (a, b) in enumerate(zip(want, row)):
            if a is None or b is None:
                assert a is None and b is None, f"{what}: step {want[0]} column {column}: {b!r}, expected {a!r}"
                continue
            assert math.isclose(b, a, rel_tol=rtol, abs_tol=ATOL * (rtol / 1e-9)), \
                f"{what}: step {want[0]} column {column}: {b!r}, expected {a!r}"


# -- every kind carries its own PyTorch code ------------------------------------------------------
@pytest.mark.parametrize("registry", [LAYERS, ACTIVATIONS, LOSSES, SCHEDULES], ids=lambda r: r.what)
def test_every_kind_carries_its_torch_code(registry):
    missing = [name for name, cls in registry.items() if cls.torch_code is None]
    assert not missing, f"{registry.what}s without torch_code: {missing}"


def test_every_optimizer_carries_its_torch_class_or_step():
    missing = [name for name, cls in OPTIMIZERS.items() if cls.torch_class is None and cls.torch_step is None]
    assert not missing


def test_the_cases_cover_every_kind_and_option():
    layers, activations, losses, optimizers, schedules, options = set(), set(), set(), set(), set(), set()
    for case in CASES:
        doc = case["model"]
        for layer in doc["layers"]:
            layers.add(layer["type"])
            act = layer.get("activation", "identity")
            activations.add(act if isinstance(act, str) else act["name"])
            if layer["type"] == "dropout" and layer.get("p", 0.5) > 0:
                options.add("dropout masks")
            if layer["type"] == "glu":
                options.add("glu " + layer["variant"])
        loss = doc.get("loss", "mse")
        losses.add(loss if isinstance(loss, str) else loss["name"])
        optimizer = doc.get("optimizer", {"name": "sgd"})
        optimizers.add(optimizer["name"])
        options.update(f"{optimizer['name']} {key}" for key, value in optimizer.items() if key not in ("name", "lr")
                       and value)
        if case["before"]:
            options.add(f"{optimizer['name']} continued")
        schedule = doc.get("schedule") or {"name": "constant"}
        schedules.add(schedule["name"])
        if (schedule.get("warmup") or 0) > 1:
            options.add(f"{schedule['name']} warm-up")
        options.update(key for key in ("l1", "l2") if (doc.get("regularization") or {}).get(key))
        if doc.get("clip_grad_norm"):
            options.add("clip")
        data = case["data"] or {}
        options.add("shuffled" if data.get("shuffle", True) else "in order")
        if data.get("test_fraction"):
            options.add("test split")
    assert layers == set(LAYERS) and activations == set(ACTIVATIONS) and losses == set(LOSSES)
    assert optimizers == set(OPTIMIZERS) and schedules == set(SCHEDULES)
    every = {f"{name} {key}" for name, cls in OPTIMIZERS.items() for key in cls.OPTIONS if key != "lr"}
    assert every <= options, sorted(every - options)
    assert {f"{name} continued" for name in OPTIMIZERS} <= options
    assert {"dropout masks", "glu glu", "glu swiglu", "glu geglu", "l1", "l2", "clip", "shuffled", "in order",
            "test split", "step warm-up", "cosine warm-up", "constant warm-up"} <= options


# -- the scripts -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every case's script, written after its ``before`` steps, and nnviz's rows for the steps after."""
    folder = tmp_path_factory.mktemp("codegen")
    out = {}
    for case in CASES:
        where = folder / case["name"]
        where.mkdir()
        out[case["name"]] = (where / "train.py", codegen_cases.exported(case, where / "train.py"))
    return out


def test_scripts_are_valid_python_and_need_nothing_of_nnviz(exported):
    for name, (script, _) in exported.items():
        text = script.read_text(encoding="utf-8")
        compile(text, str(script), "exec")
        assert not NNVIZ_IMPORT.search(text), name
        assert text.startswith('"""Train the') and "Runs on: cpu, in float" in text


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_nnviz_goes_on_as_the_recorded_torch_script_did(name):
    """No torch needed: nnviz's rows after the export equal those the script wrote under torch."""
    recorded = json.loads((codegen_cases.RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    case = BY_NAME[name]
    assert (recorded["before"], recorded["steps"]) == (case["before"], case["steps"]), "record_codegen.py again"
    exp = codegen_cases.experiment(case)
    exp.run(case["before"])
    rows = codegen_cases.nnviz_rows(exp, case["steps"])
    assert_rows_equal(rows, recorded["rows"], case["rtol"], name)


def test_every_case_is_recorded():
    recorded = {path.stem for path in codegen_cases.RECORDED_DIR.glob("*.json")}
    assert recorded == set(BY_NAME), "run tests/reference/record_codegen.py"


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not importable (the recorded rows stand in)")
def test_the_scripts_run_with_torch_go_on_as_nnviz_does(exported):
    jobs = [(script, ["--metrics", str(script.with_name("metrics.csv"))]) for script, _ in exported.values()]
    errors = codegen_cases.run_scripts(jobs)
    assert not errors, errors[-3000:]
    for name, (script, rows) in exported.items():
        got = codegen_cases.read_metrics(script.with_name("metrics.csv"))
        assert_rows_equal(rows, got, BY_NAME[name]["rtol"], name)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_accepts_the_scripts_and_a_notebook(exported, tmp_path):
    case = BY_NAME["dropout_batchnorm_glu"]
    codegen_cases.exported(case, tmp_path / "train.ipynb")
    files = [str(script) for script, _ in exported.values()] + [str(tmp_path / "train.ipynb")]
    for rules in ([], ["--line-length", "120", "--select", "E,F,W,B,UP,SIM,PIE,I", "--ignore", "B905"]):
        done = subprocess.run(["ruff", "check", "--isolated", "--no-cache", *rules, *files],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:]


# -- what the script holds --------------------------------------------------------------------------
def test_large_data_and_state_go_beside_the_script(exported):
    data_script, _ = exported["large_data_in_csv"]
    assert {p.name for p in data_script.parent.iterdir()} >= {"train.py", "train-data.csv", "train-test.csv"}
    assert not data_script.with_name("train-state.npz").exists()
    header = data_script.with_name("train-data.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "x1,x2,y"
    assert "read_rows(HERE / \"train-data.csv\")" in data_script.read_text(encoding="utf-8")
    state_script, _ = exported["large_state_in_npz"]
    assert state_script.with_name("train-state.npz").is_file()
    small, _ = exported["relu_sgd"]
    assert {p.name for p in small.parent.iterdir()} <= {"train.py", "metrics.csv"}  # metrics: if run already
    assert "X = np.array([" in small.read_text(encoding="utf-8")


def test_the_data_are_inline_up_to_the_limit_and_exact(tmp_path):
    net = load_model({"format": "nnviz.model/1", "inputs": 1, "layers": [{"type": "dense", "units": 1}]})
    X = np.random.default_rng(0).standard_normal((INLINE_ROWS, 1)) / 3.0
    run = Run(Trainer(net, X, X * 0.1))
    files = torch_files(run, tmp_path / "t.py")
    assert list(files) == [tmp_path / "t.py"]
    namespace = {}
    text = files[tmp_path / "t.py"]
    data = text[text.index("X = np.array("):text.index("\n\n\n", text.index("X = np.array("))]
    exec("import numpy as np\n" + data, namespace)
    assert np.array_equal(namespace["X"], X) and np.array_equal(namespace["Y"], X * 0.1)
    bigger = Run(Trainer(net, np.vstack([X, X[:1]]), np.vstack([X, X[:1]])))
    assert tmp_path / "t-data.csv" in torch_files(bigger, tmp_path / "t.py")


def test_the_header_says_where_it_runs_and_the_notebook_has_the_same_code(tmp_path):
    case = BY_NAME["class_indices_test_split"]
    exp = codegen_cases.experiment(case)
    run = run_of(exp)
    script = torch_files(run, tmp_path / "t.py", steps=55, device="cuda", command="nnviz code x --device cuda")
    text = script[tmp_path / "t.py"]
    assert "Runs on: cuda, in float64" in text and 'DEVICE = "cuda"' in text and "STEPS = 55" in text
    assert "Made by nnviz" in text and "nnviz code x --device cuda" in text
    notebook = json.loads(torch_files(run, tmp_path / "t.ipynb", steps=55, device="cuda")[tmp_path / "t.ipynb"])
    assert notebook["nbformat"] == 4 and notebook["cells"][0]["cell_type"] == "markdown"
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    compile(code, "notebook", "exec")
    for line in ("def train_step(model, optimizer, xb, yb, lr):", "class Net(nn.Module):", "X_TEST = np.array("):
        assert line in code
    assert "argparse" not in code and code.rstrip().endswith("model = train(STEPS, DEVICE, metrics=None)")


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not importable")
def test_the_notebook_trains_as_the_script_does(tmp_path):
    case = BY_NAME["dropout_masks_shuffled"]
    rows = codegen_cases.exported(case, tmp_path / "train.ipynb")
    notebook = json.loads((tmp_path / "train.ipynb").read_text(encoding="utf-8"))
    code = "\n\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    metrics = tmp_path / "metrics.csv"
    (tmp_path / "cells.py").write_text(code.replace("metrics=None", f"metrics={str(metrics)!r}"), encoding="utf-8")
    errors = codegen_cases.run_scripts([(tmp_path / "cells.py", [])])
    assert not errors, errors
    assert_rows_equal(rows, codegen_cases.read_metrics(metrics), 1e-9, "notebook")


# -- refused in one line, nothing written ------------------------------------------------------------
class Cube(Activation):
    """A plug-in's activation, with no PyTorch form."""

    name = "cube_codegen"

    def forward(self, z):
        return z ** 3

    def backward(self, z, a, da):
        return da * 3 * z * z


def _small_run(**changes) -> Run:
    doc = {"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 3, "activation": "tanh"},
                                                              {"type": "dense", "units": 1}], **changes}
    net = load_model(doc)
    return Run(Trainer(net, [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [[1.0], [0.0], [0.5]]))


def test_a_kind_without_torch_code_is_refused_in_one_line_naming_it(tmp_path):
    with ACTIVATIONS.registered(Cube):
        run = _small_run(layers=[{"type": "dense", "units": 3, "activation": "cube_codegen"},
                                 {"type": "dense", "units": 1}])
        with pytest.raises(ExportError) as caught:
            write_torch_code(run, tmp_path / "t.py")
    message = str(caught.value)
    assert "cube_codegen" in message and "layers[0]" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_a_diverged_run_is_refused(tmp_path):
    run = _small_run()
    run.trainer.net.flat_params[0] = math.nan
    with pytest.raises(ExportError, match="NaN or infinite"):
        write_torch_code(run, tmp_path / "t.py")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["t.txt", "t", "t.py.bak"])
def test_a_file_that_is_no_script_nor_notebook_is_refused(tmp_path, name):
    with pytest.raises(ExportError, match=r"expected a \.py script or an \.ipynb notebook"):
        check_path(tmp_path / name)
    with pytest.raises(ExportError):
        write_torch_code(_small_run(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_file_of_the_set(tmp_path, monkeypatch):
    """The script and its data file are written together or not at all."""
    net = load_model({"format": "nnviz.model/1", "inputs": 1, "layers": [{"type": "dense", "units": 1}]})
    X = np.linspace(-1, 1, INLINE_ROWS + 5).reshape(-1, 1)
    run = Run(Trainer(net, X, X))
    real = writing.StagedFile.write
    calls = []

    def failing(self, data):
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(writing.StagedFile, "write", failing)
    with pytest.raises(writing.WriteError, match="No space left"):
        write_torch_code(run, tmp_path / "train.py")
    assert list(tmp_path.iterdir()) == []


# -- input scaling ----------------------------------------------------------------------------------
def _scaled_cases():
    """Runs whose inputs nnviz scales: the digits to [0, 1] (one scale for the picture, the rows inline),
    and 0-255 rows standardised column by column (more rows than go inline: a CSV file beside)."""
    digits = _case_doc(64, [{"type": "dense", "units": 16, "activation": "relu"},
                            {"type": "dense", "units": 10, "activation": "softmax"}], "cross_entropy",
                       {"name": "adam", "lr": 0.003})
    rng = np.random.default_rng(3)
    X = rng.integers(0, 256, (INLINE_ROWS + 300, 3)).astype(np.float64)
    y = (X[:, :1] - 2 * X[:, 1:2] + X[:, 2:] > -128).astype(np.float64)
    wide = _case_doc(3, [{"type": "dense", "units": 6, "activation": "tanh"},
                         {"type": "dense", "units": 1, "activation": "sigmoid"}], "bce", {"name": "sgd", "lr": 0.3})
    return {
        "digits_minmax": (digits, DataConfig(dataset="digits", batch_size=32, test_fraction=0.2, scaling="minmax")),
        "bytes_standard": (wide, DataConfig(dataset="bytes", batch_size=64, test_fraction=0.25, scaling="standard",
                                            imported=_bytes(X, y))),
    }


def _case_doc(inputs, layers, loss, optimizer):
    return {"format": "nnviz.model/1", "inputs": inputs, "layers": layers, "loss": loss, "optimizer": optimizer,
            "seed": 1}


def _bytes(X, y):
    return Dataset(X, y, "bytes", "classification", ("r", "g", "b"), ("y",))


def _scaled_export(name, path, before=7, steps=30):
    doc, data = _scaled_cases()[name]
    exp = Experiment(doc, data, fit_model=False, fit_loss=False)
    exp.run(before)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_torch_code(run_of(exp), path, steps=steps)
    return exp, codegen_cases.nnviz_rows(exp, steps)


def test_a_scaled_run_exports_its_raw_rows_and_the_scaling_that_gives_nnvizs_rows(tmp_path):
    """No torch needed: the script's data section, run with NumPy alone, gives exactly the rows nnviz
    trains and tests on, from the raw rows and the numbers of the training rows."""
    for name in _scaled_cases():
        exp, _ = _scaled_export(name, tmp_path / name / "train.py", steps=0)
        script = tmp_path / name / "train.py"
        text = script.read_text(encoding="utf-8")
        start = text.index("HERE = ") if "HERE = " in text else text.index("INPUTS = ")
        section = text[start:text.index("\n\n\n", text.index("X = ((X - SHIFT) / DIVISOR)"))]
        namespace = {"__file__": str(script)}
        exec("import csv\nimport numpy as np\nfrom pathlib import Path\n" + section, namespace)
        assert np.array_equal(namespace["X"], exp.trainer.X), name
        assert np.array_equal(namespace["X_TEST"], exp._test_inputs), name
        assert namespace["X"].min() < 0 if name == "bytes_standard" else namespace["X"].max() == 1.0
        raw = exp.raw_train.X
        assert not np.array_equal(raw, exp.trainer.X)  # scaled, indeed
        if name == "digits_minmax":
            assert namespace["SHIFT"] == 0.0 and namespace["DIVISOR"] == 16.0
        else:  # the training rows' own mean and std, not those of all rows
            assert np.allclose(namespace["SHIFT"], raw.mean(axis=0), rtol=0, atol=1e-12)
            assert np.allclose(namespace["DIVISOR"], raw.std(axis=0), rtol=0, atol=1e-12)
            every = np.vstack([raw, exp.raw_test.X])
            assert not np.allclose(namespace["SHIFT"], every.mean(axis=0), rtol=0, atol=1e-9)
            assert (tmp_path / name / "train-data.csv").is_file()


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not importable")
def test_a_scaled_run_exported_goes_on_in_torch_as_nnviz_does(tmp_path):
    expected, jobs = {}, []
    for name in _scaled_cases():
        script = tmp_path / name / "train.py"
        _, expected[name] = _scaled_export(name, script)
        jobs.append((script, ["--metrics", str(script.with_name("metrics.csv"))]))
    errors = codegen_cases.run_scripts(jobs)
    assert not errors, errors[-3000:]
    for name, rows in expected.items():
        got = codegen_cases.read_metrics(tmp_path / name / "metrics.csv")
        assert len(rows[0]) == 6  # with the test loss
        assert_rows_equal(rows, got, 1e-9, name)
