"""Independence analysis of loop iterations, shared by the APL2xx (N+1) rules.

ESLint's ``no-await-in-loop`` reports every ``await`` inside a loop and is switched off by the
teams it was meant to help: retries, pagination, pacing and early exits are all "awaits in a
loop" that must stay sequential. These rules instead ask whether *this* iteration could run
while the others do, from the loop body alone (a small walk with :func:`walker.iter_tree`):

- the loop as a whole must not leave early (``break``, ``return``, ``raise`` outside an
  ``except``, ``yield``), pace itself (a sleep, a lock, semaphore or rate limiter), stream its
  results in order (``send``/``write``/``put``), or chain several awaits whose results feed each
  other;
- the call must read the loop target (directly or through a name derived from it earlier in
  the same iteration) and nothing an earlier iteration may have written: a name assigned later
  in the body or only conditionally (``message = await reply(message)``, ``cursor = page.next``),
  an augmented assignment, a container the body mutates, an attribute the body assigns.

The answers are cached per loop node, since several rules ask about the same loop.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst

from ..context import COMPREHENSIONS, FileContext, target_names
from ..project.kinds import project_call_kind
from ..project.queries import per_item_effect
from ..rule import Applicability, Fix, ImportNeeded, Rule
from ..walker import iter_tree
from ._django_orm import consumed_by_async_query, is_async_query
from ._embedded_db import costs_a_commit_per_item, is_sqlite
from ._kind_dispatch import for_one_kind_of_part
from ._off_request_path import off_request_path
from ._sql_text import statement_keyword
from ._switched_off import io_switched_off
from ._test_code import in_one_shot_module, in_set_up_hook
from ._test_code import in_test_code as test_code

Loop = cst.For | cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp

# methods that change the object they are called on: the container carries state across items
MUTATORS = frozenset({
    "append", "extend", "insert", "add", "update", "pop", "popleft", "appendleft", "remove",
    "discard", "clear", "setdefault", "sort", "reverse", "put_nowait", "rotate", "popitem",
})
# awaited methods whose order is the point: streams, sockets, queues, events, locks
ORDERED_IO = frozenset({
    "send", "send_text", "send_json", "send_bytes", "sendall", "sendto", "send_message", "write",
    "writelines", "drain", "flush", "put", "wait", "join", "recv", "receive", "receive_text",
    "receive_json", "receive_bytes", "readline", "readexactly", "readuntil", "acquire",
    "release", "sleep", "close", "aclose", "shutdown", "cancel", "stop", "publish", "emit",
    "notify", "notify_all", "wait_closed", "start_server", "serve_forever", "__anext__", "asend",
    "athrow", "feed", "feed_data", "write_eof", "emit_event", "dispatch", "log", "print",
})
# reading the body of a response got by an earlier await is part of the same request
CONSUME = frozenset({
    "json", "text", "read", "body", "content", "aread", "bytes", "release", "raise_for_status",
    "fetchall", "fetchone", "all", "first", "one", "scalars", "scalar", "to_list", "iter_chunked",
})
# ``with conn.transaction():`` / ``transaction.atomic()`` / ``session.begin()`` per item: each
# item is its own atomic unit on purpose, which one batched statement would merge
_TRANSACTIONS = frozenset({"transaction", "atomic", "begin", "begin_nested"})
_PACING_WORDS = frozenset({
    "sleep", "throttle", "throttler", "throttled", "limiter", "ratelimit", "ratelimiter", "backoff",
    "lock", "rlock", "semaphore", "sem", "acquire", "limit", "pace", "pacer", "cooldown",
})
_HOOKS = frozenset({
    "startup", "setup", "teardown", "start", "initialize", "init", "connect", "disconnect",
    "dispose", "cleanup", "dispatch", "call", "callback", "middleware", "hook", "run_hook",
    "trigger", "fire", "signal", "process_event", "apply", "migrate", "upgrade", "downgrade",
})
_INPUT_EVENTS = frozenset({"dispatch", "press", "click", "keypress", "keydown", "keyup", "scroll", "tap", "hover", "drag"})
_PER_ROW_RESULTS = frozenset({"rowcount", "lastrowid", "inserted_primary_key", "returned_defaults", "inserted_id", "upserted_id"})
_EXPECTATIONS = frozenset({
    "assertRaises", "assertRaisesRegex", "assertWarns", "assertWarnsRegex", "raises", "warns",
    "subTest", "assertLogs", "assertNoLogs", "deprecated_call",
})
_CONCURRENT_SOURCES = frozenset({
    "asyncio.as_completed", "asyncio.wait", "asyncio.gather", "anyio.as_completed", "trio.as_completed",
})


@dataclass
class LoopFacts:
    """What one loop's body allows; ``reason`` says why no call in it may be reported."""

    loop: Loop
    targets: frozenset[str]
    reason: str | None = None
    derived: set[str] = field(default_factory=set)  # per-item names computed from the target
    carried: set[str] = field(default_factory=set)  # names whose value may cross iterations
    written_paths: set[str] = field(default_factory=set)  # attributes/containers the body writes
    from_await: set[str] = field(default_factory=set)  # names bound from an awaited result


_CACHE: weakref.WeakKeyDictionary[FileContext, dict[int, LoopFacts]] = weakref.WeakKeyDictionary()


def innermost_loop(ctx: FileContext) -> Loop | None:
    """The loop whose body the visited node runs in, if it is a ``for`` or a comprehension of
    the current function (``while`` loops are left alone: their exits are too varied)."""
    loops = ctx.loops
    if not loops:
        return None
    loop = loops[-1]
    return loop if isinstance(loop, (cst.For, *COMPREHENSIONS)) else None


def in_test_code(ctx: FileContext) -> bool:
    """Tests and test doubles (:func:`._test_code.in_test_code`) loop over a few cases on
    purpose, often to check each one in turn; N+1 costs nobody there. The same holds for
    one-shot code (:func:`._test_code.in_one_shot_module`: migrations, diagnostics dumps) and
    framework start-up hooks (:func:`._test_code.in_set_up_hook`), and code that runs at start-up,
    on a timer or once per command (:func:`._off_request_path.off_request_path`)."""
    return in_one_shot_module(ctx) or test_code(ctx) or in_set_up_hook(ctx) or off_request_path(ctx)


# callables that cut an iterable into batches: ``itertools.batched``, ``more_itertools.chunked``
_BATCHING = frozenset({"batched", "chunked", "batch", "batches", "chunks", "grouper", "partition", "sliced"})


def walks_batches(loop: Loop) -> bool:
    """``for chunk in batched(items, 50)``, ``for i in range(0, len(items), 50)``: the author
    already sends one batch per request; how many batches may run at once is another decision
    (often a deliberate one: the server would not take them all)."""
    if not isinstance(loop, cst.For) or not isinstance(loop.iter, cst.Call):
        return False
    source = loop.iter
    name = call_name(source)
    return bool(_words(name) & _BATCHING) or (name == "range" and len(source.args) == 3)


def in_error_fallback(ctx: FileContext, loop: Loop) -> bool:
    """The loop sits in an ``except`` block: the one-by-one fallback after a batch request
    failed, a path that runs rarely and often on purpose item by item (to find the bad one)."""
    function = ctx.function.node
    for node in reversed(ctx.ancestors):
        if node is function:
            return False
        if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            return True
    return False


