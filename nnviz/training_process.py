"""Training in a process of its own: the app's window never waits for training, nor training for it.

Python runs one thread at a time, and painting a window holds it: a trainer on a thread of the
window's process loses every millisecond drawn. So the app trains in a child process started with
``spawn`` (the same on Linux, Windows and macOS, and in a frozen bundle) and keeps a **replica** of
the experiment, from which it builds the snapshots its panels draw.

* Commands go to the child through a pipe, by name (:data:`nnviz.core.engine.COMMANDS`), and an
  :class:`~nnviz.core.engine.Engine` applies them between chunks of steps.
* After every command that may rebuild the experiment the child sends the replica whole (pickled;
  the data arrays the other side already holds are named, not sent again: :class:`SharedArrays`),
  and the shared memory block its frames are written to.
* While it trains it publishes **frames** — the parameters, buffers, optimizer state, the last
  update, the newest evaluation's outputs and the new rows of the step history, written to shared
  memory, and a short notice with the counts and the new evaluation points (no pickling per frame).
  The window copies a frame into its replica, acknowledges it, and draws; the child writes no frame
  before the last one was acknowledged, so nothing is read half-written and nothing piles up.
* The child exits when told to stop, when the window's process dies (it watches its parent) and
  when its pipe closes. Each process uses one BLAS thread: two processes on the cores never fight.
* Everything else the child says — the state in force, failures, notes, the step-through's trace —
  is a small pickled message. Pickles only ever travel between the app's own two processes.
"""

from __future__ import annotations

import collections
import io
import math
import multiprocessing
import os
import pickle
import queue
import threading
import time
import traceback
from collections.abc import Iterable
from multiprocessing import shared_memory
from multiprocessing.connection import Connection

import numpy as np

from nnviz.core.engine import Engine, one_line
from nnviz.core.experiment import Experiment, _Evaluation
from nnviz.core.history import Table

#: environment a training process starts with: one BLAS thread (the window's process has the other core)
CHILD_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                     "VECLIB_MAXIMUM_THREADS": "1"}
#: step-history rows a frame carries at most; more (a window that was busy a long time) and the
#: history is sent whole instead
FRAME_STEP_ROWS = 16_384
#: seconds between frames at most (60 Hz): the window draws at its own pace below that
FRAME_SECONDS = 1 / 60
_HEADER = 16  # int64 values at the start of a frame notice
_FLOATS = 8  # float64 values after them
_FRAME, _MESSAGE = b"F", b"M"


def frame_arrays(experiment: Experiment) -> list[tuple[str, np.ndarray]]:
    """The arrays a frame copies, in order: parameters, buffers, optimizer state, the last update."""
    net, trainer = experiment.net, experiment.trainer
    arrays = [("params", net.flat_params)]
    arrays += [(f"buffer {name}", array) for name, array in net.named_buffers()]
    arrays += [(f"state {name}", array) for name, array in net.optimizer.state.items()]
    arrays += [("before", trainer._before), ("update", trainer._update)]
    return arrays


def _prediction_shape(experiment: Experiment) -> tuple[int, int]:
    """Rows and columns of the outputs a snapshot shows (on the test rows if any, else training)."""
    rows = len(experiment.X_test) if experiment.X_test is not None else len(experiment.X)
    from nnviz.core.experiment import EVALUATION_ROWS
    return min(rows, EVALUATION_ROWS), experiment.net.outputs


class FrameLayout:
    """Where each part of a frame sits in the shared memory block of one experiment's shapes."""

    def __init__(self, experiment: Experiment):
        self.parts: list[tuple[int, tuple[int, ...], np.dtype]] = []
        offset = 0
        for _, array in frame_arrays(experiment):
            self.parts.append((offset, array.shape, array.dtype))
            offset += _aligned(array.nbytes)
        rows, columns = _prediction_shape(experiment)
        self.predictions = (offset, (rows, columns), experiment.net.dtype)
        offset += _aligned(rows * columns * experiment.net.dtype.itemsize)
        self.step_columns = len(experiment.trainer.history._table.names)
        self.steps = (offset, (FRAME_STEP_ROWS, self.step_columns), np.dtype(np.float64))
        offset += FRAME_STEP_ROWS * self.step_columns * 8
        self.size = max(offset, 8)

    @staticmethod
    def view(buffer, part: tuple[int, tuple[int, ...], np.dtype]) -> np.ndarray:
        offset, shape, dtype = part
        return np.ndarray(shape, dtype=dtype, buffer=buffer, offset=offset)


