"""``# noqa`` suppression, flake8-compatible.

- ``# noqa`` suppresses every finding on the lines of the reported statement;
- ``# noqa: APL101,APL2`` (commas or spaces; prefixes and rule names accepted) suppresses those;
- the comment may sit on any line of the statement (for a compound statement: its header), or on
  its own line directly above the statement;
- ``# agentperf-lint: noqa`` anywhere in the file (optionally ``: CODES``) suppresses file-wide.

Only files with findings are scanned, so this costs nothing on clean files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NOQA = re.compile(r"#\s*noqa\b(?P<sep>\s*:\s*(?P<codes>[A-Za-z][\w-]*(?:[\s,]+[A-Za-z][\w-]*)*))?", re.IGNORECASE)
_FILE_NOQA = re.compile(
    r"#\s*agentperf-lint\s*:\s*noqa\b(?:\s*:\s*(?P<codes>[A-Za-z][\w-]*(?:[\s,]+[A-Za-z][\w-]*)*))?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[\s,]+")
ALL = None  # a directive without codes


@dataclass(frozen=True)
class Directive:
    codes: frozenset[str] | None  # None: every code
    own_line: bool  # the comment is alone on its line (applies to the statement below)


class NoqaIndex:
    """The noqa directives of one file, by 1-based line."""

    def __init__(self, source: str):
        self.lines: dict[int, Directive] = {}
        self.file_codes: list[frozenset[str] | None] = []
        for number, line in enumerate(source.splitlines(), start=1):
            if "#" not in line or "noqa" not in line.lower():
                continue
            file_match = _FILE_NOQA.search(line)
            if file_match:
                self.file_codes.append(_codes(file_match.group("codes")))
                continue
            match = _NOQA.search(line)
            if match:
                self.lines[number] = Directive(_codes(match.group("codes")), line.lstrip().startswith("#"))

    def suppresses(self, code: str, name: str, first_line: int, last_line: int) -> bool:
        """Whether a finding of ``code`` on a statement spanning these lines is suppressed."""
        for codes in self.file_codes:
            if _matches(codes, code, name):
                return True
        for number in range(first_line, last_line + 1):
            directive = self.lines.get(number)
            if directive is not None and _matches(directive.codes, code, name):
                return True
        above = self.lines.get(first_line - 1)
        return above is not None and above.own_line and _matches(above.codes, code, name)


def _codes(text: str | None) -> frozenset[str] | None:
    if not text:
        return ALL
    return frozenset(part for part in _SPLIT.split(text.strip()) if part)


def _matches(codes: Iterable[str] | None, code: str, name: str) -> bool:
    if codes is None:
        return True
    for entry in codes:
        upper = entry.upper()
        if entry == name or (upper.startswith("APL") and code.startswith(upper)):
            return True
    return False
