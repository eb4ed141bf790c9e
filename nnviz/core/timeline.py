"""The timeline of a run: keyframes to go back to any past step, exactly, and branch from it.

A run is a pure function of its state and its step: the batch of a step comes from the number of
samples seen, its dropout masks from the optimizer's step count (see :mod:`nnviz.core.trainer`). So
the state at any past step is the nearest earlier keyframe replayed forward: bit for bit what the
run had, without keeping every step. A keyframe is an independent copy of the network — its
parameters, buffers, optimizer state and progress, with the settings it trained under (optimizer,
schedule, loss, regularisation, clipping) — taken every ``every`` steps.

What replay cannot know — a weight typed in, a setting changed, a sample edited — happens between
steps; whoever makes such a change calls :meth:`Timeline.mark` before and after it, so that no
replay crosses it (the keyframe after the change pins where the new course starts). Memory stays
within ``budget`` bytes: when the keyframes outgrow it, every other unpinned one is dropped and the
spacing doubles, so a long run keeps keyframes spread over its whole length.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnviz.core.errors import CommandError
from nnviz.core.experiment import Experiment
from nnviz.core.history import Course, History
from nnviz.core.network import Network
from nnviz.core.validation import show

DEFAULT_EVERY = 10  # steps between keyframes at first (the spacing doubles as the run grows)
DEFAULT_BUDGET = 64 * 2**20  # bytes the keyframes of one run may take
MAX_KEYFRAMES = 512  # keyframes at most (each is a network object as well as its numbers)
PATH_BYTES = 16 * 2**20  # the most bytes of parameters a path handed out (Timeline.path_to) holds


@dataclass(frozen=True)
class Keyframe:
    """The run at ``step``: its numbers — the flat parameters, the buffers and the optimizer's state
    terms (copies), the optimizer's step count and the samples seen — and whether it had diverged.
    The network's settings are ``template``'s, a network shared by the keyframes taken under the same
    settings (they change only at a marked change), so a keyframe costs its numbers and little more."""

    step: int
    params: np.ndarray
    buffers: tuple[np.ndarray, ...]
    state: dict[str, np.ndarray]
    t: int
    samples_seen: int
    template: Network
    divergence: str  # "" while the run had not diverged
    pinned: bool  # taken at a change (never dropped: a replay must not cross it)

    @classmethod
    def of(cls, net: Network, step: int, divergence: str, pinned: bool, template: Network) -> Keyframe:
        return cls(step, net.flat_params.copy(), tuple(a.copy() for _, a in net.named_buffers()),
                   {term: flat.copy() for term, flat in net.optimizer.state.items()}, net.optimizer.t,
                   net.samples_seen, template, divergence, pinned)

    @property
    def net(self) -> Network:
        """A new network as the run's was at the keyframe (its settings, numbers and progress)."""
        net = self.template.copy()
        net.flat_params[...] = self.params
        for (_, mine), saved in zip(net.named_buffers(), self.buffers):
            mine[...] = saved
        for term, flat in self.state.items():
            net.optimizer.state[term][...] = flat
        net.optimizer.t, net.samples_seen = self.t, self.samples_seen
        return net

    @property
    def nbytes(self) -> int:
        return self.params.nbytes + sum(a.nbytes for a in self.buffers) + sum(a.nbytes for a in self.state.values())


def _settings(net: Network) -> tuple:
    """What a network trains under, beside its numbers: equal for two networks whose numbers alone differ."""
    return (net.inputs, repr([layer.to_spec() for layer in net.layers]), repr(net.loss.to_spec()),
            repr(net.optimizer.to_spec()), repr(net.schedule.to_spec()), repr(net.regularization),
            net.clip_grad_norm, net.seed, net.dtype_name, repr(net.meta))


