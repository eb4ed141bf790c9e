"""Record the PyTorch import fixture into tests/reference/torch_import/.

Run where torch and safetensors are installed:  python tests/reference/record_torch_import.py

It builds a small ``nn.Sequential`` MLP with every kind of module nnviz imports that a classifier on
two inputs would use (Linear, BatchNorm1d, Tanh, Dropout, LayerNorm, GELU, RMSNorm, SiLU, Sigmoid),
trains it a few steps so that BatchNorm's running statistics are its own, and writes

* ``mlp.safetensors``: its ``state_dict()`` in float32, written by ``safetensors.torch.save_file``;
* ``mlp.safetensors.json``: the architecture (``[repr(m) for m in model]``) and the nnviz keys;
* ``mlp.expected.json``: inputs and the outputs of ``model.eval()``, computed in float64 from the
  float32 weights (nnviz computes in float64), with the torch version.

tests/core/test_torch_import.py reads these files and needs no torch.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "torch_import"


def build_model():
    import torch
    from torch import nn

    torch.manual_seed(16)
    model = nn.Sequential(
        nn.Linear(2, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Dropout(0.1),
        nn.Linear(6, 5), nn.LayerNorm(5), nn.GELU(),
        nn.Linear(5, 4), nn.RMSNorm(4, eps=1e-6), nn.SiLU(),
        nn.Linear(4, 1), nn.Sigmoid())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    X = torch.randn(64, 2)
    y = (X.pow(2).sum(dim=1, keepdim=True) < 1).float()
    model.train()
    for _ in range(5):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy(model(X), y).backward()
        optimizer.step()
    return model.eval()


def main() -> int:
    import torch
    from safetensors.torch import save_file

    HERE.mkdir(exist_ok=True)
    model = build_model()
    save_file(model.state_dict(), str(HERE / "mlp.safetensors"))
    architecture = {"format": "nnviz.torch/1", "modules": [repr(m) for m in model], "loss": "bce",
                    "optimizer": {"name": "adam", "lr": 0.01}, "data": {"dataset": "circle"}}
    (HERE / "mlp.safetensors.json").write_text(json.dumps(architecture, indent=2) + "\n", encoding="utf-8")
    X = torch.linspace(-2, 2, 40, dtype=torch.float64).reshape(20, 2)
    with torch.no_grad():
        out = model.double()(X)
    expected = {"torch_version": torch.__version__, "inputs": X.tolist(), "outputs": out.tolist()}
    (HERE / "mlp.expected.json").write_text(json.dumps(expected) + "\n", encoding="utf-8")
    for path in sorted(HERE.iterdir()):
        print(f"{path.name:28s} {path.stat().st_size:>6d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
