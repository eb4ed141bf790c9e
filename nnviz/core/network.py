"""The network: layers, loss, optimizer and schedule, with every parameter in one flat buffer.

All parameters live in ``flat_params`` and all gradients in ``flat_grads`` (1-D arrays of the network's
dtype); each layer's ``weight``, ``bias``, … are reshaped views into them. The optimizer therefore
updates the whole network with a few whole-array calls, and saving, loading and gradient checking all
work on one array.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from nnviz.core.errors import ModelError
from nnviz.core.layers import LAYERS, Layer
from nnviz.core.losses import make_loss
from nnviz.core.optimizers import OPTIMIZERS, Optimizer
from nnviz.core.schedules import SCHEDULES, Schedule
from nnviz.core.spec import HotPath
from nnviz.core.writing import network_to_dict

DTYPES = {"float64": np.float64, "float32": np.float32}


def _finite(flat: np.ndarray) -> bool:
    """Whether every entry of the 1-D ``flat`` is finite: its sum of squares is (one BLAS call, no
    temporary array: a NaN or an infinity makes the sum one), or, should that sum overflow, each
    entry is. Call it where overflow does not warn (``np.errstate(over="ignore")``)."""
    return math.isfinite(flat.dot(flat)) or bool(np.isfinite(flat).all())


class Network(HotPath):
    """A feed-forward network with its loss, optimizer and learning-rate schedule.

    Build one from a model document with :func:`nnviz.core.load_model`; this constructor takes the
    document's pieces already validated (``nnviz.core.document`` checks them and names the field in
    every error).
    """

    #: the document's ``name``, ``description`` and ``data`` entries, kept for saving it back
    meta: dict

    def __init__(self, inputs: int, layers: list[dict], loss="mse", optimizer=None, schedule=None,
                 regularization=None, clip_grad_norm=None, seed: int = 0, dtype: str = "float64"):
        self.inputs = inputs
        self.seed = seed
        self.dtype_name = dtype
        self.dtype = np.dtype(DTYPES[dtype])
        self.loss = make_loss(loss)
        self.regularization = {"l1": 0.0, "l2": 0.0, **(regularization or {})}
        self.clip_grad_norm = clip_grad_norm
        self.layers: list[Layer] = []
        fan_in = inputs
        for spec in layers:
            spec = dict(spec)
            cls = LAYERS[spec.pop("type")]
            layer = cls(fan_in, spec.pop("activation", None), spec.pop("init", None), **spec)
            self.layers.append(layer)
            fan_in = layer.units
        self.outputs = fan_in
        self._allocate()
        self._initialize(np.random.default_rng(seed))
        optimizer = dict(optimizer or {"name": "sgd"})
        self.optimizer: Optimizer = OPTIMIZERS[optimizer.pop("name")](self.flat_params.size, self.dtype,
                                                                        **optimizer)
        schedule = dict(schedule or {"name": "constant"})
        self.schedule: Schedule = SCHEDULES[schedule.pop("name")](self.optimizer.lr, **schedule)
        self.samples_seen = 0
        self.meta = {}
        self.optimizer.check_network(self)

    # -- storage --------------------------------------------------------------------------------
    def _allocate(self) -> None:
        entries = [(i, name, shape) for i, layer in enumerate(self.layers) for name, shape in layer.param_shapes()]
        total = sum(math.prod(shape) for _, _, shape in entries)
        self.flat_params = np.zeros(total, dtype=self.dtype)
        self.flat_grads = np.zeros(total, dtype=self.dtype)
        self.param_slices: dict[str, slice] = {}
        reg_mask = np.zeros(total, dtype=bool)
        offset = 0
        views: list[tuple[dict, dict, dict]] = [({}, {}, {}) for _ in self.layers]
        for i, name, shape in entries:
            size = math.prod(shape)
            piece = slice(offset, offset + size)
            self.param_slices[f"layers[{i}].{name}"] = piece
            views[i][0][name] = self.flat_params[piece].reshape(shape)
            views[i][1][name] = self.flat_grads[piece].reshape(shape)
            if name in self.layers[i].REGULARIZED:
                reg_mask[piece] = True
            offset += size
        for (params, grads, buffers), layer in zip(views, self.layers):
            for name, shape in layer.buffer_shapes():
                buffers[name] = np.zeros(shape, dtype=self.dtype)
            layer.bind(params, grads, buffers)
        self._buffers = tuple(array for _, _, buffers in views for array in buffers.values())
        self._reg_mask = reg_mask.astype(self.dtype)
        self._regularized = reg_mask.any()

    def __setstate__(self, state: dict) -> None:
        """Unpickled (a copy in the app's training process): pickling copies each layer's views of
        the flat buffers, so they are made views of the buffers again."""
        super().__setstate__(state)
        for i, layer in enumerate(self.layers):
            params, grads = {}, {}
            for name, shape in layer.param_shapes():
                piece = self.param_slices[f"layers[{i}].{name}"]
                params[name] = self.flat_params[piece].reshape(shape)
                grads[name] = self.flat_grads[piece].reshape(shape)
            layer.bind(params, grads, layer.buffers())

    def _initialize(self, rng: np.random.Generator) -> None:
        for layer in self.layers:
            for name, value in layer.initial_values(rng, self.dtype).items():
                getattr(layer, name)[...] = value

    # -- names ----------------------------------------------------------------------------------
    def named_parameters(self) -> list[tuple[str, np.ndarray]]:
        """``("layers[i].name", view)`` for every parameter, in buffer order."""
        return [(f"layers[{i}].{name}", array) for i, layer in enumerate(self.layers)
                for name, array in layer.parameters().items()]

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        return [(f"layers[{i}].{name}", array) for i, layer in enumerate(self.layers)
                for name, array in layer.buffers().items()]

    def named_gradients(self) -> list[tuple[str, np.ndarray]]:
        return [(f"layers[{i}].{name}", array) for i, layer in enumerate(self.layers)
                for name, array in layer.gradients().items()]

    def get(self, name: str) -> np.ndarray:
        """The parameter or buffer called ``name`` (e.g. ``"layers[0].weight"``), as a live view."""
        for key, array in self.named_parameters() + self.named_buffers():
            if key == name:
                return array
        raise KeyError(name)

    @property
    def parameter_count(self) -> int:
        return self.flat_params.size

    @property
    def step_count(self) -> int:
        """Optimizer steps taken so far."""
        return self.optimizer.t

    @property
    def lr(self) -> float:
        """The learning rate the next step will use."""
        return self.schedule.lr(self.optimizer.t)

    def not_finite(self) -> str:
        """What of the network holds a NaN or an infinity — ``"the parameters"``, ``"the optimizer
        state"`` or ``"the running statistics"`` — or ``""`` when every number is finite. Cheap
        enough to ask after every step: a BLAS call per flat array (see :func:`_finite`)."""
        with np.errstate(over="ignore"):  # a sum of squares overflows near the largest floats
            if not _finite(self.flat_params):
                return "the parameters"
            for flat in self.optimizer.state.values():
                if not _finite(flat):
                    return "the optimizer state"
        for buffer in self._buffers:  # BatchNorm's running mean and variance
            if not np.isfinite(buffer).all():
                return "the running statistics"
        return ""

    # -- passes ---------------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False, rng=None, update_stats: bool = True) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training, rng, update_stats)
        return x

    def predict(self, x) -> np.ndarray:
        """The network's output for ``x`` in evaluation mode (running statistics, no dropout)."""
        x = self._as_inputs(x)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.array(self.forward(x, training=False), copy=True)

    def data_loss(self, out: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, bool]:
        last = self.layers[-1]
        return self.loss.evaluate(out, y, last.z, last.activation.name)

    def regularization_loss(self) -> float:
        if not self._regularized:
            return 0.0
        l1, l2 = self.regularization["l1"], self.regularization["l2"]
        w = self.flat_params * self._reg_mask
        total = 0.0
        if l1:
            total += l1 * float(np.sum(np.abs(w)))
        if l2:
            total += l2 * float(np.dot(w, w))
        return total

    def _add_regularization_grad(self) -> None:
        l1, l2 = self.regularization["l1"], self.regularization["l2"]
        if l1:
            self.flat_grads += l1 * np.sign(self.flat_params) * self._reg_mask
        if l2:
            self.flat_grads += (2.0 * l2) * self.flat_params * self._reg_mask

    def backward(self, grad: np.ndarray, wrt_z: bool = False) -> None:
        """Backpropagate ``dL/d(output)`` (or ``dL/dz`` of the last layer when ``wrt_z``), filling
        ``flat_grads`` (every layer overwrites its own gradients, so no zeroing is needed)."""
        layers = self.layers
        last = len(layers) - 1
        for i in range(last, -1, -1):
            if i == last and wrt_z:
                grad = layers[i].backward(None, grad, need_dx=i > 0)
            else:
                grad = layers[i].backward(grad, need_dx=i > 0)

    def loss_and_gradients(self, x, y, training: bool = True, rng=None, update_stats: bool = True) -> float:
        """Forward, loss (with regularisation) and backward on one batch; returns the loss."""
        out = self.forward(x, training, rng, update_stats)
        loss, grad, wrt_z = self.data_loss(out, y)
        self.backward(grad, wrt_z)
        if self._regularized and (self.regularization["l1"] or self.regularization["l2"]):
            loss += self.regularization_loss()
            self._add_regularization_grad()
        return loss

    def evaluate(self, x, y) -> float:
        """The data loss (without regularisation) on ``(x, y)`` in evaluation mode."""
        x = self._as_inputs(x)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self.data_loss(self.forward(x, training=False), y)[0]

    def _as_inputs(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x.reshape(1, -1)
        if x.ndim != 2 or x.shape[1] != self.inputs:
            raise ModelError(f"inputs: the network takes {self.inputs} input(s) per sample, got shape {x.shape}")
        return x

    # -- documents ------------------------------------------------------------------------------
    def to_dict(self, state: bool = True) -> dict:
        """The model document (``nnviz.model/1``) for this network, with parameters, buffers and,
        when ``state`` is true, the optimizer state and training progress."""
        return network_to_dict(self, state=state)

    def copy(self, dtype: str | None = None) -> Network:
        """An independent network with the same settings, numbers, optimizer state and progress; in
        ``dtype`` (``"float64"``, ``"float32"``) if given, its numbers converted."""
        twin = Network(self.inputs, [layer.to_spec() for layer in self.layers], self.loss.to_spec(),
                       self.optimizer.to_spec(), self.schedule.to_spec(), self.regularization,
                       self.clip_grad_norm, self.seed, dtype or self.dtype_name)
        twin.flat_params[...] = self.flat_params
        for (_, mine), (_, theirs) in zip(self.named_buffers(), twin.named_buffers()):
            theirs[...] = mine
        for term, flat in self.optimizer.state.items():
            twin.optimizer.state[term][...] = flat
        twin.optimizer.t, twin.samples_seen = self.optimizer.t, self.samples_seen
        twin.meta = copy.deepcopy(self.meta)
        return twin

    def summary(self) -> str:
        lines = [f"Network: {self.inputs} inputs -> {self.outputs} outputs, {self.parameter_count} parameters, "
                 f"{self.dtype_name}"]
        for i, layer in enumerate(self.layers):
            count = sum(p.size for p in layer.parameters().values())
            lines.append(f"  [{i}] {layer!r}  ({count} parameters)")
        lines.append(f"  loss={self.loss!r} optimizer={self.optimizer!r} schedule={self.schedule!r}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in [self.inputs] + [layer.units for layer in self.layers])
        return (f"Network({sizes}, layers=[{', '.join(layer.type for layer in self.layers)}], "
                f"loss={self.loss.name}, optimizer={self.optimizer.name}, dtype={self.dtype_name})")
