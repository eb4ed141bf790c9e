"""The Architecture section: the network's inputs, one row per hidden layer, the output layer, and
the initialiser of the weights."""

from __future__ import annotations

import copy

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.layers import LAYERS
from nnviz.gui.controls.widgets import (
    Section,
    combo_box,
    fraction_box,
    select,
    side_by_side,
    spin_box,
    split_spec,
    tooltips,
    with_tip,
)
from nnviz.gui.i18n import tr

MAX_UNITS = 128
MAX_HIDDEN_LAYERS = 16
UNITS_WIDTH = 46  # px: the units column of the layer rows
REMOVE_WIDTH = 20
#: the property holding the English accessible name of a control whose name has a number in it
ENGLISH_NAME = "nnviz_english_name"


def layer_choices() -> list[tuple[str, str, str | None]]:
    """(choice, layer type, variant) for every layer type registered now: one choice per type, one per
    variant where a type has variants (glu, swiglu, geglu), in the core's order."""
    out = []
    for kind, cls in LAYERS.items():
        variant = cls.OPTIONS.get("variant")
        if variant and variant[0].startswith("choice:"):
            out += [(v, kind, v) for v in variant[0][len("choice:"):].split(",")]
        else:
            out.append((kind, kind, None))
    return out


def takes_init(kind: str) -> bool:
    """Whether a layer type's weights take an ``init`` (dense and glu)."""
    return getattr(LAYERS.get(kind), "TAKES_INIT", False)


def layer_tip(kind: str, variant: str | None) -> str:
    cls = LAYERS[kind]
    return tr(cls.VARIANT_TIPS.get(variant, cls.tooltip) if variant else cls.tooltip)


class _IndexLabel(QtWidgets.QLabel):
    """The narrow right-aligned label in front of a layer row ("1", "2", …, "out"): as wide as "out"
    (in the application's language) in its font, also when the font grows (presentation mode), so the
    rows line up."""

    def _fit(self) -> None:
        self.setFixedWidth(self.fontMetrics().horizontalAdvance(tr("out")) + 2)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._fit()


def _index_label(text: str = "") -> QtWidgets.QLabel:
    """The narrow right-aligned label in front of a layer row ("1", "2", …, "out")."""
    label = _IndexLabel(text)
    label._fit()
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


