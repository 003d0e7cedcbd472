"""Apply fixes until the file is stable, never writing code that does not parse.

Each pass lints the current source, applies every selected fix whose edited nodes do not
overlap an already chosen fix (an inner fix waits for the next pass, when it is re-reported on
the rewritten tree), adds the imports the fixes need with libcst's ``AddImportsVisitor``, and
re-parses the result. libcst regenerates untouched code byte for byte, so encoding, BOM and
line endings outside the fixed ranges are preserved.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem

from .engine import Linter, LintOutcome
from .rule import Applicability, Fix
from .walker import iter_tree

MAX_PASSES = 10


@dataclass
class FixResult:
    outcome: LintOutcome  # the final lint of the fixed source (what is left)
    source: bytes  # the fixed source (equal to the input when nothing applied)
    applied: int
    error: str | None = None  # why fixing stopped early, if it did


def fix_source(
    linter: Linter,
    path: str,
    data: bytes,
    *,
    unsafe: bool = False,
    ignored: Collection[str] = (),
    fixable: Collection[str] | None = None,
    async_top_level: Callable[[bytes], Sequence[tuple[int, int]]] | None = None,
) -> FixResult:
    """Apply safe (and with ``unsafe``, unsafe) fixes to ``data`` until nothing changes.

    ``async_top_level(source)`` gives the async top-level line ranges of each version of the
    source (a notebook's cells move when a fix adds an import)."""
    applied = 0
    current = data

    def lint(source: bytes) -> LintOutcome:
        ranges = async_top_level(source) if async_top_level is not None else ()
        return linter.lint(path, source, ignored=ignored, async_top_level=ranges)

    for _ in range(MAX_PASSES):
        outcome = lint(current)
        chosen = [
            fix for finding, fix in outcome.fixes
            if (unsafe or fix.applicability is Applicability.SAFE)
            and (fixable is None or finding.code in fixable)
        ]
        if not chosen or outcome.module is None or outcome.result.errors:
            return FixResult(outcome, current, applied)
        chosen = _non_overlapping(chosen)
        try:
            rewritten = apply_fixes(outcome.module, chosen)
            new = rewritten.bytes
            cst.parse_module(new)  # a result that does not parse is never kept
        except Exception as error:  # a broken fix must not cost the user their file
            return FixResult(outcome, current, applied, f"a fix produced invalid code ({error}); file left as it was")
        if new == current:
            return FixResult(outcome, current, applied)
        current = new
        applied += len(chosen)
    outcome = lint(current)
    return FixResult(outcome, current, applied, f"fixes did not converge after {MAX_PASSES} passes")


def apply_fixes(module: cst.Module, fixes: list[Fix]) -> cst.Module:
    edits: dict[int, Any] = {}
    imports: list[ImportItem] = []
    for fix in fixes:
        for original, replacement in fix.edits.items():
            edits[id(original)] = replacement
        imports.extend(ImportItem(need.module, need.name, None) for need in fix.imports)
    rewritten = module.visit(_ApplyEdits(edits))
    if imports:
        rewritten = rewritten.visit(AddImportsVisitor(CodemodContext(), imports))
    return rewritten


def _non_overlapping(fixes: list[Fix]) -> list[Fix]:
    """Fixes whose edited subtrees are disjoint, in order; nested ones wait for a later pass."""
    taken: set[int] = set()
    chosen = []
    for fix in fixes:
        covered = {id(node) for original in fix.edits for node in iter_tree(original)}
        if covered & taken:
            continue
        taken |= covered
        chosen.append(fix)
    return chosen


class _ApplyEdits(cst.CSTTransformer):
    def __init__(self, edits: dict[int, Any]):
        super().__init__()
        self.edits = edits

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self.edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:  # type: ignore[override]
        replacement = self.edits.get(id(original_node))
        return updated_node if replacement is None else replacement
