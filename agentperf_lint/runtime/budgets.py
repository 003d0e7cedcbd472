"""Performance budgets: declared limits checked against measured statistics.

The origin guide declares ``PERFORMANCE_BUDGETS = {"api_response_time_p95": 1.0, ...}`` and never
enforces it. :class:`PerformanceBudget` takes that mapping as is and checks it against any mapping
of observed values, against a :class:`~agentperf_lint.runtime.PerformanceProfiler` (or any object
with ``observed_metrics(operation)``, such as a load-test result), and in pytest through
:func:`assert_within_budget`.

Direction of a limit: every metric is an upper bound (``observed <= limit``) except
``throughput_rps`` and names starting with ``min_``, which are lower bounds. Names starting with
``min_``/``max_`` are looked up in the observed values first as written, then without the prefix,
so ``{"min_throughput_rps": 50}`` and ``{"max_error_rate": 0.01}`` read naturally. Unknown names
are allowed: they are checked when the observed mapping has them and reported "not measured"
otherwise. Units follow the guide: seconds for times, MB (MiB) for memory, a fraction for rates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "KNOWN_METRICS",
    "BudgetCheck",
    "BudgetReport",
    "PerformanceBudget",
    "SupportsObservedMetrics",
    "assert_within_budget",
]

Bound = Literal["max", "min"]

#: Metrics the profiler and the load tester report, with their unit. Other names are allowed.
KNOWN_METRICS: Mapping[str, str] = {
    "api_response_time_p95": "seconds, 95th percentile latency (alias of response_time_p95)",
    "response_time_p50": "seconds, median latency",
    "response_time_p95": "seconds, 95th percentile latency",
    "response_time_p99": "seconds, 99th percentile latency",
    "response_time_mean": "seconds, mean latency",
    "response_time_max": "seconds, slowest call",
    "error_rate": "fraction of calls that raised, 0..1",
    "throughput_rps": "calls per second over the measured span (lower bound)",
    "tokens_per_request": "mean tokens_used per call",
    "memory_per_request": "MB, mean RSS growth per call (profile with track_memory=True)",
}

_LOWER_BOUND_METRICS = frozenset({"throughput_rps"})


@runtime_checkable
class SupportsObservedMetrics(Protocol):
    """Anything that can describe what it measured with budget metric names."""

    def observed_metrics(self, operation: str | None = None) -> dict[str, float]: ...


def bound_of(metric: str) -> Bound:
    """``"min"`` for lower-bound metrics (``min_*``, ``throughput_rps``), else ``"max"``."""
    if metric.startswith("min_") or metric in _LOWER_BOUND_METRICS:
        return "min"
    return "max"


def _lookup(observed: Mapping[str, float], metric: str) -> float | None:
    if metric in observed:
        return float(observed[metric])
    if metric.startswith(("min_", "max_")) and metric[4:] in observed:
        return float(observed[metric[4:]])
    return None


@dataclass(frozen=True, slots=True)
class BudgetCheck:
    """One metric compared with its limit; ``observed`` is ``None`` when it was not measured."""

    metric: str
    limit: float
    observed: float | None
    passed: bool
    bound: Bound

    @property
    def status(self) -> str:
        if self.observed is None:
            return "ok (not measured)" if self.passed else "FAIL (not measured)"
        return "ok" if self.passed else "FAIL"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "limit": self.limit,
            "observed": self.observed,
            "passed": self.passed,
            "bound": self.bound,
        }


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """The outcome of :meth:`PerformanceBudget.check`: one :class:`BudgetCheck` per limit."""

    passed: bool
    checks: tuple[BudgetCheck, ...]
    strict: bool = False

    @property
    def failures(self) -> tuple[BudgetCheck, ...]:
        return tuple(check for check in self.checks if not check.passed)

    @property
    def not_measured(self) -> tuple[BudgetCheck, ...]:
        return tuple(check for check in self.checks if check.observed is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "strict": self.strict,
            "checks": [check.to_dict() for check in self.checks],
        }

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        header = ("metric", "bound", "limit", "observed", "status")
        rows = [
            (
                check.metric,
                "<=" if check.bound == "max" else ">=",
                f"{check.limit:.6g}",
                "-" if check.observed is None else f"{check.observed:.6g}",
                check.status,
            )
            for check in self.checks
        ]
        widths = [
            max(len(row[i]) for row in (header, *rows)) for i in range(len(header))
        ]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
            for row in (header, *rows)
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        verdict = (
            "within budget" if self.passed else f"{len(self.failures)} over budget"
        )
        return f"Performance budget: {verdict}\n" + "\n".join(lines)


class PerformanceBudget:
    """Limits keyed by metric name, e.g. the guide's ``PERFORMANCE_BUDGETS`` mapping."""

    __slots__ = ("limits", "strict")

    def __init__(self, limits: Mapping[str, float], *, strict: bool = False) -> None:
        checked: dict[str, float] = {}
        for metric, limit in limits.items():
            value = float(limit)
            if math.isnan(value):
                raise ValueError(f"budget limit for {metric!r} is NaN")
            checked[metric] = value
        self.limits: Mapping[str, float] = checked
        #: when true, a metric missing from the observations fails instead of being skipped
        self.strict = strict

    def check(
        self, observed: Mapping[str, float], *, strict: bool | None = None
    ) -> BudgetReport:
        """Compare ``observed`` with every limit; unmeasured metrics fail only when strict."""
        strict = self.strict if strict is None else strict
        checks = []
        for metric, limit in self.limits.items():
            bound = bound_of(metric)
            value = _lookup(observed, metric)
            if value is None:
                passed = not strict
            elif bound == "max":
                passed = value <= limit
            else:
                passed = value >= limit
            checks.append(BudgetCheck(metric, limit, value, passed, bound))
        return BudgetReport(all(c.passed for c in checks), tuple(checks), strict)

    def check_profiler(
        self,
        profiler: SupportsObservedMetrics,
        operation: str | None = None,
        *,
        strict: bool | None = None,
    ) -> BudgetReport:
        """Check the statistics a profiler recorded (all operations, or one: ``"agent:op"``)."""
        return self.check(profiler.observed_metrics(operation), strict=strict)

    def __repr__(self) -> str:
        return f"PerformanceBudget({dict(self.limits)!r}, strict={self.strict})"


def assert_within_budget(
    report_or_profiler: BudgetReport | SupportsObservedMetrics | Mapping[str, float],
    budget: PerformanceBudget | Mapping[str, float],
    *,
    operation: str | None = None,
) -> BudgetReport:
    """Raise ``AssertionError`` with the budget table when any check fails; return the report.

    Accepts a finished :class:`BudgetReport`, a profiler (or anything with
    ``observed_metrics()``), or a plain mapping of observed values.
    """
    if not isinstance(budget, PerformanceBudget):
        budget = PerformanceBudget(budget)
    if isinstance(report_or_profiler, BudgetReport):
        report = report_or_profiler
    elif isinstance(report_or_profiler, Mapping):
        report = budget.check(report_or_profiler)
    else:
        report = budget.check_profiler(report_or_profiler, operation)
    if not report.passed:
        raise AssertionError(str(report))
    return report
