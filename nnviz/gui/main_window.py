"""The main window: graph in the centre, panels in docks, controls in a sidebar, a toolbar to train."""

from __future__ import annotations

import copy
import math
import time
import traceback
from dataclasses import replace
from pathlib import Path

import numpy as np
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot

from nnviz.core.document import read_document
from nnviz.core.errors import NnvizError
from nnviz.core.examples import list_examples, load_example
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.lessons import document_text, read_lesson
from nnviz.core.numbers import format_value
from nnviz.core.walkthrough import Edit
from nnviz.gui import help as help_windows
from nnviz.gui.accessibility import name_controls
from nnviz.gui.branch_dialog import BranchDialog
from nnviz.gui.compare import CompareDialog, CompareWindow
from nnviz.gui.controls import SPEEDS, ControlsPanel
from nnviz.gui.csv_dialog import import_csv
from nnviz.gui.i18n import LANGUAGES, SETTINGS_KEY, current_language, tr, tr_phrase
from nnviz.gui.i18n import set_language as install_language
from nnviz.gui.inline_editor import InlineEditor
from nnviz.gui.lesson_controls import LessonControls
from nnviz.gui.lesson_dialog import LessonDialog, lesson_section
from nnviz.gui.lesson_pane import LessonPane
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.calculation import PHASE_COLORS
from nnviz.gui.panels.registry import PANELS
from nnviz.gui.session import TrainingSession, one_line
from nnviz.gui.style import keep_dock_tabs_whole, setup_pyqtgraph
from nnviz.gui.welcome import add_welcome

MAX_RECENT = 8
DOCK_AREAS = {"left": Qt.DockWidgetArea.LeftDockWidgetArea, "right": Qt.DockWidgetArea.RightDockWidgetArea,
              "bottom": Qt.DockWidgetArea.BottomDockWidgetArea}
DEFAULT_SPEED = 300  # optimizer steps per second: fast enough to get somewhere, slow enough to watch
FILE_FILTER = QT_TRANSLATE_NOOP("", "nnviz models (*.json *.toml);;All files (*)")  # tr() at use
#: what File › Open offers: nnviz's models, and the weights of a PyTorch nn.Sequential to import
OPEN_FILTER = QT_TRANSLATE_NOOP("", "nnviz models and PyTorch weights (*.json *.toml *.safetensors);;"
                               "nnviz models (*.json *.toml);;PyTorch weights (*.safetensors);;All files (*)")
NOTE_MS = 10000  # how long a note stays in the status bar (unless a new command clears it first)
#: seconds of drawing a frame's panels after which the others wait for the next turn of the event loop,
#: so typing, clicks and menus are answered between panels (a new model's first frame took ~100 ms)
FRAME_TURN = 0.016
#: the keys that drive training and lessons alone: Play (Space), Step, the step-through's moves and a
#: lesson's Next and Back (Page Down/Up, and the arrows in presentation mode)
TRAINING_KEYS = frozenset({Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Home, Qt.Key.Key_End,
                           Qt.Key.Key_PageDown, Qt.Key.Key_PageUp, Qt.Key.Key_Down, Qt.Key.Key_Up})
#: how much larger the window's text is in presentation mode
PRESENTATION_SCALE = 1.35
#: docks whose showing belongs to step-through mode, not to a lesson's panels
WALK_DOCKS = ("stepper",)
#: the widgets that take those keys as typing when they have the focus (a table's cell editor is a
#: line edit or a spin box)
TYPING_WIDGETS = (QtWidgets.QLineEdit, QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox, QtWidgets.QTextEdit,
                  QtWidgets.QPlainTextEdit)


def accuracy_text(snap) -> str:
    """The accuracy for the status bar: on the test rows when some are held out, else on the training
    rows; "" for regression, for an accuracy that is None, and beside a loss (or weights) that is
    not a finite number."""
    held_out = snap.test_loss is not None
    text, accuracy, loss = (tr("test accuracy {percent}%"), snap.test_accuracy, snap.test_loss) if held_out \
        else (tr("train accuracy {percent}%"), snap.train_accuracy, snap.train_loss)
    if (snap.task != "classification" or accuracy is None or snap.diverged
            or not (math.isfinite(snap.train_loss) and math.isfinite(loss) and math.isfinite(accuracy))):
        return ""
    return text.format(percent=f"{100 * accuracy:.1f}")


class TypingGuard(QtCore.QObject):
    """Keeps the training keys for the field being typed in: with the focus in a text field, spin
    box, combo or table editor, or in a popup (a combo's list, a menu), Space and the arrows are
    typing, not Play and Step.

    Before a key can trigger a shortcut, Qt sends a ShortcutOverride event to the focus widget;
    accepting it sends the key to the widget instead. The guard filters the application's events:
    Play and Step are application shortcuts, so the focus may be in any window (a floating dock, a
    combo's popup)."""

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # Qt override
        if (event.type() == QtCore.QEvent.Type.ShortcutOverride and event.key() in TRAINING_KEYS
                and (isinstance(QtWidgets.QApplication.focusWidget(), TYPING_WIDGETS)
                     or QtWidgets.QApplication.activePopupWidget() is not None)):
            event.accept()
        return False