def _aligned(nbytes: int) -> int:
    return (nbytes + 63) // 64 * 64


# -- plug-ins ------------------------------------------------------------------------------------
def extensions() -> dict[str, dict]:
    """The kinds registered beyond nnviz's own (plug-ins, a lesson's toys), by registry: a training
    process starts with nnviz's own only, and registers these too (each pickled by its module and
    name, so it must be defined at the top of an importable module)."""
    from nnviz.core import datasets
    from nnviz.core.spec import Registry

    found = {what: {key: kind for key, kind in registry.items()
                    if not getattr(kind, "__module__", "").startswith("nnviz.")}
             for what, registry in Registry.everything.items()}
    found["data set"] = {key: spec for key, spec in datasets.DATASETS.items() if key not in datasets.BUILT_IN}
    return found


def _adopt(found: dict[str, dict], before: dict[str, dict]) -> None:
    """Register ``found`` (see :func:`extensions`) here, and forget what ``before`` had and it has not."""
    from nnviz.core import datasets
    from nnviz.core.spec import Registry

    for what, kinds in found.items():
        registry = datasets.DATASETS if what == "data set" else Registry.everything[what]
        for key in before.get(what, {}).keys() - kinds.keys():
            registry.pop(key, None)
        registry.update(kinds)


# -- data arrays, sent once -----------------------------------------------------------------------
class SharedArrays:
    """Pickling between the two processes that sends each large data array once.

    The experiment names its data arrays (:meth:`Experiment.data_arrays`); the first time one travels
    it goes whole and both sides file it under a token, afterwards the token stands for it. A data
    array is never changed in place except by a sample edit, after which :meth:`forget` sends them
    all again. Each whole replica says which tokens it uses; both sides drop the others.
    """

    MIN_BYTES = 1 << 16

    def __init__(self, prefix: str):
        self._prefix = prefix
        self._count = 0
        self._arrays: dict[str, np.ndarray] = {}  # token -> array (a reference keeps its id unique)
        self._tokens: dict[int, str] = {}  # id(array) -> token

    def dumps(self, obj, data: Iterable[np.ndarray] = (), replica: bool = False) -> bytes:
        candidates = {id(a) for a in data if isinstance(a, np.ndarray) and a.nbytes >= self.MIN_BYTES}
        new, used = {}, set()

        def persistent_id(o):
            if type(o) is not np.ndarray or id(o) not in candidates:
                return None
            token = self._tokens.get(id(o))
            if token is None:
                self._count += 1
                token = f"{self._prefix}{self._count}"
                self._file(token, o)
                new[token] = o
            used.add(token)
            return token

        body = io.BytesIO()
        pickler = pickle.Pickler(body, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.persistent_id = persistent_id
        pickler.dump(obj)
        if replica:
            self._keep(used)
        return pickle.dumps((new, body.getvalue(), sorted(used) if replica else None),
                            protocol=pickle.HIGHEST_PROTOCOL)

    def loads(self, data: bytes):
        new, body, used = pickle.loads(data)  # noqa: S301 - our own other process, never a user's file
        for token, array in new.items():
            self._file(token, array)
        unpickler = pickle.Unpickler(io.BytesIO(body))  # noqa: S301 - as above
        unpickler.persistent_load = self._arrays.__getitem__
        obj = unpickler.load()
        if used is not None:
            self._keep(set(used))
        return obj

    def forget(self) -> None:
        """Send every array whole again (one was edited in place)."""
        self._arrays.clear()
        self._tokens.clear()

    def _file(self, token: str, array: np.ndarray) -> None:
        self._arrays[token] = array
        self._tokens[id(array)] = token

    def _keep(self, tokens: set[str]) -> None:
        for token in [t for t in self._arrays if t not in tokens]:
            del self._tokens[id(self._arrays.pop(token))]


# -- the child's side ---------------------------------------------------------------------------
class _TableCursor:
    """What the other side's copy of a table holds: where to go on from, or that it needs it whole."""

    def __init__(self, table: Table):
        self.table = table
        self.appended, self.rewrites = table.appended, table.rewrites

    def new_rows(self, limit: int | None = None) -> np.ndarray | None:
        """The rows appended since the last call, or None when the copy must be sent whole."""
        t = self.table
        count = t.appended - self.appended
        if t.rewrites != self.rewrites or count > len(t) or (limit is not None and count > limit):
            return None
        self.appended = t.appended
        return t.rows(len(t) - count)

    def sent_whole(self) -> None:
        self.appended, self.rewrites = self.table.appended, self.table.rewrites


class ProcessPublisher:
    """The child's :class:`~nnviz.core.engine.Publisher`: frames in shared memory, a notice on the pipe."""

    interval = FRAME_SECONDS

    def __init__(self, channel: _Channel):
        self._channel = channel
        self.arrays = SharedArrays("c")
        self._memory: shared_memory.SharedMemory | None = None
        self._layout: FrameLayout | None = None
        self._stale = True  # the other side needs the whole experiment before the next frame
        self._forget = False
        self._frames = 0
        self._steps = self._evals = None
        self.engine: Engine | None = None  # set once the engine is built: it trains on fresh copies

    def ready(self) -> bool:
        return self._channel.acknowledged(self._frames)

    def rebuilt(self, command: str) -> None:
        self._stale = True
        self._forget = self._forget or command == "edit_sample"

    def publish(self, experiment: Experiment, fresh: bool) -> None:
        if fresh or experiment.last_evaluation is None:
            experiment.evaluate()
        if self._stale or self._history_rewritten(experiment):
            self._send_replica(experiment)
            experiment = self.engine.experiment
        self._channel.wait_acknowledged(self._frames)  # the block is free to write
        self._write(experiment)

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory.unlink()
            self._memory = None

    def _history_rewritten(self, experiment: Experiment) -> bool:
        return (self._steps.table is not experiment.trainer.history._table
                or self._evals.table is not experiment._evals)

    def _send_replica(self, experiment: Experiment) -> None:
        if self._forget:
            self.arrays.forget()
            self._forget = False
        layout = FrameLayout(experiment)
        memory = shared_memory.SharedMemory(create=True, size=layout.size)
        self._channel.wait_acknowledged(self._frames)  # the window has left the old block
        self.close()
        self._memory, self._layout = memory, layout
        payload = self.arrays.dumps((experiment, memory.name), experiment.data_arrays(), replica=True)
        self._channel.send_message("replica", payload)
        self._stale = False
        # Pickling read each object's __dict__, which CPython then keeps as a plain dict: every
        # attribute read of a training step gets slower (12 % for a small network). Train on
        # with a copy made here, whose attributes are set as __init__ sets them (see HotPath).
        self.engine.experiment = fresh = experiment.fork()
        self._steps = _TableCursor(fresh.trainer.history._table)
        self._evals = _TableCursor(fresh._evals)

    def _write(self, experiment: Experiment) -> None:
        layout, buffer = self._layout, self._memory.buf
        for part, (_, array) in zip(layout.parts, frame_arrays(experiment)):
            FrameLayout.view(buffer, part)[...] = array
        steps = self._steps.new_rows(FRAME_STEP_ROWS)
        if steps is None:  # decimated, or too many rows for a frame: the history goes whole
            history = experiment.trainer.history
            payload = pickle.dumps(history._table, protocol=pickle.HIGHEST_PROTOCOL)
            self._channel.send_message("history", payload)
            history._table = self._steps.table = pickle.loads(payload)  # noqa: S301 - a fresh copy, as above
            self._steps.sent_whole()
            steps = np.empty((0, layout.step_columns))
        FrameLayout.view(buffer, layout.steps)[: len(steps)] = steps
        evals = self._evals.new_rows()
        if evals is None:
            payload = pickle.dumps(experiment._evals, protocol=pickle.HIGHEST_PROTOCOL)
            self._channel.send_message("evals", payload)
            experiment._evals = self._evals.table = pickle.loads(payload)  # noqa: S301 - a fresh copy, as above
            self._evals.sent_whole()
            evals = np.empty((0, len(experiment._evals.names)))
        ev = experiment.last_evaluation
        shown = ev.test_out if ev.test_out is not None else ev.train_out
        FrameLayout.view(buffer, layout.predictions)[...] = shown
        self._frames += 1
        tr, net = experiment.trainer, experiment.net
        header = np.zeros(_HEADER, dtype=np.int64)
        header[:11] = (self._frames, experiment.step, net.samples_seen, net.optimizer.t, experiment.diverged,
                       tr._has_update, len(steps), len(evals), tr.history.run_step,
                       (ev.train_accuracy is None) | (ev.test_loss is None) << 1 | (ev.test_accuracy is None) << 2,
                       self.engine.ticket)
        floats = np.array([ev.train_loss, _number(ev.train_accuracy), _number(ev.test_loss),
                           _number(ev.test_accuracy), 0, 0, 0, 0], dtype=np.float64)
        self._channel.send_frame(header.tobytes() + floats.tobytes() + np.ascontiguousarray(evals).tobytes())


def _number(value: float | None) -> float:
    return math.nan if value is None else value


class _Channel:
    """The child's end of the pipe: commands in (kept in order while it waits for an acknowledgement),
    frames and messages out."""

    def __init__(self, connection: Connection):
        self._connection = connection
        self._acknowledged = 0
        self.pending: collections.deque = collections.deque()
        self.stopping = False

    def acknowledged(self, frame: int) -> bool:
        return self._acknowledged >= frame

    def wait_acknowledged(self, frame: int) -> None:
        while self._acknowledged < frame and not self.stopping:
            self._take(self._receive())

    def stop_asked(self) -> bool:
        """Whether the window has asked this process to stop (reads what has come, without waiting)."""
        while not self.stopping and self._connection.poll(0):
            self._take(self._receive())
        return self.stopping

    def poll(self, timeout: float | None) -> bool:
        """Whether a command is waiting, after up to ``timeout`` seconds (None: until one comes)."""
        while not self.pending and not self.stopping:
            if not self._connection.poll(timeout):
                return False
            self._take(self._receive())
            timeout = 0
        return True

    def _receive(self) -> tuple:
        return pickle.loads(self._connection.recv_bytes())  # noqa: S301 - from the window's process

    def _take(self, message: tuple) -> None:
        if message[0] == "ack":
            self._acknowledged = max(self._acknowledged, message[1])
        elif message[0] == "stop":
            self.stopping = True
        else:
            self.pending.append(message)

    def send_message(self, kind: str, payload: bytes) -> None:
        self._connection.send_bytes(_MESSAGE + pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL))

    def send_frame(self, notice: bytes) -> None:
        self._connection.send_bytes(_FRAME + notice)


