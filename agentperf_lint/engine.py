"""Lint one file: gate, parse once, walk once, position and suppress what was reported.

The cost model drives the shape of this module (see bench/engine.py):

1. A text gate before parsing: each rule lists trigger substrings, and a file that triggers no
   enabled rule is never parsed (most of the standard library never reaches libcst).
2. One parse and one traversal (:mod:`agentperf_lint.walker`) for all rules, no deep copy.
3. Positions (a second full pass in libcst) are computed only for files with findings.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from .context import FileContext
from .finding import FileResult, Finding, FixInfo, InternalError
from .noqa import NoqaIndex
from .rule import Fix, Report, Rule
from .walker import Dispatch, RuleCrash, walk

SYNTAX_ERROR_CODE = "APL001"


@dataclass
class LintOutcome:
    """A file's result plus what ``--fix`` needs: the tree and the fixes in finding order."""

    result: FileResult
    module: cst.Module | None = None
    fixes: list[tuple[Finding, Fix]] = field(default_factory=list)
    # the lines a ``# noqa`` for each finding may sit on (``--add-noqa`` writes there)
    noqa_lines: dict[Finding, tuple[int, int]] = field(default_factory=dict)
    context: FileContext | None = None  # the walk's context (its positions, once computed)


class Linter:
    """Lints files with one set of enabled rules; create one per run (or per worker)."""

    def __init__(
        self,
        rules: Sequence[type[Rule]],
        rule_options: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        ignore_noqa: bool = False,
    ):
        options = rule_options or {}
        self.options: Mapping[str, Mapping[str, Any]] = options
        self.rule_classes = list(rules)
        self.report_syntax_errors = any(rule.code == SYNTAX_ERROR_CODE for rule in rules)
        self.instances: list[Rule] = [
            rule(options.get(rule.options_table, {}) if rule.options_table else {})
            for rule in rules
            if rule.code != SYNTAX_ERROR_CODE
        ]
        self.ignore_noqa = ignore_noqa
        self._dispatch: dict[frozenset[str], Dispatch] = {}

    def applicable(self, text: str, ignored: Collection[str] = ()) -> list[Rule]:
        """The rules whose trigger substrings occur in ``text`` (and not ignored for the file)."""
        return [rule for rule in self.instances if rule.code not in ignored and rule.applies(text)]

    def lint(
        self, path: str, data: bytes, *, ignored: Collection[str] = (),
        async_top_level: Sequence[tuple[int, int]] = (),
    ) -> LintOutcome:
        """Lint the bytes of one file. Never raises for bad input: it becomes a finding.

        ``async_top_level`` are line ranges whose top-level
        statements run on an event loop (notebook cells with top-level ``await``)."""
        result = FileResult(path)
        try:
            text = _decode(data)
        except (SyntaxError, UnicodeDecodeError, LookupError) as error:
            if self.report_syntax_errors and SYNTAX_ERROR_CODE not in ignored:
                result.findings.append(_syntax_finding(path, 1, 1, f"cannot decode file: {error}"))
            return LintOutcome(result)
        # an async top level is async code without the word: rules gated on "async" apply
        gate = text + "\nasync def" if async_top_level else text
        rules = self.applicable(gate, ignored)
        syntax_only = self.report_syntax_errors and not self.instances  # --select APL001
        if not rules and not syntax_only:
            # a file no rule applies to is never parsed, so it cannot report APL001 either:
            # it could not have any other finding, and skipping it is most of our speed
            return LintOutcome(result)
        if _DEEP_BRACKETS.search(text):
            # libcst's native parser can overflow the C stack (a crash, not an exception) on
            # brackets nested thousands deep; CPython refuses more than 200, so ask it first
            refusal = _cpython_refusal(path, text)
            if refusal is not None:
                if SYNTAX_ERROR_CODE not in ignored and self.report_syntax_errors:
                    result.findings.append(refusal)
                return LintOutcome(result)
        try:
            module = cst.parse_module(data)
        except cst.ParserSyntaxError as error:
            if self.report_syntax_errors and SYNTAX_ERROR_CODE not in ignored:
                result.findings.append(_parse_error_finding(path, text, error))
            return LintOutcome(result)
        except RecursionError:
            if self.report_syntax_errors and SYNTAX_ERROR_CODE not in ignored:
                result.findings.append(_syntax_finding(path, 1, 1, "file is too deeply nested for the parser"))
            return LintOutcome(result)
        except Exception as error:  # libcst's native parser can raise others on odd input
            if self.report_syntax_errors and SYNTAX_ERROR_CODE not in ignored:
                result.findings.append(_syntax_finding(path, 1, 1, f"cannot parse file: {error}"))
            return LintOutcome(result)
        return self._lint_module(path, text, module, rules, result, async_top_level)

    def _lint_module(
        self, path: str, text: str, module: cst.Module, rules: list[Rule], result: FileResult,
        async_top_level: Sequence[tuple[int, int]] = (),
    ) -> LintOutcome:
        ctx = FileContext(path, text, module, async_top_level=async_top_level)
        key = frozenset(rule.code for rule in rules)
        dispatch = self._dispatch.get(key)
        if dispatch is None:
            dispatch = self._dispatch[key] = Dispatch(rules)
        for rule in rules:
            rule.begin_file(ctx)
        try:
            walk(module, ctx, dispatch)
            for rule in rules:
                rule.end_file()
        except RuleCrash as crash:
            code = getattr(crash.rule, "code", type(crash.rule).__name__)
            result.errors.append(InternalError(path, f"rule {code} crashed: {crash}"))
            return LintOutcome(result, module)
        except RecursionError:
            if self.report_syntax_errors:
                result.findings.append(_syntax_finding(path, 1, 1, "file is too deeply nested to analyse"))
            return LintOutcome(result, module)
        reports = [report for rule in rules for report in rule.reports]
        outcome = LintOutcome(result, module, context=ctx)
        if reports:
            self._position(ctx, reports, outcome)
        return outcome


    def _position(self, ctx: FileContext, reports: Iterable[Report], outcome: LintOutcome) -> None:
        noqa = None if self.ignore_noqa else NoqaIndex(ctx.source)
        seen: set[tuple[int, int, str]] = set()
        for report in reports:
            rng = ctx.position(report.node, within=report.statement)
            line, column = rng.start.line, rng.start.column + 1  # type: ignore[attr-defined]
            rule = report.rule
            if (line, column, rule.code) in seen:
                continue
            first, last = statement_lines(ctx, report.statement, rng)
            if noqa is not None:
                if noqa.suppresses(rule.code, rule.name, first, last):
                    continue
            seen.add((line, column, rule.code))
            fix = report.fix
            finding = Finding(
                path=outcome.result.path, line=line, column=column, code=rule.code,
                end_line=rng.end.line, end_column=rng.end.column + 1,  # type: ignore[attr-defined]
                name=rule.name, message=report.message, url=rule.url(),
                fix=None if fix is None else FixInfo(fix.applicability.value, fix.title),
            )
            outcome.result.findings.append(finding)
            outcome.noqa_lines[finding] = (first, last)
            if fix is not None:
                outcome.fixes.append((finding, fix))
        outcome.result.findings.sort()
        outcome.fixes.sort(key=lambda pair: pair[0])


