"""The health strip: one compact row per layer — dead and saturated units, gradient norm, update ratio —
under a line that names a network-wide problem (collapsed, or not finite).

Every number comes from the snapshot's :class:`nnviz.core.stats.LayerHealth` tuple and its
:class:`~nnviz.core.stats.HealthVerdict`; the strip only formats them and colours each cell against its
reference band (green fine, amber worth a look, red a problem, grey not applicable, plain shown but
not judged: the output layer's saturation, which on a fitted classifier is confidence). A layer with
any red cell, or the layer a verdict points to, has its name in red, so a glance down the first
column finds the sick layer. Numbers that are not finite read "NaN" (or ±∞) and are red. Clicking a
cell emits ``layer_clicked(index, detail)`` with the detail panel that explains it ("activations",
"gradients" or "updates").

The table's items are created once per architecture; a frame sets only the texts, colours and tips
that changed, with the model quiet, and tells the view once (so the columns sized to their contents
are measured once a frame, not once a cell); a hidden strip keeps the newest snapshot and draws it
when it is shown again.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal

from nnviz.core.numbers import format_fixed, format_scientific, format_share
from nnviz.core.stats import EXPLODING, SATURATION, SOUND, UPDATE_RATIO_BAND, VANISHING
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.facts import weighted
from nnviz.gui.panels.inspector import layer_name
from nnviz.gui.style import TEXT, muted_text, palette_style, readable, text_on

#: cell states, and their text and background colours; PLAIN: a number shown but not judged
OK, WARN, BAD, NA, PLAIN = "ok", "warn", "bad", "na", "plain"
STATE_COLORS = {
    OK: ("#2e7d32", "#e8f5e9"),
    WARN: ("#a15c00", "#fff3e0"),
    BAD: ("#c62828", "#ffebee"),
    NA: ("#757575", "#ffffff"),
    PLAIN: (TEXT, "#ffffff"),
}
SHARE_BANDS = (0.10, 0.50)  # dead / saturated share: green below the first, red from the second
MARGIN_DECADES = 2.0  # gradient norms within this many orders of magnitude of a limit are amber
RATIO_MARGIN = 1.0  # update ratios within this of the band (in log10) are amber
ROW_HEIGHT = 22
CELL_PADDING = 8  # px of space left and right of a cell's text
COMPACT_NAME_WIDTH = 110  # px the layer names keep in a compact strip

NAME, DEAD, SATURATED, GRAD_NORM, UPDATE_RATIO = range(5)
# the column titles, marked for translation (tr() where shown)
HEADERS = (QT_TRANSLATE_NOOP("", "Layer"), QT_TRANSLATE_NOOP("", "Dead"), QT_TRANSLATE_NOOP("", "Saturated"),
           QT_TRANSLATE_NOOP("", "Grad norm"), QT_TRANSLATE_NOOP("", "Update (log₁₀)"))
# a narrow strip (the full names in the tips)
COMPACT_HEADERS = (QT_TRANSLATE_NOOP("", "Layer"), QT_TRANSLATE_NOOP("", "Dead"), QT_TRANSLATE_NOOP("", "Sat."),
                   QT_TRANSLATE_NOOP("", "Grad"), QT_TRANSLATE_NOOP("", "Update"))
#: which detail panel a click on each column opens
DETAILS = ("activations", "activations", "activations", "gradients", "updates")
_LO, _HI = UPDATE_RATIO_BAND


def header_tips() -> tuple[str, ...]:
    """The column headers' tooltips (translated)."""
    return (
        tr("The layer, numbered as in the sidebar. Its name is red when any of its cells is red, or when\n"
           "the line above the table (a collapsed or diverged network) names it.\n"
           "Click a row to open the layer's activations."),
        tr("Dead units: the share of units that output 0 for every sample of the probe batch (ReLU-like\n"
           "activations only). A dead unit passes no gradient and stops learning.\n"
           "Green below 10%, amber 10–50%, red from 50%."),
        tr("Saturated activations: the share of outputs in the flat tails of a tanh (|a| > {high}) or\n"
           "a sigmoid (a < {low} or a > {high}), where the gradient almost vanishes.\n"
           "Green below 10%, amber 10–50%, red from 50%. The output layer's share is shown but not judged:\n"
           "outputs near 0 or 1 on a fitted model are confident answers, not a fault.").format(
               high=f"{SATURATION:g}", low=f"{1 - SATURATION:.2g}"),
        tr("Gradient norm: the length of dL/dθ over all the layer's parameters, on the probe batch.\n"
           "Red below {vanishing} (vanishing) or above {exploding} (exploding); amber within two orders\n"
           "of magnitude of either; green between.").format(vanishing=f"{VANISHING:g}", exploding=f"{EXPLODING:g}"),
        tr("Update ratio: log₁₀(std(ΔW) / std(W)), the size of the change the optimizer applied to the weights\n"
           "on the last step (Adam, momentum, weight decay and clipping included), relative to their spread.\n"
           "Green inside {low} … {high} (about a thousandth per step); amber within 1 of it; red beyond:\n"
           "much lower and the layer barely learns, much higher and it thrashes. — before the first step:\n"
           "no update yet.").format(low=f"{_LO:g}", high=f"{_HI:g}"),
    )


