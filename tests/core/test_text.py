"""The core's display texts are marked for translation (``QT_TRANSLATE_NOOP("", …)``), without Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.datasets import DATASETS
from nnviz.core.initializers import INITIALIZERS
from nnviz.core.layers import LAYERS
from nnviz.core.losses import LOSSES
from nnviz.core.optimizers import OPTIMIZERS
from nnviz.core.schedules import SCHEDULES
from nnviz.core.text import QT_TRANSLATE_NOOP

CORE = Path(__file__).resolve().parents[2] / "nnviz" / "core"
REGISTRIES = {"activation": ACTIVATIONS, "initializer": INITIALIZERS, "layer": LAYERS, "loss": LOSSES,
              "optimizer": OPTIMIZERS, "schedule": SCHEDULES}


def marked_texts() -> set[str]:
    """Every literal written ``QT_TRANSLATE_NOOP("", "…")`` in nnviz/core (what pyside6-lupdate extracts)."""
    found = set()
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "QT_TRANSLATE_NOOP":
                context, text = node.args
                assert context.value == "", f"{path.name}:{node.lineno}: a context other than the empty one"
                found.add(text.value)
    return found


def test_the_marker_gives_the_text_itself():
    assert QT_TRANSLATE_NOOP("", "ReLU: max(0, z)") == "ReLU: max(0, z)"


@pytest.mark.parametrize("what", sorted(REGISTRIES))
def test_every_kind_s_tooltip_and_option_tips_are_marked(what):
    """A kind added without marking its tooltip would show in English in a translated window."""
    marked = marked_texts()
    shown = []
    for cls in REGISTRIES[what].values():
        shown.append(cls.tooltip)
        shown += list(getattr(cls, "OPTION_TIPS", {}).values()) + list(getattr(cls, "VARIANT_TIPS", {}).values())
    unmarked = sorted(text for text in shown if text and text not in marked)
    assert not unmarked, f"{what} texts not marked QT_TRANSLATE_NOOP: {unmarked}"


def test_the_naive_softmax_s_own_tooltip_is_marked():
    naive = ACTIVATIONS["softmax"](stable=False)
    assert naive.tooltip != ACTIVATIONS["softmax"].tooltip
    assert naive.tooltip in marked_texts()


def test_every_built_in_data_set_s_description_is_marked():
    marked = marked_texts()
    assert not sorted(spec.description for spec in DATASETS.values() if spec.description not in marked)
