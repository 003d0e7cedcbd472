"""The guide's keyword names next to ours: either works, both at once is a TypeError."""

from __future__ import annotations

import pytest

from agentperf_lint.runtime import BatchProcessor, ConnectionPool, IntelligentCache


def echo(items: list[int]) -> list[int]:
    return items


def test_cache_ttl_names() -> None:
    assert IntelligentCache().default_ttl == 3600
    assert IntelligentCache(10, 5).default_ttl == 5
    assert IntelligentCache(default_ttl=None).ttl_seconds is None
    assert IntelligentCache(ttl_seconds=7).default_ttl == 7
    with pytest.raises(TypeError, match="default_ttl= and ttl_seconds="):
        IntelligentCache(default_ttl=1, ttl_seconds=2)
    with pytest.raises(ValueError):
        IntelligentCache(ttl_seconds=-1)


@pytest.mark.asyncio
async def test_process_function_names() -> None:
    processor: BatchProcessor[int, int] = BatchProcessor()
    assert await processor.process(1, batch_fn=echo) == 1
    assert await processor.process(2, processor_func=echo) == 2
    with pytest.raises(TypeError, match="batch_fn and processor_func"):
        processor.process(3, echo, processor_func=echo)


@pytest.mark.asyncio
async def test_release_names() -> None:
    async with ConnectionPool(max_connections=2) as pool:
        lease = await pool.acquire()
        await pool.release(lease=lease)
        lease = await pool.acquire()
        with pytest.raises(TypeError, match="lease= and connection="):
            await pool.release(lease, connection=lease)
        with pytest.raises(TypeError, match="missing required argument"):
            await pool.release()
        with pytest.raises(TypeError, match="lease from acquire"):
            await pool.release(connection=object())  # type: ignore[arg-type]
        await pool.release(connection=lease)
        assert pool.get_pool_stats()["active_connections"] == 0
