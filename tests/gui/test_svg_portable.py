"""Exported SVGs draw the same outside Qt: each panel's SVG, rendered by librsvg (``rsvg-convert``,
behind most Linux viewers, ImageMagick and many slide tools) and by Qt's own SVG renderer, matches the
PNG export of the same panel and snapshot."""

import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtSvg

from nnviz.core.experiment import DataConfig, Experiment
from nnviz.gui.export import export_figure, portable_svg
from nnviz.gui.headless import draw, panels_for_export, train
from nnviz.gui.panels.registry import REPORT_PLOT, plot_choices
from nnviz.gui.style import setup_pyqtgraph

FIGURES = [p for p in plot_choices() if p != REPORT_PLOT]
RSVG = shutil.which("rsvg-convert")
needs_rsvg = pytest.mark.skipif(
    RSVG is None, reason="rsvg-convert is not installed (Debian package librsvg2-bin): "
                         "cannot check that SVG exports draw the same outside Qt")
SVG = "{http://www.w3.org/2000/svg}"
BLOCK = 8  # pixels: the images are compared as means of 8 x 8 blocks (antialiasing and fonts differ)
MAX_MEAN_DIFFERENCE = 3.0  # grey levels (of 255), averaged over the blocks
MAX_DIFFERENT_BLOCKS = 0.01  # the share of blocks more than 40 grey levels apart (a slab, a stripe)
# Panels whose SVG is known not to match (none: the graph's heatmap tiles, once the whole sprite in
# every neuron, are each their own image in an SVG since _HeatmapAtlas.paint draws them so).
KNOWN_BROKEN: set[str] = set()


def grey_blocks(image: QtGui.QImage) -> np.ndarray:
    """Block means of ``image`` composed on white, in grey levels."""
    flat = QtGui.QImage(image.size(), QtGui.QImage.Format.Format_RGB32)
    flat.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    grey = flat.convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    data = np.frombuffer(grey.constBits(), dtype=np.uint8, count=grey.sizeInBytes())
    g = data.reshape(grey.height(), grey.bytesPerLine())[:, : grey.width()].astype(float)
    h, w = g.shape[0] // BLOCK * BLOCK, g.shape[1] // BLOCK * BLOCK
    return g[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).mean(axis=(1, 3))


def difference(png: QtGui.QImage, other: QtGui.QImage) -> tuple[float, float]:
    """(mean block difference, share of blocks more than 40 grey levels apart)."""
    assert (other.width(), other.height()) == (png.width(), png.height())
    diff = np.abs(grey_blocks(png) - grey_blocks(other))
    return float(diff.mean()), float((diff > 40).mean())


def exports(tmp_path, plot):
    """The PNG and the SVG export of one panel showing one snapshot, in the app's light theme."""
    setup_pyqtgraph()
    experiment = Experiment(data=DataConfig(dataset="xor2d", n=120, test_fraction=0.25, batch_size=10))
    train(experiment, 60)
    with panels_for_export() as make:
        panel = make(plot)
        draw(panel, experiment.snapshot())
        png = export_figure(panel, tmp_path / f"{plot}.png", title="Exclusive or")
        svg = export_figure(panel, tmp_path / f"{plot}.svg", title="Exclusive or")
    image = QtGui.QImage(str(png))
    assert not image.isNull()
    return image, svg


def rsvg_render(svg, width, height, out) -> QtGui.QImage:
    subprocess.run([RSVG, "-w", str(width), "-h", str(height), "-o", str(out), str(svg)], check=True,
                   capture_output=True, timeout=60)
    image = QtGui.QImage(str(out))
    assert not image.isNull()
    return image


