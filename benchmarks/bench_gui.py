"""The desktop app under load: frames drawn, training speed, latency and memory, for four models.

    python benchmarks/bench_gui.py                        # every model, 10 s a run, a 180 s soak at max
    python benchmarks/bench_gui.py --quick                # smoke run: 1 s a run, no soak
    python benchmarks/bench_gui.py --models circle,spiral --seconds 5 --soak 60
    python benchmarks/bench_gui.py --one 784-128-10 --speed max   # one run in this process, as JSON

Models (``--models``): ``circle`` 2-4-2-1 tanh on circle (the app's default model); ``spiral``
2-8x6-1 tanh on spiral; ``64-32-10`` ReLU, softmax and cross-entropy on 2,000 imported rows of 64
features and 10 classes; ``784-128-10`` the same on 2,000 rows of 784 features, and
``784-128-10-70k`` on 70,000. Each runs at the app's default speed (``DEFAULT_SPEED``) and at max
(speed 0), with the main window at 1600x1000 and every dock shown, and reports:
  * frames drawn per second: ``snapshot_ready`` emissions while playing (target >= 30, and >= 55
    for 2-4-2-1 at the default speed);
  * training steps per second, and their ratio to headless ``Trainer.run`` on the same model and
    data, measured in the same process before and after the window's run (target at max >= 0.9,
    >= 0.8 for 784-128-10);
  * event-loop latency p99: how late a 10 ms timer fires on the GUI thread (target < 20 ms);
  * at max, the growth of the resident memory of the GUI process plus its training process, if it
    has one, over a soak (target < 50 MB over 3 minutes; Linux's /proc, "n/a" elsewhere);
and the time from starting Python to the first painted window (target <= 1 s) and the network
graph's frame time for 784-128-10 (target < 50 ms). Every run is a fresh Python process, so runs
share no memory or state. Prints a Markdown table for the README, with the date and the machine.
Runs offscreen (``QT_QPA_PLATFORM=offscreen``) unless a display is set.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import operator
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from nnviz.core import Trainer, load_model  # noqa: E402
from nnviz.core.data import Dataset  # noqa: E402
from nnviz.core.experiment import DataConfig, Experiment, default_document  # noqa: E402
from nnviz.core.timeline import DEFAULT_BUDGET  # noqa: E402
from nnviz.training_process import CHILD_ENVIRONMENT  # noqa: E402

SPEEDS = ("default", "max")
RESULT = "RESULT "  # prefixes the JSON line a child run prints, apart from anything else on stdout
MB = 2**20


# -- models ---------------------------------------------------------------------------------------
def tanh_document(hidden: list[int]) -> dict:
    """2-<hidden>-1 tanh with a sigmoid output, binary cross-entropy and Adam."""
    layers = [{"type": "dense", "units": u, "activation": "tanh"} for u in hidden]
    layers.append({"type": "dense", "units": 1, "activation": "sigmoid"})
    return {"format": "nnviz.model/1", "inputs": 2, "layers": layers, "loss": "bce",
            "optimizer": {"name": "adam", "lr": 0.01}, "seed": 0}


def classifier_document(features: int, hidden: int, classes: int) -> dict:
    """features-hidden-classes, ReLU, a softmax output, cross-entropy and Adam."""
    layers = [{"type": "dense", "units": hidden, "activation": "relu"},
              {"type": "dense", "units": classes, "activation": "softmax"}]
    return {"format": "nnviz.model/1", "inputs": features, "layers": layers, "loss": "cross_entropy",
            "optimizer": {"name": "adam", "lr": 0.001}, "seed": 0}


def class_clusters(features: int, rows: int, classes: int = 10) -> Dataset:
    """``rows`` rows of ``classes`` Gaussian clusters in ``features`` dimensions, as an imported set
    (a stand-in for digits: only the shape matters to the cost)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, classes, rows)
    X = rng.normal(size=(rows, features))
    X += rng.normal(size=(classes, features))[labels]
    return Dataset(X, labels.astype(float), f"clusters{features}", "classification",
                   tuple(f"x{i + 1}" for i in range(features)), ("label",))


def circle() -> tuple[dict, DataConfig]:
    return default_document(), DataConfig(dataset="circle")


