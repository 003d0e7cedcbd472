"""APL305: the same awaited lookup, with the same arguments, on every iteration of a loop."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import libcst as cst

from ..context import COMPREHENSIONS, FileContext
from ..rule import Invalid, Rule, Valid
from ..walker import iter_children, iter_tree
from ._reuse import RETRY_NAME, dotted_name, last_name, loops_here

# fetch-like verbs: reading the same thing twice gives the same answer
# (LangChain spells its async variants with an ``a`` prefix: ``aget_relevant_documents``,
# ``aembed_query``, ``asimilarity_search``)
_FETCH = re.compile(
    r"^_?a?(get|fetch|load|lookup|find|query|embed|retrieve|search|resolve|read_config|describe|"
    r"list|count|exists)(_|$)|_(config|settings|schema|embedding|embeddings|template|prompt|tools|"
    r"credentials|token|metadata|search|lookup)$"
)
# ... except the stateful reads among them: the next item, the current state, a poll
_STATEFUL = re.compile(
    r"next|nowait|one$|many$|latest|current|status|state|now|time|random|new_|updates|messages|"
    r"events|pending|result|chunk|line|batch|lock|event|task|job|item|message|work"
)
_STREAM_RECEIVER = re.compile(
    r"queue|inbox|outbox|channel|stream|reader|socket|ws$|websocket|subscriber|consumer|cursor|"
    r"iterator|pubsub|receiver|mailbox|pipe|conn$",
    re.IGNORECASE,
)
_QUEUE_TYPES = re.compile(r"(^|\.)(Queue|PriorityQueue|LifoQueue|SimpleQueue|StreamReader|MemoryObjectReceiveStream)$")


class InvariantAwaitInLoop(Rule):
    """## What it does
    Reports the same awaited lookup repeated on every iteration of a loop over items. The callee
    and its arguments do not change between iterations: `await load_config()`,
    `await db.get_user(user_id)` or `await embed(query)` repeated for every document.

    To stay precise it reports only fetch-like calls (`get`/`fetch`/`load`/`lookup`/`find`/
    `query`/`embed`/`retrieve`/`search`/`resolve`/`list`/`count`..., LangChain's `a`-prefixed
    variants such as `aget_relevant_documents`, and `*_config`, `*_settings`, `*_template`,
    `*_search`...), only in a synchronous `for` loop or comprehension whose
    target is used in the body, and never:

    - stateful reads (`queue.get()`, `cursor.fetchone()`, `get_next_task()`, `get_status()`) or
      calls on queues, streams, sockets, cursors and connections;
    - when the receiver or an argument is assigned or mutated in the loop body (including by
      calling a non-fetch method on it, such as `await db.insert(x)` next to `await db.count()`);
    - when an argument is also passed to an awaited non-fetch call in the loop body
      (`await update_chat(chat_id, data)` then `await get_chat(chat_id)`: the loop writes the
      record and reads it back, so each read differs);
    - when an argument contains another call (its value may differ each time);
    - in `async for` loops (time passes between items by design) and in retry loops.

    ## Why is this bad?
    The loop awaits the same round trip (a database query, an HTTP request, an embedding call)
    once per item although the answer cannot depend on the item. For N items the loop pays N
    network latencies where one suffices.

    ## Example
    ```python
    async def tag_documents(store, docs, user_id):
        for doc in docs:
            user = await store.get_user(user_id)
            doc.tags.append(user.default_tag)
    ```

    ## Use instead
    ```python
    async def tag_documents(store, docs, user_id):
        user = await store.get_user(user_id)
        for doc in docs:
            doc.tags.append(user.default_tag)
    ```
    If the value can really change while the loop runs, cache it with a TTL instead
    (`agentperf_lint.runtime.IntelligentCache`).

    ## Fix safety
    No fix: hoisting changes behaviour if the value changes during the loop, or if the loop
    may run zero times and the call has effects.

    ## Options
    None.
    """

    code = "APL305"
    name = "invariant-await-in-loop"
    message = (
        "`await {call}(...)` makes the same call with the same arguments on every iteration of "
        "the loop over `{target}`; hoist it above the loop or cache it"
    )
    triggers = ("await",)

    def visit_Await(self, node: cst.Await) -> None:
        ctx = self.ctx
        call = node.expression
        if not ctx.in_async or not ctx.loops or not isinstance(call, cst.Call):
            return
        loops = loops_here(ctx)
        if not loops:
            return
        loop = loops[-1]
        parts = _loop_parts(loop)
        if parts is None:
            return
        targets, body = parts
        target_names = set(_names_bound(targets))
        if not target_names or all(name.startswith("_") for name in target_names):
            return
        if any(RETRY_NAME.search(name) for name in target_names):
            return
        if not self._fetch_like(call):
            return
        used = _names_read(body, exclude=call)
        if not target_names & used:
            return  # not an item loop: the target is never used
        written = _names_written(body) | target_names
        mentioned = _roots(call.func) | set(_arg_names(call))
        if mentioned & written or _has_nested_call(call, ctx):
            return
        if _mutated_receivers(body) & mentioned:
            return
        if _written_by_awaits(body, exclude=call) & set(_arg_names(call)):
            return
        if _retry_shape(body):
            return
        self.report(
            node, call=dotted_name(call.func) or last_name(call.func),
            target=", ".join(sorted(target_names)),
        )

    def _fetch_like(self, call: cst.Call) -> bool:
        verb = last_name(call.func)
        if not _FETCH.search(verb) or _STATEFUL.search(verb.lower()):
            return False
        if isinstance(call.func, cst.Attribute):
            receiver = call.func.value
            if _STREAM_RECEIVER.search(dotted_name(receiver) or last_name(receiver)):
                return False
            kind = self.ctx.value_type(receiver) or ""
            if _QUEUE_TYPES.search(kind):
                return False
        return True

def _loop_parts(loop: cst.CSTNode) -> tuple[list[cst.BaseExpression], cst.CSTNode] | None:
    """The loop's targets and body, for a synchronous ``for`` or comprehension; else None."""
    if isinstance(loop, cst.For):
        return (None if loop.asynchronous is not None else ([loop.target], loop.body))
    if isinstance(loop, COMPREHENSIONS):
        targets: list[cst.BaseExpression] = []
        for_in: cst.CompFor | None = loop.for_in
        while for_in is not None:
            if for_in.asynchronous is not None:
                return None
            targets.append(for_in.target)
            for_in = for_in.inner_for_in
        return targets, loop
    return None


