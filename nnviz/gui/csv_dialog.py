"""Import a CSV file: preview its first rows and choose each column's role (input, target, ignore).

The loading itself is the core's :func:`~nnviz.core.datasets.load_csv`; this dialog only reads the
header and a few rows for the preview. Every problem with the file or the choice of columns is shown in
the dialog as the core's one-line message, never raised; OK is enabled only for a choice that loads.

Run ``python -m nnviz.gui.csv_dialog FILE.csv`` for a quick look; it prints the dataset it loads.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import Qt

from nnviz.core.datasets import Dataset, load_csv
from nnviz.core.errors import DataError
from nnviz.gui.style import NEGATIVE, POSITIVE

__all__ = ["CsvImportDialog", "ROLES", "import_csv", "read_preview"]

ROLES = ("input", "target", "ignore")
PREVIEW_ROWS = 20
#: files up to this size are loaded on every change of roles, so problems show at once; larger
#: ones are loaded only when OK is pressed
LIVE_LIMIT = 5_000_000
ROLE_COLORS = {"input": POSITIVE, "target": NEGATIVE, "ignore": "#9e9e9e"}
ROLE_TIPS = {
    "input": "input: a column the network reads",
    "target": "target: a column the network learns to predict",
    "ignore": "ignore: leave this column out",
}


def read_preview(path, rows: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The header and first ``rows`` data rows of a CSV file, split as ``load_csv`` splits them
    (comma, or semicolon/tab if the header has more of those; blank lines skipped).

    Raises DataError with ``load_csv``'s one-line message when the file cannot be read as CSV."""
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as f:
            head = []
            for line in f:
                head.append(line)
                if line.strip():
                    break
            else:
                raise ValueError("no header")
            delimiter = max([",", ";", "\t"], key=head[-1].count)  # ties -> comma, as load_csv
            # The reader pulls lines from the file as it needs them: a quoted cell may span lines.
            reader = csv.reader(itertools.chain(head, f), delimiter=delimiter, strict=True)
            table = []
            for row in reader:
                if row and not (len(row) == 1 and not row[0].strip()):  # blank lines are skipped
                    table.append([c.strip() for c in row])
                    if len(table) > rows:
                        break
        header = table[0]
        if not all(header) or len(set(header)) != len(header):
            raise ValueError("empty or duplicate column names")  # load_csv says which
    except (OSError, UnicodeDecodeError, ValueError, IndexError, csv.Error) as exc:
        raise DataError(_open_message(p, exc)) from None
    return header, table[1: rows + 1]


def _open_message(p: Path, exc: Exception) -> str:
    """The core's message for a file that cannot be opened (it knows every way that happens)."""
    try:
        load_csv(p)
    except DataError as err:
        return str(err)
    return f"{p}: cannot read the file ({exc})"