def spiral() -> tuple[dict, DataConfig]:
    return tanh_document([8] * 6), DataConfig(dataset="spiral")


def imported(features: int, hidden: int, rows: int) -> tuple[dict, DataConfig]:
    data = class_clusters(features, rows)
    return classifier_document(features, hidden, 10), DataConfig(dataset=data.name, imported=data)


class Model(NamedTuple):
    """A benchmarked model: its name and its data's in the report, and how to build both."""

    title: str
    data_title: str
    build: Callable[[], tuple[dict, DataConfig]]


MODELS = {
    "circle": Model("2-4-2-1 tanh", "circle", circle),
    "spiral": Model("2-8×6-1 tanh", "spiral", spiral),
    "64-32-10": Model("64-32-10 ReLU", "2,000 × 64 imported", functools.partial(imported, 64, 32, 2_000)),
    "784-128-10": Model("784-128-10 ReLU", "2,000 × 784 imported", functools.partial(imported, 784, 128, 2_000)),
    "784-128-10-70k": Model("784-128-10 ReLU", "70,000 × 784 imported",
                            functools.partial(imported, 784, 128, 70_000)),
}


# -- targets --------------------------------------------------------------------------------------
class Target(NamedTuple):
    """A bound a figure must meet, e.g. ``Target("≥", 30)``."""

    sign: str  # "≥", "≤" or "<"
    bound: float
    unit: str = ""

    def mark(self, value: float, text: str) -> str:
        """``text`` with a pass/fail mark and this target: ``28.1 ✗ (≥ 30)``."""
        passes = {"≥": operator.ge, "≤": operator.le, "<": operator.lt}[self.sign](value, self.bound)
        return f"{text} {'✓' if passes else '✗'} ({self.sign} {self.bound:g}{self.unit})"


