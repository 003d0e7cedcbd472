"""Shared machinery of the APL1xx rules: catalogue lookup, call classification and fixes.

Every APL1xx rule asks the same question of every call inside a coroutine ("what does this
call, and does it block?"), so the answer is computed once per call node and shared: the rules
differ only in which catalogue code they own (:class:`BlockingCallRule`). The call graph rule
(APL114) asks the same question of calls in sync functions through :func:`classify`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import libcst as cst

from ..context import FileContext
from ..rule import Fix, FixAvailability, ImportNeeded, Report, Rule
from ..walker import iter_tree
from ._blocking_catalogue import Row, read_rows
from ._blocking_groups import CoroutineCalls, Pending, plan
from ._costs import Cost, cost_of
from ._entry import in_one_shot_program, runs_alone
from ._frameworks import UNLESS as FRAMEWORK_UNLESS
from ._frameworks import canonical_name
from ._fixes import awaited, dotted, inside_generator_expression
from ._test_code import CHECK_TESTS, skips_test_code

FixKind = str  # "sleep" | "thread" | "sqlite_thread" | "await" | "none"


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: a call pattern and what to say and do about it."""

    call: str  # exact target, ``Type.*`` wildcard or ``*.method``
    code: str
    fix: FixKind
    alternative: str
    unless: str | None = None
    exempt: frozenset[str] = frozenset()
    cost: Cost = Cost.NETWORK

    @property
    def display(self) -> str:
        """How the chain of APL114 names it: ``open()``, ``requests.get()``."""
        name = self.call.removeprefix("builtins.").removeprefix("*.").removesuffix(".*")
        return f"{name}()"


@dataclass(frozen=True)
class Target:
    """What a call calls: ``full`` dotted target, the type of the value the method is called
    on (None for plain functions) and the method name."""

    full: str | None
    receiver: str | None
    method: str


@dataclass(frozen=True)
class Hit:
    entry: Entry
    target: Target


class Catalogue:
    """Entries indexed three ways: exact targets, ``Type.*`` receivers and ``*.method`` names."""

    def __init__(self, entries: Sequence[Entry]):
        self.entries = tuple(entries)
        self.exact: dict[str, Entry] = {}
        self.wildcard: dict[str, Entry] = {}
        self.any_receiver: dict[str, Entry] = {}
        for entry in entries:
            if entry.call.startswith("*."):
                self.any_receiver[entry.call[2:]] = entry
            elif entry.call.endswith(".*"):
                self.wildcard[entry.call[:-2]] = entry
            else:
                self.exact[entry.call] = entry

    def match(self, target: Target) -> Entry | None:
        if target.full is not None:
            entry = self.exact.get(target.full)
            if entry is not None:
                return entry
        if target.receiver is not None:
            entry = self.wildcard.get(target.receiver)
            if entry is not None and target.method not in entry.exempt:
                return entry
        return self.any_receiver.get(target.method)


def parse_rows(rows: Sequence[Row]) -> list[Entry]:
    """Catalogue rows (see :mod:`._blocking_catalogue`) -> entries, each with its cost class."""
    entries = []
    for row in rows:
        words = row.calls.split()
        exempt = frozenset(word[1:] for word in words if word.startswith("!"))
        for word in words:
            if not word.startswith("!"):
                entries.append(Entry(word, row.code, row.fix, row.alternative, row.unless,
                                     exempt if word.endswith(".*") else frozenset(),
                                     row.cost if row.cost is not None else cost_of(word, row.code)))
    return entries


CATALOGUE = Catalogue(parse_rows(read_rows()))


# -- what a call calls --------------------------------------------------------------------
# receivers that are a ``pathlib.Path`` under another name: class methods returning one
# (``Path.cwd()``) and the concrete classes
_RECEIVER_ALIASES = {
    **{f"pathlib.Path.{name}": "pathlib.Path" for name in ("home", "cwd")},
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
}
# wrapping an open file for async use is how trio and anyio document it: not a finding
_FILE_WRAPPERS = frozenset({"trio.wrap_file", "anyio.wrap_file"})


