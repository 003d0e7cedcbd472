"""APL301: an HTTP/LLM/database client created per call or per item and thrown away."""

from __future__ import annotations

import libcst as cst

from ..context import COMPREHENSIONS
from ..rule import Invalid, Rule, Valid
from ..walker import iter_tree
from ._given_client import made_when_none_given
from ._probes import allows_long_calls, checks_status_only, downloads_given_url, runs_in_fresh_loop
from ._reuse import (
    CLIENT_FACTORIES,
    enclosing_function,
    in_script,
    is_command_line_module,
    is_constructor_name,
    is_retry_loop,
    last_name,
    loops_here,
    name_escapes,
    runs_once,
)
from ._test_code import in_test_code

_FAN_OUT = frozenset({"gather", "as_completed", "wait", "map", "starmap", "create_task", "start_soon"})


class ClientPerCall(Rule):
    """## What it does
    Reports an HTTP, LLM or database client created and thrown away on every loop iteration or
    every call. The clients are those that own a connection pool (`aiohttp.ClientSession`,
    `httpx.AsyncClient`/`httpx.Client`, `requests.Session`, `openai.AsyncOpenAI`/`OpenAI`,
    `anthropic.AsyncAnthropic`/`Anthropic`, `redis.asyncio.Redis`, `asyncpg.connect`/
    `create_pool`); "every call" means created inside a function that runs per request
    (`async with aiohttp.ClientSession() as s:` in a request handler or a tool). The message
    says what the code does with it: closed on every call (`async with`, `close()`, an exit
    stack), or never closed, the worse case: each call leaves a pool of open connections for
    the garbage collector. When the client is made in a closure handed to a retry helper
    (`async def run(): ...` inside `fetch()`), the message names `fetch()`, the function
    called per request.

    ## Why is this bad?
    A client's set-up is the expensive part of a request: a new DNS lookup, TCP connection and
    TLS handshake, a new connection pool, and for the LLM SDKs a new `httpx` client with its own
    pool (and an SSL context: building one is most of an `httpx` client's cost). Created per
    call, none of it is reused and keep-alive never helps. Measured for this rule with 200
    sequential GETs to a local aiohttp server over plain HTTP (median of 5 runs): a new aiohttp
    session per request ran at 0.25x the throughput of a shared session, a new
    `httpx.AsyncClient` per request at 0.03x. Over TLS to a remote host the handshake on every
    request makes it worse.

    Not reported, because the code runs once, rarely, or cannot share a client:

    - a factory (the client is returned, also wrapped: `return instructor.from_openai(client)`;
      how often it runs is the caller's business), or a client stored for reuse
      (`self.client = ...`, a global, a container, passed to a constructor) or assigned to a
      parameter (`client = client or ...` injection defaults);
    - `__init__`/`__aenter__`/`__enter__`, a lifespan or startup hook (`@asynccontextmanager`,
      `@app.on_event("startup")`, `on_startup`), `login()`/`logout()`, a method called only
      from such methods of its class, a `@pytest.fixture` or a test, `main()` and other entry
      points, module level;
    - a command-line module (it imports `typer`, `click` or `argparse`: one call per process)
      or a script (a module with `if __name__ == "__main__":` whose block starts no server: a
      demo or example run by hand, where nothing else waits on the process);
    - a client that serves a loop of requests inside the same call (its set-up is amortised),
      or one built from each item of a loop (`OpenAI(base_url=config.base_url)` for each
      configured endpoint: each item needs its own client);
      a loop that polls (it sleeps between rounds and iterates over no items:
      `for _ in range(20): ... await asyncio.sleep(1)`, waiting for a server to come up);
    - a fetch on a cache miss only (the function returns a cached value before creating the
      client, or is named for filling a cache: `_fetch_and_cache_prices`), and a sync that
      declares `global` names and returns nothing (it loads what it fetches into module state
      for every request to read: run at start-up or by a scheduler, not per request);
    - a fallback in an `except` block (it runs when the first attempt failed);
    - a long job: the client, or every request made with it, is given a timeout of ten minutes
      or more (`client.post(url, json=job, timeout=3600)`): beside a call expected to last
      minutes, the tens of milliseconds of a new connection do not matter;
    - a download helper: a module-level function whose every request fetches a URL parameter
      as given, with no query, payload or `**kwargs` (`download_image(url)`): the hosts differ
      from call to call, so a shared pool would rarely hold a kept-alive connection;
    - a check: the function reads no response body, returns nothing but a yes/no, and a status
      decides something (`if response.status != 200: raise ...`, `raise_for_status()`,
      `return r.status_code == 200`). Verifying credentials a user has just saved or probing a
      server's health runs when someone configures or probes, not per request, and a fresh
      connection is what it tests (a check whose client is never closed is still reported);
    - a coroutine that every caller in its module runs with `asyncio.run(...)` (also in a
      thread: `Thread(target=asyncio.run, args=(fetch(),))`): each call starts and closes its
      own event loop, and an async client is bound to the loop it was made in, so it cannot be
      shared across calls.

    ## Example
    ```python
    import aiohttp

    async def ask_tool(url: str, query: str) -> dict:
        async with aiohttp.ClientSession() as session:
            async with session.get(url, params={"q": query}) as response:
                return await response.json()
    ```

    ## Use instead
    ```python
    import aiohttp

    class ToolClient:
        async def __aenter__(self) -> "ToolClient":
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
            return self

        async def __aexit__(self, *exc: object) -> None:
            await self.session.close()

        async def ask(self, url: str, query: str) -> dict:
            async with self.session.get(url, params={"q": query}) as response:
                return await response.json()
    ```
    Create the client once (application start-up, an agent's `__aenter__`) and pass it down;
    `agentperf_lint.runtime.ConnectionPool` bounds how many connections the agents share.

    ## Fix safety
    No fix: where the shared client should live depends on the application.

    ## Options
    None.

    ## Known problems
    Whether a function runs per request is guessed from its name and decorators; a helper that
    really runs once (a migration script's `do_work()`) is reported. Add `# noqa: APL301`.
    """

    code = "APL301"
    name = "client-per-call"
    message = "{what}; create it once and share it (or use `agentperf_lint.runtime.ConnectionPool`)"
    triggers = ("Session", "Client", "OpenAI", "Anthropic", "Redis", "redis", "asyncpg", "session(")

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        target = ctx.call_target(node)
        client = CLIENT_FACTORIES.get(target or "")
        if client is None:
            return
        usage, name, scope = self._usage(node)
        if usage is None:
            return
        function = enclosing_function(ctx)
        closed = usage == "with" or (
            usage == "local" and name is not None and _closed_in(function or ctx.module, name, scope))
        loops = loops_here(ctx) if ctx.loops else []
        if loops and not is_retry_loop(loops[-1]):
            if scope is not None and _serves_many(scope, name):
                return
            if function is not None and name is not None and name_escapes(name, function):
                return
            if _is_polling(loops[-1]) or _configured_per_item(node, loops[-1]):
                return
            fate = "created and discarded" if closed else "created and never closed"
            self.report(node, what=f"`{client}` is {fate} on every loop iteration")
            return
        if function is None or runs_once(function) or is_command_line_module(ctx) or in_script(ctx) or in_test_code(ctx):
            return
        if _fills_a_cache(function, node) or self._called_only_once(function) or self._in_fallback(function) or (
                made_when_none_given(ctx.ancestors)):
            return
        if name is not None and (name_escapes(name, function) or _is_parameter(name, function)):
            return
        if _serves_many(scope if scope is not None else function, name):
            return
        if (closed and checks_status_only(function)) or runs_in_fresh_loop(function, ctx.module):
            return
        if closed and name is not None and len(self.ctx.frames) == 2 and downloads_given_url(function, name):
            return
        if allows_long_calls(function, node, name):
            return
        caller = self._called_per_request(function)
        if closed:
            what = f"`{client}` is created, used and closed on every call of {caller}"
        else:
            what = (f"`{client}` is created on every call of {caller} and never "
                    "closed: each call leaves its connections open until garbage collection")
        self.report(node, what=what)

    def _in_fallback(self, function: cst.FunctionDef) -> bool:
        """Made in an ``except`` block of the function: a fallback that runs when the first
        attempt failed (``except ClientConnectorSSLError:`` retrying without verification), not
        on every call."""
        ancestors = self.ctx.ancestors
        start = next((i for i, node in enumerate(ancestors) if node is function), None)
        return start is not None and any(
            isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)) for node in ancestors[start:])

    def _called_only_once(self, function: cst.FunctionDef) -> bool:
        """A method whose every call in its class (``self.get_token_id()``) sits in a method that
        runs once (``login``, ``__init__``, ``start``): set-up split out of a set-up method."""
        frames = [frame for frame in self.ctx.frames if frame.kind != "comprehension"]
        if len(frames) < 2 or frames[-1].node is not function or frames[-2].kind != "class":
            return False
        cls = frames[-2].node
        if not isinstance(cls, cst.ClassDef):
            return False
        name, callers = function.name.value, 0
        for method in cls.body.body:
            if not isinstance(method, cst.FunctionDef) or method is function:
                continue
            calls = sum(
                1 for node in iter_tree(method)
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == name and isinstance(node.func.value, cst.Name)
                and node.func.value.value in ("self", "cls")
            )
            if calls and not runs_once(method):
                return False
            callers += calls
        return callers > 0

    def _called_per_request(self, function: cst.FunctionDef) -> str:
        """The function a caller calls, as the message names it: for a closure (``async def
        run(): ...`` handed to a retry helper inside ``fetch()``), the enclosing function,
        unless that one runs once (a constructor registering per-request callbacks) or returns
        the closure (a decorator's ``wrapper``, which is what callers then call)."""
        functions = [frame.node for frame in self.ctx.frames if frame.kind != "comprehension"]
        index = len(functions) - 1
        while index > 0 and functions[index] is not function:
            index -= 1
        caller, returned_by = function, None
        while index > 0:
            outer = functions[index - 1]
            if not isinstance(outer, cst.FunctionDef) or runs_once(outer):
                break
            if _returns_name(outer, caller.name.value):
                returned_by = outer
                break
            caller = outer
            index -= 1
        kind = "async " if caller.asynchronous is not None else ""
        named = f"{kind}`{caller.name.value}()`"
        return named if returned_by is None else f"{named} (returned by `{returned_by.name.value}()`)"

    def _usage(self, call: cst.Call) -> tuple[str | None, str | None, cst.CSTNode | None]:
        """How the new client is used: ``("with", name, with_body)`` (closed when the block or
        exit stack ends), ``("local", name, None)``,
        ``("direct", None, None)``; ``(None, ...)`` when it is kept or its fate is unclear."""
        ancestors = self.ctx.ancestors
        index = len(ancestors) - 2
        child: cst.CSTNode = call
        while index >= 0 and isinstance(ancestors[index], cst.Await):
            child = ancestors[index]
            index -= 1
        parent = ancestors[index] if index >= 0 else None
        if isinstance(parent, cst.WithItem):
            statement = ancestors[index - 1] if index >= 1 else None
            asname = parent.asname.name if parent.asname is not None else None
            body = statement.body if isinstance(statement, cst.With) else None
            return "with", asname.value if isinstance(asname, cst.Name) else None, body
        if isinstance(parent, cst.Assign) and parent.value is child:
            targets = [t.target for t in parent.targets]
            if len(targets) == 1 and isinstance(targets[0], cst.Name):
                return "local", targets[0].value, None
            return None, None, None
        if isinstance(parent, cst.AnnAssign) and parent.value is child and isinstance(parent.target, cst.Name):
            return "local", parent.target.value, None
        if isinstance(parent, cst.Attribute) and parent.value is child:
            return "direct", None, None
        if isinstance(parent, cst.Arg):
            outer = ancestors[index - 1] if index >= 1 else None
            if isinstance(outer, cst.Call) and last_name(outer.func) in ("enter_async_context", "enter_context"):
                return self._usage_of_stack_entry(outer, ancestors, index - 1)
            if isinstance(outer, cst.Call) and not is_constructor_name(outer.func):
                return None, None, None
        return None, None, None

    def _usage_of_stack_entry(
        self, call: cst.Call, ancestors: list[cst.CSTNode], index: int
    ) -> tuple[str | None, str | None, cst.CSTNode | None]:
        """``s = await stack.enter_async_context(ClientSession())``: closed with the stack."""
        index -= 1
        while index >= 0 and isinstance(ancestors[index], cst.Await):
            index -= 1
        parent = ancestors[index] if index >= 0 else None
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            return "with", parent.targets[0].target.value, None  # closed with the stack
        return None, None, None


