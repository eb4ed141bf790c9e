"""Faults in the engine's numerics: float32 end to end, rates that overflow, divergence with a finite
loss, wide networks in bounded memory, bad arguments answered in one line, and no NumPy warnings."""

from __future__ import annotations

import math
import tracemalloc
import warnings

import numpy as np
import pytest

from nnviz.core import Trainer, load_model
from nnviz.core import experiment as experiment_module
from nnviz.core.data import Dataset
from nnviz.core.errors import MAX_STEPS, CommandError, LimitError, NnvizError
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.gradcheck import DISAGREES, verdict, worst
from nnviz.core.schedules import SCHEDULES
from nnviz.core.stats import gradient_stats, update_ratio
from nnviz.core.walkthrough import walk_next_step


def _document(**changes) -> dict:
    return {**default_document(), **changes}


# -- float32 end to end -----------------------------------------------------------------------------
#: one model per kind of layer that keeps batch arrays (norms, gates, dropout, a learnt activation)
LAYER_KINDS = {
    "dense": [{"type": "dense", "units": 4, "activation": "tanh"}],
    "batchnorm": [{"type": "dense", "units": 4}, {"type": "batchnorm"},
                  {"type": "dense", "units": 3, "activation": "relu"}],
    "layernorm": [{"type": "dense", "units": 4}, {"type": "layernorm", "activation": "gelu"}],
    "rmsnorm": [{"type": "dense", "units": 4}, {"type": "rmsnorm", "activation": "swish"}],
    "glu": [{"type": "glu", "units": 4, "variant": "swiglu"}],
    "dropout": [{"type": "dense", "units": 4, "activation": "relu"}, {"type": "dropout", "p": 0.25}],
    "prelu": [{"type": "dense", "units": 4, "activation": "prelu"}],
}


def _float32(hidden: list[dict], **changes) -> dict:
    layers = [*hidden, {"type": "dense", "units": 1, "activation": "sigmoid"}]
    return _document(layers=layers, dtype="float32", **changes)


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_a_float32_model_trains_snapshots_and_walks_through_in_float32(kind):
    exp = Experiment(_float32(LAYER_KINDS[kind], optimizer={"name": "adam", "lr": 0.01}))
    exp.run(5)
    snap = exp.snapshot()
    arrays = {"surface": snap.surface, "predictions": snap.predictions, "confidence": snap.surface_confidence,
              **{f"params {k}": v for k, v in snap.params.items()}, **{f"grads {k}": v for k, v in snap.grads.items()},
              **{f"node map {i}": m for i, m in enumerate(snap.node_maps)},
              **{f"layer {v.index} {name}": getattr(v, name) for v in snap.layers for name in ("a", "z", "dz")}}
    wrong = {name: a.dtype for name, a in arrays.items() if a is not None and a.dtype != np.float32}
    assert not wrong
    assert math.isfinite(snap.train_loss) and math.isfinite(snap.test_loss) and not snap.diverged
    assert snap.health and snap.health_verdict.state != "not_finite"
    # the gradients are checked on a float64 copy: float32 would round differences of ε = 1e-6 away
    # (and call every backward pass wrong); a bias before a norm may still read "check", as in float64
    checks = snap.gradient_check.run(snap.params)
    assert checks and verdict(worst(checks).relative_error) != DISAGREES, worst(checks)
    state = walk_next_step(exp.net, exp.trainer)
    assert verdict(worst(state.checks).relative_error) != DISAGREES and "in float64" in state.check_note
    walk = state.walkthrough
    assert walk.trace.x.dtype == np.float32
    for i in range(len(walk)):
        walk.calculation(i)
        walk.calculation(i, sample=None)


