"""AsyncPerformanceMonitor outcomes/concurrency and LoopLagWatchdog catching a real blocking call."""

from __future__ import annotations

import asyncio
import time

import pytest

from agentperf_lint.runtime.monitor import (
    AsyncPerformanceMonitor,
    LagEvent,
    LoopLagWatchdog,
)


@pytest.mark.asyncio
async def test_async_with_records_completed_and_peak_concurrency() -> None:
    monitor = AsyncPerformanceMonitor()
    gate = asyncio.Event()
    inside = 0

    async def job() -> None:
        nonlocal inside
        async with monitor.monitor_async_operation("fetch"):
            inside += 1
            if inside == 5:
                gate.set()
            await gate.wait()

    await asyncio.gather(*(job() for _ in range(5)))
    report = monitor.get_concurrency_report()
    fetch = report["operation_stats"]["fetch"]
    assert report["max_concurrent_tasks"] == 5
    assert fetch["max_concurrent"] == 5
    assert (fetch["count"], fetch["completed"], fetch["running"]) == (5, 5, 0)
    assert report["current_active_tasks"] == 0


@pytest.mark.asyncio
async def test_failed_and_cancelled_operations_do_not_stay_running() -> None:
    monitor = AsyncPerformanceMonitor()

    async def fail() -> None:
        async with monitor.monitor_async_operation("parse"):
            raise ValueError("bad json")

    async def hang() -> None:
        async with monitor.monitor_async_operation("wait"):
            await asyncio.sleep(30)

    with pytest.raises(ValueError):
        await fail()
    task = asyncio.create_task(hang())
    await asyncio.sleep(0)
    assert monitor.get_concurrency_report()["operation_stats"]["wait"]["running"] == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    report = monitor.get_concurrency_report()
    assert report["operation_stats"]["parse"]["failed"] == 1
    assert report["operation_stats"]["wait"]["cancelled"] == 1
    assert report["operation_stats"]["wait"]["running"] == 0
    assert report["current_active_tasks"] == 0
    assert report["total_failed_tasks"] == 1
    assert report["total_cancelled_tasks"] == 1
    assert report["recent_errors"] == [
        {"operation": "parse", "error": "ValueError: bad json"}
    ]


@pytest.mark.asyncio
async def test_per_operation_peaks_are_separate() -> None:
    monitor = AsyncPerformanceMonitor()
    async with (
        monitor.monitor_async_operation("a"),
        monitor.monitor_async_operation("b"),
        monitor.monitor_async_operation("b"),
    ):
        pass
    stats = monitor.get_concurrency_report()["operation_stats"]
    assert stats["a"]["max_concurrent"] == 1
    assert stats["b"]["max_concurrent"] == 2
    assert monitor.max_concurrent_tasks == 3


@pytest.mark.asyncio
async def test_durations_use_the_injected_clock() -> None:
    now = [0.0]
    monitor = AsyncPerformanceMonitor(clock=lambda: now[0])
    async with monitor.monitor_async_operation("op"):
        now[0] += 2.0
    stats = monitor.get_concurrency_report()["operation_stats"]["op"]
    assert stats["total_time"] == 2.0
    assert stats["p50"] == 2.0


@pytest.mark.asyncio
async def test_reset_keeps_running_operations() -> None:
    monitor = AsyncPerformanceMonitor()
    async with monitor.monitor_async_operation("done"):
        pass
    async with monitor.monitor_async_operation("live"):
        monitor.reset()
        report = monitor.get_concurrency_report()
        assert set(report["operation_stats"]) == {"live"}
    assert monitor.get_concurrency_report()["current_active_tasks"] == 0


def blocking_helper() -> None:
    time.sleep(0.4)  # the watchdog must point here


@pytest.mark.asyncio
async def test_watchdog_names_the_blocking_line() -> None:
    stalls: list[LagEvent] = []
    async with LoopLagWatchdog(
        threshold=0.05, interval=0.02, on_stall=stalls.append
    ) as watchdog:
        await asyncio.sleep(0.05)
        blocking_helper()
        await asyncio.sleep(0.05)
    assert watchdog.stalls >= 1
    event = max(watchdog.events, key=lambda e: e.duration)
    assert event in stalls
    assert event.finished
    assert event.location.endswith(
        f"test_monitor.py:{blocking_helper.__code__.co_firstlineno + 1}"
    )
    assert event.code == "APL101"
    assert event.blocking_frame is not None
    assert "time.sleep(0.4)" in event.blocking_frame.line
    assert any(
        "test_watchdog_names_the_blocking_line" in entry
        for entry in event.to_dict()["stack"]
    )
    assert "APL101: event loop blocked" in event.describe()
    assert not watchdog.running


