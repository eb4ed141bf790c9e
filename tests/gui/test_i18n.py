"""Translation: the language at start-up and in View › Language, switched at run time; the zh_CN catalogue
complete and compiled; every visible string of the GUI through tr().

Two tests here pass only once every visible string is wrapped in tr() and the catalogue is filled:
:func:`test_every_visible_string_call_passes_tr` (static) and :func:`test_the_window_in_chinese_is_all_chinese`
(live); :func:`test_the_zh_cn_catalogue_is_complete_and_current` fails while a message is unfinished.
"""

from __future__ import annotations

import ast
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from nnviz.gui import i18n
from nnviz.gui.accessibility import visible_text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "resources" / "translations" / "nnviz_zh_CN.ts"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def qt_tool(name: str) -> str:
    """PySide6's own lupdate or lrelease (PySide6-Essentials ships them)."""
    import PySide6

    folder = Path(PySide6.__file__).parent
    for candidate in (folder / name, folder / f"{name}.exe", folder / "Qt" / "bin" / name):
        if candidate.is_file():
            return str(candidate)
    raise FileNotFoundError(f"PySide6's {name} is not installed")


def compile_catalogue(ts: Path, qm: Path) -> Path:
    subprocess.run([qt_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)
    return qm


def toy_catalogue(folder: Path, translations: dict[str, str]) -> Path:
    """A compiled catalogue ``nnviz_zh_CN.qm`` in ``folder`` with just ``translations``."""
    messages = "".join(f"<message><source>{escape(s)}</source><translation>{escape(t)}</translation></message>"
                       for s, t in translations.items())
    ts = folder / "nnviz_zh_CN.ts"
    ts.write_text(f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="zh_CN">'
                  f"<context><name></name>{messages}</context></TS>", encoding="utf-8")
    return compile_catalogue(ts, folder / "nnviz_zh_CN.qm")


@pytest.fixture
def english():
    """The test starts and ends in English, whatever the system's language."""
    i18n.set_language(i18n.ENGLISH)
    yield
    i18n.set_language(i18n.ENGLISH)


@pytest.fixture
def toy(tmp_path, monkeypatch, english):
    """Chinese is the toy catalogue's made-up strings."""
    qm = toy_catalogue(tmp_path, {
        "Language": "Toy-Language",
        "ReLU: max(0, z)": "Toy-ReLU-tip",
        "&File": "&Toy-File",
        "Play": "Toy-Play",
        "Loss": "Toy-Loss",
        "Learning rate": "Toy-Learning-rate",
    })
    monkeypatch.setattr(i18n, "catalogue_file", lambda code: qm)


def test_a_phrase_from_the_core_is_translated_by_its_template_and_formatted_again(tmp_path, monkeypatch, english):
    """A core text put together from values (nnviz.core.text.Phrase) is its English text to the core;
    the window translates its template and each value that is a phrase, and keeps numbers and names."""
    from nnviz.core.text import Phrase
    from nnviz.gui.i18n import tr_phrase

    below = Phrase("the layer below, {name}", name="Dense")
    phrase = Phrase("Layer {layer}: gradient passed down to {below}", layer=2, below=below)
    assert phrase == "Layer 2: gradient passed down to the layer below, Dense"
    assert tr_phrase(phrase) == phrase  # English: as it is
    qm = toy_catalogue(tmp_path, {"Layer {layer}: gradient passed down to {below}": "第 {layer} 层：传给{below}的梯度",
                                  "the layer below, {name}": "下一层 {name}"})
    monkeypatch.setattr(i18n, "catalogue_file", lambda code: qm)
    i18n.set_language("zh_CN")
    assert tr_phrase(phrase) == "第 2 层：传给下一层 Dense的梯度"
    assert tr_phrase("Not in the catalogue") == "Not in the catalogue"


def language_action(window, name: str) -> QtGui.QAction:
    found = [a for a in window.language_menu.actions() if a.text() == name]
    assert len(found) == 1, [a.text() for a in window.language_menu.actions()]
    return found[0]


def relu_tip(window) -> str:
    """The tooltip of ReLU in the sidebar's activation combos (one text, from the core's registry)."""
    combos = [c for c in window.controls.findChildren(QtWidgets.QComboBox) if c.findData("relu") >= 0]
    tips = {c.itemData(c.findData("relu"), QtCore.Qt.ItemDataRole.ToolTipRole) for c in combos}
    assert combos and len(tips) == 1, tips
    return tips.pop()


def test_view_language_lists_each_language_by_its_own_name_one_checked(main_window, english):
    names = [a.text() for a in main_window.language_menu.actions()]
    assert names == ["English", "中文 (简体)"]
    checked = [a.text() for a in main_window.language_menu.actions() if a.isChecked()]
    assert checked == ["English"]
    view_menus = [a.menu() for a in main_window.view_menu.actions() if a.menu() is not None]
    assert main_window.language_menu in view_menus


def test_a_toy_translation_switches_the_window_at_run_time(user, main_window, toy, qtbot):
    """The switch sets the window's texts again at once, and the run, its timeline and the docks stay."""
    window = main_window
    user.train(5)
    step, session, docks = window.latest.step, window.session, {k: d.isVisible() for k, d in window.docks.items()}
    assert window.language_menu.title() == "Language"
    assert relu_tip(window) == "ReLU: max(0, z)"

    language_action(window, "中文 (简体)").trigger()
    assert window.language_menu.title() == "Toy-Language"
    assert relu_tip(window) == "Toy-ReLU-tip"
    assert language_action(window, "中文 (简体)").isChecked()
    assert not language_action(window, "English").isChecked()
    assert window.lesson_pane.locale == "zh_CN"
    assert window.settings.value(i18n.SETTINGS_KEY) == "zh_CN"
    assert window.session is session
    user.settle()
    assert window.latest.step == step  # the run was not restarted
    assert {k: d.isVisible() for k, d in window.docks.items()} == docks
    window.act_step.trigger()  # the same run trains on, from where it was
    qtbot.waitUntil(lambda: window.latest.step == step + 1)

    language_action(window, "English").trigger()
    assert window.language_menu.title() == "Language"
    assert relu_tip(window) == "ReLU: max(0, z)"
    assert window.lesson_pane.locale == "en"
    assert window.settings.value(i18n.SETTINGS_KEY) == "en"


def test_a_toy_translation_reaches_the_menu_bar_toolbar_docks_and_controls(main_window, toy, qtbot):
    """Passes once main_window, the panels' registry and the controls pass their texts through tr()."""
    window = main_window
    toolbar = window.findChild(QtWidgets.QToolBar, "toolbar_training")
    learning_rate = [w.text() for w in window.controls.findChildren(QtWidgets.QLabel)
                     if visible_text(w.text()) in ("Learning rate", "Toy-Learning-rate")]

    def seen():
        menus = [a.text() for a in window.menuBar().actions()]
        return ("&Toy-File" in menus, any(a.text() == "Toy-Play" for a in toolbar.actions()),
                window.docks["loss"].windowTitle(),
                [visible_text(w.text()) for w in window.controls.findChildren(QtWidgets.QLabel)
                 if visible_text(w.text()) in ("Learning rate", "Toy-Learning-rate")])

    assert learning_rate and seen() == (False, False, "Loss", ["Learning rate"])
    language_action(window, "中文 (简体)").trigger()
    assert seen() == (True, True, "Toy-Loss", ["Toy-Learning-rate"])
    assert window.controls.training_section.lr_combo.accessibleName() == "Toy-Learning-rate"
    language_action(window, "English").trigger()
    assert seen() == (False, False, "Loss", ["Learning rate"])


def test_the_lesson_open_follows_the_language_chosen(main_window, english, qtbot):
    """A lesson's texts come in the language of View › Language (its document carries both), at once."""
    assert main_window.open_example("cross-entropy")
    view = main_window.lesson_pane.step_view
    english_text = view.toPlainText()
    assert english_text and not CJK.search(english_text)
    language_action(main_window, "中文 (简体)").trigger()
    assert CJK.search(view.toPlainText())
    assert main_window.act_walk.isChecked()  # the lesson stays where it was: stepping through
    language_action(main_window, "English").trigger()
    assert view.toPlainText() == english_text


def test_the_examples_names_follow_the_language_chosen(main_window, english, qtbot):
    """The Examples menu, Help › Lessons and the lesson pane name each shipped example in the window's
    language (the documents' ``translations``), at once, and in English again after."""
    action = main_window.example_actions["square-fit"]
    assert action.text() == "Fitting y = x² with ten ReLUs"
    assert main_window.open_example("square-fit")
    language_action(main_window, "中文 (简体)").trigger()
    assert action.text() == "用十个 ReLU 拟合 y = x²" and CJK.search(action.toolTip())
    assert all(CJK.search(a.text()) for a in main_window.example_actions.values())
    assert main_window.lesson_pane.name_label.text() == "用十个 ReLU 拟合 y = x²"
    lessons = [a for a in main_window.findChildren(QtGui.QAction) if a.text() == "课程…"]
    assert lessons
    lessons[0].trigger()
    qtbot.waitUntil(lambda: main_window.findChild(QtWidgets.QListWidget) is not None)
    listing = main_window.findChild(QtWidgets.QListWidget)
    assert listing.count() == len(main_window.example_actions)
    assert all(CJK.search(listing.item(i).text()) for i in range(listing.count()))
    listing.window().close()
    language_action(main_window, "English").trigger()
    assert action.text() == "Fitting y = x² with ten ReLUs"
    assert main_window.lesson_pane.name_label.text() == "Fitting y = x² with ten ReLUs"


def test_qt_s_own_dialog_buttons_follow_the_language(main_window, english, qtbot):
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, "", "",
                                QtWidgets.QMessageBox.StandardButton.Save
                                | QtWidgets.QMessageBox.StandardButton.Cancel, main_window)
    assert sorted(visible_text(b.text()) for b in box.buttons()) == ["Cancel", "Save"]
    main_window.set_language("zh_CN")
    qtbot.waitUntil(lambda: sorted(b.text() for b in box.buttons()) == ["保存", "取消"])
    main_window.set_language("en")
    qtbot.waitUntil(lambda: sorted(visible_text(b.text()) for b in box.buttons()) == ["Cancel", "Save"])
    box.deleteLater()


