"""The update-ratio panel: how far one optimizer step moves each layer's weights, relative to them.

The core's ratio is ``log10(std(ΔW) / std(W))`` per layer with a weight, ΔW the change the optimizer
applied on the last step (Adam, momentum, weight decay and clipping included;
:attr:`~nnviz.core.stats.LayerHealth.update_ratio`, None before the first step). Karpathy's rule of
thumb puts a healthy value near -3 (a step changes the weights by about a thousandth); the panel
shades the reference band :data:`~nnviz.core.stats.UPDATE_RATIO_BAND` with a line at its centre. On
the left, each layer's ratio over the steps (the snapshot's ``health_history["{i}.update_ratio"]``);
on the right, sharing the vertical axis, a bar per layer of the current value: green inside the band,
amber below it (the learning rate is too low for that layer, or clipping too tight) and red above it
(too high); no bar before the first step.

Items are created when the architecture changes and fed with ``setData`` / ``setOpts`` per frame; a
hidden panel keeps only the newest snapshot and draws it when shown.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal

from nnviz.core.numbers import format_magnitude
from nnviz.core.stats import UPDATE_RATIO_BAND
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel, cache_axes
from nnviz.gui.panels.facts import weighted
from nnviz.gui.panels.gradients import (
    TOO_LARGE,
    TOO_SMALL,
    colored_html,
    layer_colors,
    layer_label,
    legend_html,
    short_list,
)
from nnviz.gui.panels.hover import BarsAndLinesReadout
from nnviz.gui.panels.loss import step_bound, step_list
from nnviz.gui.style import LR_COLOR, SELECTED

HEALTHY = LR_COLOR  # the style's green
_NO_VALUE = "#b0b0b0"  # a layer without a ratio (no step yet) or whose ratio is NaN
_BAND_BRUSH = "#2e7d3220"
_LEFT_AXIS_WIDTH = 40
_MOUSE_RATE = 30
_BAR_WIDTH = 0.7
HEALTHY_TEXT = QT_TRANSLATE_NOOP("", "≈ -3 is healthy (Karpathy)")  # tr() at use


def ratio_status(value: float | None) -> str | None:
    """``"healthy"`` inside the core's band, ``"too_low"`` below it (``-inf``: nothing moves),
    ``"too_high"`` above it; None for NaN or no value."""
    if value is None or math.isnan(value):
        return None
    lo, hi = UPDATE_RATIO_BAND
    if value < lo:
        return "too_low"
    if value > hi:
        return "too_high"
    return "healthy"


_STATUS_COLOR = {"healthy": HEALTHY, "too_low": TOO_SMALL, "too_high": TOO_LARGE, None: _NO_VALUE}
_STATUS_TEXT = {  # tr() at use
    "healthy": QT_TRANSLATE_NOOP("", "healthy"),
    "too_low": QT_TRANSLATE_NOOP("", "below the band: the steps barely move it (learning rate too low, or clipping "
                                     "too tight)"),
    "too_high": QT_TRANSLATE_NOOP("", "above the band: learning rate too high for it"),
    None: QT_TRANSLATE_NOOP("", "no value: no step yet, or weights that are not finite numbers"),
}


def help_text() -> str:
    """The line under the plot: what the ratio is and what its band means, in the window's language."""
    lo, hi = UPDATE_RATIO_BAND
    return tr("log<sub>10</sub>(std(ΔW) / std(W)): how much the last step changed a layer's weights, as the "
              "optimizer applied it (momentum, Adam and clipping included). "
              "{above} the band ({high}): learning rate too high for that layer; {below} ({low}): too low.").format(
        above=colored_html(TOO_LARGE, tr("Above")), high=f"{hi:g}",
        below=colored_html(TOO_SMALL, tr("below")), low=f"{lo:g}")


