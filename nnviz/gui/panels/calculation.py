"""Calculation panel: the current operation of the step-through as formula, numbers and result.

The panel draws a :class:`~nnviz.core.walkthrough.Calculation` (built by the core from the trace):
the formula in symbols, the same formula with the step's numbers put in, the result, and a table of
the numbers involved. The formulas are typeset (:mod:`nnviz.gui.maths`; hovering one shows its numbers
in full), or, with Typeset maths off, plain text whose numbers show in full on hover. Numbers show at
the chosen precision. The calculation copies as plain text or LaTeX. Editable table cells (weights, biases, inputs,
targets) emit ``edit_requested(Edit, value)``; text that is not a finite number is refused in place.
"""

from __future__ import annotations

import html
import time
from collections import deque
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.numbers import format_operand, format_value, format_vector
from nnviz.core.text import Phrase
from nnviz.core.walkthrough import Calculation, Line, Num, Sym
from nnviz.gui import maths
from nnviz.gui.i18n import tr, tr_phrase
from nnviz.gui.panels.inspector import parse_number
from nnviz.gui.style import BACKWARD, FORWARD, SELECTED, TEXT, muted_text, on_window, palette_style, readable, text_on

# forward green and backward red (style.py); neither may look like a weight's sign (blue, orange)
PHASE_COLORS = {"forward": FORWARD, "loss": "#6d4c41", "backward": BACKWARD, "update": "#7b1fa2"}
PHASE_NAMES = {"forward": "Forward", "loss": "Loss", "backward": "Backward", "update": "Update"}


def phase_name(phase: str) -> str:
    """The phase's name in the reader's language."""
    return {"forward": tr("Forward"), "loss": tr("Loss"), "backward": tr("Backward"),
            "update": tr("Update")}.get(phase, phase)
_EDITABLE = QtGui.QColor("#fff8e1")
_HIGHLIGHT = QtGui.QColor("#e3f2fd")
_MAX_TABLE_CELLS = 3000


