"""The network graph: the central panel, layers as columns of neurons joined by their weights.

Column 0 holds the input features, column ``i + 1`` the units of ``layers[i]``. Neurons are coloured
by their mean activation on the probe batch (for 2-D data each draws its output over the input plane,
as TensorFlow Playground does; for 1-D data its output as a curve over x, and hovering it shows the
curve larger, with its numbers); a small square beside each neuron shows its bias; edges are blue for
positive and orange for negative weights, thicker for larger ``|w|``. Hovering names the number under
the pointer, clicking selects it (``selection_changed``) for the inspector to edit.

Drawing stays cheap whatever the size: the edges of the whole network are one item
(:class:`_EdgeLayer`: separate lines, one pen per sign and width bucket, kept as a pixmap until an
edge changes its pen), a layer with thousands of weights shows only the strongest few into each unit,
a column of hundreds of units is drawn as one thin image strip, and all the heatmaps are tiles of one
image (:class:`_HeatmapAtlas`), coloured with a NumPy look-up per snapshot: one image for Qt to draw
instead of one pyqtgraph colour-table render per neuron. Items are created when the architecture
changes; every other snapshot only updates them, and only what has changed. Hit-testing is done with
NumPy on the drawn geometry, never with one Qt item per edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal

from nnviz.core import build_network
from nnviz.core.datasets import expand_features
from nnviz.core.experiment import PROBE, Experiment, LayerView
from nnviz.core.numbers import format_significant
from nnviz.core.walkthrough import expand_edges
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.facts import layer_title, output_range, weighted
from nnviz.gui.panels.graph_layout import (
    BIAS_STRIP_GAP,
    BIAS_STRIP_WIDTH,
    EDGE_BUDGET,
    HEAT_SIZE,
    HEATMAP_MAX_UNITS,
    MAX_SPACING,
    MIN_SPACING,
    SIDE_MARGINS,
    Column,
    DrawnEdges,
    EdgeGeometry,
    diagram_height,
    edge_geometry,
    edge_plan,
    every_edge,
    hit,
    layer_edges,
    layout_columns,
    place_edges,
    scene_height,
)
from nnviz.gui.style import GRID_LINE, NEGATIVE, POSITIVE, SELECTED, TEXT, diverging_lut

# Edges by bucket of |w| / max |w| in the layer: width in pixels and strength of the colour (mixed
# with white). The colours are opaque and the widths above 1 px on purpose: with many edges drawn
# without antialiasing, Qt fills such lines an order of magnitude faster than translucent or
# hairline ones (1,000 long lines: 3 ms against 20-40 ms).
EDGE_WIDTHS = (1.2, 1.2, 1.6, 2.4, 3.4)
EDGE_STRENGTHS = (0.15, 0.3, 0.55, 0.8, 1.0)
ANTIALIAS_EDGES = 600  # antialias the edges when no more than this many are drawn …
DRAFT_EDGES = 200  # … but more than this many only once they have stopped changing (training moves
SETTLE_MS = 300  # them on most frames): drafts while they change, antialiased after this long at rest
HIT_PIXELS = 5.0  # how near (in pixels) the pointer must be to a neuron or an edge
BIAS_SIZE = 0.15  # side of the bias square
TITLE_GAP = 12  # pixels at least between two columns' titles
MIN_NODE_PIXELS = 32  # titles are staggered rather than shrink the nodes below this
RELAYOUT_CHANGE = 0.05  # lay the columns out again when the view's aspect changes by more (log)
_GREY = "#b0b0b0"
_FRAME = "#9e9e9e"
_SQUARES = ("heatmap", "curve")  # column kinds drawn as squares (a thumbnail inside each)
CURVE_COLOUR = POSITIVE  # a node's curve over x, thumbnail and preview
CURVE_MARGIN = 0.12  # of a thumbnail's height, kept free above and below its curve
PREVIEW_SIZE = (260, 150)  # pixels: the hover's larger picture of a node's curve
HOVER_GAP = 14  # pixels between the hovered node (or the pointer) and its label
MIN_HOVER_WIDTH = 200  # pixels: a label or preview is narrowed to the room beside its node down to this
PREVIEW_DATA_POINTS = 400  # at most this many data points behind the output's curve in the preview
_NOTHING_DRAWN = object()  # the selection marker has not been drawn for this layout yet


@dataclass(frozen=True)
class Selection:
    """A neuron, an input or an edge of the graph.

    ``column`` is 0 for the inputs and ``i + 1`` for ``layers[i]``; ``unit`` is the unit in that
    column; ``source`` (edges only) the unit in the previous column. ``layer_type`` is filled in by
    the panel and does not take part in comparisons.
    """

    kind: str  # "input" | "neuron" | "edge"
    column: int
    unit: int
    source: int | None = None
    layer_type: str = field(default="", compare=False)

    @property
    def param(self) -> tuple[str, tuple[int, ...]] | None:
        """``(name, index)`` of the number this selection can edit, or None."""
        if self.kind == "edge":
            return f"layers[{self.column - 1}].weight", (self.unit, self.source)
        if self.kind == "neuron" and weighted(self.layer_type):
            return f"layers[{self.column - 1}].bias", (self.unit,)
        return None


def _architecture(snapshot) -> tuple:
    return (tuple(snapshot.input_names), snapshot.node_maps is not None, snapshot.node_curves is not None,
            tuple((v.type, v.units, v.activation) for v in snapshot.layers),
            tuple(_weight_shape(snapshot, i) for i in range(len(snapshot.layers))))


def _weight_shape(snapshot, i: int) -> tuple[int, ...] | None:
    w = snapshot.params.get(f"layers[{i}].weight")
    return w.shape if w is not None and w.ndim == 2 else None


def _symmetric(values: np.ndarray) -> tuple[float, float]:
    finite = np.abs(values[np.isfinite(values)])
    m = float(finite.max()) if finite.size else 0.0
    m = m if m > 1e-12 else 1.0
    return -m, m


def _levels(activation: str, values: np.ndarray) -> tuple[float, float]:
    """Colour levels of a column: the activation's range if bounded, else symmetric around 0."""
    return output_range(activation) or _symmetric(values)


def _title(view) -> str:
    """"Dense 8" over "tanh": two short lines, so that neighbouring columns' titles do not meet."""
    act = "" if view.activation == "identity" else f"\n{view.activation}"
    return f"{layer_title(view.type)} {view.units}{act}"


FIGURE_MARGIN = 10  # pixels kept around the drawing in a figure


