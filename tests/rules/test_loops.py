"""The APL2xx family together: no double reports, the independence analysis, fixes at scale.

Single-rule behaviour is specified by each rule's VALID/INVALID examples; these tests cover what
examples cannot: several rules on one file, the neighbouring APL3xx rules, and the analysis
itself.
"""

from __future__ import annotations

import textwrap

import libcst as cst

from agentperf_lint.context import FileContext
from agentperf_lint.engine import Linter
from agentperf_lint.fixer import fix_source
from agentperf_lint.registry import select
from agentperf_lint.rules import _loops


def _codes(source: str, selectors: list[str]) -> list[tuple[int, str]]:
    outcome = Linter(select(selectors)).lint("m.py", textwrap.dedent(source).encode())
    assert outcome.result.errors == []
    return sorted((f.line, f.code) for f in outcome.result.findings)


def _facts(source: str) -> _loops.LoopFacts:
    """Facts of the first ``for`` loop in the first function of ``source``."""
    text = textwrap.dedent(source)
    module = cst.parse_module(text)
    ctx = FileContext("m.py", text, module)
    function = next(node for node in module.body if isinstance(node, cst.FunctionDef))
    loop = next(node for node in function.body.body if isinstance(node, cst.For))
    return _loops.facts_for(ctx, loop)


def test_each_loop_is_reported_by_exactly_one_family_rule() -> None:
    source = """
        async def f(conn, client, http, ids):
            for i in ids:
                await conn.fetchrow('SELECT 1 WHERE id = $1', i)
                await client.chat.completions.create(model='m', messages=[i])
                await http.fetch(i)
    """
    # the driver call comes first, but each rule reports its own kind once for the loop
    assert _codes(source, ["APL2"]) == [(4, "APL203"), (5, "APL204"), (6, "APL201")]


def test_invariant_awaits_and_requests_are_left_to_the_apl3xx_rules() -> None:
    source = """
        import requests

        async def f(conv, items):
            for item in items:
                await conv.refresh()

        def g(urls):
            for url in urls:
                requests.get(url)
    """
    assert _codes(source, ["APL2"]) == []


def test_per_item_locals_are_derived_and_reassigned_names_are_carried() -> None:
    facts = _facts("""
        async def f(client, docs, state):
            for doc in docs:
                url = doc.base + "/x"
                if doc.flag:
                    extra = doc.extra
                print(extra)  # the previous item's value when the branch did not run
                reply = await client.fetch(url, state)
                state = reply.next
    """)
    assert facts.reason is None
    assert {"url", "reply"} <= facts.derived
    assert "state" in facts.carried
    assert "extra" in facts.carried


def test_leaving_early_pacing_and_streams_are_reasons() -> None:
    assert _facts("async def f(c, xs):\n    for x in xs:\n        if await c.ok(x):\n            break\n").reason
    assert _facts("async def f(c, xs, lock):\n    for x in xs:\n        async with lock:\n            await c.f(x)\n").reason
    assert _facts("async def f(c, xs):\n    async for x in xs:\n        await c.f(x)\n").reason
    assert _facts("async def f(c, xs):\n    for x in xs:\n        await c.f(x)\n").reason is None


def test_a_raise_inside_an_except_handler_does_not_stop_the_loop_being_independent() -> None:
    facts = _facts("""
        async def f(c, xs):
            for x in xs:
                try:
                    await c.fetch(x)
                except OSError as error:
                    raise RuntimeError(x) from error
    """)
    assert facts.reason is None


