"""The window's export commands: File > Export figure, Copy image, Export run report, Record
animation, and "Export…" / "Copy image" in every panel's right-click menu."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from nnviz.core.errors import NnvizError
from nnviz.gui.export import copy_image, figure_widget, render_image
from nnviz.gui.export_dialog import ExportDialog

RECORD_DEFAULT = "Decision surface with the loss"


class ExportActions(QtCore.QObject):
    """Owns the export actions of ``window`` (a MainWindow) and the recording in progress."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recorder = None
        self.recorded: list = []
        w = window
        self.act_export = w._action("Export figure…", lambda: self.export_dialog(), "Ctrl+E",
                                    "Export a panel as PNG, SVG, PDF or the numbers it draws as CSV (Ctrl+E)")
        self.act_copy = w._action("Copy image", lambda: self.copy(), "Ctrl+Shift+C",
                                  "Copy the panel under the pointer (or the network graph) as an image")
        self.act_report = w._action("Export run report…", self.report_dialog, None,
                                    "The model, data, settings, final metrics and every panel's figure, "
                                    "as HTML (images embedded) or PDF")
        self.act_record = w._action("Record animation…", self._on_record_triggered, None,
                                    "Record a panel while it trains, to GIF (or MP4 with imageio-ffmpeg); "
                                    "choose again to stop and save", checkable=True)
        for view in self._graphics_views():
            self._hook_context_menu(view)

    # -- the panels -------------------------------------------------------------------------------
    def panels(self) -> dict[str, tuple[QtWidgets.QWidget, object]]:
        """Exportable panels by name: (widget, its table function or None)."""
        w = self.window
        out = {}
        for name, panel in (("Network graph", w.graph), ("Output", w.output), ("Loss", w.loss),
                            ("Activations", w.activations), ("Gradient flow", w.gradients),
                            ("Update ratio", w.updates), ("Weights", w.weights), ("Norm & dropout", w.normalization),
                            ("Calculation", w.stepper.calculation)):
            out[name] = (panel, getattr(panel, "export_table", None))
        return out

    def _fresh(self, panel) -> None:
        """Give a panel hidden behind a tab the newest snapshot before it is rendered."""
        self.window._on_panel_shown(panel)

    def panel_at_pointer(self) -> str:
        widget = QtWidgets.QApplication.widgetAt(QtGui.QCursor.pos())
        for name, (panel, _) in self.panels().items():
            if widget is not None and (widget is panel or panel.isAncestorOf(widget)):
                return name
        return "Network graph"

    def title(self, panel) -> str:
        part = panel.export_title() if hasattr(panel, "export_title") else ""
        step = f" · step {self.window.latest.step:,}" if self.window.latest is not None else ""
        return f"{self.window.model_name} — {part}{step}" if part else self.window.model_name

    # -- commands ---------------------------------------------------------------------------------
    def export_dialog(self, current: str | None = None) -> ExportDialog:
        panels = self.panels()
        for panel, _ in panels.values():
            self._fresh(panel)
        dialog = ExportDialog(panels, self.window.model_name, current or self.panel_at_pointer(), self.window)
        dialog.open()
        return dialog

    def copy(self, name: str | None = None) -> None:
        panel, _ = self.panels()[name or self.panel_at_pointer()]
        self._fresh(panel)
        copy_image(panel, title=self.title(panel))
        self.window.statusBar().showMessage("Copied the figure to the clipboard", 4000)

    def report_dialog(self) -> None:
        w = self.window
        start = str(Path(w.settings.value("last_dir", str(Path.home()))) / f"{w.model_name or 'nnviz'} report.html")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(w, "Export run report", start,
                                                        "HTML report (*.html);;PDF report (*.pdf)")
        if path:
            self.write_report(path)

    def write_report(self, path) -> Path | None:
        """Write the run report of what the window shows now; a problem shows a message."""
        from nnviz.gui.report import write_report

        w = self.window
        if w.latest is None or w._state is None:
            return None
        figures = {}
        for name, (panel, _) in self.panels().items():
            if name in ("Calculation", "Norm & dropout"):
                continue
            self._fresh(panel)
            title = panel.export_title() if hasattr(panel, "export_title") else name
            figures[title] = render_image(figure_widget(panel), scale=2.0)
        document = dict(w._state["document"])
        document.setdefault("name", w.model_name)
        try:
            out = write_report(path, document, w.latest, w.data_name(), figures)
        except (NnvizError, OSError) as exc:
            w.show_message("Cannot write the report", str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return None
        w.statusBar().showMessage(f"Saved the run report to {out}", 6000)
        return out

    # -- recording --------------------------------------------------------------------------------
    def _on_record_triggered(self, checked: bool) -> None:
        if not checked:
            self.stop_recording()
            return
        self.act_record.setChecked(False)  # until a recording really starts
        names = [RECORD_DEFAULT] + [n for n in self.panels() if n != "Calculation"]
        name, ok = QtWidgets.QInputDialog.getItem(self.window, "Record animation", "Record:", names, 0, False)
        if not ok:
            return
        start = str(Path(self.window.settings.value("last_dir", str(Path.home()))) / "training.gif")
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Record animation", start,
                                                        "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            fps = float(self.window.settings.value("record_fps", 10))
            self.start_recording(path, name, fps)

    def start_recording(self, path, name: str = RECORD_DEFAULT, fps: float = 10.0) -> bool:
        """Record ``name`` (a panel, or the decision surface with the loss) on every drawn snapshot."""
        from nnviz.gui.animation import Recorder

        panels = self.panels()
        widgets = [panels["Output"][0], panels["Loss"][0]] if name == RECORD_DEFAULT else [panels[name][0]]
        try:
            self.recorder = Recorder(widgets, path, fps=fps, title=lambda: self.title(widgets[0]))
        except NnvizError as exc:
            self.window.show_message("Cannot record", str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return False
        self.recorded = widgets
        self.act_record.setChecked(True)
        self.act_record.setText("Stop recording")
        if self.window.latest is not None:
            self.add_frame(self.window.latest)
        return True

    def add_frame(self, snapshot) -> None:
        """Called by the window for every snapshot it draws."""
        if self.recorder is None:
            return
        for widget in self.recorded:
            if self.window._undrawn.pop(widget, None) is not None or widget.visibleRegion().isEmpty():
                widget.show_snapshot(snapshot)
        try:
            self.recorder.add_frame(f"step {snapshot.step}")
        except NnvizError as exc:
            self.stop_recording()
            self.window.show_message("Recording stopped", str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return
        self.window.statusBar().showMessage(f"● Recording: {self.recorder.frames} frames", 2000)

    def stop_recording(self) -> Path | None:
        recorder, self.recorder = self.recorder, None
        self.act_record.setChecked(False)
        self.act_record.setText("Record animation…")
        if recorder is None:
            return None
        try:
            out = recorder.finish()
        except (NnvizError, OSError) as exc:
            self.window.show_message("Cannot save the animation", str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return None
        self.window.statusBar().showMessage(f"Saved {recorder.frames} frames to {out}", 6000)
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
        export, copy = QtGui.QAction("Export…", scene), QtGui.QAction("Copy image", scene)
        export.triggered.connect(lambda _=False, n=name: self.export_dialog(n))
        copy.triggered.connect(lambda _=False, n=name: self.copy(n))
        scene.contextMenu = [export, copy]
        if name == "Network graph":
            viewport = view.viewport()
            viewport.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            viewport.customContextMenuRequested.connect(lambda pos, v=viewport: self.graph_menu(v, pos))

    def graph_menu(self, viewport, pos) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(viewport)
        menu.addAction("Export…", lambda: self.export_dialog("Network graph"))
        menu.addAction("Copy image", lambda: self.copy("Network graph"))
        menu.popup(viewport.mapToGlobal(pos))
        return menu
