"""A one-input network's nodes as curves over x: what the graph draws as each neuron's thumbnail."""

import numpy as np
import pytest

from nnviz.core.examples import load_example
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.snapshot import CURVE_POINTS, CURVE_UNITS, node_curves_of


@pytest.fixture(scope="module")
def square_fit():
    exp = Experiment(load_example("square-fit"))
    exp.run(200)
    return exp, exp.snapshot()


def test_a_relu_neurons_curve_is_max_of_zero_and_its_line(square_fit):
    exp, snap = square_fit
    curves = snap.node_curves
    x = curves.x
    raw = np.concatenate([snap.raw_train[0][:, 0], snap.raw_test[0][:, 0]])  # the data's x range: every row
    assert x.shape == (CURVE_POINTS,) and x[0] == raw.min() and x[-1] == raw.max()
    np.testing.assert_allclose(np.diff(x), (raw.max() - raw.min()) / (CURVE_POINTS - 1), rtol=1e-9)
    w, b = snap.params["layers[0].weight"], snap.params["layers[0].bias"]  # (10, 1), (10,)
    assert [None if c is None else c.shape for c in curves.columns] == [(1, CURVE_POINTS), (10, CURVE_POINTS),
                                                                         (1, CURVE_POINTS)]
    np.testing.assert_array_equal(curves.columns[0][0], x)  # the input column: x itself
    for unit in range(10):
        by_hand = [max(0.0, float(w[unit, 0]) * float(t) + float(b[unit])) for t in x]
        np.testing.assert_allclose(curves.columns[1][unit], by_hand, rtol=1e-12, atol=1e-15)
    # trained, the pieces are not all alike: some units are zero over part of the range, not all of it
    hidden = curves.columns[1]
    assert np.any((hidden == 0).any(axis=1) & (hidden > 0).any(axis=1))


def test_the_output_neurons_curve_is_the_networks_prediction(square_fit):
    exp, snap = square_fit
    x = snap.node_curves.x
    np.testing.assert_allclose(snap.node_curves.columns[-1][0], exp.net.predict(x.reshape(-1, 1))[:, 0],
                               rtol=1e-12, atol=1e-15)
    # the output adds the hidden curves with the second layer's weights
    w2, b2 = snap.params["layers[1].weight"], snap.params["layers[1].bias"]
    summed = w2[0] @ snap.node_curves.columns[1] + b2[0]
    np.testing.assert_allclose(snap.node_curves.columns[-1][0], summed, rtol=1e-12, atol=1e-12)


def test_node_curves_are_read_only(square_fit):
    _, snap = square_fit
    for array in (snap.node_curves.x, *snap.node_curves.columns):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = 1.0


def test_only_one_input_networks_have_node_curves():
    assert Experiment().snapshot().node_curves is None  # the circle: two inputs, heatmaps instead
    exp = Experiment(data=DataConfig(dataset="square"))
    assert exp.snapshot().node_curves is not None


def test_a_column_too_wide_has_no_curves():
    doc = load_example("square-fit")
    doc["layers"] = [{"type": "dense", "units": CURVE_UNITS + 1, "activation": "relu"}, {"type": "dense", "units": 1}]
    exp = Experiment(doc)
    curves = node_curves_of(exp.net, -1.0, 1.0, points=5)
    assert curves.columns[1] is None and curves.columns[2].shape == (1, 5)


def test_scaled_inputs_curves_are_over_the_datas_own_x_and_end_in_the_fitted_curve():
    """With input scaling the curves' x stays in the data's units, the input column is what the network
    reads (x standardised with the training rows' mean and deviation), and the output curve is the
    network's prediction on those inputs."""
    doc = load_example("square-fit")
    doc.setdefault("data", {})["scaling"] = "standard"
    exp = Experiment(doc)
    exp.run(50)
    snap = exp.snapshot()
    x = snap.node_curves.x
    raw = np.concatenate([snap.raw_train[0][:, 0], snap.raw_test[0][:, 0]])
    assert x[0] == raw.min() and x[-1] == raw.max()
    train = snap.raw_train[0][:, 0]
    np.testing.assert_allclose(snap.node_curves.columns[0][0], (x - train.mean()) / train.std(), rtol=1e-9)
    scaled = ((x - train.mean()) / train.std()).reshape(-1, 1)
    np.testing.assert_allclose(snap.node_curves.columns[-1][0], exp.net.predict(scaled)[:, 0], rtol=1e-9, atol=1e-12)
