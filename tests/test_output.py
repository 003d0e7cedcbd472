"""The people- and CI-facing formats: text, full, json, github, statistics and the summary line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from agentperf_lint.finding import JSON_KEYS, Finding, FixInfo
from agentperf_lint.output import FORMATS, count_fixable, render, summary_line
from agentperf_lint.output.github import escape_data, escape_property
from agentperf_lint.output.statistics import render_statistics

URL = "https://example.invalid/rules#apl999"


def finding(
    path: str = "pkg/a.py",
    line: int = 3,
    column: int = 5,
    code: str = "APL999",
    *,
    end_line: int | None = None,
    end_column: int | None = None,
    name: str = "fake-rule",
    message: str = "`time.sleep` blocks the event loop",
    fix: FixInfo | None = None,
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        code=code,
        end_line=line if end_line is None else end_line,
        end_column=column + 13 if end_column is None else end_column,
        name=name,
        message=message,
        url=URL,
        fix=fix,
    )


SAFE = FixInfo("safe", "Replace with `await asyncio.sleep(...)`")
UNSAFE = FixInfo("unsafe", "Run it in a thread")


def out(fmt: str, findings: list[Finding], **kwargs: object) -> str:
    kwargs.setdefault("rules", ())
    kwargs.setdefault("root", Path.cwd())
    kwargs.setdefault("tool_version", "0.1.0")
    return render(fmt, findings, **kwargs)  # type: ignore[arg-type]


# -- text -----------------------------------------------------------------------------------


def test_text_lines_are_sorted_one_based_and_mark_only_safe_fixes() -> None:
    findings = [
        finding("pkg/b.py", 1, 1, "APL101", message="second file"),
        finding(line=7, column=9, code="APL102", message="unsafe fix", fix=UNSAFE),
        finding(line=3, column=5, fix=SAFE),
        finding(line=3, column=5, code="APL101", message="same spot, smaller code"),
    ]
    assert out("text", findings).splitlines() == [
        "pkg/a.py:3:5: APL101 same spot, smaller code",
        "pkg/a.py:3:5: APL999 [*] `time.sleep` blocks the event loop",
        "pkg/a.py:7:9: APL102 unsafe fix",
        "pkg/b.py:1:1: APL101 second file",
    ]


def test_text_without_findings_is_empty() -> None:
    assert out("text", []) == ""


def test_text_colour_only_when_asked() -> None:
    plain = out("text", [finding(fix=SAFE)])
    assert "\x1b[" not in plain
    coloured = out("text", [finding(fix=SAFE)], color=True)
    assert coloured == "\x1b[1mpkg/a.py\x1b[0m:3:5: \x1b[31mAPL999\x1b[0m [*] `time.sleep` blocks the event loop\n"


def test_text_keeps_one_line_per_finding() -> None:
    text = out("text", [finding(message="first\nsecond")])
    assert text == "pkg/a.py:3:5: APL999 first second\n"


# -- full -----------------------------------------------------------------------------------

SOURCE = {
    "pkg/a.py": [
        "import time",
        "async def f():",
        "    time.sleep(1)  # slow",
        "\tx = 1",
        "    call(",
        "        arg)",
    ]
}


def read_lines(path: str) -> list[str]:
    return SOURCE[path]


def test_full_shows_the_line_a_caret_under_the_range_and_the_fix() -> None:
    text = out("full", [finding(line=3, column=5, end_column=18, fix=SAFE)], read_lines=read_lines)
    assert text.splitlines() == [
        "pkg/a.py:3:5: APL999 [*] `time.sleep` blocks the event loop",
        "  |",
        "3 |     time.sleep(1)  # slow",
        "  |     ^^^^^^^^^^^^^",
        "  = help: Replace with `await asyncio.sleep(...)`",
    ]


def test_full_multi_line_range_underlines_to_the_end_of_the_first_line() -> None:
    text = out("full", [finding(line=5, column=5, end_line=6, end_column=13)], read_lines=read_lines)
    assert text.splitlines()[2:] == ["5 |     call(", "  |     ^^^^^"]


def test_full_caret_keeps_tabs_so_it_lines_up() -> None:
    text = out("full", [finding(line=4, column=2, end_column=3)], read_lines=read_lines)
    assert text.splitlines()[2:] == ["4 | \tx = 1", "  | \t^"]


def test_full_marks_unsafe_fix_help_and_separates_findings_by_a_blank_line() -> None:
    findings = [finding(line=1, column=1, end_column=7, fix=UNSAFE), finding(line=3, column=5, end_column=9)]
    blocks = out("full", findings, read_lines=read_lines).split("\n\n")
    assert len(blocks) == 2
    assert blocks[0].splitlines()[-1] == "  = help: Run it in a thread (unsafe: needs `--unsafe-fixes`)"


def test_full_without_source_prints_the_finding_alone() -> None:
    def unreadable(path: str) -> list[str]:
        raise OSError("gone")

    assert out("full", [finding()], read_lines=unreadable) == out("text", [finding()])
    assert out("full", [finding(line=99)], read_lines=read_lines) == out("text", [finding(line=99)])


# -- json -----------------------------------------------------------------------------------


def test_json_is_the_documented_sorted_list() -> None:
    findings = [finding("z.py", 1, 1), finding(line=10, column=1, fix=SAFE), finding(line=2, column=8)]
    data = json.loads(out("json", findings))
    assert [tuple(item) for item in data] == [JSON_KEYS] * 3
    assert [(item["path"], item["line"], item["column"]) for item in data] == [
        ("pkg/a.py", 2, 8),
        ("pkg/a.py", 10, 1),
        ("z.py", 1, 1),
    ]
    assert data[0]["fix"] is None
    assert data[1]["fix"] == {"applicability": "safe", "title": SAFE.title}
    assert data[1] == {
        "path": "pkg/a.py",
        "line": 10,
        "column": 1,
        "end_line": 10,
        "end_column": 14,
        "code": "APL999",
        "name": "fake-rule",
        "message": "`time.sleep` blocks the event loop",
        "url": URL,
        "fix": {"applicability": "safe", "title": "Replace with `await asyncio.sleep(...)`"},
        "cell": None,
    }
    assert [Finding.from_dict(item) for item in data] == sorted(findings)


def test_notebook_findings_name_their_cell_and_sort_by_it() -> None:
    """``cell`` is the 1-based cell; ``line`` counts within it; order is cell before line."""
    late = replace(finding("nb.ipynb", 1, 5), cell=7)
    early = replace(finding("nb.ipynb", 9, 2), cell=3)
    data = json.loads(out("json", [late, early]))
    assert [(item["cell"], item["line"], item["column"]) for item in data] == [(3, 9, 2), (7, 1, 5)]
    assert [Finding.from_dict(item) for item in data] == [early, late]
    assert out("text", [late]).startswith("nb.ipynb:cell 7:1:5: APL999 ")
    lines = {"nb.ipynb:cell 7": ["x = 1", "    time.sleep(1)"]}
    assert "1 | x = 1\n" in out("full", [late], read_lines=lines.__getitem__)
    assert "::cell 7: `time.sleep`" in out("github", [late])


def test_json_without_findings_is_an_empty_list() -> None:
    assert json.loads(out("json", [])) == []


# -- github ---------------------------------------------------------------------------------


def test_github_annotation_shape(tmp_path: Path) -> None:
    path = str(tmp_path / "pkg" / "a.py")
    text = out("github", [finding(path, 3, 5, end_column=18)], root=tmp_path)
    assert text == (
        "::warning file=pkg/a.py,line=3,col=5,endLine=3,endColumn=18,title=APL999 (fake-rule)"
        "::`time.sleep` blocks the event loop\n"
    )


def test_github_escapes_data_and_properties(tmp_path: Path) -> None:
    weird = finding(str(tmp_path / "a,b:c.py"), message="100% sure:\r\nyes, really", name="x")
    text = out("github", [weird], root=tmp_path)
    assert text == (
        "::warning file=a%2Cb%3Ac.py,line=3,col=5,endLine=3,endColumn=18,title=APL999 (x)"
        "::100%25 sure:%0D%0Ayes, really\n"
    )
    assert escape_data("%\r\n:,") == "%25%0D%0A:,"
    assert escape_property("%\r\n:,") == "%25%0D%0A%3A%2C"


def test_github_path_outside_root_is_kept(tmp_path: Path) -> None:
    outside = tmp_path.parent / "elsewhere.py"
    text = out("github", [finding(str(outside))], root=tmp_path / "project")
    assert f"file={escape_property(outside.as_posix())}," in text


def test_github_notes_when_annotations_would_be_dropped(tmp_path: Path) -> None:
    few = out("github", [finding(line=n) for n in range(1, 11)], root=tmp_path)
    assert "::notice" not in few
    many = out("github", [finding(line=n) for n in range(1, 13)], root=tmp_path).splitlines()
    assert len(many) == 13
    assert many[-1].startswith("::notice title=agentperf-lint::12 findings")
    assert "sarif" in many[-1]


# -- statistics and summary -----------------------------------------------------------------


def test_statistics_rows_by_count_with_fixable_mark() -> None:
    findings = [
        finding(line=1, code="APL101", name="blocking-sleep", fix=SAFE),
        finding(line=2, code="APL101", name="blocking-sleep"),
        finding(line=3, code="APL101", name="blocking-sleep"),
        finding(line=4, code="APL201", name="n-plus-one"),
        finding(line=5, code="APL102", name="blocking-http", fix=UNSAFE),
    ]
    assert render_statistics(findings).splitlines() == [
        "3\tAPL101\t[*] blocking-sleep",
        "1\tAPL102\t    blocking-http",
        "1\tAPL201\t    n-plus-one",
        "",
        "Blocking calls by cost class (costliest first):",
        "1\ta network round trip",
        "3\ta sleep",
    ]


def test_statistics_group_blocking_calls_by_the_cost_their_messages_state() -> None:
    findings = [
        finding(line=1, code="APL104", name="blocking-file-io", message="`os.stat(...)` blocks ... (directory-tree I/O); x"),
        finding(line=2, code="APL104", name="blocking-file-io", message="`open(...)` blocks ... (file content I/O); x"),
        finding(line=3, code="APL115", name="blocking-metadata-call", message="`p.exists(...)` blocks ..."),
    ]
    assert render_statistics(findings).splitlines()[-4:] == [
        "Blocking calls by cost class (costliest first):",
        "1\tdirectory-tree I/O",
        "1\tfile content I/O",
        "1\tone file-system metadata call",
    ]


def test_statistics_without_fixes_has_no_mark_column() -> None:
    rows = [finding(line=n) for n in range(12)]
    assert render_statistics(rows) == "12\tAPL999\tfake-rule\n"
    assert render_statistics([]) == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0, 0, 0), "All checks passed!"),
        ((1, 0, 0), "Found 1 finding."),
        ((3, 2, 1), "Found 3 findings (2 fixable with `--fix`; 1 more with `--unsafe-fixes`)."),
        ((2, 2, 0), "Found 2 findings (2 fixable with `--fix`)."),
        ((1, 0, 1), "Found 1 finding (1 fixable with `--unsafe-fixes`)."),
        ((0, 0, 0, 2), "Found 2 findings (2 fixed, 0 remaining)."),
        ((1, 0, 1, 2), "Found 3 findings (2 fixed, 1 remaining; 1 fixable with `--unsafe-fixes`)."),
    ],
)
def test_summary_line(args: tuple[int, ...], expected: str) -> None:
    assert summary_line(*args) == expected


def test_count_fixable_splits_safe_and_unsafe() -> None:
    assert count_fixable([finding(fix=SAFE), finding(fix=UNSAFE), finding(fix=SAFE), finding()]) == (2, 1)


def test_every_format_renders_and_unknown_ones_are_refused() -> None:
    for fmt in FORMATS:
        assert isinstance(out(fmt, [finding()], read_lines=read_lines), str)
    with pytest.raises(ValueError, match="valid: text, full, json, sarif, github"):
        out("xml", [])
