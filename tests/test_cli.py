"""Tests for the ``nnviz`` command line (nnviz.cli): run in-process through ``main(argv)``, plus a few
subprocess runs of ``python -m nnviz``."""

from __future__ import annotations

import builtins
import csv
import json
import math
import os
import signal
import stat
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from nnviz import __version__, cli
from nnviz.core import Trainer, load_model, writing
from nnviz.core.datasets import make_dataset
from nnviz.core.experiment import Experiment

REPO = Path(__file__).resolve().parents[1]

XOR_MODEL = {
    "format": "nnviz.model/1",
    "inputs": 2,
    "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
               {"type": "dense", "units": 1, "activation": "sigmoid"}],
    "loss": "bce",
    "optimizer": {"name": "adam", "lr": 0.05},
    "seed": 1,
}
SOFTMAX_MODEL = {
    **XOR_MODEL,
    "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
               {"type": "dense", "units": 2, "activation": "softmax"}],
    "loss": "cross_entropy",
}
TWO_OUTPUT_MODEL = {
    **XOR_MODEL,
    "layers": [{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dense", "units": 2}],
    "loss": "mse",
}
PERCEPTRON_MODEL = {
    "format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1, "activation": "step"}],
    "optimizer": {"name": "perceptron"},
}
# Finite weights so large that the second layer overflows: the very first step is non-finite.
OVERFLOW_MODEL = {
    "format": "nnviz.model/1", "inputs": 2,
    "layers": [{"type": "dense", "units": 1, "weight": [[1e300, 1e300]], "bias": [1e300]},
               {"type": "dense", "units": 1, "weight": [[1e300]], "bias": [0.0]}],
    "loss": "mse",
}
XOR_ROWS = [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]
AND_ROWS = [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 1)]


# -- helpers ---------------------------------------------------------------------------------------
def write_json(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def xor_model(tmp_path) -> Path:
    return write_json(tmp_path / "xor.json", XOR_MODEL)


@pytest.fixture
def and_csv(tmp_path) -> Path:
    """AND with the label first, so the default target (the last column) is the wrong one."""
    path = tmp_path / "and_first.csv"
    path.write_text("label,x1,x2\n" + "".join(f"{y},{a},{b}\n" for a, b, y in AND_ROWS), encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(code: int, err: str, *fragments: str) -> None:
    assert code != 0
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("nnviz: error: "), lines[0]
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def all_files(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def read_metrics(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def params(net) -> np.ndarray:
    return np.concatenate([p.ravel() for _, p in net.named_parameters()])


# -- version and the desktop app -------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(capsys, flag):
    assert run(capsys, flag) == (0, f"nnviz {__version__}\n", "")


def subprocess_nnviz(*argv, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "nnviz", *map(str, argv)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_version_subprocess(tmp_path):
    done = subprocess_nnviz("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"nnviz {__version__}\n", "")


def test_error_subprocess_exit_status_and_one_line(tmp_path):
    done = subprocess_nnviz("train", tmp_path / "missing.json", "--data", "xor", "--out", tmp_path / "run",
                            cwd=tmp_path)
    assert done.returncode == 2
    assert_one_error_line(done.returncode, done.stderr, "missing.json", "no such file")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("argv, expected", [([], ()), (["open", "MODEL"], ("MODEL",)), (["MODEL"], ("MODEL",)),
                                             (["--threaded", "MODEL"], ("MODEL",))])
def test_launches_app_when_built(capsys, monkeypatch, xor_model, argv, expected):
    calls = fake_app(monkeypatch)
    argv = [str(xor_model) if a == "MODEL" else a for a in argv]
    assert run(capsys, *argv)[0] == 7
    assert calls == [(tuple(str(xor_model) if a == "MODEL" else a for a in expected), {})]


def fake_app(monkeypatch) -> list:
    """Replace the desktop app with a recorder of its calls ``(args, kwargs)``; it returns 7."""
    calls = []
    app = types.ModuleType("nnviz.gui.launch")
    app.main = lambda *args, **kwargs: calls.append((args, kwargs)) or 7
    monkeypatch.setitem(sys.modules, "nnviz.gui.launch", app)
    return calls


# -- MODEL: a file, or the name of a shipped example -----------------------------------------------
@pytest.mark.parametrize("argv", [["circle"], ["open", "circle"]])
def test_app_opens_a_shipped_example_by_name_from_any_folder(capsys, monkeypatch, tmp_path, argv):
    monkeypatch.chdir(tmp_path)
    calls = fake_app(monkeypatch)
    assert run(capsys, *argv)[0] == 7
    assert calls == [((), {"example": "circle"})]


@pytest.mark.parametrize("argv", [["circle"], ["open", "circle"]])
def test_a_file_wins_over_an_example_of_the_same_name(capsys, monkeypatch, tmp_path, argv):
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "circle", XOR_MODEL)
    calls = fake_app(monkeypatch)
    assert run(capsys, *argv)[0] == 7
    assert calls == [(("circle",), {})]


def test_a_command_name_is_the_command_even_when_a_file_has_that_name(capsys, monkeypatch, tmp_path):
    """``nnviz train`` is the command (here missing its MODEL); ``nnviz ./train`` opens the file."""
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "train", XOR_MODEL)
    calls = fake_app(monkeypatch)
    code, out, err = run(capsys, "train")
    assert (code, out) == (2, "")
    assert_one_error_line(code, err, "MODEL")
    assert run(capsys, "./train")[0] == 7
    assert [(Path(path).resolve(), kwargs) for (path,), kwargs in calls] == [(tmp_path / "train", {})]


def test_unknown_model_name_lists_the_examples(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    fake_app(monkeypatch)
    code, out, err = run(capsys, "circel")
    assert (code, out) == (2, "")
    assert_one_error_line(code, err, "circel", "no such file", "circle", "two-two-one")


def test_train_a_shipped_example_by_name_from_another_folder(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "train", "two-two-one", "--steps", 3, "--out", "run")
    assert (code, err) == (0, "")
    shipped = json.loads((REPO / "resources" / "examples" / "two-two-one.json").read_text(encoding="utf-8"))
    trained = json.loads((tmp_path / "run" / "model.json").read_text(encoding="utf-8"))
    assert trained["inputs"] == shipped["inputs"]
    assert [layer["units"] for layer in trained["layers"]] == [layer["units"] for layer in shipped["layers"]]
    assert trained["layers"][0]["weight"] != shipped["layers"][0].get("weight")  # three steps moved it


def test_train_prefers_a_file_named_like_an_example(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_json(tmp_path / "circle", XOR_MODEL)  # a 2-4-1 tanh network; the shipped circle is not
    code, _, err = run(capsys, "train", "circle", "--data", "xor", "--steps", 2, "--out", "run")
    assert (code, err) == (0, "")
    trained = json.loads((tmp_path / "run" / "model.json").read_text(encoding="utf-8"))
    assert [(layer["units"], layer.get("activation")) for layer in trained["layers"]] == [(4, "tanh"), (1, "sigmoid")]


def test_trace_and_export_take_an_example_name_in_a_subprocess(tmp_path):
    """From a folder with no models in it, as from an installed wheel."""
    traced = subprocess_nnviz("trace", "xor-mlp", "--out", "-", cwd=tmp_path)
    assert (traced.returncode, traced.stderr) == (0, "")
    assert json.loads(traced.stdout)["format"] == "nnviz.trace/1"
    exported = subprocess_nnviz("export", "circle", "--steps", 2, "--plot", "loss", "--out", "loss.csv",
                                cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "loss.csv").read_text(encoding="utf-8").count("\n") >= 2


def test_open_missing_file(capsys, tmp_path):
    code, out, err = run(capsys, "open", tmp_path / "nope.json")
    assert code == 2 and out == ""
    assert_one_error_line(code, err, "nope.json", "no such file")


def test_app_with_missing_dependency_is_one_error_line(capsys, monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "nnviz.gui.launch":
            raise ModuleNotFoundError("No module named 'PySide6'", name="PySide6")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    code, _, err = run(capsys)
    assert code == 1
    assert_one_error_line(code, err, "PySide6")


# -- train -----------------------------------------------------------------------------------------
def test_train_builtin_writes_model_and_metrics(capsys, tmp_path, xor_model):
    out_dir = tmp_path / "runs" / "xor"  # the parent does not exist either
    code, out, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 300, "--out", out_dir)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in out_dir.iterdir()) == ["metrics.csv", "model.json"]  # no temp files

    net = load_model(out_dir / "model.json")
    assert net.optimizer.t == 300 and net.samples_seen == 300 * 4
    data = make_dataset("xor")
    assert np.array_equal(net.predict(data.X) > 0.5, data.y > 0.5)

    header, rows = read_metrics(out_dir / "metrics.csv")
    assert header == ["step", "epoch", "lr", "loss", "grad_norm"]
    assert len(rows) == 300
    assert [int(r["step"]) for r in rows] == list(range(1, 301))
    assert float(rows[-1]["epoch"]) == 300.0 and float(rows[0]["lr"]) == 0.05
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"]) / 10

    assert out.count("\n") == 1
    assert "300 steps" in out and "accuracy 100.0%" in out and str(out_dir / "model.json") in out


def test_train_matches_trainer_and_resumes_exactly(capsys, tmp_path, xor_model):
    common = ["--data", "xor", "--batch-size", 3, "--seed", 5]
    assert run(capsys, "train", xor_model, *common, "--steps", 20, "--out", tmp_path / "a")[0] == 0
    assert run(capsys, "train", tmp_path / "a" / "model.json", *common, "--steps", 20,
               "--out", tmp_path / "b")[0] == 0
    assert run(capsys, "train", xor_model, *common, "--steps", 40, "--out", tmp_path / "c")[0] == 0

    resumed, straight = load_model(tmp_path / "b" / "model.json"), load_model(tmp_path / "c" / "model.json")
    assert resumed.optimizer.t == straight.optimizer.t == 40
    assert np.array_equal(params(resumed), params(straight))
    _, second_half = read_metrics(tmp_path / "b" / "metrics.csv")
    _, whole = read_metrics(tmp_path / "c" / "metrics.csv")
    assert [int(r["step"]) for r in second_half] == list(range(21, 41))
    assert second_half == whole[20:]

    # ... and the same run in-process gives the same losses.
    data = make_dataset("xor", seed=5)
    trainer = Trainer(load_model(XOR_MODEL), data.X, data.y, batch_size=3, seed=5)
    trainer.run(40)
    assert [float(r["loss"]) for r in whole] == trainer.history["loss"]


def test_train_default_steps(capsys, tmp_path, xor_model):
    assert run(capsys, "train", xor_model, "--data", "xor", "--out", tmp_path / "run")[0] == 0
    assert len(read_metrics(tmp_path / "run" / "metrics.csv")[1]) == cli.DEFAULT_STEPS == 1000
    assert load_model(tmp_path / "run" / "model.json").optimizer.t == 1000


@pytest.mark.parametrize("batch, epochs, steps", [(None, 5, 5), (3, 5, 7), (2, 3, 6)])
def test_train_epochs(capsys, tmp_path, xor_model, batch, epochs, steps):
    extra = ["--batch-size", batch] if batch else []
    code, out, _ = run(capsys, "train", xor_model, "--data", "xor", "--epochs", epochs, *extra,
                       "--out", tmp_path / "run")
    assert code == 0 and f"{steps} steps" in out
    _, rows = read_metrics(tmp_path / "run" / "metrics.csv")
    assert len(rows) == steps
    assert float(rows[-1]["epoch"]) >= epochs > float(rows[-2]["epoch"])


def test_train_csv_with_target(capsys, tmp_path, xor_model, and_csv):
    code, out, err = run(capsys, "train", xor_model, "--data", and_csv, "--target", "label",
                         "--steps", 300, "--out", tmp_path / "run")
    assert (code, err) == (0, "")
    assert "accuracy 100.0%" in out
    net = load_model(tmp_path / "run" / "model.json")
    pred = net.predict(np.array([[a, b] for a, b, _ in AND_ROWS], dtype=float)).ravel() > 0.5
    assert pred.tolist() == [bool(y) for *_, y in AND_ROWS]
    # Without --target the last column (x2) is the target, predicted from (label, x1): that task has
    # contradicting rows, so at most 3 of the 4 can be right.
    code, out, _ = run(capsys, "train", xor_model, "--data", and_csv, "--steps", 300,
                       "--out", tmp_path / "r2")
    assert code == 0 and "accuracy 75.0%" in out


def test_train_csv_with_several_targets(capsys, tmp_path):
    model = write_json(tmp_path / "two.json", TWO_OUTPUT_MODEL)
    data = tmp_path / "two.csv"
    data.write_text("t1,x1,t2,x2\n" + "".join(f"{a + b},{a},{a - b},{b}\n" for a, b, _ in XOR_ROWS))
    code, _, err = run(capsys, "train", model, "--data", data, "--target", "t1", "--target", "t2",
                       "--steps", 5, "--out", tmp_path / "run")
    assert (code, err) == (0, "")
    assert len(read_metrics(tmp_path / "run" / "metrics.csv")[1]) == 5


def test_train_cross_entropy_class_indices(capsys, tmp_path, and_csv):
    model = write_json(tmp_path / "softmax.json", SOFTMAX_MODEL)
    code, out, err = run(capsys, "train", model, "--data", and_csv, "--target", "label", "--steps", 300,
                         "--out", tmp_path / "run")
    assert (code, err) == (0, "")
    assert "accuracy 100.0%" in out
    net = load_model(tmp_path / "run" / "model.json")
    assert net.predict(np.array([[0, 1], [1, 1]], dtype=float)).argmax(axis=1).tolist() == [0, 1]


def test_train_test_fraction(capsys, tmp_path, xor_model):
    code, out, _ = run(capsys, "train", xor_model, "--data", "circle", "--test-fraction", 0.25,
                       "--batch-size", 64, "--epochs", 2, "--out", tmp_path / "run")
    assert code == 0 and "test loss" in out
    header, rows = read_metrics(tmp_path / "run" / "metrics.csv")
    assert header[-1] == "test_loss"
    assert len(rows) == math.ceil(2 * 375 / 64) == 12  # 500 points, 125 held out
    filled = [i for i, r in enumerate(rows) if r["test_loss"]]
    assert filled == [5, 11]  # the steps that complete epoch 1 and epoch 2 (also the last step)

    # The same split and training in-process give the same test loss.
    net = load_model(XOR_MODEL)
    train, test = make_dataset("circle", seed=net.seed).split(0.25, net.seed)
    Trainer(net, train.X, train.y, batch_size=64).run(12)
    assert float(rows[-1]["test_loss"]) == net.evaluate(test.X, test.y)


def test_train_full_batch_test_loss_every_step(capsys, tmp_path, xor_model):
    assert run(capsys, "train", xor_model, "--data", "gauss", "--test-fraction", 0.5, "--steps", 4,
               "--out", tmp_path / "run")[0] == 0
    _, rows = read_metrics(tmp_path / "run" / "metrics.csv")
    assert all(r["test_loss"] for r in rows)


@pytest.mark.parametrize("entry", [
    {"dataset": "xor"},
    {"inputs": [[a, b] for a, b, _ in XOR_ROWS], "targets": [[y] for *_, y in XOR_ROWS]},
])
def test_train_uses_the_models_data_entry(capsys, tmp_path, entry):
    model = write_json(tmp_path / "m.json", {**XOR_MODEL, "data": entry})
    code, out, err = run(capsys, "train", model, "--steps", 300, "--out", tmp_path / "run")
    assert (code, err) == (0, "")
    assert "accuracy 100.0%" in out
    saved = load_model(tmp_path / "run" / "model.json").meta["data"]  # names the data it trained on
    for key, value in entry.items():  # one target column is written as a list of labels
        np.testing.assert_array_equal(np.reshape(saved[key], np.shape(value)), value, err_msg=key)


def test_train_data_entry_naming_a_csv_next_to_the_model(capsys, tmp_path, monkeypatch, and_csv):
    model = write_json(tmp_path / "m.json", {**XOR_MODEL, "data": {"dataset": and_csv.name}})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = run(capsys, "train", model, "--steps", 2, "--out", "run")
    assert (code, err) == (0, "")
    assert "4 rows" in out and (elsewhere / "run" / "model.json").is_file()


def test_train_on_a_csv_writes_a_model_that_names_it_and_trains_on_it_again(capsys, tmp_path, and_csv):
    """``train --data a.csv --target label``: model.json names the CSV relative to the out folder,
    with its columns; training that model again (no --data, no --target) reads the same rows."""
    first = tmp_path / "runs" / "first"
    code, out, err = run(capsys, "train", write_json(tmp_path / "m.json", XOR_MODEL), "--data", and_csv,
                         "--target", "label", "--steps", 5, "--out", first)
    assert (code, err) == (0, "")
    entry = json.loads((first / "model.json").read_text())["data"]
    assert entry["dataset"] == f"../../{and_csv.name}"
    assert entry["columns"] == {"inputs": ["x1", "x2"], "targets": ["label"]}  # not the default: the last column

    code, out, err = run(capsys, "train", first / "model.json", "--steps", 10, "--out", tmp_path / "second")
    assert (code, err) == (0, "")
    assert f"on {and_csv.stem} (4 rows" in out and "step 15)" in out
    assert json.loads((tmp_path / "second" / "model.json").read_text())["data"]["dataset"] == f"../{and_csv.name}"


def test_train_toml_model(capsys, tmp_path):
    model = tmp_path / "m.toml"
    model.write_text('format = "nnviz.model/1"\ninputs = 2\nloss = "bce"\n'
                     '[[layers]]\ntype = "dense"\nunits = 1\nactivation = "sigmoid"\n', encoding="utf-8")
    code, _, err = run(capsys, "train", model, "--data", "or", "--steps", 3, "--out", tmp_path / "run")
    assert (code, err) == (0, "")
    assert load_model(tmp_path / "run" / "model.json").optimizer.t == 3


def test_train_data_entry_test_fraction_and_noise(capsys, tmp_path):
    entry = {"dataset": "circle", "n": 100, "noise": 0.1, "seed": 3, "test_fraction": 0.2}
    model = write_json(tmp_path / "m.json", {**XOR_MODEL, "data": entry})
    code, out, _ = run(capsys, "train", model, "--steps", 3, "--out", tmp_path / "run")
    assert code == 0 and "80 rows" in out
    assert read_metrics(tmp_path / "run" / "metrics.csv")[0][-1] == "test_loss"
    # --test-fraction and --noise override the entry
    code, out, _ = run(capsys, "train", model, "--steps", 3, "--test-fraction", 0, "--noise", 0.3,
                       "--out", tmp_path / "r2")
    assert code == 0 and "100 rows" in out
    assert "test_loss" not in read_metrics(tmp_path / "r2" / "metrics.csv")[0]


def test_train_seed_changes_the_row_order(capsys, tmp_path, xor_model):
    for seed in (1, 2):
        run(capsys, "train", xor_model, "--data", "xor", "--batch-size", 1, "--steps", 8, "--seed", seed,
            "--out", tmp_path / f"s{seed}")
    a, b = (read_metrics(tmp_path / f"s{seed}" / "metrics.csv")[1] for seed in (1, 2))
    assert [r["loss"] for r in a] != [r["loss"] for r in b]
    run(capsys, "train", xor_model, "--data", "xor", "--batch-size", 1, "--steps", 8, "--no-shuffle",
        "--out", tmp_path / "ordered")
    net = load_model(XOR_MODEL)
    data = make_dataset("xor")
    trainer = Trainer(net, data.X, data.y, batch_size=1, shuffle=False)
    trainer.run(8)
    assert [float(r["loss"]) for r in read_metrics(tmp_path / "ordered" / "metrics.csv")[1]] == \
        trainer.history["loss"]


def test_train_perceptron_leaves_grad_norm_empty(capsys, tmp_path):
    model = write_json(tmp_path / "p.json", PERCEPTRON_MODEL)
    assert run(capsys, "train", model, "--data", "and", "--steps", 10, "--out", tmp_path / "run")[0] == 0
    _, rows = read_metrics(tmp_path / "run" / "metrics.csv")
    assert [r["grad_norm"] for r in rows] == [""] * 10


def test_train_overwrites_an_existing_run(capsys, tmp_path, xor_model):
    for steps in (5, 3):
        code = run(capsys, "train", xor_model, "--data", "xor", "--steps", steps,
                   "--out", tmp_path / "run")[0]
        assert code == 0
    assert len(read_metrics(tmp_path / "run" / "metrics.csv")[1]) == 3


def test_progress_bar_on_a_terminal(capsys, monkeypatch, tmp_path, xor_model):
    monkeypatch.setattr(cli, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 50, "--out", tmp_path / "run")
    assert code == 0 and "loss=" in err


def test_no_progress_bar_when_not_a_terminal(capsys, tmp_path, xor_model):
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 50, "--out", tmp_path / "run")
    assert code == 0 and err == ""


# -- trace -----------------------------------------------------------------------------------------
TRACE_KEYS = {"format", "step", "lr", "batch_indices", "x", "y", "layers", "output", "loss", "data_loss",
              "regularization_loss", "output_grad", "fused", "grad_norm", "clip_coef", "optimizer",
              "optimizer_scalars", "optimizer_state", "optimizer_state_before", "perceptron"}
LAYER_KEYS = {"index", "type", "activation", "input", "z", "a", "da", "dz", "dadz", "grads", "params_before",
              "params_after", "buffers_after", "extras"}


def in_process_trace(model: dict, dataset: str, **trainer_options) -> dict:
    net = load_model(model)
    data = make_dataset(dataset, seed=trainer_options.get("seed") or net.seed)
    return Trainer(net, data.X, data.y, **trainer_options).trace().to_dict()


def test_trace_to_file_matches_trainer(capsys, tmp_path, xor_model):
    out = tmp_path / "trace.json"
    code, stdout, err = run(capsys, "trace", xor_model, "--data", "xor", "--batch-size", 3, "--seed", 4,
                            "--out", out)
    assert (code, stdout, err) == (0, "", "")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc) == TRACE_KEYS and doc["format"] == "nnviz.trace/1"
    assert [set(layer) for layer in doc["layers"]] == [LAYER_KEYS, LAYER_KEYS]
    assert doc == in_process_trace(XOR_MODEL, "xor", batch_size=3, seed=4)
    assert len(doc["x"]) == 3 and len(doc["batch_indices"]) == 3 and doc["step"] == 0


def test_trace_to_stdout(capsys, tmp_path, xor_model):
    code, stdout, err = run(capsys, "trace", xor_model, "--data", "xor", "--out", "-")
    assert (code, err) == (0, "")
    assert json.loads(stdout) == in_process_trace(XOR_MODEL, "xor")
    assert all_files(tmp_path) == {xor_model}


def test_trace_of_a_trained_model_continues_its_run(capsys, tmp_path, xor_model):
    run(capsys, "train", xor_model, "--data", "xor", "--steps", 7, "--out", tmp_path / "run")
    code, stdout, _ = run(capsys, "trace", tmp_path / "run" / "model.json", "--data", "xor", "--out", "-")
    assert code == 0 and json.loads(stdout)["step"] == 7


def test_trace_perceptron_writes_null_grad_norm(capsys, tmp_path):
    model = write_json(tmp_path / "p.json", PERCEPTRON_MODEL)
    code, stdout, _ = run(capsys, "trace", model, "--data", "and", "--out", "-")
    assert code == 0 and json.loads(stdout)["grad_norm"] is None


# -- failures --------------------------------------------------------------------------------------
def _setup_bad_inputs(tmp_path: Path) -> None:
    write_json(tmp_path / "xor.json", XOR_MODEL)
    write_json(tmp_path / "softmax.json", SOFTMAX_MODEL)
    write_json(tmp_path / "overflow.json", OVERFLOW_MODEL)
    (tmp_path / "broken.json").write_text('{"format": "nnviz.model/1", "inputs": 2,', encoding="utf-8")
    (tmp_path / "broken.toml").write_text('format = "nnviz.model/1"\ninputs = \n', encoding="utf-8")
    write_json(tmp_path / "badlayer.json", {**XOR_MODEL, "layers": [{"type": "dense2", "units": 1}]})
    (tmp_path / "ragged.csv").write_text("x1,x2,y\n0,0,0\n0,1\n", encoding="utf-8")
    (tmp_path / "nan.csv").write_text("x1,x2,y\n0,0,0\n0,nan,1\n", encoding="utf-8")
    (tmp_path / "classes.csv").write_text("x1,x2,y\n0,0,0\n0,1,2\n", encoding="utf-8")
    (tmp_path / "wide.csv").write_text("x1,x2,x3,y\n0,0,0,0\n0,1,1,1\n", encoding="utf-8")
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")


# (argv after the command's MODEL, expected exit status, fragments of the message); {m} is the model.
TRAIN_FAILURES = {
    "missing model": (["missing.json", "--data", "xor"], 2, ["missing.json", "no such file"]),
    "malformed JSON": (["broken.json", "--data", "xor"], 2, ["malformed JSON", "line 1"]),
    "malformed TOML": (["broken.toml", "--data", "xor"], 2, ["malformed TOML"]),
    "invalid model": (["badlayer.json", "--data", "xor"], 2, ["layers[0].type", "dense2"]),
    "missing CSV": (["xor.json", "--data", "missing.csv"], 2, ["missing.csv"]),
    "malformed CSV": (["xor.json", "--data", "ragged.csv"], 2, ["line 3", "expected 3 fields"]),
    "NaN in CSV": (["xor.json", "--data", "nan.csv"], 2, ["nan.csv", "not a finite number"]),
    "unknown dataset": (["xor.json", "--data", "sprial"], 2, ["sprial", "not a built-in"]),
    "too many inputs": (["xor.json", "--data", "wide.csv"], 2,
                        ["data: the model takes 2 inputs but", "3 input columns"]),
    "too few inputs": (["xor.json", "--data", "square"], 2, ["takes 2 inputs but square has 1 input column"]),
    "too many targets": (["xor.json", "--data", "wide.csv", "--target", "x3", "--target", "y"], 2,
                         ["model has 1 output but", "2 target columns", "--target"]),
    "class out of range": (["softmax.json", "--data", "classes.csv"], 2, ["class indices", "0..1"]),
    "unknown target": (["xor.json", "--data", "wide.csv", "--target", "z"], 2, ["unknown target column 'z'"]),
    "target with built-in": (["xor.json", "--data", "xor", "--target", "y"], 2, ["CSV"]),
    "noise with CSV": (["xor.json", "--data", "wide.csv", "--noise", "0.1"], 2, ["--noise"]),
    "noise out of range": (["xor.json", "--data", "circle", "--noise", "2"], 2, ["noise"]),
    "no data": (["xor.json"], 2, ["no data", "--data"]),
    "steps 0": (["xor.json", "--data", "xor", "--steps", "0"], 2, ["--steps", ">= 1", "'0'"]),
    "steps negative": (["xor.json", "--data", "xor", "--steps", "-5"], 2, ["--steps", "'-5'"]),
    "steps not a number": (["xor.json", "--data", "xor", "--steps", "many"], 2, ["--steps"]),
    "epochs 0": (["xor.json", "--data", "xor", "--epochs", "0"], 2, ["--epochs"]),
    "steps and epochs": (["xor.json", "--data", "xor", "--steps", "3", "--epochs", "3"], 2, ["not allowed"]),
    "batch size 0": (["xor.json", "--data", "xor", "--batch-size", "0"], 2, ["--batch-size"]),
    "negative seed": (["xor.json", "--data", "xor", "--seed", "-1"], 2, ["--seed"]),
    "test fraction 1": (["xor.json", "--data", "xor", "--test-fraction", "1"], 2, ["--test-fraction"]),
    "test fraction nan": (["xor.json", "--data", "xor", "--test-fraction", "nan"], 2, ["--test-fraction"]),
    "negative noise": (["xor.json", "--data", "circle", "--noise", "-1"], 2, ["--noise"]),
    "unknown option": (["xor.json", "--data", "xor", "--stpes", "3"], 2, ["unrecognized", "--stpes"]),
    "diverged": (["overflow.json", "--data", "xor"], 1,
                 ["diverged at step 1:", "the loss", "smaller learning rate"]),
}


@pytest.mark.parametrize("case", list(TRAIN_FAILURES))
def test_train_failures(capsys, tmp_path, monkeypatch, case):
    argv, status, fragments = TRAIN_FAILURES[case]
    _setup_bad_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = all_files(tmp_path)
    code, out, err = run(capsys, "train", *argv, "--out", "run")
    assert code == status
    assert_one_error_line(code, err, *fragments)
    assert out == ""
    assert all_files(tmp_path) == before


@pytest.mark.parametrize("case", ["missing model", "malformed JSON", "NaN in CSV", "unknown dataset",
                                  "too many inputs", "too many targets", "no data", "batch size 0",
                                  "unknown option"])
def test_trace_failures(capsys, tmp_path, monkeypatch, case):
    argv, status, fragments = TRAIN_FAILURES[case]
    _setup_bad_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = all_files(tmp_path)
    code, out, err = run(capsys, "trace", *argv, "--out", "trace.json")
    assert code == status
    assert_one_error_line(code, err, *fragments)
    assert all_files(tmp_path) == before


@pytest.mark.parametrize("command, out, status, fragments", [
    ("train", "afile", 2, ["afile", "not a folder"]),
    ("train", "afile/run", 2, ["afile is a file"]),
    ("trace", "nowhere/trace.json", 2, ["does not exist"]),
    ("trace", ".", 2, ["is a folder"]),
    ("trace", "trace.json", 1, ["NaN or infinite", "trace."]),  # with the overflowing model
])
def test_bad_output_paths(capsys, tmp_path, monkeypatch, command, out, status, fragments):
    _setup_bad_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    model = "overflow.json" if status == 1 else "xor.json"
    before = all_files(tmp_path)
    code, _, err = run(capsys, command, model, "--data", "xor", "--out", out)
    assert code == status
    assert_one_error_line(code, err, *fragments)
    assert all_files(tmp_path) == before


@pytest.mark.parametrize("argv, fragments", [
    (["train", "xor.json", "--data", "xor"], ["--out"]),
    (["trace", "xor.json", "--data", "xor"], ["--out"]),
    (["trian"], ["trian: no such file", "did you mean 'train'?"]),  # a model's name, or a typo
    (["train"], ["required"]),
])
def test_usage_errors(capsys, tmp_path, monkeypatch, argv, fragments):
    _setup_bad_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_error_line(code, err, *fragments)


def test_help_returns_zero(capsys):
    code, out, _ = run(capsys, "train", "--help")
    assert code == 0 and "usage: nnviz train" in out and "--epochs" in out


def test_failed_second_write_leaves_nothing(full_disk_at_fsync, capsys, tmp_path, monkeypatch, xor_model):
    full_disk_at_fsync(2)  # metrics.csv is written, model.json is not
    before = all_files(tmp_path)
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 3,
                       "--out", tmp_path / "a" / "b")
    assert code == 1
    assert_one_error_line(code, err, "No space left on device", "model.json")
    assert all_files(tmp_path) == before  # the folders it made are gone too


@pytest.fixture
def old_run(capsys, tmp_path, xor_model) -> tuple[Path, dict[str, bytes]]:
    """A run folder holding the pair of files of a 5-step run, and their bytes."""
    out = tmp_path / "run"
    assert run(capsys, "train", xor_model, "--data", "xor", "--steps", 5, "--out", out)[0] == 0
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("failing", [1, 2])
def test_a_failed_write_keeps_the_previous_run_whole(full_disk_at_fsync, capsys, monkeypatch, xor_model, old_run,
                                                     failing):
    out, old = old_run
    (out / "notes.txt").write_text("the user's own file")
    full_disk_at_fsync(failing)
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 7, "--out", out)
    assert_one_error_line(code, err, "No space left on device", ["metrics.csv", "model.json"][failing - 1])
    assert code == 1  # the input was fine: the output could not be written
    assert contents(out) == {**old, "notes.txt": b"the user's own file"}


def test_interrupt_writes_nothing(capsys, tmp_path, monkeypatch, xor_model):
    def interrupted(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "run", interrupted)
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--out", tmp_path / "run")
    assert code == 130 and err.count("\n") == 1 and "interrupted" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("signum, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                  (signal.SIGTERM, 143, "terminated")])
def test_a_signal_while_training_keeps_the_previous_run_and_says_nothing_was_written(
        capsys, monkeypatch, xor_model, old_run, signum, status, word):
    out, old = old_run
    real_run = Experiment.run

    def run_then_signal(self, steps, *args, **kwargs):
        loss = real_run(self, steps, *args, **kwargs)
        if self.step == 10:
            signal.raise_signal(signum)
        return loss

    monkeypatch.setattr(Experiment, "run", run_then_signal)
    before = signal.getsignal(signal.SIGTERM)
    code, out_text, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 30, "--out", out)
    assert (code, out_text, err) == (status, "", f"nnviz: {word}; nothing was written\n")
    assert contents(out) == old
    assert signal.getsignal(signal.SIGTERM) is before  # the command's own handler is gone


@pytest.mark.parametrize("signum, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                  (signal.SIGTERM, 143, "terminated")])
def test_a_signal_between_the_renames_waits_and_says_what_was_written(
        capsys, monkeypatch, xor_model, old_run, signum, status, word):
    out, old = old_run
    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        if Path(dst).name == cli.METRICS_FILE:
            signal.raise_signal(signum)  # model.json is not in place yet

    monkeypatch.setattr(writing.os, "replace", replace_then_signal)
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--steps", 9, "--out", out)
    assert (code, err) == (status, f"nnviz: {word}; wrote {out / 'metrics.csv'} and {out / 'model.json'}\n")
    assert sorted(contents(out)) == ["metrics.csv", "model.json"]
    assert load_model(out / "model.json").optimizer.t == 9
    assert len(read_metrics(out / "metrics.csv")[1]) == 9


def test_train_keeps_the_modes_of_the_files_it_replaces_and_new_files_follow_the_umask(
        capsys, tmp_path, xor_model, old_run):
    out, _ = old_run
    saved = os.umask(0o027)
    try:
        (out / "model.json").chmod(0o600)
        (out / "metrics.csv").chmod(0o664)
        assert run(capsys, "train", xor_model, "--data", "xor", "--steps", 4, "--out", out)[0] == 0
        assert run(capsys, "train", xor_model, "--data", "xor", "--steps", 4, "--out", tmp_path / "fresh")[0] == 0
    finally:
        os.umask(saved)
    assert stat.S_IMODE((out / "model.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "metrics.csv").stat().st_mode) == 0o664
    for name in ("model.json", "metrics.csv"):
        assert stat.S_IMODE((tmp_path / "fresh" / name).stat().st_mode) == 0o640  # 0o666 less the umask


# -- limits ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, fragments", [
    (["train", "xor.json", "--data", "xor", "--steps", 10**30], ["--steps", "at most 1,000,000,000 steps"]),
    (["train", "xor.json", "--data", "xor", "--steps", 10**9 + 1], ["--steps", "at most 1,000,000,000 steps"]),
    (["train", "xor.json", "--data", "xor", "--steps", "9" * 5000], ["--steps", "at most 1,000,000,000", "..."]),
    (["train", "xor.json", "--data", "xor", "--epochs", 10**12], ["--epochs", "at most 1,000,000,000 epochs"]),
    (["train", "xor.json", "--data", "xor", "--epochs", 10**9, "--batch-size", 1],
     ["--epochs 1000000000", "4,000,000,000 steps", "at most 1,000,000,000 steps"]),
    (["export", "xor.json", "--data", "xor", "--plot", "loss", "--out", "l.png", "--steps", 10**10],
     ["--steps", "at most 1,000,000,000 steps"]),
    (["export", "xor.json", "--data", "xor", "--plot", "loss", "--out", "l.png", "--scale", "1e-300"],
     ["--scale", "from 0.25 to 8", "'1e-300'"]),
    (["export", "xor.json", "--data", "xor", "--plot", "loss", "--out", "l.png", "--scale", "9"],
     ["--scale", "from 0.25 to 8"]),
    (["export", "xor.json", "--data", "xor", "--plot", "loss", "--out", "l.png", "--scale", "inf"],
     ["--scale", "finite"]),
    (["export", "xor.json", "--data", "xor", "--plot", "loss", "--out", "l.gif", "--steps", 10**6,
      "--frames", 10**6], ["--frames 1000000", "at most 5,000 frames"]),
])
def test_limits_are_one_line_naming_the_limit_and_write_nothing(capsys, tmp_path, monkeypatch, argv, fragments):
    _setup_bad_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = all_files(tmp_path)
    code, out, err = run(capsys, *argv, *([] if argv[0] == "export" else ["--out", "run"]))
    assert (code, out) == (2, "")
    assert_one_error_line(code, err, *fragments)
    assert len(err) < 300
    assert all_files(tmp_path) == before


@pytest.mark.parametrize("option, text, value", [("--steps", "1000000000", 10**9), ("--epochs", "1000000000", 10**9),
                                                 ("--steps", "+7", 7)])
def test_the_largest_step_counts_are_taken(option, text, value):
    args = cli.build_parser().parse_args(["train", "m.json", option, text, "--out", "run"])
    assert getattr(args, option[2:]) == value


@pytest.mark.parametrize("text, value", [("0.25", 0.25), ("1", 1.0), ("4", 4.0), ("8", 8.0)])
def test_scales_in_the_range_are_taken(text, value):
    args = cli.build_parser().parse_args(["export", "m.json", "--plot", "loss", "--out", "l.png", "--scale", text])
    assert args.scale == value


def test_unexpected_exception_is_one_line(capsys, tmp_path, monkeypatch, xor_model):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "load_model", boom)
    monkeypatch.delenv("NNVIZ_DEBUG", raising=False)
    code, _, err = run(capsys, "train", xor_model, "--data", "xor", "--out", tmp_path / "run")
    assert code == 1
    assert_one_error_line(code, err, "RuntimeError", "boom", "please report")
    assert not (tmp_path / "run").exists()


# -- the data entry's batch_size and shuffle -------------------------------------------------------
def _losses(path: Path) -> list[float]:
    return [float(r["loss"]) for r in read_metrics(path / "metrics.csv")[1]]


def test_train_takes_batch_size_and_shuffle_from_the_data_entry(capsys, tmp_path):
    rows = {"inputs": [[a, b] for a, b, _ in XOR_ROWS], "targets": [y for *_, y in XOR_ROWS]}
    model = write_json(tmp_path / "m.json", {**XOR_MODEL, "data": {**rows, "batch_size": 1, "shuffle": False}})

    def reference(batch_size, shuffle):
        trainer = Trainer(load_model(XOR_MODEL), rows["inputs"], rows["targets"], batch_size=batch_size,
                          shuffle=shuffle)
        trainer.run(8)
        return trainer.history["loss"]

    code, out, _ = run(capsys, "train", model, "--steps", 8, "--out", tmp_path / "entry")
    assert code == 0 and "epoch 2" in out
    assert _losses(tmp_path / "entry") == reference(1, False)
    assert reference(1, False) != reference(1, True) != reference(None, True)
    run(capsys, "train", model, "--steps", 8, "--batch-size", 2, "--out", tmp_path / "two")  # overrides
    assert _losses(tmp_path / "two") == reference(2, False)
    # other data: the entry, and so its batch size, does not apply
    run(capsys, "train", model, "--data", "xor", "--steps", 8, "--out", tmp_path / "other")
    assert _losses(tmp_path / "other") == reference(None, True)
    code, out, _ = run(capsys, "trace", model, "--out", "-")
    assert code == 0 and json.loads(out)["batch_indices"] == [0]


def test_no_shuffle_turns_off_a_shuffling_data_entry(capsys, tmp_path):
    rows = {"inputs": [[a, b] for a, b, _ in XOR_ROWS], "targets": [y for *_, y in XOR_ROWS]}
    model = write_json(tmp_path / "m.json", {**XOR_MODEL, "data": {**rows, "batch_size": 1}})
    run(capsys, "train", model, "--steps", 6, "--out", tmp_path / "shuffled")
    run(capsys, "train", model, "--steps", 6, "--no-shuffle", "--out", tmp_path / "ordered")
    trainer = Trainer(load_model(XOR_MODEL), rows["inputs"], rows["targets"], batch_size=1, shuffle=False)
    trainer.run(6)
    assert _losses(tmp_path / "ordered") == trainer.history["loss"] != _losses(tmp_path / "shuffled")


# -- export ----------------------------------------------------------------------------------------
def test_export_runs_with_no_display(tmp_path):
    model = REPO / "resources" / "examples" / "circle.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO)
    out = tmp_path / "surface.png"
    done = subprocess.run([sys.executable, "-m", "nnviz", "export", str(model), "--steps", "50", "--plot", "output",
                           "--out", str(out), "--width", "640"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"nnviz: wrote {out} (output after 50 steps") and done.stderr == ""
    from PySide6 import QtGui

    image = QtGui.QImage(str(out))
    assert image.width() == 640 and image.height() > 300


def test_export_csv_is_the_trained_models_numbers(capsys, tmp_path):
    model = REPO / "resources" / "examples" / "xor-mlp.json"
    code, out, err = run(capsys, "export", model, "--steps", "25", "--plot", "graph", "--out", tmp_path / "g.csv")
    assert code == 0, err
    rows = list(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8")))
    net = load_model(model)
    Trainer(net, [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]).run(25)  # full batch, as the lesson says
    weights = {(int(r["layer_index"]), int(r["unit"]), int(r["source"])): float(r["value"])
               for r in rows if r["kind"] == "weight"}
    for i, layer in enumerate(net.layers):
        for (j, k), w in np.ndenumerate(layer.weight):
            assert weights[i, j, k] == w


@pytest.mark.parametrize("name, fragment", [("figure.bmp", "unknown format '.bmp'"),
                                            ("missing/figure.png", "does not exist"),
                                            ("figure.gif", "--steps")])
def test_export_bad_output_is_one_line_and_writes_nothing(capsys, tmp_path, name, fragment):
    model = REPO / "resources" / "examples" / "circle.json"
    code, out, err = run(capsys, "export", model, "--plot", "loss", "--out", tmp_path / name)
    assert code == 2
    assert_one_error_line(code, err, fragment)
    assert all_files(tmp_path) == set()


def test_export_interrupted_once_its_file_is_in_place_says_it_wrote_it(capsys, tmp_path, monkeypatch):
    model = REPO / "resources" / "examples" / "xor-mlp.json"
    out = tmp_path / "g.csv"
    out.write_text("old")  # replaced by a rename
    real_replace = os.replace

    def replace_then_interrupt(src, dst):
        real_replace(src, dst)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(writing.os, "replace", replace_then_interrupt)
    code, _, err = run(capsys, "export", model, "--steps", "3", "--plot", "graph", "--out", out)
    assert (code, err) == (130, f"nnviz: interrupted; wrote {out}\n")
    assert out.read_text().startswith("kind,")


def test_export_of_a_diverging_run_fails_and_writes_nothing(capsys, tmp_path):
    doc = json.loads((REPO / "resources" / "examples" / "circle.json").read_text())
    doc["optimizer"] = {"name": "sgd", "lr": 1e6}
    doc["layers"][-1]["activation"] = "identity"
    doc["loss"] = "mse"
    model = tmp_path / "wild.json"
    model.write_text(json.dumps(doc))
    code, out, err = run(capsys, "export", model, "--steps", "200", "--plot", "loss", "--out", tmp_path / "l.png")
    assert code == 1
    assert_one_error_line(code, err, "diverged")
    assert all_files(tmp_path) == {model}


# -- losses that cannot fit the targets ------------------------------------------------------------
@pytest.fixture
def three_classes_csv(tmp_path) -> Path:
    path = tmp_path / "three.csv"
    path.write_text("a,b,label\n" + "".join(f"{i % 3},{i % 5},{i % 3}\n" for i in range(30)), encoding="utf-8")
    return path


@pytest.fixture
def fractions_csv(tmp_path) -> Path:
    path = tmp_path / "fractions.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 4},{i / 40}\n" for i in range(30)), encoding="utf-8")
    return path


MISFITS = {  # model, data, the one line naming the loss and the targets
    "bce on plane": (XOR_MODEL, "plane",
                     "loss bce: targets must lie in [0, 1], but the targets of plane run from -1.11 to 1.15"),
    "bce on three classes": (XOR_MODEL, "three.csv",
                             "loss bce: targets must lie in [0, 1], but the targets of three run from 0 to 2"),
    "cross_entropy on fractions": (SOFTMAX_MODEL, "fractions.csv",
                                   "loss cross_entropy: targets must be class indices, whole numbers 0, 1, 2 …, "
                                   "but the targets of fractions include 0.025"),
    "cross_entropy past its width": (SOFTMAX_MODEL, "three.csv",
                                     "loss cross_entropy: class indices must lie in 0..1 (the output layer has 2 "
                                     "units), but the targets of three run from 0 to 2"),
}


def _misfit(tmp_path, case) -> tuple[Path, str, str]:
    doc, data, message = MISFITS[case]
    model = write_json(tmp_path / "model.json", doc)
    return model, str(tmp_path / data) if data.endswith(".csv") else data, message


@pytest.mark.usefixtures("three_classes_csv", "fractions_csv")
@pytest.mark.parametrize("case, command", [(case, command) for case in MISFITS for command in ("train", "trace")]
                         + [("bce on plane", "export")])  # export checks alike (each export starts Qt)
def test_a_loss_that_cannot_fit_the_targets_is_refused_in_one_line_and_writes_nothing(capsys, tmp_path, case,
                                                                                       command):
    model, data, message = _misfit(tmp_path, case)
    before = all_files(tmp_path)
    out = {"train": tmp_path / "run", "trace": tmp_path / "trace.json", "export": tmp_path / "loss.png"}[command]
    extra = ["--plot", "loss"] if command == "export" else []
    code, stdout, err = run(capsys, command, model, "--data", data, *extra, "--out", out)
    assert code == 2 and stdout == ""
    assert_one_error_line(code, err, message)
    assert all_files(tmp_path) == before


def test_a_loss_that_fits_the_targets_trains_and_writes_both_files_with_no_accuracy_for_regression(capsys, tmp_path):
    model = write_json(tmp_path / "mse.json", {**XOR_MODEL, "loss": "mse",
                                               "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                                                          {"type": "dense", "units": 1}]})
    code, out, err = run(capsys, "train", model, "--data", "plane", "--steps", 50, "--test-fraction", 0.2,
                         "--out", tmp_path / "run")
    assert code == 0, err
    assert {p.name for p in (tmp_path / "run").iterdir()} == {"model.json", "metrics.csv"}
    assert "train loss" in out and "test loss" in out and "accuracy" not in out


def test_ten_classes_on_one_output_get_no_accuracy(capsys, tmp_path):
    """MSE on one output fits labels 0..9 as values, but one output cannot tell ten classes apart."""
    data = tmp_path / "ten.csv"
    data.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 10}\n" for i in range(60)), encoding="utf-8")
    model = write_json(tmp_path / "mse.json", {**XOR_MODEL, "loss": "mse",
                                               "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                                                          {"type": "dense", "units": 1}]})
    code, out, err = run(capsys, "train", model, "--data", data, "--steps", 50, "--out", tmp_path / "run")
    assert code == 0, err
    assert "train loss" in out and "accuracy" not in out


def test_a_truth_table_is_not_split_even_when_asked(capsys, tmp_path, xor_model):
    code, out, err = run(capsys, "train", xor_model, "--data", "xor", "--test-fraction", 0.5, "--steps", 5,
                         "--out", tmp_path / "run")
    assert code == 0, err
    assert "(4 rows," in out and "test loss" not in out
    header, _ = read_metrics(tmp_path / "run" / "metrics.csv")
    assert "test_loss" not in header


def test_train_past_the_history_cap_keeps_each_test_loss_on_its_own_step(capsys, tmp_path, xor_model, monkeypatch):
    """Beyond the cap the history keeps buckets of steps: the test losses still sit on the steps they
    were taken at (the epoch ends and the last step), never shifted onto other rows."""
    import nnviz.core.history as history

    monkeypatch.setattr(history.History.__init__, "__defaults__", (200,))  # cap 200 rows instead of 100k
    code, _, _ = run(capsys, "train", xor_model, "--data", "circle", "--test-fraction", 0.25,
                     "--batch-size", 64, "--epochs", 100, "--out", tmp_path / "run")
    assert code == 0
    _, rows = read_metrics(tmp_path / "run" / "metrics.csv")
    assert len(rows) < 500  # 586 steps, decimated
    filled = [int(r["step"]) for r in rows if r["test_loss"]]
    last = math.ceil(100 * 375 / 64)
    assert filled and filled[-1] == int(rows[-1]["step"]) == last  # the last step has its test loss
    # every other filled row is a step that completes an epoch (375 training rows, 64 a step)
    epoch_ends = {k for k in range(1, last + 1) if 64 * k // 375 > 64 * (k - 1) // 375}
    assert set(filled[:-1]) <= epoch_ends and len(filled) >= 10
