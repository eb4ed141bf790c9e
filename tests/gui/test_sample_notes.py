"""Panels say when their losses, accuracies and predictions are counted on a sample of the rows
(a set larger than an evaluation reads), and say nothing when every row is counted."""

import numpy as np
import pytest

from nnviz.core.dataconfig import DataConfig, InlineData
from nnviz.core.experiment import EVALUATION_ROWS, Experiment
from nnviz.gui.panels.loss import LossPanel
from nnviz.gui.panels.output import OutputPanel

ROWS = 30_000  # 15,000 training and 15,000 test rows: both sampled


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(ROWS, 2))
    y = (X[:, :1] * X[:, 1:] > 0).astype(np.float64)
    exp = Experiment(data=DataConfig(imported=InlineData(X, y, "big", "classification", ("a", "b"), ("class",))))
    exp.run(20)
    snap = exp.snapshot()
    assert snap.evaluated_rows == (EVALUATION_ROWS, EVALUATION_ROWS) and len(snap.raw_test[0]) == 15_000
    return snap


@pytest.fixture(scope="module")
def circle():
    exp = Experiment()
    exp.run(20)
    return exp.snapshot()


def _legend(panel) -> dict:
    return {sample.item: label.text for sample, label in panel.legend.items}


def test_the_output_panel_names_the_sample_its_figures_are_counted_on(make_panel, big):
    panel = make_panel(OutputPanel, size=(700, 450))
    panel.show_snapshot(big)
    assert panel.mode == "surface"
    assert panel.sample_line.isVisible()
    assert panel.sample_line.text() == "test accuracy and loss on a sample of 10,000 of 15,000 rows"

    panel.show_confusion.setChecked(True)  # the counts are the sample's, and the line says so
    assert panel.mode == "confusion"
    assert panel.sample_line.text() == "test counts, accuracy and loss on a sample of 10,000 of 15,000 rows"
    assert sum(int(text) for text in panel.cell_labels.texts()) == EVALUATION_ROWS


def test_the_output_panel_has_no_note_when_every_row_is_counted(make_panel, big, circle):
    panel = make_panel(OutputPanel, size=(700, 450))
    panel.show_snapshot(circle)
    assert not panel.sample_line.isVisible()
    assert panel.title.text().startswith(f"Step {circle.step:,}  ·  test accuracy")
    panel.show_snapshot(big)
    panel.show_snapshot(circle)  # back to a whole set: the line goes
    assert not panel.sample_line.isVisible()


def test_the_loss_legend_names_the_samples_and_drops_the_note_for_whole_sets(make_panel, big, circle):
    panel = make_panel(LossPanel, size=(700, 450))
    panel.show_snapshot(circle)
    assert _legend(panel) == {panel.batch_curve: "batch loss", panel.train_curve: "train loss",
                              panel.test_curve: "test loss"}
    narrow = panel.legend.boundingRect().width()

    panel.show_snapshot(big)
    legend = _legend(panel)
    assert legend[panel.train_curve] == "train loss on a sample of 10,000 of 15,000 rows"
    assert legend[panel.test_curve] == "test loss on a sample of 10,000 of 15,000 rows"
    assert panel.legend.boundingRect().width() > narrow + 50  # the legend is wide enough for the note

    panel.show_snapshot(circle)  # other data, every row counted: the note goes
    assert _legend(panel)[panel.test_curve] == "test loss"
    assert panel.legend.boundingRect().width() == pytest.approx(narrow)