class CalculationPanel(QtWidgets.QWidget):
    """Shows one :class:`Calculation`. ``edit_requested(Edit, float)`` when a cell is edited."""

    edit_requested = Signal(object, float)
    precision_changed = Signal(int)

    def __init__(self, parent=None, draw_budget: float | None = None):
        super().__init__(parent)
        #: seconds a drawing may spend typesetting before the rest of its lines are shown as plain
        #: text and typeset in the idle time after (then drawn again); None typesets them all at once
        self.draw_budget = draw_budget
        self._draw_began = 0.0
        self._deferred: list = []  # the lines the drawing under way left as plain text
        self.calculation: Calculation | None = None
        self.hidden_result = False
        self.unanswered = lambda unit: False  # unit -> its result is still to be asked (the quiz)
        self.precision = 3
        self._filling = False
        self._typeset_texts: list[str] = []  # the plain text of each typeset picture, in document order
        # formulas typeset ahead, one per turn of the event loop (see prefetch)
        self._ahead: deque = deque()
        self._ahead_timer = QtCore.QTimer(self)
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.setInterval(0)
        self._ahead_timer.timeout.connect(self._typeset_ahead)

        self.heading = QtWidgets.QLabel("")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.browser = QtWidgets.QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.highlighted.connect(self._on_number_hovered)
        self.browser.setToolTip("")
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.browser.setFont(font)
        self._style_browser()

        self.table = QtWidgets.QTableWidget()
        self.table.setAccessibleName(tr("Numbers"))
        self.table.setToolTip(tr("The numbers of this operation. Cells with a light yellow background are "
                              "weights, biases, inputs or targets: double-click one to change it, and the "
                              "whole step is computed again."))
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
                                   | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table_note = QtWidgets.QLabel("")
        palette_style(self.table_note, lambda: f"color: {muted_text().name()};")
        self.message = QtWidgets.QLabel("")
        palette_style(self.message, lambda: f"color: {on_window(BACKWARD)};")
        self.message.setWordWrap(True)

        self.decimals = QtWidgets.QSpinBox()
        self.decimals.setRange(0, 12)
        self.decimals.setValue(self.precision)
        self.decimals.setPrefix(tr("Decimals: "))
        self.decimals.setAccessibleName(tr("Decimals"))  # its label is its prefix
        self.decimals.setToolTip(tr("How many decimal places the numbers show (hover a number for all of them)"))
        self.decimals.valueChanged.connect(self.set_precision)
        self.copy_text = QtWidgets.QPushButton(tr("Copy text"))
        self.copy_text.setToolTip(tr("Copy the calculation as plain text"))
        self.copy_text.clicked.connect(lambda: QtWidgets.QApplication.clipboard().setText(self.text()))
        self.copy_latex = QtWidgets.QPushButton(tr("Copy LaTeX"))
        self.copy_latex.setToolTip(tr("Copy the calculation as a LaTeX align* block"))
        self.copy_latex.clicked.connect(lambda: QtWidgets.QApplication.clipboard().setText(self.latex()))
        self.typeset = QtWidgets.QCheckBox(tr("Typeset maths"))
        self.typeset.setAccessibleName(tr("Typeset maths"))
        self.typeset.setToolTip(tr("Show the formulas typeset, as in a textbook (off: as plain text, "
                                   "each number in full on hover)"))
        self.typeset.setChecked(True)
        self.typeset.toggled.connect(self._on_typeset_toggled)

        top = QtWidgets.QWidget()
        top_layout = QtWidgets.QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.browser)
        bottom = QtWidgets.QWidget()
        bottom_layout = QtWidgets.QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.table)
        bottom_layout.addWidget(self.table_note)
        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.typeset)
        buttons.addWidget(self.decimals)
        buttons.addWidget(self.copy_text)
        buttons.addWidget(self.copy_latex)
        self.figure = QtWidgets.QWidget()
        figure = QtWidgets.QVBoxLayout(self.figure)
        figure.setContentsMargins(0, 0, 0, 0)
        figure.addWidget(self.heading)
        figure.addWidget(self.splitter, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.figure, 1)
        layout.addLayout(buttons)
        self._show_empty()

    # -- public API -------------------------------------------------------------------------------
    def show_calculation(self, calculation: Calculation | None, hide_result: bool = False,
                         unanswered=None) -> None:
        """Draw ``calculation``; ``hide_result`` shows ``?`` for its results (the quiz).
        ``unanswered(unit)``: whether the quiz has still to ask for that unit's result (neuron by
        neuron, the units after this one); the table shows ``?`` in those cells too. By default
        every result cell is hidden while ``hide_result``."""
        self.calculation, self.hidden_result = calculation, hide_result
        self.unanswered = unanswered if unanswered is not None else (lambda unit: hide_result)
        self.message.setText("")
        if calculation is None:
            self._show_empty()
            return
        self._draw()

    def prefetch(self, upcoming) -> None:
        """Typeset ahead, while the window is idle, the formulas of the operations the reader will
        likely go to next (``upcoming``: callables that make their :class:`Calculation`), so that
        going there draws from the cache. Replaces what was still to be typeset ahead."""
        pending = [item for item in self._ahead if isinstance(item, _Pending)]  # this drawing's own first
        self._ahead = deque([*pending, *upcoming])
        if self._ahead and self.typeset.isChecked():
            self._ahead_timer.start()

    def prefetching(self) -> bool:
        """Whether formulas are still to be typeset ahead."""
        return bool(self._ahead) and self.typeset.isChecked()

    def _typeset_ahead(self) -> None:
        """One formula (or one calculation made) of :meth:`prefetch`'s list, then the next turn."""
        if not self._ahead or not self.typeset.isChecked():
            return
        item = self._ahead.popleft()
        if isinstance(item, _Pending):  # a line the drawing left plain, or the drawing again once typeset
            if item.line is not None:
                self._typeset_line(item.line, item.hide)
            elif item.calculation is self.calculation and self.calculation is not None:
                budget, self.draw_budget = self.draw_budget, None  # its lines come from the cache now
                try:
                    self._draw()
                finally:
                    self.draw_budget = budget
        elif callable(item):  # a calculation: made now, its lines queued first
            calc = item()
            lines = [(line, False) for line in calc.formula]
            lines += [(line, self.hidden_result) for line in (*calc.lines, calc.result)]
            self._ahead.extendleft(reversed(lines))
        else:
            line, hide = item
            if not _is_prose(line):
                self._typeset_line(line, hide)
        if self._ahead:
            self._ahead_timer.start()

    def set_precision(self, decimals: int) -> None:
        if decimals == self.precision:
            return
        self.precision = int(decimals)
        self.decimals.setValue(self.precision)
        if self.calculation is not None:
            self._draw()
        self.precision_changed.emit(self.precision)

    def text(self) -> str:
        """What the panel shows, as plain text (what Copy text copies)."""
        if self.calculation is None:
            return ""
        return self.calculation.text(self.precision, self.hidden_result)

    def latex(self) -> str:
        if self.calculation is None or self.hidden_result:
            return ""
        return self.calculation.latex(self.precision)

    def shown_text(self) -> str:
        """What the calculation area shows, as text: its text, with each typeset formula written as
        the plain text it was typeset from."""
        texts = iter(self._typeset_texts)
        out = []
        block = self.browser.document().begin()
        while block.isValid():
            line = []
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.charFormat().isImageFormat():
                    line.append("".join(next(texts, "") for _ in fragment.text()))
                else:
                    line.append(fragment.text())
                it += 1
            out.append("".join(line))
            block = block.next()
        return "\n".join(out).replace("\u2028", "\n")

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def export_widget(self) -> QtWidgets.QWidget:
        """The figure: the heading, the calculation and its table, without the buttons."""
        return self.figure

    def export_title(self) -> str:
        calc = self.calculation
        if calc is None:
            return tr("Calculation")
        return tr("Step {step} of {count}: {title}").format(step=calc.index + 1, count=calc.count,
                                                            title=tr_phrase(calc.title))

    def export_table(self) -> tuple[list[str], list[list]]:
        """The operation's table as drawn (every number in full): one row per table row, the row's
        label first; empty cells (and those the quiz hides) None; no rows while nothing is shown."""
        calc = self.calculation
        if calc is None or calc.table is None:
            return ["row"], []
        t = calc.table
        rows = [[label] + [None if np.isnan(v) or self._masked(r, c) else float(v) for c, v in enumerate(values)]
                for r, (label, values) in enumerate(zip(t.rows, t.values))]
        return ["row"] + list(t.columns), rows

    def _masked(self, row: int, column: int) -> bool:
        """Whether the quiz hides this cell of the table: a result not asked for yet."""
        answer_of = self.calculation.table.answer_of
        unit = None if answer_of is None else answer_of(row, column)
        return unit is not None and self.unanswered(unit)

    # -- drawing ----------------------------------------------------------------------------------
    def _style_browser(self) -> None:
        """The calculation's colours, from the palette (a dark desktop's light text included)."""
        palette = self.browser.palette()
        text = palette.color(QtGui.QPalette.ColorRole.Text).name()
        base = palette.color(QtGui.QPalette.ColorRole.Base)
        muted = readable(muted_text(palette), base).name()
        self.browser.document().setDefaultStyleSheet(
            f"a {{ color: {text}; text-decoration: none; }} .sym {{ color: {muted}; }} "
            f".result {{ font-weight: 600; }} .note {{ color: {muted}; }} "
            f".hidden {{ color: {readable(SELECTED, base).name()}; }}")

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._style_browser()
            if self.calculation is not None:
                self._draw()
            else:
                self._show_empty()

    def _on_typeset_toggled(self, _on: bool) -> None:
        if self.calculation is not None:
            self._draw()

    def _maths_size(self) -> float:
        """The typeset formulas' size in pixels: a little larger than the text around them."""
        return round(QtGui.QFontInfo(self.browser.font()).pixelSize() * 1.15, 1)

    def _show_empty(self) -> None:
        self.heading.setText(tr("Step through"))
        self.browser.setHtml("<p class='note'>" + tr("Turn on <b>Step through</b> (toolbar) to follow one training "
                                                     "step operation by operation, or open a lesson from the "
                                                     "<b>Examples</b> menu.") + "</p>")
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.table_note.setText("")

    def _draw(self) -> None:
        calc = self.calculation
        colour = on_window(PHASE_COLORS.get(calc.phase, TEXT), self.heading)
        muted = muted_text(self.heading.palette()).name()
        position = tr("{index} of {count}").format(index=calc.index + 1, count=calc.count)
        self.heading.setText(f"<span style='color:{colour}'>{html.escape(phase_name(calc.phase))}</span>"
                             f" &nbsp;{html.escape(tr_phrase(calc.title))}"
                             f" <span style='color:{muted}; font-weight:400'>· {position}</span>")
        self._typeset_texts = []
        self._draw_began, self._deferred = time.perf_counter(), []
        # typeset lines a little apart (a subscript under a fraction reaches down to the next line)
        sep = "</p><p style='margin-top: 4px; margin-bottom: 4px;'>" if self.typeset.isChecked() else "<br>"
        parts = [f"<p class='sym'>{sep.join(self._line_html(line) for line in calc.formula)}</p>"]
        if calc.lines:
            parts.append("<p>" + sep.join(self._line_html(line, self.hidden_result) for line in calc.lines) + "</p>")
        parts.append(f"<p class='result'>{self._line_html(calc.result, self.hidden_result)}</p>")
        if calc.notes:
            parts.append("<p class='note'>" + "<br>".join(html.escape(tr_phrase(n)) for n in calc.notes) + "</p>")
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml("".join(parts))
        self.browser.verticalScrollBar().setValue(scroll)
        self._fill_table()
        if self._deferred:  # typeset in the idle time, then drawn again, before anything prefetched
            self._ahead = deque([i for i in self._ahead if not isinstance(i, _Pending)])
            self._ahead.extendleft(reversed([*self._deferred, _Pending(calculation=calc)]))
            self._ahead_timer.start()

    def _tokens_html(self, tokens, extra: int = 0) -> str:
        out = []
        for t in tokens:
            if isinstance(t, Num):
                s = format_operand(t.value, self.precision, extra)
                if t.paren and s.startswith("-"):
                    s = f"({s})"
                out.append(f"<a href='n:{float(t.value)!r}'>{html.escape(s)}</a>")
            elif isinstance(t, Sym):
                out.append(html.escape(t.text))
            else:  # a note such as "… 3 more rows in the table" in the reader's language; maths as it is
                out.append(html.escape(tr_phrase(t) if isinstance(t, Phrase) else t))
        return "".join(out)

    def _line_html(self, line: Line, hide: bool = False) -> str:
        """The line typeset (Typeset maths on, and the line is maths rather than a note such as
        "… 3 more rows in the table"), else as plain text."""
        if self.typeset.isChecked() and not _is_prose(line):
            if self.draw_budget is not None and time.perf_counter() - self._draw_began > self.draw_budget:
                self._deferred.append(_Pending(line, hide))  # over the budget: plain for a moment
                return self._plain_line_html(line, hide)
            picture = self._typeset_line(line, hide)
            if picture is not None:
                self._typeset_texts.append(line.text(self.precision, hide))
                return picture
            # it could not be typeset (maths.fallbacks() says why): the plain text stands in
        return self._plain_line_html(line, hide)

    def _typeset_line(self, line: Line, hide: bool) -> str | None:
        """The line's picture as rich text (cached), or None if it cannot be typeset."""
        colour = self.browser.palette().color(QtGui.QPalette.ColorRole.Text).name()
        return maths.picture_html(line.latex(self.precision, hide), line.text(self.precision, hide),
                                  self._maths_size(), colour, inline=False, title=_full_text(line, hide))

    def _plain_line_html(self, line: Line, hide: bool = False) -> str:
        """The line as :meth:`Line.text` writes it (its numbers with the decimals it needs), each
        number a link whose hover shows it in full."""
        extra = line.extra_digits(self.precision)
        parts = [self._tokens_html(line.lhs)]
        if line.rhs and not line.trivial:
            parts.append(self._tokens_html(line.rhs, extra or 0))
        text = " = ".join(parts)
        if line.result is None:
            return text
        text += " ≈ " if extra is None else " = "
        if hide:
            return text + "<span class='hidden'>?</span>"
        full = np.asarray(line.result, dtype=float)
        shown = html.escape(format_vector(full, self.precision))
        if full.ndim == 0:
            return text + f"<a href='n:{float(full)!r}'>{shown}</a>"
        values = ", ".join(repr(float(v)) for v in full.ravel()[:64])
        return text + f"<a href='v:{values}'>{shown}</a>"

    def _fill_table(self) -> None:
        table, calc = self.table, self.calculation
        t = calc.table
        self._filling = True
        try:
            table.clear()
            if t is None:
                table.setRowCount(0)
                table.setColumnCount(0)
                self.table_note.setText("")
                return
            rows, cols = t.values.shape
            shown = min(rows, max(1, _MAX_TABLE_CELLS // max(cols, 1)))
            table.setRowCount(shown)
            table.setColumnCount(cols)
            table.setHorizontalHeaderLabels([tr_phrase(c) for c in t.columns])  # "gradient"; symbols as they are
            table.setVerticalHeaderLabels([tr_phrase(r) for r in t.rows[:shown]])  # "sample 1", "unit 2"
            flags_ro = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
            masked_any = False
            for r in range(shown):
                for c in range(cols):
                    value = t.values[r, c]
                    if self._masked(r, c):  # the quiz has not asked for it yet
                        item = QtWidgets.QTableWidgetItem("?")
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                        item.setFlags(flags_ro)
                        item.setForeground(QtGui.QColor(SELECTED))
                        table.setItem(r, c, item)
                        masked_any = True
                        continue
                    digits = 0 if c in t.whole_columns else self.precision
                    item = QtWidgets.QTableWidgetItem("" if np.isnan(value) else format_value(value, digits))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    edit = t.edits.get((r, c))
                    if not np.isnan(value):
                        item.setToolTip(repr(float(value)) + ("\n" + tr("Double-click to change it") if edit else ""))
                        item.setData(Qt.ItemDataRole.UserRole, float(value))
                    if edit is not None:
                        item.setFlags(flags_ro | Qt.ItemFlag.ItemIsEditable)
                        item.setBackground(_EDITABLE)
                        item.setForeground(text_on(_EDITABLE, table.palette()))  # dark text on the light cell
                    else:
                        item.setFlags(flags_ro)
                    if t.highlight_row == r or t.highlight_column == c:
                        item.setBackground(_HIGHLIGHT)
                        item.setForeground(text_on(_HIGHLIGHT, table.palette()))
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                    table.setItem(r, c, item)
            table.resizeColumnsToContents()
            if t.highlight_row is not None and t.highlight_row < shown:
                table.scrollToItem(table.item(t.highlight_row, 0))
            elif t.highlight_column is not None and t.highlight_column < cols and shown:
                table.scrollToItem(table.item(0, t.highlight_column))
            note = tr("showing {shown} of {rows} rows").format(shown=shown, rows=rows) if shown < rows else ""
            if t.edits:
                note = (tr("Yellow cells can be edited (double-click).") + " " + note).strip()
            if masked_any:
                note = (tr("? : a result you have not answered yet.") + " " + note).strip()
            self.table_note.setText(note)
        finally:
            self._filling = False

    # -- events -----------------------------------------------------------------------------------
    def _on_item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if self._filling or self.calculation is None or self.calculation.table is None:
            return
        edit = self.calculation.table.edits.get((item.row(), item.column()))
        if edit is None:
            return
        try:
            value = parse_number(item.text())
        except ValueError as exc:
            old = item.data(Qt.ItemDataRole.UserRole)
            self._filling = True
            item.setText(format_value(old, self.precision) if old is not None else "")
            self._filling = False
            self.show_message(tr("Not changed: {reason}.").format(reason=exc))
            return
        self.show_message("")
        self.edit_requested.emit(edit, value)

    def _on_number_hovered(self, url: QtCore.QUrl | str) -> None:
        text = url.toString() if isinstance(url, QtCore.QUrl) else str(url)
        if not text:
            QtWidgets.QToolTip.hideText()
            return
        kind, _, value = text.partition(":")
        QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), value if kind == "n" else f"[{value}]", self.browser)


