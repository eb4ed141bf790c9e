"""Lessons and exercises (nnviz.core.lessons): the sections' schema, the texts and their languages, the
shipped lessons' numbers against the published ones, and every shipped exercise failing as it starts
and solved by its fix."""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import ModelError, load_model, save_model
from nnviz.core.codegen import ExportError, run_of, torch_files
from nnviz.core.document import build_network, network_to_dict, read_document
from nnviz.core.examples import EXERCISES, LESSONS, list_examples, load_example
from nnviz.core.exercises import Verdict, broken_constraints, check_exercise, check_experiment, start_data_of
from nnviz.core.experiment import Experiment
from nnviz.core.lessons import (
    CONTROLS,
    KEEPABLE,
    Exercise,
    Goal,
    document_text,
    exercise_to_dict,
    lesson_to_dict,
    localized,
    read_exercise,
    read_lesson,
    split_maths,
)
from nnviz.core.text import Phrase
from nnviz.core.walkthrough import Walkthrough, trace_next_step

ROOT = Path(__file__).resolve().parents[2]
NEW_LESSONS = ("perceptron-accept", "cross-entropy", "mazur-backprop", "square-fit")


def _texts(section):
    """Every text of a lesson or exercise section (the per-language objects and plain strings)."""
    if isinstance(section, dict) and "en" in section:
        yield section
    elif isinstance(section, dict):
        for key, value in section.items():
            if key not in ("panels", "hide", "lock", "keep", "goal", "constraints", "step_through"):
                yield from _texts(value)
    elif isinstance(section, list):
        for value in section:
            yield from _texts(value)
    elif isinstance(section, str):
        yield section


def _minimal(**sections) -> dict:
    doc = {"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1}],
           "data": {"dataset": "plane"}}
    doc.update(sections)
    return doc


# -- the schema ---------------------------------------------------------------------------------------
LESSON = {"steps": [{"title": {"en": "One", "zh_CN": "一"}, "text": "z = $w x + b$", "do": "Press Next",
                     "watch": {"en": "z", "zh_CN": "z"}, "panels": ["output"], "step_through": True},
                    {"title": "Two", "text": "costs \\$5"}],
          "panels": ["controls", "loss"], "hide": ["noise"], "lock": ["Learning rate", "a future control"]}
EXERCISE = {"task": {"en": "Do it", "zh_CN": "做吧"}, "goal": {"metric": "test_loss", "threshold": 0.1, "within": 50},
            "constraints": {"max_hidden_units": 3, "max_hidden_layers": 1, "keep": ["data", "optimizer"]},
            "hints": ["one", {"en": "two", "zh_CN": "二"}], "solution": "because"}


def test_a_lesson_and_an_exercise_read_and_write_back():
    doc = _minimal(lesson=LESSON, exercise=EXERCISE)
    lesson, exercise = read_lesson(doc), read_exercise(doc)
    assert len(lesson.steps) == 2 and lesson.steps[0].step_through is True and lesson.steps[1].panels is None
    assert lesson.panels_at(0) == ("output",) and lesson.panels_at(1) == ("controls", "loss")
    assert lesson.lock == ("Learning rate", "a future control")  # unknown names are the window's to report
    assert lesson_to_dict(lesson) == LESSON
    assert exercise.goal == Goal("test_loss", 0.1, 50) and exercise.keep == ("data", "optimizer")
    assert exercise_to_dict(exercise) == EXERCISE
    assert exercise.goal.describe() == "test loss ≤ 0.1 within 50 steps"
    assert Goal("train_accuracy", 1.0).describe() == "train accuracy ≥ 100%"
    assert exercise.constraint_lines() == ["at most 3 hidden units", "at most 1 hidden layer",
                                           "keep the data, the optimizer (its rate apart)"]
    assert read_lesson(_minimal()) is None and read_exercise(_minimal()) is None


