"""The numbers written in a grid's cells as one plot item (the confusion matrix, the weight matrix)."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtSvg

from nnviz.gui.panels.cells import CellTexts


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget(background="w")
    widget.resize(300, 300)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def ink(image: QtGui.QImage, colour: str) -> np.ndarray:
    """(rows, columns) mask of the pixels of ``image`` near ``colour``."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    target = QtGui.QColor(colour)
    rgb = pixels[:, : image.width(), 2::-1].astype(int)  # BGRA -> RGB
    return np.abs(rgb - [target.red(), target.green(), target.blue()]).sum(axis=2) < 120


def text_boxes(plot, cells) -> list[QtCore.QRect]:
    """The bounding box of the red ink around each cell's centre, in the widget's pixels."""
    image = plot.grab().toImage()
    mask = ink(image, "#ff0000")
    view = plot.getViewBox()
    boxes = []
    for k in range(len(cells)):
        i, j = divmod(k, cells.columns)
        centre = plot.mapFromScene(view.mapViewToScene(QtCore.QPointF(j + 0.5, i + 0.5)))
        x, y = centre.x(), centre.y()
        window = mask[y - 15:y + 15, x - 30:x + 30]
        rows, cols = np.nonzero(window)
        assert rows.size, f"no text at cell {k}"
        boxes.append((cols.min() + x - 30, rows.min() + y - 15, cols.max() + x - 30, rows.max() + y - 15))
    return boxes


def test_each_cell_shows_its_text_centred_at_one_size_whatever_the_zoom(qtbot, plot):
    cells = CellTexts(2, 2, point_size=10)
    plot.addItem(cells)
    cells.set_cells(["1", "22", "333", "4444"], ["#ff0000"] * 4)
    plot.getViewBox().setRange(xRange=(0, 2), yRange=(0, 2), padding=0)
    qtbot.waitUntil(lambda: plot.isVisible())
    boxes = text_boxes(plot, cells)
    widths = [right - left for left, _, right, _ in boxes]
    assert widths[0] < widths[1] < widths[2] < widths[3]  # longer text, wider
    plot.getViewBox().setRange(xRange=(-1, 3), yRange=(-1, 3), padding=0)  # zoomed out: cells half as big
    assert [right - left for left, _, right, _ in text_boxes(plot, cells)] == pytest.approx(widths, abs=1)


def test_texts_and_colours_are_given_back_and_must_fill_the_grid(plot):
    cells = CellTexts(1, 3)
    cells.set_cells([1, 2, 3], ["#ffffff", "#333333", "#ff0000"])
    assert cells.texts() == ["1", "2", "3"] and cells.colors() == ["#ffffff", "#333333", "#ff0000"]
    with pytest.raises(ValueError, match="1 × 3 cells, 2 texts"):
        cells.set_cells(["1", "2"], ["#ffffff"] * 2)


def test_an_svg_of_the_plot_carries_the_texts(tmp_path, plot):
    cells = CellTexts(1, 2)
    plot.addItem(cells)
    cells.set_cells(["417", "86"], ["#333333"] * 2)
    generator = QtSvg.QSvgGenerator()
    path = tmp_path / "cells.svg"
    generator.setFileName(str(path))
    generator.setSize(plot.size())
    painter = QtGui.QPainter(generator)
    plot.render(painter)
    painter.end()
    svg = path.read_text()
    assert ">417<" in svg and ">86<" in svg
