"""Jupyter notebooks: the Python of their code cells as one module, and back into the notebook.

A notebook is linted as one module, the way its kernel runs it: the code cells concatenated in
order (a name imported in cell 1 is known in cell 5). Each cell is preceded by a marker comment
line, and every IPython-only line (``%pip``, ``!ls``, ``x = !cmd``, ``obj?``, a ``%%time`` header)
is replaced by a placeholder that is valid Python at that indentation and ends in a marker
comment. So:

* a position in the module maps back to a cell and a line in it by the cell markers, also after
  ``--fix`` added an import at the top (markers move with the code they precede);
* writing back splits the module at the markers and puts each magic line back where its
  placeholder is, so nothing but the edited code changes;
* a cell that starts with a cell magic running something other than Python (``%%bash``,
  ``%%html``) is not linted, and markdown and raw cells never are.

A cell whose top level uses ``await`` (``async for``, ``async with``) runs on the kernel's event
loop (IPython's autoawait); its top-level statements are told to the engine as async code, so a
blocking call next to the ``await`` is reported as it would be inside an ``async def``. Cells
without a top-level ``await`` run synchronously and are linted as module code.

Cell numbers are 1-based indexes among *all* cells, as the notebook shows them (and ruff prints).
Writing back keeps the notebook's indentation, key order, line endings, ASCII escaping and final
newline, and leaves outputs and metadata as they were. This module imports no libcst.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Linter
    from .finding import FileResult, Finding

NOTEBOOK_SUFFIX = ".ipynb"
# cell magics whose body is Python run as usual (timed, captured, profiled)
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_ESCAPES = ("%", "!", "?", "/", ",", ";")  # IPython line escapes: magic, shell, help, autocall
_ASSIGN_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?P<targets>[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)[ \t]*=[ \t]*[!%]")
_HELP = re.compile(r"^[\w.*\[\]]+\?\??$")
_OPENERS, _CLOSERS = "([{", ")]}"
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class NotebookError(ValueError):
    """The file is not a notebook we can read: not JSON, or not nbformat 4."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


def split_lines(text: str) -> list[str]:
    """Lines with their endings, broken where Python breaks them (``\\n``, ``\\r\\n``, ``\\r``):
    ``str.splitlines`` also breaks at form feeds and U+2028, which would shift every position
    after a string holding one."""
    return _LINES.findall(text)


@dataclass
class _Style:
    """How the notebook's JSON was written, so a rewrite looks the same."""

    indent: str | None
    separators: tuple[str, str]
    ensure_ascii: bool
    newline: str
    final_newline: bool
    bom: bool

    @classmethod
    def of(cls, text: str, bom: bool) -> _Style:
        indent_match = re.match(r"\{\r?\n([ \t]*)\"", text)
        indent = indent_match.group(1) if indent_match else None
        if indent is not None:
            separators = (",", ": ")
        else:
            separators = (", " if re.search(r"[\"\]}\d], \"", text) else ",", ": " if '": ' in text else ":")
        escaped = text.isascii() and re.search(r"\\u[0-9a-fA-F]{4}", text) is not None
        newline = "\r\n" if "\r\n" in text else "\n"
        return cls(indent, separators, escaped, newline, text.endswith("\n"), bom)

    def dump(self, document: Any) -> bytes:
        text = json.dumps(document, indent=self.indent, separators=self.separators, ensure_ascii=self.ensure_ascii)
        if self.newline != "\n":
            text = text.replace("\n", self.newline)  # JSON strings hold no raw newlines
        if self.final_newline:
            text += self.newline
        return ("\ufeff" if self.bom else "").encode() + text.encode("utf-8")


@dataclass
class _Cell:
    number: int  # 1-based among all cells
    raw: dict[str, Any]  # the cell object of the notebook document
    source: str
    was_list: bool  # "source" was a list of lines (the usual form) rather than one string
    added_newline: bool  # the module gives the cell a final newline it did not have
    is_async: bool = False


