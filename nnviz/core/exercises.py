"""Judging a run against an exercise (the ``exercise`` section of a model document, read by
:func:`nnviz.core.lessons.read_exercise`): which constraints it breaks, whether it reached the goal,
and in how many steps::

    from nnviz.core.exercises import check_experiment
    start = experiment.document_copy()          # the exercise's starting state, as the run took it
    ...                                         # the learner changes things and trains
    verdict = check_experiment(exercise, start, experiment)
    verdict.solved, verdict.steps, verdict.broken
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.dataconfig import DataConfig, data_config_for
from nnviz.core.document import build_network, optimizer_spec
from nnviz.core.errors import ModelError
from nnviz.core.lessons import METRICS, Exercise

__all__ = ["Verdict", "broken_constraints", "check_exercise", "check_experiment", "hidden_units", "metric_column",
           "start_data_of"]


@dataclass(frozen=True)
class Verdict:
    """How a run stands against an exercise.

    ``solved``: the goal was reached within its steps with no constraint broken, at step ``steps``
    (the first evaluation point that reached it; None while not solved). ``broken``: one line per
    constraint the run breaks now. ``value`` and ``step``: the metric at the newest evaluation
    point (NaN before any) and its step. ``out_of_steps``: the run went past the goal's steps
    without reaching it (Reset and try again). ``metric``: the column judged (a test metric of data
    without test rows is read on the training rows); ``points``: how many evaluation points there
    were."""

    solved: bool
    steps: int | None
    broken: tuple[str, ...] = ()
    value: float = math.nan
    step: int = 0
    out_of_steps: bool = False
    metric: str = field(default="", compare=False)
    points: int = 0  # evaluation points judged

    def progress(self) -> str:
        """``test loss 0.231 at step 120`` (or ``no evaluation yet``)."""
        if not self.points:
            return "no evaluation yet"
        if self.metric.endswith("accuracy") and math.isfinite(self.value):
            figure = f"{100 * self.value:.1f}%"
        else:
            figure = f"{self.value:.4g}"
        return f"{METRICS.get(self.metric, self.metric)} {figure} at step {self.step:,}"


def hidden_units(document: dict) -> tuple[int, int]:
    """(hidden units, hidden layers) of a document: the units of its hidden layers that have units
    (dense and glu; norm and dropout layers keep their input's width and are not counted)."""
    sizes = [layer.get("units") for layer in document.get("layers", [])[:-1] if "units" in layer]
    return sum(sizes), len(sizes)


def _name(spec, default: str = "identity") -> str:
    if spec is None:
        return default
    return spec if isinstance(spec, str) else spec.get("name", default)


def _hidden_shape(document: dict) -> str:
    parts = []
    for layer in document.get("layers", [])[:-1]:
        kind = layer.get("variant", layer.get("type", "dense"))
        parts.append(str(layer["units"]) if kind == "dense" and "units" in layer
                     else f"{kind} {layer['units']}" if "units" in layer else kind)
    return "-".join(parts) or "none"


def _shape_key(layer: dict) -> tuple:
    return tuple((k, layer[k]) for k in ("type", "units", "variant", "p") if k in layer)


def broken_constraints(exercise: Exercise, start: dict, document: dict, data=None, start_data=None) -> list[str]:
    """The constraints of ``exercise`` that the model ``document`` with ``data`` (a
    :class:`~nnviz.core.dataconfig.DataConfig`) breaks, one line each, against the starting
    document ``start`` and its data (``start_data``; None: read from ``start``'s data entry)."""
    broken = []
    units, layers = hidden_units(document)
    if exercise.max_hidden_units is not None and units > exercise.max_hidden_units:
        broken.append(f"{units} hidden units, more than the {exercise.max_hidden_units} allowed")
    if exercise.max_hidden_layers is not None and layers > exercise.max_hidden_layers:
        broken.append(f"{layers} hidden layers, more than the {exercise.max_hidden_layers} allowed")
    for key in exercise.keep:
        line = _kept(key, start, document, data, start_data)
        if line:
            broken.append(line)
    return broken


def _kept(key: str, start: dict, now: dict, data, start_data) -> str:
    """"" if ``now`` keeps ``key`` as ``start`` has it, else one line saying what changed."""
    s_hidden, n_hidden = start["layers"][:-1], now["layers"][:-1]
    if key == "layers":
        if [_shape_key(x) for x in s_hidden] != [_shape_key(x) for x in n_hidden]:
            return f"the hidden layers must stay {_hidden_shape(start)} (now {_hidden_shape(now)})"
        return ""
    if key == "activations":
        was = [_name(x.get("activation")) for x in s_hidden]
        new = [_name(x.get("activation")) for x in n_hidden]
        if was != new:
            return (f"the hidden activations must stay {', '.join(dict.fromkeys(was)) or 'as they were'} "
                    f"(now {', '.join(dict.fromkeys(new)) or 'none'})")
        return ""
    if key == "output_activation":
        was_spec, new_spec = (doc["layers"][-1].get("activation", "identity") for doc in (start, now))
        if _normal(was_spec) == _normal(new_spec):
            return ""
        was, new = _name(was_spec), _name(new_spec)
        return f"the output activation must stay {was} (now {new}{' with other options' if was == new else ''})"
    if key == "init":
        was = [_name(x.get("init"), "default") for x in start["layers"] if "units" in x]
        new = [_name(x.get("init"), "default") for x in now["layers"] if "units" in x]
        if was != new:
            return f"the initialiser must stay {was[0] if len(set(was)) == 1 else ', '.join(was)}"
        return ""
    if key == "loss":
        was, new = _name(start.get("loss"), "mse"), _name(now.get("loss"), "mse")
        return "" if was == new else f"the loss must stay {was} (now {new})"
    if key in ("optimizer", "learning_rate"):
        was, new = optimizer_spec(start), optimizer_spec(now)
        if key == "learning_rate":
            return "" if was["lr"] == new["lr"] else f"the learning rate must stay {was['lr']:g} (now {new['lr']:g})"
        was.pop("lr")
        new.pop("lr")
        if was["name"] != new["name"]:
            return f"the optimizer must stay {was['name']} (now {new['name']})"
        return "" if was == new else f"the options of {was['name']} must stay as they were"
    if key in ("schedule", "regularization", "clip_grad_norm", "seed"):
        defaults = {"schedule": "constant", "regularization": {"l1": 0.0, "l2": 0.0}, "clip_grad_norm": None,
                    "seed": 0}
        was, new = (_normal(doc.get(key, defaults[key])) for doc in (start, now))
        what = {"schedule": "the schedule", "regularization": "the L1 and L2 rates",
                "clip_grad_norm": "gradient clipping", "seed": "the seed"}[key]
        return "" if was == new else f"{what} must stay as {'it was' if key != 'seed' else was}"
    if key in ("data", "batch_size"):
        return _data_kept(key, start, data, start_data)
    raise ModelError(f"unknown thing to keep {key!r}")


def _normal(value):
    """A setting compared as a value: a bare name as its object, numbers as floats."""
    if isinstance(value, str):
        return {"name": value}
    if isinstance(value, dict):
        return {k: _normal(v) if isinstance(v, dict) else float(v) if isinstance(v, int) and not isinstance(v, bool)
                else v for k, v in value.items() if not (k == "warmup" and v == 0)}
    return value


def _data_kept(key: str, start: dict, data, start_data) -> str:
    if data is None:
        return ""
    if start_data is None:
        start_data = start_data_of(start)
    if start_data is None:
        return ""
    if key == "batch_size":
        if data.batch_size != start_data.batch_size:
            size = lambda b: "full batch" if b is None else str(b)  # noqa: E731
            return f"the batch size must stay {size(start_data.batch_size)} (now {size(data.batch_size)})"
        return ""
    fields = ("dataset", "noise", "n", "seed", "test_fraction", "features")
    changed = [name for name in fields if getattr(data, name) != getattr(start_data, name)]
    a, b = data.imported, start_data.imported
    if (a is None) != (b is None) or (a is not None and not (np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y))):
        changed.append("rows")
    if changed:
        what = {"dataset": "data set", "test_fraction": "test split", "n": "number of points"}
        return f"the data must stay as they were (changed: {', '.join(what.get(c, c) for c in changed)})"
    return ""


