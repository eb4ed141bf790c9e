"""Where the network graph puts things, and what is under a point: plain NumPy, no Qt.

Column 0 holds the input features, column ``i + 1`` the units of ``layers[i]``. A column of at most
:data:`HEATMAP_MAX_UNITS` units draws one node per unit; a bigger one is a thin strip. A layer with
thousands of weights draws only the strongest few into each unit, and the whole graph at most about
``budget`` edges (:func:`edge_plan`). Hit-testing works on this geometry (:func:`hit`), never on
one Qt item per edge. :mod:`nnviz.gui.panels.graph` draws what this module places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HEATMAP_MAX_UNITS = 32  # a column with more units is drawn as a compact strip, without heatmaps
EDGE_BUDGET = 4000  # at most about this many weight edges are drawn in the whole network
FULL_LAYER_EDGES = 2000  # a layer with more weights draws only the strongest into each unit …
PARTIAL_LAYER_EDGES = 128  # … about this many in all
CROWDED_LAYER = 100  # in a layer drawing more edges than this, only the strongest stand out
STRIP_HEIGHT = 16.0  # scene height of the diagram when it has a compact column
HEAT_SIZE = 0.8  # side of a heatmap node, in unit pitches
DOT_SIZE = 0.5  # diameter of a plain node
STRIP_WIDTH = 0.3
BIAS_STRIP_WIDTH = 0.1
BIAS_STRIP_GAP = 0.04
MIN_SPACING = 1.5  # between columns, in unit pitches: a node (0.8) and room for its edges
MAX_SPACING = 16.0
MIN_FILLED_HEIGHT = 6.0  # a small network is spaced as if this many units high (no giant nodes)
SIDE_MARGINS = 2.4  # scene units left of the first column (input names) and right of the last
TITLE_ROOM = 1.3  # scene units above the top unit (the titles) and below the bottom one


def scene_height(height: float) -> float:
    """The height of the scene the view shows for a diagram ``height`` unit pitches high."""
    return max(height, MIN_FILLED_HEIGHT) + TITLE_ROOM


def diagram_height(sizes: list[int]) -> float:
    """The height, in unit pitches, of the tallest column of ``sizes``."""
    small = [n for n in sizes if n <= HEATMAP_MAX_UNITS]
    return float(max(max(small, default=1), STRIP_HEIGHT if len(small) < len(sizes) else 1))


@dataclass
class Column:
    """Where one column's units sit in the scene, and how they are drawn."""

    kind: str  # "heatmap" | "curve" | "dot" | "strip"
    units: int
    x: float
    ys: np.ndarray  # centre of each unit, top (unit 0) to bottom
    pitch: float
    half: float  # half the node's width (a strip: half the strip's width)
    left: float  # where incoming edges end, left of x
    has_bias: bool
    title: str

    @property
    def top(self) -> float:
        return float(self.ys[0] + max(self.half, self.pitch / 2))

    @property
    def bottom(self) -> float:
        return float(self.ys[-1] - max(self.half, self.pitch / 2))


@dataclass
class EdgeGeometry:
    """Where edges start and end, per column (set when the layout changes)."""

    src_x: np.ndarray  # x where edges leave each column
    dst_x: np.ndarray  # x where edges enter each column
    offsets: np.ndarray  # index in ys of each column's first unit
    ys: np.ndarray  # y of every unit, column after column


@dataclass
class DrawnEdges:
    """The weight edges drawn this frame, flat over all layers (for hit-testing and tests)."""

    layer: np.ndarray
    unit: np.ndarray
    source: np.ndarray
    weight: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray

    @classmethod
    def empty(cls) -> DrawnEdges:
        i, f = np.zeros(0, dtype=np.int64), np.zeros(0)
        return cls(i, i, i, f, f, f, f, f)