def awaits_nothing(ctx: FileContext, call: cst.Call) -> bool:
    """``await self.describe(x)`` where this module defines ``describe`` (a method of the
    enclosing class, or a module-level function) as an ``async def`` that awaits nothing: the
    coroutine runs straight through, in process, with no round trip to overlap."""
    func = call.func
    definition: cst.CSTNode | None = None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        info = ctx.function.class_info
        if info is not None and func.value.value == ctx.function.self_name:
            definition = info.methods.get(func.attr.value)
    elif isinstance(func, cst.Name):
        binding = ctx.frames[0].scope.bindings.get(func.value)
        definition = binding.node if binding is not None and binding.kind == "def" else None
    if not isinstance(definition, cst.FunctionDef) or definition.asynchronous is None:
        return False
    return not any(
        isinstance(node, cst.Await)
        or (isinstance(node, (cst.With, cst.For)) and node.asynchronous is not None)
        or (isinstance(node, cst.CompFor) and node.asynchronous is not None)
        for node in body_nodes(definition.body)
    )


def facts_for(ctx: FileContext, loop: Loop) -> LoopFacts:
    per_file = _CACHE.setdefault(ctx, {})
    facts = per_file.get(id(loop))
    if facts is None or facts.loop is not loop:
        facts = _analyse(ctx, loop)
        per_file[id(loop)] = facts
    return facts


# a loop whose awaits feed each other within an iteration (look a row up, then write with it)
FEEDING_AWAITS = "the awaits in the body feed each other"


def independent_call(ctx: FileContext, facts: LoopFacts, expr: cst.BaseExpression, heads_a_chain: bool = False) -> bool:
    """True when ``expr`` (a call, or the awaited expression) could run for every item at once.
    ``heads_a_chain``: a loop whose later awaits use this call's result still makes this call
    once per item (the database rules batch it: one query for all items, then the rest)."""
    if facts.reason is not None and not (heads_a_chain and facts.reason == FEEDING_AWAITS):
        return False
    reads = read_paths(expr)
    heads = {path.split(".")[0] for path in reads}
    if not heads & (facts.targets | facts.derived):
        return False  # loop-invariant: another rule's business (APL305)
    if heads & (facts.carried | facts.from_await):
        return False
    own = facts.targets | facts.derived  # writes to this item's own object stay in this iteration
    shared = [path for path in facts.written_paths if path.split(".")[0] not in own]
    return not any(_overlaps(read, written) for read in reads for written in shared)


def read_paths(expr: cst.CSTNode) -> set[str]:
    """Dotted names read by ``expr``: ``self.client.get(x.id)`` -> {"self.client.get", "x.id"}."""
    paths: set[str] = set()
    skip: set[int] = set()
    for node in iter_tree(expr):
        if id(node) in skip:
            continue
        if isinstance(node, cst.Attribute):
            dotted = _dotted(node)
            if dotted is not None:
                paths.add(dotted)
                skip.update(id(n) for n in iter_tree(node))
            else:
                skip.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            skip.add(id(node.keyword))
        elif isinstance(node, cst.Name):
            paths.add(node.value)
    return paths


def shares_state(ctx: FileContext, call: cst.Call, facts: LoopFacts) -> bool:
    """The call is handed something every iteration shares and may change (an accumulator
    created empty in the function, a mapping context), or it collects work already running
    (``await response.get_response()`` on each pending response)."""
    for arg in call.args:
        value = arg.value
        if not isinstance(value, cst.Name) or value.value in facts.targets:
            continue
        if _words(value.value) & _STATE_WORDS:
            return True
        binding = ctx.lookup(value.value)
        if binding is not None and binding.kind == "assign" and any(_is_empty_container(ctx, v) for v in binding.values):
            return True
    func = call.func
    return (
        isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and not call.args
        and func.value.value in facts.targets and bool(_words(func.value.value) & _PENDING_WORDS)
    )


_STATE_WORDS = frozenset({"context", "ctx", "state", "acc", "accumulator", "seen", "visited", "latest", "memo"})
_PENDING_WORDS = frozenset({"response", "resp", "stream", "future", "fut", "task", "job", "handle", "promise", "coro", "pending"})


def _is_empty_container(ctx: FileContext, value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.List, cst.Dict, cst.Set)):
        return not value.elements
    if isinstance(value, cst.Call) and not value.args:
        return ctx.qualified_name(value.func) in (
            "builtins.list", "builtins.dict", "builtins.set", "collections.defaultdict",
            "collections.Counter", "collections.deque", "collections.OrderedDict")
    return False


def for_one_item(ctx: FileContext, loop: Loop, facts: LoopFacts) -> bool:
    """The visited node runs only for the item the loop looks for: it sits under ``if tool.name
    == name:`` or ``if item is target:`` (an equality or identity test of the item against a
    loop-invariant variable), so it runs once, not once per item. A test against a literal
    (``if doc.status == "new":``) is a filter and still runs per matching item. Also when
    whether it runs depends on earlier items: a guard reading a name or container the body
    writes (``if not image: image = await download(url)``, a memo checked before ``continue``)."""
    ancestors = ctx.ancestors
    start = next((i for i, node in enumerate(ancestors) if node is loop), None)
    if start is None:
        return False
    per_item = facts.targets | facts.derived
    for index in range(start + 1, len(ancestors) - 1):
        node = ancestors[index]
        if isinstance(node, cst.If) and ancestors[index + 1] is node.body and _looks_up_one(node.test, per_item, facts):
            return True
        if isinstance(node, cst.If) and ancestors[index + 1] is not node.test and (
                _reads_earlier_items(node.test, facts) or _heads(node.test) & facts.from_await):
            return True  # ``if not image: image = await download(...)``, ``if key not in seen:``,
            # ``if not member: await cache.delete(key)`` (runs on what an earlier await found)
    body = loop.body if isinstance(loop, cst.For) else None
    return body is not None and any(
        isinstance(node, cst.If) and _reads_earlier_items(node.test, facts)
        and any(isinstance(inner, cst.Continue) for inner in body_nodes(node.body))
        for node in _own_loop_nodes(body)
    )  # ``if memo.get(key): continue``: a memo the body fills skips items seen before


def _reads_earlier_items(test: cst.BaseExpression, facts: LoopFacts) -> bool:
    """A test of state earlier iterations write: a carried name or a shared container."""
    own = facts.targets | facts.derived
    shared = [path for path in facts.written_paths if path.split(".")[0] not in own]
    reads = read_paths(test)
    bound_here = {name for node in iter_tree(test) if isinstance(node, (cst.NamedExpr, cst.CompFor))
                  for name in target_names(node.target)}  # a walrus or a comprehension's own names
    return bool({path.split(".")[0] for path in reads} & (facts.carried - bound_here)) or any(
        _overlaps(read, written) for read in reads for written in shared)