def resolve_call(ctx: FileContext, call: cst.Call) -> Target | None:
    """The call's target, also through attribute chains on typed values:
    ``self.client.chat.completions.create`` with ``self.client = OpenAI()`` resolves to
    ``openai.OpenAI.chat.completions.create`` with receiver ``openai.OpenAI``."""
    func = call.func
    qualname = ctx.qualified_name(func)
    if qualname is not None:
        return Target(qualname, None, qualname.rpartition(".")[2])
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    peeled: list[str] = []
    expr: cst.BaseExpression = func.value
    while True:
        receiver = ctx.value_type(expr)
        receiver = _RECEIVER_ALIASES.get(receiver, receiver) if receiver else None
        if receiver is not None:
            return Target(".".join([receiver, *reversed(peeled), method]), receiver, method)
        if isinstance(expr, cst.Attribute):
            peeled.append(expr.attr.value)
            expr = expr.value
        elif isinstance(expr, cst.Subscript):
            peeled.append("[]")
            expr = expr.value
        else:
            return Target(None, None, method)


# -- argument tests: calls that do not block with these arguments ---------------------------
def _is_literal(expr: cst.BaseExpression, *values: str) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in values
    if isinstance(expr, (cst.Integer, cst.Float)):
        try:
            return float(expr.value) == 0 and "0" in values
        except ValueError:
            return False
    return False


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def _zero_timeout(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    timeout = _keyword(call, "timeout")
    if timeout is not None:
        return _is_literal(timeout, "0")
    args = _positional(call)
    index = 3 if target.full == "select.select" else 0
    return len(args) > index and _is_literal(args[index], "0")


_FUTURE_PROBES = frozenset({"add_done_callback", "done", "cancelled"})


def _finished_future(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """``future.result()`` where the function also registers a done-callback on the same
    future (or checks ``done()``/``cancelled()``): the code waits for completion
    asynchronously and reads a result that is already there."""
    if _zero_timeout(ctx, call, target):
        return True
    if not isinstance(call.func, cst.Attribute):
        return False
    receiver = ctx.module.code_for_node(call.func.value)
    body = getattr(ctx.function.node, "body", None)
    if not isinstance(body, cst.CSTNode):
        return False
    for node in iter_tree(body):
        if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in _FUTURE_PROBES
                and ctx.module.code_for_node(node.func.value) == receiver):
            return True
    return False


def _nonblocking_acquire(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    blocking = _keyword(call, "blocking")
    args = _positional(call)
    first = blocking if blocking is not None else (args[0] if args else None)
    timeout = _keyword(call, "timeout")
    return (first is not None and _is_literal(first, "False", "0")) or (
        timeout is not None and _is_literal(timeout, "0"))


def _nonblocking_queue(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    if _unbounded_put(ctx, target):
        return True
    block = _keyword(call, "block")
    if block is not None:
        return _is_literal(block, "False", "0")
    args = _positional(call)
    index = 1 if target.method == "put" else 0
    if len(args) > index and _is_literal(args[index], "False", "0"):
        return True
    timeout = _keyword(call, "timeout")
    return timeout is not None and _is_literal(timeout, "0")


def _no_wait(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    wait = _keyword(call, "wait")
    args = _positional(call)
    first = wait if wait is not None else (args[0] if args else None)
    return first is not None and _is_literal(first, "False", "0")


def _wav_audio(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """pydub reads and writes WAV and raw PCM itself, without ffmpeg: ``format="wav"`` (or
    ``"raw"``) given, or, for ``from_file``, a literal path ending in ``.wav``."""
    full = target.full or ""
    fmt = _keyword(call, "format")
    if fmt is None and full.endswith(".export"):
        positional = _positional(call)
        fmt = positional[1] if len(positional) > 1 else None  # export(out_f, format="mp3")
    if fmt is not None:
        return (_string_value(fmt) or "").lower() in ("wav", "raw", "pcm")
    if full.endswith("from_file"):
        path = _string_value(call.args[0].value) if call.args and call.args[0].keyword is None else None
        return path is not None and path.lower().endswith((".wav", ".raw"))
    return False


def _nohang(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """``os.waitpid(pid, os.WNOHANG)`` and ``proc.wait(timeout=0)`` return at once."""
    for arg in call.args:
        for node in iter_tree(arg.value):
            if (isinstance(node, cst.Name) and node.value == "WNOHANG") or (
                    isinstance(node, cst.Attribute) and node.attr.value == "WNOHANG"):
                return True
    timeout = _keyword(call, "timeout")
    return timeout is not None and _is_literal(timeout, "0")


def _nonblocking_sockets(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """A module that switches sockets to non-blocking mode (``sock.setblocking(False)``, as
    code driving sockets from an event loop must) gets ``EAGAIN`` from ``recv``/``accept``,
    not a wait: which socket was switched is not tracked, so the whole module is trusted."""
    source = ctx.source
    return "setblocking(False)" in source or "setblocking(0)" in source


_CONSUMERS = frozenset(
    f"builtins.{name}" for name in
    ("list", "tuple", "set", "frozenset", "dict", "sorted", "next", "any", "all", "sum", "min", "max", "len")
)
# lazy wrappers: what matters is who iterates them (``list(islice(path.glob("*"), 10))``)
_LAZY_WRAPPERS = frozenset(
    {"builtins.enumerate", "builtins.zip", "builtins.map", "builtins.filter", "builtins.reversed",
     "itertools.islice", "itertools.chain", "itertools.chain.from_iterable", "itertools.takewhile",
     "itertools.dropwhile", "itertools.filterfalse"}
)


def _iterated_elsewhere(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """``Path.iterdir()``, ``os.walk()`` and friends return generators that do no I/O until
    iterated: they block only when the coroutine iterates them, not when they are handed to a
    worker (``to_thread.run_sync(list, gen)``, a nested ``def``)."""
    ancestors = ctx.ancestors
    index = len(ancestors) - 2
    while True:
        while index >= 0 and isinstance(ancestors[index], cst.IfExp):
            index -= 1
        parent = ancestors[index] if index >= 0 else None
        if not (isinstance(parent, cst.Arg) and index >= 1 and isinstance(ancestors[index - 1], cst.Call)):
            break
        owner = ctx.qualified_name(ancestors[index - 1].func)  # type: ignore[attr-defined]
        if owner not in _LAZY_WRAPPERS:
            return owner not in _CONSUMERS
        index -= 2
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        return _handed_off(ctx, parent.targets[0].target.value)
    return False


def _handed_off(ctx: FileContext, name: str) -> bool:
    """Whether the function passes ``name`` to a call that is not a consumer, or uses it in a
    nested function (which runs wherever it is sent)."""
    body = getattr(ctx.function.node, "body", None)
    if not isinstance(body, cst.CSTNode):
        return False
    for node in iter_tree(body):
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            used = (isinstance(inner, cst.Name) and inner.value == name for inner in iter_tree(node))
        elif isinstance(node, cst.Call) and ctx.qualified_name(node.func) not in _CONSUMERS | _LAZY_WRAPPERS:
            used = (isinstance(arg.value, cst.Name) and arg.value.value == name for arg in node.args)
        else:
            continue
        if any(used):
            return True
    return False


_IN_MEMORY = frozenset({"io.StringIO", "io.BytesIO", "sys.stdout", "sys.stderr"})


def _in_memory_file(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """``json.load(io.StringIO(text))``, ``json.dump(data, sys.stdout)``: no disk involved."""
    for arg in call.args:
        if ctx.value_type(arg.value) in _IN_MEMORY or ctx.qualified_name(arg.value) in _IN_MEMORY:
            return True
    return False


_ARCHIVES = ("zipfile.ZipFile", "tarfile.open", "tarfile.TarFile")


def _in_memory_archive(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    """``zipfile.ZipFile(io.BytesIO(data))``, and the methods of a name bound only to such
    archives (``with zipfile.ZipFile(buffer, "w") as zf: zf.writestr(...)``): compression in
    memory, no disk (a CPU cost, not I/O)."""
    if target.full in _ARCHIVES:
        return _in_memory_file(ctx, call, target)
    if target.receiver in _ARCHIVES and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name):
        binding = ctx.lookup(call.func.value.value)
        made = [value for value in (binding.values if binding else ()) if isinstance(value, cst.Call)]
        return bool(made) and all(_in_memory_file(ctx, archive, target) for archive in made)
    return False


# -- what the module makes: the constructor calls behind a typed value ---------------------
_CONSTRUCTORS = frozenset({"sqlite3.connect", "queue.Queue", "queue.LifoQueue", "queue.PriorityQueue"})
_made: tuple[cst.Module | None, dict[str, list[cst.Call]]] = (None, {})


def constructor_calls(ctx: FileContext, qualname: str) -> list[cst.Call]:
    """Every call in the module to ``qualname`` (one of :data:`_CONSTRUCTORS`): a value typed
    ``sqlite3.connect`` was made by one of them, so what they all say holds for it."""
    global _made
    if _made[0] is not ctx.module:
        found: dict[str, list[cst.Call]] = {}
        for node in iter_tree(ctx.module):
            if isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
                name = ctx.qualified_name(node.func)
                if name in _CONSTRUCTORS:
                    found.setdefault(name, []).append(node)
        _made = (ctx.module, found)
    return _made[1].get(qualname, [])


def _string_value(expr: cst.BaseExpression | None) -> str | None:
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value if isinstance(expr.evaluated_value, str) else None
    return None


def _memory_database(call: cst.Call) -> bool:
    """``sqlite3.connect(":memory:")`` (or a ``mode=memory`` URI): no file, no I/O."""
    args = _positional(call)
    name = _string_value(_keyword(call, "database") or (args[0] if args else None))
    return name is not None and (name == ":memory:" or "mode=memory" in name)


def _sqlite_connects(ctx: FileContext, target: Target) -> list[cst.Call]:
    """The ``sqlite3.connect`` calls of the module that made this call's receiver (none for a
    connection made elsewhere: an annotated ``sqlite3.Connection``)."""
    if target.receiver is not None and target.receiver.startswith("sqlite3.connect"):
        return constructor_calls(ctx, "sqlite3.connect")
    return []


def _in_memory_sqlite(ctx: FileContext, call: cst.Call, target: Target) -> bool:
    if target.full == "sqlite3.connect":
        return _memory_database(call)
    connects = _sqlite_connects(ctx, target)
    return bool(connects) and all(_memory_database(made) for made in connects)


def _any_thread(call: cst.Call) -> bool:
    value = _keyword(call, "check_same_thread")
    return value is not None and _is_literal(value, "False", "0")


def sqlite_thread_fix(ctx: FileContext, call: cst.Call) -> Fix | None:
    """A ``sqlite3`` connection (and its cursors) works only in the thread that made it:
    ``asyncio.to_thread(conn.execute, ...)`` raises ``ProgrammingError``, and a connection made
    by ``asyncio.to_thread(sqlite3.connect, ...)`` fails in the event loop's thread, unless the
    connection was opened with ``check_same_thread=False``. Offer the fix only then."""
    target = resolve_call(ctx, call)
    if target is None:
        return None
    connects = [call] if target.full == "sqlite3.connect" else _sqlite_connects(ctx, target)
    if not connects or not all(_any_thread(made) for made in connects):
        return None
    return to_thread_fix(ctx, call)


def _unbounded_put(ctx: FileContext, target: Target) -> bool:
    """``q.put(x)`` on a ``queue.Queue()`` made without ``maxsize`` never waits."""
    if target.method != "put" or target.receiver not in _CONSTRUCTORS:
        return False
    made = constructor_calls(ctx, target.receiver)
    return bool(made) and all(
        not _positional(queue) and (_keyword(queue, "maxsize") is None or _is_literal(_keyword(queue, "maxsize"), "0"))  # type: ignore[arg-type]
        for queue in made)


UNLESS: Mapping[str, Callable[[FileContext, cst.Call, Target], bool]] = {
    "zero_timeout": _zero_timeout,
    "nonblocking_acquire": _nonblocking_acquire,
    "nonblocking_queue": _nonblocking_queue,
    "no_wait": _no_wait,
    "nohang": _nohang,
    "wav_audio": _wav_audio,
    "nonblocking_sockets": _nonblocking_sockets,
    "iterated_elsewhere": _iterated_elsewhere,
    "finished_future": _finished_future,
    "in_memory_file": _in_memory_file,
    "in_memory_archive": _in_memory_archive,
    "in_memory_sqlite": _in_memory_sqlite,
    **FRAMEWORK_UNLESS,
}


# -- classification, shared by every APL1xx rule ------------------------------------------
def _canonical(ctx: FileContext, call: cst.Call, target: Target) -> Target | None:
    """The call renamed by :func:`._frameworks.canonical_name`, or None."""
    found = canonical_name(ctx, call, target.receiver, target.method)
    if found is None:
        return None
    receiver, method = found
    # attributes between the typed value and the method stay: ``llm.client.invoke``
    peeled = ""
    if target.receiver is not None and target.full is not None and method == target.method:
        peeled = target.full[len(target.receiver):-len(target.method) - 1]
    return Target(f"{receiver}{peeled}.{method}", receiver, method)


_memo: tuple[FileContext | None, cst.Call | None, Hit | None] = (None, None, None)


def _wrapped_file(ctx: FileContext, parent: cst.CSTNode | None) -> bool:
    """``trio.wrap_file(open(p))``: the argument of an async file wrapper."""
    if not isinstance(parent, cst.Arg) or len(ctx.ancestors) < 3:
        return False
    wrapper = ctx.ancestors[-3]
    return isinstance(wrapper, cst.Call) and ctx.qualified_name(wrapper.func) in _FILE_WRAPPERS


def classify(ctx: FileContext, call: cst.Call, catalogue: Catalogue = CATALOGUE) -> Hit | None:
    """The catalogue entry this call hits, or None. An awaited call is never a hit: whatever
    our type inference believed, the call returned an awaitable, so it is an async API."""
    global _memo
    if catalogue is CATALOGUE and _memo[0] is ctx and _memo[1] is call:
        return _memo[2]
    hit = None
    parent = ctx.parent if ctx.ancestors and ctx.ancestors[-1] is call else None
    if not (isinstance(parent, cst.Await) and parent.expression is call) and not _wrapped_file(ctx, parent):
        target = resolve_call(ctx, call)
        entry = catalogue.match(target) if target is not None else None
        if entry is None and target is not None:  # Django querysets, LangChain models and chains
            target = _canonical(ctx, call, target)
            entry = catalogue.match(target) if target is not None else None
        if entry is not None and target is not None:
            test = UNLESS.get(entry.unless) if entry.unless else None
            if test is None or not test(ctx, call, target):
                hit = Hit(_as_tree_walk(entry) if entry.cost is Cost.METADATA and _in_tree_walk(ctx, catalogue) else entry, target)
    if catalogue is CATALOGUE:
        _memo = (ctx, call, hit)
    return hit


# -- tree walks: a metadata call per directory entry ------------------------------------------
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _walks_tree(ctx: FileContext, expr: cst.BaseExpression, catalogue: Catalogue) -> bool:
    """Whether the loop's iterable calls a directory walker (``p.iterdir()``, ``os.scandir``,
    ``sorted(glob.glob(...))``)."""
    for node in iter_tree(expr):
        if isinstance(node, cst.Call):
            target = resolve_call(ctx, node)
            entry = catalogue.match(target) if target is not None else None
            if entry is not None and entry.cost is Cost.DIRECTORY_TREE:
                return True
    return False


def _in_tree_walk(ctx: FileContext, catalogue: Catalogue) -> bool:
    """A call in the body of a loop (or comprehension) over directory entries, in this function:
    ``for p in d.iterdir(): p.stat()`` stats every entry, a tree walk, not one metadata call."""
    child: cst.CSTNode | None = None
    for node in reversed(ctx.ancestors):
        if node is ctx.function.node:
            return False
        if isinstance(node, cst.For):
            if child is not node.iter and _walks_tree(ctx, node.iter, catalogue):
                return True
        elif isinstance(node, _COMPREHENSIONS):
            comp: cst.CompFor | None = node.for_in
            while comp is not None:
                if child is not comp and _walks_tree(ctx, comp.iter, catalogue):
                    return True
                comp = comp.inner_for_in
        child = node
    return False


_TREE_WALKS: dict[Entry, Entry] = {}


def _as_tree_walk(entry: Entry) -> Entry:
    """The metadata entry as the file family reports it inside a walk (APL104, tree cost)."""
    walk = _TREE_WALKS.get(entry)
    if walk is None:
        walk = _TREE_WALKS[entry] = replace(entry, code="APL104", cost=Cost.DIRECTORY_TREE)
    return walk


# -- messages -----------------------------------------------------------------------------
def spelling(ctx: FileContext, call: cst.Call) -> str:
    """The callee as the user wrote it, on one line and short."""
    text = " ".join(ctx.module.code_for_node(call.func).split())
    return text if len(text) <= 60 else text[:57] + "..."


def describe(ctx: FileContext, call: cst.Call, hit: Hit) -> str:
    head, advice = describe_parts(ctx, call, hit)
    return f"{head}; {advice}"


def describe_parts(ctx: FileContext, call: cst.Call, hit: Hit) -> tuple[str, str]:
    """The message in two parts, what blocks and how much, then the advice: a coroutine's plan
    (:mod:`._blocking_groups`) puts what it folded into the finding between them."""
    function = ctx.function.node
    name = function.name.value if isinstance(function, cst.FunctionDef) else "<coroutine>"
    where = f"inside `async def {name}`"
    if isinstance(function, cst.Module):
        where = "in a notebook cell that uses top-level `await`"
    receiver = hit.target.receiver
    on = ""
    if receiver and not receiver.startswith("builtins."):
        made_by_function = receiver.rpartition(".")[2][:1].islower()
        on = f" (on a value from `{receiver}(...)`)" if made_by_function else f" (a sync `{receiver}`)"
    advice = hit.entry.alternative.replace("{library}", ctx.async_library)
    return f"`{spelling(ctx, call)}(...)`{on} blocks the event loop {where} ({hit.entry.cost.words})", advice


# -- fixes --------------------------------------------------------------------------------
def is_statement_or_rhs(ctx: FileContext, call: cst.Call) -> bool:
    """The call is a whole expression statement or the whole right-hand side of an assignment:
    the only places where wrapping it in ``await ...`` cannot change evaluation order."""
    parent = ctx.parent
    if isinstance(parent, cst.Expr):
        return parent.value is call
    if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
        return parent.value is call
    return False


def to_thread_fix(ctx: FileContext, call: cst.Call) -> Fix | None:
    """``f(a, k=v)`` -> ``await asyncio.to_thread(f, a, k=v)`` (``anyio``/``trio``:
    ``to_thread.run_sync``, which takes no keyword arguments: no fix then)."""
    if not is_statement_or_rhs(ctx, call):
        return None
    library = ctx.async_library
    if library == "asyncio":
        runner = "asyncio.to_thread"
    elif any(arg.keyword is not None or arg.star == "**" for arg in call.args):
        return None
    else:
        runner = f"{library}.to_thread.run_sync"
    func_arg = cst.Arg(call.func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if call.args else cst.MaybeSentinel.DEFAULT)
    wrapped = cst.Call(dotted(runner), args=[func_arg, *call.args], whitespace_before_args=call.whitespace_before_args)
    return Fix.replace(
        call, cst.Await(wrapped, lpar=call.lpar, rpar=call.rpar),
        title=f"Run it in a worker thread with `await {runner}(...)`",
        safe=False, imports=[ImportNeeded(library)],
    )


def sleep_fix(ctx: FileContext, call: cst.Call) -> Fix | None:
    """``time.sleep(x)`` -> ``await asyncio.sleep(x)`` (or the module's async library)."""
    if inside_generator_expression(ctx):
        return None
    replacement = f"{ctx.async_library}.sleep"
    new_call = call.with_changes(func=dotted(replacement))
    return Fix.replace(
        call, awaited(new_call, ctx), title=f"Replace with `await {replacement}(...)`",
        safe=True, imports=[ImportNeeded(ctx.async_library)],
    )


def await_argument_fix(ctx: FileContext, call: cst.Call) -> Fix | None:
    """``asyncio.run(main())`` / ``loop.run_until_complete(main())`` -> ``await main()``."""
    if not is_statement_or_rhs(ctx, call) or len(call.args) != 1:
        return None
    arg = call.args[0]
    if arg.keyword is not None or arg.star:
        return None
    return Fix.replace(call, cst.Await(arg.value), title="Await the coroutine on the running loop", safe=False)


FIXES: Mapping[FixKind, Callable[[FileContext, cst.Call], Fix | None]] = {
    "thread": to_thread_fix,
    "sqlite_thread": sqlite_thread_fix,
    "sleep": sleep_fix,
    "await": await_argument_fix,
}


class BlockingCallRule(Rule):
    """Base of APL101-APL112: report the calls inside a coroutine that the catalogue assigns to
    this rule's code. Subclasses declare only their code, name, docs and examples."""

    fix_availability = FixAvailability.SOMETIMES
    triggers = ("async",)
    message = "`{call}(...)` blocks the event loop inside `async def`"  # describe() words findings
    options_table = "blocking"
    options = (CHECK_TESTS,)
    catalogue: ClassVar[Catalogue] = CATALOGUE

    def begin_file(self, ctx: FileContext) -> None:
        super().begin_file(ctx)
        self._coroutines: dict[int, CoroutineCalls] = {}

    def visit_Call(self, node: cst.Call) -> None:
        """Collect every blocking call of the coroutine, whatever its code: which of them this
        rule reports is decided once the coroutine is seen whole (:func:`._blocking_groups.plan`)."""
        ctx = self.ctx
        if not ctx.in_async:
            return
        hit = classify(ctx, node)
        if hit is None or skips_test_code(self, ctx):
            return
        if runs_alone(ctx, node) or in_one_shot_program(ctx):
            return  # a script's start-up, or a program run once per invocation: stalls nobody
        make_fix = FIXES.get(hit.entry.fix) if hit.entry.code == self.code else None
        described: dict[int, tuple[str, str, int, str]] = ctx.file_answer("blocking call words", dict)
        if id(node) not in described:  # every blocking rule collects the same call: worded once
            head, advice = describe_parts(ctx, node, hit)
            line = ctx.position(node, within=ctx.statement).start.line  # type: ignore[attr-defined]
            described[id(node)] = (head, advice, line, spelling(ctx, node))
        head, advice, line, spelled = described[id(node)]
        pending = Pending(
            node, hit.entry.code, hit.entry.cost, head, advice, ctx.statement,
            make_fix(ctx, node) if make_fix else None, line, spelled,
        )
        calls = self._coroutines.setdefault(id(ctx.function.node), CoroutineCalls())
        calls.add(ctx, pending, receiver_typed=hit.entry.call.endswith(".*"))

    def end_file(self) -> None:
        for calls in self._coroutines.values():
            for pending, note in plan(calls):
                if pending.code == self.code:
                    self.reports.append(Report(type(self), pending.call, pending.message(note), pending.statement, pending.fix))
        self._coroutines = {}



_FIX_TEXT = {
    "sleep": "`await asyncio.sleep(...)` (safe)",
    "thread": "`await asyncio.to_thread(f, ...)` (unsafe)",
    "sqlite_thread": "`await asyncio.to_thread(f, ...)` (unsafe; only with `check_same_thread=False`)",
    "await": "`await <coroutine>` (unsafe)",
    "none": "none",
}


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (call, code, fix, use instead): docs/blocking-calls.md
    embeds it, and a test keeps the two in sync."""
    lines = ["| Calls | Code | Cost | Fix | Use instead |", "|---|---|---|---|---|"]
    for row in read_rows():
        words = row.calls.split()
        shown = ", ".join(f"`{word}`" for word in words if not word.startswith("!"))
        exempt = [word[1:] for word in words if word.startswith("!")]
        if exempt:
            shown += " (not: " + ", ".join(f"`{name}`" for name in exempt) + ")"
        if row.unless:
            shown += f" (unless {row.unless.replace('_', ' ')})"
        advice = row.alternative.replace("{library}", "asyncio").replace("|", "\\|")
        cost = parse_rows([row])[0].cost.words
        lines.append(f"| {shown} | {row.code} | {cost} | {_FIX_TEXT[row.fix]} | {advice} |")
    return "\n".join(lines) + "\n"