LATENCY = Target("<", 20, " ms")
# the app's own growth (histories, caches) plus the timeline's keyframes, which may take up to their
# budget by design (they let the person go back to any step: nnviz.core.timeline.DEFAULT_BUDGET)
RSS_GROWTH = Target("<", 50 + DEFAULT_BUDGET // MB, " MB")
FIRST_PAINT = Target("≤", 1, " s")
GRAPH_FRAME = Target("<", 50, " ms")


def frames_target(model: str, speed: str) -> Target:
    return Target("≥", 55 if (model, speed) == ("circle", "default") else 30)


def ratio_target(model: str, speed: str) -> Target | None:
    """Training keeps up with headless at max; at the default speed the speed itself sets the rate."""
    if speed != "max":
        return None
    return Target("≥", 0.8 if model.startswith("784-") else 0.9)


# -- one run, in this process ---------------------------------------------------------------------
def headless_rate(doc: dict, data: DataConfig, seconds: float) -> tuple[float, int]:
    """Steps per second of the plain trainer on the experiment's training rows, and how many rows."""
    exp = Experiment(doc, data)
    trainer = Trainer(load_model(exp.to_document()), exp.X, exp.y, batch_size=data.batch_size, seed=0)
    trainer.run(200)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(500)
        steps += 500
    return steps / (time.perf_counter() - start), len(exp.X)


def rss_bytes(pid: int) -> int | None:
    """Resident memory of process ``pid`` (Linux's /proc; None elsewhere or when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def app_rss_bytes(session) -> int | None:
    """Resident memory of the GUI process plus the session's training process, if it has one."""
    own = rss_bytes(os.getpid())
    child = getattr(session, "child_pid", None)
    if own is None or child is None:
        return own
    return own + (rss_bytes(child) or 0)


def frame_figures(frames: list[tuple[float, int]], seconds: float) -> dict:
    """Frames drawn and training steps per second from the (time, step) of each frame drawn; the
    first tenth is start-up, left out."""
    span = frames[len(frames) // 10:]
    if len(span) < 2:  # too few frames to time: count them over the run, steps unknown
        return {"frames_per_second": len(frames) / seconds, "steps_per_second": None}
    (t0, s0), (t1, s1) = span[0], span[-1]
    return {"frames_per_second": (len(span) - 1) / (t1 - t0), "steps_per_second": (s1 - s0) / (t1 - t0)}


class Recorder:
    """What a window run records on the GUI thread: frames drawn and timer lateness while measuring,
    and the app's memory each second while playing."""

    PROBE_SECONDS = 0.010

    def __init__(self, session):
        from PySide6 import QtCore

        self.session = session
        self.frames: list[tuple[float, int]] = []
        self.lateness: list[float] = []
        self.memory: list[int | None] = []
        self.measuring = False
        self._last = 0.0
        self._probe = QtCore.QTimer()
        self._probe.setInterval(round(1000 * self.PROBE_SECONDS))
        self._probe.timeout.connect(self._on_probe_timeout)
        self._sampler = QtCore.QTimer()
        self._sampler.setInterval(1000)
        self._sampler.timeout.connect(self.sample_memory)
        session.snapshot_ready.connect(self._on_snapshot_ready)

    def start(self) -> None:
        self.measuring = True
        self._last = time.perf_counter()
        self._probe.start()
        self.sample_memory()
        self._sampler.start()

    def stop_measuring(self) -> None:
        self.measuring = False
        self._probe.stop()

    def stop(self) -> None:
        self.stop_measuring()
        self._sampler.stop()
        self.sample_memory()

    def sample_memory(self) -> None:
        self.memory.append(app_rss_bytes(self.session))

    def _on_snapshot_ready(self, snapshot) -> None:
        if self.measuring:  # only then: a list growing through the soak would count as the app's growth
            self.frames.append((time.perf_counter(), snapshot.step))

    def _on_probe_timeout(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, now - self._last - self.PROBE_SECONDS))
        self._last = now


def gui_run(doc: dict, data: DataConfig, speed: int, seconds: float, soak: float = 0.0) -> dict:
    """Play the main window at ``speed`` (0: max) for ``seconds``, measuring; then keep playing until
    ``soak`` seconds from the start, for the memory growth."""
    from PySide6 import QtCore

    from nnviz.gui.app import create_application
    from nnviz.gui.main_window import MainWindow

    app = create_application()
    settings_dir = QtCore.QTemporaryDir()  # the window's own settings, not the user's
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.Format.IniFormat)
    QtCore.QSettings.setPath(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                             settings_dir.path())
    window = MainWindow(document=doc, data=data)
    window.resize(1600, 1000)
    window.show()
    for dock in window.docks.values():
        dock.show()
    recorder = Recorder(window.session)
    result: dict = {}

    def start():
        window.session.set_speed(speed)
        window.session.play()
        recorder.start()
        QtCore.QTimer.singleShot(round(1000 * seconds), stop_measuring)

    def stop_measuring():
        recorder.stop_measuring()
        result.update(frame_figures(recorder.frames, seconds))
        late = np.array(recorder.lateness) * 1000
        result["latency_p99_ms"] = float(np.percentile(late, 99)) if late.size else None
        result["latency_max_ms"] = float(late.max()) if late.size else None
        QtCore.QTimer.singleShot(round(1000 * max(0.0, soak - seconds)), finish)

    def finish():
        recorder.stop()
        window.session.pause()
        first, last = recorder.memory[0], recorder.memory[-1]
        result["soak_seconds"] = max(seconds, soak)
        result["rss_start_mb"] = None if first is None else first / MB
        result["rss_end_mb"] = None if last is None else last / MB
        result["rss_growth_mb"] = None if first is None or last is None else (last - first) / MB
        result["rss_every_30_s_mb"] = [None if m is None else round(m / MB) for m in recorder.memory[::30]]
        result["training_process"] = getattr(window.session, "child_pid", None) is not None
        window.setWindowModified(False)  # no "save changes?" question
        window.close()
        window.session.shutdown()  # the window's close does it today; harmless when done
        app.quit()

    QtCore.QTimer.singleShot(500, start)
    app.exec()
    return result


def one_run(model: str, speed: str, seconds: float, soak: float) -> dict:
    """One model at one speed: the window's figures, and headless before and after (averaged, so a
    change of load on the machine during the run biases the ratio less)."""
    from nnviz.gui.main_window import DEFAULT_SPEED

    doc, data = MODELS[model].build()
    value = DEFAULT_SPEED if speed == "default" else 0
    headless_seconds = min(seconds, 5.0) / 2
    before, rows = headless_rate(doc, data, headless_seconds)
    gui = gui_run(doc, data, value, seconds, soak if speed == "max" else 0.0)
    after, _ = headless_rate(doc, data, headless_seconds)
    return {"model": model, "speed": speed, "speed_value": value, "training_rows": rows,
            "headless_steps_per_second": (before + after) / 2, **gui}