def _names_bound(targets: Iterable[cst.BaseExpression]) -> Iterator[str]:
    for target in targets:
        for node in iter_tree(target):
            if isinstance(node, cst.Name):
                yield node.value


def _names_read(body: cst.CSTNode, exclude: cst.CSTNode) -> set[str]:
    skip = {id(node) for node in iter_tree(exclude)}
    return {node.value for node in iter_tree(body) if isinstance(node, cst.Name) and id(node) not in skip}


def _root(expr: cst.BaseExpression) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _roots(expr: cst.BaseExpression) -> set[str]:
    """Names an expression reads (not attribute names or keywords): ``self.a.get(x, k=y)`` ->
    ``{self, x, y}``."""
    names = set()
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            names.add(node.value)
        elif isinstance(node, (cst.Attribute, cst.Arg)):
            stack.append(node.value)
        else:
            stack.extend(iter_children(node))
    return names


def _arg_names(call: cst.Call) -> Iterator[str]:
    for arg in call.args:
        yield from _roots(arg.value)


def _names_written(body: cst.CSTNode) -> set[str]:
    written: set[str] = set()
    for node in iter_tree(body):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
            targets = [node.target]
        elif isinstance(node, cst.AsName):
            targets = [node.name]
        elif isinstance(node, cst.Del):
            targets = [node.target]
        for target in targets:
            for element in iter_tree(target):
                if isinstance(element, cst.Name):
                    written.add(element.value)
            root = _root(target)
            if root is not None:
                written.add(root)
    return written


def _mutated_receivers(body: cst.CSTNode) -> set[str]:
    """Roots of receivers of non-fetch method calls in the body (``items.append``,
    ``db.insert``, ``self.process``): their state may change between iterations."""
    touched = set()
    for node in iter_tree(body):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and not _FETCH.search(node.func.attr.value):
            root = _root(node.func.value)
            if root is not None:
                touched.add(root)
    return touched


def _written_by_awaits(body: cst.CSTNode, exclude: cst.Call) -> set[str]:
    """Names passed to an awaited non-fetch call in the body (``await update_chat(chat_id,
    data)``): that call writes the record the fetch then reads back, so the fetch's answer
    changes every iteration (an update-then-read check)."""
    names: set[str] = set()
    for node in iter_tree(body):
        if isinstance(node, cst.Await) and isinstance(node.expression, cst.Call) and node.expression is not exclude:
            call = node.expression
            if not _FETCH.search(last_name(call.func)):
                names.update(_arg_names(call))
    return names


def _has_nested_call(call: cst.Call, ctx: FileContext) -> bool:
    """An argument computed by a call (other than a builtin such as ``str``): it may differ."""
    for arg in call.args:
        for node in iter_tree(arg.value):
            if isinstance(node, cst.Call):
                qualified = ctx.qualified_name(node.func)
                if not (qualified or "").startswith("builtins."):
                    return True
            if isinstance(node, (cst.Await, cst.Lambda, COMPREHENSIONS)):
                return True
    return False


