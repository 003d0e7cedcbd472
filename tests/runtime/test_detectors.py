"""N+1 detection (the last burst is closed), the request-scoped CallRecorder and sync-I/O names."""

from __future__ import annotations

import asyncio

import pytest

from agentperf_lint.runtime.detectors import (
    CallRecorder,
    OptimizationChecker,
    RequestReport,
    find_bursts,
    rule_code_for_call,
)


def test_fifty_queries_in_fifty_ms_are_one_finding() -> None:
    # the origin sketch never closed the last (here: only) burst and reported nothing
    operations = [
        {"type": "SELECT user", "timestamp": 10 + i * 0.001} for i in range(50)
    ]
    issues = OptimizationChecker.check_n_plus_one_queries(operations)
    assert len(issues) == 1
    assert issues[0].startswith(
        "APL201: potential N+1 pattern at SELECT user: 1 burst(s)"
    )
    assert "largest 50" in issues[0]


def test_bursts_split_on_pauses_and_small_groups_are_ignored() -> None:
    times = [0.0 + i * 0.01 for i in range(8)] + [5.0 + i * 0.01 for i in range(3)]
    times += [9.0 + i * 0.01 for i in range(7)]
    findings = OptimizationChecker.find_n_plus_one(
        {"type": "q", "timestamp": t} for t in times
    )
    assert len(findings) == 1
    assert (findings[0].bursts, findings[0].largest, findings[0].total_calls) == (
        2,
        8,
        18,
    )
    assert findings[0].average_size == 7.5


def test_different_types_are_separate_and_spread_out_calls_are_fine() -> None:
    operations = [{"type": "a", "timestamp": i * 1.0} for i in range(20)]
    operations += [{"type": "b", "timestamp": i * 0.01} for i in range(3)]
    assert OptimizationChecker.check_n_plus_one_queries(operations) == []


def test_find_bursts_joins_overlapping_calls() -> None:
    intervals = [(0.0, 1.0)] + [(0.5 + i * 0.001, 2.0) for i in range(5)]
    assert len(find_bursts(intervals, window=0.1, min_burst=6)) == 1


def test_synchronous_io_matches_call_names() -> None:
    issues = OptimizationChecker.check_synchronous_io(
        {
            "function_calls": [
                "open",
                "time.sleep",
                "json.dumps",
                "open()",
                "requests.get",
            ]
        }
    )
    assert [issue.split(":")[0] for issue in issues] == ["APL104", "APL101", "APL102"]
    assert "`open`" in issues[0]
    assert OptimizationChecker.check_synchronous_io({}) == []


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_recorder_reports_sequential_awaits_in_a_loop_as_apl201() -> None:
    clock = FakeClock()
    recorder = CallRecorder(clock=clock)
    seen: list[RequestReport] = []
    recorder.on_finding = seen.append

    @recorder.instrument
    async def fetch_user(user_id: int) -> int:
        clock.now += 0.002
        await asyncio.sleep(0)
        return user_id

    async with recorder.request("GET /team") as scope:
        users = []
        for user_id in range(10):
            users.append(await fetch_user(user_id))  # the N+1 line
        await fetch_user(99)
    assert users == list(range(10))
    report = scope.report
    assert report is not None
    assert report.calls == 11
    assert len(report.findings) == 1
    finding = report.findings[0]
    assert finding.code == "APL201"
    assert finding.sequential
    assert finding.largest == 10
    assert "test_detectors.py:" in finding.key and "(" in finding.key
    assert "fetch_user" in finding.key
    assert seen == [report]
    assert list(recorder.reports) == [report]
    assert report.to_dict()["findings"][0]["code"] == "APL201"


@pytest.mark.asyncio
async def test_gathered_per_item_calls_are_apl2xx_at_the_caller_line() -> None:
    clock = FakeClock()
    recorder = CallRecorder(clock=clock)

    @recorder.instrument
    async def fetch(item: int) -> int:
        await asyncio.sleep(0)  # every task has started before the first one ends
        clock.now += 0.001
        return item

    async with recorder.request("batch") as scope:
        await asyncio.gather(*[fetch(i) for i in range(8)])
    assert scope.report is not None
    (finding,) = scope.report.findings
    assert finding.code == "APL2xx"
    assert not finding.sequential
    assert "test_detectors.py" in finding.key  # not asyncio/tasks.py


@pytest.mark.asyncio
async def test_track_records_plain_awaitables_and_nothing_outside_scopes() -> None:
    clock = FakeClock()
    recorder = CallRecorder(clock=clock, min_burst=3)

    async def query(i: int) -> int:
        clock.now += 0.001
        return i

    assert await recorder.track(query(1)) == 1  # no scope: not recorded
    assert not recorder.active
    with recorder.request("sync-scope") as scope:
        assert recorder.active
        for i in range(3):
            await recorder.track(query(i))
    assert scope.report is not None
    assert scope.report.calls == 3
    assert scope.report.findings[0].code == "APL201"


@pytest.mark.asyncio
async def test_concurrent_requests_do_not_mix() -> None:
    recorder = CallRecorder(clock=FakeClock(), min_burst=5)

    @recorder.instrument
    async def get(i: int) -> int:
        await asyncio.sleep(0)
        return i

    async def handler(calls: int) -> RequestReport:
        async with recorder.request(f"req{calls}") as scope:
            for i in range(calls):
                await get(i)
        assert scope.report is not None
        return scope.report

    small, large = await asyncio.gather(handler(3), handler(6))
    assert (small.calls, small.findings) == (3, [])
    assert large.calls == 6
    assert len(large.findings) == 1


@pytest.mark.asyncio
async def test_calls_per_request_are_bounded() -> None:
    recorder = CallRecorder(clock=FakeClock(), max_calls=5)

    async def noop() -> None:
        return None

    async with recorder.request() as scope:
        for _ in range(8):
            await recorder.track(noop(), site="x.py:1")
    assert scope.report is not None
    assert (scope.report.calls, scope.report.dropped) == (5, 3)


def test_instrument_requires_async_function() -> None:
    with pytest.raises(TypeError):
        CallRecorder().instrument(lambda: None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("time.sleep", "APL101"),
        ("requests.get", "APL102"),
        ("subprocess.run", "APL103"),
        ("io.TextIOWrapper.read", "APL104"),
        ("os.stat", "APL104"),
        ("builtins.input", "APL106"),
        ("sqlite3.Cursor.execute", "APL107"),
        ("socket.socket.recv", "APL108"),
        ("threading.Lock.acquire", "APL109"),
        ("numpy.linalg.svd", "APL1xx"),
    ],
)
def test_rule_code_for_call(name: str, code: str) -> None:
    assert rule_code_for_call(name) == code
