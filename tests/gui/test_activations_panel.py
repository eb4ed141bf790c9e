"""The activations panel draws the core's numbers: histograms, stats, heatmaps and percentile bands."""

from dataclasses import replace

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.gui.panels.activations import FLAG_COLORS, ActivationsPanel, flag, layer_label
from nnviz.gui.style import setup_pyqtgraph


def _run(doc, dataset="circle", rounds=6):
    exp = Experiment(doc, DataConfig(dataset=dataset, noise=0.1))
    exp.run_evaluated(rounds * 10, every=10)
    return exp.snapshot()


@pytest.fixture(scope="module")
def tanh_snapshot():
    return _run(default_document())


@pytest.fixture(scope="module")
def relu_snapshot():
    """Layer 1 (the second hidden layer) is dead: every bias -100 puts every unit below zero."""
    doc = default_document()
    doc["layers"] = [{"type": "dense", "units": 5, "activation": "relu", "init": "he_uniform"},
                     {"type": "dense", "units": 3, "activation": "relu", "bias": [-100.0] * 3},
                     {"type": "dense", "units": 1, "activation": "sigmoid"}]
    return _run(doc)


@pytest.fixture(scope="module")
def sigmoid_snapshot():
    doc = default_document()
    doc["layers"] = [{"type": "dense", "units": 6, "activation": "sigmoid", "init": {"name": "normal", "std": 4.0}}
                     for _ in range(4)] + [{"type": "dense", "units": 1, "activation": "sigmoid"}]
    return _run(doc, dataset="spiral")


@pytest.fixture
def panel(make_panel):
    return make_panel(ActivationsPanel)


def _pct(value):
    return "–" if value is None else f"{100 * value:.1f}%"


def _color(item):
    return item.foreground().color().name()


def test_histogram_is_the_cores_histogram_for_every_layer(panel, tanh_snapshot):
    panel.show_snapshot(tanh_snapshot)
    assert panel.view_name == "histogram"
    for i, h in enumerate(tanh_snapshot.health):
        panel.select_layer(i)
        counts, edges = h.histogram
        np.testing.assert_array_equal(panel.histogram_curve.xData, edges)
        np.testing.assert_array_equal(panel.histogram_curve.yData, counts)
        assert counts.sum() == tanh_snapshot.layers[i].a.size


def test_stats_line_and_table_show_the_cores_numbers(panel, tanh_snapshot):
    panel.show_snapshot(tanh_snapshot)
    panel.select_layer(1)
    h = tanh_snapshot.health[1]
    text = panel.stats_line.text()
    for part in (f"mean {h.mean:.4g}", f"std {h.std:.4g}", f"saturated {_pct(h.saturated)}", "dead –"):
        assert part in text
    table = panel.layer_table
    assert table.rowCount() == len(tanh_snapshot.layers)
    for row, h in enumerate(tanh_snapshot.health):
        assert [table.item(row, c).text() for c in range(1, 5)] == \
            [f"{h.mean:.4g}", f"{h.std:.4g}", _pct(h.saturated), _pct(h.dead)]


def test_a_dead_relu_layer_is_flagged_red(panel, relu_snapshot):
    h = relu_snapshot.health[1]
    assert h.activation == "relu" and h.dead == 1.0
    panel.show_snapshot(relu_snapshot)
    panel.select_layer(1)

    assert "dead 100.0%" in panel.stats_line.text()
    assert panel.stats_line.color_of("dead") == FLAG_COLORS["red"]
    assert panel.flag_of(1) == {"saturated": None, "dead": "red"}
    assert _color(panel.layer_table.item(1, 4)) == FLAG_COLORS["red"]
    assert panel.layer_table.item(1, 4).font().bold()
    # the live first layer is not flagged
    assert panel.flag_of(0)["dead"] is None
    assert _color(panel.layer_table.item(0, 4)) == QtGui.QColor("#333333").name()


def test_saturated_sigmoid_layers_are_flagged(panel, sigmoid_snapshot):
    panel.show_snapshot(sigmoid_snapshot)
    for i, h in enumerate(sigmoid_snapshot.health):
        expected = flag(h.saturated)
        assert panel.flag_of(i)["saturated"] == expected
        color = FLAG_COLORS[expected] if expected else QtGui.QColor("#333333").name()
        assert _color(panel.layer_table.item(i, 3)) == color
    assert any(panel.flag_of(i)["saturated"] == "red" for i in range(len(sigmoid_snapshot.health)))


@pytest.mark.parametrize("share, expected", [(None, None), (0.0, None), (0.0999, None), (0.1, "amber"),
                                             (0.4999, "amber"), (0.5, "red"), (1.0, "red")])
def test_flag_thresholds(share, expected):
    assert flag(share) == expected


