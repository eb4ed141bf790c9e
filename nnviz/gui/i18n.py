"""Translation: every visible string of the window goes through :func:`tr`.

Convention (``pyside6-lupdate`` extracts these calls; see docs/contributing.md):

- ``tr("Learning rate")`` — a literal string, never an f-string or a variable, so the extractor sees it;
- numbers and names go in by ``str.format`` *after* translation:
  ``tr("Step {step}").format(step=step)`` (the translator may move ``{step}``);
- the names of things that are not words (``ReLU``, ``Adam``, ``MSE``, file suffixes) stay as they are.

All strings share the empty context, so one source text has one translation wherever it appears.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` in the application's language (itself when no translation is installed or known)."""
    return QCoreApplication.translate("", text, disambiguation, n)
