"""Figures without a window: what ``nnviz export`` runs, on Qt's offscreen platform.

The panels are the app's own, drawn from the same snapshots, so a figure exported from a script is
the figure the app shows.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PySide6 import QtCore

from nnviz.core.experiment import Experiment
from nnviz.core.timeline import Timeline
from nnviz.gui.export import ExportError, check_output_path, export_figure, figure_title, prepare_offscreen
from nnviz.gui.formats import ANIMATION_FORMATS, REPORT_FORMATS
from nnviz.gui.panels.registry import PANELS, REPORT_PLOT, in_report, plot_choices

FIGURE_SIZE = (900, 560)  # logical pixels of one panel (a 2x PNG is 1800 wide)
DEFAULT_FRAMES = 40
EVALUATIONS = 100  # evaluation points (test loss, accuracy, layer health) over a run


class Diverged(ExportError):
    """Training the model before the figure made the loss NaN or infinite."""


def make_panel(plot: str):
    """A new panel widget for ``plot`` (a panel of the registry, by name), sized for a figure."""
    panel = PANELS[plot].load()()
    prepare_offscreen(panel, FIGURE_SIZE)
    return panel


@contextmanager
def panels_for_export():
    """``make(plot)`` makes panels that are deleted, with the QApplication still alive, when the
    block ends: pyqtgraph items left to the interpreter's shutdown can be torn down in an order
    that crashes."""
    made = []

    def make(plot: str):
        panel = make_panel(plot)
        made.append(panel)
        return panel

    try:
        yield make
    finally:
        for panel in made:
            panel.close()
            panel.deleteLater()
        made.clear()
        gc.collect()
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)


def draw(panel, snapshot) -> None:
    """Draw ``snapshot`` on a panel that is never shown: at once, not when shown."""
    panel.show_snapshot(snapshot)
    panel.catch_up()


def train(experiment: Experiment, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``steps`` optimizer steps with evaluation points along the way (for the loss curves); returns
    the optimizer's path, ``(steps, params)`` at the evaluation points (for the loss landscape)."""
    timeline = Timeline(every=1)
    if steps > 0:
        experiment.run_evaluated(steps, max(1, steps // EVALUATIONS), after=timeline.record)
    else:
        experiment.record_evaluation()
    if experiment.diverged:
        raise Diverged(f"training diverged at step {experiment.step}: the loss became NaN or infinite; try a "
                       f"smaller learning rate (it is {experiment.net.lr:g}); nothing was written")
    return timeline.path_to(experiment)


def export_plot(experiment: Experiment, plot: str, out, *, steps: int = 0, scale: float = 1.0,
                width: int | None = None, background: str = "white", title: bool = True,
                fps: float = 10.0, frames: int = DEFAULT_FRAMES) -> Path:
    """Train ``steps`` steps and write the ``plot`` figure (one of
    :func:`~nnviz.gui.panels.registry.plot_choices`) to ``out``, the format from its extension (see
    :mod:`nnviz.gui.formats`: a figure, an animation of the training, or for ``report`` the run
    report). Checks ``out`` before training, so a bad path costs nothing."""
    if plot not in plot_choices():
        raise ExportError(f"unknown plot {plot!r} (choose {', '.join(plot_choices())})")
    suffix = Path(out).suffix.lower().lstrip(".")
    if plot == REPORT_PLOT:
        check_output_path(out, REPORT_FORMATS)
        path = train(experiment, steps)
        return export_report(experiment, out, experiment.data.dataset, path)
    if suffix in ANIMATION_FORMATS:
        return record(experiment, plot, out, steps=steps, fps=fps, frames=frames, scale=scale)
    check_output_path(out)
    path = train(experiment, steps)
    with panels_for_export() as make:
        panel = make(plot)
        snapshot = experiment.snapshot()
        draw(panel, snapshot)
        panel.settle(path)
        return export_figure(panel, out, table=panel.export_table, scale=scale, width=width, background=background,
                             title=figure_title(snapshot, panel.export_title()) if title else None)


def record(experiment: Experiment, plot: str, out, *, steps: int, fps: float = 10.0, frames: int = DEFAULT_FRAMES,
           scale: float = 1.0) -> Path:
    """An animation of ``plot`` over ``steps`` steps, ``frames`` frames evenly spread (the first
    before any step). The decision surface is recorded with the loss beside it."""
    check_output_path(out, ANIMATION_FORMATS)
    if not PANELS[plot].recordable:
        raise ExportError(f"{out}: the {PANELS[plot].figure_name.lower()} is computed once, not recorded as an "
                          f"animation: export a figure (.png, .svg, .pdf) or its numbers (.csv)")
    if steps < 1:
        raise ExportError(f"{out}: an animation shows training: give the number of steps to record (--steps N)")
    frames = max(2, min(frames, steps + 1))
    with panels_for_export() as make:
        panels = [make(plot)] + ([make("loss")] if plot == "output" else [])
        return _record(experiment, panels, out, steps, fps, frames, scale)


def _record(experiment, panels, out, steps, fps, frames, scale) -> Path:
    from nnviz.gui.animation import Recorder

    recorder = Recorder(panels, out, fps=fps, title=lambda: figure_title(panels[0].snapshot, panels[0].export_title()),
                        scale=scale)
    try:
        done = 0
        for k in range(frames):
            target = round(k * steps / (frames - 1))
            if target > done:
                experiment.run(target - done)
                done = target
            experiment.record_evaluation()
            snapshot = experiment.snapshot()
            for panel in panels:
                draw(panel, snapshot)
            if experiment.diverged:
                raise Diverged(f"training diverged at step {experiment.step}: the loss became NaN or "
                               f"infinite; try a smaller learning rate; nothing was written")
            recorder.add_frame(f"step {snapshot.step}")
        return recorder.finish()
    except BaseException:
        recorder.cancel()
        raise


def export_report(experiment: Experiment, out, data_label: str, path=None) -> Path:
    """The run report of ``experiment`` as it is now, with a figure of every panel in the report
    (``path``: the optimizer's path, as :func:`train` returns it, for the loss landscape)."""
    from nnviz.gui.report import report_figures, write_report

    snapshot = experiment.snapshot()
    with panels_for_export() as make:
        panels = [make(spec.name) for spec in in_report()]
        for panel in panels:
            draw(panel, snapshot)
            panel.settle(path)
        figures = report_figures(panels)
    return write_report(out, experiment.to_document(), snapshot, data_label, figures)
