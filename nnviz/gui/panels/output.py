"""The output panel: what the network predicts, drawn the way the data allow.

* ``"surface"`` — 2-D input: the network's output over the input plane as a heatmap (Playground's
  big square), with the train and test points on top, coloured by class or by target value.
* ``"regions"`` — 2-D input, more than two classes: each point of the plane coloured by the class
  the network predicts there, lighter where its probability is low, the data points coloured by
  their class, and a legend of the classes.
* ``"curve"`` — 1-D input: the fitted curve over the data points.
* ``"scatter"`` — any other regression: predicted against target, with the line y = x.
* ``"confusion"`` — any other classification (more than two classes on inputs that are not a
  plane), or any classification while "Confusion matrix" is ticked: the confusion matrix, rows true
  and columns predicted, with the counts written in.

The class key counts classes from 1 where a person reads them ("class 1 (target 0)"); the confusion
matrix numbers its rows and columns by the target values (0-9 for the digits), as the Mistakes
gallery names the classes.

The plot items of a mode are created once, when the mode (or the number of classes) changes;
every other snapshot only calls ``setImage`` / ``setData`` on them, and the title is a line that
repaints itself without asking the window for a new layout.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.core.activations import ACTIVATIONS, Softmax
from nnviz.core.numbers import format_percent, format_significant
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.cells import CellTexts
from nnviz.gui.panels.sample import sample_note
from nnviz.gui.style import GRID_LINE, NEGATIVE, POSITIVE, TEST_COLOR, TEXT, TRAIN_COLOR, diverging_colormap

KEY_BAND = 0.2  # share of the plane's height added above it for the class key (regions)
MODES = ("surface", "regions", "curve", "scatter", "confusion")
#: one colour per class: the binary surface's orange and blue first, then distinct hues
CLASS_COLORS = (NEGATIVE, POSITIVE, "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
_REGION_TINT = (0.12, 0.7)  # how much of its class colour a point of the plane takes: least, most sure

_POINT_SIZE = 8
_TRAIN_PEN = pg.mkPen("#ffffff", width=1)  # Playground: train points outlined in white …
_TEST_PEN = pg.mkPen(TEXT, width=1.6)  # … and test points in black
_TRAIN_VALUE_PEN = pg.mkPen("#8a8a8a", width=0.8)  # white would vanish on the pale middle of a regression


_SURFACE_LUT = diverging_colormap().getLookupTable(0.0, 1.0, 512)  # see _build


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / ticks
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=10 * power)


def _class_brushes() -> np.ndarray:
    """Brushes indexed by class: orange 0, blue 1 (an object array, for vectorised lookup)."""
    brushes = np.empty(2, dtype=object)
    brushes[0], brushes[1] = pg.mkBrush(NEGATIVE), pg.mkBrush(POSITIVE)
    return brushes


def _lut_brushes(colormap: pg.ColorMap, n: int = 256) -> np.ndarray:
    """One brush per entry of the colour map's look-up table (an object array)."""
    lut = colormap.getLookupTable(0.0, 1.0, n, alpha=False)
    brushes = np.empty(n, dtype=object)
    for i, (r, g, b) in enumerate(lut):
        brushes[i] = QtGui.QBrush(QtGui.QColor(int(r), int(g), int(b)))
    return brushes


def class_color(index: int) -> str:
    """The colour of class ``index`` (target value; the colours repeat after ten classes)."""
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def class_label(index: int) -> str:
    """"class 1 (target 0)": a class as a person counts it, with the target value it stands for."""
    return tr("class {number} (target {target})").format(number=index + 1, target=index)


def region_image(classes: np.ndarray, confidence: np.ndarray, k: int, discrete: bool = False) -> np.ndarray:
    """An RGB image (uint8) of the plane: each point its predicted class's colour, mixed with white
    the more, the closer its probability is to chance (1 / ``k``); all equally strong if ``discrete``."""
    colors = np.array([QtGui.QColor(class_color(c)).getRgb()[:3] for c in range(k)], dtype=np.float64)
    if discrete:
        sure = np.ones(classes.shape)
    else:
        # a probability that is not a number (a naive softmax overflowed) is drawn as chance: white
        sure = np.nan_to_num(np.clip((confidence - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0), nan=0.0)
    least, most = _REGION_TINT
    tint = (least + (most - least) * sure)[..., None]
    return np.round(255.0 + tint * (colors[classes] - 255.0)).astype(np.uint8)


def class_indices(y: np.ndarray) -> np.ndarray:
    """The class of each row of targets: its class index, or the arg-max of a one-hot row."""
    return (y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)).astype(np.intp)


