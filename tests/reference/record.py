"""Record the PyTorch reference trajectories into tests/reference/data/<case>.json.

Run where torch is installed:  python tests/reference/record.py
Each file holds the case (model document, data, batch size, steps) plus "trajectory" from
``run_torch``.  Files for cases that no longer exist are removed, so data/ always matches
``build_cases()``.  The tests read these files and need no torch.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
sys.path.insert(0, str(HERE))

from torch_reference import build_cases, run_torch  # noqa: E402


def write_json(path: Path, record: dict) -> None:
    """Write atomically: a temp file in the same folder, then os.replace."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main() -> int:
    import torch

    DATA_DIR.mkdir(exist_ok=True)
    cases = build_cases()
    written = set()
    for case in cases:
        trajectory = run_torch(case)
        record = {**case, "torch_version": torch.__version__, "trajectory": trajectory}
        path = DATA_DIR / f"{case['name']}.json"
        write_json(path, record)
        written.add(path.name)
        print(f"{path.name:45s} {path.stat().st_size:>8d} bytes  "
              f"loss {trajectory['loss'][0]:.4g} -> {trajectory['loss'][-1]:.4g}")
    for stale in sorted(DATA_DIR.glob("*.json")):
        if stale.name not in written:
            stale.unlink()
            print(f"removed stale {stale.name}")
    total = sum(p.stat().st_size for p in DATA_DIR.glob("*.json"))
    print(f"{len(written)} cases, {total / 1e6:.2f} MB in {DATA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