@dataclass
class Notebook:
    """A parsed notebook and the Python module of its code cells."""

    document: dict[str, Any]
    style: _Style
    cells: list[_Cell]
    mark: str  # the marker prefix: occurs nowhere in the notebook
    magics: dict[int, str] = field(default_factory=dict)  # placeholder number -> original line
    python: str = ""

    # -- positions ----------------------------------------------------------------------
    def split(self, python: str) -> dict[int, list[tuple[int, str]]]:
        """Cell number -> its lines (module line number, text with line ending) in ``python``.
        Lines above the first marker (imports a fix added) belong to the first cell."""
        marker = re.compile(rf"#{re.escape(self.mark)}c(\d+)\b")
        by_cell: dict[int, list[tuple[int, str]]] = {}
        prefix: list[tuple[int, str]] = []
        current: list[tuple[int, str]] | None = None
        for number, line in enumerate(split_lines(python), start=1):
            found = marker.match(line)
            if found:
                current = by_cell.setdefault(int(found.group(1)), [])
            elif current is None:
                prefix.append((number, line))
            else:
                current.append((number, line))
        if [cell.number for cell in self.cells] != list(by_cell):
            raise NotebookError("the cells' boundaries moved")
        if self.cells and prefix:
            first = by_cell[self.cells[0].number]
            at = 1 if first and self._is_cell_magic(first[0][1]) else 0  # it must stay first
            first[at:at] = prefix
        return by_cell

    def _is_cell_magic(self, line: str) -> bool:
        found = re.search(rf"#{re.escape(self.mark)}m(\d+)$", line.rstrip("\r\n"))
        return found is not None and self.magics[int(found.group(1))].lstrip().startswith("%%")

    def positions(self, python: str) -> dict[int, tuple[int, int]]:
        """Module line -> (cell number, 1-based line in the cell)."""
        return {
            module_line: (cell, index)
            for cell, lines in self.split(python).items()
            for index, (module_line, _) in enumerate(lines, start=1)
        }

    def async_top_level(self, python: str | bytes) -> list[tuple[int, int]]:
        """Module line ranges of the cells whose top level awaits."""
        text = python.decode("utf-8") if isinstance(python, bytes) else python
        asynchronous = {cell.number for cell in self.cells if cell.is_async}
        if not asynchronous:
            return []
        try:
            by_cell = self.split(text)
        except NotebookError:
            return []
        return [(lines[0][0], lines[-1][0]) for cell, lines in by_cell.items() if cell in asynchronous and lines]

    # -- writing back -------------------------------------------------------------------
    def dump(self, python: str) -> bytes:
        """The notebook with each linted cell's source taken from ``python`` (magic lines
        restored); cells whose source did not change are left exactly as they were."""
        placeholder = re.compile(rf"#{re.escape(self.mark)}m(\d+)$")
        by_cell = self.split(python)
        for cell in self.cells:
            lines = []
            for _, line in by_cell[cell.number]:
                body = line.rstrip("\r\n")
                found = placeholder.search(body)
                if found:
                    body = self.magics[int(found.group(1))]
                lines.append(body + line[len(line.rstrip("\r\n")):])
            source = "".join(lines)
            if not cell.source.endswith("\n\n"):  # blank lines an added import left at the end
                source = source.rstrip("\n") + "\n" if source.strip() else source
            if cell.added_newline and source.endswith("\n"):
                source = source[:-1]
            if source != cell.source:
                cell.raw["source"] = source.splitlines(keepends=True) if cell.was_list else source
        return self.style.dump(self.document)


def load(data: bytes) -> Notebook | None:
    """Parse a notebook; None for a notebook in another language (nothing to lint).

    Raises :class:`NotebookError` for anything that is not nbformat-4 JSON."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not a valid notebook: not UTF-8 ({error.reason})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a valid notebook: invalid JSON ({error.msg})", error.lineno, error.colno) from None
    except RecursionError:
        raise NotebookError("not a valid notebook: JSON nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("not a valid notebook: no list of cells")
    if document.get("nbformat") != 4:
        raise NotebookError(f"not a valid notebook: nbformat {document.get('nbformat')!r} (only 4 is supported)")
    if _language(document) not in (None, "python"):
        return None
    cells = []
    for number, raw in enumerate(document["cells"], start=1):
        if not isinstance(raw, dict):
            raise NotebookError(f"not a valid notebook: cell {number} is not an object")
        if raw.get("cell_type") != "code":
            continue
        source = raw.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            cells.append(_Cell(number, raw, "".join(source), True, False))
        elif isinstance(source, str):
            cells.append(_Cell(number, raw, source, False, False))
        else:
            raise NotebookError(f"not a valid notebook: cell {number} has a source that is not text")
    notebook = Notebook(document, _Style.of(text, bom), [], _unused_mark(text))
    notebook.cells = [cell for cell in cells if not _foreign_cell_magic(cell.source)]
    notebook.python = _concatenate(notebook)
    return notebook


def cell_diff(path: str, before: bytes, after: bytes) -> list[str]:
    """A unified diff per changed cell (``a/nb.ipynb:cell 5``), as ruff's ``--diff`` shows a
    notebook: the change to the code, not to its JSON."""
    import difflib

    old, new = (json.loads(data.decode("utf-8-sig"))["cells"] for data in (before, after))
    chunks: list[str] = []
    for number, (was, now) in enumerate(zip(old, new), start=1):
        was_lines, now_lines = (_diff_lines(cell.get("source", "")) for cell in (was, now))
        if was_lines != now_lines:
            where = f"{path}:cell {number}"
            chunks.extend(difflib.unified_diff(was_lines, now_lines, fromfile=f"a/{where}", tofile=f"b/{where}"))
    return chunks


def _diff_lines(source: str | list[str]) -> list[str]:
    lines = split_lines("".join(source) if isinstance(source, list) else source)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # the cell's last line, shown as a line
    return lines


def cell_lines(data: bytes, cell: int) -> list[str]:
    """The lines of cell ``cell`` as the notebook holds them (for ``full`` output)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
        source = document["cells"][cell - 1].get("source", "")
    except (ValueError, LookupError, TypeError, AttributeError):
        return []
    return [line.rstrip("\r\n") for line in split_lines("".join(source) if isinstance(source, list) else str(source))]


