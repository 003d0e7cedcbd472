"""Per-module summaries for the project model, extracted with the stdlib ``ast`` module.

A summary is plain JSON (cached per content hash) and says what the module writes down, with
every name already qualified through the module's imports, but nothing resolved across
modules: that is the model's job (:mod:`.model`). Values are symbolic *value references*
(lists), evaluated later by the model:

* ``["q", "pkg.mod.name"]``: the object a qualified name denotes (module, class, function);
* ``["t", "pkg.mod.Class"]``: an instance of a class, from an annotation;
* ``["call", V]``: what calling V returns; ``["iter", V]`` (only as a callee): a loop over V; ``["attr", V, "name"]``: an attribute of V;
* ``["div", V]``: ``V / something`` (a path stays a path); ``["self"]``, ``["super"]``,
  ``["cls"]``; ``["?"]`` for anything unknown.

Layout::

    {"imports": {local: qualname}, "vars": {name: V},
     "functions": {name: F}, "classes": {name: {"bases": [V], "attrs": {name: V},
                                                "methods": {name: F}}}}
    F = {"async": bool, "returns": V | None, "property": bool, "line": int,
         "calls": [[V callee, awaited, nonblocking_args(, guard, passed)], ...],
         "optional": {parameter: position}}  # only when some call is in a branch on one (see _Calls)

A call with arguments also says which it passes (``passed``: ``[[position or keyword, dict
keys or None], ...]``, ``["*", None]`` for ``*args``/``**kwargs``), and a call made only to
fill an optional parameter the caller left out, or in a branch taken only when the caller
passed it, says which (``guard``: ``[parameter, key or None, "omitted" | "given"]``), so the
model can tell a caller that passes it from one that does not. A sixth
element ``true`` marks a call on a path built from ``__file__`` (a file the package ships).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable
from typing import Any, ClassVar

Value = list[Any]
UNKNOWN: Value = ["?"]
_BUILTINS = frozenset(dir(builtins))
_OPTIONAL = frozenset({"typing.Optional", "typing.Annotated", "typing_extensions.Annotated",
                       "typing.Final", "typing.ClassVar", "typing_extensions.Optional"})
_PROPERTIES = frozenset({"property", "functools.cached_property", "cached_property"})
_FIELD_FACTORIES = frozenset({"dataclasses.field", "pydantic.Field", "attrs.field", "attr.ib", "attr.attrib", "attrs.Factory"})
# a memoised function without parameters runs its body once per process (a settings getter)
_MEMOISERS = frozenset({"functools.lru_cache", "functools.cache"})
_POOLS = frozenset({"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor"})
_LITERALS = {ast.Dict: "builtins.dict", ast.List: "builtins.list", ast.Set: "builtins.set", ast.Tuple: "builtins.tuple",
             ast.DictComp: "builtins.dict", ast.ListComp: "builtins.list", ast.SetComp: "builtins.set", ast.JoinedStr: "builtins.str"}

# where a ``global`` statement can start: a line's start, after ``;``, or after a compound
# statement's ``:`` (``if x: global y``); a word elsewhere (``global_settings``, a comment) is no statement
_GLOBAL_TEXT = re.compile(r"(?:^|[\r;:])[ \t\f]*global\b", re.MULTILINE)
_GLOBAL_BYTES = re.compile(_GLOBAL_TEXT.pattern.encode(), re.MULTILINE)


def summarize(source: str | bytes, module: str, is_package: bool) -> dict[str, Any]:
    """The summary of one module (an empty one when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {"imports": {}, "vars": {}, "functions": {}, "classes": {}}
    found = _Module(module, is_package)
    found.has_globals = (_GLOBAL_BYTES if isinstance(source, bytes) else _GLOBAL_TEXT).search(source) is not None
    found.has_walrus = (b":=" if isinstance(source, bytes) else ":=") in source
    found.has_file = (b"__file__" if isinstance(source, bytes) else "__file__") in source
    return found.run(tree)


class _Module:
    def __init__(self, module: str, is_package: bool):
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.imports: dict[str, str] = {}
        self.defined: set[str] = set()
        self.out: dict[str, Any] = {"imports": self.imports, "vars": {}, "functions": {}, "classes": {}}
        self.global_values: dict[str, list[Value]] = {}  # ``global x; x = value`` in functions
        self.summarised: set[int] = set()
        self.has_globals = True  # False when the source never says ``global``: nothing to look for
        self.has_walrus = True  # False when the source never says ``:=``: expressions bind no names
        self.has_file = True  # False when the source never says ``__file__``: no package resources
        self.resources: set[str] = set()  # module names holding a path built from ``__file__``
        self.class_resources: set[str] = set()  # the same, for the class being summarised

    def run(self, tree: ast.Module) -> dict[str, Any]:
        body = list(self._flatten(tree.body))
        for node in body:  # names first: a function may use a class defined below it
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defined.add(node.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.imports[head] = head
            elif isinstance(node, ast.ImportFrom):
                base = self._from_base(node)
                for alias in node.names:
                    if alias.name != "*":
                        self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
                    elif base:
                        self.out.setdefault("stars", []).append(base)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and self.has_file:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if len(targets) == 1 and isinstance(targets[0], ast.Name) and _mentions(node.value, self.resources):
                    self.resources.add(targets[0].id)
        module_values: dict[str, list[Value]] = {}
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.out["functions"][node.name] = self._function(node, None)
            elif isinstance(node, ast.ClassDef):
                self.out["classes"][node.name] = self._class(node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.out["vars"][node.targets[0].id] = self._value(node.value, {})
                module_values.setdefault(node.targets[0].id, []).append(_none_or(node.value, self.out["vars"][node.targets[0].id]))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                self.out["vars"][node.target.id] = self._annotation(node.annotation)
                module_values[node.target.id] = [UNKNOWN, UNKNOWN]  # annotated: the annotation stands
        for node in ast.walk(tree) if self.has_globals else ():  # functions not summarised (nested)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(node) not in self.summarised:
                _Globals(self, None).visit_body(node.body)
        self._merge_globals(module_values)
        return self.out

    def _merge_globals(self, module_values: dict[str, list[Value]]) -> None:
        """A module global also assigned in functions (``global x; x = Cls(...)`` in a start-up
        function) holds the value every assignment agrees on, ``None`` aside; any disagreement
        (or an assignment the summary cannot describe) leaves it unknown."""
        for name, assigned in self.global_values.items():
            if len(module_values.get(name, ())) > 1:
                continue  # annotated, or assigned several ways at module level: left as it is
            values = [v for v in [*module_values.get(name, []), *assigned] if v != _NONE]
            first = values[0] if values else UNKNOWN
            self.out["vars"][name] = first if all(v == first for v in values) else UNKNOWN

    def _flatten(self, body: list[ast.stmt]) -> Any:
        """Module statements, looking into ``if TYPE_CHECKING:``/``try:`` import blocks."""
        for node in body:
            if isinstance(node, ast.If):
                yield from self._flatten(node.body)
                yield from self._flatten(node.orelse)
            elif isinstance(node, ast.Try):
                yield from self._flatten(node.body)
                for handler in node.handlers:
                    yield from self._flatten(handler.body)
            else:
                yield node

    def _from_base(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.package.split(".") if self.package else []
        if node.level > 1:
            parts = parts[: len(parts) - (node.level - 1)]
        if node.module:
            parts.append(node.module)
        return ".".join(parts)

    # -- names and types ---------------------------------------------------------------
    def qualify(self, node: ast.expr, local: dict[str, Value]) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in local:
                return None
            if node.id in self.imports:
                return self.imports[node.id]
            if node.id in self.defined or node.id in self.out["vars"]:
                return f"{self.module}.{node.id}"
            if node.id in _BUILTINS:
                return f"builtins.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            owner = self.qualify(node.value, local)
            return f"{owner}.{node.attr}" if owner else None
        return None

    def _annotation(self, node: ast.expr | None) -> Value:
        """``X``, ``Optional[X]``, ``X | None``, ``"X"`` -> ``["t", qualified X]``."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                return self._annotation(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return UNKNOWN
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            sides = [s for s in (node.left, node.right) if not (isinstance(s, ast.Constant) and s.value is None)]
            return self._annotation(sides[0]) if len(sides) == 1 else UNKNOWN
        if isinstance(node, ast.Subscript):
            outer = self.qualify(node.value, {})
            if outer in _OPTIONAL:
                inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
                return self._annotation(inner)
            if outer == "typing.Union" and isinstance(node.slice, ast.Tuple):
                sides = [s for s in node.slice.elts if not (isinstance(s, ast.Constant) and s.value is None)]
                return self._annotation(sides[0]) if len(sides) == 1 else UNKNOWN
            # a generic: ``dict[str, X]`` is a dict, ``Client[T]`` a Client
            return ["t", outer] if outer and outer not in ("typing.Union", "typing.Literal", "typing.Callable",
                                                           "collections.abc.Callable") else UNKNOWN
        qualname = self.qualify(node, {})
        return ["t", qualname] if qualname else UNKNOWN

    def _value(self, node: ast.expr | None, local: dict[str, Value]) -> Value:
        """A value reference for an expression (see the module docstring)."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Name):
            if node.id in local:
                return local[node.id]
            qualname = self.qualify(node, local)
            return ["q", qualname] if qualname else UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self._value(node.value, local)
            return UNKNOWN if base == UNKNOWN else ["attr", base, node.attr]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "super" and func.id not in local:
                return ["super"]
            callee = self._value(func, local)
            return UNKNOWN if callee == UNKNOWN else ["call", callee]
        if isinstance(node, ast.Await):
            return self._value(node.value, local)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self._value(node.left, local)
            return UNKNOWN if left == UNKNOWN else ["div", left]
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes, int, float)):
            return ["t", f"builtins.{type(node.value).__name__}"]
        literal = _LITERALS.get(type(node))
        return ["t", literal] if literal else UNKNOWN

    # -- definitions -------------------------------------------------------------------
    def _class(self, node: ast.ClassDef) -> dict[str, Any]:
        attrs: dict[str, Value] = {}
        methods: dict[str, Any] = {}
        self.class_resources = set() if not self.has_file else {statement.targets[0].id for statement in node.body
                                if isinstance(statement, ast.Assign) and len(statement.targets) == 1
                                and isinstance(statement.targets[0], ast.Name) and _mentions(statement.value, self.resources)}
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                attrs[statement.target.id] = self._annotation(statement.annotation)
            elif isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                value = statement.value
                if not (isinstance(value, ast.Call) and self.qualify(value.func, {}) in _FIELD_FACTORIES):
                    attrs.setdefault(statement.targets[0].id, self._value(value, {}))
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                method = self._function(statement, attrs)
                methods[statement.name] = method
                if method["property"] and method["returns"] is not None:
                    attrs.setdefault(statement.name, method["returns"])
        self.class_resources = set()
        return {"bases": [self._value(base, {}) for base in node.bases], "attrs": attrs, "methods": methods,
                "line": node.lineno}

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, attrs: dict[str, Value] | None) -> dict[str, Any]:
        decorators = {self.qualify(d, {}) or "" for d in node.decorator_list}
        is_static = "builtins.staticmethod" in decorators
        is_class = "builtins.classmethod" in decorators
        params = [*node.args.posonlyargs, *node.args.args]
        local: dict[str, Value] = {}
        for index, arg in enumerate([*params, *node.args.kwonlyargs]):
            if attrs is not None and index == 0 and not is_static and arg in params:
                local[arg.arg] = ["cls"] if is_class else ["self"]
            else:
                local[arg.arg] = self._annotation(arg.annotation)
        for extra in (node.args.vararg, node.args.kwarg):
            if extra is not None:
                local[extra.arg] = UNKNOWN
        bound = _Locals(self, local)
        bound.visit_body(node.body)
        if self.has_globals:
            _Globals(self, local).visit_body(node.body)
        self.summarised.add(id(node))
        calls: list[list[Any]] = []
        optional = _optional_parameters(node, skip_first=attrs is not None and not is_static)
        walker = _Calls(self, local, calls, optional, bound.dict_literals())
        walker.never_assigned = {name for name in optional if name not in bound.count}
        if self.has_file:
            walker.resources = bound.resources(self.resources - set(local), self.class_resources)
        if self.has_globals:  # ``global _instance`` names module state, not a local
            walker.state_local = {k: v for k, v in local.items() if k not in _declared_global(node)}
        walker.visit_body(node.body)
        if attrs is not None and not is_static and not is_class and params:
            _SelfAttributes(self, local, params[0].arg, attrs).visit_body(node.body)
        returns = self._annotation(node.returns) if node.returns is not None else walker.agreed_return()
        found = {"async": isinstance(node, ast.AsyncFunctionDef), "returns": returns if returns != UNKNOWN else None,
                "property": bool(decorators & {"builtins.property", "functools.cached_property", "functools.cached_property"})
                or any(isinstance(d, ast.Name) and d.id in ("cached_property",) for d in node.decorator_list),
                "line": node.lineno, "calls": calls,
                "once": not node.args.args and not node.args.posonlyargs and not node.args.kwonlyargs and any(
                    self.qualify(d.func if isinstance(d, ast.Call) else d, {}) in _MEMOISERS for d in node.decorator_list)}
        if walker.guards:
            found["optional"] = {name: optional[name] for name in walker.guards}
        return found


def _declared_global(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    pending: list[ast.AST] = list(node.body)
    found: set[str] = set()
    while pending:  # the function's own ``global`` statements, not its nested functions'
        current = pending.pop()
        if isinstance(current, ast.Global):
            found.update(current.names)
        elif not _nested_defs(current):
            pending.extend(ast.iter_child_nodes(current))
    return found


def _optional_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, skip_first: bool) -> dict[str, int]:
    """Parameters whose default is ``None``, with the position a call passes them at (-1 for
    keyword-only; ``self``/``cls`` not counted)."""
    positional = [*node.args.posonlyargs, *node.args.args]
    found: dict[str, int] = {}
    defaults = node.args.defaults
    for index, (arg, default) in enumerate(zip(positional[len(positional) - len(defaults):], defaults)):
        if isinstance(default, ast.Constant) and default.value is None:
            found[arg.arg] = len(positional) - len(defaults) + index - (1 if skip_first else 0)
    for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults):
        if isinstance(default, ast.Constant) and default.value is None:
            found[arg.arg] = -1
    return found


