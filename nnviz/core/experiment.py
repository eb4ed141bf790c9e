"""An experiment: a model, its data, a trainer, and the immutable snapshots the app draws.

This is everything the desktop app does to training, without Qt: the GUI's session object runs an
:class:`Experiment` on its worker thread, forwards the user's commands to its methods between steps,
and publishes the :class:`Snapshot` objects it builds. Tests drive it directly, with no thread. The
command line trains through it too, so the app and ``nnviz train`` read data, score accuracy and
detect divergence alike. Its data settings live in :mod:`nnviz.core.dataconfig`, the snapshot in
:mod:`nnviz.core.snapshot` (both re-exported here).
"""

from __future__ import annotations

import copy
import itertools
import math
import numbers
import os
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from nnviz.core.activations import Softmax, make_activation
from nnviz.core.data import (
    Dataset,
    InputScaling,
    accuracy,
    check_fits,
    classes_of,
    finite_float,
    label_midpoint,
    positive_int,
    prepare_inputs,
    seed_value,
    takes_class_indices,
    targets_for,
)
from nnviz.core.dataconfig import DataConfig, InlineData, data_config_for, split_rows
from nnviz.core.datasets import DATASETS, FEATURES, expand_features, find_dataset, make_dataset
from nnviz.core.document import TEACHING, build_network, network_to_dict, read_branches, read_history
from nnviz.core.errors import MAX_STEPS, CommandError, DataError, ModelError, NnvizError
from nnviz.core.history import EVALUATION_CAP, EVALUATION_COLUMNS, Course, History, Table, saved_history
from nnviz.core.images import ImageClassifier, image_side
from nnviz.core.landscape import LandscapeJob, network_recipe, sample_rows
from nnviz.core.layers import LAYERS
from nnviz.core.lessons import read_exercise, read_lesson
from nnviz.core.losses import BINARY, CLASSES, make_loss
from nnviz.core.losses import REGRESSION as LOSS_REGRESSION
from nnviz.core.network import Network
from nnviz.core.problems import PROBLEMS, class_count, describe, fitting_loss, kind_of
from nnviz.core.scaling import check_scaling, fit_scaling, scaling_to_meta
from nnviz.core.snapshot import GradientCheckJob, LayerView, Snapshot, frozen, node_curves_of, read_only
from nnviz.core.stats import PERCENTILES, HealthVerdict, health_verdict, layer_health
from nnviz.core.trainer import Trainer, divergence
from nnviz.core.validation import check_option, clean_document, show, too_many
from nnviz.core.walkthrough import CHECK_EPS, FLOAT64_NOTE, unchecked_reason

GRID = 40  # resolution of each neuron's heatmap over the input plane
SURFACE = 2 * GRID - 1  # resolution of the decision surface; every other point of it is the GRID
PROBE = 200  # rows of the fixed probe batch whose activations and gradients a snapshot shows (fewer for a
# network so wide that they would not fit CHUNK_BYTES: about 4,000 units and more in all, in float64)
EVALUATION_ROWS = 10_000  # an evaluation point reads at most this many training and test rows each
EVALUATION_SEED = 0  # picks the fixed sample of larger sets: the same rows every time
#: bytes the layers' arrays may take while a snapshot runs many rows through the network at once
#: (the input plane, the evaluation rows): a wide network takes them a chunk of rows at a time (the
#: same arithmetic row by row; BLAS may round a product of fewer rows differently in the last bit),
#: so a snapshot of a 2-20000-1 network needs tens of MB, not gigabytes
CHUNK_BYTES = 32 * 2**20
#: a graph column of more units has no heatmaps in a snapshot (None in ``node_maps``): the graph draws
#: them for 32 units at most, and 256 units' maps take 3 MB (a 20,000-unit layer's would take 256 MB)
HEATMAP_UNITS = 256
ARRAY_KEYS = ("weight", "bias", "gate_weight", "gate_bias", "alpha", "running_mean", "running_var")
# numbers the runs (a history that starts afresh is a new run), apart from any other process's: a
# run continued in a training process keeps its number, and one it starts must not reuse another's
_RUNS = itertools.count((os.getpid() << 24) + 1)


def default_document() -> dict:
    """The model the app opens with: a small tanh network for the ``circle`` data."""
    return {
        "format": "nnviz.model/1", "name": "Circle",
        "inputs": 2,
        "layers": [{"type": "dense", "units": 4, "activation": "tanh", "init": "xavier_uniform"},
                   {"type": "dense", "units": 2, "activation": "tanh", "init": "xavier_uniform"},
                   {"type": "dense", "units": 1, "activation": "sigmoid", "init": "xavier_uniform"}],
        "loss": "bce", "optimizer": {"name": "sgd", "lr": 0.03}, "seed": 0, "dtype": "float64",
    }


def diverged(loss: float, net: Network) -> bool:
    """The one divergence rule (:func:`~nnviz.core.trainer.divergence`): the loss, the learning
    rate, a parameter or the optimizer's state is no longer a finite number."""
    return bool(divergence(net, loss))


def _chunk_rows(net: Network, per_unit: int = 4) -> int:
    """Rows a pass takes at once so that the layers' arrays (about ``per_unit`` numbers per unit and
    row: each layer's input, output and the like) stay within :data:`CHUNK_BYTES`."""
    per_row = net.dtype.itemsize * (net.inputs + per_unit * sum(layer.units for layer in net.layers))
    return max(1, CHUNK_BYTES // per_row)


def _forward_in_chunks(net: Network, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outputs of ``net`` on ``X`` in evaluation mode and the last layer's pre-activations (what
    a loss fused with the output activation reads), a chunk of rows at a time (see
    :data:`CHUNK_BYTES`); one pass when they fit, as most networks' rows do."""
    rows = _chunk_rows(net)
    if len(X) <= rows:
        return net.forward(X, training=False), net.layers[-1].z
    out = np.empty((len(X), net.outputs), dtype=net.dtype)
    z = np.empty_like(out)
    for start in range(0, len(X), rows):
        out[start:start + rows] = net.forward(X[start:start + rows], training=False)
        z[start:start + rows] = net.layers[-1].z
    return out, z


def _optimizer_change(value) -> dict:
    """A change of optimizer as :meth:`Experiment.set_training` takes it (a name, or an object with
    a name and options), as a new dict; a one-line ModelError for anything else."""
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ModelError(f"optimizer: expected a name or an object with a 'name', got {show(value)}")
    return dict(value)


def _copy_numbers(source: Network, target: Network, state: bool) -> None:
    """Copy the parameters and buffers of ``source`` into ``target`` (of the same shapes) and, with
    ``state``, its optimizer's step count and the state terms the two optimizers share (a term new
    to ``target`` starts at its initial value, as torch starts a state it lacks)."""
    target.flat_params[...] = source.flat_params
    for (_, theirs), (_, mine) in zip(source.named_buffers(), target.named_buffers()):
        mine[...] = theirs
    if state:
        for term, flat in source.optimizer.state.items():
            if term in target.optimizer.state:
                target.optimizer.state[term][...] = flat
        target.optimizer.t = source.optimizer.t


def _without_arrays(doc: dict) -> dict:
    """``doc`` without its parameters, buffers and training state (the network starts afresh)."""
    for layer in doc["layers"]:
        for key in ARRAY_KEYS:
            layer.pop(key, None)
    doc.pop("state", None)
    return doc


def _output_setup(doc: dict) -> tuple:
    """What a note about fitting reports: the loss, and the output layer's activation and width."""
    last = len(doc["layers"]) - 1
    layer = doc["layers"][last]
    activation = make_activation(layer.get("activation"), f"layers[{last}].activation")
    units = layer.get("units")
    return make_loss(doc.get("loss", "mse")).name, activation.name, f"{units} unit{'s' if units != 1 else ''}"


def _changes(before: tuple, after: tuple) -> str:
    """``loss set to mse, output activation set to identity``: what differs between two setups."""
    names = ("loss set to {}", "output activation set to {}", "output layer set to {}")
    return ", ".join(name.format(new) for name, old, new in zip(names, before, after) if new != old)


class _LossOrigin(NamedTuple):
    """Why the loss in force is what it is: the data kind it was set for, and whether the app set
    it to fit those data (else the person chose it)."""

    kind: str
    fitted: bool


class _Rows(NamedTuple):
    """Rows an evaluation point reads: inputs, targets, and which rows of the set they are (None:
    all of them, in order)."""

    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray | None


def _sample(X: np.ndarray, y: np.ndarray) -> _Rows:
    """All of ``(X, y)``, or a fixed seeded sample of :data:`EVALUATION_ROWS` of its rows, in order."""
    if len(X) <= EVALUATION_ROWS:
        return _Rows(X, y, None)
    rows = np.sort(np.random.default_rng(EVALUATION_SEED).choice(len(X), EVALUATION_ROWS, replace=False))
    return _Rows(X[rows], y[rows], frozen(rows))


class _Evaluation(NamedTuple):
    """One evaluation's figures, and the outputs they were counted from (None: no test set)."""

    train_loss: float
    train_accuracy: float | None
    train_out: np.ndarray
    test_loss: float | None
    test_accuracy: float | None
    test_out: np.ndarray | None


def _step_count(steps, what: str, least: int = 0) -> int:
    """``steps`` as a whole number from ``least`` up to :data:`~nnviz.core.errors.MAX_STEPS`, else a
    one-line CommandError (a LimitError beyond the maximum)."""
    if type(steps) is int and least <= steps <= MAX_STEPS:  # the common case, at once
        return steps
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, numbers.Integral) or steps < least:
        raise CommandError(f"{what}: expected a whole number >= {least}, got {show(steps)}")
    if steps > MAX_STEPS:
        raise too_many(what, "steps", MAX_STEPS, "step", steps)
    return int(steps)


