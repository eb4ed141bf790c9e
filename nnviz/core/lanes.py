"""Compare runs: lanes forked from one state that differ in a few settings and train in lockstep.

Every lane starts from the same state — the same weights, optimizer state and place in the batch
order (its rows are shared, never copied) — and then differs only where its changes say: so two
lanes with the same settings stay bit-identical, and a lane that changes only the learning rate is
exactly the run that rate would have given. The changes a lane takes:

- the training settings :meth:`~nnviz.core.experiment.Experiment.set_training` takes: ``lr``,
  ``optimizer`` (a name or an object), ``loss``, ``regularization``, ``clip_grad_norm``, ``schedule``;
- ``activation``: the hidden layers' activation (the weights kept: the shapes do not change);
- ``init``: the hidden and output layers' initialiser (the weights drawn again from the model's seed
  with it: the point of the change);
- ``batch_size``: a number, or None for the full batch (the weights and the samples seen kept).

A lane's :attr:`Lane.label` names its difference ("lr 0.1", "adam, lr 0.003"), for the legend.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace

import numpy as np

from nnviz.core.errors import CommandError
from nnviz.core.experiment import ARRAY_KEYS, Experiment, _copy_numbers
from nnviz.core.history import History
from nnviz.core.layers import LAYERS
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.validation import show

MAX_LANES = 4
TRAINING_SETTINGS = ("lr", "optimizer", "loss", "regularization", "clip_grad_norm", "schedule")
LAYER_SETTINGS = ("activation", "init")
SETTINGS = TRAINING_SETTINGS + LAYER_SETTINGS + ("batch_size",)

#: the optimizer race: the same data and start, four optimizers at their usual rates
RACE = ({"optimizer": "sgd", "lr": 0.1}, {"optimizer": {"name": "sgd", "momentum": 0.9}, "lr": 0.03},
        {"optimizer": "rmsprop", "lr": 0.01}, {"optimizer": "adam", "lr": 0.01})


def label(changes: dict) -> str:
    """What sets a lane apart, in a few words: ``"adam, lr 0.01"``; ``"as the run"`` for none."""
    parts = []
    for key, value in changes.items():
        if key == "optimizer":
            spec = {"name": value} if isinstance(value, str) else value
            defaults = {k: d for k, (_, d) in getattr(OPTIMIZERS.get(spec["name"]), "OPTIONS", {}).items()}
            extra = ", ".join(f"{k} {_short(v)}" for k, v in spec.items()
                              if k not in ("name", "lr") and not _same(v, defaults.get(k, object())))
            parts.append(spec["name"] + (f" ({extra})" if extra else ""))
            if "lr" in spec and "lr" not in changes:
                parts.append(f"lr {_short(spec['lr'])}")
        elif key == "schedule" and isinstance(value, dict):
            inner = ", ".join(f"{k} {_short(v)}" for k, v in value.items() if k != "name")
            parts.append(f"{value.get('name', 'constant')} schedule" + (f" ({inner})" if inner else ""))
        elif key in ("schedule", "regularization", "activation", "init", "loss") and isinstance(value, dict):
            inner = ", ".join(f"{k} {_short(v)}" for k, v in value.items())
            parts.append(f"{key} {inner}" if key != "loss" else f"{value.get('name', 'loss')}")
        elif key == "clip_grad_norm":
            parts.append("no clipping" if value is None else f"clip {_short(value)}")
        elif key == "batch_size":
            parts.append("full batch" if value is None else f"batch {value}")
        elif key == "loss":
            parts.append(str(value))
        elif key in ("activation", "init"):
            parts.append(f"{key} {value}")
        else:
            parts.append(f"{key} {_short(value)}")
    return ", ".join(parts) or "as the run"


def settings_of(experiment: Experiment, keys) -> dict:
    """``experiment``'s own values of the settings ``keys`` (of :data:`SETTINGS`), as a lane's changes
    write them: ``label(settings_of(run, lane.changes))`` names the run's course beside the lane's."""
    net, out = experiment.net, {}
    weighted = [layer for layer in experiment.document.get("layers", []) if LAYERS[layer["type"]].TAKES_INIT]
    for key in keys:
        if key == "lr":
            out[key] = net.optimizer.lr
        elif key == "optimizer":
            spec = net.optimizer.to_spec()
            if "lr" in keys:
                spec.pop("lr")
            out[key] = spec
        elif key in ("loss", "schedule"):
            out[key] = getattr(net, key).to_spec()
        elif key == "regularization":
            out[key] = dict(net.regularization)
        elif key == "clip_grad_norm":
            out[key] = net.clip_grad_norm
        elif key == "batch_size":
            out[key] = experiment.data.batch_size
        elif key in LAYER_SETTINGS:
            hidden = weighted[:-1] if key == "activation" else weighted
            out[key] = hidden[0].get(key, "as the model") if hidden else "none"
        else:
            raise CommandError(f"unknown setting {key!r} (choose from {', '.join(SETTINGS)})")
    return out


def _same(value, default) -> bool:
    if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)):
        return list(value) == list(default)
    return value == default


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _check_changes(changes) -> dict:
    if not isinstance(changes, dict):
        raise CommandError(f"changes: expected an object of settings, got {show(changes)}")
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise CommandError(f"unknown setting {unknown[0]!r} (choose from {', '.join(SETTINGS)})")
    return dict(changes)


def fork(base: Experiment, changes: dict, keep_history: bool = False) -> Experiment:
    """A new run from ``base``'s state with ``changes`` applied (see the module's notes); ``base``
    is left as it is. A change that cannot apply raises the one-line error the setting gives. The
    lane's histories start here (a comparison draws the lanes from where they part), or with
    ``keep_history`` go on from ``base``'s (a branch of the run, or a lane kept as the run)."""
    changes = _check_changes(changes)
    lane = base.fork()
    if not keep_history:
        lane._start_history()  # its own evaluation points, from here
        history = History(len(lane.X))
        history.run_step = base.step
        lane.trainer.history = history  # its own step history, from here
    layer_changes = {k: changes[k] for k in LAYER_SETTINGS if k in changes}
    if layer_changes:
        _set_layers(lane, base, layer_changes)
    if "batch_size" in changes:
        _set_batch_size(lane, changes["batch_size"])
    training = {k: changes[k] for k in TRAINING_SETTINGS if k in changes}
    if training:
        lane.set_training(**training)
    return lane


