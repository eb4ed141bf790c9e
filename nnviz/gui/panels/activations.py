"""The activations panel: what each layer's units output on the fixed probe batch.

A layer combo chooses the layer drawn in detail; three views show it:

* ``"histogram"`` — the distribution of the layer's activations (the core's histogram), with the
  saturation thresholds of an activation with flat tails (tanh, sigmoid) marked, and a compact table
  of every layer's mean, std, saturated and dead shares below it, so a layer in trouble stands out
  wherever it is;
* ``"heatmap"`` — neurons × samples: every activation of the layer on the probe batch, one row per
  unit, on the diverging colour map (0 white; for an activation with flat tails the middle of its
  range, 0.5 for a sigmoid);
* ``"time"`` — the layer's activation percentiles over the steps: the 5–95 % band, the 25–75 % band
  and the median, with the dead and saturated shares in a strip below.

The line above the views gives the selected layer's mean, std, saturated and dead shares; a share of
10 % or more is amber, 50 % or more red (:func:`flag`). Every number comes from the snapshot
(``snapshot.health``, ``snapshot.layers``, ``snapshot.health_history``); the panel only formats and
places them. Items are created once; a snapshot calls ``setData`` / ``setImage`` on the items of the
view in front, and a hidden panel only keeps the snapshot and draws it when it is shown again.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.core.numbers import MISSING, format_percent, format_significant
from nnviz.core.stats import PERCENTILES
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel, cache_axes
from nnviz.gui.panels.facts import output_range, saturation_band, weighted
from nnviz.gui.panels.loss import snapped_range, step_bound, step_list
from nnviz.gui.style import POSITIVE, TEXT, diverging_colormap, diverging_lut, readable

VIEWS = ("histogram", "heatmap", "time")
#: a share of dead or saturated units at or above these is flagged amber / red
AMBER_AT = 0.10
RED_AT = 0.50
FLAG_COLORS = {"amber": "#b86e00", "red": "#c62828"}

_LUT = diverging_lut(512)  # more than 256 colours: pyqtgraph maps to RGB itself, Qt draws it directly
_SHOWN_ROW = "#dcebf7"  # the table row of the layer shown in detail
_SATURATED_COLOR = "#8e24aa"
_DEAD_COLOR = "#546e7a"
_THRESHOLD_PEN = pg.mkPen("#9e9e9e", width=1, style=QtCore.Qt.PenStyle.DashLine)


# -- flags and labels (shared with the weights panel) --------------------------------------------
def flag(value: float | None) -> str | None:
    """``"red"`` for a share of 50 % or more, ``"amber"`` for 10 % or more, else None."""
    if value is None or not math.isfinite(value):
        return None
    if value >= RED_AT:
        return "red"
    if value >= AMBER_AT:
        return "amber"
    return None


def layer_label(snapshot, index: int) -> str:
    """"Hidden layer 1 · dense tanh", "Output layer · dense sigmoid" (numbered as in the sidebar)."""
    view = snapshot.layers[index]
    name = (tr("Output layer") if index == len(snapshot.layers) - 1
            else tr("Hidden layer {number}").format(number=index + 1))
    kind = view.type if view.activation == "identity" and not weighted(view.type) \
        else f"{view.type} {view.activation}"
    return f"{name} · {kind}"


def finite_bound(array: np.ndarray) -> float:
    """The largest finite |value| of ``array`` (for symmetric colour levels); 1 if there is none or 0."""
    finite = array[np.isfinite(array)]
    bound = float(np.max(np.abs(finite))) if finite.size else 0.0
    return bound if bound > 0 else 1.0


# -- small widgets ---------------------------------------------------------------------------------
class SegmentsLine(QtWidgets.QWidget):
    """One line of text in coloured pieces; when the panel is narrower, the last whole pieces give
    way to "…" (the whole line is then the tooltip).

    A new text only repaints the line: unlike a QLabel's ``setText``, it does not make Qt lay out
    the window again (the height is fixed and the width is the layout's).
    ``segments`` is a list of ``(text, colour or None, bold)``.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.segments: list[tuple[str, str | None, bool]] = []
        self.setContentsMargins(6, 2, 6, 2)
        self.setFixedHeight(self.fontMetrics().height() + 4)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return "".join(text for text, _, _ in self.segments)

    def set_segments(self, segments: list[tuple[str, str | None, bool]]) -> None:
        if segments != self.segments:
            self.segments = segments
            self._show_tip()
            self.update()

    def color_of(self, text: str) -> str | None:
        """The colour of the first segment containing ``text`` (for tests and tools)."""
        return next((color for t, color, _ in self.segments if text in t), None)

    def _fonts(self) -> tuple[QtGui.QFont, QtGui.QFont]:
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        return self.font(), bold

    def shown_segments(self) -> list[tuple[str, str | None, bool]]:
        """The segments drawn at the present width: whole ones, the last that do not fit left out
        (with the separator before them) and "…" in their place — never a word cut in two."""
        normal, bold = self._fonts()
        room = self.contentsRect().width()

        def width(segments) -> int:
            return sum(QtGui.QFontMetrics(bold if strong else normal).horizontalAdvance(text)
                       for text, _, strong in segments)
        shown = list(self.segments)
        if width(shown) <= room:
            return shown
        ellipsis = (" …", None, False)
        while shown and width(shown + [ellipsis]) > room:
            shown.pop()
            while shown and shown[-1][0].strip() in ("", "·"):  # no separator left dangling
                shown.pop()
        return shown + [ellipsis]

    def shown_text(self) -> str:
        return "".join(text for text, _, _ in self.shown_segments())

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt override)
        """The line's own tip; the whole text goes before it while the line is shortened."""
        self._tip = tip
        self._show_tip()

    def _show_tip(self) -> None:
        own = getattr(self, "_tip", "")
        cut = self.shown_segments() != self.segments
        super().setToolTip("\n".join(t for t in ((self.text() if cut else ""), own) if t))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._show_tip()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QtGui.QPainter(self)
        rect = self.contentsRect()
        x = rect.left()
        normal, bold = self._fonts()
        window = self.palette().color(QtGui.QPalette.ColorRole.Window)
        plain = self.palette().color(QtGui.QPalette.ColorRole.WindowText)
        for text, color, strong in self.shown_segments():
            painter.setFont(bold if strong else normal)
            painter.setPen(readable(color, window) if color else plain)
            width = QtGui.QFontMetrics(painter.font()).horizontalAdvance(text)
            painter.drawText(QtCore.QRect(x, rect.top(), rect.right() - x + 1, rect.height()),
                             QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter, text)
            x += width


