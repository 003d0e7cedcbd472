"""``--add-noqa``: exact expected files, idempotence, and bytes kept (CRLF, BOM, latin-1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentperf_lint.add_noqa import directives
from tests.test_cli import run, write

FIXTURES = Path(__file__).parent / "fixtures" / "add_noqa"
BEFORE = (FIXTURES / "basic_before.txt").read_bytes()
AFTER = (FIXTURES / "basic_after.txt").read_bytes()
COOKIE = "# -*- coding: latin-1 -*-\n".encode("latin-1")
LATIN = "    time.sleep(8)  # café\n".encode("latin-1")
LATIN_AFTER = "    time.sleep(8)  # café  # noqa: APL101\n".encode("latin-1")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", "[tool.agentperf-lint]\n\n[tool.agentperf-lint.blocking]\nreport-file-chains = true\n")
    return tmp_path


def adopt(project: Path, name: str, before: bytes, after: bytes, lines: int) -> None:
    """--add-noqa writes ``after``; a second run changes nothing; a plain lint is clean."""
    (project / name).write_bytes(before)
    first = run("--add-noqa", "--no-cache", ".", cwd=project)
    assert (first.returncode, first.stdout) == (0, ""), first.stderr
    noun = "line" if lines == 1 else "lines"
    assert first.stderr == f"Added a noqa directive to {lines} {noun} in 1 file.\n"
    assert (project / name).read_bytes() == after
    second = run("--add-noqa", ".", cwd=project)
    assert (second.returncode, second.stderr) == (0, "Added a noqa directive to 0 lines in 0 files.\n")
    assert (project / name).read_bytes() == after
    plain = run(".", cwd=project)
    assert (plain.returncode, plain.stdout) == (0, ""), plain.stdout


def test_directives_match_the_expected_file(project: Path) -> None:
    adopt(project, "app.py", BEFORE, AFTER, 10)


def test_crlf_line_endings_are_kept(project: Path) -> None:
    adopt(project, "app.py", BEFORE.replace(b"\n", b"\r\n"), AFTER.replace(b"\n", b"\r\n"), 10)


def test_a_bom_is_kept(project: Path) -> None:
    adopt(project, "app.py", b"\xef\xbb\xbf" + BEFORE, b"\xef\xbb\xbf" + AFTER, 10)


def test_latin1_with_a_coding_cookie_stays_latin1(project: Path) -> None:
    adopt(project, "app.py", COOKIE + BEFORE + LATIN, COOKIE + AFTER + LATIN_AFTER, 11)


def test_notebook_cells_get_the_directives(project: Path) -> None:
    before = (FIXTURES / "notebook_before.ipynb.json").read_bytes()
    after = (FIXTURES / "notebook_after.ipynb.json").read_bytes()
    adopt(project, "agent.ipynb", before, after, 3)


def test_cross_file_findings_get_a_directive_too(project: Path) -> None:
    write(project, "helpers.py", "def load(path):\n    with open(path) as f:\n        return f.read()\n")
    write(project, "app.py", "from helpers import load\n\n\nasync def main():\n    return load('x')\n")
    assert run(".", "--no-cache", cwd=project).stdout.startswith("app.py:5:12: APL114")
    adopt(project, "app.py", (project / "app.py").read_bytes(),
          b"from helpers import load\n\n\nasync def main():\n    return load('x')  # noqa: APL114\n", 1)
    assert (project / "helpers.py").read_bytes().endswith(b"f.read()\n")


def test_files_without_findings_and_syntax_errors_are_untouched(project: Path) -> None:
    write(project, "clean.py", "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n")
    write(project, "broken.py", "async def f(:\n")
    before = {path.name: path.read_bytes() for path in project.iterdir()}
    result = run("--add-noqa", ".", cwd=project)
    assert (result.returncode, result.stderr) == (0, "Added a noqa directive to 0 lines in 0 files.\n")
    assert {path.name: path.read_bytes() for path in project.iterdir() if path.is_file()} == {
        name: data for name, data in before.items() if (project / name).is_file()}


@pytest.mark.parametrize("extra", [("--fix",), ("--diff",), ("--ignore-noqa",)])
def test_add_noqa_refuses_modes_it_cannot_combine_with(project: Path, extra: tuple[str, ...]) -> None:
    write(project, "app.py", "x = 1\n")
    result = run("--add-noqa", *extra, ".", cwd=project)
    assert result.returncode == 2 and "cannot be combined" in result.stderr


# -- placing a directive ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = f()\n", "x = f()  # noqa: APL101\n"),
        ("x = f()  # why\n", "x = f()  # why  # noqa: APL101\n"),
        ("x = f()  # noqa: E501\n", "x = f()  # noqa: APL101, E501\n"),
        ("x = f()  # NOQA:APL101,E501\n", "x = f()  # NOQA:APL101,E501\n"),  # already there: kept as written
        ("x = f()  # noqa: see below\n", "x = f()  # noqa: APL101 see below\n"),
        ("x = f()  # noqa\n", "x = f()  # noqa\n"),
        ("x = f()\t \r\n", "x = f()  # noqa: APL101\r\n"),
        ("x = f()", "x = f()  # noqa: APL101"),
    ],
)
def test_one_line_directive(line: str, expected: str) -> None:
    assert directives([line], [("APL101", 1, (1, 1))]).get(1, line) == expected


def test_codes_on_one_line_are_sorted_and_deduplicated() -> None:
    placed = [("APL306", 1, (1, 1)), ("APL102", 1, (1, 1)), ("APL306", 1, (1, 1))]
    assert directives(["requests.get(u)\n"], placed) == {1: "requests.get(u)  # noqa: APL102, APL306\n"}


def test_a_line_that_cannot_end_in_a_comment_passes_the_directive_down_its_statement() -> None:
    lines = ['y = f("""\n', 'text\n', '""")\n', "z = 1\n"]
    assert directives(lines, [("APL101", 1, (1, 3))]) == {3: '""")  # noqa: APL101\n'}
    continued = ["w = f() + \\\n", "    1\n"]
    assert directives(continued, [("APL101", 1, (1, 2))]) == {2: "    1  # noqa: APL101\n"}


def test_cached_cross_file_findings_follow_noqa_edits(project: Path) -> None:
    """The project-rule store is keyed by summaries, which a comment does not change: it must
    still notice a ``# noqa`` added to (or removed from) a file it reported in."""
    write(project, "helpers.py", "def load(path):\n    with open(path) as f:\n        return f.read()\n")
    app = write(project, "app.py", "from helpers import load\n\n\nasync def main():\n    return load('x')\n")
    assert run(".", cwd=project).stdout.startswith("app.py:5:12: APL114")
    assert run("--add-noqa", ".", cwd=project).returncode == 0
    assert run(".", cwd=project).stdout == ""
    app.write_text(app.read_text(encoding="utf-8").replace("  # noqa: APL114", ""), encoding="utf-8")
    assert run(".", cwd=project).stdout.startswith("app.py:5:12: APL114")