def test_a_float32_experiment_trains_as_a_float32_trainer_bit_for_bit():
    doc = _float32(LAYER_KINDS["batchnorm"], optimizer={"name": "adam", "lr": 0.01})
    exp = Experiment(doc)
    net = load_model(doc)
    trainer = Trainer(net, exp.X, exp.y, batch_size=10, shuffle=True, seed=0)
    assert exp.trainer.X.dtype == np.float32 and trainer.X.dtype == np.float32
    for _ in range(4):  # snapshots between steps read the network without changing it
        exp.run(15)
        exp.snapshot()
        exp.record_evaluation()
    trainer.run(60)
    np.testing.assert_array_equal(exp.net.flat_params, net.flat_params)
    for term, flat in net.optimizer.state.items():
        np.testing.assert_array_equal(exp.net.optimizer.state[term], flat)
    np.testing.assert_array_equal(exp.trainer.history["loss"], trainer.history["loss"])


def test_a_float32_snapshot_evaluates_the_rows_the_float32_network_reads():
    exp = Experiment(_float32(LAYER_KINDS["dense"]))
    exp.run(10)
    snap = exp.snapshot()
    rows32 = exp.X.astype(np.float32)
    assert snap.train_loss == exp.net.evaluate(rows32, exp.y)
    np.testing.assert_array_equal(snap.layers[-1].a, exp.net.predict(rows32[:len(snap.layers[-1].a)]))


def test_data_beyond_float32_are_refused_in_one_line_without_a_warning():
    rows = _classes()
    big = Dataset(rows.X * np.array([1e39, 1.0]), rows.y, "huge", "classification", ("x1", "x2"), ("label",))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NnvizError, match="inputs: a value is too large for float32"):
            Experiment(_float32(LAYER_KINDS["dense"]), DataConfig(dataset="huge", imported=big, test_fraction=0.0))
        Experiment(_document(), DataConfig(dataset="huge", imported=big, test_fraction=0.0))  # float64 holds them


# -- learning rates never raise -----------------------------------------------------------------------
STEPS = [0, 1, 2, 9, 10, 11, 99, 100, 1000, 10**6, MAX_STEPS, 10**15]


@pytest.mark.parametrize("base", [1e-300, 1e-3, 1.0, 1e300, 1.7e308])
@pytest.mark.parametrize("spec", [{"name": "constant"}, {"name": "step", "step_size": 1, "gamma": 10.0},
                                  {"name": "step", "step_size": 3, "gamma": 1e300},
                                  {"name": "step", "step_size": 1, "gamma": 1e-300},
                                  {"name": "cosine", "t_max": 7, "eta_min": 1e308},
                                  {"name": "cosine", "t_max": 10, "eta_min": 0.0, "warmup": 10**300}],
                         ids=["constant", "growing", "leaping", "shrinking", "cosine-up", "warmup-huge"])
@pytest.mark.parametrize("warmup", [0, 10])
def test_every_schedule_gives_a_rate_at_every_step_without_raising(base, spec, warmup):
    spec = dict(spec)
    name = spec.pop("name")
    spec.setdefault("warmup", warmup)
    schedule = SCHEDULES[name](base, **spec)
    for t in STEPS:
        lr = schedule.lr(t)
        assert isinstance(lr, float) and not math.isnan(lr) and lr >= 0.0


def test_a_growing_step_schedule_saturates_to_inf_and_only_past_the_float_range():
    schedule = SCHEDULES["step"](1e-300, step_size=1, gamma=10.0)
    assert schedule.lr(3) == 1e-300 * 10.0 ** 3  # the closed form, as before
    assert schedule.lr(350) == pytest.approx(1e50, rel=1e-12)  # 10 ** 350 overflows; the rate does not
    assert schedule.lr(700) == math.inf
    shrinking = SCHEDULES["step"](1e300, step_size=1, gamma=0.1)
    assert shrinking.lr(400) == pytest.approx(1e-100, rel=1e-12)  # 0.1 ** 400 underflows; the rate does not
    assert shrinking.lr(10**9) == 0.0


def test_a_warm_up_and_a_cosine_of_the_largest_rates_stay_below_them():
    warm = SCHEDULES["constant"](1.7e308, warmup=100)
    assert [warm.lr(t) for t in (9, 99)] == pytest.approx([1.7e307, 1.7e308], rel=1e-15)
    cosine = SCHEDULES["cosine"](1.7e308, t_max=10, eta_min=0.0)
    assert cosine.lr(0) == 1.7e308 and 0.0 < cosine.lr(5) < 1.7e308


