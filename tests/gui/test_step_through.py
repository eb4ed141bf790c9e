"""Step-through mode: the stepper, the Calculation panel, edits in place, the quiz and the lessons."""

import copy
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtGui
from scipy import special

from nnviz.core import Trainer, load_model
from nnviz.core.examples import list_examples, load_example
from nnviz.core.lessons import read_lesson
from nnviz.gui.panels.calculation import PHASE_COLORS
from nnviz.gui.panels.graph import Selection

from user import settle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(main_window):
    return main_window


def open_lesson(qtbot, window, key):
    with qtbot.waitSignal(window.session.walk_ready, timeout=5000):
        assert window.open_example(key)
    qtbot.waitUntil(lambda: window.stepper.walkthrough is not None and window.stepper.index == 0)
    return window.stepper


def text(window) -> str:
    return window.stepper.calculation.text()


def result(window) -> str:
    return window.stepper.current().result.text(window.stepper.calculation.precision)


def go_to(stepper, kind, layer=None, param=None):
    for i, op in enumerate(stepper.walkthrough.operations):
        if op.kind == kind and (layer is None or op.layer == layer) and (param is None or op.param == param):
            stepper.go(i)
            return i
    raise AssertionError(f"no {kind} operation")


def test_two_two_one_forward_pass(qtbot, window):
    stepper = open_lesson(qtbot, window, "two-two-one")
    assert window.act_walk.isChecked() and window.docks["stepper"].isVisible()
    assert "z1 = [0.5, -0.15]" in text(window)
    assert "z1[1] = 0.2*1.0 + 0.4*0.5 + 0.1 = 0.5" in text(window)
    window.act_next.trigger()
    assert "a1 = [0.5, 0.0]" in text(window)
    window.act_next.trigger()
    assert "z2 = 0.4" in text(window)
    window.act_next.trigger()
    # sigmoid(0.4) = 0.598688: 0.599 at 3 decimals; the full value on hover and at 6 decimals
    assert result(window) == "a2 = 0.599"
    assert repr(float(special.expit(0.4))) in stepper.calculation.browser.toHtml()
    stepper.calculation.set_precision(6)
    assert "a2 = 0.598688" in text(window)


def test_single_neuron_and_previous_next(qtbot, window):
    stepper = open_lesson(qtbot, window, "sigmoid-neuron")
    seen = {}
    for _ in range(len(stepper.walkthrough) - 1):
        seen[stepper.current().symbol] = result(window)
        window.act_next.trigger()
    assert seen["z1"] == "z1 = 0.5"
    assert seen["a1"] == "a1 = 0.622"
    assert seen["L"] == "L = 0.474"
    assert seen["dL/dz1"] == "dL/dz1 = -0.378"
    go_to(stepper, "dz")
    here = text(window)
    window.act_prev.trigger()
    assert text(window) != here
    window.act_next.trigger()
    assert text(window) == here
    window.act_home.trigger()
    assert stepper.index == 0
    window.act_end.trigger()
    assert stepper.index == len(stepper.walkthrough) - 1 and stepper.current().phase == "update"


def test_arrows_move_the_stepper_only_in_step_through_mode(qtbot, window):
    right = QtGui.QKeySequence(QtCore.Qt.Key.Key_Right)
    assert window.act_step.shortcut() == right and not window.act_next.isEnabled()
    open_lesson(qtbot, window, "two-two-one")
    assert window.act_step.shortcut().isEmpty() and window.act_next.shortcut() == right
    assert window.act_next.isEnabled() and window.act_prev.shortcut() == QtGui.QKeySequence(QtCore.Qt.Key.Key_Left)
    window.set_walk_mode(False)
    assert window.act_step.shortcut() == right and not window.act_next.isEnabled()
    assert window.graph.highlighted()["write_nodes"] == ()


