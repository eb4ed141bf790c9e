"""Inputs that are pictures: the test rows a classifier gets wrong, and pictures drawn by hand.

A model whose inputs form a square picture (64 = 8 × 8, as the UCI digits; 784 = 28 × 28, as MNIST)
and that classifies gets two more views in the app, computed here:

* :func:`misclassified` — the rows of the test set (else the training set) whose predicted class is
  not their true class, with the probability the network gives its wrong answer, most confident
  first, at most a given number of them;
* a drawing pad — a picture drawn with the mouse on a bitmap :data:`BLOCK` times finer than the
  picture (:func:`blank_drawing`, :func:`draw_line`), each pixel counting the marked cells of its
  block (:func:`picture_of`): the UCI digits are exactly such counts, of 4 × 4 blocks of a 32 × 32
  bitmap (0 … 16), so a drawing comes out as the data's own pictures do. :func:`predict` runs the
  snapshot's network on it: the same numbers as :meth:`Network.predict <nnviz.core.network.Network.predict>`
  on that picture (after the data's input scaling, as the training rows had it).

A snapshot carries an :class:`ImageClassifier` — its network's recipe and buffers, the picture's side,
the input scaling and the data's pixel range — so a panel predicts on a network of its own, never
touching the trainer (as the loss landscape does with its ``LandscapeJob``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.core.data import InputScaling
from nnviz.core.network import Network

#: input widths that are square pictures, and their side: 28 × 28 (MNIST) and 8 × 8 (UCI digits)
IMAGE_SIDES = {784: 28, 64: 8}
#: a drawing's bitmap is BLOCK times finer than the picture: a pixel counts the BLOCK² cells of its
#: block that are marked (0 … 16), as the UCI digits count 4 × 4 blocks of a 32 × 32 bitmap
BLOCK = 4
#: the pen's radius, in cells of the bitmap, per cell of its side: 2 cells on the 32 × 32 bitmap of
#: an 8 × 8 picture (a stroke about four cells wide, a whole block), 7 on the 112 × 112 of 28 × 28
BRUSH = 1 / 16
#: at most this many misclassified rows are shown
MOST_SHOWN = 48


def image_side(width: int) -> int | None:
    """The side of the square picture ``width`` inputs make, or None."""
    return IMAGE_SIDES.get(width)


def class_probabilities(outputs: np.ndarray, activation: str) -> np.ndarray | None:
    """Each row's class probabilities from a classifier's ``outputs`` (rows, outputs) and its output
    ``activation``: the outputs themselves after a softmax; for several outputs of another kind their
    softmax (as the decision regions read them); ``(1 − p, p)`` for a single sigmoid output; None for
    a single output of another kind (it is no probability)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.shape[1] == 1:
        if activation != "sigmoid":
            return None
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    if activation == "softmax":
        return outputs
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays is elementwise, not a bool
class ImageClassifier:
    """A snapshot's network as a classifier of pictures, ready to predict on any picture: the
    network's recipe (its constructor's arguments) and buffers, the picture's ``side``, the
    ``scaling`` the data's inputs get before the network reads them, the range of the data's pixel
    values (``pixel_range``: a drawing's ink is mapped onto it) and the number of ``classes``.
    When the model is no such classifier, ``side`` is None and ``note`` says why, in a sentence's
    words ("this model takes 2 inputs (x1, x2): not a square picture of 64 or 784")."""

    recipe: dict | None
    buffers: dict[str, np.ndarray] = field(default_factory=dict)
    side: int | None = None
    scaling: InputScaling = field(default_factory=InputScaling)
    pixel_range: tuple[float, float] = (0.0, 16.0)
    classes: int = 0
    activation: str = ""  # the output layer's
    note: str = ""

    @property
    def runnable(self) -> bool:
        """Whether the model classifies pictures (else :attr:`note` says why not)."""
        return self.side is not None

    def network(self, params: dict[str, np.ndarray], reuse: Network | None = None) -> Network:
        """A network with ``params`` (a snapshot's, by name) and the classifier's buffers: ``reuse``
        itself when it was made by this method from the same recipe (its numbers overwritten), else a
        new one."""
        if reuse is not None and getattr(reuse, "_image_recipe", None) == self.recipe:
            net = reuse
        else:
            net = Network(**self.recipe)
            net._image_recipe = self.recipe
        for name, value in list(params.items()) + list(self.buffers.items()):
            net.get(name)[...] = value
        return net


def predict(classifier: ImageClassifier, params: dict[str, np.ndarray], picture: np.ndarray,
            network: Network | None = None) -> np.ndarray:
    """The outputs, (1, outputs), of the network with ``params`` on ``picture`` (side × side, in the
    data's pixel values): :meth:`Network.predict <nnviz.core.network.Network.predict>` of the input
    scaling of its pixels, row by row. ``network`` (from :meth:`ImageClassifier.network` with these
    ``params``) saves building one."""
    net = network if network is not None else classifier.network(params)
    row = np.asarray(picture, dtype=np.float64).reshape(1, -1)
    return net.predict(classifier.scaling.apply(row))