@pytest.mark.asyncio
async def test_watchdog_quiet_loop_has_no_events() -> None:
    async with LoopLagWatchdog(threshold=5.0, interval=0.01) as watchdog:
        for _ in range(5):
            await asyncio.sleep(0.01)
    report = watchdog.report()
    assert report["stalls"] == 0
    assert report["events"] == []
    assert report["lag"]["count"] >= 1


@pytest.mark.asyncio
async def test_busy_cpu_loop_reported_as_generic_apl1xx() -> None:
    def spin() -> None:
        deadline = time.monotonic() + 0.4
        while time.monotonic() < deadline:
            pass

    async with LoopLagWatchdog(threshold=0.05, interval=0.02) as watchdog:
        await asyncio.sleep(0.03)
        spin()
    assert watchdog.stalls >= 1
    event = max(watchdog.events, key=lambda e: e.duration)
    assert event.code == "APL1xx"
    assert event.blocking_frame is not None
    assert event.blocking_frame.function == "spin"


@pytest.mark.asyncio
async def test_monitor_report_includes_loop_lag() -> None:
    monitor = AsyncPerformanceMonitor()
    watchdog = monitor.watch_loop(threshold=1.0, interval=0.01)
    assert monitor.watch_loop() is watchdog
    await asyncio.sleep(0.03)
    watchdog.stop()
    assert monitor.get_concurrency_report()["loop_lag"]["stalls"] == 0


def test_watchdog_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        LoopLagWatchdog(threshold=0)


@pytest.mark.asyncio
async def test_blocking_call_inside_a_monitored_operation_shows_as_a_stall() -> None:
    monitor = AsyncPerformanceMonitor()  # nothing started by hand
    async with monitor.monitor_async_operation("tool"):
        time.sleep(0.2)  # noqa: APL101 - the block this test must see
    loop_view = monitor.get_concurrency_report()["loop_responsiveness"]
    assert loop_view["stalls"] >= 1
    assert loop_view["lag_max"] > loop_view["stall_threshold"]
    assert loop_view["lag_p99"] > 0
    assert loop_view["recent_stalls"][0]["running"] == ["tool"]
    assert loop_view["active"] is False  # no operation monitored: the heartbeat stopped


@pytest.mark.asyncio
async def test_heartbeat_runs_only_while_an_operation_is_monitored() -> None:
    monitor = AsyncPerformanceMonitor(lag_interval=0.01, stall_threshold=0.5)
    assert not monitor.heartbeat.active
    async with monitor.monitor_async_operation("a"):
        async with monitor.monitor_async_operation("b"):
            assert monitor.heartbeat.active
        assert monitor.heartbeat.active
        await asyncio.sleep(0.05)  # a few beats, on time
    assert not monitor.heartbeat.active
    await asyncio.sleep(0.03)  # the beat scheduled before the end runs once more, then none
    beats = monitor.get_concurrency_report()["loop_responsiveness"]["beats"]
    assert beats >= 1
    await asyncio.sleep(0.05)
    after = monitor.get_concurrency_report()["loop_responsiveness"]
    assert after["beats"] == beats and after["stalls"] == 0


@pytest.mark.asyncio
async def test_no_stall_reported_for_a_responsive_loop() -> None:
    monitor = AsyncPerformanceMonitor(lag_interval=0.01, stall_threshold=0.5)
    async with monitor.monitor_async_operation("io"):
        await asyncio.sleep(0.05)
    assert monitor.get_concurrency_report()["loop_responsiveness"]["stalls"] == 0


def test_heartbeat_keeps_no_closed_loop_alive() -> None:
    import gc
    import weakref

    monitor = AsyncPerformanceMonitor()
    loops = []

    async def main() -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        async with monitor.monitor_async_operation("op"):
            await asyncio.sleep(0)
        # the loop closes with the trailing beat still scheduled

    for _ in range(3):
        asyncio.run(main())
    gc.collect()
    assert [ref() for ref in loops] == [None, None, None]
