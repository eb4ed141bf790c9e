"""The sidebar's controls a lesson hides or locks (``lesson.hide``, ``lesson.lock``).

Each stable key of :data:`nnviz.core.lessons.CONTROLS` names some of the sidebar's widgets
(:func:`control_widgets`); a lesson may also name a control by the label the window shows it under
("Learning rate") or by any control's accessible name ("Layer 2 activation"). A hidden control's whole
form row goes (its label too) when every control of the row is hidden; a locked one is disabled.

The sidebar rebuilds and re-enables widgets when it shows a new state (layer rows, an optimizer's
options), so :meth:`LessonControls.apply` runs again after every state it shows; :meth:`clear` gives
everything back (the window then shows its state again, so that what the sidebar hides or disables by
itself is so again).
"""

from __future__ import annotations

from PySide6 import QtWidgets

from nnviz.core.lessons import CONTROLS
from nnviz.gui.accessibility import CONTROL_TYPES, controls_in, visible_text
from nnviz.gui.controls.architecture import ENGLISH_NAME
from nnviz.gui.i18n import tr


def control_widgets(panel) -> dict[str, list[QtWidgets.QWidget]]:
    """Every key of :data:`CONTROLS` -> the widgets it locks in ``panel`` (a ControlsPanel), as the
    sidebar is now (its layer rows, its optimizer's and schedule's option fields)."""
    d, a, t = panel.data_section, panel.architecture_section, panel.training_section
    rows = a.layer_rows
    return {
        "dataset": [d.dataset_combo],
        "noise": [d.noise_slider, d.noise_spin],
        "test_split": [d.test_slider, d.test_spin],
        "batch_size": [d.batch_spin, d.full_batch_check],
        "features": list(d.feature_checks.values()),
        "regenerate": [d.regenerate_button],
        "import_csv": [d.import_button],
        "layers": [w for r in rows for w in (r.type_combo, r.units_spin, r.activation_combo, r.p_spin,
                                             r.remove_button)] + [a.add_layer_button],
        "add_layer": [a.add_layer_button],
        "units": [r.units_spin for r in rows],
        "activations": [r.activation_combo for r in rows],
        "output_activation": [a.output_activation_combo],
        "init": [a.init_combo],
        "loss": [t.loss_combo],
        "optimizer": [t.optimizer_combo, *_controls(t.optimizer_fields.values())],
        "learning_rate": [t.lr_combo],
        "schedule": [t.schedule_combo, *_controls(t.schedule_fields.values())],
        "warmup": [t.warmup_spin],
        "l1": [t.l1_combo],
        "l2": [t.l2_combo],
        "clip": [t.clip_check, t.clip_edit],
        "seed": [t.seed_spin],
        "speed": [t.speed_combo],
    }


def _controls(widgets) -> list[QtWidgets.QWidget]:
    return [c for w in widgets for c in controls_in(w)]


def _hide_targets(panel, key: str, widgets: list[QtWidgets.QWidget]) -> list[QtWidgets.QWidget]:
    """What hiding ``key`` hides: its widgets, except where a row of the layer list keeps a slot for
    them (the units or the activation of every hidden layer go with their slot)."""
    rows = panel.architecture_section.layer_rows
    if key == "units":
        return [r.units_stack for r in rows]
    if key == "activations":
        return [r.act_stack for r in rows]
    return widgets


def _form_row(widget: QtWidgets.QWidget):
    """(form, field widget) of the form row ``widget`` is in (the nearest), or (None, None)."""
    child = widget
    while child is not None:
        parent = child.parentWidget()
        if parent is not None and isinstance(parent.layout(), QtWidgets.QFormLayout):
            row, _ = parent.layout().getWidgetPosition(child)
            if row >= 0:
                return parent.layout(), child
        child = parent
    return None, None


