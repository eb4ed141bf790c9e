"""The panels' dock tabs show their titles whole at the window widths people use (1440 and 1600 px):
a crowded tab bar scrolls instead of cutting "Loss" to "Lo…"."""

import pytest
from PySide6 import QtCore, QtWidgets

from nnviz.gui.panels.registry import PANELS


@pytest.mark.parametrize("size", [(1440, 900), (1600, 1000)])
def test_dock_tabs_show_whole_titles(main_window, qtbot, size):
    window = main_window
    window.resize(*size)
    qtbot.wait_until(lambda: window.width() == size[0])
    # the right-hand docks as narrow as a person may leave them beside a large graph
    window.resizeDocks([window.docks["loss"]], [420], QtCore.Qt.Orientation.Horizontal)
    qtbot.wait_until(lambda: window.docks["loss"].width() <= 440)
    bars = [bar for bar in window.findChildren(QtWidgets.QTabBar)
            if bar.parent() is window and bar.isVisible() and bar.count() > 1]  # the docks' tab bars
    assert bars, "the tabbed panels have a tab bar"
    titles = {spec.title for spec in PANELS.values()}
    seen = set()
    for bar in bars:
        metrics = bar.fontMetrics()
        for i in range(bar.count()):
            text = bar.tabText(i)
            seen.add(text)
            # the tab is at least as wide as its whole title (an elided tab is narrower)
            assert bar.tabRect(i).width() >= metrics.horizontalAdvance(text), text
    assert {"Loss", "Activations", "Gradients"} <= seen <= titles


def test_a_re_docked_panel_keeps_whole_titles(main_window, qtbot):
    """QMainWindow makes new tab bars when docks are tabbed together again."""
    window = main_window
    loss, weights = window.docks["loss"], window.docks["weights"]
    window.removeDockWidget(weights)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, weights)
    window.tabifyDockWidget(loss, weights)
    weights.show()
    qtbot.wait_until(lambda: any(bar.tabText(i) == "Weights" for bar in window.findChildren(QtWidgets.QTabBar)
                                 for i in range(bar.count())))
    bars = [bar for bar in window.findChildren(QtWidgets.QTabBar) if bar.parent() is window]
    assert bars
    for bar in bars:
        assert bar.elideMode().name == "ElideNone"
