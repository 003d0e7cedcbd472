"""Lint many files: cache first, then serial or forked workers, then project-wide rules.

Nothing here imports libcst until a file actually needs linting, so a warm run over an
unchanged tree answers from the cache alone. Results come back in path order whatever the
number of workers, so ``--jobs N`` prints exactly what a serial run prints.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import cache_dir, prepare_cache_dir, tool_versions
from .finding import FileResult, Finding, InternalError
from .notebook import is_notebook

if TYPE_CHECKING:
    from .config import Settings
    from .engine import Linter
    from .rule import Rule

PARALLEL_THRESHOLD = 32  # below this many files to lint, a pool costs more than it saves


@dataclass(frozen=True)
class RunOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 1
    use_cache: bool = True
    ignore_noqa: bool = False


@dataclass
class Source:
    """One file to lint: where it is shown as, and its bytes."""

    path: str  # display path
    data: bytes
    real_path: Path | None  # None for stdin


@dataclass
class RunResult:
    results: list[FileResult] = field(default_factory=list)
    rules: list[type[Rule]] | None = None  # only known when something was linted

    @property
    def findings(self) -> list[Finding]:
        return sorted(finding for result in self.results for finding in result.findings)

    @property
    def errors(self) -> list[InternalError]:
        return [error for result in self.results for error in result.errors]


class RuleSetup:
    """Builds the Linter on first need (importing libcst and the rules only then)."""

    def __init__(self, settings: Settings, ignore_noqa: bool):
        self.settings = settings
        self.ignore_noqa = ignore_noqa
        self._linter: Linter | None = None
        self.rules: list[type[Rule]] | None = None

    def linter(self) -> Linter:
        if self._linter is None:
            from .config import validate_rule_options
            from .engine import Linter
            from .registry import all_rules, select

            settings = self.settings
            self.rules = select(settings.select, settings.extend_select, settings.ignore)
            options = validate_rule_options(settings, all_rules())
            self._linter = Linter(self.rules, options, ignore_noqa=self.ignore_noqa)
        return self._linter

    def ignored_codes(self, path: Path | None) -> frozenset[str]:
        if path is None:
            return frozenset()
        selectors = self.settings.ignored_for(path)
        if not selectors:
            return frozenset()
        from .registry import matching

        return frozenset(rule.code for selector in selectors for rule in matching(selector))


def cache_key(settings: Settings, options: RunOptions) -> str:
    """What besides file content decides findings (tool versions are added by the cache)."""
    material = json.dumps([settings.fingerprint(), options.ignore_noqa])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def run(sources: Sequence[Source], settings: Settings, options: RunOptions) -> RunResult:
    """Lint (or fix) every source; never raises for a bad file."""
    setup = RuleSetup(settings, options.ignore_noqa)
    cache = None
    modifying = options.fix or options.diff
    if options.use_cache and not modifying:
        from .cache import ResultCache

        cache = ResultCache(settings.project_root, cache_key(settings, options))
    by_index: dict[int, FileResult] = {}
    pending: list[int] = []
    from . import project

    model = project.build((source.path, source.data, source.real_path) for source in sources)
    project.install(model)  # forked workers inherit it
    for index, source in enumerate(sources):
        hit = cache.get(source.real_path, source.data, display=source.path) if cache and source.real_path else None
        if hit is not None and not _dependencies_unchanged(model, hit):
            hit = None  # a module its findings looked into has changed
        if hit is not None:
            by_index[index] = hit
        else:
            pending.append(index)
    if pending:
        setup.linter()
        work = [(sources[i].path, sources[i].data, setup.ignored_codes(sources[i].real_path)) for i in pending]
        for index, result in zip(pending, _lint_all(setup, work, options)):
            by_index[index] = result
            source = sources[index]
            if cache is not None and source.real_path is not None and not result.errors:
                cache.put(source.real_path, source.data, result)
    project.install(None)
    results = [by_index[i] for i in range(len(sources))]
    project_found = _project_findings(setup, sources, results, settings, cache)
    for result in results:
        result.findings.extend(project_found.get(result.path, ()))
        result.findings.sort()
    if cache is not None:
        cache.save()
    return RunResult(results, setup.rules)


# -- linting work, serial or in forked workers --------------------------------------------
_WORKER_SETUP: RuleSetup | None = None
_WORKER_OPTIONS: RunOptions | None = None


def _lint_all(setup: RuleSetup, work: list[tuple[str, bytes, frozenset[str]]], options: RunOptions) -> list[FileResult]:
    global _WORKER_SETUP, _WORKER_OPTIONS
    jobs = max(1, options.jobs)
    if jobs == 1 or len(work) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return [_lint_one(setup, options, item) for item in work]
    _WORKER_SETUP, _WORKER_OPTIONS = setup, options  # inherited by the forked workers
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(work) // (jobs * 8))
    with context.Pool(jobs) as pool:
        return pool.map(_lint_in_worker, work, chunksize=chunk)


def _lint_in_worker(item: tuple[str, bytes, frozenset[str]]) -> FileResult:
    assert _WORKER_SETUP is not None and _WORKER_OPTIONS is not None
    return _lint_one(_WORKER_SETUP, _WORKER_OPTIONS, item)


DEPENDENCIES = "@model"  # summaries key: module -> content digest of what the lint looked into


def _dependencies_unchanged(model: Any, result: FileResult) -> bool:
    """A cached result stands while every module its lint asked the project model about
    hashes the same (None: still absent)."""
    recorded = result.summaries.get(DEPENDENCIES)
    if not recorded:
        return True
    return all(model.digest(module) == digest for module, digest in recorded.items())


def _lint_one(setup: RuleSetup, options: RunOptions, item: tuple[str, bytes, frozenset[str]]) -> FileResult:
    from .project import active

    model = active()
    if model is None:
        return _lint_one_alone(setup, options, item)
    with model.recording() as touched:
        result = _lint_one_alone(setup, options, item)
    if touched:
        result.summaries[DEPENDENCIES] = {module: model.digest(module) for module in sorted(touched)}
    return result


def _lint_one_alone(setup: RuleSetup, options: RunOptions, item: tuple[str, bytes, frozenset[str]]) -> FileResult:
    path, data, ignored = item
    linter = setup.linter()
    try:
        if is_notebook(path):
            from .notebook import lint_notebook

            return lint_notebook(linter, path, data, ignored=ignored, fix=options.fix or options.diff,
                                 unsafe=options.unsafe_fixes)
        if options.fix or options.diff:
            from .fixer import fix_source

            fixed = fix_source(linter, path, data, unsafe=options.unsafe_fixes, ignored=ignored)
            result = fixed.outcome.result
            result.fixed = fixed.applied
            if fixed.source != data:
                result.new_source = fixed.source
            if fixed.error:
                result.errors.append(InternalError(path, fixed.error))
            return result
        return linter.lint(path, data, ignored=ignored).result
    except Exception as error:  # an engine bug on one file must not end the run
        return FileResult(path, errors=[InternalError(path, f"internal error: {type(error).__name__}: {error}")])


# -- project rules (whole-run analyses such as the blocking call graph) -------------------
def _summarise_on_demand(setup: RuleSetup, sources: Sequence[Source], results: list[FileResult], cache: Any) -> None:
    """Summarise, for each project rule, the files of the modules it asks for, until it asks
    for nothing new. A file is summarised at most once per rule, and its summary is cached
    with its findings, so a warm run does none of this work."""
    codes = {code for result in results for code in result.summaries if code != DEPENDENCIES}
    if not codes:
        return
    from .modules import module_name_for
    from .registry import rule_by_code

    by_module: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        if not is_notebook(source.path):  # a notebook is not importable: no chain leads into it
            by_module.setdefault(module_name_for(source.path), []).append(index)
    for code in sorted(codes):
        rule = rule_by_code().get(code)
        if rule is None:
            continue
        linter = None
        while True:
            summaries = {r.path: r.summaries[code] for r in results if code in r.summaries}
            wanted = rule.wanted_modules(summaries)
            todo = sorted({
                index for module in wanted for index in by_module.get(module, ())
                if code not in results[index].summaries
                and code not in setup.ignored_codes(sources[index].real_path)
            })
            if not todo:
                break
            if linter is None:
                from .engine import Linter

                base = setup.linter()
                linter = Linter([rule], base.options, ignore_noqa=setup.ignore_noqa)
            for index in todo:
                source = sources[index]
                summary = linter.lint(source.path, source.data, force=True).result.summaries.get(code, {})
                results[index].summaries[code] = summary
                if cache is not None and source.real_path is not None and not results[index].errors:
                    cache.put(source.real_path, source.data, results[index])



def _project_findings(
    setup: RuleSetup, sources: Sequence[Source], results: list[FileResult], settings: Settings, cache: Any
) -> dict[str, list[Finding]]:
    """Findings of project rules. When every summary is as a previous run left it (after its
    on-demand summaries), that run's answer is reused without importing any rule."""
    if not any(code != DEPENDENCIES for result in results for code in result.summaries):
        return {}
    store = _ProjectStore(settings.project_root, _digest(results)) if cache is not None else None
    by_path = {source.path: source for source in sources}
    if store is not None:
        stored = store.load(by_path)
        if stored is not None:
            return stored
    _summarise_on_demand(setup, sources, results, cache)
    summaries: dict[str, dict[str, Any]] = {}
    for result in results:
        for code, summary in result.summaries.items():
            if code == DEPENDENCIES:
                continue
            summaries.setdefault(code, {})[result.path] = summary
    if store is not None:
        store = _ProjectStore(settings.project_root, _digest(results))
    from .registry import rule_by_code

    found: dict[str, list[Finding]] = {}
    reported: set[str] = set()  # files with reports: their noqa comments decide what is found
    by_code = rule_by_code()
    linter = setup.linter()
    for code, per_file in summaries.items():
        rule = by_code.get(code)
        if rule is None:
            continue
        reports: dict[str, list[Any]] = {}
        for report in rule.finalize(per_file):
            reports.setdefault(report.path, []).append(report)
        reported.update(reports)
        for path, items in reports.items():
            source = by_path.get(path)
            if source is not None and code not in setup.ignored_codes(source.real_path):
                if is_notebook(path):
                    from .notebook import locate

                    located = locate(linter, rule, path, source.data, items)
                else:
                    located = linter.locate(rule, path, source.data, items)
                found.setdefault(path, []).extend(located)
    if store is not None:
        store.save(found, {path: by_path[path].data for path in reported if path in by_path})
    return found


