"""APL205: ``asyncio.gather`` over a comprehension of unknown size, with no concurrency bound."""

from __future__ import annotations

import libcst as cst

from ..context import COMPREHENSIONS
from ..rule import FixAvailability, Invalid, Rule, Valid
from ._loops import call_kind, looks_like_io, read_paths

# a bound somewhere in the module: the callee most likely acquires it
_BOUND_MARKERS = (
    "Semaphore", "CapacityLimiter", "BatchProcessor", "Limiter", "limiter", "max_concurrency",
    "max_concurrent", "concurrency_limit", "limit_concurrency",
)
_BATCH_WORDS = ("batch", "chunk", "page", "window", "group")


class UnboundedGather(Rule):
    """## What it does
    Reports `asyncio.gather(*(f(x) for x in xs))` (or a list comprehension or `map`) whose
    input has no known size, in a module that never bounds concurrency (no semaphore, capacity
    limiter or `BatchProcessor` anywhere in it), when the gathered call is a round trip (an
    HTTP, model, embedding or database call, named as APL201 recognises them: closing a pool's
    connections or evaluating a few conditions at once is not reported). Literal inputs, `range(<number>)`, slices
    and batches from an enclosing loop (`for batch in chunks: await gather(...)`) are not
    reported.

    ## Why is this bad?
    `gather` starts every coroutine at once. With ten items that is the point; with the 10,000
    rows a user uploads it is 10,000 open sockets, a burst the server or LLM provider answers
    with 429s and timeouts, and memory for every pending response at the same time.

    ## Example
    ```python
    import asyncio

    async def embed_all(client, texts):
        return await asyncio.gather(*(client.embed(t) for t in texts))
    ```

    ## Use instead
    ```python
    import asyncio

    async def embed_all(client, texts, limit=asyncio.Semaphore(16)):
        async def one(text):
            async with limit:
                return await client.embed(text)

        return await asyncio.gather(*(one(t) for t in texts))
    ```
    or `agentperf_lint.runtime.BatchProcessor(max_workers=16)`.

    ## Known problems
    Whether an input can grow large is not visible in the code: gathering over a graph's few
    subgraphs looks like gathering over a user's 10,000 documents. On the libraries we
    measured, half the findings were of the first kind, so the rule is opt-in
    (`extend-select = ["APL205"]`).

    ## Fix safety
    No fix: the right bound depends on the callee (a provider's rate limit, a pool size).

    ## Options
    None.
    """

    code = "APL205"
    name = "unbounded-gather"
    message = "`asyncio.gather` starts one task per item of `{source}` at once, with no bound on concurrency"
    fix_availability = FixAvailability.NEVER
    triggers = ("gather",)
    # opt-in: on real code half the findings gathered over a handful of components (subgraphs,
    # memory blocks) whose size no name reveals; see the notes in "Known problems"
    default_enabled = False

    def begin_file(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().begin_file(ctx)
        self._bounded = any(marker in ctx.source for marker in _BOUND_MARKERS)

    def visit_Call(self, node: cst.Call) -> None:
        if self._bounded or self.ctx.call_target(node) != "asyncio.gather":
            return
        for arg in node.args:
            if arg.star != "*":
                continue
            source = self._unbounded_source(arg.value)
            if source is not None:
                text = " ".join(self.ctx.module.code_for_node(source).split())
                self.report(node, source=text if len(text) <= 40 else text[:37] + "...")
                return

    def _unbounded_source(self, value: cst.BaseExpression) -> cst.BaseExpression | None:
        if isinstance(value, (cst.GeneratorExp, cst.ListComp)):
            element = value.elt
            if value.for_in.asynchronous is not None or not (
                    isinstance(element, cst.Call) and (looks_like_io(self.ctx, element) or call_kind(self.ctx, element))):
                return None
            source = value.for_in.iter
        elif isinstance(value, cst.Call) and self.ctx.qualified_name(value.func) == "builtins.map" and len(value.args) >= 2:
            probe = cst.Call(func=value.args[0].value)
            if not (looks_like_io(self.ctx, probe) or call_kind(self.ctx, probe)):
                return None
            source = value.args[1].value
        else:
            return None
        return None if self._known_size(source) else source

    def _known_size(self, source: cst.BaseExpression, depth: int = 0) -> bool:
        if depth > 4:
            return False
        if isinstance(source, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return True
        if isinstance(source, cst.Subscript):  # xs[i:i + n]: a batch
            return True
        if isinstance(source, cst.Call):
            target = self.ctx.qualified_name(source.func)
            if target == "builtins.range" and all(isinstance(a.value, cst.Integer) for a in source.args):
                return True
            if target in ("builtins.zip", "builtins.enumerate", "builtins.sorted", "builtins.reversed") and source.args:
                return self._known_size(source.args[0].value, depth + 1)
        if isinstance(source, cst.Name):
            binding = self.ctx.lookup(source.value)
            if binding is not None and binding.kind == "assign" and binding.values and all(
                    self._known_size(value, depth + 1) for value in binding.values):
                return True
        if isinstance(source, COMPREHENSIONS):
            return self._known_size(source.for_in.iter, depth + 1)  # type: ignore[union-attr]
        names = {path.split(".")[0].lower() for path in read_paths(source)}
        if any(word in name for name in names for word in _BATCH_WORDS):
            return True
        loop_targets = self._enclosing_loop_targets()
        return bool(names & loop_targets)

    def _enclosing_loop_targets(self) -> set[str]:
        names: set[str] = set()
        for loop in self.ctx.loops:
            target = loop.target if isinstance(loop, cst.For) else None
            if isinstance(loop, COMPREHENSIONS):
                target = loop.for_in.target  # type: ignore[union-attr]
            if target is not None:
                names.update(path.lower() for path in read_paths(target))
        return names

    VALID = (
        Valid("import asyncio\nasync def f(a, b):\n    return await asyncio.gather(a.fetch(), b.fetch())\n"),
        Valid("import asyncio\nasync def f(c):\n    return await asyncio.gather(*(c.fetch(u) for u in ['a', 'b']))\n"),
        Valid("import asyncio\nasync def f(c):\n    return await asyncio.gather(*[c.ping(i) for i in range(4)])\n"),
        Valid("""
            import asyncio
            async def f(c, urls):
                sem = asyncio.Semaphore(10)
                async def one(u):
                    async with sem:
                        return await c.fetch(u)
                return await asyncio.gather(*(one(u) for u in urls))
        """),
        Valid("""
            import asyncio
            async def f(c, urls, size=20):
                for start in range(0, len(urls), size):
                    await asyncio.gather(*(c.fetch(u) for u in urls[start:start + size]))
        """),
        Valid("""
            import asyncio
            async def f(c, batches):
                for batch in batches:
                    await asyncio.gather(*(c.fetch(u) for u in batch))
        """),
        Valid("""
            import asyncio
            async def f(c, chunks):
                for part in chunks:
                    await asyncio.gather(*(c.fetch(u) for u in part.urls))
        """),
        Valid("""
            import asyncio
            async def f(c):
                names = ['a', 'b', 'c']
                return await asyncio.gather(*(c.fetch(n) for n in names))
        """),
        Valid("import asyncio\nasync def f(tasks):\n    return await asyncio.gather(*tasks)\n"),
        Valid("import asyncio\nasync def f(pool):\n    await asyncio.gather(*(c.disconnect() for c in pool.connections))\n"),
        Valid("import asyncio\nasync def f(conditions, m):\n    return await asyncio.gather(*[c(m) for c in conditions])\n"),
        Valid("import trio\nasync def f(gather, xs):\n    return await gather(*(g(x) for x in xs))\n"),
    )
    INVALID = (
        Invalid(
            "import asyncio\nasync def f(client, texts):\n    return await asyncio.gather(*(client.embed(t) for t in texts))\n",
            line=3, column=18, message_contains="`texts`",
        ),
        Invalid(
            "import asyncio\nasync def f(client, users):\n    await asyncio.gather(*[client.fetch_profile(u) for u in users.all()])\n",
            line=3, column=11, message_contains="`users.all()`",
        ),
        Invalid(
            "import asyncio\nasync def f(fetch_page, urls):\n    return await asyncio.gather(*map(fetch_page, urls), return_exceptions=True)\n",
            line=3, column=18,
        ),
        Invalid(
            "from asyncio import gather\nasync def f(agent, tasks):\n    return await gather(*(agent.run(t) for t in tasks))\n",
            line=3, column=18,
        ),
    )
