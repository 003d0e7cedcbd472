"""How many requests per second can LoadTester generate? Compared with a bare asyncio loop and
with locust (headless, FastHttpUser) against the same local aiohttp server, in one run.

    python bench/runtime_loadtest.py [--users 50] [--duration 3] [--repeats 5] [--uvloop]

The server runs in its own process; every generator run is a fresh process, and the generators
take turns in each repetition so drift on a shared machine hits them alike. The
table shows the median requests/second per generator and its ratio to the bare loop. Locust is
optional (``pip install locust``), and so is uvloop (``--uvloop`` adds rows running the same
code on uvloop's event loop); a missing one's row says "not installed".

"req per CPU-s" divides requests by the generator process's own CPU time over the run: on a
shared machine it is steadier than req/s, which also moves with everyone else's load. A second
table measures the generator's own overhead with no network at all: an awaited no-op, called
in a bare loop and through LoadTester (in this process, so it is the cost of bookkeeping).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


# ---------------------------------------------------------------------------------------------
# the server and the two in-process generators (each runs in a child process of this script)


def serve(port_file: str) -> None:
    from aiohttp import web

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/ok", ok)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        Path(port_file).write_text(str(port))
        await asyncio.Event().wait()

    asyncio.run(main())


async def bare(url: str, users: int, duration: float) -> dict[str, float]:
    """The hand-written baseline: N tasks in a loop, counting completions, nothing else."""
    import aiohttp

    count = 0
    async with aiohttp.ClientSession() as session:
        start, cpu = time.perf_counter(), time.process_time()
        deadline = start + duration

        async def worker() -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                async with session.get(url) as response:
                    await response.read()
                count += 1

        await asyncio.gather(*(worker() for _ in range(users)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"requests": count, "rps": count / elapsed, "cpu_s": cpu}


async def loadtester(url: str, users: int, duration: float) -> dict[str, float]:
    import aiohttp

    from agentperf_lint.runtime import LoadTester

    async with aiohttp.ClientSession() as session:

        async def request() -> None:
            async with session.get(url) as response:
                await response.read()

        cpu = time.process_time()
        result = await LoadTester(progress=False).run_load_test(
            request, concurrent_users=users, duration=duration
        )
        cpu = time.process_time() - cpu
    return {"requests": result.total_requests, "rps": result.throughput_rps, "cpu_s": cpu}


def locust_run(url: str, users: int, duration: float) -> dict[str, float]:
    """locust as a library (same process, so its CPU time is measured like the others')."""
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    class Bench(FastHttpUser):
        host = url.rsplit("/", 1)[0]
        wait_time = constant(0)

        @task
        def ok(self) -> None:
            self.client.get("/ok")

    env = Environment(user_classes=[Bench])
    runner = env.create_local_runner()
    start, cpu = time.perf_counter(), time.process_time()
    runner.start(users, spawn_rate=users * 1000)
    gevent.sleep(duration)
    runner.quit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    count = env.stats.total.num_requests
    return {"requests": count, "rps": count / elapsed, "cpu_s": cpu}


async def overhead(calls_per_user: int, users: int = 50) -> tuple[float, float]:
    """Calls per second of an awaited no-op: bare loop vs LoadTester (closed model, by count)."""
    from agentperf_lint.runtime import LoadTester

    async def noop() -> None:
        return None

    async def worker() -> None:
        for _ in range(calls_per_user):
            await noop()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(users)))
    bare_rate = calls_per_user * users / (time.perf_counter() - start)
    start = time.perf_counter()
    result = await LoadTester(progress=False).run_load_test(
        noop, concurrent_users=users, requests_per_user=calls_per_user
    )
    tester_rate = result.total_requests / (time.perf_counter() - start)
    return bare_rate, tester_rate


