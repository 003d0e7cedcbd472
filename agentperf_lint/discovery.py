"""Which files to lint: the paths on the command line, expanded the way ruff and git would.

Directories are walked once, top-down, and an excluded or git-ignored directory is never entered
(skipping ``.venv`` or ``node_modules`` is most of discovery's speed). Patterns are gitignore-style
(``pathspec.GitIgnoreSpec``): ``exclude``/``extend-exclude`` relative to the project root, each
``.gitignore`` relative to its own directory with deeper files overriding shallower ones, and
``.git/info/exclude`` relative to the work tree. Files are never read here; ``@generated`` files
are the engine's business.

What the user names explicitly wins, as in ruff: a named file is linted whatever its extension or
exclusion, and a named directory is entered even if a pattern excludes it (patterns that match the
directory itself are set aside for that walk), unless ``force-exclude`` is on, which is what
pre-commit needs since it passes every staged file by name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pathspec

from .config import Settings, relative_posix

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")  # notebooks are linted by default, as ruff does


class DiscoveryError(Exception):
    """A path named on the command line does not exist (one line: ``path: No such file or directory``)."""


class _Patterns:
    """Gitignore-style lines anchored at ``base`` (an absolute directory).

    Plain names (``.venv``, ``build/``), most of the default excludes and of real ignore files,
    are looked up in a set by the entry's name instead of running every regular expression on
    every entry: during a top-down walk whose excluded directories are pruned, a plain name can
    only match the entry itself. Any ``!`` line makes order matter, so then everything goes
    through ``pathspec``.
    """

    def __init__(self, base: str, lines: Iterable[str]) -> None:
        self.base = base
        self.lines = [line for line in lines if line.strip() and not line.startswith("#")]
        negated = any(line.startswith("!") for line in self.lines)
        self.names = {line for line in self.lines if not negated and _PLAIN.match(line)}
        self.dir_names = {line[:-1] for line in self.lines if not negated and _PLAIN_DIR.match(line)}
        rest = [line for line in self.lines if negated or not (_PLAIN.match(line) or _PLAIN_DIR.match(line))]
        self.spec = pathspec.GitIgnoreSpec.from_lines(rest) if rest else None

    def prefix(self, directory: str) -> str:
        """``directory`` relative to ``base`` as a prefix for its entries (``""`` at the base)."""
        relative = relative_posix(Path(directory), Path(self.base))
        return "" if relative == "." else relative + "/"

    def check(self, relative: str, name: str, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by a ``!`` line; None: no line matches."""
        if name in self.names or (is_dir and name in self.dir_names):
            return True
        if self.spec is None:
            return None
        return self.spec.check_file(relative + "/" if is_dir else relative).include

    def below(self, root: str) -> _Patterns:
        """These patterns for a walk starting at ``root``, without the lines that match ``root``
        or one of its ancestors: naming a directory on the command line overrides them."""
        relative = self.prefix(root)
        if not relative or not self.lines or not pathspec.GitIgnoreSpec.from_lines(self.lines).match_file(relative):
            return self
        kept = [line for line in self.lines if not pathspec.GitIgnoreSpec.from_lines([line]).match_file(relative)]
        return _Patterns(self.base, kept)


_PLAIN = re.compile(r"^[^/*?\[\]\\!#\s]+$")
_PLAIN_DIR = re.compile(r"^[^/*?\[\]\\!#\s]+/$")


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def _git_root(directory: str) -> str | None:
    for candidate in (directory, *map(str, Path(directory).parents)):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return None


def _info_exclude(git_root: str) -> _Patterns:
    """``.git/info/exclude``; ``.git`` may be a file pointing elsewhere (worktrees, submodules)."""
    git_dir = os.path.join(git_root, ".git")
    if os.path.isfile(git_dir):
        target = next((line[7:].strip() for line in _read_lines(git_dir) if line.startswith("gitdir:")), "")
        git_dir = os.path.normpath(os.path.join(git_root, target))
        common = _read_lines(os.path.join(git_dir, "commondir"))
        if common:
            git_dir = os.path.normpath(os.path.join(git_dir, common[0].strip()))
    return _Patterns(git_root, _read_lines(os.path.join(git_dir, "info", "exclude")))


def _ancestor_gitignores(directory: str, project_root: str) -> tuple[_Patterns, ...]:
    """Ignore files that already apply at ``directory``: ``info/exclude`` and every
    ``.gitignore`` from the work tree's root down to ``directory`` (included), shallow first.

    Outside a git repository the project root plays the work tree's part, so ``.gitignore``
    files are honoured in a plain checkout or an unpacked archive too.
    """
    git_root = _git_root(directory)
    chain: list[_Patterns] = []
    if git_root is not None:
        top = git_root
        chain.append(_info_exclude(git_root))
    elif directory == project_root or directory.startswith(project_root.rstrip(os.sep) + os.sep):
        top = project_root
    else:
        top = directory
    relative = os.path.relpath(directory, top)
    parts = [] if relative == os.curdir else relative.split(os.sep)
    current = top
    for part in [None, *parts]:
        if part is not None:
            current = os.path.join(current, part)
        ignore_file = os.path.join(current, ".gitignore")
        if os.path.isfile(ignore_file):
            chain.append(_Patterns(current, _read_lines(ignore_file)))
    return tuple(chain)


