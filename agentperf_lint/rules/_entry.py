"""Where a blocking call stalls nobody: a script's entry coroutine up to its first suspension
point, and programs that run once per invocation (scripts, command-line tools, migrations).

``asyncio.run(main())`` starts a loop whose only task is ``main``. Until ``main`` first awaits
(or enters an ``async for`` / ``async with``), no other task exists: a blocking call there
(building an agent that reads its config, creating a work directory, loading a model) delays
the program's start by exactly its own duration, as it would in sync code, and stalls nobody.
Reporting it tells the author nothing they can act on, so the blocking rules stay silent there.

A sync function that defines a coroutine and runs it itself (``return asyncio.run(run())``)
starts a new loop around it on every call: that coroutine starts alone too.

After the first suspension point other tasks may exist (a server started, a task created, a
library's background reader), so everything after it is reported as usual; so is a call in a
loop whose body also suspends (its second iteration runs after an await).

A module that runs itself (``if __name__ == "__main__":`` without starting a server), a
command-line tool (it imports click, typer, argparse...) and a migration run once per
invocation, with a person or a deploy step waiting on them, not a pool of concurrent requests:
the same calls there are the author's own start-up time. The APL3xx rules already skip them
(:func:`._reuse.in_script`); the blocking rules do too (:func:`in_one_shot_program`).
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from ..context import FileContext
from ..walker import iter_tree
from ._reuse import in_script, is_command_line_module, starts_serving
from ._test_code import in_one_shot_module

# ``<runner>(main())`` / ``<runner>(main)``: the functions that start a loop around one coroutine
_RUNNERS = frozenset({"asyncio.run", "anyio.run", "trio.run", "uvloop.run", "asyncio.runners.run"})
_SUSPENDING = (cst.Await, cst.Yield)


def runs_alone(ctx: FileContext, node: cst.CSTNode) -> bool:
    """``node`` runs in a module-level coroutine the module starts with ``asyncio.run(...)``
    (or anyio/trio/uvloop), or in a coroutine a sync function defines and starts that way
    itself (``def search(): async def run(): ...; return asyncio.run(run())``: each call starts
    a new loop around it), before that coroutine's first suspension point."""
    function = ctx.function
    if not function.is_async or function.kind != "function" or len(ctx.frames) not in (2, 3):
        return False  # a method, a notebook cell: not a script's entry
    definition = function.node
    if not isinstance(definition, cst.FunctionDef):
        return False
    if len(ctx.frames) == 2:
        if definition.name.value not in entry_coroutines(ctx):
            return False
    else:
        outer = ctx.frames[1]
        if outer.kind != "function" or outer.is_async or not isinstance(outer.node, cst.FunctionDef) or not any(
                name == definition.name.value for name in _handed_to_runners_in(ctx, outer.node.body)):
            return False
    answers: dict[int, bool] = ctx.file_answer("runs alone", dict)  # the blocking rules ask of the same call
    if id(node) not in answers:
        answers[id(node)] = _before_first_suspension(_source_order(ctx, definition), node)
    return answers[id(node)]


def in_one_shot_program(ctx: FileContext) -> bool:
    """This module is a script, a command-line tool or a migration, and runs nothing at once
    (decided once per file): a script that starts tasks (``create_task``, ``gather``, a task
    group) or keeps a coroutine looping forever stalls its own tasks with a blocking call."""
    return ctx.file_answer("one-shot program", lambda: (
        (in_one_shot_module(ctx, diagnostics=False) or is_command_line_module(ctx) or in_script(ctx)
         or _starts_its_own_loop(ctx))
        and not _runs_concurrently(ctx.module)))


def _starts_its_own_loop(ctx: FileContext) -> bool:
    """The module hands a coroutine to a loop runner at its top level (``asyncio.run(main())``
    with or without a ``__main__`` guard, as example scripts do) and starts no server there."""
    if not _handed_to_runners(ctx):
        return False
    top_level = [statement for statement in ctx.module.body if not isinstance(statement, cst.FunctionDef | cst.ClassDef)]
    return not any(starts_serving(node) for statement in top_level for node in iter_tree(statement))


_CONCURRENCY = frozenset({
    "create_task", "ensure_future", "gather", "TaskGroup", "as_completed", "wait", "start_soon",
    "create_task_group", "run_forever", "serve_forever",
})


def _runs_concurrently(module: cst.Module) -> bool:
    for node in iter_tree(module):
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            if name in _CONCURRENCY:
                return True
        elif isinstance(node, cst.FunctionDef) and node.asynchronous is not None and any(
                isinstance(inner, cst.While) and isinstance(inner.test, cst.Name) and inner.test.value == "True"
                for inner in iter_tree(node.body)):
            return True  # a coroutine that loops forever: a long-running program, not a run-once script
    return False  # (a sync ``while True:`` paging through results ends: it says nothing)


