"""Compare runs: lanes forked from the run's state, trained in lockstep, shown side by side.

**Compare…** (Train menu) pauses the run and takes a copy of it (``TrainingSession.fork``); the
:class:`CompareDialog` asks how each lane differs (optimizer, learning rate, activation, initialiser,
batch size; **Optimizer race** fills in SGD, momentum, RMSprop and Adam); the :class:`CompareWindow`
trains the lanes (:class:`nnviz.core.lanes.Lanes`) on a worker thread of its own and shows each
lane's decision surface (or fitted curve), graph and health, their loss and accuracy curves over
each other, and where two lanes' decision surfaces disagree. A lane can be closed, or kept as the
main run (the window's run takes its document, state and history).

Thread rule: the lanes live on the worker's thread; the window sends it commands through queued
signals and gets back immutable snapshots (and, for Keep, the lane's document: plain data).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.engine import one_line
from nnviz.core.experiment import Experiment
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.lanes import MAX_LANES, RACE, Lanes, plane_difference
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.gui.accessibility import name_controls
from nnviz.gui.controls.training import SPEEDS
from nnviz.gui.controls.widgets import combo_box, tooltips
from nnviz.gui.panels.graph import GraphPanel
from nnviz.gui.panels.health import HealthStrip
from nnviz.gui.panels.inspector import parse_number
from nnviz.gui.panels.output import OutputPanel
from nnviz.gui.style import BACKWARD, GRID_LINE, on_window, palette_style

LANE_COLORS = ("#333333", "#0877bd", "#e8710a", "#9c27b0")  # lane 1 (dark) … lane 4, on the plots' white
PUBLISH_SECONDS = 1 / 20  # snapshots of every lane, at most this often
EVALUATION_SECONDS = 1 / 10  # evaluation points (the loss curves), at most this often
CHUNK_SECONDS = 0.02  # training between looks at the commands
MAX_SPEED_PAUSE_MS = 5  # at full speed, the worker's pause between chunks (the window draws meanwhile)
SAME = "as the run"


# -- the dialog: how the lanes differ -------------------------------------------------------------
class _LaneRow:
    """One lane's settings in the dialog: on or off, and its optimizer, rate, activation, initialiser
    and batch size (each starting at the run's)."""

    def __init__(self, k: int, base: dict, batch_size: int | None):
        self.k = k
        self.enabled = QtWidgets.QCheckBox(f"Lane {k + 1}")
        self.enabled.setAccessibleName(f"Lane {k + 1}")
        self.optimizer = combo_box(list(OPTIMIZERS), tooltips(OPTIMIZERS), "Optimizer")
        self.optimizer.setCurrentText(base["optimizer"]["name"])
        self.lr = QtWidgets.QLineEdit(f"{base['optimizer']['lr']:g}")
        self.activation = combo_box([SAME, *ACTIVATIONS], tooltips(ACTIVATIONS), "Hidden layers' activation")
        self.init = combo_box([SAME, *INITIALIZERS], None, "Initialiser (draws new starting weights)")
        self.batch = QtWidgets.QLineEdit("full" if batch_size is None else str(batch_size))
        for widget, name in ((self.optimizer, "Optimizer"), (self.lr, "Learning rate"),
                             (self.activation, "Activation"), (self.init, "Initialiser"), (self.batch, "Batch size")):
            widget.setAccessibleName(f"Lane {k + 1} {name.lower()}")
        self.enabled.toggled.connect(self._enable)
        self._base, self._batch = base, batch_size
        self._enable(False)

    def widgets(self) -> list[QtWidgets.QWidget]:
        return [self.enabled, self.optimizer, self.lr, self.activation, self.init, self.batch]

    def _enable(self, on: bool) -> None:
        for widget in self.widgets()[1:]:
            widget.setEnabled(on)

    def set(self, changes: dict) -> None:
        """Show ``changes`` (a dict as :class:`~nnviz.core.lanes.Lanes` takes), from the run's settings."""
        self.enabled.setChecked(True)
        optimizer = changes.get("optimizer", self._base["optimizer"]["name"])
        self.optimizer.setCurrentText(optimizer if isinstance(optimizer, str) else optimizer["name"])
        self._options = optimizer if isinstance(optimizer, dict) else None
        self.lr.setText(f"{changes.get('lr', self._base['optimizer']['lr']):g}")
        self.activation.setCurrentText(changes.get("activation", SAME))
        self.init.setCurrentText(changes.get("init", SAME))
        batch = changes.get("batch_size", self._batch)
        self.batch.setText("full" if batch is None else str(batch))

    _options: dict | None = None

    def changes(self) -> dict:
        """The lane's settings: its optimizer and learning rate always (so its name says them: "adam,
        lr 0.01"), and whatever else differs from the run (raises ValueError with a one-line message
        for a bad entry)."""
        out: dict = {}
        name = self.optimizer.currentText()
        if self._options is not None and self._options.get("name") == name:
            out["optimizer"] = dict(self._options)
        elif name == self._base["optimizer"]["name"]:
            out["optimizer"] = dict(self._base["optimizer"])  # the run's, with its options
            out["optimizer"].pop("lr", None)
        else:
            out["optimizer"] = name
        try:
            lr = parse_number(self.lr.text())
        except ValueError:
            lr = math.nan
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"Lane {self.k + 1}: the learning rate must be a positive number, got {self.lr.text()!r}")
        out["lr"] = lr
        if self.activation.currentText() != SAME:
            out["activation"] = self.activation.currentText()
        if self.init.currentText() != SAME:
            out["init"] = self.init.currentText()
        text = self.batch.text().strip().lower()
        batch = None if text in ("full", "") else _whole(text)
        if batch is not None and batch < 1:
            raise ValueError(f"Lane {self.k + 1}: the batch size must be a whole number ≥ 1 or 'full', got {text!r}")
        if batch != self._batch:
            out["batch_size"] = batch
        return out


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


