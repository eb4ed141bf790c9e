"""The timeline goes back to any past step bit for bit (shuffled batches, dropout), and a branch from
there is the run a saved state with the changed setting gives."""

import numpy as np
import pytest

from nnviz.core.errors import CommandError
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.timeline import Timeline


def _dropout_model(optimizer=None):
    return {"format": "nnviz.model/1", "name": "drop", "inputs": 2,
            "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                       {"type": "dropout", "p": 0.3},
                       {"type": "batchnorm"},
                       {"type": "dense", "units": 1, "activation": "sigmoid"}],
            "loss": "bce", "optimizer": optimizer or {"name": "adam", "lr": 0.01}, "seed": 3}


def _state(exp: Experiment):
    net = exp.net
    return (net.flat_params.copy(), [b.copy() for _, b in net.named_buffers()],
            {k: v.copy() for k, v in net.optimizer.state.items()}, net.optimizer.t, net.samples_seen, exp.step)


def _assert_same(a, b):
    assert np.array_equal(a[0], b[0])
    assert all(np.array_equal(x, y) for x, y in zip(a[1], b[1]))
    assert a[2].keys() == b[2].keys() and all(np.array_equal(a[2][k], b[2][k]) for k in a[2])
    assert a[3:] == b[3:]


@pytest.fixture
def run():
    """A run of 120 steps with dropout, BatchNorm and shuffled mini-batches, its state at every step,
    and a timeline kept every 25 steps, recorded after uneven chunks of steps."""
    exp = Experiment(_dropout_model(), DataConfig(dataset="circle", batch_size=7))
    timeline = Timeline(every=25)
    states = {0: _state(exp)}
    timeline.record(exp)
    for chunk in (1, 9, 30, 3, 17, 40, 20):
        for _ in range(chunk):
            exp.run(1)
            states[exp.step] = _state(exp)
        timeline.record(exp)
    return exp, timeline, states


def test_a_restore_to_any_step_equals_the_run_at_that_step_bit_for_bit(run):
    exp, timeline, states = run
    assert exp.step == 120 and len(timeline.keyframes) >= 3
    for step in (0, 1, 24, 25, 26, 40, 77, 119, 120):
        _assert_same(_state(timeline.at(exp, step)), states[step])
    # and the run itself was not touched
    _assert_same(_state(exp), states[120])


def test_a_restored_run_goes_on_as_the_original_did(run):
    exp, timeline, states = run
    past = timeline.at(exp, 33)
    past.run(87)
    _assert_same(_state(past), states[120])


def test_a_branch_equals_a_fresh_run_loaded_from_the_saved_state_with_the_change(run):
    exp, timeline, states = run
    branch = timeline.branch(exp, 60, lr=0.05, clip_grad_norm=0.5)
    branch.run(30)
    # the state at 60 saved as a document, opened, changed and run the same number of steps
    saved = timeline.at(exp, 60).to_document()
    fresh = Experiment(data=DataConfig(dataset="circle", batch_size=7))
    fresh.load_document(saved)  # as File › Open does
    assert fresh.step == 60
    fresh.set_training(lr=0.05, clip_grad_norm=0.5)
    fresh.run(30)
    _assert_same(_state(branch), _state(fresh))
    # and the branch differs from the original course
    assert not np.array_equal(branch.net.flat_params, states[90][0])


def test_an_edit_marked_on_the_timeline_is_never_replayed_across(run):
    exp, timeline, states = run
    timeline.mark(exp)
    exp.set_parameter("layers[0].weight", (0, 0), 2.5)
    timeline.mark(exp)
    exp.run(10)
    after = _state(exp)
    _assert_same(_state(timeline.at(exp, 130)), after)
    assert timeline.at(exp, 120).net.get("layers[0].weight")[0, 0] == 2.5  # the newer state of step 120
    _assert_same(_state(timeline.at(exp, 119)), states[119])


def test_memory_stays_within_the_budget_over_a_long_run():
    exp = Experiment()
    states = {}
    per_keyframe = exp.net.flat_params.nbytes * 1  # SGD without momentum: no state terms
    timeline = Timeline(every=1, budget=40 * per_keyframe)
    for _ in range(500):
        exp.run(1)
        states[exp.step] = _state(exp)
        timeline.record(exp)
    assert timeline.nbytes <= 40 * per_keyframe
    # the whole run, thinned: from the first step to the last few, evenly
    assert timeline.start == 1 and 500 - timeline.keyframes[-1].step < timeline.every
    assert timeline.every > 1
    assert np.diff(timeline.steps()).max() <= timeline.every
    for step in (1, 250, 333, 500):
        _assert_same(_state(timeline.at(exp, step)), states[step])


def test_going_back_further_than_the_timeline_or_forward_is_one_line():
    exp = Experiment()
    timeline = Timeline()
    with pytest.raises(CommandError, match="no keyframes yet"):
        timeline.at(exp, 0)
    exp.run(5)
    timeline.record(exp)
    with pytest.raises(CommandError, match="starts at step 5"):
        timeline.at(exp, 2)
    with pytest.raises(CommandError, match="only at step 5"):
        timeline.at(exp, 9)


def test_the_path_is_the_keyframes_parameters(run):
    exp, timeline, states = run
    steps, params = timeline.path()
    assert list(steps) == [k.step for k in timeline.keyframes]
    for step, row in zip(steps, params):
        assert np.array_equal(row, states[int(step)][0])
