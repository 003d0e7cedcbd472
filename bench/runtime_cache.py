"""IntelligentCache next to functools.lru_cache, cachetools and async-lru, in one run.

Run: python bench/runtime_cache.py [--repeat 7]

Prints medians over the repetitions of: the cost of a sync hit, of an async hit, of a miss that
evicts at 100 / 10,000 / 100,000 entries, and how many computations 8 threads or 100 tasks
missing on one key start. Targets from issue 5: a hit within 1.5x of cachetools' sync hit and
of async-lru's async hit; a miss flat from 100 to 100,000 entries.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import threading
import time
from collections.abc import Callable

import cachetools
from async_lru import alru_cache

from agentperf_lint.runtime.cache import IntelligentCache

HITS = 100_000
ASYNC_HITS = 50_000
MISSES = 10_000
SIZES = (100, 10_000, 100_000)


def interleaved(
    cases: dict[str, Callable[[int], float]], repeat: int
) -> dict[str, float]:
    """Median ns per call of each case; cases take turns in every round so load hits all alike.

    A case gets the round number (to pick fresh keys) and returns seconds per call.
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(repeat):
        for name, case in cases.items():
            samples[name].append(case(round_) * 1e9)
    return {name: statistics.median(values) for name, values in samples.items()}


def sync_decorators(
    size: int,
) -> dict[str, Callable[[Callable[[int], int]], Callable[[int], int]]]:
    return {
        "functools.lru_cache": functools.lru_cache(maxsize=size),
        "cachetools.TTLCache": lambda f: cachetools.cached(
            cachetools.TTLCache(size, 3600)
        )(f),
        "IntelligentCache lru": lambda f: IntelligentCache(size, 3600).cached()(f),
        "IntelligentCache cost": lambda f: IntelligentCache(
            size, 3600, policy="cost"
        ).cached()(f),
    }


def bench_sync_hit(repeat: int) -> dict[str, float]:
    cases = {}
    for name, deco in sync_decorators(1000).items():
        fn = deco(lambda x: x + 1)
        fn(1)

        def case(_: int, fn: Callable[[int], int] = fn) -> float:
            start = time.perf_counter()
            for _ in range(HITS):
                fn(1)
            return (time.perf_counter() - start) / HITS

        cases[name] = case
    return interleaved(cases, repeat)


def bench_async_hit(repeat: int) -> dict[str, float]:
    async def plain(x: int) -> int:
        return x + 1

    makers = {
        "async_lru.alru_cache": lambda: alru_cache(maxsize=1000, ttl=3600)(plain),
        "IntelligentCache": lambda: IntelligentCache(1000, 3600).cached()(plain),
    }
    cases = {}
    for name, make in makers.items():

        async def run(make: Callable[[], Callable[[int], object]] = make) -> float:
            fn = make()  # one per event loop: async-lru warns when reused across loops
            await fn(1)  # type: ignore[misc]
            start = time.perf_counter()
            for _ in range(ASYNC_HITS):
                await fn(1)  # type: ignore[misc]
            return (time.perf_counter() - start) / ASYNC_HITS

        cases[name] = lambda _, run=run: asyncio.run(run())
    return interleaved(cases, repeat)


def bench_miss(repeat: int) -> dict[str, float]:
    """Each cache is filled to capacity once; every timed call is a miss that evicts."""
    cases = {}
    for size in SIZES:
        for name, deco in sync_decorators(size).items():
            fn = deco(lambda x: x + 1)
            for i in range(size):
                fn(-i - 1)

            def case(round_: int, fn: Callable[[int], int] = fn) -> float:
                keys = range(round_ * MISSES, (round_ + 1) * MISSES)
                start = time.perf_counter()
                for i in keys:
                    fn(i)
                return (time.perf_counter() - start) / MISSES

            cases[f"{name}@{size}"] = case
    return interleaved(cases, repeat)


def bench_stampede() -> dict[str, tuple[int, int]]:
    """Computations started when 8 threads / 100 tasks miss the same key at once."""

    def count_threads(
        deco: Callable[[Callable[[int], int]], Callable[[int], int]],
    ) -> int:
        calls = []

        def slow(x: int) -> int:
            calls.append(x)
            time.sleep(0.02)
            return x

        fn = deco(slow)
        threads = [threading.Thread(target=fn, args=(1,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(calls)

    def count_tasks(
        deco: Callable[[Callable[..., object]], Callable[..., object]],
    ) -> int:
        calls = []

        async def slow(x: int) -> int:
            calls.append(x)
            await asyncio.sleep(0.02)
            return x

        fn = deco(slow)

        async def main() -> None:
            await asyncio.gather(*(fn(1) for _ in range(100)))  # type: ignore[misc]

        asyncio.run(main())
        return len(calls)

    decos = sync_decorators(100)
    return {
        "functools.lru_cache": (count_threads(decos["functools.lru_cache"]), -1),
        "cachetools.TTLCache": (count_threads(decos["cachetools.TTLCache"]), -1),
        "async_lru.alru_cache": (-1, count_tasks(alru_cache(maxsize=100))),
        "IntelligentCache": (
            count_threads(IntelligentCache(100).cached()),
            count_tasks(IntelligentCache(100).cached()),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat

    print(f"medians of {repeat} runs; ns per call\n")
    sync = bench_sync_hit(repeat)
    base = sync["cachetools.TTLCache"]
    print("| sync hit | ns/call | vs cachetools.TTLCache |")
    print("|---|---:|---:|")
    for name, ns in sync.items():
        print(f"| {name} | {ns:,.0f} | {ns / base:.2f}x |")

    async_hits = bench_async_hit(repeat)
    base = async_hits["async_lru.alru_cache"]
    print("\n| async hit | ns/call | vs async-lru |")
    print("|---|---:|---:|")
    for name, ns in async_hits.items():
        print(f"| {name} | {ns:,.0f} | {ns / base:.2f}x |")

    misses = bench_miss(repeat)
    names = list(sync_decorators(1))
    print(
        "\n| miss that evicts | "
        + " | ".join(f"{s:,} entries" for s in SIZES)
        + " | 100k/100 |"
    )
    print("|---|" + "---:|" * (len(SIZES) + 1))
    for name in names:
        row = [misses[f"{name}@{s}"] for s in SIZES]
        cells = " | ".join(f"{v:,.0f}" for v in row)
        print(f"| {name} | {cells} | {row[-1] / row[0]:.2f}x |")

    print("\n| computations for one key | 8 threads at once | 100 tasks at once |")
    print("|---|---:|---:|")
    for name, (threads, tasks) in bench_stampede().items():
        cell = lambda n: "n/a" if n < 0 else str(n)
        print(f"| {name} | {cell(threads)} | {cell(tasks)} |")


if __name__ == "__main__":
    main()
