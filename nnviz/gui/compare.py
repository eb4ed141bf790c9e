"""Compare runs: lanes forked from the run's state, trained in lockstep, shown side by side.

**Compare…** (Train menu) pauses the run and takes a copy of it (``TrainingSession.fork``); the
:class:`CompareDialog` asks how each lane differs (optimizer, learning rate, activation, initialiser,
batch size; **Optimizer race** fills in SGD, momentum, RMSprop and Adam); the :class:`CompareWindow`
forks the lanes (:class:`nnviz.core.lanes.Lanes`) and trains each in a training session of its own
(a training process, as the main run's), in lockstep: every lane takes the same chunk of steps, and
the next chunk goes out once every lane has shown the last. It shows each lane's decision surface
(or fitted curve), graph and health, their loss and accuracy curves over each other, and where two
lanes' decision surfaces disagree, and the loss landscape around one lane's weights with every
lane's path on it. A lane can be closed, or kept as the main run (the window's run takes its
document, state and history).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.document import optimizer_spec
from nnviz.core.experiment import Experiment
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.lanes import MAX_LANES, RACE, Lanes, label, plane_difference, settings_of
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.gui.accessibility import name_controls
from nnviz.gui.controls.training import SPEEDS, speed_text
from nnviz.gui.controls.widgets import combo_box, tooltips
from nnviz.gui.i18n import tr
from nnviz.gui.panels.graph import GraphPanel
from nnviz.gui.panels.health import HealthStrip
from nnviz.gui.panels.inspector import parse_number
from nnviz.gui.panels.landscape import LandscapePanel
from nnviz.gui.panels.output import OutputPanel
from nnviz.gui.session import TrainingSession
from nnviz.gui.style import BACKWARD, GRID_LINE, on_window, palette_style

LANE_COLORS = ("#43a047", "#0877bd", "#e8710a", "#9c27b0")  # lane 1 … lane 4: on light and dark palettes alike
CHUNK_SECONDS = 0.1  # at a set speed, the steps of this long between two pictures (and evaluation points)
FULL_SPEED_CHUNK = (0.15, 0.35)  # as fast as they go: seconds a chunk of steps takes, round trip and picture
MAX_CHUNK = 100_000
SAME = QT_TRANSLATE_NOOP("", "as the run")  # shown as tr(SAME)
FULL = QT_TRANSLATE_NOOP("", "full")  # the whole training set as the batch; shown as tr(FULL)


# -- the dialog: how the lanes differ -------------------------------------------------------------
class _LaneRow:
    """One lane's settings in the dialog: on or off, and its optimizer, rate, activation, initialiser
    and batch size (each starting at the run's)."""

    def __init__(self, k: int, base: dict, batch_size: int | None, rows: int | None = None):
        self.k = k
        self.enabled = QtWidgets.QCheckBox(tr("Lane {number}").format(number=k + 1))
        self.enabled.setAccessibleName(self.enabled.text())
        self._optimizer = optimizer_spec(base)  # the run's, with every option, however the document writes it
        self.optimizer = combo_box(list(OPTIMIZERS), tooltips(OPTIMIZERS), tr("Optimizer"))
        self.optimizer.setCurrentText(self._optimizer["name"])
        self.lr = QtWidgets.QLineEdit(f"{self._optimizer['lr']:g}")
        self.activation = combo_box([tr(SAME), *ACTIVATIONS], tooltips(ACTIVATIONS),
                                    tr("Hidden layers' activation"))
        self.init = combo_box([tr(SAME), *INITIALIZERS], None, tr("Initialiser (draws new starting weights)"))
        self.batch = QtWidgets.QLineEdit(tr(FULL) if batch_size is None else str(batch_size))
        for widget, name in ((self.optimizer, tr("Lane {number} optimizer")),
                             (self.lr, tr("Lane {number} learning rate")),
                             (self.activation, tr("Lane {number} activation")),
                             (self.init, tr("Lane {number} initialiser")),
                             (self.batch, tr("Lane {number} batch size"))):
            widget.setAccessibleName(name.format(number=k + 1))
        self.enabled.toggled.connect(self._enable)
        self._batch, self._rows = batch_size, rows
        self._enable(False)

    def widgets(self) -> list[QtWidgets.QWidget]:
        return [self.enabled, self.optimizer, self.lr, self.activation, self.init, self.batch]

    def _enable(self, on: bool) -> None:
        for widget in self.widgets()[1:]:
            widget.setEnabled(on)

    def set(self, changes: dict) -> None:
        """Show ``changes`` (a dict as :class:`~nnviz.core.lanes.Lanes` takes), from the run's settings."""
        self.enabled.setChecked(True)
        optimizer = changes.get("optimizer", self._optimizer["name"])
        if isinstance(optimizer, dict) and set(optimizer) - {"name", "lr"}:
            # an optimizer with options of its own (the race's SGD with momentum): an item that says them
            spec = {key: value for key, value in optimizer.items() if key != "lr"}
            text = label({"optimizer": spec})
            if self.optimizer.findText(text) < 0:
                self.optimizer.insertItem(0, text, spec)
            self.optimizer.setCurrentIndex(self.optimizer.findText(text))
        else:
            self.optimizer.setCurrentText(optimizer if isinstance(optimizer, str) else optimizer["name"])
        self.lr.setText(f"{changes.get('lr', self._optimizer['lr']):g}")
        self.activation.setCurrentText(changes.get("activation", tr(SAME)))
        self.init.setCurrentText(changes.get("init", tr(SAME)))
        batch = changes.get("batch_size", self._batch)
        self.batch.setText(tr(FULL) if batch is None else str(batch))

    def changes(self) -> dict:
        """The lane's settings: its optimizer and learning rate always (so its name says them: "adam,
        lr 0.01"), and whatever else differs from the run (raises ValueError with a one-line message
        for a bad entry)."""
        out: dict = {}
        name, options = self.optimizer.currentText(), self.optimizer.currentData()
        if isinstance(options, dict):
            out["optimizer"] = dict(options)
        elif name == self._optimizer["name"]:
            out["optimizer"] = dict(self._optimizer)  # the run's, with its options
            out["optimizer"].pop("lr", None)
        else:
            out["optimizer"] = name
        try:
            lr = parse_number(self.lr.text())
        except ValueError:
            lr = math.nan
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(tr("Lane {number}: the learning rate must be a positive number, got {text}")
                             .format(number=self.k + 1, text=repr(self.lr.text())))
        out["lr"] = lr
        if self.activation.currentText() != tr(SAME):
            out["activation"] = self.activation.currentText()
        if self.init.currentText() != tr(SAME):
            out["init"] = self.init.currentText()
        text = self.batch.text().strip().lower()
        batch = None if text in ("full", tr(FULL).lower(), "") else _whole(text)
        if batch is not None and (batch < 1 or (self._rows and batch > self._rows)):
            got = repr(self.batch.text().strip())
            if self._rows:
                message = tr("Lane {number}: the batch size must be a whole number from 1 up to {rows} "
                             "(the training rows) or 'full', got {text}")
            else:
                message = tr("Lane {number}: the batch size must be a whole number from 1 or 'full', got {text}")
            raise ValueError(message.format(number=self.k + 1, rows=f"{self._rows or 0:,}", text=got))
        if batch != self._batch:
            out["batch_size"] = batch
        return out


def _whole(text: str) -> int:
    """A whole number as the controls read numbers ("32", "1e3", "1,000"); -1 for anything else."""
    try:
        value = parse_number(text)
    except ValueError:
        return -1
    return int(value) if math.isfinite(value) and value == int(value) else -1


class CompareDialog(QtWidgets.QDialog):
    """Compare runs: up to four lanes from the run's state, each with its own settings."""

    def __init__(self, document: dict, batch_size: int | None, parent: QtWidgets.QWidget | None = None,
                 rows: int | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Compare runs"))
        intro = QtWidgets.QLabel(tr("Each lane starts from the run as it is now — the same weights and the same "
                                    "batches — and trains with its own settings, in step with the others."))
        intro.setWordWrap(True)
        grid = QtWidgets.QGridLayout()
        titles = ("", tr("Optimizer"), tr("Learning rate"), tr("Activation"), tr("Initialiser"), tr("Batch size"))
        for column, title in enumerate(titles):
            grid.addWidget(QtWidgets.QLabel(f"<b>{title}</b>"), 0, column)
        self.rows = [_LaneRow(k, document, batch_size, rows) for k in range(MAX_LANES)]
        for row in self.rows:
            for column, widget in enumerate(row.widgets()):
                grid.addWidget(widget, row.k + 1, column)
        self.rows[0].set({})
        self.rows[1].set({})
        self.message = QtWidgets.QLabel("")
        palette_style(self.message, lambda: f"color: {on_window(BACKWARD)};")
        self.race_button = QtWidgets.QPushButton(tr("Optimizer race"))
        self.race_button.setToolTip(tr("Four lanes: SGD, SGD with momentum, RMSprop and Adam, each at its usual rate"))
        self.race_button.clicked.connect(self.optimizer_race)
        buttons = QtWidgets.QDialogButtonBox()
        self.compare_button = buttons.addButton(tr("Compare"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)  # named by name_controls, as every button
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
        if len(variants) < 2:
            self.message.setText(tr("Switch on at least two lanes: a comparison needs two runs to set side by side"))
            return
        super().accept()


# -- the window ----------------------------------------------------------------------------------
class _LaneColumn(QtWidgets.QWidget):
    """One lane: its name (in its colour), Keep and Close, its output, graph and health. Its number
    and colour stay when other lanes close."""

    def __init__(self, k: int, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.number, self.color = k + 1, LANE_COLORS[k]
        self.title = QtWidgets.QLabel("")
        self.title.setWordWrap(True)
        self.keep_button = QtWidgets.QPushButton()
        self.keep_button.setToolTip(tr("Make this lane the main run (the comparison ends)"))
        self.close_button = QtWidgets.QPushButton()
        self.close_button.setToolTip(tr("Take this lane out of the comparison"))
        self.output = OutputPanel()
        self.graph = GraphPanel()
        self.health = HealthStrip()
        self.output.setMinimumHeight(180)
        self.graph.setMinimumHeight(160)
        # narrow: the output's check boxes stay in the main window, the health table may scroll
        for box in (self.output.show_test, self.output.discretize, self.output.show_confusion):
            box.hide()
        self.health.compact = True
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
        for button, text in ((self.keep_button, tr("Keep lane {number}")),
                             (self.close_button, tr("Close lane {number}"))):
            button.setText(text.format(number=self.number))
            button.setAccessibleName(button.text())

    @property
    def name(self) -> str:
        return tr("Lane {number}").format(number=self.number)

    def show_lane(self, settings: str, snapshot) -> None:
        state = "  " + tr("(diverged)") if snapshot.diverged else ""
        self.title.setText(f"<span style='color:{self.color}'>■</span> <b>{self.name}</b>: {settings}{state}")
        for panel in (self.output, self.graph, self.health):
            panel.show_snapshot(snapshot)


class CompareWindow(QtWidgets.QMainWindow):
    """The lanes side by side, their curves over each other, and where two disagree."""

    #: a lane to make the main run: {"step", "start", "changes", "label", "to_step", "document", "name"}:
    #: where it parted from the run (the step and flat parameters there), its changes, the run's own
    #: course named by those settings, its step now, the lane as a document, and the lane's name
    keep_requested = Signal(object)

    def __init__(self, base: Experiment, variants: list[dict], parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Compare runs — {data}").format(data=base.raw_train.name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.frames: list = []  # the newest (label, snapshot) of each lane, all at one step
        self.last_message = ""
        self._difference_rect = None
        lanes = Lanes(base, variants)  # raises a one-line error for a setting a lane cannot take
        self.labels = [lane.label for lane in lanes]
        self.changes = [lane.changes for lane in lanes]
        self._base = {"step": base.step, "start": base.net.flat_params.copy(),
                      "labels": [label(settings_of(base, lane.changes)) if lane.changes else tr("the run before")
                                 for lane in lanes]}
        self.columns = [_LaneColumn(k) for k in range(len(lanes))]
        for column in self.columns:
            column.keep_button.clicked.connect(lambda _=False, c=column: self.keep_lane(self.columns.index(c)))
            column.close_button.clicked.connect(lambda _=False, c=column: self.close_lane(self.columns.index(c)))

        # toolbar: play, step, speed
        bar = self.addToolBar(tr("Compare"))
        bar.setObjectName("compare_toolbar")
        self.act_play = QtGui.QAction(tr("Play"), self)
        self.act_play.setCheckable(True)
        self.act_play.setShortcut(QtGui.QKeySequence(Qt.Key.Key_Space))
        self.act_play.setToolTip(tr("Train every lane, in step (Space)"))
        self.act_play.triggered.connect(lambda: self.set_playing(self.act_play.isChecked()))
        self.act_step = QtGui.QAction(tr("Step"), self)
        self.act_step.setToolTip(tr("One step in every lane"))
        self.act_step.triggered.connect(lambda: self.step(1))
        bar.addAction(self.act_play)
        bar.addAction(self.act_step)
        bar.addSeparator()
        speed_label = QtWidgets.QLabel(" " + tr("Steps / second") + " ")
        bar.addWidget(speed_label)
        self.speed_combo = combo_box([speed_text(s) for s in SPEEDS], None, tr("Steps / second"))
        self.speed_combo.setAccessibleName(tr("Steps / second"))
        self.speed_combo.setCurrentText("300")
        self.speed_combo.currentIndexChanged.connect(lambda i: self.set_speed(float(SPEEDS[i])))
        bar.addWidget(self.speed_combo)

        # lanes side by side
        lanes_widget = QtWidgets.QWidget()
        self.lanes_layout = QtWidgets.QHBoxLayout(lanes_widget)
        self.lanes_layout.setContentsMargins(0, 0, 0, 0)
        for column in self.columns:
            self.lanes_layout.addWidget(column, 1)

        # the curves over each other (the legend beside them), and the difference of two lanes
        self.curves_view = pg.GraphicsLayoutWidget()
        self.loss_plot = self.curves_view.addPlot(row=0, col=0)
        self.loss_plot.setLabel("left", tr("test loss"))
        self.accuracy_plot = self.curves_view.addPlot(row=1, col=0)
        self.accuracy_plot.setLabel("left", tr("test acc"))
        self.accuracy_plot.setLabel("bottom", tr("step"))
        self.accuracy_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            for name in ("left", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)
        self.legend = pg.LegendItem(labelTextSize="9pt", brush=pg.mkBrush("#ffffff"), pen=pg.mkPen(GRID_LINE))
        self.curves_view.addItem(self.legend, row=0, col=1, rowspan=2)  # beside the plots, never over them
        # at its own height at the top of the column (stretched over both rows, each entry's swatch
        # and name would drift apart)
        self.legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Fixed)
        self.curves_view.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.loss_curves = [self.loss_plot.plot(pen=pg.mkPen(c.color, width=2)) for c in self.columns]
        self.accuracy_curves = [self.accuracy_plot.plot(pen=pg.mkPen(c.color, width=2)) for c in self.columns]
        for k, curve in enumerate(self.loss_curves):
            self.legend.addItem(curve, self.labels[k])

        self.difference_view = pg.PlotWidget()
        self.difference_view.setMenuEnabled(False)
        self.difference_view.getViewBox().setAspectLocked(True)
        self.difference_image = pg.ImageItem()
        self.difference_view.addItem(self.difference_image)
        self.difference_a = QtWidgets.QComboBox()
        self.difference_b = QtWidgets.QComboBox()
        self.difference_a.setAccessibleName(tr("Difference of lane"))
        self.difference_b.setAccessibleName(tr("and lane"))
        for combo, k in ((self.difference_a, 0), (self.difference_b, 1)):
            combo.addItems([column.name for column in self.columns])
            combo.setCurrentIndex(min(k, len(lanes) - 1))
            combo.currentIndexChanged.connect(lambda _: self._draw_difference())
        self.difference_note = QtWidgets.QLabel("")
        self.difference_note.setWordWrap(True)
        difference = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(difference)
        box.setContentsMargins(4, 0, 4, 0)
        pick = QtWidgets.QHBoxLayout()
        for widget in (QtWidgets.QLabel(tr("Where")), self.difference_a, QtWidgets.QLabel(tr("and")), self.difference_b,
                       QtWidgets.QLabel(tr("disagree"))):
            pick.addWidget(widget)
        pick.addStretch(1)
        box.addLayout(pick)
        box.addWidget(self.difference_view, 1)
        box.addWidget(self.difference_note)

        # the loss landscape around one lane's weights, with every lane's path projected onto it
        self.landscape = LandscapePanel()
        self.landscape_lane = QtWidgets.QComboBox()
        self.landscape_lane.setAccessibleName(tr("Around lane"))
        self.landscape_lane.addItems([column.name for column in self.columns])
        self.landscape_lane.setCurrentIndex(len(lanes) - 1)
        self.landscape_lane.currentIndexChanged.connect(lambda _: self._show_landscape_lane())
        self.landscape.compute_button.clicked.connect(self._request_paths)
        self._paths: dict = {}
        around = QtWidgets.QHBoxLayout()
        around.addWidget(QtWidgets.QLabel(tr("Around")))
        around.addWidget(self.landscape_lane)
        around.addWidget(QtWidgets.QLabel(tr("(every lane's path drawn on its plane)")))
        around.addStretch(1)
        landscape = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(landscape)
        box.setContentsMargins(4, 0, 4, 0)
        box.addLayout(around)
        box.addWidget(self.landscape, 1)
        self.side_tabs = QtWidgets.QTabWidget()
        self.side_tabs.addTab(difference, tr("Difference"))
        self.side_tabs.addTab(landscape, tr("Landscape"))
        self._landscape_tab = landscape
        self._sizes_before_landscape: tuple[list[int], list[int]] | None = None
        self.side_tabs.currentChanged.connect(self._on_side_tab_changed)

        self.bottom_split = bottom = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.curves_view)
        bottom.addWidget(self.side_tabs)
        bottom.setStretchFactor(0, 2)
        bottom.setStretchFactor(1, 1)
        self.split = split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        split.addWidget(lanes_widget)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.setCentralWidget(split)
        self.status_label = QtWidgets.QLabel("")
        self.statusBar().addPermanentWidget(self.status_label)
        self.resize(1500, 950)

        # a training session (a process, as the main run's) per lane, driven in lockstep
        self.sessions = [TrainingSession(experiment=lane.experiment, parent=self) for lane in lanes]
        self.snapshots: list = [None] * len(self.sessions)
        for session in self.sessions:
            session.snapshot_ready.connect(lambda snap, s=session: self._on_lane_snapshot(s, snap))
            session.failed.connect(self._on_failed)
            session.forked.connect(lambda exp, s=session: self._on_forked(s, exp))
            session.path_ready.connect(lambda steps, params, s=session: self._on_path(s, steps, params))
        self.playing = False
        self.speed = 300.0
        self.target = base.step  # the step every lane shows before the next chunk goes out
        self._chunk = 16
        self._sent_at = 0.0
        self._sent_steps = 0
        self._pace = QtCore.QTimer(self)  # at a set speed: when the next chunk is due
        self._pace.setSingleShot(True)
        self._pace.timeout.connect(self._send_chunk)
        name_controls(self)

    # -- lockstep -----------------------------------------------------------------------------------
    def set_playing(self, on: bool) -> None:
        """Train every lane a chunk of steps at a time, all in step, until paused."""
        self.playing = bool(on)
        self.act_play.setChecked(self.playing)
        self.act_play.setText(tr("Pause") if self.playing else tr("Play"))
        if not self.playing:
            self._pace.stop()
        elif self._all_shown():
            self._send_chunk()

    def set_speed(self, steps_per_second: float) -> None:
        """Steps a second each lane takes while playing (0: as fast as they go)."""
        self.speed = float(steps_per_second)

    def step(self, steps: int = 1) -> None:
        """``steps`` steps in every lane (playing stops)."""
        self.set_playing(False)
        if self._all_shown():
            self._send(steps)

    def _live(self) -> list[int]:
        """The lanes still training (one that diverged stops; the others go on)."""
        return [k for k, snap in enumerate(self.snapshots) if snap is None or not snap.diverged]

    def _all_shown(self) -> bool:
        return all(self.snapshots[k] is not None and self.snapshots[k].step >= self.target for k in self._live())

    def _send_chunk(self) -> None:
        if self.playing:
            self._send(max(1, round(self.speed * CHUNK_SECONDS)) if self.speed else self._chunk)

    def _send(self, steps: int) -> None:
        live = self._live()
        if not live:
            self.set_playing(False)
            return
        self.target += steps
        self._sent_at, self._sent_steps = time.perf_counter(), steps
        for k in live:
            self.sessions[k].step(steps)

    @Slot(object, object)
    def _on_lane_snapshot(self, session, snapshot) -> None:
        if session not in self.sessions:
            return
        self.snapshots[self.sessions.index(session)] = snapshot
        if not self._all_shown() or any(s is None for s in self.snapshots):
            return
        spent = time.perf_counter() - self._sent_at
        if self._sent_steps == self._chunk:  # as fast as they go: chunks of FULL_SPEED_CHUNK seconds
            low, high = FULL_SPEED_CHUNK
            if spent < low:  # mostly the round trip: more steps a chunk
                self._chunk = min(MAX_CHUNK, 2 * self._chunk)
            elif spent > high:
                self._chunk = max(1, self._chunk // 2)
        frames = [(label, snap) for label, snap in zip(self.labels, self.snapshots)]
        if self.playing:  # the lanes train on while this picture is drawn
            if self.speed:
                self._pace.start(max(0, round(1000 * (self._sent_steps / self.speed - spent))))
            else:
                self._send_chunk()
        self._show(frames)

    # -- drawing ------------------------------------------------------------------------------------
    def _show(self, frames: list) -> None:
        self.frames = frames
        for k, ((name, snapshot), column) in enumerate(zip(frames, self.columns)):
            column.show_lane(name, snapshot)
            h = snapshot.history
            held_out = snapshot.raw_test is not None
            self.loss_curves[k].setData(h["eval_step"], h["test_loss"] if held_out else h["train_loss"])
            self.accuracy_curves[k].setData(h["eval_step"], h["test_accuracy"] if held_out else h["train_accuracy"])
        self.accuracy_plot.setVisible(bool(frames) and frames[0][1].task == "classification")
        if frames:  # the curves are of the test set, or of the training rows where none is held out
            held_out = frames[0][1].raw_test is not None
            self.loss_plot.setLabel("left", tr("test loss") if held_out else tr("train loss"))
            self.accuracy_plot.setLabel("left", tr("test acc") if held_out else tr("train acc"))
        step = max((snapshot.step for _, snapshot in frames), default=0)
        self.status_label.setText(tr("step {step}").format(step=f"{step:,}") + "   " + "   ".join(
            tr("lane {number}: {figure}").format(number=k + 1, figure=_figure(snapshot))
            for k, (_, snapshot) in enumerate(frames)))
        self._draw_difference()
        self._show_landscape_lane()

    # -- the landscape ------------------------------------------------------------------------------
    def _on_side_tab_changed(self, index: int) -> None:
        """The landscape needs room the difference does not: its tab takes the larger share of the
        window while it is raised (the sizes before come back with the other tab)."""
        landscape = self.side_tabs.widget(index) is self._landscape_tab
        if landscape and self._sizes_before_landscape is None:
            self._sizes_before_landscape = (self.split.sizes(), self.bottom_split.sizes())
            height, width = sum(self.split.sizes()), sum(self.bottom_split.sizes())
            self.split.setSizes([round(0.42 * height), height - round(0.42 * height)])
            self.bottom_split.setSizes([round(0.4 * width), width - round(0.4 * width)])
        elif not landscape and self._sizes_before_landscape is not None:
            vertical, horizontal = self._sizes_before_landscape
            self._sizes_before_landscape = None
            self.split.setSizes(vertical)
            self.bottom_split.setSizes(horizontal)

    def _show_landscape_lane(self) -> None:
        k = self.landscape_lane.currentIndex()
        if 0 <= k < len(self.frames):
            self.landscape.show_snapshot(self.frames[k][1])

    def _request_paths(self) -> None:
        """Compute: every lane's path so far (each from its own training process)."""
        self._paths = {}
        for session in self.sessions:
            session.path()

    def _on_path(self, session, steps, params) -> None:
        if session not in self.sessions:
            return
        self._paths[self.sessions.index(session)] = (steps, params)
        if len(self._paths) == len(self.sessions):
            self.landscape.set_paths([(self.labels[k], *self._paths[k]) for k in sorted(self._paths)])

    def _draw_difference(self) -> None:
        a, b = self.difference_a.currentIndex(), self.difference_b.currentIndex()
        if not self.frames or max(a, b) >= len(self.frames) or min(a, b) < 0:
            return
        first, second = self.frames[a][1], self.frames[b][1]
        found = plane_difference(first, second)
        if found is None:
            self.difference_image.clear()
            self.difference_note.setText(tr("The data have no input plane to compare (two inputs are needed)."))
            return
        kind, values = found
        x0, x1, y0, y1 = first.grid_extent
        if kind == "classes":
            image = np.zeros(values.shape + (4,), dtype=np.ubyte)
            image[values] = (216, 27, 96, 255)  # where the two lanes predict different classes
            image[~values] = (240, 240, 240, 255)
            self.difference_image.setImage(image, levels=(0, 255))
            self.difference_note.setText(tr("Lanes {a} and {b} predict different classes on {percent}% of the "
                                            "plane (red).").format(a=self.columns[a].number, b=self.columns[b].number,
                                                                   percent=f"{100 * float(values.mean()):.1f}"))
        else:
            top = max(float(np.nanmax(values)), 1e-12)
            self.difference_image.setImage(values, levels=(0.0, top))
            self.difference_note.setText(tr("|output of lane {a} − output of lane {b}|, largest {top}.")
                                         .format(a=self.columns[a].number, b=self.columns[b].number, top=f"{top:.3g}"))
        rect = QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)
        self.difference_image.setRect(rect)
        if rect != self._difference_rect:
            self._difference_rect = rect
            self.difference_view.getViewBox().setRange(rect, padding=0)

    # -- lanes ----------------------------------------------------------------------------------------
    def keep_lane(self, k: int) -> None:
        """Make lane ``k`` the main run (a copy of it comes back, then the window closes)."""
        self.set_playing(False)
        self.sessions[k].fork()

    def _on_forked(self, session, experiment) -> None:
        if session in self.sessions:
            k = self.sessions.index(session)
            self.keep_requested.emit({"step": self._base["step"], "start": self._base["start"],
                                      "changes": self.changes[k], "label": self._base["labels"][k],
                                      "to_step": experiment.step, "document": experiment.to_document(),
                                      "name": self.labels[k]})
            self.close()

    def close_lane(self, k: int) -> None:
        """Take lane ``k`` out of the comparison (its training process ends)."""
        if len(self.columns) == 1:
            self._on_failed(tr("The last lane cannot be closed; close the window to end the comparison"))
            return
        session, column = self.sessions.pop(k), self.columns.pop(k)
        session.shutdown(1000)
        session.deleteLater()
        for lst in (self.snapshots, self.labels, self.changes, self._base["labels"]):
            lst.pop(k)
        column.hide()
        column.deleteLater()
        for curve in (self.loss_curves.pop(k), self.accuracy_curves.pop(k)):
            curve.getViewBox().removeItem(curve)
        self.legend.clear()
        for curve, name in zip(self.loss_curves, self.labels):
            self.legend.addItem(curve, name)
        for combo in (self.difference_a, self.difference_b, self.landscape_lane):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([column.name for column in self.columns])
            combo.blockSignals(False)
        self.difference_b.setCurrentIndex(min(1, len(self.columns) - 1))
        self.landscape_lane.setCurrentIndex(len(self.columns) - 1)
        # the remaining lanes' paths stay on the landscape
        self._paths = {i - (i > k): path for i, path in self._paths.items() if i != k}
        self.landscape.set_paths([(self.labels[i], *self._paths[i]) for i in sorted(self._paths)])
        if self.frames:
            self._show([(label, snap) for label, snap in zip(self.labels, self.snapshots)])
        if self.playing and self._all_shown():
            self._send_chunk()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.last_message = message
        self.statusBar().showMessage(message, 10000)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._pace.stop()
        self.playing = False
        for session in self.sessions:
            session.shutdown(1000)
        super().closeEvent(event)


def _figure(snapshot) -> str:
    if snapshot.diverged:
        return tr("diverged")
    loss = snapshot.test_loss if snapshot.test_loss is not None else snapshot.train_loss
    accuracy = snapshot.test_accuracy if snapshot.test_loss is not None else snapshot.train_accuracy
    text = tr("loss {loss}").format(loss=f"{loss:.4g}")
    if snapshot.task == "classification" and accuracy is not None and math.isfinite(accuracy):
        text += f", {100 * accuracy:.1f}%"
    return text
