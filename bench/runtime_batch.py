"""BatchProcessor next to aiodataloader's DataLoader, in one run.

Run: python bench/runtime_batch.py [--repeat 15] [--items 10000]

The batch function does no work (it echoes its keys), so what is timed is each library's own
overhead: per item when 10,000 items are submitted at once (``process_many`` / ``load_many``,
and one ``process`` / ``load`` coroutine per item under ``gather``), and the latency of a lone
item from submission to result. Targets from issue 5: at most 3 us per item at 10,000 items;
a lone item dispatched in under 0.2 ms. Target from issue 13: the origin guide's own fan-out,
``gather(*(processor.process(i, fn) for i in ids))`` (the "guide's call shape" row), at most
1.2x ``gather(DataLoader.load)`` measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from aiodataloader import DataLoader

from agentperf_lint.runtime.batch import BatchProcessor

ITEMS = 10_000
LONE = 2_000
BATCH = 100


async def echo(keys: list[int]) -> list[int]:
    return keys


async def direct_chunks(keys: list[int]) -> None:
    """The floor: calling the batch function on ready-made chunks, no batching library."""
    for i in range(0, len(keys), BATCH):
        await echo(keys[i : i + BATCH])


def timed(
    make: Callable[[], Callable[[list[int]], Awaitable[object]]], n: int
) -> float:
    """Seconds per item for one run on a fresh event loop (DataLoader binds a loop when made)."""

    async def run() -> float:
        go = make()
        keys = list(range(n))
        await go(keys[:10])  # warm up
        start = time.perf_counter()
        await go(keys)
        return (time.perf_counter() - start) / n

    return asyncio.run(run())


def lone_latency(lone: int = LONE) -> dict[str, float]:
    """Median seconds from submitting one item, alone, to holding its result."""

    async def run(load: Callable[[int], Awaitable[object]]) -> float:
        samples = []
        for i in range(lone):
            start = time.perf_counter()
            await load(i)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    async def ours() -> float:
        return await run(BatchProcessor(echo, batch_size=BATCH).process)

    async def theirs() -> float:
        return await run(DataLoader(echo, max_batch_size=BATCH, cache=False).load)

    return {
        "BatchProcessor.process": asyncio.run(ours()),
        "DataLoader.load": asyncio.run(theirs()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--items", type=int, default=ITEMS)
    args = parser.parse_args()
    repeat, items = args.repeat, args.items

    def ours_many() -> Callable[[list[int]], Awaitable[object]]:
        return BatchProcessor(echo, batch_size=BATCH).process_many

    def theirs_many() -> Callable[[list[int]], Awaitable[object]]:
        return DataLoader(echo, max_batch_size=BATCH, cache=False).load_many

    def ours_each() -> Callable[[list[int]], Awaitable[object]]:
        bp = BatchProcessor(echo, batch_size=BATCH)
        return lambda keys: asyncio.gather(*(bp.process(k) for k in keys))

    def guide_shape() -> Callable[[list[int]], Awaitable[object]]:
        processor: BatchProcessor[int, int] = BatchProcessor(batch_size=BATCH)
        return lambda ids: asyncio.gather(*(processor.process(i, echo) for i in ids))

    def ours_load() -> Callable[[list[int]], Awaitable[object]]:
        bp = BatchProcessor(echo, batch_size=BATCH)
        return lambda keys: asyncio.gather(*(bp.load(k) for k in keys))

    def theirs_each() -> Callable[[list[int]], Awaitable[object]]:
        dl = DataLoader(echo, max_batch_size=BATCH, cache=False)
        return lambda keys: asyncio.gather(*(dl.load(k) for k in keys))

    cases = {
        "no library (chunks by hand)": lambda: direct_chunks,
        "BatchProcessor.process_many": ours_many,
        "DataLoader.load_many": theirs_many,
        "gather(BatchProcessor.process)": ours_each,
        "gather(processor.process(i, fn)), the guide's call shape": guide_shape,
        "gather(BatchProcessor.load)": ours_load,
        "gather(DataLoader.load)": theirs_each,
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    lone: dict[str, list[float]] = {"BatchProcessor.process": [], "DataLoader.load": []}
    for _ in range(repeat):  # cases take turns so machine load hits all alike
        for name, make in cases.items():
            samples[name].append(timed(make, items))
        for name, value in lone_latency(min(LONE, items)).items():
            lone[name].append(value)
    med = {name: statistics.median(v) * 1e6 for name, v in samples.items()}

    print(
        f"medians of {repeat} runs; {items:,} items, batch_size={BATCH}, echo batch function\n"
    )
    print(f"| submitting {items:,} items | us/item | vs DataLoader same shape |")
    print("|---|---:|---:|")
    base = {
        "process_many": med["DataLoader.load_many"],
        "each": med["gather(DataLoader.load)"],
    }
    for name, us in med.items():
        ref = base["each"] if name.startswith("gather") else base["process_many"]
        ratio = "" if name.startswith("no library") else f"{us / ref:.2f}x"
        print(f"| {name} | {us:.2f} | {ratio} |")
    print(f"\n| lone item, submit to result | ms (median of {min(LONE, items):,}) |")
    print("|---|---:|")
    for name, values in lone.items():
        print(f"| {name} | {statistics.median(values) * 1e3:.3f} |")


if __name__ == "__main__":
    main()
