"""Inputs that are pictures: the misclassified rows against the network's own predictions, the
drawing's bitmap and counts, and predictions on a drawn picture equal to ``Network.predict``."""

import numpy as np
import pytest

from nnviz.core.data import Dataset, InputScaling
from nnviz.core.dataconfig import DataConfig
from nnviz.core.experiment import Experiment
from nnviz.core.images import (
    BLOCK,
    GLYPHS,
    MOST_SHOWN,
    blank_drawing,
    block_counts,
    brush_radius,
    class_probabilities,
    draw_line,
    image_side,
    misclassified,
    picture_of,
    predict,
    sketched_digits,
)


def _digits_experiment(side=8, n=400, test_fraction=0.25, dtype="float64", output="softmax", loss="cross_entropy",
                       steps=60, jitter=1.6):
    X, labels = sketched_digits(n, side=side, seed=1, jitter=jitter)
    data = Dataset(X, labels.astype(float), "sketches", "classification",
                   tuple(f"px{i}" for i in range(side * side)), ("digit",))
    doc = {"format": "nnviz.model/1", "inputs": side * side,
           "layers": [{"type": "dense", "units": 12, "activation": "relu"},
                      {"type": "dense", "units": 10, "activation": output}],
           "loss": loss, "optimizer": {"name": "adam", "lr": 0.003}, "seed": 0, "dtype": dtype}
    exp = Experiment(doc, DataConfig(imported=data, batch_size=32, test_fraction=test_fraction), fit_model=False)
    exp.run(steps)
    return exp


@pytest.fixture(scope="module")
def digits():
    return _digits_experiment()


def _own_mistakes(exp):
    """The test rows the network gets wrong, from its own predict and the raw targets."""
    X, y = (exp.raw_test.X, exp.raw_test.y) if exp.raw_test is not None else (exp.raw_train.X, exp.raw_train.y)
    out = exp.net.predict(X)
    predicted, true = out.argmax(axis=1), y[:, 0].astype(int)
    wrong = np.flatnonzero(predicted != true)
    return wrong, predicted, true, out


def test_the_mistakes_are_the_rows_the_networks_own_prediction_gets_wrong(digits):
    snap = digits.snapshot()
    wrong, predicted, true, out = _own_mistakes(digits)
    assert 0 < len(wrong) < len(true)  # a network half-way: some right, some wrong
    everything = misclassified(snap, most=len(true))
    assert everything.set_name == "test" and everything.evaluated == len(true) == len(digits.raw_test.X)
    assert everything.total == len(wrong)
    assert sorted(everything.rows.tolist()) == wrong.tolist()
    order = np.argsort(everything.rows)
    assert np.array_equal(everything.predicted[order], predicted[wrong])
    assert np.array_equal(everything.true[order], true[wrong])
    # the probability of the predicted class: the softmax output itself
    assert np.array_equal(everything.confidence[order], out[wrong, predicted[wrong]])
    assert np.array_equal(everything.inputs[order], digits.raw_test.X[wrong])
    assert everything.pictures.shape == (len(wrong), 8, 8)
    assert np.array_equal(everything.pictures[0].ravel(), everything.inputs[0])


def test_the_most_confident_mistakes_come_first_and_at_most_the_bound(digits):
    snap = digits.snapshot()
    wrong, predicted, _, out = _own_mistakes(digits)
    shown = misclassified(snap, most=5)
    assert shown.shown == 5 and shown.total == len(wrong)
    confidence = out[wrong, predicted[wrong]]
    assert np.array_equal(shown.confidence, np.sort(confidence)[::-1][:5])
    assert misclassified(snap).shown == min(MOST_SHOWN, len(wrong))
    assert misclassified(snap, most=0).shown == 0


def test_the_mistakes_are_those_the_confusion_matrix_counts(digits):
    snap = digits.snapshot()
    matrix = snap.confusion
    assert misclassified(snap).total == matrix.sum() - np.trace(matrix)
    predicted, true = snap.prediction_classes
    rebuilt = np.zeros_like(matrix)
    np.add.at(rebuilt, (true, predicted), 1)
    assert np.array_equal(rebuilt, matrix)
    assert not predicted.flags.writeable and not true.flags.writeable


def test_without_a_test_set_the_training_rows():
    exp = _digits_experiment(n=200, test_fraction=0.0, steps=20)
    wrong, *_ = _own_mistakes(exp)
    mistakes = misclassified(exp.snapshot(), most=1000)
    assert mistakes.set_name == "training" and mistakes.evaluated == 200
    assert sorted(mistakes.rows.tolist()) == wrong.tolist()


