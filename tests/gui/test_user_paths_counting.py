"""User paths: one way to count, substituted lines a learner can redo by hand, and a quiz that does
not give its answers away. A person opens a lesson from the Examples menu (or turns Step through on
from the toolbar), walks the step with the Right arrow and reads what the stepper shows."""

import re

import numpy as np
from PySide6.QtCore import Qt

from nnviz.core.formula import evaluate
from nnviz.core.numbers import format_value

#: a count from 0 where a person reads one ("unit 0", "class 0", "sample 0", "z1[0]", "layers[0]")
COUNTED_FROM_ZERO = re.compile(r"\b(?:unit|class|layer|sample|row|input|output|neuron)\s+0\b|\[0[\],]|layers\[",
                               re.IGNORECASE)


def shown_texts(window) -> list[str]:
    """What the stepper shows: heading, position, calculation, table headers and cells, sample choices."""
    stepper, panel = window.stepper, window.stepper.calculation
    table = panel.table
    texts = [panel.heading.text(), stepper.position.text(), panel.browser.toPlainText(), panel.table_note.text(),
             stepper.answer_label.text()]
    texts += [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    texts += [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    texts += [stepper.sample_box.itemText(i) for i in range(stepper.sample_box.count())]
    return texts


def unreproducible_lines(window) -> list[str]:
    """The substituted lines on screen whose right-hand side, redone from the digits shown, does
    not give the result shown."""
    precision = window.stepper.calculation.precision
    wrong = []
    for line in window.stepper.calculation.browser.toPlainText().splitlines():
        *_, rhs, result = line.split(" = ") if line.count(" = ") >= 2 else ("", "", "")
        value = evaluate(rhs) if rhs else None
        if value is None or evaluate(result) is None:
            continue  # a formula in symbols, a vector, or a result still to answer ("?")
        if format_value(value, precision) != result:
            wrong.append(line)
    return wrong


def walk_every_operation(user) -> int:
    """Press the Right arrow until the last operation of the step; check each one on the way.
    Returns how many substituted lines were redone by hand."""
    window, stepper = user.window, user.window.stepper
    seen, redone = 0, 0
    while True:
        offenders = [t for t in shown_texts(window) if COUNTED_FROM_ZERO.search(t)]
        assert not offenders, f"operation {stepper.index + 1}: {offenders}"
        assert not unreproducible_lines(window), unreproducible_lines(window)
        redone += sum(1 for line in stepper.calculation.browser.toPlainText().splitlines() if line.count(" = ") >= 2)
        seen += 1
        if stepper.index == len(stepper.walkthrough) - 1:
            break
        before = stepper.index
        user.press(Qt.Key.Key_Right, on=window.graph, settle=False)
        user.qtbot.waitUntil(lambda: stepper.index == before + 1, timeout=3000)
    assert seen == len(stepper.walkthrough)
    return redone


def open_lesson(user, name: str):
    window = user.window
    with user.qtbot.waitSignal(window.session.walk_ready, timeout=5000):
        user.trigger(name, settle=False)
    user.qtbot.waitUntil(lambda: window.stepper.walkthrough is not None and window.stepper.index == 0)
    assert toolbar_action(user, "Step through").isChecked()  # a lesson opens in step-through mode
    return window.stepper


def test_a_lesson_walked_with_the_right_arrow_counts_from_1_and_its_lines_redo_by_hand(user):
    open_lesson(user, "2-2-1 network, worked example")
    assert walk_every_operation(user) > 10


def test_the_softmax_lesson_says_class_1_for_target_0(user):
    stepper = open_lesson(user, "Softmax and cross-entropy, three classes")
    walk_every_operation(user)
    loss = next(i for i, op in enumerate(stepper.walkthrough.operations) if op.kind == "loss")
    stepper.go(loss)
    text = stepper.calculation.browser.toPlainText()
    assert "The target is class 1 (target 0)" in text and "target 0 is class 1" in text
    table = stepper.calculation.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    targets = [table.item(r, headers.index("target")).text() for r in range(3)]
    assert targets == ["0", "1", "2"]  # class indices as whole numbers, not 0.0/1.0/2.0


def toolbar_action(user, text: str):
    """The toolbar's button ``text`` (the View menu has a "Step through" of its own: the dock's)."""
    from PySide6 import QtWidgets

    for toolbar in user.window.findChildren(QtWidgets.QToolBar):
        for action in toolbar.actions():
            if action.text() == text:
                return action
    raise LookupError(text)


def test_step_through_from_the_toolbar_on_the_default_network(user):
    window = user.window
    with user.qtbot.waitSignal(window.session.walk_ready, timeout=10000):
        toolbar_action(user, "Step through").trigger()
    user.qtbot.waitUntil(lambda: window.stepper.walkthrough is not None)
    assert walk_every_operation(user) > 10


def test_neuron_by_neuron_quiz_hides_each_unit_until_it_is_asked(user):
    stepper = open_lesson(user, "2-2-1 network, worked example")
    user.check("Neuron by neuron", settle=False)
    user.qtbot.waitUntil(lambda: stepper.walkthrough is not None and stepper.walkthrough.neurons)
    user.check("Quiz", settle=False)
    stepper.go(0)
    z = stepper.walkthrough.trace.layers[0].z[0]  # z1 = [0.5, -0.15]
    table = stepper.calculation.table

    def cells() -> list[str]:
        return [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
                if table.item(r, c) is not None]

    def z_column() -> list[str]:
        column = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("z1")
        return [table.item(r, column).text() for r in (1, 2)]

    assert stepper.answer_label.text() == "Your value of z1[1]:"
    assert z_column() == ["?", "?"] and format_value(z[1]) not in cells()
    assert "= ?" in stepper.calculation.browser.toPlainText()
    user.qtbot.keyClicks(stepper.answer, format_value(z[0]))
    user.qtbot.keyClick(stepper.answer, Qt.Key.Key_Return)
    assert stepper.feedback.text().startswith("Right")
    # z1[1] is answered; z1[2] is the next question: the table must not show it yet
    assert z_column() == [format_value(z[0]), "?"]
    assert format_value(z[1]) not in cells()
    user.press(Qt.Key.Key_Right, on=user.window.graph, settle=False)
    user.qtbot.waitUntil(lambda: stepper.answer_label.text() == "Your value of z1[2]:", timeout=3000)
    assert z_column() == [format_value(z[0]), "?"] and "= ?" in stepper.calculation.browser.toPlainText()
    stepper.reveal()  # "Show me"
    assert z_column() == [format_value(z[0]), format_value(z[1])]
    assert np.isclose(float(z_column()[1]), z[1])

