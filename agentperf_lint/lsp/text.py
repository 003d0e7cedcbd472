"""Text as the editor sees it: LSP lines, client column units, buffer bytes, minimal edits.

LSP splits lines on ``\\n``, ``\\r\\n`` and ``\\r`` only (``str.splitlines`` also splits on form
feeds and other separators Python code may contain), and counts columns in the code units the
client negotiated (UTF-16 unless it asked otherwise). The engine counts columns in characters.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections.abc import Callable, Sequence

from lsprotocol import types

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
UnitCounter = Callable[[str], int]  # characters -> client code units


def split_lines(text: str) -> list[str]:
    """The document's lines as LSP numbers them, each with its line ending."""
    return _LINE.findall(text)


def line_content(line: str) -> str:
    return line.rstrip("\r\n")


def to_client(lines: Sequence[str], line: int, column: int, units: UnitCounter) -> types.Position:
    """A 0-based line and character column -> an LSP position in the client's units."""
    if line >= len(lines):
        return end_of(lines, units)
    content = line_content(lines[line])
    return types.Position(line=line, character=units(content[: max(column, 0)]))


def from_client(lines: Sequence[str], position: types.Position, units: UnitCounter) -> tuple[int, int]:
    """An LSP position -> a 0-based line and character column (clamped to the line)."""
    if position.line >= len(lines):
        return len(lines), 0
    content = line_content(lines[position.line])
    count = 0
    for index, char in enumerate(content):
        if count >= position.character:
            return position.line, index
        count += units(char)
    return position.line, len(content)


def end_of(lines: Sequence[str], units: UnitCounter) -> types.Position:
    """The position just after the last character of the document."""
    if not lines:
        return types.Position(line=0, character=0)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return types.Position(line=len(lines), character=0)
    return types.Position(line=len(lines) - 1, character=units(last))


def encode_buffer(text: str) -> bytes:
    """The bytes the file would have on disk, so a ``# coding:`` line means what it says."""
    data = text.encode("utf-8")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return data


def line_edits(old: str, new: str, units: UnitCounter) -> list[types.TextEdit]:
    """The smallest whole-line edits turning ``old`` into ``new`` (non-overlapping, in order),
    so an edit far from the cursor (an import a fix adds) does not move the rest of the file."""
    before, after = split_lines(old), split_lines(new)
    edits = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = types.Position(line=i1, character=0)
        end = types.Position(line=i2, character=0) if i2 < len(before) else end_of(before, units)
        if i1 >= len(before):
            start = end
        edits.append(types.TextEdit(range=types.Range(start=start, end=end), new_text="".join(after[j1:j2])))
    return edits


def apply_edits(text: str, edits: Sequence[types.TextEdit], units: UnitCounter) -> str:
    """Apply non-overlapping edits (what a client does); used by tests and the benchmark."""
    lines = split_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        line, column = from_client(lines, position, units)
        return offsets[min(line, len(lines))] + column

    result = text
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        result = result[:start] + edit.new_text + result[end:]
    return result