def qt_render(svg, width, height) -> QtGui.QImage:
    renderer = QtSvg.QSvgRenderer(str(svg))
    assert renderer.isValid()
    image = QtGui.QImage(width, height, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def known(plot):
    return pytest.param(plot, marks=pytest.mark.xfail(strict=True, reason="heatmap sprite, see KNOWN_BROKEN")) \
        if plot in KNOWN_BROKEN else plot


@needs_rsvg
@pytest.mark.parametrize("plot", [known(p) for p in FIGURES])
def test_svg_drawn_by_librsvg_matches_the_png(qtbot, tmp_path, plot):
    png, svg = exports(tmp_path, plot)
    drawn = rsvg_render(svg, png.width(), png.height(), tmp_path / "rsvg.png")
    mean, slabs = difference(png, drawn)
    assert mean < MAX_MEAN_DIFFERENCE and slabs < MAX_DIFFERENT_BLOCKS, (plot, mean, slabs)


@pytest.mark.parametrize("plot", [known(p) for p in FIGURES])
def test_svg_drawn_by_qt_matches_the_png(qtbot, tmp_path, plot):
    png, svg = exports(tmp_path, plot)
    mean, slabs = difference(png, qt_render(svg, png.width(), png.height()))
    assert mean < MAX_MEAN_DIFFERENCE and slabs < MAX_DIFFERENT_BLOCKS, (plot, mean, slabs)


@pytest.mark.parametrize("plot", FIGURES)
def test_svg_has_no_non_scaling_strokes(qtbot, tmp_path, plot):
    _, svg = exports(tmp_path, plot)
    text = svg.read_text()
    assert "non-scaling-stroke" not in text
    assert ET.parse(svg).getroot().tag == f"{SVG}svg"


def test_a_cosmetic_curve_is_mapped_into_user_units_and_text_keeps_its_transform():
    # a curve from (0, 1) to (2, 3) under x' = 10x + 5, y' = -100y + 400, drawn one pixel wide on
    # screen; the text beside it is drawn under the same transform
    source = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 500">
<g stroke="#00ff00" stroke-width="1" transform="matrix(10,0,0,-100,5,400)">
<polyline fill="none" vector-effect="non-scaling-stroke" points="0,1 2,3 " />
<text x="1" y="2">a</text>
</g></svg>"""
    root = ET.fromstring(portable_svg(source))
    group = root.find(f"{SVG}g")
    assert group.get("transform") is None
    path = group.find(f"{SVG}path")
    assert path.get("vector-effect") is None and path.get("fill") == "none"
    numbers = [float(v) for v in path.get("d").replace("M", " ").replace("L", " ").replace(",", " ").split()]
    assert numbers == [5.0, 300.0, 25.0, 100.0]
    assert group.find(f"{SVG}text").get("transform") == "matrix(10,0,0,-100,5,400)"


def test_a_shift_moves_the_drawing_and_keeps_the_title_element():
    source = b"""<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><defs/><rect width="1" height="1"/></svg>"""
    root = ET.fromstring(portable_svg(source, shift=44))
    assert root.find(f"{SVG}title").text == "t"
    wrapper = root.find(f"{SVG}g")
    assert wrapper.get("transform") == "translate(0,44)"
    assert wrapper.find(f"{SVG}rect") is not None and root.find(f"{SVG}rect") is None


def test_an_svg_the_rewriting_does_not_understand_is_written_as_qt_drew_it(qtbot, tmp_path, monkeypatch):
    from nnviz.gui import export

    def refuse(data, shift=0):
        raise ValueError("unexpected")

    monkeypatch.setattr(export, "portable_svg", refuse)
    png, svg = exports(tmp_path, "loss")
    root = ET.parse(svg).getroot()
    assert "non-scaling-stroke" in svg.read_text()  # Qt's SVG, not rewritten
    holders = [g for g in root.iter(f"{SVG}g")
               if any("Exclusive or" in "".join(t.itertext()) for t in g.findall(f"{SVG}text"))]
    # the title drawn in place (not above the origin, waiting for the rewriting to move it down)
    assert holders and holders[0].get("transform") == "matrix(1,0,0,1,0,0)"
