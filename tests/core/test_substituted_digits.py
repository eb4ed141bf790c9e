"""Substituted lines compute from the digits they show: a learner who redoes a line with a
calculator, from the numbers as written, gets the result as written (the line writes its numbers
with the extra digits that takes, and says ≈ if nothing would do)."""

import ast
import itertools
import math
import operator
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import special

from nnviz.core import Trainer, load_model
from nnviz.core.formula import MAX_EXTRA_DIGITS, Line, Num, Sym, dot, evaluate
from nnviz.core.numbers import format_value
from nnviz.core.walkthrough import Walkthrough, trace_next_step

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}
_NAMES = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sqrt": math.sqrt, "max": max, "abs": abs,
          "sigmoid": special.expit, "relu": lambda v: max(v, 0.0), "step": lambda v: float(v > 0),
          "identity": lambda v: v}


def by_hand(text: str) -> float:
    """What a calculator gives for the written right-hand side (the test's own reading of the text,
    walked as a Python syntax tree of numbers, operators and a few functions; nothing else runs)."""
    text = re.sub(r"√(\d[\d.]*(?:e[+-]?\d+)?)", r"sqrt(\1)", text)
    for old, new in (("−", "-"), ("·", "*"), ("²", "**2"), ("[", "("), ("]", ")"), ("ln(", "log(")):
        text = text.replace(old, new)

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.BinOp):
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp):
            return _OPERATORS[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return float(_NAMES[node.func.id](*[walk(arg) for arg in node.args]))
        raise ValueError(f"not arithmetic: {ast.dump(node)}")

    return walk(ast.parse(text, mode="eval"))


def check_shown(line: Line, precision: int) -> None:
    """The line as written: its right-hand side, computed from the written digits, rounds to the
    written result. Only a result lost to cancellation (smaller than the last digit the numbers
    can be written with), or one on a rounding boundary of the display (the digits compute the same
    number to the last bits, -0.005 against -0.004999999999999999, yet it shows as -0.01 and the
    result as -5e-03), may say ≈ instead."""
    text = line.text(precision)
    if " ≈ " in text:
        recomputed = line.recompute(precision, MAX_EXTRA_DIGITS)
        if recomputed is not None and math.isclose(recomputed, line.result, rel_tol=1e-12):
            return
        # Each written number is off by up to half its last digit, 10^-(precision + extra); a small
        # result is shown in scientific notation to about 10^-(precision - 1) of itself, so the digits
        # resolve it only when it exceeds those errors by that factor.
        numbers = [abs(t.value) for t in line.rhs if isinstance(t, Num)]
        last_digit = max(numbers) * len(numbers) * 10.0 ** -(precision + MAX_EXTRA_DIGITS)
        assert abs(line.result) < last_digit * 10.0 ** max(precision - 1, 1), text
        return
    lhs, *middle, result = text.split(" = ")
    assert format_value(by_hand(middle[-1]), precision) == result, text


finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
small = st.floats(-1, 1, allow_nan=False, allow_infinity=False)
precisions = st.integers(1, 6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(small, finite), min_size=1, max_size=6), finite, precisions)
def test_a_weighted_sum_computes_from_its_digits(pairs, b, precision):
    w, x = np.array(pairs).T
    z = float(np.dot(w, x) + b)
    check_shown(Line((Sym("z1[1]", "z"),), dot(w, x) + (" + ", Num(b, True)), z), precision)


@settings(max_examples=300, deadline=None)
@given(finite, small, precisions)
def test_a_backward_product_computes_from_its_digits(da, derivative, precision):
    check_shown(Line((Sym("dL/dz1[1]", "d"),), (Num(da), "*", Num(derivative, True)), da * derivative), precision)


@settings(max_examples=300, deadline=None)
@given(finite, st.floats(1e-4, 1.0), finite, precisions)
@example(before=1.0, lr=1.0, grad=0.9999999850988388, precision=2)  # 1.5e-08 left of 1 − 0.99999999
def test_an_sgd_update_computes_from_its_digits(before, lr, grad, precision):
    check_shown(Line((Sym("W1[1,1]", "W"),), (Num(before), " − ", Num(lr), "*", Num(grad, True)),
                     before - lr * grad), precision)


