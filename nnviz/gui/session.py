"""The training session: an :class:`~nnviz.core.experiment.Experiment` on a worker thread.

The GUI never touches the experiment. It calls typed methods of :class:`TrainingSession`
(``play()``, ``step()``, ``set_training(lr=...)`` …); each queues one command (a call of a bound
``_Worker`` method) to the worker's event loop, and the worker applies them in order, between chunks
of optimizer steps. The worker publishes immutable snapshots at most ``max_fps`` times a second
however fast it trains; the session keeps only the newest and re-emits it once per turn of the
GUI's event loop, so a slow panel never makes snapshots pile up.

Thread invariants. ``_Worker`` is built on the GUI thread before its thread starts, then moved to
it; from then on it, its experiment and its timer are touched only by slots running on the worker
thread (``start``, ``stop``, ``execute``, the timer's tick). Its ``playing``, ``walking``,
``neurons``, ``steps_per_frame`` and chunk and rate bookkeeping are worker-only; the session's
``latest``, ``playing``, ``max_speed``, ``frame_seconds`` and counters are GUI-only. What crosses
the threads:

- ``_Worker.stop_requested`` (bool): written ``True`` once by the GUI (``shutdown``), read by the
  worker's tick. A bool store is atomic under the GIL; a stale read costs one more chunk at most.
- ``_Worker.gui_ready`` (bool): the worker writes ``False`` when it publishes from its tick, the GUI
  writes ``True`` once it has drawn a frame (and, at full speed, waited out its draw share:
  back-pressure). Every ``False`` comes with a snapshot whose drawing writes ``True`` again, so a
  write lost to the race costs one frame, never a stall.
- ``_Worker.not_drawing`` (``threading.Event``, thread-safe): cleared by the GUI while it draws a
  frame, set after; the worker waits on it (bounded) before each chunk rather than fight for the GIL.
- Commands, through the queued ``_command_sent`` signal: each is a bound ``_Worker`` method with its
  arguments, called only by ``execute`` on the worker thread. The arguments (and the start-up model)
  are immutable (numbers, strings, tuples, the frozen ``DataConfig``) or deep copies made on the GUI
  thread (layers, documents, training settings), so the GUI never shares a mutable object with the
  worker.
- What the worker emits, through queued signals: snapshots (read-only arrays, built afresh);
  state dicts (a fresh deep copy of the document, the frozen ``DataConfig`` whose imported rows
  ``set_sample`` copies on write, a tuple of input names, ints and a bool); ``WalkState`` (frozen, traced
  afresh and never kept by the worker); and plain str, bool and float values.
"""

from __future__ import annotations

import copy
import os
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6 import QtCore
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nnviz.core.data import takes_class_indices
from nnviz.core.document import atomic_write_text, dumps
from nnviz.core.errors import NnvizError
from nnviz.core.experiment import DataConfig, Experiment, Snapshot
from nnviz.core.walkthrough import walk_next_step

#: a publish is due once this share of the interval has passed: a timer of the interval, rounded to
#: whole milliseconds (33 ms for 30 Hz), meets the test on every tick, not every other one
PUBLISH_TOLERANCE = 0.9


def publish_due(elapsed: float, interval: float) -> bool:
    """Whether ``elapsed`` seconds since the last publish are enough for a snapshot every ``interval``."""
    return elapsed >= PUBLISH_TOLERANCE * interval


def draw_share_wait(frame_seconds: float, draw_share: float, max_speed: bool) -> float:
    """Seconds to wait after a frame before asking for the next one.

    At full speed training pauses while a frame is drawn (painting holds the GIL), so drawing may
    take only ``draw_share`` of the time; at a fixed speed the frames set the pace of training and
    are never held back.
    """
    if not max_speed:
        return 0.0
    return max(0.0, frame_seconds / draw_share - frame_seconds)


