"""PyTorch reference trajectories for the NumPy core.

``build_cases()`` describes a spread of small networks as nnviz model documents with
explicit parameters, data and batch size; it needs only NumPy, so the tests can call it
anywhere.  ``run_torch(case)`` trains the same network with PyTorch in float64 for
``case["steps"]`` optimizer steps and returns the loss, the learning rate and every
parameter and buffer after each step.  torch is imported inside ``run_torch`` only: it is
an optional tool for recording (``python tests/reference/record.py``) and for the live
test, never a dependency of nnviz.

The torch side follows the document semantics below, one torch building block per
document feature; ``_check_lr_schedule`` re-derives the learning rates from the closed
forms so a wrongly built scheduler cannot slip into the recorded files.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

STEPS = 50

LAYER_TYPES = ("dense", "glu", "batchnorm", "layernorm", "rmsnorm", "dropout")
ACTIVATIONS = (
    "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu",
    "swish", "softmax",
)
LOSSES = ("mse", "mae", "huber", "bce", "cross_entropy", "focal")
OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam", "adamw")
SCHEDULES = ("constant", "step", "cosine")


# --------------------------------------------------------------------------- documents


def spec(value: Any) -> tuple[str, dict]:
    """Split an activation/loss entry (a name or ``{"name": ..., options}``) into name, options."""
    if isinstance(value, str):
        return value, {}
    options = dict(value)
    return options.pop("name"), options


class _NetBuilder:
    """Adds layers with explicit random parameters, tracking the width flowing through."""

    def __init__(self, rng: np.random.Generator, inputs: int):
        self.rng = rng
        self.width = inputs
        self.layers: list[dict] = []

    def _u(self, low: float, high: float, shape) -> list:
        return self.rng.uniform(low, high, shape).tolist()

    def _finish(self, layer: dict, activation) -> dict:
        if activation is not None:
            layer["activation"] = activation
            if spec(activation)[0] == "prelu":
                layer["alpha"] = [float(self.rng.uniform(0.15, 0.35))]
        self.layers.append(layer)
        return layer

    def dense(self, units: int, activation=None) -> dict:
        layer = {
            "type": "dense", "units": units,
            "weight": self._u(-0.6, 0.6, (units, self.width)),
            "bias": self._u(-0.2, 0.2, (units,)),
        }
        self.width = units
        return self._finish(layer, activation)

    def glu(self, units: int, variant: str, activation=None) -> dict:
        layer = {
            "type": "glu", "units": units, "variant": variant,
            "weight": self._u(-0.6, 0.6, (units, self.width)),
            "bias": self._u(-0.2, 0.2, (units,)),
            "gate_weight": self._u(-0.6, 0.6, (units, self.width)),
            "gate_bias": self._u(-0.2, 0.2, (units,)),
        }
        self.width = units
        return self._finish(layer, activation)

    def batchnorm(self, momentum: float = 0.1, eps: float = 1e-5, activation=None) -> dict:
        n = self.width
        layer = {
            "type": "batchnorm", "momentum": momentum, "eps": eps,
            "weight": self._u(0.8, 1.2, (n,)), "bias": self._u(-0.1, 0.1, (n,)),
            "running_mean": self._u(-0.1, 0.1, (n,)), "running_var": self._u(0.8, 1.2, (n,)),
        }
        return self._finish(layer, activation)

    def layernorm(self, eps: float = 1e-5, activation=None) -> dict:
        n = self.width
        layer = {"type": "layernorm", "eps": eps,
                 "weight": self._u(0.8, 1.2, (n,)), "bias": self._u(-0.1, 0.1, (n,))}
        return self._finish(layer, activation)

    def rmsnorm(self, eps: float | None = None, activation=None) -> dict:
        layer: dict = {"type": "rmsnorm"}
        if eps is not None:
            layer["eps"] = eps
        layer["weight"] = self._u(0.8, 1.2, (self.width,))
        return self._finish(layer, activation)

    def dropout(self, activation=None) -> dict:
        return self._finish({"type": "dropout", "p": 0.0}, activation)


def _document(inputs: int, layers: list[dict], loss, optimizer: dict, schedule: dict | None,
              warmup: int | None, clip: float | None, l1: float, l2: float) -> dict:
    schedule = dict(schedule or {"name": "constant"})
    if warmup is not None:
        schedule["warmup"] = warmup
    return {
        "format": "nnviz.model/1",
        "inputs": inputs,
        "layers": layers,
        "loss": loss,
        "regularization": {"l1": l1, "l2": l2},
        "optimizer": optimizer,
        "schedule": schedule,
        "clip_grad_norm": clip,
        "seed": 0,
        "dtype": "float64",
    }


def _targets(rng: np.random.Generator, X: np.ndarray, kind: str, k: int):
    """Targets that a small network can partly learn: a smooth map of X plus a little noise."""
    A = rng.uniform(-1.0, 1.0, (X.shape[1], k))
    z = X @ A + 0.3 * rng.standard_normal((X.shape[0], k))
    if kind == "regression":
        return (0.8 * np.tanh(z)).tolist()
    if kind == "binary":
        return (z > 0).astype(np.float64).tolist()
    if kind == "indices":
        return [int(i) for i in np.argmax(z, axis=1)]
    if kind == "onehot":
        return np.eye(k)[np.argmax(z, axis=1)].tolist()
    raise ValueError(kind)


def _case(name: str, seed: int, *, inputs: int = 3, rows: int = 12, hidden=None,
          out_units: int = 1, out_activation=None, target: str = "regression",
          loss="mse", optimizer: dict | None = None, schedule: dict | None = None,
          warmup: int | None = None, clip: float | None = None, l1: float = 0.0,
          l2: float = 0.0, batch_size: int | None = None, net=None) -> dict:
    """One case.  ``net(builder)`` adds the hidden layers (default: one dense of 5 units with
    activation ``hidden``); the output dense layer is added afterwards."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (rows, inputs))
    builder = _NetBuilder(rng, inputs)
    if net is None:
        builder.dense(5, hidden)
    else:
        net(builder)
    builder.dense(out_units, out_activation)
    y = _targets(rng, X, target, out_units)
    doc = _document(inputs, builder.layers, loss, optimizer or {"name": "sgd", "lr": 0.05},
                    schedule, warmup, clip, l1, l2)
    return {"name": name, "model": doc, "X": X.tolist(), "y": y, "batch_size": batch_size,
            "steps": STEPS}


