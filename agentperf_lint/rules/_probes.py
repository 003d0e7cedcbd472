"""Functions whose request is a check, and coroutines that get a fresh event loop per call.

Two facts about a function, read from its own code, that the client rule (APL301) needs:

*The request is a check* (:func:`checks_status_only`): the function never reads a response's
body and its only outcome is whether the request succeeded: a status test that raises,
returns or calls something, ``raise_for_status()``, or a returned yes/no. Checking given
credentials (a plugin's "verify" hook run when a user saves an API key), probing a server's
health or reachability: these run when someone configures or probes something, not per request
of the service, and a fresh connection is often what they mean to test. A fire-and-forget
send (``if r.status != 200: pass``) is not a check: nothing depends on its status.

*Each call runs in its own event loop* (:func:`runs_in_fresh_loop`): every use of a coroutine
function in its module is ``asyncio.run(f(...))`` (or anyio/trio/uvloop). Each call then starts
and closes a loop, and an ``aiohttp``/``httpx`` async client is bound to the loop it was made
in: it cannot be shared across calls, so making it per call is the only option.
"""

from __future__ import annotations

import libcst as cst

from ..walker import iter_tree
from ._reuse import dotted_name

# attributes that read a response's body (aiohttp, httpx, requests)
_BODY = frozenset({
    "json", "text", "read", "content", "body", "data", "iter_chunked", "iter_any", "iter_chunks",
    "iter_lines", "iter_bytes", "iter_text", "iter_raw", "iter_content", "aiter_bytes",
    "aiter_text", "aiter_lines", "aiter_raw", "readline", "readany", "readexactly",
})
# attributes that say whether a request succeeded
_STATUS = frozenset({"status", "status_code", "ok", "is_success", "is_error", "raise_for_status"})
# standard ``logging`` methods: a status test that only logs decides nothing
_LOGGING = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
_LOOP_RUNNERS = frozenset({"asyncio.run", "anyio.run", "trio.run", "uvloop.run"})


def checks_status_only(function: cst.FunctionDef) -> bool:
    """The function's requests are checks: no response body is read, no response (or anything
    but a yes/no) is returned, and a status decides something (raises, returns, calls)."""
    decides = False
    error_paths = {id(node) for branch in _failure_branches(function) for node in iter_tree(branch)}
    for node in iter_tree(function.body):
        if isinstance(node, cst.Attribute) and node.attr.value in _BODY and id(node) not in error_paths:
            return False
        if isinstance(node, cst.Return) and node.value is not None and not _is_yes_no(node.value):
            return False
        if isinstance(node, (cst.Yield, cst.FunctionDef, cst.Lambda)):
            return False  # a generator streams, a callback outlives the check
        if not decides:
            decides = _decides_on_status(node)
    return decides


def _failure_branches(function: cst.FunctionDef) -> list[cst.CSTNode]:
    """Bodies of ``if r.status != 200:`` / ``if not r.ok:`` / ``if r.status >= 400:``: reading
    the body there builds an error message, it is not the function's result."""
    branches: list[cst.CSTNode] = []
    for node in iter_tree(function.body):
        if isinstance(node, cst.If) and _is_failure_test(node.test):
            branches.append(node.body)
    return branches


