"""Draw a reproducible random sample of findings from the application corpus, for judging by eye.

Precision on application code is judged by reading findings as their maintainers would (TRUE: the
maintainer would accept the change; FALSE: no problem there; DEBATABLE: technically right, of
doubtful value). This script only draws the sample; the verdicts live in ``bench/precision/``.

The corpus is a list of checked-out repositories (``repo``, ``commit``, ``folder`` columns, tab
separated, one header line), each linted with default settings. The sample is stratified by
family (APL1, APL2, APL3) so each family's precision rests on enough findings, and seeded, so the
same command draws the same sample from the same findings.

    python bench/precision_sample.py /tmp/corpus/REPOS.tsv --per-family 30 --seed 11 > sample.tsv
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path


def lint(folder: Path) -> list[dict]:
    """Default settings (``--isolated``), no cache, JSON: what a new user would see first."""
    completed = subprocess.run(
        [sys.executable, "-m", "agentperf_lint", str(folder), "--isolated", "--no-cache",
         "--exit-zero", "--output-format", "json"],
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"lint failed on {folder}: {completed.stderr.strip().splitlines()[-1:]}")
    return json.loads(completed.stdout or "[]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", type=Path, help="TSV with repo, commit, folder columns")
    parser.add_argument("--per-family", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--counts", type=Path, help="also write findings per repo and code here")
    args = parser.parse_args()

    rows = list(csv.DictReader(args.repos.open(), delimiter="\t"))
    by_family: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        folder = Path(row["folder"])
        for finding in lint(folder):
            if finding["code"] == "APL001":
                continue  # syntax the parser refuses: not a performance finding
            counts[row["repo"], finding["code"]] += 1
            by_family[finding["code"][:4]].append((row, finding))

    rng = random.Random(args.seed)
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["family", "repo", "commit", "path", "line", "code", "message"])
    for family in sorted(by_family):
        population = by_family[family]
        for row, finding in rng.sample(population, min(args.per_family, len(population))):
            path = Path(finding["path"]).resolve().relative_to(Path(row["folder"]).resolve())
            out.writerow([family, row["repo"], row["commit"], path.as_posix(), finding["line"],
                          finding["code"], finding["message"]])
    if args.counts:
        with args.counts.open("w") as handle:
            handle.write("repo\tcode\tcount\n")
            for (repo, code), count in sorted(counts.items()):
                handle.write(f"{repo}\t{code}\t{count}\n")
    print(f"{sum(counts.values())} findings; sampled up to {args.per_family} per family "
          f"({', '.join(f'{f}: {len(p)}' for f, p in sorted(by_family.items()))})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
