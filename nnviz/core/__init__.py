"""The nnviz engine: pure NumPy, no Qt.

Public API::

    from nnviz.core import load_model, save_model, Trainer
    net = load_model("model.json")          # or a dict in the nnviz.model/1 format
    trainer = Trainer(net, X, y, batch_size=32)
    trainer.run(1000)
    net.predict(X)
    save_model(net, "trained.json")
"""

from nnviz.core.document import FORMAT, build_network, load_model, read_document, save_model
from nnviz.core.errors import DataError, ModelError, NnvizError
from nnviz.core.gradcheck import GradientCheck, gradient_check
from nnviz.core.network import Network
from nnviz.core.trace import LayerTrace, Trace
from nnviz.core.trainer import Trainer

__all__ = [
    "FORMAT", "DataError", "GradientCheck", "LayerTrace", "ModelError", "Network", "NnvizError", "Trace",
    "Trainer", "build_network", "gradient_check", "load_model", "read_document", "save_model",
]