# -- layout ----------------------------------------------------------------------------------------
def layout_columns(sizes: list[int], titles: list[str], has_bias: list[bool], planar: bool,
                   aspect: float | None = None, min_spacing: float = MIN_SPACING,
                   curves: bool = False) -> list[Column]:
    """One :class:`Column` per entry of ``sizes`` (the inputs, then each layer's units), left to
    right; ``planar`` data (2-D inputs) draws small columns as heatmaps, ``curves`` (1-D inputs)
    as squares of the same size with each node's curve over x, else as dots.

    ``aspect`` (the view's width over its height, in pixels) spaces the columns so that the graph
    fills the view's width and height alike: a deep network then keeps its nodes large instead of
    shrinking to fit a wide, flat diagram. ``min_spacing`` (scene units) keeps the column titles
    apart; without ``aspect`` the spacing is a fixed function of the sizes."""
    height = diagram_height(sizes)
    gaps = max(len(sizes) - 1, 1)
    if aspect is None:
        spacing = min(16.0, max(3.0, 1.7 * (height + 1.5) / gaps))
    else:
        spacing = (aspect * scene_height(height) - SIDE_MARGINS) / gaps
        spacing = min(MAX_SPACING, max(MIN_SPACING, min_spacing, spacing))
    columns = []
    for c, (n, title, bias) in enumerate(zip(sizes, titles, has_bias)):
        if n <= HEATMAP_MAX_UNITS:
            pitch = 1.0
            kind, half = ("heatmap", HEAT_SIZE / 2) if planar else ("curve", HEAT_SIZE / 2) if curves \
                else ("dot", DOT_SIZE / 2)
            left = half
        else:
            pitch = height / n
            kind, half = "strip", STRIP_WIDTH / 2
            left = half + (BIAS_STRIP_GAP + BIAS_STRIP_WIDTH if bias else 0.0)
        ys = ((n - 1) / 2 - np.arange(n)) * pitch
        columns.append(Column(kind, n, c * spacing, ys, pitch, half, left, bias, title))
    return columns


def edge_geometry(columns: list[Column]) -> EdgeGeometry:
    return EdgeGeometry(src_x=np.array([c.x + c.half for c in columns]),
                        dst_x=np.array([c.x - c.left for c in columns]),
                        offsets=np.cumsum([0] + [c.units for c in columns]),
                        ys=np.concatenate([c.ys for c in columns]))


