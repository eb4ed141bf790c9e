"""Compare runs: four lanes of a 2-8-8-1 network against four headless trainers, in the same run.

    python benchmarks/bench_lanes.py            # the core lanes and the compare window's worker
    python benchmarks/bench_lanes.py --quick    # shorter

Target (issue 16): four lanes train at >= 0.8 of the combined speed of four headless trainers.

* **reference**: four plain ``Trainer`` objects (the optimizer race's settings, the same rows and
  batches), stepped one after another: the steps per second of all four together.
* **core lanes**: ``Lanes.run`` alone (forked lanes stepped in lockstep), without pictures.
* **window**: the compare window itself (offscreen), playing at full speed for a few seconds: a
  training process per lane, in lockstep chunks, the window drawing every lane after each chunk;
  the steps per second its lanes keep up once the chunks have grown (after a warm-up), all four.

Each figure is the best of a few repeats. One BLAS thread, as in the app.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.core import Trainer, build_network  # noqa: E402
from nnviz.core.experiment import DataConfig, Experiment  # noqa: E402
from nnviz.core.lanes import RACE, Lanes  # noqa: E402

TARGET = 0.8
WARM_UP_SECONDS = 2.0  # the compare window plays this long before it is timed


def document() -> dict:
    """A 2-8-8-1 tanh network on the circle data (batch 10, BCE), as the app's."""
    return {"format": "nnviz.model/1", "name": "bench", "inputs": 2,
            "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                       {"type": "dense", "units": 8, "activation": "tanh"},
                       {"type": "dense", "units": 1, "activation": "sigmoid"}],
            "loss": "bce", "optimizer": {"name": "sgd", "lr": 0.03}, "seed": 0}


def base() -> Experiment:
    return Experiment(document(), DataConfig(dataset="circle", batch_size=10))


def reference(seconds: float) -> float:
    """Four headless trainers with the race's settings, one after another: steps a second, all four."""
    exp = base()
    trainers = []
    for changes in RACE:
        doc = exp.net.to_dict(state=True)
        spec = changes["optimizer"]
        doc["optimizer"] = {**({"name": spec} if isinstance(spec, str) else spec), "lr": changes["lr"]}
        net = build_network(doc)
        trainers.append(Trainer(net, exp.X, exp.y, batch_size=10, shuffle=True, seed=net.seed))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for trainer in trainers:
            trainer.run(500)
        steps += 4 * 500
    return steps / (time.perf_counter() - start)


def core_lanes(seconds: float) -> float:
    """``Lanes.run`` alone, in chunks of 500 steps: what forking and lockstep cost in the core."""
    lanes = Lanes(base(), RACE)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        lanes.run(500)
        steps += 4 * 500
    return steps / (time.perf_counter() - start)


def window(seconds: float) -> float:
    """The compare window playing at full speed (a training process per lane, in lockstep),
    drawing every frame: its lanes' steps a second."""
    from PySide6 import QtCore

    from nnviz.gui.app import create_application
    from nnviz.gui.compare import CompareWindow

    app = create_application([])
    win = CompareWindow(base(), list(RACE))
    win.resize(1600, 1000)
    win.show()
    deadline = time.perf_counter() + 30
    while len(win.frames) < 0 or any(s is None for s in win.snapshots) and time.perf_counter() < deadline:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 10)
    win.speed_combo.setCurrentText("max")
    win.act_play.trigger()

    def wait(seconds: float) -> None:
        loop = QtCore.QEventLoop()  # the GUI thread waits in its event loop, as in the app
        QtCore.QTimer.singleShot(round(1000 * seconds), loop.quit)
        loop.exec()

    wait(WARM_UP_SECONDS)  # the chunks grow to their size first
    first, start = min(s.step for s in win.snapshots), time.perf_counter()
    wait(seconds)
    steps, elapsed = min(s.step for s in win.snapshots) - first, time.perf_counter() - start
    win.act_play.trigger()
    win.close()
    app.processEvents()
    return 4 * steps / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    seconds, repeats = (1.0, 2) if args.quick else (3.0, 3)
    ref = max(reference(seconds) for _ in range(repeats))
    core = max(core_lanes(seconds) for _ in range(repeats))
    shown = max(window(seconds) for _ in range(max(1, repeats - 1)))
    print(f"one BLAS thread; {os.cpu_count()} cores")
    print("| four runs of 2-8-8-1 (circle, batch 10) | steps/s, all four | vs four trainers | target |")
    print("|---|---:|---:|---:|")
    print(f"| four headless trainers | {ref:,.0f} | 1.00 | |")
    for name, value in (("core lanes (Lanes.run)", core), ("the compare window, playing at max", shown)):
        ratio = value / ref
        mark = "ok" if ratio >= TARGET else "below"
        print(f"| {name} | {value:,.0f} | {ratio:.2f} | ≥ {TARGET} {mark} |")


if __name__ == "__main__":
    main()
