"""Lessons and exercises in the window, driven as a person would: the lesson pane and its steps, the
controls a lesson hides and locks, presentation mode, Save as lesson…, and exercises judged live."""

from __future__ import annotations

import json
import re

import pytest
from PySide6 import QtWidgets
from PySide6.QtCore import Qt
from test_i18n import toy_catalogue

from nnviz.core.document import read_document
from nnviz.core.examples import load_example
from nnviz.core.lessons import CONTROLS, read_exercise, read_lesson
from nnviz.gui import i18n
from nnviz.gui.accessibility import visible_text
from nnviz.gui.lesson_pane import inline_maths, maths_size, plain_maths, text_html


def open_example(user, key: str) -> None:
    window = user.window
    with user.qtbot.waitSignal(window.session.state_changed, timeout=10000):
        window.example_actions[key].trigger()
    user.settle()


def hidden_keys(window) -> set[str]:
    return {key for key in CONTROLS if window.lesson_controls.is_hidden(key)}


def locked_keys(window) -> set[str]:
    return {key for key in CONTROLS if window.lesson_controls.is_locked(key)}


def shown_docks(window) -> set[str]:
    return {key for key, dock in window.docks.items() if dock.isVisible()}


# -- the pane -----------------------------------------------------------------------------------------
def test_a_lesson_opens_in_its_pane_with_its_panels_and_controls(user, main_window, qtbot):
    open_example(user, "mazur-backprop")
    lesson = read_lesson(load_example("mazur-backprop"))
    pane = main_window.lesson_pane
    assert main_window.docks["lesson"].isVisible() and pane.counter_label.text() == "Step 1 of 6"
    activate(qtbot, main_window)
    assert "A Step by Step Backpropagation Example" in pane.step_view.toPlainText()
    assert main_window.act_walk.isChecked()  # the first step says so
    # step-through has its dock, and keeps the inspector and the health strip for when it ends
    assert shown_docks(main_window) == set(lesson.panels) - {"inspector", "health"} | {"stepper"}
    assert hidden_keys(main_window) == set(lesson.hide)
    # (the sidebar itself disables noise and Regenerate for a document's own rows)
    assert locked_keys(main_window) == set(lesson.lock) | {"noise", "regenerate"}
    assert not pane.back_button.isEnabled()
    user.click("Next step")
    assert pane.counter_label.text() == "Step 2 of 6" and "0.593269992" in pane.step_view.toPlainText()
    qtbot.keyClick(pane.next_button, Qt.Key.Key_PageDown)
    assert pane.index == 2
    qtbot.keyClick(pane.next_button, Qt.Key.Key_PageUp)
    user.click("Back")
    assert pane.index == 0
    while pane.next_button.isEnabled():
        user.click("Next step")
    assert pane.counter_label.text() == "Step 6 of 6" and not pane.next_button.isEnabled()


def test_another_model_puts_the_window_back(user, main_window):
    before = shown_docks(main_window)
    open_example(user, "square-fit")
    assert main_window.docks["lesson"].isVisible() and "features" in hidden_keys(main_window)
    user.trigger("New")
    user.settle()
    assert not main_window.docks["lesson"].isVisible()
    assert hidden_keys(main_window) == set() and locked_keys(main_window) == set()
    assert shown_docks(main_window) == before
    assert user.control("Data set").isEnabled() and user.control("Import CSV…").isVisible()


def test_the_lesson_text_is_in_the_readers_language(user, main_window):
    open_example(user, "perceptron-accept")
    pane = main_window.lesson_pane
    assert "A perceptron takes numbers in" in pane.step_view.toPlainText()
    pane.open(load_example("perceptron-accept"), locale="zh_CN")
    assert "感知机接收若干个数" in pane.step_view.toPlainText()
    # the maths typeset the same: a picture of x_1 = 3 right after 价格
    assert "价格 \ufffc" in pane.step_view.toPlainText()
    picture = re.search("src='([^']+)'", inline_maths("x_1 = 3", maths_size(pane.step_view.font()))).group(1)
    assert picture in pane.step_view.toHtml()


def test_inline_maths_goes_through_one_function():
    # typeset: a picture whose alternative text is the plain form
    assert "<img src='data:image/png;base64," in inline_maths("x_1 \\cdot w")
    assert "alt='x1 · w'" in inline_maths("x_1 \\cdot w")
    assert text_html("a < b, $x$") == "a &lt; b, " + inline_maths("x")
    # the plain form, which stands in for maths that cannot be typeset
    assert plain_maths("x_1 \\cdot w") == "<span style='font-family: serif;'>x<sub>1</sub> · w</span>"
    assert plain_maths("\\frac{\\partial E}{\\partial w_5}") == (
        "<span style='font-family: serif;'>(∂E)/(∂w<sub>5</sub>)</span>")
    assert plain_maths("\\tfrac12 (t - o)^2") == "<span style='font-family: serif;'>½ (t - o)<sup>2</sup></span>"
    assert inline_maths("\\nosuchcommand x") == plain_maths("\\nosuchcommand x")