def _watch_parent() -> None:
    """End this process when the one that started it ends (no orphan trains on, unseen)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="nnviz-parent-watch", daemon=True).start()


def child_main(connection: Connection, payload: bytes) -> None:
    """The training process: build the engine from the window's experiment and serve commands."""
    _watch_parent()
    channel = _Channel(connection)
    publisher = ProcessPublisher(channel)
    try:
        extended, experiment = publisher.arrays.loads(payload)
        _adopt(extended, {})

        def emit(kind: str, value) -> None:
            # the state and a forked copy name the data, sent once (see SharedArrays)
            body = publisher.arrays.dumps(value, engine.experiment.data_arrays()) if kind in ("state", "forked") \
                else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            channel.send_message(kind, body)

        engine = Engine(experiment, emit, publisher, should_stop=channel.stop_asked)
        publisher.engine = engine
        engine.execute("publish")
        while not channel.stopping:
            wait = engine.tick()
            if channel.poll(wait):
                commands = []
                while channel.pending:
                    name, args = channel.pending.popleft()
                    if name == "extend":  # kinds registered since: before the commands that use them
                        engine.execute_all(commands)
                        commands = []
                        _adopt(args[0], extended)
                        extended = args[0]
                    else:
                        commands.append((name, args))
                engine.execute_all(commands)
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the window has gone
    except Exception as exc:  # a fault of the engine itself: say it in one line, then end
        traceback.print_exc()
        try:
            channel.send_message("crashed", pickle.dumps(one_line(exc)))
        except OSError:
            pass
    finally:
        publisher.close()


