"""The gradient-check view: the backward pass's gradient of every parameter against central differences.

A one-line summary names the entry that agrees least, with its relative error and a verdict (green
below 1e-7: the backward pass agrees; amber up to 1e-4: worth a check; red above: they disagree).
Below it a read-only, sortable table has one row per scalar parameter: the analytic dL/dθ, the
central difference, their absolute difference and their relative error, the last on its band's
colour. Numbers show 6 significant digits (the relative error 3); a cell's tooltip holds the full
value. A big network shows its first :data:`MAX_ROWS` entries; the summary covers every entry.

The view is a snapshot panel: it checks the model of the newest snapshot when it comes into view,
and at once when a new run begins (a Reset, other data or layers, another model) while it is in
view. While the model trains on in view, the check shown is of an earlier step: the view says so,
with a Run button to check the model as it is now. Step-through mode shows the check of the traced
step's own batch instead (:meth:`GradientCheckPanel.show_checks`).

Every number comes from :func:`nnviz.core.gradcheck.gradient_check` (through the snapshot's
:class:`~nnviz.core.snapshot.GradientCheckJob`); the view only formats it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP

from nnviz.core.gradcheck import AGREE, AGREES, CHECK, DISAGREE, DISAGREES, GradientCheck, entry_count, verdict, worst
from nnviz.core.numbers import format_significant
from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.health import BAD, NA, OK, STATE_COLORS, WARN
from nnviz.gui.style import TEXT, muted_text, palette_style


def decade(value: float) -> str:
    """A threshold as written by hand: 1e-07 → "1e-7", 0.0001 → "1e-4"."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


MAX_ROWS = 2000  # the table shows at most this many entries (a 784-128-10 network has 101,770)
ROW_HEIGHT = 22

PARAMETER, ANALYTIC, NUMERICAL, DIFFERENCE, ERROR = range(5)
# the column titles and their tips, marked for translation (tr() where shown)
HEADERS = (QT_TRANSLATE_NOOP("", "Parameter θ"), QT_TRANSLATE_NOOP("", "Analytic\ndL/dθ"),
           QT_TRANSLATE_NOOP("", "Numerical\n(central difference)"), QT_TRANSLATE_NOOP("", "|Difference|"),
           QT_TRANSLATE_NOOP("", "Relative\nerror"))
HEADER_TIPS = (
    QT_TRANSLATE_NOOP("", "The scalar parameter θ: the tensor's name and the entry's index, counted from 1 (unit, "
                          "input for a\nweight); hover for its document path. Sorting by this column restores the "
                          "network's order."),
    QT_TRANSLATE_NOOP("", "dL/dθ from the backward pass, on this batch. Hover a number for its full value."),
    QT_TRANSLATE_NOOP("", "(L(θ + ε) − L(θ − ε)) / 2ε, every other parameter held fixed, on the same batch with the "
                          "same\ndropout mask. Hover a number for its full value."),
    "|analytic − numerical|.",  # a formula: not translated
    QT_TRANSLATE_NOOP("", "|analytic − numerical| / max(|analytic| + |numerical|, floor). Green below 1e-7 (the "
                          "backward\npass agrees), amber up to 1e-4 (a kink such as ReLU's at 0, or rounding noise in "
                          "a tiny gradient,\ncan explain it), red above (the backward pass is wrong). Hover a number "
                          "for its full value."),
)
#: the verdict's band colour (text, background) and its sentence
VERDICT_STATES = {AGREES: OK, CHECK: WARN, DISAGREES: BAD}


def verdict_text(result: str) -> str:
    """The verdict's sentence (translated)."""
    if result == AGREES:
        return tr("below {agree}: the backward pass agrees with central differences").format(agree=decade(AGREE))
    if result == CHECK:
        return tr("between {agree} and {disagree}: look closer — rounding noise where the gradient is small, or a "
                  "kink (such as ReLU's at 0) if the network has one, can explain it").format(
                      agree=decade(AGREE), disagree=decade(DISAGREE))
    return tr("above {disagree}: the backward pass and central differences disagree").format(
        disagree=decade(DISAGREE))
SORT_ROLE = QtCore.Qt.ItemDataRole.UserRole
CELL_PADDING = 8  # px of space left and right of a cell's text
_RIGHT = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
_FLAGS = QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable  # combined once, not per cell