# -- which edges ------------------------------------------------------------------------------------
def edge_plan(shapes: list[tuple[int, ...] | None], budget: float = EDGE_BUDGET) -> list[int | None]:
    """Edges to keep into each unit, per layer of weight shape ``(units, fan_in)`` (None: a layer
    without weights), None meaning all.

    A layer of at most FULL_LAYER_EDGES weights draws them all; a bigger one draws the strongest
    k into each unit, about PARTIAL_LAYER_EDGES in all (more lines only merge into a wall). If
    the total still exceeds ``budget``, the budget is shared fairly: a layer that needs less than
    its share keeps what it needs and leaves the rest to the others.
    """
    plan: list[int | None] = [None] * len(shapes)
    want = {}
    for i, shape in enumerate(shapes):
        if shape is not None:
            units, fan_in = shape
            count = units * fan_in
            want[i] = count if count <= FULL_LAYER_EDGES else units * max(1, PARTIAL_LAYER_EDGES // units)
    pending = sorted((count, i) for i, count in want.items())
    budget = float(budget)
    while pending and pending[0][0] <= budget / len(pending):
        count, _ = pending.pop(0)
        budget -= count
    allowed = {i: budget / len(pending) for _, i in pending}
    for i, count in want.items():
        units, fan_in = shapes[i]
        if count < units * fan_in or i in allowed:
            keep = min(count, allowed.get(i, count)) // units
            plan[i] = int(max(1, min(fan_in, keep)))
    return plan


def every_edge(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``(unit, source)`` of every weight of a ``(units, fan_in)`` matrix, row by row."""
    units, fan_in = shape
    return np.repeat(np.arange(units), fan_in), np.tile(np.arange(fan_in), units)


def layer_edges(w: np.ndarray, keep: int | None, everything=None) -> tuple[np.ndarray, ...]:
    """The edges of weight matrix ``w`` to draw: ``(unit, source, weight, strength)``, all of them
    (``keep`` None; ``everything`` is :func:`every_edge` of the shape, made once) or the ``keep``
    strongest into each unit. ``strength`` is ``|w| / max |w|``, bent down in a crowded layer, so
    that most edges stay thin and pale and the strongest stand out instead of merging into a wall."""
    units, fan_in = w.shape
    magnitude = np.abs(np.nan_to_num(w, nan=0.0, posinf=1e300, neginf=-1e300))
    if keep is None:
        unit, source = everything if everything is not None else every_edge(w.shape)
        weight, strength = w.ravel(), magnitude.ravel()
    else:
        strongest = np.argpartition(magnitude, fan_in - keep, axis=1)[:, fan_in - keep:]
        unit = np.repeat(np.arange(units), keep)
        source = strongest.ravel()
        weight, strength = w[unit, source], magnitude[unit, source]
    top = magnitude.max() if magnitude.size else 0.0
    strength = strength / (top if top > 0 else 1.0)
    if unit.size > CROWDED_LAYER:
        strength = strength ** (1.0 + np.log2(unit.size / CROWDED_LAYER))
    return unit, source, weight, strength


def place_edges(parts: list[tuple], geometry: EdgeGeometry) -> tuple[DrawnEdges, np.ndarray]:
    """The drawn edges of ``parts`` (``(layer, unit, source, weight, strength)`` per layer) and
    their strengths, flat over the layers, with their end points."""
    if not parts:
        return DrawnEdges.empty(), np.zeros(0)
    layer = np.concatenate([np.full(p[1].size, p[0]) for p in parts])
    unit, source, weight, strength = (np.concatenate([p[k] for p in parts]) for k in range(1, 5))
    g = geometry
    x0, x1 = g.src_x[layer], g.dst_x[layer + 1]
    y0 = g.ys[g.offsets[layer] + source]
    y1 = g.ys[g.offsets[layer + 1] + unit]
    return DrawnEdges(layer, unit, source, weight, x0, y0, x1, y1), strength


# -- hit-testing --------------------------------------------------------------------------------------
def unit_at(col: Column, x: float, y: float, tolerance: float) -> int | None:
    """The unit of ``col`` at ``(x, y)`` (scene units), within ``tolerance``, or None."""
    if not col.x - col.left - tolerance <= x <= col.x + col.half + tolerance:
        return None
    j = int(round(((col.units - 1) / 2 * col.pitch - y) / col.pitch))
    if col.kind == "strip":
        return j if 0 <= j < col.units else None
    if 0 <= j < col.units and abs(y - col.ys[j]) <= col.half + tolerance and abs(x - col.x) <= col.half + tolerance:
        return j
    return None


def edge_at(drawn: DrawnEdges, x: float, y: float, tolerance: float) -> int | None:
    """The index of the drawn edge nearest ``(x, y)``, if no farther than ``tolerance``."""
    d = drawn
    if d.x0.size == 0:
        return None
    dx, dy = d.x1 - d.x0, d.y1 - d.y0
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(((x - d.x0) * dx + (y - d.y0) * dy) / length2, 0.0, 1.0)
    t = np.nan_to_num(t)
    dist2 = (d.x0 + t * dx - x) ** 2 + (d.y0 + t * dy - y) ** 2
    k = int(np.argmin(dist2))
    return k if dist2[k] <= tolerance ** 2 else None


def hit(columns: list[Column], drawn: DrawnEdges, x: float, y: float,
        tolerance: float) -> tuple[str, int, int, int | None] | None:
    """What is at ``(x, y)``, nodes first: ``(kind, column, unit, source)`` with kind "input",
    "neuron" or "edge" (``source`` only for edges), or None."""
    for c, col in enumerate(columns):
        unit = unit_at(col, x, y, tolerance)
        if unit is not None:
            return ("input" if c == 0 else "neuron"), c, unit, None
    k = edge_at(drawn, x, y, tolerance)
    if k is None:
        return None
    return "edge", int(drawn.layer[k]) + 1, int(drawn.unit[k]), int(drawn.source[k])
