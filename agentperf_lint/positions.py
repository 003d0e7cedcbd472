"""Source ranges of libcst nodes, as libcst's ``PositionProvider`` computes them, at a fraction
of its cost.

libcst records positions while it generates the module's code again. Its recording state is
written for clarity, not speed: every token goes through a regular expression, every node
allocates two ``CodePosition`` objects and is hashed by a Python-level ``__hash__``, and every
syntactic range goes through a ``contextlib`` generator. That made positioning a file with one
finding cost three times its parse (about eight times the plain code generation).
``_RangeRecorder`` keeps libcst's rules (whitespace-inclusive ranges by default, overridden by
the syntactic range a node records for itself, hoisted from ``start_node``/``end_node``) but
counts newlines only in tokens that have one, keeps plain tuples keyed by node id and builds the
``CodeRange`` only for the few nodes a finding asks about. The ranges are the same; tests compare
them with libcst's for every node of tricky sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

_NEWLINE = re.compile(r"\r\n?|\n")  # libcst's own definition of a line break

Range = tuple[int, int, int, int]  # start line, start column, end line, end column


class Positions:
    """Every node's ``CodeRange`` for one module (or one top-level statement); look-ups by
    node, as libcst's mapping."""

    def __init__(self, ranges: dict[int, Range], module: cst.Module, first_line: int = 1):
        self._ranges = ranges
        self._module = module  # keeps the node ids valid
        self._shift = first_line - 1  # ranges recorded from line 1

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        line, column, end_line, end_column = self._ranges[id(node)]
        shift = self._shift
        return CodeRange(CodePosition(line + shift, column), CodePosition(end_line + shift, end_column))

    def __contains__(self, node: object) -> bool:
        return id(node) in self._ranges


def compute(module: cst.Module) -> Positions:
    """The ranges of every node of ``module`` from one code generation."""
    recorder = _RangeRecorder(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(recorder)
    return Positions(recorder.ranges, module)


def compute_statement(
    module: cst.Module, statement: cst.CSTNode, source: str, indents: tuple[str, ...] = (),
) -> Positions | None:
    """The ranges of the nodes of one ``statement`` of ``module`` parsed from ``source``,
    generating the code of that statement alone; None when its place in ``source`` is not
    certain (its code occurs twice or not at the start of a line, or the file does not end with
    a line break), and the caller positions a larger part instead. ``indents`` are the
    indentations of the blocks around the statement (none for a top-level statement).

    Files with findings usually have them in a few functions, so this spares generating the
    code of the rest. A statement's code (its leading blank lines and comments and its own
    indentation included) is a contiguous slice of the source starting a line, so a single
    occurrence there is its place."""
    if not module.has_trailing_newline:
        return None  # the source lacks the last statement's final line break: not its code
    recorder = _RangeRecorder(
        default_indent=module.default_indent, default_newline=module.default_newline, indent_tokens=list(indents))
    statement._codegen(recorder)
    code = "".join(recorder.tokens)
    start = source.find(code)
    if not code or start < 0 or source.find(code, start + 1) >= 0:
        return None
    if start and source[start - 1] not in "\r\n":
        return None
    before = source[:start]
    breaks = len(_NEWLINE.findall(before)) if "\r" in before else before.count("\n")
    return Positions(recorder.ranges, module, first_line=breaks + 1)


class _SyntacticRange:
    """``with state.record_syntactic_position(node, ...)``: the range of the code generated
    inside the block (or of the given child nodes), which wins over the whitespace-inclusive
    range of ``after_codegen``. A plain object: libcst's ``contextmanager`` costs a generator."""

    __slots__ = ("state", "node", "start_node", "end_node", "line", "column")

    def __init__(self, state: _RangeRecorder, node: cst.CSTNode, start_node: Any, end_node: Any):
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node
        self.line, self.column = state.line, state.column

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        state = self.state
        ranges = state.ranges
        if self.start_node is None:
            line, column = self.line, self.column
        else:
            line, column = ranges[id(self.start_node)][:2]
        if self.end_node is None:
            end_line, end_column = state.line, state.column
        else:
            end_line, end_column = ranges[id(self.end_node)][2:]
        ranges[id(self.node)] = (line, column, end_line, end_column)


@dataclass(frozen=False)
class _RangeRecorder(CodegenState):
    """A code generator that tracks line and column and records every node's range."""

    line: int = 1  # one-indexed
    column: int = 0  # zero-indexed
    ranges: dict[int, Range] = field(default_factory=dict)
    _starts: list[tuple[int, int]] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self._starts.pop()
        key = id(node)
        if key not in self.ranges:  # a syntactic range recorded by the node itself wins
            self.ranges[key] = (line, column, self.line, self.column)

    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: Any = None, end_node: Any = None,
    ) -> _SyntacticRange:
        return _SyntacticRange(self, node, start_node, end_node)
