"""Importing a PyTorch nn.Sequential from a .safetensors file (nnviz.core.torch_import, with the reader
nnviz.core.safetensors_file): the recorded fixture predicts what PyTorch predicted (no torch needed),
models built with torch on the spot predict the same to 1e-12, the architecture comes from the sidecar,
the metadata or the shapes, and every malformed file or pickle is refused in one line naming the file.

Files are written here by :func:`safetensors_bytes`, a writer of the format in a few lines (the
``safetensors`` package is not a dependency); where the package is installed, a test also reads a
file it wrote.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import Trainer, load_model, save_model
from nnviz.core.activations import ACTIVATIONS
from nnviz.core.datasets import make_dataset
from nnviz.core.document import build_network, read_document
from nnviz.core.errors import DataError, LimitError, ModelError, NnvizError
from nnviz.core.experiment import DataConfig, Experiment
from nnviz.core.layers import LAYERS
from nnviz.core.safetensors_file import read_safetensors
from nnviz.core.torch_import import TORCH_MODULES, import_safetensors, sidecar_path

FIXTURE = Path(__file__).resolve().parents[1] / "reference" / "torch_import"
RTOL, ATOL = 1e-12, 1e-12
NUMPY_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I8": "<i1"}


# -- writing files ------------------------------------------------------------------------------------------------
def safetensors_bytes(tensors: dict, metadata: dict | None = None) -> bytes:
    """A safetensors file: ``tensors`` maps a name to an array (F64, F32, F16 or I64 by its dtype) or
    to ``(dtype, array)`` (``"BF16"``: the upper half of each float32). The header is padded with
    spaces to a multiple of 8 bytes, as the safetensors package writes it."""
    header, chunks, at = {}, [], 0
    for name, value in tensors.items():
        dtype, array = value if isinstance(value, tuple) else (_dtype_name(value), value)
        array = np.asarray(array)  # tobytes() writes C order (and keeps a 0-d count 0-d)
        if dtype == "BF16":
            data = (np.asarray(array, dtype="<f4").view("<u4") >> 16).astype("<u2").tobytes()
        else:
            data = array.astype(NUMPY_DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    return raw_file(header, b"".join(chunks))


def _dtype_name(array) -> str:
    return {np.dtype("float64"): "F64", np.dtype("float32"): "F32", np.dtype("float16"): "F16",
            np.dtype("int64"): "I64"}[np.asarray(array).dtype]


def raw_file(header, data: bytes) -> bytes:
    """The bytes of a file with this header (a dict, or its text) and data."""
    text = (json.dumps(header) if isinstance(header, dict) else header).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + data


def write(path: Path, tensors: dict, metadata: dict | None = None, modules: list | None = None, **keys) -> Path:
    """Write a safetensors file (and, with ``modules``, its sidecar with ``keys``)."""
    path.write_bytes(safetensors_bytes(tensors, metadata))
    if modules is not None:
        sidecar_path(path).write_text(json.dumps({"modules": modules, **keys}), encoding="utf-8")
    return path


def mlp_tensors(rng=None) -> dict:
    """The state dict of Linear(2, 8), ReLU, Linear(8, 1): keys 0.* and 2.*."""
    rng = rng or np.random.default_rng(0)
    return {"0.weight": rng.normal(size=(8, 2)), "0.bias": rng.normal(size=8),
            "2.weight": rng.normal(size=(1, 8)), "2.bias": rng.normal(size=1)}


def assert_one_line(exc: BaseException, *fragments: str) -> None:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


# -- the recorded fixture (no torch) ------------------------------------------------------------------------------
def test_the_recorded_fixture_predicts_what_pytorch_predicted():
    expected = json.loads((FIXTURE / "mlp.expected.json").read_text(encoding="utf-8"))
    notes = []
    net = load_model(FIXTURE / "mlp.safetensors", notes)
    assert notes == []  # the sidecar says everything
    X, out = np.array(expected["inputs"]), np.array(expected["outputs"])
    np.testing.assert_allclose(net.predict(X), out, rtol=RTOL, atol=ATOL)
    assert [layer.type for layer in net.layers] == ["dense", "batchnorm", "dropout", "dense", "layernorm", "dense",
                                                   "rmsnorm", "dense"]
    assert [layer.activation.name for layer in net.layers] == ["identity", "tanh", "identity", "identity", "gelu",
                                                              "identity", "swish", "sigmoid"]
    assert net.loss.name == "bce" and net.optimizer.name == "adam" and net.meta["data"] == {"dataset": "circle"}
    assert net.layers[6].eps == 1e-6 and net.layers[2].p == 0.1


def test_the_fixture_is_an_ordinary_document_that_trains_saves_and_reloads(tmp_path):
    doc = read_document(FIXTURE / "mlp.safetensors")
    assert doc["format"] == "nnviz.model/1" and doc["name"] == "mlp" and doc["state"]["step"] == 0
    json.dumps(doc, allow_nan=False)  # plain JSON values: lists of floats
    net = build_network(doc)
    saved = tmp_path / "mlp.nnviz.json"
    save_model(net, saved)
    X = np.array(json.loads((FIXTURE / "mlp.expected.json").read_text(encoding="utf-8"))["inputs"])
    np.testing.assert_array_equal(load_model(saved).predict(X), net.predict(X))
    data = make_dataset("circle", n=64)
    trainer = Trainer(net, data.X, data.y, batch_size=16)
    first = trainer.step()
    trainer.run(30)
    assert math.isfinite(trainer.history["loss"][-1]) and trainer.history["loss"][-1] < first


def test_the_app_keeps_the_imported_weights_and_refuses_data_they_do_not_fit():
    """The app's Experiment treats imported weights as learnt: never refitted to the data in force
    (its loss, output activation and widths stay); data of other widths are refused in one line."""
    doc = read_document(FIXTURE / "mlp.safetensors")
    experiment = Experiment(data=DataConfig(dataset="plane"))  # regression data: a fitted model would change
    with pytest.raises(DataError) as info:
        experiment.load_document({key: value for key, value in doc.items() if key != "data"})
    assert_one_line(info.value, "trained on other data")
    experiment = Experiment(doc)  # its sidecar's data entry: circle
    assert experiment.data.dataset == "circle"
    expected = json.loads((FIXTURE / "mlp.expected.json").read_text(encoding="utf-8"))
    np.testing.assert_allclose(experiment.net.predict(np.array(expected["inputs"])), np.array(expected["outputs"]),
                               rtol=RTOL, atol=ATOL)
    experiment.run(5)
    assert experiment.net.step_count == 5


def test_every_torch_module_becomes_a_registered_nnviz_kind():
    layers = {"Linear": "dense", "BatchNorm1d": "batchnorm", "LayerNorm": "layernorm", "RMSNorm": "rmsnorm",
              "Dropout": "dropout"}
    for name, spec in TORCH_MODULES.items():
        if spec.role == "activation":
            args = {arg: default for arg, _, default in spec.all_arguments()}
            activation = spec.activation(args)
            assert (activation if isinstance(activation, str) else activation["name"]) in ACTIVATIONS, name
        elif spec.role in ("layer", "dropout"):
            assert layers[name] in LAYERS


# -- models built with torch on the spot --------------------------------------------------------------------------
def _torch_models():
    """(id, factory) of nn.Sequential MLPs of 3 inputs; each factory imports torch when called."""
    def seq(*modules):
        import torch
        from torch import nn

        torch.manual_seed(0)
        model = nn.Sequential(*[m() for m in modules]).double()
        for module in model:  # norms with weights and statistics of their own, not 1 and 0
            if isinstance(module, (nn.BatchNorm1d, nn.LayerNorm, nn.RMSNorm)):
                for p in module.parameters():
                    nn.init.normal_(p, 1.0 if p is getattr(module, "weight", None) else 0.0, 0.3)
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(16, 3, dtype=torch.float64) * 2 + 0.5)
        return model.eval()

    def n():
        from torch import nn
        return nn

    cases = {
        "linear-relu-linear": lambda: seq(lambda: n().Linear(3, 8), n().ReLU, lambda: n().Linear(8, 2)),
        "tanh-sigmoid": lambda: seq(lambda: n().Linear(3, 5), n().Tanh, lambda: n().Linear(5, 1), n().Sigmoid),
        "batchnorm-dropout": lambda: seq(lambda: n().Linear(3, 6), lambda: n().BatchNorm1d(6, momentum=0.3),
                                         n().ReLU, lambda: n().Dropout(0.25), lambda: n().Linear(6, 2)),
        "layernorm-gelu-softmax": lambda: seq(lambda: n().Linear(3, 6), lambda: n().LayerNorm(6, eps=1e-3),
                                              lambda: n().GELU(approximate="tanh"), lambda: n().Linear(6, 3),
                                              lambda: n().Softmax(dim=1)),
        "rmsnorm-silu-gelu": lambda: seq(lambda: n().Linear(3, 6), lambda: n().RMSNorm(6), n().SiLU,
                                         lambda: n().Linear(6, 4), n().GELU, lambda: n().Linear(4, 1)),
        "leaky-elu": lambda: seq(lambda: n().Linear(3, 6), lambda: n().LeakyReLU(0.2), lambda: n().Linear(6, 4),
                                 lambda: n().ELU(0.5), lambda: n().Linear(4, 2)),
        "no-bias-prelu": lambda: seq(lambda: n().Linear(3, 6, bias=False), lambda: n().PReLU(init=0.1),
                                     lambda: n().Linear(6, 1)),
        "norms-without-affine": lambda: seq(lambda: n().BatchNorm1d(3, affine=False), lambda: n().Linear(3, 6),
                                            lambda: n().LayerNorm(6, bias=False), n().Tanh,
                                            lambda: n().RMSNorm(6, elementwise_affine=False),
                                            lambda: n().Linear(6, 2)),
        "dropout-first-identity-flatten": lambda: seq(lambda: n().Dropout(0.5), n().Flatten,
                                                      lambda: n().Linear(3, 4), n().Identity, n().ReLU,
                                                      lambda: n().Linear(4, 1)),
    }
    return list(cases.items())


TORCH_MODELS = _torch_models()


def torch_file(tmp_path: Path, model, dtype: str = "F64", sidecar: bool = True, prefix: str = "") -> Path:
    """Write the model's state dict (floating point tensors as ``dtype``) as PyTorch holds it."""
    import torch

    tensors = {}
    for key, value in model.state_dict().items():
        if value.dtype == torch.int64:
            tensors[prefix + key] = value.numpy()
        elif dtype == "BF16":
            tensors[prefix + key] = ("BF16", value.to(torch.bfloat16).float().numpy())
        else:
            tensors[prefix + key] = value.numpy().astype(NUMPY_DTYPES[dtype])
    return write(tmp_path / "model.safetensors", tensors, modules=[repr(m) for m in model] if sidecar else None)


