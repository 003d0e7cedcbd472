"""Behaviour of IntelligentCache: keys, TTL, eviction, single flight, errors, statistics."""

from __future__ import annotations

import asyncio
import inspect
import random
import threading
from collections.abc import Callable

import pytest

from agentperf_lint.runtime.cache import IntelligentCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(
    cache: IntelligentCache, **kw: object
) -> tuple[Callable[..., object], list[object]]:
    calls: list[object] = []

    @cache.cached(**kw)  # type: ignore[arg-type]
    def fn(*args: object, **kwargs: object) -> object:
        calls.append((args, kwargs))
        return (args, tuple(sorted(kwargs.items())))

    return fn, calls


def test_wraps_and_hits() -> None:
    cache = IntelligentCache()

    @cache.cached()
    def load(x: int) -> int:
        """Doc."""
        return x + 1

    assert load.__name__ == "load" and load.__doc__ == "Doc." and load.__wrapped__  # type: ignore[attr-defined]
    assert load(1) == 2 and load(1) == 2
    stats = cache.get_cache_stats()
    assert (stats["hits"], stats["misses"], stats["size"]) == (1, 1, 1)


def test_same_qualname_functions_do_not_share_entries() -> None:
    cache = IntelligentCache()
    loaders = []
    for offset in (10, 20):

        @cache.cached()
        def load(x: int, offset: int = offset) -> int:
            return x + offset

        loaders.append(load)
    assert loaders[0](1) == 11 and loaders[1](1) == 21


def test_unpicklable_and_unhashable_arguments() -> None:
    cache = IntelligentCache()
    fn, calls = counting(cache)
    lock = threading.Lock()  # hashable but not picklable
    fn(lock)
    fn(lock)
    fn([1, {"a": [2]}], s={3})
    fn([1, {"a": [2]}], s={3})
    assert len(calls) == 2
    assert cache.get_cache_stats()["hits"] == 2

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

    fn(Unhashable())
    fn(Unhashable())
    assert len(calls) == 4
    assert cache.get_cache_stats()["bypassed"] == 2


def test_keyword_and_positional_are_distinct_and_ignore() -> None:
    cache = IntelligentCache()

    @cache.cached(ignore=("client",))
    def get(key: str, client: object = None) -> str:
        return key.upper()

    assert get("a", object()) == "A"
    assert get("a", client=object()) == "A"
    assert cache.get_cache_stats()["misses"] == 1
    with pytest.raises(ValueError):
        cache.cached(ignore=("nope",))(lambda x: x)


def test_custom_key() -> None:
    cache = IntelligentCache()
    fn, calls = counting(cache, key=lambda user, **_: user["id"])
    fn({"id": 1, "name": "a"})
    fn({"id": 1, "name": "b"})
    assert len(calls) == 1


def test_ttl_with_injected_clock_and_expired_recache_does_not_evict() -> None:
    clock = FakeClock()
    cache = IntelligentCache(max_size=2, default_ttl=10, clock=clock)
    fn, calls = counting(cache)
    fn(1)
    fn(2)
    clock.now += 9.9
    fn(1)
    assert len(calls) == 2
    clock.now += 0.2  # entry 1 (written at t0) has expired; entry 2 too
    fn(1)
    assert len(calls) == 3
    stats = cache.get_cache_stats()
    assert stats["evictions"] == 0 and stats["expirations"] == 1 and stats["size"] == 2


def test_ttl_override_zero_means_no_caching() -> None:
    cache = IntelligentCache()
    fn, calls = counting(cache, ttl_override=0)
    fn(1)
    fn(1)
    assert len(calls) == 2 and len(cache) == 0
    assert cache.get_cache_stats()["bypassed"] == 2


