"""The sidebar: data, architecture and training controls, as in TensorFlow Playground.

The panel never touches training. It shows the state it is given (:meth:`ControlsPanel.set_state`,
which emits nothing) and emits what the user asks for:

* ``data_changed(DataConfig)`` — a new data configuration (data set, noise, split, batch, features);
* ``layers_changed(list)`` — the full list of layer specs (hidden layers, then the output layer) in the
  model-document form that ``Experiment.set_layers`` takes;
* ``training_changed(dict)`` — only the settings that changed, as ``Experiment.set_training(**changes)``
  takes them (``lr``, ``optimizer``, ``loss``, ``regularization``, ``clip_grad_norm``, ``schedule``,
  ``seed``);
* ``speed_changed(int)`` — optimizer steps per frame, 0 for as fast as possible;
* ``input_refused(str)`` — a typed value was refused (the field turns red; nothing else is emitted).

Spin boxes are debounced (``DEBOUNCE_MS``) so that dragging one does not rebuild the network on every
tick; :meth:`ControlsPanel.flush` emits whatever is pending at once.

Run ``python -m nnviz.gui.controls`` to see the sidebar alone; it prints what it emits.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import replace

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.datasets import BUILTIN, FEATURES, Dataset, make_dataset
from nnviz.core.document import check_option
from nnviz.core.errors import ModelError
from nnviz.core.experiment import DataConfig
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.layers import LAYERS
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.schedules import SCHEDULES

__all__ = ["ControlsPanel", "DEBOUNCE_MS", "LEARNING_RATES", "REGULARIZATION_RATES", "SPEEDS"]

DEBOUNCE_MS = 150
#: TensorFlow Playground's learning rates and regularisation rates
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: optimizer steps per frame; 0 means as many as the worker can take
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 0)
MAX_UNITS = 128
MAX_HIDDEN_LAYERS = 16
UNITS_WIDTH = 46  # px: the units column of the layer rows
REMOVE_WIDTH = 20
CSV_ITEM = "__csv__"  # item data of the dataset combo's entry for imported CSV rows

FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                  "sin x1": "sin x₁", "sin x2": "sin x₂"}

def _layer_choices() -> list[tuple[str, str, str | None]]:
    """(choice, layer type, variant): one choice per layer type, one per variant where a type has
    variants (glu, swiglu, geglu), in the core's order."""
    out = []
    for kind, cls in LAYERS.items():
        variant = cls.OPTIONS.get("variant")
        if variant and variant[0].startswith("choice:"):
            out += [(v, kind, v) for v in variant[0][len("choice:"):].split(",")]
        else:
            out.append((kind, kind, None))
    return out


LAYER_CHOICES = _layer_choices()


def _takes_init(kind: str) -> bool:
    """Whether a layer type's weights take an ``init`` (dense and glu)."""
    return getattr(LAYERS.get(kind), "TAKES_INIT", False)

def _layer_tip(kind: str, variant: str | None) -> str:
    cls = LAYERS[kind]
    return cls.VARIANT_TIPS.get(variant, cls.tooltip) if variant else cls.tooltip


def _tips(registry) -> dict[str, str]:
    """name -> tooltip of every kind in a core registry."""
    return {name: cls.tooltip for name, cls in registry.items()}


#: choice -> (layer type, variant)
LAYER_KINDS = {choice: (kind, variant) for choice, kind, variant in LAYER_CHOICES}


# -- small helpers -------------------------------------------------------------------------------
def format_number(value: float) -> str:
    """A number as people type it: ``0.00001``, ``0.03``, ``10``, ``1e-08``."""
    value = float(value)
    if value == 0 or 1e-6 <= abs(value) < 1e7:
        return np.format_float_positional(value, trim="-")
    return repr(value)


def parse_number(text: str, kind: str, where: str) -> float | None:
    """Parse typed text as a number of a core option kind (see ``check_option``); raise ModelError.
    ``beta`` is one of Adam's betas, in [0, 1)."""
    text = text.strip()
    if kind.endswith("|null") and not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ModelError(f"{where}: {text!r} is not a number") from None
    if kind == "beta":
        check_option("betas", [value, 0.0], where)
        return value
    return check_option(kind.removesuffix("|null"), value, where)


def _tip(widget: QtWidgets.QWidget, text: str) -> QtWidgets.QWidget:
    widget.setToolTip(text)
    if isinstance(widget, QtWidgets.QComboBox) and widget.lineEdit() is not None:
        widget.lineEdit().setToolTip(text)
    return widget


def _combo(items, tips: dict | None = None, tip: str = "") -> QtWidgets.QComboBox:
    """A compact combo whose item texts are ``items`` (item data too), each with its own tooltip."""
    combo = QtWidgets.QComboBox()
    combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    for i, item in enumerate(items):
        combo.addItem(str(item), item)
        if tips and item in tips:
            combo.setItemData(i, tips[item], Qt.ItemDataRole.ToolTipRole)
    _tip(combo, tip)
    return combo


def _select(combo: QtWidgets.QComboBox, data) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def _spin(lo: int, hi: int, value: int, tip: str) -> QtWidgets.QSpinBox:
    spin = QtWidgets.QSpinBox()
    spin.setRange(lo, hi)
    spin.setValue(value)
    spin.setAccelerated(True)
    return _tip(spin, tip)


def _named(spec) -> tuple[str, dict]:
    """``"name"`` or ``{"name": ..., options}`` -> (name, options)."""
    if isinstance(spec, dict):
        return spec["name"], {k: v for k, v in spec.items() if k != "name"}
    return spec, {}