class LessonControls:
    """Hides and locks the controls a lesson names in one :class:`~nnviz.gui.controls.ControlsPanel`."""

    def __init__(self, panel):
        self.panel = panel
        self.hide: tuple[str, ...] = ()
        self.lock: tuple[str, ...] = ()
        self._hidden_rows: list[tuple[QtWidgets.QFormLayout, QtWidgets.QWidget]] = []
        self._hidden: list[QtWidgets.QWidget] = []
        self._locked: list[QtWidgets.QWidget] = []

    def set(self, hide=(), lock=()) -> list[str]:
        """Hide the controls named in ``hide`` and lock those in ``lock`` (keys, labels or accessible
        names), giving back what was hidden or locked before; returns the names it does not know."""
        self.hide, self.lock = tuple(hide), tuple(lock)
        self.apply()
        return [name for name in dict.fromkeys((*self.hide, *self.lock))
                if self.key_of(name) is None and not self._named(name)]

    def clear(self) -> None:
        """Hide and lock nothing."""
        self.set((), ())

    @property
    def active(self) -> bool:
        return bool(self.hide or self.lock)

    # -- resolving names ---------------------------------------------------------------------------
    def _resolve(self, name: str) -> list[QtWidgets.QWidget]:
        """The widgets ``name`` locks: a key's, a label's, or the controls of that accessible name."""
        key = self.key_of(name)
        if key is not None:
            return control_widgets(self.panel)[key]
        return self._named(name)

    def _named(self, name: str) -> list[QtWidgets.QWidget]:
        """The sidebar's controls whose accessible name is ``name`` (any case), in the window's language
        or in English ("Layer 2 activation" names the same control whatever the language)."""
        wanted = {visible_text(name).casefold(), visible_text(tr(name)).casefold()}
        return [w for w in self.panel.findChildren(QtWidgets.QWidget)
                if isinstance(w, CONTROL_TYPES) and (w.accessibleName().casefold() in wanted
                                                     or str(w.property(ENGLISH_NAME) or "").casefold() in wanted)]

    @staticmethod
    def key_of(name: str) -> str | None:
        """The key of :data:`CONTROLS` that ``name`` is, or whose label it is (any case; in English or in
        the application's language); else None."""
        if name in CONTROLS:
            return name
        wanted = visible_text(name).casefold()
        return next((key for key, label in CONTROLS.items()
                     if wanted in (visible_text(label).casefold(), visible_text(tr(label)).casefold())), None)

    def hidden_keys(self) -> list[str]:
        """The keys of :data:`CONTROLS` hidden now (named by key or label)."""
        return [k for k in (self.key_of(n) for n in self.hide) if k is not None]

    def locked_keys(self) -> list[str]:
        """The keys of :data:`CONTROLS` locked now (named by key or label)."""
        return [k for k in (self.key_of(n) for n in self.lock) if k is not None]

    # -- applying ----------------------------------------------------------------------------------
    def apply(self) -> None:
        """Hide and lock what the lesson names, in the sidebar as it is now (again after the sidebar
        rebuilt rows or re-enabled widgets)."""
        self._undo()
        lock = [w for name in self.lock for w in self._resolve(name)]
        for widget in lock:
            widget.setEnabled(False)
        self._locked = lock
        hide: list[QtWidgets.QWidget] = []
        for name in self.hide:
            key = self.key_of(name)
            found = self._resolve(name)
            hide += _hide_targets(self.panel, key, found) if key is not None else found
        hidden_controls = {id(c) for w in hide for c in controls_in(w)}
        rows_done = set()
        for widget in hide:
            form, field = _form_row(widget)
            whole_row = field is not None and all(id(c) in hidden_controls for c in controls_in(field))
            if whole_row:
                if id(field) not in rows_done:
                    rows_done.add(id(field))
                    form.setRowVisible(field, False)
                    self._hidden_rows.append((form, field))
            else:
                widget.hide()
                self._hidden.append(widget)

    def _undo(self) -> None:
        for form, field in self._hidden_rows:
            try:
                form.setRowVisible(field, True)
            except RuntimeError:  # the row's widget was deleted (a layer row rebuilt)
                pass
        for widget in self._hidden:
            try:
                widget.show()
            except RuntimeError:
                pass
        for widget in self._locked:
            try:
                widget.setEnabled(True)
            except RuntimeError:
                pass
        self._hidden_rows, self._hidden, self._locked = [], [], []

    def is_hidden(self, key: str) -> bool:
        """Whether every widget of ``key`` is out of sight now (hidden, or in a hidden row)."""
        widgets = control_widgets(self.panel)[key]
        return bool(widgets) and all(w.isHidden() or not w.isVisibleTo(self.panel) for w in widgets)

    def is_locked(self, key: str) -> bool:
        """Whether every widget of ``key`` is disabled now."""
        widgets = control_widgets(self.panel)[key]
        return bool(widgets) and all(not w.isEnabled() for w in widgets)
