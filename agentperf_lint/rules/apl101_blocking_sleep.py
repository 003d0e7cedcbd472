"""APL101: ``time.sleep`` inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingSleep(BlockingCallRule):
    """## What it does
    Reports `time.sleep()` called inside an `async def` body, however it was imported
    (`import time as t`, `from time import sleep as nap`).

    Cost class (named in every message, counted by `--statistics`): a sleep.

    ## Why is this bad?
    `time.sleep` blocks the thread, and in a coroutine that thread runs the event loop: every
    other task (every other agent, request and heartbeat) stops until it returns. One
    `time.sleep(1)` in a handler caps the whole service at one request per second.

    ## Example
    ```python
    import time

    async def poll_job(client, job_id):
        while not await client.done(job_id):
            time.sleep(1)
    ```

    ## Use instead
    ```python
    import asyncio

    async def poll_job(client, job_id):
        while not await client.done(job_id):
            await asyncio.sleep(1)
    ```

    ## Fix safety
    The fix is safe: `await asyncio.sleep(x)` waits as long and lets other tasks run meanwhile
    (it uses `trio.sleep`/`anyio.sleep` in modules written for those libraries). It is not
    offered inside a generator expression, where an `await` would make it asynchronous.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL101"
    name = "blocking-sleep"

    VALID = (
        Valid("import asyncio\nasync def f():\n    await asyncio.sleep(1)\n"),
        Valid("import time\ndef f():\n    time.sleep(1)\n"),
        Valid("import time\nasync def f():\n    def g():\n        time.sleep(1)\n    return g\n"),
        Valid("import time\nasync def f(loop):\n    await loop.run_in_executor(None, lambda: time.sleep(1))\n"),
        Valid("import asyncio, time\nasync def f():\n    await asyncio.to_thread(time.sleep, 1)\n"),
        Valid("import functools, time\nasync def f(loop):\n    await loop.run_in_executor(None, functools.partial(time.sleep, 1))\n"),
        Valid("from time import sleep\nasync def f(sleep):\n    sleep(1)\n"),
        Valid("async def f():\n    def sleep(x):\n        return x\n    sleep(1)\n"),
        Valid("import time\nasync def f():\n    class C:\n        time.sleep(0)\n"),
        Valid("import time\nasync def f():\n    return time.monotonic()\n"),
        Valid("async def f(time):\n    time.sleep(1)\n"),
        Valid("import time\nasync def f():\n    time = FakeClock()\n    time.sleep(1)\n"),
        Valid("import time\nasync def f():\n    pass\ntime.sleep(1)\n"),
        Valid("import trio\nasync def f():\n    await trio.sleep(1)\n"),
    )
    INVALID = (
        Invalid(
            "import time\n\nasync def f():\n    time.sleep(1)\n",
            line=4, column=5, message_contains="asyncio.sleep",
            fixed="import time\nimport asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n",
        ),
        Invalid(
            "from time import sleep as nap\n\nasync def f(delay):\n    nap(delay)\n",
            line=4, column=5,
            fixed="from time import sleep as nap\nimport asyncio\n\nasync def f(delay):\n    await asyncio.sleep(delay)\n",
        ),
        Invalid(
            "import time as t\nimport trio\n\nasync def f():\n    x = t.sleep(0.5)\n",
            line=5, column=9,
            fixed="import time as t\nimport trio\n\nasync def f():\n    x = await trio.sleep(0.5)\n",
        ),
        Invalid(
            "import time\n\nasync def f():\n    def g():\n        pass\n    time.sleep(1)\n",
            line=6, column=5,
            fixed="import time\nimport asyncio\n\nasync def f():\n    def g():\n        pass\n    await asyncio.sleep(1)\n",
        ),
        Invalid(
            "import time\n\nasync def f(xs):\n    return list(time.sleep(x) for x in xs)\n",
            line=4, column=17,
        ),
        Invalid(
            "import time\n\nasync def f():\n    time.sleep(1).hex()\n",
            line=4, column=5,
            fixed="import time\nimport asyncio\n\nasync def f():\n    (await asyncio.sleep(1)).hex()\n",
        ),
        Invalid(
            "import time\n\nasync def f():\n    async with lock:\n        [time.sleep(0.1) for _ in range(3)]\n",
            line=5, column=10,
            fixed="import time\nimport asyncio\n\nasync def f():\n    async with lock:\n        [await asyncio.sleep(0.1) for _ in range(3)]\n",
        ),
    )
