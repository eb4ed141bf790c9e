"""The output panel draws each kind of snapshot in its mode, from the snapshot's own arrays."""

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from nnviz.core.datasets import Dataset
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.gui import export
from nnviz.gui.panels.output import OutputPanel
from nnviz.gui.style import NEGATIVE, POSITIVE


def _model(inputs, outputs, activation, loss):
    return {"format": "nnviz.model/1", "name": "test", "inputs": inputs,
            "layers": [{"type": "dense", "units": 6, "activation": "tanh"},
                       {"type": "dense", "units": outputs, "activation": activation}],
            "loss": loss, "optimizer": {"name": "adam", "lr": 0.02}, "seed": 0}


def _snapshot(exp: Experiment, steps: int = 30):
    exp.run(steps)
    return exp.snapshot()


@pytest.fixture
def panel(make_panel):
    return make_panel(OutputPanel, size=(700, 450))


@pytest.fixture(scope="module")
def circle():
    return _snapshot(Experiment())


@pytest.fixture(scope="module")
def square():
    exp = Experiment(_model(1, 1, "identity", "mse"), DataConfig(dataset="square", test_fraction=0.25))
    return _snapshot(exp)


def _three_classes(features: int) -> Dataset:
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1, 2], 40)
    centres = rng.normal(scale=3.0, size=(3, features))
    X = centres[labels] + rng.normal(size=(labels.size, features))
    return Dataset(X, labels.astype(float), "blobs", "classification",
                   tuple(f"f{i}" for i in range(features)), ("label",))


def _brush_colors(item) -> list[str]:
    return [QtGui.QBrush(b).color().name() for b in item.data["brush"]]


def test_circle_draws_the_decision_surface_with_the_points(panel, circle):
    panel.show_snapshot(circle)

    assert panel.mode == "surface"
    np.testing.assert_array_equal(panel.surface_item.image, circle.surface)
    assert len(panel.train_points.data) == len(circle.raw_train[0])
    assert len(panel.test_points.data) == len(circle.raw_test[0])
    x, y = panel.train_points.getData()
    np.testing.assert_array_equal(x, circle.raw_train[0][:, 0])
    np.testing.assert_array_equal(y, circle.raw_train[0][:, 1])
    expected = np.where(circle.raw_train[1][:, 0] > 0.5, QtGui.QColor(POSITIVE).name(),
                        QtGui.QColor(NEGATIVE).name())
    assert _brush_colors(panel.train_points) == list(expected)
    # Test points are told apart by their outline.
    assert panel.test_points.opts["pen"].color() != panel.train_points.opts["pen"].color()
    # Pixel centres sit on the sampled grid: pixel (0, 0) at (x0, y0), the last one at (x1, y1).
    x0, x1, y0, y1 = circle.grid_extent
    first = panel.surface_item.mapToParent(QtCore.QPointF(0.5, 0.5))
    last = panel.surface_item.mapToParent(QtCore.QPointF(circle.surface.shape[1] - 0.5,
                                                         circle.surface.shape[0] - 0.5))
    assert (first.x(), first.y()) == pytest.approx((x0, y0))
    assert (last.x(), last.y()) == pytest.approx((x1, y1))
    # A sigmoid output is centred on 0.5.
    assert tuple(panel.surface_item.levels) == pytest.approx((0.0, 1.0))
    assert f"{100 * circle.test_accuracy:.1f}%" in panel.title.text()


def test_show_test_data_toggles_the_test_points(panel, circle):
    panel.show_snapshot(circle)
    assert panel.test_points.isVisible()

    panel.show_test.setChecked(False)
    assert not panel.test_points.isVisible()
    assert panel.train_points.isVisible()
    panel.show_snapshot(circle)  # a new snapshot keeps the choice
    assert not panel.test_points.isVisible()

    panel.show_test.setChecked(True)
    assert panel.test_points.isVisible()


def test_discretize_shows_two_colours_and_back(panel, circle):
    panel.show_snapshot(circle)
    panel.discretize.setChecked(True)
    image = panel.surface_item.image
    assert set(np.unique(image)) <= {0.0, 1.0}
    np.testing.assert_array_equal(image == 1.0, circle.surface > 0.5)

    panel.discretize.setChecked(False)
    np.testing.assert_array_equal(panel.surface_item.image, circle.surface)


def test_items_are_reused_between_snapshots_of_the_same_data(panel):
    exp = Experiment()
    panel.show_snapshot(_snapshot(exp, 5))
    items = (panel.surface_item, panel.train_points, panel.test_points)

    later = _snapshot(exp, 50)
    panel.show_snapshot(later)

    assert (panel.surface_item, panel.train_points, panel.test_points) == items
    np.testing.assert_array_equal(panel.surface_item.image, later.surface)


