"""The trainer: batches, steps, an append-only metrics history, and the forward/backward trace.

Batches come from an endless stream of the training rows: in row order when ``shuffle`` is false
(wrapping at the end of the data), else one seeded permutation per epoch, each drawn from
``default_rng([seed, epoch])``. Dropout masks of step ``t`` come from ``default_rng([seed, 1, t])``.
The stream is therefore a pure function of the seed and the number of samples seen, which is what a
saved model records, so loading a model resumes its run exactly.

The update the optimizer applied on the last step of each :meth:`Trainer.run`, :meth:`~Trainer.step`,
:meth:`~Trainer.epoch` or :meth:`~Trainer.trace` call is kept (:attr:`Trainer.last_update`): one copy
of the parameters per call, not per step, so the health panels can show what a step really did
(Adam, momentum, weight decay and clipping included) without slowing training down.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnviz.core.data import prepare_inputs, prepare_targets
from nnviz.core.errors import DataError
from nnviz.core.history import History
from nnviz.core.network import Network
from nnviz.core.snapshot import read_only
from nnviz.core.spec import HotPath
from nnviz.core.trace import Trace
from nnviz.core.validation import show


def _whole(value, least: int) -> bool:
    """Whether ``value`` is a whole number (an int, or a float without a fraction) >= ``least``."""
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and math.isfinite(value)
            and value == int(value) and value >= least)


def divergence(net: Network, loss: float) -> str:
    """What of a run is no longer a finite number after a step whose batch loss was ``loss``: ``"the
    loss"``, ``"the learning rate"`` (of that step), ``"the parameters"``, ``"the optimizer state"``
    or ``"the running statistics"``; ``""`` while every one is finite. The one rule of divergence:
    the app pauses on it, the command line and the exports stop on it. (A loss can stay finite while
    the weights are not: a step activation's output is 0 or 1 whatever its input.)"""
    if not math.isfinite(loss):
        return "the loss"
    if not math.isfinite(net.optimizer.last.get("lr", 0.0)):
        return "the learning rate"
    return net.not_finite()


class Trainer(HotPath):
    """Trains ``net`` on ``(X, y)``.

    Parameters
    ----------
    net : Network
    X : array (n, inputs)
    y : array (n, outputs), or (n,) class indices for cross-entropy
    batch_size : None for full-batch gradient descent, 1 for SGD, k for mini-batches (capped at n)
    shuffle : shuffle the rows once per epoch (else take them in row order, wrapping at the end)
    seed : seeds the row order and dropout; None takes the network's seed
    history : the :class:`~nnviz.core.history.History` to append to (one for the same rows that an
        earlier trainer filled, to continue it); None starts a new one
    """

    def __init__(self, net: Network, X, y, batch_size: int | None = None, shuffle: bool = True,
                 seed: int | None = None, history: History | None = None):
        self.net = net
        self.X = prepare_inputs(net, X)
        self.n = self.X.shape[0]
        self.y = prepare_targets(net, y, self.n)
        if batch_size is not None and not _whole(batch_size, 1):
            raise DataError(f"batch_size: expected a positive whole number or None, got {show(batch_size)}")
        self.batch_size = None if batch_size is None or batch_size >= self.n else int(batch_size)
        self.shuffle = shuffle
        self.seed = net.seed if seed is None else seed
        if history is not None and history.rows != self.n:
            raise DataError(f"history: kept for {history.rows} rows, but the trainer has {self.n}")
        self.history = History(self.n) if history is None else history
        self._has_dropout = any(layer.type == "dropout" and layer.p > 0 for layer in net.layers)
        self._per_sample = net.optimizer.per_sample
        self._epoch_index = -1
        self._order = None
        self._before = np.empty_like(net.flat_params)  # the parameters before the last kept step
        self._update = np.empty_like(net.flat_params)  # and what that step added to them
        self._has_update = False
        if self.batch_size is not None:
            self._xb = np.empty((self.batch_size, net.inputs), dtype=net.dtype)
            self._yb = np.empty((self.batch_size, self.y.shape[1]), dtype=net.dtype)

    # -- batches --------------------------------------------------------------------------------
    @property
    def epoch_count(self) -> float:
        """Epochs completed, as a fraction (samples seen / rows)."""
        return self.net.samples_seen / self.n

    def _order_for(self, epoch: int) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.n)
        return np.random.default_rng([self.seed, epoch]).permutation(self.n)

    def _batch_indices(self) -> np.ndarray:
        start = self.net.samples_seen
        epoch, pos = divmod(start, self.n)
        if epoch != self._epoch_index:
            self._order, self._epoch_index = self._order_for(epoch), epoch
        end = pos + self.batch_size
        if end <= self.n:
            return self._order[pos:end]
        return np.concatenate([self._order[pos:], self._order_for(epoch + 1)[: end - self.n]])

    def next_batch(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The inputs, targets and row indices of the next batch (indices None for full batch).
        The arrays may be reused by the next call."""
        if self.batch_size is None:
            return self.X, self.y, None
        idx = self._batch_indices()
        if not self.shuffle and idx[0] + len(idx) <= self.n:
            s = slice(int(idx[0]), int(idx[0]) + len(idx))
            return self.X[s], self.y[s], idx
        # The indices are in range by construction; mode="clip" spares the bounds check, for which
        # NumPy gathers into a temporary and copies it to ``out`` (3x slower at batch 512). The
        # method, not np.take, spares a wrapper call: a microsecond of a small network's step.
        self.X.take(idx, 0, self._xb, "clip")
        self.y.take(idx, 0, self._yb, "clip")
        return self._xb, self._yb, idx

    # -- steps ----------------------------------------------------------------------------------
    # A diverging run overflows; its NaN loss is reported through the history, not as warnings.
    _QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore", "under": "ignore"}

    def step(self) -> float:
        """One optimizer step on the next batch; returns the loss of that batch before the update."""
        with np.errstate(**self._QUIET):
            return self._kept_step(None)

    def trace(self) -> Trace:
        """The forward/backward trace of the next batch, applying the update as :meth:`step` does."""
        trace = Trace()
        with np.errstate(**self._QUIET):
            self._kept_step(trace)
        return trace

    def run(self, steps: int, callback=None) -> float:
        """Take ``steps`` steps; ``callback(trainer)`` after each, if given. Returns the last loss."""
        loss = math.nan
        with np.errstate(**self._QUIET):
            for i in range(steps):
                loss = self._step(None) if i < steps - 1 else self._kept_step(None)
                if callback is not None:
                    callback(self)
        return loss

    def steps_to_epoch_end(self) -> int:
        """The steps that complete the current epoch (one more epoch's worth at its start)."""
        left = (self.net.samples_seen // self.n + 1) * self.n - self.net.samples_seen
        return -(-left // (self.batch_size or self.n))

    def epoch(self) -> float:
        """Steps until one more epoch of samples has been seen; returns their mean loss."""
        target = (self.net.samples_seen // self.n + 1) * self.n
        batch = self.batch_size or self.n
        losses = []
        with np.errstate(**self._QUIET):
            while self.net.samples_seen < target:
                last = self.net.samples_seen + batch >= target
                losses.append(self._kept_step(None) if last else self._step(None))
        return float(np.mean(losses))

    @property
    def last_update(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(before, delta)``: the flat parameters before the last step of the latest call that
        stepped, and the update that step applied (``flat_params - before`` right after it); None
        before any step. Read-only views of buffers that the next such call overwrites."""
        if not self._has_update:
            return None
        return read_only(self._before), read_only(self._update)

    def _kept_step(self, trace: Trace | None) -> float:
        """A step whose update is kept as :attr:`last_update`."""
        params = self.net.flat_params
        np.copyto(self._before, params)
        loss = self._step(trace)
        np.subtract(params, self._before, out=self._update)
        self._has_update = True
        return loss

    def _step(self, trace: Trace | None) -> float:
        net = self.net
        xb, yb, idx = self.next_batch()
        rng = (np.random.default_rng([self.seed, 1, net.optimizer.t]) if self._has_dropout else None)
        lr = net.schedule.lr(net.optimizer.t)
        if trace is not None:
            trace.begin(net, xb, yb, idx, lr)
        if self._per_sample:
            loss, grad_norm = self._perceptron_step(xb, yb, lr, trace), math.nan
            net.optimizer.t += 1
        else:
            loss = net.loss_and_gradients(xb, yb, True, rng)
            grads = net.flat_grads
            grad_norm = math.sqrt(float(np.dot(grads, grads)))
            clip = net.clip_grad_norm
            if clip is not None:  # clip_grad_norm_: scale by max_norm / (norm + 1e-6) when below 1
                coef = clip / (grad_norm + 1e-6)
                if coef < 1.0:
                    grads *= coef
            if trace is not None:
                trace.after_backward(net, loss, grad_norm)
            net.optimizer.step(net.flat_params, grads, lr)
        net.samples_seen += xb.shape[0]
        self.history.append(net.optimizer.t, net.samples_seen, lr, loss, grad_norm)
        if trace is not None:
            trace.finish(net, loss)
        return loss

    def _perceptron_step(self, xb, yb, lr, trace: Trace | None = None) -> float:
        """Rosenblatt's rule, sample by sample; returns the batch loss before the update. A trace
        gets each sample's output, error and update."""
        net = self.net
        layer = net.layers[0]
        loss = net.data_loss(net.forward(xb, training=True), yb)[0]
        errors = 0
        for x, target in zip(xb, yb):
            z = layer.weight @ x + layer.bias
            output = layer.activation.forward(z)
            error = target - output
            before = (layer.weight.copy(), layer.bias.copy()) if trace is not None else None
            if np.any(error != 0):
                errors += 1
                net.optimizer.update_sample(layer.weight, layer.bias, x, error, lr)
            if trace is not None:
                trace.add_perceptron_update(x=x, target=target, z=z, output=output, error=error,
                                            weight_before=before[0], bias_before=before[1],
                                            weight_after=layer.weight, bias_after=layer.bias)
        net.optimizer.last = {"lr": lr, "errors": errors}
        return loss

    def metrics(self, X=None, y=None) -> dict:
        """The latest training metrics, and the loss on ``(X, y)`` if given."""
        out = {key: values[-1] for key, values in self.history.items() if values}
        if X is not None:
            Xp = prepare_inputs(self.net, X)
            out["test_loss"] = self.net.evaluate(Xp, prepare_targets(self.net, y, Xp.shape[0]))
        return out
