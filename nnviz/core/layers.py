"""Layers: forward and backward side by side, parameters as views into the network's flat buffers.

Every layer maps ``x`` (batch, fan_in) to a pre-activation ``z`` (batch, units), then applies its
activation: ``a = f(z)``. The forward pass keeps what the backward pass and the trace need (``x``, ``z``,
``a`` and per-layer extras such as BatchNorm's batch statistics). ``backward(da)`` writes the parameter
gradients into the layer's gradient views and returns ``dL/dx``.

A layer never allocates its own parameters: the :class:`~nnviz.core.network.Network` lays every
parameter and gradient out in one flat buffer each and binds views of them here, so the optimizer can
update all of them in a handful of NumPy calls.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.activations import Activation, Identity, make_activation
from nnviz.core.errors import ModelError
from nnviz.core.initializers import initialize, parse_init
from nnviz.core.spec import HotPath, Registry
from nnviz.core.text import QT_TRANSLATE_NOOP

#: type -> layer class; ``@LAYERS.register`` adds one
LAYERS: Registry = Registry("layer", key="type")


class Layer(HotPath):
    """Base class. ``OPTIONS`` maps option name -> (kind, default); see ``nnviz.core.document``."""

    type = ""
    OPTIONS: dict[str, tuple[str, object]] = {}
    #: the parameters a document may give explicitly, in buffer order
    PARAMS: tuple[str, ...] = ()
    BUFFERS: tuple[str, ...] = ()
    #: parameters that L1/L2 regularisation applies to
    REGULARIZED: tuple[str, ...] = ()
    #: whether the layer's weights take an ``init`` (an initialiser)
    TAKES_INIT = False
    #: how people write its name, and one line for the controls' tooltip
    title = ""
    tooltip = ""
    #: tooltips of the variants a type has (GLU's glu, swiglu, geglu)
    VARIANT_TIPS: dict[str, str] = {}
    #: each unit takes a weighted sum of every input: the graph draws its weights as edges
    WEIGHTED = False
    #: z = W·x + b and nothing more: the walkthrough writes its sums out term by term
    AFFINE = False
    #: how the walkthrough writes each parameter ("W", "γ"); a name not here is written as it is
    PARAM_SYMBOLS: dict[str, str] = {}
    #: dL/d(parameter) in symbols, per parameter, where the walkthrough does not write the sums out
    GRAD_RULES: dict[str, str] = {}
    #: dL/dx in symbols, where the walkthrough does not write the sums out
    DX_RULE = "backpropagated through the layer"
    #: the PyTorch module that computes ``z``, as Python source with ``{fan_in}``, ``{units}`` and
    #: ``{option!r}`` fields (``"nn.Linear({fan_in}, {units})"``), for Export as PyTorch
    #: (:mod:`nnviz.core.codegen`); None: no PyTorch form (the export refuses, naming it)
    torch_code: str | None = None
    #: source the module needs besides torch (a class of its own), written once into the script
    torch_helper = ""
    #: the names of its parameters and buffers in that module's ``state_dict``, where they differ
    torch_names: dict[str, str] = {}

    def torch_module(self) -> str | None:
        """The PyTorch module computing ``z``, as Python source (None when it has no PyTorch form)."""
        if self.torch_code is None:
            return None
        return self.torch_code.format(**{**self.options(), "fan_in": self.fan_in, "units": self.units})

    def __init__(self, fan_in: int, activation=None, init=None, **options):
        self.fan_in = fan_in
        self.activation: Activation = (activation if isinstance(activation, Activation)
                                       else make_activation(activation))
        self.init_name, self.init_options = parse_init(init)
        for key, (_, default) in self.OPTIONS.items():
            setattr(self, key, options.pop(key, default))
        if options:
            raise ModelError(f"unknown option {sorted(options)[0]!r} for layer {self.type!r}")
        if "units" not in self.OPTIONS:  # norm and dropout layers keep the width of their input
            self.units = fan_in
        self.x = self.z = self.a = self.da = self.dz = None
        self.extras: dict[str, np.ndarray] = {}

    # -- parameters -------------------------------------------------------------------------
    def param_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        return self._param_shapes() + list(self.activation.param_shapes)

    def _param_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        return []

    def buffer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        return []

    def bind(self, params: dict, grads: dict, buffers: dict) -> None:
        """Attach views of the network's flat buffers: ``self.weight``, ``self.grad_weight``, …"""
        for name, view in params.items():
            setattr(self, name, view)
            setattr(self, "grad_" + name, grads[name])
        for name, view in buffers.items():
            setattr(self, name, view)
        if self.activation.param_shapes:
            self.activation.bind(params["alpha"], grads["alpha"])

    def initial_values(self, rng: np.random.Generator, dtype) -> dict[str, np.ndarray]:
        """Initial parameters and buffers drawn from ``rng`` (the document may then override them)."""
        values = self._initial_values(rng, dtype)
        if self.activation.param_shapes:
            values["alpha"] = np.full(1, self.activation.init, dtype=dtype)
        return values

    def _initial_values(self, rng, dtype) -> dict[str, np.ndarray]:
        return {}

    def param_symbol(self, name: str) -> str:
        """How the walkthrough writes parameter ``name`` (the activation's own, such as PReLU's α, included)."""
        return self.PARAM_SYMBOLS.get(name) or self.activation.PARAM_SYMBOLS.get(name, name)

    def parameters(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name, _ in self.param_shapes()}

    def buffers(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name, _ in self.buffer_shapes()}

    def gradients(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, "grad_" + name) for name, _ in self.param_shapes()}

    # -- passes ------------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False, rng=None,
                update_stats: bool = True) -> np.ndarray:
        self.x = x
        self.z = z = self._forward(x, training, rng, update_stats)
        self.a = a = self.activation.forward(z)
        return a

    def backward(self, da: np.ndarray | None, dz: np.ndarray | None = None,
                 need_dx: bool = True) -> np.ndarray | None:
        """Given dL/da (or dL/dz directly, when a loss is fused with the activation), fill the
        parameter gradients and return dL/dx (None when ``need_dx`` is false)."""
        self.da = da
        if dz is None:
            dz = self.activation.backward(self.z, self.a, da)
        self.dz = dz
        return self._backward(dz, need_dx)

    def _forward(self, x, training, rng, update_stats):
        raise NotImplementedError

    def _backward(self, dz, need_dx):
        raise NotImplementedError

    # -- description -------------------------------------------------------------------------
    def options(self) -> dict:
        return {key: getattr(self, key) for key in self.OPTIONS}

    def to_spec(self) -> dict:
        spec = {"type": self.type}
        spec.update({k: v for k, v in self.options().items() if k == "units" or v != self.OPTIONS[k][1]})
        if not isinstance(self.activation, Identity):
            spec["activation"] = self.activation.to_spec()
        if self.TAKES_INIT and self.init_name != "default":
            spec["init"] = ({"name": self.init_name, **self.init_options}
                            if self.init_options else self.init_name)
        return spec

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        act = "" if isinstance(self.activation, Identity) else f", activation={self.activation.to_spec()!r}"
        return f"{type(self).__name__}(fan_in={self.fan_in}, {opts}{act})".replace(", )", ")")


