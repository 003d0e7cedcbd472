"""Tests are not production: the blocking family skips test code unless ``check-tests`` is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentperf_lint.config import load_settings, validate_rule_options
from agentperf_lint.engine import Linter
from agentperf_lint.registry import select

FAMILY = select(["APL1"])
BLOCKING = "import requests, time\n\nasync def fetch(url):\n    time.sleep(1)\n    return requests.get(url)\n"
CHAIN = "import time\n\ndef wait():\n    time.sleep(1)\n\nasync def handler():\n    wait()\n"


def _codes(path: str, source: str, check_tests: bool = False) -> list[str]:
    options = {"blocking": {"check-tests": True}} if check_tests else {}
    result = Linter(FAMILY, options).lint(path, source.encode()).result
    assert result.errors == []
    return sorted(finding.code for finding in result.findings)


@pytest.mark.parametrize("path", ["test_client.py", "client_test.py", "conftest.py", "tests/helpers.py",
                                  "pkg/test/fixtures.py", "tests/unit/api/stub_server.py"])
def test_blocking_calls_in_test_modules_are_skipped(path: str) -> None:
    assert _codes(path, BLOCKING) == []
    assert _codes(path, CHAIN) == []


def test_test_functions_and_doubles_are_skipped_anywhere() -> None:
    source = (
        "import requests\n\nclass FakeModel:\n    async def ainvoke(self, url):\n        return requests.get(url)\n\n"
        "async def test_fetch(url):\n    return requests.get(url)\n\n"
        "async def fetch(url):\n    return requests.get(url)\n"
    )
    result = Linter(FAMILY).lint("app/models.py", source.encode()).result
    assert [(f.line, f.code) for f in result.findings] == [(11, "APL102")]


def test_check_tests_brings_them_back() -> None:
    assert _codes("tests/test_client.py", BLOCKING, check_tests=True) == ["APL101", "APL102"]
    assert _codes("tests/test_client.py", CHAIN, check_tests=True) == ["APL114"]


def test_production_code_is_reported() -> None:
    assert _codes("app/client.py", BLOCKING) == ["APL101", "APL102"]
    assert _codes("app/contest.py", CHAIN) == ["APL114"]


def test_check_tests_is_read_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.agentperf-lint.blocking]\ncheck-tests = true\n")
    options = validate_rule_options(load_settings(tmp_path / "pyproject.toml"), FAMILY)
    assert options["blocking"]["check-tests"] is True
    result = Linter(FAMILY, options).lint("tests/test_x.py", BLOCKING.encode()).result
    assert sorted(f.code for f in result.findings) == ["APL101", "APL102"]
