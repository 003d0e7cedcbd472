"""APL2xx advice that fits the case (issue 12): where the loop runs (migrations), what the loop
sends (batches), and what a plain ``def`` can do instead of ``asyncio.gather``."""

from __future__ import annotations

import textwrap

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.registry import select

APL2 = ["APL201", "APL202", "APL203", "APL204", "APL205"]


def _findings(source: str, path: str = "app/mod.py") -> list[tuple[int, str, str]]:
    outcome = Linter(select(APL2)).lint(path, textwrap.dedent(source).lstrip().encode())
    assert outcome.result.errors == []
    return [(f.line, f.code, f.message) for f in outcome.result.findings]


N_PLUS_ONE = """
    def backfill(session, rows):
        for row in rows:
            session.execute(UPDATE, {"id": row.id, "name": row.name.lower()})
"""


@pytest.mark.parametrize("path", [
    "alembic/versions/2024_01_01_add_names.py",
    "app/migrations/0007_backfill.py",
    "db/migrations/versions/abc123_backfill.py",
])
def test_migrations_run_once_and_are_not_reported(path: str) -> None:
    assert _findings(N_PLUS_ONE, path) == []


def test_the_same_loop_in_application_code_is_reported() -> None:
    assert [code for _, code, _ in _findings(N_PLUS_ONE)] == ["APL202"]


@pytest.mark.parametrize("source", [
    "def f(chain, qs):\n    return [chain.invoke({'q': q}) for q in qs]\n",
    "def f(client, docs):\n    return [client.chat.completions.create(model='m', messages=[d]) for d in docs]\n",
    "def f(agent, tasks):\n    for t in tasks:\n        agent.run(t)\n",
    "class C:\n    def go(self, xs):\n        return [self.llm.invoke(x) for x in xs]\n    async def ago(self, xs):\n        return xs\n",
])
def test_plain_def_is_never_told_to_gather(source: str) -> None:
    messages = [message for _, _, message in _findings(source)]
    assert messages
    assert all("gather" not in message for message in messages)
    assert all("ThreadPoolExecutor" in message for message in messages)


def test_sync_model_call_in_a_coroutine_is_told_to_await_the_async_twin() -> None:
    source = "async def f(chain, qs):\n    for q in qs:\n        chain.invoke({'q': q})\n"
    [(_, code, message)] = _findings(source)
    assert code == "APL204"
    assert "await `ainvoke()` for all items together" in message


def test_awaited_model_calls_in_a_coroutine_are_told_to_gather() -> None:
    source = "async def f(chain, qs):\n    return [await chain.ainvoke({'q': q}) for q in qs]\n"
    [(_, _, message)] = _findings(source)
    assert "asyncio.gather" in message


@pytest.mark.parametrize("source", [
    "class Stream:\n    async def cog_load(self):\n        for user in self.users:\n            await self.api.fetch(user)\n",
    "async def async_setup_entry(hass, entry):\n    for device in entry.devices:\n        await hass.api.refresh(device)\n",
    "from fastapi import FastAPI\napp = FastAPI()\n\n@app.on_event('startup')\nasync def warm(client, ids):\n    for i in ids:\n        await client.fetch(i)\n",
])
def test_start_up_hooks_run_once_and_are_not_reported(source: str) -> None:
    assert _findings(source) == []


def test_the_same_loop_in_a_request_handler_is_reported() -> None:
    source = "async def handle(hass, entry):\n    for device in entry.devices:\n        await hass.api.refresh(device)\n"
    assert [code for _, code, _ in _findings(source)] == ["APL201"]
