"""benchmarks/bench_training.py: its width and batch sections, on tiny settings."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
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
    # the rates shown are whole numbers (each off by up to 0.5), the ratio has 1 decimal (off by 0.05)
    rounding = (0.5 / ours + 0.5 / theirs) * ours / theirs
    assert float(ratio[:-1]) == pytest.approx(ours / theirs, abs=0.05 + rounding + 1e-9)


def test_the_default_sections_start_with_the_main_table(bench):
    assert bench.SECTIONS[0] == "main"  # the README's command prints the main table first


def test_the_sections_sweep_the_sizes_the_issue_names(bench):
    assert bench.WIDTHS == [8, 16, 32, 64, 128, 256, 512, 1024]
    assert bench.BATCHES == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]


def run_as_script(*argv: str, threads: str | None = None) -> str:
    """What the script prints (and OPENBLAS_NUM_THREADS after it) run with ``argv`` in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = threads
    code = ("import os, runpy, sys\n"
            f"sys.argv = ['bench_training.py', *{list(argv)!r}]\n"
            f"try:\n    runpy.run_path({str(BENCH)!r}, run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('OPENBLAS_NUM_THREADS', os.environ['OPENBLAS_NUM_THREADS'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_run_uses_one_blas_thread_unless_told_otherwise():
    assert run_as_script("--help").splitlines()[-1] == "OPENBLAS_NUM_THREADS 1"
    assert run_as_script("--help", threads="2").splitlines()[-1] == "OPENBLAS_NUM_THREADS 2"


def test_the_header_states_the_threads_of_both_sides(bench):
    assert bench.thread_count(None) == f"NumPy's BLAS on {bench.THREADS} thread" + "s" * (bench.THREADS > 1) \
        + " (OPENBLAS_NUM_THREADS)"
    torch = pytest.importorskip("torch")
    stated = bench.thread_count(torch)
    assert f"OPENBLAS_NUM_THREADS={bench.THREADS}" in stated
    assert f"torch.get_num_threads() = {torch.get_num_threads()}" in stated
