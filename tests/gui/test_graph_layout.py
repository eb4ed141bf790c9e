"""The graph's layout, edge choice and hit-testing: plain NumPy, tested without a widget."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.gui.panels.graph_layout import (
    EDGE_BUDGET,
    FULL_LAYER_EDGES,
    HEATMAP_MAX_UNITS,
    DrawnEdges,
    edge_at,
    edge_geometry,
    edge_plan,
    hit,
    layer_edges,
    layout_columns,
    place_edges,
    unit_at,
)

REPO = Path(__file__).resolve().parents[2]


def _columns(sizes, planar=False):
    titles = [f"c{c}" for c in range(len(sizes))]
    return layout_columns(sizes, titles, [c > 0 for c in range(len(sizes))], planar)


def test_the_module_imports_no_qt():
    code = ("import sys, nnviz.gui.panels.graph_layout; "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))])")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_columns_run_left_to_right_and_centre_their_units():
    cols = _columns([2, 8, 1])
    assert [c.kind for c in cols] == ["dot", "dot", "dot"]
    assert [c.units for c in cols] == [2, 8, 1]
    assert cols[0].x == 0 and cols[0].x < cols[1].x < cols[2].x
    for col in cols:
        assert np.all(np.diff(col.ys) == -col.pitch)  # unit 0 on top, one pitch apart
        assert col.ys.mean() == pytest.approx(0.0)
    assert cols[1].top > cols[0].top and cols[1].bottom < cols[0].bottom


def test_planar_data_draws_heatmaps_and_a_big_column_is_a_strip():
    cols = _columns([2, HEATMAP_MAX_UNITS + 1, 3], planar=True)
    assert [c.kind for c in cols] == ["heatmap", "strip", "heatmap"]
    strip = cols[1]
    assert strip.units * strip.pitch == pytest.approx(16.0)  # the strip spans the diagram's height
    assert strip.left > strip.half  # the bias strip sits left of it; edges end beyond it


def test_small_layers_draw_every_edge():
    assert edge_plan([(8, 2), (1, 8)]) == [None, None]
    assert edge_plan([(8, 2), None, (1, 8)]) == [None, None, None]  # a layer without weights


def test_a_big_layer_draws_its_strongest_edges_into_each_unit():
    units, fan_in = 10, FULL_LAYER_EDGES  # more weights than a layer draws whole
    plan = edge_plan([(units, fan_in)])
    assert plan[0] is not None and 1 <= plan[0] < fan_in


def test_the_budget_is_shared_and_never_exceeded_much():
    shapes = [(128, 784), (128, 128), (10, 128)]
    plan = edge_plan(shapes, budget=EDGE_BUDGET)
    drawn = sum(units * (keep if keep is not None else fan_in) for (units, fan_in), keep in zip(shapes, plan))
    assert drawn <= EDGE_BUDGET * 1.05
    assert edge_plan(shapes, budget=400) != plan  # a smaller budget draws fewer


def test_layer_edges_keep_the_strongest_and_scale_their_strength():
    w = np.array([[0.1, -2.0, 0.5], [3.0, 0.0, -0.2]])
    unit, source, weight, strength = layer_edges(w, keep=1)
    assert unit.tolist() == [0, 1] and source.tolist() == [1, 0]
    np.testing.assert_array_equal(weight, [-2.0, 3.0])
    np.testing.assert_allclose(strength, [2 / 3, 1.0])
    unit, source, weight, strength = layer_edges(w, keep=None)
    assert unit.size == 6 and strength.max() == 1.0


def test_placed_edges_join_their_units():
    cols = _columns([2, 3])
    g = edge_geometry(cols)
    w = np.arange(6.0).reshape(3, 2) - 2.5
    drawn, strength = place_edges([(0, *layer_edges(w, None))], g)
    assert drawn.x0.size == 6 and strength.size == 6
    k = int(np.flatnonzero((drawn.unit == 2) & (drawn.source == 1))[0])
    assert drawn.y0[k] == cols[0].ys[1] and drawn.y1[k] == cols[1].ys[2]
    assert drawn.x0[k] == cols[0].x + cols[0].half and drawn.x1[k] == cols[1].x - cols[1].left
    empty, strength = place_edges([], g)
    assert empty.x0.size == 0 and strength.size == 0


def test_hit_finds_nodes_first_then_the_nearest_edge():
    cols = _columns([2, 3])
    drawn, _ = place_edges([(0, *layer_edges(np.ones((3, 2)), None))], edge_geometry(cols))
    assert hit(cols, drawn, cols[0].x, cols[0].ys[1], 0.05) == ("input", 0, 1, None)
    assert hit(cols, drawn, cols[1].x, cols[1].ys[2], 0.05) == ("neuron", 1, 2, None)
    k = 4  # a quarter of the way along it, where no other edge is near (they cross in the middle)
    x, y = drawn.x0[k] + (drawn.x1[k] - drawn.x0[k]) / 4, drawn.y0[k] + (drawn.y1[k] - drawn.y0[k]) / 4
    assert hit(cols, drawn, x, y, 0.05) == ("edge", 1, int(drawn.unit[k]), int(drawn.source[k]))
    assert hit(cols, drawn, x, 100.0, 0.05) is None


def test_hit_tolerance_decides():
    cols = _columns([1, 1])
    col = cols[1]
    x = col.x + col.half + 0.1
    assert unit_at(col, x, 0.0, 0.05) is None
    assert unit_at(col, x, 0.0, 0.2) == 0
    assert edge_at(DrawnEdges.empty(), 0.0, 0.0, 1.0) is None
