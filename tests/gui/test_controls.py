"""The sidebar: set_state shows a document silently, and each control emits what Experiment takes."""

import contextlib
from dataclasses import replace

import numpy as np
import pytest
from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.datasets import BUILTIN, FEATURES, Dataset
from nnviz.core.experiment import DataConfig, Experiment, default_document
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.layers import LAYERS, Dense
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.gui.controls import SPEEDS, ControlsPanel, layer_choices

SIGNALS = ("data_changed", "layers_changed", "training_changed", "speed_changed", "input_refused")


@pytest.fixture
def panel(qtbot):
    widget = ControlsPanel()
    qtbot.addWidget(widget)
    widget.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
    widget.show()
    return widget


@pytest.fixture
def emitted(panel):
    """Every emission of every panel signal, as (signal name, value)."""
    log = []
    for name in SIGNALS:
        getattr(panel, name).connect(lambda value, name=name: log.append((name, value)))
    return log


@contextlib.contextmanager
def nothing_emitted(qtbot, panel):
    with contextlib.ExitStack() as stack:
        for name in SIGNALS:
            stack.enter_context(qtbot.assertNotEmitted(getattr(panel, name), wait=0))
        yield


def select(combo: QtWidgets.QComboBox, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered"
    combo.setCurrentIndex(index)


def type_into(qtbot, edit: QtWidgets.QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def only(log, name):
    values = [value for n, value in log if n == name]
    assert len(values) == 1, log
    return values[0]


# -- set_state ----------------------------------------------------------------------------------------
def test_set_state_fills_every_control_and_emits_nothing(qtbot):
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    doc = default_document()
    with nothing_emitted(qtbot, panel):
        panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)
        panel.flush()  # nothing is pending either
    assert panel.dataset_combo.currentText() == "circle"
    assert [r.type_combo.currentText() for r in panel.layer_rows] == ["dense", "dense"]
    assert [r.units_spin.value() for r in panel.layer_rows] == [4, 2]
    assert [r.activation_combo.currentText() for r in panel.layer_rows] == ["tanh", "tanh"]
    assert panel.output_units.value() == 1 and panel.output_units.isReadOnly()
    assert panel.output_activation_combo.currentText() == "sigmoid"
    assert panel.init_combo.currentText() == "xavier_uniform"
    assert panel.lr_combo.currentText() == "0.03"
    assert panel.optimizer_combo.currentText() == "sgd"
    assert panel.loss_combo.currentText() == "bce"
    assert panel.test_spin.value() == 0.5 and panel.batch_spin.value() == 10
    assert not panel.full_batch_check.isChecked()
    assert [n for n, box in panel.feature_checks.items() if box.isChecked()] == ["x1", "x2"]
    assert not panel.clip_check.isChecked()
    # What the panel would emit is exactly what it was given.
    assert panel.layer_specs() == doc["layers"]
    assert panel.data_config() == DataConfig()


def test_set_state_from_a_trained_experiment_round_trips(qtbot):
    exp = Experiment(data=DataConfig(dataset="xor2d", noise=0.2, batch_size=None, features=("x1", "x2", "x1*x2")))
    exp.set_training(optimizer={"name": "adam", "lr": 0.01, "amsgrad": True}, clip_grad_norm=2.0,
                     regularization={"l1": 0.0, "l2": 0.003}, schedule={"name": "cosine", "t_max": 500},
                     seed=7)
    exp.set_layers([{"type": "glu", "units": 3, "variant": "geglu", "init": "he_normal"},
                    {"type": "batchnorm", "momentum": 0.2}, {"type": "dropout", "p": 0.25},
                    {"type": "dense", "units": 1, "activation": "sigmoid", "init": "he_normal"}])
    exp.run(3)
    doc = exp.to_document()  # with weights and optimizer state
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    with nothing_emitted(qtbot, panel):
        panel.set_state(doc, exp.data, exp.input_names, exp.net.outputs)
    assert [r.type_combo.currentText() for r in panel.layer_rows] == ["geglu", "batchnorm", "dropout"]
    assert panel.layer_rows[2].p_spin.value() == 0.25
    assert panel.inputs_label.text() == "3: x1, x2, x1*x2"
    assert panel.full_batch_check.isChecked() and not panel.batch_spin.isEnabled()
    assert panel.noise_spin.value() == 0.2 and panel.noise_slider.value() == 20
    assert panel.optimizer_combo.currentText() == "adam"
    assert panel.optimizer_fields["amsgrad"].isChecked()
    assert panel.lr_combo.currentText() == "0.01"
    assert panel.schedule_combo.currentText() == "cosine"
    assert panel.schedule_fields["t_max"].value() == 500
    assert panel.l2_combo.currentText() == "0.003"
    assert panel.clip_check.isChecked() and panel.clip_edit.text() == "2"
    assert panel.seed_spin.value() == 7
    specs = panel.layer_specs()
    assert specs == [{"type": "glu", "units": 3, "variant": "geglu", "init": "he_normal"},
                     {"type": "batchnorm", "momentum": 0.2}, {"type": "dropout", "p": 0.25},
                     {"type": "dense", "units": 1, "activation": "sigmoid", "init": "he_normal"}]
    exp.set_layers(specs)  # the panel's output is what the experiment takes


def test_a_new_state_shows_its_layers_in_the_rows_there_are(qtbot, panel):
    """The rows a state finds are filled in (building one takes ~5 ms, a state came with every
    command); one is added or removed only as the count of hidden layers changes."""
    rows = list(panel.layer_rows)
    doc = default_document()
    doc["layers"] = [{"type": "dropout", "p": 0.3}, {"type": "dense", "units": 7, "activation": "relu"},
                     {"type": "layernorm"}, doc["layers"][-1]]
    with nothing_emitted(qtbot, panel):
        panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)
    assert panel.layer_rows[:2] == rows  # the same two rows, showing other layers
    assert [r.type_combo.currentText() for r in panel.layer_rows] == ["dropout", "dense", "layernorm"]
    assert panel.layer_rows[0].p_spin.value() == 0.3 and panel.layer_rows[1].units_spin.value() == 7
    assert [r.index_label.text() for r in panel.layer_rows] == ["1", "2", "3"]
    assert panel.layer_rows[2].type_combo.accessibleName() == "Layer 3 type"
    assert [spec["type"] for spec in panel.layer_specs()] == ["dropout", "dense", "layernorm", "dense"]
    panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
    assert panel.layer_rows == rows and panel.layer_specs() == default_document()["layers"]