# -- the window's side ----------------------------------------------------------------------------
class TrainingProcess:
    """The window's handle on a training process, and the replica of its experiment (no Qt here:
    the GUI's session polls :meth:`receive` from its event loop)."""

    START_METHOD = "spawn"

    def __init__(self, experiment: Experiment):
        self.replica = experiment
        self.arrays = SharedArrays("w")
        self._memory: shared_memory.SharedMemory | None = None
        self._layout: FrameLayout | None = None
        context = multiprocessing.get_context(self.START_METHOD)
        self._connection, child_end = context.Pipe(duplex=True)
        self._extended = extensions()
        payload = self.arrays.dumps((self._extended, experiment), experiment.data_arrays())
        self.process = context.Process(target=child_main, args=(child_end, payload), name="nnviz-training",
                                       daemon=True)
        saved = {key: os.environ.get(key) for key in CHILD_ENVIRONMENT}
        os.environ.update(CHILD_ENVIRONMENT)
        try:
            self.process.start()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        child_end.close()
        # Commands and acknowledgements leave from a thread of their own: a large command (new data)
        # never blocks the window while the child is busy writing to it.
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._send_loop, name="nnviz-training-send", daemon=True).start()
        self.frames = 0  #: frames taken into the replica
        self.ticket = 0  #: the publish ticket of the newest frame taken (see Engine.ticket)
        self._acknowledged = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def send(self, name: str, *args) -> None:
        """Queue command ``name`` (see :data:`nnviz.core.engine.COMMANDS`) with its arguments, after
        the kinds registered since the last command (see :func:`extensions`). Raises what pickling
        raises (a plug-in defined inside a function), sending nothing."""
        found = extensions()
        messages = [("extend", (found,))] if found != self._extended else []
        messages.append((name, args))
        data = [pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL) for m in messages]
        self._extended = found
        for item in data:
            self._outbox.put(item)

    def _post(self, message: tuple) -> None:
        self._outbox.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def _send_loop(self) -> None:
        while (data := self._outbox.get()) is not None:
            try:
                self._connection.send_bytes(data)
            except OSError:  # the child has gone: receive() says so
                return

    def receive(self) -> list[tuple[str, object]]:
        """Everything the child has said since the last call, frames taken into the replica: a list
        of ``(kind, value)``, ``("frame", None)`` for each frame. Raises EOFError once the child is gone."""
        events = []
        while self._connection.poll(0):
            data = self._connection.recv_bytes()
            if data[:1] == _FRAME:
                self._take_frame(memoryview(data)[1:])
                events.append(("frame", None))
                continue
            kind, body = pickle.loads(data[1:])  # noqa: S301 - our own child process
            if kind == "replica":
                serial = self.replica._serial
                self.replica, name = self.arrays.loads(body)
                self.replica._serial = max(self.replica._serial, serial)  # snapshots count on
                self._attach(name)
            elif kind == "history":
                history = self.replica.trainer.history
                history._table = pickle.loads(body)  # noqa: S301 - as above
            elif kind == "evals":
                self.replica._evals = pickle.loads(body)  # noqa: S301 - as above
            elif kind in ("state", "forked"):  # the data arrays named, not sent again
                events.append((kind, self.arrays.loads(body)))
            else:
                events.append((kind, pickle.loads(body)))  # noqa: S301 - as above
        return events

    def _attach(self, name: str) -> None:
        self._detach()
        self._memory = _open_shared_memory(name)
        self._layout = FrameLayout(self.replica)

    def _detach(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory = None

    def _take_frame(self, notice: memoryview) -> None:
        header = np.frombuffer(notice, dtype=np.int64, count=_HEADER)
        floats = np.frombuffer(notice, dtype=np.float64, count=_FLOATS, offset=_HEADER * 8)
        (frame, step, samples_seen, t, diverged, has_update, step_rows, eval_rows, run_step,
         missing, ticket) = (int(v) for v in header[:11])
        exp, layout, buffer = self.replica, self._layout, self._memory.buf
        for part, (_, array) in zip(layout.parts, frame_arrays(exp)):
            array[...] = FrameLayout.view(buffer, part)
        net, trainer = exp.net, exp.trainer
        net.samples_seen, net.optimizer.t = samples_seen, t
        trainer._has_update = bool(has_update)
        exp._step, exp.diverged = step, bool(diverged)
        if step_rows:
            trainer.history._table.append_rows(FrameLayout.view(buffer, layout.steps)[:step_rows])
        trainer.history.run_step = run_step
        if eval_rows:
            columns = len(exp._evals.names)
            rows = np.frombuffer(notice, dtype=np.float64, offset=(_HEADER + _FLOATS) * 8)
            exp._evals.append_rows(rows.reshape(eval_rows, columns))
        shown = FrameLayout.view(buffer, layout.predictions).copy()
        shown.setflags(write=False)
        test = exp.X_test is not None
        train_loss, train_acc, test_loss, test_acc = (float(v) for v in floats[:4])
        exp.last_evaluation = _Evaluation(
            train_loss, None if missing & 1 else train_acc, None if test else shown,
            None if missing & 2 else test_loss, None if missing & 4 else test_acc, shown if test else None)
        self.frames, self.ticket = frame, ticket

    def acknowledge(self) -> None:
        """Let the child write its next frame (the newest one taken is drawn, or will not be)."""
        if self.frames > self._acknowledged:
            self._acknowledged = self.frames
            self._post(("ack", self.frames))

    def stop(self, timeout: float = 1.0) -> bool:
        """Ask the child to end and wait up to ``timeout`` seconds; then end it by force. True if it
        ended when asked."""
        end = time.monotonic() + timeout
        self._post(("stop",))
        self._outbox.put(None)
        try:
            while self.process.is_alive() and time.monotonic() < end:
                if self._connection.poll(0.01):  # the child may be writing a message: take it
                    self._connection.recv_bytes()
        except (EOFError, OSError):
            pass
        self.process.join(max(0.0, end - time.monotonic()))
        asked = not self.process.is_alive()
        if not asked:
            self.process.kill()
            self.process.join(1.0)
        self._detach()
        self._connection.close()
        return asked


def _open_shared_memory(name: str) -> shared_memory.SharedMemory:
    """Attach to the child's block. (Both processes share one resource tracker, the window's, so
    the block the child unlinks is forgotten there once, and one left by a crashed child is removed
    when the window's process ends.)"""
    return shared_memory.SharedMemory(name=name)


def wait_for(process: TrainingProcess, predicate, timeout: float = 10.0) -> list:
    """Receive until ``predicate(events)`` holds (tests and the command line); returns the events."""
    events, end = [], time.monotonic() + timeout
    while not predicate(events):
        if time.monotonic() > end:
            raise TimeoutError("the training process did not answer in time")
        if process._connection.poll(0.01):
            events += process.receive()
    return events
