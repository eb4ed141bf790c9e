"""A one-input network's graph: each neuron draws its output as a curve over x (the ReLU pieces that
add up to x²), hovering one shows the curve larger, and exported figures draw the curves too."""

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from nnviz.core.examples import list_examples, load_example
from nnviz.core.experiment import Experiment
from nnviz.gui.export import export_figure
from nnviz.gui.panels.graph import GraphPanel
from nnviz.gui.style import POSITIVE

BLUE = QtGui.QColor(POSITIVE)  # the curves' colour


def _square_fit(steps: int, layers=None) -> Experiment:
    doc = load_example("square-fit")
    if layers is not None:
        doc["layers"] = layers
    exp = Experiment(doc)
    exp.run(steps)
    return exp


@pytest.fixture(scope="module")
def trained():
    exp = _square_fit(300)
    return exp, exp.snapshot()


@pytest.fixture
def panel(make_panel):
    return make_panel(GraphPanel, size=(900, 560))


def _pixels(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    bgra = data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()]
    return bgra[..., 2::-1].astype(int)  # RGB


def _bluish(rgb: np.ndarray) -> np.ndarray:
    """Pixels near the curves' blue (antialiased edges included)."""
    target = np.array([BLUE.red(), BLUE.green(), BLUE.blue()])
    return np.abs(rgb - target).sum(axis=-1) < 120


def _region(rgb: np.ndarray, rect: QtCore.QRectF, inset: int = 3) -> np.ndarray:
    r = rect.toRect()
    return rgb[r.top() + inset:r.bottom() - inset, r.left() + inset:r.right() - inset]


def test_every_node_of_a_one_input_network_is_a_square_with_its_curve(panel, trained):
    exp, snap = trained
    panel.show_snapshot(snap)
    assert panel.column_kinds() == ("curve", "curve", "curve")
    rgb = _pixels(panel.graphics_view.viewport().grab().toImage())
    w = snap.params["layers[0].weight"][:, 0]
    for unit, rect in enumerate(panel.node_pixel_rects(1)):
        x, y = panel.curve_values(1, unit)
        np.testing.assert_array_equal(y, snap.node_curves.columns[1][unit])
        # the curve is visible in the square: a line of blue pixels across it
        square = _region(rgb, rect)
        blue = _bluish(square)
        assert blue.any(axis=0).mean() > 0.8, f"unit {unit}: no curve across its square"
        # a rising ReLU (w > 0) is high on the right and low on the left, a falling one the other way
        rows = [np.flatnonzero(blue[:, k]).mean() for k in (1, blue.shape[1] - 2) if blue[:, k].any()]
        if len(rows) == 2 and np.ptp(y) > 0 and (y[0] == 0) != (y[-1] == 0):
            left, right = rows  # pixel rows grow downwards
            assert (right < left) == (w[unit] > 0), f"unit {unit}: w = {w[unit]}, left {left}, right {right}"


def test_the_drawn_curve_follows_the_neurons_output_inside_its_square(panel, trained):
    _, snap = trained
    panel.show_snapshot(snap)
    for column in range(3):
        for unit, (cx, cy) in enumerate(panel.node_positions(column)):
            path = panel.curve_tile_path(column, unit)
            _, values = panel.curve_values(column, unit)
            half = 0.4
            assert np.all(np.abs(path[:, 0] - cx) <= half + 1e-9) and np.all(np.abs(path[:, 1] - cy) <= half + 1e-9)
            assert np.all(np.diff(path[:, 0]) > 0)  # x from left to right across the square
            assert path[-1, 0] - path[0, 0] > 1.5 * half
            if np.ptp(values) > 0:  # the height drawn rises with the value, in proportion
                slope, offset = np.polyfit(values, path[:, 1], 1)
                assert slope > 0
                np.testing.assert_allclose(path[:, 1], slope * values + offset, atol=1e-9)


def test_the_output_neuron_draws_the_fitted_curve(panel, trained):
    exp, snap = trained
    panel.show_snapshot(snap)
    x, y = panel.curve_values(2, 0)
    np.testing.assert_allclose(y, exp.net.predict(x.reshape(-1, 1))[:, 0], rtol=1e-12, atol=1e-15)
    path = panel.curve_tile_path(2, 0)
    # y = x² on [-1, 1] after 300 steps: the drawn curve is lowest near the middle, high at both ends
    lowest = np.argmin(path[:, 1])
    assert 0.25 * len(x) < lowest < 0.75 * len(x)
    assert path[0, 1] > path[lowest, 1] and path[-1, 1] > path[lowest, 1]


def test_a_dead_unit_is_a_flat_line_and_non_finite_values_draw_no_warning(panel, trained):
    _, snap = trained
    from dataclasses import replace

    from nnviz.core.snapshot import NodeCurves, frozen
    columns = list(snap.node_curves.columns)
    hidden = np.array(columns[1])
    hidden[0] = 0.0
    hidden[1, :10] = np.nan
    columns[1] = frozen(hidden)
    panel.show_snapshot(replace(snap, node_curves=NodeCurves(snap.node_curves.x, tuple(columns))))
    flat = panel.curve_tile_path(1, 0)
    assert np.ptp(flat[:, 1]) == 0
    broken = panel.curve_tile_path(1, 1)
    assert np.isnan(broken[:10, 1]).all() and np.isfinite(broken[10:, 1]).all()
    panel.graphics_view.grab()


def _hover(qtbot, panel, column, unit):
    point = panel.node_positions(column)[unit]
    target = panel.view_to_widget(QtCore.QPointF(*point))
    qtbot.mouseMove(panel.graphics_view.viewport(), target + QtCore.QPoint(40, 40))
    qtbot.mouseMove(panel.graphics_view.viewport(), target)
    qtbot.waitUntil(lambda: panel.hover_text() != "", timeout=2000)


