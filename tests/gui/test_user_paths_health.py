"""Honest health, on the paths a learner takes: a person trains through the real window's controls and
reads the health strip (and the Updates panel it opens)."""

from PySide6 import QtCore

from nnviz.gui.panels.health import DEAD, GRAD_NORM, NAME, SATURATED, UPDATE_RATIO

LEFT = QtCore.Qt.MouseButton.LeftButton
HIDDEN_1, HIDDEN_2, OUTPUT = range(3)  # the rows of the default 2-4-2-1 circle network


def strip_row(user, row: int) -> dict[int, str]:
    """What a person reads in one row of the health strip, by column."""
    strip = user.window.health
    return {column: strip.cell_text(row, column) for column in (NAME, DEAD, SATURATED, GRAD_NORM, UPDATE_RATIO)}


def click_cell(user, row: int, column: int) -> None:
    table = user.window.health.table
    user.qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualItemRect(table.item(row, column)).center())


def test_a_well_fitted_output_layer_is_confident_not_sick(user):
    user.choose("Optimizer", "adam")
    user.type("Learning rate", "0.03")
    user.train(3000)
    strip = user.window.health
    assert user.window.latest.train_loss < 0.01  # a good fit
    saturated = strip_row(user, OUTPUT)[SATURATED]
    assert saturated.endswith("%") and float(saturated.rstrip("%")) > 50  # the number is still shown
    assert strip.cell_state(OUTPUT, SATURATED) == "plain"  # but not coloured as a fault
    assert not strip.name_is_red(OUTPUT)
    assert "confident answers, not a fault" in strip.table.item(OUTPUT, SATURATED).toolTip()
    assert strip.verdict_text() == ""
    # the update Adam really applies sits near -3 … -4; lr·std(∇W)/std(W) said -4.5 … -8
    ratios = [float(strip_row(user, row)[UPDATE_RATIO]) for row in (HIDDEN_1, HIDDEN_2, OUTPUT)]
    assert all(-4.8 < r < -2.5 for r in ratios), ratios


def test_a_network_collapsed_by_l2_is_flagged(user):
    assert user.window.health.verdict_text() == ""
    user.type("L2 rate", "0.1")
    user.train(600)
    strip = user.window.health
    text = strip.verdict_text()
    assert text.startswith("Collapsed: the loss 0.69"), text
    assert "chance level (a constant guess scores 0.693)" in text and "are near zero" in text
    assert strip.verdict.isVisible()
    assert any(strip.name_is_red(row) for row in range(3))


def test_a_diverged_network_reads_nan_not_a_green_zero(user):
    user.choose("Loss", "mse")
    user.choose("Output activation", "identity")
    user.type("Learning rate", "100")
    user.train(500)
    user.dismiss_message()
    strip = user.window.health
    assert user.window.latest.diverged
    verdict = strip.verdict_text()
    assert verdict.startswith("Diverged: the loss is NaN"), verdict
    assert "accuracy" not in verdict and "%" not in verdict
    for row in (HIDDEN_1, HIDDEN_2):  # tanh layers: their saturated share is not a number
        assert strip_row(user, row)[SATURATED] == "NaN"
        assert strip.cell_state(row, SATURATED) == "bad"
    for row in (HIDDEN_1, HIDDEN_2, OUTPUT):
        assert not any(text.endswith("%") for text in strip_row(user, row).values())
        assert strip.name_is_red(row)


def test_tight_gradient_clipping_reads_too_low(user):
    """SGD at lr 0.03 clipped to a gradient norm of 0.01 (about a twentieth of it): the steps the
    optimizer applies fall below the band, while lr·std(∇W)/std(W) called them healthy."""
    strip = user.window.health
    assert strip_row(user, HIDDEN_1)[UPDATE_RATIO] == "—"  # before the first step: no update to measure
    user.check("max norm")
    user.type("Clip gradient", "0.01")
    for _ in range(2):  # 2 epochs of 250 training rows in batches of 10
        user.trigger("Step epoch")
    assert user.step() == 50
    for row in (HIDDEN_1, HIDDEN_2):
        assert float(strip_row(user, row)[UPDATE_RATIO]) < -4.0
        assert strip.cell_state(row, UPDATE_RATIO) == "warn"
        assert "Too low" in strip.table.item(row, UPDATE_RATIO).toolTip()
    # the cell opens the Updates panel, which says the same
    click_cell(user, HIDDEN_1, UPDATE_RATIO)
    updates = user.window.updates
    user.qtbot.waitUntil(updates.isVisible)
    assert "too low: L1, L2" in updates.readout.text()
