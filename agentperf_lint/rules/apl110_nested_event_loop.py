"""APL110: starting or re-entering an event loop inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class NestedEventLoop(BlockingCallRule):
    """## What it does
    Reports `asyncio.run(...)`, `loop.run_until_complete(...)` and
    `asyncio.run_coroutine_threadsafe(...).result()` inside an `async def` body.

    Cost class (named in every message, counted by `--statistics`): a wait on another thread.

    ## Why is this bad?
    A coroutine already runs on a loop. `asyncio.run` and `run_until_complete` raise
    `RuntimeError` there (or, patched with `nest_asyncio`, run a second loop that starves the
    first). `run_coroutine_threadsafe(coro, loop).result()` blocks the running loop until the
    coroutine finishes; when `loop` is the running loop itself, it never finishes: a deadlock.
    Sync helpers written for scripts (`def fetch(): return asyncio.run(afetch())`) end up called
    from agents this way.

    ## Example
    ```python
    import asyncio

    async def handle(request):
        return asyncio.run(fetch_profile(request.user))
    ```

    ## Use instead
    ```python
    async def handle(request):
        return await fetch_profile(request.user)
    ```

    ## Fix safety
    For `asyncio.run(coro)` and `loop.run_until_complete(coro)` as a whole statement or the
    right-hand side of an assignment, the fix awaits the coroutine instead: `await coro`. It is
    unsafe: the coroutine now runs on the current loop, sharing its context, and arguments of
    `asyncio.run` such as `debug=` are not carried over (the fix is not offered then).

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL110"
    name = "nested-event-loop"

    VALID = (
        Valid("import asyncio\ndef main():\n    asyncio.run(serve())\n"),
        Valid("import asyncio\nif __name__ == '__main__':\n    asyncio.run(main())\n"),
        Valid("import asyncio\nasync def f(coro, loop):\n    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))\n"),
        Valid("import asyncio\nasync def f():\n    def worker():\n        return asyncio.run(job())\n    return await asyncio.to_thread(worker)\n"),
        Valid("import asyncio\nasync def f():\n    return await asyncio.to_thread(asyncio.run, job())\n"),
    )
    INVALID = (
        Invalid("import asyncio\n\nasync def f():\n    result = asyncio.run(job())\n", line=4, column=14, message_contains="`await` the coroutine",
                fixed="import asyncio\n\nasync def f():\n    result = await job()\n"),
        Invalid("import asyncio\n\nasync def f():\n    asyncio.run(job(), debug=True)\n", line=4, column=5),
        Invalid("import asyncio\n\nasync def f():\n    loop = asyncio.get_event_loop()\n    loop.run_until_complete(job())\n", line=5, column=5,
                fixed="import asyncio\n\nasync def f():\n    loop = asyncio.get_event_loop()\n    await job()\n"),
        Invalid("async def f(self):\n    return self.loop.run_until_complete(job())\n", line=2, column=12),
        Invalid("import asyncio\n\nasync def f(coro, loop):\n    return asyncio.run_coroutine_threadsafe(coro, loop).result()\n", line=4, column=12),
        Invalid("import asyncio\n\nasync def f(coro, loop):\n    fut = asyncio.run_coroutine_threadsafe(coro, loop)\n    return fut.result(timeout=5)\n", line=5, column=12),
    )
