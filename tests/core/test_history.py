"""The trainer's history: NumPy columns that read like lists, stay small, and match the steps."""

import copy
import tracemalloc

import numpy as np
import pytest

from nnviz.core import Trainer, load_model
from nnviz.core.datasets import make_dataset
from nnviz.core.history import Counter, History, Series

STEPS = 300_000
MODEL = {"format": "nnviz.model/1", "inputs": 2, "loss": "bce", "optimizer": {"name": "adam", "lr": 0.05},
         "schedule": {"name": "step", "step_size": 3, "gamma": 0.5},
         "layers": [{"type": "dense", "units": 3, "activation": "tanh"},
                    {"type": "dense", "units": 1, "activation": "sigmoid"}]}


def test_history_of_300k_steps_costs_under_10_mb():
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        history = History(rows=500)
        rng = np.random.default_rng(0)
        losses, norms = rng.random(STEPS), rng.random(STEPS)
        for i in range(STEPS):
            history.append(i + 1, 10 * (i + 1), 0.03, losses[i], norms[i])
        used = tracemalloc.get_traced_memory()[0] - before - losses.nbytes - norms.nbytes
    finally:
        tracemalloc.stop()
    assert len(history["loss"]) == STEPS and history["step"][-1] == STEPS
    assert history["epoch"][-1] == 10 * STEPS / 500
    assert history.nbytes < 10_000_000 and used < 10_000_000


def test_history_equals_the_losses_the_steps_return():
    data = make_dataset("xor")
    trainer = Trainer(load_model(MODEL), data.X, data.y, batch_size=3, seed=2)
    losses = [trainer.step() for _ in range(10)]
    h = trainer.history
    assert h["loss"] == losses and h["loss"][-1] == losses[-1] and len(h["loss"]) == 10
    assert h["step"] == list(range(1, 11))
    assert h["epoch"] == [3 * (i + 1) / 4 for i in range(10)]
    assert h["lr"] == [0.05 * 0.5 ** (i // 3) for i in range(10)]
    assert set(h) == {"step", "epoch", "lr", "loss", "grad_norm"} and all(len(c) == 10 for c in h.values())
    assert trainer.metrics()["loss"] == losses[-1]
    np.testing.assert_array_equal(np.asarray(h["grad_norm"]), h["grad_norm"].view())


def test_series_views_are_read_only_and_never_change():
    series = Series()
    series.extend([1.0, 2.0])
    view = series.view()
    kept = view.copy()
    for i in range(5000):  # grows the buffer several times
        series.append(float(i))
    assert not view.flags.writeable
    np.testing.assert_array_equal(view, kept)
    with pytest.raises(ValueError):
        view[0] = 5.0
    assert len(series) == 5002 and series[-1] == 4999.0


def test_counter_stores_runs_and_reads_every_row():
    counter = Counter()
    values = [5, 6, 7, 8, 20, 21, 22, 22, 22, 3]  # a jump (a loaded state), a pause, a restart
    for v in values:
        counter.append(v)
    assert counter == values and counter[-1] == 3 and counter[4] == 20 and len(counter) == len(values)
    assert counter.view().tolist() == values and not counter.view().flags.writeable
    assert counter.nbytes <= 5 * 24  # a few runs, not ten rows
    with pytest.raises(IndexError):
        counter[len(values)]


def test_histories_compare_like_lists():
    history = History(rows=4)
    history.append(1, 4, 0.1, 0.5, 1.0)
    assert history["loss"] == [0.5] and history["loss"] != [0.6] and history["epoch"] == [1.0]
    assert copy.deepcopy(list(history["loss"])) == [0.5]
