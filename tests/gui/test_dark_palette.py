"""Under a dark desktop palette as under a light one, the panels' own texts read against what is behind
them (WCAG contrast ratio of at least 4.5, the least for body text)."""

from palettes import dark_palette
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.gui.panels.health import NAME, HealthStrip
from nnviz.gui.panels.loss import LossPanel

WCAG_BODY_TEXT = 4.5


def _contrast(a: QtGui.QColor, b: QtGui.QColor) -> float:
    """WCAG 2 contrast ratio, written out here from the definition (not the app's helper)."""
    def lum(c):
        def ch(v):
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _grab_color(widget: QtWidgets.QWidget, point) -> QtGui.QColor:
    return widget.grab().toImage().pixelColor(point)


def test_health_header_and_names_read_on_their_background(desktop, make_panel, qapp):
    strip = make_panel(HealthStrip, size=(600, 200))
    strip.show_snapshot(HealthStrip.demo_snapshot())
    assert strip.row_count() > 0
    # the header as drawn: its background pixel, and the colour its text is drawn in
    header = strip.table.horizontalHeader()
    text, background = strip.header_colors()
    drawn = _grab_color(header, header.rect().bottomRight() - QtCore.QPoint(3, 3))  # right of the titles
    assert _contrast(drawn, background) < 1.1, "the header is drawn with the background it reports"
    assert _contrast(text, background) >= WCAG_BODY_TEXT
    base = strip.name_background()
    dark = desktop == "dark"
    assert (base.lightnessF() < 0.5) == dark
    sick = sound = 0
    for row in range(strip.row_count()):
        color = strip.table.item(row, NAME).foreground().color()
        assert _contrast(color, base) >= WCAG_BODY_TEXT, strip.table.item(row, NAME).text()
        if strip.name_is_red(row):
            sick += 1
            assert color.red() > color.green() and color.red() > color.blue(), "a sick layer's name is still red"
        else:
            sound += 1
    assert sound > 0


def test_health_follows_a_palette_change(make_panel, qapp):
    before = QtGui.QPalette(qapp.palette())
    strip = make_panel(HealthStrip, size=(600, 200))
    strip.show_snapshot(HealthStrip.demo_snapshot())
    try:
        qapp.setPalette(dark_palette())
        qapp.processEvents()
        base = strip.name_background()
        assert base.lightnessF() < 0.5
        text, background = strip.header_colors()
        assert _contrast(text, background) >= WCAG_BODY_TEXT
        for row in range(strip.row_count()):
            assert _contrast(strip.table.item(row, NAME).foreground().color(), base) >= WCAG_BODY_TEXT
    finally:
        qapp.setPalette(before)


def test_loss_hint_reads_on_its_background(desktop, make_panel):
    panel = make_panel(LossPanel, size=(600, 400))
    label = panel.readout
    assert label.text()  # the hint is shown before any hover
    image = label.grab().toImage()
    background = image.pixelColor(1, 1)
    # the darkest (light theme) or lightest pixel that differs from the background is the text's
    pixels = [image.pixelColor(x, y) for x in range(0, image.width(), 2) for y in range(image.height())]
    text = max(pixels, key=lambda c: _contrast(c, background))
    assert _contrast(text, background) >= WCAG_BODY_TEXT


def _styled_colours(widget: QtWidgets.QWidget):
    """(text colour, background or None) a widget's own style sheet gives it, None if it sets no text colour."""
    import re

    sheet = widget.styleSheet()
    if "{" in sheet:  # a sheet for sub-controls (a table's header): checked by its own panel's test
        return None
    colour = re.search(r"(?<![-\w])color:\s*([^;]+);", sheet)
    background = re.search(r"background(?:-color)?:\s*([^;]+);", sheet)
    if colour is None:
        return None
    return QtGui.QColor(colour.group(1).strip()), (QtGui.QColor(background.group(1).strip()) if background else None)


def _unreadable_labels(window, qapp) -> list[str]:
    behind = qapp.palette().color(QtGui.QPalette.ColorRole.Window)
    bad, seen = [], 0
    for widget in window.findChildren(QtWidgets.QWidget):
        colours = _styled_colours(widget)
        if colours is None:
            continue
        seen += 1
        text, background = colours
        assert text.isValid(), f"{widget.objectName() or type(widget).__name__}: {widget.styleSheet()!r}"
        if _contrast(text, background if background is not None else behind) < WCAG_BODY_TEXT:
            name = widget.accessibleName() or widget.objectName() or type(widget).__name__
            bad.append(f"{name}: {widget.styleSheet()}")
    assert seen >= 6, "the window's coloured notes and messages are found"
    return bad


def test_the_windows_notes_and_messages_follow_a_palette_change(main_window, qapp):
    """The desktop switches between light and dark while nnviz runs: every note and message the window
    colours itself (split note, error lines, the step-through's feedback …) is restyled and reads."""
    before = QtGui.QPalette(qapp.palette())
    try:
        qapp.setPalette(qapp.style().standardPalette())
        qapp.processEvents()
        assert _unreadable_labels(main_window, qapp) == []
        qapp.setPalette(dark_palette())
        qapp.processEvents()
        assert _unreadable_labels(main_window, qapp) == []
        qapp.setPalette(qapp.style().standardPalette())
        qapp.processEvents()
        assert _unreadable_labels(main_window, qapp) == []
    finally:
        qapp.setPalette(before)
