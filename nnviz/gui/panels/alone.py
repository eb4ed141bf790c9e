"""Open one panel alone with a snapshot: what each panel module's ``python -m`` quick look runs."""

from __future__ import annotations

import time


def show_alone(make_panel, title: str, snapshot, size=(700, 500), prepare=None, save: str | None = None) -> int:
    """Show ``make_panel()`` in its own window with ``snapshot``; ``prepare(panel)`` runs after the
    snapshot is shown (to pick a layer or a view). With ``save``, write a PNG and quit. Returns the
    exit status."""
    from nnviz.gui.app import create_application

    app = create_application()
    panel = make_panel()  # after the QApplication: a widget needs one
    panel.setWindowTitle(f"nnviz — {title}")
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
