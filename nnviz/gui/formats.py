"""Every export format, one entry each: suffix → what it is called and which function writes it.

Three families, because the same suffix can mean two things (a ``.pdf`` figure or a ``.pdf``
report): :data:`FIGURE_FORMATS` (a panel's picture or its numbers), :data:`ANIMATION_FORMATS` (a
recording of the training) and :data:`REPORT_FORMATS` (the run report). The export function, the
Export dialog's choices and file filters, the recording, the report and the command line's help all
read these dicts, so a new format is one entry.

Qt-free on purpose, like the panel registry: the command line builds its help from it without
starting Qt. Writers are named as ``"module:function"`` and imported when first used (or given as
the function itself). Their signatures, by family:

* figure: ``write(widget, path, options)`` with :class:`~nnviz.gui.export.FigureOptions`;
* animation: ``open(temp_path, fps, path)`` returning an imageio-style writer (``append_data``,
  ``close``);
* report: ``write(temp_path, document, snapshot, data_label, figures)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name pyside6-lupdate looks for
    """Marks ``text`` for translation and returns it unchanged: this module stays Qt-free (the command
    line reads it without starting Qt); the window translates labels and descriptions where it shows them
    (``tr(fmt.label)``, ``file_filters(..., translate=tr)``)."""
    return text


@dataclass(frozen=True)
class ExportFormat:
    """One format: ``label`` names it in the Export dialog, ``description`` in file filters and
    help; ``table`` formats write the panel's numbers, not its picture; ``raster`` formats take a
    size and a background."""

    label: str
    description: str
    writer: Callable | str
    table: bool = False
    raster: bool = False

    def file_filter(self, suffix: str, translate: Callable[[str], str] = str) -> str:
        """``"PNG image (*.png)"``: the entry of a file dialog's filter (``translate`` turns the
        description into the application's language)."""
        return f"{translate(self.description)} (*.{suffix})"

    def load(self) -> Callable:
        """The writer (imported on first use)."""
        if not isinstance(self.writer, str):
            return self.writer
        module, _, name = self.writer.partition(":")
        return getattr(importlib.import_module(module), name)


FIGURE_FORMATS: dict[str, ExportFormat] = {
    "png": ExportFormat(QT_TRANSLATE_NOOP("", "PNG image"), QT_TRANSLATE_NOOP("", "PNG image"),
                        "nnviz.gui.export:write_png", raster=True),
    "svg": ExportFormat(QT_TRANSLATE_NOOP("", "SVG (vector)"), QT_TRANSLATE_NOOP("", "SVG image"),
                        "nnviz.gui.export:write_svg"),
    "pdf": ExportFormat(QT_TRANSLATE_NOOP("", "PDF (vector)"), QT_TRANSLATE_NOOP("", "PDF document"),
                        "nnviz.gui.export:write_pdf"),
    "csv": ExportFormat(QT_TRANSLATE_NOOP("", "CSV (numbers)"), QT_TRANSLATE_NOOP("", "CSV table"),
                        "nnviz.gui.export:write_csv", table=True),
}
ANIMATION_FORMATS: dict[str, ExportFormat] = {
    "gif": ExportFormat(QT_TRANSLATE_NOOP("", "Animated GIF"), QT_TRANSLATE_NOOP("", "Animated GIF"),
                        "nnviz.gui.animation:open_gif"),
    "mp4": ExportFormat(QT_TRANSLATE_NOOP("", "MP4 video"), QT_TRANSLATE_NOOP("", "MP4 video"),
                        "nnviz.gui.animation:open_mp4"),
}
REPORT_FORMATS: dict[str, ExportFormat] = {
    "html": ExportFormat(QT_TRANSLATE_NOOP("", "HTML report"), QT_TRANSLATE_NOOP("", "HTML report"),
                         "nnviz.gui.report:write_html"),
    "pdf": ExportFormat(QT_TRANSLATE_NOOP("", "PDF report"), QT_TRANSLATE_NOOP("", "PDF report"),
                        "nnviz.gui.report:write_pdf"),
}


def file_filters(formats: dict[str, ExportFormat], first: str | None = None,
                 translate: Callable[[str], str] = str) -> str:
    """A file dialog's filter for ``formats``, ``first`` at the top (the one chosen); ``translate``
    turns the descriptions into the application's language (the window passes ``tr``)."""
    order = sorted(formats, key=lambda suffix: suffix != first)
    return ";;".join(formats[suffix].file_filter(suffix, translate) for suffix in order)


def suffix_list(formats: dict[str, ExportFormat]) -> str:
    """``".png .svg .pdf .csv"``: for help texts."""
    return " ".join(f".{suffix}" for suffix in formats)