def test_the_sections_survive_save_and_load(tmp_path):
    doc = _minimal(lesson=LESSON, exercise=EXERCISE, name="L")
    net = load_model(doc)
    saved = net.to_dict()
    assert saved["lesson"] == LESSON and saved["exercise"] == EXERCISE
    path = tmp_path / "lesson.json"
    save_model(net, path)
    assert "做吧" in path.read_text(encoding="utf-8")  # written as it is, not as \u escapes
    again = read_document(path)
    assert again["lesson"] == LESSON and again["exercise"] == EXERCISE
    assert load_model(again).to_dict() == saved
    exp = Experiment(doc)
    exp.run(2)
    written = exp.to_document()
    assert written["lesson"] == LESSON and written["exercise"] == EXERCISE
    exp.set_layers([{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}])
    exp.set_training(lr=0.3)
    assert exp.to_document()["lesson"] == LESSON  # rebuilt networks keep them


def test_set_teaching_gives_and_takes_sections_and_refuses_a_bad_one():
    exp = Experiment(_minimal())
    exp.set_teaching({"lesson": LESSON})
    assert exp.to_document()["lesson"] == LESSON and exp.document_copy()["lesson"] == LESSON
    with pytest.raises(ModelError, match=r"^lesson.steps: expected a list of at least one step"):
        exp.set_teaching({"lesson": {"steps": []}})
    assert exp.to_document()["lesson"] == LESSON  # nothing changed
    exp.set_teaching({"lesson": None})
    assert "lesson" not in exp.to_document()
    with pytest.raises(ModelError, match="teaching sections"):
        exp.set_teaching({"history": {}})


BAD = [
    ({"lesson": []}, r"^lesson: expected an object with 'steps', got \[\]$"),
    ({"lesson": {}}, r"^lesson.steps: missing \(a lesson needs at least one step\)$"),
    ({"lesson": {"steps": [], "hide": []}}, r"^lesson.steps: expected a list of at least one step, got \[\]$"),
    ({"lesson": {"steps": [{"title": "a", "text": "b"}], "panel": []}},
     r"^lesson.panel: unknown key \(did you mean 'panels'\?\)$"),
    ({"lesson": {"steps": [{"title": "a"}]}}, r"^lesson.steps\[0\].text: missing$"),
    ({"lesson": {"steps": [{"title": "a", "text": "b", "wacth": "c"}]}},
     r"^lesson.steps\[0\].wacth: unknown key \(did you mean 'watch'\?\)$"),
    ({"lesson": {"steps": [{"title": "a", "text": 3}]}}, r"^lesson.steps\[0\].text: expected text, or an object"),
    ({"lesson": {"steps": [{"title": {"zh_CN": "一"}, "text": "b"}]}},
     r"^lesson.steps\[0\].title.en: missing \(every text needs English"),
    ({"lesson": {"steps": [{"title": {"en": "a", "zh-CN": "一"}, "text": "b"}]}},
     r"^lesson.steps\[0\].title.zh-CN: not a locale code \(like 'en', 'zh_CN'\)$"),
    ({"lesson": {"steps": [{"title": {"en": "a", "fr": 1}, "text": "b"}]}},
     r"^lesson.steps\[0\].title.fr: expected text, got 1$"),
    ({"lesson": {"steps": [{"title": "a", "text": "costs $5"}]}},
     r"^lesson.steps\[0\].text: a '\$' opens inline maths that is never closed \(write \\\$ for a dollar sign\)$"),
    ({"lesson": {"steps": [{"title": "a", "text": "b", "step_through": "yes"}]}},
     r"^lesson.steps\[0\].step_through: expected true or false, got 'yes'$"),
    ({"lesson": {"steps": [{"title": "a", "text": "b"}], "hide": "noise"}},
     r"^lesson.hide: expected a list of names, got 'noise'$"),
    ({"lesson": {"steps": [{"title": "a", "text": "b"}], "lock": ["seed", "seed"]}},
     r"^lesson.lock\[1\]: 'seed' is named twice$"),
    ({"lesson": {"steps": [{"title": "a", "text": "b"}], "panels": [""]}}, r"^lesson.panels\[0\]: expected a name"),
    ({"exercise": {"goal": {"metric": "test_loss", "threshold": 1}}}, r"^exercise.task: missing$"),
    ({"exercise": {"task": "t"}}, r"^exercise.goal: missing$"),
    ({"exercise": {"task": "t", "goal": {"metric": "accuracy", "threshold": 1}}},
     r"^exercise.goal.metric: unknown metric 'accuracy' \(one of train_loss, test_loss, train_accuracy, "
     r"test_accuracy\)$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_accuracy", "threshold": 1.5}}},
     r"^exercise.goal.threshold: must lie in \[0, 1\], got 1.5$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": -1}}},
     r"^exercise.goal.threshold: must be >= 0, got -1.0$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1, "within": 0}}},
     r"^exercise.goal.within: expected a whole number >= 1, got 0$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1, "steps": 9}}},
     r"^exercise.goal.steps: unknown key"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1},
                   "constraints": {"max_hidden_units": 0}}},
     r"^exercise.constraints.max_hidden_units: expected a whole number >= 1, got 0$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1},
                   "constraints": {"keep": ["activation"]}}},
     r"^exercise.constraints.keep\[0\]: unknown thing to keep 'activation' \(did you mean 'activations'\?\)$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1},
                   "constraints": {"max_units": 3}}},
     r"^exercise.constraints.max_units: unknown constraint \(did you mean 'max_hidden_units'\?\)$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1}, "hints": "one"}},
     r"^exercise.hints: expected a list of texts, got 'one'$"),
    ({"exercise": {"task": "t", "goal": {"metric": "test_loss", "threshold": 1}, "hints": ["a", {"fr": "b"}]}},
     r"^exercise.hints\[1\].en: missing"),
]