class GraphPanel(Panel, QtWidgets.QWidget):
    """Draws a :class:`~nnviz.core.experiment.Snapshot` as a network diagram; emits
    ``selection_changed(Selection | None)`` when the user clicks a neuron, an edge or empty space."""

    selection_changed = Signal(object)
    edit_requested = Signal(object)  # Selection: the user double-clicked an edge, a neuron or an input

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = pg.ViewBox(lockAspect=True, enableMouse=False, enableMenu=False)
        self.graphics_view = pg.GraphicsView(background="w")
        self.graphics_view.setCentralItem(self.view)
        self.graphics_view.setMouseTracking(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics_view)
        self.setMinimumSize(240, 160)
        self.edge_budget = EDGE_BUDGET  # read when the architecture changes

        lut = diverging_lut()
        self._lut = lut
        self._brushes = [QtGui.QBrush(QtGui.QColor(int(r), int(g), int(b))) for r, g, b, *_ in lut]
        self._no_brush = QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush)
        # brush k of the look-up table at index k, no brush at index -1 (object array: vectorised lookup)
        self._brush_table = np.empty(len(lut) + 1, dtype=object)
        self._brush_table[:len(lut)] = self._brushes
        self._brush_table[-1] = self._no_brush

        # items that live as long as the panel: edges, nodes, bias squares, highlights, hover text
        # the weight edges: one group per (sign, width bucket), the strongest drawn last (on top)
        self._edge_groups = [(sign, bucket) for bucket in range(len(EDGE_WIDTHS)) for sign in (1, -1)]
        colours = {1: POSITIVE, -1: NEGATIVE}
        self._edges = _EdgeLayer([pg.mkPen(_towards_white(colours[sign], EDGE_STRENGTHS[bucket]),
                                           width=EDGE_WIDTHS[bucket]) for sign, bucket in self._edge_groups])
        self._edges.setZValue(1)
        self._identity_edges = pg.PlotCurveItem(pen=pg.mkPen(_GREY, width=0.8), connect="pairs",
                                                antialias=True)
        self._hover_edge = pg.PlotCurveItem(pen=pg.mkPen(QtGui.QColor(51, 51, 51, 110), width=5),
                                            connect="pairs", antialias=True)
        self._hover_edge.setZValue(9)
        self._selected_edge = pg.PlotCurveItem(pen=pg.mkPen(SELECTED, width=4), connect="pairs",
                                               antialias=True)
        self._selected_edge.setZValue(10)
        self._nodes = pg.ScatterPlotItem(pxMode=False, antialias=True)
        self._nodes.setZValue(30)
        self._biases = pg.ScatterPlotItem(pxMode=False, antialias=True, symbol="s")
        self._biases.setZValue(31)
        self._selected_node = pg.ScatterPlotItem(pxMode=False, antialias=True, brush=None,
                                                 pen=pg.mkPen(SELECTED, width=3))
        self._selected_node.setZValue(40)
        self._hover_label = pg.TextItem(color=TEXT, fill=pg.mkBrush(255, 255, 255, 235),
                                        border=pg.mkPen("#bdbdbd"))
        self._hover_label.setZValue(100)
        self._hover_label.hide()
        # what the pointer is over is no part of an exported figure
        self._hover_label.hover_readout = self._hover_edge.hover_readout = True
        self.heatmap_atlas = _HeatmapAtlas(lut)
        self.heatmap_atlas.setZValue(20)
        self.curve_atlas = _CurveAtlas()
        self.curve_atlas.setZValue(20)
        # the hover's larger curve: in the scene's pixels, beside the hover label
        self.curve_preview = _CurvePreview()
        self.curve_preview.setZValue(1000)
        self.curve_preview.hide()
        self.graphics_view.scene().addItem(self.curve_preview)
        # the step-through's highlight: what the current operation reads and writes
        self._read_edges = pg.PlotCurveItem(connect="pairs", antialias=True)
        self._read_edges.setZValue(11)
        self._write_edges = pg.PlotCurveItem(connect="pairs", antialias=True)
        self._write_edges.setZValue(12)
        self._read_nodes = pg.ScatterPlotItem(pxMode=False, antialias=True, brush=None)
        self._read_nodes.setZValue(41)
        self._write_nodes = pg.ScatterPlotItem(pxMode=False, antialias=True, brush=None)
        self._write_nodes.setZValue(42)
        self._highlight: tuple | None = None  # (reads, writes, colour, labels)
        self._value_labels: list[pg.TextItem] = []
        self._highlight_counts = {"read_edges": 0, "write_edges": 0, "read_nodes": (), "write_nodes": (),
                                  "colour": None}
        for item in (self._identity_edges, self._edges, self._hover_edge, self._selected_edge,
                     self.heatmap_atlas, self.curve_atlas, self._nodes, self._biases, self._selected_node,
                     self._hover_label,
                     self._read_edges, self._write_edges, self._read_nodes, self._write_nodes):
            self.view.addItem(item, ignoreBounds=True)

        # items of the current architecture (rebuilt only when it changes)
        self._architecture: tuple | None = None
        self._laid_out_aspect: float | None = None  # the view's width / height when last laid out
        self.headers: list[pg.TextItem] = []  # the columns' titles, left to right
        self._stagger_titles = False  # every other title raised (the view is too narrow for one row)
        self._relayout_timer = QtCore.QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(120)
        self._relayout_timer.timeout.connect(self._on_relayout_timer)
        self._columns: list[Column] = []
        self._arch_items: list[QtWidgets.QGraphicsItem] = []
        self._tiles: dict[tuple[int, int], int] = {}  # (column, unit) -> its tile in the heatmap atlas
        self._curve_tiles: dict[tuple[int, int], int] = {}  # (column, unit) -> its tile in the curve atlas
        self._tile_levels = np.zeros((0, 2))  # colour levels of each tile, as drawn
        self._strips: dict[int, pg.ImageItem] = {}
        self._bias_strips: dict[int, pg.ImageItem] = {}
        self._keep_per_unit: list[int | None] = []  # strongest-k edges per unit (None: all)
        self._all_edges: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._geometry: EdgeGeometry | None = None
        self._node_points: list[tuple[int, int]] = []  # (column, unit) of each scatter node
        self._bias_points: list[tuple[int, int]] = []
        self._node_rows: dict[int, np.ndarray] = {}  # column -> its rows in the node scatter (dots only)
        self._bias_rows: dict[int, np.ndarray] = {}  # column -> its rows in the bias scatter
        self._node_lut: np.ndarray | None = None  # look-up-table entry of each node's brush (-1: none)
        self._bias_lut: np.ndarray | None = None
        self._marked: object = _NOTHING_DRAWN  # the selection the marker shows now
        self._input_cache: tuple | None = None  # ((raw inputs, names, planar), their means)
        self._drawn = DrawnEdges.empty()
        self._selection: Selection | None = None
        self._hover: Selection | None = None
        self._hover_pos: QtCore.QPointF | None = None

        # hover follows every move of the pointer: the scene's sigMouseMoved drops moves that come
        # less than 10 ms apart, which can leave the label on what the pointer has already left
        self.graphics_view.viewport().installEventFilter(self)
        self.graphics_view.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    # -- public API -------------------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        """Items are rebuilt only when the architecture changed."""
        arch = _architecture(snapshot)
        rebuilt = arch != self._architecture
        if rebuilt:
            self._rebuild(snapshot, arch)
        if rebuilt:
            self._draw_highlight()
        self._update_nodes(snapshot)
        self._update_edges(snapshot)
        self._update_selection_marker()
        if self._hover is not None:
            self._show_hover(self._hover, self._hover_pos)

    def set_highlight(self, reads=(), writes=(), colour: str = "#2e7d32", labels=()) -> None:
        """Mark what the step-through's current operation reads (dashed) and writes (bold), in
        ``colour``: refs with ``kind`` "node" or "edge", ``column``, ``unit``, ``source``
        (see :class:`nnviz.core.walkthrough.Ref`); ``labels``: ``(column, unit, text)`` written
        beside nodes (the operation's results). Nothing to mark clears the highlight."""
        self._highlight = (tuple(reads), tuple(writes), colour, tuple(labels)) if (reads or writes) else None
        self._draw_highlight()

    def highlighted(self) -> dict:
        """What the highlight marks now: edge counts and the (column, unit) of marked nodes."""
        return dict(self._highlight_counts)

    @property
    def selection(self) -> Selection | None:
        return self._selection

    def select(self, selection: Selection | None) -> None:
        """Select ``selection`` (or nothing); emits ``selection_changed`` when the selection changes."""
        if selection is not None:
            selection = self._complete(selection)
            if selection is None:
                raise ValueError("no such neuron or edge in the graph")
        self._set_selection(selection)

    def hit_test(self, pos: QtCore.QPointF) -> Selection | None:
        """The neuron or drawn edge at ``pos`` (view coordinates), neurons first, or None."""
        if self._snapshot is None:
            return None
        found = hit(self._columns, self._drawn, pos.x(), pos.y(), HIT_PIXELS * self._pixel_size())
        return None if found is None else self._complete(Selection(*found))

    def describe(self, selection: Selection) -> str:
        """The text the hover label shows for ``selection`` (values of the current snapshot).
        Layers and units count from 1, as in the controls and the step-through. Every value is on
        the probe batch, and says how: activations and dL/dz are means over its rows (each row's
        dL/dz carries the loss's 1/N), a parameter's gradient is their sum (the probe batch's
        gradient). The model-document path is in :meth:`document_path`, the tooltip."""
        snap = self._snapshot
        if selection.kind == "input":
            name = snap.input_names[selection.unit]
            text = tr("input {n}: {name}").format(n=selection.unit + 1, name=name)
            values = self._input_values(snap)
            if values is not None:
                text += "\n" + tr("mean x = {value} (probe batch)").format(
                    value=format_significant(values[selection.unit], missing=None))
            return text
        i = selection.column - 1
        view = snap.layers[i]
        unit = selection.unit
        rows = view.a.shape[0]
        if selection.kind == "neuron":
            act = "" if view.activation == "identity" else f" · {view.activation}"
            text = (tr("layer {layer} ({kind}), unit {unit}:").format(layer=i + 1, kind=f"{view.type}{act}",
                                                                       unit=unit + 1)
                    + "\n" + tr("a = {value} (mean over the {rows} probe rows)").format(
                        value=format_significant(view.value[unit], missing=None), rows=rows)
                    + "\n" + tr("dL/dz = {value} (mean over the {rows} probe rows, each with the loss's 1/{rows})")
                    .format(value=format_significant(view.grad[unit], missing=None), rows=rows))
            bias = snap.params.get(f"layers[{i}].bias")
            if bias is not None and bias.shape == (view.units,):
                grad = snap.grads.get(f"layers[{i}].bias")
                text += "\n" + tr("bias {name} = {value}").format(
                    name=f"b{i + 1}[{unit + 1}]", value=format_significant(bias[unit], missing=None))
                if grad is not None:
                    text += "\n" + tr("dL/db = {value} (sum over the {rows} probe rows = {rows} × mean dL/dz)").format(
                        value=format_significant(grad[unit], missing=None), rows=rows)
            return text
        name = f"layers[{i}].weight"
        index = (unit, selection.source)
        grad = snap.grads.get(name)
        source = (tr("input {n} ({name})").format(n=selection.source + 1, name=snap.input_names[selection.source])
                  if i == 0 else tr("layer {layer} unit {unit}").format(layer=i, unit=selection.source + 1))
        return (tr("weight {name}: w = {value}").format(
                    name=f"W{i + 1}[{unit + 1},{selection.source + 1}]",
                    value=format_significant(snap.params[name][index], missing=None))
                + ("\n" + tr("dL/dw = {value} (sum over the {rows} probe rows)").format(
                    value=format_significant(grad[index], missing=None), rows=rows) if grad is not None else "")
                + "\n" + tr("{source} → layer {layer} unit {unit}").format(source=source, layer=i + 1,
                                                                           unit=unit + 1))

    def document_path(self, selection: Selection) -> str:
        """Where the selected number is in the model document, counted from 0 as there
        (``layers[1].weight[1, 3]``), or "" for inputs and neurons without a bias."""
        if selection.param is None:
            return ""
        name, index = selection.param
        return f"{name}[{', '.join(str(k) for k in index)}]"

    def hover_text(self) -> str:
        """What the hover label shows now ("" when hidden)."""
        return self._hover_label.toPlainText() if self._hover_label.isVisible() else ""

    # -- introspection (tests, exports) ---------------------------------------------------------
    def column_sizes(self) -> tuple[int, ...]:
        return tuple(col.units for col in self._columns)

    def column_kinds(self) -> tuple[str, ...]:
        """How each column is drawn: "heatmap", "dot" or "strip"."""
        return tuple(col.kind for col in self._columns)

    def node_positions(self, column: int) -> np.ndarray:
        """(units, 2) centres of a column's neurons, in view coordinates."""
        col = self._columns[column]
        return np.column_stack([np.full(col.units, col.x), col.ys])

    def edge_count(self, sign: int | None = None) -> int:
        """Weight edges drawn now, counted in the plot items' data (``sign`` +1, -1 or None for both).
        A weight of exactly 0 is drawn as positive."""
        return sum(n for (s, _), n in zip(self._edge_groups, self._edges.counts()) if sign is None or s == sign)

    def drawn_edges(self, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(units, sources, weights)`` of the edges drawn for ``layers[layer]``."""
        d = self._drawn
        mask = d.layer == layer
        return d.unit[mask], d.source[mask], d.weight[mask]

    def edges_antialiased(self) -> bool:
        """Whether the weight edges are drawn antialiased now (not while many keep changing)."""
        return self._edges.antialiased

    def edge_buckets(self) -> dict[tuple[int, int], int]:
        """Number of edges drawn per (sign, width bucket)."""
        return dict(zip(self._edge_groups, self._edges.counts()))

    def node_colors(self, column: int) -> np.ndarray | None:
        """(units, 3) RGB colours of a column drawn as dots or a strip; None for heatmap columns."""
        col = self._columns[column]
        if col.kind == "strip":
            item = self._strips[column]
            lo, hi = item.getLevels()
            return self._lut_colors(np.asarray(item.image)[::-1, 0], lo, hi)
        if col.kind != "dot":
            return None
        brushes = self._nodes.data["brush"]
        rows = [k for k, (c, _) in enumerate(self._node_points) if c == column]
        return np.array([brushes[k].color().getRgb()[:3] for k in rows])

    def identity_edge_count(self) -> int:
        """One-to-one edges drawn for layers without a weight matrix (norm, dropout)."""
        x = self._identity_edges.xData
        return 0 if x is None else len(x) // 2

    def selection_marker(self) -> np.ndarray:
        """Where the selection is drawn: (1, 2) centre of the ringed neuron, (2, 2) ends of the
        highlighted edge, or (0, 2) when nothing is selected."""
        x, y = self._selected_edge.getData()
        if x is not None and len(x):
            return np.column_stack([x, y])
        points = self._selected_node.data
        return np.column_stack([points["x"], points["y"]]).astype(float)

    def heatmap_values(self, column: int, unit: int) -> np.ndarray | None:
        """The map drawn as the heatmap of a neuron (``(GRID, GRID)``, row 0 at the bottom), or None
        when the neuron has no heatmap."""
        if (column, unit) not in self._tiles or self._snapshot is None or self._snapshot.node_maps is None:
            return None
        return np.asarray(self._snapshot.node_maps[column][unit])

    def heatmap_levels(self, column: int, unit: int) -> tuple[float, float] | None:
        """The values drawn at the two ends of the colour scale of a neuron's heatmap."""
        tile = self._tiles.get((column, unit))
        return None if tile is None else tuple(float(v) for v in self._tile_levels[tile])

    def heatmap_colors(self, column: int, unit: int) -> np.ndarray | None:
        """(GRID, GRID, 3) RGB colours of a neuron's heatmap as drawn, row 0 at the bottom."""
        tile = self._tiles.get((column, unit))
        return None if tile is None else self.heatmap_atlas.tile_colors(tile)

    def curve_values(self, column: int, unit: int) -> tuple[np.ndarray, np.ndarray] | None:
        """``(x, y)``: the curve drawn in a neuron's square (its output over the data's x range),
        or None when the neuron has no curve."""
        if (column, unit) not in self._curve_tiles or self._snapshot is None:
            return None
        curves = self._snapshot.node_curves
        return np.asarray(curves.x), np.asarray(curves.columns[column][unit])

    def curve_tile_path(self, column: int, unit: int) -> np.ndarray | None:
        """(points, 2) where a neuron's curve is drawn, in view coordinates (NaN where a value is
        not finite), or None when the neuron has no curve."""
        tile = self._curve_tiles.get((column, unit))
        return None if tile is None else self.curve_atlas.tile_points(tile)

    def curve_preview_shown(self) -> tuple[int, int] | None:
        """``(column, unit)`` of the node whose curve the hover preview shows, or None."""
        preview = self.curve_preview
        return preview.node if preview.isVisible() else None

    def curve_preview_rect(self) -> QtCore.QRectF:
        """Where the hover preview is, in the view's pixels (empty when hidden)."""
        preview = self.curve_preview
        return preview.sceneBoundingRect() if preview.isVisible() else QtCore.QRectF()

    def hover_label_rect(self) -> QtCore.QRectF:
        """Where the hover label is, in the view's pixels (empty when hidden)."""
        label = self._hover_label
        if not label.isVisible():
            return QtCore.QRectF()
        self.graphics_view.grab()  # a text item places itself against the view's scale when painted
        return label.textItem.mapRectToScene(label.textItem.boundingRect())

    def graphics_item_count(self) -> int:
        return len(self.graphics_view.scene().items())

    def view_to_widget(self, pos: QtCore.QPointF) -> QtCore.QPoint:
        """A point of the diagram (view coordinates) in pixels of ``graphics_view.viewport()``."""
        return self.graphics_view.mapFromScene(self.view.mapViewToScene(pos))

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title."""
        return tr("Network graph")

    def export_table(self) -> tuple[list[str], list[list]]:
        """The numbers the diagram draws, as ``kind, layer_index, unit, source, value`` rows.

        ``layer_index`` is 0-based, as ``layers[i]`` of the model document (the graph's column
        ``i + 1``); ``unit`` is the unit in that layer. Kinds, layer after layer:

        * ``input_mean`` — each input feature's mean over the probe batch (the input column's colour;
          ``layer_index`` empty, ``unit`` the input). The panel's own mean of the first ``PROBE``
          training rows, the only number here that is not a snapshot array;
        * ``weight`` — every weight of ``layers[i].weight`` (all of them, also those a large layer
          leaves undrawn): ``unit`` its row, ``source`` the unit (or input) of the previous column;
        * ``bias`` — ``layers[i].bias`` (the square beside each neuron);
        * ``activation`` — the unit's mean activation on the probe batch (the neuron's colour).

        Empty cells: ``""``. No rows before a snapshot."""
        header = ["kind", "layer_index", "unit", "source", "value"]
        snap = self._snapshot
        if snap is None:
            return header, []
        rows = []
        inputs = self._input_values(snap)
        if inputs is not None:
            rows += [["input_mean", "", j, "", v] for j, v in enumerate(np.asarray(inputs, dtype=float).tolist())]
        for i, view in enumerate(snap.layers):
            if _weight_shape(snap, i) is not None:
                w = snap.params[f"layers[{i}].weight"]
                rows += [["weight", i, u, j, v] for u, row in enumerate(w.tolist()) for j, v in enumerate(row)]
            if _has_bias(snap, i):
                rows += [["bias", i, u, "", v] for u, v in enumerate(snap.params[f"layers[{i}].bias"].tolist())]
            rows += [["activation", i, u, "", v] for u, v in enumerate(np.asarray(view.value).tolist())]
        return header, rows

    # -- building ---------------------------------------------------------------------------------
    def _rebuild(self, snapshot, arch: tuple) -> None:
        for item in self._arch_items:
            self.view.removeItem(item)
        self._arch_items, self._strips, self._bias_strips = [], {}, {}
        self.headers = []
        self._architecture = arch
        self._columns = columns = self._layout(snapshot)

        # nodes (dots and heatmap frames) and bias squares: one scatter item each
        pos, sizes, symbols, pens = [], [], [], []
        bias_pos, bias_size = [], []
        self._node_points, self._bias_points = [], []
        frame_pen = pg.mkPen(_FRAME, width=1)
        dot_pen = pg.mkPen("#757575", width=1)
        for c, col in enumerate(columns):
            if col.kind == "strip":
                continue
            for j, y in enumerate(col.ys):
                pos.append((col.x, y))
                sizes.append(2 * col.half)
                symbols.append("s" if col.kind in _SQUARES else "o")
                pens.append(frame_pen if col.kind in _SQUARES else dot_pen)
                self._node_points.append((c, j))
                if col.has_bias:
                    bias_pos.append((col.x - col.half - BIAS_SIZE * 0.75, y - col.half + BIAS_SIZE / 2))
                    bias_size.append(BIAS_SIZE)
                    self._bias_points.append((c, j))
        self._nodes.setData(pos=np.array(pos).reshape(-1, 2), size=sizes, symbol=symbols, pen=pens,
                            brush=[self._no_brush] * len(pos))
        self._biases.setData(pos=np.array(bias_pos).reshape(-1, 2), size=bias_size,
                             pen=pg.mkPen("#9e9e9e", width=0.8), brush=[self._no_brush] * len(bias_pos))
        self._node_lut = np.full(len(pos), -1)
        self._bias_lut = np.full(len(bias_pos), -1)
        node_column = np.array([c for c, _ in self._node_points], dtype=np.int64)
        bias_column = np.array([c for c, _ in self._bias_points], dtype=np.int64)
        self._node_rows = {c: np.flatnonzero(node_column == c) for c, col in enumerate(columns) if col.kind == "dot"}
        self._bias_rows = {c: np.flatnonzero(bias_column == c) for c in range(len(columns))
                           if np.any(bias_column == c)}
        self._marked = _NOTHING_DRAWN

        # heatmaps: tiles of one image, placed where their neurons are
        self._tiles, rects = {}, []
        for c, col in enumerate(columns):
            if col.kind == "heatmap" and snapshot.node_maps is not None:
                for j, y in enumerate(col.ys):
                    self._tiles[c, j] = len(rects)
                    rects.append(QtCore.QRectF(col.x - col.half, y - col.half, 2 * col.half, 2 * col.half))
        self.heatmap_atlas.set_layout(rects)
        self._tile_levels = np.zeros((len(rects), 2))
        # curves (1-D data): one path for all of them, in squares where their neurons are
        self._curve_tiles, rects = {}, []
        for c, col in enumerate(columns):
            if col.kind == "curve":
                for j, y in enumerate(col.ys):
                    self._curve_tiles[c, j] = len(rects)
                    rects.append(QtCore.QRectF(col.x - col.half, y - col.half, 2 * col.half, 2 * col.half))
        self.curve_atlas.set_layout(rects)

        for c, col in enumerate(columns):
            if col.kind == "strip":
                height = col.units * col.pitch
                self._strips[c] = self._add_image(
                    QtCore.QRectF(col.x - col.half, col.ys[-1] - col.pitch / 2, 2 * col.half, height))
                if col.has_bias:
                    x = col.x - col.half - BIAS_STRIP_GAP - BIAS_STRIP_WIDTH
                    self._bias_strips[c] = self._add_image(
                        QtCore.QRectF(x, col.ys[-1] - col.pitch / 2, BIAS_STRIP_WIDTH, height))
            # centred over their columns; the outer ones are kept in view by the side margins
            # (or, when wider than the margin, run inwards from their column's outer edge)
            align = 0.5 if _title_fits_centred(col, c, len(columns)) else 0.0 if c == 0 else 1.0
            # too narrow for the titles side by side: every other one a title's height higher
            raised = self._stagger_titles and c % 2 == 1
            header = _static_text(col.title, TEXT, (align, 2.1 if raised else 1.0), _font(9, bold=True))
            header.setPos(col.x + (2 * align - 1) * col.half, max(cl.top for cl in columns) + 0.15)
            self._add_item(header, z=50)
            self.headers.append(header)
        inputs = columns[0]
        if inputs.kind != "strip":
            for j, name in enumerate(snapshot.input_names):
                label = _static_text(name, TEXT, (1.0, 0.5), _font(8))
                label.setPos(inputs.x - inputs.half - 0.08, inputs.ys[j])
                self._add_item(label, z=50)

        # identity (norm, dropout) edges do not change with the weights: set them here
        xs, ys = [], []
        for i in range(len(snapshot.layers)):
            if _weight_shape(snapshot, i) is None:
                a, b = columns[i], columns[i + 1]
                n = min(a.units, b.units)
                xs.append(np.column_stack([np.full(n, a.x + a.half), np.full(n, b.x - b.left)]).ravel())
                ys.append(np.column_stack([a.ys[:n], b.ys[:n]]).ravel())
        self._identity_edges.setData(np.concatenate(xs) if xs else [], np.concatenate(ys) if ys else [],
                                     connect="pairs")
        shapes = [_weight_shape(snapshot, i) for i in range(len(snapshot.layers))]
        self._keep_per_unit = edge_plan(shapes, self.edge_budget)
        self._geometry = edge_geometry(columns)
        self._all_edges = {i: every_edge(shape) for i, (shape, keep) in enumerate(zip(shapes, self._keep_per_unit))
                           if keep is None and shape is not None}  # made once: drawn whole every frame
        bottom = min(col.bottom for col in columns)
        # every edge lies between the first and the last column (half a unit to spare for the pen)
        reach = QtCore.QRectF(columns[0].x - 1.0, bottom - 0.5, columns[-1].x - columns[0].x + 2.0,
                              max(col.top for col in columns) - bottom + 1.0)
        self._edges.set_bounds(reach)
        for i, keep in enumerate(self._keep_per_unit):
            if keep is not None:  # say so when a layer shows only part of its weights
                fan_in = _weight_shape(snapshot, i)[1]
                note = _static_text(tr("strongest {keep} of {fan_in} weights into each unit").format(
                    keep=keep, fan_in=fan_in), "#757575", (0.5, 0.0), _font(8))
                note.setPos((columns[i].x + columns[i + 1].x) / 2, bottom - 0.05)
                self._add_item(note, z=50)

        if self._selection is not None and self._complete(self._selection, snapshot) is None:
            self._set_selection(None)
        self._hover = None
        self._hide_hover()
        top = max(col.top for col in columns) + 1.0
        bottom -= 0.3 if not any(k is not None for k in self._keep_per_unit) else 0.9
        left = inputs.x - inputs.half - (1.1 if inputs.kind != "strip" else 0.5)
        right = columns[-1].x + columns[-1].half + 0.5
        self.view.setRange(QtCore.QRectF(left, bottom, right - left, top - bottom), padding=0.02)
        # The titles are drawn in pixels above the top row: in a short view (a lane of a comparison)
        # the unit above it may be fewer pixels than two lines of title, raised ones twice that.
        per_pixel = self.view.viewPixelSize()[1]
        if per_pixel > 0 and self.headers:
            tallest = max(h.textItem.boundingRect().height() * (2.1 if self._stagger_titles and c % 2 else 1.0)
                          for c, h in enumerate(self.headers))
            need = max(col.top for col in columns) + 0.15 + (tallest + 4) * per_pixel
            if need > top:
                self.view.setRange(QtCore.QRectF(left, bottom, right - left, need - bottom), padding=0.02)

    def _layout(self, snapshot) -> list[Column]:
        sizes = [len(snapshot.input_names)] + [v.units for v in snapshot.layers]
        titles = [(tr("Input") if sizes[0] <= HEATMAP_MAX_UNITS else tr("{n} inputs").format(n=sizes[0]))]
        titles += [_title(view) for view in snapshot.layers]
        has_bias = [False] + [_has_bias(snapshot, i) for i in range(len(snapshot.layers))]
        width, height = max(self.graphics_view.width(), 1), max(self.graphics_view.height(), 1)
        self._laid_out_aspect = width / height
        spacing, self._stagger_titles = _title_spacing(titles, sizes, width, height)
        return layout_columns(sizes, titles, has_bias, planar=snapshot.node_maps is not None,
                              aspect=width / height, min_spacing=spacing,
                              curves=snapshot.node_maps is None and snapshot.node_curves is not None)

    def _fits_right_of(self, item: pg.TextItem, col: Column) -> bool:
        """Whether ``item``'s text, placed right of ``col``'s nodes, ends inside the view."""
        width = item.textItem.boundingRect().width()  # pixels
        left = self.view.mapViewToScene(QtCore.QPointF(col.x + max(col.half, 0.1) + 0.2, 0.0)).x()
        return left + width <= self.view.sceneBoundingRect().right() - 2

    def value_label_rects(self) -> list[QtCore.QRectF]:
        """The shown value labels' rectangles in the view's pixels (for tests)."""
        self.graphics_view.grab()  # a text item places itself against the view's scale when painted
        return [label.textItem.mapRectToScene(label.textItem.boundingRect())
                for label in self._value_labels if label.isVisible()]

    def figure_crop(self, widget: QtWidgets.QWidget) -> QtCore.QRect | None:
        """The drawing, its titles and labels with a margin: a figure leaves out the empty bands a
        small or deep network leaves in a view of another shape (the nodes keep their size)."""
        if self._architecture is None or widget not in (self, self.graphics_view):
            return None
        view = self.graphics_view
        view.grab()  # a text item places itself against the view's scale when painted
        columns = self._columns
        left = min(c.x - c.left - (BIAS_SIZE * 1.25 if c.has_bias and c.kind != "strip" else 0.0) for c in columns)
        right = max(c.x + c.half for c in columns)
        top, bottom = max(c.top for c in columns), min(c.bottom for c in columns)
        drawn = self.view.mapViewToScene(QtCore.QRectF(left, bottom, right - left, top - bottom)).boundingRect()
        for item in self.view.childGroup.childItems():  # titles, input names, notes, value labels
            if isinstance(item, pg.TextItem) and item.isVisible() and not getattr(item, "hover_readout", False):
                drawn |= item.textItem.mapRectToScene(item.textItem.boundingRect())
        rect = view.mapFromScene(drawn).boundingRect().adjusted(-FIGURE_MARGIN, -FIGURE_MARGIN,
                                                                  FIGURE_MARGIN, FIGURE_MARGIN)
        if widget is self:
            rect.translate(view.pos())
        rect &= widget.rect()
        if rect.isEmpty() or (rect.width() * rect.height() >= 0.95 * widget.width() * widget.height()):
            return None  # nothing worth leaving out
        return rect

    def node_pixel_rects(self, column: int) -> list[QtCore.QRectF]:
        """The nodes of ``column`` as rectangles in the view's pixels."""
        col = self._columns[column]
        rects = []
        for y in col.ys:
            a = self.view.mapViewToScene(QtCore.QPointF(col.x - col.half, y + col.half))
            b = self.view.mapViewToScene(QtCore.QPointF(col.x + col.half, y - col.half))
            rects.append(QtCore.QRectF(a, b).normalized())
        return rects

    def node_pixels(self) -> float:
        """The side, in screen pixels, of a node in the graph's smallest-pitched column of nodes (0
        before the first drawing)."""
        nodes = [c for c in self._columns if c.kind != "strip"] if self._architecture is not None else []
        if not nodes:
            return 0.0
        units_per_pixel = self.view.viewPixelSize()[0]
        return min(2 * c.half for c in nodes) / units_per_pixel if units_per_pixel > 0 else 0.0

    def laid_out(self) -> bool:
        """Whether the columns are spaced for the view's present shape (no new layout pending)."""
        if self._architecture is None or self._laid_out_aspect is None:
            return False
        aspect = max(self.graphics_view.width(), 1) / max(self.graphics_view.height(), 1)
        return abs(math.log(aspect / self._laid_out_aspect)) <= RELAYOUT_CHANGE

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._relayout_timer.start()

    def _on_relayout_timer(self) -> None:
        """Space the columns for the view's new shape (once the resizing has paused)."""
        if self._architecture is not None and not self.laid_out():
            self._architecture = None  # lay out again on the next draw
            self.redraw()

    def _add_image(self, rect: QtCore.QRectF) -> _PlacedImage:
        image = _PlacedImage(rect, self._lut)
        self._add_item(image, z=20)
        return image

    def _add_item(self, item, z: float) -> None:
        item.setZValue(z)
        self.view.addItem(item, ignoreBounds=True)
        self._arch_items.append(item)

    # -- per-snapshot updates -------------------------------------------------------------------
    def _update_nodes(self, snapshot) -> None:
        values = [self._input_values(snapshot)] + [np.asarray(v.value, dtype=float) for v in snapshot.layers]
        activations = ["identity"] + [v.activation for v in snapshot.layers]
        node_lut = self._node_lut.copy()
        bias_lut = self._bias_lut.copy()
        for c, col in enumerate(self._columns):
            v = values[c]
            lo, hi = _levels(activations[c], v) if v is not None else (-1.0, 1.0)
            if col.kind == "strip":
                image = v if v is not None else np.zeros(col.units)
                self._strips[c].show_array(np.nan_to_num(image)[::-1, None], (lo, hi))
            elif col.kind == "dot":
                rows = self._node_rows[c]
                node_lut[rows] = self._lut_index(v, lo, hi) if v is not None else len(self._brushes) // 2
            if col.has_bias:
                b = np.asarray(snapshot.params[f"layers[{c - 1}].bias"], dtype=float)
                blo, bhi = _symmetric(b)
                if col.kind == "strip":
                    self._bias_strips[c].show_array(np.nan_to_num(b)[::-1, None], (blo, bhi))
                else:
                    bias_lut[self._bias_rows[c]] = self._lut_index(b, blo, bhi)
        # a new list of brushes makes the scatter item forget its drawing: only when a colour changed
        if not np.array_equal(node_lut, self._node_lut):
            self._node_lut = node_lut
            self._nodes.setBrush(list(self._brush_table[node_lut]))
        if not np.array_equal(bias_lut, self._bias_lut):
            self._bias_lut = bias_lut
            self._biases.setBrush(list(self._brush_table[bias_lut]))
        if self._tiles:
            self._update_heatmaps(snapshot, activations)
        if self._curve_tiles:
            self._update_curves(snapshot)

    def _update_curves(self, snapshot) -> None:
        """Every node's curve, each scaled to its own square (zero always in view): a learner sees
        the shape of each piece (a ReLU's bend) whatever its size."""
        curves = snapshot.node_curves
        rows = [np.asarray(curves.columns[c], dtype=float) for c, col in enumerate(self._columns)
                if col.kind == "curve"]
        values = np.concatenate(rows) if rows else np.zeros((0, len(curves.x)))
        lo, hi = _curve_levels(values)
        self.curve_atlas.show_curves(values, lo, hi)

    def _update_heatmaps(self, snapshot, activations: list[str]) -> None:
        """Colour every heatmap tile with one look-up per column; one image for the whole graph."""
        indices, levels = [], []
        for c, col in enumerate(self._columns):
            if col.kind != "heatmap":
                continue
            maps = np.asarray(snapshot.node_maps[c], dtype=float)
            if c > 0:
                lo, hi = _levels(activations[c], maps)
                lo, hi = np.full((col.units, 1, 1), lo), np.full((col.units, 1, 1), hi)
            else:  # the inputs differ in scale: each its own symmetric levels
                magnitude = np.abs(maps)
                magnitude[~np.isfinite(magnitude)] = 0.0
                m = magnitude.max(axis=(1, 2), keepdims=True)
                hi = np.where(m > 1e-12, m, 1.0)
                lo = -hi
            indices.append(self._lut_index(maps, lo, hi))
            levels.append(np.column_stack([lo.ravel(), hi.ravel()]))
        self._tile_levels = np.concatenate(levels)
        self.heatmap_atlas.show_indices(np.concatenate(indices))

    def _update_edges(self, snapshot) -> None:
        parts = []
        for i, keep in enumerate(self._keep_per_unit):
            if _weight_shape(snapshot, i) is not None:
                w = np.asarray(snapshot.params[f"layers[{i}].weight"], dtype=float)
                parts.append((i, *layer_edges(w, keep, self._all_edges.get(i))))
        self._drawn, strength = place_edges(parts, self._geometry)
        d = self._drawn
        bucket = np.minimum((strength * len(EDGE_WIDTHS)).astype(np.int64), len(EDGE_WIDTHS) - 1)
        group = 2 * bucket + (d.weight < 0)  # the index of (sign, bucket) in self._edge_groups
        self._edges.set_edges(np.column_stack([d.x0, d.y0, d.x1, d.y1]), group,
                              antialias=d.weight.size <= ANTIALIAS_EDGES)

    _HIGHLIGHT_EDGES = 3000  # more edges than this are not marked one by one (the nodes still are)

    def _draw_highlight(self) -> None:
        cols = self._columns
        counts = {"read_edges": 0, "write_edges": 0, "read_nodes": (), "write_nodes": (), "colour": None}
        for label in self._value_labels:
            label.hide()
        if self._highlight is None or not cols:
            for item in (self._read_edges, self._write_edges):
                _set_segments(item, [], [])
            for item in (self._read_nodes, self._write_nodes):
                item.setData([], [])
            self._highlight_counts = counts
            return
        reads, writes, colour, labels = self._highlight
        counts["colour"] = colour
        written = {(r.column, r.unit) for r in writes if r.kind == "node"}
        reads = tuple(r for r in reads if r.kind != "node" or (r.column, r.unit) not in written)
        shown = []
        for k, (c, u, text) in enumerate(label for label in labels if 0 <= label[0] < len(cols)
                                         and label[1] < cols[label[0]].units):
            if k >= len(self._value_labels):
                item = pg.TextItem(anchor=(0.0, 0.5), fill=pg.mkBrush(255, 255, 255, 225))
                item.setFont(_font(10, bold=True))
                item.setZValue(60)
                self.view.addItem(item, ignoreBounds=True)
                self._value_labels.append(item)
            item = self._value_labels[k]
            item.setColor(colour)
            item.setText(text)
            col = cols[c]
            # beside the node, clear of the highlight's frame (under it, a label covered the next
            # node of the column: a softmax's values lay over their neighbours' thumbnails) …
            item.setAnchor((0.0, 0.5))
            item.setPos(col.x + max(col.half, 0.1) + 0.2, col.ys[u])
            if c == len(cols) - 1 and not self._fits_right_of(item, col):
                # … or, past the view's right edge, on the left of the node (over the edges, on its
                # own white ground)
                item.setAnchor((1.0, 0.5))
                item.setPos(col.x - col.left - 0.2, col.ys[u])
            item.show()
            shown.append(text)
        counts["labels"] = tuple(shown)
        marks = ((reads, self._read_edges, self._read_nodes, 2.0, "read"),
                 (writes, self._write_edges, self._write_nodes, 3.5, "write"))
        for refs, edges_item, nodes_item, width, key in marks:
            edges = expand_edges(refs, [c.units for c in cols], self._HIGHLIGHT_EDGES)
            xs, ys = [], []
            for column, unit, source in edges:
                a, b = cols[column - 1], cols[column]
                xs += [a.x + a.half, b.x - b.left]
                ys += [a.ys[source], b.ys[unit]]
            pen_colour = QtGui.QColor(colour)
            pen_colour.setAlpha(150 if key == "read" else 230)
            edges_item.setPen(pg.mkPen(pen_colour, width=width + 1.0))
            _set_segments(edges_item, xs, ys)
            nodes = sorted({(r.column, r.unit) for r in refs if r.kind == "node" and 0 <= r.column < len(cols)
                            and r.unit < cols[r.column].units})
            px, py, sizes, symbols = [], [], [], []
            for c, u in nodes:
                col = cols[c]
                px.append(col.x)
                py.append(col.ys[u])
                sizes.append((max(2 * col.half + 0.2, 0.45) if col.kind != "strip" else 0.45)
                             + (0.12 if key == "write" else 0.0))
                symbols.append("s" if col.kind in _SQUARES else "o")
            nodes_item.setData(px, py, size=sizes, symbol=symbols, brush=None,
                               pen=pg.mkPen(colour, width=width, style=QtCore.Qt.PenStyle.DashLine if key == "read"
                                            else QtCore.Qt.PenStyle.SolidLine))
            counts[f"{key}_edges"] = len(edges)
            counts[f"{key}_nodes"] = tuple(nodes)
        self._highlight_counts = counts

    def _update_selection_marker(self) -> None:
        if self._marked == self._selection:
            return  # the marker stays where it is: the layout changes only in _rebuild
        self._marked = self._selection
        self._draw_marker(self._selection, self._selected_node, self._selected_edge)

    def _draw_marker(self, sel: Selection | None, node_item, edge_item) -> None:
        if sel is None or not self._columns or sel.kind != "edge":
            _set_segments(edge_item, [], [])
        if node_item is not None and (sel is None or not self._columns or sel.kind == "edge") and len(node_item.data):
            node_item.setData([], [])
        if sel is None or not self._columns:
            return
        col = self._columns[sel.column]
        if sel.kind == "edge":
            prev = self._columns[sel.column - 1]
            _set_segments(edge_item, [prev.x + prev.half, col.x - col.left], [prev.ys[sel.source], col.ys[sel.unit]])
        elif node_item is not None:
            size = max(2 * col.half + 0.2, 0.45) if col.kind != "strip" else 0.45
            node_item.setData([col.x], [col.ys[sel.unit]], size=size,
                              symbol="s" if col.kind in _SQUARES else "o")

    # -- selection and hover ----------------------------------------------------------------------
    def _complete(self, sel: Selection, snapshot=None) -> Selection | None:
        """``sel`` with its layer type filled in, or None when the graph has no such element."""
        snap = snapshot or self._snapshot
        cols = self._columns
        if snap is None or not 0 <= sel.column < len(cols) or not 0 <= sel.unit < cols[sel.column].units:
            return None
        if sel.kind == "input":
            return replace(sel, layer_type="input") if sel.column == 0 and sel.source is None else None
        if sel.column == 0:
            return None
        layer_type = snap.layers[sel.column - 1].type
        if sel.kind == "neuron":
            return replace(sel, layer_type=layer_type) if sel.source is None else None
        if (sel.kind == "edge" and sel.source is not None and _weight_shape(snap, sel.column - 1) is not None
                and 0 <= sel.source < cols[sel.column - 1].units):
            return replace(sel, layer_type=layer_type)
        return None

    def _set_selection(self, selection: Selection | None) -> None:
        changed = selection != self._selection
        self._selection = selection
        self._update_selection_marker()
        if changed:
            self.selection_changed.emit(selection)

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton or self._snapshot is None:
            return
        target = self.hit_test(self.view.mapSceneToView(event.scenePos()))
        self._set_selection(target)
        if event.double() and target is not None:
            self.edit_requested.emit(target)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self.graphics_view.viewport():
            if event.type() == QtCore.QEvent.Type.MouseMove:
                self._hover_at(self.graphics_view.mapToScene(event.position().toPoint()))
            elif event.type() == QtCore.QEvent.Type.Leave:
                self._hover = None
                self._hide_hover()
        return super().eventFilter(watched, event)

    def _hover_at(self, scene_pos: QtCore.QPointF) -> None:
        if self._snapshot is None:
            return
        pos = self.view.mapSceneToView(scene_pos)
        target = self.hit_test(pos)
        if target is None:
            self._hover = None
            self._hide_hover()
        else:
            self._hover, self._hover_pos = target, pos
            self._show_hover(target, pos)

    def _show_hover(self, target: Selection, pos: QtCore.QPointF) -> None:
        label = self._hover_label
        label.setText(self.describe(target))
        path = self.document_path(target)
        self.graphics_view.setToolTip(tr("Document path (counted from 0): {path}").format(path=path) if path else "")
        (left, right), (bottom, top) = self.view.viewRange()
        # open towards the middle of the view, beside the pointer …
        to_right = pos.x() < (left + right) / 2
        downwards = pos.y() > (top + bottom) / 2
        pointer = self.view.mapViewToScene(pos)
        area = self.view.sceneBoundingRect()
        # wrapped to the view's width when its lines are longer (a narrow panel)
        text = label.textItem
        text.setTextWidth(-1)
        if text.boundingRect().width() > area.width() - 4:
            text.setTextWidth(max(area.width() - 4, 80))
        label.updateTextPos()
        size = text.boundingRect().size()  # pixels: the label keeps its size as the view scales
        left_edge = right_edge = pointer.x()
        beside_node = target.kind != "edge" and self._columns[target.column].kind != "strip"
        if beside_node:  # beside the node, not over it (nor over its thumbnail)
            col = self._columns[target.column]
            left_edge = min(left_edge, self.view.mapViewToScene(QtCore.QPointF(col.x - col.half, 0.0)).x())
            right_edge = max(right_edge, self.view.mapViewToScene(QtCore.QPointF(col.x + col.half, 0.0)).x())
        room = {False: left_edge - HOVER_GAP - area.left() - 2, True: area.right() - 2 - right_edge - HOVER_GAP}
        if beside_node and size.width() > room[to_right] and room[not to_right] > room[to_right]:
            to_right = not to_right  # the other side has more room
        if beside_node and size.width() > room[to_right] >= MIN_HOVER_WIDTH:
            text.setTextWidth(room[to_right])  # wrapped to the room beside the node
            label.updateTextPos()
            size = text.boundingRect().size()
        x = right_edge + HOVER_GAP if to_right else left_edge - HOVER_GAP - size.width()
        y = pointer.y() + 10 if downwards else pointer.y() - 10 - size.height()
        # … and wholly inside the view however long its text (else clipped at the panel's edge)
        x = max(area.left() + 2, min(x, area.right() - 2 - size.width()))
        y = max(area.top() + 2, min(y, area.bottom() - 2 - size.height()))
        label.setAnchor((0.0, 0.0))
        label.setPos(self.view.mapSceneToView(QtCore.QPointF(x, y)))
        label.show()
        self._show_preview(target, QtCore.QRectF(x, y, size.width(), size.height()), downwards, area,
                           to_right, room[to_right])
        self._draw_marker(target if target.kind == "edge" else None, None, self._hover_edge)

    def _show_preview(self, target: Selection, label: QtCore.QRectF, downwards: bool,
                      area: QtCore.QRectF, to_right: bool, room: float) -> None:
        """The hovered node's curve, larger, beside the hover label (below it when the label opens
        downwards, else above it; else on the label's other side), on the label's side of the node
        (``room`` pixels wide: narrower to fit it), wholly inside the view."""
        preview = self.curve_preview
        node = (target.column, target.unit)
        snap = self._snapshot
        if target.kind == "edge" or node not in self._curve_tiles or snap is None:
            preview.hide()
            return
        curves = snap.node_curves
        y = np.asarray(curves.columns[target.column][target.unit], dtype=float)
        data = None
        last = target.column == len(self._columns) - 1
        if last:  # the output: its fitted curve over the data it is fitted to
            X, T = (np.asarray(a, dtype=float) for a in snap.raw_train)
            if X.ndim == 2 and X.shape[1] == 1 and T.ndim == 2 and target.unit < T.shape[1]:
                step = max(1, len(X) // PREVIEW_DATA_POINTS)
                data = (X[::step, 0], T[::step, target.unit])
        name = snap.input_names[0] if snap.input_names else "x"
        if target.column == 0:
            title = tr("Input {name}").format(name=name)
        elif last:
            title = tr("Output {unit}: the fitted curve over {name}").format(unit=target.unit + 1, name=name)
        else:
            view = snap.layers[target.column - 1]
            title = tr("Layer {layer}, unit {unit} ({activation}) over {name}").format(
                layer=target.column, unit=target.unit + 1, activation=view.activation, name=name)
        preview.show_curve(node, title, np.asarray(curves.x, dtype=float), y, data)
        width, height = PREVIEW_SIZE
        width = min(width, max(area.width() - 4, 120))
        if room >= MIN_HOVER_WIDTH:
            width = min(width, room)
        height = min(height, max(area.height() - 4, 80))
        preview.set_size(width, height)
        x = label.left() if to_right else label.right() - width  # flush with the label, away from the node
        x = max(area.left() + 2, min(x, area.right() - 2 - width))
        below, above = label.bottom() + 4, label.top() - 4 - height
        fits_below = below + height <= area.bottom() - 2
        fits_above = above >= area.top() + 2
        if (downwards and fits_below) or (fits_below and not fits_above):
            top = below
        elif fits_above:
            top = above
        else:  # a short view: beside the label, on whichever side has room
            top = max(area.top() + 2, min(label.top(), area.bottom() - 2 - height))
            x = label.right() + 4 if label.right() + 4 + width <= area.right() - 2 else label.left() - 4 - width
            x = max(area.left() + 2, x)
        preview.setPos(x, top)
        preview.show()

    def _hide_hover(self) -> None:
        self._hover_label.hide()
        self.curve_preview.hide()
        self.graphics_view.setToolTip("")
        _set_segments(self._hover_edge, [], [])

    # -- helpers ----------------------------------------------------------------------------------
    def _pixel_size(self) -> float:
        size = self.view.viewPixelSize()
        value = max(abs(size[0]), abs(size[1]))
        return value if np.isfinite(value) and value > 0 else 0.01

    def _input_values(self, snapshot) -> np.ndarray | None:
        """Mean of each input feature over the probe batch, when the snapshot's data allow it."""
        # the core hands out the same raw array until the data change: identity says "same data"
        key = (snapshot.raw_train[0], tuple(snapshot.input_names), snapshot.node_maps is not None)
        cached = self._input_cache
        if cached is not None and cached[0][0] is key[0] and cached[0][1:] == key[1:]:
            return cached[1]
        values = self._mean_inputs(snapshot)
        self._input_cache = (key, values)
        return values

    def _mean_inputs(self, snapshot) -> np.ndarray | None:
        raw = np.asarray(snapshot.raw_train[0], dtype=float)[:PROBE]
        n = len(snapshot.input_names)
        if snapshot.node_maps is not None and raw.shape[1] == 2:
            raw = expand_features(raw, snapshot.input_names)
        if raw.ndim != 2 or raw.shape[1] != n or raw.shape[0] == 0:
            return None
        return raw.mean(axis=0)

    def _lut_index(self, values: np.ndarray, lo, hi) -> np.ndarray:
        """Entries (uint8) of the look-up table for ``values`` between ``lo`` and ``hi`` (NaN: the
        middle); ``lo`` and ``hi`` may be arrays that broadcast against ``values``."""
        n = len(self._brushes)
        with np.errstate(over="ignore", invalid="ignore"):
            t = np.asarray(values, dtype=float) - lo
            t *= (n - 1) / (np.asarray(hi) - lo)
        np.clip(t, 0, n - 1, out=t)
        t[np.isnan(t)] = (n - 1) / 2
        return np.rint(t, out=t).astype(np.uint8)

    def _lut_colors(self, values: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return self._lut[self._lut_index(values, lo, hi), :3].astype(int)


class _PlacedImage(pg.ImageItem):
    """An image that always fills the same rectangle of the diagram, whatever its shape."""

    def __init__(self, rect: QtCore.QRectF, lut: np.ndarray):
        super().__init__(axisOrder="row-major")
        self.rect = rect
        self.setLookupTable(lut)

    def show_array(self, data: np.ndarray, levels: tuple[float, float]) -> None:
        reshaped = self.image is None or self.image.shape != data.shape
        self.setImage(data, levels=levels, autoLevels=False)
        if reshaped:  # setRect scales by the image's size, so it must follow a change of shape
            self.setRect(self.rect)


class _Atlas(pg.GraphicsObject):
    """Something drawn in each of the graph's node squares: ``rects[k]`` of the view for node ``k``."""

    def _place(self, rects: list[QtCore.QRectF]) -> None:
        self.prepareGeometryChange()
        self._targets = list(rects)
        self._bounds = QtCore.QRectF()
        for rect in rects:
            self._bounds = self._bounds.united(rect)


class _HeatmapAtlas(_Atlas):
    """Every heatmap of the graph as a tile of one image.

    The tiles are stacked in one ``uint32`` array (a ``QImage.Format_RGB32`` pixel each), coloured
    with one NumPy look-up per snapshot (:meth:`show_indices`), and each is drawn into its neuron's
    square by ``QPainter.drawImage``: no per-tile pyqtgraph item, colour table or render. As in an
    ``ImageItem``, row 0 of a tile lies at the bottom of its square (the view's y points up).
    """

    def __init__(self, lut: np.ndarray):
        super().__init__()
        rgb = np.asarray(lut, dtype=np.uint32)[:, :3]
        self._lut32 = (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)
        self._targets: list[QtCore.QRectF] = []
        self._sources: list[QtCore.QRectF] = []
        self._shape = (0, 0)
        self._pixels = np.zeros((0, 0), dtype=np.uint32)
        self._image: QtGui.QImage | None = None
        self._bounds = QtCore.QRectF()

    def set_layout(self, rects: list[QtCore.QRectF]) -> None:
        """Tile ``k`` fills ``rects[k]`` of the view."""
        self._place(rects)
        self._shape = (0, 0)
        self._pixels = np.zeros((0, 0), dtype=np.uint32)
        self._image = None
        self.update()

    def show_indices(self, indices: np.ndarray) -> None:
        """Colour the tiles: ``indices`` (tiles, rows, columns) are entries of the look-up table."""
        tiles, rows, cols = indices.shape
        if (rows, cols) != self._shape:
            self._shape = (rows, cols)
            self._sources = [QtCore.QRectF(0, k * rows, cols, rows) for k in range(tiles)]
        self._pixels = np.take(self._lut32, indices.reshape(tiles * rows, cols))
        # the QImage shares the array's memory; self._pixels keeps it alive until the next frame
        self._image = QtGui.QImage(self._pixels, cols, tiles * rows, 4 * cols, QtGui.QImage.Format.Format_RGB32)
        self.update()

    def tile_colors(self, tile: int) -> np.ndarray:
        """(rows, columns, 3) RGB colours of a tile."""
        rows, _ = self._shape
        p = self._pixels[tile * rows:(tile + 1) * rows]
        return np.stack([(p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF], axis=-1).astype(int)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt override)
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        if self._image is None:
            return
        # filtered, not nearest-pixel, scaling: a 40-pixel map drawn into some 30 screen pixels
        # keeps its thin contours instead of dropping every fourth row and column
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
        # Qt's SVG writer ignores the source rectangle and would embed the whole atlas in every
        # neuron: for an SVG, each neuron gets its own image
        engine = painter.paintEngine()
        whole = engine is not None and engine.type() == QtGui.QPaintEngine.Type.SVG
        for target, source in zip(self._targets, self._sources):
            if whole:
                painter.drawImage(target, self._image.copy(source.toRect()))
            else:
                painter.drawImage(target, self._image, source)


def _curve_levels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``values``: the lowest and highest value shown, zero always included (a dead
    ReLU's zeros lie along the bottom of its square); a row of zeros (a dead unit) is drawn along
    the bottom too, as from 0 to 1; non-finite values are left out."""
    finite = np.where(np.isfinite(values), values, np.nan)
    # with an initial value, a row of NaN gives ±inf rather than a warning
    lo = np.fmin(np.nanmin(finite, axis=1, initial=np.inf), 0.0)
    hi = np.fmax(np.nanmax(finite, axis=1, initial=-np.inf), 0.0)
    lo = np.where(np.isfinite(lo), lo, 0.0)
    hi = np.where(np.isfinite(hi), hi, 0.0)
    flat = hi - lo <= 1e-12  # zero is in every range: only a row of zeros is flat
    return lo, np.where(flat, lo + 1.0, hi)


class _CurveAtlas(_Atlas):
    """Every node's curve over x (1-D data), each in its own square: white squares, a grey line
    at zero and the curves as one path (``pg.arrayToQPath``, broken between squares and at
    non-finite values), drawn with cosmetic pens so that they stay crisp at any zoom."""

    def __init__(self):
        super().__init__()
        self._targets: list[QtCore.QRectF] = []
        self._bounds = QtCore.QRectF()
        self._points = np.zeros((0, 0, 2))  # (tiles, points, 2) view coordinates of each curve
        self._path = QtGui.QPainterPath()
        self._zero = QtGui.QPainterPath()
        self._pen = pg.mkPen(CURVE_COLOUR, width=1.6)
        self._zero_pen = pg.mkPen(GRID_LINE, width=1)
        self._background = QtGui.QBrush(QtGui.QColor("white"))

    def set_layout(self, rects: list[QtCore.QRectF]) -> None:
        """Curve ``k`` fills ``rects[k]`` of the view."""
        self._place(rects)
        self._points = np.zeros((0, 0, 2))
        self._path = QtGui.QPainterPath()
        self._zero = QtGui.QPainterPath()
        self.update()

    def show_curves(self, values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """Draw row ``k`` of ``values`` (tiles, points) in tile ``k``, from ``lo[k]`` at the bottom
        of its square to ``hi[k]`` at the top (less :data:`CURVE_MARGIN`)."""
        tiles, count = values.shape
        if tiles != len(self._targets) or count < 2:
            return
        left = np.array([r.left() for r in self._targets])[:, None]
        bottom = np.array([r.top() for r in self._targets])[:, None]  # the view's y points up
        width = np.array([r.width() for r in self._targets])[:, None]
        height = np.array([r.height() for r in self._targets])[:, None]
        inner = height * (1 - 2 * CURVE_MARGIN)
        with np.errstate(all="ignore"):
            t = (values - lo[:, None]) / (hi - lo)[:, None]
            zero = (0.0 - lo) / (hi - lo)
        xs = left + width * np.linspace(0.0, 1.0, count)[None, :]
        ys = bottom + height * CURVE_MARGIN + inner * t
        finite = np.isfinite(ys)
        self._points = np.stack([xs, np.where(finite, ys, np.nan)], axis=-1)
        # a segment joins two finite points of the same tile
        connect = np.zeros((tiles, count), dtype=bool)
        connect[:, :-1] = finite[:, :-1] & finite[:, 1:]
        self._path = pg.arrayToQPath(xs.ravel(), np.where(finite, ys, bottom).ravel(), connect=connect.ravel())
        zy = (bottom + height * CURVE_MARGIN + inner * zero[:, None]).ravel()
        zx = np.column_stack([left.ravel(), (left + width).ravel()]).ravel()
        self._zero = pg.arrayToQPath(zx, np.repeat(zy, 2), connect="pairs")
        self.update()

    def tile_points(self, tile: int) -> np.ndarray:
        """(points, 2) where tile ``tile``'s curve is drawn (view coordinates)."""
        return self._points[tile].copy() if tile < len(self._points) else np.zeros((0, 2))

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt override)
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        if not self._targets:
            return
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(self._background)
        for rect in self._targets:
            painter.drawRect(rect)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.setPen(self._zero_pen)
        painter.drawPath(self._zero)
        painter.setPen(self._pen)
        painter.drawPath(self._path)


class _CurvePreview(QtWidgets.QGraphicsObject):
    """The hover's larger picture of one node's curve, in the scene's pixels: a title, the curve
    over the data's x range with the ends of both axes numbered, the zero line, and for an output
    the data points it is fitted to. What the pointer is over is no part of an exported figure."""

    hover_readout = True

    def __init__(self):
        super().__init__()
        self.node: tuple[int, int] | None = None
        self._size = QtCore.QSizeF(*PREVIEW_SIZE)
        self._title = ""
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._data: tuple[np.ndarray, np.ndarray] | None = None
        self._font = _font(8)
        self._title_font = _font(8, bold=True)

    @property
    def title(self) -> str:
        """The preview's title: whose curve it is."""
        return self._title

    def show_curve(self, node, title: str, x: np.ndarray, y: np.ndarray, data=None) -> None:
        self.node, self._title, self._x, self._y, self._data = node, title, x, y, data
        self.update()

    def set_size(self, width: float, height: float) -> None:
        if (width, height) != (self._size.width(), self._size.height()):
            self.prepareGeometryChange()
            self._size = QtCore.QSizeF(width, height)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt override)
        return QtCore.QRectF(QtCore.QPointF(0, 0), self._size)

    def plot_rect(self) -> QtCore.QRectF:
        """The curve's area inside the preview (room left for the numbers of the axes)."""
        metrics = QtGui.QFontMetricsF(self._font)
        line = metrics.height()
        labels = [self._number(v) for v in self._y_range()]
        left = 6 + max(metrics.horizontalAdvance(text) for text in labels) + 4
        top = 4 + QtGui.QFontMetricsF(self._title_font).height() + 4
        bottom = self._size.height() - 4 - line - 2
        return QtCore.QRectF(left, top, max(self._size.width() - left - 10, 10), max(bottom - top, 10))

    def _y_range(self) -> tuple[float, float]:
        values = [self._y] + ([self._data[1]] if self._data is not None else [])
        lo, hi = _curve_levels(np.concatenate(values)[None, :])
        return float(lo[0]), float(hi[0])

    @staticmethod
    def _number(value: float) -> str:
        return format_significant(value, digits=3, missing=None)

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        box = self.boundingRect()
        painter.setPen(pg.mkPen("#bdbdbd"))
        painter.setBrush(QtGui.QColor(255, 255, 255, 245))
        painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
        painter.setPen(QtGui.QColor(TEXT))
        painter.setFont(self._title_font)
        metrics = QtGui.QFontMetricsF(self._title_font)
        painter.drawText(QtCore.QRectF(6, 4, box.width() - 12, metrics.height()),
                         int(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter),
                         metrics.elidedText(self._title, QtCore.Qt.TextElideMode.ElideRight, box.width() - 12))
        if self._x.size < 2:
            return
        plot = self.plot_rect()
        lo, hi = self._y_range()
        x0, x1 = float(self._x[0]), float(self._x[-1])
        span = x1 - x0 if x1 > x0 else 1.0

        def px(x):
            return plot.left() + (np.asarray(x) - x0) / span * plot.width()

        def py(y):
            return plot.bottom() - (np.asarray(y) - lo) / (hi - lo) * plot.height()

        painter.setPen(pg.mkPen(GRID_LINE, width=1))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRect(plot)
        zero = float(py(0.0))
        painter.drawLine(QtCore.QPointF(plot.left(), zero), QtCore.QPointF(plot.right(), zero))
        if self._data is not None:
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(QtGui.QColor(_GREY))
            dx, dy = px(self._data[0]), py(self._data[1])
            for a, b in zip(dx.tolist(), dy.tolist()):
                if math.isfinite(a) and math.isfinite(b):
                    painter.drawEllipse(QtCore.QPointF(a, b), 1.6, 1.6)
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        finite = np.isfinite(self._y)
        if finite.any():
            painter.setPen(pg.mkPen(CURVE_COLOUR, width=2))
            connect = np.zeros(self._y.size, dtype=bool)
            connect[:-1] = finite[:-1] & finite[1:]
            painter.drawPath(pg.arrayToQPath(px(self._x), np.where(finite, py(self._y), plot.bottom()),
                                             connect=connect))
        painter.setPen(QtGui.QColor(TEXT))
        painter.setFont(self._font)
        metrics = QtGui.QFontMetricsF(self._font)
        line = metrics.height()
        right = int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(QtCore.QRectF(2, plot.top() - line / 2, plot.left() - 6, line), right, self._number(hi))
        painter.drawText(QtCore.QRectF(2, plot.bottom() - line / 2, plot.left() - 6, line), right, self._number(lo))
        below = plot.bottom() + 2
        painter.drawText(QtCore.QRectF(plot.left() - 40, below, 80, line),
                         int(QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop),
                         self._number(x0))
        painter.drawText(QtCore.QRectF(plot.right() - 40, below, 80, line),
                         int(QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop),
                         self._number(x1))


class _EdgeLayer(pg.GraphicsObject):
    """Every weight edge of the graph, as separate lines (``drawLines``) grouped by pen.

    Separate lines, not one stroked path: Qt outlines a path of thousands of crossing segments as
    a whole, which takes seconds. The edges lie where the layout puts them and only move from
    group to group (sign, width) as the weights change, and often no edge does between two
    snapshots: Qt keeps the drawing as a pixmap (``DeviceCoordinateCache``) and strokes the lines
    again only when an edge changed its group. Stroking hundreds of lines antialiased takes
    milliseconds (448 edges of 64-32-10: about 2.5 ms), and while training they change on most
    frames: more than ``DRAFT_EDGES`` are drawn without antialiasing while they change, and
    antialiased again ``SETTLE_MS`` after the last change (an exported figure is never a draft).
    """

    def __init__(self, pens: list[QtGui.QPen]):
        super().__init__()
        self._pens = pens
        self._all_lines = np.zeros((0, 4))  # (x0, y0, x1, y1) per edge
        self._group = np.zeros(0, dtype=np.int64)  # its pen
        self._counts = [0] * len(pens)
        self._lines = [PrimitiveArray(QtCore.QLineF, 4) for _ in pens]  # per pen, for drawLines
        self._antialias = True  # at rest
        self._drafting = False  # the edges changed less than SETTLE_MS ago
        self._settle = QtCore.QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        self._bounds = QtCore.QRectF()
        self.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def antialiased(self) -> bool:
        """Whether the edges are drawn antialiased now (not while many of them keep changing)."""
        return self._antialias and not self._drafting

    def set_bounds(self, rect: QtCore.QRectF) -> None:
        """Where the edges can be: the diagram, with room for the widest pen."""
        self.prepareGeometryChange()
        self._bounds = QtCore.QRectF(rect)

    def set_edges(self, lines: np.ndarray, group: np.ndarray, antialias: bool) -> None:
        """Edge ``k`` runs from ``lines[k, :2]`` to ``lines[k, 2:]`` with pen ``group[k]``, antialiased
        at rest if ``antialias``; nothing is redrawn when the edges are as they were."""
        if (antialias == self._antialias and np.array_equal(group, self._group)
                and np.array_equal(lines, self._all_lines)):
            return
        self._antialias, self._group, self._all_lines = antialias, group, lines
        self._drafting = antialias and group.size > DRAFT_EDGES
        if self._drafting:
            self._settle.start()  # again: SETTLE_MS from this change
        ordered = lines[np.argsort(group, kind="stable")]
        self._counts = np.bincount(group, minlength=len(self._pens)).tolist()
        start = 0
        for count, array in zip(self._counts, self._lines):
            array.resize(count)
            array.ndarray()[:] = ordered[start:start + count]
            start += count
        self.update()

    def counts(self) -> list[int]:
        """The number of edges in each group."""
        return list(self._counts)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt override)
        return self._bounds

    def _on_settled(self) -> None:
        self._drafting = False
        self.update()

    def paint(self, painter, option, widget=None) -> None:
        exporting = bool(self._exportOpts)  # pyqtgraph's export mode, set by nnviz's exports too
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing,
                              self._antialias if exporting else self.antialiased)
        for pen, lines in zip(self._pens, self._lines):
            if len(lines):
                painter.setPen(pen)
                painter.drawLines(*lines.drawargs())