def cache_first(ctx: FileContext, call: cst.Call) -> bool:
    """``bot.get_user(id) or await bot.fetch_user(id)``, ``totals[k] if k in totals else await
    last_sum(k)``: a lookup answered from a local value most of the time, where the code shows it.

    A helper's name (``get_or_fetch_member``) is not enough: maintainers gather those too when the
    cache is cold for most items (python-discord/bot did), so only the visible shape counts."""
    node, parent = ctx.ancestors[-1], ctx.parent
    if isinstance(parent, cst.IfExp):
        return node is not parent.test  # ``cached[k] if k in cached else await fetch(k)``
    return isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.Or) and parent.right is node


def _looks_up_one(test: cst.BaseExpression, per_item: frozenset[str] | set[str], facts: LoopFacts) -> bool:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _looks_up_one(test.left, per_item, facts) or _looks_up_one(test.right, per_item, facts)
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    comparison = test.comparisons[0]
    if not isinstance(comparison.operator, (cst.Equal, cst.Is)):
        return False
    sides = (test.left, comparison.comparator)
    item_sides = [side for side in sides if {p.split(".")[0] for p in read_paths(side)} & per_item]
    if len(item_sides) != 1:
        return False
    other = sides[1] if item_sides[0] is sides[0] else sides[0]
    dotted = _dotted(other)
    if dotted is None or not _is_variable(dotted):
        return False  # a literal, an enum member or a constant: a filter, not a lookup
    return dotted.split(".")[0] not in set(per_item) | facts.carried | facts.from_await


def _is_variable(dotted: str) -> bool:
    """``name``, ``self.target``, ``request.user_id``: a value chosen at run time, not
    ``MessageType.reply``, ``Status.DONE``, ``DEFAULT_MODEL``, ``None``."""
    parts = dotted.split(".")
    head = parts[0].lstrip("_")
    if not head or not head[0].islower() or dotted in ("None", "True", "False"):
        return False
    return not any(part.isupper() for part in parts)


def call_name(call: cst.Call) -> str:
    """The last name of the callee: ``self.llm.ainvoke`` -> ``ainvoke``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def dotted_callee(call: cst.Call) -> str:
    """``client.chat.completions.create`` for a call, or "" when the callee is not dotted."""
    return _dotted(call.func) or ""


def awaited_call(node: cst.Await) -> cst.Call | None:
    """The call an ``await`` waits for, looking through ``asyncio.wait_for(call, timeout)``."""
    expr = node.expression
    if isinstance(expr, cst.Call) and call_name(expr) == "wait_for" and expr.args:
        inner = expr.args[0].value
        return inner if isinstance(inner, cst.Call) else None
    return expr if isinstance(expr, cst.Call) else None


def is_ordered_or_runtime(ctx: FileContext, call: cst.Call, targets: frozenset[str] = frozenset()) -> bool:
    """Calls that are not independent work: ordered I/O, synchronisation, the event loop's own
    helpers (``asyncio.gather`` per batch is deliberate batching), hooks and handlers run in
    registration order (``for hook in hooks: await hook(app)``, ``await plugin.on_startup()``)."""
    name = call_name(call)
    if (name in ORDERED_IO and not http_put(call)) or name in _HOOKS or name.startswith(("on_", "handle", "__")):
        return True
    if _words(name) & _INPUT_EVENTS:
        return True  # ``Input.dispatchKeyEvent``, ``page.click``: user input replayed in order
    if isinstance(call.func, cst.Name) and call.func.value in targets:
        return True
    target = ctx.call_target(call) or ""
    return target.split(".")[0] in ("asyncio", "trio", "anyio")


_HTTP_BODY_KEYWORDS = frozenset({"json", "data", "params", "headers", "content", "files"})


def http_put(call: cst.Call) -> bool:
    """``client.put("users/1", json=row)``, ``client.put(f"https://{host}/x")``: an HTTP PUT (a
    request-body keyword, or a first argument that starts like a URL), not a queue's ordered
    ``put(item)`` (a queue item may well be a relative path, so ``"a/b"`` alone says nothing)."""
    if call_name(call) != "put" or not call.args:
        return False
    if any(arg.keyword is not None and arg.keyword.value in _HTTP_BODY_KEYWORDS for arg in call.args):
        return True
    first = call.args[0].value
    if call.args[0].keyword is not None or not isinstance(first, (cst.SimpleString, cst.FormattedString)):
        return False
    if isinstance(first, cst.SimpleString):
        text = first.value.lstrip("rbuRBU")[1:]
    else:
        head = first.parts[0] if first.parts else None
        text = head.value if isinstance(head, cst.FormattedStringText) else ""
    return text.startswith(("http://", "https://"))


# -- the analysis -----------------------------------------------------------------------------
def _analyse(ctx: FileContext, loop: Loop) -> LoopFacts:
    if isinstance(loop, cst.For):
        targets = frozenset(target_names(loop.target))
        facts = LoopFacts(loop, targets)
        facts.reason = _for_loop_reason(ctx, loop)
        if facts.reason is None:
            _scan_statements(_block(loop.body), facts)
    else:
        targets = frozenset(name for for_in in _for_ins(loop) for name in target_names(for_in.target))
        facts = LoopFacts(loop, targets)
        if any(for_in.asynchronous is not None for for_in in _for_ins(loop)):
            facts.reason = "async comprehension"
        _scan_comprehension(loop, facts)
    if facts.reason is None:
        facts.reason = _body_reason(ctx, facts)
    return facts


def _for_loop_reason(ctx: FileContext, loop: cst.For) -> str | None:
    if loop.asynchronous is not None:
        return "`async for` consumes a stream in order"
    source = loop.iter
    if isinstance(source, cst.Call) and ctx.call_target(source) in _CONCURRENT_SOURCES:
        return "the iterable already runs the work concurrently"
    if fixed_size(ctx, source):
        return "the loop runs over a fixed set of values written in the code"
    for node in body_nodes(loop.body):
        if isinstance(node, (cst.Return, cst.Yield)):
            return "the loop returns or yields per item"
    for node in _own_loop_nodes(loop.body):
        if isinstance(node, cst.Break):
            return "the loop may stop early"
    if _raises_outside_handler(loop.body):
        return "the loop may stop early"
    return None


def fixed_size(ctx: FileContext, source: cst.BaseExpression, depth: int = 0) -> bool:
    """A literal collection or ``range(<numbers>)``, or a local name only ever bound to one:
    the author chose N, it is no user input."""
    if isinstance(source, cst.Name) and depth == 0:
        binding = ctx.lookup(source.value)
        return (binding is not None and binding.kind == "assign" and bool(binding.values)
                and all(fixed_size(ctx, value, 1) for value in binding.values))
    if isinstance(source, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
        return not any(isinstance(element, (cst.StarredElement, cst.StarredDictElement))
                       for element in source.elements)
    if isinstance(source, cst.Call) and ctx.qualified_name(source.func) == "builtins.range":
        return all(isinstance(arg.value, cst.Integer) for arg in source.args)
    return False


def _body_reason(ctx: FileContext, facts: LoopFacts) -> str | None:
    nodes = list(body_nodes(facts.loop.body if isinstance(facts.loop, cst.For) else _comp_parts(facts.loop)))
    if any(isinstance(node, cst.With) and any(
            isinstance(item.item, cst.Call) and call_name(item.item) in _TRANSACTIONS for item in node.items)
            for node in nodes):
        return "the body runs each item in its own transaction"
    for node in nodes:
        if isinstance(node, cst.Attribute) and node.attr.value in _PER_ROW_RESULTS:
            return "the body checks each statement's own result"
        if isinstance(node, cst.With) and any(
                isinstance(item.item, cst.Call) and call_name(item.item) in _EXPECTATIONS for item in node.items):
            return "a test expects each call to fail or runs it as a subtest"
        if isinstance(node, cst.With) and node.asynchronous is not None:
            for item in node.items:
                if not isinstance(item.item, cst.Call) or _mentions_pacing(item.item):
                    return "the body holds a lock, semaphore or limiter"
        if isinstance(node, cst.Call) and _mentions_pacing(node.func):
            return "the body paces itself"
        if isinstance(node, cst.Await):
            call = awaited_call(node)
            if call is None:
                continue
            if _consumes_response(call, facts):
                continue
            if (call_name(call) in ORDERED_IO and not http_put(call)) or call_name(call) in ("gather", "wait", "as_completed"):
                return "the body performs ordered I/O or waits on other work"
            if _heads(call) & facts.from_await:
                return FEEDING_AWAITS
            if _words(call_name(call)) & _INPUT_EVENTS:
                return "the body replays user input (clicks, key presses) on one page, in order"
    return None


def _consumes_response(call: cst.Call, facts: LoopFacts) -> bool:
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value in facts.from_await
        and func.attr.value in CONSUME
    )


def _mentions_pacing(expr: cst.BaseExpression) -> bool:
    """``asyncio.sleep``, ``self._rate_limiter.wait``, ``bucket_lock``: words, not substrings
    (``get_block`` is no lock)."""
    words = re.split(r"[._]", (_dotted(expr) or "").lower())
    return any(word in _PACING_WORDS or word.endswith(("limiter", "semaphore")) for word in words)


def _scan_statements(body: Sequence[cst.BaseStatement], facts: LoopFacts) -> None:
    """Split the names the body writes into per-item ones (assigned before any read on every
    path to it) and carried ones (everything else), then note mutations and awaited results."""
    written = _names_written(body)
    fresh: set[str] = set()
    _walk_block(body, facts, written, fresh)
    for node in body_nodes(body):
        _note_mutation(node, facts, fresh)
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.NamedExpr)) and _contains_await(node.value):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                facts.from_await.update(target_names(target))


def _walk_block(body: Sequence[cst.BaseStatement], facts: LoopFacts, written: set[str], fresh: set[str]) -> None:
    """Statements in order; a nested block gets a copy of ``fresh``: what it assigns is fresh
    inside it, not after it (the branch may not run)."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                _note_small(small, facts, written, fresh)
        elif isinstance(statement, cst.With):  # always runs: shares ``fresh``
            for item in statement.items:
                item_reads = _heads(item.item)
                _carry(item_reads, facts, written, fresh)
                if item.asname is not None:
                    for name in target_names(item.asname.name):
                        fresh.add(name)
                        if item_reads & (facts.targets | facts.derived):
                            facts.derived.add(name)
                        if statement.asynchronous is not None:
                            facts.from_await.add(name)
            _walk_block(_block(statement.body), facts, written, fresh)
        elif isinstance(statement, (cst.If, cst.Try, cst.TryStar, cst.For, cst.While)):
            header = getattr(statement, "test", None) or getattr(statement, "iter", None)
            if header is not None:
                _carry(_heads(header), facts, written, fresh)
            inner = set(fresh)
            if isinstance(statement, cst.For):
                inner.update(target_names(statement.target))
            for block in _child_blocks(statement):
                _walk_block(block, facts, written, set(inner))
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            fresh.add(statement.name.value)
        else:
            _carry(_heads(statement), facts, written, fresh)
            _note_writes(statement, facts, fresh)


