"""Import a CSV file: preview its first rows and choose each column's role (input, target, ignore).

The loading itself is the core's :func:`~nnviz.core.datasets.load_csv`; this dialog only reads the
header and a few rows for the preview, from the first few megabytes of the file, so that it opens at
once whatever the file (a file too large, a device or a pipe is refused at once). Every problem with
the file or the choice of columns is shown in the dialog as the core's one-line message, never
raised; OK is enabled only for a choice that loads.

Run ``python -m nnviz.gui.csv_dialog FILE.csv`` for a quick look; it prints the dataset it loads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt

from nnviz.core.csv_data import read_csv_head
from nnviz.core.datasets import Dataset, load_csv
from nnviz.core.errors import NnvizError
from nnviz.gui.i18n import tr
from nnviz.gui.style import BACKWARD, NEGATIVE, POSITIVE, on_window, palette_style

__all__ = ["CsvImportDialog", "ROLES", "import_csv", "read_preview"]

#: the roles (keys); a cell of the role row shows one in the application's language, tr(role)
ROLES = (QT_TRANSLATE_NOOP("", "input"), QT_TRANSLATE_NOOP("", "target"), QT_TRANSLATE_NOOP("", "ignore"))
PREVIEW_ROWS = 20
#: the preview reads at most this much of the file (a header of 10,000 long column names fits)
PREVIEW_BYTES = 4 * 2**20
#: the first columns are as wide as their contents, the others (seen only by scrolling) of one width
FITTED_COLUMNS = 100
#: files up to this size are loaded on every change of roles, so problems show at once; larger
#: ones are loaded only when OK is pressed
LIVE_LIMIT = 5_000_000
ROLE_COLORS = {"input": POSITIVE, "target": NEGATIVE, "ignore": "#9e9e9e"}
ROLE_TIPS = {  # shown as tr(ROLE_TIPS[role])
    "input": QT_TRANSLATE_NOOP("", "input: a column the network reads"),
    "target": QT_TRANSLATE_NOOP("", "target: a column the network learns to predict"),
    "ignore": QT_TRANSLATE_NOOP("", "ignore: leave this column out"),
}
#: the data's tasks as the summary names them (shown as tr(task))
TASKS = (QT_TRANSLATE_NOOP("", "classification"), QT_TRANSLATE_NOOP("", "regression"))


def role_of_text(text: str) -> str | None:
    """The role a cell's text names, in English or in the application's language; None for another text."""
    return next((role for role in ROLES if text in (role, tr(role))), None)


def read_preview(path, rows: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The header and first ``rows`` data rows of a CSV file, split and checked as ``load_csv`` splits
    and checks them, from at most the file's first :data:`PREVIEW_BYTES`: at once, however large the
    file (or refused at once: a device, a pipe, a file beyond the size limit).

    Raises DataError (or LimitError) with ``load_csv``'s one-line message when the file cannot be read
    as CSV."""
    return read_csv_head(path, rows, PREVIEW_BYTES)


