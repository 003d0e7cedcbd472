"""Loading and validating ``[tool.agentperf-lint]`` into one immutable :class:`Settings`.

Keys carry ruff's names and meaning so nobody has to learn a second vocabulary. Every mistake
(unknown key, wrongly typed value, broken TOML) is a :class:`ConfigError` with a one-line message
naming the file, the bad value and the valid choices: silently ignored keys are the commonest
complaint about flake8/Fixit configuration. Rule *codes* are checked later by the CLI through the
registry, and rule option tables by :func:`validate_rule_options`, so this module never imports
libcst (a warm cached run must not pay for it).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    import pathspec

    from .rule import Rule

TOOL_NAME = "agentperf-lint"
PYPROJECT = "pyproject.toml"
# dedicated files, top-level keys; in one directory they win over pyproject.toml (as in ruff)
DEDICATED_FILES = (".agentperf-lint.toml", "agentperf-lint.toml")
OUTPUT_FORMATS = ("text", "full", "json", "sarif", "github")
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".mypy_cache", ".nox", ".pants.d",
    ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__", "_build", "buck-out",
    "build", "dist", "node_modules", "site-packages", "venv", "__pycache__", ".agentperf_lint_cache",
)  # fmt: skip


class ConfigError(Exception):
    """A configuration mistake; the message is one line meant for the user (exit code 2)."""


@dataclass(frozen=True)
class Settings:
    """The effective settings: file values with command-line overrides applied."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    fix: bool = False
    unsafe_fixes: bool = False
    output_format: str = "text"
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False)
    project_root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        """Selectors that ``per-file-ignores`` turns off for ``path``.

        Patterns are gitignore-style and match the path relative to ``project_root`` (a pattern
        without a slash matches a file name at any depth); a leading ``!`` applies the selectors
        to every file the rest of the pattern does *not* match, as in ruff.
        """
        if not self.per_file_ignores:
            return ()
        relative = relative_posix(path, self.project_root)
        selected: list[str] = []
        specs = _per_file_specs(self.per_file_ignores)
        for (spec, negated), (_, selectors) in zip(specs, self.per_file_ignores, strict=True):
            if spec.match_file(relative) != negated:
                selected.extend(selector for selector in selectors if selector not in selected)
        return tuple(selected)

    def fingerprint(self) -> str:
        """A stable hash of everything that can change a file's findings (for the result cache).

        Path selection and output format are left out on purpose: they decide *which* files are
        linted and how results are shown, not what linting one file yields, so changing them
        must not throw the cache away.
        """
        payload = {
            "select": self.select,
            "extend_select": self.extend_select,
            "ignore": self.ignore,
            "per_file_ignores": self.per_file_ignores,
            "fix": self.fix,
            "unsafe_fixes": self.unsafe_fixes,
            "rule_options": self.rule_options,
        }
        text = json.dumps(payload, sort_keys=True, default=_jsonable)
        return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=8)
def _per_file_specs(
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[pathspec.GitIgnoreSpec, bool]]:
    """One compiled pattern per ``per-file-ignores`` key, with whether it was negated (``!``)."""
    import pathspec

    specs = []
    for pattern, _ in per_file_ignores:
        negated = pattern.startswith("!")
        specs.append((pathspec.GitIgnoreSpec.from_lines([pattern[1:] if negated else pattern]), negated))
    return specs


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def relative_posix(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, else its absolute form, POSIX-style."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # another drive on Windows
        relative = os.pardir
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return Path(absolute).as_posix().lstrip("/")
    return Path(relative).as_posix()


def _display(path: Path) -> str:
    """How a config file is named in messages: relative to the working directory when inside."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.getcwd())
    except ValueError:
        return absolute
    return absolute if relative.split(os.sep)[0] == os.pardir else relative


# -- reading files ---------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{_display(path)}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{_display(path)}: cannot read: {error.strerror or error}") from None


def _table_of(path: Path) -> dict[str, Any] | None:
    """Our table in ``path``: ``[tool.agentperf-lint]`` of a pyproject, or a dedicated file's top."""
    data = _read_toml(path)
    if path.name != PYPROJECT:
        return data
    table = data.get("tool", {}).get(TOOL_NAME) if isinstance(data.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool.{TOOL_NAME}] must be a table")
    return table


def find_config(start: Path) -> Path | None:
    """The nearest configuration walking up from ``start`` (a file or a directory).

    In each directory a dedicated ``.agentperf-lint.toml`` or ``agentperf-lint.toml`` wins, then a
    ``pyproject.toml`` that has a ``[tool.agentperf-lint]`` table; a pyproject without our table
    is skipped, as ruff does, so a monorepo's sub-packages inherit the root's settings.
    """
    directory = Path(os.path.abspath(start))
    if not directory.is_dir():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        for name in DEDICATED_FILES:
            if (candidate_dir / name).is_file():
                return candidate_dir / name
        pyproject = candidate_dir / PYPROJECT
        if pyproject.is_file() and _mentions_tool(pyproject) and _table_of(pyproject) is not None:
            return pyproject
    return None


def _mentions_tool(path: Path) -> bool:
    """Cheap check before parsing a pyproject: most never mention us."""
    try:
        return TOOL_NAME in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


# -- validating values -----------------------------------------------------------------------


def _string_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


_KINDS = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", dict: "a table",
          list: "a list", tuple: "a list"}  # fmt: skip


