"""Load tester for async Python targets: closed, staged and open (arrival-rate) load models.

Any async callable is the unit of load: an HTTP request, an LLM call, a whole agent turn.
``await LoadTester().run_load_test(test_func, concurrent_users=10, requests_per_user=100,
ramp_up_time=10.0)`` keeps the origin sketch's call and result keys but not its bugs:

* every run keeps its state in a private ``_Run``, so results never pile up across runs;
* time comes from a monotonic clock (``time.perf_counter``), never the wall clock;
* throughput is completed requests over the run's elapsed time (first start to last completion),
  not over the spread of start times;
* latency percentiles cover successful requests only and come from fixed-size log-bucket
  histograms (within 1% of exact, bounded memory whatever the request count);
* ``concurrent_users=0`` returns an empty result instead of dividing by zero.

The open model (``target_rps``) schedules request ``i`` at ``t0 + i / target_rps`` and measures
latency from that *scheduled* start, so a target that falls behind shows its queueing delay
instead of hiding it (coordinated omission corrected); the time spent in the call alone is
reported separately as ``service_time``.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import math
import re
import sys
import time
from collections.abc import (
    Awaitable,
    Callable,
    ItemsView,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    ValuesView,
)
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any, Union

from ._histogram import LatencyHistogram

if TYPE_CHECKING:
    from .budgets import BudgetReport, PerformanceBudget

__all__ = ["LoadTestResult", "LoadTester", "parse_duration", "set_label"]

TestFunc = Callable[..., Awaitable[Any]]
Stage = tuple[float | str, int]
Thresholds = Union["PerformanceBudget", Mapping[str, float]]

_LABEL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "agentperf_loadtest_label", default=None
)
_MAX_LABELS = 100  # beyond this, new names are folded into "(other)" to bound memory
_MAX_ERROR_SAMPLES = 3
_PERCENTILE_KEYS = (("median", 50.0), ("p90", 90.0), ("p95", 95.0), ("p99", 99.0))
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def set_label(name: str) -> None:
    """Name the operation the current request performs (for per-label statistics).

    Call it from inside ``test_func``; the name applies to the request in progress, whether it
    succeeds or fails, and is cleared before the next one. Keep names low-cardinality ("GET
    /items/{id}", not the full URL): after 100 distinct names the rest count as "(other)".
    """
    _LABEL.set(name)


def parse_duration(value: float | int | str) -> float:
    """Seconds from ``1.5``, ``"250ms"``, ``"30s"``, ``"2m"`` or ``"1h"`` (bare number: seconds)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION_RE.match(str(value))
        if match is None:
            raise ValueError(f"invalid duration {value!r}: use e.g. 500ms, 30s, 2m, 1h")
        seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"invalid duration {value!r}: must be a finite number >= 0")
    return seconds


# --------------------------------------------------------------------------------------------
# per-run bookkeeping


def _series_histogram() -> LatencyHistogram:
    # Per-second percentiles only feed charts, so 5% accuracy over 1 µs .. 10^4 s is plenty and
    # keeps each second's histogram ~230 counters (an hour-long run stays a few MB).
    return LatencyHistogram(relative_accuracy=0.05, lowest=1e-6, highest=1e4)


class _Second:
    """What completed during one second of the run."""

    __slots__ = ("failures", "histogram", "requests", "users")

    def __init__(self) -> None:
        self.requests = 0
        self.failures = 0
        self.histogram = _series_histogram()
        self.users = 0


class _LabelStats:
    __slots__ = ("failures", "histogram", "requests")

    def __init__(self) -> None:
        self.histogram = LatencyHistogram()
        self.requests = 0
        self.failures = 0


