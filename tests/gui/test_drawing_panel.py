"""The drawing pad: a drag of the mouse draws, the bars are ``Network.predict`` of the picture drawn,
Clear empties the pad, and a model whose inputs are no picture gets one line saying why."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from nnviz.core import load_model, save_model
from nnviz.core.csv_data import load_csv
from nnviz.core.experiment import Experiment
from nnviz.core.images import GLYPHS, picture_of
from nnviz.gui.export import export_figure
from nnviz.gui.panels.drawing import DrawingPadPanel

from pictures import digits_csv, digits_experiment, saved_net

LEFT = QtCore.Qt.MouseButton.LeftButton
REPO = Path(__file__).resolve().parents[2]


def drag(qtbot, canvas, points):
    """Press at the first point (in cells of the bitmap), move through the others, release at the
    last, as a hand on the mouse does."""
    widget_points = [canvas.widget_point(x, y) for x, y in points]
    qtbot.mousePress(canvas, LEFT, pos=widget_points[0])
    for point in widget_points[1:]:
        qtbot.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, LEFT, pos=widget_points[-1])


def draw_digit(qtbot, canvas, digit):
    """Drag along each stroke of a sketched ``digit``, a few points per segment."""
    cells = canvas.bitmap.shape[0]
    for stroke in GLYPHS[digit]:
        points = []
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            points += [(cells * (x0 + t * (x1 - x0)), cells * (y0 + t * (y1 - y0))) for t in (0.0, 0.34, 0.67)]
        points.append((cells * stroke[-1][0], cells * stroke[-1][1]))
        drag(qtbot, canvas, points)


@pytest.fixture(scope="module")
def digits():
    return digits_experiment(steps=80)


def test_a_drag_draws_and_the_bars_are_the_networks_prediction(make_panel, qtbot, digits):
    exp, snap = digits
    panel = make_panel(DrawingPadPanel, size=(640, 400))
    panel.show_snapshot(snap)
    assert panel.outputs is None and not panel.shown_values().any()
    draw_digit(qtbot, panel.canvas, 7)
    qtbot.waitUntil(lambda: not panel.prediction_pending())
    picture = panel.picture()
    assert picture.shape == (8, 8) and picture.max() == 16 and np.array_equal(picture, np.round(picture))
    assert np.array_equal(picture, picture_of(panel.canvas.bitmap))
    expected = exp.net.predict(picture.reshape(1, -1))[0]
    assert np.allclose(panel.shown_values(), expected, rtol=0, atol=1e-12)
    best = int(expected.argmax())
    assert panel.info_line.text().startswith(f"Predicted {best}")
    header, rows = panel.export_table()
    assert header == ["kind", "index", "value"] and len(rows) == 64 + 10
    assert [r[2] for r in rows[:64]] == picture.ravel().tolist()
    assert [r[2] for r in rows[64:]] == expected.tolist()


def test_the_bars_follow_the_pen_while_it_moves(make_panel, qtbot, digits):
    """Throttled: the first mark at once, then at most every THROTTLE_MS, and the last change always."""
    exp, snap = digits
    panel = make_panel(DrawingPadPanel, size=(640, 400))
    panel.show_snapshot(snap)
    canvas = panel.canvas
    qtbot.mousePress(canvas, LEFT, pos=canvas.widget_point(16, 4))
    assert panel.outputs is not None  # at once
    for y in range(5, 29):
        qtbot.mouseMove(canvas, canvas.widget_point(16, y))
    qtbot.waitUntil(lambda: not panel.prediction_pending())
    assert np.allclose(panel.shown_values(), exp.net.predict(panel.picture().reshape(1, -1))[0], rtol=0, atol=1e-12)
    qtbot.mouseRelease(canvas, LEFT, pos=canvas.widget_point(16, 28))


def test_clear_empties_the_pad(make_panel, qtbot, digits):
    _, snap = digits
    panel = make_panel(DrawingPadPanel, size=(640, 400))
    panel.show_snapshot(snap)
    draw_digit(qtbot, panel.canvas, 1)
    qtbot.waitUntil(lambda: panel.outputs is not None)
    qtbot.mouseClick(panel.clear_button, LEFT)
    qtbot.waitUntil(lambda: not panel.prediction_pending())
    assert not panel.canvas.bitmap.any() and not panel.picture().any()
    assert panel.outputs is None and not panel.shown_values().any()
    assert panel.info_line.text().startswith("Draw a digit")
    assert panel.export_table()[1] == []


def test_a_new_snapshot_predicts_the_same_drawing_with_its_numbers(make_panel, qtbot):
    exp, snap = digits_experiment(steps=10)
    panel = make_panel(DrawingPadPanel, size=(640, 400))
    panel.show_snapshot(snap)
    draw_digit(qtbot, panel.canvas, 4)
    qtbot.waitUntil(lambda: not panel.prediction_pending())
    before = panel.shown_values().copy()
    exp.run(30)
    panel.show_snapshot(exp.snapshot())
    after = panel.shown_values()
    assert not np.array_equal(before, after)
    assert np.allclose(after, exp.net.predict(panel.picture().reshape(1, -1))[0], rtol=0, atol=1e-12)


def test_a_model_whose_inputs_are_no_picture_gets_one_line(make_panel):
    exp = Experiment()
    panel = make_panel(DrawingPadPanel)
    panel.show_snapshot(exp.snapshot())
    message = panel.message()
    assert message == ("Nothing to draw for: this model takes 2 inputs (x1, x2), not a square picture of 64 "
                       "(8 × 8) or 784 (28 × 28).")
    assert "\n" not in message and not panel.canvas.isVisible()
    assert panel.export_table()[1] == []


def test_the_figure_leaves_out_the_button(make_panel, qtbot, digits, tmp_path):
    _, snap = digits
    panel = make_panel(DrawingPadPanel, size=(640, 400))
    panel.show_snapshot(snap)
    draw_digit(qtbot, panel.canvas, 2)
    qtbot.waitUntil(lambda: not panel.prediction_pending())
    assert panel.export_widget() is panel.figure and not panel.figure.isAncestorOf(panel.clear_button)
    out = export_figure(panel, tmp_path / "pad.png", scale=1)
    assert out.stat().st_size > 1000
    out = export_figure(panel, tmp_path / "pad.csv", table=panel.export_table)
    assert len(list(csv.reader(open(out, encoding="utf-8")))) == 1 + 64 + 10


# -- in the window ---------------------------------------------------------------------------------
def test_in_the_window_the_pad_predicts_what_network_predict_does(user, monkeypatch, tmp_path):
    window = user.window
    monkeypatch.setattr("nnviz.gui.main_window.import_csv", lambda parent, path: load_csv(path))
    window.import_csv_path(digits_csv(tmp_path / "sketches.csv"))
    user.settle()
    user.train(40)
    dock = window.docks["drawing"]
    assert window.tabifiedDockWidgets(window.docks["output"]).count(dock) == 1
    dock.raise_()
    panel = window.drawing
    user.qtbot.waitUntil(lambda: panel.isVisible() and not panel.stale)
    assert user.control("Clear").isVisible() and user.control("Clear") is panel.clear_button
    assert panel.canvas.accessibleName() == "Drawing pad"
    draw_digit(user.qtbot, panel.canvas, 3)
    user.qtbot.waitUntil(lambda: not panel.prediction_pending())
    net = saved_net(user, tmp_path / "model.json")
    expected = net.predict(panel.picture().reshape(1, -1))[0]
    assert np.allclose(panel.shown_values(), expected, rtol=0, atol=1e-12)
    user.click("Clear")
    user.qtbot.waitUntil(lambda: not panel.prediction_pending())
    assert not panel.picture().any() and not panel.shown_values().any()


def test_in_the_window_the_circle_model_gets_one_line_in_both_tabs(user):
    window = user.window
    for name in ("drawing", "mistakes"):
        window.docks[name].raise_()
        panel = getattr(window, name)
        user.qtbot.waitUntil(lambda panel=panel: panel.isVisible() and not panel.stale)
        assert "this model takes 2 inputs (x1, x2)" in panel.message()
        assert "\n" not in panel.message()


def test_load_model_reads_the_same_network(tmp_path):
    """The in-window checks read the network back with the core's loader: it predicts as the run does."""
    exp, _ = digits_experiment(steps=5)
    save_model(exp.net, tmp_path / "m.json")
    X = exp.raw_test.X[:5]
    assert np.array_equal(load_model(tmp_path / "m.json").predict(X), exp.net.predict(X))