def _finite_value(value, where: str, net: Network, error: type[NnvizError]) -> float:
    """``value`` as a float the network's dtype holds, else a one-line ``error`` naming ``where``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise error(f"{where}: expected a finite number, got {show(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise error(f"{where}: expected a finite number, got {value!r}")
    if abs(value) > float(np.finfo(net.dtype).max):
        raise error(f"{where}: {value!r} is too large for {net.dtype_name}")
    return value


def _listed(names, shown: int = 4) -> str:
    """``layers[0].weight, layers[0].bias, … (6 in all)``: the first few of ``names``."""
    names = list(names)
    more = f", … ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _check_data(data) -> None:
    """A one-line DataError unless ``data`` is a :class:`DataConfig` whose settings have the types and
    ranges the experiment takes (the data themselves, and the row limit, are checked as they load)."""
    if not isinstance(data, DataConfig):
        raise DataError(f"data: expected data settings (a DataConfig), got {show(data)}")
    if not isinstance(data.dataset, str):
        raise DataError(f"dataset: expected a name, got {show(data.dataset)}")
    if finite_float(data.noise, "noise") < 0.0:
        raise DataError(f"noise must be >= 0, got {data.noise!r}")
    if data.n is not None:
        positive_int(data.n, "n")
    seed_value(data.seed)
    if not 0.0 <= finite_float(data.test_fraction, "test_fraction") < 1.0:
        raise DataError(f"test_fraction must be in [0, 1), got {data.test_fraction!r}")
    if (not isinstance(data.features, (tuple, list))
            or not all(isinstance(feature, str) for feature in data.features)):
        raise DataError(f"features: expected a list of feature names, got {show(data.features)}")
    if data.batch_size is not None:
        positive_int(data.batch_size, "batch_size")
    if data.imported is not None and not isinstance(data.imported, Dataset):
        raise DataError(f"imported: expected a data set's rows, got {show(data.imported)}")
    if not isinstance(data.shuffle, (bool, np.bool_)):
        raise DataError(f"shuffle: expected true or false, got {show(data.shuffle)}")
    if data.order_seed is not None:
        seed_value(data.order_seed)
    if data.scaling is not None:
        check_scaling(data.scaling)
    if data.scaling_stats is not None and not isinstance(data.scaling_stats, InputScaling):
        raise DataError(f"scaling_stats: expected an input scaling, got {show(data.scaling_stats)}")


def _other_rows(before: DataConfig, after: DataConfig) -> bool:
    """Whether ``after`` reads other rows, or scales them otherwise, than ``before``."""
    keys = ("dataset", "noise", "n", "seed", "test_fraction", "features", "scaling_method")
    return after.imported is not before.imported or any(getattr(before, k) != getattr(after, k) for k in keys)


def _index(i, size: int) -> bool:
    """Whether ``i`` is a whole number in ``0 .. size-1`` (no negative indices from the end)."""
    return isinstance(i, numbers.Integral) and not isinstance(i, bool) and 0 <= i < size


class Experiment:
    """A network, its data and its trainer, with the commands the app applies between steps.

    The per-step history (loss, learning rate) is the trainer's own :class:`History`, read as views;
    every Reset starts fresh buffers, so the views older snapshots hold never change. Both it and
    the evaluation points stay bounded however long the run (see :class:`~nnviz.core.history.Table`).
    An evaluation point reads at most :data:`EVALUATION_ROWS` training and test rows each: larger
    sets are evaluated on a fixed seeded sample, the same rows every time.
    """

    def __init__(self, document: dict | None = None, data: DataConfig | None = None, fit_model: bool = True,
                 fit_loss: bool | None = None):
        """``data`` None: the document's own ``data`` entry if it has one the app can load (as
        :meth:`load_document`), else the default :class:`DataConfig`. ``fit_model`` False keeps
        the model exactly as the document has it (the command line): data that do not fit its
        inputs and outputs raise :class:`~nnviz.core.data.WidthMismatch` instead of refitting it.
        ``fit_loss`` (default: as ``fit_model``) False refuses a loss that cannot fit the targets
        (:class:`DataError`) instead of setting the data kind's; :attr:`note` says what was set."""
        if document is not None and not isinstance(document, dict):
            raise ModelError(f"the model: expected a model document (an object), got {show(document)}")
        if data is not None:
            _check_data(data)
        if document is not None:
            document = clean_document(document)  # null members mean "not given", as in a file
            net = build_network(document)  # validate first: the fitting below reads it as valid
            if data is None and "data" in document:
                data = data_config_for(net, DataConfig())
        self.data = data or DataConfig()
        self.fit_model = fit_model
        self._loss_policy = "fit" if (fit_model if fit_loss is None else fit_loss) else "check"
        self._serial = 0
        self._due_for, self._due = None, None  # evaluation_due's exercise section and its limit
        self._step = 0
        self.diverged = False
        #: what went NaN or infinite when the run diverged ("the loss", "the parameters", …; see
        #: :func:`~nnviz.core.trainer.divergence`), "" while it has not
        self.divergence = ""
        self._loss_origin: _LossOrigin | None = None  # None: the document's own loss
        self._start_history()
        self._load_data()
        self.document, _, note = self._fit_document(copy.deepcopy(document or default_document()), self._loss_policy)
        self._build(copy.deepcopy(self.document), History(len(self.X)))
        self._start_params = frozen(self.net.flat_params)  # the run starts here (see _start_history)
        #: what the experiment set to fit the data when it was built ("" when nothing)
        self.note = self._data_note(note)

    # -- data -----------------------------------------------------------------------------------
    def _load_data(self) -> None:
        cfg = self.data
        if cfg.imported is not None:
            raw = cfg.imported
        else:
            if find_dataset(cfg.dataset) is None:
                raise DataError(f"unknown dataset {cfg.dataset!r} (built-in: {', '.join(DATASETS)})")
            raw = make_dataset(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=cfg.seed)
        train, test, self.unsplit_reason = split_rows(cfg, raw)
        self.raw_train, self.raw_test = train, test
        self._pixels = None  # the training rows' pixel range, once asked for (see _pixel_range)
        self.task = raw.task
        #: the problem kind the data decide (see :mod:`nnviz.core.problems`)
        self.kind = kind_of(raw) if cfg.imported is not None else find_dataset(cfg.dataset).kind
        self.planar = raw.X.shape[1] == 2
        features = cfg.features if self.planar else tuple(raw.feature_names)
        if self.planar:
            unknown = [f for f in features if f not in FEATURES]
            if unknown or not features:
                raise DataError(f"features: choose at least one of {', '.join(FEATURES)}")
        self.input_names = tuple(features)
        self.scaling = self._fit_scaling(cfg, self._features(train.X))
        X = self._inputs(train.X)
        # the experiment's own copy: set_sample edits it, and snapshots share the raw rows
        self.X = X.copy() if np.shares_memory(X, train.X) else X
        self.X_test = self._inputs(test.X) if test is not None else None
        self.probe = slice(0, min(PROBE, len(train)))
        self._set_geometry(raw.X)
        self._read_labels()

    def _read_labels(self) -> None:
        """What an accuracy needs from every target row, training and test (a test split may hold
        one class only): how many classes there are, and the midpoint of two labels."""
        y = self._targets()
        self._classes = class_count(y) if self.task == "classification" else 0
        self._midpoint = label_midpoint(y)

    def _set_geometry(self, X: np.ndarray) -> None:
        """The input plane (2-D data) or the curve's x range (1-D data) that covers the raw rows."""
        if self.planar:
            lo, hi = X.min(axis=0), X.max(axis=0)
            pad = np.where(hi > lo, 0.05 * (hi - lo), 1.0)  # one point (a worked example): ±1 around it
            self.extent = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))
            self._surface = self._plane_points(SURFACE)
        else:
            self.extent = None
        self._curve_x = None
        if X.shape[1] == 1:
            lo, hi = float(X.min()), float(X.max())
            self._curve_x = np.linspace(lo, hi, 200).reshape(-1, 1)

    def _features(self, X: np.ndarray) -> np.ndarray:
        return expand_features(X, self.input_names) if self.planar else X

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        """Raw rows ``X`` as the network reads them: their features, scaled (:meth:`input_scaling`)."""
        return self.scaling.apply(self._features(X))

    def _fit_scaling(self, cfg: DataConfig, features: np.ndarray) -> InputScaling:
        """The scaling of ``cfg`` with its statistics from the training rows' ``features`` (the pixels
        of a picture share one scale), or the numbers a saved model fixed when they fit these inputs."""
        method = check_scaling(cfg.scaling_method)
        fixed = cfg.scaling_stats
        if fixed is not None and fixed.name == method and np.ndim(fixed.shift) in (0, 1) and (
                np.ndim(fixed.shift) == 0 or len(fixed.shift) == features.shape[1]):
            return fixed
        picture = not self.planar and image_side(features.shape[1]) is not None
        return fit_scaling(method, features, per_column=not picture)

    def _plane_points(self, size: int) -> np.ndarray:
        x0, x1, y0, y1 = self.extent
        xs, ys = np.meshgrid(np.linspace(x0, x1, size), np.linspace(y0, y1, size))
        return self._inputs(np.column_stack([xs.ravel(), ys.ravel()]))

    def _targets(self) -> np.ndarray:
        """Every target row, training and test (a loss must fit them all)."""
        if self.raw_test is None:
            return self.raw_train.y
        return np.concatenate([self.raw_train.y, self.raw_test.y])

    def _fit_document(self, doc: dict, loss: str, origin: _LossOrigin | None = None) -> tuple[dict, bool, str]:
        """Fit the document to the data (architecture changes keep the data, data changes keep the
        architecture): the loss as ``loss`` says ("fit": the data kind's, where the loss set for
        ``origin`` gives way, see :meth:`_fit_loss`; "check": one that cannot fit the targets is
        refused with a :class:`DataError`; "keep": left alone); then the output activation to the
        loss (unless "keep"), and the input and output widths. Returns the document, whether its
        shapes changed (it then loses its explicit arrays and state) and what was set to fit (""
        when nothing). With ``fit_model`` False the document is kept, and must fit."""
        if not self.fit_model:
            net = build_network(doc)
            check_fits(net, self.raw_train)
            if loss != "keep":
                net.loss.check_targets(self._targets(), net.outputs, self.raw_train.name)
            return doc, False, ""
        before = _output_setup(doc)
        last = doc["layers"][-1]
        resizable = last.get("type") in LAYERS and LAYERS[last["type"]].TAKES_INIT
        if loss != "keep":
            replaced = self._fit_loss(doc, loss == "check", origin)
            if resizable:
                self._fit_activation(doc, replaced)
            self._loss_origin = _LossOrigin(self.kind, replaced)
        outputs = self.raw_train.y.shape[1]
        if make_loss(doc.get("loss", "mse")).targets == CLASSES and outputs == 1:
            outputs = max(2, int(self._targets().max()) + 1)
        changed = doc.get("inputs") != len(self.input_names)
        if resizable and last.get("units") != outputs:
            last["units"] = outputs
            changed = True
        doc["inputs"] = len(self.input_names)
        if changed:
            _without_arrays(doc)
        return doc, changed, _changes(before, _output_setup(doc))

    def _fit_loss(self, doc: dict, refuse: bool, origin: _LossOrigin | None) -> bool:
        """Set the data kind's loss in ``doc`` when its own cannot fit the targets (or, ``refuse``,
        raise the loss's one-line :class:`DataError`) or gives way to the data
        (:meth:`_gives_way`). Returns whether the kind's loss was set."""
        y, name = self._targets(), self.raw_train.name
        loss = make_loss(doc.get("loss", "mse"))
        fitting = fitting_loss(self.kind, y, name)
        try:
            loss.check_targets(y, None, name)
        except DataError:
            if refuse:
                raise
        else:
            if refuse or not self._gives_way(loss, fitting, origin):
                return False
        doc["loss"] = fitting.to_spec()
        return True

    def _gives_way(self, loss, fitting, origin: _LossOrigin | None) -> bool:
        """Whether a loss that fits the targets gives way to the data kind's ``fitting`` loss: when
        the data changed kind since it was set for ``origin`` (the new kind's setup applies, as
        Playground's problem type does), when the app had set it to fit other data of this kind,
        or, a document's own loss (no ``origin``), when it would classify values. A loss the
        person chose for data of this kind stays."""
        if origin is None:
            return loss.targets != LOSS_REGRESSION and not PROBLEMS[self.kind].scored
        return origin.kind != self.kind or (origin.fitted and loss.name != fitting.name)

    def _fit_activation(self, doc: dict, replaced: bool) -> None:
        """Give the output layer the loss's own activation when the loss was ``replaced`` to fit the
        data, or when the activation does not suit the loss (a sigmoid under cross-entropy, a
        sigmoid that cannot reach a regression's targets …)."""
        loss, last = make_loss(doc.get("loss", "mse")), doc["layers"][-1]
        if replaced or not loss.fits_output(make_activation(last.get("activation")), self._targets()):
            last["activation"] = loss.output_activation

    def _data_note(self, changes: str) -> str:
        """``plane is a regression data set: loss set to mse, …`` ("" without changes)."""
        if not changes:
            return ""
        return f"{self.raw_train.name} is a {describe(self.kind, self._targets())} data set: {changes}"

    # -- building -------------------------------------------------------------------------------
    def _build(self, doc: dict, history: History) -> None:
        """Build network and trainer from ``doc``, the trainer appending to ``history``; on any error
        nothing changes."""
        self._use(build_network(doc), history)

    def _use(self, net: Network, history: History) -> None:
        """Train ``net`` (of the data's widths) from here, the trainer appending to ``history``; on
        any error nothing changes."""
        self._check_inputs(net)
        class_indices = takes_class_indices(net, self.raw_train)
        y = targets_for(net, self.raw_train.y, class_indices)
        y_test = targets_for(net, self.raw_test.y, class_indices) if self.raw_test is not None else None
        seed = net.seed if self.data.order_seed is None else self.data.order_seed
        trainer = Trainer(net, self.X, y, batch_size=self.data.batch_size, shuffle=self.data.shuffle,
                          seed=seed, history=history)
        # the test rows in the network's dtype, as the trainer holds the training rows (trainer.X)
        test_inputs = prepare_inputs(net, self.X_test) if self.X_test is not None else None
        # self.y is the trainer's own array (equal to y), so set_sample edits what the steps read
        self.net, self.y, self.y_test, self.trainer = net, trainer.y, y_test, trainer
        self._test_inputs = test_inputs
        self._evaluation_rows = None  # sampled afresh from these rows when next evaluated
        self._landscape_rows = None  # likewise
        self.last_evaluation = None  # of another network or other rows

    def _check_inputs(self, net: Network) -> None:
        if net.inputs != len(self.input_names):
            raise ModelError(f"inputs: the model takes {net.inputs} inputs but the data give "
                             f"{len(self.input_names)} ({', '.join(self.input_names)})")

    def reset(self) -> None:
        """Re-initialise the network from its seed and start the run again (data kept). The
        arrays an untrained document gives (a lesson's starting weights) are its initial values,
        as long as their shapes still fit; a trained document's are not."""
        doc = network_to_dict(self.net, state=False)
        starting = "state" not in self.document
        for layer, template in zip(doc["layers"], self.document["layers"]):
            for key in ARRAY_KEYS:
                current = layer.pop(key, None)
                if starting and key in template and np.shape(template[key]) == np.shape(current):
                    layer[key] = copy.deepcopy(template[key])
            if "init" in template:
                layer["init"] = template["init"]
        self._build(doc, History(len(self.X)))
        self.diverged, self.divergence = False, ""
        self._step = 0
        self._start_history()

    def _start_history(self) -> None:
        """Fresh history buffers (never cleared in place: published snapshots hold views of them):
        the evaluation points, each with its losses, accuracies and layer health (see
        :meth:`_health_row`)."""
        self._run = next(_RUNS)
        self._evals = Table("eval_step", EVALUATION_COLUMNS[1:], EVALUATION_CAP)
        self._dropout_masks: dict[int, np.ndarray] = {}
        self.last_evaluation: _Evaluation | None = None  #: the newest evaluation (snapshots may reuse it)
        #: earlier courses of this run that branches left (see nnviz.core.timeline), oldest first
        self.branches: list[Course] = []
        #: the flat parameters this run started from (its first weights, or those it was opened with):
        #: where the loss landscape's line starts; set by __init__ once the network is built
        self._start_params = frozen(self.net.flat_params) if "net" in vars(self) else None

    @property
    def step(self) -> int:
        """Optimizer steps since the experiment (or its last reset) began."""
        return self._step

    def document_copy(self) -> dict:
        """The model document the experiment was built from (architecture and settings)."""
        return copy.deepcopy(self.document)

    # -- commands -------------------------------------------------------------------------------
    def run(self, steps: int) -> float:
        """Take ``steps`` optimizer steps, stopping early at the step that diverges (see
        :attr:`divergence`; a diverged run takes one step at most). Returns the last step's loss
        (NaN without a step). Passing an exercise's step limit, the run is evaluated there
        (:meth:`evaluation_due`)."""
        tr = self.trainer
        loss = math.nan
        for _ in range(_step_count(steps, "steps")):
            loss = tr.run(1)  # every step's update kept: the one that diverged is what the health shows
            if self._check_divergence(loss):
                break
            if tr.history.run_step == self.evaluation_due():
                self._record()
                self.record_evaluation()
        self._record()
        return loss

    def run_fast(self, steps: int) -> float:
        """Like :meth:`run`, checking for divergence once at the end (the worker's hot path: a
        run that diverged stays so, its NaN and infinite numbers stay what they are)."""
        steps = _step_count(steps, "steps")
        due = self.evaluation_due()
        if due is not None and self._step < due < self._step + steps and not self.diverged:
            first = due - self._step  # the exercise's limit falls inside: evaluated there, then on
            loss = self.run_fast(first)
            self.record_evaluation()
            return loss if self.diverged else self.run_fast(steps - first)
        loss = self.trainer.run(steps)
        if steps:
            self._check_divergence(loss)
        self._record()
        if steps and self._step == due:
            self.record_evaluation()
        return loss

    def evaluation_due(self) -> int | None:
        """The step at which the run is evaluated however often the app draws: the step limit of the
        document's exercise ("within 300 steps"), so that whether it was met never depends on the
        frame rate or the machine's load; None without one."""
        raw = self.net.meta.get("exercise")
        if raw is None:
            return None
        if self._due_for is not raw:
            self._due_for, self._due = raw, read_exercise(self.net.meta).goal.within
        return self._due

    def _check_divergence(self, loss: float) -> bool:
        """Whether the run has diverged, after a step whose loss was ``loss`` (it then stays so)."""
        if not self.diverged:
            self.divergence = divergence(self.net, loss)
            self.diverged = bool(self.divergence)
        return self.diverged

    def run_evaluated(self, steps: int, every: int, after: Callable[[Experiment], object] | None = None) -> float:
        """Take ``steps`` steps with an evaluation point (losses, accuracy, layer health) at the start
        and after every ``every`` steps: the history the app records while it plays, for headless
        runs and figures. ``after(self)`` is called at each evaluation point (a timeline's
        ``record``, for the optimizer's path). Returns the last loss."""
        steps, every = _step_count(steps, "steps"), _step_count(every, "every", least=1)
        self.record_evaluation()
        if after is not None:
            after(self)
        loss, done = math.nan, 0
        while done < steps and not self.diverged:
            k = min(every, steps - done)
            loss = self.run(k)
            self.record_evaluation()
            if after is not None:
                after(self)
            done += k
        return loss

    def run_epoch(self) -> float:
        """Take the steps that complete the current epoch; returns their mean loss."""
        loss = self.trainer.epoch()  # the mean: NaN if any step's loss was
        self._check_divergence(loss)
        self._record()
        return loss

    def _record(self) -> None:
        """The run is at the step of the trainer's last row (its history numbers the steps)."""
        self._step = self.trainer.history.run_step

    def set_parameter(self, name: str, index: tuple[int, ...], value: float) -> None:
        """Set one number of a parameter or buffer (``"layers[0].weight"``, ``(1, 0)``) by hand:
        ``index`` holds one whole number from 0 per dimension of the array. A bad name, entry or
        value raises a one-line CommandError and changes nothing."""
        arrays = dict(self.net.named_parameters() + self.net.named_buffers())
        if not isinstance(name, str) or name not in arrays:
            raise CommandError(f"{show(name)}: no such parameter (the model has {_listed(arrays)})")
        array = arrays[name]
        if (not isinstance(index, (tuple, list)) or len(index) != array.ndim
                or not all(_index(i, size) for i, size in zip(index, array.shape))):
            shape = " × ".join(map(str, array.shape)) or "one number"
            entry = ", ".join(show(i, 20) for i in index) if isinstance(index, (tuple, list)) else show(index, 30)
            entry = entry if len(entry) <= 40 else entry[:37] + "..."
            raise CommandError(f"{name}[{entry}]: no such parameter entry ({name} is {shape}; an "
                               f"entry is {array.ndim} whole number{'s' if array.ndim != 1 else ''} from 0)")
        index = tuple(int(i) for i in index)
        array[index] = _finite_value(value, f"{name}{list(index)}", self.net, CommandError)

    def set_sample(self, row: int, column: int, value: float, target: bool = False) -> None:
        """Set one number of training row ``row`` by hand: the network's input ``column`` (after
        feature expansion), or with ``target=True`` target column ``column`` (a class index under
        cross-entropy with one target column). The next steps, evaluations and snapshots read it.

        The raw rows the scatter plots show follow: always for targets, for inputs when the inputs
        are the raw columns themselves (x1, x2 on the plane, or data that are not 2-D). Edited
        imported rows (CSV or inline) are kept when the data settings change and saved with inline
        data; built-in data are generated afresh. A bad entry or value raises a DataError naming
        it and changes nothing."""
        if not isinstance(target, (bool, np.bool_)):
            raise DataError(f"target: expected true or false, got {show(target)}")
        names = self.raw_train.target_names if target else self.input_names
        kind = "targets" if target else "inputs"
        rows = len(self.X)
        if not (_index(row, rows) and _index(column, len(names))):
            raise DataError(f"{kind}[{row!r}][{column!r}]: no such entry (the training data have {rows} rows "
                            f"and {len(names)} {kind[:-1]} column{'s' if len(names) != 1 else ''})")
        where = f"{kind}[{row}][{column}] ({names[column]})"
        value = _finite_value(value, where, self.net, DataError)
        class_index = target and takes_class_indices(self.net, self.raw_train)
        if target and self.net.loss.targets == BINARY and not 0.0 <= value <= 1.0:
            raise DataError(f"{where}: a {self.net.loss.name} target is a probability, between 0 and 1; "
                            f"got {value!r}")
        if class_index and not (value.is_integer() and 0 <= value < self.net.outputs):
            raise DataError(f"{where}: a class index must be a whole number in 0..{self.net.outputs - 1}, "
                            f"got {value!r}")

        raw = self.raw_train
        raw_X, raw_y = raw.X, raw.y
        # Edit in place: the trainer reads self.X / self.y (its own arrays) afresh for every batch,
        # whole (full batch), sliced or gathered.
        if target:
            if class_index:  # the trainer's targets are one-hot rows
                self.y[row] = 0.0
                self.y[row, int(value)] = 1.0
            else:
                self.y[row, column] = value
            raw_y = raw.y.copy()  # copy on write: published snapshots share the raw rows
            raw_y[row, column] = value
        else:
            scaled = value
            if not self.scaling.identity:  # the network reads the value scaled, as the rest of its column
                shift, divisor = (np.broadcast_to(a, (len(self.input_names),))[column]
                                  for a in (self.scaling.shift, self.scaling.divisor))
                scaled = (value - shift) / divisor
            self.X[row, column] = scaled
            if self.trainer.X is not self.X:  # another dtype: the trainer holds a converted copy
                self.trainer.X[row, column] = scaled
            if not self.planar or self.input_names == ("x1", "x2"):  # inputs are the raw columns
                raw_X = raw.X.copy()
                raw_X[row, column] = value
        self._evaluation_rows = self._landscape_rows = None  # a sample holds copies of the rows
        if raw_X is raw.X and raw_y is raw.y:
            return
        edited = type(raw)(raw_X, raw_y, raw.name, raw.task, raw.feature_names, raw.target_names)
        if self.data.imported is raw:  # the training rows are all the imported rows: keep the edit
            self.data = replace(self.data, imported=edited)
        self.raw_train = edited
        if target:
            self._read_labels()
        if raw_X is not raw.X:
            test = self.raw_test
            self._set_geometry(raw_X if test is None else np.concatenate([raw_X, test.X]))

    def set_training(self, **changes) -> str:
        """Change training settings, keeping the weights: ``lr``, ``optimizer`` (name or dict),
        ``loss``, ``regularization`` (dict), ``clip_grad_norm``, ``schedule`` (dict), ``seed``.
        Changing the optimizer's kind starts its state afresh, as a new torch optimizer would.

        A loss that cannot fit the targets is refused (:class:`DataError`, nothing changes); one that
        fits brings the output activation and width it needs. A new output width re-initialises the
        network: the run starts again (as :meth:`reset`), and the note says so. Returns what was set
        so ("" when nothing). A diverged run takes every change and stays diverged until
        :meth:`reset`. While the step is 0, a new seed applies at once: the weights are drawn again
        from it."""
        if set(changes) == {"lr"}:  # the common case, a drag of the rate: no rebuild
            self._set_lr(changes["lr"])
            return ""
        old = self.net
        # The numbers and the optimizer's state are copied over below, not rebuilt from the
        # document: NaN or infinite numbers would fail validation, and an option that brings a
        # state term (momentum, centred, amsgrad) would find it missing.
        doc = network_to_dict(old, state=False)
        if old.not_finite():
            _without_arrays(doc)
        new_optimizer = False
        for key, value in changes.items():
            if key == "lr":
                doc["optimizer"]["lr"] = value
            elif key == "optimizer":
                new = _optimizer_change(value)
                if new["name"] != doc["optimizer"]["name"]:
                    if "lr" not in new:
                        new["lr"] = doc["optimizer"]["lr"]
                    new_optimizer = True  # its state starts afresh, as a new torch optimizer's
                    doc["optimizer"] = new
                else:
                    doc["optimizer"].update(new)
            elif key in ("loss", "regularization", "clip_grad_norm", "schedule", "seed"):
                doc[key] = value
            else:
                raise ModelError(f"unknown training setting {key!r}")
        changed, note = False, ""
        if "loss" in changes:
            doc, changed, note = self._fit_document(doc, "check")
        self._build(doc, self.trainer.history)
        if changed:  # new shapes: the network starts afresh (reset below)
            self.diverged, self.divergence = False, ""
        else:
            self.net.samples_seen = old.samples_seen
            _copy_numbers(old, self.net, state=not new_optimizer)
        for key in ("loss", "optimizer", "regularization", "clip_grad_norm", "schedule", "seed"):
            if key in doc:
                self.document[key] = copy.deepcopy(doc[key])
        self._keep_output_setup(doc)
        trained = self._step > 0
        if changed or ("seed" in changes and self._step == 0):
            self.reset()
        if changed and trained:
            note += "; the network starts again from its seed"
        if note:
            return f"loss {self.net.loss.name}: {note}"
        if "seed" in changes and trained and not self.diverged:
            return f"seed {self.net.seed}: the trained weights stay; Reset draws new ones from this seed"
        return ""

    def _keep_output_setup(self, doc: dict) -> None:
        """Record the fitted document's widths, loss and output activation in :attr:`document`."""
        self.document["inputs"] = doc["inputs"]
        self.document["loss"] = copy.deepcopy(doc.get("loss", "mse"))
        last, kept = doc["layers"][-1], self.document["layers"][-1]
        for key in ("units", "activation"):
            if key in last:
                kept[key] = copy.deepcopy(last[key])

    def _set_lr(self, lr) -> None:
        """The learning rate changed in place: optimizer state, weights and trainer stay as they are,
        as after ``param_group["lr"] = lr`` in PyTorch (a schedule scales from the new rate). A
        diverged run stays diverged: its weights are not numbers any more, whatever the rate."""
        lr = check_option("lr", lr, "optimizer.lr")
        self.net.optimizer.lr = lr
        self.net.schedule.base_lr = lr
        self.document["optimizer"] = self.net.optimizer.to_spec()

    def set_layers(self, layers: list[dict]) -> str:
        """Replace the architecture (layer specs); the network is rebuilt from its seed and the
        run starts again on the same data. Returns a note saying so when a trained run was
        replaced ("" at step 0, where nothing is lost)."""
        if not isinstance(layers, (list, tuple)) or not layers or not all(isinstance(x, dict) for x in layers):
            raise ModelError(f"layers: expected a list of at least one layer (an object with a 'type'), "
                             f"got {show(layers)}")
        trained = self._step > 0
        doc = network_to_dict(self.net, state=False)
        doc["layers"] = [{k: v for k, v in layer.items() if k not in ARRAY_KEYS} for layer in copy.deepcopy(layers)]
        doc, _, _ = self._fit_document(doc, "keep")
        self._build(copy.deepcopy(doc), History(len(self.X)))  # validates; raises before anything changes
        self.document["layers"] = doc["layers"]
        self.reset()
        return "new layers: the network starts again from its seed (step 0)" if trained else ""

    def set_data(self, data: DataConfig) -> str:
        """Switch data (data set, noise, split, features, batch size); the architecture is kept,
        with its input and output widths fitted to the new data, and the run starts again. With the
        app's model, data of another kind bring their kind's loss, and a loss that cannot fit the new
        targets gives way to it (refused with ``fit_loss`` False); a loss the person chose for data
        of the same kind stays while it fits. The output activation follows the loss. Returns what
        was set to fit ("" when nothing)."""
        _check_data(data)
        previous, origin = self.data, self._loss_origin
        if data.scaling_stats is not None and _other_rows(previous, data):
            data = replace(data, scaling_stats=None)  # a saved model's numbers were for other rows
        self.data = data
        try:
            self._load_data()
            doc = _without_arrays(network_to_dict(self.net, state=False))  # the run starts again
            doc, _, note = self._fit_document(doc, self._loss_policy, origin)
            self._build(copy.deepcopy(doc), History(len(self.X)))
        except Exception:
            self.data, self._loss_origin = previous, origin
            self._load_data()
            raise
        self._keep_output_setup(doc)
        self.reset()
        return self._data_note(note)

    def load_document(self, doc: dict, folder: str | os.PathLike | None = None) -> str:
        """Replace the model by a document (e.g. from Open), keeping its trained state if any.
        The data follow the document's ``data`` entry when it gives inline rows, names a built-in
        set, or (given the model file's ``folder``) a CSV file, with its batch size and shuffling;
        otherwise the current data stay. An untrained document's loss, output activation and output
        width are fitted to the data as :meth:`set_data` fits them; returns what was set ("" when
        nothing). A trained document is never refitted: one that does not fit the data is refused
        (DataError, saying what does not fit). Whatever is refused changes nothing."""
        if not isinstance(doc, dict):
            raise ModelError(f"the model: expected a model document (an object), got {show(doc)}")
        if folder is not None and not isinstance(folder, (str, os.PathLike)):
            raise CommandError(f"folder: expected a folder's path, got {show(folder)}")
        doc = clean_document(doc)  # null members mean "not given", as in a file
        net = build_network(doc)  # validate first: a bad document leaves everything as it was
        branches = [Course.from_dict(entry) for entry in read_branches(doc)]
        data = data_config_for(net, self.data, folder)
        trained = "state" in doc  # its weights were learnt for its widths and loss
        previous = self.data
        try:
            if data is not None:
                self.data = data
                self._load_data()
            if trained:
                fitted, note = self._trained_as_it_is(doc, net), ""
            else:
                self._check_inputs(net)  # a document's input width is its own: never refitted
                fitted, _, note = self._fit_document(copy.deepcopy(doc), self._loss_policy)
            self._build(copy.deepcopy(fitted), History(len(self.X)))
        except Exception:
            if data is not None:
                self.data = previous
                self._load_data()
            raise
        self.document = {k: v for k, v in fitted.items() if k != "history"}  # the history: below
        self.diverged, self.divergence = False, ""
        self._step = self.net.step_count
        self._start_history()
        self._restore_history(read_history(fitted))
        self.branches = branches
        return self._data_note(note)

    def _trained_as_it_is(self, doc: dict, net: Network) -> dict:
        """A trained document as it is, when it fits the data in force; else a one-line DataError
        saying what does not fit and what to do."""
        advice = "choose its data set or import its data first (File › Import CSV data…), then open it again"
        try:
            self._check_inputs(net)
            fitted, _, changes = self._fit_document(copy.deepcopy(doc), "check")
        except NnvizError as exc:
            raise DataError(f"the model was trained on other data: {exc}; {advice}") from None
        if changes:
            names = ("the loss", "the output activation", "an output layer of")
            misfits = [f"{name} {new} (the model has {old})"
                       for name, old, new in zip(names, _output_setup(doc), _output_setup(fitted)) if new != old]
            raise DataError(f"the model was trained on other data: {self.raw_train.name} is a "
                            f"{describe(self.kind, self._targets())} data set and needs {', '.join(misfits)}; "
                            f"{advice}")
        return fitted

    def _restore_history(self, saved: dict | None) -> None:
        """Show the loss history a document saved, and go on from it: its step is where this run
        is (a change of optimizer restarts the optimizer's count, not the run's)."""
        if saved is not None:
            self.trainer.history.restore(saved)
            self._evals.extend({name: saved[name] for name in EVALUATION_COLUMNS})
            ends = [int(saved[k][-1]) for k in ("step", "eval_step") if len(saved[k])]
            self._step = max([self._step, *ends])
        self.trainer.history.run_step = self._step  # the next step taken is the one after

    def set_teaching(self, sections: dict) -> None:
        """Give the model its teaching sections (``{"lesson": {...}, "exercise": {...}}``; a section
        None is taken away), checked first (a one-line ModelError changes nothing). They are saved
        with it; training never reads them."""
        if not isinstance(sections, dict) or not set(sections) <= set(TEACHING):
            raise ModelError(f"teaching sections: expected an object of {' and '.join(TEACHING)}, got {show(sections)}")
        document = copy.deepcopy(self.document)
        for key, value in sections.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = copy.deepcopy(value)
        read_lesson(document)
        read_exercise(document)
        self.document = document
        self.net.meta = {**{k: v for k, v in self.net.meta.items() if k not in TEACHING},
                         **{k: document[k] for k in TEACHING if k in document}}

    def to_document(self, folder: str | os.PathLike | None = None) -> dict:
        """The model document to save in ``folder``: parameters, optimizer state, the data it trains
        on (built-in, inline rows as they are now, or a CSV file named relative to ``folder`` with
        its columns; none for edited CSV rows) and the history the loss panel shows."""
        if folder is not None and not isinstance(folder, (str, os.PathLike)):
            raise CommandError(f"folder: expected a folder's path, got {show(folder)}")
        doc = network_to_dict(self.net, state=True)
        meta = self.data_entry(folder)
        if meta is not None:
            doc["data"] = meta
        else:  # an entry the model was loaded with no longer describes the rows
            doc.pop("data", None)
        for key in ("name", "description"):
            if key in self.document and key not in doc:
                doc[key] = self.document[key]
        h = self.trainer.history
        if len(h.run_steps):
            doc["history"] = saved_history({"step": h.run_steps, "epoch": h["epoch"], "lr": h["lr"],
                                            "loss": h["loss"], "grad_norm": h["grad_norm"],
                                            **{name: self._evals[name] for name in EVALUATION_COLUMNS}})
        if self.branches:
            doc["branches"] = [course.to_dict() for course in self.branches]
        return doc

    def data_entry(self, folder: str | os.PathLike | None = None) -> dict | None:
        """The ``data`` entry of the model document to save in ``folder`` (see
        :meth:`DataConfig.to_meta <nnviz.core.dataconfig.DataConfig.to_meta>`), with the input
        scaling and its numbers unless the rows go in as they are by default; None when the rows
        are no file's as they are."""
        meta = self.data.to_meta(folder)
        if meta is None:
            return None
        default = replace(self.data, scaling=None).scaling_method
        if self.scaling.name != "none" or default != "none":
            meta["scaling"] = scaling_to_meta(self.scaling)
        return meta

    # -- snapshots ------------------------------------------------------------------------------
    @property
    def scored(self) -> bool:
        """Whether an accuracy means anything: classification data, and an output that can tell
        their classes apart (one output two classes, else one class per output)."""
        return self.task == "classification" and max(2, self.net.outputs) >= self._classes

    def accuracy(self, out: np.ndarray, y: np.ndarray) -> float | None:
        """Share of rows classified right, from the network's outputs (None unless :attr:`scored`);
        a single output against the midpoint of the data's two labels."""
        return accuracy(self.net, out, y, self._midpoint) if self.scored else None

    def _evaluate(self, X, y) -> tuple[float, float | None, np.ndarray]:
        """Loss, accuracy and outputs on ``(X, y)`` in evaluation mode, from one forward pass (a
        chunk of rows at a time, see :data:`CHUNK_BYTES`). No accuracy beside a loss that is not a
        number: the outputs it would count mean nothing."""
        net = self.net
        out, z = _forward_in_chunks(net, X)
        loss = net.loss.evaluate(out, y, z, net.layers[-1].activation.name)[0]
        return loss, self.accuracy(out, y) if math.isfinite(loss) else None, out

    def evaluate(self) -> _Evaluation:
        """Evaluate the model as it is now (:attr:`last_evaluation`), appending an evaluation point
        unless this step has one."""
        with np.errstate(all="ignore"):
            return self._record_evaluation()

    def data_arrays(self) -> list[np.ndarray]:
        """The arrays of rows the experiment holds (never changed but by :meth:`set_sample`): what
        a copy of the experiment in another process can share rather than receive again."""
        arrays = [self.X, self.y, self.X_test, self.y_test, self.trainer.X, self.trainer.y, self._test_inputs,
                  getattr(self, "_surface", None), self._curve_x]
        for rows in (self.raw_train, self.raw_test, self.data.imported):
            if rows is not None:
                arrays += [rows.X, rows.y]
        for rows in self._evaluation_rows or ():
            if rows is not None:
                arrays += [rows.X, rows.y]
        arrays += list(self._landscape_rows or ())[:2]
        return [a for a in arrays if isinstance(a, np.ndarray)]

    def fork(self) -> Experiment:
        """A copy of the experiment that goes its own way from here (a lane, a branch, a replica): its
        own network, optimizer state, trainer and histories, sharing the rows (:meth:`data_arrays`),
        which only :meth:`set_sample` changes."""
        memo = {id(array): array for array in self.data_arrays()}  # deepcopy takes these as copied already
        return copy.deepcopy(self, memo)

    def record_evaluation(self) -> None:
        """Append a point to the train/test loss and accuracy history (once per step at most).
        The app calls this at a steady rate while training, however often it draws."""
        if self._evaluated_now():
            return
        with np.errstate(all="ignore"):
            self._record_evaluation()

    def _evaluated_now(self) -> bool:
        steps = self._evals["eval_step"]
        return len(steps) > 0 and steps[-1] == self._step

    def _record_evaluation(self, health=None) -> _Evaluation:
        self._keep_dropout_masks()  # evaluation mode clears them
        train, test = self._evaluation_sets()
        train_loss, train_acc, train_out = self._evaluate(train.X, train.y)
        test_loss = test_acc = test_out = None
        if test is not None:
            test_loss, test_acc, test_out = self._evaluate(test.X, test.y)
        if not self._evaluated_now():
            health = health if health is not None else self._probe()[1]
            self._append_evaluation({
                "eval_step": self._step, "train_loss": train_loss,
                "test_loss": math.nan if test_loss is None else test_loss,
                "train_accuracy": math.nan if train_acc is None else train_acc,
                "test_accuracy": math.nan if test_acc is None else test_acc, **self._health_row(health)})
        self.last_evaluation = _Evaluation(train_loss, train_acc, frozen(train_out), test_loss, test_acc,
                                           None if test_out is None else frozen(test_out))
        return self.last_evaluation

    def _evaluation_sets(self) -> tuple[_Rows, _Rows | None]:
        """The training and test rows an evaluation point reads, in the network's dtype: all of
        them, or a fixed sample of :data:`EVALUATION_ROWS` (kept until the rows change: see
        :meth:`_build`, :meth:`set_sample`)."""
        if self._evaluation_rows is None:
            test = None if self._test_inputs is None else _sample(self._test_inputs, self.y_test)
            self._evaluation_rows = (_sample(self.trainer.X, self.y), test)
        return self._evaluation_rows

    def _append_evaluation(self, row: dict) -> None:
        """Append one evaluation point; a measure new to this run starts as NaN in the points before."""
        for key in row:
            if key not in self._evals:
                self._evals.add_column(key)
        self._evals.extend({key: [value] for key, value in row.items()})

    @staticmethod
    def _health_row(health) -> dict:
        """One evaluation point's layer health, keyed ``"{layer}.p5"`` … ``"{layer}.p95"`` (activation
        percentiles), ``"{layer}.dead"``, ``"{layer}.saturated"``, ``"{layer}.update_ratio"``,
        ``"{layer}.grad_norm"`` and ``"{layer}.{param}.grad_norm"``, ``.grad_mean_abs``, ``.grad_max_abs``."""
        row = {}
        for h in health:
            for pct, value in zip(PERCENTILES, h.percentiles):
                row[f"{h.index}.p{pct:g}"] = value
            row |= {f"{h.index}.dead": h.dead, f"{h.index}.saturated": h.saturated,
                    f"{h.index}.update_ratio": h.update_ratio, f"{h.index}.grad_norm": h.grad_norm}
            for name, g in h.grads.items():
                row |= {f"{h.index}.{name}.grad_norm": g.norm, f"{h.index}.{name}.grad_mean_abs": g.mean_abs,
                        f"{h.index}.{name}.grad_max_abs": g.max_abs}
        return {key: math.nan if value is None else value for key, value in row.items()}

    def snapshot(self, evaluate: bool = True) -> Snapshot:
        """Build an immutable snapshot of the current state (the app draws these). ``evaluate``
        False reuses the newest evaluation point's losses, accuracies and predictions, if there is
        one, rather than evaluating every row again: what a snapshot taken while training shows
        (the loss curve gets its points at their own pace)."""
        net = self.net
        self._serial += 1
        with np.errstate(all="ignore"):
            layers, health, verdict = self._probe()
            evaluation = self.last_evaluation
            if evaluate or evaluation is None:
                evaluation = self._record_evaluation(health)
            train, test = self._evaluation_sets()
            shown = test if test is not None else train  # the rows the predictions are for
            predictions = evaluation.test_out if test is not None else evaluation.train_out
            # classes only where the outputs can tell them apart (see `scored`)
            confusion = classes = None
            if self.scored:
                predicted, true = classes_of(net, predictions, shown.y, self._midpoint)
                confusion = self._confusion(predicted, true, predictions.shape[1])
                classes = (read_only(predicted), read_only(true))
            threshold = None
            if self.scored and net.outputs == 1:
                threshold = float(net.loss.decision_threshold(net.layers[-1].activation, self._midpoint))
            node_maps = surface = surface_classes = confidence = curve = None
            if self.planar:
                node_maps, surface, surface_classes, confidence = self._plane_maps()
            curves = None
            if self._curve_x is not None:
                curve = (frozen(self._curve_x[:, 0]), frozen(net.predict(self.scaling.apply(self._curve_x))[:, 0]))
                curves = node_curves_of(net, self._curve_x[0, 0], self._curve_x[-1, 0], scale=self.scaling.apply)
        h = self.trainer.history
        landscape = self._landscape_job()
        return Snapshot(
            serial=self._serial, step=self._step, epoch=self.trainer.epoch_count,
            lr=net.lr, batch_loss=h["loss"][-1] if h["loss"] else math.nan,
            train_loss=evaluation.train_loss, test_loss=evaluation.test_loss,
            train_accuracy=evaluation.train_accuracy, test_accuracy=evaluation.test_accuracy,
            diverged=self.diverged, task=self.task, input_names=self.input_names,
            params={k: frozen(v) for k, v in net.named_parameters()},
            grads={k: frozen(v) for k, v in net.named_gradients()},
            layers=layers,
            history=self.history_views()[0],
            raw_train=(read_only(self.raw_train.X), read_only(self.raw_train.y)),
            raw_test=(read_only(self.raw_test.X), read_only(self.raw_test.y)) if self.raw_test is not None else None,
            grid_extent=self.extent, node_maps=node_maps, surface=surface, curve=curve,
            predictions=predictions, confusion=confusion, model_name=self.document.get("name", ""),
            health=health, health_history=self.history_views()[1],
            data_name=self._data_name(),
            run=self._run, surface_classes=surface_classes, surface_confidence=confidence,
            gradient_check=self._gradient_check_job(), landscape=landscape,
            health_verdict=verdict, decision_threshold=threshold,
            label_midpoint=float(self._midpoint),
            evaluated_rows=(len(train.X), 0 if test is None else len(test.X)),
            prediction_rows=shown.rows, branches=tuple(self.branches), prediction_classes=classes,
            images=self._image_classifier(landscape), node_curves=curves)

    def history_views(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The snapshot's ``history`` (per step, per evaluation point) and ``health_history``: read-only
        views of the run's tables as they are now."""
        h, evals = self.trainer.history, self._evals
        history = {"step": h.run_steps.view(), "loss": h["loss"].view(), "lr": h["lr"].view(),
                   "loss_mean": h.loss_mean.view(), **{k: evals.view(k) for k in EVALUATION_COLUMNS}}
        return history, {k: evals.view(k) for k in evals.names[len(EVALUATION_COLUMNS):]}

    def _data_name(self) -> str:
        """What the data are called: a built-in set's title ("Circle"), imported rows' name."""
        spec = find_dataset(self.data.dataset) if self.data.imported is None else None
        return spec.title if spec is not None else self.raw_train.name

    def _gradient_check_job(self) -> GradientCheckJob:
        """The gradient check of the model as it is, on the rows of one training batch (the first
        ones), ready to run; networks of more than CHECK_LIMIT parameters are not checked."""
        net = self.net
        reason = unchecked_reason(net)
        if reason:
            return GradientCheckJob(None, None, None, reason, CHECK_EPS)
        X = self.trainer.X  # the rows the network reads (float32 ones for a float32 model)
        rows = min(len(X), self.data.batch_size or len(X), PROBE)
        # in float64 whatever the model's dtype: float32 rounding would swamp differences of CHECK_EPS
        recipe = {"inputs": net.inputs, "layers": [layer.to_spec() for layer in net.layers],
                  "loss": net.loss.to_spec(), "optimizer": net.optimizer.to_spec(),
                  "schedule": net.schedule.to_spec(), "regularization": dict(net.regularization),
                  "clip_grad_norm": net.clip_grad_norm, "seed": net.seed, "dtype": "float64"}
        note = f"on the first {rows} training row{'s' if rows != 1 else ''}"
        if net.dtype_name != "float64":
            note += FLOAT64_NOTE
        return GradientCheckJob(recipe, frozen(X[:rows].astype(np.float64)), frozen(self.y[:rows].astype(np.float64)),
                                note, CHECK_EPS)

    def _landscape_job(self) -> LandscapeJob:
        """The loss landscape of the model as it is, ready to compute on any thread: on the training
        rows, or a fixed sample of them (kept until the rows change: see :meth:`_use`, :meth:`set_sample`)."""
        if self._landscape_rows is None:
            self._landscape_rows = sample_rows(self.trainer.X, self.y)
        X, y, note = self._landscape_rows
        buffers = {name: frozen(array) for name, array in self.net.named_buffers()}
        return LandscapeJob(network_recipe(self.net), buffers, X, y, self._start_params, note, self._step)

    def _keep_dropout_masks(self) -> None:
        """Keep the last training step's dropout masks, before an evaluation-mode pass clears them."""
        for i, layer in enumerate(self.net.layers):
            if layer.type == "dropout" and "mask" in layer.extras:
                self._dropout_masks[i] = frozen(layer.extras["mask"])

    def _probe(self) -> tuple[tuple[LayerView, ...], tuple, HealthVerdict]:
        """Forward and backward on the fixed probe batch, in evaluation mode, without touching the
        optimizer or the trainer's last update (the gradients are recomputed by the next training
        step anyway): the graph's per-layer views, every layer's health and the network's verdict."""
        net = self.net
        self._keep_dropout_masks()
        # the first PROBE rows; fewer for a network so wide that the passes and the views kept (some
        # eight numbers per unit and row) would take more than CHUNK_BYTES
        rows = slice(0, min(self.probe.stop, _chunk_rows(net, per_unit=8)))
        Xp, yp = self.trainer.X[rows], self.y[rows]  # in the network's dtype
        net.loss_and_gradients(Xp, yp, training=False)
        health = layer_health(net, self.trainer.last_update, self._dropout_masks)
        verdict = health_verdict(net, Xp, yp)
        views = []
        for i, layer in enumerate(net.layers):
            dz = layer.dz if layer.dz is not None else np.zeros_like(layer.z)
            views.append(LayerView(i, layer.type, layer.activation.name, layer.units,
                                   frozen(layer.a.mean(axis=0)), frozen(dz.mean(axis=0)),
                                   frozen(layer.a), frozen(layer.z), frozen(dz)))
        return tuple(views), health, verdict

    def _plane_maps(self) -> tuple:
        """One forward pass over the input plane at SURFACE resolution (a chunk of points at a time,
        see :data:`CHUNK_BYTES`): the output is the decision surface, and every other point of every
        column (inputs first) is that node's heatmap (None for a column of more than
        :data:`HEATMAP_UNITS` units). With two or more class outputs, also the class predicted at
        each point (the arg-max) and its probability (the outputs themselves under a softmax, else
        the softmax of the outputs)."""
        net = self.net
        points = self._surface
        count = len(points)
        widths = [points.shape[1]] + [layer.units for layer in net.layers]
        maps = [np.empty((width, GRID * GRID), dtype=net.dtype) if width <= HEATMAP_UNITS else None
                for width in widths]
        x = np.empty((count, net.outputs), dtype=net.dtype)
        rows = _chunk_rows(net)
        for start in range(0, count, rows):
            stop = min(start + rows, count)
            row, column = np.divmod(np.arange(start, stop), SURFACE)
            kept = (row % 2 == 0) & (column % 2 == 0)  # the GRID points among these
            cells = (row[kept] // 2) * GRID + column[kept] // 2
            a = points[start:stop].astype(net.dtype, copy=False)
            for i, heatmaps in enumerate(maps):
                if i:
                    a = net.layers[i - 1].forward(a, training=False)
                if heatmaps is not None:
                    heatmaps[:, cells] = a[kept].T
            x[start:stop] = a
        maps = tuple(None if m is None else frozen(m.reshape(-1, GRID, GRID)) for m in maps)
        surface = frozen(x[:, 0].reshape(SURFACE, SURFACE))
        if self.task != "classification" or x.shape[1] < 2:
            return maps, surface, None, None
        probabilities = x
        if not isinstance(net.layers[-1].activation, Softmax):
            shifted = np.exp(x - x.max(axis=1, keepdims=True))
            probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        classes = probabilities.argmax(axis=1)
        confidence = np.take_along_axis(probabilities, classes[:, None], axis=1)[:, 0]
        return (maps, surface, frozen(classes.reshape(SURFACE, SURFACE)),
                frozen(confidence.reshape(SURFACE, SURFACE)))

    @staticmethod
    def _confusion(predicted: np.ndarray, true: np.ndarray, outputs: int) -> np.ndarray:
        """Rows: the true class; columns: the predicted class (the classes of
        :func:`~nnviz.core.data.classes_of`, as :meth:`accuracy` counts them)."""
        k = max(2, outputs)
        matrix = np.zeros((k, k), dtype=np.int64)
        np.add.at(matrix, (true, predicted), 1)
        return frozen(matrix)

    def input_scaling(self) -> InputScaling:
        """The scaling the data's input rows get before the network reads them (the training and
        the test rows alike), for whatever else the network is to read: a picture drawn by hand.

        The data settings' method (``DataConfig.scaling``: none / [0, 1] / standardise, see
        :mod:`nnviz.core.scaling`) with its statistics from the training rows, taken when the rows
        were loaded (or as a saved model fixed them); it is saved with the model. ``raw_train`` and
        ``raw_test`` stay the rows before it (the gallery of misclassified pictures shows them)."""
        return self.scaling

    def _image_classifier(self, landscape: LandscapeJob) -> ImageClassifier:
        """The network as a classifier of pictures, or why it is none: inputs that form a square
        picture (64 or 784 of them, the data's own columns) and classes the outputs tell apart. Its
        recipe and buffers are the landscape job's (frozen already)."""
        width = len(self.input_names)
        side = image_side(width) if not self.planar else None
        if side is None:
            names = ", ".join(self.input_names[:3]) + (", …" if width > 3 else "")
            note = (f"this model takes {width} input{'s' if width != 1 else ''} ({names}), not a square picture "
                    f"of 64 (8 × 8) or 784 (28 × 28)")
            return ImageClassifier(None, note=note)
        if self.task != "classification":
            return ImageClassifier(None, note=f"{self.raw_train.name} is a regression data set: there are no classes")
        if not self.scored:
            return ImageClassifier(None, note=f"the output layer's {self.net.outputs} unit"
                                              f"{'s' if self.net.outputs != 1 else ''} cannot tell the "
                                              f"{self._classes} classes apart")
        return ImageClassifier(landscape.recipe, landscape.buffers, side, self.input_scaling(), self._pixel_range(),
                               max(2, self.net.outputs), self.net.layers[-1].activation.name)

    def _pixel_range(self) -> tuple[float, float]:
        """The lowest and the highest input value of the training rows (what a drawing's ink is
        mapped onto), kept until the rows change."""
        X = self.raw_train.X
        cached = self._pixels
        if cached is None or cached[0] is not X:  # new rows (set_sample edits make new ones)
            lo, hi = (float(X.min()), float(X.max())) if X.size else (0.0, 1.0)
            self._pixels = (X, (lo, hi if hi > lo else lo + 1.0))
        return self._pixels[1]


__all__ = ["ARRAY_KEYS", "CHUNK_BYTES", "GRID", "HEATMAP_UNITS", "PROBE", "SURFACE", "DataConfig", "Experiment",
           "InlineData", "LayerView", "Snapshot", "data_config_for", "default_document", "diverged"]
