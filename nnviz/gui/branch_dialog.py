"""Branch here…: train on from a past step with another optimizer or learning rate.

The dialog asks what the new course changes; the run goes back to the step (exactly: see
:mod:`nnviz.core.timeline`) and trains on from there, and the course it took from that step stays on
the loss panel, named by what it was ("sgd, lr 0.03").
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

from nnviz.core.document import optimizer_spec
from nnviz.core.lanes import label
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.gui.accessibility import name_controls
from nnviz.gui.controls.widgets import combo_box, tooltips
from nnviz.gui.i18n import tr
from nnviz.gui.panels.inspector import parse_number
from nnviz.gui.style import BACKWARD, on_window, palette_style


class BranchDialog(QtWidgets.QDialog):
    """Asks for the optimizer and learning rate of a new course from step ``step`` of a run whose
    settings are ``document``'s. :meth:`changes` is what differs; :meth:`old_label` names the course
    left. Accepted only with a learning rate that is a positive number."""

    def __init__(self, step: int, document: dict, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Branch at step {step}").format(step=f"{step:,}"))
        self.step = step
        optimizer = optimizer_spec(document)  # however the document writes it (or leaves it out)
        self._old = {"optimizer": optimizer["name"], "lr": float(optimizer["lr"])}
        intro = QtWidgets.QLabel(tr("Go back to step {step} and train on from there with:").format(step=f"{step:,}"))
        intro.setWordWrap(True)
        self.optimizer_combo = combo_box(list(OPTIMIZERS), tooltips(OPTIMIZERS),
                                         tr("The optimizer of the new course"))
        self.optimizer_combo.setCurrentText(self._old["optimizer"])
        self.optimizer_combo.setAccessibleName(tr("Optimizer"))
        self.lr_edit = QtWidgets.QLineEdit(f"{self._old['lr']:g}")
        self.lr_edit.setAccessibleName(tr("Learning rate"))
        self.message = QtWidgets.QLabel("")
        palette_style(self.message, lambda: f"color: {on_window(BACKWARD)};")
        note = QtWidgets.QLabel(tr("The course the run took from this step stays on the loss plot."))
        note.setWordWrap(True)
        form = QtWidgets.QFormLayout()
        form.addRow(tr("Optimizer"), self.optimizer_combo)
        form.addRow(tr("Learning rate"), self.lr_edit)
        buttons = QtWidgets.QDialogButtonBox()
        self.branch_button = buttons.addButton(tr("Branch"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)  # named by name_controls, as every button
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(note)
        layout.addWidget(buttons)
        name_controls(self)

    def _lr(self) -> float | None:
        try:
            value = parse_number(self.lr_edit.text())
        except ValueError:
            return None
        return value if math.isfinite(value) and value > 0 else None

    def changes(self) -> dict:
        """The settings the new course changes: ``optimizer`` (a name: its options start at their
        defaults and its state afresh) and ``lr``, where they differ."""
        out = {}
        if self.optimizer_combo.currentText() != self._old["optimizer"]:
            out["optimizer"] = self.optimizer_combo.currentText()
        lr = self._lr()
        if lr is not None and lr != self._old["lr"]:
            out["lr"] = lr
        return out

    def old_label(self) -> str:
        """The course left, named by what the branch changes, as it was on it ("sgd, lr 0.03")."""
        changed = self.changes()
        if not changed:
            return tr("before the branch at step {step}").format(step=f"{self.step:,}")
        return label({key: self._old[key] for key in ("optimizer", "lr") if key in changed})

    def accept(self) -> None:
        if self._lr() is None:
            self.message.setText(tr("Learning rate: expected a positive number, got {text}")
                                 .format(text=repr(self.lr_edit.text())))
            self.lr_edit.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
            return
        if not self.changes():
            self.message.setText(tr("Change the optimizer or the learning rate: the new course would be the old one"))
            return
        super().accept()
