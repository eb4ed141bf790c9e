"""The trainer keeps the update the optimizer applied on the last step of each call that steps."""

import numpy as np
import pytest

from nnviz.core import Trainer, load_model


def make_trainer(optimizer=None, **rest):
    net = load_model({"format": "nnviz.model/1", "inputs": 2, "seed": 1,
                      "layers": [{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}],
                      "optimizer": optimizer or {"name": "sgd", "lr": 0.1, "momentum": 0.9}, **rest})
    rng = np.random.default_rng(2)
    return Trainer(net, rng.normal(size=(16, 2)), rng.normal(size=(16, 1)), batch_size=4)


def test_no_update_before_any_step():
    assert make_trainer().last_update is None


def test_run_keeps_the_update_of_its_last_step():
    trainer = make_trainer()
    seen = []
    trainer.run(4, callback=lambda t: seen.append(t.net.flat_params.copy()))
    before, delta = trainer.last_update
    np.testing.assert_array_equal(before, seen[-2])
    np.testing.assert_array_equal(delta, seen[-1] - seen[-2])
    assert np.any(delta != 0)


@pytest.mark.parametrize("call", ["step", "trace"])
def test_a_single_step_keeps_its_update(call):
    trainer = make_trainer()
    trainer.run(2)
    params = trainer.net.flat_params
    before = params.copy()
    getattr(trainer, call)()
    np.testing.assert_array_equal(trainer.last_update[0], before)
    np.testing.assert_array_equal(trainer.last_update[1], params - before)


def test_epoch_keeps_the_update_of_its_last_step():
    trainer, twin = make_trainer(), make_trainer()
    trainer.run(2)
    trainer.epoch()  # steps 3 and 4 finish the epoch of 16 rows in batches of 4
    twin.run(3)
    before = twin.net.flat_params.copy()
    twin.run(1)
    np.testing.assert_array_equal(trainer.net.flat_params, twin.net.flat_params)
    np.testing.assert_array_equal(trainer.last_update[0], before)
    np.testing.assert_array_equal(trainer.last_update[1], twin.net.flat_params - before)


def test_the_kept_update_is_read_only_and_zero_steps_keep_it():
    trainer = make_trainer()
    trainer.run(3)
    delta = trainer.last_update[1].copy()
    trainer.run(0)
    np.testing.assert_array_equal(trainer.last_update[1], delta)
    with pytest.raises(ValueError):
        trainer.last_update[1][0] = 1.0
