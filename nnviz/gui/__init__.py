"""The nnviz desktop app (PySide6 + pyqtgraph). It only draws what ``nnviz.core`` computes."""