def test_a_run_on_a_growing_schedule_diverges_on_its_rate_instead_of_raising():
    exp = Experiment(_document(schedule={"name": "step", "step_size": 1, "gamma": 1e10}))
    exp.run(200)
    assert exp.diverged and exp.step < 200
    assert exp.divergence in ("the learning rate", "the parameters", "the loss")
    assert math.isinf(exp.net.lr)
    exp.snapshot()  # the snapshot reads the rate too
    exp.reset()
    assert not exp.diverged and exp.divergence == "" and exp.net.lr == 0.03


# -- divergence with a finite loss ------------------------------------------------------------------
def _exploding_adam() -> Experiment:
    """Adam under MAE on an identity output whose weight is 1e160: the earlier layers' gradients
    (about 1e158) square to infinity in Adam's second moment, so their updates are 0/inf = 0 and
    the weights stay finite; the loss, |1e160 a - y|, stays finite too. The run is stuck for good."""
    doc = _document(loss="mae", optimizer={"name": "adam", "lr": 0.01})
    doc["layers"][-1]["activation"] = "identity"
    exp = Experiment(doc)
    exp.set_parameter("layers[2].weight", (0, 0), 1e160)
    return exp


def test_optimizer_state_that_overflows_beside_finite_weights_and_loss_is_divergence():
    exp = _exploding_adam()
    loss = exp.run(5)
    assert math.isfinite(loss) and np.isfinite(exp.net.flat_params).all()
    assert not np.isfinite(exp.net.optimizer.state["exp_avg_sq"]).all()
    assert exp.diverged and exp.divergence == "the optimizer state" and exp.step == 1


@pytest.mark.parametrize("run", [lambda e: e.run(5), lambda e: e.run_fast(5), lambda e: e.run_epoch()],
                         ids=["run", "run_fast", "run_epoch"])
def test_every_way_of_running_finds_the_divergence(run):
    exp = _exploding_adam()
    run(exp)
    assert exp.diverged and exp.divergence == "the optimizer state"


def test_the_perceptron_at_rate_1e308_diverges_on_its_weights():
    doc = {"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1, "activation": "step"}],
           "loss": "mse", "optimizer": {"name": "perceptron", "lr": 1e308}}
    exp = Experiment(doc, DataConfig(dataset="circle", batch_size=10))
    loss = exp.run(50)
    assert math.isfinite(loss) and exp.diverged and exp.divergence == "the parameters"


def test_running_statistics_that_overflow_are_divergence():
    exp = Experiment(_float32(LAYER_KINDS["batchnorm"]))
    exp.net.get("layers[1].running_var")[0] = np.inf
    exp.run_fast(1)
    assert exp.diverged and exp.divergence == "the running statistics"


def test_a_diverged_run_keeps_its_numbers_and_state_through_a_change_of_settings():
    exp = _exploding_adam()
    exp.run(3)
    params, v, t = exp.net.flat_params.copy(), exp.net.optimizer.state["exp_avg_sq"].copy(), exp.net.optimizer.t
    assert exp.set_training(clip_grad_norm=1.0) == ""  # the non-finite state would fail validation
    np.testing.assert_array_equal(exp.net.flat_params, params)
    np.testing.assert_array_equal(exp.net.optimizer.state["exp_avg_sq"], v)
    assert exp.net.optimizer.t == t and exp.diverged and exp.divergence == "the optimizer state"


@pytest.mark.parametrize("option", [{"name": "sgd", "momentum": 0.9}, {"name": "rmsprop", "centered": True},
                                    {"name": "adam", "amsgrad": True}], ids=["momentum", "centered", "amsgrad"])