def _set_invalid(widget: QtWidgets.QWidget, editor: QtWidgets.QLineEdit, message: str | None,
                 tip: str) -> None:
    """Mark a field invalid (light red, the message as its tooltip) or valid again."""
    invalid = message is not None
    widget.setProperty("invalid", invalid)
    palette = editor.palette() if invalid else QtWidgets.QApplication.palette(editor)
    if invalid:
        palette.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor("#fde0e0"))
        palette.setColor(QtGui.QPalette.ColorRole.Text, QtGui.QColor("#b71c1c"))
    editor.setPalette(palette)
    _tip(widget, f"{message}\n\n{tip}" if invalid else tip)
    editor.setToolTip(widget.toolTip())


class NumberEdit(QtWidgets.QLineEdit):
    """A line edit for one number of a core option kind, committed on Enter or focus loss.

    A valid value that differs from the last one is emitted as ``committed``; anything else turns
    the field red and is emitted as ``refused`` (with a one-line message)."""

    committed = Signal(object)
    refused = Signal(str)

    def __init__(self, kind: str, where: str, value, tip: str, parent=None):
        super().__init__(parent)
        self.kind, self.where, self.tip = kind, where, tip
        self._value = value
        self.setText("" if value is None else format_number(value))
        self.setMaximumWidth(90)
        _tip(self, tip)
        self.editingFinished.connect(self._commit)

    def value(self):
        return self._value

    def set_value(self, value) -> None:
        self._value = value
        self.setText("" if value is None else format_number(value))
        _set_invalid(self, self, None, self.tip)

    def _commit(self) -> None:
        try:
            value = parse_number(self.text(), self.kind, self.where)
        except ModelError as exc:
            _set_invalid(self, self, str(exc), self.tip)
            self.refused.emit(str(exc))
            return
        _set_invalid(self, self, None, self.tip)
        self.setText("" if value is None else format_number(value))
        if value != self._value:
            self._value = value
            self.committed.emit(value)


class NumberCombo(QtWidgets.QComboBox):
    """An editable combo of preset numbers (Playground's learning rates, say) that also takes any
    typed value of its kind; same signals as :class:`NumberEdit`."""

    committed = Signal(object)
    refused = Signal(str)

    def __init__(self, kind: str, where: str, presets, value: float, tip: str, parent=None):
        super().__init__(parent)
        self.kind, self.where, self.tip = kind, where, tip
        self.setEditable(True)
        self.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.setCompleter(None)  # completing "0.0" to "0.00001" would only get in the way
        self.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(7)
        for preset in presets:
            self.addItem(format_number(preset), float(preset))
        self._value = None
        self._last_text = ""
        self.set_value(value)
        _tip(self, tip)
        self.lineEdit().editingFinished.connect(self._commit)
        self.textActivated.connect(self._commit)

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        with QtCore.QSignalBlocker(self):
            self._value = value
            index = self.findData(float(value))
            if index >= 0:
                self.setCurrentIndex(index)
            self.setEditText(format_number(value))
        self._last_text = self.currentText()
        _set_invalid(self, self.lineEdit(), None, self.tip)

    def _commit(self, *_) -> None:
        # Enter fires both editingFinished and (for a listed value) textActivated: judge each text once.
        text = self.currentText()
        if text == self._last_text:
            return
        self._last_text = text
        try:
            value = parse_number(text, self.kind, self.where)
        except ModelError as exc:
            _set_invalid(self, self.lineEdit(), str(exc), self.tip)
            self.refused.emit(str(exc))
            return
        _set_invalid(self, self.lineEdit(), None, self.tip)
        if value != self._value:
            self.set_value(value)
            self.committed.emit(value)


@functools.lru_cache(maxsize=None)
def _builtin_traits(name: str) -> tuple[bool, bool]:
    """(planar, uses_noise) of a built-in data set, found by generating a few points."""
    plain = make_dataset(name, n=50, noise=0.0, seed=0)
    noisy = make_dataset(name, n=50, noise=1.0, seed=0)
    uses_noise = not (np.array_equal(plain.X, noisy.X) and np.array_equal(plain.y, noisy.y))
    return plain.X.shape[1] == 2, uses_noise


# -- collapsible section -------------------------------------------------------------------------
class _Section(QtWidgets.QWidget):
    """A titled group whose body folds away when its header is clicked."""

    def __init__(self, title: str, tip: str, parent=None):
        super().__init__(parent)
        self.header = QtWidgets.QToolButton()
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.header.setAutoRaise(True)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        _tip(self.header, f"{tip} (click to fold)")
        self.body = QtWidgets.QFrame()
        self.body.setObjectName("sectionBody")
        self.form = QtWidgets.QFormLayout(self.body)
        self.form.setContentsMargins(4, 2, 2, 6)
        self.form.setHorizontalSpacing(8)
        self.form.setVerticalSpacing(4)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        line = QtWidgets.QFrame()
        line.setFrameShape(QtWidgets.QFrame.Shape.HLine)
        line.setFrameShadow(QtWidgets.QFrame.Shadow.Sunken)
        layout.addWidget(self.header)
        layout.addWidget(line)
        layout.addWidget(self.body)
        self.header.toggled.connect(self._on_header_toggled)

    def _on_header_toggled(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.header.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)


def _row(*widgets, stretch_last: bool = False) -> QtWidgets.QWidget:
    """Widgets side by side in one form field."""
    box = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for w in widgets:
        layout.addWidget(w)
    if not stretch_last:
        layout.addStretch(1)
    return box