# -- numbers and bands (pure functions, tested without a widget) ---------------------------------
def share_state(value: float | None) -> str:
    """Green below 10%, amber 10–50%, red from 50% (NaN is red: something diverged)."""
    if value is None:
        return NA
    if not math.isfinite(value) or value >= SHARE_BANDS[1]:
        return BAD
    return WARN if value >= SHARE_BANDS[0] else OK


def saturated_state(value: float | None, output: bool) -> str:
    """As :func:`share_state`, but the output layer's share is PLAIN (shown, not judged: a sigmoid
    or softmax output near 0 or 1 on a fitted model is confidence) unless it is not a number."""
    if output and value is not None and math.isfinite(value):
        return PLAIN
    return share_state(value)


def norm_state(value: float | None) -> str:
    """Red outside [VANISHING, EXPLODING], amber within MARGIN_DECADES of either limit, else green."""
    if value is None:
        return NA
    if not math.isfinite(value) or value < VANISHING or value > EXPLODING:
        return BAD
    margin = 10.0 ** MARGIN_DECADES
    if value < VANISHING * margin or value > EXPLODING / margin:
        return WARN
    return OK


def ratio_state(value: float | None) -> str:
    """Green inside UPDATE_RATIO_BAND, amber within RATIO_MARGIN of it, red beyond (and -∞, NaN)."""
    if value is None:
        return NA
    if math.isnan(value):
        return BAD
    if _LO <= value <= _HI:
        return OK
    if _LO - RATIO_MARGIN <= value <= _HI + RATIO_MARGIN:
        return WARN
    return BAD


def layer_title(snapshot, health, compact: bool = False) -> str:
    """"Hidden layer 1 · dense tanh"; the activation is left out for a norm or dropout layer
    without one ("Hidden layer 3 · dropout"). ``compact``: "H1 · tanh", "Out · sigmoid" (the
    layer's number survives a narrow column)."""
    kind = health.type
    if health.activation != "identity" or weighted(kind):
        kind = f"{kind} {health.activation}"
    if compact:
        name = tr("Out") if health.index == len(snapshot.layers) - 1 else f"H{health.index + 1}"
        return f"{name} · {kind.removeprefix('dense ')}"
    return f"{layer_name(snapshot, health.index)} · {kind}"


class _PaddedDelegate(QtWidgets.QStyledItemDelegate):
    """Paints the band colour over the whole cell (less a 1 px gap between rows) and the text
    inset by CELL_PADDING; a style sheet padding would drop the items' own backgrounds."""

    def paint(self, painter, option, index):
        option = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(option, index)
        painter.fillRect(option.rect.adjusted(0, 0, 0, -1), option.backgroundBrush)
        option.backgroundBrush = QtGui.QBrush()
        option.rect = option.rect.adjusted(CELL_PADDING, 0, -CELL_PADDING, 0)
        widget = option.widget
        style = widget.style() if widget is not None else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        return QtCore.QSize(size.width() + 2 * CELL_PADDING, size.height())


