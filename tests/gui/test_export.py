"""Figure export: exact pixel sizes, real content, vector SVG/PDF, exact CSV, clear errors, atomic files."""

import csv
import errno
import importlib.abc
import os
import re
import signal
import stat
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.core import writing
from nnviz.core.experiment import Experiment
from nnviz.core.writing import WriteError
from nnviz.gui import export
from nnviz.gui.animation import Recorder
from nnviz.gui.export import (
    ExportError,
    atomic_write,
    check_output_path,
    copy_image,
    export_csv,
    export_figure,
    export_pdf,
    export_png,
    export_svg,
    figure_size,
    figure_widget,
    prepare_offscreen,
    render_image,
)
from nnviz.gui.export_dialog import ExportDialog, slug
from nnviz.gui.panels.graph import GraphPanel
from nnviz.gui.panels.loss import LossPanel
from nnviz.gui.panels.output import OutputPanel
from nnviz.gui.style import setup_pyqtgraph

SVG = "{http://www.w3.org/2000/svg}"
TITLE = "Circle — Loss"


@pytest.fixture(scope="module")
def snapshot():
    exp = Experiment()
    exp.run_evaluated(50, 10)
    return exp.snapshot()


def shown(qtbot, panel, snapshot, size=(700, 450)):
    setup_pyqtgraph()
    qtbot.addWidget(panel)
    panel.show_snapshot(snapshot)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def loss_panel(qtbot, snapshot):
    return shown(qtbot, LossPanel(), snapshot)


