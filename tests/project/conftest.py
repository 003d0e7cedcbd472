"""Small multi-module packages written to a temporary directory, linted through the runner."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pytest

from agentperf_lint.config import load_settings
from agentperf_lint.project import ProjectModel, build
from agentperf_lint.runner import RunOptions, RunResult, Source, run

Files = Mapping[str, str]


def write(root: Path, files: Files) -> list[Source]:
    sources = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        sources.append(Source(name, path.read_bytes(), path))
    return sources


@pytest.fixture
def model_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Files], ProjectModel]:
    monkeypatch.chdir(tmp_path)

    def make(files: Files) -> ProjectModel:
        return build((s.path, s.data, s.real_path) for s in write(tmp_path, files))

    return make


@pytest.fixture
def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., RunResult]:
    monkeypatch.chdir(tmp_path)

    def run_it(files: Files, select: list[str], use_cache: bool = False) -> RunResult:
        sources = write(tmp_path, files)
        settings = load_settings(None, cwd=Path.cwd(), overrides={"select": select})
        # the chains here mostly end in file I/O, the simplest blocking call to write down
        settings = replace(settings, rule_options={"blocking": {"report-file-chains": True}})
        return run(sources, settings, RunOptions(use_cache=use_cache))

    return run_it


def found(result: RunResult) -> list[tuple[str, int, str]]:
    return [(f.path.replace(os.sep, "/"), f.line, f.code) for f in result.findings]
