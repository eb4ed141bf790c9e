"""A person opens PyTorch weights through File › Open in the real window: the file dialog offers them,
the network appears in the graph and the controls with the weights of the file, it trains, and Save
asks where to save it as an nnviz model (never over the weights). Without an architecture the window
says what it assumed; a pickle is refused with how to convert it, and nothing changes."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtWidgets

from nnviz.core import load_model

FIXTURE = Path(__file__).resolve().parents[1] / "reference" / "torch_import"


@pytest.fixture
def choose_file(monkeypatch):
    """``choose_file(path)``: the next File › Open dialog returns ``path``; returns the filters it offered."""
    offered = []

    def arm(path: Path) -> list[str]:
        def get_open_file_name(parent, caption, start, filters):
            offered.append(filters)
            return str(path), ""

        monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", staticmethod(get_open_file_name))
        return offered

    return arm


def test_file_open_shows_pytorch_weights_as_the_network_and_trains_them(user, choose_file, monkeypatch, tmp_path):
    window = user.window
    for name in ("mlp.safetensors", "mlp.safetensors.json"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    path = tmp_path / "mlp.safetensors"
    weights = path.read_bytes()
    offered = choose_file(path)

    user.trigger("Open…")
    user.settle()

    assert "PyTorch weights (*.safetensors)" in offered[0].split(";;")
    assert window.last_message == ""  # nothing to say: the sidecar gives the architecture
    # the graph: inputs, then every layer of the nn.Sequential (norms and dropout are columns too)
    assert window.graph.column_sizes() == (2, 6, 6, 6, 5, 5, 4, 4, 1)
    snap = window.latest
    assert [view.type for view in snap.layers] == ["dense", "batchnorm", "dropout", "dense", "layernorm", "dense",
                                                  "rmsnorm", "dense"]
    net = load_model(path)
    for name, value in net.named_parameters():
        np.testing.assert_array_equal(snap.params[name], value, err_msg=name)
    assert (user.text("Loss"), user.text("Output activation"), user.text("Output units")) == ("bce", "sigmoid", "1")
    assert user.text("Data set") in ("circle", "Circle")
    assert window.path is None and "mlp (from mlp.safetensors)" in window.windowTitle()

    user.train(10)
    assert user.step() >= 10

    asked = []

    def get_save_file_name(parent, caption, start, filters):
        asked.append(start)
        return str(tmp_path / "mlp.nnviz.json"), ""

    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    with user.qtbot.waitSignal(window.session.saved):
        user.trigger("Save", settle=False)
    assert asked == [str(tmp_path / "mlp.nnviz.json")]
    assert path.read_bytes() == weights  # the weights are never written over
    saved = load_model(tmp_path / "mlp.nnviz.json")
    assert saved.step_count >= 10 and len(saved.layers) == 8


def test_without_an_architecture_the_window_says_what_it_assumed(user, choose_file, tmp_path):
    path = tmp_path / "mlp.safetensors"
    shutil.copy(FIXTURE / "mlp.safetensors", path)
    choose_file(path)

    user.trigger("Open…")
    user.settle()

    message = user.message()
    assert message.startswith("mlp.safetensors has no architecture (mlp.safetensors.json)") and "ReLU" in message
    assert "\n" not in message
    assert any(box.isVisible() and box.text() == message for box in user.window.findChildren(QtWidgets.QMessageBox))
    user.dismiss_message()
    assert user.window.graph.column_sizes() == (2, 6, 6, 5, 5, 4, 4, 1)  # no dropout: it holds no weights
    assert user.text("Output activation") == "identity"


def test_a_pickle_is_refused_with_how_to_convert_it_and_nothing_changes(user, choose_file, tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04" + bytes(40))
    user.train(5)
    step, sizes = user.step(), user.window.graph.column_sizes()
    choose_file(path)

    user.trigger("Open…")
    user.settle()

    message = user.message()
    assert message.startswith(f"{path}: a PyTorch pickle") and "\n" not in message
    assert 'save_file(model.state_dict(), "model.safetensors")' in message
    assert user.step() == step and user.window.graph.column_sizes() == sizes
