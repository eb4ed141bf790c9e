"""The loss panel plots the snapshot's history arrays as they are, fast, with smoothing and hover."""

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore

from nnviz.core.experiment import DataConfig, Experiment
from nnviz.gui.panels.loss import LossPanel, _Series, ema, snapped_range, step_bound

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def panel(make_panel):
    return make_panel(LossPanel, size=(700, 450))


@pytest.fixture(scope="module")
def snapshot():
    exp = Experiment()
    exp.snapshot()
    for _ in range(12):
        exp.run(25)
        snap = exp.snapshot()
    return snap


def _assert_plots(item, x, y):
    np.testing.assert_array_equal(item.xData, x)
    np.testing.assert_array_equal(item.yData, y)  # NaN equals NaN here


def test_curves_show_the_history_arrays(panel, snapshot):
    h = snapshot.history
    panel.show_snapshot(snapshot)

    _assert_plots(panel.batch_curve, h["step"], h["loss"])
    _assert_plots(panel.train_curve, h["eval_step"], h["train_loss"])
    _assert_plots(panel.test_curve, h["eval_step"], h["test_loss"])
    _assert_plots(panel.train_accuracy_curve, h["eval_step"], h["train_accuracy"])
    _assert_plots(panel.test_accuracy_curve, h["eval_step"], h["test_accuracy"])
    _assert_plots(panel.lr_curve, h["step"], h["lr"])
    assert h["step"].size == 300 and h["eval_step"].size == 13
    assert panel.accuracy_plot in panel.shown_plots


def test_batch_loss_can_be_hidden(panel, snapshot):
    panel.show_snapshot(snapshot)
    assert panel.batch_curve.isVisible()
    panel.batch_loss_box.setChecked(False)
    assert not panel.batch_curve.isVisible()
    assert panel.train_curve.isVisible()


def test_log_toggle_switches_the_loss_axis(panel, snapshot):
    panel.show_snapshot(snapshot)
    axis = panel.loss_plot.getAxis("left")
    assert not axis.logMode

    panel.log_y_box.setChecked(True)
    assert axis.logMode
    assert panel.train_curve.opts["logMode"][1]
    _, shown = panel.train_curve.getData()
    np.testing.assert_allclose(shown, np.log10(snapshot.history["train_loss"]))

    panel.log_y_box.setChecked(False)
    assert not axis.logMode


def test_smoothing_changes_the_curves_and_zero_restores_them(panel, snapshot):
    h = snapshot.history
    panel.show_snapshot(snapshot)

    panel.smoothing_slider.setValue(90)
    assert panel.smoothing == pytest.approx(0.9)
    assert not np.array_equal(panel.batch_curve.yData, h["loss"])
    np.testing.assert_allclose(panel.batch_curve.yData, ema(h["loss"], 0.9))
    np.testing.assert_allclose(panel.train_curve.yData, ema(h["train_loss"], 0.9))
    assert np.ptp(panel.batch_curve.yData) < np.ptp(h["loss"])  # smoother
    np.testing.assert_array_equal(panel.lr_curve.yData, h["lr"])  # the schedule is never smoothed
    panel.show_snapshot(snapshot)  # a new snapshot keeps the smoothing
    np.testing.assert_allclose(panel.batch_curve.yData, ema(h["loss"], 0.9))

    panel.smoothing_slider.setValue(0)
    np.testing.assert_array_equal(panel.batch_curve.yData, h["loss"])
    np.testing.assert_array_equal(panel.train_curve.yData, h["train_loss"])


def test_ema_matches_the_recurrence_and_skips_nan():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    x[[3, 17, 18]] = np.nan
    alpha = 0.7
    expected = np.full_like(x, np.nan)
    s = None
    for i, v in enumerate(x):
        if np.isfinite(v):
            s = v if s is None else alpha * s + (1 - alpha) * v
            expected[i] = s

    np.testing.assert_allclose(ema(x, alpha), expected)
    assert ema(x, 0.0) is not None and np.array_equal(ema(x, 0.0), x, equal_nan=True)
    assert np.isnan(ema(np.full(4, np.nan), 0.5)).all()