def _sequential_lut(n: int = 256) -> np.ndarray:
    """White to Playground blue, for counts."""
    cmap = pg.ColorMap([0.0, 1.0], [QtGui.QColor("#ffffff"), QtGui.QColor(POSITIVE)])
    return cmap.getLookupTable(0.0, 1.0, n)


class TitleLine(QtWidgets.QWidget):
    """One line of text, bold unless ``bold`` is False, cut with "…" when the panel is narrower.

    Unlike a QLabel, whose ``setText`` makes Qt lay out the whole main window again (about 1 ms
    on every snapshot), a new text here only repaints the line: its height is fixed and its width
    is the layout's to choose.
    """

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None, bold: bool = True):
        super().__init__(parent)
        self._text = text
        font = self.font()
        font.setBold(bold)
        self.setFont(font)
        self.setContentsMargins(4, 2, 4, 0)
        self.setFixedHeight(self.fontMetrics().height() + 2)
        # a long title must not widen the panel's dock
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_OpaquePaintEvent)  # it fills its background

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name)
        if text != self._text:
            self._text = text
            self.update()

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        return QtCore.QSize(0, self.height())  # the width is ignored; the text does not change it

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        rect = self.contentsRect()
        painter.setPen(self.palette().windowText().color())
        text = self.fontMetrics().elidedText(self._text, QtCore.Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter, text)


VIEW_MARGIN = 2  # pixels around the plot
SAME_SCALE = 4.0  # two inputs whose spans differ by at most this factor are drawn to scale