def graph_frame_time(frames: int = 20) -> dict:
    """show_snapshot with new weights, event processing and a full render of the graph panel."""
    from nnviz.gui.app import create_application
    from nnviz.gui.panels.graph import GraphPanel, make_big_snapshot

    app = create_application()
    panel = GraphPanel()
    panel.resize(900, 600)
    panel.show()
    first = make_big_snapshot(seed=0)
    start = time.perf_counter()
    panel.show_snapshot(first)
    app.processEvents()
    panel.grab()
    build = time.perf_counter() - start
    times = []
    for i in range(frames):
        snap = make_big_snapshot(seed=i + 1, base=first)
        start = time.perf_counter()
        panel.show_snapshot(snap)
        app.processEvents()
        panel.grab()
        times.append(time.perf_counter() - start)
    panel.close()
    return {"first_ms": 1000 * build, "median_ms": 1000 * statistics.median(times), "max_ms": 1000 * max(times)}


# -- the whole benchmark, one fresh process per run -----------------------------------------------
_FIRST_PAINT = """
import os, sys, time
start = time.perf_counter()
from PySide6 import QtCore
from nnviz.gui.app import create_application
from nnviz.gui.main_window import MainWindow
app = create_application()
window = MainWindow()
window.resize(1600, 1000)

class FirstPaint(QtCore.QObject):
    def eventFilter(self, watched, event):
        if event.type() == QtCore.QEvent.Type.Paint:
            print(time.perf_counter() - start, flush=True)
            os._exit(0)
        return False

watch = FirstPaint()
window.installEventFilter(watch)
window.show()
app.exec()
"""


def first_paint_seconds(runs: int = 3) -> float:
    """Best of ``runs`` fresh processes: seconds from starting Python to the window's first paint."""
    best = float("inf")
    with tempfile.TemporaryDirectory() as settings:  # the window's own settings, not the user's
        env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": settings}
        for _ in range(runs):
            start = time.perf_counter()
            # cwd too: ``python -c`` looks in the working directory before PYTHONPATH
            subprocess.run([sys.executable, "-c", _FIRST_PAINT], cwd=REPO, env=env, check=True,
                           capture_output=True, timeout=120)
            best = min(best, time.perf_counter() - start)
    return best


def child_result(options: list[str], timeout: float) -> dict:
    """Run this script with ``options`` in a fresh Python: the JSON it prints, or ``{"error": ...}``
    with the last line it wrote to stderr."""
    try:
        # one BLAS thread, as the app's two processes each use: headless runs as the training process does
        env = {**os.environ, **CHILD_ENVIRONMENT}
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *options], cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    return {"error": (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]}


def figure(value: float | None, spec: str, target: Target | None = None, unit: str = "") -> str:
    """``value`` formatted by ``spec``, with ``unit`` and its target's mark; "n/a" when unknown."""
    if value is None or value != value:  # None or NaN
        return "n/a"
    text = f"{value:{spec}}{unit}"
    return text if target is None else target.mark(value, text)


def run_row(model: str, speed: str, result: dict) -> str:
    """The report's row for one model at one speed."""
    spec = MODELS[model]
    name = "max" if speed == "max" else f"default ({result.get('speed_value', '?')})"
    cells = [spec.title, spec.data_title, f"{result['training_rows']:,}" if "training_rows" in result else "",
             name]
    if "error" in result:
        return "| " + " | ".join([*cells, f"failed: {result['error']}", *[""] * 5]) + " |"
    steps, headless = result["steps_per_second"], result["headless_steps_per_second"]
    ratio = None if steps is None else steps / headless
    cells += [figure(result["frames_per_second"], ".1f", frames_target(model, speed)),
              figure(steps, ",.0f"), figure(headless, ",.0f"),
              figure(ratio, ".2f", ratio_target(model, speed)),
              figure(result["latency_p99_ms"], ".1f", LATENCY, " ms"),
              figure(result["rss_growth_mb"], "+,.0f", RSS_GROWTH, " MB") if speed == "max" else "—"]
    return "| " + " | ".join(cells) + " |"


