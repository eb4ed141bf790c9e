"""Typeset maths: every formula the step-through can show is typeset (no plain-text fallback) for every
built-in layer, activation, loss and optimizer; a repeated formula comes from the cache; a dark
palette gets light glyphs; the lesson pane's inline maths is typeset too."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PySide6 import QtGui, QtWidgets

from nnviz.core import Trainer, load_model
from nnviz.core.activations import ACTIVATIONS
from nnviz.core.examples import example_files, load_example
from nnviz.core.layers import LAYERS
from nnviz.core.lessons import split_maths
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.walkthrough import Walkthrough, trace_next_step
from nnviz.gui import maths
from nnviz.gui.lesson_pane import LessonPane, inline_maths, plain_maths
from nnviz.gui.panels.calculation import CalculationPanel

X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.5]])
LABELS = np.array([0, 1, 1])


def document(layers, loss="mse", optimizer=None, **rest):
    return {"format": "nnviz.model/1", "inputs": 2, "seed": 3, "layers": layers, "loss": loss,
            "optimizer": optimizer or {"name": "sgd", "lr": 0.1}, **rest}


def targets(loss: str, outputs: int):
    kind = LOSSES[loss].targets
    if kind == "classes":
        return LABELS
    if kind == "binary":
        return LABELS.reshape(-1, 1).astype(float) if outputs == 1 else np.eye(outputs)[LABELS % outputs]
    return np.column_stack([X[:, 0] * 0.5 + k for k in range(outputs)])


def output_layer(loss: str) -> list[dict]:
    kind = LOSSES[loss].targets
    if kind == "classes":
        return [{"type": "dense", "units": 3, "activation": "softmax"}]
    if kind == "binary":
        return [{"type": "dense", "units": 1, "activation": "sigmoid"}]
    return [{"type": "dense", "units": 1}]


def optimizer_variants():
    """Every built-in optimizer, with each of its on/off options turned on, and momentum."""
    for name, cls in OPTIMIZERS.items():
        yield {"name": name}
        for option, (kind, default) in cls.OPTIONS.items():
            if kind == "bool":
                yield {"name": name, option: True, **({"momentum": 0.9} if option == "nesterov" else {})}
            elif option == "momentum":
                yield {"name": name, "momentum": 0.9}
            elif option == "weight_decay" and not default:
                yield {"name": name, "weight_decay": 0.01}


def layer_variants():
    """Every built-in layer (each choice of its choice options) between two dense layers."""
    for kind, cls in LAYERS.items():
        options = [{}]
        for option, (spec, _) in cls.OPTIONS.items():
            if spec.startswith("choice:"):
                options = [{option: choice} for choice in spec.removeprefix("choice:").split(",")]
        for extra in options:
            layer = {"type": kind, **extra}
            if "units" in cls.OPTIONS:
                layer["units"] = 2
            yield layer


def networks():
    """(document, targets) of small networks that, together, take every built-in kind through a step."""
    for layer in layer_variants():
        yield document([{"type": "dense", "units": 2, "activation": "tanh"}, layer,
                        {"type": "dense", "units": 1}]), targets("mse", 1)
    for activation in ACTIVATIONS:
        if activation in ("softmax", "step"):
            continue  # softmax is an output's (below), step the perceptron's
        yield document([{"type": "dense", "units": 2, "activation": activation}, {"type": "dense", "units": 1}],
                       regularization={"l2": 0.01}), targets("mse", 1)
    for loss in LOSSES:
        yield document([{"type": "dense", "units": 2, "activation": "relu"}, *output_layer(loss)], loss=loss,
                       regularization={"l1": 0.01}), targets(loss, 3 if LOSSES[loss].targets == "classes" else 1)
    for optimizer in optimizer_variants():
        if optimizer["name"] == "perceptron":
            yield document([{"type": "dense", "units": 1, "activation": "step"}], optimizer=optimizer), \
                LABELS.reshape(-1, 1).astype(float)
        else:
            yield document([{"type": "dense", "units": 2, "activation": "sigmoid"}, {"type": "dense", "units": 1}],
                           optimizer=optimizer), targets("mse", 1)


def walkthrough(doc, y, neurons=False) -> Walkthrough:
    net = load_model(doc)
    trainer = Trainer(net, X, y, batch_size=len(X))
    trainer.run(1)  # optimizer state that is not all zeros
    trace, twin = trace_next_step(net, trainer)
    return Walkthrough(trace, twin, neurons=neurons)


def image_count(panel: CalculationPanel) -> int:
    """The pictures in the calculation area, as its document holds them."""
    count = 0
    block = panel.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().isImageFormat():
                count += len(fragment.text())
            it += 1
        block = block.next()
    return count


def test_every_walkthrough_formula_is_typeset_for_every_builtin_kind(qtbot):
    """Every operation of a step through networks that use every built-in layer, activation, loss and
    optimizer: the formula and the formula with the numbers are all pictures, none fell back to text."""
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    maths.clear_cache()
    kinds = {"layer": set(), "activation": set(), "loss": set(), "optimizer": set()}
    shown = 0
    for doc, y in networks():
        walk = walkthrough(doc, y)
        net = walk.net
        kinds["layer"] |= {layer.type for layer in net.layers}
        kinds["activation"] |= {layer.activation.name for layer in net.layers}
        kinds["loss"].add(net.loss.name)
        kinds["optimizer"].add(net.optimizer.name)
        for i in range(len(walk)):
            calc = walk.calculation(i, 0)
            panel.show_calculation(calc)
            lines = [*calc.formula, *calc.lines, calc.result]
            maths_lines = [line for line in lines if not "".join(map(str, line.lhs)).startswith("…")]
            assert maths.fallbacks() == [], calc.title
            assert image_count(panel) == len(maths_lines) > 0, calc.title
            for line in maths_lines:  # each line's plain text is what its picture shows
                assert line.text(panel.precision) in panel.shown_text()
            shown += 1
    assert kinds == {"layer": set(LAYERS), "activation": set(ACTIVATIONS), "loss": set(LOSSES),
                     "optimizer": set(OPTIMIZERS)}
    assert shown > 300


def test_the_whole_batch_neuron_by_neuron_and_the_quiz_are_typeset_too(qtbot):
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    maths.clear_cache()
    doc = document([{"type": "dense", "units": 2, "activation": "relu"}, {"type": "batchnorm"},
                    {"type": "dense", "units": 3, "activation": "softmax"}], loss="cross_entropy",
                   optimizer={"name": "adam"})
    for neurons in (False, True):
        walk = walkthrough(doc, LABELS, neurons=neurons)
        for i in range(len(walk)):
            for sample, hide in ((None, False), (1, True)):
                panel.show_calculation(walk.calculation(i, sample), hide_result=hide)
                assert maths.fallbacks() == []
                assert image_count(panel) >= 2
                if hide:
                    assert "= ?" in panel.shown_text()
    assert walk.neurons


def test_a_repeated_formula_comes_from_the_cache(qtbot):
    maths.clear_cache()
    first = maths.typeset(r"\frac{\partial L}{\partial z^{(1)}} = 0.25", size=18, colour="#202020", scale=1)
    info = maths.cache_info()
    assert (info.hits, info.misses) == (0, 1)
    again = maths.typeset(r"\frac{\partial L}{\partial z^{(1)}} = 0.25", size=18, colour="#202020", scale=1)
    assert again is first and maths.cache_info().hits == 1
    maths.typeset(r"\frac{\partial L}{\partial z^{(1)}} = 0.25", size=18, colour="#ffffff", scale=1)
    assert maths.cache_info().misses == 2  # another colour is another picture
    # a fraction over a superscript is taller than one line of text, and wider than tall
    assert first.height() > 30 and first.width() > first.height()


def test_stepping_back_draws_from_the_cache(qtbot):
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    walk = walkthrough(document([{"type": "dense", "units": 2, "activation": "tanh"}, {"type": "dense", "units": 1}]),
                       targets("mse", 1))
    panel.show_calculation(walk.calculation(0, 0))
    panel.show_calculation(walk.calculation(1, 0))
    misses, html = maths.cache_info().misses, maths.html_cache_info()
    panel.show_calculation(walk.calculation(0, 0))
    assert maths.cache_info().misses == misses  # nothing typeset again
    again = maths.html_cache_info()
    assert again.misses == html.misses and again.hits >= html.hits + len(walk.calculation(0, 0).lines)


def _glyph_lightness(image: QtGui.QImage) -> float:
    """The mean lightness of the glyphs' solid pixels (alpha above 200) of a picture."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_ARGB32)
    values = [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]
    solid = [c.lightnessF() for c in values if c.alpha() > 200]
    assert len(solid) > 20, "the formula draws glyphs"
    return float(np.mean(solid))