def test_a_state_with_the_same_optimizer_keeps_its_fields_and_shows_its_values(qtbot, panel):
    doc = default_document()
    doc["optimizer"] = {"name": "adam", "lr": 0.01, "betas": [0.8, 0.99]}
    panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)
    fields = dict(panel.optimizer_fields)
    doc["optimizer"] = {"name": "adam", "lr": 0.02, "betas": [0.7, 0.9], "amsgrad": True}
    with nothing_emitted(qtbot, panel):
        panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)
    assert panel.optimizer_fields == fields  # the same widgets
    assert [e.value() for e in fields["betas"].edits] == [0.7, 0.9] and fields["amsgrad"].isChecked()
    assert fields["eps"].value() == OPTIMIZERS["adam"].OPTIONS["eps"][1]  # an option left out: its default
    assert panel.training_section._training_value("optimizer") == {"name": "adam", "lr": 0.02, "eps": 1e-8,
                                                                      "weight_decay": 0.0,
                                                                   "betas": [0.7, 0.9], "amsgrad": True}


def test_set_state_with_imported_csv_rows(qtbot):
    rng = np.random.default_rng(0)
    rows = Dataset(rng.normal(size=(30, 3)), rng.integers(0, 2, 30), "mine", "classification",
                   ("a", "b", "c"), ("label",))
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    with nothing_emitted(qtbot, panel):
        panel.set_state(default_document(), DataConfig(imported=rows, dataset="mine"), ("a", "b", "c"), 1)
    assert panel.dataset_combo.currentText() == "mine (CSV)"
    assert not any(box.isEnabled() for box in panel.feature_checks.values())  # not 2-D data
    assert not panel.noise_slider.isEnabled() and not panel.regenerate_button.isEnabled()
    assert panel.data_config().imported is rows


# -- data ----------------------------------------------------------------------------------------------
def test_every_builtin_dataset_is_offered(panel):
    assert [panel.dataset_combo.itemData(i) for i in range(panel.dataset_combo.count())] == list(BUILTIN)


