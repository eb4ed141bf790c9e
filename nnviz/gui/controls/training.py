"""The Training section: loss, optimizer and its options, learning rate, schedule and warm-up,
regularisation, gradient clipping, seed, and the speed of training."""

from __future__ import annotations

import copy

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal

from nnviz.core.errors import ModelError
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.schedules import SCHEDULES
from nnviz.gui.accessibility import name_controls
from nnviz.gui.controls.widgets import (
    NumberCombo,
    NumberEdit,
    Section,
    combo_box,
    select,
    side_by_side,
    spin_box,
    split_spec,
    tooltips,
    with_tip,
)
from nnviz.gui.i18n import tr

#: TensorFlow Playground's learning rates and regularisation rates
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: optimizer steps per second; 0 means as many as the machine can take
SPEEDS = (1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 0)
#: the labels of the optimizers' and schedules' options that are words (the key with spaces), marked for
#: translation; the others (betas, eps, amsgrad, nesterov, …) are names and stay as they are
OPTION_LABELS = (
    QT_TRANSLATE_NOOP("", "momentum"), QT_TRANSLATE_NOOP("", "dampening"), QT_TRANSLATE_NOOP("", "weight decay"),
    QT_TRANSLATE_NOOP("", "centered"), QT_TRANSLATE_NOOP("", "lr decay"),
    QT_TRANSLATE_NOOP("", "initial accumulator value"), QT_TRANSLATE_NOOP("", "step size"),
    QT_TRANSLATE_NOOP("", "eta min"), QT_TRANSLATE_NOOP("", "t max"),
)


def speed_text(steps: int) -> str:
    """A speed as the speed combos show it: "1,000", or "max" (0, as fast as the machine can)."""
    return tr("max") if steps == 0 else f"{steps:,}"


def _clear_form(form: QtWidgets.QFormLayout) -> None:
    """Empty a form. Its widgets are hidden at once but deleted later: one of them may be sending the
    signal being handled (an option whose edit is refused, and the form shown again)."""
    while form.rowCount():
        row = form.takeRow(0)
        for widget in (item.widget() for item in (row.labelItem, row.fieldItem) if item is not None):
            if widget is not None:
                widget.hide()
                widget.deleteLater()


def _options_form() -> tuple[QtWidgets.QWidget, QtWidgets.QFormLayout]:
    """An indented form for the options of the kind chosen above it (an optimizer's, a schedule's)."""
    box = QtWidgets.QWidget()
    form = QtWidgets.QFormLayout(box)
    form.setContentsMargins(12, 0, 0, 2)
    form.setVerticalSpacing(3)
    return box, form


def _show_option_value(widget, value) -> None:
    """Show ``value`` in an option widget without a signal (the inverse of :func:`_option_value`)."""
    with QtCore.QSignalBlocker(widget):
        if isinstance(widget, QtWidgets.QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QtWidgets.QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QtWidgets.QComboBox):
            select(widget, value)
        elif hasattr(widget, "edits"):
            for edit, v in zip(widget.edits, value):
                edit.set_value(float(v))
        else:
            widget.set_value(value)


def _option_value(widget):
    """The value an option widget shows (see :meth:`TrainingSection._option_widget`)."""
    if isinstance(widget, QtWidgets.QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QtWidgets.QSpinBox):
        return widget.value()
    if isinstance(widget, QtWidgets.QComboBox):
        return widget.currentData()
    if hasattr(widget, "edits"):
        return [edit.value() for edit in widget.edits]
    return widget.value()