def _is_failure_test(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return isinstance(test.expression, cst.Attribute) and test.expression.attr.value in ("ok", "is_success")
    if isinstance(test, cst.Attribute):
        return test.attr.value == "is_error"
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and _mentions_status(test.left):
        return isinstance(test.comparisons[0].operator, (cst.NotEqual, cst.GreaterThanEqual, cst.GreaterThan))
    return False


def _decides_on_status(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Call):
        return isinstance(node.func, cst.Attribute) and node.func.attr.value == "raise_for_status"
    if isinstance(node, cst.Assert):
        return _mentions_status(node.test)
    if isinstance(node, cst.Return):
        return node.value is not None and _mentions_status(node.value)
    if isinstance(node, cst.If) and _mentions_status(node.test):
        branches: list[cst.CSTNode] = [node.body]
        if node.orelse is not None:
            branches.append(node.orelse)
        return any(_acts(branch) for branch in branches)
    return False


def _acts(branch: cst.CSTNode) -> bool:
    """The branch raises, returns or calls something other than a logger."""
    for node in iter_tree(branch):
        if isinstance(node, (cst.Raise, cst.Return)):
            return True
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            if name not in _LOGGING and name != "print":
                return True
    return False


def _mentions_status(expr: cst.CSTNode) -> bool:
    return any(isinstance(node, cst.Attribute) and node.attr.value in _STATUS for node in iter_tree(expr))


def _is_yes_no(value: cst.BaseExpression) -> bool:
    """``True``/``False``/``None``, a comparison, a negation or a status: a check's answer."""
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    if isinstance(value, (cst.Comparison, cst.BooleanOperation)):
        return True
    if isinstance(value, cst.UnaryOperation):
        return isinstance(value.operator, cst.Not)
    return isinstance(value, cst.Attribute) and value.attr.value in _STATUS


def runs_in_fresh_loop(function: cst.FunctionDef, module: cst.Module) -> bool:
    """``function`` is a coroutine function and every reference to its name in ``module`` is
    called inside a loop runner (``asyncio.run(self.fetch(q))``, also in a thread:
    ``Thread(target=asyncio.run, args=(self.fetch(q),))``); there is at least one."""
    if function.asynchronous is None:
        return False
    name = function.name.value
    runner_args: set[int] = set()
    references: list[cst.CSTNode] = []
    for node in iter_tree(module):
        if isinstance(node, cst.Call):
            runner_args.update(id(call.func) for call in _run_by_loop_runner(node))
        elif isinstance(node, cst.Attribute) and node.attr.value == name:
            references.append(node)
        elif isinstance(node, cst.Name) and node.value == name and node is not function.name:
            references.append(node)
    attributes = [ref for ref in references if isinstance(ref, cst.Attribute)]
    names = [ref for ref in references if isinstance(ref, cst.Name)]
    # ``self.fetch`` is an Attribute holding the Name ``fetch``: count each reference once
    inner = {id(ref.attr) for ref in attributes}
    uses = attributes + [ref for ref in names if id(ref) not in inner]
    return bool(uses) and all(id(ref) in runner_args for ref in uses)


def _run_by_loop_runner(call: cst.Call) -> list[cst.Call]:
    """The coroutine calls ``call`` hands to a loop runner: ``asyncio.run(f(x))``, or a thread
    started on one, ``Thread(target=asyncio.run, args=(f(x),))``."""
    if dotted_name(call.func) in _LOOP_RUNNERS:
        first = call.args[0].value if len(call.args) == 1 else None
        return [first] if isinstance(first, cst.Call) else []
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    target, args = keywords.get("target"), keywords.get("args")
    if target is None or dotted_name(target) not in _LOOP_RUNNERS or not isinstance(args, cst.Tuple):
        return []
    return [element.value for element in args.elements if isinstance(element.value, cst.Call)]


# request methods of the clients APL301 knows, and the keywords that send a payload
_REQUEST_METHODS = frozenset({"get", "head", "request", "stream", "post", "put", "patch", "delete"})
_PAYLOAD = frozenset({"params", "json", "data", "content", "files", "body"})


def downloads_given_url(function: cst.FunctionDef, client: str) -> bool:
    """Every request made with ``client`` in a module-level ``function`` fetches a URL the
    caller passes as-is (``async def download_image(url): ... session.get(url)``), with no
    query or payload: a download helper for whatever link a message or page holds. Its hosts
    differ from call to call, so a shared pool would rarely find a kept-alive connection."""
    params = function.params
    names = {param.name.value for param in (*params.posonly_params, *params.params, *params.kwonly_params)}
    requests = 0
    for node in iter_tree(function.body):
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and isinstance(node.func.value, cst.Name) and node.func.value.value == client):
            continue
        verb = node.func.attr.value
        if verb not in _REQUEST_METHODS:
            continue
        url = _url_argument(node, verb)
        if not (isinstance(url, cst.Name) and url.value in names):
            return False
        if any(arg.star == "**" or (arg.keyword is not None and arg.keyword.value in _PAYLOAD) for arg in node.args):
            return False  # a query or payload (or ``**kwargs`` that may carry one): an API call
        requests += 1
    return requests > 0


def _url_argument(call: cst.Call, verb: str) -> cst.BaseExpression | None:
    keyword = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "url"), None)
    if keyword is not None:
        return keyword
    positional = [arg.value for arg in call.args if arg.keyword is None and arg.star == ""]
    index = 1 if verb in ("request", "stream") else 0
    return positional[index] if len(positional) > index else None


# a request allowed this long (seconds) is a long job: a connection set-up is noise beside it
LONG_CALL_SECONDS = 600


def allows_long_calls(function: cst.FunctionDef, constructor: cst.Call, client: str | None) -> bool:
    """The client, or every request made with it, is given a timeout of ten minutes or more
    (``client.post(url, json=job, timeout=3600)``, ``ClientSession(timeout=ClientTimeout(
    total=1800))``): a clustering job, a large download. Beside a call expected to last
    minutes, the tens of milliseconds a new connection costs do not matter."""
    if _long_timeout(constructor):
        return True
    if client is None:
        return False
    requests = [
        node for node in iter_tree(function.body)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name) and node.func.value.value == client
        and node.func.attr.value in _REQUEST_METHODS
    ]
    return bool(requests) and all(_long_timeout(request) for request in requests)


def _long_timeout(call: cst.Call) -> bool:
    value = next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "timeout"), None)
    if value is None:
        return False
    seconds = [
        float(node.value.replace("_", "")) for node in iter_tree(value)
        if isinstance(node, (cst.Integer, cst.Float))
    ]
    return bool(seconds) and max(seconds) >= LONG_CALL_SECONDS
