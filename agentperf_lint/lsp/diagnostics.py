"""Findings as LSP diagnostics.

Every finding carries its code, a ``codeDescription`` link to the rule's documentation and the
rule's name (in the message, where every client shows it, and in ``data`` for tools). No tag is
set: ``Unnecessary`` greys out dead code and ``Deprecated`` strikes out a deprecated API, and no
rule reports either; a blocking call is live code that should change, not vanish.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from ..engine import SYNTAX_ERROR_CODE
from ..finding import Finding
from .text import UnitCounter, to_client

SOURCE = "agentperf-lint"


def finding_range(finding: Finding, lines: Sequence[str], units: UnitCounter) -> types.Range:
    start = to_client(lines, finding.line - 1, finding.column - 1, units)
    end = to_client(lines, finding.end_line - 1, finding.end_column - 1, units)
    if (end.line, end.character) <= (start.line, start.character):
        end = types.Position(line=start.line, character=start.character + 1)
    return types.Range(start=start, end=end)


def to_diagnostic(finding: Finding, lines: Sequence[str], units: UnitCounter) -> types.Diagnostic:
    severity = types.DiagnosticSeverity.Error if finding.code == SYNTAX_ERROR_CODE else types.DiagnosticSeverity.Warning
    data: dict[str, object] = {"name": finding.name}
    if finding.fix is not None:
        data["fix"] = {"applicability": finding.fix.applicability, "title": finding.fix.title}
    return types.Diagnostic(
        range=finding_range(finding, lines, units),
        message=f"{finding.message} ({finding.name})",
        severity=severity,
        code=finding.code,
        code_description=types.CodeDescription(href=finding.url) if finding.url else None,
        source=SOURCE,
        data=data,
    )


def to_diagnostics(findings: Sequence[Finding], lines: Sequence[str], units: UnitCounter) -> list[types.Diagnostic]:
    return [to_diagnostic(finding, lines, units) for finding in sorted(findings)]
