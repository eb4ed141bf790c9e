"""Problem types: the data decide the kind, the losses say what they fit, the experiment sets a
fitting setup (and says so); tiny data are not split; a diverged run can be recovered."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.data import Dataset
from nnviz.core.dataconfig import MIN_SPLIT_ROWS
from nnviz.core.datasets import DATASETS, make_dataset
from nnviz.core.errors import DataError
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.losses import LOSSES, make_loss
from nnviz.core.problems import PROBLEMS, fitting_loss, kind_of


def _three_classes(n: int = 60) -> Dataset:
    """Planar points in three angular sectors, labelled 0, 1, 2."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, (n, 2))
    y = np.floor((np.arctan2(X[:, 1], X[:, 0]) + np.pi) / (2 * np.pi / 3)) % 3
    return Dataset(X, y, "sectors", "classification", ("x1", "x2"), ("label",))


def _experiment(dataset: str, loss: str | None = None, **data) -> Experiment:
    exp = Experiment(data=DataConfig(dataset=dataset, **data))
    if loss is not None:
        exp.set_training(loss=loss)
    return exp


def _setup(exp: Experiment) -> tuple[str, str, int]:
    return exp.net.loss.name, exp.net.layers[-1].activation.name, exp.net.outputs


# -- what each loss fits -------------------------------------------------------------------------
# loss -> data it cannot fit, with the start of the one-line refusal
REFUSED = {
    "bce": {"plane": "loss bce: targets must lie in [0, 1], but the targets of plane run from -1.13 to 1.17",
            "sectors": "loss bce: targets must lie in [0, 1], but the targets of sectors run from 0 to 2"},
    "focal": {"plane": "loss focal: targets must lie in [0, 1], but the targets of plane run from -1.13 to 1.17",
              "sectors": "loss focal: targets must lie in [0, 1], but the targets of sectors run from 0 to 2"},
    "cross_entropy": {"plane": "loss cross_entropy: targets must be class indices, whole numbers 0, 1, 2 …, "
                               "but the targets of plane run from -1.13 to 1.17",
                      "square": "loss cross_entropy: targets must be class indices, whole numbers 0, 1, 2 …, "
                                "but the targets of square include 0."},
}
DATA = {"circle": DataConfig(dataset="circle"), "plane": DataConfig(dataset="plane"),
        "square": DataConfig(dataset="square"), "sectors": DataConfig(dataset="sectors", imported=_three_classes())}


def test_every_loss_is_covered():
    assert set(LOSSES) == {"mse", "mae", "huber", "bce", "focal", "cross_entropy"}


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_every_loss_on_every_kind_of_data_fits_or_is_refused_in_one_line(loss, data):
    exp = Experiment(data=DATA[data])
    before = (exp.net, exp.document_copy())
    refusal = REFUSED.get(loss, {}).get(data)
    if refusal is None:
        exp.set_training(loss=loss)
        assert exp.net.loss.name == loss
        exp.run(5)
        assert math.isfinite(exp.snapshot().train_loss) and exp.snapshot().train_loss >= 0
    else:
        with pytest.raises(DataError) as caught:
            exp.set_training(loss=loss)
        assert str(caught.value).startswith(refusal) and "\n" not in str(caught.value)
        assert exp.net is before[0] and exp.document_copy() == before[1]  # nothing changed


def test_cross_entropy_checks_the_output_width_and_one_hot_rows():
    ce = make_loss("cross_entropy")
    ce.check_targets(np.array([[0.0], [2.0]]), 3, "mine")
    with pytest.raises(DataError, match=r"^loss cross_entropy: class indices must lie in 0\.\.1 \(the output layer "
                                        r"has 2 units\), but the targets of mine run from 0 to 2$"):
        ce.check_targets(np.array([[0.0], [2.0]]), 2, "mine")
    ce.check_targets(np.array([[1.0, 0.0], [0.0, 1.0]]), 2, "mine")
    with pytest.raises(DataError, match="^loss cross_entropy: each row of targets must be one-hot"):
        ce.check_targets(np.array([[1.0, 1.0], [0.0, 1.0]]), 2, "mine")


