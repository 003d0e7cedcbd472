"""``--statistics``: how many findings each rule produced, most frequent first (ruff's layout).

One row per code: ``count<TAB>code<TAB>[*] name``; ``[*]`` marks codes with at least one finding
``--fix`` can fix, and the other rows get blank padding so the names stay aligned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..finding import Finding


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
    return "\n".join(lines) + "\n"