def test_editing_a_weight_in_the_table_recomputes_at_once(qtbot, window):
    stepper = open_lesson(qtbot, window, "sigmoid-neuron")
    table = stepper.calculation.table
    assert table.item(1, 0).text() == "0.5"  # row 0 is the input, row 1 the unit's weights
    table.item(1, 0).setText("0.6")
    qtbot.waitUntil(lambda: result(window) == "z1 = 0.7")
    assert "z1[1] = 0.6*2.0 + (-0.2)*3.0 + 0.1 = 0.7" in text(window)
    assert stepper.index == 0


def test_editing_on_the_graph_keeps_the_operation(qtbot, window):
    stepper = open_lesson(qtbot, window, "sigmoid-neuron")
    i = go_to(stepper, "a")
    window.graph.edit_requested.emit(Selection("edge", 1, 0, 0, layer_type="dense"))
    editor = window.editor
    assert editor is not None and editor.edit.text() == "0.5"
    editor.edit.setText("0.6")
    with qtbot.waitSignal(window.session.walk_ready):
        editor.apply()
    qtbot.waitUntil(lambda: stepper.current().lines[0].text() == "a1[1] = sigmoid(0.7) = 0.668")
    assert stepper.index == i


def test_editing_an_input_and_a_target(qtbot, window):
    stepper = open_lesson(qtbot, window, "sigmoid-neuron")
    window.graph.edit_requested.emit(Selection("input", 0, 1, layer_type="input"))
    window.editor.edit.setText("1")
    window.editor.apply()
    qtbot.waitUntil(lambda: result(window) == "z1 = 0.9")  # 0.5*2 - 0.2*1 + 0.1
    go_to(stepper, "loss")
    table = stepper.calculation.table
    target_column = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("y[1]")
    table.item(0, target_column).setText("0")
    qtbot.waitUntil(lambda: stepper.current().table.values[0, target_column] == 0.0)
    a = special.expit(0.9)
    assert stepper.current().result.result == pytest.approx(-np.log(1 - a), rel=1e-12)


def test_letters_in_a_weight_field_change_nothing(qtbot, window):
    stepper = open_lesson(qtbot, window, "sigmoid-neuron")
    before = text(window)
    sent = []
    window.session._command_sent.connect(lambda *command: sent.append(command))
    stepper.calculation.table.item(1, 0).setText("abc")
    assert "'abc' is not a number" in stepper.calculation.message.text()
    assert stepper.calculation.table.item(1, 0).text() == "0.5"
    assert sent == [] and text(window) == before
    window.graph.edit_requested.emit(Selection("edge", 1, 0, 1, layer_type="dense"))
    window.editor.edit.setText("nan")
    window.editor.apply()
    assert window.editor is not None and window.editor.isVisible()
    assert "finite" in window.editor.message.text()
    window.editor.edit.setText("")
    window.editor.apply()
    assert "type a number" in window.editor.message.text()
    assert sent == []
    window.editor.close()


def test_quiz_accepts_0_598_and_rejects_0_6(qtbot, window):
    stepper = open_lesson(qtbot, window, "two-two-one")
    go_to(stepper, "a", layer=1)
    stepper.quiz.setChecked(True)
    assert "= ?" in text(window) and stepper.answer.isEnabled()
    table = stepper.calculation.table  # the numbers to work from show; the result waits for the answer
    assert table.verticalHeaderItem(0).text() == "z2" and table.item(0, 0).text() == "0.4"
    assert table.item(1, 0).text() == "?"
    stepper.answer.setText("0.6")
    stepper.check()
    assert stepper.feedback.text().startswith("Not quite") and "0.599" in stepper.feedback.text()
    assert "a2 = 0.599" in text(window)  # revealed
    stepper.quiz.setChecked(False)
    stepper.quiz.setChecked(True)
    stepper.answer.setText("abc")
    stepper.check()
    assert "not a number" in stepper.feedback.text() and "= ?" in text(window)
    stepper.answer.setText("0.598")
    stepper.check()
    assert stepper.feedback.text().startswith("Right")
    assert stepper.score == [1, 1]
    # Next on an unanswered result reveals it before moving on
    window.act_next.trigger()
    assert "= ?" in text(window)
    window.act_next.trigger()
    assert "= ?" not in text(window)