def pixels(image: QtGui.QImage) -> np.ndarray:
    """(height, width, 4) uint8 in memory order B, G, R, A."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_ARGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine())[:, : 4 * image.width()] \
        .reshape(image.height(), image.width(), 4).copy()


def assert_not_blank(image: QtGui.QImage) -> None:
    rgb = pixels(image)[..., :3].astype(float)
    assert rgb.std() > 10, "the image is (almost) one colour"
    colours = np.unique(pixels(image).reshape(-1, 4).view(np.uint32))
    assert colours.size > 50


def dark_pixels(a: np.ndarray) -> int:
    return int(((a[..., :3].max(axis=-1) < 100) & (a[..., 3] > 128)).sum())


def files_in(folder):
    return sorted(p.name for p in folder.iterdir())


# -- paths --------------------------------------------------------------------------------------------
def test_check_output_path_takes_the_format_from_the_extension(tmp_path):
    assert check_output_path(tmp_path / "Fig.PNG") == ((tmp_path / "Fig.PNG").resolve(), "png")
    assert check_output_path(str(tmp_path / "a.b.svg"))[1] == "svg"
    assert check_output_path(tmp_path / "x.Pdf")[1] == "pdf"
    assert check_output_path(tmp_path / "t.csv")[1] == "csv"
    assert check_output_path(tmp_path / "clip.gif", ("gif", "mp4"))[1] == "gif"
    assert files_in(tmp_path) == []  # the writability probe is gone


def test_missing_folder_is_named(tmp_path):
    folder = tmp_path / "no" / "such"
    with pytest.raises(ExportError) as err:
        check_output_path(folder / "fig.png")
    assert str(err.value) == f"{folder / 'fig.png'}: the folder {folder} does not exist"
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(ExportError, match="notes.txt is a file, not a folder"):
        check_output_path(tmp_path / "notes.txt" / "fig.png")


def test_unknown_or_missing_extension_lists_the_formats(tmp_path):
    message = "fig.bmp: unknown format '.bmp' (choose .png, .svg, .pdf or .csv)"
    with pytest.raises(ExportError, match=re.escape(message)):
        check_output_path(tmp_path / "fig.bmp")
    with pytest.raises(ExportError, match=re.escape("no file extension (choose .gif or .mp4)")):
        check_output_path(tmp_path / "fig", ("gif", "mp4"))
    assert files_in(tmp_path) == []


def test_a_folder_is_not_a_file(tmp_path):
    (tmp_path / "figures.png").mkdir()
    for path in (tmp_path, tmp_path / "figures.png"):
        with pytest.raises(ExportError, match="is a folder"):
            check_output_path(path)


def test_an_unwritable_folder_is_refused_before_rendering(tmp_path, loss_panel):
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    else:  # chmod does not stop root; sysfs refuses new files even to root
        folder = next((p for p in ("/sys", "/sys/fs") if os.path.isdir(p)), None)
        if folder is None:
            pytest.skip("no folder that refuses root's writes on this system")
    try:
        with pytest.raises(ExportError, match=r"cannot write in the folder .*\((Permission denied|Read-only)"):
            check_output_path(os.path.join(folder, "fig.png"))
        with pytest.raises(ExportError, match="cannot write in the folder"):
            export_figure(loss_panel, os.path.join(folder, "fig.svg"))
    finally:
        if os.geteuid() != 0:
            (tmp_path / "locked").chmod(0o700)


# -- atomic writes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fig.png", "fig.svg", "fig.pdf", "fig.csv"])
def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(tmp_path, loss_panel, monkeypatch, name):
    target = tmp_path / name
    target.write_bytes(b"old figure")

    def disk_full(fd):  # where a full disk shows at the latest: syncing the file
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writing.os, "fsync", disk_full)
    with pytest.raises(WriteError, match=re.escape(f"{target}: cannot write (No space left on device)")):
        export_figure(loss_panel, target, table=loss_panel.export_table)
    assert target.read_bytes() == b"old figure"
    assert files_in(tmp_path) == [name]


def test_a_png_that_cannot_be_encoded_is_one_line_and_leaves_the_old_file(tmp_path, loss_panel, monkeypatch):
    target = tmp_path / "fig.png"
    target.write_bytes(b"old figure")
    monkeypatch.setattr(QtGui.QImage, "save", lambda self, *args: False)
    with pytest.raises(ExportError, match=re.escape(f"{target}: the PNG could not be encoded")):
        export_png(loss_panel, target)
    assert target.read_bytes() == b"old figure" and files_in(tmp_path) == ["fig.png"]


def test_a_failure_while_drawing_vectors_leaves_nothing(tmp_path, loss_panel, monkeypatch):
    target = tmp_path / "fig.svg"
    target.write_text("old")

    def draw_then_fail(painter, *args):
        painter.drawLine(0, 0, 10, 10)
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(export, "_paint_figure", draw_then_fail)
    for path in (target, tmp_path / "new.pdf"):
        with pytest.raises(RuntimeError, match="drawing failed"):
            export_figure(loss_panel, path)
    assert target.read_text() == "old"
    assert files_in(tmp_path) == ["fig.svg"]
    # and the panel is back to normal: its axes cached again, its palette its own
    assert loss_panel.loss_plot.getAxis("left").cacheMode() == QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert not loss_panel.testAttribute(QtCore.Qt.WidgetAttribute.WA_SetPalette)


def test_atomic_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, lambda temp: temp.write_text("new"))
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = atomic_write(tmp_path / "fresh.csv", lambda temp: temp.write_text("x"))
    assert fresh.stat().st_mode & 0o044  # readable by others as a plain open() would make it, not 0600
    assert files_in(tmp_path) == ["fresh.csv", "t.csv"]


@pytest.mark.parametrize("name", ["fig.png", "fig.svg", "fig.pdf"])
def test_ctrl_c_while_a_figure_is_written_leaves_the_old_file_and_no_temporary_file(tmp_path, loss_panel,
                                                                                    monkeypatch, name):
    target = tmp_path / name
    target.write_bytes(b"old figure")
    target.chmod(0o640)
    real_fsync = os.fsync

    def interrupted(fd):  # the file is written, not yet synced nor renamed
        signal.raise_signal(signal.SIGINT)
        real_fsync(fd)

    monkeypatch.setattr(writing.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_figure(loss_panel, target)
    assert target.read_bytes() == b"old figure" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert files_in(tmp_path) == [name]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_checking_the_folder_leaves_nothing_in_it(tmp_path):
    check_output_path(tmp_path / "fig.png")
    assert files_in(tmp_path) == []


def test_a_recording_keeps_the_mode_of_the_file_it_replaces_and_a_cancelled_one_leaves_nothing(tmp_path,
                                                                                              loss_panel):
    target = tmp_path / "run.gif"
    target.write_bytes(b"old")
    target.chmod(0o604)
    recorder = Recorder([loss_panel], target, fps=5)
    recorder.add_frame("step 1")
    temporary = [p for p in files_in(tmp_path) if p != "run.gif"]
    assert len(temporary) == 1 and temporary[0].startswith(".run.gif.") and temporary[0].endswith(".gif")
    recorder.cancel()
    assert files_in(tmp_path) == ["run.gif"] and target.read_bytes() == b"old"

    recorder = Recorder([loss_panel], target, fps=5)
    recorder.add_frame("step 1")
    recorder.add_frame("step 2")
    assert recorder.finish() == target
    assert target.read_bytes()[:6] == b"GIF89a" and stat.S_IMODE(target.stat().st_mode) == 0o604
    assert files_in(tmp_path) == ["run.gif"]


# -- PNG --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1, 2, 4])
def test_png_has_exactly_the_requested_size(tmp_path, loss_panel, scale):
    path = export_png(loss_panel, tmp_path / "loss.png", scale=scale)
    image = QtGui.QImage(str(path))
    assert (image.width(), image.height()) == (700 * scale, 450 * scale)
    assert_not_blank(image)
    assert image.dotsPerMeterX() == round(96 * scale / 0.0254)  # lands on a slide at the 1x size


def test_png_width_overrides_the_scale(tmp_path, loss_panel):
    size = figure_size(loss_panel, TITLE)
    path = export_png(loss_panel, tmp_path / "loss.png", scale=4, width=1200, title=TITLE)
    image = QtGui.QImage(str(path))
    assert image.width() == 1200
    assert image.height() == round(size.height() * 1200 / size.width())


def test_render_image_is_argb32_at_the_scale_as_device_pixel_ratio(loss_panel):
    image = render_image(loss_panel, scale=2)
    assert image.format() == QtGui.QImage.Format.Format_ARGB32
    assert image.devicePixelRatio() == 2
    a = pixels(image)
    assert (a[..., 3] == 255).all() and (a[:3, :3, :3] == 255).all()  # opaque, white corner


def test_transparent_background_has_clear_pixels(loss_panel):
    a = pixels(render_image(loss_panel, background="transparent"))
    clear = (a[..., 3] == 0).mean()
    assert clear > 0.3  # the space around and inside the plots
    assert (a[..., 3] == 255).any()  # the curves and text are still there
    with pytest.raises(ExportError, match="unknown background"):
        render_image(loss_panel, background="black")


def test_title_is_drawn_above_the_unchanged_panel(loss_panel):
    plain = pixels(render_image(loss_panel, scale=2))
    titled_image = render_image(loss_panel, scale=2, title=TITLE)
    titled = pixels(titled_image)
    band = titled.shape[0] - plain.shape[0]
    assert band >= 2 * 24  # a title line at least 24 px high at 1x
    assert np.array_equal(titled[band:], plain)  # the panel below the title is as without it
    title_band = titled[:band]
    assert dark_pixels(titled) - dark_pixels(plain) > 1500  # big, bold dark text: the title's
    rows = np.nonzero((title_band[..., :3].max(axis=-1) < 100).any(axis=1))[0]
    assert rows.max() - rows.min() >= 2 * 12  # glyphs at least 12 px high at 1x: readable
    cols = np.nonzero((title_band[..., :3].max(axis=-1) < 100).any(axis=0))[0]
    assert abs((cols.min() + cols.max()) / 2 - titled.shape[1] / 2) < 10  # centred


def test_light_theme_whatever_the_panel_palette(loss_panel):
    dark = QtGui.QPalette(QtGui.QColor("#202020"))
    dark.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("#202020"))
    dark.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor("#f0f0f0"))
    loss_panel.setPalette(dark)
    loss_panel.setAutoFillBackground(True)
    a = pixels(render_image(loss_panel, title=TITLE))
    assert (a[:4, :, :3] == 255).all()  # white above and around the title
    band = a.shape[0] - loss_panel.height()
    top_of_plots = min(v.geometry().y() for v in loss_panel.findChildren(pg.GraphicsView))
    controls = a[band:band + top_of_plots]  # the check boxes and the hint line above the plots
    assert np.median(controls[..., :3]) == 255  # on white, not on the dark window colour
    assert dark_pixels(controls) > 200  # their text dark, not the palette's light text
    assert loss_panel.palette().color(QtGui.QPalette.ColorRole.Window) == QtGui.QColor("#202020")
    assert loss_panel.palette().color(QtGui.QPalette.ColorRole.WindowText) == QtGui.QColor("#f0f0f0")


@pytest.mark.parametrize("panel_class", [LossPanel, OutputPanel, GraphPanel])
def test_never_shown_panels_render(qtbot, snapshot, panel_class):
    setup_pyqtgraph()
    panel = panel_class()
    qtbot.addWidget(panel)
    panel.show_snapshot(snapshot)
    assert not panel.isVisible()
    image = render_image(panel)
    assert panel.size().toTuple() == export.DEFAULT_OFFSCREEN_SIZE
    # the panel's size; the graph less the empty bands around its drawing
    assert (image.width(), image.height()) == export.figure_rect(panel).size().toTuple()
    assert (export.figure_rect(panel) != panel.rect()) == (panel_class is GraphPanel)
    assert_not_blank(image)
    # settled on the first export: pyqtgraph's axes take their width after a first paint
    assert np.array_equal(pixels(image), pixels(render_image(panel)))
    # laid out like a shown panel of the same size: the same child geometries, and each plot
    # layout filling its view (pixels may differ: a shown pyqtgraph axis keeps a width it needed
    # earlier, up to 10 px more)
    twin = shown(qtbot, panel_class(), snapshot, size=export.DEFAULT_OFFSCREEN_SIZE)
    render_image(twin)

    def layout_of(widget):
        children = [c.geometry().getRect() for c in widget.findChildren(QtWidgets.QWidget)]
        views = [v.centralWidget.geometry().getRect() for v in widget.findChildren(pg.GraphicsView)]
        return children, views

    assert layout_of(panel) == layout_of(twin)


def test_prepare_offscreen_sizes_a_hidden_panel_for_the_command_line(tmp_path, qtbot, snapshot):
    setup_pyqtgraph()
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(snapshot)
    prepare_offscreen(panel, size=(640, 400))
    path = export_figure(panel, tmp_path / "loss.png", scale=2, title=TITLE)
    image = QtGui.QImage(str(path))
    assert image.width() == 1280
    assert_not_blank(image)
    assert not panel.isVisible()


def test_a_layout_change_of_the_last_snapshot_is_in_the_figure(qtbot, snapshot):
    """The first snapshot shows the output's colour bar; pyqtgraph lays it out on the next pass
    of the event loop. An export straight away (a recorder's frame) must already include it."""
    setup_pyqtgraph()
    panel = OutputPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 450)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_snapshot(snapshot)
    at_once = pixels(render_image(panel))
    qtbot.wait(50)  # let the event loop lay it out as it would
    assert np.array_equal(at_once, pixels(render_image(panel)))


