"""``--statistics``: how many findings each rule produced, most frequent first (ruff's layout).

One row per code: ``count<TAB>code<TAB>[*] name``; ``[*]`` marks codes with at least one finding
``--fix`` can fix, and the other rows get blank padding so the names stay aligned. Blocking calls
(APL1xx) are then counted again by cost class, costliest first: a team weighs a hundred metadata
calls differently from a hundred network round trips.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..finding import Finding
from ..rules._costs import cost_in_message


def render_statistics(findings: Sequence[Finding]) -> str:
    counts = Counter(finding.code for finding in findings)
    if not counts:
        return ""
    names = {finding.code: finding.name for finding in findings}
    fixable = {
        finding.code
        for finding in findings
        if finding.fix is not None and finding.fix.applicability == "safe"
    }
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    count_width = max(len(str(count)) for _, count in rows)
    code_width = max(len(code) for code, _ in rows)
    lines = []
    for code, count in rows:
        mark = "[*] " if code in fixable else ("    " if fixable else "")
        lines.append(f"{count:>{count_width}}\t{code:<{code_width}}\t{mark}{names[code]}")
    return "\n".join(lines + _by_cost(findings)) + "\n"


def _by_cost(findings: Sequence[Finding]) -> list[str]:
    costs = Counter(cost_in_message(finding.code, finding.message) for finding in findings
                    if finding.code.startswith("APL1"))
    costs.pop(None, None)
    if not costs:
        return []
    width = max(len(str(count)) for count in costs.values())
    rows = [f"{count:>{width}}\t{cost.words}" for cost, count in sorted(costs.items(), key=lambda item: -item[0])]  # type: ignore[union-attr]
    return ["", "Blocking calls by cost class (costliest first):", *rows]
