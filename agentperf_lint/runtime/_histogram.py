"""Fixed-size latency histogram with logarithmic buckets.

Keeping every sample (the origin sketch's growing list) costs memory proportional to traffic and
an O(n log n) sort per percentile. Logarithmic buckets bound both: bucket ``k`` covers
``[gamma**k, gamma**(k+1))`` with ``gamma = (1 + a) / (1 - a)`` and reports the point
``2 * gamma**(k+1) / (gamma + 1)``, which is within a relative error ``a`` of every value in the
bucket (the DDSketch construction). With the default ``a = 0.01`` the range 1 ns .. 1e5 s (about 28
hours) needs ~1,600 counters, whatever the number of samples. Exact ``min``/``max``/``mean`` are
tracked beside the buckets and percentiles are clamped to ``[min, max]``.

Not thread-safe by itself: callers that record from several threads hold their own lock (the
profiler and the load tester do).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

__all__ = ["LatencyHistogram"]

_log = math.log


class LatencyHistogram:
    """Counts durations in seconds; answers percentiles within ``relative_accuracy``."""

    __slots__ = (
        "_accuracy",
        "_buckets",
        "_gamma",
        "_highest",
        "_inv_log_gamma",
        "_lowest",
        "_max",
        "_min",
        "_shift",
        "_zero",
        "count",
        "total",
    )

    def __init__(
        self,
        relative_accuracy: float = 0.01,
        lowest: float = 1e-9,
        highest: float = 1e5,
    ) -> None:
        if not 0.0 < relative_accuracy < 1.0:
            raise ValueError("relative_accuracy must be in (0, 1)")
        if not 0.0 < lowest < highest:
            raise ValueError("need 0 < lowest < highest")
        self._accuracy = relative_accuracy
        self._lowest = lowest
        self._highest = highest
        self._gamma = (1.0 + relative_accuracy) / (1.0 - relative_accuracy)
        self._inv_log_gamma = 1.0 / _log(self._gamma)
        # shift makes the bucket index of ``lowest`` zero, so int() below is a floor
        self._shift = -math.floor(_log(lowest) * self._inv_log_gamma)
        size = math.floor(_log(highest) * self._inv_log_gamma) + self._shift + 1
        self._buckets = [0] * size
        self._zero = 0  # samples below ``lowest`` (including 0.0)
        self.count = 0
        self.total = 0.0
        self._min = math.inf
        self._max = -math.inf

    def record(self, seconds: float) -> None:
        """Add one sample. Values above ``highest`` land in the last bucket (max stays exact)."""
        if seconds >= self._lowest:
            try:
                self._buckets[
                    int(_log(seconds) * self._inv_log_gamma + self._shift)
                ] += 1
            except IndexError:
                self._buckets[-1] += 1
        else:
            self._zero += 1
        self.count += 1
        self.total += seconds
        # comparisons, not min()/max(): a call costs more than the rest of this hot path
        if seconds < self._min:  # noqa: PLR1730
            self._min = seconds
        if seconds > self._max:  # noqa: PLR1730
            self._max = seconds

    def record_many(self, values: Iterable[float]) -> None:
        """Add many samples at once: one C-level sort, then one log per bucket touched.

        Latencies cluster in a few buckets, so this costs far less per sample than
        :meth:`record`; the profiler folds its buffered operations this way.
        """
        ordered = sorted(values)
        size = len(ordered)
        if not size:
            return
        self.count += size
        self.total += sum(ordered)
        self._min = min(self._min, ordered[0])
        self._max = max(self._max, ordered[-1])
        start = bisect_left(ordered, self._lowest)
        self._zero += start
        buckets = self._buckets
        last = len(buckets) - 1
        inv_log_gamma, shift, log_gamma = (
            self._inv_log_gamma,
            self._shift,
            1.0 / self._inv_log_gamma,
        )
        while start < size:
            index = int(_log(ordered[start]) * inv_log_gamma + shift)
            if index >= last:
                buckets[last] += size - start
                break
            upper = math.exp(
                (index - shift + 1) * log_gamma
            )  # first value of the next bucket
            end = max(bisect_left(ordered, upper, start), start + 1)
            buckets[index] += end - start
            start = end

    @property
    def min(self) -> float:
        return self._min if self.count else 0.0

    @property
    def max(self) -> float:
        return self._max if self.count else 0.0

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    @property
    def relative_accuracy(self) -> float:
        return self._accuracy

    def percentile(self, p: float) -> float:
        """Value at percentile ``p`` (0..100, nearest rank); 0.0 when empty."""
        if not 0.0 <= p <= 100.0:
            raise ValueError("percentile must be between 0 and 100")
        if not self.count:
            return 0.0
        if p == 0.0:
            return self._min
        if p == 100.0:
            return self._max
        rank = max(1, math.ceil(p / 100.0 * self.count))
        seen = self._zero
        if seen >= rank:
            return self._min
        gamma = self._gamma
        for index, bucket_count in enumerate(self._buckets):
            if not bucket_count:
                continue
            seen += bucket_count
            if seen >= rank:
                upper = gamma ** (index - self._shift + 1)
                value = 2.0 * upper / (gamma + 1.0)
                return min(max(value, self._min), self._max)
        return self._max  # unreachable while counts are consistent

    def merge(self, other: LatencyHistogram) -> None:
        """Add ``other``'s samples to this histogram (both must share the same layout)."""
        if (other._accuracy, other._lowest, other._highest) != (
            self._accuracy,
            self._lowest,
            self._highest,
        ):
            raise ValueError("cannot merge histograms with different accuracy or range")
        self._buckets = [a + b for a, b in zip(self._buckets, other._buckets)]
        self._zero += other._zero
        self.count += other.count
        self.total += other.total
        self._min = min(self._min, other._min)
        self._max = max(self._max, other._max)

    def to_dict(self) -> dict[str, Any]:
        """Summary in seconds: count, total, min, max, mean, p50, p90, p95, p99."""
        return {
            "count": self.count,
            "total": self.total,
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "p50": self.percentile(50),
            "p90": self.percentile(90),
            "p95": self.percentile(95),
            "p99": self.percentile(99),
        }

    def __repr__(self) -> str:
        return (
            f"LatencyHistogram(count={self.count}, p50={self.percentile(50):.6g}, "
            f"p99={self.percentile(99):.6g}, max={self.max:.6g})"
        )
