"""The training session: the GUI's one handle on training, wherever the training runs.

The GUI never touches the experiment being trained. It calls typed methods of
:class:`TrainingSession` (``play()``, ``step()``, ``set_training(lr=...)`` …); each sends one
command, by name, to an :class:`~nnviz.core.engine.Engine`, which applies them in order between
chunks of steps, and the session re-emits what the engine reports as Qt signals on the GUI thread.
Panels only ever see the immutable snapshots of ``snapshot_ready``.

The engine runs in one of two places:

* **a training process** (the default; :mod:`nnviz.training_process`): the child trains and
  writes frames to shared memory; the session polls its pipe from the GUI's event loop, takes each
  frame into its replica of the experiment and builds the snapshot from the replica, once per turn
  of the event loop, so a slow frame never holds training back nor makes frames pile up. A child
  that dies is started again from the replica, with a message; one that cannot start at all, or
  dies again and again, leaves the session on a thread.
* **a worker thread** (``threaded=True``, ``nnviz --threaded``, or the fallback): today's design.
  Painting holds Python's lock, so at full speed training pauses while a frame is drawn and drawing
  may take only ``draw_share`` of the time.

Thread invariants of the threaded engine. ``_Worker`` is built on the GUI thread before its thread
starts, then moved to it; from then on it, its engine and experiment and its timer are touched only
by slots running on the worker thread. What crosses the threads:

- ``_Worker.stop_requested`` (bool): written ``True`` once by the GUI (``shutdown``), read by the
  worker's tick. A bool store is atomic under the GIL; a stale read costs one more chunk at most.
- ``_Worker.gui_ready`` (bool): the worker writes ``False`` when it publishes from its tick, the GUI
  writes ``True`` once it has drawn a frame (and, at full speed, waited out its draw share:
  back-pressure). Every ``False`` comes with a snapshot whose drawing writes ``True`` again, so a
  write lost to the race costs one frame, never a stall.
- ``_Worker.not_drawing`` (``threading.Event``, thread-safe): cleared by the GUI while it draws a
  frame, set after; the worker waits on it (bounded) before each chunk rather than fight for the GIL.
- Commands, through ``_Worker.post``: the GUI appends a command name and its arguments to the
  worker's inbox under its lock and, if none is on its way, queues one ``drain``; ``drain`` (on the
  worker thread) takes every command waiting and applies them together (``Engine.execute_all``: a
  burst costs one snapshot). The arguments (and the start-up experiment) are immutable or deep
  copies made on the GUI thread, so the GUI never shares a mutable object with the worker.
- What the worker emits, through queued signals: snapshots (read-only arrays, built afresh), state
  dicts (a fresh deep copy of the document, the frozen ``DataConfig``, …), ``WalkState`` (frozen,
  traced afresh) and plain values.
"""

from __future__ import annotations

import copy
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import shiboken6
from PySide6 import QtCore
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nnviz.core.engine import Engine, one_line, publish_due, state_of  # noqa: F401 - one_line, publish_due: re-exported
from nnviz.core.experiment import DataConfig, Experiment, Snapshot
from nnviz.gui.i18n import tr


def draw_share_wait(frame_seconds: float, draw_share: float, max_speed: bool) -> float:
    """Seconds to wait after a frame before asking for the next one (threaded engine only).

    At full speed training pauses while a frame is drawn (painting holds the GIL), so drawing may
    take only ``draw_share`` of the time; at a fixed speed frames are never held back.
    """
    if not max_speed:
        return 0.0
    return max(0.0, frame_seconds / draw_share - frame_seconds)


class _SignalPublisher:
    """The threaded engine's publisher: a snapshot through a queued signal, when the GUI is ready."""

    def __init__(self, worker: _Worker, max_fps: float):
        self._worker = worker
        self.interval = 1.0 / max_fps

    def ready(self) -> bool:
        return self._worker.gui_ready

    def publish(self, experiment: Experiment, fresh: bool) -> None:
        if not fresh:
            self._worker.gui_ready = False  # from the training loop: wait until it is drawn
        self._worker.snapshot_ready.emit(experiment.snapshot(evaluate=fresh), self._worker.engine.ticket)

    def rebuilt(self, command: str) -> None:
        pass


