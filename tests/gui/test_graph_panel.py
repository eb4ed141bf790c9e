"""The network graph draws what the snapshot holds, names it on hover and selects it on click."""

from dataclasses import replace

import numpy as np
import pytest
from PySide6 import QtCore

from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.numbers import format_significant
from nnviz.gui.panels.graph import ANTIALIAS_EDGES, DRAFT_EDGES, GraphPanel, Selection, make_big_snapshot
from nnviz.gui.style import POSITIVE, diverging_lut

LEFT = QtCore.Qt.MouseButton.LeftButton


def _document(layers, loss="bce"):
    doc = default_document()
    doc["layers"], doc["loss"] = layers, loss
    return doc


@pytest.fixture(scope="module")
def experiment():
    exp = Experiment()
    exp.run(50)
    return exp


@pytest.fixture(scope="module")
def snapshot(experiment):
    return experiment.snapshot()


@pytest.fixture
def panel(make_panel):
    return make_panel(GraphPanel, size=(900, 500))


def _at(panel, point) -> QtCore.QPoint:
    return panel.view_to_widget(QtCore.QPointF(float(point[0]), float(point[1])))


def _hover(qtbot, panel, point) -> str:
    target = _at(panel, point)
    # Qt drops a move to where the pointer already is, so come from elsewhere
    qtbot.mouseMove(panel.graphics_view.viewport(), target + QtCore.QPoint(40, 40))
    qtbot.mouseMove(panel.graphics_view.viewport(), target)
    qtbot.waitUntil(lambda: panel.hover_text() != "", timeout=2000)
    return panel.hover_text()


def _click(qtbot, panel, point):
    with qtbot.waitSignal(panel.selection_changed, timeout=2000) as blocker:
        qtbot.mouseClick(panel.graphics_view.viewport(), LEFT, pos=_at(panel, point))
    return blocker.args[0]


def _edge_midpoint(panel, column, unit, source):
    return (panel.node_positions(column - 1)[source] + panel.node_positions(column)[unit]) / 2


# -- what is drawn ----------------------------------------------------------------------------------
def test_columns_and_edges_match_the_weights(panel, snapshot):
    panel.show_snapshot(snapshot)
    assert panel.column_sizes() == (2, 4, 2, 1)
    assert panel.column_kinds() == ("heatmap",) * 4
    weights = [snapshot.params[f"layers[{i}].weight"] for i in range(3)]
    assert panel.edge_count(+1) == sum(int(np.sum(w >= 0)) for w in weights)
    assert panel.edge_count(-1) == sum(int(np.sum(w < 0)) for w in weights)
    assert panel.edge_count() == 2 * 4 + 4 * 2 + 2 * 1
    for i, w in enumerate(weights):
        units, sources, drawn = panel.drawn_edges(i)
        np.testing.assert_array_equal(drawn, w[units, sources])
        assert sorted(zip(units.tolist(), sources.tolist())) == [(u, s) for u in range(w.shape[0])
                                                                 for s in range(w.shape[1])]
    # every column is centred on y = 0, unit 0 on top, columns left to right
    xs = [panel.node_positions(c)[0, 0] for c in range(4)]
    assert xs == sorted(xs)
    ys = panel.node_positions(1)[:, 1]
    assert np.all(np.diff(ys) < 0) and ys.mean() == pytest.approx(0.0)


