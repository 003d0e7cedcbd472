"""APL101-APL113 beyond their examples: one finding per call across the family, configuration
through the real config loader, the catalogue's consistency and its generated docs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentperf_lint.config import load_settings, validate_rule_options
from agentperf_lint.engine import Linter
from agentperf_lint.registry import select
from agentperf_lint.rules._blocking import CATALOGUE, UNLESS, catalogue_markdown
from agentperf_lint.rules._costs import Cost
from agentperf_lint.rules._blocking_catalogue import ROWS

ROOT = Path(__file__).resolve().parents[2]
FAMILY = [rule for rule in select(["APL1"]) if rule.code != "APL114"]

AGENT = """
import json, os, subprocess, time
import requests
from openai import OpenAI
from pathlib import Path

class Agent:
    def __init__(self, root: Path):
        self.client = OpenAI()
        self.memory = root / "memory.json"

    async def step(self, prompt):
        time.sleep(0.1)
        requests.post("http://tool", json={})
        subprocess.run(["ls"])
        text = self.memory.read_text()
        os.path.exists("x")
        reply = self.client.chat.completions.create(model="m", messages=[])
        with open("log.txt", "a") as log:
            log.write(text)
        return os.path.join("a", "b"), time.monotonic(), json.loads(text)
"""


def _findings(source: str, rules=FAMILY, options=None):  # type: ignore[no-untyped-def]
    linter = Linter(rules, options or {})
    return linter.lint("agent.py", textwrap.dedent(source).lstrip("\n").encode()).result.findings


def test_each_blocking_call_is_reported_once_by_its_family() -> None:
    findings = _findings(AGENT)
    assert [(f.line, f.code) for f in findings] == [
        (12, "APL101"), (13, "APL102"), (14, "APL103"), (17, "APL111"),
    ]
    by_line = {f.line: f.message for f in findings}
    # the metadata call and the local file work ride with the costliest call (the subprocess)
    assert ("(a subprocess); also `os.path.exists` at line 16 (one file-system metadata call each) and "
            "`self.memory.read_text`, `open` at lines 15, 18 (local file I/O, brief beside it): "
            "the fix moves the whole section to a thread") in by_line[14]


def test_file_io_is_its_own_finding_beside_waits_that_are_not_remote() -> None:
    source = "import time\n\nasync def f(p):\n    time.sleep(1)\n    with open(p) as fh:\n        return fh.read()\n"
    assert [(f.line, f.code) for f in _findings(source)] == [(4, "APL101"), (5, "APL104")]


def test_a_family_can_be_ignored_alone() -> None:
    rules = select(["APL1"], ignore=["APL104"])
    assert "APL104" not in {f.code for f in _findings(AGENT, rules)}
    assert {"APL101", "APL102", "APL103", "APL111"} <= {f.code for f in _findings(AGENT, rules)}


def test_extra_calls_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.agentperf-lint.blocking]\nextra-calls = { "mylib.fetch" = "mylib.afetch" }\n'
    )
    settings = load_settings(tmp_path / "pyproject.toml")
    options = validate_rule_options(settings, FAMILY)
    source = "import mylib\nasync def f():\n    return mylib.fetch(1)\n"
    findings = _findings(source, options=options)
    assert [(f.code, f.line) for f in findings] == [("APL113", 3)]
    assert "mylib.afetch" in findings[0].message


def test_every_row_is_well_formed() -> None:
    codes = {rule.code for rule in FAMILY}
    for row in ROWS:
        calls, code, fix, _ = row[:4]
        assert code in codes and fix in ("sleep", "thread", "sqlite_thread", "await", "none"), row
        assert all(field in UNLESS or isinstance(field, Cost) for field in row[4:]), row
    calls = [entry.call for entry in CATALOGUE.entries]
    assert len(calls) == len(set(calls)), "a call is listed twice"


@pytest.mark.parametrize("pure", ["os.path.join", "os.path.normpath", "os.path.basename", "os.path.abspath",
                                  "time.monotonic", "asyncio.sleep", "json.loads", "pathlib.Path.with_suffix"])
def test_pure_functions_are_not_in_the_catalogue(pure: str) -> None:
    assert pure not in CATALOGUE.exact


def test_docs_table_is_generated_from_the_catalogue() -> None:
    docs = (ROOT / "docs" / "blocking-calls.md").read_text(encoding="utf-8")
    assert catalogue_markdown() in docs