_NONE: Value = ["none"]


def _none_or(node: ast.expr | None, value: Value) -> Value:
    return _NONE if isinstance(node, ast.Constant) and node.value is None else value


_NESTED_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _nested_defs(node: ast.AST) -> bool:
    return isinstance(node, _NESTED_DEFS)


class _Body(ast.NodeVisitor):
    _handlers: ClassVar[dict[type, Callable[[Any, Any], None]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}  # each visitor class its own: node class -> handler

    def visit(self, node: ast.AST) -> None:
        """``ast.NodeVisitor.visit`` with each node class's handler looked up once per visitor
        class instead of once per node (summaries visit every node of a module three times)."""
        handler = self._handlers.get(node.__class__)
        if handler is None:
            cls = type(self)
            handler = self._handlers[node.__class__] = getattr(cls, "visit_" + node.__class__.__name__, cls.generic_visit)
        handler(self, node)

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing under a constant (``ast.NodeVisitor``'s own looks for deprecated handlers)."""

    def visit_Name(self, node: ast.Name) -> None:
        """Nothing under a name (its ``Load``/``Store`` context is a leaf)."""

    def visit_body(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.visit(statement)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, _NESTED_DEFS):
            return  # a nested body runs when (and if) something calls it
        for field in node._fields:  # ``ast.NodeVisitor``'s walk, without visiting the
            value = getattr(node, field, None)  # ``Load``/``Store`` and operator leaves
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                self.visit(value)

    def generic_visit_statements(self, node: ast.AST) -> None:
        """``generic_visit`` for a visitor that acts on statements alone: an expression holds no
        statement (a lambda's body is skipped anyway), so expressions are not entered."""
        if isinstance(node, _NESTED_DEFS):
            return
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _HOLDS_STATEMENTS):
                        self.visit(item)


_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)  # no fields, nothing to visit
_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