def test_a_panel_behind_a_tab_renders_at_the_tab_size(qtbot, snapshot):
    setup_pyqtgraph()
    tabs = QtWidgets.QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QtWidgets.QLabel("front"), "Front")
    panel = LossPanel()
    tabs.addTab(panel, "Loss")
    tabs.resize(600, 420)
    tabs.show()
    qtbot.waitExposed(tabs)
    panel.show_snapshot(snapshot)
    assert not panel.isVisible()
    image = render_image(panel)
    page = tabs.currentWidget().size()
    assert (image.width(), image.height()) == (page.width(), page.height())
    assert_not_blank(image)


def test_copy_image_puts_the_figure_on_the_clipboard(loss_panel):
    copy_image(loss_panel, scale=2, title=TITLE)
    image = QtWidgets.QApplication.clipboard().image()
    size = figure_size(figure_widget(loss_panel), TITLE)  # the plot, without the panel's check boxes
    assert (image.width(), image.height()) == (2 * size.width(), 2 * size.height())


# -- SVG --------------------------------------------------------------------------------------------
@pytest.fixture
def known_plot(qtbot):
    """A plain pyqtgraph PlotWidget with 20 known points and labelled axes."""
    setup_pyqtgraph()
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    x = np.arange(20.0)
    y = (x * 3) % 7 + 1  # small integers: written exactly
    widget.plot(x, y, pen=pg.mkPen("#0877bd", width=2))
    widget.setLabel("bottom", "epoch")
    widget.setLabel("left", "loss value")
    widget.resize(500, 350)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, x, y


