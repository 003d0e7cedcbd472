"""APL302: module-level ``requests.get``/``httpx.get`` (a new connection each time) in a loop."""

from __future__ import annotations

import libcst as cst

from ..rule import Invalid, Rule, Valid
from ..walker import iter_tree
from ._loops import in_test_code
from ._reuse import (
    contains_sleep,
    in_script,
    is_command_line_module,
    is_retry_loop,
    loops_here,
    runs_at_import,
    tries_until_success,
)

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
_SESSIONS = {"requests": "requests.Session", "httpx": "httpx.Client"}


class RequestsInLoop(Rule):
    """## What it does
    Reports `requests.get()`-style module-level request functions called inside a loop. These
    are `requests.get`, `requests.post`, ..., `requests.request` and the same functions of
    `httpx` (`httpx.get`, ...), called directly or by a sync helper of the project (the message
    then shows the chain, `fetch() -> requests.get()`).

    ## Why is this bad?
    Each module-level call builds a throw-away session (`requests`) or client (`httpx`) and
    closes it, so no connection is ever reused: every iteration pays a new TCP connection and TLS
    handshake to the same host. A `requests.Session`/`httpx.Client` created before the loop keeps
    the connections alive; the iterations are independent, so they can usually also run
    concurrently (`httpx.AsyncClient` with `asyncio.gather` and a semaphore).

    Retry loops (`for attempt in range(3)`, `for _ in range(MAX_RETRIES)`, `for i in range(3):`
    around a `try` that leaves on success) and `while` loops that sleep are not reported: a
    polling loop pays one request per round by design. Pagination (a `while` loop, a loop that
    stops on an empty page, or a request reading the cursor, page token or next URL of the
    previous response) is reported for the session only: each page needs the previous one, so
    the message does not suggest running the requests concurrently.

    Not reported in code run once by a person or a build rather than per request of a service:
    test code, a command-line module (it imports `typer`, `click`, `argparse`, `fire` or
    `docopt`), a script (a module with `if __name__ == "__main__":` whose main block starts
    no server) and a loop at module level (no function around it: the file's top-level code,
    run once when the file is run, such as an admin script approving pending requests).

    ## Example
    ```python
    import requests

    def fetch_documents(urls):
        return [requests.get(url, timeout=10).json() for url in urls]
    ```

    ## Use instead
    ```python
    import requests

    def fetch_documents(urls):
        with requests.Session() as session:
            return [session.get(url, timeout=10).json() for url in urls]
    ```

    ## Fix safety
    No fix: the session has to be created (and closed) around the loop.

    ## Options
    None.

    ## Known problems
    A script is recognised by its `__main__` guard: a library module with a demo `__main__`
    block, or a service whose main block only calls `asyncio.run(main())`, is treated as a
    script too.
    """

    code = "APL302"
    name = "requests-in-loop"
    message = (
        "`{call}()` in a loop opens a new connection every iteration; create a `{session}` "
        "before the loop and reuse it{concurrency}"
    )
    # project helpers that make the request elsewhere are found through the project model
    triggers = ("requests", "httpx", "for ", "while ")

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        if not ctx.loops:
            return
        loops = loops_here(ctx)
        if not loops:
            return
        target = ctx.qualified_name(node.func)
        if target is None or not target.startswith(("requests.", "httpx.")):
            self._helper_in_loop(node, loops[-1])
            return
        library, _, verb = target.rpartition(".")
        if library not in _SESSIONS or verb not in _VERBS:
            return
        loop = loops[-1]
        if (isinstance(loop, cst.While) and contains_sleep(loop.body)) or is_retry_loop(loop) or tries_until_success(loop):
            return
        if in_test_code(ctx) or is_command_line_module(ctx) or in_script(ctx) or runs_at_import(ctx):
            return
        concurrency = "" if _sequential(loop, node) else " (and consider running the requests concurrently)"
        self.report(node, call=target, session=_SESSIONS[library], concurrency=concurrency)

    def _helper_in_loop(self, node: cst.Call, loop: cst.CSTNode) -> None:
        """A sync project helper whose chain makes a module-level ``requests``/``httpx`` call."""
        effect = self.ctx.effect_of(node)
        blocking = effect.blocking if effect is not None and not effect.is_async else None
        if blocking is None:
            return
        target = blocking.call.call.removesuffix("()")
        library, _, verb = target.rpartition(".")
        if library not in _SESSIONS or verb not in _VERBS:
            return
        if (isinstance(loop, cst.While) and contains_sleep(loop.body)) or is_retry_loop(loop) or tries_until_success(loop):
            return
        ctx = self.ctx
        if in_test_code(ctx) or is_command_line_module(ctx) or in_script(ctx) or runs_at_import(ctx):
            return
        concurrency = "" if _sequential(loop, node) else " (and consider running the requests concurrently)"
        chain = " -> ".join((f"{self.ctx.project_callee(node).rpartition('.')[2]}()", *blocking.chain))  # type: ignore[union-attr]
        self.report(node, message=(
            f"`{chain}` in a loop opens a new connection every iteration; create a "
            f"`{_SESSIONS[library]}` before the loop and pass it to the helper{concurrency}"))


