"""The Help menu's windows: the keyboard shortcuts (read from the window's own actions), the lessons,
the manual (the README, shipped inside the package so it opens offline from a wheel) and About."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from nnviz import __version__
from nnviz.gui.accessibility import name_controls, visible_text
from nnviz.gui.app import application_icon, resource_file
from nnviz.gui.i18n import current_language, tr

#: the README's copy shipped as package data (tests/gui/test_help.py keeps it equal to README.md)
MANUAL = ("docs", "README.md")
LICENSE_NAME = "MIT licence"
COPYRIGHT = "© 2026 the nnviz authors"
HOMEPAGE = "https://github.com/nnviz/nnviz"


def shortcut_rows(window: QtWidgets.QWidget) -> list[tuple[str, str]]:
    """(action, keys) for every action of ``window`` that has a shortcut, in menu text order, keys as
    the platform writes them (Ctrl+S, ⌘S)."""
    rows = set()
    for action in window.findChildren(QtGui.QAction):
        keys = ", ".join(k.toString(QtGui.QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        if keys and action.text():
            rows.add((visible_text(action.text()), keys))
    return sorted(rows, key=lambda row: (row[0].casefold(), row[1]))


def _dialog(parent, title: str, object_name: str) -> QtWidgets.QDialog:
    dialog = QtWidgets.QDialog(parent)
    dialog.setObjectName(object_name)
    dialog.setWindowTitle(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    QtWidgets.QVBoxLayout(dialog)
    return dialog


def _close_buttons(dialog: QtWidgets.QDialog) -> QtWidgets.QDialogButtonBox:
    buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    dialog.layout().addWidget(buttons)
    return buttons


def shortcuts_dialog(window: QtWidgets.QWidget) -> QtWidgets.QDialog:
    """A table of :func:`shortcut_rows`."""
    dialog = _dialog(window, tr("Keyboard shortcuts"), "shortcuts_dialog")
    rows = shortcut_rows(window)
    table = QtWidgets.QTableWidget(len(rows), 2)
    table.setAccessibleName(tr("Keyboard shortcuts"))
    table.setHorizontalHeaderLabels([tr("Action"), tr("Keys")])
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    for i, (text, keys) in enumerate(rows):
        table.setItem(i, 0, QtWidgets.QTableWidgetItem(text))
        table.setItem(i, 1, QtWidgets.QTableWidgetItem(keys))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    dialog.layout().addWidget(table)
    _close_buttons(dialog)
    name_controls(dialog)
    dialog.resize(max(420, table.horizontalHeader().length() + 60), 480)
    return dialog


def lessons_dialog(window, lessons: list, open_lesson) -> QtWidgets.QDialog:
    """The shipped lessons (``lessons``: :class:`nnviz.core.examples.Example`), each with its
    description; Open (or a double click) calls ``open_lesson(key)`` and closes the dialog."""
    dialog = _dialog(window, tr("Lessons"), "lessons_dialog")
    listing = QtWidgets.QListWidget()
    listing.setAccessibleName(tr("Lessons"))
    listing.setWordWrap(True)
    for lesson in lessons:
        item = QtWidgets.QListWidgetItem(lesson.name_in(current_language()))
        item.setData(Qt.ItemDataRole.UserRole, lesson.key)
        item.setToolTip(lesson.description_in(current_language()))
        listing.addItem(item)
    about = QtWidgets.QLabel()
    about.setWordWrap(True)
    about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    about.setMinimumHeight(about.fontMetrics().lineSpacing() * 4)
    buttons = _close_buttons(dialog)
    open_button = buttons.addButton(tr("Open"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)

    def show_description():
        item = listing.currentItem()
        about.setText(item.toolTip() if item is not None else "")
        open_button.setEnabled(item is not None)

    def accept():
        item = listing.currentItem()
        if item is not None:
            dialog.accept()
            open_lesson(item.data(Qt.ItemDataRole.UserRole))

    listing.currentItemChanged.connect(show_description)
    listing.itemActivated.connect(accept)
    buttons.accepted.connect(accept)
    layout = dialog.layout()
    intro = QtWidgets.QLabel(tr("The lessons, exercises and examples that ship with nnviz (also in the Examples "
                                "menu); lessons open in step-through mode, exercises ask you to fix a network:"))
    intro.setWordWrap(True)
    layout.insertWidget(0, intro)
    layout.insertWidget(1, listing, 1)
    layout.insertWidget(2, about)
    listing.setCurrentRow(0)
    show_description()
    name_controls(dialog)
    dialog.resize(520, 460)
    return dialog


def manual_text() -> str:
    """The manual (the README) as Markdown; its pictures, which do not ship in the package, become
    their captions unless the source checkout's file is there to show."""
    path = resource_file(*MANUAL)
    if path is None:
        return "# nnviz\n\nThe manual is missing from this installation; read it at " + HOMEPAGE + "\n"
    text = path.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2]

    def picture(match: re.Match) -> str:
        alt, target = match.group(1), match.group(2)
        if (checkout / target).is_file():
            return f"![{alt}]({(checkout / target).as_uri()})"
        return f"*[Picture: {alt}]*"

    return re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", picture, text)