def build_cases() -> list[dict]:
    """All reference cases: every layer, activation, loss, optimizer option and schedule."""
    sgd = lambda lr=0.05, **kw: {"name": "sgd", "lr": lr, **kw}  # noqa: E731
    adam = lambda lr=0.01, **kw: {"name": "adam", "lr": lr, **kw}  # noqa: E731
    rmsprop = lambda lr=0.005, **kw: {"name": "rmsprop", "lr": lr, **kw}  # noqa: E731
    adagrad = lambda lr=0.05, **kw: {"name": "adagrad", "lr": lr, **kw}  # noqa: E731
    adamw = lambda lr=0.01, **kw: {"name": "adamw", "lr": lr, **kw}  # noqa: E731
    cases = [
        # ---- hidden activations x sgd options --------------------------------------------
        _case("relu_sgd", 1, hidden="relu", optimizer=sgd()),
        _case("tanh_sgd_momentum", 2, hidden="tanh", optimizer=sgd(momentum=0.9)),
        _case("sigmoid_sgd_dampening", 3, hidden="sigmoid",
              optimizer=sgd(0.1, momentum=0.9, dampening=0.3)),
        _case("leaky_relu_alpha_sgd_nesterov", 4, hidden={"name": "leaky_relu", "alpha": 0.1},
              optimizer=sgd(momentum=0.8, nesterov=True)),
        _case("elu_sgd_weight_decay", 5, hidden="elu",
              optimizer=sgd(momentum=0.5, weight_decay=0.01)),
        _case("identity_sgd_two_outputs", 6, hidden="identity", inputs=4, out_units=2,
              optimizer=sgd(0.05)),
        _case("softmax_hidden_sgd", 7, hidden="softmax", optimizer=sgd(0.2, momentum=0.5)),
        _case("step_at_zero_hidden", 8, optimizer=sgd(0.05, momentum=0.5),
              net=_step_net({"name": "step", "at_zero": 0.5})),
        _case("step_default_hidden", 9, optimizer=sgd(0.05), net=_step_net("step")),
        # ---- activations with options x adaptive optimizers ------------------------------
        _case("elu_alpha_mae_adam", 10, hidden={"name": "elu", "alpha": 0.5}, loss="mae",
              optimizer=adam()),
        _case("gelu_huber_adam_amsgrad", 11, hidden="gelu", loss="huber",
              optimizer=adam(0.02, amsgrad=True)),
        _case("gelu_tanh_huber_delta_adam_wd", 12,
              hidden={"name": "gelu", "approximate": "tanh"},
              loss={"name": "huber", "delta": 0.3}, optimizer=adam(weight_decay=0.01)),
        _case("swish_adamw", 13, hidden="swish",
              optimizer=adamw(betas=[0.85, 0.99], eps=1e-7, weight_decay=0.05)),
        _case("swish_beta_adamw_defaults", 14, hidden={"name": "swish", "beta": 1.5},
              optimizer=adamw()),
        _case("prelu_adam", 15, hidden="prelu", optimizer=adam(betas=[0.8, 0.95], eps=1e-6)),
        _case("leaky_relu_rmsprop", 16, hidden="leaky_relu", optimizer=rmsprop()),
        _case("tanh_rmsprop_centered", 17, hidden="tanh", optimizer=rmsprop(centered=True)),
        _case("relu_rmsprop_momentum", 18, hidden="relu", optimizer=rmsprop(momentum=0.5)),
        _case("prelu_rmsprop_all_options", 19, hidden="prelu",
              optimizer=rmsprop(0.003, alpha=0.95, eps=1e-6, weight_decay=0.01,
                                momentum=0.3, centered=True)),
        _case("sigmoid_adagrad", 20, hidden="sigmoid", optimizer=adagrad(0.1)),
        _case("tanh_adagrad_options", 21, hidden="tanh",
              optimizer=adagrad(0.1, lr_decay=0.02, initial_accumulator_value=0.1, eps=1e-8,
                                weight_decay=0.001)),
        # ---- losses with sigmoid / softmax outputs ---------------------------------------
        _case("bce_sigmoid_output", 22, hidden="tanh", out_activation="sigmoid",
              target="binary", loss="bce", optimizer=adam()),
        _case("bce_logits", 23, hidden="relu", target="binary", loss="bce",
              optimizer=sgd(0.1, momentum=0.9)),
        _case("focal_logits", 24, hidden="tanh", target="binary", loss="focal",
              optimizer=adam(0.02)),
        _case("focal_sigmoid_output_options", 25, hidden="relu", out_activation="sigmoid",
              target="binary", loss={"name": "focal", "alpha": 0.4, "gamma": 1.5},
              optimizer=rmsprop(0.01)),
        _case("ce_indices_logits", 26, hidden="relu", out_units=3, target="indices",
              loss="cross_entropy", optimizer=sgd(0.1)),
        _case("ce_indices_softmax", 27, hidden="tanh", out_units=3, out_activation="softmax",
              target="indices", loss="cross_entropy", optimizer=adam()),
        _case("ce_onehot_logits", 28, hidden="elu", inputs=4, out_units=3, target="onehot",
              loss="cross_entropy", optimizer=adamw(weight_decay=0.02)),
        _case("ce_onehot_softmax", 29, hidden="sigmoid", out_units=4, out_activation="softmax",
              target="onehot", loss="cross_entropy", optimizer=sgd(0.2, momentum=0.7,
                                                                   nesterov=True)),
        # ---- schedules --------------------------------------------------------------------
        _case("schedule_step", 30, hidden="tanh", optimizer=sgd(0.1, momentum=0.5),
              schedule={"name": "step", "step_size": 10, "gamma": 0.5}),
        _case("schedule_step_warmup", 31, hidden="relu", optimizer=adam(0.02),
              schedule={"name": "step", "step_size": 8, "gamma": 0.7}, warmup=5),
        _case("schedule_cosine", 32, hidden="tanh", optimizer=sgd(0.1),
              schedule={"name": "cosine", "t_max": 50, "eta_min": 0.001}),
        _case("schedule_cosine_warmup", 33, hidden="gelu", optimizer=adam(0.02),
              schedule={"name": "cosine", "t_max": 40, "eta_min": 0.0}, warmup=10),
        _case("schedule_cosine_past_t_max", 34, hidden="sigmoid", optimizer=sgd(0.2),
              schedule={"name": "cosine", "t_max": 15, "eta_min": 0.01}),
        _case("schedule_constant_warmup", 35, hidden="relu", optimizer=rmsprop(0.01),
              schedule={"name": "constant"}, warmup=8),
        _case("schedule_warmup_one_is_none", 36, hidden="tanh", optimizer=sgd(0.1),
              schedule={"name": "step", "step_size": 7, "gamma": 0.8}, warmup=1),
        # ---- clipping, regularization, batching ------------------------------------------
        _case("clip_grad_norm_sgd", 37, hidden="tanh", inputs=4, out_units=2,
              optimizer=sgd(0.2, momentum=0.5), clip=0.05),
        _case("clip_grad_norm_adam_minibatch", 38, hidden="relu", optimizer=adam(0.02),
              clip=0.1, batch_size=5),
        _case("l1_l2_regularization", 39, hidden="tanh", optimizer=sgd(0.05, momentum=0.5),
              l1=0.003, l2=0.01),
        _case("minibatch_wraparound_adam", 40, hidden="relu", inputs=4, rows=13,
              optimizer=adam(), batch_size=5),
        # ---- layers -----------------------------------------------------------------------
        _case("glu_adam_l2", 41, optimizer=adam(), l2=0.01,
              net=lambda b: b.glu(4, "glu")),
        _case("swiglu_sgd_momentum_l1", 42, optimizer=sgd(0.05, momentum=0.9), l1=0.005,
              net=lambda b: b.glu(5, "swiglu")),
        _case("geglu_rmsprop_tanh", 43, optimizer=rmsprop(0.003), inputs=4,
              net=lambda b: b.glu(4, "geglu", activation="tanh")),
        # The dense layer before batchnorm has identity activation, so its bias gradient is
        # zero up to rounding; sgd keeps that rounding noise tiny where adaptive optimizers
        # would blow it up to lr-sized steps of random sign.
        _case("batchnorm_relu_minibatch", 44, rows=16, batch_size=6,
              optimizer=sgd(0.05, momentum=0.9),
              net=lambda b: (b.dense(5), b.batchnorm(momentum=0.1, eps=1e-5,
                                                     activation="relu"))),
        _case("batchnorm_after_tanh_adam", 45, rows=10, optimizer=adam(),
              net=lambda b: (b.dense(4, "tanh"), b.batchnorm(momentum=0.3, eps=1e-3))),
        _case("layernorm_adam", 46, optimizer=adam(),
              net=lambda b: (b.dense(5, "tanh"), b.layernorm(eps=1e-5, activation="relu"))),
        _case("rmsnorm_eps_adagrad", 47, optimizer=adagrad(0.05),
              net=lambda b: (b.dense(5, "relu"), b.rmsnorm(eps=1e-6))),
        _case("rmsnorm_default_eps_adam", 48, optimizer=adam(),
              net=lambda b: (b.dense(4, "elu"), b.rmsnorm())),
        _case("dropout_zero_sgd", 49, optimizer=sgd(0.1),
              net=lambda b: (b.dense(5, "relu"), b.dropout())),
        _case("deep_mix", 50, inputs=4, rows=12, out_units=2, batch_size=5,
              optimizer=sgd(0.05, momentum=0.9), l2=0.001,
              schedule={"name": "cosine", "t_max": 45, "eta_min": 0.005}, warmup=5,
              net=_deep_mix),
    ]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def _step_net(activation):
    """Dense -> step -> dense(tanh): the step layer's weights get zero gradient and must stay put.

    One unit of the step layer has an all-zero weight row and bias, so its input is exactly 0
    and its output is the ``at_zero`` value on every row."""
    def net(b: _NetBuilder) -> None:
        layer = b.dense(5, activation)
        layer["weight"][2] = [0.0] * len(layer["weight"][2])
        layer["bias"][2] = 0.0
        b.dense(4, "tanh")
    return net


