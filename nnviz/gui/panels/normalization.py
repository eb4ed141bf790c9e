"""The normalization panel: what a BatchNorm or dropout layer does differently in training and evaluation.

For a BatchNorm layer, per unit: the probe batch's mean and variance (what training normalises
with) beside the running mean and variance (what evaluation normalises with), and the train/eval
gap — the mean absolute difference between the layer's training-mode and evaluation-mode outputs.
For a dropout layer: the last training step's mask, samples × units, kept units in blue at their
1/(1-p) scale and dropped ones in white, with the share dropped.

Every number comes from the snapshot's :class:`nnviz.core.stats.LayerHealth` (``batchnorm`` and
``dropout``). The plot items are created once and fed with ``setOpts`` / ``setImage``; a hidden
panel keeps the newest snapshot and draws it when shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP

from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.inspector import layer_name
from nnviz.gui.style import GRID_LINE, POSITIVE, TEST_COLOR, TEXT, muted_text, palette_style

BATCH_COLOR = POSITIVE  # the probe batch's statistics: what training uses
RUNNING_COLOR = TEST_COLOR  # the running statistics: what evaluation uses
GAP_COLOR = "#78909c"
MAX_ROW_LINES = 60  # draw lines between the mask's rows up to this batch size
BAR_WIDTH = 0.38  # of a unit's slot, for each of the pair
# marked for translation, tr() where shown
NO_LAYER_MESSAGE = QT_TRANSLATE_NOOP("", "This network has no BatchNorm or dropout layer.")
BATCHNORM_TEXT = QT_TRANSLATE_NOOP("", "In training BatchNorm uses the batch's statistics; in evaluation the running "
                                       "ones. A large gap means evaluation behaves differently from training.")
NO_MASK_TEXT = QT_TRANSLATE_NOOP("", "No training step yet: the mask of the last training batch appears after the "
                                     "first step.")


def dropout_text(p: float, scale: float) -> str:
    """"p = 0.25: each unit is dropped with probability p; survivors are scaled by 1/(1-p) = 1.333"."""
    return tr("p = {p}: each unit is dropped with probability p; survivors are scaled by 1/(1-p) = {scale}").format(
        p=f"{p:g}", scale=f"{scale:.4g}")


def _swatch(color: str, text: str) -> str:
    return f'<span style="color:{color}">■</span> {text}'


class _UnitAxis(pg.AxisItem):
    """Units are whole numbers, drawn at 0, 1, … and counted from 1: label only those."""

    def tickStrings(self, values, scale, spacing):  # pyqtgraph override name
        return [f"{int(v) + 1}" if float(v).is_integer() else "" for v in values]


def _plot(title: str, y_label: str, x_label: str | None = None) -> pg.PlotWidget:
    """A small bar plot; its title says what the x axis counts unless ``x_label`` is given (an axis
    label costs a line of height the short plots do not have)."""
    widget = pg.PlotWidget(axisItems={"bottom": _UnitAxis("bottom")})
    widget.setBackground("w")
    item = widget.getPlotItem()
    item.setTitle(f'<span style="color:{TEXT}; font-size:9pt">{title}</span>')
    if x_label:
        item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    item.showGrid(y=True, alpha=0.25)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.getViewBox().setMouseEnabled(x=False, y=False)
    item.getAxis("left").setWidth(46)
    for axis in ("left", "bottom"):
        item.getAxis(axis).enableAutoSIPrefix(False)  # "0.5", not "500 (x0.001)"
        item.getAxis(axis).setPen(GRID_LINE)
        item.getAxis(axis).setTextPen(TEXT)
    widget.setMinimumHeight(120)
    return widget


def _bars(color: str, offset: float, width: float) -> pg.BarGraphItem:
    bars = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=width, brush=pg.mkBrush(color),
                           pen=pg.mkPen(None))
    bars.offset = offset  # where the bar sits in its unit's slot
    return bars


def _mask_lut() -> np.ndarray:
    """White (dropped, 0) to blue (kept, at the 1/(1-p) scale)."""
    return pg.ColorMap([0.0, 1.0], [QtGui.QColor("#ffffff"), QtGui.QColor(POSITIVE)]).getLookupTable(0.0, 1.0, 256)


class NormalizationPanel(Panel, QtWidgets.QWidget):
    """BatchNorm statistics and dropout masks of the layer picked in the combo box."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._layers: tuple[tuple[int, str, str], ...] | None = None  # (index, type, label) per combo entry
        self._wanted: int | None = None  # the layer the user picked, kept across snapshots

        self.combo = QtWidgets.QComboBox()
        self.combo.setToolTip(tr("The BatchNorm and dropout layers of the network."))
        self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self.combo_label = QtWidgets.QLabel(tr("Layer"))
        self.combo_label.setBuddy(self.combo)
        self.message = QtWidgets.QLabel(tr(NO_LAYER_MESSAGE))
        self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        palette_style(self.message, lambda: f"color: {muted_text().name()};")

        # -- BatchNorm page
        self.mean_plot = _plot(tr("Mean per unit"), tr("mean"))
        self.var_plot = _plot(tr("Variance per unit"), tr("variance"))
        self.gap_plot = _plot(tr("Train/eval output gap per unit"), tr("gap"))
        self.batch_mean_bars = _bars(BATCH_COLOR, -BAR_WIDTH / 2, BAR_WIDTH)
        self.running_mean_bars = _bars(RUNNING_COLOR, BAR_WIDTH / 2, BAR_WIDTH)
        self.batch_var_bars = _bars(BATCH_COLOR, -BAR_WIDTH / 2, BAR_WIDTH)
        self.running_var_bars = _bars(RUNNING_COLOR, BAR_WIDTH / 2, BAR_WIDTH)
        self.gap_bars = _bars(GAP_COLOR, 0.0, 2 * BAR_WIDTH)
        for plot, items in ((self.mean_plot, (self.batch_mean_bars, self.running_mean_bars)),
                            (self.var_plot, (self.batch_var_bars, self.running_var_bars)),
                            (self.gap_plot, (self.gap_bars,))):
            for bars in items:
                plot.addItem(bars)
            plot.getPlotItem().addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen(GRID_LINE)), ignoreBounds=True)
        batch, running = tr("probe batch (training mode)"), tr("running (evaluation mode)")
        self.legend = QtWidgets.QLabel(  # a line of text, not a pg legend over the bars
            f"{_swatch(BATCH_COLOR, batch)}&nbsp;&nbsp;&nbsp;{_swatch(RUNNING_COLOR, running)}")
        self.legend.setToolTip(tr("The probe batch's mean and (biased) variance of the layer's input, beside the "
                                  "running estimates kept during training."))
        self.batchnorm_text = QtWidgets.QLabel(tr(BATCHNORM_TEXT))
        self.batchnorm_text.setWordWrap(True)
        self.gap_readout = QtWidgets.QLabel("")
        self.gap_readout.setWordWrap(True)
        self.gap_readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.gap_plot.setToolTip(tr("Mean over the probe batch of |training-mode output − evaluation-mode output|."))
        stats_row = QtWidgets.QHBoxLayout()
        stats_row.addWidget(self.mean_plot)
        stats_row.addWidget(self.var_plot)
        batchnorm_page = QtWidgets.QWidget()
        bn_layout = QtWidgets.QVBoxLayout(batchnorm_page)
        bn_layout.setContentsMargins(0, 0, 0, 0)
        bn_layout.addWidget(self.batchnorm_text)
        bn_layout.addWidget(self.legend)
        bn_layout.addLayout(stats_row, 3)
        bn_layout.addWidget(self.gap_plot, 2)
        bn_layout.addWidget(self.gap_readout)

        # -- dropout page
        self.mask_plot = _plot(tr("Mask of the last training batch"), tr("sample"), tr("unit"))
        self.mask_image = pg.ImageItem(axisOrder="row-major")
        self.mask_image.setLookupTable(_mask_lut())
        self.mask_plot.addItem(self.mask_image)
        # thin lines between the cells, so dropped (white) cells read as cells, not as background
        self.mask_grid = pg.PlotDataItem(connect="pairs", pen=pg.mkPen("#d6d6d6", width=1))
        self.mask_plot.addItem(self.mask_grid)
        self._mask_shape: tuple[int, int] | None = None
        self.mask_plot.getPlotItem().getViewBox().invertY(True)
        self.mask_plot.getPlotItem().showGrid(y=False)
        self.dropout_text = QtWidgets.QLabel("")
        self.dropout_text.setWordWrap(True)
        self.dropped_readout = QtWidgets.QLabel("")
        self.mask_legend = QtWidgets.QLabel("")
        dropout_page = QtWidgets.QWidget()
        dr_layout = QtWidgets.QVBoxLayout(dropout_page)
        dr_layout.setContentsMargins(0, 0, 0, 0)
        dr_layout.addWidget(self.dropout_text)
        dr_layout.addWidget(self.mask_legend)
        dr_layout.addWidget(self.mask_plot, 1)
        dr_layout.addWidget(self.dropped_readout)

        self.pages = QtWidgets.QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(batchnorm_page)
        self.pages.addWidget(dropout_page)
        self._batchnorm_page, self._dropout_page = batchnorm_page, dropout_page
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.combo_label)
        top.addWidget(self.combo, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self._set_layers(())

    # -- public -----------------------------------------------------------------------------------
    @classmethod
    def demo_snapshot(cls):
        """A small network with BatchNorm and dropout."""
        return _demo_snapshot()

    def select_layer(self, index: int) -> None:
        """Show the layer ``layers[index]`` (kept as the choice until the network loses it)."""
        self._wanted = index
        row = self._row_of(index)
        if row is not None:
            self.combo.setCurrentIndex(row)

    def current_layer(self) -> int | None:
        """The index of the layer shown, or None when there is none."""
        row = self.combo.currentIndex()
        return self._layers[row][0] if self._layers and 0 <= row < len(self._layers) else None

    def showing(self) -> str:
        """"batchnorm", "dropout" or "message": which page is up."""
        page = self.pages.currentWidget()
        return "batchnorm" if page is self._batchnorm_page else "dropout" if page is self._dropout_page else "message"

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title: the page shown and its layer."""
        self.catch_up()
        page, index = self.showing(), self.current_layer()
        if page == "message" or index is None:
            return tr("Normalization")
        what = tr("BatchNorm statistics") if page == "batchnorm" else tr("Dropout mask")
        return f"{what} — {layer_name(self._snapshot, index)}"

    def export_table(self) -> tuple[list[str], list[list]]:
        """The numbers of the layer shown (``layer_index`` 0-based, as ``layers[i]``), from its
        :class:`~nnviz.core.stats.LayerHealth`:

        * BatchNorm: ``layer_index, quantity, unit, value`` — ``batch_mean``, ``running_mean``,
          ``batch_var``, ``running_var`` and ``train_eval_gap`` per unit;
        * dropout: ``layer_index, quantity, sample, unit, value`` — ``p`` and ``scale`` (``sample``
          and ``unit`` empty), then the last training batch's ``mask`` (0 or the scale), sample by
          sample, when there is one.

        No rows before a snapshot, or for a network without such a layer."""
        self.catch_up()
        page, index, snap = self.showing(), self.current_layer(), self._snapshot
        if page == "dropout":
            drop = snap.health[index].dropout
            rows = [[index, "p", "", "", float(drop["p"])], [index, "scale", "", "", float(drop["scale"])]]
            if drop["mask"] is not None:
                rows += [[index, "mask", k, u, v] for k, sample in enumerate(np.asarray(drop["mask"]).tolist())
                         for u, v in enumerate(sample)]
            return ["layer_index", "quantity", "sample", "unit", "value"], rows
        header = ["layer_index", "quantity", "unit", "value"]
        if page != "batchnorm":
            return header, []
        bn = snap.health[index].batchnorm
        return header, [[index, name, u, v]
                        for name in ("batch_mean", "running_mean", "batch_var", "running_var", "train_eval_gap")
                        for u, v in enumerate(np.asarray(bn[name]).tolist())]

    # -- drawing ----------------------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        self._set_layers(tuple((h.index, h.type, f"{layer_name(snapshot, h.index)} · {h.type}")
                               for h in snapshot.health if h.type in ("batchnorm", "dropout")))
        self._draw()

    def _row_of(self, index: int) -> int | None:
        return next((row for row, entry in enumerate(self._layers or ()) if entry[0] == index), None)

    def _set_layers(self, layers: tuple[tuple[int, str, str], ...]) -> None:
        """Fill the combo box (only when the network's normalization layers change)."""
        if layers == self._layers:
            return
        keep = self.current_layer() if self._wanted is None else self._wanted
        self._layers = layers
        self.combo.blockSignals(True)
        self.combo.clear()
        for _, _, label in layers:
            self.combo.addItem(label)
        row = self._row_of(keep) if keep is not None else None
        self.combo.setCurrentIndex(row if row is not None else 0 if layers else -1)
        self.combo.blockSignals(False)
        has_layers = bool(layers)
        self.combo.setEnabled(has_layers)
        self.combo.setVisible(has_layers)
        self.combo_label.setVisible(has_layers)

    def _on_combo_current_index_changed(self, row: int) -> None:
        if self._layers and 0 <= row < len(self._layers):
            self._wanted = self._layers[row][0]
        self.redraw()

    def _draw(self) -> None:
        snap, index = self._snapshot, self.current_layer()
        if snap is None or index is None:
            self.pages.setCurrentWidget(self.message)
            return
        health = snap.health[index]
        if health.type == "batchnorm" and health.batchnorm is not None:
            self.pages.setCurrentWidget(self._batchnorm_page)
            self._draw_batchnorm(health.batchnorm)
        elif health.type == "dropout" and health.dropout is not None:
            self.pages.setCurrentWidget(self._dropout_page)
            self._draw_dropout(health.dropout)
        else:
            self.pages.setCurrentWidget(self.message)

    def _draw_batchnorm(self, bn: dict) -> None:
        units = np.arange(len(bn["batch_mean"]), dtype=np.float64)
        for bars, values in ((self.batch_mean_bars, bn["batch_mean"]), (self.running_mean_bars, bn["running_mean"]),
                             (self.batch_var_bars, bn["batch_var"]), (self.running_var_bars, bn["running_var"]),
                             (self.gap_bars, bn["train_eval_gap"])):
            bars.setOpts(x=units + bars.offset, height=values)
        for plot in (self.mean_plot, self.var_plot, self.gap_plot):
            plot.getPlotItem().setXRange(-0.6, len(units) - 0.4, padding=0)
        gap = np.asarray(bn["train_eval_gap"])
        if gap.size and np.isfinite(gap).any():
            worst = int(np.nanargmax(gap))
            self.gap_readout.setText(
                tr("Largest gap: unit {unit}, {gap}  (mean over units {mean}).  Unit {unit}: batch mean {batch_mean} "
                   "vs running {running_mean}; batch variance {batch_var} vs running {running_var}.").format(
                    unit=worst + 1, gap=f"{gap[worst]:.4g}", mean=f"{np.nanmean(gap):.4g}",
                    batch_mean=f"{bn['batch_mean'][worst]:.4g}", running_mean=f"{bn['running_mean'][worst]:.4g}",
                    batch_var=f"{bn['batch_var'][worst]:.4g}", running_var=f"{bn['running_var'][worst]:.4g}"))
        else:
            self.gap_readout.setText("")

    def _draw_dropout(self, drop: dict) -> None:
        p, scale, mask = float(drop["p"]), float(drop["scale"]), drop["mask"]
        self.dropout_text.setText(dropout_text(p, scale))
        kept = tr("kept (× {scale})").format(scale=f"{scale:.4g}")
        dropped_text = tr("dropped (0)")
        self.mask_legend.setText(f"{_swatch(POSITIVE, kept)}&nbsp;&nbsp;&nbsp;"
                                 f'<span style="color:#9e9e9e">□</span> {dropped_text}')
        if mask is None:
            self.mask_image.clear()
            self._mask_shape = None
            self.mask_plot.hide()
            self.dropped_readout.setText(tr(NO_MASK_TEXT))
            return
        self.mask_plot.show()
        # levels pin 0 to white and the scale to full blue, whatever this batch holds
        self.mask_image.setImage(mask, levels=(0.0, max(scale, 1e-12)), autoLevels=False)
        if mask.shape != self._mask_shape:  # a new batch size or width: place the image and its grid
            self._mask_shape = mask.shape
            rows, units = mask.shape
            self.mask_image.setRect(QtCore.QRectF(-0.5, -0.5, units, rows))
            self.mask_plot.getPlotItem().setRange(xRange=(-0.5, units - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
            xs, ys = [], []
            for u in range(units + 1):
                xs += [u - 0.5, u - 0.5]
                ys += [-0.5, rows - 0.5]
            if rows <= MAX_ROW_LINES:  # beyond that the lines would only grey the picture
                for r in range(rows + 1):
                    xs += [-0.5, units - 0.5]
                    ys += [r - 0.5, r - 0.5]
            self.mask_grid.setData(np.array(xs), np.array(ys))
        dropped = int(np.count_nonzero(mask == 0))
        self.dropped_readout.setText(tr("Dropped in this batch: {share}% ({dropped} of {total} activations; "
                                        "expected {expected}%)").format(
            share=f"{100.0 * dropped / mask.size:.3g}", dropped=dropped, total=mask.size, expected=f"{100 * p:g}"))


def _demo_snapshot():
    """A real snapshot of a short run of a small network with BatchNorm and dropout."""
    from nnviz.core.experiment import Experiment, default_document

    doc = default_document()
    doc["layers"] = [{"type": "dense", "units": 4},
                     {"type": "batchnorm", "activation": "tanh"},
                     {"type": "dropout", "p": 0.25},
                     {"type": "dense", "units": 1, "activation": "sigmoid"}]
    exp = Experiment(doc)
    exp.run(20)
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the normalization panel alone on a short real run.")
    parser.add_argument("--layer", type=int, default=1, help="the layer to show (default: 1, the BatchNorm)")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    sys.exit(show_alone(NormalizationPanel, "normalization", _demo_snapshot(), size=(640, 480),
                        prepare=lambda panel: panel.select_layer(args.layer), save=args.save))
