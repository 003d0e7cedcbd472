"""Every unsafe fix of the N+1 and set-up-per-call families, executed.

A fix that parses can still break the program: a name the loop left bound, an iterator read
twice, a cache that cannot wrap a method. Each test applies the fix (``--fix --unsafe-fixes``)
to a small runnable module, runs the original and the fixed module with asyncio against an
in-memory fake of the network, and asserts the fixed one returns the same results (same order)
and makes the same calls. The fix kinds, from the rules:

- APL201/APL204 (``gather_fix`` in ``rules/_loops.py``): the whole-body ``for`` loop, the
  ``out = []`` + ``out.append(await ...)`` loop, the list, set and dict comprehensions;
- APL303: ``@IntelligentCache(...).cached()`` in place of a functools cache, and
  ``@alru_cache(...)`` when the module imports ``async_lru``.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from agentperf_lint.engine import Linter
from agentperf_lint.fixer import fix_source
from agentperf_lint.registry import select


class FakeClient:
    """The network: answers after a short, item-dependent delay (so concurrent calls finish out
    of order) and records every request."""

    def __init__(self) -> None:
        self.requests: list[object] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def fetch(self, item: object) -> str:
        self.requests.append(item)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001 * (len(str(item)) % 3))
        self.in_flight -= 1
        return f"page:{item}"

    async def download(self, item: object) -> str:
        return await self.fetch(item)


class FakeCompletions:
    def __init__(self, client: FakeClient) -> None:
        self._client = client

    async def create(self, model: str, messages: list[object]) -> str:
        return await self._client.fetch(messages[0])


class FakeChat:
    def __init__(self, client: FakeClient) -> None:
        self.completions = FakeCompletions(client)


class FakeLLM:
    """``client.chat.completions.create`` and ``chain.ainvoke`` shaped fakes for APL204."""

    def __init__(self) -> None:
        self.network = FakeClient()
        self.chat = FakeChat(self.network)

    async def ainvoke(self, payload: dict[str, object]) -> str:
        return await self.network.fetch(payload["q"])


def _fixed(source: str, codes: list[str]) -> str:
    linter = Linter(select(codes))
    result = fix_source(linter, "mod.py", source.encode(), unsafe=True)
    assert result.error is None
    fixed = result.source.decode()
    assert fixed != source, "the rule offered no fix for this shape"
    return fixed


def _load(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "mod"}
    exec(compile(source, "mod.py", "exec"), namespace)  # noqa: S102 - our own fixed code
    return namespace


Run = Callable[[dict[str, Any], Any], Any]


def _run_both(source: str, codes: list[str], call: Run, make: Callable[[], Any]) -> tuple[Any, Any, Any, Any]:
    """Run ``call(namespace, fake)`` on the original and on the fixed module."""
    source = textwrap.dedent(source).lstrip()
    fixed = _fixed(source, codes)
    before_fake, after_fake = make(), make()
    before = asyncio.run(call(_load(source), before_fake))
    after = asyncio.run(call(_load(fixed), after_fake))
    return before, after, before_fake, after_fake


ITEMS = ["a", "bb", "ccc", "dddd", "e", "ff"]
APL201 = ["APL201"]


def _requests(fake: Any) -> list[object]:
    return sorted(map(str, fake.requests if isinstance(fake, FakeClient) else fake.network.requests))


@pytest.mark.parametrize(("name", "source"), [
    ("whole-body for loop", """
        async def visit(client, items):
            for item in items:
                await client.fetch(item)
            return None
    """),
    ("appended list", """
        async def visit(client, items):
            pages = []
            for item in items:
                pages.append(await client.fetch(item))
            return pages
    """),
    ("list comprehension", """
        async def visit(client, items):
            return [await client.download(i) for i in items if i != "e"]
    """),
    ("list comprehension, indexed", """
        async def visit(client, items):
            return [await client.download(i) for i in items][0]
    """),
    ("set comprehension", """
        async def visit(client, items):
            return {await client.download(i) for i in items}
    """),
    ("dict comprehension over a local list", """
        async def visit(client, items):
            keys = sorted(items)
            return {k: await client.download(k) for k in keys}
    """),
    ("nested comprehension", """
        async def visit(client, items):
            return [await client.fetch((a, b)) for a in items[:3] for b in items[3:]]
    """),
    ("method on self", """
        class Crawler:
            def __init__(self, client):
                self.client = client

            async def crawl(self, items):
                pages = []
                for item in items:
                    pages.append(await self.client.fetch(item))
                return pages

        async def visit(client, items):
            return await Crawler(client).crawl(items)
    """),
    ("enumerate", """
        async def visit(client, items):
            out = []
            for n, item in enumerate(items):
                out.append(await client.fetch((n, item)))
            return out
    """),
])
def test_gather_fix_keeps_results_and_requests(name: str, source: str) -> None:
    before, after, before_fake, after_fake = _run_both(
        source, APL201, lambda ns, fake: ns["visit"](fake, list(ITEMS)), FakeClient)
    assert after == before
    assert _requests(after_fake) == _requests(before_fake)
    assert before_fake.most_in_flight == 1
    assert after_fake.most_in_flight > 1, "the fixed loop should run the requests together"


@pytest.mark.parametrize(("name", "source"), [
    ("chat completions, appended", """
        async def summarise(client, docs):
            out = []
            for doc in docs:
                out.append(await client.chat.completions.create(model="m", messages=[doc]))
            return out
    """),
    ("agent calls, comprehension", """
        async def summarise(chain, docs):
            return [await chain.ainvoke({"q": d}) for d in docs]
    """),
])
def test_llm_gather_fix_keeps_results(name: str, source: str) -> None:
    before, after, before_fake, after_fake = _run_both(
        source, ["APL204"], lambda ns, fake: ns["summarise"](fake, list(ITEMS)), FakeLLM)
    assert after == before
    assert _requests(after_fake) == _requests(before_fake)


def test_gather_fix_is_not_offered_when_the_loop_variable_is_read_after_the_loop() -> None:
    """``for url in urls: await f(url)`` then ``return url``: the generator in the fix would not
    bind ``url``, and the function would raise NameError (or read a stale value)."""
    source = textwrap.dedent("""
        async def visit(client, items):
            for item in items:
                await client.fetch(item)
            return item
    """).lstrip()
    result = fix_source(Linter(select(APL201)), "mod.py", source.encode(), unsafe=True)
    assert result.source.decode() == source
    assert asyncio.run(_load(source)["visit"](FakeClient(), ITEMS)) == ITEMS[-1]


def test_dict_fix_is_not_offered_for_an_iterable_that_may_be_read_once() -> None:
    """``dict(zip(keys, gather(... for k in keys)))`` reads ``keys`` twice: a generator passed
    as ``keys`` would come back as an empty dict."""
    source = textwrap.dedent("""
        async def visit(client, keys):
            return {k: await client.download(k) for k in keys}
    """).lstrip()
    result = fix_source(Linter(select(APL201)), "mod.py", source.encode(), unsafe=True)
    assert result.source.decode() == source
    assert asyncio.run(_load(source)["visit"](FakeClient(), iter(["a", "b"]))) == {"a": "page:a", "b": "page:b"}


CACHES = [  # (name, imports, decorator)
    ("lru_cache with a size", "import functools", "@functools.lru_cache(maxsize=8)"),
    ("bare lru_cache", "from functools import lru_cache", "@lru_cache"),
    ("functools.cache", "import functools", "@functools.cache"),
    ("alru_cache when async_lru is imported", "import functools\nfrom async_lru import alru_cache",
     "@functools.lru_cache(maxsize=8, typed=True)"),
    ("async_lru module imported", "import functools\nimport async_lru", "@functools.cache"),
]

FUNCTION = """{imports}

