"""Translation: every visible string of the window goes through :func:`tr`.

Convention (``pyside6-lupdate`` extracts these calls; see docs/contributing.md):

- ``tr("Learning rate")`` — a literal string, never an f-string or a variable, so the extractor sees it;
- numbers and names go in by ``str.format`` *after* translation:
  ``tr("Step {step}").format(step=step)`` (the translator may move ``{step}``);
- the names of things that are not words (``ReLU``, ``Adam``, ``MSE``, file suffixes) stay as they are;
- the core's facts (a kind's title and tooltip) are marked in the core with
  :func:`nnviz.core.text.QT_TRANSLATE_NOOP` and shown through ``tr(cls.tooltip)``.

All strings share the empty context, so one source text has one translation wherever it appears.

The language: the one chosen in View › Language (remembered under :data:`SETTINGS_KEY`), else the
system's (Chinese for a ``zh`` locale, else English). :func:`set_language` installs nnviz's catalogue
(``resources/translations/nnviz_<code>.qm``) and Qt's own (``qtbase_<code>.qm``: the standard dialogs'
buttons), then re-translates every window at once: each text that :func:`tr` gave is looked up in the
texts it gave (:data:`_SOURCES`) and set again from its English source. Texts put together from a
translation and numbers are drawn again by whoever made them (the window draws its snapshot again).
Numbers keep one format in every language: the default locale is C (no digit grouping, a decimal point).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QCoreApplication

ENGLISH = "en"
#: the languages of View › Language: code -> name in that language
LANGUAGES = {ENGLISH: "English", "zh_CN": "中文 (简体)"}
#: the QSettings key of the language chosen in View › Language
SETTINGS_KEY = "language"

#: every text :func:`tr` has given (in any language) -> its (source, disambiguation)
_SOURCES: dict[str, tuple[str, str | None]] = {}
_translators: list[QtCore.QTranslator] = []
_language = ENGLISH


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the application's language (itself when no translation is installed or known)."""
    result = QCoreApplication.translate("", text, disambiguation, n)
    if n == -1 and text:
        _SOURCES[result] = (text, disambiguation)
    return result


def tr_phrase(text: str) -> str:
    """A text from the core in the application's language: a :class:`~nnviz.core.text.Phrase` by its
    template, translated and formatted again with its values (each a Phrase translated in turn, a
    number or a name as it is); any other text through :func:`tr` (itself when not in the catalogue)."""
    from nnviz.core.text import Phrase

    if isinstance(text, Phrase) and text.fields:
        fields = {key: tr_phrase(value) if isinstance(value, Phrase) else value for key, value in text.fields.items()}
        return tr(text.template).format(**fields)
    return tr(str(text)) if text else text


# -- which language ------------------------------------------------------------------------------------
def system_language(locale: QtCore.QLocale | None = None) -> str:
    """The language of ``locale`` (the system's): Chinese (simplified) for any ``zh`` locale, else English."""
    locale = QtCore.QLocale.system() if locale is None else locale
    return "zh_CN" if locale.language() == QtCore.QLocale.Language.Chinese else ENGLISH


def chosen_language(settings: QtCore.QSettings | None = None) -> str:
    """The language remembered from View › Language, else the system's."""
    value = (settings or QtCore.QSettings()).value(SETTINGS_KEY, "")
    return value if value in LANGUAGES else system_language()


def current_language() -> str:
    """The language installed now (a code of :data:`LANGUAGES`)."""
    return _language


def catalogue_file(code: str) -> Path | None:
    """nnviz's compiled catalogue for ``code``, or None if it does not ship."""
    from nnviz.gui.app import resource_file

    return resource_file("translations", f"nnviz_{code}.qm")


def qt_catalogue_dir() -> str:
    """Where PySide6 keeps Qt's own catalogues (``qtbase_zh_CN.qm``...)."""
    return QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)


def use_c_numbers() -> None:
    """One format for numbers in every language: spin boxes and ``QLocale()`` write ``1234.5``, never
    ``1,234.5`` or ``1234,5``. Widgets take the default locale when they are made: call this first."""
    locale = QtCore.QLocale.c()
    locale.setNumberOptions(QtCore.QLocale.NumberOption.OmitGroupSeparator
                            | QtCore.QLocale.NumberOption.RejectGroupSeparator)
    QtCore.QLocale.setDefault(locale)