class LayerRow(QtWidgets.QWidget):
    """One hidden layer: type, units (dense/glu), activation (or dropout's p), remove button.

    ``changed(debounce)`` is emitted on every edit; ``remove_requested(row)`` by the ✕ button."""

    changed = Signal(bool)
    remove_requested = Signal(object)

    def __init__(self, spec: dict, index: int, parent=None):
        super().__init__(parent)
        self.index_label = _index_label()
        #: choice -> (layer type, variant), for the layer types registered when the row was built
        self._choices: dict[str, tuple[str, str | None]] = {}
        self.type_combo = QtWidgets.QComboBox()
        for i, (choice, kind, variant) in enumerate(layer_choices()):
            self._choices[choice] = (kind, variant)
            self.type_combo.addItem(choice, choice)
            self.type_combo.setItemData(i, layer_tip(kind, variant), Qt.ItemDataRole.ToolTipRole)
        self.type_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.type_combo.setMinimumContentsLength(5)
        with_tip(self.type_combo, tr("Layer type: dense, gated linear units (glu, swiglu, geglu), "
                                     "normalisation (batchnorm, layernorm, rmsnorm) or dropout"))
        self.units_spin = spin_box(1, MAX_UNITS, 4, tr("Units (neurons) of this layer"))
        self.units_spin.setFixedWidth(UNITS_WIDTH)
        self.same_width = QtWidgets.QLabel("=")
        self.same_width.setAlignment(Qt.AlignmentFlag.AlignCenter)
        with_tip(self.same_width, tr("Normalisation and dropout layers keep the width of their input"))
        self.units_stack = QtWidgets.QStackedWidget()
        self.units_stack.addWidget(self.units_spin)
        self.units_stack.addWidget(self.same_width)
        self.units_stack.setFixedWidth(UNITS_WIDTH)
        self.activation_combo = combo_box(list(ACTIVATIONS), tooltips(ACTIVATIONS),
                                          tr("Activation applied to this layer's output"))
        self.activation_combo.setMinimumContentsLength(5)
        self.p_spin = fraction_box(1.0, tr("Dropout probability: the chance that each value is zeroed while "
                                           "training (the rest are scaled by 1 / (1 - p)); nothing is dropped "
                                           "at evaluation"), prefix="p = ")
        self.act_stack = QtWidgets.QStackedWidget()
        self.act_stack.addWidget(self.activation_combo)
        self.act_stack.addWidget(self.p_spin)
        self.remove_button = QtWidgets.QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setFixedWidth(REMOVE_WIDTH)
        with_tip(self.remove_button, tr("Remove this layer"))
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        # Type and activation share the free width equally, so the output row below lines up.
        layout.addWidget(self.index_label)
        layout.addWidget(self.type_combo, 1)
        layout.addWidget(self.units_stack)
        layout.addWidget(self.act_stack, 1)
        layout.addWidget(self.remove_button)
        self.load(spec, index)
        self.type_combo.currentIndexChanged.connect(self._on_type_changed)
        self.units_spin.valueChanged.connect(lambda _: self.changed.emit(True))
        self.p_spin.valueChanged.connect(lambda _: self.changed.emit(True))
        self.activation_combo.currentIndexChanged.connect(lambda _: self.changed.emit(False))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))

    def load(self, spec: dict, index: int) -> None:
        """Show ``spec`` (no signals). Options the row has no widget for are kept and given back."""
        with QtCore.QSignalBlocker(self.type_combo), QtCore.QSignalBlocker(self.units_spin), \
                QtCore.QSignalBlocker(self.p_spin), QtCore.QSignalBlocker(self.activation_combo):
            kind = spec.get("type", "dense")
            cls = LAYERS.get(kind, LAYERS["dense"])
            variant = spec.get("variant", cls.OPTIONS.get("variant", (None, None))[1])
            select(self.type_combo, variant if variant is not None else kind)
            if "units" in spec:
                self.units_spin.setValue(int(spec["units"]))
            self.p_spin.setValue(float(spec.get("p", cls.OPTIONS.get("p", ("", 0.5))[1])))
            self._activation_spec = spec.get("activation", "identity")
            select(self.activation_combo, split_spec(self._activation_spec)[0])
            self._loaded_type = kind
            self._extras = {k: v for k, v in spec.items()
                            if k in cls.OPTIONS and k not in ("units", "variant", "p")}
            self.init_spec = spec.get("init")
            self.set_index(index)
            self._update_widgets()

    def can_show(self, spec: dict) -> bool:
        """Whether :meth:`load` can show ``spec`` (its type was registered when the row was built)."""
        kind = spec.get("type", "dense")
        cls = LAYERS.get(kind, LAYERS["dense"])
        variant = spec.get("variant", cls.OPTIONS.get("variant", (None, None))[1])
        return (variant if variant is not None else kind) in self._choices

    def set_index(self, index: int) -> None:
        self.index_label.setText(str(index))
        with_tip(self.index_label, tr("Hidden layer {index}").format(index=index))
        # the row's visible label is its number: the controls are named after it (in English too, the
        # name a lesson written in any language gives them: see LessonControls)
        for widget, name in ((self.type_combo, QT_TRANSLATE_NOOP("", "Layer {index} type")),
                             (self.units_spin, QT_TRANSLATE_NOOP("", "Layer {index} units")),
                             (self.activation_combo, QT_TRANSLATE_NOOP("", "Layer {index} activation")),
                             (self.p_spin, QT_TRANSLATE_NOOP("", "Layer {index} dropout p")),
                             (self.remove_button, QT_TRANSLATE_NOOP("", "Remove layer {index}"))):
            widget.setAccessibleName(tr(name).format(index=index))
            widget.setProperty(ENGLISH_NAME, name.format(index=index))

    def kind(self) -> tuple[str, str | None]:
        """(layer type, variant) of the current choice."""
        return self._choices[self.type_combo.currentData()]

    def spec(self, init) -> dict:
        """The layer's spec in the model-document form; ``init`` for dense/glu layers unless the
        row was loaded with its own."""
        kind, variant = self.kind()
        options = LAYERS[kind].OPTIONS
        spec: dict = {"type": kind}
        if "units" in options:
            spec["units"] = self.units_spin.value()
        if variant is not None:
            spec["variant"] = variant
        if "p" in options:
            spec["p"] = round(self.p_spin.value(), 6)
        if kind == self._loaded_type:
            spec.update(self._extras)
        if "p" not in options:
            name = self.activation_combo.currentData()
            activation = self._activation_spec if split_spec(self._activation_spec)[0] == name else name
            if kind == "dense" or name != "identity":
                spec["activation"] = copy.deepcopy(activation)
        if takes_init(kind):
            spec["init"] = copy.deepcopy(self.init_spec if self.init_spec is not None else init)
        return spec

    def _update_widgets(self) -> None:
        options = LAYERS[self.kind()[0]].OPTIONS
        self.units_stack.setCurrentIndex(0 if "units" in options else 1)
        self.act_stack.setCurrentIndex(1 if "p" in options else 0)

    def _on_type_changed(self, _index: int) -> None:
        self._update_widgets()
        self.changed.emit(False)