def test_square_draws_the_fitted_curve(panel, circle, square):
    panel.show_snapshot(circle)
    panel.show_snapshot(square)  # a new kind of data rebuilds the items

    assert panel.mode == "curve"
    assert panel.surface_item is None
    np.testing.assert_array_equal(panel.curve_item.xData, square.curve[0])
    np.testing.assert_array_equal(panel.curve_item.yData, square.curve[1])
    x, y = panel.train_points.getData()
    np.testing.assert_array_equal(x, square.raw_train[0][:, 0])
    np.testing.assert_array_equal(y, square.raw_train[1][:, 0])
    assert len(panel.test_points.data) == len(square.raw_test[0]) == 50
    assert panel.plot.getAxis("bottom").labelText == "x"
    assert not panel.discretize.isEnabled()

    panel.show_test.setChecked(False)
    assert not panel.test_points.isVisible()


@pytest.mark.parametrize("features, tick", [(4, False), (2, True)])
def test_three_classes_draw_the_confusion_matrix(panel, features, tick):
    """On inputs that are not a plane the confusion matrix is the picture; on a plane it is the
    second view, behind "Confusion matrix"."""
    exp = Experiment(_model(features, 3, "softmax", "cross_entropy"),
                     DataConfig(imported=_three_classes(features), test_fraction=0.3))
    snap = _snapshot(exp, 40)
    assert snap.confusion.shape == (3, 3)

    panel.show_confusion.setChecked(tick)
    panel.show_snapshot(snap)

    assert panel.mode == "confusion"
    np.testing.assert_array_equal(panel.confusion_item.image, snap.confusion)
    texts = panel.cell_labels.texts()
    assert texts == [str(c) for c in snap.confusion.ravel()]
    assert panel.confusion_item.image.sum() == len(snap.raw_test[0])
    assert not panel.show_test.isEnabled()
    ticks = [text for _, text in panel.plot.getAxis("bottom")._tickLevels[0]]
    assert ticks == ["0", "1", "2"]  # the target values, as the Mistakes gallery names the classes


def test_three_classes_on_a_plane_keep_the_decision_surface(panel):
    """Regions coloured by the class predicted, lighter where the network is less sure; the points
    coloured by their class; a legend naming the classes from 1 with their target values."""
    from nnviz.gui.panels.output import CLASS_COLORS

    exp = Experiment(_model(2, 3, "softmax", "cross_entropy"),
                     DataConfig(imported=_three_classes(2), test_fraction=0.3))
    snap = _snapshot(exp, 300)
    panel.show_snapshot(snap)

    assert panel.mode == "regions" and panel.export_title() == "Decision surface"
    image = panel.surface_item.image
    assert image.shape == snap.surface_classes.shape + (3,)
    assert set(np.unique(snap.surface_classes)) == {0, 1, 2}
    for c in range(3):  # where the network is surest of a class, the point has that class's hue
        where = np.unravel_index(np.argmax(np.where(snap.surface_classes == c, snap.surface_confidence, -1)),
                                 snap.surface_classes.shape)
        hue = QtGui.QColor(*image[where].astype(int).tolist()).hue()
        assert abs(hue - QtGui.QColor(CLASS_COLORS[c]).hue()) <= 12
    sure, unsure = np.unravel_index(np.argmax(snap.surface_confidence), image.shape[:2]), \
        np.unravel_index(np.argmin(snap.surface_confidence), image.shape[:2])
    assert image[unsure].astype(int).sum() > image[sure].astype(int).sum()  # lighter where unsure
    labels = [label.text for _, label in panel.legend.items]
    assert labels == ["class 1 (target 0)", "class 2 (target 1)", "class 3 (target 2)"]
    colors = _brush_colors(panel.train_points)
    expected = [CLASS_COLORS[int(c)] for c in snap.raw_train[1][:, 0]]
    assert colors == expected
    header, rows = panel.export_table()
    assert header == ["kind", "x1", "x2", "class_index", "probability"]
    assert {r[3] for r in rows if r[0] == "surface"} == {0, 1, 2}
    assert all(isinstance(r[3], int) for r in rows)  # classes as integers, never 0.0/1.0/2.0

    panel.discretize.setChecked(True)
    assert len({tuple(p) for p in panel.surface_item.image.reshape(-1, 3).tolist()}) == 3