@pytest.mark.parametrize("column, unit", [(1, 2), (1, 9), (2, 0), (0, 0)])
def test_hovering_a_node_shows_its_curve_larger_beside_the_label(panel, qtbot, trained, column, unit):
    _, snap = trained
    panel.show_snapshot(snap)
    _hover(qtbot, panel, column, unit)
    assert panel.curve_preview_shown() == (column, unit)
    preview, label = panel.curve_preview_rect(), panel.hover_label_rect()
    viewport = QtCore.QRectF(panel.graphics_view.viewport().rect())
    assert viewport.contains(preview) and not preview.intersects(label)
    assert preview.width() >= 200 and preview.height() >= 120  # larger than the thumbnail
    node = panel.node_pixel_rects(column)[unit]  # neither covers the node pointed at
    assert not label.intersects(node) and not preview.intersects(node)
    rgb = _pixels(panel.graphics_view.viewport().grab().toImage())
    assert _bluish(_region(rgb, preview, inset=8)).sum() > 100  # the curve drawn in it


def test_the_preview_leaves_with_the_pointer_and_edges_have_none(panel, qtbot, trained):
    _, snap = trained
    panel.show_snapshot(snap)
    _hover(qtbot, panel, 1, 3)
    assert panel.curve_preview_shown() == (1, 3)
    a, b = panel.node_positions(1)[3], panel.node_positions(2)[0]
    qtbot.mouseMove(panel.graphics_view.viewport(), panel.view_to_widget(QtCore.QPointF(*((a + b) / 2))))
    qtbot.waitUntil(lambda: panel.hover_text().startswith("weight"), timeout=2000)
    assert panel.curve_preview_shown() is None
    qtbot.mouseMove(panel.graphics_view.viewport(), QtCore.QPoint(3, 3))  # empty space
    qtbot.waitUntil(lambda: panel.hover_text() == "", timeout=2000)
    assert panel.curve_preview_shown() is None


def test_a_two_input_network_keeps_its_heatmaps_and_no_preview(panel, qtbot):
    exp = Experiment()
    exp.run(20)
    panel.show_snapshot(exp.snapshot())
    assert "curve" not in panel.column_kinds()
    _hover(qtbot, panel, 1, 0)
    assert panel.curve_preview_shown() is None


@pytest.mark.parametrize("size", [(900, 560), (520, 340)])
def test_a_deep_network_keeps_its_curves_apart_and_in_view(make_panel, qtbot, size):
    exp = _square_fit(200, [{"type": "dense", "units": 16, "activation": "relu"}] * 3 + [{"type": "dense", "units": 1}])
    panel = make_panel(GraphPanel, size=size)
    panel.show_snapshot(exp.snapshot())
    qtbot.waitUntil(panel.laid_out, timeout=3000)
    assert panel.column_kinds() == ("curve",) * 5
    viewport = QtCore.QRectF(panel.graphics_view.viewport().rect())
    for column in range(5):
        rects = panel.node_pixel_rects(column)
        for a, b in zip(rects, rects[1:]):
            assert not a.intersects(b)  # squares do not overlap
        assert all(viewport.contains(r) for r in rects)
    # hovering the lowest unit of the middle column: the preview stays whole in the view
    _hover(qtbot, panel, 2, 15)
    assert viewport.contains(panel.curve_preview_rect())
    assert not panel.curve_preview_rect().intersects(panel.hover_label_rect())


def test_exported_png_and_svg_draw_the_curves(panel, qtbot, trained, tmp_path):
    from test_svg_portable import RSVG, difference, qt_render, rsvg_render

    _, snap = trained
    panel.show_snapshot(snap)
    _hover(qtbot, panel, 1, 2)  # what the pointer is over is no part of the figure
    crop = panel.figure_crop(panel)
    png = QtGui.QImage(str(export_figure(panel, tmp_path / "graph.png")))
    svg = export_figure(panel, tmp_path / "graph.svg")
    assert panel.curve_preview_shown() == (1, 2)  # put back after the export
    assert (png.width(), png.height()) == (crop.width(), crop.height())
    images = {"png": png, "qt": qt_render(svg, png.width(), png.height())}
    if RSVG is not None:  # drawn the same outside Qt (librsvg)
        images["rsvg"] = rsvg_render(svg, png.width(), png.height(), tmp_path / "rsvg.png")
    offset = panel.graphics_view.pos() - crop.topLeft()
    for kind, image in images.items():
        mean, slabs = difference(png, image)
        assert mean < 3.0 and slabs < 0.01, kind
        rgb = _pixels(image)
        for column in range(3):  # every square of the figure has its curve across it
            for unit, rect in enumerate(panel.node_pixel_rects(column)):
                square = _region(rgb, rect.translated(QtCore.QPointF(offset)))
                assert _bluish(square).any(axis=0).mean() > 0.8, (kind, column, unit)


def test_square_fit_from_the_examples_menu_shows_its_relu_curves(qtbot, user, main_window):
    name = next(e.name for e in list_examples() if e.key == "square-fit")
    user.trigger(name)
    user.train(150)
    graph = main_window.graph
    qtbot.waitUntil(lambda: graph.column_kinds() == ("curve", "curve", "curve"), timeout=5000)
    rgb = _pixels(graph.graphics_view.viewport().grab().toImage())
    for unit, rect in enumerate(graph.node_pixel_rects(1)):
        assert _bluish(_region(rgb, rect)).any(axis=0).mean() > 0.8, f"unit {unit} shows no curve"
    _hover(qtbot, graph, 1, 4)
    assert graph.curve_preview_shown() == (1, 4)
    assert "Layer 1, unit 5" in graph.curve_preview.title