class ArchitectureSection(Section):
    """The layers of the network. ``layers_changed(list)``: every layer spec (hidden layers, then the
    output layer) in the model-document form that ``Experiment.set_layers`` takes."""

    layers_changed = Signal(list)

    def __init__(self, parent=None):
        super().__init__(tr("Architecture"), tr("The layers of the network"), parent)
        self._outputs = 1
        self._output_spec: dict = {"type": "dense", "units": 1, "activation": "sigmoid"}
        self._init_spec = "xavier_uniform"
        self.layer_rows: list[LayerRow] = []
        form = self.form
        self.inputs_label = InputNamesLabel()
        with_tip(self.inputs_label, tr("The network's inputs: the chosen features, or the CSV input columns"))
        form.addRow(tr("Inputs"), self.inputs_label)

        self.rows_box = QtWidgets.QWidget()
        self.rows_layout = QtWidgets.QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(3)
        form.addRow(self.rows_box)

        self.add_layer_button = QtWidgets.QPushButton(tr("+ Add layer"))
        with_tip(self.add_layer_button, tr("Add a hidden layer before the output layer"))
        self.add_layer_button.clicked.connect(self._on_add_layer_clicked)
        form.addRow(side_by_side(self.add_layer_button))
        form.addRow(self._build_output_row())

        self.init_combo = combo_box(list(INITIALIZERS), tooltips(INITIALIZERS),
                                    tr("How the weights of dense and glu layers are initialised"))
        self.init_combo.currentIndexChanged.connect(self._on_init_changed)
        form.addRow(tr("Initialiser"), self.init_combo)

    def _build_output_row(self) -> QtWidgets.QWidget:
        """The output layer's row, lined up with the hidden layers' rows; its units are read-only."""
        out_label = _index_label(tr("out"))
        with_tip(out_label, tr("The output layer"))
        self.output_type_label = QtWidgets.QLabel("dense")
        self.output_type_label.setIndent(5)
        with_tip(self.output_type_label, tr("Type of the output layer"))
        self.output_units = QtWidgets.QSpinBox()
        self.output_units.setReadOnly(True)
        self.output_units.setButtonSymbols(QtWidgets.QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.output_units.setRange(0, 1_000_000)
        self.output_units.setFixedWidth(UNITS_WIDTH)
        self.output_units.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.output_units.setAccessibleName(tr("Output units"))
        palette = self.output_units.palette()  # read-only: the window's colour, not an input field's
        palette.setColor(QtGui.QPalette.ColorRole.Base, palette.color(QtGui.QPalette.ColorRole.Window))
        self.output_units.setPalette(palette)
        with_tip(self.output_units, tr("Output units are fitted to the data: one per target column "
                                       "(one per class with cross-entropy)"))
        self.output_activation_combo = combo_box(list(ACTIVATIONS), tooltips(ACTIVATIONS),
                                                 tr("Activation of the output layer: sigmoid for 0/1 labels, "
                                                    "softmax for classes, identity for regression"))
        self.output_activation_combo.setAccessibleName(tr("Output activation"))
        self.output_activation_combo.currentIndexChanged.connect(lambda _: self._request())
        out_row = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(out_row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(out_label)
        layout.addWidget(self.output_type_label, 1)
        layout.addWidget(self.output_units)
        layout.addWidget(self.output_activation_combo, 1)
        spacer = QtWidgets.QWidget()
        spacer.setFixedWidth(REMOVE_WIDTH)  # where the hidden rows have their remove button
        layout.addWidget(spacer)
        return out_row

    # -- state in and out --------------------------------------------------------------------------
    def set_state(self, document: dict, input_names: tuple, outputs: int) -> None:
        """Show a model document's layers for these inputs and outputs; emits nothing and drops
        pending changes."""
        with self._filling():
            layers = document.get("layers", [])
            hidden, output = layers[:-1], (layers[-1] if layers else {"type": "dense", "units": outputs})
            self._outputs = outputs
            self.inputs_label.set_names(input_names)
            init = next((layer["init"] for layer in layers if takes_init(layer.get("type")) and "init" in layer),
                        "default")
            if [row.spec(init) for row in self.layer_rows] != hidden:
                self._show_rows(hidden)
            self._output_spec = {k: copy.deepcopy(v) for k, v in output.items()
                                 if k in ("type", "activation", "init") or k in LAYERS[output["type"]].OPTIONS}
            kind = output.get("type", "dense")
            self.output_type_label.setText(output.get("variant", kind))
            self.output_units.setValue(outputs)
            select(self.output_activation_combo, split_spec(output.get("activation", "identity"))[0])
            self._init_spec = init
            select(self.init_combo, split_spec(init)[0])
            self._update_add_button()

    def layer_specs(self) -> list[dict]:
        """Hidden layers then the output layer, in the model-document form."""
        init = self._init_spec
        specs = [row.spec(init) for row in self.layer_rows]
        out = copy.deepcopy(self._output_spec)
        out.setdefault("type", "dense")
        if "units" in LAYERS[out["type"]].OPTIONS:
            out["units"] = self._outputs
        name = self.output_activation_combo.currentData()
        current = out.get("activation", "identity")
        out["activation"] = current if split_spec(current)[0] == name else name
        if takes_init(out["type"]):
            out["init"] = copy.deepcopy(out.get("init", init))
        return specs + [out]

    def _emit_changes(self, keys: set[str]) -> None:
        self.layers_changed.emit(self.layer_specs())

    # -- rows ------------------------------------------------------------------------------------------
    def _show_rows(self, hidden: list[dict]) -> None:
        """One row per hidden layer: the rows there are show the new layers (building a row takes
        ~5 ms, loading one a tenth of that); rows are added or removed only as the count changes, or
        from one that cannot show its layer (a type registered after the row was built)."""
        keep = 0
        while keep < min(len(self.layer_rows), len(hidden)) and self.layer_rows[keep].can_show(hidden[keep]):
            keep += 1
        for row in self.layer_rows[keep:]:
            row.setParent(None)
            row.deleteLater()
        del self.layer_rows[keep:]
        for index, spec in enumerate(hidden):
            if index < keep:
                self.layer_rows[index].load(spec, index + 1)
            else:
                self._add_row(spec)

    def _make_row(self, spec: dict, index: int) -> LayerRow:
        row = LayerRow(spec, index)
        row.changed.connect(lambda debounce: self._request(debounce=debounce))
        row.remove_requested.connect(self._on_remove_requested)
        return row

    def _add_row(self, spec: dict) -> LayerRow:
        row = self._make_row(spec, len(self.layer_rows) + 1)
        self.layer_rows.append(row)
        self.rows_layout.addWidget(row)
        return row

    def _update_add_button(self) -> None:
        self.add_layer_button.setEnabled(len(self.layer_rows) < MAX_HIDDEN_LAYERS)

    # -- slots -----------------------------------------------------------------------------------------
    def _on_add_layer_clicked(self) -> None:
        dense = [r for r in self.layer_rows if takes_init(r.kind()[0])]
        units = dense[-1].units_spin.value() if dense else 4
        activation = dense[-1].activation_combo.currentData() if dense else "tanh"
        self._add_row({"type": "dense", "units": units, "activation": activation})
        self._update_add_button()
        self._request()

    def _on_remove_requested(self, row: LayerRow) -> None:
        self.layer_rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for i, other in enumerate(self.layer_rows, start=1):
            other.set_index(i)
        self._update_add_button()
        self._request()

    def _on_init_changed(self, _index: int) -> None:
        if self._updating:
            return
        # A chosen initialiser applies to every dense/glu layer, replacing any loaded per-layer ones.
        self._init_spec = self.init_combo.currentData()
        for row in self.layer_rows:
            row.init_spec = None
        self._output_spec.pop("init", None)
        self._request()


class InputNamesLabel(QtWidgets.QLabel):
    """"3: x1, x2, x1*x2" — the count and names of the inputs, on at most two lines; more names than
    fit read "784: x0, x1, … x783" (the first that fit, and the last), all of them in the tip."""

    MAX_LINES = 2

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self._names: tuple[str, ...] = ()
        # the label takes the form's width, whatever its text: no long name list widens the dock
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)

    def set_names(self, names) -> None:
        self._names = tuple(names)
        full = f"{len(self._names)}: {', '.join(self._names)}"
        self.setToolTip(full if self._names else "")
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        names, n = self._names, len(self._names)
        width = max(self.contentsRect().width(), 40)
        metrics = self.fontMetrics()
        room = QtCore.QRect(0, 0, width, metrics.lineSpacing() * self.MAX_LINES)

        def fits(text: str) -> bool:
            flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
            return metrics.boundingRect(room, flags, text).height() <= room.height() and \
                metrics.boundingRect(room, flags, text).width() <= width

        text = f"{n}: {', '.join(names)}"
        if n > 2 and not fits(text):
            first = 1
            while first + 1 < n - 1 and fits(f"{n}: {', '.join(names[:first + 1])}, … {names[-1]}"):
                first += 1
            text = f"{n}: {', '.join(names[:first])}, … {names[-1]}"
        if self.text() != text:
            self.setText(text)
