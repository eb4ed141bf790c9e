"""The loss-landscape panel: the loss on a plane through the current weights, and on the line from
the weights the run started from.

Above, a contour map of the loss at ``θ + a·d1 + b·d2`` (colour, on a log scale by default, with
isocurves at even steps of the colour scale and a colour bar), the current weights marked at the centre
and the optimizer's path over it when one is given (:meth:`LandscapePanel.set_path`). Below, the
loss on the line ``(1 − t)·θ0 + t·θ``: the start of the run at t = 0, the weights now at t = 1.

Computed on demand — **Compute** — never on a frame: the panel takes the newest snapshot's
:class:`~nnviz.core.landscape.LandscapeJob` and parameters (read-only copies) and runs
:meth:`~nnviz.core.landscape.LandscapeJob.run` on a worker thread of its own, with a progress bar
and **Cancel**. The panel never touches the trainer. Once training moves on, the note says at which
step the landscape was computed. Every number drawn is the core's; the panel takes only log10.

Thread invariants: the worker object and its QThread are made on the GUI thread; the worker reads
only the job, the parameters and the request it was given (immutable), and sends its progress, its
result or its error back as signals, which Qt queues to the GUI thread; cancelling sets an
:class:`threading.Event` that the worker reads between chunks of the grid. A worker outlives its
panel safely (it is kept in :data:`_RUNNING` until its thread has ended, and the panel's
destruction cancels it).
"""

from __future__ import annotations

import html
import math
import threading

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal, Slot

from nnviz.core.engine import one_line
from nnviz.core.landscape import RESOLUTIONS, LandscapeRequest, LandscapeResult, parameter_labels
from nnviz.core.network import Network
from nnviz.core.numbers import format_significant
from nnviz.gui.accessibility import name_controls
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel, cache_axes
from nnviz.gui.style import GRID_LINE, SELECTED, TEXT, muted_text, palette_style

CONTOURS = 12  # isocurves at even steps across the colour scale
PATH_COLORS = (SELECTED, "#ff9800", "#00bcd4", "#c6ff00")  # several paths: on viridis and on white alike
_MOUSE_RATE = 30  # hover readouts per second at most
_STALE_COLOR = "#b26a00"


# -- the worker ------------------------------------------------------------------------------------------
class _Worker(QtCore.QObject):
    """Runs one landscape job on its thread; everything it reads is immutable."""

    progressed = Signal(int, int, int)  # (ticket, done, total)
    computed = Signal(int, object)  # (ticket, LandscapeResult or None when cancelled)
    failed = Signal(int, str)  # (ticket, one line)

    def __init__(self, ticket: int, job, params: dict, request: LandscapeRequest, cancel: threading.Event):
        super().__init__()
        self._ticket, self._job, self._params, self._request, self._cancel = ticket, job, params, request, cancel

    @Slot()
    def run(self) -> None:
        try:
            result = self._job.run(self._params, self._request, self._progress)
        except Exception as exc:  # noqa: BLE001 - anything the job cannot do: one line, in the panel
            self.failed.emit(self._ticket, one_line(exc))
        else:
            self.computed.emit(self._ticket, result)
        finally:
            QtCore.QThread.currentThread().quit()

    def _progress(self, done: int, total: int) -> bool:
        if self._cancel.is_set():
            return False
        self.progressed.emit(self._ticket, done, total)
        return True


#: workers whose threads have not ended yet, with their threads: kept here so that a worker outlives
#: the panel that started it (a QThread destroyed while it runs aborts the app)
_RUNNING: dict[QtCore.QThread, tuple[_Worker, threading.Event]] = {}


def running() -> int:
    """How many landscape computations are still running (tests make sure none is left)."""
    return sum(thread.isRunning() for thread in _RUNNING)


def stop_all(timeout_ms: int = 5000) -> bool:
    """Cancel every running computation and wait for its thread; True if all ended (the app calls
    this when it quits)."""
    for _, cancel in _RUNNING.values():
        cancel.set()
    ended = all(thread.wait(timeout_ms) for thread in list(_RUNNING))
    _RUNNING.clear()
    return ended


def _start(ticket: int, job, params: dict, request: LandscapeRequest, receiver: LandscapePanel) -> threading.Event:
    """A worker on a new thread for ``job``, its signals to ``receiver``; returns its cancel flag."""
    global _JANITOR
    if _JANITOR is None:
        _JANITOR = _Janitor()
        app = QtCore.QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_all)
    cancel = threading.Event()
    thread = QtCore.QThread()
    thread.setObjectName("nnviz-landscape")
    worker = _Worker(ticket, job, params, request, cancel)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.progressed.connect(receiver._on_progressed)
    worker.computed.connect(receiver._on_computed)
    worker.failed.connect(receiver._on_failed)
    thread.finished.connect(_JANITOR.thread_ended)  # queued to the janitor, on the GUI thread
    _RUNNING[thread] = (worker, cancel)
    thread.start()
    return cancel


