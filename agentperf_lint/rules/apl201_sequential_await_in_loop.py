"""APL201: one independent ``await`` per item of a ``for`` loop or comprehension."""

from __future__ import annotations

import libcst as cst

from ..rule import FixAvailability, Invalid, Valid
from ._loops import (
    PerItemCallRule,
    call_kind,
    facts_for,
    independent_call,
    innermost_loop,
    is_ordered_or_runtime,
)


class SequentialAwaitInLoop(PerItemCallRule):
    """## What it does
    Reports a `for` loop or a list/set/dict comprehension that awaits one call per item
    (`await fetch(url)`, `async with session.get(url)`) when the iterations do not depend on
    each other: the call reads the loop variable, and nothing an earlier iteration wrote.

    It stays silent where the order is the point: loops that carry a value from one iteration to
    the next (`message = await agent.reply(message)`, pagination cursors, accumulators the call
    reads), loops that leave early (`break`, `return`, `raise`, `yield`: retries, searches),
    loops that pace themselves (a sleep, a lock, a semaphore or a rate limiter in the body),
    ordered I/O (`send`, `write`, `put`, `drain`, queue and event waits), awaits that feed each
    other, awaits of tasks that already run (`for t in tasks: await t`, `as_completed`),
    `async for` streams, `while` loops, and calls that do not use the loop variable (APL305).
    Database, LLM and driver calls have their own codes (APL202-APL204).

    ## Why is this bad?
    Each `await` waits for a full round trip before the next one starts: ten 200 ms requests
    take two seconds in series, and about 200 ms awaited together. In an agent, every sequential
    tool or HTTP call adds its whole latency to the user's wait.

    ## Example
    ```python
    async def fetch_all(session, urls):
        pages = []
        for url in urls:
            pages.append(await session.fetch(url))
        return pages
    ```

    ## Use instead
    ```python
    import asyncio

    async def fetch_all(session, urls):
        return list(await asyncio.gather(*(session.fetch(url) for url in urls)))
    ```
    For inputs of unknown size, bound the concurrency (an `asyncio.Semaphore`, or
    `agentperf_lint.runtime.BatchProcessor(max_workers=...)` when the callee takes batches);
    see APL205.

    ## Fix safety
    The fix is unsafe: the calls then run concurrently, so their side effects may interleave,
    the server sees them at once, and the first exception propagates while the other calls
    keep running. It is offered for four shapes only, where the results keep their order:
    `for x in xs: await f(x)` (the whole body), `out = []` directly followed by
    `for x in xs: out.append(await f(x))`, `[await f(x) for x in xs]` (and the set form), and
    `{k: await f(k) for k in ks}` when `ks` is a plain name (it is read twice). It is not
    offered in trio or anyio modules, where a nursery or task group is the idiom.

    ## Options
    None.
    """

    code = "APL201"
    name = "sequential-await-in-loop"
    message = "`await {call}(...)` runs once per item, each waiting for the previous one"
    fix_availability = FixAvailability.SOMETIMES
    triggers = ("await", "async with")
    kinds = frozenset({None})
    offers_gather = True

    def visit_With(self, node: cst.With) -> None:
        """``async with session.get(url) as response:`` per item is a request per item."""
        ctx = self.ctx
        if node.asynchronous is None or not ctx.in_async:
            return
        loop = innermost_loop(ctx)
        if loop is None or id(loop) in self._reported:
            return
        for item in node.items:
            call = item.item
            if (isinstance(call, cst.Call) and call_kind(ctx, call) is None
                    and not is_ordered_or_runtime(ctx, call)
                    and independent_call(ctx, facts_for(ctx, loop), call)):
                self._reported.add(id(loop))
                self.report(call, message=self.describe(call, None).replace("`await ", "`async with ", 1))
                return

    def describe(self, call: cst.Call, kind: str | None) -> str:
        return (
            f"`await {self.callee(call)}(...)` runs once per item, each waiting for the previous "
            "one; the iterations are independent: await them together with `asyncio.gather` or "
            "a `TaskGroup` (bounded by a semaphore for large inputs), or `BatchProcessor`"
        )

    VALID = ()
    INVALID = ()