class _SortedItem(QtWidgets.QTableWidgetItem):
    """Sorts by the number under SORT_ROLE, not by its text (NaN last when ascending)."""

    def __lt__(self, other: QtWidgets.QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine != mine:  # NaN
            return False
        return theirs != theirs or mine < theirs


class _PaddedDelegate(QtWidgets.QStyledItemDelegate):
    """Draws the cell's background (its band colour, or the selection) over the whole cell and its
    text inset by CELL_PADDING; a style sheet padding would drop the items' own backgrounds."""

    def paint(self, painter, option, index):
        option = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else QtWidgets.QApplication.style()
        text, option.text = option.text, ""
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        option.text = text
        option.backgroundBrush = QtGui.QBrush()
        option.state &= ~QtWidgets.QStyle.StateFlag.State_HasFocus
        option.rect = option.rect.adjusted(CELL_PADDING, 0, -CELL_PADDING, 0)
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)

    def sizeHint(self, option, index):
        size = super().sizeHint(option, index)
        return QtCore.QSize(size.width() + 2 * CELL_PADDING, size.height())


def same_model(a, b) -> bool:
    """Whether two snapshots hold the same model with the same numbers (a check of one holds for
    the other)."""
    if a is b:
        return True
    job_a, job_b = a.gradient_check, b.gradient_check
    return (a.run == b.run and a.step == b.step and a.params.keys() == b.params.keys()
            and all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
            and (job_a is None) == (job_b is None) and (job_a is None or job_a.recipe == job_b.recipe))


