"""Cross-module rules through the runner: the project model parses modules on demand.

APL114's text gate only admits files with coroutines; the sync helper modules they call are
summarised because a query reaches them, and sync modules nothing reaches are never parsed.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from agentperf_lint.config import load_settings
from agentperf_lint.runner import RunOptions, Source, run

FILES = {
    "pkg/__init__.py": "",
    "pkg/app.py": """
        from .settings import load_settings

        async def handle():
            return load_settings()
    """,
    "pkg/settings.py": """
        from .util import read_json

        def load_settings():
            return read_json("settings.json")
    """,
    "pkg/util.py": """
        import json

        def read_json(path):
            with open(path) as f:
                return json.load(f)
    """,
    "pkg/unrelated.py": """
        def helper():
            return open("x").read()
    """,
}


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Source]:
    monkeypatch.chdir(tmp_path)
    sources = []
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        sources.append(Source(name, path.read_bytes(), path))
    return sources


@pytest.mark.parametrize("use_cache", [False, True])
def test_chain_through_sync_modules_is_found_and_unreached_modules_are_skipped(
    package: list[Source], use_cache: bool
) -> None:
    settings = load_settings(None, cwd=Path.cwd(), overrides={"select": ["APL114"]})
    settings = replace(settings, rule_options={"blocking": {"report-file-chains": True}})  # a file chain
    for _ in range(2 if use_cache else 1):  # the second run answers from the cache
        outcome = run(package, settings, RunOptions(use_cache=use_cache))
        findings = [(f.path, f.line, f.code) for f in outcome.findings]
        assert findings == [(os.path.join("pkg", "app.py"), 4, "APL114")]
        assert "load_settings() -> read_json() -> open()" in outcome.findings[0].message
        app = next(r for r in outcome.results if r.path == "pkg/app.py")
        looked_into = {module for module, digest in app.summaries["@model"].items() if digest}
        assert looked_into == {"pkg.settings", "pkg.util"}  # never pkg.unrelated
        assert not any("@model" in r.summaries for r in outcome.results if r.path != "pkg/app.py")
