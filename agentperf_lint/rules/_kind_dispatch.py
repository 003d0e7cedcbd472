"""Loops that convert a mixed sequence part by part, where only some kinds of part need I/O.

``for comp in message.chain: if isinstance(comp, Plain): ... elif isinstance(comp, Image):
await download(comp.url)`` walks the parts of one record (a chat message's text, mentions and
images; a rich-text post's segments) and rebuilds them in order. The await runs for one kind of
part among others that are handled in process: a message carries one image or two between its
text segments, and the result must keep each part's position. Maintainers read this as the
conversion of one record, not as a query per row, and running the few downloads together would
mean restructuring the conversion for little gain. The APL2xx rules leave such awaits alone.

A dispatch on the part's kind is an ``if``/``elif`` chain in the loop body with at least two
tested arms (``if``/``else`` alone is a filter, still reported) whose tests look at the item's
type or tag: ``isinstance(item, T)``, ``item.type == "image"``, ``item["tag"] == "img"``,
``"text" in item``. Another tested arm of the chain must handle its kind in process (no
await, no ``raise``; an untested ``else`` does not count, it is usually the error path): a
chain whose every kind makes a round trip (``if item.kind == "url": await fetch(...) elif
...: await read(...) else: log.warning(...)``) is still reported.
"""

from __future__ import annotations

import libcst as cst

from ..context import FileContext
from ..walker import iter_tree


def for_one_kind_of_part(ctx: FileContext, loop: cst.CSTNode, per_item: set[str]) -> bool:
    """The visited node sits in one arm of a dispatch on the kind of the loop's item (``per_item``:
    the loop's names and those derived from them; see the module docstring) and another arm of
    the same chain awaits nothing."""
    ancestors = ctx.ancestors
    start = next((i for i, node in enumerate(ancestors) if node is loop), None)
    if start is None or not any(_suspends(node) for node in ancestors[start + 1:]):
        return False  # a plain call (APL202's sync queries): "the other arm awaits nothing" says nothing
    for index in range(len(ancestors) - 2, start, -1):
        node, child = ancestors[index], ancestors[index + 1]
        if isinstance(node, cst.If) and child is node.body:
            arms = _chain_arms(ancestors, index, start)
            if (sum(test is not None for test, _ in arms) >= 2 and _tests_kind(node.test, per_item)
                    and all(test is None or _tests_kind(test, per_item) for test, _ in arms)
                    and any(test is not None and body is not node.body and _in_process(body) for test, body in arms)):
                return True
    return False


_Arm = tuple[cst.BaseExpression | None, cst.CSTNode]  # (test, body); an ``else`` has no test


def _chain_arms(ancestors: list[cst.CSTNode], index: int, start: int) -> list[_Arm]:
    """The (test, body) arms of the ``if``/``elif``/``else`` chain the ``If`` at ``index`` belongs
    to; an ``else`` arm has no test."""
    top = index
    while top - 1 > start and isinstance(ancestors[top - 1], cst.If) and ancestors[top - 1].orelse is ancestors[top]:
        top -= 1
    arms: list[_Arm] = []
    current: cst.CSTNode | None = ancestors[top]
    while isinstance(current, cst.If):
        arms.append((current.test, current.body))
        current = current.orelse
    if isinstance(current, cst.Else):
        arms.append((None, current.body))
    return arms


def _tests_kind(test: cst.BaseExpression, per_item: set[str]) -> bool:
    """``isinstance(item, T)``, ``item.type == "x"``, ``item["tag"] != "img"``, ``"text" in
    item``, or any of them joined with ``and``/``or`` to other conditions."""
    if isinstance(test, cst.BooleanOperation):
        return _tests_kind(test.left, per_item) or _tests_kind(test.right, per_item)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _tests_kind(test.expression, per_item)
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance" and test.args:
        return _reads_item(test.args[0].value, per_item)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        sides = (test.left, comparison.comparator)
        literal = [side for side in sides if isinstance(side, (cst.SimpleString, cst.Integer))]
        item = [side for side in sides if _reads_item(side, per_item)]
        if isinstance(comparison.operator, (cst.Equal, cst.NotEqual)):
            return len(literal) == 1 and len(item) == 1 and not isinstance(item[0], cst.Name)
        if isinstance(comparison.operator, (cst.In, cst.NotIn)):
            return isinstance(test.left, cst.SimpleString) and _reads_item(comparison.comparator, per_item)
    return False


def _reads_item(expr: cst.BaseExpression, per_item: set[str]) -> bool:
    """``expr`` reads a per-item name (an attribute's name, ``comp.file``'s ``file``, is no read)."""
    attribute_names = {id(node.attr) for node in iter_tree(expr) if isinstance(node, cst.Attribute)}
    return any(isinstance(node, cst.Name) and id(node) not in attribute_names and node.value in per_item
               for node in iter_tree(expr))


def _suspends(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Await) or (isinstance(node, (cst.With, cst.For)) and node.asynchronous is not None)


def _in_process(body: cst.CSTNode) -> bool:
    """An arm that converts its kind of part without I/O: it neither awaits nor raises (an arm
    that only rejects an item is an error path, not another kind of part)."""
    return not any(_suspends(node) or isinstance(node, cst.Raise) for node in iter_tree(body))
