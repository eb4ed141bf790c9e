"""The loss landscape: the loss on a plane and a line through the weights, computed many points at a
time, against the network's own forward pass and against closed forms."""

import numpy as np
import pytest

from nnviz.core import load_model
from nnviz.core.dataconfig import DataConfig, InlineData
from nnviz.core.errors import CommandError
from nnviz.core.experiment import Experiment, default_document
from nnviz.core.landscape import (
    BATCHED,
    LANDSCAPE_ROWS,
    Directions,
    LandscapeRequest,
    grid_coordinates,
    interpolation,
    loss_landscape,
    losses_at,
    parameter_directions,
    parameter_label,
    parameter_labels,
    path_directions,
    project_path,
    random_directions,
    sample_rows,
)


def _model(layers, inputs=2, loss="mse", seed=0):
    return load_model({"format": "nnviz.model/1", "inputs": inputs, "layers": layers, "loss": loss, "seed": seed})


@pytest.fixture(scope="module")
def trained():
    """The default model after 300 steps on circle."""
    exp = Experiment()
    exp.run(300)
    return exp


def _one_by_one(net, X, y, thetas):
    """The loss at each row of ``thetas`` by the network's own forward pass."""
    twin = net.copy()
    out = []
    for theta in thetas:
        twin.flat_params[...] = theta
        out.append(twin.evaluate(X, y))
    return np.array(out)


# -- the plane -----------------------------------------------------------------------------------------
def test_the_centre_of_the_grid_is_the_current_loss(trained):
    net, X, y = trained.net, trained.trainer.X, trained.y
    land = loss_landscape(net, X, y, random_directions(net, 0), span=1.0, resolution=41)
    assert land.loss.shape == (41, 41)
    assert land.a[20] == land.b[20] == 0.0
    assert land.centre == pytest.approx(net.evaluate(X, y), abs=1e-12, rel=0)
    assert land.centre == pytest.approx(trained.evaluate().train_loss, abs=1e-12, rel=0)  # the loss panel's


def test_every_grid_point_is_the_loss_of_its_weights(trained):
    """Batched through the network, each point equals the network's own forward pass on its weights."""
    net, X, y = trained.net, trained.trainer.X, trained.y
    d = random_directions(net, 3)
    land = loss_landscape(net, X, y, d, span=2.0, resolution=5)
    a, b = np.meshgrid(land.a, land.b)
    thetas = net.flat_params + a.reshape(-1, 1) * d.d1 + b.reshape(-1, 1) * d.d2
    np.testing.assert_allclose(land.loss.ravel(), _one_by_one(net, X, y, thetas), rtol=0, atol=1e-12)


def test_the_network_is_left_as_it_was(trained):
    net = trained.net
    before = net.flat_params.copy(), net.flat_grads.copy(), net.optimizer.t
    loss_landscape(net, trained.trainer.X, trained.y, random_directions(net, 0), resolution=5)
    interpolation(net, trained.trainer.X, trained.y, trained._start_params)
    np.testing.assert_array_equal(net.flat_params, before[0])
    np.testing.assert_array_equal(net.flat_grads, before[1])
    assert net.optimizer.t == before[2]


def test_a_linear_model_under_mse_has_the_closed_form_quadratic_as_its_slice():
    """z = x·w + c with MSE is exactly quadratic in (w, c): the slice along two directions is
    L0 + 2a·mean(r u) + 2b·mean(r v) + a²·mean(u²) + 2ab·mean(u v) + b²·mean(v²), with r the
    residuals and u, v the change of the output per unit of each direction."""
    rng = np.random.default_rng(1)
    net = _model([{"type": "dense", "units": 1}], inputs=3)
    X, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 1))
    d1, d2 = rng.normal(size=4), rng.normal(size=4)
    directions = Directions(d1, d2, ("u", "v"), "random", 0)
    land = loss_landscape(net, X, y, directions, span=1.5, resolution=21)

    def change(d):  # flat layout: weight (1, 3) then bias (1,)
        return X @ d[:3] + d[3]

    w, c = net.get("layers[0].weight")[0], net.get("layers[0].bias")[0]
    r = X @ w + c - y[:, 0]
    u, v = change(d1), change(d2)
    a, b = np.meshgrid(land.a, land.b)
    closed = (np.mean(r * r) + 2 * a * np.mean(r * u) + 2 * b * np.mean(r * v)
              + a * a * np.mean(u * u) + 2 * a * b * np.mean(u * v) + b * b * np.mean(v * v))
    np.testing.assert_allclose(land.loss, closed, rtol=1e-12, atol=1e-12)