class _Run:
    """Mutable state of one load test run; discarded once its result is built."""

    def __init__(self, clock: Callable[[], float], default_label: str, open_model: bool) -> None:
        self.clock = clock
        self.default_label = default_label
        self.t0 = clock()
        # wall-clock time only labels the report; every measurement uses ``clock``
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.end: float | None = None
        self.labels: dict[str, _LabelStats] = {}
        self._default_stats: _LabelStats | None = None
        self.seconds: list[_Second] = [_Second()]
        self._current_second = self.seconds[0]
        self._second_end = self.t0 + 1.0
        self.errors: dict[str, list[Any]] = {}  # type name -> [count, [messages]]
        self.failed_latency = LatencyHistogram()
        self.service_time = LatencyHistogram() if open_model else None
        self.active_users = 0
        self.peak_users = 0
        self.in_flight = 0
        self.interrupted = 0
        self.dropped = 0
        self.loop_lag = LatencyHistogram()

    # The two lookups below run once per request, so each has a fast path: the unlabelled
    # request goes straight to the default label's stats, and the current second's bucket is
    # cached until the clock leaves it (completion times are recorded in clock order).

    def _label_stats(self) -> _LabelStats:
        name = _LABEL.get()
        if name is None:
            stats = self._default_stats
            if stats is None:
                stats = self._default_stats = self._named_stats(self.default_label)
            return stats
        _LABEL.set(None)
        return self._named_stats(name)

    def _named_stats(self, name: str) -> _LabelStats:
        stats = self.labels.get(name)
        if stats is None:
            if len(self.labels) >= _MAX_LABELS:
                name = "(other)"
                stats = self.labels.get(name)
            if stats is None:
                stats = self.labels[name] = _LabelStats()
        return stats

    def _second(self, end: float) -> _Second:
        if end < self._second_end:
            return self._current_second
        index = int(end - self.t0)
        seconds = self.seconds
        while len(seconds) <= index:
            seconds.append(_Second())
        self._current_second = second = seconds[index]
        self._second_end = self.t0 + index + 1
        return second

    def success(self, start: float, end: float) -> None:
        latency = end - start
        stats = self._label_stats()
        stats.requests += 1
        stats.histogram.record(latency)
        second = self._current_second if end < self._second_end else self._second(end)
        second.requests += 1
        second.histogram.record(latency)

    def failure(self, start: float, end: float, exc: BaseException) -> None:
        stats = self._label_stats()
        stats.requests += 1
        stats.failures += 1
        self.failed_latency.record(end - start)
        second = self._second(end)
        second.requests += 1
        second.failures += 1
        kind = type(exc)
        key = (
            kind.__name__
            if kind.__module__ == "builtins"
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        entry = self.errors.get(key)
        if entry is None:
            entry = self.errors[key] = [0, []]
        entry[0] += 1
        message = str(exc)[:200]
        if len(entry[1]) < _MAX_ERROR_SAMPLES and message not in entry[1]:
            entry[1].append(message)

    def sample_users(self, users: int) -> None:
        second = self._second(self.clock())
        if users > second.users:
            second.users = users

    @property
    def completed(self) -> int:
        return sum(stats.requests for stats in self.labels.values())

    @property
    def failed(self) -> int:
        return sum(stats.failures for stats in self.labels.values())


# --------------------------------------------------------------------------------------------
# the result


def _latency_summary(histogram: LatencyHistogram) -> dict[str, float | None]:
    """The sketch's keys (min, max, mean, median, p95, p99) plus p90; ``None`` when empty."""
    if not histogram.count:
        return {key: None for key in ("min", "max", "mean", "median", "p90", "p95", "p99")}
    summary: dict[str, float | None] = {
        "min": histogram.min,
        "max": histogram.max,
        "mean": histogram.mean,
    }
    for key, p in _PERCENTILE_KEYS:
        summary[key] = histogram.percentile(p)
    return summary


def _distribution(histogram: LatencyHistogram, bins: int = 40) -> list[dict[str, float]]:
    """Approximate latency histogram on log-spaced bins, rebuilt from 400 quantiles.

    The histogram's buckets are private to it; its percentiles are public and within 1%, so each
    quarter-percent slice of the requests is placed in the bin its latency falls into.
    """
    count = histogram.count
    if not count:
        return []
    low, high = histogram.min, histogram.max
    low = max(low, 1e-7)
    if high <= low * 1.0001:
        return [{"low": histogram.min, "high": histogram.max, "count": count}]
    log_low, log_high = math.log(low), math.log(high)
    width = (log_high - log_low) / bins
    counts = [0.0] * bins
    steps = 400
    for step in range(steps):
        value = max(histogram.percentile((step + 0.5) * 100.0 / steps), low)
        index = min(bins - 1, int((math.log(value) - log_low) / width))
        counts[index] += count / steps
    return [
        {
            "low": math.exp(log_low + i * width),
            "high": math.exp(log_low + (i + 1) * width),
            "count": round(c, 1),
        }
        for i, c in enumerate(counts)
    ]


class LoadTestResult:
    """The outcome of one run: read-only dict-style access (JSON-ready) plus typed shortcuts.

    ``result["throughput_rps"]``, ``result.keys()``, ``dict(result)`` and
    ``result.throughput_rps`` all work; ``to_dict()`` returns a plain dict for ``json.dump``.
    Latencies are in seconds. ``passed`` is False when a threshold failed (the CI gate).

    It deliberately is not a registered ``Mapping``: budget helpers then use
    :meth:`observed_metrics` (``response_time_p95``, ...), so ``assert_within_budget(result,
    {"response_time_p95": 0.5})`` checks the real percentile instead of reporting it unmeasured.
    """

    __slots__ = ("_budget_report", "_data")

    def __init__(self, data: dict[str, Any], budget_report: BudgetReport | None = None) -> None:
        self._data = data
        self._budget_report = budget_report

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def keys(self) -> KeysView[str]:
        return self._data.keys()

    def items(self) -> ItemsView[str, Any]:
        return self._data.items()

    def values(self) -> ValuesView[Any]:
        return self._data.values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __repr__(self) -> str:
        return (
            f"LoadTestResult(total_requests={self.total_requests}, "
            f"error_rate={self.error_rate:.4f}, throughput_rps={self.throughput_rps:.1f}, "
            f"p95={self.response_time['p95']}, passed={self.passed})"
        )

    def observed_metrics(self, operation: str | None = None) -> dict[str, float]:
        """Budget metric names for the whole run, or for one label (``operation``)."""
        if operation is None:
            source = self._data
        else:
            try:
                source = self._data["labels"][operation]
            except KeyError:
                raise KeyError(f"no requests were labelled {operation!r}") from None
        return _observed(source)

    @property
    def total_requests(self) -> int:
        return int(self._data["total_requests"])

    @property
    def successful_requests(self) -> int:
        return int(self._data["successful_requests"])

    @property
    def failed_requests(self) -> int:
        return int(self._data["failed_requests"])

    @property
    def error_rate(self) -> float:
        return float(self._data["error_rate"])

    @property
    def throughput_rps(self) -> float:
        return float(self._data["throughput_rps"])

    @property
    def response_time(self) -> dict[str, float | None]:
        return dict(self._data["response_time"])

    @property
    def warnings(self) -> list[str]:
        return list(self._data["warnings"])

    @property
    def thresholds(self) -> BudgetReport | None:
        """The budget check, or None when the run had no thresholds."""
        return self._budget_report

    @property
    def passed(self) -> bool:
        return self._budget_report is None or bool(self._budget_report.passed)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._data))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self._data, indent=indent)

    def summary(self) -> str:
        """A few human-readable lines: counts, rate, latency, errors, thresholds, warnings."""
        d = self._data
        rt = d["response_time"]

        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value * 1000:.1f}ms"

        lines = [
            f"{d['model']} model, {d['duration_s']:.1f}s: {d['total_requests']} requests, "
            f"{d['failed_requests']} failed ({d['error_rate']:.2%}), "
            f"{d['throughput_rps']:.1f} req/s",
            "latency (successful): "
            + ", ".join(f"{k} {ms(rt[k])}" for k in ("min", "median", "p95", "p99", "max")),
        ]
        for name, entry in d["errors"].items():
            lines.append(f"error {name}: {entry['count']} (e.g. {entry['examples'][0]!r})")
        if self._budget_report is not None:
            lines.append(str(self._budget_report))
        lines.extend(f"warning: {w}" for w in d["warnings"])
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# the load tester


