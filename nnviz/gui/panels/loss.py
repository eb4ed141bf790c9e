"""The loss panel: train and test loss over the steps, with accuracy and learning rate below.

Three plots share the step axis: the losses (evaluations of the train and test sets at each
snapshot, of a fixed sample of a larger set as the legend then says, and the faint per-step batch
loss), the train and test accuracy (classification only)
and the learning rate. Every series is a ``PlotDataItem`` created once and fed the snapshot's
history arrays with ``setData``; with peak downsampling and clip-to-view a history of a million
steps draws a few thousand points. The smoothing and the ranges are extended by each frame's new
points (:class:`_Series`), not computed again over the whole history. Hovering shows the numbers
at the step under the mouse, until a new run begins (a Reset, other data or layers, another model):
then the readout is cleared, for its numbers belong to a history that is gone. The crosshairs are
never part of an exported figure.

The axes are the expensive part of a frame: an axis whose range moves, even by a pixel, lays out
its ticks, labels and grid again. So the panel sets the ranges itself instead of letting pyqtgraph
fit them to the data on every frame: the step axis ends at the next round number ahead of the
training (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), the loss axis at the nearest
lines of a fine grid outside the data, so that a range changes only now and then, and the axes are
cached as pixmaps between those changes. Once the user pans or zooms an axis, it stays where the
user put it.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP

from nnviz.core.numbers import format_significant
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel, cache_axes
from nnviz.gui.panels.sample import sample_note
from nnviz.gui.style import GRID_LINE, LR_COLOR, SELECTED, TEST_COLOR, TEXT, TRAIN_COLOR

BATCH_COLOR = "#7fa7c9"  # a pale Playground blue: many noisy points, drawn faintly
_LEFT_AXIS_WIDTH = 52  # the same for the three plots, so their steps line up
_MOUSE_RATE = 30  # hover readouts per second at most (SignalProxy keeps only the newest position)
_STEP_BOUNDS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # times a power of ten
_STEP_PADDING = 0.02  # of the step range, on either side
_Y_PADDING = 0.03  # of the data's range, above and below, before rounding out to the grid
_Y_GRID = 10  # the loss range ends on multiples of (tick spacing / _Y_GRID)
READOUT_HINT = QT_TRANSLATE_NOOP("", "Hover over the plots to read the values")  # tr() at use
BRANCH_COLORS = ("#616161", "#8d6e63", "#546e7a")  # earlier courses of the run, which branches left
BRANCH_SMOOTHING = 0.9  # the least smoothing of an earlier course's batch loss
VIEW_DELAY_MS = 60  # while the timeline is dragged, the newest step is asked for at most this often
LEGEND_CORNERS = ("top-right", "bottom-right", "top-left", "bottom-left")  # in order of preference
LEGEND_SAMPLE = 2000  # points per curve looked at when placing the legend


def ema(values: np.ndarray, alpha: float, start: float | None = None, gaps: np.ndarray | None = None) -> np.ndarray:
    """Exponential moving average ``s[i] = alpha * s[i-1] + (1 - alpha) * x[i]``, from ``s[-1] =
    start`` (None: ``x[0]``, so that ``s[0] = x[0]``; a number: the average of the points before).

    ``gaps``: the steps from the point before to each point (None: 1 each). A point ``g`` steps on
    stands for ``g`` steps of its value, ``s[i] = alpha**g * s[i-1] + (1 - alpha**g) * x[i]``, so a
    decimated history (a row per bucket of steps) is smoothed over as many steps as a whole one.

    Non-finite values (a missing test set, a diverged step) are left where they are and skipped by
    the average (their gaps go to the next point). ``alpha`` 0 returns ``values``. NumPy only:
    scipy.signal, half a second of start-up to import, is not needed for one filter.
    """
    values = np.asarray(values, dtype=np.float64)
    if alpha <= 0 or values.size == 0:
        return values
    finite = np.isfinite(values)
    all_finite = bool(finite.all())
    x = values if all_finite else values[finite]
    if x.size == 0:
        return values
    start = x[0] if start is None else start
    if gaps is not None and not all_finite:
        gaps = np.diff(np.cumsum(gaps)[finite], prepend=0.0)
    if gaps is None or np.all(gaps == 1):
        smooth = _ema_scan(x, alpha, start)
    else:
        smooth = _ema_scan_gaps(x, alpha ** np.asarray(gaps, dtype=np.float64), start)
    if all_finite:
        return smooth
    out = np.full_like(values, np.nan)
    out[finite] = smooth
    return out


def _ema_scan(x: np.ndarray, alpha: float, start: float) -> np.ndarray:
    """The average of finite ``x`` as a prefix scan: after the pass with shift ``k`` each point holds
    the sum of its last ``2k`` terms, so log2(len) passes of whole-array NumPy (fewer once
    ``alpha ** k`` underflows to 0) instead of a loop over the points. The same numbers as the
    recursion to a few units in the last place (tests/gui/test_loss_panel.py)."""
    s = (1.0 - alpha) * x
    s[0] += alpha * start
    shift, factor = 1, alpha
    while shift < s.size and factor > 0.0:
        s[shift:] += factor * s[:-shift]  # the right side is computed first: the previous pass's sums
        shift, factor = 2 * shift, factor * factor
    return s


def _ema_scan_gaps(x: np.ndarray, weights: np.ndarray, start: float) -> np.ndarray:
    """:func:`_ema_scan` with a weight of the past per point, ``s[i] = w[i] * s[i-1] + (1 - w[i]) * x[i]``:
    ``weights`` becomes, pass by pass, the product of the weights of the terms each sum spans."""
    s = (1.0 - weights) * x
    s[0] += weights[0] * start
    shift = 1
    while shift < s.size and weights[shift:].any():
        s[shift:] += weights[shift:] * s[:-shift]
        weights[shift:] *= weights[:-shift]  # NumPy buffers the overlap: the previous pass's products
        shift *= 2
    return s


class _Series:
    """One history series as drawn: its average with the panel's smoothing, extended by the new
    points alone while the series only grows (a frame's cost does not grow with the history), and
    the finite range of what is drawn. Arrays handed out are views of a buffer that only grows."""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        """Forget the series (a new run)."""
        self._alpha: float | None = None
        self._ends: tuple = ()  # the raw values' length, first and last (and last step): to know them again
        self._buffer = np.empty(0)
        self._size = 0
        self._last: float | None = None  # the last finite drawn value, where the average goes on
        self._last_step: float | None = None  # its step (with ``steps``)
        self._range = (math.inf, -math.inf)
        self._positive_range = (math.inf, -math.inf)

    def drawn(self, values: np.ndarray, alpha: float, steps: np.ndarray | None = None) -> np.ndarray:
        """``ema(values, alpha)`` (over the steps between points, with ``steps``: see :func:`ema`),
        computed for the points not seen before when ``values`` extends the series last given with
        the same ``alpha``, else afresh."""
        values = np.asarray(values, dtype=np.float64)
        ends = () if not values.size else (values.size, values[0], values[-1],
                                           None if steps is None else steps[-1])
        if alpha != self._alpha or not self._extended_by(values, steps):
            self.clear()
            self._alpha = alpha
        tail_steps = None if steps is None else np.asarray(steps[self._size:], dtype=np.float64)
        gaps = None
        if tail_steps is not None and tail_steps.size:
            before = tail_steps[0] - 1 if self._last_step is None else self._last_step
            gaps = np.diff(tail_steps, prepend=before)
        tail = ema(values[self._size:], alpha, self._last, gaps)
        self._append(tail, tail_steps)
        self._ends = ends
        return self._buffer[:self._size]

    def bounds(self, log: bool = False) -> tuple[float, float] | None:
        """Smallest and largest finite drawn value (with ``log``: of the positive ones, as log10),
        or None when there is none."""
        lo, hi = self._positive_range if log else self._range
        if lo > hi:
            return None
        return (math.log10(lo), math.log10(hi)) if log else (lo, hi)

    def _extended_by(self, values: np.ndarray, steps: np.ndarray | None) -> bool:
        if not self._ends:
            return True
        size, first, last, last_step = self._ends
        return (values.size >= size and _same(values[0], first) and _same(values[size - 1], last)
                and (steps is None or _same(steps[size - 1], last_step)))

    def _append(self, tail: np.ndarray, tail_steps: np.ndarray | None) -> None:
        end = self._size + tail.size
        if end > self._buffer.size:
            grown = np.empty(max(end, 2 * self._buffer.size, 1024))
            grown[:self._size] = self._buffer[:self._size]
            self._buffer = grown
        self._buffer[self._size:end] = tail
        self._size = end
        finite_at = np.flatnonzero(np.isfinite(tail))
        if finite_at.size:
            finite = tail[finite_at]
            self._last = float(finite[-1])
            if tail_steps is not None:
                self._last_step = float(tail_steps[finite_at[-1]])
            self._range = _widened(self._range, finite)
            positive = finite[finite > 0]
            if positive.size:
                self._positive_range = _widened(self._positive_range, positive)


def _same(a: float, b: float) -> bool:
    """Equal, NaN equal to NaN."""
    return a == b or (a != a and b != b)


def _widened(bounds: tuple[float, float], values: np.ndarray) -> tuple[float, float]:
    return min(bounds[0], float(values.min())), max(bounds[1], float(values.max()))


def step_list(steps: np.ndarray) -> list:
    """Step numbers (the core keeps them as floats) as Python ints for a table, floats if one is
    not whole."""
    steps = np.asarray(steps, dtype=np.float64)
    return steps.astype(np.int64).tolist() if np.array_equal(steps, np.round(steps)) else steps.tolist()


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round spacing (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / ticks
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=10 * power)


def step_bound(last: float) -> float:
    """Where the step axis ends: the smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of
    ten that is at least ``last``. The curves fill at least three quarters of the width, and the
    axis changes about ten times per decade of steps instead of on every frame."""
    if not math.isfinite(last) or last <= 1.0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(last))
    return next(m * power for m in _STEP_BOUNDS if m * power >= last * (1 - 1e-12))


def snapped_range(lo: float, hi: float) -> tuple[float, float]:
    """``[lo, hi]`` padded and rounded out to a grid a tenth of the tick spacing: the range stays
    the same while new data fall inside it."""
    span = hi - lo
    if not span > 0:
        span = abs(hi) if hi else 1.0
    grid = _nice_step(span) / _Y_GRID
    return (math.floor((lo - _Y_PADDING * span) / grid) * grid,
            math.ceil((hi + _Y_PADDING * span) / grid) * grid)


def _compact(value: float) -> str:
    """Step numbers for the axis: 500, 2.5k, 1M (not 1e+06)."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.6g}{suffix}"
    return f"{value:.6g}"


class _StepAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):  # Qt-style override name, required by pyqtgraph
        return [_compact(v * scale) for v in values]


