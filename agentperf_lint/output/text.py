"""The formats for people: ``text`` (one line per finding) and ``full`` (with the source).

``text`` is ``path:line:col: CODE [*] message`` (``path:cell N:line:col: ...`` in a notebook), the shape editors, ``grep`` and generic
problem matchers (``%f:%l:%c: %m``) parse; ``[*]`` marks findings ``--fix`` can fix (only safe
fixes, as in ruff: an unsafe fix needs ``--unsafe-fixes`` and is not advertised by the mark).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from ..finding import Finding

_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_CYAN = "\x1b[36m"
_RESET = "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def fix_mark(finding: Finding) -> str:
    """``" [*]"`` when ``--fix`` alone fixes this finding, else nothing."""
    return " [*]" if finding.fix is not None and finding.fix.applicability == "safe" else ""


def format_line(finding: Finding, *, color: bool = False) -> str:
    """``path:line:col: CODE [*] message`` (1-based line and column)."""
    location = f"{_paint(finding.location, _BOLD, color)}:{finding.line}:{finding.column}:"
    code = _paint(finding.code, _RED, color)
    message = " ".join(finding.message.splitlines())  # one finding, one line: problem matchers rely on it
    return f"{location} {code}{fix_mark(finding)} {message}"


def render_text(findings: Sequence[Finding], *, color: bool = False) -> str:
    return "".join(format_line(finding, color=color) + "\n" for finding in findings)


def _width(text: str) -> int:
    """Terminal cells ``text`` takes: East Asian wide characters take two, combining marks none."""
    cells = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        cells += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return cells


def _pad_like(prefix: str) -> str:
    """Blank space as wide as ``prefix``, keeping its tabs so the caret lines up at any tab size."""
    return "".join(char if char == "\t" else " " * _width(char) for char in prefix)


def _excerpt(finding: Finding, lines: Sequence[str], color: bool) -> list[str]:
    """The finding's first line in a numbered gutter, with carets under the reported range.

    A range spanning several lines is underlined to the end of its first line: the start is what
    locates the problem, and a whole multi-line call would drown the message.
    """
    if not 1 <= finding.line <= len(lines):
        return []
    source = lines[finding.line - 1].rstrip("\r\n")
    start = min(max(finding.column - 1, 0), len(source))
    end = finding.end_column - 1 if finding.end_line == finding.line else len(source)
    end = min(max(end, start + 1), max(len(source), start + 1))
    number = str(finding.line)
    gutter = " " * len(number)
    carets = "^" * max(_width(source[start:end]), 1)
    return [
        f"{gutter} |",
        f"{number} | {source}",
        f"{gutter} | {_pad_like(source[:start])}{_paint(carets, _RED, color)}",
    ]


def render_full(
    findings: Sequence[Finding],
    *,
    color: bool = False,
    read_lines: Callable[[str], Sequence[str]] | None = None,
) -> str:
    """``text`` plus, per finding, the source line, a caret underline and the fix as ``help:``."""
    blocks = []
    cache: dict[str, Sequence[str]] = {}
    for finding in findings:
        block = [format_line(finding, color=color)]
        if read_lines is not None:
            where = finding.location  # a notebook cell has lines of its own
            if where not in cache:
                try:
                    cache[where] = read_lines(where)
                except (OSError, UnicodeError):
                    cache[where] = ()  # the file vanished or changed: print the finding alone
            block += _excerpt(finding, cache[where], color)
        if finding.fix is not None:
            suffix = "" if finding.fix.applicability == "safe" else " (unsafe: needs `--unsafe-fixes`)"
            indent = " " * (len(str(finding.line)) + 1)
            block.append(f"{indent}= {_paint('help', _CYAN, color)}: {finding.fix.title}{suffix}")
        blocks.append("\n".join(block) + "\n")
    return "\n".join(blocks)
