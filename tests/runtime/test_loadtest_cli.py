"""agentperf-loadtest end to end: a real aiohttp server on 127.0.0.1 in a background thread."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentperf_lint.runtime.loadtest_cli import main


@pytest.fixture
def scenario(tmp_path: Path, server_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    sys.modules.pop("scenario_mod", None)  # each test's module points at its own server
    module = tmp_path / "scenario_mod.py"
    module.write_text(
        textwrap.dedent(
            f"""
            import aiohttp

            session = None
            URL = {server_url!r}

            async def on_start():
                global session
                session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))

            async def on_stop():
                await session.close()

            async def get_ok(user_id, request_id):
                async with session.get(URL + "/ok") as response:
                    response.raise_for_status()

            async def get_fail():
                async with session.get(URL + "/fail") as response:
                    response.raise_for_status()

            def not_async():
                return None
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    yield module
    sys.modules.pop("scenario_mod", None)


def test_passing_run_writes_report_and_json(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, results = tmp_path / "report.html", tmp_path / "results.json"
    code = main(
        [
            "scenario_mod:get_ok",
            "--users",
            "3",
            "--requests",
            "10",
            "--threshold",
            "error_rate=1%",
            "--threshold",
            "p95=10s",
            "--report",
            str(report),
            "--json",
            str(results),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["total_requests"] == 30 and data["failed_requests"] == 0
    assert data["passed"] is True
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "30 requests" in out.out
    assert out.err == ""  # not a terminal: no progress line


def test_failed_threshold_exits_1(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scenario_mod.py:get_fail", "-u", "2", "--duration", "300ms", "-t", "errors=0.5"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out and "ClientResponseError" in out


def test_open_model_from_the_command_line(scenario: Path, tmp_path: Path) -> None:
    results = tmp_path / "open.json"
    code = main(
        [
            "scenario_mod:get_ok",
            "-u",
            "5",
            "--rps",
            "40",
            "-d",
            "0.5s",
            "--json",
            str(results),
            "-q",
        ]
    )
    data = json.loads(results.read_text(encoding="utf-8"))
    assert code == 0
    assert data["model"] == "open"
    assert data["failed_requests"] == 0
    assert data["total_requests"] + data["dropped_requests"] == 20


def test_stages_from_the_command_line(scenario: Path, tmp_path: Path) -> None:
    results = tmp_path / "staged.json"
    code = main(["scenario_mod:get_ok", "--stages", "0.2s:3,0.2s:3,0.1s:0", "--json", str(results)])
    data = json.loads(results.read_text(encoding="utf-8"))
    assert code == 0
    assert data["model"] == "staged" and data["peak_users"] == 3
    assert data["failed_requests"] == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["scenario_mod:missing"], "has no attribute"),
        (["no_such_module_xyz:f"], "cannot import"),
        (["scenario_mod"], "module:function"),
        (["scenario_mod:not_async"], "async function"),
        (["scenario_mod:get_ok", "--duration", "soon"], "invalid duration"),
        (["scenario_mod:get_ok", "-t", "latency=1"], "unknown threshold metric"),
        (["scenario_mod:get_ok", "-t", "p95"], "METRIC=LIMIT"),
        (["scenario_mod:get_ok", "--users", "many"], "invalid int value"),
        (["scenario_mod:get_ok", "--stages", "10s"], "DURATION:USERS"),
        (["scenario_mod:get_ok", "--rps", "10"], "needs a duration"),
        (["scenario_mod:get_ok", "--users", "-2"], "concurrent_users"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    scenario: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("agentperf-loadtest: error: ") and message in err