class _Locals(_Body):
    """Local names bound exactly once by a plain assignment get that value; every other local
    (loop targets, re-bound names, ``with ... as``) is unknown."""

    def __init__(self, owner: _Module, local: dict[str, Value]):
        self.owner, self.local = owner, local
        self.count: dict[str, int] = {}
        self.values: dict[str, ast.expr | None] = {}

    def generic_visit(self, node: ast.AST) -> None:
        if self.owner.has_walrus:  # ``(x := f())`` binds in any expression
            super().generic_visit(node)
        else:
            self.generic_visit_statements(node)

    def visit_body(self, body: list[ast.stmt]) -> None:
        super().visit_body(body)
        for name, value in self.values.items():
            if name in self.local:
                continue  # a parameter re-bound keeps its annotation only if never assigned
            self.local[name] = UNKNOWN
        for name, value in self.values.items():
            if self.count[name] == 1 and value is not None:
                self.local[name] = self.owner._value(value, self.local)

    def resources(self, module: set[str], attributes: set[str]) -> set[str]:
        """Names that hold a path built from ``__file__`` here: module names (``module``, not
        shadowed), ``self.X``/``cls.X`` for the class's ``attributes``, and locals bound once
        to such a path."""
        found = {"__file__", *module, *(f"self.{name}" for name in attributes), *(f"cls.{name}" for name in attributes)}
        for _ in range(3):  # ``here = dirname(__file__)``, then ``prompts = join(here, "p")``
            grown = {name for name, value in self.values.items()
                     if value is not None and self.count[name] == 1 and _mentions(value, found)}
            if grown <= found:
                break
            found |= grown
        return found

    def dict_literals(self) -> dict[str, list[str]]:
        """Locals bound once to a dict literal, with its constant string keys."""
        return {name: _dict_keys(value) for name, value in self.values.items()
                if self.count[name] == 1 and isinstance(value, ast.Dict)}

    def visit_Import(self, node: ast.Import) -> None:
        """Imports inside a function (``from git import Repo`` where it is used)."""
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            self.local[name] = ["q", alias.name if alias.asname else name]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self.owner._from_base(node)
        for alias in node.names:
            if alias.name != "*":
                self.local[alias.asname or alias.name] = ["q", f"{base}.{alias.name}" if base else alias.name]

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.count[target.id] = self.count.get(target.id, 0) + 1
            self.values[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, None)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value if len(node.targets) == 1 else None)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.count[node.target.id] = 1
            self.values[node.target.id] = None
            annotated = self.owner._annotation(node.annotation)
            self.local[node.target.id] = annotated
        self.generic_visit(node)

    def _visit_other(self, target: ast.expr) -> None:
        self._bind(target, None)
        self._bind(target, None)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._visit_other(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._visit_other(item.optional_vars)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._visit_other(node.target)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._visit_other(node.target)
        self.generic_visit(node)


class _Globals(_Body):
    """Values a function assigns to names it declares ``global``."""

    def __init__(self, owner: _Module, local: dict[str, Value] | None):
        self.owner, self.local = owner, local  # local None: a nested function, values unknown
        self.names: set[str] = set()

    def visit_body(self, body: list[ast.stmt]) -> None:
        pending: list[ast.AST] = list(body)
        while pending:  # the function's own ``global`` statements, not its nested functions'
            node = pending.pop()
            if isinstance(node, ast.Global):
                self.names.update(node.names)
            elif not _nested_defs(node):
                pending.extend(ast.iter_child_nodes(node))
        if self.names:
            super().visit_body(body)

    def _record(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name) and target.id in self.names:
            if value is None:
                found = UNKNOWN
            elif self.local is None:
                found = _none_or(value, UNKNOWN)
            else:
                outer = {k: v for k, v in self.local.items() if k not in self.names}
                found = _none_or(value, self.owner._value(value, outer))
                if found[0] in ("self", "cls", "super"):
                    found = UNKNOWN  # an instance of this class or of any subclass: no one type
            self.owner.global_values.setdefault(target.id, []).append(found)
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for element in (target.elts if not isinstance(target, ast.Starred) else [target.value]):
                self._record(element, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._record(target, node.value if len(node.targets) == 1 else None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._record(node.target, None)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._record(node.target, None)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._record(node.target, None)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._record(target, None)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._record(node.target, None)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._record(item.optional_vars, None)
        self.generic_visit(node)

    visit_AsyncWith = visit_With


class _Calls(_Body):
    """Every call of the body as ``[callee value, awaited, nonblocking arguments]``."""

    def __init__(self, owner: _Module, local: dict[str, Value], out: list[list[Any]],
                 optional: dict[str, int] | None = None, dicts: dict[str, list[str]] | None = None):
        self.owner, self.local, self.out = owner, local, out
        self.optional = optional or {}  # parameters with a ``None`` default
        self.dicts = dicts or {}  # locals bound once to a dict literal: their keys
        self.guard: list[Any] | None = None  # inside a branch on an optional parameter
        self.never_assigned: set[str] = set()  # optional parameters the body never re-binds
        self.guards: set[str] = set()
        self.state_local = local  # the locals, less names declared ``global``
        self.resources: set[str] = set()  # names holding a path built from ``__file__``
        self.awaited: set[int] = set()
        self.memoised = 0  # inside the body of a cache-miss test: runs once per key, not per call
        self.returned: list[Value] = []  # what each ``return`` gives (the same walk, for speed)
        self.generator = False

    def agreed_return(self) -> Value | None:
        """An unannotated function's return value when every ``return`` agrees on it (``None``
        aside, as ``Optional[X]``); a generator returns a generator, so it has none."""
        values = [v for v in self.returned if v != _NONE]
        if self.generator or not values or any(v != values[0] for v in values):
            return None
        return None if values[0] == UNKNOWN or values[0][0] in ("self", "cls", "super") else values[0]

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        self.returned.append(_NONE if value is None else _none_or(value, self.owner._value(value, self.local)))
        self.generic_visit(node)

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        self.generator = True
        self.generic_visit(node)

    visit_YieldFrom = visit_Yield

    def visit_Await(self, node: ast.Await) -> None:
        inner = node.value
        if isinstance(inner, ast.Call):
            self.awaited.add(id(inner))
        elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Attribute) and inner.value.attr == "awaitable_attrs":
            self.out.append([["?", "awaitable_attrs"], True, False])  # SQLAlchemy ``AsyncAttrs``: a lazy load, one query
        self.generic_visit(node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        for item in node.items:
            if isinstance(item.context_expr, ast.Call):
                self.awaited.add(id(item.context_expr))
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:  # leaving ``with ThreadPoolExecutor() as pool:`` waits for its work
            context = item.context_expr
            if isinstance(context, ast.Call) and self.owner.qualify(context.func, self.local) in _POOLS:
                self.out.append([["attr", ["call", ["q", self.owner.qualify(context.func, self.local)]], "shutdown"],
                                 False, False])
        self.generic_visit(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        if isinstance(node.iter, ast.Call):
            self.awaited.add(id(node.iter))
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._iterates(node.iter)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        if not node.is_async:
            self._iterates(node.iter)
        self.generic_visit(node)

    def _iterates(self, iterable: ast.expr) -> None:
        """``for row in rows:`` asks ``rows`` for its items: a lazy query (a Django queryset, a
        cursor) runs there. Written down as ``["iter", V]``, which the model follows only when it
        knows what V is (nothing unknown is implied by a loop)."""
        if self.memoised or isinstance(iterable, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Constant)):
            return
        value = self.owner._value(iterable, self.local)
        if value != UNKNOWN:
            self.out.append([["iter", value], False, False])

    def visit_Call(self, node: ast.Call) -> None:
        callee = self.owner._value(node.func, self.local)
        if isinstance(node.func, ast.Name) and node.func.id == "super":
            callee = ["q", "builtins.super"]
        if callee == UNKNOWN and isinstance(node.func, ast.Attribute):
            callee = ["?", node.func.attr]  # the method name still tells third-party round trips
        if not self.memoised:
            entry = [callee, id(node) in self.awaited, _nonblocking_arguments(node)]
            passed = _passed(node, self.dicts) if node.args or node.keywords else []
            resource = bool(self.resources) and _reads_resource(node, self.resources)
            if self.guard is not None or passed or resource:
                entry += [self.guard, passed]
                if self.guard is not None:
                    self.guards.add(self.guard[0])
            if resource:
                entry.append(True)
            self.out.append(entry)
        self.generic_visit(node)

    def visit_body(self, body: list[ast.stmt]) -> None:
        """``if _instance is not None: return _instance`` (a singleton, a lazily made client)
        followed by the code that makes and stores it: that code runs once per process (or
        per object), so, as for a filled cache, its calls are not this function's."""
        for index, statement in enumerate(body):
            self.visit(statement)
            if not self.memoised and _returns_when_made(statement, body[index + 1:], self.state_local):
                self.memoised += 1
                for rest in body[index + 1:]:
                    self.visit(rest)
                self.memoised -= 1
                return

    def visit_If(self, node: ast.If) -> None:
        """``if key not in self._cache: self._cache[key] = load(key)`` and ``if self._client is
        None: self._client = make()``: the body fills what the test found missing, so it runs
        once per key or per object, not on every call; its calls are not this function's.
        ``if options is None: options = load_defaults()`` for a parameter defaulting to
        ``None`` runs only for callers that leave it out, and ``if path is not None: open(path)``
        only for callers that pass it: its calls carry that guard."""
        if not _fills_what_it_tests(node, self.state_local):
            guard = None if self.guard is not None else (
                _fills_parameter(node, self.optional) or _given_parameter(node.test, self.never_assigned))
            if guard is None:
                self.generic_visit(node)
                return
            self.visit(node.test)
            self.guard = guard
            self.visit_body(node.body)
            self.guard = None
            self.visit_body(node.orelse)
            return
        self.visit(node.test)
        self.memoised += 1
        self.visit_body(node.body)
        self.memoised -= 1
        self.visit_body(node.orelse)


def _mentions(node: ast.expr, names: set[str]) -> bool:
    """The expression uses ``__file__`` or one of ``names`` (``x``, ``self.x``, ``cls.x``)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and (inner.id == "__file__" or inner.id in names):
            return True
        if (isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name)
                and f"{inner.value.id}.{inner.attr}" in names):
            return True
    return False


def _reads_resource(node: ast.Call, resources: set[str]) -> bool:
    """The call's first argument or its receiver is a path built from ``__file__``: a file the
    package ships (a prompt, a template, its own directory), not the user's data."""
    first = node.args[0] if node.args else None
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    return any(part is not None and _mentions(part, resources) for part in (first, receiver))


def _dict_keys(node: ast.Dict) -> list[str]:
    return [key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)]


def _passed(node: ast.Call, dicts: dict[str, list[str]]) -> list[list[Any]]:
    """The arguments a call passes (a literal ``None`` or empty value passes nothing): ``[position or keyword,
    constant keys of a dict literal or None]``; ``["*", None]`` for ``*args``/``**kwargs``."""
    found: list[list[Any]] = []
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    starred: list[tuple[Any, ast.expr]] = [("*", a) for a in node.args if isinstance(a, ast.Starred)]
    for slot, value in [*enumerate(positional), *starred, *((k.arg or "*", k.value) for k in node.keywords)]:
        if (isinstance(value, ast.Constant) and not value.value) or (
                isinstance(value, (ast.List, ast.Tuple, ast.Set)) and not value.elts) or (
                isinstance(value, ast.Dict) and not value.keys):
            continue  # ``None`` or an empty value: ``if not options:`` fills it all the same
        keys = _dict_keys(value) if isinstance(value, ast.Dict) else (
            dicts.get(value.id) if isinstance(value, ast.Name) else None)
        found.append([slot, keys])
    return found


def _fills_parameter(node: ast.If, optional: dict[str, int]) -> list[Any] | None:
    """``if p is None: p = ...`` / ``if not p: p = ...`` (guard ``[p, None]``) and ``if
    p.get("k") is None: p["k"] = ...`` / ``if "k" not in p: p["k"] = ...`` (guard ``[p, "k"]``)
    for a parameter ``p`` defaulting to ``None``: the default fill of what a caller may pass."""
    test = node.test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        subject = test.operand
    elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq))
          and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
        subject = test.left
    elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn)
          and isinstance(test.left, ast.Constant) and isinstance(test.left.value, str)):
        subject = ast.Subscript(value=test.comparators[0], slice=test.left)
    else:
        return None
    if (isinstance(subject, ast.Call) and isinstance(subject.func, ast.Attribute) and subject.func.attr == "get"
            and subject.args and not subject.keywords):
        subject = ast.Subscript(value=subject.func.value, slice=subject.args[0])
    if isinstance(subject, ast.Name) and subject.id in optional:
        guard: list[Any] = [subject.id, None, "omitted"]
    elif (isinstance(subject, ast.Subscript) and isinstance(subject.value, ast.Name) and subject.value.id in optional
          and isinstance(subject.slice, ast.Constant) and isinstance(subject.slice.value, str)):
        guard = [subject.value.id, subject.slice.value, "omitted"]
    else:
        return None
    for statement in node.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        for target in targets:
            if guard[1] is None and isinstance(target, ast.Name) and target.id == guard[0]:
                return guard
            if (guard[1] is not None and isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                    and target.value.id == guard[0] and isinstance(target.slice, ast.Constant)
                    and target.slice.value == guard[1]):
                return guard
    return None