@pytest.mark.parametrize(("sections", "message"), BAD)
def test_a_bad_section_is_one_line_naming_its_field(sections, message):
    with pytest.raises(ModelError, match=message) as info:
        build_network(_minimal(**sections))
    assert "\n" not in str(info.value)


def test_keeping_the_data_needs_data_to_keep():
    doc = _minimal(exercise={"task": "t", "goal": {"metric": "test_loss", "threshold": 1},
                             "constraints": {"keep": ["data"]}})
    del doc["data"]
    with pytest.raises(ModelError, match=r"^exercise.constraints.keep: 'data' needs the document's own data entry"):
        build_network(doc)


def test_a_bad_section_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(_minimal(lesson={"steps": [{"title": "a", "text": "b", "do": ["x"]}]})))
    with pytest.raises(ModelError, match=r"^lesson.json: lesson.steps\[0\].do: expected text"):
        load_model(path)


# -- texts --------------------------------------------------------------------------------------------
def test_localized_picks_the_readers_language_and_falls_back_to_english():
    text = {"en": "one", "zh_CN": "一", "pt_BR": "um"}
    assert localized(text, "zh_CN") == "一"
    assert localized(text, "zh-CN") == "一"
    assert localized(text, "zh_TW") == "一"  # another region of the language
    assert localized(text, "zh") == "一"
    assert localized(text, "pt_PT") == "um"
    assert localized(text, "de_DE") == "one"
    assert localized(text, None) == "one"
    assert localized("plain", "zh_CN") == "plain"
    assert localized(None) == ""
    assert localized({"en": "one", "zh": "一"}, "zh_CN") == "一"


def test_split_maths_separates_inline_maths_from_text():
    assert split_maths("z = $w x + b$, so $z > 0$.") == [(False, "z = "), (True, "w x + b"), (False, ", so "),
                                                         (True, "z > 0"), (False, ".")]
    assert split_maths("costs \\$5 and $x$") == [(False, "costs $5 and "), (True, "x")]
    assert split_maths("") == []


