"""Inspector: the selected neuron or edge — its value, its gradient, and its number to edit by hand."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Signal

from nnviz.gui.i18n import tr
from nnviz.gui.panels.base import Panel
from nnviz.gui.panels.graph import Selection
from nnviz.gui.style import on_window, palette_style


def parse_number(text: str) -> float:
    """A finite number typed by a person ("0.5", "-1e-3", " 2 "); ValueError with a short reason."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(tr("type a number"))
    try:
        value = float(stripped)
    except ValueError:
        raise ValueError(tr("{text} is not a number").format(text=repr(stripped))) from None
    if not math.isfinite(value):
        raise ValueError(tr("the number must be finite"))
    return value


def layer_name(snapshot, index: int) -> str:
    """"Hidden layer 1" … or "Output layer", numbered as in the controls sidebar (translated)."""
    if index == len(snapshot.layers) - 1:
        return tr("Output layer")
    return tr("Hidden layer {number}").format(number=index + 1)


class InspectorPanel(Panel, QtWidgets.QWidget):
    """Shows the current selection of the graph; editing its weight or bias emits
    ``parameter_edited(name, index, value)``."""

    parameter_edited = Signal(str, object, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.selection: Selection | None = None
        self.title = QtWidgets.QLabel(tr("Click a neuron or an edge in the network graph."))
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: 600;")
        self.details = QtWidgets.QLabel("")
        self.details.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setWordWrap(True)
        self.edit_label = QtWidgets.QLabel(tr("Value"))
        self.edit = QtWidgets.QLineEdit()
        self.edit_label.setBuddy(self.edit)
        self.edit.setToolTip(tr("Type a new value and press Enter: it applies between training steps and "
                                "every panel updates."))
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.apply = QtWidgets.QPushButton(tr("Apply"))
        self.apply.setToolTip(tr("Set the selected weight or bias to the typed value."))
        self.apply.clicked.connect(self._on_edit_return_pressed)
        self.message = QtWidgets.QLabel("")
        palette_style(self.message, lambda: f"color: {on_window('#c62828')};")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.edit_label)
        row.addWidget(self.edit, 1)
        row.addWidget(self.apply)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._set_editable(False)

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.edit_label, self.edit, self.apply):
            widget.setVisible(editable)

    def set_selection(self, selection: Selection | None) -> None:
        self.selection = selection
        self.message.setText("")
        self.edit.setStyleSheet("")
        self._refresh(update_edit=True)

    def _draw_snapshot(self, snapshot) -> None:
        # keep what the user is typing; refresh it only when the field is not being edited
        self._refresh(update_edit=not self.edit.hasFocus())

    def current_value(self) -> float | None:
        sel, snap = self.selection, self._snapshot
        if sel is None or snap is None or sel.param is None:
            return None
        name, index = sel.param
        return float(snap.params[name][index])

    def _refresh(self, update_edit: bool) -> None:
        sel, snap = self.selection, self._snapshot
        if sel is None or snap is None:
            self.title.setText(tr("Click a neuron or an edge in the network graph."))
            self.details.setText("")
            self.title.setToolTip("")
            self._set_editable(False)
            return
        lines = []
        path = ""
        if sel.kind == "input":
            name = (snap.input_names[sel.unit] if sel.unit < len(snap.input_names)
                    else tr("input {number}").format(number=sel.unit + 1))
            self.title.setText(tr("Input {number}: {name}").format(number=sel.unit + 1, name=name))
            lines.append(tr("An input feature: its value comes from the data."))
        elif sel.kind == "neuron":
            view = snap.layers[sel.column - 1]
            rows = view.a.shape[0]
            self.title.setText(tr("{layer} ({type}, {activation}), unit {unit}").format(
                layer=layer_name(snap, sel.column - 1), type=view.type, activation=view.activation, unit=sel.unit + 1))
            path = f"layers[{sel.column - 1}]"
            lines.append(tr("mean activation a = {value} (over the {rows} probe rows)").format(
                value=f"{view.value[sel.unit]:.6g}", rows=rows))
            lines.append(tr("mean dL/dz = {value} (over the {rows} probe rows, each with the loss's 1/{rows})").format(
                value=f"{view.grad[sel.unit]:.6g}", rows=rows))
            if sel.param is not None:
                name, index = sel.param
                path = f"{name}[{index[0]}]"
                lines.append(f"bias b{sel.column}[{sel.unit + 1}] = {snap.params[name][index]:.6g}")
                lines.append(tr("dL/db = {value} (sum over the {rows} probe rows)").format(
                    value=f"{snap.grads[name][index]:.6g}", rows=rows))
        else:  # edge
            name, index = sel.param
            rows = snap.layers[sel.column - 1].a.shape[0]
            source = (tr("input {number} ({name})").format(number=sel.source + 1, name=snap.input_names[sel.source])
                      if sel.column == 1 else tr("{layer}, unit {unit}").format(
                          layer=layer_name(snap, sel.column - 2).lower(), unit=sel.source + 1))
            self.title.setText(tr("Weight {weight} into {layer}, unit {unit}, from {source}").format(
                weight=f"W{sel.column}[{sel.unit + 1},{sel.source + 1}]",
                layer=layer_name(snap, sel.column - 1).lower(), unit=sel.unit + 1, source=source))
            path = f"{name}[{index[0]}, {index[1]}]"
            lines.append(f"w = {snap.params[name][index]:.6g}")
            lines.append(tr("dL/dw = {value} (sum over the {rows} probe rows)").format(
                value=f"{snap.grads[name][index]:.6g}", rows=rows))
        lines.append(tr("(on the probe batch; gradients of the current weights)"))
        self.title.setToolTip(tr("Document path (counted from 0): {path}").format(path=path) if path else "")
        self.details.setText("\n".join(lines))
        editable = sel.param is not None
        self._set_editable(editable)
        if editable:
            self.edit_label.setText(tr("Weight") if sel.kind == "edge" else tr("Bias"))
            if update_edit:
                self.edit.setText(repr(self.current_value()))

    def _on_edit_return_pressed(self) -> None:
        if self.selection is None or self.selection.param is None:
            return
        try:
            value = parse_number(self.edit.text())
        except ValueError as exc:
            self.message.setText(tr("Not applied: {reason}.").format(reason=exc))
            self.edit.setStyleSheet("border: 1px solid #c62828;")
            return
        self.message.setText("")
        self.edit.setStyleSheet("")
        name, index = self.selection.param
        self.parameter_edited.emit(name, index, value)