def test_along_one_parameter_the_slice_is_its_parabola():
    """Along the unit vector of one weight of a linear model the loss is the parabola
    L0 + 2a·mean(r x_j) + a²·mean(x_j²)."""
    rng = np.random.default_rng(2)
    net = _model([{"type": "dense", "units": 1}], inputs=2)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=(40, 1))
    directions = parameter_directions(net, ("layers[0].weight", (0, 1)), ("layers[0].bias", (0,)))
    land = loss_landscape(net, X, y, directions, span=1.0, resolution=11)
    r = net.predict(X)[:, 0] - y[:, 0]
    along_a = land.loss[5]  # b = 0
    np.testing.assert_allclose(along_a, np.mean(r * r) + 2 * land.a * np.mean(r * X[:, 1])
                               + land.a ** 2 * np.mean(X[:, 1] ** 2), rtol=1e-12, atol=1e-12)
    assert directions.labels == ("W1[1,2]", "b1[1]")


# -- directions ------------------------------------------------------------------------------------------
def test_filter_normalisation_gives_each_row_the_norm_of_the_weights_row():
    net = _model([{"type": "dense", "units": 5, "activation": "tanh"},
                  {"type": "glu", "units": 3}, {"type": "layernorm"}, {"type": "dense", "units": 2}], inputs=4)
    d = random_directions(net, 7)
    for direction in (d.d1, d.d2):
        for name, weights in net.named_parameters():
            piece = direction[net.param_slices[name]].reshape(weights.shape)
            if weights.ndim == 2:  # a weight matrix: each unit's row as long as the weights' row
                np.testing.assert_allclose(np.linalg.norm(piece, axis=1), np.linalg.norm(weights, axis=1),
                                           rtol=1e-14)
                assert not np.allclose(piece, weights)  # random, not the weights themselves
            else:  # biases, LayerNorm's scale and shift: not moved
                assert not piece.any(), name
    assert not np.allclose(d.d1, d.d2)


def test_a_row_of_zero_weights_gets_a_zero_direction():
    net = _model([{"type": "dense", "units": 3, "init": "zeros"}, {"type": "dense", "units": 1}])
    d = random_directions(net, 0)
    assert not d.d1[net.param_slices["layers[0].weight"]].any()
    assert np.isfinite(d.d1).all()


def test_the_same_seed_gives_the_same_directions(trained):
    net = trained.net
    first, again, other = random_directions(net, 5), random_directions(net.copy(), 5), random_directions(net, 6)
    np.testing.assert_array_equal(first.d1, again.d1)
    np.testing.assert_array_equal(first.d2, again.d2)
    assert not np.array_equal(first.d1, other.d1)
    assert first.describe() == "random filter-normalised directions (seed 5)"


def test_parameter_directions_are_unit_vectors_named_as_the_graph_names_them():
    net = _model([{"type": "dense", "units": 3}, {"type": "dense", "units": 1}])
    d = parameter_directions(net, ("layers[0].weight", (2, 1)), 8)
    assert d.d1.sum() == d.d2.sum() == 1.0
    assert d.d1[net.param_slices["layers[0].weight"].start + 5] == 1.0 and d.d2[8] == 1.0
    assert d.labels == ("W1[3,2]", "b1[3]")
    assert [parameter_label(net, k) for k in (0, 6, 9, 12)] == ["W1[1,1]", "b1[1]", "W2[1,1]", "b2[1]"]
    with pytest.raises(CommandError, match="two different parameters"):
        parameter_directions(net, 5, ("layers[0].weight", (2, 1)))
    with pytest.raises(CommandError, match="no such entry"):
        parameter_directions(net, ("layers[0].weight", (3, 0)), 0)
    with pytest.raises(CommandError, match="from 0 to 12"):
        parameter_directions(net, 0, 13)


