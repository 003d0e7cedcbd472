"""Building blocks for fixes shared by several rules."""

from __future__ import annotations

import libcst as cst

from ..context import FileContext


def awaited(call: cst.BaseExpression, ctx: FileContext) -> cst.Await:
    """``await <call>`` for the node being visited, parenthesised where ``await`` would
    otherwise bind to more than the call (``time.sleep(1).x`` -> ``(await ...).x``)."""
    parent = ctx.parent
    if _binds_tighter(parent, ctx.ancestors[-1]):
        return cst.Await(call, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(call)


def _binds_tighter(parent: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    if isinstance(parent, (cst.Attribute, cst.Subscript)):
        return parent.value is node
    if isinstance(parent, cst.Call):
        return parent.func is node
    if isinstance(parent, cst.BinaryOperation):
        return isinstance(parent.operator, cst.Power)
    return False


def inside_generator_expression(ctx: FileContext) -> bool:
    """An ``await`` added here would turn a generator expression into an async one."""
    for frame in ctx.iter_frames():
        if frame.kind != "comprehension":
            return False
        if isinstance(frame.node, cst.GeneratorExp):
            return True
    return False


def dotted(name: str) -> cst.BaseExpression:
    """``"asyncio.sleep"`` -> the expression ``asyncio.sleep``."""
    parts = name.split(".")
    expr: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        expr = cst.Attribute(expr, cst.Name(part))
    return expr