def path_points(d: str) -> np.ndarray:
    numbers = [float(v) for v in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", d)]
    return np.array(numbers).reshape(-1, 2)


def svg_texts(root) -> list[str]:
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]


def test_svg_of_a_plot_has_the_curve_as_a_path_and_the_labels_as_text(tmp_path, known_plot):
    widget, x, y = known_plot
    path = export_svg(widget, tmp_path / "plot.svg", title="Circle — Plot")
    root = ET.parse(path).getroot()  # well-formed XML
    assert root.get("viewBox") == "0 0 500 {}".format(figure_size(widget, "Circle — Plot").height())
    assert root.find(f"{SVG}title").text == "Circle — Plot"
    curves = [path_points(p.get("d")) for p in root.iter(f"{SVG}path")]
    curves += [path_points(p.get("points")) for p in root.iter(f"{SVG}polyline")]
    # the points are in the figure's pixels (a plain stroke width, see test_svg_portable.py): the
    # data mapped by the plot's scale, x to the right and y upwards
    def drawn_from_data(c: np.ndarray) -> bool:
        if c.shape != (20, 2):
            return False
        fit_x = np.polyfit(x, c[:, 0], 1, full=True)
        fit_y = np.polyfit(y, c[:, 1], 1, full=True)
        residual = float(np.sum(fit_x[1]) + np.sum(fit_y[1]))
        return fit_x[0][0] > 0 and fit_y[0][0] < 0 and residual < 1e-3

    matching = [c for c in curves if drawn_from_data(c)]
    assert matching, "the curve's 20 points are not in the SVG"
    texts = svg_texts(root)
    assert "epoch" in texts and "loss value" in texts and "Circle — Plot" in texts
    assert "10" in texts  # a tick label