def start_data_of(start: dict):
    """The data a starting document's ``data`` entry gives (a DataConfig), or None."""
    if "data" not in start:
        return None
    return data_config_for(build_network(start), DataConfig())


def metric_column(history: dict, metric: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(steps, values, metric) of ``metric`` in a run's evaluation history (a snapshot's ``history``,
    or :meth:`Experiment.history_views`): a test metric of data with no test rows is read on the
    training rows, as the status bar reads it (the metric then names the training rows)."""
    steps = np.asarray(history.get("eval_step", ()), dtype=np.float64)
    values = np.asarray(history.get(metric, ()), dtype=np.float64)
    if metric.startswith("test_") and not np.any(np.isfinite(values)):
        metric = "train_" + metric[len("test_"):]
        values = np.asarray(history.get(metric, ()), dtype=np.float64)
    return steps, values, metric


def check_exercise(exercise: Exercise, start: dict, document: dict, data, history: dict,
                   start_data=None) -> Verdict:
    """Judge a run against ``exercise``: the model as it is now (``document``, ``data``), and its
    evaluation history since it last started (``history``: ``eval_step`` and the metric columns), from
    the starting document ``start`` (and its data, ``start_data``; None: read from ``start``).

    Solved when no constraint is broken now and an evaluation point at or before the goal's
    ``within`` steps reached the threshold; ``steps`` is the first such point's step."""
    broken = tuple(broken_constraints(exercise, start, document, data, start_data))
    goal = exercise.goal
    steps, values, metric = metric_column(history, goal.metric)
    count = min(len(steps), len(values))
    steps, values = steps[:count], values[:count]
    value = float(values[-1]) if count else math.nan
    step = int(steps[-1]) if count else 0
    with np.errstate(invalid="ignore"):
        reached = values <= goal.threshold if goal.is_loss else values >= goal.threshold
    if goal.within is not None:
        reached &= steps <= goal.within
    hits = np.flatnonzero(reached)
    first = int(steps[hits[0]]) if hits.size else None
    out = goal.within is not None and first is None and step > goal.within
    solved = first is not None and not broken
    return Verdict(solved, first if solved else None, broken, value, step, out, metric, count)


def check_experiment(exercise: Exercise, start: dict, experiment) -> Verdict:
    """:func:`check_exercise` for an :class:`~nnviz.core.experiment.Experiment` as it is now."""
    return check_exercise(exercise, start, experiment.document_copy(), experiment.data,
                          experiment.history_views()[0])