# -- the path --------------------------------------------------------------------------------------------
def test_a_point_on_the_plane_projects_to_its_coordinates(trained):
    net = trained.net
    d = random_directions(net, 0)
    theta = net.flat_params.copy()
    path = np.stack([theta + 2 * d.d1 - d.d2, theta, theta + 0.5 * d.d2])
    np.testing.assert_allclose(project_path(path, theta, d.d1, d.d2), [[2, -1], [0, 0], [0, 0.5]], atol=1e-12)
    listed = project_path(list(path), theta, d.d1, d.d2)  # a list of flat arrays works alike
    np.testing.assert_allclose(listed, [[2, -1], [0, 0], [0, 0.5]], atol=1e-12)
    land = loss_landscape(net, trained.trainer.X, trained.y, d, resolution=3)
    np.testing.assert_allclose(land.project(path[:1]), [[2, -1]], atol=1e-12)


def test_a_point_off_the_plane_lands_at_its_nearest_point():
    d1, d2 = np.array([1.0, 0, 0]), np.array([0, 2.0, 0])
    coords = project_path([np.array([3.0, 4.0, 5.0])], np.zeros(3), d1, d2)
    np.testing.assert_allclose(coords, [[3.0, 2.0]])
    assert project_path(np.zeros((0, 3)), np.zeros(3), d1, d2).shape == (0, 2)
    with pytest.raises(CommandError, match="vectors of 3 parameters"):
        project_path([np.zeros(4)], np.zeros(3), d1, d2)


def test_the_paths_principal_directions_hold_a_path_that_lies_in_a_plane(trained):
    """A path inside a plane through θ, spread more along e1 than e2: the directions span that plane
    (the path projects back onto itself exactly), are orthogonal and equally long, as long as the path
    reaches along the first, and point the way the run went."""
    net = trained.net
    theta = net.flat_params.copy()
    rng = np.random.default_rng(3)
    e1, e2 = np.linalg.qr(rng.standard_normal((theta.size, 2)))[0].T
    a = np.linspace(-3.0, 0.0, 12)
    b = -0.4 * np.cos(np.linspace(0.0, np.pi / 2, 12))
    path = theta + 2.0 * (a[:, None] * e1 + b[:, None] * e2)
    d = path_directions(net, path)
    assert d.kind == "path" and d.labels[0].startswith("path PC1")
    assert d.shares[0] > 0.9 and d.shares[0] + d.shares[1] == pytest.approx(1.0)
    assert abs(d.d1 @ d.d2) < 1e-9 * (d.d1 @ d.d1)
    assert np.linalg.norm(d.d1) == pytest.approx(np.linalg.norm(d.d2)) == pytest.approx(7.5, rel=0.01)
    xy = project_path(path, theta, d.d1, d.d2)
    np.testing.assert_allclose(xy @ np.stack([d.d1, d.d2]) + theta, path, atol=1e-9)  # nothing of it is lost
    assert xy[0, 0] < 0 and xy[0, 1] < 0 and np.abs(xy[:, 0]).max() == pytest.approx(0.8)
    np.testing.assert_allclose(xy[-1], (0.0, 0.0), atol=1e-12)
    assert "principal directions" in d.describe()


def test_path_directions_need_a_path_that_spreads_in_two_directions(trained):
    net = trained.net
    theta = net.flat_params
    with pytest.raises(CommandError, match="fewer than 3 points"):
        path_directions(net, np.stack([theta, theta]))
    line = theta + np.linspace(-1.0, 0.0, 5)[:, None] * np.ones(theta.size)
    with pytest.raises(CommandError, match="single line"):
        path_directions(net, line)
    with pytest.raises(CommandError, match="vectors of"):
        path_directions(net, np.zeros((4, 3)))