def _deep_mix(b: _NetBuilder) -> None:
    b.dense(6)
    b.batchnorm(momentum=0.1, eps=1e-5, activation="relu")
    b.glu(5, "swiglu")
    b.layernorm(eps=1e-5)
    b.rmsnorm(eps=1e-6)


# --------------------------------------------------------------------------- torch side


@cache
def _heaviside():
    import torch

    class Heaviside(torch.autograd.Function):
        """1 where z > 0, ``at_zero`` where z == 0, else 0; gradient 0 everywhere."""

        @staticmethod
        def forward(ctx, z, at_zero):
            out = (z > 0).to(z.dtype)
            out[z == 0] = at_zero
            return out

        @staticmethod
        def backward(ctx, grad):
            return torch.zeros_like(grad), None

    return Heaviside


def _torch_activation(activation, layer: dict, prefix: str, named: dict):
    import torch
    import torch.nn.functional as F
    from torch import nn

    name, opts = spec(activation)
    if name == "identity":
        return lambda z: z
    if name == "step":
        at_zero = float(opts.get("at_zero", 0.0))
        return lambda z: _heaviside().apply(z, at_zero)
    if name == "sigmoid":
        return torch.sigmoid
    if name == "tanh":
        return torch.tanh
    if name == "relu":
        return torch.relu
    if name == "leaky_relu":
        slope = float(opts.get("alpha", 0.01))
        return lambda z: F.leaky_relu(z, negative_slope=slope)
    if name == "prelu":
        module = nn.PReLU(1, init=0.25, dtype=torch.float64)
        if "alpha" in layer:
            with torch.no_grad():
                module.weight.copy_(torch.tensor(layer["alpha"], dtype=torch.float64))
        named[prefix + "alpha"] = module.weight
        return module
    if name == "elu":
        alpha = float(opts.get("alpha", 1.0))
        return lambda z: F.elu(z, alpha=alpha)
    if name == "gelu":
        approximate = opts.get("approximate", "none")
        return lambda z: F.gelu(z, approximate=approximate)
    if name == "swish":
        beta = float(opts.get("beta", 1.0))
        if beta == 1.0:
            return F.silu
        return lambda z: z * torch.sigmoid(beta * z)
    if name == "softmax":
        return lambda z: torch.softmax(z, dim=1)
    raise ValueError(f"unknown activation {name!r}")


