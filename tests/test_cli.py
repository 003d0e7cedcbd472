"""End-to-end tests of the command line, through a real subprocess as users and CI run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BAD = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
FIXED = "import time\nimport asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n"
GOOD = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n"


def run(*args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "agentperf_lint", *args],
        cwd=cwd, input=stdin, capture_output=True, env=environment, timeout=120,
    )
    return subprocess.CompletedProcess(
        completed.args, completed.returncode, completed.stdout.decode(), completed.stderr.decode()
    )


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\n")
    return tmp_path


# -- exit codes and the text format ------------------------------------------------------
def test_clean_file_exits_zero(project: Path) -> None:
    write(project, "ok.py", GOOD)
    result = run("ok.py", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "All checks passed" in result.stderr


def test_finding_is_printed_with_position_and_fix_mark(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = run("bad.py", cwd=project)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("bad.py:5:5: APL101 [*] ")
    assert "time.sleep" in line and "asyncio.sleep" in line
    assert "1 fixable with `--fix`" in result.stderr


def test_exit_zero_hides_findings_but_not_errors(project: Path) -> None:
    write(project, "bad.py", BAD)
    assert run("bad.py", "--exit-zero", cwd=project).returncode == 0
    assert run("missing.py", "--exit-zero", cwd=project).returncode == 2


def test_default_path_is_the_current_directory(project: Path) -> None:
    write(project, "pkg/bad.py", BAD)
    result = run(cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith(os.path.join("pkg", "bad.py") + ":5:5: APL101")


# -- bad input: one line, exit 2, never a traceback ----------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing.py"], "missing.py: No such file or directory"),
        (["--select", "APL999", "."], "unknown rule selector 'APL999'"),
        (["--ignore", "NOPE", "."], "unknown rule selector 'NOPE'"),
        (["--explain", "APL999"], "unknown rule 'APL999'"),
        (["--output-format", "xml", "."], "invalid choice: 'xml'"),
        (["--jobs", "0", "."], "--jobs must be at least 1"),
    ],
)
def test_usage_errors_are_one_line(project: Path, args: list[str], expected: str) -> None:
    write(project, "ok.py", GOOD)
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[tool.agentperf-lint]\nselekt = ['APL1']\n", "selekt"),
        ("[tool.agentperf-lint]\nselect = 'APL1'\n", "select"),
        ("[tool.agentperf-lint]\nselect = ['APL77']\n", "APL77"),
        ("[tool.agentperf-lint\n", "pyproject.toml"),
        ("[tool.agentperf-lint.nosuchtable]\nx = 1\n", "nosuchtable"),
    ],
)
def test_config_errors_are_one_line(tmp_path: Path, config: str, expected: str) -> None:
    write(tmp_path, "pyproject.toml", config)
    write(tmp_path, "ok.py", BAD)
    result = run("ok.py", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unparsable_file_is_a_finding_and_other_files_are_still_linted(project: Path) -> None:
    write(project, "a_broken.py", "async def f(:\n    pass\n")
    write(project, "b_bad.py", BAD)
    result = run(".", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("a_broken.py:1:13: APL001 cannot parse file")
    assert lines[1].startswith("b_bad.py:5:5: APL101")


def test_undecodable_file_is_a_finding(project: Path) -> None:
    (project / "latin.py").write_bytes(b"x = '\xff'\nasync def f():\n    pass\n")
    result = run("latin.py", cwd=project)
    assert result.returncode == 1
    assert "APL001 cannot decode file" in result.stdout


# -- configuration and selection -----------------------------------------------------------
def test_config_select_and_command_line_override(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\nignore = ['APL1']\n")
    write(tmp_path, "bad.py", BAD)
    assert run("bad.py", cwd=tmp_path).returncode == 0
    # as in ruff, --select on the command line replaces the file's selection, ignores included
    assert run("bad.py", "--select", "APL1", cwd=tmp_path).returncode == 1
    assert run("bad.py", "--extend-select", "APL101", cwd=tmp_path).returncode == 1  # more specific
    assert run("bad.py", "--isolated", cwd=tmp_path).returncode == 1


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint.per-file-ignores]\n'tests/*' = ['APL1']\n")
    write(tmp_path, "tests/test_x.py", BAD)
    write(tmp_path, "src/x.py", BAD)
    result = run(".", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [os.path.join("src", "x.py")]


def test_rule_names_work_as_selectors(project: Path) -> None:
    write(project, "bad.py", BAD)
    assert run("bad.py", "--ignore", "blocking-sleep", cwd=project).returncode == 0


def test_gitignore_and_exclude_are_honoured(project: Path) -> None:
    write(project, ".gitignore", "generated/\n")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    write(project, "generated/bad.py", BAD)
    write(project, "vendor/bad.py", BAD)
    write(project, "app/bad.py", BAD)
    result = run(".", "--extend-exclude", "vendor", "--show-files", cwd=project)
    assert result.stdout.split() == [os.path.join("app", "bad.py")]


def test_force_exclude_applies_to_named_files(project: Path) -> None:
    write(project, "vendor/bad.py", BAD)
    assert run("vendor/bad.py", "--extend-exclude", "vendor", cwd=project).returncode == 1
    assert run("vendor/bad.py", "--extend-exclude", "vendor", "--force-exclude", cwd=project).returncode == 0


# -- suppression ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "    time.sleep(1)  # noqa\n",
        "    time.sleep(1)  # noqa: APL101\n",
        "    time.sleep(1)  # noqa: APL1\n",
        "    time.sleep(1)  # NOQA:APL101,APL201\n",
        "    time.sleep(1)  # noqa: blocking-sleep\n",
        "    # noqa: APL101\n    time.sleep(1)\n",
        "    x = (\n        time.sleep(1)\n    )  # noqa: APL101\n",
    ],
)
def test_noqa_forms_suppress(project: Path, body: str) -> None:
    write(project, "x.py", "import time\n\n\nasync def f():\n" + body)
    assert run("x.py", cwd=project).returncode == 0


@pytest.mark.parametrize(
    "body",
    [
        "    time.sleep(1)  # noqa: APL2\n",
        "    time.sleep(1)  # noqa: E501\n",
        "    # noqa: APL101\n\n    time.sleep(1)\n",
    ],
)
def test_noqa_for_other_codes_does_not_suppress(project: Path, body: str) -> None:
    write(project, "x.py", "import time\n\n\nasync def f():\n" + body)
    assert run("x.py", cwd=project).returncode == 1


def test_file_level_noqa_and_ignore_noqa(project: Path) -> None:
    write(project, "x.py", "# agentperf-lint: noqa: APL101\n" + BAD)
    assert run("x.py", cwd=project).returncode == 0
    assert run("x.py", "--ignore-noqa", cwd=project).returncode == 1


# -- output formats ------------------------------------------------------------------------
def test_json_output_contract(project: Path) -> None:
    write(project, "b.py", BAD)
    write(project, "a.py", BAD)
    result = run(".", "--output-format", "json", cwd=project)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [item["path"] for item in data] == ["a.py", "b.py"]
    assert list(data[0]) == ["path", "line", "column", "end_line", "end_column", "code", "name", "message", "url", "fix", "cell"]
    assert data[0]["cell"] is None
    assert data[0]["fix"]["applicability"] == "safe" and "asyncio.sleep" in data[0]["fix"]["title"]
    assert (data[0]["line"], data[0]["column"], data[0]["end_line"], data[0]["end_column"]) == (5, 5, 5, 18)
    assert result.stderr == ""  # machine formats keep stderr quiet


def test_format_alias_and_output_file(project: Path) -> None:
    write(project, "a.py", BAD)
    result = run("a.py", "--format", "github", "-o", "out.txt", cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    text = (project / "out.txt").read_text()
    assert text.startswith("::warning file=a.py,line=5,col=5,endLine=5,endColumn=18,title=APL101")


def test_sarif_output_is_valid_json_with_rules(project: Path) -> None:
    write(project, "a.py", BAD)
    data = json.loads(run("a.py", "--output-format", "sarif", cwd=project).stdout)
    assert data["version"] == "2.1.0"
    run_ = data["runs"][0]
    assert run_["results"][0]["ruleId"] == "APL101"
    assert run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a.py"
    assert any(rule["id"] == "APL101" for rule in run_["tool"]["driver"]["rules"])


def test_full_output_shows_source_and_caret(project: Path) -> None:
    write(project, "a.py", BAD)
    out = run("a.py", "--output-format", "full", cwd=project).stdout
    assert "time.sleep(1)" in out
    assert "^" in out


def test_statistics(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "b.py", BAD)
    out = run(".", "--statistics", cwd=project).stdout
    assert out.split("\t")[0].strip() == "2"
    assert "APL101" in out and "blocking-sleep" in out


def test_explain_and_list_rules() -> None:
    here = Path.cwd()
    explained = run("--explain", "APL101", cwd=here)
    assert explained.returncode == 0
    assert "blocking-sleep (APL101)" in explained.stdout
    assert "## Why is this bad?" in explained.stdout
    listed = json.loads(run("--list-rules", "json", cwd=here).stdout)
    assert {"APL001", "APL101"} <= {rule["code"] for rule in listed}


def test_version() -> None:
    result = run("--version", cwd=Path.cwd())
    assert result.returncode == 0 and result.stdout.startswith("agentperf-lint ")


def test_color_only_when_asked(project: Path) -> None:
    write(project, "a.py", BAD)
    assert "\x1b[" in run("a.py", "--color", "always", cwd=project, env={"NO_COLOR": ""}).stdout
    assert "\x1b[" not in run("a.py", cwd=project).stdout


# -- stdin --------------------------------------------------------------------------------
def test_stdin_with_filename(project: Path) -> None:
    result = run("-", "--stdin-filename", "svc/app.py", cwd=project, stdin=BAD.encode())
    assert result.returncode == 1
    assert result.stdout.startswith(os.path.join("svc", "app.py") + ":5:5: APL101") or result.stdout.startswith("svc/app.py:5:5")


def test_stdin_fix_writes_source_to_stdout(project: Path) -> None:
    result = run("-", "--fix", cwd=project, stdin=BAD.encode())
    assert result.stdout == FIXED
    assert result.returncode == 0


# -- fixes --------------------------------------------------------------------------------
def test_fix_rewrites_and_is_idempotent(project: Path) -> None:
    target = write(project, "a.py", BAD)
    os.chmod(target, 0o640)
    result = run("a.py", "--fix", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.read_text() == FIXED
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    again = run("a.py", "--fix", cwd=project)
    assert again.returncode == 0 and target.read_text() == FIXED


def test_fix_preserves_crlf_and_bom(project: Path) -> None:
    original = b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode()
    target = project / "win.py"
    target.write_bytes(original)
    assert run("win.py", "--fix", cwd=project).returncode == 0
    assert target.read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()


def test_fix_preserves_latin1_encoding(project: Path) -> None:
    source = "# -*- coding: latin-1 -*-\nimport time\nNAME = 'caf\xe9'\n\n\nasync def f():\n    time.sleep(1)\n"
    target = project / "latin.py"
    target.write_bytes(source.encode("latin-1"))
    assert run("latin.py", "--fix", cwd=project).returncode == 0
    data = target.read_bytes()
    assert b"caf\xe9" in data and b"await asyncio.sleep(1)" in data


def test_diff_prints_and_writes_nothing(project: Path) -> None:
    target = write(project, "a.py", BAD)
    result = run("a.py", "--diff", cwd=project)
    assert result.returncode == 1
    assert "+    await asyncio.sleep(1)" in result.stdout
    assert target.read_text() == BAD
    write(project, "a.py", GOOD)
    assert run("a.py", "--diff", cwd=project).returncode == 0


def test_unparsable_file_is_never_touched_by_fix(project: Path) -> None:
    broken = b"import time\r\nasync def f(:\r\n    time.sleep(1)\r\n"
    target = project / "broken.py"
    target.write_bytes(broken)
    result = run("broken.py", "--fix", cwd=project)
    assert result.returncode == 1
    assert target.read_bytes() == broken


# -- cache and parallelism -------------------------------------------------------------------
def test_cache_is_invalidated_by_file_and_config_changes(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\n")
    target = write(tmp_path, "a.py", GOOD)
    assert run("a.py", cwd=tmp_path).returncode == 0
    cache_dir = tmp_path / ".agentperf_lint_cache"
    assert (cache_dir / "CACHEDIR.TAG").is_file()
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    target.write_text(BAD)
    assert run("a.py", cwd=tmp_path).returncode == 1  # content changed
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\nignore = ['APL101']\n")
    assert run("a.py", cwd=tmp_path).returncode == 0  # configuration changed
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\n")
    assert run("a.py", cwd=tmp_path).returncode == 1


def test_warm_run_does_not_import_libcst(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "helpers.py", "def read(p):\n    return open(p).read()\n")
    write(project, "b.py", "from helpers import read\n\n\nasync def f():\n    return read('x')\n")
    assert run("a.py", cwd=project).returncode == 1
    code = (
        "import sys; from agentperf_lint.cli import main; rc = main(['a.py']); "
        "print('LIBCST' if 'libcst' in sys.modules else 'NO-LIBCST'); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout.strip().endswith("NO-LIBCST")


def test_parallel_results_equal_serial(project: Path) -> None:
    for index in range(60):
        write(project, f"m{index:02}.py", BAD if index % 3 else GOOD)
    write(project, "m_broken.py", "async def f(:\n")
    serial = run(".", "--jobs", "1", "--no-cache", "--output-format", "json", cwd=project)
    parallel = run(".", "--jobs", "2", "--no-cache", "--output-format", "json", cwd=project)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout
    assert len(json.loads(serial.stdout)) == 41