def test_names_the_window_does_not_know_are_said_in_one_line(user, main_window, tmp_path):
    doc = load_example("square-fit")
    doc["lesson"]["panels"] = ["output", "neurons"]
    doc["lesson"]["hide"] = ["noise", "momentum knob"]
    doc["lesson"]["lock"] = ["Learning rate", "Layer 1 activation"]
    path = tmp_path / "future.nnviz.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main_window.open_path(path)
    user.settle()
    note = ("The lesson names panels 'neurons' and controls 'momentum knob' this version of nnviz does not have: "
            "left out")
    assert main_window.lesson_pane.note == note and "\n" not in note
    assert hidden_keys(main_window) == {"noise"}
    # its one hidden layer's activation, named alone; Features are off by themselves for 1-D data
    assert locked_keys(main_window) == {"learning_rate", "activations", "features"}
    assert not user.control("Layer 1 activation").isEnabled()  # an accessible name names one control
    assert shown_docks(main_window) - {"stepper"} == {"output", "lesson"}


def test_a_bad_lesson_is_refused_in_one_line(user, main_window, tmp_path):
    doc = load_example("square-fit")
    doc["lesson"]["steps"][1]["title"] = {"zh_CN": "开始训练"}
    path = tmp_path / "bad.nnviz.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert not main_window.open_path(path)
    assert user.message() == ("bad.nnviz.json: lesson.steps[1].title.en: missing (every text needs English, shown "
                              "where the reader's language is missing)")
    assert not main_window.docks["lesson"].isVisible()
    user.dismiss_message()


def test_the_lesson_layout_survives_the_sidebar_rebuilding_its_rows(user, main_window):
    open_example(user, "exercise-no-activation")
    assert {"units", "add_layer"} <= locked_keys(main_window)
    user.choose("Layer 1 activation", "tanh")  # the sidebar shows the new layers: rows rebuilt
    user.settle()
    assert not user.control("Layer 1 units").isEnabled() and not user.control("Layer 2 units").isEnabled()
    assert user.control("Layer 1 activation").isEnabled()