def statement_lines(ctx: FileContext, statement: cst.CSTNode | None, rng: Any) -> tuple[int, int]:
    """Lines a noqa comment may sit on: the simple statement, or a compound statement's header."""
    if statement is None:
        return rng.start.line, rng.end.line
    where = ctx.position(statement, within=statement)
    first = min(where.start.line, rng.start.line)  # type: ignore[attr-defined]
    body = getattr(statement, "body", None)
    if isinstance(body, cst.IndentedBlock) and body.body:
        last = ctx.position(body.body[0], within=statement).start.line - 1  # type: ignore[attr-defined]
    else:
        last = where.end.line  # type: ignore[attr-defined]
    return first, max(last, rng.end.line, first)


# a run of 100 opening brackets with no closing one between them: only generated or hostile code
_DEEP_BRACKETS = re.compile(r"(?:[(\[{][^()\[\]{}]{0,80}){100}")


def _cpython_refusal(path: str, text: str) -> Finding | None:
    """CPython's verdict as a finding (its wording and position), or None if it accepts."""
    try:
        compile(text, path, "exec", dont_inherit=True, flags=0x400)  # PyCF_ONLY_AST
    except SyntaxError as python_error:
        message = f"cannot parse file: {python_error.msg}"
        return _syntax_finding(path, python_error.lineno or 1, python_error.offset or 1, message)
    except (ValueError, RecursionError, MemoryError):
        return _syntax_finding(path, 1, 1, "cannot parse file: too deeply nested")
    return None


def _parse_error_finding(path: str, text: str, error: cst.ParserSyntaxError) -> Finding:
    """Position and wording from CPython's own compiler when it agrees the code is invalid:
    users know its messages, and it points at the offending token rather than after it."""
    refusal = _cpython_refusal(path, text)
    if refusal is not None:
        return refusal
    # valid for this Python, beyond what libcst understands: say so rather than blame the code
    detail = " ".join(error.message.split()).rstrip(".")
    if len(detail) > 80:
        detail = detail[:77] + "..."
    message = f"cannot parse file: libcst does not support this syntax ({detail}); file not checked"
    return _syntax_finding(path, error.raw_line, error.raw_column + 1, message)


def _decode(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def _syntax_finding(path: str, line: int, column: int, message: str) -> Finding:
    from .registry import rule_by_code

    rule = rule_by_code().get(SYNTAX_ERROR_CODE)
    return Finding(
        path=path, line=max(line, 1), column=max(column, 1), code=SYNTAX_ERROR_CODE,
        end_line=max(line, 1), end_column=max(column, 1) + 1,
        name=rule.name if rule else "syntax-error", message=message, url=rule.url() if rule else "",
    )