def test_an_option_that_brings_a_state_term_applies_to_a_trained_run(option):
    exp = Experiment(_document(optimizer={"name": option["name"], "lr": 0.01}))
    exp.run(5)
    params, before = exp.net.flat_params.copy(), dict(exp.net.optimizer.state)
    assert exp.set_training(optimizer=option) == ""
    np.testing.assert_array_equal(exp.net.flat_params, params)
    assert exp.net.optimizer.t == 5 and set(exp.net.optimizer.state) > set(before)
    for term, flat in before.items():  # the terms it had stay as they were
        np.testing.assert_array_equal(exp.net.optimizer.state[term], flat)
    exp.run(3)
    assert exp.step == 8 and not exp.diverged


def test_health_of_huge_and_tiny_finite_numbers_is_a_number_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # the ratio 1e310 is beyond the float range, its logarithm is not; a spread beyond it is no number
        assert update_ratio(np.array([1e150, -1e150]), np.array([1e-160, -1e-160])) == pytest.approx(310.0)
        assert math.isnan(update_ratio(np.array([1.0, -1.0]), np.array([1e300, -1e300])))
        assert update_ratio(np.array([1e300, -1e300]), np.array([1.0, -1.0])) == math.inf
        stats = gradient_stats(np.array([1e200, -1e200]))
        assert (stats.norm, stats.max_abs) == (math.inf, 1e200)  # the norm itself is past the range


# -- wide networks in bounded memory ----------------------------------------------------------------
def _classes(n: int = 90) -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, (n, 2))
    y = np.floor((np.arctan2(X[:, 1], X[:, 0]) + np.pi) / (2 * np.pi / 3)) % 3
    return Dataset(X, y, "sectors", "classification", ("x1", "x2"), ("label",))


def _snapshot_arrays(snap) -> dict:
    return {"surface": snap.surface, "classes": snap.surface_classes, "confidence": snap.surface_confidence,
            "predictions": snap.predictions, **{f"node map {i}": m for i, m in enumerate(snap.node_maps)},
            "losses": np.array([snap.train_loss, snap.test_loss, snap.train_accuracy, snap.test_accuracy])}


@pytest.mark.parametrize(("dtype", "rtol"), [("float64", 1e-13), ("float32", 1e-5)])
def test_the_plane_and_the_rows_evaluated_a_chunk_at_a_time_give_the_same_numbers(monkeypatch, dtype, rtol):
    # the same arithmetic row by row; BLAS may round a product of fewer rows differently in the last bit
    layers = [{"type": "dense", "units": 6, "activation": "tanh"}, {"type": "batchnorm"},
              {"type": "dense", "units": 3, "activation": "softmax"}]
    doc = _document(layers=layers, loss="cross_entropy", dtype=dtype)
    data = DataConfig(dataset="sectors", imported=_classes(), test_fraction=0.3)
    whole, chunked = Experiment(doc, data), Experiment(doc, data)
    whole.run(20)
    chunked.run(20)
    assert experiment_module._chunk_rows(whole.net) > 6241  # a small network: the plane in one pass
    monkeypatch.setattr(experiment_module, "CHUNK_BYTES", 1000)  # a few rows a chunk
    assert experiment_module._chunk_rows(chunked.net) < 10
    chunks = _snapshot_arrays(chunked.snapshot())
    monkeypatch.undo()
    for name, array in _snapshot_arrays(whole.snapshot()).items():
        assert chunks[name].shape == array.shape and chunks[name].dtype == array.dtype
        np.testing.assert_allclose(chunks[name], array, rtol=rtol, atol=0, err_msg=name)


def test_a_wide_networks_snapshot_takes_bounded_memory():
    # 2-20000-1: one pass over the 6241 points of the plane held several 1 GB arrays at once
    layers = [{"type": "dense", "units": 20_000, "activation": "tanh"},
              {"type": "dense", "units": 1, "activation": "sigmoid"}]
    exp = Experiment(_document(layers=layers))
    exp.run(1)
    tracemalloc.start()
    try:
        snap = exp.snapshot()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
    assert [m is None for m in snap.node_maps] == [False, True, False]  # no heatmaps for 20,000 units
    assert 0 < len(snap.layers[0].a) < experiment_module.PROBE  # fewer probe rows, each one whole
    x0, x1, y0, y1 = snap.grid_extent
    corners = exp.net.predict(np.array([[x0, y0], [x1, y1]]))[:, 0]
    np.testing.assert_allclose([snap.surface[0, 0], snap.surface[-1, -1]], corners, rtol=1e-12)
    np.testing.assert_allclose(snap.layers[-1].a, exp.net.predict(exp.X[:len(snap.layers[-1].a)]), rtol=1e-12)


