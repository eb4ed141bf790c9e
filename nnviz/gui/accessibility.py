"""Accessible names: every control is found by screen readers and automation under its visible label.

Qt names a button by its text, but a combo by its current item and a spin box or line edit in a form
row by nothing at all. :func:`name_controls` gives each control under a widget the label a person
reads beside it: a form row's label (for every control of the row's field, a slider and its spin box
alike), a label's buddy, a button's own text; a toolbar button follows its action's text as it changes.
It keeps a name already given, so a panel can name a control that has no label of its own."""

from __future__ import annotations

import re

from PySide6 import QtWidgets

#: the widgets a person operates (labels and containers are not controls)
CONTROL_TYPES = (QtWidgets.QAbstractButton, QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox,
                 QtWidgets.QAbstractSlider, QtWidgets.QLineEdit, QtWidgets.QAbstractItemView)


def visible_text(text: str) -> str:
    """A label as a person reads it: no mnemonic ampersands, no rich-text tags, no trailing colon."""
    text = re.sub(r"<[^>]+>", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.strip().rstrip(":").strip()


def controls_in(widget: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    """``widget`` itself if it is a control, else the controls inside it (a combo's or spin box's own
    line edit, and a combo's popup list, excepted: they are part of it)."""
    if isinstance(widget, CONTROL_TYPES):
        return [widget]
    return [c for c in widget.findChildren(QtWidgets.QWidget)
            if isinstance(c, CONTROL_TYPES) and c.window() is widget.window()  # not a combo's popup list
            and not isinstance(c.parentWidget(), (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox))]


def _name(widget: QtWidgets.QWidget, text: str) -> None:
    text = visible_text(text)
    if text and not widget.accessibleName():
        widget.setAccessibleName(text)


def name_controls(root: QtWidgets.QWidget) -> None:
    """Name every control under ``root`` after its visible label (see the module docstring)."""
    for form in root.findChildren(QtWidgets.QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or not isinstance(label.widget(), QtWidgets.QLabel):
                continue
            if field.widget() is not None:
                for control in controls_in(field.widget()):
                    if not isinstance(control, QtWidgets.QAbstractButton) or not control.text():
                        _name(control, label.widget().text())
    for label in root.findChildren(QtWidgets.QLabel):
        if label.buddy() is not None:
            _name(label.buddy(), label.text())
    for button in root.findChildren(QtWidgets.QAbstractButton):
        if isinstance(button, QtWidgets.QToolButton) and button.defaultAction() is not None:
            _follow_action(button)
        elif button.text():
            _name(button, button.text())


def _follow_action(button: QtWidgets.QToolButton) -> None:
    action = button.defaultAction()

    def update():
        button.setAccessibleName(visible_text(action.text()))

    if not button.property("nnviz_named"):
        button.setProperty("nnviz_named", True)
        action.changed.connect(update)
    update()
