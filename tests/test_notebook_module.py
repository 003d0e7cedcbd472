"""agentperf_lint.notebook: parsing, the module of the code cells, positions and writing back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentperf_lint import notebook
from agentperf_lint.engine import Linter
from agentperf_lint.notebook import NotebookError, load
from agentperf_lint.registry import all_rules


def make(*cells: Any, indent: int | str | None = 1, language: str = "python", **style: Any) -> bytes:
    """A notebook as nbformat writes it: ``cells`` are code sources, or ("markdown", text)."""
    raw = []
    for cell in cells:
        if isinstance(cell, tuple):
            raw.append({"cell_type": cell[0], "metadata": {}, "source": cell[1]})
        else:
            raw.append({"cell_type": "code", "execution_count": None, "metadata": {"tags": ["x"]},
                        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["héllo\n"]}],
                        "source": cell.splitlines(keepends=True)})
    document = {"cells": raw, "metadata": {"language_info": {"name": language}}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(document, indent=indent, ensure_ascii=False, **style) + "\n").encode()


def cell_of(data: bytes, number: int) -> str:
    return "".join(json.loads(data)["cells"][number - 1]["source"])


# -- reading ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message", "position"),
    [
        (b'{"cells": [', "invalid JSON (Expecting value)", (1, 12)),
        (b"[]", "no list of cells", (1, 1)),
        (b'{"cells": [], "nbformat": 3}', "nbformat 3 (only 4 is supported)", (1, 1)),
        (b'{"cells": [7], "nbformat": 4}', "cell 1 is not an object", (1, 1)),
        (b'{"cells": [{"cell_type": "code", "source": 1}], "nbformat": 4}', "cell 1 has a source that is not text", (1, 1)),
        (b"\xff\xfe", "not UTF-8", (1, 1)),
    ],
)
def test_what_is_not_a_notebook_is_an_error_with_a_position(data: bytes, message: str, position: tuple[int, int]) -> None:
    with pytest.raises(NotebookError, match="not a valid notebook") as raised:
        load(data)
    assert message in str(raised.value)
    assert (raised.value.line, raised.value.column) == position


def test_a_notebook_in_another_language_has_nothing_to_lint() -> None:
    assert load(make("x <- 1\n", language="R")) is None


def test_code_cells_only_each_after_a_marker_magics_replaced_line_for_line() -> None:
    nb = load(make(("markdown", "# title"), "%pip install httpx\nimport time\n", "!ls\nx = !ls\nx?\n  \n??y"))
    assert nb is not None
    lines = nb.python.splitlines()
    mark = nb.mark
    assert lines == [
        f"#{mark}c2 -*- coding: utf-8 -*-",
        f"pass  #{mark}m0",
        "import time",
        f"#{mark}c3",
        f"pass  #{mark}m1",
        f"x = ...  #{mark}m2",
        f"pass  #{mark}m3",
        "  ",
        f"pass  #{mark}m4",
    ]
    assert mark not in make("%pip install httpx\n").decode()


def test_magic_lines_are_recognised_only_where_a_statement_starts() -> None:
    source = 'text = """\n%not a magic\n"""\ncall(\n    !not either\n)\nif x:\n    !ls\nfiles, dirs = %sx ls \\\n  -la\n'
    nb = load(make(source))
    assert nb is not None
    body = nb.python.splitlines()[1:]
    assert body[1] == "%not a magic" and body[4] == "    !not either"
    assert body[7].startswith("    pass  #") and body[8].startswith("files, dirs = ...  #")
    assert body[9] == f"#{nb.mark}m2"  # the backslash-continued line of the magic


def test_foreign_cell_magics_skip_the_cell_python_ones_do_not() -> None:
    nb = load(make("%%bash\necho hi\n", "%%time\nx = 1\n", "\n%%capture out\ny = 2\n"))
    assert nb is not None
    assert [cell.number for cell in nb.cells] == [2, 3]
    assert "echo" not in nb.python and "x = 1" in nb.python and "y = 2" in nb.python


def test_only_cells_awaiting_at_top_level_are_async() -> None:
    nb = load(make("await f()\n", "async def g():\n    await f()\n", "[x async for x in y]\n",
                   "async with a:\n    pass\n", "x = 1\n"))
    assert nb is not None
    assert [cell.is_async for cell in nb.cells] == [True, False, True, True, False]
    assert nb.async_top_level(nb.python) == [(2, 2), (7, 7), (9, 10)]


def test_positions_map_module_lines_to_cell_lines() -> None:
    nb = load(make("a = 1\nb = 2\n", ("markdown", "x"), "c = 3"))
    assert nb is not None
    assert nb.positions(nb.python) == {2: (1, 1), 3: (1, 2), 5: (3, 1)}


# -- writing back -------------------------------------------------------------------------
def test_an_unchanged_module_writes_the_notebook_back_byte_for_byte() -> None:
    for data in (make("x = 1\n"), make("x = 1", indent=2), make("x = 1\n", indent=None),
                 make("%ls\nx = 1", indent="\t"), make("é = 1\n").replace(b"\n", b"\r\n")):
        nb = load(data)
        assert nb is not None
        assert nb.dump(nb.python) == data


def test_write_back_restores_magics_and_keeps_style_outputs_and_a_missing_final_newline() -> None:
    data = make("%pip install x\nimport time\ntime.sleep(1)", "!ls", indent=2)
    nb = load(data)
    assert nb is not None
    edited = "import asyncio\n" + nb.python.replace("time.sleep(1)", "await asyncio.sleep(1)")
    written = nb.dump(edited)
    assert cell_of(written, 1) == "import asyncio\n%pip install x\nimport time\nawait asyncio.sleep(1)"
    before, after = json.loads(data), json.loads(written)
    assert after["cells"][1] == before["cells"][1] and after["metadata"] == before["metadata"]
    assert after["cells"][0]["outputs"] == before["cells"][0]["outputs"]
    assert list(after["cells"][0]) == list(before["cells"][0])
    assert written.decode().startswith('{\n  "cells"') and written.endswith(b"}\n")


def test_an_import_added_above_a_cell_magic_goes_below_it() -> None:
    nb = load(make("%%time\nx = 1\n"))
    assert nb is not None
    assert cell_of(nb.dump("import asyncio\n" + nb.python), 1) == "%%time\nimport asyncio\nx = 1\n"


def test_a_lost_cell_marker_is_refused() -> None:
    nb = load(make("x = 1\n", "y = 2\n"))
    assert nb is not None
    with pytest.raises(NotebookError, match="boundaries moved"):
        nb.dump(nb.python.replace(f"#{nb.mark}c2\n", ""))


def test_ascii_escaped_notebooks_stay_escaped() -> None:
    data = (json.dumps(
        json.loads(make("s = 'é'\n")), indent=1, ensure_ascii=True) + "\n").encode()
    nb = load(data)
    assert nb is not None
    assert nb.dump(nb.python.replace("s =", "t =")) == data.replace(b"s =", b"t =")


def test_cell_lines_reads_a_cell_as_stored() -> None:
    data = make(("markdown", "x"), "%ls\nx = 1")
    assert notebook.cell_lines(data, 2) == ["%ls", "x = 1"]
    assert notebook.cell_lines(b"{", 1) == []


# -- linting ------------------------------------------------------------------------------
def test_lint_notebook_reports_by_cell_and_treats_awaiting_cells_as_async() -> None:
    data = make("import time\n", "time.sleep(1)\n", "await x()\nif True:\n    time.sleep(2)\n")
    result = notebook.lint_notebook(Linter(all_rules()), "n.ipynb", data)
    assert [(f.cell, f.line, f.column, f.code) for f in result.findings] == [(3, 3, 5, "APL101")]
    assert set(result.summaries) <= {"APL114"}


def test_fix_writes_the_notebook_and_keeps_the_rest() -> None:
    data = make("import time\n", "await x()\ntime.sleep(2)\n")
    result = notebook.lint_notebook(Linter(all_rules()), "n.ipynb", data, fix=True)
    assert result.findings == [] and result.fixed == 1 and result.new_source is not None
    assert cell_of(result.new_source, 1) == "import time\nimport asyncio\n"
    assert cell_of(result.new_source, 2) == "await x()\nawait asyncio.sleep(2)\n"


def test_the_engine_treats_only_the_given_top_level_ranges_as_async() -> None:
    source = (b"import time\nawait x()\ntime.sleep(1)\n"  # lines 2-3: async
              b"def helper():\n    time.sleep(2)\n"  # a sync def inside the range stays sync
              b"time.sleep(3)\n")  # line 6: outside the range
    outcome = Linter(all_rules()).lint("n.py", source, async_top_level=[(2, 5)])
    assert [(f.line, f.code) for f in outcome.result.findings] == [(3, "APL101")]
    assert Linter(all_rules()).lint("n.py", source).result.findings == []


def test_line_separators_python_does_not_break_at_keep_positions() -> None:
    data = make("import time\n", "s = 'a\u2028b\x0cc'\nawait x()\ntime.sleep(1)\n")
    result = notebook.lint_notebook(Linter(all_rules()), "n.ipynb", data)
    assert [(f.cell, f.line, f.column) for f in result.findings] == [(2, 3, 1)]
    assert notebook.cell_lines(data, 2)[2] == "time.sleep(1)"
