"""The sidebar: the Data, Architecture and Training sections in one scrolling column, with the
message of the last refused value below them (see the package docstring)."""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.experiment import DataConfig
from nnviz.gui.accessibility import name_controls
from nnviz.gui.controls.architecture import ArchitectureSection
from nnviz.gui.controls.data import DataSection
from nnviz.gui.controls.training import TrainingSection
from nnviz.gui.controls.widgets import NumberCombo, NumberEdit
from nnviz.gui.i18n import tr
from nnviz.gui.style import on_window, palette_style

#: section attribute -> the controls of that section the panel also offers as its own
#: (``panel.lr_combo`` is ``panel.training_section.lr_combo``): what the window and tests drive
SECTION_CONTROLS = {
    "data_section": ("dataset_combo", "noise_slider", "noise_spin", "test_slider", "test_spin", "batch_spin",
                     "full_batch_check", "feature_checks", "regenerate_button", "import_button"),
    "architecture_section": ("inputs_label", "layer_rows", "add_layer_button", "output_type_label",
                             "output_units", "output_activation_combo", "init_combo"),
    "training_section": ("loss_combo", "optimizer_combo", "optimizer_fields", "lr_combo", "schedule_combo",
                         "schedule_fields", "warmup_spin", "l1_combo", "l2_combo", "clip_check", "clip_edit",
                         "seed_spin", "speed_combo"),
}


def _offering_section_controls(cls):
    """Class decorator: each name of :data:`SECTION_CONTROLS` as a read-only property of ``cls``."""
    for section, names in SECTION_CONTROLS.items():
        for name in names:
            setattr(cls, name, property(lambda self, s=section, n=name: getattr(getattr(self, s), n),
                                        doc=f"``{section}.{name}``"))
    return cls


@_offering_section_controls
class ControlsPanel(QtWidgets.QWidget):
    """The sidebar of data, architecture and training controls (see the package docstring)."""

    data_changed = Signal(object)
    layers_changed = Signal(list)
    training_changed = Signal(dict)
    speed_changed = Signal(int)
    input_refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data_section = DataSection()
        self.architecture_section = ArchitectureSection()
        self.training_section = TrainingSection()
        content = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        changes = ((self.data_section.data_changed, self.data_changed),
                   (self.architecture_section.layers_changed, self.layers_changed),
                   (self.training_section.training_changed, self.training_changed))
        for change, panel_signal in changes:
            change.connect(lambda _: self._show_message(""))  # an accepted change clears the last refusal
            change.connect(panel_signal)
        self.training_section.speed_changed.connect(self.speed_changed)
        for section in self.sections():
            section.input_refused.connect(self._on_refused)
            column.addWidget(section)
        self.message_label = QtWidgets.QLabel()
        self.message_label.setWordWrap(True)
        palette_style(self.message_label, lambda: f"color: {on_window('#b71c1c')};")
        self.message_label.setToolTip(tr("Why the last typed value was refused"))
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
        name_controls(self)  # rows added later name themselves (layer rows, option forms)

    def sections(self) -> tuple[DataSection, ArchitectureSection, TrainingSection]:
        """The sections, top to bottom."""
        return self.data_section, self.architecture_section, self.training_section

    # -- state in and out --------------------------------------------------------------------------
    def set_state(self, document: dict, data: DataConfig, input_names: tuple, outputs: int,
                  held_out: bool = True, rows: int = 0, unsplit: str = "") -> None:
        """Show a model document and data configuration; emits nothing and drops pending changes.
        ``held_out`` False: the data are too few to hold test rows out, all ``rows`` are trained on
        (``unsplit`` says why, in the core's words)."""
        self.data_section.set_state(data, held_out, rows, unsplit)
        self.architecture_section.set_state(document, tuple(input_names), int(outputs))
        self.training_section.set_state(document)
        self._show_message("")

    def set_speed(self, steps: int) -> None:
        """Show a speed (steps per second, 0 = max) without emitting."""
        self.training_section.set_speed(steps)

    def data_config(self) -> DataConfig:
        """The data configuration the widgets show."""
        return self.data_section.data_config()

    def layer_specs(self) -> list[dict]:
        """Hidden layers then the output layer, in the model-document form."""
        return self.architecture_section.layer_specs()

    def flush(self) -> None:
        """Emit every pending change now: a number typed but not yet entered (it is in the field with
        the focus), then the debounced changes; so Play, Step and Reset apply what the controls show."""
        field = QtWidgets.QApplication.focusWidget()
        if field is not None and isinstance(field.parentWidget(), NumberCombo):  # the combo's line edit
            field = field.parentWidget()
        if isinstance(field, (NumberEdit, NumberCombo)) and self.isAncestorOf(field):
            field.commit()
        for section in self.sections():
            section.flush()

    # -- messages --------------------------------------------------------------------------------------
    def _on_refused(self, message: str) -> None:
        self._show_message(message)
        self.input_refused.emit(message)

    def _show_message(self, message: str) -> None:
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))


def main() -> None:  # pragma: no cover - a quick look by hand
    """Show the sidebar alone with the default model; print what it emits."""
    import sys

    from nnviz.core.experiment import default_document

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv)
    panel = ControlsPanel()
    panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
    for name in ("data_changed", "layers_changed", "training_changed", "speed_changed", "input_refused"):
        getattr(panel, name).connect(lambda value, name=name: print(f"{name}: {value!r}", flush=True))
    panel.setWindowTitle(tr("nnviz controls"))
    panel.resize(320, 900)
    panel.show()
    sys.exit(app.exec())
