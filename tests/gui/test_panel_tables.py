"""Each panel's ``export_table`` gives the numbers it draws as the core computed them: written to CSV
(every number as ``repr(float(v))``) and read back, they equal the snapshot's arrays exactly."""

import csv
import io

import numpy as np
import pytest

from nnviz.core.datasets import Dataset
from nnviz.core.experiment import PROBE, SURFACE, DataConfig, Experiment, default_document
from nnviz.core.stats import PERCENTILES, histogram
from nnviz.gui.panels.activations import ActivationsPanel
from nnviz.gui.panels.gradients import GradientFlowPanel
from nnviz.gui.panels.graph import GraphPanel
from nnviz.gui.panels.loss import LossPanel
from nnviz.gui.panels.normalization import NormalizationPanel
from nnviz.gui.panels.output import OutputPanel
from nnviz.gui.panels.updates import UpdateRatioPanel
from nnviz.gui.panels.weights import HISTOGRAM_BINS, WeightsPanel

PANELS = (LossPanel, OutputPanel, GraphPanel, ActivationsPanel, GradientFlowPanel, UpdateRatioPanel,
          WeightsPanel, NormalizationPanel)


# -- the CSV round trip ------------------------------------------------------------------------------
class Table:
    """A table read back from CSV: columns by name, rows picked by their key cells."""

    def __init__(self, header: list[str], rows: list[list[str]]):
        self.header, self.rows = header, rows

    def _matches(self, row, where) -> bool:
        for name, want in where.items():
            cell = row[self.header.index(name)]
            if isinstance(want, str) and cell != want:
                return False
            if not isinstance(want, str) and (cell == "" or float(cell) != want):
                return False
        return True

    def select(self, **where) -> list[list[str]]:
        return [row for row in self.rows if self._matches(row, where)]

    def column(self, name: str, **where) -> np.ndarray:
        """The column ``name`` of the rows whose cells equal ``where``'s values, as floats."""
        k = self.header.index(name)
        return np.array([float(row[k]) for row in self.select(**where)])

    def texts(self, name: str) -> list[str]:
        k = self.header.index(name)
        return [row[k] for row in self.rows]


def exported(panel) -> Table:
    """The panel's table through CSV, after checking its title, header and cell types."""
    title = panel.export_title()
    assert isinstance(title, str) and title.strip()
    header, rows = panel.export_table()
    assert header and all(isinstance(h, str) and h for h in header)
    assert len(set(header)) == len(header)
    for row in rows:
        assert len(row) == len(header)
        assert all(type(v) in (int, float, str) for v in row), row
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([v if isinstance(v, str) else repr(float(v)) for v in row] for row in rows)
    reader = csv.reader(io.StringIO(out.getvalue()))
    assert next(reader) == header
    table = Table(header, list(reader))
    assert len(table.rows) == len(rows)
    return table


def same(a, b) -> bool:
    return np.array_equal(np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel(), equal_nan=True)


# -- snapshots -----------------------------------------------------------------------------------------
def _model(inputs, outputs, activation, loss, hidden=6):
    return {"format": "nnviz.model/1", "name": "test", "inputs": inputs,
            "layers": [{"type": "dense", "units": hidden, "activation": "tanh"},
                       {"type": "dense", "units": outputs, "activation": activation}],
            "loss": loss, "optimizer": {"name": "adam", "lr": 0.02}, "seed": 0}


def _run(exp: Experiment):
    exp.run_evaluated(60, 10)
    return exp, exp.snapshot()


@pytest.fixture(scope="module")
def circle():
    """The default 2-4-2-1 tanh net on ``circle``, with a test set: (experiment, snapshot)."""
    return _run(Experiment())


@pytest.fixture(scope="module")
def square():
    """1-D regression: the fitted curve."""
    return _run(Experiment(_model(1, 1, "identity", "mse"), DataConfig(dataset="square", test_fraction=0.25)))


@pytest.fixture(scope="module")
def three_classes():
    """Three classes on four features, cross-entropy: the confusion matrix."""
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1, 2], 40)
    X = rng.normal(scale=3.0, size=(3, 4))[labels] + rng.normal(size=(labels.size, 4))
    data = Dataset(X, labels.astype(float), "blobs", "classification", ("f0", "f1", "f2", "f3"), ("label",))
    return _run(Experiment(_model(4, 3, "softmax", "cross_entropy"), DataConfig(imported=data, test_fraction=0.3)))


