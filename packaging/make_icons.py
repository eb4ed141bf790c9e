"""Render the application icon's PNGs from its SVG with Qt's own SVG renderer.

    python packaging/make_icons.py

writes ``resources/icons/nnviz-<size>.png`` for every size in ``SIZES`` from ``resources/icons/nnviz.svg``,
and from ``nnviz-small.svg`` (fewer, pixel-aligned lines) for the sizes in ``SMALL``.
Run it after editing the SVG and commit the PNGs: the app, the .desktop file and the bundle use the PNGs,
so a machine without Qt's SVG plugin still shows the icon.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL = (16, 24)  # below 32 px the full drawing blurs into a blob


def render(svg: Path, size: int):
    """The SVG drawn into a transparent ``size`` × ``size`` image."""
    from PySide6 import QtCore, QtGui, QtSvg

    renderer = QtSvg.QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: error: {svg}: not a valid SVG")
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QtCore.QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtGui

    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication(sys.argv[:1])  # QImage text needs one
    for size in SIZES:
        svg = ICONS / ("nnviz-small.svg" if size in SMALL else "nnviz.svg")
        out = ICONS / f"nnviz-{size}.png"
        if not render(svg, size).save(str(out)):
            print(f"make_icons: error: {out}: cannot write", file=sys.stderr)
            return 1
        print(f"wrote {out.relative_to(ICONS.parents[1])}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