def test_the_palette_colours_the_glyphs(desktop):
    image = maths.typeset(r"z^{(1)}_{1} = 0.2 \cdot 1.0 + 0.4 \cdot 0.5 + 0.1 = 0.5", size=20, scale=1)
    lightness = _glyph_lightness(image)
    assert lightness > 0.8 if desktop == "dark" else lightness < 0.2


def test_the_calculation_panel_reads_on_a_dark_palette(desktop, qtbot):
    """The panel as drawn: its formulas (typeset or plain) are light on a dark desktop, dark on a light one."""
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    walk = walkthrough(document([{"type": "dense", "units": 2, "activation": "tanh"}, {"type": "dense", "units": 1}]),
                       targets("mse", 1))
    for typeset in (True, False):
        panel.typeset.setChecked(typeset)
        panel.show_calculation(walk.calculation(0, 0))
        image = panel.browser.viewport().grab().toImage().convertToFormat(QtGui.QImage.Format.Format_ARGB32)
        base = panel.browser.palette().color(QtGui.QPalette.ColorRole.Base)
        ink = [image.pixelColor(x, y).lightnessF() for y in range(0, image.height(), 2)
               for x in range(0, image.width(), 2)
               if abs(image.pixelColor(x, y).lightnessF() - base.lightnessF()) > 0.5]
        assert len(ink) > 50, f"typeset={typeset}: text is drawn, apart from the background"
        dark = desktop == "dark"
        assert (base.lightnessF() < 0.5) == dark
        assert (np.mean(ink) > 0.5) == dark, f"typeset={typeset}"