def test_heatmaps_stop_at_the_widest_column_the_core_keeps_them_for():
    width = experiment_module.HEATMAP_UNITS
    layers = [{"type": "dense", "units": width, "activation": "tanh"}, {"type": "dense", "units": width + 1},
              {"type": "dense", "units": 1, "activation": "sigmoid"}]
    snap = Experiment(_document(layers=layers)).snapshot()
    assert [None if m is None else m.shape[0] for m in snap.node_maps] == [2, width, None, 1]
    assert len(snap.layers[0].a) == experiment_module.PROBE  # a network this narrow keeps every probe row


# -- bad arguments: one line, the project's own errors ----------------------------------------------
NAN, INF = math.nan, math.inf
BAD_CALLS = [
    ("run", ("10",)), ("run", (-1,)), ("run", (2.5,)), ("run", (NAN,)), ("run", (True,)), ("run", (None,)),
    ("run", (MAX_STEPS + 1,)), ("run_fast", (-3,)), ("run_fast", ("x",)), ("run_evaluated", (10, 0)),
    ("run_evaluated", (10, NAN)), ("run_evaluated", (-1, 5)),
    ("set_layers", ([],)), ("set_layers", (None,)), ("set_layers", ("dense",)), ("set_layers", ([1, 2],)),
    ("set_layers", ([{}],)), ("set_layers", ([{"type": "nope", "units": 2}],)),
    ("set_layers", ([{"type": "dense", "units": -4}, {"type": "dense", "units": 1}],)),
    ("set_layers", ([{"type": "dense", "units": NAN}, {"type": "dense", "units": 1}],)),
    ("set_layers", ([{"type": "dense", "units": 10**6}] * 2 + [{"type": "dense", "units": 1}],)),  # too large
    ("set_layers", ([{"type": "dense", "units": 3, "activation": 5}],)),
    ("set_training", ((), {"lr": NAN})), ("set_training", ((), {"lr": -1})), ("set_training", ((), {"lr": "fast"})),
    ("set_training", ((), {"lr": INF})), ("set_training", ((), {"optimizer": 5})),
    ("set_training", ((), {"optimizer": {"lr": 0.1}})), ("set_training", ((), {"optimizer": {"name": "nope"}})),
    ("set_training", ((), {"optimizer": {"name": "adam", "betas": [2, 3]}})),
    ("set_training", ((), {"optimizer": "sgd", "momentum": 1})), ("set_training", ((), {"loss": 5})),
    ("set_training", ((), {"loss": "nope"})), ("set_training", ((), {"loss": {"name": "huber", "delta": -1}})),
    ("set_training", ((), {"regularization": "much"})), ("set_training", ((), {"regularization": {"l2": NAN}})),
    ("set_training", ((), {"clip_grad_norm": -1.0})), ("set_training", ((), {"clip_grad_norm": "no"})),
    ("set_training", ((), {"schedule": 3})), ("set_training", ((), {"schedule": {"name": "step"}})),
    ("set_training", ((), {"schedule": {"name": "step", "step_size": 0}})),
    ("set_training", ((), {"seed": -1})), ("set_training", ((), {"seed": 1.5})), ("set_training", ((), {"seed": NAN})),
    ("set_data", (None,)), ("set_data", ("circle",)), ("set_data", (DataConfig(dataset="nope"),)),
    ("set_data", (DataConfig(dataset=5),)), ("set_data", (DataConfig(noise=NAN),)),
    ("set_data", (DataConfig(noise=-1.0),)),
    ("set_data", (DataConfig(noise="lots"),)), ("set_data", (DataConfig(n=0),)), ("set_data", (DataConfig(n=2.5),)),
    ("set_data", (DataConfig(n=10**12),)), ("set_data", (DataConfig(seed=-1),)), ("set_data", (DataConfig(seed="s"),)),
    ("set_data", (DataConfig(test_fraction=1.0),)), ("set_data", (DataConfig(test_fraction=NAN),)),
    ("set_data", (DataConfig(test_fraction="half"),)), ("set_data", (DataConfig(features=()),)),
    ("set_data", (DataConfig(features=None),)), ("set_data", (DataConfig(features=("x9",)),)),
    ("set_data", (DataConfig(batch_size=0),)), ("set_data", (DataConfig(batch_size="ten"),)),
    ("set_data", (DataConfig(batch_size=NAN),)), ("set_data", (DataConfig(imported="rows.csv"),)),
    ("set_data", (DataConfig(shuffle="yes"),)), ("set_data", (DataConfig(order_seed=-5),)),
    ("set_parameter", ("layers[0].weight", (0,), 1.0)), ("set_parameter", ("layers[0].weight", (-1, 0), 1.0)),
    ("set_parameter", ("layers[0].weight", (0, 0, 0), 1.0)), ("set_parameter", ("layers[0].weight", (9, 9), 1.0)),
    ("set_parameter", ("layers[0].weight", (0, 0.5), 1.0)), ("set_parameter", ("layers[0].weight", 0, 1.0)),
    ("set_parameter", ("layers[0].weight", None, 1.0)), ("set_parameter", ("layers[0].weight", (0, 0), NAN)),
    ("set_parameter", ("layers[0].weight", (0, 0), INF)), ("set_parameter", ("layers[0].weight", (0, 0), "1")),
    ("set_parameter", ("layers[0].weight", (0, 0), True)), ("set_parameter", ("layers[0].weight", (0, 0), None)),
    ("set_parameter", ("layers[9].weight", (0, 0), 1.0)), ("set_parameter", (None, (0, 0), 1.0)),
    ("set_parameter", (["layers[0].weight"], (0, 0), 1.0)), ("set_parameter", ("layers[0].bias", (), 1.0)),
    ("set_sample", (-1, 0, 1.0)), ("set_sample", (0, -1, 1.0)), ("set_sample", (10**9, 0, 1.0)),
    ("set_sample", (0, 9, 1.0)), ("set_sample", (0.5, 0, 1.0)), ("set_sample", ("0", 0, 1.0)),
    ("set_sample", (0, 0, NAN)), ("set_sample", (0, 0, INF)), ("set_sample", (0, 0, "1")),
    ("set_sample", (0, 0, 1e309)), ("set_sample", ((0, 0, 2.0), {"target": True})),
    ("set_sample", ((0, 0, 1.0), {"target": "yes"})),
    ("load_document", (None,)), ("load_document", ("model.json",)), ("load_document", ({},)),
    ("load_document", ({"format": "nnviz.model/1", "inputs": 2, "layers": []},)),
    ("load_document", ({"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1}],
                        "optimizer": {"name": "sgd", "lr": NAN}},)),
    ("load_document", ({"format": "nnviz.model/1", "inputs": 2, "layers": [{"type": "dense", "units": 1}]}, 5)),
    ("to_document", (5,)),
]


