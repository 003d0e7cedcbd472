"""APL306: HTTP calls and clients with no timeout."""

from __future__ import annotations

import libcst as cst

from ..rule import Invalid, Option, Rule, Valid
from ..walker import iter_tree
from ._loops import in_test_code
from ._reuse import enclosing_function, in_notebook, in_script, is_command_line_module

_REQUESTS_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_HTTPX_CALLS = frozenset({
    "httpx.Client", "httpx.AsyncClient", "httpx.get", "httpx.post", "httpx.put", "httpx.patch",
    "httpx.delete", "httpx.head", "httpx.options", "httpx.request", "httpx.stream",
})
_HTTPX_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})
_AIOHTTP_SESSIONS = frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"})
_AIOHTTP_REQUESTS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect"})
_AIOHTTP_TIMEOUTS = frozenset({"aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"})


class HttpWithoutTimeout(Rule):
    """## What it does
    Reports HTTP requests and clients that can wait forever. These are:

    - `requests` calls (`requests.get(...)`, `session.post(...)` on a `requests.Session`) without
      `timeout=`, or with `timeout=None` (`requests` has no default timeout);
    - `aiohttp.ClientSession(timeout=None)`, and `aiohttp.ClientTimeout(...)` with neither
      `total` nor `sock_read` set (no limit at all);
    - `httpx` clients and calls with an explicit `timeout=None` (httpx's own default, 5 s, is
      fine and not reported).

    A library default that bounds the wait is not reported: httpx's 5 seconds, and aiohttp's
    `ClientSession()` without `timeout=` (5 minutes in total, 30 s to connect; Home Assistant's
    `async_get_clientsession` keeps it). Teams for which 5 minutes is too long set
    `report-aiohttp-default = true`; a session whose requests in the same function all pass
    `timeout=` is not reported even then.

    Not reported either, because nobody waits on them in a service: test code (test modules,
    `conftest.py`, `test_*` functions), a command-line module (it imports `typer`, `click`,
    `argparse`, `fire` or `docopt`) and a script (a module with `if __name__ == "__main__":`:
    a dev tool, a build step, a health probe; unless that block starts a server,
    `serve_forever()`, `web.run_app(app)`, `uvicorn.run(app)`, `bot.run(token)`), and a Jupyter
    notebook (its cells run one at a time, watched by the person who can interrupt them).
    Calls that pass `**kwargs` are not reported: the timeout may be in them.

    ## Why is this bad?
    An agent waiting on a server that never answers holds its task, its concurrency slot and
    its connection until the process is restarted; with a bounded worker pool, a handful of
    stuck calls stop the whole service. A timeout turns the hang into an error the agent can
    retry or report.

    ## Example
    ```python
    import aiohttp
    import requests

    def get_weather(city):
        return requests.get("https://weather.example", params={"q": city}).json()

    async def make_session():
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(connect=5))
    ```

    ## Use instead
    ```python
    import aiohttp
    import requests

    def get_weather(city):
        return requests.get("https://weather.example", params={"q": city}, timeout=10).json()

    async def make_session():
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(connect=5, total=30))
    ```

    ## Fix safety
    No fix: the right timeout depends on the service.

    ## Options
    - `report-aiohttp-default` (`[tool.agentperf-lint.http-timeouts]`, default `false`): also
      report `aiohttp.ClientSession()` without `timeout=` (aiohttp's default: 5 minutes per
      request).

    ## References
    ruff's S113 (`request-without-timeout`, from flake8-bandit) reports the `requests` part
    (ruff does not enable it by default); this rule adds `requests.Session` methods and aiohttp.

    ## Known problems
    A script is recognised by its `__main__` guard: a library module with a demo `__main__`
    block is treated as a script too, and so is a service whose main block only calls
    `asyncio.run(main())` (the server is started inside `main`). With `report-aiohttp-default = true`, a session stored for
    later (`self.session = ClientSession()`) is reported even when every request passes
    `timeout=`: the requests are in other functions.
    """

    code = "APL306"
    name = "http-without-timeout"
    message = "{what}: a server that never answers blocks this call forever{hint}"
    triggers = ("requests", "aiohttp", "httpx", "ClientSession", "ClientTimeout")
    options_table = "http-timeouts"
    options = (Option("report-aiohttp-default", bool, False,
                      "also report aiohttp.ClientSession() without timeout= (5 minutes per request)"),)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        target = ctx.call_target(node)
        if target is None or any(arg.star == "**" for arg in node.args):
            return
        if not (_is_requests_call(target) or target in _AIOHTTP_SESSIONS or target in _AIOHTTP_TIMEOUTS
                or _is_httpx(target)):
            return  # not an HTTP call (asked first: the checks below scan the module)
        if in_test_code(ctx) or is_command_line_module(ctx) or in_script(ctx) or in_notebook(ctx):
            return
        timeout = _keyword(node, "timeout")
        if _is_requests_call(target):
            if timeout is None:
                self.report(node, what=f"`{_short(target)}()` has no timeout", hint="; pass `timeout=`")
            elif _is_none(timeout):
                self.report(node, what=f"`{_short(target)}(timeout=None)` disables the timeout", hint="")
        elif target in _AIOHTTP_SESSIONS:
            if timeout is None:
                if not self.settings["report-aiohttp-default"] or self._requests_all_bounded(node):
                    return
                self.report(
                    node,
                    message="`aiohttp.ClientSession()` without `timeout=` waits up to 5 minutes per "
                    "request; pass `timeout=aiohttp.ClientTimeout(total=...)`",
                )
            elif _is_none(timeout):
                self.report(node, what="`aiohttp.ClientSession(timeout=None)` disables the timeout", hint="")
        elif target in _AIOHTTP_TIMEOUTS:
            total, sock_read = _keyword(node, "total"), _keyword(node, "sock_read")
            positional = [arg for arg in node.args if arg.keyword is None]
            bounded = (
                (positional and not _is_none(positional[0].value))
                or (total is not None and not _is_none(total))
                or (sock_read is not None and not _is_none(sock_read))
            )
            if not bounded:
                self.report(node, what="`aiohttp.ClientTimeout()` without `total` or `sock_read` sets no limit",
                            hint="; set `total=`")
        elif timeout is not None and _is_none(timeout) and _is_httpx(target):
            self.report(node, what=f"`{_short(target)}(timeout=None)` disables httpx's default timeout", hint="")

    def _requests_all_bounded(self, session: cst.Call) -> bool:
        """``async with ClientSession() as s:`` or ``s = ClientSession()`` whose requests on ``s``
        in this function each pass ``timeout=`` (or ``**kwargs``): every request is bounded."""
        name = _bound_name(self.ctx.ancestors, session)
        function = enclosing_function(self.ctx)
        if name is None or function is None:
            return False
        requests = [
            node for node in iter_tree(function)
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name) and node.func.value.value == name
            and node.func.attr.value in _AIOHTTP_REQUESTS
        ]
        return bool(requests) and all(
            any(arg.star == "**" for arg in call.args)
            or ((value := _keyword(call, "timeout")) is not None and not _is_none(value))
            for call in requests
        )


