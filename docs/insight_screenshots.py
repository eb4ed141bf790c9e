"""Render the README's two "insight panels" figures: a failing network beside a healthy one.

    python docs/insight_screenshots.py            # writes docs/images/insight-failing.png and
                                                  # docs/images/insight-healthy.png

The script needs no window and no X server: it runs on Qt's offscreen platform. It trains each
network headlessly with :class:`nnviz.core.experiment.Experiment`, recording an evaluation point
every few steps (``Experiment.run_evaluated``) so that the over-time views have a
history. Then it feeds the final snapshot to the insight panels, laid out in one widget: the health
strip across the top, and below it the activations (over time, or the histogram with ``--view
histogram``), the gradient flow and the update ratios. It saves ``widget.grab()`` as a PNG.

* ``failing``: 8 sigmoid layers of 8 units (PyTorch's default init, as in
  :func:`nnviz.gui.panels.gradients.deep_sigmoid_document`) on ``circle``, plain SGD with a learning
  rate of 3, for 3000 steps. The last hidden layer saturates, the gradient vanishes below it, the
  lower layers' update ratios fall far below the band and the loss stays at ln 2.
* ``healthy``: a 2-16-16-2 ReLU network (He init) with a softmax output and cross-entropy on
  ``circle``, Adam with a learning rate of 0.01, for 240 steps (the test loss is then below 0.05).
  (The output layer's saturated share is shown but not judged: a confident output is not a fault.)

Each run prints one line of health numbers; the figures show the same numbers. Everything is
seeded, so the pictures are the same on every run (up to fonts).

QSettings go to a temporary directory, so the user's nnviz settings are never read or written.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1400, 900


# -- the two networks ------------------------------------------------------------------------------
def failing_case() -> dict:
    from nnviz.gui.panels.gradients import deep_sigmoid_document

    doc = deep_sigmoid_document(layers=8, units=8)
    doc["name"] = "8 × 8 sigmoid, SGD lr 3"
    doc["optimizer"] = {"name": "sgd", "lr": 3.0}
    return {"key": "failing", "document": doc, "dataset": "circle", "steps": 3000, "every": 50,
            "title": "Failing: 8 sigmoid layers of 8 units on circle, plain SGD, learning rate 3"}


def healthy_case() -> dict:
    from nnviz.core.experiment import default_document

    doc = default_document()
    doc["name"] = "2-16-16-2 ReLU, Adam lr 0.01"
    doc["layers"] = [{"type": "dense", "units": 16, "activation": "relu", "init": "he_uniform"},
                     {"type": "dense", "units": 16, "activation": "relu", "init": "he_uniform"},
                     {"type": "dense", "units": 2, "activation": "softmax", "init": "xavier_uniform"}]
    doc["loss"] = "cross_entropy"
    doc["optimizer"] = {"name": "adam", "lr": 0.01}
    return {"key": "healthy", "document": doc, "dataset": "circle", "steps": 240, "every": 5,
            "title": "Healthy: 2-16-16-2 ReLU (He init) + softmax on circle, Adam, learning rate 0.01"}


def train(case: dict):
    """Train ``case`` headlessly, with an evaluation point every ``every`` steps; the final snapshot."""
    from nnviz.core.experiment import DataConfig, Experiment

    exp = Experiment(case["document"], DataConfig(dataset=case["dataset"]))
    exp.run_evaluated(case["steps"], every=case["every"])
    return exp.snapshot()


# -- numbers -----------------------------------------------------------------------------------------
def _names(snapshot) -> list[str]:
    from nnviz.gui.panels.gradients import layer_label

    n = len(snapshot.health)
    return [layer_label(h.index, n) for h in snapshot.health]


def _ranges(labels: list[str]) -> str:
    """["L1", "L2", "L3", "out"] -> "L1–L3, out" (runs of hidden layers shortened)."""
    if not labels:
        return "none"
    out, run = [], []
    for label in labels + [None]:
        if label is not None and label.startswith("L") and run and int(label[1:]) == int(run[-1][1:]) + 1:
            run.append(label)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [label] if label is not None and label.startswith("L") else []
        if label is not None and not label.startswith("L"):
            out.append(label)
    return ", ".join(out)


def summary(case: dict, snapshot) -> str:
    """One line: loss and accuracy, then each health measure per layer (input side first) and which
    layers are outside their band."""
    from nnviz.core.stats import SATURATION, UPDATE_RATIO_BAND, VANISHING

    health, names = snapshot.health, _names(snapshot)
    first_loss = float(snapshot.history["train_loss"][0])

    def pct(v):
        return "–" if v is None else f"{100 * v:.0f}%"

    saturated = " ".join(pct(h.saturated) for h in health)
    dead = " ".join(pct(h.dead) for h in health)
    grads = " ".join(f"{h.grad_norm:.1e}" for h in health)
    ratios = " ".join("–" if h.update_ratio is None else f"{h.update_ratio:.1f}" for h in health)
    lo, hi = UPDATE_RATIO_BAND
    sat_bad = [n for n, h in zip(names, health) if h.saturated is not None and h.saturated >= 0.5]
    dead_bad = [n for n, h in zip(names, health) if h.dead is not None and h.dead >= 0.5]
    vanishing = [n for n, h in zip(names, health) if h.grads and h.grad_norm < VANISHING]
    out_of_band = [n for n, h in zip(names, health)
                   if h.update_ratio is not None and not lo <= h.update_ratio <= hi]
    acc = "" if snapshot.test_accuracy is None else f", test acc {100 * snapshot.test_accuracy:.1f}%"
    return (f"{case['key']}: step {snapshot.step}, train loss {first_loss:.4f} -> {snapshot.train_loss:.4f}, "
            f"test loss {snapshot.test_loss:.4f}{acc} | layers {' '.join(names)} | "
            f"saturated (beyond {SATURATION:g}) {saturated} | dead {dead} | grad norm {grads} | "
            f"log10 update ratio {ratios} | >=50% saturated: {_ranges(sat_bad)}; >=50% dead: {_ranges(dead_bad)}; "
            f"vanishing (<{VANISHING:g}): {_ranges(vanishing)}; update ratio outside [{lo:g}, {hi:g}]: "
            f"{_ranges(out_of_band)}")


def focus_layer(snapshot) -> int:
    """The hidden layer the activations panel shows: the most saturated or dead one (the last hidden
    layer on a tie, e.g. when none is)."""
    hidden = list(snapshot.health[:-1]) or list(snapshot.health)

    def badness(h):
        return max(h.saturated or 0.0, h.dead or 0.0)

    return max(hidden, key=lambda h: (badness(h), h.index)).index


# -- the figure --------------------------------------------------------------------------------------
def _boxed(title: str, panel):
    from PySide6 import QtWidgets

    box = QtWidgets.QGroupBox(title)
    box.setStyleSheet("QGroupBox { font-weight: bold; border: 1px solid #d0d0d0; border-radius: 4px;"
                      " margin-top: 9px; padding-top: 4px; }"
                      "QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }")
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(4, 6, 4, 4)
    layout.addWidget(panel)
    return box


def _unbreakable_items(html: str) -> str:
    """Let a legend wrap only between its items ("━ weight", "┄ vanishing < 1e-7"): the spaces
    inside an item become non-breaking; those next to the items' "&nbsp;" separators, or before a
    tag, stay breakable. Tags are left alone."""
    parts = re.split(r"(<[^>]*>)", html)
    return "".join(part if part.startswith("<") else re.sub(r"(?<!&nbsp;) (?!&nbsp;)(?=\S)", "&nbsp;", part)
                   for part in parts)


def render(case: dict, snapshot, out: Path, view: str) -> None:
    from PySide6 import QtCore, QtWidgets

    from nnviz.gui.panels.activations import ActivationsPanel, layer_label
    from nnviz.gui.panels.gradients import GradientFlowPanel
    from nnviz.gui.panels.health import HealthStrip
    from nnviz.gui.panels.updates import UpdateRatioPanel

    widget = QtWidgets.QWidget()
    widget.setStyleSheet("background: white;")
    widget.setWindowTitle(f"nnviz — {case['key']}")
    grid = QtWidgets.QGridLayout(widget)
    grid.setContentsMargins(10, 8, 10, 10)
    grid.setHorizontalSpacing(8)
    grid.setVerticalSpacing(6)

    acc = "" if snapshot.test_accuracy is None else f" · test accuracy {100 * snapshot.test_accuracy:.1f}%"
    title = QtWidgets.QLabel(
        f"<b style='font-size:12pt'>{case['title']}</b>&nbsp;&nbsp;&nbsp;"
        f"step {snapshot.step:,} · train loss {snapshot.history['train_loss'][0]:.3f} → "
        f"{snapshot.train_loss:.3f} · test loss {snapshot.test_loss:.3f}{acc}")
    title.setTextFormat(QtCore.Qt.TextFormat.RichText)
    grid.addWidget(title, 0, 0, 1, 3)

    strip = HealthStrip()
    activations = ActivationsPanel()
    gradients = GradientFlowPanel()
    updates = UpdateRatioPanel()
    layer = focus_layer(snapshot)
    grid.addWidget(_boxed("Layer health", strip), 1, 0, 1, 3)
    grid.addWidget(_boxed(f"Activations — {layer_label(snapshot, layer)}", activations), 2, 0)
    grid.addWidget(_boxed("Gradient flow", gradients), 2, 1)
    grid.addWidget(_boxed("Update ratio", updates), 2, 2)
    # The activations column is the widest: its one-line summary (mean, std, saturated, dead) is
    # cut at the panel's edge, not wrapped. The gradient legend wraps instead.
    for column, stretch in enumerate((6, 4, 4)):
        grid.setColumnStretch(column, stretch)
    gradients.legend.setWordWrap(True)  # its items are kept whole by _unbreakable_items below
    grid.setRowStretch(2, 1)

    widget.resize(WIDTH, HEIGHT)
    widget.show()  # the panels draw only while visible
    activations.set_view(view)
    activations.select_layer(layer)
    for panel in (strip, activations, gradients, updates):
        panel.show_snapshot(snapshot)
    gradients.legend.setText(_unbreakable_items(gradients.legend.text()))
    app = QtWidgets.QApplication.instance()
    for _ in range(3):  # layouts, then the plots' resize-driven ticks and ranges
        app.processEvents()
    for panel in (activations, gradients, updates):
        panel.show_snapshot(snapshot)  # draw once more at the final sizes
    app.processEvents()

    out.parent.mkdir(parents=True, exist_ok=True)
    pixmap = widget.grab()
    if not pixmap.save(str(out), "PNG"):
        raise SystemExit(f"insight_screenshots: could not write {out}")
    print(f"  saved {pixmap.width()}x{pixmap.height()} to {out}")
    widget.close()
    widget.deleteLater()  # delete the widgets while the QApplication still exists
    app.processEvents()


# -- main --------------------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", default=str(ROOT / "docs" / "images"),
                        help="where to write insight-failing.png and insight-healthy.png (default: docs/images)")
    parser.add_argument("--only", choices=("failing", "healthy"), help="render just one of the two figures")
    parser.add_argument("--view", choices=("time", "histogram"), default="time",
                        help="the activations panel's view (default: time, the percentiles over the steps)")
    return parser.parse_args(argv)


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform warns about every window-manager call it ignores; hide just those."""
    from PySide6 import QtCore

    def handler(mode, context, message):
        if "This plugin does not support" not in message:
            sys.stderr.write(message + "\n")

    QtCore.qInstallMessageHandler(handler)


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    with tempfile.TemporaryDirectory(prefix="nnviz-insight-") as tmp:
        os.environ.setdefault("XDG_RUNTIME_DIR", tmp)
        os.chmod(tmp, 0o700)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _quiet_offscreen_warnings()
        from PySide6.QtCore import QSettings

        from nnviz.gui.app import create_application

        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(QSettings.Format.IniFormat, scope, str(Path(tmp) / "settings"))
        app = create_application()
        cases = [c() for c in (failing_case, healthy_case)]
        for case in cases:
            if args.only and case["key"] != args.only:
                continue
            snapshot = train(case)
            if not all(math.isfinite(h.grad_norm) for h in snapshot.health):
                print(f"insight_screenshots: {case['key']}: a gradient is not finite", file=sys.stderr)
            print(summary(case, snapshot))
            render(case, snapshot, Path(args.out_dir) / f"insight-{case['key']}.png", args.view)
        del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
