"""The example and lesson model documents that ship with nnviz (``resources/examples/``).

Each is a ``nnviz.model/1`` document with a ``name`` (what an Examples menu shows) and a
``description`` (what the lesson shows and what to look for); a lesson may carry a ``lesson`` section
(its steps) and an exercise an ``exercise`` section (see :mod:`nnviz.core.lessons`). Lessons come
first, in teaching order, then the exercises, then the other examples::

    from nnviz.core.examples import list_examples, load_example
    [e.key for e in list_examples()]        # ['two-two-one', 'sigmoid-neuron', ..., 'circle']
    Experiment(load_example("xor-mlp"))     # the model with its inline data

The files are the package data of ``nnviz.resources`` (the top-level ``resources/`` folder, mapped in
``pyproject.toml``), found with :mod:`importlib.resources`, so they load from a wheel or an editable
install alike; from a source checkout, the folder is read in place.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass, field

from nnviz.core.document import build_network, read_document
from nnviz.core.errors import ModelError
from nnviz.core.lessons import document_text
from nnviz.core.package_data import resource_folder

__all__ = ["EXERCISES", "LESSONS", "Example", "example_files", "list_examples", "load_example"]

#: the lessons, in the order they teach (the stems of their files); other examples follow by name
LESSONS = ("perceptron-accept", "two-two-one", "sigmoid-neuron", "perceptron-and", "perceptron-xor", "symmetry",
           "xor-mlp", "softmax-three-classes", "cross-entropy", "mazur-backprop", "square-fit")
#: the exercises, each a classic mistake to fix or a Playground-style challenge, after the lessons
EXERCISES = ("exercise-no-activation", "exercise-deep-sigmoid", "exercise-mse-classification",
             "exercise-naive-softmax", "exercise-zero-init", "exercise-fewest-units", "exercise-learning-rate")


@dataclass(frozen=True)
class Example:
    """One shipped document: ``key`` (its file stem, for :func:`load_example`), ``name`` and
    ``description`` (from the document), and ``kind``: "lesson", "exercise" or "example"."""

    key: str
    name: str
    description: str
    kind: str = "example"
    #: the document's ``translations`` of its name and description ({"zh_CN": {"name": …}})
    translations: dict = field(default_factory=dict, compare=False)

    def name_in(self, locale: str | None) -> str:
        """The name for a reader in ``locale`` (English when the document gives none in that language)."""
        return document_text({"name": self.name, "translations": self.translations}, "name", locale)

    def description_in(self, locale: str | None) -> str:
        """The description for a reader in ``locale``."""
        return document_text({"description": self.description, "translations": self.translations},
                             "description", locale)


def _folder():
    """The examples folder (see :func:`~nnviz.core.package_data.resource_folder`)."""
    return resource_folder("examples")


def example_files() -> dict:
    """Each shipped example's file (package data), by key: the lessons in teaching order, then the
    exercises, then the rest."""
    found = {entry.name[: -len(".json")]: entry for entry in _folder().iterdir()
             if entry.is_file() and entry.name.endswith(".json")}
    order = [key for key in (*LESSONS, *EXERCISES) if key in found]
    order += sorted(key for key in found if key not in order)
    return {key: found[key] for key in order}


def _read(entry) -> dict:
    with importlib.resources.as_file(entry) as path:
        doc = read_document(path)
    try:
        build_network(doc)  # validated here, so a broken example is reported by its file name
    except ModelError as exc:
        raise ModelError(f"{entry.name}: {exc}") from None
    return doc


def list_examples() -> list[Example]:
    """Every shipped document: the lessons in teaching order, then the exercises, then the rest by key."""
    out = []
    for key, entry in example_files().items():
        doc = _read(entry)
        kind = "lesson" if key in LESSONS else "exercise" if key in EXERCISES else "example"
        out.append(Example(key, doc.get("name") or key, doc.get("description", ""), kind,
                           doc.get("translations", {})))
    return out


def load_example(key: str) -> dict:
    """The document ``key`` (a file stem, as in :attr:`Example.key`), validated; a fresh dict."""
    files = example_files()
    if key not in files:
        raise ModelError(f"unknown example {key!r} (examples: {', '.join(files)})")
    return _read(files[key])
