"""The pieces every section of the sidebar is made of: number parsing, small widget factories, the
number fields, and :class:`Section` (a foldable group that emits its changes debounced)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.document import check_option
from nnviz.core.errors import ModelError
from nnviz.core.numbers import format_typed
from nnviz.gui.i18n import tr

#: milliseconds of quiet before a dragged spin box or slider emits its change
DEBOUNCE_MS = 150


# -- numbers -------------------------------------------------------------------------------------
def parse_number(text: str, kind: str, where: str) -> float | None:
    """Parse typed text as a number of a core option kind (see ``check_option``); raise ModelError.
    ``beta`` is one of Adam's betas, in [0, 1)."""
    text = text.strip()
    if kind.endswith("|null") and not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ModelError(tr("{where}: {text} is not a number").format(where=where, text=repr(text))) from None
    if kind == "beta":
        check_option("betas", [value, 0.0], where)
        return value
    return check_option(kind.removesuffix("|null"), value, where)


def split_spec(spec) -> tuple[str, dict]:
    """``"name"`` or ``{"name": ..., options}`` -> (name, options)."""
    if isinstance(spec, dict):
        return spec["name"], {k: v for k, v in spec.items() if k != "name"}
    return spec, {}


def tooltips(registry) -> dict[str, str]:
    """name -> tooltip of every kind in a core registry, as it is now, in the application's language."""
    return {name: tr(cls.tooltip) for name, cls in registry.items()}


# -- small widgets -------------------------------------------------------------------------------
def with_tip(widget: QtWidgets.QWidget, text: str) -> QtWidgets.QWidget:
    """``widget`` with the tooltip ``text`` (an editable combo's line edit too); returns it."""
    widget.setToolTip(text)
    if isinstance(widget, QtWidgets.QComboBox) and widget.lineEdit() is not None:
        widget.lineEdit().setToolTip(text)
    return widget


def elide_words(text: str, metrics: QtGui.QFontMetrics, width: int) -> str:
    """``text`` if it fits ``width`` pixels, else whole words cut with "…": the first words that fit,
    and a closing "(…)" part (a data set's kind) kept — never a word cut in two."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    tail = words.pop() if len(words) > 1 and words[-1].startswith("(") else ""
    ending = f" … {tail}" if tail else " …"
    while words:
        candidate = " ".join(words) + ending
        if metrics.horizontalAdvance(candidate) <= width or len(words) == 1:
            return candidate
        words.pop()
    return text


class WordElidingComboBox(QtWidgets.QComboBox):
    """A combo that shortens a long current text at word boundaries ("Two-two-one worked … (rows)")
    instead of cutting it mid-word; the whole text is its tooltip and in the open list."""

    def elided_text(self) -> str:
        """The current text as drawn in the closed combo."""
        option = QtWidgets.QStyleOptionComboBox()
        self.initStyleOption(option)
        rect = self.style().subControlRect(QtWidgets.QStyle.ComplexControl.CC_ComboBox, option,
                                           QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, self)
        return elide_words(self.currentText(), self.fontMetrics(), rect.width() - 4)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QtWidgets.QStylePainter(self)
        option = QtWidgets.QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QtWidgets.QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.elided_text()
        painter.drawControl(QtWidgets.QStyle.ControlElement.CE_ComboBoxLabel, option)


def combo_box(items, tips: dict | None = None, tip: str = "", eliding: bool = False) -> QtWidgets.QComboBox:
    """A compact combo whose item texts are ``items`` (item data too), each with its own tooltip;
    ``eliding``: a long current text is shortened at word boundaries (:class:`WordElidingComboBox`)."""
    combo = WordElidingComboBox() if eliding else QtWidgets.QComboBox()
    combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    for i, item in enumerate(items):
        combo.addItem(str(item), item)
        if tips and item in tips:
            combo.setItemData(i, tips[item], Qt.ItemDataRole.ToolTipRole)
    with_tip(combo, tip)
    return combo


def select(combo: QtWidgets.QComboBox, data) -> None:
    """Make the item whose data is ``data`` current, if there is one."""
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def spin_box(lo: int, hi: int, value: int, tip: str) -> QtWidgets.QSpinBox:
    spin = QtWidgets.QSpinBox()
    spin.setRange(lo, hi)
    spin.setValue(value)
    spin.setAccelerated(True)
    return with_tip(spin, tip)


def fraction_box(hi: float, tip: str, prefix: str = "") -> QtWidgets.QDoubleSpinBox:
    """A spin box for a number in [0, ``hi``] in steps of 0.05 (noise, test split, dropout's p)."""
    spin = QtWidgets.QDoubleSpinBox()
    spin.setRange(0.0, hi)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setPrefix(prefix)
    return with_tip(spin, tip)


def side_by_side(*widgets, stretch_last: bool = False) -> QtWidgets.QWidget:
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


def set_invalid(widget: QtWidgets.QWidget, editor: QtWidgets.QLineEdit, message: str | None, tip: str) -> None:
    """Mark a field invalid (light red, the message as its tooltip) or valid again."""
    invalid = message is not None
    widget.setProperty("invalid", invalid)
    palette = editor.palette() if invalid else QtWidgets.QApplication.palette(editor)
    if invalid:
        palette.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor("#fde0e0"))
        palette.setColor(QtGui.QPalette.ColorRole.Text, QtGui.QColor("#b71c1c"))
    editor.setPalette(palette)
    with_tip(widget, f"{message}\n\n{tip}" if invalid else tip)
    editor.setToolTip(widget.toolTip())