def test_a_formula_that_cannot_be_typeset_falls_back_to_its_plain_text(qtbot):
    maths.clear_cache()
    result = maths.render(r"\nosuchcommand{x} + 1", size=16)
    assert result.image is None and "nosuchcommand" in result.error
    assert [latex for latex, _ in maths.fallbacks()] == [r"\nosuchcommand{x} + 1"]
    with pytest.raises(maths.TypesetError):
        maths.typeset(r"\nosuchcommand{x} + 1")
    fragment = maths.inline_html(r"\nosuchcommand{x} + 1", plain="x + 1")
    assert "<img" not in fragment and "x + 1" in fragment
    assert inline_maths(r"\nosuchcommand{x} + 1") == plain_maths(r"\nosuchcommand{x} + 1")


def test_lesson_maths_is_typeset(qtbot):
    """Every piece of inline maths in the shipped lessons and exercises is typeset; the pane shows them
    as pictures."""
    maths.clear_cache()
    pieces = set()

    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    for key in example_files():
        for text in strings(load_example(key)):
            pieces |= {piece for is_maths, piece in split_maths(text) if is_maths}
    assert len(pieces) > 20
    for piece in sorted(pieces):
        assert "<img" in inline_maths(piece), piece
    assert maths.fallbacks() == []

    pane = LessonPane()
    qtbot.addWidget(pane)
    pane.open(load_example("perceptron-accept"))
    pictures = 0
    for step in range(pane.step_count):
        pane.show_step(step)
        pictures += pane.step_view.toHtml().count("data:image/png;base64,")
    assert pictures > 0 and maths.fallbacks() == []


