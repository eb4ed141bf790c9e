"""The loss landscape: the loss on a plane and on a line through the weights.

:func:`loss_landscape` evaluates the loss at ``θ + a·d1 + b·d2`` on a grid of ``(a, b)`` around the
current weights ``θ``; the directions are two chosen parameters (:func:`parameter_directions`: unit
vectors along two entries of the flat parameter buffer) or two filter-normalised random directions
fixed by a seed (:func:`random_directions`, after Li et al. 2018, "Visualizing the Loss Landscape of
Neural Nets"). :func:`interpolation` evaluates it on the line ``(1 − t)·θ0 + t·θ`` from the weights
a run started from to the current ones, and :func:`project_path` places an optimizer's path (flat
parameter vectors, such as the timeline's keyframes) on the plane.

The loss is the **data loss in evaluation mode** — dropout off, BatchNorm on its running statistics,
without the L1/L2 penalty — the number the loss panel's train curve shows (:meth:`Experiment._evaluate`),
so the centre of a landscape is that curve's last point when the training rows are all evaluated.
Large sets are evaluated on a fixed seeded sample of :data:`LANDSCAPE_ROWS` rows (:func:`sample_rows`
says which, and its note says so).

Every grid point is a network of its own, so the points go through the network together: each layer
takes the stacked parameters of a chunk of points at once (a dense layer is one batched matrix
product, the first one a single product for all points, since they share the inputs; see
:data:`BATCHED`). A layer type without a batched rule (a plug-in's) is run point by point with the
ordinary forward pass, which is slower and gives the same numbers. The callers' network is never
touched: the computation runs on a copy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.data import prepare_inputs, prepare_targets
from nnviz.core.errors import CommandError
from nnviz.core.network import Network

LANDSCAPE_ROWS = 2_000  # a landscape reads at most this many training rows (a fixed sample of more)
SAMPLE_SEED = 0  # picks the fixed sample: the same rows every time
#: bytes the stacked layer outputs of one chunk of grid points may take; a chunk is also the unit of
#: progress and of cancellation (a few dozen milliseconds for the default model)
CHUNK_BYTES = 8 * 2**20
RESOLUTIONS = (21, 41, 81)  # the grid sizes the app offers (any odd size from 3 to MAX_RESOLUTION works)
MAX_RESOLUTION = 401
INTERPOLATION_RANGE = (-0.5, 1.5)  # t from before the start to beyond the current weights
INTERPOLATION_POINTS = 41
#: the path's principal directions are this much longer than the path reaches, so it fits ±1 with room
PATH_MARGIN = 1.25

#: ``progress(done, total)``: points evaluated so far of all; returns False to cancel
Progress = Callable[[int, int], bool]


# -- the rows ------------------------------------------------------------------------------------------
def sample_rows(X: np.ndarray, y: np.ndarray, most: int = LANDSCAPE_ROWS) -> tuple[np.ndarray, np.ndarray, str]:
    """``(X, y, note)``: all the rows, or a fixed seeded sample of ``most`` of them in their order;
    the note says which ("on the 250 training rows", "on a fixed sample of 2,000 of 35,000 training
    rows"). The arrays are read-only copies."""
    total = len(X)
    if total <= most:
        rows, note = slice(None), f"on the {total:,} training row{'s' if total != 1 else ''}"
    else:
        rows = np.sort(np.random.default_rng(SAMPLE_SEED).choice(total, most, replace=False))
        note = f"on a fixed sample of {most:,} of {total:,} training rows"
    return _frozen(X[rows]), _frozen(y[rows]), note


def _frozen(array) -> np.ndarray:
    out = np.array(array, copy=True)
    out.setflags(write=False)
    return out


# -- directions ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Directions:
    """Two directions in the flat parameter space (read-only arrays of the network's size) and how
    they are named on the axes: ``("direction 1", "direction 2")`` or ``("W1[2,1]", "b2[1]")``."""

    d1: np.ndarray
    d2: np.ndarray
    labels: tuple[str, str]
    kind: str  # "random" (filter-normalised, ``seed``), "parameters" or "path" (its principal directions)
    seed: int | None = None
    shares: tuple[float, float] | None = None  # "path": the share of the path's variance along each

    def describe(self) -> str:
        """"random filter-normalised directions (seed 0)", "the parameters W1[2,1] and b2[1]" or "the
        path's principal directions (97% and 2% of its spread)"."""
        if self.kind == "random":
            return f"random filter-normalised directions (seed {self.seed})"
        if self.kind == "path":
            first, second = self.shares
            return f"the path's principal directions ({first:.0%} and {second:.0%} of its spread)"
        return f"the parameters {self.labels[0]} and {self.labels[1]}"


def filter_normalized(net: Network, rng: np.random.Generator) -> np.ndarray:
    """One random direction, filter-normalised (Li et al. 2018): a Gaussian draw for every parameter
    tensor, each row of a weight matrix (one unit's incoming weights: a "filter") rescaled to the
    norm of the same row of the network's weights. One-dimensional parameters — biases, the scale and
    shift of a normalisation layer, PReLU's slope — are not perturbed (zero), as Li et al.'s own code
    does with ``ignore='biasbn'``: their scale is not the weights' and moving them swamps the picture.
    Buffers (running statistics) are not parameters and stay as they are. Drawn in float64 from
    ``rng`` for every tensor in the buffer's order, returned in the network's dtype."""
    direction = np.zeros(net.parameter_count, dtype=np.float64)
    for name, weights in net.named_parameters():
        draw = rng.standard_normal(weights.shape)
        if weights.ndim < 2:
            continue
        rows = draw.reshape(weights.shape[0], -1)
        w = np.asarray(weights, dtype=np.float64).reshape(weights.shape[0], -1)
        norms = np.linalg.norm(rows, axis=1)
        scale = np.divide(np.linalg.norm(w, axis=1), norms, out=np.zeros_like(norms), where=norms > 0)
        direction[net.param_slices[name]] = (rows * scale[:, None]).ravel()
    return direction.astype(net.dtype)


def random_directions(net: Network, seed: int = 0) -> Directions:
    """Two filter-normalised random directions (see :func:`filter_normalized`), the same for the same
    network shape, weights and ``seed``. They are not orthogonalised: in many dimensions two such
    draws are nearly orthogonal anyway, and each keeps its rows' norms exactly."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise CommandError(f"seed: expected a whole number >= 0, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    d1 = _frozen(filter_normalized(net, rng))
    d2 = _frozen(filter_normalized(net, rng))
    return Directions(d1, d2, ("direction 1", "direction 2"), "random", int(seed))


def parameter_entries(net: Network) -> list[tuple[str, tuple[int, ...]]]:
    """Every scalar parameter as ``(tensor name, index)``, in the flat buffer's order."""
    return [(name, index) for name, array in net.named_parameters() for index in np.ndindex(array.shape)]


def flat_index(net: Network, name: str, index: Sequence[int] = ()) -> int:
    """The position in the flat parameter buffer of entry ``index`` of parameter ``name``
    (``"layers[0].weight"``, ``(1, 0)``: counted from 0); a one-line CommandError if there is none."""
    if name not in net.param_slices:
        raise CommandError(f"{name!r}: no such parameter (the model has {', '.join(net.param_slices)})")
    shape = net.get(name).shape
    index = tuple(index)
    if len(index) != len(shape) or not all(isinstance(i, numbers.Integral) and 0 <= i < n
                                           for i, n in zip(index, shape)):
        raise CommandError(f"{name}{list(index)}: no such entry (the parameter's shape is {shape})")
    return net.param_slices[name].start + (int(np.ravel_multi_index(index, shape)) if shape else 0)


def parameter_at(net: Network, k: int) -> tuple[str, tuple[int, ...]]:
    """The ``(tensor name, index)`` of position ``k`` of the flat parameter buffer."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 0 <= k < net.parameter_count:
        raise CommandError(f"parameter {k!r}: expected a whole number from 0 to {net.parameter_count - 1}")
    for name, piece in net.param_slices.items():
        if piece.start <= k < piece.stop:
            shape = net.get(name).shape
            return name, tuple(int(i) for i in np.unravel_index(k - piece.start, shape))
    raise AssertionError("the slices cover the buffer")


def parameter_label(net: Network, k: int) -> str:
    """How a person names flat parameter ``k``: ``"W1[2,1]"`` (the layer's symbol, layers, rows and
    columns counted from 1, as the graph and the walkthrough write them)."""
    name, index = parameter_at(net, k)
    layer, _, param = name.partition(".")
    i = int(layer[len("layers["):-1])
    symbol = f"{net.layers[i].param_symbol(param)}{i + 1}"
    return f"{symbol}[{','.join(str(j + 1) for j in index)}]" if index else symbol


def _position(net: Network, parameter) -> int:
    """A parameter given as its flat position or ``(name, index)``, as its flat position."""
    if isinstance(parameter, tuple):
        return flat_index(net, *parameter)
    parameter_at(net, parameter)  # checks it
    return int(parameter)


def parameter_labels(net: Network) -> list[str]:
    """:func:`parameter_label` of every flat position, in order (for a list to choose from)."""
    labels = []
    for i, layer in enumerate(net.layers):
        for name, array in layer.parameters().items():
            symbol = f"{layer.param_symbol(name)}{i + 1}"
            if array.ndim == 0:
                labels.append(symbol)
                continue
            labels += [f"{symbol}[{','.join(str(j + 1) for j in index)}]" for index in np.ndindex(array.shape)]
    return labels


def parameter_directions(net: Network, first, second) -> Directions:
    """Unit vectors along two parameters, each given as its flat position or ``(name, index)``."""
    ks = [_position(net, p) for p in (first, second)]
    if ks[0] == ks[1]:
        raise CommandError(f"directions: choose two different parameters (both are {parameter_label(net, ks[0])})")
    d1, d2 = np.zeros(net.parameter_count, dtype=net.dtype), np.zeros(net.parameter_count, dtype=net.dtype)
    d1[ks[0]] = d2[ks[1]] = 1.0
    return Directions(_frozen(d1), _frozen(d2), (parameter_label(net, ks[0]), parameter_label(net, ks[1])),
                      "parameters")


def path_directions(net: Network, path) -> Directions:
    """The two principal directions of an optimizer's path through the network's weights θ (Li et al.
    2018, §7: a random plane catches little of a path in many dimensions; the plane of the path's
    first two principal components catches most of it). ``path`` is a (k, P) array or k flat vectors
    (the timeline's keyframes, oldest first). The directions are orthogonal and equally long — 1.25
    times as long as the path reaches from θ along the first — so the map is to scale and a range of
    ±1 holds the path with a margin (it reaches a = ±0.8); each points the way the run went (its start
    at negative a and b). A CommandError for a path
    of fewer than three points, or one that moved along a single line (or not at all)."""
    theta = np.asarray(net.flat_params, dtype=np.float64)
    points = np.asarray(path, dtype=np.float64) if isinstance(path, np.ndarray) \
        else np.asarray([np.ravel(p) for p in path], dtype=np.float64)
    points = points.reshape(len(points), -1) if points.size else points.reshape(0, theta.size)
    if points.shape[1] != theta.size:
        raise CommandError(f"path: expected vectors of {theta.size} parameters, got {points.shape[1]}")
    if len(points) < 3:
        raise CommandError("path directions: the run's path has fewer than 3 points yet: train a few more steps")
    moved = points - theta
    centred = moved - moved.mean(axis=0)
    _, spread, basis = np.linalg.svd(centred, full_matrices=False)
    if len(spread) < 2 or spread[1] <= 1e-12 * max(spread[0], np.finfo(np.float64).tiny):
        raise CommandError("path directions: the run's path moved along a single line (or not at all): choose "
                           "random directions")
    u1, u2 = basis[0], basis[1]
    if moved[0] @ u1 > 0:
        u1 = -u1
    if moved[0] @ u2 > 0:
        u2 = -u2
    length = PATH_MARGIN * float(np.max(np.abs(moved @ u1)))
    variance = spread**2 / np.sum(spread**2)
    shares = (float(variance[0]), float(variance[1]))
    d1, d2 = (_frozen((u * length).astype(net.dtype)) for u in (u1, u2))
    return Directions(d1, d2, (f"path PC1 ({shares[0]:.0%})", f"path PC2 ({shares[1]:.0%})"), "path",
                      shares=shares)


# -- evaluating many weights at once ----------------------------------------------------------------------
def _affine(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``x Wᵀ + b`` for every point: ``x`` is (rows, fan_in), shared by the points, or (points, rows,
    fan_in); ``weight`` (points, units, fan_in), ``bias`` (points, units). Shared inputs take one
    matrix product for all the points."""
    count, units, fan_in = weight.shape
    if x.ndim == 2:
        z = (x @ weight.reshape(count * units, fan_in).T).reshape(len(x), count, units).transpose(1, 0, 2)
        z = np.ascontiguousarray(z)
    else:
        z = np.matmul(x, weight.transpose(0, 2, 1))
    z += bias[:, None, :]
    return z


def _dense(layer, x, p):
    return _affine(x, p["weight"], p["bias"])


def _glu(layer, x, p):
    value = _affine(x, p["weight"], p["bias"])
    gate = layer.gate.forward(_affine(x, p["gate_weight"], p["gate_bias"]))
    return gate * value


def _batchnorm(layer, x, p):
    inv_std = 1.0 / np.sqrt(layer.running_var + layer.eps)  # evaluation mode: the running statistics
    x_hat = (x - layer.running_mean) * inv_std
    return x_hat * p["weight"][:, None, :] + p["bias"][:, None, :]


def _layernorm(layer, x, p):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    x_hat = centred * (1.0 / np.sqrt(var + layer.eps))
    return x_hat * p["weight"][:, None, :] + p["bias"][:, None, :]


def _rmsnorm(layer, x, p):
    eps = np.finfo(x.dtype).eps if layer.eps is None else layer.eps
    x_hat = x * (1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps))
    return x_hat * p["weight"][:, None, :]


def _dropout(layer, x, p):
    return x  # evaluation mode: the identity


#: layer type -> its evaluation-mode forward pass for stacked parameters: ``rule(layer, x, params)``
#: with ``x`` (rows, fan_in) shared by the points or (points, rows, fan_in) and ``params`` by name,
#: each (points, *shape); returns the pre-activation (points, rows, units). The same arithmetic as
#: the layer's own ``_forward``; a type missing here is run point by point.
BATCHED: dict[str, Callable] = {"dense": _dense, "glu": _glu, "batchnorm": _batchnorm, "layernorm": _layernorm,
                                "rmsnorm": _rmsnorm, "dropout": _dropout}


def _layer_by_point(layer, x: np.ndarray, params: dict, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The layer's own forward pass, one point at a time (its parameter views set to each point's):
    for layers without a batched rule, and activations with parameters (PReLU)."""
    outputs, zs = [], []
    for g in range(count):
        for name, stacked in params.items():
            getattr(layer, name)[...] = stacked[g]
        outputs.append(layer.forward(x if x.ndim == 2 else x[g], training=False))
        zs.append(layer.z)
    return np.stack(outputs), np.stack(zs)


def _losses(net: Network, X: np.ndarray, y: np.ndarray, thetas: np.ndarray, first=None) -> np.ndarray:
    """The data loss in evaluation mode at each row of ``thetas`` (points, parameters); ``net`` is a
    copy whose parameters this may overwrite. ``first`` ``(z_basis, coefficients)``: the first layer's
    pre-activation for the basis of a plane and these points' coefficients (see :func:`_first_layer`)."""
    count = len(thetas)
    x, z = X, None
    for i, layer in enumerate(net.layers):
        if i == 0 and first is not None:
            z = _combine(*first)
            x = layer.activation.forward(z)
            continue
        params = {name: thetas[:, net.param_slices[f"layers[{i}].{name}"]].reshape(count, *shape)
                  for name, shape in layer.param_shapes()}
        rule = BATCHED.get(layer.type)
        if rule is None or layer.activation.param_shapes:
            x, z = _layer_by_point(layer, x, params, count)
        else:
            z = rule(layer, x, params)
            x = layer.activation.forward(z)
    if x.ndim == 2:  # no parameters at all: every point is the same network
        x, z = np.broadcast_to(x, (count, *x.shape)), np.broadcast_to(z, (count, *z.shape))
    activation = net.layers[-1].activation.name
    return np.array([net.loss.evaluate(x[g], y, z[g], activation)[0] for g in range(count)], dtype=np.float64)


def _points_per_chunk(net: Network, rows: int, align: int = 1) -> int:
    """Points evaluated together so that their stacked layer outputs stay within :data:`CHUNK_BYTES`
    (some four numbers per unit and row, as the experiment counts them), rounded down to whole
    multiples of ``align`` (a grid's row) when more than one fits."""
    per_point = net.dtype.itemsize * (rows * (net.inputs + 4 * sum(layer.units for layer in net.layers))
                                      + 2 * net.parameter_count)
    points = max(1, CHUNK_BYTES // per_point)
    return points // align * align if points >= align else points


def _first_layer(net: Network, X: np.ndarray, basis: np.ndarray) -> np.ndarray | None:
    """A dense first layer's pre-activation ``x Wᵀ + b`` for each vector of ``basis`` (K, parameters),
    (K, rows, units); None for any other first layer. The pre-activation is linear in the layer's
    parameters and the inputs are the same for every point, so a point ``Σ c_k·basis_k`` has
    ``Σ c_k·z_k``: K products of the first layer for the whole grid instead of one per point (the
    first layer of a 784-input network is most of its arithmetic). Worth it only when the layer has
    more inputs than twice the basis (for 2 inputs, two products a point are quicker than K sums)."""
    layer = net.layers[0]
    if (layer.type != "dense" or BATCHED.get("dense") is not _dense or layer.activation.param_shapes
            or layer.fan_in <= 2 * len(basis)):
        return None
    weight, bias = (basis[:, net.param_slices[f"layers[0].{name}"]].reshape(len(basis), *shape)
                    for name, shape in layer.param_shapes())
    return _affine(X, weight, bias)


def _combine(z_basis: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """``Σ_k c_k·z_k`` for each row of ``coefficients`` (points, K), in the order of the basis: a point
    with coefficients (1, 0, …) gets ``z_0`` exactly."""
    z = coefficients[:, 0, None, None] * z_basis[0]
    for k in range(1, len(z_basis)):
        z += coefficients[:, k, None, None] * z_basis[k]
    return z


def _evaluate(net: Network, X, y, count: int, thetas: Callable[[int, int], np.ndarray],
              progress: Progress | None, align: int = 1, plane: tuple | None = None) -> np.ndarray | None:
    """The loss at ``count`` points, ``thetas(start, stop)`` giving the parameters of a chunk of them;
    None if ``progress`` cancels. ``plane`` ``(basis, coefficients)``, (K, parameters) and (count, K),
    says that the points are ``Σ_k c_k·basis_k`` (summed in that order): see :func:`_first_layer`.
    ``net`` is copied: the caller's stays as it is."""
    net = net.copy()
    X = prepare_inputs(net, X)
    y = prepare_targets(net, y, X.shape[0])
    losses = np.empty(count, dtype=np.float64)
    chunk = _points_per_chunk(net, len(X), align)
    if progress is not None and progress(0, count) is False:
        return None
    with np.errstate(all="ignore"):  # far from the weights the loss may overflow: NaN or ∞ is the answer
        z_basis = None if plane is None else _first_layer(net, X, np.asarray(plane[0], dtype=net.dtype))
        for start in range(0, count, chunk):
            stop = min(count, start + chunk)
            first = None if z_basis is None else (z_basis, plane[1][start:stop].astype(net.dtype))
            losses[start:stop] = _losses(net, X, y, thetas(start, stop), first)
            if progress is not None and progress(stop, count) is False:
                return None
    losses.setflags(write=False)
    return losses


def losses_at(net: Network, X, y, thetas, progress: Progress | None = None) -> np.ndarray | None:
    """The data loss in evaluation mode of ``net`` with each row of ``thetas`` (points, parameters)
    as its flat parameters, on ``(X, y)``; None if ``progress`` cancels."""
    thetas = np.asarray(thetas, dtype=net.dtype)
    if thetas.ndim != 2 or thetas.shape[1] != net.parameter_count:
        raise CommandError(f"thetas: expected (points, {net.parameter_count}), got shape {thetas.shape}")
    return _evaluate(net, X, y, len(thetas), lambda start, stop: thetas[start:stop], progress)


# -- the plane --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Landscape:
    """The loss on the plane ``θ + a·d1 + b·d2``: ``loss[i, j]`` is at ``a[j]``, ``b[i]`` (rows are
    ``b``, columns ``a``, as an image is read); the centre ``loss[n // 2, n // 2]`` is at θ."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    theta: np.ndarray
    directions: Directions

    @property
    def centre(self) -> float:
        """The loss at θ."""
        return float(self.loss[len(self.b) // 2, len(self.a) // 2])

    def project(self, path) -> np.ndarray:
        """``path``'s ``(a, b)`` on this plane (see :func:`project_path`)."""
        return project_path(path, self.theta, self.directions.d1, self.directions.d2)


def grid_coordinates(span: float, resolution: int) -> np.ndarray:
    """``resolution`` evenly spaced numbers from ``-span`` to ``span``, 0 in the middle (exactly)."""
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) \
            or not 3 <= resolution <= MAX_RESOLUTION or resolution % 2 == 0:
        raise CommandError(f"resolution: expected an odd whole number from 3 to {MAX_RESOLUTION}, got {resolution!r}")
    if isinstance(span, bool) or not isinstance(span, numbers.Real) or not math.isfinite(span) or span <= 0:
        raise CommandError(f"range: expected a finite number > 0, got {span!r}")
    half = resolution // 2
    values = np.arange(-half, half + 1, dtype=np.float64) * (float(span) / half)
    values.setflags(write=False)
    return values


def loss_landscape(net: Network, X, y, directions: Directions, span: float = 1.0, resolution: int = 41,
                   progress: Progress | None = None) -> Landscape | None:
    """The loss on a ``resolution`` × ``resolution`` grid of ``θ + a·d1 + b·d2`` with ``a`` and ``b``
    from ``-span`` to ``span`` (in units of the directions), θ the network's current parameters.

    ``progress(done, total)`` is called with the points done before the first chunk of grid rows and
    after each; when it returns False the computation stops and None is returned (nothing half done).
    The network is not changed."""
    coords = grid_coordinates(span, resolution)
    theta = _frozen(net.flat_params)
    d1, d2 = (np.asarray(d, dtype=net.dtype) for d in (directions.d1, directions.d2))
    if d1.shape != theta.shape or d2.shape != theta.shape:
        raise CommandError(f"directions: expected {theta.size} numbers each, got {d1.size} and {d2.size}")
    n = len(coords)
    i, j = np.divmod(np.arange(n * n), n)  # row i is b[i], column j is a[j]
    coefficients = np.column_stack([np.ones(n * n), coords[j], coords[i]]).astype(net.dtype)  # θ, d1, d2

    def thetas(start: int, stop: int) -> np.ndarray:
        a, b = coefficients[start:stop, 1, None], coefficients[start:stop, 2, None]
        return theta + a * d1 + b * d2

    losses = _evaluate(net, X, y, n * n, thetas, progress, align=n, plane=(np.stack([theta, d1, d2]), coefficients))
    if losses is None:
        return None
    return Landscape(coords, coords, _frozen(losses.reshape(n, n)), theta, directions)


def project_path(path, theta, d1, d2) -> np.ndarray:
    """The ``(a, b)`` of each flat parameter vector of ``path`` — a (k, P) array or a list of k
    flat arrays, such as the timeline's keyframes — on the plane ``θ + a·d1 + b·d2``: the least-squares
    projection of ``p − θ`` onto the span of ``d1`` and ``d2``, so a point on the plane comes back
    exactly (to rounding) and one off it lands at its nearest point of the plane. Returns (k, 2)."""
    theta = np.asarray(theta, dtype=np.float64)
    points = np.asarray([np.asarray(p, dtype=np.float64) for p in path]) if not isinstance(path, np.ndarray) \
        else np.asarray(path, dtype=np.float64)
    if points.size == 0:
        return np.zeros((0, 2))
    points = points.reshape(len(points), -1)
    if points.shape[1] != theta.size:
        raise CommandError(f"path: expected vectors of {theta.size} parameters, got {points.shape[1]}")
    basis = np.column_stack([np.asarray(d1, dtype=np.float64), np.asarray(d2, dtype=np.float64)])
    coords, *_ = np.linalg.lstsq(basis, (points - theta).T, rcond=None)
    return coords.T


# -- the line ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interpolation:
    """The loss at ``(1 − t)·θ0 + t·θ`` for each ``t``: θ0 at t = 0, θ at t = 1."""

    t: np.ndarray
    loss: np.ndarray

    def at(self, t: float) -> float:
        """The loss at ``t`` exactly (one of the points)."""
        return float(self.loss[int(np.flatnonzero(self.t == t)[0])])


def interpolation(net: Network, X, y, start, t=None, progress: Progress | None = None) -> Interpolation | None:
    """The loss on the line from the flat parameters ``start`` (θ0, t = 0) to the network's current
    ones (θ, t = 1), at each ``t`` (default: :data:`INTERPOLATION_POINTS` from -0.5 to 1.5, which hold
    0 and 1). ``(1 − t)·θ0 + t·θ`` is θ0 and θ exactly at the ends. ``progress`` as for
    :func:`loss_landscape`."""
    if t is None:
        t = np.linspace(*INTERPOLATION_RANGE, INTERPOLATION_POINTS)
    t = np.asarray(t, dtype=np.float64).reshape(-1)
    theta = np.asarray(net.flat_params)
    start = np.asarray(start, dtype=net.dtype).reshape(-1)
    if start.shape != theta.shape:
        raise CommandError(f"start: expected {theta.size} parameters, got {start.size}")

    coefficients = np.column_stack([1 - t, t]).astype(net.dtype)  # θ0, θ

    def thetas(lo: int, hi: int) -> np.ndarray:
        return coefficients[lo:hi, 0, None] * start + coefficients[lo:hi, 1, None] * theta

    losses = _evaluate(net, X, y, len(t), thetas, progress, plane=(np.stack([start, theta]), coefficients))
    if losses is None:
        return None
    return Interpolation(_frozen(t), losses)


# -- what a snapshot carries --------------------------------------------------------------------------------
def network_recipe(net: Network) -> dict:
    """The arguments that build a network of ``net``'s architecture and settings (``Network(**recipe)``)."""
    return {"inputs": net.inputs, "layers": [layer.to_spec() for layer in net.layers],
            "loss": net.loss.to_spec(), "optimizer": net.optimizer.to_spec(), "schedule": net.schedule.to_spec(),
            "regularization": dict(net.regularization), "clip_grad_norm": net.clip_grad_norm, "seed": net.seed,
            "dtype": net.dtype_name}


@dataclass(frozen=True)
class LandscapeRequest:
    """What to compute: the directions (``"random"`` with ``seed``, ``"parameters"``: the flat
    positions ``first`` and ``second``, or ``"path"``: the principal directions of ``path``), the
    range ``±span`` and the grid's ``resolution``; and the line from the start of the run, at
    ``line_points`` values of t across ``line_range``."""

    directions: str = "random"
    seed: int = 0
    path: np.ndarray | None = field(default=None, compare=False, repr=False)  # "path": (k, P) points
    first: int = 0
    second: int = 1
    span: float = 1.0
    resolution: int = 41
    line_range: tuple[float, float] = INTERPOLATION_RANGE
    line_points: int = INTERPOLATION_POINTS


@dataclass(frozen=True)
class LandscapeResult:
    """A computed landscape and line (None when the run has no start to draw it from), with what
    they are of: the step and a note on the rows ("on the 250 training rows")."""

    landscape: Landscape
    line: Interpolation | None
    step: int
    note: str


@dataclass(frozen=True)
class LandscapeJob:
    """A snapshot's loss landscape, kept ready to compute when it is asked for: the network's recipe,
    its buffers (BatchNorm's running statistics), the rows (all, or a fixed sample: ``note`` says
    which), the flat parameters the run started from (None if unknown) and the step. It runs on a
    network of its own, built from the snapshot's parameters, so it may run on any thread."""

    recipe: dict
    buffers: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray
    start: np.ndarray | None
    note: str
    step: int = 0

    def network(self, params: dict[str, np.ndarray]) -> Network:
        """A new network with ``params`` (a snapshot's, by name) and the job's buffers."""
        net = Network(**self.recipe)
        for name, value in list(params.items()) + list(self.buffers.items()):
            net.get(name)[...] = value
        return net

    def run(self, params: dict[str, np.ndarray], request: LandscapeRequest | None = None,
            progress: Progress | None = None) -> LandscapeResult | None:
        """The landscape and the line of the network with ``params``; ``progress(done, total)`` counts
        the points of both; None if it cancels. ``request`` None: the default one."""
        request = LandscapeRequest() if request is None else request
        net = self.network(params)
        if request.directions == "random":
            directions = random_directions(net, request.seed)
        elif request.directions == "parameters":
            directions = parameter_directions(net, request.first, request.second)
        elif request.directions == "path":
            directions = path_directions(net, np.zeros((0, net.parameter_count)) if request.path is None
                                         else request.path)
        else:
            raise CommandError(f"directions: expected 'random', 'parameters' or 'path', got {request.directions!r}")
        grid = request.resolution ** 2
        t = None
        if self.start is not None:
            t = np.linspace(*request.line_range, request.line_points)
            t[np.argmin(np.abs(t))], t[np.argmin(np.abs(t - 1))] = 0.0, 1.0  # both ends exactly
            t = np.unique(t)
        total = grid + (0 if t is None else len(t))

        def overall(offset: int) -> Progress | None:
            if progress is None:
                return None
            return lambda done, _: progress(offset + done, total)

        landscape = loss_landscape(net, self.X, self.y, directions, request.span, request.resolution, overall(0))
        if landscape is None:
            return None
        line = None
        if t is not None:
            line = interpolation(net, self.X, self.y, self.start, t, overall(grid))
            if line is None:
                return None
        return LandscapeResult(landscape, line, self.step, self.note)