def test_changing_the_dataset_emits_the_new_data_config(qtbot, panel):
    with qtbot.waitSignal(panel.data_changed, timeout=1000) as blocker:
        select(panel.dataset_combo, "spiral")
    assert blocker.args[0] == replace(DataConfig(), dataset="spiral")
    Experiment().set_data(blocker.args[0])


def test_one_dimensional_data_disables_the_features(qtbot, panel, emitted):
    select(panel.dataset_combo, "square")
    assert only(emitted, "data_changed").dataset == "square"
    assert not any(box.isEnabled() for box in panel.feature_checks.values())
    select(panel.dataset_combo, "and")
    assert all(box.isEnabled() for box in panel.feature_checks.values())
    assert not panel.noise_slider.isEnabled()  # the truth tables have no noise


def test_unchecking_a_feature_emits_the_others(qtbot, panel):
    with qtbot.waitSignal(panel.data_changed, timeout=1000) as blocker:
        panel.feature_checks["x2"].click()
    assert blocker.args[0].features == ("x1",)
    with qtbot.waitSignal(panel.data_changed, timeout=1000) as blocker:
        panel.feature_checks["sin x2"].click()
    assert blocker.args[0].features == ("x1", "sin x2")  # in FEATURES order


def test_unchecking_the_last_feature_is_refused(qtbot, panel):
    panel.set_state(default_document(), DataConfig(features=("x1",)), ("x1",), 1)
    with qtbot.assertNotEmitted(panel.data_changed, wait=0), \
            qtbot.waitSignal(panel.input_refused, timeout=1000) as refused:
        panel.feature_checks["x1"].click()
    assert panel.feature_checks["x1"].isChecked()
    assert "at least one" in refused.args[0]
    assert panel.message_label.isVisible() and "at least one" in panel.message_label.text()


def test_feature_checkboxes_match_the_core(panel):
    assert list(panel.feature_checks) == list(FEATURES)


def test_noise_and_split_are_debounced_until_flushed(qtbot, panel, emitted):
    panel.noise_slider.setValue(20)
    panel.noise_slider.setValue(30)
    panel.test_spin.setValue(0.25)
    assert emitted == []  # not yet: the user may still be dragging
    assert panel.noise_spin.value() == 0.3 and panel.test_slider.value() == 25
    panel.flush()
    data = only(emitted, "data_changed")
    assert (data.noise, data.test_fraction) == (0.3, 0.25)
    panel.flush()
    assert len(emitted) == 1  # nothing left pending


def test_debounced_change_is_emitted_by_the_timer(qtbot, panel):
    with qtbot.waitSignal(panel.data_changed, timeout=2000) as blocker:
        panel.batch_spin.setValue(32)
    assert blocker.args[0].batch_size == 32


def test_full_batch_and_regenerate(qtbot, panel, emitted):
    panel.full_batch_check.click()
    assert only(emitted, "data_changed").batch_size is None
    assert not panel.batch_spin.isEnabled()
    emitted.clear()
    panel.regenerate_button.click()
    data = only(emitted, "data_changed")
    assert data.seed == 1 and data.batch_size is None


# -- architecture ---------------------------------------------------------------------------------------
def test_adding_a_layer_emits_one_more_hidden_layer(qtbot, panel):
    with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
        panel.add_layer_button.click()
    layers = blocker.args[0]
    assert len(layers) == 4 and len(panel.layer_rows) == 3
    assert layers[:2] == default_document()["layers"][:2]
    assert layers[2] == {"type": "dense", "units": 2, "activation": "tanh", "init": "xavier_uniform"}
    assert layers[3] == default_document()["layers"][-1]
    Experiment().set_layers(layers)


def test_removing_a_layer(qtbot, panel):
    with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
        panel.layer_rows[0].remove_button.click()
    assert blocker.args[0] == default_document()["layers"][1:]
    assert len(panel.layer_rows) == 1 and panel.layer_rows[0].index_label.text() == "1"


def test_changing_a_layers_activation(qtbot, panel):
    with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
        select(panel.layer_rows[1].activation_combo, "relu")
    assert blocker.args[0][1] == {"type": "dense", "units": 2, "activation": "relu", "init": "xavier_uniform"}


