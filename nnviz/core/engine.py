"""The training engine: an experiment, the commands the app sends it, and the pace it trains at.

The app trains through one :class:`Engine`, wherever it runs: in a training process of its own
(:mod:`nnviz.training_process`, the default) or on a worker thread of the GUI's session (the
``--threaded`` fallback). The engine knows neither: it reports through ``emit(kind, value)`` and
shows its state through a :class:`Publisher`, which the transport turns into Qt signals or into
frames in shared memory. Commands arrive by name (:data:`COMMANDS`) and are applied between chunks
of steps, in order.

What it emits: ``("state", dict)`` — the state in force (document, data, input names, outputs,
held-out rows, rows, why the rows are not split), after every command that changes it and after
every failed command; ``("playing", bool)``; ``("diverged", str)``; ``("failed", str)``;
``("noticed", str)`` — what a command adjusted to fit; ``("saved", path)``; ``("walk", WalkState)``;
``("rate", float)`` — optimizer steps per second, measured while playing; ``("view", Snapshot |
None)`` — a past step of the run (the timeline); ``("forked", Experiment)`` — a copy of the run;
``("exported", tuple of paths)`` — a PyTorch script of the run written, the files beside it after it.

The speed is optimizer steps per second (0: as fast as the machine goes), kept whatever the frame
rate; evaluation points (losses, accuracies, health over the rows) come at least
:attr:`Engine.EVALUATION_SECONDS` apart and take at most :attr:`Engine.EVALUATION_SHARE` of the time.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nnviz.core.codegen import run_of, write_torch_code
from nnviz.core.data import takes_class_indices
from nnviz.core.document import atomic_write_text, dumps
from nnviz.core.errors import MAX_STEPS, CommandError, ModelError, NnvizError
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.timeline import Timeline
from nnviz.core.walkthrough import walk_next_step

#: a publish is due once this share of the interval has passed: a timer of the interval, rounded to
#: whole milliseconds (33 ms for 30 Hz), meets the test on every tick, not every other one
PUBLISH_TOLERANCE = 0.9

#: the commands a transport may pass to :meth:`Engine.execute`, by name
COMMANDS = frozenset({"play", "pause", "toggle", "step", "step_epoch", "reset", "set_speed", "set_training",
                      "set_layers", "set_data", "edit_parameter", "load_document", "save", "publish", "walk",
                      "walk_commit", "edit_sample", "view", "branch", "fork", "path", "export_code", "keep"})
#: the commands that may change more of the experiment than its numbers (its network, settings,
#: rows or history): a publisher for another process sends the whole experiment after them
REBUILDING = frozenset({"reset", "set_training", "set_layers", "set_data", "load_document", "edit_sample",
                        "branch", "keep"})
#: commands whose newest one, among those waiting side by side, is all that matters: each replaces
#: what the one before it set, whatever that was (the layers are drawn afresh from the seed)
_NEWEST_WINS = frozenset({"set_speed", "set_layers", "load_document", "view"})
#: training settings that a newer value replaces whatever the older one was (a slider dragged)
_PLAIN_SETTINGS = frozenset({"lr", "regularization", "clip_grad_norm", "schedule", "seed"})


def coalesce(commands: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """``commands`` (``(name, args)``, in the order sent) with those that change nothing merged away:
    of neighbours setting the same thing (the same hyperparameters, the same weight or cell, the
    speed, the layers, the data, the document) the newest wins; neighbouring Steps add up; of
    several Saves to one file only the last is written (the file ends the same). The state after
    the result equals the state after ``commands`` — unless the newest of merged commands is
    refused: then none of them applies (the person's latest choice is the one answered)."""
    merged: list[tuple[str, tuple]] = []
    for name, args in commands:
        if merged:
            last, last_args = merged[-1]
            if last == name and (
                    name in _NEWEST_WINS
                    or (name == "set_training" and _same_keys(args, last_args))
                    or (name == "edit_parameter" and args[:2] == last_args[:2])
                    or (name == "edit_sample" and _cell(args) == _cell(last_args))):
                merged[-1] = (name, args)
                continue
            if last == name == "step" and _steps(args) and _steps(last_args):
                merged[-1] = (name, (_steps(last_args) + _steps(args),))
                continue
        merged.append((name, args))
    saves = [i for i, (name, args) in enumerate(merged) if name == "save"]
    later = {}
    for i in reversed(saves):
        path = merged[i][1][:1]
        if not all(isinstance(p, str) for p in path):
            continue
        if path in later:
            merged[i] = None
        later[path] = i
    return [command for command in merged if command is not None]


#: the types of the arguments a command takes where its method does not check them itself
_ARGUMENT_TYPES: dict[str, tuple[tuple[type | tuple[type, ...], str], ...]] = {
    "set_training": ((dict, "a dict of settings"),),
    "set_layers": ((list, "a list of layers"),),
    "set_data": ((DataConfig, "a DataConfig"),),
    "load_document": ((dict, "a model document (a dict)"), ((str, os.PathLike, type(None)), "a folder")),
    "save": (((str, os.PathLike), "a file path"), ((dict, type(None)), "lesson and exercise sections")),
    "export_code": (((str, os.PathLike), "a file path"),),
    "edit_parameter": ((str, "a parameter name"), (tuple, "an index (a tuple)")),
    "view": (((int, type(None)), "a step or None"),),
    "branch": ((int, "a step"), (dict, "a dict of settings"), (str, "a label")),
}


def _parameters(method: Callable) -> str:
    """What a command's method takes, for a message: "steps" or "path"."""
    names = [p.name for p in inspect.signature(method).parameters.values()]
    return " and ".join(names) if names else "no arguments"


def _steps(args: tuple) -> int | None:
    """The step count of a Step command's arguments, if it is a plain positive whole number."""
    steps = args[0] if args else 1
    return steps if type(steps) is int and 0 < steps < 2**40 else None


def _cell(args: tuple) -> tuple:
    """Which cell an edit_sample command sets: (row, column, target); None if not a well-formed one."""
    if len(args) < 3:
        return (None,)
    return args[0], args[1], bool(args[3]) if len(args) > 3 else False


def _same_keys(args: tuple, last_args: tuple) -> bool:
    """Whether two set_training commands set the same settings (then the newest values win)."""
    return (len(args) == len(last_args) == 1 and isinstance(args[0], dict) and isinstance(last_args[0], dict)
            and args[0].keys() == last_args[0].keys() and args[0].keys() <= _PLAIN_SETTINGS)


def publish_due(elapsed: float, interval: float) -> bool:
    """Whether ``elapsed`` seconds since the last publish are enough for a snapshot every ``interval``."""
    return elapsed >= PUBLISH_TOLERANCE * interval


def one_line(exc: BaseException) -> str:
    """A one-line message for an exception: the user's problem as is, anything else with its type."""
    text = " ".join(str(exc).split())
    if isinstance(exc, NnvizError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def state_of(exp: Experiment) -> dict:
    """The state in force, as the controls show it (see the module doc)."""
    # held_out False with a test fraction > 0: too few rows to split (a truth table), so every
    # row is trained and evaluated on
    return {"document": exp.document_copy(), "data": exp.data, "input_names": exp.input_names,
            "outputs": exp.net.outputs, "held_out": exp.raw_test is not None, "rows": len(exp.raw_train),
            "unsplit": exp.unsplit_reason}


class Publisher(Protocol):
    """How the engine shows its state: a snapshot emitted, or a frame written for another process."""

    #: seconds between publishes while training (at most)
    interval: float

    def ready(self) -> bool:
        """Whether the other side has taken the last publish (back-pressure: nothing is built that
        nobody will draw)."""

    def publish(self, experiment: Experiment, fresh: bool) -> None:
        """Show the experiment as it is; ``fresh``: evaluate it now rather than reuse the newest
        evaluation point (after a command, where the numbers must be those of this very state)."""

    def rebuilt(self, command: str) -> None:
        """``command``, one of :data:`REBUILDING`, is about to run."""


class Engine:
    """An :class:`Experiment` driven by commands, trained at a set speed (see the module doc)."""

    #: seconds of training between looks at the commands
    CHUNK_SECONDS = 0.01
    #: seconds between evaluation points at least (a frame's worth: a fast small model gets a point
    #: per frame, so its loss curve is a curve, not a few straight lines)
    EVALUATION_SECONDS = 1 / 60
    #: the largest share of the time evaluation points may take (large data: points further apart)
    EVALUATION_SHARE = 0.02
    #: at a fixed speed a model too slow to keep up trains as fast as it can, never in a burst to
    #: catch up more than this many seconds of steps
    MAX_LAG_SECONDS = 0.25
    #: seconds over which the training rate is measured
    RATE_SECONDS = 0.25
    #: seconds between publishes at full speed at least: every frame drawn takes a little from
    #: training (the window's process shares the machine), so full speed draws a steady 40 a second
    FULL_SPEED_FRAME_SECONDS = 1 / 40

    def __init__(self, experiment: Experiment, emit: Callable[[str, Any], None], publisher: Publisher,
                 clock: Callable[[], float] = time.perf_counter, should_stop: Callable[[], bool] = lambda: False):
        self.experiment = experiment
        #: asked between chunks of a long command (Step 100000, Step epoch): true once the app is
        #: closing, and the command ends there (the steps taken so far stay taken)
        self.should_stop = should_stop
        self._emit_now = emit
        self._held: list[tuple[str, Any]] | None = None  # what a burst emits, sent after its snapshot
        self._state_wanted = self._walk_wanted = self._walk_committed = False
        self.publisher = publisher
        self._clock = clock  # seconds; a test passes its own
        self.playing = False
        self.speed = 0  # steps per second; 0: as fast as possible
        self.walking = self.neurons = False
        self.rate = 0.0  #: optimizer steps per second, measured while playing
        self._chunk = 1
        self._origin, self._done = 0.0, 0  # at a fixed speed: when counting began, steps since
        self._rate_start, self._rate_steps = 0.0, 0
        self._last_publish = self._last_evaluation = -math.inf
        self._evaluation_interval = self.EVALUATION_SECONDS
        #: the newest ticket a publish command brought: a snapshot published with it shows every
        #: command sent before that publish (commands apply in order)
        self.ticket = 0
        self._publish_wanted = False
        #: keyframes of the run, to show and branch from any past step (see nnviz.core.timeline)
        self.timeline = Timeline()
        self.timeline.record(experiment)

    # -- commands ---------------------------------------------------------------------------------
    def execute(self, name: str, args: tuple = ()) -> None:
        """Apply command ``name`` (one of :data:`COMMANDS`), then show the result."""
        self.execute_all([(name, args)])

    def execute_all(self, commands: list[tuple[str, tuple]]) -> None:
        """Apply the commands waiting, in order (see :func:`coalesce`), then show the result once: a
        burst of commands costs one snapshot, not one each. A failure pauses training, shows the
        state in force again (so a refused choice reverts in the controls) and is reported in one line."""
        self._held = []
        for name, args in coalesce(commands):
            if self.should_stop():
                break
            try:
                command = self._command(name, args)
                if name in REBUILDING:
                    self.publisher.rebuilt(name)
                command(*args)
            except Exception as exc:
                self._failed(exc, state=True)
        self._flush_and_release()

    def _emit(self, kind: str, value: Any) -> None:
        if self._held is None:
            self._emit_now(kind, value)
        else:
            self._held.append((kind, value))

    def _flush_and_release(self) -> None:
        """Publish if asked, then send what was held: the snapshot comes before the events the same
        commands caused (a "paused" or a trace arrives with the state it speaks of already shown)."""
        try:
            self.flush()
        finally:
            held, self._held = self._held or [], None
            if self._state_wanted:
                self._state_wanted = False
                self._emit_safely(self.emit_state)
            for kind, value in held:
                self._emit_now(kind, value)
            if self._walk_wanted:
                committed, self._walk_wanted, self._walk_committed = self._walk_committed, False, False
                if self.walking:
                    self._emit_safely(lambda: self._emit_walk(committed))

    def _emit_safely(self, emit: Callable[[], None]) -> None:
        """Emit what ``emit`` builds; if it cannot be built, say so in one line and pause."""
        try:
            emit()
        except Exception as exc:
            self.playing = False
            self._emit_now("playing", False)
            self._report(exc, self._emit_now)

    def _command(self, name: str, args: tuple) -> Callable[..., None]:
        """The method for command ``name``, once its arguments are known to fit it."""
        if name not in COMMANDS:
            raise CommandError(f"no such command: {name!r}")
        method = getattr(self, name)
        try:
            inspect.signature(method).bind(*args)
        except TypeError:
            raise CommandError(f"{name}: expected {_parameters(method)}, got {len(args)} "
                               f"argument{'s' if len(args) != 1 else ''}") from None
        for value, (kind, what) in zip(args, _ARGUMENT_TYPES.get(name, ())):
            if not isinstance(value, kind):
                raise CommandError(f"{name}: expected {what}, got {type(value).__name__}")
        return method

    def _failed(self, exc: Exception, state: bool = False) -> None:
        """Pause and say what went wrong in one line (``state``: show the state in force again)."""
        try:
            self._set_playing(False)
            if state:
                self.emit_state()
        except Exception:  # noqa: BLE001 - the message below is what matters; the state comes next time
            self.playing = False
        self._report(exc, self._emit)

    @staticmethod
    def _report(exc: Exception, emit: Callable[[str, Any], None]) -> None:
        """Say what went wrong in one line; a fault of nnviz's own also leaves its details on stderr."""
        emit("failed", one_line(exc))
        if not isinstance(exc, NnvizError):
            traceback.print_exc()  # a bug: keep the details for a report, as well as the message

    def play(self) -> None:
        self._set_playing(True)

    def pause(self) -> None:
        self._set_playing(False)

    def toggle(self) -> None:
        self._set_playing(not self.playing)

    def step(self, steps: int = 1) -> None:
        if type(steps) is not int or not 1 <= steps <= MAX_STEPS:
            raise CommandError(f"steps: expected a whole number from 1 to {MAX_STEPS:,}, got {steps!r}")
        self._set_playing(False)
        self._run_steps(steps)
        self._after_steps()
        self._retrace(committed=True)

    def step_epoch(self) -> None:
        self._set_playing(False)
        self._run_steps(self.experiment.trainer.steps_to_epoch_end())
        self._after_steps()
        self._retrace(committed=True)

    def _chunk_for(self, seconds: float, steps: int) -> int:
        """The steps of about CHUNK_SECONDS of work, at ``steps`` taken in ``seconds``."""
        return max(1, min(int(self.CHUNK_SECONDS / max(seconds / steps, 1e-7)), 100_000))

    def _run_steps(self, steps: int) -> None:
        """Take ``steps`` steps (stopping early at a divergence), a chunk at a time: between chunks
        the app may close (:attr:`should_stop`), and a long command shows its progress."""
        exp, done, chunk = self.experiment, 0, 1
        began = self._clock()
        while done < steps and not exp.diverged:
            start = self._clock()
            n = min(chunk, steps - done)
            exp.run(n)
            self.timeline.record(exp)
            done += n
            now = self._clock()
            chunk = self._chunk_for(now - start, n)
            if done < steps:
                if self.should_stop():
                    return
                interval = self.publisher.interval  # a command that takes longer than a frame shows its progress
                if now - began >= interval and self.publisher.ready() and publish_due(now - self._last_publish,
                                                                                      interval):
                    self._last_publish = now
                    self.publisher.publish(exp, False)

    def reset(self) -> None:
        self.experiment.reset()
        self._new_timeline()
        self.publish()
        self._retrace(committed=True)

    def set_speed(self, steps_per_second: float) -> None:
        """Train ``steps_per_second`` steps a second while playing; 0 for as fast as possible."""
        if isinstance(steps_per_second, bool) or not isinstance(steps_per_second, (int, float)) \
                or not (math.isfinite(steps_per_second) and steps_per_second >= 0):
            raise CommandError(f"speed: expected steps per second >= 0, got {steps_per_second!r}")
        speed = float(steps_per_second)
        self.speed = speed
        self._start_counting()

    def set_training(self, changes: dict) -> None:
        with self._marked():
            self._notice(self.experiment.set_training(**changes))
        self.emit_state()
        self.publish()
        self._retrace(committed=False)

    def set_layers(self, layers: list[dict]) -> None:
        self._notice(self.experiment.set_layers(layers))
        self._new_timeline()
        self.emit_state()
        self.publish()
        self._retrace(committed=True)

    def set_data(self, data: DataConfig) -> None:
        self._notice(self.experiment.set_data(data))
        self._new_timeline()
        self.emit_state()
        self.publish()
        self._retrace(committed=True)

    def edit_parameter(self, name: str, index: tuple[int, ...], value: float) -> None:
        with self._marked():
            self.experiment.set_parameter(name, index, value)
        self.publish()
        self._retrace(committed=False)

    def edit_sample(self, row: int, column: int, value: float, target: bool = False) -> None:
        with self._marked():
            self.experiment.set_sample(row, column, value, target=target)
        self.emit_state()  # the data's rows changed (saved with inline data)
        self.publish()
        self._retrace(committed=False)

    def load_document(self, document: dict, folder: str | None = None) -> None:
        self._set_playing(False)
        self._notice(self.experiment.load_document(document, folder))
        self._new_timeline()
        self.emit_state()
        self.publish()
        self._retrace(committed=True)

    def view(self, step: int | None) -> None:
        """Show ``step`` of the run as it was (``("view", Snapshot)``, training paused), or the
        present again (None: ``("view", None)``)."""
        if step is None:
            self._emit("view", None)
            return
        self._set_playing(False)
        self._emit("view", self.timeline.view(self.experiment, step))

    def path(self, step: int | None = None) -> None:
        """Hand out the optimizer's path so far, or up to past ``step`` (the step shown while viewing)
        (``("path", (steps, params))``, see :meth:`~nnviz.core.timeline.Timeline.path_to`), for the
        loss landscape to project onto its plane."""
        exp = self.experiment if step is None else self.timeline.at(self.experiment, step)
        self._emit("path", self.timeline.path_to(exp))

    def fork(self, step: int | None = None) -> None:
        """Pause, and hand out a copy of the run as it is, or as it was at past ``step`` (the step
        shown while viewing) (``("forked", Experiment)``): the start of a comparison, whose lanes train
        on their own."""
        self._set_playing(False)
        self._emit("forked", self.experiment.fork() if step is None else self.timeline.at(self.experiment, step))

    def branch(self, step: int, changes: dict, label: str) -> None:
        """Go back to ``step`` and train on from there with ``changes`` (training settings); the
        course left is kept as an earlier branch named ``label``."""
        self._set_playing(False)
        self.experiment = self.timeline.branch(self.experiment, step, changes, label)
        self._emit("view", None)
        self.emit_state()
        self.publish()
        self._retrace(committed=True)

    def keep(self, step: int, start, changes: dict, label: str, to_step: int, document: dict) -> None:
        """Make a lane of a comparison the run (Keep lane): the lane that parted from the run at
        ``step``, where its flat parameters were ``start``, with ``changes``, trained to ``to_step``.
        While the run still passes through that state, the lane's course is replayed from there: a
        branch at ``step`` trained on to ``to_step`` — bit for bit the lane, a run being a pure
        function of its state and step — so the history before the fork stays, the timeline reaches
        back past it, and the run's own course from there is kept as an earlier branch named
        ``label``. Otherwise (another model opened since, or the weights edited at that step) the
        lane as it is, ``document``, is loaded."""
        self._set_playing(False)
        try:
            past = self.timeline.at(self.experiment, step)
            same = np.array_equal(past.net.flat_params, np.asarray(start))
        except CommandError:
            same = False
        if not same or to_step < step:
            self.load_document(document)
            self._notice(f"The lane is now the run, from step {to_step:,} on (the run no longer passes through "
                         f"step {step:,} as the lane left it, so its history before is not kept)")
            return
        self.experiment = self.timeline.branch(self.experiment, step, changes, label)
        if to_step > step:
            self._run_steps(to_step - step)
        self.experiment.record_evaluation()
        self._emit("view", None)
        self.emit_state()
        self._after_steps()
        self._retrace(committed=True)
        self._notice(f"The lane is now the run; the run's own course from step {step:,} stays on the loss plot "
                     f"as “{label}”")

    @contextlib.contextmanager
    def _marked(self):
        """Around a change the steps cannot replay: keyframes before and after it (a change that
        started the run again starts the timeline again)."""
        self.timeline.mark(self.experiment)
        yield
        if self.experiment.step == 0 or self.experiment.step < self.timeline.keyframes[-1].step:
            self._new_timeline()
        else:
            self.timeline.mark(self.experiment)

    def _new_timeline(self) -> None:
        self.timeline.clear()
        self.timeline.record(self.experiment)

    def save(self, path: str, teaching: dict | None = None) -> None:
        """Write the model document to ``path``; ``teaching``: its lesson and exercise sections to
        keep from now on (see :meth:`Experiment.set_teaching`), given first."""
        if teaching is not None:
            self.experiment.set_teaching(teaching)
            self.emit_state()
        document = self.experiment.to_document(folder=Path(path).parent)
        try:
            text = dumps(document)
        except ValueError:  # NaN or infinity, which JSON cannot hold
            raise ModelError(f"{path}: the model holds NaN or infinite numbers (a diverged run?) and cannot "
                             f"be saved; reset it or load an earlier save") from None
        atomic_write_text(path, text)
        self._emit("saved", path)

    def export_code(self, path: str) -> None:
        """Write a PyTorch script or notebook (by the suffix) that goes on from the run as it is now,
        with any data or state files it needs beside it (see :mod:`nnviz.core.codegen`)."""
        paths = write_torch_code(run_of(self.experiment), path, command="File › Export as PyTorch script… in nnviz")
        self._emit("exported", tuple(str(p) for p in paths))

    def publish(self, ticket: int = 0) -> None:
        """Show the experiment as it is now, evaluated afresh, once the commands waiting are applied
        (:meth:`flush`). ``ticket``: the asker's number for this request; every snapshot published
        from then on carries it (see :attr:`ticket`)."""
        if type(ticket) is not int:
            raise CommandError(f"publish: expected a whole number, got {ticket!r}")
        self.ticket = max(self.ticket, ticket)
        self._publish_wanted = True

    def flush(self) -> None:
        """Publish, if a command asked to: the experiment as it is now, evaluated afresh."""
        if not self._publish_wanted:
            return
        self._publish_wanted = False
        self._last_publish = self._clock()
        try:
            self.publisher.publish(self.experiment, True)
        except Exception as exc:
            self._failed(exc)
            self._publish_wanted = False  # not again until something changes: no loop of failures

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

    def emit_state(self) -> None:
        """Report the state in force (the controls show it): once for a burst of commands."""
        if self._held is None:
            self._emit_now("state", {**state_of(self.experiment), "timeline_start": self.timeline.start or 0})
        else:
            self._state_wanted = True

    def _notice(self, note: str | None) -> None:
        if note:
            self._emit("noticed", note)

    def _retrace(self, committed: bool) -> None:
        """While stepping through, trace the next step again, for it changed; ``committed``: a new
        step or model, so the view starts again at its first operation."""
        if self.walking:
            self._emit_walk(committed=committed)

    def _emit_walk(self, committed: bool = False) -> None:
        """Trace the next step for the step-through: once for a burst of commands, after its snapshot."""
        if self._held is not None:
            self._walk_wanted, self._walk_committed = True, self._walk_committed or committed
            return
        exp = self.experiment
        self._emit_now("walk", walk_next_step(exp.net, exp.trainer, neurons=self.neurons, committed=committed,
                                          class_indices=takes_class_indices(exp.net, exp.raw_train)))

    # -- training ---------------------------------------------------------------------------------
    def _set_playing(self, playing: bool) -> None:
        if playing and self.experiment.diverged:
            self._emit("diverged", self.divergence_message())
            playing = False
        if playing == self.playing:
            return
        self.playing = playing
        if playing:
            self._start_counting()
        else:
            self.publish()
        self._emit("playing", playing)

    def _start_counting(self) -> None:
        now = self._clock()
        self._origin, self._done = now, 0
        self._rate_start, self._rate_steps = now, 0

    def due_steps(self) -> tuple[int, float]:
        """The steps to take now while playing, and if none, the seconds until the next is due."""
        if not self.speed:
            return self._chunk, 0.0
        now = self._clock()
        due = math.floor(self.speed * (now - self._origin)) - self._done
        if due <= 0:
            return 0, (self._done + 1) / self.speed - (now - self._origin)
        backlog = max(1, math.floor(self.speed * self.MAX_LAG_SECONDS))
        if due > backlog:  # too slow to keep up: forget the steps beyond the backlog
            self._origin = now - (self._done + backlog) / self.speed
            due = backlog
        return min(due, self._chunk), 0.0

    def tick(self) -> float | None:
        """Train one chunk if playing and steps are due, evaluate and publish when it is time.
        Returns the seconds until the next tick is worth making (0: at once), None when paused."""
        self._held = []
        try:
            wait = self._tick()
        except Exception as exc:
            self._failed(exc)
            wait = None
        self._flush_and_release()
        return wait

    def _tick(self) -> float | None:
        if not self.playing:
            return None
        steps, wait = self.due_steps()
        if steps == 0:
            return wait
        exp = self.experiment
        start = self._clock()
        exp.run_fast(steps)
        self.timeline.record(exp)
        now = self._clock()
        self._chunk = self._chunk_for(now - start, steps)
        self._done += steps
        self._rate_steps += steps
        if now - self._last_evaluation >= self._evaluation_interval:
            # loss curves get points at a steady rate, however few frames are drawn
            exp.record_evaluation()
            cost = self._clock() - now
            self._last_evaluation = now
            self._evaluation_interval = max(self.EVALUATION_SECONDS, cost / self.EVALUATION_SHARE)
        if exp.diverged:
            self._set_playing(False)
            self._emit("diverged", self.divergence_message())
            return None
        span = now - self._rate_start
        if span >= self.RATE_SECONDS:
            self.rate = self._rate_steps / span
            self._rate_start, self._rate_steps = now, 0
            self._emit("rate", self.rate)
        interval = self.publisher.interval if self.speed else max(self.publisher.interval,
                                                                   self.FULL_SPEED_FRAME_SECONDS)
        if self.publisher.ready() and publish_due(now - self._last_publish, interval):
            self._last_publish = now
            self.publisher.publish(exp, False)
        return 0.0 if not self.speed else self.due_steps()[1]

    def _after_steps(self) -> None:
        if self.experiment.diverged:
            self._emit("diverged", self.divergence_message())
        self.publish()

    def divergence_message(self) -> str:
        lr = self.experiment.net.lr
        what = self.experiment.divergence or "the loss"
        verb = "are" if what in ("the parameters", "the running statistics") else "is"
        return (f"Training diverged at step {self.experiment.step}: {what} {verb} no longer finite "
                f"(NaN or infinite). Try a smaller learning rate (it is {lr:g}), then Reset.")
