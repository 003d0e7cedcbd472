"""Loop heartbeat: event-loop lag measured by a loop callback, with no thread.

A callback scheduled with ``loop.call_at`` every ``interval`` seconds records how late it ran.
Lateness is the time the loop could not run callbacks: a ``time.sleep(0.2)`` on the loop makes
the next beat about 0.2 s late, less up to one interval (the beat resolution). A beat later than
``stall_threshold`` counts as a stall. It costs one callback per interval per loop, and runs only
while someone holds it (``AsyncPerformanceMonitor`` holds it while an operation is monitored).

When the last holder lets go, a beat that is already overdue is recorded at once, so a block
inside the last monitored operation, right before it ends, is in the report without waiting for
the loop to run the delayed beat. That beat still runs once (recording nothing twice) and then
the heartbeat stops until the next holder.

For *where* the loop blocked, ``LoopLagWatchdog`` (monitor.py) adds a thread that captures the
loop thread's stack during the stall.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._histogram import LatencyHistogram

__all__ = ["LoopHeartbeat"]


@dataclass(slots=True, eq=False)
class _Beat:
    """The heartbeat of one event loop; touched only on that loop's thread.

    It holds its loop weakly and keeps no ``TimerHandle`` (which refers to the loop): it is the
    value of a WeakKeyDictionary keyed by that loop, and a loop closed with a beat pending must
    still be freed.
    """

    loop_ref: weakref.ReferenceType[asyncio.AbstractEventLoop]
    holders: int = 0
    expected: float = 0.0  # loop.time() the next beat is due
    scheduled: bool = False
    settled: bool = False  # the scheduled beat's lateness was already recorded by release()


class LoopHeartbeat:
    """Per-loop lateness of a periodic callback: lag histogram, stall count, recent stalls.

    Args:
        interval: seconds between beats (lag resolution; one callback per interval per loop).
        stall_threshold: a beat later than this is a stall.
        context: called on a stall; its result is stored with the stall (the monitor passes
            the names of the operations running at that moment).
        max_stalls: recent stalls kept for the report.

    ``hold``/``release`` run once per monitored operation, so they are kept to a few attribute
    updates: a beat already scheduled is never cancelled and rescheduled; after the last release
    it fires once more and then schedules no other.
    """

    def __init__(
        self,
        interval: float = 0.05,
        stall_threshold: float = 0.1,
        *,
        context: Callable[[], Any] | None = None,
        max_stalls: int = 20,
    ) -> None:
        if interval <= 0 or stall_threshold <= 0:
            raise ValueError("interval and stall_threshold must be positive")
        self.interval = interval
        self.stall_threshold = stall_threshold
        self._context = context
        self.lag = LatencyHistogram()
        self.stalls = 0
        self.recent_stalls: deque[dict[str, Any]] = deque(maxlen=max_stalls)
        self._beats: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Beat] = (
            weakref.WeakKeyDictionary()
        )
        self._last: _Beat | None = None  # the last loop's beat: spares the weak-dict look-up
        self._lock = threading.Lock()  # loops in several threads may share one heartbeat

    def _beat_for(self, loop: asyncio.AbstractEventLoop) -> _Beat:
        beat = self._last
        if beat is not None and beat.loop_ref() is loop:
            return beat
        with self._lock:
            beat = self._beats.get(loop)
            if beat is None:
                beat = self._beats[loop] = _Beat(weakref.ref(loop))
        self._last = beat
        return beat

    def hold(self, loop: asyncio.AbstractEventLoop) -> _Beat:
        """One more holder on ``loop`` (call on the loop's thread); starts the beat if stopped.

        Returns the token to pass to :meth:`release`.
        """
        beat = self._beat_for(loop)
        beat.holders += 1
        if not beat.scheduled:
            self._schedule(loop, beat)
        return beat

    def release(self, loop: asyncio.AbstractEventLoop, beat: _Beat) -> None:
        """One holder fewer on ``loop``; the last one records the scheduled beat if overdue."""
        if beat.holders == 0:
            return
        beat.holders -= 1
        if beat.holders == 0 and beat.scheduled and not beat.settled:
            late = loop.time() - beat.expected
            if late > 0:  # the loop was held up; the beat would report it too late to see
                beat.settled = True
                self._record(late)

    @property
    def active(self) -> bool:
        """True while at least one loop has a holder."""
        with self._lock:
            return any(beat.holders for beat in self._beats.values())

    def _schedule(self, loop: asyncio.AbstractEventLoop, beat: _Beat) -> None:
        beat.expected = loop.time() + self.interval
        beat.scheduled = True
        loop.call_at(beat.expected, self._beat, beat)

    def _beat(self, beat: _Beat) -> None:
        beat.scheduled = False
        loop = beat.loop_ref()
        if loop is None:
            return
        if beat.settled:
            beat.settled = False
        else:
            self._record(max(0.0, loop.time() - beat.expected))
        if beat.holders:
            self._schedule(loop, beat)

    def _record(self, late: float) -> None:
        stall = late > self.stall_threshold
        context = self._context() if stall and self._context is not None else None
        with self._lock:
            self.lag.record(late)
            if stall:
                self.stalls += 1
                self.recent_stalls.append(
                    {"lag": late, "at": time.time(), "running": context}
                )

    def report(self) -> dict[str, Any]:
        """Lag max/p99/p50 (seconds) over the beats so far, stalls, and the recent stalls."""
        with self._lock:
            return {
                "interval": self.interval,
                "stall_threshold": self.stall_threshold,
                "active": any(beat.holders for beat in self._beats.values()),
                "beats": self.lag.count,
                "lag_max": self.lag.max,
                "lag_p99": self.lag.percentile(99),
                "lag_p50": self.lag.percentile(50),
                "stalls": self.stalls,
                "recent_stalls": list(self.recent_stalls),
            }

    def reset(self) -> None:
        """Forget the lag figures; beats that are running keep running."""
        with self._lock:
            self.lag = LatencyHistogram()
            self.stalls = 0
            self.recent_stalls.clear()
