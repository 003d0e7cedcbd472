"""Work done off the event loop: lint a buffer with its folder's project model, lint again the
open files a change reaches, keep the project index up to date (on the lint thread, one job at
a time: a :class:`~agentperf_lint.engine.Linter` keeps per-file state, the model is installed
for the lint's duration), and the folder's first scan (on its own thread)."""

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
    """Lint the buffer's text (as the bytes it would have on disk) with the folder's project
    model; True when its content changed, so other open files that look into it need a lint."""
    data = encode_buffer(text)
    if profile.excluded(path):
        return LintedText(uri, str(path), version, text, data, None), False
    changed = index.update_buffer(str(path), data)
    return relint(uri, str(path), version, text, data, profile, index), changed


def relint(uri: str, path: str, version: int | None, text: str, data: bytes, profile: Profile,
           index: ProjectIndex) -> LintedText:
    ignored = profile.ignored(Path(path))
    outcome = index.lint(profile.linter(), path, data, ignored)
    linted = LintedText(uri, path, version, text, data, outcome, ignored=ignored)
    linted.findings = sorted(outcome.result.findings)
    return linted


def refreshed(linted: LintedText, profile: Profile, index: ProjectIndex) -> LintedText | None:
    """A new lint of an open document whose last lint looked into a module that changed."""
    if linted.outcome is None or not index.stale(linted.path):
        return None
    return relint(linted.uri, linted.path, linted.version, linted.text, linted.data, profile, index)


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
    return index.disk_deleted(path) if deleted else index.disk_changed(path)