# -- the rows a classifier gets wrong --------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Mistakes:
    """The misclassified rows of one set, the most confident mistakes first.

    ``set_name`` is ``"test"``, or ``"training"`` where nothing is held out; ``evaluated`` the rows
    of it that were classified (all, or the evaluation's fixed sample) and ``total`` how many of them
    are wrong; of those, the first ``len(rows)`` are shown: ``rows`` their indices in the set
    (0-based), ``true`` and ``predicted`` their classes (target values), ``confidence`` the
    probability the network gives its predicted class (None when its output is no probability),
    ``inputs`` their raw input rows and ``pictures`` the same as side × side pictures."""

    set_name: str
    evaluated: int
    total: int
    rows: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray | None
    inputs: np.ndarray
    pictures: np.ndarray

    @property
    def shown(self) -> int:
        return len(self.rows)


def misclassified(snapshot, most: int = MOST_SHOWN) -> Mistakes | None:
    """The rows ``snapshot`` (a :class:`~nnviz.core.snapshot.Snapshot`) classifies wrong, among those
    its predictions are for (the test set, else the training set), the most confident first (ties
    in row order), at most ``most`` of them; None when the model is no classifier of pictures
    (``snapshot.images.note`` says why) or the snapshot has no classes (a diverged run)."""
    images, classes = snapshot.images, snapshot.prediction_classes
    if images is None or not images.runnable or classes is None or snapshot.predictions is None:
        return None
    predicted, true = classes
    test = snapshot.raw_test is not None
    X = (snapshot.raw_test if test else snapshot.raw_train)[0]
    rows = np.arange(len(predicted)) if snapshot.prediction_rows is None else np.asarray(snapshot.prediction_rows)
    wrong = np.flatnonzero(predicted != true)
    probabilities = class_probabilities(snapshot.predictions[wrong], images.activation)
    if probabilities is None:
        confidence, order = None, np.arange(len(wrong))
    else:
        confidence = probabilities[np.arange(len(wrong)), predicted[wrong]]
        # most confident first; a NaN (a run that diverged) last; ties in row order
        order = np.lexsort((wrong, -np.nan_to_num(confidence, nan=-np.inf)))
    shown = wrong[order[:max(0, int(most))]]
    inputs = np.array(X[rows[shown]], dtype=np.float64)
    side = images.side
    return Mistakes("test" if test else "training", len(predicted), len(wrong), rows[shown], true[shown].copy(),
                    predicted[shown].copy(), None if confidence is None else confidence[order[:len(shown)]],
                    inputs, inputs.reshape(-1, side, side))


# -- drawing ---------------------------------------------------------------------------------------
def blank_drawing(side: int) -> np.ndarray:
    """An empty bitmap for a ``side × side`` picture: ``side·BLOCK`` cells square, none marked."""
    return np.zeros((side * BLOCK, side * BLOCK), dtype=bool)


def brush_radius(bitmap: np.ndarray) -> float:
    """The pen's radius on ``bitmap``, in cells (:data:`BRUSH` of its side)."""
    return BRUSH * bitmap.shape[0]


def draw_line(bitmap: np.ndarray, start: tuple[float, float], end: tuple[float, float],
              radius: float | None = None) -> bool:
    """Mark, in place, every cell of ``bitmap`` whose centre lies within ``radius`` (default
    :func:`brush_radius`) of the segment from ``start`` to ``end`` — a round pen's stroke; a point
    when they are equal. Points are ``(x, y)`` in cells: cell ``(row, column)`` spans ``[column,
    column + 1) × [row, row + 1)``. Returns whether a cell was newly marked."""
    radius = brush_radius(bitmap) if radius is None else float(radius)
    (x0, y0), (x1, y1) = (map(float, start)), (map(float, end))
    height, width = bitmap.shape
    c0, c1 = max(0, int(np.floor(min(x0, x1) - radius))), min(width, int(np.ceil(max(x0, x1) + radius)) + 1)
    r0, r1 = max(0, int(np.floor(min(y0, y1) - radius))), min(height, int(np.ceil(max(y0, y1) + radius)) + 1)
    if c0 >= c1 or r0 >= r1:
        return False
    ys, xs = np.mgrid[r0:r1, c0:c1] + 0.5  # cell centres
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
    near = (xs - (x0 + t * dx)) ** 2 + (ys - (y0 + t * dy)) ** 2 <= radius * radius
    window = bitmap[r0:r1, c0:c1]
    new = bool((near & ~window).any())
    window |= near
    return new


