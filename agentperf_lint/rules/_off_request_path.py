"""Where a loop of round trips keeps nobody waiting: code that runs at start-up, on a timer, or
from a command line, decided from the code's structure (shared by the APL2xx rules).

An N+1 loop costs what its iterations wait for, and that cost matters when a user or a request
waits on it. Maintainers shrug at the same loop when it runs:

- **only from a start-up hook** of the same module: a helper whose every call in the module is
  made by ``cog_load``, ``setup_hook``, ``async_setup_entry``...
  (:func:`._test_code.in_set_up_hook` covers the hooks themselves; this follows their calls up
  to three levels down). A function no code of the module calls, or one a command or a
  listener calls too, may run per request: reported;
- **on a timer**: a discord.py task loop (``@tasks.loop(minutes=5)``), FastAPI-utils'
  ``@repeat_every``, APScheduler's ``@scheduled_job``, or a worker that sleeps between rounds
  (``while True: ...; await asyncio.sleep(60)`` around the loop): a background job whose
  round is not anybody's wait, often paced on purpose against a rate-limited API;
- **once per invocation of a command**: Django management commands
  (``management/commands/``), scripts and command-line tools that run nothing concurrently
  (:func:`._entry.in_one_shot_program`; one whose ``__main__`` block starts a server is a
  service).

Example code (``examples/``) is not skipped: a project's examples are where users copy their
patterns from, and this project's own demo lives there.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
from ..walker import iter_children, iter_tree
from ._entry import in_one_shot_program
from ._reuse import is_main_guard, starts_serving
from ._test_code import SET_UP_HOOKS

# decorators of documented schedulers: fastapi_utils' ``repeat_every``, APScheduler's
# ``scheduler.scheduled_job``; discord.ext.tasks' ``loop`` is matched by its module (see _is_timer)
_TIMER_DECORATORS = frozenset({"repeat_every", "scheduled_job"})
_SLEEPS = frozenset({"sleep"})
_MAX_DEPTH = 4  # a helper up to three calls down from a start-up hook


def off_request_path(ctx: FileContext) -> bool:
    """The code being visited runs at start-up, on a timer or once per command (see the module
    docstring): a loop of awaits there delays no user's request."""
    return (
        _in_offline_command(ctx) or (in_one_shot_program(ctx) and not _starts_a_server(ctx)) or _on_a_timer(ctx)
        or _only_called_at_start_up(ctx)
    )


def _in_offline_command(ctx: FileContext) -> bool:
    """A Django management command (``<app>/management/commands/<name>.py``)."""
    return "/management/commands/" in "/" + ctx.path.replace("\\", "/")


def _starts_a_server(ctx: FileContext) -> bool:
    """A command-line module whose ``__main__`` block starts a server (``uvicorn.run(app)``):
    its functions serve requests, whatever parses its arguments."""
    return ctx.file_answer("main block starts a server", lambda: any(
        starts_serving(node) for statement in ctx.module.body if is_main_guard(statement) for node in iter_tree(statement)))


def _on_a_timer(ctx: FileContext) -> bool:
    """A scheduler's decorator on an enclosing function, or a ``while`` loop around this point
    whose own body sleeps (the sleep between two rounds of a polling worker)."""
    for frame in ctx.frames:
        node = frame.node
        if isinstance(node, cst.FunctionDef) and any(_is_timer(ctx, d) for d in node.decorators):
            return True
    return any(isinstance(loop, cst.While) and _sleeps_between_rounds(loop) for loop in ctx.loops)


def _is_timer(ctx: FileContext, decorator: cst.Decorator) -> bool:
    """``@tasks.loop(minutes=5)`` (discord.ext.tasks, by its import or as written),
    ``@repeat_every(seconds=60)``, ``@scheduler.scheduled_job("interval", hours=1)``."""
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    qualified = ctx.qualified_name(expr) or ""
    if qualified.endswith("tasks.loop") or (
            isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)
            and expr.value.value == "tasks" and expr.attr.value == "loop"):
        return True
    if isinstance(expr, cst.Attribute):
        return expr.attr.value in _TIMER_DECORATORS
    return isinstance(expr, cst.Name) and expr.value in _TIMER_DECORATORS


def _sleeps_between_rounds(loop: cst.While) -> bool:
    """A statement of the ``while`` body itself (not of a loop nested in it) awaits a sleep."""
    body = loop.body.body if isinstance(loop.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, (cst.For, cst.While)):
            continue
        for node in iter_tree(statement):
            expression = node.expression if isinstance(node, cst.Await) else None
            if isinstance(expression, cst.Call) and _callee_name(expression) in _SLEEPS:
                return True
    return False


def _callee_name(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _only_called_at_start_up(ctx: FileContext) -> bool:
    """Every enclosing function is reached, within this module, only from start-up hooks."""
    if not ctx.file_answer("defines a start-up hook", lambda: any(hook in ctx.source for hook in SET_UP_HOOKS)):
        return False  # no hook named in the text: nothing here can be reached only from one
    callers = ctx.file_answer("callers by function name", lambda: _callers(ctx.module))
    for frame in ctx.frames:
        node = frame.node
        if isinstance(node, cst.FunctionDef) and _start_up_only(node.name.value, node, callers, set()):
            return True
    return False


def _start_up_only(name: str, definition: cst.FunctionDef | None, callers: dict[str, set[str]],
                   seen: set[str], depth: int = 0) -> bool:
    if name in SET_UP_HOOKS:
        return True
    if depth >= _MAX_DEPTH or name in seen or (definition is not None and definition.decorators):
        return False  # a decorated function is an entry point of its own (a command, a route, a listener)
    found = callers.get(name)
    if not found:
        return False
    seen = seen | {name}
    return all(_start_up_only(caller, None, callers, seen, depth + 1) for caller in found)


def _callers(module: cst.Module) -> dict[str, set[str]]:
    """Function name -> names of the functions of this module that call it (``name(...)``,
    ``self.name(...)``) or pass it on (``create_task(self.name())``, a callback reference).
    A reference at module or class level counts as the caller ``<module>``, and one from a
    decorated function (a command, a route, a listener) as ``<name>@decorated``: neither is
    a start-up hook."""
    callers: dict[str, set[str]] = {}
    _collect(module, "<module>", callers)
    return callers


def _collect(node: cst.CSTNode, owner: str, callers: dict[str, set[str]]) -> None:
    for child in iter_children(node):
        if isinstance(child, cst.FunctionDef):
            for decorator in child.decorators:
                _collect(decorator, owner, callers)
            name = child.name.value + ("@decorated" if child.decorators else "")
            _collect(child.body, name, callers)
        elif isinstance(child, cst.ClassDef):
            _collect(child.body, "<module>", callers)
        elif isinstance(child, cst.Attribute):
            callers.setdefault(child.attr.value, set()).add(owner)
            _collect(child.value, owner, callers)
        elif isinstance(child, cst.Name):
            callers.setdefault(child.value, set()).add(owner)
        else:
            _collect(child, owner, callers)