class HealthStrip(Panel, QtWidgets.QWidget):
    """One row per layer of the snapshot's health numbers, each coloured against its band.

    Emits ``layer_clicked(index, detail)`` when a cell is clicked: the layer's index and the
    detail panel to open ("activations", "gradients" or "updates").
    """

    layer_clicked = Signal(int, str)

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self._structure: tuple = ()
        self._restyling = False
        self._states: list[list[str]] = []
        self._layer_index: list[int] = []
        self.table = QtWidgets.QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName(tr("Layer health"))
        table = self.table
        for column, (title, tip) in enumerate(zip(HEADERS, header_tips())):
            item = QtWidgets.QTableWidgetItem(tr(title))
            item.setToolTip(tip)
            item.setTextAlignment((QtCore.Qt.AlignmentFlag.AlignLeft if column == NAME
                                   else QtCore.Qt.AlignmentFlag.AlignRight) | QtCore.Qt.AlignmentFlag.AlignVCenter)
            table.setHorizontalHeaderItem(column, item)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setFixedHeight(ROW_HEIGHT)
        header.setHighlightSections(False)
        # the name takes what is left; the numbers keep the width of their longest text
        header.setSectionResizeMode(NAME, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(HEADERS)):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        # the strip is read-only and every cell is a button: no editing, no selection highlight
        # (it would hide the band colours)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setSizeAdjustPolicy(QtWidgets.QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        table.viewport().setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        table.setItemDelegate(_PaddedDelegate(table))
        table.cellClicked.connect(self._on_table_cell_clicked)
        self.placeholder = QtWidgets.QLabel(tr("Layer health appears when training starts."))
        # the network-wide verdict: one line, shown only when something is wrong
        self.verdict = QtWidgets.QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setContentsMargins(CELL_PADDING, 2, CELL_PADDING, 2)
        self.verdict.setStyleSheet(f"color: {STATE_COLORS[BAD][0]}; background: {STATE_COLORS[BAD][1]};"
                                   " font-weight: bold;")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.verdict)
        layout.addWidget(table)
        table.hide()
        self.verdict.hide()
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum)
        self._apply_palette()
        palette_style(self.placeholder, lambda: f"color: {muted_text().name()};")

    # -- public -----------------------------------------------------------------------------------
    @classmethod
    def demo_snapshot(cls):
        """A small network with BatchNorm and dropout: every column has something to show."""
        return _demo_snapshot()

    def cell_state(self, row: int, column: int) -> str:
        """"ok", "warn", "bad" or "na" — the band the cell's colour shows."""
        return self._states[row][column]

    def cell_text(self, row: int, column: int) -> str:
        return self.table.item(row, column).text()

    def row_count(self) -> int:
        return self.table.rowCount()

    def verdict_text(self) -> str:
        """The network-wide line a person reads above the table ("" when the network looks sound)."""
        return self.verdict.text() if not self.verdict.isHidden() else ""

    def name_is_red(self, row: int) -> bool:
        """Whether the layer's name is marked as sick (any of its cells is red)."""
        return self.table.item(row, NAME).foreground().color() == self._name_colors()[1]

    def header_colors(self) -> tuple[QtGui.QColor, QtGui.QColor]:
        """The column titles' text and background colours, as drawn."""
        palette = self.table.horizontalHeader().palette()
        return (palette.color(QtGui.QPalette.ColorRole.ButtonText),
                palette.color(QtGui.QPalette.ColorRole.Button))

    def name_background(self) -> QtGui.QColor:
        """The colour behind the layer names (the table's base)."""
        return self.table.palette().color(QtGui.QPalette.ColorRole.Base)

    # -- colours: from the palette, so that a dark desktop reads as well as a light one ------------
    def _name_colors(self) -> tuple[QtGui.QColor, QtGui.QColor]:
        """A sound layer's and a sick layer's name colour, readable on the table's base."""
        base = self.name_background()
        return text_on(base, self.table.palette()), readable(STATE_COLORS[BAD][0], base)

    def _apply_palette(self) -> None:
        """Style the header from the current palette (again when it changes)."""
        palette = self.table.palette()
        header_text = palette.color(QtGui.QPalette.ColorRole.Text).name()
        header_back = palette.color(QtGui.QPalette.ColorRole.AlternateBase).name()
        rule = palette.color(QtGui.QPalette.ColorRole.Mid).name()
        # the header's palette is set too, so that what is drawn and what header_colors reads agree
        header = self.table.horizontalHeader()
        header_palette = header.palette()
        header_palette.setColor(QtGui.QPalette.ColorRole.ButtonText, QtGui.QColor(header_text))
        header_palette.setColor(QtGui.QPalette.ColorRole.Button, QtGui.QColor(header_back))
        header.setPalette(header_palette)
        self.table.setStyleSheet("QTableWidget { border: none; }"
                                 f"QHeaderView::section {{ padding: 0 8px; border: none; color: {header_text};"
                                 f" border-bottom: 1px solid {rule}; background: {header_back}; }}")

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange and not self._restyling:
            self._restyling = True
            try:
                self._apply_palette()
            finally:
                self._restyling = False
            self.redraw()

    # -- drawing ----------------------------------------------------------------------------------
    def _build(self, structure: tuple) -> None:
        """Create the rows' items (only when the layers change)."""
        table = self.table
        table.setRowCount(len(structure))
        for row in range(len(structure)):
            for column in range(len(HEADERS)):
                item = QtWidgets.QTableWidgetItem()
                item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
                if column != NAME:
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        self._structure = structure
        self._states = [[NA] * len(HEADERS) for _ in structure]
        self._layer_index = [index for index, _, _ in structure]
        table.updateGeometry()
        self.updateGeometry()

    def _draw_snapshot(self, snapshot) -> None:
        health = snapshot.health
        structure = tuple((h.index, h.type, h.activation) for h in health)
        built = structure != self._structure
        if built:
            self._build(structure)
        self.placeholder.setVisible(not health)
        self.table.setVisible(bool(health))
        verdict = snapshot.health_verdict
        self._show_verdict(verdict)
        pointed = verdict.layer if verdict is not None and verdict.state != SOUND else None
        model = self.table.model()
        # Every item setter tells the view, which lays out the columns sized to their contents
        # again (a sizeHint per cell, hundreds a frame): the items change quietly and the view
        # hears of them once.
        was_blocked = model.blockSignals(True)
        try:
            rows = self._fill(snapshot, health, pointed)
        finally:
            model.blockSignals(was_blocked)
        if rows:
            model.dataChanged.emit(model.index(min(rows), 0), model.index(max(rows), model.columnCount() - 1), [])
        if built:
            self._fit_name_column()

    def _fill(self, snapshot, health, pointed: int | None) -> list[int]:
        """Set the cells' texts, colours and tips; the rows where any of them changed."""
        rows = []
        sound_color, sick_color = self._name_colors()
        for row, h in enumerate(health):
            changed = False
            units = snapshot.layers[h.index].units if h.index < len(snapshot.layers) else None
            has_grads = bool(h.grads)
            output = h.index == len(snapshot.layers) - 1
            cells = (
                (format_share(h.dead), share_state(h.dead), _dead_tip(h.dead, units)),
                (format_share(h.saturated), saturated_state(h.saturated, output), _saturated_tip(h, output)),
                (format_scientific(h.grad_norm if has_grads else None), norm_state(h.grad_norm if has_grads else None),
                 _norm_tip(h)),
                (format_fixed(h.update_ratio), ratio_state(h.update_ratio), _ratio_tip(h)),
            )
            states = self._states[row]
            for column, (text, state, tip) in enumerate(cells, start=1):
                fg, bg = STATE_COLORS[state]
                changed |= self._set_item(self.table.item(row, column), text, fg, tip, background=bg)
                states[column] = state
            sick = BAD in states[1:] or h.index == pointed
            states[NAME] = BAD if sick else OK
            name = self.table.item(row, NAME)
            tip = (tr("layers[{index}]: {type}, activation {activation}. "
                      "Mean activation {mean}, std {std} on the probe batch.").format(
                          index=h.index, type=h.type, activation=h.activation, mean=f"{h.mean:.4g}", std=f"{h.std:.4g}")
                   + ("\n" + tr("A red cell in this row, or the line above the table, marks a problem.")
                      if sick else "")
                   + "\n" + tr("Click to open the layer's activations."))
            title = layer_title(snapshot, h, compact=self.compact)
            changed |= self._set_item(name, title, sick_color if sick else sound_color, tip)
            font = name.font()
            if font.bold() != sick:
                font.setBold(sick)
                name.setFont(font)
                changed = True
            if changed:
                rows.append(row)
        return rows

    def _show_verdict(self, verdict) -> None:
        text = tr(verdict.reason) if verdict is not None and verdict.state != SOUND else ""  # the core's sentence
        if self.verdict.text() != text:
            self.verdict.setText(text)
        self.verdict.setHidden(not text)

    _compact = False

    @property
    def compact(self) -> bool:
        """A strip in a narrow place (a lane of a comparison): short column titles and layer names
        ("H1 · tanh"); it may still be narrower than its names and numbers, when the names keep
        COMPACT_NAME_WIDTH and the table scrolls sideways."""
        return self._compact

    @compact.setter
    def compact(self, on: bool) -> None:
        self._compact = bool(on)
        for column, title in enumerate(COMPACT_HEADERS if on else HEADERS):
            self.table.horizontalHeaderItem(column).setText(tr(title))
        if self._snapshot is not None:
            self.redraw()

    def _fit_name_column(self) -> None:
        """Keep the layer names whole (bold, as when red): the strip is at least that wide (unless
        :attr:`compact`)."""
        if self.compact:  # the names get what the numbers leave, at least COMPACT_NAME_WIDTH
            header = self.table.horizontalHeader()
            if header.sectionResizeMode(NAME) != QtWidgets.QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(NAME, QtWidgets.QHeaderView.ResizeMode.Interactive)
                header.setStretchLastSection(False)
            numbers = sum(header.sectionSize(c) for c in range(1, len(HEADERS)))
            room = self.table.viewport().width() - numbers
            header.resizeSection(NAME, max(COMPACT_NAME_WIDTH, room))
            self.table.setMinimumWidth(0)
            self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            return
        bold = QtGui.QFont(self.table.font())
        bold.setBold(True)
        metrics = QtGui.QFontMetrics(bold)
        names = [self.table.item(row, NAME).text() for row in range(self.table.rowCount())]
        name_width = max((metrics.horizontalAdvance(n) for n in names), default=0) + 2 * CELL_PADDING + 4
        header = self.table.horizontalHeader()
        numbers = sum(max(header.sectionSizeHint(c), self.table.sizeHintForColumn(c))
                      for c in range(1, len(HEADERS)))
        self.table.setMinimumWidth(name_width + numbers + 2 * self.table.frameWidth())

    @staticmethod
    def _set_item(item, text: str, foreground: str, tip: str, background: str | None = None) -> bool:
        """Set what differs of an item's text, colours and tip; True if anything did."""
        changed = False
        if item.text() != text:
            item.setText(text)
            changed = True
        fg = QtGui.QColor(foreground)
        if item.foreground().color() != fg:
            item.setForeground(fg)
            changed = True
        if background is not None:
            bg = QtGui.QColor(background)
            if item.background().color() != bg:
                item.setBackground(bg)
                changed = True
        if item.toolTip() != tip:
            item.setToolTip(tip)
            changed = True
        return changed

    def _on_table_cell_clicked(self, row: int, column: int) -> None:
        if 0 <= row < len(self._layer_index):
            self.layer_clicked.emit(self._layer_index[row], DETAILS[column])


