"""``--add-noqa``: suppress today's findings in place, so CI fails only on new ones.

Each finding gets its code in a ``# noqa: CODES`` comment on a line the noqa reader looks at
for it (:func:`agentperf_lint.engine.statement_lines`): the finding's own line when a comment
can end it, else the next line of its statement where one can (a line inside a multi-line
string or ending in a backslash cannot hold a comment). An existing ``# noqa: ...`` on that
line is merged with, keeping other tools' codes (sorted, each once); any other comment stays
and the directive follows it. Only the chosen lines change, byte for byte everything else
(encoding, BOM, line endings), so a second run finds nothing to add. Notebooks get the
comments in their cells' sources.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .finding import Finding, InternalError
from .notebook import NotebookError, is_notebook, lint_python, load, split_lines
from .runner import RuleSetup, RunOptions, Source, run

if TYPE_CHECKING:
    from .config import Settings

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")
_NOQA = re.compile(r"#\s*noqa\s*:\s*", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa\b(?!\s*:)", re.IGNORECASE)
_CODE = re.compile(r"[\s,]*([A-Za-z]+[0-9]+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)\b")
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


def _file_edit(source: Source, placed: Iterable[tuple[str, int, tuple[int, int]]]) -> NoqaEdit | None:
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


def directives(lines: Sequence[str], placed: Iterable[tuple[str, int, tuple[int, int]]]) -> dict[int, str]:
    """New text (line ending kept) of each line that gets a directive.

    ``lines`` are the file's lines with their endings; ``placed`` holds, per finding, its code,
    its line and the lines a directive for it may sit on."""
    ends, comments = _comment_places(lines)
    codes: dict[int, set[str]] = {}
    for code, line, (first, last) in placed:
        candidates = [line, *range(line + 1, last + 1), *range(line - 1, first - 1, -1)]
        target = next((number for number in candidates if number in ends), None)
        if target is not None:
            codes.setdefault(target, set()).add(code)
    changed = {}
    for number, new in codes.items():
        text = _with_directive(lines[number - 1], comments.get(number), new)
        if text != lines[number - 1]:
            changed[number] = text
    return changed


def _comment_places(lines: Sequence[str]) -> tuple[set[int], Mapping[int, int]]:
    """Lines a comment may end (1-based), and the column of each existing comment."""
    ends: set[int] = set()
    comments: dict[int, int] = {}
    feed = iter(lines)
    try:
        for token in tokenize.generate_tokens(lambda: next(feed, "")):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                ends.add(token.start[0])
            elif token.type == tokenize.COMMENT:
                ends.add(token.start[0])
                comments[token.start[0]] = token.start[1]
    except (tokenize.TokenError, SyntaxError):
        pass  # the lines tokenized so far are still right
    return ends, comments


def _with_directive(line: str, comment_at: int | None, new: set[str]) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if comment_at is not None:
        comment = body[comment_at:]
        if _BARE_NOQA.search(comment):
            return line  # already suppresses everything
        found = _NOQA.search(comment)
        if found:
            existing, end = [], found.end()
            while (code := _CODE.match(comment, end)) is not None:
                existing.append(code.group(1))
                end = code.end()
            merged = ", ".join(sorted(set(existing) | new))
            rest = comment[end:]
            if rest and not rest[0].isspace():
                rest = " " + rest  # ``# noqa: see below`` keeps its words apart from the codes
            return body[:comment_at] + f"{comment[:found.start()]}# noqa: {merged}{rest}" + ending
    code = body.rstrip(" \t")
    return f"{code}  # noqa: {', '.join(sorted(new))}{ending}"