class CsvImportDialog(QtWidgets.QDialog):
    """Preview a CSV file and choose its input and target columns.

    After ``exec()`` returns Accepted, ``dataset`` holds the loaded :class:`Dataset` (else None)."""

    def __init__(self, path, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        self.dataset: Dataset | None = None
        self._candidate: Dataset | None = None
        self.header: list[str] = []
        self.role_combos: dict[str, QtWidgets.QComboBox] = {}
        self.setWindowTitle(f"Import CSV — {self.path.name}")
        self.resize(640, 460)

        self.path_label = QtWidgets.QLabel(str(self.path))
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setToolTip("The file being imported")
        hint = QtWidgets.QLabel("Choose each column's role: <b>input</b>, <b>target</b> or <b>ignore</b>. "
                                f"The first {PREVIEW_ROWS} rows are shown.")
        hint.setWordWrap(True)
        self.table = QtWidgets.QTableWidget()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setToolTip("The first rows of the file; the top row sets each column's role")
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setCornerButtonEnabled(False)  # nothing to select
        for corner in self.table.findChildren(QtWidgets.QAbstractButton):
            corner.setToolTip("Each column's role is in the top row")
        self.summary_label = QtWidgets.QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setToolTip("What will be imported")
        self.error_label = QtWidgets.QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setToolTip("Why these columns cannot be imported")
        self.error_label.hide()
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                  | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import")
        self.ok_button.setToolTip("Load the file with the chosen input and target columns")
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without importing")
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
        except DataError as exc:
            self.table.hide()
            hint.hide()
            self._show_error(str(exc))
            return
        self._fill_table(rows)
        self._validate()

    # -- building ---------------------------------------------------------------------------------
    def _fill_table(self, rows: list[list[str]]) -> None:
        table = self.table
        table.setColumnCount(len(self.header))
        table.setRowCount(len(rows) + 1)
        table.setHorizontalHeaderLabels(self.header)
        table.setVerticalHeaderLabels(["role"] + [str(i) for i in range(1, len(rows) + 1)])
        last = len(self.header) - 1
        for j, name in enumerate(self.header):
            combo = QtWidgets.QComboBox()
            for i, role in enumerate(ROLES):
                combo.addItem(role, role)
                combo.setItemData(i, ROLE_TIPS[role], Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(ROLES.index("target" if j == last else "input"))
            combo.setToolTip(f"Role of the column {name!r}: input, target or ignore")
            combo.currentIndexChanged.connect(self._on_role_changed)
            table.setCellWidget(0, j, combo)
            self.role_combos[name] = combo
        for i, row in enumerate(rows, start=1):
            for j, cell in enumerate(row[: len(self.header)]):
                table.setItem(i, j, QtWidgets.QTableWidgetItem(cell))
        table.resizeColumnsToContents()
        self._paint_roles()

    def _paint_roles(self) -> None:
        """Colour each column header by its role; grey out ignored columns."""
        grey = QtGui.QColor("#9e9e9e")
        for j, name in enumerate(self.header):
            role = self.role(name)
            item = self.table.horizontalHeaderItem(j)
            if item is not None:
                item.setForeground(QtGui.QColor(ROLE_COLORS[role]))
                font = item.font()
                font.setBold(role != "ignore")
                item.setFont(font)
                item.setToolTip(f"{name}: {ROLE_TIPS[role]}")
            for i in range(1, self.table.rowCount()):
                cell = self.table.item(i, j)
                if cell is not None:
                    cell.setForeground(grey if role == "ignore" else self.palette().text().color())

    # -- the choice ----------------------------------------------------------------------------------
    def role(self, column: str) -> str:
        return self.role_combos[column].currentData()

    def columns(self, role: str) -> list[str]:
        """The columns of a role, in file order."""
        return [name for name in self.header if self.role(name) == role]

    def _on_role_changed(self, _index: int) -> None:
        self._paint_roles()
        self._validate()

    def _validate(self) -> bool:
        """Check the choice (and, for files of moderate size, load it); returns whether OK may be pressed."""
        self._candidate = None
        inputs, targets = self.columns("input"), self.columns("target")
        if not targets:
            return self._show_error("Choose at least one target column.")
        if not inputs:
            return self._show_error("Choose at least one input column.")
        try:
            live = self.path.stat().st_size <= LIVE_LIMIT
        except OSError:
            live = True  # let load_csv say what is wrong
        if live:
            try:
                self._candidate = load_csv(self.path, targets=targets, inputs=inputs)
            except DataError as exc:
                return self._show_error(str(exc))
            self.summary_label.setText(self._summary(self._candidate))
        else:
            self.summary_label.setText(f"inputs: {', '.join(inputs)} · targets: {', '.join(targets)}")
        self.error_label.hide()
        self.error_label.clear()
        self.ok_button.setEnabled(True)
        return True

    @staticmethod
    def _summary(ds: Dataset) -> str:
        task = ds.task + (f" ({ds.n_classes} classes)" if ds.n_classes is not None else "")
        return (f"{len(ds)} rows · inputs: {', '.join(ds.feature_names)} · "
                f"target{'s' if len(ds.target_names) > 1 else ''}: {', '.join(ds.target_names)} · {task}")

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
            try:
                self._candidate = load_csv(self.path, targets=self.columns("target"), inputs=self.columns("input"))
            except DataError as exc:
                self._show_error(str(exc))
                return
        self.dataset = self._candidate
        super().accept()


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