def _retry_shape(body: cst.CSTNode) -> bool:
    """A ``try`` with a ``break``/``return`` in the loop: an attempt loop, not an item loop."""
    nodes = list(iter_tree(body))
    has_try = any(isinstance(node, (cst.Try, cst.TryStar)) for node in nodes)
    exits = any(isinstance(node, (cst.Break, cst.Return)) for node in nodes)
    return has_try and exits


InvariantAwaitInLoop.VALID = (
    # update then read back: the awaited write takes the same id, so each read differs
    Valid("""
        async def check_updates(chat_id, updates):
            for update in updates:
                await update_chat(chat_id, update)
                chat = await get_chat(chat_id)
                assert chat["title"] == update["title"]
    """),
    Valid("""
        async def f(store, docs, user_id):
            user = await store.get_user(user_id)
            for doc in docs:
                doc.owner = user
    """),
    Valid("""
        async def f(store, docs):
            for doc in docs:
                await store.get_user(doc.owner_id)
    """),
    Valid("""
        import asyncio

        async def worker(queue, items):
            for item in items:
                job = await queue.get()
                job.run(item)
    """),
    Valid("""
        import asyncio

        async def f(items):
            for item in items:
                await asyncio.sleep(0.1)
                print(item)
    """),
    Valid("""
        async def f(event, items):
            for item in items:
                await event.wait()
                print(item)
    """),
    Valid("""
        async def f(store):
            for _ in range(3):
                await store.get_config()
    """),
    Valid("""
        async def f(store, items):
            for item in items:
                await store.insert(item)
                total = await store.count()
    """),
    Valid("""
        async def f(store, items, key):
            for item in items:
                key = item.key
                await store.get(key)
    """),
    Valid("""
        async def f(stream, items):
            async for chunk in stream:
                await stream.get_config()
                print(chunk)
    """),
    Valid("""
        async def f(client, url, items):
            for attempt in range(3):
                try:
                    return await client.get(url)
                except TimeoutError:
                    log(attempt)
    """),
    Valid("""
        async def f(cursor, items):
            for item in items:
                row = await cursor.fetchone()
                item.update(row)
    """),
    Valid("""
        async def f(api, items):
            for item in items:
                status = await api.get_status()
                print(item, status)
    """),
    Valid("""
        async def f(api, items):
            for item in items:
                await api.get_page(make_cursor())
                print(item)
    """),
    Valid("""
        async def f(api, items):
            def inner():
                return api
            for item in items:
                await api.send(item)
    """),
    Valid("""
        def f(api, items):
            for item in items:
                api.get_config()
    """),
    Valid("""
        async def f(toolset, ctx):
            return {name: tool.spec for name, tool in (await toolset.get_tools(ctx)).items()}
    """),
    Valid("""
        async def f(server, name):
            return next((t for t in await server.list_tools() if t.name == name), None)
    """),
    Valid("""
        async def f(self, items):
            for item in items:
                await self.handle(item)
                cfg = await self.get_config()
    """),
)

InvariantAwaitInLoop.INVALID = (
    Invalid("""
        async def tag(store, docs, user_id):
            for doc in docs:
                user = await store.get_user(user_id)
                doc.tags.append(user.default_tag)
    """, line=3, column=16, message_contains="loop over `doc`"),
    Invalid("""
        async def answer(llm, chunks, query):
            scores = []
            for chunk in chunks:
                q = await llm.embed(query)
                scores.append(similarity(q, chunk.vector))
            return scores
    """, line=4, column=13),
    Invalid("""
        async def run(agent, tasks):
            return [(task, await load_config("agent.yaml")) for task in tasks]
    """, line=2, column=20),
    Invalid("""
        async def run(self, tasks):
            for task in tasks:
                prompt = await self.prompts.get_template(self.role)
                print(task, prompt)
    """, line=3, column=18),
    Invalid("""
        async def rerank(store, query, docs):
            ranked = []
            for doc in docs:
                neighbours = await store.asimilarity_search(query, k=4)
                ranked.append((doc, neighbours))
            return ranked
    """, line=4, column=22),
    Invalid("""
        async def run(db, ids):
            for i in ids:
                settings = await db.fetch_settings(str("tenant"))
                print(i, settings)
    """, line=3, column=20),
    # an awaited write of other data does not change what the fetch reads
    Invalid("""
        async def tag_all(docs, user_id):
            for doc in docs:
                user = await get_user(user_id)
                await save_tags(doc, user.default_tag)
    """, line=3, column=16),
)