class _Worker(QObject):
    """Runs on the worker thread; owns the engine (threaded sessions only)."""

    snapshot_ready = Signal(object, int)  # (snapshot, publish ticket)
    event = Signal(str, object)  # what the engine emits: (kind, value)

    def __init__(self, experiment: Experiment, max_fps: float, clock: Callable[[], float] = time.perf_counter):
        super().__init__()
        self.stop_requested = False
        # Set by the GUI thread when it has drawn the last snapshot and may take another.
        self.gui_ready = True
        # Cleared by the GUI thread while it draws a frame: the worker waits rather than fight
        # for the GIL, which would make the frame (and every event behind it) several times slower.
        self.not_drawing = threading.Event()
        self.not_drawing.set()
        self.engine = Engine(experiment, self.event.emit, _SignalPublisher(self, max_fps), clock,
                             should_stop=lambda: self.stop_requested)
        self._timer: QTimer | None = None
        self._inbox: list[tuple[str, tuple]] = []
        self._inbox_lock = threading.Lock()
        self._drain_posted = False

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_tick)
        self.engine.emit_state()
        self.engine.execute("publish")

    @Slot()
    def stop(self) -> None:
        """Stop the timer and end the thread's event loop (runs on the worker thread)."""
        self.engine.playing = False
        if self._timer is not None:
            self._timer.stop()
        self.thread().quit()

    def post(self, name: str, args: tuple) -> None:
        """Queue a command (called on the GUI thread): applied by :meth:`drain` with any others waiting."""
        with self._inbox_lock:
            self._inbox.append((name, args))
            if self._drain_posted:
                return
            self._drain_posted = True
        QtCore.QMetaObject.invokeMethod(self, "drain", QtCore.Qt.ConnectionType.QueuedConnection)

    @Slot()
    def drain(self) -> None:
        with self._inbox_lock:
            commands, self._inbox = self._inbox, []
            self._drain_posted = False
        if self.stop_requested:
            return
        self.engine.execute_all(commands)
        self._schedule(0.0 if self.engine.playing else None)

    @Slot()
    def _on_tick(self) -> None:
        if self.stop_requested:
            return
        self.not_drawing.wait(0.25)  # bounded: a frame that never ends must not stop training
        self._schedule(self.engine.tick())

    def _schedule(self, wait: float | None) -> None:
        if wait is None:
            self._timer.stop()
        else:
            self._timer.start(max(0, round(1000 * wait)))


class _ThreadEngine(QObject):
    """An engine on a worker thread of this process."""

    def __init__(self, session: TrainingSession, experiment: Experiment, max_fps: float):
        super().__init__(session)
        self._session = session
        self._thread = QThread()
        self._thread.setObjectName("nnviz-training")
        self.worker = _Worker(experiment, max_fps)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.start)
        self.worker.snapshot_ready.connect(session._on_snapshot_ready)
        self.worker.event.connect(session._on_event)
        self._thread.start()

    child_pid = None

    def send(self, name: str, args: tuple) -> None:
        self.worker.post(name, args)

    def drawing(self, on: bool) -> None:
        if on:
            self.worker.not_drawing.clear()
        else:
            self.worker.not_drawing.set()

    def drawn(self, seconds: float) -> None:
        """Ask for the next snapshot at once at a fixed speed, or at full speed once drawing has had
        no more than ``draw_share`` of the time: a slow machine draws fewer frames but trains fast."""
        wait = draw_share_wait(seconds, self._session.draw_share, self._session.max_speed)
        if wait > 0:
            QTimer.singleShot(int(1000 * wait), self._ready)
        else:
            self._ready()

    def _ready(self) -> None:
        self.worker.gui_ready = True

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self, timeout_ms: int) -> bool:
        if not self._thread.isRunning():
            return True
        self.worker.stop_requested = True  # the worker's next tick returns at once
        QtCore.QMetaObject.invokeMethod(self.worker, "stop", QtCore.Qt.ConnectionType.QueuedConnection)
        return self._thread.wait(timeout_ms)


