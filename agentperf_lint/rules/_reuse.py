"""Shared facts for the APL3xx rules: which calls make clients, which functions run once.

The client rules need to answer two questions cheaply and the same way: *does this function
run once* (a constructor, a lifespan or startup hook, an entry point, a fixture, a test), and
*does this object outlive the call* (returned, yielded, stored on ``self``, in a global or a
container, or handed to a constructor). Both are answered from the function being examined,
never from a walk of the whole module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from ..context import COMPREHENSIONS, FileContext
from ..walker import iter_tree

# callables that build a client owning a connection pool (or one connection), by qualified name
CLIENT_FACTORIES: dict[str, str] = {
    "aiohttp.ClientSession": "aiohttp.ClientSession",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "httpx.AsyncClient": "httpx.AsyncClient",
    "httpx.Client": "httpx.Client",
    "requests.Session": "requests.Session",
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "openai.OpenAI": "openai.OpenAI",
    "openai.AsyncOpenAI": "openai.AsyncOpenAI",
    "openai.AzureOpenAI": "openai.AzureOpenAI",
    "openai.AsyncAzureOpenAI": "openai.AsyncAzureOpenAI",
    "anthropic.Anthropic": "anthropic.Anthropic",
    "anthropic.AsyncAnthropic": "anthropic.AsyncAnthropic",
    "redis.Redis": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "redis.from_url": "redis.from_url",
    "redis.Redis.from_url": "redis.Redis.from_url",
    "redis.asyncio.Redis": "redis.asyncio.Redis",
    "redis.asyncio.StrictRedis": "redis.asyncio.Redis",
    "redis.asyncio.from_url": "redis.asyncio.from_url",
    "redis.asyncio.Redis.from_url": "redis.asyncio.Redis.from_url",
    "asyncpg.connect": "asyncpg.connect",
    "asyncpg.create_pool": "asyncpg.create_pool",
}

# functions that run once per process or per object, by name
_ONCE_NAMES = frozenset({
    "__init__", "__post_init__", "__new__", "__aenter__", "__enter__", "__set_name__",
    "__init_subclass__", "setUp", "asyncSetUp", "setUpClass", "setup", "setup_method",
    "setup_class", "setup_module", "startup", "on_startup", "lifespan", "main", "amain",
    "async_main", "_main", "_amain", "run_main", "cli", "start", "open", "connect", "initialize",
    "init", "_init", "_setup", "_startup", "_connect", "_start",
    # a session's lifecycle: logging in and out happens once per session, not per request
    "login", "logout", "_login", "_logout", "async_login", "async_logout",
})
_ONCE_PREFIXES = ("test", "on_startup", "startup_", "_startup_", "init_", "_init_", "setup_", "_setup_")
# decorators (last dotted part) that make a function a one-shot hook or a resource provider
_ONCE_DECORATORS = frozenset({
    "fixture", "yield_fixture", "asynccontextmanager", "contextmanager", "on_startup",
    "command", "group", "cached_property", "cache", "lru_cache", "alru_cache", "once",
})
# container methods that keep what they are given
_STORING_METHODS = frozenset({
    "append", "add", "extend", "insert", "setdefault", "update", "put", "put_nowait",
    "enter_context", "enter_async_context", "push", "push_async_exit", "register", "set",
})


def dotted_name(expr: cst.BaseExpression) -> str:
    """``a.b.c`` as written, or ``""`` for anything that is not a plain dotted name."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = dotted_name(expr.value)
        return f"{base}.{expr.attr.value}" if base else ""
    return ""


