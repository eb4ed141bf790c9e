"""Render the README's figure of the picture panels on the built-in digits: each hidden unit's weights
as a picture, the misclassified test pictures, and the drawing pad.

    xvfb-run -a -s "-screen 0 1800x1000x24" python docs/pictures_screenshots.py \\
        --out docs/images/digits.png [--dark]

It trains the shipped example ``digits`` (``resources/examples/digits.json``: a 64-32-10 ReLU network,
softmax, cross-entropy, Adam 0.001, batch 32) headlessly with :class:`nnviz.core.experiment.Experiment`
on the UCI handwritten digits (1,797 pictures of 8 × 8 pixels 0 … 16, 20 % held out, inputs scaled to
[0, 1] by the training rows), gives the snapshot to the app's Weights panel (its unit images), Mistakes
panel and drawing pad laid out in one widget, draws a "3" on the pad as a hand would (the glyph's
strokes, wobbling a little), and saves ``widget.grab()``. ``--dark`` gives the app a dark desktop's
palette (as ``docs/screenshot.py --dark`` does). Everything is seeded. It prints one line of numbers;
the figure shows the same.

QSettings go to a temporary directory, so the user's nnviz settings are never read or written.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1680, 600


def train(steps: int):
    """The shipped digits example after ``steps`` steps on the built-in digits, and its snapshot."""
    from nnviz.core.examples import load_example
    from nnviz.core.experiment import Experiment

    exp = Experiment(load_example("digits"))
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
    from nnviz.gui.panels.weights import WeightsPanel

    exp, snapshot = train(args.steps)
    widget = QtWidgets.QWidget()
    widget.setWindowTitle("nnviz — digits: unit images, mistakes and drawing pad")
    layout = QtWidgets.QHBoxLayout(widget)
    layout.setContentsMargins(8, 8, 8, 8)
    weights, mistakes, pad = WeightsPanel(), MistakesPanel(), DrawingPadPanel()
    layout.addWidget(_boxed("Weights — what each hidden unit looks at", weights), 7)
    layout.addWidget(_boxed("Mistakes — the test pictures the network gets wrong", mistakes), 9)
    layout.addWidget(_boxed("Drawing pad — what the network makes of a drawing", pad), 8)
    widget.resize(WIDTH, HEIGHT)
    widget.show()
    weights.show_snapshot(snapshot)
    weights.set_view("images")
    mistakes.show_snapshot(snapshot)
    pad.show_snapshot(snapshot)
    hand_drawn(pad.canvas, args.digit)  # the bars follow within the throttle's interval, below
    QtCore.QTimer.singleShot(300, app.quit)
    app.exec()
    app.processEvents()
    picture = pad.picture()
    outputs = predict(snapshot.images, snapshot.params, picture)
    assert (outputs == exp.net.predict(exp.input_scaling().apply(picture.reshape(1, -1)))).all()
    m = misclassified(snapshot)
    best = int(outputs.argmax())
    print(f"pictures: {snapshot.data_name}, step {snapshot.step}, test accuracy {100 * snapshot.test_accuracy:.1f}%, "
          f"{m.total} of {m.evaluated} test rows misclassified, {mistakes.shown_count()} shown; the drawn "
          f"{args.digit} is read as {best} with probability {float(outputs[0, best]):.3f}")
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
    parser.add_argument("--out", default=str(ROOT / "docs" / "images" / "digits.png"))
    parser.add_argument("--steps", type=int, default=1500, help="training steps (default: 1500)")
    parser.add_argument("--digit", type=int, default=3, help="the digit drawn on the pad (default: 3)")
    parser.add_argument("--dark", action="store_true", help="a dark desktop's palette")
    return render(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
