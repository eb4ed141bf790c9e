"""Optimizer steps per second: nnviz's NumPy trainer beside PyTorch eager, in the same run.

    python benchmarks/bench_training.py                  # every section, PyTorch too where installed
    python benchmarks/bench_training.py --quick          # fewer, shorter repeats
    python benchmarks/bench_training.py --section main   # only the main table (also: width, batch)

Sections:
  * main: a 2-8-8-1 tanh MLP (batch 32, MSE, Adam) and a 784-128-10 ReLU MLP (batch 128,
    cross-entropy, Adam), in float64 and float32. Targets: small network >= 10x PyTorch; large
    network >= 1x at equal dtype.
  * width: the width scaling curve, 2-H-H-1 tanh (batch 32, MSE, Adam) for H = 8, 16, ... 1024, float64.
  * batch: 784-128-10 ReLU (cross-entropy, Adam) at batch sizes 1, 2, 4, ... 512, float64 and float32.

Both sides start from the same weights, take shuffled mini-batches of the same size and use the
same number of threads: one each unless ``OPENBLAS_NUM_THREADS`` says otherwise (NumPy's BLAS, as
in the app's training process; PyTorch with ``torch.set_num_threads`` and ``torch.optim.Adam``).
The first line of the output states it. Each figure is the best of several timed repeats (the least
disturbed by the rest of the machine): a fixed number of steps in the main table, about a fixed
time in the other sections.

    OPENBLAS_NUM_THREADS=2 python benchmarks/bench_training.py   # both sides on two threads
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # OpenBLAS reads this once, as NumPy loads it (OMP_ for an OpenMP build)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", os.environ["OPENBLAS_NUM_THREADS"])
#: the threads each side computes with
THREADS = int(os.environ.get("OPENBLAS_NUM_THREADS", "1"))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.core import Trainer, load_model  # noqa: E402

CASES = [
    # name, sizes, hidden activation, loss, batch, rows, steps per repeat (small, large)
    ("2-8-8-1 tanh, batch 32, Adam", [2, 8, 8, 1], "tanh", "mse", 32, 1024, 3000),
    ("784-128-10 ReLU, batch 128, CE, Adam", [784, 128, 10], "relu", "cross_entropy", 128, 4096, 60),
]
WIDTHS = [8, 16, 32, 64, 128, 256, 512, 1024]
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
SECTIONS = ("main", "width", "batch")


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


def steps_lasting(step, seconds: float) -> int:
    """About how many calls of ``step`` take ``seconds`` (at least one)."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds / 4:
        step()
        calls += 1
    return max(1, round(calls * seconds / elapsed))


def bench_nnviz(doc, X, y, batch, steps, repeats, seconds=None) -> float:
    """nnviz's steps per second: ``steps`` per repeat, or as many as last about ``seconds``."""
    net = load_model(doc)
    trainer = Trainer(net, X, y, batch_size=batch, shuffle=True, seed=0)

    # Trainer.run keeps NumPy's error state set once for the whole loop, as the app does.
    def ten_steps():
        trainer.run(10)

    calls = steps // 10 if seconds is None else steps_lasting(ten_steps, seconds)
    return best_rate(ten_steps, calls, repeats) * 10


def bench_torch(doc, X, y, batch, steps, repeats, seconds=None) -> float:
    """PyTorch's steps per second on the same model, weights and batches, timed as :func:`bench_nnviz`."""
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

    return best_rate(step, steps if seconds is None else steps_lasting(step, seconds), repeats)


def row(cells, ours: float, theirs: float | None) -> str:
    """A table row: ``cells``, then both rates and their ratio (dashes without PyTorch)."""
    rates = ["—", "—"] if theirs is None else [f"{theirs:,.0f}", f"{ours / theirs:.1f}x"]
    return "| " + " | ".join([*map(str, cells), f"{ours:,.0f}", *rates]) + " |"