def last_name(expr: cst.BaseExpression) -> str:
    """The final identifier of a callee: ``get`` for ``self.client.get``."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Call):
        return last_name(expr.func)
    return ""


# text that must occur for a functools cache decorator to be applied: ``@lru_cache``,
# ``@functools.cache``, ``@ft.lru_cache(...)``, ``@cached_property``, or an aliased import
_CACHE_DECORATOR_TEXT = re.compile(r"@\s*[\w.]*\b(?:lru_cache|cache|cached_property)\b|\b(?:lru_cache|cache|cached_property)\s+as\s+\w")


def may_apply_functools_cache(text: str) -> bool:
    """The cheap gate of the cache-decorator rules (runs on every file's text)."""
    return "functools" in text and _CACHE_DECORATOR_TEXT.search(text) is not None


def decorator_targets(node: cst.FunctionDef, ctx: FileContext) -> Iterator[tuple[cst.Decorator, str]]:
    """Each decorator with the qualified (else written) name of what it applies.

    Must run while visiting the ``FunctionDef``: decorators resolve in the enclosing scope.
    """
    for decorator in node.decorators:
        expr = decorator.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        yield decorator, ctx.qualified_name(func) or dotted_name(func)


def runs_once(function: cst.FunctionDef) -> bool:
    """A constructor, lifecycle or startup hook, entry point, fixture or test.

    Creating a client in such a function is how a shared client is *meant* to be made.
    """
    name = function.name.value
    if name in _ONCE_NAMES or name.startswith(_ONCE_PREFIXES):
        return True
    for decorator in function.decorators:
        expr = decorator.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        if last_name(func) in _ONCE_DECORATORS:
            return True
        if isinstance(expr, cst.Call) and last_name(func) == "on_event":
            return True  # FastAPI's @app.on_event("startup")
    return False


CLI_LIBRARIES = frozenset({"typer", "click", "argparse", "fire", "docopt"})


def is_command_line_module(ctx: FileContext) -> bool:
    """A module that imports ``typer``, ``click``, ``argparse``, ``fire`` or ``docopt`` is a
    command-line tool: its functions run once per invocation of the process, with a user at the
    terminal, not per request of a service."""
    return imports_package(ctx, CLI_LIBRARIES)


def imports_package(ctx: FileContext, packages: frozenset[str]) -> bool:
    """The module imports one of ``packages`` (or something inside it) in its own scope."""
    return any(binding.kind == "import" and (binding.qualname or "").split(".")[0] in packages
               for binding in ctx.frames[0].scope.bindings.values())


def in_script(ctx: FileContext) -> bool:
    """This point is a script's code: the module runs itself (``if __name__ == "__main__":``)
    and that block does not start a server (``serve_forever()``, ``web.run_app(app)``,
    ``uvicorn.run(app)``, ``bot.run(token)``: those modules are services).

    A script runs once per invocation (a dev tool, a build step, a health probe): a person or a
    supervisor with its own time limit is waiting on it, not a pool of concurrent requests.
    """
    guards = [statement for statement in ctx.module.body if is_main_guard(statement)]
    return bool(guards) and not any(starts_serving(node) for guard in guards for node in iter_tree(guard))


def in_notebook(ctx: FileContext) -> bool:
    """A Jupyter notebook (``.ipynb``): cells run one at a time by a person who watches them
    and can interrupt, like a script, not by a service."""
    return ctx.path.endswith(".ipynb")


def runs_at_import(ctx: FileContext) -> bool:
    """This point is module-level code (no ``def`` or ``class`` around it, comprehensions
    aside): it runs once, when the module is run or first imported. A loop of requests written
    at the top of a file is a script's body (an admin task run by hand), not a service's path."""
    return all(frame.kind in ("module", "comprehension") for frame in ctx.frames)


# calls in a ``__main__`` block that keep the process serving requests
_SERVING = frozenset({"serve_forever", "run_forever", "run_app", "serve", "run_polling", "start_polling"})
_SCRIPT_RUNNERS = frozenset({"asyncio", "trio", "anyio", "uvloop"})  # ``asyncio.run(main())``


def starts_serving(node: cst.CSTNode) -> bool:
    """A call that keeps the process serving (``serve_forever()``, ``web.run_app(app)``,
    ``uvicorn.run(app)``, ``bot.run(token)``), not a loop runner's ``asyncio.run(main())``."""
    if not isinstance(node, cst.Call):
        return False
    name = last_name(node.func)
    if name in _SERVING:
        return True
    owner = dotted_name(node.func.value) if isinstance(node.func, cst.Attribute) else ""
    return name == "run" and bool(owner) and owner not in _SCRIPT_RUNNERS


def is_main_guard(statement: cst.CSTNode) -> bool:
    """``if __name__ == "__main__":`` (either side of the comparison)."""
    if not isinstance(statement, cst.If) or not isinstance(statement.test, cst.Comparison):
        return False
    test = statement.test
    if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = {side.value for side in sides if isinstance(side, cst.Name)}
    strings = {side.evaluated_value for side in sides if isinstance(side, cst.SimpleString)}
    return names == {"__name__"} and strings == {"__main__"}


def is_constructor_name(expr: cst.BaseExpression) -> bool:
    """``Agent(...)``, ``models.Agent(...)``, ``_Private(...)``: a class call, by the naming
    convention."""
    name = (last_name(expr) or "").lstrip("_")
    return bool(name) and name[0].isupper()


def name_escapes(name: str, function: cst.CSTNode) -> bool:
    """Whether the value bound to ``name`` outlives one call of ``function``.

    It does when it is returned or yielded (a factory, a lifespan, a fixture), also wrapped
    (``return instructor.from_openai(client)``), stored in an attribute, a subscript, a global
    or a container, or handed to a constructor. Using it (``return await client.get(url)``)
    is not keeping it.
    """
    for node in iter_tree(function):
        if isinstance(node, (cst.Return, cst.Yield)) and node.value is not None:
            if _holds(node.value, name) or _wraps(node.value, name):
                return True
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(item.name.value == name for item in node.names):
                return True
        elif isinstance(node, cst.Assign):
            if _holds(node.value, name) and any(
                not isinstance(target.target, cst.Name) for target in node.targets
            ):
                return True
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            if _holds(node.value, name) and not isinstance(node.target, cst.Name):
                return True
        elif isinstance(node, cst.Call) and _keeps(node, name):
            return True
    return False


def _keeps(call: cst.Call, name: str) -> bool:
    """``Agent(client)``, ``clients.append(client)``: a constructor or container takes it."""
    keeper = is_constructor_name(call.func) or last_name(call.func) in _STORING_METHODS
    return keeper and any(_holds(arg.value, name) for arg in call.args)


def _wraps(expr: cst.BaseExpression, name: str) -> bool:
    """``wrap(client)`` returned without ``await``: the caller gets an object built around the
    client (``instructor.from_openai(client)``), so the client lives as long as the caller wants."""
    return isinstance(expr, cst.Call) and any(
        isinstance(arg.value, cst.Name) and arg.value.value == name for arg in expr.args
    )


def _holds(expr: cst.BaseExpression, name: str) -> bool:
    """``expr`` is the object itself, a literal container of it, or a constructor call given it."""
    if isinstance(expr, cst.Name):
        return expr.value == name
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return any(_holds(element.value, name) for element in expr.elements)
    if isinstance(expr, cst.Dict):
        return any(isinstance(e, cst.DictElement) and _holds(e.value, name) for e in expr.elements)
    if isinstance(expr, cst.Call) and is_constructor_name(expr.func):
        return any(_holds(arg.value, name) for arg in expr.args)
    return False


def enclosing_function(ctx: FileContext) -> cst.FunctionDef | None:
    """The innermost ``def`` around this point (None at module or class level, or in a lambda)."""
    node = ctx.function.node
    return node if isinstance(node, cst.FunctionDef) else None


def loops_here(ctx: FileContext) -> list[cst.CSTNode]:
    """``ctx.loops`` without the comprehensions whose *first* iterable holds this point: that
    iterable is evaluated once, before the comprehension loops (``[x for x in await f()]``)."""
    loops = list(ctx.loops)
    if not any(isinstance(loop, COMPREHENSIONS) for loop in loops):
        return loops
    around = {id(node) for node in ctx.ancestors}
    return [
        loop for loop in loops
        if not (isinstance(loop, COMPREHENSIONS) and id(loop.for_in.iter) in around)  # type: ignore[attr-defined]
    ]


RETRY_NAME = re.compile(r"attempt|retry|retries|tries|^try", re.IGNORECASE)


def is_retry_loop(loop: cst.CSTNode) -> bool:
    """``for attempt in range(n)``: the same request repeated on purpose until it succeeds."""
    if not isinstance(loop, cst.For):
        return False
    return any(isinstance(node, cst.Name) and RETRY_NAME.search(node.value) for node in iter_tree(loop.target))


def tries_until_success(loop: cst.CSTNode) -> bool:
    """``for _ in range(MAX_RETRIES)`` (the bound names retries) or ``for i in range(3):`` whose
    body tries and leaves on success (a ``try`` and a ``break`` or ``return``): a retry loop
    whose counter is not named for it. One request per failed attempt, not one per item."""
    if not isinstance(loop, cst.For):
        return False
    iterable = loop.iter
    if not (isinstance(iterable, cst.Call) and last_name(iterable.func) == "range" and len(iterable.args) == 1):
        return False
    bound = iterable.args[0].value
    if any(isinstance(node, cst.Name) and RETRY_NAME.search(node.value) for node in iter_tree(bound)):
        return True
    if not isinstance(bound, cst.Integer):
        return False
    body = list(iter_tree(loop.body))
    return (any(isinstance(node, (cst.Try, cst.TryStar)) for node in body)
            and any(isinstance(node, (cst.Break, cst.Return)) for node in body))


_SLEEPS = re.compile(r"(^|\.)sleep$")


def contains_sleep(node: cst.CSTNode) -> bool:
    """A ``sleep`` call anywhere under ``node``: the mark of a polling or retry loop."""
    return any(
        isinstance(child, cst.Call) and _SLEEPS.search(dotted_name(child.func) or "") is not None
        for child in iter_tree(node)
    )