def test_jitter_bounds() -> None:
    clock = FakeClock()
    cache = IntelligentCache(
        default_ttl=100, jitter=0.5, clock=clock, rng=random.Random(1)
    )
    fn, calls = counting(cache)
    for i in range(50):
        fn(i)
    clock.now += 49.9
    for i in range(50):
        fn(i)
    assert len(calls) == 50  # nothing expires before ttl * (1 - jitter)
    clock.now += 50.2
    for i in range(50):
        fn(i)
    assert len(calls) == 100  # everything expires by ttl


def test_lru_eviction_and_honest_stats() -> None:
    cache = IntelligentCache(max_size=3)
    fn, calls = counting(cache)
    for i in range(3):
        fn(i)
    fn(0)  # 0 becomes most recent; 1 is the LRU
    fn(3)
    fn(0)
    fn(2)
    fn(1)  # was evicted
    stats = cache.get_cache_stats()
    assert len(calls) == 5
    assert stats["evictions"] == 2 and stats["size"] == 3
    assert (stats["hits"], stats["misses"]) == (3, 5)
    assert stats["hit_rate"] == 3 / 8


def test_cost_policy_keeps_expensive_hot_entries() -> None:
    clock = FakeClock()
    cache = IntelligentCache(
        max_size=50, policy="cost", clock=clock, sample_size=50, rng=random.Random(0)
    )
    costs = {"hot": 1.0}

    @cache.cached()
    def compute(name: str) -> str:
        return name

    compute("hot")
    # fake its compute time and popularity directly on the entry
    entry = next(iter(cache._store.data.values()))
    entry.cost, entry.hits = costs["hot"], 100
    for i in range(500):
        clock.now += 1
        compute(f"cold{i}")
    compute("hot")
    stats = cache.get_cache_stats()
    assert stats["size"] == 50 and stats["evictions"] == 451
    assert stats["misses"] == 501  # "hot" was never evicted


def test_invalidate_and_clear() -> None:
    cache = IntelligentCache()
    fn, calls = counting(cache)
    fn(1)
    assert cache.invalidate(fn, 1) is True
    assert fn.invalidate(1) is False  # type: ignore[attr-defined]
    fn(1)
    assert len(calls) == 2
    cache.cache_clear()
    assert cache.get_cache_stats()["misses"] == 0 and len(cache) == 0
    with pytest.raises(TypeError):
        cache.invalidate(print, 1)


def test_exceptions_are_not_cached() -> None:
    cache = IntelligentCache()
    attempts = []

    @cache.cached()
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) == 1:
            raise ValueError("boom")
        return x

    with pytest.raises(ValueError):
        flaky(1)
    assert flaky(1) == 1 and flaky(1) == 1
    assert len(attempts) == 2


def test_threads_single_flight() -> None:
    cache = IntelligentCache()
    release = threading.Event()
    calls = []

    @cache.cached()
    def slow(x: int) -> int:
        calls.append(x)
        release.wait(5)
        return x * 2

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(slow(7))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    # wait (bounded) until the seven followers have joined the flight
    for _ in range(500):
        if cache.get_cache_stats()["stampedes_avoided"] == 7:
            break
        threading.Event().wait(0.01)
    release.set()
    for t in threads:
        t.join(5)
    assert results == [14] * 8 and calls == [7]
    assert cache.get_cache_stats()["stampedes_avoided"] == 7


def test_threads_leader_error_reaches_waiters() -> None:
    cache = IntelligentCache()
    release = threading.Event()

    @cache.cached()
    def fails(x: int) -> int:
        release.wait(5)
        raise KeyError(x)

    errors: list[BaseException] = []

    def call() -> None:
        try:
            fails(1)
        except KeyError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(500):
        if cache.get_cache_stats()["stampedes_avoided"] == 3:
            break
        threading.Event().wait(0.01)
    release.set()
    for t in threads:
        t.join(5)
    assert len(errors) == 4 and len(cache) == 0


def test_same_thread_recursion_does_not_deadlock() -> None:
    cache = IntelligentCache()

    @cache.cached(key=lambda n: "same")
    def rec(n: int) -> int:
        return 0 if n == 0 else rec(n - 1) + 1

    assert rec(3) == 3


