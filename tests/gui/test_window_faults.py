"""Faults in the window (issue 14): an exception on any thread shows one line on the GUI thread, a
long command never keeps the window from closing, and every command answers bad arguments in the
project's own words."""

import re
import sys
import threading
import time

import pytest
from PySide6 import QtCore, QtWidgets

from nnviz.gui.app import install_excepthook
from nnviz.gui.session import TrainingSession


@pytest.fixture
def hooked(main_window, monkeypatch):
    """The window with the app's exception hook (restored after the test)."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook(main_window)
    return main_window


def message_box(window):
    return next((box for box in window.findChildren(QtWidgets.QMessageBox) if box.isVisible()), None)


def test_an_exception_on_a_python_thread_shows_one_line_on_the_gui_thread(qtbot, hooked, qtlog):
    def fail():
        raise RuntimeError("worker broke\nsecond line")

    thread = threading.Thread(target=fail)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: message_box(hooked) is not None, timeout=5000)
    box = message_box(hooked)
    assert box.text() == "Something went wrong: RuntimeError: worker broke second line"
    assert box.thread() is QtWidgets.QApplication.instance().thread()
    assert not [r for r in qtlog.records if "different thread" in r.message]


class _Raiser(QtCore.QObject):
    @QtCore.Slot()
    def run(self):
        raise ValueError("in a Qt thread")


def test_an_exception_in_a_qt_thread_shows_one_line_on_the_gui_thread(qtbot, hooked, qtlog):
    thread = QtCore.QThread()
    raiser = _Raiser()
    raiser.moveToThread(thread)
    thread.started.connect(raiser.run)
    thread.start()
    try:
        qtbot.waitUntil(lambda: "in a Qt thread" in hooked.last_message, timeout=5000)
    finally:
        thread.quit()
        thread.wait(2000)
    assert message_box(hooked).thread() is QtWidgets.QApplication.instance().thread()
    assert not [r for r in qtlog.records if "different thread" in r.message]


def test_the_same_fault_again_and_again_is_one_dialog(qtbot, hooked):
    for _ in range(20):
        thread = threading.Thread(target=lambda: 1 / 0)
        thread.start()
        thread.join()
    qtbot.waitUntil(lambda: "ZeroDivisionError" in hooked.last_message, timeout=5000)
    QtCore.QCoreApplication.processEvents()
    assert len([b for b in hooked.findChildren(QtWidgets.QMessageBox) if b.isVisible()]) == 1


@pytest.mark.parametrize("threaded", [False, True], ids=["process", "thread"])
def test_closing_during_a_long_step_is_quick_and_clean(qtbot, monkeypatch, threaded):
    """Step 10,000,000 (minutes of work), see it move, close: within a second, nothing left running."""
    from nnviz.gui.main_window import MainWindow

    monkeypatch.setattr(TrainingSession, "threaded_by_default", threaded)
    monkeypatch.setattr(MainWindow, "confirm_discard", lambda self: True)
    window = MainWindow(settings=QtCore.QSettings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest is not None, timeout=5000)
    window.session.step(10_000_000)
    qtbot.waitUntil(lambda: window.latest.step > 100, timeout=10000)  # a long command shows its progress
    start = time.perf_counter()
    window.close()
    assert time.perf_counter() - start < 1.0
    assert not window.session.is_running()


RAW = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)\b")
BAD_COMMANDS = [
    ("step", (0,), "steps: expected a whole number"),
    ("step", ("ten",), "steps: expected a whole number"),
    ("set_speed", (-1,), "speed: expected steps per second >= 0"),
    ("set_speed", ("fast",), "speed: expected steps per second >= 0"),
    ("set_training", ({"learning": 0.1},), "unknown training setting 'learning'"),
    ("set_layers", ([],), "layers"),
    ("edit_parameter", ("layers[9].weight", (0, 0), 1.0), "layers[9].weight"),
    ("edit_parameter", ("layers[0].weight", (0,), 1.0), "no such parameter entry"),
    ("edit_parameter", ("layers[0].weight", (-1, 0), 1.0), "no such parameter entry"),
    ("edit_sample", (10**6, 0, 1.0), "row"),
    ("publish", ("soon",), "publish: expected a whole number"),
]


@pytest.mark.parametrize("name, args, words", BAD_COMMANDS, ids=[f"{n}{a}" for n, a, _ in BAD_COMMANDS])
def test_a_command_with_bad_arguments_answers_in_one_line_of_our_own(qtbot, main_window, name, args, words):
    session = main_window.session
    with qtbot.waitSignal(session.failed, timeout=5000) as failed:
        session._send(name, *args)
    message = failed.args[0]
    assert words in message and "\n" not in message and not RAW.match(message), message
    with qtbot.waitSignal(session.snapshot_ready, timeout=5000):  # and the app goes on
        session.step()


def test_a_float32_model_opens_and_trains_in_the_window(qtbot, main_window, tmp_path):
    """Open a float32 model, Play: it trains (the panels show it, in float32), no message."""
    from nnviz.core.experiment import default_document
    from nnviz.core.writing import dumps

    from user import settle

    doc = default_document()
    doc["dtype"] = "float32"
    path = tmp_path / "small.json"
    path.write_text(dumps(doc))
    failures = []
    main_window.session.failed.connect(failures.append)
    assert main_window.open_path(path)
    settle(qtbot, main_window.session)
    assert {a.dtype.name for a in main_window.latest.params.values()} == {"float32"}
    main_window.act_play.trigger()
    qtbot.waitUntil(lambda: main_window.latest.step > 50, timeout=10000)
    main_window.act_play.trigger()
    assert failures == [] and main_window.last_message == ""
