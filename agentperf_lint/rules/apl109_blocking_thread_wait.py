"""APL109: waits on thread primitives inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingThreadWait(BlockingCallRule):
    """## What it does
    Reports waits on thread synchronisation primitives inside an `async def` body:
    `acquire()` on `threading.Lock`/`RLock`/`Semaphore`/`Condition`, `wait()` on
    `threading.Event`/`Condition`/`Barrier`, `Thread.join()`, `get()`/`put()`/`join()` on
    `queue.Queue` (and `multiprocessing.Queue`), `concurrent.futures.Future.result()` and
    `concurrent.futures.wait()`, and `Executor.shutdown()` (which waits by default). Calls that
    cannot wait are not reported: `acquire(blocking=False)`, `get(block=False)`,
    `wait(timeout=0)`, `shutdown(wait=False)`, and `future.result()` in a function that also
    registers a done-callback on that future or checks `done()`/`cancelled()` (it waits for
    completion asynchronously and reads a result that is already there).

    Cost class (named in every message, counted by `--statistics`): a wait on another thread.

    ## Why is this bad?
    These primitives park the calling thread, which here is the event loop: while it waits
    for a worker thread, no other coroutine runs, and if the worker needs the loop to make
    progress (a `run_coroutine_threadsafe` callback), the program deadlocks.

    ## Example
    ```python
    async def next_job(jobs):  # jobs: queue.Queue fed by a worker thread
        return jobs.get()
    ```

    ## Use instead
    ```python
    import asyncio

    async def next_job(jobs):
        return await asyncio.to_thread(jobs.get)
    ```
    (or an `asyncio.Queue` fed with `loop.call_soon_threadsafe(queue.put_nowait, item)`; for a
    future, `await asyncio.wrap_future(future)`).

    ## Fix safety
    Where the call is a whole statement or the right-hand side of an assignment, the fix waits
    in a worker thread (`await asyncio.to_thread(jobs.get)`). It is unsafe: the wait now
    happens in another thread. No fix is offered for `acquire()` (a lock acquired in a worker
    thread is owned by that thread) or `Future.result()` (`asyncio.wrap_future` is better).

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL109"
    name = "blocking-thread-wait"

    VALID = (
        Valid("import threading\ndef f(lock: threading.Lock):\n    lock.acquire()\n"),
        Valid("import threading\nasync def f(lock: threading.Lock):\n    return lock.acquire(blocking=False)\n"),
        Valid("import threading\nasync def f(lock: threading.Lock):\n    return lock.acquire(False)\n"),
        Valid("import queue\nasync def f(q: queue.Queue):\n    return q.get_nowait(), q.get(block=False), q.get(False), q.put(1, False)\n"),
        Valid("import queue\nJOBS = queue.Queue()\nasync def f(job):\n    JOBS.put(job)\n"),
        Valid("import threading\nasync def f(ev: threading.Event):\n    return ev.is_set(), ev.wait(0), ev.wait(timeout=0)\n"),
        Valid("import asyncio\nasync def f(q: asyncio.Queue, lock: asyncio.Lock):\n    await lock.acquire()\n    return await q.get()\n"),
        Valid("import asyncio\nasync def f(fut):\n    return await asyncio.wrap_future(fut)\n"),
        Valid("async def f(task):\n    return task.result()\n"),
        Valid("import concurrent.futures\nasync def f(pool: concurrent.futures.ThreadPoolExecutor):\n    pool.shutdown(wait=False)\n"),
        Valid("import asyncio\nasync def f(loop, fut):\n    return await loop.run_in_executor(None, fut.result)\n"),
        Valid("import concurrent.futures\nasync def f(fut: concurrent.futures.Future, event):\n    fut.add_done_callback(lambda _: event.set())\n    await event.wait()\n    return fut.result()\n"),
    )
    INVALID = (
        Invalid("import queue\n\nasync def f(q: queue.Queue):\n    item = q.get()\n", line=4, column=12, message_contains="asyncio.Queue",
                fixed="import queue\nimport asyncio\n\nasync def f(q: queue.Queue):\n    item = await asyncio.to_thread(q.get)\n"),
        Invalid("import queue\n\nasync def f(q: queue.Queue):\n    q.put(1)\n", line=4, column=5,
                fixed="import queue\nimport asyncio\n\nasync def f(q: queue.Queue):\n    await asyncio.to_thread(q.put, 1)\n"),
        Invalid("import queue\n\nasync def f():\n    q = queue.Queue()\n    return q.get(timeout=5)\n", line=5, column=12),
        Invalid("import queue\n\nJOBS = queue.Queue(maxsize=8)\n\nasync def f(job):\n    JOBS.put(job)\n", line=6, column=5,
                fixed="import queue\nimport asyncio\n\nJOBS = queue.Queue(maxsize=8)\n\nasync def f(job):\n    await asyncio.to_thread(JOBS.put, job)\n"),
        Invalid("import threading\n\nasync def f(lock: threading.Lock):\n    lock.acquire()\n", line=4, column=5),
        Invalid("import threading\n\nclass Store:\n    def __init__(self):\n        self._lock = threading.RLock()\n\n    async def put(self):\n        self._lock.acquire()\n",
                line=8, column=9),
        Invalid("import threading\n\nasync def f(ev: threading.Event):\n    ev.wait()\n", line=4, column=5,
                fixed="import threading\nimport asyncio\n\nasync def f(ev: threading.Event):\n    await asyncio.to_thread(ev.wait)\n"),
        Invalid("import threading\n\nasync def f(ev: threading.Event):\n    return ev.wait(5)\n", line=4, column=12),
        Invalid("import threading\n\nasync def f(work):\n    t = threading.Thread(target=work)\n    t.start()\n    t.join()\n", line=6, column=5,
                fixed="import threading\nimport asyncio\n\nasync def f(work):\n    t = threading.Thread(target=work)\n    t.start()\n    await asyncio.to_thread(t.join)\n"),
        Invalid("import concurrent.futures\n\nasync def f(fut: concurrent.futures.Future):\n    return fut.result()\n", line=4, column=12, message_contains="wrap_future"),
        Invalid("from concurrent.futures import ThreadPoolExecutor\n\nasync def f(work):\n    pool = ThreadPoolExecutor()\n    fut = pool.submit(work)\n    return fut.result()\n", line=6, column=12),
        Invalid("from concurrent.futures import ThreadPoolExecutor\n\nasync def f():\n    pool = ThreadPoolExecutor()\n    pool.shutdown()\n", line=5, column=5,
                fixed="from concurrent.futures import ThreadPoolExecutor\nimport asyncio\n\nasync def f():\n    pool = ThreadPoolExecutor()\n    await asyncio.to_thread(pool.shutdown)\n"),
        Invalid("import concurrent.futures\n\nasync def f(fs):\n    return concurrent.futures.wait(fs)\n", line=4, column=12),
    )
