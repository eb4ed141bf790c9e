"""The weights panel draws the snapshot's weight matrices, their histogram and unit pictures."""

from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.datasets import Dataset
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.stats import histogram
from nnviz.gui.panels.graph import make_big_snapshot
from nnviz.gui.panels.weights import WeightsPanel, atlas_columns, weight_atlas
from nnviz.gui.style import setup_pyqtgraph


@pytest.fixture(scope="module")
def small_snapshot():
    exp = Experiment()
    exp.run(30)
    return exp.snapshot()


@pytest.fixture(scope="module")
def big_snapshot(small_snapshot):
    """784-128-10 (the graph panel's MNIST-sized snapshot)."""
    return make_big_snapshot(base=small_snapshot)


@pytest.fixture(scope="module")
def digits_snapshot():
    """A real 64-input (8 × 8 pictures) network: dense 64, batchnorm, dropout, dense 64, dense 3.
    Only the first layer reads pixels; the fourth has 64 inputs too, but they are hidden units."""
    rng = np.random.default_rng(1)
    X = rng.random((120, 64))
    y = rng.integers(0, 3, 120).astype(float)
    data = Dataset(X, y, "digits", "classification", tuple(f"px{i}" for i in range(64)), ("digit",))
    doc = {"format": "nnviz.model/1", "inputs": 64, "loss": "cross_entropy", "seed": 0,
           "layers": [{"type": "dense", "units": 64, "activation": "relu"},
                      {"type": "batchnorm"},
                      {"type": "dropout", "p": 0.2},
                      {"type": "dense", "units": 64, "activation": "relu"},
                      {"type": "dense", "units": 3, "activation": "softmax"}]}
    exp = Experiment(doc, DataConfig(imported=data, batch_size=20))
    exp.run(5)
    return exp.snapshot()


@pytest.fixture
def panel(make_panel):
    return make_panel(WeightsPanel)


def test_matrix_is_the_weight_param_with_symmetric_levels(panel, small_snapshot):
    panel.show_snapshot(small_snapshot)
    assert panel.view_name == "matrix"
    for i in range(3):
        panel.select_layer(i)
        w = small_snapshot.params[f"layers[{i}].weight"]
        np.testing.assert_array_equal(panel.matrix_item.image, w)
        bound = np.abs(w).max()
        assert tuple(panel.matrix_item.getLevels()) == pytest.approx((-bound, bound))
        assert tuple(panel.matrix_bar.levels()) == pytest.approx((-bound, bound))
        # a small matrix has its numbers written in
        assert panel.cell_labels.texts() == [f"{v:.4g}" for v in w.ravel()]
    assert panel.matrix_plot.getAxis("left").labelText == "unit"


def test_first_layer_names_its_inputs(panel, small_snapshot):
    panel.show_snapshot(small_snapshot)
    panel.select_layer(0)
    ticks = panel.matrix_plot.getAxis("bottom")._tickLevels
    assert [name for _, name in ticks[0]] == list(small_snapshot.input_names)


def test_combo_lists_only_layers_with_a_weight_matrix(panel, digits_snapshot):
    panel.show_snapshot(digits_snapshot)
    combo = panel.layer_combo
    assert "layers[1].weight" in digits_snapshot.params  # batchnorm's scale: not a matrix
    assert [combo.itemData(i) for i in range(combo.count())] == [0, 3, 4]
    assert combo.itemText(2) == "Output layer · dense softmax"
    for index in (1, 2):
        with pytest.raises(IndexError):
            panel.select_layer(index)
    combo.setCurrentIndex(2)  # what the user does
    assert panel.layer == 4
    np.testing.assert_array_equal(panel.matrix_item.image, digits_snapshot.params["layers[4].weight"])


def test_histogram_is_the_cores_histogram_of_the_weights(panel, big_snapshot):
    panel.show_snapshot(big_snapshot)
    panel.set_view("histogram")
    w = big_snapshot.params["layers[0].weight"]
    counts, edges = histogram(w.ravel(), bins=40)
    np.testing.assert_array_equal(panel.histogram_curve.xData, edges)
    np.testing.assert_array_equal(panel.histogram_curve.yData, counts)
    assert counts.sum() == w.size


def test_784_inputs_make_an_atlas_of_28_by_28_tiles(panel, big_snapshot):
    w = big_snapshot.params["layers[0].weight"]
    assert w.shape == (128, 784)
    panel.show_snapshot(big_snapshot)
    assert panel.tabs.isTabEnabled(2)
    panel.set_view("images")
    assert panel.atlas_side == 28 and panel.atlas_columns == 16
    atlas = panel.atlas_item.image
    assert atlas.shape == (8 * 29 - 1, 16 * 29 - 1)  # 8 rows of 16 tiles, one-pixel gaps
    for k in (0, 1, 15, 16, 77, 127):
        np.testing.assert_array_equal(panel.atlas_tile(k), w[k].reshape(28, 28))
        row, column = divmod(k, 16)
        np.testing.assert_array_equal(atlas[29 * row: 29 * row + 28, 29 * column: 29 * column + 28],
                                      w[k].reshape(28, 28))
    assert np.isnan(atlas[28, :]).all() and np.isnan(atlas[:, 28]).all()  # the gaps
    assert np.isfinite(atlas).sum() == w.size
    bound = np.abs(w).max()
    assert tuple(panel.atlas_item.getLevels()) == pytest.approx((-bound, bound))


