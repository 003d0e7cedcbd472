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


class _Blob:
    """A weakly referenceable large object."""

    def __init__(self, size: int) -> None:
        self.payload = bytearray(size)


def test_track_large_object_holds_weakly_and_forgets_the_dead() -> None:
    import weakref

    optimizer = MemoryOptimizer()
    blob = _Blob(1000)
    optimizer.track_large_object("blob", blob)
    (row,) = optimizer.get_memory_report()["large_objects"]
    assert row["type"] == "_Blob" and row["weakly_referenced"] and row["alive"]
    probe = weakref.ref(blob)
    del blob
    gc.collect()
    assert probe() is None  # tracking did not keep it alive
    report = optimizer.get_memory_report()
    assert report["large_objects_tracked"] == 0
    assert report["large_objects_freed"] == 1


def test_track_large_object_never_keeps_a_list_alive() -> None:
    import weakref

    optimizer = MemoryOptimizer()
    marker = _Blob(1)
    data = [marker] + [0.0] * 50_000  # lists take no weak reference
    optimizer.track_large_object("rows", data)
    (row,) = optimizer.get_memory_report()["large_objects"]
    assert row["type"] == "list" and not row["weakly_referenced"]
    assert row["alive"] is None  # unknown: only id, type and size are kept
    assert row["size_bytes"] >= 50_000 * 8
    probe = weakref.ref(marker)
    del data, marker
    gc.collect()
    assert probe() is None  # the list died, so nothing held it


def test_track_large_object_sizes_huge_containers_from_a_sample() -> None:
    optimizer = MemoryOptimizer()
    data = {i: str(i) for i in range(50_000)}
    optimizer.track_large_object("index", data)
    optimizer.track_large_object("index", data)  # the same id replaces the entry
    (row,) = optimizer.get_memory_report()["large_objects"]
    exact = sys.getsizeof(data) + sum(
        sys.getsizeof(k) + sys.getsizeof(v) for k, v in data.items()
    )
    assert not row["size_exact"]
    assert 0.8 * exact <= row["size_bytes"] <= 1.2 * exact
    optimizer.untrack_large_object("index")
    assert optimizer.get_memory_report()["large_objects_tracked"] == 0


@pytest.mark.parametrize(
    ("data", "typecode"),
    [([1.5, -0.0, float("inf")], "d"), ([1, -2, 2**63 - 1, -(2**63)], "q")],
)
def test_optimize_data_structure_packs_only_exact_numeric_lists(
    data: list[float], typecode: str
) -> None:
    packed = MemoryOptimizer.optimize_data_structure(data)
    assert packed.typecode == typecode
    assert list(packed) == data
    assert [type(x) for x in packed] == [type(x) for x in data]


@pytest.mark.parametrize(
    "data",
    [
        [True, False, True],  # bools stay bools
        [1, 2**64],  # a big int stays exact
        [1, 2.5],  # ints are not turned into floats
        {"a": 1, "b": [1, 2]},  # a dict stays a dict with the same keys
        [],
        (1.0, 2.0),
        "text",
    ],
)
def test_optimize_data_structure_returns_anything_else_unchanged(data: object) -> None:
    before = copy.deepcopy(data)
    assert MemoryOptimizer.optimize_data_structure(data) is data
    assert data == before
