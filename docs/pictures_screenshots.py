"""Render the README's figure of the two picture panels: the misclassified test pictures beside the
drawing pad, for a network on 8 × 8 digits.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/pictures_screenshots.py \\
        --out docs/images/mistakes-and-pad.png [--dark]

It trains a 64-16-10 ReLU network (softmax, cross-entropy, Adam 0.003, batch 32) headlessly with
:class:`nnviz.core.experiment.Experiment` on 1,000 sketched digits
(:func:`nnviz.core.images.sketched_digits`: glyphs drawn with the drawing pad's own pen and counted
as the UCI digits are, 0 … 16 in 4 × 4 blocks of a 32 × 32 bitmap; a quarter held out), gives the
snapshot to the app's two panels laid out in one widget, draws a "3" on the pad as a hand would
(the glyph's strokes, wobbling a little), and saves ``widget.grab()``. ``--dark`` gives the app a
dark desktop's palette (as ``docs/screenshot.py --dark`` does). Everything is seeded. It prints one
line of numbers; the figure shows the same.

QSettings go to a temporary directory, so the user's nnviz settings are never read or written.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1400, 600


def train(steps: int):
    """The network after ``steps`` steps on sketched digits, and its snapshot."""
    from nnviz.core.data import Dataset
    from nnviz.core.experiment import DataConfig, Experiment
    from nnviz.core.images import sketched_digits

    X, labels = sketched_digits(1000, seed=0, jitter=1.6)
    data = Dataset(X, labels.astype(float), "sketched digits", "classification",
                   tuple(f"px{i}" for i in range(64)), ("digit",))
    doc = {"format": "nnviz.model/1", "name": "64-16-10 ReLU", "inputs": 64,
           "layers": [{"type": "dense", "units": 16, "activation": "relu"},
                      {"type": "dense", "units": 10, "activation": "softmax"}],
           "loss": "cross_entropy", "optimizer": {"name": "adam", "lr": 0.003}, "seed": 0}
    exp = Experiment(doc, DataConfig(imported=data, batch_size=32, test_fraction=0.25))
    exp.run_evaluated(steps, every=max(1, steps // 20))
    return exp, exp.snapshot()


def hand_drawn(canvas, digit: int, seed: int = 4) -> None:
    """Draw ``digit``'s glyph on ``canvas`` as a hand would: each stroke through points a few per
    segment, each a little off the line."""
    import numpy as np

    from nnviz.core.images import GLYPHS

    rng = np.random.default_rng(seed)
    cells = canvas.bitmap.shape[0]
    for stroke in GLYPHS[digit]:
        points = []
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            for t in np.linspace(0.0, 1.0, 5)[:-1]:
                points.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
        points.append(stroke[-1])
        wobble = rng.normal(0.0, 0.012, (len(points), 2))
        canvas.draw_stroke([((x + dx) * cells, (y + dy) * cells) for (x, y), (dx, dy) in zip(points, wobble)])


def _boxed(title: str, panel):
    from PySide6 import QtWidgets

    box = QtWidgets.QGroupBox(title)
    box.setStyleSheet("QGroupBox { font-weight: bold; border: 1px solid #8a9095; border-radius: 4px;"
                      " margin-top: 9px; padding-top: 4px; }"
                      "QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }")
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(4, 6, 4, 4)
    layout.addWidget(panel)
    return box


def render(args) -> int:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    from PySide6 import QtCore, QtWidgets

    from nnviz.gui.app import create_application

    settings = tempfile.mkdtemp(prefix="nnviz-pictures-")
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.Format.IniFormat)
    QtCore.QSettings.setPath(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, settings)
    app = create_application()
    if args.dark:
        sys.path.insert(0, str(ROOT / "docs"))
        from screenshot import dark_palette

        app.setPalette(dark_palette())
    from nnviz.core.images import misclassified, predict
    from nnviz.gui.panels.drawing import DrawingPadPanel
    from nnviz.gui.panels.mistakes import MistakesPanel

    exp, snapshot = train(args.steps)
    widget = QtWidgets.QWidget()
    widget.setWindowTitle("nnviz — mistakes and drawing pad")
    layout = QtWidgets.QHBoxLayout(widget)
    layout.setContentsMargins(8, 8, 8, 8)
    mistakes, pad = MistakesPanel(), DrawingPadPanel()
    layout.addWidget(_boxed("Mistakes — the test pictures the network gets wrong", mistakes), 11)
    layout.addWidget(_boxed("Drawing pad — what the network makes of a drawing", pad), 9)
    widget.resize(WIDTH, HEIGHT)
    widget.show()
    mistakes.show_snapshot(snapshot)
    pad.show_snapshot(snapshot)
    hand_drawn(pad.canvas, args.digit)  # the bars follow within the throttle's interval, below
    QtCore.QTimer.singleShot(300, app.quit)
    app.exec()
    app.processEvents()
    picture = pad.picture()
    outputs = predict(snapshot.images, snapshot.params, picture)
    assert (outputs == exp.net.predict(picture.reshape(1, -1))).all()
    m = misclassified(snapshot)
    best = int(outputs.argmax())
    print(f"pictures: step {snapshot.step}, test accuracy {100 * snapshot.test_accuracy:.1f}%, {m.total} of "
          f"{m.evaluated} test rows misclassified, {mistakes.shown_count()} shown; the drawn {args.digit} is "
          f"read as {best} with probability {float(outputs[0, best]):.3f}")
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out), "PNG"):
        print(f"pictures: could not write {out}", file=sys.stderr)
        return 1
    print(f"pictures: saved {out}")
    widget.close()
    widget.deleteLater()
    app.processEvents()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images" / "mistakes-and-pad.png"))
    parser.add_argument("--steps", type=int, default=400, help="training steps (default: 400)")
    parser.add_argument("--digit", type=int, default=3, help="the digit drawn on the pad (default: 3)")
    parser.add_argument("--dark", action="store_true", help="a dark desktop's palette")
    return render(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