class CompareDialog(QtWidgets.QDialog):
    """Compare runs: up to four lanes from the run's state, each with its own settings."""

    def __init__(self, document: dict, batch_size: int | None, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        intro = QtWidgets.QLabel("Each lane starts from the run as it is now — the same weights and the same "
                                 "batches — and trains with its own settings, in step with the others.")
        intro.setWordWrap(True)
        grid = QtWidgets.QGridLayout()
        for column, title in enumerate(("", "Optimizer", "Learning rate", "Activation", "Initialiser", "Batch size")):
            grid.addWidget(QtWidgets.QLabel(f"<b>{title}</b>"), 0, column)
        self.rows = [_LaneRow(k, document, batch_size) for k in range(MAX_LANES)]
        for row in self.rows:
            for column, widget in enumerate(row.widgets()):
                grid.addWidget(widget, row.k + 1, column)
        self.rows[0].set({})
        self.rows[1].set({})
        self.message = QtWidgets.QLabel("")
        palette_style(self.message, lambda: f"color: {on_window(BACKWARD)};")
        self.race_button = QtWidgets.QPushButton("Optimizer race")
        self.race_button.setAccessibleName("Optimizer race")
        self.race_button.setToolTip("Four lanes: SGD, SGD with momentum, RMSprop and Adam, each at its usual rate")
        self.race_button.clicked.connect(self.optimizer_race)
        buttons = QtWidgets.QDialogButtonBox()
        self.compare_button = buttons.addButton("Compare", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.compare_button.setAccessibleName("Compare")
        cancel = buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(cancel.text().replace("&", ""))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.race_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        name_controls(self)

    def optimizer_race(self) -> None:
        """Four lanes: SGD, SGD with momentum, RMSprop and Adam (nnviz.core.lanes.RACE)."""
        for row, changes in zip(self.rows, RACE):
            row.set(changes)

    def variants(self) -> list[dict]:
        """Each lane switched on: its changes (ValueError with a one-line message for a bad entry)."""
        return [row.changes() for row in self.rows if row.enabled.isChecked()]

    def accept(self) -> None:
        try:
            variants = self.variants()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        if not variants:
            self.message.setText("Switch on at least one lane")
            return
        super().accept()


# -- the worker: the lanes, on a thread of their own ------------------------------------------------
class _LanesWorker(QtCore.QObject):
    """Owns the :class:`~nnviz.core.lanes.Lanes` (created on its thread); trains them while playing."""

    frame = Signal(object)  # list of (label, Snapshot), one per lane
    failed = Signal(str)
    playing_changed = Signal(bool)
    kept = Signal(object, str)  # (document of the lane kept, its label)

    def __init__(self, base: Experiment, variants: list[dict]):
        super().__init__()
        self._base, self._variants = base, variants
        self.lanes: Lanes | None = None
        self.playing = False
        self.speed = 0
        self._done = 0
        self._origin = 0.0
        self._last_publish = self._last_evaluation = -math.inf
        self._timer: QtCore.QTimer | None = None
        self._chunk = 1
        #: written False here when a frame is sent, True by the window once it has drawn it (a bool
        #: store is atomic under the GIL): no frames pile up behind a slow drawing
        self.gui_ready = True

    @Slot()
    def start(self) -> None:
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self._tick)
        try:
            self.lanes = Lanes(self._base, self._variants)
        except Exception as exc:  # noqa: BLE001 - a setting a lane cannot take: one line
            self.failed.emit(one_line(exc))
            return
        self._base = None
        for lane in self.lanes:
            lane.experiment.record_evaluation()
        self._publish()

    @Slot(bool)
    def set_playing(self, on: bool) -> None:
        if self.lanes is None or on == self.playing:
            self.playing_changed.emit(self.playing)
            return
        self.playing = on
        self._done, self._origin = 0, time.perf_counter()
        self.playing_changed.emit(on)
        if on:
            self._timer.start(0)
        else:
            self._timer.stop()
            self._publish(evaluate=True)

    @Slot(float)
    def set_speed(self, speed: float) -> None:
        self.speed = speed
        self._done, self._origin = 0, time.perf_counter()

    @Slot(int)
    def step(self, steps: int) -> None:
        if self.lanes is None:
            return
        self.set_playing(False)
        self._run(steps)
        self._publish(evaluate=True)

    @Slot(int)
    def close_lane(self, index: int) -> None:
        try:
            self.lanes.close(index)
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(one_line(exc))
            return
        self._publish()

    @Slot(int)
    def keep_lane(self, index: int) -> None:
        self.set_playing(False)
        lane = self.lanes[index]
        self.kept.emit(lane.experiment.to_document(), lane.label)

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.playing = False

    def _run(self, steps: int) -> None:
        try:
            self.lanes.run(steps)
        except Exception as exc:  # noqa: BLE001 - one line, and the lanes pause
            self.failed.emit(one_line(exc))
            self.set_playing(False)

    def _tick(self) -> None:
        if not self.playing:
            return
        now = time.perf_counter()
        if self.speed:
            due = int((now - self._origin) * self.speed) - self._done
            steps = max(0, min(due, max(1, int(self.speed * 0.25))))
        else:
            steps = self._chunk
        if steps:
            start = time.perf_counter()
            self._run(steps)
            self._done += steps
            spent = time.perf_counter() - start
            if not self.speed:
                per_step = spent / steps
                self._chunk = max(1, min(int(CHUNK_SECONDS / max(per_step, 1e-7)), 100_000))
        if all(lane.experiment.diverged for lane in self.lanes):
            self.set_playing(False)
            return
        now = time.perf_counter()
        if now - self._last_publish >= PUBLISH_SECONDS and self.gui_ready:
            self._publish(evaluate=now - self._last_evaluation >= EVALUATION_SECONDS)
        if self.speed:
            self._timer.setInterval(max(0, round(1000 / max(self.speed, 1))) if steps == 0 else 0)
        else:  # as fast as it goes, but never without a pause: the window's thread draws meanwhile
            self._timer.setInterval(MAX_SPEED_PAUSE_MS)

    def _publish(self, evaluate: bool = False) -> None:
        now = time.perf_counter()
        self._last_publish = now
        if evaluate:
            self._last_evaluation = now
        try:
            frames = []
            for lane in self.lanes:
                exp = lane.experiment
                if evaluate:
                    exp.record_evaluation()
                frames.append((lane.label, exp.snapshot(evaluate=False)))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(one_line(exc))
            return
        self.gui_ready = False
        self.frame.emit(frames)


# -- the window ----------------------------------------------------------------------------------
class _LaneColumn(QtWidgets.QWidget):
    """One lane: its name (in its colour), Keep and Close, its output, graph and health."""

    def __init__(self, k: int, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.title = QtWidgets.QLabel("")
        self.title.setWordWrap(True)
        self.keep_button = QtWidgets.QPushButton()
        self.keep_button.setToolTip("Make this lane the main run (the comparison ends)")
        self.close_button = QtWidgets.QPushButton()
        self.close_button.setToolTip("Take this lane out of the comparison")
        self.output = OutputPanel()
        self.graph = GraphPanel()
        self.health = HealthStrip()
        self.output.setMinimumHeight(180)
        self.graph.setMinimumHeight(160)
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.keep_button)
        head.addWidget(self.close_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(head)
        layout.addWidget(self.output, 3)
        layout.addWidget(self.graph, 2)
        layout.addWidget(self.health, 0)
        self.set_index(k)

    def set_index(self, k: int) -> None:
        self.k = k
        for button, verb in ((self.keep_button, "Keep"), (self.close_button, "Close")):
            button.setText(f"{verb} lane {k + 1}")
            button.setAccessibleName(button.text())

    def show_lane(self, label: str, snapshot, color: str) -> None:
        state = "  (diverged)" if snapshot.diverged else ""
        self.title.setText(f"<span style='color:{color}'>■</span> <b>Lane {self.k + 1}</b>: {label}{state}")
        for panel in (self.output, self.graph, self.health):
            panel.show_snapshot(snapshot)


class CompareWindow(QtWidgets.QMainWindow):
    """The lanes side by side, their curves over each other, and where two disagree."""

    keep_requested = Signal(object, str)  # (document, label) of the lane to make the main run
    _play = Signal(bool)
    _speed = Signal(float)
    _step = Signal(int)
    _close_lane = Signal(int)
    _keep_lane = Signal(int)
    _stop = Signal()

    def __init__(self, base: Experiment, variants: list[dict], parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Compare runs — {base.raw_train.name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.frames: list = []  # the newest (label, snapshot) of each lane
        self._difference_rect = None
        self.last_message = ""
        self.columns = [_LaneColumn(k) for k in range(len(variants))]
        for column in self.columns:
            column.keep_button.clicked.connect(lambda _=False, c=column: self._keep_lane.emit(c.k))
            column.close_button.clicked.connect(lambda _=False, c=column: self._on_close_clicked(c))

        # toolbar: play, step, speed
        bar = self.addToolBar("Compare")
        bar.setObjectName("compare_toolbar")
        self.act_play = QtGui.QAction("Play", self)
        self.act_play.setCheckable(True)
        self.act_play.setShortcut(QtGui.QKeySequence(Qt.Key.Key_Space))
        self.act_play.triggered.connect(lambda: self._play.emit(self.act_play.isChecked()))
        self.act_step = QtGui.QAction("Step", self)
        self.act_step.setToolTip("One step in every lane")
        self.act_step.triggered.connect(lambda: self._step.emit(1))
        bar.addAction(self.act_play)
        bar.addAction(self.act_step)
        bar.addSeparator()
        bar.addWidget(QtWidgets.QLabel(" Steps / second "))
        self.speed_combo = combo_box([("max" if s == 0 else f"{s:,}") for s in SPEEDS], None, "Steps / second")
        self.speed_combo.setAccessibleName("Steps / second")
        self.speed_combo.setCurrentText("300")
        self.speed_combo.currentIndexChanged.connect(lambda i: self._speed.emit(float(SPEEDS[i])))
        bar.addWidget(self.speed_combo)

        # lanes side by side
        lanes = QtWidgets.QWidget()
        self.lanes_layout = QtWidgets.QHBoxLayout(lanes)
        self.lanes_layout.setContentsMargins(0, 0, 0, 0)
        for column in self.columns:
            self.lanes_layout.addWidget(column, 1)

        # the curves over each other, and the difference of two lanes
        self.curves_view = pg.GraphicsLayoutWidget()
        self.loss_plot = self.curves_view.addPlot(row=0, col=0)
        self.loss_plot.setLabel("left", "test loss")
        for plot_axis in ("left", "bottom"):
            self.loss_plot.getAxis(plot_axis).enableAutoSIPrefix(False)
        self.loss_plot.showGrid(x=True, y=True, alpha=0.25)
        self.loss_plot.setMenuEnabled(False)
        self.accuracy_plot = self.curves_view.addPlot(row=1, col=0)
        self.accuracy_plot.setLabel("left", "test acc")
        self.accuracy_plot.setLabel("bottom", "step")
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.showGrid(x=True, y=True, alpha=0.25)
        self.accuracy_plot.setMenuEnabled(False)
        self.legend = pg.LegendItem(labelTextSize="9pt", brush=pg.mkBrush("#ffffff"), pen=pg.mkPen(GRID_LINE))
        self.curves_view.addItem(self.legend, row=0, col=1, rowspan=2)  # beside the plots, never over them
        self.loss_curves = [self.loss_plot.plot(pen=pg.mkPen(LANE_COLORS[k], width=2)) for k in range(len(variants))]
        for k, curve in enumerate(self.loss_curves):
            self.legend.addItem(curve, f"lane {k + 1}")
        self.accuracy_curves = [self.accuracy_plot.plot(pen=pg.mkPen(LANE_COLORS[k], width=2))
                                for k in range(len(variants))]

        self.difference_view = pg.PlotWidget()
        self.difference_view.setMenuEnabled(False)
        self.difference_view.getViewBox().setAspectLocked(True)
        self.difference_image = pg.ImageItem()
        self.difference_view.addItem(self.difference_image)
        self.difference_a = QtWidgets.QComboBox()
        self.difference_b = QtWidgets.QComboBox()
        self.difference_a.setAccessibleName("Difference of lane")
        self.difference_b.setAccessibleName("and lane")
        for combo, k in ((self.difference_a, 0), (self.difference_b, 1)):
            combo.addItems([f"Lane {i + 1}" for i in range(len(variants))])
            combo.setCurrentIndex(min(k, len(variants) - 1))
            combo.currentIndexChanged.connect(lambda _: self._draw_difference())
        self.difference_note = QtWidgets.QLabel("")
        self.difference_note.setWordWrap(True)
        difference = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(difference)
        box.setContentsMargins(4, 0, 4, 0)
        pick = QtWidgets.QHBoxLayout()
        pick.addWidget(QtWidgets.QLabel("Where"))
        pick.addWidget(self.difference_a)
        pick.addWidget(QtWidgets.QLabel("and"))
        pick.addWidget(self.difference_b)
        pick.addWidget(QtWidgets.QLabel("disagree"))
        pick.addStretch(1)
        box.addLayout(pick)
        box.addWidget(self.difference_view, 1)
        box.addWidget(self.difference_note)

        bottom = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.curves_view)
        bottom.addWidget(difference)
        bottom.setStretchFactor(0, 2)
        bottom.setStretchFactor(1, 1)
        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        split.addWidget(lanes)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.setCentralWidget(split)
        self.status_label = QtWidgets.QLabel("")
        self.statusBar().addPermanentWidget(self.status_label)
        self.resize(1500, 950)

        # the worker on its own thread
        self._thread = QtCore.QThread(self)
        self.worker = _LanesWorker(base, variants)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.start)
        self._play.connect(self.worker.set_playing)
        self._speed.connect(self.worker.set_speed)
        self._step.connect(self.worker.step)
        self._close_lane.connect(self.worker.close_lane)
        self._keep_lane.connect(self.worker.keep_lane)
        self._stop.connect(self.worker.stop)
        self.worker.frame.connect(self._on_frame)
        self.worker.failed.connect(self._on_failed)
        self.worker.playing_changed.connect(self._on_playing_changed)
        self.worker.kept.connect(self._on_kept)
        name_controls(self)
        self._speed.emit(300.0)
        self._thread.start()

    # -- from the worker --------------------------------------------------------------------------
    @Slot(object)
    def _on_frame(self, frames: list) -> None:
        self.frames = frames
        for k, ((label, snapshot), column) in enumerate(zip(frames, self.columns)):
            column.show_lane(label, snapshot, LANE_COLORS[k])
            h = snapshot.history
            loss = h["test_loss"] if snapshot.raw_test is not None else h["train_loss"]
            accuracy = h["test_accuracy"] if snapshot.raw_test is not None else h["train_accuracy"]
            self.loss_curves[k].setData(h["eval_step"], loss)
            self.accuracy_curves[k].setData(h["eval_step"], accuracy)
            item = self.legend.getLabel(self.loss_curves[k])
            if item is not None and item.text != label:
                item.setText(label)
        self.accuracy_plot.setVisible(frames[0][1].task == "classification" if frames else False)
        step = frames[0][1].step if frames else 0
        self.status_label.setText(f"step {step:,}   " + "   ".join(
            f"lane {k + 1}: {_figure(snapshot)}" for k, (_, snapshot) in enumerate(frames)))
        self._draw_difference()
        self.worker.gui_ready = True

    def _draw_difference(self) -> None:
        a, b = self.difference_a.currentIndex(), self.difference_b.currentIndex()
        if not self.frames or max(a, b) >= len(self.frames):
            return
        first, second = self.frames[a][1], self.frames[b][1]
        found = plane_difference(first, second)
        if found is None:
            self.difference_image.clear()
            self.difference_note.setText("The data have no input plane to compare (two inputs are needed).")
            return
        kind, values = found
        x0, x1, y0, y1 = first.grid_extent
        if kind == "classes":
            image = np.zeros(values.shape + (4,), dtype=np.ubyte)
            image[values] = (216, 27, 96, 255)  # where the two lanes predict different classes
            image[~values] = (240, 240, 240, 255)
            self.difference_image.setImage(image, levels=(0, 255))
            share = float(values.mean())
            self.difference_note.setText(f"Lanes {a + 1} and {b + 1} predict different classes on "
                                         f"{100 * share:.1f}% of the plane (red).")
        else:
            self.difference_image.setImage(values, levels=(0.0, max(float(np.nanmax(values)), 1e-12)))
            self.difference_note.setText(f"|output of lane {a + 1} − output of lane {b + 1}|, largest "
                                         f"{float(np.nanmax(values)):.3g}.")
        rect = QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)
        self.difference_image.setRect(rect)
        if rect != self._difference_rect:
            self._difference_rect = rect
            self.difference_view.getViewBox().setRange(rect, padding=0)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.last_message = message
        self.statusBar().showMessage(message, 10000)
        QtWidgets.QMessageBox.warning(self, "Compare runs", message)

    @Slot(bool)
    def _on_playing_changed(self, playing: bool) -> None:
        self.act_play.setChecked(playing)
        self.act_play.setText("Pause" if playing else "Play")

    @Slot(object, str)
    def _on_kept(self, document: dict, label: str) -> None:
        self.keep_requested.emit(document, label)
        self.close()

    def _on_close_clicked(self, column: _LaneColumn) -> None:
        if len(self.columns) == 1:
            self._on_failed("The last lane cannot be closed; close the window to end the comparison")
            return
        k = column.k
        self._close_lane.emit(k)
        self.columns.pop(k)
        column.hide()
        column.deleteLater()
        for curve in (self.loss_curves.pop(k), self.accuracy_curves.pop(k)):
            curve.getViewBox().removeItem(curve) if curve.getViewBox() is not None else None
        self.legend.clear()
        for i, (col, curve) in enumerate(zip(self.columns, self.loss_curves)):
            col.set_index(i)
            curve.setPen(pg.mkPen(LANE_COLORS[i], width=2))
            self.accuracy_curves[i].setPen(pg.mkPen(LANE_COLORS[i], width=2))
            self.legend.addItem(curve, f"lane {i + 1}")
        for combo in (self.difference_a, self.difference_b):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([f"Lane {i + 1}" for i in range(len(self.columns))])
            combo.blockSignals(False)
        self.difference_b.setCurrentIndex(min(1, len(self.columns) - 1))

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._stop.emit()
        self._thread.quit()
        self._thread.wait(5000)
        super().closeEvent(event)


def _figure(snapshot) -> str:
    if snapshot.diverged:
        return "diverged"
    loss = snapshot.test_loss if snapshot.test_loss is not None else snapshot.train_loss
    accuracy = snapshot.test_accuracy if snapshot.test_loss is not None else snapshot.train_accuracy
    text = f"loss {loss:.4g}"
    if snapshot.task == "classification" and accuracy is not None and math.isfinite(accuracy):
        text += f", {100 * accuracy:.1f}%"
    return text
