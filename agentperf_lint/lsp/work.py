"""Work done off the event loop: lint a buffer, add its cross-file findings, keep the project
index up to date (on the lint thread, one job at a time: a :class:`~agentperf_lint.engine.Linter`
keeps per-file state), and the folder's first scan (on its own thread, with its own linter)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..finding import Finding
from .actions import LintedText
from .project import ProjectIndex
from .settings import Profile
from .text import encode_buffer


def lint_buffer(uri: str, path: Path, text: str, version: int | None, profile: Profile,
                index: ProjectIndex) -> tuple[LintedText, bool]:
    """Lint the buffer's text (as the bytes it would have on disk); True when its project
    summaries changed, so the other open files' cross-file findings need recomputing."""
    data = encode_buffer(text)
    if profile.excluded(path):
        return LintedText(uri, str(path), version, text, data, None), False
    ignored = profile.ignored(path)
    linter = profile.linter()
    outcome = linter.lint(str(path), data, ignored=ignored)
    linted = LintedText(uri, str(path), version, text, data, outcome, ignored=ignored)
    changed = index.update_buffer(str(path), data, outcome.result, linter)
    linted.findings = with_cross_file(linted, profile, index)
    return linted, changed


def with_cross_file(linted: LintedText, profile: Profile, index: ProjectIndex) -> list[Finding]:
    assert linted.outcome is not None
    local = list(linted.outcome.result.findings)
    try:
        cross = index.findings(linted.path, linted.data, profile.linter(), linted.ignored, parsed=linted.outcome)
    except Exception:  # a project rule's crash must not cost the file its own diagnostics
        cross = []
    return sorted([*local, *cross])


def shown(findings: list[Finding]) -> list[dict[str, Any]]:
    """Everything a diagnostic shows (``Finding`` equality compares positions and codes only:
    a chain's message changes when a module down the chain does)."""
    return [finding.to_dict() for finding in findings]


def scan(index: ProjectIndex, profile: Profile) -> None:
    try:
        index.scan(profile)
    except Exception:
        index.ready.set()


def disk_changed(index: ProjectIndex, path: str, deleted: bool, profile: Profile) -> bool:
    return index.disk_deleted(path) if deleted else index.disk_changed(path, profile.linter())