@pytest.fixture(scope="module")
def regression_3d():
    """Regression on three inputs: predicted against target."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 3))
    data = Dataset(X, X @ np.array([0.5, -1.0, 2.0]), "linear", "regression", ("a", "b", "c"), ("y",))
    return _run(Experiment(_model(3, 1, "identity", "mse"), DataConfig(imported=data, test_fraction=0.25)))


@pytest.fixture(scope="module")
def normalized():
    """dense 4, BatchNorm (tanh), dropout 0.25, dense 1 on ``circle``."""
    doc = default_document()
    doc["layers"] = [{"type": "dense", "units": 4}, {"type": "batchnorm", "activation": "tanh"},
                     {"type": "dropout", "p": 0.25}, {"type": "dense", "units": 1, "activation": "sigmoid"}]
    exp, _ = _run(Experiment(doc))
    # run_evaluated ends on an evaluation point, an evaluation-mode pass: the last training
    # batch's dropout mask must still be there
    return exp, exp.snapshot()


@pytest.fixture(scope="module")
def pictures():
    """A 64-input (8 × 8) net: its first layer's units are pictures."""
    rng = np.random.default_rng(3)
    data = Dataset(rng.random((60, 64)), rng.integers(0, 3, 60).astype(float), "digits", "classification",
                   tuple(f"px{i}" for i in range(64)), ("digit",))
    return _run(Experiment(_model(64, 3, "softmax", "cross_entropy", hidden=10), DataConfig(imported=data)))


# -- every panel ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", PANELS, ids=lambda k: k.__name__)
def test_a_panel_without_a_snapshot_has_a_header_and_no_rows(make_panel, kind):
    panel = make_panel(kind)
    assert exported(panel).rows == []


# -- loss ----------------------------------------------------------------------------------------------
def test_loss_table_holds_every_drawn_series_raw(make_panel, circle):
    _, snap = circle
    panel = make_panel(LossPanel)
    panel.smoothing_slider.setValue(80)  # smoothing is a way of drawing: the table stays raw
    panel.show_snapshot(snap)
    table = exported(panel)
    assert table.header == ["series", "step", "value"]
    h = snap.history
    expected = {"batch_loss": ("step", "loss"), "train_loss": ("eval_step", "train_loss"),
                "test_loss": ("eval_step", "test_loss"), "train_accuracy": ("eval_step", "train_accuracy"),
                "test_accuracy": ("eval_step", "test_accuracy"), "lr": ("step", "lr")}
    assert list(dict.fromkeys(table.texts("series"))) == list(expected)
    for series, (x, y) in expected.items():
        assert h[y].size > 1
        assert same(table.column("step", series=series), h[x])
        assert same(table.column("value", series=series), h[y])

    panel.batch_loss_box.setChecked(False)  # hidden: not in the table
    assert "batch_loss" not in exported(panel).texts("series")


def test_loss_table_of_a_regression_has_no_accuracy(make_panel, square):
    _, snap = square
    panel = make_panel(LossPanel)
    panel.show_snapshot(snap)
    table = exported(panel)
    assert set(table.texts("series")) == {"batch_loss", "train_loss", "test_loss", "lr"}
    assert same(table.column("value", series="test_loss"), snap.history["test_loss"])


# -- output --------------------------------------------------------------------------------------------
def test_output_surface_table_is_the_core_grid_and_the_points(make_panel, circle):
    exp, snap = circle
    panel = make_panel(OutputPanel)
    panel.show_snapshot(snap)
    assert panel.mode == "surface"
    table = exported(panel)
    assert table.header == ["kind", "x1", "x2", "value"]
    assert "surface" in panel.export_title().lower()
    # the plane's points exactly as the core samples them
    plane = exp._plane_points(SURFACE)
    assert same(table.column("x1", kind="surface"), plane[:, 0])
    assert same(table.column("x2", kind="surface"), plane[:, 1])
    assert same(table.column("value", kind="surface").reshape(SURFACE, SURFACE), snap.surface)
    for kind, (X, y) in (("train", snap.raw_train), ("test", snap.raw_test)):
        assert same(table.column("x1", kind=kind), X[:, 0])
        assert same(table.column("x2", kind=kind), X[:, 1])
        assert same(table.column("value", kind=kind), y[:, 0])

    panel.show_test.setChecked(False)  # the test points are hidden: not in the table
    assert "test" not in exported(panel).texts("kind")


def test_output_curve_table_for_one_input(make_panel, square):
    _, snap = square
    panel = make_panel(OutputPanel)
    panel.show_snapshot(snap)
    assert panel.mode == "curve"
    table = exported(panel)
    assert table.header == ["kind", "x", "value"]
    assert same(table.column("x", kind="curve"), snap.curve[0])
    assert same(table.column("value", kind="curve"), snap.curve[1])
    assert same(table.column("x", kind="train"), snap.raw_train[0][:, 0])
    assert same(table.column("value", kind="test"), snap.raw_test[1][:, 0])