def _torch_layers(doc: dict):
    """Forward functions for each layer, plus name -> parameter and name -> buffer dicts."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    f64 = torch.float64
    width = doc["inputs"]
    forwards = []
    params: dict[str, Any] = {}
    buffers: dict[str, Any] = {}

    def load(tensor, values) -> None:
        with torch.no_grad():
            tensor.copy_(torch.tensor(values, dtype=f64))

    for i, layer in enumerate(doc["layers"]):
        prefix = f"layers[{i}]."
        kind = layer["type"]
        if kind == "dense":
            lin = nn.Linear(width, layer["units"], dtype=f64)
            load(lin.weight, layer["weight"])
            load(lin.bias, layer["bias"])
            params[prefix + "weight"], params[prefix + "bias"] = lin.weight, lin.bias
            op = lin
            width = layer["units"]
        elif kind == "glu":
            value = nn.Linear(width, layer["units"], dtype=f64)
            gate = nn.Linear(width, layer["units"], dtype=f64)
            load(value.weight, layer["weight"])
            load(value.bias, layer["bias"])
            load(gate.weight, layer["gate_weight"])
            load(gate.bias, layer["gate_bias"])
            params[prefix + "weight"], params[prefix + "bias"] = value.weight, value.bias
            params[prefix + "gate_weight"], params[prefix + "gate_bias"] = gate.weight, gate.bias
            gate_act = {"glu": torch.sigmoid, "swiglu": F.silu,
                        "geglu": lambda z: F.gelu(z, approximate="none")}[layer["variant"]]
            op = (lambda value, gate, gate_act: lambda x: gate_act(gate(x)) * value(x))(
                value, gate, gate_act)
            width = layer["units"]
        elif kind == "batchnorm":
            bn = nn.BatchNorm1d(width, eps=layer["eps"], momentum=layer["momentum"], dtype=f64)
            load(bn.weight, layer["weight"])
            load(bn.bias, layer["bias"])
            load(bn.running_mean, layer["running_mean"])
            load(bn.running_var, layer["running_var"])
            bn.train()
            params[prefix + "weight"], params[prefix + "bias"] = bn.weight, bn.bias
            buffers[prefix + "running_mean"] = bn.running_mean
            buffers[prefix + "running_var"] = bn.running_var
            op = bn
        elif kind == "layernorm":
            ln = nn.LayerNorm(width, eps=layer["eps"], dtype=f64)
            load(ln.weight, layer["weight"])
            load(ln.bias, layer["bias"])
            params[prefix + "weight"], params[prefix + "bias"] = ln.weight, ln.bias
            op = ln
        elif kind == "rmsnorm":
            rms = nn.RMSNorm(width, eps=layer.get("eps"), dtype=f64)
            load(rms.weight, layer["weight"])
            params[prefix + "weight"] = rms.weight
            op = rms
        elif kind == "dropout":
            if layer["p"] != 0.0:
                raise ValueError("reference cases use dropout p = 0 only (masks cannot match)")
            op = nn.Dropout(0.0)
            op.train()
        else:
            raise ValueError(f"unknown layer type {kind!r}")
        act = _torch_activation(layer.get("activation", "identity"), layer, prefix, params)
        forwards.append((lambda op, act: lambda x: act(op(x)))(op, act))
    return forwards, params, buffers


def _torch_loss(doc: dict):
    import torch
    import torch.nn.functional as F

    name, opts = spec(doc["loss"])
    last = spec(doc["layers"][-1].get("activation", "identity"))[0]
    if name == "mse":
        return F.mse_loss
    if name == "mae":
        return F.l1_loss
    if name == "huber":
        delta = float(opts.get("delta", 1.0))
        return lambda out, y: F.huber_loss(out, y, delta=delta)
    if name == "bce":
        return F.binary_cross_entropy if last == "sigmoid" else F.binary_cross_entropy_with_logits
    if name == "cross_entropy":
        if last == "softmax":
            def softmax_ce(out, y):
                if y.dim() == 1:
                    y = F.one_hot(y, out.shape[1]).to(out.dtype)
                return -(y * torch.log(out)).sum(dim=1).mean()
            return softmax_ce
        return F.cross_entropy
    if name == "focal":
        alpha = float(opts.get("alpha", 0.25))
        gamma = float(opts.get("gamma", 2.0))

        def focal(out, y):
            # torchvision.ops.sigmoid_focal_loss, reduction="mean"
            if last == "sigmoid":
                p = out
                ce = F.binary_cross_entropy(out, y, reduction="none")
            else:
                p = torch.sigmoid(out)
                ce = F.binary_cross_entropy_with_logits(out, y, reduction="none")
            p_t = p * y + (1 - p) * (1 - y)
            loss = ce * ((1 - p_t) ** gamma)
            if alpha >= 0:
                alpha_t = alpha * y + (1 - alpha) * (1 - y)
                loss = alpha_t * loss
            return loss.mean()
        return focal
    raise ValueError(f"unknown loss {name!r}")


def _torch_optimizer(params: list, options: dict):
    import torch

    options = dict(options)
    name = options.pop("name")
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    classes = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad,
               "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
               "adamw": torch.optim.AdamW}
    return classes[name](params, foreach=False, **options)


def _torch_scheduler(optimizer, schedule: dict):
    from torch.optim import lr_scheduler as S

    name = schedule["name"]
    if name == "constant":
        main = S.LambdaLR(optimizer, lambda epoch: 1.0)
    elif name == "step":
        main = S.StepLR(optimizer, step_size=schedule["step_size"],
                        gamma=schedule.get("gamma", 0.1))
    elif name == "cosine":
        main = S.CosineAnnealingLR(optimizer, T_max=schedule["t_max"],
                                   eta_min=schedule.get("eta_min", 0.0))
    else:
        raise ValueError(f"unknown schedule {name!r}")
    warmup = int(schedule.get("warmup", 0) or 0)
    if warmup < 2:
        return main
    ramp = S.LinearLR(optimizer, start_factor=1.0 / warmup, end_factor=1.0,
                      total_iters=warmup - 1)
    return S.SequentialLR(optimizer, [ramp, main], milestones=[warmup])


def expected_lr(schedule: dict, base_lr: float, t: int) -> float:
    """Closed-form learning rate at (0-based) step ``t``; the brief's schedule semantics."""
    warmup = int(schedule.get("warmup", 0) or 0)
    if warmup >= 2:
        if t < warmup:
            return base_lr * (t + 1) / warmup
        t -= warmup
    name = schedule["name"]
    if name == "constant":
        return base_lr
    if name == "step":
        return base_lr * schedule.get("gamma", 0.1) ** (t // schedule["step_size"])
    eta_min = schedule.get("eta_min", 0.0)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / schedule["t_max"])) / 2