def _serves_many(scope: cst.CSTNode, name: str | None) -> bool:
    """The client is used for a loop or a fan-out of requests: its set-up is amortised.

    With a known ``name``, only loops, fan-outs and nested callbacks that use it count (a loop
    over the chunks of one response does not).
    """
    for node in iter_tree(scope):
        if node is scope:
            continue
        many = isinstance(node, (cst.For, cst.While, cst.FunctionDef, cst.Lambda, *COMPREHENSIONS)) or (
            isinstance(node, cst.Call) and last_name(node.func) in _FAN_OUT
        )
        if many and (name is None or _uses(node, name)):
            return True
    return False


def _uses(node: cst.CSTNode, name: str) -> bool:
    inner = node.body if isinstance(node, (cst.For, cst.While)) else node
    return any(isinstance(child, cst.Name) and child.value == name for child in iter_tree(inner))


def _configured_per_item(call: cst.Call, loop: cst.CSTNode) -> bool:
    """The client is built from the item (``OpenAI(api_key=config.api_key,
    base_url=config.base_url)`` for each configured endpoint): each item needs its own client,
    so there is nothing to share across iterations."""
    if not isinstance(loop, cst.For) or not call.args:
        return False
    targets = {node.value for node in iter_tree(loop.target) if isinstance(node, cst.Name)}
    return any(isinstance(node, cst.Name) and node.value in targets
               for arg in call.args for node in iter_tree(arg.value))