# -- the shipped lessons and exercises ------------------------------------------------------------------
def test_the_new_lessons_and_the_exercises_are_listed_in_order():
    keys = [e.key for e in list_examples()]
    assert set(NEW_LESSONS) <= set(LESSONS)
    assert keys[:len(LESSONS)] == list(LESSONS)
    assert keys[len(LESSONS):len(LESSONS) + len(EXERCISES)] == list(EXERCISES)
    kinds = {e.key: e.kind for e in list_examples()}
    assert {kinds[k] for k in EXERCISES} == {"exercise"} and kinds["circle"] == "example"


@pytest.mark.parametrize("key", NEW_LESSONS + EXERCISES)
def test_every_shipped_text_is_in_english_and_chinese(key):
    doc = load_example(key)
    sections = [doc[k] for k in ("lesson", "exercise") if k in doc]
    assert sections, key
    for text in (t for section in sections for t in _texts(section)):
        assert isinstance(text, dict) and set(text) == {"en", "zh_CN"}, (key, text)
        assert re.search(r"[\u4e00-\u9fff]", text["zh_CN"]), (key, text)
        # the same maths in both languages (in the order each language puts it)
        assert sorted(p for m, p in split_maths(text["en"]) if m) == sorted(
            p for m, p in split_maths(text["zh_CN"]) if m), (key, text)
    lesson = read_lesson(doc)
    if lesson is not None:
        names = {*lesson.hide, *lesson.lock}
        assert names <= set(CONTROLS), names - set(CONTROLS)


def _trace(key):
    exp = Experiment(load_example(key))
    return exp, exp.trainer.trace()


def test_perceptron_accepts_with_the_published_sum():
    exp, trace = _trace("perceptron-accept")
    (layer,) = trace.layers
    np.testing.assert_array_equal(trace.x, [[3.0, 1.0]])
    assert round(float(layer.z[0, 0]), 10) == 1.3  # 0.5·3 + 0.8·1 − 1
    assert layer.a[0, 0] == 1.0  # step: accept
    assert "1.3" in localized(read_lesson(load_example("perceptron-accept")).steps[1].text)


def test_cross_entropy_of_the_published_predictions():
    exp, trace = _trace("cross-entropy")
    (layer,) = trace.layers
    np.testing.assert_allclose(layer.a, [[0.7, 0.2, 0.1], [0.4, 0.3, 0.3]], rtol=1e-14)
    per_sample = [exp.net.loss.value(layer.a[s:s + 1], trace.y[s:s + 1], layer.z[s:s + 1], "softmax")
                  for s in range(2)]
    assert round(per_sample[0], 3) == 0.357 and round(per_sample[1], 3) == 0.916
    assert round(trace.loss, 3) == round((0.35667494393873245 + 0.916290731874155) / 2, 3) == 0.636
    fresh = Experiment(load_example("cross-entropy"))  # trace() took the step: the lesson's start again
    walk = Walkthrough(*trace_next_step(fresh.net, fresh.trainer))
    loss_op = next(i for i, op in enumerate(walk.operations) if op.phase == "loss")
    assert "0.357" in walk.calculation(loss_op, sample=0).text()
    assert "0.916" in walk.calculation(loss_op, sample=1).text()
    texts = " ".join(localized(s.text) for s in read_lesson(load_example("cross-entropy")).steps)
    assert "0.357" in texts and "0.916" in texts


#: Mazur, "A Step by Step Backpropagation Example" (2015): his numbers, to the digits he prints
MAZUR_FORWARD = {"out_h1": 0.593269992, "out_h2": 0.596884378, "net_o1": 1.105905967, "out_o1": 0.75136507,
                 "out_o2": 0.772928465, "E_total": 0.298371109}
MAZUR_AFTER = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
               "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}
MAZUR_DW5 = 0.082167041


def _digits(value: float) -> int:
    """The decimals a published number is printed with."""
    return len(repr(value).split(".")[1])


