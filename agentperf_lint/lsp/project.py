"""Cross-file findings in the editor: one project model per workspace folder, open buffers
overriding the files on disk.

The rules find chains into other modules through the project model
(:mod:`agentperf_lint.project`), which reads a module only when a query reaches it, so a
buffer's own lint already carries its cross-file findings. What the index adds is what an
editor needs around that. What is re-analysed when:

- at first need (the first document opened in the folder), once, in the background: the folder
  is discovered as a directory run would (excludes apply), to know which file is which module;
  nothing is parsed;
- on every (debounced) edit of an open document: that buffer is linted with the folder's model;
  the modules its lint looked into, and their content hashes, are remembered;
- when an open buffer, or a file on disk that is not open, changes content: the model forgets
  that module's summary (the others are kept) and its effects; the open documents whose last
  lint looked into that module are linted again (``stale``), the others keep their findings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..engine import Linter, LintOutcome
from ..modules import module_name_for
from ..project import ProjectModel, install


class ProjectIndex:
    """The project model of one workspace folder: disk state plus open buffers. Used from the
    lint thread, except the scan, which runs on its own thread and merges its module map under
    ``_lock`` (as every reader of that map takes it)."""

    def __init__(self, root: Path | None):
        self.root = root
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._paths: dict[str, str] = {}  # module -> file path (first discovered wins)
        self._buffers: dict[str, bytes] = {}  # path -> unsaved text of an open document
        self._model: ProjectModel | None = None
        self._changed: set[str] = set()  # modules whose content changed since the model was built
        self._looked_into: dict[str, dict[str, str | None]] = {}  # path -> module -> digest
        if root is None:  # a file outside every workspace folder: no neighbours to read
            self.ready.set()

    # -- the initial scan (runs in a background thread) -------------------------------
    def scan(self, profile: Any) -> None:
        """Map the folder's modules to their files, with the command line's own discovery."""
        from ..discovery import DiscoveryError, discover

        assert self.root is not None
        try:
            files = discover([str(self.root)], profile.settings)
        except DiscoveryError:
            files = []
        paths: dict[str, str] = {}
        for file in files:
            if file.suffix in (".py", ".pyi"):
                paths.setdefault(module_name_for(str(file)), str(file))
        with self._lock:
            self._paths = {**paths, **self._paths}  # buffers opened meanwhile keep their entry
            self._changed.update(paths)
        self.ready.set()

    # -- updates ----------------------------------------------------------------------
    def update_buffer(self, path: str, data: bytes) -> bool:
        """Record an open buffer's text; True when its module's content changed."""
        before = self._content(path)
        self._buffers[path] = data
        return self._note(path, before)

    def saved(self, path: str) -> None:
        """The buffer is now the file on disk: nothing changes for the model."""

    def closed(self, path: str) -> bool:
        """The file on disk counts again; True when it differs from the closed buffer."""
        before = self._content(path)
        self._buffers.pop(path, None)
        self._looked_into.pop(path, None)
        return self._note(path, before)

    def disk_changed(self, path: str) -> bool:
        """A file changed on disk; True when that matters (it is not open in a buffer)."""
        if path in self._buffers:
            return False
        with self._lock:
            self._paths.setdefault(module_name_for(path), path)
            self._changed.add(module_name_for(path))
        return True

    def disk_deleted(self, path: str) -> bool:
        module = module_name_for(path)
        with self._lock:
            if self._paths.get(module) != path:
                return False
            del self._paths[module]
            self._changed.add(module)
        return True

    # -- linting ----------------------------------------------------------------------
    def lint(self, linter: Linter, path: str, data: bytes, ignored: Collection[str]) -> LintOutcome:
        """Lint one buffer with the folder's model; remember which modules it looked into."""
        self._buffers.setdefault(path, data)
        with self._lock:
            self._paths.setdefault(module_name_for(path), path)
        model = self.model()
        with self._installed(model), model.recording() as touched:
            outcome = linter.lint(path, data, ignored=ignored)
        self._looked_into[path] = {module: model.digest(module) for module in touched}
        return outcome

    def stale(self, path: str) -> bool:
        """The buffer's last lint looked into a module whose content has changed since."""
        looked = self._looked_into.get(path)
        if looked is None:
            return True
        model = self.model()
        return any(model.digest(module) != digest for module, digest in looked.items())

    def model(self) -> ProjectModel:
        with self._lock:
            if self._model is not None and not self._changed:
                return self._model
            paths = dict(self._paths)
            changed, self._changed = self._changed, set()
        sources = {module: self._loader(path) for module, path in paths.items()}
        packages = {module for module, path in paths.items() if Path(path).stem == "__init__"}
        if self._model is None:
            self._model = ProjectModel(sources, packages)
        else:
            self._model = self._model.renewed(sources, packages, changed)
        return self._model

    # -- helpers ----------------------------------------------------------------------
    def _loader(self, path: str) -> Callable[[], bytes]:
        def load() -> bytes:
            data = self._buffers.get(path)
            if data is not None:
                return data
            try:
                return Path(path).read_bytes()
            except OSError:
                return b""
        return load

    def _content(self, path: str) -> bytes | None:
        if path in self._buffers:
            return self._buffers[path]
        try:
            return Path(path).read_bytes()
        except OSError:
            return None

    def _note(self, path: str, before: bytes | None) -> bool:
        module = module_name_for(path)
        changed = self._content(path) != before
        with self._lock:
            self._paths.setdefault(module, path)
            if changed:
                self._changed.add(module)
        return changed

    @staticmethod
    @contextmanager
    def _installed(model: ProjectModel) -> Iterator[None]:
        install(model)
        try:
            yield
        finally:
            install(None)
