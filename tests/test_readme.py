"""The README's demo is the real output of ``agentperf-lint examples/``: keep them in step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_demo_is_the_real_output() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "agentperf_lint", "examples/", "--no-cache"],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 1
    shown = result.stdout.rstrip("\n") + "\n" + result.stderr.strip()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert shown in readme, "README demo is stale: paste the output of `agentperf-lint examples/`"


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block == [
        'python -m pip install -e ".[dev]" && agentperf-lint examples/',
        'python -m pip install -e ".[dev]" && python -m pytest',
    ]
