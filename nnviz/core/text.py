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


class Phrase(str):
    """A display text put together from a marked template and values: to the core (and the command
    line) the English text it formats to, while the window translates the template and formats it
    again (:func:`nnviz.gui.i18n.tr_phrase`)::

        title = Phrase(QT_TRANSLATE_NOOP("", "Layer {layer}: gradient of W{layer}"), layer=2)
        title == "Layer 2: gradient of W2"            # True: it is that str

    A value may itself be a :class:`Phrase` (translated in turn) or a plain str (kept as it is: a
    name, a formatted number). Pickles and compares as its text.
    """

    template: str
    fields: dict

    def __new__(cls, template: str, /, **fields) -> Phrase:
        self = super().__new__(cls, template.format(**fields) if fields else template)
        self.template, self.fields = template, fields
        return self

    def __reduce__(self):
        return _phrase, (self.template, self.fields)


def _phrase(template: str, fields: dict) -> Phrase:
    return Phrase(template, **fields)
