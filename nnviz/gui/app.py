"""Start the desktop app: ``nnviz``, ``python -m nnviz`` or ``nnviz open MODEL.json``."""

from __future__ import annotations

import os
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


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or \
        os.environ.get("QT_QPA_PLATFORM", "") not in ("", "xcb", "wayland")


def main(path: str | None = None) -> int:
    """Open the main window (with ``path`` loaded, if given) and run until it closes.

    With no display (a server, a container), the app runs offscreen instead: it trains for a few
    seconds, saves a screenshot of the window to ``nnviz-window.png`` and prints what it did.
    """
    headless = not _has_display()
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_application()
    from nnviz.gui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window)
    if path and not window.open_path(path):
        print(f"nnviz: error: {window.last_message}", file=sys.stderr)
        if headless:
            window.close()
            return 2
    window.show()
    if headless:
        return _run_headless(app, window, float(os.environ.get("NNVIZ_HEADLESS_SECONDS", "5")))
    return app.exec()


def _run_headless(app, window, seconds: float) -> int:
    """Play for ``seconds`` offscreen, save a screenshot, print a summary, quit."""
    from PySide6.QtCore import QTimer

    print(f"nnviz: no display found; running the app offscreen for {seconds:g} s "
          "(set DISPLAY to see the window)", file=sys.stderr)

    def finish():
        window.session.pause()
        snap = window.session.latest
        shot = os.path.abspath("nnviz-window.png")
        window.grab().save(shot)
        if snap is not None:
            test = f", test loss {snap.test_loss:.4g}" if snap.test_loss is not None else ""
            print(f"trained {snap.step} steps on {window.data_name()}: train loss {snap.train_loss:.4g}{test}; "
                  f"screenshot saved to {shot}")
        window.setWindowModified(False)
        window.close()

    QTimer.singleShot(500, window.session.play)
    QTimer.singleShot(int(seconds * 1000), finish)
    return app.exec()
