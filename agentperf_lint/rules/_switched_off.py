"""Awaited helpers whose round trips a flag at the call site turns off.

``await build_message(m, vision_support=False)`` per message, where this module's ``async def
build_message(message, vision_support=False)`` only fetches images under ``if vision_support:``:
with the flag false the coroutine runs straight through, in process, so there is nothing to run
concurrently (a judged false positive of APL201). The helper is read with the call's literal
``False``/``None``/``0`` arguments (passed by keyword or position, or left to such a default):
``if flag:`` bodies and ``x if flag else y`` branches are skipped (``if not flag:`` keeps only
its body), and the helper counts as in process when nothing else in it awaits.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
from ..walker import iter_children

_OFF = frozenset({"False", "None"})


def io_switched_off(ctx: FileContext, call: cst.Call) -> bool:
    """``call`` targets an ``async def`` of this module (a module-level function, or a method of
    the enclosing class through ``self``) whose every await sits behind a parameter the call
    sets to a false literal."""
    definition, skip_first = _definition(ctx, call)
    if definition is None or definition.asynchronous is None:
        return False
    off = _false_parameters(definition, call, skip_first)
    if not off:
        return False
    return not _awaits(definition.body, off)


def _definition(ctx: FileContext, call: cst.Call) -> tuple[cst.FunctionDef | None, bool]:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        info = ctx.function.class_info
        if info is not None and func.value.value == ctx.function.self_name:
            method = info.methods.get(func.attr.value)
            return (method, True) if isinstance(method, cst.FunctionDef) else (None, False)
    elif isinstance(func, cst.Name):
        binding = ctx.frames[0].scope.bindings.get(func.value)
        if binding is not None and binding.kind == "def" and isinstance(binding.node, cst.FunctionDef):
            return binding.node, False
    return None, False


def _false_parameters(definition: cst.FunctionDef, call: cst.Call, skip_first: bool) -> set[str]:
    positional = list(definition.params.posonly_params) + list(definition.params.params)
    if skip_first and positional:
        positional = positional[1:]
    everything = positional + list(definition.params.kwonly_params)
    passed: dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return set()  # ``*args``/``**kwargs``: what is passed is unknown
        if arg.keyword is not None:
            passed[arg.keyword.value] = arg.value
        elif index < len(positional):
            passed[positional[index].name.value] = arg.value
    off: set[str] = set()
    for param in everything:
        value = passed.get(param.name.value, param.default)
        if _is_false_literal(value):
            off.add(param.name.value)
    return off


def _is_false_literal(value: cst.BaseExpression | None) -> bool:
    if isinstance(value, cst.Name):
        return value.value in _OFF
    return isinstance(value, cst.Integer) and value.value == "0"


def _awaits(node: cst.CSTNode, off: set[str]) -> bool:
    """Whether ``node`` may suspend with the parameters in ``off`` false (nested scopes left out)."""
    if isinstance(node, (cst.Await, cst.Yield)) or (
            isinstance(node, (cst.With, cst.For, cst.CompFor)) and node.asynchronous is not None):
        return True
    if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        return False
    if isinstance(node, (cst.If, cst.IfExp)):
        state = _flag_state(node.test, off)
        if state is False:  # the body never runs
            branch = node.orelse
            return _awaits(node.test, off) or (branch is not None and _awaits(branch, off))
        if state is True:  # ``if not flag:``: only the body runs
            return _awaits(node.test, off) or _awaits(node.body, off)
    return any(_awaits(child, off) for child in iter_children(node))


def _flag_state(test: cst.BaseExpression, off: set[str]) -> bool | None:
    """False when ``test`` is a switched-off flag, True when it is its negation, else None."""
    if isinstance(test, cst.Name) and test.value in off:
        return False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _flag_state(test.expression, off)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left, right = _flag_state(test.left, off), _flag_state(test.right, off)
        return False if False in (left, right) else None
    return None