def _returns_name(function: cst.FunctionDef, name: str) -> bool:
    """``return wrapper`` (also through ``functools.wraps(f)(...)``, ``cast(..., wrapper)``,
    ``update_wrapper(wrapper, f)``) in ``function``'s body;
    ``return await retry(run)`` calls the closure and returns its result instead."""
    for node in iter_tree(function.body):
        if not isinstance(node, cst.Return):
            continue
        value = node.value
        if isinstance(value, cst.Call) and value.args:
            if isinstance(value.func, cst.Call) and len(value.args) == 1:
                value = value.args[0].value  # functools.wraps(func)(wrapper)
            elif last_name(value.func) == "cast":
                value = value.args[-1].value  # typing.cast(Callable[...], wrapper)
            elif last_name(value.func) == "update_wrapper":
                value = value.args[0].value  # functools.update_wrapper(wrapper, func)
        if isinstance(value, cst.Name) and value.value == name:
            return True
    return False


def _closed_in(function: cst.CSTNode, name: str, scope: cst.CSTNode | None) -> bool:
    """``client.close()``/``await client.aclose()`` (often in a ``finally``), ``async with
    client:`` or ``contextlib.closing(client)`` somewhere in the function."""
    for node in iter_tree(function):
        if isinstance(node, cst.Call):
            func = node.func
            if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == name
                    and func.attr.value in ("close", "aclose", "__aexit__", "__exit__", "terminate")):
                return True
            if last_name(func) in ("closing", "aclosing") and any(
                    isinstance(arg.value, cst.Name) and arg.value.value == name for arg in node.args):
                return True
        elif isinstance(node, cst.WithItem) and isinstance(node.item, cst.Name) and node.item.value == name:
            return True
    return False


