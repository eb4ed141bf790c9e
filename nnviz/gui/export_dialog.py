"""The Export dialog (File > Export, or a panel's right-click menu): which panel, which format, how
big, then a file name. The export itself is :func:`nnviz.gui.export.export_figure`; the dialog only
gathers the choices, asks for the path and shows a failure as a one-line message."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from nnviz.gui.export import copy_image, export_figure, figure_size, figure_widget
from nnviz.gui.formats import FIGURE_FORMATS, file_filters
from nnviz.gui.i18n import tr
from nnviz.gui.session import one_line

SCALES = (1, 2, 4)
WIDTH_CHOICE = 0  # the size combo's data for "a width in pixels"
SETTINGS_GROUP = "export"


def slug(text: str, limit: int = 60) -> str:
    """``text`` as a file name part: lower case ASCII letters and digits, runs of anything else
    (separators, dots, spaces) as one "-", at most ``limit`` characters."""
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")[:limit].strip("-")


class ExportDialog(QtWidgets.QDialog):
    """Export one of ``panels`` (name -> (widget, table or None), where ``table()`` returns
    ``(header, rows)`` for CSV) of the model ``model_name``; ``current`` is selected first.

    :meth:`export_to` does the export to a given path, so that tests and callers that already
    know the path need no file chooser.
    """

    def __init__(self, panels: dict[str, tuple[QtWidgets.QWidget, Callable | None]], model_name: str,
                 current: str | None = None, parent: QtWidgets.QWidget | None = None,
                 title_for: Callable[[str], str] | None = None):
        super().__init__(parent)
        if not panels:
            raise ValueError("ExportDialog needs at least one panel")
        self.setWindowTitle(tr("Export figure"))
        self.panels = dict(panels)
        self.model_name = model_name
        self.title_for = title_for  # panel name -> the figure's full title (the window's Copy uses the same)
        self.exported_path: Path | None = None
        self.last_error: str | None = None
        self.settings = QtCore.QSettings()

        self.panel_combo = QtWidgets.QComboBox()
        for name in self.panels:  # shown in the window's language, known by the English name
            self.panel_combo.addItem(tr(name), name)
        self.format_combo = QtWidgets.QComboBox()
        for suffix, fmt in FIGURE_FORMATS.items():
            self.format_combo.addItem(tr(fmt.label), suffix)
        self.size_combo = QtWidgets.QComboBox()
        for scale in SCALES:
            self.size_combo.addItem(tr("{scale}× screen size").format(scale=scale), scale)
        self.size_combo.addItem(tr("Width in pixels"), WIDTH_CHOICE)
        self.width_spin = QtWidgets.QSpinBox()
        self.width_spin.setRange(16, 16000)
        self.width_spin.setSingleStep(100)
        self.width_spin.setSuffix(" " + tr("px"))
        self.size_label = QtWidgets.QLabel()
        self.background_combo = QtWidgets.QComboBox()
        self.background_combo.addItem(tr("White"), "white")
        self.background_combo.addItem(tr("Transparent"), "transparent")
        self.title_box = QtWidgets.QCheckBox()
        self.title_box.setToolTip(tr("Draw the model and panel name above the figure"))

        size_row = QtWidgets.QHBoxLayout()
        size_row.addWidget(self.size_combo)
        size_row.addWidget(self.width_spin)
        size_row.addWidget(self.size_label, 1)
        form = QtWidgets.QFormLayout()
        form.addRow(tr("Panel:"), self.panel_combo)
        form.addRow(tr("Format:"), self.format_combo)
        form.addRow(tr("Size:"), size_row)
        form.addRow(tr("Background:"), self.background_combo)
        form.addRow("", self.title_box)

        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(tr("Export…"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button = self.buttons.addButton(tr("Copy image"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip(tr("Put the figure on the clipboard as an image, to paste into slides"))
        self.export_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.copy_button.clicked.connect(self._on_copy_clicked)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self._restore_settings(current)
        self.panel_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.format_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.size_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.width_spin.valueChanged.connect(self._on_choice_changed)
        self.title_box.toggled.connect(self._on_choice_changed)
        self._on_choice_changed()

    # -- the choices --------------------------------------------------------------------------------
    def panel_name(self) -> str:
        return self.panel_combo.currentData()

    def widget(self) -> QtWidgets.QWidget:
        return self.panels[self.panel_name()][0]

    def table(self) -> Callable | None:
        return self.panels[self.panel_name()][1]

    def format(self) -> str:
        return self.format_combo.currentData()

    def scale(self) -> int:
        """1, 2 or 4; 0 when a width in pixels is chosen."""
        return self.size_combo.currentData()

    def background(self) -> str:
        return self.background_combo.currentData()

    def title_text(self) -> str:
        """The figure's title: ``title_for`` the panel ("Circle — Loss · step 300", as Copy image
        and the report title it), else "Circle — Loss"."""
        if self.title_for is not None:
            return self.title_for(self.panel_name())
        return f"{self.model_name} — {self.panel_name()}" if self.model_name else self.panel_name()

    def title(self) -> str | None:
        return self.title_text() if self.title_box.isChecked() else None

    def suggested_path(self) -> Path:
        """The last folder used (else the home folder), with a name from the model and the panel."""
        folder = Path(self.settings.value(f"{SETTINGS_GROUP}/folder", str(Path.home())))
        stem = "-".join(part for part in (slug(self.model_name), slug(self.panel_name())) if part) or "figure"
        return folder / f"{stem}.{self.format()}"

    # -- doing it -------------------------------------------------------------------------------------
    def ask_path(self) -> str:
        """The file chooser; an empty string when cancelled."""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Export figure"), str(self.suggested_path()),
                                                        self.file_filter())
        return path

    def file_filter(self) -> str:
        """The file chooser's filter: every figure format, the chosen one first."""
        return file_filters(FIGURE_FORMATS, first=self.format(), translate=tr)

    def export_to(self, path) -> Path | None:
        """Export the chosen panel to ``path`` (the chosen format's extension is added when the
        name has none) and remember the choices; returns the path written, or None after showing
        what went wrong."""
        path = Path(path)
        if not path.suffix:
            path = path.with_name(f"{path.name}.{self.format()}")
        scale = self.scale()
        try:
            out = export_figure(self.widget(), path, table=self.table(), scale=scale or 1,
                                width=self.width_spin.value() if scale == WIDTH_CHOICE else None,
                                background=self.background(), title=self.title())
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a traceback
            self.show_error(tr("Could not export {panel}: {reason}").format(panel=self.panel_name(),
                                                                            reason=one_line(exc)))
            return None
        self.exported_path = out
        self._save_settings(out)
        return out

    def show_error(self, text: str) -> None:
        self.last_error = text
        QtWidgets.QMessageBox.warning(self, tr("Export figure"), text)

    def _on_export_clicked(self) -> None:
        path = self.ask_path()
        if path and self.export_to(path) is not None:
            self.accept()

    def _on_copy_clicked(self) -> None:
        try:
            copy_image(self.widget(), scale=self.scale() or 2, title=self.title())
        except Exception as exc:  # noqa: BLE001 - see export_to
            self.show_error(tr("Could not copy {panel}: {reason}").format(panel=self.panel_name(),
                                                                          reason=one_line(exc)))

    # -- keeping the form consistent ----------------------------------------------------------------
    def _on_choice_changed(self, *_) -> None:
        has_table = self.table() is not None
        for row, (suffix, fmt) in enumerate(FIGURE_FORMATS.items()):
            if fmt.table:
                item = self.format_combo.model().item(row)
                item.setEnabled(has_table)
                item.setToolTip("" if has_table else tr("This panel has no numbers to export as {format}")
                                .format(format=suffix.upper()))
        chosen = FIGURE_FORMATS[self.format()]
        if chosen.table and not has_table:
            self.format_combo.setCurrentIndex(0)  # the first format, a picture: comes back here
            return
        self.size_combo.setEnabled(chosen.raster)
        self.width_spin.setEnabled(chosen.raster and self.scale() == WIDTH_CHOICE)
        self.background_combo.setEnabled(chosen.raster)
        self.title_box.setEnabled(not chosen.table)
        self.copy_button.setEnabled(not chosen.table)
        self.title_box.setText(tr("Title “{title}” above the figure").format(title=self.title_text()))
        self.size_label.setText(self._size_text() if chosen.raster else "")

    def _size_text(self) -> str:
        size = figure_size(figure_widget(self.widget()), self.title())
        if size.width() <= 0:
            return ""
        factor = self.width_spin.value() / size.width() if self.scale() == WIDTH_CHOICE else self.scale()
        return tr("{width} × {height} pixels").format(width=round(size.width() * factor),
                                                      height=round(size.height() * factor))

    def _restore_settings(self, current: str | None) -> None:
        s, g = self.settings, SETTINGS_GROUP
        if current in self.panels:
            self.panel_combo.setCurrentIndex(self.panel_combo.findData(current))
        index = self.format_combo.findData(s.value(f"{g}/format", "png"))
        self.format_combo.setCurrentIndex(max(index, 0))
        index = self.size_combo.findData(int(s.value(f"{g}/scale", 2)))
        self.size_combo.setCurrentIndex(max(index, 0))
        self.width_spin.setValue(int(s.value(f"{g}/width", 1600)))
        index = self.background_combo.findData(s.value(f"{g}/background", "white"))
        self.background_combo.setCurrentIndex(max(index, 0))
        self.title_box.setChecked(str(s.value(f"{g}/title", "true")).lower() == "true")

    def _save_settings(self, out: Path) -> None:
        s, g = self.settings, SETTINGS_GROUP
        s.setValue(f"{g}/folder", str(out.parent))
        s.setValue(f"{g}/format", out.suffix.lower().lstrip("."))
        s.setValue(f"{g}/scale", self.scale())
        s.setValue(f"{g}/width", self.width_spin.value())
        s.setValue(f"{g}/background", self.background())
        s.setValue(f"{g}/title", "true" if self.title_box.isChecked() else "false")


if __name__ == "__main__":  # a quick look: python -m nnviz.gui.export_dialog
    import sys

    from nnviz.core.experiment import Experiment
    from nnviz.gui.app import create_application
    from nnviz.gui.panels.loss import LossPanel
    from nnviz.gui.panels.output import OutputPanel

    app = create_application()
    exp = Experiment()
    exp.run_evaluated(200, 20)
    snap = exp.snapshot()
    loss, output = LossPanel(), OutputPanel()
    for panel in (loss, output):
        panel.resize(700, 450)
        panel.show_snapshot(snap)
    history = snap.history
    table = (lambda: (["step", "train loss"], list(zip(history["eval_step"], history["train_loss"]))))
    dialog = ExportDialog({"Loss": (loss, table), "Output": (output, None)}, "Circle", current="Loss")
    dialog.show()
    sys.exit(app.exec())
