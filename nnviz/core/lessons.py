"""Lessons and exercises: the ``lesson`` and ``exercise`` sections of a model document.

A **lesson** walks through steps — each a title, a paragraph, what to do and what to watch — and
says which panels are shown and which controls are hidden or locked; the document itself is the
starting state. An **exercise** sets a goal (a train or test loss or accuracy to reach, maybe within
so many steps) under constraints (at most so many hidden units, the activations kept, …), with hints
revealed one at a time. Both are described in
``docs/model-format.md`` ("Lessons" and "Exercises")::

    from nnviz.core.lessons import read_lesson, read_exercise, localized
    lesson = read_lesson(doc)                 # None without a lesson section
    localized(lesson.steps[0].title, "zh_CN")  # the Chinese text, else the English

A run is judged against an exercise by :mod:`nnviz.core.exercises`.

Every text is a string or a per-language object ``{"en": "...", "zh_CN": "..."}`` (English is
required; the others are named by locale codes); a text may hold inline maths between ``$`` signs
(``\\$`` is a dollar sign). Panels and controls are named by the keys of :data:`CONTROLS` (or the
labels the window shows them under) and by the window's panel names: names this version does not know
are kept in the document and reported by the window in one line, so that a teacher's file stays valid
when the app changes. Everything else is validated as strictly as the rest of the document: one
:class:`~nnviz.core.errors.ModelError` naming the field.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from nnviz.core.errors import ModelError
from nnviz.core.text import QT_TRANSLATE_NOOP, Phrase
from nnviz.core.validation import check_keys, check_option, show

__all__ = ["CONTROLS", "KEEPABLE", "METRICS", "Exercise", "Goal", "Lesson", "Step", "check_text", "exercise_to_dict",
           "lesson_to_dict", "listed", "localized", "read_exercise", "read_lesson", "split_maths"]

#: the language every text must have, and the one shown when the reader's is missing
FALLBACK = "en"
#: a locale code: a language (``en``, ``zh``), then maybe a script (``Hans``) and a region (``CN``)
_LOCALE = re.compile(r"[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2}|_[0-9]{3})?\Z")
#: the longest name of a panel or control a lesson may give
MAX_NAME = 100

#: the controls a lesson may hide or lock, by their stable key, with the label the window shows
#: (either may be given in a document; a saved lesson writes the keys, which stay when labels are
#: translated). The window maps every key to its widgets (``nnviz.gui.lesson_controls``).
CONTROLS = {
    "dataset": "Data set", "noise": "Noise", "test_split": "Test split", "batch_size": "Batch size",
    "features": "Features", "regenerate": "Regenerate", "import_csv": "Import CSV…",
    "layers": "Hidden layers", "add_layer": "+ Add layer", "units": "Units", "activations": "Activations",
    "output_activation": "Output activation", "init": "Initialiser",
    "loss": "Loss", "optimizer": "Optimizer", "learning_rate": "Learning rate", "schedule": "Schedule",
    "warmup": "Warm-up steps", "l1": "L1 rate", "l2": "L2 rate", "clip": "Clip gradient", "seed": "Seed",
    "speed": "Steps / second",
}

#: what an exercise's goal may measure: the loss or accuracy on the training or the test rows, with
#: its name in words (marked for translation: the window shows it through ``tr_phrase``)
METRICS = {"train_loss": Phrase(QT_TRANSLATE_NOOP("", "train loss")),
           "test_loss": Phrase(QT_TRANSLATE_NOOP("", "test loss")),
           "train_accuracy": Phrase(QT_TRANSLATE_NOOP("", "train accuracy")),
           "test_accuracy": Phrase(QT_TRANSLATE_NOOP("", "test accuracy"))}

#: what an exercise may keep as the starting document has it (``constraints.keep``), in words
KEEPABLE = {
    "data": Phrase(QT_TRANSLATE_NOOP("", "the data")),
    "batch_size": Phrase(QT_TRANSLATE_NOOP("", "the batch size")),
    "layers": Phrase(QT_TRANSLATE_NOOP("", "the hidden layers' sizes")),
    "activations": Phrase(QT_TRANSLATE_NOOP("", "the hidden activations")),
    "output_activation": Phrase(QT_TRANSLATE_NOOP("", "the output activation")),
    "init": Phrase(QT_TRANSLATE_NOOP("", "the initialiser")),
    "loss": Phrase(QT_TRANSLATE_NOOP("", "the loss")),
    "optimizer": Phrase(QT_TRANSLATE_NOOP("", "the optimizer (its rate apart)")),
    "learning_rate": Phrase(QT_TRANSLATE_NOOP("", "the learning rate")),
    "schedule": Phrase(QT_TRANSLATE_NOOP("", "the schedule")),
    "regularization": Phrase(QT_TRANSLATE_NOOP("", "the L1 and L2 rates")),
    "clip_grad_norm": Phrase(QT_TRANSLATE_NOOP("", "gradient clipping")),
    "seed": Phrase(QT_TRANSLATE_NOOP("", "the seed")),
}



def listed(items) -> str:
    """``items`` written one after another, ``a, b, c`` (a :class:`~nnviz.core.text.Phrase`, so that a
    translation may join them its own way: ``a、b、c``); "" for none."""
    items = list(items)
    if not items:
        return ""
    text = items[0] if isinstance(items[0], Phrase) else str(items[0])
    for item in items[1:]:
        text = Phrase(QT_TRANSLATE_NOOP("", "{items}, {item}"), items=text, item=item)
    return text


LESSON_KEYS = ("steps", "panels", "hide", "lock")
STEP_KEYS = ("title", "text", "do", "watch", "panels", "step_through")
EXERCISE_KEYS = ("task", "goal", "constraints", "hints", "solution")
GOAL_KEYS = ("metric", "threshold", "within")
CONSTRAINT_KEYS = ("max_hidden_units", "max_hidden_layers", "keep")


# -- texts -------------------------------------------------------------------------------------------
def check_text(value, where: str) -> None:
    """A text: a string, or ``{"en": ..., other locale codes: ...}`` of strings; inline maths
    between ``$`` signs closed (``\\$`` for a dollar). A one-line ModelError naming ``where``
    otherwise."""
    if isinstance(value, str):
        _check_maths(value, where)
        return
    if not isinstance(value, dict):
        raise ModelError(f"{where}: expected text, or an object of texts by language like "
                         f"{{\"en\": \"...\", \"zh_CN\": \"...\"}}, got {show(value)}")
    for code, text in value.items():
        if not isinstance(code, str) or not _LOCALE.match(code):
            raise ModelError(f"{where}.{code}: not a locale code (like 'en', 'zh_CN')")
        if not isinstance(text, str):
            raise ModelError(f"{where}.{code}: expected text, got {show(text)}")
        _check_maths(text, f"{where}.{code}")
    if FALLBACK not in value:
        raise ModelError(f"{where}.{FALLBACK}: missing (every text needs English, shown where the reader's "
                         f"language is missing)")


def _check_maths(text: str, where: str) -> None:
    if len(re.findall(r"(?<!\\)\$", text)) % 2:
        raise ModelError(f"{where}: a '$' opens inline maths that is never closed (write \\$ for a dollar sign)")


def split_maths(text: str) -> list[tuple[bool, str]]:
    """``text`` as pieces ``(is_maths, piece)``: the plain text and the inline maths between ``$``
    signs (without them); ``\\$`` is a plain dollar sign. An unclosed ``$`` is taken as a dollar."""
    pieces: list[tuple[bool, str]] = []
    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:  # unclosed: the last $ is a dollar
        parts[-2:] = [parts[-2] + "$" + parts[-1]]
    for i, part in enumerate(parts):
        part = part.replace("\\$", "$")
        if part:
            pieces.append((i % 2 == 1, part))
    return pieces


def document_text(doc: dict | None, key: str, locale: str | None = None, default: str = "") -> str:
    """A document's ``name`` or ``description`` for a reader in ``locale``: from its ``translations``
    (``{"zh_CN": {"name": …}}``) when they have it (by :func:`localized`'s rules), else as written."""
    doc = doc or {}
    if key not in doc:
        return default
    texts = {FALLBACK: doc[key]}
    texts.update({code: given[key] for code, given in (doc.get("translations") or {}).items()
                  if isinstance(given, dict) and key in given})
    return localized(texts, locale)


def localized(text, locale: str | None = None) -> str:
    """The text to show a reader whose locale is ``locale`` (``"zh_CN"``, ``"zh-Hans-CN"``, ``"en_US"``):
    the text in that locale, else in its language (``zh`` for ``zh_TW``, or another region of it), else
    English. A plain string is the same in every language; None gives ""."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    code = (locale or FALLBACK).replace("-", "_")
    if code in text:
        return text[code]
    language = code.split("_")[0]
    if language in text:
        return text[language]
    for key in text:  # zh_CN for a reader of zh_TW, or of zh
        if key.split("_")[0] == language:
            return text[key]
    return text.get(FALLBACK, "")


def _names(value, where: str) -> tuple[str, ...]:
    """A list of names of panels or controls: text, none twice. Unknown names are not refused here:
    the window reports them (a file stays valid when the app changes)."""
    if not isinstance(value, list):
        raise ModelError(f"{where}: expected a list of names, got {show(value)}")
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            raise ModelError(f"{where}[{i}]: expected a name, got {show(name)}")
        if len(name) > MAX_NAME:
            raise ModelError(f"{where}[{i}]: a name of at most {MAX_NAME} characters, got {len(name)}")
        if name in value[:i]:
            raise ModelError(f"{where}[{i}]: {name!r} is named twice")
    return tuple(value)


# -- lessons -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One step of a lesson. Texts are as the document gives them (see :func:`localized`);
    ``panels`` None keeps the lesson's panels; ``step_through`` None leaves step-through as it is."""

    title: object
    text: object
    do: object = None
    watch: object = None
    panels: tuple[str, ...] | None = None
    step_through: bool | None = None


@dataclass(frozen=True)
class Lesson:
    """The steps, the panels shown (None: the layout as it is), the controls hidden and locked."""

    steps: tuple[Step, ...]
    panels: tuple[str, ...] | None = None
    hide: tuple[str, ...] = ()
    lock: tuple[str, ...] = ()

    def panels_at(self, index: int) -> tuple[str, ...] | None:
        """The panels shown at step ``index``: the step's own, else the lesson's."""
        own = self.steps[index].panels if 0 <= index < len(self.steps) else None
        return own if own is not None else self.panels


def _section(doc: dict, name: str, holds: str, keys) -> dict | None:
    """The document's section ``name`` (None without one), an object with only ``keys``."""
    raw = doc.get(name)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ModelError(f"{name}: expected an object with {holds}, got {show(raw)}")
    check_keys(raw, keys, name)
    return raw


def read_lesson(doc: dict) -> Lesson | None:
    """The document's ``lesson`` section, checked (None without one)."""
    raw = _section(doc, "lesson", "'steps'", LESSON_KEYS)
    if raw is None:
        return None
    if "steps" not in raw:
        raise ModelError("lesson.steps: missing (a lesson needs at least one step)")
    steps = raw["steps"]
    if not isinstance(steps, list) or not steps:
        raise ModelError(f"lesson.steps: expected a list of at least one step, got {show(steps)}")
    return Lesson(tuple(_step(entry, f"lesson.steps[{i}]") for i, entry in enumerate(steps)),
                  _names(raw["panels"], "lesson.panels") if "panels" in raw else None,
                  _names(raw.get("hide", []), "lesson.hide"), _names(raw.get("lock", []), "lesson.lock"))


def _step(raw, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected an object with a 'title' and a 'text', got {show(raw)}")
    check_keys(raw, STEP_KEYS, where)
    for key in ("title", "text"):
        if key not in raw:
            raise ModelError(f"{where}.{key}: missing")
    for key in ("title", "text", "do", "watch"):
        if key in raw:
            check_text(raw[key], f"{where}.{key}")
    panels = _names(raw["panels"], f"{where}.panels") if "panels" in raw else None
    walk = check_option("bool", raw["step_through"], f"{where}.step_through") if "step_through" in raw else None
    return Step(raw["title"], raw["text"], raw.get("do"), raw.get("watch"), panels, walk)


def lesson_to_dict(lesson: Lesson) -> dict:
    """The ``lesson`` section of a document for ``lesson`` (what :func:`read_lesson` reads back)."""
    steps = []
    for step in lesson.steps:
        entry = {"title": step.title, "text": step.text}
        entry.update({key: getattr(step, key) for key in ("do", "watch") if getattr(step, key) is not None})
        if step.panels is not None:
            entry["panels"] = list(step.panels)
        if step.step_through is not None:
            entry["step_through"] = step.step_through
        steps.append(entry)
    out: dict = {"steps": steps}
    if lesson.panels is not None:
        out["panels"] = list(lesson.panels)
    if lesson.hide:
        out["hide"] = list(lesson.hide)
    if lesson.lock:
        out["lock"] = list(lesson.lock)
    return out


# -- exercises ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Goal:
    """Reach ``threshold`` on ``metric`` (a loss at most, an accuracy at least), within ``within``
    steps of the run if given."""

    metric: str
    threshold: float
    within: int | None = None

    @property
    def is_loss(self) -> bool:
        return self.metric.endswith("loss")

    def met(self, value: float) -> bool:
        """Whether ``value`` of the metric reaches the goal (NaN never does)."""
        return value <= self.threshold if self.is_loss else value >= self.threshold

    def target(self) -> Phrase:
        """The goal without its steps: ``test loss ≤ 0.05``, ``train accuracy ≥ 100%``."""
        if self.is_loss:
            return Phrase(QT_TRANSLATE_NOOP("", "{metric} ≤ {value}"), metric=METRICS[self.metric],
                          value=f"{self.threshold:g}")
        return Phrase(QT_TRANSLATE_NOOP("", "{metric} ≥ {value}%"), metric=METRICS[self.metric],
                      value=f"{100 * self.threshold:g}")

    def describe(self) -> Phrase:
        """``test loss ≤ 0.05 within 500 steps``, ``train accuracy ≥ 100%``."""
        if self.within is None:
            return self.target()
        if self.within == 1:
            return Phrase(QT_TRANSLATE_NOOP("", "{target} within 1 step"), target=self.target())
        return Phrase(QT_TRANSLATE_NOOP("", "{target} within {count} steps"), target=self.target(),
                      count=f"{self.within:,}")


@dataclass(frozen=True)
class Exercise:
    """The task (text), the goal, the constraints, the hints (texts, revealed one at a time) and
    what to say once it is solved."""

    task: object
    goal: Goal
    max_hidden_units: int | None = None
    max_hidden_layers: int | None = None
    keep: tuple[str, ...] = ()
    hints: tuple = ()
    solution: object = None

    def constraint_lines(self) -> list[Phrase]:
        """The constraints in words, one each."""
        lines = []
        units, layers = self.max_hidden_units, self.max_hidden_layers
        if units is not None:
            lines.append(Phrase(QT_TRANSLATE_NOOP("", "at most 1 hidden unit")) if units == 1
                         else Phrase(QT_TRANSLATE_NOOP("", "at most {count} hidden units"), count=units))
        if layers is not None:
            lines.append(Phrase(QT_TRANSLATE_NOOP("", "at most 1 hidden layer")) if layers == 1
                         else Phrase(QT_TRANSLATE_NOOP("", "at most {count} hidden layers"), count=layers))
        if self.keep:
            lines.append(Phrase(QT_TRANSLATE_NOOP("", "keep {things}"),
                                things=listed(KEEPABLE[key] for key in self.keep)))
        return lines


def read_exercise(doc: dict) -> Exercise | None:
    """The document's ``exercise`` section, checked (None without one)."""
    raw = _section(doc, "exercise", "a 'task' and a 'goal'", EXERCISE_KEYS)
    if raw is None:
        return None
    for key in ("task", "goal"):
        if key not in raw:
            raise ModelError(f"exercise.{key}: missing")
    check_text(raw["task"], "exercise.task")
    goal = _goal(raw["goal"])
    constraints = raw.get("constraints", {})
    if not isinstance(constraints, dict):
        raise ModelError(f"exercise.constraints: expected an object, got {show(constraints)}")
    check_keys(constraints, CONSTRAINT_KEYS, "exercise.constraints", "constraint")
    units = constraints.get("max_hidden_units")
    layers = constraints.get("max_hidden_layers")
    if units is not None:
        check_option("posint", units, "exercise.constraints.max_hidden_units")
    if layers is not None:
        check_option("nonnegint", layers, "exercise.constraints.max_hidden_layers")
    keep = _names(constraints.get("keep", []), "exercise.constraints.keep")
    for i, key in enumerate(keep):
        if key not in KEEPABLE:
            close = difflib.get_close_matches(key, list(KEEPABLE), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"one of {', '.join(KEEPABLE)}"
            raise ModelError(f"exercise.constraints.keep[{i}]: unknown thing to keep {key!r} ({hint})")
    if "data" in keep and "data" not in doc:
        raise ModelError("exercise.constraints.keep: 'data' needs the document's own data entry (the data to keep)")
    hints = raw.get("hints", [])
    if not isinstance(hints, list):
        raise ModelError(f"exercise.hints: expected a list of texts, got {show(hints)}")
    for i, hint in enumerate(hints):
        check_text(hint, f"exercise.hints[{i}]")
    if "solution" in raw:
        check_text(raw["solution"], "exercise.solution")
    return Exercise(raw["task"], goal, units, layers, keep, tuple(hints), raw.get("solution"))


def _goal(raw) -> Goal:
    where = "exercise.goal"
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected an object like {{\"metric\": \"test_loss\", \"threshold\": 0.1}}, "
                         f"got {show(raw)}")
    check_keys(raw, GOAL_KEYS, where)
    for key in ("metric", "threshold"):
        if key not in raw:
            raise ModelError(f"{where}.{key}: missing")
    metric = raw["metric"]
    if not isinstance(metric, str) or metric not in METRICS:
        raise ModelError(f"{where}.metric: unknown metric {show(metric)} (one of {', '.join(METRICS)})")
    kind = "nonneg" if metric.endswith("loss") else "prob"
    threshold = check_option(kind, raw["threshold"], f"{where}.threshold")
    within = check_option("posint", raw["within"], f"{where}.within") if "within" in raw else None
    return Goal(metric, threshold, within)


def exercise_to_dict(exercise: Exercise) -> dict:
    """The ``exercise`` section of a document for ``exercise`` (what :func:`read_exercise` reads back)."""
    goal = {"metric": exercise.goal.metric, "threshold": exercise.goal.threshold}
    if exercise.goal.within is not None:
        goal["within"] = exercise.goal.within
    out: dict = {"task": exercise.task, "goal": goal}
    constraints: dict = {}
    if exercise.max_hidden_units is not None:
        constraints["max_hidden_units"] = exercise.max_hidden_units
    if exercise.max_hidden_layers is not None:
        constraints["max_hidden_layers"] = exercise.max_hidden_layers
    if exercise.keep:
        constraints["keep"] = list(exercise.keep)
    if constraints:
        out["constraints"] = constraints
    if exercise.hints:
        out["hints"] = list(exercise.hints)
    if exercise.solution is not None:
        out["solution"] = exercise.solution
    return out
