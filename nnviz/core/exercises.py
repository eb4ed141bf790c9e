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
from nnviz.core.lessons import METRICS, Exercise, listed
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase

__all__ = ["Verdict", "broken_constraints", "check_exercise", "check_experiment", "hidden_units", "metric_column",
           "start_data_of"]


#: a list with nothing in it, in words
_NONE = Phrase(QT_TRANSLATE_NOOP("", "none"))


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

    def progress(self) -> Phrase:
        """``test loss 0.231 at step 120`` (or ``no evaluation yet``)."""
        if not self.points:
            return Phrase(QT_TRANSLATE_NOOP("", "no evaluation yet"))
        if self.metric.endswith("accuracy") and math.isfinite(self.value):
            figure = f"{100 * self.value:.1f}%"
        else:
            figure = f"{self.value:.4g}"
        return Phrase(QT_TRANSLATE_NOOP("", "{metric} {value} at step {step}"),
                      metric=METRICS.get(self.metric, self.metric), value=figure, step=f"{self.step:,}")


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
    return "-".join(parts) or _NONE


def _shape_key(layer: dict) -> tuple:
    return tuple((k, layer[k]) for k in ("type", "units", "variant", "p") if k in layer)


def broken_constraints(exercise: Exercise, start: dict, document: dict, data=None, start_data=None) -> list[str]:
    """The constraints of ``exercise`` that the model ``document`` with ``data`` (a
    :class:`~nnviz.core.dataconfig.DataConfig`) breaks, one line each (a
    :class:`~nnviz.core.text.Phrase`), against the starting document ``start`` and its data
    (``start_data``; None: read from ``start``'s data entry)."""
    broken = []
    units, layers = hidden_units(document)
    if exercise.max_hidden_units is not None and units > exercise.max_hidden_units:
        broken.append(Phrase(QT_TRANSLATE_NOOP("", "{count} hidden units, more than the {limit} allowed"),
                             count=units, limit=exercise.max_hidden_units))
    if exercise.max_hidden_layers is not None and layers > exercise.max_hidden_layers:
        broken.append(Phrase(QT_TRANSLATE_NOOP("", "{count} hidden layers, more than the {limit} allowed"),
                             count=layers, limit=exercise.max_hidden_layers))
    for key in exercise.keep:
        line = _kept(key, start, document, data, start_data)
        if line:
            broken.append(line)
    return broken