def _static_text(text: str, color: str, anchor: tuple[float, float], font: QtGui.QFont) -> pg.TextItem:
    """A label that never changes: Qt keeps it as a pixmap instead of laying out its text on every
    paint."""
    item = pg.TextItem(text, color=color, anchor=anchor)
    item.setFont(font)
    if "\n" in text:  # lines aligned as the item is anchored: left, centred or right
        doc = item.textItem.document()
        side = {0.0: QtCore.Qt.AlignmentFlag.AlignLeft, 1.0: QtCore.Qt.AlignmentFlag.AlignRight}
        doc.setDefaultTextOption(QtGui.QTextOption(side.get(anchor[0], QtCore.Qt.AlignmentFlag.AlignHCenter)))
        item.textItem.setTextWidth(doc.idealWidth())
        item.updateTextPos()
    item.textItem.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return item


def _set_segments(item: pg.PlotCurveItem, xs, ys, **options) -> None:
    """``item.setData`` with segments joined in pairs, skipped when the item is and stays empty
    (every setData emits a signal, and PySide6 6.12.0 leaks a reference to True on each emit)."""
    if len(xs) == 0 and (item.xData is None or len(item.xData) == 0):
        return
    item.setData(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), connect="pairs", **options)


def _has_bias(snapshot, i: int) -> bool:
    b = snapshot.params.get(f"layers[{i}].bias")
    return b is not None and b.shape == (snapshot.layers[i].units,)


