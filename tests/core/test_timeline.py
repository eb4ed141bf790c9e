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
    branch = timeline.branch(exp, 60, {"lr": 0.05, "clip_grad_norm": 0.5}, "lr 0.01, no clipping")
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


def test_keyframes_keep_numbers_and_share_the_network_they_train_under():
    """A keyframe holds copies of the numbers only; the network of its settings is one object shared
    by every keyframe under those settings, and a new one after a setting changes."""
    exp = Experiment()
    timeline = Timeline(every=5)
    for _ in range(6):
        exp.run(5)
        timeline.record(exp)
    assert len({id(k.template) for k in timeline.keyframes}) == 1
    assert timeline.keyframes[-1].params is not exp.net.flat_params
    timeline.mark(exp)
    exp.set_training(lr=0.1)
    timeline.mark(exp)
    exp.run(5)
    timeline.record(exp)
    templates = [k.template for k in timeline.keyframes]
    assert len({id(t) for t in templates}) == 2 and templates[-1].optimizer.lr == 0.1
    assert timeline.at(exp, 20).net.optimizer.lr == 0.03 and timeline.at(exp, 35).net.optimizer.lr == 0.1


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


def test_a_view_shows_the_past_step_with_the_whole_loss_curve(run):
    exp, timeline, states = run
    view = timeline.view(exp, 50)
    assert view.step == 50 and view.live_step == 120
    assert np.array_equal(view.params["layers[0].weight"], timeline.at(exp, 50).net.get("layers[0].weight"))
    assert view.history["step"][-1] == 120  # the run's curve, where it went from step 50
    # evaluated at step 50: the loss of that state, not the run's newest
    past = timeline.at(exp, 50)
    assert view.train_loss == past.evaluate().train_loss


def test_a_branch_keeps_the_course_it_left_and_a_save_keeps_both(run, tmp_path):
    exp, timeline, states = run
    branch = timeline.branch(exp, 80, {"lr": 0.1}, "lr 0.01")
    branch.run(15)
    assert [c.label for c in branch.branches] == ["lr 0.01"]
    course = branch.branches[0]
    assert course.start == 80 and course.step[0] == 80 and course.step[-1] == 120
    assert list(branch.trainer.history.run_steps)[-16:] == list(range(80, 96))
    # saved and opened again: the same courses
    doc = branch.to_document()
    again = Experiment(data=DataConfig(dataset="circle", batch_size=7))
    again.load_document(doc)
    assert len(again.branches) == 1 and again.branches[0].label == "lr 0.01"
    assert np.array_equal(again.branches[0].step, course.step)
    assert np.array_equal(again.branches[0].loss, course.loss)
    # the timeline goes on along the new course
    _assert_same(_state(timeline.at(branch, 95)), _state(branch))
    assert timeline.at(branch, 95).net.optimizer.lr == 0.1


@pytest.mark.parametrize("branches, message", [
    ("x", "branches: expected a list"),
    ([{"from": 1, "label": "a", "step": [3, 2], "loss": [0.1, 0.2]}],
     r"branches\[0\]\.step\[1\]: 2 does not come after 3"),
    ([{"from": 1, "label": "a", "step": [1, 2], "loss": [0.1]}], r"branches\[0\]\.loss: 1 values"),
    ([{"from": 1, "label": "a", "step": [1], "loss": [0.1], "colour": 1}], r"branches\[0\]\.colour: unknown key"),
])
def test_a_bad_branches_entry_is_one_line_and_changes_nothing(branches, message):
    from nnviz.core.errors import ModelError

    exp = Experiment()
    doc = exp.to_document()
    doc["branches"] = branches
    before = exp.net.flat_params.copy()
    with pytest.raises(ModelError, match=message):
        exp.load_document(doc)
    assert np.array_equal(exp.net.flat_params, before)
