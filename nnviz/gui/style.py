"""Colours and colour maps shared by every panel (TensorFlow Playground's palette)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

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
