"""Typeset maths: the time to typeset a formula the first time and from the cache, over a full step-through.

    python benchmarks/bench_maths.py                   # three models, every operation of one step
    python benchmarks/bench_maths.py --models lesson --repeats 1

For each model the step's walkthrough is made (the app's :func:`walk_next_step`) and the Calculation
panel, shown offscreen at 1000x450, steps through every operation twice: first with the picture
cache empty (each formula laid out by ziamath, drawn by QtSvg, encoded for the rich text), then
again, every formula from the cache. Each operation is timed with the events it posts (layout and
paint). Apart from the panel, each formula (the formula in symbols, every line with the numbers put
in, the result) is typeset alone, cache cleared, then again: the first render and the cached one.
Of ``--repeats`` passes the quickest counts (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6 import QtGui, QtWidgets  # noqa: E402

from nnviz.core import Trainer, load_model  # noqa: E402
from nnviz.core.examples import load_example  # noqa: E402
from nnviz.core.walkthrough import walk_next_step  # noqa: E402
from nnviz.gui import maths  # noqa: E402
from nnviz.gui.panels.calculation import CalculationPanel  # noqa: E402


def _lesson():
    doc = load_example("two-two-one")
    return doc, doc["data"]["inputs"], doc["data"]["targets"]


def _document(sizes, activation, out_activation, loss, optimizer):
    layers = [{"type": "dense", "units": u, "activation": activation} for u in sizes[1:-1]]
    layers.append({"type": "dense", "units": sizes[-1], "activation": out_activation})
    return {"format": "nnviz.model/1", "inputs": sizes[0], "layers": layers, "loss": loss,
            "optimizer": optimizer, "seed": 0}


def _circle():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    return (_document([2, 4, 2, 1], "tanh", "sigmoid", "bce", {"name": "adam", "lr": 0.01}), X,
            (np.hypot(*X.T) < 1).astype(float).reshape(-1, 1))


def _softmax():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 4))
    return (_document([4, 8, 3], "relu", "softmax", "cross_entropy", {"name": "rmsprop", "momentum": 0.9}), X,
            rng.integers(0, 3, 6))


MODELS = {
    "lesson": ("2-2-1 lesson (SGD, one sample)", _lesson),
    "circle": ("2-4-2-1 tanh, Adam, batch of 8", _circle),
    "softmax": ("4-8-3 softmax, RMSprop, batch of 6", _softmax),
}


def measure(build, repeats: int) -> dict[str, list[float]]:
    """Seconds: per operation (first and cached) and per formula (first and cached), each the
    quickest of ``repeats`` passes."""
    document, X, y = build()
    net = load_model(document)
    trainer = Trainer(net, X, y, batch_size=len(X))
    trainer.run(1)
    walk = walk_next_step(net, trainer).walkthrough
    app = QtWidgets.QApplication.instance()
    panel = CalculationPanel()
    panel.resize(1000, 450)
    panel.show()
    app.processEvents()
    calculations = [walk.calculation(i, 0) for i in range(len(walk))]
    maths.typeset("x")  # the font loaded once, as the app does on its first formula
    best: dict[str, list[float]] = {}

    def keep(name, times):
        if name not in best or np.mean(times) < np.mean(best[name]):
            best[name] = times

    for _ in range(repeats):
        for name in ("operation first", "operation cached"):
            if name == "operation first":
                maths.clear_cache()
            times = []
            for calc in calculations:
                start = time.perf_counter()
                panel.show_calculation(calc)
                app.processEvents()
                times.append(time.perf_counter() - start)
            keep(name, times)
        colour = panel.browser.palette().color(QtGui.QPalette.ColorRole.Text).name()
        size = panel._maths_size()
        formulas = sorted({line.latex(panel.precision) for calc in calculations
                           for line in (*calc.formula, *calc.lines, calc.result)})
        maths.clear_cache()
        for name in ("formula first", "formula cached"):
            times = []
            for latex in formulas:
                start = time.perf_counter()
                maths.inline_html(latex, size=size, colour=colour, inline=False)
                times.append(time.perf_counter() - start)
            keep(name, times)
    assert not maths.fallbacks(), maths.fallbacks()
    panel.close()
    return best


def table(results: dict[str, dict[str, list[float]]]) -> str:
    """A markdown table: one row per model and kind of timing: count, mean, p95 and max in ms."""
    lines = ["| model | timed | count | mean | p95 | max |", "|---|---|---:|---:|---:|---:|"]
    for model, rows in results.items():
        for name, times in rows.items():
            t = 1000 * np.asarray(times)
            lines.append(f"| {model} | {name} | {t.size} | {np.mean(t):.2f} | {np.percentile(t, 95):.2f} "
                         f"| {np.max(t):.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="passes, the quickest kept (default 2)")
    parser.add_argument("--models", default=",".join(MODELS), help=f"of {', '.join(MODELS)} (default all)")
    args = parser.parse_args(argv)
    from nnviz.gui.app import create_application

    create_application()
    results = {}
    for key in args.models.split(","):
        title, build = MODELS[key]
        print(f"# {title}", file=sys.stderr, flush=True)
        results[title] = measure(build, args.repeats)
    print(f"# typeset maths, ms (ziamath + QtSvg); platform {os.environ.get('QT_QPA_PLATFORM') or 'default'}")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
