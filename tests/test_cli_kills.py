"""``nnviz train`` killed at random moments — SIGKILL, SIGTERM and SIGINT, 20 times — leaves its
output folder with the old pair of files or the new pair, compared byte for byte, and nothing else
(no temporary file, there or beside it); when it has a word to say, the word is true."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAIR = ("metrics.csv", "model.json")
KILLS = 20
OLD_STEPS, NEW_STEPS = 50, 10_000  # the new run starts, trains and writes in about a second
WRITE_WINDOW = 0.004  # seconds: about how long writing and syncing the new pair takes
POLL = 0.001  # seconds between looks at what the run has open
# a small network and many steps: metrics.csv has a row per step (about 600 kB)
MODEL = {"format": "nnviz.model/1", "inputs": 2,
         "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                    {"type": "dense", "units": 1, "activation": "sigmoid"}],
         "loss": "bce", "optimizer": {"name": "adam", "lr": 0.05}, "seed": 3}
# Ctrl-C and kill as in a terminal, whatever the test runner ignores (children inherit SIG_IGN)
LAUNCH = ("import signal, runpy; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "signal.signal(signal.SIGTERM, signal.SIG_DFL); runpy.run_module('nnviz', run_name='__main__')")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def start(model: Path, steps: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", LAUNCH, "train", str(model), "--data", "xor",
                             "--steps", str(steps), "--out", str(out)],
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def train(model: Path, steps: int, out: Path) -> float:
    """Run to the end; returns how long it took."""
    began = time.monotonic()
    proc = start(model, steps, out)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return time.monotonic() - began


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def writing_into(proc: subprocess.Popen, folder: Path) -> bool:
    """Wait until the process has a file open in ``folder`` (it is writing the pair: true at once
    for an anonymous file, which shows there as "#inode (deleted)"); False if it ends first or the
    system has no /proc to tell."""
    fds, prefix = Path(f"/proc/{proc.pid}/fd"), f"{folder}{os.sep}"
    while proc.poll() is None:
        try:
            names = os.listdir(fds)
        except OSError:
            return False
        for name in names:
            try:
                if os.readlink(fds / name).startswith(prefix):
                    return True
            except OSError:  # closed meanwhile
                pass
        time.sleep(POLL)  # polling /proc flat out would slow the run it watches several times
    return False


def test_killed_train_leaves_the_old_pair_or_the_new_pair_and_nothing_else(tmp_path):
    model = tmp_path / "xor.json"
    model.write_text(json.dumps(MODEL), encoding="utf-8")
    folder = tmp_path / "runs"  # holds the run folder only: a temporary file beside it would show
    out = folder / "run"
    train(model, OLD_STEPS, out)
    old = files(out)
    duration = train(model, NEW_STEPS, tmp_path / "reference")
    new = files(tmp_path / "reference")
    assert sorted(old) == sorted(new) == sorted(PAIR) and old != new

    rng = random.Random(14)
    signals = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT] * (KILLS // 3 + 1)
    outcomes = []
    for k in range(KILLS):
        signum = signals[k]
        for name, data in old.items():  # each run starts from the old pair
            (out / name).write_bytes(data)
        proc = start(model, NEW_STEPS, out)
        if k % 2:  # a moment anywhere in the run
            moment = rng.uniform(0.0, 1.1 * duration)
        else:  # a moment while the files are being written (a few hundredths of a second)
            moment = rng.uniform(0.0, WRITE_WINDOW) if writing_into(proc, out) else 0.0
        try:
            proc.wait(timeout=moment)  # the moment comes, or the run ends first
        except subprocess.TimeoutExpired:
            pass
        if proc.poll() is None:
            proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
        status = proc.returncode
        what = f"kill {k} ({signal.Signals(signum).name}, {'anywhere' if k % 2 else 'writing'} +{moment:.3f} s)"

        assert sorted(os.listdir(folder)) == ["run"], f"{what}: a file beside the run folder"
        now = files(out)
        assert sorted(now) == sorted(PAIR), f"{what}: {sorted(now)}"
        assert now in (old, new), f"{what}: a mixed pair"
        written = now == new
        if status in (130, 143):  # nnviz caught Ctrl-C or SIGTERM: one line, and a true one
            word = "interrupted" if status == 130 else "terminated"
            expected = (f"nnviz: {word}; wrote {out / PAIR[0]} and {out / PAIR[1]}\n" if written
                        else f"nnviz: {word}; nothing was written\n")
            assert err == expected, what
        elif status == 0:
            assert written, f"{what}: a finished run that left the old pair"
        else:  # the signal ended the process itself (SIGKILL, or before nnviz's main began)
            assert status == -signum, f"{what}: status {status}, {err}"
        outcomes.append((signum, status, written))

    # the moments were spread: some runs were stopped before the files were in place, and nnviz
    # itself answered some of the signals
    assert any(not w for *_, w in outcomes), outcomes
    assert any(s in (130, 143) for _, s, _ in outcomes), outcomes
