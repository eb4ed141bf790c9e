"""The contract every snapshot panel keeps: one entry point, one draw-when-shown rule, the export
hooks and a demo snapshot for the quick look.

``Panel`` is a mixin put before the Qt class (``class LossPanel(Panel, QtWidgets.QWidget)``):
Shiboken's metaclass conflicts with ``abc.ABC``'s, so the hooks a panel must fill in raise
``NotImplementedError`` instead of being abstract methods.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class Panel:
    """A widget that draws :class:`~nnviz.core.experiment.Snapshot` objects.

    The rule: :meth:`show_snapshot` draws at once while any of the panel is on screen; a hidden
    panel (a closed dock, a widget never shown, a dock behind another's tab) only keeps the newest
    snapshot and draws it when it is shown or :meth:`catch_up` is called. Qt moves a dock behind a
    tab off screen without hiding it, so no show event comes when its tab is raised: whoever owns
    the dock calls :meth:`catch_up` then (the window does, on the dock's ``visibilityChanged``), as
    does export before a panel is pictured. Subclasses fill in :meth:`_draw_snapshot` and, when
    they can be exported, :meth:`export_title` and :meth:`export_table`.
    """

    _snapshot = None
    _stale = False  # the newest snapshot waits to be drawn

    # -- the entry point --------------------------------------------------------------------------
    def show_snapshot(self, snapshot) -> None:
        """Draw ``snapshot`` now if the panel is visible, else when it is shown."""
        self._snapshot = snapshot
        self.redraw()

    def keep_snapshot(self, snapshot) -> None:
        """Take ``snapshot`` without drawing it: it waits (:attr:`stale`) for :meth:`redraw`, for the
        panel to be shown or for :meth:`catch_up`."""
        self._snapshot = snapshot
        self._stale = True

    @property
    def snapshot(self):
        """The newest snapshot given (drawn, or waiting to be drawn), or None."""
        return self._snapshot

    @property
    def stale(self) -> bool:
        """True while the newest snapshot waits for the panel to be shown."""
        return self._stale

    def redraw(self) -> None:
        """Draw the newest snapshot again (a setting of the panel changed): now if visible, else
        when shown."""
        if self._snapshot is None:
            return
        if self.on_screen():
            self._draw_now()
        else:
            self._stale = True

    def on_screen(self) -> bool:
        """Whether any of the panel is in its window's area and shown (the graph's plot covers it
        whole, so ``visibleRegion()``, which leaves out children, is no test)."""
        if not self.isVisible():
            return False
        window = self.window()
        return window.rect().intersects(QtCore.QRect(self.mapTo(window, QtCore.QPoint(0, 0)), self.size()))

    def catch_up(self) -> None:
        """Draw the snapshot a hidden panel has kept, so that what it would show is up to date."""
        if self._stale:
            self._draw_now()

    def _draw_now(self) -> None:
        self._stale = False
        self._draw_snapshot(self._snapshot)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.catch_up()

    # -- what a panel fills in --------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        """Draw ``snapshot`` (the panel is visible, or is about to be exported)."""
        raise NotImplementedError(f"{type(self).__name__} must draw snapshots")

    def export_title(self) -> str:
        """The figure's title (the panel and what it shows now)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be exported")

    def export_table(self) -> tuple[list[str], list[list]]:
        """The numbers drawn, as ``(header, rows)`` for CSV."""
        raise NotImplementedError(f"{type(self).__name__} has no numbers to export")

    def figure_crop(self, widget: QtWidgets.QWidget) -> QtCore.QRect | None:
        """The part of ``widget`` (this panel or the part of it a figure shows) worth a figure, in
        ``widget``'s coordinates; None (the default) for all of it. A panel that draws at a fixed
        scale in a view of any shape (the network graph) leaves out the empty bands around it."""
        return None

    def settle(self, path=None) -> None:
        """Complete here and now whatever the panel computes in the background, for a figure drawn
        without a window (``nnviz export``, the run report); ``path`` is the optimizer's path so far,
        ``(steps, params)`` as :meth:`~nnviz.core.timeline.Timeline.path_to` gives it, for a panel
        that draws it. Nothing to do by default."""

    def has_figure(self) -> bool:
        """Whether the panel shows anything worth a figure of the run report (a panel that computes
        only when asked has nothing before it is asked); True by default."""
        return True

    @classmethod
    def has_table(cls) -> bool:
        """Whether the panel's numbers can be exported (it defines :meth:`export_table`)."""
        return cls.export_table is not Panel.export_table

    @classmethod
    def demo_snapshot(cls):
        """A snapshot that shows the panel well, for its quick look (``python -m nnviz.gui.panels.alone
        NAME``): by default the default model after a short real run."""
        from nnviz.core.experiment import Experiment

        experiment = Experiment()
        experiment.run_evaluated(300, every=20)
        return experiment.snapshot()


def cache_axes(plot) -> None:
    """Keep a plot's left and bottom axes (with their grid) as pixmaps: drawing an axis is most of
    a frame, and Qt draws a cached one again only when its range or size changes (so panels change
    ranges only now and then)."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        axis.label.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