def _bound_name(ancestors: list[cst.CSTNode], call: cst.Call) -> str | None:
    """The local name the new session is bound to (``as s`` or ``s = ...``), if any."""
    parent = ancestors[-2] if len(ancestors) >= 2 else None
    if isinstance(parent, cst.WithItem) and parent.asname is not None and isinstance(parent.asname.name, cst.Name):
        return parent.asname.name.value
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        return parent.targets[0].target.value
    return None


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _is_requests_call(target: str) -> bool:
    library, _, verb = target.rpartition(".")
    if verb not in _REQUESTS_VERBS:
        return False
    return library in ("requests", "requests.api", "requests.Session", "requests.session", "requests.sessions.Session")


def _is_httpx(target: str) -> bool:
    if target in _HTTPX_CALLS:
        return True
    owner, _, method = target.rpartition(".")
    return owner in ("httpx.Client", "httpx.AsyncClient") and method in _HTTPX_METHODS


def _short(target: str) -> str:
    return target.replace("requests.Session.", "Session.").replace("requests.session.", "Session.")


HttpWithoutTimeout.VALID = (
    Valid("import requests\nrequests.get('https://x', timeout=10)\n"),
    Valid("import requests\ndef f(**kw):\n    return requests.get('https://x', **kw)\n"),
    Valid("import requests\ns = requests.Session()\ns.get('https://x', timeout=(3, 30))\n"),
    Valid("import aiohttp\nasync def f():\n    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))\n"),
    Valid("import aiohttp\nt = aiohttp.ClientTimeout(sock_read=30)\n"),
    Valid("import aiohttp\nt = aiohttp.ClientTimeout(30)\n"),
    Valid("import httpx\nc = httpx.AsyncClient()\n"),
    Valid("import httpx\nc = httpx.Client(timeout=10)\nc.get('https://x', timeout=5)\n"),
    Valid("def f(requests):\n    requests.get('https://x')\n"),
    Valid("import requests\nrequests.codes.get('ok')\n"),
    # aiohttp's default bounds every request (5 minutes in total): reported only on request
    Valid("import aiohttp\nasync def f():\n    return aiohttp.ClientSession()\n"),
    Valid("""
        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as response:
                    return await response.read()
    """, options={"report-aiohttp-default": True}),
    # a script: run once by a person, a build step or a health probe (also its classes)
    Valid("""
        import asyncio
        import requests

        class Crowdin:
            def projects(self):
                return requests.get("https://api.crowdin.com/api/v2/projects").json()

        async def main():
            print(Crowdin().projects())

        if __name__ == "__main__":
            asyncio.run(main())
    """),
    Valid("""
        import sys
        import requests

        def main():
            sys.exit(0 if requests.get("http://127.0.0.1:9000/health").ok else 1)

        if __name__ == "__main__":
            main()
    """),
    # a command-line tool
    Valid("""
        import click
        import requests

        @click.command()
        def pull(url):
            print(requests.get(url).text)
    """),
    # test code
    Valid("""
        import requests

        def test_health(live_server):
            assert requests.get(live_server.url).ok
    """),
)

