"""Marking the core's display texts for translation, without Qt.

The core never imports Qt, yet the window shows some of its texts: a kind's tooltip, an option's
tip, a data set's title and description. They are written ``QT_TRANSLATE_NOOP("", "…")``: to the
core the text itself, while ``pyside6-lupdate`` (which knows the name) puts them in the translation
catalogue; the window shows them through ``nnviz.gui.i18n.tr(text)``. CLI and error messages stay
English and are not marked.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name pyside6-lupdate looks for
    """``text`` unchanged; marks it for the translation catalogue (``context`` is always ``""``)."""
    return text