class Timeline:
    """Keyframes of one run (see the module's notes). ``record(experiment)`` after steps,
    ``mark(experiment)`` around a change the steps cannot replay; ``at(experiment, step)`` gives a
    new experiment at a past step, ``branch`` one with changed settings from there."""

    def __init__(self, every: int = DEFAULT_EVERY, budget: int = DEFAULT_BUDGET, most: int = MAX_KEYFRAMES):
        if every < 1 or budget < 1:
            raise CommandError(f"timeline: every and budget must be positive, got {show(every)}, {show(budget)}")
        self.every = int(every)
        self.budget = int(budget)
        self.most = max(3, int(most))
        self.keyframes: list[Keyframe] = []

    # -- recording ---------------------------------------------------------------------------------
    @property
    def start(self) -> int | None:
        """The earliest step the timeline can go back to (None before the first keyframe)."""
        return self.keyframes[0].step if self.keyframes else None

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes for k in self.keyframes)

    def record(self, experiment: Experiment) -> bool:
        """Keep a keyframe of ``experiment`` if ``every`` steps have passed since the last one (or
        there is none); True if one was taken. Call it after the run's steps (any number at a time:
        a keyframe lands where a call leaves the run, at least ``every`` steps apart)."""
        last = self.keyframes[-1].step if self.keyframes else None
        if last is not None and experiment.step - last < self.every:
            return False
        self._add(experiment, pinned=False)
        return True

    def mark(self, experiment: Experiment) -> None:
        """A keyframe now that no replay will cross: call it before and after a change the steps
        cannot replay (a weight or a sample edited, a setting changed)."""
        self._add(experiment, pinned=True)

    def clear(self) -> None:
        """Forget every keyframe (the run started again, or its network changed shape)."""
        self.keyframes.clear()

    def _add(self, experiment: Experiment, pinned: bool) -> None:
        net = experiment.net
        template = self.keyframes[-1].template if self.keyframes else None
        if template is None or _settings(template) != _settings(net):
            template = net.copy()  # the settings the keyframes from here train under
        keyframe = Keyframe.of(net, experiment.step, experiment.divergence, pinned, template)
        if self.keyframes and self.keyframes[-1].step > keyframe.step:  # the run went back: a new course
            self.keyframes = [k for k in self.keyframes if k.step <= keyframe.step]
        if self.keyframes and self.keyframes[-1].step == keyframe.step:  # the newer state of that step wins
            keyframe = replace(keyframe, pinned=pinned or self.keyframes[-1].pinned)
            self.keyframes[-1] = keyframe
        else:
            self.keyframes.append(keyframe)
        self._thin()

    def _thin(self) -> None:
        """Within the budget and the count: drop every other unpinned keyframe (never the first, the
        last or a pinned one) and double the spacing, until the keyframes fit or only those are left."""
        while self.nbytes > self.budget or len(self.keyframes) > self.most:
            kept, drop, dropped = [], False, False
            for i, k in enumerate(self.keyframes):
                keep = k.pinned or i == 0 or i == len(self.keyframes) - 1 or not drop
                if not k.pinned and 0 < i < len(self.keyframes) - 1:
                    drop = not drop
                if keep:
                    kept.append(k)
                else:
                    dropped = True
            self.every *= 2
            if not dropped:
                # only pinned keyframes left: the oldest go (the timeline then starts later)
                if len(self.keyframes) <= 1:
                    return
                kept = self.keyframes[1:]
            self.keyframes = kept

    # -- going back ----------------------------------------------------------------------------------
    def steps(self) -> np.ndarray:
        """The steps of the keyframes, oldest first."""
        return np.array([k.step for k in self.keyframes], dtype=np.int64)

    def path(self) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, params)``: the keyframes' steps and their flat parameters, one row each (the
        optimizer's path, for the loss landscape)."""
        if not self.keyframes:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0))
        return self.steps(), np.stack([k.params for k in self.keyframes])

    def path_to(self, experiment: Experiment, most_bytes: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The optimizer's path up to ``experiment``'s step (the run's present, or a past state of it
        from :meth:`at`): the keyframes up to it, with its state appended (when no keyframe has it),
        evenly thinned to at most ``most_bytes`` of parameters (default :data:`PATH_BYTES`), the first
        and the last kept: what the loss landscape draws."""
        steps, params = self.path()
        upto = int(np.searchsorted(steps, experiment.step, side="right"))  # a past state: its path up to it
        steps, params = steps[:upto], params[:upto]
        if not len(steps) or steps[-1] != experiment.step:
            steps = np.append(steps, experiment.step)
            flat = experiment.net.flat_params[None, :]
            params = np.concatenate([params, flat]) if len(params) else flat.copy()
        most = max(2, (PATH_BYTES if most_bytes is None else most_bytes) // max(params[0].nbytes, 1))
        if len(steps) > most:
            keep = np.unique(np.round(np.linspace(0, len(steps) - 1, most)).astype(np.int64))
            steps, params = steps[keep], params[keep]
        return steps, params

    def keyframe_before(self, step: int) -> Keyframe:
        """The latest keyframe at or before ``step``; a CommandError when the timeline has none."""
        steps = self.steps()
        i = int(np.searchsorted(steps, step, side="right")) - 1
        if i < 0:
            first = "no keyframes yet" if not len(steps) else f"it starts at step {steps[0]:,}"
            raise CommandError(f"step {step:,}: the timeline cannot go back that far ({first})")
        return self.keyframes[i]

    def at(self, experiment: Experiment, step: int) -> Experiment:
        """A new experiment (sharing ``experiment``'s rows) at ``step`` of the run, as it was: the
        nearest keyframe, replayed forward. The step must lie between the timeline's start and the
        run's present step. Its histories are the run's up to ``step``: it goes on from there as a
        run of its own."""
        if not isinstance(step, (int, np.integer)) or isinstance(step, bool):
            raise CommandError(f"step: expected a whole number, got {show(step)}")
        step = int(step)
        if step > experiment.step:
            raise CommandError(f"step {step:,}: the run is only at step {experiment.step:,}")
        keyframe = self.keyframe_before(step)
        past = experiment.fork()
        history, evaluations = past.trainer.history, past._evals  # the run's, kept for the picture
        replay = History(len(past.X))
        replay.run_step = keyframe.step
        past._use(keyframe.net, replay)
        past._step = keyframe.step
        past.divergence, past.diverged = keyframe.divergence, bool(keyframe.divergence)
        if step > keyframe.step and not past.diverged:
            past.run_fast(step - keyframe.step)
        history.truncate(step)
        evaluations.truncate(step)
        past.trainer.history, past._evals = history, evaluations
        past._step = step
        past._dropout_masks = {}
        past.last_evaluation = None  # the run's newest evaluation is of another state
        return past

    def view(self, experiment: Experiment, step: int):
        """The snapshot of ``step`` of the run, evaluated there: every panel as it was then (its
        ``live_step`` says where the run is now)."""
        past = self.at(experiment, step)
        snapshot = past.snapshot()  # evaluated at the step
        history, health = experiment.history_views()  # the loss curves whole: where the run went from there
        return replace(snapshot, history=history, health_history=health, live_step=experiment.step)

    def branch(self, experiment: Experiment, step: int, changes: dict, label: str = "") -> Experiment:
        """A new course of the run from ``step`` with ``changes`` applied there (the settings a lane
        of a comparison may change, :data:`~nnviz.core.lanes.SETTINGS`: training settings, the
        hidden layers' activation or initialiser, the batch size): its history goes up to ``step``
        and on from there; the course it leaves is kept in :attr:`Experiment.branches` (``label``
        names it: what the changed settings were on it). The timeline keeps its keyframes up to
        ``step`` and a pinned one where the new course starts."""
        from nnviz.core.lanes import fork

        past = self.at(experiment, step)
        past.branches = [*experiment.branches, Course.left(experiment.trainer.history, step, label or "earlier course")]
        if changes:
            past = fork(past, changes, keep_history=True)
        self.keyframes = [k for k in self.keyframes if k.step <= step]
        self.mark(past)
        return past
