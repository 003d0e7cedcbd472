"""Recall cases: maintainers' own fixes from application repositories, re-created as small projects.

Each case directory under ``cases/<family>/<slug>/`` holds the code as it was before the fix (or,
for ``clean`` cases, after it) and a ``CASE.toml`` naming the fix and the finding a maintainer
would expect (see ``cases/README.md``). This module loads the cases and lints one the way a user
does: the directory as one project, default settings, no cache; it is shared by the test and by
``bench/recall.py``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from agentperf_lint.config import load_settings
from agentperf_lint.discovery import discover
from agentperf_lint.finding import Finding
from agentperf_lint.runner import RunOptions, Source, run

CASES = Path(__file__).parent / "cases"
FAMILIES = ("blocking", "n_plus_one", "clean")
_FAMILY_PREFIX = {"blocking": "APL1", "n_plus_one": "APL2"}


@dataclass(frozen=True)
class Expected:
    file: str
    line: int
    code: str  # an exact code, or a family prefix such as "APL2"

    def matches(self, file: str, finding: Finding) -> bool:
        return file == self.file and finding.line == self.line and finding.code.startswith(self.code)


@dataclass
class Case:
    directory: Path
    family: str
    repo: str
    commit: str
    what: str
    status: str
    expected: list[Expected] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.family}/{self.directory.name}"


def load_cases() -> list[Case]:
    cases = []
    for family in FAMILIES:
        for directory in sorted((CASES / family).glob("*/")):
            meta = tomllib.loads((directory / "CASE.toml").read_text(encoding="utf-8"))
            cases.append(Case(
                directory=directory, family=family, repo=meta["repo"], commit=meta["commit"],
                what=meta["what"], status=meta.get("status", "found"),
                expected=[Expected(e["file"], e["line"], e["code"]) for e in meta.get("expect", [])],
            ))
    return cases


def lint_case(case: Case) -> list[tuple[str, Finding]]:
    """Findings of the case's project as ``(path relative to the case, finding)``, default settings."""
    previous = os.getcwd()
    os.chdir(case.directory)  # paths display relative to the case, as a user in that folder sees them
    try:
        settings = load_settings(None, isolated=True)
        files = discover(["."], settings)
        sources = [Source(file.as_posix(), file.read_bytes(), file.absolute()) for file in files]
        result = run(sources, settings, RunOptions(use_cache=False))
    finally:
        os.chdir(previous)
    return [(Path(f.path).as_posix().removeprefix("./"), f) for f in result.findings]


@dataclass
class Verdict:
    found: list[Expected]
    missed: list[Expected]
    unexpected: list[tuple[str, Finding]]  # same family, not expected (for clean cases: anything)

    @property
    def passes(self) -> bool:
        return not self.missed and not self.unexpected


def judge(case: Case, findings: list[tuple[str, Finding]]) -> Verdict:
    found = [e for e in case.expected if any(e.matches(file, f) for file, f in findings)]
    missed = [e for e in case.expected if e not in found]
    if case.family == "clean":
        unexpected = list(findings)
    else:
        prefix = _FAMILY_PREFIX[case.family]
        unexpected = [
            (file, f) for file, f in findings
            if f.code.startswith(prefix) and not any(e.matches(file, f) for e in case.expected)
        ]
    return Verdict(found, missed, unexpected)
