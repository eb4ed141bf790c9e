"""The mistakes panel: the test pictures the network gets wrong.

For a classifier whose inputs form a square picture (64 = 8 × 8, 784 = 28 × 28), a grid of the
misclassified rows of the test set (the training set where nothing is held out), the most confident
mistakes first: each picture with its true class, the class predicted and the probability the
network gives it. The rows, classes and probabilities are the core's
(:func:`nnviz.core.images.misclassified`); at most :data:`~nnviz.core.images.MOST_SHOWN` of them, and
no more than fit the panel at a readable size — the line on top says how many of how many ("12 of
57 shown"). Any other model gets one line saying why there is nothing to show.

The grid is one widget painted with QPainter: pictures on the palette's base colour in its text
colour (ink on paper in a light theme, chalk on a board in a dark one), so a figure exported in the
light theme prints as the digits do on paper.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.core.images import MOST_SHOWN, Mistakes, misclassified
from nnviz.core.numbers import format_percent
from nnviz.gui.i18n import tr
from nnviz.gui.panels.activations import SegmentsLine
from nnviz.gui.panels.base import Panel
from nnviz.gui.style import BACKWARD, muted_text, readable

SMALLEST_TILE = 40  # pixels: a picture is never drawn smaller (fewer are shown instead)
LARGEST_TILE = 120  # … nor larger
GAP = 8  # between tiles


def picture_image(picture: np.ndarray, pixel_range: tuple[float, float], paper: QtGui.QColor,
                  ink: QtGui.QColor) -> QtGui.QImage:
    """A picture's pixels (side × side, the data's values) as an RGB image: ``paper`` at the low end
    of ``pixel_range``, ``ink`` at the high end, linear between (values beyond it clipped)."""
    lo, hi = pixel_range
    t = np.clip((np.asarray(picture, dtype=np.float64) - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    t = np.nan_to_num(t, nan=0.0)[..., None]
    paper_rgb = np.array(paper.getRgb()[:3], dtype=np.float64)
    ink_rgb = np.array(ink.getRgb()[:3], dtype=np.float64)
    rgb = np.ascontiguousarray(np.round(paper_rgb * (1 - t) + ink_rgb * t).astype(np.uint8))
    height, width = rgb.shape[:2]
    image = QtGui.QImage(rgb.data, width, height, 3 * width, QtGui.QImage.Format.Format_RGB888)
    return image.copy()  # its own pixels: the array goes away


def grid_shape(count: int, width: float, height: float, caption: float) -> tuple[int, int, float]:
    """``(columns, shown, tile)``: how to lay ``count`` tiles (a square picture with ``caption``
    pixels of text below) in ``width × height`` — the columns that make them largest, up to
    LARGEST_TILE; if even the best layout makes them smaller than SMALLEST_TILE, as many as fit at
    that size."""
    if count <= 0 or width <= 0 or height <= 0:
        return 1, 0, 0.0
    best = (1, 0.0)
    for columns in range(1, count + 1):
        rows = math.ceil(count / columns)
        tile = min((width - GAP * (columns - 1)) / columns, (height - GAP * (rows - 1)) / rows - caption)
        if tile > best[1]:
            best = (columns, tile)
    columns, tile = best
    if tile >= SMALLEST_TILE:
        return columns, count, min(tile, LARGEST_TILE)
    columns = max(1, int((width + GAP) // (SMALLEST_TILE + GAP)))
    rows = max(0, int((height + GAP) // (SMALLEST_TILE + caption + GAP)))
    return columns, min(count, columns * rows), float(SMALLEST_TILE)


class MistakeTiles(QtWidgets.QWidget):
    """The grid: each tile a picture with ``true → predicted`` and the probability under it, or, with
    nothing to show, a message in the middle. Hover a tile for its row and numbers."""

    #: the number of tiles shown changed with the widget's size
    shown_changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.mistakes: Mistakes | None = None
        self.pixel_range = (0.0, 1.0)
        self.message = ""
        self.shown = 0  # tiles drawn at the present size
        self._rects: list[QtCore.QRectF] = []
        self.setMinimumSize(2 * SMALLEST_TILE, SMALLEST_TILE + 3 * self.fontMetrics().height())
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.setAccessibleName(tr("Misclassified pictures"))

    def show_mistakes(self, mistakes: Mistakes | None, pixel_range: tuple[float, float], message: str) -> None:
        self.mistakes, self.pixel_range, self.message = mistakes, pixel_range, message
        self._lay_out()
        self.update()

    def caption_height(self) -> int:
        return 2 * self.fontMetrics().height() + 2

    def _lay_out(self) -> None:
        """The tiles' places at the present size (and so how many are shown)."""
        self._rects = []
        count = 0 if self.mistakes is None or self.message else self.mistakes.shown
        area = QtCore.QRectF(self.rect()).adjusted(GAP, GAP, -GAP, -GAP)
        columns, self.shown, tile = grid_shape(count, area.width(), area.height(), self.caption_height())
        if not self.shown:
            return
        rows = math.ceil(self.shown / columns)
        cell_w, cell_h = tile + GAP, tile + self.caption_height() + GAP
        used = QtCore.QSizeF(columns * cell_w - GAP, rows * cell_h - GAP)
        left = area.left() + max(0.0, (area.width() - used.width()) / 2)
        for k in range(self.shown):
            row, column = divmod(k, columns)
            self._rects.append(QtCore.QRectF(left + column * cell_w, area.top() + row * cell_h, tile, tile))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        before = self.shown
        self._lay_out()
        if self.shown != before:
            self.shown_changed.emit()

    def tile_at(self, pos: QtCore.QPointF) -> int | None:
        for k, rect in enumerate(self._rects):
            if rect.adjusted(0, 0, 0, self.caption_height()).contains(pos):
                return k
        return None

    def tile_text(self, k: int) -> str:
        """A tile's numbers in words (its tooltip)."""
        m = self.mistakes
        row, true, predicted = int(m.rows[k]) + 1, int(m.true[k]), int(m.predicted[k])
        if m.set_name == "test":
            text = tr("Test row {row}: class {true}, predicted {predicted}")
        else:
            text = tr("Training row {row}: class {true}, predicted {predicted}")
        text = text.format(row=row, true=true, predicted=predicted)
        if m.confidence is not None:
            text += tr(" with probability {p}").format(p=f"{float(m.confidence[k]):.3f}")
        return text

    def event(self, event) -> bool:
        if event.type() == QtCore.QEvent.Type.ToolTip:
            k = self.tile_at(QtCore.QPointF(event.pos()))
            if k is None:
                QtWidgets.QToolTip.hideText()
                event.ignore()
            else:
                QtWidgets.QToolTip.showText(event.globalPos(), self.tile_text(k), self)
            return True
        return super().event(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QtGui.QPainter(self)
        palette = self.palette()
        text = palette.color(QtGui.QPalette.ColorRole.WindowText)
        if self.message or not self._rects:
            painter.setPen(muted_text(palette))
            painter.drawText(QtCore.QRectF(self.rect()).adjusted(12, 12, -12, -12),
                             int(QtCore.Qt.AlignmentFlag.AlignCenter) | int(QtCore.Qt.TextFlag.TextWordWrap),
                             self.message)
            painter.end()
            return
        paper = palette.color(QtGui.QPalette.ColorRole.Base)
        ink = palette.color(QtGui.QPalette.ColorRole.Text)
        window = palette.color(QtGui.QPalette.ColorRole.Window)
        wrong = readable(BACKWARD, window)
        quiet = muted_text(palette)
        frame = QtGui.QPen(quiet, 1)
        m = self.mistakes
        line = self.fontMetrics().height()
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        for k, rect in enumerate(self._rects):
            # sharp pixels: a picture of 8 × 8 is 8 × 8 squares, not a blur
            painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.drawImage(rect, picture_image(m.pictures[k], self.pixel_range, paper, ink))
            painter.setPen(frame)
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            below = QtCore.QRectF(rect.left() - GAP / 2, rect.bottom() + 2, rect.width() + GAP, line)
            centre = int(QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop)
            true, predicted = f"{int(m.true[k])} → ", f"{int(m.predicted[k])}"
            metrics = QtGui.QFontMetrics(bold)
            left = below.center().x() - (self.fontMetrics().horizontalAdvance(true)
                                         + metrics.horizontalAdvance(predicted)) / 2
            painter.setPen(text)
            painter.setFont(self.font())
            painter.drawText(QtCore.QPointF(left, below.top() + self.fontMetrics().ascent()), true)
            painter.setPen(wrong)
            painter.setFont(bold)
            painter.drawText(QtCore.QPointF(left + self.fontMetrics().horizontalAdvance(true),
                                            below.top() + metrics.ascent()), predicted)
            painter.setFont(self.font())
            if m.confidence is not None:
                painter.setPen(quiet)
                painter.drawText(below.translated(0, line), centre, format_percent(float(m.confidence[k]), 0))
        painter.end()


class MistakesPanel(Panel, QtWidgets.QWidget):
    """The test (else training) pictures the network classifies wrong, most confident first.

    Public: ``show_snapshot(snapshot)``, ``mistakes`` (the core's :class:`~nnviz.core.images.Mistakes`
    of the snapshot shown, or None), ``shown_count()`` (tiles drawn), ``message()`` (the sentence shown
    in place of tiles, "" when there are tiles). Items: ``info_line`` (SegmentsLine), ``tiles``
    (MistakeTiles).
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.mistakes: Mistakes | None = None
        self.info_line = SegmentsLine()
        self.tiles = MistakeTiles()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.info_line)
        layout.addWidget(self.tiles, 1)
        self.tiles.shown_changed.connect(self._on_tiles_shown_changed)

    @classmethod
    def demo_snapshot(cls):
        """A net trained briefly on sketched 8 × 8 digits: a few dozen mistakes to show."""
        return demo_snapshot()

    def shown_count(self) -> int:
        return self.tiles.shown

    def message(self) -> str:
        return self.tiles.message

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        self.catch_up()
        m = self.mistakes
        if m is None:
            return tr("Misclassified pictures")
        text = (tr("Misclassified test pictures ({shown} of {total})") if m.set_name == "test"
                else tr("Misclassified training pictures ({shown} of {total})"))
        return text.format(shown=self.tiles.shown, total=m.total)

    def export_table(self) -> tuple[list[str], list[list]]:
        """The rows shown, one per tile in order: ``set, row, true, predicted, probability``
        (``row`` counted from 0 in the set, the classes as target values, the probability the
        network gives its prediction; empty for an output that is no probability), then the row's
        input values, one column per input (named as the data name them). No rows without tiles."""
        self.catch_up()
        snap, m = self._snapshot, self.mistakes
        names = list(snap.input_names) if snap is not None else []
        header = ["set", "row", "true", "predicted", "probability"] + names
        if m is None:
            return header, []
        rows = []
        for k in range(self.tiles.shown):
            confidence = "" if m.confidence is None else float(m.confidence[k])
            rows.append([m.set_name, int(m.rows[k]), int(m.true[k]), int(m.predicted[k]), confidence]
                        + m.inputs[k].tolist())
        return header, rows

    def has_figure(self) -> bool:
        """A figure only of a classifier of pictures."""
        self.catch_up()
        return self.mistakes is not None

    # -- drawing ----------------------------------------------------------------------------------
    def _draw_snapshot(self, snap) -> None:
        images = snap.images
        self.mistakes = misclassified(snap, MOST_SHOWN)
        if images is None or not images.runnable:
            why = images.note if images is not None else tr("this model is no classifier of pictures")
            self.tiles.show_mistakes(None, (0.0, 1.0), tr("No pictures to show: {why}.").format(why=why))
            self.info_line.set_segments([(tr("Misclassified pictures"), None, True)])
            return
        m = self.mistakes
        if m is None:
            message = tr("No classes to compare: the run has diverged.") if snap.diverged else tr("No predictions yet.")
        elif m.total == 0:
            message = (tr("No mistakes: all {count} test rows are classified right.") if m.set_name == "test" else
                       tr("No mistakes: all {count} training rows are classified right.")).format(
                count=f"{m.evaluated:,}")
        else:
            message = ""
        self.tiles.show_mistakes(m, images.pixel_range, message)
        self._on_tiles_shown_changed()

    def _on_tiles_shown_changed(self) -> None:
        """The line on top: how many of how many mistakes are shown."""
        m = self.mistakes
        if m is None:
            return
        counted = (tr("{total} of {evaluated} test rows misclassified") if m.set_name == "test" else
                   tr("{total} of {evaluated} training rows (nothing held out) misclassified"))
        segments = [(counted.format(total=f"{m.total:,}", evaluated=f"{m.evaluated:,}"), None, True)]
        if m.total:
            shown = (tr(" · {shown} shown, most confident first · true → predicted, probability")
                     if m.confidence is not None
                     else tr(" · {shown} shown, most confident first · true → predicted, class"))
            segments.append((shown.format(shown=self.tiles.shown), None, False))
        self.info_line.set_segments(segments)


def demo_snapshot(steps: int = 150, side: int = 8):
    """A real snapshot of a 64-16-10 network after ``steps`` steps on 600 sketched digits
    (:func:`nnviz.core.images.sketched_digits`, a quarter held out); a 784-input one for ``side`` 28."""
    from nnviz.core.data import Dataset
    from nnviz.core.experiment import DataConfig, Experiment
    from nnviz.core.images import sketched_digits

    X, labels = sketched_digits(600, side=side, seed=0, jitter=1.6)
    data = Dataset(X, labels.astype(float), "sketched digits", "classification",
                   tuple(f"px{i}" for i in range(side * side)), ("digit",))
    doc = {"format": "nnviz.model/1", "name": f"{side * side}-16-10", "inputs": side * side,
           "layers": [{"type": "dense", "units": 16, "activation": "relu"},
                      {"type": "dense", "units": 10, "activation": "softmax"}],
           "loss": "cross_entropy", "optimizer": {"name": "adam", "lr": 0.003}, "seed": 0}
    exp = Experiment(doc, DataConfig(imported=data, batch_size=32, test_fraction=0.25))
    exp.run_evaluated(steps, every=max(1, steps // 10))
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the mistakes panel alone on a short real run.")
    parser.add_argument("--inputs", choices=("64", "784", "circle"), default="64",
                        help="sketched 8 × 8 or 28 × 28 digits, or the default circle net (no pictures)")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    if args.inputs == "circle":
        from nnviz.core.experiment import Experiment

        experiment = Experiment()
        experiment.run(args.steps)
        snapshot = experiment.snapshot()
    else:
        snapshot = demo_snapshot(args.steps, side=8 if args.inputs == "64" else 28)
    sys.exit(show_alone(MistakesPanel, "mistakes", snapshot, save=args.save))