@pytest.mark.parametrize("loss, activation, fits", [
    ("cross_entropy", "softmax", True), ("cross_entropy", "identity", True), ("cross_entropy", "sigmoid", False),
    ("bce", "sigmoid", True), ("bce", "identity", True), ("bce", "tanh", False), ("focal", "relu", False),
    ("mse", "sigmoid", True), ("mse", "tanh", True), ("mse", "softmax", False)])
def test_each_loss_says_which_output_activation_suits_it_on_zero_one_targets(loss, activation, fits):
    from nnviz.core.activations import make_activation

    assert make_loss(loss).fits_output(make_activation(activation), np.array([[0.0], [1.0]])) is fits


def test_a_bounded_output_must_reach_regression_targets():
    from nnviz.core.activations import make_activation

    mse, y = make_loss("mse"), np.array([[-1.2], [1.1]])
    assert not mse.fits_output(make_activation("sigmoid"), y) and not mse.fits_output(make_activation("tanh"), y)
    assert mse.fits_output(make_activation("identity"), y)


# -- the data's kind and the setup that fits it ---------------------------------------------------
def test_built_in_data_sets_and_imported_rows_have_the_kind_their_rows_show():
    for name, spec in DATASETS.items():
        assert kind_of(make_dataset(name)) == spec.kind, name
    assert kind_of(_three_classes()) == "multiclass"
    assert set(PROBLEMS) == {"regression", "binary", "multiclass"}


@pytest.mark.parametrize("kind, targets, loss", [
    ("regression", [[-3.0], [2.5]], "mse"), ("binary", [[0.0], [1.0]], "bce"),
    ("multiclass", [[0.0], [2.0]], "cross_entropy"), ("binary", [[-1.0], [1.0]], "mse")])
def test_the_fitting_loss_of_a_kind_falls_back_on_the_regression_loss(kind, targets, loss):
    assert fitting_loss(kind, np.array(targets), "mine").name == loss


def test_switching_to_regression_data_sets_mse_and_identity_and_says_so():
    exp = _experiment("circle")
    assert exp.note == "" and _setup(exp) == ("bce", "sigmoid", 1)
    note = exp.set_data(replace(exp.data, dataset="plane"))
    assert note == "plane is a regression data set: loss set to mse, output activation set to identity"
    assert _setup(exp) == ("mse", "identity", 1)
    assert exp.document["loss"] == "mse" and exp.document["layers"][-1]["activation"] == "identity"
    first = exp.snapshot().train_loss
    exp.run(300)
    snap = exp.snapshot()
    assert 0 <= snap.train_loss < first / 10 and snap.train_accuracy is None and snap.test_accuracy is None


def test_switching_back_to_classification_restores_the_setup_the_app_had_set():
    exp = _experiment("circle")
    exp.set_data(replace(exp.data, dataset="plane"))
    note = exp.set_data(replace(exp.data, dataset="circle"))
    assert note == "circle is a binary classification data set: loss set to bce, output activation set to sigmoid"
    assert _setup(exp) == ("bce", "sigmoid", 1)
    assert exp.set_data(replace(exp.data, noise=0.1)) == ""  # nothing to set


def test_a_classification_loss_gives_way_on_regression_data_even_where_its_targets_would_fit():
    exp = _experiment("circle")
    note = exp.set_data(replace(exp.data, dataset="square"))  # targets x² lie in [0, 1], yet they are values
    assert note == "square is a regression data set: loss set to mse, output activation set to identity"
    assert exp.set_training(loss="bce") == ""  # a person may still choose it: it can fit them
    assert _setup(exp) == ("bce", "identity", 1)


def test_a_loss_the_person_chose_stays_while_the_data_keep_their_kind():
    exp = _experiment("circle", "mse")
    assert exp.set_data(replace(exp.data, dataset="xor2d")) == ""
    assert _setup(exp) == ("mse", "sigmoid", 1)  # MSE on binary data is allowed
    assert exp.set_data(replace(exp.data, dataset="spiral")) == ""
    assert _setup(exp) == ("mse", "sigmoid", 1)
    note = exp.set_data(replace(exp.data, dataset="plane"))  # another kind: regression's setup
    assert note == "plane is a regression data set: output activation set to identity"
    assert _setup(exp) == ("mse", "identity", 1)


