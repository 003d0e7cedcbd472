"""ConnectionPool next to a hand-shared aiohttp session and a session per request, in one run.

Run: python bench/runtime_pool.py [--repeat 5] [--requests 1000] [--concurrency 20]

A small aiohttp server runs in a child process on 127.0.0.1 (so it does not share the client's
event loop). Each client variant makes the same number of GET requests from a fixed number of
concurrent workers; the table shows medians of requests per second. Targets from issue 5: the pool
at least 0.95x of a hand-shared session, and about 3x a session per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from agentperf_lint.runtime.pool import ConnectionPool

Fetch = Callable[[str], Awaitable[None]]


async def serve() -> None:
    """Child process: answer GET / with a small body until killed; print the port first."""

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello " * 20)

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
    await asyncio.Event().wait()


async def drive(
    fetch: Fetch, url: str, requests: int, concurrency: int
) -> tuple[float, float]:
    """Requests per second, and client CPU seconds per request, over ``concurrency`` workers.

    CPU time is the steadier number on a shared machine: wall-clock throughput swings with
    whatever else runs, while CPU time shows what each client variant itself costs.
    """

    async def worker(count: int) -> None:
        for _ in range(count):
            await fetch(url)

    share, extra = divmod(requests, concurrency)
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(share + (i < extra)) for i in range(concurrency)))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return requests / wall, cpu / requests


async def shared_session(
    url: str, requests: int, concurrency: int
) -> tuple[float, float]:
    async with aiohttp.ClientSession() as session:

        async def fetch(u: str) -> None:
            async with session.get(u) as response:
                await response.read()

        return await drive(fetch, url, requests, concurrency)


async def pooled(url: str, requests: int, concurrency: int) -> tuple[float, float]:
    async with ConnectionPool(max_connections=100) as pool:

        async def fetch(u: str) -> None:
            async with pool.session() as s, s.get(u) as response:
                await response.read()

        return await drive(fetch, url, requests, concurrency)


async def session_per_request(
    url: str, requests: int, concurrency: int
) -> tuple[float, float]:
    async def fetch(u: str) -> None:
        async with aiohttp.ClientSession() as session, session.get(u) as response:
            await response.read()

    return await drive(fetch, url, requests, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve())
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/"
        variants = {
            "hand-shared ClientSession": shared_session,
            "ConnectionPool.session()": pooled,
            "ClientSession per request": session_per_request,
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        names = list(variants)
        for round_ in range(args.repeat):
            # Variants take turns, starting from a different one each round, so machine load and
            # whatever one variant leaves behind (TIME_WAIT sockets) hit all of them alike.
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                run = variants[name]
                samples[name].append(
                    asyncio.run(run(url, args.requests, args.concurrency))
                )
    finally:
        server.terminate()
        server.wait(10)

    rps = {name: statistics.median(r for r, _ in v) for name, v in samples.items()}
    cpu = {
        name: statistics.median(c for _, c in v) * 1e6 for name, v in samples.items()
    }
    base, base_cpu = rps["hand-shared ClientSession"], cpu["hand-shared ClientSession"]
    print(
        f"medians of {args.repeat} runs; {args.requests:,} GETs from {args.concurrency} "
        "workers to an aiohttp server in another process on 127.0.0.1\n"
    )
    print(
        "| client | requests/s | vs hand-shared | client CPU us/request | vs hand-shared |"
    )
    print("|---|---:|---:|---:|---:|")
    for name in variants:
        print(
            f"| {name} | {rps[name]:,.0f} | {rps[name] / base:.2f}x "
            f"| {cpu[name]:,.0f} | {cpu[name] / base_cpu:.2f}x |"
        )


if __name__ == "__main__":
    main()
