"""File › Save as lesson…: which of the sidebar's controls the lesson hides and which it locks.

One row per control (:data:`nnviz.core.lessons.CONTROLS`), with a Hide and a Lock check box; the
window records the panels shown now and writes the lesson into the document it saves
(:func:`lesson_section`)."""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt

from nnviz.core.lessons import CONTROLS, Lesson, Step, lesson_to_dict, read_lesson
from nnviz.gui.accessibility import name_controls
from nnviz.gui.i18n import tr

#: the table's columns (what set_checked takes), shown as tr(column)
COLUMNS = (QT_TRANSLATE_NOOP("", "Control"), QT_TRANSLATE_NOOP("", "Hide"), QT_TRANSLATE_NOOP("", "Lock"))
#: the tooltip of a control's Hide and Lock check boxes
CHECK_TIPS = (None, QT_TRANSLATE_NOOP("", "Hide {control}"), QT_TRANSLATE_NOOP("", "Lock {control}"))


class LessonDialog(QtWidgets.QDialog):
    """Check the controls the lesson hides and those it locks; OK to save (the window asks where)."""

    def __init__(self, hidden=(), locked=(), parent=None):
        super().__init__(parent)
        self.setObjectName("lesson_dialog")
        self.setWindowTitle(tr("Save as lesson"))
        intro = QtWidgets.QLabel(tr("The lesson opens with the panels shown now. Choose the controls it hides from "
                                    "the learner and those it locks (shown, but not to be changed):"))
        intro.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(len(CONTROLS), len(COLUMNS))
        self.table.setAccessibleName(tr("Controls"))
        self.table.setHorizontalHeaderLabels([tr(column) for column in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.keys = list(CONTROLS)
        for row, key in enumerate(self.keys):
            label = QtWidgets.QTableWidgetItem(tr(CONTROLS[key]))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            label.setToolTip(tr("Named {key} in the document").format(key=repr(key)))
            self.table.setItem(row, 0, label)
            for column, chosen in ((1, hidden), (2, locked)):
                item = QtWidgets.QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
                item.setToolTip(tr(CHECK_TIPS[column]).format(control=tr(CONTROLS[key])))
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton(tr("Save…"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        name_controls(self)
        self.resize(420, 560)

    def set_checked(self, key: str, column: str, on: bool = True) -> None:
        """Tick (or untick) ``column`` ("Hide" or "Lock") of the control ``key``, as a click does."""
        item = self.table.item(self.keys.index(key), COLUMNS.index(column))
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _checked(self, column: int) -> list[str]:
        return [key for row, key in enumerate(self.keys)
                if self.table.item(row, column).checkState() == Qt.CheckState.Checked]

    def hidden(self) -> list[str]:
        """The keys of the controls to hide."""
        return self._checked(1)

    def locked(self) -> list[str]:
        """The keys of the controls to lock."""
        return self._checked(2)


def lesson_section(document: dict, panels, hidden, locked) -> dict:
    """The ``lesson`` section to save with ``document``: its own lesson's steps (or one step made of
    its name and description), the ``panels`` shown and the controls ``hidden`` and ``locked``."""
    current = read_lesson(document)
    if current is not None:
        steps = current.steps
    else:
        steps = (Step(document.get("name") or tr("Lesson"), document.get("description") or tr("Explore the model.")),)
    return lesson_to_dict(Lesson(steps, tuple(panels), tuple(hidden), tuple(locked)))