def child(kind: str, url: str, users: int, duration: float) -> dict[str, float] | None:
    """Run one generator in a fresh interpreter and return its numbers (None: not installed)."""
    module = {"locust": "locust", "bare+uvloop": "uvloop", "loadtester+uvloop": "uvloop"}
    if kind in module and importlib.util.find_spec(module[kind]) is None:
        return None
    out = subprocess.run(
        [sys.executable, str(HERE), "--child", kind, url, str(users), str(duration)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(HERE.parent.parent)},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # locust may log above the JSON line


def wait_for_port(port_file: Path, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text():
            port = int(port_file.read_text())
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return port
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--uvloop", action="store_true", help="also run both asyncio generators on uvloop"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp, "port")
        server = subprocess.Popen([sys.executable, str(HERE), "--serve", str(port_file)])
        try:
            url = f"http://127.0.0.1:{wait_for_port(port_file)}/ok"
            kinds = ["bare", "loadtester", "locust"]
            if args.uvloop:
                kinds[2:2] = ["bare+uvloop", "loadtester+uvloop"]
            samples: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
            for repeat in range(args.repeats):
                shift = repeat % len(kinds)
                order = kinds[shift:] + kinds[:shift]  # rotate who goes first
                for kind in order:
                    numbers = child(kind, url, args.users, args.duration)
                    if numbers is not None:
                        samples[kind].append(numbers)
        finally:
            server.terminate()
            server.wait(10)

    names = {
        "bare": "bare asyncio loop (aiohttp)",
        "loadtester": "LoadTester (closed model)",
        "bare+uvloop": "bare loop on uvloop",
        "loadtester+uvloop": "LoadTester on uvloop",
        "locust": "locust FastHttpUser (headless)",
    }
    print(
        f"{args.users} users, {args.duration:g}s per run, medians of {args.repeats} runs; "
        f"server: aiohttp on 127.0.0.1 in its own process; {os.cpu_count()} CPUs"
    )
    print(
        f"{'generator':<32} {'req/s':>7} {'vs bare':>8} {'req per CPU-s':>14} {'vs bare':>8}"
        "  req/s of each run"
    )
    base_rps = statistics.median(r["rps"] for r in samples["bare"])
    base_eff = statistics.median(r["requests"] / r["cpu_s"] for r in samples["bare"])
    for kind in kinds:
        runs = samples[kind]
        if not runs:
            print(f"{names[kind]:<32} {'not installed':>7}")
            continue
        rps = statistics.median(r["rps"] for r in runs)
        eff = statistics.median(r["requests"] / r["cpu_s"] for r in runs)
        detail = ", ".join(f"{r['rps']:.0f}" for r in runs)
        print(
            f"{names[kind]:<32} {rps:>7.0f} {rps / base_rps:>7.2f}x {eff:>14.0f} "
            f"{eff / base_eff:>7.2f}x  {detail}"
        )

    rates = [asyncio.run(overhead(2000, args.users)) for _ in range(args.repeats)]
    bare_rate = statistics.median(r[0] for r in rates)
    tester_rate = statistics.median(r[1] for r in rates)
    print()
    print(f"generator overhead: an awaited no-op, {args.users} users x 2000 calls, no network")
    print(f"{'generator':<32} {'calls/s':>9} {'us/call':>8} {'vs bare':>8}")
    for name, rate in (("bare asyncio loop", bare_rate), ("LoadTester", tester_rate)):
        print(f"{name:<32} {rate:>9.0f} {1e6 / rate:>8.2f} {rate / bare_rate:>7.2f}x")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "--child":
        kind, url, users, duration = sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
        if kind == "locust":
            print(json.dumps(locust_run(url, users, duration)))
            raise SystemExit(0)
        name, _, loop = kind.partition("+")
        coroutine = (bare if name == "bare" else loadtester)(url, users, duration)
        if loop == "uvloop":
            import uvloop

            print(json.dumps(uvloop.run(coroutine)))
        else:
            print(json.dumps(asyncio.run(coroutine)))
    else:
        main()
