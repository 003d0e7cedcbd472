"""Lint many files: cache first, then serial or forked workers.

Nothing here imports libcst until a file actually needs linting, so a warm run over an
unchanged tree answers from the cache alone. Results come back in path order whatever the
number of workers, so ``--jobs N`` prints exactly what a serial run prints.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    for result in results:
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