def one_line(exc: BaseException) -> str:
    """A one-line message for an exception: the user's problem as is, anything else with its type."""
    text = " ".join(str(exc).split())
    if isinstance(exc, NnvizError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Worker(QObject):
    """Runs on the worker thread; owns the experiment."""

    snapshot_ready = Signal(object)
    state_changed = Signal(object)  # dict: document, data, input_names, outputs, held_out, rows, unsplit
    playing_changed = Signal(bool)
    diverged = Signal(str)
    failed = Signal(str)
    noticed = Signal(str)  # one line: what a command adjusted to fit (the loss for the data, say)
    saved = Signal(str)
    rate_measured = Signal(float)  # optimizer steps per second while playing
    walk_ready = Signal(object)  # WalkState: the next step traced, while step-through is on

    #: seconds of training between looks at the command queue when running at full speed
    CHUNK_SECONDS = 0.004
    #: seconds between evaluation points (train/test loss and accuracy) while training
    EVALUATION_SECONDS = 0.1

    def __init__(self, document: dict | None, data: DataConfig | None, max_fps: float,
                 clock: Callable[[], float] = time.perf_counter):
        super().__init__()
        self._clock = clock  # seconds; a test passes its own
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
        self._rate_steps, self._rate_start = 0, self._clock()
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
        self.publish()

    @Slot()
    def stop(self) -> None:
        """Stop the timer and end the thread's event loop (runs on the worker thread)."""
        self.playing = False
        if self._timer is not None:
            self._timer.stop()
        self.thread().quit()

    # -- commands (each runs on the worker thread, queued by a TrainingSession method) -------------
    @Slot(object)
    def execute(self, command: Callable[[], None]) -> None:
        """Apply one queued command; a failure pauses training, shows the state in force again (so
        a refused choice reverts in the controls) and is reported in one line."""
        try:
            command()
        except Exception as exc:
            self._set_playing(False)
            self._emit_state()
            self.failed.emit(one_line(exc))
            if not isinstance(exc, NnvizError):
                traceback.print_exc()  # a bug: keep the details for a report, as well as the dialog

    def play(self) -> None:
        self._set_playing(True)

    def pause(self) -> None:
        self._set_playing(False)

    def toggle(self) -> None:
        self._set_playing(not self.playing)

    def step(self, steps: int = 1) -> None:
        self._set_playing(False)
        self.experiment.run(steps)
        self._after_steps()
        self._retrace(committed=True)

    def step_epoch(self) -> None:
        self._set_playing(False)
        self.experiment.run_epoch()
        self._after_steps()
        self._retrace(committed=True)

    def reset(self) -> None:
        self.experiment.reset()
        self.publish()
        self._retrace(committed=True)

    def set_speed(self, steps_per_frame: int) -> None:
        self.steps_per_frame = int(steps_per_frame)
        if self.playing:
            self._timer.start(0 if self.steps_per_frame == 0 else int(self._min_interval * 1000))

    def set_training(self, changes: dict) -> None:
        self._notice(self.experiment.set_training(**changes))
        self._emit_state()
        self.publish()
        self._retrace(committed=False)

    def set_layers(self, layers: list[dict]) -> None:
        self._notice(self.experiment.set_layers(layers))
        self._emit_state()
        self.publish()
        self._retrace(committed=True)

    def set_data(self, data: DataConfig) -> None:
        self._notice(self.experiment.set_data(data))
        self._emit_state()
        self.publish()
        self._retrace(committed=True)

    def edit_parameter(self, name: str, index: tuple[int, ...], value: float) -> None:
        self.experiment.set_parameter(name, index, value)
        self.publish()
        self._retrace(committed=False)

    def load_document(self, document: dict, folder: str | None = None) -> None:
        self._set_playing(False)
        self._notice(self.experiment.load_document(document, folder))
        self._emit_state()
        self.publish()
        self._retrace(committed=True)

    def save(self, path: str) -> None:
        atomic_write_text(path, dumps(self.experiment.to_document(folder=Path(path).parent)))
        self.saved.emit(path)

    def publish(self) -> None:
        """Emit a snapshot of the experiment as it is now."""
        self._last_publish = self._clock()
        self.snapshot_ready.emit(self.experiment.snapshot())

    def walk(self, enabled: bool, neurons: bool = False) -> None:
        """Step-through on or off; on, training pauses and the next step is traced."""
        was_walking = self.walking
        self.walking, self.neurons = bool(enabled), bool(neurons)
        if self.walking:
            self._set_playing(False)
            self._emit_walk(committed=not was_walking)

    def walk_commit(self) -> None:
        """Take the step the walkthrough showed (the same numbers, bit for bit)."""
        self.step(1)

    def edit_sample(self, row: int, column: int, value: float, target: bool = False) -> None:
        self.experiment.set_sample(row, column, value, target=target)
        self._emit_state()  # the data's rows changed (saved with inline data)
        self.publish()
        self._retrace(committed=False)

    def _notice(self, note: str | None) -> None:
        """Pass on what a command adjusted to fit, if anything (None: nothing to say)."""
        if note:
            self.noticed.emit(note)

    def _retrace(self, committed: bool) -> None:
        """While stepping through, trace the next step again, for it changed; ``committed``: a new
        step or model, so the view starts again at its first operation."""
        if self.walking:
            self._emit_walk(committed=committed)

    def _emit_walk(self, committed: bool = False) -> None:
        exp = self.experiment
        self.walk_ready.emit(walk_next_step(exp.net, exp.trainer, neurons=self.neurons, committed=committed,
                                            class_indices=takes_class_indices(exp.net, exp.raw_train)))

    # -- the training loop ------------------------------------------------------------------------
    def _set_playing(self, playing: bool) -> None:
        if playing and self.experiment.diverged:
            self.diverged.emit(self._divergence_message())
            playing = False
        if playing == self.playing:
            return
        self.playing = playing
        if playing:
            self._rate_steps, self._rate_start = 0, self._clock()
            self._timer.start(0 if self.steps_per_frame == 0 else int(self._min_interval * 1000))
        else:
            self._timer.stop()
            self.publish()
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
                start = self._clock()
                self.experiment.run_fast(self._chunk)
                steps = self._chunk
                elapsed = self._clock() - start
                # size the next chunk to about CHUNK_SECONDS of work
                per_step = max(elapsed / steps, 1e-7)
                self._chunk = max(1, min(int(self.CHUNK_SECONDS / per_step), 100_000))
        except Exception as exc:
            self._set_playing(False)
            self.failed.emit(one_line(exc))
            return
        self._rate_steps += steps
        now = self._clock()
        if now - self._last_evaluation >= self.EVALUATION_SECONDS:
            # loss curves get points at a steady rate, however few frames a slow machine draws
            self._last_evaluation = now
            self.experiment.record_evaluation()
        if self.experiment.diverged:
            self._set_playing(False)
            self.diverged.emit(self._divergence_message())
            return
        if self.gui_ready and publish_due(now - self._last_publish, self._min_interval):
            self.gui_ready = False
            self.publish()
            span = now - self._rate_start
            if span > 0.25:
                self.rate_measured.emit(self._rate_steps / span)
                self._rate_steps, self._rate_start = 0, now

    def _after_steps(self) -> None:
        if self.experiment.diverged:
            self.diverged.emit(self._divergence_message())
        self.publish()

    def _divergence_message(self) -> str:
        lr = self.experiment.net.lr
        return (f"Training diverged at step {self.experiment.step}: the loss is no longer a "
                f"finite number. Try a smaller learning rate (it is {lr:g}), then Reset.")

    def _emit_state(self) -> None:
        exp = self.experiment
        # held_out False with a test fraction > 0: too few rows to split (a truth table), so every
        # row is trained and evaluated on
        self.state_changed.emit({"document": exp.document_copy(), "data": exp.data,
                                 "input_names": exp.input_names, "outputs": exp.net.outputs,
                                 "held_out": exp.raw_test is not None, "rows": len(exp.raw_train),
                                 "unsplit": exp.unsplit_reason})


class TrainingSession(QObject):
    """The GUI's handle on training. Create it on the GUI thread; it starts its own worker thread.

    Signals (emitted on the GUI thread): ``snapshot_ready(Snapshot)`` — the newest snapshot, at most
    once per event-loop turn; ``state_changed(dict)`` — the state in force (after every command that
    changes it, and after every failed command); ``playing_changed(bool)``; ``diverged(str)``;
    ``failed(str)``; ``noticed(str)`` — what ``set_data``/``set_training``/``set_layers``/
    ``load_document`` adjusted to fit or started again; ``saved(str)``; ``rate_measured(float)``;
    ``walk_ready(WalkState)``. Commands are its methods (``play()``, ``set_training(lr=0.1)`` …),
    queued to the worker and applied in order.

    The state dict: ``document`` (a deep copy), ``data`` (the frozen ``DataConfig``), ``input_names``,
    ``outputs``, ``held_out`` (whether test rows are held out) and ``rows`` (training rows).
    """

    snapshot_ready = Signal(object)
    state_changed = Signal(object)
    playing_changed = Signal(bool)
    diverged = Signal(str)
    failed = Signal(str)
    noticed = Signal(str)
    saved = Signal(str)
    rate_measured = Signal(float)
    walk_ready = Signal(object)
    _command_sent = Signal(object)
    _instances: weakref.WeakSet[TrainingSession] = weakref.WeakSet()

    def __init__(self, document: dict | None = None, data: DataConfig | None = None,
                 max_fps: float = 30.0, draw_share: float = 0.15, parent: QObject | None = None):
        super().__init__(parent)
        TrainingSession._instances.add(self)
        self.latest: Snapshot | None = None
        #: the largest share of the GUI thread's time that drawing snapshots may take while training
        #: at full speed (at a fixed speed frames are not held back)
        self.draw_share = draw_share
        self.max_speed = True  # what set_speed last asked for (the worker starts at full speed)
        self.frame_seconds = 0.0
        self.snapshots_received = 0
        self.snapshots_shown = 0
        self.playing = False
        self._pending = False
        self._thread = QThread()
        self._thread.setObjectName("nnviz-training")
        self._worker = _Worker(copy.deepcopy(document), data, max_fps)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._command_sent.connect(self._worker.execute, QtCore.Qt.ConnectionType.QueuedConnection)
        w = self._worker
        w.snapshot_ready.connect(self._on_snapshot_ready)
        w.state_changed.connect(self.state_changed)
        w.playing_changed.connect(self._on_playing_changed)
        w.diverged.connect(self.diverged)
        w.failed.connect(self.failed)
        w.noticed.connect(self.noticed)
        w.saved.connect(self.saved)
        w.rate_measured.connect(self.rate_measured)
        w.walk_ready.connect(self.walk_ready)
        self._thread.start()

    # -- commands: each queues one call to the worker, applied between steps, in order -------------
    def play(self) -> None:
        """Start training (a diverged run stays paused and says so)."""
        self._queue(self._worker.play)

    def pause(self) -> None:
        """Stop training after the current chunk of steps."""
        self._queue(self._worker.pause)

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        self._queue(self._worker.toggle)

    def step(self, steps: int = 1) -> None:
        """Pause and take ``steps`` optimizer steps, recording each."""
        self._queue(self._worker.step, steps)

    def step_epoch(self) -> None:
        """Pause and train for one epoch."""
        self._queue(self._worker.step_epoch)

    def reset(self) -> None:
        """Start the run again from the model's seed, keeping its settings."""
        self._queue(self._worker.reset)

    def set_speed(self, steps_per_frame: int) -> None:
        """Train ``steps_per_frame`` steps per frame while playing; 0 for as fast as possible."""
        self.max_speed = steps_per_frame == 0
        self._queue(self._worker.set_speed, steps_per_frame)

    def set_training(self, **changes: Any) -> None:
        """Change training settings, keeping the weights: ``lr``, ``optimizer``, ``loss``,
        ``regularization``, ``clip_grad_norm``, ``schedule``, ``seed``."""
        self._queue(self._worker.set_training, copy.deepcopy(changes))

    def set_layers(self, layers: list[dict]) -> None:
        """Replace the architecture by these layer specs; the run starts again."""
        self._queue(self._worker.set_layers, copy.deepcopy(layers))

    def set_data(self, data: DataConfig) -> None:
        """Train on other data (a frozen config, so it is shared as is); the run starts again."""
        self._queue(self._worker.set_data, data)

    def edit_parameter(self, name: str, index: tuple[int, ...], value: float) -> None:
        """Set one number of a parameter, e.g. ``("layers[0].weight", (1, 0), 0.5)``."""
        self._queue(self._worker.edit_parameter, name, index, value)

    def load_document(self, document: dict, folder: str | os.PathLike[str] | None = None) -> None:
        """Pause and replace the model (and maybe the data) by a model document; ``folder``: the
        model file's, where a CSV file its data entry names is found."""
        self._queue(self._worker.load_document, copy.deepcopy(document), None if folder is None else str(folder))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model document to ``path`` atomically; ``saved`` or ``failed`` follows."""
        self._queue(self._worker.save, str(path))

    def publish(self) -> None:
        """Ask for a snapshot of the experiment as it is now."""
        self._queue(self._worker.publish)

    def walk(self, enabled: bool, neurons: bool = False) -> None:
        """Step-through on (training pauses, ``walk_ready`` follows) or off; ``neurons``: per unit."""
        self._queue(self._worker.walk, enabled, neurons)

    def walk_commit(self) -> None:
        """Take the step the step-through showed."""
        self._queue(self._worker.walk_commit)

    def edit_sample(self, row: int, column: int, value: float, target: bool = False) -> None:
        """Set one number of training row ``row``: input ``column``, or target ``column`` if ``target``."""
        self._queue(self._worker.edit_sample, row, column, value, target)

    def _queue(self, method: Callable[..., None], *args: Any) -> None:
        # The worker's own bound method travels with its arguments; the queued connection runs it
        # on the worker thread, after the commands queued before it.
        self._command_sent.emit(partial(method, *args))

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
        """Let the worker go on, and ask for the next snapshot at once at a fixed speed, or at full
        speed when drawing has had no more than ``draw_share`` of the time: a slow machine draws
        fewer frames but keeps training fast."""
        self._worker.not_drawing.set()
        self.frame_seconds = seconds
        wait = draw_share_wait(seconds, self.draw_share, self.max_speed)
        if wait > 0:
            QTimer.singleShot(int(1000 * wait), self._on_ready_for_next)
        else:
            self._on_ready_for_next()

    def _on_ready_for_next(self) -> None:
        self._worker.gui_ready = True

    @Slot(bool)
    def _on_playing_changed(self, playing: bool) -> None:
        self.playing = playing
        self.playing_changed.emit(playing)

    @classmethod
    def instances(cls) -> list[TrainingSession]:
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