def test_output_confusion_table_for_three_classes(make_panel, three_classes):
    _, snap = three_classes
    panel = make_panel(OutputPanel)
    panel.show_snapshot(snap)
    assert panel.mode == "confusion"
    table = exported(panel)
    assert table.header == ["true", "predicted", "count"]
    assert panel.export_title() == "Confusion matrix"
    counts = np.zeros(snap.confusion.shape)
    for true, predicted, count in table.rows:
        counts[int(float(true)), int(float(predicted))] = float(count)
    assert len(table.rows) == snap.confusion.size
    assert np.array_equal(counts, snap.confusion)


def test_output_scatter_table_for_other_regressions(make_panel, regression_3d):
    _, snap = regression_3d
    panel = make_panel(OutputPanel)
    panel.show_snapshot(snap)
    assert panel.mode == "scatter"
    table = exported(panel)
    assert table.header == ["set", "row", "output", "target", "predicted"]
    assert set(table.texts("set")) == {"test"}
    assert same(table.column("target"), snap.raw_test[1])
    assert same(table.column("predicted"), snap.predictions)


# -- graph ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["circle", "normalized"])
def test_graph_table_holds_every_weight_bias_and_mean_activation(make_panel, request, which):
    exp, snap = request.getfixturevalue(which)
    panel = make_panel(GraphPanel)
    panel.show_snapshot(snap)
    table = exported(panel)
    assert table.header == ["kind", "layer_index", "unit", "source", "value"]
    assert same(table.column("value", kind="input_mean"), exp.X[:PROBE].mean(axis=0))
    for i, view in enumerate(snap.layers):
        weight = snap.params.get(f"layers[{i}].weight")
        if weight is not None and weight.ndim == 2:
            units, fan_in = weight.shape
            assert same(table.column("unit", kind="weight", layer_index=i), np.repeat(np.arange(units), fan_in))
            assert same(table.column("source", kind="weight", layer_index=i), np.tile(np.arange(fan_in), units))
            assert same(table.column("value", kind="weight", layer_index=i), weight)
        else:
            assert not table.select(kind="weight", layer_index=i)
        bias = snap.params.get(f"layers[{i}].bias")
        if bias is not None:
            assert same(table.column("value", kind="bias", layer_index=i), bias)
        assert same(table.column("unit", kind="activation", layer_index=i), np.arange(view.units))
        assert same(table.column("value", kind="activation", layer_index=i), view.value)


# -- activations ---------------------------------------------------------------------------------------
def test_activations_table_of_each_view(make_panel, circle):
    _, snap = circle
    panel = make_panel(ActivationsPanel)
    panel.show_snapshot(snap)
    panel.select_layer(1)
    health = snap.health[1]

    panel.set_view("histogram")
    table = exported(panel)
    assert "Hidden layer 2" in panel.export_title()
    counts, edges = health.histogram
    assert same(table.column("value", quantity="count", layer_index=1), counts)
    assert same(table.column("bin_left", quantity="count"), edges[:-1])
    assert same(table.column("bin_right", quantity="count"), edges[1:])
    for name in ("mean", "std", "saturated"):  # tanh layers: no dead share
        assert same(table.column("value", quantity=name), [getattr(h, name) for h in snap.health])
    assert not table.select(quantity="dead")

    panel.set_view("heatmap")
    table = exported(panel)
    a = snap.layers[1].a
    assert same(table.column("activation", layer_index=1), a.T)
    assert same(table.column("sample", unit=0), np.arange(a.shape[0]))

    panel.set_view("time")
    table = exported(panel)
    for pct in PERCENTILES:
        assert same(table.column("value", series=f"p{pct:g}"), snap.health_history[f"1.p{pct:g}"])
        assert same(table.column("step", series=f"p{pct:g}"), snap.history["eval_step"])
    assert same(table.column("value", series="saturated"), snap.health_history["1.saturated"])


def test_a_hidden_panel_exports_the_newest_snapshot(make_panel, circle, normalized):
    _, snap = normalized
    activations = make_panel(ActivationsPanel, show=False)
    activations.show_snapshot(circle[1])
    activations.select_layer(2)
    activations.show_snapshot(snap)  # the same layer index, another network
    activations.set_view("heatmap")
    assert same(exported(activations).column("activation", layer_index=2), snap.layers[2].a.T)

    norm = make_panel(NormalizationPanel, show=False)
    norm.show_snapshot(snap)
    table = exported(norm)
    assert same(table.column("value", quantity="batch_mean"), snap.health[1].batchnorm["batch_mean"])