def _is_polling(loop: cst.CSTNode) -> bool:
    """A loop that sleeps between rounds and iterates over no items (``while ...:``, ``for _ in
    range(20):``): polling until a server is ready, or reconnecting; one client per round is the
    design, not a client per item."""
    if isinstance(loop, cst.For):
        target = loop.target
        if not (isinstance(target, cst.Name) and not _uses(loop, target.value)):
            return False
    elif not isinstance(loop, cst.While):
        return False
    return any(
        isinstance(node, cst.Call) and last_name(node.func) == "sleep" for node in iter_tree(loop.body)
    )


def _fills_a_cache(function: cst.FunctionDef, call: cst.Call) -> bool:
    """The function fetches on a cache miss only: it is named for filling a cache
    (``_fetch_and_cache_pricing_data``, ``refresh_cache``), or before the client is created it
    returns early from a cache (``if CACHE is not None and fresh: return CACHE``), or it
    refreshes module state (:func:`_refreshes_module_state`)."""
    if "cache" in function.name.value.lower() or _refreshes_module_state(function):
        return True
    for statement in function.body.body:
        if any(node is call for node in iter_tree(statement)):
            return False
        if isinstance(statement, cst.If) and _names_a_cache(statement.test) and any(
                isinstance(node, cst.Return) for node in iter_tree(statement.body)):
            return True
    return False


def _refreshes_module_state(function: cst.FunctionDef) -> bool:
    """``global _providers, _checksum`` and no value returned: the function loads what it
    fetches into module globals for every request to read, a sync run at start-up or on a
    schedule (``scheduler.add_job(sync, "interval", minutes=1)``), not once per request."""
    declares_global = False
    for node in iter_tree(function.body):
        if isinstance(node, cst.FunctionDef):
            return False
        if isinstance(node, cst.Global):
            declares_global = True
        elif isinstance(node, (cst.Return, cst.Yield)) and node.value is not None:
            return False
    return declares_global


def _names_a_cache(test: cst.BaseExpression) -> bool:
    return any(
        isinstance(node, cst.Name) and "cache" in node.value.lower()
        or isinstance(node, cst.Attribute) and "cache" in node.attr.value.lower()
        for node in iter_tree(test)
    )


def _is_parameter(name: str, function: cst.FunctionDef) -> bool:
    params = function.params
    return any(
        param.name.value == name
        for param in (*params.posonly_params, *params.params, *params.kwonly_params)
    )


