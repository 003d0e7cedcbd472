"""PerformanceProfiler: per-operation latency statistics, cheap enough to leave on.

``with profiler.profile_operation("agent", "inference") as op:`` (or ``async with``) times the
block and yields the operation record so the caller can set ``op.tokens_used`` or
``op.custom_metrics["retries"] = 2``. Each ``(agent, operation)`` pair keeps fixed-size
statistics (a log-bucket histogram, counters and sums), so memory does not grow with traffic as
the origin sketch's list of every call did.

Nesting is tracked with a :class:`contextvars.ContextVar`: every asyncio task and thread sees its
own current operation, so concurrent and nested operations never overwrite each other, and each
operation's *self time* (its duration minus that of the operations nested in it) is recorded.

Deep profiling (cProfile, or pyinstrument) runs only when asked (``deep=True``) or sampled
(``deep_sample_rate``), and only one at a time in the process: Python 3.12+ refuses a second
active profiler (``ValueError``), and on older versions enabling an inner cProfile silently
disabled the outer one, which is the sketch's bug. A deep request that cannot run is counted as
skipped, never raised.
"""

from __future__ import annotations

import functools
import inspect
import io
import math
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._histogram import LatencyHistogram

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["OperationRecord", "OperationStats", "PerformanceProfiler"]

F = TypeVar("F", bound=Callable[..., Any])
DeepBackend = Literal["auto", "cprofile", "pyinstrument"]

_MB = 1024 * 1024
#: operations beyond this many distinct (agent, operation) pairs are pooled under one key
_OVERFLOW_KEY = ("(other)", "(other)")

#: finished records wait in a buffer and are folded into statistics in batches of this size
_FLUSH_EVERY = 1024

_current: ContextVar[OperationRecord | None] = ContextVar(
    "agentperf_operation", default=None
)
# process-wide: profilers hook the interpreter, so only one deep profile may run at a time
_deep_lock = threading.Lock()


def current_operation() -> OperationRecord | None:
    """The innermost operation being profiled in this task or thread, if any."""
    return _current.get()


class _Extra:
    """An optional record field kept in the record's ``_extra`` dict, created on first write.

    Most operations never set these, so the hot path allocates nothing for them and the fold
    skips them with one ``is None`` test.
    """

    def __init__(self, default: Any) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, record: OperationRecord | None, owner: type) -> Any:
        if record is None:
            return self
        extra = record._extra
        return self.default if extra is None else extra.get(self.name, self.default)

    def __set__(self, record: OperationRecord, value: Any) -> None:
        if record._extra is None:
            record._extra = {}
        record._extra[self.name] = value