def _call_style(test_func: TestFunc) -> bool:
    """True for ``test_func(user_id, request_id)`` as in the sketch, False for ``test_func()``."""
    try:
        signature = inspect.signature(test_func)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(0, 0)
    except TypeError:
        pass
    else:
        return True
    try:
        signature.bind()
    except TypeError as exc:
        raise TypeError("test_func must accept (user_id, request_id) or no arguments") from exc
    return False


def _normalise_stages(stages: Sequence[Stage]) -> list[tuple[float, int]]:
    result = []
    for item in stages:
        try:
            duration, users = item
        except (TypeError, ValueError):
            raise ValueError(f"stage {item!r} must be a (duration, users) pair") from None
        seconds = parse_duration(duration)
        if isinstance(users, bool) or not isinstance(users, int) or users < 0:
            raise ValueError(f"stage {item!r}: users must be an int >= 0")
        result.append((seconds, users))
    if not result:
        raise ValueError("stages must not be empty")
    return result


def _stage_points(stages: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """Times at which the user count changes, ramping linearly within each stage (k6 style)."""
    points: list[tuple[float, int]] = []
    begin, current = 0.0, 0  # a profile starts with no users
    for duration, target in stages:
        step = 1 if target > current else -1
        delta = abs(target - current)
        if duration == 0 or delta == 0:
            if delta:
                points.append((begin, target))
        else:
            # ramping up, user k joins at the start of its slice; ramping down, the k-th leaves
            # at the end of its slice, so the stage's last user stops at the stage's end
            for k in range(delta):
                offset = k if step > 0 else k + 1
                points.append((begin + duration * offset / delta, current + step * (k + 1)))
        begin += duration
        current = target
    return points


class LoadTester:
    """Generates load against an async callable and reports latency, throughput and errors.

    Parameters:
        thresholds: default pass/fail budget (a ``PerformanceBudget`` or a mapping of limits such
            as ``{"response_time_p95": 0.5, "error_rate": 0.01, "throughput_rps": 100}``).
        progress: ``None`` shows a live line only when ``stream`` is a terminal; ``False``
            silences it; ``True`` forces it.
        stream: where the progress line goes (stderr by default).
        clock: monotonic clock in seconds (injectable for tests).
        lag_warning: event-loop lag (seconds, p99) above which the generator is reported as the
            bottleneck.
        graceful_stop: seconds in-flight requests get to finish once a timed run ends; the rest
            are cancelled and counted as ``interrupted_requests``.
    """

    def __init__(
        self,
        *,
        thresholds: Thresholds | None = None,
        progress: bool | None = None,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
        lag_warning: float = 0.05,
        graceful_stop: float = 10.0,
    ) -> None:
        self.thresholds = thresholds
        self.progress = progress
        self.stream = stream
        self.clock = clock
        self.lag_warning = lag_warning
        self.graceful_stop = graceful_stop

    async def run_load_test(
        self,
        test_func: TestFunc,
        concurrent_users: int = 10,
        requests_per_user: int | None = None,
        ramp_up_time: float | str = 0.0,
        *,
        duration: float | str | None = None,
        stages: Sequence[Stage] | None = None,
        target_rps: float | None = None,
        thresholds: Thresholds | None = None,
        label: str | None = None,
    ) -> LoadTestResult:
        """Run one load test and return its result.

        Models (pick one):
            closed, by count: ``concurrent_users`` users each run ``requests_per_user`` requests
                (100 when nothing else bounds the run), starting evenly over ``ramp_up_time``;
            closed, timed: the same users loop until ``duration`` ends (``requests_per_user``,
                if given, still caps each user);
            staged: ``stages=[("30s", 50), ("60s", 50), ("10s", 0)]`` ramps the user count
                linearly to each stage's target over the stage's duration;
            open: ``target_rps`` requests per second start on schedule for ``duration`` seconds,
                run by at most ``concurrent_users`` virtual users at a time; latency counts from
                the scheduled start.

        ``test_func`` is awaited as ``test_func(user_id, request_id)`` or ``test_func()``; an
        exception marks the request failed. It may call :func:`set_label` to name the operation.
        """
        if isinstance(concurrent_users, bool) or not isinstance(concurrent_users, int):
            raise TypeError("concurrent_users must be an int")
        if concurrent_users < 0:
            raise ValueError("concurrent_users must be >= 0")
        if requests_per_user is not None and requests_per_user < 0:
            raise ValueError("requests_per_user must be >= 0")
        ramp = parse_duration(ramp_up_time)
        run_duration = None if duration is None else parse_duration(duration)
        stage_list = None if stages is None else _normalise_stages(stages)
        if stage_list is not None and (run_duration is not None or target_rps is not None):
            raise ValueError("stages cannot be combined with duration or target_rps")
        if target_rps is not None:
            if not target_rps > 0 or not math.isfinite(target_rps):
                raise ValueError("target_rps must be a positive number")
            if run_duration is None:
                raise ValueError("the open model (target_rps) needs a duration")
            if requests_per_user is not None:
                raise ValueError("requests_per_user does not apply to the open model")
        passes_ids = _call_style(test_func)
        default_label = label or getattr(test_func, "__name__", None) or "request"
        if default_label == "<lambda>":
            default_label = "request"

        if stage_list is not None:
            model = "staged"
        elif target_rps is not None:
            model = "open"
        else:
            model = "closed"
        config: dict[str, Any] = {
            "concurrent_users": concurrent_users,
            "requests_per_user": requests_per_user,
            "ramp_up_time": ramp,
            "duration": run_duration,
            "stages": stage_list,
            "target_rps": target_rps,
        }
        run = _Run(self.clock, default_label, open_model=model == "open")
        warnings: list[str] = []
        peak_users = max((u for _, u in stage_list), default=0) if stage_list else concurrent_users
        if peak_users == 0:
            warnings.append("no users: nothing was run")
            run.end = run.t0
        else:
            engine = _Engine(self, run, test_func, passes_ids)
            monitor = asyncio.ensure_future(engine.monitor())
            try:
                if model == "open":
                    assert run_duration is not None and target_rps is not None
                    await engine.open_model(concurrent_users, target_rps, run_duration)
                else:
                    if stage_list is not None:
                        points = _stage_points(stage_list)
                        deadline: float | None = sum(d for d, _ in stage_list)
                        limit = requests_per_user
                    else:
                        points = [
                            (ramp * i / concurrent_users, i + 1) for i in range(concurrent_users)
                        ]
                        deadline = run_duration
                        if requests_per_user is None and run_duration is None:
                            limit = 100
                        else:
                            limit = requests_per_user
                    await engine.closed_model(points, deadline, limit)
            finally:
                run.end = self.clock()
                monitor.cancel()
                await asyncio.gather(monitor, return_exceptions=True)
                engine.finish_progress()
        return self._result(run, model, config, warnings, thresholds)

    def _result(
        self,
        run: _Run,
        model: str,
        config: dict[str, Any],
        warnings: list[str],
        thresholds: Thresholds | None,
    ) -> LoadTestResult:
        end = run.end if run.end is not None else run.clock()
        elapsed = max(end - run.t0, 0.0)
        overall = LatencyHistogram()
        for stats in run.labels.values():
            overall.merge(stats.histogram)
        total = run.completed
        failed = run.failed
        throughput = total / elapsed if elapsed > 0 else 0.0
        lag_p99 = run.loop_lag.percentile(99)
        if run.loop_lag.count and lag_p99 > self.lag_warning:
            warnings.append(
                f"the load generator is a bottleneck: its event loop lagged {lag_p99 * 1000:.0f}ms"
                " (p99) while generating, so latencies include client-side delay; use fewer "
                "users per process, more processes, or a distributed engine (docs/loadtest.md)"
            )
        if run.dropped:
            warnings.append(
                f"{run.dropped} scheduled requests never started before the run ended: "
                "the target (or the generator) could not keep up with target_rps"
            )
        if run.interrupted:
            warnings.append(
                f"{run.interrupted} requests were still running {self.graceful_stop:g}s after "
                "the run ended and were cancelled (not counted)"
            )
        data: dict[str, Any] = {
            "model": model,
            "started_at": run.started_at,
            "total_requests": total,
            "successful_requests": total - failed,
            "failed_requests": failed,
            "error_rate": failed / total if total else 0.0,
            "throughput_rps": throughput,
            "duration_s": elapsed,
            "peak_users": run.peak_users,
            "response_time": _latency_summary(overall),
            "failed_response_time": _latency_summary(run.failed_latency),
            "labels": {
                name: {
                    "requests": stats.requests,
                    "failed": stats.failures,
                    "error_rate": stats.failures / stats.requests if stats.requests else 0.0,
                    "throughput_rps": stats.requests / elapsed if elapsed > 0 else 0.0,
                    "response_time": _latency_summary(stats.histogram),
                }
                for name, stats in sorted(run.labels.items())
            },
            "errors": {
                name: {"count": entry[0], "examples": entry[1]}
                for name, entry in sorted(run.errors.items(), key=lambda item: -item[1][0])
            },
            "timeseries": [
                {
                    "second": index,
                    "requests": second.requests,
                    "failures": second.failures,
                    "users": second.users,
                    "p50": second.histogram.percentile(50) if second.histogram.count else None,
                    "p95": second.histogram.percentile(95) if second.histogram.count else None,
                    "p99": second.histogram.percentile(99) if second.histogram.count else None,
                }
                for index, second in enumerate(run.seconds)
            ],
            "latency_distribution": _distribution(overall),
            "loop_lag": {
                "samples": run.loop_lag.count,
                "p50": run.loop_lag.percentile(50),
                "p99": lag_p99,
                "max": run.loop_lag.max,
            },
            "interrupted_requests": run.interrupted,
            "config": config,
            "warnings": warnings,
        }
        if run.service_time is not None:
            data["service_time"] = _latency_summary(run.service_time)
            data["dropped_requests"] = run.dropped
        budget_spec = thresholds if thresholds is not None else self.thresholds
        report = None
        if budget_spec is not None:
            report = _check_thresholds(budget_spec, data)
            data["thresholds"] = report.to_dict()
        data["passed"] = report is None or bool(report.passed)
        return LoadTestResult(data, report)


def _observed(data: Mapping[str, Any]) -> dict[str, float]:
    """Budget metrics (see ``budgets.KNOWN_METRICS``) from a result or one label's entry."""
    observed: dict[str, float] = {
        "error_rate": data["error_rate"],
        "throughput_rps": data["throughput_rps"],
    }
    rt = data["response_time"]
    # with no successful request there is no latency to check; an error-rate limit catches it
    for metric, key in (
        ("response_time_p50", "median"),
        ("response_time_p95", "p95"),
        ("response_time_p99", "p99"),
        ("api_response_time_p95", "p95"),
        ("response_time_mean", "mean"),
        ("response_time_max", "max"),
    ):
        if rt[key] is not None:
            observed[metric] = rt[key]
    return observed


#: every metric a load-test result supplies to a budget
THRESHOLD_METRICS = (
    "response_time_p50",
    "response_time_p95",
    "response_time_p99",
    "api_response_time_p95",
    "response_time_mean",
    "response_time_max",
    "error_rate",
    "throughput_rps",
)
#: short names accepted in a thresholds mapping (and by the CLI), mapped to metric names
THRESHOLD_ALIASES = {
    "p50": "response_time_p50",
    "median": "response_time_p50",
    "p95": "response_time_p95",
    "p99": "response_time_p99",
    "mean": "response_time_mean",
    "max": "response_time_max",
    "rps": "throughput_rps",
    "throughput": "throughput_rps",
    "errors": "error_rate",
}


def _check_thresholds(spec: Thresholds, data: Mapping[str, Any]) -> BudgetReport:
    """Check the run against a ``PerformanceBudget`` (built from a mapping if needed).

    A plain mapping may use the short names of ``THRESHOLD_ALIASES`` (``p95``, ``rps``, ...)
    and is checked strictly: a limit the run could not measure (no successful
    request so no p95, or a misspelt metric) fails, since a CI gate must not pass a run that
    produced nothing to judge. A ``PerformanceBudget`` object keeps its own ``strict`` setting.
    """
    from .budgets import PerformanceBudget

    if isinstance(spec, PerformanceBudget):
        return spec.check(_observed(data))
    limits = {THRESHOLD_ALIASES.get(name, name): limit for name, limit in spec.items()}
    return PerformanceBudget(limits, strict=True).check(_observed(data))


class _Engine:
    """Runs the users of one load test against ``test_func`` and records into a ``_Run``."""

    def __init__(self, tester: LoadTester, run: _Run, test_func: TestFunc, ids: bool) -> None:
        self.tester = tester
        self.run = run
        self.func = test_func
        self.ids = ids
        self.target_users = 0
        self.stopping = False
        self.running: dict[int, asyncio.Task[None]] = {}
        self.finished: set[int] = set()
        stream = tester.stream if tester.stream is not None else sys.stderr
        self.stream = stream
        show = tester.progress
        if show is None:
            isatty = getattr(stream, "isatty", None)
            show = bool(isatty and isatty())
        self.show_progress = show
        self.progress_written = False

    # -- closed and staged models ------------------------------------------------------------

    async def closed_model(
        self, points: list[tuple[float, int]], deadline: float | None, limit: int | None
    ) -> None:
        run = self.run
        for at, users in points:
            delay = run.t0 + at - run.clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if deadline is not None and at >= deadline:
                break
            self._set_users(users, limit)
        if deadline is not None:
            delay = run.t0 + deadline - run.clock()
            if delay > 0 and self.running:
                await self._wait_running(delay)
            self.stopping = True
            await self._drain(self.tester.graceful_stop)
        else:
            await self._drain(None)

    def _set_users(self, users: int, limit: int | None) -> None:
        self.target_users = users
        for index in range(users):
            if index not in self.running and index not in self.finished:
                task = asyncio.ensure_future(self._user(index, limit))
                self.running[index] = task

    async def _wait_running(self, timeout: float) -> None:
        """Sleep ``timeout`` seconds, or less if every user is done (count-capped runs)."""
        await asyncio.wait(list(self.running.values()), timeout=timeout)

    async def _drain(self, timeout: float | None) -> None:
        tasks = list(self.running.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            self.run.interrupted += len(pending)
            await asyncio.gather(*pending, return_exceptions=True)

    async def _user(self, index: int, limit: int | None) -> None:
        run = self.run
        clock = run.clock
        func = self.func
        ids = self.ids
        request_id = 0
        run.active_users += 1
        if run.active_users > run.peak_users:
            run.peak_users = run.active_users
        try:
            while index < self.target_users and not self.stopping:
                if limit is not None and request_id >= limit:
                    self.finished.add(index)
                    break
                start = clock()
                try:
                    if ids:
                        await func(index, request_id)
                    else:
                        await func()
                except Exception as exc:  # a failed request, not a failed run
                    run.failure(start, clock(), exc)
                else:
                    run.success(start, clock())
                request_id += 1
        finally:
            run.active_users -= 1
            del self.running[index]

    # -- open model ----------------------------------------------------------------------------

    async def open_model(self, workers: int, rate: float, duration: float) -> None:
        run = self.run
        scheduled_total = max(1, math.ceil(rate * duration))
        interval = 1.0 / rate
        deadline = run.t0 + duration
        state = {"next": 0}

        async def worker(index: int) -> None:
            clock = run.clock
            func = self.func
            ids = self.ids
            service = run.service_time
            assert service is not None
            t0 = run.t0
            while True:
                slot = state["next"]
                if slot >= scheduled_total or clock() >= deadline:
                    return
                state["next"] = slot + 1
                scheduled = t0 + slot * interval
                delay = scheduled - clock()
                if delay > 0:
                    await asyncio.sleep(delay)
                run.in_flight += 1
                start = clock()
                try:
                    if ids:
                        await func(index, slot)
                    else:
                        await func()
                except Exception as exc:
                    end = clock()
                    run.failure(scheduled, end, exc)
                else:
                    end = clock()
                    run.success(scheduled, end)
                    service.record(end - start)
                finally:
                    run.in_flight -= 1

        tasks = [asyncio.ensure_future(worker(i)) for i in range(workers)]
        run.active_users = run.peak_users = workers
        done, pending = await asyncio.wait(tasks, timeout=duration + self.tester.graceful_stop)
        for task in pending:
            task.cancel()
        if pending:
            self.run.interrupted += len(pending)
            await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()  # surface bugs in the engine itself
        run.dropped = scheduled_total - state["next"]
        run.active_users = 0

    # -- monitoring: loop lag, users per second, progress line ------------------------------------

    async def monitor(self, interval: float = 0.05, progress_every: float = 0.5) -> None:
        """Sample event-loop lag and active users; redraw the progress line on a terminal."""
        run = self.run
        clock = run.clock
        next_progress = clock() + progress_every
        open_model = run.service_time is not None
        while True:
            before = clock()
            await asyncio.sleep(interval)
            now = clock()
            run.loop_lag.record(max(now - before - interval, 0.0))
            run.sample_users(run.in_flight if open_model else run.active_users)
            if self.show_progress and now >= next_progress:
                next_progress = now + progress_every
                self._draw_progress(now)

    def _draw_progress(self, now: float) -> None:
        run = self.run
        elapsed = now - run.t0
        seconds = run.seconds
        # the last complete second gives a steady rate; fall back to the average early on
        if len(seconds) >= 2:
            recent = seconds[-2]
            rps = float(recent.requests)
            p95 = recent.histogram.percentile(95) if recent.histogram.count else 0.0
        else:
            rps = run.completed / elapsed if elapsed > 0 else 0.0
            p95 = (
                seconds[-1].histogram.percentile(95)
                if seconds and seconds[-1].histogram.count
                else 0.0
            )
        total = run.completed
        errors = run.failed / total if total else 0.0
        users = run.in_flight if run.service_time is not None else run.active_users
        line = (
            f"\r{elapsed:7.1f}s  users {users:5d}  rps {rps:8.1f}  "
            f"p95 {p95 * 1000:8.1f}ms  errors {errors:6.2%}  requests {total}"
        )
        self.stream.write(line)
        self.stream.flush()
        self.progress_written = True

    def finish_progress(self) -> None:
        if self.progress_written:
            self.stream.write("\n")
            self.stream.flush()
