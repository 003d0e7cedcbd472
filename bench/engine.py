"""Linter speed against the bare libcst parse of the same files, measured in the same run.

Corpora:
- ``stdlib``: a deterministic sample of the running interpreter's standard library (mostly sync);
- ``async``: the installed aiohttp package plus ``examples/`` (async-heavy).

For each corpus: the bare ``libcst.parse_module`` time (the baseline), a cold ``agentperf-lint``
run with 1 and 2 processes (``--no-cache``), and a warm run (cache filled by the previous run);
plus a 3-file run, the pre-commit case. Every figure is the median of ``--repeat`` runs, and each
lint run is a fresh process, so interpreter start-up and imports are included (as users see them).

    python bench/engine.py [--repeat 3] [--stdlib-sample 6]
    python bench/engine.py --repo /tmp/corpus/khoj-ai+khoj --only-repos   # an application tree

``--repo DIR`` (repeatable) adds a fetched repository as a corpus: its ``.py`` files are copied
with their folders kept, so packages and imports between its modules (what the project model
follows) stay as they are.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stdlib_files(every: int) -> list[Path]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        p for p in lib.rglob("*.py")
        if "site-packages" not in p.parts and "test" not in p.parts and "tests" not in p.parts
        and "idlelib" not in p.parts and "lib2to3" not in p.parts and p.name != "topics.py"
    )
    return files[::every]


def async_files() -> list[Path]:
    import aiohttp

    return sorted(Path(aiohttp.__file__).parent.rglob("*.py")) + sorted((ROOT / "examples").rglob("*.py"))


def copy_corpus(files: list[Path], into: Path) -> list[Path]:
    """Copies, so the warm-cache runs own their cache directory and nothing is written elsewhere."""
    copied = []
    for index, file in enumerate(files):
        target = into / f"{index:05}_{file.name}"
        shutil.copyfile(file, target)
        copied.append(target)
    (into / "pyproject.toml").write_text("[tool.agentperf-lint]\n")
    return copied


def copy_tree(root: Path, into: Path) -> list[Path]:
    """The repository's ``.py`` files with their relative paths (hidden folders skipped)."""
    copied = []
    for file in sorted(root.rglob("*.py")):
        relative = file.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not file.is_file():
            continue
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
        copied.append(target)
    (into / "pyproject.toml").write_text("[tool.agentperf-lint]\n")
    return copied


def bare_parse(files: list[Path], repeat: int) -> float:
    """The floor: parsing every file with libcst, at the garbage collector's pace the linter
    runs at (agentperf_lint.collector), so that the ratio measures the linter's own work and
    not a collector setting both could use."""
    import libcst

    from agentperf_lint.collector import fewer_collections

    sources = [f.read_bytes() for f in files]
    times = []
    with fewer_collections():
        for _ in range(repeat):
            start = time.perf_counter()
            for source in sources:
                try:
                    libcst.parse_module(source)
                except Exception:
                    pass
            times.append(time.perf_counter() - start)
    return statistics.median(times)


# Start-up as after ``pip install``, which compiles the package's bytecode: a shell that sets
# PYTHONDONTWRITEBYTECODE (some sandboxes and CI images do) would otherwise recompile every
# module of the linter at each start, a cost no installed copy pays.
_INSTALLED_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def lint(workdir: Path, args: list[str], repeat: int) -> float:
    command = [sys.executable, "-m", "agentperf_lint", ".", "--exit-zero", "-q", "--output-format", "json", *args]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env=_INSTALLED_ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def lines_of(files: list[Path]) -> int:
    return sum(f.read_bytes().count(b"\n") for f in files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stdlib-sample", type=int, default=6, help="take every Nth stdlib file")
    parser.add_argument("--repo", type=Path, action="append", default=[], help="a repository folder to lint as a corpus")
    parser.add_argument("--only-repos", action="store_true", help="skip the stdlib and async corpora")
    args = parser.parse_args()
    rows = []
    corpora: list[tuple[str, object]] = [] if args.only_repos else [
        ("stdlib", stdlib_files(args.stdlib_sample)), ("async", async_files())]
    corpora += [(repo.name, repo) for repo in args.repo]
    for name, files in corpora:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            copied = copy_tree(files, work) if isinstance(files, Path) else copy_corpus(files, work)  # type: ignore[arg-type]
            kloc = lines_of(copied) / 1000
            parse = bare_parse(copied, args.repeat)
            lint(work, ["--no-cache", "-j", "1"], 1)  # warm-up: the linter's bytecode is compiled once, as pip does at install
            one = lint(work, ["--no-cache", "-j", "1"], args.repeat)
            two = lint(work, ["--no-cache", "-j", "2"], args.repeat)
            lint(work, [], 1)  # fill the cache
            warm = lint(work, [], args.repeat)
            rows.append((name, len(copied), kloc, parse, one, two, warm))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy_corpus(sorted((ROOT / "examples").rglob("*.py"))[:3], work)
        three = lint(work, ["--no-cache"], args.repeat)

    print(f"median of {args.repeat} runs; each lint run is a fresh process (start-up included)\n")
    print("| corpus | files | kLOC | bare parse ms/kLOC | lint 1 proc ms/kLOC | ratio to parse | 2 procs / 1 proc | warm / cold |")
    print("|---|---|---|---|---|---|---|---|")
    for name, count, kloc, parse, one, two, warm in rows:
        print(
            f"| {name} | {count} | {kloc:.1f} | {parse / kloc * 1000:.1f} | {one / kloc * 1000:.1f} "
            f"| {one / parse:.2f}x | {two / one:.2f}x | {warm / one:.3f}x |"
        )
    print(f"\n3-file run (pre-commit case, cold, fresh process): {three:.2f} s")


if __name__ == "__main__":
    main()
