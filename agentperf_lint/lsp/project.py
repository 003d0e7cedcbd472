"""Cross-file findings in the editor without re-linting the workspace on every keystroke.

A :class:`ProjectIndex` keeps, for one workspace folder, every file's project-rule summaries
(``FileResult.summaries``), treated as opaque values: only the rules read them, through the
public :class:`~agentperf_lint.rule.Rule` protocol (``summarize`` via ``Linter.lint``,
``wanted_modules``, ``finalize``) and ``Linter.locate``. What is re-analysed when:

- at first need (the first document opened in the folder), once, in the background: one
  :func:`agentperf_lint.runner.run` over the folder, which answers from the on-disk result cache
  for unchanged files, as a warm CLI run does;
- on every (debounced) edit of an open document: that buffer only (all its rules, giving its
  summaries), then each project rule's ``finalize`` over the index's summaries (no file is parsed
  for it), and positions (``Linter.locate``) in the open documents that receive cross-file
  findings;
- when a file that is not open changes on disk (``workspace/didChangeWatchedFiles``): that file is
  summarised again from disk, and the open documents' cross-file findings are recomputed;
- when a module a chain now leads into has no summary yet (``wanted_modules``): that file, once.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ..engine import Linter, LintOutcome
from ..finding import FileResult, Finding
from ..modules import module_name_for

Summaries = dict[str, Any]  # project-rule code -> one file's summary (shape owned by the rule)


class ProjectIndex:
    """Project-rule summaries of one workspace folder: disk state plus open buffers."""

    def __init__(self, root: Path | None):
        self.root = root
        self.ready = threading.Event()
        self._disk: dict[str, Summaries] = {}
        self._buffers: dict[str, Summaries] = {}
        self._buffer_data: dict[str, bytes] = {}
        self._modules: dict[str, set[str]] = {}
        if root is None:  # a file outside every workspace folder: no neighbours to read
            self.ready.set()

    # -- the initial scan (runs in a background thread) -------------------------------
    def scan(self, profile: Any) -> None:
        """Summarise the folder once with the command line's own runner (and its cache)."""
        from ..discovery import DiscoveryError, discover
        from ..runner import RunOptions, Source, run

        assert self.root is not None
        try:
            files = discover([str(self.root)], profile.settings)
        except DiscoveryError:
            files = []
        sources = []
        for file in files:
            try:
                sources.append(Source(str(file), file.read_bytes(), file))
            except OSError:
                continue
        result = run(sources, profile.settings, RunOptions(jobs=1, use_cache=True)) if sources else None
        disk = {r.path: dict(r.summaries) for r in result.results if r.summaries} if result else {}
        modules: dict[str, set[str]] = {}
        for source in sources:
            modules.setdefault(module_name_for(source.path), set()).add(source.path)
        self._modules, self._disk = modules, disk
        self.ready.set()

    # -- updates ----------------------------------------------------------------------
    def update_buffer(self, path: str, data: bytes, result: FileResult, linter: Linter) -> bool:
        """Record an open buffer's summaries; True when they differ from what was known.
        A helper module summarised only because a chain leads into it keeps being summarised
        (its text may not trigger the rule by itself)."""
        before = self.summaries_of(path)
        summaries = self._complete(path, data, dict(result.summaries), before, linter)
        self._buffers[path] = summaries
        self._buffer_data[path] = data
        self._modules.setdefault(module_name_for(path), set()).add(path)
        return summaries != before

    def saved(self, path: str) -> None:
        """The buffer is now the file on disk."""
        if path in self._buffers:
            self._disk[path] = self._buffers[path]

    def closed(self, path: str) -> None:
        self._buffers.pop(path, None)
        self._buffer_data.pop(path, None)

    def disk_changed(self, path: str, linter: Linter) -> bool:
        """A file changed on disk (not through an open buffer): summarise it again."""
        if path in self._buffers:
            return False
        before = self._disk.get(path, {})
        try:
            data = Path(path).read_bytes()
        except OSError:
            return self.disk_deleted(path)
        self._modules.setdefault(module_name_for(path), set()).add(path)
        summaries = self._complete(path, data, dict(linter.lint(path, data).result.summaries), before, linter)
        self._disk[path] = summaries
        return summaries != before

    def disk_deleted(self, path: str) -> bool:
        for paths in self._modules.values():
            paths.discard(path)
        return self._disk.pop(path, None) is not None

    def summaries_of(self, path: str) -> Summaries:
        return self._buffers.get(path, self._disk.get(path, {}))

    # -- cross-file findings ------------------------------------------------------------
    def findings(self, path: str, data: bytes, linter: Linter, ignored: Collection[str],
                 parsed: LintOutcome | None = None) -> list[Finding]:
        """Project rules' findings in ``path`` (an open buffer), from every known summary;
        ``parsed`` is the buffer's own lint, whose tree and positions locating reuses."""
        from ..registry import rule_by_code

        combined = {**self._disk, **self._buffers}
        codes = {code for summaries in combined.values() for code in summaries}
        found: list[Finding] = []
        for code in sorted(codes - set(ignored)):
            rule = rule_by_code().get(code)
            if rule is None or code not in {r.code for r in linter.rule_classes}:
                continue
            per_file = self._per_file(code)
            self._summarise_wanted(rule, per_file, linter)
            reports = [report for report in rule.finalize(per_file) if report.path == path]
            if reports:
                found.extend(linter.locate(rule, path, data, reports, parsed=parsed))
        return found

    def _per_file(self, code: str) -> dict[str, Any]:
        combined = {**self._disk, **self._buffers}
        return {path: summaries[code] for path, summaries in combined.items() if code in summaries}

    def _summarise_wanted(self, rule: Any, per_file: dict[str, Any], linter: Linter) -> None:
        """Summarise the files of the modules ``finalize`` needs, until it wants nothing new
        (as the runner does); each file at most once, then kept in the index."""
        single = None
        while True:
            todo = sorted({
                path for module in rule.wanted_modules(per_file)
                for path in self._modules.get(module, ()) if path not in per_file
            })
            if not todo:
                return
            if single is None:
                single = Linter([rule], linter.options)
            for path in todo:
                data = self._buffer_data.get(path)
                if data is None:
                    try:
                        data = Path(path).read_bytes()
                    except OSError:
                        data = b""
                summary = single.lint(path, data, force=True).result.summaries.get(rule.code, {})
                per_file[path] = summary
                target = self._buffers if path in self._buffers else self._disk
                target.setdefault(path, {})[rule.code] = summary

    def _complete(self, path: str, data: bytes, summaries: Summaries, before: Mapping[str, Any], linter: Linter) -> Summaries:
        from ..registry import rule_by_code

        for code in set(before) - set(summaries):
            rule = rule_by_code().get(code)
            if rule is not None:
                summaries[code] = Linter([rule], linter.options).lint(path, data, force=True).result.summaries.get(code, {})
        return summaries