def test_next_at_the_end_takes_the_step(qtbot, window):
    stepper = open_lesson(qtbot, window, "two-two-one")
    expected = Trainer(load_model(load_example("two-two-one")), [[1.0, 0.5]], [[1.0]]).trace()
    window.act_end.trigger()
    assert stepper.next_button.text() == "Take the step"
    with qtbot.waitSignal(window.session.walk_ready):
        for _ in range(3):  # an impatient learner: one step all the same
            window.act_next.trigger()
        assert not stepper.next_button.isEnabled()
    qtbot.waitUntil(lambda: stepper.walkthrough.trace.step == 1)
    assert stepper.index == 0 and stepper.next_button.isEnabled()
    settle(qtbot, window.session)
    assert window.latest.step == 1
    first = stepper.walkthrough.trace.layers[0]
    np.testing.assert_array_equal(first.params_before["weight"], expected.layers[0].params_after["weight"])


def test_graph_highlights_reads_and_writes(qtbot, window):
    stepper = open_lesson(qtbot, window, "two-two-one")
    marked = window.graph.highlighted()
    assert marked["read_edges"] == 4 and marked["write_nodes"] == ((1, 0), (1, 1))
    assert marked["colour"] == PHASE_COLORS["forward"]
    go_to(stepper, "dx")
    marked = window.graph.highlighted()
    assert marked["write_nodes"] == ((1, 0), (1, 1)) and marked["read_edges"] == 2
    assert marked["colour"] == PHASE_COLORS["backward"]


def test_gradient_check_view_fills(qtbot, window):
    open_lesson(qtbot, window, "two-two-one")
    state = window.latest_walk
    assert state.checks is not None and len(state.checks) == 4
    assert window.gradcheck.table.rowCount() == 9  # 4 + 2 + 2 + 1 parameter entries
    assert max(c.relative_error for c in state.checks) < 1e-6


def test_whole_batch_means(qtbot, window):
    stepper = open_lesson(qtbot, window, "xor-mlp")
    batch = stepper.walkthrough.batch
    assert batch == 4 and stepper.sample_box.count() == 5
    stepper.sample_box.setCurrentIndex(4)
    stepper.sample_box.activated.emit(4)
    assert stepper.sample is None
    z = stepper.walkthrough.trace.layers[0].z
    np.testing.assert_allclose(stepper.current().result.result, z.mean(axis=0))
    assert stepper.calculation.table.rowCount() == 5  # one row per sample and the mean


def errors_over_steps(qtbot, window, steps):
    stepper = window.stepper
    errors = []
    for _ in range(steps):
        window.act_end.trigger()
        errors.append(float(np.abs(stepper.current().terms["error"]).sum()))
        t = stepper.walkthrough.trace.step
        window.act_next.trigger()
        qtbot.waitUntil(lambda t=t: stepper.walkthrough.trace.step == t + 1)
    return errors


def test_perceptron_lesson_learns_and_but_not_xor(qtbot, window):
    open_lesson(qtbot, window, "perceptron-and")
    errors = errors_over_steps(qtbot, window, 40)
    runs = [all(e == 0 for e in errors[k:k + 4]) for k in range(len(errors) - 3)]
    assert any(runs), errors  # four samples in a row right: a whole epoch without an error
    open_lesson(qtbot, window, "perceptron-xor")
    errors = errors_over_steps(qtbot, window, 40)
    assert not any(all(e == 0 for e in errors[k:k + 4]) for k in range(len(errors) - 3)), errors


OPTIMIZERS = [{"name": "sgd", "lr": 0.5, "momentum": 0.9}, {"name": "adam", "lr": 0.1},
              {"name": "adamw", "lr": 0.1}, {"name": "adagrad", "lr": 0.1}, {"name": "rmsprop", "lr": 0.01},
              {"name": "sgd", "lr": 0.5}]
