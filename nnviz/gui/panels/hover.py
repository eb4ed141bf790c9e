"""The hover readout of the panels that draw bars per layer above lines over the steps."""

from __future__ import annotations

import math

import numpy as np


class BarsAndLinesReadout:
    """Mixin for a :class:`~nnviz.gui.panels.base.Panel` with ``_bar_at(scene_pos)``, ``line_plot``,
    ``lines`` (label -> curve item), ``show_readout_for_bar(k)``, ``_show_line_value(label, j)`` and
    ``_show_summary()``. The readout follows the mouse and is refreshed with every snapshot."""

    _hover = None

    def _on_mouse_moved(self, event) -> None:
        (pos,) = event
        k = self._bar_at(pos)
        vb = self.line_plot.getViewBox()
        if k is not None:
            self._hover = ("bar", k)
        elif vb.sceneBoundingRect().contains(pos):
            self._hover = ("line", vb.mapSceneToView(pos))
        else:
            self._hover = None
        self._render_readout()

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().leaveEvent(event)
        self._hover = None
        self._render_readout()

    def _render_readout(self) -> None:
        """The numbers under the mouse (updated with every snapshot), else the summary."""
        if self._snapshot is None:
            return
        if self._hover is not None and self._hover[0] == "bar":
            self.show_readout_for_bar(self._hover[1])
        elif self._hover is not None:
            self._show_line_readout(self._hover[1])
        else:
            self._show_summary()

    def _show_line_readout(self, point) -> None:
        """At the evaluation nearest the mouse's step: the line nearest the mouse."""
        steps = self._snapshot.history["eval_step"]
        if not steps.size:
            return
        j = int(np.clip(np.searchsorted(steps, point.x()), 0, steps.size - 1))
        if j > 0 and abs(steps[j - 1] - point.x()) <= abs(steps[j] - point.x()):
            j -= 1
        best, best_d = None, math.inf
        for label, item in self.lines.items():
            y = item.yData
            if y is not None and j < y.size and math.isfinite(y[j]) and abs(y[j] - point.y()) < best_d:
                best, best_d = label, abs(y[j] - point.y())
        if best is not None:
            self._show_line_value(best, j)