class _BandSample(pg.ItemSample):
    """A legend entry for a FillBetweenItem (pyqtgraph's sample expects a curve's ``opts``)."""

    def paint(self, painter, *args):
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(self.item.brush())
        painter.drawRect(QtCore.QRectF(2, 4, 16, 12))


class IntegerAxis(pg.AxisItem):
    """Ticks on whole numbers only: units and samples are counted, not measured. ``first``: the
    label of position 0 (1 for units and samples, drawn at 0, 1, … but counted from 1)."""

    def __init__(self, orientation: str, first: int = 0, **kwargs):
        super().__init__(orientation, **kwargs)
        self.first = first

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph override)
        levels = [(spacing, values) for spacing, values in super().tickValues(minVal, maxVal, size)
                  if spacing >= 1]
        if not levels:  # zoomed in to a few units: every one
            lo, hi = sorted((minVal, maxVal))
            levels = [(1.0, np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=np.float64))]
        return levels

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        return [f"{round(v * scale) + self.first:d}" for v in values]


def lay_out_layer_panel(panel: QtWidgets.QWidget, layer_combo, info_line, tabs) -> None:
    """A per-layer panel's layout: the layer chooser on top, a line of figures, then the tabs."""
    top = QtWidgets.QHBoxLayout()
    top.setContentsMargins(6, 4, 6, 0)
    label = QtWidgets.QLabel(tr("Layer"))
    label.setBuddy(layer_combo)
    top.addWidget(label)
    top.addWidget(layer_combo)
    top.addStretch(1)
    layout = QtWidgets.QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addLayout(top)
    layout.addWidget(info_line)
    layout.addWidget(tabs, 1)


