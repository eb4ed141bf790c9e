"""The application factory: the QApplication with nnviz's names and plotting theme, and the
exception hook. A leaf of the GUI (it never imports the main window), so panels opened alone,
exports and benchmarks can create the application; :mod:`nnviz.gui.launch` opens the window."""

from __future__ import annotations

import sys


def create_application(argv=None):
    """The QApplication, with the names QSettings uses and the light plotting theme."""
    from PySide6 import QtWidgets

    from nnviz.gui.style import setup_pyqtgraph

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv[:1])
    app.setOrganizationName("nnviz")
    app.setApplicationName("nnviz")
    app.setApplicationDisplayName("nnviz")
    setup_pyqtgraph()
    return app


def install_excepthook(window) -> None:
    """An exception in any slot shows a one-line dialog (the traceback still goes to stderr, for a
    bug report), and the app keeps running."""
    import traceback

    from PySide6 import QtWidgets

    from nnviz.gui.session import one_line

    def hook(exc_type, exc, tb):
        traceback.print_exception(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt):
            QtWidgets.QApplication.quit()
            return
        window.show_message("nnviz", f"Something went wrong: {one_line(exc)}",
                            QtWidgets.QMessageBox.Icon.Warning)

    sys.excepthook = hook