def test_heatmaps_show_the_node_maps(panel, snapshot):
    panel.show_snapshot(snapshot)
    lut = diverging_lut()
    for column, maps in enumerate(snapshot.node_maps):
        for unit in range(maps.shape[0]):
            values = panel.heatmap_values(column, unit)
            assert values is not None
            np.testing.assert_array_equal(values, maps[unit])
            lo, hi = panel.heatmap_levels(column, unit)
            t = np.clip((maps[unit] - lo) / (hi - lo), 0.0, 1.0)
            expected = lut[np.round(t * (len(lut) - 1)).astype(int), :3]
            np.testing.assert_array_equal(panel.heatmap_colors(column, unit), expected)
    # and that is what the screen shows: a pixel of a heatmap lies within the colours around it
    image = panel.graphics_view.viewport().grab().toImage()
    for column, unit in ((0, 1), (1, 2), (3, 0)):
        colours = panel.heatmap_colors(column, unit)
        rows, cols, _ = colours.shape
        x, y = panel.node_positions(column)[unit]
        half = 0.4  # HEAT_SIZE / 2
        for r, k in ((5, 5), (20, 31), (33, 12)):
            at = _at(panel, (x - half + (k + 0.5) * 2 * half / cols, y - half + (r + 0.5) * 2 * half / rows))
            pixel = image.pixelColor(at)
            around = colours[max(r - 2, 0):r + 3, max(k - 2, 0):k + 3].reshape(-1, 3)
            for channel, value in enumerate((pixel.red(), pixel.green(), pixel.blue())):
                assert around[:, channel].min() - 3 <= value <= around[:, channel].max() + 3
    assert panel.heatmap_levels(1, 0) == (-1.0, 1.0)  # tanh
    assert panel.heatmap_levels(3, 0) == (0.0, 1.0)  # sigmoid
    m = float(np.abs(snapshot.node_maps[0][1]).max())  # an input: symmetric, its own scale
    assert panel.heatmap_levels(0, 1) == (-m, m)
    assert panel.heatmap_values(1, 4) is None and panel.heatmap_colors(1, 4) is None


def test_neurons_are_coloured_by_their_activation(panel):
    exp = Experiment(data=DataConfig(dataset="square"))
    exp.run(30)
    # neither maps over a plane nor curves over x (as for three or more inputs): plain dots
    snap = replace(exp.snapshot(), node_curves=None)
    panel.show_snapshot(snap)
    assert panel.column_kinds() == ("dot",) * 4
    assert panel.heatmap_values(1, 0) is None
    lut = diverging_lut()
    value = snap.layers[0].value  # tanh: colour levels are [-1, 1]
    expected = lut[np.round((value + 1) / 2 * (len(lut) - 1)).astype(int), :3]
    np.testing.assert_array_equal(panel.node_colors(1), expected)


def test_norm_and_dropout_layers_get_one_to_one_edges(panel, qtbot):
    exp = Experiment(_document([{"type": "dense", "units": 3, "activation": "relu"}, {"type": "layernorm"},
                                {"type": "dropout", "p": 0.2}, {"type": "dense", "units": 1, "activation": "sigmoid"}]))
    exp.run(10)
    snap = exp.snapshot()
    panel.show_snapshot(snap)
    assert panel.column_sizes() == (2, 3, 3, 3, 1)
    assert panel.identity_edge_count() == 6
    assert panel.drawn_edges(1)[0].size == 0 and panel.drawn_edges(2)[0].size == 0
    assert panel.edge_count() == 2 * 3 + 3 * 1
    selection = _click(qtbot, panel, panel.node_positions(2)[1])
    assert selection == Selection("neuron", 2, 1) and selection.layer_type == "layernorm"
    assert selection.param is None


