"""MemoryOptimizer: process memory, garbage-collector cost and allocation sites, on demand.

Everything expensive is opt-in: tracemalloc slows allocation by roughly 2x and is started only by
:meth:`MemoryOptimizer.start_tracing` (or the :meth:`~MemoryOptimizer.tracing` block); the pympler
heap walk runs only when ``get_memory_report(include_pympler=True)`` asks for it (the sketch built
a ``SummaryTracker`` in ``__init__``, which walks the whole heap). RSS comes from psutil when it is
installed and from ``/proc`` or ``resource`` otherwise, so Linux and macOS both report current and
peak RSS (the sketch read ``peak_wset``, which exists only on Windows).

The sketch's ``optimize_data_structure`` returned altered copies (dicts became ad-hoc classes,
bools became ints, big ints overflowed ``array('l')``). Ours converts only where the meaning is
kept exactly (a list of floats, or of ints that fit 64 bits, becomes an ``array``) and returns
everything else unchanged; :meth:`MemoryOptimizer.advise_data_structure` only inspects and
returns advice. ``track_large_object`` records size and type, holding the object weakly or not
at all (see ``_large_objects``), where the sketch's ``WeakValueDictionary`` refused lists and dicts.
"""

from __future__ import annotations

import array
import gc
import os
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from ._histogram import LatencyHistogram
from ._large_objects import LargeObjectTable

__all__ = ["MemoryOptimizer", "StructureAdvice", "peak_rss_bytes", "rss_bytes"]

_MB = 1024 * 1024
_INT64 = (-(2**63), 2**63 - 1)


def rss_bytes() -> int:
    """Current resident set size of this process, in bytes (0 when it cannot be read)."""
    try:
        import psutil
    except ImportError:
        pass
    else:
        return int(psutil.Process().memory_info().rss)
    try:  # Linux without psutil: second field of statm is resident pages
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return (
            peak_rss_bytes()
        )  # macOS without psutil: the best cheap figure is the peak


