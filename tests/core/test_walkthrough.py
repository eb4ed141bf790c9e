"""The step-through walkthrough: operations, the numbers they show, and the quiz's tolerance."""

import itertools
import math
import re

import numpy as np
import pytest
from scipy import special

from nnviz.core import Trainer, load_model
from nnviz.core.walkthrough import (
    Line,
    Num,
    Sym,
    Walkthrough,
    check_answer,
    expand_edges,
    format_value,
    trace_next_step,
)


def doc(inputs, layers, **rest):
    return {"format": "nnviz.model/1", "inputs": inputs, "layers": layers, **rest}


WORKED_221 = doc(2, [
    {"type": "dense", "units": 2, "activation": "relu", "weight": [[0.2, 0.4], [0.3, -0.5]], "bias": [0.1, -0.2]},
    {"type": "dense", "units": 1, "activation": "sigmoid", "weight": [[0.7, 0.6]], "bias": [0.05]}],
    loss="bce", optimizer={"name": "sgd", "lr": 0.5})
NEURON = doc(2, [{"type": "dense", "units": 1, "activation": "sigmoid", "weight": [[0.5, -0.2]], "bias": [0.1]}],
             loss="bce", optimizer={"name": "sgd", "lr": 0.1})


def walk(document, X, y, neurons=False, steps=0, **trainer):
    net = load_model(document)
    tr = Trainer(net, X, y, **trainer)
    tr.run(steps)
    trace, twin = trace_next_step(net, tr)
    return Walkthrough(trace, twin, neurons=neurons), net, tr


def texts(w, sample=0):
    return [w.calculation(i, sample).text() for i in range(len(w))]


@pytest.mark.parametrize("value, precision, text", [
    (0.5, 3, "0.5"), (-0.15, 3, "-0.15"), (1.0, 3, "1.0"), (0.0, 3, "0.0"), (-0.0, 3, "0.0"),
    (1 / (1 + math.exp(-0.4)), 3, "0.599"), (1 / (1 + math.exp(-0.4)), 6, "0.598688"), (4e-05, 3, "4e-05"),
    (-0.37754, 3, "-0.378"), (12.0, 0, "12"), (-1e-4, 3, "-1e-04"), (math.nan, 3, "nan")])
def test_format_value(value, precision, text):
    assert format_value(value, precision) == text


def test_worked_2_2_1_forward_lines():
    w, _, _ = walk(WORKED_221, [[1.0, 0.5]], [[1.0]])
    kinds = [op.kind for op in w.operations]
    assert kinds == ["z", "a", "z", "a", "loss", "da", "dz", "grad", "grad", "dx", "dz", "grad", "grad",
                     "update", "update", "update", "update"]
    z1, a1, z2, a2 = (w.calculation(i) for i in range(4))
    assert "z1[1] = 0.2*1.0 + 0.4*0.5 + 0.1 = 0.5" in z1.text()
    assert "z1[2] = 0.3*1.0 + (-0.5)*0.5 + (-0.2) = -0.15" in z1.text()
    assert z1.result.text() == "z1 = [0.5, -0.15]"
    assert a1.result.text() == "a1 = [0.5, 0.0]"
    assert z2.result.text() == "z2 = 0.4"
    assert a2.result.text() == "a2 = 0.599"  # sigmoid(0.4) = 0.598688 rounds to 0.599
    assert a2.result.text(6) == "a2 = 0.598688"
    np.testing.assert_allclose(a2.answer, [special.expit(0.4)], rtol=1e-15)


def test_single_neuron_numbers():
    w, _, _ = walk(NEURON, [[2.0, 3.0]], [[1.0]])
    calcs = {w.operations[i].kind: w.calculation(i) for i in range(len(w)) if w.operations[i].kind != "update"}
    assert calcs["z"].result.text() == "z1 = 0.5"
    assert "z1[1] = 0.5*2.0 + (-0.2)*3.0 + 0.1 = 0.5" in calcs["z"].text()
    assert calcs["a"].result.text() == "a1 = 0.622"
    assert calcs["loss"].result.text() == "L = 0.474"
    assert calcs["dz"].result.text() == "dL/dz1 = -0.378"
    assert "dL/dz1[1] = (0.622 − 1.0) / 1 = -0.378" in calcs["dz"].text()


