"""benchmarks/bench_landscape.py: its rows, on a tiny grid."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_landscape.py"


@pytest.fixture(scope="module")
def bench():
    """benchmarks/ is not a package: load the script by path."""
    spec = importlib.util.spec_from_file_location("nnviz_bench_landscape", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_default_models_row_checks_the_batched_losses_and_names_the_target(bench):
    name, data, make, _ = bench.CASES[0]
    (small, target) = bench.case_rows(name, data, make, (5, 41), repeats=1, steps=10)
    assert cells(small)[:5] == ["2-4-2-1 tanh (default)", "circle", "250", "25", "5 × 5"]
    assert cells(small)[-1] == "—"
    assert cells(target)[4] == "41 × 41" and cells(target)[-1] in ("✓ (< 1 s)", "✗ (< 1 s)")
    assert float(cells(target)[5].removesuffix(" s")) > 0 and cells(target)[7].endswith("x")