def entry_coroutines(ctx: FileContext) -> frozenset[str]:
    """Names of this module's coroutines passed to a loop runner at module level (directly or
    in an ``if __name__ == "__main__":`` block)."""
    return ctx.file_answer("entry coroutines", lambda: frozenset(_entries(ctx)))


def _entries(ctx: FileContext) -> set[str]:
    """The coroutines handed to a runner, and, through them, a coroutine an entry awaits as its
    very first suspension point (``async def main(): await run_demo()``): it starts alone too."""
    found = _handed_to_runners(ctx)
    coroutines = {statement.name.value: statement for statement in ctx.module.body
                  if isinstance(statement, cst.FunctionDef) and statement.asynchronous is not None}
    pending = [name for name in found if name in coroutines]
    while pending:
        first = _first_suspension(_source_order(ctx, coroutines[pending.pop()]))
        if isinstance(first, cst.Await) and isinstance(first.expression, cst.Call):
            callee = first.expression.func
            if isinstance(callee, cst.Name) and callee.value in coroutines and callee.value not in found:
                found.add(callee.value)
                pending.append(callee.value)
    return found


def _handed_to_runners(ctx: FileContext) -> set[str]:
    found: set[str] = set()
    for statement in ctx.module.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            continue  # a runner call inside a definition runs when that is called, maybe often
        found.update(_handed_to_runners_in(ctx, statement))
    return found


def _handed_to_runners_in(ctx: FileContext, root: cst.CSTNode) -> set[str]:
    """Names of coroutines ``root`` hands to a loop runner (``asyncio.run(main())``)."""
    found: set[str] = set()
    for node in iter_tree(root):
        if not isinstance(node, cst.Call) or not node.args or ctx.qualified_name(node.func) not in _RUNNERS:
            continue
        argument = node.args[0].value
        if isinstance(argument, cst.Call):
            argument = argument.func
        if isinstance(argument, cst.Name):
            found.add(argument.value)
    return found


def _source_order(ctx: FileContext, definition: cst.FunctionDef) -> Iterator[tuple[cst.CSTNode, bool, bool]]:
    """The nodes of a coroutine's body in source order (:func:`_in_order`), each with whether a
    loop around it (the node itself included, when it is one) suspends, and whether one around
    it other than itself does. Nodes listed once per coroutine are kept for the next question
    (``children`` rebuilds every node: slow), and listing stops where the asker stops."""
    listed: dict[int, tuple[list[tuple[cst.CSTNode, bool, bool]], Iterator[cst.CSTNode], list[cst.CSTNode]]]
    listed = ctx.file_answer("source order", dict)
    if id(definition) not in listed:
        suspending_loops: list[cst.CSTNode] = []
        listed[id(definition)] = ([], _in_order(definition.body, suspending_loops), suspending_loops)
    seen, rest, suspending_loops = listed[id(definition)]
    index = 0
    while True:
        if index == len(seen):
            node = next(rest, None)
            if node is None:
                return
            outer = len(suspending_loops) - (1 if suspending_loops and suspending_loops[-1] is node else 0)
            seen.append((node, bool(suspending_loops), outer > 0))
        yield seen[index]
        index += 1


def _before_first_suspension(body: Iterator[tuple[cst.CSTNode, bool, bool]], target: cst.CSTNode) -> bool:
    """Walk the body in source order: True when ``target`` comes before any await, ``async
    for``/``async with`` or yield (or inside the operand of the first one: ``await
    Agent(...).run()`` builds the agent before suspending), and no loop around it suspends."""
    for node, in_suspending_loop, outer_loop_suspends in body:
        if node is target:
            return not in_suspending_loop
        if isinstance(node, cst.For) and _contains(node.iter, target):  # ``async for x in make()``:
            return not outer_loop_suspends  # ``make()`` runs first, once
        if _is_suspension(node) and not (isinstance(node, _SUSPENDING) and _contains(node, target)):
            return False
    return False


def _first_suspension(body: Iterator[tuple[cst.CSTNode, bool, bool]]) -> cst.CSTNode | None:
    for node, _, _ in body:
        if _is_suspension(node):
            return node
    return None


def _is_suspension(node: cst.CSTNode) -> bool:
    return isinstance(node, _SUSPENDING) or (isinstance(node, cst.For | cst.With) and node.asynchronous is not None)


def _contains(node: cst.CSTNode, target: cst.CSTNode) -> bool:
    return any(inner is target for inner in iter_tree(node))


def _in_order(node: cst.CSTNode, open_loops: list[cst.CSTNode]):  # type: ignore[no-untyped-def]
    """Nodes in source order, skipping nested definitions; ``open_loops`` holds the loops
    around the node being yielded whose bodies suspend somewhere."""
    for child in node.children:
        if isinstance(child, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        loop = isinstance(child, cst.For | cst.While) and _suspends(child)
        if loop:
            open_loops.append(child)
        yield child
        yield from _in_order(child, open_loops)
        if loop:
            open_loops.pop()


def _suspends(node: cst.CSTNode) -> bool:
    return any(_is_suspension(inner) for inner in iter_tree(node))
