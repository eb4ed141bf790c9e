"""One panel, one module: each a QWidget with ``show_snapshot(snapshot)``."""
