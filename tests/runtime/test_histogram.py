"""LatencyHistogram: bounded memory, percentiles within 1% of the exact nearest-rank value."""

from __future__ import annotations

import math
import random

import pytest

from agentperf_lint.runtime._histogram import LatencyHistogram


def exact_percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def test_empty_histogram_reports_zeros() -> None:
    hist = LatencyHistogram()
    assert (hist.count, hist.min, hist.max, hist.mean) == (0, 0.0, 0.0, 0.0)
    assert hist.percentile(99) == 0.0
    assert hist.to_dict()["p50"] == 0.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_percentiles_within_one_percent(seed: int) -> None:
    rng = random.Random(seed)
    # lognormal latencies spanning microseconds to seconds
    samples = [math.exp(rng.gauss(-7, 3)) for _ in range(20_000)]
    hist = LatencyHistogram()
    for value in samples:
        hist.record(value)
    for p in (1, 10, 25, 50, 75, 90, 95, 99, 99.9):
        expected = exact_percentile(samples, p)
        assert abs(hist.percentile(p) - expected) <= 0.01 * expected + 1e-12, p
    assert hist.min == min(samples)
    assert hist.max == max(samples)
    assert hist.percentile(0) == min(samples)
    assert hist.percentile(100) == max(samples)
    assert hist.mean == pytest.approx(sum(samples) / len(samples))


def test_size_is_fixed_whatever_the_sample_count() -> None:
    hist = LatencyHistogram()
    size = len(hist._buckets)
    for i in range(10_000):
        hist.record(i * 1e-4)
    assert len(hist._buckets) == size
    assert size < 2_000


def test_zero_and_out_of_range_values_keep_exact_extremes() -> None:
    hist = LatencyHistogram()
    for value in (0.0, 0.0, 1e-12, 5.0, 1e7):
        hist.record(value)
    assert hist.count == 5
    assert hist.percentile(40) == 0.0
    assert hist.max == 1e7
    assert hist.percentile(100) == 1e7
    assert hist.percentile(99) <= 1e7


def test_single_sample_is_exact() -> None:
    hist = LatencyHistogram()
    hist.record(0.123)
    assert hist.percentile(50) == 0.123


def test_merge_equals_recording_everything_in_one() -> None:
    rng = random.Random(7)
    a, b, both = LatencyHistogram(), LatencyHistogram(), LatencyHistogram()
    for i in range(2_000):
        value = rng.uniform(0.001, 0.5)
        (a if i % 2 else b).record(value)
        both.record(value)
    a.merge(b)
    assert a.to_dict() == pytest.approx(both.to_dict())


def test_merge_rejects_different_layouts() -> None:
    with pytest.raises(ValueError):
        LatencyHistogram().merge(LatencyHistogram(relative_accuracy=0.05))


@pytest.mark.parametrize("p", [-1, 100.5])
def test_percentile_range_is_checked(p: float) -> None:
    with pytest.raises(ValueError):
        LatencyHistogram().percentile(p)


def test_to_dict_keys() -> None:
    hist = LatencyHistogram()
    hist.record(0.5)
    assert set(hist.to_dict()) == {
        "count",
        "total",
        "min",
        "max",
        "mean",
        "p50",
        "p90",
        "p95",
        "p99",
    }


@pytest.mark.parametrize("seed", [4, 5])
def test_record_many_matches_record(seed: int) -> None:
    rng = random.Random(seed)
    samples = [math.exp(rng.gauss(-7, 3)) for _ in range(5_000)] + [0.0, 1e-12, 1e6]
    one, many = LatencyHistogram(), LatencyHistogram()
    for value in samples:
        one.record(value)
    for start in range(0, len(samples), 700):
        many.record_many(samples[start : start + 700])
    assert (many.count, many.min, many.max) == (one.count, one.min, one.max)
    assert many.total == pytest.approx(one.total)
    for p in (1, 25, 50, 90, 99, 99.9):
        expected = exact_percentile(samples, p)
        assert abs(many.percentile(p) - expected) <= 0.01 * expected + 1e-12, p
    many.record_many([])
    assert many.count == len(samples)