def test_regression_without_test_set_hides_accuracy_and_test_loss(panel):
    doc = {"format": "nnviz.model/1", "inputs": 1,
           "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                      {"type": "dense", "units": 1, "activation": "identity"}],
           "loss": "mse", "optimizer": {"name": "sgd", "lr": 0.1}, "seed": 0}
    exp = Experiment(doc, DataConfig(dataset="square", test_fraction=0.0))
    exp.snapshot()
    exp.run(20)
    snap = exp.snapshot()

    panel.show_snapshot(snap)

    assert np.isnan(snap.history["test_loss"]).all()
    assert panel.accuracy_plot not in panel.shown_plots
    assert panel.accuracy_plot.scene() is None
    assert not panel.test_curve.isVisible()
    _assert_plots(panel.train_curve, snap.history["eval_step"], snap.history["train_loss"])


def test_a_million_steps_are_downsampled_for_display(panel, snapshot, qtbot):
    n = 1_000_000
    step = np.arange(1, n + 1, dtype=np.float64)
    rng = np.random.default_rng(0)
    evals = np.linspace(0, n, 101)
    history = {"step": step, "loss": np.exp(-step / n) + 0.1 * rng.random(n), "lr": np.full(n, 0.03),
               "eval_step": evals, "train_loss": np.exp(-evals / n), "test_loss": np.exp(-evals / n) + 0.05,
               "train_accuracy": np.linspace(0.5, 1, 101), "test_accuracy": np.linspace(0.5, 0.95, 101)}
    big = replace(snapshot, history=history)

    panel.show_snapshot(big)
    panel.grab()  # render once

    assert panel.batch_curve.xData.size == n
    shown_x, _ = panel.batch_curve.getData()
    assert 0 < shown_x.size < 20_000
    assert panel.lr_curve.getData()[0].size < 20_000
    assert shown_x[-1] == pytest.approx(n, rel=0.01)


def test_hover_shows_the_losses_at_the_step(panel, snapshot, qtbot):
    h = snapshot.history
    panel.show_snapshot(snapshot)
    panel.grab()
    j = 6
    at = float(h["eval_step"][j])
    vb = panel.loss_plot.getViewBox()
    scene_pos = vb.mapViewToScene(QtCore.QPointF(at, vb.viewRect().center().y()))

    panel.view.scene().sigMouseMoved.emit(scene_pos)

    train, test = f"{h['train_loss'][j]:.4g}", f"{h['test_loss'][j]:.4g}"
    qtbot.waitUntil(lambda: train in panel.readout.text(), timeout=2000)
    text = panel.readout.text()
    assert test in text
    assert f"step {int(at):,}" in text
    i = int(np.flatnonzero(h["step"] == at)[0])
    assert f"{h['loss'][i]:.4g}" in text
    assert all(line.value() == pytest.approx(at) for line in panel.crosshairs)


# -- ranges: round bounds that change now and then, not on every frame ---------------------------
def _history(n: int) -> dict:
    """A synthetic history of ``n`` steps: losses between 0.4 and 0.6 from the first steps on."""
    step = np.arange(1, n + 1, dtype=np.float64)
    evals = np.arange(0, n + 1, 25, dtype=np.float64)
    return {"step": step, "loss": 0.5 + 0.1 * np.sin(step), "lr": np.full(n, 0.01), "eval_step": evals,
            "train_loss": 0.5 + 0.05 * np.cos(evals), "test_loss": 0.52 + 0.05 * np.cos(evals),
            "train_accuracy": np.full(evals.size, 0.9), "test_accuracy": np.full(evals.size, 0.85)}


