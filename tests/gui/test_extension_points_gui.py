"""A kind registered at run time shows in the app with no GUI edit: a toy activation in the controls'
choices with its tooltip and, bounded, drawn on its own fixed range; a toy optimizer in the step-through
view with its own update rule."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.core.activations import ACTIVATIONS, Activation
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.formula import Num
from nnviz.core.optimizers import OPTIMIZERS, Optimizer, UpdateExplanation, UpdateRule
from nnviz.gui.controls import ControlsPanel
from nnviz.gui.panels.activations import ActivationsPanel
from nnviz.gui.panels.graph import GraphPanel


class Cube(Activation):
    name = "cube"
    title = "cube"
    tooltip = "cube: z³, a toy"
    formula_text = "z³"
    derivative_text = "3·z²"

    def forward(self, z):
        return z * z * z

    def backward(self, z, a, da):
        return da * (3.0 * z * z)


class SignSGD(Optimizer):
    name = "signsgd"
    title = "signSGD"
    tooltip = "sign SGD: every weight moves by lr against the sign of its gradient"
    OPTIONS = {"lr": ("lr", 0.01)}

    def _update(self, params, grads, lr):
        params -= lr * np.sign(grads)
        self.last = {"lr": lr}

    def explain_update(self, p):
        rule = UpdateRule(f"{p.symbol} ← {p.symbol} − lr·sign(g)",
                          lambda e: (Num(p.before[e]), " − ", Num(p.lr), "*sign(", Num(p.grad[e]), ")"), p.after)
        return UpdateExplanation((rule,))


@pytest.fixture
def toys():
    with ACTIVATIONS.registered(Cube), OPTIMIZERS.registered(SignSGD):
        yield


def items(combo) -> dict[str, str]:
    """item data -> tooltip of every item of a combo."""
    return {combo.itemData(i): combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count())}


def test_toy_kinds_are_choices_in_the_controls_with_their_tooltips(qtbot, toys):
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
    assert panel.layer_rows
    assert items(panel.layer_rows[0].activation_combo)["cube"] == "cube: z³, a toy"
    assert items(panel.output_activation_combo)["cube"] == "cube: z³, a toy"
    assert items(panel.optimizer_combo)["signsgd"] == SignSGD.tooltip


def test_toy_kinds_are_gone_once_unregistered(qtbot):
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    assert "cube" not in items(panel.output_activation_combo)
    assert "signsgd" not in items(panel.optimizer_combo)


@pytest.fixture
def window(toys, main_window):  # the toys are registered before the window builds its controls
    return main_window


def test_toy_optimizer_update_in_the_step_through_view(qtbot, window, tmp_path):
    doc = {"format": "nnviz.model/1", "name": "toys", "inputs": 2, "seed": 0,
           "layers": [{"type": "dense", "units": 2, "activation": "cube"}, {"type": "dense", "units": 1}],
           "loss": "mse", "optimizer": {"name": "signsgd", "lr": 0.25},
           "data": {"inputs": [[1.0, 0.5], [-0.5, 1.0]], "targets": [[1.0], [0.0]], "batch_size": 2,
                    "shuffle": False}}
    path = tmp_path / "toys.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert window.open_path(path)
    window.set_walk_mode(True)
    stepper = window.stepper
    qtbot.waitUntil(lambda: stepper.walkthrough is not None and stepper.walkthrough.net.optimizer.name == "signsgd",
                    timeout=5000)
    walk = stepper.walkthrough
    a = next(i for i, op in enumerate(walk.operations) if op.kind == "a")
    stepper.go(a)
    assert "cube(z) = z³" in stepper.calculation.text()
    update = next(i for i, op in enumerate(walk.operations) if op.kind == "update")
    stepper.go(update)
    shown = stepper.calculation.text()
    assert "signSGD update of W1" in shown and "W1 ← W1 − lr·sign(g)" in shown
    rec = walk.trace.layers[0]
    g, before = rec.grads["weight"][0, 0], rec.params_before["weight"][0, 0]
    assert rec.params_after["weight"][0, 0] == before - 0.25 * np.sign(g)
    assert "*sign(" in shown and "W1[1,1] = " in shown


class Squash(Activation):
    """A toy bounded activation, a = 0.5 + 2.5·tanh(z): outputs in (-2, 3), flat beyond (-1.5, 2.5).
    Lopsided on purpose, so that no range symmetric around 0 can pass for it."""

    name = "squash"
    title = "squash"
    tooltip = "squash: 0.5 + 2.5·tanh(z), a toy"
    output_range = (-2.0, 3.0)
    saturation_band = (-1.5, 2.5)

    def forward(self, z):
        return 0.5 + 2.5 * np.tanh(z)

    def backward(self, z, a, da):
        return da * 2.5 * (1.0 - np.tanh(z) ** 2)


def squash_run():
    """A snapshot of a short run of the default circle net with the toy in its first layer."""
    doc = default_document()
    doc["layers"][0]["activation"] = "squash"
    exp = Experiment(doc, DataConfig(dataset="circle"))
    exp.run(30)
    return exp.snapshot()


@pytest.fixture
def squash_snapshot():
    """``squash_run()``, the toy registered for the whole test."""
    with ACTIVATIONS.registered(Squash):
        yield squash_run()


def padded(low, high, padding=0.05):
    span = high - low
    return [low - padding * span, high + padding * span]


def test_toy_bounded_activation_draws_on_its_range_in_the_graph(make_panel, squash_snapshot):
    panel = make_panel(GraphPanel)
    panel.show_snapshot(squash_snapshot)
    assert panel.heatmap_levels(1, 0) == (-2.0, 3.0)
    assert panel.heatmap_levels(2, 0) == (-1.0, 1.0)  # the tanh layer after it, as before


def test_toy_bounded_activation_draws_on_its_range_in_the_activations_panel(make_panel, squash_snapshot):
    panel = make_panel(ActivationsPanel)
    panel.show_snapshot(squash_snapshot)
    panel.select_layer(0)
    assert panel.histogram_plot.getViewBox().viewRange()[0] == pytest.approx(padded(-2.0, 3.0))
    assert [line.value() for line in panel.threshold_lines] == [-1.5, 2.5]
    assert all(line.isVisible() for line in panel.threshold_lines)
    panel.set_view("heatmap")
    assert tuple(panel.heatmap_item.getLevels()) == (-2.0, 3.0)
    panel.set_view("time")
    assert panel.time_plot.getViewBox().viewRange()[1] == pytest.approx(padded(-2.0, 3.0))
    assert [line.value() for line in panel.time_threshold_lines] == [-1.5, 2.5]


def test_a_snapshot_of_an_unregistered_activation_still_draws(make_panel):
    """A snapshot may outlive its kind: then its layer is drawn as an unbounded one, around 0."""
    with ACTIVATIONS.registered(Squash):
        squash_snapshot = squash_run()
    graph = make_panel(GraphPanel)
    graph.show_snapshot(squash_snapshot)
    m = float(np.abs(squash_snapshot.node_maps[1]).max())
    assert graph.heatmap_levels(1, 0) == (-m, m)
    activations = make_panel(ActivationsPanel)
    activations.show_snapshot(squash_snapshot)
    activations.select_layer(0)
    assert not any(line.isVisible() for line in activations.threshold_lines)
    assert activations.histogram_plot.getViewBox().viewRange()[0] != pytest.approx(padded(-2.0, 3.0))