def _language(document: dict[str, Any]) -> str | None:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, name in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(name), str):
            return section[name].lower()
    return None


def _unused_mark(text: str) -> str:
    """A marker prefix that occurs nowhere in the notebook, so user text is never taken for one."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    for start in range(0, len(digest) - 8):
        mark = f"agentperf-lint-{digest[start:start + 8]}-"
        if mark not in text:
            return mark
    raise NotebookError("cannot mark the notebook's cells")  # pragma: no cover - 56 collisions


def _foreign_cell_magic(source: str) -> bool:
    """The cell starts with a cell magic that runs something other than Python."""
    first = source.lstrip().split("\n", 1)[0].strip()
    if not first.startswith("%%"):
        return False
    name = first[2:].split(maxsplit=1)
    return not name or name[0] not in PYTHON_CELL_MAGICS


def _concatenate(notebook: Notebook) -> str:
    parts = []
    for cell in notebook.cells:
        header = f"#{notebook.mark}c{cell.number}"
        if not parts:
            header += " -*- coding: utf-8 -*-"  # a cookie in the cell's first line is not ours
        parts.append(header + "\n")
        python = "".join(_python_lines(cell.source, notebook))
        if python and not python.endswith("\n"):
            python += "\n"
            cell.added_newline = True
        parts.append(python)
        cell.is_async = _awaits_at_top_level(python)
    return "".join(parts)


def _python_lines(source: str, notebook: Notebook) -> Iterator[str]:
    """The cell's lines with each IPython-only line replaced by a marked placeholder."""
    scanner = _Scanner()
    in_magic = False  # a magic continues on the next line after a trailing backslash
    first_line = True  # a cell magic counts only on the cell's first non-blank line
    for line in split_lines(source):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        magic = in_magic or (scanner.at_statement_start and _is_magic(body, first_line))
        first_line = first_line and not body.strip()
        if magic:
            number = len(notebook.magics)
            notebook.magics[number] = body
            tag = f"#{notebook.mark}m{number}"
            if in_magic:
                yield tag + ending  # a comment line is valid anywhere a statement may start
            else:
                yield _placeholder(body) + "  " + tag + ending
            in_magic = body.endswith("\\")
            continue
        scanner.feed(body)
        yield line


def _is_magic(body: str, first_line: bool) -> bool:
    stripped = body.strip()
    if not stripped:
        return False
    if stripped.startswith("%%"):
        return first_line
    return stripped.startswith(_ESCAPES) or _ASSIGN_MAGIC.match(body) is not None or _HELP.match(stripped) is not None


