"""Figure export: any panel to PNG, SVG or PDF, its numbers to CSV, or an image to the clipboard.

Every panel is a QWidget, so every panel is exported the same way: Qt's painter renders the widget
(``QWidget.render``) onto a ``QImage``, a ``QSvgGenerator`` or a ``QPdfWriter``. Nothing here knows
about a particular panel. pyqtgraph's own exporters are not used: its SVG exporter rewrites Qt's SVG
and breaks on the closed paths Qt writes since 6.11 (pyqtgraph issue #3495), and its image exporter
covers a plot, not a whole panel with its title line and colour bar.

While a figure is drawn the panel wears a light theme (white or transparent background, dark text)
whatever the app's palette, its graphics items draw without their pixmap caches (so SVG and PDF get
vectors, and a 4x PNG is not an enlarged 1x cache), items a panel marks as its hover readout
(``item.hover_readout = True``: a crosshair, a hover label) are hidden, and everything is put back
afterwards.

A figure is drawn in memory, then written by :mod:`nnviz.core.writing` to a temporary file in the
target folder, synced, and renamed over the target only once it is complete: a failed, interrupted
or killed export leaves no half-written file, and an existing file as it was, with its
permissions; a write that fails raises :class:`~nnviz.core.writing.WriteError`. (``atomic_write``,
for writers that need a file name, is re-exported here for other exporters.)
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import numbers
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

from nnviz.core.errors import NnvizError
from nnviz.core.writing import (
    atomic_write,  # noqa: F401 - for other exporters (the report)
    atomic_write_bytes,
    atomic_write_text,
    check_writable,
)
from nnviz.gui.formats import FIGURE_FORMATS
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel

BACKGROUNDS = ("white", "transparent")
TEXT_COLOR = "#222222"  # the title and the panel's text in an exported figure
DEFAULT_OFFSCREEN_SIZE = (800, 500)
MAX_PIXELS = 400_000_000  # 20000 x 20000: beyond this a QImage cannot be allocated anyway


class ExportError(NnvizError):
    """A figure or table cannot be exported; the one-line message names the problem and the path."""


# -- paths and files ----------------------------------------------------------------------------
def _format_list(formats: Sequence[str]) -> str:
    names = [f".{f}" for f in formats]
    if len(names) == 1:
        return names[0]
    return tr("{formats} or {last}").format(formats=", ".join(names[:-1]), last=names[-1])


def check_output_path(path, formats: Iterable[str] | None = None) -> tuple[Path, str]:
    """The absolute path and its format (the extension, lower case, without the dot).

    Raises :class:`ExportError`, having written nothing, when the extension is missing or not one
    of ``formats`` (suffixes; default the figure formats), the path is a folder, its folder does not
    exist, or the folder is not writable (tested by creating and deleting a temporary file there).
    """
    formats = tuple(FIGURE_FORMATS if formats is None else formats)
    given = str(path)
    if not given.strip():
        raise ExportError(tr("no file name given (choose {formats})").format(formats=_format_list(formats)))
    out = Path(path).expanduser().resolve()
    if out.is_dir():
        raise ExportError(tr("{path}: is a folder; give a file name ending in {formats}")
                          .format(path=given, formats=_format_list(formats)))
    suffix = out.suffix.lower()
    if not suffix:
        raise ExportError(tr("{path}: no file extension (choose {formats})").format(path=given,
                                                                                     formats=_format_list(formats)))
    if suffix[1:] not in formats:
        raise ExportError(tr("{path}: unknown format '{suffix}' (choose {formats})")
                          .format(path=given, suffix=out.suffix, formats=_format_list(formats)))
    folder = out.parent
    if not folder.exists():
        raise ExportError(tr("{path}: the folder {folder} does not exist").format(path=given, folder=folder))
    if not folder.is_dir():
        raise ExportError(tr("{path}: {folder} is a file, not a folder").format(path=given, folder=folder))
    try:
        check_writable(folder)
    except OSError as exc:
        raise ExportError(tr("{path}: cannot write in the folder {folder} ({reason})")
                          .format(path=given, folder=folder, reason=exc.strerror or exc)) from None
    return out, suffix[1:]


# -- getting a widget ready -----------------------------------------------------------------------
def prepare_offscreen(widget: QtWidgets.QWidget, size: tuple[int, int] = DEFAULT_OFFSCREEN_SIZE) -> None:
    """Give a widget that is not on screen (never shown) the size ``size`` and lay it out, so that it
    renders like a shown one: for the headless command line. A visible widget is left as it is."""
    if widget.isVisible():
        return
    widget.resize(*size)
    _lay_out(widget)
    QtWidgets.QApplication.processEvents()  # anything else the panel posted to itself while hidden
    _lay_out(widget)


def _lay_out(widget: QtWidgets.QWidget) -> None:
    """Bring the widget's layout up to date, as the event loop would before the next paint.

    A hidden widget is polished and its layouts activated, and a throwaway 1x1 render delivers the
    move and resize events Qt keeps until a widget is shown (pyqtgraph lays out its plots when its
    view is resized). Then every widget gets one throwaway paint: pyqtgraph's axes measure their
    tick labels while drawing them and then ask for the width they need, and a plot layout that
    changed (a colour bar shown by the last snapshot) is re-laid out only when its queued layout
    request is delivered. Only layout requests are delivered, no queued signals, so this is safe
    inside a slot (a recorder drawing a frame for each snapshot).
    """
    if not widget.isVisible():
        widget.ensurePolished()
        for child in widget.findChildren(QtWidgets.QWidget):
            child.ensurePolished()
        for w in [widget, *widget.findChildren(QtWidgets.QWidget)]:
            if w.layout() is not None:
                w.layout().activate()
        _scratch_render(widget, QtCore.QSize(1, 1))
        _flush_layout_requests()
    _scratch_render(widget, widget.size())
    _flush_layout_requests()


def _scratch_render(widget: QtWidgets.QWidget, size: QtCore.QSize) -> None:
    scratch = QtGui.QImage(size.expandedTo(QtCore.QSize(1, 1)), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    painter = QtGui.QPainter(scratch)
    try:
        QtWidgets.QWidget.render(widget, painter, QtCore.QPoint(), QtGui.QRegion(QtCore.QRect(QtCore.QPoint(), size)),
                                 QtWidgets.QWidget.RenderFlag.DrawChildren)
    finally:
        painter.end()


def _flush_layout_requests() -> None:
    for _ in range(3):  # a layout pass may request another (nested pyqtgraph layouts)
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)


def catch_up(widget: QtWidgets.QWidget) -> None:
    """Let the panel that ``widget`` is or belongs to draw the snapshot it kept while hidden (see
    :class:`~nnviz.gui.panels.base.Panel`): a figure shows the newest state."""
    while widget is not None:
        if isinstance(widget, Panel):
            widget.catch_up()
        widget = widget.parentWidget()


def _ensure_renderable(widget: QtWidgets.QWidget) -> None:
    """Lay the widget out; one that is not on screen and was never given a size gets one first."""
    catch_up(widget)
    if not widget.isVisible() and not widget.testAttribute(QtCore.Qt.WidgetAttribute.WA_Resized):
        # A tab never opened (a stacked layout sizes only its current page) takes the size of the
        # tab area it would fill; a widget on its own gets the default.
        parent = widget.parentWidget()
        size = parent.contentsRect().size() if parent is not None and not widget.isWindow() else None
        if size is None or size.width() < 50 or size.height() < 50:
            size = QtCore.QSize(*DEFAULT_OFFSCREEN_SIZE)
        widget.resize(size)
    _lay_out(widget)


# -- the light theme, without caches ----------------------------------------------------------------
def _light_palette(background: str) -> QtGui.QPalette:
    palette = QtGui.QPalette(QtGui.QColor("#efefef"))  # a light palette derived from a light button
    window = QtGui.QColor(0, 0, 0, 0) if background == "transparent" else QtGui.QColor("white")
    text = QtGui.QColor(TEXT_COLOR)
    for group in (QtGui.QPalette.ColorGroup.Active, QtGui.QPalette.ColorGroup.Inactive,
                  QtGui.QPalette.ColorGroup.Disabled):
        disabled = group == QtGui.QPalette.ColorGroup.Disabled
        palette.setColor(group, QtGui.QPalette.ColorRole.Window, window)
        palette.setColor(group, QtGui.QPalette.ColorRole.Base, QtGui.QColor("white"))
        for role in (QtGui.QPalette.ColorRole.WindowText, QtGui.QPalette.ColorRole.Text,
                     QtGui.QPalette.ColorRole.ButtonText):
            palette.setColor(group, role, QtGui.QColor("#9a9a9a") if disabled else text)
    return palette


@contextlib.contextmanager
def _export_look(widget: QtWidgets.QWidget, background: str):
    """The widget in the light theme, its graphics drawn without pixmap caches and in pyqtgraph's
    export mode (and with no view background when ``background`` is transparent); everything is
    restored on exit, also when drawing fails."""
    restore: list[Callable[[], None]] = []
    try:
        had_palette = widget.testAttribute(QtCore.Qt.WidgetAttribute.WA_SetPalette)
        old_palette = QtGui.QPalette(widget.palette())
        widget.setPalette(_light_palette(background))
        # an empty palette makes the widget inherit its parent's again
        restore.append(lambda: widget.setPalette(old_palette if had_palette else QtGui.QPalette()))
        views = widget.findChildren(QtWidgets.QGraphicsView)
        if isinstance(widget, QtWidgets.QGraphicsView):
            views.append(widget)
        for view in views:
            _export_view(view, background, restore)
        mark = len(restore)
        if _make_room_for_end_labels(views, restore):
            _lay_out(widget)
            restore.insert(mark, lambda: _lay_out(widget))  # undone after the margins are
        yield
    finally:
        for undo in reversed(restore):
            undo()


def _make_room_for_end_labels(views, restore: list) -> bool:
    """Room above and below each colour bar for the labels of its end ticks: centred on the bar's
    ends, they would be cut in half by the edge of the view. True if a margin was changed."""
    import pyqtgraph as pg

    changed = False
    for view in views:
        scene = view.scene()
        for item in scene.items() if scene is not None else []:
            if not isinstance(item, pg.ColorBarItem) or not item.isVisible():
                continue
            half = math.ceil(QtGui.QFontMetricsF(item.axis.style.get("tickFont") or view.font()).height() / 2) + 1
            left, top, right, bottom = item.layout.getContentsMargins()
            item.layout.setContentsMargins(left, max(top, half), right, max(bottom, half))
            restore.append(lambda i=item, m=(left, top, right, bottom): i.layout.setContentsMargins(*m))
            changed = True
    return changed


def _export_view(view: QtWidgets.QGraphicsView, background: str, restore: list) -> None:
    view_cache = view.cacheMode()
    view.setCacheMode(QtWidgets.QGraphicsView.CacheModeFlag.CacheNone)
    restore.append(lambda: view.setCacheMode(view_cache))
    if background == "transparent":
        brush = view.backgroundBrush()
        view.setBackgroundBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
        restore.append(lambda: view.setBackgroundBrush(brush))
    scene = view.scene()
    for item in scene.items() if scene is not None else []:
        # what the pointer happens to be over is not part of the figure
        if getattr(item, "hover_readout", False) and item.isVisible():
            item.hide()
            restore.append(item.show)
        # Cached items are drawn from a pixmap made at screen resolution: blurred at 4x, and an
        # <image> instead of vectors in SVG and PDF.
        mode = item.cacheMode()
        if mode != QtWidgets.QGraphicsItem.CacheMode.NoCache:
            item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)
            restore.append(lambda i=item, m=mode: i.setCacheMode(m))
        # pyqtgraph's hook for its own exporters: scatter symbols are drawn one by one as paths
        # instead of copied from a screen-resolution pixmap atlas, curves antialiased, the plot's
        # auto-range button hidden.
        set_export_mode = getattr(item, "setExportMode", None)
        if callable(set_export_mode) and getattr(item, "_exportOpts", None) is False:
            set_export_mode(True, {"antialias": True, "background": background})
            restore.append(lambda f=set_export_mode: f(False))
        # A thick curve without antialiasing is drawn segment by segment on screen (fast); exported
        # it is antialiased, where the segments' overlapping ends would show, and an SVG would get
        # one <polyline> per segment. One path instead.
        set_segmented = getattr(item, "setSegmentedLineMode", None)
        opts = getattr(item, "opts", None)
        if callable(set_segmented) and isinstance(opts, dict) and opts.get("segmentedLineMode") != "off":
            segmented = opts.get("segmentedLineMode", "auto")
            set_segmented("off")
            restore.append(lambda f=set_segmented, m=segmented: f(m))


# -- drawing ---------------------------------------------------------------------------------------
def _title_font(width: float) -> QtGui.QFont:
    font = QtGui.QFont(QtWidgets.QApplication.font())
    font.setPixelSize(int(min(26, max(15, round(width / 40)))))
    font.setBold(True)
    return font


def _title_lines(width: float, title: str) -> str:
    """The title as drawn in a figure ``width`` pixels wide: one line, or two when it is longer
    (a narrow figure), the second elided if even two are not enough."""
    font = _title_font(width)
    metrics = QtGui.QFontMetricsF(font)
    room = width - 2 * font.pixelSize() * 0.6
    if metrics.horizontalAdvance(title) <= room:
        return title
    words, first = title.split(" "), ""
    for k in range(len(words), 0, -1):  # the longest head of words that fits on the first line
        head = " ".join(words[:k])
        if metrics.horizontalAdvance(head) <= room:
            first = head
            rest = " ".join(words[k:])
            break
    else:
        return metrics.elidedText(title, QtCore.Qt.TextElideMode.ElideRight, room)
    return first + "\n" + metrics.elidedText(rest, QtCore.Qt.TextElideMode.ElideRight, room)


def _title_height(widget_width: float, title: str | None) -> int:
    if not title:
        return 0
    lines = _title_lines(widget_width, title).count("\n") + 1
    return math.ceil(QtGui.QFontMetricsF(_title_font(widget_width)).height() * (0.7 + lines))


def figure_rect(widget: QtWidgets.QWidget) -> QtCore.QRect:
    """The part of ``widget`` a figure shows, in its coordinates: all of it, unless the panel it
    belongs to leaves out empty bands (:meth:`~nnviz.gui.panels.base.Panel.figure_crop`)."""
    full = widget.rect()
    panel = widget
    while panel is not None and not isinstance(panel, Panel):
        panel = panel.parentWidget()
    crop = panel.figure_crop(widget) if panel is not None else None
    return full if crop is None else crop.intersected(full)


def figure_size(widget: QtWidgets.QWidget, title: str | None = None) -> QtCore.QSize:
    """The figure's logical size (the part of the widget it shows, plus the title line): what
    scale 1 gives."""
    rect = figure_rect(widget)
    return QtCore.QSize(rect.width(), rect.height() + _title_height(rect.width(), title))


def figure_width(widget: QtWidgets.QWidget, title: str | None = None) -> int:
    """The logical width of ``widget``'s figure, the widget laid out first as for drawing it."""
    _ensure_renderable(widget)
    return figure_size(widget, title).width()