def test_regression_plane_colours_points_by_target(panel):
    exp = Experiment(_model(2, 1, "identity", "mse"), DataConfig(dataset="plane"))
    snap = _snapshot(exp)
    panel.show_snapshot(snap)

    assert panel.mode == "surface"
    np.testing.assert_array_equal(panel.surface_item.image, snap.surface)
    lo, hi = panel.surface_item.levels
    assert lo == pytest.approx(-hi)  # centred on 0
    targets = snap.raw_train[1][:, 0]
    colors = _brush_colors(panel.train_points)
    assert colors[int(np.argmin(targets))] != colors[int(np.argmax(targets))]


def test_regression_without_a_plane_draws_predicted_against_target(panel):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 3))
    data = Dataset(X, X @ [1.0, -0.5, 0.25], "linear", "regression", ("a", "b", "c"), ("y",))
    snap = _snapshot(Experiment(_model(3, 1, "identity", "mse"), DataConfig(imported=data)))

    panel.show_snapshot(snap)

    assert panel.mode == "scatter"
    x, y = panel.test_points.getData()
    np.testing.assert_array_equal(x, snap.raw_test[1].ravel())
    np.testing.assert_array_equal(y, snap.predictions.ravel())
    assert panel.identity_line.angle == 45


def test_the_title_is_cut_to_the_panel_and_never_asks_for_a_new_layout(panel, circle):
    panel.show_snapshot(circle)
    hint = panel.title.sizeHint()
    panel.title.setText("Step 1,000,000  ·  " + "a very long title " * 20)
    assert panel.title.sizeHint() == hint  # a new text does not change the window's layout
    assert panel.title.width() <= panel.width()
    panel.title.grab()  # paints, eliding the text


@pytest.mark.parametrize("size", [(700, 450), (420, 640)])
def test_the_decision_surface_fills_the_plot_in_a_wide_or_tall_panel(make_panel, circle, size):
    """The plot shows the data's plane, all of it coloured: no empty band around a patch of surface;
    and to scale, a unit as long across as up (the circle stays round), the spare room of the
    panel left around the plot, and out of a figure."""
    panel = make_panel(OutputPanel, size=size)
    panel.show_snapshot(circle)
    panel.grab()  # laid out at its size
    (vx0, vx1), (vy0, vy1) = panel.plot.getViewBox().viewRange()
    surface = panel.surface_item.mapRectToParent(panel.surface_item.boundingRect())
    assert surface.left() <= vx0 and surface.right() >= vx1
    assert surface.top() <= vy0 and surface.bottom() >= vy1
    data = circle.raw_train[0]
    x0, x1, y0, y1 = circle.grid_extent
    # the view is the plane the core sampled (the data and a small margin), not a wider one
    assert vx1 - vx0 == pytest.approx(x1 - x0, rel=0.02) and vy1 - vy0 == pytest.approx(y1 - y0, rel=0.02)
    assert vx0 <= data[:, 0].min() and data[:, 0].max() <= vx1
    px, py = panel.plot.getViewBox().viewPixelSize()
    assert px == pytest.approx(py, rel=0.01)
    box = panel.plot.getViewBox().sceneBoundingRect()
    # the spare room is around the plot: it is where the panel's longer side is
    assert box.width() < 0.75 * panel.view.width() if size[0] > size[1] else box.height() < 0.75 * panel.view.height()
    figure = export.figure_rect(panel.view)
    wide = size[0] > size[1]
    assert figure.width() < panel.view.width() - 100 if wide else figure.height() < panel.view.height() - 100
    assert figure.contains(panel.view.mapFromScene(box).boundingRect().adjusted(1, 1, -1, -1))


def test_a_plane_of_unlike_inputs_fills_the_plot(make_panel):
    """Two columns on unlike scales (a price in the thousands, a rating 0…5) are not drawn to scale:
    the plot would be a sliver. The plane fills the plot instead."""
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.uniform(0, 5000, 200), rng.uniform(0, 5, 200)])
    y = (X[:, 0] / 1000 + X[:, 1] > 5).astype(float)
    data = Dataset(X, y, "prices", "classification", ("price", "rating"), ("buy",))
    exp = Experiment(_model(2, 1, "sigmoid", "bce"), DataConfig(imported=data))
    panel = make_panel(OutputPanel, size=(700, 450))
    panel.show_snapshot(_snapshot(exp, 5))
    panel.grab()
    assert panel.mode == "surface"
    box = panel.plot.getViewBox().sceneBoundingRect()
    assert box.width() > 0.8 * panel.view.width() and box.height() > 0.8 * panel.view.height()
    assert export.figure_rect(panel.view) == panel.view.rect()