class MainWindow(QtWidgets.QMainWindow):
    """The nnviz window. ``session`` runs the training; the window only sends commands and draws."""

    def __init__(self, document: dict | None = None, data: DataConfig | None = None,
                 settings: QtCore.QSettings | None = None):
        super().__init__()
        setup_pyqtgraph()  # the plots' light theme, also for a window made without create_application
        self.settings = settings or QtCore.QSettings()
        self.path: Path | None = None
        self.imported_from: Path | None = None  # the PyTorch weights the model was imported from, if it was
        self.model_name = (document or {}).get("name", "Untitled")
        self.last_message = ""  # the last error or warning shown to the user (tests read it)
        self._message_box: QtWidgets.QMessageBox | None = None
        self.help_dialogs: dict[str, QtWidgets.QDialog] = {}  # the Help menu's windows open, by kind
        self.lesson: str | None = None  # the key of the built-in lesson open, if one is
        self._state: dict | None = None
        self.latest = None  # the newest snapshot drawn
        self._frame_held: int | None = None  # the session's frame whose panels are still drawing
        self._spreading = None  # the snapshot of that frame (latest once drawn)
        self.viewing = None  # the snapshot of a past step shown (the timeline), None for the present
        self.compare_dialog: QtWidgets.QDialog | None = None  # Compare…'s dialog, the latest
        self.compare_window: QtWidgets.QMainWindow | None = None  # the latest comparison's window
        self.latest_walk = None  # the newest step-through state (WalkState)
        self.editor: InlineEditor | None = None
        self.session = TrainingSession(document, data, parent=self)

        self.controls = ControlsPanel()
        self.docks = {}
        # the side docks own the bottom corners, so the health strip sits right under the graph
        self.setCorner(Qt.Corner.BottomLeftCorner, DOCK_AREAS["left"])
        self.setCorner(Qt.Corner.BottomRightCorner, DOCK_AREAS["right"])
        self._add_dock("controls", tr("Controls"), self.controls, DOCK_AREAS["left"])
        self.panels = self._build_panels()
        self.lesson_pane = LessonPane()
        self._add_dock("lesson", tr("Lesson"), self.lesson_pane, DOCK_AREAS["right"])
        self.docks["lesson"].setToolTip(tr("The steps of the lesson open, and its exercise"))
        self.docks["lesson"].hide()
        self.lesson_controls = LessonControls(self.controls)  # the controls a lesson hides or locks
        self.presenting = False
        self._before_presentation = None  # (dock visibility, window state, font) to go back to
        self._before_lesson: dict | None = None  # the docks shown before a lesson showed its own
        keep_dock_tabs_whole(self)  # "Loss", "Activations" scrolled through, not "Lo…", "Activati…"
        self.typing_guard = TypingGuard(self)  # until the window closes
        QtWidgets.QApplication.instance().installEventFilter(self.typing_guard)
        self._health_was_visible = (True, True)  # health strip, inspector
        self.resizeDocks([self.docks["output"], self.docks["loss"], self.docks["inspector"]], [420, 380, 140],
                         Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["controls"], self.docks["output"]], [320, 520], Qt.Orientation.Horizontal)

        self._build_actions()
        from nnviz.gui.export_actions import ExportActions

        self.exports = ExportActions(self)
        self._build_menus()
        self._keep_menu_shortcuts()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self.resize(1440, 900)
        self._restore_settings()
        self.welcome = add_welcome(self)  # after the saved layout: the settings alone say whether it shows
        self.docks["lesson"].hide()  # shown by a lesson, whatever the last session left
        self._update_title()
        name_controls(self)
        # steps per second (the older "speed" setting counted steps per frame: not carried over)
        speed = self.settings.value("steps_per_second", DEFAULT_SPEED)
        speed = int(speed) if str(speed).isdigit() and int(speed) in SPEEDS else DEFAULT_SPEED
        self.controls.set_speed(speed)
        self.session.set_speed(speed)

    # -- construction -----------------------------------------------------------------------------
    def _build_panels(self) -> list[Panel]:
        """Make every panel of the registry, as ``self.<name>``, in its dock (or the centre); returns
        the panels that draw snapshots."""
        for spec in PANELS.values():
            if spec.area == "inside":  # made by the panel it belongs to
                continue
            widget = spec.load()()
            setattr(self, spec.name, widget)
            # room for a few rows; tabbed panels may shrink below their natural size, so that the
            # step-through can have the room
            if spec.min_height:
                widget.setMinimumHeight(spec.min_height)
            if spec.area == "central":
                self.setCentralWidget(widget)
                continue
            self._add_dock(spec.name, tr(spec.title), widget, DOCK_AREAS[spec.area])
            dock = self.docks[spec.name]
            dock.setToolTip(tr(spec.tooltip))
            if spec.tab_with:
                self.tabifyDockWidget(self.docks[spec.tab_with], dock)
            if spec.starts_hidden:  # the step-through: shown by its mode, in place of the health strip
                dock.hide()
        for front in dict.fromkeys(spec.tab_with for spec in PANELS.values() if spec.tab_with):
            self.docks[front].raise_()
        return [getattr(self, spec.name) for spec in PANELS.values()
                if spec.area != "inside" and issubclass(spec.load(), Panel)]

    def _add_dock(self, key: str, title: str, widget: QtWidgets.QWidget, area) -> None:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        if key == "controls":
            scroll = QtWidgets.QScrollArea()
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            scroll.setMinimumWidth(300)
            dock.setWidget(scroll)
        else:
            dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        if isinstance(widget, Panel):  # brought to the front of its tabs: it draws what it kept
            dock.visibilityChanged.connect(lambda visible, panel=widget: visible and panel.catch_up())

    def _action(self, text: str, slot, shortcut=None, tip: str = "", checkable=False) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.act_play = self._action(tr("Play"), self._on_play_triggered, Qt.Key.Key_Space,
                                     tr("Play or pause training (Space)"), checkable=True)
        self.act_step = self._action(tr("Step"), self._on_step_triggered, Qt.Key.Key_Right,
                                     tr("Take one optimizer step (Right arrow)"))
        self.act_epoch = self._action(tr("Step epoch"), self._on_epoch_triggered, "Ctrl+Right",
                                      tr("Train until one more epoch of data has been seen (Ctrl+Right)"))
        self.act_reset = self._action(tr("Reset"), self._on_reset_triggered, "Ctrl+R",
                                      tr("Re-initialise the weights from the seed and start again (Ctrl+R)"))
        self.act_new = self._action(tr("New"), self.new_model, QtGui.QKeySequence.StandardKey.New,
                                    tr("Start again from the default model"))
        self.act_open = self._action(tr("Open…"), self.open_dialog, QtGui.QKeySequence.StandardKey.Open,
                                     tr("Open a model document (Ctrl+O)"))
        self.act_save = self._action(tr("Save"), self.save, QtGui.QKeySequence.StandardKey.Save,
                                     tr("Save the model with its trained state (Ctrl+S)"))
        self.act_save_as = self._action(tr("Save As…"), self.save_as, QtGui.QKeySequence.StandardKey.SaveAs,
                                        tr("Save the model to a new file"))
        self.act_import = self._action(tr("Import CSV data…"), self.import_csv_dialog, None,
                                       tr("Train on the columns of a CSV file"))
        self.act_quit = self._action(tr("Quit"), self.close, QtGui.QKeySequence.StandardKey.Quit, tr("Quit nnviz"))
        self.act_compare = self._action(tr("Compare…"), self.compare, "Ctrl+K",
                                        tr("Fork the run into up to four lanes with other settings and train them "
                                        "side by side (Ctrl+K)"))
        self.act_walk = self._action(tr("Step through"), self.set_walk_mode, "Ctrl+T",
                                     tr("Follow one training step operation by operation, with every number "
                                     "(Ctrl+T); Right/Left arrows move, Home/End jump"), checkable=True)
        self.act_next = self._action(tr("Next operation"), lambda: self.stepper.next(), Qt.Key.Key_Right,
                                     tr("The next operation of the step (Right arrow)"))
        self.act_prev = self._action(tr("Previous operation"), lambda: self.stepper.previous(), Qt.Key.Key_Left,
                                     tr("The operation before (Left arrow)"))
        self.act_home = self._action(tr("First operation"), lambda: self.stepper.home(), Qt.Key.Key_Home,
                                     tr("Back to the first operation (Home)"))
        self.act_end = self._action(tr("Last operation"), lambda: self.stepper.end(), Qt.Key.Key_End,
                                    tr("The last operation: the update (End)"))
        for action in (self.act_next, self.act_prev, self.act_home, self.act_end):
            action.setEnabled(False)
        self.act_save_lesson = self._action(tr("Save as lesson…"), self.save_as_lesson_dialog, None,
                                            tr("Save the model as a lesson: the panels shown now, and the controls "
                                            "it hides or locks"))
        self.act_present = self._action(tr("Presentation mode"), self.set_presentation, Qt.Key.Key_F5,
                                        tr("Full screen, large text, the lesson's layout, driven from the keyboard: "
                                        "Page Down/Up or the arrows for Next/Back, Space to play, Esc to leave (F5)"),
                                        checkable=True)
        self.act_leave_presentation = self._action(tr("Leave presentation mode"), lambda: self.set_presentation(False),
                                                   Qt.Key.Key_Escape, tr("Back to the window as it was (Esc)"))
        self.act_lesson_next = self._action(tr("Next lesson step"), lambda: self.lesson_pane.next(),
                                            Qt.Key.Key_PageDown, tr("The lesson's next step (Page Down)"))
        self.act_lesson_back = self._action(tr("Previous lesson step"), lambda: self.lesson_pane.back(),
                                            Qt.Key.Key_PageUp, tr("The lesson's step before (Page Up)"))
        for action in (self.act_leave_presentation, self.act_lesson_next, self.act_lesson_back):
            action.setEnabled(False)
        for action in (self.act_step, self.act_reset, self.act_play):
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

    def _menu(self, title: str, parent: QtWidgets.QMenuBar | QtWidgets.QMenu) -> QtWidgets.QMenu:
        """A menu made and owned by the window, added to `parent`: PySide6 6.6 lets a menu made by
        addMenu(title) go while the window still shows it."""
        menu = QtWidgets.QMenu(title, self)
        parent.addMenu(menu)
        return menu

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self._menu(tr("&File"), bar)
        file_menu.addActions([self.act_new, self.act_open])
        self.recent_menu = self._menu(tr("Open Recent"), file_menu)
        file_menu.addActions([self.act_save, self.act_save_as, self.act_save_lesson])
        file_menu.addSeparator()
        file_menu.addAction(self.act_import)
        file_menu.addSeparator()
        e = self.exports
        file_menu.addActions([e.act_export, e.act_copy, e.act_report, e.act_record, e.act_code])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        train_menu = self._menu(tr("&Train"), bar)
        train_menu.addActions([self.act_play, self.act_step, self.act_epoch, self.act_reset])
        train_menu.addSeparator()
        train_menu.addAction(self.act_compare)
        train_menu.addSeparator()
        train_menu.addActions([self.act_walk, self.act_next, self.act_prev, self.act_home, self.act_end])
        self.examples_menu = self._menu(tr("E&xamples"), bar)
        self.example_actions = {}
        self.examples = {}  # key -> nnviz.core.examples.Example
        self.exercises_menu = None  # a submenu of the exercises
        kind = "lesson"
        for example in list_examples():
            menu = self.examples_menu
            if example.kind != kind:  # lessons, then the exercises' submenu, then the other examples
                kind = example.kind
                self.examples_menu.addSeparator()
            if example.kind == "exercise":
                if self.exercises_menu is None:
                    self.exercises_menu = self._menu(tr("Exercises"), self.examples_menu)
                    self.exercises_menu.setToolTipsVisible(True)
                menu = self.exercises_menu
            action = QtGui.QAction(self)
            menu.addAction(action)
            action.triggered.connect(lambda _=False, key=example.key: self.open_example(key))
            self.example_actions[example.key] = action
            self.examples[example.key] = example
        self._label_examples()
        self.examples_menu.setToolTipsVisible(True)
        self.view_menu = self._menu(tr("&View"), bar)
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.act_present, self.act_lesson_next, self.act_lesson_back])
        self.view_menu.addSeparator()
        self._build_language_menu()
        help_menu = self._menu(tr("&Help"), bar)
        help_menu.addAction(self._action(tr("Getting started"), lambda: self.welcome.show_again(),
                                         tip=tr("The welcome: where to start")))
        help_menu.addAction(self._action(tr("Manual"), self._on_manual_triggered,
                                         QtGui.QKeySequence.StandardKey.HelpContents,
                                         tr("The manual (the README), offline (F1)")))
        help_menu.addAction(self._action(tr("Keyboard shortcuts"), self._on_shortcuts_triggered,
                                         tip=tr("Every keyboard shortcut of the window")))
        help_menu.addAction(self._action(tr("Lessons…"), self._on_lessons_triggered,
                                         tip=tr("The lessons that ship with nnviz (also in the Examples menu)")))
        help_menu.addSeparator()
        help_menu.addAction(self._action(tr("About nnviz"), self._on_about_triggered,
                                         tip=tr("Version, licence, and the Qt and PySide6 nnviz runs on")))
        self._refresh_recent_menu()

    def _build_language_menu(self) -> None:
        """View › Language: each language by its own name (a reader of it finds it); the choice is
        remembered and applies at once (:meth:`set_language`)."""
        self.language_menu = self._menu(tr("Language"), self.view_menu)
        group = QtGui.QActionGroup(self)
        self.language_actions = {}
        for code, name in LANGUAGES.items():
            action = QtGui.QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == current_language())
            group.addAction(action)
            self.language_menu.addAction(action)
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.language_actions[code] = action

    def set_language(self, code: str) -> None:
        """Show the application in ``code`` now, and from the next start on. Every text the window made
        through ``tr`` is set again (:func:`nnviz.gui.i18n.set_language`); what is put together from
        numbers is drawn again here. The run, the model, the timeline and the docks are untouched."""
        code = install_language(code)
        self.settings.setValue(SETTINGS_KEY, code)
        self.language_actions[code].setChecked(True)
        self.lesson_pane.locale = code
        self.lesson_pane.show_name()
        self.lesson_pane._render()
        self._label_examples()
        if self.lesson in self.examples:  # the header line above the stepper
            example = self.examples[self.lesson]
            self.stepper.set_lesson(example.name_in(code), example.description_in(code))
        self._update_title()
        self._on_playing_changed(self.session.playing)
        self.controls.flush()  # a number typed but not entered is kept: the sidebar is drawn again
        self._show_state_again()
        shown = self.viewing or self._newest()
        if shown is not None:
            self._show(shown)
        if self.latest_walk is not None and self.act_walk.isChecked():
            self.stepper.show_walk(self.latest_walk)

    def _label_examples(self) -> None:
        """The Examples menu's names and descriptions in the window's language (the documents'
        ``translations``; English where a document has none)."""
        language = current_language()
        for key, action in self.example_actions.items():
            example = self.examples[key]
            action.setText(example.name_in(language))
            action.setToolTip(example.description_in(language))
            action.setStatusTip(example.description_in(language))

    def _keep_menu_shortcuts(self) -> None:
        """Give the window itself every action of its menus, and the lesson's and presentation's:
        their keys then work with the menu bar hidden (presentation mode hides it)."""
        def actions(menu_or_bar):
            for action in menu_or_bar.actions():
                if action.menu() is not None:
                    yield from actions(action.menu())
                elif not action.isSeparator():
                    yield action

        extra = (self.act_leave_presentation,)
        self.addActions(list(dict.fromkeys((*actions(self.menuBar()), *extra))))

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar(tr("Training"))
        toolbar.setObjectName("toolbar_training")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        self.act_play.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))
        self.act_step.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSkipForward))
        self.act_epoch.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekForward))
        self.act_reset.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_BrowserReload))
        toolbar.addActions([self.act_play, self.act_step, self.act_epoch, self.act_reset])
        toolbar.addSeparator()
        self.act_walk.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_ArrowRight))
        toolbar.addAction(self.act_walk)

    def _build_status_bar(self) -> None:
        self.status_label = QtWidgets.QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.status_label)
        self.steps_per_second = 0.0

    def _connect(self) -> None:
        s = self.session
        s.snapshot_ready.connect(self._on_snapshot_ready)
        s.state_changed.connect(self._on_state_changed)
        s.playing_changed.connect(self._on_playing_changed)
        s.diverged.connect(self._on_diverged)
        s.failed.connect(self._on_failed)
        s.noticed.connect(self._on_noticed)
        s.saved.connect(self._on_saved)
        s.rate_measured.connect(self._on_rate_measured)
        self.graph.selection_changed.connect(self.inspector.set_selection)
        self.inspector.parameter_edited.connect(self._on_parameter_edited)
        self.controls.data_changed.connect(self._on_data_changed)
        self.controls.layers_changed.connect(self._on_layers_changed)
        self.controls.training_changed.connect(self._on_training_changed)
        self.controls.speed_changed.connect(self._on_speed_changed)
        self.health.layer_clicked.connect(self._on_layer_clicked)
        s.walk_ready.connect(self._on_walk_ready)
        s.view_ready.connect(self._on_view_ready)
        s.forked.connect(self._on_forked)
        s.path_ready.connect(self.landscape.set_path)  # the path projected onto each landscape computed
        # the path up to the step shown (the present, or a past step while viewing)
        self.landscape.compute_button.clicked.connect(
            lambda: s.path(None if self.viewing is None else self.viewing.step))
        self.loss.view_requested.connect(self.view_step)
        self.loss.branch_requested.connect(self.branch_dialog)
        self.stepper.operation_changed.connect(self._on_operation_changed)
        self.stepper.commit_requested.connect(self._on_commit_requested)
        self.stepper.neurons_changed.connect(lambda on: self.session.walk(True, on))
        self.stepper.edit_requested.connect(self.apply_edit)
        self.graph.edit_requested.connect(self._on_graph_edit_requested)
        self.lesson_pane.step_changed.connect(self._apply_lesson_step)
        self.lesson_pane.solved.connect(self._on_exercise_solved)

    # -- session signals ------------------------------------------------------------------------
    @Slot(object)
    def _on_snapshot_ready(self, snapshot) -> None:
        self.exports.add_frame(snapshot)
        if self.lesson_pane.exercise is not None:
            self.lesson_pane.show_snapshot(snapshot)  # judged live, shown or not
        if self.viewing is None:  # a past step shown stays until the person leaves it
            self._show(snapshot, spread=True)  # the window's latest once every panel shown has drawn it
        else:
            self.latest, self._spreading = snapshot, None

    def _show(self, snapshot, spread: bool = False) -> None:
        """Every panel draws ``snapshot`` (one hidden behind a tab or closed draws it when shown);
        ``spread``: a frame of the session's, drawn panel by panel while they take no more than
        FRAME_TURN seconds, the rest at the next turns of the event loop (each has the snapshot at
        once: exporting one draws it first)."""
        for panel in self.panels:
            panel.keep_snapshot(snapshot)
        self._update_status(snapshot)
        if spread:
            self._frame_held = None  # a frame still drawing has given its place to this one
            self._spreading = snapshot
            self._draw_panels()
            return
        for panel in self.panels:
            panel.redraw()

    def _draw_panels(self) -> None:
        start = time.perf_counter()
        try:
            for panel in self.panels:
                if not (panel.stale and panel.on_screen()):
                    continue
                if time.perf_counter() - start > FRAME_TURN:
                    if self._frame_held is None:
                        self._frame_held = self.session.hold_frame()
                    # a timer, not a posted call: timers due (and the person's input) come first
                    QtCore.QTimer.singleShot(1, self._draw_panels)
                    return
                panel.redraw()
        except BaseException:  # a panel failed (its message is shown): the frame is over all the same
            self._frame_drawn()
            raise
        self._frame_drawn()

    def _newest(self):
        """The newest snapshot, drawn or still drawing."""
        return self._spreading if self._spreading is not None else self.latest

    def _frame_drawn(self) -> None:
        if self._spreading is not None:
            self.latest, self._spreading = self._spreading, None
        if self._frame_held is not None:
            frame, self._frame_held = self._frame_held, None
            self.session.release_frame(frame)

    # -- compare runs -----------------------------------------------------------------------------
    def compare(self) -> None:
        """Compare…: pause, take a copy of the run (as it was at the step shown, while viewing a past
        one), ask how the lanes differ (then :meth:`_on_forked`)."""
        step = None if self.viewing is None else self.viewing.step  # the lanes start from the step shown
        self._new_command()
        self.controls.flush()
        self.session.fork(step)

    @Slot(object)
    def _on_forked(self, base) -> None:
        if self._state is None:
            return
        dialog = CompareDialog(self._state["document"], self._state["data"].batch_size, self, self._state["rows"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.open_comparison(base, dialog.variants()))
        self.compare_dialog = dialog
        dialog.open()

    def open_comparison(self, base, variants: list[dict]) -> CompareWindow | None:
        """The window of lanes forked from ``base`` (an Experiment of this thread's own); None, with a
        one-line message, when a lane cannot take its settings."""
        try:
            window = CompareWindow(base, variants)
        except NnvizError as exc:
            self.show_message(tr("Compare runs"), one_line(exc), QtWidgets.QMessageBox.Icon.Warning)
            return None
        window.keep_requested.connect(self._keep_lane)
        self.compare_window = window
        window.show()
        return window

    @Slot(object)
    def _keep_lane(self, lane: dict) -> None:
        """Make a lane of a comparison the main run (``CompareWindow.keep_requested``'s dict): replayed
        from where it parted, so the history before stays and the run's own course from there is kept
        as a branch on the loss plot."""
        self.leave_view()
        self.session.keep(lane["step"], lane["start"], lane["changes"], lane["label"], lane["to_step"],
                          lane["document"])
        self._mark_trained()  # the training process says how it went (a notice in the status bar)

    # -- the timeline -----------------------------------------------------------------------------
    def view_step(self, step: int | None) -> None:
        """Show ``step`` of the run in every panel (training pauses), or the present (None)."""
        if step is None:
            self.leave_view()
            self.session.view(None)
            return
        self.session.view(step)

    @Slot(object)
    def _on_view_ready(self, snapshot) -> None:
        if snapshot is None:
            self.leave_view()
            return
        self.viewing = snapshot
        self._show(snapshot)

    def leave_view(self) -> None:
        """Show the present again (the newest snapshot), if a past step is shown."""
        if self.viewing is not None:
            self.viewing = None
            if self._newest() is not None:
                self._show(self._newest())

    def branch_dialog(self, step: int) -> BranchDialog | None:
        """Branch here…: ask what the new course changes, then go back to ``step`` and train on
        from there; returns the dialog (open, modal to the window)."""
        if self._state is None:
            return None
        dialog = BranchDialog(step, self._state["document"], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.branch(step, dialog.changes(), dialog.old_label()))
        dialog.open()
        return dialog

    def branch(self, step: int, changes: dict, label: str) -> None:
        """Go back to ``step`` and train on from there with ``changes``; the course left is ``label``."""
        self._new_command()
        self.session.branch(step, changes, label)
        self._mark_trained()

    def _update_status(self, snap) -> None:
        step = (tr("step {step}").format(step=snap.step) if snap.live_step is None
                else tr("viewing step {step} of {live}").format(step=snap.step, live=snap.live_step))
        parts = [tr("epoch {epoch}").format(epoch=f"{snap.epoch:.2f}"), step,
                 tr("train loss {loss}").format(loss=f"{snap.train_loss:.4g}")]
        if snap.test_loss is not None:
            parts.append(tr("test loss {loss}").format(loss=f"{snap.test_loss:.4g}"))
        accuracy = accuracy_text(snap)
        if accuracy:
            parts.append(accuracy)
        if self.session.playing and self.steps_per_second:
            parts.append(tr("{rate} steps/s").format(rate=f"{self.steps_per_second:,.0f}"))
        self.status_label.setText("   ".join(parts))

    @Slot(float)
    def _on_rate_measured(self, rate: float) -> None:
        self.steps_per_second = rate

    @Slot(object)
    def _on_state_changed(self, state: dict) -> None:
        self._state = state
        self.loss.set_timeline_start(state.get("timeline_start", 0))
        self.controls.set_state(state["document"], state["data"], state["input_names"], state["outputs"],
                                held_out=state["held_out"], rows=state["rows"], unsplit=state["unsplit"])
        if self.lesson_controls.active:  # the sidebar rebuilt rows and re-enabled widgets: again
            self.lesson_controls.apply()
        self.lesson_pane.set_state(state)

    @Slot(bool)
    def _on_playing_changed(self, playing: bool) -> None:
        self.act_play.setChecked(playing)
        self.act_play.setText(tr("Pause") if playing else tr("Play"))
        pixmap = (QtWidgets.QStyle.StandardPixmap.SP_MediaPause if playing
                  else QtWidgets.QStyle.StandardPixmap.SP_MediaPlay)
        self.act_play.setIcon(self.style().standardIcon(pixmap))

    @Slot(str)
    def _on_diverged(self, message: str) -> None:
        self.show_message(tr("Training diverged"), message, QtWidgets.QMessageBox.Icon.Warning)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.show_message("nnviz", message, QtWidgets.QMessageBox.Icon.Warning)

    @Slot(str)
    def _on_noticed(self, note: str) -> None:
        self.statusBar().showMessage(note, NOTE_MS)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.path = Path(path)
        self.lesson = None  # saved, the lesson is the user's own model
        self.setWindowModified(False)
        self._add_recent(path)
        self._update_title()
        self.statusBar().showMessage(tr("Saved {path}").format(path=path), 5000)

    def show_message(self, title: str, text: str, icon=QtWidgets.QMessageBox.Icon.Information) -> None:
        """A non-blocking message dialog (one at a time) and the status bar."""
        self.last_message = text
        self.statusBar().showMessage(text, 10000)
        if self._message_box is not None:
            self._message_box.close()
        box = QtWidgets.QMessageBox(icon, title, text, QtWidgets.QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _: setattr(self, "_message_box", None))
        self._message_box = box
        box.open()

    # -- user commands ----------------------------------------------------------------------------
    def _new_command(self) -> None:
        """A new command from the person: the notes and warnings about what came before are stale (the
        figures on the right stay), and a past step shown gives way to the present. Its own note, if
        any, follows."""
        self.statusBar().clearMessage()
        self.leave_view()

    def _on_play_triggered(self) -> None:
        self._new_command()
        if self.act_walk.isChecked():  # training moves on: the traced step would be stale
            self.set_walk_mode(False)
            self.statusBar().showMessage(tr("Step through is off while training plays (Ctrl+T turns it on again)"),
                                         6000)
        self.controls.flush()  # training goes on with what the controls show
        self.session.toggle()
        self.act_play.setChecked(self.session.playing)  # the worker's answer sets the real state
        self._mark_trained()

    def _on_step_triggered(self) -> None:
        self._new_command()
        self.controls.flush()
        self.session.step()
        self._mark_trained()

    def _on_epoch_triggered(self) -> None:
        self._new_command()
        self.controls.flush()
        self.session.step_epoch()
        self._mark_trained()

    def _on_reset_triggered(self) -> None:
        self._new_command()
        self.controls.flush()  # Reset applies what the controls show
        self.session.reset()
        self._mark_trained()

    def _mark_trained(self) -> None:
        """Training changed the weights: a model to save, but a lesson only stepped through or played
        is still the lesson (its edits mark it, as any model's)."""
        if self.lesson is None:
            self.setWindowModified(True)

    @Slot(str, object, float)
    def _on_parameter_edited(self, name: str, index, value: float) -> None:
        self._new_command()
        self.session.edit_parameter(name, tuple(index), value)
        self.setWindowModified(True)

    @Slot(object)
    def _on_data_changed(self, data: DataConfig) -> None:
        self._new_command()
        self.session.set_data(data)
        self.setWindowModified(True)

    @Slot(list)
    def _on_layers_changed(self, layers: list) -> None:
        self._new_command()
        self.graph.select(None)
        self.inspector.set_selection(None)
        self.session.set_layers(layers)
        self.setWindowModified(True)

    @Slot(dict)
    def _on_training_changed(self, changes: dict) -> None:
        self._new_command()
        self.session.set_training(**changes)
        self.setWindowModified(True)

    @Slot(int, str)
    def _on_layer_clicked(self, index: int, detail: str) -> None:
        """Open the detail panel a health-strip cell points to, on that layer."""
        key = detail if detail in ("activations", "gradients", "updates", "weights") else "activations"
        dock = self.docks[key]
        dock.show()
        dock.raise_()
        panel = getattr(self, key)
        panel.select_layer(index)

    @Slot(int)
    def _on_speed_changed(self, steps_per_second: int) -> None:
        self.settings.setValue("steps_per_second", steps_per_second)
        self.session.set_speed(steps_per_second)

    # -- step through ---------------------------------------------------------------------------
    def set_walk_mode(self, on: bool) -> None:
        """Step-through on: training pauses, the next step is traced, the arrows move through it."""
        on = bool(on)
        self.act_walk.setChecked(on)
        self.session.walk(on, self.stepper.neurons.isChecked())
        self.act_step.setShortcut(QtGui.QKeySequence() if on else QtGui.QKeySequence(Qt.Key.Key_Right))
        for action in (self.act_next, self.act_prev, self.act_home, self.act_end):
            action.setEnabled(on)
        # stepping through, the bottom docks span the whole width: the calculation needs room
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.setCorner(Qt.Corner.BottomLeftCorner, bottom if on else Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, bottom if on else Qt.DockWidgetArea.RightDockWidgetArea)
        dock, health, inspector = self.docks["stepper"], self.docks["health"], self.docks["inspector"]
        if on:
            if not dock.isVisible():  # the health strip and the inspector make room; they come back after
                self._health_was_visible = health.isVisible(), inspector.isVisible()
            health.hide()
            inspector.hide()
            dock.show()
            dock.raise_()
            # once the dock has its place in the new layout
            QtCore.QTimer.singleShot(0, lambda: self.resizeDocks([dock], [int(self.height() * 0.42)],
                                                                 Qt.Orientation.Vertical))
        else:
            dock.hide()
            health.setVisible(self._health_was_visible[0])
            inspector.setVisible(self._health_was_visible[1])
            self.latest_walk = None
            self.stepper.show_walk(None)
            self.graph.set_highlight()
        self._update_lesson_keys()

    @Slot(object)
    def _on_walk_ready(self, state) -> None:
        if not self.act_walk.isChecked():
            return
        self.latest_walk = state
        self.stepper.show_walk(state)
        self.gradcheck.show_checks(list(state.checks or ()), state.eps)
        if state.checks is None:
            self.gradcheck.summary.setText(tr_phrase(state.check_note))

    @Slot(object)
    def _on_operation_changed(self, calc) -> None:
        if calc is None:
            self.graph.set_highlight()
            return
        labels = []
        nodes = [r for r in calc.writes if r.kind == "node"]
        result = np.asarray(calc.result.result if calc.result.result is not None else [], dtype=float)
        values = result.reshape(-1) if result.ndim <= 1 else ()  # one number per written unit, or none
        hidden = self.stepper.calculation.hidden_result
        if nodes and len(values) == len(nodes) and len(nodes) <= 32:
            precision = self.stepper.calculation.precision
            labels = [(r.column, r.unit, "?" if hidden else format_value(v, precision)) for r, v in zip(nodes, values)]
        self.graph.set_highlight(calc.reads, calc.writes, PHASE_COLORS.get(calc.phase, "#2e7d32"), labels)

    def _on_commit_requested(self) -> None:
        self.session.walk_commit()
        self._mark_trained()

    @Slot(object, float)
    def apply_edit(self, edit: Edit, value: float) -> None:
        """Apply an edit from the step-through (a parameter, an input or a target of a training row);
        the worker recomputes the step and the stepper stays where it is."""
        if edit.kind == "param":
            self.session.edit_parameter(edit.name, tuple(edit.index), value)
        else:
            row, column = edit.index
            self.session.edit_sample(row, column, value, target=edit.kind == "target")
        self.setWindowModified(True)

    def _on_graph_edit_requested(self, selection) -> None:
        """Double-click on the graph: edit that weight or bias, or (stepping through) that input."""
        edit, value, title = None, None, ""
        param = selection.param
        if param is not None and self.latest is not None and param[0] in self.latest.params:
            name, index = param
            edit, value = Edit("param", name, tuple(index)), float(self.latest.params[name][index])
            n, unit = selection.column, selection.unit + 1
            title = (tr("Weight W{n}[{unit},{source}]: layer {n}, from unit {source} to unit {unit}")
                     if selection.kind == "edge" else tr("Bias b{n}[{unit}]: layer {n}, unit {unit}")
                     ).format(n=n, unit=unit, source=selection.source + 1)
        elif selection.kind == "input" and self.latest_walk is not None and self.stepper.sample is not None:
            walk, s = self.latest_walk.walkthrough, self.stepper.sample
            row = int(walk.rows[s])
            edit, value = Edit("input", index=(row, selection.unit)), float(walk.trace.x[s, selection.unit])
            title = tr("Input {unit} of training row {row}").format(unit=selection.unit + 1, row=row + 1)
        if edit is None:
            self.statusBar().showMessage(tr("Double-click a weight (edge), a bias (neuron) or, while stepping "
                                         "through, an input to change it."), 6000)
            return
        self.open_editor(title, value, edit)

    def open_editor(self, title: str, value: float, edit: Edit) -> InlineEditor:
        """The in-place editor for one number, at the pointer."""
        if self.editor is not None:
            self.editor.close()
        self.editor = editor = InlineEditor(title, value, self)
        editor.accepted.connect(lambda v: self.apply_edit(edit, v))
        editor.destroyed.connect(lambda: setattr(self, "editor", None) if self.editor is editor else None)
        editor.open_at(QtGui.QCursor.pos())
        return editor

    def open_example(self, key: str) -> bool:
        """Open a built-in lesson (Examples menu); lessons open in step-through mode."""
        if not self.confirm_discard():
            return False
        self._new_command()
        try:
            doc = load_example(key)
        except NnvizError as exc:
            self.show_message(tr("Cannot open example"), one_line(exc), QtWidgets.QMessageBox.Icon.Warning)
            return False
        self.session.load_document(doc)
        self.path = self.imported_from = None
        self.lesson = key
        self.model_name = document_text(doc, "name", current_language()) or key
        self.stepper.set_lesson(self.model_name, document_text(doc, "description", current_language()))
        self.setWindowModified(False)
        self._update_title()
        # lessons are for stepping through, circle and the exercises for watching, unless a lesson's
        # first step says
        lesson = read_lesson(doc)
        said = lesson.steps[0].step_through if lesson is not None else None
        self.set_walk_mode(said if said is not None else key != "circle" and "exercise" not in doc)
        self.open_teaching(doc)
        return True

    # -- lessons and exercises ----------------------------------------------------------------------
    def open_teaching(self, doc: dict | None) -> None:
        """Show the lesson and the exercise of the document just opened (``doc``), with the lesson's
        panels and its hidden and locked controls; or, for a document with neither, put the window
        back as it was before a lesson changed it. Names the window does not know (a file from
        another version) are said in one line, and the rest applies."""
        pane = self.lesson_pane
        was_restricted = self.lesson_controls.active
        if not pane.open(doc):
            if was_restricted:
                self.lesson_controls.clear()
                self._show_state_again()  # what the sidebar hides or disables by itself is so again
            self.docks["lesson"].hide()
            if self._before_lesson is not None:
                self._set_dock_visibility(self._before_lesson)
                self._before_lesson = None
            self._update_lesson_keys()
            return
        if self._before_lesson is None:
            self._before_lesson = self._dock_visibility()
        lesson = pane.lesson
        unknown = self.lesson_controls.set(lesson.hide if lesson else (), lesson.lock if lesson else ())
        if was_restricted:  # what the last lesson hid or locked, and this one does not, shows as it is
            self._show_state_again()
        panels = set()
        if lesson is not None:
            panels.update(lesson.panels or ())
            for step in lesson.steps:
                panels.update(step.panels or ())
        unknown_panels = sorted(name for name in panels if name not in self.docks and name != "graph")
        parts = []
        if unknown_panels:
            parts.append(tr("panels {names}").format(names=", ".join(map(repr, unknown_panels))))
        if unknown:
            parts.append(tr("controls {names}").format(names=", ".join(map(repr, unknown))))
        note = (tr("The lesson names {what} this version of nnviz does not have: left out").format(
            what=tr(" and ").join(parts)) if parts else "")
        pane.set_note(note)
        if note:
            self.statusBar().showMessage(note, NOTE_MS)
        dock = self.docks["lesson"]
        dock.show()
        dock.raise_()
        if lesson is not None:
            pane.show_step(0)  # its panels and step-through (_apply_lesson_step)
        self._size_lesson_dock()
        self._update_lesson_keys()

    def _size_lesson_dock(self) -> None:
        """Room for the lesson: some two fifths of its column's height, once the layout has its docks."""
        def size():
            dock = self.docks["lesson"]
            if dock.isVisible() and not dock.isFloating():
                self.resizeDocks([dock], [int(self.height() * 0.38)], Qt.Orientation.Vertical)

        QtCore.QTimer.singleShot(0, size)

    def _show_state_again(self) -> None:
        """Show the state in force in the sidebar again (after a lesson's restrictions are lifted)."""
        if self._state is not None:
            self._on_state_changed(self._state)

    @Slot(int)
    def _apply_lesson_step(self, index: int) -> None:
        """The lesson's step ``index`` is shown: its panels, and step-through on or off if it says."""
        lesson = self.lesson_pane.lesson
        if lesson is None:
            return
        panels = lesson.panels_at(index)
        if panels is not None:
            self._show_panels(panels)
        walk = lesson.steps[index].step_through
        if walk is not None and walk != self.act_walk.isChecked():
            self.set_walk_mode(walk)

    def _show_panels(self, names) -> None:
        """Show the docks ``names`` (and the lesson's pane), hide the others; step-through keeps its
        own. Of docks sharing tabs, the first named is brought to the front."""
        walking = self.act_walk.isChecked()
        for key, dock in self.docks.items():
            if key in WALK_DOCKS or key == "lesson":
                continue
            if walking and key in ("health", "inspector"):  # back when step-through ends
                continue
            dock.setVisible(key in names)
        if walking:
            self._health_was_visible = ("health" in names, "inspector" in names)
        for name in reversed(list(names)):
            if name in self.docks and name not in WALK_DOCKS:
                self.docks[name].raise_()

    def _dock_visibility(self) -> dict[str, bool]:
        """Which docks are shown (health and inspector as they will be once step-through ends)."""
        shown = {key: dock.isVisible() for key, dock in self.docks.items() if key not in WALK_DOCKS}
        if self.act_walk.isChecked():
            shown["health"], shown["inspector"] = self._health_was_visible
        return shown

    def _set_dock_visibility(self, shown: dict[str, bool]) -> None:
        walking = self.act_walk.isChecked()
        for key, visible in shown.items():
            if key not in self.docks:
                continue
            if walking and key in ("health", "inspector"):
                continue
            self.docks[key].setVisible(visible)
        if walking:
            self._health_was_visible = (shown.get("health", True), shown.get("inspector", True))

    @Slot(object)
    def _on_exercise_solved(self, verdict) -> None:
        self.statusBar().showMessage(tr("Exercise solved in {steps} steps").format(steps=f"{verdict.steps:,}"), NOTE_MS)
        dock = self.docks["lesson"]
        dock.show()
        dock.raise_()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: full screen, larger text, the lesson's layout (its panels, its hidden
        controls), Page Down/Up or the arrows for Next and Back, Space to play, Esc to leave; off, the
        window as it was."""
        on = bool(on)
        self.act_present.setChecked(on)
        if on == self.presenting:
            return
        self.presenting = on
        if on:
            self._before_presentation = (self._dock_visibility(), self.windowState(), QtGui.QFont(self.font()))
            font = QtGui.QFont(self.font())
            if font.pointSizeF() > 0:
                font.setPointSizeF(font.pointSizeF() * PRESENTATION_SCALE)
            else:
                font.setPixelSize(round(font.pixelSize() * PRESENTATION_SCALE))
            self.setFont(font)
            self.menuBar().hide()
            if self.lesson_pane.lesson is not None:
                self._apply_lesson_step(self.lesson_pane.index)
            if self.lesson_pane.document is not None:
                self.docks["lesson"].show()
            self.showFullScreen()
            self._size_lesson_dock()
        else:
            shown, state, font = self._before_presentation
            self.setFont(font)
            self.menuBar().show()
            self._set_dock_visibility(shown)
            self.setWindowState(state)
        self._update_lesson_keys()

    def _update_lesson_keys(self) -> None:
        """The keys of a lesson's Next and Back, and of Step: Page Down/Up for the lesson; in
        presentation mode the arrows too, unless step-through has them (they then move through the
        step's operations), and Step has none."""
        walking = self.act_walk.isChecked()
        steps = self.lesson_pane.step_count > 0
        forward, backward = [Qt.Key.Key_PageDown], [Qt.Key.Key_PageUp]
        if self.presenting and steps:
            forward.append(Qt.Key.Key_Down)
            backward.append(Qt.Key.Key_Up)
            if not walking:
                forward.append(Qt.Key.Key_Right)
                backward.append(Qt.Key.Key_Left)
        self.act_lesson_next.setShortcuts([QtGui.QKeySequence(k) for k in forward])
        self.act_lesson_back.setShortcuts([QtGui.QKeySequence(k) for k in backward])
        self.act_lesson_next.setEnabled(steps)
        self.act_lesson_back.setEnabled(steps)
        self.act_leave_presentation.setEnabled(self.presenting)
        arrows_taken = walking or (self.presenting and steps)
        self.act_step.setShortcut(QtGui.QKeySequence() if arrows_taken else QtGui.QKeySequence(Qt.Key.Key_Right))

    def save_as_lesson_dialog(self) -> LessonDialog | None:
        """File › Save as lesson…: which controls the lesson hides and locks, then where to save it."""
        if self._state is None:
            return None
        dialog = LessonDialog(self.lesson_controls.hidden_keys(), self.lesson_controls.locked_keys(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.save_as_lesson(dialog.hidden(), dialog.locked()))
        dialog.open()
        return dialog

    def save_as_lesson(self, hidden, locked, path=None) -> bool:
        """Save the model as a lesson to ``path`` (asked for when None): its own lesson's steps (or one
        made of its name and description), the panels shown now, the controls ``hidden`` and ``locked``
        (keys of :data:`nnviz.core.lessons.CONTROLS`); the window then follows the lesson."""
        if self._state is None:
            return False
        if path is None:
            start = str(self.path or Path(self.settings.value("last_dir", str(Path.home()))) / "lesson.nnviz.json")
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save as lesson"), start, tr(FILE_FILTER))
            if not path:
                return False
            if not path.lower().endswith(".json"):
                path += ".json"
        shown = self._dock_visibility()
        panels = [key for key, visible in shown.items() if visible and key != "lesson"]
        document = copy.deepcopy(self._state["document"])
        try:
            section = lesson_section(document, panels, hidden, locked)
        except NnvizError as exc:
            self.show_message(tr("Cannot save as lesson"), one_line(exc), QtWidgets.QMessageBox.Icon.Warning)
            return False
        self.save_to_with(path, {"lesson": section})
        document["lesson"] = section
        self.lesson_pane.lesson = read_lesson(document)
        self.lesson_pane.document = document
        self.lesson_pane.steps_box.setVisible(True)
        self.lesson_controls.set(hidden, locked)
        self._show_state_again()
        self.docks["lesson"].show()
        self.lesson_pane.show_step(self.lesson_pane.index)
        self._update_lesson_keys()
        return True

    def save_to_with(self, path, teaching: dict) -> None:
        """Save through the worker with these teaching sections (see :meth:`save_to`)."""
        self.session.save(str(path), teaching)

    def data_name(self) -> str:
        """The name of the data set being trained on."""
        if self._state is None:
            return ""
        data = self._state["data"]
        return data.imported.name if data.imported is not None else data.dataset

    # -- files ------------------------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """Ask before losing unsaved changes; True to go on."""
        if not self.isWindowModified():
            return True
        answer = QtWidgets.QMessageBox.question(
            self, tr("Unsaved changes"), tr("The model has unsaved changes. Save them first?"),
            QtWidgets.QMessageBox.StandardButton.Save | QtWidgets.QMessageBox.StandardButton.Discard
            | QtWidgets.QMessageBox.StandardButton.Cancel)
        if answer == QtWidgets.QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QtWidgets.QMessageBox.StandardButton.Discard

    def new_model(self) -> None:
        if not self.confirm_discard():
            return
        from nnviz.core.experiment import default_document

        self._new_command()
        self.session.set_data(DataConfig())
        self.session.load_document(default_document())
        self.stepper.set_lesson("", "")
        self.path = self.imported_from = None
        self.lesson = None
        self.model_name = "Circle"
        self.setWindowModified(False)
        self._update_title()
        self.open_teaching(None)

    def open_dialog(self) -> None:
        if not self.confirm_discard():
            return
        start = self.settings.value("last_dir", str(Path.home()))
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, tr("Open model"), start, tr(OPEN_FILTER))
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        """Open a model document, with the CSV file its data entry names (relative to it); a bad
        file, a CSV file that cannot be read or a trained model that does not fit the data shows a
        message and changes nothing. A PyTorch ``.safetensors`` file opens as the nnviz model it
        imports to (what the import had to assume is said in a message); Save then asks where to
        save it as an nnviz model, never over the weights."""
        self._new_command()
        folder = Path(path).parent
        notes: list[str] = []
        try:
            doc = read_document(path, notes)
            self._check_opens(doc, folder)  # here, so that a refused file never reaches the worker
        except Exception as exc:  # noqa: BLE001 - whatever it is, the file does not open: say so in one line
            if not isinstance(exc, NnvizError):
                traceback.print_exc()  # a fault of nnviz's own: keep the details for a report
            text = one_line(exc)
            if Path(path).name not in text:
                text = f"{Path(path).name}: {text}"
            self.show_message(tr("Cannot open model"), text, QtWidgets.QMessageBox.Icon.Warning)
            return False
        self.session.load_document(doc, folder)
        self.stepper.set_lesson("", "")
        imported = Path(path).suffix.lower() == ".safetensors"
        self.path = None if imported else Path(path)
        self.imported_from = Path(path) if imported else None
        self.lesson = None
        self.model_name = doc.get("name") or Path(path).stem
        self.settings.setValue("last_dir", str(Path(path).parent))
        self._add_recent(str(path))
        self.setWindowModified(False)
        self._update_title()
        self.open_teaching(doc)
        if notes:
            self.show_message(tr("Imported from PyTorch"), " ".join(notes))
        return True

    def _check_opens(self, doc: dict, folder: Path) -> None:
        """Raise what opening ``doc`` would raise on the data in force (as the worker would open it)."""
        data = self._state["data"] if self._state is not None else None
        experiment = Experiment(data=data)
        experiment.load_document(copy.deepcopy(doc), folder)
        experiment.snapshot()  # everything the window shows of it can be built (float32, a deep net...)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        self.save_to(self.path)
        return True

    def save_as(self) -> bool:
        if self.path is None and self.imported_from is not None:  # beside the weights, named after them
            start = str(self.imported_from.with_name(f"{self.model_name}.nnviz.json"))
        else:
            start = str(self.path or Path(self.settings.value("last_dir", str(Path.home()))) / "model.json")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save model"), start, tr(FILE_FILTER))
        if not path:
            return False
        if not path.lower().endswith((".json",)):
            path += ".json"
        self.save_to(path)
        return True

    def save_to(self, path) -> None:
        """Save through the worker (between steps, atomically); ``saved`` or ``failed`` follows."""
        self.session.save(str(path))

    def import_csv_dialog(self) -> None:
        start = self.settings.value("last_dir", str(Path.home()))
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, tr("Import CSV data"), start,
                                                        tr("CSV files (*.csv *.txt);;All files (*)"))
        if path:
            self.import_csv_path(path)

    def import_csv_path(self, path) -> None:
        self._new_command()
        dataset = import_csv(self, path)
        if dataset is not None:
            current = self._state["data"] if self._state else DataConfig()
            self.session.set_data(replace(current, imported=dataset, dataset=dataset.name))
            self.setWindowModified(True)

    # -- recent files and settings ----------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", files[:MAX_RECENT])
        self._refresh_recent_menu()

    def _refresh_recent_menu(self) -> None:
        if not shiboken6.isValid(self.recent_menu):  # a Save answered after the window was torn down
            return
        self.recent_menu.clear()
        files = self.recent_files()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.confirm_discard() and self.open_path(p))
        self.recent_menu.setEnabled(bool(files))

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    def _update_title(self) -> None:
        name = self.path.name if self.path else self.model_name
        if self.path is None and self.imported_from is not None:
            name = f"{name} (from {self.imported_from.name})"
        self.setWindowTitle(tr("{name}[*] — nnviz").format(name=name))
        if self.path:
            self.setWindowFilePath(str(self.path))

    # -- Help menu: one window of each kind, brought to the front if already open -------------------
    def _show_help(self, name: str, make) -> QtWidgets.QDialog:
        dialog = self.help_dialogs.get(name)
        if dialog is None:
            dialog = self.help_dialogs[name] = make()
            dialog.destroyed.connect(lambda: self.help_dialogs.pop(name, None))
            dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_manual_triggered(self) -> None:
        self._show_help("manual", lambda: help_windows.manual_dialog(self))

    def _on_shortcuts_triggered(self) -> None:
        self._show_help("shortcuts", lambda: help_windows.shortcuts_dialog(self))

    def _on_lessons_triggered(self) -> None:
        self._show_help("lessons", lambda: help_windows.lessons_dialog(
            self, list(self.examples.values()), lambda key: self.example_actions[key].trigger()))

    def _on_about_triggered(self) -> None:
        self._show_help("about", lambda: help_windows.about_dialog(self))

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # Qt override
        if not self.confirm_discard():
            event.ignore()
            return
        self.set_presentation(False)  # the layout saved is the window's own, not the lesson's full screen
        self._save_settings()
        self.exports.stop_recording()
        comparison = self.compare_window
        if comparison is not None and shiboken6.isValid(comparison):
            comparison.close()  # its lanes' training processes end with the app's window
        self.session.shutdown()
        QtWidgets.QApplication.instance().removeEventFilter(self.typing_guard)
        event.accept()