def test_amber_flag_shows_in_the_stats_line(panel, tanh_snapshot):
    health = list(tanh_snapshot.health)
    health[0] = replace(health[0], saturated=0.25)
    panel.show_snapshot(replace(tanh_snapshot, health=tuple(health)))
    panel.select_layer(0)
    assert "saturated 25.0%" in panel.stats_line.text()
    assert panel.stats_line.color_of("saturated") == FLAG_COLORS["amber"]
    assert _color(panel.layer_table.item(0, 3)) == FLAG_COLORS["amber"]


def test_heatmap_is_the_activations_units_by_samples(panel, tanh_snapshot, relu_snapshot, sigmoid_snapshot):
    panel.set_view("heatmap")
    for snap, i, levels in ((tanh_snapshot, 0, (-1.0, 1.0)), (sigmoid_snapshot, 2, (0.0, 1.0)),
                            (relu_snapshot, 0, None)):
        panel.show_snapshot(snap)
        panel.select_layer(i)
        a = snap.layers[i].a
        np.testing.assert_array_equal(panel.heatmap_item.image, a.T)
        assert panel.heatmap_item.image.shape == (snap.layers[i].units, a.shape[0])
        shown = tuple(panel.heatmap_item.getLevels())
        if levels is None:  # unbounded: symmetric around 0, reaching the largest |a|
            levels = (-np.abs(a).max(), np.abs(a).max())
        assert shown == pytest.approx(levels)


def test_bands_are_the_health_history(panel, sigmoid_snapshot):
    panel.set_view("time")
    hh, x = sigmoid_snapshot.health_history, sigmoid_snapshot.history["eval_step"]
    assert x.size >= 6
    for i in (0, 3):
        panel.show_snapshot(sigmoid_snapshot)
        panel.select_layer(i)
        for name in ("p5", "p25", "p50", "p75", "p95"):
            curve = panel.band_curves[name]
            np.testing.assert_array_equal(curve.xData, x)
            np.testing.assert_array_equal(curve.yData, hh[f"{i}.{name}"])
        np.testing.assert_array_equal(panel.saturated_curve.yData, hh[f"{i}.saturated"])
        np.testing.assert_array_equal(panel.dead_curve.yData, hh[f"{i}.dead"])  # NaN: a sigmoid cannot die
    assert panel.outer_band.curves == [panel.band_curves["p5"], panel.band_curves["p95"]]
    assert panel.inner_band.curves == [panel.band_curves["p25"], panel.band_curves["p75"]]


def test_select_layer_switches_the_shown_layer(panel, qtbot, tanh_snapshot):
    panel.show_snapshot(tanh_snapshot)
    assert panel.layer == 0
    assert [panel.layer_combo.itemText(i) for i in range(panel.layer_combo.count())] == \
        ["Hidden layer 1 · dense tanh", "Hidden layer 2 · dense tanh", "Output layer · dense sigmoid"]
    with qtbot.waitSignal(panel.layer_selected) as signal:
        panel.select_layer(2)
    assert signal.args == [2]
    assert panel.layer_combo.currentIndex() == 2
    np.testing.assert_array_equal(panel.histogram_curve.yData, tanh_snapshot.health[2].histogram[0])
    assert f"mean {tanh_snapshot.health[2].mean:.4g}" in panel.stats_line.text()

    panel.layer_combo.setCurrentIndex(1)  # what the user does
    assert panel.layer == 1
    np.testing.assert_array_equal(panel.histogram_curve.yData, tanh_snapshot.health[1].histogram[0])

    panel.set_view("heatmap")
    panel.select_layer(0)
    np.testing.assert_array_equal(panel.heatmap_item.image, tanh_snapshot.layers[0].a.T)
    with pytest.raises(IndexError):
        panel.select_layer(3)


def test_clicking_a_table_row_selects_its_layer(panel, qtbot, tanh_snapshot):
    panel.show_snapshot(tanh_snapshot)
    table = panel.layer_table
    rect = table.visualRect(table.model().index(2, 0))
    qtbot.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.layer == 2
    assert panel.layer_combo.currentIndex() == 2


def test_a_new_architecture_refills_the_combo(panel, tanh_snapshot, relu_snapshot):
    panel.show_snapshot(tanh_snapshot)
    panel.select_layer(2)
    panel.show_snapshot(relu_snapshot)
    assert panel.layer_combo.itemText(1) == "Hidden layer 2 · dense relu"
    assert panel.layer == 2 and panel.layer_combo.currentIndex() == 2
    assert layer_label(relu_snapshot, 2) == "Output layer · dense sigmoid"


def test_a_hidden_panel_draws_when_shown(qtbot, tanh_snapshot):
    setup_pyqtgraph()
    panel = ActivationsPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(tanh_snapshot)  # not visible: only kept
    assert panel.histogram_curve.yData is None or panel.histogram_curve.yData.size == 0
    panel.show()
    qtbot.waitExposed(panel)
    np.testing.assert_array_equal(panel.histogram_curve.yData, tanh_snapshot.health[0].histogram[0])


