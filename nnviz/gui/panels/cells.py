"""The numbers written in a grid's cells (a confusion matrix's counts, a weight matrix's values) as
one plot item.

A ``pg.TextItem`` per cell costs ~1 ms to make and place (the digits' confusion matrix took ~90 ms
to build, a weight matrix as long) and Qt keeps a transform for each; :class:`CellTexts` writes
every cell's text in one ``paint`` at a fixed size in screen pixels, centred on the cell, whatever
the zoom, in any painter (the window, PNG, SVG and PDF exports alike).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from nnviz.gui.style import TEXT


class CellTexts(pg.GraphicsObject):
    """Texts centred on the cells of a ``rows`` × ``columns`` grid whose cell (i, j) is the unit
    square with its lower-left corner at ``origin + (j, i)`` in the view's coordinates."""

    def __init__(self, rows: int, columns: int, origin: tuple[float, float] = (0.0, 0.0), point_size: int = 8):
        super().__init__()
        self.rows, self.columns = rows, columns
        self._origin = origin
        self._texts = [""] * (rows * columns)
        self._colors = [QtGui.QColor(TEXT)] * (rows * columns)
        self._font = QtGui.QFont()
        self._font.setPointSize(point_size)
        self._bounds = QtCore.QRectF(origin[0], origin[1], columns, rows)

    def __len__(self) -> int:
        return len(self._texts)

    def texts(self) -> list[str]:
        """The cells' texts, row by row."""
        return list(self._texts)

    def colors(self) -> list[str]:
        """The cells' text colours (``#rrggbb``), row by row."""
        return [color.name() for color in self._colors]

    def set_cells(self, texts, colors) -> None:
        """Write ``texts[k]`` in colour ``colors[k]`` in cell k (row by row); repaints only if one changed."""
        texts = [str(t) for t in texts]
        colors = [QtGui.QColor(c) for c in colors]
        if len(texts) != len(self._texts) or len(colors) != len(texts):
            raise ValueError(f"{self.rows} × {self.columns} cells, {len(texts)} texts, {len(colors)} colours")
        if texts != self._texts or colors != self._colors:
            self._texts, self._colors = texts, colors
            self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt override)
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:
        transform = painter.transform()
        x0, y0 = self._origin
        painter.save()
        painter.resetTransform()  # the text in screen pixels, its centre where the cell's is drawn
        painter.setFont(self._font)
        metrics = QtGui.QFontMetricsF(self._font)
        height = metrics.height()
        flags = QtCore.Qt.AlignmentFlag.AlignCenter
        for k, text in enumerate(self._texts):
            if not text:
                continue
            i, j = divmod(k, self.columns)
            centre = transform.map(QtCore.QPointF(x0 + j + 0.5, y0 + i + 0.5))
            width = metrics.horizontalAdvance(text) + 2
            painter.setPen(self._colors[k])
            painter.drawText(QtCore.QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height), flags, text)
        painter.restore()