ClientPerCall.VALID = (
    # made only when the caller gave no client: the shared one is already on offer
    Valid("""
        import httpx

        class Auth:
            def __init__(self, http_client: httpx.AsyncClient | None = None):
                self.http_client = http_client

            async def start(self, url):
                if self.http_client:
                    response = await self.http_client.post(url)
                else:
                    async with httpx.AsyncClient() as client:
                        response = await client.post(url)
                return response.json()

            async def poll(self, url):
                if self.http_client is None:
                    async with httpx.AsyncClient() as client:
                        return (await client.get(url)).json()
                return (await self.http_client.get(url)).json()
    """),
    Valid("""
        import httpx

        async def fetch(url, client=None):
            client = client or httpx.AsyncClient()
            return (await client.get(url)).json()
    """),
    # created once, in a constructor / __aenter__ / lifespan / fixture / main / factory
    Valid("""
        import aiohttp

        class Agent:
            def __init__(self):
                self.session = aiohttp.ClientSession()
    """),
    Valid("""
        import aiohttp

        class Agent:
            async def __aenter__(self):
                self._session = aiohttp.ClientSession()
                return self
    """),
    Valid("""
        import contextlib
        import httpx

        @contextlib.asynccontextmanager
        async def lifespan(app):
            async with httpx.AsyncClient() as client:
                app.state.client = client
                yield
    """),
    Valid("""
        import httpx
        import pytest

        @pytest.fixture
        async def client():
            async with httpx.AsyncClient() as c:
                yield c
    """),
    Valid("""
        import asyncio
        import aiohttp

        async def main():
            async with aiohttp.ClientSession() as session:
                await run_agents(session)

        if __name__ == "__main__":
            asyncio.run(main())
    """),
    Valid("""
        import httpx

        def make_client(base_url):
            return httpx.AsyncClient(base_url=base_url)
    """),
    Valid("""
        import httpx

        def make_client(base_url):
            client = httpx.AsyncClient(base_url=base_url)
            client.headers["x-agent"] = "1"
            return client
    """),
    Valid("""
        import openai

        client = openai.AsyncOpenAI()

        async def ask(prompt):
            return await client.responses.create(model="m", input=prompt)
    """),
    Valid("""
        import aiohttp

        _session = None

        async def get_session():
            global _session
            if _session is None:
                _session = aiohttp.ClientSession()
            return _session
    """),
    Valid("""
        import redis.asyncio as redis

        class Store:
            async def connect(self):
                self.redis = redis.Redis()
    """),
    Valid("""
        import httpx

        async def build(config):
            return Orchestrator(client=httpx.AsyncClient(), config=config)
    """),
    Valid("""
        import aiohttp

        def _new_session(self):
            session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
            return _LoopSession(session, self.limit)
    """),
    Valid("""
        import httpx

        async def build(hosts):
            clients = []
            for host in hosts:
                clients.append(httpx.AsyncClient(base_url=host))
            return clients
    """),
    Valid("""
        import httpx

        def pool(hosts):
            return {host: httpx.Client(base_url=host) for host in hosts}
    """),
    Valid("""
        import httpx

        async def fetch(url, client=None):
            if client is None:
                client = httpx.AsyncClient()
            return await client.get(url)
    """),
    Valid("""
        import aiohttp

        async def crawl(urls):
            async with aiohttp.ClientSession() as session:
                for url in urls:
                    await session.get(url)
    """),
    Valid("""
        import asyncio
        import aiohttp

        async def crawl(urls):
            async with aiohttp.ClientSession() as session:
                return await asyncio.gather(*(fetch(session, u) for u in urls))
    """),
    Valid("""
        import asyncio
        import aiohttp

        async def watch(url):
            while True:
                async with aiohttp.ClientSession() as session:
                    await session.get(url)
                await asyncio.sleep(60)
    """),
    Valid("""
        import asyncio
        import aiohttp

        async def wait_until_ready(port):
            for _ in range(20):
                try:
                    async with aiohttp.ClientSession() as session:
                        async with session.get(f"http://localhost:{port}/json/version") as response:
                            if response.status == 200:
                                return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(1)
    """),
    Valid("""
        import aiohttp

        async def per_host(hosts, paths):
            for host in hosts:
                async with aiohttp.ClientSession(base_url=host) as session:
                    for path in paths:
                        await session.get(path)
    """),
    Valid("""
        import httpx

        async def test_health(app):
            async with httpx.AsyncClient(app=app) as client:
                assert (await client.get("/health")).status_code == 200
    """),
    Valid("""
        from fastapi import FastAPI
        import httpx

        app = FastAPI()

        @app.on_event("startup")
        async def open_clients():
            app.state.client = httpx.AsyncClient()
    """),
    Valid("""
        import aiohttp

        session = aiohttp.ClientSession()
    """),
    Valid("""
        import httpx

        async def get_http_client():
            async with httpx.AsyncClient(timeout=10) as client:
                yield client
    """),
    Valid("""
        import click
        import requests

        @click.command()
        def sync(url):
            with requests.Session() as session:
                session.get(url, timeout=5)
    """),
    Valid("""
        import asyncpg

        class Database:
            async def start(self, dsn):
                self.pool = await asyncpg.create_pool(dsn)
    """),
    Valid("""
        def f(ClientSession):
            async def g():
                async with ClientSession() as s:
                    await s.get("u")
            return g
    """),
)

