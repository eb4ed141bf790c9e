"""A person at the window: finds controls by their accessible name (= the label they read) and actions
by their text, operates them as a hand on mouse and keyboard would, and reads what is on screen.

Use the ``user`` fixture (``tests/gui/conftest.py``)::

    user.choose("Data set", "plane")          # a combo, by item text or item data
    user.type("Learning rate", "0.03")        # select all, type, Enter
    user.trigger("Reset")                     # a toolbar or menu action, by its text
    user.settle()                             # every command so far has reached the screen
    assert "MSE" in user.status()

Every method waits for the result to reach the screen (:meth:`settle`) unless it says otherwise.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from nnviz.gui.accessibility import CONTROL_TYPES, visible_text


def settle(qtbot, session, timeout: int = 10000) -> None:
    """Ask ``session`` for a snapshot and wait until it has been drawn: it shows every command sent
    before (a frame already on its way when they were sent does not count)."""
    ticket = session.publish()
    qtbot.waitUntil(lambda: session.shown_ticket >= ticket, timeout=timeout)


class User:
    """Operates one :class:`~nnviz.gui.main_window.MainWindow` through ``qtbot``."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window = qtbot, window

    # -- finding -------------------------------------------------------------------------------------
    def controls(self, name: str) -> list[QtWidgets.QWidget]:
        """Every control whose accessible name is ``name``."""
        return [w for w in self.window.findChildren(QtWidgets.QWidget)
                if isinstance(w, CONTROL_TYPES) and w.accessibleName() == name]

    def control(self, name: str, kind: type | None = None) -> QtWidgets.QWidget:
        """The control named ``name`` (of type ``kind`` if given; a visible one first)."""
        found = [w for w in self.controls(name) if kind is None or isinstance(w, kind)]
        if not found:
            names = sorted({w.accessibleName() for w in self.window.findChildren(QtWidgets.QWidget)
                            if isinstance(w, CONTROL_TYPES) and w.accessibleName()})
            raise LookupError(f"no control named {name!r}; the window has: {', '.join(names)}")
        found.sort(key=lambda w: not w.isVisible())
        return found[0]

    def action(self, text: str) -> QtGui.QAction:
        """The window's action whose visible text is ``text`` (menus and toolbar); a command before a
        View menu entry of the same name (the toolbar's "Step through" before its dock's)."""
        found = [a for a in self.window.findChildren(QtGui.QAction) if visible_text(a.text()) == text]
        found.sort(key=lambda a: isinstance(a.parent(), QtWidgets.QDockWidget))
        if not found:
            raise LookupError(f"no action {text!r}")
        return found[0]

    # -- operating -----------------------------------------------------------------------------------
    def choose(self, name: str, item, settle: bool = True) -> None:
        """Pick ``item`` (its text or its data) in the combo ``name``, as a click on it does."""
        combo = self.control(name, QtWidgets.QComboBox)
        index = combo.findData(item)
        if index < 0:
            index = combo.findText(str(item))
        if index < 0:
            items = [combo.itemText(i) for i in range(combo.count())]
            raise LookupError(f"{name}: no item {item!r} (items: {', '.join(items)})")
        combo.setFocus()
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        combo.textActivated.emit(combo.itemText(index))
        self._done(settle)

    def type(self, name: str, text: str, enter: bool = True, settle: bool = True) -> QtWidgets.QWidget:
        """Type ``text`` into the field ``name`` (its old text selected first), then Enter."""
        widget = self.control(name)
        editor = widget.lineEdit() if isinstance(widget, (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox)) \
            else widget
        widget.setFocus()
        editor.selectAll()
        self.qtbot.keyClicks(editor, text)
        if enter:
            self.qtbot.keyClick(editor, Qt.Key.Key_Return)
        self._done(settle)
        return widget

    def set_value(self, name: str, value, settle: bool = True) -> None:
        """Set a spin box or slider ``name`` to ``value`` (as typing or dragging it does)."""
        widget = self.control(name, (QtWidgets.QAbstractSpinBox, QtWidgets.QAbstractSlider))
        widget.setFocus()
        widget.setValue(value)
        self._done(settle)

    def check(self, name: str, on: bool = True, settle: bool = True) -> None:
        """Tick (or untick) the check box ``name`` with a click, if it is not so already."""
        box = self.control(name, QtWidgets.QAbstractButton)
        if box.isChecked() != on:
            self.qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        self._done(settle)

    def click(self, name: str, settle: bool = True) -> None:
        """Click the button ``name``."""
        self.qtbot.mouseClick(self.control(name, QtWidgets.QAbstractButton), Qt.MouseButton.LeftButton)
        self._done(settle)

    def trigger(self, text: str, settle: bool = True) -> None:
        """Use the action ``text`` (a toolbar button or menu item)."""
        action = self.action(text)
        assert action.isEnabled(), f"{text!r} is disabled"
        action.trigger()
        self._done(settle)

    def press(self, key, on: str | QtWidgets.QWidget | None = None, settle: bool = True) -> None:
        """Press ``key`` with the focus in the control ``on`` (or wherever the focus is). Shortcuts
        see the key as they would from a keyboard (a shortcut override first, then the key)."""
        target = self.control(on) if isinstance(on, str) else on
        if target is None:
            target = QtWidgets.QApplication.focusWidget() or self.window
        target.setFocus()
        if isinstance(target, QtWidgets.QComboBox) and target.lineEdit() is not None:
            target = target.lineEdit()
        self.qtbot.keyClick(target, key)
        self._done(settle)

    # -- training ------------------------------------------------------------------------------------
    def train(self, steps: int, timeout: int = 20000) -> None:
        """Press Play, wait until at least ``steps`` steps are on screen (or training stopped by
        itself: a divergence), then Pause."""
        start = self.step()
        self.trigger("Play", settle=False)
        self.qtbot.waitUntil(lambda: self.step() >= start + steps or not self.window.session.playing
                             and self.step() > start, timeout=timeout)
        if self.window.session.playing:
            self.trigger("Pause", settle=False)
        self.qtbot.waitUntil(lambda: not self.window.session.playing, timeout=timeout)
        self.settle()

    def step(self) -> int:
        """The step the window shows."""
        return self.window.latest.step if self.window.latest is not None else 0

    # -- reading -------------------------------------------------------------------------------------
    def status(self) -> str:
        """The status bar as a person reads it: the message, then the permanent figures."""
        bar = self.window.statusBar()
        return f"{bar.currentMessage()}   {self.window.status_label.text()}".strip()

    def text(self, name: str) -> str:
        """The text a control shows (a combo's current item, a field's text, a spin box's value)."""
        widget = self.control(name)
        if isinstance(widget, QtWidgets.QComboBox):
            return widget.currentText()
        if isinstance(widget, (QtWidgets.QLineEdit, QtWidgets.QAbstractSpinBox)):
            return widget.text()
        if isinstance(widget, QtWidgets.QAbstractSlider):
            return str(widget.value())
        return widget.text()

    def message(self) -> str:
        """The last error or warning the window showed (dialog and status bar)."""
        return self.window.last_message

    def dismiss_message(self) -> None:
        """Close the message dialog, if one is open (as pressing OK does)."""
        for box in self.window.findChildren(QtWidgets.QMessageBox):
            if box.isVisible():
                box.accept()

    # -- waiting -------------------------------------------------------------------------------------
    def settle(self, timeout: int = 10000) -> None:
        """Wait until every command sent so far has been applied and its result drawn: flush the
        sidebar's debounced changes, then ask for a snapshot; commands apply in order, so the
        snapshot after it shows them all."""
        self.window.controls.flush()
        settle(self.qtbot, self.window.session, timeout)
        QtCore.QCoreApplication.processEvents()

    def _done(self, settle: bool) -> None:
        if settle:
            self.settle()
