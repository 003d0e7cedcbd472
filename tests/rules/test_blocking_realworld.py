"""Recall on real stalls that maintainers fixed: each case re-creates (in our own words) the
shape of a reported bug, and the APL1xx rule that must catch it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentperf_lint import project
from agentperf_lint.engine import Linter
from agentperf_lint.registry import select
from agentperf_lint.rules.apl114_blocking_helper_call import BlockingHelperCall

# (report, expected code, source with the offending line marked ``# <-``)
CASES = [
    ("home-assistant custom integration: Path.open on a str in async setup (modrisb/chirp#12)", "APL104", """
        from pathlib import Path
        async def async_setup(hass, module_dir):
            with Path.open(str(module_dir) + "/classes.json") as file:  # <-
                return file
    """),
    ("to-do store reading its file from a coroutine (home-assistant/core#120576)", "APL104", """
        from pathlib import Path
        class TodoStore:
            def __init__(self, path: Path) -> None:
                self._path = path
            async def async_load(self) -> str:
                return self._path.read_text()  # <-
    """),
    ("integration reading a JSON file in the loop (mrk-its/homeassistant-blitzortung#118)", "APL104", """
        import json
        async def async_load_config(path):
            with open(path) as fh:  # <-
                return json.load(fh)
    """),
    ("time.sleep between commands in a coroutine (giachello/mlgw#18)", "APL101", """
        import time
        async def send_commands(gateway, commands):
            for command in commands:
                await gateway.send(command)
                time.sleep(0.2)  # <-
    """),
    ("legacy openai module API awaited nowhere in a Discord bot (openai/gpt-discord-bot#34)", "APL111", """
        import openai
        async def on_message(message):
            return openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])  # <-
    """),
    ("remote vLLM provider on the sync OpenAI client (ogx-ai/ogx#1457)", "APL111", """
        from openai import OpenAI
        class VLLMInferenceAdapter:
            def __init__(self, url):
                self.client = OpenAI(base_url=url)
            async def completion(self, request):
                return self.client.completions.create(**request)  # <-
    """),
    ("plugin handed a sync OpenAI client under an alias (genkit-ai/genkit#4605)", "APL111", """
        from openai import OpenAI as OpenAIClient
        class Handler:
            def __init__(self, client: OpenAIClient) -> None:
                self._client = client
            async def generate(self, messages):
                return self._client.chat.completions.create(model="m", messages=messages)  # <-
    """),
    ("redis-py async cluster: time.sleep between WATCH retries", "APL101", """
        import time
        async def transaction(pipe, func, watch_delay):
            while True:
                try:
                    return await func(pipe)
                except RuntimeError:
                    time.sleep(watch_delay)  # <-
    """),
    ("redis-py async cluster node resolving its host with the blocking resolver", "APL114", """
        import socket
        class ClusterNode:
            def __init__(self, host):
                self.host = socket.gethostbyname(host)
        async def initialize(startup_nodes):
            return [ClusterNode(host) for host in startup_nodes]  # <-
    """),
    ("agent tool resolving and reading files in async handlers", "APL115", """
        from pathlib import Path
        async def read(workdir: Path, name):
            target = (workdir / name).resolve()  # <-
            return target
    """),
    ("memory storage retrying writes with time.sleep behind a helper", "APL114", """
        import time
        class Storage:
            def _do_write(self, op):
                for attempt in range(3):
                    time.sleep(0.1 * attempt)
                return op()
            async def asave(self, rows):
                return self._do_write(lambda: rows)  # <-
    """),
    ("FastAPI route calling a webhook with requests", "APL102", """
        import requests
        async def notify(url, payload):
            requests.post(url, json=payload, timeout=10)  # <-
    """),
    ("agent shell tool with subprocess.run", "APL103", """
        import subprocess
        async def shell(cmd):
            return subprocess.run(cmd, shell=True, capture_output=True).stdout  # <-
    """),
    ("uploading a report to S3 from an async job", "APL112", """
        import boto3
        s3 = boto3.client("s3")
        async def publish(key, body):
            s3.put_object(Bucket="reports", Key=key, Body=body)  # <-
    """),
    ("bot command storing state in sqlite", "APL107", """
        import sqlite3
        async def remember(user, fact):
            with sqlite3.connect("bot.db") as db:  # <-
                pass
    """),
    ("SSL context built per request in a coroutine (reads the CA bundle)", "APL108", """
        import ssl
        async def connect(host):
            context = ssl.create_default_context()  # <-
            return context
    """),
]


@pytest.mark.parametrize(("report", "code", "source"), CASES, ids=[case[0][:40] for case in CASES])
def test_real_stall_is_caught(report: str, code: str, source: str) -> None:
    text = textwrap.dedent(source).lstrip("\n")
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "# <-" in content)
    result = Linter(select(["APL1"])).lint("case.py", text.encode()).result
    assert (line, code) in [(f.line, f.code) for f in result.findings], result.findings


def test_helper_in_another_module_is_caught(tmp_path: Path) -> None:
    """OCPP: an async handler validates messages with a helper in another module whose
    schema loader opens a file (mobilityhouse/ocpp#647)."""
    package = tmp_path / "ocpp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "messages.py").write_text(textwrap.dedent("""
        import json
        from functools import lru_cache

        @lru_cache(maxsize=None)
        def get_validator(action):
            with open(f"schemas/{action}.json") as fh:
                return json.load(fh)

        def validate_payload(message):
            return get_validator(message.action)
    """))
    (package / "charge_point.py").write_text(textwrap.dedent("""
        from .messages import validate_payload

        class ChargePoint:
            async def route_message(self, message):
                validate_payload(message)
                return message
    """))
    linter = Linter([BlockingHelperCall], {"blocking": {"report-file-chains": True}})  # its chains end in file I/O
    target = package / "charge_point.py"
    project.install(project.build((str(path), None, path) for path in sorted(package.glob("*.py"))))
    try:
        findings = linter.lint(str(target), target.read_bytes()).result.findings
    finally:
        project.install(None)
    assert [(f.line, f.column) for f in findings] == [(6, 9)]
    assert "validate_payload() -> get_validator() -> open()" in findings[0].message