# -- tooltips: the number, what it means, the band -------------------------------------------------
_SHARE_BAND = QT_TRANSLATE_NOOP("", "Green below 10%, amber 10–50%, red from 50%.")  # tr() at use
_OPEN_ACTIVATIONS = QT_TRANSLATE_NOOP("", "Click to open the activations.")


def _dead_tip(dead: float | None, units: int | None) -> str:
    if dead is None:
        return tr("Not applicable: only ReLU-like activations can die.")
    if not math.isfinite(dead):
        return (tr("NaN: the outputs on the probe batch are not all finite numbers, so no unit is dead or alive.")
                + "\n" + tr(_OPEN_ACTIVATIONS))
    share = f"{100 * dead:.4g}"
    if units and math.isfinite(dead):
        said = tr("Dead: {share}% ({count} of {units} units) output 0 for every sample of the probe batch.").format(
            share=share, count=round(dead * units), units=units)
    else:
        said = tr("Dead: {share}% output 0 for every sample of the probe batch.").format(share=share)
    return f"{said}\n{tr(_SHARE_BAND)}\n{tr(_OPEN_ACTIVATIONS)}"


def _saturated_tip(h, output: bool) -> str:
    if h.saturated is None:
        return tr("Not applicable: only tanh and sigmoid saturate.")
    if not math.isfinite(h.saturated):
        return (tr("NaN: the {activation} outputs on the probe batch are not all finite numbers, so no share "
                   "of them is saturated or not.").format(activation=h.activation) + "\n" + tr(_OPEN_ACTIVATIONS))
    band = (tr("Not judged for the output layer: outputs near the ends of its range on a fitted model are "
               "confident answers, not a fault.") if output else tr(_SHARE_BAND))
    said = tr("Saturated: {share}% of the {activation} outputs on the probe batch sit in its flat tails.").format(
        share=f"{100 * h.saturated:.4g}", activation=h.activation)
    return f"{said}\n{band}\n{tr(_OPEN_ACTIVATIONS)}"


