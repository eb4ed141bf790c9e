"""The health strip shows the core's numbers, formatted, each coloured against its band, under the core's
verdict on the network; a click names the layer and the detail to open."""

import math

import pytest
from PySide6 import QtCore

from nnviz.core.experiment import Experiment, default_document
from nnviz.core.numbers import format_fixed, format_scientific, format_share
from nnviz.core.stats import EXPLODING, VANISHING
from nnviz.gui.panels.health import (
    DEAD,
    GRAD_NORM,
    NAME,
    SATURATED,
    UPDATE_RATIO,
    HealthStrip,
    norm_state,
    ratio_state,
    saturated_state,
    share_state,
)

LEFT = QtCore.Qt.MouseButton.LeftButton


def _snapshot(layers, steps=20, lr=None, **settings):
    doc = default_document()
    doc["layers"] = layers
    if lr is not None:
        doc["optimizer"]["lr"] = lr
    doc.update(settings)
    exp = Experiment(doc)
    exp.run(steps)
    return exp.snapshot()


@pytest.fixture(scope="module")
def mixed_snapshot():
    """ReLU, BatchNorm, dropout and a sigmoid output: every column has a number or a dash somewhere."""
    return _snapshot([{"type": "dense", "units": 4, "activation": "relu"},
                      {"type": "batchnorm", "activation": "tanh"},
                      {"type": "dropout", "p": 0.25},
                      {"type": "dense", "units": 1, "activation": "sigmoid"}])


@pytest.fixture
def strip(make_panel):
    return make_panel(HealthStrip, size=(600, 160))


# -- bands, against literal expectations (the formats: tests/core/test_numbers.py) ----------------
def test_share_bands():
    assert [share_state(v) for v in (0.0, 0.099, 0.10, 0.49, 0.50, 1.0, None, math.nan)] == \
        ["ok", "ok", "warn", "warn", "bad", "bad", "na", "bad"]


def test_the_output_layers_saturation_is_shown_not_judged():
    assert [saturated_state(v, output=True) for v in (0.0, 0.6, 1.0, None, math.nan)] == \
        ["plain", "plain", "plain", "na", "bad"]
    assert saturated_state(1.0, output=False) == "bad"


def test_gradient_norm_bands_follow_the_thresholds():
    assert norm_state(VANISHING / 2) == "bad"
    assert norm_state(0.0) == "bad"
    assert norm_state(VANISHING * 10) == "warn"  # within two orders of magnitude of vanishing
    assert norm_state(VANISHING * 1e3) == "ok"
    assert norm_state(1.0) == "ok"
    assert norm_state(EXPLODING / 1e3) == "ok"
    assert norm_state(EXPLODING / 10) == "warn"
    assert norm_state(EXPLODING * 2) == "bad"
    assert norm_state(math.nan) == "bad"
    assert norm_state(None) == "na"


def test_update_ratio_bands_follow_the_reference_band():
    assert [ratio_state(v) for v in (-3.0, -4.0, -2.0, -4.5, -1.5, -5.01, -0.9, -math.inf, math.nan, None)] == \
        ["ok", "ok", "ok", "warn", "warn", "bad", "bad", "bad", "bad", "na"]


# -- the strip ------------------------------------------------------------------------------------
def test_texts_are_the_cores_numbers_formatted(strip, mixed_snapshot):
    strip.show_snapshot(mixed_snapshot)
    health = mixed_snapshot.health
    assert strip.row_count() == len(health) == 4
    for row, h in enumerate(health):
        assert strip.cell_text(row, DEAD) == format_share(h.dead)
        assert strip.cell_text(row, SATURATED) == format_share(h.saturated)
        assert strip.cell_text(row, UPDATE_RATIO) == format_fixed(h.update_ratio)
        expected_norm = format_scientific(h.grad_norm) if h.grads else "—"
        assert strip.cell_text(row, GRAD_NORM) == expected_norm
    assert strip.cell_text(0, NAME) == "Hidden layer 1 · dense relu"
    assert strip.cell_text(1, NAME) == "Hidden layer 2 · batchnorm tanh"
    assert strip.cell_text(2, NAME) == "Hidden layer 3 · dropout"
    assert strip.cell_text(3, NAME) == "Output layer · dense sigmoid"
    # the numbers read back as the core's, to 3 significant digits (and the ratio to 1 decimal)
    for row in (0, 1, 3):
        assert float(strip.cell_text(row, GRAD_NORM)) == pytest.approx(health[row].grad_norm, rel=5e-3)
    for row in (0, 3):
        assert float(strip.cell_text(row, UPDATE_RATIO)) == pytest.approx(health[row].update_ratio, abs=0.05)
    assert float(strip.cell_text(1, SATURATED).rstrip("%")) == pytest.approx(100 * health[1].saturated, rel=5e-3)