# -- hover ------------------------------------------------------------------------------------------
def test_hovering_a_neuron_shows_its_value_and_gradient(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    text = _hover(qtbot, panel, panel.node_positions(2)[1])
    view = snapshot.layers[1]
    assert "layer 2 (dense · tanh), unit 2:" in text  # counted from 1, as in the controls
    assert f"a = {format_significant(view.value[1])}" in text
    assert f"dL/dz = {format_significant(view.grad[1])}" in text
    assert f"bias b2[2] = {format_significant(snapshot.params['layers[1].bias'][1])}" in text
    assert "layers[" not in text  # the document path, counted from 0, is in the tooltip only
    assert panel.graphics_view.toolTip() == "Document path (counted from 0): layers[1].bias[1]"


def test_neuron_hover_says_which_gradient_is_a_mean_and_which_a_sum(panel, qtbot, snapshot):
    """dL/dz is a mean over the probe rows, dL/db their sum: the two numbers agree as labelled."""
    panel.show_snapshot(snapshot)
    text = _hover(qtbot, panel, panel.node_positions(2)[1])
    rows = snapshot.layers[1].a.shape[0]
    dz, db = snapshot.layers[1].grad[1], snapshot.grads["layers[1].bias"][1]
    assert f"dL/dz = {format_significant(dz)} (mean over the {rows} probe rows" in text
    assert f"dL/db = {format_significant(db)} (sum over the {rows} probe rows = {rows} × mean dL/dz)" in text
    assert db == pytest.approx(rows * dz, rel=1e-9, abs=1e-15)


def test_hovering_an_edge_shows_its_weight_and_gradient(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    text = _hover(qtbot, panel, _edge_midpoint(panel, column=2, unit=1, source=3))
    assert "weight W2[2,4]" in text and "layers[" not in text
    assert panel.graphics_view.toolTip() == "Document path (counted from 0): layers[1].weight[1, 3]"
    assert f"w = {format_significant(snapshot.params['layers[1].weight'][1, 3])}" in text
    assert f"dL/dw = {format_significant(snapshot.grads['layers[1].weight'][1, 3])}" in text


def test_hover_text_follows_new_snapshots(panel, qtbot):
    exp = Experiment()
    panel.show_snapshot(exp.snapshot())
    _hover(qtbot, panel, panel.node_positions(1)[0])
    exp.run(20)
    snap = exp.snapshot()
    panel.show_snapshot(snap)
    assert f"a = {format_significant(snap.layers[0].value[0])}" in panel.hover_text()


def test_empty_space_shows_no_hover_text(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    _hover(qtbot, panel, panel.node_positions(1)[0])
    qtbot.mouseMove(panel.graphics_view.viewport(), QtCore.QPoint(3, 3))
    qtbot.waitUntil(lambda: panel.hover_text() == "", timeout=2000)


# -- selection --------------------------------------------------------------------------------------
def test_clicking_a_neuron_selects_it(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    position = panel.node_positions(1)[2]
    selection = _click(qtbot, panel, position)
    assert selection == Selection("neuron", 1, 2)
    assert selection.param == ("layers[0].bias", (2,))
    assert panel.selection == selection
    np.testing.assert_allclose(panel.selection_marker(), [position])


def test_clicking_an_input_selects_it_without_a_parameter(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    selection = _click(qtbot, panel, panel.node_positions(0)[1])
    assert selection == Selection("input", 0, 1)
    assert selection.param is None


def test_clicking_an_edge_selects_its_weight(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    selection = _click(qtbot, panel, _edge_midpoint(panel, column=1, unit=3, source=1))
    assert selection == Selection("edge", 1, 3, source=1)
    assert selection.param == ("layers[0].weight", (3, 1))
    ends = panel.selection_marker()
    np.testing.assert_allclose(ends[:, 1], [panel.node_positions(0)[1, 1], panel.node_positions(1)[3, 1]])


def test_clicking_empty_space_clears_the_selection(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    _click(qtbot, panel, panel.node_positions(3)[0])
    with qtbot.waitSignal(panel.selection_changed, timeout=2000) as blocker:
        qtbot.mouseClick(panel.graphics_view.viewport(), LEFT, pos=QtCore.QPoint(3, 3))
    assert blocker.args == [None]
    assert panel.selection is None
    assert panel.selection_marker().shape == (0, 2)


def test_select_sets_the_selection_programmatically(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    with qtbot.waitSignal(panel.selection_changed, timeout=2000) as blocker:
        panel.select(Selection("edge", 2, 1, source=3))
    assert blocker.args[0].layer_type == "dense"
    assert panel.selection.param == ("layers[1].weight", (1, 3))
    with qtbot.assertNotEmitted(panel.selection_changed):
        panel.select(Selection("edge", 2, 1, source=3))  # unchanged: no signal
    with pytest.raises(ValueError):
        panel.select(Selection("neuron", 1, 9))
    with qtbot.waitSignal(panel.selection_changed, timeout=2000) as blocker:
        panel.select(None)
    assert blocker.args == [None]


def test_a_selection_that_no_longer_exists_is_cleared(panel, qtbot, snapshot):
    panel.show_snapshot(snapshot)
    panel.select(Selection("neuron", 1, 3))
    smaller = Experiment(_document([{"type": "dense", "units": 2, "activation": "tanh"},
                                    {"type": "dense", "units": 1, "activation": "sigmoid"}]))
    with qtbot.waitSignal(panel.selection_changed, timeout=2000) as blocker:
        panel.show_snapshot(smaller.snapshot())
    assert blocker.args == [None]
    assert panel.column_sizes() == (2, 2, 1)


# -- items are reused; big networks stay small ------------------------------------------------------
def test_same_architecture_updates_items_instead_of_recreating_them(panel, experiment, snapshot):
    panel.show_snapshot(snapshot)
    items = panel.graphics_view.scene().items()
    atlas = panel.heatmap_atlas
    experiment.run(5)
    later = experiment.snapshot()
    panel.show_snapshot(later)
    after = panel.graphics_view.scene().items()
    assert len(after) == len(items)
    assert set(map(id, after)) == set(map(id, items))
    assert panel.heatmap_atlas is atlas
    np.testing.assert_array_equal(panel.heatmap_values(2, 1), later.node_maps[2][1])
    _, _, drawn = panel.drawn_edges(0)
    np.testing.assert_array_equal(np.sort(drawn), np.sort(later.params["layers[0].weight"].ravel()))


def test_edges_are_restroked_only_when_an_edge_changes_its_pen(panel, snapshot, monkeypatch):
    from dataclasses import replace

    panel.show_snapshot(snapshot)
    panel.grab()
    updates = []
    monkeypatch.setattr(panel._edges, "update", lambda *args: updates.append(args))
    params = dict(snapshot.params)
    params["layers[0].weight"] = snapshot.params["layers[0].weight"] * 1.0001  # same widths and signs
    panel.show_snapshot(replace(snapshot, params=params))
    assert updates == []
    flipped = snapshot.params["layers[0].weight"].copy()
    flipped[0, 0] = -flipped[0, 0]
    params["layers[0].weight"] = flipped
    panel.show_snapshot(replace(snapshot, params=params))
    assert len(updates) == 1
    weights = [params[f"layers[{i}].weight"] for i in range(3)]
    assert panel.edge_count(-1) == sum(int(np.sum(w < 0)) for w in weights)


def test_a_new_architecture_rebuilds_the_columns(panel, snapshot):
    panel.show_snapshot(snapshot)
    wider = Experiment(_document([{"type": "dense", "units": 6, "activation": "relu"},
                                  {"type": "dense", "units": 1, "activation": "sigmoid"}]))
    panel.show_snapshot(wider.snapshot())
    assert panel.column_sizes() == (2, 6, 1)
    assert panel.heatmap_values(1, 5) is not None and panel.heatmap_values(2, 1) is None
    assert panel.edge_count() == 2 * 6 + 6


def test_big_network_draws_the_strongest_edges_in_few_items(panel, qtbot):
    big = make_big_snapshot()
    panel.show_snapshot(big)
    assert panel.column_sizes() == (784, 128, 10)
    assert panel.column_kinds() == ("strip", "strip", "dot")
    assert 0 < panel.edge_count() < 5000
    assert panel.graphics_item_count() <= 50
    w0 = big.params["layers[0].weight"]
    units, sources, weights = panel.drawn_edges(0)
    assert units.size < w0.size
    keep = np.bincount(units, minlength=128)
    assert np.all(keep == keep[0]) and keep[0] >= 1
    for unit in (0, 77, 127):  # the drawn edges into a unit are its strongest weights
        drawn = np.sort(np.abs(weights[units == unit]))
        np.testing.assert_array_equal(drawn, np.sort(np.abs(w0[unit]))[-keep[0]:])
    assert panel.drawn_edges(1)[0].size == 128 * 10  # a small layer is drawn whole
    # the second big snapshot reuses the items
    count = panel.graphics_item_count()
    latest = make_big_snapshot(seed=1, base=big)
    panel.show_snapshot(latest)
    assert panel.graphics_item_count() == count
    # neurons of a compact column can still be hovered and clicked
    text = _hover(qtbot, panel, panel.node_positions(1)[40])
    assert "unit 41:" in text and f"a = {format_significant(latest.layers[0].value[40])}" in text
    assert _click(qtbot, panel, panel.node_positions(1)[40]) == Selection("neuron", 1, 40)


def test_big_network_strip_colours_follow_values(panel):
    big = make_big_snapshot()
    panel.show_snapshot(big)
    colours = panel.node_colors(1)
    assert colours.shape == (128, 3)
    strongest = int(np.argmax(big.layers[0].value))  # relu: levels ±max, so the largest is POSITIVE
    positive = tuple(int(POSITIVE[i:i + 2], 16) for i in (1, 3, 5))
    assert tuple(colours[strongest]) == positive


def test_non_finite_numbers_are_drawn_without_warnings(panel, snapshot):
    from dataclasses import replace

    params = dict(snapshot.params)
    params["layers[0].weight"] = np.array([[np.nan, np.inf], [-np.inf, 1.0], [0.5, np.nan], [2.0, -1.0]])
    params["layers[0].bias"] = np.array([np.nan, np.inf, -np.inf, 0.0])
    layers = tuple(replace(v, value=np.full(v.units, np.nan), grad=np.full(v.units, np.inf)) for v in snapshot.layers)
    maps = tuple(np.full_like(m, np.nan) for m in snapshot.node_maps)
    panel.show_snapshot(replace(snapshot, params=params, layers=layers, node_maps=maps))
    panel.grab()
    assert panel.edge_count() == 2 * 4 + 4 * 2 + 2
    assert "a = nan" in panel.describe(Selection("neuron", 1, 0))


# -- edges: drafts while many change, antialiased at rest --------------------------------------------
def test_a_few_edges_are_always_antialiased(qtbot, panel):
    exp = Experiment()  # 2-4-2-1: 18 edges
    panel.show_snapshot(exp.snapshot())
    exp.run(20)
    panel.show_snapshot(exp.snapshot())
    assert panel.edge_count() <= DRAFT_EDGES and panel.edges_antialiased()


def test_many_changing_edges_are_drafts_until_they_settle(qtbot, panel):
    layers = [{"type": "dense", "units": 8, "activation": "tanh"} for _ in range(6)]
    exp = Experiment(_document(layers + [{"type": "dense", "units": 1, "activation": "sigmoid"}]))
    panel.show_snapshot(exp.snapshot())
    qtbot.waitUntil(panel.edges_antialiased, timeout=2000)
    assert DRAFT_EDGES < panel.edge_count() <= ANTIALIAS_EDGES
    buckets = panel.edge_buckets()
    for _ in range(100):  # train until an edge changes its width or sign
        exp.run(5)
        panel.show_snapshot(exp.snapshot())
        if panel.edge_buckets() != buckets:
            break
    assert panel.edge_buckets() != buckets and not panel.edges_antialiased()
    panel.show_snapshot(panel.snapshot)  # the same edges: nothing changed, still settling
    assert not panel.edges_antialiased()
    qtbot.waitUntil(panel.edges_antialiased, timeout=2000)


# -- layout: the graph uses the view's height, nodes stay readable, titles never collide ------------
DEEP = [{"type": "dense", "units": 8, "activation": "tanh"} for _ in range(6)] + [
    {"type": "dense", "units": 1, "activation": "sigmoid"}]


def _deep_snapshot(features=("x1", "x2")):
    exp = Experiment(_document(DEEP))
    if features != ("x1", "x2"):
        exp.set_data(DataConfig(dataset="circle", features=features))
    exp.run(2)
    return exp.snapshot()


def _header_rects(panel):
    """The titles' rectangles in view pixels, as drawn (they keep their size when the view scales)."""
    panel.graphics_view.grab()  # a text item places itself against the view's scale when painted
    return [item.textItem.mapRectToScene(item.textItem.boundingRect()) for item in panel.headers]


def test_a_deep_network_keeps_its_nodes_large_in_the_main_window(main_window, qtbot):
    window = main_window
    window.resize(1600, 1000)
    window.session.set_data(DataConfig(dataset="circle", features=("x1", "x2", "x1^2", "x2^2", "sin x1", "sin x2")))
    window.session.set_layers(DEEP)
    graph = window.graph
    qtbot.waitUntil(lambda: window.latest is not None and len(window.latest.layers) == 7, timeout=5000)
    qtbot.waitUntil(graph.laid_out, timeout=3000)
    assert graph.node_pixels() >= 32
    rects = _header_rects(graph)
    assert len(rects) == 8
    for a, b in zip(rects, rects[1:]):
        assert not a.intersects(b), "neighbouring column titles overlap"


@pytest.mark.parametrize("size", [(640, 700), (700, 420), (420, 600)])
def test_column_titles_never_collide_and_stay_in_view(make_panel, qtbot, size):
    panel = make_panel(GraphPanel, size=size)
    panel.show_snapshot(_deep_snapshot())
    qtbot.waitUntil(panel.laid_out, timeout=3000)
    rects = _header_rects(panel)
    for a, b in zip(rects, rects[1:]):
        assert not a.intersects(b), "neighbouring column titles overlap"
    view = QtCore.QRectF(panel.graphics_view.rect())
    assert all(view.contains(r) for r in rects), "a title is cut at the view's edge"


def test_a_resized_view_lays_the_columns_out_again(make_panel, qtbot):
    panel = make_panel(GraphPanel, size=(900, 400))
    panel.show_snapshot(_deep_snapshot())
    qtbot.waitUntil(panel.laid_out, timeout=3000)
    wide = panel.node_pixels()
    panel.resize(900, 900)  # taller: the same width now holds the graph at a larger scale
    qtbot.waitUntil(panel.laid_out, timeout=3000)
    assert panel.node_pixels() > wide


@pytest.mark.parametrize("column", [0, -1])
def test_hover_text_stays_inside_a_narrow_view(make_panel, qtbot, snapshot, column):
    """At the outermost nodes of a view narrower than the text, the box is moved in, not clipped."""
    panel = make_panel(GraphPanel, size=(300, 420))
    panel.show_snapshot(snapshot)
    qtbot.waitUntil(panel.laid_out, timeout=3000)
    columns = len(snapshot.layers) + 1
    nodes = panel.node_positions(column % columns)
    for point in (nodes[0], nodes[-1]):
        _hover(qtbot, panel, point)
        panel.graphics_view.grab()  # the text item places itself against the view's scale when painted
        label = panel._hover_label.textItem
        box = label.mapRectToScene(label.boundingRect())
        area = panel.view.sceneBoundingRect()
        assert area.contains(box), (box, area)


@pytest.mark.parametrize("size", [(900, 500), (460, 420)])
def test_step_through_values_of_a_softmax_stay_off_the_other_nodes(make_panel, qtbot, size):
    """The written values of a column beside its nodes: never over the next node's thumbnail, and in view."""
    from nnviz.core.calculation import Ref

    exp = Experiment(_document([{"type": "dense", "units": 4, "activation": "tanh"},
                                {"type": "dense", "units": 3, "activation": "softmax"}], loss="cross_entropy"))
    exp.run(2)
    panel = make_panel(GraphPanel, size=size)
    panel.show_snapshot(exp.snapshot())
    qtbot.waitUntil(panel.laid_out, timeout=3000)
    last, outputs = 2, panel.snapshot.layers[-1].units  # one per class of the data
    assert outputs >= 2
    values = np.linspace(0.7311, 0.0723, outputs)
    panel.set_highlight(writes=[Ref("node", last, u) for u in range(outputs)], colour="#c62828",
                        labels=[(last, u, f"{v:.4f}") for u, v in enumerate(values)])
    labels = panel.value_label_rects()
    assert len(labels) == outputs
    nodes = [n for c in range(3) for n in panel.node_pixel_rects(c)]
    area = panel.view.sceneBoundingRect()
    for label in labels:
        assert area.contains(label), "a value is cut at the view's edge"
        assert not any(label.intersects(node) for node in nodes), "a value covers a node"
    for a, b in zip(labels, labels[1:]):
        assert not a.intersects(b)
