"""Every control and action is found by its visible label (screen readers and automation)."""

from PySide6 import QtGui, QtWidgets

from nnviz.gui.accessibility import CONTROL_TYPES, controls_in, visible_text


def _is_part_of_another(widget) -> bool:
    """A combo's popup list, a table's headers and corner button, a scroll bar, a bar's overflow arrow."""
    parent = widget.parentWidget()
    return (isinstance(widget, (QtWidgets.QHeaderView, QtWidgets.QListView)) and not widget.accessibleName()
            and isinstance(parent, (QtWidgets.QTableView, QtWidgets.QFrame))
            or type(widget) is QtWidgets.QAbstractButton or isinstance(widget, QtWidgets.QScrollBar)
            or isinstance(parent, (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox))
            or widget.objectName() in ("qt_toolbar_ext_button", "qt_menubar_ext_button"))


def test_every_control_in_the_window_has_an_accessible_name(main_window):
    unnamed = [f"{type(w).__name__} ({w.toolTip()[:40]!r})" for w in main_window.findChildren(QtWidgets.QWidget)
               if isinstance(w, CONTROL_TYPES) and not _is_part_of_another(w) and not w.accessibleName()]
    assert unnamed == []


def test_form_fields_are_named_after_their_labels(main_window):
    checked = 0
    for form in main_window.findChildren(QtWidgets.QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QtWidgets.QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or field.widget() is None:
                continue
            text = visible_text(label.widget().text())
            for control in controls_in(field.widget()):
                if not isinstance(control, QtWidgets.QAbstractButton):
                    assert control.accessibleName() == text
                    checked += 1
    assert checked >= 15


def test_buttons_and_toolbar_actions_are_named_by_their_text(user, main_window):
    for button in main_window.findChildren(QtWidgets.QAbstractButton):
        if button.text() and not isinstance(button, QtWidgets.QToolButton):
            assert button.accessibleName() == visible_text(button.text())
    toolbar = main_window.findChild(QtWidgets.QToolBar)
    play = toolbar.widgetForAction(user.action("Play"))
    assert play.accessibleName() == "Play"
    user.trigger("Play", settle=False)
    user.qtbot.waitUntil(lambda: play.text() == "Pause")
    assert play.accessibleName() == "Pause"  # the name follows the label
    user.trigger("Pause")
    # what a screen reader reads for a field is this name (a combo reads its current item)
    for name in ("Batch size", "Test split", "Seed"):
        interface = QtGui.QAccessible.queryAccessibleInterface(user.control(name))
        assert interface.text(QtGui.QAccessible.Text.Name) == name


def test_the_labels_the_issue_names_find_their_controls(user):
    for name in ("Data set", "Loss", "Learning rate", "Output activation", "Test split", "Noise", "Batch size",
                 "Optimizer", "Seed", "Layer 1 units", "Layer 1 activation"):
        assert user.control(name).isVisible(), name
