"""The welcome: a slim bar across the top of the window on the very first run, pointing at Play,
the Examples menu and Step through, until its "Don't show again" button is pressed (remembered in
the window's QSettings). Help › Getting started shows it again.

The bar is a toolbar of its own, on a row under the training toolbar, added after the window has
restored its saved layout: whether it shows is the settings' word alone, never a layout saved
while it happened to be open."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.gui.i18n import tr

DISMISSED_KEY = "welcome/dismissed"  # QSettings: the welcome's button was pressed


def welcome_dismissed(settings: QtCore.QSettings) -> bool:
    """Whether the welcome was dismissed for good (its button pressed, in any earlier session)."""
    return str(settings.value(DISMISSED_KEY, "false")).lower() in ("true", "1")


class WelcomeBar(QtWidgets.QFrame):
    """Three pointers for a first look and the button that puts them away for good."""

    dismissed = Signal()

    def __init__(self, settings: QtCore.QSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("welcome_bar")
        self.setAccessibleName(tr("Welcome"))
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        self.label = QtWidgets.QLabel(tr(
            "<b>Welcome to nnviz.</b> Press <b>Play</b> (Space) to train and watch the network learn; "
            "the <b>Examples</b> menu opens lessons and ready-made models; "
            "<b>Train › Step through</b> (Ctrl+T) shows one step, operation by operation."))
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(tr("Welcome to nnviz"))
        layout.addWidget(self.label, 1)
        self.dismiss_button = QtWidgets.QPushButton(tr("Don't show again"))
        self.dismiss_button.setAccessibleName(tr("Don't show again"))
        self.dismiss_button.setToolTip(tr("Hide this welcome; Help › Getting started shows it again"))
        self.dismiss_button.clicked.connect(self.dismiss)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        # A toolbar sizes its widgets by their size hint, which for wrapped text is a guess (three
        # lines of a narrow label): as tall as the text needs at the width the bar has.
        hint = super().sizeHint()
        width = self.width() if self.width() > 100 else hint.width()
        return QtCore.QSize(hint.width(), self.layout().heightForWidth(width) + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the text wraps afresh: the height it needs follows

    def dismiss(self) -> None:
        """Hide the welcome, for this and every later session."""
        self.settings.setValue(DISMISSED_KEY, True)
        self.settings.sync()
        self.dismissed.emit()


class Welcome(QtCore.QObject):
    """The welcome of one window: its bar, in a toolbar row of its own (``toolbar``)."""

    def __init__(self, window: QtWidgets.QMainWindow, settings: QtCore.QSettings):
        super().__init__(window)
        self.bar = WelcomeBar(settings)
        toolbar = self.toolbar = QtWidgets.QToolBar(tr("Welcome"), window)
        toolbar.setObjectName("toolbar_welcome")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.toggleViewAction().setVisible(False)  # Help › Getting started brings it back
        toolbar.addWidget(self.bar)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.bar.dismissed.connect(toolbar.hide)
        toolbar.setVisible(not welcome_dismissed(settings))
        # Presentation mode hides the menu bar: the welcome, which points into the menus, goes with
        # it and comes back with it
        self._menu_bar = window.menuBar()
        self._away_with_menus = False
        self._menu_bar.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self._menu_bar:
            if event.type() == QtCore.QEvent.Type.Hide and self._menu_bar.isHidden() and not self.toolbar.isHidden():
                self._away_with_menus = True
                self.toolbar.hide()
            elif event.type() == QtCore.QEvent.Type.Show and self._away_with_menus:
                self._away_with_menus = False
                self.toolbar.show()
        return False

    def is_shown(self) -> bool:
        return not self.toolbar.isHidden()

    def show_again(self) -> None:
        """Help › Getting started: the welcome, whatever the settings say (its button puts it away)."""
        self.toolbar.show()


def add_welcome(window: QtWidgets.QMainWindow) -> Welcome:
    """Give ``window`` (with a ``settings`` QSettings) its welcome, shown unless dismissed before."""
    return Welcome(window, window.settings)


__all__ = ["DISMISSED_KEY", "Welcome", "WelcomeBar", "add_welcome", "welcome_dismissed"]
