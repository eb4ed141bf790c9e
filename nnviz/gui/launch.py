"""Start the desktop app: ``nnviz``, ``nnviz MODEL``, ``nnviz open MODEL`` or ``python -m nnviz``.

Start-up always explains what it does, in one line on stderr:

- no display at all, or a ``DISPLAY`` that is set but unreachable (ssh without forwarding, a
  container): the app runs offscreen for a few seconds, saves a screenshot and says so (Qt would
  abort with "could not connect to display", exit status 134);
- a model that does not open: one line, exit status 2 (on a desktop a dialog says it too, since a
  launcher has no terminal);
- a failure while the window is being built: one line, exit status 1;
- Ctrl+C in the terminal closes the window (without asking about unsaved changes), exit status 130.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

from nnviz.gui.app import create_application, install_excepthook
from nnviz.gui.i18n import tr
from nnviz.gui.main_window import MainWindow

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Qt platforms that draw nowhere a person can see
INVISIBLE_PLATFORMS = ("offscreen", "minimal")
X11_SOCKETS = "/tmp/.X11-unix"
#: how long to wait for an X server to accept a connection before calling it unreachable
CONNECT_TIMEOUT = 1.0
#: how often Python gets to run while Qt's event loop runs (for its SIGINT handler)
SIGNAL_POLL_MS = 200


def display_problem(environ=None, x11_sockets: str = X11_SOCKETS) -> str | None:
    """Why the app cannot show a window here, as a short phrase, or None when it can (or when the
    platform is not one this can check: macOS, Windows, a QT_QPA_PLATFORM other than xcb/wayland).

    Checked before the QApplication exists: Qt aborts the process when its platform plugin cannot
    connect. A display counts as reachable when its socket accepts a connection (X authorization is
    not checked)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform not in ("", "xcb", "wayland", "wayland-egl"):
        return None  # offscreen, vnc, eglfs, ...: what the user asked for
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if platform.startswith("wayland"):
        return None if wayland else "WAYLAND_DISPLAY is not set"
    if not display and not wayland:
        return "no display found (DISPLAY is not set)"
    if wayland and _wayland_reachable(wayland, env) and platform != "xcb":
        return None
    if not display:
        return f"the Wayland display {wayland} is unreachable and DISPLAY is not set"
    if x11_reachable(display, x11_sockets):
        return None
    return f"cannot reach the display {display} (no X server answers there)"