HttpWithoutTimeout.INVALID = (
    Invalid("import requests\n\nr = requests.get('https://x')\n", line=3, column=5,
            message_contains="`requests.get()` has no timeout"),
    Invalid("from requests import post\n\npost('https://x', json={})\n", line=3, column=1),
    Invalid("import requests\n\nrequests.put('https://x', timeout=None)\n", line=3, column=1,
            message_contains="timeout=None"),
    Invalid("import requests\n\ns = requests.Session()\ns.get('https://x')\n", line=4, column=1,
            message_contains="Session.get"),
    Invalid("import aiohttp\n\nasync def f():\n    return aiohttp.ClientSession()\n", line=4, column=12,
            message_contains="5 minutes", options={"report-aiohttp-default": True}),
    Invalid("""
        import aiohttp

        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.read()
    """, line=4, column=16, message_contains="5 minutes", options={"report-aiohttp-default": True}),
    Invalid("import aiohttp\n\nasync def f():\n    return aiohttp.ClientSession(timeout=None)\n", line=4, column=12,
            message_contains="disables the timeout"),
    # a module that runs itself to serve requests is a service, not a script
    Invalid("""
        from http.server import BaseHTTPRequestHandler, HTTPServer
        import requests

        def upstream(path):
            return requests.get("https://upstream" + path).content

        class Proxy(BaseHTTPRequestHandler):
            def do_GET(self):
                self.wfile.write(upstream(self.path))

        if __name__ == "__main__":
            HTTPServer(("", 8000), Proxy).serve_forever()
    """, line=5, column=12, message_contains="has no timeout"),
    Invalid("""
        import requests
        import uvicorn
        from fastapi import FastAPI

        app = FastAPI()

        @app.get("/weather")
        def weather(city: str):
            return requests.get("https://weather.example", params={"q": city}).json()

        if __name__ == "__main__":
            uvicorn.run(app)
    """, line=9, column=12),
    Invalid("import aiohttp\n\nt = aiohttp.ClientTimeout(connect=5)\n", line=3, column=5),
    Invalid("import aiohttp\n\nt = aiohttp.ClientTimeout(total=None)\n", line=3, column=5),
    Invalid("import httpx\n\nc = httpx.AsyncClient(timeout=None)\n", line=3, column=5),
    Invalid("import httpx\n\nc = httpx.Client()\nc.get('https://x', timeout=None)\n", line=4, column=1),
)
