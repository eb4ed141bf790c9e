"""The mistakes panel shows exactly the test pictures the network gets wrong, the most confident
first, as many as fit; a model whose inputs are no picture gets one line saying why."""

import csv
from dataclasses import replace

import numpy as np
import pytest

from nnviz.core.csv_data import load_csv
from nnviz.core.experiment import Experiment
from nnviz.gui.export import export_figure
from nnviz.gui.panels.mistakes import SMALLEST_TILE, MistakesPanel, grid_shape

from pictures import digits_csv, digits_experiment, saved_net, wrong_by_confidence


@pytest.fixture(scope="module")
def digits():
    return digits_experiment()


def test_the_gallery_shows_exactly_the_misclassified_test_rows(make_panel, digits):
    exp, snap = digits
    panel = make_panel(MistakesPanel, size=(900, 700))
    panel.show_snapshot(snap)
    rows, predicted, true, confidence = wrong_by_confidence(exp.net, exp.raw_test.X, exp.raw_test.y)
    shown = panel.shown_count()
    assert 0 < shown <= len(rows) and panel.mistakes.total == len(rows)
    header, table = panel.export_table()
    assert header[:5] == ["set", "row", "true", "predicted", "probability"] and header[5] == "px0"
    assert len(table) == shown
    assert [r[1] for r in table] == rows[:shown].tolist()
    assert [r[2] for r in table] == true[:shown].tolist()
    assert [r[3] for r in table] == predicted[:shown].tolist()
    assert [r[4] for r in table] == confidence[:shown].tolist()
    assert np.array_equal([r[5:] for r in table], exp.raw_test.X[rows[:shown]])
    assert panel.info_line.text().startswith(f"{len(rows)} of {len(exp.raw_test.X)} test rows misclassified")
    assert f"{shown} shown, most confident first" in panel.info_line.text()
    assert panel.message() == ""
    assert panel.export_title() == f"Misclassified test pictures ({shown} of {len(rows)})"


def test_a_smaller_panel_shows_fewer_and_says_so(make_panel, qtbot, digits):
    _, snap = digits
    panel = make_panel(MistakesPanel, size=(900, 700))
    panel.show_snapshot(snap)
    many = panel.shown_count()
    panel.resize(260, 200)
    qtbot.waitUntil(lambda: panel.shown_count() < many)
    few = panel.shown_count()
    assert few >= 1 and f"· {few} shown" in panel.info_line.text()
    assert len(panel.export_table()[1]) == few


def test_grid_shape_keeps_tiles_readable():
    columns, shown, tile = grid_shape(12, 600, 400, caption=30)
    assert shown == 12 and tile >= SMALLEST_TILE and columns * ((12 + columns - 1) // columns) >= 12
    columns, shown, tile = grid_shape(48, 200, 150, caption=30)
    assert tile == SMALLEST_TILE and 0 < shown < 48
    assert grid_shape(0, 600, 400, caption=30)[1] == 0


def test_a_model_whose_inputs_are_no_picture_gets_one_line(make_panel):
    exp = Experiment()
    exp.run(10)
    panel = make_panel(MistakesPanel)
    panel.show_snapshot(exp.snapshot())
    message = panel.message()
    assert message == ("No pictures to show: this model takes 2 inputs (x1, x2), not a square picture of 64 "
                       "(8 × 8) or 784 (28 × 28).")
    assert "\n" not in message and panel.shown_count() == 0
    assert not panel.has_figure() and panel.export_table()[1] == []


def test_no_mistakes_says_so(make_panel, digits):
    _, snap = digits
    _, true = snap.prediction_classes
    right = replace(snap, prediction_classes=(true, true))
    panel = make_panel(MistakesPanel)
    panel.show_snapshot(right)
    assert panel.message() == f"No mistakes: all {len(true)} test rows are classified right."
    assert panel.shown_count() == 0


def test_the_figure_and_the_csv_export(make_panel, digits, tmp_path):
    _, snap = digits
    panel = make_panel(MistakesPanel, size=(700, 500))
    panel.show_snapshot(snap)
    png = export_figure(panel, tmp_path / "mistakes.png", scale=1)
    assert png.stat().st_size > 1000
    out = export_figure(panel, tmp_path / "mistakes.csv", table=panel.export_table)
    rows = list(csv.reader(open(out, encoding="utf-8")))
    assert len(rows) == 1 + panel.shown_count()


# -- in the window ---------------------------------------------------------------------------------
@pytest.fixture
def digits_window(user, monkeypatch, tmp_path):
    """The window on 300 sketched 8 × 8 digits (File › Import CSV data…), trained a little."""
    monkeypatch.setattr("nnviz.gui.main_window.import_csv", lambda parent, path: load_csv(path))
    user.window.import_csv_path(digits_csv(tmp_path / "sketches.csv"))
    user.settle()
    assert user.window.latest.images.runnable
    user.train(60)
    return user


def test_in_the_window_the_gallery_shows_the_rows_the_network_gets_wrong(digits_window, tmp_path):
    user = digits_window
    window = user.window
    assert window.tabifiedDockWidgets(window.docks["output"]).count(window.docks["mistakes"]) == 1
    window.docks["mistakes"].raise_()
    user.qtbot.waitUntil(lambda: window.mistakes.isVisible() and not window.mistakes.stale)
    user.settle()
    net = saved_net(user, tmp_path / "model.json")
    X, y = window.latest.raw_test
    rows, predicted, true, confidence = wrong_by_confidence(net, X, y)
    panel = window.mistakes
    assert panel.mistakes.total == len(rows) > 0
    shown = panel.shown_count()
    table = panel.export_table()[1]
    assert [r[1] for r in table] == rows[:shown].tolist()
    assert [r[3] for r in table] == predicted[:shown].tolist()
    assert np.allclose([r[4] for r in table], confidence[:shown], rtol=0, atol=1e-12)


def test_the_run_report_pictures_the_mistakes_of_a_picture_model_only(make_panel, digits):
    from nnviz.gui.report import report_figures

    _, snap = digits
    panel = make_panel(MistakesPanel, size=(700, 500))
    panel.show_snapshot(snap)
    assert list(report_figures([panel])) == [panel.export_title()]
    panel.show_snapshot(Experiment().snapshot())
    assert report_figures([panel]) == {}
