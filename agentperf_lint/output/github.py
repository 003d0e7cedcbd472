"""The ``github`` format: workflow commands GitHub Actions turns into inline annotations.

``::warning file=P,line=L,col=C,endLine=E,endColumn=EC,title=T::message`` with GitHub's escaping
(``%``, CR and LF in the message; additionally ``:`` and ``,`` in property values). GitHub shows
only about 10 annotations of a kind per step and 50 per job and drops the rest silently, so past
that limit a closing ``::notice`` says how many there were and points to SARIF.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..finding import Finding
from ._paths import relative_to_root

ANNOTATIONS_SHOWN_PER_STEP = 10


def escape_data(text: str) -> str:
    """Escape a workflow-command message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value (``file=``, ``title=`` ...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, root: Path) -> str:
    props = {
        "file": relative_to_root(finding.path, root) or Path(finding.path).as_posix(),
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.end_line),
        "endColumn": str(finding.end_column),
        "title": f"{finding.code} ({finding.name})",
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    message = finding.message if finding.cell is None else f"cell {finding.cell}: {finding.message}"
    return f"::warning {rendered}::{escape_data(message)}"


def render_github(findings: Sequence[Finding], *, root: Path) -> str:
    lines = [annotation(finding, root) for finding in findings]
    if len(findings) > ANNOTATIONS_SHOWN_PER_STEP:
        note = (
            f"{len(findings)} findings; GitHub shows only the first {ANNOTATIONS_SHOWN_PER_STEP} "
            "annotations of a step. Upload `--output-format sarif` to code scanning for all of them."
        )
        lines.append(f"::notice title={escape_property('agentperf-lint')}::{escape_data(note)}")
    return "".join(line + "\n" for line in lines)
