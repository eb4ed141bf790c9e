"""Start the desktop app: ``nnviz``, ``python -m nnviz`` or ``nnviz open MODEL.json``."""

from __future__ import annotations

import os
import sys

from nnviz.gui.app import create_application, install_excepthook
from nnviz.gui.main_window import MainWindow


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