STATE_COLUMNS = {"exp_avg": "m", "exp_avg_sq": "v", "momentum_buffer": "momentum buffer", "sum": "sum",
                 "square_avg": "square avg"}


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=[o["name"] + str(i) for i, o in enumerate(OPTIMIZERS)])
def test_every_optimizers_update_shows_the_cores_terms(qtbot, window, optimizer):
    stepper = open_lesson(qtbot, window, "two-two-one")
    doc = copy.deepcopy(load_example("two-two-one"))
    doc["optimizer"] = optimizer
    with qtbot.waitSignal(window.session.walk_ready):
        window.session.load_document(doc)
    qtbot.waitUntil(lambda: stepper.walkthrough.trace.optimizer == optimizer["name"])
    # the core's own numbers: the step a plain Trainer takes (twice, so the state has a history)
    net = load_model(doc)
    trainer = Trainer(net, [[1.0, 0.5]], [[1.0]])
    trainer.step()
    trace = trainer.trace()
    with qtbot.waitSignal(window.session.walk_ready):
        window.act_end.trigger()
        window.act_next.trigger()
    qtbot.waitUntil(lambda: stepper.walkthrough.trace.step == 1)
    go_to(stepper, "update", layer=0, param="weight")
    table = stepper.calculation.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]

    def column(name):
        c = headers.index(name)
        return np.array([table.item(r, c).data(QtCore.Qt.ItemDataRole.UserRole) for r in range(table.rowCount())])

    np.testing.assert_array_equal(column("after"), trace.layers[0].params_after["weight"].ravel())
    np.testing.assert_array_equal(column("gradient"), trace.layers[0].grads["weight"].ravel())
    for term, header in STATE_COLUMNS.items():
        if term in trace.optimizer_state:
            np.testing.assert_array_equal(column(header), trace.optimizer_state[term]["layers[0].weight"].ravel())
    shown = stepper.current().terms
    for key, value in trace.optimizer_scalars.items():
        assert shown[key] == value
    assert f"lr = {optimizer['lr']:g}" in text(window)


def test_every_example_opens(qtbot, window):
    examples = list_examples()
    shipped = {path.stem for path in (ROOT / "resources" / "examples").glob("*.json")}  # every file, read apart
    assert len(shipped) >= 20 and set(window.example_actions) == {e.key for e in examples} == shipped
    for example in examples:
        with qtbot.waitSignal(window.session.state_changed, timeout=5000):
            window.example_actions[example.key].trigger()
        assert window.model_name == example.name
        assert window.last_message == ""
        doc = load_example(example.key)
        lesson = read_lesson(doc)
        said = lesson.steps[0].step_through if lesson is not None else None  # a lesson's first step may say
        walks = said if said is not None else example.key != "circle" and "exercise" not in doc
        assert window.act_walk.isChecked() == walks


def test_neuron_by_neuron_keeps_the_operation(qtbot, window):
    stepper = open_lesson(qtbot, window, "two-two-one")
    go_to(stepper, "dz", layer=0)
    with qtbot.waitSignal(window.session.walk_ready):
        stepper.neurons.setChecked(True)
    qtbot.waitUntil(lambda: stepper.walkthrough.neurons)
    op = stepper.walkthrough.operations[stepper.index]
    assert (op.kind, op.layer, op.unit) == ("dz", 0, 0)
    assert result(window) == "dL/dz1[1] = -0.281"
    table = stepper.calculation.table
    assert table.item(0, 0).background() != table.item(0, 1).background()  # the unit's column stands out
    with qtbot.waitSignal(window.session.walk_ready):
        stepper.neurons.setChecked(False)
    qtbot.waitUntil(lambda: not stepper.walkthrough.neurons)
    assert stepper.current().symbol == "dL/dz1"