class _Janitor(QtCore.QObject):
    """Made on the GUI thread: forgets a worker and its thread once the thread has ended."""

    @Slot()
    def thread_ended(self) -> None:
        thread = self.sender()
        if isinstance(thread, QtCore.QThread):
            thread.wait()  # ``finished`` comes just before the thread's very end
            _RUNNING.pop(thread, None)


_JANITOR: _Janitor | None = None


# -- controls that wrap ----------------------------------------------------------------------------------
class FlowLayout(QtWidgets.QLayout):
    """Widgets left to right, wrapping onto the next line when the width runs out (Qt's flow-layout
    example): a panel's controls take two lines in a wide dock and more in a narrow one."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QtWidgets.QLayoutItem) -> None:  # noqa: N802 (Qt override)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QtWidgets.QLayoutItem | None:  # noqa: N802 (Qt override)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QtWidgets.QLayoutItem | None:  # noqa: N802 (Qt override)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> QtCore.Qt.Orientation:  # noqa: N802 (Qt override)
        return QtCore.Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return self._arrange(QtCore.QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QtCore.QRect) -> None:  # noqa: N802 (Qt override)
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        return self.minimumSize()

    def minimumSize(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        size = QtCore.QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        left, top, right, bottom = self.getContentsMargins()
        return size + QtCore.QSize(left + right, top + bottom)

    def _arrange(self, rect: QtCore.QRect, move: bool) -> int:
        """Place the items in ``rect``, each centred on its line (or only measure, unless ``move``);
        returns the height used."""
        left, top, right, bottom = self.getContentsMargins()
        area = rect.adjusted(left, top, -right, -bottom)
        lines: list[list[tuple[QtWidgets.QLayoutItem, QtCore.QSize]]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():  # a hidden widget takes no room
                continue
            hint = item.sizeHint()
            if lines[-1] and x + hint.width() > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append((item, hint))
            x += hint.width() + self.spacing()
        y = area.y()
        for line in lines:
            height = max((hint.height() for _, hint in line), default=0)
            x = area.x()
            for item, hint in line:
                if move:
                    item.setGeometry(QtCore.QRect(QtCore.QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self.spacing()
            y += height + self.spacing()
        return y - self.spacing() - rect.y() + bottom


# -- the panel -------------------------------------------------------------------------------------------
class _View(pg.GraphicsLayoutWidget):
    """The plots' view; says when it is resized (the panel arranges its plots by its shape)."""

    resized = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.resized.emit()