def _sequential(loop: cst.CSTNode, call: cst.Call) -> bool:
    """Each request needs the previous one: a ``while`` loop (pagination until the server says
    stop), a loop that leaves early, or a request reading a name the body assigns after it
    (``url = page["next"]``, a cursor or page token from the previous response)."""
    if isinstance(loop, cst.While):
        return True
    if not isinstance(loop, cst.For):
        return False
    if any(isinstance(node, (cst.Break, cst.Return)) for node in iter_tree(loop.body)):
        return True
    read = {node.value for node in iter_tree(call) if isinstance(node, cst.Name)}
    seen_call = False
    for node in iter_tree(loop.body):
        if node is call:
            seen_call = True
        elif seen_call and isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            target = node.target
            if isinstance(target, cst.Name) and target.value in read:
                return True
    return False


RequestsInLoop.VALID = (
    # retry loops whose counter is not named for it
    Valid("""
        import requests

        def moderate(image, endpoint):
            for _ in range(MAX_RETRIES):
                response = requests.post(endpoint, data=image, timeout=10).json()
                if response["status"] == "done":
                    break
            return response
    """),
    Valid("""
        import requests

        def stream(api_base, payload):
            for i in range(3):
                try:
                    response = requests.post(api_base, json=payload, stream=True, timeout=30)
                    break
                except requests.RequestException:
                    continue
            return response
    """),
    # a loop at the top of the file: a script's body, run once by hand
    Valid("""
        import requests

        pending = requests.get("https://hub.example/requests/pending", timeout=10).json()
        for request in pending:
            requests.post("https://hub.example/requests/grant", json={"user": request["user"]}, timeout=10)
    """),
    # a dev script, run by hand: one request per item costs its author, not a service
    Valid("""
        import requests

        def populate(token, recipes):
            for recipe in recipes:
                requests.post("http://localhost:9000/api/recipes", json=recipe, timeout=10)

        if __name__ == "__main__":
            populate("t", [{"name": "soup"}])
    """),
    Valid("""
        import requests

        def fetch(urls):
            with requests.Session() as s:
                return [s.get(u, timeout=5) for u in urls]
    """),
    Valid("""
        import requests

        def fetch(url):
            return requests.get(url, timeout=5)
    """),
    Valid("""
        import time
        import requests

        def wait_ready(url):
            while requests.get(url, timeout=5).status_code != 200:
                time.sleep(1)
    """),
    Valid("""
        import requests

        def fetch(urls):
            for u in [requests.get("https://index", timeout=5).text]:
                print(u)
    """),
    Valid("""
        import requests

        def render(url):
            for attempt in range(3):
                try:
                    return requests.get(url, timeout=10).content
                except requests.ConnectionError:
                    continue
    """),
    Valid("""
        import requests

        def names(url):
            return [item["name"] for item in requests.get(url, timeout=5).json()]
    """),
    Valid("""
        def fetch(requests, urls):
            for u in urls:
                requests.get(u)
    """),
    Valid(  # the helper reuses a session it is given
        "import requests\n\ndef fetch(session, url):\n    return session.get(url, timeout=5)\n\n"
        "def crawl(urls):\n    with requests.Session() as s:\n        return [fetch(s, u) for u in urls]\n"
    ),
    Valid("""
        import httpx

        async def fetch(urls):
            async with httpx.AsyncClient() as client:
                for u in urls:
                    await client.get(u)
    """),
)

RequestsInLoop.INVALID = (
    # a module that runs itself to serve requests is a service, not a script
    Invalid("""
        import requests
        from flask import Flask

        app = Flask(__name__)

        @app.post("/notify")
        def notify(hooks):
            for hook in hooks:
                requests.post(hook, timeout=5)

        if __name__ == "__main__":
            app.run()
    """, line=9, column=9),
    Invalid(  # a helper of the project makes the request: found through the project model
        "import requests\n\ndef fetch(url):\n    return requests.get(url, timeout=5)\n\n"
        "def crawl(urls):\n    return [fetch(u) for u in urls]\n",
        line=7, column=13, message_contains="fetch() -> requests.get()",
    ),
    Invalid("""
        import requests

        def fetch(urls):
            for url in urls:
                requests.get(url, timeout=5)
    """, line=5, column=9, message_contains="requests.Session"),
    Invalid("""
        from requests import post

        def send(items):
            return [post("https://api", json=i, timeout=5) for i in items]
    """, line=4, column=13),
    Invalid("""
        import httpx

        def crawl(url):
            while url:
                page = httpx.get(url).json()
                url = page["next"]
    """, line=5, column=16, message_contains="httpx.Client"),
    Invalid("""
        import requests

        def fetch(urls):
            for url in urls:
                requests.get(url, timeout=5)
    """, line=5, column=9, message_contains="consider running the requests concurrently"),
    # cursor pagination: each page needs the previous response, no concurrency advice
    Invalid("""
        import requests

        def all_items(url, pages):
            token = None
            for _ in range(pages):
                body = requests.get(url, params={"page_token": token}, timeout=5).json()
                token = body["next_page_token"]
    """, line=6, column=16, message_contains="requests.Session"),
    # a fixed count over items is not a retry: no try that stops on success
    Invalid("""
        import requests

        def pages(url):
            return [requests.get(url, params={"page": n}, timeout=10).json() for n in range(3)]
    """, line=4, column=13),
)
