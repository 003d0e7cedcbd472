"""A client made only when the caller gave none: the fallback of an injected client.

Classes and functions that let their caller share a client often make one themselves when none
was given::

    if self.http_client:
        response = await self.http_client.post(url, data=form)
    else:
        async with httpx.AsyncClient() as client:
            response = await client.post(url, data=form)

    client = client or httpx.AsyncClient()

The per-call client there is what a caller gets for not passing one: the code already offers
the shared client APL301 would advise. Reporting it asks the maintainer to build what exists;
readers of our findings on application code judged these "a shared client can already be
injected". :func:`made_when_none_given` recognises the three spellings (an ``if``/``else`` on
the given client, ``given or Client()``, ``given if given else Client()``) when the given
value is used as a client in the other branch (so ``if self.debug:`` is not mistaken for one).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..walker import iter_tree


def made_when_none_given(ancestors: Sequence[cst.CSTNode]) -> bool:
    """The visited call (the last of ``ancestors``) runs only when a given client (a name or
    ``self.<attr>``) is absent."""
    for index in range(len(ancestors) - 1, 0, -1):
        node, child = ancestors[index - 1], ancestors[index]
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or) and child is node.right:
            if _given(node.left) is not None:
                return True  # ``client or httpx.AsyncClient()``
        if isinstance(node, cst.IfExp) and child is node.orelse and _given(node.test) is not None:
            return True  # ``client if client else httpx.AsyncClient()``
        if isinstance(node, cst.If) and (child is node.body or child is node.orelse):
            given, present = _tested(node.test)
            if given is None:
                continue
            other: cst.CSTNode | None = node.orelse if child is node.body else node.body
            if other is None:  # ``if client is None: <make one>`` then the given one below
                other = next((a for a in reversed(ancestors[:index]) if isinstance(a, cst.FunctionDef)), None)
            in_absent_branch = (child is node.orelse) if present else (child is node.body)
            if in_absent_branch and other is not None and _used_as_client(other, given, skip=child):
                return True
    return False


def _given(expr: cst.BaseExpression) -> str | None:
    """``client`` / ``self.client``: the text of a value a caller may have given."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
        return f"{expr.value.value}.{expr.attr.value}"
    return None


def _tested(test: cst.BaseExpression) -> tuple[str | None, bool]:
    """What an ``if`` tests and whether its body runs when it is present: ``if client:`` and
    ``if client is not None:`` (present), ``if not client:`` and ``if client is None:`` (absent)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _given(test.expression), False
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.comparator, cst.Name) and target.comparator.value == "None":
            if isinstance(target.operator, cst.IsNot):
                return _given(test.left), True
            if isinstance(target.operator, cst.Is):
                return _given(test.left), False
        return None, True
    return _given(test), True


def _used_as_client(branch: cst.CSTNode, given: str, skip: cst.CSTNode) -> bool:
    """The branch (outside ``skip``, the branch that makes a client) calls a method of the given
    value (``self.http_client.post(...)``) or enters it (``async with client:``)."""
    skipped = {id(node) for node in iter_tree(skip)}
    for node in iter_tree(branch):
        if id(node) in skipped:
            continue
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and _given(node.func.value) == given:
            return True
        if isinstance(node, cst.WithItem) and _given(node.item) == given:
            return True
    return False
