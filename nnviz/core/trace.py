"""The forward/backward trace of one optimizer step: every number the step-by-step view shows.

A :class:`Trace` is filled by :meth:`nnviz.core.Trainer.trace` while it takes a real step, so it
holds exactly the numbers the training used. All arrays are copies, made read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _frozen(array) -> np.ndarray | None:
    if array is None:
        return None
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


def _listify(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


@dataclass
class LayerTrace:
    """One layer's part of the step: forward values, backward values and its parameters."""

    index: int
    type: str
    activation: str
    input: np.ndarray  # x (batch, fan_in)
    z: np.ndarray  # pre-activation (batch, units)
    a: np.ndarray  # output a = f(z)
    da: np.ndarray | None = None  # dL/da
    dz: np.ndarray | None = None  # dL/dz
    dadz: np.ndarray | None = None  # f'(z), where the activation acts elementwise (not softmax)
    grads: dict[str, np.ndarray] = field(default_factory=dict)  # dL/d(parameter)
    params_before: dict[str, np.ndarray] = field(default_factory=dict)
    params_after: dict[str, np.ndarray] = field(default_factory=dict)
    buffers_after: dict[str, np.ndarray] = field(default_factory=dict)
    extras: dict[str, np.ndarray] = field(default_factory=dict)  # batch statistics, gates, masks…

    def to_dict(self) -> dict:
        return _listify({k: getattr(self, k) for k in self.__dataclass_fields__})


@dataclass
class Trace:
    step: int = 0  # optimizer steps taken before this one
    lr: float = 0.0
    batch_indices: np.ndarray | None = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    layers: list[LayerTrace] = field(default_factory=list)
    output: np.ndarray | None = None
    loss: float = float("nan")  # the objective: data loss + regularisation
    data_loss: float = float("nan")
    regularization_loss: float = 0.0
    output_grad: np.ndarray | None = None  # dL/d(output), for display even where the loss is fused
    fused: bool = False  # the loss gradient was taken with respect to the last z (p - y)
    grad_norm: float | None = None  # before clipping; None for the perceptron rule, which has no gradient
    clip_coef: float = 1.0
    optimizer: str = ""
    optimizer_scalars: dict[str, float] = field(default_factory=dict)
    optimizer_state: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # term -> param -> array
    optimizer_state_before: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # as it was
    # Rosenblatt's rule, sample by sample: x, target, z, output, error, weight/bias before and after
    perceptron: list[dict[str, np.ndarray]] = field(default_factory=list)

    # -- filled by the trainer --------------------------------------------------------------------
    def begin(self, net, x, y, indices, lr) -> None:
        self.step, self.lr = net.optimizer.t, float(lr)
        self.batch_indices = _frozen(indices)
        self.x, self.y = _frozen(x), _frozen(y)
        self.optimizer = net.optimizer.name
        self._before = {name: _frozen(p) for name, p in net.named_parameters()}
        self.optimizer_state_before = self._optimizer_state(net)

    @staticmethod
    def _optimizer_state(net) -> dict[str, dict[str, np.ndarray]]:
        return {term: {name: _frozen(flat[piece].reshape(net.get(name).shape))
                       for name, piece in net.param_slices.items()}
                for term, flat in net.optimizer.state.items()}

    def _record_forward(self, net) -> None:
        self.layers = []
        for i, layer in enumerate(net.layers):
            prefix = f"layers[{i}]."
            self.layers.append(LayerTrace(
                index=i, type=layer.type, activation=layer.activation.name,
                input=_frozen(layer.x), z=_frozen(layer.z), a=_frozen(layer.a),
                params_before={k[len(prefix):]: v for k, v in self._before.items() if k.startswith(prefix)},
                extras={k: _frozen(v) for k, v in layer.extras.items() if isinstance(v, np.ndarray)}))
        self.output = self.layers[-1].a if self.layers else None

    def after_backward(self, net, loss, grad_norm) -> None:
        self._record_forward(net)
        for record, layer in zip(self.layers, net.layers):
            record.da, record.dz = _frozen(layer.da), _frozen(layer.dz)
            if layer.activation.elementwise:
                record.dadz = _frozen(layer.activation.derivative(layer.z))
            record.grads = {k: _frozen(v) for k, v in layer.gradients().items()}
        last = net.layers[-1]
        self.data_loss, _, self.fused = net.data_loss(last.a, self.y)
        self.regularization_loss = net.regularization_loss()
        self.output_grad = _frozen(net.loss.output_grad(last.a, self.y, last.z, last.activation.name))
        if self.layers[-1].da is None:  # fused: show dL/da all the same
            self.layers[-1].da = self.output_grad
        self.grad_norm = float(grad_norm)
        clip = net.clip_grad_norm
        self.clip_coef = min(1.0, clip / (grad_norm + 1e-6)) if clip is not None else 1.0

    def finish(self, net, loss) -> None:
        if not self.layers:  # the perceptron rule has no backward pass; its forward pass is cached
            self._record_forward(net)
            self.data_loss = float(loss)
        self.loss = float(loss)
        for record, layer in zip(self.layers, net.layers):
            record.params_after = {k: _frozen(v) for k, v in layer.parameters().items()}
            record.buffers_after = {k: _frozen(v) for k, v in layer.buffers().items()}
        self.optimizer_scalars = {k: float(v) for k, v in net.optimizer.last.items()}
        self.optimizer_state = self._optimizer_state(net)
        del self._before

    def add_perceptron_update(self, **values) -> None:
        self.perceptron.append({k: _frozen(v) for k, v in values.items()})

    # -- output ----------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-ready: arrays as nested lists (see docs/trace-format.md)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "layers"}
        out = _listify(out)
        out["layers"] = [layer.to_dict() for layer in self.layers]
        return {"format": "nnviz.trace/1", **out}