def machine() -> str:
    """The date, the CPU, and the versions the figures were measured with."""
    import PySide6  # the package alone, not Qt: its wheel is named PySide6-Essentials

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{datetime.date.today().isoformat()} · {cpu}, {os.cpu_count()} cores · {platform.system()} · "
            f"Python {platform.python_version()}, NumPy {np.__version__}, PySide6 {PySide6.__version__}, "
            f"pyqtgraph {version('pyqtgraph')} · Qt platform {os.environ.get('QT_QPA_PLATFORM') or 'default'}")


def report(runs: dict[tuple[str, str], dict], first_paint: float, graph: dict, seconds: float,
           soak: float) -> list[str]:
    """The Markdown report: the machine, a row per model and speed, then start-up and the graph frame."""
    lines = ["## nnviz GUI benchmark", "", machine(), "",
             f"Main window 1600×1000, every dock shown; {seconds:g} s a run, the first tenth of the frames "
             f"left out; headless is plain `Trainer.run` in the same process, on one BLAS thread as the "
             f"training process; RSS is the GUI process plus "
             f"its training process, if any, over {max(seconds, soak):g} s at max.", "",
             "| model | data | training rows | speed | frames/s | steps/s | headless steps/s | app / headless "
             "| latency p99 | RSS growth |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    lines += [run_row(model, speed, result) for (model, speed), result in runs.items()]
    lines += ["", "| start-up and one frame | value |", "|---|---:|",
              f"| first painted window | {figure(first_paint, '.2f', FIRST_PAINT, ' s')} |"]
    if "error" in graph:
        lines.append(f"| graph frame, 784-128-10 | failed: {graph['error']} |")
    else:
        lines.append(f"| graph frame, 784-128-10: median (max {graph['max_ms']:.1f} ms; first "
                     f"{graph['first_ms']:.0f} ms) | {figure(graph['median_ms'], '.1f', GRAPH_FRAME, ' ms')} |")
    return lines


def run_all(models: list[str], seconds: float, soak: float, quick: bool) -> list[str]:
    runs = {}
    for model in models:
        for speed in SPEEDS:
            print(f"running {model} at {speed} speed ...", file=sys.stderr, flush=True)
            run_seconds = max(seconds, soak) if speed == "max" else seconds
            options = ["--one", model, "--speed", speed, "--seconds", str(seconds), "--soak", str(soak)]
            runs[model, speed] = child_result(options, timeout=300 + 2 * run_seconds)
    print("measuring start-up and the graph frame ...", file=sys.stderr, flush=True)
    first_paint = first_paint_seconds(runs=1 if quick else 3)
    graph = child_result(["--graph-frame", "--frames", "5" if quick else "20"], timeout=300)
    return report(runs, first_paint, graph, seconds, soak)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated, of: {', '.join(MODELS)} (default: all)")
    parser.add_argument("--seconds", type=float, help="seconds measured in each run (default 10; quick 1)")
    parser.add_argument("--soak", type=float,
                        help="seconds of play at max over which memory growth is measured (default 180; quick 0)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 s a run, no soak, fewer repeats")
    parser.add_argument("--one", choices=list(MODELS), help="one run in this process; prints its figures as JSON")
    parser.add_argument("--speed", choices=SPEEDS, default="max", help="with --one: the speed to run at")
    parser.add_argument("--graph-frame", action="store_true", help="time the graph frame in this process, as JSON")
    parser.add_argument("--frames", type=int, default=20, help="with --graph-frame: frames timed")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else 1.0 if args.quick else 10.0
    soak = args.soak if args.soak is not None else 0.0 if args.quick else 180.0
    if args.one:
        print(RESULT + json.dumps(one_run(args.one, args.speed, seconds, soak)), flush=True)
    elif args.graph_frame:
        print(RESULT + json.dumps(graph_frame_time(args.frames)), flush=True)
    else:
        models = [m for m in args.models.split(",") if m]
        unknown = sorted(set(models) - set(MODELS))
        if unknown:
            parser.error(f"unknown models: {', '.join(unknown)} (known: {', '.join(MODELS)})")
        print("\n".join(run_all(models, seconds, soak, args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