@pytest.mark.parametrize(("system", "language"), [("zh_CN", "zh_CN"), ("zh_TW", "zh_CN"), ("en_GB", "en"),
                                                  ("de_DE", "en"), ("C", "en")])
def test_the_language_follows_the_system_locale(system, language):
    assert i18n.system_language(QtCore.QLocale(system)) == language


def test_a_remembered_choice_wins_over_the_system(monkeypatch):
    settings = QtCore.QSettings()
    monkeypatch.setattr(i18n, "system_language", lambda locale=None: "zh_CN")
    assert i18n.chosen_language(settings) == "zh_CN"
    settings.setValue(i18n.SETTINGS_KEY, "en")
    assert i18n.chosen_language(settings) == "en"
    settings.setValue(i18n.SETTINGS_KEY, "klingon")  # a file from another version: the system's again
    assert i18n.chosen_language(settings) == "zh_CN"


def test_the_application_starts_in_the_remembered_language_with_one_number_format(english):
    from nnviz.gui.app import create_application

    # the names create_application gives the application, in the test's settings folder
    QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, "nnviz",
                     "nnviz").setValue(i18n.SETTINGS_KEY, "zh_CN")
    QtCore.QLocale.setDefault(QtCore.QLocale("de_DE"))  # a system that writes 12.345,5
    create_application()
    assert i18n.current_language() == "zh_CN"
    assert i18n.tr("Language") == "语言"
    spin = QtWidgets.QDoubleSpinBox()
    spin.setRange(0, 1e6)
    spin.setDecimals(2)
    spin.setValue(12345.5)
    assert spin.text() == "12345.50"  # no digit grouping, a decimal point: in every language
    assert QtCore.QLocale().toString(1234.5) == "1234.5"
    create_application(language="en")
    assert i18n.tr("Language") == "Language"