def test_walkthrough_leaves_the_network_alone_and_matches_the_real_step():
    X = np.random.default_rng(1).normal(size=(7, 2))
    y = (X[:, 0] > 0).astype(float)
    d = {**WORKED_221, "layers": [{**WORKED_221["layers"][0], "activation": "tanh"}, WORKED_221["layers"][1]],
         "optimizer": {"name": "adam", "lr": 0.05}}
    w, net, tr = walk(d, X, y, batch_size=3, steps=2)
    before = net.flat_params.copy()
    assert net.step_count == 2 and np.array_equal(net.flat_params, before)
    real = tr.trace()
    np.testing.assert_array_equal(real.batch_indices, w.trace.batch_indices)
    for a, b in zip(real.layers, w.trace.layers):
        for key in ("z", "a", "dz"):
            assert np.array_equal(getattr(a, key), getattr(b, key))
        for name in a.params_after:
            assert np.array_equal(a.params_after[name], b.params_after[name])
    assert real.loss == w.trace.loss


def test_previous_then_next_gives_the_same_text():
    w, _, _ = walk(WORKED_221, [[1.0, 0.5]], [[1.0]])
    assert texts(w) == texts(w)
    assert [w.calculation(i).latex() for i in range(len(w))] == [w.calculation(i).latex() for i in range(len(w))]


def test_quiz_tolerance_is_one_unit_of_the_last_shown_place():
    p = special.expit(0.4)
    assert check_answer("0.598", p)[0]
    assert check_answer("0.599", p)[0]
    assert not check_answer("0.6", p)[0]
    assert not check_answer("0.597", p)[0]
    assert check_answer("0.6", p, precision=1)[0]
    right, message = check_answer("abc", p)
    assert not right and "'abc' is not a number" in message
    assert not check_answer("", p)[0]
    assert check_answer("0.5, -0.15", [0.5, -0.15])[0]
    right, message = check_answer("0.5", [0.5, -0.15])
    assert not right and "2 numbers" in message
    assert not check_answer("nan", p)[0]


def _evaluate(tokens) -> float:
    """The value of a substituted right-hand side, with the numbers at full precision."""
    text = ""
    for t in tokens:
        if isinstance(t, Num):
            text += f"({float(t.value)!r})"
        elif isinstance(t, Sym):
            raise ValueError("symbolic")
        else:
            text += t
    for a, b in (("−", "-"), ("·", "*"), ("²", "**2"), ("√", "sqrt"), ("[", "("), ("]", ")"),
                 ("ln", "log")):
        text = text.replace(a, b)
    names = {"relu": lambda v: max(v, 0.0), "sigmoid": special.expit, "tanh": math.tanh, "exp": math.exp,
             "log": math.log, "sqrt": math.sqrt, "max": max, "step": lambda v: float(v > 0),
             "sign": np.sign, "gelu": lambda v: v * special.ndtr(v), "identity": lambda v: v}
    return float(eval(text, {"__builtins__": {}}, names))  # the test's own generated formulas