def _set_layers(lane: Experiment, base: Experiment, changes: dict) -> None:
    """A new activation keeps the weights (a parameter it brings, PReLU's α, starts at its initial
    value); a new initialiser draws them again from the model's seed. The buffers, the optimizer's
    step and the samples seen are the base's; its state terms too where the parameters are alike."""
    doc = lane.net.to_dict(state=False)
    layers = doc["layers"]
    weighted = [i for i, layer in enumerate(layers) if LAYERS[layer["type"]].TAKES_INIT]
    for key, value in changes.items():
        for i in (weighted[:-1] if key == "activation" else weighted):
            layers[i][key] = copy.deepcopy(value)
    for layer in layers:
        for array in ARRAY_KEYS:
            layer.pop(array, None)
    lane._build(copy.deepcopy(doc), lane.trainer.history)
    fresh, old = lane.net, base.net
    if "init" not in changes:
        if fresh.flat_params.size == old.flat_params.size:
            _copy_numbers(old, fresh, state=True)
        else:
            theirs = dict(old.named_parameters())
            for name, mine in fresh.named_parameters():
                if name in theirs and theirs[name].shape == mine.shape:
                    mine[...] = theirs[name]
    for (_, theirs), (_, mine) in zip(old.named_buffers(), fresh.named_buffers()):
        mine[...] = theirs
    fresh.optimizer.t, fresh.samples_seen = old.optimizer.t, old.samples_seen
    lane.document["layers"] = layers


def _set_batch_size(lane: Experiment, batch_size) -> None:
    net, history = lane.net, lane.trainer.history
    lane.data = replace(lane.data, batch_size=batch_size)
    lane._use(net, history)  # the same network, fed batches of the new size


@dataclass
class Lane:
    """One run of a comparison: its experiment, its changes and their :func:`label`."""

    experiment: Experiment
    changes: dict
    label: str


class Lanes:
    """Up to :data:`MAX_LANES` runs forked from ``base``'s state, one per entry of ``variants`` (a dict
    of changes each; ``{}`` is the run as it is), trained in lockstep by :meth:`run`."""

    def __init__(self, base: Experiment, variants):
        variants = list(variants)
        if not 1 <= len(variants) <= MAX_LANES:
            raise CommandError(f"compare: between 1 and {MAX_LANES} lanes, got {len(variants)}")
        self.start = base.step
        self.lanes = [Lane(fork(base, changes), dict(changes), label(changes)) for changes in variants]

    def __len__(self) -> int:
        return len(self.lanes)

    def __iter__(self):
        return iter(self.lanes)

    def __getitem__(self, i: int) -> Lane:
        return self.lanes[i]

    @property
    def step(self) -> int:
        """The step every lane is at (lockstep: a diverged lane stops but counts along)."""
        return max(lane.experiment.step for lane in self.lanes)

    def run(self, steps: int) -> list[float]:
        """``steps`` steps in every lane that has not diverged; each lane's last loss (NaN for one
        that had already diverged)."""
        losses = []
        for lane in self.lanes:
            losses.append(math.nan if lane.experiment.diverged else lane.experiment.run_fast(steps))
        return losses

    def close(self, i: int) -> Lane:
        """Take lane ``i`` out of the comparison (at least one stays); returns it."""
        if len(self.lanes) == 1:
            raise CommandError("compare: the last lane cannot be closed; end the comparison instead")
        if not 0 <= i < len(self.lanes):
            raise CommandError(f"compare: no lane {i + 1} (there are {len(self.lanes)})")
        return self.lanes.pop(i)

    def keep(self, i: int) -> Experiment:
        """Lane ``i``'s run, to go on with as the main run (the comparison ends)."""
        if not 0 <= i < len(self.lanes):
            raise CommandError(f"compare: no lane {i + 1} (there are {len(self.lanes)})")
        return self.lanes[i].experiment


def plane_classes(snapshot) -> np.ndarray | None:
    """The class a snapshot's network predicts at each point of the input plane (a bool map for
    one output scoring two classes), or None: no plane, or no classes."""
    if snapshot.surface_classes is not None:
        return snapshot.surface_classes
    if snapshot.surface is None or snapshot.confusion is None or snapshot.task != "classification":
        return None
    threshold = snapshot.decision_threshold if snapshot.decision_threshold is not None else snapshot.label_midpoint
    if snapshot.surface.ndim != 2:
        return None
    return snapshot.surface > threshold


def plane_difference(a, b) -> tuple[str, np.ndarray] | None:
    """Where two lanes' networks disagree over the input plane: ``("classes", bool map)`` where they
    predict different classes, or for regression ``("values", |a − b|)``; None without a plane (or
    for planes of different extents)."""
    if a.grid_extent is None or a.grid_extent != b.grid_extent:
        return None
    ca, cb = plane_classes(a), plane_classes(b)
    if ca is not None and cb is not None:
        return "classes", np.asarray(ca != cb)
    if a.surface is not None and b.surface is not None and a.surface.shape == b.surface.shape:
        return "values", np.abs(np.asarray(a.surface, dtype=float) - np.asarray(b.surface, dtype=float))
    return None
