"""The loss landscape's time: a grid of losses around the weights, batched through the network, beside
the same grid one forward pass at a time.

    python benchmarks/bench_landscape.py            # every case
    python benchmarks/bench_landscape.py --quick    # the default model only, fewer repeats

Each case trains its model a little (so the weights are not the initial ones), then times
:func:`nnviz.core.landscape.loss_landscape` on a grid of filter-normalised random directions (seed 0)
and the same losses from the network's own ``evaluate`` on each grid point's weights, one point
after another (what the batching saves). The first case is the target of issue 16: the default model
(2-4-2-1 tanh, see ``default_document``) on ``circle``, 41 × 41 in under a second. A landscape
reads at most 2,000 training rows (a fixed sample of more); the app computes it on a thread of the
window's process, which uses one BLAS thread, as here (``OPENBLAS_NUM_THREADS`` overrides it; the
first line of the output states it). Each figure is the best of several timed repeats.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # OpenBLAS reads this once, as NumPy loads it
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", os.environ["OPENBLAS_NUM_THREADS"])
THREADS = int(os.environ.get("OPENBLAS_NUM_THREADS", "1"))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.core.dataconfig import DataConfig, InlineData  # noqa: E402
from nnviz.core.experiment import Experiment, default_document  # noqa: E402
from nnviz.core.landscape import interpolation, loss_landscape, random_directions  # noqa: E402

TARGET_SECONDS = 1.0  # the default model's 41 x 41 landscape


def _deep() -> tuple[dict, DataConfig]:
    doc = default_document()
    doc["layers"] = [{"type": "dense", "units": 8, "activation": "tanh"} for _ in range(6)] + \
                    [{"type": "dense", "units": 1, "activation": "sigmoid"}]
    return doc, DataConfig(dataset="spiral")


def _imported(features: int, hidden: int, classes: int, rows: int) -> tuple[dict, DataConfig]:
    """``rows`` rows of Gaussian inputs labelled by the nearest of ``classes`` centres, and a
    ``features``-``hidden``-``classes`` ReLU network with cross-entropy."""
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(classes, features))
    X = rng.normal(size=(rows, features)) + 1.5 * centres[rng.integers(0, classes, rows)]
    y = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1).astype(np.float64)[:, None]
    names = tuple(f"f{i}" for i in range(features))
    data = DataConfig(imported=InlineData(X, y, f"{features}-feature", "classification", names, ("class",)),
                      test_fraction=0.2, batch_size=32)
    doc = {"format": "nnviz.model/1", "inputs": features, "loss": "cross_entropy", "seed": 0,
           "optimizer": {"name": "adam", "lr": 0.01},
           "layers": [{"type": "dense", "units": hidden, "activation": "relu"},
                      {"type": "dense", "units": classes, "activation": "softmax"}]}
    return doc, data


#: name, data, (document, data) maker, grid sizes; the first is the target
CASES = [
    ("2-4-2-1 tanh (default)", "circle", lambda: (default_document(), DataConfig()), (41, 81)),
    ("2-8×6-1 tanh", "spiral", _deep, (41,)),
    ("64-32-10 ReLU", "4,000 × 64 imported", lambda: _imported(64, 32, 10, 4_000), (41,)),
    ("784-128-10 ReLU", "4,000 × 784 imported", lambda: _imported(784, 128, 10, 4_000), (21,)),
]


def best_seconds(work, repeats: int) -> float:
    """The quickest of ``repeats`` timed calls of ``work`` (after one untimed call)."""
    work()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def one_by_one(net, X, y, thetas) -> np.ndarray:
    """The loss at each row of ``thetas`` from the network's own forward pass (a copy's)."""
    twin = net.copy()
    losses = np.empty(len(thetas))
    for k, theta in enumerate(thetas):
        twin.flat_params[...] = theta
        losses[k] = twin.evaluate(X, y)
    return losses


def case_rows(name: str, data: str, make, grids, repeats: int, steps: int = 300, compare: bool = True):
    """Markdown rows of one case: per grid size, the batched time, the one-by-one time and their ratio."""
    document, config = make()
    exp = Experiment(document, config)
    exp.run(steps)
    job = exp.snapshot().landscape
    net = job.network(dict(exp.net.named_parameters()))
    X, y = job.X, job.y
    d = random_directions(net, 0)
    for n in grids:
        batched = best_seconds(lambda n=n: loss_landscape(net, X, y, d, 1.0, n), repeats)
        land = loss_landscape(net, X, y, d, 1.0, n)
        slow, ratio = "—", "—"
        if compare:
            a, b = np.meshgrid(land.a, land.b)
            thetas = land.theta + a.reshape(-1, 1) * d.d1 + b.reshape(-1, 1) * d.d2
            with np.errstate(all="ignore"):
                start = time.perf_counter()
                losses = one_by_one(net, X, y, thetas)
                one = time.perf_counter() - start
                if one < 1.0:  # quick enough to repeat
                    one = min(one, best_seconds(lambda thetas=thetas: one_by_one(net, X, y, thetas), repeats))
            assert np.allclose(losses, land.loss.ravel(), rtol=1e-9, atol=1e-12, equal_nan=True)
            slow, ratio = f"{one:.3f} s", f"{one / batched:.1f}x"
        target = "—"
        if name == CASES[0][0] and n == 41:
            target = f"{'✓' if batched < TARGET_SECONDS else '✗'} (< {TARGET_SECONDS:g} s)"
        yield (f"| {name} | {data} | {len(X):,} | {net.parameter_count:,} | {n} × {n} | {batched:.3f} s | "
               f"{slow} | {ratio} | {target} |")


def line_row(repeats: int) -> str:
    """The default model's line from the start of the run, 41 points."""
    exp = Experiment()
    exp.run(300)
    job = exp.snapshot().landscape
    net = job.network(dict(exp.net.named_parameters()))
    seconds = best_seconds(lambda: interpolation(net, job.X, job.y, job.start), repeats)
    return f"| 2-4-2-1 tanh (default) | circle | line from the start, 41 points | {seconds * 1000:.1f} ms |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the default model only, fewer repeats")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else args.repeats
    print(f"# numpy {np.__version__}, Python {platform.python_version()}, {THREADS} BLAS thread(s)")
    print("| model | data | rows | parameters | grid | batched | one by one | speed-up | target |")
    print("|---|---|---:|---:|---|---:|---:|---:|---|")
    for name, data, make, grids in CASES[:1] if args.quick else CASES:
        for row in case_rows(name, data, make, grids, repeats):
            print(row, flush=True)
    print()
    print("| model | data | what | time |")
    print("|---|---|---|---:|")
    print(line_row(repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
