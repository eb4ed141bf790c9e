"""Open one panel alone with a snapshot: what each panel module's ``python -m`` quick look runs.

``python -m nnviz.gui.panels.alone NAME [--save PNG]`` opens any panel of the registry on its
:meth:`~nnviz.gui.panels.base.Panel.demo_snapshot`.
"""

from __future__ import annotations

import time


def show_alone(make_panel, title: str, snapshot=None, size=(700, 500), prepare=None, save: str | None = None) -> int:
    """Show ``make_panel()`` in its own window with ``snapshot`` (default: the panel class's
    ``demo_snapshot()``); ``prepare(panel)`` runs after the snapshot is shown (to pick a layer or a
    view). With ``save``, write a PNG and quit. Returns the exit status."""
    from nnviz.gui.app import create_application
    from nnviz.gui.i18n import tr

    app = create_application()
    if snapshot is None:
        snapshot = make_panel.demo_snapshot()
    panel = make_panel()  # after the QApplication: a widget needs one
    panel.setWindowTitle(tr("nnviz — {panel}").format(panel=tr(title)))
    panel.resize(*size)
    panel.show()
    start = time.perf_counter()
    panel.show_snapshot(snapshot)
    if prepare is not None:
        prepare(panel)
    app.processEvents()
    print(f"show_snapshot + first paint: {1000 * (time.perf_counter() - start):.0f} ms")
    if save:
        panel.grab().save(save)
        status = 0
    else:
        status = app.exec()
    # Delete the widgets while the QApplication still exists: left to interpreter shutdown,
    # pyqtgraph's items can be torn down in an order that crashes.
    panel.close()
    panel.deleteLater()
    app.processEvents()
    return status


def main(argv=None) -> int:
    """Open a snapshot panel of the registry, by name, on its demo snapshot."""
    import argparse

    from nnviz.gui.panels.base import Panel
    from nnviz.gui.panels.registry import PANELS

    names = [name for name, spec in PANELS.items() if spec.area != "inside" and issubclass(spec.load(), Panel)]
    parser = argparse.ArgumentParser(description="Open one panel alone on its demo snapshot.")
    parser.add_argument("name", choices=names)
    parser.add_argument("--save", metavar="PNG", help="save a picture of the panel and quit")
    args = parser.parse_args(argv)
    spec = PANELS[args.name]
    return show_alone(spec.load(), spec.title, save=args.save)


if __name__ == "__main__":
    import sys

    sys.exit(main())