def test_data_of_another_kind_bring_their_setup_though_the_chosen_loss_would_fit():
    exp = _experiment("plane", "mae")
    assert exp.set_data(replace(exp.data, dataset="multigauss")) == ""  # regression still: MAE stays
    assert _setup(exp) == ("mae", "identity", 1)
    note = exp.set_data(replace(exp.data, dataset="circle"))  # MAE fits 0/1 labels, but they are classes
    assert note == "circle is a binary classification data set: loss set to bce, output activation set to sigmoid"
    assert _setup(exp) == ("bce", "sigmoid", 1)


def test_a_loss_the_app_set_gives_way_to_the_fitting_one_within_a_kind():
    plus_minus = Dataset(np.array([[-1.0, 0.0], [1.0, 0.0]] * 5), np.array([-1.0, 1.0] * 5), "pm",
                         "classification", ("x1", "x2"), ("y",))
    exp = _experiment("circle")
    note = exp.set_data(DataConfig(dataset="pm", imported=plus_minus))  # binary, but BCE cannot take -1
    assert note == "pm is a binary classification data set: loss set to mse, output activation set to identity"
    note = exp.set_data(DataConfig(dataset="circle"))
    assert note == "circle is a binary classification data set: loss set to bce, output activation set to sigmoid"


def test_imported_classes_bring_cross_entropy_softmax_and_one_output_per_class():
    exp = _experiment("circle")
    note = exp.set_data(DataConfig(dataset="sectors", imported=_three_classes(), test_fraction=0.25))
    assert note == ("sectors is a multiclass classification (3 classes) data set: loss set to cross_entropy, "
                    "output activation set to softmax, output layer set to 3 units")
    assert _setup(exp) == ("cross_entropy", "softmax", 3)


def test_planar_multiclass_data_train_with_cross_entropy_and_keep_the_decision_surface():
    exp = Experiment(data=DataConfig(dataset="sectors", imported=_three_classes(120), test_fraction=0.25))
    assert _setup(exp) == ("cross_entropy", "softmax", 3) and exp.note.startswith("sectors is a multiclass")
    exp.set_training(optimizer={"name": "adam", "lr": 0.05})
    first = exp.snapshot().train_loss
    exp.run(400)
    snap = exp.snapshot()
    assert snap.train_loss < first / 4 and snap.train_accuracy > 0.9
    assert snap.confusion.shape == (3, 3) and snap.confusion.sum() == 30
    assert snap.surface is not None and snap.node_maps[-1].shape[0] == 3  # every class's map over the plane


def test_changing_the_loss_brings_the_output_it_needs_and_says_so():
    exp = _experiment("circle")
    note = exp.set_training(loss="cross_entropy")
    assert note == "loss cross_entropy: output activation set to softmax, output layer set to 2 units"
    assert _setup(exp) == ("cross_entropy", "softmax", 2)
    exp.run(50)
    assert exp.set_training(loss="bce") == ("loss bce: output activation set to sigmoid, output layer set to 1 unit; "
                                            "the network starts again from its seed")
    assert exp.set_training(loss="mse") == ""  # a sigmoid suits MSE on 0/1 labels
    assert _setup(exp) == ("mse", "sigmoid", 1)


def _trained_on_circle(loss: str, steps: int = 50) -> Experiment:
    exp = _experiment("circle", loss)
    exp.run(steps)
    exp.record_evaluation()
    return exp


def test_a_loss_that_needs_a_new_output_width_starts_the_run_again_and_says_so():
    exp = _trained_on_circle("cross_entropy")
    assert exp.step == 50 and len(exp.snapshot().history["step"]) == 50
    note = exp.set_training(loss="bce")
    assert note.endswith("; the network starts again from its seed")
    snap = exp.snapshot()
    assert exp.step == 0 and snap.step == 0 and exp.trainer.epoch_count == 0 and exp.net.samples_seen == 0
    assert len(snap.history["step"]) == 0 and len(snap.history["loss"]) == 0
    assert list(snap.history["eval_step"]) == [0]  # the new run's first point only
    np.testing.assert_array_equal(exp.net.flat_params, _experiment("circle").net.flat_params)  # from its seed


def test_a_loss_that_keeps_the_output_width_keeps_the_weights_and_the_run():
    exp = _trained_on_circle("bce")
    weights, run = exp.net.flat_params.copy(), exp.snapshot().run
    assert exp.set_training(loss="mse") == ""  # the same single sigmoid output
    np.testing.assert_array_equal(exp.net.flat_params, weights)
    assert exp.step == 50 and len(exp.snapshot().history["step"]) == 50 and exp.snapshot().run == run
    exp.run(5)
    assert exp.step == 55