@pytest.mark.asyncio
async def test_async_caches_values_not_coroutines() -> None:
    cache = IntelligentCache()
    calls = []

    @cache.cached()
    async def fetch(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0)
        return x * 3

    assert inspect.iscoroutinefunction(fetch)
    assert await fetch(2) == 6 and await fetch(2) == 6
    assert calls == [2]


@pytest.mark.asyncio
async def test_async_100_concurrent_misses_compute_once() -> None:
    cache = IntelligentCache()
    calls = []
    gate = asyncio.Event()

    @cache.cached()
    async def fetch(x: int) -> int:
        calls.append(x)
        await gate.wait()
        return x

    tasks = [asyncio.create_task(fetch(1)) for _ in range(100)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*tasks) == [1] * 100
    assert calls == [1]
    stats = cache.get_cache_stats()
    assert (
        stats["stampedes_avoided"] == 99
        and stats["misses"] == 1
        and stats["hits"] == 99
    )


@pytest.mark.asyncio
async def test_async_cancelled_first_caller_does_not_strand_others() -> None:
    cache = IntelligentCache()
    gate = asyncio.Event()
    calls = []

    @cache.cached()
    async def fetch(x: int) -> int:
        calls.append(x)
        await gate.wait()
        return x + 1

    first = asyncio.create_task(fetch(1))
    await asyncio.sleep(0)
    others = [asyncio.create_task(fetch(1)) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(*others), 5) == [2, 2, 2]
    assert first.cancelled() and calls == [1]


@pytest.mark.asyncio
async def test_async_all_callers_cancelled_cancels_computation() -> None:
    cache = IntelligentCache()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    @cache.cached()
    async def fetch(x: int) -> int:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return x

    task = asyncio.create_task(fetch(1))
    await started.wait()
    task.cancel()
    await asyncio.wait_for(cancelled.wait(), 5)
    assert len(cache) == 0 and not cache._inflight


@pytest.mark.asyncio
async def test_async_error_reaches_all_waiters_and_is_not_cached() -> None:
    cache = IntelligentCache()
    calls = []

    @cache.cached()
    async def fetch(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0)
        if len(calls) == 1:
            raise RuntimeError("down")
        return x

    results = await asyncio.gather(
        *(fetch(1) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, RuntimeError) for r in results) and calls == [1]
    assert await fetch(1) == 1


@pytest.mark.asyncio
async def test_async_invalidate_during_flight_does_not_store_stale_value() -> None:
    cache = IntelligentCache()
    gate = asyncio.Event()

    @cache.cached()
    async def fetch(x: int) -> int:
        await gate.wait()
        return x

    task = asyncio.create_task(fetch(1))
    await asyncio.sleep(0)
    cache.invalidate(fetch, 1)
    gate.set()
    assert await task == 1
    assert len(cache) == 0


def test_async_function_used_from_two_loops() -> None:
    cache = IntelligentCache()

    @cache.cached()
    async def fetch(x: int) -> int:
        await asyncio.sleep(0)
        return x

    assert asyncio.run(fetch(1)) == 1
    # a hit: values, not loop-bound futures, are cached
    assert asyncio.run(fetch(1)) == 1
    assert cache.get_cache_stats()["hits"] == 1


def test_thread_safety_under_contention() -> None:
    cache = IntelligentCache(max_size=16)
    fn, _ = counting(cache)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(2000):
            fn(rng.randrange(40))

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    stats = cache.get_cache_stats()
    assert stats["hits"] + stats["misses"] == 8000
    assert stats["size"] == 16
    assert stats["evictions"] == stats["misses"] - 16


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        IntelligentCache(max_size=0)
    with pytest.raises(ValueError):
        IntelligentCache(policy="fifo")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        IntelligentCache(jitter=1.0)
    with pytest.raises(ValueError):
        IntelligentCache().cached(ttl_override=-1)