def make_plot(left: str, bottom: str, integer: tuple[str, ...] = (), counted: tuple[str, ...] = ()) -> pg.PlotItem:
    """A plot item in the panels' quiet style: no menu, no "A" button, axis labels set; the axes
    named in ``integer`` ("left", "bottom") tick whole numbers only, those in ``counted`` number
    units or samples drawn at 0, 1, … from 1, as everywhere a person reads them."""
    axes = {name: IntegerAxis(name) for name in integer}
    axes.update({name: IntegerAxis(name, first=1) for name in counted})
    plot = pg.PlotItem(axisItems=axes)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)
    cache_axes(plot)
    return plot


def make_color_bar() -> pg.ColorBarItem:
    bar = pg.ColorBarItem(colorMap=diverging_colormap(), interactive=False, width=12, colorMapMenu=False)
    bar.axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return bar


def follow_ranges(plot: pg.PlotItem, following: bool = True) -> None:
    """Let :func:`set_range` fit ``plot`` to the data until the user pans or zooms it (then the plot
    stays where the user put it, until ``follow_ranges(plot)`` is called again, e.g. for a new layer)."""
    vb = plot.getViewBox()
    vb.user_moved = not following
    if not getattr(vb, "watched", False):
        vb.watched = True
        vb.sigRangeChangedManually.connect(lambda mask, vb=vb: setattr(vb, "user_moved", True))


def count_top(counts: np.ndarray) -> float:
    """The top of a count axis: the largest count rounded up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
    times a power of ten, so that the axis moves only when the counts outgrow it."""
    return step_bound(float(np.max(counts))) if counts.size else 1.0


def set_range(plot: pg.PlotItem, x: tuple[float, float] | None = None, y: tuple[float, float] | None = None,
              padding: float = 0.0) -> None:
    """Set a plot's ranges, each widened by ``padding`` of its span, unless they are already there
    (setting even the same range lays out the axes again) or the user has panned or zoomed the plot
    (see :func:`follow_ranges`)."""
    vb = plot.getViewBox()
    if getattr(vb, "user_moved", False):
        return
    current = vb.viewRange()

    def wanted(r, now):
        if r is None:
            return None
        span = r[1] - r[0]
        r = (r[0] - padding * span, r[1] + padding * span)
        same = all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(r, now))
        return None if same else r

    x, y = wanted(x, current[0]), wanted(y, current[1])
    if x is not None or y is not None:
        vb.setRange(xRange=x, yRange=y, padding=0)


