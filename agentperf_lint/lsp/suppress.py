""""Disable APLnnn for this line": where a ``# noqa: CODE`` comment goes, and how it merges.

:mod:`agentperf_lint.noqa` reads a directive on any line of the reported statement. The comment
goes on the finding's line unless that line cannot end in a comment (it ends inside a
multi-line string, or with a backslash continuation): then on the next line of the statement
that can. An existing ``# noqa: E501`` gains the code (``# noqa: E501, APL101``), keeping the
other tools' codes; any other comment is kept and the directive follows it.
"""

from __future__ import annotations

import io
import tokenize

from ..noqa import _NOQA  # the one pattern noqa reads, so what we write is what it reads
from .text import line_content, split_lines


def noqa_line(text: str, line: int) -> int:
    """The 0-based line at or after ``line`` whose end can carry a comment."""
    lines = split_lines(text)
    blocked = _uncommentable_lines(text)
    for candidate in range(line, len(lines)):
        if candidate not in blocked:
            return candidate
    return line


def with_noqa(content: str, code: str) -> str | None:
    """``content`` (one line, no line ending) with ``code`` added to its noqa directive; None
    when a directive there already covers every code."""
    match = _NOQA.search(content)
    if match is None:
        stripped = content.rstrip()
        return f"{stripped}  # noqa: {code}"
    if match.group("codes") is None:
        return None  # a bare ``# noqa`` already suppresses everything
    codes = match.group("codes").replace(",", " ").split()
    if code in codes:
        return None
    end = match.end("codes")
    return f"{content[:end]}, {code}{content[end:]}"


def noqa_edit(text: str, line: int, code: str) -> tuple[int, str, str] | None:
    """(line, old content, new content) for suppressing ``code`` reported on ``line`` (0-based)."""
    target = noqa_line(text, line)
    lines = split_lines(text)
    if target >= len(lines):
        return None
    content = line_content(lines[target])
    new = with_noqa(content, code)
    return None if new is None else (target, content, new)


def _uncommentable_lines(text: str) -> set[int]:
    """0-based lines ending inside a token (a multi-line string) or with a backslash."""
    blocked: set[int] = set()
    commented: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            (start, _), (end, _) = token.start, token.end
            if end > start:
                blocked.update(range(start - 1, end - 1))
            if token.type == tokenize.COMMENT:
                commented.add(start - 1)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # an unfinished buffer: best effort
    for number, line in enumerate(split_lines(text)):
        if line_content(line).endswith("\\") and number not in commented:
            blocked.add(number)
    return blocked
