"""The batch benchmark runs and has the guide's call shape as a row (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "runtime_batch.py"


def test_batch_benchmark_has_the_guides_call_shape_row() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--repeat", "1", "--items", "200"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rows = {line.split("|")[1].strip() for line in lines if line.startswith("| ")}
    assert "gather(processor.process(i, fn)), the guide's call shape" in rows
    assert "gather(DataLoader.load)" in rows