def test_the_typeset_toggle_shows_plain_text_with_numbers_in_full(qtbot):
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    walk = walkthrough(document([{"type": "dense", "units": 2, "activation": "tanh"}, {"type": "dense", "units": 1}]),
                       targets("mse", 1))
    calc = walk.calculation(0, 0)
    panel.show_calculation(calc)
    assert image_count(panel) > 0
    lines = [line.text(3) for line in calc.lines]
    assert all(line in panel.shown_text() for line in lines)
    assert all(line not in panel.browser.toPlainText() for line in lines)  # pictures, not text
    panel.typeset.setChecked(False)
    assert image_count(panel) == 0
    assert all(line in panel.browser.toPlainText() for line in lines)
    assert panel.shown_text() == panel.browser.toPlainText()
    assert isinstance(panel.typeset, QtWidgets.QCheckBox) and panel.typeset.accessibleName() == "Typeset maths"


def test_without_ziamath_the_panel_shows_plain_text(qtbot, monkeypatch):
    """A broken install (or bundle): every formula falls back, and the panel shows the plain text."""
    panel = CalculationPanel()
    qtbot.addWidget(panel)
    calc = walkthrough(document([{"type": "dense", "units": 2, "activation": "tanh"}, {"type": "dense", "units": 1}]),
                       targets("mse", 1)).calculation(0, 0)
    maths.clear_cache()
    monkeypatch.setitem(sys.modules, "ziamath", None)  # import ziamath raises ImportError
    try:
        panel.show_calculation(calc)
        assert maths.fallbacks() and all("ziamath" in reason for _, reason in maths.fallbacks())
        assert image_count(panel) == 0
        assert all(line.text(3) in panel.browser.toPlainText() for line in calc.lines)
    finally:
        maths.clear_cache()  # no failure kept for the tests after this one


def test_the_next_operation_is_typeset_ahead(qtbot):
    """The step-through typesets the next operation's formulas while the reader reads this one: going
    there typesets nothing new."""
    from nnviz.core.walkthrough import walk_next_step
    from nnviz.gui.panels.stepper import StepperPanel

    net = load_model(document([{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}],
                              optimizer={"name": "adam"}))
    trainer = Trainer(net, X, targets("mse", 1), batch_size=len(X))
    state = walk_next_step(net, trainer)
    maths.clear_cache()
    stepper = StepperPanel()
    qtbot.addWidget(stepper)
    stepper.resize(900, 400)
    stepper.show_walk(state)
    panel = stepper.calculation
    assert panel.prefetching()
    qtbot.waitUntil(lambda: not panel.prefetching(), timeout=30000)
    misses = maths.html_cache_info().misses
    stepper.go(1)
    assert image_count(panel) > 0 and maths.html_cache_info().misses == misses


def test_a_drawing_over_its_budget_shows_text_at_once_and_the_formulas_soon_after(qtbot):
    """The window stays responsive: a drawing that would typeset longer than its budget shows the rest
    of its lines as plain text at once, typesets them in the idle time after, and draws them typeset."""
    maths.clear_cache()
    walk = walkthrough(document([{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}],
                                optimizer={"name": "adam"}), targets("mse", 1))
    calc = walk.calculation(len(walk) - 1, 0)  # the update: many lines
    panel = CalculationPanel(draw_budget=0.0)
    qtbot.addWidget(panel)
    panel.show_calculation(calc)
    lines = [line for line in (*calc.formula, *calc.lines, calc.result)
             if not "".join(map(str, line.lhs)).startswith("…")]
    assert image_count(panel) == 0 and panel.prefetching()  # nothing typeset yet: the text stands in
    for line in lines:
        assert line.text(panel.precision) in panel.shown_text()
    qtbot.waitUntil(lambda: image_count(panel) == len(lines), timeout=30000)
    assert not panel.prefetching() and maths.fallbacks() == []
    for line in lines:
        assert line.text(panel.precision) in panel.shown_text()
