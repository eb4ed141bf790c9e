"""The sidebar: data, architecture and training controls, as in TensorFlow Playground.

One module per section — :mod:`~nnviz.gui.controls.data`, :mod:`~nnviz.gui.controls.architecture`,
:mod:`~nnviz.gui.controls.training` — built from the shared pieces in
:mod:`~nnviz.gui.controls.widgets`, and :class:`ControlsPanel` (:mod:`~nnviz.gui.controls.panel`)
composing them. The choices (layer types, activations, losses, optimizers, schedules, initialisers)
are read from the core's registries when the widgets are built, so a kind registered later is offered.

The panel never touches training. It shows the state it is given (:meth:`ControlsPanel.set_state`,
which emits nothing) and emits what the user asks for:

* ``data_changed(DataConfig)`` — a new data configuration (data set, noise, split, batch, features);
* ``layers_changed(list)`` — the full list of layer specs (hidden layers, then the output layer) in the
  model-document form that ``Experiment.set_layers`` takes;
* ``training_changed(dict)`` — only the settings that changed, as ``Experiment.set_training(**changes)``
  takes them (``lr``, ``optimizer``, ``loss``, ``regularization``, ``clip_grad_norm``, ``schedule``,
  ``seed``);
* ``speed_changed(int)`` — optimizer steps per second, 0 for as fast as possible;
* ``input_refused(str)`` — a typed value was refused (the field turns red; nothing else is emitted).

Spin boxes are debounced (``DEBOUNCE_MS``) so that dragging one does not rebuild the network on every
tick; :meth:`ControlsPanel.flush` emits whatever is pending at once.

Run ``python -m nnviz.gui.controls`` to see the sidebar alone; it prints what it emits.
"""

from nnviz.gui.controls.architecture import LayerRow, layer_choices
from nnviz.gui.controls.panel import ControlsPanel
from nnviz.gui.controls.training import LEARNING_RATES, REGULARIZATION_RATES, SPEEDS
from nnviz.gui.controls.widgets import DEBOUNCE_MS, NumberCombo, NumberEdit, parse_number

__all__ = ["DEBOUNCE_MS", "LEARNING_RATES", "REGULARIZATION_RATES", "SPEEDS", "ControlsPanel", "LayerRow",
           "NumberCombo", "NumberEdit", "parse_number", "layer_choices"]
