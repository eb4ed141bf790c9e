"""What the panels read of the core's registries, by the kind names a snapshot carries.

A snapshot may outlive its kind (a plug-in activation unregistered since), so every look-up here
answers as for a kind without the fact instead of failing.
"""

from __future__ import annotations

from nnviz.core.activations import ACTIVATIONS
from nnviz.core.layers import LAYERS
from nnviz.gui.i18n import tr


def output_range(activation: str) -> tuple[float, float] | None:
    """The whole range of the activation's outputs where it is bounded (drawn as a fixed axis or
    colour scale), else None."""
    return getattr(ACTIVATIONS.get(activation), "output_range", None)


def saturation_band(activation: str) -> tuple[float, float] | None:
    """The activation's outputs that are not saturated (marked by threshold lines), or None when its
    tails are not flat."""
    return getattr(ACTIVATIONS.get(activation), "saturation_band", None)


def weighted(layer_type: str) -> bool:
    """Whether each unit of the layer type takes a weighted sum of its inputs (a weight matrix and a
    bias per unit)."""
    return getattr(LAYERS.get(layer_type), "WEIGHTED", False)


def layer_title(layer_type: str) -> str:
    """How people write the layer type ("Dense", "BatchNorm"), in the interface's language."""
    return tr(getattr(LAYERS.get(layer_type), "title", "") or layer_type.title())