def table_head(title: str | None, columns: list[str]) -> None:
    """Print ``title`` (a Markdown heading, if any) and a table header: ``columns``, then the rates."""
    if title:
        print(f"\n## {title}\n")
    print("| " + " | ".join([*columns, "nnviz steps/s", "PyTorch steps/s", "ratio"]) + " |")
    print("|" + "---|" * len(columns) + "---:|---:|---:|")


def main_rows(torch, repeats: int):
    """The main table: fixed step counts, comparable with earlier runs."""
    for name, sizes, activation, loss, batch, rows, steps in CASES:
        X, y = make_data(sizes, loss, rows)
        for dtype in ("float64", "float32"):
            doc = model_document(sizes, activation, loss, dtype)
            ours = bench_nnviz(doc, X, y, batch, steps, repeats)
            theirs = None
            if torch is not None:
                theirs = bench_torch(doc, X, y, batch, max(steps // 5, 20) if sizes[0] < 10 else steps, repeats)
            yield row([name, dtype], ours, theirs)


def width_rows(torch, repeats: int, seconds: float, widths=WIDTHS):
    """The width scaling curve: 2-H-H-1 tanh, batch 32, MSE, Adam, float64."""
    for width in widths:
        sizes = [2, width, width, 1]
        X, y = make_data(sizes, "mse", 1024)
        doc = model_document(sizes, "tanh", "mse", "float64")
        parameters = load_model(doc).flat_params.size
        ours = bench_nnviz(doc, X, y, 32, 0, repeats, seconds)
        theirs = None if torch is None else bench_torch(doc, X, y, 32, 0, repeats, seconds)
        yield row([f"2-{width}-{width}-1", f"{parameters:,}"], ours, theirs)


def batch_rows(torch, repeats: int, seconds: float, batches=BATCHES, dtypes=("float64", "float32")):
    """784-128-10 ReLU, cross-entropy, Adam, at each batch size and dtype."""
    sizes = [784, 128, 10]
    X, y = make_data(sizes, "cross_entropy", 4096)
    for dtype in dtypes:
        doc = model_document(sizes, "relu", "cross_entropy", dtype)
        for batch in batches:
            ours = bench_nnviz(doc, X, y, batch, 0, repeats, seconds)
            theirs = None if torch is None else bench_torch(doc, X, y, batch, 0, repeats, seconds)
            yield row([batch, dtype], ours, theirs)


def thread_count(torch) -> str:
    """The threads each side computes with, as the header states them."""
    threads = f"{THREADS} thread{'s' * (THREADS > 1)}"
    if torch is None:
        return f"NumPy's BLAS on {threads} (OPENBLAS_NUM_THREADS)"
    return (f"{threads} each: NumPy's BLAS (OPENBLAS_NUM_THREADS={THREADS}) and PyTorch "
            f"(torch.get_num_threads() = {torch.get_num_threads()})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    parser.add_argument("--section", choices=SECTIONS, action="append",
                        help="run only this section (repeatable); default: all")
    args = parser.parse_args(argv)
    repeats, seconds = (2, 0.1) if args.quick else (5, 0.2)
    try:
        if args.no_torch:
            raise ImportError
        import torch

        torch.set_num_threads(THREADS)
        torch_version = f"PyTorch {torch.__version__}"
    except ImportError:
        torch = None
        torch_version = "PyTorch not installed"
    print(f"# nnviz training benchmark: Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{torch_version}, {platform.machine()}; {thread_count(torch)}")
    sections = {  # name -> title, first columns, rows
        "main": (None, ["case", "dtype"], lambda: main_rows(torch, repeats)),
        "width": ("Width scaling: 2-H-H-1 tanh, batch 32, MSE, Adam, float64", ["network", "parameters"],
                  lambda: width_rows(torch, repeats, seconds)),
        "batch": ("Batch size: 784-128-10 ReLU, cross-entropy, Adam", ["batch", "dtype"],
                  lambda: batch_rows(torch, repeats, seconds)),
    }
    for name in SECTIONS:
        if args.section and name not in args.section:
            continue
        title, columns, rows = sections[name]
        table_head(title, columns)
        for line in rows():
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
