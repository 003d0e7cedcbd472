"""Rendering findings for people and machines: one module per output format.

The CLI decides *what* to print (which findings, whether to use colour, where to write) and calls
:func:`render`; every format here is a pure function of its inputs, so each is tested without a
terminal or a file system. Formats are imported on first use: a run printing ``text`` never loads
the SARIF or rule-documentation code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..finding import Finding
    from ..rule import Rule

FORMATS = ("text", "full", "json", "sarif", "github")
"""The ``--output-format`` choices, in the order ``--help`` lists them."""

TEXT_FORMATS = frozenset({"text", "full"})
"""Formats for people: the CLI adds :func:`summary_line` on stderr only for these."""


def render(
    fmt: str,
    findings: Sequence[Finding],
    *,
    rules: Sequence[type[Rule]],
    root: Path,
    color: bool = False,
    read_lines: Callable[[str], Sequence[str]] | None = None,
    tool_version: str,
) -> str:
    """The whole output for ``findings`` in format ``fmt``, ending in a newline unless empty.

    ``rules`` are the enabled rules (SARIF describes each one); ``root`` is the directory that
    relative SARIF URIs and GitHub annotation paths are resolved against (the project root);
    ``read_lines(location)`` returns the lines of a finding's file (``location`` is its path, or
    ``path:cell N`` for a notebook cell: :attr:`Finding.location`) without line endings, for
    formats that quote source (``full``) or fingerprint it (``sarif``).
    """
    ordered = sorted(findings)
    if fmt == "text":
        from .text import render_text

        return render_text(ordered, color=color)
    if fmt == "full":
        from .text import render_full

        return render_full(ordered, color=color, read_lines=read_lines)
    if fmt == "json":
        from .json_format import render_json

        return render_json(ordered)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(ordered, rules=rules, root=root, read_lines=read_lines, tool_version=tool_version)
    if fmt == "github":
        from .github import render_github

        return render_github(ordered, root=root)
    raise ValueError(f"unknown output format {fmt!r}; valid: {', '.join(FORMATS)}")


def count_fixable(findings: Iterable[Finding]) -> tuple[int, int]:
    """``(safe, unsafe)``: findings ``--fix`` would fix, and those only ``--unsafe-fixes`` would."""
    safe = unsafe = 0
    for finding in findings:
        if finding.fix is None:
            continue
        if finding.fix.applicability == "safe":
            safe += 1
        else:
            unsafe += 1
    return safe, unsafe


def _findings(count: int) -> str:
    return f"{count} finding" if count == 1 else f"{count} findings"


def summary_line(n_findings: int, n_fixable: int, n_unsafe_fixable: int, fix_applied: int = 0) -> str:
    """The closing line on stderr for the text formats, worded after ruff's.

    ``n_findings`` counts the findings still reported, ``fix_applied`` those fixed in this run;
    ``n_fixable`` are the remaining ones ``--fix`` would fix under the current settings and
    ``n_unsafe_fixable`` those that would additionally need ``--unsafe-fixes``.
    """
    hints = []
    if n_fixable:
        hints.append(f"{n_fixable} fixable with `--fix`")
    if n_unsafe_fixable:
        kind = "more" if n_fixable else "fixable"
        hints.append(f"{n_unsafe_fixable} {kind} with `--unsafe-fixes`")
    if fix_applied:
        detail = f"{fix_applied} fixed, {n_findings} remaining"
        if hints:
            detail += "; " + "; ".join(hints)
        return f"Found {_findings(n_findings + fix_applied)} ({detail})."
    if not n_findings:
        return "All checks passed!"
    if hints:
        return f"Found {_findings(n_findings)} ({'; '.join(hints)})."
    return f"Found {_findings(n_findings)}."