class UpdateRatioPanel(BarsAndLinesReadout, Panel, QtWidgets.QWidget):
    """Update-to-weight ratios of a :class:`~nnviz.core.experiment.Snapshot`'s layers: lines over
    the steps and bars of the current values. Emits ``layer_clicked(index)`` when a bar is clicked."""

    layer_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._arch = None
        self._layers: list[int] = []  # indices of the layers with a weight, one bar and line each
        self._values = np.zeros(0)
        self._colors: list[QtGui.QColor] = []
        self._selected: int | None = None
        self._hover = None  # ("bar", k) or ("line", view point): the readout follows it live
        self._y_range = None
        self._x_bound = None

        self.legend = QtWidgets.QLabel()
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        lo, hi = UPDATE_RATIO_BAND
        self.help = QtWidgets.QLabel(help_text())
        self.help.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.help.setWordWrap(True)
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)

        self.view = pg.GraphicsLayoutWidget()
        self.line_plot = self.view.addPlot(row=0, col=0)
        self.bar_plot = self.view.addPlot(row=0, col=1)
        self.bar_plot.setYLink(self.line_plot)
        for plot in (self.line_plot, self.bar_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.enableAutoRange(x=False, y=False)
            plot.showGrid(y=True, alpha=0.25)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            cache_axes(plot)
            band = pg.LinearRegionItem((lo, hi), orientation="horizontal", movable=False,
                                       brush=pg.mkBrush(_BAND_BRUSH), pen=pg.mkPen(None))
            band.setZValue(-20)
            plot.addItem(band, ignoreBounds=True)
            centre = pg.InfiniteLine((lo + hi) / 2, angle=0, movable=False,
                                     pen=pg.mkPen(HEALTHY, width=1.2, style=QtCore.Qt.PenStyle.DashLine))
            centre.setZValue(-10)
            plot.addItem(centre, ignoreBounds=True)
        self.line_plot.setClipToView(True)
        self.line_plot.setLabel("bottom", tr("step"))
        self.line_plot.setLabel("left", tr("log₁₀ update / weight"))
        self.line_plot.getAxis("left").setWidth(_LEFT_AXIS_WIDTH + 12)
        self.bar_plot.setLabel("bottom", tr("now"))
        self.bar_plot.getAxis("left").setStyle(showValues=False)
        self.bar_plot.getAxis("left").setWidth(4)
        self.healthy_label = pg.TextItem(tr(HEALTHY_TEXT), color=HEALTHY, anchor=(0, 1), fill=pg.mkBrush("#ffffffb0"))
        self.healthy_label.setZValue(20)
        self.line_plot.addItem(self.healthy_label, ignoreBounds=True)
        self.line_plot.getViewBox().sigRangeChanged.connect(self._place_healthy_label)
        self.bars = pg.BarGraphItem(x=[], y0=[], y1=[], width=_BAR_WIDTH)
        self.bar_plot.addItem(self.bars)
        self.lines: dict[str, pg.PlotDataItem] = {}  # layer label -> its ratio over the steps
        self.view.ci.layout.setContentsMargins(4, 4, 8, 4)
        self.view.ci.layout.setHorizontalSpacing(4)
        self.bar_plot.getViewBox().sigResized.connect(self._update_ticks)
        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=_MOUSE_RATE,
                                           slot=self._on_mouse_moved)
        self.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        for label in (self.help, self.legend, self.readout):
            label.setContentsMargins(6, 0, 6, 0)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.help)
        layout.addWidget(self.legend)
        layout.addWidget(self.readout)
        layout.addWidget(self.view, 1)

    # -- public -----------------------------------------------------------------------------------

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.LanguageChange:  # put together with numbers: again
            self.help.setText(help_text())
    def select_layer(self, index: int | None) -> None:
        """Highlight layer ``index``'s line and bar (None: no highlight)."""
        self._selected = index
        self._apply_selection()
        if self._layers:
            if self.isVisible():
                self._draw_bars()
            else:
                self.redraw()  # the bars' outlines are drawn when the panel is shown

    @property
    def selected_layer(self) -> int | None:
        return self._selected

    # -- export -------------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title."""
        return tr("Update ratio")

    def export_table(self) -> tuple[list[str], list[list]]:
        """log10(std(ΔW) / std(W)) per layer with a weight, as ``kind, layer_index, step, value``
        rows: a ``now`` row per bar (the snapshot's ``LayerHealth.update_ratio``, ``step`` the
        snapshot's), then each line's ``history`` rows (``health_history`` at every evaluation
        step). ``layer_index`` is 0-based, as ``layers[i]``; NaN (no step yet, weights without spread
        or not finite) and -inf (nothing moved) are kept. No rows before a snapshot."""
        header = ["kind", "layer_index", "step", "value"]
        snap = self._snapshot
        if snap is None:
            return header, []
        layers = [h for h in snap.health if weighted(h.type)]
        rows = [["now", h.index, snap.step, math.nan if h.update_ratio is None else float(h.update_ratio)]
                for h in layers]
        steps = step_list(snap.history["eval_step"])
        for h in layers:
            values = snap.health_history.get(f"{h.index}.update_ratio")
            if values is not None and values.size == len(steps):
                rows += [["history", h.index, step, v] for step, v in zip(steps, values.tolist())]
        return header, rows

    # -- introspection ------------------------------------------------------------------------------
    def bar_labels(self) -> list[str]:
        return [layer_label(i, self._arch[0]) for i in self._layers] if self._arch else []

    def bar_layers(self) -> list[int]:
        """The layer index of each bar (layers without a weight have none)."""
        return list(self._layers)

    def bar_heights(self) -> np.ndarray:
        """The tops of the bars: each layer's current ratio (NaN: no bar, -inf: nothing moves)."""
        return self._values.copy()

    def bar_colors(self) -> list[str]:
        """Each bar's fill colour as ``"#rrggbb"``: green in the band, amber below, red above."""
        return [QtGui.QBrush(b).color().name() for b in (self.bars.opts.get("brushes") or [])]

    def bar_statuses(self) -> list[str | None]:
        return [ratio_status(v) for v in self._values]

    def bar_is_selected(self) -> list[bool]:
        return [i == self._selected for i in self._layers]

    def line(self, label: str) -> pg.PlotDataItem:
        """The ratio line of a layer, by its label (``"L1"``, ``"out"``)."""
        return self.lines[label]

    # -- building and drawing -----------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        health = snapshot.health
        arch = (len(health), tuple(h.index for h in health if weighted(h.type)))
        if arch != self._arch:
            self._rebuild(arch)
        by_index = {h.index: h for h in health}
        self._values = np.array([by_index[i].update_ratio for i in self._layers], dtype=float)
        steps = snapshot.history["eval_step"]
        series = []
        for i in self._layers:
            y = snapshot.health_history.get(f"{i}.update_ratio")
            if y is None or y.size != steps.size:
                y = np.full(steps.size, np.nan)
            self.lines[layer_label(i, arch[0])].setData(steps, y)
            series.append(y)
        self._fit_ranges(steps, series)
        self._draw_bars()
        self._render_readout()

    def _rebuild(self, arch) -> None:
        self._arch = arch
        n, self._layers = arch[0], list(arch[1])
        self._hover = None
        colors = layer_colors(n)
        self._colors = [colors[i] for i in self._layers]
        for item in self.lines.values():
            self.line_plot.removeItem(item)
        self.lines = {}
        for i, color in zip(self._layers, self._colors):
            item = pg.PlotDataItem(pen=pg.mkPen(color, width=1.5), connect="finite")
            item.opts["autoDownsampleFactor"] = 1.0
            item.setDownsampling(auto=True, method="peak")
            self.line_plot.addItem(item)
            self.lines[layer_label(i, n)] = item
        self.legend.setText(legend_html(self.bar_labels(), self._colors))
        m = len(self._layers)
        self.view.ci.layout.setColumnStretchFactor(0, 5)
        self.view.ci.layout.setColumnStretchFactor(1, int(np.clip(1 + m // 6, 1, 2)))
        self._x_bound = self._y_range = None
        self._update_ticks()
        self._apply_selection()

    def _update_ticks(self) -> None:
        """Layer labels under the bars, thinned out so that they never overlap (the output's kept)."""
        m = len(self._layers)
        if not m:
            self.bar_plot.getAxis("bottom").setTicks([[]])
            return
        px = self.bar_plot.getViewBox().width() / (m + 0.2)
        # room for the end labels: a label reaching past the axis is not drawn
        margin = max(0.6, 14.0 / px) if px > 0 else 0.6
        self.bar_plot.setXRange(-margin, m - 1 + margin, padding=0)
        every = max(1, math.ceil(28 / px)) if px > 0 else 1
        keep = list(range(0, m, every))
        if keep[-1] != m - 1:
            if m - 1 - keep[-1] < every:
                keep[-1] = m - 1
            else:
                keep.append(m - 1)
        labels = self.bar_labels()
        self.bar_plot.getAxis("bottom").setTicks([[(float(k), labels[k]) for k in keep]])

    def _fit_ranges(self, steps, series) -> None:
        """Steps from 0 to the next round bound; the band and a decade around it, widened to whole
        numbers around the data."""
        if steps.size:
            bound = step_bound(float(steps[-1]))
            if bound != self._x_bound:
                self._x_bound = bound
                self.line_plot.setXRange(0.0, bound, padding=0.02)
        values = [v[np.isfinite(v)] for v in [*series, self._values]]
        values = [v for v in values if v.size]
        band_lo, band_hi = UPDATE_RATIO_BAND
        lo, hi = band_lo - 1.0, band_hi + 1.0
        if values:
            lo = min(lo, math.floor(min(float(v.min()) for v in values)))
            hi = max(hi, math.ceil(max(float(v.max()) for v in values)))
        if (lo, hi) != self._y_range:
            self._y_range = (lo, hi)
            self.line_plot.setYRange(lo, hi, padding=0.03)

    def _draw_bars(self) -> None:
        if not self._layers:
            self.bars.setOpts(x=[], y0=[], y1=[], brushes=[], pens=[])
            return
        floor = self._y_range[0] - 1.0 if self._y_range else -10.0
        # -inf (a zero gradient: nothing moves) reaches down past the axis; NaN: no bar
        tops = np.where(np.isneginf(self._values), floor, self._values)
        tops = np.where(np.isnan(tops), floor, tops)
        brushes, pens = [], []
        for i, v in zip(self._layers, self._values):
            color = QtGui.QColor(_STATUS_COLOR[ratio_status(v)])
            brushes.append(QtGui.QBrush(color))
            selected = i == self._selected
            pens.append(pg.mkPen(SELECTED if selected else color.darker(130), width=2.5 if selected else 1))
        self.bars.setOpts(x=np.arange(len(self._layers), dtype=float), y0=np.full(len(tops), floor), y1=tops,
                          width=_BAR_WIDTH, brushes=brushes, pens=pens)

    def _apply_selection(self) -> None:
        """The lines' pens (the bars' outlines are drawn with the bars)."""
        n = self._arch[0] if self._arch else 0
        for i, color in zip(self._layers, self._colors):
            item = self.lines[layer_label(i, n)]
            if i == self._selected:
                item.setPen(pg.mkPen(SELECTED, width=3))
                item.setZValue(5)
            else:
                item.setPen(pg.mkPen(color, width=1.5))
                item.setZValue(0)

    def _place_healthy_label(self) -> None:
        (x0, x1), _ = self.line_plot.getViewBox().viewRange()
        self.healthy_label.setPos(x0 + 0.01 * (x1 - x0), UPDATE_RATIO_BAND[1])

    def _show_summary(self) -> None:
        labels = self.bar_labels()
        statuses = self.bar_statuses()
        high = [lab for lab, s in zip(labels, statuses) if s == "too_high"]
        low = [lab for lab, s in zip(labels, statuses) if s == "too_low"]
        parts = []
        if high:
            parts.append(colored_html(TOO_LARGE, tr("too high: {layers}").format(layers=short_list(high))))
        if low:
            parts.append(colored_html(TOO_SMALL, tr("too low: {layers}").format(layers=short_list(low))))
        if labels and all(s is None for s in statuses):
            updated = any(h.update_ratio is not None for h in self._snapshot.health)
            parts.append(colored_html(_NO_VALUE, tr("not a number") if updated else
                                      tr("no update yet: the ratios appear after the next step")))
        elif not parts and labels:
            parts.append(colored_html(HEALTHY, tr("every layer in the band")))
        self.readout.setText(" &nbsp;".join(parts) or " ")

    def show_readout_for_bar(self, k: int) -> None:
        if not 0 <= k < len(self._layers):
            return
        v = self._values[k]
        status = ratio_status(v)
        now = tr("now {value}").format(value=format_magnitude(v))
        self.readout.setText(f"<b>{self.bar_labels()[k]}</b> {now} · "
                             + colored_html(_STATUS_COLOR[status], tr(_STATUS_TEXT[status])))

    # -- slots and events -------------------------------------------------------------------------------
    def _bar_at(self, scene_pos) -> int | None:
        vb = self.bar_plot.getViewBox()
        if not self._layers or not vb.sceneBoundingRect().contains(scene_pos):
            return None
        k = int(round(vb.mapSceneToView(scene_pos).x()))
        return k if 0 <= k < len(self._layers) else None

    def _show_line_value(self, label: str, j: int) -> None:
        steps = self._snapshot.history["eval_step"]
        v = float(self.lines[label].yData[j])
        step = tr("step {step}").format(step=f"{int(steps[j]):,}")
        self.readout.setText(f"<b>{step}</b> · {label} {format_magnitude(v)} · "
                             + colored_html(_STATUS_COLOR[ratio_status(v)], tr(_STATUS_TEXT[ratio_status(v)])))

    def _on_mouse_clicked(self, event) -> None:
        k = self._bar_at(event.scenePos())
        if k is not None:
            self.select_layer(self._layers[k])
            self.layer_clicked.emit(self._layers[k])


def high_lr_document(lr: float = 5.0) -> dict:
    """The default net with a learning rate far too high: its output layer's steps are larger than
    the band allows, while its tanh layers saturate and barely move."""
    from nnviz.core.experiment import default_document

    doc = default_document()
    doc["name"] = f"lr {lr:g}"
    doc["optimizer"] = {"name": "sgd", "lr": lr}
    return doc


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone
    from nnviz.gui.panels.gradients import deep_sigmoid_document, demo_snapshot

    parser = argparse.ArgumentParser(description="Open the update-ratio panel alone on a real run.")
    parser.add_argument("--failing", choices=("high-lr", "deep-sigmoid"),
                        help="a learning rate of 5, or 12 sigmoid layers (the first barely move)")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    document = {"high-lr": high_lr_document, "deep-sigmoid": deep_sigmoid_document,
                None: lambda: None}[args.failing]()
    snapshot = demo_snapshot(document)
    sys.exit(show_alone(UpdateRatioPanel, f"update ratios ({snapshot.model_name})", snapshot, save=args.save))