@pytest.mark.parametrize("choice, expected", [
    ("swiglu", {"type": "glu", "units": 4, "variant": "swiglu", "activation": "tanh", "init": "xavier_uniform"}),
    ("batchnorm", {"type": "batchnorm", "activation": "tanh"}),
    ("dropout", {"type": "dropout", "p": 0.5}),
])
def test_changing_a_layers_type(qtbot, panel, choice, expected):
    row = panel.layer_rows[0]
    with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
        select(row.type_combo, choice)
    assert blocker.args[0][0] == expected
    assert row.units_spin.isVisible() == (choice == "swiglu")
    assert row.p_spin.isVisible() == (choice == "dropout")
    Experiment().set_layers(blocker.args[0])


def test_units_are_debounced_and_coalesced(qtbot, panel, emitted):
    for units in (5, 6, 7):
        panel.layer_rows[0].units_spin.setValue(units)
    assert emitted == []
    panel.flush()
    assert only(emitted, "layers_changed")[0]["units"] == 7


def test_choices_cover_the_core(panel):
    row = panel.layer_rows[0]
    assert [row.type_combo.itemText(i) for i in range(row.type_combo.count())] == [c for c, _, _ in layer_choices()]
    assert {"dense", "glu", "swiglu", "geglu", "batchnorm", "layernorm", "rmsnorm", "dropout"} == \
        {c for c, _, _ in layer_choices()}
    assert [row.activation_combo.itemText(i) for i in range(row.activation_combo.count())] == list(ACTIVATIONS)
    assert [panel.init_combo.itemText(i) for i in range(panel.init_combo.count())] == list(INITIALIZERS)
    assert [panel.loss_combo.itemText(i) for i in range(panel.loss_combo.count())] == list(LOSSES)
    assert [panel.optimizer_combo.itemText(i) for i in range(panel.optimizer_combo.count())] == list(OPTIMIZERS)


def test_a_layer_type_registered_later_is_offered_with_its_tooltip(qtbot):
    class Wide(Dense):
        type = "wide"
        tooltip = "wide: a dense layer by another name"

    with LAYERS.registered(Wide):
        panel = ControlsPanel()
        qtbot.addWidget(panel)
        panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
        combo = panel.layer_rows[0].type_combo
        index = combo.findData("wide")
        assert index >= 0 and combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == Wide.tooltip
        with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
            combo.setCurrentIndex(index)
        assert blocker.args[0][0]["type"] == "wide"
    assert "wide" not in [c for c, _, _ in layer_choices()]


def test_each_section_works_alone(qtbot):
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1)
    training = panel.training_section
    assert panel.lr_combo is training.lr_combo and panel.layer_rows is panel.architecture_section.layer_rows
    with qtbot.waitSignal(training.training_changed, timeout=1000) as blocker:
        select(training.loss_combo, "mse")
    assert blocker.args == [{"loss": "mse"}]
    with qtbot.waitSignal(panel.data_section.data_changed, timeout=1000) as blocker:
        select(panel.data_section.dataset_combo, "gauss")
    assert blocker.args[0].dataset == "gauss"


def test_initialiser_applies_to_every_dense_layer(qtbot, panel):
    with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
        select(panel.init_combo, "he_uniform")
    assert [layer["init"] for layer in blocker.args[0]] == ["he_uniform"] * 3


def test_output_activation(qtbot, panel):
    with qtbot.waitSignal(panel.layers_changed, timeout=1000) as blocker:
        select(panel.output_activation_combo, "identity")
    assert blocker.args[0][-1] == {"type": "dense", "units": 1, "activation": "identity", "init": "xavier_uniform"}


# -- training ------------------------------------------------------------------------------------------
def test_choosing_adam_shows_its_options_and_emits_its_defaults(qtbot, panel):
    assert set(panel.optimizer_fields) == {"momentum", "dampening", "nesterov", "weight_decay"}
    with qtbot.waitSignal(panel.training_changed, timeout=1000) as blocker:
        select(panel.optimizer_combo, "adam")
    defaults = {k: list(d) if isinstance(d, tuple) else d for k, (_, d) in OPTIMIZERS["adam"].OPTIONS.items()}
    assert blocker.args[0] == {"optimizer": {**defaults, "name": "adam", "lr": 0.03}}
    assert set(panel.optimizer_fields) == {"betas", "eps", "weight_decay", "amsgrad"}
    qtbot.waitUntil(lambda: all(w.isVisible() for w in panel.optimizer_fields.values()), timeout=1000)
    assert [e.text() for e in panel.optimizer_fields["betas"].edits] == ["0.9", "0.999"]
    assert isinstance(panel.optimizer_fields["amsgrad"], QtWidgets.QCheckBox)
    exp = Experiment()
    exp.set_training(**blocker.args[0])
    assert exp.net.optimizer.name == "adam" and exp.net.lr == 0.03


