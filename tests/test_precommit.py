"""The pre-commit hooks, run the way users run them: ``pre-commit try-repo`` on a git repo.

pre-commit builds its own virtualenv from this repository (so this needs the package index
reachable); it is the only test that proves ``.pre-commit-hooks.yaml`` works as published.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BAD = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is required")


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook: str, work: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )


def _throwaway_repo(root: Path) -> Path:
    work = root / "work"
    (work / "vendor").mkdir(parents=True)
    (work / "app.py").write_text(BAD)
    (work / "vendor" / "lib.py").write_text(BAD)
    (work / "pyproject.toml").write_text('[tool.agentperf-lint]\nextend-exclude = ["vendor"]\n')
    _git("init", "-q", cwd=work)
    _git("add", ".", cwd=work)
    return work


def test_lint_hook_reports_and_respects_excludes(tmp_path: Path, pre_commit_home: Path) -> None:
    work = _throwaway_repo(tmp_path)
    result = _try_repo("agentperf-lint", work, pre_commit_home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:5:5: APL101" in result.stdout
    assert "vendor" not in result.stdout.split("app.py")[-1]  # --force-exclude applied


def test_fix_hook_rewrites_the_file(tmp_path: Path, pre_commit_home: Path) -> None:
    work = _throwaway_repo(tmp_path)
    result = _try_repo("agentperf-lint-fix", work, pre_commit_home)
    assert result.returncode == 1  # pre-commit fails a hook that modified files
    assert "await asyncio.sleep(1)" in (work / "app.py").read_text()
    assert (work / "vendor" / "lib.py").read_text() == BAD