def _norm_tip(h) -> str:
    if not h.grads:
        return tr("Not applicable: the layer has no parameters.")
    parts = ", ".join(f"{name} {g.norm:.4g}" for name, g in h.grads.items())
    return (tr("Gradient norm {norm} ({parts}).").format(norm=f"{h.grad_norm:.6g}", parts=parts) + "\n"
            + tr("Red below {vanishing} (vanishing) or above {exploding} (exploding); amber within two "
                 "orders of magnitude of either.").format(vanishing=f"{VANISHING:g}", exploding=f"{EXPLODING:g}")
            + "\n" + tr("Click to open the gradients."))


def _ratio_tip(h) -> str:
    ratio = h.update_ratio
    if ratio is None:
        if weighted(h.type):
            return tr("No update yet: the ratio measures the change the optimizer applied on the last step.")
        return tr("Not applicable: the layer has no weight matrix.")
    if math.isnan(ratio):
        value = tr("NaN: the weights or their update are not finite numbers, or the weights have no spread")
    elif ratio == -math.inf:
        value = tr("-∞: the last step did not move the weights")
    elif ratio == math.inf:
        value = tr("∞: the last step's change overflowed")
    else:
        value = tr("{ratio}: the last step moved the weights by about {size} of their spread").format(
            ratio=f"{ratio:.4g}", size=f"{10 ** ratio:.2g}")
    if math.isnan(ratio):
        judged = ""
    elif ratio < _LO:
        judged = tr("Too low: below the band, the weights barely move (learning rate too low, or clipping too "
                    "tight).") + "\n"
    elif ratio > _HI:
        judged = tr("Too high: above the band, the weights thrash (learning rate too high).") + "\n"
    else:
        judged = tr("In the band.") + "\n"
    return (f"log₁₀(std(ΔW) / std(W)) = {value}.\n{judged}"
            + tr("Green inside {low} … {high}, amber within {margin} of it, red beyond.").format(
                low=f"{_LO:g}", high=f"{_HI:g}", margin=f"{RATIO_MARGIN:g}")
            + "\n" + tr("Click to open the updates."))


def _demo_snapshot():
    """A real snapshot of a short run of a small network with BatchNorm and dropout."""
    from nnviz.core.experiment import Experiment, default_document

    doc = default_document()
    doc["layers"] = [{"type": "dense", "units": 4, "activation": "relu"},
                     {"type": "batchnorm", "activation": "tanh"},
                     {"type": "dropout", "p": 0.25},
                     {"type": "dense", "units": 1, "activation": "sigmoid"}]
    exp = Experiment(doc)
    exp.run(20)
    return exp.snapshot()


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the health strip alone on a short real run.")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the strip and quit")
    args = parser.parse_args()
    def prepare(strip):
        strip.layer_clicked.connect(lambda index, detail: print(f"layer_clicked({index}, {detail!r})"))

    sys.exit(show_alone(HealthStrip, "layer health", _demo_snapshot(), size=(560, 130), prepare=prepare,
                        save=args.save))