def _towards_white(colour: str, strength: float) -> QtGui.QColor:
    """``colour`` mixed with white: ``strength`` 1 is the colour itself, 0 is white."""
    c = QtGui.QColor(colour)
    return QtGui.QColor(*(round(255 - strength * (255 - v)) for v in (c.red(), c.green(), c.blue())))


def _font(points: int, bold: bool = False) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


def _title_spacing(titles: list[str], sizes: list[int], width: int, height: int) -> tuple[float, bool]:
    """The least column spacing (scene units) at which neighbouring titles, drawn in pixels and
    centred over their columns, do not touch in a view of ``width`` × ``height`` pixels; and
    whether they must be staggered (every other one raised) because no spacing is enough."""
    doc = QtGui.QTextDocument()  # measured as the title items lay them out (margins included)
    doc.setDefaultFont(_font(9, bold=True))
    widths = []
    for title in titles:
        doc.setPlainText(title)
        widths.append(doc.idealWidth() + 2 * doc.documentMargin())
    n = len(widths)
    if n < 2:
        return MIN_SPACING, False

    pairs = [(widths[c] + widths[c + 1]) / 2 for c in range(n - 1)]  # centred titles
    if sizes[0] > HEATMAP_MAX_UNITS and not _title_fits_centred_text(titles[0]):
        pairs[0] = widths[0] + widths[1] / 2  # the first runs right from its column's left edge
    need = max(pairs) + TITLE_GAP
    tall = scene_height(diagram_height(sizes))

    def spacing_for(pixels: float) -> float | None:
        """The least spacing that puts column centres ``pixels`` apart, None if none does."""
        by_height = pixels * tall / height  # the view's height sets the scale
        room = width - pixels * (n - 1)
        if room <= 0:
            return None
        by_width = pixels * SIDE_MARGINS / room  # the width sets the scale
        return min(MAX_SPACING, max(by_height, by_width))

    def node_pixels(spacing: float) -> float:
        return HEAT_SIZE * min(width / (spacing * (n - 1) + SIDE_MARGINS), height / tall)

    side_by_side = spacing_for(need)
    if side_by_side is not None and node_pixels(max(side_by_side, MIN_SPACING)) >= MIN_NODE_PIXELS:
        return side_by_side, False
    # Titles side by side would need the nodes shrunk (or cannot fit at all): every other title is
    # raised instead, and a title need only clear the ones two columns away.
    staggered = spacing_for(need / 2)
    return (staggered if staggered is not None else MIN_SPACING), True