class GradientCheckPanel(Panel, QtWidgets.QWidget):
    """The checks of one batch: a summary line, a note on what was checked (or that it is of an
    earlier step, with Run), and a table of entries."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.summary.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Maximum)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        palette_style(self.note, lambda: f"color: {muted_text().name()};")
        self.run_button = QtWidgets.QPushButton(tr("Run"))
        self.run_button.setToolTip(tr("Check the gradients of the model as it is now"))
        self.run_button.clicked.connect(self.run_check)
        self._checked = None  # the snapshot whose model the check shown is of
        self.table = table = QtWidgets.QTableWidget(0, len(HEADERS))
        table.setAccessibleName(tr("Gradient check"))
        for column, (title, tip) in enumerate(zip(HEADERS, HEADER_TIPS)):
            item = QtWidgets.QTableWidgetItem(tr(title))
            item.setToolTip(tr(tip))
            item.setTextAlignment((QtCore.Qt.AlignmentFlag.AlignLeft if column == PARAMETER else _RIGHT)
                                  | QtCore.Qt.AlignmentFlag.AlignVCenter)
            table.setHorizontalHeaderItem(column, item)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(60)
        header.setSortIndicator(PARAMETER, QtCore.Qt.SortOrder.AscendingOrder)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setSortingEnabled(True)
        table.setItemDelegate(_PaddedDelegate(table))
        table.setStyleSheet("QHeaderView::section { padding: 0 8px; }")
        self._content_widths: list[int] = []
        table.viewport().installEventFilter(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.summary)
        note_row = QtWidgets.QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.run_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addLayout(note_row)
        layout.addWidget(table, 1)
        layout.addStretch(0)  # holds the summary at the top while the table is hidden
        self._state = NA
        self._note = ""
        self._set_summary(NA, tr("Nothing checked yet: the model's gradients are checked when this tab is shown."))
        self.note.hide()
        self.run_button.hide()
        self._fill([])

    # -- public -----------------------------------------------------------------------------------
    def run_check(self) -> None:
        """Check the gradients of the newest snapshot's model now (what Run does)."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        job = snapshot.gradient_check
        if job is None or not job.runnable:
            self.show_checks([], 0.0, job.note if job is not None else "")
        else:
            self.show_checks(job.run(snapshot.params), job.eps, job.note)

    def is_current(self) -> bool:
        """Whether the check shown is of the newest snapshot's model as it is."""
        return self._checked is not None and self._snapshot is not None and same_model(self._checked, self._snapshot)

    def catch_up(self) -> None:
        """Brought into view: check the newest model unless the check shown is of it already."""
        super().catch_up()
        if self._snapshot is not None and not self.is_current():
            self.run_check()

    def show_checks(self, checks: Sequence[GradientCheck], eps: float, note: str = "") -> None:
        """Show ``checks`` of the newest snapshot's model (from :func:`nnviz.core.gradcheck.gradient_check`,
        taken with step ``eps``); ``note`` says on what ("on the first 10 training rows"), or, with no
        checks, why there are none."""
        self._checked = self._snapshot
        checks = list(checks)
        entry = worst(checks)
        total = entry_count(checks)
        if entry is None:
            self._set_summary(NA, tr(note) if note else tr("Nothing to check: the model has no parameters."))
            self._note = ""
        else:
            result = verdict(entry.relative_error)
            error = format_significant(entry.relative_error, 3, missing=None)
            self._set_summary(
                VERDICT_STATES[result],
                tr("Worst relative error <b>{error}</b> at <b>{entry}</b> (dL/dθ = {gradient}) — {verdict}.").format(
                    error=html.escape(error), entry=html.escape(entry.title),
                    gradient=html.escape(format_significant(entry.analytic, 3, missing=None)),
                    verdict=html.escape(verdict_text(result))))
            self.summary.setToolTip(tr("Document path (counted from 0): {path}").format(path=entry.label))
            per_tensor = (f"{c.symbol or c.name}: {format_significant(c.relative_error, 3, missing=None)}"
                          for c in checks)
            per_tensor_title = tr("Per tensor, ‖analytic − numerical‖ / (‖analytic‖ + ‖numerical‖):")
            self.summary.setToolTip(f"{self.summary.toolTip()}\n\n{per_tensor_title}\n" + "\n".join(per_tensor))
            shown = min(total, MAX_ROWS)
            entries = tr("{count} entry") if total == 1 else tr("{count} entries")
            tensors = tr("in {count} tensor") if len(checks) == 1 else tr("in {count} tensors")
            where = f", {tr(note)}" if note else ""
            self._note = (entries.format(count=f"{total:,}") + " " + tensors.format(count=len(checks)) + where + "; "
                          + tr("central differences with ε = {eps}, relative errors floored at {floor}.").format(
                              eps=f"{eps:g}", floor=f"{checks[0].floor:g}"))
            if shown < total:
                self._note += " " + tr("Showing {shown} of {total} entries (the summary covers all).").format(
                    shown=f"{shown:,}", total=f"{total:,}")
        self._fill(checks)
        self._show_freshness()

    def note_text(self) -> str:
        """The note under the summary as shown ("" when hidden)."""
        return self.note.text() if not self.note.isHidden() else ""

    # -- the snapshot panel -----------------------------------------------------------------------
    def _draw_snapshot(self, snapshot) -> None:
        """A new run is checked at once; the same run trained on keeps its check, marked as of an
        earlier step (checking on every frame of training would slow it down)."""
        if self._checked is None or snapshot.run != self._checked.run:
            self.run_check()
        else:
            self._show_freshness()

    def _show_freshness(self) -> None:
        """The note says what was checked; if the model has changed since, it says so, and Run shows."""
        current = self.is_current() or self._snapshot is None
        text = self._note
        if not current:
            text = (tr("Checked at step {checked}; the model has changed since (step {now}): Run checks it as it "
                       "is now.").format(checked=f"{self._checked.step:,}", now=f"{self._snapshot.step:,}")
                    + " " + text).strip()
        self.note.setText(text)
        self.note.setVisible(bool(text))
        self.run_button.setVisible(not current)

    def row_count(self) -> int:
        return self.table.rowCount()

    def summary_state(self) -> str:
        """"ok", "warn", "bad" (the worst entry's band) or "na" (nothing to check)."""
        return self._state

    # -- drawing ----------------------------------------------------------------------------------
    def _set_summary(self, state: str, text: str) -> None:
        self._state = state
        fg, bg = STATE_COLORS[state]
        border = fg if state != NA else "#d0d0d0"
        self.summary.setText(text)
        self.summary.setStyleSheet(f"QLabel {{ color: {TEXT}; background: {bg}; border-left: 4px solid {border};"
                                   " padding: 6px 8px; }")
        if state == NA:
            self.summary.setToolTip("")

    def _fill(self, checks: list[GradientCheck]) -> None:
        table = self.table
        table.setSortingEnabled(False)  # else every setItem re-sorts
        table.setRowCount(0)
        rows = []
        for check in checks:
            tensor_tip = tr("{tensor}: relative error of the whole tensor {error}, largest |difference| "
                            "{difference}").format(
                tensor=check.symbol or check.name, error=format_significant(check.relative_error, 3, missing=None),
                difference=format_significant(check.max_abs_diff, 6, missing=None))
            for entry in check.entries():
                if len(rows) == MAX_ROWS:
                    break
                rows.append((entry, tensor_tip))
        table.setRowCount(len(rows))
        document_path = tr("Document path (counted from 0): {path}")
        for row, (entry, tensor_tip) in enumerate(rows):
            state = VERDICT_STATES[verdict(entry.relative_error)]
            fg, bg = (QtGui.QColor(c) for c in STATE_COLORS[state])
            cells = (
                (entry.title, row, tensor_tip + "\n" + document_path.format(path=entry.label)),
                (format_significant(entry.analytic, 6, missing=None), entry.analytic, repr(entry.analytic)),
                (format_significant(entry.numerical, 6, missing=None), entry.numerical, repr(entry.numerical)),
                (format_significant(entry.abs_diff, 6, missing=None), entry.abs_diff, repr(entry.abs_diff)),
                (format_significant(entry.relative_error, 3, missing=None), entry.relative_error,
                 repr(entry.relative_error)),
            )
            for column, (text, key, tip) in enumerate(cells):
                item = _SortedItem(text)
                item.setData(SORT_ROLE, key)
                item.setToolTip(tip)
                item.setFlags(_FLAGS)
                if column != PARAMETER:
                    item.setTextAlignment(_RIGHT)
                if column == ERROR:
                    item.setForeground(fg)
                    item.setBackground(bg)
                table.setItem(row, column, item)
        table.setSortingEnabled(True)  # sorts again by the column the user chose
        table.setCurrentItem(None)
        table.resizeColumnsToContents()  # once per fill: it measures up to 1000 rows a column
        header = table.horizontalHeader()
        self._content_widths = [header.sectionSize(c) for c in range(len(HEADERS))]
        self._spread_columns()
        table.setVisible(bool(rows))

    def _spread_columns(self) -> None:
        """Give the width the contents leave over to the number columns, evenly, so the numbers
        stand in even columns across a wide view (and the parameter names stay whole)."""
        if not self._content_widths:
            return
        header = self.table.horizontalHeader()
        spare = max(0, self.table.viewport().width() - sum(self._content_widths))
        share, rest = divmod(spare, len(HEADERS) - 1)
        for column, width in enumerate(self._content_widths):
            if column != PARAMETER:
                width += share + (rest if column == ERROR else 0)
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QtCore.QEvent.Type.Resize:
            self._spread_columns()
        return super().eventFilter(watched, event)