def test_only_the_view_in_front_is_drawn_and_a_tab_change_draws_its_view(panel, tanh_snapshot):
    panel.show_snapshot(tanh_snapshot)
    assert panel.heatmap_item.image is None
    panel.set_view("heatmap")
    np.testing.assert_array_equal(panel.heatmap_item.image, tanh_snapshot.layers[0].a.T)


def test_a_range_the_user_moved_stays_until_another_layer(panel, tanh_snapshot, relu_snapshot):
    panel.show_snapshot(relu_snapshot)  # ReLU: the histogram's ranges follow the data
    vb = panel.histogram_plot.getViewBox()
    fitted = vb.viewRange()
    vb.setRange(xRange=(-5.0, 5.0), padding=0)
    vb.sigRangeChangedManually.emit([True, False])  # what a mouse wheel or drag does
    panel.show_snapshot(relu_snapshot)
    assert vb.viewRange()[0] == pytest.approx([-5.0, 5.0])
    panel.select_layer(1)
    panel.select_layer(0)
    assert np.allclose(vb.viewRange(), fitted)


def _poisoned(snapshot):
    """``snapshot`` as after a divergence: every activation, statistic and history point NaN."""
    from nnviz.core.stats import histogram

    nan_layers = tuple(replace(v, a=np.full_like(v.a, np.nan)) for v in snapshot.layers)
    nan_health = tuple(replace(h, mean=np.nan, std=np.nan, saturated=np.nan if h.saturated is not None else None,
                               dead=np.nan if h.dead is not None else None,
                               percentiles=np.full(5, np.nan), histogram=histogram(np.full(10, np.nan)))
                       for h in snapshot.health)
    nan_history = {k: np.full_like(v, np.nan) for k, v in snapshot.health_history.items()}
    return replace(snapshot, layers=nan_layers, health=nan_health, health_history=nan_history, diverged=True)


@pytest.mark.parametrize("view", ["histogram", "heatmap", "time"])
def test_a_diverged_snapshot_draws_without_warnings(panel, relu_snapshot, view):
    snap = _poisoned(relu_snapshot)
    panel.set_view(view)
    for i in range(len(snap.layers)):
        panel.show_snapshot(snap)
        panel.select_layer(i)
        panel.grab()
    assert "mean – · std – · saturated – · dead –" in panel.stats_line.text()
    assert panel.flag_of(0) == {"saturated": None, "dead": None}


def test_a_snapshot_whose_health_does_not_match_its_layers_shows_no_numbers(panel, tanh_snapshot):
    """make_big_snapshot keeps its base's health (3 layers) for its own 2 layers: nothing is made up."""
    from nnviz.gui.panels.graph import make_big_snapshot

    big = make_big_snapshot(base=tanh_snapshot)
    assert len(big.health) != len(big.layers)
    panel.show_snapshot(tanh_snapshot)
    assert panel.histogram_curve.yData.size > 0
    panel.show_snapshot(big)
    assert panel.layer_combo.count() == 2
    assert panel.histogram_curve.yData is None or panel.histogram_curve.yData.size == 0
    assert "mean" not in panel.stats_line.text()
    assert [panel.layer_table.item(0, c).text() for c in range(1, 5)] == ["–"] * 4
    panel.set_view("heatmap")
    np.testing.assert_array_equal(panel.heatmap_item.image, big.layers[0].a.T)
    assert panel.heatmap_item.image.shape == (128, 64)


@pytest.mark.parametrize("width", [300, 380, 460])
def test_a_narrow_stats_line_leaves_out_whole_pieces(make_panel, tanh_snapshot, width):
    """Narrower than its text, the line ends "… · dead" no more: whole pieces then "…", all in the tip."""
    panel = make_panel(ActivationsPanel, size=(width, 500))
    panel.show_snapshot(tanh_snapshot)
    panel.select_layer(1)
    line = panel.stats_line
    full, shown = line.text(), line.shown_text()
    bold = QtGui.QFont(line.font())
    bold.setBold(True)
    # what is drawn fits: each piece measured in the font it is drawn in
    drawn = sum(QtGui.QFontMetrics(bold if strong else line.font()).horizontalAdvance(t)
                for t, _, strong in line.shown_segments())
    assert drawn <= line.contentsRect().width()
    if shown != full:
        assert shown.endswith(" …")
        kept = shown[:-2]
        assert full.startswith(kept)
        pieces = [t for t, _, _ in line.segments]
        # the kept text ends where a piece ends, and not on a separator
        ends = {len("".join(pieces[:k])) for k in range(1, len(pieces) + 1)}
        assert len(kept) in ends and not kept.rstrip().endswith("·")
        assert line.toolTip().startswith(full)