class _ProcessEngine(QObject):
    """An engine in a training process of its own, polled from the GUI's event loop."""

    #: milliseconds between looks at the pipe (a frame at 60 Hz is never kept waiting a whole one)
    POLL_MS = 4
    #: the largest share of the GUI thread's time that drawing frames longer than QUICK_FRAME seconds
    #: may take: the rest stays free for the person (typing, hovering and menus answer within a
    #: frame). Quick frames come as fast as the training process sends them. Training never waits.
    DRAW_SHARE, QUICK_FRAME = 0.75, 0.012
    #: seconds of a poll's handling after which the events left wait for the next poll, so a burst of
    #: them (a state, a frame drawn before it, another state…) never holds the event loop for long
    POLL_BUDGET = 0.02
    #: a child that died this many times within RESTART_WINDOW seconds is not started again
    RESTARTS, RESTART_WINDOW = 3, 30.0

    def __init__(self, session: TrainingSession, experiment: Experiment):
        from threadpoolctl import threadpool_limits

        from nnviz.training_process import TrainingProcess

        super().__init__(session)
        # One BLAS thread here, as in the training process: two would spin on the core it trains on
        # (a 64-32-10 net at full speed drew 8 frames a second instead of 30).
        threadpool_limits(1, user_api="blas")
        self._session = session
        self._deaths: list[float] = []
        self._walking = (False, False)
        self.process = TrainingProcess(experiment)
        self._timer = QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._poll)
        self._timer.start(self.POLL_MS)
        self._fresh = False
        self._backlog: list[tuple[str, object]] = []  # events received, not yet handled

    @property
    def child_pid(self) -> int | None:
        return self.process.pid

    def send(self, name: str, args: tuple) -> None:
        if name == "walk":
            self._walking = (bool(args[0]), bool(args[1]) if len(args) > 1 else False)
        try:
            self.process.send(name, *args)
        except Exception as exc:  # noqa: BLE001 - a plug-in the process cannot import: train here
            self._session._fall_back(self.process.replica,
                                     tr("Training goes on in the app's own process: the training process cannot "
                                        "take it ({reason}).").format(reason=one_line(exc)))
            self._session._engine.send(name, args)

    def drawing(self, on: bool) -> None:
        pass

    def drawn(self, seconds: float) -> None:
        """Ask for the next frame at once after a quick one, else once drawing has had no more
        than DRAW_SHARE of the time."""
        wait = seconds / self.DRAW_SHARE - seconds if seconds > self.QUICK_FRAME else 0.0
        process = self.process
        if wait > 0.001:
            QTimer.singleShot(round(1000 * wait), process.acknowledge)
        else:
            process.acknowledge()

    def _poll(self) -> None:
        try:
            events = self._backlog + self.process.receive()
        except (EOFError, OSError):
            self._died()
            return
        self._backlog = []
        session = self._session
        start = time.perf_counter()
        for index, (kind, value) in enumerate(events):
            if kind == "frame":
                self._fresh = True
                continue
            self._take_frame(now=True)  # what came before this event is drawn before it
            if kind == "crashed":
                session.failed.emit(tr("Training stopped: {reason}").format(reason=value))
            else:
                session._on_event(kind, value)
            if time.perf_counter() - start > self.POLL_BUDGET and index + 1 < len(events):
                self._backlog = events[index + 1:]  # the rest after the person's turn
                return
        self._take_frame()
        if not self.process.alive() and not events:
            self._died()

    def _take_frame(self, now: bool = False) -> None:
        """Build the snapshot of the newest frame, if one came (one per poll, however many came)."""
        if self._fresh:
            self._fresh = False
            self._session._on_snapshot_ready(self.process.replica.snapshot(evaluate=False), self.process.ticket,
                                             now)

    def _died(self) -> None:
        """The child is gone though nobody asked it to go: start another from the replica."""
        session, replica = self._session, self.process.replica
        code = self.process.process.exitcode
        self.process.stop(0.1)
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < self.RESTART_WINDOW] + [now]
        how = " " + tr("(exit code {code})").format(code=code) if code else ""
        session._on_event("playing", False)
        if len(self._deaths) >= self.RESTARTS:
            session._fall_back(replica, tr("The training process stopped unexpectedly{how} again; training goes on "
                                           "in the app's own process from step {step}.").format(how=how,
                                                                                                 step=replica.step))
            return
        from nnviz.training_process import TrainingProcess

        self.process = TrainingProcess(replica)
        self.process.send("set_speed", session.speed)
        if self._walking[0]:
            self.process.send("walk", *self._walking)
        session.failed.emit(tr("The training process stopped unexpectedly{how}; it was started again from step "
                               "{step}.").format(how=how, step=replica.step))

    def is_running(self) -> bool:
        return self.process.alive()

    def shutdown(self, timeout_ms: int) -> bool:
        self._timer.stop()
        return self.process.stop(timeout_ms / 1000)


