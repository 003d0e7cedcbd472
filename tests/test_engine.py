"""The engine and the shared per-file context, below the command line."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from agentperf_lint.context import FileContext
from agentperf_lint.engine import Linter
from agentperf_lint.registry import rule_by_code
from agentperf_lint.rule import Rule
from agentperf_lint.walker import Dispatch, walk


def _source(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


class _Probe:
    """Records what the context says at every call."""

    def __init__(self) -> None:
        self.ctx: FileContext | None = None
        self.seen: list[tuple[str, str | None, bool, int]] = []

    def visit_Call(self, node: cst.Call) -> None:
        assert self.ctx is not None
        label = cst.Module([]).code_for_node(node.func)
        self.seen.append((label, self.ctx.call_target(node), self.ctx.in_async, len(self.ctx.loops)))


def probe(text: str, path: str = "pkg/mod.py") -> list[tuple[str, str | None, bool, int]]:
    data = _source(text)
    module = cst.parse_module(data)
    ctx = FileContext(path, data.decode(), module, module_name="pkg.mod")
    recorder = _Probe()
    recorder.ctx = ctx
    walk(module, ctx, Dispatch([recorder]))
    return recorder.seen


# -- name resolution ---------------------------------------------------------------------
def test_import_aliases_resolve_to_qualified_names() -> None:
    seen = probe(
        """
        import time as t
        from time import sleep as nap
        import os.path
        from requests import get
        async def f():
            t.sleep(1); nap(1); os.path.exists("x"); get("u"); open("f")
        """
    )
    assert [target for _, target, _, _ in seen] == [
        "time.sleep", "time.sleep", "os.path.exists", "requests.get", "builtins.open",
    ]


def test_shadowing_by_parameter_local_def_assignment_and_global() -> None:
    seen = probe(
        """
        from time import sleep
        import requests
        def open(path): ...
        async def f(requests):
            def sleep(x): ...
            sleep(1); requests.get("u"); open("p")
        async def g():
            sleep(1)
        """
    )
    assert [target for _, target, _, _ in seen] == [None, None, "pkg.mod.open", "time.sleep"]


def test_relative_imports_resolve_against_the_package() -> None:
    seen = probe("from .helpers import load\nfrom ..core import run\nload(); run()\n")
    assert [target for _, target, _, _ in seen] == ["pkg.helpers.load", "core.run"]


def test_typed_values_resolve_method_calls() -> None:
    seen = probe(
        """
        import requests
        from pathlib import Path
        class Agent:
            config: Path
            def __init__(self, root: Path):
                self.session = requests.Session()
                self.root = root
            @property
            def cache(self) -> Path: ...
            async def run(self, p: Path | None):
                self.session.get("u"); self.root.read_text(); self.cache.exists()
                p.open(); (self.root / "x").stat(); self.config.parent.mkdir()
                with open("f") as fh:
                    fh.read()
                unknown.read()
        """
    )
    assert [target for _, target, _, _ in seen] == [
        "requests.Session",
        "requests.Session.get", "pathlib.Path.read_text", "pathlib.Path.exists",
        "pathlib.Path.open", "pathlib.Path.stat", "pathlib.Path.mkdir",
        "builtins.open", "builtins.open.read", None,
    ]


# -- async context and loops ---------------------------------------------------------------
def test_nested_sync_def_lambda_and_class_end_the_async_context() -> None:
    seen = probe(
        """
        async def f(xs):
            a()
            def inner():
                b()
            lambda: c()
            class K:
                d()
            e()
            [g(x) for x in xs]
        """
    )
    assert [(label, in_async) for label, _, in_async, _ in seen] == [
        ("a", True), ("b", False), ("c", False), ("d", False), ("e", True), ("g", True),
    ]


def test_loop_stack_excludes_the_iterable_and_nested_functions() -> None:
    seen = probe(
        """
        async def f(xs):
            for x in load():
                use(x)
                def later():
                    inner(x)
                while poll():
                    tick()
            [h(x) for x in items()]
            [k(y) for x in xs for y in rows(x)]
            done()
        """
    )
    assert [(label, loops) for label, _, _, loops in seen] == [
        ("load", 0), ("use", 1), ("inner", 0), ("poll", 2), ("tick", 2), ("h", 1), ("items", 0),
        ("k", 1), ("rows", 1), ("done", 0),
    ]


# -- robustness ---------------------------------------------------------------------------
class _Crashes(Rule):
    """## What it does
    Crashes, for the test."""

    code = "APL998"
    name = "crashes"
    message = "never"

    def visit_Call(self, node: cst.Call) -> None:
        raise ValueError("boom")


def test_a_crashing_rule_is_an_internal_error_naming_rule_and_file() -> None:
    linter = Linter([_Crashes, rule_by_code()["APL101"]])
    outcome = linter.lint("svc.py", b"import time\nasync def f():\n    time.sleep(1)\n")
    assert [error.message for error in outcome.result.errors] == ["rule APL998 crashed: ValueError: boom"]
    assert outcome.result.errors[0].path == "svc.py"
    # the next file is linted normally by the same linter
    assert linter.lint("ok.py", b"x = 1\n").result.errors == []


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_brackets_are_a_finding_not_a_crash(depth: int) -> None:
    linter = Linter(list(rule_by_code().values()))
    source = ("async def f():\n    x = " + "[" * depth + "]" * depth + "\n").encode()
    findings = linter.lint("deep.py", source).result.findings
    assert [(f.code, f.line) for f in findings] == [("APL001", 2)]
    assert "too many nested parentheses" in findings[0].message


def test_deep_but_valid_nesting_still_gets_positions() -> None:
    linter = Linter([rule_by_code()["APL101"]])
    source = "import time\nasync def f():\n    time.sleep(1)\n    x = " + "[" * 190 + "]" * 190 + "\n"
    findings = linter.lint("deep.py", source.encode()).result.findings
    assert [(f.code, f.line, f.column) for f in findings] == [("APL101", 3, 5)]


def test_gate_skips_parsing_files_no_rule_applies_to(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(cst, "parse_module", lambda data: calls.append(data))
    linter = Linter([rule_by_code()["APL001"], rule_by_code()["APL101"]])
    assert linter.lint("sync.py", b"def f(:\n").result.findings == []  # no 'async': not parsed
    assert calls == []
