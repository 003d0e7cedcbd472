"""APL3xx beyond the per-rule examples: how the rules share a file, selection, the fixed code
actually working, and the example app carrying each mistake next to its correct version."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.fixer import fix_source
from agentperf_lint.registry import rule_by_code, select

APL3 = ["APL301", "APL302", "APL303", "APL304", "APL305", "APL306"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "agent_app"


def _codes(source: str, selectors: list[str] = APL3) -> list[tuple[int, str]]:
    outcome = Linter(select(selectors)).lint("mod.py", textwrap.dedent(source).lstrip().encode())
    assert outcome.result.errors == []
    return sorted((f.line, f.code) for f in outcome.result.findings)


def test_every_apl3_rule_is_on_by_default_and_selectable_alone() -> None:
    assert set(APL3) <= {rule.code for rule in select()}
    assert select(["APL306"]) == [rule_by_code()["APL306"]]


def test_async_method_with_lru_cache_is_reported_once_as_the_coroutine_bug() -> None:
    source = """
        import functools

        class Agent:
            @functools.lru_cache(maxsize=None)
            async def plan(self, goal):
                return goal
    """
    assert _codes(source) == [(4, "APL303")]


def test_module_level_request_in_loop_is_a_reuse_and_a_timeout_finding() -> None:
    source = """
        import requests

        def fetch(urls):
            return [requests.get(u).text for u in urls]
    """
    assert _codes(source) == [(4, "APL302"), (4, "APL306")]


def test_fixed_cache_really_caches_the_awaited_result() -> None:
    """The APL303 fix is not only valid syntax: awaiting twice works and computes once."""
    source = textwrap.dedent("""
        import functools

        calls = []

        @functools.lru_cache(maxsize=16)
        async def embed(text):
            calls.append(text)
            return len(text)
    """).lstrip()
    linter = Linter(select(["APL303"]))
    fixed = fix_source(linter, "mod.py", source.encode(), unsafe=True)
    assert fixed.error is None
    namespace: dict[str, object] = {}
    exec(compile(fixed.source, "mod.py", "exec"), namespace)  # noqa: S102 - our own fixed code

    async def twice() -> list[int]:
        embed = namespace["embed"]
        return [await embed("abc"), await embed("abc")]  # type: ignore[operator]

    assert asyncio.run(twice()) == [3, 3]
    assert namespace["calls"] == ["abc"]


def test_unfixed_cache_raises_on_the_second_await() -> None:
    """The bug APL303 describes, demonstrated: the cached coroutine cannot be awaited twice."""
    import functools

    @functools.lru_cache(maxsize=16)
    async def embed(text: str) -> int:
        return len(text)

    async def twice() -> None:
        await embed("abc")
        await embed("abc")

    with pytest.raises(RuntimeError, match="cannot reuse already awaited coroutine"):
        asyncio.run(twice())


def test_client_rules_share_the_loop_and_escape_analysis() -> None:
    source = """
        import httpx

        async def good(hosts):
            return [httpx.AsyncClient(base_url=h) for h in hosts]

        async def bad(urls):
            return [await httpx.AsyncClient().get(u) for u in urls]
    """
    assert _codes(source) == [(7, "APL301")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("llm.py", {"APL301", "APL302", "APL303", "APL304", "APL305", "APL306"}),
        ("http_api.py", {"APL301", "APL305"}),
    ],
)
def test_example_app_shows_each_mistake(name: str, expected: set[str]) -> None:
    path = EXAMPLES / name
    outcome = Linter(select(APL3)).lint(str(path), path.read_bytes())
    assert outcome.result.errors == []
    findings = outcome.result.findings
    assert {f.code for f in findings} == expected
    lines = path.read_text().splitlines()
    for finding in findings:  # every finding sits on a line the file marks as a mistake
        window = " ".join(lines[max(finding.line - 3, 0): finding.line])
        assert finding.code in window, (finding.line, finding.code)


def _messages(source: str, code: str) -> list[str]:
    outcome = Linter(select([code])).lint("mod.py", textwrap.dedent(source).lstrip().encode())
    return [f.message for f in outcome.result.findings if f.code == code]


@pytest.mark.parametrize("source", [
    """
    import httpx

    def crawl(url):
        while url:
            page = httpx.get(url, timeout=5).json()
            url = page["next"]
    """,
    """
    import requests

    def all_items(url, pages):
        token = None
        for _ in range(pages):
            body = requests.get(url, params={"page_token": token}, timeout=5).json()
            token = body["next_page_token"]
    """,
    """
    import requests

    def pages(url, n):
        for page in range(1, n):
            rows = requests.get(url, params={"page": page}, timeout=5).json()
            if not rows:
                break
    """,
])
def test_pagination_gets_the_session_advice_and_no_concurrency_advice(source: str) -> None:
    [message] = _messages(source, "APL302")
    assert "Session" in message or "Client" in message
    assert "concurrent" not in message


def test_independent_requests_still_get_the_concurrency_advice() -> None:
    source = """
        import requests

        def fetch(urls):
            return [requests.get(u, timeout=5).text for u in urls]
    """
    [message] = _messages(source, "APL302")
    assert "concurrently" in message


@pytest.mark.parametrize(("source", "expected"), [
    ("""
        import httpx

        async def fetch(url):
            client = httpx.AsyncClient()
            return (await client.get(url)).text
    """, "created on every call of async `fetch()` and never closed"),
    ("""
        import httpx

        async def fetch(url):
            client = httpx.AsyncClient()
            try:
                return (await client.get(url, params={"format": "json"})).text
            finally:
                await client.aclose()
    """, "created, used and closed on every call of async `fetch()`"),
    ("""
        import httpx

        async def fetch(url):
            async with httpx.AsyncClient() as client:
                return (await client.get(url, params={"format": "json"})).text
    """, "created, used and closed on every call of async `fetch()`"),
    ("""
        import httpx

        async def fetch(url, retrying):
            async def attempt():
                async with httpx.AsyncClient() as client:
                    return (await client.get(url)).text
            return await retrying(attempt)
    """, "every call of async `fetch()`"),
])
def test_client_per_call_message_says_what_the_code_does(source: str, expected: str) -> None:
    [message] = _messages(source, "APL301")
    assert expected in message


def test_a_closure_registered_by_a_constructor_is_named_itself() -> None:
    source = """
        import httpx

        class Bot:
            def __init__(self, app):
                async def on_message(text):
                    async with httpx.AsyncClient() as client:
                        await client.post("http://hook", json={"t": text})
                app.add_handler(on_message)
    """
    [message] = _messages(source, "APL301")
    assert "`on_message()`" in message


def test_aiohttp_default_timeout_is_reported_only_when_the_team_asks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """aiohttp's default (5 minutes) bounds the wait: silent by default, one config line brings it back."""
    from agentperf_lint.cli import main

    module = tmp_path / "client.py"
    module.write_text("import aiohttp\n\nasync def make():\n    return aiohttp.ClientSession()\n")
    assert main(["--select", "APL306", "--no-cache", str(module)]) == 0
    capsys.readouterr()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.agentperf-lint.http-timeouts]\nreport-aiohttp-default = true\n"
    )
    assert main(["--select", "APL306", "--no-cache", "--config", str(tmp_path / "pyproject.toml"), str(module)]) == 1
    assert "client.py:4:12: APL306" in capsys.readouterr().out