def _child_blocks(statement: cst.CSTNode) -> Iterator[Sequence[cst.BaseStatement]]:
    yield _block(statement.body)  # type: ignore[attr-defined]
    for handler in getattr(statement, "handlers", ()):
        yield _block(handler.body)
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        yield [orelse]  # ``elif``: its test and blocks, walked like a nested ``if``
    elif orelse is not None:
        yield _block(orelse.body)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield _block(final.body)


def _note_small(small: cst.BaseSmallStatement, facts: LoopFacts, written: set[str], fresh: set[str]) -> None:
    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
        value_reads = _heads(small.value)
        _carry(value_reads, facts, written, fresh)
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
        for target in targets:
            if isinstance(target, (cst.Name, cst.Tuple, cst.List)):
                for name in target_names(target):
                    if name not in facts.carried:
                        fresh.add(name)
                        if value_reads & (facts.targets | facts.derived):
                            facts.derived.add(name)
            else:
                _carry(_heads(target), facts, written, fresh)
                _add_written_path(target, facts)
        return
    _carry(_heads(small), facts, written, fresh)
    _note_writes(small, facts, fresh)


def _heads(node: cst.CSTNode) -> set[str]:
    return {path.split(".")[0] for path in read_paths(node)}


def _carry(reads: Iterable[str], facts: LoopFacts, written: set[str], fresh: set[str]) -> None:
    """A name read before this iteration assigned it holds the previous iteration's value."""
    for name in reads:
        if name in written and name not in fresh and name not in facts.targets:
            facts.carried.add(name)


def _note_writes(node: cst.CSTNode, facts: LoopFacts, fresh: set[str]) -> None:
    for child in body_nodes(node):
        names: Iterable[str] = ()
        if isinstance(child, (cst.AugAssign, cst.Del)):
            names = target_names(child.target)
            _add_written_path(child.target, facts)
        elif isinstance(child, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in child.targets] if isinstance(child, cst.Assign) else [child.target]
            names = [name for target in targets for name in target_names(target)]
            for target in targets:
                _add_written_path(target, facts)
        elif isinstance(child, cst.NamedExpr):
            names = target_names(child.target)
        elif isinstance(child, (cst.Global, cst.Nonlocal)):
            names = [item.name.value for item in child.names]
        facts.carried.update(name for name in names if name not in fresh and name not in facts.targets)


def _note_mutation(node: cst.CSTNode, facts: LoopFacts, fresh: set[str]) -> None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in MUTATORS:
        owner = _dotted(node.func.value)
        if owner is not None and owner.split(".")[0] not in fresh:
            facts.written_paths.add(owner)
    elif isinstance(node, cst.NamedExpr):
        facts.carried.update(target_names(node.target))


def _add_written_path(target: cst.BaseExpression, facts: LoopFacts) -> None:
    """``self.state = ...``, ``seen[k] = ...``: the written object, as a dotted path."""
    is_item = isinstance(target, cst.Subscript)
    while isinstance(target, cst.Subscript):
        target = target.value
    dotted = _dotted(target)
    if dotted is not None and (is_item or "." in dotted):
        facts.written_paths.add(dotted)


def _scan_comprehension(loop: Loop, facts: LoopFacts) -> None:
    for node in body_nodes(_comp_parts(loop)):
        _note_mutation(node, facts, set())
        if isinstance(node, cst.NamedExpr):
            facts.carried.update(target_names(node.target))


