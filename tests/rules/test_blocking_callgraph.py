"""APL114 across files: one project model over the package, as the runner builds it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from agentperf_lint import project
from agentperf_lint.engine import Linter
from agentperf_lint.project.summary import summarize
from agentperf_lint.finding import Finding
from agentperf_lint.rules.apl114_blocking_helper_call import BlockingHelperCall

UTIL = """
import json

def read_json(path):
    with open(path) as f:
        return json.load(f)

def pure(x):
    return x + 1
"""
SETTINGS = """
from .util import read_json

def load_settings():
    return read_json("settings.json")

class Store:
    def __init__(self, path):
        self.path = path

    def load(self):
        return read_json(self.path)
"""


def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    paths = {}
    for name, text in files.items():
        path = package / f"{name}.py"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        paths[name] = path
    return paths


def _lint(paths: dict[str, Path], options: dict[str, object] | None = None) -> list[Finding]:
    """Lint every file with one project model over them all, as the runner does."""
    # the chains here mostly end in file I/O, the simplest blocking call to write down
    linter = Linter([BlockingHelperCall], {"blocking": {"report-file-chains": True, **(options or {})}})
    init = next(iter(paths.values())).parent / "__init__.py"
    project.install(project.build((str(path), None, path) for path in [init, *paths.values()]))
    try:
        findings = [finding for path in paths.values()
                    for finding in linter.lint(str(path), path.read_bytes()).result.findings]
    finally:
        project.install(None)
    return sorted(findings)


def test_chain_across_three_modules_through_relative_imports(tmp_path: Path) -> None:
    paths = _package(tmp_path, {
        "util": UTIL,
        "settings": SETTINGS,
        "app": """
            from .settings import load_settings
            from . import util

            async def handle():
                settings = load_settings()
                return util.pure(1)
        """,
    })
    findings = _lint(paths)
    assert [(f.path, f.line, f.column) for f in findings] == [(str(paths["app"]), 5, 16)]
    assert "load_settings() -> read_json() -> open()" in findings[0].message
    assert findings[0].fix is None  # cross-file findings carry no fix


def test_methods_and_constructors_of_imported_classes(tmp_path: Path) -> None:
    paths = _package(tmp_path, {
        "util": UTIL,
        "settings": SETTINGS,
        "app": """
            from pkg.settings import Store

            async def handle():
                store = Store("x.json")
                return store.load()
        """,
    })
    findings = _lint(paths)
    assert [(f.line, f.column) for f in findings] == [(5, 12)]
    assert "Store.load() -> read_json() -> open()" in findings[0].message


def test_same_name_in_an_unlinted_module_is_not_guessed(tmp_path: Path) -> None:
    paths = _package(tmp_path, {
        "util": UTIL,
        "app": """
            import helpers
            from .other import read_json

            async def handle(path):
                helpers.read_json(path)
                return read_json(path)
        """,
    })
    assert _lint(paths) == []


def test_calls_reported_by_other_rules_and_awaited_calls_are_not_sites(tmp_path: Path) -> None:
    paths = _package(tmp_path, {
        "util": UTIL,
        "app": """
            import asyncio
            import time
            from .util import read_json

            async def aread(path):
                return read_json(path)

            async def handle(path):
                time.sleep(1)
                await aread(path)
                return await asyncio.to_thread(read_json, path)
        """,
    })
    findings = _lint(paths)
    assert [(f.line, f.column) for f in findings] == [(6, 12)]  # only inside aread


def test_in_file_chain_is_reported_once_with_a_fix(tmp_path: Path) -> None:
    paths = _package(tmp_path, {
        "app": """
            import time

            def backoff():
                time.sleep(1)

            async def handle():
                backoff()
        """,
    })
    findings = _lint(paths)
    assert [(f.line, f.column) for f in findings] == [(7, 5)]
    assert findings[0].fix is not None


def test_cycles_terminate_and_user_configured_calls_end_chains(tmp_path: Path) -> None:
    paths = _package(tmp_path, {
        "lib": """
            import mylib

            def ping(n):
                return pong(n - 1) if n else mylib.fetch(n)

            def pong(n):
                return ping(n)
        """,
        "app": """
            from .lib import pong

            async def handle():
                return pong(3)
        """,
    })
    assert _lint(paths) == []
    findings = _lint(paths, {"extra-calls": {"mylib.fetch": "mylib.afetch"}})
    assert [(f.line, f.column) for f in findings] == [(4, 12)]
    assert "pong() -> ping() -> mylib.fetch()" in findings[0].message


def test_summaries_are_json(tmp_path: Path) -> None:
    paths = _package(tmp_path, {"util": UTIL, "settings": SETTINGS})
    summary = summarize(paths["settings"].read_bytes(), "pkg.settings", False)
    assert json.loads(json.dumps(summary)) == summary
    # callee, awaited, non-blocking arguments, then (a call with arguments) no fill guard and
    # the arguments passed: the first positional one
    assert summary["functions"]["load_settings"]["calls"] == [[["q", "pkg.util.read_json"], False, False, None, [[0, None]]]]
    assert summary["classes"]["Store"]["methods"]["load"]["calls"] == [
        [["q", "pkg.util.read_json"], False, False, None, [[0, None]]]]
