"""benchmarks/bench_gui.py: the report's rows and marks, and a quick run of the real thing."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_gui.py"


@pytest.fixture(scope="module")
def bench():
    """benchmarks/ is not a package: load the script by path."""
    spec = importlib.util.spec_from_file_location("nnviz_bench_gui", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def body_rows(lines: list[str]) -> list[list[str]]:
    """The cells of every table row of a report but the headers (the lines above a ``|---`` line)."""
    return [cells(line) for line, below in zip(lines, [*lines[1:], ""])
            if line.startswith("| ") and not below.startswith("|---")]


def a_run(model: str, speed: str, **figures) -> dict:
    result = {"model": model, "speed": speed, "speed_value": 10 if speed == "default" else 0,
              "training_rows": 1000, "headless_steps_per_second": 1000.0, "frames_per_second": 60.0,
              "steps_per_second": 950.0, "latency_p99_ms": 5.0, "latency_max_ms": 9.0, "rss_growth_mb": 10.0}
    return {**result, **figures}


def run_rows(bench, runs: dict) -> list[list[str]]:
    lines = bench.report(runs, first_paint=0.8, graph={"first_ms": 30.0, "median_ms": 6.0, "max_ms": 9.0},
                         seconds=10, soak=180)
    return body_rows(lines)


def test_the_models_are_the_four_the_issue_names_on_five_data_sets(bench):
    assert [(m.title, m.data_title) for m in bench.MODELS.values()] == [
        ("2-4-2-1 tanh", "circle"), ("2-8×6-1 tanh", "spiral"), ("64-32-10 ReLU", "2,000 × 64 imported"),
        ("784-128-10 ReLU", "2,000 × 784 imported"), ("784-128-10 ReLU", "70,000 × 784 imported")]


def test_the_report_has_a_row_for_every_model_at_both_speeds_then_start_up(bench):
    runs = {(model, speed): a_run(model, speed) for model in bench.MODELS for speed in bench.SPEEDS}
    rows = run_rows(bench, runs)
    expected = [[spec.title, spec.data_title, "1,000", speed]
                for spec in bench.MODELS.values() for speed in ("default (10)", "max")]
    assert [row[:4] for row in rows[:-2]] == expected
    assert [row[0] for row in rows[-2:]] == ["first painted window",
                                             "graph frame, 784-128-10: median (max 9.0 ms; first 30 ms)"]
    assert rows[-2][1] == "0.80 s ✓ (≤ 1 s)"


def test_each_figure_carries_its_target_and_a_mark(bench):
    runs = {("circle", "default"): a_run("circle", "default", frames_per_second=40.0),
            ("spiral", "default"): a_run("spiral", "default", frames_per_second=40.0),
            ("circle", "max"): a_run("circle", "max", steps_per_second=850.0, latency_p99_ms=25.0),
            ("784-128-10", "max"): a_run("784-128-10", "max", steps_per_second=850.0, rss_growth_mb=120.0)}
    circle_default, spiral_default, circle_max, big_max = (row[4:] for row in run_rows(bench, runs)[:4])
    assert circle_default[0] == "40.0 ✗ (≥ 55)"  # the default model, at the default speed
    assert spiral_default[0] == "40.0 ✓ (≥ 30)"
    assert circle_default[3] == "0.95"  # no ratio target below max: the speed sets the rate
    assert circle_default[5] == "—"  # memory is measured at max only
    assert circle_max[3] == "0.85 ✗ (≥ 0.9)" and big_max[3] == "0.85 ✓ (≥ 0.8)"
    assert circle_max[4] == "25.0 ms ✗ (< 20 ms)" and big_max[4] == "5.0 ms ✓ (< 20 ms)"
    # 50 MB of the app's own and the timeline's 64 MB budget
    assert circle_max[5] == "+10 MB ✓ (< 114 MB)" and big_max[5] == "+120 MB ✗ (< 114 MB)"


def test_unknown_figures_read_n_a_and_a_failed_run_says_why(bench):
    runs = {("circle", "max"): a_run("circle", "max", rss_growth_mb=None, steps_per_second=None),
            ("spiral", "max"): {"error": "RuntimeError: boom"}}
    unknown, failed = run_rows(bench, runs)[:2]
    assert unknown[5] == "n/a" and unknown[7] == "n/a" and unknown[9] == "n/a"
    assert failed[:5] == ["2-8×6-1 tanh", "spiral", "", "max", "failed: RuntimeError: boom"]


def test_frame_figures_leave_out_the_first_tenth(bench):
    frames = [(0.0, 0)] + [(1.0 + i / 30, 100 + 10 * i) for i in range(31)]  # a slow first frame, then 30/s
    figures = bench.frame_figures(frames, seconds=2.0)
    assert figures["frames_per_second"] == pytest.approx(30.0)
    assert figures["steps_per_second"] == pytest.approx(300.0)
    assert bench.frame_figures([(0.5, 10)], seconds=2.0) == {"frames_per_second": 0.5, "steps_per_second": None}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_resident_memory_is_read_for_live_processes_only(bench):
    assert bench.rss_bytes(os.getpid()) > 10 * 2**20

    class WithChild:
        child_pid = os.getppid()

    assert bench.app_rss_bytes(WithChild()) > bench.rss_bytes(os.getpid())
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert bench.rss_bytes(gone.pid) is None


def test_a_quick_run_reports_every_row(bench):
    """The whole script, in fresh processes, on the default model (the others only take longer)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, str(BENCH), "--quick", "--models", "circle", "--seconds", "0.5"],
                         capture_output=True, text=True, timeout=180, env=env, check=True).stdout
    rows = body_rows(out.splitlines())
    assert len(rows) == 4 and [row[:2] for row in rows[:2]] == [["2-4-2-1 tanh", "circle"]] * 2
    assert rows[0][3].startswith("default (") and rows[1][3] == "max"
    assert all(row[2].replace(",", "").isdigit() for row in rows[:2])
    assert all(row[4].split()[1] in "✓✗" for row in rows[:2])  # a figure and its mark, not "failed" or "n/a"
    assert rows[2][0] == "first painted window" and rows[3][0].startswith("graph frame, 784-128-10")
    assert "cores" in out and "PySide6" in out
