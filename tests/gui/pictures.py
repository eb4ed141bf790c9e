"""Pictures for the mistakes and drawing-pad tests: sketched 8 × 8 digits, a net trained on them, the
same rows as a CSV file to import, and the network read back as the training process has it."""

from __future__ import annotations

import numpy as np

from nnviz.core import load_model
from nnviz.core.data import Dataset
from nnviz.core.dataconfig import DataConfig
from nnviz.core.experiment import Experiment
from nnviz.core.images import sketched_digits


def digits_experiment(steps: int = 40, test_fraction: float = 0.25, n: int = 400):
    """A 64-12-10 softmax net after ``steps`` steps on ``n`` sketched digits, and its snapshot."""
    X, labels = sketched_digits(n, seed=2, jitter=1.6)
    data = Dataset(X, labels.astype(float), "sketches", "classification",
                   tuple(f"px{i}" for i in range(64)), ("digit",))
    doc = {"format": "nnviz.model/1", "inputs": 64,
           "layers": [{"type": "dense", "units": 12, "activation": "relu"},
                      {"type": "dense", "units": 10, "activation": "softmax"}],
           "loss": "cross_entropy", "optimizer": {"name": "adam", "lr": 0.003}, "seed": 0}
    exp = Experiment(doc, DataConfig(imported=data, batch_size=32, test_fraction=test_fraction))
    exp.run(steps)
    return exp, exp.snapshot()


def digits_csv(path, n: int = 300):
    """``n`` sketched digits as a CSV file: px0 … px63 (0 … 16), then the digit."""
    X, labels = sketched_digits(n, seed=5, jitter=1.6)
    lines = [",".join([f"px{i}" for i in range(64)] + ["digit"])]
    lines += [",".join([str(int(v)) for v in row] + [str(int(d))]) for row, d in zip(X, labels)]
    path.write_text("\n".join(lines) + "\n")
    return path


def wrong_by_confidence(net, X, y):
    """The rows ``net`` gets wrong, most confident first (ties in row order), from its own predict:
    ``(rows, predicted, true, confidence)``."""
    out = net.predict(X)
    predicted, true = out.argmax(axis=1), y[:, 0].astype(int)
    wrong = np.flatnonzero(predicted != true)
    confidence = out[wrong, predicted[wrong]]
    order = sorted(range(len(wrong)), key=lambda k: (-confidence[k], wrong[k]))
    return wrong[order], predicted[wrong][order], true[wrong][order], confidence[order]


def saved_net(user, path):
    """The network as the window's training process has it: saved, and read back by the core's loader."""
    window = user.window
    with user.qtbot.waitSignal(window.session.saved, timeout=10000):
        window.session.save(str(path))
    return load_model(str(path))
