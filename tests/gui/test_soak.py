"""A soak of the real window (issue 14): random commands every few milliseconds, offscreen, in a
process of its own (``tests/gui/soak.py``), which must end well: no raw exception, bounded memory,
a responsive event loop, a Save sent last written at once, a quick close and exit code 0."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).with_name("soak.py")


def soak(*options: str, timeout: float) -> dict:
    done = subprocess.run([sys.executable, str(SOAK), *options], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def latency_budget_ms(load: float, cores: int) -> float:
    """100 ms on a machine of its own; on one that other work shares, as much more as that work
    takes of the cores (the load average beyond the soak's own two processes, its window and its
    training): the event loop waits its turn, which is not the window's doing."""
    others = max(0.0, load - 2.0)
    return 100.0 * (1.0 + others / cores)


def test_a_minute_of_random_commands_ends_well():
    figures = soak("--seconds", "60", "--warmup", "15", timeout=180)
    load = os.getloadavg()[0]  # over the last minute: the soak's
    # a command 2-8 ms after the last, once the window is free (drawing a frame takes it ~15-30 ms)
    assert figures["commands"] > 1500, figures
    assert figures["raw"] == [] and figures["multiline"] == [], figures
    assert figures["rss_growth_mb"] < 50, figures
    assert figures["latency_p99_ms"] < latency_budget_ms(load, os.cpu_count() or 1), (load, figures)
    assert figures["save_seconds"] < 2, figures
    assert figures["close_seconds"] < 1 and not figures["threads_left"], figures


def test_the_latency_budget_is_100_ms_alone_and_grows_with_other_work():
    assert latency_budget_ms(1.7, 2) == latency_budget_ms(2.0, 2) == 100.0
    assert latency_budget_ms(6.0, 2) == 300.0


@pytest.mark.parametrize("seed", [1])
def test_random_commands_on_the_threaded_fallback_end_well(seed):
    figures = soak("--seconds", "15", "--warmup", "5", "--threaded", "--seed", str(seed), timeout=120)
    assert figures["raw"] == [] and figures["multiline"] == []
    assert figures["save_seconds"] < 2
    assert figures["close_seconds"] < 1 and not figures["threads_left"]
