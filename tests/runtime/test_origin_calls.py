"""Every call shape the origin guide (../shared/origin/performance-tuning-guidelines.txt) shows.

One test per shape, called exactly as the guide writes it, with warnings turned into errors:
the guide's names are the public API and must work on the documented path without a warning.
The guide's own three tests are in test_origin_sketch.py.
"""

from __future__ import annotations

import array
import asyncio
import time
from typing import Any

import pytest

from agentperf_lint.runtime import (
    AsyncPerformanceMonitor,
    BatchProcessor,
    ConnectionPool,
    IntelligentCache,
    LoadTester,
    MemoryOptimizer,
    OptimizationChecker,
    PerformanceProfiler,
)

pytestmark = pytest.mark.filterwarnings("error")


class _Agent:
    async def process_request(self, request: str) -> str:
        await asyncio.sleep(0)
        return request.upper()


@pytest.mark.asyncio
async def test_profiler_profile_operation_as_in_best_practices() -> None:
    profiler = PerformanceProfiler()
    agent, request = _Agent(), "hello"
    with profiler.profile_operation("agent", "inference"):
        result = await agent.process_request(request)
    assert result == "HELLO"
    stats = profiler.get_profile_stats("agent", "inference", top_n=20)
    assert "agent:inference" in stats
    assert profiler.identify_bottlenecks(threshold_seconds=1.0) == []


@pytest.mark.asyncio
async def test_monitor_async_operation_and_concurrency_report() -> None:
    monitor = AsyncPerformanceMonitor()
    operation_name = "fetch"
    async with monitor.monitor_async_operation(operation_name):
        await asyncio.sleep(0)
    report = monitor.get_concurrency_report()
    assert report["max_concurrent_tasks"] == 1
    assert report["current_active_tasks"] == 0
    assert report["total_completed_tasks"] == 1
    assert report["operation_stats"]["fetch"]["count"] == 1


def test_intelligent_cache_with_ttl_seconds() -> None:
    cache = IntelligentCache(max_size=1000, ttl_seconds=3600)
    assert cache.default_ttl == 3600 and cache.ttl_seconds == 3600
    calls = []

    @cache.cached(ttl_override=None)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    assert square(3) == 9 and square(3) == 9
    assert calls == [3]
    assert cache.get_cache_stats()["hit_rate"] == 0.5


@pytest.mark.asyncio
async def test_batch_processor_process_with_guide_keywords() -> None:
    processor = BatchProcessor(batch_size=100, max_wait_time=0.1, max_workers=4)

    def double_batch(items: list[int]) -> list[int]:
        return [x * 2 for x in items]

    assert await processor.process(item=21, processor_func=double_batch) == 42


@pytest.mark.asyncio
async def test_batch_processor_subscripted_and_positional_as_in_guide_test() -> None:
    processor = BatchProcessor[int, int](batch_size=5, max_wait_time=0.05)

    def double_batch(items: list[int]) -> list[int]:
        return [x * 2 for x in items]

    tasks = []
    for i in range(10):
        task = processor.process(i, double_batch)
        tasks.append(task)
    assert await asyncio.gather(*tasks) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]


@pytest.mark.asyncio
async def test_connection_pool_release_connection_keyword() -> None:
    pool = ConnectionPool(min_connections=5, max_connections=20, connection_timeout=30.0)
    await pool.initialize()
    session = await pool.acquire()
    assert pool.get_pool_stats()["active_connections"] == 1
    await pool.release(connection=session)
    assert pool.get_pool_stats()["active_connections"] == 0
    conn = await pool.acquire()
    await pool.release(conn)  # the guide's test passes it positionally
    assert pool.get_pool_stats()["active_connections"] == 0
    await pool.aclose()  # not in the guide; keeps the run free of ResourceWarnings


def test_memory_optimizer_track_large_object_and_reports() -> None:
    optimizer = MemoryOptimizer()
    obj_id, obj = "embeddings", [0.5] * 100_000
    optimizer.track_large_object(obj_id, obj)
    stats = optimizer.optimize_memory()
    assert {"memory_before_mb", "memory_after_mb", "objects_collected"} <= set(stats)
    report = optimizer.get_memory_report()
    assert report["large_objects_tracked"] == 1
    (row,) = report["large_objects"]
    assert row["obj_id"] == "embeddings" and row["type"] == "list"
    assert row["size_bytes"] >= 100_000 * 8


def test_memory_optimizer_optimize_data_structure_keeps_meaning() -> None:
    data: Any = [1.5, 2.5, 3.0]
    optimized = MemoryOptimizer.optimize_data_structure(data)
    assert isinstance(optimized, array.array) and list(optimized) == data
    record = {"a": 1, "b": True}
    assert MemoryOptimizer.optimize_data_structure(record) is record


@pytest.mark.asyncio
async def test_load_tester_run_load_test_with_guide_keywords() -> None:
    async def test_func(user_id: int, request_id: int) -> None:
        await asyncio.sleep(0)

    tester = LoadTester()
    result = await tester.run_load_test(
        test_func, concurrent_users=3, requests_per_user=4, ramp_up_time=0.01
    )
    assert result["total_requests"] == 12
    assert result["error_rate"] == 0
    assert result["response_time"]["max"] >= result["response_time"]["min"]


def test_optimization_checker_n_plus_one_queries() -> None:
    start = time.time()
    operations = [{"type": "db.query", "timestamp": start + i * 0.001} for i in range(50)]
    issues = OptimizationChecker.check_n_plus_one_queries(operations)
    assert len(issues) == 1 and "db.query" in issues[0]


def test_optimization_checker_synchronous_io() -> None:
    issues = OptimizationChecker.check_synchronous_io(
        {"function_calls": ["time.sleep", "requests.get"]}
    )
    assert len(issues) == 2 and "time.sleep" in issues[0]
