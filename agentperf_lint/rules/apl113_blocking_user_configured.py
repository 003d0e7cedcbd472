"""APL113: calls the project declares blocking in ``[tool.agentperf-lint.blocking]``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libcst as cst

from ..rule import Invalid, Option, Valid
from ._test_code import CHECK_TESTS, skips_test_code
from ._blocking import (
    BlockingCallRule,
    Catalogue,
    Entry,
    classify,
    describe,
    to_thread_fix,
)

_OPTIONS = {"extra-calls": {"mylib.fetch": "mylib.afetch", "mylib.Client.*": "mylib.AsyncClient"}}


def user_catalogue(extra_calls: Mapping[str, str]) -> Catalogue:
    """``{"mylib.fetch": "mylib.afetch"}`` -> a catalogue whose advice names the replacement."""
    entries = []
    for call, replacement in extra_calls.items():
        advice = f"use `{replacement}`" if replacement else "run it in a worker thread: `await asyncio.to_thread(...)`"
        entries.append(Entry(call, BlockingUserConfigured.code, "thread", f"{advice} (configured in `[tool.agentperf-lint.blocking]`)"))
    return Catalogue(entries)


class BlockingUserConfigured(BlockingCallRule):
    """## What it does
    Reports calls inside an `async def` body that the project declared blocking, with the
    replacement it suggests, in `[tool.agentperf-lint.blocking]`:

    ```toml
    [tool.agentperf-lint.blocking]
    extra-calls = { "mylib.fetch" = "mylib.afetch", "mylib.Client.*" = "mylib.AsyncClient" }
    ```

    Keys are qualified names as imports resolve them: a function (`mylib.fetch`), a method on
    values made by or annotated with a class (`mylib.Client.get`), every method of such values
    (`mylib.Client.*`), or a method name on any receiver (`*.fetch_sync`). Calls already in
    the built-in catalogue are reported by their own APL1xx code, not twice.

    Cost class (named in every message, counted by `--statistics`): a network round trip (the catalogue cannot know better).

    ## Why is this bad?
    Every code base has its own sync wrappers around network or disk I/O (an internal SDK, a
    legacy storage layer). Declaring them lets the linter guard them like the standard
    library ones.

    ## Example
    ```python
    import mylib

    async def handler(key):
        return mylib.fetch(key)
    ```

    ## Use instead
    ```python
    import mylib

    async def handler(key):
        return await mylib.afetch(key)
    ```

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix runs
    it in a worker thread (`await asyncio.to_thread(mylib.fetch, key)`). It is unsafe: the
    call now runs in another thread.

    ## Options
    - `extra-calls` (table of strings, default empty): blocking call -> suggested
      replacement (an empty string suggests a worker thread).
    """

    code = "APL113"
    name = "blocking-user-configured"
    options_table = "blocking"
    options = (
        Option("extra-calls", dict, {}, "blocking call (qualified name) -> suggested async replacement"),
        CHECK_TESTS,
    )

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.extra = user_catalogue(self.settings.get("extra-calls") or {})

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        if not ctx.in_async or not self.extra.entries or classify(ctx, node) is not None or skips_test_code(self, ctx):
            return
        hit = classify(ctx, node, self.extra)
        if hit is not None:
            self.report(node, fix=to_thread_fix(ctx, node), message=describe(ctx, node, hit))

    VALID = (
        Valid("import mylib\nasync def f(k):\n    return mylib.fetch(k)\n"),
        Valid("import mylib\nasync def f(k):\n    return await mylib.afetch(k)\n", options=_OPTIONS),
        Valid("import mylib\ndef f(k):\n    return mylib.fetch(k)\n", options=_OPTIONS),
        Valid("import asyncio, mylib\nasync def f(k):\n    return await asyncio.to_thread(mylib.fetch, k)\n", options=_OPTIONS),
        Valid("import time\nasync def f():\n    time.sleep(1)\n", options={"extra-calls": {"time.sleep": "trio.sleep"}}),
        Valid("async def f(client):\n    return client.get(1)\n", options=_OPTIONS),
    )
    INVALID = (
        Invalid("import mylib\n\nasync def f(k):\n    return mylib.fetch(k)\n", line=4, column=12, options=_OPTIONS,
                message_contains="mylib.afetch"),
        Invalid("from mylib import fetch as get\n\nasync def f(k):\n    data = get(k)\n", line=4, column=12, options=_OPTIONS,
                fixed="from mylib import fetch as get\nimport asyncio\n\nasync def f(k):\n    data = await asyncio.to_thread(get, k)\n"),
        Invalid("import mylib\n\nasync def f(k):\n    c = mylib.Client()\n    return c.get(k)\n", line=5, column=12, options=_OPTIONS,
                message_contains="mylib.AsyncClient"),
        Invalid("async def f(store):\n    return store.fetch_sync(1)\n", line=2, column=12, options={"extra-calls": {"*.fetch_sync": ""}},
                message_contains="worker thread"),
    )
