"""The drawing pad: draw a digit with the mouse and watch the network's class probabilities.

For a classifier whose inputs form a square picture (64 = 8 × 8, 784 = 28 × 28). The canvas is a
bitmap :data:`~nnviz.core.images.BLOCK` times finer than the picture (32 × 32 for 8 × 8): a round
pen marks its cells, and each pixel of the picture counts the marked cells of its block, 0 … 16 —
how the UCI digits were made from their 32 × 32 bitmaps, so a drawing looks to the network as the
data do (mapped onto the data's pixel range where that is not 0 … 16). The canvas shows the picture
the network reads, blocky, with the pen's strokes over it.

The bars are the network's class probabilities for the picture, from the core
(:func:`nnviz.core.images.predict`: the snapshot's network, after the data's input scaling — the
same numbers as ``Network.predict`` on that picture): updated as you draw, at most every
:data:`THROTTLE_MS` milliseconds, and again with every snapshot while the network trains. **Clear**
empties the canvas. Any other model gets one line saying why there is nothing to draw.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.core.images import (
    ImageClassifier,
    blank_drawing,
    class_probabilities,
    draw_line,
    picture_of,
    predict,
)
from nnviz.core.numbers import format_percent, format_significant
from nnviz.gui.i18n import tr
from nnviz.gui.panels.activations import SegmentsLine, make_plot
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.mistakes import picture_image
from nnviz.gui.style import GRID_LINE, POSITIVE, TEXT, muted_text, palette_style

THROTTLE_MS = 40  # the prediction follows the pen at most this often (25 a second)
LABELLED = 0.001  # a bar this long or longer has its value written beside it (0.1 %)
_OTHER_BAR = "#a9b0b6"  # the classes not predicted
_STROKE = QtGui.QColor(POSITIVE)
_STROKE.setAlpha(110)  # the pen's strokes over the picture: the picture shows through


class DrawingCanvas(QtWidgets.QWidget):
    """A square canvas over a ``side × side`` picture: press and drag to draw. ``drawn`` is emitted
    whenever the drawing changes (a new mark, or cleared)."""

    drawn = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.side = 8
        self.pixel_range = (0.0, 16.0)
        self.bitmap = blank_drawing(self.side)
        self._last: tuple[float, float] | None = None  # the pen's last point while a button is down
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)
        self.setCursor(QtCore.Qt.CursorShape.CrossCursor)
        self.setAccessibleName(tr("Drawing pad"))
        self.setAccessibleDescription(tr("Draw a digit with the mouse, a button held down"))

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        return QtCore.QSize(300, 300)

    # -- the drawing ------------------------------------------------------------------------------
    def set_picture_kind(self, side: int, pixel_range: tuple[float, float]) -> None:
        """Pictures of ``side × side`` in ``pixel_range``: a new side starts a blank drawing."""
        if side != self.side:
            self.side = side
            self.bitmap = blank_drawing(side)
            self._last = None
            self.drawn.emit()
        self.pixel_range = pixel_range
        self.update()

    def clear(self) -> None:
        self.bitmap[...] = False
        self._last = None
        self.update()
        self.drawn.emit()

    def is_blank(self) -> bool:
        return not self.bitmap.any()

    def picture(self) -> np.ndarray:
        """The picture the drawing makes (side × side, the data's pixel values)."""
        return picture_of(self.bitmap, self.pixel_range)

    def draw_stroke(self, points) -> None:
        """Draw a stroke through ``points`` (``(x, y)`` in cells of the bitmap), as a drag does."""
        points = [tuple(map(float, p)) for p in points]
        changed = False
        for start, end in zip(points, points[1:] or points):
            changed |= draw_line(self.bitmap, start, end)
        if changed:
            self.update()
            self.drawn.emit()

    # -- geometry ---------------------------------------------------------------------------------
    def square(self) -> QtCore.QRectF:
        """Where the picture is drawn: the largest square that fits, centred."""
        size = max(1.0, min(self.width(), self.height()) - 2.0)
        return QtCore.QRectF((self.width() - size) / 2, (self.height() - size) / 2, size, size)

    def cell_at(self, pos: QtCore.QPointF) -> tuple[float, float]:
        """``pos`` (widget pixels) in cells of the bitmap."""
        square = self.square()
        cells = self.bitmap.shape[0]
        return ((pos.x() - square.left()) / square.width() * cells, (pos.y() - square.top()) / square.height() * cells)

    def widget_point(self, x: float, y: float) -> QtCore.QPoint:
        """The widget pixel of the point ``(x, y)`` in cells (for tests and tools)."""
        square = self.square()
        cells = self.bitmap.shape[0]
        return QtCore.QPoint(round(square.left() + x / cells * square.width()),
                             round(square.top() + y / cells * square.height()))

    # -- events -----------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self._last = self.cell_at(event.position())
        self.draw_stroke([self._last])

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # the pen is down from press to release (not read from event.buttons(): a synthetic drag
        # moves with no button in its event)
        if self._last is None:
            return super().mouseMoveEvent(event)
        point = self.cell_at(event.position())
        self.draw_stroke([self._last, point])
        self._last = point

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._last is not None and event.button() == QtCore.Qt.MouseButton.LeftButton:
            self.draw_stroke([self._last, self.cell_at(event.position())])
            self._last = None
        else:
            super().mouseReleaseEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QtGui.QPainter(self)
        palette = self.palette()
        paper = palette.color(QtGui.QPalette.ColorRole.Base)
        ink = palette.color(QtGui.QPalette.ColorRole.Text)
        square = self.square()
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(square, picture_image(self.picture(), self.pixel_range, paper, ink))
        # the pen's strokes, translucent, over the picture the network reads
        cells = self.bitmap.shape[0]
        alpha = np.where(self.bitmap, _STROKE.alpha(), 0).astype(np.uint8)
        argb = np.empty((cells, cells, 4), dtype=np.uint8)
        argb[...] = (_STROKE.blue(), _STROKE.green(), _STROKE.red(), 0)  # little-endian ARGB32
        argb[..., 3] = alpha
        argb[..., :3] = (argb[..., :3].astype(np.uint16) * alpha[..., None] // 255).astype(np.uint8)  # premultiplied
        strokes = QtGui.QImage(argb.data, cells, cells, 4 * cells, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        painter.drawImage(square, strokes)
        grid = QtGui.QColor(GRID_LINE)
        grid.setAlpha(90)
        painter.setPen(QtGui.QPen(grid, 1))
        for k in range(1, self.side):
            x = square.left() + k * square.width() / self.side
            y = square.top() + k * square.height() / self.side
            painter.drawLine(QtCore.QPointF(x, square.top()), QtCore.QPointF(x, square.bottom()))
            painter.drawLine(QtCore.QPointF(square.left(), y), QtCore.QPointF(square.right(), y))
        painter.setPen(QtGui.QPen(muted_text(palette), 1))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRect(square)
        if self.is_blank():
            painter.setPen(muted_text(palette))
            painter.drawText(square, int(QtCore.Qt.AlignmentFlag.AlignCenter), tr("Draw a digit here"))
        painter.end()


class DrawingPadPanel(Panel, QtWidgets.QWidget):
    """Draw a picture and see what the network makes of it.

    Public: ``show_snapshot(snapshot)``, ``picture()`` (the drawn picture, side × side),
    ``outputs`` (the network's outputs on it, (1, outputs), or None while the pad is blank),
    ``shown_values()`` (the bars' lengths, one per class), ``message()`` (the sentence shown in
    place of the pad, "" when it is shown), ``clear()``. Items: ``canvas`` (DrawingCanvas),
    ``clear_button``, ``info_line``, ``bars`` (BarGraphItem, horizontal: ``width`` the values,
    ``y`` the classes), ``bar_plot``.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.outputs: np.ndarray | None = None
        self._net = None  # the network predicting, made once per recipe (see ImageClassifier.network)
        self._net_serial = None  # the snapshot whose numbers it holds
        self._classes = 0
        self._value_labels: list[pg.TextItem] = []
        self._pending = False  # a change of the drawing waits for the throttle

        self.canvas = DrawingCanvas()
        self.canvas.drawn.connect(self._on_canvas_drawn)
        self.clear_button = QtWidgets.QPushButton(tr("Clear"))
        self.clear_button.setToolTip(tr("Empty the canvas"))
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        hint = QtWidgets.QLabel(tr("Hold the left button down and draw"))
        palette_style(hint, lambda: f"color: {muted_text().name()};")
        self.info_line = SegmentsLine()
        self.bar_view = pg.GraphicsLayoutWidget()
        self.bar_view.ci.setContentsMargins(2, 2, 12, 2)
        self.bar_plot = make_plot(tr("class"), tr("probability"))
        vb = self.bar_plot.getViewBox()
        vb.setMouseEnabled(False, False)
        vb.invertY(True)  # the first class at the top
        self.bar_view.addItem(self.bar_plot)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[], pen=pg.mkPen(None), brushes=[])
        self.bar_plot.addItem(self.bars)

        # the figure: canvas, line and bars (not the button and the hint)
        self.figure = QtWidgets.QWidget()
        right = QtWidgets.QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(2)
        right.addWidget(self.info_line)
        right.addWidget(self.bar_view, 1)
        self.figure_layout = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.LeftToRight, self.figure)
        self.figure_layout.setContentsMargins(6, 4, 2, 2)
        self.figure_layout.addWidget(self.canvas, 3)
        self.figure_layout.addLayout(right, 2)
        buttons = QtWidgets.QHBoxLayout()
        buttons.setContentsMargins(6, 0, 6, 4)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(hint)
        buttons.addStretch(1)
        pad = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(pad)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.figure, 1)
        column.addLayout(buttons)

        self.message_label = QtWidgets.QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.message_label.setMargin(12)
        self.pages = QtWidgets.QStackedLayout(self)
        self.pages.addWidget(self.message_label)
        self.pages.addWidget(pad)
        self.pages.setCurrentIndex(1)

        self._throttle = QtCore.QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(THROTTLE_MS)
        self._throttle.timeout.connect(self._on_throttle_timeout)
        self._show_blank()

    @classmethod
    def demo_snapshot(cls):
        """A net trained briefly on sketched 8 × 8 digits."""
        from nnviz.gui.panels.mistakes import demo_snapshot

        return demo_snapshot(steps=300)

    # -- public -----------------------------------------------------------------------------------
    def picture(self) -> np.ndarray:
        return self.canvas.picture()

    def clear(self) -> None:
        self.canvas.clear()

    def message(self) -> str:
        return self.message_label.text() if self.pages.currentIndex() == 0 else ""

    def shown_values(self) -> np.ndarray:
        """The bars' lengths, one per class (class 0 first)."""
        return np.asarray(self.bars.opts["width"], dtype=np.float64)

    def prediction_pending(self) -> bool:
        """Whether a change of the drawing waits for the throttle (the bars show the one before)."""
        return self._pending

    def classifier(self) -> ImageClassifier | None:
        snap = self._snapshot
        return snap.images if snap is not None and snap.images is not None and snap.images.runnable else None

    # -- export -----------------------------------------------------------------------------------
    def export_widget(self) -> QtWidgets.QWidget:
        """The figure: the canvas with the bars (without the button), or the message."""
        self.catch_up()
        return self.figure if self.pages.currentIndex() == 1 else self.message_label

    def export_title(self) -> str:
        self.catch_up()
        if self.outputs is None:
            return tr("Drawing pad")
        return tr("Drawing pad — {line}").format(line=self.info_line.text())

    def export_table(self) -> tuple[list[str], list[list]]:
        """The picture drawn and what the network makes of it: ``kind, index, value`` rows —
        ``pixel`` rows, one per input (index ``row * side + column``, counted from 0; the data's pixel
        values), then ``probability`` rows, one per class (the class's target value; ``output`` rows,
        the outputs themselves, for an output that is no probability). No rows while the pad is
        blank or the model is no classifier of pictures."""
        self.catch_up()
        header = ["kind", "index", "value"]
        if self.outputs is None:
            return header, []
        rows = [["pixel", i, float(v)] for i, v in enumerate(self.picture().ravel())]
        kind = "probability" if self._probabilities() is not None else "output"
        rows += [[kind, c, float(v)] for c, v in enumerate(self.shown_values())]
        return header, rows

    # -- drawing ----------------------------------------------------------------------------------
    def _draw_snapshot(self, snap) -> None:
        images = snap.images
        if images is None or not images.runnable:
            why = images.note if images is not None else tr("this model is no classifier of pictures")
            self.message_label.setText(tr("Nothing to draw for: {why}.").format(why=why))
            self.pages.setCurrentIndex(0)
            self.outputs = None
            return
        self.pages.setCurrentIndex(1)
        self.canvas.set_picture_kind(images.side, images.pixel_range)
        self._predict()

    def _predict(self) -> None:
        """The network's outputs on the picture drawn, shown as bars (nothing while blank)."""
        images = self.classifier()
        if images is None:
            return
        if self.canvas.is_blank():
            self._show_blank()
            return
        snap = self._snapshot
        if self._net is None or self._net_serial != snap.serial:
            # this snapshot's numbers (the same network again for the same recipe)
            self._net = images.network(snap.params, reuse=self._net)
            self._net_serial = snap.serial
        self.outputs = predict(images, snap.params, self.picture(), network=self._net)
        self._show_values()

    def _probabilities(self) -> np.ndarray | None:
        images = self.classifier()
        if self.outputs is None or images is None:
            return None
        return class_probabilities(self.outputs, images.activation)

    def _show_blank(self) -> None:
        self.outputs = None
        self.info_line.set_segments([(tr("Draw a digit: the network's guess shows here"), None, False)])
        images = self.classifier()
        self._set_bars(np.zeros(images.classes if images is not None else self._classes), None)

    def _show_values(self) -> None:
        probabilities = self._probabilities()
        values = (probabilities if probabilities is not None else self.outputs)[0]
        best = int(np.nanargmax(values)) if np.isfinite(values).any() else None
        if probabilities is not None:
            self.bar_plot.setLabel("bottom", tr("probability"))
            self.bar_plot.getAxis("bottom").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
            if best is None:
                segments = [(tr("The network's outputs are not numbers"), None, True)]
            else:
                segments = [(tr("Predicted "), None, False), (f"{best}", POSITIVE, True),
                            (f"   {format_percent(float(values[best]), 1)}", None, False)]
        else:  # one output that is no probability: its value
            self.bar_plot.setLabel("bottom", tr("output"))
            self.bar_plot.getAxis("bottom").setTicks(None)
            segments = [(tr("Output "), None, False), (format_significant(float(values[0])), None, True)]
        self.info_line.set_segments(segments)
        self._set_bars(values, best)

    def _set_bars(self, values: np.ndarray, best: int | None) -> None:
        classes = len(values)
        if classes != self._classes or not self._value_labels:
            self._lay_out_classes(classes)
        brushes = [pg.mkBrush(POSITIVE if c == best else _OTHER_BAR) for c in range(classes)]
        self.bars.setOpts(x0=np.zeros(classes), y=np.arange(classes), height=0.7,
                          width=np.nan_to_num(values, nan=0.0), brushes=brushes)
        # the value beside each bar that shows (none while the pad is blank)
        for c, label in enumerate(self._value_labels):
            shown = self.outputs is not None and np.isfinite(values[c]) and abs(values[c]) >= LABELLED
            label.setText(format_percent(float(values[c]), 1) if shown and self._probabilities() is not None
                          else format_significant(float(values[c])) if shown else "")
            label.setPos(max(float(values[c]), 0.0) if shown else 0.0, c)
        low = min(0.0, float(np.nanmin(values))) if classes and np.isfinite(values).any() else 0.0
        high = max(1.0, float(np.nanmax(values))) if classes and np.isfinite(values).any() else 1.0
        # room right of the longest bar for its value
        self.bar_plot.getViewBox().setRange(xRange=(low, high * 1.35), yRange=(-0.6, max(classes, 1) - 0.4),
                                            padding=0)

    def _lay_out_classes(self, classes: int) -> None:
        """Ticks and value labels for ``classes`` classes (made when their number changes)."""
        self._classes = classes
        for label in self._value_labels:
            self.bar_plot.removeItem(label)
        self._value_labels = []
        for _ in range(classes):
            label = pg.TextItem("", color=TEXT, anchor=(-0.06, 0.5))  # a little right of the bar
            self.bar_plot.addItem(label)
            self._value_labels.append(label)
        self.bar_plot.getAxis("left").setTicks([[(c, str(c)) for c in range(classes)]])

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        # the bars beside the canvas or below it, whichever leaves the canvas larger (it takes 3/5
        # of the panel's width beside them, of its height above them)
        width, height = event.size().width(), event.size().height()
        beside = min(0.6 * width, height) >= min(width, 0.6 * height)
        direction = QtWidgets.QBoxLayout.Direction.LeftToRight if beside else QtWidgets.QBoxLayout.Direction.TopToBottom
        if self.figure_layout.direction() != direction:
            self.figure_layout.setDirection(direction)

    # -- slots ------------------------------------------------------------------------------------
    def _on_canvas_drawn(self) -> None:
        # throttled: at once, then at most every THROTTLE_MS while the pen moves, and once more
        # after the last change (so the bars end on the drawing as it is)
        if self._throttle.isActive():
            self._pending = True
            return
        self._predict()
        self._throttle.start()

    def _on_throttle_timeout(self) -> None:
        if self._pending:
            self._pending = False
            self._predict()
            self._throttle.start()

    def _on_clear_button_clicked(self) -> None:
        self.clear()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone
    from nnviz.gui.panels.mistakes import demo_snapshot

    parser = argparse.ArgumentParser(description="Open the drawing pad alone on a short real run.")
    parser.add_argument("--inputs", choices=("64", "784", "circle"), default="64",
                        help="a net on sketched 8 × 8 or 28 × 28 digits, or the default circle net (nothing to draw)")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--digit", type=int, default=None, help="start with this sketched digit drawn")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    if args.inputs == "circle":
        from nnviz.core.experiment import Experiment

        experiment = Experiment()
        experiment.run(args.steps)
        snapshot = experiment.snapshot()
    else:
        snapshot = demo_snapshot(args.steps, side=8 if args.inputs == "64" else 28)

    def prepare(panel):
        if args.digit is not None:
            from nnviz.core.images import GLYPHS

            cells = panel.canvas.bitmap.shape[0]
            for stroke in GLYPHS[args.digit % 10]:
                panel.canvas.draw_stroke([(x * cells, y * cells) for x, y in stroke])
            panel._predict()

    sys.exit(show_alone(DrawingPadPanel, "drawing pad", snapshot, size=(640, 400), prepare=prepare, save=args.save))
