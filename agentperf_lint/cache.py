"""The result cache: a warm run over an unchanged tree reads one JSON file and imports no libcst.

Layout (like ``.ruff_cache``): ``<project_root>/.agentperf_lint_cache/`` holds a ``.gitignore``
with ``*`` and a ``CACHEDIR.TAG`` so backup tools and git skip it, and one
``results-<key>.json`` per effective key. The key mixes what the caller passes (the settings
fingerprint and the enabled rule set) with the tool, libcst and Python versions; an entry within
the file is valid only while the file's bytes hash the same. Timestamps are never trusted:
checkouts and formatters rewrite files with new mtimes and the same content, and the reverse
happens too.

The cache is an optimisation, so it never fails a run: a corrupt or unreadable file reads as
empty and an unwritable directory makes :meth:`ResultCache.save` a no-op.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .finding import FileResult, Finding

CACHE_DIR_NAME = ".agentperf_lint_cache"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by agentperf-lint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
FORMAT = 1  # bump when the file layout changes
MAX_AGE_DAYS = 30  # entries of files no run has looked at for this long are dropped
_DAY = 86_400


@lru_cache(maxsize=1)
def tool_versions() -> str:
    """agentperf-lint, libcst and Python versions, read from metadata: libcst is not imported."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        libcst_version = version("libcst")
    except PackageNotFoundError:
        libcst_version = "missing"
    return f"agentperf-lint {__version__}; libcst {libcst_version}; {sys.implementation.name} {sys.version}"


def cache_dir(project_root: Path) -> Path:
    return Path(project_root) / CACHE_DIR_NAME


def prepare_cache_dir(project_root: Path) -> Path | None:
    """Create the cache directory with its ``.gitignore`` and ``CACHEDIR.TAG``; None if unwritable."""
    directory = cache_dir(project_root)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# created by agentperf-lint\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            marker = directory / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return directory


def clear_cache(project_root: Path) -> None:
    """Remove the whole cache directory (a missing one is fine)."""
    shutil.rmtree(cache_dir(project_root), ignore_errors=True)


def _digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


class ResultCache:
    """Per-file results for one key, loaded on first use and written back by :meth:`save`.

    Entries are keyed by the file's path relative to ``project_root``. Results that carry
    internal errors, applied fixes or summaries that are not plain JSON are never stored: they
    must be recomputed (and reported) every time.
    """

    def __init__(
        self,
        project_root: Path,
        key: str,
        enabled: bool = True,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.project_root = Path(project_root)
        self.enabled = enabled
        self._key = hashlib.sha256(f"{key}\n{tool_versions()}".encode()).hexdigest()
        self.file = cache_dir(self.project_root) / f"results-{self._key[:32]}.json"
        self._today = int(now() // _DAY)
        self._entries: dict[str, dict[str, Any]] | None = None
        self._seen: set[str] = set()
        self._digests: dict[str, str] = {}  # computed by get(), reused by put()
        self._dirty = False

    def _name(self, path: Path) -> str:
        """The entry's name: POSIX path relative to the project root, absolute when outside it."""
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, os.path.abspath(self.project_root))
        if relative.split(os.sep)[0] == os.pardir:
            return Path(absolute).as_posix()
        return Path(relative).as_posix()

    # -- reading ------------------------------------------------------------------------
    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            with open(self.file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != self._key:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        return {path: entry for path, entry in entries.items() if isinstance(entry, dict)}

    def _loaded(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def get(self, path: Path, content: bytes, display: str | None = None) -> FileResult | None:
        """The stored result if ``content`` is byte-for-byte what was linted, else None.

        ``display`` (the path as this run shows it) relabels the result and its findings, which
        otherwise keep the path of the run that stored them.
        """
        if not self.enabled:
            return None
        name = self._name(path)
        self._seen.add(name)
        digest = self._digests[name] = _digest(content)
        entry = self._loaded().get(name)
        if entry is None or entry.get("hash") != digest:
            return None
        try:
            result = _decode(entry["result"], display)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a damaged entry is a miss
        if entry.get("day") != self._today:
            entry["day"] = self._today
            self._dirty = True
        return result

    # -- writing ------------------------------------------------------------------------
    def put(self, path: Path, content: bytes, result: FileResult) -> None:
        """Remember ``result`` for this exact ``content`` (skipped when it must not be reused)."""
        if not self.enabled or result.errors or result.fixed or result.new_source is not None:
            return
        encoded = {
            "path": result.path,
            "findings": [finding.to_dict() for finding in result.findings],
            "summaries": result.summaries,
        }
        try:
            json.dumps(result.summaries)
        except (TypeError, ValueError):
            return
        name = self._name(path)
        self._seen.add(name)
        digest = self._digests.get(name) or _digest(content)
        self._loaded()[name] = {"hash": digest, "day": self._today, "result": encoded}
        self._dirty = True

    def save(self) -> None:
        """Write this run's entries atomically, merged with what another run may have saved since.

        Entries this run did not see are kept unless their file is gone or nobody has looked at
        them for :data:`MAX_AGE_DAYS`: a pre-commit run over three files must not wipe the cache
        of the full run. Nothing is written when nothing changed (the warm-run case).
        """
        if not self.enabled or not self._dirty or self._entries is None:
            return
        merged = {name: entry for name, entry in self._read().items() if name not in self._seen}
        merged.update({name: entry for name, entry in self._entries.items() if name in self._seen})
        merged = {name: entry for name, entry in merged.items() if name in self._seen or self._keep(name, entry)}
        document = {"format": FORMAT, "key": self._key, "entries": merged}
        directory = prepare_cache_dir(self.project_root)
        if directory is None:
            return
        try:
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".results-", suffix=".tmp")
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump(document, handle, separators=(",", ":"))
                os.replace(temporary, self.file)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return
        self._dirty = False

    def _keep(self, name: str, entry: dict[str, Any]) -> bool:
        day = entry.get("day")
        if not isinstance(day, int) or self._today - day > MAX_AGE_DAYS:
            return False
        return os.path.isfile(name if os.path.isabs(name) else self.project_root / name)


def _decode(data: dict[str, Any], display: str | None) -> FileResult:
    stored_path = data["path"]
    findings = [Finding.from_dict(item) for item in data["findings"]]
    if display is not None and display != stored_path:
        findings = [
            dataclasses.replace(finding, path=display) if finding.path == stored_path else finding
            for finding in findings
        ]
    summaries = data["summaries"]
    if not isinstance(summaries, dict):
        raise TypeError("summaries must be an object")
    return FileResult(display if display is not None else stored_path, findings=findings, summaries=summaries)