# -- the catalogue ------------------------------------------------------------------------------------
def catalogue_messages(ts: Path) -> dict[str, tuple[str, str | None]]:
    """source -> (translation, type) of every message of ``ts``."""
    found = {}
    for message in ET.parse(ts).iter("message"):
        translation = message.find("translation")
        found[message.findtext("source")] = (translation.text or "", translation.get("type"))
    return found


def test_the_compiled_catalogue_is_the_catalogue(tmp_path):
    """The shipped .qm is what pyside6-lrelease makes of the .ts (packaging/update-translations)."""
    fresh = compile_catalogue(CATALOGUE, tmp_path / "fresh.qm")
    assert fresh.read_bytes() == CATALOGUE.with_suffix(".qm").read_bytes(), \
        "resources/translations/nnviz_zh_CN.qm is older than its .ts: run packaging/update-translations"


def test_the_zh_cn_catalogue_is_complete_and_current(tmp_path):
    """Every text the source marks is in the catalogue, translated; none is there that the source lost.
    Fails while a message is unfinished: fill them (packaging/update-translations FILE.json)."""
    extracted = tmp_path / "nnviz_zh_CN.ts"
    subprocess.run([qt_tool("lupdate"), "-silent", "-extensions", "py", "-locations", "none", "-no-obsolete",
                    str(ROOT / "nnviz"), "-ts", str(extracted)], check=True)
    in_source, shipped = set(catalogue_messages(extracted)), catalogue_messages(CATALOGUE)
    missing = sorted(in_source - set(shipped))
    vanished = sorted(s for s, (_, kind) in shipped.items() if s not in in_source or kind in ("vanished", "obsolete"))
    unfinished = sorted(s for s, (text, kind) in shipped.items() if kind == "unfinished" or not text)
    assert not missing, f"{len(missing)} texts not in the catalogue (run packaging/update-translations): {missing[:10]}"
    assert not vanished, f"{len(vanished)} texts the source no longer has: {vanished[:10]}"
    assert not unfinished, f"{len(unfinished)} unfinished translations: {unfinished[:10]}"