@pytest.mark.parametrize("module, options", [("drawing", ["--digit", "3"]), ("mistakes", [])])
def test_each_panel_opens_alone_for_a_quick_look(tmp_path, module, options):
    out = tmp_path / f"{module}.png"
    done = subprocess.run([sys.executable, "-m", f"nnviz.gui.panels.{module}", "--steps", "20", *options,
                           "--save", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert QtGui.QImage(str(out)).width() > 300


def test_on_the_digits_the_bars_are_predict_of_the_drawing_scaled_as_the_training_rows(make_panel, qtbot):
    """The built-in digits go in scaled to [0, 1] (their training rows span 0 … 16): so does a drawing."""
    from nnviz.core.examples import load_example

    exp = Experiment(load_example("digits"))
    exp.run(100)
    panel = make_panel(DrawingPadPanel, size=(640, 400))
    panel.show_snapshot(exp.snapshot())
    draw_digit(qtbot, panel.canvas, 4)
    qtbot.waitUntil(lambda: not panel.prediction_pending())
    picture = panel.picture()
    assert (exp.raw_train.X.min(), exp.raw_train.X.max()) == (0.0, 16.0)
    expected = exp.net.predict(picture.reshape(1, -1) / 16.0)[0]
    assert np.allclose(panel.shown_values(), expected, rtol=0, atol=1e-12)
    assert not np.allclose(panel.shown_values(), exp.net.predict(picture.reshape(1, -1))[0], rtol=0, atol=1e-6)
