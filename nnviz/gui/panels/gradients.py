"""The gradient-flow panel: how large each parameter tensor's gradient is, now and over the steps.

Above, one bar per parameter tensor (``L1.w``, ``L1.b``, …, ``out.w``), grouped by layer, of the
statistic the combo picks: the gradient's norm, its mean |g| or its max |g|, on a log scale. Weights
are solid bars, biases hatched ones, in the colour of their layer (light for the first layer, dark for
the output), so the picture reads from the input side to the output side. Dashed lines mark the core's
thresholds, :data:`~nnviz.core.stats.VANISHING` and :data:`~nnviz.core.stats.EXPLODING`, with the
regions beyond them shaded; a bar beyond one is drawn in that region's colour (amber: vanishing, red:
exploding, the same "too small / too large" code as the update-ratio panel).

Below, the same statistic over the steps, one line per tensor (biases dashed), from the snapshot's
``health_history``. Every number is the core's (:class:`~nnviz.core.stats.GradientStats` and the
history arrays); the panel only takes log10 of the bars to place them.

The plot items are created when the architecture changes and updated with ``setData`` / ``setOpts``
on every frame; while the panel is hidden it only keeps the newest snapshot and draws it when shown.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal

from nnviz.core.numbers import format_magnitude
from nnviz.core.stats import EXPLODING, VANISHING
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel, cache_axes
from nnviz.gui.panels.hover import BarsAndLinesReadout
from nnviz.gui.panels.loss import step_bound, step_list
from nnviz.gui.style import SELECTED

#: the statistics the combo offers: GradientStats attribute -> (combo text, health_history suffix);
#: the texts are marked for translation and translated where shown, ``tr(text)``
STATISTICS = {
    "norm": (QT_TRANSLATE_NOOP("", "norm ‖g‖"), "grad_norm"),
    "mean_abs": (QT_TRANSLATE_NOOP("", "mean |g|"), "grad_mean_abs"),
    "max_abs": (QT_TRANSLATE_NOOP("", "max |g|"), "grad_max_abs"),
}
# "Too small" is amber and "too large" red in both insight panels: a vanishing gradient stalls a
# layer, an exploding one (like a too-high learning rate) wrecks the run.
TOO_SMALL = "#e69500"
TOO_LARGE = "#c62828"
_TOO_SMALL_BAND = "#e6950024"
_TOO_LARGE_BAND = "#c6282820"
# Sequential layer colours, light (first layer) to dark (output); none is close to the warnings.
_LAYER_RAMP = ("#8cc4e6", "#0877bd", "#0b2a5e")
_PARAM_SHORT = {"weight": "w", "bias": "b", "gate_weight": "gw", "gate_bias": "gb", "alpha": "α"}
_LEFT_AXIS_WIDTH = 48
_MOUSE_RATE = 30  # hover readouts per second at most
_MIN_LABEL_PX = 34  # narrower bars get layer labels ("L3") instead of tensor labels ("L3.w")
_BAR_WIDTH = 0.8
_LAYER_GAP = 0.6  # extra space between the groups of two layers


# -- helpers shared with the update-ratio panel ---------------------------------------------------
def layer_label(index: int, n_layers: int) -> str:
    """``"L1"``, ``"L2"``, … for the hidden layers and ``"out"`` for the last one."""
    return tr("out") if index == n_layers - 1 else f"L{index + 1}"


def tensor_label(index: int, n_layers: int, param: str) -> str:
    """``"L1.w"``, ``"L1.b"``, ``"out.w"``, … (a parameter's short name after its layer's)."""
    return f"{layer_label(index, n_layers)}.{_PARAM_SHORT.get(param, param)}"


def is_bias(param: str) -> bool:
    return param.endswith("bias")


def layer_colors(n: int) -> list[QtGui.QColor]:
    """``n`` colours of a sequential ramp, light for the first layer, dark for the last."""
    ramp = pg.ColorMap(np.linspace(0.0, 1.0, len(_LAYER_RAMP)), [QtGui.QColor(c) for c in _LAYER_RAMP])
    return [ramp.map(t, mode=pg.ColorMap.QCOLOR) for t in (np.linspace(0.0, 1.0, n) if n > 1 else [1.0])]


def legend_html(labels: list[str], colors: list[QtGui.QColor], note: str = "") -> str:
    """A one-line legend: a swatch per layer (a ramp from the first to the last when there are many)."""
    def swatch(color):
        return f"<span style='color:{color.name()}'>■</span>"

    if len(labels) <= 6:
        parts = " ".join(f"{swatch(c)}&nbsp;{name}" for name, c in zip(labels, colors))
    else:
        ramp = [colors[round(k)] for k in np.linspace(0, len(colors) - 1, min(len(colors), 8))]
        parts = f"{labels[0]}&nbsp;{''.join(swatch(c) for c in ramp)}&nbsp;{labels[-1]}"
    return parts + (f" &nbsp;&nbsp;{note}" if note else "")


def colored_html(color: str, text: str) -> str:
    return f"<span style='color:{color}'>{text}</span>"


class _LogAxis(pg.AxisItem):
    """A left axis whose view coordinate is log10 of the value: ticks at whole decades, "1e-7"."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph override)
        lo, hi = math.ceil(minVal), math.floor(maxVal)
        if hi < lo:
            return super().tickValues(minVal, maxVal, size)
        every = max(1, math.ceil((hi - lo + 1) / max(2.0, size / 22)))  # a label per ~22 px at most
        return [(float(every), [float(v) for v in range(lo, hi + 1) if v % every == 0]),
                (1.0, [float(v) for v in range(lo, hi + 1) if v % every])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        return [("1" if v == 0 else f"1e{int(round(v))}") for v in values]


class GradientFlowPanel(BarsAndLinesReadout, Panel, QtWidgets.QWidget):
    """Gradient statistics per parameter tensor of a :class:`~nnviz.core.experiment.Snapshot`:
    bars of the current values and lines of their history. Emits ``layer_clicked(index)`` when a
    bar is clicked."""

    layer_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._arch = None
        self._tensors: list[tuple[int, str]] = []  # (layer index, parameter name) per bar
        self._x = np.zeros(0)
        self._values = np.zeros(0)  # the current statistic per bar, as the core computed it
        self._layer_colors: list[QtGui.QColor] = []
        self._selected: int | None = None
        self._hover = None  # ("bar", k) or ("line", view point): the readout follows it live
        self._y_range = None
        self._x_bound = None
        self._line_range = None

        self.statistic_box = QtWidgets.QComboBox()
        for key, (text, _) in STATISTICS.items():
            self.statistic_box.addItem(tr(text), key)
        self.statistic_box.setToolTip(tr("Which statistic of each parameter's gradient to show"))
        self.statistic_box.currentIndexChanged.connect(self._on_statistic_changed)
        self.legend = QtWidgets.QLabel()
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.readout.setContentsMargins(8, 0, 8, 0)
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)

        self.view = pg.GraphicsLayoutWidget()
        self.bar_plot = self.view.addPlot(row=0, col=0, axisItems={"left": _LogAxis("left")})
        self.line_plot = self.view.addPlot(row=1, col=0, axisItems={"left": _LogAxis("left")})
        self.view.ci.layout.setRowStretchFactor(0, 3)
        self.view.ci.layout.setRowStretchFactor(1, 2)
        for plot in (self.bar_plot, self.line_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.enableAutoRange(x=False, y=False)
            plot.showGrid(y=True, alpha=0.25)
            plot.getAxis("left").setWidth(_LEFT_AXIS_WIDTH)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            cache_axes(plot)
        self.line_plot.setClipToView(True)
        self.line_plot.setLabel("bottom", tr("step"))

        # thresholds: the bands beyond them shaded, dashed lines on their edges
        low, high = math.log10(VANISHING), math.log10(EXPLODING)
        self.threshold_lines = []
        for plot in (self.bar_plot, self.line_plot):
            for edge, (lo, hi), band, color, name in (
                    (low, (low - 1000, low), _TOO_SMALL_BAND, TOO_SMALL, "vanishing"),
                    (high, (high, high + 1000), _TOO_LARGE_BAND, TOO_LARGE, "exploding")):
                # named in the legend row, not on the plot, where a label would cover bars or lines
                region = pg.LinearRegionItem((lo, hi), orientation="horizontal", movable=False,
                                             brush=pg.mkBrush(band), pen=pg.mkPen(None))
                region.setZValue(-20)
                plot.addItem(region, ignoreBounds=True)
                line = pg.InfiniteLine(edge, angle=0, movable=False,
                                       pen=pg.mkPen(color, width=1.2, style=QtCore.Qt.PenStyle.DashLine),
                                       name=name)
                line.setZValue(-10)
                plot.addItem(line, ignoreBounds=True)
                self.threshold_lines.append(line)

        self.selection_band = pg.LinearRegionItem((0, 1), orientation="vertical", movable=False,
                                                  brush=pg.mkBrush(SELECTED + "1c"),  # a faint tint behind the group
                                                  pen=pg.mkPen(None))
        self.selection_band.setZValue(-30)
        self.selection_band.hide()
        self.bar_plot.addItem(self.selection_band, ignoreBounds=True)
        self.bars = pg.BarGraphItem(x=[], y0=[], y1=[], width=_BAR_WIDTH)
        self.bar_plot.addItem(self.bars)
        self.lines: dict[str, pg.PlotDataItem] = {}  # tensor label -> its history line
        self.view.ci.layout.setContentsMargins(4, 4, 8, 4)
        self.bar_plot.getViewBox().sigResized.connect(self._update_ticks)
        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=_MOUSE_RATE,
                                           slot=self._on_mouse_moved)
        self.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)

        controls = QtWidgets.QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 0)
        label = QtWidgets.QLabel(tr("Gradient"))
        label.setBuddy(self.statistic_box)
        controls.addWidget(label)
        controls.addWidget(self.statistic_box)
        controls.addSpacing(12)
        controls.addWidget(self.legend, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.readout)
        layout.addWidget(self.view, 1)
        self._update_axis_labels()

    # -- public -----------------------------------------------------------------------------------
    @property
    def statistic(self) -> str:
        """The GradientStats attribute shown: ``"norm"``, ``"mean_abs"`` or ``"max_abs"``."""
        return self.statistic_box.currentData()

    def set_statistic(self, key: str) -> None:
        self.statistic_box.setCurrentIndex(list(STATISTICS).index(key))

    def select_layer(self, index: int | None) -> None:
        """Highlight the bars and lines of layer ``index`` (None: no highlight)."""
        self._selected = index
        self._apply_selection()
        if self._tensors:
            if self.isVisible():
                self._draw_bars(self._snapshot.health)
            else:
                self.redraw()  # the bars' outlines are drawn when the panel is shown

    @property
    def selected_layer(self) -> int | None:
        return self._selected

    # -- export -------------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title, naming the statistic shown."""
        return tr("Gradient flow — {statistic}").format(statistic=tr(STATISTICS[self.statistic][0]))

    def export_table(self) -> tuple[list[str], list[list]]:
        """The statistic shown (``statistic``: ``norm``, ``mean_abs`` or ``max_abs``) per parameter
        tensor, as ``kind, layer_index, parameter, statistic, step, value`` rows: first a ``now``
        row per bar (the current snapshot's :class:`~nnviz.core.stats.GradientStats`, ``step`` the
        snapshot's), then the ``history`` rows of each line (``health_history`` at every evaluation
        step). ``layer_index`` is 0-based, as ``layers[i]``; ``parameter`` as in the model
        (``weight``, ``bias``, …). Values are the core's, not the log10 the axes place them by.
        No rows before a snapshot."""
        header = ["kind", "layer_index", "parameter", "statistic", "step", "value"]
        snap = self._snapshot
        if snap is None:
            return header, []
        stat = self.statistic
        suffix = STATISTICS[stat][1]
        tensors = [(h, p) for h in snap.health for p in h.grads]
        rows = [["now", h.index, p, stat, snap.step, float(getattr(h.grads[p], stat))] for h, p in tensors]
        steps = step_list(snap.history["eval_step"])
        for h, p in tensors:
            values = snap.health_history.get(f"{h.index}.{p}.{suffix}")
            if values is not None and values.size == len(steps):
                rows += [["history", h.index, p, stat, step, v] for step, v in zip(steps, values.tolist())]
        return header, rows

    # -- introspection (tests, hover) ---------------------------------------------------------------
    def bar_labels(self) -> list[str]:
        n = self._arch[0] if self._arch else 0
        return [tensor_label(i, n, p) for i, p in self._tensors]

    def bar_positions(self) -> np.ndarray:
        """The x of each bar's centre (layers are set apart by a gap)."""
        return self._x.copy()

    def bar_heights(self) -> np.ndarray:
        """The tops of the drawn bars in view coordinates: log10 of the statistic (a zero reaches
        below the axis; NaN has an empty bar at the axis's bottom)."""
        return np.asarray(self.bars.opts["y1"], dtype=float).copy()

    def bar_bottom(self) -> float:
        """Where every bar starts: the bottom of the axis."""
        y0 = np.asarray(self.bars.opts["y0"], dtype=float)
        return float(y0[0]) if y0.size else math.nan

    def bar_values(self) -> np.ndarray:
        """The statistic per bar, as the core computed it."""
        return self._values.copy()

    def bar_colors(self) -> list[str]:
        """Each bar's colour as ``"#rrggbb"`` (the layer's, or amber / red beyond a threshold)."""
        brushes = self.bars.opts.get("brushes") or []
        return [QtGui.QBrush(b).color().name() for b in brushes]

    def bar_flags(self) -> list[str | None]:
        """``"vanishing"``, ``"exploding"`` or None per bar."""
        return [_flag(v) for v in self._values]

    def bar_is_selected(self) -> list[bool]:
        return [self._selected is not None and i == self._selected for i, _ in self._tensors]

    def line(self, label: str) -> pg.PlotDataItem:
        """The history line of a tensor, by its label (``"L1.w"``)."""
        return self.lines[label]

    # -- building -----------------------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        health = snapshot.health
        arch = (len(health), tuple((h.index, h.type, tuple(h.grads)) for h in health))
        if arch != self._arch:
            self._rebuild(arch)
        self._draw_bars(health)
        self._draw_lines(snapshot)
        self._render_readout()

    def _rebuild(self, arch) -> None:
        """Lay out the bars and create one line per tensor for a new architecture."""
        self._arch = arch
        n, layers = arch
        self._hover = None
        self._tensors = [(i, p) for i, _, params in layers for p in params]
        x, pos, last = [], 0.0, None
        for i, _ in self._tensors:
            if last is not None:
                pos += 1.0 + (_LAYER_GAP if i != last else 0.0)
            x.append(pos)
            last = i
        self._x = np.array(x)
        self._values = np.full(len(self._tensors), np.nan)
        self._layer_colors = layer_colors(n)
        for item in self.lines.values():
            self.line_plot.removeItem(item)
        self.lines = {}
        for i, p in self._tensors:
            style = QtCore.Qt.PenStyle.DashLine if is_bias(p) else QtCore.Qt.PenStyle.SolidLine
            item = pg.PlotDataItem(pen=pg.mkPen(self._layer_colors[i], width=1.5, style=style), connect="finite")
            item.setZValue(0 if is_bias(p) else 1)
            item.opts["autoDownsampleFactor"] = 1.0
            item.setDownsampling(auto=True, method="peak")
            self.line_plot.addItem(item)
            self.lines[tensor_label(i, n, p)] = item
        labels = [layer_label(i, n) for i in range(n)]
        weight, bias = tr("weight"), tr("bias")
        key = (f"━ {weight} &nbsp;▨ ┄ {bias} &nbsp;&nbsp;"
               if any(is_bias(p) for _, p in self._tensors) else "")
        key += (colored_html(TOO_SMALL, "┄ " + tr("vanishing &lt; {value}").format(value=format_magnitude(VANISHING)))
                + " &nbsp;"
                + colored_html(TOO_LARGE,
                               "┄ " + tr("exploding &gt; {value}").format(value=format_magnitude(EXPLODING))))
        self.legend.setText(legend_html(labels, self._layer_colors, key))
        if self._tensors:
            self.bar_plot.setXRange(self._x[0] - 0.7, self._x[-1] + 0.7, padding=0)
        self._x_bound = self._line_range = None
        self._update_ticks()
        self._apply_selection()

    def _update_ticks(self) -> None:
        """Tensor labels ("L1.w") when the bars are wide enough, else layer labels at the groups'
        centres, thinned out so that they never overlap."""
        if not self._tensors:
            self.bar_plot.getAxis("bottom").setTicks([[]])
            return
        n = self._arch[0]
        width_px = self.bar_plot.getViewBox().width()
        span = self._x[-1] - self._x[0] + 1.4
        px_per_bar = width_px / span if span > 0 else 0.0
        if px_per_bar >= _MIN_LABEL_PX:
            ticks = [(x, tensor_label(i, n, p)) for x, (i, p) in zip(self._x, self._tensors)]
        else:
            groups: dict[int, list[float]] = {}
            for x, (i, _) in zip(self._x, self._tensors):
                groups.setdefault(i, []).append(x)
            centres = [(i, float(np.mean(xs))) for i, xs in groups.items()]
            spacing = span / max(len(centres), 1) * px_per_bar  # pixels per layer
            every = max(1, math.ceil(30 / spacing)) if spacing > 0 else 1
            keep = list(range(0, len(centres), every))
            if keep[-1] != len(centres) - 1:  # always name the output layer
                if len(centres) - 1 - keep[-1] < every:
                    keep[-1] = len(centres) - 1
                else:
                    keep.append(len(centres) - 1)
            ticks = [(centres[k][1], layer_label(centres[k][0], n)) for k in keep]
        self.bar_plot.getAxis("bottom").setTicks([ticks])

    # -- drawing ------------------------------------------------------------------------------------
    def _draw_bars(self, health) -> None:
        stat = self.statistic
        by_index = {h.index: h for h in health}
        values = np.array([getattr(by_index[i].grads[p], stat) for i, p in self._tensors], dtype=float)
        self._values = values
        with np.errstate(divide="ignore", invalid="ignore"):
            tops = np.log10(values)
        finite = tops[np.isfinite(tops)]
        low, high = math.log10(VANISHING), math.log10(EXPLODING)
        lo = min(low - 1.0, math.floor(finite.min()) - 0.5 if finite.size else low)
        hi = max(high + 1.0, math.ceil(finite.max()) + 0.5 if finite.size else high)
        if (lo, hi) != self._y_range:
            self._y_range = (lo, hi)
            self.bar_plot.setYRange(lo, hi, padding=0)
        # a zero gradient reaches down past the axis (it is "infinitely" vanishing); NaN: no bar
        shown = np.where(np.isneginf(tops), lo - 1.0, tops)
        shown = np.where(np.isfinite(shown), shown, lo)
        brushes, pens = [], []
        for (i, p), v in zip(self._tensors, values):
            flag = _flag(v)
            color = QtGui.QColor(TOO_SMALL if flag == "vanishing" else TOO_LARGE if flag == "exploding"
                                 else self._layer_colors[i])
            if is_bias(p):
                brushes.append(QtGui.QBrush(color, QtCore.Qt.BrushStyle.BDiagPattern))
            else:
                brushes.append(QtGui.QBrush(color))
            selected = self._selected == i
            pens.append(pg.mkPen(SELECTED if selected else color, width=2.5 if selected else 1))
        self.bars.setOpts(x=self._x, y0=np.full(len(shown), lo), y1=shown, width=_BAR_WIDTH,
                          brushes=brushes, pens=pens)

    def _draw_lines(self, snapshot) -> None:
        h = snapshot.health_history
        steps = snapshot.history["eval_step"]
        suffix = STATISTICS[self.statistic][1]
        n = self._arch[0]
        ys = []
        for i, p in self._tensors:
            y = h.get(f"{i}.{p}.{suffix}")
            if y is None or y.size != steps.size:
                y = np.full(steps.size, np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                self.lines[tensor_label(i, n, p)].setData(steps, np.log10(y))
            ys.append(y)
        self._fit_line_ranges(steps, ys)

    def _fit_line_ranges(self, steps, ys) -> None:
        """Steps from 0 to the next round bound; whole decades around the data (at least two)."""
        if steps.size:
            bound = step_bound(float(steps[-1]))
            if bound != self._x_bound:
                self._x_bound = bound
                self.line_plot.setXRange(0.0, bound, padding=0.02)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = [np.log10(y[np.isfinite(y) & (y > 0)]) for y in ys]
        logs = [v for v in logs if v.size]
        if not logs:
            return
        lo = math.floor(min(float(v.min()) for v in logs))
        hi = math.ceil(max(float(v.max()) for v in logs))
        if hi - lo < 2:
            lo, hi = lo - (2 - (hi - lo)) // 2 - (2 - (hi - lo)) % 2, hi + (2 - (hi - lo)) // 2
        if (lo, hi) != self._line_range:
            self._line_range = (lo, hi)
            self.line_plot.setYRange(lo, hi, padding=0.1)  # room for the end labels

    def _apply_selection(self) -> None:
        """The selection band and the lines' pens (the bars' outlines are drawn with the bars)."""
        sel = self._selected
        xs = [x for x, (i, _) in zip(self._x, self._tensors) if i == sel]
        if xs:
            self.selection_band.setRegion((min(xs) - 0.5 - _LAYER_GAP / 2, max(xs) + 0.5 + _LAYER_GAP / 2))
            self.selection_band.show()
        else:
            self.selection_band.hide()
        n = self._arch[0] if self._arch else 0
        for i, p in self._tensors:
            item = self.lines[tensor_label(i, n, p)]
            style = QtCore.Qt.PenStyle.DashLine if is_bias(p) else QtCore.Qt.PenStyle.SolidLine
            if i == sel:
                item.setPen(pg.mkPen(SELECTED, width=2.5, style=style))
                item.setZValue(5)
            else:
                item.setPen(pg.mkPen(self._layer_colors[i], width=1.5, style=style))
                item.setZValue(0 if is_bias(p) else 1)

    def _update_axis_labels(self) -> None:
        text = tr(STATISTICS[self.statistic][0])
        self.bar_plot.setLabel("left", text)
        self.line_plot.setLabel("left", text)

    def _show_summary(self) -> None:
        """Name what is wrong, if anything; the hover readout replaces this while the mouse moves."""
        labels = self.bar_labels()
        flags = self.bar_flags()
        small = [lab for lab, f in zip(labels, flags) if f == "vanishing"]
        large = [lab for lab, f in zip(labels, flags) if f == "exploding"]
        bad = [lab for lab, v in zip(labels, self._values) if not math.isfinite(v)]
        vanishing, exploding = format_magnitude(VANISHING), format_magnitude(EXPLODING)
        parts = []
        if small:
            parts.append(colored_html(TOO_SMALL, tr("vanishing (&lt; {value}): {layers}").format(
                value=vanishing, layers=short_list(small))))
        if large:
            parts.append(colored_html(TOO_LARGE, tr("exploding (&gt; {value}): {layers}").format(
                value=exploding, layers=short_list(large))))
        if bad:
            parts.append(colored_html(TOO_LARGE, tr("not finite: {layers}").format(layers=short_list(bad))))
        if not parts and labels:
            parts.append(tr("all gradients between {low} and {high}").format(low=vanishing, high=exploding))
        self.readout.setText(" &nbsp;".join(parts) or " ")

    def show_readout_for_bar(self, k: int) -> None:
        """Write the numbers of bar ``k`` (what hovering over it does)."""
        snapshot = self._snapshot
        if snapshot is None or not 0 <= k < len(self._tensors):
            return
        i, p = self._tensors[k]
        h = next(h for h in snapshot.health if h.index == i)
        g = h.grads[p]
        text = [f"<b>{self.bar_labels()[k]}</b> ({p}, {h.type} {h.activation})"]
        for key, (name, _) in STATISTICS.items():
            name = tr(name)
            value = format_magnitude(getattr(g, key))
            text.append(f"<b>{name} {value}</b>" if key == self.statistic else f"{name} {value}")
        if g.vanishing:
            text.append(colored_html(TOO_SMALL, tr("vanishing")))
        if g.exploding:
            text.append(colored_html(TOO_LARGE, tr("exploding")))
        self.readout.setText(" · ".join(text))

    # -- slots and events -----------------------------------------------------------------------------
    def _on_statistic_changed(self, _index: int) -> None:
        self._update_axis_labels()
        self._line_range = None
        self.redraw()

    def _bar_at(self, scene_pos) -> int | None:
        vb = self.bar_plot.getViewBox()
        if not self._tensors or not vb.sceneBoundingRect().contains(scene_pos):
            return None
        x = vb.mapSceneToView(scene_pos).x()
        k = int(np.argmin(np.abs(self._x - x)))
        return k if abs(self._x[k] - x) <= 0.5 else None

    def _show_line_value(self, label: str, j: int) -> None:
        steps = self._snapshot.history["eval_step"]
        i, p = self._tensors[list(self.lines).index(label)]
        value = float(self._snapshot.health_history[f"{i}.{p}.{STATISTICS[self.statistic][1]}"][j])
        name = tr(STATISTICS[self.statistic][0])
        step = tr("step {step}").format(step=f"{int(steps[j]):,}")
        self.readout.setText(f"<b>{step}</b> · {label} {name} {format_magnitude(value)}")

    def _on_mouse_clicked(self, event) -> None:
        k = self._bar_at(event.scenePos())
        if k is not None:
            index = self._tensors[k][0]
            self.select_layer(index)
            self.layer_clicked.emit(index)


def _flag(value: float) -> str | None:
    """The core's thresholds applied to the shown statistic (for the norm: GradientStats' flags)."""
    if value < VANISHING:
        return "vanishing"
    if value > EXPLODING:
        return "exploding"
    return None


def short_list(labels: list[str], most: int = 4) -> str:
    return ", ".join(labels) if len(labels) <= most else ", ".join(labels[:most]) + f" … (+{len(labels) - most})"


def deep_sigmoid_document(layers: int = 12, units: int = 8) -> dict:
    """A net that fails: many sigmoid layers, whose gradients vanish towards the input."""
    from nnviz.core.experiment import default_document

    doc = default_document()
    doc["name"] = f"{layers} sigmoid layers"
    doc["layers"] = [{"type": "dense", "units": units, "activation": "sigmoid"} for _ in range(layers)] + \
                    [{"type": "dense", "units": 1, "activation": "sigmoid"}]
    return doc


def demo_snapshot(document: dict | None = None, rounds: int = 30, steps: int = 50):
    """A real snapshot with a history: ``rounds`` × ``steps`` steps, one evaluation per round."""
    from nnviz.core.experiment import DataConfig, Experiment

    exp = Experiment(document, DataConfig())
    exp.run_evaluated(rounds * steps, every=steps)
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the gradient-flow panel alone on a real run.")
    parser.add_argument("--failing", action="store_true", help="12 sigmoid layers: vanishing gradients")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    snapshot = demo_snapshot(deep_sigmoid_document() if args.failing else None)
    sys.exit(show_alone(GradientFlowPanel, f"gradient flow ({snapshot.model_name})", snapshot, save=args.save))
