"""One traversal of a libcst tree, dispatching to every enabled rule.

libcst's own ``Module.visit`` rebuilds every node on the way back up (``_visit_and_replace_
children``) even for read-only visitors, which makes a traversal cost about as much as the parse.
Rules only read the tree, so this walker follows the dataclass fields of each node instead,
skipping whitespace, comments and punctuation: about a tenth of the cost, no copies, and node
identity preserved (fixes and positions are keyed by the original nodes).

Children come in source order (decorators before the ``def`` body), and the walk is iterative,
so deeply nested expressions cannot overflow the interpreter's stack.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

import libcst as cst

from .context import FileContext

_TRIVIA_PREFIXES = (
    "whitespace", "lpar", "rpar", "leading_lines", "lines_after_decorators", "comma", "semicolon",
    "header", "footer", "equal", "colon", "dot", "lbracket", "rbracket", "lbrace", "rbrace",
    "trailing_whitespace", "newline", "first_line", "empty_lines", "default_indent",
)
# fields in source order where the dataclass order differs from it
_ORDER_OVERRIDES: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.Arg: ("keyword", "value"),
    cst.Param: ("name", "annotation", "default"),
}
_FIELDS: dict[type, tuple[str, ...]] = {}

Handler = Callable[[Any], None]


def child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    """Names of the fields of ``node_type`` that can hold code, in source order."""
    fields = _FIELDS.get(node_type)
    if fields is None:
        names = [f.name for f in dataclasses.fields(node_type) if not f.name.startswith(_TRIVIA_PREFIXES)]
        override = _ORDER_OVERRIDES.get(node_type)
        if override is not None:
            names = [name for name in override if name in names] + [n for n in names if n not in override]
        fields = _FIELDS[node_type] = tuple(names)
    return fields


def iter_children(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    for name in child_fields(type(node)):
        value = getattr(node, name)
        kind = value.__class__
        if kind in _NODE_TYPES:
            yield value
        elif kind is tuple or kind is list:
            yield from (item for item in value if item.__class__ in _NODE_TYPES)


def iter_tree(root: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Every code-bearing node under ``root`` (itself included), in source order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(iter_children(node))))


class Dispatch:
    """``visit_<Node>``/``leave_<Node>`` methods of a set of rule instances, by node class."""

    def __init__(self, rules: Iterable[object]):
        self.visits: dict[type, list[Handler]] = {}
        self.leaves: dict[type, list[Handler]] = {}
        for rule in rules:
            for attribute in dir(type(rule)):
                prefix, _, node_name = attribute.partition("_")
                if prefix not in ("visit", "leave") or not node_name:
                    continue
                node_type = getattr(cst, node_name, None)
                if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                    continue
                table = self.visits if prefix == "visit" else self.leaves
                for concrete in _concrete_subclasses(node_type):
                    table.setdefault(concrete, []).append(getattr(rule, attribute))


def _concrete_subclasses(node_type: type) -> list[type]:
    """``visit_BaseCompoundStatement`` runs for every concrete compound statement class."""
    found = []
    pending = [node_type]
    while pending:
        current = pending.pop()
        if not getattr(current, "__abstractmethods__", None):
            found.append(current)
        pending.extend(current.__subclasses__())
    return found


_NODE_TYPES: frozenset[type] = frozenset(_concrete_subclasses(cst.CSTNode))


class RuleCrash(Exception):
    """A rule raised while visiting; carries the rule so the error can name it."""

    def __init__(self, rule: object, error: BaseException):
        super().__init__(f"{type(error).__name__}: {error}")
        self.rule = rule
        self.error = error


def walk(module: cst.Module, ctx: FileContext, dispatch: Dispatch) -> None:
    """Traverse ``module`` once, keeping ``ctx`` current and calling the rules' handlers."""
    visits, leaves = dispatch.visits, dispatch.leaves
    enter, leave = ctx.enter, ctx.leave
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    push, pop = stack.append, stack.pop
    handler: Handler | None = None
    try:
        while stack:
            node, leaving = pop()
            node_type = type(node)
            if not leaving:
                enter(node)
                for handler in visits.get(node_type, ()):
                    handler(node)
                handler = None
                fields = _FIELDS.get(node_type) or child_fields(node_type)
                children: list[cst.CSTNode] = []
                for name in fields:
                    value = getattr(node, name)
                    kind = value.__class__
                    if kind in _NODE_TYPES:  # a set look-up: isinstance on libcst's ABCs is slow
                        children.append(value)
                    elif kind is tuple or kind is list:
                        children.extend(item for item in value if item.__class__ in _NODE_TYPES)
                if children:
                    push((node, True))
                    for child in reversed(children):
                        push((child, False))
                    continue
                # a leaf (most nodes) is left at once, without a trip through the stack
            for handler in leaves.get(node_type, ()):
                handler(node)
            handler = None
            leave(node)
    except RecursionError:
        raise
    except Exception as error:
        owner = getattr(handler, "__self__", None)
        if owner is None:
            raise
        raise RuleCrash(owner, error) from error