def test_64_inputs_make_8_by_8_tiles_and_only_for_the_first_layer(panel, digits_snapshot):
    w = digits_snapshot.params["layers[0].weight"]
    panel.show_snapshot(digits_snapshot)
    panel.set_view("images")
    assert panel.view_name == "images" and panel.atlas_side == 8
    assert panel.atlas_columns == atlas_columns(64) == 12
    for k in range(64):
        np.testing.assert_array_equal(panel.atlas_tile(k), w[k].reshape(8, 8))
    assert panel.atlas_item.image.shape == (6 * 9 - 1, 12 * 9 - 1)
    assert np.isnan(panel.atlas_tile(70)).all()  # the grid's unused places are empty

    assert digits_snapshot.params["layers[3].weight"].shape == (64, 64)
    panel.select_layer(3)  # 64 inputs, but hidden units, not pixels
    assert not panel.tabs.isTabEnabled(2)
    assert panel.view_name == "matrix"
    np.testing.assert_array_equal(panel.matrix_item.image, digits_snapshot.params["layers[3].weight"])


def test_more_than_128_units_show_the_first_128(panel, digits_snapshot):
    w = np.random.default_rng(0).normal(size=(200, 64))
    snap = replace(digits_snapshot, params={**digits_snapshot.params, "layers[0].weight": w})
    panel.show_snapshot(snap)
    panel.set_view("images")
    assert panel.atlas_item.image.shape == (8 * 9 - 1, 16 * 9 - 1)
    np.testing.assert_array_equal(panel.atlas_tile(127), w[127].reshape(8, 8))
    assert "the first 128 units" in panel.info_line.text()


def test_no_atlas_for_two_inputs(panel, small_snapshot):
    panel.show_snapshot(small_snapshot)
    assert not panel.tabs.isTabEnabled(2)
    assert panel.atlas_item.image is None


@pytest.mark.parametrize("units, columns", [(1, 1), (10, 5), (32, 8), (128, 16), (500, 16)])
def test_atlas_columns(units, columns):
    assert atlas_columns(units) == columns


def test_weight_atlas_places_unit_k_at_row_k_div_columns():
    w = np.arange(5 * 4, dtype=float).reshape(5, 4)
    atlas = weight_atlas(w, 2, columns=3)
    expected = np.full((5, 8), np.nan)
    for k in range(5):
        r, c = divmod(k, 3)
        expected[3 * r: 3 * r + 2, 3 * c: 3 * c + 2] = w[k].reshape(2, 2)
    np.testing.assert_array_equal(atlas, expected)


def test_select_layer_switches_the_shown_layer(panel, qtbot, small_snapshot):
    panel.show_snapshot(small_snapshot)
    assert panel.layer == 0
    with qtbot.waitSignal(panel.layer_selected) as signal:
        panel.select_layer(1)
    assert signal.args == [1]
    assert panel.layer_combo.currentIndex() == 1
    np.testing.assert_array_equal(panel.matrix_item.image, small_snapshot.params["layers[1].weight"])
    assert "2 units × 4 inputs" in panel.info_line.text()
    panel.set_view("histogram")
    panel.select_layer(2)
    counts, _ = histogram(small_snapshot.params["layers[2].weight"].ravel(), bins=40)
    np.testing.assert_array_equal(panel.histogram_curve.yData, counts)


def test_a_hidden_panel_draws_when_shown(qtbot, small_snapshot):
    setup_pyqtgraph()
    panel = WeightsPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(small_snapshot)
    assert panel.matrix_item.image is None
    panel.show()
    qtbot.waitExposed(panel)
    np.testing.assert_array_equal(panel.matrix_item.image, small_snapshot.params["layers[0].weight"])


def test_a_relu_document_keeps_the_selected_layer(panel, small_snapshot):
    panel.show_snapshot(small_snapshot)
    panel.select_layer(1)
    doc = default_document()
    doc["layers"][0]["activation"] = "relu"
    exp = Experiment(doc)
    snap = exp.snapshot()
    panel.show_snapshot(snap)
    assert panel.layer == 1
    assert panel.layer_combo.itemText(0) == "Hidden layer 1 · dense relu"
    np.testing.assert_array_equal(panel.matrix_item.image, snap.params["layers[1].weight"])


@pytest.mark.parametrize("view", ["matrix", "histogram", "images"])
def test_non_finite_weights_draw_without_warnings(panel, digits_snapshot, view):
    w = np.array(digits_snapshot.params["layers[0].weight"])
    w[0, :5] = np.nan
    w[1, 0] = np.inf
    params = {**digits_snapshot.params, "layers[0].weight": w, "layers[4].weight": np.full((3, 64), np.nan)}
    snap = replace(digits_snapshot, params=params)
    panel.show_snapshot(snap)
    panel.set_view(view)
    panel.grab()
    if view == "matrix":
        np.testing.assert_array_equal(panel.matrix_item.image, w)
        bound = np.abs(w[np.isfinite(w)]).max()
        assert tuple(panel.matrix_item.getLevels()) == pytest.approx((-bound, bound))
    panel.select_layer(4)  # all NaN
    panel.grab()
    panel.set_view("matrix")
    assert panel.cell_labels is None  # 192 cells: too many to write
    assert tuple(panel.matrix_item.getLevels()) == (-1.0, 1.0)