def test_svg_of_a_panel_is_all_vectors(tmp_path, loss_panel):
    segmented = loss_panel.train_curve.curve.opts["segmentedLineMode"]
    root = ET.parse(export_figure(loss_panel, tmp_path / "loss.svg", title=TITLE)).getroot()
    assert not list(root.iter(f"{SVG}image")), "something was drawn as a pixmap (an item cache?)"
    texts = svg_texts(root)
    assert {"step", "loss", TITLE} <= set(texts)
    # the train loss curve: one point per evaluation
    n = loss_panel.train_curve.xData.size
    assert any(path_points(p.get("d")).shape == (n, 2) for p in root.iter(f"{SVG}path"))
    # and the panel is as it was: caches, pyqtgraph's export mode, segmented lines
    axis = loss_panel.loss_plot.getAxis("left")
    assert axis.cacheMode() == QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert loss_panel.train_curve.curve._exportOpts is False
    assert loss_panel.train_curve.curve.opts["segmentedLineMode"] == segmented


def test_svg_scatter_points_are_drawn_as_shapes(tmp_path, qtbot, snapshot):
    """pyqtgraph copies scatter symbols from a pixmap atlas on screen; exported, each is a path."""
    panel = shown(qtbot, OutputPanel(), snapshot)
    root = ET.parse(export_svg(panel, tmp_path / "output.svg")).getroot()
    n_points = len(panel.train_points.data)
    assert len(list(root.iter(f"{SVG}path"))) >= n_points


