"""benchmarks/bench_training.py: its width and batch sections, on tiny settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_training.py"


@pytest.fixture(scope="module")
def bench():
    """benchmarks/ is not a package: load the script by path."""
    spec = importlib.util.spec_from_file_location("nnviz_bench_training", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_width_rows_name_the_network_and_its_parameters(bench):
    (line,) = bench.width_rows(None, repeats=1, seconds=0.01, widths=[8])
    network, parameters, ours, theirs, ratio = cells(line)
    assert (network, parameters, theirs, ratio) == ("2-8-8-1", "105", "—", "—")
    assert float(ours.replace(",", "")) > 0


def test_batch_rows_cover_each_batch_and_dtype(bench):
    lines = list(bench.batch_rows(None, repeats=1, seconds=0.01, batches=[1, 4], dtypes=("float64", "float32")))
    assert [cells(line)[:2] for line in lines] == [["1", "float64"], ["4", "float64"],
                                                   ["1", "float32"], ["4", "float32"]]


def test_rows_put_pytorch_beside_nnviz(bench):
    torch = pytest.importorskip("torch")
    (line,) = bench.width_rows(torch, repeats=1, seconds=0.01, widths=[8])
    _, _, ours, theirs, ratio = cells(line)
    ours, theirs = (float(rate.replace(",", "")) for rate in (ours, theirs))
    assert theirs > 0 and ratio.endswith("x")
    assert float(ratio[:-1]) == pytest.approx(ours / theirs, abs=0.06)  # the rates shown are rounded


def test_the_default_sections_start_with_the_main_table(bench):
    assert bench.SECTIONS[0] == "main"  # the README's command prints the main table first


def test_the_sections_sweep_the_sizes_the_issue_names(bench):
    assert bench.WIDTHS == [8, 16, 32, 64, 128, 256, 512, 1024]
    assert bench.BATCHES == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