def _title_fits_centred(col: Column, c: int, count: int) -> bool:
    """Whether an outer column's title, centred, stays inside the side margin (inner ones always do)."""
    if 0 < c < count - 1:
        return True
    return col.kind != "strip" or _title_fits_centred_text(col.title)


def _title_fits_centred_text(title: str) -> bool:
    """A strip's margin (half a pitch) holds half a title of at most this many characters."""
    return len(title) <= 8


# -- quick look and fake data ---------------------------------------------------------------------
def make_big_snapshot(seed: int = 0, base=None):
    """A Snapshot of an MNIST-sized 784-128-10 network (random inputs; real forward and backward),
    built around a real small snapshot (``base``, made if not given) with ``dataclasses.replace``."""
    net = build_network({
        "format": "nnviz.model/1", "name": "784-128-10", "inputs": 784,
        "layers": [{"type": "dense", "units": 128, "activation": "relu"},
                   {"type": "dense", "units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": seed})
    rng = np.random.default_rng(seed)
    x = rng.random((64, 784))
    y = np.eye(10)[rng.integers(0, 10, 64)]
    net.loss_and_gradients(x, y, training=False)

    def frozen(array):
        out = np.array(array, copy=True)
        out.setflags(write=False)
        return out

    views = []
    for i, layer in enumerate(net.layers):
        dz = layer.dz if layer.dz is not None else np.zeros_like(layer.z)
        views.append(LayerView(i, layer.type, layer.activation.name, layer.units, frozen(layer.a.mean(axis=0)),
                               frozen(dz.mean(axis=0)), frozen(layer.a), frozen(layer.z), frozen(dz)))
    base = base if base is not None else Experiment().snapshot()
    return replace(base, input_names=tuple(f"px{i}" for i in range(784)), layers=tuple(views),
                   params={k: frozen(v) for k, v in net.named_parameters()},
                   grads={k: frozen(v) for k, v in net.named_gradients()},
                   raw_train=(frozen(x), frozen(y)), raw_test=None, grid_extent=None, node_maps=None, surface=None,
                   curve=None, model_name="784-128-10")


def _main() -> None:
    import argparse
    import statistics
    import sys
    import time

    from nnviz.gui.style import setup_pyqtgraph

    parser = argparse.ArgumentParser(description="Open the network graph alone.")
    parser.add_argument("--big", action="store_true", help="a 784-128-10 network instead of the default")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    parser.add_argument("--bench", action="store_true",
                        help="time show_snapshot + processEvents + grab over new weights and quit")
    args = parser.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    setup_pyqtgraph()
    panel = GraphPanel()
    panel.resize(900, 500)
    panel.setWindowTitle(tr("nnviz — network graph"))
    exp = Experiment()
    exp.run(200)
    snapshot = exp.snapshot()
    if args.big:
        snapshot = make_big_snapshot(base=snapshot)
    start = time.perf_counter()
    panel.show_snapshot(snapshot)
    panel.selection_changed.connect(lambda sel: print("selected", sel, sel.param if sel else ""))
    panel.show()
    app.processEvents()
    panel.grab()
    print(f"first frame {1000 * (time.perf_counter() - start):.1f} ms")
    if args.bench:
        frames = [make_big_snapshot(seed, base=snapshot) if args.big else snapshot for seed in range(1, 21)]
        times = []
        for frame in frames:
            start = time.perf_counter()
            panel.show_snapshot(frame)
            app.processEvents()
            panel.grab()
            times.append(1000 * (time.perf_counter() - start))
        print(f"frame: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
              f"({panel.edge_count()} edges, {panel.graphics_item_count()} graphics items)")
        return
    if args.save:
        panel.grab().save(args.save)
        return
    sys.exit(app.exec())


if __name__ == "__main__":
    _main()