ClientPerCall.VALID += (
    # a command-line tool: one call per invocation of the process
    Valid("""
        import httpx
        import typer

        def run_identify(name: str) -> None:
            with httpx.Client(timeout=30.0) as client:
                client.patch("https://api/agent", json={"name": name})
    """),
    # logging in or out: once per session of the bot or client, not per request
    Valid("""
        import aiohttp

        class WeChatClient:
            async def login(self):
                async with aiohttp.ClientSession() as session:
                    async with session.post(self.base_url + "/login", json=self.credentials) as r:
                        self.token = (await r.json())["token"]
    """),
    # a method called only from set-up methods of its class runs once too
    Valid("""
        import aiohttp

        class WeChatClient:
            async def get_token_id(self):
                async with aiohttp.ClientSession() as session:
                    async with session.post(self.base_url + "/tools/getTokenId") as r:
                        self.token = (await r.json())["data"]

            async def login(self):
                if not self.token:
                    await self.get_token_id()
    """),
    # a fetch on a cache miss only: the cached value is returned first
    Valid("""
        import time
        import httpx

        _MODELS_CACHE = None
        _FETCHED_AT = 0.0

        async def models_metadata():
            global _MODELS_CACHE, _FETCHED_AT
            if _MODELS_CACHE is not None and time.monotonic() - _FETCHED_AT < 3600:
                return _MODELS_CACHE
            async with httpx.AsyncClient() as client:
                _MODELS_CACHE = (await client.get("https://openrouter.ai/api/v1/models", timeout=30)).json()
            _FETCHED_AT = time.monotonic()
            return _MODELS_CACHE
    """),
    Valid("""
        import httpx

        class Prices:
            async def _fetch_and_cache_pricing_data(self):
                async with httpx.AsyncClient() as client:
                    self._write_cache((await client.get(self.pricing_url, timeout=30)).json())
    """),
    # a factory returning the client wrapped: the caller owns its lifetime
    Valid("""
        import instructor
        from openai import OpenAI

        def get_client(api_key):
            client = OpenAI(api_key=api_key)
            return instructor.from_openai(client)
    """),
    # a script (an example run by hand): its tool functions serve one person's run
    Valid("""
        import asyncio
        import httpx

        async def search_web(query):
            async with httpx.AsyncClient() as client:
                return (await client.post("https://search.example/api", json={"q": query})).json()

        async def main():
            print(await search_web("influencers"))

        if __name__ == "__main__":
            asyncio.run(main())
    """),
    # a sync that loads what it fetches into module globals (run at start-up or on a schedule)
    Valid("""
        import aiohttp

        _plugins = []

        async def sync_plugins(base_url):
            global _plugins
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{base_url}/v1/plugins") as response:
                    _plugins = sorted((await response.json())["data"], key=lambda p: p["id"])
    """),
    # run once in a thread of its own with its own loop: Thread(target=asyncio.run, args=(...,))
    Valid("""
        import asyncio
        import threading
        import aiohttp

        class Gateway:
            async def _register_callback(self):
                async with aiohttp.ClientSession() as session:
                    async with session.post(f"{self.base}/callback", json={"url": self.callback}) as r:
                        self.registered = (await r.json())["ok"]

            def run(self):
                threading.Thread(target=asyncio.run, args=(self._register_callback(),)).start()
    """),
    # a client per configured endpoint: built from the item, nothing to share
    Valid("""
        import openai

        def list_models(configs):
            for config in configs:
                client = openai.OpenAI(api_key=config.api_key, base_url=config.base_url)
                config.models = [model.id for model in client.models.list()]
    """),
    # a long job: a request allowed an hour
    Valid("""
        import httpx

        class Graphs:
            async def cluster(self, relationships):
                async with httpx.AsyncClient() as client:
                    response = await client.post(f"{self.endpoint}/cluster", json=relationships, timeout=3600)
                    response.raise_for_status()
                return response.json()["communities"]
    """),
    # a download helper: a module-level function fetching whatever URL it is given, no payload
    Valid("""
        import aiohttp

        async def download_image(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.read()
    """),
    # a check: no body read, the status decides (credentials verified when a user saves them)
    Valid("""
        from aiohttp import ClientSession

        class WeatherBundle:
            async def verify(self, credentials):
                url = f"https://api.weather.example/now?key={credentials['API_KEY']}"
                async with ClientSession() as session:
                    async with session.get(url) as response:
                        if response.status != 200:
                            raise CredentialsError(await response.text())
    """),
    # a health probe answering yes or no
    Valid("""
        import httpx

        async def is_reachable(base_url):
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(f"{base_url}/health")
                return response.status_code == 200
    """),
    # each call runs in its own event loop (asyncio.run): an async client cannot outlive it
    Valid("""
        import asyncio
        import aiohttp

        class SerperSearch:
            def search(self, query):
                return asyncio.run(self.fetch(query))

            async def fetch(self, query):
                async with aiohttp.ClientSession() as session:
                    async with session.post("https://google.serper.dev/search", params={"q": query}) as r:
                        return await r.json()
    """),
)