def test_not_applicable_cells_are_grey_dashes(strip, mixed_snapshot):
    strip.show_snapshot(mixed_snapshot)
    # the dropout layer: no parameters, cannot die or saturate
    for column in (DEAD, SATURATED, GRAD_NORM, UPDATE_RATIO):
        assert strip.cell_text(2, column) == "—"
        assert strip.cell_state(2, column) == "na"
    assert strip.cell_state(0, SATURATED) == "na"  # ReLU does not saturate
    assert strip.cell_state(1, UPDATE_RATIO) == "na"  # BatchNorm has no weight matrix


def test_all_dead_relu_layer_is_red_and_so_is_its_name(strip):
    units = 4
    snap = _snapshot([{"type": "dense", "units": units, "activation": "relu", "bias": [-100.0] * units},
                      {"type": "dense", "units": 1, "activation": "sigmoid"}])
    assert snap.health[0].dead == 1.0
    strip.show_snapshot(snap)
    assert strip.cell_text(0, DEAD) == "100%"
    assert strip.cell_state(0, DEAD) == "bad"
    assert strip.cell_state(0, NAME) == "bad" and strip.name_is_red(0)
    # nothing flows through a dead layer: its gradient vanishes and its weights never move
    assert snap.health[0].grad_norm == 0.0
    assert strip.cell_state(0, GRAD_NORM) == "bad"
    assert strip.cell_text(0, UPDATE_RATIO) == "-∞" and strip.cell_state(0, UPDATE_RATIO) == "bad"


def test_partly_dead_layer_is_amber(strip):
    snap = _snapshot([{"type": "dense", "units": 4, "activation": "relu", "bias": [-100.0, 0.0, 0.0, 0.0]},
                      {"type": "dense", "units": 1, "activation": "sigmoid"}])
    assert 0.10 <= snap.health[0].dead < 0.50
    strip.show_snapshot(snap)
    assert strip.cell_text(0, DEAD) == "25%"
    assert strip.cell_state(0, DEAD) == "warn"


def test_healthy_default_network_is_green_and_names_are_not_red(strip):
    snap = _snapshot(default_document()["layers"], steps=50)
    strip.show_snapshot(snap)
    for row, h in enumerate(snap.health):
        assert strip.cell_state(row, GRAD_NORM) == norm_state(h.grad_norm) == "ok"
        assert strip.cell_state(row, UPDATE_RATIO) == ratio_state(h.update_ratio)
        if strip.cell_state(row, UPDATE_RATIO) != "bad":
            assert not strip.name_is_red(row)


def test_a_huge_learning_rate_puts_the_update_ratio_beyond_the_band(strip):
    snap = _snapshot(default_document()["layers"], steps=1, lr=1000.0)
    ratio = snap.health[0].update_ratio
    assert ratio > -1.0
    strip.show_snapshot(snap)
    assert strip.cell_text(0, UPDATE_RATIO) == format_fixed(ratio)
    assert strip.cell_state(0, UPDATE_RATIO) == "bad"
    assert strip.name_is_red(0)


@pytest.mark.parametrize("column, detail", [(NAME, "activations"), (DEAD, "activations"),
                                            (SATURATED, "activations"), (GRAD_NORM, "gradients"),
                                            (UPDATE_RATIO, "updates")])
def test_clicking_a_cell_asks_for_the_layer_and_the_detail(qtbot, strip, mixed_snapshot, column, detail):
    strip.show_snapshot(mixed_snapshot)
    table = strip.table
    for row in (0, 3):
        rect = table.visualItemRect(table.item(row, column))
        assert not rect.isEmpty()
        with qtbot.waitSignal(strip.layer_clicked, timeout=1000) as blocker:
            qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
        assert blocker.args == [row, detail]


def test_a_hidden_strip_draws_when_shown(qtbot, mixed_snapshot):
    strip = HealthStrip()
    qtbot.addWidget(strip)
    strip.show_snapshot(mixed_snapshot)
    assert strip.row_count() == 0  # nothing drawn while hidden
    strip.show()
    qtbot.waitExposed(strip)
    assert strip.row_count() == 4
    assert strip.cell_text(3, GRAD_NORM) == format_scientific(mixed_snapshot.health[3].grad_norm)


def test_items_are_created_once_per_architecture(strip, mixed_snapshot):
    strip.show_snapshot(mixed_snapshot)
    item = strip.table.item(0, DEAD)
    strip.show_snapshot(mixed_snapshot)
    assert strip.table.item(0, DEAD) is item


# -- honest health ---------------------------------------------------------------------------------
def test_a_confident_output_layer_is_not_flagged(strip):
    """The default net fitted with Adam: its sigmoid outputs sit near 0 and 1, which is confidence."""
    snap = _snapshot(default_document()["layers"], steps=600, optimizer={"name": "adam", "lr": 0.03})
    out = snap.health[-1]
    assert out.saturated > 0.5
    strip.show_snapshot(snap)
    assert strip.cell_text(2, SATURATED) == format_share(out.saturated)  # still shown
    assert strip.cell_state(2, SATURATED) == "plain"
    assert not strip.name_is_red(2)
    tip = strip.table.item(2, SATURATED).toolTip()
    assert "Not judged for the output layer" in tip and "confident" in tip
    assert strip.verdict_text() == ""


