"""``nnviz train`` killed — SIGKILL, SIGTERM and SIGINT, 20 times — leaves its output folder with the
old pair of files or the new pair, compared byte for byte, and nothing else (no temporary file,
there or beside it); when it has a word to say, the word is true.

Half the signals come at a random moment of the run. The other half come while the pair is being
written, the few milliseconds that matter: the run is frozen (SIGSTOP) as soon as it has a file open
in the output folder, signalled, and let go. SIGKILL, which no program can catch, is sent there unless
the folder then shows a temporary name: the files are being renamed, a few tens of microseconds
that can be made short but not safe from SIGKILL (no file system renames two files at once). While
the data are written and synced, the folder shows nothing new (anonymous files, Linux's O_TMPFILE).
"""

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
POLL = 0.001  # seconds between looks at what the run has open
# a small network and many steps: metrics.csv has a row per step (about 600 kB)
MODEL = {"format": "nnviz.model/1", "inputs": 2,
         "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                    {"type": "dense", "units": 1, "activation": "sigmoid"}],
         "loss": "bce", "optimizer": {"name": "adam", "lr": 0.05}, "seed": 3}
# Ctrl-C and kill as in a terminal, whatever the test runner ignores (children inherit SIG_IGN)
LAUNCH = ("import signal, runpy; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "signal.signal(signal.SIGTERM, signal.SIG_DFL); runpy.run_module('nnviz', run_name='__main__')")

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs POSIX signals and /proc")


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


def writing_into(pid: int, folder: Path) -> bool:
    """Whether the process has a file open in ``folder`` (an anonymous one shows as "#inode (deleted)")."""
    fds, prefix = Path(f"/proc/{pid}/fd"), f"{folder}{os.sep}"
    try:
        names = os.listdir(fds)
    except OSError:  # the process has ended
        return False
    for name in names:
        try:
            if os.readlink(fds / name).startswith(prefix):
                return True
        except OSError:  # closed meanwhile
            pass
    return False


def freeze_while_writing(proc: subprocess.Popen, folder: Path) -> bool:
    """Wait until the process has a file open in ``folder`` (it is writing the pair) and stop it
    there (SIGSTOP); False if it ended first."""
    while proc.poll() is None:
        if writing_into(proc.pid, folder):
            proc.send_signal(signal.SIGSTOP)
            _, status = os.waitpid(proc.pid, os.WUNTRACED)  # stopped (not reaped)
            if not os.WIFSTOPPED(status):
                proc.returncode = os.waitstatus_to_exitcode(status)  # ended meanwhile: reaped here
                return False
            return True
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
    outcomes, killed_while_writing = [], 0
    for k in range(KILLS):
        signum = signals[k]
        for name, data in old.items():  # each run starts from the old pair
            (out / name).write_bytes(data)
        proc = start(model, NEW_STEPS, out)
        if k % 2:  # a moment anywhere in the run
            moment = rng.uniform(0.0, 1.1 * duration)
            when = f"at {moment:.3f} s"
            try:
                proc.wait(timeout=moment)  # the moment comes, or the run ends first
            except subprocess.TimeoutExpired:
                proc.send_signal(signum)
        else:  # while the pair is being written
            when = "while writing"
            if freeze_while_writing(proc, out):
                listing = sorted(os.listdir(out))
                when += f", the folder holding {listing}"
                # a temporary name in the folder: the files are being renamed, which SIGKILL can cut
                if signum != signal.SIGKILL or listing == sorted(PAIR):
                    proc.send_signal(signum)
                    killed_while_writing += signum == signal.SIGKILL
                proc.send_signal(signal.SIGCONT)
        _, err = proc.communicate(timeout=120)
        status = proc.returncode
        what = f"kill {k} ({signal.Signals(signum).name} {when})"

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
        outcomes.append((signum, status, written, when))

    # the moments were spread: some runs were stopped before the files were in place, and nnviz
    # itself answered some of the signals
    assert any(not written for _, _, written, _ in outcomes), outcomes
    assert any(status in (130, 143) for _, status, _, _ in outcomes), outcomes
    assert killed_while_writing, outcomes  # and SIGKILL came while the data were being written
