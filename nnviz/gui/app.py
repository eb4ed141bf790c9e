"""The application factory: the QApplication with nnviz's names and plotting theme, and the
exception hook. A leaf of the GUI (it never imports the main window), so panels opened alone,
exports and benchmarks can create the application; :mod:`nnviz.gui.launch` opens the window."""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # the PNGs in resources/icons (packaging/make_icons.py)


def resource_file(*parts: str) -> Path | None:
    """A file shipped in ``nnviz.resources`` (the top-level ``resources/`` folder), or None if missing:
    the source checkout's own when this code runs from one (a checkout may run on another one's
    editable install, whose package data are that checkout's), else the installed package data."""
    checkout = Path(__file__).resolve().parents[2]
    local = checkout / "resources" / Path(*parts)
    if (checkout / "pyproject.toml").is_file() and local.is_file():
        return local
    try:
        entry = importlib.resources.files("nnviz.resources").joinpath(*parts)
        if entry.is_file():
            return Path(str(entry))  # wheels install unzipped: Qt reads the file by its path
    except ModuleNotFoundError:
        pass
    return local if local.is_file() else None


def application_icon():
    """nnviz's icon, one PNG per size in ``ICON_SIZES`` (a null icon if the files are missing)."""
    from PySide6 import QtGui

    icon = QtGui.QIcon()
    for size in ICON_SIZES:
        path = resource_file("icons", f"nnviz-{size}.png")
        if path is not None:
            icon.addFile(str(path))
    return icon


def create_application(argv=None, language: str | None = None):
    """The QApplication, with the names QSettings uses, nnviz's icon (every window inherits it), the
    light plotting theme, one format for numbers, and the language: ``language`` if given, else the
    one chosen in View › Language, else the system's (:mod:`nnviz.gui.i18n`)."""
    from PySide6 import QtWidgets

    from nnviz.gui.i18n import chosen_language, set_language, use_c_numbers
    from nnviz.gui.style import setup_pyqtgraph

    use_c_numbers()  # before any widget is made: widgets take the default locale then
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv[:1])
    app.setOrganizationName("nnviz")
    app.setApplicationName("nnviz")
    app.setApplicationDisplayName("nnviz")
    app.setDesktopFileName("nnviz")  # Wayland and the task bar match the window to packaging/nnviz.desktop
    app.setWindowIcon(application_icon())
    setup_pyqtgraph()
    set_language(language or chosen_language())
    return app


def install_excepthook(window) -> None:
    """An exception anywhere shows a one-line message on the window, and the app keeps running (the
    traceback still goes to stderr, for a bug report). One raised on another thread (a Python
    thread, or a Qt one) travels to the GUI thread as a queued signal: widgets are made there only.
    The same message again while its dialog is open is not shown twice."""
    import threading
    import traceback

    from PySide6 import QtCore, QtWidgets

    from nnviz.gui.i18n import tr
    from nnviz.gui.session import one_line

    class Relay(QtCore.QObject):
        raised = QtCore.Signal(str)

    relay = Relay(window)  # lives on the GUI thread, as the window does

    def show(text: str) -> None:
        if window.last_message == text and window._message_box is not None:
            return
        window.show_message("nnviz", text, QtWidgets.QMessageBox.Icon.Warning)

    relay.raised.connect(show, QtCore.Qt.ConnectionType.QueuedConnection)

    def hook(exc_type, exc, tb):
        traceback.print_exception(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt):
            QtCore.QMetaObject.invokeMethod(QtWidgets.QApplication.instance(), "quit",
                                            QtCore.Qt.ConnectionType.QueuedConnection)
            return
        relay.raised.emit(tr("Something went wrong: {error}").format(error=one_line(exc)))

    def thread_hook(args):
        if args.exc_type is SystemExit:
            return
        hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
