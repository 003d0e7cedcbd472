"""MemoryOptimizer: RSS/peak on this platform, GC, tracemalloc on demand, pympler rows, advice."""

from __future__ import annotations

import copy
import gc
import sys
import tracemalloc

import pytest

from agentperf_lint.runtime.memory import MemoryOptimizer, peak_rss_bytes, rss_bytes


def test_rss_and_peak_are_real_numbers() -> None:
    current = rss_bytes()
    assert current > 1024 * 1024
    assert (
        peak_rss_bytes() >= current * 0.5
    )  # peak and current come from different sources


def test_rss_without_psutil(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil -> ImportError
    assert rss_bytes() > 1024 * 1024


def test_report_has_memory_and_gc_and_no_tracing_by_default() -> None:
    assert not tracemalloc.is_tracing()
    report = MemoryOptimizer().get_memory_report()
    assert report["current_memory_mb"] > 1
    assert report["peak_memory_mb"] > 0
    assert report["tracing"] is False
    assert report["top_allocations"] == []
    assert len(report["gc"]["generations"]) == 3
    assert "top_types" not in report
    assert not tracemalloc.is_tracing()


def test_optimize_memory_reports_collected_cycles() -> None:
    optimizer = MemoryOptimizer()

    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    gc.collect()
    for _ in range(100):
        a, b = Node(), Node()
        a.other, b.other = b, a
    del a, b
    result = optimizer.optimize_memory()
    assert result["objects_collected"] >= 200
    assert result["pause_seconds"] >= 0
    assert set(result) >= {"memory_before_mb", "memory_after_mb", "memory_freed_mb"}
    assert optimizer.get_memory_report()["collections"] == [result]


def test_gc_pause_tracking() -> None:
    optimizer = MemoryOptimizer()
    optimizer.track_gc_pauses()
    try:
        gc.collect()
        gc.collect()
        pauses = optimizer.gc_report()["pauses"]
        assert pauses["count"] >= 2
    finally:
        optimizer.stop_tracking_gc_pauses()
    assert optimizer.gc_report()["pauses"] is None


def allocate_here() -> list[bytes]:
    return [bytes(1000) for _ in range(2000)]


def test_tracing_finds_the_allocating_line() -> None:
    optimizer = MemoryOptimizer()
    with optimizer.tracing():
        kept = allocate_here()
        diff = optimizer.snapshot_diff(top_n=5)
        top = optimizer.top_allocations(top_n=5)
    assert not tracemalloc.is_tracing()
    assert len(kept) == 2000
    assert "test_memory.py" in diff[0]["location"]
    assert diff[0]["size_diff_kb"] > 1500
    assert any("test_memory.py" in site["location"] for site in top)
    assert optimizer.snapshot_diff() == []


def test_pympler_summary_rows_are_type_count_size() -> None:
    pytest.importorskip("pympler")
    report = MemoryOptimizer().get_memory_report(top_n=3, include_pympler=True)
    rows = report["top_types"]
    assert len(rows) == 3
    assert set(rows[0]) == {"type", "count", "size_mb"}
    assert rows[0]["size_mb"] >= rows[1]["size_mb"]


def test_advice_never_changes_the_data() -> None:
    flags = [True, False] * 600
    big_ints = [2**70 + i for i in range(1200)]
    records = [{"id": i, "name": "x"} for i in range(1200)]
    floats = [float(i) for i in range(1200)]
    ints = list(range(1200))
    words = ["".join(["ab", "cd"]) for _ in range(1200)]  # noqa: FLY002 - distinct objects
    for data in (flags, big_ints, records, floats, ints, words):
        before = copy.deepcopy(data)
        MemoryOptimizer.advise_data_structure(data)
        assert data == before
        assert type(data[0]) is type(before[0])
    assert MemoryOptimizer.advise_data_structure(flags) == []  # bools are not ints here
    assert MemoryOptimizer.advise_data_structure(big_ints) == []  # would overflow int64
    assert [a.kind for a in MemoryOptimizer.advise_data_structure(records)] == ["slots"]
    assert [a.kind for a in MemoryOptimizer.advise_data_structure(floats)] == ["array"]
    assert [a.kind for a in MemoryOptimizer.advise_data_structure(ints)] == ["array"]
    assert [a.kind for a in MemoryOptimizer.advise_data_structure(words)] == ["intern"]
    assert MemoryOptimizer.advise_data_structure(ints)[0].estimated_saving_bytes > 0
    assert MemoryOptimizer.advise_data_structure(ints[:10]) == []