def test_fixing_a_module_with_every_shape_is_stable_and_parses() -> None:
    source = textwrap.dedent("""
        async def a(s, urls):
            for url in urls:
                await s.fetch(url)


        async def b(s, urls):
            pages = []
            for url in urls:
                pages.append(await s.fetch(url))
            return pages


        async def c(s, urls):
            keys = list(urls)
            return [await s.fetch(u) for u in urls], {k: await s.fetch(k) for k in keys}
    """).encode()
    linter = Linter(select(["APL201"]))
    fixed = fix_source(linter, "m.py", source, unsafe=True)
    assert fixed.error is None
    text = fixed.source.decode()
    cst.parse_module(text)
    assert text.count("asyncio.gather") == 4
    assert text.lstrip().startswith("import asyncio\n")
    assert fix_source(linter, "m.py", fixed.source, unsafe=True).source == fixed.source
    assert linter.lint("m.py", fixed.source).result.findings == []


def test_safe_fixes_alone_leave_the_loops_untouched() -> None:
    source = b"async def a(s, urls):\n    for url in urls:\n        await s.fetch(url)\n"
    fixed = fix_source(Linter(select(["APL201"])), "m.py", source, unsafe=False)
    assert fixed.source == source


_PER_ITEM_FETCH = """
    async def handle(client, users):
        for user in users:
            await client.fetch(user.url)
            print(user)
"""


def _codes_at(path: str, source: str) -> list[tuple[int, str]]:
    outcome = Linter(select(["APL2"])).lint(path, textwrap.dedent(source).encode())
    assert outcome.result.errors == []
    return sorted((f.line, f.code) for f in outcome.result.findings)


def test_management_commands_are_not_reported() -> None:
    """Django management commands run once per invocation, not per request; example code is
    still reported (users copy it)."""
    assert _codes_at("app/management/commands/backfill.py", _PER_ITEM_FETCH) == []
    assert _codes_at("examples/integrations/mail.py", _PER_ITEM_FETCH) == [(4, "APL201")]
    assert _codes_at("app/services/mail.py", _PER_ITEM_FETCH) == [(4, "APL201")]


def test_a_command_line_module_that_starts_a_server_is_still_reported() -> None:
    """``argparse`` in a module whose ``__main__`` block runs ``uvicorn.run(app)``: a service."""
    source = _PER_ITEM_FETCH + """
    if __name__ == "__main__":
        import argparse, uvicorn
        args = argparse.ArgumentParser().parse_args()
        uvicorn.run(app)
    """
    assert _codes_at("telemetry.py", "import argparse\n" + textwrap.dedent(source)) == [(5, "APL201")]


def test_start_up_only_helpers_follow_calls_a_few_levels_down() -> None:
    source = """
        class Cog:
            async def cog_load(self):
                await self._reschedule()

            async def _reschedule(self):
                await self._restore(self.pending)

            async def _restore(self, ids):
                for i in ids:
                    await self.client.fetch(i)
                    print(i)
    """
    assert _codes_at("cog.py", source) == []
    # a module-level reference (a callback registered elsewhere) may run at any time
    assert _codes_at("cog.py", textwrap.dedent(source) + "HANDLERS = [Cog._restore]\n") == [(11, "APL201")]


def test_kind_dispatch_leaves_sync_queries_to_apl202() -> None:
    """``isinstance`` arms around plain (sync) queries say nothing about which arm does I/O."""
    source = """
        def store(session, keys):
            for key in keys:
                if isinstance(key, Config):
                    session.query(Row).filter(Row.key == key.key).first()
                elif isinstance(key, str):
                    print(key)
    """
    assert _codes_at("store.py", source) == [(5, "APL202")]


def test_only_a_scheduler_loop_decorator_marks_a_periodic_job() -> None:
    """``@tasks.loop`` (discord.ext.tasks) is a timer; another library's ``@loop`` is not."""
    body = """
        async def refresh(self):
            for feed in self.feeds:
                await self.client.fetch(feed.url)
                print(feed)
    """
    timer = "from discord.ext import tasks\nclass C:\n    @tasks.loop(minutes=5)\n" + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    ")
    assert _codes_at("c.py", timer) == []
    other = "from mylib import loop\nclass C:\n    @loop\n" + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "    ")
    assert _codes_at("c.py", other) == [(6, "APL201")]