class OperationRecord:
    """One profiled call: a context manager (sync and async) that yields itself.

    Callers set ``tokens_used``, ``cache_hits``, ``cache_misses`` and ``custom_metrics`` inside
    the block; the profiler folds them into the operation's statistics after exit.
    """

    __slots__ = ("_extra", "_key", "_profiler", "_token", "end_time", "start_time")

    # a class attribute (one look-up on the hot path); profilers with an injected clock use a
    # subclass that overrides it
    _clock: Callable[[], float] = staticmethod(time.perf_counter)

    tokens_used = _Extra(0)
    cache_hits = _Extra(0)
    cache_misses = _Extra(0)
    memory_delta_mb = _Extra(None)
    #: the exception type that ended the operation, if any
    error = _Extra(None)

    def __init__(self, profiler: PerformanceProfiler, key: tuple[str, str]) -> None:
        self._profiler = profiler
        self._key = key
        self._extra: dict[str, Any] | None = None
        self.end_time: float | None = None

    @property
    def agent_name(self) -> str:
        return self._key[0]

    @property
    def operation(self) -> str:
        return self._key[1]

    @property
    def custom_metrics(self) -> dict[str, float]:
        """Numeric metrics summed per operation: ``op.custom_metrics["retries"] = 2``."""
        if self._extra is None:
            self._extra = {}
        metrics: dict[str, float] = self._extra.setdefault("custom_metrics", {})
        return metrics

    @property
    def parent(self) -> OperationRecord | None:
        """The operation this one is nested in (same task or thread), if any."""
        token = getattr(self, "_token", None)
        if token is None or token.old_value is Token.MISSING:
            return None
        parent: OperationRecord | None = token.old_value
        return parent

    @property
    def key(self) -> str:
        return f"{self._key[0]}:{self._key[1]}"

    @property
    def duration(self) -> float | None:
        return None if self.end_time is None else self.end_time - self.start_time

    def __enter__(self) -> Self:
        self._token = _current.set(self)
        if self._extra is not None:
            self._start_extras(in_async=False)
        self.start_time = self._clock()
        return self

    async def __aenter__(self) -> Self:
        self._token = _current.set(self)
        if self._extra is not None:
            # memory tracking reads /proc/self (kernel memory, never a disk wait): not blocking
            self._start_extras(in_async=True)  # noqa: APL114
        self.start_time = self._clock()
        return self

    def _start_extras(self, *, in_async: bool) -> None:
        extra = self._extra
        assert extra is not None
        if extra.get("track_memory"):
            from .memory import rss_bytes

            extra["rss_start"] = rss_bytes()
        if extra.get("deep"):
            extra["deep_session"] = self._profiler._start_deep(self, in_async=in_async)

    def _stop_extras(self, extra: dict[str, Any]) -> None:
        session = extra.pop("deep_session", None)
        if session is not None:
            session.stop()
        if extra.get("track_memory"):
            from .memory import rss_bytes

            extra["memory_delta_mb"] = (rss_bytes() - extra["rss_start"]) / _MB

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        profiler = self._profiler
        self.end_time = self._clock()
        extra = self._extra
        if extra is not None:
            self._stop_extras(extra)
        if exc_type is not None:
            self.error = exc_type
        try:
            _current.reset(self._token)
        except (
            ValueError
        ):  # exited in another context (e.g. an async generator's finalizer)
            _current.set(self.parent)
        # folding into the statistics is deferred and batched: appending to a deque is atomic,
        # so the hot path takes no lock (see PerformanceProfiler._flush)
        pending = profiler._pending
        pending.append(self)
        if len(pending) >= _FLUSH_EVERY:
            profiler._flush()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)  # noqa: APL114 (reads /proc/self only, see __aenter__)

    def __repr__(self) -> str:
        return f"<OperationRecord {self.key} duration={self.duration}>"


@dataclass
class OperationStats:
    """Fixed-size aggregate for one ``agent:operation`` pair."""

    agent_name: str
    operation: str
    histogram: LatencyHistogram = field(default_factory=LatencyHistogram)
    errors: int = 0
    cancelled: int = 0
    child_time: float = 0.0  # time spent in operations nested in this one
    tokens_used: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    memory_delta_mb_total: float = 0.0
    memory_samples: int = 0
    custom_totals: dict[str, float] = field(default_factory=dict)
    parents: dict[str, int] = field(default_factory=dict)
    first_start: float = math.inf
    last_end: float = -math.inf
    deep_samples: int = 0
    deep_report: Any = (
        None  # pstats.Stats or a pyinstrument Session, merged across samples
    )
    deep_backend: str | None = None
    durations: list[float] = field(
        default_factory=list
    )  # folded, not yet in the histogram

    @property
    def self_time(self) -> float:
        """Total time minus time in nested operations (0 when concurrent children overlap)."""
        return max(0.0, self.histogram.total - self.child_time)

    @property
    def key(self) -> str:
        return f"{self.agent_name}:{self.operation}"

    @property
    def count(self) -> int:
        return self.histogram.count

    def to_dict(self) -> dict[str, Any]:
        count = self.count
        summary: dict[str, Any] = {
            "agent_name": self.agent_name,
            "operation": self.operation,
            "errors": self.errors,
            "cancelled": self.cancelled,
            "error_rate": self.errors / count if count else 0.0,
            **self.histogram.to_dict(),
            "self_time": self.self_time,
            "tokens_used": self.tokens_used,
            "tokens_per_call": self.tokens_used / count if count else 0.0,
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "avg_memory_delta_mb": (
                self.memory_delta_mb_total / self.memory_samples
                if self.memory_samples
                else None
            ),
            "custom_metrics": dict(self.custom_totals),
            "parents": dict(self.parents),
            "deep_samples": self.deep_samples,
        }
        return summary