def test_every_operation_of_modern_layers_shows(qtbot, window):
    stepper = open_lesson(qtbot, window, "two-two-one")
    doc = copy.deepcopy(load_example("xor-mlp"))
    doc["layers"] = [{"type": "glu", "units": 3, "variant": "swiglu"}, {"type": "batchnorm", "activation": "gelu"},
                     {"type": "dropout", "p": 0.5}, {"type": "layernorm"}, {"type": "rmsnorm"},
                     {"type": "dense", "units": 1, "activation": "sigmoid"}]
    doc["optimizer"] = {"name": "adamw", "lr": 0.01}
    with qtbot.waitSignal(window.session.walk_ready):
        window.session.load_document(doc)
    qtbot.waitUntil(lambda: len(stepper.walkthrough.trace.layers) == 6)
    for sample in (0, None):
        stepper.set_sample(sample)
        for i in range(len(stepper.walkthrough)):
            stepper.go(i)
            assert stepper.current().index == i and text(window)
    go_to(stepper, "z", layer=2)
    stepper.set_sample(0)
    assert "scaled by 1/(1 − p) = 2.0" in text(window)
    # the gradient check uses the step's own dropout mask: its analytic gradients are the walk's
    check = {c.name: c for c in window.latest_walk.checks}["layers[0].weight"]
    np.testing.assert_allclose(check.analytic, stepper.walkthrough.trace.layers[0].grads["weight"], rtol=1e-12)


def test_class_targets_edit_as_one_class_column(qtbot, window):
    stepper = open_lesson(qtbot, window, "softmax-three-classes")
    go_to(stepper, "loss")
    table = stepper.calculation.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "target" in headers and "y[2]" not in headers
    column = headers.index("target")
    assert table.item(0, column).text() == "0"  # a class index, as in the data: a whole number
    table.item(0, column).setText("2")
    qtbot.waitUntil(lambda: stepper.current().table.values[0, column] == 2.0)
    assert window.last_message == ""


def test_quiz_asks_again_for_another_sample(qtbot, window):
    stepper = open_lesson(qtbot, window, "xor-mlp")
    stepper.quiz.setChecked(True)
    stepper.reveal()
    assert "= ?" not in text(window)
    stepper.set_sample(1)
    assert "= ?" in text(window)  # sample 2's numbers are new: predict them too


def test_step_through_in_chinese_translates_the_cores_texts(qtbot, window, tmp_path, monkeypatch):
    """View › Language › Chinese: the operation's title (its numbers kept), its note and the table's
    row labels come from the catalogue; the header line is the lesson's own Chinese description."""
    from test_i18n import toy_catalogue

    from nnviz.gui import i18n

    qm = toy_catalogue(tmp_path, {
        "Layer {layer}: gradient passed down to layer {below}": "第 {layer} 层：传给第 {below} 层的梯度",
        "This is the gradient the layer below receives as its dL/da.": "这是下一层收到的 dL/da。",
        "unit {unit}": "单元 {unit}",
    })
    monkeypatch.setattr(i18n, "catalogue_file", lambda code: qm)
    stepper = open_lesson(qtbot, window, "two-two-one")
    go_to(stepper, "dx")
    heading, browser, table = stepper.calculation.heading, stepper.calculation.browser, stepper.calculation.table
    assert "Layer 2: gradient passed down to layer 1" in heading.text()
    chinese = load_example("two-two-one")["translations"]["zh_CN"]["description"]
    try:
        window.language_actions["zh_CN"].trigger()
        qtbot.waitUntil(lambda: "第 2 层：传给第 1 层的梯度" in heading.text())
        assert "这是下一层收到的 dL/da。" in browser.toPlainText()
        assert table.verticalHeaderItem(0).text() == "单元 1"
        assert table.horizontalHeaderItem(0).text() == "w[·,1]"
        assert chinese in stepper.lesson.text()
    finally:
        window.language_actions[i18n.ENGLISH].trigger()
    qtbot.waitUntil(lambda: "Layer 2: gradient passed down to layer 1" in heading.text())
    assert table.verticalHeaderItem(0).text() == "unit 1"