CALLS = []


{decorator}
async def embed(text):
    CALLS.append(text)
    return len(text)
"""

METHOD = """{imports}


class Embedder:
    def __init__(self, scale):
        self.scale = scale
        self.calls = 0

    {decorator}
    async def embed(self, text):
        self.calls += 1
        return len(text) * self.scale
"""


@pytest.mark.parametrize(("name", "imports", "decorator"), CACHES)
def test_cache_fix_caches_the_awaited_result(name: str, imports: str, decorator: str) -> None:
    fixed = _fixed(FUNCTION.format(imports=imports, decorator=decorator), ["APL303"])
    namespace = _load(fixed)

    async def use() -> list[int]:
        first = [await namespace["embed"](t) for t in ("ab", "abc", "ab")]
        together = await asyncio.gather(namespace["embed"]("xyz"), namespace["embed"]("xyz"))
        return first + list(together)

    assert asyncio.run(use()) == [2, 3, 2, 3, 3]
    assert namespace["CALLS"].count("ab") == 1
    assert namespace["CALLS"].count("xyz") == 1


@pytest.mark.parametrize(("name", "imports", "decorator"), CACHES)
def test_cache_fix_works_on_a_method(name: str, imports: str, decorator: str) -> None:
    """The decorated coroutine is often a method: ``self`` is part of the key, and two
    instances do not share answers."""
    fixed = _fixed(METHOD.format(imports=imports, decorator=decorator), ["APL303"])
    namespace = _load(fixed)

    async def use() -> tuple[list[int], int, int]:
        one, two = namespace["Embedder"](1), namespace["Embedder"](10)
        results = [await one.embed("ab"), await one.embed("ab"), await two.embed("ab")]
        return results, one.calls, two.calls

    assert asyncio.run(use()) == ([2, 2, 20], 1, 1)


class FailingClient(FakeClient):
    async def fetch(self, item: object) -> str:
        if item == "ccc":
            raise ValueError(item)
        return await super().fetch(item)


def test_gather_fix_raises_the_same_error_to_the_caller() -> None:
    """What "unsafe" means here: after the fix the other requests still run (and are not
    cancelled), but the caller sees the same exception as before."""
    source = textwrap.dedent("""
        async def visit(client, items):
            pages = []
            for item in items:
                pages.append(await client.fetch(item))
            return pages
    """).lstrip()
    fixed = _fixed(source, APL201)
    for module in (source, fixed):
        client = FailingClient()
        with pytest.raises(ValueError, match="ccc"):
            asyncio.run(_load(module)["visit"](client, list(ITEMS)))
    assert set(map(str, client.requests)) == set(ITEMS) - {"ccc"}
