"""Overhead per operation of agentperf-lint's runtime observability next to bare code and peers.

Run: ``python bench/runtime_observability.py [--ops 20000] [--repeat 7]``

One "operation" is a call of ``work()``, which makes three small Python calls (so deterministic
profilers, which pay per function call, see four calls per operation). Each row times ``--ops``
operations, ``--repeat`` times, and reports the median; "overhead/op" is the median minus the
matching bare baseline (sync or async) measured in the same run, divided by the number of
operations. The profiler rows include folding the records into statistics (``get_stats()``),
so the number is the full cost, not just the hot path. cProfile, pyinstrument and yappi wrap
the whole loop, as they would in real use; they measure every function instead of named
operations, so the comparison shows the price of each approach rather than equal features.
A bare ``with threading.Lock()`` is listed to calibrate the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agentperf_lint.runtime.middleware import PerformanceMiddleware
from agentperf_lint.runtime.monitor import AsyncPerformanceMonitor
from agentperf_lint.runtime.profiler import PerformanceProfiler

# CPU time of this process: on a shared machine, time spent waiting for a core is not overhead
clock = time.process_time


def leaf(x: int) -> int:
    return x + 1


def work() -> int:
    return leaf(leaf(leaf(1)))


async def awork() -> int:
    return work()


# -- sync runners: each returns elapsed seconds for n operations -----------------------------
def run_bare(n: int) -> float:
    start = clock()
    for _ in range(n):
        work()
    return clock() - start


def run_lock(n: int) -> float:
    lock = threading.Lock()
    start = clock()
    for _ in range(n):
        with lock:
            work()
    return clock() - start


def run_profiler(n: int) -> float:
    profiler = PerformanceProfiler()
    operation = profiler.profile_operation
    start = clock()
    for _ in range(n):
        with operation("agent", "work"):
            work()
    profiler.get_stats()  # fold everything still buffered
    return clock() - start


def run_profiler_sampled(n: int) -> float:
    profiler = PerformanceProfiler(deep_sample_rate=0.001, deep_backend="cprofile")
    operation = profiler.profile_operation
    start = clock()
    for _ in range(n):
        with operation("agent", "work"):
            work()
    profiler.get_stats()
    return clock() - start


def run_cprofile(n: int) -> float:
    profile = cProfile.Profile()
    start = clock()
    profile.enable()
    for _ in range(n):
        work()
    profile.disable()
    return clock() - start


def run_pyinstrument(n: int) -> float:
    from pyinstrument import Profiler

    profiler = Profiler()
    start = clock()
    profiler.start()
    for _ in range(n):
        work()
    profiler.stop()
    return clock() - start


def run_yappi(n: int) -> float:
    import yappi

    yappi.clear_stats()
    start = clock()
    yappi.start()
    for _ in range(n):
        work()
    yappi.stop()
    return clock() - start


# -- async runners ---------------------------------------------------------------------------
async def arun_bare(n: int) -> float:
    start = clock()
    for _ in range(n):
        await awork()
    return clock() - start


async def arun_profiler(n: int) -> float:
    profiler = PerformanceProfiler()
    operation = profiler.profile_operation
    start = clock()
    for _ in range(n):
        async with operation("agent", "work"):
            await awork()
    profiler.get_stats()
    return clock() - start


async def arun_monitor(n: int) -> float:
    monitor = AsyncPerformanceMonitor()
    operation = monitor.monitor_async_operation
    start = clock()
    for _ in range(n):
        async with operation("work"):
            await awork()
    monitor.get_concurrency_report()
    return clock() - start


async def asgi_app(scope: dict, receive: Callable, send: Callable) -> None:  # type: ignore[type-arg]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _drive(app: Callable, n: int) -> float:  # type: ignore[type-arg]
    scope = {"type": "http", "method": "GET", "path": "/users/42", "headers": []}

    async def receive() -> dict:  # type: ignore[type-arg]
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:  # type: ignore[type-arg]
        return None

    start = clock()
    for _ in range(n):
        await app(dict(scope), receive, send)
    return clock() - start


async def arun_asgi_bare(n: int) -> float:
    return await _drive(asgi_app, n)


async def arun_asgi_middleware(n: int) -> float:
    return await _drive(PerformanceMiddleware(asgi_app), n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    n, repeat = args.ops, args.repeat

    # (label, baseline label or None, runner, is_async)
    variants: list[tuple[str, str | None, Callable[[int], object], bool]] = [
        ("bare work()", None, run_bare, False),
        ("with threading.Lock() (calibration)", "bare work()", run_lock, False),
        ("PerformanceProfiler.profile_operation", "bare work()", run_profiler, False),
        (
            "  + deep_sample_rate=0.001 (cProfile)",
            "bare work()",
            run_profiler_sampled,
            False,
        ),
        ("cProfile around the loop", "bare work()", run_cprofile, False),
    ]
    for module, label, runner in (
        ("pyinstrument", "pyinstrument around the loop", run_pyinstrument),
        ("yappi", "yappi around the loop", run_yappi),
    ):
        try:
            __import__(module)
        except ImportError:
            print(f"({module} not installed: row skipped)")
            continue
        variants.append((label, "bare work()", runner, False))
    variants += [
        ("bare await awork()", None, arun_bare, True),
        ("async with profile_operation", "bare await awork()", arun_profiler, True),
        (
            "async with monitor_async_operation",
            "bare await awork()",
            arun_monitor,
            True,
        ),
        ("bare ASGI request", None, arun_asgi_bare, True),
        (
            "PerformanceMiddleware request",
            "bare ASGI request",
            arun_asgi_middleware,
            True,
        ),
    ]

    # interleave the variants in every round, so load changes hit all of them alike
    samples: dict[str, list[float]] = {label: [] for label, *_ in variants}
    loop = asyncio.new_event_loop()
    try:
        for _ in range(repeat):
            for label, _, runner, is_async in variants:
                result = loop.run_until_complete(runner(n)) if is_async else runner(n)  # type: ignore[arg-type]
                samples[label].append(float(result))  # type: ignore[arg-type]
    finally:
        loop.close()
    medians = {label: statistics.median(values) for label, values in samples.items()}

    print(
        f"Python {sys.version.split()[0]} on {sys.platform}; {n} operations x {repeat} rounds; "
        "median process CPU time\n"
    )
    header = f"| {'variant':40} | {'per op (us)':>11} | {'overhead/op (us)':>16} | {'x baseline':>10} |"
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")
    for label, baseline, _, _ in variants:
        per_op = medians[label] / n * 1e6
        if baseline is None:
            print(f"| {label:40} | {per_op:11.3f} | {'baseline':>16} | {1.0:10.2f} |")
            continue
        overhead = (medians[label] - medians[baseline]) / n * 1e6
        ratio = medians[label] / medians[baseline]
        print(f"| {label:40} | {per_op:11.3f} | {overhead:16.3f} | {ratio:10.2f} |")


if __name__ == "__main__":
    main()