LAYERS = [
    [{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 2, "activation": "relu"},
     {"type": "dense", "units": 2}],
    [{"type": "dense", "units": 3, "activation": "sigmoid"}, {"type": "dense", "units": 2, "activation": "softmax"}],
]
OPTIMIZERS = [{"name": "sgd", "lr": 0.1}, {"name": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
              {"name": "sgd", "lr": 0.1, "momentum": 0.9, "dampening": 0.2},
              {"name": "adam", "lr": 0.01}, {"name": "adam", "amsgrad": True, "weight_decay": 0.1},
              {"name": "adamw", "lr": 0.01}, {"name": "adagrad", "lr_decay": 0.1, "weight_decay": 0.1},
              {"name": "rmsprop"}, {"name": "rmsprop", "momentum": 0.5, "centered": True}]


@pytest.mark.parametrize("layers, optimizer", list(itertools.product(range(len(LAYERS)), range(len(OPTIMIZERS)))))
def test_every_substituted_line_evaluates_to_its_result(layers, optimizer):
    X = np.random.default_rng(3).normal(size=(3, 2))
    y = np.array([0, 1, 1])
    loss = "cross_entropy" if layers == 1 else "mse"
    targets = y if layers == 1 else np.column_stack([y, 1 - y]).astype(float)
    d = doc(2, LAYERS[layers], loss=loss, optimizer=OPTIMIZERS[optimizer], regularization={"l2": 0.01})
    w, _, _ = walk(d, X, targets, steps=2)
    checked = 0
    for i, sample in itertools.product(range(len(w)), range(3)):
        calc = w.calculation(i, sample)
        for line in calc.lines:
            if not line.rhs or line.result is None or any(isinstance(t, Sym) for t in line.rhs):
                continue
            if any(isinstance(t, str) and ("Σ" in t or "…" in t) for t in line.rhs):
                continue
            assert _evaluate(line.rhs) == pytest.approx(line.result, rel=1e-9, abs=1e-12), line.text(9)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize("optimizer", range(len(OPTIMIZERS)))
def test_update_terms_are_the_optimizers_own(optimizer):
    X = np.random.default_rng(4).normal(size=(4, 2))
    y = X[:, :1] * 2
    d = doc(2, [{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}],
            optimizer=OPTIMIZERS[optimizer])
    w, net, tr = walk(d, X, y, steps=3)
    state_before = {k: v.copy() for k, v in net.optimizer.state.items()}
    tr.step()  # the real step: its state is what the walkthrough showed
    for i, op in enumerate(w.operations):
        if op.kind != "update":
            continue
        name = f"layers[{op.layer}].{op.param}"
        terms = w.calculation(i).terms
        piece = net.param_slices[name]
        np.testing.assert_array_equal(terms["after"], net.get(name))
        for term, column in {"exp_avg": "m", "exp_avg_sq": "v", "momentum_buffer": "momentum buffer",
                             "sum": "sum", "square_avg": "square avg", "grad_avg": "grad avg",
                             "max_exp_avg_sq": "max v"}.items():
            if term in net.optimizer.state:
                np.testing.assert_array_equal(terms[column].ravel(), net.optimizer.state[term][piece])
                assert not np.array_equal(state_before[term][piece], net.optimizer.state[term][piece])
        if "bias_correction1" in terms:
            t = net.step_count
            assert terms["bias_correction1"] == 1 - net.optimizer.betas[0] ** t
            np.testing.assert_allclose(terms["m_hat"].ravel(), net.optimizer.state["exp_avg"][piece] / (1 - 0.9 ** t),
                                       rtol=1e-15)
        assert terms["lr"] == net.optimizer.last["lr"]


def test_neuron_by_neuron_splits_layer_operations():
    w, _, _ = walk(WORKED_221, [[1.0, 0.5]], [[1.0]], neurons=True)
    z_ops = [(i, op) for i, op in enumerate(w.operations) if op.kind == "z" and op.layer == 0]
    assert [op.unit for _, op in z_ops] == [0, 1]
    first = w.calculation(z_ops[0][0])
    assert first.result.text() == "z1[1] = 0.5" and first.table.highlight_row == 1
    assert [line.text() for line in first.lines] == ["z1[1] = 0.2*1.0 + 0.4*0.5 + 0.1 = 0.5"]
    assert {(r.kind, r.column, r.unit) for r in first.writes} == {("node", 1, 0)}
    assert set(expand_edges(first.reads, [2, 2, 1])) == {(1, 0, 0), (1, 0, 1)}


def test_reads_and_writes_of_a_layer():
    w, _, _ = walk(WORKED_221, [[1.0, 0.5]], [[1.0]])
    z1 = w.calculation(0)
    assert len(expand_edges(z1.reads, [2, 2, 1])) == 4 and len(expand_edges(z1.reads, [2, 2, 1], limit=3)) == 0
    assert {(r.column, r.unit) for r in z1.reads if r.kind == "node"} == {(0, 0), (0, 1)}
    assert {(r.column, r.unit) for r in z1.writes} == {(1, 0), (1, 1)}
    dx = w.calculation([op.kind for op in w.operations].index("dx"))
    assert {(r.column, r.unit) for r in dx.writes} == {(1, 0), (1, 1)}


def test_weight_table_cells_name_what_they_edit():
    w, _, _ = walk(NEURON, [[2.0, 3.0]], [[1.0]])
    table = w.calculation(0).table
    assert table.values[1, :3].tolist() == [0.5, -0.2, 0.1]
    assert table.edits[(1, 0)].name == "layers[0].weight" and table.edits[(1, 0)].index == (0, 0)
    assert table.edits[(0, 1)].kind == "input" and table.edits[(0, 1)].index == (0, 1)
    loss = w.calculation(2).table
    assert [e.kind for e in loss.edits.values()] == ["target"]


def test_whole_batch_shows_means_and_a_row_per_sample():
    X = np.array([[1.0, 0.5], [0.0, 1.0], [2.0, -1.0]])
    w, _, _ = walk(WORKED_221, X, [[1.0], [0.0], [1.0]])
    calc = w.calculation(0, None)
    np.testing.assert_allclose(calc.result.result, w.trace.layers[0].z.mean(axis=0))
    assert calc.table.rows[-1] == "mean" and calc.table.values.shape[0] == 3 + 1
    loss = w.calculation(4, None)
    assert loss.result.result == pytest.approx(w.trace.loss)
    assert _evaluate(loss.result.rhs) == pytest.approx(w.trace.loss, rel=1e-12)


def test_softmax_shows_the_stable_shift():
    d = doc(2, [{"type": "dense", "units": 3, "activation": "softmax", "weight": [[2, 1], [1, 3], [0, 0]],
                 "bias": [0, 0, 0]}], loss="cross_entropy")
    w, _, _ = walk(d, [[1.0, 1.0]], [1])
    text = w.calculation(1).text()
    assert "m = max(3.0, 4.0, 0.0) = 4.0" in text
    assert "e[1] = exp(3.0 − 4.0) = 0.368" in text
    loss = w.calculation(2).text()
    assert "−ln(p[2])" in loss


def test_perceptron_trace_and_operations():
    d = doc(2, [{"type": "dense", "units": 1, "activation": "step", "init": "zeros"}],
            optimizer={"name": "perceptron", "lr": 1.0})
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    w, net, tr = walk(d, X, [0, 0, 0, 1], batch_size=4, shuffle=False, steps=1)
    records = w.trace.perceptron
    assert len(records) == 4
    weight = net.layers[0].weight.copy()
    bias = net.layers[0].bias.copy()
    for rec, x, target in zip(records, np.array(X, float), [0, 0, 0, 1]):
        z = weight @ x + bias
        out = float(z[0] > 0)
        assert rec["output"][0] == out and rec["error"][0] == target - out
        weight += (target - out) * x
        bias += target - out
        assert np.array_equal(rec["weight_after"], weight) and np.array_equal(rec["bias_after"], bias)
    ops = [op.kind for op in w.operations]
    assert ops == ["z", "a", "perceptron", "perceptron", "perceptron", "perceptron"]  # the rule uses no loss
    assert "Misclassified in this batch" in w.calculation(2).text()


def test_latex_is_an_align_block():
    w, _, _ = walk(WORKED_221, [[1.0, 0.5]], [[1.0]])
    latex = w.calculation(0).latex()
    assert latex.startswith("\\begin{align*}") and latex.rstrip().endswith("\\end{align*}")
    assert "z^{(1)}_{1} &= 0.2 \\cdot 1.0 + 0.4 \\cdot 0.5 + 0.1 &= 0.5" not in latex  # one & per row
    assert "z^{(1)}_{1} &= 0.2 \\cdot 1.0 + 0.4 \\cdot 0.5 + 0.1 = 0.5" in latex


def test_trace_records_derivative_and_state_before():
    net = load_model({**WORKED_221, "optimizer": {"name": "adam"}})
    tr = Trainer(net, [[1.0, 0.5]], [[1.0]])
    first = tr.trace()
    second = tr.trace()
    for key in first.optimizer_state:
        for name in first.optimizer_state[key]:
            assert np.array_equal(second.optimizer_state_before[key][name], first.optimizer_state[key][name])
    hidden = second.layers[0]
    np.testing.assert_array_equal(hidden.dadz, (hidden.z > 0).astype(float))
    out = second.layers[1]
    np.testing.assert_allclose(out.dadz, out.a * (1 - out.a), rtol=1e-15)


def test_line_text_hides_the_result_for_the_quiz():
    line = Line((Sym("z", "z"),), (Num(0.2), "*", Num(-1.0, True)), -0.2)
    assert line.text() == "z = 0.2*(-1.0) = -0.2"
    assert line.text(hide_result=True) == "z = 0.2*(-1.0) = ?"


@pytest.mark.parametrize("optimizer", [0, 1, 2, 4, 5, 7, 9])
def test_latex_is_plain_ascii_and_balanced(optimizer):
    X = np.random.default_rng(5).normal(size=(3, 2))
    d = doc(2, [{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "batchnorm"},
                {"type": "dense", "units": 2, "activation": "softmax"}], loss="cross_entropy",
            optimizer=OPTIMIZERS[optimizer])
    w, _, _ = walk(d, X, [0, 1, 1], steps=1)
    for i in range(len(w)):
        latex = w.calculation(i).latex()
        assert latex.isascii(), latex  # pdflatex takes no Greek or combining characters
        assert latex.count("{") == latex.count("}"), latex
        assert not re.search(r"\\sqrt[^{]", latex), latex  # \sqrt takes a braced argument
        assert not re.search(r"\^\{[^}]*\}\^", latex), latex  # no double superscript
        assert "e-0" not in latex and "e+0" not in latex  # 1e-05 is written as 1 \times 10^{-5}