class TrainingSession(QObject):
    """The GUI's handle on training. Create it on the GUI thread; it starts its training process
    (or, ``threaded``, its worker thread).

    Signals (emitted on the GUI thread): ``snapshot_ready(Snapshot)`` — the newest snapshot, at most
    once per event-loop turn; ``state_changed(dict)`` — the state in force (after every command that
    changes it, and after every failed command); ``playing_changed(bool)``; ``diverged(str)``;
    ``failed(str)``; ``noticed(str)`` — what ``set_data``/``set_training``/``set_layers``/
    ``load_document`` adjusted to fit or started again; ``saved(str)``; ``rate_measured(float)``;
    ``walk_ready(WalkState)``; ``view_ready(Snapshot | None)`` — a past step of the run (the
    timeline), or None when the present is shown again. Commands are its methods (``play()``,
    ``set_training(lr=0.1)`` …), applied in order.

    The state dict: ``document`` (a deep copy), ``data`` (the frozen ``DataConfig``), ``input_names``,
    ``outputs``, ``held_out`` (whether test rows are held out), ``rows`` (training rows) and
    ``unsplit`` (why the rows are not split, or "").
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
    view_ready = Signal(object)  # a past step's Snapshot (the timeline), or None: the present again
    forked = Signal(object)  # a copy of the run (an Experiment of the GUI thread's own), after fork()
    path_ready = Signal(object, object)  # (steps, (k, P) parameters): the optimizer's path, after path()
    exported = Signal(object)  # the paths export_code() wrote: the script or notebook first
    _command_sent = Signal(str, object)
    _instances: weakref.WeakSet[TrainingSession] = weakref.WeakSet()
    #: train on a worker thread rather than in a process of its own (``nnviz --threaded``)
    threaded_by_default = False

    def __init__(self, document: dict | None = None, data: DataConfig | None = None,
                 max_fps: float = 30.0, draw_share: float = 0.15, parent: QObject | None = None,
                 threaded: bool | None = None, experiment: Experiment | None = None):
        super().__init__(parent)
        TrainingSession._instances.add(self)
        self.latest: Snapshot | None = None
        #: the largest share of the GUI thread's time that drawing may take while training at full
        #: speed on a worker thread (a training process is never held back)
        self.draw_share = draw_share
        self.speed = 0  # what set_speed last asked for (the engine starts at full speed)
        self.frame_seconds = 0.0
        self.snapshots_received = 0
        self.snapshots_shown = 0
        self._tickets = self._latest_ticket = 0
        self.shown_ticket = 0  #: the newest publish ticket (see publish) a drawn snapshot answered
        self.playing = False
        self._pending = False
        self._frame = 0  # the number of the frame emitted last
        self._held: tuple[int, int, float] | None = None  # (frame, ticket, start) of a frame still drawing
        self._max_fps = max_fps
        # ``experiment``: train this one (a lane of a comparison), given away to the session
        experiment, problem = (experiment, "") if experiment is not None else self._first_experiment(document, data)
        threaded = self.threaded_by_default if threaded is None else threaded
        self._engine = None
        if not threaded:
            try:
                self._engine = _ProcessEngine(self, experiment)
            except Exception as exc:  # noqa: BLE001 - no process on this machine: train on a thread
                problem = problem or tr("Training runs in the app's own process: a training process could not "
                                        "start ({reason}).").format(reason=one_line(exc))
        if self._engine is None:
            self._engine = _ThreadEngine(self, experiment, max_fps)
        else:
            # the first frame at once, the state once whoever made the session has connected to it
            state = state_of(experiment)
            # (a session closed before then, a lane of a comparison closed at once, hears nothing)
            QTimer.singleShot(0, lambda: shiboken6.isValid(self) and self._on_event("state", state))
            self._on_snapshot_ready(experiment.snapshot())
        if problem:
            QTimer.singleShot(0, lambda: shiboken6.isValid(self) and self.failed.emit(problem))

    @staticmethod
    def _first_experiment(document: dict | None, data: DataConfig | None) -> tuple[Experiment, str]:
        """The experiment to start with, and what went wrong if it is not the one asked for."""
        try:
            return Experiment(copy.deepcopy(document), data), ""
        except Exception as exc:  # noqa: BLE001 - a bad start-up model: fall back to the default, and say so
            return Experiment(), one_line(exc)

    @property
    def max_speed(self) -> bool:
        """Whether training runs as fast as it can."""
        return self.speed == 0

    @property
    def child_pid(self) -> int | None:
        """The training process's PID (None when training runs on a thread of this process)."""
        return self._engine.child_pid

    @property
    def in_process(self) -> bool:
        """Whether training runs in a process of its own."""
        return isinstance(self._engine, _ProcessEngine)

    # -- commands: each is applied between steps, in order -------------------------------------------
    def play(self) -> None:
        """Start training (a diverged run stays paused and says so)."""
        self._send("play")

    def pause(self) -> None:
        """Stop training after the current chunk of steps."""
        self._send("pause")

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        self._send("toggle")

    def step(self, steps: int = 1) -> None:
        """Pause and take ``steps`` optimizer steps, recording each."""
        self._send("step", steps)

    def step_epoch(self) -> None:
        """Pause and train for one epoch."""
        self._send("step_epoch")

    def reset(self) -> None:
        """Start the run again from the model's seed, keeping its settings."""
        self._send("reset")

    def set_speed(self, steps_per_second: float) -> None:
        """Train ``steps_per_second`` optimizer steps a second while playing; 0 for as fast as possible."""
        self.speed = steps_per_second
        self._send("set_speed", steps_per_second)

    def set_training(self, **changes: Any) -> None:
        """Change training settings, keeping the weights: ``lr``, ``optimizer``, ``loss``,
        ``regularization``, ``clip_grad_norm``, ``schedule``, ``seed``."""
        self._send("set_training", copy.deepcopy(changes))

    def set_layers(self, layers: list[dict]) -> None:
        """Replace the architecture by these layer specs; the run starts again."""
        self._send("set_layers", copy.deepcopy(layers))

    def set_data(self, data: DataConfig) -> None:
        """Train on other data (a frozen config, so it is shared as is); the run starts again."""
        self._send("set_data", data)

    def edit_parameter(self, name: str, index: tuple[int, ...], value: float) -> None:
        """Set one number of a parameter, e.g. ``("layers[0].weight", (1, 0), 0.5)``."""
        self._send("edit_parameter", name, tuple(index), value)

    def load_document(self, document: dict, folder: str | os.PathLike[str] | None = None) -> None:
        """Pause and replace the model (and maybe the data) by a model document; ``folder``: the
        model file's, where a CSV file its data entry names is found."""
        self._send("load_document", copy.deepcopy(document), None if folder is None else str(folder))

    def save(self, path: str | os.PathLike[str], teaching: dict | None = None) -> None:
        """Write the model document to ``path`` atomically; ``saved`` or ``failed`` follows.
        ``teaching``: lesson and exercise sections the model carries from now on (Save as lesson…)."""
        if teaching is None:
            self._send("save", str(path))
        else:
            self._send("save", str(path), copy.deepcopy(teaching))

    def export_code(self, path: str | os.PathLike[str]) -> None:
        """Write a PyTorch script (``.py``) or notebook (``.ipynb``) that goes on from the run as it
        stands, atomically; ``exported`` (the paths written) or ``failed`` follows."""
        self._send("export_code", str(path))

    def publish(self) -> int:
        """Ask for a snapshot of the experiment as it is now; returns its ticket: once
        :attr:`shown_ticket` reaches it, the snapshot drawn shows every command sent before."""
        self._tickets += 1
        self._send("publish", self._tickets)
        return self._tickets

    def walk(self, enabled: bool, neurons: bool = False) -> None:
        """Step-through on (training pauses, ``walk_ready`` follows) or off; ``neurons``: per unit."""
        self._send("walk", enabled, neurons)

    def walk_commit(self) -> None:
        """Take the step the step-through showed."""
        self._send("walk_commit")

    def edit_sample(self, row: int, column: int, value: float, target: bool = False) -> None:
        """Set one number of training row ``row``: input ``column``, or target ``column`` if ``target``."""
        self._send("edit_sample", row, column, value, target)

    def view(self, step: int | None) -> None:
        """Show ``step`` of the run as it was (training pauses; ``view_ready(Snapshot)`` follows), or
        None for the present again (``view_ready(None)``)."""
        self._send("view", None if step is None else int(step))

    def path(self, step: int | None = None) -> None:
        """Ask for the optimizer's path so far, or up to past ``step`` (``path_ready(steps, params)``
        follows): the timeline's keyframes and the state at the end, for the loss landscape."""
        self._send("path", None if step is None else int(step))

    def fork(self, step: int | None = None) -> None:
        """Pause, and get a copy of the run as it is, or as it was at past ``step`` (``forked(Experiment)``
        follows): the start of a comparison."""
        self._send("fork", None if step is None else int(step))

    def branch(self, step: int, changes: dict, label: str) -> None:
        """Go back to ``step`` and train on from there with ``changes`` (training settings, as
        :meth:`set_training` takes them); the course left stays on the loss panel as ``label``."""
        self._send("branch", int(step), copy.deepcopy(changes), str(label))

    def keep(self, step: int, start, changes: dict, label: str, to_step: int, document: dict) -> None:
        """Make a lane of a comparison the run (see :meth:`~nnviz.core.engine.Engine.keep`): the lane
        that parted at ``step`` from parameters ``start`` with ``changes``, now at ``to_step``; the
        run's own course from there is kept as ``label``; ``document`` is the lane as it is."""
        self._send("keep", int(step), np.array(start, copy=True), copy.deepcopy(changes), str(label), int(to_step),
                   copy.deepcopy(document))

    def _send(self, name: str, *args: Any) -> None:
        self._command_sent.emit(name, args)  # for whoever watches (tests)
        self._engine.send(name, args)

    # -- what the engine reports -----------------------------------------------------------------
    @Slot(str, object)
    def _on_event(self, kind: str, value: object) -> None:
        if kind == "playing":
            self.playing = bool(value)
            self.playing_changed.emit(self.playing)
            return
        if kind == "path":
            self.path_ready.emit(*value)
            return
        signal = {"state": self.state_changed, "diverged": self.diverged, "failed": self.failed,
                  "noticed": self.noticed, "saved": self.saved, "rate": self.rate_measured,
                  "walk": self.walk_ready, "view": self.view_ready, "forked": self.forked,
                  "exported": self.exported}[kind]
        signal.emit(value)

    @Slot(object)
    def _on_snapshot_ready(self, snapshot: Snapshot, ticket: int = 0, now: bool = False) -> None:
        """Keep only the newest; draw once when the event loop is next idle (``now``: at once, as
        what follows it must come after it). ``ticket``: the newest publish ticket it answers."""
        self.latest, self._latest_ticket = snapshot, max(self._latest_ticket, ticket)
        self.snapshots_received += 1
        if not self._pending:
            self._pending = True
            if not now:
                QTimer.singleShot(0, self._emit_latest)
        if now:
            self._emit_latest()

    def _emit_latest(self) -> None:
        if not self._pending or self.latest is None:
            return
        self._pending = False
        self.snapshots_shown += 1
        self._frame += 1
        frame, ticket, start = self._frame, self._latest_ticket, time.perf_counter()
        self._held = None
        self._engine.drawing(True)
        try:
            self.snapshot_ready.emit(self.latest)
        finally:
            if self._held is None:
                # A zero timer fires once the paint events this frame caused have been handled.
                QTimer.singleShot(0, lambda: self._on_frame_drawn(time.perf_counter() - start, ticket))
            else:
                self._held = (frame, ticket, start)

    def hold_frame(self) -> int:
        """Called by a receiver of ``snapshot_ready`` that draws the snapshot over more than one turn
        of the event loop (so the person's input is answered in between): the frame counts as drawn
        (:attr:`shown_ticket`, the next frame asked for) once it calls :meth:`release_frame` with the
        number this returns. A newer snapshot emitted in the meantime takes the frame's place."""
        self._held = (self._frame, 0, 0.0)
        return self._frame

    def release_frame(self, frame: int) -> None:
        """The snapshot of ``frame`` (:meth:`hold_frame`) is drawn; nothing if a newer one was emitted."""
        held = self._held
        if held is not None and held[0] == frame == self._frame:
            self._held = None
            _, ticket, start = held
            QTimer.singleShot(0, lambda: self._on_frame_drawn(time.perf_counter() - start, ticket))

    def _on_frame_drawn(self, seconds: float, ticket: int = 0) -> None:
        self.shown_ticket = max(self.shown_ticket, ticket)
        self._engine.drawing(False)
        self.frame_seconds = seconds
        self._engine.drawn(seconds)

    def _fall_back(self, experiment: Experiment, message: str) -> None:
        """Go on training on a worker thread, from ``experiment`` (the process could not)."""
        self._engine.shutdown(0)
        self._engine.deleteLater()
        self._engine = _ThreadEngine(self, experiment, self._max_fps)
        self._engine.send("set_speed", (self.speed,))
        self.failed.emit(message)

    @classmethod
    def instances(cls) -> list[TrainingSession]:
        """Sessions still alive (tests check that none leaves its thread or process running)."""
        return list(cls._instances)

    def is_running(self) -> bool:
        return self._engine.is_running()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop training and end the worker thread or training process; True if it ended within
        ``timeout_ms`` when asked (a process that did not is ended by force)."""
        return self._engine.shutdown(timeout_ms)