class OutputPanel(Panel, QtWidgets.QWidget):
    """The network's output: decision surface, fitted curve, predicted-vs-target or confusion matrix.

    Attributes for inspection (None when the current mode does not use them): ``mode``,
    ``surface_item`` (ImageItem), ``train_points`` / ``test_points`` (ScatterPlotItem),
    ``curve_item`` (PlotDataItem), ``identity_line`` (InfiniteLine), ``confusion_item``
    (ImageItem), ``cell_labels`` (:class:`CellTexts`, row-major), ``color_bar``, ``title``.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.mode: str | None = None
        self._key = None  # (mode, task, classes): a change of key rebuilds the items
        self._data_refs: tuple | None = None  # the raw arrays last drawn as points (compared by identity)
        self._bar_levels = None
        self._levels = (0.0, 1.0)
        self._centre = 0.5
        self._class_brushes = _class_brushes()
        self._value_brushes = _lut_brushes(diverging_colormap())
        self._reset_items()

        self.title = TitleLine(tr("No data yet"))
        # shown only while the figures are a sample's (a set larger than an evaluation reads)
        self.sample_line = TitleLine(bold=False)
        self.sample_line.hide()
        self.show_test = QtWidgets.QCheckBox(tr("Show test data"))
        self.show_test.setChecked(True)
        self.show_test.toggled.connect(self._on_show_test_toggled)
        self.discretize = QtWidgets.QCheckBox(tr("Discretize output"))
        self.discretize.setToolTip(tr("Colour each point of the plane by the class the network predicts"))
        self.discretize.toggled.connect(self._on_discretize_toggled)
        self.show_confusion = QtWidgets.QCheckBox(tr("Confusion matrix"))
        self.show_confusion.setToolTip(tr("Show the confusion matrix of the classes instead of the input plane"))
        self.show_confusion.toggled.connect(lambda _: self.redraw())

        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setContentsMargins(VIEW_MARGIN, VIEW_MARGIN, VIEW_MARGIN, VIEW_MARGIN)
        self._plane_aspect: float | None = None  # the input plane's width / height, drawn to scale
        self._fitting = False
        self._regions_extent: tuple | None = None  # regions: the plane (x0, x1, y0, y1) below the key's band
        self._key_band = KEY_BAND  # regions: the band's height, a share of the plane's
        self._fitting_band = False
        self.plot: pg.PlotItem = self.view.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # the axes (and their grid) change only with the data set: Qt keeps them as pixmaps
        for axis in (self.plot.getAxis("left"), self.plot.getAxis("bottom")):
            axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # One colour bar for the panel's lifetime; shown only with the surface.
        self.color_bar = pg.ColorBarItem(colorMap=diverging_colormap(), interactive=False, width=12,
                                         colorMapMenu=False)
        self.view.addItem(self.color_bar, row=0, col=1)
        self.color_bar.axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.color_bar.hide()
        # the plane's box is fitted again whenever the plot's size changes (the panel's, the axes')
        self.plot.getViewBox().sigResized.connect(self._fit_plane_box)
        # One legend too, filled only in curve mode (the other modes say it with colours).
        self.legend = self.plot.addLegend(offset=(-8, -8), labelTextSize="8pt", verSpacing=-6,
                                          brush=pg.mkBrush("#ffffffcc"), pen=pg.mkPen(GRID_LINE))

        controls = QtWidgets.QHBoxLayout()
        controls.setContentsMargins(4, 2, 4, 0)
        controls.addWidget(self.show_test)
        controls.addWidget(self.discretize)
        controls.addWidget(self.show_confusion)
        controls.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(controls)
        layout.addWidget(self.title)
        layout.addWidget(self.sample_line)
        layout.addWidget(self.view, 1)
        self._update_controls()

    # -- public -----------------------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        mode = self.mode_for(snapshot)
        if self.show_confusion.isChecked() and classifies(snapshot):
            mode = "confusion"
        classes = snapshot.confusion.shape[0] if snapshot.confusion is not None else 0
        key = (mode, classifies(snapshot), classes)
        if key != self._key:
            self._build(mode, snapshot)
            self._key = key
            self._data_refs = None
        # The core hands out the same raw arrays until the data change: identity says "same data".
        refs = (snapshot.raw_train[0], snapshot.raw_train[1],
                None if snapshot.raw_test is None else snapshot.raw_test[0], snapshot.grid_extent)
        old = self._data_refs
        new_data = old is None or any(a is not b for a, b in zip(refs[:3], old[:3])) or refs[3] != old[3]
        self._data_refs = refs
        getattr(self, f"_draw_{mode}")(snapshot, new_data)
        self._draw_title(snapshot)
        self._update_controls()

    @staticmethod
    def mode_for(snapshot) -> str:
        """Which picture suits the snapshot: ``"surface"``, ``"curve"``, ``"scatter"`` or
        ``"confusion"``."""
        if classifies(snapshot):
            classes = snapshot.confusion.shape[0]
            if classes > 2:
                return "regions" if snapshot.surface_classes is not None else "confusion"
            if snapshot.surface is not None and OutputPanel._class1_surface(snapshot) is not None:
                return "surface"
            if snapshot.curve is not None and snapshot.predictions.shape[1] == 1:
                return "curve"
            return "confusion"
        if snapshot.surface is not None and snapshot.predictions.shape[1] == 1:
            return "surface"
        if snapshot.curve is not None and snapshot.predictions.shape[1] == 1:
            return "curve"
        return "scatter"

    # -- building ---------------------------------------------------------------------------------
    def _reset_items(self) -> None:
        self.surface_item = None
        self.train_points = None
        self.test_points = None
        self.curve_item = None
        self.identity_line = None
        self.confusion_item = None
        self.cell_labels: CellTexts | None = None

    def _build(self, mode: str, snapshot) -> None:
        """Create the plot items of ``mode`` (the only place items are created)."""
        plot = self.plot
        plot.clear()
        self._reset_items()
        self.mode = mode
        vb = plot.getViewBox()
        vb.invertY(False)
        # the confusion matrix's cells are square; the input plane is drawn to scale (a circle stays
        # round) in a box of its own shape, centred in the panel (see _fit_plane_box)
        vb.setAspectLocked(mode == "confusion")
        self._plane_aspect = None
        self._regions_extent = None
        self._fit_plane_box()
        plot.showGrid(x=mode in ("curve", "scatter"), y=mode in ("curve", "scatter"), alpha=0.3)
        for name in ("left", "bottom"):
            plot.getAxis(name).setTicks(None)
        self.color_bar.setVisible(mode == "surface")
        self.legend.clear()
        self.legend.setVisible(mode in ("curve", "regions"))
        # regions: one row of classes at the top, in the band the view keeps above the plane
        self.legend.setColumnCount(max(snapshot.confusion.shape[0], 1) if mode == "regions" else 1)
        self.legend.anchor((0.5, 0) if mode == "regions" else (1, 1), (0.5, 0) if mode == "regions" else (1, 1),
                           offset=(0, 4) if mode == "regions" else (-8, -8))

        if mode == "surface":
            self.surface_item = pg.ImageItem(axisOrder="row-major")
            self.surface_item.setZValue(-10)
            # More than 256 colours: pyqtgraph then looks them up with NumPy into an RGB image, which
            # Qt draws directly, instead of building an indexed image and its colour table that Qt
            # converts on every paint (a third of the time). The colour bar is not linked to the
            # image, which would give it its own 256 colours; the levels are set on both below.
            self.surface_item.setLookupTable(_SURFACE_LUT)
            plot.addItem(self.surface_item)
            self._bar_levels = None
            regression = not classifies(snapshot)
            self.train_points = self._scatter(_TRAIN_VALUE_PEN if regression else _TRAIN_PEN)
            self.test_points = self._scatter(_TEST_PEN)
            plot.setLabel("bottom", "x1")
            plot.setLabel("left", "x2")
        elif mode == "regions":
            self.surface_item = pg.ImageItem(axisOrder="row-major")
            self.surface_item.setZValue(-10)
            plot.addItem(self.surface_item)
            self.train_points = self._scatter(_TRAIN_PEN)
            self.test_points = self._scatter(_TEST_PEN)
            for c in range(snapshot.confusion.shape[0]):  # legend samples only, not in the plot
                sample = pg.ScatterPlotItem(symbol="s", size=10, pen=pg.mkPen(None), brush=pg.mkBrush(class_color(c)))
                self.legend.addItem(sample, class_label(c))
            plot.setLabel("bottom", "x1")
            plot.setLabel("left", "x2")
        elif mode == "curve":
            legend = self.legend
            if classifies(snapshot):
                self.train_points = self._scatter(_TRAIN_PEN)
                self.test_points = self._scatter(_TEST_PEN)
            else:
                self.train_points = self._scatter(pg.mkPen(None), brush=pg.mkBrush(TRAIN_COLOR + "99"),
                                                  size=6)
                self.test_points = self._scatter(pg.mkPen(TEST_COLOR, width=1.5),
                                                 brush=pg.mkBrush(None), size=7)
            self.curve_item = pg.PlotDataItem(pen=pg.mkPen(POSITIVE, width=2.5))
            self.curve_item.setZValue(5)
            plot.addItem(self.curve_item)
            legend.addItem(self.train_points, tr("train"))
            legend.addItem(self.test_points, tr("test"))
            legend.addItem(self.curve_item, tr("network"))
            plot.setLabel("bottom", snapshot.input_names[0] if snapshot.input_names else "x")
            plot.setLabel("left", "y")
        elif mode == "scatter":
            self.identity_line = pg.InfiniteLine(pos=(0, 0), angle=45,
                                                 pen=pg.mkPen(GRID_LINE, width=1.5,
                                                              style=QtCore.Qt.PenStyle.DashLine))
            plot.addItem(self.identity_line)
            self.test_points = self._scatter(pg.mkPen(None), brush=pg.mkBrush(POSITIVE + "88"), size=6)
            plot.setLabel("bottom", tr("target"))
            plot.setLabel("left", tr("predicted"))
        else:  # confusion
            k = snapshot.confusion.shape[0]
            self.confusion_item = pg.ImageItem(axisOrder="row-major")
            self.confusion_item.setLookupTable(_sequential_lut())
            plot.addItem(self.confusion_item)
            edges = np.arange(k + 1, dtype=np.float64)
            zeros, full = np.zeros(k + 1), np.full(k + 1, float(k))
            # Cell borders as one item of line segments (so an empty, white cell still shows).
            borders = pg.PlotDataItem(np.concatenate([np.column_stack([edges, edges]).ravel(),
                                                      np.column_stack([zeros, full]).ravel()]),
                                      np.concatenate([np.column_stack([zeros, full]).ravel(),
                                                      np.column_stack([edges, edges]).ravel()]),
                                      connect="pairs", pen=pg.mkPen(GRID_LINE, width=1))
            plot.addItem(borders)
            self.cell_labels = CellTexts(k, k, point_size=10 if k <= 6 else 8)
            plot.addItem(self.cell_labels)
            ticks = [[(c + 0.5, str(c)) for c in range(k)]]  # the target values, as the Mistakes gallery names them
            plot.getAxis("bottom").setTicks(ticks)
            plot.getAxis("left").setTicks(ticks)
            vb.invertY(True)  # the first class at the top, as a confusion matrix is read
            plot.setLabel("bottom", tr("predicted class (target value)"))
            plot.setLabel("left", tr("true class"))

    def _scatter(self, pen, brush=None, size=_POINT_SIZE) -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(pen=pen, brush=brush, size=size, pxMode=True)
        self.plot.addItem(item)
        return item

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title: what the current mode shows."""
        snap = self._snapshot
        if snap is None or self.mode is None:
            return tr("Output")
        if self.mode in ("surface", "regions"):
            return tr("Decision surface") if classifies(snap) else tr("Output over the input plane")
        return {"curve": tr("Fitted curve"), "scatter": tr("Predicted against target"),
                "confusion": tr("Confusion matrix")}[self.mode]

    def export_table(self) -> tuple[list[str], list[list]]:
        """The numbers of the current mode, as drawn from the snapshot (raw values: not discretized).

        * surface: ``kind, x1, x2, value`` — ``surface`` rows, the network's output at every point of
          the core's grid over the input plane (``linspace`` over ``grid_extent``, x1 fastest, as
          :meth:`nnviz.core.experiment.Experiment._plane_points` samples it; a two-unit softmax
          network's output unit 0, which the panel colours as 1 − value), then ``train`` and, while
          shown, ``test`` rows: the data points with their target;
        * regions: ``kind, x1, x2, class_index, probability`` — ``surface`` rows, the class predicted
          at every point of the grid (its target value, counted from 0) and its probability, then
          the ``train`` and ``test`` points with their class and an empty probability;
        * curve: ``kind, x, value`` — the fitted ``curve``, then the ``train`` and ``test`` points;
        * scatter: ``set, row, output, target, predicted`` — one row per output of each row of the
          test set (else the training set);
        * confusion: ``true, predicted, count``.

        No rows before a snapshot."""
        snap = self._snapshot
        if snap is None or self.mode is None:
            return ["kind", "x1", "x2", "value"], []
        return getattr(self, f"_table_{self.mode}")(snap)

    def _point_rows(self, snap, columns) -> list[list]:
        """``[kind, *columns(X, y)]`` rows of the train points and, while shown, the test points."""
        sets = [("train", snap.raw_train)]
        if snap.raw_test is not None and self.show_test.isChecked():
            sets.append(("test", snap.raw_test))
        rows = []
        for kind, (X, y) in sets:
            rows += [[kind, *values] for values in zip(*(c.tolist() for c in columns(X, y)))]
        return rows

    def _table_surface(self, snap) -> tuple[list[str], list[list]]:
        x0, x1, y0, y1 = snap.grid_extent
        n_rows, n_cols = snap.surface.shape
        xs, ys = np.meshgrid(np.linspace(x0, x1, n_cols), np.linspace(y0, y1, n_rows))
        rows = [["surface", a, b, v] for a, b, v in
                zip(xs.ravel().tolist(), ys.ravel().tolist(), snap.surface.ravel().tolist())]
        rows += self._point_rows(snap, lambda X, y: (X[:, 0], X[:, 1], y[:, 0]))
        return ["kind", "x1", "x2", "value"], rows

    def _table_regions(self, snap) -> tuple[list[str], list[list]]:
        x0, x1, y0, y1 = snap.grid_extent
        n_rows, n_cols = snap.surface_classes.shape
        xs, ys = np.meshgrid(np.linspace(x0, x1, n_cols), np.linspace(y0, y1, n_rows))
        rows = [["surface", a, b, c, p] for a, b, c, p in
                zip(xs.ravel().tolist(), ys.ravel().tolist(), snap.surface_classes.ravel().tolist(),
                    snap.surface_confidence.ravel().tolist())]
        rows += self._point_rows(snap, lambda X, y: (X[:, 0], X[:, 1], class_indices(y), np.full(len(y), None)))
        return ["kind", "x1", "x2", "class_index", "probability"], rows

    def _table_curve(self, snap) -> tuple[list[str], list[list]]:
        xs, out = snap.curve
        rows = [["curve", x, v] for x, v in zip(xs.tolist(), out.tolist())]
        rows += self._point_rows(snap, lambda X, y: (X[:, 0], y[:, 0]))
        return ["kind", "x", "value"], rows

    def _table_scatter(self, snap) -> tuple[list[str], list[list]]:
        header = ["set", "row", "output", "target", "predicted"]
        which = "test" if snap.raw_test is not None else "train"
        target = (snap.raw_test if snap.raw_test is not None else snap.raw_train)[1]
        rows = np.arange(len(target)) if snap.prediction_rows is None else snap.prediction_rows
        target, pred = target[rows], snap.predictions
        if pred.shape != target.shape:  # not drawn either
            return header, []
        return header, [[which, int(rows[r]), o, float(target[r, o]), float(pred[r, o])]
                        for r in range(target.shape[0]) for o in range(target.shape[1])]

    def _table_confusion(self, snap) -> tuple[list[str], list[list]]:
        matrix = snap.confusion
        return ["true", "predicted", "count"], [[i, j, int(matrix[i, j])] for i in range(matrix.shape[0])
                                                 for j in range(matrix.shape[1])]

    # -- drawing ----------------------------------------------------------------------------------
    @staticmethod
    def _class1_surface(snapshot):
        """The surface as a score for class 1 and the value that separates the classes,
        or None when the snapshot's surface cannot show it."""
        last = snapshot.layers[-1] if snapshot.layers else None
        outputs = snapshot.predictions.shape[1] if snapshot.predictions is not None else 1
        # A snapshot may name an activation the registry no longer knows: then the surface is logits.
        activation = ACTIVATIONS.get(last.activation) if last is not None else None
        if outputs == 1:  # the threshold the accuracy counts with (the labels' midpoint, or 0 for logits)
            threshold = snapshot.decision_threshold
            if threshold is None:  # a snapshot made elsewhere: the activation's own
                threshold = getattr(activation, "decision_threshold", 0.0)
            return snapshot.surface, threshold
        if outputs == 2 and activation is not None and issubclass(activation, Softmax):
            # The core samples unit 0 only. A softmax's outputs sum to 1 over the row (a fact of the
            # softmax and its variants, which subclass it, not of other row-wise activations), so with
            # two units P(class 1) = 1 - P(class 0), and the classes part at 0.5.
            return 1.0 - snapshot.surface, 0.5
        return None

    def _draw_surface(self, snapshot, new_data: bool) -> None:
        X, y = snapshot.raw_train
        test = snapshot.raw_test
        if classifies(snapshot):
            image, centre = self._class1_surface(snapshot)
            self._centre = centre
            self._levels = (0.0, 1.0) if centre == 0.5 else (-1.0, 1.0)
        else:
            image, self._centre = snapshot.surface, 0.0
            if new_data:
                targets = y if test is None else np.concatenate([y, test[1]])
                bound = float(np.max(np.abs(targets))) if targets.size else 1.0
                self._levels = (-bound, bound) if bound > 0 else (-1.0, 1.0)
        if self.discretize.isChecked():
            image = np.where(image > self._centre, self._levels[1], self._levels[0])
        self.surface_item.setImage(image, levels=self._levels)
        if self._levels != self._bar_levels:  # setting the colour bar redraws its axis
            self._bar_levels = self._levels
            lo, hi = self._levels
            step = _nice_step(hi - lo)
            values = np.arange(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1) * step
            self.color_bar.axis.setTicks([[(float(v), f"{v:.6g}") for v in values]])
            self.color_bar.setLevels(self._levels)
        if new_data:
            x0, x1, y0, y1 = snapshot.grid_extent
            rows, cols = image.shape
            # Samples lie on linspace(x0, x1): pixel centres, so the image reaches half a pixel out.
            dx, dy = (x1 - x0) / max(cols - 1, 1), (y1 - y0) / max(rows - 1, 1)
            self.surface_item.setRect(QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
            self._set_points(self.train_points, X[:, 0], X[:, 1], y[:, 0], snapshot)
            if test is not None:
                self._set_points(self.test_points, test[0][:, 0], test[0][:, 1], test[1][:, 0], snapshot)
            else:
                self.test_points.clear()
            self.plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
            self._set_plane(x0, x1, y0, y1, snapshot)

    def _draw_regions(self, snapshot, new_data: bool) -> None:
        k = snapshot.confusion.shape[0]
        image = region_image(snapshot.surface_classes, snapshot.surface_confidence, k,
                             discrete=self.discretize.isChecked())
        self.surface_item.setImage(image, levels=(0, 255))
        if new_data:
            x0, x1, y0, y1 = snapshot.grid_extent
            rows, cols = image.shape[:2]
            dx, dy = (x1 - x0) / max(cols - 1, 1), (y1 - y0) / max(rows - 1, 1)
            self.surface_item.setRect(QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
            brushes = np.array([pg.mkBrush(class_color(c)) for c in range(k)], dtype=object)
            for item, points in ((self.train_points, snapshot.raw_train), (self.test_points, snapshot.raw_test)):
                if points is None:
                    item.clear()
                    continue
                X, y = points
                item.setData(X[:, 0], X[:, 1], brush=brushes[np.clip(class_indices(y), 0, k - 1)])
            # a band above the plane holds the key of the classes in one row, clear of the points
            self._regions_extent, self._key_band = (x0, x1, y0, y1), KEY_BAND
            self._show_regions_range(snapshot)

    def _show_regions_range(self, snapshot) -> None:
        """The plane with the key's band above it, to scale (see :meth:`_set_plane`)."""
        x0, x1, y0, y1 = self._regions_extent
        top = y1 + self._key_band * (y1 - y0)
        self.plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, top), padding=0)
        self._set_plane(x0, x1, y0, top, snapshot)

    def _fit_key_band(self) -> None:
        """Regions: a band above the plane at least as tall as the key (its pixels are fixed, the
        plane's are not: in a short panel KEY_BAND of the plane is too little), so the key never
        covers a point. With the band a share ``b`` of the plane, the view box's ``H`` pixels show
        ``(1 + b)`` planes, and a key of ``h`` pixels fits when ``b ≥ h / (H − h)``."""
        if self.mode != "regions" or self._regions_extent is None or self._snapshot is None:
            return
        key = self.legend.boundingRect().height() + 4 + 2  # its offset from the top, and a gap
        height = self.plot.getViewBox().height()
        if key <= 0 or height <= 2 * key:
            return
        band = max(KEY_BAND, key / (height - key))
        if (band > self._key_band + 0.005 or band < self._key_band - 0.02) and not self._fitting_band:
            self._fitting_band = True  # the new range resizes the box, which asks again: once is enough
            try:
                self._key_band = band
                self._show_regions_range(self._snapshot)
            finally:
                self._fitting_band = False

    # -- the input plane to scale ------------------------------------------------------------------
    def _set_plane(self, x0: float, x1: float, y0: float, y1: float, snapshot) -> None:
        """Draw the plane ``x0…x1 × y0…y1`` to scale when its two inputs are alike (spans within a
        factor of SAME_SCALE, as in every built-in set); two unlike columns (a CSV's price and
        rating) fill the plot instead."""
        X = snapshot.raw_train[0]
        spans = np.ptp(X, axis=0) if len(X) else np.zeros(2)
        alike = spans.min() > 0 and spans.max() / spans.min() <= SAME_SCALE or spans.max() == 0
        self._plane_aspect = (x1 - x0) / (y1 - y0) if alike and x1 > x0 and y1 > y0 else None
        self.plot.getViewBox().setAspectLocked(self._plane_aspect is not None, ratio=1.0)
        self._fit_plane_box()

    def _fit_plane_box(self) -> None:
        """Margins around the plot that give its view box the plane's shape, centred: the spare
        room is left around the plot (and out of a figure, see :meth:`figure_crop`), not shown as
        a stretch of empty plane beside the data."""
        if self._fitting:  # the margins set below resize the box
            return
        self._fitting = True
        try:
            self._fit_margins()
        finally:
            self._fitting = False
        self._fit_key_band()

    def _fit_margins(self) -> None:
        layout = self.view.ci.layout
        for _ in range(3):  # the axes take their width from the range the box shows: settle
            layout.activate()
            margins = [VIEW_MARGIN] * 4
            box = self.plot.getViewBox().size()
            if self._plane_aspect is not None and box.width() > 0 and box.height() > 0:
                left, top, right, bottom = layout.getContentsMargins()
                # the view box's largest size: the view less the axes, the colour bar and the base margins
                width = box.width() + left + right - 2 * VIEW_MARGIN
                height = box.height() + top + bottom - 2 * VIEW_MARGIN
                spare_w = width - self._plane_aspect * height
                spare_h = height - width / self._plane_aspect
                if spare_w >= 2:
                    margins[0] = margins[2] = VIEW_MARGIN + spare_w / 2
                elif spare_h >= 2:
                    margins[1] = margins[3] = VIEW_MARGIN + spare_h / 2
            if all(abs(a - b) < 1 for a, b in zip(layout.getContentsMargins(), margins)):
                return
            self.view.ci.setContentsMargins(*margins)

    def figure_crop(self, widget: QtWidgets.QWidget) -> QtCore.QRect | None:
        """The plot without the spare room around the plane's box."""
        if widget is not self.view or self._plane_aspect is None:
            return None
        left, top, right, bottom = (round(m - VIEW_MARGIN) for m in self.view.ci.layout.getContentsMargins())
        if max(left, top, right, bottom) <= 0:
            return None
        return widget.rect().adjusted(left, top, -right, -bottom)

    def _draw_curve(self, snapshot, new_data: bool) -> None:
        xs, out = snapshot.curve
        self.curve_item.setData(xs, out)
        if new_data:
            X, y = snapshot.raw_train
            test = snapshot.raw_test
            if classifies(snapshot):
                self._set_points(self.train_points, X[:, 0], y[:, 0], y[:, 0], snapshot)
                if test is not None:
                    self._set_points(self.test_points, test[0][:, 0], test[1][:, 0], test[1][:, 0], snapshot)
            else:
                self.train_points.setData(X[:, 0], y[:, 0])
                if test is not None:
                    self.test_points.setData(test[0][:, 0], test[1][:, 0])
            if test is None:
                self.test_points.clear()
            self.plot.getViewBox().enableAutoRange()

    def _draw_scatter(self, snapshot, new_data: bool) -> None:
        target = (snapshot.raw_test if snapshot.raw_test is not None else snapshot.raw_train)[1]
        if snapshot.prediction_rows is not None:  # the predictions are for a sample of the rows
            target = target[snapshot.prediction_rows]
        pred = snapshot.predictions
        if pred.shape != target.shape:  # the network's width differs (should not happen): skip
            self.test_points.clear()
            return
        self.test_points.setData(target.ravel(), pred.ravel())
        if new_data:
            self.plot.getViewBox().enableAutoRange()

    def _draw_confusion(self, snapshot, new_data: bool) -> None:
        matrix = snapshot.confusion
        top = max(int(matrix.max()), 1)
        k = matrix.shape[0]
        # Floats: pyqtgraph's integer path would look the counts up in the LUT unscaled.
        self.confusion_item.setImage(matrix.astype(np.float64), levels=(0.0, float(top)),
                                     rect=QtCore.QRectF(0, 0, k, k))
        flat = matrix.ravel()
        self.cell_labels.set_cells([str(int(count)) for count in flat],
                                   ["#ffffff" if count > 0.55 * top else TEXT for count in flat])
        if new_data:
            self.plot.getViewBox().setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def _set_points(self, item: pg.ScatterPlotItem, x, y, values, snapshot) -> None:
        """Points coloured by class (either side of the labels' midpoint) or by target value on the
        surface's colour scale."""
        if classifies(snapshot):
            brushes = self._class_brushes[(values > snapshot.label_midpoint).astype(np.intp)]
        else:
            lo, hi = self._levels
            t = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
            brushes = self._value_brushes[np.round(t * (len(self._value_brushes) - 1)).astype(np.intp)]
        item.setData(x, y, brush=brushes)

    def _draw_title(self, snapshot) -> None:
        which = "test" if snapshot.raw_test is not None else "train"
        loss = snapshot.test_loss if which == "test" else snapshot.train_loss
        parts = [tr("Step {step}").format(step=f"{snapshot.step:,}")]
        acc = snapshot.test_accuracy if which == "test" else snapshot.train_accuracy
        if classifies(snapshot) and acc is not None:  # none beside a non-finite loss
            accuracy = tr("test accuracy {value}") if which == "test" else tr("train accuracy {value}")
            parts.append(accuracy.format(value=format_percent(acc)))
        loss_text = tr("test loss {value}") if which == "test" else tr("train loss {value}")
        parts.append(loss_text.format(value=format_significant(loss, missing=None)))  # NaN reads as nan, not a dash
        if snapshot.diverged:
            parts.append(tr("diverged"))
        self.title.setText("  ·  ".join(parts))
        self._draw_sample_line(snapshot, which)

    def _draw_sample_line(self, snapshot, which: str) -> None:
        """Say what the title's figures (and the counts or points drawn) are counted on, when a sample."""
        note = sample_note(snapshot, which)
        if note:
            first = {"confusion": "counts", "scatter": "points"}.get(self.mode)
            what = {("counts", True): tr("counts, accuracy and loss"), ("counts", False): tr("counts and loss"),
                    ("points", True): tr("points, accuracy and loss"), ("points", False): tr("points and loss"),
                    (None, True): tr("accuracy and loss"), (None, False): tr("loss")}[first, classifies(snapshot)]
            self.sample_line.setText(tr("{set} {figures} on {sample}").format(
                set=tr("test") if which == "test" else tr("train"), figures=what, sample=note))
        if self.sample_line.isHidden() == bool(note):  # a new layout only when the line comes or goes
            self.sample_line.setVisible(bool(note))

    def _update_controls(self) -> None:
        has_points = self.mode in ("surface", "regions", "curve")
        self.show_test.setEnabled(has_points)
        self.discretize.setEnabled(self.mode in ("surface", "regions"))
        snap = self._snapshot
        self.show_confusion.setEnabled(snap is not None and classifies(snap))
        if self.test_points is not None and has_points:
            self.test_points.setVisible(self.show_test.isChecked())

    # -- slots ------------------------------------------------------------------------------------
    def _on_show_test_toggled(self, checked: bool) -> None:
        if self.test_points is not None and self.mode in ("surface", "regions", "curve"):
            self.test_points.setVisible(checked)

    def _on_discretize_toggled(self, checked: bool) -> None:
        if self.mode in ("surface", "regions") and self._snapshot is not None:
            getattr(self, f"_draw_{self.mode}")(self._snapshot, new_data=False)