def _kept(key: str, start: dict, now: dict, data, start_data) -> str:
    """"" if ``now`` keeps ``key`` as ``start`` has it, else one line (a Phrase) saying what changed."""
    s_hidden, n_hidden = start["layers"][:-1], now["layers"][:-1]
    if key == "layers":
        if [_shape_key(x) for x in s_hidden] != [_shape_key(x) for x in n_hidden]:
            return Phrase(QT_TRANSLATE_NOOP("", "the hidden layers must stay {was} (now {now})"),
                          was=_hidden_shape(start), now=_hidden_shape(now))
        return ""
    if key == "activations":
        was = [_name(x.get("activation")) for x in s_hidden]
        new = [_name(x.get("activation")) for x in n_hidden]
        if was != new:
            return Phrase(QT_TRANSLATE_NOOP("", "the hidden activations must stay {was} (now {now})"),
                          was=listed(dict.fromkeys(was)) or Phrase(QT_TRANSLATE_NOOP("", "as they were")),
                          now=listed(dict.fromkeys(new)) or _NONE)
        return ""
    if key == "output_activation":
        was_spec, new_spec = (doc["layers"][-1].get("activation", "identity") for doc in (start, now))
        if _normal(was_spec) == _normal(new_spec):
            return ""
        was, new = _name(was_spec), _name(new_spec)
        if was == new:
            return Phrase(QT_TRANSLATE_NOOP("", "the output activation must stay {was} (now {now} with other options)"),
                          was=was, now=new)
        return Phrase(QT_TRANSLATE_NOOP("", "the output activation must stay {was} (now {now})"), was=was, now=new)
    if key == "init":
        was = [_name(x.get("init"), "default") for x in start["layers"] if "units" in x]
        new = [_name(x.get("init"), "default") for x in now["layers"] if "units" in x]
        if was != new:
            return Phrase(QT_TRANSLATE_NOOP("", "the initialiser must stay {was}"),
                          was=was[0] if len(set(was)) == 1 else listed(was))
        return ""
    if key == "loss":
        was, new = _name(start.get("loss"), "mse"), _name(now.get("loss"), "mse")
        return "" if was == new else Phrase(QT_TRANSLATE_NOOP("", "the loss must stay {was} (now {now})"),
                                            was=was, now=new)
    if key in ("optimizer", "learning_rate"):
        was, new = optimizer_spec(start), optimizer_spec(now)
        if key == "learning_rate":
            return "" if was["lr"] == new["lr"] else Phrase(
                QT_TRANSLATE_NOOP("", "the learning rate must stay {was} (now {now})"),
                was=f"{was['lr']:g}", now=f"{new['lr']:g}")
        was.pop("lr")
        new.pop("lr")
        if was["name"] != new["name"]:
            return Phrase(QT_TRANSLATE_NOOP("", "the optimizer must stay {was} (now {now})"),
                          was=was["name"], now=new["name"])
        return "" if was == new else Phrase(QT_TRANSLATE_NOOP("", "the options of {name} must stay as they were"),
                                            name=was["name"])
    if key in ("schedule", "regularization", "clip_grad_norm", "seed"):
        defaults = {"schedule": "constant", "regularization": {"l1": 0.0, "l2": 0.0}, "clip_grad_norm": None,
                    "seed": 0}
        was, new = (_normal(doc.get(key, defaults[key])) for doc in (start, now))
        if was == new:
            return ""
        if key == "seed":
            return Phrase(QT_TRANSLATE_NOOP("", "the seed must stay as {seed}"), seed=f"{was}")
        return Phrase({"schedule": QT_TRANSLATE_NOOP("", "the schedule must stay as it was"),
                       "regularization": QT_TRANSLATE_NOOP("", "the L1 and L2 rates must stay as it was"),
                       "clip_grad_norm": QT_TRANSLATE_NOOP("", "gradient clipping must stay as it was")}[key])
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
            size = lambda b: Phrase(QT_TRANSLATE_NOOP("", "full batch")) if b is None else str(b)  # noqa: E731
            return Phrase(QT_TRANSLATE_NOOP("", "the batch size must stay {was} (now {now})"),
                          was=size(start_data.batch_size), now=size(data.batch_size))
        return ""
    fields = ("dataset", "noise", "n", "seed", "test_fraction", "features")
    changed = [name for name in fields if getattr(data, name) != getattr(start_data, name)]
    a, b = data.imported, start_data.imported
    if (a is None) != (b is None) or (a is not None and not (np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y))):
        changed.append("rows")
    if changed:
        return Phrase(QT_TRANSLATE_NOOP("", "the data must stay as they were (changed: {changes})"),
                      changes=listed(_DATA_FIELDS[c] for c in changed))
    return ""


#: what may change in the data, in words
_DATA_FIELDS = {"dataset": Phrase(QT_TRANSLATE_NOOP("", "data set")), "noise": Phrase(QT_TRANSLATE_NOOP("", "noise")),
                "n": Phrase(QT_TRANSLATE_NOOP("", "number of points")), "seed": Phrase(QT_TRANSLATE_NOOP("", "seed")),
                "test_fraction": Phrase(QT_TRANSLATE_NOOP("", "test split")),
                "features": Phrase(QT_TRANSLATE_NOOP("", "features")), "rows": Phrase(QT_TRANSLATE_NOOP("", "rows"))}


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
