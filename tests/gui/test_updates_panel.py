"""The update-ratio panel draws the core's log10 update/weight ratios: lines of their history, a bar
per layer coloured by the reference band, and a highlighted layer."""

import math

import numpy as np
import pytest
from PySide6 import QtGui

from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.stats import UPDATE_RATIO_BAND
from nnviz.gui.panels.gradients import TOO_LARGE, TOO_SMALL
from nnviz.gui.panels.updates import HEALTHY, HEALTHY_TEXT, UpdateRatioPanel, ratio_status
from nnviz.gui.style import SELECTED, setup_pyqtgraph


@pytest.fixture
def panel(make_panel):
    return make_panel(UpdateRatioPanel)


def _trained(document=None, rounds=6, steps=25):
    exp = Experiment(document, DataConfig())
    exp.run_evaluated(rounds * steps, every=steps)
    return exp.snapshot()


def _with_lr(lr: float, layers=None) -> dict:
    doc = default_document()
    doc["optimizer"]["lr"] = lr
    if layers is not None:
        doc["layers"] = layers
    return doc


@pytest.fixture(scope="module")
def healthy():
    return _trained()


def _name(color: str) -> str:
    return QtGui.QColor(color).name()


def test_lines_are_the_history_arrays(panel, healthy):
    panel.show_snapshot(healthy)

    assert list(panel.lines) == ["L1", "L2", "out"]
    steps = healthy.history["eval_step"]
    for i, label in enumerate(["L1", "L2", "out"]):
        line = panel.line(label)
        np.testing.assert_array_equal(line.xData, steps)
        np.testing.assert_array_equal(line.yData, healthy.health_history[f"{i}.update_ratio"])
    assert steps.size == 7


def test_bars_are_the_current_ratios_and_green_in_the_band(panel, healthy):
    panel.show_snapshot(healthy)

    expected = [h.update_ratio for h in healthy.health]
    np.testing.assert_array_equal(panel.bar_heights(), expected)
    np.testing.assert_array_equal(panel.bars.opts["y1"], expected)  # what is drawn
    lo, hi = UPDATE_RATIO_BAND
    assert all(lo <= v <= hi for v in expected)  # the default net at lr 0.03 is healthy
    assert panel.bar_colors() == [_name(HEALTHY)] * 3
    assert "every layer in the band" in panel.readout.text()


@pytest.mark.parametrize(("lr", "status", "color"), [(100.0, "too_high", TOO_LARGE), (1e-7, "too_low", TOO_SMALL)])
def test_a_layer_outside_the_band_gets_the_out_of_band_colour(panel, lr, status, color):
    exp = Experiment(_with_lr(lr), DataConfig())
    exp.run(1)  # the ratio measures the update of the last step
    snapshot = exp.snapshot()
    ratios = [h.update_ratio for h in snapshot.health]
    assert all(ratio_status(v) == status for v in ratios)  # the core's numbers are out of the band

    panel.show_snapshot(snapshot)

    np.testing.assert_array_equal(panel.bar_heights(), ratios)
    assert panel.bar_statuses() == [status] * 3
    assert panel.bar_colors() == [_name(color)] * 3
    _, (y_lo, y_hi) = panel.line_plot.getViewBox().viewRange()
    assert y_lo <= min(ratios) and max(ratios) <= y_hi  # the axis widens to show them


def test_before_the_first_step_there_is_no_update_and_no_bar(panel):
    snapshot = Experiment(None, DataConfig()).snapshot()
    assert [h.update_ratio for h in snapshot.health] == [None, None, None]

    panel.show_snapshot(snapshot)

    assert panel.bar_labels() == ["L1", "L2", "out"]  # the layers are there, with no value yet
    assert np.isnan(panel.bar_heights()).all()
    assert panel.bar_statuses() == [None, None, None]
    text = panel.readout.text()
    assert "no update yet" in text and "every layer in the band" not in text
    panel.show_readout_for_bar(0)
    assert "no value" in panel.readout.text()


def test_the_panel_shows_the_update_the_optimizer_applied(panel):
    """SGD with tight clipping: the applied steps are a decade and more below the band."""
    document = default_document()
    document["clip_grad_norm"] = 0.01
    snapshot = _trained(document, rounds=2)
    ratios = [h.update_ratio for h in snapshot.health]

    panel.show_snapshot(snapshot)

    np.testing.assert_array_equal(panel.bar_heights(), ratios)
    assert panel.bar_statuses()[:2] == ["too_low", "too_low"]
    assert "too low: L1, L2" in panel.readout.text()
    assert "std(ΔW)" in panel.help.text() and "clipping" in panel.help.text()


