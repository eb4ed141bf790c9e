"""The core's display texts are marked for translation (``QT_TRANSLATE_NOOP("", …)``), without Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import Trainer, load_model
from nnviz.core.activations import ACTIVATIONS
from nnviz.core.datasets import DATASETS
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.layers import LAYERS
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.schedules import SCHEDULES
from nnviz.core.text import QT_TRANSLATE_NOOP
from nnviz.core.walkthrough import Walkthrough, trace_next_step

CORE = Path(__file__).resolve().parents[2] / "nnviz" / "core"
REGISTRIES = {"activation": ACTIVATIONS, "initializer": INITIALIZERS, "layer": LAYERS, "loss": LOSSES,
              "optimizer": OPTIMIZERS, "schedule": SCHEDULES}


def marked_texts() -> set[str]:
    """Every literal written ``QT_TRANSLATE_NOOP("", "…")`` in nnviz/core (what pyside6-lupdate extracts)."""
    found = set()
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "QT_TRANSLATE_NOOP":
                context, text = node.args
                assert context.value == "", f"{path.name}:{node.lineno}: a context other than the empty one"
                found.add(text.value)
    return found


def test_the_marker_gives_the_text_itself():
    assert QT_TRANSLATE_NOOP("", "ReLU: max(0, z)") == "ReLU: max(0, z)"


@pytest.mark.parametrize("what", sorted(REGISTRIES))
def test_every_kind_s_tooltip_and_option_tips_are_marked(what):
    """A kind added without marking its tooltip would show in English in a translated window."""
    marked = marked_texts()
    shown = []
    for cls in REGISTRIES[what].values():
        shown.append(cls.tooltip)
        shown += list(getattr(cls, "OPTION_TIPS", {}).values()) + list(getattr(cls, "VARIANT_TIPS", {}).values())
    unmarked = sorted(text for text in shown if text and text not in marked)
    assert not unmarked, f"{what} texts not marked QT_TRANSLATE_NOOP: {unmarked}"


def test_the_naive_softmax_s_own_tooltip_is_marked():
    naive = ACTIVATIONS["softmax"](stable=False)
    assert naive.tooltip != ACTIVATIONS["softmax"].tooltip
    assert naive.tooltip in marked_texts()


def test_every_built_in_data_set_s_description_is_marked():
    marked = marked_texts()
    assert not sorted(spec.description for spec in DATASETS.values() if spec.description not in marked)


def test_every_activation_s_backward_note_is_marked():
    marked = marked_texts()
    notes = [cls.backward_note for cls in ACTIVATIONS.values() if cls.backward_note]
    assert notes and not sorted(note for note in notes if note not in marked)


def _step_through_notes(layers, loss, optimizer, y, steps=1):
    """Every note the step-through shows for the next step of a 2-input model, per sample and whole batch."""
    net = load_model({"format": "nnviz.model/1", "inputs": 2, "layers": layers, "loss": loss, "optimizer": optimizer})
    trainer = Trainer(net, [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]], y, seed=1)
    trainer.run(steps)
    walk = Walkthrough(*trace_next_step(net, trainer))
    return [note for i in range(len(walk)) for sample in (0, None) for note in walk.calculation(i, sample).notes]


TANH_LINEAR = [{"type": "dense", "units": 2, "activation": "tanh"}, {"type": "dense", "units": 1}]
OPTIMIZER_CASES = [
    {"name": "sgd", "lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
    {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True},
    {"name": "adam", "lr": 0.01, "amsgrad": True, "weight_decay": 0.01},
    {"name": "adamw", "lr": 0.01},
    {"name": "rmsprop", "lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.01},
    {"name": "adagrad", "lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.01},
]
LOSS_CASES = [(loss, activation, units) for loss in ("mse", "mae", "huber") for activation in ("identity", "sigmoid")
              for units in (1,)] + [
    (loss, activation, units) for loss in ("bce", "focal") for activation in ("sigmoid", "identity") for units in (1, 2)
] + [("cross_entropy", activation, 3) for activation in ("softmax", "identity")]


@pytest.mark.parametrize("optimizer", OPTIMIZER_CASES, ids=lambda o: "-".join(map(str, o.values())))
def test_the_step_through_s_update_notes_are_marked(optimizer):
    """An update note written as an f-string would show in English in a translated window."""
    marked = marked_texts()
    notes = _step_through_notes(TANH_LINEAR, "mse", optimizer, [[0.2], [0.7], [0.4]], steps=2)
    unmarked = sorted({note for note in notes if getattr(note, "template", note) not in marked})
    assert not unmarked, f"notes not marked QT_TRANSLATE_NOOP: {unmarked}"


@pytest.mark.parametrize("loss, activation, units", LOSS_CASES)
def test_the_step_through_s_loss_notes_are_marked(loss, activation, units):
    marked = marked_texts()
    y = np.eye(3)[[0, 2, 1]] if units == 3 else np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])[:, :units]
    notes = _step_through_notes([{"type": "dense", "units": units, "activation": activation}], loss,
                                {"name": "sgd", "lr": 0.1}, y)
    unmarked = sorted({note for note in notes if getattr(note, "template", note) not in marked})
    assert not unmarked, f"notes not marked QT_TRANSLATE_NOOP: {unmarked}"


def test_marked_update_notes_read_as_before_with_their_numbers_put_in():
    """The English of a note with values is unchanged; the values fill the translated template."""
    notes = _step_through_notes(TANH_LINEAR, "mse", {"name": "sgd", "lr": 0.1, "momentum": 0.9, "dampening": 0.1},
                                [[0.2], [0.7], [0.4]])
    assert "Momentum μ = 0.9, dampening τ = 0.1." in notes
    momentum = next(note for note in notes if note == "Momentum μ = 0.9, dampening τ = 0.1.")
    assert momentum.template == "Momentum μ = {mu}, dampening τ = {tau}."
    assert "动量 μ = {mu}，阻尼 τ = {tau}。".format(**momentum.fields) == "动量 μ = 0.9，阻尼 τ = 0.1。"
    notes = _step_through_notes(TANH_LINEAR, "mse", {"name": "adam", "lr": 0.01}, [[0.2], [0.7], [0.4]])
    # the next step is the second: 1 − 0.9² = 0.19, 1 − 0.999² = 0.001999
    assert "Bias corrections: 1 − β1^t = 1 − 0.9^2 = 0.19, 1 − β2^t = 1 − 0.999^2 = 0.001999; ε = 1e-08." in notes


def test_the_class_note_names_the_target_s_unit():
    notes = _step_through_notes([{"type": "dense", "units": 3, "activation": "softmax"}], "cross_entropy",
                                {"name": "sgd", "lr": 0.1}, np.eye(3)[[2, 0, 1]])
    note = next(note for note in notes if str(note).startswith("The target is class"))
    assert note == "The target is class 3 (target 2): only the probability of output unit 3 counts."
    assert note.fields == {"unit": 3, "target": 2}