def test_optimizer_option_edits_emit_the_whole_optimizer(qtbot, panel, emitted):
    type_into(qtbot, panel.optimizer_fields["momentum"], "0.9")
    assert only(emitted, "training_changed") == {"optimizer": {
        "name": "sgd", "lr": 0.03, "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}}


def test_nesterov_without_momentum_is_refused(qtbot, panel, emitted):
    panel.optimizer_fields["nesterov"].click()
    assert [n for n, _ in emitted] == ["input_refused"]
    assert "nesterov" in panel.message_label.text()


def test_typed_learning_rate_is_validated(qtbot, panel, emitted):
    edit = panel.lr_combo.lineEdit()
    type_into(qtbot, edit, "abc")
    assert [n for n, _ in emitted] == ["input_refused"]
    assert panel.lr_combo.property("invalid") is True  # red, with the reason, showing the value in force
    assert "abc" in panel.lr_combo.toolTip() and panel.lr_combo.currentText() == "0.03"
    type_into(qtbot, edit, "-1")
    assert "training_changed" not in [n for n, _ in emitted]
    emitted.clear()
    type_into(qtbot, edit, "0.1")
    assert emitted == [("training_changed", {"lr": 0.1})]
    assert panel.lr_combo.property("invalid") is False
    emitted.clear()
    type_into(qtbot, edit, "0.07")  # not one of Playground's values: taken all the same
    assert emitted == [("training_changed", {"lr": 0.07})]


def test_clipping_checkbox(qtbot, panel, emitted):
    panel.clip_check.click()
    assert emitted == [("training_changed", {"clip_grad_norm": 1.0})]
    type_into(qtbot, panel.clip_edit, "0.5")
    panel.clip_check.click()
    assert emitted[1:] == [("training_changed", {"clip_grad_norm": 0.5}),
                           ("training_changed", {"clip_grad_norm": None})]


def test_loss_regularisation_schedule_and_seed(qtbot, panel, emitted):
    select(panel.loss_combo, "mse")
    type_into(qtbot, panel.l2_combo.lineEdit(), "0.003")
    select(panel.schedule_combo, "step")
    panel.warmup_spin.setValue(10)
    panel.seed_spin.setValue(3)
    panel.flush()
    changes = [v for n, v in emitted if n == "training_changed"]
    assert changes == [{"loss": "mse"}, {"regularization": {"l1": 0.0, "l2": 0.003}},
                       {"schedule": {"name": "step", "step_size": 100, "gamma": 0.1, "warmup": 0}},
                       {"schedule": {"name": "step", "step_size": 100, "gamma": 0.1, "warmup": 10}, "seed": 3}]
    exp = Experiment()
    for change in changes:
        exp.set_training(**change)
    assert exp.document["schedule"]["warmup"] == 10


def test_speed(qtbot, panel):
    offered = [panel.speed_combo.itemText(i) for i in range(panel.speed_combo.count())]
    # steps per second, whatever the frame rate
    assert offered == ["1", "3", "10", "30", "100", "300", "1,000", "3,000", "10,000", "max"]
    with qtbot.waitSignal(panel.speed_changed, timeout=1000) as blocker:
        select(panel.speed_combo, 0)
    assert blocker.args == [0]
    with qtbot.assertNotEmitted(panel.speed_changed, wait=0):
        panel.set_speed(SPEEDS[6])
    assert panel.speed_combo.currentText() == "1,000"


# -- tooltips ------------------------------------------------------------------------------------------
CONTROL_TYPES = (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox, QtWidgets.QAbstractButton,
                 QtWidgets.QLineEdit, QtWidgets.QSlider)


def test_every_control_has_a_tooltip(qtbot, panel):
    # Show every kind of dynamic control: all layer types, Adam's options, a schedule's options.
    for choice, _, _ in layer_choices():
        panel.add_layer_button.click()
        select(panel.layer_rows[-1].type_combo, choice)
    select(panel.optimizer_combo, "adam")
    select(panel.schedule_combo, "step")
    missing = []
    for kind in CONTROL_TYPES:
        for widget in panel.findChildren(kind):
            if isinstance(widget, QtWidgets.QLineEdit) and isinstance(widget.parent(), QtWidgets.QAbstractSpinBox):
                continue  # a spin box's own editor: Qt shows the spin box's tooltip over it
            if not widget.toolTip().strip():
                missing.append(f"{type(widget).__name__} {widget.text() if hasattr(widget, 'text') else ''}")
    assert not missing
    assert len(panel.findChildren(QtWidgets.QComboBox)) > 20  # the walk did see the controls


# -- the value in force (issue 12) -------------------------------------------------------------------------
def test_a_refused_typed_number_reverts_to_the_value_in_force(qtbot, panel, emitted):
    edit = panel.lr_combo.lineEdit()
    type_into(qtbot, edit, "abc")
    assert panel.lr_combo.currentText() == "0.03" and panel.lr_combo.value() == 0.03
    assert "'abc' is not a number" in panel.message_label.text() and panel.message_label.isVisibleTo(panel)
    type_into(qtbot, edit, "abc")  # the same mistake again: refused again, not ignored
    assert [n for n, _ in emitted] == ["input_refused", "input_refused"]
    type_into(qtbot, panel.clip_edit, "x")  # disabled while clipping is off: nothing typed
    panel.clip_check.click()
    emitted.clear()
    type_into(qtbot, panel.clip_edit, "-2")
    assert panel.clip_edit.text() == "1" and panel.clip_edit.value() == 1.0
    assert [n for n, _ in emitted] == ["input_refused"]


def test_a_value_the_worker_refused_can_be_entered_again(qtbot, panel, emitted):
    """Typed 0.03 after a divergence at lr 100: if the worker refuses it, the state it sends back
    shows 100, and typing 0.03 again is a new request, not an unchanged value."""
    doc = default_document()
    doc["optimizer"]["lr"] = 100.0
    panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)
    type_into(qtbot, panel.lr_combo.lineEdit(), "0.03")
    panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)  # refused: the state in force again
    assert panel.lr_combo.currentText() == "100"
    type_into(qtbot, panel.lr_combo.lineEdit(), "0.03")
    assert [v for n, v in emitted if n == "training_changed"] == [{"lr": 0.03}, {"lr": 0.03}]


