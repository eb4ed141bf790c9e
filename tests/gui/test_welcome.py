"""The welcome: shown on the very first run, pointing at Play, the Examples menu and Step through;
dismissed for good by its button; Help › Getting started shows it again."""

from PySide6 import QtCore, QtWidgets

from nnviz.gui.accessibility import visible_text
from nnviz.gui.main_window import MainWindow
from nnviz.gui.welcome import DISMISSED_KEY


def _bar(window) -> QtWidgets.QWidget:
    return window.findChild(QtWidgets.QFrame, "welcome_bar")


def _shown(window) -> bool:
    bar = _bar(window)
    return bar is not None and bar.isVisible() and bar.height() > 0


def test_a_first_run_shows_the_welcome_pointing_at_play_examples_and_step_through(user, main_window):
    assert QtCore.QSettings().value(DISMISSED_KEY) is None  # empty settings: a first run
    assert _shown(main_window)
    text = visible_text(_bar(main_window).findChild(QtWidgets.QLabel).text())
    # what it names is there, under those names
    for name in ("Play", "Step through"):
        assert name in text
        assert user.action(name).isEnabled()
    menus = [visible_text(a.text()) for a in main_window.menuBar().actions()]
    assert "Examples" in text and "Examples" in menus
    assert "Train › Step through" in text and "Train" in menus
    # at the top, above the graph, and clear of the training toolbar
    bar = _bar(main_window)
    top_of_bar = bar.mapTo(main_window, QtCore.QPoint(0, 0)).y()
    graph_top = main_window.graph.mapTo(main_window, QtCore.QPoint(0, 0)).y()
    assert top_of_bar + bar.height() <= graph_top
    # its text whole: one or two lines, not cut
    label = bar.findChild(QtWidgets.QLabel)
    assert label.height() >= label.heightForWidth(label.width())


def test_every_control_of_the_welcome_is_named_by_its_label(main_window):
    buttons = _bar(main_window).findChildren(QtWidgets.QAbstractButton)
    assert [b.text() for b in buttons] == ["Don't show again"]
    for button in buttons:
        assert button.accessibleName() == visible_text(button.text())


def test_dismissed_by_its_button_it_stays_dismissed_in_the_next_window(qtbot, user, main_window, monkeypatch):
    user.click("Don't show again")
    qtbot.waitUntil(lambda: not _shown(main_window))
    monkeypatch.setattr(MainWindow, "confirm_discard", lambda self: True)
    again = MainWindow(settings=QtCore.QSettings())  # the next run: the same settings
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    try:
        assert not _shown(again)
        assert again.graph.isVisible()
    finally:
        again.close()


def test_help_getting_started_shows_it_again(qtbot, user, main_window):
    user.click("Don't show again")
    qtbot.waitUntil(lambda: not _shown(main_window))
    help_menu = next(a.menu() for a in main_window.menuBar().actions() if visible_text(a.text()) == "Help")
    assert "Getting started" in [visible_text(a.text()) for a in help_menu.actions()]
    user.trigger("Getting started")
    qtbot.waitUntil(lambda: _shown(main_window))
    user.click("Don't show again")  # and put away again
    qtbot.waitUntil(lambda: not _shown(main_window))


def test_the_narrowest_window_wraps_the_welcome_without_cutting_it(qtbot, main_window):
    main_window.resize(900, 700)  # as narrow as the window goes (its docks set its least width)
    label = _bar(main_window).findChild(QtWidgets.QLabel)
    qtbot.waitUntil(lambda: main_window.width() < 1300 and label.width() < 1200)
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert label.heightForWidth(label.width()) > label.fontMetrics().height() * 1.5  # wrapped onto lines


def test_presentation_mode_hides_the_welcome_and_brings_it_back(qtbot, user, main_window):
    assert _shown(main_window)
    user.trigger("Presentation mode")
    qtbot.waitUntil(lambda: main_window.presenting and not _shown(main_window))
    user.trigger("Leave presentation mode")
    qtbot.waitUntil(lambda: not main_window.presenting and _shown(main_window))
