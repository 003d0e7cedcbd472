"""PerformanceProfiler: statistics, nesting, concurrency, errors, deep profiling, budgets."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest

from agentperf_lint.runtime.budgets import PerformanceBudget, assert_within_budget
from agentperf_lint.runtime.profiler import PerformanceProfiler, current_operation


class FakeClock:
    """Deterministic clock: tests advance it explicitly."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_records_count_total_and_percentiles() -> None:
    clock = FakeClock()
    profiler = PerformanceProfiler(clock=clock)
    for ms in range(1, 101):
        with profiler.profile_operation("planner", "plan"):
            clock.advance(ms / 1000)
    stats = profiler.get_stats()["planner:plan"]
    assert stats["count"] == 100
    assert stats["errors"] == 0
    assert stats["min"] == pytest.approx(0.001)
    assert stats["max"] == pytest.approx(0.1)
    assert stats["total"] == pytest.approx(sum(range(1, 101)) / 1000)
    assert stats["p50"] == pytest.approx(0.050, rel=0.011)
    assert stats["p95"] == pytest.approx(0.095, rel=0.011)
    assert stats["p99"] == pytest.approx(0.099, rel=0.011)


def test_yielded_record_carries_tokens_and_custom_metrics() -> None:
    profiler = PerformanceProfiler(clock=FakeClock())
    for _ in range(3):
        with profiler.profile_operation("llm", "complete") as op:
            op.tokens_used = 250
            op.cache_hits += 1
            op.custom_metrics["retries"] = 2
    stats = profiler.get_stats()["llm:complete"]
    assert stats["tokens_used"] == 750
    assert stats["tokens_per_call"] == 250
    assert stats["cache_hits"] == 3
    assert stats["custom_metrics"] == {"retries": 6}


def test_errors_are_counted_and_reraised() -> None:
    clock = FakeClock()
    profiler = PerformanceProfiler(clock=clock)
    with pytest.raises(KeyError), profiler.profile_operation("a", "op") as op:
        clock.advance(0.5)
        raise KeyError("x")
    assert op.error is KeyError
    with profiler.profile_operation("a", "op"):
        clock.advance(0.5)
    stats = profiler.get_stats()["a:op"]
    assert (stats["count"], stats["errors"], stats["error_rate"]) == (2, 1, 0.5)


def test_nested_operations_record_parents_and_self_time() -> None:
    clock = FakeClock()
    profiler = PerformanceProfiler(clock=clock)
    with profiler.profile_operation("agent", "outer") as outer:
        clock.advance(1.0)
        with profiler.profile_operation("agent", "inner") as inner:
            assert current_operation() is inner
            assert inner.parent is outer
            clock.advance(3.0)
        assert current_operation() is outer
    assert current_operation() is None
    stats = profiler.get_stats()
    assert stats["agent:outer"]["total"] == pytest.approx(4.0)
    assert stats["agent:outer"]["self_time"] == pytest.approx(1.0)
    assert stats["agent:inner"]["parents"] == {"agent:outer": 1}
    assert stats["agent:outer"]["parents"] == {}


@pytest.mark.asyncio
async def test_concurrent_tasks_do_not_corrupt_each_other() -> None:
    profiler = PerformanceProfiler()
    seen: list[tuple[str, str | None]] = []

    async def worker(i: int) -> None:
        async with profiler.profile_operation("agent", f"job{i % 2}") as op:
            await asyncio.sleep(0)
            assert current_operation() is op
            async with profiler.profile_operation("agent", "step") as step:
                await asyncio.sleep(0)
                parent = step.parent
                seen.append((step.operation, parent.operation if parent else None))
            op.tokens_used = i

    async with profiler.profile_operation("agent", "batch"):
        await asyncio.gather(*(worker(i) for i in range(20)))
    stats = profiler.get_stats()
    assert stats["agent:job0"]["count"] == stats["agent:job1"]["count"] == 10
    assert stats["agent:step"]["count"] == 20
    assert stats["agent:step"]["parents"] == {"agent:job0": 10, "agent:job1": 10}
    assert stats["agent:job0"]["parents"] == {"agent:batch": 10}
    assert stats["agent:job0"]["tokens_used"] + stats["agent:job1"][
        "tokens_used"
    ] == sum(range(20))
    assert all(parent in ("job0", "job1") for _, parent in seen)


def test_threads_fold_every_record() -> None:
    profiler = PerformanceProfiler()

    def work() -> None:
        for _ in range(2000):
            with profiler.profile_operation("t", "op"):
                pass

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert profiler.get_stats()["t:op"]["count"] == 8000


@pytest.mark.asyncio
async def test_cancelled_operations_are_counted_separately() -> None:
    profiler = PerformanceProfiler()
    started = asyncio.Event()

    async def slow() -> None:
        async with profiler.profile_operation("a", "slow"):
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stats = profiler.get_stats()["a:slow"]
    assert (stats["count"], stats["errors"], stats["cancelled"]) == (1, 0, 1)


def test_decorator_wraps_sync_and_async_functions() -> None:
    profiler = PerformanceProfiler()

    @profiler.profile("tools")
    def add(a: int, b: int) -> int:
        return a + b

    @profiler.profile("tools", "fetch")
    async def fetch() -> str:
        await asyncio.sleep(0)
        return "ok"

    assert add(1, 2) == 3
    assert asyncio.run(fetch()) == "ok"
    assert add.__name__ == "add"
    stats = profiler.get_stats()
    assert set(stats) == {f"tools:{add.__qualname__}", "tools:fetch"}


def busy_function() -> int:
    return sum(i * i for i in range(20_000))