def test_one_colour_per_bar_by_its_own_band(panel, healthy):
    """Bars are coloured one by one: put one out-of-band value in a healthy snapshot."""
    from dataclasses import replace

    health = list(healthy.health)
    health[1] = replace(health[1], update_ratio=-1.5)
    panel.show_snapshot(replace(healthy, health=tuple(health)))

    assert panel.bar_colors() == [_name(HEALTHY), _name(TOO_LARGE), _name(HEALTHY)]
    assert "too high: L2" in panel.readout.text()


def test_layers_without_a_weight_have_no_line_or_bar(panel):
    layers = [{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dropout", "p": 0.2},
              {"type": "dense", "units": 1, "activation": "sigmoid"}]
    snapshot = _trained(_with_lr(0.03, layers), rounds=2)
    assert snapshot.health[1].update_ratio is None

    panel.show_snapshot(snapshot)

    assert panel.bar_layers() == [0, 2]
    assert panel.bar_labels() == ["L1", "out"]
    np.testing.assert_array_equal(panel.line("out").yData, snapshot.health_history["2.update_ratio"])


def test_the_band_the_reference_line_and_the_help(panel, healthy):
    panel.show_snapshot(healthy)
    from pyqtgraph import InfiniteLine, LinearRegionItem

    items = panel.line_plot.items
    bands = [it.getRegion() for it in items if isinstance(it, LinearRegionItem)]
    lines = [it.value() for it in items if isinstance(it, InfiniteLine)]
    assert bands == [UPDATE_RATIO_BAND] and lines == [sum(UPDATE_RATIO_BAND) / 2]
    assert panel.healthy_label.textItem.toPlainText() == HEALTHY_TEXT == "≈ -3 is healthy (Karpathy)"
    assert panel.healthy_label.isVisible()
    text = panel.help.text()
    assert "too high" in text and "too low" in text


def test_select_layer_highlights_its_line_and_bar(panel, healthy):
    panel.show_snapshot(healthy)

    panel.select_layer(2)

    assert panel.bar_is_selected() == [False, False, True]
    pens = [QtGui.QPen(p) for p in panel.bars.opts["pens"]]
    assert [p.color().name() == _name(SELECTED) for p in pens] == [False, False, True]
    assert panel.line("out").opts["pen"].color().name() == _name(SELECTED)
    assert panel.line("L1").opts["pen"].color().name() != _name(SELECTED)

    panel.select_layer(None)
    assert not any(panel.bar_is_selected())
    assert panel.line("out").opts["pen"].color().name() != _name(SELECTED)


def test_minus_infinity_means_nothing_moves(panel, healthy):
    """A zero gradient has ratio -inf: a bar down past the axis, in the too-low colour."""
    from dataclasses import replace

    health = list(healthy.health)
    health[0] = replace(health[0], update_ratio=-math.inf)
    panel.show_snapshot(replace(healthy, health=tuple(health)))

    assert panel.bar_statuses()[0] == "too_low"
    assert panel.bar_colors()[0] == _name(TOO_SMALL)
    _, (y_lo, _) = panel.line_plot.getViewBox().viewRange()
    assert panel.bars.opts["y1"][0] < y_lo


def test_items_are_made_once_and_a_hidden_panel_draws_when_shown(qtbot, healthy):
    setup_pyqtgraph()
    widget = UpdateRatioPanel()
    qtbot.addWidget(widget)
    widget.show_snapshot(healthy)
    assert widget.lines == {}  # nothing drawn while hidden

    widget.show()
    qtbot.waitExposed(widget)
    lines = dict(widget.lines)
    assert list(lines) == ["L1", "L2", "out"]
    widget.show_snapshot(_trained(rounds=1, steps=5))
    assert all(widget.lines[k] is v for k, v in lines.items())


def test_a_layer_selected_while_hidden_is_highlighted_when_shown(panel, healthy, qtbot):
    panel.show_snapshot(healthy)
    panel.hide()
    panel.select_layer(0)
    panel.show()
    qtbot.waitExposed(panel)

    pens = [QtGui.QPen(p).color().name() for p in panel.bars.opts["pens"]]
    assert [c == _name(SELECTED) for c in pens] == [True, False, False]


def test_hovering_a_line_shows_the_history_value(panel, healthy, qtbot, qapp):
    from PySide6 import QtCore

    panel.show_snapshot(healthy)
    qapp.processEvents()  # the new axis ranges reach the view's transform
    steps = healthy.history["eval_step"]
    y = healthy.health_history["2.update_ratio"]
    vb = panel.line_plot.getViewBox()
    pos = panel.view.mapFromScene(vb.mapViewToScene(QtCore.QPointF(steps[3], y[3])))

    qtbot.mouseMove(panel.view.viewport(), pos)

    qtbot.waitUntil(lambda: "<b>step 75</b>" in panel.readout.text())
    assert f"out {y[3]:.3g}" in panel.readout.text()