def _describe(value: Any) -> str:
    kind = _KINDS.get(type(value), type(value).__name__)
    return f"{json.dumps(value, default=repr)} ({kind})"


def _as_strings(key: str, value: Any, where: str) -> tuple[str, ...]:
    strings = _string_list(value)
    if strings is None:
        raise ConfigError(f"{where}: '{key}' must be a list of strings, got {_describe(value)}")
    return strings


def _as_bool(key: str, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false, got {_describe(value)}")
    return value


def _as_format(key: str, value: Any, where: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise ConfigError(f"{where}: invalid {key} {_describe(value)}; valid values: {', '.join(OUTPUT_FORMATS)}")
    return str(value)


def _as_per_file(key: str, value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: '{key}' must be a table of glob = [selectors], got {_describe(value)}")
    pairs = []
    for pattern, selectors in value.items():
        pairs.append((pattern, _as_strings(f"{key}.{pattern}", selectors, where)))
    return tuple(pairs)


# file key (kebab-case, ruff's names) -> (Settings field, validator)
_Validator = Callable[[str, Any, str], Any]
KEYS: dict[str, tuple[str, _Validator]] = {
    "select": ("select", _as_strings),
    "extend-select": ("extend_select", _as_strings),
    "ignore": ("ignore", _as_strings),
    "per-file-ignores": ("per_file_ignores", _as_per_file),
    "exclude": ("exclude", _as_strings),
    "extend-exclude": ("extend_exclude", _as_strings),
    "force-exclude": ("force_exclude", _as_bool),
    "respect-gitignore": ("respect_gitignore", _as_bool),
    "fix": ("fix", _as_bool),
    "unsafe-fixes": ("unsafe_fixes", _as_bool),
    "output-format": ("output_format", _as_format),
}
OVERRIDE_KEYS = frozenset(
    {"select", "extend_select", "ignore", "fix", "unsafe_fixes", "output_format", "exclude",
     "extend_exclude", "force_exclude", "respect_gitignore"}
)  # fmt: skip
_APPENDED = ("extend_select", "ignore", "extend_exclude")  # command line adds to the file's list


def _from_table(table: Mapping[str, Any], where: str, header: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rule_options: dict[str, Mapping[str, Any]] = {}
    for key, value in table.items():
        if key in KEYS:
            name, validate = KEYS[key]
            values[name] = validate(key, value, where)
        elif isinstance(value, dict):
            rule_options[key] = dict(value)  # checked by validate_rule_options
        else:
            valid = ", ".join(sorted(KEYS))
            raise ConfigError(
                f"{where}: unknown key '{key}' in {header}; valid keys: {valid} "
                f"(rule options go in sub-tables such as [{header.strip('[]')}.<table>])"
            )
    values["rule_options"] = rule_options
    return values


def _apply_overrides(values: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """Command-line values win over the file, with ruff's layering.

    ``select`` starts a fresh selection (the file's ``select``, ``extend-select`` and ``ignore``
    are dropped: the command line names exactly what to run); ``extend_select``, ``ignore`` and
    ``extend_exclude`` add to the file's lists; every other key replaces the file's value.
    ``None`` means "not given" so argparse defaults can be passed straight through.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    unknown = sorted(set(given) - OVERRIDE_KEYS)
    if unknown:
        valid = ", ".join(sorted(OVERRIDE_KEYS))
        raise ConfigError(f"unknown command-line setting(s) {', '.join(unknown)}; valid: {valid}")
    kebab = {name: key for key, (name, _) in KEYS.items()}
    if "select" in given:
        values.pop("extend_select", None)
        values.pop("ignore", None)
    for name, value in given.items():
        key = kebab[name]
        checked = KEYS[key][1](key, value, "command line")
        if name in _APPENDED:
            checked = tuple(values.get(name, ())) + checked
        values[name] = checked


def load_settings(
    config_path: Path | None,
    *,
    isolated: bool = False,
    cwd: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from ``config_path`` (found by :func:`find_config`, or ``--config``) and overrides.

    Without a file (``None`` or ``isolated``) the defaults apply and ``project_root`` is ``cwd``;
    otherwise it is the file's directory, which anchors exclude and per-file-ignores patterns.
    A ``pyproject.toml`` given explicitly without our table counts as empty.
    """
    root = Path(os.path.abspath(cwd if cwd is not None else Path.cwd()))
    values: dict[str, Any] = {}
    used_path: Path | None = None
    if config_path is not None and not isolated:
        used_path = Path(os.path.abspath(config_path))
        table = _table_of(used_path)
        header = f"[tool.{TOOL_NAME}]" if used_path.name == PYPROJECT else "the top level"
        values = _from_table(table or {}, _display(config_path), header)
        root = used_path.parent
    _apply_overrides(values, overrides or {})
    known = {f.name for f in fields(Settings)}
    assert set(values) <= known, set(values) - known
    return Settings(**values, project_root=root, config_path=used_path)


# -- rule option tables ----------------------------------------------------------------------


def validate_rule_options(settings: Settings, rules: Sequence[type[Rule]]) -> dict[str, dict[str, Any]]:
    """Check ``[tool.agentperf-lint.<table>]`` against the rules' declared options.

    Several rules may share a table (their options are united). Returns every known table with
    defaults filled in and the user's values applied; a ``list`` given for a ``tuple`` option
    becomes a tuple, since TOML has no tuples.
    """
    declared: dict[str, dict[str, Any]] = {}
    for rule in rules:
        if rule.options_table is None:
            continue
        table = declared.setdefault(rule.options_table, {})
        for option in rule.options:
            table.setdefault(option.name, option)
    where = _display(settings.config_path) if settings.config_path else "configuration"
    prefix = f"tool.{TOOL_NAME}." if settings.config_path and settings.config_path.name == PYPROJECT else ""
    result = {table: {name: option.default for name, option in options.items()} for table, options in declared.items()}
    for table, values in settings.rule_options.items():
        if table not in declared:
            tables, keys = ", ".join(sorted(declared)) or "none", ", ".join(sorted(KEYS))
            raise ConfigError(
                f"{where}: unknown option table [{prefix}{table}]; valid tables: {tables}; valid keys: {keys}"
            )
        for key, value in values.items():
            option = declared[table].get(key)
            if option is None:
                valid = ", ".join(sorted(declared[table]))
                raise ConfigError(f"{where}: unknown key '{key}' in [{prefix}{table}]; valid keys: {valid}")
            result[table][key] = _check_option(option.type, value, f"{where}: [{prefix}{table}] '{key}'")
    return result


def _check_option(expected: type | tuple[type, ...], value: Any, what: str) -> Any:
    types = expected if isinstance(expected, tuple) else (expected,)
    if tuple in types and isinstance(value, list):
        return tuple(value)
    if isinstance(value, bool) and bool not in types:  # bool is an int subclass; TOML says otherwise
        ok = False
    elif float in types and isinstance(value, int):
        ok = True
    else:
        ok = isinstance(value, types)
    if not ok:
        names = " or ".join("true or false" if t is bool else _KINDS.get(t, t.__name__) for t in types)
        raise ConfigError(f"{what} must be {names}, got {_describe(value)}")
    return value