class LandscapePanel(Panel, QtWidgets.QWidget):
    """The loss landscape of the newest snapshot's model, computed when Compute is pressed. Emits
    ``computed(result)`` when a computation ends, ``cancelled()`` and ``failed(message)``."""

    computed = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.result: LandscapeResult | None = None  #: the landscape drawn
        self._computed_from = None  # the snapshot it was computed from
        self._computing_from = None  # the snapshot of the computation running
        self._ticket = 0
        self._cancel: threading.Event | None = None
        self._architecture = None  # the recipe whose parameters the pickers list
        #: the paths drawn over the map: (label, steps or None, (k, P) params) each; "" for the run's own
        self._paths: list[tuple[str, np.ndarray | None, np.ndarray]] = []
        self._path_coords: list[np.ndarray] = []  # each path on the plane of the landscape drawn
        self._path_items: list[tuple[pg.PlotDataItem, pg.ScatterPlotItem]] = []
        self._image: np.ndarray | None = None
        self._waiting_for_path = False  # Compute pressed with "Path of the run": computes when the path comes
        self._build_controls()
        self._build_plots()
        self._lay_out()
        name_controls(self)
        self._on_directions_changed()
        self._show_note()

    def _build_controls(self) -> None:
        self.directions_box = QtWidgets.QComboBox()
        self.directions_box.addItem(tr("Random (filter-normalised)"), "random")
        self.directions_box.addItem(tr("Path of the run"), "path")
        self.directions_box.addItem(tr("Two parameters"), "parameters")
        self.directions_box.setToolTip(tr(
            "Random: two Gaussian directions, each unit's weights scaled to the norm of its weights now "
            "(Li et al. 2018); biases and normalisation parameters stay.\nPath of the run: the two directions "
            "the optimizer's path spread most along (its principal components), so the plane holds the "
            "path.\nTwo parameters: move two chosen weights or biases, the rest fixed."))
        self.directions_box.currentIndexChanged.connect(self._on_directions_changed)
        self.seed_box = QtWidgets.QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setToolTip(tr("The seed of the random directions: the same seed draws the same plane"))
        self.first_box, self.second_box = QtWidgets.QComboBox(), QtWidgets.QComboBox()
        for box, tip in ((self.first_box, tr("The parameter that moves across the map (layers, rows and columns "
                                             "counted from 1)")),
                         (self.second_box, tr("The parameter that moves up the map (layers, rows and columns "
                                              "counted from 1)"))):
            box.setToolTip(tip)
            box.view().setUniformItemSizes(True)  # a big network has many thousands
            box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.range_box = QtWidgets.QDoubleSpinBox()
        self.range_box.setRange(0.01, 100.0)
        self.range_box.setDecimals(2)
        self.range_box.setSingleStep(0.25)
        self.range_box.setValue(1.0)
        self.range_box.setPrefix("± ")
        self.range_box.setToolTip(tr("How far the map reaches either way, in units of the directions (1: a random "
                                     "direction as long as the weights themselves)"))
        self.resolution_box = QtWidgets.QComboBox()
        for n in RESOLUTIONS:
            self.resolution_box.addItem(f"{n} × {n}", n)
        self.resolution_box.setCurrentIndex(RESOLUTIONS.index(41))
        self.resolution_box.setToolTip(tr("Grid points along each direction"))
        self.log_box = QtWidgets.QCheckBox(tr("Log scale"))
        self.log_box.setChecked(True)
        self.log_box.setToolTip(tr("Colour and plot the loss on a log scale"))
        self.log_box.toggled.connect(self._draw_result)
        self.compute_button = QtWidgets.QPushButton(tr("Compute"))
        self.compute_button.setToolTip(tr("Compute the loss around the current weights (on a copy, off the GUI "
                                          "thread)"))
        self.compute_button.clicked.connect(lambda: self.compute())  # not clicked(checked) as wait_for_path
        self.progress_bar = QtWidgets.QProgressBar()
        self.progress_bar.setAccessibleName(tr("Progress"))
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(14)
        self.cancel_button = QtWidgets.QPushButton(tr("Cancel"))
        self.cancel_button.setToolTip(tr("Stop the computation"))
        self.cancel_button.clicked.connect(self.cancel)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.note.setContentsMargins(6, 0, 6, 0)
        palette_style(self.note, lambda: f"color: {muted_text().name()};")
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setContentsMargins(6, 0, 6, 0)

    def _build_plots(self) -> None:
        self.view = _View()
        self.view.resized.connect(self._arrange_plots)
        self.view.ci.layout.setContentsMargins(4, 4, 8, 4)
        self.map_plot: pg.PlotItem = self.view.addPlot(row=0, col=0)
        self.line_plot: pg.PlotItem = self.view.addPlot(row=1, col=0, colspan=2)
        self._beside = False  # the line plot beside the map (a wide view) or below it (a tall one)
        self._arrange_plots()
        for plot in (self.map_plot, self.line_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            plot.getAxis("left").enableAutoSIPrefix(False)
            cache_axes(plot)
        self.map_plot.setLabel("bottom", tr("direction 1"))
        self.map_plot.setLabel("left", tr("direction 2"))
        self.map_image = pg.ImageItem()
        self.map_image.setColorMap(pg.colormap.get("viridis"))
        self.map_plot.addItem(self.map_image)
        # isocurves are children of the image: they share its placement (index space, pixel centres at +0.5)
        self.isocurves = [pg.IsocurveItem(level=0.0, pen=pg.mkPen((255, 255, 255, 150), width=1))
                          for _ in range(CONTOURS)]
        for iso in self.isocurves:
            iso.setParentItem(self.map_image)
        self.color_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=12,
                                         colorMapMenu=False)
        self.color_bar.axis.enableAutoSIPrefix(False)  # "loss", never "loss (x0.001)"
        self.view.addItem(self.color_bar, row=0, col=1)
        self.color_bar.hide()
        self._path_legend = None  # named paths: made when first needed
        self.current_item = pg.ScatterPlotItem(size=14, symbol="star", pen=pg.mkPen("k", width=1),
                                               brush=pg.mkBrush("w"))
        self.current_item.setZValue(12)
        self.map_plot.addItem(self.current_item)
        self.line_curve = pg.PlotDataItem(pen=pg.mkPen(TEXT, width=1.5))
        self.line_plot.addItem(self.line_curve)
        self.line_ends = pg.ScatterPlotItem(size=8, pen=pg.mkPen(TEXT))
        self.line_plot.addItem(self.line_ends)
        for t, label in ((0.0, tr("start")), (1.0, tr("now"))):
            mark = pg.InfiniteLine(t, angle=90, movable=False, label=label,
                                   pen=pg.mkPen(GRID_LINE, style=QtCore.Qt.PenStyle.DashLine),
                                   labelOpts={"position": 0.96, "color": TEXT, "anchors": [(0, 0), (0, 0)]})
            self.line_plot.addItem(mark, ignoreBounds=True)
        self.line_plot.setLabel("left", tr("loss"))
        self.line_plot.enableAutoRange(x=False, y=False)
        self.map_plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0.02)  # until a landscape is drawn
        self.line_plot.setRange(xRange=(-0.5, 1.5), yRange=(0, 1), padding=0.02)
        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=_MOUSE_RATE,
                                           slot=self._on_mouse_moved)

    def _lay_out(self) -> None:
        def labelled(text: str, control: QtWidgets.QWidget) -> QtWidgets.QWidget:
            """A label and its control, kept on one line when the controls wrap."""
            pair = QtWidgets.QWidget()
            row = QtWidgets.QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(4)
            label = QtWidgets.QLabel(text)
            label.setBuddy(control)
            row.addWidget(label)
            row.addWidget(control)
            return pair

        self.seed_pair = labelled(tr("Seed"), self.seed_box)
        self.first_pair = labelled(tr("First"), self.first_box)
        self.second_pair = labelled(tr("Second"), self.second_box)
        self.progress_bar.setFixedWidth(120)
        # the controls wrap onto more lines in a narrow dock rather than widen it
        controls = FlowLayout(spacing=6)
        controls.setContentsMargins(6, 2, 6, 0)
        for widget in (labelled(tr("Directions"), self.directions_box), self.seed_pair, self.first_pair,
                       self.second_pair, labelled(tr("Range"), self.range_box),
                       labelled(tr("Resolution"), self.resolution_box), self.log_box, self.compute_button,
                       self.progress_bar, self.cancel_button):
            controls.addWidget(widget)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(self.readout)
        layout.addWidget(self.view, 1)
        self.progress_bar.hide()
        self.cancel_button.hide()

    # -- public -----------------------------------------------------------------------------------
    @property
    def computing(self) -> bool:
        return self._cancel is not None

    def request(self) -> LandscapeRequest:
        """What the controls ask for (the directions of "Path of the run" from every path drawn)."""
        path = np.concatenate([params for _, _, params in self._paths]) if self._paths else None
        return LandscapeRequest(directions=self.directions_box.currentData(), seed=self.seed_box.value(),
                                first=self.first_box.currentIndex(), second=self.second_box.currentIndex(),
                                span=self.range_box.value(), resolution=self.resolution_box.currentData(),
                                path=path)

    def compute(self, wait_for_path: bool = True) -> bool:
        """Compute the landscape of the newest snapshot's model on a worker thread (what Compute does);
        False if there is nothing to compute. A computation already running is cancelled. With "Path
        of the run" and no path up to the snapshot's step yet, it waits for the path the panel's owner
        asks for when Compute is pressed (:meth:`set_path`), and computes then (``wait_for_path``
        False: with the path it has)."""
        snapshot = self._snapshot
        job = getattr(snapshot, "landscape", None)
        if job is None:
            return False
        if wait_for_path and self.directions_box.currentData() == "path" and not self._path_reaches(snapshot.step):
            self._waiting_for_path = True
            self.note.setText(tr("Waiting for the run's path …"))
            return True
        self._waiting_for_path = False
        if self._cancel is not None:
            self._cancel.set()
        self._ticket += 1
        self._computing_from = snapshot
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.progress_bar.show()
        self.cancel_button.show()
        self.compute_button.setEnabled(False)
        self._cancel = cancel = _start(self._ticket, job, snapshot.params, self.request(), self)
        self.destroyed.connect(lambda *_: cancel.set())  # a panel closed for good stops its computation
        self.note.setText(tr("Computing the landscape at step {step} …").format(step=f"{snapshot.step:,}"))
        return True

    def settle(self, path=None) -> None:
        """Compute the newest snapshot's landscape on this thread, with the controls' request, unless
        the one drawn is of it, and draw ``path`` over it (a figure made without a window)."""
        snapshot = self._snapshot
        job = getattr(snapshot, "landscape", None)
        if path is not None:
            self.set_path(*path)
        if job is None or (self.result is not None and _same_model(self._computed_from, snapshot)):
            return
        self.cancel()
        self._computing_from = snapshot
        self._on_computed(self._ticket, job.run(snapshot.params, self.request()))

    def has_figure(self) -> bool:
        """A landscape has been computed."""
        return self.result is not None

    def cancel(self) -> None:
        """Stop the computation running (what Cancel does); the landscape drawn stays."""
        self._waiting_for_path = False
        if self._cancel is None:
            return
        self._cancel.set()
        self._ticket += 1  # whatever it still sends is ignored
        self._finish()
        self._show_note(tr("Cancelled."))
        self.cancelled.emit()

    def set_path(self, steps, params) -> None:
        """Draw an optimizer's path over the map: ``params`` is a (k, P) array or a list of k flat
        parameter vectors (the timeline's keyframes, oldest first, as ``Timeline.path()`` gives them
        with their ``steps``; ``steps`` may be None). The path is projected onto each landscape's plane
        (:meth:`~nnviz.core.landscape.Landscape.project`); ``set_path(None, None)`` removes it."""
        self.set_paths([] if params is None or len(params) == 0 else [("", steps, params)])

    def set_paths(self, paths) -> None:
        """Draw several paths, each ``(label, steps, params)`` as :meth:`set_path` takes them (the
        optimizers of a comparison from one start, in one plane), in colours of their own, named in
        a legend when there are more than one."""
        self._paths = []
        for label, steps, params in paths:
            points = np.asarray(params) if isinstance(params, np.ndarray) else np.stack([np.ravel(p) for p in params])
            self._paths.append((str(label), None if steps is None else np.asarray(steps),
                                points.reshape(len(points), -1)))
        self._draw_path()
        if self._waiting_for_path:
            self.compute(wait_for_path=False)

    def _path_reaches(self, step: int) -> bool:
        """Whether every path drawn goes up to ``step`` (a path of the run as it is now)."""
        return bool(self._paths) and all(steps is not None and len(steps) and steps[-1] >= step
                                         for _, steps, _ in self._paths)

    def image_data(self) -> np.ndarray | None:
        """The map as drawn: the loss (or its log10) with rows along the second direction, bottom up."""
        return self._image

    def image_rect(self) -> QtCore.QRectF:
        """Where the map is drawn, in the plot's (a, b) coordinates."""
        image = self.map_image
        return image.mapRectToParent(image.boundingRect())

    def current_point(self) -> tuple[float, float] | None:
        """Where the current weights are marked, in (a, b)."""
        points = self.current_item.getData()
        return (float(points[0][0]), float(points[1][0])) if len(points[0]) else None

    def path_points(self, index: int = 0) -> np.ndarray | None:
        """Path ``index`` as drawn, (k, 2) in (a, b), or None."""
        return self._path_coords[index].copy() if index < len(self._path_coords) else None

    def note_text(self) -> str:
        """The note as a person reads it (its plain text)."""
        return _plain(self.note.text())

    # -- the snapshot panel -----------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        """Keep the parameter lists in step with the model and say whether the landscape drawn is of it."""
        job = getattr(snapshot, "landscape", None)
        if job is not None and self._architecture != _architecture_key(job.recipe):
            self._fill_parameters(job)
        if not self.computing:
            self.compute_button.setEnabled(job is not None)
            self._show_note()

    def _fill_parameters(self, job) -> None:
        self._architecture = _architecture_key(job.recipe)
        labels = parameter_labels(Network(**job.recipe))
        for box, default in ((self.first_box, 0), (self.second_box, 1)):
            previous = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(labels)
            index = box.findText(previous) if previous else -1
            box.setCurrentIndex(index if index >= 0 else min(default, len(labels) - 1))
            box.blockSignals(False)

    # -- from the worker --------------------------------------------------------------------------
    @Slot(int, int, int)
    def _on_progressed(self, ticket: int, done: int, total: int) -> None:
        if ticket == self._ticket and self._cancel is not None:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)

    @Slot(int, object)
    def _on_computed(self, ticket: int, result) -> None:
        if ticket != self._ticket:
            return
        self._finish()
        if result is None:  # cancelled from elsewhere (the panel's own Cancel has moved the ticket on)
            self._show_note(tr("Cancelled."))
            self.cancelled.emit()
            return
        self.result = result
        self._computed_from = self._computing_from
        self._draw_result()
        self._show_note()
        self.computed.emit(result)

    @Slot(int, str)
    def _on_failed(self, ticket: int, message: str) -> None:
        if ticket != self._ticket:
            return
        self._finish()
        sentence = message if message.endswith((".", "!", "?")) else message + "."
        failed = tr("Could not compute the landscape: {reason}").format(reason=html.escape(sentence))
        self._show_note(f"<span style='color:#c62828'>{failed}</span><br>")
        self.failed.emit(message)

    def _finish(self) -> None:
        self._cancel = None
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.compute_button.setEnabled(getattr(self._snapshot, "landscape", None) is not None)

    # -- drawing ----------------------------------------------------------------------------------
    def _draw_result(self) -> None:
        result = self.result
        if result is None:
            return
        land, log = result.landscape, self.log_box.isChecked()
        self._image = image = _shown(land.loss, log)
        finite = image[np.isfinite(image)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        self.map_image.setImage(np.where(np.isfinite(image), image, np.nan), levels=(lo, hi), autoLevels=False)
        da, db = land.a[1] - land.a[0], land.b[1] - land.b[0]
        self.map_image.setRect(QtCore.QRectF(land.a[0] - da / 2, land.b[0] - db / 2,
                                             land.a[-1] - land.a[0] + da, land.b[-1] - land.b[0] + db))
        contour_data = np.where(np.isfinite(image), image, hi)
        for iso, level in zip(self.isocurves, np.linspace(lo, hi, CONTOURS + 2)[1:-1]):
            iso.setData(contour_data, level)
        self.color_bar.setLevels((lo, hi))
        self.color_bar.axis.setLabel(tr("loss (log scale)") if log else tr("loss"))
        self.color_bar.axis.setTicks(log_ticks(lo, hi) if log else None)
        self.color_bar.show()
        self.current_item.setData([0.0], [0.0])
        labels = land.directions.labels
        self.map_plot.setLabel("bottom", tr(labels[0]))  # "direction 1", or a parameter (kept as it is)
        self.map_plot.setLabel("left", tr(labels[1]))
        self.map_plot.setRange(xRange=(land.a[0], land.a[-1]), yRange=(land.b[0], land.b[-1]), padding=0.02)
        line = result.line
        if line is None:
            self.line_curve.setData([], [])
            self.line_ends.setData([], [])
        else:
            # on a log scale the values drawn are log10 of the loss, labelled with the loss (as the colour bar)
            shown = _shown(line.loss, log)
            self.line_curve.setData(line.t, shown)
            self.line_ends.setData([0.0, 1.0], [shown[line.t == 0.0][0], shown[line.t == 1.0][0]],
                                   brush=[pg.mkBrush("w"), pg.mkBrush(TEXT)])  # start hollow, now filled
            self.line_plot.setXRange(float(line.t[0]), float(line.t[-1]), padding=0.02)
            finite = shown[np.isfinite(shown)]
            if finite.size:
                low, high = float(finite.min()), float(finite.max())
                self.line_plot.getAxis("left").setTicks(log_ticks(low, high) if log and high > low else None)
                self.line_plot.setYRange(low, high if high > low else low + 1.0, padding=0.08)
        self._draw_path()

    def _draw_path(self) -> None:
        for line, start in self._path_items:
            for item in (line, start):
                self.map_plot.removeItem(item)
        self._path_items, self._path_coords = [], []
        if self._path_legend is not None:
            self._path_legend.clear()
            self._path_legend.setVisible(False)
        land = self.result.landscape if self.result is not None else None
        if land is None:
            return
        named = len(self._paths) > 1
        for k, (label, _, params) in enumerate(self._paths):
            if params.shape[1] != land.theta.size:
                continue
            xy = land.project(params)
            color = PATH_COLORS[k % len(PATH_COLORS)]
            line = pg.PlotDataItem(xy[:, 0], xy[:, 1], pen=pg.mkPen(color, width=1.5), symbol="o", symbolSize=4,
                                   symbolPen=pg.mkPen(color), symbolBrush=pg.mkBrush(color))
            start = pg.ScatterPlotItem(xy[:1, 0], xy[:1, 1], size=9, symbol="s", pen=pg.mkPen(color, width=1.5),
                                       brush=pg.mkBrush("w"))
            line.setZValue(10)
            start.setZValue(11)
            self.map_plot.addItem(line)
            self.map_plot.addItem(start)
            self._path_items.append((line, start))
            self._path_coords.append(xy)
            if named:
                if self._path_legend is None:
                    self._path_legend = self.map_plot.addLegend(offset=(8, 8), labelTextSize="8pt",
                                                                brush=pg.mkBrush("#ffffffcc"), pen=pg.mkPen(GRID_LINE))
                self._path_legend.addItem(line, label)
                self._path_legend.setVisible(True)

    def _arrange_plots(self) -> None:
        """The line plot below the map in a tall or square view, beside it in a wide one (where below
        it would leave the map a strip), so the map keeps a roughly square box either way."""
        size = self.view.size()
        beside = size.width() > 1.6 * size.height()
        layout = self.view.ci.layout
        placed = self.line_plot in self.view.ci.items and self.line_plot.getAxis("bottom").labelText
        if beside == self._beside and placed:
            return
        self._beside = beside
        if self.line_plot in self.view.ci.items:
            self.view.ci.removeItem(self.line_plot)
        # the line's axis: the whole formula below the map, just "t" beside it (its marks say start and now)
        self.line_plot.setLabel("bottom", "t" if beside else tr("t: (1 − t)·start of the run + t·weights now"))
        if beside:
            self.view.ci.addItem(self.line_plot, row=0, col=2)
            layout.setRowStretchFactor(0, 1)
            layout.setRowStretchFactor(1, 0)
            layout.setColumnStretchFactor(0, 3)
            layout.setColumnStretchFactor(2, 2)
        else:
            self.view.ci.addItem(self.line_plot, row=1, col=0, colspan=2)
            layout.setRowStretchFactor(0, 3)
            layout.setRowStretchFactor(1, 1)
            layout.setColumnStretchFactor(0, 1)
            layout.setColumnStretchFactor(2, 0)

    def _show_note(self, prefix: str = "") -> None:
        """What the map is of, and whether the model has moved on since."""
        parts = [prefix] if prefix else []
        result, snapshot = self.result, self._snapshot
        if result is None:
            if not prefix:
                parts.append(tr("The loss on a plane through the current weights (on a copy of the model): "
                                "choose the directions and press Compute."))
        else:
            land = result.landscape
            parts.append(tr("At step {step}, {rows}, along {directions}: the loss is {loss} at the weights "
                            "(★).").format(
                step=f"{result.step:,}", rows=tr(result.note), directions=tr(land.directions.describe()),
                loss=format_significant(land.centre, 4, missing=None)))
            if snapshot is not None and not _same_model(self._computed_from, snapshot):
                stale = (tr("Computed at step {step}; the model is at step {now} now: Compute again to see it as "
                            "it is.") if snapshot.run == self._computed_from.run else
                         tr("Computed at step {step}; the model is at a new run now: Compute again to see it as "
                            "it is."))
                stale = stale.format(step=f"{result.step:,}", now=f"{snapshot.step:,}")
                parts.append(f"<span style='color:{_STALE_COLOR}'>{stale}</span>")
        self.note.setText(" ".join(parts))

    def _on_directions_changed(self, *_) -> None:
        kind = self.directions_box.currentData()
        self.seed_pair.setVisible(kind == "random")
        self.first_pair.setVisible(kind == "parameters")
        self.second_pair.setVisible(kind == "parameters")

    def _on_mouse_moved(self, event) -> None:
        pos = event[0]
        result = self.result
        vb = self.map_plot.getViewBox()
        if result is None or not vb.sceneBoundingRect().contains(pos):
            self.readout.setText(" ")
            return
        point = vb.mapSceneToView(pos)
        land = result.landscape
        j = int(np.argmin(np.abs(land.a - point.x())))
        i = int(np.argmin(np.abs(land.b - point.y())))
        if abs(land.a[j] - point.x()) > (land.a[1] - land.a[0]) or abs(land.b[i] - point.y()) > (land.b[1] - land.b[0]):
            self.readout.setText(" ")
            return
        self.readout.setText(tr("a = {a}, b = {b}: loss {loss}").format(
            a=f"{land.a[j]:.3g}", b=f"{land.b[i]:.3g}",
            loss=format_significant(float(land.loss[i, j]), 4, missing=None)))

    # -- export -----------------------------------------------------------------------------------
    def export_widget(self) -> QtWidgets.QWidget:
        """The plots, without the controls."""
        return self.view

    def export_title(self) -> str:
        """"Loss landscape", and the step it was computed at when the model has moved on since (the
        figure's title adds the step the model is at)."""
        snapshot = self._snapshot
        if self.result is None or snapshot is None or self.result.step == snapshot.step:
            return tr("Loss landscape")
        return tr("Loss landscape computed at step {step}").format(step=f"{self.result.step:,}")

    def export_table(self) -> tuple[list[str], list[list]]:
        """The numbers drawn, as ``part, a, b, t, step, loss`` rows: a ``landscape`` row per grid point
        (``b`` outer, ``a`` inner: the map's rows bottom up), a ``line`` row per ``t``, a ``path`` row per
        point of the path (its ``step`` when known, its ``a, b`` on the plane, no loss). Cells that do
        not apply are empty; the losses are the core's (not the log10 the colours are drawn by). No
        rows before a landscape is computed."""
        header = ["part", "a", "b", "t", "step", "loss"]
        result = self.result
        if result is None:
            return header, []
        land = result.landscape
        rows = [["landscape", a, b, "", result.step, float(land.loss[i, j])]
                for i, b in enumerate(land.b.tolist()) for j, a in enumerate(land.a.tolist())]
        if result.line is not None:
            line = result.line
            rows += [["line", "", "", t, result.step, v] for t, v in zip(line.t.tolist(), line.loss.tolist())]
        drawn = [(label, steps) for label, steps, params in self._paths
                 if params.shape[1] == land.theta.size]
        for (label, steps), xy in zip(drawn, self._path_coords):
            for k, (a, b) in enumerate(xy.tolist()):
                rows.append([f"path {label}".strip(), a, b, "", "" if steps is None else int(steps[k]), ""])
        return header, rows

    @classmethod
    def demo_snapshot(cls):
        return demo()[0]


def log_ticks(lo: float, hi: float) -> list[list[tuple[float, str]]]:
    """Ticks of an axis placed by log10 of the loss, labelled with the loss itself: 1, 2 and 5 times
    the powers of ten between ``10**lo`` and ``10**hi``, finer steps for a narrower range, and three
    evenly spaced ticks when even those are too few."""
    low, high = math.floor(lo), math.ceil(hi)
    for steps in ((1.0,), (1.0, 2.0, 5.0), tuple(np.arange(1.0, 10.0, 1.0)), tuple(np.arange(1.0, 10.0, 0.5))):
        values = [math.log10(m) + e for e in range(low, high + 1) for m in steps]
        values = [v for v in values if lo - 1e-9 <= v <= hi + 1e-9]
        if len(values) >= 3:
            return [[(v, _loss_label(10.0 ** v)) for v in values]]
    return [[(float(v), _loss_label(10.0 ** v)) for v in np.linspace(lo, hi, 3)]]


def _loss_label(loss: float) -> str:
    """A tick's loss: "0.05", "0.447", "100", "2,000"."""
    return f"{loss:,.0f}" if loss >= 100 else f"{loss:.3g}"


def _shown(loss: np.ndarray, log: bool) -> np.ndarray:
    """The map's values: the loss, or its log10 (a loss of 0 at the smallest positive float's)."""
    if not log:
        return np.array(loss, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.maximum(loss, np.finfo(np.float64).tiny))


def _architecture_key(recipe: dict) -> str:
    return repr((recipe["inputs"], recipe["layers"]))


def _same_model(a, b) -> bool:
    """Whether two snapshots hold the same weights (the landscape of one is that of the other)."""
    if a is b:
        return True
    if a is None or b is None or a.run != b.run or a.step != b.step or a.params.keys() != b.params.keys():
        return False
    return all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def _plain(text: str) -> str:
    doc = QtGui.QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def demo(steps: int = 600, every: int = 20):
    """The default model after ``steps`` steps with a keyframe every ``every``: its snapshot and the
    timeline's path (``steps``, ``params``)."""
    from nnviz.core.experiment import Experiment
    from nnviz.core.timeline import Timeline

    experiment = Experiment()
    timeline = Timeline(every=every)
    timeline.record(experiment)
    for _ in range(steps // every):
        experiment.run_evaluated(every, every=every)
        timeline.record(experiment)
    return experiment.snapshot(), timeline.path()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the loss-landscape panel alone on the default model.")
    parser.add_argument("--steps", type=int, default=600, help="training steps before the landscape")
    parser.add_argument("--directions", choices=("random", "path", "parameters"), default="random",
                        help="the plane: random directions, the path's principal directions or two parameters")
    parser.add_argument("--save", metavar="PNG", help="compute, save a picture of the panel and quit")
    args = parser.parse_args()
    snapshot, (path_steps, path_params) = demo(args.steps)

    def prepare(panel: LandscapePanel) -> None:
        panel.directions_box.setCurrentIndex(panel.directions_box.findData(args.directions))
        panel.set_path(path_steps, path_params)
        panel.compute()
        while args.save and panel.computing:  # a picture of the computed landscape
            QtWidgets.QApplication.processEvents(QtCore.QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)

    sys.exit(show_alone(LandscapePanel, "loss landscape", snapshot, size=(640, 720), prepare=prepare, save=args.save))
