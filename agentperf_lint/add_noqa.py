"""``--add-noqa``: suppress today's findings in place, so CI fails only on new ones.

Each finding gets its code in a ``# noqa: CODES`` comment on a line the noqa reader looks at
for it (:func:`agentperf_lint.engine.statement_lines`): the finding's own line when a comment
can end it, else the next line of its statement where one can (a line inside a multi-line
string or ending in a backslash cannot hold a comment). An existing ``# noqa: ...`` on that
line is merged with, keeping other tools' codes; any other comment stays and the directive
follows it (:mod:`agentperf_lint.noqa_write`, shared with the editor's quick fix). Only the chosen lines change, byte for byte everything else
(encoding, BOM, line endings), so a second run finds nothing to add. Notebooks get the
comments in their cells' sources.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .finding import Finding, InternalError
from .noqa_write import Placement, directives
from .notebook import NotebookError, is_notebook, lint_python, load, split_lines
from .runner import RuleSetup, RunOptions, Source, run

if TYPE_CHECKING:
    from .config import Settings

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")
_BOM = b"\xef\xbb\xbf"
_UNSUPPRESSIBLE = frozenset({"APL001"})  # parse errors are reported before noqa is read


@dataclass
class NoqaEdit:
    """One file's new bytes and how many of its lines got a directive."""

    source: Source
    data: bytes
    lines: int


def add_noqa(
    sources: Sequence[Source], settings: Settings, options: RunOptions
) -> tuple[list[NoqaEdit], list[InternalError]]:
    """The files whose findings need a directive, with their new content (nothing written),
    and the errors of the lint run (a file a rule crashed on gets no directives)."""
    outcome = run(sources, settings, options)
    by_path: dict[str, list[Finding]] = {}
    for finding in outcome.findings:
        if finding.code not in _UNSUPPRESSIBLE:
            by_path.setdefault(finding.path, []).append(finding)
    setup = RuleSetup(settings, ignore_noqa=False)
    edits = []
    for source in sources:
        findings = by_path.get(source.path)
        if not findings:
            continue
        ignored = setup.ignored_codes(source.real_path)
        if is_notebook(source.path):
            edit = _notebook_edit(setup, source, ignored, findings)
        else:
            linted = setup.linter().lint(source.path, source.data, ignored=ignored)
            spans = {(f.line, f.column, f.code): span for f, span in linted.noqa_lines.items()}
            placed = [(f.code, f.line, spans.get((f.line, f.column, f.code), (f.line, f.end_line))) for f in findings]
            edit = _file_edit(source, placed)
        if edit is not None:
            edits.append(edit)
    return edits, outcome.errors


def _file_edit(source: Source, placed: Iterable[Placement]) -> NoqaEdit | None:
    data = source.data
    bom = _BOM if data.startswith(_BOM) else b""
    body = data[len(bom):]
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(body).readline)
    except SyntaxError:
        return None
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    raw_lines = [line for line in _LINE.findall(body) if line]
    try:
        lines = [line.decode(encoding) for line in raw_lines]
    except (UnicodeDecodeError, LookupError):
        return None
    changed = directives(lines, placed)
    if not changed:
        return None
    for number, text in changed.items():
        raw_lines[number - 1] = text.encode(encoding)
    return NoqaEdit(source, bom + b"".join(raw_lines), len(changed))


def _notebook_edit(setup: RuleSetup, source: Source, ignored: frozenset[str], findings: Sequence[Finding]) -> NoqaEdit | None:
    """As for a file, in the notebook's module: cell positions back to module lines."""
    try:
        notebook = load(source.data)
    except NotebookError:
        return None
    if notebook is None:
        return None
    linted = lint_python(setup.linter(), source.path, notebook, ignored=ignored)
    spans = {(f.line, f.column, f.code): span for f, span in linted.outcome.noqa_lines.items()}
    module_line = {where: line for line, where in notebook.positions(notebook.python).items()}
    placed = []
    for finding in findings:
        line = module_line.get((finding.cell, finding.line))
        if line is not None:
            span = spans.get((line, finding.column, finding.code), (line, line + finding.end_line - finding.line))
            placed.append((finding.code, line, span))
    lines = split_lines(notebook.python)
    changed = directives(lines, placed)
    if not changed:
        return None
    for number, text in changed.items():
        lines[number - 1] = text
    return NoqaEdit(source, notebook.dump("".join(lines)), len(changed))
