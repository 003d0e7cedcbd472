"""Settings per file, as the command line would find them, cached until a config file changes.

A document uses the nearest ``agentperf-lint.toml`` / ``pyproject.toml`` walking up from its
directory (exactly what ``agentperf-lint path/to/file.py`` reads), so each workspace folder of a
multi-root workspace, and each sub-project inside one, gets its own settings. A broken config is
reported once (``window/showMessage``) and the defaults apply until it is fixed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import DEDICATED_FILES, PYPROJECT, ConfigError, Settings, find_config, load_settings
from ..registry import SelectorError
from ..runner import RuleSetup

if TYPE_CHECKING:
    from ..engine import Linter

CONFIG_NAMES = frozenset((PYPROJECT, *DEDICATED_FILES))


@dataclass
class Profile:
    """One configuration's settings and the linter built from them."""

    settings: Settings
    setup: RuleSetup
    error: str | None = None
    _linter: Linter | None = field(default=None, repr=False)
    _excluded: dict[Path, bool] = field(default_factory=dict, repr=False)

    def linter(self) -> Linter:
        if self._linter is None:
            self._linter = self.setup.linter()
        return self._linter

    def ignored(self, path: Path) -> frozenset[str]:
        return self.setup.ignored_codes(path)

    def excluded(self, path: Path) -> bool:
        """Excluded files get no diagnostics, as ruff's server does (and as a directory run)."""
        from ..discovery import is_excluded

        excluded = self._excluded.get(path)
        if excluded is None:
            excluded = self._excluded[path] = is_excluded(path, self.settings)
        return excluded


def is_config_file(path: Path) -> bool:
    return path.name in CONFIG_NAMES


class SettingsStore:
    """Profiles by configuration file, and the workspace folders files belong to."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self._profiles: dict[tuple[Path | None, Path], Profile] = {}
        self._configs: dict[Path, Path | None] = {}  # directory -> its nearest config file

    def set_folders(self, folders: list[Path]) -> None:
        self.folders = sorted({Path(os.path.abspath(folder)) for folder in folders}, key=lambda p: len(p.parts), reverse=True)

    def folder_of(self, path: Path) -> Path | None:
        """The innermost workspace folder holding ``path`` (None for a file outside them all)."""
        for folder in self.folders:
            if path == folder or folder in path.parents:
                return folder
        return None

    def for_path(self, path: Path) -> Profile:
        anchor = self.folder_of(path) or path.parent
        try:
            config = self._config_for(path.parent)
        except ConfigError as error:
            return self._fallback(anchor, str(error))
        key = (config, anchor if config is None else config.parent)
        profile = self._profiles.get(key)
        if profile is None:
            profile = self._profiles[key] = self._load(config, anchor)
        return profile

    def for_folder(self, folder: Path) -> Profile:
        return self.for_path(folder / "__init__.py")

    def reload(self) -> None:
        """Forget every profile: the next lint reads the config files again."""
        self._profiles.clear()
        self._configs.clear()

    def _config_for(self, directory: Path) -> Path | None:
        """``find_config`` once per directory (it parses TOML) until the next reload."""
        if directory not in self._configs:
            self._configs[directory] = find_config(directory)
        return self._configs[directory]

    def _load(self, config: Path | None, anchor: Path) -> Profile:
        try:
            settings = load_settings(config, cwd=anchor)
            profile = Profile(settings, RuleSetup(settings, ignore_noqa=False))
            profile.linter()  # rule selectors and option tables are checked here
            return profile
        except (ConfigError, SelectorError) as error:
            return self._fallback(anchor, str(error))

    @staticmethod
    def _fallback(anchor: Path, error: str) -> Profile:
        settings = load_settings(None, cwd=anchor)
        return Profile(settings, RuleSetup(settings, ignore_noqa=False), error=error)
