"""``ConnectionPool``: one shared aiohttp session per event loop, handed out safely.

aiohttp already pools TCP connections inside a ``TCPConnector``; what goes wrong in practice is
creating a ``ClientSession`` per request (no reuse at all) or sharing one whose lifetime nobody
owns. This pool owns one ``ClientSession`` over one ``TCPConnector`` per event loop (aiohttp
objects are bound to the loop that made them) and hands out leases: ``PooledSession`` objects that
forward requests to that session. Closing a lease returns it; it can never close the session.
Leases are bounded by ``max_connections`` with an acquire timeout, and TCP reuse is measured with
aiohttp's own trace hooks. aiohttp is imported only when a session is first needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    """Filled by trace hooks; kept apart from the pool so the hooks do not keep it alive."""

    requests: int = 0
    created: int = 0
    reused: int = 0


@dataclass(slots=True, eq=False)
class _LoopSession:
    session: aiohttp.ClientSession
    limiter: asyncio.Semaphore


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
        self._trace_config: aiohttp.TraceConfig | None = None
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
        limiter = owner.limiter
        if limiter.locked():
            limit = self.acquire_timeout if timeout is None else timeout
            start = time.perf_counter()
            self._waiting += 1
            try:
                await asyncio.wait_for(limiter.acquire(), limit)
            except asyncio.TimeoutError:
                self._timeouts += 1
                raise PoolTimeoutError(
                    f"no pooled session free within {limit} s: all {self.max_connections} are "
                    "leased; release them sooner or raise max_connections"
                ) from None
            finally:
                self._waiting -= 1
                self._wait_time += time.perf_counter() - start
        else:
            await limiter.acquire()  # free: returns without suspending
        self._active += 1
        self._acquires += 1
        return PooledSession(self, owner)

    async def release(self, lease: PooledSession) -> None:
        """Give a lease back. Releasing twice is harmless; the session stays open."""
        if lease._pool is not self:
            raise ValueError("this session was leased from another pool")
        if lease._released:
            return
        lease._released = True
        self._active -= 1
        lease._owner.limiter.release()

    @contextlib.asynccontextmanager
    async def session(
        self, timeout: float | None = None
    ) -> AsyncIterator[PooledSession]:
        """``async with pool.session() as s: await s.get(...)``; released however the block ends."""
        lease = await self.acquire(timeout)
        try:
            yield lease
        finally:
            await self.release(lease)

    # ------------------------------------------------------------------ statistics
    def get_pool_stats(self) -> dict[str, Any]:
        """Lease and TCP statistics since creation.

        ``active_connections`` counts leases held now. ``connections_created`` and
        ``connections_reused`` come from aiohttp's trace hooks: a reused request rode on an
        existing keep-alive TCP connection, so ``reuse_rate`` is the real connection reuse.
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

        connector = aiohttp.TCPConnector(
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
            trace_configs=[self._tracing()],
            **self._session_kwargs,
        )
        return _LoopSession(session, asyncio.Semaphore(self.max_connections))

    def _tracing(self) -> aiohttp.TraceConfig:
        if self._trace_config is None:
            import aiohttp

            config = aiohttp.TraceConfig()
            tcp = self._tcp

            async def on_request_start(*_: object) -> None:
                tcp.requests += 1

            async def on_connection_create_end(*_: object) -> None:
                tcp.created += 1

            async def on_connection_reuseconn(*_: object) -> None:
                tcp.reused += 1

            config.on_request_start.append(on_request_start)
            config.on_connection_create_end.append(on_connection_create_end)
            config.on_connection_reuseconn.append(on_connection_reuseconn)
            config.freeze()
            self._trace_config = config
        return self._trace_config