def test_identity_outputs_are_read_through_a_softmax():
    exp = _digits_experiment(output="identity", steps=30)
    wrong, predicted, _, out = _own_mistakes(exp)
    mistakes = misclassified(exp.snapshot(), most=1000)
    order = np.argsort(mistakes.rows)
    p = np.exp(out - out.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert np.allclose(mistakes.confidence[order], p[wrong, predicted[wrong]], rtol=0, atol=1e-15)


def test_the_circle_model_has_no_pictures():
    exp = Experiment()
    snap = exp.snapshot()
    assert not snap.images.runnable
    assert snap.images.note == ("this model takes 2 inputs (x1, x2), not a square picture of 64 (8 × 8) or "
                                "784 (28 × 28)")
    assert misclassified(snap) is None


def test_sixty_four_regression_inputs_have_no_classes():
    rng = np.random.default_rng(0)
    data = Dataset(rng.uniform(0, 16, (60, 64)), rng.normal(size=60), "pixels", "regression",
                   tuple(f"p{i}" for i in range(64)), ("value",))
    exp = Experiment(data=DataConfig(imported=data))
    images = exp.snapshot().images
    assert not images.runnable and images.note == "pixels is a regression data set: there are no classes"


def test_the_classifier_knows_the_pictures_of_the_data(digits):
    images = digits.snapshot().images
    assert images.runnable and images.side == 8 and images.classes == 10 and images.activation == "softmax"
    assert images.pixel_range == (0.0, 16.0)
    assert images.scaling.identity


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predict_on_a_drawn_picture_is_network_predict(dtype):
    exp = _digits_experiment(dtype=dtype, steps=40)
    snap = exp.snapshot()
    bitmap = blank_drawing(8)
    for stroke in GLYPHS[3]:
        points = [(x * 32, y * 32) for x, y in stroke]
        for start, end in zip(points, points[1:]):
            draw_line(bitmap, start, end)
    picture = picture_of(bitmap, snap.images.pixel_range)
    outputs = predict(snap.images, snap.params, picture)
    expected = exp.net.predict(picture.reshape(1, -1))
    assert outputs.dtype == expected.dtype and np.array_equal(outputs, expected)
    # reusing the network for the next snapshot's numbers gives the next snapshot's predictions
    net = snap.images.network(snap.params)
    exp.run(5)
    later = exp.snapshot()
    again = later.images.network(later.params, reuse=net)
    assert again is net
    assert np.array_equal(predict(later.images, later.params, picture, network=again),
                          exp.net.predict(picture.reshape(1, -1)))


def test_another_architecture_gets_a_network_of_its_own(digits):
    images = digits.snapshot().images
    net = images.network(digits.snapshot().params)
    other = _digits_experiment(side=28, n=60, steps=1).snapshot()
    assert other.images.network(other.params, reuse=net) is not net


def test_predict_goes_through_the_data_input_scaling(monkeypatch):
    """The hook: whatever scaling the experiment says its rows get, a drawn picture gets too."""
    scaling = InputScaling(shift=np.full(64, 8.0), divisor=4.0, name="test")
    monkeypatch.setattr(Experiment, "input_scaling", lambda self: scaling)
    exp = _digits_experiment(steps=5)
    snap = exp.snapshot()
    assert snap.images.scaling is scaling
    picture = np.arange(64.0).reshape(8, 8) % 17
    assert np.array_equal(predict(snap.images, snap.params, picture),
                          exp.net.predict((picture.reshape(1, -1) - 8.0) / 4.0))


def test_input_scaling_none_changes_nothing():
    X = np.arange(6.0).reshape(2, 3)
    assert InputScaling().identity and np.array_equal(InputScaling().apply(X), X)
    scaled = InputScaling(shift=np.array([0.0, 1.0, 2.0]), divisor=np.array([1.0, 2.0, 4.0])).apply(X)
    assert np.array_equal(scaled, [[0.0, 0.0, 0.0], [3.0, 1.5, 0.75]])


def test_a_784_input_classifier_draws_28_by_28():
    exp = _digits_experiment(side=28, n=120, steps=5)
    images = exp.snapshot().images
    assert images.side == 28 and image_side(784) == 28 and image_side(10) is None
    assert blank_drawing(28).shape == (28 * BLOCK, 28 * BLOCK)


# -- the drawing -----------------------------------------------------------------------------------
def test_a_point_marks_the_cells_within_the_pens_radius():
    bitmap = blank_drawing(8)
    assert brush_radius(bitmap) == 2.0
    assert draw_line(bitmap, (10.0, 10.0), (10.0, 10.0))
    rows, columns = np.nonzero(bitmap)
    assert np.all((columns + 0.5 - 10) ** 2 + (rows + 0.5 - 10) ** 2 <= 4.0)
    assert len(rows) == 12  # the cells whose centres lie within 2 of (10, 10)
    assert not draw_line(bitmap, (10.0, 10.0), (10.0, 10.0))  # nothing new


def test_a_line_marks_a_band_and_stays_inside_the_bitmap():
    bitmap = blank_drawing(8)
    draw_line(bitmap, (-5.0, 16.0), (40.0, 16.0), radius=1.0)
    assert bitmap[15].all() and bitmap[16].all() and bitmap.sum() == 64
    assert not draw_line(blank_drawing(8), (-10, -10), (-5, -5), radius=1.0)


def test_pixels_count_the_marked_cells_of_their_block_as_the_uci_digits_do():
    bitmap = blank_drawing(8)
    bitmap[0:4, 4:8] = True  # a whole block: 16
    bitmap[4, 0:2] = True  # two cells of the block below the first
    counts = block_counts(bitmap)
    assert counts[0, 1] == 16 and counts[1, 0] == 2 and counts.sum() == 18
    assert np.array_equal(picture_of(bitmap), counts)
    assert np.array_equal(picture_of(bitmap, (0.0, 255.0)), counts * 255.0 / 16)
    assert np.array_equal(picture_of(bitmap, (-1.0, 1.0)), -1.0 + counts / 8.0)


def test_sketched_digits_are_pictures_of_0_to_16():
    X, labels = sketched_digits(50, seed=3)
    assert X.shape == (50, 64) and set(labels) <= set(range(10))
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))


def test_class_probabilities():
    out = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert class_probabilities(out, "softmax") is out or np.array_equal(class_probabilities(out, "softmax"), out)
    logits = np.array([[0.0, np.log(3.0)]])
    assert np.allclose(class_probabilities(logits, "identity"), [[0.25, 0.75]], rtol=0, atol=1e-15)
    assert np.array_equal(class_probabilities(np.array([[0.7]]), "sigmoid"), [[1 - 0.7, 0.7]])
    assert class_probabilities(np.array([[0.7]]), "tanh") is None
