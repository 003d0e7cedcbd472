"""The origin guide's own tests for the runtime helpers, unchanged in behaviour.

They pin the public call shapes kept from the guide (see ../shared/origin in the project brief).
"""

from __future__ import annotations

import asyncio
import time
from typing import List  # noqa: UP035 - kept as the guide wrote it

import pytest

from agentperf_lint.runtime import BatchProcessor, ConnectionPool, IntelligentCache


@pytest.mark.asyncio
async def test_batch_processor() -> None:
    processor = BatchProcessor[int, int](batch_size=5, max_wait_time=0.05)

    def double_batch(items: List[int]) -> List[int]:  # noqa: UP006
        return [x * 2 for x in items]

    tasks = [processor.process(i, double_batch) for i in range(10)]
    results = await asyncio.gather(*tasks)
    assert results == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]


def test_intelligent_cache() -> None:
    cache = IntelligentCache(max_size=3)
    call_count = 0

    @cache.cached()
    def expensive_function(x: int) -> int:
        nonlocal call_count
        call_count += 1
        time.sleep(0.1)
        return x * 2

    assert expensive_function(5) == 10 and call_count == 1
    assert expensive_function(5) == 10 and call_count == 1
    stats = cache.get_cache_stats()
    assert stats["hit_rate"] == 0.5
    assert stats["estimated_time_saved"] >= 0.1


@pytest.mark.asyncio
async def test_connection_pool() -> None:
    pool = ConnectionPool(min_connections=2, max_connections=5)
    await pool.initialize()
    connections = [await pool.acquire() for _ in range(3)]
    assert pool.get_pool_stats()["active_connections"] == 3
    for conn in connections:
        await pool.release(conn)
    assert pool.get_pool_stats()["active_connections"] == 0
    await pool.aclose()  # not in the guide; keeps the run free of ResourceWarnings