@pytest.mark.parametrize("backend", ["cprofile", "pyinstrument"])
def test_deep_profile_shows_top_functions(backend: str) -> None:
    if backend == "pyinstrument":
        pytest.importorskip("pyinstrument")
    profiler = PerformanceProfiler(deep_backend=backend)  # type: ignore[arg-type]
    with profiler.profile_operation("agent", "crunch", deep=True):
        for _ in range(20):
            busy_function()
    report = profiler.get_profile_stats("agent", "crunch", top_n=10)
    assert "Executions: 1" in report
    assert f"Top functions ({backend}, 1 samples)" in report
    if backend == "cprofile":
        assert "busy_function" in report


def test_nested_deep_profiles_run_one_at_a_time() -> None:
    profiler = PerformanceProfiler(deep_backend="cprofile")
    with profiler.profile_operation("a", "outer", deep=True):
        with profiler.profile_operation("a", "inner", deep=True):
            busy_function()
        busy_function()
    assert profiler.deep_skipped == 1
    stats = profiler.get_stats()
    assert stats["a:outer"]["deep_samples"] == 1
    assert stats["a:inner"]["deep_samples"] == 0
    assert "busy_function" in profiler.get_profile_stats("a", "outer")
    # the process-wide slot is free again
    with profiler.profile_operation("a", "again", deep=True):
        busy_function()
    assert profiler.get_stats()["a:again"]["deep_samples"] == 1


def test_deep_profile_is_skipped_under_a_foreign_profiler() -> None:
    import cProfile

    profiler = PerformanceProfiler(deep_backend="cprofile")
    outer = cProfile.Profile()
    outer.enable()
    try:
        with profiler.profile_operation("a", "op", deep=True):
            busy_function()
    finally:
        outer.disable()
    assert profiler.deep_skipped == 1
    assert sys.getprofile() is None


def test_sampling_rate_one_always_deep_profiles() -> None:
    profiler = PerformanceProfiler(deep_sample_rate=1.0, deep_backend="cprofile")
    for _ in range(3):
        with profiler.profile_operation("a", "op"):
            busy_function()
    assert profiler.get_stats()["a:op"]["deep_samples"] == 3


def test_no_deep_profile_by_default() -> None:
    profiler = PerformanceProfiler()
    with profiler.profile_operation("a", "op"):
        busy_function()
    assert "none (pass deep=True" in profiler.get_profile_stats("a", "op")
    assert profiler.get_profile_stats("nobody", "nothing").startswith(
        "No profiling data"
    )


def test_memory_delta_when_asked() -> None:
    profiler = PerformanceProfiler()
    with profiler.profile_operation("a", "alloc", track_memory=True) as op:
        blob = bytearray(8 * 1024 * 1024)
        blob[::4096] = b"x" * len(blob[::4096])  # touch pages so RSS grows
    assert op.memory_delta_mb is not None
    assert profiler.get_stats()["a:alloc"]["avg_memory_delta_mb"] is not None
    with profiler.profile_operation("a", "plain") as plain:
        pass
    assert plain.memory_delta_mb is None


def test_identify_bottlenecks_with_severity() -> None:
    clock = FakeClock()
    profiler = PerformanceProfiler(clock=clock)
    for name, seconds in (("fast", 0.1), ("slow", 1.5), ("slowest", 3.0)):
        for _ in range(2):
            with profiler.profile_operation("agent", name):
                clock.advance(seconds)
    found = profiler.identify_bottlenecks(threshold_seconds=1.0)
    assert [(b["operation"], b["severity"]) for b in found] == [
        ("agent:slowest", "high"),
        ("agent:slow", "medium"),
    ]
    assert found[0]["total_executions"] == 2
    assert found[0]["avg_execution_time"] == pytest.approx(3.0)


def test_distinct_operations_are_bounded() -> None:
    profiler = PerformanceProfiler(clock=FakeClock(), max_operations=3)
    for i in range(10):
        with profiler.profile_operation("a", f"op{i}"):
            pass
    stats = profiler.get_stats()
    assert len(stats) == 4
    assert stats["(other):(other)"]["count"] == 7


def test_observed_metrics_feed_budgets() -> None:
    clock = FakeClock()
    profiler = PerformanceProfiler(clock=clock)
    for i in range(10):
        with profiler.profile_operation("api", "handle") as op:
            op.tokens_used = 100
            clock.advance(0.2)
    with pytest.raises(RuntimeError), profiler.profile_operation("api", "other"):
        clock.advance(2.0)
        raise RuntimeError
    handle = profiler.observed_metrics("api:handle")
    assert handle["api_response_time_p95"] == pytest.approx(0.2, rel=0.011)
    assert handle["tokens_per_request"] == 100
    assert handle["error_rate"] == 0
    assert handle["throughput_rps"] == pytest.approx(5.0)
    assert profiler.observed_metrics("handle") == handle
    everything = profiler.observed_metrics()
    assert everything["count"] == 11
    assert everything["error_rate"] == pytest.approx(1 / 11)
    budget = PerformanceBudget(
        {
            "api_response_time_p95": 1.0,
            "tokens_per_request": 1000,
            "memory_per_request": 50,
        }
    )
    report = assert_within_budget(profiler, budget, operation="api:handle")
    assert [c.metric for c in report.not_measured] == ["memory_per_request"]
    with pytest.raises(AssertionError, match="api_response_time_p95"):
        assert_within_budget(profiler, budget)
    assert profiler.observed_metrics("missing") == {}


def test_reset_forgets_everything() -> None:
    profiler = PerformanceProfiler()
    with profiler.profile_operation("a", "op"):
        pass
    profiler.reset()
    assert profiler.get_stats() == {}