def _content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(results: Sequence[FileResult]) -> str:
    state = {result.path: {c: s for c, s in result.summaries.items() if c != DEPENDENCIES}
             for result in results if result.summaries}
    material = json.dumps([tool_versions(), state], sort_keys=True, default=str).encode()
    return hashlib.sha256(material).hexdigest()[:32]


class _ProjectStore:
    """Project-rule findings cached by the digest of every file's summary, valid while each
    file the rules reported in has the same content (a ``# noqa`` added or removed there
    changes the findings, not the summaries)."""

    def __init__(self, root: Path, digest: str):
        self.root = root
        self.file = cache_dir(root) / f"project-{digest}.json"

    def load(self, sources: dict[str, Source]) -> dict[str, list[Finding]] | None:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            for path, digest in raw["checked"].items():
                source = sources.get(path)
                if source is None or _content_digest(source.data) != digest:
                    return None
            return {path: [Finding.from_dict(item) for item in items] for path, items in raw["found"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, found: dict[str, list[Finding]], checked: dict[str, bytes]) -> None:
        if prepare_cache_dir(self.root) is None:
            return
        try:
            for old in self.file.parent.glob("project-*.json"):
                old.unlink(missing_ok=True)
            tmp = self.file.with_suffix(".tmp")
            document = {
                "found": {p: [f.to_dict() for f in fs] for p, fs in found.items()},
                "checked": {p: _content_digest(data) for p, data in checked.items()},
            }
            tmp.write_text(json.dumps(document), encoding="utf-8")
            os.replace(tmp, self.file)
        except OSError:
            pass