def block_counts(bitmap: np.ndarray) -> np.ndarray:
    """The marked cells of each :data:`BLOCK` × BLOCK block of ``bitmap``: a picture of 0 … BLOCK²."""
    side = bitmap.shape[0] // BLOCK
    return bitmap.reshape(side, BLOCK, side, BLOCK).sum(axis=(1, 3))


def picture_of(bitmap: np.ndarray, pixel_range: tuple[float, float] = (0.0, 16.0)) -> np.ndarray:
    """The picture a drawing makes, in the data's pixel values: each pixel's block count (0 … 16,
    :func:`block_counts`) mapped linearly from ``0 … 16`` onto ``pixel_range`` (the UCI digits' own
    0 … 16 unchanged; 0 … 255 for MNIST's bytes)."""
    lo, hi = (float(v) for v in pixel_range)
    counts = block_counts(bitmap).astype(np.float64)
    if (lo, hi) == (0.0, float(BLOCK * BLOCK)):
        return counts
    return lo + counts * ((hi - lo) / (BLOCK * BLOCK))


# -- sketched digits: pictures of the pad's own kind, for quick looks and tests --------------------
def _ring(cx: float, cy: float, rx: float, ry: float, points: int = 14) -> list[tuple[float, float]]:
    angles = np.linspace(0.0, 2 * np.pi, points + 1)
    return [(cx + rx * float(np.sin(a)), cy - ry * float(np.cos(a))) for a in angles]


#: the strokes of each digit, as polylines in the unit square (x right, y down)
GLYPHS: tuple[tuple[list[tuple[float, float]], ...], ...] = (
    (_ring(0.5, 0.5, 0.3, 0.4),),
    ([(0.32, 0.28), (0.55, 0.1), (0.55, 0.9)],),
    ([(0.2, 0.3), (0.35, 0.12), (0.65, 0.12), (0.78, 0.32), (0.2, 0.88), (0.85, 0.88)],),
    ([(0.2, 0.14), (0.78, 0.14), (0.45, 0.45), (0.72, 0.55), (0.78, 0.75), (0.55, 0.9), (0.2, 0.85)],),
    ([(0.7, 0.9), (0.7, 0.1), (0.15, 0.65), (0.88, 0.65)],),
    ([(0.8, 0.12), (0.27, 0.12), (0.22, 0.45), (0.6, 0.42), (0.8, 0.62), (0.65, 0.88), (0.2, 0.85)],),
    ([(0.72, 0.1), (0.35, 0.4), (0.22, 0.72), (0.42, 0.9), (0.72, 0.8), (0.72, 0.56), (0.45, 0.5), (0.25, 0.65)],),
    ([(0.15, 0.12), (0.85, 0.12), (0.4, 0.9)], [(0.35, 0.5), (0.72, 0.5)]),
    (_ring(0.5, 0.29, 0.2, 0.18), _ring(0.5, 0.69, 0.25, 0.21)),
    (_ring(0.48, 0.32, 0.24, 0.21), [(0.72, 0.35), (0.62, 0.9)]),
)


def sketched_digits(n: int, side: int = 8, seed: int = 0, jitter: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pictures of handwritten-looking digits, drawn with the drawing pad's own pen and counted
    as it counts them (:func:`picture_of`: 0 … 16), each glyph of :data:`GLYPHS` shifted, scaled,
    slanted and rotated at random (``jitter`` scales how much): rows ``(n, side²)`` and their
    digits ``(n,)``. Not the UCI set — pictures of its kind, for quick looks and tests."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    X = np.empty((n, side * side))
    for k, digit in enumerate(labels):
        bitmap = blank_drawing(side)
        size = bitmap.shape[0]
        scale = 1.0 - jitter * rng.uniform(0.0, 0.2, 2)
        shear, angle = jitter * rng.normal(0.0, 0.15), jitter * rng.normal(0.0, 0.08)
        shift = jitter * rng.normal(0.0, 0.05, 2)
        cos, sin = np.cos(angle), np.sin(angle)
        radius = brush_radius(bitmap) * (1.0 + jitter * rng.uniform(-0.25, 0.25))
        for stroke in GLYPHS[digit]:
            points = np.array(stroke) - 0.5
            points[:, 0] += shear * points[:, 1]
            points = points @ np.array([[cos, sin], [-sin, cos]]) * scale + 0.5 + shift
            points *= size
            for start, end in zip(points[:-1], points[1:]):
                draw_line(bitmap, start, end, radius)
        X[k] = picture_of(bitmap).ravel()
    return X, labels


__all__ = ["BLOCK", "BRUSH", "GLYPHS", "IMAGE_SIDES", "MOST_SHOWN", "ImageClassifier", "Mistakes", "blank_drawing",
           "block_counts", "brush_radius", "class_probabilities", "draw_line", "image_side", "misclassified",
           "picture_of", "predict", "sketched_digits"]
