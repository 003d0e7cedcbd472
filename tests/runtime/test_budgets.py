"""PerformanceBudget: bounds, unmeasured metrics, strict mode, reports and the pytest helper."""

from __future__ import annotations

import dataclasses

import pytest

from agentperf_lint.runtime.budgets import (
    BudgetReport,
    PerformanceBudget,
    assert_within_budget,
    bound_of,
)

GUIDE_BUDGETS = {
    "api_response_time_p95": 1.0,
    "memory_per_request": 50,
    "tokens_per_request": 1000,
}


class FakeProfiler:
    def __init__(self, metrics: dict[str, float]) -> None:
        self.metrics = metrics
        self.asked: list[str | None] = []

    def observed_metrics(self, operation: str | None = None) -> dict[str, float]:
        self.asked.append(operation)
        return self.metrics


def test_guide_mapping_passes_when_within_limits() -> None:
    report = PerformanceBudget(GUIDE_BUDGETS).check(
        {
            "api_response_time_p95": 0.4,
            "memory_per_request": 12.0,
            "tokens_per_request": 1000,
        }
    )
    assert report.passed
    assert report.failures == ()
    assert [c.metric for c in report.checks] == list(GUIDE_BUDGETS)
    assert all(c.bound == "max" for c in report.checks)


def test_upper_bound_exceeded_fails() -> None:
    report = PerformanceBudget(GUIDE_BUDGETS).check(
        {
            "api_response_time_p95": 1.5,
            "memory_per_request": 10,
            "tokens_per_request": 1001,
        }
    )
    assert not report.passed
    assert [c.metric for c in report.failures] == [
        "api_response_time_p95",
        "tokens_per_request",
    ]
    failed = report.failures[0]
    assert (failed.limit, failed.observed, failed.passed) == (1.0, 1.5, False)


def test_lower_bounds_for_throughput_and_min_prefix() -> None:
    assert bound_of("throughput_rps") == "min"
    assert bound_of("min_cache_hit_rate") == "min"
    assert bound_of("error_rate") == "max"
    budget = PerformanceBudget({"throughput_rps": 100, "min_cache_hit_rate": 0.8})
    assert not budget.check({"throughput_rps": 99.0, "cache_hit_rate": 0.9}).passed
    assert budget.check({"throughput_rps": 150.0, "cache_hit_rate": 0.9}).passed


def test_prefixed_names_fall_back_to_the_plain_metric() -> None:
    budget = PerformanceBudget({"max_error_rate": 0.01, "min_throughput_rps": 10})
    report = budget.check({"error_rate": 0.05, "throughput_rps": 20})
    assert [(c.metric, c.observed, c.passed) for c in report.checks] == [
        ("max_error_rate", 0.05, False),
        ("min_throughput_rps", 20.0, True),
    ]


def test_missing_metric_is_not_measured_unless_strict() -> None:
    budget = PerformanceBudget({"error_rate": 0.1, "custom_unknown_metric": 3})
    lenient = budget.check({"error_rate": 0.0})
    assert lenient.passed
    assert [c.metric for c in lenient.not_measured] == ["custom_unknown_metric"]
    assert lenient.checks[1].observed is None
    strict = budget.check({"error_rate": 0.0}, strict=True)
    assert not strict.passed
    assert [c.metric for c in strict.failures] == ["custom_unknown_metric"]
    assert not PerformanceBudget({"x": 1}, strict=True).check({}).passed


def test_unknown_metric_is_checked_when_observed() -> None:
    assert not PerformanceBudget({"queue_depth": 5}).check({"queue_depth": 6}).passed


def test_report_is_frozen_and_serialisable() -> None:
    report = PerformanceBudget({"error_rate": 0.1}).check({"error_rate": 0.2})
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.passed = True  # type: ignore[misc]
    assert report.to_dict() == {
        "passed": False,
        "strict": False,
        "checks": [
            {
                "metric": "error_rate",
                "limit": 0.1,
                "observed": 0.2,
                "passed": False,
                "bound": "max",
            }
        ],
    }


def test_str_is_a_readable_table() -> None:
    report = PerformanceBudget(
        {"error_rate": 0.1, "throughput_rps": 5, "tokens": 9}
    ).check({"error_rate": 0.2, "throughput_rps": 7})
    text = str(report)
    lines = text.splitlines()
    assert lines[0] == "Performance budget: 1 over budget"
    assert lines[1].split() == ["metric", "bound", "limit", "observed", "status"]
    assert lines[3].split() == ["error_rate", "<=", "0.1", "0.2", "FAIL"]
    assert lines[4].split() == ["throughput_rps", ">=", "5", "7", "ok"]
    assert "not measured" in lines[5]


def test_check_profiler_uses_observed_metrics() -> None:
    profiler = FakeProfiler({"response_time_p95": 0.2, "api_response_time_p95": 0.2})
    report = PerformanceBudget({"api_response_time_p95": 0.1}).check_profiler(
        profiler, "a:op"
    )
    assert profiler.asked == ["a:op"]
    assert not report.passed


def test_assert_within_budget_accepts_reports_profilers_and_mappings() -> None:
    budget = PerformanceBudget({"error_rate": 0.1})
    ok = assert_within_budget({"error_rate": 0.0}, budget)
    assert isinstance(ok, BudgetReport)
    assert assert_within_budget(
        FakeProfiler({"error_rate": 0.05}), {"error_rate": 0.1}
    ).passed
    with pytest.raises(AssertionError) as excinfo:
        assert_within_budget(budget.check({"error_rate": 0.5}), budget)
    assert "error_rate" in str(excinfo.value)
    assert "FAIL" in str(excinfo.value)


def test_nan_limit_is_rejected() -> None:
    with pytest.raises(ValueError):
        PerformanceBudget({"error_rate": float("nan")})