def _call(exp: Experiment, method: str, args: tuple):
    if len(args) == 2 and isinstance(args[1], dict) and isinstance(args[0], tuple):
        return getattr(exp, method)(*args[0], **args[1])
    return getattr(exp, method)(*args)


@pytest.fixture(scope="module")
def experiment() -> Experiment:
    return Experiment()


@pytest.mark.parametrize(("method", "args"), BAD_CALLS, ids=[f"{m}{i}" for i, (m, _) in enumerate(BAD_CALLS)])
def test_a_bad_argument_gets_one_line_of_the_projects_own_errors_and_changes_nothing(experiment, method, args):
    before = (experiment.net.flat_params.copy(), experiment.step, experiment.document_copy(), experiment.data,
              experiment.X.copy(), experiment.y.copy())
    with pytest.raises(NnvizError) as caught:
        _call(experiment, method, args)
    message = str(caught.value)
    assert message and "\n" not in message and len(message) < 400
    for raw in ("Traceback", "Error:", "list index out of range", "object has no attribute", "not supported between"):
        assert raw not in message
    after = (experiment.net.flat_params, experiment.step, experiment.document_copy(), experiment.data,
             experiment.X, experiment.y)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1:4] == before[1:4]
    np.testing.assert_array_equal(after[4], before[4])
    np.testing.assert_array_equal(after[5], before[5])