class _BlockPyqtgraphExporters(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.startswith("pyqtgraph.exporters"):
            raise ImportError(f"blocked: {name}")
        return None


def test_pyqtgraph_svg_exporter_trap(tmp_path, known_plot, monkeypatch):
    """pyqtgraph's SVGExporter rewrites Qt's SVG and fails on the closed paths ("... Z") that Qt
    writes since 6.11 (pyqtgraph issue #3495). Our export must not go through it."""
    widget, _, _ = known_plot
    import pyqtgraph.exporters

    try:
        data = pyqtgraph.exporters.SVGExporter(widget.plotItem).export(toBytes=True)
        ET.fromstring(data)
        pyqtgraph_works = b"epoch" in data
    except Exception:  # noqa: BLE001 - any failure is the trap
        pyqtgraph_works = False

    # Our SVG is made with pyqtgraph.exporters unimportable, so it cannot depend on them.
    for name in [m for m in sys.modules if m.startswith("pyqtgraph.exporters")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_BlockPyqtgraphExporters(), *sys.meta_path])
    with pytest.raises(ImportError):
        import pyqtgraph.exporters  # noqa: F401, F811 - the block works
    root = ET.parse(export_svg(widget, tmp_path / "ours.svg")).getroot()
    assert "epoch" in svg_texts(root)
    assert not any(m.startswith("pyqtgraph.exporters") for m in sys.modules)
    if not pyqtgraph_works:  # still broken: make sure the module says so and stays off that path
        assert "pyqtgraph.exporters" not in open(export.__file__, encoding="utf-8").read().replace(
            "pyqtgraph's own exporters", "")


# -- PDF --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", ["shown", "hidden"])
def test_pdf_is_one_page_the_size_of_the_figure(tmp_path, qtbot, snapshot, make):
    if make == "shown":
        panel = shown(qtbot, LossPanel(), snapshot)
    else:
        setup_pyqtgraph()
        panel = LossPanel()
        qtbot.addWidget(panel)
        panel.show_snapshot(snapshot)
    path = export_pdf(panel, tmp_path / "loss.pdf", title=TITLE)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]*)\]", data).group(1).split()]
    size = figure_size(panel, TITLE)
    dpi = panel.logicalDpiX()
    assert box[2] == pytest.approx(size.width() * 72 / dpi, abs=1)
    assert box[3] == pytest.approx(size.height() * 72 / dpi, abs=1)
    assert len(data) > 5000  # vector content, not an empty page


# -- CSV --------------------------------------------------------------------------------------------
def test_csv_round_trips_floats_exactly(tmp_path):
    values = [0.1 + 0.2, 1 / 3, 1e-300, -2.5e17, np.float64(np.pi), np.float32(0.1), float("nan")]
    rows = [["row", i, v, None] for i, v in enumerate(values)]
    path = export_csv(["label", "index", "value", "note"], rows, tmp_path / "t.csv")
    with open(path, newline="", encoding="utf-8") as f:
        read = list(csv.reader(f))
    assert read[0] == ["label", "index", "value", "note"]
    assert [r[1] for r in read[1:]] == [str(i) for i in range(len(values))]
    assert all(r[3] == "" and r[0] == "row" for r in read[1:])
    back = [float(r[2]) for r in read[1:]]
    for original, got in zip(values, back):
        assert got == float(original) or (np.isnan(got) and np.isnan(original))


def test_export_figure_csv_uses_the_panel_table(tmp_path, loss_panel, snapshot):
    h = snapshot.history

    def table():
        return ["step", "train loss"], zip(h["eval_step"], h["train_loss"])

    path = export_figure(loss_panel, tmp_path / "loss.CSV", table=table)
    read = list(csv.reader(path.open(newline="")))
    assert read[0] == ["step", "train loss"]
    assert [float(r[1]) for r in read[1:]] == list(h["train_loss"])
    with pytest.raises(ExportError, match="this panel has no numbers to export as CSV"):
        export_figure(loss_panel, tmp_path / "none.csv")
    assert files_in(tmp_path) == ["loss.CSV"]


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_export_figure_dispatches_by_extension(tmp_path, loss_panel, fmt, magic):
    path = export_figure(loss_panel, tmp_path / f"fig.{fmt.upper()}", scale=2, title=TITLE)
    assert path == (tmp_path / f"fig.{fmt.upper()}").resolve()
    assert path.read_bytes().startswith(magic)