class _DeepSession:
    """One running deep profile; ``stop()`` merges it into the operation's statistics."""

    __slots__ = ("_backend", "_engine", "_profiler", "_record")

    def __init__(
        self, profiler: PerformanceProfiler, record: OperationRecord, in_async: bool
    ) -> None:
        """Start profiling; the caller holds ``_deep_lock``, released here if starting fails."""
        self._profiler = profiler
        self._record = record
        self._backend = profiler._resolve_backend()
        try:
            if self._backend == "pyinstrument":
                from pyinstrument import Profiler

                # "enabled" attributes awaits to the awaiting task, not to whatever else ran
                mode = "enabled" if in_async else "disabled"
                self._engine: Any = Profiler(interval=0.0001, async_mode=mode)
                self._engine.start()
            else:
                import cProfile

                self._engine = cProfile.Profile()
                self._engine.enable()
        except (
            BaseException
        ):  # Python 3.12+: "another profiling tool is already active"
            _deep_lock.release()
            raise

    def stop(self) -> None:
        try:
            if self._backend == "pyinstrument":
                session = self._engine.stop()
            else:
                self._engine.disable()
                session = self._engine
        finally:
            _deep_lock.release()
        self._profiler._merge_deep(self._record, self._backend, session)


class PerformanceProfiler:
    """Records latency, errors, tokens and (optionally) memory per ``agent:operation``.

    ``deep_sample_rate`` (0..1) deep-profiles that fraction of operations; ``deep_backend`` picks
    cProfile, pyinstrument or ``"auto"`` (pyinstrument when installed). ``clock`` is injectable
    for tests. ``max_operations`` bounds the number of distinct keys kept.
    """

    def __init__(
        self,
        *,
        track_memory: bool = False,
        deep_sample_rate: float = 0.0,
        deep_backend: DeepBackend = "auto",
        clock: Callable[[], float] = time.perf_counter,
        max_operations: int = 1000,
    ) -> None:
        if not 0.0 <= deep_sample_rate <= 1.0:
            raise ValueError("deep_sample_rate must be between 0 and 1")
        self.track_memory = track_memory
        self.deep_sample_rate = deep_sample_rate
        self.deep_backend: DeepBackend = deep_backend
        self.max_operations = max_operations
        self._record_type: type[OperationRecord] = OperationRecord
        if clock is not time.perf_counter:
            self._record_type = type(
                "OperationRecord",
                (OperationRecord,),
                {"__slots__": (), "_clock": staticmethod(clock)},
            )
        self._lock = threading.Lock()
        self._stats: dict[tuple[str, str], OperationStats] = {}
        self._pending: deque[OperationRecord] = deque()
        #: deep profiles requested but not run because another profiler was active
        self.deep_skipped = 0

    # -- recording -------------------------------------------------------------------------
    def profile_operation(
        self,
        agent_name: str,
        operation: str,
        *,
        deep: bool | None = None,
        track_memory: bool | None = None,
    ) -> OperationRecord:
        """Context manager (``with`` or ``async with``) timing one operation; yields its record."""
        if (
            deep is None
            and track_memory is None
            and not (self.deep_sample_rate or self.track_memory)
        ):
            return self._record_type(
                self, (agent_name, operation)
            )  # the common, cheap case
        if deep is None:
            rate = self.deep_sample_rate
            deep = rate > 0.0 and (rate >= 1.0 or random.random() < rate)
        if track_memory is None:
            track_memory = self.track_memory
        record = self._record_type(self, (agent_name, operation))
        if deep or track_memory:
            record._extra = {"deep": deep, "track_memory": track_memory}
        return record

    def profile(
        self, agent_name: str, operation: str | None = None, **options: Any
    ) -> Callable[[F], F]:
        """Decorator for sync and async functions; the operation defaults to the qualname."""

        def decorate(func: F) -> F:
            name = operation or func.__qualname__
            if inspect.iscoroutinefunction(func):

                @functools.wraps(func)
                async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                    with self.profile_operation(agent_name, name, **options):
                        return await func(*args, **kwargs)

                return async_wrapper  # type: ignore[return-value]

            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.profile_operation(agent_name, name, **options):
                    return func(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorate

    def _flush(self) -> None:
        """Fold buffered records into the per-operation statistics.

        Records are popped one by one (``deque.popleft`` is atomic), so records appended by other
        threads meanwhile are either folded now or left for the next flush, never lost.
        Durations are collected per operation and added to its histogram in bulk.
        """
        popleft = self._pending.popleft
        missing = Token.MISSING
        with self._lock:
            stats_map = self._stats
            while True:
                try:
                    record = popleft()
                except IndexError:
                    break
                stats = stats_map.get(record._key)
                if stats is None:
                    stats = self._new_stats(record._key)
                start = record.start_time
                end = record.end_time
                stats.durations.append(end - start)
                # comparisons, not min()/max(): this loop runs once per profiled operation
                if end > stats.last_end:  # noqa: PLR1730
                    stats.last_end = end
                if start < stats.first_start:  # noqa: PLR1730
                    stats.first_start = start
                if record._extra is not None:
                    self._fold_extras(record, stats, record._extra)
                parent = record._token.old_value
                if parent is not missing and parent is not None:
                    parent_key = parent.key
                    stats.parents[parent_key] = stats.parents.get(parent_key, 0) + 1
                    parent_stats = stats_map.get(parent._key)
                    if parent_stats is None:
                        parent_stats = self._new_stats(parent._key)
                    parent_stats.child_time += end - start
            for stats in stats_map.values():
                if stats.durations:
                    stats.histogram.record_many(stats.durations)
                    stats.durations.clear()

    @staticmethod
    def _fold_extras(
        record: OperationRecord, stats: OperationStats, extra: dict[str, Any]
    ) -> None:
        error = extra.get("error")
        if error is not None:
            if issubclass(error, Exception):
                stats.errors += 1
            else:  # CancelledError, KeyboardInterrupt, GeneratorExit
                stats.cancelled += 1
        stats.tokens_used += extra.get("tokens_used", 0)
        stats.cache_hits += extra.get("cache_hits", 0)
        stats.cache_misses += extra.get("cache_misses", 0)
        memory = extra.get("memory_delta_mb")
        if memory is not None:
            stats.memory_delta_mb_total += memory
            stats.memory_samples += 1
        custom = extra.get("custom_metrics")
        if custom:
            totals = stats.custom_totals
            for name, value in custom.items():
                totals[name] = totals.get(name, 0.0) + value

    def _new_stats(self, key: tuple[str, str]) -> OperationStats:
        if len(self._stats) >= self.max_operations:
            key = _OVERFLOW_KEY
            existing = self._stats.get(key)
            if existing is not None:
                return existing
        stats = self._stats[key] = OperationStats(*key)
        return stats

    # -- deep profiling --------------------------------------------------------------------
    def _resolve_backend(self) -> str:
        if self.deep_backend != "auto":
            return self.deep_backend
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            return "cprofile"
        return "pyinstrument"

    def _start_deep(
        self, record: OperationRecord, *, in_async: bool
    ) -> _DeepSession | None:
        # another deep profile (ours, or a foreign profiler on Python < 3.12) is running
        if not _deep_lock.acquire(blocking=False):
            self.deep_skipped += 1
            return None
        if sys.version_info < (3, 12) and sys.getprofile() is not None:
            _deep_lock.release()
            self.deep_skipped += 1
            return None
        try:
            return _DeepSession(self, record, in_async)
        except Exception:  # noqa: BLE001 - a deep profile must never break the operation
            self.deep_skipped += 1
            return None

    def _merge_deep(self, record: OperationRecord, backend: str, session: Any) -> None:
        key = record._key
        with self._lock:
            stats = self._stats.get(key) or self._new_stats(key)
            stats.deep_samples += 1
            stats.deep_backend = backend
            if backend == "pyinstrument":
                if session is None:
                    return
                if stats.deep_report is None:
                    stats.deep_report = session
                else:
                    from pyinstrument.session import Session

                    stats.deep_report = Session.combine(stats.deep_report, session)
            else:
                import pstats

                if stats.deep_report is None:
                    stats.deep_report = pstats.Stats(session, stream=io.StringIO())
                else:
                    stats.deep_report.add(session)

    # -- reporting -------------------------------------------------------------------------
    def get_stats(self) -> dict[str, dict[str, Any]]:
        """Every operation's statistics as plain dicts, keyed ``"agent:operation"``."""
        self._flush()
        with self._lock:
            return {stats.key: stats.to_dict() for stats in self._stats.values()}

    def get_operation_stats(
        self, agent_name: str, operation: str
    ) -> OperationStats | None:
        self._flush()
        return self._stats.get((agent_name, operation))

    def get_profile_stats(
        self,
        agent_name: str | None = None,
        operation: str | None = None,
        top_n: int = 20,
    ) -> str:
        """Readable summary of one operation (or all), with the top functions when deep-profiled."""
        selected = self._select(agent_name, operation)
        if not selected:
            wanted = f"{agent_name or '*'}:{operation or '*'}"
            return f"No profiling data for {wanted}"
        return "\n\n".join(self._describe(stats, top_n) for stats in selected)

    def _describe(self, stats: OperationStats, top_n: int) -> str:
        summary = stats.to_dict()
        lines = [
            f"Performance Profile: {stats.key}",
            "=" * (21 + len(stats.key)),
            (
                f"Executions: {summary['count']} (errors {summary['errors']}, "
                f"cancelled {summary['cancelled']})"
            ),
            f"Total time: {summary['total']:.6f}s (self {summary['self_time']:.6f}s)",
            (
                f"Mean: {summary['mean']:.6f}s  p50: {summary['p50']:.6f}s  "
                f"p95: {summary['p95']:.6f}s  p99: {summary['p99']:.6f}s  "
                f"max: {summary['max']:.6f}s"
            ),
            f"Tokens: {summary['tokens_used']} ({summary['tokens_per_call']:.1f} per call)",
        ]
        if summary["avg_memory_delta_mb"] is not None:
            lines.append(
                f"Average memory delta: {summary['avg_memory_delta_mb']:.3f} MB"
            )
        if stats.deep_report is None:
            lines.append("Top functions: none (pass deep=True or set deep_sample_rate)")
            return "\n".join(lines)
        lines.append(
            f"Top functions ({stats.deep_backend}, {stats.deep_samples} samples):"
        )
        if stats.deep_backend == "pyinstrument":
            lines.append(_pyinstrument_text(stats))
        else:
            stream = io.StringIO()
            report = stats.deep_report
            report.stream = stream
            report.sort_stats("cumulative").print_stats(top_n)
            lines.append(stream.getvalue().strip())
        return "\n".join(lines)

    def _select(
        self, agent_name: str | None, operation: str | None
    ) -> list[OperationStats]:
        self._flush()
        with self._lock:
            return [
                stats
                for (agent, op), stats in self._stats.items()
                if (agent_name is None or agent == agent_name)
                and (operation is None or op == operation)
            ]

    def identify_bottlenecks(
        self, threshold_seconds: float = 1.0
    ) -> list[dict[str, Any]]:
        """Operations whose mean time exceeds ``threshold_seconds``, slowest first.

        Severity: ``"high"`` above twice the threshold, ``"medium"`` otherwise (as in the guide).
        """
        found = []
        for stats in self._select(None, None):
            summary = stats.to_dict()
            mean = summary["mean"]
            if not summary["count"] or mean <= threshold_seconds:
                continue
            found.append(
                {
                    "operation": stats.key,
                    "avg_execution_time": mean,
                    "max_execution_time": summary["max"],
                    "p95_execution_time": summary["p95"],
                    "total_executions": summary["count"],
                    "error_rate": summary["error_rate"],
                    "avg_memory_delta": summary["avg_memory_delta_mb"] or 0.0,
                    "severity": "high" if mean > threshold_seconds * 2 else "medium",
                }
            )
        found.sort(key=lambda item: item["avg_execution_time"], reverse=True)
        return found

    def observed_metrics(self, operation: str | None = None) -> dict[str, float]:
        """Statistics under budget metric names (see :mod:`.budgets`), over one operation or all.

        ``operation`` is ``"agent:operation"`` or a bare operation name (matching every agent).
        """
        self._flush()
        with self._lock:
            chosen = [
                stats
                for stats in self._stats.values()
                if operation is None or operation in (stats.key, stats.operation)
            ]
            merged = LatencyHistogram()
            errors = tokens = memory_samples = 0
            memory_total = 0.0
            starts: list[float] = []
            ends: list[float] = []
            for stats in chosen:
                merged.merge(stats.histogram)
                errors += stats.errors
                tokens += stats.tokens_used
                memory_total += stats.memory_delta_mb_total
                memory_samples += stats.memory_samples
                if stats.count:
                    starts.append(stats.first_start)
                    ends.append(stats.last_end)
        count = merged.count
        if not count:
            return {}
        metrics = {
            "count": float(count),
            "response_time_p50": merged.percentile(50),
            "response_time_p95": merged.percentile(95),
            "response_time_p99": merged.percentile(99),
            "api_response_time_p95": merged.percentile(95),
            "response_time_mean": merged.mean,
            "response_time_max": merged.max,
            "error_rate": errors / count,
            "tokens_per_request": tokens / count,
        }
        if memory_samples:
            metrics["memory_per_request"] = memory_total / memory_samples
        span = max(ends) - min(starts) if starts else 0.0
        if span > 0.0:
            metrics["throughput_rps"] = count / span
        return metrics

    def reset(self) -> None:
        """Forget every statistic (deep profiles included)."""
        self._flush()
        with self._lock:
            self._stats.clear()
            self.deep_skipped = 0


def _pyinstrument_text(stats: OperationStats) -> str:
    from pyinstrument.renderers import ConsoleRenderer

    renderer = ConsoleRenderer(unicode=False, color=False, short_mode=True)
    return str(renderer.render(stats.deep_report)).strip()