def _panel_origin(widget: QtWidgets.QWidget, title: str | None) -> QtCore.QPoint:
    """Where the widget's top-left corner lands in the figure: below the title line, moved up and
    left by what the figure leaves out (see :func:`figure_rect`)."""
    rect = figure_rect(widget)
    return QtCore.QPoint(-rect.left(), _title_height(rect.width(), title) - rect.top())


def _paint_figure(painter: QtGui.QPainter, widget: QtWidgets.QWidget, background: str,
                  title: str | None, panel_at_origin: bool = False) -> None:
    """Draw the figure in logical coordinates: background, the part of the widget it shows, the
    title line above it.

    With ``panel_at_origin`` the widget is drawn at (0, 0) and the rest of the figure around it,
    the title line at negative y (for the SVG generator, which writes clip paths without the offset
    a widget is drawn at; the SVG is then moved by :func:`_panel_origin`, see :func:`portable_svg`)."""
    rect = figure_rect(widget)
    width, height = rect.width(), rect.height()
    top = _title_height(width, title)
    origin = _panel_origin(widget, title)
    painter.save()
    if panel_at_origin:
        painter.translate(-origin)
    try:
        if background == "white":
            painter.fillRect(QtCore.QRectF(0, 0, width, height + top), QtGui.QColor("white"))
        painter.save()
        try:
            painter.translate(origin)
            # QWidget's render, by name: a QGraphicsView (a pyqtgraph PlotWidget) hides it behind its own
            # render(painter, target, source), which draws the scene without the widget's frame and
            # children. The whole widget is drawn; what the figure leaves out falls outside the page
            # or under the title line drawn next.
            QtWidgets.QWidget.render(widget, painter, QtCore.QPoint(), QtGui.QRegion(),
                                     QtWidgets.QWidget.RenderFlag.DrawChildren)
        finally:
            painter.restore()
        if title:
            if background == "white" and rect.top() > 0:  # the widget's band above the part shown
                painter.fillRect(QtCore.QRectF(0, 0, width, top), QtGui.QColor("white"))
            font = _title_font(width)
            painter.setFont(font)
            painter.setPen(QtGui.QColor(TEXT_COLOR))
            painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
            margin = font.pixelSize() * 0.6
            text = _title_lines(width, title)
            painter.drawText(QtCore.QRectF(margin, 0, width - 2 * margin, top),
                             QtCore.Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.restore()


def _check_background(background: str) -> None:
    if background not in BACKGROUNDS:
        raise ExportError(tr("unknown background {background} (choose 'white' or 'transparent')")
                          .format(background=repr(background)))


def render_image(widget: QtWidgets.QWidget, scale: float = 1.0, width: int | None = None,
                 background: str = "white", title: str | None = None) -> QtGui.QImage:
    """The widget as an ARGB32 image, ``scale`` times its size on screen, or exactly ``width``
    pixels wide with the height in proportion. ``title`` adds a title line above the panel.

    The image's device pixel ratio is the scale: text and lines are drawn at the full resolution,
    not enlarged from a 1x picture, and ``image.width() / image.devicePixelRatio()`` is the size the
    figure had on screen.
    """
    _check_background(background)
    _ensure_renderable(widget)
    logical = figure_size(widget, title)
    if logical.width() <= 0 or logical.height() <= 0:
        raise ExportError(tr("the panel has no size to render (is it laid out?)"))
    if width is not None:
        if width < 1:
            raise ExportError(tr("the image width must be at least 1 pixel, got {width}").format(width=width))
        scale = width / logical.width()
    if not (math.isfinite(scale) and scale > 0):
        raise ExportError(tr("the scale must be a positive number, got {scale}").format(scale=scale))
    pixels_w = int(width) if width is not None else max(1, round(logical.width() * scale))
    pixels_h = max(1, round(logical.height() * scale))
    if pixels_w * pixels_h > MAX_PIXELS:
        raise ExportError(tr("an image of {width} × {height} pixels is too large; choose a smaller size")
                          .format(width=pixels_w, height=pixels_h))
    image = QtGui.QImage(pixels_w, pixels_h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise ExportError(tr("cannot allocate an image of {width} × {height} pixels").format(width=pixels_w,
                                                                                             height=pixels_h))
    image.fill(QtCore.Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(scale)
    dots_per_metre = round(96 * scale / 0.0254)  # so a 2x image lands on a slide at the 1x size
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    with _export_look(widget, background):
        painter = QtGui.QPainter(image)
        try:
            painter.setRenderHints(QtGui.QPainter.RenderHint.Antialiasing
                                   | QtGui.QPainter.RenderHint.TextAntialiasing
                                   | QtGui.QPainter.RenderHint.SmoothPixmapTransform)
            _paint_figure(painter, widget, background, title)
        finally:
            painter.end()
    return image.convertToFormat(QtGui.QImage.Format.Format_ARGB32)


def export_png(widget: QtWidgets.QWidget, path, scale: float = 1, width: int | None = None,
               background: str = "white", title: str | None = None) -> Path:
    """Write the widget as a PNG file (see :func:`render_image`); returns the path."""
    out, _ = check_output_path(path, ("png",))
    image = render_image(widget, scale=scale, width=width, background=background, title=title)

    def write(buffer: QtCore.QBuffer) -> None:
        if not image.save(buffer, "PNG"):
            raise ExportError(tr("{path}: the PNG could not be encoded").format(path=out))

    return atomic_write_bytes(out, _in_memory(write))


def _in_memory(write: Callable[[QtCore.QBuffer], None]) -> bytes:
    """What ``write`` writes to a buffer. Figures are drawn in memory and saved as bytes, so the
    file is written the way a killed process leaves nothing of (see :mod:`nnviz.core.writing`)."""
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    try:
        write(buffer)
    finally:
        buffer.close()
    return bytes(data.data())


def _paint_vector(device, widget: QtWidgets.QWidget, out: Path, kind: str, title: str | None,
                  panel_at_origin: bool = False) -> None:
    """Paint the figure, in the export look, on an SVG generator or a PDF writer."""
    with _export_look(widget, "white"):
        painter = QtGui.QPainter()
        if not painter.begin(device):
            raise ExportError(tr("{path}: cannot start drawing the {kind}").format(path=out, kind=kind))
        try:
            _paint_figure(painter, widget, "white", title, panel_at_origin)
        finally:
            painter.end()


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_MATRIX = re.compile(r"^\s*matrix\(([^)]*)\)\s*$")
_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PAIRED_COMMANDS = set("MLCSQT")  # absolute commands whose numbers are all x,y pairs (all Qt writes)
_KAPPA = 0.5522847498  # control-point distance of a cubic Bézier quarter circle


def _number(value: float) -> str:
    text = f"{value:.7g}"
    return "0" if text == "-0" else text


def _parse_matrix(text: str | None) -> tuple[float, ...] | None:
    match = _MATRIX.match(text or "")
    if match is None:
        return None
    numbers_ = [float(v) for v in re.split(r"[\s,]+", match.group(1).strip())]
    return tuple(numbers_) if len(numbers_) == 6 else None


def _bake_path(d: str, m: tuple[float, ...]) -> str | None:
    """Path data ``d`` with every point mapped by the matrix ``m``; None if ``d`` uses a command
    that cannot be mapped point by point (relative, H, V, arcs: Qt writes none of them)."""
    a, b, c, dd, e, f = m
    out, numbers_, command = [], [], None

    def flush() -> bool:
        if command is None:
            return not numbers_
        if numbers_ and (command not in _PAIRED_COMMANDS or len(numbers_) % 2):
            return False
        pairs = [f"{_number(a * x + c * y + e)},{_number(b * x + dd * y + f)}"
                 for x, y in zip(numbers_[::2], numbers_[1::2], strict=True)]
        out.append(" ".join([command, *pairs]) if pairs else command)
        return True

    for token in _PATH_TOKEN.findall(d):
        if token.isalpha():
            if not flush():
                return None
            if token not in _PAIRED_COMMANDS and token not in "Zz":
                return None
            command, numbers_ = token, []
        else:
            numbers_.append(float(token))
    return " ".join(out) if flush() else None


def _shape_as_path(element: ET.Element) -> str | None:
    """The outline of a rect, line, polyline, polygon, circle or ellipse as path data."""
    tag = element.tag.rsplit("}", 1)[-1]
    get = element.get
    try:
        if tag == "path":
            return get("d", "")
        if tag in ("polyline", "polygon"):
            values = [float(v) for v in re.split(r"[\s,]+", get("points", "").strip()) if v]
            pairs = [f"{_number(x)},{_number(y)}" for x, y in zip(values[::2], values[1::2], strict=False)]
            if not pairs:
                return None
            return "M" + pairs[0] + "".join(" L" + p for p in pairs[1:]) + (" Z" if tag == "polygon" else "")
        if tag == "line":
            return (f"M{get('x1', '0')},{get('y1', '0')} L{get('x2', '0')},{get('y2', '0')}")
        if tag == "rect":
            if get("rx") or get("ry"):
                return None
            x, y = float(get("x", 0)), float(get("y", 0))
            w, h = float(get("width", 0)), float(get("height", 0))
            return f"M{x},{y} L{x + w},{y} L{x + w},{y + h} L{x},{y + h} Z"
        if tag in ("circle", "ellipse"):
            cx, cy = float(get("cx", 0)), float(get("cy", 0))
            rx = float(get("r", 0)) if tag == "circle" else float(get("rx", 0))
            ry = float(get("r", 0)) if tag == "circle" else float(get("ry", 0))
            kx, ky = rx * _KAPPA, ry * _KAPPA
            return (f"M{cx + rx},{cy} C{cx + rx},{cy + ky} {cx + kx},{cy + ry} {cx},{cy + ry} "
                    f"C{cx - kx},{cy + ry} {cx - rx},{cy + ky} {cx - rx},{cy} "
                    f"C{cx - rx},{cy - ky} {cx - kx},{cy - ry} {cx},{cy - ry} "
                    f"C{cx + kx},{cy - ry} {cx + rx},{cy - ky} {cx + rx},{cy} Z")
    except ValueError:
        return None
    return None


_SHAPE_ATTRIBUTES = ("d", "points", "x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry")


def _unscaled_stroke(element: ET.Element, group: ET.Element, m: tuple[float, ...], patterns: set[str]) -> None:
    """A shape Qt drew with a cosmetic pen (``vector-effect="non-scaling-stroke"``) under the group's
    matrix ``m``, redrawn with a plain stroke of the same width on screen: its points mapped by ``m``
    into the parent's user units (the group's transform is then given to its other children)."""
    del element.attrib["vector-effect"]
    # A gradient lives in the units of the shape it fills: keep them, and scale the width instead. A
    # Qt brush pattern is in pixels, like the stroke (its tiles are 8 pixels on screen).
    fill = element.get("fill", group.get("fill", ""))
    gradient = "url(" in fill and fill.split("#", 1)[-1].rstrip(") ") not in patterns
    d = None if gradient else _shape_as_path(element)
    baked = None if d is None else _bake_path(d, m)
    if baked is None:
        a, b, c, dd = m[:4]
        scale = math.sqrt(abs(a * dd - b * c)) or 1.0
        width = float(element.get("stroke-width", group.get("stroke-width", "1")))
        element.set("stroke-width", _number(width / scale))
        element.set("transform", group.get("transform"))
        return
    tag = element.tag.rsplit("}", 1)[-1]
    for name in _SHAPE_ATTRIBUTES:
        element.attrib.pop(name, None)
    element.tag = f"{{{SVG_NS}}}path"
    if tag in ("polyline", "line"):
        element.set("fill", "none")  # an open shape is not filled (a path would be)
    element.set("d", baked)


_HREF = f"{{{XLINK_NS}}}href"
MAX_SHARP_PIXELS = 4_000_000  # an image enlarged for sharp cells stays below this many pixels


def _sharp_image(element: ET.Element, m: tuple[float, ...]) -> None:
    """An image Qt drew without smoothing (a heatmap's cells) enlarged by whole pixels, so that a
    renderer which smooths every image anyway (librsvg) blurs only a thin seam between the cells."""
    href = element.get(_HREF, "")
    prefix = "data:image/png;base64,"
    if not href.startswith(prefix):
        return
    image = QtGui.QImage.fromData(QtCore.QByteArray.fromBase64(href[len(prefix):].encode("ascii")), "PNG")
    if image.isNull() or image.width() < 1 or image.height() < 1:
        return
    try:
        width, height = float(element.get("width", "0")), float(element.get("height", "0"))
    except ValueError:
        return
    a, b, c, d = m[:4]
    on_screen_w = width * math.hypot(a, b) / image.width()  # screen pixels per image pixel
    on_screen_h = height * math.hypot(c, d) / image.height()
    factor = max(1, math.ceil(max(on_screen_w, on_screen_h)))
    factor = min(factor, max(1, int(math.sqrt(MAX_SHARP_PIXELS / (image.width() * image.height())))))
    if factor <= 1:
        return
    big = image.scaled(image.width() * factor, image.height() * factor, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                       QtCore.Qt.TransformationMode.FastTransformation)
    png = _in_memory(lambda buffer: big.save(buffer, "PNG"))
    element.set(_HREF, prefix + QtCore.QByteArray(png).toBase64().data().decode("ascii"))


def _path_points(d: str) -> tuple[list[tuple[float, float]], bool] | None:
    """The points of absolute path data (control points included) and whether it is a polygon
    (M, L and Z only); None if it has other commands."""
    points, polygon, command, pending = [], True, None, []
    for token in _PATH_TOKEN.findall(d):
        if token.isalpha():
            if token not in _PAIRED_COMMANDS and token not in "Zz":
                return None
            polygon = polygon and token in "MLZz"
            command = token
        elif command is None:
            return None
        else:
            pending.append(float(token))
            if len(pending) == 2:
                points.append((pending[0], pending[1]))
                pending = []
    return (points, polygon) if points and not pending else None


def _box(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _is_rectangle(points, box) -> bool:
    corners = {(x, y) for x in box[::2] for y in box[1::2]}
    return len(points) in (4, 5) and set(points) <= corners and len(set(points)) == 4


def _clip_rectangle(root: ET.Element, reference: str) -> tuple[float, float, float, float] | None:
    ident = reference.strip()[len("url(#"):-1] if reference.strip().startswith("url(#") else None
    for clip in root.iter(f"{{{SVG_NS}}}clipPath"):
        if clip.get("id") == ident:
            shapes = list(clip)
            if len(shapes) != 1 or shapes[0].get("transform") or shapes[0].tag != f"{{{SVG_NS}}}path":
                return None
            parsed = _path_points(shapes[0].get("d", ""))
            if parsed is None or not parsed[1]:
                return None
            box = _box(parsed[0])
            return box if _is_rectangle(parsed[0], box) else None
    return None


def _apply_rectangular_clips(root: ET.Element) -> None:
    """What a rectangular clip path (a plot's view) hides, removed, and filled rectangles cut to
    it: renderers without clip paths (Qt's own) then draw the same. Shapes drawn in the clip's
    units only (no transform between them)."""
    for holder in root.iter(f"{{{SVG_NS}}}g"):
        box = _clip_rectangle(root, holder.get("clip-path", "")) if holder.get("clip-path") else None
        if box is None:
            continue
        left, top, right, bottom = box
        for group in [holder, *holder.findall(f"{{{SVG_NS}}}g")]:
            if group is not holder and group.get("transform"):
                continue
            for shape in group.findall(f"{{{SVG_NS}}}path"):
                parsed = None if shape.get("transform") else _path_points(shape.get("d", ""))
                if parsed is None:
                    continue
                points, polygon = parsed
                x0, y0, x1, y1 = _box(points)
                if x1 < left or x0 > right or y1 < top or y0 > bottom:
                    group.remove(shape)
                elif polygon and shape.get("stroke", group.get("stroke", "none")) == "none" \
                        and _is_rectangle(points, (x0, y0, x1, y1)) and not (
                        left <= x0 and x1 <= right and top <= y0 and y1 <= bottom):
                    a, b = max(x0, left), max(y0, top)
                    c, d = min(x1, right), min(y1, bottom)
                    shape.set("d", f"M{_number(a)},{_number(b)} L{_number(c)},{_number(b)} "
                                   f"L{_number(c)},{_number(d)} L{_number(a)},{_number(d)} Z")


def portable_svg(data: bytes, shift: QtCore.QPointF | QtCore.QPoint | float = 0) -> bytes:
    """Qt's SVG made to draw the same in every renderer (librsvg, browsers, Qt).

    Qt writes a cosmetic pen (a line one pixel wide however the plot is scaled) as a shape with
    ``vector-effect="non-scaling-stroke"`` inside a group whose transform maps data to pixels; a
    renderer that ignores the vector effect (librsvg, so most Linux viewers, ImageMagick, slide
    tools) scales the stroke with the data — a loss curve becomes a solid slab. Here each such shape
    gets its points mapped into the group's parent's units, where its stroke width is plain user
    units; the group's transform moves onto its other children, so they draw as before. Images
    Qt drew unsmoothed are enlarged by whole pixels (see :func:`_sharp_image`). ``shift`` (a point,
    or a number: down) moves the drawing, clip paths included (see :func:`_paint_figure`'s
    ``panel_at_origin``).
    """
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(data)
    patterns = {p.get("id") for p in root.iter(f"{{{SVG_NS}}}pattern")}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        for image in group.findall(f"{{{SVG_NS}}}image"):
            if image.get("image-rendering") == "optimizeSpeed":
                _sharp_image(image, _parse_matrix(group.get("transform")) or (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
        cosmetic = [child for child in group if child.get("vector-effect") == "non-scaling-stroke"]
        if not cosmetic:
            continue
        m = _parse_matrix(group.get("transform")) or (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        if any(child.tag == f"{{{SVG_NS}}}g" for child in group) or (group.get("transform") and m is None):
            for child in cosmetic:  # not a group Qt writes: leave its geometry alone
                del child.attrib["vector-effect"]
            continue
        for child in group:
            if child in cosmetic:
                _unscaled_stroke(child, group, m, patterns)
            elif group.get("transform"):
                own = child.get("transform")
                child.set("transform", group.get("transform") + (f" {own}" if own else ""))
        group.attrib.pop("transform", None)
    _apply_rectangular_clips(root)
    for clip in root.iter(f"{{{SVG_NS}}}clipPath"):  # a clip outline has no stroke to keep unscaled
        for shape in clip.iter():
            if shape.get("vector-effect") == "non-scaling-stroke":
                del shape.attrib["vector-effect"]
    dx, dy = (shift.x(), shift.y()) if isinstance(shift, (QtCore.QPointF, QtCore.QPoint)) else (0.0, float(shift))
    if dx or dy:
        drawing = [child for child in root if child.tag.rsplit("}", 1)[-1] not in ("defs", "title", "desc")]
        wrapper = ET.SubElement(root, f"{{{SVG_NS}}}g", {"transform": f"translate({_number(dx)},{_number(dy)})"})
        for child in drawing:
            root.remove(child)
            wrapper.append(child)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body + "\n").encode("utf-8")


def export_svg(widget: QtWidgets.QWidget, path, title: str | None = None) -> Path:
    """Write the widget as an SVG file: vectors, with the text as ``<text>``; returns the path."""
    out, _ = check_output_path(path, ("svg",))
    _ensure_renderable(widget)
    size = figure_size(widget, title)

    def write(buffer: QtCore.QBuffer, portable: bool = True) -> None:
        # SVG 1.1, not Tiny 1.2: only then does Qt write clip paths (a plot clips what it shows)
        generator = QtSvg.QSvgGenerator(QtSvg.QSvgGenerator.SvgVersion.Svg11)
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setViewBox(QtCore.QRect(QtCore.QPoint(0, 0), size))
        generator.setResolution(widget.logicalDpiX())  # point sizes of fonts as on screen
        generator.setTitle(title or out.stem)
        generator.setDescription("Exported from nnviz")
        _paint_vector(generator, widget, out, "SVG", title, panel_at_origin=portable)

    try:
        data = portable_svg(_in_memory(write), shift=_panel_origin(widget, title))
    except (ET.ParseError, ValueError, TypeError):  # not what Qt writes today: Qt's SVG as it is
        data = _in_memory(lambda buffer: write(buffer, portable=False))
    return atomic_write_bytes(out, data)


def export_pdf(widget: QtWidgets.QWidget, path, title: str | None = None) -> Path:
    """Write the widget as a one-page vector PDF, the page the size of the figure; returns the path."""
    out, _ = check_output_path(path, ("pdf",))
    _ensure_renderable(widget)
    size = figure_size(widget, title)
    dpi = widget.logicalDpiX()  # one device unit is one pixel on screen: fonts keep their size

    def write(buffer: QtCore.QBuffer) -> None:
        writer = QtGui.QPdfWriter(buffer)
        writer.setResolution(dpi)
        page = QtGui.QPageSize(QtCore.QSizeF(size.width() * 72 / dpi, size.height() * 72 / dpi),
                               QtGui.QPageSize.Unit.Point, "nnviz figure",
                               QtGui.QPageSize.SizeMatchPolicy.ExactMatch)
        writer.setPageLayout(QtGui.QPageLayout(page, QtGui.QPageLayout.Orientation.Portrait,
                                               QtCore.QMarginsF(0, 0, 0, 0)))
        writer.setTitle(title or out.stem)
        writer.setCreator("nnviz")
        _paint_vector(writer, widget, out, "PDF", title)

    return atomic_write_bytes(out, _in_memory(write))


def _csv_cell(value) -> str:
    """Numbers in full (``repr(float(x))`` reads back as the same float), integers as integers,
    missing values empty, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return str(value)


def export_csv(header: Sequence[str], rows: Iterable[Sequence], path) -> Path:
    """Write a table as CSV (UTF-8, a header line, then one line per row); returns the path."""
    out, _ = check_output_path(path, ("csv",))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return atomic_write_text(out, buffer.getvalue())


def figure_title(snapshot, figure: str) -> str:
    """"Circle — Decision surface · step 3,000": the data the figure shows (not the model's name,
    which may be that of data it no longer trains on), the figure, and the moment of training."""
    if snapshot is None:
        return figure
    head = f"{snapshot.data_name} — {figure}" if snapshot.data_name else figure
    return tr("{title} · step {step}").format(title=head, step=f"{snapshot.step:,}")


def figure_widget(panel: QtWidgets.QWidget) -> QtWidgets.QWidget:
    """The part of ``panel`` a figure shows: its ``export_widget()`` if it has one, else its one
    plot view in use (so the figure leaves out check boxes, sliders and hints), else the panel."""
    catch_up(panel)
    if hasattr(panel, "export_widget"):
        return panel.export_widget()
    views = [v for v in panel.findChildren(QtWidgets.QGraphicsView) if v.isVisibleTo(panel)]
    return views[0] if len(views) == 1 else panel


def copy_image(widget: QtWidgets.QWidget, scale: float = 2, title: str | None = None) -> QtGui.QImage:
    """Put the widget's figure (white background) on the clipboard, for pasting into slides."""
    image = render_image(figure_widget(widget), scale=scale, title=title)
    QtWidgets.QApplication.clipboard().setImage(image)
    return image


@dataclass(frozen=True)
class FigureOptions:
    """How a figure is written: ``table`` returns the panel's numbers as ``(header, rows)`` (for
    table formats); ``scale``, ``width`` and ``background`` apply to raster formats; ``title`` heads
    the picture."""

    table: Callable[[], tuple] | None = None
    scale: float = 1
    width: int | None = None
    background: str = "white"
    title: str | None = None


def write_png(widget: QtWidgets.QWidget, out: Path, options: FigureOptions) -> Path:
    return export_png(widget, out, scale=options.scale, width=options.width, background=options.background,
                      title=options.title)


def write_svg(widget: QtWidgets.QWidget, out: Path, options: FigureOptions) -> Path:
    return export_svg(widget, out, title=options.title)


def write_pdf(widget: QtWidgets.QWidget, out: Path, options: FigureOptions) -> Path:
    return export_pdf(widget, out, title=options.title)


def write_csv(widget: QtWidgets.QWidget, out: Path, options: FigureOptions) -> Path:
    if options.table is None:
        raise ExportError(tr("{path}: this panel has no numbers to export as CSV").format(path=out))
    header, rows = options.table()
    return export_csv(header, rows, out)


def export_figure(widget: QtWidgets.QWidget, path, *, table: Callable[[], tuple] | None = None,
                  scale: float = 1, width: int | None = None, background: str = "white",
                  title: str | None = None) -> Path:
    """Export ``widget``'s figure (see :func:`figure_widget`) to ``path``, the format chosen by the
    extension from :data:`~nnviz.gui.formats.FIGURE_FORMATS` (.png, .svg, .pdf, .csv).

    ``table`` returns the panel's numbers as ``(header, rows)`` for CSV; ``scale``, ``width`` and
    ``background`` apply to PNG. Returns the absolute path written.
    """
    out, suffix = check_output_path(path)
    options = FigureOptions(table=table, scale=scale, width=width, background=background, title=title)
    return FIGURE_FORMATS[suffix].load()(figure_widget(widget), out, options)
