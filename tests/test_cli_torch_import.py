"""The command line on PyTorch weights: ``nnviz train|trace|export FILE.safetensors`` and ``nnviz FILE``
(as a launcher calls it) open the imported model; a malformed file or a pickle exits 2 with one line;
what the import assumed is a note on stderr. The recorded fixture is tests/reference/torch_import/."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz.core import load_model

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "reference" / "torch_import" / "mlp.safetensors"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnviz: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def without_sidecar(tmp_path: Path) -> Path:
    path = tmp_path / "mlp.safetensors"
    shutil.copy(FIXTURE, path)
    return path


def test_train_an_imported_model_on_its_sidecars_data(capsys, tmp_path):
    code, out, err = run(capsys, "train", FIXTURE, "--steps", 3, "--out", tmp_path / "run")
    assert (code, err) == (0, ""), err
    assert "trained 3 steps on circle" in out
    trained = load_model(tmp_path / "run" / "model.json")
    assert trained.step_count == 3 and trained.loss.name == "bce" and len(trained.layers) == 8


def test_without_a_sidecar_the_assumptions_are_a_note_on_stderr(capsys, tmp_path):
    code, out, err = run(capsys, "train", without_sidecar(tmp_path), "--data", "circle", "--steps", 2,
                         "--out", tmp_path / "run")
    assert code == 0, err
    assert err.startswith("nnviz: note: mlp.safetensors has no architecture (mlp.safetensors.json)")
    assert len(err.splitlines()) == 1 and "ReLU" in err


def test_trace_and_export_read_the_imported_weights(capsys, tmp_path):
    code, out, _ = run(capsys, "trace", FIXTURE, "--out", "-")
    assert code == 0 and json.loads(out)["format"] == "nnviz.trace/1"
    code, _, err = run(capsys, "export", FIXTURE, "--plot", "graph", "--out", tmp_path / "g.csv")
    assert code == 0, err
    rows = list(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8")))
    net = load_model(FIXTURE)
    first = {(int(r["unit"]), int(r["source"])): float(r["value"]) for r in rows
             if r["kind"] == "weight" and r["layer_index"] == "0"}
    for (j, k), w in np.ndenumerate(net.layers[0].weight):
        assert first[j, k] == w


def test_a_truncated_file_exits_2_with_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(FIXTURE.read_bytes()[:-10])
    code, out, err = run(capsys, "train", bad, "--data", "circle", "--out", tmp_path / "run")
    assert_one_error_line(code, err, str(bad), "the file is truncated")
    assert out == "" and not (tmp_path / "run").exists()


@pytest.mark.parametrize("command", [["train"], ["trace"], ["export"]])
def test_a_pickle_exits_2_with_how_to_convert_it(capsys, tmp_path, command):
    model = tmp_path / "model.pt"
    model.write_bytes(b"PK\x03\x04" + bytes(40))
    extra = {"train": ["--out", tmp_path / "run"], "trace": ["--out", "-"],
             "export": ["--plot", "loss", "--out", tmp_path / "l.csv"]}[command[0]]
    code, out, err = run(capsys, *command, model, "--data", "circle", *extra)
    assert_one_error_line(code, err, "model.pt: a PyTorch pickle", "can run any code",
                          'save_file(model.state_dict(), "model.safetensors")')


# -- in a subprocess, as a launcher runs it ----------------------------------------------------------------------
def environment(tmp_path: Path) -> dict:
    """The worktree's nnviz, settings in ``tmp_path``, no display: the app runs offscreen for 1 s."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "NNVIZ_DEBUG")}
    env.update(PYTHONPATH=str(REPO), HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               NNVIZ_HEADLESS_SECONDS="1")
    return env


def nnviz(tmp_path: Path, *argv, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnviz", *map(str, argv)], cwd=tmp_path,
                          env={**environment(tmp_path), **env}, capture_output=True, text=True, timeout=120)


def test_the_app_opens_pytorch_weights_as_a_launcher_calls_it(tmp_path):
    done = nnviz(tmp_path, FIXTURE)
    assert done.returncode == 0, done.stderr
    assert "on circle" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize("argv", [("open", "model.pth"), ("model.pth",), ("bad.safetensors",)])
def test_the_app_refuses_a_pickle_or_a_malformed_file_with_exit_2(tmp_path, argv):
    (tmp_path / "model.pth").write_bytes(b"\x80\x02}q\x00.")
    (tmp_path / "bad.safetensors").write_bytes((10**6).to_bytes(8, "little") + b"{}")
    done = nnviz(tmp_path, *argv, QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith(f"nnviz: error: {argv[-1]}"), done.stderr
    assert "Traceback" not in done.stderr
