"""The window's export commands: File > Export figure, Copy image, Export run report, Record
animation, Export as PyTorch script, and "Export…" / "Copy image" in every panel's right-click menu."""

from __future__ import annotations

from operator import attrgetter
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt

from nnviz.core.codegen import SUFFIXES
from nnviz.core.errors import NnvizError
from nnviz.gui.export import catch_up, copy_image, figure_title
from nnviz.gui.export_dialog import ExportDialog, slug
from nnviz.gui.formats import ANIMATION_FORMATS, REPORT_FORMATS, file_filters
from nnviz.gui.i18n import tr
from nnviz.gui.panels import registry

RECORD_DEFAULT = QT_TRANSLATE_NOOP("", "Decision surface with the loss")  # offered as tr(RECORD_DEFAULT)
GRAPH = registry.PANELS["graph"].figure_name  # the default panel, with a right-click menu of its own
CODE_FILTERS = (QT_TRANSLATE_NOOP("", "Python script"), "*.py"), (QT_TRANSLATE_NOOP("", "Jupyter notebook"), "*.ipynb")


def code_filters() -> str:
    """The PyTorch script's file filter, its descriptions in the application's language."""
    return ";;".join(f"{tr(description)} ({pattern})" for description, pattern in CODE_FILTERS)


class ExportActions(QtCore.QObject):
    """Owns the export actions of ``window`` (a MainWindow) and the recording in progress."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recorder = None
        self.recorded: list = []
        w = window
        self.act_export = w._action(tr("Export figure…"), lambda: self.export_dialog(), "Ctrl+E",
                                    tr("Export a panel as PNG, SVG, PDF or the numbers it draws as CSV (Ctrl+E)"))
        self.act_copy = w._action(tr("Copy image"), lambda: self.copy(), "Ctrl+Shift+C",
                                  tr("Copy the panel under the pointer (or the network graph) as an image"))
        self.act_report = w._action(tr("Export run report…"), self.report_dialog, None,
                                    tr("The model, data, settings, final metrics and every panel's figure, "
                                       "as HTML (images embedded) or PDF"))
        self.act_record = w._action(tr("Record animation…"), self._on_record_triggered, None,
                                    tr("Record a panel while it trains, to GIF (or MP4 with imageio-ffmpeg); "
                                       "choose again to stop and save"), checkable=True)
        self.act_code = w._action(tr("Export as PyTorch script…"), self.code_dialog, None,
                                  tr("A PyTorch training script (or Jupyter notebook) that goes on from where the "
                                     "run stands: the model, its weights and optimizer state, the data, nnviz's "
                                     "batch order"))
        w.session.exported.connect(self._on_exported)
        for view in self._graphics_views():
            self._hook_context_menu(view)

    # -- the panels -------------------------------------------------------------------------------
    def panels(self) -> dict[str, tuple[QtWidgets.QWidget, object]]:
        """The exportable panels of the registry by their export name: (widget, its table function
        or None)."""
        out = {}
        for spec in registry.exportable():
            panel = self.widget(spec)
            out[spec.figure_name] = (panel, getattr(panel, "export_table", None))
        return out

    def widget(self, spec: registry.PanelSpec) -> QtWidgets.QWidget:
        """The window's widget of a registered panel."""
        return attrgetter(spec.attribute)(self.window)

    def panel_at_pointer(self) -> str:
        widget = QtWidgets.QApplication.widgetAt(QtGui.QCursor.pos())
        for name, (panel, _) in self.panels().items():
            if widget is not None and (widget is panel or panel.isAncestorOf(widget)):
                return name
        return GRAPH

    def title(self, panel) -> str:
        """The figure's title: the data, the panel's figure, the step (see :func:`figure_title`)."""
        return figure_title(self.window.latest, panel.export_title())

    def data_name(self) -> str:
        """What the data trained on are called, as figure titles name them."""
        return self.window.latest.data_name if self.window.latest is not None else ""

    # -- commands ---------------------------------------------------------------------------------
    def export_dialog(self, current: str | None = None) -> ExportDialog:
        panels = self.panels()
        for panel, _ in panels.values():
            catch_up(panel)  # a panel behind a tab shows the newest snapshot in the size preview
        dialog = ExportDialog(panels, self.data_name(), current or self.panel_at_pointer(), self.window,
                              title_for=lambda name: self.title(panels[name][0]))
        dialog.open()
        return dialog

    def copy(self, name: str | None = None) -> None:
        panel, _ = self.panels()[name or self.panel_at_pointer()]
        catch_up(panel)  # before its title is read
        copy_image(panel, title=self.title(panel))
        self.window.statusBar().showMessage(tr("Copied the figure to the clipboard"), 4000)

    def report_dialog(self) -> None:
        w = self.window
        # the data's name comes from the model or a file: only its letters and digits make the file
        # name, so that no name ("../elsewhere/x") steers the suggestion out of the folder
        name = f"{slug(self.data_name()) or 'nnviz'}-report.html"
        start = str(Path(w.settings.value("last_dir", str(Path.home()))) / name)
        path, _ = QtWidgets.QFileDialog.getSaveFileName(w, tr("Export run report"), start,
                                                        file_filters(REPORT_FORMATS, translate=tr))
        if path:
            self.write_report(path)

    def write_report(self, path) -> Path | None:
        """Write the run report of what the window shows now; a problem shows a message."""
        from nnviz.gui.report import report_figures, write_report

        w = self.window
        if w.latest is None or w._state is None:
            return None
        figures = report_figures([self.widget(spec) for spec in registry.in_report()])
        try:
            out = write_report(path, w._state["document"], w.latest, w.data_name(), figures)
        except (NnvizError, OSError) as exc:
            w.show_message(tr("Cannot write the report"), str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return None
        w.statusBar().showMessage(tr("Saved the run report to {path}").format(path=out), 6000)
        return out

    def code_dialog(self) -> None:
        """Ask where to write the PyTorch script (or notebook), then write it."""
        w = self.window
        name = f"{slug(self.data_name()) or 'nnviz'}-train.py"
        start = str(Path(w.settings.value("last_dir", str(Path.home()))) / name)
        path, chosen = QtWidgets.QFileDialog.getSaveFileName(w, tr("Export as PyTorch script"), start, code_filters())
        if path:
            if Path(path).suffix.lower() not in SUFFIXES:
                path += ".ipynb" if "*.ipynb" in chosen else ".py"
            self.write_code(path)

    def write_code(self, path) -> None:
        """Write the script of the run as it stands (between two steps, where the run is);
        ``exported`` or a message follows."""
        self.window.session.export_code(path)

    def _on_exported(self, paths) -> None:
        if len(paths) > 1:
            message = tr("Wrote the PyTorch script {path} (with {files} beside it)")
        else:
            message = tr("Wrote the PyTorch script {path}")
        files = ", ".join(Path(p).name for p in paths[1:])
        self.window.statusBar().showMessage(message.format(path=paths[0], files=files), 8000)

    # -- recording --------------------------------------------------------------------------------
    def _on_record_triggered(self, checked: bool) -> None:
        if not checked:
            self.stop_recording()
            return
        self.act_record.setChecked(False)  # until a recording really starts
        # shown in the window's language, recorded by the English name the panels are known by
        english = [RECORD_DEFAULT] + [spec.figure_name for spec in registry.exportable() if spec.recordable]
        shown = [tr(name) for name in english]
        name, ok = QtWidgets.QInputDialog.getItem(self.window, tr("Record animation"), tr("Record:"), shown, 0, False)
        if not ok:
            return
        name = english[shown.index(name)]
        start = str(Path(self.window.settings.value("last_dir", str(Path.home()))) / "training.gif")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, tr("Record animation"), start,
                                                        file_filters(ANIMATION_FORMATS, translate=tr))
        if path:
            fps = float(self.window.settings.value("record_fps", 10))
            self.start_recording(path, name, fps)

    def start_recording(self, path, name: str = RECORD_DEFAULT, fps: float = 10.0) -> bool:
        """Record ``name`` (a panel, or the decision surface with the loss) on every drawn snapshot."""
        from nnviz.gui.animation import Recorder

        widgets = [self.window.output, self.window.loss] if name == RECORD_DEFAULT else [self.panels()[name][0]]
        try:
            self.recorder = Recorder(widgets, path, fps=fps, title=lambda: self.title(widgets[0]))
        except NnvizError as exc:
            self.window.show_message(tr("Cannot record"), str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return False
        self.recorded = widgets
        self.act_record.setChecked(True)
        self.act_record.setText(tr("Stop recording"))
        if self.window.latest is not None:
            self.add_frame(self.window.latest)
        return True

    def add_frame(self, snapshot) -> None:
        """Called by the window for every snapshot it draws."""
        if self.recorder is None:
            return
        for widget in self.recorded:
            catch_up(widget)  # recorded while behind a tab
        try:
            self.recorder.add_frame(tr("step {step}").format(step=snapshot.step))
        except NnvizError as exc:
            self.stop_recording()
            self.window.show_message(tr("Recording stopped"), str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return
        self.window.statusBar().showMessage(tr("● Recording: {frames} frames").format(frames=self.recorder.frames),
                                            2000)

    def stop_recording(self) -> Path | None:
        recorder, self.recorder = self.recorder, None
        self.act_record.setChecked(False)
        self.act_record.setText(tr("Record animation…"))
        if recorder is None:
            return None
        try:
            out = recorder.finish()
        except (NnvizError, OSError) as exc:
            self.window.show_message(tr("Cannot save the animation"), str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return None
        self.window.statusBar().showMessage(tr("Saved {frames} frames to {path}").format(frames=recorder.frames,
                                                                                         path=out), 6000)
        return out

    # -- right-click menus ------------------------------------------------------------------------
    def _graphics_views(self):
        for name, (panel, _) in self.panels().items():
            for view in panel.findChildren(pg.GraphicsView):
                yield name, view

    def _hook_context_menu(self, item) -> None:
        """pyqtgraph's own "Export..." (whose SVG exporter fails on PySide6 >= 6.11) opens nnviz's
        export dialog for the panel instead; "Copy image" joins it. The network graph, which has no
        plot menu, gets the same two entries on its own."""
        name, view = item
        scene = view.scene()
        export, copy = QtGui.QAction(tr("Export…"), scene), QtGui.QAction(tr("Copy image"), scene)
        export.triggered.connect(lambda _=False, n=name: self.export_dialog(n))
        copy.triggered.connect(lambda _=False, n=name: self.copy(n))
        scene.contextMenu = [export, copy]
        if name == GRAPH:
            viewport = view.viewport()
            viewport.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            viewport.customContextMenuRequested.connect(lambda pos, v=viewport: self.graph_menu(v, pos))

    def graph_menu(self, viewport, pos) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(viewport)
        menu.addAction(tr("Export…"), lambda: self.export_dialog(GRAPH))
        menu.addAction(tr("Copy image"), lambda: self.copy(GRAPH))
        menu.popup(viewport.mapToGlobal(pos))
        return menu