def test_step_bounds_are_round_and_ahead():
    assert [step_bound(v) for v in (0, 1, 7, 1000, 1001, 2350, 8001, 1e6)] == \
        [1, 1, 8, 1000, 1200, 2500, 10000, 1e6]
    for last in np.geomspace(2, 1e7, 200):
        assert last <= step_bound(last) <= 1.34 * last  # the curves fill three quarters or more
    lo, hi = snapped_range(0.013, 0.71)
    assert lo < 0.013 and hi > 0.71 and snapped_range(0.012, 0.705) == (lo, hi)


def test_ranges_fit_the_data_and_stay_put_while_it_fits(panel, snapshot, qtbot):
    vb = panel.loss_plot.getViewBox()
    panel.show_snapshot(replace(snapshot, history=_history(900)))
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 < 1 and 1000 <= x1 < 1100  # to the round bound ahead of step 900
    assert y0 < 0.4 and 0.6 < y1 < 0.75
    panel.grab()
    axis = panel.loss_plot.getAxis("bottom")
    assert axis.picture is not None
    panel.show_snapshot(replace(snapshot, history=_history(950)))
    assert vb.viewRange() == [[x0, x1], [y0, y1]]  # the same range: the axes are not laid out again
    assert axis.picture is not None
    assert vb.state["autoRange"] == [False, False]  # pyqtgraph does not scan the data for bounds
    panel.show_snapshot(replace(snapshot, history=_history(1100)))
    assert 1200 <= vb.viewRange()[0][1] < 1300
    assert panel.lr_plot.getViewBox().viewRange()[0] == vb.viewRange()[0]  # the plots share the steps


def test_the_loss_range_follows_the_log_axis(panel, snapshot):
    panel.show_snapshot(snapshot)
    panel.log_y_box.setChecked(True)
    vb = panel.loss_plot.getViewBox()
    assert vb.state["autoRange"] == [False, False]
    h = snapshot.history
    shown = np.log10(np.concatenate([h["loss"], h["train_loss"], h["test_loss"]]))
    y0, y1 = vb.viewRange()[1]
    assert y0 <= shown.min() and shown.max() <= y1


def test_a_range_the_user_moved_stays_where_it_is(panel, snapshot):
    vb = panel.loss_plot.getViewBox()
    panel.show_snapshot(replace(snapshot, history=_history(900)))
    vb.setRange(xRange=(100, 200), yRange=(0.45, 0.55), padding=0)
    vb.sigRangeChangedManually.emit([True, True])  # as a drag or the mouse wheel does
    panel.show_snapshot(replace(snapshot, history=_history(2000)))
    assert vb.viewRange() == [[100, 200], [0.45, 0.55]]


# -- the hover readout: of this run only, and never in a figure -----------------------------------
def test_a_new_run_clears_the_readout_and_training_on_keeps_it(panel):
    from nnviz.gui.panels.loss import READOUT_HINT

    exp = Experiment()
    exp.run_evaluated(40, 10)
    panel.show_snapshot(exp.snapshot())
    panel.show_readout_at(20)
    assert "step 20" in panel.readout_text() and panel.crosshairs[0].isVisible()
    exp.run_evaluated(10, 10)
    panel.show_snapshot(exp.snapshot())
    assert "step 20" in panel.readout_text()  # the same run: step 20 is still as it was

    exp.reset()
    panel.show_snapshot(exp.snapshot())
    assert panel.readout_text() == READOUT_HINT
    assert not any(line.isVisible() for line in panel.crosshairs)


def test_exported_figures_leave_the_crosshair_out(panel, snapshot, tmp_path):
    from nnviz.gui.export import export_svg, figure_widget, render_image

    panel.show_snapshot(snapshot)
    plain = render_image(figure_widget(panel))
    panel.show_readout_at(150)
    assert panel.crosshairs[0].isVisible()
    hovered = render_image(figure_widget(panel))
    assert hovered == plain
    assert panel.crosshairs[0].isVisible()  # still there on screen afterwards
    svg_plain = export_svg(figure_widget(panel), tmp_path / "a.svg", title="Loss").read_text()
    panel.clear_readout()
    svg_clear = export_svg(figure_widget(panel), tmp_path / "b.svg", title="Loss").read_text()
    assert svg_plain == svg_clear


