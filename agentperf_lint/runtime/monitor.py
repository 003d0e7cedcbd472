"""Async concurrency monitor and event-loop lag watchdog.

:class:`AsyncPerformanceMonitor` counts, per named operation, how many run at once and how each
one ended (completed, failed or cancelled); the origin sketch decorated an ``async def`` with
``@contextmanager``, so ``async with`` raised ``TypeError``, and cancelled operations stayed
"running" forever. While at least one operation is monitored, a loop heartbeat (``_heartbeat``,
one callback per 50 ms, no thread) measures how late the loop runs callbacks, so the report's
``loop_responsiveness`` shows lag max/p99 and stalls, such as a ``time.sleep`` inside an
operation, without anything started by hand.

:class:`LoopLagWatchdog` is the run-time twin of the APL1xx rules. A callback on the loop beats
every ``interval`` seconds and records how late it ran (the loop lag). A daemon thread watches the
beats; when none arrives for longer than ``threshold``, the loop is stuck in synchronous code, and
the thread grabs the loop thread's current stack with :func:`sys._current_frames`, so the report
names the blocking ``file:line`` while it is still blocking.
"""

from __future__ import annotations

import asyncio
import linecache
import os
import sys
import sysconfig
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from ._heartbeat import LoopHeartbeat
from ._histogram import LatencyHistogram

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "AsyncPerformanceMonitor",
    "LagEvent",
    "LoopLagWatchdog",
    "is_library_file",
]

_LIBRARY_DIRS = tuple(
    {
        os.path.normcase(path)
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_paths().get(key))
    }
)
_THIS_PACKAGE = os.path.normcase(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)

# source fragments that identify the call on a captured blocking line
_CODE_BY_SOURCE = (
    ("sleep(", "APL101"),
    ("requests.", "APL102"),
    ("urlopen(", "APL102"),
    ("subprocess.", "APL103"),
    ("open(", "APL104"),
    ("input(", "APL106"),
    ("sqlite3.", "APL107"),
    (".join(", "APL109"),
    (".acquire(", "APL109"),
    (".result(", "APL109"),
)


@dataclass(frozen=True, slots=True)
class StackEntry:
    filename: str
    lineno: int
    function: str
    line: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno} in {self.function}: {self.line}"


@dataclass(slots=True)
class LagEvent:
    """One stall of the event loop longer than the watchdog threshold."""

    started_at: float  # time.time() when the last on-time beat ran
    duration: float  # seconds the loop did not respond (grows until the stall ends)
    stack: tuple[
        StackEntry, ...
    ] = ()  # loop thread's stack, innermost last; empty if missed
    finished: bool = False

    @property
    def blocking_frame(self) -> StackEntry | None:
        """Innermost frame in user code (outside the stdlib, site-packages and this package)."""
        for entry in reversed(self.stack):
            if not is_library_file(entry.filename):
                return entry
        return self.stack[-1] if self.stack else None

    @property
    def location(self) -> str:
        frame = self.blocking_frame
        return (
            f"{frame.filename}:{frame.lineno}"
            if frame
            else "unknown (stall ended before capture)"
        )

    @property
    def code(self) -> str:
        """The rule for the call on the blocking line (APL101 for ``sleep(...)``), else APL1xx.

        Read from the source line, so it is a hint: a CPU-bound loop is plain APL1xx.
        """
        frame = self.blocking_frame
        if frame is not None:
            for needle, code in _CODE_BY_SOURCE:
                if needle in frame.line:
                    return code
        return "APL1xx"

    def describe(self) -> str:
        frame = self.blocking_frame
        where = (
            f"{self.location} ({frame.line.strip()})"
            if frame and frame.line
            else self.location
        )
        return (
            f"{self.code}: event loop blocked for {self.duration * 1000:.0f} ms at {where}; "
            "move the blocking call off the loop (async API or `await asyncio.to_thread(...)`)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "duration": self.duration,
            "started_at": self.started_at,
            "location": self.location,
            "finished": self.finished,
            "stack": [str(entry) for entry in self.stack],
            "message": self.describe(),
        }


def is_library_file(filename: str) -> bool:
    """True for the stdlib, site-packages, this package and ``<frozen ...>`` pseudo-files."""
    path = os.path.normcase(os.path.abspath(filename))
    return (
        filename.startswith("<")
        or path.startswith(_THIS_PACKAGE + os.sep)
        or any(path.startswith(directory + os.sep) for directory in _LIBRARY_DIRS)
    )


def _capture_stack(frame: FrameType | None, limit: int) -> tuple[StackEntry, ...]:
    entries = []
    for summary in traceback.extract_stack(frame, limit=limit):
        line = summary.line or linecache.getline(summary.filename, summary.lineno or 0)
        entries.append(
            StackEntry(
                summary.filename, summary.lineno or 0, summary.name, line.strip()
            )
        )
    return tuple(entries)