def peak_rss_bytes() -> int:
    """Highest RSS this process reached, in bytes (0 when the platform does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        try:
            import psutil

            return int(getattr(psutil.Process().memory_info(), "peak_wset", 0))
        except ImportError:
            return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in bytes on macOS and in kilobytes on Linux and the BSDs
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass(frozen=True, slots=True)
class StructureAdvice:
    """A suggestion about a data structure; applying it is the caller's decision."""

    kind: str
    message: str
    estimated_saving_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class MemoryOptimizer:
    """Memory report, garbage-collection statistics and allocation tracing for one process."""

    def __init__(self, *, history: int = 10) -> None:
        self._collections: deque[dict[str, Any]] = deque(maxlen=history)
        self._gc_pauses = LatencyHistogram()
        self._gc_started: float | None = None
        self._gc_callback_installed = False
        self._baseline: tracemalloc.Snapshot | None = None
        self._started_tracing = False
        self._large_objects = LargeObjectTable()

    # -- large objects ---------------------------------------------------------------------
    def track_large_object(self, obj_id: str, obj: Any) -> None:
        """Record ``obj``'s size and type under ``obj_id`` for :meth:`get_memory_report`.

        Never keeps ``obj`` alive: it is held by weak reference when its type allows (and the
        entry disappears when it dies), otherwise not at all (lists, dicts, tuples, strs: id,
        type and size only). Tracking the same ``obj_id`` again replaces the entry.
        """
        self._large_objects.track(obj_id, obj)

    def untrack_large_object(self, obj_id: str) -> None:
        """Forget ``obj_id`` (no error if it is not tracked)."""
        self._large_objects.untrack(obj_id)

    # -- garbage collector -----------------------------------------------------------------
    def track_gc_pauses(self) -> None:
        """Time every collection through ``gc.callbacks`` (cheap; off until called)."""
        if not self._gc_callback_installed:
            gc.callbacks.append(self._on_gc)
            self._gc_callback_installed = True

    def stop_tracking_gc_pauses(self) -> None:
        if self._gc_callback_installed:
            gc.callbacks.remove(self._on_gc)
            self._gc_callback_installed = False

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            self._gc_pauses.record(time.perf_counter() - self._gc_started)
            self._gc_started = None

    def gc_report(self) -> dict[str, Any]:
        """Counts per generation, thresholds, and pause times when tracked."""
        return {
            "enabled": gc.isenabled(),
            "counts": list(gc.get_count()),
            "thresholds": list(gc.get_threshold()),
            "generations": gc.get_stats(),
            "pauses": self._gc_pauses.to_dict()
            if self._gc_callback_installed
            else None,
        }

    def optimize_memory(self, generation: int = 2) -> dict[str, Any]:
        """Run a collection and report what it freed (objects, RSS change, pause)."""
        before = rss_bytes()
        started = time.perf_counter()
        collected = gc.collect(generation)
        pause = time.perf_counter() - started
        after = rss_bytes()
        result = {
            "timestamp": time.time(),
            "generation": generation,
            "objects_collected": collected,
            "uncollectable": len(gc.garbage),
            "pause_seconds": pause,
            "memory_before_mb": before / _MB,
            "memory_after_mb": after / _MB,
            # allocators often keep freed memory, so RSS may not drop even when objects died
            "memory_freed_mb": (before - after) / _MB,
        }
        self._collections.append(result)
        return result

    # -- tracemalloc -----------------------------------------------------------------------
    def start_tracing(self, frames: int = 1) -> None:
        """Start tracemalloc (if not already running) and take the baseline snapshot."""
        if not tracemalloc.is_tracing():
            tracemalloc.start(frames)
            self._started_tracing = True
        self._baseline = tracemalloc.take_snapshot()

    def stop_tracing(self) -> None:
        """Stop tracemalloc if this optimizer started it; forget the baseline."""
        if self._started_tracing:
            tracemalloc.stop()
            self._started_tracing = False
        self._baseline = None

    @contextmanager
    def tracing(self, frames: int = 1) -> Iterator[MemoryOptimizer]:
        """``with optimizer.tracing(): ...`` then :meth:`snapshot_diff` inside the block."""
        self.start_tracing(frames)
        try:
            yield self
        finally:
            self.stop_tracing()

    def top_allocations(self, top_n: int = 10) -> list[dict[str, Any]]:
        """Largest live allocation sites (``file:line``); empty unless tracing."""
        if not tracemalloc.is_tracing():
            return []
        snapshot = _filtered(tracemalloc.take_snapshot())
        return [
            {
                "location": _where(stat.traceback),
                "size_mb": stat.size / _MB,
                "count": stat.count,
            }
            for stat in snapshot.statistics("lineno")[:top_n]
        ]

    def snapshot_diff(self, top_n: int = 10) -> list[dict[str, Any]]:
        """Allocation sites that grew most since :meth:`start_tracing` (or the last diff)."""
        if self._baseline is None or not tracemalloc.is_tracing():
            return []
        current = tracemalloc.take_snapshot()
        diff = _filtered(current).compare_to(_filtered(self._baseline), "lineno")
        self._baseline = current
        return [
            {
                "location": _where(stat.traceback),
                "size_diff_kb": stat.size_diff / 1024,
                "count_diff": stat.count_diff,
                "size_kb": stat.size / 1024,
            }
            for stat in diff[:top_n]
            if stat.size_diff
        ]

    # -- report ----------------------------------------------------------------------------
    def get_memory_report(
        self, *, top_n: int = 10, include_pympler: bool = False
    ) -> dict[str, Any]:
        """RSS, peak RSS, GC view, allocation sites when tracing, pympler rows when asked."""
        report: dict[str, Any] = {
            "current_memory_mb": rss_bytes() / _MB,
            "peak_memory_mb": peak_rss_bytes() / _MB,
            "gc": self.gc_report(),
            "collections": list(self._collections),
            "tracing": tracemalloc.is_tracing(),
            "top_allocations": self.top_allocations(top_n),
            **self._large_objects.report(),
        }
        if include_pympler:
            report["top_types"] = pympler_summary(top_n)
        return report

    # -- data structures -------------------------------------------------------------------
    @staticmethod
    def optimize_data_structure(data: Any) -> Any:
        """A leaner equivalent of ``data`` where one keeps its meaning exactly; else ``data``.

        A list holding only floats becomes ``array('d')`` and a list holding only ints that fit
        in 64 bits becomes ``array('q')``: same values, same order, indexable and iterable,
        unboxed (8 bytes an item instead of about 32). Anything else comes back unchanged (the
        same object): bools stay bools, a big int is never squeezed into 64 bits, a list mixing
        ints and floats is not turned into floats, and a dict stays a dict with the same keys.
        For suggestions that need the caller's judgement, see :meth:`advise_data_structure`.
        """
        if not isinstance(data, list) or not data:
            return data
        kinds = set(map(type, data))
        if kinds == {float}:
            return array.array("d", data)
        if kinds == {int} and _INT64[0] <= min(data) and max(data) <= _INT64[1]:
            return array.array("q", data)
        return data

    # -- advice ----------------------------------------------------------------------------
    @staticmethod
    def advise_data_structure(
        data: Any, *, min_items: int = 1000
    ) -> list[StructureAdvice]:
        """Suggest leaner representations for ``data``; never modifies or copies it."""
        advice: list[StructureAdvice] = []
        if not isinstance(data, list) or len(data) < min_items:
            return advice
        size = sys.getsizeof(data) + sum(sys.getsizeof(item) for item in data)
        kinds = {type(item) for item in data}
        if kinds == {float}:
            saving = size - 8 * len(data)
            advice.append(
                StructureAdvice(
                    "array",
                    "all items are floats: array('d') stores them unboxed",
                    saving,
                )
            )
        elif kinds == {int} and all(_INT64[0] <= item <= _INT64[1] for item in data):
            saving = size - 8 * len(data)
            advice.append(
                StructureAdvice(
                    "array",
                    "all items are 64-bit ints: array('q') stores them unboxed",
                    saving,
                )
            )
        elif kinds == {dict}:
            keys = {tuple(item) for item in data}
            if len(keys) == 1:
                # a slotted instance is about a GC header, an object header and one pointer a field
                per_item = sys.getsizeof(data[0]) - (32 + 8 * len(data[0]))
                advice.append(
                    StructureAdvice(
                        "slots",
                        f"{len(data)} dicts share the keys {sorted(next(iter(keys)))!r}: a "
                        "dataclass(slots=True) or NamedTuple drops the per-item hash table",
                        max(per_item, 0) * len(data),
                    )
                )
        elif kinds == {str}:
            distinct = {id(item) for item in data}
            unique = set(data)
            if len(distinct) > 2 * len(unique):
                saving = sum(sys.getsizeof(item) for item in data) - sum(
                    sys.getsizeof(item) for item in unique
                )
                advice.append(
                    StructureAdvice(
                        "intern",
                        f"{len(unique)} distinct strings held as {len(distinct)} objects: "
                        "sys.intern() them when they are created",
                        saving,
                    )
                )
        return advice


def pympler_summary(top_n: int = 10) -> list[dict[str, Any]]:
    """Types using the most memory, from pympler (rows are ``[type, count, size]``); slow."""
    from pympler import muppy, summary

    rows = summary.summarize(muppy.get_objects())
    rows.sort(key=lambda row: row[2], reverse=True)
    return [
        {"type": type_name, "count": count, "size_mb": size / _MB}
        for type_name, count, size in rows[:top_n]
    ]


def _filtered(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    """Hide the tracer's own and import-machinery allocations from the sites reported."""
    return snapshot.filter_traces(
        (
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
            tracemalloc.Filter(False, __file__),
        )
    )


def _where(traceback: tracemalloc.Traceback) -> str:
    frame = traceback[0]
    return f"{frame.filename}:{frame.lineno}"
