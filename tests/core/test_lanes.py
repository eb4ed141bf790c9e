"""Lanes forked from one state: identical settings stay identical, one changed setting gives exactly
the run that setting gives."""

import numpy as np
import pytest

from nnviz.core import build_network
from nnviz.core.errors import CommandError
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.lanes import RACE, Lanes, label
from nnviz.core.trainer import Trainer


def _model():
    return {"format": "nnviz.model/1", "name": "lanes", "inputs": 2,
            "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                       {"type": "dropout", "p": 0.2},
                       {"type": "dense", "units": 8, "activation": "tanh"},
                       {"type": "dense", "units": 1, "activation": "sigmoid"}],
            "loss": "bce", "optimizer": {"name": "sgd", "lr": 0.03, "momentum": 0.5}, "seed": 4}


DATA = DataConfig(dataset="spiral", batch_size=9)


@pytest.fixture
def base():
    exp = Experiment(_model(), DATA)
    exp.run(37)  # forked mid-run, mid-epoch
    return exp


def test_lanes_with_identical_settings_stay_bit_identical(base):
    lanes = Lanes(base, [{}, {}, {}])
    for _ in range(5):
        lanes.run(23)
    first = lanes[0].experiment
    assert first.step == 37 + 115
    for lane in lanes.lanes[1:]:
        e = lane.experiment
        assert np.array_equal(e.net.flat_params, first.net.flat_params)
        state, theirs = e.net.optimizer.state, first.net.optimizer.state
        assert all(np.array_equal(state[k], theirs[k]) for k in state)
        assert np.array_equal(np.asarray(e.trainer.history["loss"]), np.asarray(first.trainer.history["loss"]))
    # and the base went nowhere
    assert base.step == 37


def test_a_lane_differing_only_in_the_learning_rate_is_a_plain_trainer_with_that_rate(base):
    lanes = Lanes(base, [{}, {"lr": 0.2}])
    lanes.run(100)
    # the same start, trained by a bare Trainer at lr 0.2 on the same rows in the same order
    doc = base.net.to_dict(state=True)
    doc["optimizer"]["lr"] = 0.2
    net = build_network(doc)
    assert net.optimizer.t == 37 and net.samples_seen == base.net.samples_seen
    trainer = Trainer(net, base.X, base.y, batch_size=9, shuffle=True, seed=net.seed)
    trainer.run(100)
    lane = lanes[1].experiment
    assert np.array_equal(lane.net.flat_params, net.flat_params)
    assert np.array_equal(np.asarray(lane.trainer.history["loss"]), np.asarray(trainer.history["loss"]))
    assert not np.array_equal(lanes[0].experiment.net.flat_params, net.flat_params)


def test_an_activation_lane_keeps_the_weights_and_an_init_lane_draws_new_ones(base):
    lanes = Lanes(base, [{"activation": "relu"}, {"init": "he_normal"}, {"batch_size": None}])
    act, init, full = (lane.experiment for lane in lanes)
    assert np.array_equal(act.net.flat_params, base.net.flat_params)
    assert [layer.activation.name for layer in act.net.layers if layer.type == "dense"] == ["relu", "relu", "sigmoid"]
    assert not np.array_equal(init.net.flat_params, base.net.flat_params)
    assert full.trainer.batch_size is None and np.array_equal(full.net.flat_params, base.net.flat_params)
    assert [lane.label for lane in lanes] == ["activation relu", "init he_normal", "full batch"]
    lanes.run(10)
    assert {lane.experiment.step for lane in lanes} == {47}


def test_the_optimizer_race_is_four_lanes_from_one_start(base):
    lanes = Lanes(base, RACE)
    assert [lane.label for lane in lanes] == ["sgd, lr 0.1", "sgd (momentum 0.9), lr 0.03", "rmsprop, lr 0.01",
                                             "adam, lr 0.01"]
    assert all(np.array_equal(lane.experiment.net.flat_params, base.net.flat_params) for lane in lanes)
    lanes.run(50)
    finals = [lane.experiment.net.flat_params for lane in lanes]
    assert len({f.tobytes() for f in finals}) == 4


def test_a_lane_that_diverges_stops_while_the_others_go_on(base):
    lanes = Lanes(base, [{}, {"lr": 1e6, "activation": "identity"}])
    lanes.run(30)
    lanes.run(30)
    assert lanes[1].experiment.diverged and not lanes[0].experiment.diverged
    assert lanes[0].experiment.step == 97


def test_closing_and_keeping_lanes(base):
    lanes = Lanes(base, [{}, {"lr": 0.1}])
    closed = lanes.close(0)
    assert closed.label == "as the run" and len(lanes) == 1
    with pytest.raises(CommandError, match="last lane cannot be closed"):
        lanes.close(0)
    kept = lanes.keep(0)
    assert kept.net.optimizer.lr == 0.1


@pytest.mark.parametrize("variants, message", [([], "between 1 and 4 lanes"), ([{}] * 5, "between 1 and 4 lanes"),
                                               ([{"colour": 1}], "unknown setting 'colour'"),
                                               (["adam"], "expected an object of settings")])
def test_bad_comparisons_are_one_line(base, variants, message):
    with pytest.raises(CommandError, match=message):
        Lanes(base, variants)


def test_labels_name_the_difference():
    assert label({"optimizer": {"name": "adam", "lr": 0.003}}) == "adam, lr 0.003"
    assert label({"clip_grad_norm": 1.0, "loss": "mse"}) == "clip 1, mse"
    assert label({}) == "as the run"
