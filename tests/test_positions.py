"""``positions.compute`` gives libcst's ``PositionProvider`` ranges for every node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from agentperf_lint.positions import compute, compute_statement
from agentperf_lint.context import FileContext
from agentperf_lint.walker import Dispatch, iter_tree, walk

SOURCES = [
    "",
    "\n",
    "x = 1",  # no trailing newline
    "# only a comment",
    "import os\r\nasync def f(a, *, b=2):\r\n    await g(a)  # c\r\n",
    "if x:\r    y = (1,\r         2)\r",  # old Mac line breaks
    "@decorator\n\n# comment\n@other(1)\nclass C(Base, metaclass=M):\n\t'''doc\n\tstring'''\n\tdef m(self) -> 'T': return [i for i in self if i]\n",
    "def f():\n    s = f'{a!r:>{width}} \\\n    {b}'\n    return lambda x, /, y: (x\n        + y)\n\x0c\nwith a as b, c:\n    pass\n",
    "try:\n    pass\nexcept* (A, B) as e:\n    raise\nelse:\n    x; y ; z\nfinally:\n    del a[1:2, ::3]\n",
    "match p:\n    case {'k': [1, *rest]} | Point(x=0) if rest:\n        pass\n    case _:\n        ...\n",
]


@pytest.mark.parametrize("source", SOURCES)
def test_every_node_gets_libcsts_range(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = compute(module)
    nodes = list(iter_tree(module))
    assert nodes and all(node in positions for node in nodes)
    assert {node: positions[node] for node in expected} == dict(expected)


@pytest.mark.parametrize("source", SOURCES + ["x = 1\nx = 1\n", "\ufeffimport os\nos.sep\n"])
def test_a_top_level_statement_alone_gets_the_same_ranges_or_none(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for statement in module.body:
        part = compute_statement(module, statement, source)
        if part is None:
            continue
        nodes = list(iter_tree(statement))
        assert all(node in part for node in nodes)
        assert {node: part[node] for node in nodes} == {node: expected[node] for node in nodes}


def test_a_statement_whose_code_occurs_twice_is_not_placed() -> None:
    module = cst.parse_module("x = 1\nx = 1\ny = 2\n")
    first, _, last = module.body
    assert compute_statement(module, first, module.code) is None
    assert compute_statement(module, last, module.code)[last].start.line == 3


def test_a_method_alone_gets_the_same_ranges_with_the_indentation_around_it() -> None:
    source = "class C:\n  # lead\n  @property\n  def m(self):\n      if x:\n          return (1,\n    2)\n"
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    method = module.body[0].body.body[0]
    part = compute_statement(module, method, source, ("  ",))
    assert part is not None
    assert {node: part[node] for node in iter_tree(method)} == {node: expected[node] for node in iter_tree(method)}


def test_an_elif_is_positioned_through_the_if_it_continues() -> None:
    source = "def f(a):\n    if a:\n        pass\n    elif g(1):\n        pass\n    if g(1):\n        pass\n"
    module = cst.parse_module(source)
    ctx = FileContext("m.py", source, module)
    calls = []

    class Calls:
        def visit_Call(self, node: cst.Call) -> None:
            calls.append((node, ctx.statement))

    walk(module, ctx, Dispatch([Calls()]))
    assert [ctx.position(call, within=statement).start.line for call, statement in calls] == [4, 6]


def test_a_file_without_a_final_line_break_is_not_placed_by_statement() -> None:
    source = "def f():\n    g()\n\ndef h():\n    g()"  # the last `g()` reads like the first one
    module = cst.parse_module(source)
    last = module.body[-1].body.body[0]
    assert compute_statement(module, last, source, ("    ",)) is None
