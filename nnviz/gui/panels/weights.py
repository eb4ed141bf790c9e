"""The weights panel: a layer's weight matrix, their distribution, and each unit's weights as a picture.

A layer combo chooses one of the layers with a weight matrix (dense and GLU layers; for a GLU, the
value weights). Three views show it:

* ``"matrix"`` — the weight matrix as a heatmap, one row per unit and one column per input, on the
  diverging colour map centred on 0 with symmetric levels ±max|w| and a colour bar; a small matrix
  has its numbers written in the cells and its inputs named;
* ``"histogram"`` — the distribution of the weights (:func:`nnviz.core.stats.histogram`);
* ``"images"`` — when the layer reads the data's pixels (784 = 28 × 28 or 64 = 8 × 8 inputs), each
  unit's weights as a picture, the classic "what does this unit look at" view: one atlas image of up
  to 128 tiles, 16 to a row, with one-pixel gaps, in a single ImageItem.

Items are created once (the matrix's cell labels when the matrix's shape changes); a snapshot calls
``setImage`` / ``setData`` on the items of the view in front, and a hidden panel only keeps the
snapshot and draws it when it is shown again.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from nnviz.core.images import IMAGE_SIDES, image_side  # input widths that are square pictures
from nnviz.core.numbers import format_significant
from nnviz.core.stats import histogram
from nnviz.gui.i18n import tr
from nnviz.gui.panels.activations import (
    SegmentsLine,
    count_top,
    finite_bound,
    follow_ranges,
    lay_out_layer_panel,
    layer_label,
    make_color_bar,
    make_plot,
    set_range,
)
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.cells import CellTexts
from nnviz.gui.panels.facts import weighted
from nnviz.gui.panels.loss import snapped_range
from nnviz.gui.style import POSITIVE, TEXT, diverging_lut

VIEWS = ("matrix", "histogram", "images")
ATLAS_UNITS = 128  # at most this many tiles …
ATLAS_COLUMNS = 16  # … and at most this many to a row
_GAP_COLOR = "#d0d3d6"  # between the tiles (and around the atlas): a tile's white edge still shows
HISTOGRAM_BINS = 40
_CELL_LABELS_UP_TO = 64  # write the numbers in a matrix of at most this many cells
_NAMED_INPUTS_UP_TO = 16  # name the inputs on the axis up to this many
_LUT = diverging_lut(512)


def atlas_columns(units: int) -> int:
    """Tiles to a row for ``units`` tiles: about twice as many columns as rows (a panel is wider than
    tall), at most ATLAS_COLUMNS: 128 units make 16 × 8, 32 make 8 × 4, 10 make 5 × 2."""
    return max(1, min(ATLAS_COLUMNS, units, math.ceil(math.sqrt(2 * units))))


def weight_atlas(weight: np.ndarray, side: int, columns: int, max_units: int = ATLAS_UNITS) -> np.ndarray:
    """One image of the first ``max_units`` rows of ``weight`` (units, side²), each reshaped to
    ``side × side``, in a grid ``columns`` wide with one-pixel NaN gaps (drawn transparent).
    Unit ``k`` is at row ``k // columns``, column ``k % columns``."""
    units = min(weight.shape[0], max_units)
    rows = math.ceil(units / columns)
    cell = side + 1
    tiles = np.full((rows * columns, cell, cell), np.nan)
    tiles[:units, :side, :side] = weight[:units].reshape(units, side, side)
    atlas = tiles.reshape(rows, columns, cell, cell).transpose(0, 2, 1, 3).reshape(rows * cell, columns * cell)
    return atlas[:-1, :-1]


def atlas_tile(atlas: np.ndarray, k: int, side: int, columns: int) -> np.ndarray:
    """The ``side × side`` tile of unit ``k`` in an atlas made by :func:`weight_atlas`."""
    row, column = divmod(k, columns)
    cell = side + 1
    return atlas[row * cell: row * cell + side, column * cell: column * cell + side]


def weight_layers(snapshot) -> list[int]:
    """Indices of the snapshot's layers that have a weight matrix (dense, GLU)."""
    return [i for i, view in enumerate(snapshot.layers)
            if weighted(view.type) and f"layers[{i}].weight" in snapshot.params]