# -- smoothing in NumPy, extended frame by frame ------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.01, 0.5, 0.9, 0.99])
def test_ema_gives_the_numbers_of_scipy_lfilter(alpha):
    lfilter = pytest.importorskip("scipy.signal").lfilter  # what the panel used before
    rng = np.random.default_rng(1)
    for x in (rng.exponential(size=100_000), rng.normal(size=3_000) * 1e3, np.array([2.5])):
        expected, _ = lfilter([1.0 - alpha], [1.0, -alpha], x, zi=[alpha * x[0]])
        np.testing.assert_allclose(ema(x, alpha), expected, rtol=1e-12, atol=1e-12 * np.abs(x).max())


def test_ema_goes_on_from_where_it_stopped():
    rng = np.random.default_rng(2)
    x = rng.exponential(size=1000)
    whole = ema(x, 0.8)
    head = ema(x[:600], 0.8)
    np.testing.assert_allclose(np.concatenate([head, ema(x[600:], 0.8, start=head[-1])]), whole, rtol=1e-13)


def test_a_growing_series_is_smoothed_by_its_new_points_alone():
    rng = np.random.default_rng(3)
    x = rng.exponential(size=5000)
    x[[10, 2500, 4999]] = np.nan
    series = _Series()
    for end in (0, 1, 7, 1200, 1200, 4999, 5000):
        drawn = series.drawn(x[:end], 0.9)
        np.testing.assert_allclose(drawn, ema(x[:end], 0.9), rtol=1e-12)
    finite = drawn[np.isfinite(drawn)]
    assert series.bounds() == (finite.min(), finite.max())
    assert series.bounds(log=True) == pytest.approx((np.log10(finite.min()), np.log10(finite.max())))


def test_a_series_that_changed_behind_its_end_is_smoothed_again():
    x = np.arange(1.0, 101.0)
    series = _Series()
    series.drawn(x, 0.5)
    changed = x.copy()
    changed[-1] = 7.0  # the same length: a history decimated or replaced, not grown
    np.testing.assert_array_equal(series.drawn(changed, 0.5), ema(changed, 0.5))
    np.testing.assert_array_equal(series.drawn(changed[:50], 0.5), ema(changed[:50], 0.5))  # shorter
    np.testing.assert_array_equal(series.drawn(changed[:50], 0.2), ema(changed[:50], 0.2))  # other smoothing


def test_smoothed_curves_follow_a_run_frame_by_frame(panel):
    exp = Experiment()
    panel.smoothing_slider.setValue(60)
    for _ in range(5):
        exp.run(30)
        exp.record_evaluation()
        panel.show_snapshot(exp.snapshot())
    h = panel.snapshot.history
    np.testing.assert_allclose(panel.batch_curve.yData, ema(h["loss"], 0.6), rtol=1e-12)
    np.testing.assert_allclose(panel.train_curve.yData, ema(h["train_loss"], 0.6), rtol=1e-12)
    exp.reset()  # a new run: its own history, from its first point
    exp.run(10)
    panel.show_snapshot(exp.snapshot())
    np.testing.assert_allclose(panel.batch_curve.yData, ema(exp.snapshot().history["loss"], 0.6), rtol=1e-12)