# -- gradients and update ratios -------------------------------------------------------------------------
@pytest.mark.parametrize("statistic", ["norm", "mean_abs", "max_abs"])
def test_gradient_flow_table_is_the_chosen_statistic(make_panel, circle, statistic):
    _, snap = circle
    panel = make_panel(GradientFlowPanel)
    panel.set_statistic(statistic)
    panel.show_snapshot(snap)
    table = exported(panel)
    assert set(table.texts("statistic")) == {statistic}
    suffix = {"norm": "grad_norm", "mean_abs": "grad_mean_abs", "max_abs": "grad_max_abs"}[statistic]
    bars = panel.bar_values()
    assert same(table.column("value", kind="now"), bars)
    assert same(table.column("step", kind="now"), np.full(bars.size, snap.step))
    for h in snap.health:
        for param, stats in h.grads.items():
            rows = table.select(kind="now", layer_index=h.index, parameter=param)
            assert len(rows) == 1 and float(rows[0][-1]) == getattr(stats, statistic)
            where = {"kind": "history", "layer_index": h.index, "parameter": param}
            assert same(table.column("value", **where), snap.health_history[f"{h.index}.{param}.{suffix}"])
            assert same(table.column("step", **where), snap.history["eval_step"])


def test_update_ratio_table_now_and_over_time(make_panel, circle):
    _, snap = circle
    panel = make_panel(UpdateRatioPanel)
    panel.show_snapshot(snap)
    table = exported(panel)
    assert table.header == ["kind", "layer_index", "step", "value"]
    layers = [h for h in snap.health if h.update_ratio is not None]
    assert same(table.column("layer_index", kind="now"), [h.index for h in layers])
    assert same(table.column("value", kind="now"), [h.update_ratio for h in layers])
    assert same(table.column("value", kind="now"), panel.bar_heights())
    for h in layers:
        assert same(table.column("value", kind="history", layer_index=h.index),
                    snap.health_history[f"{h.index}.update_ratio"])


# -- weights ---------------------------------------------------------------------------------------------
def test_weights_table_of_each_view(make_panel, circle, pictures):
    _, snap = circle
    panel = make_panel(WeightsPanel)
    panel.show_snapshot(snap)
    panel.select_layer(1)
    weight = snap.params["layers[1].weight"]

    table = exported(panel)
    assert table.header == ["layer_index", "unit", "input", "weight"]
    assert "Hidden layer 2" in panel.export_title()
    assert same(table.column("weight", layer_index=1), weight)
    assert same(table.column("input", unit=1), np.arange(weight.shape[1]))

    panel.set_view("histogram")
    table = exported(panel)
    counts, edges = histogram(weight.ravel(), bins=HISTOGRAM_BINS)
    assert same(table.column("count"), counts)
    assert same(table.column("bin_left"), edges[:-1])
    assert same(table.column("bin_right"), edges[1:])

    _, snap = pictures
    panel.show_snapshot(snap)
    panel.select_layer(0)
    panel.set_view("images")
    assert panel.view_name == "images"
    table = exported(panel)
    assert table.header == ["layer_index", "unit", "row", "column", "weight"]
    weight = snap.params["layers[0].weight"]
    assert same(table.column("weight"), weight.reshape(-1, 8, 8))
    assert same(table.column("row", unit=3), np.repeat(np.arange(8), 8))
    assert same(table.column("column", unit=3), np.tile(np.arange(8), 8))


# -- normalization ---------------------------------------------------------------------------------------
def test_normalization_table_of_batchnorm_and_dropout(make_panel, normalized):
    _, snap = normalized
    panel = make_panel(NormalizationPanel)
    panel.show_snapshot(snap)
    panel.select_layer(1)
    table = exported(panel)
    assert panel.export_title().startswith("BatchNorm statistics")
    assert table.header == ["layer_index", "quantity", "unit", "value"]
    for name, values in snap.health[1].batchnorm.items():
        assert same(table.column("value", quantity=name, layer_index=1), values)
        assert same(table.column("unit", quantity=name), np.arange(values.size))

    panel.select_layer(2)
    table = exported(panel)
    assert panel.export_title().startswith("Dropout mask")
    drop = snap.health[2].dropout
    assert drop["mask"] is not None
    assert same(table.column("value", quantity="p"), [drop["p"]])
    assert same(table.column("value", quantity="scale"), [drop["scale"]])
    assert same(table.column("value", quantity="mask", layer_index=2), drop["mask"])
    assert same(table.column("unit", quantity="mask", sample=0), np.arange(drop["mask"].shape[1]))


def test_normalization_table_is_empty_without_such_layers(make_panel, circle):
    panel = make_panel(NormalizationPanel)
    panel.show_snapshot(circle[1])
    assert exported(panel).rows == []
    assert panel.export_title() == "Normalization"