ClientPerCall.INVALID = (
    Invalid("""
        import httpx

        class Auth:
            async def ask(self, url):
                if self.debug:
                    print(url)
                else:
                    async with httpx.AsyncClient() as client:
                        return (await client.post(url)).json()
    """, line=8, column=24, message_contains="every call of async `ask()`"),
    Invalid("""
        import aiohttp

        async def ask_tool(url, query):
            async with aiohttp.ClientSession() as session:
                async with session.get(url, params={"q": query}) as response:
                    return await response.json()
    """, line=4, column=16, message_contains="every call of async `ask_tool()`"),
    Invalid("""
        import httpx

        async def fetch_all(urls):
            results = []
            for url in urls:
                async with httpx.AsyncClient() as client:
                    results.append(await client.get(url))
            return results
    """, line=6, column=20, message_contains="every loop iteration"),
    Invalid("""
        from openai import AsyncOpenAI

        async def summarise(text):
            client = AsyncOpenAI()
            response = await client.responses.create(model="m", input=text)
            return response.output_text
    """, line=4, column=14, message_contains="created on every call of async `summarise()` and never closed"),
    Invalid("""
        import requests

        def download(urls):
            return [requests.Session().get(u).text for u in urls]
    """, line=4, column=13),
    Invalid("""
        import asyncpg

        async def load_user(dsn, user_id):
            conn = await asyncpg.connect(dsn)
            try:
                return await conn.fetchrow("select * from users where id = $1", user_id)
            finally:
                await conn.close()
    """, line=4, column=18),
    Invalid("""
        import redis.asyncio as aioredis

        class Handler:
            async def get(self, key):
                r = aioredis.Redis()
                return await r.get(key)
    """, line=5, column=13),
    Invalid("""
        from aiohttp import web, ClientSession

        async def handle(request):
            async with ClientSession() as session:
                async with session.get("http://llm/v1") as r:
                    return web.json_response(await r.json())
    """, line=4, column=16),
    Invalid("""
        import anthropic

        async def main(prompts):
            for prompt in prompts:
                client = anthropic.AsyncAnthropic()
                await client.messages.create(model="m", max_tokens=10, messages=[prompt])
    """, line=5, column=18),
    Invalid("""
        import aiohttp

        class Indexer:
            async def download(self, assets):
                for asset in assets:
                    async with aiohttp.ClientSession() as session:
                        async with session.get(asset.url) as response:
                            async for chunk in response.content.iter_chunked(8192):
                                self.write(asset, chunk)
    """, line=6, column=24, message_contains="every loop iteration"),
    Invalid("""
        import contextlib
        import httpx

        async def call(url, query):
            async with contextlib.AsyncExitStack() as stack:
                client = await stack.enter_async_context(httpx.AsyncClient())
                return await client.get(url, params={"q": query})
    """, line=6, column=50),
    # never closed: worse than closed per call, and said so
    Invalid("""
        import httpx

        def status(url):
            return httpx.Client().get(url).status_code
    """, line=4, column=12, message_contains="and never closed"),
    # closed in a finally: created, used and closed
    Invalid("""
        import httpx

        def fetch(url, query):
            client = httpx.Client()
            try:
                return client.get(url, params={"q": query}).json()
            finally:
                client.close()
    """, line=4, column=14, message_contains="created, used and closed on every call of `fetch()`"),
    # a decorator's wrapper: what callers call is the wrapper the decorator returns
    Invalid("""
        import functools
        import aiohttp

        def with_http(func):
            @functools.wraps(func)
            async def wrapper(*args, **kwargs):
                async with aiohttp.ClientSession() as session:
                    return await func(*args, session=session, **kwargs)
            return wrapper
    """, line=7, column=20, message_contains="every call of async `wrapper()` (returned by `with_http()`)"),
    # a retry closure: the function called per request is the one around it
    Invalid("""
        import aiohttp

        async def fetch(url, retry):
            async def run():
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.json()
            return await retry(run)
    """, line=5, column=20, message_contains="every call of async `fetch()`"),
    Invalid("""
        import httpx

        async def fetch_all(urls):
            for url in urls:
                client = httpx.AsyncClient()
                await client.get(url)
    """, line=5, column=18, message_contains="created and never closed on every loop iteration"),
    # one caller that runs per request is enough
    Invalid("""
        import aiohttp

        class WeChatClient:
            async def check_online(self):
                async with aiohttp.ClientSession() as session:
                    async with session.post(self.base_url + "/login/checkOnline") as r:
                        return (await r.json())["data"]

            async def login(self):
                await self.check_online()

            async def send(self, text):
                if await self.check_online():
                    await self.post_text(text)
    """, line=5, column=20, message_contains="every call of async `check_online()`"),
    # the normal path of a function with a fallback is still per call
    Invalid("""
        import aiohttp

        async def download(path):
            try:
                async with aiohttp.ClientSession() as session:
                    return await (await session.get(f"{ASSETS}/{path}")).read()
            except aiohttp.ClientConnectorSSLError:
                async with aiohttp.ClientSession() as session:
                    return await (await session.get(f"{ASSETS}/{path}", ssl=False)).read()
    """, line=5, column=20, message_contains="every call of async `download()`"),
    # a cache consulted after the client is made does not save the client
    Invalid("""
        import httpx

        async def lookup(key, cache):
            async with httpx.AsyncClient() as client:
                if key in cache:
                    return cache[key]
                return (await client.get(f"https://api/{key}")).json()
    """, line=4, column=16, message_contains="every call of async `lookup()`"),
    # a loop over items that sleeps between them (rate limiting) still makes a client per item
    Invalid("""
        import asyncio
        import httpx

        async def notify(urls):
            for url in urls:
                async with httpx.AsyncClient() as client:
                    await client.post(url)
                await asyncio.sleep(1)
    """, line=6, column=20, message_contains="every loop iteration"),

    # a global read, not written, and the data returned: a per-request fetch
    Invalid("""
        import aiohttp

        _BASE = "https://api.example"

        async def lookup(key):
            global _BASE
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{_BASE}/{key}") as response:
                    return await response.json()
    """, line=7, column=16, message_contains="every call of async `lookup()`"),
    # a client class's method fetching a page: its calls go to the same few hosts
    Invalid("""
        from aiohttp import ClientSession

        class SearchEngine:
            async def get_html(self, url):
                async with ClientSession() as session:
                    async with session.get(url, headers=self.headers) as response:
                        return await response.text()
    """, line=5, column=20, message_contains="every call of async `get_html()`"),
    # an ordinary timeout is not a long job
    Invalid("""
        import httpx

        class Graphs:
            async def neighbours(self, node):
                async with httpx.AsyncClient(timeout=30) as client:
                    response = await client.get(f"{self.endpoint}/nodes/{node}", timeout=60)
                    return response.json()
    """, line=5, column=20, message_contains="every call of async `neighbours()`"),
    # a send whose status decides nothing is not a check
    Invalid("""
        import aiohttp

        async def upload_metrics(payload):
            async with aiohttp.ClientSession() as session:
                async with session.post("https://stats.example/v1", json=payload) as response:
                    if response.status != 200:
                        pass
    """, line=4, column=16, message_contains="every call of async `upload_metrics()`"),
    # a status check that also returns the body is a fetch
    Invalid("""
        import aiohttp

        async def search(query):
            async with aiohttp.ClientSession() as session:
                async with session.get("https://api.example/search", params={"q": query}) as response:
                    if response.status != 200:
                        raise RuntimeError(await response.text())
                    return await response.json()
    """, line=4, column=16, message_contains="every call of async `search()`"),
    # awaited in the running loop as well as run with asyncio.run: shareable there
    Invalid("""
        import asyncio
        import aiohttp

        class Search:
            def search(self, query):
                return asyncio.run(self.fetch(query))

            async def search_async(self, query):
                return await self.fetch(query)

            async def fetch(self, query):
                async with aiohttp.ClientSession() as session:
                    async with session.get("https://api.example", params={"q": query}) as r:
                        return await r.json()
    """, line=12, column=20, message_contains="every call of async `fetch()`"),
)
