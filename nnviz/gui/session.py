"""The training session: an :class:`~nnviz.core.experiment.Experiment` on a worker thread.

The GUI never touches the experiment. It sends commands (``play``, ``step``, ``set_training`` …)
through :meth:`TrainingSession.send`; they are queued to the worker's event loop and applied between
chunks of optimizer steps. The worker publishes immutable snapshots at most ``max_fps`` times a
second however fast it trains; the session keeps only the newest and re-emits it once per turn of
the GUI's event loop, so a slow panel never makes snapshots pile up.

Thread invariants: ``_Worker`` and its experiment live on the worker thread and are touched only by
slots running there. The only state shared across threads is ``_Worker.stop_requested`` (a bool,
written by the GUI, read by the worker) and the immutable snapshots.
"""

from __future__ import annotations

import time
import threading
import traceback
import weakref

from PySide6 import QtCore
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nnviz.core.document import atomic_write_text, dumps
from nnviz.core.errors import NnvizError
from nnviz.core.experiment import DataConfig, Experiment, Snapshot
from nnviz.core.walkthrough import walk_next_step


def one_line(exc: BaseException) -> str:
    """A one-line message for an exception: the user's problem as is, anything else with its type."""
    text = " ".join(str(exc).split())
    if isinstance(exc, NnvizError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Worker(QObject):
    """Runs on the worker thread; owns the experiment."""

    snapshot_ready = Signal(object)
    state_changed = Signal(object)  # dict: document, data, input_names, outputs
    playing_changed = Signal(bool)
    diverged = Signal(str)
    failed = Signal(str)
    saved = Signal(str)
    rate_measured = Signal(float)  # optimizer steps per second while playing
    walk_ready = Signal(object)  # WalkState: the next step traced, while step-through is on

    #: commands after which the step-through shows the step afresh
    CHANGES = frozenset({"step", "step_epoch", "reset", "set_training", "set_layers", "set_data",
                         "set_parameter", "load_document", "set_sample", "walk_commit"})
    #: seconds of training between looks at the command queue when running at full speed
    CHUNK_SECONDS = 0.004
    #: seconds between evaluation points (train/test loss and accuracy) while training
    EVALUATION_SECONDS = 0.1

    def __init__(self, document: dict | None, data: DataConfig | None, max_fps: float):
        super().__init__()
        self._document, self._data = document, data
        self.experiment: Experiment | None = None
        self.stop_requested = False
        # Set by the GUI thread when it has drawn the last snapshot and may take another: the
        # worker builds no snapshot nobody will draw (back-pressure).
        self.gui_ready = True
        # Cleared by the GUI thread while it draws a frame: the worker waits rather than fight
        # for the GIL, which would make the frame (and every event behind it) several times slower.
        self.not_drawing = threading.Event()
        self.not_drawing.set()
        self.playing = False
        self.steps_per_frame = 0  # 0: as fast as possible
        self._min_interval = 1.0 / max_fps
        self._last_publish = 0.0
        self._last_evaluation = 0.0
        self._chunk = 1
        self._rate_steps, self._rate_start = 0, time.perf_counter()
        self._timer: QTimer | None = None
        self.walking = False
        self.neurons = False

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_tick)
        try:
            self.experiment = Experiment(self._document, self._data)
        except Exception as exc:  # a bad start-up model: fall back to the default, and say so
            self.failed.emit(one_line(exc))
            self.experiment = Experiment()
        self._emit_state()
        self._publish()

    @Slot()
    def stop(self) -> None:
        """Stop the timer and end the thread's event loop (runs on the worker thread)."""
        self.playing = False
        if self._timer is not None:
            self._timer.stop()
        self.thread().quit()

    # -- commands ---------------------------------------------------------------------------------
    @Slot(object)
    def execute(self, command: tuple) -> None:
        name, args, kwargs = command
        try:
            getattr(self, "_cmd_" + name)(*args, **kwargs)
            if self.walking and name in self.CHANGES:
                self._emit_walk(committed=name in ("step", "step_epoch", "walk_commit", "reset",
                                                   "load_document", "set_layers", "set_data"))
        except Exception as exc:
            self._set_playing(False)
            self.failed.emit(one_line(exc))
            if not isinstance(exc, NnvizError):
                traceback.print_exc()  # a bug: keep the details for a report, as well as the dialog

    def _cmd_play(self):
        self._set_playing(True)

    def _cmd_pause(self):
        self._set_playing(False)

    def _cmd_toggle(self):
        self._set_playing(not self.playing)

    def _cmd_step(self, steps: int = 1):
        self._set_playing(False)
        self.experiment.run(steps)
        self._after_steps()

    def _cmd_step_epoch(self):
        self._set_playing(False)
        self.experiment.run_epoch()
        self._after_steps()

    def _cmd_reset(self):
        self.experiment.reset()
        self._publish()

    def _cmd_set_speed(self, steps_per_frame: int):
        self.steps_per_frame = int(steps_per_frame)
        if self.playing:
            self._timer.start(0 if self.steps_per_frame == 0 else int(self._min_interval * 1000))

    def _cmd_set_training(self, **changes):
        self.experiment.set_training(**changes)
        self._emit_state()
        self._publish()

    def _cmd_set_layers(self, layers):
        self.experiment.set_layers(layers)
        self._emit_state()
        self._publish()

    def _cmd_set_data(self, data):
        self.experiment.set_data(data)
        self._emit_state()
        self._publish()

    def _cmd_set_parameter(self, name, index, value):
        self.experiment.set_parameter(name, index, value)
        self._publish()

    def _cmd_load_document(self, document):
        self._set_playing(False)
        self.experiment.load_document(document)
        self._emit_state()
        self._publish()

    def _cmd_save(self, path: str):
        atomic_write_text(path, dumps(self.experiment.to_document()))
        self.saved.emit(path)

    def _cmd_publish(self):
        self._publish()

    def _cmd_walk(self, enabled: bool, neurons: bool = False):
        """Step-through on or off; on, training pauses and the next step is traced."""
        was_walking = self.walking
        self.walking, self.neurons = bool(enabled), bool(neurons)
        if self.walking:
            self._set_playing(False)
            self._emit_walk(committed=not was_walking)

    def _cmd_walk_commit(self):
        """Take the step the walkthrough showed (the same numbers, bit for bit)."""
        self._cmd_step(1)

    def _cmd_set_sample(self, row: int, column: int, value: float, target: bool = False):
        self.experiment.set_sample(row, column, value, target=target)
        self._emit_state()  # the data's rows changed (saved with inline data)
        self._publish()

    def _emit_walk(self, committed: bool = False) -> None:
        exp = self.experiment
        class_indices = exp.net.loss.name == "cross_entropy" and exp.raw_train.y.shape[1] == 1
        self.walk_ready.emit(walk_next_step(exp.net, exp.trainer, neurons=self.neurons, committed=committed,
                                            class_indices=class_indices))

    # -- the training loop ------------------------------------------------------------------------
    def _set_playing(self, playing: bool) -> None:
        if playing and self.experiment.diverged:
            self.diverged.emit(self._divergence_message())
            playing = False
        if playing == self.playing:
            return
        self.playing = playing
        if playing:
            self._rate_steps, self._rate_start = 0, time.perf_counter()
            self._timer.start(0 if self.steps_per_frame == 0 else int(self._min_interval * 1000))
        else:
            self._timer.stop()
            self._publish()
        self.playing_changed.emit(playing)

    @Slot()
    def _on_tick(self) -> None:
        if self.stop_requested or not self.playing:
            return
        self.not_drawing.wait(0.25)  # bounded: a frame that never ends must not stop training
        try:
            if self.steps_per_frame:
                self.experiment.run_fast(self.steps_per_frame)
                steps = self.steps_per_frame
            else:
                start = time.perf_counter()
                self.experiment.run_fast(self._chunk)
                steps = self._chunk
                elapsed = time.perf_counter() - start
                # size the next chunk to about CHUNK_SECONDS of work
                per_step = max(elapsed / steps, 1e-7)
                self._chunk = max(1, min(int(self.CHUNK_SECONDS / per_step), 100_000))
        except Exception as exc:
            self._set_playing(False)
            self.failed.emit(one_line(exc))
            return
        self._rate_steps += steps
        now = time.perf_counter()
        if now - self._last_evaluation >= self.EVALUATION_SECONDS:
            # loss curves get points at a steady rate, however few frames a slow machine draws
            self._last_evaluation = now
            self.experiment.record_evaluation()
        if self.experiment.diverged:
            self._set_playing(False)
            self.diverged.emit(self._divergence_message())
            return
        if self.gui_ready and now - self._last_publish >= self._min_interval:
            self.gui_ready = False
            self._publish()
            span = now - self._rate_start
            if span > 0.25:
                self.rate_measured.emit(self._rate_steps / span)
                self._rate_steps, self._rate_start = 0, now

    def _after_steps(self) -> None:
        if self.experiment.diverged:
            self.diverged.emit(self._divergence_message())
        self._publish()

    def _divergence_message(self) -> str:
        lr = self.experiment.net.lr
        return (f"Training diverged at step {self.experiment.step}: the loss is no longer a "
                f"finite number. Try a smaller learning rate (it is {lr:g}), then Reset.")

    def _publish(self) -> None:
        self._last_publish = time.perf_counter()
        self.snapshot_ready.emit(self.experiment.snapshot())

    def _emit_state(self) -> None:
        exp = self.experiment
        self.state_changed.emit({"document": exp.document_copy(), "data": exp.data,
                                 "input_names": exp.input_names, "outputs": exp.net.outputs})