def test_mazur_forward_pass_and_error_match_his_numbers():
    exp, trace = _trace("mazur-backprop")
    hidden, out = trace.layers
    mine = {"out_h1": hidden.a[0, 0], "out_h2": hidden.a[0, 1], "net_o1": out.z[0, 0], "out_o1": out.a[0, 0],
            "out_o2": out.a[0, 1], "E_total": trace.loss}
    for name, published in MAZUR_FORWARD.items():
        assert round(float(mine[name]), _digits(published)) == published, name
    assert round(float(hidden.z[0, 0]), 4) == 0.3775
    assert round(float(out.grads["weight"][0, 0]), 9) == MAZUR_DW5  # ∂E/∂w5


def test_mazur_one_step_gives_his_new_weights_and_the_lesson_shows_them():
    exp = Experiment(load_example("mazur-backprop"))
    exp.run(1)
    w_in, w_out = exp.net.layers[0].weight, exp.net.layers[1].weight
    mine = dict(zip(("w1", "w2", "w3", "w4"), w_in.ravel())) | dict(zip(("w5", "w6", "w7", "w8"), w_out.ravel()))
    for name, published in MAZUR_AFTER.items():
        assert round(float(mine[name]), _digits(published)) == published, name
    lesson = load_example("mazur-backprop")["lesson"]
    for language in ("en", "zh_CN"):
        text = " ".join(step["text"][language] for step in lesson["steps"])
        for value in (*MAZUR_FORWARD.values(), *MAZUR_AFTER.values(), MAZUR_DW5):
            assert f"{value:.{_digits(value)}f}" in text, (language, value)


def test_square_fit_learns_the_parabola():
    exp = Experiment(load_example("square-fit"))
    doc = load_example("square-fit")
    assert [layer["units"] for layer in doc["layers"]] == [10, 1] and doc["layers"][0]["activation"] == "relu"
    assert doc["loss"] == "mse" and doc["optimizer"] == {"name": "sgd", "lr": 0.1}
    exp.record_evaluation()
    start = exp.last_evaluation.test_loss
    exp.run(3000)
    exp.record_evaluation()
    assert exp.last_evaluation.test_loss < 0.01 < start


# -- exercises: each fails as it starts and is solved by its fix -------------------------------------------
def _run(exp: Experiment, steps: int, every: int = 20):
    exp.run_evaluated(steps, every)


def _verdict(key: str, change=None, steps: int | None = None, every: int = 20):
    """The verdict on exercise ``key`` after ``change(experiment)`` and a run of its steps."""
    doc = load_example(key)
    exercise = read_exercise(doc)
    exp = Experiment(copy.deepcopy(doc))
    start, start_data = exp.document_copy(), exp.data
    if change is not None:
        change(exp)
    _run(exp, steps or exercise.goal.within, every)
    return check_exercise(exercise, start, exp.document_copy(), exp.data, exp.history_views()[0], start_data)


def _hidden_activation(name):
    def change(exp):
        layers = exp.document_copy()["layers"]
        for layer in layers[:-1]:
            layer["activation"] = name
        exp.set_layers(layers)
    return change


FIXES = {
    "exercise-no-activation": _hidden_activation("tanh"),
    "exercise-deep-sigmoid": _hidden_activation("relu"),
    "exercise-mse-classification": lambda exp: exp.set_training(loss="bce"),
    "exercise-naive-softmax": lambda exp: exp.set_layers(
        [{**exp.document_copy()["layers"][0], "activation": "identity"}]),
    "exercise-zero-init": lambda exp: exp.set_layers(
        [{**layer, "init": "xavier_uniform"} for layer in exp.document_copy()["layers"]]),
    "exercise-fewest-units": lambda exp: exp.set_layers(
        [{"type": "dense", "units": 3, "activation": "tanh", "init": "xavier_uniform"},
         exp.document_copy()["layers"][-1]]),
    "exercise-learning-rate": lambda exp: (exp.set_training(lr=1.0), exp.reset()),
}


def test_every_exercise_has_a_fix_here():
    assert set(FIXES) == set(EXERCISES)


@pytest.mark.parametrize("key", EXERCISES)
def test_an_exercise_is_not_solved_as_it_starts(key):
    verdict = _verdict(key)
    assert not verdict.solved and verdict.steps is None
    if key == "exercise-fewest-units":
        assert verdict.broken == ("8 hidden units, more than the 3 allowed",)
    else:
        assert verdict.broken == ()


