"""A small editor that opens where the user double-clicked: one number, checked before it applies."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.numbers import format_value
from nnviz.gui.i18n import tr
from nnviz.gui.panels.inspector import parse_number
from nnviz.gui.style import BACKWARD, on_window, palette_style


class InlineEditor(QtWidgets.QFrame):
    """Edit one number in place. Enter applies a finite number (``accepted(float)``) and closes;
    anything else shows why in the editor and changes nothing; Escape closes."""

    accepted = Signal(float)

    def __init__(self, title: str, value: float, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.label = QtWidgets.QLabel(title)
        self.label.setStyleSheet("font-weight: 600;")
        self.edit = QtWidgets.QLineEdit(format_value(value, 6) if value is not None else "")
        self.edit.setToolTip(tr("Now {value}. Type a number and press Enter (Escape: leave it)")
                             .format(value=repr(value)))
        self.edit.selectAll()
        self.edit.returnPressed.connect(self.apply)
        self.message = QtWidgets.QLabel("")
        palette_style(self.message, lambda: f"color: {on_window(BACKWARD)};")
        self.message.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.label)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)

    def open_at(self, global_pos: QtCore.QPoint) -> None:
        self.adjustSize()
        self.move(global_pos + QtCore.QPoint(12, 12))
        self.show()
        self.edit.setFocus()

    def apply(self) -> None:
        try:
            value = parse_number(self.edit.text())
        except ValueError as exc:
            self.message.setText(tr("Not changed: {reason}.").format(reason=exc))
            self.message.show()
            self.adjustSize()
            return
        self.accepted.emit(value)
        self.close()