def test_a_job_asked_for_the_paths_directions_computes_on_that_plane():
    exp = Experiment()
    start = exp.net.flat_params.copy()
    exp.run(50)
    middle = exp.net.flat_params.copy()
    exp.run(50)
    snapshot = exp.snapshot()
    path = np.stack([start, middle, exp.net.flat_params])
    result = snapshot.landscape.run(snapshot.params, LandscapeRequest(directions="path", path=path, resolution=5))
    assert result.landscape.directions.kind == "path"
    assert result.landscape.centre == pytest.approx(snapshot.train_loss, rel=1e-12)
    with pytest.raises(CommandError, match="fewer than 3 points"):
        snapshot.landscape.run(snapshot.params, LandscapeRequest(directions="path", resolution=5))


# -- progress and cancellation ---------------------------------------------------------------------------
def test_progress_is_reported_by_chunks_of_grid_rows(trained, monkeypatch):
    from nnviz.core import landscape

    monkeypatch.setattr(landscape, "CHUNK_BYTES", 1)  # a chunk of one point: a row at a time
    calls = []
    land = loss_landscape(trained.net, trained.trainer.X, trained.y, random_directions(trained.net, 0),
                          resolution=5, progress=lambda done, total: calls.append((done, total)) or True)
    assert land is not None
    assert calls[0] == (0, 25) and calls[-1] == (25, 25)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_cancelling_stops_early_and_returns_nothing(trained, monkeypatch):
    from nnviz.core import landscape

    monkeypatch.setattr(landscape, "CHUNK_BYTES", 1)
    evaluated = []
    real = landscape._losses
    monkeypatch.setattr(landscape, "_losses", lambda *args: evaluated.append(len(args[3])) or real(*args))
    calls = []

    def progress(done, total):
        calls.append(done)
        return done < 3  # cancel after the third point

    land = loss_landscape(trained.net, trained.trainer.X, trained.y, random_directions(trained.net, 0),
                          resolution=41, progress=progress)
    assert land is None
    assert calls == [0, 1, 2, 3]  # never called again once it said False
    assert sum(evaluated) == 3  # no more points computed than the progress counted
    assert interpolation(trained.net, trained.trainer.X, trained.y, trained._start_params,
                         progress=lambda done, total: False) is None


# -- the line --------------------------------------------------------------------------------------------
def test_the_line_at_0_and_1_is_the_initial_and_the_current_loss():
    exp = Experiment()
    X, y = exp.trainer.X, exp.y
    initial = exp.net.evaluate(X, y)
    exp.run(200)
    line = interpolation(exp.net, X, y, exp._start_params)
    assert len(line.t) == 41 and line.t[0] == -0.5 and line.t[-1] == 1.5
    assert line.at(0.0) == pytest.approx(initial, abs=1e-12, rel=0)
    assert line.at(1.0) == pytest.approx(exp.net.evaluate(X, y), abs=1e-12, rel=0)
    assert line.at(1.0) < line.at(0.0)  # training lowered the loss


def test_the_line_is_the_loss_of_the_mixed_weights(trained):
    net, X, y = trained.net, trained.trainer.X, trained.y
    t = np.array([-0.25, 0.3, 1.2])
    line = interpolation(net, X, y, trained._start_params, t)
    thetas = (1 - t[:, None]) * trained._start_params + t[:, None] * net.flat_params
    np.testing.assert_allclose(line.loss, _one_by_one(net, X, y, thetas), rtol=0, atol=1e-12)


# -- every layer type, batched ----------------------------------------------------------------------------
LAYER_STACKS = {
    "dense and dropout": [{"type": "dense", "units": 6, "activation": "relu"}, {"type": "dropout", "p": 0.3},
                          {"type": "dense", "units": 3, "activation": "softmax"}],
    "glu": [{"type": "glu", "units": 4, "variant": "swiglu"}, {"type": "dense", "units": 3}],
    "batchnorm first": [{"type": "batchnorm"}, {"type": "dense", "units": 5, "activation": "gelu"},
                        {"type": "batchnorm"}, {"type": "dense", "units": 3}],
    "layernorm, rmsnorm": [{"type": "dense", "units": 5, "activation": "elu"}, {"type": "layernorm"},
                           {"type": "rmsnorm"}, {"type": "dense", "units": 3}],
    "prelu (point by point)": [{"type": "dense", "units": 4, "activation": "prelu"},
                               {"type": "dense", "units": 3, "activation": "sigmoid"}],
}


