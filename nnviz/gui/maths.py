"""Typeset maths: LaTeX drawn as a picture, with no TeX installation.

ziamath lays the formula out (LaTeX → MathML → SVG, with the STIX Two Math font it ships) and Qt's SVG
renderer draws it. :func:`typeset` gives the picture (a ``QImage``), :func:`picture_html` and
:func:`inline_html` an ``<img>`` for rich text (a QLabel's, a QTextBrowser's) that carries the picture
in a ``data:`` URI, so the fragment stands alone wherever it is put.

Both are cached per (formula, size, colour, scale): stepping back and forth through a step draws each
formula once. The colour is the palette's text colour unless one is given, so a dark desktop gets light
glyphs. A formula that cannot be typeset (LaTeX the renderer does not know) falls back to its plain
text; :func:`fallbacks` lists the formulas that did, and each is logged once.
"""

from __future__ import annotations

import base64
import html
import logging
import math
import re
import warnings
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from PySide6 import QtCore, QtGui, QtSvg

log = logging.getLogger(__name__)

#: the pictures kept (about 40 kB each at 17 px on a standard screen, four times that on a 2x one)
CACHE_SIZE = 256
#: the rich-text fragments kept (about 4 kB each): a step-through's every formula, many times over
HTML_CACHE_SIZE = 4096
#: a formula's size in pixels when none is given
DEFAULT_SIZE = 16.0

_fallbacks: deque[tuple[str, str]] = deque(maxlen=200)


class TypesetError(ValueError):
    """The formula could not be typeset (its LaTeX is not understood, or the renderer is missing)."""


@dataclass(frozen=True)
class Typeset:
    """A typeset formula: its picture (``devicePixelRatio`` set to the scale it was drawn at), or, if
    it could not be typeset, no picture and the reason."""

    image: QtGui.QImage | None
    error: str = ""


def text_colour() -> str:
    """The application palette's text colour, as a ``#rrggbb`` name."""
    return QtGui.QGuiApplication.palette().color(QtGui.QPalette.ColorRole.Text).name()


#: a minus sign that starts an operand (after an opening bracket, a comma or a relation), before a number
_SIGN = re.compile(r"(^|[(\[=,{]|\\approx|\\left\[)(\s*)-(\d+(?:\.\d*)?)")


def _svg(latex: str, size: float, colour: str, inline: bool) -> bytes:
    """ziamath's SVG of ``latex``; :class:`TypesetError` if it cannot be laid out."""
    # TeX reads "= -0.5" and "(-0.5)" as a sign; ziamath spaces every minus as an operator: braced, a sign
    latex = _SIGN.sub(r"\1\2{-\3}", latex)
    # ziamath loads its font, on import, with importlib.resources.path (deprecated in Python 3.11, 3.12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import ziamath
        except Exception as exc:  # noqa: BLE001 - a broken install (or bundle, its data files missing): plain text
            raise TypesetError(f"ziamath cannot be loaded ({type(exc).__name__}: {exc})") from exc
    # SVG 1.1 (paths, no <symbol>): Qt's renderer draws SVG Tiny 1.2
    ziamath.config.svg2 = False
    try:
        maths = ziamath.Latex(latex, size=size, color=colour, inline=inline)
    except Exception as exc:  # noqa: BLE001 - latex2mathml and ziamath raise many kinds on bad input
        raise TypesetError(f"{type(exc).__name__}: {exc}") from exc
    # a command latex2mathml does not know stays as its name ("\foo" drawn in italics): not maths
    unknown = [text for text in maths.mathml.itertext() if "\\" in text]
    if unknown:
        raise TypesetError("unknown LaTeX " + ", ".join(sorted(set(unknown))))
    try:
        return maths.svg().encode("utf-8")
    except Exception as exc:  # noqa: BLE001
        raise TypesetError(f"{type(exc).__name__}: {exc}") from exc


