"""``ResourcePool``: a small generic async pool for clients that are costly to create.

For database connections, LLM SDK clients, gRPC channels: anything without its own pool. It
creates resources with a factory (sync or async), checks them with an optional health check before
handing an idle one out, closes those idle longer than ``max_idle_time`` while keeping at least
``min_size``, never holds more than ``max_size``, and gives waiters resources in FIFO order with an
acquire timeout. A released resource goes straight to the oldest waiter, so nobody barges past.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from .pool import PoolTimeoutError

__all__ = ["ResourcePool"]

T = TypeVar("T")

# Handed to a waiter instead of a resource when a slot frees up (a resource was discarded):
# the waiter then creates a new one itself.
_SLOT: Any = object()


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class ResourcePool(Generic[T]):
    """Bounded pool of reusable resources.

    Args:
        factory: ``factory() -> resource`` (or an awaitable of one).
        close: ``close(resource)`` (sync or async), called when a resource leaves the pool.
        health_check: ``check(resource) -> bool`` (sync or async) run before an idle resource is
            reused; ``False`` or an exception discards it.
        min_size: resources kept even when idle, created by ``initialize()``.
        max_size: most resources in existence, leased or idle.
        max_idle_time: seconds after which an idle resource above ``min_size`` is closed.
        acquire_timeout: default seconds ``acquire()`` waits before :class:`PoolTimeoutError`.
        clock: monotonic clock for idle times, injectable for tests.
    """

    def __init__(
        self,
        factory: Callable[[], T | Awaitable[T]],
        *,
        close: Callable[[T], Any] | None = None,
        health_check: Callable[[T], bool | Awaitable[bool]] | None = None,
        min_size: int = 0,
        max_size: int = 10,
        max_idle_time: float | None = None,
        acquire_timeout: float | None = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        if not 0 <= min_size <= max_size:
            raise ValueError("min_size must be between 0 and max_size")
        self._factory = factory
        self._close = close
        self._health_check = health_check
        self.min_size = min_size
        self.max_size = max_size
        self.max_idle_time = max_idle_time
        self.acquire_timeout = acquire_timeout
        self._clock = clock
        self._idle: deque[tuple[T, float]] = (
            deque()
        )  # oldest on the left, reuse from the right
        self._leased: dict[int, T] = {}
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._size = 0  # existing resources plus those being created
        self._closed = False
        self._stats = {
            "created": 0,
            "closed": 0,
            "unhealthy": 0,
            "timeouts": 0,
            "acquires": 0,
        }

    # ------------------------------------------------------------------ lifecycle
    async def initialize(self) -> None:
        """Create resources until ``min_size`` exist."""
        while self._size < self.min_size:
            self._size += 1
            try:
                resource = await self._create()
            except BaseException:
                self._size -= 1
                raise
            self._idle.append((resource, self._clock()))

    async def aclose(self) -> None:
        """Close idle resources now, leased ones when released, and fail every waiter."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(RuntimeError("ResourcePool was closed"))
        while self._idle:
            await self._destroy(self._idle.pop()[0])

    async def __aenter__(self) -> ResourcePool[T]:
        await self.initialize()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ leases
    async def acquire(self, timeout: float | None = None) -> T:
        """Get a resource: a healthy idle one, a new one if below ``max_size``, or wait."""
        limit = self.acquire_timeout if timeout is None else timeout
        deadline = None if limit is None else time.monotonic() + limit
        await self._expire_idle()
        while True:
            if self._closed:
                raise RuntimeError("ResourcePool is closed")
            while self._idle:
                resource = self._idle.pop()[0]
                if await self._healthy(resource):
                    return self._lease(resource)
                self._stats["unhealthy"] += 1
                await self._destroy(resource)
            if self._size < self.max_size:
                self._size += 1
                try:
                    resource = await self._create()
                except BaseException:
                    self._size -= 1
                    self._hand_over(_SLOT)
                    raise
                return self._lease(resource)
            resource = await self._wait(deadline, limit)
            if resource is not _SLOT:
                return self._lease(resource)

    async def release(self, resource: T, *, discard: bool = False) -> None:
        """Return a resource; ``discard=True`` closes it instead (it is known to be broken)."""
        if self._leased.pop(id(resource), None) is None:
            raise ValueError("resource was not leased from this pool")
        if discard or self._closed:
            await self._destroy(resource)
            self._hand_over(_SLOT)
        else:
            self._hand_over(resource)

    @contextlib.asynccontextmanager
    async def lease(self, timeout: float | None = None) -> AsyncIterator[T]:
        """``async with pool.lease() as client: ...``; released however the block ends."""
        resource = await self.acquire(timeout)
        try:
            yield resource
        finally:
            await self.release(resource)

    def get_stats(self) -> dict[str, int]:
        """Sizes now plus lifetime counters (created, closed, unhealthy, timeouts, acquires)."""
        return {
            "size": self._size,
            "idle": len(self._idle),
            "leased": len(self._leased),
            "waiting": sum(not w.done() for w in self._waiters),
            **self._stats,
        }

    # ------------------------------------------------------------------ internals
    def _lease(self, resource: T) -> T:
        self._leased[id(resource)] = resource
        self._stats["acquires"] += 1
        return resource

    async def _wait(self, deadline: float | None, limit: float | None) -> Any:
        # A timer instead of asyncio.wait_for: wait_for before 3.12 may swallow a cancellation
        # that races with a hand-over, and costs an extra task per wait.
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        timer = None
        if deadline is not None:
            error = PoolTimeoutError(
                f"no resource free within {limit} s: all {self.max_size} are leased"
            )
            timer = loop.call_at(
                loop.time() + max(0.0, deadline - time.monotonic()),
                self._expire,
                waiter,
                error,
            )
        try:
            return await waiter
        except asyncio.CancelledError:
            # Handed a resource at the moment we were cancelled: pass it on, do not leak it.
            if waiter.done() and not waiter.cancelled():
                self._hand_over(waiter.result())
            raise
        finally:
            if timer is not None:
                timer.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _expire(self, waiter: asyncio.Future[Any], error: PoolTimeoutError) -> None:
        if not waiter.done():
            self._stats["timeouts"] += 1
            waiter.set_exception(error)

    def _hand_over(self, resource: Any) -> None:
        """Give a released resource (or a free slot) to the oldest waiter, else keep it idle."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(resource)
                return
        if resource is not _SLOT:
            self._idle.append((resource, self._clock()))

    async def _create(self) -> T:
        resource: T = await _maybe_await(self._factory())
        self._stats["created"] += 1
        return resource

    async def _healthy(self, resource: T) -> bool:
        if self._health_check is None:
            return True
        try:
            return bool(await _maybe_await(self._health_check(resource)))
        except Exception:  # noqa: BLE001 - a failing check means "do not reuse", nothing more
            return False

    async def _destroy(self, resource: T) -> None:
        self._size -= 1
        self._stats["closed"] += 1
        if self._close is not None:
            # A resource being thrown away may well fail to close; that must not fail the caller.
            with contextlib.suppress(Exception):
                await _maybe_await(self._close(resource))

    async def _expire_idle(self) -> None:
        if self.max_idle_time is None:
            return
        cutoff = self._clock() - self.max_idle_time
        while self._idle and self._idle[0][1] <= cutoff and self._size > self.min_size:
            await self._destroy(self._idle.popleft()[0])
