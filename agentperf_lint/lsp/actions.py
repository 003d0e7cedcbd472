"""Code actions: apply one fix, fix all safe fixes in the file, disable a rule for a line.

Each action carries its edit, inline or, when the client supports it, through
``codeAction/resolve`` (so a cursor move costs no transform). The fix of one finding is computed
from the tree of the lint that reported it (the fixer's own :func:`apply_fixes`), so it costs no
new lint; "fix all" runs the fixer's loop (:func:`fix_source`) on the buffer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from lsprotocol import types

from ..engine import Linter, LintOutcome
from ..finding import Finding
from ..rule import Applicability, Fix
from .diagnostics import finding_range
from .suppress import noqa_edit
from .text import UnitCounter, line_edits, split_lines, to_client

FIX_ALL_KIND = "source.fixAll.agentperf-lint"
TITLE_PREFIX = "agentperf-lint: "


@dataclass
class LintedText:
    """One lint of one document version: what code actions and hover work from."""

    uri: str
    path: str
    version: int | None
    text: str
    data: bytes
    outcome: LintOutcome | None
    findings: list[Finding] = field(default_factory=list)  # local + cross-file, sorted
    ignored: frozenset[str] = frozenset()


def fix_action(linted: LintedText, finding: Finding, fix: Fix, units: UnitCounter,
               diagnostic: types.Diagnostic | None, *, lazy: bool) -> types.CodeAction | None:
    """The quick fix of one finding; safe ones are preferred, unsafe ones say so. ``lazy``
    leaves the edit to ``codeAction/resolve``: on a large file it costs a transform of the
    whole tree (and the imports pass), too much for every cursor move."""
    safe = fix.applicability is Applicability.SAFE
    action = types.CodeAction(
        title=f"{TITLE_PREFIX}{fix.title} ({finding.code})" + ("" if safe else " (unsafe)"),
        kind=types.CodeActionKind.QuickFix,
        is_preferred=safe,
        diagnostics=[diagnostic] if diagnostic else None,
    )
    if lazy:
        action.data = {"uri": linted.uri, "fix": [finding.code, finding.line, finding.column]}
        return action
    action.edit = fix_edit(linted, fix, units)
    return action if action.edit is not None else None


def fix_edit(linted: LintedText, fix: Fix, units: UnitCounter) -> types.WorkspaceEdit | None:
    """The edit of one fix, from the tree of the lint that reported it; None if it would not
    parse or changes nothing."""
    assert linted.outcome is not None and linted.outcome.module is not None
    from ..fixer import apply_fixes

    try:
        new = apply_fixes(linted.outcome.module, [_without_present_imports(linted.outcome.module, fix)]).code
        cst.parse_module(new)
    except Exception:  # a broken fix is never offered
        return None
    if new == linted.text:
        return None
    return _workspace_edit(linted, line_edits(linted.text, new, units))


def _without_present_imports(module: cst.Module, fix: Fix) -> Fix:
    """The fix without the imports the module already has as top-level statements, verbatim.
    libcst's import pass would add nothing for them, but it costs a transform of the whole
    tree (a second on a 2,000-line file), so a fix needing no new import skips it."""
    from dataclasses import replace

    from libcst.helpers import get_full_name_for_node

    present: set[tuple[str, str | None]] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                present.update((get_full_name_for_node(a.name) or "", None) for a in small.names if a.asname is None)
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
                    and not isinstance(small.names, cst.ImportStar):
                module_name = get_full_name_for_node(small.module) or ""
                present.update((module_name, a.name.value) for a in small.names
                               if a.asname is None and isinstance(a.name, cst.Name))
    needed = tuple(need for need in fix.imports if (need.module, need.name) not in present)
    return fix if len(needed) == len(fix.imports) else replace(fix, imports=needed)


def fix_for(linted: LintedText, key: object) -> Fix | None:
    """The fix a lazily offered action named (``[code, line, column]``) in this lint."""
    if linted.outcome is None or not isinstance(key, list):
        return None
    for finding, fix in linted.outcome.fixes:
        if [finding.code, finding.line, finding.column] == key:
            return fix
    return None


def noqa_action(linted: LintedText, finding: Finding, units: UnitCounter,
                diagnostic: types.Diagnostic | None) -> types.CodeAction | None:
    edit = noqa_edit(linted.text, finding.line - 1, finding.code)
    if edit is None:
        return None
    line, old, new = edit
    lines = split_lines(linted.text)
    change = types.TextEdit(
        range=types.Range(start=types.Position(line=line, character=0), end=to_client(lines, line, len(old), units)),
        new_text=new,
    )
    return types.CodeAction(
        title=f"{TITLE_PREFIX}Disable {finding.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic else None,
        edit=_workspace_edit(linted, [change]),
    )


def fix_all_action(linted: LintedText, *, lazy: bool) -> types.CodeAction | None:
    """"Fix all" when the file has a safe fix; ``lazy`` leaves the edit to resolve."""
    if linted.outcome is None or not any(fix.applicability is Applicability.SAFE for _, fix in linted.outcome.fixes):
        return None
    return types.CodeAction(
        title=f"{TITLE_PREFIX}Fix all safe fixes",
        kind=FIX_ALL_KIND,
        data={"uri": linted.uri, "fixAll": True} if lazy else None,
    )


def fix_all_edit(linted: LintedText, linter: Linter, units: UnitCounter) -> types.WorkspaceEdit | None:
    from ..fixer import fix_source

    fixed = fix_source(linter, linted.path, linted.data, ignored=linted.ignored)
    if fixed.error or fixed.source == linted.data:
        return None
    new = fixed.outcome.module.code if fixed.outcome.module is not None else _decode(fixed.source)
    return _workspace_edit(linted, line_edits(linted.text, new, units))


def quick_fixes(linted: LintedText, wanted: types.Range, diagnostics: Sequence[types.Diagnostic],
                units: UnitCounter, *, lazy: bool) -> list[types.CodeAction]:
    """Fixes, then "disable" actions, for the findings overlapping ``wanted``."""
    lines = split_lines(linted.text)
    fixes: list[types.CodeAction] = []
    disables: list[types.CodeAction] = []
    fix_of = {id(finding): fix for finding, fix in (linted.outcome.fixes if linted.outcome else ())}
    for finding in linted.findings:
        rng = finding_range(finding, lines, units)
        if not _overlaps(rng, wanted):
            continue
        diagnostic = next((d for d in diagnostics if d.code == finding.code and d.range == rng), None)
        fix = fix_of.get(id(finding))
        if fix is not None:
            action = fix_action(linted, finding, fix, units, diagnostic, lazy=lazy)
            if action is not None:
                fixes.append(action)
        action = noqa_action(linted, finding, units, diagnostic)
        if action is not None and action.title not in {a.title for a in disables}:
            disables.append(action)
    return fixes + disables


def wants(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a request's ``only`` filter admits ``kind`` (a prefix admits its sub-kinds)."""
    if not only:
        return True
    return any(kind == allowed or kind.startswith(f"{allowed}.") for allowed in only)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    a_start, a_end = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b_start, b_end = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a_start <= b_end and b_start <= a_end


def _workspace_edit(linted: LintedText, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    document = types.OptionalVersionedTextDocumentIdentifier(uri=linted.uri, version=linted.version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])


def _decode(data: bytes) -> str:
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)
