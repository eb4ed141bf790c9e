"""The normalization panel draws a BatchNorm layer's statistics and a dropout layer's mask as the
snapshot holds them, and says so when the network has neither."""

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, default_document
from nnviz.gui.panels.normalization import BATCHNORM_TEXT, NO_LAYER_MESSAGE, NO_MASK_TEXT, NormalizationPanel

LAYERS = [{"type": "dense", "units": 4},
          {"type": "batchnorm", "activation": "tanh"},
          {"type": "dropout", "p": 0.25},
          {"type": "dense", "units": 1, "activation": "sigmoid"}]


def _experiment(layers=LAYERS):
    doc = default_document()
    doc["layers"] = layers
    return Experiment(doc)


@pytest.fixture(scope="module")
def snapshot():
    exp = _experiment()
    exp.run(20)
    return exp.snapshot()


@pytest.fixture
def panel(make_panel):
    return make_panel(NormalizationPanel, size=(640, 480))


def test_the_combo_lists_the_batchnorm_and_dropout_layers(panel, snapshot):
    panel.show_snapshot(snapshot)
    assert [panel.combo.itemText(i) for i in range(panel.combo.count())] == \
        ["Hidden layer 2 · batchnorm", "Hidden layer 3 · dropout"]
    assert panel.current_layer() == 1 and panel.showing() == "batchnorm"


def test_batchnorm_bars_are_the_snapshots_statistics(panel, snapshot):
    panel.show_snapshot(snapshot)
    panel.select_layer(1)
    bn = snapshot.health[1].batchnorm
    units = np.arange(4)
    for bars, key in ((panel.batch_mean_bars, "batch_mean"), (panel.running_mean_bars, "running_mean"),
                      (panel.batch_var_bars, "batch_var"), (panel.running_var_bars, "running_var"),
                      (panel.gap_bars, "train_eval_gap")):
        np.testing.assert_array_equal(bars.opts["height"], bn[key])
        np.testing.assert_allclose(bars.opts["x"], units + bars.offset)
    # the pairs sit side by side: batch left of running in each unit's slot
    assert panel.batch_mean_bars.offset < 0 < panel.running_mean_bars.offset
    assert not np.array_equal(bn["batch_mean"], bn["running_mean"])  # the two series really differ
    assert panel.batchnorm_text.text() == BATCHNORM_TEXT
    worst = int(np.argmax(bn["train_eval_gap"]))
    assert f"Largest gap: unit {worst + 1}, {bn['train_eval_gap'][worst]:.4g}" in panel.gap_readout.text()


def test_dropout_image_is_the_mask(panel, snapshot):
    panel.show_snapshot(snapshot)
    panel.select_layer(2)
    assert panel.showing() == "dropout"
    mask = snapshot.health[2].dropout["mask"]
    assert mask.shape == (10, 4)  # the last training batch × the units
    np.testing.assert_array_equal(panel.mask_image.image, mask)
    assert tuple(panel.mask_image.levels) == (0.0, pytest.approx(1 / 0.75))  # kept at full blue, dropped white
    assert panel.dropout_text.text() == ("p = 0.25: each unit is dropped with probability p; "
                                         "survivors are scaled by 1/(1-p) = 1.333")
    dropped = int(np.sum(mask == 0))
    assert dropped > 0
    assert panel.dropped_readout.text().startswith(
        f"Dropped in this batch: {100 * dropped / mask.size:.3g}% ({dropped} of {mask.size} activations")


def test_the_choice_survives_new_snapshots(panel, snapshot):
    panel.show_snapshot(snapshot)
    panel.select_layer(2)
    panel.show_snapshot(snapshot)
    assert panel.current_layer() == 2 and panel.showing() == "dropout"


def test_choosing_in_the_combo_switches_the_page(panel, snapshot):
    panel.show_snapshot(snapshot)
    panel.combo.setCurrentIndex(1)
    assert panel.current_layer() == 2 and panel.showing() == "dropout"
    panel.combo.setCurrentIndex(0)
    assert panel.showing() == "batchnorm"


def test_before_any_training_step_there_is_no_mask_yet(panel):
    panel.show_snapshot(_experiment().snapshot())
    panel.select_layer(2)
    assert panel.showing() == "dropout"
    assert panel.dropped_readout.text() == NO_MASK_TEXT
    assert panel.mask_plot.isHidden()


def test_the_default_network_gets_the_friendly_message(panel):
    exp = Experiment()
    exp.run(5)
    panel.show_snapshot(exp.snapshot())
    assert panel.showing() == "message"
    assert panel.message.text() == NO_LAYER_MESSAGE == "This network has no BatchNorm or dropout layer."
    assert panel.message.isVisible()
    assert not panel.combo.isVisible()


def test_a_hidden_panel_draws_when_shown(qtbot, snapshot):
    panel = NormalizationPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(snapshot)
    assert panel.batch_mean_bars.opts["height"].size == 0  # nothing drawn while hidden
    panel.show()
    qtbot.waitExposed(panel)
    np.testing.assert_array_equal(panel.batch_mean_bars.opts["height"], snapshot.health[1].batchnorm["batch_mean"])


def test_bar_items_are_created_once(panel, snapshot):
    panel.show_snapshot(snapshot)
    items = list(panel.mean_plot.getPlotItem().items)
    panel.select_layer(2)
    panel.select_layer(1)
    panel.show_snapshot(snapshot)
    assert list(panel.mean_plot.getPlotItem().items) == items


def test_in_a_narrow_dock_the_titles_fit_and_the_text_stays_off_the_plots(make_panel, snapshot):
    panel = make_panel(NormalizationPanel, size=(450, 400))
    panel.show_snapshot(snapshot)
    panel.grab()  # laid out and painted at this size
    for widget in (panel.mean_plot, panel.var_plot, panel.gap_plot):
        title = widget.getPlotItem().titleLabel.item  # the title's text as laid out, in pixels
        assert title.boundingRect().width() <= widget.width(), title.toPlainText()
    # the readout under the gap plot does not reach into it
    gap = panel.gap_plot.geometry()
    readout = panel.gap_readout.geometry()
    assert readout.top() >= gap.bottom(), (readout, gap)