def test_after_every_refusal_the_experiment_still_trains_and_snapshots(experiment):
    for method, args in BAD_CALLS:
        with pytest.raises(NnvizError):
            _call(experiment, method, args)
    experiment.run(3)
    assert experiment.snapshot().step == experiment.step and not experiment.diverged


def test_the_messages_say_what_is_wrong():
    exp = Experiment()
    with pytest.raises(NnvizError, match="layers: expected a list of at least one layer"):
        exp.set_layers([])
    with pytest.raises(CommandError, match=r"layers\[0\]\.weight.*no such parameter entry.*4 × 2"):
        exp.set_parameter("layers[0].weight", (1,), 5.0)
    with pytest.raises(CommandError, match=r"no such parameter entry"):
        exp.set_parameter("layers[0].weight", (-1, 0), 5.0)
    with pytest.raises(CommandError, match=r"'layers\[9\]\.weight': no such parameter \(the model has layers\[0\]"):
        exp.set_parameter("layers[9].weight", (0, 0), 1.0)
    with pytest.raises(LimitError, match=f"more than nnviz takes \\(the step limit is {MAX_STEPS:,}; see Limits"):
        exp.run(MAX_STEPS + 1)
    with pytest.raises(CommandError, match="steps: expected a whole number >= 0, got -2"):
        exp.run(-2)
    assert exp.net.layers[0].weight[1, 0] != 5.0 and exp.net.layers[0].weight[3, 0] != 5.0


def test_a_good_entry_of_any_shape_is_set():
    exp = Experiment()
    exp.set_parameter("layers[0].weight", (np.int64(3), 1), np.float32(0.25))
    exp.set_parameter("layers[0].bias", [2], 7)
    assert exp.net.layers[0].weight[3, 1] == 0.25 and exp.net.layers[0].bias[2] == 7.0
    assert math.isnan(exp.run(0)) and math.isnan(exp.run_fast(0)) and exp.step == 0  # no steps: no loss
    assert not exp.diverged


def test_a_float32_model_refuses_a_value_too_large_for_it():
    exp = Experiment(_float32(LAYER_KINDS["dense"]))
    with pytest.raises(CommandError, match="too large for float32"):
        exp.set_parameter("layers[0].weight", (0, 0), 1e39)


# -- no NumPy warnings --------------------------------------------------------------------------------
def _diverging(kind: str) -> Experiment:
    if kind == "adam":
        return _exploding_adam()
    if kind == "schedule":
        return Experiment(_document(schedule={"name": "step", "step_size": 1, "gamma": 1e10}))
    doc = _document(loss="mse", optimizer={"name": "sgd", "lr": 1e6})
    doc["layers"][-1]["activation"] = "identity"
    if kind == "float32":
        doc["dtype"] = "float32"
    return Experiment(doc)


@pytest.mark.parametrize("kind", ["sgd", "float32", "adam", "schedule"])
def test_training_into_divergence_and_drawing_it_prints_no_numpy_warning(capfd, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = _diverging(kind)
        exp.run_evaluated(60, 7)
        assert exp.diverged
        exp.run_fast(20)
        exp.run_epoch()
        snap = exp.snapshot()
        exp.to_document()
        walk = walk_next_step(exp.net, exp.trainer).walkthrough
        for i in range(len(walk)):
            walk.calculation(i)
        snap.gradient_check.run(snap.params)
        exp.set_training(lr=0.01)
        exp.reset()
        exp.run(5)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""