def x11_reachable(display: str, x11_sockets: str = X11_SOCKETS) -> bool:
    """Whether an X server accepts connections at ``display`` (``:N``, ``:N.S``, ``host:N``,
    ``unix:N``): its Unix socket (the abstract one Linux servers also open, then the file), or TCP
    port 6000 + N for a host name."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():  # not a form this knows: let Qt judge
        return True
    if host in ("", "unix"):
        path = f"{x11_sockets}/X{number}"
        return _connects(socket.AF_UNIX, "\0" + path) or _connects(socket.AF_UNIX, path)
    return _connects(socket.AF_INET, (host, 6000 + int(number)))


def _wayland_reachable(name: str, env) -> bool:
    path = name if name.startswith("/") else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    return _connects(socket.AF_UNIX, path)


def _connects(family, address) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(CONNECT_TIMEOUT)
            sock.connect(address)
        return True
    except (OSError, ValueError):
        return False


def main(path: str | None = None, example: str | None = None) -> int:
    """Open the main window (with the model file ``path`` or the shipped example ``example`` open,
    if given) and run until it closes; returns the exit status.

    Without a display the app runs offscreen instead: it trains for a few seconds
    (``NNVIZ_HEADLESS_SECONDS``, default 5), saves a screenshot of the window to
    ``nnviz-window.png`` and prints what it did.
    """
    problem = display_problem()
    seconds = float(os.environ.get("NNVIZ_HEADLESS_SECONDS", "5"))
    if problem is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print(f"nnviz: {problem}; running the app offscreen for {seconds:g} s (set DISPLAY to see the window)",
              file=sys.stderr)
    invisible = problem is not None or os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in INVISIBLE_PLATFORMS
    if invisible:
        from PySide6 import QtCore

        QtCore.qInstallMessageHandler(_quiet_qt)
    app = create_application()
    try:
        window = MainWindow()
    except Exception as exc:  # noqa: BLE001 - whatever it is, one line, not Qt's abort
        return _failed_to_build(exc)
    install_excepthook(window)
    if path is not None or example is not None:
        opened = window.open_path(path) if example is None else window.open_example(example)
        if not opened:
            return _refuse_model(app, window, invisible)
    previous = _quit_on_sigint(app, window)
    try:
        window.show()
        if problem is not None:
            status = _run_headless(app, window, seconds)
        else:
            status = app.exec()
    finally:
        signal.signal(signal.SIGINT, previous)
    return EXIT_INTERRUPTED if getattr(app, "nnviz_interrupted", False) else status


def _failed_to_build(exc: BaseException) -> int:
    """The window could not be built: one line, exit status 1. Half-built, it may have started its
    training thread or process; left running, Python's exit would abort on "QThread: Destroyed while
    thread is still running" (and leave the training process's shared memory behind), so the
    session that the half-built window made is shut down first."""
    from nnviz.gui.session import TrainingSession, one_line

    if os.environ.get("NNVIZ_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    print(f"nnviz: error: the window could not be built: {one_line(exc)} (please report this bug; "
          f"set NNVIZ_DEBUG=1 for a traceback)", file=sys.stderr)
    tb = exc.__traceback__
    while tb is not None:  # the frames of MainWindow.__init__ and what it called hold the window
        session = getattr(tb.tb_frame.f_locals.get("self"), "session", None)
        if isinstance(session, TrainingSession):
            session.shutdown()
            break
        tb = tb.tb_next
    return EXIT_FAILURE


def _refuse_model(app, window, invisible: bool) -> int:
    """The model given on the command line does not open: say why on stderr (and, on a desktop,
    in a dialog: a launcher has no terminal), close the window, exit status 2."""
    from PySide6 import QtWidgets

    text = window.last_message
    print(f"nnviz: error: {text}", file=sys.stderr)
    window.setWindowModified(False)
    window.close()
    if not invisible:
        QtWidgets.QMessageBox.warning(None, tr("nnviz: cannot open model"), text)
    app.processEvents()
    return EXIT_USAGE


def _quit_on_sigint(app, window):
    """Ctrl+C in the terminal closes the window and quits, discarding unsaved changes. Qt's event
    loop runs in C++, where Python never gets to run its signal handlers: a timer wakes Python up
    every :data:`SIGNAL_POLL_MS`. Returns the previous handler."""
    from PySide6.QtCore import QTimer

    def on_sigint(signum, frame):
        if getattr(app, "nnviz_interrupted", False):
            return
        app.nnviz_interrupted = True
        print("nnviz: interrupted; quitting", file=sys.stderr)

        def close():
            window.setWindowModified(False)  # no "save changes?" dialog: Ctrl+C means quit now
            window.close()
            app.quit()

        QTimer.singleShot(0, close)  # queued: it also works when the loop has not started yet

    previous = signal.signal(signal.SIGINT, on_sigint)
    waker = QTimer(app)
    waker.timeout.connect(lambda: None)
    waker.start(SIGNAL_POLL_MS)
    return previous


def _quiet_qt(mode, context, message) -> None:
    """Qt's offscreen platform warns about every window-manager call it ignores: hide just those."""
    if "This plugin does not support" not in message and "propagateSizeHints" not in message:
        sys.stderr.write(message + "\n")


def _run_headless(app, window, seconds: float) -> int:
    """Play for ``seconds`` offscreen, save a screenshot, print a summary, quit. Exit status 1 when
    the screenshot could not be saved."""
    from PySide6.QtCore import QTimer

    status = [EXIT_OK]

    def finish():
        window.session.pause()
        snap = window.session.latest
        shot = os.path.abspath("nnviz-window.png")
        saved = window.grab().save(shot)
        trained = ""
        if snap is not None:
            test = f", test loss {snap.test_loss:.4g}" if snap.test_loss is not None else ""
            trained = f"trained {snap.step} steps on {window.data_name()}: train loss {snap.train_loss:.4g}{test}"
        if saved:
            print(f"{trained}; screenshot saved to {shot}" if trained else f"screenshot saved to {shot}")
        else:
            if trained:
                print(trained)
            print(f"nnviz: error: could not save the screenshot to {shot}", file=sys.stderr)
            status[0] = EXIT_FAILURE
        window.setWindowModified(False)
        window.close()
        app.quit()

    QTimer.singleShot(500, window.session.play)
    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()
    return status[0]