def test_a_saturated_hidden_layer_is_still_flagged(strip):
    snap = _snapshot([{"type": "dense", "units": 4, "activation": "tanh", "init": {"name": "normal", "std": 100.0}},
                      {"type": "dense", "units": 1, "activation": "sigmoid"}], steps=1)
    assert snap.health[0].saturated >= 0.5
    strip.show_snapshot(snap)
    assert strip.cell_state(0, SATURATED) == "bad" and strip.name_is_red(0)


def test_before_the_first_step_the_update_ratio_is_a_dash(strip):
    snap = Experiment().snapshot()
    strip.show_snapshot(snap)
    for row in range(3):
        assert strip.cell_text(row, UPDATE_RATIO) == "—"
        assert strip.cell_state(row, UPDATE_RATIO) == "na"
        assert strip.table.item(row, UPDATE_RATIO).toolTip().startswith("No update yet")


def test_the_update_ratio_tip_says_what_it_measures(strip, mixed_snapshot):
    strip.show_snapshot(mixed_snapshot)
    tip = strip.table.item(0, UPDATE_RATIO).toolTip()
    assert tip.startswith("log₁₀(std(ΔW) / std(W)) = ") and "the last step moved the weights" in tip
    header = strip.table.horizontalHeaderItem(UPDATE_RATIO).toolTip()
    assert "Adam, momentum, weight decay and clipping included" in header


def test_a_collapsed_network_is_named_above_the_table(strip):
    layers = default_document()["layers"]
    snap = _snapshot(layers, steps=600, regularization={"l2": 0.1})
    strip.show_snapshot(snap)
    text = strip.verdict_text()
    assert text == snap.health_verdict.reason
    assert text.startswith("Collapsed: the loss 0.69") and "chance level" in text and "near zero" in text
    assert strip.verdict.isVisible()
    assert strip.name_is_red(snap.health_verdict.layer)
    # the same strip, given a sound network, takes the line away
    strip.show_snapshot(_snapshot(layers, steps=5))
    assert strip.verdict_text() == "" and not strip.verdict.isVisible()


def test_not_finite_numbers_read_nan_in_red_never_a_green_zero(strip):
    """The default net with an identity output under MSE at lr 100: every activation ends up NaN."""
    layers = default_document()["layers"]
    layers[-1]["activation"] = "identity"
    snap = _snapshot(layers, steps=500, lr=100.0, loss="mse")
    assert snap.diverged
    strip.show_snapshot(snap)
    for row in range(3):
        if snap.health[row].saturated is not None:
            assert strip.cell_text(row, SATURATED) == "NaN" and strip.cell_state(row, SATURATED) == "bad"
        # the last step's update overflowed, or was not a number
        assert strip.cell_text(row, UPDATE_RATIO) in ("NaN", "∞") and strip.cell_state(row, UPDATE_RATIO) == "bad"
        assert strip.name_is_red(row)
    assert strip.table.item(0, SATURATED).toolTip().startswith("NaN: the tanh outputs")
    texts = [strip.cell_text(r, c) for r in range(3) for c in (DEAD, SATURATED, GRAD_NORM, UPDATE_RATIO)]
    assert not any(t.endswith("%") for t in texts)
    verdict = strip.verdict_text()
    assert verdict == "Diverged: the loss is NaN; from hidden layer 1 on, the activations are not finite numbers."
    assert "%" not in verdict and "accuracy" not in verdict


# -- a frame's cost: the view hears of a frame's changes once ---------------------------------------
def test_a_frame_tells_the_view_once_and_an_unchanged_frame_not_at_all(qtbot, strip):
    exp = Experiment()
    exp.run(5)
    strip.show_snapshot(exp.snapshot())
    model = strip.table.model()
    notices = []
    model.dataChanged.connect(lambda *args: notices.append(args))
    exp.run(5)
    strip.show_snapshot(exp.snapshot())  # new numbers in several cells
    assert len(notices) == 1
    strip.show_snapshot(strip.snapshot)  # the same numbers again
    assert len(notices) == 1


def test_the_number_columns_still_fit_their_texts_after_a_quiet_update(qtbot, strip):
    exp = Experiment()
    strip.show_snapshot(exp.snapshot())  # before the first step: dashes for the update ratio
    exp.run(5)
    strip.show_snapshot(exp.snapshot())
    header = strip.table.horizontalHeader()
    qtbot.waitUntil(lambda: all(header.sectionSize(c) >= strip.table.sizeHintForColumn(c)
                                for c in (DEAD, SATURATED, GRAD_NORM, UPDATE_RATIO)), timeout=2000)
    assert strip.cell_text(0, UPDATE_RATIO) == format_fixed(strip.snapshot.health[0].update_ratio)
