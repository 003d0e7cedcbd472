""""Disable APLnnn for this line": the one-line edit that adds a ``# noqa: CODE`` directive.

:mod:`agentperf_lint.noqa` reads a directive on any line of the reported statement. The comment
goes on the finding's line unless that line cannot end in a comment (it ends inside a
multi-line string, or with a backslash continuation): then on the next line that can. Placement
and merging are :mod:`agentperf_lint.noqa_write`'s, the same as ``--add-noqa``'s, so an
existing ``# noqa: E501`` gains the code and keeps the other tools' codes.
"""

from __future__ import annotations

from ..noqa_write import comment_places, directives, with_directive
from .text import line_content, split_lines


def noqa_line(text: str, line: int) -> int:
    """The 0-based line at or after ``line`` whose end can carry a comment."""
    lines = split_lines(text)
    ends, _ = comment_places(lines)
    return next((candidate for candidate in range(line, len(lines)) if candidate + 1 in ends), line)


def with_noqa(content: str, code: str) -> str | None:
    """``content`` (one line, no line ending) with ``code`` added to its noqa directive; None
    when a directive there already covers it."""
    _, comments = comment_places([content])
    new = with_directive(content, comments.get(1), {code})
    return None if new == content else new


def noqa_edit(text: str, line: int, code: str) -> tuple[int, str, str] | None:
    """(line, old content, new content) for suppressing ``code`` reported on ``line`` (0-based)."""
    lines = split_lines(text)
    changed = directives(lines, [(code, line + 1, (line + 1, len(lines)))])
    if not changed:
        return None
    (number, new), = changed.items()
    return number - 1, line_content(lines[number - 1]), line_content(new)
