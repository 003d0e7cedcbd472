"""``agentperf-lint server`` from the command line: the missing extra, bad arguments, and a
directory that happens to be called ``server``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLOCK_PYGLS = "import sys; sys.modules['pygls'] = None; from agentperf_lint.cli import main; sys.exit(main(sys.argv[1:]))"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK_PYGLS, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_without_the_extra_one_line_names_the_install_command():
    done = _run("server")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "pip install 'agentperf-lint[lsp]'" in done.stderr


def test_unknown_server_argument_is_a_one_line_usage_error():
    done = _run("server", "--port", "9")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("agentperf-lint: error:")


def test_a_directory_named_server_is_still_linted_with_a_path_prefix(tmp_path: Path):
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "app.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n", encoding="utf-8")
    for spelling in (["./server"], ["--", "server"]):
        done = _run("--no-cache", *spelling, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert "APL101" in done.stdout
