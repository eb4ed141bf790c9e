"""``nnviz code``: a PyTorch script (or notebook) from the command line, taking MODEL and the data and
training options as ``nnviz train`` does; ``python train.py --steps N --metrics FILE`` writes the rows
``nnviz train`` writes for the same arguments."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from nnviz import cli
from nnviz.core import writing

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not importable")

XOR_MODEL = {
    "format": "nnviz.model/1", "inputs": 2,
    "layers": [{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dropout", "p": 0.2},
               {"type": "dense", "units": 1, "activation": "sigmoid"}],
    "loss": "bce", "optimizer": {"name": "adam", "lr": 0.05}, "schedule": {"name": "step", "step_size": 7},
    "seed": 1,
}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run_script(script: Path, *args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=script.parent, env=_env())
    assert done.returncode == 0, done.stderr
    return done


def _env() -> dict:
    import os

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)  # the script needs nothing of nnviz
    return env


def assert_same_metrics(expected: list[dict], got: list[dict]) -> None:
    """Same columns and steps, the same epochs and rates to the digit, losses to 1e-9."""
    assert got and len(got) == len(expected) and list(got[0]) == list(expected[0])
    for want, row in zip(expected, got):
        assert (row["step"], row["epoch"], row["lr"]) == (want["step"], want["epoch"], want["lr"])
        for column in set(want) - {"step", "epoch", "lr"}:
            if want[column] == "":
                assert row[column] == "", (column, row)
            else:
                assert math.isclose(float(row[column]), float(want[column]), rel_tol=1e-9), (column, want, row)


def test_code_writes_a_script_that_names_how_it_was_made(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "code", "circle", "--steps", "40", "--batch-size", "10", "--out", "train.py")
    assert code == 0 and err == ""
    assert "wrote train.py" in out and "40 steps from step 0 on circle" in out
    text = (tmp_path / "train.py").read_text(encoding="utf-8")
    compile(text, "train.py", "exec")
    assert "nnviz code circle --steps 40 --batch-size 10 --out train.py" in text
    assert "STEPS = 40" in text and "BATCH_SIZE = 10" in text and "Runs on: cpu, in float64" in text


@needs_torch
def test_the_script_trains_as_nnviz_train_does_for_the_same_arguments(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["circle", "--steps", "30", "--batch-size", "16", "--test-fraction", "0.4", "--seed", "5"]
    assert run(capsys, "code", *args, "--out", "train.py")[0] == 0
    assert run(capsys, "train", *args, "--out", "run")[0] == 0
    run_script(tmp_path / "train.py", "--metrics", "metrics.csv")  # its own default: the 30 steps
    assert_same_metrics(rows(tmp_path / "run" / "metrics.csv"), rows(tmp_path / "metrics.csv"))


@needs_torch
def test_the_script_of_a_trained_model_goes_on_where_nnviz_train_stands(capsys, tmp_path, monkeypatch):
    """Dropout masks, Adam's state and a step schedule carry on from step 20 of a run on a CSV file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "xor.json").write_text(json.dumps(XOR_MODEL), encoding="utf-8")
    (tmp_path / "xor.csv").write_text("a,b,label\n" + "".join(
        f"{a},{b},{a ^ b}\n" for _ in range(3) for a in (0, 1) for b in (0, 1)), encoding="utf-8")
    assert run(capsys, "train", "xor.json", "--data", "xor.csv", "--batch-size", "5", "--steps", "20",
               "--out", "first")[0] == 0
    assert run(capsys, "code", "first/model.json", "--steps", "25", "--out", "more.ipynb")[0] == 0
    assert run(capsys, "code", "first/model.json", "--out", "more.py")[0] == 0
    assert run(capsys, "train", "first/model.json", "--steps", "25", "--out", "second")[0] == 0
    run_script(tmp_path / "more.py", "--steps", "25", "--metrics", "metrics.csv")
    assert_same_metrics(rows(tmp_path / "second" / "metrics.csv")[-25:], rows(tmp_path / "metrics.csv"))
    assert rows(tmp_path / "metrics.csv")[0]["step"] == "21"
    notebook = json.loads((tmp_path / "more.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4 and "STEPS = 25" in json.dumps(notebook)


def test_device_sets_the_scripts_default_and_its_header(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "code", "xor-mlp", "--device", "cuda", "--out", "t.py")[0] == 0
    text = (tmp_path / "t.py").read_text(encoding="utf-8")
    assert "Runs on: cuda" in text and 'DEVICE = "cuda"' in text


def test_help_lists_the_command(capsys):
    code, out, _ = run(capsys, "code", "--help")
    assert code == 0 and "usage: nnviz code" in out and "--device" in out and ".ipynb" in out


# -- bad input: one line, exit 2, nothing written ------------------------------------------------------
@pytest.mark.parametrize("argv, fragments", [
    (["code", "nosuchmodel", "--out", "t.py"], ["nosuchmodel: no such file", "examples:"]),
    (["code", "circle", "--out", "train.txt"], ["--out train.txt", "expected a file ending in .py or .ipynb"]),
    (["code", "circle", "--out", "train"], ["expected a file ending in .py or .ipynb"]),
    (["code", "circle", "--out", "nowhere/train.py"], ["the folder nowhere does not exist"]),
    (["code", "circle", "--out", "afolder.py"], ["is a folder"]),
    (["code", "circle", "--device", "tpu", "--out", "t.py"], ["--device", "tpu"]),
    (["code", "circle", "--steps", "-3", "--out", "t.py"], ["--steps"]),
    (["code", "circle", "--data", "nosuchdata", "--out", "t.py"], ["nosuchdata"]),
    (["code", "circle"], ["--out"]),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, monkeypatch, argv, fragments):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afolder.py").mkdir()
    before = set(tmp_path.rglob("*"))
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnviz: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert set(tmp_path.rglob("*")) == before


def test_an_unwritable_folder_is_refused_before_any_work(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "locked").mkdir()
    real = cli.os.access
    monkeypatch.setattr(cli.os, "access", lambda path, mode: Path(path).name != "locked" and real(path, mode))
    code, _, err = run(capsys, "code", "circle", "--out", "locked/train.py")
    assert code == 2 and "cannot write in locked (permission denied)" in err and len(err.splitlines()) == 1
    assert list((tmp_path / "locked").iterdir()) == []


def test_a_failed_write_is_one_line_exit_1_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing.StagedFile, "write", full)
    code, _, err = run(capsys, "code", "circle", "--out", "train.py")
    assert code == 1 and "train.py: cannot write (No space left on device)" in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_kind_without_a_pytorch_form_is_refused_in_one_line(capsys, tmp_path, monkeypatch):
    from nnviz.core.losses import LOSSES, MSE

    class Plugged(MSE):
        name = "plugged_codegen"
        torch_code = None

    monkeypatch.chdir(tmp_path)
    doc = {**XOR_MODEL, "loss": "plugged_codegen", "layers": XOR_MODEL["layers"][:1] + [
        {"type": "dense", "units": 1}]}
    (tmp_path / "m.json").write_text(json.dumps(doc), encoding="utf-8")
    with LOSSES.registered(Plugged):
        code, _, err = run(capsys, "code", "m.json", "--data", "xor", "--out", "t.py")
    assert code == 2 and "loss 'plugged_codegen' has no PyTorch code" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "t.py").exists()