# -- number fields -------------------------------------------------------------------------------
class NumberEdit(QtWidgets.QLineEdit):
    """A line edit for one number of a core option kind, committed on Enter or focus loss.

    A valid value that differs from the last one is emitted as ``committed``; anything else is
    emitted as ``refused`` (with a one-line message), and the field shows its value again, in red
    with the message as its tooltip. :meth:`set_value` shows the value in force (after a command
    the worker refused, say), which is then the value a typed one is compared with."""

    committed = Signal(object)
    refused = Signal(str)

    def __init__(self, kind: str, where: str, value, tip: str, parent=None):
        super().__init__(parent)
        self.kind, self.where, self.tip = kind, where, tip
        self._value = value
        self.setText("" if value is None else format_typed(value))
        self.setMaximumWidth(90)
        with_tip(self, tip)
        self.editingFinished.connect(self.commit)

    def value(self):
        return self._value

    def set_value(self, value) -> None:
        self._value = value
        self.setText("" if value is None else format_typed(value))
        set_invalid(self, self, None, self.tip)

    def commit(self) -> None:
        """Judge the typed text: emit ``committed`` or ``refused`` (nothing if it is the value)."""
        try:
            value = parse_number(self.text(), self.kind, self.where)
        except ModelError as exc:
            self.set_value(self._value)
            set_invalid(self, self, str(exc), self.tip)
            self.refused.emit(str(exc))
            return
        set_invalid(self, self, None, self.tip)
        self.setText("" if value is None else format_typed(value))
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
            self.addItem(format_typed(preset), float(preset))
        self._value = None
        self._last_text = ""
        self.set_value(value)
        with_tip(self, tip)
        self.lineEdit().editingFinished.connect(self.commit)
        self.textActivated.connect(self.commit)

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        with QtCore.QSignalBlocker(self):
            self._value = value
            index = self.findData(float(value))
            if index >= 0:
                self.setCurrentIndex(index)
            self.setEditText(format_typed(value))
        self._last_text = self.currentText()
        set_invalid(self, self.lineEdit(), None, self.tip)

    def commit(self, *_) -> None:
        """Judge the typed text: emit ``committed`` or ``refused`` (nothing if it is unchanged)."""
        # Enter fires both editingFinished and (for a listed value) textActivated: judge each text
        # once. The text judged last is the value's own (set_value), so a refused or reverted text
        # is judged again when it is entered again.
        text = self.currentText()
        if text == self._last_text:
            return
        try:
            value = parse_number(text, self.kind, self.where)
        except ModelError as exc:
            self.set_value(self._value)
            set_invalid(self, self.lineEdit(), str(exc), self.tip)
            self.refused.emit(str(exc))
            return
        changed = value != self._value
        self.set_value(value)
        if changed:
            self.committed.emit(value)


# -- a section of the sidebar --------------------------------------------------------------------
class Section(QtWidgets.QWidget):
    """A titled group of controls whose body (a form) folds away when its header is clicked.

    A section shows the state it is given without emitting (its ``set_state`` fills the widgets
    inside :meth:`_filling`) and emits what the user asks for. Handlers call :meth:`_request` with
    the key of what changed; the keys gather and go to :meth:`_emit_changes` at once, or after
    ``DEBOUNCE_MS`` of quiet (so dragging a spin box does not rebuild the network on every tick).
    ``input_refused(str)``: a typed value was refused."""

    input_refused = Signal(str)

    def __init__(self, title: str, tip: str, parent=None):
        super().__init__(parent)
        self._updating = False  # True while set_state fills the widgets: handlers do nothing
        self._pending: set[str] = set()
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

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
        with_tip(self.header, tr("{tip} (click to fold)").format(tip=tip))
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

    def flush(self) -> None:
        """Emit the pending (debounced) changes now, if any."""
        self._timer.stop()
        if self._pending:
            keys, self._pending = self._pending, set()
            self._emit_changes(keys)

    def _emit_changes(self, keys: set[str]) -> None:
        """Emit what the user changed; ``keys`` name the requested changes."""
        raise NotImplementedError

    def _request(self, key: str = "", debounce: bool = False) -> None:
        if self._updating:
            return
        self._pending.add(key)
        if debounce:
            self._timer.start()
        else:
            self.flush()

    @contextlib.contextmanager
    def _filling(self) -> Iterator[None]:
        """While set_state fills the widgets: handlers do nothing, nothing is emitted, and changes
        still pending are dropped (the state shown replaces them)."""
        self._updating = True
        try:
            with QtCore.QSignalBlocker(self):
                yield
        finally:
            self._updating = False
            self._timer.stop()
            self._pending.clear()

    def _on_refused(self, message: str) -> None:
        self.input_refused.emit(message)

    def _on_header_toggled(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.header.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