def demo_checks(wrong: bool = False, big: bool = False) -> tuple[list[GradientCheck], float]:
    """Checks of a small tanh network (with ``big``, a 64-32-10 one: more entries than the table
    shows) on a random batch; with ``wrong``, its first layer's backward pass reports 1.1 times the
    true weight gradient."""
    import numpy as np

    from nnviz.core import load_model
    from nnviz.core.gradcheck import gradient_check

    inputs, units, outputs = (64, 32, 10) if big else (2, 4, 1)
    net = load_model({"format": "nnviz.model/1", "inputs": inputs, "seed": 0, "loss": "mse",
                      "layers": [{"type": "dense", "units": units, "activation": "tanh"},
                                 {"type": "dense", "units": outputs}]})
    if wrong:
        layer = net.layers[0]
        right = layer._backward

        def scaled(dz, need_dx):
            dx = right(dz, need_dx)
            layer.grad_weight *= 1.1
            return dx

        layer._backward = scaled
    rng = np.random.default_rng(0)
    eps = 1e-6
    return gradient_check(net, rng.normal(size=(8, inputs)), rng.normal(size=(8, outputs)), eps=eps), eps


if __name__ == "__main__":
    import argparse
    import sys

    from nnviz.gui.panels.alone import show_alone

    parser = argparse.ArgumentParser(description="Open the gradient-check view alone on a small network.")
    parser.add_argument("--wrong", action="store_true", help="break the first layer's weight gradient (×1.1)")
    parser.add_argument("--big", action="store_true", help="a 64-32-10 network: more entries than the table shows")
    parser.add_argument("--save", metavar="PNG", help="save a picture of the view and quit")
    args = parser.parse_args()
    checks, eps = demo_checks(wrong=args.wrong, big=args.big)

    class _QuickLook(GradientCheckPanel):
        def show_snapshot(self, snapshot) -> None:  # what show_alone calls
            self.show_checks(*snapshot)

    sys.exit(show_alone(_QuickLook, "gradient check", (checks, eps), size=(720, 460), save=args.save))
