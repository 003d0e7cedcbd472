"""The Locust bridge runs a LoadTester scenario under the real locust CLI (skipped without it)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None or shutil.which("locust") is None,
    reason="locust is optional and not installed",
)

ROOT = Path(__file__).resolve().parents[2]


def test_scenario_runs_under_locust(server_url: str, tmp_path: Path) -> None:
    (tmp_path / "scenario.py").write_text(
        textwrap.dedent(
            f"""
            import aiohttp
            from agentperf_lint.runtime.loadtest import set_label

            session = None

            async def on_start():
                global session
                session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
                with open("started", "a") as marker:
                    marker.write("x")

            async def on_stop():
                await session.close()
                with open("stopped", "a") as marker:
                    marker.write("x")

            async def hit(user_id, request_id):
                missing = request_id % 4 == 3
                set_label("GET /missing" if missing else "GET /ok")
                url = {server_url!r} + ("/missing" if missing else "/ok")
                async with session.get(url) as response:
                    response.raise_for_status()
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "locustfile.py").write_text(
        "from agentperf_lint.runtime.loadtest_locust import locust_user\n"
        "from scenario import hit, on_start, on_stop\n"
        "HitUser = locust_user(hit, on_start=on_start, on_stop=on_stop)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            "locustfile.py",
            "--headless",
            "-u",
            "3",
            "-r",
            "100",
            "-t",
            "2s",
            "--json",  # final stats on stdout (the periodic CSV can lag the end of a short run)
            "--skip-log",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]  # 1: some requests failed (404)
    rows = {entry["name"]: entry for entry in json.loads(completed.stdout)}
    ok, missing = rows["GET /ok"], rows["GET /missing"]
    assert ok["method"] == missing["method"] == "async"
    assert ok["num_requests"] > 0 and ok["num_failures"] == 0
    assert missing["num_requests"] == missing["num_failures"] > 0
    # the hooks ran once in the Locust process
    assert (tmp_path / "started").read_text() == "x"
    assert (tmp_path / "stopped").read_text() == "x"
