"""Run a LoadTester scenario under Locust (e.g. distributed mode) when one machine is not enough.

LoadTester drives one event loop in one process. Past what that can generate (the tester warns
when its event loop lags), use an existing distributed engine instead of a home-grown one:
Locust's master/worker mode spreads users over processes and machines and merges statistics.
:func:`locust_user` turns the same async ``test_func`` into a Locust ``User`` class::

    # locustfile.py
    from agentperf_lint.runtime.loadtest_locust import locust_user
    from scenarios import checkout, on_start, on_stop

    CheckoutUser = locust_user(checkout, on_start=on_start, on_stop=on_stop)

    $ locust -f locustfile.py --master --headless -u 2000 -r 200 -t 5m --expect-workers 8
    $ locust -f locustfile.py --worker --master-host 10.0.0.1     # on each load machine

How it runs: Locust users are gevent greenlets, and asyncio cannot run inside them, so each
Locust process starts one native thread with an asyncio event loop. A user greenlet submits its
request to that loop and waits cooperatively (a gevent async watcher wakes it), so thousands of
users share one loop just as they do under LoadTester. Latency is measured inside the loop
around the awaited call and reported to Locust as request type ``"async"`` named by
:func:`~agentperf_lint.runtime.loadtest.set_label` (or the function's name).

Locust is not a dependency of agentperf-lint: ``pip install locust`` where you use this module.
It must be imported from a locustfile (Locust monkey-patches the standard library first).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .loadtest import _LABEL, _call_style

__all__ = ["locust_user"]

Hook = Callable[[], Awaitable[Any]]


class _LoopThread:
    """One asyncio loop in a native (unpatched) thread, shared by a process's Locust users."""

    def __init__(self, on_start: Hook | None, on_stop: Hook | None) -> None:
        self.on_start = on_start
        self.on_stop = on_stop
        self.loop: asyncio.AbstractEventLoop | None = None
        self._started: Any = None  # concurrent.futures.Future of on_start
        self._watched: set[int] = set()  # ids of the Locust environments we stop with

    def ensure_running(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            from gevent import monkey

            # threading.Thread would become a greenlet once patched; _thread's original does not
            start_native_thread = monkey.get_original("_thread", "start_new_thread")
            # and the patched selector would wait on gevent's hub instead of epoll
            selector = monkey.get_original("selectors", "DefaultSelector")()
            loop = asyncio.SelectorEventLoop(selector)
            start_native_thread(self._run, (loop,))
            self.loop = loop
            if self.on_start is not None:
                self._started = asyncio.run_coroutine_threadsafe(self.on_start(), loop)
        return self.loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    def call(self, coroutine: Awaitable[Any]) -> Any:
        """Run ``coroutine`` on the loop; block only the calling greenlet until it is done."""
        import gevent
        from gevent.event import Event

        loop = self.ensure_running()
        hub = gevent.get_hub()
        done = Event()
        watcher = hub.loop.async_()  # created and started in the hub's thread, as gevent needs
        watcher.start(done.set)
        try:
            future = asyncio.run_coroutine_threadsafe(self._after_start(coroutine), loop)
            future.add_done_callback(lambda _: watcher.send())  # thread-safe wake-up
            done.wait()
        finally:
            watcher.stop()
            watcher.close()
        return future.result()

    async def _after_start(self, coroutine: Awaitable[Any]) -> Any:
        if self._started is not None:
            await asyncio.wrap_future(self._started)
        return await coroutine

    def stop_with(self, environment: Any) -> None:
        """Run ``on_stop`` and stop the loop when this environment's test stops (once each)."""
        if id(environment) not in self._watched:
            self._watched.add(id(environment))
            environment.events.test_stop.add_listener(lambda **_: self.stop())

    def stop(self) -> None:
        loop = self.loop
        if loop is None:
            return
        if self.on_stop is not None:
            self.call(self.on_stop())
        loop.call_soon_threadsafe(loop.stop)
        self.loop = None


async def _timed(
    test_func: Callable[..., Awaitable[Any]], args: tuple[int, ...], default_label: str
) -> tuple[str, float, BaseException | None]:
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        await test_func(*args)
    except Exception as exc:  # a failed request, reported to Locust
        error = exc
    elapsed = time.perf_counter() - start
    label = _LABEL.get() or default_label
    return label, elapsed, error


def locust_user(
    test_func: Callable[..., Awaitable[Any]],
    *,
    name: str | None = None,
    on_start: Hook | None = None,
    on_stop: Hook | None = None,
    wait_time: Callable[..., float] | None = None,
) -> type[Any]:
    """A Locust ``User`` class whose single task awaits ``test_func``, like LoadTester's users.

    ``test_func`` is called as ``test_func(user_id, request_id)`` or ``test_func()``.
    ``on_start``/``on_stop`` run once per Locust process (open/close a shared HTTP session
    there). ``wait_time`` defaults to none between requests, as in LoadTester's closed model.
    """
    from locust import User, constant, task

    passes_ids = _call_style(test_func)
    default_label = name or getattr(test_func, "__name__", None) or "request"
    loop_thread = _LoopThread(on_start, on_stop)
    user_ids = itertools.count()

    class AsyncScenarioUser(User):  # type: ignore[misc]
        abstract = False

        def on_start(self) -> None:
            loop_thread.stop_with(self.environment)
            self.user_id = next(user_ids)
            self.request_ids = itertools.count()

        @task
        def run_scenario(self) -> None:
            args = (self.user_id, next(self.request_ids)) if passes_ids else ()
            label, elapsed, error = loop_thread.call(_timed(test_func, args, default_label))
            self.environment.events.request.fire(
                request_type="async",
                name=label,
                response_time=elapsed * 1000.0,
                response_length=0,
                response=None,
                context={},
                exception=error,
            )

    AsyncScenarioUser.wait_time = wait_time if wait_time is not None else constant(0)
    AsyncScenarioUser.__name__ = AsyncScenarioUser.__qualname__ = f"{default_label}_user"
    return AsyncScenarioUser
