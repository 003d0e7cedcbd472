"""APL114: a coroutine calls a sync helper of the project that (maybe several calls down)
blocks: the call graph over every file of the run."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import libcst as cst

from ..context import FileContext
from ..rule import (
    Fix,
    FixAvailability,
    Invalid,
    Option,
    ProjectReport,
    Report,
    Rule,
    Valid,
)
from ._blocking import classify, to_thread_fix
from ._test_code import skips_test_code
from .apl113_blocking_user_configured import user_catalogue

_EXTERNAL_ROOTS = frozenset(sys.stdlib_module_names) | {"builtins"}
_MAX_CHAIN = 12

# summary layout (JSON, cached per file):
#   {"f": {qualname: [display, blocking call or None, [callee qualnames]]},
#    "s": [[call ordinal, callee qualname], ...]}   call sites inside coroutines
Functions = Mapping[str, list[Any]]


def function_qualname(ctx: FileContext) -> str | None:
    """``module.func`` / ``module.Class.method`` for the function being walked, or None when it
    is nested in another function (nobody outside can call it by name)."""
    parts = []
    current = ctx.function
    for frame in ctx.frames[1:]:
        if frame.kind == "comprehension":
            continue
        if frame.kind == "lambda" or (frame.kind == "function" and frame is not current):
            return None
        parts.append(frame.node.name.value)  # type: ignore[attr-defined]
    return f"{ctx.module_name}.{'.'.join(parts)}" if parts else None


def callee_qualname(ctx: FileContext, call: cst.Call, own: str | None) -> str | None:
    """The qualified name of a possibly-project function this call calls directly: through
    imports (relative ones too), ``self.method()`` in a method, or a method on a value whose
    class is known (``store = Store(); store.load()``). None for anything else."""
    func = call.func
    name = ctx.qualified_name(func)
    if name is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        frame = ctx.function
        if own is not None and frame.self_name is not None and func.value.value == frame.self_name:
            name = f"{own.rpartition('.')[0]}.{func.attr.value}"
    if name is None and isinstance(func, cst.Attribute):
        name = ctx.call_target(call)
    if name is None or name.split(".", 1)[0] in _EXTERNAL_ROOTS:
        return None
    return name


def resolve(functions: Functions, callee: str) -> str | None:
    """A called name -> the function it runs (a class call runs its ``__init__``)."""
    if callee in functions:
        return callee
    init = f"{callee}.__init__"
    return init if init in functions else None


def next_hops(functions: Functions) -> dict[str, str | None]:
    """For every function that reaches a blocking call: the callee on a shortest path to it
    (None when it blocks itself). One reverse breadth-first search from all blocking
    functions: linear in the size of the graph, whatever the number of call sites."""
    callers: dict[str, list[str]] = {}
    for name, (_, _, callees) in functions.items():
        for callee in callees:
            target = resolve(functions, callee)
            if target is not None and target != name:
                callers.setdefault(target, []).append(name)
    hops: dict[str, str | None] = {}
    queue: deque[str] = deque()
    for name, (_, blocking, _) in functions.items():
        if blocking is not None:
            hops[name] = None
            queue.append(name)
    while queue:
        current = queue.popleft()
        for caller in callers.get(current, ()):
            if caller not in hops:
                hops[caller] = current
                queue.append(caller)
    return hops


def chain(functions: Functions, hops: Mapping[str, str | None], callee: str) -> list[str] | None:
    """``["load_settings()", "read_json()", "open()"]`` for a call of ``callee``, or None."""
    current = resolve(functions, callee)
    if current is None or current not in hops:
        return None
    names = []
    while current is not None and len(names) < _MAX_CHAIN:
        display, blocking, _ = functions[current]
        names.append(f"{display}()")
        following = hops[current]
        if following is None:
            names.append(blocking)
        current = following
    return names


def message(names: list[str]) -> str:
    return (f"`{names[0]}` blocks the event loop: {' -> '.join(names)}; make the chain async, or "
            "run the helper in a worker thread (`await asyncio.to_thread(...)`)")


class BlockingHelperCall(Rule):
    """## What it does
    Reports a call inside an `async def` body to a sync function or method of the project that
    blocks, directly or through other project functions: the call graph is built over every
    file of the run, through imports between its modules (relative ones too), `self.method()`
    calls and methods of objects whose class is known. The message shows the chain down to the
    blocking call, such as `load_settings() -> read_json() -> open()`.

    It is exact rather than guessing: only direct calls of functions it resolved are followed,
    never a method picked by its name alone, and a call already reported by another APL1xx
    rule is not reported again.

    ## Why is this bad?
    Most real event-loop stalls are one or two calls away from the coroutine: an async
    handler calls `load_settings()`, which calls `read_json()`, which opens a file. Per-call
    linters see nothing wrong in any single function.

    ## Example
    ```python
    import json

    def read_json(path):
        with open(path) as f:
            return json.load(f)

    def load_settings():
        return read_json("settings.json")

    async def handle(request):
        settings = load_settings()
    ```

    ## Use instead
    ```python
    import asyncio

    async def handle(request):
        settings = await asyncio.to_thread(load_settings)
    ```
    (or load the settings once at start-up, or make the helpers async).

    ## Fix safety
    When the helper is defined in the same file and the call is a whole statement or the
    right-hand side of an assignment, the fix runs it in a worker thread:
    `await asyncio.to_thread(load_settings)`. It is unsafe: the helper now runs in another
    thread, which matters if it touches thread-local or loop-bound state. Cross-file findings
    carry no fix.

    ## Options
    - `extra-calls` (in `[tool.agentperf-lint.blocking]`, shared with APL113): calls declared
      blocking there also end chains.

    ## Known problems
    Acquiring a `threading` lock does not end a chain: thread-safe helpers take locks around
    short critical sections, which is rarely what stalls a loop. Methods inherited from a base class, functions passed around as values and calls through
    objects of unknown type are not followed.
    """

    code = "APL114"
    name = "blocking-helper-call"
    message = "`{call}` blocks the event loop"
    fix_availability = FixAvailability.SOMETIMES
    project_rule = True
    # only files with coroutines start a chain; the modules a chain leads into are summarised
    # on demand (``wanted_modules``), so sync-only code is not parsed unless it is reached
    triggers = ("async",)
    options_table = "blocking"
    options = (
        Option("extra-calls", dict, {}, "blocking call (qualified name) -> suggested async replacement"),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.extra = user_catalogue(self.settings.get("extra-calls") or {})

    def begin_file(self, ctx: FileContext) -> None:
        super().begin_file(ctx)
        self.functions: dict[str, list[Any]] = {}
        self.sites: list[list[Any]] = []
        self.nodes: dict[int, tuple[cst.Call, cst.CSTNode | None, Fix | None]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.ctx
        frame = ctx.function
        if frame.kind != "function" and not ctx.in_async:  # async top level: a notebook cell
            return
        own = function_qualname(ctx)
        record = own is not None and not frame.is_async
        if record and own not in self.functions:
            display = own[len(ctx.module_name) + 1:]
            self.functions[own] = [display, None, []]
        hit = classify(ctx, node) or (classify(ctx, node, self.extra) if self.extra.entries else None)
        if hit is not None and hit.entry.unless == "nonblocking_acquire":
            return  # a helper's lock guards a short critical section: not a stall by itself
        if hit is not None:
            if record and self.functions[own][1] is None:  # type: ignore[index]
                called = hit.target.full or hit.entry.call.removeprefix("*.")
                self.functions[own][1] = f"{called.removeprefix('builtins.')}()"  # type: ignore[index]
            return
        parent = ctx.parent
        if isinstance(parent, cst.Await) and parent.expression is node:
            return
        callee = callee_qualname(ctx, node, own)
        if callee is None:
            return
        if record:
            callees = self.functions[own][2]  # type: ignore[index]
            if callee not in callees:
                callees.append(callee)
        if ctx.in_async and not skips_test_code(self, ctx):
            self.sites.append([ctx.call_ordinal, callee])
            fix = to_thread_fix(ctx, node) if callee.startswith(f"{ctx.module_name}.") else None
            self.nodes[ctx.call_ordinal] = (node, ctx.statement, fix)

    def end_file(self) -> None:
        """Chains that stay inside this file are reported now, with a fix; finalize adds the
        ones that cross files."""
        functions = {name: info for name, info in self.functions.items() if info[1] or info[2]}
        self.functions = functions
        if not self.sites or not functions:
            return
        hops = next_hops(functions)
        for ordinal, callee in self.sites:
            names = chain(functions, hops, callee)
            if names is not None:
                node, statement, fix = self.nodes[ordinal]
                self.reports.append(Report(type(self), node, message(names), statement, fix))

    def summarize(self) -> Any:
        if not self.functions and not self.sites:
            return None
        return {"f": self.functions, "s": self.sites}

    @classmethod
    def finalize(cls, summaries: Mapping[str, Any]) -> Iterable[ProjectReport]:
        functions: dict[str, list[Any]] = {}
        for summary in summaries.values():
            for name, (display, blocking, callees) in summary.get("f", {}).items():
                known = functions.setdefault(name, [display, blocking, []])
                known[1] = known[1] or blocking
                known[2].extend(callee for callee in callees if callee not in known[2])
        hops = next_hops(functions)
        for path, summary in sorted(summaries.items()):
            local = summary.get("f", {})
            local_hops = next_hops(local) if local else {}
            for ordinal, callee in summary.get("s", ()):
                if local and chain(local, local_hops, callee) is not None:
                    continue  # reported with the file's own findings
                names = chain(functions, hops, callee)
                if names is not None:
                    yield ProjectReport(path, ordinal, message(names))

    @classmethod
    def wanted_modules(cls, summaries: Mapping[str, Any]) -> set[str]:
        """Modules that may define a called function no summary defines yet: every dotted
        prefix of the missing name (``pkg.mod.Class.method`` -> ``pkg``, ``pkg.mod``, ...)."""
        defined: set[str] = set()
        called: set[str] = set()
        for summary in summaries.values():
            for name, (_, _, callees) in summary.get("f", {}).items():
                defined.add(name)
                called.update(callees)
            called.update(callee for _, callee in summary.get("s", ()))
        wanted: set[str] = set()
        for callee in called:
            if callee in defined or f"{callee}.__init__" in defined:
                continue
            parts = callee.split(".")
            wanted.update(".".join(parts[:end]) for end in range(1, len(parts)))
        return wanted

    VALID = (
        Valid("import json\ndef read(p):\n    with open(p) as f:\n        return json.load(f)\n\ndef load():\n    return read('s.json')\n"),
        Valid("import asyncio\ndef read(p):\n    return open(p).read()\n\nasync def f():\n    return await asyncio.to_thread(read, 'x')\n"),
        Valid("def pure(x):\n    return x * 2\n\nasync def f():\n    return pure(2)\n"),
        Valid("async def read(p):\n    return p\n\nasync def f():\n    return await read('x')\n"),
        Valid("def read(p):\n    return open(p).read()\n\nasync def f():\n    def read(p):\n        return p\n    return read('x')\n"),
        Valid("def read(p):\n    return open(p).read()\n\nasync def f():\n    return [lambda: read('x')]\n"),
        Valid("def read(p):\n    return open(p).read()\n\nasync def f(store):\n    return store.read('x')\n"),
        Valid("def outer():\n    def inner():\n        return open('x')\n    return inner\n\nasync def f():\n    return outer()\n"),
        Valid("import time\nasync def f():\n    time.sleep(1)\n"),
        Valid("class Store:\n    def get(self):\n        return 1\n\nasync def f():\n    return Store().get()\n"),
    )
    INVALID = (
        Invalid(
            "import json\n\ndef read_json(path):\n    with open(path) as f:\n        return json.load(f)\n\n"
            "def load_settings():\n    return read_json('settings.json')\n\nasync def handle():\n    settings = load_settings()\n",
            line=11, column=16, message_contains="load_settings() -> read_json() -> open()",
            fixed="import json\nimport asyncio\n\ndef read_json(path):\n    with open(path) as f:\n        return json.load(f)\n\n"
            "def load_settings():\n    return read_json('settings.json')\n\nasync def handle():\n    settings = await asyncio.to_thread(load_settings)\n",
        ),
        Invalid(
            "import time\n\nclass Agent:\n    def _backoff(self):\n        time.sleep(1)\n\n    async def run(self):\n        return self._backoff()\n",
            line=8, column=16, message_contains="Agent._backoff() -> time.sleep()",
        ),
        Invalid(
            "import requests\n\nclass Client:\n    def fetch(self, url):\n        return requests.get(url)\n\n"
            "async def f(url):\n    client = Client()\n    return client.fetch(url)\n",
            line=9, column=12, message_contains="Client.fetch() -> requests.get()",
        ),
        Invalid(
            "from pathlib import Path\n\nclass Store:\n    def __init__(self, root: Path):\n        self.data = (root / 'db.json').read_text()\n\n"
            "async def f(root):\n    return Store(root)\n",
            line=8, column=12, message_contains="Store.__init__() -> pathlib.Path.read_text()",
        ),
        Invalid(
            "def a():\n    return b()\n\ndef b():\n    return a() or open('x')\n\nasync def f():\n    a()\n",
            line=8, column=5, message_contains="a() -> b() -> open()",
            fixed="import asyncio\n\ndef a():\n    return b()\n\ndef b():\n    return a() or open('x')\n\nasync def f():\n    await asyncio.to_thread(a)\n",
        ),
    )
