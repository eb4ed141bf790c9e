"""``python -m nnviz.gui.controls``: the sidebar alone, printing what it emits."""

from nnviz.gui.controls.panel import main

main()