# -- presentation mode ---------------------------------------------------------------------------------
def activate(qtbot, window) -> None:
    """Make ``window`` the active window, so that its own shortcuts take keys."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def test_presentation_mode_shows_the_lessons_layout_and_hides_exactly_its_controls(user, main_window, qtbot):
    open_example(user, "square-fit")
    lesson = read_lesson(load_example("square-fit"))
    main_window.docks["weights"].show()
    main_window.docks["inspector"].show()
    before, font = shown_docks(main_window), main_window.font().pointSizeF()
    user.trigger("Presentation mode")
    assert main_window.presenting and main_window.isFullScreen() and not main_window.menuBar().isVisible()
    assert main_window.font().pointSizeF() > font
    assert shown_docks(main_window) == set(lesson.panels)
    assert hidden_keys(main_window) == set(lesson.hide)
    pane = main_window.lesson_pane
    activate(qtbot, main_window)
    for key, index in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_PageDown, 2), (Qt.Key.Key_Down, 3), (Qt.Key.Key_Left, 2),
                       (Qt.Key.Key_Up, 1), (Qt.Key.Key_PageUp, 0)):
        qtbot.keyClick(main_window.graph, key)
        assert pane.index == index, key
    assert main_window.latest.step == 0  # the arrows moved the lesson, not the training
    qtbot.keyClick(main_window.graph, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: main_window.session.playing)
    qtbot.keyClick(main_window.graph, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not main_window.session.playing)
    qtbot.keyClick(main_window.graph, Qt.Key.Key_Escape)
    assert not main_window.presenting and not main_window.isFullScreen() and main_window.menuBar().isVisible()
    assert main_window.font().pointSizeF() == font
    assert shown_docks(main_window) == before
    assert hidden_keys(main_window) == set(lesson.hide)  # the lesson is still open
    step = main_window.latest.step
    qtbot.keyClick(main_window.graph, Qt.Key.Key_Right)  # Step again, out of presentation mode
    user.settle()
    assert main_window.latest.step == step + 1


def test_presentation_mode_with_step_through_leaves_the_arrows_to_it(user, main_window, qtbot):
    open_example(user, "perceptron-accept")
    main_window.set_presentation(True)
    activate(qtbot, main_window)
    assert main_window.act_walk.isChecked()
    stepper, pane = main_window.stepper, main_window.lesson_pane
    qtbot.waitUntil(lambda: stepper.walkthrough is not None)
    pane.next_button.setFocus()  # not a field: the keys are shortcuts
    qtbot.keyClick(pane.next_button, Qt.Key.Key_Right)
    assert stepper.index == 1 and pane.index == 0
    qtbot.keyClick(pane.next_button, Qt.Key.Key_PageDown)
    assert pane.index == 1
    user.trigger("Presentation mode")  # F5's action again: off
    assert not main_window.presenting


# -- Save as lesson… -----------------------------------------------------------------------------------
def test_save_as_lesson_round_trips(user, main_window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "my-lesson.nnviz.json"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    main_window.docks["weights"].show()
    main_window.docks["inspector"].hide()
    panels = shown_docks(main_window) - {"stepper", "lesson"}
    user.trigger("Save as lesson…")
    dialog = main_window.findChild(QtWidgets.QDialog, "lesson_dialog")
    assert dialog.isVisible() and dialog.table.accessibleName() == "Controls"
    assert [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())] == list(CONTROLS.values())
    dialog.set_checked("optimizer", "Hide")
    dialog.set_checked("noise", "Hide")
    dialog.set_checked("seed", "Lock")
    with qtbot.waitSignal(main_window.session.saved, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    doc = read_document(path)
    lesson = read_lesson(doc)
    assert lesson.hide == ("noise", "optimizer") and lesson.lock == ("seed",)
    assert set(lesson.panels) == panels
    assert [step.title for step in lesson.steps] == ["Circle"]
    assert hidden_keys(main_window) == {"noise", "optimizer"} and locked_keys(main_window) == {"seed"}
    assert main_window.windowTitle().startswith("my-lesson.nnviz.json")
    # opened again, later: the same layout and controls
    user.trigger("New")
    user.settle()
    main_window.docks["weights"].hide()
    main_window.docks["inspector"].show()
    assert hidden_keys(main_window) == set()
    assert main_window.open_path(path)
    user.settle()
    assert hidden_keys(main_window) == {"noise", "optimizer"} and locked_keys(main_window) == {"seed"}
    assert shown_docks(main_window) - {"stepper"} == panels | {"lesson"}
    # the dialog starts from the lesson in force; a plain Save keeps the lesson
    dialog = main_window.save_as_lesson_dialog()
    assert dialog.hidden() == ["noise", "optimizer"] and dialog.locked() == ["seed"]
    dialog.reject()
    with qtbot.waitSignal(main_window.session.saved, timeout=10000):
        user.trigger("Save")
    assert read_document(path)["lesson"] == doc["lesson"]


def test_save_as_lesson_keeps_a_lessons_steps(user, main_window, qtbot, tmp_path):
    open_example(user, "cross-entropy")
    path = tmp_path / "ce.nnviz.json"
    with qtbot.waitSignal(main_window.session.saved, timeout=10000):
        assert main_window.save_as_lesson(["loss"], [], path)
    saved = read_document(path)
    assert saved["lesson"]["steps"] == load_example("cross-entropy")["lesson"]["steps"]
    assert saved["lesson"]["hide"] == ["loss"] and "lock" not in saved["lesson"]


# -- exercises -------------------------------------------------------------------------------------------
def exercise_text(window) -> str:
    return window.lesson_pane.exercise_view.toPlainText()


def test_hints_are_revealed_one_at_a_time(user, main_window):
    open_example(user, "exercise-zero-init")
    exercise = read_exercise(load_example("exercise-zero-init"))
    hints = [visible_text(h["en"]) for h in load_example("exercise-zero-init")["exercise"]["hints"]]
    assert "Goal: train accuracy ≥ 100% within 2,000 steps" in exercise_text(main_window)
    assert not any(h[:30] in exercise_text(main_window) for h in hints)
    for shown in range(1, len(exercise.hints) + 1):
        user.click("Hint")
        text = exercise_text(main_window)
        assert all((h[:30] in text) == (i < shown) for i, h in enumerate(hints)), shown
        assert main_window.lesson_pane.hint_label.text() == f"{shown} of {len(hints)} hints shown"
    assert not user.control("Hint").isEnabled()


def test_an_exercise_is_judged_live_and_solved_with_its_steps(user, main_window):
    open_example(user, "exercise-learning-rate")
    pane = main_window.lesson_pane
    # evaluation points come at most every 2% of the time: slower steps keep them close in steps on a
    # loaded machine, so that one falls between the crossing and step 300
    user.choose("Steps / second", 100)
    assert not main_window.act_walk.isChecked()
    assert not user.control("Optimizer").isEnabled()  # locked by its lesson
    user.train(60)
    assert "Every constraint is kept" in exercise_text(main_window)
    assert not pane.solved_label.isVisible() and pane.verdict is not None and not pane.verdict.solved
    user.type("Learning rate", "1")
    user.trigger("Reset")
    user.train(300)
    user.qtbot.waitUntil(lambda: pane.solved_verdict is not None, timeout=10000)
    steps = pane.solved_verdict.steps
    assert 0 < steps <= 300
    assert pane.solved_label.isVisible()
    assert pane.solved_label.text() == f"Solved in {steps:,} steps: test loss ≤ 0.2 reached"
    assert f"Exercise solved in {steps:,} steps" in user.status() or "Why it works" in exercise_text(main_window)
    assert "Why it works:" in exercise_text(main_window)


def test_a_broken_constraint_is_shown_as_it_happens(user, main_window):
    open_example(user, "exercise-no-activation")
    user.choose("Optimizer", "sgd")
    user.settle()
    user.train(10)
    assert "Broken: the optimizer must stay adam (now sgd)" in exercise_text(main_window)
    user.choose("Optimizer", "adam")
    user.type("Learning rate", "0.03")
    user.train(10)
    assert "Broken" not in exercise_text(main_window)


@pytest.fixture
def toy_chinese(tmp_path, monkeypatch, main_window):
    """Chinese is a toy catalogue of the exercise's texts (made-up translations, so that a text the
    window shows in English would be seen); the test ends in English."""
    qm = toy_catalogue(tmp_path, {
        "Goal:": "Toy-Goal:", "Constraints:": "Toy-Constraints:", "Broken:": "Toy-Broken:", "Now:": "Toy-Now:",
        "test loss": "Toy-test-loss",
        "{metric} ≤ {value}": "{metric} Toy≤ {value}",
        "{target} within {count} steps": "Toy-within-{count}-steps: {target}",
        "at most {count} hidden units": "Toy-at-most-{count}-units",
        "keep {things}": "Toy-keep {things}",
        "the data": "Toy-the-data",
        "{constraints}; {constraint}": "{constraints} Toy; {constraint}",
        "{count} hidden units, more than the {limit} allowed": "Toy-{count}-units-over-{limit}",
        "{metric} {value} at step {step}": "Toy-at-step-{step}: {metric}={value}",
    })
    monkeypatch.setattr(i18n, "catalogue_file", lambda code: qm)
    yield
    main_window.set_language("en")


def test_an_exercise_s_goal_constraints_and_progress_follow_the_language(user, main_window, toy_chinese):
    open_example(user, "exercise-fewest-units")  # test loss ≤ 0.15 within 2,000 steps; 3 units; keep the data
    user.train(5)
    english = exercise_text(main_window)
    assert "Goal: test loss ≤ 0.15 within 2,000 steps" in english
    assert "Constraints: at most 3 hidden units; keep the data" in english
    assert "Broken: 8 hidden units, more than the 3 allowed" in english
    main_window.language_actions["zh_CN"].trigger()
    text = exercise_text(main_window)
    assert "Toy-Goal: Toy-within-2,000-steps: Toy-test-loss Toy≤ 0.15" in text
    assert "Toy-Constraints: Toy-at-most-3-units Toy; Toy-keep Toy-the-data" in text
    assert "Toy-Broken: Toy-8-units-over-3" in text
    now = re.search(r"Toy-Now: Toy-at-step-([\d,]+): Toy-test-loss=(\S+)", text)
    assert now is not None, text
    assert 0 < int(now[1].replace(",", "")) <= user.step() and float(now[2]) > 0
    assert "test loss" not in text and "hidden units" not in text
    main_window.language_actions["en"].trigger()
    assert exercise_text(main_window) == english


@pytest.mark.parametrize("key", ["exercise-naive-softmax"])
def test_the_naive_softmax_exercise_diverges_in_the_window(user, main_window, key):
    open_example(user, key)
    user.trigger("Step")
    user.qtbot.waitUntil(lambda: main_window.latest.diverged, timeout=10000)
    user.dismiss_message()
    user.choose("Output activation", "identity")
    user.trigger("Reset")
    user.train(200)
    user.qtbot.waitUntil(lambda: main_window.lesson_pane.solved_verdict is not None, timeout=10000)