def _placeholder(body: str) -> str:
    """Python standing in for a magic line: ``pass``, or ``x = ...`` when it assigns."""
    assign = _ASSIGN_MAGIC.match(body)
    if assign:
        return f"{assign.group('indent')}{assign.group('targets')} = ..."
    indent = body[: len(body) - len(body.lstrip())]
    return f"{indent}pass"


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a statement: not inside
    a string, brackets, or a backslash continuation."""

    def __init__(self) -> None:
        self.quote = ""  # the open string's quote ('' when none)
        self.depth = 0
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return not self.quote and not self.depth and not self.continued

    def feed(self, body: str) -> None:
        index, end = 0, len(body)
        while index < end:
            char = body[index]
            if self.quote:
                if char == "\\":
                    index += 2
                    continue
                if body.startswith(self.quote, index):
                    index += len(self.quote)
                    self.quote = ""
                    continue
                index += 1
                continue
            if char == "#":
                break
            if char in "'\"":
                self.quote = char * 3 if body.startswith(char * 3, index) else char
                index += len(self.quote)
                continue
            if char in _OPENERS:
                self.depth += 1
            elif char in _CLOSERS:
                self.depth = max(0, self.depth - 1)
            index += 1
        self.continued = body.endswith("\\") and not self.quote
        if len(self.quote) == 1 and not body.endswith("\\"):
            self.quote = ""  # an unterminated one-line string: the parser will say so


def _awaits_at_top_level(python: str) -> bool:
    """``await``, ``async for`` or ``async with`` outside any function, class or lambda."""
    import ast

    try:
        tree = ast.parse(python)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


# -- linting ------------------------------------------------------------------------------
@dataclass
class NotebookLint:
    """What linting (or fixing) a notebook produced, positions in the module's lines."""

    notebook: Notebook | None
    python: bytes  # the module after fixes
    outcome: Any  # engine.LintOutcome of ``python``
    applied: int = 0
    error: str | None = None


def lint_python(
    linter: Linter, path: str, notebook: Notebook, *, ignored: Collection[str] = (),
    fix: bool = False, unsafe: bool = False,
) -> NotebookLint:
    """Lint (with ``fix``: fix) the notebook's module; findings keep module positions."""
    python = notebook.python.encode("utf-8")
    if not fix:
        outcome = linter.lint(path, python, ignored=ignored, async_top_level=notebook.async_top_level(notebook.python))
        return NotebookLint(notebook, python, outcome)
    from .fixer import fix_source

    fixed = fix_source(linter, path, python, unsafe=unsafe, ignored=ignored, async_top_level=notebook.async_top_level)
    return NotebookLint(notebook, fixed.source, fixed.outcome, fixed.applied, fixed.error)


def to_cells(notebook: Notebook, python: str, findings: Sequence[Finding]) -> list[Finding]:
    """Module positions -> cell positions (a range that runs past its cell ends with it)."""
    from dataclasses import replace

    where = notebook.positions(python)

    def locate(module_line: int) -> tuple[int | None, int]:
        # a marker line (only a parse error can point there) counts as the line before it
        for candidate in range(module_line, 0, -1):
            if candidate in where:
                return where[candidate]
        first = min(where, default=None)
        return (None, module_line) if first is None else where[first]

    mapped = []
    for finding in findings:
        cell, line = locate(finding.line)
        end_cell, end_line = locate(finding.end_line)
        end_column = finding.end_column
        if end_cell != cell or end_line < line:  # ends in a later cell: stop at the start's line
            end_line, end_column = line, finding.column + 1
        mapped.append(replace(finding, cell=cell, line=line, end_line=end_line, end_column=end_column))
    return sorted(mapped)


def lint_notebook(
    linter: Linter, path: str, data: bytes, *, ignored: Collection[str] = (),
    fix: bool = False, unsafe: bool = False,
) -> FileResult:
    """A notebook's :class:`FileResult`: findings by cell, and with ``fix`` the rewritten
    notebook in ``new_source``. An unreadable notebook is one APL001 finding."""
    from .engine import SYNTAX_ERROR_CODE, _syntax_finding
    from .finding import FileResult, InternalError

    result = FileResult(path)
    try:
        notebook = load(data)
    except NotebookError as error:
        if linter.report_syntax_errors and SYNTAX_ERROR_CODE not in ignored:
            result.findings.append(_syntax_finding(path, error.line, error.column, str(error)))
        return result
    if notebook is None:
        return result
    linted = lint_python(linter, path, notebook, ignored=ignored, fix=fix, unsafe=unsafe)
    python = linted.python.decode("utf-8")
    outcome = linted.outcome.result
    result.errors.extend(outcome.errors)
    result.summaries = outcome.summaries  # chains from the notebook into project modules
    try:
        result.findings = to_cells(notebook, python, outcome.findings)
        if linted.python != notebook.python.encode("utf-8"):
            result.new_source = notebook.dump(python)
            result.fixed = linted.applied
    except NotebookError as error:  # a fix moved a cell boundary: keep the notebook as it was
        result.errors.append(InternalError(path, f"{error}; notebook left as it was"))
        result.findings = to_cells(notebook, notebook.python, linter.lint(
            path, notebook.python.encode("utf-8"), ignored=ignored,
            async_top_level=notebook.async_top_level(notebook.python)).result.findings)
    if linted.error:
        result.errors.append(InternalError(path, linted.error))
    return result