class TrainingSection(Section):
    """Loss, optimizer and learning-rate settings. ``training_changed(dict)``: only the settings that
    changed, as ``Experiment.set_training(**changes)`` takes them; ``speed_changed(int)``: optimizer
    steps per second, 0 for as fast as possible."""

    training_changed = Signal(dict)
    speed_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(tr("Training"), tr("Loss, optimizer and learning-rate settings"), parent)
        self._loss_spec = "bce"
        self._optimizer_spec: str | dict = {"name": "sgd", "lr": 0.03}  # the optimizer in force
        self.optimizer_fields: dict[str, QtWidgets.QWidget] = {}
        self.schedule_fields: dict[str, QtWidgets.QWidget] = {}
        self._optimizer_form_of = self._schedule_form_of = None  # whose options the forms show
        form = self.form
        self.loss_combo = combo_box(list(LOSSES), tooltips(LOSSES), tr("The loss the optimizer minimises"))
        self.loss_combo.currentIndexChanged.connect(lambda _: self._request("loss"))
        form.addRow(tr("Loss"), self.loss_combo)

        self.optimizer_combo = combo_box(list(OPTIMIZERS), tooltips(OPTIMIZERS),
                                         tr("The optimizer (PyTorch semantics and defaults)"))
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer_changed)
        form.addRow(tr("Optimizer"), self.optimizer_combo)
        self.optimizer_box, self.optimizer_form = _options_form()
        form.addRow(self.optimizer_box)

        self.lr_combo = NumberCombo("lr", tr("learning rate"), LEARNING_RATES, 0.03,
                                    tr("Learning rate: the size of each step (any number > 0; press Enter)"))
        self.lr_combo.committed.connect(lambda _: self._request("lr"))
        self.lr_combo.refused.connect(self._on_refused)
        form.addRow(tr("Learning rate"), self.lr_combo)

        self.schedule_combo = combo_box(list(SCHEDULES), tooltips(SCHEDULES),
                                        tr("How the learning rate changes over steps"))
        self.schedule_combo.currentIndexChanged.connect(self._on_schedule_changed)
        form.addRow(tr("Schedule"), self.schedule_combo)
        self.schedule_box, self.schedule_form = _options_form()
        form.addRow(self.schedule_box)
        self.warmup_spin = spin_box(0, 1_000_000, 0, tr("Warm-up: the learning rate rises linearly from lr/W to "
                                                        "lr over the first W steps (0 = none)"))
        self.warmup_spin.valueChanged.connect(lambda _: self._request("schedule", debounce=True))
        form.addRow(tr("Warm-up steps"), self.warmup_spin)

        self.l1_combo = NumberCombo("nonneg", tr("L1 rate"), REGULARIZATION_RATES, 0.0,
                                    tr("L1 regularisation rate: adds rate × Σ|w| to the loss (pushes weights to 0)"))
        self.l2_combo = NumberCombo("nonneg", tr("L2 rate"), REGULARIZATION_RATES, 0.0,
                                    tr("L2 regularisation rate: adds rate × Σw² / 2 to the loss (keeps weights small)"))
        for combo in (self.l1_combo, self.l2_combo):
            combo.committed.connect(lambda _: self._request("regularization"))
            combo.refused.connect(self._on_refused)
        form.addRow(tr("L1 rate"), self.l1_combo)
        form.addRow(tr("L2 rate"), self.l2_combo)

        self.clip_check = QtWidgets.QCheckBox(tr("max norm"))
        with_tip(self.clip_check, tr("Clip gradients: scale the whole gradient down when its norm exceeds the maximum"))
        self.clip_edit = NumberEdit("posnumber", "clip_grad_norm", 1.0,
                                    tr("Largest gradient norm allowed when clipping (> 0)"))
        self.clip_edit.setEnabled(False)
        self.clip_check.toggled.connect(self._on_clip_toggled)
        self.clip_edit.committed.connect(lambda _: self._request("clip_grad_norm"))
        self.clip_edit.refused.connect(self._on_refused)
        form.addRow(tr("Clip gradient"), side_by_side(self.clip_check, self.clip_edit))

        self.seed_spin = spin_box(0, 2**31 - 1, 0, tr("Seed of the initial weights and of the batch shuffling"))
        self.seed_spin.valueChanged.connect(lambda _: self._request("seed", debounce=True))
        self.seed_spin.editingFinished.connect(self.flush)  # Enter: the new seed applies at once
        form.addRow(tr("Seed"), self.seed_spin)

        self.speed_combo = combo_box([speed_text(s) for s in SPEEDS], None,
                                     tr("Optimizer steps per second, whatever the frame rate; 'max' trains as "
                                        "fast as the machine can"))
        for i, steps in enumerate(SPEEDS):
            self.speed_combo.setItemData(i, steps)
        self.speed_combo.currentIndexChanged.connect(self._on_speed_changed)
        form.addRow(tr("Steps / second"), self.speed_combo)

        self._show_optimizer_options(self.optimizer_combo.currentData(), {})
        self._show_schedule_options(self.schedule_combo.currentData(), {})

    # -- option forms ----------------------------------------------------------------------------------
    def _option_widget(self, owner, key: str, kind: str, value, on_commit, on_debounced):
        """A widget for one option of a given kind of ``owner`` (an optimizer or schedule class); returns
        it (changes go to the callbacks)."""
        tip = tr(owner.OPTION_TIPS.get(key, key))
        where = f"{owner.name}.{key}"
        if kind == "bool":
            widget = QtWidgets.QCheckBox()
            widget.setChecked(bool(value))
            widget.toggled.connect(lambda _: on_commit())
            return with_tip(widget, tip)
        if kind in ("posint", "nonnegint"):
            widget = spin_box(1 if kind == "posint" else 0, 10_000_000, int(value), tip)
            widget.setFixedWidth(90)
            widget.valueChanged.connect(lambda _: on_debounced())
            return widget
        if kind == "betas":
            edits = [NumberEdit("beta", f"{where}[{i}]", float(v), tip) for i, v in enumerate(value)]
            for edit in edits:
                edit.setMaximumWidth(70)
                edit.committed.connect(lambda _: on_commit())
                edit.refused.connect(self._on_refused)
            box = side_by_side(*edits)
            box.edits = edits
            return with_tip(box, tip)
        if kind.startswith("choice:"):
            widget = combo_box(kind[len("choice:"):].split(","), None, tip)
            select(widget, value)
            widget.currentIndexChanged.connect(lambda _: on_commit())
            return widget
        widget = NumberEdit(kind, where, value, tip)
        widget.committed.connect(lambda _: on_commit())
        widget.refused.connect(self._on_refused)
        return widget

    def _show_optimizer_options(self, name: str, given: dict) -> None:
        options = {key: (kind, given.get(key, default)) for key, (kind, default) in OPTIMIZERS[name].OPTIONS.items()
                   if key != "lr"}  # the rate has its combo
        options = {key: (kind, list(value) if kind == "betas" else value) for key, (kind, value) in options.items()}
        if self._fill_form(self.optimizer_fields, self._optimizer_form_of == name, options):
            return
        self._optimizer_form_of = name
        _clear_form(self.optimizer_form)
        self.optimizer_fields = {}
        for key, (kind, value) in options.items():
            widget = self._option_widget(OPTIMIZERS[name], key, kind, value,
                                         lambda: self._request("optimizer"),
                                         lambda: self._request("optimizer", debounce=True))
            self.optimizer_fields[key] = widget
            self.optimizer_form.addRow(tr(key.replace("_", " ")), widget)
        self.optimizer_box.setVisible(bool(self.optimizer_fields))
        name_controls(self.optimizer_box)

    def _show_schedule_options(self, name: str, given: dict) -> None:
        schedule = SCHEDULES[name]
        options = {key: (kind, given.get(key, default if default is not None else schedule.SUGGESTED.get(key, 1)))
                   for key, (kind, default) in schedule.OPTIONS.items()}
        if self._fill_form(self.schedule_fields, self._schedule_form_of == name, options):
            return
        self._schedule_form_of = name
        _clear_form(self.schedule_form)
        self.schedule_fields = {}
        for key, (kind, value) in options.items():
            widget = self._option_widget(schedule, key, kind, value,
                                         lambda: self._request("schedule"),
                                         lambda: self._request("schedule", debounce=True))
            self.schedule_fields[key] = widget
            self.schedule_form.addRow(tr(key.replace("_", " ")), widget)
        self.schedule_box.setVisible(bool(self.schedule_fields))
        name_controls(self.schedule_box)

    @staticmethod
    def _fill_form(fields: dict, same_kind: bool, options: dict) -> bool:
        """Show ``options`` ({key: (kind, value)}) in the fields there are, if they are the same kind's
        (building a form takes ~10 ms); False when a new form is needed."""
        if not same_kind:
            return False
        for key, widget in fields.items():
            _show_option_value(widget, options[key][1])
        return True

    # -- state in and out --------------------------------------------------------------------------
    def set_state(self, document: dict) -> None:
        """Show a model document's training settings; emits nothing and drops pending changes."""
        with self._filling():
            self._loss_spec = document.get("loss", "mse")
            select(self.loss_combo, split_spec(self._loss_spec)[0])
            self._optimizer_spec = copy.deepcopy(document.get("optimizer", "sgd"))
            self._show_optimizer(self._optimizer_spec)
            name, options = split_spec(document.get("schedule", "constant"))
            select(self.schedule_combo, name)
            self.warmup_spin.setValue(int(options.pop("warmup", 0)))
            self._show_schedule_options(name, options)
            reg = document.get("regularization", {})
            self.l1_combo.set_value(float(reg.get("l1", 0.0)))
            self.l2_combo.set_value(float(reg.get("l2", 0.0)))
            clip = document.get("clip_grad_norm")
            self.clip_check.setChecked(clip is not None)
            self.clip_edit.setEnabled(clip is not None)
            if clip is not None:
                self.clip_edit.set_value(float(clip))
            self.seed_spin.setValue(int(document.get("seed", 0)))

    def _show_optimizer(self, spec: str | dict) -> None:
        """Show an optimizer spec: its kind, its options (defaults for those it omits), its rate."""
        name, options = split_spec(spec)
        options = {**{k: d for k, (_, d) in OPTIMIZERS[name].OPTIONS.items()}, **options}
        select(self.optimizer_combo, name)
        self._show_optimizer_options(name, options)
        self.lr_combo.set_value(float(options["lr"]))

    def set_speed(self, steps: int) -> None:
        """Show a speed (steps per second, 0 = max) without emitting."""
        with QtCore.QSignalBlocker(self.speed_combo):
            select(self.speed_combo, int(steps))

    def _training_value(self, key: str):
        if key == "lr":
            return self.lr_combo.value()
        if key == "loss":
            name = self.loss_combo.currentData()
            return copy.deepcopy(self._loss_spec) if split_spec(self._loss_spec)[0] == name else name
        if key == "optimizer":
            options = {k: _option_value(w) for k, w in self.optimizer_fields.items()}
            return {"name": self.optimizer_combo.currentData(), "lr": self.lr_combo.value(), **options}
        if key == "regularization":
            return {"l1": self.l1_combo.value(), "l2": self.l2_combo.value()}
        if key == "clip_grad_norm":
            return self.clip_edit.value() if self.clip_check.isChecked() else None
        if key == "schedule":
            options = {k: _option_value(w) for k, w in self.schedule_fields.items()}
            return {"name": self.schedule_combo.currentData(), **options, "warmup": self.warmup_spin.value()}
        if key == "seed":
            return self.seed_spin.value()
        raise KeyError(key)

    def _emit_changes(self, keys: set[str]) -> None:
        changes = {key: self._training_value(key) for key in sorted(keys)}
        if "optimizer" in changes:
            changes.pop("lr", None)  # the optimizer entry carries it
            spec = dict(changes["optimizer"])
            try:  # refuse combinations the optimizer rejects (nesterov without momentum, …)
                OPTIMIZERS[spec.pop("name")](1, **spec)
            except ModelError as exc:
                del changes["optimizer"]
                with self._filling():  # back to the optimizer in force
                    self._show_optimizer(self._optimizer_spec)
                self._on_refused(str(exc))
        if changes:
            self.training_changed.emit(changes)

    # -- slots -----------------------------------------------------------------------------------------
    def _on_optimizer_changed(self, _index: int) -> None:
        if self._updating:
            return
        self._show_optimizer_options(self.optimizer_combo.currentData(), {})
        self._request("optimizer")

    def _on_schedule_changed(self, _index: int) -> None:
        if self._updating:
            return
        self._show_schedule_options(self.schedule_combo.currentData(), {})
        self._request("schedule")

    def _on_clip_toggled(self, on: bool) -> None:
        self.clip_edit.setEnabled(on)
        self._request("clip_grad_norm")

    def _on_speed_changed(self, _index: int) -> None:
        if not self._updating:
            self.speed_changed.emit(int(self.speed_combo.currentData()))
