"""APL306: HTTP calls and clients with no timeout."""

from __future__ import annotations

import libcst as cst

from ..rule import Invalid, Rule, Valid

_REQUESTS_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_HTTPX_CALLS = frozenset({
    "httpx.Client", "httpx.AsyncClient", "httpx.get", "httpx.post", "httpx.put", "httpx.patch",
    "httpx.delete", "httpx.head", "httpx.options", "httpx.request", "httpx.stream",
})
_HTTPX_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})
_AIOHTTP_SESSIONS = frozenset({"aiohttp.ClientSession", "aiohttp.client.ClientSession"})
_AIOHTTP_TIMEOUTS = frozenset({"aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"})


class HttpWithoutTimeout(Rule):
    """## What it does
    Reports HTTP requests and clients that can wait forever, or for minutes. These are:

    - `requests` calls (`requests.get(...)`, `session.post(...)` on a `requests.Session`) without
      `timeout=`, or with `timeout=None` (`requests` has no default timeout);
    - `aiohttp.ClientSession(...)` without `timeout=` (the default is 5 minutes in total), and
      `aiohttp.ClientTimeout(...)` with neither `total` nor `sock_read` set (no limit at all);
    - `httpx` clients and calls with an explicit `timeout=None` (httpx's own default, 5 s, is
      fine and not reported).

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
        return aiohttp.ClientSession()
    ```

    ## Use instead
    ```python
    import aiohttp
    import requests

    def get_weather(city):
        return requests.get("https://weather.example", params={"q": city}, timeout=10).json()

    async def make_session():
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    ```

    ## Fix safety
    No fix: the right timeout depends on the service.

    ## Options
    None.

    ## References
    ruff's S113 (`request-without-timeout`, from flake8-bandit) reports the `requests` part
    (ruff does not enable it by default); this rule adds `requests.Session` methods and aiohttp.

    ## Known problems
    An `aiohttp.ClientSession()` whose requests each pass `timeout=` is reported although every
    request is bounded (both such findings in the evaluation corpus were of this kind: the
    vendored `httpx_aiohttp` transports of openai and anthropic).
    """

    code = "APL306"
    name = "http-without-timeout"
    message = "{what}: a server that never answers blocks this call forever{hint}"
    triggers = ("requests", "aiohttp", "httpx", "ClientSession", "ClientTimeout")

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        target = ctx.call_target(node)
        if target is None or any(arg.star == "**" for arg in node.args):
            return
        timeout = _keyword(node, "timeout")
        if _is_requests_call(target):
            if timeout is None:
                self.report(node, what=f"`{_short(target)}()` has no timeout", hint="; pass `timeout=`")
            elif _is_none(timeout):
                self.report(node, what=f"`{_short(target)}(timeout=None)` disables the timeout", hint="")
        elif target in _AIOHTTP_SESSIONS:
            if timeout is None:
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
            message_contains="5 minutes"),
    Invalid("import aiohttp\n\nt = aiohttp.ClientTimeout(connect=5)\n", line=3, column=5),
    Invalid("import aiohttp\n\nt = aiohttp.ClientTimeout(total=None)\n", line=3, column=5),
    Invalid("import httpx\n\nc = httpx.AsyncClient(timeout=None)\n", line=3, column=5),
    Invalid("import httpx\n\nc = httpx.Client()\nc.get('https://x', timeout=None)\n", line=4, column=1),
)
