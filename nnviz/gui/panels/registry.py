"""Every panel of the app, one entry each: the window's docks and View menu, File › Export, the
recording, the run report, headless export and ``nnviz export --plot`` all loop over :data:`PANELS`.

Qt-free on purpose: the command line reads the plot names while it parses its arguments, long
before (or without ever) starting Qt. A panel's class is named as ``"module:Class"`` and imported
only when a widget is made (or given as the class itself, for a panel defined at run time).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

AREAS = ("central", "left", "right", "bottom", "inside")  # "inside": part of another panel, no dock of its own
REPORT_PLOT = "report"  # the ``--plot`` choice that writes the run report rather than one figure


@dataclass(frozen=True)
class PanelSpec:
    """One panel.

    ``name`` is the key: the window's attribute (``window.loss``), the dock's key
    (``window.docks["loss"]``) and, when ``plot``, the ``nnviz export --plot`` choice. ``title`` is
    the dock's title in the View menu; ``export_name`` the panel's name in File › Export (default
    ``title``). ``area`` places the dock; ``tab_with`` puts it behind another dock's tab. ``widget``
    is where the window keeps the widget when it is not ``name`` (an attribute path: the
    calculation lives in the step-through panel, ``"stepper.calculation"``).
    """

    name: str
    title: str
    panel: type | str  # the class, or "module:Class"
    area: str = "right"
    tab_with: str | None = None
    exportable: bool = False  # offered by File › Export, Copy image and Record animation
    export_name: str = ""
    in_report: bool = False  # a figure of the run report
    plot: bool = False  # an ``nnviz export --plot`` choice
    recordable: bool = True  # offered by Record animation (when exportable)
    widget: str = ""
    tooltip: str = ""
    min_height: int = 0
    starts_hidden: bool = False

    def __post_init__(self):
        if self.area not in AREAS:
            raise ValueError(f"panel {self.name!r}: unknown area {self.area!r} (one of {', '.join(AREAS)})")

    @property
    def figure_name(self) -> str:
        """The panel's name in File › Export and the recording's choices."""
        return self.export_name or self.title

    @property
    def attribute(self) -> str:
        """Where the window keeps the widget (an attribute path)."""
        return self.widget or self.name

    def load(self) -> type:
        """The panel's class (imported on first use)."""
        if not isinstance(self.panel, str):
            return self.panel
        module, _, name = self.panel.partition(":")
        return getattr(importlib.import_module(module), name)


def QT_TR_NOOP(text: str) -> str:  # noqa: N802 (the name pyside6-lupdate looks for; empty context at module level)
    """``text`` unchanged, marked for translation: the registry is read before any translator is
    installed (and by the command line, without Qt), so titles, export names and tooltips are
    translated where they are shown, ``tr(spec.title)``."""
    return text


_P = "nnviz.gui.panels."
PANELS: dict[str, PanelSpec] = {spec.name: spec for spec in (
    PanelSpec("graph", QT_TR_NOOP("Network graph"), _P + "graph:GraphPanel", area="central", exportable=True,
              in_report=True, plot=True),
    PanelSpec("output", QT_TR_NOOP("Output"), _P + "output:OutputPanel", exportable=True, in_report=True, plot=True),
    PanelSpec("mistakes", QT_TR_NOOP("Mistakes"), _P + "mistakes:MistakesPanel", tab_with="output", exportable=True,
              export_name=QT_TR_NOOP("Misclassified pictures"), in_report=True, min_height=100,
              tooltip=QT_TR_NOOP("The test pictures the network gets wrong (classifiers of 8 × 8 or 28 × 28 "
                                 "pictures)")),
    PanelSpec("drawing", QT_TR_NOOP("Drawing pad"), _P + "drawing:DrawingPadPanel", tab_with="output", exportable=True,
              recordable=False, min_height=100,
              tooltip=QT_TR_NOOP("Draw a digit and see the network's class probabilities (classifiers of 8 × 8 or "
                             "28 × 28 pictures)")),
    PanelSpec("loss", QT_TR_NOOP("Loss"), _P + "loss:LossPanel", exportable=True, in_report=True, plot=True),
    PanelSpec("activations", QT_TR_NOOP("Activations"), _P + "activations:ActivationsPanel", tab_with="loss",
              exportable=True, in_report=True, plot=True, min_height=100),
    PanelSpec("gradients", QT_TR_NOOP("Gradients"), _P + "gradients:GradientFlowPanel", tab_with="loss",
              exportable=True, export_name=QT_TR_NOOP("Gradient flow"), in_report=True, plot=True, min_height=100),
    PanelSpec("updates", QT_TR_NOOP("Updates"), _P + "updates:UpdateRatioPanel", tab_with="loss", exportable=True,
              export_name=QT_TR_NOOP("Update ratio"), in_report=True, plot=True, min_height=100),
    PanelSpec("weights", QT_TR_NOOP("Weights"), _P + "weights:WeightsPanel", tab_with="loss", exportable=True,
              in_report=True, plot=True, min_height=100),
    PanelSpec("normalization", QT_TR_NOOP("Norm"), _P + "normalization:NormalizationPanel", tab_with="loss",
              exportable=True, export_name=QT_TR_NOOP("Norm & dropout"),
              tooltip=QT_TR_NOOP("BatchNorm statistics and dropout masks"), min_height=100),
    PanelSpec("inspector", QT_TR_NOOP("Inspector"), _P + "inspector:InspectorPanel"),
    PanelSpec("health", QT_TR_NOOP("Layer health"), _P + "health:HealthStrip", area="bottom", min_height=130),
    PanelSpec("stepper", QT_TR_NOOP("Step through"), _P + "stepper:StepperPanel", area="bottom", starts_hidden=True),
    PanelSpec("gradcheck", QT_TR_NOOP("Gradient check"), _P + "gradcheck:GradientCheckPanel", tab_with="loss"),
    PanelSpec("landscape", QT_TR_NOOP("Landscape"), _P + "landscape:LandscapePanel", tab_with="loss", exportable=True,
              export_name=QT_TR_NOOP("Loss landscape"), in_report=True, plot=True, recordable=False, min_height=100,
              tooltip=QT_TR_NOOP("The loss on a plane through the weights and on the line from the start of the run")),
    PanelSpec("calculation", QT_TR_NOOP("Calculation"), _P + "calculation:CalculationPanel", area="inside",
              widget="stepper.calculation", exportable=True, recordable=False),
)}


def register_panel(spec: PanelSpec) -> PanelSpec:
    """Add a panel to the app (a window built afterwards has it); returns ``spec``."""
    if spec.name in PANELS or spec.name == REPORT_PLOT:
        raise ValueError(f"a panel named {spec.name!r} already exists")
    PANELS[spec.name] = spec
    return spec


def exportable() -> list[PanelSpec]:
    """The panels File › Export offers, in the window's order."""
    return [spec for spec in PANELS.values() if spec.exportable]


def in_report() -> list[PanelSpec]:
    """The panels whose figures the run report shows, in order."""
    return [spec for spec in PANELS.values() if spec.in_report]


def plot_choices() -> tuple[str, ...]:
    """What ``nnviz export --plot`` accepts: the plot panels' names and ``report``."""
    return tuple(spec.name for spec in PANELS.values() if spec.plot) + (REPORT_PLOT,)