def test_translations_keep_their_placeholders():
    """A translation keeps the ``{name}`` fields of its source (``str.format`` fills them after tr)."""
    fields = re.compile(r"\{[^{}]*\}")
    wrong = {s: t for s, (t, kind) in catalogue_messages(CATALOGUE).items()
             if t and sorted(fields.findall(s)) != sorted(fields.findall(t))}
    assert not wrong


# -- every visible string through tr() -----------------------------------------------------------------
#: method -> the positions of its arguments a person reads
SETTERS = {"setText": (0,), "setWindowTitle": (0,), "setToolTip": (0,), "setStatusTip": (0,), "setWhatsThis": (0,),
           "setPlaceholderText": (0,), "setTitle": (0,), "setTabText": (1,), "setTabToolTip": (1,), "addTab": (1,),
           "insertTab": (2,), "showMessage": (0,), "addAction": (0,), "addMenu": (0,), "setItemText": (1,),
           "setSpecialValueText": (0,), "setAccessibleName": (0,), "setAccessibleDescription": (0,),
           "addToolBar": (0,), "setInformativeText": (0,), "setDetailedText": (0,), "setLabelText": (0,),
           "setButtonText": (1,), "addRow": (0,)}
#: nnviz's own helpers that show a text they are given -> the positions of those texts
HELPERS = {"_action": (0, 3), "_menu": (0,), "_add_dock": (1,), "show_message": (0, 1), "with_tip": (1,),
           "combo_box": (2,), "spin_box": (3,), "InlineEditor": (0,), "open_editor": (0,), "_index_label": (0,),
           "show_error": (0,), "set_note": (0,)}
