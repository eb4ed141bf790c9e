"""The trainer's history: NumPy columns that read like lists, stay small, and match the steps."""

import copy
import tracemalloc

import numpy as np
import pytest

from nnviz.core import Trainer, load_model
from nnviz.core.datasets import make_dataset
from nnviz.core.history import STEP_CAP, History, Table

STEPS = 300_000
MODEL = {"format": "nnviz.model/1", "inputs": 2, "loss": "bce", "optimizer": {"name": "adam", "lr": 0.05},
         "schedule": {"name": "step", "step_size": 3, "gamma": 0.5},
         "layers": [{"type": "dense", "units": 3, "activation": "tanh"},
                    {"type": "dense", "units": 1, "activation": "sigmoid"}]}


def test_history_of_300k_steps_costs_under_10_mb_and_keeps_at_most_its_cap_of_rows():
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
    assert len(history["loss"]) <= STEP_CAP and history["step"][-1] == STEPS and history.run_step == STEPS
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


def test_table_views_are_read_only_and_never_change_through_growth_and_decimation():
    table = Table("step", ("loss",), cap=64)
    table.extend({"step": [1, 2], "loss": [1.0, 2.0]})
    view = table.view("loss")
    kept = view.copy()
    for i in range(5000):  # grows the buffers, then decimates many times
        table.append((i + 3, float(i)))
    assert not view.flags.writeable
    np.testing.assert_array_equal(view, kept)
    with pytest.raises(ValueError):
        view[0] = 5.0
    assert len(table) <= 64 and table["loss"][-1] == 4999.0 and table["step"][-1] == 5002


def _long_history(steps: int, cap: int, chunk: int = 10_000) -> tuple[History, np.ndarray]:
    """A history of ``steps`` noisy losses (with spikes) appended as the trainer does, and the losses."""
    rng = np.random.default_rng(1)
    losses = 1.0 / np.sqrt(np.arange(1, steps + 1)) + 0.01 * rng.random(steps)
    losses[rng.choice(steps, 20, replace=False)] += 5.0  # spikes
    losses[steps // 3] = -1.0  # the lowest, once
    history = History(rows=100, cap=cap)
    for start in range(0, steps, chunk):
        for i in range(start, min(start + chunk, steps)):
            history.append(i + 1, 10 * (i + 1), 0.01, losses[i], 1.0)
    return history, losses


def test_a_long_history_stays_within_its_cap_and_keeps_ends_spikes_and_means():
    cap, steps = 1000, 200_000
    history, losses = _long_history(steps, cap)
    h = history
    steps_kept = h.run_steps.view()
    assert cap // 4 <= len(steps_kept) <= cap
    assert steps_kept[0] == 1 and steps_kept[-1] == steps and h["loss"][-1] == losses[-1]
    assert h["loss"][0] == losses[0] and h["epoch"][-1] == 10 * steps / 100
    assert np.all(np.diff(steps_kept) > 0)
    loss = h["loss"].view()
    assert loss.max() == losses.max() and loss.min() == losses.min() == -1.0
    spikes = np.sort(losses)[-20:]
    assert np.isin(spikes, loss).sum() >= 15  # spikes closer than a bucket share one
    # every kept row is a real loss of its bucket; the means weigh every step once
    assert np.isin(loss, losses).all()
    weights = history._table.view("_weight")
    assert weights.sum() == steps
    assert np.dot(h.loss_mean.view(), weights) == pytest.approx(losses.sum(), rel=1e-9)


def test_the_history_nbytes_stops_growing_at_the_cap():
    cap = 2000
    history = History(rows=100, cap=cap)
    sizes = []
    for step in range(1, 100_001):
        history.append(step, step, 0.01, 1.0 / step, 1.0)
        if step % 10_000 == 0:
            sizes.append(history.nbytes)
    assert len(set(sizes)) == 1 and sizes[0] <= cap * 8 * 8


def test_a_non_number_is_kept_as_the_highest_value_of_its_bucket():
    table = Table("step", ("loss",), cap=16)
    table.extend({"step": np.arange(1, 17), "loss": np.r_[np.ones(9), np.nan, np.ones(6)]})
    table.append((17, 1.0))
    assert np.isnan(table.view("loss")).sum() == 1 and len(table) <= 8

def test_histories_compare_like_lists():
    history = History(rows=4)
    history.append(1, 4, 0.1, 0.5, 1.0)
    assert history["loss"] == [0.5] and history["loss"] != [0.6] and history["epoch"] == [1.0]
    assert copy.deepcopy(list(history["loss"])) == [0.5]