class _RoleDelegate(QtWidgets.QStyledItemDelegate):
    """The editor of a cell of the role row: a combo of the roles, each choice taken at once."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt's name
        combo = QtWidgets.QComboBox(parent)
        for i, role in enumerate(ROLES):
            combo.addItem(tr(role), role)
            combo.setItemData(i, tr(ROLE_TIPS[role]), Qt.ItemDataRole.ToolTipRole)
        combo.setToolTip(tr("The column's role: input, target or ignore"))
        combo.activated.connect(lambda _index: self._choose(combo))
        return combo

    def _choose(self, combo: QtWidgets.QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentIndex(max(0, editor.findData(role_of_text(index.data()))))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, tr(editor.currentData()))


class CsvImportDialog(QtWidgets.QDialog):
    """Preview a CSV file and choose its input and target columns.

    After ``exec()`` returns Accepted, ``dataset`` holds the loaded :class:`Dataset` (else None)."""

    def __init__(self, path, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        self.dataset: Dataset | None = None
        self._candidate: Dataset | None = None
        self.header: list[str] = []
        self._roles: dict[str, str] = {}  # column -> role, as the top row shows them
        self._delegate = _RoleDelegate(self)
        self.setWindowTitle(tr("Import CSV — {file}").format(file=self.path.name))
        self.resize(640, 460)

        self.path_label = QtWidgets.QLabel(str(self.path))
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setToolTip(tr("The file being imported"))
        hint = QtWidgets.QLabel(tr("Choose each column's role: <b>input</b>, <b>target</b> or <b>ignore</b>. "
                                   "The first {rows} rows are shown.").format(rows=PREVIEW_ROWS))
        hint.setWordWrap(True)
        self.table = QtWidgets.QTableWidget()
        # only the role row is editable (its cells' flags): a click (or F2) opens its combo
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
                                   | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setToolTip(tr("The first rows of the file; the top row sets each column's role"))
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setCornerButtonEnabled(False)  # nothing to select
        for corner in self.table.findChildren(QtWidgets.QAbstractButton):
            corner.setToolTip(tr("Each column's role is in the top row"))
        self.summary_label = QtWidgets.QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setToolTip(tr("What will be imported"))
        self.error_label = QtWidgets.QLabel()
        self.error_label.setWordWrap(True)
        palette_style(self.error_label, lambda: f"color: {on_window(BACKWARD)};")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setToolTip(tr("Why these columns cannot be imported"))
        self.error_label.hide()
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                  | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Import"))
        self.ok_button.setToolTip(tr("Load the file with the chosen input and target columns"))
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setToolTip(tr("Close without importing"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.path_label)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        try:
            self.header, rows = read_preview(self.path)
        except NnvizError as exc:
            self.table.hide()
            hint.hide()
            self._show_error(str(exc))
            return
        self._fill_table(rows)
        self._validate()

    # -- building ---------------------------------------------------------------------------------
    def _fill_table(self, rows: list[list[str]]) -> None:
        """The roles in the top row, as items (a combo opens on the one being changed: a widget per
        column would take seconds for a file of thousands of columns), then the preview rows."""
        table = self.table
        table.setUpdatesEnabled(False)  # thousands of columns: laid out once, at the end
        table.setColumnCount(len(self.header))
        table.setRowCount(len(rows) + 1)
        table.setVerticalHeaderLabels([tr("role")] + [str(i) for i in range(1, len(rows) + 1)])
        table.setItemDelegateForRow(0, self._delegate)
        last = len(self.header) - 1
        for j, name in enumerate(self.header):
            table.setHorizontalHeaderItem(j, QtWidgets.QTableWidgetItem(name))
            self._roles[name] = "target" if j == last else "input"
            item = QtWidgets.QTableWidgetItem(tr(self._roles[name]))
            item.setToolTip(tr("Role of the column {name}: input, target or ignore (click to change)")
                            .format(name=repr(name)))
            table.setItem(0, j, item)
        read_only = QtWidgets.QTableWidgetItem().flags() & ~Qt.ItemFlag.ItemIsEditable
        for i, row in enumerate(rows, start=1):
            for j, cell in enumerate(row[: len(self.header)]):
                item = QtWidgets.QTableWidgetItem(cell)
                item.setFlags(read_only)
                table.setItem(i, j, item)
        for j in range(len(self.header)):
            self._paint_role(j, cells=False)  # no column is ignored yet: the cells keep their colour
        for j in range(min(len(self.header), FITTED_COLUMNS)):  # measuring every column takes seconds
            table.resizeColumnToContents(j)
        table.setUpdatesEnabled(True)
        table.itemChanged.connect(self._on_item_changed)

    def _paint_role(self, j: int, cells: bool = True) -> None:
        """Colour column ``j``'s header and role by its role; grey out its ``cells`` if it is ignored."""
        name = self.header[j]
        role = self._roles[name]
        color = QtGui.QColor(ROLE_COLORS[role])
        for item in (self.table.horizontalHeaderItem(j), self.table.item(0, j)):
            item.setForeground(color)
            font = item.font()
            font.setBold(role != "ignore")
            item.setFont(font)
        self.table.horizontalHeaderItem(j).setToolTip(f"{name}: {tr(ROLE_TIPS[role])}")
        if not cells:
            return
        grey = QtGui.QColor("#9e9e9e") if role == "ignore" else self.palette().text().color()
        for i in range(1, self.table.rowCount()):
            cell = self.table.item(i, j)
            if cell is not None:
                cell.setForeground(grey)

    # -- the choice ----------------------------------------------------------------------------------
    def role(self, column: str) -> str:
        return self._roles[column]

    def set_role(self, column: str, role: str) -> None:
        """Give ``column`` a role, as choosing it in the top row does."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        self.table.item(0, self.header.index(column)).setText(tr(role))

    def columns(self, role: str) -> list[str]:
        """The columns of a role, in file order."""
        return [name for name in self.header if self.role(name) == role]

    def _on_cell_clicked(self, row: int, column: int) -> None:
        if row == 0:
            self.table.editItem(self.table.item(row, column))

    def _on_item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        """A role chosen in the top row (other changes are the colours this dialog paints)."""
        if item.row() != 0:
            return
        name, role = self.header[item.column()], role_of_text(item.text())
        if role is None:  # not one of the roles: back to the one in force
            item.setText(tr(self._roles[name]))
            return
        if item.text() != tr(role):  # a role typed in English under another language: shown in it
            item.setText(tr(role))
        if role != self._roles[name]:
            self._roles[name] = role
            self._paint_role(item.column())
            self._validate()

    def _validate(self) -> bool:
        """Check the choice (and, for files of moderate size, load it); returns whether OK may be pressed."""
        self._candidate = None
        inputs, targets = self.columns("input"), self.columns("target")
        if not targets:
            return self._show_error(tr("Choose at least one target column."))
        if not inputs:
            return self._show_error(tr("Choose at least one input column."))
        try:
            live = self.path.stat().st_size <= LIVE_LIMIT
        except OSError:
            live = True  # let load_csv say what is wrong
        if live:
            try:
                self._candidate = load_csv(self.path, targets=targets, inputs=inputs)
            except NnvizError as exc:
                return self._show_error(str(exc))
            self.summary_label.setText(self._summary(self._candidate))
        else:
            self.summary_label.setText(tr("inputs: {inputs} · targets: {targets}")
                                       .format(inputs=_names(inputs), targets=_names(targets)))
        self.error_label.hide()
        self.error_label.clear()
        self.ok_button.setEnabled(True)
        return True

    @staticmethod
    def _summary(ds: Dataset) -> str:
        task = tr(ds.task) if ds.n_classes is None else \
            tr("{task} ({classes} classes)").format(task=tr(ds.task), classes=ds.n_classes)
        if len(ds.target_names) > 1:
            text = tr("{rows} rows · inputs: {inputs} · targets: {targets} · {task}")
        else:
            text = tr("{rows} rows · inputs: {inputs} · target: {targets} · {task}")
        return text.format(rows=len(ds), inputs=_names(ds.feature_names), targets=_names(ds.target_names), task=task)

    def _show_error(self, message: str) -> bool:
        self.error_label.setText(message)
        self.error_label.show()
        self.summary_label.clear()
        self.ok_button.setEnabled(False)
        return False

    def accept(self) -> None:
        if not self.header:
            return
        if self._candidate is None:  # a large file, not loaded yet (or a choice that does not load)
            # a file up to the size limit takes seconds: say the window is busy, not stuck
            QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._candidate = load_csv(self.path, targets=self.columns("target"), inputs=self.columns("input"))
            except NnvizError as exc:
                self._show_error(str(exc))
                return
            finally:
                QtWidgets.QApplication.restoreOverrideCursor()
        self.dataset = self._candidate
        super().accept()


def _names(names, shown: int = 8) -> str:
    """``a, b, c`` or, for many, ``p0, p1, … p783 (784 columns)``: a summary stays a line or two."""
    if len(names) <= shown:
        return ", ".join(names)
    return tr("{first}, … {last} ({count} columns)").format(first=", ".join(names[: shown - 1]), last=names[-1],
                                                             count=len(names))


def import_csv(parent, path) -> Dataset | None:
    """Ask for the columns of a CSV file and load it; None if the user cancels."""
    dialog = CsvImportDialog(path, parent)
    try:
        accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
        return dialog.dataset if accepted else None
    finally:
        dialog.deleteLater()


def main() -> None:  # pragma: no cover - a quick look by hand
    import sys

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    if len(sys.argv) < 2:
        sys.exit("usage: python -m nnviz.gui.csv_dialog FILE.csv")
    print(import_csv(None, sys.argv[1]))
    app.quit()


if __name__ == "__main__":
    main()
