"""The contract between the engine and a rule.

A rule is one class in one module under ``agentperf_lint/rules/``. Its class attributes are the
single source of truth for everything a user sees about it: ``--explain`` and ``--list-rules``,
SARIF rule help and the README rule table are rendered from them, and the ``VALID``/``INVALID``
examples are run as tests. Nothing about a rule is written twice.

Rules are plain visitors: the engine walks each parsed file once and calls ``visit_<Node>`` /
``leave_<Node>`` methods (libcst node class names) on every enabled rule. Scope, async context,
loops and import resolution are kept once per file in :class:`~agentperf_lint.context.FileContext`
(``self.ctx``), so a rule keeps no flags of its own.
"""

from __future__ import annotations

import enum
import inspect
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Union

if TYPE_CHECKING:
    import libcst as cst

    from .context import FileContext

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options")
DOCS_URL = "https://github.com/agentperf/agentperf-lint/blob/main/docs/rules.md#{code}"


class Applicability(str, enum.Enum):
    """Whether applying a fix keeps the program's meaning (ruff's model)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class FixAvailability(str, enum.Enum):
    NEVER = "never"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True)
class ImportNeeded:
    """An import a fix relies on, added with libcst's ``AddImportsVisitor``."""

    module: str
    name: str | None = None  # ``from module import name``; None means ``import module``


Replacement = Union["cst.CSTNode", "cst.RemovalSentinel", "cst.FlattenSentinel[Any]"]


@dataclass(frozen=True)
class Fix:
    """A rewrite of one finding: original nodes (by identity) mapped to their replacements."""

    edits: Mapping[Any, Replacement]  # original cst node -> replacement
    applicability: Applicability
    title: str
    imports: tuple[ImportNeeded, ...] = ()

    @classmethod
    def replace(
        cls,
        node: cst.CSTNode,
        replacement: Replacement,
        *,
        title: str,
        safe: bool,
        imports: Iterable[ImportNeeded] = (),
    ) -> Fix:
        return cls(
            edits={node: replacement},
            applicability=Applicability.SAFE if safe else Applicability.UNSAFE,
            title=title,
            imports=tuple(imports),
        )


@dataclass(frozen=True)
class Valid:
    """Code the rule must not report."""

    code: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report at ``line``/``column`` (1-based), and how its fix must look.

    ``fixed`` is the whole file after ``--fix`` (with ``unsafe`` fixes too when the fix is
    unsafe); ``None`` means the finding carries no fix.
    """

    code: str
    line: int
    column: int
    fixed: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    message_contains: str | None = None
    extra_findings: int = 0  # other findings of this rule expected in the same example

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def fixed_source(self) -> str | None:
        return None if self.fixed is None else textwrap.dedent(self.fixed).lstrip("\n")


@dataclass(frozen=True)
class Option:
    """A per-family setting read from ``[tool.agentperf-lint.<table>]``."""

    name: str
    type: type | tuple[type, ...]
    default: Any
    help: str


@dataclass
class Report:
    """What a rule reports; the engine turns it into a positioned Finding."""

    rule: type[Rule]
    node: cst.CSTNode
    message: str
    statement: cst.CSTNode | None
    fix: Fix | None = None


class Rule:
    """Base class of every rule. Subclasses set the class attributes and visit methods."""

    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case
    message: ClassVar[str]  # str.format template, filled by report(**fields)
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NEVER
    # cheap gate before parsing: the rule applies to a file only if one of these substrings
    # occurs in its text; an empty tuple means every file.
    triggers: ClassVar[tuple[str, ...]] = ()
    default_enabled: ClassVar[bool] = True  # False: opt-in, only with an explicit selector
    options_table: ClassVar[str | None] = None  # [tool.agentperf-lint.<options_table>]
    options: ClassVar[tuple[Option, ...]] = ()
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    ctx: FileContext

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        values = {option.name: option.default for option in self.options}
        values.update(settings or {})
        self.settings: Mapping[str, Any] = values
        self.reports: list[Report] = []

    @classmethod
    def applies(cls, text: str) -> bool:
        """The gate before parsing: can this file's text hold a finding of this rule? The
        default checks ``triggers``; a rule whose necessary condition is "a word of one list and
        a word of another" overrides it. Must be cheap: it runs on every file."""
        return not cls.triggers or any(trigger in text for trigger in cls.triggers)

    # -- engine hooks -------------------------------------------------------------------
    def begin_file(self, ctx: FileContext) -> None:
        """Called before each file's traversal; override to reset per-file state."""
        self.ctx = ctx
        self.reports = []

    def end_file(self) -> None:
        """Called after each file's traversal; override for checks needing the whole file."""

    # -- reporting ----------------------------------------------------------------------
    def report(
        self,
        node: cst.CSTNode,
        *,
        fix: Fix | None = None,
        message: str | None = None,
        **fields: Any,
    ) -> None:
        text = message if message is not None else self.message.format(**fields)
        self.reports.append(Report(type(self), node, text, self.ctx.statement, fix))

    # -- documentation ------------------------------------------------------------------
    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The docstring split into ruff's sections (``## What it does`` ...)."""
        text = inspect.cleandoc(cls.__doc__ or "")
        sections: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in text.splitlines():
            match = re.match(r"^#{2,3}\s+(.*?)\s*:?\s*$", line) if line.startswith("##") else None
            if match:
                if current is not None:
                    sections[current] = "\n".join(lines).strip("\n")
                current, lines = match.group(1), []
            elif current is not None:
                lines.append(line)
        if current is not None:
            sections[current] = "\n".join(lines).strip("\n")
        return sections

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does": a one-line description for tables."""
        what = cls.doc_sections().get("What it does", "").strip()
        first = re.split(r"(?<=\.)\s", " ".join(what.split()), maxsplit=1)[0]
        return first

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code.lower())