class _LossAxis(pg.AxisItem):
    """In log mode, label only 1, 2 and 5 times a power of ten (not every minor tick)."""

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        strings = []
        for v in values:
            value = 10.0 ** v
            mantissa = value / 10.0 ** math.floor(math.log10(value) + 1e-9)
            keep = any(abs(mantissa - m) < 1e-6 for m in (1.0, 2.0, 5.0))
            strings.append(f"{value:.6g}" if keep else "")
        return strings


class _PercentAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):
        return [f"{100 * v * scale:.0f}%" for v in values]


def _span(color: str, text: str) -> str:
    return f'<span style="color:{color}">{text}</span>'


class LossPanel(Panel, QtWidgets.QWidget):
    """Loss, accuracy and learning rate over the training steps.

    Items for inspection: ``batch_curve``, ``train_curve``, ``test_curve`` (loss plot),
    ``train_accuracy_curve``, ``test_accuracy_curve`` (accuracy plot), ``lr_curve`` (lr plot),
    ``crosshairs`` (one InfiniteLine per plot), ``readout`` (QLabel with the hovered numbers),
    ``shown_plots`` (the plots in the layout, top to bottom);
    controls ``batch_loss_box``, ``log_y_box``, ``smoothing_slider`` (0–99, hundredths).

    The timeline row under the plots: ``timeline_slider`` over the steps the run's timeline holds,
    ``live_button`` and ``branch_button``; moving it emits ``view_requested(step)`` (None at the
    present), Branch here… ``branch_requested(step)``. A snapshot of a past step (``live_step``
    set) puts the slider there and a line across the plots; the run's earlier courses (its
    ``branches``) are dashed grey curves named at their ends.
    """

    #: the person moved the timeline: show this step of the run (None: the present)
    view_requested = QtCore.Signal(object)
    #: the person asked to branch the run at this step (Branch here…)
    branch_requested = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._history: dict[str, np.ndarray] | None = None
        self._viewed: int | None = None  # the past step shown (the timeline), None for the present
        self._live_step = 0
        self._timeline_start = 0
        self._branch_items: list = []  # curves and labels of the earlier courses
        self._branches: tuple = ()
        self._run: int | None = None  # the run whose history is drawn (a new run clears the readout)
        self._task: str | None = None
        self._has_test = True
        # the panel fits the step and loss ranges to the data until the user pans or zooms them
        self._follow_x = True
        self._follow_y = True
        self._lr_top: float | None = None
        # the history's series as drawn, kept between frames so that a frame only adds its new points
        self._series = {key: _Series() for key in ("loss", "train_loss", "test_loss", "train_accuracy",
                                                  "test_accuracy", "lr")}

        self.batch_loss_box = QtWidgets.QCheckBox(tr("Batch loss"))
        self.batch_loss_box.setToolTip(tr("The loss of every training batch (noisy), drawn faintly"))
        self.batch_loss_box.setChecked(True)
        self.batch_loss_box.toggled.connect(self._on_batch_loss_toggled)
        self.log_y_box = QtWidgets.QCheckBox(tr("Log y"))
        self.log_y_box.toggled.connect(self._on_log_y_toggled)
        self.smoothing_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setToolTip(tr("Exponential moving average of the losses and accuracies"))
        self.smoothing_slider.setMaximumWidth(160)
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_changed)
        self.smoothing_label = QtWidgets.QLabel()
        self.smoothing_label.setMinimumWidth(32)
        self.readout = QtWidgets.QLabel(tr(READOUT_HINT))
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        # The readout reads as part of the plots: their background and text colour, whatever the
        # desktop's palette (the coloured numbers in it are chosen for the plots' background).
        plot_background = pg.mkColor(pg.getConfigOption("background")).name()
        self.readout.setStyleSheet(f"color: {TEXT}; background: {plot_background}; padding: 0px 6px;")
        # A long readout must not widen the panel: let the label be cut instead.
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)

        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setContentsMargins(2, 2, 6, 2)
        self.view.ci.setSpacing(0)
        self.loss_plot = pg.PlotItem(axisItems={"bottom": _StepAxis("bottom"), "left": _LossAxis("left")})
        self.accuracy_plot = pg.PlotItem(axisItems={"bottom": _StepAxis("bottom"),
                                                    "left": _PercentAxis("left")})
        self.lr_plot = pg.PlotItem(axisItems={"bottom": _StepAxis("bottom")})
        self._plots = (self.loss_plot, self.accuracy_plot, self.lr_plot)
        for plot in self._plots:
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.getAxis("left").setWidth(_LEFT_AXIS_WIDTH)
            for name in ("left", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)  # "loss (x0.001)" reads badly
            cache_axes(plot)
            plot.enableAutoRange(x=False)  # the loss plot's x range is set in _fit_ranges
            if plot is not self.loss_plot:
                plot.setXLink(self.loss_plot)
                plot.getViewBox().setMouseEnabled(x=True, y=False)
            plot.getViewBox().sigRangeChangedManually.connect(
                lambda mask, plot=plot: self._on_range_changed_manually(plot, mask))
        self.loss_plot.enableAutoRange(y=False)
        self.loss_plot.setLabel("left", tr("loss"))
        self.accuracy_plot.setLabel("left", tr("acc"))
        self.accuracy_plot.getAxis("left").setTicks([[(0.0, "0%"), (0.5, "50%"), (1.0, "100%")]])
        # Room above 100% and below 0%: an axis label reaching past the plot is not drawn.
        self.accuracy_plot.setYRange(0.0, 1.0, padding=0.15)
        self.accuracy_plot.enableAutoRange(y=False)
        self.lr_plot.setLabel("left", tr("lr"))
        for plot in self._plots:  # a plot too short for its axis title goes without it
            plot.getViewBox().sigResized.connect(lambda _box, plot=plot: self._fit_axis_title(plot))

        legend = self.loss_plot.addLegend(offset=(-8, 4), labelTextSize="8pt", verSpacing=-6,
                                          brush=pg.mkBrush("#ffffffcc"), pen=pg.mkPen(GRID_LINE))
        self.legend = legend
        self._legend_corner = LEGEND_CORNERS[0]
        self.batch_curve = self._curve(self.loss_plot, pg.mkPen(BATCH_COLOR, width=1), tr("batch loss"))
        self.train_curve = self._curve(self.loss_plot, pg.mkPen(TRAIN_COLOR, width=2), tr("train loss"))
        self.test_curve = self._curve(self.loss_plot, pg.mkPen(TEST_COLOR, width=2), tr("test loss"))
        self.train_accuracy_curve = self._curve(self.accuracy_plot, pg.mkPen(TRAIN_COLOR, width=2))
        self.test_accuracy_curve = self._curve(self.accuracy_plot, pg.mkPen(TEST_COLOR, width=2))
        self.lr_curve = self._curve(self.lr_plot, pg.mkPen(LR_COLOR, width=1.5))
        self.batch_curve.setZValue(-1)
        self._cache_legend()
        self.crosshairs = []
        for plot in self._plots:
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(TEXT, width=1, style=QtCore.Qt.PenStyle.DotLine))
            line.hide()
            line.hover_readout = True  # what the pointer is over: left out of exported figures
            plot.addItem(line, ignoreBounds=True)
            self.crosshairs.append(line)
        self.view_lines = []  # the past step shown, across the plots
        for plot in self._plots:
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(SELECTED, width=1.5))
            line.hide()
            plot.addItem(line, ignoreBounds=True)
            self.view_lines.append(line)
        self._arrange(accuracy=True)
        # The proxy keeps only the newest mouse position and calls the slot at most _MOUSE_RATE
        # times a second, so hovering over a million points never queues up work.
        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=_MOUSE_RATE,
                                           slot=self._on_mouse_moved)

        # the timeline: drag to any past step (every panel shows it), back to the present, branch
        self.timeline_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        timeline_text = tr("Timeline")
        self.timeline_slider.setAccessibleName(timeline_text)
        self.timeline_slider.setToolTip(tr("Drag to see any past step of the run in every panel"))
        self.timeline_slider.setRange(0, 0)
        self.timeline_slider.valueChanged.connect(self._on_timeline_moved)
        self.timeline_label = QtWidgets.QLabel(timeline_text)
        self.timeline_label.setBuddy(self.timeline_slider)
        self.timeline_step = QtWidgets.QLabel("")
        self._step_digits = 0  # the label is as wide as "step N of N" for the live step N (steady while dragging)
        self.live_button = QtWidgets.QPushButton(tr("Live"))
        self.live_button.setAccessibleName(self.live_button.text())
        self.live_button.setToolTip(tr("Show the run as it is now"))
        self.live_button.clicked.connect(lambda: self._request_view(None))
        self.branch_button = QtWidgets.QPushButton(tr("Branch here…"))
        self.branch_button.setAccessibleName(self.branch_button.text())
        self.branch_button.setToolTip(tr("Go back to this step, change a setting and train on from here "
                                         "(the course the run took stays on the plot)"))
        self.branch_button.clicked.connect(lambda: self.branch_requested.emit(self._viewed))
        self._view_timer = QtCore.QTimer(self)  # a drag sends the newest step, a few times a second
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(VIEW_DELAY_MS)
        self._view_timer.timeout.connect(lambda: self._request_view(self._wanted))
        self._wanted: int | None = None
        self._setting_slider = False
        timeline = QtWidgets.QHBoxLayout()
        timeline.setContentsMargins(6, 0, 6, 2)
        timeline.addWidget(self.timeline_label)
        timeline.addWidget(self.timeline_slider, 1)
        timeline.addWidget(self.timeline_step)
        timeline.addWidget(self.live_button)
        timeline.addWidget(self.branch_button)
        self._show_timeline_state()

        controls = QtWidgets.QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 0)
        controls.addWidget(self.batch_loss_box)
        controls.addWidget(self.log_y_box)
        controls.addSpacing(12)
        label = QtWidgets.QLabel(tr("Smoothing"))
        label.setBuddy(self.smoothing_slider)
        controls.addWidget(label)
        controls.addWidget(self.smoothing_slider)
        controls.addWidget(self.smoothing_label)
        controls.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.readout)
        layout.addWidget(self.view, 1)
        layout.addLayout(timeline)
        self._on_smoothing_changed(self.smoothing_slider.value())

    @staticmethod
    def _curve(plot: pg.PlotItem, pen, name: str | None = None) -> pg.PlotDataItem:
        item = pg.PlotDataItem(pen=pen, name=name, connect="finite")  # NaN (no test set): gaps
        # Peak downsampling to the minimum and maximum of each pixel column (pyqtgraph's default
        # keeps five points a pixel): the same picture, a fifth of the segments to antialias.
        item.opts["autoDownsampleFactor"] = 1.0
        if pen.widthF() >= 2:
            # Separate segments, not one stroked path: Qt outlines a wide antialiased polyline as a
            # whole, which grows steeply with its points and turns (a zig-zag of 1,000 points: 80
            # ms against 2 ms as segments). Round caps fill the joints that segments leave open.
            pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
            item.setPen(pen)
            item.curve.setSegmentedLineMode("on")
        plot.addItem(item)
        return item

    def _arrange(self, accuracy: bool) -> None:
        """Stack the plots (the accuracy plot only for classification); only the lowest one shows
        the step axis."""
        ci = self.view.ci
        for plot in self._plots:
            if plot.scene() is not None:
                ci.removeItem(plot)
        shown = [self.loss_plot] + ([self.accuracy_plot] if accuracy else []) + [self.lr_plot]
        for row, plot in enumerate(shown):
            ci.addItem(plot, row=row, col=0)
            ci.layout.setRowStretchFactor(row, 5 if plot is self.loss_plot else 2)
            last = plot is shown[-1]
            plot.showAxis("bottom", True)
            plot.getAxis("bottom").setStyle(showValues=last)
            plot.getAxis("bottom").setHeight(None if last else 4)
            if last:
                plot.setLabel("bottom", tr("step"))
            else:
                plot.getAxis("bottom").showLabel(False)
        self.shown_plots = shown

    @staticmethod
    def _fit_axis_title(plot) -> None:
        """Show ``plot``'s left axis title only where it fits along the plot ("准确率" is taller,
        turned on its side, than a short accuracy row): else it would run into its neighbours'."""
        axis = plot.getAxis("left")
        fits = axis.label.boundingRect().width() <= plot.getViewBox().height() + 6
        if fits != axis.label.isVisible():
            axis.showLabel(fits)

    # -- public -----------------------------------------------------------------------------------
    @property
    def smoothing(self) -> float:
        """The EMA weight of the past, 0 (none) … 0.99."""
        return self.smoothing_slider.value() / 100.0

    def _draw_snapshot(self, snapshot) -> None:
        if snapshot.task != self._task:
            self._task = snapshot.task
            self._arrange(accuracy=snapshot.task == "classification")
        self._history = snapshot.history
        if snapshot.run != self._run:
            self._run = snapshot.run
            self.clear_readout()
            for series in self._series.values():
                series.clear()
        has_test = snapshot.raw_test is not None
        if has_test != self._has_test:
            self._has_test = has_test
            if has_test:
                self.legend.addItem(self.test_curve, tr("test loss"))
                self._cache_legend()
            else:
                self.legend.removeItem(self.test_curve)
        self._name_losses(snapshot)
        self._viewed = snapshot.step if snapshot.live_step is not None else None
        self._live_step = snapshot.live_step if snapshot.live_step is not None else snapshot.step
        if snapshot.branches != self._branches:
            self._branches = snapshot.branches
            self._draw_branches()
        self._draw()
        self._show_timeline_state()

    # -- the timeline -----------------------------------------------------------------------------
    @property
    def viewed_step(self) -> int | None:
        """The past step the panels show (the timeline), None while they show the present."""
        return self._viewed

    def set_timeline_start(self, step: int) -> None:
        """The earliest step the timeline can go back to (where the run started, or was opened)."""
        self._timeline_start = int(step)
        self._show_timeline_state()

    def _show_timeline_state(self) -> None:
        """The slider at the step shown, over the steps the timeline holds; the step named; Live and
        Branch here… only for a past step; the line across the plots at it."""
        self._setting_slider = True
        try:
            self.timeline_slider.setRange(min(self._timeline_start, self._live_step), self._live_step)
            self.timeline_slider.setValue(self._live_step if self._viewed is None else self._viewed)
        finally:
            self._setting_slider = False
        past = self._viewed is not None
        digits = len(f"{self._live_step:,}")
        if digits != self._step_digits:  # room for any step of the run so far, no more (the slider has the rest)
            self._step_digits = digits
            widest = tr("step {step} of {last}").format(step="8" * digits, last="8" * digits)
            self.timeline_step.setMinimumWidth(QtGui.QFontMetrics(self.timeline_step.font()).horizontalAdvance(widest))
        self.timeline_step.setText(
            tr("step {step} of {last}").format(step=f"{self._viewed:,}", last=f"{self._live_step:,}") if past
            else tr("now"))
        self.live_button.setEnabled(past)
        self.branch_button.setEnabled(past)
        self.timeline_slider.setEnabled(self._live_step > self._timeline_start)
        for line in self.view_lines:
            line.setVisible(past)
            if past:
                line.setValue(self._viewed)

    def _on_timeline_moved(self, value: int) -> None:
        if self._setting_slider:
            return
        self._wanted = None if value >= self._live_step else int(value)
        if not self._view_timer.isActive():
            self._view_timer.start()

    def _request_view(self, step: int | None) -> None:
        self._view_timer.stop()
        self.view_requested.emit(step)

    def _draw_branches(self) -> None:
        """The earlier courses the run's branches left: dashed curves of their batch loss, smoothed
        (at least BRANCH_SMOOTHING: two noisy batch losses over each other read as one), each named
        in the legend by what it was."""
        for curve, _ in self._branch_items:
            self.legend.removeItem(curve)
            self.loss_plot.removeItem(curve)
        self._branch_items = []
        alpha = max(self.smoothing, BRANCH_SMOOTHING)
        for k, course in enumerate(self._branches):
            style = QtCore.Qt.PenStyle.DashLine if k % 2 == 0 else QtCore.Qt.PenStyle.DashDotLine
            pen = pg.mkPen(BRANCH_COLORS[k % len(BRANCH_COLORS)], width=1.5, style=style)
            curve = pg.PlotDataItem(course.step, ema(np.asarray(course.loss, dtype=float), alpha), pen=pen,
                                    connect="finite")
            curve.setZValue(-0.5)
            self.loss_plot.addItem(curve)
            name = tr("{course} (left at step {step})").format(course=course.label, step=f"{course.start:,}")
            self.legend.addItem(curve, name)
            self._branch_items.append((curve, name))
        self._cache_legend()
        self._fit_legend()

    def branch_curves(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """The earlier courses drawn: ``(legend name, steps, smoothed losses)`` (for tests)."""
        return [(name, curve.xData, curve.yData) for curve, name in self._branch_items]

    def show_readout_at(self, step: float) -> None:
        """Put the crosshair at ``step`` and write the numbers there (what hovering does)."""
        h = self._history
        if h is None or (h["step"].size == 0 and h["eval_step"].size == 0):
            return
        parts = []
        x = step
        if h["step"].size:
            i = self._nearest(h["step"], step)
            x = float(h["step"][i])
            parts.append("<b>" + tr("step {step}").format(step=f"{int(x):,}") + "</b>")
            if self.batch_loss_box.isChecked():
                parts.append(_span(BATCH_COLOR, tr("batch {value}").format(value=format_significant(h["loss"][i]))))
            parts.append(_span(LR_COLOR, tr("lr {value}").format(value=format_significant(h["lr"][i]))))
        if h["eval_step"].size:
            j = self._nearest(h["eval_step"], step)
            at = int(h["eval_step"][j])
            if not h["step"].size:
                x = float(at)
                parts.append("<b>" + tr("step {step}").format(step=f"{at:,}") + "</b>")
            evals = [_span(TRAIN_COLOR, tr("train loss {value}").format(value=format_significant(h["train_loss"][j])))]
            if self._has_test:
                test_loss = tr("test loss {value}").format(value=format_significant(h["test_loss"][j]))
                evals.append(_span(TEST_COLOR, test_loss))
            if self._task == "classification":
                acc = tr("acc {value}%").format(value=format_significant(100 * h["train_accuracy"][j]))
                if self._has_test:
                    acc += f" / {format_significant(100 * h['test_accuracy'][j])}%"
                evals.append(acc)
            where = "" if int(x) == at else " " + tr("(eval @ {step})").format(step=f"{at:,}")
            parts.append(" · ".join(evals) + where)
        self.readout.setText(" &nbsp;".join(parts))
        for line in self.crosshairs:
            line.setPos(x)
            line.show()

    def clear_readout(self) -> None:
        """Hide the crosshairs and show the hint again (what a new run does)."""
        self.readout.setText(tr(READOUT_HINT))
        for line in self.crosshairs:
            line.hide()

    def readout_text(self) -> str:
        """The readout as a person reads it (its plain text)."""
        doc = QtGui.QTextDocument()
        doc.setHtml(self.readout.text())
        return doc.toPlainText()

    # -- export -----------------------------------------------------------------------------------
    def export_title(self) -> str:
        """The figure's title."""
        return tr("Loss")

    def export_table(self) -> tuple[list[str], list[list]]:
        """The series drawn now, as ``series, step, value`` rows, series after series: ``batch_loss``
        per step (while "Batch loss" is ticked), ``train_loss`` and, with a test set, ``test_loss``
        per evaluation step, ``train_accuracy`` and ``test_accuracy`` likewise (classification), and
        ``lr`` per step. Raw values: the snapshot's history arrays as they are, without the smoothing
        (a way of drawing them) and with NaN where a point has no value. No rows before a snapshot."""
        header = ["series", "step", "value"]
        h = self._history
        if h is None:
            return header, []
        series = [("batch_loss", "step", "loss")] if self.batch_loss_box.isChecked() else []
        series.append(("train_loss", "eval_step", "train_loss"))
        if self._has_test:
            series.append(("test_loss", "eval_step", "test_loss"))
        if self._task == "classification":
            series.append(("train_accuracy", "eval_step", "train_accuracy"))
            if self._has_test:
                series.append(("test_accuracy", "eval_step", "test_accuracy"))
        series.append(("lr", "step", "lr"))
        rows = []
        for name, x, y in series:
            rows += [[name, s, v] for s, v in zip(step_list(h[x]), h[y].tolist())]
        return header, rows

    # -- drawing ----------------------------------------------------------------------------------
    @staticmethod
    def _nearest(sorted_values: np.ndarray, value: float) -> int:
        i = int(np.searchsorted(sorted_values, value))
        if i >= sorted_values.size:
            return sorted_values.size - 1
        if i > 0 and value - sorted_values[i - 1] <= sorted_values[i] - value:
            return i - 1
        return i

    def _draw(self) -> None:
        h = self._history
        if h is None:
            return
        alpha = self.smoothing
        drawn = self._series
        # Raw: each row's loss, a decimated row its bucket's lowest or highest (the spikes show).
        # Smoothed: the mean loss each row stands for, averaged over the steps between rows (a
        # history made elsewhere without means: its losses).
        batch = h["loss"] if alpha == 0 else h.get("loss_mean", h["loss"])
        self.batch_curve.setData(h["step"], drawn["loss"].drawn(batch, alpha, h["step"]))
        self.train_curve.setData(h["eval_step"], drawn["train_loss"].drawn(h["train_loss"], alpha))
        self.test_curve.setData(h["eval_step"], drawn["test_loss"].drawn(h["test_loss"], alpha))
        self.test_curve.setVisible(self._has_test)
        if self._task == "classification":
            self.train_accuracy_curve.setData(h["eval_step"], drawn["train_accuracy"].drawn(h["train_accuracy"], alpha))
            self.test_accuracy_curve.setData(h["eval_step"], drawn["test_accuracy"].drawn(h["test_accuracy"], alpha))
            self.test_accuracy_curve.setVisible(self._has_test)
        # a schedule, not a noisy measurement: never smoothed
        self.lr_curve.setData(h["step"], drawn["lr"].drawn(h["lr"], 0.0))
        bounds = drawn["lr"].bounds()
        top = bounds[1] if bounds is not None and bounds[1] > 0 else 1.0
        if top != self._lr_top:
            self._lr_top = top
            # From 0, so a constant rate is a flat line at its height rather than one centred in
            # noise. Room around 0 and the top rate: an axis label reaching past the small plot is
            # not drawn.
            self.lr_plot.setYRange(0.0, top, padding=0.15)
        self._fit_ranges()
        self._place_legend()

    def legend_corner(self) -> str:
        """Where the legend sits in the loss plot: "top-right", "bottom-right", "top-left" or "bottom-left"."""
        return self._legend_corner

    def _place_legend(self) -> None:
        """Put the legend in the corner of the loss plot that covers the fewest drawn points, top
        right first (a falling loss leaves it free; a rising one moves it)."""
        vb = self.loss_plot.getViewBox()
        box = vb.mapSceneToView(self.legend.sceneBoundingRect()).boundingRect()
        (x_lo, x_hi), (y_lo, y_hi) = vb.viewRange()
        if box.width() <= 0 or x_hi <= x_lo or y_hi <= y_lo:
            return
        xs, ys = [], []
        for curve in (self.batch_curve, self.train_curve, self.test_curve, *(c for c, _ in self._branch_items)):
            if curve.isVisible():
                x, y = curve.getData()
                if x is not None and len(x):
                    step = max(1, len(x) // LEGEND_SAMPLE)  # enough points to see where the curve runs
                    xs.append(np.asarray(x[::step], dtype=float))
                    ys.append(np.asarray(y[::step], dtype=float))
        if not xs:
            return
        x, y = np.concatenate(xs), np.concatenate(ys)
        w, h = box.width(), box.height()
        counts = {}
        for corner in LEGEND_CORNERS:
            top, right = corner.startswith("top"), corner.endswith("right")
            left_x = x_hi - w if right else x_lo
            low_y = y_hi - h if top else y_lo
            counts[corner] = int(np.count_nonzero((x >= left_x) & (x <= left_x + w) & (y >= low_y) & (y <= low_y + h)))
        best = min(LEGEND_CORNERS, key=lambda c: (counts[c], LEGEND_CORNERS.index(c)))
        if counts[best] >= counts[self._legend_corner]:
            return  # no better corner: stay put (no jumping between equals)
        self._legend_corner = best
        top, right = best.startswith("top"), best.endswith("right")
        corner = (1 if right else 0, 0 if top else 1)
        self.legend.anchor(itemPos=corner, parentPos=corner, offset=(-8 if right else 8, 4 if top else -4))

    def _fit_ranges(self) -> None:
        """Set the step range (all plots) and the loss range to round bounds around the data,
        unless the user has moved them; a range that does not change is not set again."""
        h = self._history
        if h is None:
            return
        vb = self.loss_plot.getViewBox()
        (x_lo, x_hi), (y_lo, y_hi) = vb.viewRange()
        x_range = y_range = None
        if self._follow_x:
            courses = [c.step for c in self._branches]  # the earlier courses too: a tree of curves
            ends = [a[i] for a in (h["step"], h["eval_step"], *courses) if a.size for i in (0, -1)]
            if ends:
                first, last = float(min(ends)), float(max(ends))
                span = step_bound(last - first)  # from the first step shown, usually 0
                pad = _STEP_PADDING * span
                x_range = (first - pad, first + span + pad)
        if self._follow_y:
            log = self.log_y_box.isChecked()
            shown = [self._series[key].bounds(log) for curve, key in ((self.batch_curve, "loss"),
                     (self.train_curve, "train_loss"), (self.test_curve, "test_loss")) if curve.isVisible()]
            shown = [b for b in shown if b is not None]
            for curve, _ in self._branch_items:
                ys = np.asarray(curve.yData, dtype=float)
                ys = ys[np.isfinite(ys) & (ys > 0)] if log else ys[np.isfinite(ys)]
                if ys.size:
                    shown.append((np.log10(ys.min()), np.log10(ys.max())) if log else (ys.min(), ys.max()))
            if shown:
                y_range = snapped_range(min(lo for lo, _ in shown), max(hi for _, hi in shown))
        x_range = x_range if x_range is not None and x_range != (x_lo, x_hi) else None
        y_range = y_range if y_range is not None and y_range != (y_lo, y_hi) else None
        if x_range is not None or y_range is not None:
            vb.setRange(xRange=x_range, yRange=y_range, padding=0)

    def _name_losses(self, snapshot) -> None:
        """Name the train and test loss in the legend, with the sample they are counted on when
        the set is larger than an evaluation reads."""
        for sample, label in self.legend.items:
            for curve, which in ((self.train_curve, "train"), (self.test_curve, "test")):
                if sample.item is curve:
                    note = sample_note(snapshot, which)
                    name = tr("train loss") if which == "train" else tr("test loss")
                    text = (tr("train loss on {sample}") if which == "train" else tr("test loss on {sample}")).format(
                        sample=note) if note else name
                    if label.text != text:
                        label.setText(text)
                        self._fit_legend()

    def _fit_legend(self) -> None:
        """Size the legend to its labels (it would keep its width when a label gets shorter)."""
        self.legend.resize(0, 0)
        self.legend.layout.activate()
        self.legend.updateSize()

    def _cache_legend(self) -> None:
        """Keep the legend's samples and labels as pixmaps: the curves under them change on every
        frame, the legend itself never does."""
        for sample, label in self.legend.items:
            sample.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
            label.item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # -- slots ------------------------------------------------------------------------------------
    def _on_batch_loss_toggled(self, checked: bool) -> None:
        self.batch_curve.setVisible(checked)
        for sample, _ in self.legend.items:  # a sample shows whether its curve is visible
            sample.update()
        self._fit_ranges()

    def _on_log_y_toggled(self, checked: bool) -> None:
        self.loss_plot.setLogMode(y=checked)
        # pyqtgraph turns auto-range back on with the log mode; the panel fits the ranges itself,
        # and, as pyqtgraph would, follows the data again on both axes
        self.loss_plot.enableAutoRange(x=False, y=False)
        self._follow_x = self._follow_y = True
        self._fit_ranges()

    def _on_range_changed_manually(self, plot: pg.PlotItem, mask) -> None:
        if mask[0]:
            self._follow_x = False
        if plot is self.loss_plot and mask[1]:
            self._follow_y = False

    def _on_smoothing_changed(self, value: int) -> None:
        self.smoothing_label.setText(f"{value / 100:.2f}")
        if self._branches:
            self._draw_branches()
        self._draw()

    def _on_mouse_moved(self, event) -> None:
        (pos,) = event
        for plot in self.shown_plots:
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(pos):
                self.show_readout_at(vb.mapSceneToView(pos).x())
                return


def _fake_million(snapshot, n: int = 1_000_000):
    """``snapshot`` with an ``n``-step history: a noisy decaying loss, a cosine lr, 1000 evals."""
    from dataclasses import replace

    rng = np.random.default_rng(0)
    step = np.arange(1, n + 1, dtype=np.float64)
    base = 0.05 + 0.6 * np.exp(-step / (n / 8))
    loss = base * np.exp(0.35 * rng.standard_normal(n))
    lr = 0.03 * 0.5 * (1 + np.cos(np.pi * step / n))
    eval_step = np.linspace(0, n, 1001)
    eval_base = 0.05 + 0.6 * np.exp(-eval_step / (n / 8))
    classification = snapshot.task == "classification"
    history = {
        "step": step, "loss": loss, "lr": lr, "eval_step": eval_step,
        "train_loss": eval_base * 0.95, "test_loss": eval_base * 1.05 + 0.01,
        "train_accuracy": 1 - 0.5 * np.exp(-eval_step / (n / 10)) if classification else np.full(1001, np.nan),
        "test_accuracy": 0.98 - 0.48 * np.exp(-eval_step / (n / 10)) if classification else np.full(1001, np.nan),
    }
    for value in history.values():
        value.setflags(write=False)
    return replace(snapshot, history=history, step=n)


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.core.experiment import Experiment
    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the loss panel alone on a short real run.")
    parser.add_argument("--million", action="store_true", help="feed a fake 1,000,000-step history")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args()
    exp = Experiment()
    snapshot = exp.snapshot()
    for _ in range(30):
        exp.run(100)
        snapshot = exp.snapshot()
    if args.million:
        snapshot = _fake_million(snapshot)

    def prepare(panel):
        if args.save:  # show the hover readout in the picture
            steps = snapshot.history["eval_step"]
            panel.show_readout_at(steps[len(steps) * 2 // 3])

    title = "loss" + (" (1,000,000 steps)" if args.million else "")
    sys.exit(show_alone(LossPanel, title, snapshot, size=(700, 450), prepare=prepare, save=args.save))