def torch_outputs(model, X: np.ndarray, dtype: str = "F64") -> np.ndarray:
    """What the model predicts in float64 with its weights rounded to ``dtype`` (as the file holds them)."""
    import copy

    import torch

    rounded = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dtype]
    reference = copy.deepcopy(model).to(rounded).double().eval()
    with torch.no_grad():
        return reference(torch.from_numpy(X)).numpy()


INPUTS = np.random.default_rng(1).normal(size=(40, 3)) * 2


@pytest.mark.parametrize("name, factory", TORCH_MODELS, ids=[name for name, _ in TORCH_MODELS])
def test_a_torch_model_predicts_what_pytorch_predicts(tmp_path, name, factory):
    pytest.importorskip("torch")
    model = factory()
    net = load_model(torch_file(tmp_path, model))
    np.testing.assert_allclose(net.predict(INPUTS), torch_outputs(model, INPUTS), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("dtype", ["F32", "F16", "BF16"])
def test_weights_of_every_float_dtype_are_read_exactly(tmp_path, dtype):
    pytest.importorskip("torch")
    model = dict(TORCH_MODELS)["batchnorm-dropout"]()
    net = load_model(torch_file(tmp_path, model, dtype))
    np.testing.assert_allclose(net.predict(INPUTS), torch_outputs(model, INPUTS, dtype), rtol=RTOL, atol=ATOL)


def test_a_sequential_kept_inside_a_module_is_found_by_its_prefix(tmp_path):
    pytest.importorskip("torch")
    model = dict(TORCH_MODELS)["layernorm-gelu-softmax"]()
    net = load_model(torch_file(tmp_path, model, prefix="net."))
    np.testing.assert_allclose(net.predict(INPUTS), torch_outputs(model, INPUTS), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["linear-relu-linear", "batchnorm-dropout", "rmsnorm-silu-gelu"])
def test_without_an_architecture_relus_are_assumed_and_said(tmp_path, name):
    """No sidecar: the layers come from the shapes, each gap between two is a ReLU, the output has no
    activation; exact where the model is built that way, and a note says what was assumed."""
    pytest.importorskip("torch")
    model = dict(TORCH_MODELS)[name]()
    notes = []
    net = load_model(torch_file(tmp_path, model, sidecar=False), notes)
    assert len(notes) == 1 and "model.safetensors has no architecture (model.safetensors.json)" in notes[0]
    assert "ReLU" in notes[0] and "no activation after the last layer" in notes[0]
    if name != "rmsnorm-silu-gelu":  # ReLUs between the layers, nothing at the end: what the rule assumes
        np.testing.assert_allclose(net.predict(INPUTS), torch_outputs(model, INPUTS), rtol=RTOL, atol=ATOL)
    else:
        assert [layer.activation.name for layer in net.layers] == ["identity", "relu", "relu", "identity"]


def test_a_file_written_by_the_safetensors_package_reads_the_same(tmp_path):
    pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    model = dict(TORCH_MODELS)["batchnorm-dropout"]()
    path = tmp_path / "model.safetensors"
    safetensors_torch.save_file(model.state_dict(), str(path), metadata={"nnviz": json.dumps(
        {"modules": [repr(m) for m in model]})})
    net = load_model(path)
    np.testing.assert_allclose(net.predict(INPUTS), torch_outputs(model, INPUTS), rtol=RTOL, atol=ATOL)


# -- the architecture ------------------------------------------------------------------------------------------
def test_the_architecture_in_the_metadata_is_used(tmp_path):
    spec = {"modules": ["Linear(2, 8)", "Tanh()", "Linear(8, 1)", "Sigmoid"], "loss": "bce"}
    notes = []
    net = load_model(write(tmp_path / "m.safetensors", mlp_tensors(), metadata={"nnviz": json.dumps(spec)}), notes)
    assert notes == [] and net.loss.name == "bce"
    assert [layer.activation.name for layer in net.layers] == ["tanh", "sigmoid"]


def test_the_sidecar_wins_over_the_metadata(tmp_path):
    path = write(tmp_path / "m.safetensors", mlp_tensors(), metadata={"nnviz": json.dumps({"modules": ["x"]})},
                 modules=["Linear(2, 8)", "ELU(alpha=0.5)", "Linear(8, 1)"])
    net = load_model(path)
    assert net.layers[0].activation.name == "elu" and net.layers[0].activation.options["alpha"] == 0.5


def test_inferred_layers_without_torch(tmp_path):
    """Shapes alone, with NumPy's own arithmetic as the reference: ReLU in the gap, identity after."""
    tensors = mlp_tensors()
    notes = []
    net = load_model(write(tmp_path / "m.safetensors", tensors), notes)
    X = INPUTS[:, :2]
    hidden = np.maximum(X @ tensors["0.weight"].T + tensors["0.bias"], 0)
    np.testing.assert_allclose(net.predict(X), hidden @ tensors["2.weight"].T + tensors["2.bias"],
                               rtol=RTOL, atol=ATOL)
    assert "the modules with no weights at 1 taken for a ReLU" in notes[0]


def test_inference_reads_norms_prelu_and_a_leading_gap(tmp_path):
    rng = np.random.default_rng(2)
    tensors = {"1.weight": rng.normal(size=(4, 2)), "1.bias": rng.normal(size=4),
               "2.weight": rng.normal(size=4), "2.bias": rng.normal(size=4),  # LayerNorm
               "3.weight": rng.normal(size=1),  # PReLU: one number, four features
               "4.weight": rng.normal(size=4),  # RMSNorm
               "5.weight": rng.normal(size=4), "5.bias": rng.normal(size=4), "5.running_mean": rng.normal(size=4),
               "5.running_var": rng.uniform(0.5, 2, size=4), "5.num_batches_tracked": np.array(7),
               "7.weight": rng.normal(size=(1, 4))}  # a Linear without a bias
    notes = []
    doc = read_document(write(tmp_path / "m.safetensors", tensors), notes)
    assert [layer["type"] for layer in doc["layers"]] == ["dense", "layernorm", "rmsnorm", "batchnorm", "dense"]
    assert doc["layers"][1]["activation"] == "prelu" and doc["layers"][1]["alpha"] == tensors["3.weight"].tolist()
    assert doc["layers"][3]["activation"] == "relu" and doc["layers"][4]["bias"] == [0.0]
    assert "those before the first layer (0) for nothing" in notes[0]
    assert any("module 7 is a Linear without a bias" in note for note in notes)


# -- refused: malformed files ---------------------------------------------------------------------------------------
def _valid() -> bytes:
    return safetensors_bytes({"0.weight": np.ones((2, 2)), "0.bias": np.zeros(2)})


def _entry(dtype="F64", shape=(2,), offsets=(0, 16)) -> dict:
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


MALFORMED = {
    "empty": (b"", "0 bytes, too short for a safetensors file"),
    "shorter than the header length": (b"\x05\x00\x00", "3 bytes, too short"),
    "truncated data": (_valid()[:-5], "the file is truncated"),
    "truncated header": (_valid()[:20], "runs past the end of the file"),
    "huge header length": ((2**63).to_bytes(8, "little") + b"{}", "more than a safetensors header may have"),
    "header length past the end": ((500).to_bytes(8, "little") + b"{}" + b" " * 6, "runs past the end of the file"),
    "empty header": ((8).to_bytes(8, "little") + b" " * 8, "the header is empty"),
    "header not an object": (raw_file("[1, 2]", b""), "does not start with '{'"),
    "bad JSON": (raw_file('{"0.weight": {"dtype": "F64",}', b""), "malformed JSON in the header"),
    "not UTF-8": ((4).to_bytes(8, "little") + b'{"\xff"' + b"}", "not UTF-8 text"),
    "name twice": (raw_file('{"a": {}, "a": {}}', b""), "'a' appears twice"),
    "unknown dtype": (raw_file({"0.bias": _entry("F7")}, bytes(16)), "'F7' is an unknown dtype"),
    "integer dtype": (raw_file({"0.bias": _entry("I8", (16,))}, bytes(16)), "'I8' is a dtype nnviz does not read"),
    "shape and offsets disagree": (raw_file({"0.bias": _entry(shape=(3,))}, bytes(16)),
                                   "shape [3] of F64 takes 24 bytes, but data_offsets [0, 16] hold 16"),
    "bad shape": (raw_file({"0.bias": _entry(shape=(-2,))}, bytes(16)), "shape: expected a list of whole numbers"),
    "offsets backwards": (raw_file({"0.bias": _entry(offsets=(16, 0))}, bytes(16)), "start <= end"),
    "overlap": (raw_file({"0.weight": _entry(shape=(2,), offsets=(0, 16)),
                          "0.bias": _entry(shape=(1,), offsets=(8, 16))}, bytes(16)), "overlap"),
    "hole": (raw_file({"0.bias": _entry(offsets=(8, 24))}, bytes(24)), "bytes 0 to 8 of the data belong to no tensor"),
    "bytes after the data": (raw_file({"0.bias": _entry()}, bytes(24)),
                             "8 bytes after the last tensor's data belong to no tensor"),
    "missing key": (raw_file({"0.bias": {"dtype": "F64", "shape": [2]}}, bytes(16)), "data_offsets missing"),
    "extra key": (raw_file({"0.bias": {**_entry(), "strides": [1]}}, bytes(16)), "unknown key 'strides'"),
    "metadata not text": (raw_file({"__metadata__": {"a": 1}}, b""), "__metadata__: expected an object of text"),
    "a torch.save zip": (b"PK\x03\x04" + bytes(60), "a PyTorch pickle (what torch.save writes)"),
    "a bare pickle": (b"\x80\x04\x95" + bytes(60), "a PyTorch pickle"),
    # the state dict
    "no tensors": (raw_file({}, b""), "no tensors"),
    "not a Sequential": (safetensors_bytes({"fc1.weight": np.ones((2, 2))}), "'fc1.weight': not a key of an "
                                                                           "nn.Sequential"),
    "leading zero": (safetensors_bytes({"0.weight": np.ones((2, 2)), "00.weight": np.ones((2, 2))}),
                     "'00.weight': not a key of an nn.Sequential"),
    "index far out": (safetensors_bytes({"0.weight": np.ones((2, 2)), "123456789.weight": np.ones((2, 2))}),
                      "an index beyond the 10,000 modules"),
    "two prefixes": (safetensors_bytes({"a.0.weight": np.ones((2, 2)), "b.1.weight": np.ones((2, 2))}),
                     "not of the same nn.Sequential as 'a.0.weight'"),
    "unknown key": (safetensors_bytes({"0.weight": np.ones((2, 2)), "0.scale": np.ones(2)}),
                    "'0.scale': unknown key (module 0, Linear"),
    "a key alone": (safetensors_bytes({"0.bias": np.ones(2)}), "no module of an MLP holds 'bias' alone"),
    "3-D weight": (safetensors_bytes({"0.weight": np.ones((2, 2, 2))}), "an MLP's weights have 1 or 2 dimensions"),
    "inconsistent layers": (safetensors_bytes({"0.weight": np.ones((8, 2)), "2.weight": np.ones((1, 5))}),
                            "'2.weight': takes 5 features (shape (1, 5)), but the layer before gives 8"),
    "norm of another width": (safetensors_bytes({"0.weight": np.ones((8, 2)), "1.weight": np.ones(5),
                                                 "1.bias": np.ones(5)}),
                              "LayerNorm of 5 features (normalized_shape), but the layer before gives 8"),
    "integer weight": (safetensors_bytes({"0.weight": np.ones((2, 2), dtype=np.int64)}),
                       "'0.weight': I64; weights must be floating point"),
    "NaN weight": (safetensors_bytes({"0.weight": np.array([[1.0, math.nan]])}), "holds NaN or infinity"),
    "negative variance": (safetensors_bytes({"0.running_mean": np.zeros(2), "0.running_var": -np.ones(2),
                                             "1.weight": np.ones((1, 2))}), "a variance cannot be negative"),
    "count of another kind": (safetensors_bytes({"0.running_mean": np.zeros(2), "0.running_var": np.ones(2),
                                                 "0.num_batches_tracked": np.ones(2)}), "expected a count"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_in_one_line_naming_it(tmp_path, case):
    data, fragment = MALFORMED[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert_one_line(info.value, str(path), fragment)
    with pytest.raises(ModelError):
        load_model(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 2000), at=st.integers(0, 2000), byte=st.integers(0, 255),
       inserted=st.binary(max_size=8))
def test_a_damaged_file_opens_or_is_refused_in_one_line_never_a_traceback(tmp_path, cut, at, byte, inserted):
    """The fixture, truncated, with a byte changed and bytes inserted: it opens (a changed weight),
    or one NnvizError line names it."""
    data = bytearray((FIXTURE / "mlp.safetensors").read_bytes())
    data = data[: max(len(data) - cut, 0)] if cut % 3 == 0 else data
    if data:
        data[at % len(data)] = byte
    data[at % (len(data) + 1):at % (len(data) + 1)] = inserted
    path = tmp_path / "damaged.safetensors"
    path.write_bytes(bytes(data))
    try:
        read_document(path)
    except NnvizError as exc:
        assert_one_line(exc, str(path))


def test_a_file_past_the_parameter_limit_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "big.safetensors"
    header = {"0.weight": _entry("F32", (1001, 1000), (0, 4_004_000))}
    path.write_bytes(raw_file(header, bytes(4_004_000)))
    with pytest.raises(LimitError) as info:
        read_safetensors(path)
    assert_one_line(info.value, str(path), "1,001,000 numbers", "the parameter limit is 1,000,000")


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".bin", ".ckpt"])
def test_a_pytorch_pickle_is_refused_with_how_to_convert_it(tmp_path, suffix):
    path = tmp_path / f"model{suffix}"
    path.write_bytes(b"\x80\x02}q\x00.")  # an empty dict, pickled: never unpickled, never even read
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert_one_line(info.value, str(path), "pickle", "can run any code",
                    'save_file(model.state_dict(), "model.safetensors")')


def test_a_pickle_under_another_name_is_refused_too(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b"PK\x03\x04" + bytes(40))
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert_one_line(info.value, "a PyTorch pickle")


# -- refused: architectures that do not fit -----------------------------------------------------------------------
SIDECAR_PROBLEMS = {
    "unknown module": (["Linear(2, 8)", "Hardtanh()", "Linear(8, 1)"], "modules[1]: nnviz has no equivalent of "
                                                                       "'Hardtanh'"),
    "close name": (["Linear(2, 8)", "Relu()", "Linear(8, 1)"], "did you mean 'ReLU'?"),
    "code, not a module": (["Linear(2, 8)", "__import__('os').system('false')", "Linear(8, 1)"],
                           "modules[1]: expected a module as PyTorch prints it"),
    "not a literal": (["Linear(2, 8)", "ReLU(inplace=print)", "Linear(8, 1)"], "modules[1].inplace: expected a "
                                                                             "number"),
    "unknown argument": (["Linear(2, 8, bias=True, scale=2)", "ReLU()", "Linear(8, 1)"],
                         "modules[0].scale: unknown argument of Linear"),
    "argument twice": (["Linear(2, 8, in_features=2)", "ReLU()", "Linear(8, 1)"], "modules[0].in_features: given "
                                                                                 "twice"),
    "missing argument": (["Linear(2)", "ReLU()", "Linear(8, 1)"], "modules[0].out_features: missing"),
    "bad argument": (["Linear(2, 8)", "Dropout(p=1.5)", "Linear(8, 1)"], "modules[1].p: must lie in [0, 1]"),
    "shape differs": (["Linear(3, 8)", "ReLU()", "Linear(8, 1)"],
                      "'0.weight': expected shape (8, 3) (out_features, in_features), got (8, 2)"),
    "too few modules": (["Linear(2, 8)"], "modules: 1 modules, but the file has '2.weight' (module 2)"),
    "tensors of an activation": (["Linear(2, 8)", "ReLU()", "Tanh()"], "'2.weight': unknown key (modules[2], "
                                                                      "Tanh(), holds no tensors)"),
    "activation first": (["ReLU()", "Linear(2, 8)", "ReLU()", "Linear(8, 1)"], "modules[0]: ReLU() comes before any "
                                                                                "layer",
                         {f"{int(key[0]) + 1}{key[1:]}": value for key, value in mlp_tensors().items()}),
    "two activations": (["Linear(2, 8)", "Tanh()", "Linear(8, 1)", "Sigmoid()", "ReLU()"],
                        "modules[4]: ReLU() follows another activation"),
    "softmax over the batch": (["Linear(2, 8)", "Softmax(dim=0)", "Linear(8, 1)"], "modules[1].dim: nnviz takes the "
                                                                                  "softmax over the features"),
    "no modules": ([], "modules: expected a non-empty list"),
}


@pytest.mark.parametrize("case", list(SIDECAR_PROBLEMS))
def test_a_sidecar_that_does_not_fit_is_refused_in_one_line_naming_it(tmp_path, case):
    modules, fragment, *tensors = SIDECAR_PROBLEMS[case]
    path = write(tmp_path / "m.safetensors", tensors[0] if tensors else mlp_tensors(), modules=modules)
    with pytest.raises(ModelError) as info:
        read_document(path)
    named = str(sidecar_path(path)) if "weight'" not in fragment else str(path)
    assert_one_line(info.value, named, fragment)


def test_a_module_that_nnviz_cannot_express_says_why(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {"0.weight": rng.normal(size=(4, 2)), "0.bias": rng.normal(size=4), "1.weight": np.full(4, 0.25)}
    cases = {"PReLU(num_parameters=4)": "nnviz's prelu learns one per layer",
             "BatchNorm1d(4, momentum=None)": "momentum=None (a cumulative average",
             "BatchNorm1d(4, track_running_stats=False)": "a BatchNorm1d without running statistics"}
    for module, fragment in cases.items():
        given = dict(tensors)
        if module.startswith("BatchNorm1d"):
            given.update({"1.bias": np.zeros(4), "1.running_mean": np.zeros(4), "1.running_var": np.ones(4)})
            if "track" in module:
                del given["1.running_mean"], given["1.running_var"]
        path = write(tmp_path / "m.safetensors", given, modules=["Linear(2, 4)", module])
        with pytest.raises(ModelError) as info:
            read_document(path)
        assert_one_line(info.value, fragment)


def test_the_sidecars_nnviz_keys_are_checked_and_named_in_it(tmp_path):
    path = write(tmp_path / "m.safetensors", mlp_tensors(), modules=["Linear(2, 8)", "ReLU()", "Linear(8, 1)"],
                 loss="bcee")
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert_one_line(info.value, f"{sidecar_path(path)}: loss: unknown loss 'bcee' (did you mean 'bce'?)")
    for keys, fragment in (({"lyers": []}, "lyers: unknown key"), ({"format": "nnviz.torch/9"}, "format: expected"),
                           ({"state": {}}, "state: unknown key")):
        sidecar_path(path).write_text(json.dumps({"modules": ["Linear(2, 8)"], **keys}), encoding="utf-8")
        with pytest.raises(ModelError) as info:
            read_document(path)
        assert_one_line(info.value, str(sidecar_path(path)), fragment)
    sidecar_path(path).write_text('{"modules": [', encoding="utf-8")
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert_one_line(info.value, f"{sidecar_path(path)}: malformed JSON at line 1")


def test_the_fixture_copied_without_its_sidecar_still_opens_with_a_note(tmp_path):
    path = tmp_path / "mlp.safetensors"
    shutil.copy(FIXTURE / "mlp.safetensors", path)
    imported = import_safetensors(path)
    assert imported.source == str(path) and "has no architecture (mlp.safetensors.json)" in imported.notes[0]
    assert [layer["type"] for layer in imported.document["layers"]] == ["dense", "batchnorm", "dense", "layernorm",
                                                                        "dense", "rmsnorm", "dense"]


def test_the_architecture_in_the_format_document_opens_its_weights(tmp_path):
    """docs/model-format.md's example sidecar, beside the state dict of the model it lists."""
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "model-format.md").read_text(encoding="utf-8")
    [example] = [body for body in re.findall(r"```json\n(.*?)```", text, flags=re.S) if "nnviz.torch/1" in body]
    rng = np.random.default_rng(3)
    tensors = {"0.weight": rng.normal(size=(8, 2)), "0.bias": rng.normal(size=8), "1.weight": rng.normal(size=8),
               "1.bias": rng.normal(size=8), "1.running_mean": rng.normal(size=8),
               "1.running_var": rng.uniform(0.5, 2, size=8), "1.num_batches_tracked": np.array(3),
               "4.weight": rng.normal(size=(1, 8)), "4.bias": rng.normal(size=1)}
    path = write(tmp_path / "model.safetensors", tensors)
    sidecar_path(path).write_text(example, encoding="utf-8")
    net = load_model(path)
    assert [layer.type for layer in net.layers] == ["dense", "batchnorm", "dropout", "dense"]
    assert [layer.activation.name for layer in net.layers] == ["identity", "relu", "identity", "sigmoid"]
    assert net.loss.name == "bce" and net.optimizer.name == "adam" and net.layers[2].p == 0.2
