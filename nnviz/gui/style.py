"""Colours and colour maps shared by every panel (TensorFlow Playground's palette)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

NEGATIVE = "#f59322"  # orange: negative weights, class 0
POSITIVE = "#0877bd"  # blue: positive weights, class 1
NEUTRAL = "#e8eaeb"
TEXT = "#333333"
GRID_LINE = "#d0d0d0"
TRAIN_COLOR = "#333333"
TEST_COLOR = "#9c27b0"
LR_COLOR = "#2e7d32"
SELECTED = "#d81b60"
FORWARD = "#2e7d32"  # forward-pass highlight
BACKWARD = "#c62828"  # backward-pass highlight


def diverging_colormap() -> pg.ColorMap:
    """Orange (negative) – white – blue (positive), for values centred on 0."""
    return pg.ColorMap([0.0, 0.5, 1.0], [QtGui.QColor(NEGATIVE), QtGui.QColor("#ffffff"), QtGui.QColor(POSITIVE)])


def diverging_lut(n: int = 256) -> np.ndarray:
    return diverging_colormap().getLookupTable(0.0, 1.0, n)


def setup_pyqtgraph() -> None:
    """A light theme that prints well; antialiasing on."""
    pg.setConfigOptions(background="w", foreground=TEXT, antialias=True, imageAxisOrder="row-major")


# -- colours taken from the palette, so that a dark desktop stays readable ---------------------------
def _luminance(color: QtGui.QColor) -> float:
    """WCAG relative luminance of an opaque colour."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(foreground, background) -> float:
    """WCAG contrast ratio of two colours (1 to 21; 4.5 is the least for body text)."""
    a, b = _luminance(QtGui.QColor(foreground)), _luminance(QtGui.QColor(background))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def readable(color, background, minimum: float = 4.5) -> QtGui.QColor:
    """``color``, made lighter or darker (keeping its hue) until it reads on ``background``."""
    color, background = QtGui.QColor(color), QtGui.QColor(background)
    dark_background = _luminance(background) < 0.18
    hue, saturation, lightness, _ = color.getHslF()
    hue = max(hue, 0.0)  # -1 for greys
    step = 0.04 if dark_background else -0.04
    while contrast_ratio(color, background) < minimum and 0.0 < lightness < 1.0:
        lightness = min(1.0, max(0.0, lightness + step))
        color = QtGui.QColor.fromHslF(hue, saturation, lightness)
    return color


def is_dark(palette: QtGui.QPalette | None = None) -> bool:
    """Whether the palette (by default the application's) draws light text on a dark window."""
    palette = palette if palette is not None else QtGui.QGuiApplication.palette()
    return _luminance(palette.color(QtGui.QPalette.ColorRole.Window)) < 0.18


def muted_text(palette: QtGui.QPalette | None = None) -> QtGui.QColor:
    """A quieter text colour (notes, placeholders) that still reads on the palette's window."""
    palette = palette if palette is not None else QtGui.QGuiApplication.palette()
    window = palette.color(QtGui.QPalette.ColorRole.Window)
    text = palette.color(QtGui.QPalette.ColorRole.WindowText)
    mixed = QtGui.QColor.fromRgbF(*(0.6 * t + 0.4 * w for t, w in zip(text.getRgbF()[:3], window.getRgbF()[:3])))
    return readable(mixed, window)


def text_on(background, palette: QtGui.QPalette | None = None) -> QtGui.QColor:
    """The palette's text colour when it reads on ``background``, else the plot theme's dark TEXT."""
    palette = palette if palette is not None else QtGui.QGuiApplication.palette()
    text = palette.color(QtGui.QPalette.ColorRole.Text)
    return text if contrast_ratio(text, background) >= 4.5 else readable(TEXT, background)


def on_window(color, widget=None) -> str:
    """``color`` (a message's red or green), made readable on the window behind ``widget``; a name for a style sheet."""
    palette = widget.palette() if widget is not None else QtGui.QGuiApplication.palette()
    return readable(color, palette.color(QtGui.QPalette.ColorRole.Window)).name()


class _PaletteWatcher(QtWidgets.QWidget):
    """A window never shown, which Qt tells when the application's palette changes. (A widget
    with a style sheet of its own is not told; ``QGuiApplication.paletteChanged`` is deprecated.)"""

    changed = QtCore.Signal()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self.changed.emit()


_watcher: _PaletteWatcher | None = None


def _palette_watcher() -> _PaletteWatcher:
    global _watcher
    if _watcher is None:
        _watcher = _PaletteWatcher()
        _watcher.setObjectName("nnviz palette watcher")
    return _watcher


class _PaletteStyle(QtCore.QObject):
    """Keeps a widget's style sheet made from the palette up to date (see :func:`palette_style`)."""

    def __init__(self, widget: QtWidgets.QWidget, style: Callable[[], str]):
        super().__init__(widget)  # lives, and stays connected, as long as the widget
        self._widget = widget
        self._style = style
        _palette_watcher().changed.connect(self.restyle)
        self.restyle()

    def restyle(self) -> None:
        style = self._style()
        if self._widget.styleSheet() != style:
            self._widget.setStyleSheet(style)


def palette_style(widget: QtWidgets.QWidget, style: Callable[[], str]) -> None:
    """Give ``widget`` the style sheet ``style()`` returns (colours from the application's palette,
    such as ``f"color: {muted_text().name()};"``), now and again whenever that palette changes: a
    desktop switching between light and dark while nnviz runs."""
    _PaletteStyle(widget, style)


# -- dock tabs: whole titles, scrolled through, never "Lo…" ------------------------------------------
class _WholeTabTitles(QtCore.QObject):
    """Watches a main window for the tab bars it makes as docks are tabbed together (again after
    each re-docking) and keeps their titles whole: a crowded bar scrolls instead of eliding."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QtCore.QEvent.Type.ChildAdded, QtCore.QEvent.Type.ChildPolished):
            child = event.child()
            if isinstance(child, QtWidgets.QTabBar):
                whole_tab_titles(child)
        return False


def whole_tab_titles(bar: QtWidgets.QTabBar) -> None:
    """Titles drawn whole; scroll buttons when they do not all fit."""
    if bar.elideMode() != QtCore.Qt.TextElideMode.ElideNone:
        bar.setElideMode(QtCore.Qt.TextElideMode.ElideNone)
    if not bar.usesScrollButtons():
        bar.setUsesScrollButtons(True)
    if bar.expanding():
        bar.setExpanding(False)


def keep_dock_tabs_whole(window: QtWidgets.QMainWindow) -> QtCore.QObject:
    """Make ``window``'s dock tab bars, now and later, show whole titles (see :class:`_WholeTabTitles`)."""
    watcher = _WholeTabTitles(window)
    window.installEventFilter(watcher)
    for bar in window.findChildren(QtWidgets.QTabBar):
        whole_tab_titles(bar)
    return watcher