def test_a_refused_optimizer_option_reverts_to_the_optimizer_in_force(qtbot, panel, emitted):
    doc = default_document()
    doc["optimizer"] = {"name": "sgd", "lr": 0.1, "momentum": 0.5}
    panel.set_state(doc, DataConfig(), ("x1", "x2"), 1)
    type_into(qtbot, panel.optimizer_fields["momentum"], "0")
    panel.optimizer_fields["nesterov"].click()  # nesterov without momentum: refused
    assert [n for n, _ in emitted] == ["training_changed", "input_refused"]
    assert "nesterov" in panel.message_label.text()
    # the optimizer in force is still the document's: momentum 0.5, no nesterov
    assert not panel.optimizer_fields["nesterov"].isChecked()
    assert panel.optimizer_fields["momentum"].text() == "0.5" and panel.lr_combo.currentText() == "0.1"
    qtbot.waitUntil(lambda: all(w.isVisible() for w in panel.optimizer_fields.values()), timeout=1000)


def test_flush_enters_the_number_typed_in_the_focused_field(qtbot, panel, emitted):
    panel.lr_combo.setFocus()
    panel.lr_combo.lineEdit().selectAll()
    qtbot.keyClicks(panel.lr_combo.lineEdit(), "0.3")
    qtbot.waitUntil(panel.lr_combo.hasFocus, timeout=1000)
    assert emitted == []  # no Enter yet
    panel.flush()
    assert emitted == [("training_changed", {"lr": 0.3})]
    panel.flush()  # entered once
    assert len(emitted) == 1


def test_enter_in_the_seed_applies_it_at_once(qtbot, panel, emitted):
    panel.seed_spin.setFocus()
    panel.seed_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.seed_spin, "42")
    qtbot.keyClick(panel.seed_spin, Qt.Key.Key_Return)
    assert [v for n, v in emitted if n == "training_changed"] == [{"seed": 42}]  # not waiting for the debounce