#: constructor -> the positions of its arguments a person reads
CONSTRUCTORS = {"QAction": (0,), "QLabel": (0,), "QPushButton": (0,), "QCheckBox": (0,), "QRadioButton": (0,),
                "QGroupBox": (0,), "QDockWidget": (0,), "QMenu": (0,), "QToolButton": (), "QMessageBox": (1, 2)}
#: QMessageBox's and QFileDialog's static functions -> the positions of the texts (after the parent)
STATICS = {"warning": (1, 2), "information": (1, 2), "question": (1, 2), "critical": (1, 2), "about": (1, 2),
           "getOpenFileName": (1,), "getSaveFileName": (1,), "getExistingDirectory": (1,), "getText": (1, 2),
           "getInt": (1, 2), "getDouble": (1, 2), "getItem": (1, 2)}
#: literals that are not words: the same in every language
UNTRANSLATABLE = {"nnviz", "ReLU", "Adam", "SGD", "MSE", "tanh", "PyTorch", "dense"}
#: files written in English on purpose: the run report is a document in English, as the command line's
ENGLISH_FILES = {"nnviz/gui/report.py"}
#: HTML tags and their attributes are markup, not words
MARKUP = re.compile(r"<[^<>]*>?|^[^<>]*>|&[a-z]+;")