@pytest.mark.parametrize("layers", LAYER_STACKS.values(), ids=LAYER_STACKS)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_many_weights_at_once_equal_the_forward_pass_of_each(layers, loss):
    rng = np.random.default_rng(4)
    net = _model(layers, inputs=3, loss=loss)
    for name, buffer in net.named_buffers():  # running statistics of some other data
        buffer[...] = rng.uniform(0.5, 1.5, buffer.shape) if "var" in name else rng.normal(size=buffer.shape)
    X = rng.normal(size=(30, 3))
    y = np.eye(3)[rng.integers(0, 3, 30)] if loss == "cross_entropy" else rng.normal(size=(30, 3))
    thetas = net.flat_params + 0.3 * rng.normal(size=(7, net.parameter_count))
    np.testing.assert_allclose(losses_at(net, X, y, thetas), _one_by_one(net, X, y, thetas), rtol=1e-12, atol=1e-13)


def test_a_layer_type_without_a_batched_rule_runs_point_by_point(monkeypatch):
    monkeypatch.delitem(BATCHED, "dense")
    rng = np.random.default_rng(5)
    net = _model([{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dense", "units": 1}])
    X, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    thetas = net.flat_params + rng.normal(size=(3, net.parameter_count))
    np.testing.assert_allclose(losses_at(net, X, y, thetas), _one_by_one(net, X, y, thetas), rtol=1e-12)


def test_far_from_the_weights_the_loss_may_be_infinite_without_a_warning():
    net = _model([{"type": "dense", "units": 1, "activation": "sigmoid"}], loss="bce")
    X, y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([[1.0], [0.0]])
    thetas = np.array([[1e308, 1e308, 0.0], [0.0, 0.0, 0.0]])
    losses = losses_at(net, X, y, thetas)  # pytest turns warnings into errors
    assert losses[1] == pytest.approx(np.log(2))


# -- the grid and its settings ----------------------------------------------------------------------------
def test_the_grid_is_symmetric_with_zero_exactly_in_the_middle():
    coords = grid_coordinates(0.7, 41)
    assert coords[0] == -0.7 and coords[-1] == 0.7 and coords[20] == 0.0
    np.testing.assert_array_equal(coords, -coords[::-1])
    for bad in (40, 1, 1001, 2.0, True):
        with pytest.raises(CommandError, match="odd whole number"):
            grid_coordinates(1.0, bad)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(CommandError, match="range"):
            grid_coordinates(bad, 21)


# -- the rows and the snapshot's job ----------------------------------------------------------------------
def test_large_sets_are_evaluated_on_a_fixed_sample():
    X, y = np.arange(10_000.0).reshape(5_000, 2), np.arange(5_000.0).reshape(-1, 1)
    Xs, ys, note = sample_rows(X, y)
    assert len(Xs) == LANDSCAPE_ROWS and note == "on a fixed sample of 2,000 of 5,000 training rows"
    np.testing.assert_array_equal(Xs[:, 0] / 2, ys[:, 0])  # rows kept whole, in order
    assert np.all(np.diff(ys[:, 0]) > 0)
    again = sample_rows(X, y)[0]
    np.testing.assert_array_equal(Xs, again)
    assert not Xs.flags.writeable
    small = sample_rows(X[:250], y[:250])
    assert len(small[0]) == 250 and small[2] == "on the 250 training rows"


def test_a_snapshot_computes_its_landscape_on_a_network_of_its_own():
    exp = Experiment()
    initial = exp.snapshot()
    exp.run(100)
    snapshot = exp.snapshot()
    job = snapshot.landscape
    assert job.note == "on the 250 training rows" and job.step == 100
    result = job.run(snapshot.params, LandscapeRequest(resolution=21))
    assert result.step == 100 and result.note == job.note
    assert result.landscape.centre == pytest.approx(snapshot.train_loss, abs=1e-12, rel=0)
    assert result.line.at(1.0) == pytest.approx(snapshot.train_loss, abs=1e-12, rel=0)
    assert result.line.at(0.0) == pytest.approx(initial.train_loss, abs=1e-12, rel=0)
    np.testing.assert_array_equal(job.start, np.concatenate([v.ravel() for v in initial.params.values()]))
    chosen = job.run(snapshot.params, LandscapeRequest(directions="parameters", first=0, second=12, resolution=3))
    assert chosen.landscape.directions.labels == ("W1[1,1]", "W2[1,1]")


def test_the_run_starts_again_from_the_weights_reset_draws():
    exp = Experiment()
    exp.run(50)
    exp.set_training(seed=3)
    exp.reset()
    np.testing.assert_array_equal(exp._start_params, exp.net.flat_params)
    exp.run(10)
    fork = exp.fork()
    np.testing.assert_array_equal(fork.snapshot().landscape.start, exp._start_params)


def test_batchnorm_is_evaluated_on_its_running_statistics():
    doc = default_document()
    doc["layers"].insert(1, {"type": "batchnorm"})
    exp = Experiment(doc, DataConfig(batch_size=10))
    exp.run(40)
    snapshot = exp.snapshot()
    result = snapshot.landscape.run(snapshot.params, LandscapeRequest(resolution=3))
    assert result.landscape.centre == pytest.approx(snapshot.train_loss, abs=1e-12, rel=0)


def test_a_large_imported_set_is_sampled_and_says_so():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6_000, 3))
    y = (X.sum(axis=1, keepdims=True) > 0).astype(float)
    data = DataConfig(imported=InlineData(X, y, "big", "classification", ("a", "b", "c"), ("label",)),
                      test_fraction=0.0)
    snapshot = Experiment(None, data).snapshot()
    job = snapshot.landscape
    assert len(job.X) == LANDSCAPE_ROWS
    assert job.note == "on a fixed sample of 2,000 of 6,000 training rows"


def test_every_parameter_has_a_label_in_buffer_order():
    net = _model([{"type": "dense", "units": 3, "activation": "prelu"}, {"type": "glu", "units": 2},
                  {"type": "batchnorm"}])
    labels = parameter_labels(net)
    assert labels == [parameter_label(net, k) for k in range(net.parameter_count)]
    assert labels[:3] == ["W1[1,1]", "W1[1,2]", "W1[2,1]"] and "α1[1]" in labels and "Wg2[2,3]" in labels


def test_a_wide_first_layer_is_taken_once_per_direction_and_gives_the_same_losses(monkeypatch):
    """With more inputs than twice the plane's basis, the first layer's pre-activation comes from
    three products for the whole grid (θ, d1, d2); every point still equals its own forward pass."""
    from nnviz.core import landscape

    rng = np.random.default_rng(6)
    net = _model([{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dense", "units": 3}], inputs=12)
    X, y = rng.normal(size=(40, 12)), rng.normal(size=(40, 3))
    products = []
    real = landscape._first_layer
    monkeypatch.setattr(landscape, "_first_layer", lambda *args: products.append(len(args[2])) or real(*args))
    d = random_directions(net, 1)
    land = loss_landscape(net, X, y, d, span=0.8, resolution=7)
    line = interpolation(net, X, y, net.flat_params - d.d1, np.array([-0.5, 0.0, 0.4, 1.0]))
    assert products == [3, 2]  # θ, d1, d2 for the plane; θ0, θ for the line
    a, b = np.meshgrid(land.a, land.b)
    thetas = net.flat_params + a.reshape(-1, 1) * d.d1 + b.reshape(-1, 1) * d.d2
    np.testing.assert_allclose(land.loss.ravel(), _one_by_one(net, X, y, thetas), rtol=1e-12, atol=1e-13)
    assert land.centre == pytest.approx(net.evaluate(X, y), abs=1e-12, rel=0)
    start = net.flat_params - d.d1
    mixed = (1 - line.t[:, None]) * start + line.t[:, None] * net.flat_params
    np.testing.assert_allclose(line.loss, _one_by_one(net, X, y, mixed), rtol=1e-12, atol=1e-13)
