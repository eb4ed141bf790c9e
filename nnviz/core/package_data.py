"""The files nnviz ships as package data (the top-level ``resources/`` folder, installed as
``nnviz.resources``; see ``pyproject.toml``), found without Qt: the example documents, the data sets.

From a source checkout the folder is read in place (a checkout may run on another one's editable
install, whose package data are that checkout's); else from the installed package, with
:mod:`importlib.resources`, so a wheel and an editable install alike find them.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["resource_folder"]


def resource_folder(name: str):
    """The shipped folder ``name`` (``"examples"``, ``"datasets"``): a :class:`~pathlib.Path` in a
    source checkout, else an :mod:`importlib.resources` traversable (open it with ``as_file``)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "resources" / name).is_dir():
        return checkout / "resources" / name
    try:
        return importlib.resources.files("nnviz.resources") / name
    except ModuleNotFoundError:  # running from a source tree that is not installed
        return checkout / "resources" / name
