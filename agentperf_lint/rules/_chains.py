"""Blocking reached through the project's own sync helpers: the chain a coroutine's call starts.

APL114 reports chains that end in a costly call (a file read, a query, a request); APL115
reports the ones whose costliest call is a single file-system metadata call, so that
``ignore = ["APL115"]`` stays one decision for every metadata call, direct or through a helper.
Both ask the project model (:mod:`agentperf_lint.project`) the same question, here.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ..context import FileContext
from ..project.queries import model_of
from ..rule import Fix, Rule
from ._blocking import Catalogue, classify, to_thread_fix
from ._costs import Cost
from ._entry import in_one_shot_program, runs_alone
from ._reuse import imports_package
from ._test_code import skips_test_code


# Chains that end in local file content or directory-tree I/O: reported by APL114 in Home
# Assistant code, elsewhere only with its ``report-file-chains`` option.
LOCAL_FILES = frozenset({Cost.FILE_CONTENT, Cost.DIRECTORY_TREE})


def in_home_assistant(ctx: FileContext) -> bool:
    """The module imports Home Assistant (``homeassistant.*``): an integration, whose event loop
    Home Assistant itself watches for blocking file I/O."""
    return imports_package(ctx, _HOME_ASSISTANT)


_HOME_ASSISTANT = frozenset({"homeassistant"})


@dataclass(frozen=True)
class Chain:
    """``names``: the helper called here, then down to the costliest blocking call."""

    names: list[str]
    cost: Cost
    fix: Fix | None
    django: bool = False  # ends in a Django ORM query, which Django refuses on a running loop

    def message(self) -> str:
        chain = " -> ".join(self.names)
        if self.django:
            return (f"`{self.names[0]}` runs a Django query on the event loop: {chain}; Django raises "
                    "`SynchronousOnlyOperation` there (unless `DJANGO_ALLOW_ASYNC_UNSAFE` is set, when it "
                    "blocks); use the async ORM down the chain (`afirst()`, `aget()`, `async for`), or call "
                    "the helper through `asgiref.sync.sync_to_async`")
        return (f"`{self.names[0]}` blocks the event loop: {chain} ({self.cost.words}); "
                "make the chain async, or run the helper in a worker thread (`await asyncio.to_thread(...)`)")


def blocking_chain(rule: Rule, ctx: FileContext, node: cst.Call, extra: Catalogue | None = None) -> Chain | None:
    """The chain of a call in a coroutine to a sync project helper that blocks, or None (not in
    a coroutine, awaited, a direct catalogue call, not a project helper, in-process, a script's
    start-up, test code unless the rule's ``check-tests`` says so). ``extra``: calls the user
    declared blocking (APL113's option), reported directly and so not as a chain."""
    if extra is not None and extra.entries and classify(ctx, node, extra):
        return None
    memo: dict[int, Chain | None] = ctx.file_answer("blocking chains", dict)
    key = id(node)
    if key not in memo:  # APL114 and APL115 ask about the same call in the same walk
        memo[key] = _chain(ctx, node)
    chain = memo[key]
    return None if chain is None or skips_test_code(rule, ctx) else chain


def _chain(ctx: FileContext, node: cst.Call) -> Chain | None:
    if not ctx.in_async:
        return None
    parent = ctx.parent
    if isinstance(parent, cst.Await) and parent.expression is node:
        return None
    if classify(ctx, node):
        return None  # reported by the APL1xx rule that owns the call
    callee = ctx.project_callee(node)
    if callee is None:
        return None
    model = model_of(ctx)
    effect = model.effect(callee)
    function = model.function(callee)
    if effect is None or function is None or effect.is_async:
        return None
    # a blocking call in a branch on an optional parameter this call does not take does not run here
    blocking = effect.blocking_for(_passed(node), function.data.get("optional", {}))
    if blocking is None:
        return None
    if runs_alone(ctx, node) or in_one_shot_program(ctx):
        return None  # a script's start-up, or a program run once per invocation: stalls nobody
    names = [f"{function.display}()", *blocking.chain]
    # Django ORM: no `to_thread` fix, Django's own `sync_to_async` keeps its per-thread connections
    django = blocking.call.call.startswith("django.")
    fix = to_thread_fix(ctx, node) if function.module == ctx.module_name and not django else None
    return Chain(names, blocking.call.cost, fix, django)


def _passed(node: cst.Call) -> list[list[object]]:
    """The arguments a call passes, as the project model's summaries write them down (a literal
    ``None`` or empty value passes nothing; a dict literal also gives its constant keys)."""
    found: list[list[object]] = []
    position = 0
    for arg in node.args:
        slot: object = arg.keyword.value if arg.keyword is not None else ("*" if arg.star else position)
        if arg.keyword is None and not arg.star:
            position += 1
        value = arg.value
        if (isinstance(value, cst.Name) and value.value in ("None", "False")) or (
                isinstance(value, cst.List | cst.Tuple | cst.Set | cst.Dict) and not value.elements) or (
                isinstance(value, cst.SimpleString) and not value.evaluated_value) or (
                isinstance(value, cst.Integer) and value.value == "0"):
            continue  # ``None`` or an empty value: ``if not options:`` fills it all the same
        keys = None
        if isinstance(arg.value, cst.Dict):
            keys = [element.key.evaluated_value for element in arg.value.elements
                    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)]
        found.append([slot, keys])
    return found