def _given_parameter(test: ast.expr, parameters: set[str]) -> list[Any] | None:
    """``if path:`` / ``if path is not None:`` (or ``and`` with one of them) on an optional
    parameter the body never re-binds: the branch runs only when the caller passed it."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for operand in test.values:
            found = _given_parameter(operand, parameters)
            if found is not None:
                return found
        return None
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.IsNot, ast.NotEq))
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
        test = test.left
    if isinstance(test, ast.Name) and test.id in parameters:
        return [test.id, None, "given"]
    return None


def _returns_when_made(statement: ast.stmt, rest: list[ast.stmt], local: dict[str, Value]) -> bool:
    """``if X is not None: return X`` / ``if X: return X`` / ``if key in X: return X[key]`` for a
    slot that outlives the call (:func:`_shared_slot`), and the statements after it assign X."""
    if not (isinstance(statement, ast.If) and not statement.orelse and isinstance(statement.body[-1], ast.Return)):
        return False
    test = statement.test
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot)
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
        made, keyed = test.left, False
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        made, keyed = test.comparators[0], True
    elif isinstance(test, (ast.Name, ast.Attribute)):
        made, keyed = test, False
    else:
        return False
    if not isinstance(made, (ast.Name, ast.Attribute)) or not _shared_slot(made, local):
        return False
    wanted = ast.unparse(made)
    return _always_assigns(rest, wanted, keyed) and (keyed or not _resets(rest, wanted))


def _resets(statements: list[ast.stmt], wanted: str) -> bool:
    """Some statement sets ``wanted`` back to ``None``/``False``/``0`` (a re-entrancy flag:
    ``if self.busy: return``, ``self.busy = True``, work, ``self.busy = False``): the work runs
    on every call that finds it clear, not once."""
    for statement in ast.walk(ast.Module(body=statements, type_ignores=[])):
        if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and not statement.value.value
                and any(ast.unparse(target) == wanted for target in statement.targets)):
            return True
    return False


def _always_assigns(statements: list[ast.stmt], wanted: str, keyed: bool) -> bool:
    """A statement run whenever ``statements`` run (not under an ``if`` or a loop; inside a
    ``with`` or a ``try`` body) assigns ``wanted`` (or, ``keyed``, one of its items): a flag set
    only in some cases (``if at_capacity: _full = True``) does not make the rest run once."""
    for statement in statements:
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        for target in targets:
            filled = target.value if keyed and isinstance(target, ast.Subscript) else target
            if ast.unparse(filled) == wanted:
                return True
        if isinstance(statement, (ast.With, ast.AsyncWith, ast.Try)) and _always_assigns(statement.body, wanted, keyed):
            return True
    return False


def _fills_what_it_tests(node: ast.If, local: dict[str, Value]) -> bool:
    """The test finds a cache entry or a lazily made value missing (``key not in X``, ``X is
    None``, ``not X``) in a slot that outlives the call (:func:`_shared_slot`) and the body
    assigns it (``X[...] = ...``, ``X = ...``)."""
    test = node.test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        missing, keyed = test.operand, False
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn):
        missing, keyed = test.comparators[0], True
    elif (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is)
          and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
        missing, keyed = test.left, False
    else:
        return False
    if not isinstance(missing, (ast.Name, ast.Attribute)):
        return False
    # ``value = self._cache.get(key)`` then ``if value is None: value = self._cache[key] = load()``
    looked_up = not keyed and isinstance(missing, ast.Name) and missing.id in local
    if not looked_up and not _shared_slot(missing, local):
        return False
    wanted = ast.unparse(missing)
    for statement in ast.walk(ast.Module(body=node.body, type_ignores=[])):
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else [])
        for target in targets:
            if looked_up:
                if isinstance(target, ast.Subscript) and _shared_slot(target.value, local):
                    return True
                continue
            filled = target.value if keyed and isinstance(target, ast.Subscript) else target
            if ast.unparse(filled) == wanted:
                return True
    return False


def _shared_slot(expr: ast.expr, local: dict[str, Value]) -> bool:
    """``self._x`` / ``cls._x`` or a module-level name: state that outlives one call (a cache, a
    lazily made client). A parameter's attribute (``order.total is None``) is the caller's
    data being completed, which happens on every call that passes such a value."""
    if isinstance(expr, ast.Name):
        return expr.id not in local
    return isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls")


def _nonblocking_arguments(node: ast.Call) -> bool:
    """Arguments under which a conditional catalogue row does not block: a literal ``False``/``0``
    (``acquire(False)``, ``get(block=False)``, ``wait(timeout=0)``), ``delay=True`` (a log file
    handler opens its file later) or a first argument ``"UTC"`` (``pytz.timezone``: built in)."""
    if any(isinstance(a, ast.Constant) and a.value in (False, 0) and a.value is not None
           for a in [*node.args, *(k.value for k in node.keywords)]):
        return True
    if any(k.arg == "delay" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
           for k in node.keywords):
        return True
    first = node.args[0] if node.args else None
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.upper() == "UTC"


class _SelfAttributes(_Body):
    """``self.x = value`` / ``self.x: T = value`` in a method -> the class attribute ``x``."""

    def __init__(self, owner: _Module, local: dict[str, Value], self_name: str, attrs: dict[str, Value]):
        self.owner, self.local, self.self_name, self.attrs = owner, local, self_name, attrs

    generic_visit = _Body.generic_visit_statements  # ``self.x = ...`` is a statement

    def _is_self_attr(self, target: ast.expr) -> bool:
        return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == self.self_name

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and self._is_self_attr(node.targets[0]):
            name = node.targets[0].attr  # type: ignore[attr-defined]
            value = self.owner._value(node.value, self.local)
            if value == ["self"]:
                value = UNKNOWN
            known = self.attrs.get(name)
            if known is None or known == UNKNOWN:
                self.attrs[name] = value
            elif known != value and known[0] != "t":
                self.attrs[name] = UNKNOWN  # assigned two different ways: unknown, not a guess
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if self._is_self_attr(node.target):
            self.attrs[node.target.attr] = self.owner._annotation(node.annotation)  # type: ignore[attr-defined]
        self.generic_visit(node)