# -- one hidden layer ------------------------------------------------------------------------------
class LayerRow(QtWidgets.QWidget):
    """One hidden layer: type, units (dense/glu), activation (or dropout's p), remove button.

    ``changed(debounce)`` is emitted on every edit; ``remove_requested(row)`` by the ✕ button."""

    changed = Signal(bool)
    remove_requested = Signal(object)

    def __init__(self, spec: dict, index: int, parent=None):
        super().__init__(parent)
        self.index_label = QtWidgets.QLabel()
        self.index_label.setFixedWidth(self.index_label.fontMetrics().horizontalAdvance("out") + 2)
        self.index_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.type_combo = QtWidgets.QComboBox()
        for i, (choice, kind, variant) in enumerate(LAYER_CHOICES):
            self.type_combo.addItem(choice, choice)
            self.type_combo.setItemData(i, _layer_tip(kind, variant), Qt.ItemDataRole.ToolTipRole)
        self.type_combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.type_combo.setMinimumContentsLength(5)
        _tip(self.type_combo, "Layer type: dense, gated linear units (glu, swiglu, geglu), "
                              "normalisation (batchnorm, layernorm, rmsnorm) or dropout")
        self.units_spin = _spin(1, MAX_UNITS, 4, "Units (neurons) of this layer")
        self.units_spin.setFixedWidth(UNITS_WIDTH)
        self.same_width = QtWidgets.QLabel("=")
        self.same_width.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _tip(self.same_width, "Normalisation and dropout layers keep the width of their input")
        self.units_stack = QtWidgets.QStackedWidget()
        self.units_stack.addWidget(self.units_spin)
        self.units_stack.addWidget(self.same_width)
        self.units_stack.setFixedWidth(UNITS_WIDTH)
        self.activation_combo = _combo(list(ACTIVATIONS), _tips(ACTIVATIONS),
                                       "Activation applied to this layer's output")
        self.activation_combo.setMinimumContentsLength(5)
        self.p_spin = QtWidgets.QDoubleSpinBox()
        self.p_spin.setRange(0.0, 1.0)
        self.p_spin.setSingleStep(0.05)
        self.p_spin.setDecimals(2)
        self.p_spin.setPrefix("p = ")
        _tip(self.p_spin, "Dropout probability: the chance that each value is zeroed while training "
                          "(the rest are scaled by 1 / (1 - p)); nothing is dropped at evaluation")
        self.act_stack = QtWidgets.QStackedWidget()
        self.act_stack.addWidget(self.activation_combo)
        self.act_stack.addWidget(self.p_spin)
        self.remove_button = QtWidgets.QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setFixedWidth(REMOVE_WIDTH)
        _tip(self.remove_button, "Remove this layer")
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
            _select(self.type_combo, variant if variant is not None else kind)
            if "units" in spec:
                self.units_spin.setValue(int(spec["units"]))
            self.p_spin.setValue(float(spec.get("p", cls.OPTIONS.get("p", ("", 0.5))[1])))
            self._activation_spec = spec.get("activation", "identity")
            _select(self.activation_combo, _named(self._activation_spec)[0])
            self._loaded_type = kind
            self._extras = {k: v for k, v in spec.items()
                            if k in cls.OPTIONS and k not in ("units", "variant", "p")}
            self.init_spec = spec.get("init")
            self.set_index(index)
            self._update_widgets()

    def set_index(self, index: int) -> None:
        self.index_label.setText(str(index))
        _tip(self.index_label, f"Hidden layer {index}")

    def kind(self) -> tuple[str, str | None]:
        """(layer type, variant) of the current choice."""
        return LAYER_KINDS[self.type_combo.currentData()]

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
            activation = self._activation_spec if _named(self._activation_spec)[0] == name else name
            if kind == "dense" or name != "identity":
                spec["activation"] = copy.deepcopy(activation)
        if _takes_init(kind):
            spec["init"] = copy.deepcopy(self.init_spec if self.init_spec is not None else init)
        return spec

    def _update_widgets(self) -> None:
        options = LAYERS[self.kind()[0]].OPTIONS
        self.units_stack.setCurrentIndex(0 if "units" in options else 1)
        self.act_stack.setCurrentIndex(1 if "p" in options else 0)

    def _on_type_changed(self, _index: int) -> None:
        self._update_widgets()
        self.changed.emit(False)


