"""One way to count: everything a person reads in a step-through counts layers, units, classes and
samples from 1; no document path (``layers[0]``, counted from 0) shows outside a tooltip."""

import re

import pytest

from nnviz.core.data import takes_class_indices
from nnviz.core.examples import load_example
from nnviz.core.experiment import Experiment
from nnviz.core.walkthrough import walk_next_step

#: a count from 0 where a person reads a count: "unit 0", "class 0", "layer 0", "sample 0", "row 0", …
ZERO_COUNT = re.compile(r"\b(?:unit|units|class|classes|layer|layers|sample|samples|row|rows|input|output|"
                        r"neuron|column|entry|step)\s+0\b|\[0\]|\[0,|,0\]|layers\[", re.IGNORECASE)

BATCHNORM_DROPOUT = {
    "format": "nnviz.model/1", "inputs": 2,
    "layers": [{"type": "dense", "units": 3, "activation": "relu"}, {"type": "batchnorm"},
               {"type": "dropout", "p": 0.5}, {"type": "dense", "units": 1, "activation": "sigmoid"}],
    "loss": "bce", "optimizer": {"name": "adam", "lr": 0.01}, "seed": 1,
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0], "batch_size": 4}}


def walkthroughs():
    """The step-through of four architectures, layer by layer and neuron by neuron."""
    for document in (load_example("two-two-one"), load_example("softmax-three-classes"), load_example("perceptron-and"),
                     BATCHNORM_DROPOUT):
        exp = Experiment(document)
        for neurons in (False, True):
            state = walk_next_step(exp.net, exp.trainer, neurons=neurons,
                                   class_indices=takes_class_indices(exp.net, exp.raw_train))
            yield document.get("name", "batchnorm-dropout"), state.walkthrough


def read_texts(walk):
    """Every text of every operation a person reads, for each sample and the whole batch."""
    samples = list(range(walk.batch)) + ([None] if walk.batch > 1 else [])
    for index in range(len(walk)):
        for sample in samples:
            calc = walk.calculation(index, sample)
            yield calc.text()
            yield calc.answer_label
            yield calc.symbol
            if calc.table is not None:
                yield from calc.table.columns
                yield from calc.table.rows[:50]
    yield walk.sample_text(0)


@pytest.mark.parametrize("name, walk", list(walkthroughs()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_text_of_a_step_through_counts_from_zero(name, walk):
    offenders = {match.group() + " in: " + text.replace("\n", " / ")[:160]
                 for text in read_texts(walk) for match in [ZERO_COUNT.search(text)] if match}
    assert not offenders, "\n".join(sorted(offenders))


def test_the_pattern_catches_counts_from_zero():
    for text in ("unit 0", "The target is class 0", "layers[0].bias", "z1[0]", "sample 0 of 3", "row 0"):
        assert ZERO_COUNT.search(text), text
    for text in ("unit 1", "class 1 (target 0)", "z1[1]", "0.0*1.0 + 0.5", "lr = 0.5"):
        assert not ZERO_COUNT.search(text), text