# -- the panel -------------------------------------------------------------------------------------
class ActivationsPanel(Panel, QtWidgets.QWidget):
    """Activations of the selected layer on the probe batch: histogram, neurons × samples, over time.

    Public: ``show_snapshot(snapshot)``, ``select_layer(index)``, ``set_view(name)`` (one of
    :data:`VIEWS`), ``layer`` (the selected index), ``view_name``, ``flag_of(index)``.
    Items for inspection: ``layer_combo``, ``tabs``, ``stats_line`` (SegmentsLine), ``layer_table``
    (QTableWidget, one row per layer: layer, mean, std, saturated, dead); ``histogram_curve``
    (step curve: x the bin edges, y the counts), ``threshold_lines``; ``heatmap_item`` (ImageItem),
    ``heatmap_bar`` (ColorBarItem); ``band_curves`` (dict "p5" … "p95" of PlotDataItem),
    ``outer_band`` / ``inner_band`` (FillBetweenItem), ``dead_curve``, ``saturated_curve``.
    """

    layer_selected = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._layer = 0
        self._labels: tuple[str, ...] = ()
        self._heatmap_levels = None
        self._time_x_range = None

        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.stats_line = SegmentsLine()

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_histogram(), tr("Histogram"))
        self.tabs.addTab(self._build_heatmap(), tr("Neurons × samples"))
        self.tabs.addTab(self._build_time(), tr("Over time"))
        self.tabs.setTabToolTip(0, tr("How the selected layer's activations on the probe batch are spread"))
        self.tabs.setTabToolTip(1, tr("Every activation of the selected layer: one row per unit, one column "
                                      "per probe sample"))
        self.tabs.setTabToolTip(2, tr("The selected layer's activation percentiles at each evaluation"))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        lay_out_layer_panel(self, self.layer_combo, self.stats_line, self.tabs)

    # -- building ---------------------------------------------------------------------------------
    def _build_histogram(self) -> QtWidgets.QWidget:
        self.histogram_view = pg.GraphicsLayoutWidget()
        self.histogram_view.ci.setContentsMargins(2, 2, 8, 2)
        self.histogram_plot = make_plot(tr("count"), tr("activation"), integer=("left",))
        self.histogram_plot.showGrid(y=True, alpha=0.25)
        self.histogram_plot.getViewBox().disableAutoRange()  # ranges: _draw_histogram
        follow_ranges(self.histogram_plot)
        self.histogram_view.addItem(self.histogram_plot)
        self.histogram_curve = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(POSITIVE, width=1.5),
                                               brush=pg.mkBrush(POSITIVE + "55"))
        self.histogram_plot.addItem(self.histogram_curve)
        self.threshold_lines = []
        for _ in range(2):
            line = pg.InfiniteLine(angle=90, movable=False, pen=_THRESHOLD_PEN)
            line.hide()
            self.histogram_plot.addItem(line, ignoreBounds=True)
            self.threshold_lines.append(line)

        self.layer_table = QtWidgets.QTableWidget(0, 5)
        self.layer_table.setAccessibleName(tr("Layers"))
        self.layer_table.setHorizontalHeaderLabels([tr("layer"), tr("mean"), tr("std"), tr("saturated"), tr("dead")])
        self.layer_table.verticalHeader().hide()
        self.layer_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 4)
        self.layer_table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        # No selection highlight: it would paint over the flag colours. The shown layer's row is
        # marked with a pale background instead (_fill_table).
        self.layer_table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.layer_table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.layer_table.setShowGrid(False)
        self.layer_table.setToolTip(tr("Every layer on the probe batch; click a row to show that layer"))
        header = self.layer_table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, 76)
        header.setDefaultAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        header.model().setHeaderData(0, QtCore.Qt.Orientation.Horizontal,
                                     QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter,
                                     QtCore.Qt.ItemDataRole.TextAlignmentRole)
        self.layer_table.cellClicked.connect(self._on_layer_table_cell_clicked)

        page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.histogram_view, 1)
        layout.addWidget(self.layer_table)
        return page

    def _build_heatmap(self) -> QtWidgets.QWidget:
        self.heatmap_view = pg.GraphicsLayoutWidget()
        self.heatmap_view.ci.setContentsMargins(2, 8, 2, 8)  # room for the colour bar's end labels
        self.heatmap_plot = make_plot(tr("unit"), tr("probe sample"), counted=("left", "bottom"))
        self.heatmap_plot.getViewBox().invertY(True)  # unit 1 at the top, as a matrix is read
        self.heatmap_plot.getViewBox().disableAutoRange()
        follow_ranges(self.heatmap_plot)
        self.heatmap_view.addItem(self.heatmap_plot, row=0, col=0)
        self.heatmap_item = pg.ImageItem(axisOrder="row-major")
        self.heatmap_item.setLookupTable(_LUT)
        self.heatmap_plot.addItem(self.heatmap_item)
        self.heatmap_bar = make_color_bar()
        self.heatmap_view.addItem(self.heatmap_bar, row=0, col=1)
        return self.heatmap_view

    def _build_time(self) -> QtWidgets.QWidget:
        self.time_view = pg.GraphicsLayoutWidget()
        self.time_view.ci.setContentsMargins(2, 2, 8, 2)
        self.time_view.ci.setSpacing(0)
        self.time_plot = make_plot(tr("activation"), tr("step"))
        self.time_plot.showGrid(x=True, y=True, alpha=0.25)
        self.time_plot.getAxis("bottom").showLabel(False)
        self.time_plot.getAxis("bottom").setStyle(showValues=False)
        self.share_plot = make_plot(tr("share"), tr("step"))
        self.share_plot.showGrid(x=True, y=True, alpha=0.25)
        self.share_plot.setXLink(self.time_plot)
        self.share_plot.getViewBox().setMouseEnabled(y=False)
        self.share_plot.getAxis("left").setTicks([[(0.0, "0%"), (0.5, "50%"), (1.0, "100%")]])
        for plot in (self.time_plot, self.share_plot):
            plot.getViewBox().disableAutoRange()  # ranges: _draw_time
            follow_ranges(plot)
            plot.getAxis("left").setWidth(52)  # the same for both, so their steps line up
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
        self.time_view.addItem(self.time_plot, row=1, col=0)
        self.time_view.addItem(self.share_plot, row=2, col=0)
        self.time_view.ci.layout.setRowStretchFactor(1, 3)
        self.time_view.ci.layout.setRowStretchFactor(2, 1)

        # No pen would leave a curve without a path (pyqtgraph skips it), and the band without an edge.
        edge, none = pg.mkPen(POSITIVE + "66", width=1), pg.mkPen(None)
        self.band_curves = {name: pg.PlotDataItem(pen=edge if name in ("p5", "p95") else none, connect="finite")
                            for name in ("p5", "p25", "p75", "p95")}
        self.band_curves["p50"] = pg.PlotDataItem(pen=pg.mkPen(POSITIVE, width=2), connect="finite")
        self.outer_band = pg.FillBetweenItem(self.band_curves["p5"], self.band_curves["p95"],
                                             brush=pg.mkBrush(POSITIVE + "30"))
        self.inner_band = pg.FillBetweenItem(self.band_curves["p25"], self.band_curves["p75"],
                                             brush=pg.mkBrush(POSITIVE + "70"))
        for item in (self.outer_band, self.inner_band, *self.band_curves.values()):
            self.time_plot.addItem(item)
        self.time_threshold_lines = []
        for _ in range(2):
            line = pg.InfiniteLine(angle=0, movable=False, pen=_THRESHOLD_PEN)
            line.hide()
            self.time_plot.addItem(line, ignoreBounds=True)
            self.time_threshold_lines.append(line)
        self.saturated_curve = pg.PlotDataItem(pen=pg.mkPen(_SATURATED_COLOR, width=1.5), connect="finite")
        self.dead_curve = pg.PlotDataItem(pen=pg.mkPen(_DEAD_COLOR, width=1.5), connect="finite")
        self.share_plot.addItem(self.saturated_curve)
        self.share_plot.addItem(self.dead_curve)

        # One legend row above the plots: inside them it would hide the curves of a saturated layer.
        self.time_legend = pg.LegendItem(colCount=5, labelTextSize="8pt", horSpacing=14, verSpacing=-6)
        self.time_view.addItem(self.time_legend, row=0, col=0)
        self._time_legend_key = None
        return self.time_view

    # -- public -----------------------------------------------------------------------------------
    @property
    def layer(self) -> int:
        """The index of the layer shown in detail."""
        return self._layer

    @property
    def view_name(self) -> str:
        return VIEWS[self.tabs.currentIndex()]

    def select_layer(self, index: int) -> None:
        """Show layer ``index`` (0 = first hidden layer) in detail."""
        count = len(self._snapshot.layers) if self._snapshot is not None else None
        if count is not None and not 0 <= index < count:
            raise IndexError(f"layer {index} out of range (the network has {count} layers)")
        if index == self._layer:
            return
        self._layer = index
        for plot in (self.histogram_plot, self.heatmap_plot, self.time_plot, self.share_plot):
            follow_ranges(plot)  # a new layer: fit the plots to its data again
        self.layer_selected.emit(index)
        self.redraw()

    def set_view(self, name: str) -> None:
        """Bring view ``name`` (one of :data:`VIEWS`) to the front."""
        self.tabs.setCurrentIndex(VIEWS.index(name))

    def flag_of(self, index: int) -> dict[str, str | None]:
        """How layer ``index``'s shares are flagged: ``{"saturated": …, "dead": …}``, each
        ``"red"``, ``"amber"`` or None (the colours of the stats line and the table)."""
        health = self._health(index)
        if health is None:
            return {"saturated": None, "dead": None}
        return {"saturated": flag(health.saturated), "dead": flag(health.dead)}

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title: the layer and the view in front."""
        self.catch_up()
        snap = self._snapshot
        if snap is None or not snap.layers:
            return tr("Activations")
        view = {"histogram": tr("histogram"), "heatmap": tr("neurons × samples"),
                "time": tr("over time")}[self.view_name]
        return tr("Activations — {layer} ({view})").format(layer=layer_label(snap, self._layer), view=view)

    def export_table(self) -> tuple[list[str], list[list]]:
        """The numbers of the view in front, for the selected layer (``layer_index`` 0-based, as
        ``layers[i]``), as the core computed them:

        * histogram: ``quantity, layer_index, bin_left, bin_right, value`` — a ``count`` row per bin
          of the selected layer's histogram, then the table below it: ``mean``, ``std``,
          ``saturated`` and ``dead`` of every layer (a share the layer cannot have, "–", has no row);
        * heatmap: ``layer_index, unit, sample, activation`` — every activation on the probe batch;
        * time: ``series, layer_index, step, value`` — the percentiles ``p5`` … ``p95`` at each
          evaluation step, then the ``saturated`` and ``dead`` shares the layer has.

        No rows before a snapshot."""
        self.catch_up()
        view = self.view_name
        snap = self._snapshot
        header = {"histogram": ["quantity", "layer_index", "bin_left", "bin_right", "value"],
                  "heatmap": ["layer_index", "unit", "sample", "activation"],
                  "time": ["series", "layer_index", "step", "value"]}[view]
        if snap is None or not snap.layers:
            return header, []
        i = self._layer
        rows = []
        if view == "histogram":
            h = self._health(i)
            if h is not None:
                counts, edges = h.histogram
                edges = edges.tolist()
                rows += [["count", i, lo, hi, c] for lo, hi, c in zip(edges[:-1], edges[1:], counts.tolist())]
            for j in range(len(snap.layers)):
                hj = self._health(j)
                if hj is not None:
                    rows += [[name, j, "", "", float(value)] for name, value in
                             (("mean", hj.mean), ("std", hj.std), ("saturated", hj.saturated), ("dead", hj.dead))
                             if value is not None]
        elif view == "heatmap":
            a = snap.layers[i].a
            rows = [[i, u, k, v] for u, unit in enumerate(a.T.tolist()) for k, v in enumerate(unit)]
        else:
            steps = step_list(snap.history["eval_step"])
            hh = snap.health_history
            h = self._health(i)
            names = [f"p{pct:g}" for pct in PERCENTILES]
            names += [name for name in ("saturated", "dead") if h is not None and getattr(h, name) is not None]
            for name in names:
                values = hh.get(f"{i}.{name}")
                if values is not None and values.size == len(steps):
                    rows += [[name, i, step, v] for step, v in zip(steps, values.tolist())]
        return header, rows

    # -- drawing ----------------------------------------------------------------------------------
    def _health(self, index: int):
        snap = self._snapshot
        if snap is None or len(snap.health) != len(snap.layers) or not 0 <= index < len(snap.health):
            return None
        return snap.health[index]

    def _draw_snapshot(self, snap) -> None:
        if not snap.layers:
            return
        self._update_layers(snap)
        self._draw_stats_line(snap)
        getattr(self, f"_draw_{self.view_name}")(snap)

    def _update_layers(self, snap) -> None:
        """Refill the combo and the table when the architecture changes (not on every snapshot)."""
        labels = tuple(layer_label(snap, i) for i in range(len(snap.layers)))
        if self._layer >= len(labels):
            self._layer = len(labels) - 1
        if labels != self._labels:
            self._labels = labels
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for i, label in enumerate(labels):
                self.layer_combo.addItem(label, i)
            self.layer_combo.blockSignals(False)
            table = self.layer_table
            table.setRowCount(len(labels))
            right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
            for row, label in enumerate(labels):
                kind = label.split(" · ", 1)[1]
                short = tr("output") if row == len(labels) - 1 else str(row + 1)
                table.setItem(row, 0, QtWidgets.QTableWidgetItem(f"{short} · {kind}"))
                for column in range(1, 5):
                    item = QtWidgets.QTableWidgetItem("")
                    item.setTextAlignment(right)
                    table.setItem(row, column, item)
            rows = min(len(labels), 6)  # a few rows, then the table scrolls
            table.setFixedHeight(table.horizontalHeader().height() + rows * table.verticalHeader().defaultSectionSize()
                                 + 2 * table.frameWidth())
        if self.layer_combo.currentIndex() != self._layer:
            self.layer_combo.blockSignals(True)
            self.layer_combo.setCurrentIndex(self._layer)
            self.layer_combo.blockSignals(False)
        self._fill_table(snap)

    def _fill_table(self, snap) -> None:
        table = self.layer_table
        bold = QtGui.QFont(table.font())
        bold.setBold(True)
        for row in range(table.rowCount()):
            h = self._health(row)
            values = ((format_significant(h.mean), None), (format_significant(h.std), None),
                      (format_percent(h.saturated), flag(h.saturated)),
                      (format_percent(h.dead), flag(h.dead))) if h is not None else ((MISSING, None),) * 4
            background = QtGui.QBrush(QtGui.QColor(_SHOWN_ROW) if row == self._layer else QtCore.Qt.BrushStyle.NoBrush)
            name = table.item(row, 0)
            if name.background() != background:
                name.setBackground(background)
            for column, (text, level) in enumerate(values, start=1):
                item = table.item(row, column)
                if item.text() != text:
                    item.setText(text)
                color = QtGui.QColor(FLAG_COLORS[level] if level else TEXT)
                if item.foreground().color() != color:
                    item.setForeground(color)
                    item.setFont(bold if level else table.font())
                if item.background() != background:
                    item.setBackground(background)

    def _draw_stats_line(self, snap) -> None:
        h = self._health(self._layer)
        view = snap.layers[self._layer]
        head = tr("{units} units × {samples} probe samples").format(units=view.units, samples=view.a.shape[0])
        if h is None:
            self.stats_line.set_segments([(head, None, False)])
            return
        segments = [(head + "   ", None, False),
                    (tr("mean {value}").format(value=format_significant(h.mean)), None, False),
                    (" · ", None, False), (tr("std {value}").format(value=format_significant(h.std)), None, False)]
        for text, value in ((tr("saturated {value}"), h.saturated), (tr("dead {value}"), h.dead)):
            level = flag(value)
            segments += [(" · ", None, False), (text.format(value=format_percent(value)),
                                                FLAG_COLORS[level] if level else None, level is not None)]
        self.stats_line.set_segments(segments)

    def _draw_histogram(self, snap) -> None:
        h = self._health(self._layer)
        if h is None:
            self.histogram_curve.setData([], [])
            return
        counts, edges = h.histogram
        self.histogram_curve.setData(edges, counts)
        activation = h.activation
        for line, pos in zip(self.threshold_lines, saturation_band(activation) or (None, None)):
            line.setVisible(pos is not None)
            if pos is not None:
                line.setPos(pos)
        # A bounded activation shows its whole range, so saturation is bars at the ends.
        x = output_range(activation) or snapped_range(float(edges[0]), float(edges[-1]))
        set_range(self.histogram_plot, x=x, y=(0.0, count_top(counts)), padding=0.05)

    def _draw_heatmap(self, snap) -> None:
        view = snap.layers[self._layer]
        image = view.a.T  # (units, probe samples)
        if saturation_band(view.activation) is not None:
            # The whole range, so that saturated units are full colour (and a sigmoid's 0.5, its
            # "no opinion", white); other activations around 0, softmax's small shares included.
            levels = output_range(view.activation)
        else:
            bound = finite_bound(image)
            levels = (-bound, bound)
        self.heatmap_item.setImage(image, levels=levels, autoLevels=False)
        units, samples = image.shape
        self.heatmap_item.setRect(QtCore.QRectF(-0.5, -0.5, samples, units))  # pixel centres on integers
        if levels != self._heatmap_levels:  # setting the colour bar lays out its axis again
            self._heatmap_levels = levels
            self.heatmap_bar.setLevels(levels)
        set_range(self.heatmap_plot, x=(-0.5, samples - 0.5), y=(-0.5, units - 0.5))

    def _draw_time(self, snap) -> None:
        x = snap.history["eval_step"]
        hh = snap.health_history
        i = self._layer
        empty = np.full(x.size, np.nan)
        for name, curve in self.band_curves.items():
            curve.setData(x, hh.get(f"{i}.{name}", empty))
        dead, saturated = hh.get(f"{i}.dead", empty), hh.get(f"{i}.saturated", empty)
        self.dead_curve.setData(x, dead)
        self.saturated_curve.setData(x, saturated)
        # The legend names only the measures the layer has (a tanh layer cannot die).
        h = self._health(i)
        key = (h is not None and h.saturated is not None, h is not None and h.dead is not None)
        if key != self._time_legend_key:
            self._time_legend_key = key
            legend = self.time_legend
            legend.clear()
            legend.addItem(self.band_curves["p50"], tr("median"))
            legend.addItem(_BandSample(self.inner_band), "25–75%")
            legend.addItem(_BandSample(self.outer_band), "5–95%")
            if key[0]:
                legend.addItem(self.saturated_curve, tr("saturated"))
            if key[1]:
                legend.addItem(self.dead_curve, tr("dead"))
        activation = snap.layers[i].activation
        for line, pos in zip(self.time_threshold_lines, saturation_band(activation) or (None, None)):
            line.setVisible(pos is not None)
            if pos is not None:
                line.setPos(pos)
        # Ranges that move only now and then (see nnviz.gui.panels.loss): steps up to a round bound
        # ahead of the training; a bounded activation's whole range, else a snapped one.
        last = float(x[-1]) if x.size else 1.0
        x_range = (min(float(x[0]), 0.0) if x.size else 0.0, step_bound(last))
        y_range = output_range(activation)
        if y_range is None:
            low, high = hh.get(f"{i}.p5", empty), hh.get(f"{i}.p95", empty)
            finite = np.concatenate([low[np.isfinite(low)], high[np.isfinite(high)]])
            y_range = snapped_range(float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        set_range(self.time_plot, x=x_range, y=y_range, padding=0.05)
        set_range(self.share_plot, y=(0.0, 1.0), padding=0.1)

    # -- events and slots -------------------------------------------------------------------------
    def _on_layer_combo_changed(self, index: int) -> None:
        if index >= 0:
            self.select_layer(index)

    def _on_layer_table_cell_clicked(self, row: int, column: int) -> None:
        self.select_layer(row)

    def _on_tabs_current_changed(self, index: int) -> None:
        self.redraw()


def demo_snapshot(kind: str = "tanh"):
    """A real snapshot after a short run: ``"tanh"`` (the default circle net), ``"relu"`` (a ReLU
    net with one layer dead) or ``"sigmoid"`` (a deep sigmoid net with a large init, saturated)."""
    from nnviz.core.experiment import DataConfig, Experiment, default_document

    doc = default_document()
    if kind == "relu":
        doc["layers"] = [{"type": "dense", "units": 8, "activation": "relu", "init": "he_uniform"},
                         {"type": "dense", "units": 6, "activation": "relu", "init": "he_uniform",
                          "bias": [-100.0] * 6},
                         {"type": "dense", "units": 1, "activation": "sigmoid"}]
    elif kind == "sigmoid":
        doc["layers"] = [{"type": "dense", "units": 8, "activation": "sigmoid",
                          "init": {"name": "normal", "std": 4.0}} for _ in range(6)]
        doc["layers"].append({"type": "dense", "units": 1, "activation": "sigmoid"})
        doc["optimizer"] = {"name": "sgd", "lr": 0.3}
    exp = Experiment(doc, DataConfig(dataset="spiral" if kind == "sigmoid" else "circle", noise=0.1))
    exp.run_evaluated(500, every=25)
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the activations panel alone on a short real run.")
    parser.add_argument("--net", choices=("tanh", "relu", "sigmoid"), default="tanh",
                        help="the default tanh net, a ReLU net with a dead layer, or a saturated deep sigmoid net")
    parser.add_argument("--view", choices=VIEWS, default="histogram")
    parser.add_argument("--layer", type=int, default=0)
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    def prepare(panel):
        panel.set_view(args.view)
        panel.select_layer(args.layer)

    sys.exit(show_alone(ActivationsPanel, f"activations ({args.net})", demo_snapshot(args.net),
                        prepare=prepare, save=args.save))
