"""Behaviour of the generic ResourcePool: reuse, bounds, health, idle expiry, timeouts."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from agentperf_lint.runtime.pool import PoolTimeoutError
from agentperf_lint.runtime.resource_pool import ResourcePool


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Client:
    ids = itertools.count()

    def __init__(self) -> None:
        self.id = next(self.ids)
        self.closed = False
        self.healthy = True


class Factory:
    def __init__(self) -> None:
        self.made: list[Client] = []

    async def __call__(self) -> Client:
        await asyncio.sleep(0)
        client = Client()
        self.made.append(client)
        return client


async def close(client: Client) -> None:
    client.closed = True


def make(**kw: object) -> tuple[ResourcePool[Client], Factory]:
    factory = Factory()
    pool: ResourcePool[Client] = ResourcePool(factory, close=close, **kw)  # type: ignore[arg-type]
    return pool, factory


@pytest.mark.asyncio
async def test_reuses_released_resources() -> None:
    pool, factory = make(max_size=2)
    for _ in range(5):
        async with pool.lease() as client:
            assert not client.closed
    assert len(factory.made) == 1
    assert pool.get_stats()["acquires"] == 5


@pytest.mark.asyncio
async def test_sync_factory_and_initialize_min_size() -> None:
    pool: ResourcePool[Client] = ResourcePool(Client, min_size=2, max_size=3)
    await pool.initialize()
    assert pool.get_stats()["idle"] == 2
    await pool.aclose()


@pytest.mark.asyncio
async def test_max_size_waiters_fifo_and_timeout() -> None:
    pool, factory = make(max_size=2, acquire_timeout=0.05)
    a, b = await pool.acquire(), await pool.acquire()
    with pytest.raises(PoolTimeoutError):
        await pool.acquire()
    first = asyncio.ensure_future(pool.acquire(timeout=5))
    second = asyncio.ensure_future(pool.acquire(timeout=5))
    await asyncio.sleep(0)
    await pool.release(a)
    assert await asyncio.wait_for(first, 5) is a
    await pool.release(b)
    assert await asyncio.wait_for(second, 5) is b
    assert len(factory.made) == 2 and pool.get_stats()["timeouts"] == 1


@pytest.mark.asyncio
async def test_discard_frees_a_slot_for_a_waiter() -> None:
    pool, factory = make(max_size=1)
    a = await pool.acquire()
    waiter = asyncio.ensure_future(pool.acquire(timeout=5))
    await asyncio.sleep(0)
    await pool.release(a, discard=True)
    b = await asyncio.wait_for(waiter, 5)
    assert a.closed and b is not a and len(factory.made) == 2


@pytest.mark.asyncio
async def test_unhealthy_idle_resources_are_replaced() -> None:
    pool, _ = make(health_check=lambda c: c.healthy)
    a = await pool.acquire()
    await pool.release(a)
    a.healthy = False
    b = await pool.acquire()
    assert b is not a and a.closed and pool.get_stats()["unhealthy"] == 1

    async def raises(client: Client) -> bool:
        raise OSError("gone")

    broken, _ = make(health_check=raises)
    c = await broken.acquire()
    await broken.release(c)
    assert await broken.acquire() is not c


@pytest.mark.asyncio
async def test_idle_expiry_keeps_min_size() -> None:
    clock = FakeClock()
    pool, _ = make(min_size=1, max_size=3, max_idle_time=10, clock=clock)
    held = [await pool.acquire() for _ in range(3)]
    for client in held:
        await pool.release(client)
    clock.now += 11
    client = await pool.acquire()
    stats = pool.get_stats()
    # two expired idle clients were closed; one was kept for min_size and handed out
    assert stats["closed"] == 2 and stats["size"] == 1 and client in held
    await pool.release(client)


@pytest.mark.asyncio
async def test_factory_failure_frees_the_slot() -> None:
    calls = 0

    async def flaky() -> Client:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("refused")
        return Client()

    pool: ResourcePool[Client] = ResourcePool(flaky, max_size=1)
    with pytest.raises(ConnectionError):
        await pool.acquire()
    assert isinstance(await pool.acquire(), Client)


@pytest.mark.asyncio
async def test_cancelled_waiter_passes_its_resource_on() -> None:
    pool, _ = make(max_size=1)
    a = await pool.acquire()
    doomed = asyncio.ensure_future(pool.acquire(timeout=5))
    patient = asyncio.ensure_future(pool.acquire(timeout=5))
    await asyncio.sleep(0)
    await pool.release(a)  # handed to `doomed`...
    doomed.cancel()  # ...which is cancelled before it runs
    await asyncio.gather(doomed, return_exceptions=True)
    assert await asyncio.wait_for(patient, 5) is a


@pytest.mark.asyncio
async def test_aclose_fails_waiters_and_closes_resources() -> None:
    pool, _ = make(max_size=1)
    a = await pool.acquire()
    waiter = asyncio.ensure_future(pool.acquire(timeout=5))
    await asyncio.sleep(0)
    await pool.aclose()
    with pytest.raises(RuntimeError):
        await waiter
    await pool.release(a)
    assert a.closed
    with pytest.raises(RuntimeError):
        await pool.acquire()


@pytest.mark.asyncio
async def test_release_of_foreign_resource_is_an_error() -> None:
    pool, _ = make()
    with pytest.raises(ValueError):
        await pool.release(Client())


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        ResourcePool(Client, max_size=0)
    with pytest.raises(ValueError):
        ResourcePool(Client, min_size=2, max_size=1)
