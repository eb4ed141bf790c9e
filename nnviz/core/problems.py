"""Problem kinds: regression, binary and multiclass classification, each with the loss that fits it.

The data decide the kind (a built-in's :attr:`~nnviz.core.datasets.DatasetSpec.kind`, imported rows by
the importer's verdict, :func:`kind_of`), and the kind the setup the app applies when the data change
kind or the loss in force cannot fit the targets, as TensorFlow Playground's problem type does: its
loss, then that loss's output activation (:attr:`~nnviz.core.losses.Loss.output_activation`) and width
(one output per target column, or one per class under cross-entropy). An accuracy is given only where
the output can tell the classes apart (:func:`class_count`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.data import CLASSIFICATION, Dataset
from nnviz.core.errors import DataError
from nnviz.core.losses import Loss, make_loss


@dataclass(frozen=True)
class ProblemKind:
    """One kind of problem: its name, how people read it, and the loss that fits it."""

    name: str
    title: str
    loss: str
    #: whether an accuracy means anything (classification)
    scored: bool


#: every problem kind by name; the regression kind comes first, for its loss fits any targets
PROBLEMS: dict[str, ProblemKind] = {kind.name: kind for kind in (
    ProblemKind("regression", "regression", "mse", scored=False),
    ProblemKind("binary", "binary classification", "bce", scored=True),
    ProblemKind("multiclass", "multiclass classification", "cross_entropy", scored=True),
)}
REGRESSION, BINARY, MULTICLASS = PROBLEMS


def kind_of(data: Dataset) -> str:
    """The kind of imported rows, from the importer's verdict: regression, binary (one target column
    of at most two labels) or multiclass (more labels, or several columns of one-hot rows)."""
    if data.task != CLASSIFICATION:
        return REGRESSION
    return BINARY if data.y.shape[1] == 1 and data.n_classes <= 2 else MULTICLASS


def describe(kind: str, y: np.ndarray) -> str:
    """``binary classification``, ``multiclass classification (10 classes)`` or ``regression``."""
    if kind != MULTICLASS:
        return PROBLEMS[kind].title
    return f"{PROBLEMS[kind].title} ({class_count(y)} classes)"


def class_count(y: np.ndarray) -> int:
    """How many classes classification targets ``y`` hold: the labels of one column, else one
    class per column (one-hot rows)."""
    return int(np.unique(y[:, 0]).size) if y.shape[1] == 1 else y.shape[1]


def fitting_loss(kind: str, y: np.ndarray, data: str) -> Loss:
    """The loss for ``kind`` that fits targets ``y``: the kind's own, else (labels a classification
    loss cannot take, such as -1/+1) the regression loss, which fits any targets."""
    loss = make_loss(PROBLEMS[kind].loss)
    try:
        loss.check_targets(y, None, data)
    except DataError:
        return make_loss(PROBLEMS[REGRESSION].loss)
    return loss


__all__ = ["BINARY", "MULTICLASS", "PROBLEMS", "REGRESSION", "ProblemKind", "class_count", "describe", "fitting_loss",
           "kind_of"]