class WeightsPanel(Panel, QtWidgets.QWidget):
    """A weight layer's matrix, histogram and (for image inputs) unit pictures.

    Public: ``show_snapshot(snapshot)``, ``select_layer(index)`` (a layer index of the network, as in
    ``snapshot.layers``), ``set_view(name)`` (one of :data:`VIEWS`), ``layer``, ``view_name``,
    ``atlas_columns``, ``atlas_side``.
    Items for inspection: ``layer_combo`` (item data: the layer index), ``tabs``, ``info_line``;
    ``matrix_item`` (ImageItem), ``matrix_bar`` (ColorBarItem), ``cell_labels`` (:class:`CellTexts`,
    row-major; None when the cells are too many to write in);
    ``histogram_curve`` (step curve: x the bin edges, y the counts); ``atlas_item`` (ImageItem),
    ``atlas_bar``.
    """

    layer_selected = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._layer: int | None = None  # a network layer index (one with weights)
        self._choices: tuple = ()
        self._matrix_key = None  # (units, fan_in, layer, names): a change sets ticks and cell labels
        self._matrix_levels = None
        self._atlas_levels = None
        self._atlas_key = None
        self.atlas_columns: int | None = None
        self.atlas_side: int | None = None
        self.cell_labels: CellTexts | None = None

        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.info_line = SegmentsLine()

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_matrix(), tr("Matrix"))
        self.tabs.addTab(self._build_histogram(), tr("Histogram"))
        self.tabs.addTab(self._build_atlas(), tr("Unit images"))
        self.tabs.setTabToolTip(0, tr("The weight matrix: one row per unit, one column per input"))
        self.tabs.setTabToolTip(1, tr("How the layer's weights are spread"))
        self.tabs.setTabToolTip(2, tr("Each unit's input weights as a picture (28 × 28 or 8 × 8 inputs only): "
                                      "what the unit looks for in the image"))
        self.tabs.setTabEnabled(2, False)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        lay_out_layer_panel(self, self.layer_combo, self.info_line, self.tabs)

    # -- building ---------------------------------------------------------------------------------
    def _build_matrix(self) -> QtWidgets.QWidget:
        self.matrix_view = pg.GraphicsLayoutWidget()
        self.matrix_view.ci.setContentsMargins(2, 8, 2, 8)  # room for the colour bar's end labels
        self.matrix_plot = make_plot(tr("unit"), tr("input"), counted=("left", "bottom"))
        self.matrix_plot.getViewBox().invertY(True)  # unit 1 at the top, as a matrix is read
        self.matrix_view.addItem(self.matrix_plot, row=0, col=0)
        self.matrix_item = pg.ImageItem(axisOrder="row-major")
        self.matrix_item.setLookupTable(_LUT)
        self.matrix_plot.addItem(self.matrix_item)
        self.matrix_bar = make_color_bar()
        self.matrix_view.addItem(self.matrix_bar, row=0, col=1)
        return self.matrix_view

    def _build_histogram(self) -> QtWidgets.QWidget:
        self.histogram_view = pg.GraphicsLayoutWidget()
        self.histogram_view.ci.setContentsMargins(2, 2, 8, 2)
        self.histogram_plot = make_plot(tr("count"), tr("weight"), integer=("left",))
        self.histogram_plot.showGrid(y=True, alpha=0.25)
        self.histogram_plot.getViewBox().disableAutoRange()  # ranges: _draw_histogram
        follow_ranges(self.histogram_plot)
        self.histogram_view.addItem(self.histogram_plot)
        self.histogram_curve = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(POSITIVE, width=1.5),
                                               brush=pg.mkBrush(POSITIVE + "55"))
        self.histogram_plot.addItem(self.histogram_curve)
        zero = pg.InfiniteLine(pos=0.0, angle=90, movable=False,
                               pen=pg.mkPen("#9e9e9e", width=1, style=QtCore.Qt.PenStyle.DashLine))
        self.histogram_plot.addItem(zero, ignoreBounds=True)
        return self.histogram_view

    def _build_atlas(self) -> QtWidgets.QWidget:
        self.atlas_view = pg.GraphicsLayoutWidget()
        self.atlas_view.ci.setContentsMargins(2, 8, 2, 8)
        self.atlas_plot = make_plot("", "")
        for name in ("left", "bottom"):
            self.atlas_plot.hideAxis(name)
        vb = self.atlas_plot.getViewBox()
        vb.invertY(True)  # pictures upright: row 0 of an image at the top
        vb.setAspectLocked(True)
        vb.setBackgroundColor(_GAP_COLOR)  # the gaps between tiles are NaN, drawn transparent: grey lines
        self.atlas_view.addItem(self.atlas_plot, row=0, col=0)
        self.atlas_item = pg.ImageItem(axisOrder="row-major")
        self.atlas_item.setLookupTable(_LUT)
        self.atlas_plot.addItem(self.atlas_item)
        self.atlas_bar = make_color_bar()
        self.atlas_view.addItem(self.atlas_bar, row=0, col=1)
        return self.atlas_view

    # -- public -----------------------------------------------------------------------------------
    @classmethod
    def demo_snapshot(cls):
        """A net trained briefly on 28 × 28 pictures: every view has something to show."""
        return demo_snapshot()

    @property
    def layer(self) -> int | None:
        """The network index of the layer shown (None before a snapshot with a weight layer)."""
        return self._layer

    @property
    def view_name(self) -> str:
        return VIEWS[self.tabs.currentIndex()]

    def select_layer(self, index: int) -> None:
        """Show the network's layer ``index`` (it must have a weight matrix)."""
        if self._snapshot is not None and index not in weight_layers(self._snapshot):
            raise IndexError(f"layer {index} has no weight matrix")
        if index == self._layer:
            return
        self._layer = index
        follow_ranges(self.histogram_plot)  # a new layer: fit the histogram to its weights again
        self.layer_selected.emit(index)
        self.redraw()

    def set_view(self, name: str) -> None:
        """Bring view ``name`` (one of :data:`VIEWS`) to the front (``"images"`` only when enabled)."""
        self.tabs.setCurrentIndex(VIEWS.index(name))

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title: the layer and the view in front."""
        self.catch_up()
        snap = self._snapshot
        if snap is None or self._layer is None or self._layer not in weight_layers(snap):
            return tr("Weights")
        view = {"matrix": tr("matrix"), "histogram": tr("histogram"), "images": tr("unit images")}[self.view_name]
        return tr("Weights — {layer} ({view})").format(layer=layer_label(snap, self._layer), view=view)

    def export_table(self) -> tuple[list[str], list[list]]:
        """The selected layer's weights (``layers[i].weight``, ``layer_index`` 0-based) as the view
        in front shows them:

        * matrix: ``layer_index, unit, input, weight`` — every entry, row by row;
        * histogram: ``layer_index, bin_left, bin_right, count`` — the bins of
          :func:`nnviz.core.stats.histogram` of the weights, as drawn;
        * images: ``layer_index, unit, row, column, weight`` — each pictured unit's weights at their
          pixel of the ``side × side`` picture (input ``row * side + column``; the first
          :data:`ATLAS_UNITS` units).

        No rows before a snapshot, or without a layer with weights."""
        self.catch_up()
        view = self.view_name
        header = {"matrix": ["layer_index", "unit", "input", "weight"],
                  "histogram": ["layer_index", "bin_left", "bin_right", "count"],
                  "images": ["layer_index", "unit", "row", "column", "weight"]}[view]
        snap, i = self._snapshot, self._layer
        if snap is None or i is None or i not in weight_layers(snap):
            return header, []
        weight = snap.params[f"layers[{i}].weight"]
        if view == "matrix":
            return header, [[i, u, j, v] for u, row in enumerate(weight.tolist()) for j, v in enumerate(row)]
        if view == "histogram":
            counts, edges = histogram(weight.ravel(), bins=HISTOGRAM_BINS)
            edges = edges.tolist()
            return header, [[i, lo, hi, c] for lo, hi, c in zip(edges[:-1], edges[1:], counts.tolist())]
        side = self.atlas_side
        if side is None:  # no pictures of this layer
            return header, []
        shown = weight[:ATLAS_UNITS].reshape(-1, side, side)
        return header, [[i, u, r, c, v] for u, tile in enumerate(shown.tolist())
                        for r, line in enumerate(tile) for c, v in enumerate(line)]

    # -- drawing ----------------------------------------------------------------------------------
    def _draw_snapshot(self, snap) -> None:
        layers = weight_layers(snap)
        if not layers:
            self.info_line.set_segments([(tr("No layer with weights"), None, False)])
            return
        self._update_layers(snap, layers)
        weight = snap.params[f"layers[{self._layer}].weight"]
        side = image_side(weight.shape[1]) if self._reads_pixels(snap, weight) else None
        self.atlas_side = side
        if self.tabs.isTabEnabled(2) != (side is not None):
            # Signals blocked: this draw goes on with the view in front. Off the pictures first,
            # or Qt would move to the next tab rather than to the matrix.
            self.tabs.blockSignals(True)
            if side is None and self.view_name == "images":
                self.tabs.setCurrentIndex(0)
            self.tabs.setTabEnabled(2, side is not None)
            self.tabs.blockSignals(False)
        units, fan_in = weight.shape
        segments = [(f"W{self._layer + 1}", None, True),
                    ("   " + tr("{units} units × {inputs} inputs = {weights} weights").format(
                        units=units, inputs=fan_in, weights=f"{weight.size:,}"), None, False)]
        self.info_line.setToolTip(tr("Document path (counted from 0): {path}").format(
            path=f"layers[{self._layer}].weight"))
        if self.view_name == "images" and units > ATLAS_UNITS:
            segments.append((" · " + tr("the first {count} units").format(count=ATLAS_UNITS), None, False))
        self.info_line.set_segments(segments)
        getattr(self, f"_draw_{self.view_name}")(snap, weight)

    def _reads_pixels(self, snap, weight) -> bool:
        """Whether the layer's inputs are the data's own inputs (the first weight layer, its width
        that of the data): only then are its weights pictures of an image."""
        return self._layer == weight_layers(snap)[0] and weight.shape[1] == len(snap.input_names)

    def _update_layers(self, snap, layers: list[int]) -> None:
        choices = tuple((i, layer_label(snap, i)) for i in layers)
        if self._layer not in layers:
            self._layer = layers[0] if self._layer is None or self._layer > layers[-1] else \
                min(layers, key=lambda i: abs(i - self._layer))
        if choices != self._choices:
            self._choices = choices
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for i, label in choices:
                self.layer_combo.addItem(label, i)
            self.layer_combo.blockSignals(False)
        position = layers.index(self._layer)
        if self.layer_combo.currentIndex() != position:
            self.layer_combo.blockSignals(True)
            self.layer_combo.setCurrentIndex(position)
            self.layer_combo.blockSignals(False)

    def _draw_matrix(self, snap, weight: np.ndarray) -> None:
        units, fan_in = weight.shape
        bound = finite_bound(weight)
        levels = (-bound, bound)
        self.matrix_item.setImage(weight, levels=levels, autoLevels=False)
        if levels != self._matrix_levels:
            self._matrix_levels = levels
            self.matrix_bar.setLevels(levels)
        names = snap.input_names if self._reads_pixels(snap, weight) else None
        key = (units, fan_in, names)
        if key != self._matrix_key:
            self._matrix_key = key
            self._layout_matrix(units, fan_in, names)
        if self.cell_labels is not None:
            values = weight.ravel()
            self.cell_labels.set_cells([format_significant(float(v)) for v in values],
                                       ["#ffffff" if abs(v) > 0.6 * bound else TEXT for v in values])

    def _layout_matrix(self, units: int, fan_in: int, names) -> None:
        """Place the image, name the inputs and make the cell labels for a new matrix shape."""
        self.matrix_item.setRect(QtCore.QRectF(-0.5, -0.5, fan_in, units))  # pixel centres on integers
        bottom = self.matrix_plot.getAxis("bottom")
        if names is not None and fan_in <= _NAMED_INPUTS_UP_TO:
            bottom.setTicks([[(j, name) for j, name in enumerate(names)]])
        else:
            bottom.setTicks(None)
        self.matrix_plot.setLabel("bottom", tr("input") if names is not None else tr("input (unit of the layer below)"))
        if self.cell_labels is not None:
            self.matrix_plot.removeItem(self.cell_labels)
        self.cell_labels = None
        if units * fan_in <= _CELL_LABELS_UP_TO:
            self.cell_labels = CellTexts(units, fan_in, origin=(-0.5, -0.5))  # cell centres on integers
            self.matrix_plot.addItem(self.cell_labels)
        self.matrix_plot.getViewBox().setRange(xRange=(-0.5, fan_in - 0.5), yRange=(-0.5, units - 0.5), padding=0)

    def _draw_histogram(self, snap, weight: np.ndarray) -> None:
        counts, edges = histogram(weight.ravel(), bins=HISTOGRAM_BINS)
        self.histogram_curve.setData(edges, counts)
        # ranges that move only when the weights outgrow them: the axes are drawn again only then
        set_range(self.histogram_plot, x=snapped_range(float(edges[0]), float(edges[-1])),
                  y=(0.0, count_top(counts)), padding=0.05)

    def _draw_images(self, snap, weight: np.ndarray) -> None:
        side = self.atlas_side
        shown = weight[:ATLAS_UNITS]
        self.atlas_columns = atlas_columns(shown.shape[0])
        atlas = weight_atlas(weight, side, self.atlas_columns)
        bound = finite_bound(shown)
        levels = (-bound, bound)
        self.atlas_item.setImage(atlas, levels=levels, autoLevels=False)
        if levels != self._atlas_levels:
            self._atlas_levels = levels
            self.atlas_bar.setLevels(levels)
        key = atlas.shape
        if key != self._atlas_key:
            self._atlas_key = key
            rows, columns = atlas.shape
            self.atlas_plot.getViewBox().setRange(xRange=(0, columns), yRange=(0, rows), padding=0.01)

    def atlas_tile(self, k: int) -> np.ndarray:
        """The tile of unit ``k`` in the atlas image shown (for tests and tools)."""
        return atlas_tile(self.atlas_item.image, k, self.atlas_side, self.atlas_columns)

    # -- events and slots -------------------------------------------------------------------------
    def _on_layer_combo_changed(self, position: int) -> None:
        if position >= 0:
            self.select_layer(self.layer_combo.itemData(position))

    def _on_tabs_current_changed(self, index: int) -> None:
        self.redraw()


def demo_snapshot(side: int | None = 28, steps: int = 600):
    """A real snapshot of a network trained briefly on synthetic ``side × side`` pictures (a bar,
    a ring or a cross, shifted and noisy; three classes), or of the default circle net if
    ``side`` is None."""
    from nnviz.core.datasets import Dataset
    from nnviz.core.experiment import DataConfig, Experiment

    if side is None:
        exp = Experiment()
        exp.run(steps)
        return exp.snapshot()
    rng = np.random.default_rng(0)
    n = 600
    ys, xs = np.mgrid[0:side, 0:side] / (side - 1) * 2 - 1
    labels = rng.integers(0, 3, n)
    images = np.empty((n, side, side))
    for k in range(n):
        dx, dy = rng.normal(0, 0.12, 2)
        x, y = xs - dx, ys - dy
        r = np.hypot(x, y)
        shape = [np.abs(y) < 0.18, np.abs(r - 0.55) < 0.15, (np.abs(x) < 0.14) | (np.abs(y) < 0.14)][labels[k]]
        images[k] = shape.astype(float) + rng.normal(0, 0.25, (side, side))
    data = Dataset(images.reshape(n, -1), labels.astype(float), f"shapes{side}", "classification",
                   tuple(f"px{i}" for i in range(side * side)), ("shape",))
    doc = {"format": "nnviz.model/1", "name": f"{side * side}-32-3", "inputs": side * side,
           # a small init, so that what the units learn shows through the initial noise
           "layers": [{"type": "dense", "units": 32, "activation": "relu", "init": {"name": "normal", "std": 0.003}},
                      {"type": "dense", "units": 3, "activation": "softmax"}],
           "loss": "cross_entropy", "optimizer": {"name": "adam", "lr": 0.003}, "seed": 0}
    exp = Experiment(doc, DataConfig(imported=data, batch_size=32))
    exp.run(steps)
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the weights panel alone on a short real run.")
    parser.add_argument("--inputs", choices=("circle", "784", "64"), default="784",
                        help="the default circle net, or a net on synthetic 28 × 28 or 8 × 8 pictures")
    parser.add_argument("--big", action="store_true", help="the graph panel's 784-128-10 snapshot")
    parser.add_argument("--view", choices=VIEWS, default="images")
    parser.add_argument("--layer", type=int, default=None)
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    if args.big:
        from nnviz.gui.panels.graph import make_big_snapshot

        snapshot = make_big_snapshot()
    else:
        snapshot = demo_snapshot(None if args.inputs == "circle" else IMAGE_SIDES[int(args.inputs)])

    def prepare(panel):
        if args.layer is not None:
            panel.select_layer(args.layer)
        if panel.tabs.isTabEnabled(VIEWS.index(args.view)):
            panel.set_view(args.view)

    sys.exit(show_alone(WeightsPanel, "weights", snapshot, prepare=prepare, save=args.save))
