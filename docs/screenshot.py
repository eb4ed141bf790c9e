"""Take the README's screenshot of the nnviz main window training on a built-in data set.

    python docs/screenshot.py --out docs/images/main-window.png

The window is shown on a real X server: with no ``DISPLAY`` set, the script starts its own
``Xvfb :99 -screen 0 1600x1000x24`` (or the next free display number) and kills it at the end.
It trains a 2-8-6-1 tanh network on ``spiral`` with the inputs x1, x2, x1^2, x2^2, sin x1, sin x2
(Adam, lr 0.01, full speed) until the test loss is low or ``--seconds`` have passed, pauses, selects
the first neuron of the first hidden layer so the inspector has something to show, and saves a
grab of the window's screen area (menu bar, toolbar, docks and status bar as a user sees them).

QSettings go to a temporary directory, so the user's nnviz settings are never read or written.

``--model deep`` pictures six hidden layers of 8 units, ``--model wide`` a 64-input model (8×8 images of
two classes); ``--size 1440x900`` sets the window's size and ``--dark`` gives the app a dark desktop's
palette (KDE Breeze Dark's colours), e.g. for the pictures in ``docs/screenshots/``::

    python docs/screenshot.py --model deep --dataset circle --dark --size 1440x900 \
        --out docs/screenshots/deep-network-dark-1440.png

``--example KEY`` opens a shipped example of the Examples menu instead and trains it with its own data
and optimizer for ``--steps`` steps, then points at a neuron of the graph (``--hover COLUMN,UNIT``:
the graph's column, 0 for the inputs, and the unit, from 0), so that its hover readout shows; e.g.
the 1-10-1 ReLU network fitting y = x², each hidden neuron drawn as its curve over x::

    python docs/screenshot.py --example square-fit --steps 400 --hover 1,2 --size 1440x900 \
        --out docs/images/neuron-curves.png

The welcome bar of a first run is left out of every picture (the settings say it was dismissed).

``--offscreen`` runs on Qt's offscreen platform instead and saves ``window.grab()``, for machines
without Xvfb (fonts and styling may then differ slightly from a real X server).

Debian 12 packages needed besides the Python ones (``python -m pip install -e .``)::

    apt-get install -y xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 \\
        libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 \\
        libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxcb1 libx11-xcb1 libx11-6 libxkbcommon-x11-0 \\
        libxkbcommon0 libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core

That is every library PySide6 6.11's xcb platform plugin (``libqxcb.so``, ``libQt6XcbQpa.so.6``)
links against, plus what the README already lists for the offscreen tests. Without
``libxcb-icccm4`` and ``libxcb-keysyms1`` Qt stops with "Could not load the Qt platform plugin
"xcb""; ``QT_DEBUG_PLUGINS=1`` names the missing ``.so`` file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1600, 1000
FEATURES = ("x1", "x2", "x1^2", "x2^2", "sin x1", "sin x2")
LAYERS = [
    {"type": "dense", "units": 8, "activation": "tanh"},
    {"type": "dense", "units": 6, "activation": "tanh"},
    {"type": "dense", "units": 1, "activation": "sigmoid"},  # the output layer comes last
]

DEEP_LAYERS = [{"type": "dense", "units": 8, "activation": "tanh"} for _ in range(6)] + [
    {"type": "dense", "units": 1, "activation": "sigmoid"}]
WIDE_LAYERS = [
    {"type": "dense", "units": 16, "activation": "relu"},
    {"type": "dense", "units": 2, "activation": "softmax"},
]
MODELS = ("default", "deep", "wide")


def wide_dataset():
    """200 8x8 "images" of two classes (a bar across or a bar down, with noise): 64 inputs."""
    import numpy as np

    from nnviz.core.data import Dataset

    rng = np.random.default_rng(0)
    n = 200
    labels = rng.integers(0, 2, n)
    images = rng.normal(0.0, 0.25, (n, 8, 8))
    where = rng.integers(1, 7, n)
    for i in range(n):
        if labels[i]:
            images[i, :, where[i]] += 1.0
        else:
            images[i, where[i], :] += 1.0
    X = images.reshape(n, 64)
    y = np.eye(2)[labels]
    return Dataset(X, y, name="bars", task="classification",
                   feature_names=tuple(f"x{j}" for j in range(64)), target_names=("across", "down"))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="spiral", help="built-in data set to train on (default: spiral)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="longest time to train before taking the picture anyway (default: 60)")
    parser.add_argument("--target-loss", type=float, default=0.025,
                        help="stop training once the test loss is below this (default: 0.025)")
    parser.add_argument("--lr", type=float, default=0.01,
                        help="Adam's learning rate (default: 0.01; 0.03 overfits spiral within seconds)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "images" / "main-window.png"),
                        help="PNG file to write (default: docs/images/main-window.png)")
    parser.add_argument("--lesson", metavar="KEY",
                        help="instead of training: open this lesson of the Examples menu (e.g. two-two-one) "
                             "in step-through mode and picture one operation")
    parser.add_argument("--operation", type=int, default=1,
                        help="with --lesson: the operation to show, counting from 1 (default: 1)")
    parser.add_argument("--example", metavar="KEY",
                        help="instead of the default model: open this example of the Examples menu (e.g. "
                             "square-fit), train it with its own settings for --steps steps and point at a neuron")
    parser.add_argument("--steps", type=int, default=400, help="with --example: steps to train (default: 400)")
    parser.add_argument("--hover", default="1,2", metavar="COLUMN,UNIT",
                        help="with --example: the graph's node to point at (default: 1,2, the third unit of the "
                             "first hidden layer); 'none' points at nothing")
    parser.add_argument("--model", choices=sorted(MODELS), default="default",
                        help="the network pictured: default (2-8-6-1 on --dataset), deep (six hidden layers "
                             "of 8) or wide (64 inputs: 8x8 images of two classes)")
    parser.add_argument("--language", default="en", choices=("en", "zh_CN"),
                        help="the window's language (default: en, whatever the system's is)")
    parser.add_argument("--size", default=f"{WIDTH}x{HEIGHT}", metavar="WxH",
                        help=f"the window's size (default: {WIDTH}x{HEIGHT})")
    parser.add_argument("--dark", action="store_true",
                        help="give the app a dark desktop palette (as Breeze Dark or Windows' dark mode does)")
    parser.add_argument("--offscreen", action="store_true",
                        help="use Qt's offscreen platform and window.grab() instead of an X server")
    args = parser.parse_args(argv)
    try:
        args.width, args.height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size: expected WIDTHxHEIGHT, e.g. 1440x900, not {args.size!r}")
    return args


# -- the X server ---------------------------------------------------------------------------------
def start_xvfb() -> subprocess.Popen:
    """Start Xvfb on the first free display from :99 and point DISPLAY at it."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        sys.exit("screenshot: Xvfb not found; install it (apt-get install -y xvfb), set DISPLAY, "
                 "or pass --offscreen")
    for number in range(99, 120):
        if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
            continue
        proc = subprocess.Popen([xvfb, f":{number}", "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socket = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None and not socket.exists():
            time.sleep(0.05)
        if proc.poll() is None and socket.exists():
            os.environ["DISPLAY"] = f":{number}"
            return proc
        stop_process(proc)
    sys.exit("screenshot: could not start Xvfb on any display from :99 to :119")


def stop_process(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- the window -----------------------------------------------------------------------------------
def take_screenshot(args: argparse.Namespace, settings_dir: str) -> int:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    from PySide6 import QtGui
    from PySide6.QtCore import QSettings, QTimer

    from nnviz.core.experiment import DataConfig
    from nnviz.gui.app import create_application

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, settings_dir)

    app = create_application(language=args.language)
    from nnviz.gui.welcome import DISMISSED_KEY

    QSettings().setValue(DISMISSED_KEY, True)  # the README's pictures show the window, not its welcome
    if args.dark:  # as a dark desktop hands it to Qt: before any window is made
        app.setPalette(dark_palette())
    from nnviz.gui.main_window import MainWindow
    from nnviz.gui.panels.graph import Selection

    window = MainWindow()
    window.resize(args.width, args.height)
    window.move(0, 0)
    window.show()
    window.raise_()
    window.activateWindow()

    session = window.session
    if args.lesson:
        return _lesson_screenshot(args, app, window)
    if args.example:
        return _example_screenshot(args, app, window)
    if args.model == "wide":
        session.set_data(DataConfig(dataset="bars", imported=wide_dataset(), test_fraction=0.25))
        session.set_layers(WIDE_LAYERS)
    else:
        session.set_data(DataConfig(dataset=args.dataset, features=FEATURES))
        session.set_layers(DEEP_LAYERS if args.model == "deep" else LAYERS)
    session.set_training(optimizer={"name": "adam", "lr": args.lr})
    session.set_speed(0)
    window.controls.set_speed(0)  # show "max" in the speed box, as if chosen there

    result = {"code": 0, "started": None, "message": ""}

    def latest():
        return getattr(window, "latest", None)

    def start():
        result["started"] = time.monotonic()
        session.play()
        poll.start(200)

    def check():
        snap = latest()
        elapsed = time.monotonic() - result["started"]
        low = (snap is not None and snap.step > 0 and snap.test_loss is not None
               and snap.test_loss < args.target_loss)
        if low or elapsed > args.seconds:
            poll.stop()
            if not low:
                result["code"] = 3
                result["message"] = (f"the test loss did not fall below {args.target_loss:g} "
                                     f"in {args.seconds:g} s; taking the picture anyway")
            session.pause()
            QTimer.singleShot(600, select)  # let the last snapshot reach the panels

    def select():
        window.graph.select(Selection("neuron", 1, 0))
        QTimer.singleShot(600, grab)

    def grab():
        app.processEvents()
        pixmap = _grab(args, app, window)
        out = Path(args.out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(out), "PNG"):
            result["code"] = 1
            result["message"] = f"could not write {out}"
        else:
            snap = latest()
            name = "bars (64 inputs)" if args.model == "wide" else args.dataset
            summary = f"{name}: step {snap.step}, train loss {snap.train_loss:.4g}"
            if snap.test_loss is not None:
                summary += f", test loss {snap.test_loss:.4g}"
            if snap.test_accuracy is not None:
                summary += f", test accuracy {100 * snap.test_accuracy:.1f}%"
            summary += (f"; {session.snapshots_shown} snapshots drawn, "
                        f"{len(snap.history.get('eval_step', ()))} points on the loss curves")
            print(f"screenshot: {summary}; saved {pixmap.width()}x{pixmap.height()} "
                  f"({QtGui.QGuiApplication.platformName()}) to {out}")
        if window.last_message:
            result["code"] = result["code"] or 4
            result["message"] = f"the window showed a message: {window.last_message}"
        window.setWindowModified(False)
        window.close()
        app.quit()

    def give_up():
        result["code"] = 5
        result["message"] = "timed out waiting for the window"
        window.setWindowModified(False)
        window.close()
        app.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    QTimer.singleShot(800, start)  # let the data, layers and optimizer changes land first
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(give_up)
    watchdog.start(int((args.seconds + 30) * 1000))
    app.exec()
    if result["message"]:
        print(f"screenshot: {result['message']}", file=sys.stderr)
    return result["code"]


def _lesson_screenshot(args, app, window) -> int:
    """Open a lesson in step-through mode, go to ``--operation`` and save the window."""
    from PySide6.QtCore import QTimer

    result = {"code": 0}

    def ready():
        stepper = window.stepper
        if stepper.walkthrough is None:
            QTimer.singleShot(100, ready)
            return
        stepper.go(args.operation - 1)
        QTimer.singleShot(600, grab)

    def grab():
        calc = window.stepper.current()
        result["code"] = _save_and_quit(args, app, window,
                                        f"{args.lesson}, operation {calc.index + 1} of {calc.count} ({calc.title})")

    window.open_example(args.lesson)
    window.docks["stepper"].raise_()
    window.resizeDocks([window.docks["stepper"]], [420], __import__("PySide6").QtCore.Qt.Orientation.Vertical)
    QTimer.singleShot(500, ready)
    app.exec()
    return result["code"]


def picture_args(doc: str, argv=None) -> argparse.Namespace:
    """The options of a script that takes README pictures: --dark and --out-dir."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--dark", action="store_true", help="a dark desktop's palette")
    parser.add_argument("--out-dir", default=str(ROOT / "docs" / "images"), help="where the PNG files go")
    return parser.parse_args(argv)


def open_window(args, name: str, size: tuple[int, int] = (1600, 1000)):
    """The application and its main window for a README picture: in English, a dark desktop's palette
    with ``args.dark``, settings in a temporary file of their own (``name``; the user's are never read)
    with the first-run welcome dismissed. Returns (app, window)."""
    from PySide6 import QtCore

    from nnviz.gui.app import create_application
    from nnviz.gui.main_window import MainWindow
    from nnviz.gui.welcome import DISMISSED_KEY

    app = create_application([], language="en")
    if getattr(args, "dark", False):
        app.setPalette(dark_palette())
    settings = QtCore.QSettings(str(Path(QtCore.QDir.tempPath()) / f"nnviz-{name}.ini"),
                                QtCore.QSettings.Format.IniFormat)
    settings.clear()
    settings.setValue(DISMISSED_KEY, True)  # the pictures show the window, not its first-run welcome
    window = MainWindow(settings=settings)
    window.resize(*size)
    window.show()
    return app, window


def wait_until(app, condition, seconds: float = 120, who: str = "screenshot") -> None:
    """Run the event loop until ``condition()`` holds; stop the script if it has not in ``seconds``."""
    import time

    from PySide6 import QtCore

    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"{who}: timed out")
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)


def settle(app, seconds: float = 0.5) -> None:
    """Run the event loop for ``seconds`` (animations and layouts finish before a grab)."""
    wait_until(app, _after(seconds), seconds + 60)


def _after(seconds: float):
    import time

    end = time.monotonic() + seconds
    return lambda: time.monotonic() >= end


def _example_screenshot(args, app, window) -> int:
    """Open ``--example``, train it for ``--steps`` steps, point at the ``--hover`` node of the graph
    and save the window."""
    from PySide6 import QtCore
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest

    result = {"code": 0}
    session = window.session

    def start():
        window.set_walk_mode(False)
        session.step(args.steps)  # exactly so many: Play at full speed would overshoot
        poll.start(100)

    def check():
        snap = window.latest
        if snap is not None and snap.step >= args.steps:
            poll.stop()
            session.pause()
            QTimer.singleShot(600, point)  # let the last snapshot reach the panels

    def point():
        graph = window.graph
        if args.hover != "none":
            column, unit = (int(v) for v in args.hover.split(","))
            centre = graph.view_to_widget(QtCore.QPointF(*graph.node_positions(column)[unit]))
            QTest.mouseMove(graph.graphics_view.viewport(), centre + QtCore.QPoint(30, 30))
            QTest.mouseMove(graph.graphics_view.viewport(), centre)
        QTimer.singleShot(300, grab)

    def grab():
        snap = window.latest
        result["code"] = _save_and_quit(args, app, window, f"{args.example}: step {snap.step}, train loss "
                                                           f"{snap.train_loss:.4g}, pointing at {args.hover}")

    if not window.open_example(args.example):
        return 1
    poll = QTimer()
    poll.timeout.connect(check)
    QTimer.singleShot(500, start)
    app.exec()
    return result["code"]


def _save_and_quit(args, app, window, summary: str) -> int:
    """Save the window's picture to ``args.out``, say so with ``summary``, close the app; 0, or 1 when
    the file could not be written."""
    app.processEvents()
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    pixmap = _grab(args, app, window)
    code = 0
    if not pixmap.save(str(out), "PNG"):
        code = 1
        print(f"screenshot: could not write {out}", file=sys.stderr)
    else:
        print(f"screenshot: {summary}; saved {pixmap.width()}x{pixmap.height()} to {out}")
    window.setWindowModified(False)
    window.close()
    app.quit()
    return code


def dark_palette():
    """A dark desktop's palette (the colours of KDE's Breeze Dark)."""
    from PySide6 import QtGui

    palette = QtGui.QPalette()
    roles = QtGui.QPalette.ColorRole
    for role, color in ((roles.Window, "#2a2e32"), (roles.WindowText, "#fcfcfc"), (roles.Base, "#1b1e20"),
                        (roles.AlternateBase, "#232629"), (roles.Text, "#fcfcfc"), (roles.Button, "#31363b"),
                        (roles.ButtonText, "#fcfcfc"), (roles.Mid, "#4d5358"), (roles.Highlight, "#3daee9"),
                        (roles.HighlightedText, "#fcfcfc"), (roles.PlaceholderText, "#a1a9b1"),
                        (roles.ToolTipBase, "#31363b"), (roles.ToolTipText, "#fcfcfc"), (roles.Link, "#1d99f3")):
        palette.setColor(role, QtGui.QColor(color))
    disabled = QtGui.QPalette.ColorGroup.Disabled  # greyed text, as Breeze Dark draws a disabled control
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QtGui.QColor("#6e7175"))
    return palette


def _grab(args, app, window):
    from PySide6 import QtGui

    pixmap = QtGui.QPixmap()
    if not args.offscreen:
        frame = window.frameGeometry()
        screen = window.screen() or app.primaryScreen()
        pixmap = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    if pixmap.isNull() or _blank(pixmap.toImage()):
        pixmap = window.grab()  # the offscreen platform, or a screen that cannot be read
    return pixmap


def _blank(image) -> bool:
    """True if a grab came back as one flat colour (nothing was drawn there)."""
    w, h = image.width(), image.height()
    points = [(x * w // 8, y * h // 8) for x in range(8) for y in range(8)]
    return len({image.pixel(x, y) for x, y in points}) == 1


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform warns about every window-manager call it ignores; hide just those."""
    from PySide6 import QtCore

    def handler(mode, context, message):
        if "This plugin does not support" not in message:
            sys.stderr.write(message + "\n")

    QtCore.qInstallMessageHandler(handler)


def main(argv=None) -> int:
    args = parse_args(argv)
    xvfb = None
    with tempfile.TemporaryDirectory(prefix="nnviz-screenshot-") as tmp:
        os.environ.setdefault("XDG_RUNTIME_DIR", tmp)
        os.chmod(tmp, 0o700)
        if args.offscreen:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            _quiet_offscreen_warnings()
        else:
            if not os.environ.get("DISPLAY"):
                xvfb = start_xvfb()
            os.environ["QT_QPA_PLATFORM"] = "xcb"
        try:
            return take_screenshot(args, str(Path(tmp) / "settings"))
        finally:
            stop_process(xvfb)


if __name__ == "__main__":
    sys.exit(main())
