"""Writing ``# noqa`` directives: where one may go and how it merges with what is there.

Two features write directives: ``--add-noqa`` (every finding of a run) and the editor's
"Disable APLnnn for this line" action (one finding). They must agree with each other and with
:mod:`agentperf_lint.noqa`, which reads them, so both go through :func:`directives`:

- a directive goes on a line a comment can end: not a line ending inside a multi-line string,
  not one continued with a backslash (the tokenizer's ``NEWLINE``/``NL``/``COMMENT`` say which);
- an existing ``# noqa: E501`` gains the codes (``# noqa: APL101, E501``: sorted, each once),
  keeping other tools' codes; a bare ``# noqa`` already suppresses everything and stays as is;
- any other comment (``# type: ignore``) is kept and the directive follows it.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence

_NOQA = re.compile(r"#\s*noqa\s*:\s*", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa\b(?!\s*:)", re.IGNORECASE)
_CODE = re.compile(r"[\s,]*([A-Za-z]+[0-9]+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)\b")

# Per finding: its code, its 1-based line, and the first and last line a directive may sit on.
Placement = tuple[str, int, tuple[int, int]]


def directives(lines: Sequence[str], placed: Iterable[Placement]) -> dict[int, str]:
    """New text (line ending kept) of each 1-based line that gets a directive.

    ``lines`` are the file's lines with their endings. A finding's directive goes on its own
    line when a comment can end it, else on the next such line of its span, else the one
    before. Lines whose directive already covers the codes are left out."""
    ends, comments = comment_places(lines)
    codes: dict[int, set[str]] = {}
    for code, line, (first, last) in placed:
        candidates = [line, *range(line + 1, last + 1), *range(line - 1, first - 1, -1)]
        target = next((number for number in candidates if number in ends), None)
        if target is not None:
            codes.setdefault(target, set()).add(code)
    changed = {}
    for number, new in codes.items():
        text = with_directive(lines[number - 1], comments.get(number), new)
        if text != lines[number - 1]:
            changed[number] = text
    return changed


def comment_places(lines: Sequence[str]) -> tuple[set[int], Mapping[int, int]]:
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
        pass  # an unfinished buffer: the lines tokenized so far are still right
    return ends, comments


def with_directive(line: str, comment_at: int | None, new: set[str]) -> str:
    """``line`` (its ending kept) with ``new`` codes in its noqa directive; unchanged when a
    directive there already covers them."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if comment_at is not None:
        comment = body[comment_at:]
        if _BARE_NOQA.search(comment):
            return line
        found = _NOQA.search(comment)
        if found:
            existing, end = [], found.end()
            while (code := _CODE.match(comment, end)) is not None:
                existing.append(code.group(1))
                end = code.end()
            if new <= set(existing):
                return line
            merged = ", ".join(sorted(set(existing) | new))
            rest = comment[end:]
            if rest and not rest[0].isspace():
                rest = " " + rest  # ``# noqa: see below`` keeps its words apart from the codes
            return body[:comment_at] + f"{comment[:found.start()]}# noqa: {merged}{rest}" + ending
    code = body.rstrip(" \t")
    return f"{code}  # noqa: {', '.join(sorted(new))}{ending}"