@pytest.mark.parametrize("first, second", [("cross_entropy", "bce"), ("bce", "cross_entropy"), ("bce", "mse"),
                                           ("bce", "focal"), ("cross_entropy", "mse")])
def test_a_change_of_loss_either_goes_on_with_the_weights_or_starts_again_visibly(first, second):
    exp = _trained_on_circle(first)
    weights = exp.net.flat_params.copy()
    note = exp.set_training(loss=second)
    if exp.step == 50:
        np.testing.assert_array_equal(exp.net.flat_params, weights)
        assert "starts again" not in note
    else:
        assert exp.step == 0 and len(exp.snapshot().history["step"]) == 0 and "starts again from its seed" in note


def test_accuracy_with_a_single_value_output_on_zero_one_labels_is_against_one_half():
    exp = _experiment("circle", "mse")
    exp.set_layers([{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dense", "units": 1}])
    exp.run(400)
    out = exp.net.predict(exp.X)
    expected = np.mean((out[:, 0] > 0.5) == (exp.y[:, 0] > 0.5))
    assert exp.snapshot().train_accuracy == pytest.approx(expected) and expected > 0.8


def _plus_minus(n: int = 80) -> Dataset:
    """Planar points labelled by the sign of x1 with -1/+1, many of them near the boundary."""
    X = np.random.default_rng(4).uniform(-1, 1, (n, 2))
    return Dataset(X, np.where(X[:, 0] > 0, 1.0, -1.0), "pm", "classification", ("x1", "x2"), ("y",))


def test_accuracy_on_minus_one_plus_one_labels_is_against_their_midpoint_zero():
    exp = Experiment(data=DataConfig(dataset="pm", imported=_plus_minus(), test_fraction=0.25))
    assert _setup(exp) == ("mse", "identity", 1)
    exp.set_layers([{"type": "dense", "units": 1}])
    exp.net.get("layers[0].weight")[:] = [[0.3, 0.0]]  # out = 0.3·x1: the sign of x1, never above 0.5
    exp.net.get("layers[0].bias")[:] = 0.0
    snap = exp.snapshot()
    assert snap.train_accuracy == 1.0 and snap.test_accuracy == 1.0
    assert snap.confusion.trace() == snap.confusion.sum() == 20
    positive = exp.y[:, 0] > 0  # one class alone: still against the whole data's midpoint
    assert exp.accuracy(exp.net.predict(exp.X[positive]), exp.y[positive]) == 1.0
    # the snapshot carries the cut the accuracy counts with, for the decision surface to draw
    assert snap.decision_threshold == 0.0 and snap.label_midpoint == 0.0


def test_a_logit_output_is_cut_at_zero_and_a_sigmoid_at_the_labels_midpoint():
    exp = _experiment("circle", "bce")
    assert exp.snapshot().decision_threshold == 0.5 and exp.snapshot().label_midpoint == 0.5
    exp.set_layers([{"type": "dense", "units": 4, "activation": "tanh"},
                    {"type": "dense", "units": 1, "activation": "identity"}])  # bce on logits
    assert exp.snapshot().decision_threshold == 0.0


def test_minus_one_plus_one_labels_train_to_full_accuracy():
    exp = Experiment(data=DataConfig(dataset="pm", imported=_plus_minus(), test_fraction=0.25))
    exp.set_training(optimizer={"name": "adam", "lr": 0.05})
    exp.run(300)
    snap = exp.snapshot()
    assert snap.train_accuracy >= 0.95 and snap.test_accuracy >= 0.9


def _ten_classes() -> Dataset:
    X = np.random.default_rng(5).normal(size=(100, 2))
    return Dataset(X, np.arange(100) % 10, "ten", "classification", ("x1", "x2"), ("label",))


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_one_output_cannot_tell_ten_classes_apart_so_no_accuracy_is_given(loss):
    exp = Experiment(data=DataConfig(dataset="ten", imported=_ten_classes()))
    assert exp.scored and exp.snapshot().train_accuracy is not None  # cross-entropy, ten outputs
    exp.set_training(loss=loss)
    assert exp.net.outputs == 1 and not exp.scored
    exp.run(20)
    snap = exp.snapshot()
    assert snap.train_accuracy is None and snap.test_accuracy is None
    assert math.isnan(snap.history["train_accuracy"][-1])
    assert snap.confusion is None and snap.decision_threshold is None  # no two-class picture of ten classes


def test_a_one_output_network_given_ten_classes_by_a_document_gets_no_accuracy():
    doc = {"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1}], "loss": "mse"}
    exp = Experiment(doc, DataConfig(dataset="ten", imported=_ten_classes()), fit_model=False)
    exp.run(5)
    assert exp.snapshot().train_accuracy is None


def test_no_accuracy_beside_a_loss_that_is_not_a_number():
    exp = _experiment("circle", "mse")
    exp.set_layers([{"type": "dense", "units": 4, "activation": "relu"}, {"type": "dense", "units": 1}])
    exp.set_training(lr=1e3)
    exp.run(200)
    snap = exp.snapshot()
    assert exp.diverged and not math.isfinite(snap.train_loss)
    assert snap.train_accuracy is None and snap.test_accuracy is None


def test_a_document_that_does_not_fit_its_data_is_fitted_as_it_loads():
    doc = {**default_document(), "data": {"dataset": "plane"}}
    exp = Experiment(doc)
    assert _setup(exp) == ("mse", "identity", 1)
    assert exp.note == "plane is a regression data set: loss set to mse, output activation set to identity"
    assert Experiment().load_document(doc) == exp.note
    with pytest.raises(DataError, match="^loss bce: targets must lie in"):
        Experiment(doc, fit_model=True, fit_loss=False)
    with pytest.raises(DataError, match="^loss bce: targets must lie in"):
        Experiment(doc, fit_model=False)


# -- tiny data --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [name for name, spec in DATASETS.items() if spec.tiny])
def test_truth_tables_train_and_evaluate_on_every_row(name):
    exp = _experiment(name, test_fraction=0.5)
    assert exp.raw_test is None and len(exp.X) == 4 and exp.data.test_fraction == 0.5
    assert exp.unsplit_reason == f"{name} is a truth table: it trains and is evaluated on all 4 rows"
    exp.set_data(replace(exp.data, dataset="circle"))  # the fraction applies again to bigger data
    assert len(exp.raw_test) == 250 and exp.unsplit_reason == ""


def test_data_of_fewer_than_ten_rows_are_not_split():
    assert MIN_SPLIT_ROWS == 10
    rows = _three_classes(MIN_SPLIT_ROWS)
    few = replace(rows, X=rows.X[:9], y=rows.y[:9])
    exp = Experiment(data=DataConfig(dataset="few", imported=few, test_fraction=0.3))
    assert exp.raw_test is None and len(exp.X) == 9
    assert exp.unsplit_reason == "sectors has only 9 rows (fewer than 10): it trains and is evaluated on all of them"
    exp.set_data(DataConfig(dataset="ten", imported=rows, test_fraction=0.3))
    assert len(exp.raw_test) == 3 and len(exp.X) == 7


def test_xor_learns_all_four_points():
    exp = _experiment("xor", test_fraction=0.5, batch_size=None)
    exp.set_training(lr=0.5)
    exp.run(3000)
    snap = exp.snapshot()
    assert snap.train_accuracy == 1.0 and snap.test_accuracy is None and snap.train_loss < 0.01


# -- divergence -------------------------------------------------------------------------------------
def _diverged_plane() -> Experiment:
    exp = _experiment("plane")
    exp.set_training(lr=100)
    exp.run(200)
    assert exp.diverged and not np.isfinite(exp.net.flat_params).all()
    return exp


def test_a_diverged_run_takes_every_setting_and_stays_diverged_until_reset():
    exp = _diverged_plane()
    assert exp.set_training(lr=0.03) == ""
    assert exp.set_training(optimizer={"name": "adam", "lr": 0.01}) == ""
    assert exp.set_training(loss="huber", regularization={"l2": 0.001}, clip_grad_norm=1.0) == ""
    assert exp.set_training(schedule={"name": "step", "step_size": 100, "gamma": 0.5}) == ""
    assert exp.diverged and not np.isfinite(exp.net.flat_params).all()
    assert (exp.net.optimizer.name, exp.net.lr, exp.net.loss.name) == ("adam", 0.01, "huber")
    exp.reset()
    assert not exp.diverged and np.isfinite(exp.net.flat_params).all()
    assert (exp.net.optimizer.name, exp.net.lr, exp.net.loss.name) == ("adam", 0.01, "huber")


def test_after_divergence_a_smaller_rate_and_reset_train_as_a_fresh_run_bit_for_bit():
    exp = _diverged_plane()
    exp.set_training(lr=0.03)
    exp.reset()
    assert exp.net.lr == 0.03 and exp.step == 0
    losses = [exp.run(1) for _ in range(300)]
    assert all(math.isfinite(v) for v in losses) and np.mean(losses[-20:]) < np.mean(losses[:20]) / 5
    fresh = _experiment("plane")
    fresh.set_training(lr=0.03)
    fresh_losses = [fresh.run(1) for _ in range(300)]
    assert losses == fresh_losses
    np.testing.assert_array_equal(exp.net.flat_params, fresh.net.flat_params)


def test_a_diverged_run_takes_new_data_and_layers_with_new_weights():
    exp = _diverged_plane()
    exp.set_layers([{"type": "dense", "units": 3, "activation": "tanh"}, {"type": "dense", "units": 1}])
    assert not exp.diverged and np.isfinite(exp.net.flat_params).all()
    exp = _diverged_plane()
    exp.set_data(replace(exp.data, dataset="multigauss"))
    assert not exp.diverged and np.isfinite(exp.net.flat_params).all() and exp.net.lr == 100


def _overflowing_perceptron() -> Experiment:
    """The perceptron rule at rate 1e308: its second update overflows the weights, while its loss,
    that of step outputs (0 or 1), stays finite however large they are."""
    doc = {"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1, "activation": "step"}],
           "loss": "mse", "optimizer": {"name": "perceptron", "lr": 1e308}}
    return Experiment(doc, DataConfig(dataset="and", batch_size=1, shuffle=False))


@pytest.mark.parametrize("run", [lambda e: e.run(20), lambda e: e.run_fast(20),
                                 lambda e: [e.run_epoch() for _ in range(5)]], ids=["run", "run_fast", "run_epoch"])
def test_non_finite_weights_beside_a_finite_loss_are_divergence(run):
    exp = _overflowing_perceptron()
    run(exp)
    assert exp.diverged and not np.isfinite(exp.net.flat_params).all()


def test_a_run_stops_at_the_step_whose_weights_overflow_though_its_loss_is_finite():
    exp = _overflowing_perceptron()
    loss = exp.run(20)
    assert exp.diverged and math.isfinite(loss) and exp.step < 20
    assert all(math.isfinite(v) for v in exp.trainer.history["loss"])


# -- the seed ---------------------------------------------------------------------------------------
def test_a_new_seed_applies_at_once_at_step_zero_and_on_reset_later():
    exp = _experiment("circle")
    exp.set_training(seed=7)
    seven = Experiment({**default_document(), "seed": 7})
    np.testing.assert_array_equal(exp.net.flat_params, seven.net.flat_params)
    exp.run(3)
    trained = exp.net.flat_params.copy()
    exp.set_training(seed=8)
    np.testing.assert_array_equal(exp.net.flat_params, trained)  # training has begun: kept until Reset
    exp.reset()
    np.testing.assert_array_equal(exp.net.flat_params, Experiment({**default_document(), "seed": 8}).net.flat_params)


def test_a_seed_after_training_waits_for_reset_and_says_so():
    exp = _experiment("circle")
    assert exp.set_training(seed=3) == ""  # step 0: applied at once, nothing to say
    exp.run(5)
    weights = exp.net.flat_params.copy()
    note = exp.set_training(seed=4)
    assert "Reset draws new ones from this seed" in note and (exp.net.flat_params == weights).all()


def test_new_layers_say_the_run_starts_again_only_when_something_was_trained():
    exp = _experiment("circle")
    layers = [{"type": "dense", "units": 3, "activation": "tanh"},
              {"type": "dense", "units": 1, "activation": "sigmoid"}]
    assert exp.set_layers(layers) == ""
    exp.run(5)
    assert "starts again" in exp.set_layers(layers) and exp.step == 0
