"""The Data section: data set (built-in or imported CSV rows), noise, test split, batch size, input
scaling, and the input features of 2-D data.

Inputs far from 0 (more than :data:`~nnviz.core.scaling.LARGE_INPUT` in size, such as pixels 0-255
read from a CSV file) saturate tanh and sigmoid units and kill most ReLUs at the usual
initialisations; while such data go in unscaled, the section shows a line saying so with a button,
"Scale to [0, 1]", that chooses that scaling in one click (nothing modal: the line stays until the
data or the scaling change)."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt, Signal

from nnviz.core.datasets import BUILTIN, FEATURES, Dataset, make_dataset
from nnviz.core.experiment import DataConfig
from nnviz.core.numbers import format_significant
from nnviz.core.scaling import large_inputs
from nnviz.gui.controls.widgets import Section, combo_box, fraction_box, select, side_by_side, spin_box, with_tip
from nnviz.gui.i18n import tr
from nnviz.gui.style import muted_text, palette_style

CSV_ITEM = "__csv__"  # item data of the dataset combo's entry for imported CSV rows


def test_split_tip() -> str:
    return tr("Fraction of the points held out as test data (never trained on); 0 trains on everything")

FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                  "sin x1": "sin x₁", "sin x2": "sin x₂"}


def scaling_labels() -> dict[str, str]:
    """The input scalings as the section lists them (translated when it asks)."""
    return {"none": tr("None"), "minmax": tr("[0, 1] (min-max)"), "standard": tr("Standardise")}


def scaling_tips() -> dict[str, str]:
    return {"none": tr("The inputs go in as they are"),
            "minmax": tr("Each input mapped to [0, 1] by the lowest and highest value of the training rows "
                         "(the pixels of a picture share one scale)"),
            "standard": tr("Each input shifted by the mean and divided by the standard deviation of the "
                           "training rows (the pixels of a picture share one mean and one deviation)")}


@functools.cache
def builtin_largest(name: str) -> float | None:
    """The largest input magnitude of a built-in data set's default rows, when it is large (see
    :func:`~nnviz.core.scaling.large_inputs`), else None."""
    return large_inputs(make_dataset(name, seed=0).X)


@functools.cache
def builtin_traits(name: str) -> tuple[bool, bool]:
    """(planar, uses_noise) of a built-in data set, found by generating a few points."""
    plain = make_dataset(name, n=50, noise=0.0, seed=0)
    noisy = make_dataset(name, n=50, noise=1.0, seed=0)
    uses_noise = not (np.array_equal(plain.X, noisy.X) and np.array_equal(plain.y, noisy.y))
    return plain.X.shape[1] == 2, uses_noise


class DataSection(Section):
    """Which data the network learns and how it is fed. ``data_changed(DataConfig)``: the whole
    new configuration."""

    data_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(tr("Data"), tr("Which data the network learns and how it is fed"), parent)
        self._data = DataConfig()
        self._imported: Dataset | None = None
        form = self.form
        self.dataset_combo = combo_box(list(BUILTIN), BUILTIN, tr("The data set to learn"), eliding=True)
        self.dataset_combo.setMinimumContentsLength(12)  # "Multi Gaussian" whole in a narrow sidebar
        self.dataset_combo.setObjectName("dataset")
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_changed)
        form.addRow(tr("Data set"), self.dataset_combo)

        self.noise_slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.noise_slider.setRange(0, 100)
        with_tip(self.noise_slider, tr("Noise, on Playground's scale (its slider / 100): moves points or flips "
                                       "labels. For 'square' it is the standard deviation of the target noise. "
                                       "The truth tables, the digits and imported CSV data have none."))
        self.noise_spin = fraction_box(1.0, self.noise_slider.toolTip())
        self.noise_spin.setFixedWidth(62)
        self.noise_slider.valueChanged.connect(self._on_noise_slider_changed)
        self.noise_spin.valueChanged.connect(self._on_noise_spin_changed)
        form.addRow(tr("Noise"), side_by_side(self.noise_slider, self.noise_spin, stretch_last=True))

        self.test_slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.test_slider.setRange(0, 90)
        with_tip(self.test_slider, test_split_tip())
        self.test_spin = fraction_box(0.9, test_split_tip())
        self.test_spin.setFixedWidth(62)
        self.test_slider.valueChanged.connect(self._on_test_slider_changed)
        self.test_spin.valueChanged.connect(self._on_test_spin_changed)
        form.addRow(tr("Test split"), side_by_side(self.test_slider, self.test_spin, stretch_last=True))
        self.split_note = QtWidgets.QLabel()  # why the split is off, when the data are too few
        self.split_note.setWordWrap(True)
        palette_style(self.split_note, lambda: f"color: {muted_text().name()};")
        self.split_note.hide()
        form.addRow("", self.split_note)

        self.batch_spin = spin_box(1, 100_000, 10, tr("Batch size: training points per optimizer step"))
        self.batch_spin.setFixedWidth(72)
        self.full_batch_check = QtWidgets.QCheckBox(tr("Full batch"))
        with_tip(self.full_batch_check, tr("Use every training point in each step (batch gradient descent)"))
        self.batch_spin.valueChanged.connect(lambda _: self._request(debounce=True))
        self.full_batch_check.toggled.connect(self._on_full_batch_toggled)
        form.addRow(tr("Batch size"), side_by_side(self.batch_spin, self.full_batch_check))

        label = tr("Input scaling")
        labels, tips = scaling_labels(), scaling_tips()
        self.scaling_combo = QtWidgets.QComboBox()
        for method, text in labels.items():
            self.scaling_combo.addItem(text, method)
            self.scaling_combo.setItemData(self.scaling_combo.count() - 1, tips[method], Qt.ItemDataRole.ToolTipRole)
        with_tip(self.scaling_combo, tr("What the inputs go through before the network reads them; the numbers "
                                        "come from the training rows only and are saved with the model"))
        self.scaling_combo.setAccessibleName(label)
        self.scaling_combo.setObjectName("scaling")
        self.scaling_combo.currentIndexChanged.connect(self._on_scaling_changed)
        form.addRow(label, self.scaling_combo)

        # the offer to scale large inputs: a line and a button, shown while such inputs go in unscaled
        self.scaling_offer = QtWidgets.QFrame()
        self.scaling_offer.setObjectName("scalingOffer")
        offer = QtWidgets.QHBoxLayout(self.scaling_offer)
        offer.setContentsMargins(0, 0, 0, 0)
        self.scaling_offer_label = QtWidgets.QLabel()
        self.scaling_offer_label.setWordWrap(True)
        palette_style(self.scaling_offer_label, lambda: f"color: {muted_text().name()};")
        self.scale_button = QtWidgets.QPushButton(tr("Scale to [0, 1]"))
        self.scale_button.setAccessibleName(tr("Scale to [0, 1]"))
        with_tip(self.scale_button, tr("Scale every input to [0, 1] by the training rows' lowest and highest values"))
        self.scale_button.clicked.connect(self._on_scale_clicked)
        offer.addWidget(self.scaling_offer_label, 1)
        offer.addWidget(self.scale_button)
        self.scaling_offer.hide()
        form.addRow(self.scaling_offer)

        grid_box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(2)
        grid.setVerticalSpacing(2)
        self.feature_checks: dict[str, QtWidgets.QCheckBox] = {}
        for i, name in enumerate(FEATURES):
            box = QtWidgets.QCheckBox(FEATURE_LABELS.get(name, name))
            with_tip(box, tr("Feed the network the input feature {name} (computed from the two coordinates); "
                             "at least one must stay on. Only for 2-D data.").format(name=name))
            box.toggled.connect(functools.partial(self._on_feature_toggled, name))
            grid.addWidget(box, i // 4, i % 4)
            self.feature_checks[name] = box
        self._features_label = QtWidgets.QLabel(tr("Features"))
        form.addRow(self._features_label, grid_box)

        self.regenerate_button = QtWidgets.QPushButton(tr("Regenerate"))
        with_tip(self.regenerate_button, tr("Draw new points: the same data set with the next data seed"))
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)
        self.import_button = QtWidgets.QPushButton(tr("Import CSV…"))
        with_tip(self.import_button, tr("Load your own data from a CSV file and choose its input and target columns"))
        self.import_button.clicked.connect(self._on_import_clicked)
        form.addRow(side_by_side(self.regenerate_button, self.import_button))

    # -- state in and out --------------------------------------------------------------------------
    def set_state(self, data: DataConfig, held_out: bool = True, rows: int = 0, unsplit: str = "") -> None:
        """Show a data configuration; emits nothing and drops pending changes. ``held_out`` False
        with a test fraction: the data are too few to split, and all ``rows`` are trained on
        (``unsplit``: the reason, as the experiment gives it)."""
        with self._filling():
            self._data = data
            if data.imported is not None:
                self._imported = data.imported
                kind = tr("model") if data.inline else "CSV"
                where = (tr("The model document's own rows: {rows}") if data.inline
                         else tr("Imported from a CSV file: {rows}"))
                self._show_imported(data.imported, kind, where.format(rows=repr(data.imported)))
            else:
                select(self.dataset_combo, data.dataset)
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
            select(self.scaling_combo, data.scaling_method)
            self._update_widgets()
            self._show_split(data.test_fraction == 0 or held_out, rows, unsplit)

    def data_config(self) -> DataConfig:
        """The data configuration the widgets show."""
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
        return replace(self._data, **changes)

    def _emit_changes(self, keys: set[str]) -> None:
        self._data = self.data_config()
        self.data_changed.emit(self._data)

    # -- helpers ---------------------------------------------------------------------------------------
    def _planar(self) -> bool:
        if self.dataset_combo.currentData() == CSV_ITEM:
            return self._imported is not None and self._imported.X.shape[1] == 2
        return builtin_traits(self.dataset_combo.currentData())[0]

    def _update_widgets(self) -> None:
        builtin = self.dataset_combo.currentData() != CSV_ITEM
        uses_noise = builtin and builtin_traits(self.dataset_combo.currentData())[1]
        self.noise_slider.setEnabled(uses_noise)
        self.noise_spin.setEnabled(uses_noise)
        self.regenerate_button.setEnabled(builtin)
        planar = self._planar()
        for box in self.feature_checks.values():
            box.setEnabled(planar)
        self._features_label.setEnabled(planar)
        self._show_scaling_offer()

    def largest_input(self) -> float | None:
        """The largest input magnitude of the data shown when it is large, else None."""
        if self.dataset_combo.currentData() == CSV_ITEM:
            return large_inputs(self._imported.X) if self._imported is not None else None
        return builtin_largest(self.dataset_combo.currentData())

    def _show_scaling_offer(self) -> None:
        """Offer to scale the inputs while they are large and go in unscaled."""
        largest = self.largest_input() if self.scaling_combo.currentData() == "none" else None
        if largest is not None:
            self.scaling_offer_label.setText(
                tr("Inputs reach {value}: units saturate or die. Scale them?").format(
                    value=format_significant(largest, 3)))
        self.scaling_offer.setVisible(largest is not None)

    def _show_split(self, splits: bool, rows: int, reason: str = "") -> None:
        """Enable the test split, or disable it and say why: too few rows to hold some out."""
        why = "" if splits else tr("{rows} points: all are used for training and testing").format(rows=rows)
        reason = f"{reason[:1].upper()}{reason[1:]}. " if reason else ""  # the core's reason, in English
        tip = test_split_tip() if splits else reason + tr(
            "Too few points to hold some out as test data: all {rows} are trained on, and the scores are on "
            "them too").format(rows=rows)
        for widget in (self.test_slider, self.test_spin):
            widget.setEnabled(splits)
            with_tip(widget, tip)
        self.split_note.setText(why)
        self.split_note.setToolTip(tip)
        self.split_note.setVisible(not splits)

    def _show_imported(self, dataset: Dataset, kind: str, tip: str) -> None:
        """Make the dataset combo's entry for imported rows current (adding it if need be)."""
        combo = self.dataset_combo
        index = combo.findData(CSV_ITEM)
        if index < 0:
            combo.addItem("", CSV_ITEM)
            index = combo.count() - 1
        combo.setItemText(index, f"{dataset.name} ({kind})")
        combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(index)

    # -- slots -----------------------------------------------------------------------------------------
    def _on_dataset_changed(self, _index: int) -> None:
        self._take_default_scaling()
        self._update_widgets()
        self._request()

    def _take_default_scaling(self) -> None:
        """New data: their own default scaling (the digits' [0, 1], else none), shown."""
        self._data = replace(self._data, scaling=None, scaling_stats=None)
        with QtCore.QSignalBlocker(self.scaling_combo):
            select(self.scaling_combo, self.data_config().scaling_method)

    def _on_scaling_changed(self, _index: int) -> None:
        if self._updating:
            return
        self._data = replace(self._data, scaling=self.scaling_combo.currentData(), scaling_stats=None)
        self._show_scaling_offer()
        self._request()

    def _on_scale_clicked(self) -> None:
        select(self.scaling_combo, "minmax")  # emits, as a choice in the combo does

    def _on_noise_slider_changed(self, value: int) -> None:
        with QtCore.QSignalBlocker(self.noise_spin):
            self.noise_spin.setValue(value / 100)
        self._request(debounce=True)

    def _on_noise_spin_changed(self, value: float) -> None:
        with QtCore.QSignalBlocker(self.noise_slider):
            self.noise_slider.setValue(round(value * 100))
        self._request(debounce=True)

    def _on_test_slider_changed(self, value: int) -> None:
        with QtCore.QSignalBlocker(self.test_spin):
            self.test_spin.setValue(value / 100)
        self._request(debounce=True)

    def _on_test_spin_changed(self, value: float) -> None:
        with QtCore.QSignalBlocker(self.test_slider):
            self.test_slider.setValue(round(value * 100))
        self._request(debounce=True)

    def _on_full_batch_toggled(self, full: bool) -> None:
        self.batch_spin.setEnabled(not full)
        self._request()

    def _on_feature_toggled(self, name: str, checked: bool) -> None:
        if self._updating:
            return
        if not checked and not any(box.isChecked() for box in self.feature_checks.values()):
            with QtCore.QSignalBlocker(self.feature_checks[name]):
                self.feature_checks[name].setChecked(True)
            self._on_refused("features: at least one input feature must stay on")
            return
        self._request()

    def _on_regenerate_clicked(self) -> None:
        self._data = replace(self._data, seed=self._data.seed + 1)
        self._request()

    def _on_import_clicked(self) -> None:
        from nnviz.gui.csv_dialog import import_csv  # only needed when the user imports

        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, tr("Import CSV data"), "",
                                                        tr("CSV files (*.csv *.tsv *.txt);;All files (*)"))
        if not path:
            return
        dataset = import_csv(self, path)
        if dataset is None:
            return
        self._imported = dataset
        with QtCore.QSignalBlocker(self.dataset_combo):
            self._show_imported(dataset, "CSV", tr("Imported from a CSV file: {rows}").format(rows=repr(dataset)))
        self._take_default_scaling()
        self._update_widgets()
        self._request()
