"""The facts APL301 reads from a function: a check, a fresh loop per call, a download helper."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from agentperf_lint.rules._probes import checks_status_only, downloads_given_url, runs_in_fresh_loop


def _module(source: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(source))


def _function(module: cst.Module, name: str) -> cst.FunctionDef:
    for node in module.body:
        if isinstance(node, cst.FunctionDef) and node.name.value == name:
            return node
        if isinstance(node, cst.ClassDef):
            for item in node.body.body:
                if isinstance(item, cst.FunctionDef) and item.name.value == name:
                    return item
    raise LookupError(name)


@pytest.mark.parametrize(("source", "expected"), [
    # the status decides (raise on failure), the body is only read for the error message
    ("""
        async def verify(credentials):
            async with ClientSession() as session:
                async with session.get(URL, headers={"key": credentials}) as response:
                    if response.status != 200:
                        raise CredentialsError(await response.text())
    """, True),
    ("""
        async def verify(credentials):
            async with ClientSession() as session:
                async with session.get(URL) as response:
                    response.raise_for_status()
    """, True),
    ("""
        async def alive(url):
            async with httpx.AsyncClient() as client:
                return (await client.get(url)).status_code == 200
    """, True),
    # nothing depends on the status: a fire-and-forget send
    ("""
        async def upload(payload):
            async with ClientSession() as session:
                async with session.post(URL, json=payload) as response:
                    if response.status != 200:
                        pass
    """, False),
    # a status test that only logs decides nothing either
    ("""
        async def upload(payload):
            async with ClientSession() as session:
                async with session.post(URL, json=payload) as response:
                    if response.status != 200:
                        logger.warning("upload failed")
    """, False),
    # the body is the result
    ("""
        async def search(query):
            async with ClientSession() as session:
                async with session.get(URL, params={"q": query}) as response:
                    response.raise_for_status()
                    return await response.json()
    """, False),
    # the body is read on success: a fetch
    ("""
        async def load(key):
            async with ClientSession() as session:
                async with session.get(URL) as response:
                    if response.status == 200:
                        CACHE[key] = await response.json()
    """, False),
    # the response itself is returned: the caller reads it
    ("""
        async def post(payload):
            async with ClientSession() as session:
                response = await session.post(URL, json=payload)
                response.raise_for_status()
                return response
    """, False),
])
def test_checks_status_only(source: str, expected: bool) -> None:
    module = _module(source)
    function = next(node for node in module.body if isinstance(node, cst.FunctionDef))
    assert checks_status_only(function) is expected


def test_fresh_loop_when_every_use_is_run_by_a_loop_runner() -> None:
    module = _module("""
        import asyncio

        class Search:
            def run(self, query):
                return asyncio.run(self.fetch(query))

            def run_in_thread(self, query):
                threading.Thread(target=asyncio.run, args=(self.fetch(query),)).start()

            async def fetch(self, query):
                ...
    """)
    assert runs_in_fresh_loop(_function(module, "fetch"), module)


@pytest.mark.parametrize("other_use", [
    "await self.fetch(query)",  # awaited in the running loop too
    "callbacks.append(self.fetch)",  # handed over: who calls it is unknown
])
def test_no_fresh_loop_when_some_use_is_not(other_use: str) -> None:
    module = _module(f"""
        import asyncio

        class Search:
            def run(self, query):
                return asyncio.run(self.fetch(query))

            async def other(self, query):
                {other_use}

            async def fetch(self, query):
                ...
    """)
    assert not runs_in_fresh_loop(_function(module, "fetch"), module)


def test_no_fresh_loop_for_an_unused_or_sync_function() -> None:
    module = _module("""
        async def unused():
            ...

        def sync(url):
            ...

        asyncio.run(sync(1))
    """)
    assert not runs_in_fresh_loop(_function(module, "unused"), module)
    assert not runs_in_fresh_loop(_function(module, "sync"), module)


@pytest.mark.parametrize(("source", "expected"), [
    ("""
        async def download(url, path):
            async with ClientSession() as session:
                async with session.get(url, timeout=60) as response:
                    save(path, await response.read())
    """, True),
    ("""
        async def download(image_url):
            async with httpx.AsyncClient() as client:
                return (await client.get(url=image_url)).content
    """, True),
    # a query: an API call, not a download
    ("""
        async def search(url, query):
            async with ClientSession() as session:
                async with session.get(url, params={"q": query}) as response:
                    return await response.json()
    """, False),
    # the URL is built from a base: the same host every call
    ("""
        async def get_user(user_id):
            async with ClientSession() as session:
                async with session.get(f"{BASE}/users/{user_id}") as response:
                    return await response.json()
    """, False),
    # keyword arguments that may carry a payload
    ("""
        async def call(url, **kwargs):
            async with ClientSession() as session:
                async with session.get(url, **kwargs) as response:
                    return await response.json()
    """, False),
])
def test_downloads_given_url(source: str, expected: bool) -> None:
    module = _module(source)
    function = next(node for node in module.body if isinstance(node, cst.FunctionDef))
    client = "session" if "session" in source else "client"
    assert downloads_given_url(function, client) is expected