# -- the panel ---------------------------------------------------------------------------------------
class ControlsPanel(QtWidgets.QWidget):
    """The sidebar of data, architecture and training controls (see the module docstring)."""

    data_changed = Signal(object)
    layers_changed = Signal(list)
    training_changed = Signal(dict)
    speed_changed = Signal(int)
    input_refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._data = DataConfig()
        self._imported: Dataset | None = None
        self._outputs = 1
        self._output_spec: dict = {"type": "dense", "units": 1, "activation": "sigmoid"}
        self._init_spec = "xavier_uniform"
        self._loss_spec = "bce"
        self._optimizer_options: dict = {}
        self._updating = False  # True while set_state fills the widgets: handlers do nothing
        self.layer_rows: list[LayerRow] = []
        self.optimizer_fields: dict[str, QtWidgets.QWidget] = {}
        self.schedule_fields: dict[str, QtWidgets.QWidget] = {}

        self._pending_data = self._pending_layers = False
        self._pending_training: set[str] = set()
        self._timers = {}
        for name, slot in (("data", self._flush_data), ("layers", self._flush_layers),
                           ("training", self._flush_training)):
            timer = QtCore.QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(DEBOUNCE_MS)
            timer.timeout.connect(slot)
            self._timers[name] = timer

        content = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        self.data_section = _Section("Data", "Which data the network learns and how it is fed")
        self.architecture_section = _Section("Architecture", "The layers of the network")
        self.training_section = _Section("Training", "Loss, optimizer and learning-rate settings")
        self._build_data(self.data_section.form)
        self._build_architecture(self.architecture_section.form)
        self._build_training(self.training_section.form)
        for section in (self.data_section, self.architecture_section, self.training_section):
            column.addWidget(section)
        self.message_label = QtWidgets.QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #b71c1c;")
        self.message_label.setToolTip("Why the last typed value was refused")
        self.message_label.hide()
        column.addWidget(self.message_label)
        column.addStretch(1)

        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.setMinimumWidth(280)

    # -- building ------------------------------------------------------------------------------------
    def _build_data(self, form: QtWidgets.QFormLayout) -> None:
        self.dataset_combo = _combo(list(BUILTIN), BUILTIN, "The data set to learn")
        self.dataset_combo.setObjectName("dataset")
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_changed)
        form.addRow("Data set", self.dataset_combo)

        self.noise_slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setRange(0, 100)
        _tip(self.noise_slider, "Noise, on Playground's scale (its slider / 100): moves points or flips "
                                "labels. For 'square' it is the standard deviation of the target noise. "
                                "The truth tables and imported CSV data have none.")
        self.noise_spin = QtWidgets.QDoubleSpinBox()
        self.noise_spin.setRange(0.0, 1.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setDecimals(2)
        self.noise_spin.setFixedWidth(62)
        _tip(self.noise_spin, self.noise_slider.toolTip())
        self.noise_slider.valueChanged.connect(self._on_noise_slider_changed)
        self.noise_spin.valueChanged.connect(self._on_noise_spin_changed)
        form.addRow("Noise", _row(self.noise_slider, self.noise_spin, stretch_last=True))

        self.test_slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.test_slider.setRange(0, 90)
        _tip(self.test_slider, "Fraction of the points held out as test data (never trained on); "
                               "0 trains on everything")
        self.test_spin = QtWidgets.QDoubleSpinBox()
        self.test_spin.setRange(0.0, 0.9)
        self.test_spin.setSingleStep(0.05)
        self.test_spin.setDecimals(2)
        self.test_spin.setFixedWidth(62)
        _tip(self.test_spin, self.test_slider.toolTip())
        self.test_slider.valueChanged.connect(self._on_test_slider_changed)
        self.test_spin.valueChanged.connect(self._on_test_spin_changed)
        form.addRow("Test split", _row(self.test_slider, self.test_spin, stretch_last=True))

        self.batch_spin = _spin(1, 100_000, 10, "Batch size: training points per optimizer step")
        self.batch_spin.setFixedWidth(72)
        self.full_batch_check = QtWidgets.QCheckBox("Full batch")
        _tip(self.full_batch_check, "Use every training point in each step (batch gradient descent)")
        self.batch_spin.valueChanged.connect(lambda _: self._request_data(debounce=True))
        self.full_batch_check.toggled.connect(self._on_full_batch_toggled)
        form.addRow("Batch size", _row(self.batch_spin, self.full_batch_check))

        grid_box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(2)
        grid.setVerticalSpacing(2)
        self.feature_checks: dict[str, QtWidgets.QCheckBox] = {}
        for i, name in enumerate(FEATURES):
            box = QtWidgets.QCheckBox(FEATURE_LABELS.get(name, name))
            _tip(box, f"Feed the network the input feature {name} (computed from the two coordinates); "
                      f"at least one must stay on. Only for 2-D data.")
            box.toggled.connect(functools.partial(self._on_feature_toggled, name))
            grid.addWidget(box, i // 4, i % 4)
            self.feature_checks[name] = box
        self._features_label = QtWidgets.QLabel("Features")
        form.addRow(self._features_label, grid_box)

        self.regenerate_button = QtWidgets.QPushButton("Regenerate")
        _tip(self.regenerate_button, "Draw new points: the same data set with the next data seed")
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)
        self.import_button = QtWidgets.QPushButton("Import CSV…")
        _tip(self.import_button, "Load your own data from a CSV file and choose its input and target columns")
        self.import_button.clicked.connect(self._on_import_clicked)
        form.addRow(_row(self.regenerate_button, self.import_button))

    def _build_architecture(self, form: QtWidgets.QFormLayout) -> None:
        self.inputs_label = QtWidgets.QLabel()
        self.inputs_label.setWordWrap(True)
        _tip(self.inputs_label, "The network's inputs: the chosen features, or the CSV input columns")
        form.addRow("Inputs", self.inputs_label)

        self.rows_box = QtWidgets.QWidget()
        self.rows_layout = QtWidgets.QVBoxLayout(self.rows_box)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(3)
        form.addRow(self.rows_box)

        self.add_layer_button = QtWidgets.QPushButton("+ Add layer")
        _tip(self.add_layer_button, "Add a hidden layer before the output layer")
        self.add_layer_button.clicked.connect(self._on_add_layer_clicked)
        form.addRow(_row(self.add_layer_button))

        out_label = QtWidgets.QLabel("out")
        out_label.setFixedWidth(out_label.fontMetrics().horizontalAdvance("out") + 2)
        out_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        _tip(out_label, "The output layer")
        self.output_type_label = QtWidgets.QLabel("dense")
        self.output_type_label.setIndent(5)
        _tip(self.output_type_label, "Type of the output layer")
        self.output_units = QtWidgets.QSpinBox()
        self.output_units.setReadOnly(True)
        self.output_units.setButtonSymbols(QtWidgets.QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.output_units.setRange(0, 1_000_000)
        self.output_units.setFixedWidth(UNITS_WIDTH)
        self.output_units.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        palette = self.output_units.palette()  # read-only: the window's colour, not an input field's
        palette.setColor(QtGui.QPalette.ColorRole.Base, palette.color(QtGui.QPalette.ColorRole.Window))
        self.output_units.setPalette(palette)
        _tip(self.output_units, "Output units are fitted to the data: one per target column "
                                "(one per class with cross-entropy)")
        self.output_activation_combo = _combo(list(ACTIVATIONS), _tips(ACTIVATIONS),
                                              "Activation of the output layer: sigmoid for 0/1 labels, "
                                              "softmax for classes, identity for regression")
        self.output_activation_combo.currentIndexChanged.connect(lambda _: self._request_layers())
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
        form.addRow(out_row)

        self.init_combo = _combo(list(INITIALIZERS), _tips(INITIALIZERS),
                                 "How the weights of dense and glu layers are initialised")
        self.init_combo.currentIndexChanged.connect(self._on_init_changed)
        form.addRow("Initialiser", self.init_combo)

    def _build_training(self, form: QtWidgets.QFormLayout) -> None:
        self.loss_combo = _combo(list(LOSSES), _tips(LOSSES), "The loss the optimizer minimises")
        self.loss_combo.currentIndexChanged.connect(lambda _: self._request_training("loss"))
        form.addRow("Loss", self.loss_combo)

        self.optimizer_combo = _combo(list(OPTIMIZERS), _tips(OPTIMIZERS),
                                      "The optimizer (PyTorch semantics and defaults)")
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer_changed)
        form.addRow("Optimizer", self.optimizer_combo)
        self.optimizer_box = QtWidgets.QWidget()
        self.optimizer_form = QtWidgets.QFormLayout(self.optimizer_box)
        self.optimizer_form.setContentsMargins(12, 0, 0, 2)
        self.optimizer_form.setVerticalSpacing(3)
        form.addRow(self.optimizer_box)

        self.lr_combo = NumberCombo("lr", "learning rate", LEARNING_RATES, 0.03,
                                    "Learning rate: the size of each step (any number > 0; press Enter)")
        self.lr_combo.committed.connect(lambda _: self._request_training("lr"))
        self.lr_combo.refused.connect(self._on_refused)
        form.addRow("Learning rate", self.lr_combo)

        self.schedule_combo = _combo(list(SCHEDULES), _tips(SCHEDULES), "How the learning rate changes over steps")
        self.schedule_combo.currentIndexChanged.connect(self._on_schedule_changed)
        form.addRow("Schedule", self.schedule_combo)
        self.schedule_box = QtWidgets.QWidget()
        self.schedule_form = QtWidgets.QFormLayout(self.schedule_box)
        self.schedule_form.setContentsMargins(12, 0, 0, 2)
        self.schedule_form.setVerticalSpacing(3)
        form.addRow(self.schedule_box)
        self.warmup_spin = _spin(0, 1_000_000, 0, "Warm-up: the learning rate rises linearly from lr/W to lr "
                                                  "over the first W steps (0 = none)")
        self.warmup_spin.valueChanged.connect(lambda _: self._request_training("schedule", debounce=True))
        form.addRow("Warm-up steps", self.warmup_spin)

        self.l1_combo = NumberCombo("nonneg", "L1 rate", REGULARIZATION_RATES, 0.0,
                                    "L1 regularisation rate: adds rate × Σ|w| to the loss (pushes weights to 0)")
        self.l2_combo = NumberCombo("nonneg", "L2 rate", REGULARIZATION_RATES, 0.0,
                                    "L2 regularisation rate: adds rate × Σw² / 2 to the loss (keeps weights small)")
        for combo in (self.l1_combo, self.l2_combo):
            combo.committed.connect(lambda _: self._request_training("regularization"))
            combo.refused.connect(self._on_refused)
        form.addRow("L1 rate", self.l1_combo)
        form.addRow("L2 rate", self.l2_combo)

        self.clip_check = QtWidgets.QCheckBox("max norm")
        _tip(self.clip_check, "Clip gradients: scale the whole gradient down when its norm exceeds the maximum")
        self.clip_edit = NumberEdit("posnumber", "clip_grad_norm", 1.0,
                                    "Largest gradient norm allowed when clipping (> 0)")
        self.clip_edit.setEnabled(False)
        self.clip_check.toggled.connect(self._on_clip_toggled)
        self.clip_edit.committed.connect(lambda _: self._request_training("clip_grad_norm"))
        self.clip_edit.refused.connect(self._on_refused)
        form.addRow("Clip gradient", _row(self.clip_check, self.clip_edit))

        self.seed_spin = _spin(0, 2**31 - 1, 0, "Seed of the initial weights and of the batch shuffling")
        self.seed_spin.valueChanged.connect(lambda _: self._request_training("seed", debounce=True))
        form.addRow("Seed", self.seed_spin)

        self.speed_combo = _combo(["max" if s == 0 else str(s) for s in SPEEDS], None,
                                  "Optimizer steps per frame; 'max' trains as fast as it can")
        for i, steps in enumerate(SPEEDS):
            self.speed_combo.setItemData(i, steps)
        self.speed_combo.currentIndexChanged.connect(self._on_speed_changed)
        form.addRow("Steps / frame", self.speed_combo)

        self._show_optimizer_options(self.optimizer_combo.currentData(), {})
        self._show_schedule_options(self.schedule_combo.currentData(), {})

    # -- option forms ---------------------------------------------------------------------------------
    @staticmethod
    def _clear_form(form: QtWidgets.QFormLayout) -> None:
        while form.rowCount():
            form.removeRow(0)

    def _option_widget(self, owner, key: str, kind: str, value, on_commit, on_debounced):
        """A widget for one option of a given kind of ``owner`` (an optimizer or schedule class); returns
        it (changes go to the callbacks)."""
        tip = owner.OPTION_TIPS.get(key, key)
        where = f"{owner.name}.{key}"
        if kind == "bool":
            widget = QtWidgets.QCheckBox()
            widget.setChecked(bool(value))
            widget.toggled.connect(lambda _: on_commit())
            return _tip(widget, tip)
        if kind in ("posint", "nonnegint"):
            widget = _spin(1 if kind == "posint" else 0, 10_000_000, int(value), tip)
            widget.setFixedWidth(90)
            widget.valueChanged.connect(lambda _: on_debounced())
            return widget
        if kind == "betas":
            edits = [NumberEdit("beta", f"{where}[{i}]", float(v), tip) for i, v in enumerate(value)]
            for edit in edits:
                edit.setMaximumWidth(70)
                edit.committed.connect(lambda _: on_commit())
                edit.refused.connect(self._on_refused)
            box = _row(*edits)
            box.edits = edits
            return _tip(box, tip)
        if kind.startswith("choice:"):
            widget = _combo(kind[len("choice:"):].split(","), None, tip)
            _select(widget, value)
            widget.currentIndexChanged.connect(lambda _: on_commit())
            return widget
        widget = NumberEdit(kind, where, value, tip)
        widget.committed.connect(lambda _: on_commit())
        widget.refused.connect(self._on_refused)
        return widget

    @staticmethod
    def _option_value(widget):
        if isinstance(widget, QtWidgets.QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QtWidgets.QSpinBox):
            return widget.value()
        if isinstance(widget, QtWidgets.QComboBox):
            return widget.currentData()
        if hasattr(widget, "edits"):
            return [edit.value() for edit in widget.edits]
        return widget.value()

    def _show_optimizer_options(self, name: str, given: dict) -> None:
        self._clear_form(self.optimizer_form)
        self.optimizer_fields = {}
        for key, (kind, default) in OPTIMIZERS[name].OPTIONS.items():
            if key == "lr":
                continue  # the learning-rate combo
            value = given.get(key, default)
            widget = self._option_widget(OPTIMIZERS[name], key, kind, list(value) if kind == "betas" else value,
                                         lambda: self._on_optimizer_option_changed(False),
                                         lambda: self._on_optimizer_option_changed(True))
            self.optimizer_fields[key] = widget
            self.optimizer_form.addRow(key.replace("_", " "), widget)
        self.optimizer_box.setVisible(bool(self.optimizer_fields))

    def _show_schedule_options(self, name: str, given: dict) -> None:
        self._clear_form(self.schedule_form)
        self.schedule_fields = {}
        schedule = SCHEDULES[name]
        for key, (kind, default) in schedule.OPTIONS.items():
            value = given.get(key, default if default is not None else schedule.SUGGESTED.get(key, 1))
            widget = self._option_widget(schedule, key, kind, value,
                                         lambda: self._request_training("schedule"),
                                         lambda: self._request_training("schedule", debounce=True))
            self.schedule_fields[key] = widget
            self.schedule_form.addRow(key.replace("_", " "), widget)
        self.schedule_box.setVisible(bool(self.schedule_fields))

    # -- state in --------------------------------------------------------------------------------------
    def set_state(self, document: dict, data: DataConfig, input_names: tuple, outputs: int) -> None:
        """Show a model document and data configuration; emits nothing and drops pending changes."""
        self._updating = True
        try:
            with QtCore.QSignalBlocker(self):
                self._set_data_state(data)
                self._set_architecture_state(document, tuple(input_names), int(outputs))
                self._set_training_state(document)
        finally:
            self._updating = False
            for timer in self._timers.values():
                timer.stop()
            self._pending_data = self._pending_layers = False
            self._pending_training.clear()
        self._show_message("")

    def set_speed(self, steps: int) -> None:
        """Show a speed (steps per frame, 0 = max) without emitting."""
        with QtCore.QSignalBlocker(self.speed_combo):
            _select(self.speed_combo, int(steps))

    def _set_data_state(self, data: DataConfig) -> None:
        self._data = data
        combo = self.dataset_combo
        csv_index = combo.findData(CSV_ITEM)
        if data.imported is not None:
            self._imported = data.imported
            if csv_index < 0:
                combo.addItem("", CSV_ITEM)
                csv_index = combo.count() - 1
            inline = data.inline
            combo.setItemText(csv_index, f"{data.imported.name} ({'model' if inline else 'CSV'})")
            combo.setItemData(csv_index, (f"The model document's own rows: {data.imported!r}" if inline
                                          else f"Imported from a CSV file: {data.imported!r}"),
                              Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(csv_index)
        else:
            _select(combo, data.dataset)
        self.noise_spin.setValue(data.noise)
        self.noise_slider.setValue(round(data.noise * 100))
        self.test_spin.setValue(data.test_fraction)
        self.test_slider.setValue(round(data.test_fraction * 100))
        self.full_batch_check.setChecked(data.batch_size is None)
        if data.batch_size is not None:
            self.batch_spin.setValue(data.batch_size)
        self.batch_spin.setEnabled(data.batch_size is not None)
        for name, box in self.feature_checks.items():
            box.setChecked(name in data.features)
        self._update_data_widgets()

    def _set_architecture_state(self, document: dict, input_names: tuple, outputs: int) -> None:
        layers = document.get("layers", [])
        hidden, output = layers[:-1], (layers[-1] if layers else {"type": "dense", "units": outputs})
        self._outputs = outputs
        self.inputs_label.setText(f"{len(input_names)}: {', '.join(input_names)}")
        for row in self.layer_rows:
            row.setParent(None)
            row.deleteLater()
        self.layer_rows = []
        for spec in hidden:
            self._add_row(spec)
        self._output_spec = {k: copy.deepcopy(v) for k, v in output.items()
                             if k in ("type", "activation", "init") or k in LAYERS[output["type"]].OPTIONS}
        kind = output.get("type", "dense")
        self.output_type_label.setText(output.get("variant", kind))
        self.output_units.setValue(outputs)
        _select(self.output_activation_combo, _named(output.get("activation", "identity"))[0])
        init = next((layer["init"] for layer in layers if _takes_init(layer.get("type")) and "init" in layer),
                    "default")
        self._init_spec = init
        _select(self.init_combo, _named(init)[0])
        self._update_add_button()

    def _set_training_state(self, document: dict) -> None:
        self._loss_spec = document.get("loss", "mse")
        _select(self.loss_combo, _named(self._loss_spec)[0])
        name, options = _named(document.get("optimizer", "sgd"))
        defaults = {k: d for k, (_, d) in OPTIMIZERS[name].OPTIONS.items()}
        _select(self.optimizer_combo, name)
        self._optimizer_options = {**defaults, **options}
        self._show_optimizer_options(name, self._optimizer_options)
        self.lr_combo.set_value(float(self._optimizer_options["lr"]))
        name, options = _named(document.get("schedule", "constant"))
        _select(self.schedule_combo, name)
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

    # -- state out -----------------------------------------------------------------------------------
    def data_config(self) -> DataConfig:
        """The data configuration the widgets show."""
        data = self._data
        choice = self.dataset_combo.currentData()
        if choice == CSV_ITEM and self._imported is not None:
            changes = {"dataset": self._imported.name, "imported": self._imported}
        else:
            changes = {"dataset": choice, "imported": None}
        changes["noise"] = round(self.noise_spin.value(), 4)
        changes["test_fraction"] = round(self.test_spin.value(), 4)
        changes["batch_size"] = None if self.full_batch_check.isChecked() else self.batch_spin.value()
        if self._planar():
            changes["features"] = tuple(n for n, box in self.feature_checks.items() if box.isChecked())
        return replace(data, **changes)

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
        out["activation"] = current if _named(current)[0] == name else name
        if _takes_init(out["type"]):
            out["init"] = copy.deepcopy(out["init"] if "init" in out else init)
        return specs + [out]

    def _training_value(self, key: str):
        if key == "lr":
            return self.lr_combo.value()
        if key == "loss":
            name = self.loss_combo.currentData()
            return copy.deepcopy(self._loss_spec) if _named(self._loss_spec)[0] == name else name
        if key == "optimizer":
            name = self.optimizer_combo.currentData()
            options = {k: self._option_value(w) for k, w in self.optimizer_fields.items()}
            return {"name": name, "lr": self.lr_combo.value(), **options}
        if key == "regularization":
            return {"l1": self.l1_combo.value(), "l2": self.l2_combo.value()}
        if key == "clip_grad_norm":
            return self.clip_edit.value() if self.clip_check.isChecked() else None
        if key == "schedule":
            options = {k: self._option_value(w) for k, w in self.schedule_fields.items()}
            return {"name": self.schedule_combo.currentData(), **options, "warmup": self.warmup_spin.value()}
        if key == "seed":
            return self.seed_spin.value()
        raise KeyError(key)

    # -- emitting ------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Emit every pending (debounced) change now."""
        if self._pending_data:
            self._flush_data()
        if self._pending_layers:
            self._flush_layers()
        if self._pending_training:
            self._flush_training()

    def _request_data(self, debounce: bool = False) -> None:
        if self._updating:
            return
        self._pending_data = True
        if debounce:
            self._timers["data"].start()
        else:
            self._flush_data()

    def _request_layers(self, debounce: bool = False) -> None:
        if self._updating:
            return
        self._pending_layers = True
        if debounce:
            self._timers["layers"].start()
        else:
            self._flush_layers()

    def _request_training(self, key: str, debounce: bool = False) -> None:
        if self._updating:
            return
        self._pending_training.add(key)
        if debounce:
            self._timers["training"].start()
        else:
            self._flush_training()

    def _flush_data(self) -> None:
        self._timers["data"].stop()
        self._pending_data = False
        self._data = self.data_config()
        self._show_message("")
        self.data_changed.emit(self._data)

    def _flush_layers(self) -> None:
        self._timers["layers"].stop()
        self._pending_layers = False
        self._show_message("")
        self.layers_changed.emit(self.layer_specs())

    def _flush_training(self) -> None:
        self._timers["training"].stop()
        keys, self._pending_training = self._pending_training, set()
        changes = {key: self._training_value(key) for key in sorted(keys)}
        if "optimizer" in changes:
            spec = dict(changes["optimizer"])
            try:  # refuse combinations the optimizer rejects (nesterov without momentum, …)
                OPTIMIZERS[spec.pop("name")](1, **spec)
            except ModelError as exc:
                self._on_refused(str(exc))
                return
            changes.pop("lr", None)  # the optimizer entry carries it
        self._show_message("")
        self.training_changed.emit(changes)

    # -- slots: data ---------------------------------------------------------------------------------
    def _planar(self) -> bool:
        if self.dataset_combo.currentData() == CSV_ITEM:
            return self._imported is not None and self._imported.X.shape[1] == 2
        return _builtin_traits(self.dataset_combo.currentData())[0]

    def _update_data_widgets(self) -> None:
        builtin = self.dataset_combo.currentData() != CSV_ITEM
        uses_noise = builtin and _builtin_traits(self.dataset_combo.currentData())[1]
        self.noise_slider.setEnabled(uses_noise)
        self.noise_spin.setEnabled(uses_noise)
        self.regenerate_button.setEnabled(builtin)
        planar = self._planar()
        for box in self.feature_checks.values():
            box.setEnabled(planar)
        self._features_label.setEnabled(planar)

    def _on_dataset_changed(self, _index: int) -> None:
        self._update_data_widgets()
        self._request_data()

    def _on_noise_slider_changed(self, value: int) -> None:
        with QtCore.QSignalBlocker(self.noise_spin):
            self.noise_spin.setValue(value / 100)
        self._request_data(debounce=True)

    def _on_noise_spin_changed(self, value: float) -> None:
        with QtCore.QSignalBlocker(self.noise_slider):
            self.noise_slider.setValue(round(value * 100))
        self._request_data(debounce=True)

    def _on_test_slider_changed(self, value: int) -> None:
        with QtCore.QSignalBlocker(self.test_spin):
            self.test_spin.setValue(value / 100)
        self._request_data(debounce=True)

    def _on_test_spin_changed(self, value: float) -> None:
        with QtCore.QSignalBlocker(self.test_slider):
            self.test_slider.setValue(round(value * 100))
        self._request_data(debounce=True)

    def _on_full_batch_toggled(self, full: bool) -> None:
        self.batch_spin.setEnabled(not full)
        self._request_data()

    def _on_feature_toggled(self, name: str, checked: bool) -> None:
        if self._updating:
            return
        if not checked and not any(box.isChecked() for box in self.feature_checks.values()):
            with QtCore.QSignalBlocker(self.feature_checks[name]):
                self.feature_checks[name].setChecked(True)
            self._on_refused("features: at least one input feature must stay on")
            return
        self._request_data()

    def _on_regenerate_clicked(self) -> None:
        self._data = replace(self._data, seed=self._data.seed + 1)
        self._request_data()

    def _on_import_clicked(self) -> None:
        from nnviz.gui.csv_dialog import import_csv  # only needed when the user imports

        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Import CSV data", "",
                                                        "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if not path:
            return
        dataset = import_csv(self, path)
        if dataset is None:
            return
        self._imported = dataset
        self._set_dataset_csv_item(dataset)

    def _set_dataset_csv_item(self, dataset: Dataset) -> None:
        """Show imported rows in the dataset combo and emit the data change."""
        combo = self.dataset_combo
        index = combo.findData(CSV_ITEM)
        with QtCore.QSignalBlocker(combo):
            if index < 0:
                combo.addItem("", CSV_ITEM)
                index = combo.count() - 1
            combo.setItemText(index, f"{dataset.name} (CSV)")
            combo.setItemData(index, f"Imported from a CSV file: {dataset!r}", Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(index)
        self._update_data_widgets()
        self._request_data()

    # -- slots: architecture ------------------------------------------------------------------------
    def _add_row(self, spec: dict) -> LayerRow:
        row = LayerRow(spec, len(self.layer_rows) + 1)
        row.changed.connect(self._on_row_changed)
        row.remove_requested.connect(self._on_remove_requested)
        self.layer_rows.append(row)
        self.rows_layout.addWidget(row)
        return row

    def _update_add_button(self) -> None:
        self.add_layer_button.setEnabled(len(self.layer_rows) < MAX_HIDDEN_LAYERS)

    def _on_row_changed(self, debounce: bool) -> None:
        self._request_layers(debounce)

    def _on_add_layer_clicked(self) -> None:
        dense = [r for r in self.layer_rows if _takes_init(r.kind()[0])]
        units = dense[-1].units_spin.value() if dense else 4
        activation = dense[-1].activation_combo.currentData() if dense else "tanh"
        self._add_row({"type": "dense", "units": units, "activation": activation})
        self._update_add_button()
        self._request_layers()

    def _on_remove_requested(self, row: LayerRow) -> None:
        self.layer_rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for i, other in enumerate(self.layer_rows, start=1):
            other.set_index(i)
        self._update_add_button()
        self._request_layers()

    def _on_init_changed(self, _index: int) -> None:
        if self._updating:
            return
        # A chosen initialiser applies to every dense/glu layer, replacing any loaded per-layer ones.
        self._init_spec = self.init_combo.currentData()
        for row in self.layer_rows:
            row.init_spec = None
        self._output_spec.pop("init", None)
        self._request_layers()

    # -- slots: training ----------------------------------------------------------------------------
    def _on_optimizer_changed(self, _index: int) -> None:
        if self._updating:
            return
        self._show_optimizer_options(self.optimizer_combo.currentData(), {})
        self._request_training("optimizer")

    def _on_optimizer_option_changed(self, debounce: bool) -> None:
        self._request_training("optimizer", debounce)

    def _on_schedule_changed(self, _index: int) -> None:
        if self._updating:
            return
        self._show_schedule_options(self.schedule_combo.currentData(), {})
        self._request_training("schedule")

    def _on_clip_toggled(self, on: bool) -> None:
        self.clip_edit.setEnabled(on)
        self._request_training("clip_grad_norm")

    def _on_speed_changed(self, _index: int) -> None:
        if not self._updating:
            self.speed_changed.emit(int(self.speed_combo.currentData()))

    def _on_refused(self, message: str) -> None:
        self._show_message(message)
        self.input_refused.emit(message)

    def _show_message(self, message: str) -> None:
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))


def main() -> None:  # pragma: no cover - a quick look by hand
    import sys

    from nnviz.core.experiment import default_document

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    panel = ControlsPanel()
    panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
    for name in ("data_changed", "layers_changed", "training_changed", "speed_changed", "input_refused"):
        getattr(panel, name).connect(functools.partial(lambda n, value: print(f"{n}: {value!r}", flush=True), name))
    panel.setWindowTitle("nnviz controls")
    panel.resize(320, 900)
    panel.show()
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