# -- the dialog -------------------------------------------------------------------------------------
@pytest.fixture
def dialog(qtbot, loss_panel, snapshot, monkeypatch):
    messages = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", lambda parent, title, text, *a: messages.append(text))
    output = shown(qtbot, OutputPanel(), snapshot)
    h = snapshot.history
    panels = {"Loss": (loss_panel, lambda: (["step", "loss"], zip(h["step"], h["loss"]))),
              "Output": (output, None)}
    d = ExportDialog(panels, "Circle", current="Loss")
    qtbot.addWidget(d)
    d.messages = messages
    return d


def choose(combo: QtWidgets.QComboBox, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_dialog_exports_the_chosen_format(tmp_path, dialog):
    choose(dialog.format_combo, "svg")
    out = dialog.export_to(tmp_path / "figure")  # no extension: the chosen format's
    assert out == (tmp_path / "figure.svg").resolve()
    assert "Circle — Loss" in svg_texts(ET.parse(out).getroot())

    choose(dialog.format_combo, "png")
    choose(dialog.size_combo, 4)
    dialog.title_box.setChecked(False)
    out = dialog.export_to(tmp_path / "figure.png")
    image = QtGui.QImage(str(out))
    plot = figure_size(figure_widget(dialog.widget()))
    assert (image.width(), image.height()) == (4 * plot.width(), 4 * plot.height())

    choose(dialog.size_combo, 0)
    dialog.width_spin.setValue(1000)
    assert dialog.size_label.text().startswith("1000 × ")
    assert QtGui.QImage(str(dialog.export_to(tmp_path / "w.png"))).width() == 1000

    choose(dialog.format_combo, "csv")
    out = dialog.export_to(tmp_path / "loss.csv")
    assert out.read_text().startswith("step,loss\n")
    assert dialog.messages == []


def test_dialog_disables_csv_for_a_panel_without_numbers(dialog):
    choose(dialog.format_combo, "csv")
    dialog.panel_combo.setCurrentText("Output")
    assert dialog.format() == "png"
    assert not dialog.format_combo.model().item(3).isEnabled()
    assert dialog.suggested_path().name == "circle-output.png"
    dialog.panel_combo.setCurrentText("Loss")
    assert dialog.format_combo.model().item(3).isEnabled()


def test_dialog_shows_errors_as_one_line_messages(tmp_path, dialog):
    assert dialog.export_to(tmp_path / "missing" / "fig.png") is None
    assert dialog.messages == [f"Could not export Loss: {tmp_path / 'missing' / 'fig.png'}: "
                               f"the folder {tmp_path / 'missing'} does not exist"]
    assert dialog.export_to(tmp_path / "fig.bmp") is None
    assert "unknown format '.bmp'" in dialog.messages[-1]
    assert files_in(tmp_path) == []


def test_dialog_remembers_folder_format_and_size(tmp_path, dialog, qtbot, loss_panel):
    choose(dialog.format_combo, "pdf")
    choose(dialog.size_combo, 4)
    assert dialog.export_to(tmp_path / "fig.pdf") is not None
    again = ExportDialog({"Loss": (loss_panel, None)}, "Circle")
    qtbot.addWidget(again)
    assert again.format() == "pdf" and again.scale() == 4
    assert again.suggested_path() == tmp_path.resolve() / "circle-loss.pdf"


def test_dialog_export_button_asks_for_the_path(tmp_path, dialog, monkeypatch):
    target = tmp_path / "chosen.png"
    asked = []

    def fake_dialog(parent, caption, suggested, filters):
        asked.append((suggested, filters))
        return str(target), filters.split(";;")[0]

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", fake_dialog)
    choose(dialog.format_combo, "png")
    dialog.export_button.click()
    assert target.exists() and dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    assert asked[0][0].endswith("circle-loss.png") and asked[0][1].startswith("PNG image (*.png)")


@pytest.mark.parametrize("name, expected", [("Circle", "circle"), ("../outside/evil", "outside-evil"),
                                            ("/etc/passwd", "etc-passwd"), ("C:\\Users\\x", "c-users-x"),
                                            ("..", ""), ("Ünïcode spiral", "n-code-spiral"),
                                            ("a" * 300, "a" * 60), ("x-" * 40, "x-" * 29 + "x")])
def test_slug_keeps_a_name_to_letters_and_digits_in_one_file_name(name, expected):
    assert slug(name) == expected


def test_the_colour_bars_end_labels_are_whole_in_a_figure_and_the_panel_is_put_back(qtbot, snapshot):
    """The labels of the colour bar's ends are centred on its ends; a figure makes room for them
    (on screen they would be cut in half by the top and bottom of the view)."""
    panel = shown(qtbot, OutputPanel(), snapshot)
    assert panel.color_bar.isVisible()
    widget = figure_widget(panel)
    render_image(widget)  # lays the panel out as a figure does
    before = panel.color_bar.sceneBoundingRect()
    image = render_image(widget)  # no title: the view's top is the image's top
    bar = panel.color_bar.sceneBoundingRect()
    assert bar == before  # the margins made for the figure are undone
    view = widget if isinstance(widget, QtWidgets.QGraphicsView) else widget.findChild(QtWidgets.QGraphicsView)
    left = view.mapTo(widget, view.mapFromScene(bar.topLeft())).x() - export.figure_rect(widget).left()
    labels = pixels(image)[:, left + 16:, :3].astype(int)  # right of the bar's colours: its axis
    background = labels[labels.shape[0] // 2 + 40, -1]
    ink = np.abs(labels - background).sum(axis=2) > 60
    rows = np.flatnonzero(ink.any(axis=1))
    assert rows.size and rows[0] > 0 and rows[-1] < image.height() - 1


@pytest.mark.parametrize("size", [(900, 700), (420, 700)], ids=["wide", "narrow"])
def test_a_graph_figure_leaves_out_the_empty_bands_and_nothing_drawn(qtbot, snapshot, monkeypatch, size):
    """A small network in a tall view keeps its node size and leaves empty rows above and below (or,
    narrow, at the sides); the figure shows the drawing with a margin, every drawn pixel kept."""
    panel = shown(qtbot, GraphPanel(), snapshot, size)
    qtbot.waitUntil(panel.laid_out)
    view = export.figure_widget(panel)
    cropped = pixels(render_image(view))
    monkeypatch.setattr(GraphPanel, "figure_crop", lambda self, widget: None)
    whole = pixels(render_image(view))
    assert whole.shape[:2] == (view.height(), view.width())

    def drawn(a):
        return a[..., :3].min(axis=-1) < 245  # anything but the white background

    rows, cols = np.flatnonzero(drawn(whole).any(axis=1)), np.flatnonzero(drawn(whole).any(axis=0))
    blank = view.height() - (rows[-1] - rows[0] + 1) + view.width() - (cols[-1] - cols[0] + 1)
    assert blank > 0.25 * view.height()  # the empty bands this test is about are there
    # the figure is the drawing plus a margin of at most 20 pixels on every side ...
    assert cropped.shape[0] <= rows[-1] - rows[0] + 1 + 40
    assert cropped.shape[1] <= cols[-1] - cols[0] + 1 + 40
    # ... and loses none of it: as many drawn pixels, the same picture
    assert abs(int(drawn(cropped).sum()) - int(drawn(whole).sum())) <= 0.001 * drawn(whole).sum()
    top = rows[0] - np.flatnonzero(drawn(cropped).any(axis=1))[0]
    left = cols[0] - np.flatnonzero(drawn(cropped).any(axis=0))[0]
    h, w = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    assert np.array_equal(drawn(whole)[rows[0]:rows[0] + h, cols[0]:cols[0] + w],
                          drawn(cropped)[rows[0] - top:rows[0] - top + h, cols[0] - left:cols[0] - left + w])