def test_opening_the_window_does_not_import_scipy_signal(tmp_path):
    """Start-up imports only what the first frame needs: scipy.signal alone took half a second."""
    script = (
        "import sys\n"
        "from PySide6 import QtCore\n"
        "from nnviz.gui.app import create_application\n"
        "from nnviz.gui.main_window import MainWindow\n"
        "app = create_application()\n"
        "window = MainWindow()\n"
        "window.show()\n"
        "window.session.snapshot_ready.connect(lambda snapshot: QtCore.QTimer.singleShot(0, app.quit))\n"
        "QtCore.QTimer.singleShot(60_000, app.quit)\n"
        "app.exec()\n"
        "window.session.shutdown()\n"
        "print(window.loss.snapshot is not None, 'scipy.signal' in sys.modules)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["True", "False"]  # the first snapshot drawn, scipy.signal not imported


# -- a decimated history: min/max rows for the raw curve, means for the smoothed one -----------------
def _decimated(steps: int, cap: int = 200) -> tuple[dict, np.ndarray]:
    """A history of ``steps`` noisy losses with a spike at step 777, decimated to ``cap`` rows at
    most; and the losses themselves."""
    from nnviz.core.history import History

    rng = np.random.default_rng(7)
    losses = 0.5 + 0.1 * rng.standard_normal(steps)
    losses[776] = 5.0
    history = History(rows=100, cap=cap)
    for i, loss in enumerate(losses):
        history.append(i + 1, 10 * (i + 1), 0.01, loss, 1.0)
    evals = np.arange(0.0, steps + 1, 100)
    return {"step": history.run_steps.view(), "loss": history["loss"].view(), "lr": history["lr"].view(),
            "loss_mean": history.loss_mean.view(), "eval_step": evals, "train_loss": np.full(evals.size, 0.5),
            "test_loss": np.full(evals.size, 0.52), "train_accuracy": np.full(evals.size, 0.9),
            "test_accuracy": np.full(evals.size, 0.85)}, losses


def _smoothed_over_steps(values, steps, alpha):
    """The average a step at a time: a row ``g`` steps after the one before stands for ``g`` steps."""
    out, s, before = [], values[0], steps[0] - 1
    for value, step in zip(values, steps):
        weight = alpha ** (step - before)
        s = weight * s + (1 - weight) * value
        out.append(s)
        before = step
    return np.array(out)


def test_a_decimated_history_shows_its_spikes_raw_and_its_means_smoothed(panel, snapshot):
    h, losses = _decimated(3000)
    assert len(h["step"]) < 200 and h["step"][-1] == 3000  # decimated into buckets of steps
    panel.show_snapshot(replace(snapshot, history=h, step=3000))

    _assert_plots(panel.batch_curve, h["step"], h["loss"])  # raw: each bucket's lowest and highest
    assert panel.batch_curve.yData.max() == 5.0 and panel.batch_curve.yData.min() == losses.min()

    panel.smoothing_slider.setValue(90)
    smoothed = panel.batch_curve.yData
    np.testing.assert_array_equal(panel.batch_curve.xData, h["step"])  # at each row's step
    np.testing.assert_allclose(smoothed, _smoothed_over_steps(h["loss_mean"], h["step"], 0.9), rtol=1e-9)
    assert not np.allclose(smoothed, ema(h["loss"], 0.9))  # not the lows and highs smoothed
    # the mean over the steps: near the losses' own level, far from the spike
    assert abs(np.median(smoothed) - 0.5) < 0.05 and smoothed.max() < 1.0


def test_a_history_decimated_frame_by_frame_is_smoothed_as_a_whole(panel, snapshot):
    from nnviz.core.history import History

    panel.smoothing_slider.setValue(80)
    rng = np.random.default_rng(2)
    history = History(rows=100, cap=64)
    for frame in range(12):  # decimated several times along the way
        for i in range(frame * 40, (frame + 1) * 40):
            history.append(i + 1, i + 1, 0.01, float(rng.exponential()), 1.0)
        h = {"step": history.run_steps.view(), "loss": history["loss"].view(), "lr": history["lr"].view(),
             "loss_mean": history.loss_mean.view(), **{k: snapshot.history[k] for k in (
                 "eval_step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")}}
        panel.show_snapshot(replace(snapshot, history=h))
        np.testing.assert_allclose(panel.batch_curve.yData, _smoothed_over_steps(h["loss_mean"], h["step"], 0.8),
                                   rtol=1e-9)
    assert len(h["step"]) < 480


def test_ema_over_gaps_of_steps_matches_the_recurrence_and_skips_nan():
    rng = np.random.default_rng(4)
    steps = np.cumsum(rng.integers(1, 9, 300)).astype(np.float64)
    x = rng.normal(size=300)
    gaps = np.diff(steps, prepend=steps[0] - 1)
    np.testing.assert_allclose(ema(x, 0.95, gaps=gaps), _smoothed_over_steps(x, steps, 0.95), rtol=1e-10)
    np.testing.assert_array_equal(ema(x, 0.95, gaps=np.ones(300)), ema(x, 0.95))
    x[[0, 50, 51]] = np.nan  # skipped: their steps count towards the next point's gap
    finite = np.isfinite(x)
    expected = np.full(300, np.nan)
    expected[finite] = _smoothed_over_steps(x[finite], steps[finite], 0.95)
    # the first finite point starts the average, whatever came before it
    np.testing.assert_allclose(ema(x, 0.95, gaps=gaps), expected, rtol=1e-10)


# -- the legend sits where the curves are not ------------------------------------------------------
def _trend_history(n: int, rising: bool) -> dict:
    step = np.arange(1, n + 1, dtype=np.float64)
    evals = np.arange(0, n + 1, 25, dtype=np.float64)

    def curve(x):
        t = x / n
        return 0.05 + 0.9 * (t if rising else 1.0 - t)
    return {"step": step, "loss": curve(step), "lr": np.full(n, 0.01), "eval_step": evals,
            "train_loss": curve(evals), "test_loss": curve(evals) + 0.01,
            "train_accuracy": np.full(evals.size, 0.9), "test_accuracy": np.full(evals.size, 0.85)}


def _points_under_legend(panel) -> int:
    panel.view.grab()  # laid out and painted as a person sees it
    vb = panel.loss_plot.getViewBox()
    box = vb.mapSceneToView(panel.legend.sceneBoundingRect()).boundingRect()
    x, y = panel.train_curve.getData()
    return sum(box.contains(QtCore.QPointF(float(a), float(b))) for a, b in zip(x, y))


@pytest.mark.parametrize("rising", [False, True])
def test_the_legend_leaves_the_newest_points_uncovered(panel, snapshot, rising):
    panel.show_snapshot(replace(snapshot, history=_trend_history(2000, rising)))
    panel.show_snapshot(replace(snapshot, history=_trend_history(2000, rising)))  # placed with its size known
    assert _points_under_legend(panel) == 0
    if rising:  # the newest points are top right: the legend has moved
        assert panel.legend_corner() != "top-right"
    else:  # a falling curve leaves the top right free
        assert panel.legend_corner() == "top-right"


def test_an_axis_title_too_long_for_a_short_plot_is_left_out(panel, snapshot, qtbot):
    """Squeezed (the step-through takes the room), the accuracy and rate rows are a few pixels high:
    their turned titles would run into the next row's, so they go, and come back given the room."""
    panel.show_snapshot(snapshot)
    titles = {plot: plot.getAxis("left").label for plot in panel.shown_plots}
    assert len(titles) == 3
    qtbot.waitUntil(lambda: all(label.isVisible() for label in titles.values()))  # 700 × 450: room for all
    panel.resize(700, 190)
    qtbot.waitUntil(lambda: not titles[panel.accuracy_plot].isVisible())
    for plot, label in titles.items():  # shown exactly where the title fits along its plot
        assert label.isVisible() == (label.boundingRect().width() <= plot.getViewBox().height() + 6)
    panel.resize(700, 450)
    qtbot.waitUntil(lambda: all(label.isVisible() for label in titles.values()))
