"""Record what the exported PyTorch scripts compute into tests/reference/codegen/<case>.json.

Run where torch is installed:  python tests/reference/record_codegen.py
For each case of ``codegen_cases.build_cases()`` it writes the script nnviz exports after the case's
``before`` steps, runs it with torch for the case's ``steps`` (``python train.py --steps N --metrics
FILE``) and keeps the metrics rows it wrote. Files for cases that no longer exist are removed, so
codegen/ always matches ``build_cases()``. The tests compare nnviz's own rows with these files where
torch is not importable (tests/core/test_codegen.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # this checkout's nnviz, not an installed one

from codegen_cases import RECORDED_DIR, build_cases, exported, read_metrics, run_scripts  # noqa: E402
from record import write_json  # noqa: E402


def main() -> int:
    import torch

    RECORDED_DIR.mkdir(exist_ok=True)
    cases = build_cases()
    with tempfile.TemporaryDirectory() as folder:
        jobs = []
        for case in cases:
            where = Path(folder) / case["name"]
            where.mkdir()
            exported(case, where / "train.py")
            jobs.append((where / "train.py", ["--metrics", str(where / "metrics.csv")]))
        errors = run_scripts(jobs)
        if errors:
            print(errors, file=sys.stderr)
            return 1
        written = set()
        for case, (script, _) in zip(cases, jobs):
            rows = read_metrics(script.parent / "metrics.csv")
            record = {"name": case["name"], "torch_version": torch.__version__, "steps": case["steps"],
                      "before": case["before"], "rows": rows}
            path = RECORDED_DIR / f"{case['name']}.json"
            write_json(path, record)
            written.add(path.name)
            print(f"{path.name:45s} loss {rows[0][3]:.6g} -> {rows[-1][3]:.6g}")
    for stale in sorted(RECORDED_DIR.glob("*.json")):
        if stale.name not in written:
            stale.unlink()
            print(f"removed stale {stale.name}")
    print(f"{len(written)} cases in {RECORDED_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