_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def _bias_grad(dz: np.ndarray, out: np.ndarray) -> None:
    """Column sums of ``dz`` into ``out``, as a product with a cached vector of ones: one BLAS call,
    about twice as fast as ``np.sum(axis=0)`` on the small batches nnviz trains."""
    key = (dz.shape[0], dz.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones(dz.shape[0], dtype=dz.dtype)
    np.dot(ones, dz, out=out)


@LAYERS.register
class Dense(Layer):
    """Fully connected: ``z = x W^T + b`` with W of shape (units, fan_in), as ``nn.Linear``."""

    type = "dense"
    title = QT_TRANSLATE_NOOP("", "Dense")
    tooltip = QT_TRANSLATE_NOOP("", "dense: every unit sees every input, z = W x + b")
    OPTIONS = {"units": ("posint", None)}
    PARAMS = ("weight", "bias")
    REGULARIZED = ("weight",)
    TAKES_INIT = True
    WEIGHTED = AFFINE = True
    PARAM_SYMBOLS = {"weight": "W", "bias": "b"}
    torch_code = "nn.Linear({fan_in}, {units})"

    def _param_shapes(self):
        return [("weight", (self.units, self.fan_in)), ("bias", (self.units,))]

    def _initial_values(self, rng, dtype):
        w, b = initialize(self.init_name, self.init_options, (self.units, self.fan_in), rng, dtype)
        return {"weight": w, "bias": b}

    def _forward(self, x, training, rng, update_stats):
        z = x @ self.weight.T
        z += self.bias
        return z

    def _backward(self, dz, need_dx):
        np.matmul(dz.T, self.x, out=self.grad_weight)
        _bias_grad(dz, self.grad_bias)
        return dz @ self.weight if need_dx else None


@LAYERS.register
class GLU(Layer):
    """Gated linear unit: ``z = gate(x Wg^T + bg) * (x W^T + b)``.

    The gate is sigmoid for GLU, swish (SiLU) for SwiGLU and exact GELU for GeGLU.
    """

    type = "glu"
    title = "GLU"
    tooltip = QT_TRANSLATE_NOOP("", "GLU: a linear layer gated by a sigmoid of a second one")
    VARIANT_TIPS = {"glu": QT_TRANSLATE_NOOP("", "GLU: a linear layer gated by a sigmoid of a second one"),
                    "swiglu": QT_TRANSLATE_NOOP("", "SwiGLU: a linear layer gated by swish of a second one"),
                    "geglu": QT_TRANSLATE_NOOP("", "GeGLU: a linear layer gated by GELU of a second one")}
    OPTIONS = {"units": ("posint", None), "variant": ("choice:glu,swiglu,geglu", "glu")}
    PARAMS = ("weight", "bias", "gate_weight", "gate_bias")
    REGULARIZED = ("weight", "gate_weight")
    TAKES_INIT = True
    GATES = {"glu": "sigmoid", "swiglu": "swish", "geglu": "gelu"}
    #: how the walkthrough writes each variant's gate
    GATE_SYMBOLS = {"glu": "σ", "swiglu": "swish", "geglu": "gelu"}
    WEIGHTED = True
    PARAM_SYMBOLS = {"weight": "W", "bias": "b", "gate_weight": "Wg", "gate_bias": "bg"}
    GRAD_RULES = {"weight": "Σ (dL/dz ⊙ g) · xᵀ", "bias": "Σ dL/dz ⊙ g",
                  "gate_weight": "Σ (dL/dz ⊙ u ⊙ gate'(z_g)) · xᵀ", "gate_bias": "Σ dL/dz ⊙ u ⊙ gate'(z_g)"}
    DX_RULE = "(dL/dz ⊙ g)·W + (dL/dz ⊙ u ⊙ gate'(z_g))·Wg"
    torch_code = "GLU({fan_in}, {units}, {variant!r})"
    torch_names = {"weight": "value.weight", "bias": "value.bias", "gate_weight": "gate.weight",
                   "gate_bias": "gate.bias"}
    torch_helper = '''
class GLU(nn.Module):
    """Gated linear unit: gate(x Wg^T + bg) * (x W^T + b), the gate a sigmoid (glu), SiLU (swiglu)
    or exact GELU (geglu)."""

    def __init__(self, fan_in, units, variant="glu"):
        super().__init__()
        self.value = nn.Linear(fan_in, units)
        self.gate = nn.Linear(fan_in, units)
        self.variant = variant

    def forward(self, x):
        gate = {"glu": torch.sigmoid, "swiglu": F.silu, "geglu": F.gelu}[self.variant]
        return gate(self.gate(x)) * self.value(x)
'''

    def __init__(self, fan_in, activation=None, init=None, **options):
        super().__init__(fan_in, activation, init, **options)
        self.gate = make_activation(self.GATES[self.variant])

    def _param_shapes(self):
        shape = (self.units, self.fan_in)
        return [("weight", shape), ("bias", (self.units,)),
                ("gate_weight", shape), ("gate_bias", (self.units,))]

    def _initial_values(self, rng, dtype):
        shape = (self.units, self.fan_in)
        w, b = initialize(self.init_name, self.init_options, shape, rng, dtype)
        gw, gb = initialize(self.init_name, self.init_options, shape, rng, dtype)
        return {"weight": w, "bias": b, "gate_weight": gw, "gate_bias": gb}

    def _forward(self, x, training, rng, update_stats):
        value = x @ self.weight.T
        value += self.bias
        gate_z = x @ self.gate_weight.T
        gate_z += self.gate_bias
        gate = self.gate.forward(gate_z)
        self.extras = {"value": value, "gate_z": gate_z, "gate": gate}
        return gate * value

    def _backward(self, dz, need_dx):
        e = self.extras
        d_value = dz * e["gate"]
        d_gate_z = self.gate.backward(e["gate_z"], e["gate"], dz * e["value"])
        np.matmul(d_value.T, self.x, out=self.grad_weight)
        _bias_grad(d_value, self.grad_bias)
        np.matmul(d_gate_z.T, self.x, out=self.grad_gate_weight)
        _bias_grad(d_gate_z, self.grad_gate_bias)
        if not need_dx:
            return None
        return d_value @ self.weight + d_gate_z @ self.gate_weight


@LAYERS.register
class BatchNorm(Layer):
    """Batch normalisation over the batch axis, as ``nn.BatchNorm1d``.

    Training normalises with the batch mean and the biased batch variance and moves the running
    statistics by ``momentum`` (the running variance with the unbiased batch variance); evaluation
    normalises with the running statistics.
    """

    type = "batchnorm"
    title = "BatchNorm"
    tooltip = QT_TRANSLATE_NOOP("", "batch norm: normalise each unit over the batch, then scale and shift")
    OPTIONS = {"momentum": ("prob", 0.1), "eps": ("posnumber", 1e-5)}
    PARAMS = ("weight", "bias")
    BUFFERS = ("running_mean", "running_var")
    PARAM_SYMBOLS = {"weight": "γ", "bias": "β"}
    GRAD_RULES = {"weight": "Σ over the batch of dL/dz ⊙ x_hat", "bias": "Σ over the batch of dL/dz"}
    DX_RULE = "(1/√(σ²+ε))/B · (B·d − Σd − x_hat·Σ(d ⊙ x_hat)),  d = dL/dz ⊙ γ"
    torch_code = "nn.BatchNorm1d({units}, eps={eps!r}, momentum={momentum!r})"

    def _param_shapes(self):
        return [("weight", (self.units,)), ("bias", (self.units,))]

    def buffer_shapes(self):
        return [("running_mean", (self.units,)), ("running_var", (self.units,))]

    def _initial_values(self, rng, dtype):
        return {"weight": np.ones(self.units, dtype), "bias": np.zeros(self.units, dtype),
                "running_mean": np.zeros(self.units, dtype), "running_var": np.ones(self.units, dtype)}

    def _forward(self, x, training, rng, update_stats):
        if training:
            n = x.shape[0]
            if n < 2:
                raise ModelError("batchnorm: training needs a batch of at least 2 samples "
                                 "(use a larger batch size, or layernorm)")
            mean = x.mean(axis=0)
            centred = x - mean
            var = np.mean(centred * centred, axis=0)
            inv_std = 1.0 / np.sqrt(var + self.eps)
            if update_stats:
                m = self.momentum
                self.running_mean[...] = m * mean + (1.0 - m) * self.running_mean
                self.running_var[...] = m * (var * (n / (n - 1))) + (1.0 - m) * self.running_var
            self.extras = {"batch_mean": mean, "batch_var": var, "inv_std": inv_std,
                           "x_hat": centred * inv_std}
        else:
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
            self.extras = {"inv_std": inv_std, "x_hat": (x - self.running_mean) * inv_std}
        self._training = training
        return self.extras["x_hat"] * self.weight + self.bias

    def _backward(self, dz, need_dx):
        x_hat, inv_std = self.extras["x_hat"], self.extras["inv_std"]
        self.grad_weight[...] = np.sum(dz * x_hat, axis=0)
        self.grad_bias[...] = np.sum(dz, axis=0)
        if not need_dx:
            return None
        d_hat = dz * self.weight
        if not self._training:
            return d_hat * inv_std
        n = dz.shape[0]
        return (inv_std / n) * (n * d_hat - d_hat.sum(axis=0) - x_hat * np.sum(d_hat * x_hat, axis=0))


@LAYERS.register
class LayerNorm(Layer):
    """Layer normalisation over the features of each sample, as ``nn.LayerNorm(units)``."""

    type = "layernorm"
    title = "LayerNorm"
    tooltip = QT_TRANSLATE_NOOP("", "layer norm: normalise over the units of each sample, then scale and shift")
    OPTIONS = {"eps": ("posnumber", 1e-5)}
    PARAMS = ("weight", "bias")
    PARAM_SYMBOLS = {"weight": "γ", "bias": "β"}
    GRAD_RULES = {"weight": "Σ over the batch of dL/dz ⊙ x_hat", "bias": "Σ over the batch of dL/dz"}
    DX_RULE = "(1/√(σ²+ε))/n · (n·d − Σd − x_hat·Σ(d ⊙ x_hat)),  d = dL/dz ⊙ γ (sums over units)"
    torch_code = "nn.LayerNorm({units}, eps={eps!r})"

    def _param_shapes(self):
        return [("weight", (self.units,)), ("bias", (self.units,))]

    def _initial_values(self, rng, dtype):
        return {"weight": np.ones(self.units, dtype), "bias": np.zeros(self.units, dtype)}

    def _forward(self, x, training, rng, update_stats):
        mean = x.mean(axis=1, keepdims=True)
        centred = x - mean
        var = np.mean(centred * centred, axis=1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = centred * inv_std
        self.extras = {"mean": mean[:, 0], "var": var[:, 0], "inv_std": inv_std, "x_hat": x_hat}
        return x_hat * self.weight + self.bias

    def _backward(self, dz, need_dx):
        x_hat, inv_std = self.extras["x_hat"], self.extras["inv_std"]
        self.grad_weight[...] = np.sum(dz * x_hat, axis=0)
        self.grad_bias[...] = np.sum(dz, axis=0)
        if not need_dx:
            return None
        d_hat = dz * self.weight
        n = dz.shape[1]
        return (inv_std / n) * (n * d_hat - d_hat.sum(axis=1, keepdims=True)
                                - x_hat * np.sum(d_hat * x_hat, axis=1, keepdims=True))


@LAYERS.register
class RMSNorm(Layer):
    """Root-mean-square normalisation, as ``nn.RMSNorm(units, eps)``: ``x / sqrt(mean(x^2) + eps) * w``.

    ``eps`` None (the default) means the machine epsilon of the network's dtype, as in PyTorch.
    """

    type = "rmsnorm"
    title = "RMSNorm"
    tooltip = QT_TRANSLATE_NOOP("", "RMS norm: divide each sample by the root mean square of its units, then scale")
    OPTIONS = {"eps": ("posnumber|null", None)}
    PARAMS = ("weight",)
    PARAM_SYMBOLS = {"weight": "γ"}
    GRAD_RULES = {"weight": "Σ over the batch of dL/dz ⊙ x_hat"}
    DX_RULE = "(1/rms) · (d − x_hat·mean(d ⊙ x_hat)),  d = dL/dz ⊙ γ"
    torch_code = "nn.RMSNorm({units}, eps={eps!r})"

    def _param_shapes(self):
        return [("weight", (self.units,))]

    def _initial_values(self, rng, dtype):
        return {"weight": np.ones(self.units, dtype)}

    def _forward(self, x, training, rng, update_stats):
        eps = np.finfo(x.dtype).eps if self.eps is None else self.eps
        inv_rms = 1.0 / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + eps)
        x_hat = x * inv_rms
        self.extras = {"inv_rms": inv_rms, "x_hat": x_hat}
        return x_hat * self.weight

    def _backward(self, dz, need_dx):
        x_hat, inv_rms = self.extras["x_hat"], self.extras["inv_rms"]
        self.grad_weight[...] = np.sum(dz * x_hat, axis=0)
        if not need_dx:
            return None
        d_hat = dz * self.weight
        return inv_rms * (d_hat - x_hat * np.mean(d_hat * x_hat, axis=1, keepdims=True))


@LAYERS.register
class Dropout(Layer):
    """Inverted dropout: in training each unit is zeroed with probability ``p`` and the survivors are
    scaled by ``1/(1-p)``, so that evaluation is the identity."""

    type = "dropout"
    title = QT_TRANSLATE_NOOP("", "Dropout")
    tooltip = QT_TRANSLATE_NOOP("", "dropout: while training, zero each value with probability p")
    OPTIONS = {"p": ("prob", 0.5)}
    DX_RULE = "dL/dz ⊙ mask"
    torch_code = "NumpyDropout({p!r})"
    torch_helper = '''
class NumpyDropout(nn.Module):
    """Inverted dropout (nn.Dropout) whose masks NumPy draws as nnviz does, so that this run drops the
    units nnviz's drops: before each training step, train_step gives every dropout layer the step's
    generator, which they draw from in turn. Evaluation passes x through."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p
        self.rng = None

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * torch.zeros_like(x)
        keep = torch.from_numpy(self.rng.random(tuple(x.shape)) >= self.p).to(x)
        return x * (keep * (1.0 / (1.0 - self.p)))
'''

    def _forward(self, x, training, rng, update_stats):
        if not training or self.p == 0.0:
            self.extras = {}
            return x
        if rng is None:
            raise ModelError("dropout: training needs a random generator")
        if self.p == 1.0:
            mask = np.zeros_like(x)
        else:
            mask = (rng.random(x.shape) >= self.p).astype(x.dtype)
            mask *= 1.0 / (1.0 - self.p)
        self.extras = {"mask": mask, "scale": 1.0 / (1.0 - self.p) if self.p < 1 else 0.0}
        return x * mask

    def _backward(self, dz, need_dx):
        if not need_dx:
            return None
        mask = self.extras.get("mask")
        return dz if mask is None else dz * mask