@dataclass(frozen=True, eq=False)
class _Pending:
    """Work a drawing left for the idle time: a ``line`` to typeset, or (no line) the drawing of
    ``calculation`` again once its lines are typeset."""

    line: Line | None = None
    hide: bool = False
    calculation: Calculation | None = None


def _is_prose(line: Line) -> bool:
    """A note in the list of lines ("… 3 more rows in the table"): words, not maths."""
    return (not line.rhs and line.result is None and all(isinstance(t, str) for t in line.lhs)
            and "".join(line.lhs).startswith("…"))


def _full_text(line: Line, hide: bool) -> str:
    """The line with every number in full (a typeset line's tooltip)."""
    def write(tokens) -> str:
        return "".join(repr(float(t.value)) if isinstance(t, Num) else t.text if isinstance(t, Sym) else t
                       for t in tokens)

    text = write(line.lhs)
    if line.rhs and not line.trivial:
        text += " = " + write(line.rhs)
    if line.result is None:
        return text
    if hide:
        return text + " = ?"
    result = np.asarray(line.result, dtype=float)
    if result.ndim == 0:
        return text + f" = {float(result)!r}"
    values = result.ravel()
    more = ", …" if values.size > 64 else ""
    return text + " = [" + ", ".join(repr(float(v)) for v in values[:64]) + more + "]"
