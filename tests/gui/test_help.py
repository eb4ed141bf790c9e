"""nnviz's identity (distribution name, licence, icon) and the Help menu: shortcuts, lessons, manual, About."""

import re
import tomllib
from pathlib import Path

import PySide6
import pytest
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

import nnviz
from nnviz.core.examples import list_examples
from nnviz.gui.accessibility import CONTROL_TYPES
from nnviz.gui.help import heading_slug

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _open_dialog(qtbot, title: str) -> QtWidgets.QDialog:
    """The visible dialog titled ``title``, once it is shown."""
    found = []

    def shown():
        found[:] = [w for w in QtWidgets.QApplication.topLevelWidgets()
                    if isinstance(w, QtWidgets.QDialog) and w.isVisible() and w.windowTitle() == title]
        return bool(found)

    qtbot.waitUntil(shown)
    return found[0]


def _click(qtbot, dialog: QtWidgets.QDialog, name: str) -> None:
    """Click the dialog's button named ``name`` (the window may have one of the same name)."""
    [button] = [b for b in dialog.findChildren(QtWidgets.QAbstractButton) if b.accessibleName() == name]
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)


def _closed(dialog: QtWidgets.QDialog) -> bool:
    """Closed: gone (the Help windows delete themselves on close) or hidden."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


# -- the distribution ------------------------------------------------------------------------------
def test_the_distribution_has_a_name_of_its_own_and_every_pip_hint_uses_it():
    name = PROJECT["project"]["name"]
    assert name != "nnviz"  # an unrelated project on the package index
    hint = re.compile(r"pip install.{0,80}?'([\w.-]+)\[", flags=re.DOTALL)  # a message may span lines
    hints = [(path.name, match) for path in (ROOT / "nnviz").rglob("*.py")
             for match in hint.findall(path.read_text(encoding="utf-8"))]
    assert hints, "no message names a pip extra any more: drop this test's second half"
    assert all(found == name for _, found in hints), hints


def test_the_metadata_has_a_licence_urls_classifiers_and_a_gui_entry():
    project = PROJECT["project"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "2026 the nnviz authors" in licence
    assert "License :: OSI Approved :: MIT License" in project["classifiers"]
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    assert project["scripts"]["nnviz"] == project["gui-scripts"]["nnviz-gui"] == "nnviz.__main__:run"
    data = PROJECT["tool"]["setuptools"]["package-data"]
    assert {"*.png", "*.svg"} <= set(data["nnviz.resources.icons"])
    assert "nnviz.resources.icons" in PROJECT["tool"]["setuptools"]["packages"]


# -- the icon --------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_the_icon_png_exists_at_its_size_with_a_transparent_corner(qapp, size):
    image = QtGui.QImage(str(ROOT / "resources" / "icons" / f"nnviz-{size}.png"))
    assert not image.isNull()
    assert (image.width(), image.height()) == (size, size)
    assert image.pixelColor(0, 0).alpha() == 0  # a rounded tile, not a square
    colours = {image.pixelColor(x, y).name() for x in range(size) for y in range(size)}
    assert {"#0877bd", "#f59322"} <= colours  # neurons in the app's blue and orange, drawn solid


def test_the_application_and_its_window_have_the_icon_at_every_size(main_window):
    from nnviz.gui.app import create_application

    app = create_application()
    for icon in (app.windowIcon(), main_window.windowIcon()):
        assert not icon.isNull()
        assert {(s.width(), s.height()) for s in icon.availableSizes()} >= {(s, s) for s in SIZES}


# -- the Help menu ---------------------------------------------------------------------------------
def test_keyboard_shortcuts_lists_every_action_with_a_shortcut_including_new_ones(qtbot, user, main_window):
    extra = QtGui.QAction("Made-up command", main_window)  # not in any list: read from the window's actions
    extra.setShortcut(QtGui.QKeySequence("Ctrl+Shift+J"))
    user.trigger("Keyboard shortcuts")
    dialog = _open_dialog(qtbot, "Keyboard shortcuts")
    table = user.control("Keyboard shortcuts", QtWidgets.QTableWidget)
    rows = {(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())}
    native = QtGui.QKeySequence.SequenceFormat.NativeText
    assert ("Made-up command", QtGui.QKeySequence("Ctrl+Shift+J").toString(native)) in rows
    assert ("Play", "Space") in rows
    assert ("Step through", QtGui.QKeySequence("Ctrl+T").toString(native)) in rows
    assert ("Manual", "F1") in rows
    with_shortcut = {a.text().replace("&", "") for a in main_window.findChildren(QtGui.QAction)
                     if not a.shortcut().isEmpty()}
    assert {text for text, _ in rows} == with_shortcut
    assert "About nnviz" not in {text for text, _ in rows}  # no shortcut, not listed
    dialog.close()


def test_lessons_lists_the_examples_menu_and_opens_the_one_chosen(qtbot, user, main_window):
    user.trigger("Lessons…")
    dialog = _open_dialog(qtbot, "Lessons")
    listing = user.control("Lessons", QtWidgets.QListWidget)
    menu = [a.text() for a in main_window.examples_menu.actions() if a.text() and a.menu() is None]
    exercises = [a.text() for a in main_window.exercises_menu.actions()]
    assert exercises and all(text.startswith("Exercise: ") for text in exercises)
    listed = [listing.item(i).text() for i in range(listing.count())]
    others = sum(example.kind == "example" for example in list_examples())  # Circle, the digits…
    assert listed == menu[:-others] + exercises + menu[-others:]  # the lessons, the exercises, then the others
    want = main_window.example_actions["xor-mlp"].text()
    listing.setCurrentItem(listing.findItems(want, QtCore.Qt.MatchFlag.MatchExactly)[0])
    description = main_window.example_actions["xor-mlp"].toolTip()
    assert any(label.text() == description for label in dialog.findChildren(QtWidgets.QLabel))
    _click(qtbot, dialog, "Open")
    qtbot.waitUntil(lambda: _closed(dialog))
    assert main_window.lesson == "xor-mlp"
    assert main_window.act_walk.isChecked()  # lessons open in step-through mode


def test_the_manual_is_the_readme_shipped_in_the_package(qtbot, user):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shipped = (ROOT / "resources" / "docs" / "README.md").read_text(encoding="utf-8")
    assert shipped == readme, "the manual's copy is stale: cp README.md resources/docs/README.md"
    user.trigger("Manual")
    dialog = _open_dialog(qtbot, "nnviz manual")
    browser = dialog.findChild(QtWidgets.QTextBrowser)
    assert browser.accessibleName() == "Manual"
    text = browser.toPlainText()
    headings = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert len(headings) >= 5
    assert all(h.replace("`", "") in text for h in headings)  # rendered: headings without their '##'
    assert "## " not in text and "![" not in text
    dialog.close()


def test_the_manual_shows_captions_for_pictures_that_did_not_ship(monkeypatch, tmp_path):
    from nnviz.gui import help as help_windows

    page = tmp_path / "README.md"
    page.write_text("# Title\n\n![A picture that is nowhere](nowhere/missing.png)\n", encoding="utf-8")
    monkeypatch.setattr(help_windows, "resource_file", lambda *parts: page)
    assert "A picture that is nowhere" in help_windows.manual_text()
    assert "missing.png" not in help_windows.manual_text()


def test_the_manual_fits_a_wide_picture_to_its_width(qapp, tmp_path):
    from nnviz.gui import help as help_windows

    wide = QtGui.QImage(2000, 500, QtGui.QImage.Format.Format_RGB32)
    wide.fill(QtGui.QColor("red"))
    wide.save(str(tmp_path / "wide.png"))
    document = QtGui.QTextDocument()
    document.setMarkdown(f"Text\n\n![wide]({(tmp_path / 'wide.png').as_uri()})\n")
    help_windows._fit_pictures(document, 740)
    document.setTextWidth(800)
    assert 740 <= document.size().width() <= 800  # the picture's 2000 px would widen the page
    assert document.size().height() < 400  # drawn at 740 × 185, not 2000 × 500


def test_about_shows_the_version_licence_qt_pyside_and_icon(qtbot, user):
    user.trigger("About nnviz")
    dialog = _open_dialog(qtbot, "About nnviz")
    texts = " ".join(label.text() for label in dialog.findChildren(QtWidgets.QLabel))
    plain = re.sub(r"<[^>]+>", " ", texts)
    for part in (f"nnviz {nnviz.__version__}", "MIT", f"Qt {QtCore.qVersion()}", f"PySide6 {PySide6.__version__}"):
        assert part in plain
    pictures = [label.pixmap() for label in dialog.findChildren(QtWidgets.QLabel) if not label.pixmap().isNull()]
    assert len(pictures) == 1 and pictures[0].width() >= 64
    _click(qtbot, dialog, "Close")
    qtbot.waitUntil(lambda: _closed(dialog))


def test_help_menu_opens_one_window_of_each_kind(qtbot, user, main_window):
    user.trigger("About nnviz")
    first = _open_dialog(qtbot, "About nnviz")
    user.trigger("About nnviz")
    assert [w for w in QtWidgets.QApplication.topLevelWidgets()
            if w.isVisible() and w.windowTitle() == "About nnviz"] == [first]
    first.close()


def test_every_control_of_the_help_windows_has_its_visible_name(qtbot, user, main_window):
    for text, title in (("Keyboard shortcuts", "Keyboard shortcuts"), ("Lessons…", "Lessons"),
                        ("Manual", "nnviz manual"), ("About nnviz", "About nnviz")):
        user.trigger(text)
        dialog = _open_dialog(qtbot, title)
        for control in dialog.findChildren(QtWidgets.QWidget):
            if isinstance(control, QtWidgets.QAbstractButton) and control.text():
                assert control.accessibleName() == control.text().replace("&", "")
            elif isinstance(control, QtWidgets.QAbstractItemView | QtWidgets.QTextBrowser) \
                    and not isinstance(control, QtWidgets.QHeaderView):
                assert control.accessibleName(), type(control).__name__
            elif isinstance(control, CONTROL_TYPES) and \
                    not isinstance(control.parentWidget(), QtWidgets.QAbstractScrollArea):
                assert control.accessibleName() or isinstance(control, QtWidgets.QScrollBar), type(control).__name__
        dialog.close()


def _manual_links(browser: QtWidgets.QTextBrowser) -> list[str]:
    """Every link of the rendered manual, as written."""
    links, block = [], browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                links.append(fragment.charFormat().anchorHref())
            it += 1
        block = block.next()
    return links


def _click_link(qtbot, browser: QtWidgets.QTextBrowser, href: str) -> None:
    """Scroll the first link to ``href`` into view and click it."""
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.charFormat().anchorHref() == href:
                cursor = QtGui.QTextCursor(browser.document())
                cursor.setPosition(fragment.position() + fragment.length() // 2)
                browser.setTextCursor(cursor)
                browser.ensureCursorVisible()
                point = browser.cursorRect(cursor).center()
                qtbot.mouseClick(browser.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=point)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href}")


def test_the_manual_shows_its_pictures_offline(qtbot, user):
    user.trigger("Manual")
    dialog = _open_dialog(qtbot, "nnviz manual")
    document = dialog.findChild(QtWidgets.QTextBrowser).document()
    pictures, block = [], document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            if it.fragment().charFormat().isImageFormat():
                pictures.append(it.fragment().charFormat().toImageFormat().name())
            it += 1
        block = block.next()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(pictures) == len(re.findall(r"!\[[^\]]*\]\([^)\s]+\)", readme)) > 5
    for name in pictures:
        url = QtCore.QUrl(name)
        assert url.isLocalFile()  # from this computer, not the web
        image = document.resource(QtGui.QTextDocument.ResourceType.ImageResource, url)
        assert isinstance(image, QtGui.QImage | QtGui.QPixmap) and not image.isNull(), name
    dialog.close()


def test_the_manuals_links_to_its_own_headings_scroll_there(qtbot, user):
    user.trigger("Manual")
    dialog = _open_dialog(qtbot, "nnviz manual")
    browser = dialog.findChild(QtWidgets.QTextBrowser)
    qtbot.waitExposed(dialog)
    inner = [href for href in _manual_links(browser) if href.startswith("#")]
    assert inner
    for href in dict.fromkeys(inner):
        _click_link(qtbot, browser, href)
        # the heading the link names is now at the top of the page shown
        cursor = browser.textCursor()
        assert cursor.block().blockFormat().headingLevel() > 0, href
        assert heading_slug(cursor.block().text()) == href[1:]
        rect = browser.cursorRect(cursor)
        assert 0 <= rect.top() < browser.viewport().height() // 3, href
    assert "Lessons and exercises" in browser.toPlainText()
    dialog.close()


def test_the_manuals_other_links_open_the_file_or_page_they_name(qtbot, user, monkeypatch):
    opened = []
    monkeypatch.setattr(QtGui.QDesktopServices, "openUrl", lambda url: opened.append(QtCore.QUrl(url)) or True)
    user.trigger("Manual")
    dialog = _open_dialog(qtbot, "nnviz manual")
    browser = dialog.findChild(QtWidgets.QTextBrowser)
    text = browser.toPlainText()
    outer = [href for href in dict.fromkeys(_manual_links(browser)) if not href.startswith("#")]
    assert any(href.startswith("docs/") for href in outer)
    for href in outer:
        opened.clear()
        _click_link(qtbot, browser, href)
        [url] = opened
        if url.isLocalFile():  # a file of this checkout, read offline
            assert Path(url.toLocalFile()).is_file(), href
            assert url.toLocalFile().endswith(href.partition("#")[0])
        else:
            assert url.scheme() == "https", href
    assert browser.toPlainText() == text  # the manual stays where it was, not a blank page
    dialog.close()