def set_language(code: str) -> str:
    """Show the application in ``code`` (English for a code nnviz does not know) from now on: install
    its catalogues and re-translate every window; returns the language in force."""
    global _language
    app = QCoreApplication.instance()
    code = code if code in LANGUAGES else ENGLISH
    for translator in _translators:
        app.removeTranslator(translator)
    _translators.clear()
    if code != ENGLISH:
        ours = catalogue_file(code)
        for name, folder in ((f"nnviz_{code}", None if ours is None else str(ours.parent)),
                             (f"qtbase_{code}", qt_catalogue_dir())):
            translator = QtCore.QTranslator(app)
            if folder is not None and translator.load(name, folder):
                app.installTranslator(translator)
                _translators.append(translator)
    _language = code
    # the widgets that put a text together from a translation and numbers make it again now (on the
    # LanguageChange event the translators posted), not at the next turn of the event loop
    QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LanguageChange)
    if isinstance(app, QtWidgets.QApplication):
        for window in app.topLevelWidgets():
            retranslate(window)
    return code


# -- re-translation -----------------------------------------------------------------------------------
def again(text: str) -> str:
    """``text`` in the language installed now, if :func:`tr` gave it; else ``text`` unchanged (a name,
    a number, a text put together from parts)."""
    entry = _SOURCES.get(text)
    return text if entry is None else tr(*entry)


def retranslate(root: QtWidgets.QWidget) -> None:
    """Set every text under ``root`` that :func:`tr` gave again in the language installed now: window
    titles, tooltips, status tips, accessible names, labels, buttons, group boxes, tabs, combo items,
    placeholders, menus and actions."""
    from nnviz.gui.accessibility import visible_text

    named = {visible_text(text): entry for text, entry in _SOURCES.items()}
    actions: dict[int, QtGui.QAction] = {}
    for widget in (root, *root.findChildren(QtWidgets.QWidget)):
        _retranslate_widget(widget, named, visible_text)
        for action in widget.actions():
            actions[id(action)] = action
    for action in root.findChildren(QtGui.QAction):
        actions[id(action)] = action
    for action in actions.values():
        for get, put in (("text", "setText"), ("toolTip", "setToolTip"), ("statusTip", "setStatusTip"),
                         ("whatsThis", "setWhatsThis")):
            _reset(action, get, put)


def _reset(obj, get: str, put: str, *args) -> None:
    old = getattr(obj, get)(*args)
    new = again(old) if old else old
    if new != old:
        getattr(obj, put)(*args, new)


def _retranslate_widget(widget: QtWidgets.QWidget, named: dict, visible_text) -> None:
    for get, put in (("windowTitle", "setWindowTitle"), ("toolTip", "setToolTip"), ("statusTip", "setStatusTip"),
                     ("whatsThis", "setWhatsThis"), ("accessibleDescription", "setAccessibleDescription")):
        _reset(widget, get, put)
    name = widget.accessibleName()
    entry = named.get(name) if name else None
    if entry is not None and visible_text(tr(*entry)) != name:
        widget.setAccessibleName(visible_text(tr(*entry)))
    if isinstance(widget, (QtWidgets.QLabel, QtWidgets.QAbstractButton)):
        _reset(widget, "text", "setText")
    elif isinstance(widget, (QtWidgets.QGroupBox, QtWidgets.QMenu)):
        _reset(widget, "title", "setTitle")
    elif isinstance(widget, QtWidgets.QLineEdit):
        _reset(widget, "placeholderText", "setPlaceholderText")
    elif isinstance(widget, QtWidgets.QComboBox):
        for i in range(widget.count()):
            _reset(widget, "itemText", "setItemText", i)
            tip = widget.itemData(i, QtCore.Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str) and again(tip) != tip:
                widget.setItemData(i, again(tip), QtCore.Qt.ItemDataRole.ToolTipRole)
    elif isinstance(widget, QtWidgets.QTabWidget):
        for i in range(widget.count()):
            _reset(widget, "tabText", "setTabText", i)
            _reset(widget, "tabToolTip", "setTabToolTip", i)
    elif isinstance(widget, QtWidgets.QToolBox):
        for i in range(widget.count()):
            _reset(widget, "itemText", "setItemText", i)
    elif isinstance(widget, QtWidgets.QTableWidget):
        for i in range(widget.columnCount()):
            item = widget.horizontalHeaderItem(i)
            if item is not None:
                _reset(item, "text", "setText")
    elif isinstance(widget, QtWidgets.QTreeWidget):
        header = widget.headerItem()
        for i in range(header.columnCount()):
            _reset(header, "text", "setText", i)
    if isinstance(widget, (QtWidgets.QSpinBox, QtWidgets.QDoubleSpinBox)):
        _reset(widget, "prefix", "setPrefix")
        _reset(widget, "suffix", "setSuffix")
    if isinstance(widget, QtWidgets.QAbstractSpinBox):
        _reset(widget, "specialValueText", "setSpecialValueText")
