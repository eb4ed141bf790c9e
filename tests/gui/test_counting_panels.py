"""The panels count units, samples and inputs from 1, as the graph and the step-through do, and
keep model-document paths (counted from 0) to their tooltips."""

import pytest

from nnviz.core.experiment import Experiment
from nnviz.gui.panels.activations import ActivationsPanel
from nnviz.gui.panels.graph import Selection
from nnviz.gui.panels.inspector import InspectorPanel
from nnviz.gui.panels.normalization import _UnitAxis
from nnviz.gui.panels.weights import WeightsPanel


@pytest.fixture(scope="module")
def snapshot():
    exp = Experiment()
    exp.run(5)
    return exp.snapshot()


def tick_labels(axis, count: int) -> list[str]:
    return axis.tickStrings([float(v) for v in range(count)], 1.0, 1.0)


def test_weight_matrix_numbers_units_and_inputs_from_1(make_panel, snapshot):
    panel = make_panel(WeightsPanel)
    panel.show_snapshot(snapshot)
    panel.select_layer(1)  # inputs from the layer below: numbered, not named
    assert tick_labels(panel.matrix_plot.getAxis("left"), 3) == ["1", "2", "3"]
    assert tick_labels(panel.matrix_plot.getAxis("bottom"), 2) == ["1", "2"]
    assert panel.info_line.text().startswith("W2") and "layers[" not in panel.info_line.text()
    assert panel.info_line.toolTip() == "Document path (counted from 0): layers[1].weight"
    assert tick_labels(panel.histogram_plot.getAxis("left"), 2) == ["0", "1"]  # a count starts at 0


def test_activation_heatmap_numbers_units_and_samples_from_1(make_panel, snapshot):
    panel = make_panel(ActivationsPanel)
    panel.show_snapshot(snapshot)
    for side in ("left", "bottom"):
        assert tick_labels(panel.heatmap_plot.getAxis(side), 2) == ["1", "2"]


def test_normalization_units_from_1():
    assert tick_labels(_UnitAxis("bottom"), 3) == ["1", "2", "3"]


def test_inspector_names_the_bias_from_1_and_keeps_the_path_to_its_tooltip(make_panel, snapshot):
    panel = make_panel(InspectorPanel)
    panel.show_snapshot(snapshot)
    panel.set_selection(Selection("neuron", 1, 0, layer_type="dense"))
    text = panel.title.text() + "\n" + panel.details.text()
    assert "unit 1" in text and "bias b1[1] = " in text and "layers[" not in text
    rows = snapshot.layers[0].a.shape[0]
    assert "dL/db = " in text and f"(sum over the {rows} probe rows)" in text
    assert "mean dL/dz = " in text and f"(over the {rows} probe rows" in text
    assert panel.title.toolTip() == "Document path (counted from 0): layers[0].bias[0]"
    panel.set_selection(Selection("edge", 2, 0, 1, layer_type="dense"))
    assert panel.title.text().startswith("Weight W2[1,2]") and "layers[" not in panel.title.text()
    assert panel.title.toolTip() == "Document path (counted from 0): layers[1].weight[0, 1]"