class TrainingSession(QObject):
    """The GUI's handle on training. Create it on the GUI thread; it starts its own worker thread.

    Signals (emitted on the GUI thread): ``snapshot_ready(Snapshot)`` — the newest snapshot, at most
    once per event-loop turn; ``state_changed(dict)``; ``playing_changed(bool)``; ``diverged(str)``;
    ``failed(str)``; ``saved(str)``; ``rate_measured(float)``.
    """

    snapshot_ready = Signal(object)
    state_changed = Signal(object)
    playing_changed = Signal(bool)
    diverged = Signal(str)
    failed = Signal(str)
    saved = Signal(str)
    rate_measured = Signal(float)
    walk_ready = Signal(object)
    _command_sent = Signal(object)
    _instances: "weakref.WeakSet[TrainingSession]" = weakref.WeakSet()

    def __init__(self, document: dict | None = None, data: DataConfig | None = None,
                 max_fps: float = 30.0, draw_share: float = 0.15, parent: QObject | None = None):
        super().__init__(parent)
        TrainingSession._instances.add(self)
        self.latest: Snapshot | None = None
        #: the largest share of the GUI thread's time that drawing snapshots may take while training
        self.draw_share = draw_share
        self.frame_seconds = 0.0
        self.snapshots_received = 0
        self.snapshots_shown = 0
        self.playing = False
        self._pending = False
        self._thread = QThread()
        self._thread.setObjectName("nnviz-training")
        self._worker = _Worker(document, data, max_fps)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._command_sent.connect(self._worker.execute, QtCore.Qt.ConnectionType.QueuedConnection)
        w = self._worker
        w.snapshot_ready.connect(self._on_snapshot_ready)
        w.state_changed.connect(self.state_changed)
        w.playing_changed.connect(self._on_playing_changed)
        w.diverged.connect(self.diverged)
        w.failed.connect(self.failed)
        w.saved.connect(self.saved)
        w.rate_measured.connect(self.rate_measured)
        w.walk_ready.connect(self.walk_ready)
        self._thread.start()

    def send(self, name: str, *args, **kwargs) -> None:
        """Queue a command for the worker: play, pause, toggle, step, step_epoch, reset, set_speed,
        set_training, set_layers, set_data, set_parameter, load_document, save, publish, walk,
        walk_commit, set_sample."""
        if not hasattr(_Worker, "_cmd_" + name):
            raise ValueError(f"unknown command {name!r}")
        self._command_sent.emit((name, args, kwargs))

    @Slot(object)
    def _on_snapshot_ready(self, snapshot: Snapshot) -> None:
        # Keep only the newest; draw once when the event loop is next idle.
        self.latest = snapshot
        self.snapshots_received += 1
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._emit_latest)

    def _emit_latest(self) -> None:
        self._pending = False
        if self.latest is not None:
            self.snapshots_shown += 1
            start = time.perf_counter()
            self._worker.not_drawing.clear()
            try:
                self.snapshot_ready.emit(self.latest)
            finally:
                # A zero timer fires once the paint events this frame caused have been handled.
                QTimer.singleShot(0, lambda: self._on_frame_drawn(time.perf_counter() - start))

    def _on_frame_drawn(self, seconds: float) -> None:
        """Let the worker go on, and ask for the next snapshot when drawing has had no more than
        ``draw_share`` of the time: a slow machine draws fewer frames but keeps training fast."""
        self._worker.not_drawing.set()
        self.frame_seconds = seconds
        wait = max(0.0, seconds / self.draw_share - seconds)
        QTimer.singleShot(int(1000 * wait), self._on_ready_for_next)

    def _on_ready_for_next(self) -> None:
        self._worker.gui_ready = True

    @Slot(bool)
    def _on_playing_changed(self, playing: bool) -> None:
        self.playing = playing
        self.playing_changed.emit(playing)

    @classmethod
    def instances(cls) -> list["TrainingSession"]:
        """Sessions still alive (tests check that none leaves its thread running)."""
        return list(cls._instances)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop training and end the worker thread; True if it ended within ``timeout_ms``."""
        if not self._thread.isRunning():
            return True
        self._worker.stop_requested = True  # the worker's next tick returns at once
        QtCore.QMetaObject.invokeMethod(self._worker, "stop", QtCore.Qt.ConnectionType.QueuedConnection)
        return self._thread.wait(timeout_ms)
