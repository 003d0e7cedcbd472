"""Recall on maintainers' own fixes, and silence on their fixed code.

Runs every case under ``tests/recall/cases`` (see its README) whatever its ``status``, and
prints, per family, how many of the expected findings today's linter reports; then the misses
(the work list of the project model) and any finding on a clean case. Writes the same as
Markdown to ``bench/recall.md``.

    python bench/recall.py [--out bench/recall.md]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.recall._cases import judge, lint_case, load_cases  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "recall.md")
    args = parser.parse_args()

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    noisy: list[str] = []
    stale: list[str] = []
    for case in load_cases():
        verdict = judge(case, lint_case(case))
        if case.family == "clean":
            totals["clean"][1] += 1
            if verdict.passes:
                totals["clean"][0] += 1
            else:
                noisy.extend(f"{case.name}: {file}:{f.line} {f.code}" for file, f in verdict.unexpected)
        else:
            totals[case.family][0] += len(verdict.found)
            totals[case.family][1] += len(case.expected)
            misses.extend(f"{case.name}: {e.file}:{e.line} {e.code} ({case.what})" for e in verdict.missed)
            noisy.extend(f"{case.name}: {file}:{f.line} {f.code} (not expected)" for file, f in verdict.unexpected)
        if (case.status == "miss") == verdict.passes:
            stale.append(f"{case.name}: status says {case.status}")

    lines = ["# Recall on maintainers' fixes", "", "Command: `python bench/recall.py`", "",
             "| family | found / expected | recall |", "|---|---|---|"]
    for family in ("blocking", "n_plus_one"):
        found, total = totals[family]
        lines.append(f"| {family} | {found} / {total} | {100 * found / max(total, 1):.0f}% |")
    silent, clean = totals["clean"]
    lines.append(f"| clean (no finding) | {silent} / {clean} | {100 * silent / max(clean, 1):.0f}% |")
    for title, items in (("Missed", misses), ("Findings on clean or unexpected lines", noisy),
                         ("Status out of date", stale)):
        lines += ["", f"## {title} ({len(items)})", ""] + [f"- {item}" for item in items]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
