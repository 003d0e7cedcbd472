"""LoadTester against a real aiohttp server on 127.0.0.1 (every loop bounded in count and time)."""

from __future__ import annotations

import asyncio
import io
import json
import math
import random
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from agentperf_lint.runtime import LoadTester, LoadTestResult
from agentperf_lint.runtime.budgets import PerformanceBudget, assert_within_budget
from agentperf_lint.runtime.loadtest import _stage_points, parse_duration, set_label


class Server:
    """A tiny aiohttp app: /ok, /fail (HTTP 500), /serial (one request at a time, 20 ms each)."""

    def __init__(self) -> None:
        self.hits = 0
        self.serial = asyncio.Lock()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def ok(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(text="ok")

    async def fail(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(status=500, text="boom")

    async def serial_handler(self, request: web.Request) -> web.Response:
        async with self.serial:
            await asyncio.sleep(0.02)
        return web.Response(text="done")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ok", self.ok)
        app.router.add_get("/fail", self.fail)
        app.router.add_get("/serial", self.serial_handler)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as client:
        yield client


def quiet() -> LoadTester:
    return LoadTester(progress=False)


@pytest.mark.asyncio
async def test_closed_model_counts_add_up(server: Server, session: aiohttp.ClientSession) -> None:
    async def scenario(user_id: int, request_id: int) -> None:
        path = "/fail" if request_id % 5 == 4 else "/ok"
        set_label(path)
        async with session.get(server.url + path) as response:
            response.raise_for_status()
            await response.read()

    result = await quiet().run_load_test(
        scenario, concurrent_users=5, requests_per_user=20, ramp_up_time=0.05
    )
    assert result.total_requests == 100 == server.hits
    assert result.failed_requests == 20
    assert result.successful_requests + result.failed_requests == result.total_requests
    assert result.error_rate == pytest.approx(0.2)
    assert result.throughput_rps > 0
    assert result["model"] == "closed"
    # per-label statistics, errors by type, per-second series all account for every request
    assert result["labels"]["/ok"]["requests"] == 80
    assert result["labels"]["/ok"]["failed"] == 0
    assert result["labels"]["/fail"]["failed"] == 20
    assert list(result["errors"]) == ["aiohttp.client_exceptions.ClientResponseError"]
    assert result["errors"]["aiohttp.client_exceptions.ClientResponseError"]["count"] == 20
    assert sum(s["requests"] for s in result["timeseries"]) == 100
    assert sum(s["failures"] for s in result["timeseries"]) == 20
    # failures are kept out of the latency percentiles
    assert result["failed_response_time"]["min"] is not None
    rt = result.response_time
    assert rt["min"] <= rt["median"] <= rt["p95"] <= rt["p99"] <= rt["max"]


@pytest.mark.asyncio
async def test_result_is_mapping_compatible_and_json_ready(server: Server) -> None:
    async def scenario() -> None:
        await asyncio.sleep(0)

    result = await quiet().run_load_test(scenario, concurrent_users=2, requests_per_user=3)
    assert isinstance(result, LoadTestResult)
    assert result["throughput_rps"] == result.throughput_rps
    assert set(result["response_time"]) >= {"min", "max", "mean", "median", "p95", "p99"}
    plain = dict(result)
    assert plain["total_requests"] == 6
    assert "error_rate" in result and result.get("nope") is None
    assert json.loads(json.dumps(result.to_dict()))["total_requests"] == 6
    assert result.to_dict()["labels"]["scenario"]["requests"] == 6


@pytest.mark.asyncio
async def test_runs_do_not_pile_up() -> None:
    async def scenario() -> None:
        await asyncio.sleep(0)

    tester = quiet()
    first = await tester.run_load_test(scenario, concurrent_users=3, requests_per_user=4)
    second = await tester.run_load_test(scenario, concurrent_users=2, requests_per_user=5)
    assert first.total_requests == 12
    assert second.total_requests == 10


@pytest.mark.asyncio
async def test_zero_users_is_an_empty_result() -> None:
    async def scenario() -> None:
        raise AssertionError("must not be called")

    result = await quiet().run_load_test(scenario, concurrent_users=0)
    assert result.total_requests == 0
    assert result.error_rate == 0.0
    assert result.throughput_rps == 0.0
    assert result.response_time["p95"] is None
    assert result.warnings == ["no users: nothing was run"]


@pytest.mark.asyncio
async def test_bad_arguments_are_rejected() -> None:
    async def scenario() -> None:
        return None

    tester = quiet()
    with pytest.raises(ValueError):
        await tester.run_load_test(scenario, concurrent_users=-1)
    with pytest.raises(ValueError, match="needs a duration"):
        await tester.run_load_test(scenario, target_rps=10)
    with pytest.raises(ValueError):
        await tester.run_load_test(scenario, stages=[])
    with pytest.raises(ValueError):
        await tester.run_load_test(scenario, stages=[("1s", 2)], duration=1)

    async def three(a: int, b: int, c: int) -> None:
        return None

    with pytest.raises(TypeError):
        await tester.run_load_test(three, concurrent_users=1, requests_per_user=1)


@pytest.mark.asyncio
async def test_percentiles_within_one_percent_of_exact() -> None:
    # an injected clock that each request advances by a known latency: the tester must report
    # the exact nearest-rank percentiles of those latencies within 1%
    rng = random.Random(7)
    latencies = [rng.lognormvariate(-4.0, 1.0) for _ in range(5000)]
    now = [1000.0]
    feed = iter(latencies)

    async def scenario() -> None:
        now[0] += next(feed)

    tester = LoadTester(progress=False, clock=lambda: now[0])
    result = await tester.run_load_test(scenario, concurrent_users=1, requests_per_user=5000)
    exact = sorted(latencies)

    def nearest_rank(p: float) -> float:
        return exact[max(1, math.ceil(p / 100 * len(exact))) - 1]

    rt = result.response_time
    for key, p in (("median", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
        assert rt[key] == pytest.approx(nearest_rank(p), rel=0.01), key
    assert rt["min"] == pytest.approx(exact[0])
    assert rt["max"] == pytest.approx(exact[-1])
    assert rt["mean"] == pytest.approx(sum(latencies) / len(latencies))


def test_stage_points_ramp_linearly_up_and_down() -> None:
    points = _stage_points([(1.0, 4), (1.0, 4), (0.5, 0)])
    assert points == [
        (0.0, 1),
        (0.25, 2),
        (0.5, 3),
        (0.75, 4),
        (2.125, 3),
        (2.25, 2),
        (2.375, 1),
        (2.5, 0),
    ]
    assert _stage_points([(0.0, 3), (1.0, 1)]) == [(0.0, 3), (0.5, 2), (1.0, 1)]


@pytest.mark.asyncio
async def test_stages_reach_their_user_counts(
    server: Server, session: aiohttp.ClientSession
) -> None:
    seen: set[int] = set()
    in_flight = [0, 0]  # current, peak

    async def scenario(user_id: int, request_id: int) -> None:
        seen.add(user_id)
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        try:
            async with session.get(server.url + "/ok") as response:
                await response.read()
            await asyncio.sleep(0.005)
        finally:
            in_flight[0] -= 1

    result = await quiet().run_load_test(
        scenario, stages=[("0.2s", 2), ("0.2s", 2), ("0.2s", 6), ("0.2s", 6), ("0.1s", 0)]
    )
    assert result["model"] == "staged"
    assert result["peak_users"] == 6
    assert seen == set(range(6))
    assert in_flight[1] == 6
    assert max(s["users"] for s in result["timeseries"]) == 6
    assert result.failed_requests == 0
    assert result["interrupted_requests"] == 0


@pytest.mark.asyncio
async def test_closed_model_for_a_duration(server: Server, session: aiohttp.ClientSession) -> None:
    async def scenario() -> None:
        async with session.get(server.url + "/ok") as response:
            await response.read()

    result = await quiet().run_load_test(scenario, concurrent_users=3, duration="0.3s")
    assert result.total_requests == server.hits > 0
    assert result["config"]["duration"] == 0.3


@pytest.mark.asyncio
async def test_open_model_keeps_its_rate(server: Server, session: aiohttp.ClientSession) -> None:
    async def scenario() -> None:
        async with session.get(server.url + "/ok") as response:
            await response.read()

    result = await quiet().run_load_test(
        scenario, concurrent_users=20, target_rps=100, duration=1.0
    )
    assert result["model"] == "open"
    # every one of the 100 scheduled requests started (none dropped) and completed
    assert result["dropped_requests"] == 0
    assert result.total_requests == 100 == server.hits
    assert result["service_time"]["p95"] is not None


@pytest.mark.asyncio
async def test_open_model_shows_overload_latency(
    server: Server, session: aiohttp.ClientSession
) -> None:
    # one virtual user against an endpoint that takes >= 20 ms, asked for 100 req/s (one every
    # 10 ms): request k cannot start before k * 20 ms but was scheduled at k * 10 ms, so its
    # latency from the schedule is at least k * 10 ms + 20 ms, far above the service time
    async def scenario() -> None:
        async with session.get(server.url + "/serial") as response:
            await response.read()

    result = await quiet().run_load_test(scenario, concurrent_users=1, target_rps=100, duration=0.6)
    done = result.total_requests
    assert 0 < done <= 31
    assert result["dropped_requests"] == 60 - done
    assert result.response_time["max"] >= (done - 1) * 0.01 + 0.02
    assert any("could not keep up" in w for w in result.warnings)
    service = result["service_time"]
    assert service["min"] >= 0.02
    assert result.response_time["mean"] > service["mean"]


@pytest.mark.asyncio
async def test_thresholds_fail_when_they_should(
    server: Server, session: aiohttp.ClientSession
) -> None:
    async def flaky(user_id: int, request_id: int) -> None:
        path = "/fail" if request_id % 2 else "/ok"
        async with session.get(server.url + path) as response:
            response.raise_for_status()

    tester = quiet()
    failing = await tester.run_load_test(
        flaky,
        concurrent_users=2,
        requests_per_user=10,
        thresholds={"error_rate": 0.1, "response_time_p95": 10.0},
    )
    assert not failing.passed
    assert [c.metric for c in failing.thresholds.failures] == ["error_rate"]  # type: ignore[union-attr]
    assert failing["thresholds"]["passed"] is False
    assert failing["passed"] is False

    passing = await tester.run_load_test(
        flaky,
        concurrent_users=2,
        requests_per_user=10,
        thresholds=PerformanceBudget({"error_rate": 0.6, "throughput_rps": 0.001}),
    )
    assert passing.passed

    too_slow = await tester.run_load_test(
        flaky, concurrent_users=1, requests_per_user=4, thresholds={"api_response_time_p95": 1e-9}
    )
    assert not too_slow.passed
    # short names are accepted in a mapping and reported under the metric's full name
    short = await tester.run_load_test(
        flaky, concurrent_users=1, requests_per_user=4, thresholds={"p99": 1e-9, "rps": 1e-6}
    )
    assert [c.metric for c in short.thresholds.failures] == ["response_time_p99"]  # type: ignore[union-attr]
    # a misspelt metric cannot be measured, so a strict mapping fails instead of passing
    typo = await tester.run_load_test(
        flaky, concurrent_users=1, requests_per_user=2, thresholds={"p59": 10.0}
    )
    assert not typo.passed
    # the result also feeds the budget helpers directly, overall or per label
    with pytest.raises(AssertionError):
        assert_within_budget(passing, {"response_time_p99": 1e-9})
    assert_within_budget(passing, {"response_time_p99": 10.0, "error_rate": 0.6})
    assert passing.observed_metrics("flaky")["error_rate"] == pytest.approx(0.5)


@pytest.mark.asyncio
async def test_unmeasured_threshold_fails_a_mapping_budget() -> None:
    async def always_fails() -> None:
        raise RuntimeError("down")

    result = await quiet().run_load_test(
        always_fails, concurrent_users=1, requests_per_user=3, thresholds={"response_time_p95": 1}
    )
    assert result.failed_requests == 3
    assert result.response_time["p95"] is None
    assert not result.passed
    assert result["errors"]["RuntimeError"] == {"count": 3, "examples": ["down"]}


@pytest.mark.asyncio
async def test_generator_bottleneck_is_reported() -> None:
    async def blocks_the_loop() -> None:
        time.sleep(0.1)  # a blocking call in the load generator itself
        await asyncio.sleep(0)

    tester = LoadTester(progress=False, lag_warning=0.02)
    result = await tester.run_load_test(blocks_the_loop, concurrent_users=1, requests_per_user=4)
    assert result["loop_lag"]["max"] >= 0.02
    assert any("load generator is a bottleneck" in w for w in result.warnings)


@pytest.mark.asyncio
async def test_timed_run_cancels_stragglers_after_graceful_stop() -> None:
    async def hangs() -> None:
        await asyncio.sleep(30)

    tester = LoadTester(progress=False, graceful_stop=0.05)
    result = await tester.run_load_test(hangs, concurrent_users=2, duration=0.1)
    assert result.total_requests == 0
    assert result["interrupted_requests"] == 2


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.asyncio
async def test_progress_line_only_on_a_terminal() -> None:
    async def scenario() -> None:
        await asyncio.sleep(0.01)

    piped = io.StringIO()
    await LoadTester(stream=piped).run_load_test(scenario, concurrent_users=2, duration=0.7)
    assert piped.getvalue() == ""

    tty = FakeTTY()
    await LoadTester(stream=tty).run_load_test(scenario, concurrent_users=2, duration=0.7)
    text = tty.getvalue()
    assert text.startswith("\r") and text.endswith("\n")
    assert "users" in text and "rps" in text and "p95" in text and "errors" in text

    silenced = FakeTTY()
    await LoadTester(stream=silenced, progress=False).run_load_test(
        scenario, concurrent_users=2, duration=0.7
    )
    assert silenced.getvalue() == ""


def test_parse_duration() -> None:
    assert parse_duration("250ms") == 0.25
    assert parse_duration("30s") == 30.0
    assert parse_duration("2m") == 120.0
    assert parse_duration("1h") == 3600.0
    assert parse_duration(1.5) == 1.5
    assert parse_duration("4") == 4.0
    for bad in ("", "abc", "-1s", "1d", "nan"):
        with pytest.raises(ValueError):
            parse_duration(bad)