def _fit_pictures(document: QtGui.QTextDocument, width: int) -> None:
    """Pictures wider than ``width`` drawn at ``width`` (the screenshots are 1400 px and more)."""
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            picture = fragment.charFormat().toImageFormat()
            if fragment.isValid() and picture.isValid():
                natural = QtGui.QImage(QtCore.QUrl(picture.name()).toLocalFile()).size()
                if natural.width() > width:
                    picture.setWidth(width)
                    picture.setHeight(natural.height() * width / natural.width())
                    cursor = QtGui.QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QtGui.QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(picture)
            it += 1
        block = block.next()


def heading_slug(text: str) -> str:
    """The anchor GitHub gives a Markdown heading (what the README's ``#…`` links name): lower case,
    punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def scroll_to_heading(browser: QtWidgets.QTextBrowser, slug: str) -> bool:
    """Show the heading whose :func:`heading_slug` is ``slug`` at the top of ``browser``; False if
    the page has none (Qt's Markdown gives headings no anchors of their own)."""
    document = browser.document()
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() and heading_slug(block.text()) == slug:
            bar = browser.verticalScrollBar()
            top = document.documentLayout().blockBoundingRect(block).top()
            bar.setValue(min(int(top), bar.maximum()))
            cursor = QtGui.QTextCursor(block)
            browser.setTextCursor(cursor)
            return True
        block = block.next()
    return False


def link_target(href: str) -> QtCore.QUrl:
    """Where a link of the manual leads that is not on its own page: the web as it is, a file of
    the source checkout (the other documents, the pictures) when it is there to read offline,
    else that file on the project's pages."""
    url = QtCore.QUrl(href)
    if url.scheme():
        return url
    checkout = Path(__file__).resolve().parents[2]
    path, _, fragment = href.partition("#")
    local = checkout / path
    if (checkout / "pyproject.toml").is_file() and local.is_file():
        target = QtCore.QUrl.fromLocalFile(str(local))
        if fragment:
            target.setFragment(fragment)
        return target
    return QtCore.QUrl(f"{HOMEPAGE}/blob/main/{href}")


def follow_link(browser: QtWidgets.QTextBrowser, url: QtCore.QUrl) -> None:
    """A link of the manual: a heading of the manual itself is scrolled to; anything else opens
    in the application the system has for it (see :func:`link_target`)."""
    href = url.toString()
    if href.startswith("#"):
        scroll_to_heading(browser, href[1:])
        return
    QtGui.QDesktopServices.openUrl(link_target(href))


def manual_dialog(window) -> QtWidgets.QDialog:
    """The manual in a text browser: its links to its own headings scroll there, the others open
    in the person's browser (see :func:`follow_link`)."""
    dialog = _dialog(window, tr("nnviz manual"), "manual_dialog")
    browser = QtWidgets.QTextBrowser()
    browser.setAccessibleName(tr("Manual"))
    # every link handled here: Qt would look a relative one up as a page of its own and go blank
    browser.setOpenLinks(False)
    browser.anchorClicked.connect(lambda url: follow_link(browser, url))
    browser.setMarkdown(manual_text())
    _fit_pictures(browser.document(), 740)
    dialog.layout().addWidget(browser)
    _close_buttons(dialog)
    name_controls(dialog)
    dialog.resize(820, 720)
    return dialog


def about_text() -> str:
    """The About box's text: version, licence, and the Qt, PySide and Python it runs on."""
    import PySide6

    python = ".".join(str(n) for n in sys.version_info[:3])
    motto = tr("See a neural network learn, one number at a time.")  # lupdate reads no tr() inside an f-string
    return (f"<h3>nnviz {__version__}</h3>"
            f"<p>{motto}</p>"
            f"<p>{LICENSE_NAME} · {COPYRIGHT}<br><a href='{HOMEPAGE}'>{HOMEPAGE}</a></p>"
            f"<p>Qt {QtCore.qVersion()} · PySide6 {PySide6.__version__} · Python {python}</p>")


def about_dialog(window) -> QtWidgets.QDialog:
    """About nnviz: the icon beside :func:`about_text`."""
    dialog = _dialog(window, tr("About nnviz"), "about_dialog")
    row = QtWidgets.QHBoxLayout()
    icon = QtWidgets.QLabel()
    icon.setObjectName("about_icon")
    icon.setPixmap(application_icon().pixmap(128, 128))
    icon.setAlignment(Qt.AlignmentFlag.AlignTop)
    text = QtWidgets.QLabel(about_text())
    text.setObjectName("about_text")
    text.setTextFormat(Qt.TextFormat.RichText)
    text.setOpenExternalLinks(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    row.addWidget(icon)
    row.addWidget(text, 1)
    dialog.layout().addLayout(row)
    _close_buttons(dialog)
    name_controls(dialog)
    return dialog