def _exclusions(settings: Settings) -> _Patterns:
    return _Patterns(os.path.abspath(settings.project_root), (*settings.exclude, *settings.extend_exclude))


def is_excluded(path: Path, settings: Settings) -> bool:
    """Whether ``exclude``/``extend-exclude`` cover ``path`` or one of its parent directories.

    This is the ``force-exclude`` test for named files and for ``--stdin-filename``; it does not
    consult ``.gitignore`` (ruff's behaviour: a tracked file passed by name is the user's choice).
    """
    relative = relative_posix(path, settings.project_root)
    return pathspec.GitIgnoreSpec.from_lines((*settings.exclude, *settings.extend_exclude)).match_file(relative)


def discover(paths: Sequence[str], settings: Settings, *, warnings: list[str] | None = None) -> list[Path]:
    """The files to lint under ``paths``, sorted and each listed once.

    Paths are returned as the user spelled them (``src/pkg/mod.py`` for ``src``), which is what
    the outputs display. Symlinks are followed once: a file reached twice (two arguments, a
    symlink) is listed once and a symlinked directory loop is entered once. A directory that
    cannot be read is skipped with a ``"path: reason"`` line appended to ``warnings`` (when the
    caller passes a list), because one unreadable folder should not stop a CI run.
    Raises :class:`DiscoveryError` for a path that does not exist.
    """
    exclusions = _exclusions(settings)
    project_root = os.path.abspath(settings.project_root)
    found: dict[str, Path] = {}  # real path -> displayed path
    visited_dirs: set[str] = set()
    for argument in paths:
        absolute = os.path.abspath(argument)
        if not os.path.exists(absolute):
            raise DiscoveryError(f"{argument}: No such file or directory")
        if settings.force_exclude and is_excluded(Path(absolute), settings):
            continue
        if not os.path.isdir(absolute):
            found.setdefault(os.path.realpath(absolute), Path(argument))
            continue
        gitignores = _ancestor_gitignores(absolute, project_root) if settings.respect_gitignore else ()
        _walk(
            absolute,
            argument,
            exclusions.below(absolute),
            tuple(patterns.below(absolute) for patterns in gitignores),
            settings.respect_gitignore,
            found,
            visited_dirs,
            warnings,
        )
    return sorted(found.values())


def _walk(
    root: str,
    display_root: str,
    exclusions: _Patterns,
    gitignores: tuple[_Patterns, ...],
    respect_gitignore: bool,
    found: dict[str, Path],
    visited_dirs: set[str],
    warnings: list[str] | None,
) -> None:
    # each pattern set travels with the current directory's path relative to its base, so an
    # entry's relative path is one string concatenation rather than an os.path.relpath call
    start = ((exclusions, exclusions.prefix(root)), *((patterns, patterns.prefix(root)) for patterns in gitignores))
    stack: list[tuple[str, str, tuple[tuple[_Patterns, str], ...]]] = [(root, display_root, start)]
    while stack:
        directory, display, chain = stack.pop()
        real_directory = os.path.realpath(directory)
        if real_directory in visited_dirs:
            continue
        visited_dirs.add(real_directory)
        try:
            with os.scandir(directory) as iterator:
                entries = list(iterator)
        except OSError as error:
            if warnings is not None:
                warnings.append(f"{Path(display)}: {error.strerror or error}")
            continue
        # the walk root's own .gitignore is already in the chain
        if respect_gitignore and directory != root and any(entry.name == ".gitignore" for entry in entries):
            own = _Patterns(directory, _read_lines(os.path.join(directory, ".gitignore")))
            chain = (*chain, (own, ""))
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if not is_dir and not name.endswith(PYTHON_SUFFIXES):
                continue
            if _ignored(chain, name, is_dir):
                continue
            shown = os.path.join(display, name)
            if is_dir:
                stack.append((entry.path, shown, tuple((patterns, prefix + name + "/") for patterns, prefix in chain)))
            elif entry.is_file():
                key = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real_directory, name)
                found.setdefault(key, Path(shown))


def _ignored(chain: tuple[tuple[_Patterns, str], ...], name: str, is_dir: bool) -> bool:
    """``chain[0]`` is exclude/extend-exclude; then git's precedence among ignore files: the
    deepest one with a matching line decides."""
    exclusions, prefix = chain[0]
    if exclusions.check(prefix + name, name, is_dir):
        return True
    for patterns, prefix in reversed(chain[1:]):
        verdict = patterns.check(prefix + name, name, is_dir)
        if verdict is not None:
            return verdict
    return False
