"""Configuration: finding the file, ruff-named keys, overrides, and one-line errors."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest

from agentperf_lint.config import (
    DEFAULT_EXCLUDE,
    ConfigError,
    Settings,
    find_config,
    load_settings,
    validate_rule_options,
)
from agentperf_lint.rule import Option, Rule

VALID_KEYS = (
    "exclude, extend-exclude, extend-select, fix, force-exclude, ignore, output-format, "
    "per-file-ignores, respect-gitignore, select, unsafe-fixes"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_a_file(project: Path) -> None:
    settings = load_settings(None)
    assert settings.select is None
    assert settings.exclude == DEFAULT_EXCLUDE
    assert {".git", ".venv", "site-packages", "__pycache__", ".agentperf_lint_cache"} <= set(settings.exclude)
    assert settings.respect_gitignore and not settings.force_exclude and not settings.fix
    assert settings.output_format == "text"
    assert settings.project_root == project and settings.config_path is None


def test_reads_every_key_from_pyproject(project: Path) -> None:
    path = write(
        project / "pyproject.toml",
        """
        [project]
        name = "demo"

        [tool.agentperf-lint]
        select = ["APL1"]
        extend-select = ["APL301"]
        ignore = ["APL102"]
        exclude = ["generated"]
        extend-exclude = ["examples"]
        force-exclude = true
        respect-gitignore = false
        fix = true
        unsafe-fixes = true
        output-format = "json"

        [tool.agentperf-lint.per-file-ignores]
        "tests/*" = ["APL2"]

        [tool.agentperf-lint.blocking]
        extra-calls = {"mydb.query" = "mydb.aquery"}
        """,
    )
    settings = load_settings(path)
    assert settings.select == ("APL1",)
    assert settings.extend_select == ("APL301",)
    assert settings.ignore == ("APL102",)
    assert settings.exclude == ("generated",)
    assert settings.extend_exclude == ("examples",)
    assert settings.force_exclude and not settings.respect_gitignore
    assert settings.fix and settings.unsafe_fixes
    assert settings.output_format == "json"
    assert settings.per_file_ignores == (("tests/*", ("APL2",)),)
    assert settings.rule_options == {"blocking": {"extra-calls": {"mydb.query": "mydb.aquery"}}}
    assert settings.project_root == project and settings.config_path == path
    pickle.loads(pickle.dumps(settings))  # settings travel to worker processes


def test_find_config_walks_up_and_skips_foreign_pyprojects(project: Path) -> None:
    root = write(project / "pyproject.toml", "[tool.agentperf-lint]\n")
    write(project / "pkg" / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    (project / "pkg" / "src").mkdir()
    assert find_config(project / "pkg" / "src") == root
    assert find_config(project / "pkg" / "src" / "mod.py") == root


def test_dedicated_file_wins_in_its_directory(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.agentperf-lint]\nselect = ['APL1']\n")
    dedicated = write(project / "agentperf-lint.toml", "select = ['APL2']\n")
    assert find_config(project) == dedicated
    assert load_settings(dedicated).select == ("APL2",)


def test_no_config_found(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.ruff]\n")
    found = find_config(project)
    assert found is None or project not in found.parents  # nothing in our tree


def test_explicit_pyproject_without_our_table_is_empty(project: Path) -> None:
    path = write(project / "pyproject.toml", "[tool.ruff]\n")
    assert load_settings(path).select is None


def test_isolated_ignores_the_file(project: Path) -> None:
    path = write(project / "pyproject.toml", "[tool.agentperf-lint]\nselect = ['APL1']\n")
    settings = load_settings(path, isolated=True, cwd=project / "elsewhere")
    assert settings.select is None and settings.config_path is None
    assert settings.project_root == project / "elsewhere"


def test_command_line_overrides(project: Path) -> None:
    path = write(
        project / "pyproject.toml",
        """
        [tool.agentperf-lint]
        select = ["APL1"]
        extend-select = ["APL301"]
        ignore = ["APL102"]
        extend-exclude = ["examples"]
        output-format = "json"
        """,
    )
    layered = load_settings(
        path,
        overrides={"extend_select": ["APL2"], "ignore": ["APL103"], "extend_exclude": ["bench"],
                   "output_format": "sarif", "fix": None},
    )  # fmt: skip
    assert layered.select == ("APL1",)
    assert layered.extend_select == ("APL301", "APL2")
    assert layered.ignore == ("APL102", "APL103")
    assert layered.extend_exclude == ("examples", "bench")
    assert layered.output_format == "sarif" and layered.fix is False
    fresh = load_settings(path, overrides={"select": ["APL101"]})
    assert (fresh.select, fresh.extend_select, fresh.ignore) == (("APL101",), (), ())


def test_per_file_ignores_are_gitignore_style_from_the_project_root(project: Path) -> None:
    path = write(
        project / "pyproject.toml",
        """
        [tool.agentperf-lint.per-file-ignores]
        "tests/**" = ["APL2"]
        "conftest.py" = ["APL1"]
        "!src/**" = ["APL3"]
        """,
    )
    settings = load_settings(path)
    assert settings.ignored_for(project / "tests" / "unit" / "test_x.py") == ("APL2", "APL3")
    assert settings.ignored_for(project / "pkg" / "conftest.py") == ("APL1", "APL3")
    assert settings.ignored_for(project / "src" / "app.py") == ()
    assert settings.ignored_for(Path("tests/a.py")) == ("APL2", "APL3")  # relative to the cwd


def test_fingerprint_follows_what_changes_findings(project: Path) -> None:
    base = Settings(project_root=project)
    assert base.fingerprint() == Settings(project_root=project).fingerprint()
    assert base.fingerprint() != Settings(project_root=project, select=("APL1",)).fingerprint()
    assert base.fingerprint() != Settings(project_root=project, rule_options={"b": {"x": 1}}).fingerprint()
    assert base.fingerprint() == Settings(project_root=project, output_format="json").fingerprint()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("selec = ['APL1']", f"pyproject.toml: unknown key 'selec' in [tool.agentperf-lint]; valid keys: {VALID_KEYS} "
         "(rule options go in sub-tables such as [tool.agentperf-lint.<table>])"),
        ("select = 'APL1'", "pyproject.toml: 'select' must be a list of strings, got \"APL1\" (a string)"),
        ("ignore = [1]", "pyproject.toml: 'ignore' must be a list of strings, got [1] (a list)"),
        ("fix = 'yes'", "pyproject.toml: 'fix' must be true or false, got \"yes\" (a string)"),
        ("output-format = 'xml'",
         "pyproject.toml: invalid output-format \"xml\" (a string); valid values: text, full, json, sarif, github"),
        ("per-file-ignores = ['x']",
         "pyproject.toml: 'per-file-ignores' must be a table of glob = [selectors], got [\"x\"] (a list)"),
        ("per-file-ignores = {'t/*' = 'APL1'}",
         "pyproject.toml: 'per-file-ignores.t/*' must be a list of strings, got \"APL1\" (a string)"),
        ("select = APL1", None),
    ],
)  # fmt: skip
def test_errors_are_one_line_and_name_the_valid_choices(project: Path, body: str, message: str | None) -> None:
    path = write(project / "pyproject.toml", f"[tool.agentperf-lint]\n{body}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert "\n" not in text
    if message is None:
        assert text.startswith("pyproject.toml: invalid TOML: ") and "line 2" in text
    else:
        assert text == message


def test_invalid_toml_while_searching_is_an_error(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.agentperf-lint\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: "):
        find_config(project)


def test_missing_config_file(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"^missing.toml: cannot read: No such file or directory$"):
        load_settings(Path("missing.toml"))


def test_bad_command_line_value(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"^command line: invalid output-format \"xml\""):
        load_settings(None, overrides={"output_format": "xml"})
    with pytest.raises(ConfigError, match=r"^unknown command-line setting\(s\) selec; valid: "):
        load_settings(None, overrides={"selec": ["APL1"]})


class _Blocking(Rule):
    code = "APL990"
    name = "test-blocking"
    options_table = "blocking"
    options: ClassVar[tuple[Option, ...]] = (
        Option("extra-calls", dict, {}, "extra blocking calls"),
        Option("max-depth", int, 3, "depth"),
    )


class _BlockingToo(Rule):
    code = "APL991"
    name = "test-blocking-too"
    options_table = "blocking"
    options: ClassVar[tuple[Option, ...]] = (Option("allowed", tuple, (), "calls to allow"),)


class _Loops(Rule):
    code = "APL992"
    name = "test-loops"
    options_table = "loops"
    options: ClassVar[tuple[Option, ...]] = (Option("ratio", float, 0.5, "a ratio"),)


RULES = (_Blocking, _BlockingToo, _Loops)


def test_rule_options_are_united_per_table_with_defaults(project: Path) -> None:
    path = write(
        project / "pyproject.toml",
        """
        [tool.agentperf-lint.blocking]
        extra-calls = {"mydb.query" = "mydb.aquery"}
        allowed = ["time.sleep"]

        [tool.agentperf-lint.loops]
        ratio = 1
        """,
    )
    assert validate_rule_options(load_settings(path), RULES) == {
        "blocking": {"extra-calls": {"mydb.query": "mydb.aquery"}, "max-depth": 3, "allowed": ("time.sleep",)},
        "loops": {"ratio": 1},
    }
    assert validate_rule_options(load_settings(None), RULES)["loops"] == {"ratio": 0.5}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.agentperf-lint.blockng]\nx = 1",
         "pyproject.toml: unknown option table [tool.agentperf-lint.blockng]; valid tables: blocking, loops; "
         f"valid keys: {VALID_KEYS}"),
        ("[tool.agentperf-lint.blocking]\nextra_calls = {}",
         "pyproject.toml: unknown key 'extra_calls' in [tool.agentperf-lint.blocking]; "
         "valid keys: allowed, extra-calls, max-depth"),
        ("[tool.agentperf-lint.blocking]\nmax-depth = true",
         "pyproject.toml: [tool.agentperf-lint.blocking] 'max-depth' must be an integer, got true (a boolean)"),
        ("[tool.agentperf-lint.blocking]\nextra-calls = ['a']",
         "pyproject.toml: [tool.agentperf-lint.blocking] 'extra-calls' must be a table, got [\"a\"] (a list)"),
    ],
)  # fmt: skip
def test_rule_option_errors(project: Path, body: str, message: str) -> None:
    settings = load_settings(write(project / "pyproject.toml", body + "\n"))
    with pytest.raises(ConfigError) as caught:
        validate_rule_options(settings, RULES)
    assert str(caught.value) == message


def test_importing_config_does_not_import_libcst() -> None:
    code = "import sys, agentperf_lint.config; assert 'libcst' not in sys.modules, 'libcst imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
