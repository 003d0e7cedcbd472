"""APL102: sync HTTP calls (``requests``, ``httpx``, ``urllib``, ``urllib3``, ``http.client``)
inside ``async def``."""

from __future__ import annotations

from ..rule import Invalid, Valid
from ._blocking import BlockingCallRule


class BlockingHttpCall(BlockingCallRule):
    """## What it does
    Reports synchronous HTTP requests inside an `async def` body: the `requests` and `httpx`
    module functions (`requests.get`, `httpx.post`, `requests.request`, ...),
    `urllib.request.urlopen`/`urlretrieve`, `urllib3.request` and the methods of `urllib3` pool
    managers and connection pools, and `http.client.HTTPConnection`/`HTTPSConnection` methods.
    Names are resolved through imports (`import requests as rq`, `from requests import get`).

    Cost class (named in every message, counted by `--statistics`): a network round trip.

    ## Why is this bad?
    A sync request holds the event loop for the whole round trip: DNS, connect, TLS, the
    server's think time and the download. For an agent calling an LLM or a tool API that is
    seconds, during which every other agent on the loop is frozen.

    ## Example
    ```python
    import requests

    async def call_tool(url, payload):
        return requests.post(url, json=payload, timeout=30).json()
    ```

    ## Use instead
    ```python
    from agentperf_lint.runtime import ConnectionPool

    pool = ConnectionPool(max_connections=100)

    async def call_tool(url, payload):
        session = await pool.acquire()
        try:
            async with session.post(url, json=payload) as response:
                return await response.json()
        finally:
            await pool.release(session)
    ```
    (or one shared `httpx.AsyncClient`).

    ## Fix safety
    When the call is a whole statement or the right-hand side of an assignment, the fix moves
    it to a worker thread: `await asyncio.to_thread(requests.get, url)`. It is unsafe: the
    request now runs in another thread (thread-local state, and code that relied on the loop
    being blocked meanwhile, behave differently). An async client is the better end state.

    ## Options
    - `check-tests` (in `[tool.agentperf-lint.blocking]`, shared by the APL1xx rules, default
      false): also report blocking calls in test code, which is skipped by default.
    """

    code = "APL102"
    name = "blocking-http"

    VALID = (
        Valid("import requests\ndef f(url):\n    return requests.get(url)\n"),
        Valid("import asyncio, requests\nasync def f(url):\n    return await asyncio.to_thread(requests.get, url)\n"),
        Valid("import functools, requests\nasync def f(loop, url):\n    return await loop.run_in_executor(None, functools.partial(requests.get, url))\n"),
        Valid("import requests\nasync def f(url):\n    return await run(lambda: requests.get(url))\n"),
        Valid("import httpx\nasync def f(url):\n    async with httpx.AsyncClient() as client:\n        return await client.get(url)\n"),
        Valid("async def f(requests, url):\n    return requests.get(url)\n"),
        Valid("import requests\nasync def f(url):\n    requests = Fake()\n    return requests.get(url)\n"),
        Valid("async def f(session, url):\n    async with session.get(url) as r:\n        return await r.text()\n"),
        Valid("async def f(cache, url):\n    return cache.get(url)\n"),
        Valid("import requests\nasync def f(url):\n    def fetch():\n        return requests.get(url)\n    return fetch\n"),
        Valid("import urllib.parse\nasync def f(url):\n    return urllib.parse.urlparse(url)\n"),
        Valid("import requests\nasync def f():\n    return requests.codes.ok, requests.Request('GET', 'u')\n"),
    )
    INVALID = (
        Invalid(  # the file work of the same coroutine rides with the request's finding
            "import requests\n\nasync def upload(path, url):\n    with open(path, 'rb') as fh:\n"
            "        return requests.post(url, data=fh.read(), timeout=10)\n",
            line=5, column=16,
            message_contains="(a network round trip); also `open` at line 4 (local file I/O, brief beside it): "
            "the fix moves the whole section to a thread"),
        Invalid(
            "import requests\n\nasync def f(url):\n    r = requests.get(url, timeout=5)\n",
            line=4, column=9, message_contains="agentperf_lint.runtime.ConnectionPool",
            fixed="import requests\nimport asyncio\n\nasync def f(url):\n    r = await asyncio.to_thread(requests.get, url, timeout=5)\n",
        ),
        Invalid(
            "import requests as rq\n\nasync def f(url):\n    rq.post(url, json={})\n",
            line=4, column=5,
            fixed="import requests as rq\nimport asyncio\n\nasync def f(url):\n    await asyncio.to_thread(rq.post, url, json={})\n",
        ),
        Invalid("from requests import get\n\nasync def f(url):\n    return get(url).json()\n", line=4, column=12),
        Invalid("import requests\n\nasync def f(url):\n    return requests.request('GET', url)\n", line=4, column=12),
        Invalid("import httpx\n\nasync def f(url):\n    return httpx.get(url)\n", line=4, column=12),
        Invalid("import httpx\n\nasync def f(url):\n    with httpx.stream('GET', url) as r:\n        pass\n", line=4, column=10),
        Invalid("import urllib.request\n\nasync def f(url):\n    return urllib.request.urlopen(url).read()\n", line=4, column=12),
        Invalid("from urllib.request import urlopen\n\nasync def f(url):\n    body = urlopen(url)\n", line=4, column=12,
                fixed="from urllib.request import urlopen\nimport asyncio\n\nasync def f(url):\n    body = await asyncio.to_thread(urlopen, url)\n"),
        Invalid("import urllib3\n\nasync def f(url):\n    return urllib3.request('GET', url)\n", line=4, column=12),
        Invalid("import urllib3\n\nasync def f(url):\n    http = urllib3.PoolManager()\n    return http.request('GET', url)\n", line=5, column=12),
        Invalid("import http.client\n\nasync def f():\n    conn = http.client.HTTPSConnection('example.com')\n    conn.request('GET', '/')\n", line=5, column=5,
                fixed="import http.client\nimport asyncio\n\nasync def f():\n    conn = http.client.HTTPSConnection('example.com')\n    await asyncio.to_thread(conn.request, 'GET', '/')\n"),
        Invalid("import requests\n\nasync def f(urls):\n    return [requests.get(u) for u in urls]\n", line=4, column=13),
        Invalid("import requests\nimport anyio\n\nasync def f(url):\n    r = requests.get(url)\n", line=5, column=9,
                fixed="import requests\nimport anyio\n\nasync def f(url):\n    r = await anyio.to_thread.run_sync(requests.get, url)\n"),
        Invalid("import requests\nimport trio\n\nasync def f(url):\n    r = requests.get(url, timeout=5)\n", line=5, column=9),
        Invalid("import requests\n\nasync def f(url):\n    with requests.get(url, stream=True) as r:\n        pass\n", line=4, column=10),
    )