@pytest.mark.parametrize("key", EXERCISES)
def test_an_exercise_is_solved_by_its_fix(key):
    verdict = _verdict(key, FIXES[key])
    assert verdict.broken == ()
    assert verdict.solved, verdict
    assert verdict.steps <= read_exercise(load_example(key)).goal.within


def test_the_naive_softmax_exercise_diverges_at_its_first_step():
    exp = Experiment(load_example("exercise-naive-softmax"))
    exp.run(1)
    assert exp.diverged
    assert not np.all(np.isfinite(exp.net.forward(exp.X, training=False)))


def test_breaking_a_constraint_is_named_and_spoils_a_solved_run():
    doc = load_example("exercise-no-activation")
    exercise = read_exercise(doc)
    exp = Experiment(copy.deepcopy(doc))
    start = exp.document_copy()
    layers = start["layers"]
    exp.set_layers([{**layers[0], "activation": "tanh", "units": 16}, {**layers[1], "activation": "tanh"}, layers[2]])
    exp.set_training(optimizer={"name": "sgd", "lr": 0.5})
    _run(exp, 1000)
    verdict = check_experiment(exercise, start, exp)
    assert not verdict.solved
    assert verdict.broken == ("the hidden layers must stay 8-8 (now 16-8)", "the optimizer must stay adam (now sgd)",
                              "the learning rate must stay 0.03 (now 0.5)")
    exp.set_data(exp.data.__class__(dataset="xor2d"))
    assert "the data must stay as they were (changed: data set)" in check_experiment(exercise, start, exp).broken


def test_a_goal_past_its_steps_is_out_of_steps():
    doc = load_example("exercise-learning-rate")
    verdict = _verdict("exercise-learning-rate", steps=320)
    assert verdict.out_of_steps and not verdict.solved and verdict.step >= 300
    assert verdict.progress().startswith("test loss ")
    assert read_exercise(doc).goal.within == 300


def _templates(text) -> list[str]:
    """The templates a text shown in the window is translated by (a Phrase's and its values'), or
    the text itself when it is not a Phrase."""
    if not isinstance(text, Phrase):
        return [text]
    return [text.template] + [t for value in text.fields.values() if isinstance(value, Phrase)
                              for t in _templates(value)]


def test_the_exercise_texts_are_marked_phrases_that_read_as_english():
    """The goal, the constraints, the progress and every broken constraint are English to the core and
    translated in the window by templates the catalogue holds (marked QT_TRANSLATE_NOOP)."""
    from test_text import marked_texts

    exercise = Exercise("task", Goal("test_accuracy", 0.95, 1), max_hidden_units=1, max_hidden_layers=2,
                        keep=tuple(KEEPABLE))
    start = load_example("exercise-no-activation")
    now = copy.deepcopy(start)
    now["layers"] = [{**now["layers"][0], "activation": "tanh", "units": 16, "init": "he_normal"},
                     {**now["layers"][1], "activation": "relu"}, {**now["layers"][2], "activation": "identity"}]
    now.update(loss="mse", optimizer={"name": "sgd", "lr": 0.5}, seed=7, schedule="cosine", clip_grad_norm=1.0,
               regularization={"l1": 0.1, "l2": 0.0})
    start_data = start_data_of(start)
    data = type(start_data)(dataset="xor2d", noise=0.3, n=99, batch_size=None)
    broken = broken_constraints(exercise, start, now, data, start_data)
    assert broken == ["24 hidden units, more than the 1 allowed",
                      "the data must stay as they were (changed: data set, noise, number of points)",
                      "the batch size must stay 10 (now full batch)",
                      "the hidden layers must stay 8-8 (now 16-8)",
                      "the hidden activations must stay identity (now tanh, relu)",
                      "the output activation must stay sigmoid (now identity)",
                      "the initialiser must stay xavier_uniform",
                      "the loss must stay bce (now mse)",
                      "the optimizer must stay adam (now sgd)",
                      "the learning rate must stay 0.03 (now 0.5)",
                      "the schedule must stay as it was",
                      "the L1 and L2 rates must stay as it was",
                      "gradient clipping must stay as it was",
                      "the seed must stay as 0"]
    goal = exercise.goal
    assert goal.describe() == "test accuracy ≥ 95% within 1 step" and goal.target() == "test accuracy ≥ 95%"
    assert exercise.constraint_lines()[:2] == ["at most 1 hidden unit", "at most 2 hidden layers"]
    progress = [Verdict(False, None, points=0).progress(),
                Verdict(False, None, value=0.5, step=1200, metric="train_loss", points=3).progress()]
    assert progress == ["no evaluation yet", "train loss 0.5 at step 1,200"]
    shown = [goal.describe(), goal.target(), *exercise.constraint_lines(), *progress, *broken]
    unmarked = sorted({t for text in shown for t in _templates(text)} - marked_texts())
    assert not unmarked, f"shown in the window but not in the catalogue: {unmarked}"


