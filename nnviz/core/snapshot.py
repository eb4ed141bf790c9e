"""The immutable snapshot of an experiment that the app's panels draw: arrays are read-only copies
(or views of append-only histories), so a published snapshot never changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nnviz.core.images import ImageClassifier
    from nnviz.core.landscape import LandscapeJob
    from nnviz.core.stats import HealthVerdict


def frozen(array) -> np.ndarray:
    """A read-only copy of ``array``."""
    out = np.array(array, copy=True)
    out.setflags(write=False)
    return out


def read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array`` (no copy: for arrays that are replaced, never edited in place)."""
    view = array.view()
    view.setflags(write=False)
    return view


@dataclass(frozen=True)
class LayerView:
    """One column of the network graph: a layer's units with their values on the probe batch."""

    index: int
    type: str
    activation: str
    units: int
    value: np.ndarray  # mean activation per unit over the probe batch
    grad: np.ndarray  # mean dL/dz per unit over the probe batch
    a: np.ndarray  # (probe, units)
    z: np.ndarray
    dz: np.ndarray


CURVE_POINTS = 128  # points of x at which a 1-D network's node curves are computed
CURVE_UNITS = 256  # a graph column of more units has no curves (None in ``NodeCurves.columns``)


@dataclass(frozen=True)
class NodeCurves:
    """A one-input network's nodes as functions of x: every graph column's outputs (inputs first)
    over the data's x range, in evaluation mode. ``columns[c][u]`` is unit ``u``'s output at each
    point of ``x``; a column of more than :data:`CURVE_UNITS` units is None. The last column's
    curves are the network's outputs (``Network.predict``)."""

    x: np.ndarray  # (points,)
    columns: tuple[np.ndarray | None, ...]  # per graph column: (units, points)


def node_curves_of(net, lo: float, hi: float, points: int = CURVE_POINTS, scale=None) -> NodeCurves | None:
    """The :class:`NodeCurves` of ``net`` (a network of one input) over ``points`` evenly spaced
    x from ``lo`` to ``hi`` (the data's own units; ``scale``, if given, maps them to the network's
    inputs, as the data's input scaling does): one forward pass in evaluation mode, every layer's
    outputs kept. None for a network of more than one input. (The layers keep this pass's values,
    as after any ``predict``.)"""
    if net.inputs != 1:
        return None
    x = np.linspace(lo, hi, points)
    a = x.reshape(-1, 1)
    a = (a if scale is None else scale(a)).astype(net.dtype)
    columns = [frozen(a.T)]
    with np.errstate(all="ignore"):
        for layer in net.layers:
            a = layer.forward(a, training=False)
            columns.append(frozen(a.T) if layer.units <= CURVE_UNITS else None)
    return NodeCurves(frozen(x), tuple(columns))


@dataclass(frozen=True)
class GradientCheckJob:
    """A snapshot's gradient check, kept ready to run when it is wanted (its view is shown): the
    network's recipe (its constructor's arguments) and a batch, so that the check runs on a network
    of its own with the snapshot's parameters. ``note`` says what it checks ("on the first 10
    training rows"), or, in a sentence, why it cannot run (then ``recipe`` is None)."""

    recipe: dict | None
    X: np.ndarray | None
    y: np.ndarray | None
    note: str
    eps: float = 1e-6

    @property
    def runnable(self) -> bool:
        return self.recipe is not None

    def run(self, params: dict[str, np.ndarray]) -> tuple:
        """Central differences against the backward pass on the batch, for a network with
        ``params`` (a snapshot's): one :class:`~nnviz.core.gradcheck.GradientCheck` per tensor."""
        from nnviz.core.gradcheck import gradient_check
        from nnviz.core.network import Network

        with np.errstate(all="ignore"):
            net = Network(**self.recipe)
            for name, value in params.items():
                net.get(name)[...] = value
            return tuple(gradient_check(net, self.X, self.y, eps=self.eps))


@dataclass(frozen=True)
class Snapshot:
    """Everything the panels draw for one moment of training. Arrays are read-only copies."""

    serial: int
    step: int  # optimizer steps since the experiment began (monotonic across changes)
    epoch: float
    lr: float
    batch_loss: float
    train_loss: float
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    diverged: bool
    task: str  # "classification" or "regression"
    input_names: tuple[str, ...]
    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    layers: tuple[LayerView, ...]
    # per step: step, loss, lr, loss_mean; per evaluation point: eval_step, train_loss, … (both bounded:
    # beyond a cap, a row stands for a bucket of steps, see nnviz.core.history.Table)
    history: dict[str, np.ndarray]
    raw_train: tuple[np.ndarray, np.ndarray]  # inputs before feature expansion, targets
    raw_test: tuple[np.ndarray, np.ndarray] | None
    grid_extent: tuple[float, float, float, float] | None  # x0, x1, y0, y1 of the input plane
    # per graph column (inputs first): (units, GRID, GRID); None for a column wider than HEATMAP_UNITS
    node_maps: tuple[np.ndarray | None, ...] | None
    surface: np.ndarray | None  # (SURFACE, SURFACE) network output over the plane
    curve: tuple[np.ndarray, np.ndarray] | None  # 1-D input: x and the fitted output
    predictions: np.ndarray | None  # test (else train) outputs, for predicted-vs-target
    confusion: np.ndarray | None  # (classes, classes): rows true, columns predicted
    model_name: str = ""
    health: tuple = ()  # per layer: nnviz.core.stats.LayerHealth on the probe batch
    health_history: dict[str, np.ndarray] = field(default_factory=dict)  # per evaluation point, see below
    data_name: str = ""  # the data trained on: a built-in set's title, or the imported rows' name (a CSV's stem)
    run: int = 0  # the run the history belongs to: a new number after every Reset, data or layer change, or load
    surface_classes: np.ndarray | None = None  # (SURFACE, SURFACE) class predicted over the plane (2+ classes)
    surface_confidence: np.ndarray | None = None  # (SURFACE, SURFACE) the predicted class's probability
    gradient_check: GradientCheckJob | None = None  # the check of this model's gradients, run when wanted
    landscape: LandscapeJob | None = None  # the loss landscape of this model, computed when asked for
    health_verdict: HealthVerdict | None = None  # the network as a whole: sound, collapsed or not finite
    #: a single output that scores two classes: the value that separates them (what accuracy counts)
    decision_threshold: float | None = None
    label_midpoint: float = 0.5  # halfway between the two labels of the data (0.5 for 0/1, 0 for -1/+1)
    #: rows the train and the test figures are on (0: no test set): a set larger than the
    #: evaluation budget is evaluated on a fixed sample of its rows, the same every time
    evaluated_rows: tuple[int, int] = (0, 0)
    #: the rows of the test (else training) set that ``predictions`` are for, when a sample; None: all
    prediction_rows: np.ndarray | None = None
    #: earlier courses of the run that branches left (nnviz.core.history.Course), oldest first
    branches: tuple = ()
    #: a snapshot of a past step (the timeline): the step the run itself is at; None for the present
    live_step: int | None = None
    #: the class of each row ``predictions`` are for, ``(predicted, true)`` as ``confusion`` counts
    #: them (class numbers from 0); None where no accuracy is counted
    prediction_classes: tuple[np.ndarray, np.ndarray] | None = None
    #: the network as a classifier of pictures (square-image inputs), ready to predict on a drawing;
    #: its ``note`` says why the model is none
    images: ImageClassifier | None = None
    #: one input: every graph node's output as a function of x over the data's range (the graph's
    #: thumbnails); None for other networks
    node_curves: NodeCurves | None = None