def needs_tr(node: ast.AST) -> bool:
    """A literal with words in it, an f-string, or a string put together from them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return bool(re.search(r"[A-Za-z]{2,}", text)) and text not in UNTRANSLATABLE
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and re.search(r"[A-Za-z]{2,}", MARKUP.sub("", v.value))
                   for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return needs_tr(node.left) or needs_tr(node.right)
    if isinstance(node, ast.IfExp):
        return needs_tr(node.body) or needs_tr(node.orelse)
    return False


def untranslated(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # a tr("…") inside an f-string's braces: lupdate does not read it, so it is never translated
    in_fstrings = {id(inner) for value in ast.walk(tree) if isinstance(value, ast.FormattedValue)
                   for inner in ast.walk(value.value)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        positions = SETTERS.get(name, ()) if isinstance(func, ast.Attribute) else ()
        positions = HELPERS.get(name, positions)
        if name in CONSTRUCTORS:
            positions = CONSTRUCTORS[name]
        if name in STATICS and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute | ast.Name):
            owner = func.value.attr if isinstance(func.value, ast.Attribute) else func.value.id
            if owner in ("QMessageBox", "QFileDialog", "QInputDialog"):
                positions = STATICS[name]
        if name == "tr" and id(node) in in_fstrings and node.args and isinstance(node.args[0], ast.Constant):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: tr() inside an f-string: {node.args[0].value[:40]}")
        if name == "tr" and node.args and isinstance(node.args[0], ast.JoinedStr):  # lupdate cannot read it
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: tr({ast.unparse(node.args[0])[:60]})")
        args = [node.args[i] for i in positions if i < len(node.args)]
        args += [k.value for k in node.keywords if k.arg in ("text", "title", "caption", "label", "tip", "tooltip")]
        for arg in args:
            if needs_tr(arg):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({ast.unparse(arg)[:60]})")
    return found


def test_every_visible_string_call_passes_tr():
    """No text a person reads is a bare literal or an f-string: each goes through tr() (the names of
    things in UNTRANSLATABLE excepted). Passes once the wrapping of nnviz/gui is complete."""
    found = [line for path in sorted((ROOT / "nnviz" / "gui").rglob("*.py"))
             if path.relative_to(ROOT).as_posix() not in ENGLISH_FILES for line in untranslated(path)]
    assert not found, f"{len(found)} visible strings not through tr():\n" + "\n".join(found)


def test_the_static_check_sees_what_it_must(tmp_path):
    """The check above flags a literal, an f-string and a joined string, and lets tr(), "", symbols and
    names through."""
    module = tmp_path / "module.py"
    module.write_text(
        "label.setText('Learning rate')\n"
        "action = QtGui.QAction(f'Step {n}', self)\n"
        "QtWidgets.QMessageBox.warning(self, 'Cannot open', text)\n"
        "box.setToolTip('Unit ' + name)\n"
        "label.setText(tr('Learning rate'))\n"
        "label.setText(tr('Step {n}').format(n=n))\n"
        "label.setText('')\n"
        "label.setText('×')\n"
        "label.setText('ReLU')\n"
        "label.setText(name)\n"
        "form.addRow('Loss', combo)\n"
        "self._action('Play', self.play, tip=tr('Play or pause'))\n"
        "self._action(tr('Step'), self.step, None, 'Take one step')\n"
        "label.setText(tr(f'Step {n}'))\n", encoding="utf-8")
    lines = [line.split(": ", 1)[1] for line in untranslated_at(module)]
    assert lines == ["setText('Learning rate')", "QAction(f'Step {n}')", "warning('Cannot open')",
                     "setToolTip('Unit ' + name)", "addRow('Loss')", "_action('Play')", "_action('Take one step')",
                     "tr(f'Step {n}')"]


def untranslated_at(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return untranslated(path)
    finally:
        ROOT = saved


# -- live: the window in Chinese ----------------------------------------------------------------------
#: texts that stay as they are in Chinese: names of things, symbols
STAY = {"ReLU", "Adam", "SGD", "MSE", "tanh", "sigmoid", "softmax", "GELU", "ELU", "PReLU", "AdamW", "RMSprop",
        "Adagrad", "English", "中文 (简体)", "nnviz", "PyTorch", "GLU", "BatchNorm", "LayerNorm", "RMSNorm",
        "sin x₁", "sin x₂", "dense",  # feature names are formulas; a layer's type as the document writes it
        "nesterov", "betas", "eps", "amsgrad", "alpha", "gamma"}  # options named as torch.optim names them


def visible_texts(window) -> list[tuple[str, str]]:
    """(where, text) of every menu, action, label, button, tab and dock title a person sees."""
    texts = []
    names = {a.text() for a in window.recent_menu.actions()}  # file names

    def menu(m, where):
        texts.append((where, m.title()))
        for action in m.actions():
            if action.menu() is not None:
                menu(action.menu(), f"{where} › {action.text()}")
            elif not action.isSeparator() and action.isVisible() and action.text() not in names:
                texts.append((f"{where} › action", action.text()))

    for action in window.menuBar().actions():
        menu(action.menu(), "menu")
    for toolbar in window.findChildren(QtWidgets.QToolBar):
        texts += [("toolbar", a.text()) for a in toolbar.actions() if not a.isSeparator()]
    for key, dock in window.docks.items():
        texts.append((f"dock {key}", dock.windowTitle()))
    for widget in window.findChildren(QtWidgets.QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QtWidgets.QLabel, QtWidgets.QAbstractButton)):
            texts.append((type(widget).__name__, widget.text()))
        elif isinstance(widget, QtWidgets.QGroupBox):
            texts.append(("QGroupBox", widget.title()))
        elif isinstance(widget, QtWidgets.QTabWidget):
            texts += [("tab", widget.tabText(i)) for i in range(widget.count())]
    return texts


def english_words(text: str) -> bool:
    """Whether ``text`` (a label as a person reads it) is still English: letters, no Chinese, not a name
    that stays."""
    text = visible_text(text)
    return bool(re.search(r"[A-Za-z]{3,}", text)) and not CJK.search(text) and text not in STAY


def test_the_window_in_chinese_is_all_chinese(main_window, english, qtbot):
    """With the shipped zh_CN catalogue, every menu, action, label, button, tab and dock title the window
    shows is Chinese (or a name that stays). Passes once the wrapping is complete and the catalogue filled."""
    main_window.set_language("zh_CN")
    english = sorted({f"{where}: {text!r}" for where, text in visible_texts(main_window) if english_words(text)})
    assert not english, f"{len(english)} texts still in English:\n" + "\n".join(english)
