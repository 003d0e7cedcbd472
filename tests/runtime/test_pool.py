"""ConnectionPool against a real aiohttp server on 127.0.0.1 started by each test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from agentperf_lint.runtime.pool import ConnectionPool, PoolTimeoutError


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/hello", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_requests_share_one_session_and_reuse_tcp(server: str) -> None:
    async with ConnectionPool(max_connections=4, base_url=server) as pool:
        for _ in range(20):
            async with pool.session() as s, s.get("/hello") as response:
                assert await response.text() == "hello"
        stats = pool.get_pool_stats()
    assert stats["requests"] == 20
    assert (
        stats["connections_created"] == 1
    )  # sequential requests ride one keep-alive socket
    assert stats["connections_reused"] == 19
    assert stats["reuse_rate"] == pytest.approx(19 / 20)
    assert stats["sessions"] == 1 and stats["active_connections"] == 0


@pytest.mark.asyncio
async def test_closing_a_lease_never_closes_the_pool(server: str) -> None:
    async with ConnectionPool(max_connections=2) as pool:
        lease = await pool.acquire()
        await lease.close()
        assert lease.closed
        with pytest.raises(RuntimeError):
            lease.get(f"{server}/hello")
        with pytest.raises(AttributeError):
            lease.detach  # noqa: B018 - must not be reachable through a lease
        async with pool.session() as s, s.get(f"{server}/hello") as response:
            assert response.status == 200
        await pool.release(lease)  # double release is harmless
        assert pool.get_pool_stats()["active_connections"] == 0


@pytest.mark.asyncio
async def test_exhaustion_times_out_with_a_clear_error() -> None:
    async with ConnectionPool(max_connections=2, acquire_timeout=0.05) as pool:
        held = [await pool.acquire(), await pool.acquire()]
        with pytest.raises(PoolTimeoutError, match="max_connections"):
            await pool.acquire()
        with pytest.raises(asyncio.TimeoutError):
            await pool.acquire(timeout=0.01)
        waiter = asyncio.ensure_future(pool.acquire(timeout=5))
        await asyncio.sleep(0)
        assert pool.get_pool_stats()["waiting"] == 1
        await pool.release(held[0])
        lease = await asyncio.wait_for(waiter, 5)
        stats = pool.get_pool_stats()
        assert stats["acquire_timeouts"] == 2 and stats["waiting"] == 0
        assert stats["active_connections"] == 2
        await pool.release(lease)
        await pool.release(held[1])


@pytest.mark.asyncio
async def test_cancelled_waiter_does_not_leak_a_slot() -> None:
    async with ConnectionPool(max_connections=1) as pool:
        held = await pool.acquire()
        waiter = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        await pool.release(held)
        again = await asyncio.wait_for(pool.acquire(), 5)
        await pool.release(again)


@pytest.mark.asyncio
async def test_warmup_opens_min_connections(server: str) -> None:
    async with ConnectionPool(
        min_connections=3, max_connections=5, warmup_url=f"{server}/hello"
    ) as pool:
        assert pool.get_pool_stats()["connections_created"] == 3


@pytest.mark.asyncio
async def test_aclose_closes_the_session_and_rejects_use() -> None:
    pool = ConnectionPool()
    await pool.initialize()
    session = next(iter(pool._sessions.values())).session
    await pool.aclose()
    assert session.closed
    with pytest.raises(RuntimeError):
        await pool.acquire()


@pytest.mark.asyncio
async def test_resource_warning_when_left_open() -> None:
    pool = ConnectionPool()
    await pool.initialize()
    session = next(iter(pool._sessions.values())).session
    holder = [pool]
    del pool
    with pytest.warns(ResourceWarning, match="never closed"):
        holder.clear()  # the last reference: __del__ runs here
    await session.close()


# Sessions of loops that ended without aclose() can no longer be closed; aiohttp says so.
@pytest.mark.filterwarnings("ignore:Unclosed client session:ResourceWarning")
def test_one_session_per_event_loop() -> None:
    pool = ConnectionPool()

    async def use() -> object:
        async with pool.session() as s:
            return s._owner.session

    first = asyncio.run(use())
    second = asyncio.run(use())
    assert first is not second
    assert pool.get_pool_stats()["sessions"] == 1  # the dead loop's session was dropped

    async def close() -> None:
        await pool.aclose()

    asyncio.run(close())


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        ConnectionPool(max_connections=0)
    with pytest.raises(ValueError):
        ConnectionPool(min_connections=3, max_connections=2)