class LoopLagWatchdog:
    """Measures event-loop lag and captures the stack when the loop is stuck.

    ``threshold``: a stall longer than this is an event. ``interval``: time between beats (lag
    resolution). ``on_stall`` is called on the loop, with the finished :class:`LagEvent`.
    Use ``start()``/``stop()`` from the loop, or ``async with LoopLagWatchdog(...) as watchdog``.
    """

    def __init__(
        self,
        threshold: float = 0.1,
        *,
        interval: float = 0.05,
        max_events: int = 100,
        stack_limit: int = 30,
        on_stall: Callable[[LagEvent], None] | None = None,
    ) -> None:
        if threshold <= 0 or interval <= 0:
            raise ValueError("threshold and interval must be positive")
        self.threshold = threshold
        self.interval = interval
        self.stack_limit = stack_limit
        self.on_stall = on_stall
        self.lag = LatencyHistogram()
        self.events: deque[LagEvent] = deque(maxlen=max_events)
        self.stalls = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._expected = 0.0
        self._last_beat = (
            0.0  # monotonic time of the last beat, written on the loop thread
        )
        self._pending: LagEvent | None = (
            None  # captured by the thread, not yet finished
        )
        self._state_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> LoopLagWatchdog:
        """Start watching the running loop (call from a coroutine or loop callback)."""
        if self._thread is not None:
            return self
        self._loop = asyncio.get_running_loop()
        self._loop_thread_id = threading.get_ident()
        self._stop.clear()
        now = time.monotonic()
        self._last_beat = now
        self._schedule(now)
        self._thread = threading.Thread(
            target=self._watch, name="agentperf-loop-watchdog", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating and join the watchdog thread; finish a stall still being measured."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._state_lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            pending.finished = True
            self._record_event(pending)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # one more beat, so a stall that ended just now is measured before stopping
        await asyncio.sleep(0)
        self._beat()
        # the watchdog thread waits on ``_stop`` and exits as soon as it is set: the join in
        # stop() lasts one thread wake-up, not a wait on I/O
        self.stop()  # noqa: APL114

    # -- loop side -------------------------------------------------------------------------
    def _schedule(self, now: float) -> None:
        assert self._loop is not None
        self._expected = now + self.interval
        self._handle = self._loop.call_at(self._loop.time() + self.interval, self._beat)

    def _beat(self) -> None:
        if self._stop.is_set():
            return
        now = time.monotonic()
        lag = max(0.0, now - self._expected)
        silent = now - self._last_beat
        self._last_beat = now
        self.lag.record(lag)
        with self._state_lock:
            pending, self._pending = self._pending, None
        if pending is not None or silent > self.threshold + self.interval:
            event = pending or LagEvent(time.time() - silent, 0.0)
            event.duration = max(silent - self.interval, lag)
            event.finished = True
            self._record_event(event)
        if self._handle is not None:
            self._handle.cancel()
        self._schedule(now)

    def _record_event(self, event: LagEvent) -> None:
        self.stalls += 1
        self.events.append(event)
        if self.on_stall is not None:
            self.on_stall(event)

    # -- watchdog thread -------------------------------------------------------------------
    def _watch(self) -> None:
        period = min(self.threshold, self.interval) / 2
        while not self._stop.wait(period):
            silent = time.monotonic() - self._last_beat
            if silent <= self.threshold + self.interval:
                continue
            with self._state_lock:
                if self._pending is not None:
                    self._pending.duration = silent - self.interval
                    continue
            frame = sys._current_frames().get(self._loop_thread_id or -1)
            stack = _capture_stack(frame, self.stack_limit)
            del frame
            event = LagEvent(time.time() - silent, silent - self.interval, stack)
            with self._state_lock:
                self._pending = event

    # -- report ----------------------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        """Lag percentiles (seconds), the number of stalls, and the recent stall events."""
        return {
            "threshold": self.threshold,
            "interval": self.interval,
            "lag": self.lag.to_dict(),
            "stalls": self.stalls,
            "events": [event.to_dict() for event in self.events],
        }


@dataclass
class _OperationCounters:
    started: int = 0
    running: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    max_concurrent: int = 0
    durations: LatencyHistogram = field(default_factory=LatencyHistogram)

    def to_dict(self) -> dict[str, Any]:
        timing = self.durations.to_dict()
        return {
            "count": self.started,
            "running": self.running,
            "completed": self.completed,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "max_concurrent": self.max_concurrent,
            "total_time": timing["total"],
            "avg_time": timing["mean"],
            "max_time": timing["max"],
            "p50": timing["p50"],
            "p95": timing["p95"],
            "p99": timing["p99"],
        }


class _MonitoredOperation:
    """``async with`` block for one operation; cheap (no allocation beyond itself)."""

    __slots__ = ("_beat", "_loop", "_monitor", "_name", "_start")

    def __init__(self, monitor: AsyncPerformanceMonitor, name: str) -> None:
        self._monitor = monitor
        self._name = name
        self._start = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._beat: Any = None  # the heartbeat's token for this operation's loop

    async def __aenter__(self) -> None:
        monitor = self._monitor
        self._loop = loop = asyncio.get_running_loop()
        self._beat = monitor.heartbeat.hold(loop)
        with monitor._lock:
            counters = monitor._operations.get(self._name)
            if counters is None:
                counters = monitor._operations[self._name] = _OperationCounters()
            counters.started += 1
            counters.running += 1
            counters.max_concurrent = max(counters.max_concurrent, counters.running)
            monitor._running += 1
            monitor.max_concurrent_tasks = max(
                monitor.max_concurrent_tasks, monitor._running
            )
        self._start = monitor._clock()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        monitor = self._monitor
        duration = monitor._clock() - self._start
        if self._loop is not None:
            # before this operation stops counting as running, so a stall it caused names it
            monitor.heartbeat.release(self._loop, self._beat)
            self._loop = self._beat = None
        with monitor._lock:
            counters = monitor._operations[self._name]
            counters.running -= 1
            monitor._running -= 1
            counters.durations.record(duration)
            if exc_type is None:
                counters.completed += 1
            elif issubclass(exc_type, asyncio.CancelledError):
                counters.cancelled += 1
            else:
                counters.failed += 1
                monitor.recent_errors.append(
                    {"operation": self._name, "error": f"{exc_type.__name__}: {exc}"}
                )


class AsyncPerformanceMonitor:
    """Concurrency and outcome counters per named async operation, and loop responsiveness.

    Args:
        clock: clock for operation durations.
        max_errors: recent failures kept for the report.
        lag_interval: seconds between loop heartbeats while an operation is monitored.
        stall_threshold: a heartbeat later than this (seconds) counts as a stall.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.perf_counter,
        max_errors: int = 20,
        lag_interval: float = 0.05,
        stall_threshold: float = 0.1,
    ) -> None:
        self._clock = clock
        self._lock = (
            threading.Lock()
        )  # a monitor may be shared by loops in several threads
        self._operations: dict[str, _OperationCounters] = {}
        self._running = 0
        self.max_concurrent_tasks = 0
        self.recent_errors: deque[dict[str, str]] = deque(maxlen=max_errors)
        self.watchdog: LoopLagWatchdog | None = None
        self.heartbeat = LoopHeartbeat(
            lag_interval, stall_threshold, context=self._running_operations
        )

    def _running_operations(self) -> list[str]:
        """Names of the operations running now (stored with each stall)."""
        with self._lock:
            return sorted(name for name, c in self._operations.items() if c.running)

    def monitor_async_operation(self, operation_name: str) -> _MonitoredOperation:
        """``async with monitor.monitor_async_operation("fetch"):`` around one operation."""
        return _MonitoredOperation(self, operation_name)

    def watch_loop(self, threshold: float = 0.1, **options: Any) -> LoopLagWatchdog:
        """Start a :class:`LoopLagWatchdog` on the running loop and include it in reports."""
        if self.watchdog is not None and self.watchdog.running:
            return self.watchdog
        self.watchdog = LoopLagWatchdog(threshold, **options).start()
        return self.watchdog

    @property
    def current_active_tasks(self) -> int:
        return self._running

    def get_concurrency_report(self) -> dict[str, Any]:
        """Peak and current concurrency, outcomes and timing per operation, loop responsiveness.

        ``loop_responsiveness`` (always present) has ``lag_max``, ``lag_p99`` and ``stalls``
        measured while operations were monitored; ``loop_lag`` (with the blocking stacks) is
        added when :meth:`watch_loop` started a watchdog.
        """
        with self._lock:
            operations = {name: c.to_dict() for name, c in self._operations.items()}
            merged = LatencyHistogram()
            for counters in self._operations.values():
                merged.merge(counters.durations)
            report: dict[str, Any] = {
                "max_concurrent_tasks": self.max_concurrent_tasks,
                "current_active_tasks": self._running,
                "total_started_tasks": sum(o["count"] for o in operations.values()),
                "total_completed_tasks": sum(
                    o["completed"] for o in operations.values()
                ),
                "total_failed_tasks": sum(o["failed"] for o in operations.values()),
                "total_cancelled_tasks": sum(
                    o["cancelled"] for o in operations.values()
                ),
                "avg_execution_time": merged.mean,
                "operation_stats": operations,
                "recent_errors": list(self.recent_errors),
            }
        # lag_max, lag_p99 and stalls while operations were monitored (loop heartbeat)
        report["loop_responsiveness"] = self.heartbeat.report()
        if self.watchdog is not None:
            report["loop_lag"] = self.watchdog.report()
        return report

    def reset(self) -> None:
        """Forget finished operations; running ones keep counting."""
        with self._lock:
            for name, counters in list(self._operations.items()):
                if counters.running:
                    fresh = _OperationCounters(
                        started=counters.running,
                        running=counters.running,
                        max_concurrent=counters.running,
                    )
                    self._operations[name] = fresh
                else:
                    del self._operations[name]
            self.max_concurrent_tasks = self._running
            self.recent_errors.clear()
        self.heartbeat.reset()