def test_the_test_split_says_why_when_the_data_are_too_few_to_split(qtbot, panel):
    assert panel.test_slider.isEnabled() and panel.test_spin.isEnabled()
    assert not panel.data_section.split_note.isVisibleTo(panel)
    panel.set_state(default_document(), DataConfig(dataset="xor", test_fraction=0.5), ("x1", "x2"), 1,
                    held_out=False, rows=4)
    assert not panel.test_slider.isEnabled() and not panel.test_spin.isEnabled()
    note = panel.data_section.split_note
    assert note.isVisibleTo(panel) and note.text() == "4 points: all are used for training and testing"
    assert "all 4 are trained on" in panel.test_spin.toolTip()
    assert panel.test_spin.accessibleName() == panel.test_slider.accessibleName() == "Test split"
    # no split asked for: nothing to explain; a data set large enough: the control again
    panel.set_state(default_document(), DataConfig(dataset="xor", test_fraction=0.0), ("x1", "x2"), 1,
                    held_out=False, rows=4)
    assert panel.test_spin.isEnabled() and not note.isVisibleTo(panel)
    panel.set_state(default_document(), DataConfig(), ("x1", "x2"), 1, held_out=True, rows=250)
    assert panel.test_spin.isEnabled() and not note.isVisibleTo(panel)
    assert "held out as test data" in panel.test_spin.toolTip()


def test_controls_added_or_rebuilt_later_are_named_after_their_labels(qtbot, panel):
    panel.add_layer_button.click()
    select(panel.layer_rows[-1].type_combo, "dropout")
    select(panel.optimizer_combo, "adam")
    select(panel.schedule_combo, "step")
    panel.clip_check.click()
    kinds = (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox, QtWidgets.QAbstractButton, QtWidgets.QLineEdit,
             QtWidgets.QSlider)
    unnamed = [w for w in panel.findChildren(QtWidgets.QWidget)
               if isinstance(w, kinds) and w.isVisibleTo(panel) and not w.accessibleName()
               and not isinstance(w.parentWidget(), (QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox))]
    assert unnamed == []
    assert panel.layer_rows[-1].p_spin.accessibleName() == "Layer 3 dropout p"
    assert [e.accessibleName() for e in panel.optimizer_fields["betas"].edits] == ["betas", "betas"]
    assert panel.schedule_fields["step_size"].accessibleName() == "step size"


# -- long texts in a narrow sidebar: shortened readably, never cut mid-word or spilling over -----------
def _imported(names, name="mine", n=20):
    rng = np.random.default_rng(0)
    return Dataset(rng.normal(size=(n, len(names))), rng.integers(0, 2, n), name, "classification",
                   tuple(names), ("y",))


def test_a_long_input_list_is_shortened_to_first_and_last(qtbot):
    names = [f"x{j}" for j in range(784)]
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_state(default_document(), DataConfig(imported=_imported(names), dataset="mine"), tuple(names), 1)
    label = panel.inputs_label
    text = label.text()
    assert text.startswith("784: x0, x1") and text.endswith(", … x783")
    # it fits the label: at most two lines of its width
    metrics = label.fontMetrics()
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
    bounds = metrics.boundingRect(label.contentsRect(), flags, text)
    assert bounds.height() <= 2 * metrics.lineSpacing()
    assert label.toolTip().endswith("x782, x783")  # every name is in the tip
    # a short list stays whole
    panel.set_state(default_document(), DataConfig(imported=_imported(["a", "b", "c"]), dataset="mine"),
                    ("a", "b", "c"), 1)
    assert label.text() == "3: a, b, c"


def test_a_long_data_set_name_is_shortened_at_a_word(qtbot):
    full_name = "Two-two-one worked example with a long title"
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_state(default_document(), DataConfig(imported=_imported(["a", "b"], name=full_name),
                                                   dataset=full_name), ("a", "b"), 1)
    combo = panel.dataset_combo
    assert combo.currentText().startswith(full_name)
    shown = combo.elided_text()
    assert shown != combo.currentText(), "the combo is too narrow for the whole name"
    words = combo.currentText().split(" ")
    for word in shown.split(" "):
        assert word == "…" or word in words, f"{word!r} is a word cut in two"
    assert shown.startswith("Two-two-one")
    assert shown.endswith(combo.currentText().split(" ")[-1])  # the kind, "(rows)" or "(CSV)", is kept
    # what is drawn fits the combo's text field
    option = QtWidgets.QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QtWidgets.QStyle.ComplexControl.CC_ComboBox, option,
                                         QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, combo)
    assert combo.fontMetrics().horizontalAdvance(shown) <= field.width()
