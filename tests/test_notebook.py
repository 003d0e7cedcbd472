"""Jupyter notebooks through the command line: discovery, positions by cell, formats, --fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.test_cli import run, write
from tests.test_sarif import validator  # noqa: F401 (a fixture)
from tests.test_notebook_module import make

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = make(
    ("markdown", "# Agent"),
    "%pip install httpx\nimport time\nimport httpx\nurls = load()\n",
    "!ls\nreply = await agent.run('plan')\ntime.sleep(1)\n",
    "%%time\nasync with httpx.AsyncClient(timeout=5) as http:\n    for url in urls:\n        await http.get(url)\n",
    "time.sleep(2)  # a cell without await runs synchronously\n",
    "%%bash\nsleep 1\n",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\n\n[tool.agentperf-lint.blocking]\nreport-file-chains = true\n")
    (tmp_path / "agent.ipynb").write_bytes(NOTEBOOK)
    return tmp_path


def test_discovered_notebooks_report_by_cell_with_exact_positions(project: Path) -> None:
    result = run(".", "--no-cache", cwd=project)
    assert result.returncode == 1, result.stderr
    assert [line.split(" ", 3)[:3] for line in result.stdout.splitlines()] == [
        ["agent.ipynb:cell", "3:3:1:", "APL101"],
        ["agent.ipynb:cell", "4:4:9:", "APL201"],
    ]
    assert "blocks the event loop in a notebook cell that uses top-level `await`" in result.stdout
    assert run("--show-files", cwd=project).stdout == "agent.ipynb\n"


def test_full_format_quotes_the_cell_line(project: Path) -> None:
    result = run("agent.ipynb", "--no-cache", "--output-format", "full", cwd=project)
    assert "3 | time.sleep(1)\n  | ^^^^^^^^^^^^^\n" in result.stdout


def test_json_and_sarif_carry_the_cell(project: Path, validator: Draft202012Validator) -> None:
    data = json.loads(run("agent.ipynb", "--no-cache", "--output-format", "json", cwd=project).stdout)
    assert [(item["cell"], item["line"], item["column"], item["end_line"], item["end_column"]) for item in data] == [
        (3, 3, 1, 3, 14), (4, 4, 9, 4, 28)]
    sarif = json.loads(run("agent.ipynb", "--no-cache", "--output-format", "sarif", cwd=project).stdout)
    results = sarif["runs"][0]["results"]
    assert [r["properties"]["cell"] for r in results] == [3, 4]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert not list(validator.iter_errors(sarif))


def test_noqa_works_per_line(project: Path) -> None:
    text = NOTEBOOK.decode().replace('"time.sleep(1)\\n"', '"time.sleep(1)  # noqa: APL101\\n"')
    (project / "agent.ipynb").write_text(text, encoding="utf-8")
    result = run("agent.ipynb", "--no-cache", cwd=project)
    assert [line.split(" APL", 1)[0] for line in result.stdout.splitlines()] == ["agent.ipynb:cell 4:4:9:"]


def test_fix_writes_into_the_cell_and_leaves_everything_else(project: Path) -> None:
    result = run("agent.ipynb", "--fix", "--no-cache", cwd=project)
    assert result.returncode == 1  # APL201 remains
    assert result.stdout.splitlines()[0].startswith("agent.ipynb:cell 4:4:9: APL201")
    written = (project / "agent.ipynb").read_bytes()
    before, after = json.loads(NOTEBOOK), json.loads(written)
    assert "".join(after["cells"][1]["source"]) == "import asyncio\n\n%pip install httpx\nimport time\nimport httpx\nurls = load()\n"
    assert "".join(after["cells"][2]["source"]) == "!ls\nreply = await agent.run('plan')\nawait asyncio.sleep(1)\n"
    changed = {1, 2}
    assert [c for i, c in enumerate(after["cells"]) if i not in changed] == [
        c for i, c in enumerate(before["cells"]) if i not in changed]
    assert [c["outputs"] for c in after["cells"] if "outputs" in c] == [c["outputs"] for c in before["cells"] if "outputs" in c]
    assert written.startswith(b'{\n "cells": [\n  {\n') and written.endswith(b"}\n")
    assert run("agent.ipynb", "--fix", "--no-cache", cwd=project).stdout.count("\n") == 1  # idempotent
    assert (project / "agent.ipynb").read_bytes() == written


def test_diff_shows_the_notebook_change_without_writing(project: Path) -> None:
    result = run("agent.ipynb", "--diff", "--no-cache", cwd=project)
    assert result.returncode == 1
    assert result.stdout == (
        "--- a/agent.ipynb:cell 2\n+++ b/agent.ipynb:cell 2\n@@ -1,3 +1,5 @@\n"
        "+import asyncio\n+\n %pip install httpx\n import time\n import httpx\n"
        "--- a/agent.ipynb:cell 3\n+++ b/agent.ipynb:cell 3\n@@ -1,3 +1,3 @@\n"
        " !ls\n reply = await agent.run('plan')\n-time.sleep(1)\n+await asyncio.sleep(1)\n"
    )
    assert (project / "agent.ipynb").read_bytes() == NOTEBOOK


@pytest.mark.parametrize(("content", "expected"), [
    (b"{not json", "broken.ipynb:1:2: APL001 not a valid notebook: invalid JSON"),
    (b'{"cells": [], "nbformat": 3, "nbformat_minor": 0}', "broken.ipynb:1:1: APL001 not a valid notebook: nbformat 3"),
])
def test_a_broken_notebook_is_one_apl001_finding(project: Path, content: bytes, expected: str) -> None:
    (project / "broken.ipynb").write_bytes(content)
    for extra in ((), ("--fix",)):
        result = run("broken.ipynb", "--no-cache", *extra, cwd=project)
        assert result.returncode == 1
        assert result.stdout.startswith(expected) and result.stdout.count("\n") == 1
        assert "Traceback" not in result.stderr
    assert (project / "broken.ipynb").read_bytes() == content


def test_the_cache_is_keyed_on_the_notebook_content(project: Path) -> None:
    assert run("agent.ipynb", cwd=project).stdout.count("\n") == 2
    assert run("agent.ipynb", cwd=project).stdout.count("\n") == 2  # warm
    text = NOTEBOOK.decode().replace('"time.sleep(1)\\n"', '"pass\\n"')
    (project / "agent.ipynb").write_text(text, encoding="utf-8")
    assert run("agent.ipynb", cwd=project).stdout.count("\n") == 1


def test_stdin_with_a_notebook_name(project: Path) -> None:
    result = run("-", "--stdin-filename", "nb.ipynb", "--no-cache", cwd=project, stdin=NOTEBOOK)
    assert result.stdout.startswith("nb.ipynb:cell 3:3:1: APL101")



def test_examples_notebook_is_linted() -> None:
    result = run("examples/agent_notebook.ipynb", "--no-cache", cwd=ROOT)
    assert result.returncode == 1
    assert [line.split(" ", 3)[:3] for line in result.stdout.splitlines()] == [
        ["examples/agent_notebook.ipynb:cell", "5:2:1:", "APL101"],
        ["examples/agent_notebook.ipynb:cell", "7:4:22:", "APL201"],
    ]


def test_a_chain_from_an_awaiting_cell_into_a_project_module(project: Path) -> None:
    write(project, "app/__init__.py", "")
    write(project, "app/report.py", "def build_report(path):\n    with open(path) as f:\n        return f.read()\n")
    (project / "agent.ipynb").write_bytes(make(
        "from app.report import build_report\n",
        "plan = await agent.run('plan')\nreport = build_report('plan.md')\n",
        "build_report('sync cells run synchronously')\n",
    ))
    for cache in (("--no-cache",), (), ()):  # cold, then the project store, then warm
        result = run(".", *cache, cwd=project)
        assert [line.split(" APL")[0] for line in result.stdout.splitlines()] == ["agent.ipynb:cell 2:2:10:"]
        assert "build_report() -> open()" in result.stdout
    adopted = run("--add-noqa", ".", cwd=project)
    assert adopted.stderr == "Added a noqa directive to 1 line in 1 file.\n"
    cell = "".join(json.loads((project / "agent.ipynb").read_bytes())["cells"][1]["source"])
    assert cell == "plan = await agent.run('plan')\nreport = build_report('plan.md')  # noqa: APL114\n"
    assert run(".", cwd=project).stdout == ""


def test_a_syntax_error_is_reported_in_its_cell(project: Path) -> None:
    (project / "syn.ipynb").write_bytes(make("import time\nawait x()\n", ("markdown", "x"), "def f(:\n    pass\n", "y = (1,\n"))
    result = run("syn.ipynb", "--no-cache", cwd=project)
    assert result.stdout == "syn.ipynb:cell 3:1:7: APL001 cannot parse file: invalid syntax\n"
    (project / "syn.ipynb").write_bytes(make("import time\nawait x()\n", "y = (1,\n", "z = 2\n"))
    result = run("syn.ipynb", "--no-cache", cwd=project)
    assert result.stdout == "syn.ipynb:cell 2:1:5: APL001 cannot parse file: '(' was never closed\n"


def test_a_notebook_is_not_a_service_for_http_timeouts(tmp_path: Path) -> None:
    """Cells run one at a time, watched by a person: APL306 does not ask them for timeouts,
    while the same line in a module is reported."""
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\n\n[tool.agentperf-lint.blocking]\nreport-file-chains = true\n")
    (tmp_path / "demo.ipynb").write_bytes(make("import requests\nr = requests.get('http://localhost:8000/v1/models')\n"))
    write(tmp_path, "client.py", "import requests\nr = requests.get('http://localhost:8000/v1/models')\n")
    result = run(".", "--no-cache", "--select", "APL306", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines() if "APL306" in line] == ["client.py"]