def classifies(snapshot) -> bool:
    """Whether the snapshot scores classes: classification data and outputs that can tell the classes
    apart (ten classes on one output are drawn as values, not as two classes)."""
    return snapshot.task == "classification" and snapshot.confusion is not None


def _demo_snapshot(dataset: str):
    """A real snapshot after a short run on a built-in data set (mse model for regression sets)."""
    from nnviz.core.datasets import make_dataset
    from nnviz.core.experiment import DataConfig, Experiment, default_document

    doc = default_document()
    if make_dataset(dataset).task == "regression":
        doc = {"format": "nnviz.model/1", "name": "Regression", "inputs": 2,
               "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                          {"type": "dense", "units": 8, "activation": "tanh"},
                          {"type": "dense", "units": 1, "activation": "identity"}],
               "loss": "mse", "optimizer": {"name": "adam", "lr": 0.02}, "seed": 0}
    exp = Experiment(doc, DataConfig(dataset=dataset, test_fraction=0.25 if dataset == "square" else 0.5))
    for _ in range(3):
        exp.run(300)
        exp.snapshot()
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the output panel alone on a short real run.")
    parser.add_argument("--dataset", default="circle", help="a built-in data set (default: circle)")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    sys.exit(show_alone(OutputPanel, f"output ({args.dataset})", _demo_snapshot(args.dataset),
                        size=(700, 450), save=args.save))