def test_a_test_metric_without_test_rows_is_read_on_the_training_rows():
    verdict = _verdict("exercise-zero-init", FIXES["exercise-zero-init"])
    assert verdict.metric == "train_accuracy"
    doc = load_example("exercise-zero-init")
    doc["exercise"]["goal"]["metric"] = "test_accuracy"
    exp = Experiment(copy.deepcopy(doc))
    start = exp.document_copy()
    FIXES["exercise-zero-init"](exp)
    _run(exp, 2000)
    verdict = check_experiment(read_exercise(doc), start, exp)
    assert verdict.solved and verdict.metric == "train_accuracy"


# -- the naive softmax -------------------------------------------------------------------------------------
def _softmax_doc(stable: bool, hidden: bool = False) -> dict:
    activation = {"name": "softmax", "stable": stable}
    layers = [{"type": "dense", "units": 3, "activation": activation}]
    if hidden:
        layers = [{"type": "dense", "units": 3, "activation": activation}, {"type": "dense", "units": 1}]
    return {"format": "nnviz.model/1", "inputs": 2, "layers": layers,
            "loss": "mse" if hidden else "cross_entropy", "seed": 0}


def test_the_naive_softmax_equals_the_stable_one_until_it_overflows():
    naive, stable = load_model(_softmax_doc(False)), load_model(_softmax_doc(True))
    z = np.array([[1.0, -2.0, 3.0], [700.0, 699.0, 0.0]])
    act_naive, act_stable = naive.layers[0].activation, stable.layers[0].activation
    np.testing.assert_allclose(act_naive.forward(z), act_stable.forward(z), rtol=1e-12)
    big = np.array([[710.0, 0.0, 1.0], [1.0, 2.0, 3.0]])
    out = act_naive.forward(big)
    assert np.isnan(out[0, 0]) and np.all(out[0, 1:] == 0.0) and np.all(np.isfinite(out[1]))  # ∞/∞ and 1/∞
    assert np.all(np.isfinite(act_stable.forward(big)))
    assert act_naive.to_spec() == {"name": "softmax", "stable": False} and act_stable.to_spec() == "softmax"
    assert act_naive.formula_text == "exp(z_i) / Σ_j exp(z_j)"
    with pytest.raises(ModelError, match=r"^layers\[0\].activation: softmax: stable must be true or false, got 1$"):
        load_model({**_softmax_doc(True), "layers": [{"type": "dense", "units": 3,
                                                      "activation": {"name": "softmax", "stable": 1}}]})