def _check_lr_schedule(case: dict, lrs: list[float]) -> None:
    doc = case["model"]
    for t, lr in enumerate(lrs):
        want = expected_lr(doc["schedule"], doc["optimizer"]["lr"], t)
        if not math.isclose(lr, want, rel_tol=1e-9, abs_tol=1e-15):
            raise AssertionError(f"{case['name']}: torch lr {lr!r} at step {t}, "
                                 f"closed form gives {want!r}")


def _targets_tensor(y):
    import torch

    if isinstance(y[0], int):
        return torch.tensor(y, dtype=torch.int64)
    return torch.tensor(y, dtype=torch.float64)


def run_torch(case: dict) -> dict:
    """Train ``case`` with PyTorch; loss, lr, grad norm and every parameter/buffer per step.

    ``loss[k]`` is computed in step k's forward pass (before the update), ``lr[k]`` is the
    learning rate step k used, ``grad_norm[k]`` the total 2-norm of all gradients before
    clipping, and ``params[k]`` maps each parameter/buffer name to its value after step k.
    """
    import torch

    doc = case["model"]
    if doc.get("dtype", "float64") != "float64":
        raise ValueError("reference cases are float64")
    torch.manual_seed(doc.get("seed", 0))
    forwards, params, buffers = _torch_layers(doc)
    loss_fn = _torch_loss(doc)
    X = torch.tensor(case["X"], dtype=torch.float64)
    y = _targets_tensor(case["y"])
    n = X.shape[0]
    batch = case["batch_size"]

    # l1/l2 penalize dense and glu weight matrices only (not biases, norms or prelu alpha).
    penalized = [p for name, p in params.items()
                 if doc["layers"][_layer_index(name)]["type"] in ("dense", "glu")
                 and name.rsplit(".", 1)[1] in ("weight", "gate_weight")]
    l1 = float(doc["regularization"].get("l1", 0.0))
    l2 = float(doc["regularization"].get("l2", 0.0))
    clip = doc.get("clip_grad_norm")

    all_params = list(params.values())
    optimizer = _torch_optimizer(all_params, doc["optimizer"])
    scheduler = _torch_scheduler(optimizer, doc["schedule"])

    losses, lrs, grad_norms, states = [], [], [], []
    for k in range(case["steps"]):
        if batch is None:
            xb, yb = X, y
        else:
            idx = torch.tensor([(k * batch + i) % n for i in range(batch)])
            xb, yb = X[idx], y[idx]
        optimizer.zero_grad()
        out = xb
        for forward in forwards:
            out = forward(out)
        loss = loss_fn(out, yb)
        if l1:
            loss = loss + l1 * sum(p.abs().sum() for p in penalized)
        if l2:
            loss = loss + l2 * sum((p ** 2).sum() for p in penalized)
        loss.backward()
        grads = [p.grad for p in all_params if p.grad is not None]
        grad_norms.append(float(torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(g) for g in grads]))))
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(all_params, clip, foreach=False)
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
        losses.append(float(loss.detach()))
        state = {name: p.detach().tolist() for name, p in params.items()}
        state.update({name: b.detach().tolist() for name, b in buffers.items()})
        states.append(_in_layer_order(state))

    _check_lr_schedule(case, lrs)
    if clip is not None and max(grad_norms) <= clip:
        raise AssertionError(f"{case['name']}: clip_grad_norm={clip} never clips")
    return {"loss": losses, "lr": lrs, "grad_norm": grad_norms, "params": states}


def _in_layer_order(state: dict) -> dict:
    """Names sorted by layer index, then in the order they were added within the layer."""
    keys = sorted(state, key=_layer_index)
    return {key: state[key] for key in keys}


def _layer_index(name: str) -> int:
    """``"layers[3].weight"`` -> 3."""
    return int(name[len("layers["):name.index("]")])