def _comp_parts(loop: Loop) -> list[cst.CSTNode]:
    if isinstance(loop, cst.DictComp):
        parts: list[cst.CSTNode] = [loop.key, loop.value]
    else:
        parts = [loop.elt]  # type: ignore[union-attr]
    for index, for_in in enumerate(_for_ins(loop)):
        if index:
            parts.append(for_in.iter)
        parts.extend(if_.test for if_ in for_in.ifs)
    return parts


def _for_ins(loop: Loop) -> Iterator[cst.CompFor]:
    for_in: cst.CompFor | None = loop.for_in  # type: ignore[union-attr]
    while for_in is not None:
        yield for_in
        for_in = for_in.inner_for_in


# -- walking a body without entering nested scopes -----------------------------------------
def body_nodes(root: cst.CSTNode | Iterable[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Every node of a loop body, not descending into nested ``def``/``lambda``/``class``."""
    roots = [root] if isinstance(root, cst.CSTNode) else list(root)
    for start in roots:
        skipped: set[int] = set()
        for node in iter_tree(start):
            if id(node) in skipped:
                continue
            yield node
            if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) and node is not start:
                skipped.update(id(child) for child in iter_tree(node) if child is not node)


def _own_loop_nodes(body: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Nodes of a loop body outside nested loops (where ``break`` would leave another loop)."""
    skipped: set[int] = set()
    for node in body_nodes(body):
        if id(node) in skipped:
            continue
        yield node
        if isinstance(node, (cst.For, cst.While)):
            skipped.update(id(child) for child in iter_tree(node.body) if child is not node)


def _raises_outside_handler(body: cst.CSTNode) -> bool:
    handled: set[int] = set()
    for node in body_nodes(body):
        if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            handled.update(id(child) for child in iter_tree(node.body))
        elif isinstance(node, cst.Raise) and id(node) not in handled:
            return True
    return False


def _names_written(body: Sequence[cst.BaseStatement]) -> set[str]:
    names: set[str] = set()
    for node in body_nodes(body):
        if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
            names.update(target_names(node.target))
        elif isinstance(node, cst.AsName):
            names.update(target_names(node.name))
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            names.add(node.name.value)
        elif isinstance(node, cst.Del):
            names.update(target_names(node.target))
    return names


def _contains_await(expr: cst.CSTNode | None) -> bool:
    return expr is not None and any(isinstance(node, cst.Await) for node in body_nodes(expr))


def _block(suite: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return suite.body
    return [cst.SimpleStatementLine(body=suite.body)]  # type: ignore[attr-defined]


def _dotted(expr: cst.CSTNode) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = _dotted(expr.value)
        return None if base is None else f"{base}.{expr.attr.value}"
    return None


def _overlaps(read: str, written: str) -> bool:
    return read == written or read.startswith(written + ".") or written.startswith(read + ".")


# -- what a call is ---------------------------------------------------------------------------
# words in a callee's name that mean a round trip; an ``a`` prefix is the async twin (``aget``)
_IO_WORDS = frozenset({
    "fetch", "download", "upload", "request", "query", "search", "retrieve", "lookup", "scrape",
    "crawl", "http", "api", "get", "post", "put", "patch", "delete", "head", "embed", "embedding",
    "embeddings", "summarize", "summarise", "translate", "classify", "transcribe", "completion",
    "urlopen", "resolve_url", "geocode", "webhook", "rpc", "grpc", "invoke_tool", "call_tool",
})
# words of in-process work (or of work already batched) even when the name also says "request"
_LOCAL_WORDS = frozenset({
    "map", "convert", "format", "transform", "parse", "render", "serialize", "build", "seed",
    "reevaluate", "validate", "estimate", "count", "encode", "decode", "batch", "normalize",
    "prepare", "merge", "split", "wrap", "copy", "clone", "send", "trace", "signal", "emit",
    "notify", "log",
})
_TOOL_VERBS = frozenset({"execute", "run", "call", "invoke", "use"})  # ``execute_tool(call)``
_CLIENT_WORDS = frozenset({"client", "session", "http", "api", "sdk", "service", "stub", "httpx", "aiohttp"})
_HTTP_TYPES = ("httpx.", "aiohttp.", "requests.", "grpc.", "botocore.", "aioboto3.", "aiobotocore.")


def looks_like_io(ctx: FileContext, call: cst.Call) -> bool:
    """A round trip, as far as names tell: a method of an HTTP client or of something called a
    client/session/api, or a callee whose name says fetch/get/query/embed.... An ``await`` of
    any other coroutine may be cheap in-process work (formatting, token counting) that gains
    nothing from concurrency, so it is not reported.

    A project function is judged by what it does (the project model's effects), not by its
    name: a round trip anywhere down its chain makes it I/O, a proof that it stays in process
    makes it not; names decide only when the model cannot tell."""
    effect = per_item_effect(ctx, call)
    if effect is not None and (effect.does_io or effect.in_process):
        return effect.does_io
    words = _words(call_name(call))
    if words & _LOCAL_WORDS:
        return False
    if words & _IO_WORDS or ("tool" in words and words & _TOOL_VERBS):
        return True
    if not isinstance(call.func, cst.Attribute):
        return False
    owner = ctx.value_type(call.func.value) or ""
    if owner.startswith(_HTTP_TYPES):
        return True
    receiver = _dotted(call.func.value) or ""
    return any(_words(part) & _CLIENT_WORDS for part in receiver.split("."))


def _words(name: str) -> set[str]:
    """``aget_document_hash`` -> {"aget", "get", "document", "hash"}; ``getUser`` -> {"get", "user"}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    words = {word for word in spaced.split("_") if word}
    return words | {word[1:] for word in words if word.startswith("a") and len(word) > 3}

_LLM_SUFFIXES = (
    "chat.completions.create", "chat.completions.parse", "completions.create", "embeddings.create",
    "messages.create", "responses.create", "responses.parse", "models.generate_content",
    "models.embed_content", "generate_content", "generate_content_async",
)
_LLM_FUNCTIONS = frozenset({"litellm.completion", "litellm.acompletion", "litellm.embedding", "litellm.aembedding"})
_LLM_METHODS_ANY = frozenset({"ainvoke", "aembed_query", "embed_query", "acompletion"})
_LLM_METHODS_AGENT = frozenset({
    "invoke", "run", "arun", "run_sync", "achat", "chat", "acomplete", "complete", "apredict", "kickoff", "kickoff_async", "generate", "agenerate", "embed", "aembed", "reply", "areply",
})
_AGENT_WORDS = ("agent", "llm", "chain", "crew", "graph", "runnable", "assistant", "chat", "embedder", "openai", "anthropic")
_ASYNCPG = frozenset({"fetchrow", "fetchval"})
_SQL_METHODS = frozenset({"execute", "fetch", "fetchrow", "fetchval", "fetch_one", "fetch_all", "fetch_val", "scalar", "scalars", "exec"})
_DB_RECEIVERS = frozenset({
    "conn", "connection", "con", "cursor", "cur", "db", "database", "pool", "pg", "session",
    "db_session", "dbsession", "async_session", "tx", "transaction", "sess",
})
_MONGO = frozenset({
    "find_one", "insert_one", "update_one", "delete_one", "replace_one", "find_one_and_update",
    "find_one_and_replace", "find_one_and_delete", "count_documents",
})
_REDIS = frozenset({
    "get", "set", "setex", "getdel", "hget", "hset", "hgetall", "hdel", "hincrby", "delete", "exists",
    "incr", "incrby", "decr", "expire", "sadd", "srem", "smembers", "sismember", "lpush", "rpush",
    "zadd", "zscore", "ttl", "json",
})
_SQL_DRIVERS = ("asyncpg.", "sqlite3.", "psycopg.", "psycopg2.", "pymysql.", "aiosqlite.", "MySQLdb.", "aiomysql.", "aiopg.")
_SQLALCHEMY_OWNERS = ("Session", "AsyncSession", "Connection", "AsyncConnection", "scoped_session", "sessionmaker", ".connect", ".begin")
_REDIS_OWNERS = ("Redis", "StrictRedis", "RedisCluster", "from_url")
_DJANGO = frozenset({"get", "filter", "exclude", "create", "get_or_create", "update_or_create", "count", "exists"})


def call_kind(ctx: FileContext, call: cst.Call) -> str | None:
    """``"llm"``, ``"mongo"``, ``"redis"``, ``"sql"``, ``"orm"`` (Django manager) or None.
    A project function is what its effects say (an LLM or database call down its chain)."""
    kind = project_call_kind(per_item_effect(ctx, call))
    if kind is not None:
        return kind
    name = call_name(call)
    target = ctx.call_target(call) or ""
    callee = dotted_callee(call)
    if target in _LLM_FUNCTIONS or any(callee.endswith("." + s) or callee == s for s in _LLM_SUFFIXES):
        return "llm"
    if not isinstance(call.func, cst.Attribute):
        return None
    receiver = _dotted(call.func.value) or ""
    owner = ctx.value_type(call.func.value) or ""
    last = receiver.split(".")[-1].lower().lstrip("_")
    if name in _LLM_METHODS_ANY or (name in _LLM_METHODS_AGENT and any(w in last for w in _AGENT_WORDS)):
        return "llm"
    if name in _MONGO or name in _DOCUMENT_STORES.get(owner, ()):
        return "mongo"
    if name == "execute" and _chain_root_type(ctx, call).startswith(("supabase.", "postgrest.")):
        return "sql"  # ``client.table("t").select("*").eq("k", v).execute()``: one PostgREST query
    if name in _REDIS and (any("redis" in part.lower() for part in receiver.split(".")) or _is_redis(owner)):
        return "redis"
    if (
        isinstance(call.func.value, cst.Attribute) and call.func.value.attr.value == "objects" and name in _DJANGO
    ) or is_async_query(call):
        return "orm"
    if owner.startswith(("requests", "httpx", "aiohttp")):
        return None
    if name in _ASYNCPG or (owner.startswith(_SQL_DRIVERS) and name in _SQL_METHODS):
        return "sql"
    if owner.startswith("sqlalchemy") and owner.endswith(_SQLALCHEMY_OWNERS) and name in _SQL_METHODS | {"get", "query"}:
        return "sql"
    if name in _SQL_METHODS and last in _DB_RECEIVERS and ("session" not in last or name not in ("fetch", "exec")):
        return "sql"
    if name in ("get", "query") and "session" in last and _model_first_argument(call):
        return "sql"
    return None


_MONGO_WORDS = frozenset({"collection", "coll", "col", "mongo", "motor", "mongodb", "beanie", "odm", "db", "database"})
_GENERIC_BULK_HINT = "write or read them in one round trip (a bulk method of the store, or one query for all the keys)"


def bulk_hint(ctx: FileContext, call: cst.Call, kind: str | None, hint: str) -> str:
    """The MongoDB advice (``find({'_id': {'$in': ids}})``, ``bulk_write``) only where the
    receiver is visibly a collection; ``self.repo.update_one(...)`` of an application
    repository gets advice that holds for any store."""
    if kind != "mongo" or not isinstance(call.func, cst.Attribute) or call_name(call) in ("find_one", "count_documents"):
        return hint
    owner = ctx.value_type(call.func.value) or ""
    if owner.startswith(("pymongo", "motor", "mongomock", "beanie")):
        return hint
    receiver = _dotted(call.func.value) or ""
    words = {word for part in receiver.split(".") for word in _words(part)}
    return hint if words & _MONGO_WORDS or isinstance(call.func.value, cst.Subscript) else _GENERIC_BULK_HINT


# typed receivers of document and search stores (exact types, from annotations or constructors)
# -> their methods that make one request for one document
_COSMOS_ITEM = frozenset({"upsert_item", "create_item", "read_item", "replace_item", "delete_item", "patch_item"})
_SEARCH_DOC = frozenset({"index", "create", "get", "update", "delete", "exists"})
_DOCUMENT_STORES = {
    **dict.fromkeys(("azure.cosmos.aio.ContainerProxy", "azure.cosmos.ContainerProxy",
                     "azure.cosmos.container.ContainerProxy", "azure.cosmos.aio._container.ContainerProxy"), _COSMOS_ITEM),
    **dict.fromkeys(("opensearchpy.OpenSearch", "opensearchpy.AsyncOpenSearch", "elasticsearch.Elasticsearch",
                     "elasticsearch.AsyncElasticsearch"), _SEARCH_DOC),
}


def _chain_root_type(ctx: FileContext, call: cst.Call) -> str:
    """The type of the value a call chain starts from: ``supabase.Client`` for
    ``self.db.table("t").select("*").execute()`` when ``self.db`` is typed."""
    base = call.func.value if isinstance(call.func, cst.Attribute) else None
    while isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute):
        base = base.func.value
    return (ctx.value_type(base) or "") if base is not None else ""


def _is_redis(owner: str) -> bool:
    return owner.startswith("redis") and owner.endswith(_REDIS_OWNERS)


def is_schema_statement(call: cst.Call) -> bool:
    """DDL (``CREATE``/``DROP``/``ALTER``/``PRAGMA``, ``DropConstraint(...)``): one statement per
    object by nature, no ``executemany`` can merge them."""
    if not call.args:
        return False
    first = call.args[0].value
    if isinstance(first, cst.Call):
        inner = first.args[0].value if len(first.args) == 1 else None
        if isinstance(inner, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            return is_schema_statement(first)  # text("CREATE EXTENSION ...")
        return bool(_words(call_name(first)) & _DDL_WORDS)
    return statement_keyword(first) in _DDL_WORDS


def _per_object_statement(call: cst.Call, facts: LoopFacts) -> bool:
    """``conn.execute(table.delete())`` per table, ``conn.execute(statement)`` per statement:
    another statement per item, not one statement with many parameter sets."""
    first = call.args[0].value if call.args and call.args[0].keyword is None and not call.args[0].star else None
    if isinstance(first, cst.Name) and first.value in facts.targets | facts.derived:
        return True  # another statement each time: a script, run in order
    if (isinstance(first, cst.Call) and isinstance(first.func, cst.Attribute)
            and isinstance(first.func.value, cst.Name)
            and first.func.value.value in facts.targets | facts.derived):
        return True
    # ``conn.execute(insert(table), rows)``: a statement per table, its rows already batched
    return (isinstance(first, cst.Call) and call_name(first) in _TABLE_STATEMENTS and bool(first.args)
            and isinstance(first.args[0].value, cst.Name) and first.args[0].value.value in facts.targets | facts.derived)


_TABLE_STATEMENTS = frozenset({"insert", "update", "delete", "select", "Insert", "Update", "Delete"})


_DDL_WORDS = frozenset({
    "create", "drop", "alter", "pragma", "grant", "revoke", "truncate", "vacuum", "analyze",
    "comment", "set", "reindex", "cluster", "attach", "detach", "savepoint", "release", "rollback",
    "begin", "commit", "use", "lock", "listen", "unlisten", "notify", "refresh", "constraint",
})


def _model_first_argument(call: cst.Call) -> bool:
    """``session.get(User, uid)`` / ``session.query(User)``: a class, not a URL."""
    if not call.args or call.args[0].keyword is not None:
        return False
    first = call.args[0].value
    head = _dotted(first)
    return head is not None and head.split(".")[-1][:1].isupper()


def chain_end(ctx: FileContext, call: cst.Call) -> cst.BaseExpression:
    """The outermost call of a method chain starting at ``call`` (the node being visited):
    ``session.query(User).filter(User.id == x).first()`` for ``session.query(User)``."""
    ancestors = ctx.ancestors
    current: cst.BaseExpression = call
    index = len(ancestors) - 1
    while index >= 2:
        attribute, outer = ancestors[index - 1], ancestors[index - 2]
        if not (isinstance(attribute, cst.Attribute) and attribute.value is current
                and isinstance(outer, cst.Call) and outer.func is attribute):
            break
        current = outer
        index -= 2
    return current


# -- fixes: sequential awaits -> asyncio.gather -------------------------------------------------
_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.List, cst.Dict, cst.Set, cst.ListComp,
          cst.SetComp, cst.DictComp, cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


def gather_fix(ctx: FileContext, loop: Loop, node: cst.Await) -> Fix | None:
    """The rewrite for the shapes whose meaning survives it (see the rules' "Fix safety"); None
    for every other shape, and in trio/anyio modules (``asyncio.gather`` is asyncio's)."""
    call = node.expression
    if ctx.async_library != "asyncio" or not isinstance(call, cst.Call) or _contains_await(call):
        return None
    if isinstance(loop, cst.For):
        return _for_fix(ctx, loop, node, call)
    return _comprehension_fix(ctx, loop, node, call)


def _gather(call: cst.Call, for_in: cst.CompFor) -> cst.Await:
    generator = cst.GeneratorExp(elt=call, for_in=for_in)
    return cst.Await(cst.Call(func=_name("asyncio.gather"), args=[cst.Arg(value=generator, star="*")]))


def _for_fix(ctx: FileContext, loop: cst.For, node: cst.Await, call: cst.Call) -> Fix | None:
    body = _block(loop.body)
    if loop.orelse is not None or len(body) != 1 or "#" in ctx.module.code_for_node(loop):
        return None
    if _target_read_elsewhere(ctx, loop):
        return None  # a generator binds no name: ``return item`` after the loop would fail
    line = body[0]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(line.body[0], cst.Expr):
        return None
    iterable = loop.iter if isinstance(loop.iter, _ATOMS) or loop.iter.lpar else _parenthesised(loop.iter)
    gathered = _gather(call, cst.CompFor(target=loop.target, iter=iterable))
    value = line.body[0].value
    if value is node:  # for x in xs: await f(x)
        statement = cst.SimpleStatementLine(body=[cst.Expr(gathered)], leading_lines=loop.leading_lines)
        return Fix.replace(loop, statement, title="Await the calls together with `asyncio.gather`",
                           safe=False, imports=[ImportNeeded("asyncio")])
    init = _appended_list(ctx, loop, value, node)
    if init is None:
        return None
    assign = init.body[0]
    new_value = cst.Call(func=cst.Name("list"), args=[cst.Arg(value=gathered)])
    return Fix(
        edits={init: init.with_changes(body=[assign.with_changes(value=new_value)]), loop: cst.RemovalSentinel.REMOVE},
        applicability=Applicability.UNSAFE,
        title="Build the list with `asyncio.gather`",
        imports=(ImportNeeded("asyncio"),),
    )


def _appended_list(ctx: FileContext, loop: cst.For, value: cst.BaseExpression, node: cst.Await) -> cst.SimpleStatementLine | None:
    """``out = []`` right before ``for ...: out.append(await f(x))``, or None."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "append" and isinstance(value.func.value, cst.Name)
            and len(value.args) == 1 and value.args[0].value is node and value.args[0].star == ""):
        return None
    if any(line.comment is not None for line in loop.leading_lines):
        return None
    ancestors = ctx.ancestors
    position = next((i for i, n in enumerate(ancestors) if n is loop), 0)
    block = ancestors[position - 1] if position else None
    statements = getattr(block, "body", None)
    if not isinstance(statements, (tuple, list)):
        return None
    index = next(i for i, statement in enumerate(statements) if statement is loop)
    previous = statements[index - 1] if index else None
    if not (isinstance(previous, cst.SimpleStatementLine) and len(previous.body) == 1):
        return None
    assign = previous.body[0]
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and assign.targets[0].target.value == value.func.value.value):
        return None
    empty = assign.value
    is_empty = (isinstance(empty, cst.List) and not empty.elements) or (
        isinstance(empty, cst.Call) and not empty.args and ctx.qualified_name(empty.func) == "builtins.list")
    return previous if is_empty else None


def _comprehension_fix(ctx: FileContext, loop: Loop, node: cst.Await, call: cst.Call) -> Fix | None:
    if any(_contains_await(part) for for_in in _for_ins(loop) for part in (for_in.iter, *for_in.ifs)):
        return None
    for_in = loop.for_in  # type: ignore[union-attr]
    gathered = _gather(call, for_in.with_changes(whitespace_before=cst.SimpleWhitespace(" ")))
    replacement: cst.BaseExpression
    if isinstance(loop, cst.ListComp) and loop.elt is node:
        replacement = gathered
    elif isinstance(loop, cst.SetComp) and loop.elt is node:
        replacement = cst.Call(func=cst.Name("set"), args=[cst.Arg(value=gathered)])
    elif (isinstance(loop, cst.DictComp) and loop.value is node and isinstance(for_in.iter, cst.Name)
          and _reiterable(ctx, for_in.iter) and for_in.inner_for_in is None and not for_in.ifs and isinstance(for_in.target, cst.Name)
          and isinstance(loop.key, cst.Name) and loop.key.value == for_in.target.value):
        zipped = cst.Call(func=cst.Name("zip"), args=[
            cst.Arg(value=for_in.iter, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(value=gathered)])
        replacement = cst.Call(func=cst.Name("dict"), args=[cst.Arg(value=zipped)])
    else:
        return None
    if replacement is gathered and _binds_tighter(ctx, loop):
        replacement = gathered.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    replacement = replacement.with_changes(lpar=loop.lpar, rpar=loop.rpar) if loop.lpar else replacement
    return Fix.replace(loop, replacement, title="Await the calls together with `asyncio.gather`",
                       safe=False, imports=[ImportNeeded("asyncio")])


def _target_read_elsewhere(ctx: FileContext, loop: cst.For) -> bool:
    """A name the loop binds also appears in the function outside the loop (read after it,
    or bound before it): the rewrite would leave it unbound or stale."""
    names = set(target_names(loop.target))
    inside = {id(node) for node in iter_tree(loop)}
    function = ctx.function.node
    return any(isinstance(node, cst.Name) and node.value in names and id(node) not in inside
               for node in iter_tree(function))


_REITERABLE_CALLS = frozenset({"builtins.list", "builtins.tuple", "builtins.set", "builtins.sorted", "builtins.dict", "builtins.frozenset"})


def _reiterable(ctx: FileContext, name: cst.Name) -> bool:
    """``keys`` is a collection built in this function (a display, a comprehension,
    ``list(...)``/``sorted(...)``): reading it twice gives the same items. A parameter may be a
    generator, which ``dict(zip(keys, ...))`` would find already consumed."""
    binding = ctx.lookup(name.value)
    if binding is None or binding.kind != "assign" or not binding.values:
        return False
    return all(
        isinstance(value, (cst.List, cst.Tuple, cst.Set, cst.Dict, cst.ListComp, cst.SetComp, cst.DictComp))
        or (isinstance(value, cst.Call) and ctx.qualified_name(value.func) in _REITERABLE_CALLS)
        for value in binding.values
    )


def _binds_tighter(ctx: FileContext, loop: Loop) -> bool:
    """Would ``await`` in place of ``loop`` bind only part of the parent (``[...][0]``)?"""
    ancestors = ctx.ancestors
    position = next((i for i, n in enumerate(ancestors) if n is loop), 0)
    parent = ancestors[position - 1] if position else None
    if isinstance(parent, (cst.Attribute, cst.Subscript)):
        return parent.value is loop
    if isinstance(parent, cst.Call):
        return parent.func is loop
    return isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Power)


def _parenthesised(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _name(dotted: str) -> cst.BaseExpression:
    head, *rest = dotted.split(".")
    expr: cst.BaseExpression = cst.Name(head)
    for part in rest:
        expr = cst.Attribute(expr, cst.Name(part))
    return expr


# -- the rules' shared visiting logic ----------------------------------------------------------
class PerItemCallRule(Rule):
    """A call of one kind made once per item of an independent loop, reported once per loop.

    Subclasses say which kinds of call (:func:`call_kind`) they own and how to word the finding;
    an ``await``-ed call and a plain one go through the same independence analysis.
    """

    kinds: ClassVar[frozenset[str | None]]
    awaited: ClassVar[bool] = True  # report ``await call``
    plain: ClassVar[bool] = False  # report calls that are not awaited
    offers_gather: ClassVar[bool] = False
    # a query at the head of a per-item chain (look up, then create with the result) is still one
    # query per item: batching loads every item's row first; gathering the chain is another matter
    batches_chains: ClassVar[bool] = False

    def begin_file(self, ctx: FileContext) -> None:
        super().begin_file(ctx)
        self._reported: set[int] = set()

    def visit_Await(self, node: cst.Await) -> None:
        if not self.awaited or not self.ctx.in_async:
            return
        call = awaited_call(node)
        if call is None:
            return
        loop = self._loop_for(call, node.expression)
        if loop is not None:
            fix = gather_fix(self.ctx, loop, node) if self.offers_gather else None
            self._report(node, call, loop, fix)

    def visit_Call(self, node: cst.Call) -> None:
        parent = self.ctx.parent
        if not self.plain or (isinstance(parent, cst.Await) and parent.expression is node):
            return
        if isinstance(parent, cst.WithItem) or _makes_coroutine(node) or (
                self.ctx.in_async and not _used_synchronously(node, parent)):
            return  # in a coroutine, a call not awaited is most likely a coroutine collected for gather
        if consumed_by_async_query(parent):
            return  # ``Model.objects.filter(...).adelete()``: the awaited terminal runs the query
        expr = chain_end(self.ctx, node) if call_name(node) == "query" else node
        loop = self._loop_for(node, expr)
        if loop is not None:
            self._report(node, node, loop, None)

    def _loop_for(self, call: cst.Call, expr: cst.BaseExpression) -> Loop | None:
        ctx = self.ctx
        loop = innermost_loop(ctx)
        if loop is None or in_test_code(ctx) or id(loop) in self._reported or call_kind(ctx, call) not in self.kinds:
            return None
        facts = facts_for(ctx, loop)
        if self.kinds == {None} and (
                is_ordered_or_runtime(ctx, call, facts.targets | frozenset(facts.derived)) or not looks_like_io(ctx, call)
                or awaits_nothing(ctx, call) or io_switched_off(ctx, call)):
            return None
        if walks_batches(loop) or in_error_fallback(ctx, loop):
            return None
        if call_kind(ctx, call) == "sql" and (is_schema_statement(call) or _per_object_statement(call, facts) or (
                is_sqlite(ctx, call) and not costs_a_commit_per_item(ctx, call, loop.body if isinstance(loop, cst.For) else loop))):
            return None  # SQLite: no round trip, only a commit per item costs (see _embedded_db)
        if shares_state(ctx, call, facts) or for_one_item(ctx, loop, facts) or cache_first(ctx, call):
            return None
        if for_one_kind_of_part(ctx, loop, set(facts.targets | facts.derived)):
            return None
        return loop if independent_call(ctx, facts, expr, self.batches_chains) else None

    def _report(self, node: cst.CSTNode, call: cst.Call, loop: Loop, fix: Fix | None) -> None:
        self._reported.add(id(loop))
        self.report(node, fix=fix, message=self.describe(call, call_kind(self.ctx, call)))

    def describe(self, call: cst.Call, kind: str | None) -> str:
        raise NotImplementedError

    def callee(self, call: cst.Call) -> str:
        """The callee as written, shortened for a one-line message."""
        text = " ".join(self.ctx.module.code_for_node(call.func).split())
        return text if len(text) <= 60 else "..." + text[-57:]


def _makes_coroutine(call: cst.Call) -> bool:
    """``llm.apredict(...)``, ``crew.kickoff_async(...)`` without ``await``: a coroutine object
    collected for ``gather`` or ``asyncio.run``, not a call made here."""
    name = call_name(call)
    return name.endswith("_async") or (name.startswith("a") and name[1:] in _SYNC_TWINS)


_SYNC_TWINS = frozenset({
    "invoke", "predict", "run", "chat", "complete", "generate", "embed", "embed_query",
    "embed_documents", "completion", "embedding", "batch", "stream", "reply", "kickoff",
})


def _used_synchronously(call: cst.Call, parent: cst.CSTNode | None) -> bool:
    """``cursor.execute(...)`` as a statement or ``db.execute(...).fetchone()``: the result is
    used right away, so the call cannot be a coroutine waiting for ``gather``."""
    if isinstance(parent, cst.Expr):
        return True
    return isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is call
