"""GUI tests run offscreen, with settings in a temporary folder, and may not leave a thread running."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from palettes import dark_palette  # noqa: E402
from PySide6 import QtCore, QtGui  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """QSettings go to a temporary INI file, so tests neither read nor change the user's settings."""
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.Format.IniFormat)
    QtCore.QSettings.setPath(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                             str(tmp_path / "settings"))
    qapp.setOrganizationName("nnviz-tests")
    qapp.setApplicationName("nnviz-tests")
    yield


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    """Fail a test that leaves a training thread running (napari's rule)."""
    yield
    from nnviz.gui import session as session_module

    running = []
    for s in session_module.TrainingSession.instances():
        try:
            if s.is_running():
                running.append(s)
        except RuntimeError:  # its Qt object is already deleted, thread and all
            pass
    for s in running:
        s.shutdown()
    assert not running, f"{len(running)} training thread(s) left running"


@pytest.fixture
def main_window(qtbot, monkeypatch):
    """The app's window, shown, with its first snapshot drawn; closing never asks to save."""
    from nnviz.gui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "confirm_discard", lambda self: True)
    w = MainWindow(settings=QtCore.QSettings())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.latest is not None)
    yield w
    w.close()


@pytest.fixture
def make_panel(qtbot):
    """``make_panel(cls, size=(700, 500), show=True)``: a new panel in a window of its own, closed
    after the test, shown and exposed unless ``show`` is False (a hidden panel only keeps snapshots)."""
    from nnviz.gui.style import setup_pyqtgraph

    def make(cls, size=(700, 500), show=True):
        setup_pyqtgraph()
        widget = cls()
        qtbot.addWidget(widget)
        widget.resize(*size)
        if show:
            widget.show()
            qtbot.waitExposed(widget)
        return widget

    return make


@pytest.fixture
def user(qtbot, main_window):
    """A person at the app's window (see ``tests/gui/user.py``)."""
    from user import User

    return User(qtbot, main_window)


@pytest.fixture(params=["light", "dark"])
def desktop(request, qapp):
    """The application's palette set to a light or a dark desktop's for the test, then restored."""
    before = QtGui.QPalette(qapp.palette())
    qapp.setPalette(dark_palette() if request.param == "dark" else qapp.style().standardPalette())
    yield request.param
    qapp.setPalette(before)
