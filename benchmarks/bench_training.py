"""Optimizer steps per second: nnviz's NumPy trainer beside PyTorch eager, in the same run.

    python benchmarks/bench_training.py            # all cases, PyTorch too where installed
    python benchmarks/bench_training.py --quick    # fewer repeats

Cases: a 2-8-8-1 tanh MLP (batch 32, MSE, Adam) and a 784-128-10 ReLU MLP (batch 128, cross-entropy,
Adam), in float64 and float32. Both sides start from the same weights and take mini-batches of the
same size; PyTorch runs with its default number of threads and ``torch.optim.Adam``. Each figure is
the best of several timed repeats (the least disturbed by the rest of the machine). Targets: small
network >= 10x PyTorch; large network >= 1x at equal dtype.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.core import Trainer, load_model  # noqa: E402

CASES = [
    # name, sizes, hidden activation, loss, batch, rows, steps per repeat (small, large)
    ("2-8-8-1 tanh, batch 32, Adam", [2, 8, 8, 1], "tanh", "mse", 32, 1024, 3000),
    ("784-128-10 ReLU, batch 128, CE, Adam", [784, 128, 10], "relu", "cross_entropy", 128, 4096, 60),
]


def model_document(sizes, activation, loss, dtype) -> dict:
    layers = [{"type": "dense", "units": units,
               "activation": activation if i < len(sizes) - 2 else "identity"}
              for i, units in enumerate(sizes[1:])]
    return {"format": "nnviz.model/1", "inputs": sizes[0], "layers": layers, "loss": loss,
            "optimizer": {"name": "adam", "lr": 1e-3}, "seed": 0, "dtype": dtype}


def make_data(sizes, loss, rows):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(rows, sizes[0]))
    y = rng.integers(0, sizes[-1], rows) if loss == "cross_entropy" else rng.normal(size=(rows, 1))
    return X, y


def best_rate(step, steps: int, repeats: int) -> float:
    """Best steps per second over ``repeats`` timed runs of ``steps`` steps (after a warm-up)."""
    for _ in range(max(steps // 10, 5)):
        step()
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = max(best, steps / (time.perf_counter() - start))
    return best


def bench_nnviz(doc, X, y, batch, steps, repeats) -> float:
    net = load_model(doc)
    trainer = Trainer(net, X, y, batch_size=batch, shuffle=True, seed=0)
    # Trainer.run keeps NumPy's error state set once for the whole loop, as the app does.
    return best_rate(lambda: trainer.run(10), steps // 10, repeats) * 10


def bench_torch(doc, X, y, batch, steps, repeats) -> float:
    import torch

    dtype = {"float64": torch.float64, "float32": torch.float32}[doc["dtype"]]
    net = load_model(doc)  # same initial weights as the nnviz side
    modules = []
    for layer in net.layers:
        linear = torch.nn.Linear(layer.fan_in, layer.units, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(layer.weight)))
            linear.bias.copy_(torch.from_numpy(np.array(layer.bias)))
        modules.append(linear)
        if layer.activation.name == "tanh":
            modules.append(torch.nn.Tanh())
        elif layer.activation.name == "relu":
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss() if doc["loss"] == "cross_entropy" else torch.nn.MSELoss()
    Xt = torch.from_numpy(X.astype(net.dtype))
    yt = torch.from_numpy(y) if doc["loss"] == "cross_entropy" else torch.from_numpy(y.astype(net.dtype))
    n = len(X)
    state = {"pos": n, "order": None}

    def step():
        # a shuffled pass over the rows, as the nnviz trainer does
        if state["pos"] + batch > n:
            state["order"], state["pos"] = torch.randperm(n), 0
        idx = state["order"][state["pos"]: state["pos"] + batch]
        state["pos"] += batch
        optimizer.zero_grad()
        loss = loss_fn(model(Xt[idx]), yt[idx])
        loss.backward()
        optimizer.step()
        return loss.item()

    return best_rate(step, steps, repeats)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5
    try:
        if args.no_torch:
            raise ImportError
        import torch

        torch_version = f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch = None
        torch_version = "PyTorch not installed"
    print(f"# nnviz training benchmark: Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{torch_version}, {platform.machine()}")
    header = "| case | dtype | nnviz steps/s | PyTorch steps/s | ratio |"
    print(header)
    print("|---|---|---:|---:|---:|")
    for name, sizes, activation, loss, batch, rows, steps in CASES:
        X, y = make_data(sizes, loss, rows)
        for dtype in ("float64", "float32"):
            doc = model_document(sizes, activation, loss, dtype)
            ours = bench_nnviz(doc, X, y, batch, steps, repeats)
            if torch is not None:
                theirs = bench_torch(doc, X, y, batch, max(steps // 5, 20) if sizes[0] < 10 else steps, repeats)
                print(f"| {name} | {dtype} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.1f}x |")
            else:
                print(f"| {name} | {dtype} | {ours:,.0f} | — | — |")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
