"""The server's pure helpers: LSP lines and code units, minimal edits, where ``# noqa`` goes."""

from __future__ import annotations

import pytest

pytest.importorskip("lsprotocol")
from lsprotocol import types  # noqa: E402

from agentperf_lint.lsp.suppress import noqa_edit, noqa_line, with_noqa  # noqa: E402
from agentperf_lint.lsp.text import apply_edits, encode_buffer, from_client, line_edits, split_lines, to_client  # noqa: E402
from agentperf_lint.noqa import NoqaIndex  # noqa: E402


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_lines_split_as_lsp_does_not_on_form_feeds():
    assert split_lines("a\r\nb\rc\x0cd\ne") == ["a\r\n", "b\r", "c\x0cd\n", "e"]


def test_columns_convert_to_utf16_units_and_back():
    lines = split_lines("s = '😀' + time.sleep(1)\n")
    position = to_client(lines, 0, 10, utf16)  # the character column of `time`
    assert position == types.Position(line=0, character=11)
    assert from_client(lines, position, utf16) == (0, 10)


@pytest.mark.parametrize("old,new", [
    ("a\nb\nc\n", "import x\na\nb\nc2\n"),
    ("a\nb", "a\nb\nc"),
    ("a\nb\n", ""),
    ("", "x = 1\n"),
])
def test_line_edits_reproduce_the_new_text(old: str, new: str):
    assert apply_edits(old, line_edits(old, new, len), len) == new


def test_buffer_bytes_follow_the_coding_line():
    text = "# -*- coding: latin-1 -*-\nname = 'café'\n"
    assert encode_buffer(text) == text.encode("latin-1")
    assert encode_buffer("x = 'café'\n") == "x = 'café'\n".encode()


@pytest.mark.parametrize("line,expected", [
    ("    time.sleep(1)", "    time.sleep(1)  # noqa: APL101"),
    ("    time.sleep(1)   ", "    time.sleep(1)  # noqa: APL101"),
    ("    time.sleep(1)  # noqa: E501", "    time.sleep(1)  # noqa: APL101, E501"),
    ("    time.sleep(1)  # NOQA:E501,W291", "    time.sleep(1)  # noqa: APL101, E501, W291"),
    ("    time.sleep(1)  # type: ignore", "    time.sleep(1)  # type: ignore  # noqa: APL101"),
    ("    time.sleep(1)  # noqa", None),
    ("    time.sleep(1)  # noqa: APL101", None),
])
def test_noqa_is_added_or_merged(line: str, expected: str | None):
    assert with_noqa(line, "APL101") == expected


def test_what_is_written_is_what_noqa_reads():
    merged = with_noqa("x()  # noqa: E501", "APL101")
    assert merged is not None and NoqaIndex(merged).suppresses("APL101", "blocking-sleep", 1, 1)


def test_noqa_skips_lines_ending_inside_a_string_or_with_a_backslash():
    text = 'async def f():\n    requests.post(url, data="""\n        body\n    """)\n    x = 1 + \\\n        time.sleep(1)\n'
    assert noqa_line(text, 1) == 3  # the statement's last line
    assert noqa_line(text, 4) == 5
    line, _, new = noqa_edit(text, 1, "APL102")  # type: ignore[misc]
    assert (line, new) == (3, '    """)  # noqa: APL102')


def test_a_fix_needing_an_import_already_there_gives_the_fixers_own_result():
    from agentperf_lint.engine import Linter
    from agentperf_lint.fixer import apply_fixes
    from agentperf_lint.lsp.actions import _without_present_imports
    from agentperf_lint.registry import all_rules

    source = b"import asyncio\nimport time\n\n\nasync def f():\n    time.sleep(1)\n"
    outcome = Linter(all_rules()).lint("x.py", source)
    (_, fix), = outcome.fixes
    assert outcome.module is not None and fix.imports
    trimmed = _without_present_imports(outcome.module, fix)
    assert trimmed.imports == ()
    fixed = "import asyncio\nimport time\n\n\nasync def f():\n    await asyncio.sleep(1)\n"
    assert apply_fixes(outcome.module, [trimmed]).code == apply_fixes(outcome.module, [fix]).code == fixed