@settings(max_examples=200, deadline=None)
@given(small, st.floats(1e-3, 1.0), st.floats(1e-9, 1e-2), precisions)
def test_an_adam_update_computes_from_its_digits(before, m_hat, v_hat, precision):
    lr, eps = 0.001, 1e-8
    after = before - lr * m_hat / (math.sqrt(v_hat) + eps)
    check_shown(Line((Sym("W1[1,1]", "W"),), (Num(before), " − ", Num(lr), "*", Num(m_hat, True), " / (√",
                                              Num(v_hat), " + ", Num(eps), ")"), after), precision)


def test_the_issue_example_shows_the_digit_it_needs():
    line = Line((Sym("dL/dz1[1]", "d"),), (Num(-0.37776), "*", Num(3.0, True)), -0.37776 * 3.0)
    assert line.text() == "dL/dz1[1] = -0.3778*3.0 = -1.133"  # not -0.378*3.0 = -1.133 (that is -1.134)
    assert line.extra_digits(3) == 1


def test_a_line_that_does_not_compute_says_so():
    wrong = Line((Sym("z", "z"),), (Num(0.5), " + ", Num(0.25)), 1.0)  # 0.75, whatever the digits
    assert wrong.extra_digits(3) is None and wrong.text() == "z = 0.5 + 0.25 ≈ 1.0"
    words = Line((Sym("g", "g"),), ("Σ over 10 samples",), 0.123456)
    assert words.extra_digits(3) == 0 and words.text() == "g = Σ over 10 samples = 0.123"


@pytest.mark.parametrize("text, value", [
    ("0.2*1.0 + 0.4*0.5 + 0.1", 0.5), ("−[1.0·ln(0.5) + (1 − 1.0)·ln(1 − 0.5)]", math.log(2)),
    ("(0.5 − (-1.5))²", 4.0), ("|0.25 − 1.0|", 0.75), ("√4.0 + 1e-08", 2.00000001), ("max(1.0, -2.0, 3.5)", 3.5),
    ("2·(0.4 − 0.1) / 4", 0.15), ("-(-2.0)", 2.0)])
def test_evaluate_reads_the_written_operators(text, value):
    assert evaluate(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["a + 1", "0.5 + …", "1.0 / 0.0", "ln(0.0)", "(0.5", "0.5 0.5", "relu(2.0)"])
def test_evaluate_refuses_what_is_not_arithmetic(text):
    assert evaluate(text) is None


LAYERS = {
    "tanh-relu-linear": ([{"type": "dense", "units": 3, "activation": "tanh"},
                          {"type": "dense", "units": 2, "activation": "relu"}, {"type": "dense", "units": 2}], "mse"),
    "softmax": ([{"type": "dense", "units": 3, "activation": "sigmoid"},
                 {"type": "dense", "units": 3, "activation": "softmax"}], "cross_entropy"),
    "batchnorm-dropout": ([{"type": "dense", "units": 3, "activation": "relu"}, {"type": "batchnorm"},
                           {"type": "dropout", "p": 0.5}, {"type": "dense", "units": 1, "activation": "sigmoid"}],
                          "bce"),
}
OPTIMIZERS = [{"name": "sgd", "lr": 0.1, "momentum": 0.9}, {"name": "adam", "lr": 0.01},
              {"name": "rmsprop", "momentum": 0.5, "centered": True}, {"name": "adagrad"}]


@pytest.mark.parametrize("layers, optimizer", list(itertools.product(LAYERS, range(len(OPTIMIZERS)))))
def test_every_substituted_line_of_a_step_computes_from_its_digits(layers, optimizer):
    spec, loss = LAYERS[layers]
    X = np.random.default_rng(5).normal(size=(3, 2))
    y = np.array([0, 1, 2]) if loss == "cross_entropy" else np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    if loss == "bce":
        y = y[:, :1]
    net = load_model({"format": "nnviz.model/1", "inputs": 2, "layers": spec, "loss": loss, "seed": 2,
                      "optimizer": OPTIMIZERS[optimizer], "regularization": {"l2": 0.01}})
    trainer = Trainer(net, X, y)
    trainer.run(2)
    walk = Walkthrough(*trace_next_step(net, trainer))
    checked = 0
    for index, sample, precision in itertools.product(range(len(walk)), range(3), (2, 3, 4)):
        calc = walk.calculation(index, sample)
        for line in calc.lines + (calc.result,):
            if not line.rhs or line.trivial or np.ndim(line.result) != 0 or line.recompute(precision) is None:
                continue
            check_shown(line, precision)
            checked += 1
    assert checked > 100
