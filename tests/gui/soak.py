"""A soak of the real window: random commands every few milliseconds for a while, offscreen.

    python tests/gui/soak.py --seconds 60 [--threaded] [--seed 0]

Prints one JSON line: the commands sent, the messages shown, the unexpected ones (raw exceptions),
the event loop's lateness (p99, max), the memory growth after the warm-up (this process and its
training process), how long a Save sent last took to be written, how long closing took; exits 0
unless something raised. ``tests/gui/test_soak.py`` runs it and checks the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: a message that is an exception's own text rather than nnviz's words ("TypeError: ...")
RAW = re.compile(r"^(Something went wrong|[A-Z][A-Za-z]*(Error|Exception|Warning)\b)")
LAYERS = [[{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dense", "units": 1}],
          [{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dense", "units": 8, "activation": "relu"},
           {"type": "dense", "units": 1}],
          [{"type": "dense", "units": 3, "activation": "sigmoid"}, {"type": "dropout", "p": 0.2},
           {"type": "dense", "units": 1}]]


def rss(pid: int | None) -> int:
    """Resident bytes of process ``pid`` (0 when gone or not Linux)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration, TypeError):
        return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--threaded", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from PySide6 import QtCore

    from nnviz.core.datasets import DATASETS
    from nnviz.core.experiment import DataConfig
    from nnviz.gui.app import create_application, install_excepthook
    from nnviz.gui.controls.training import SPEEDS
    from nnviz.gui.main_window import MainWindow
    from nnviz.gui.session import TrainingSession

    TrainingSession.threaded_by_default = args.threaded
    app = create_application()
    window = MainWindow()
    window.confirm_discard = lambda: True
    install_excepthook(window)
    window.resize(1400, 900)
    window.show()
    session = window.session
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="nnviz-soak-")
    messages: list[str] = []
    session.failed.connect(messages.append)
    session.diverged.connect(messages.append)
    session.noticed.connect(messages.append)
    saved: list[tuple[str, float]] = []
    session.saved.connect(lambda path: saved.append((path, time.perf_counter())))
    datasets = list(DATASETS)

    def a_parameter():
        snap = session.latest
        name = rng.choice(sorted(snap.params))
        shape = snap.params[name].shape
        return name, tuple(rng.randrange(n) for n in shape)

    commands = [
        lambda: session.toggle(), lambda: session.play(), lambda: session.pause(),
        lambda: session.step(rng.randint(1, 40)), lambda: session.step_epoch(), lambda: session.reset(),
        lambda: session.set_speed(rng.choice(SPEEDS)),
        lambda: session.set_training(lr=rng.choice([0.001, 0.03, 0.3, 3.0, 100.0, -1.0])),
        lambda: session.set_training(loss=rng.choice(["mse", "bce", "mae", "huber"])),
        lambda: session.set_training(optimizer=rng.choice(["sgd", "adam", "rmsprop"])),
        lambda: session.set_layers(rng.choice(LAYERS)),
        lambda: session.set_data(DataConfig(dataset=rng.choice(datasets), noise=rng.choice([0.0, 0.1]))),
        lambda: session.edit_parameter(*a_parameter(), rng.uniform(-2, 2)),
        lambda: session.publish(),
        lambda: session.save(os.path.join(folder, f"soak-{rng.randrange(3)}.json")),
        lambda: session.walk(rng.random() < 0.5),
    ]
    sent = 0
    lateness: list[float] = []
    memory: dict[str, int] = {}
    start = time.perf_counter()
    expected = [start]

    def send():
        nonlocal sent
        rng.choice(commands)()
        sent += 1
        driver.start(rng.randint(2, 8))

    def watch():  # a 10 ms timer: how late it fires is how long the event loop was busy
        now = time.perf_counter()
        lateness.append(max(0.0, now - expected[0]))
        expected[0] = now + 0.010
        if "warm" not in memory and now - start >= args.warmup:
            memory["warm"] = rss(os.getpid()) + rss(session.child_pid)

    def finish():
        driver.stop()
        memory["end"] = rss(os.getpid()) + rss(session.child_pid)
        path = os.path.join(folder, "last.json")
        sent_at = time.perf_counter()

        def written():
            return any(p == path for p, _ in saved)

        session.save(path)
        deadline = time.perf_counter() + 30
        while not written() and time.perf_counter() < deadline:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
        save_seconds = next((t for p, t in saved if p == path), float("nan")) - sent_at
        ticker.stop()
        closing = time.perf_counter()
        window.close()
        close_seconds = time.perf_counter() - closing
        lateness.sort()
        raw = [m for m in messages + [window.last_message] if RAW.match(m or "")]
        result = {"commands": sent, "messages": len(messages), "raw": raw[:5],
                  "latency_p99_ms": 1000 * lateness[int(0.99 * (len(lateness) - 1))],
                  "latency_max_ms": 1000 * lateness[-1],
                  "rss_growth_mb": (memory["end"] - memory.get("warm", memory["end"])) / 2**20,
                  "save_seconds": save_seconds, "close_seconds": close_seconds,
                  "threads_left": [s for s in TrainingSession.instances() if s.is_running()] != [],
                  "multiline": [m for m in messages if "\n" in m][:3]}
        print(json.dumps(result), flush=True)
        app.exit(1 if raw else 0)

    driver = QtCore.QTimer(singleShot=True, timeout=send)
    ticker = QtCore.QTimer(interval=10, timeout=watch)
    ticker.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    driver.start(0)
    ticker.start()
    QtCore.QTimer.singleShot(round(1000 * args.seconds), finish)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