@lru_cache(maxsize=CACHE_SIZE)
def _render(latex: str, size: float, colour: str, scale: float, inline: bool) -> Typeset:
    try:
        svg = _svg(latex, size, colour, inline)
    except TypesetError as exc:
        _fallbacks.append((latex, str(exc)))
        log.warning("cannot typeset %r: %s", latex, exc)
        return Typeset(None, str(exc))
    renderer = QtSvg.QSvgRenderer(QtCore.QByteArray(svg))
    box = renderer.viewBoxF()
    if not renderer.isValid() or box.isEmpty():
        _fallbacks.append((latex, "Qt could not read the SVG"))
        return Typeset(None, "Qt could not read the SVG")
    width, height = max(1, math.ceil(box.width() * scale)), max(1, math.ceil(box.height() * scale))
    image = QtGui.QImage(width, height, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QtCore.QRectF(0, 0, box.width() * scale, box.height() * scale))
    painter.end()
    image.setDevicePixelRatio(scale)
    return Typeset(image)


def _scale(scale: float | None) -> float:
    if scale is not None:
        return float(scale)
    app = QtGui.QGuiApplication.instance()
    screen = app.primaryScreen() if app is not None else None
    return float(screen.devicePixelRatio()) if screen is not None else 1.0


def render(latex: str, size: float = DEFAULT_SIZE, colour: str | None = None, scale: float | None = None,
           inline: bool = False) -> Typeset:
    """``latex`` typeset at ``size`` pixels in ``colour`` (by default the palette's text colour), drawn
    at ``scale`` device pixels per pixel (by default the screen's); cached. Never raises: a formula
    that cannot be typeset comes back with no image and the reason (and is listed by :func:`fallbacks`)."""
    return _render(latex, float(size), QtGui.QColor(colour or text_colour()).name(), _scale(scale), inline)


def typeset(latex: str, size: float = DEFAULT_SIZE, colour: str | None = None, scale: float | None = None,
            inline: bool = False) -> QtGui.QImage:
    """The picture of ``latex`` (see :func:`render`); :class:`TypesetError` if it cannot be typeset."""
    result = render(latex, size, colour, scale, inline)
    if result.image is None:
        raise TypesetError(result.error)
    return result.image


@lru_cache(maxsize=HTML_CACHE_SIZE)
def _picture_html(latex: str, size: float, colour: str, scale: float, inline: bool, plain: str,
                  title: str) -> str | None:
    result = _render(latex, size, colour, scale, inline)
    if result.image is None:
        return None
    image = result.image
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    uri = "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")
    width, height = round(image.width() / scale), round(image.height() / scale)
    title_attr = f" title='{html.escape(title, quote=True)}'" if title else ""
    return (f"<img src='{uri}' width='{width}' height='{height}' alt='{html.escape(plain, quote=True)}'"
            f"{title_attr} style='vertical-align: middle;'>")


def picture_html(latex: str, plain: str | None = None, size: float = DEFAULT_SIZE, colour: str | None = None,
                 scale: float | None = None, inline: bool = True, title: str = "") -> str | None:
    """``latex`` typeset, as an ``<img>`` for Qt rich text (a ``data:`` URI, so it needs no resource
    of a document), or None if it cannot be typeset. ``plain``: its alternative text (by default the
    LaTeX); ``title``: its tooltip; ``inline``: text style (smaller fractions), for maths within a
    sentence. Cached (apart from the pictures: a fragment is a tenth of its picture's size)."""
    return _picture_html(latex, float(size), QtGui.QColor(colour or text_colour()).name(), _scale(scale), inline,
                         latex if plain is None else plain, title)


def inline_html(latex: str, plain: str | None = None, size: float = DEFAULT_SIZE, colour: str | None = None,
                scale: float | None = None, inline: bool = True, title: str = "") -> str:
    """:func:`picture_html`, or, if ``latex`` cannot be typeset, ``plain`` (by default the LaTeX
    itself) as text in the same colour."""
    picture = picture_html(latex, plain, size, colour, scale, inline, title)
    if picture is not None:
        return picture
    colour = QtGui.QColor(colour or text_colour()).name()
    return f"<span style='color: {colour}; font-family: serif;'>{html.escape(latex if plain is None else plain)}</span>"


def fallbacks() -> list[tuple[str, str]]:
    """The formulas that could not be typeset since the cache was last cleared: (LaTeX, reason)."""
    return list(_fallbacks)


def cache_info():
    """The picture cache's hits, misses and size (``functools.lru_cache``'s ``cache_info``)."""
    return _render.cache_info()


def html_cache_info():
    """The rich-text fragments' cache: hits, misses and size."""
    return _picture_html.cache_info()


def clear_cache() -> None:
    """Forget every picture (and the list of fallbacks)."""
    _render.cache_clear()
    _picture_html.cache_clear()
    _fallbacks.clear()