def test_the_naive_softmax_under_cross_entropy_gives_a_nan_loss():
    net = load_model(_softmax_doc(False))
    net.layers[0].weight[...] = [[400.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    X, y = np.array([[2.0, 0.0]]), np.eye(3)[[1]]
    loss, grad, fused = net.data_loss(net.forward(X, training=True), y)
    assert math.isnan(loss) and fused and np.isnan(grad[0, 0])
    net.layers[0].weight[...] = [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    stable = load_model(_softmax_doc(True))
    stable.layers[0].weight[...] = net.layers[0].weight
    assert net.data_loss(net.forward(X), y)[0] == pytest.approx(stable.data_loss(stable.forward(X), y)[0], rel=1e-14)


def test_the_naive_softmax_step_through_has_no_shift():
    doc = load_example("exercise-naive-softmax")
    doc["layers"][0]["weight"] = [[0.01, 0.0], [0.0, 0.01], [0.005, 0.005]]
    exp = Experiment(doc)
    walk = Walkthrough(*trace_next_step(exp.net, exp.trainer))
    op = next(i for i, o in enumerate(walk.operations) if o.phase == "forward" and o.kind == "a")
    calc = walk.calculation(op, sample=0)
    assert "Naive softmax" in calc.text() and "m = max" not in calc.text()


def test_export_as_pytorch_writes_a_hidden_naive_softmax_and_refuses_an_output_one(tmp_path):
    exp = Experiment(load_example("exercise-naive-softmax"))
    with pytest.raises(ExportError, match=r"^cannot export as PyTorch: the output softmax \(layers\[0\]\) has "
                                          r"\"stable\": false"):
        torch_files(run_of(exp), tmp_path / "train.py")
    hidden = _softmax_doc(False, hidden=True)
    hidden["data"] = {"dataset": "plane"}
    script = next(iter(torch_files(run_of(Experiment(hidden)), tmp_path / "train.py").values()))
    assert "class NaiveSoftmax(nn.Module)" in script and "NaiveSoftmax()" in script


def test_a_documents_name_and_description_in_the_readers_language():
    doc = load_example("square-fit")
    assert document_text(doc, "name", "zh_CN") == "用十个 ReLU 拟合 y = x²"
    assert document_text(doc, "name", "zh_TW") == "用十个 ReLU 拟合 y = x²"  # the language's other region
    assert document_text(doc, "name", "fr_FR") == document_text(doc, "name", None) == "Fitting y = x² with ten ReLUs"
    assert document_text({"name": "Mine"}, "name", "zh_CN") == "Mine"  # no translations: as written
    assert document_text({}, "name", "zh_CN", default="Untitled") == "Untitled"
    assert document_text(doc, "description", "zh_CN").startswith("十个 ReLU 单元")


def test_translations_are_kept_when_saved_and_checked_when_read():
    doc = load_example("square-fit")
    again = network_to_dict(build_network(doc))
    assert again["translations"] == doc["translations"]
    for bad, message in (([], "translations: expected an object of languages, got []"),
                         ({"zh_CN": "名字"}, "translations.zh_CN: expected an object with a 'name' or a "
                                             "'description', got '名字'"),
                         ({"zh_CN": {"title": "名字"}}, "translations.zh_CN"),
                         ({"zh_CN": {"name": 3}}, "translations.zh_CN.name: expected text, got 3")):
        with pytest.raises(ModelError) as info:
            build_network({**doc, "translations": bad})
        assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_an_exercise_is_judged_at_its_step_limit_however_seldom_the_app_evaluates():
    """The app evaluates as often as it draws: on a loaded machine perhaps at step 290 and then 330.
    The run is evaluated at the exercise's limit itself, so a goal met by then counts, in one chunk of
    any size (run_fast, the worker's) or step by step (run)."""
    doc = load_example("exercise-learning-rate")
    for run in ("run_fast", "run"):
        exp = Experiment(doc)
        start = exp.document_copy()
        exp.set_training(lr=0.5)
        assert exp.evaluation_due() == 300
        getattr(exp, run)(450)  # one chunk past the limit, no evaluation asked for
        steps = list(exp.history_views()[0]["eval_step"])
        assert 300 in steps, steps
        verdict = check_experiment(read_exercise(doc), start, exp)
        assert verdict.solved and verdict.steps == 300
    assert Experiment(load_example("square-fit")).evaluation_due() is None
