"""``ConnectionPool``: one shared aiohttp session per event loop, handed out safely.

aiohttp already pools TCP connections inside a ``TCPConnector``; what goes wrong in practice is
creating a ``ClientSession`` per request (no reuse at all) or sharing one whose lifetime nobody
owns. This pool owns one ``ClientSession`` over one ``TCPConnector`` per event loop (aiohttp
objects are bound to the loop that made them) and hands out leases: ``PooledSession`` objects that
forward requests to that session. Closing a lease returns it; it can never close the session.
Leases are bounded by ``max_connections`` with an acquire timeout, and TCP reuse is measured where
the connector hands out connections. aiohttp is imported only when a session is first needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import warnings
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._aliases import UNSET, Unset, either

if TYPE_CHECKING:
    import aiohttp
    from typing_extensions import Self

__all__ = ["ConnectionPool", "PoolTimeoutError", "PooledSession"]

# Everything a caller may use on a lease. Anything else (close, detach, connector) would let one
# caller break the session every other caller shares, so it is not forwarded.
_FORWARDED = frozenset(
    {
        "request",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "ws_connect",
        "cookie_jar",
        "headers",
        "timeout",
        "auth",
        "json_serialize",
        "raise_for_status",
        "version",
    }
)


class PoolTimeoutError(asyncio.TimeoutError):
    """Nothing became free in the pool within the acquire timeout."""


@dataclass(slots=True)
class _TcpCounters:
    """Filled by the connector; kept apart so the connector does not keep the pool alive."""

    requests: int = (
        0  # connections handed to requests (one per request and redirect hop)
    )
    created: int = 0
    reused: int = 0


@dataclass(slots=True, eq=False)
class _LoopSession:
    """The session of one event loop and its lease slots (futures belong to one loop)."""

    session: aiohttp.ClientSession
    free: int  # lease slots free now
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)


class PooledSession:
    """A lease on the pool's shared ``ClientSession`` for the current event loop.

    Use it like a ``ClientSession`` (``get``, ``post``, ``request``, ``ws_connect``, ...).
    ``await lease.close()`` or ``await pool.release(lease)`` gives it back; afterwards it refuses
    to make requests, so a lease cannot be used outside its bound.
    """

    __slots__ = ("_owner", "_pool", "_released")

    def __init__(self, pool: ConnectionPool, owner: _LoopSession) -> None:
        self._pool = pool
        self._owner = owner
        self._released = False

    def __getattr__(self, name: str) -> Any:
        if name not in _FORWARDED:
            raise AttributeError(f"{name!r} is not available on a pooled session")
        if self._released:
            raise RuntimeError("this pooled session was released; acquire a new one")
        return getattr(self._owner.session, name)

    @property
    def closed(self) -> bool:
        """True once released (the shared session itself stays open)."""
        return self._released

    async def close(self) -> None:
        await self._pool.release(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._pool.release(self)


class _LeaseContext:
    """What ``pool.session()`` returns: acquires on enter, releases on exit."""

    __slots__ = ("_lease", "_pool", "_timeout")

    def __init__(self, pool: ConnectionPool, timeout: float | None) -> None:
        self._pool = pool
        self._timeout = timeout

    async def __aenter__(self) -> PooledSession:
        self._lease = await self._pool.acquire(self._timeout)
        return self._lease

    async def __aexit__(self, *exc_info: object) -> None:
        await self._pool.release(self._lease)


class ConnectionPool:
    """Shared aiohttp sessions with bounded, timed leases and real reuse statistics.

    Args:
        min_connections: TCP connections ``initialize()`` opens ahead of time to ``warmup_url``
            (ignored without one: aiohttp opens connections per host on demand).
        max_connections: the connector's ``limit`` and the most leases out at once per loop.
        limit_per_host: the connector's ``limit_per_host`` (0 = no per-host limit).
        acquire_timeout: seconds ``acquire()`` waits for a free lease before
            :class:`PoolTimeoutError`; ``None`` waits forever.
        connection_timeout: total seconds per request (aiohttp ``ClientTimeout(total=...)``).
        keepalive_timeout: seconds an idle TCP connection is kept for reuse.
        ttl_dns_cache: seconds DNS answers are cached by the connector.
        base_url: passed to ``ClientSession`` so requests can use relative paths.
        warmup_url: URL requested ``min_connections`` times concurrently by ``initialize()``.
        session_kwargs: more ``ClientSession`` arguments (headers, auth, cookie_jar, ...).
    """

    _closed = True  # class default keeps __del__ quiet if __init__ raised

    def __init__(
        self,
        min_connections: int = 0,
        max_connections: int = 100,
        *,
        limit_per_host: int = 0,
        acquire_timeout: float | None = 30.0,
        connection_timeout: float | None = 30.0,
        keepalive_timeout: float = 15.0,
        ttl_dns_cache: int | None = 300,
        base_url: str | None = None,
        warmup_url: str | None = None,
        session_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if not 0 <= min_connections <= max_connections:
            raise ValueError("min_connections must be between 0 and max_connections")
        self.min_connections = min_connections
        self.max_connections = max_connections
        self.limit_per_host = limit_per_host
        self.acquire_timeout = acquire_timeout
        self.connection_timeout = connection_timeout
        self.keepalive_timeout = keepalive_timeout
        self.ttl_dns_cache = ttl_dns_cache
        self.base_url = base_url
        self.warmup_url = warmup_url
        self._session_kwargs = dict(session_kwargs or {})
        self._sessions: dict[asyncio.AbstractEventLoop, _LoopSession] = {}
        self._active = 0
        self._waiting = 0
        self._acquires = 0
        self._timeouts = 0
        self._wait_time = 0.0
        self._tcp = _TcpCounters()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle
    async def initialize(self) -> None:
        """Create this loop's session now and, with ``warmup_url``, open ``min_connections``."""
        owner = self._for_loop()
        if self.warmup_url and self.min_connections:
            # Concurrent requests cannot share a connection, so each one opens its own; they stay
            # in the connector's keep-alive pool afterwards.
            async def touch() -> None:
                async with owner.session.get(self.warmup_url) as response:  # type: ignore[arg-type]
                    await response.read()

            await asyncio.gather(*(touch() for _ in range(self.min_connections)))

    async def aclose(self) -> None:
        """Close every session; sessions of other live loops are closed on their own loop."""
        self._closed = True
        current = asyncio.get_running_loop()
        sessions, self._sessions = self._sessions, {}
        for loop, owner in sessions.items():
            if loop is current:
                await owner.session.close()
            elif not loop.is_closed():
                asyncio.run_coroutine_threadsafe(owner.session.close(), loop)

    async def __aenter__(self) -> Self:
        await self.initialize()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if not self._closed and self._sessions:
            warnings.warn(
                f"ConnectionPool {self!r} was never closed; use `async with` or `await aclose()`",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    # ------------------------------------------------------------------ leases
    async def acquire(self, timeout: float | None = None) -> PooledSession:
        """Lease the shared session; wait at most ``timeout`` (default ``acquire_timeout``)."""
        owner = self._for_loop()
        if (
            owner.free > 0
        ):  # the common case: no suspension, no allocation but the lease
            owner.free -= 1
        else:
            await self._wait_for_slot(
                owner, self.acquire_timeout if timeout is None else timeout
            )
        self._active += 1
        self._acquires += 1
        return PooledSession(self, owner)

    async def release(
        self,
        lease: PooledSession | Unset = UNSET,
        *,
        connection: PooledSession | Unset = UNSET,
    ) -> None:
        """Give a lease back. Releasing twice is harmless; the session stays open.

        ``connection`` is the origin guide's name for ``lease`` (``await
        pool.release(connection=session)``); pass one of them.
        """
        lease = either("lease", lease, "connection", connection, owner="release")
        if not isinstance(lease, PooledSession):
            raise TypeError(
                f"release() expects a lease from acquire(), got {type(lease).__name__}"
            )
        if lease._pool is not self:
            raise ValueError("this session was leased from another pool")
        if lease._released:
            return
        lease._released = True
        self._active -= 1
        self._free_slot(lease._owner)

    def session(self, timeout: float | None = None) -> _LeaseContext:
        """``async with pool.session() as s: await s.get(...)``; released however the block ends."""
        return _LeaseContext(self, timeout)

    async def _wait_for_slot(self, owner: _LoopSession, limit: float | None) -> None:
        # FIFO futures and a timer rather than asyncio.wait_for: no extra task per wait, and no
        # pre-3.12 wait_for race that swallows a cancellation arriving with the slot.
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        owner.waiters.append(waiter)
        timer = (
            None
            if limit is None
            else loop.call_later(limit, self._expire, waiter, limit)
        )
        self._waiting += 1
        start = time.perf_counter()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._free_slot(owner)  # handed a slot as we were cancelled: pass it on
            raise
        finally:
            if timer is not None:
                timer.cancel()
            self._waiting -= 1
            self._wait_time += time.perf_counter() - start
            with contextlib.suppress(ValueError):
                owner.waiters.remove(waiter)

    def _expire(self, waiter: asyncio.Future[None], limit: float) -> None:
        if not waiter.done():
            self._timeouts += 1
            waiter.set_exception(
                PoolTimeoutError(
                    f"no pooled session free within {limit} s: all {self.max_connections} are "
                    "leased; release them sooner or raise max_connections"
                )
            )

    @staticmethod
    def _free_slot(owner: _LoopSession) -> None:
        """Hand a freed slot to the oldest live waiter, else count it free."""
        while owner.waiters:
            waiter = owner.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        owner.free += 1

    # ------------------------------------------------------------------ statistics
    def get_pool_stats(self) -> dict[str, Any]:
        """Lease and TCP statistics since creation.

        ``active_connections`` counts leases held now. ``connections_created`` and
        ``connections_reused`` are counted where the connector hands a connection to a request:
        a reused request rode on an existing keep-alive TCP socket, so ``reuse_rate`` is the
        real connection reuse.
        """
        tcp = self._tcp
        opened = tcp.created + tcp.reused
        return {
            "max_connections": self.max_connections,
            "active_connections": self._active,
            "available_connections": self.max_connections - self._active,
            "waiting": self._waiting,
            "acquires": self._acquires,
            "acquire_timeouts": self._timeouts,
            "wait_time_total": self._wait_time,
            "requests": tcp.requests,
            "connections_created": tcp.created,
            "connections_reused": tcp.reused,
            "reuse_rate": tcp.reused / opened if opened else 0.0,
            "sessions": len(self._sessions),
        }

    # ------------------------------------------------------------------ internals
    def _for_loop(self) -> _LoopSession:
        if self._closed:
            raise RuntimeError("ConnectionPool is closed")
        loop = asyncio.get_running_loop()
        owner = self._sessions.get(loop)
        if owner is None:
            # Sessions of loops that have since closed (one asyncio.run() per test, say) are dead.
            for old in [lp for lp in self._sessions if lp.is_closed()]:
                del self._sessions[old]
            owner = self._sessions[loop] = self._new_session()
        return owner

    def _new_session(self) -> _LoopSession:
        import aiohttp

        connector = _counting_connector()(
            self._tcp,
            limit=self.max_connections,
            limit_per_host=self.limit_per_host,
            keepalive_timeout=self.keepalive_timeout,
            ttl_dns_cache=self.ttl_dns_cache,
            use_dns_cache=self.ttl_dns_cache is not None,
        )
        session = aiohttp.ClientSession(
            base_url=self.base_url,
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.connection_timeout),
            **self._session_kwargs,
        )
        return _LoopSession(session, self.max_connections)


@functools.cache
def _counting_connector() -> type[aiohttp.TCPConnector]:
    """A ``TCPConnector`` that tells new TCP connections from reused keep-alive ones.

    Built on first use so importing this module does not import aiohttp. aiohttp's trace hooks
    could count the same, but with any trace config aiohttp creates trace objects and awaits
    several signal coroutines per request (request start, headers, chunks, end, connection
    events): about 30% of loopback throughput in bench/runtime_pool.py.
    """
    import aiohttp

    class CountingConnector(aiohttp.TCPConnector):
        def __init__(self, counters: _TcpCounters, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._apl_counters = counters
            # A connection is its protocol object: seen before means a reused socket.
            self._apl_seen: weakref.WeakSet[object] = weakref.WeakSet()

        async def connect(
            self,
            req: aiohttp.ClientRequest,
            traces: list[aiohttp.tracing.Trace],
            timeout: aiohttp.ClientTimeout,
        ) -> aiohttp.connector.Connection:
            conn = await super().connect(req, traces, timeout)
            counters = self._apl_counters
            counters.requests += 1
            if conn.protocol in self._apl_seen:
                counters.reused += 1
            else:
                self._apl_seen.add(conn.protocol)
                counters.created += 1
            return conn

    return CountingConnector
