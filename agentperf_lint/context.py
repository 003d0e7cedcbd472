"""Per-file facts shared by every rule: scopes, import resolution, async context, loops.

Computed once per file during the engine's single traversal, so no rule keeps flags of its own
(Fixit's ``UseAsyncSleepInAsyncDef`` clears one "inside async def" flag when a nested sync ``def``
ends, and misses everything after it; a stack of frames cannot make that mistake).

Name resolution is deliberately cheaper than libcst's ``ScopeProvider`` (which costs several
parses): when a scope is entered, its *statements* are scanned (not its expressions) for the
names it binds: imports, ``def``/``class``, assignment and loop targets, ``with ... as``,
``except ... as``, parameters. That is enough to resolve ``from time import sleep as nap`` to
``time.sleep`` and to see that a local ``def sleep`` or a parameter named ``requests`` shadows
the library, in any order inside the scope, as Python itself does.

Values get a *type* when it is cheap and certain: the qualified name of the callable that made
them (``s = requests.Session()`` -> ``requests.Session``; ``with open(p) as f`` ->
``builtins.open``) or of their annotation (``path: Path`` -> ``pathlib.Path``), including
attributes assigned to ``self`` anywhere in the class and functions annotated ``-> Path``.
"""

from __future__ import annotations

import builtins
import sys
import threading
from contextlib import contextmanager
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import libcst as cst

from . import positions
from .modules import module_name_for
from .project import queries
from .project.model import Effect

_T = TypeVar("_T")
FrameKind = Literal["module", "function", "lambda", "class", "comprehension"]
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_BUILTIN_NAMES = frozenset(dir(builtins))
# types whose derived values keep the type: ``Path(x) / "a"``, ``p.parent``, ``p.with_suffix()``
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "anyio.Path"})
_PATH_PRESERVING = frozenset(
    {"parent", "with_suffix", "with_name", "with_stem", "joinpath", "resolve", "absolute",
     "expanduser", "relative_to", "__truediv__"}
)


@dataclass(eq=False)
class Binding:
    """What a name means in one scope."""

    kind: Literal["import", "def", "class", "assign", "param", "loop", "with", "except", "global"]
    qualname: str | None = None  # imports: the imported dotted name; module-level def/class too
    values: list[cst.BaseExpression] = field(default_factory=list)  # assigned expressions
    annotation: cst.BaseExpression | None = None
    node: cst.CSTNode | None = None  # the FunctionDef/ClassDef for definitions
    scope: Scope | None = None  # where ``values``/``annotation`` must be resolved


@dataclass(eq=False)
class ClassInfo:
    """Attributes a class assigns to ``self`` and the annotated returns of its methods."""

    name: str
    attributes: dict[str, Binding] = field(default_factory=dict)
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)


@dataclass(eq=False)
class Scope:
    kind: FrameKind
    parent: Scope | None
    bindings: dict[str, Binding] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: Binding) -> None:
        if name in self.declared_global:
            return
        existing = self.bindings.get(name)
        if existing is not None and existing.kind == "assign" and binding.kind == "assign":
            existing.values.extend(binding.values)
            return
        if existing is not None and existing.kind != binding.kind:
            # bound two different ways (imported and re-assigned, say): the name is ambiguous
            self.bindings[name] = Binding("assign", scope=self)
            return
        self.bindings[name] = binding


@dataclass(eq=False)
class Frame:
    """One level of the function/class/lambda/comprehension stack."""

    node: cst.CSTNode
    kind: FrameKind
    is_async: bool
    scope: Scope
    loops: list[cst.CSTNode]  # enclosing loops whose body runs once per item, innermost last
    class_info: ClassInfo | None = None  # for methods: the class they belong to
    self_name: str | None = None  # the first parameter of a method


class FileContext:
    """Everything rules ask about the position of the node being visited."""

    def __init__(
        self, path: str, source: str, module: cst.Module, module_name: str | None = None,
        async_top_level: Sequence[tuple[int, int]] = (),
    ):
        """``async_top_level``: inclusive line ranges whose top-level statements run on an
        event loop (a notebook cell using top-level ``await``): they count as async code."""
        self.path = path
        self.source = source
        self.module = module
        self.module_name = module_name if module_name is not None else module_name_for(path)
        self.ancestors: list[cst.CSTNode] = []
        self.statements: list[cst.CSTNode] = []
        self.frames: list[Frame] = []
        self._marks: dict[int, Frame | cst.CSTNode | _EvaluatedOnce | _AsyncTopLevel] = {}  # node id -> what starts there
        self._leave_actions: dict[int, list[int]] = {}  # node id -> what ends there
        self._functions: list[Frame] = []  # the non-comprehension frames of ``frames``
        self._resume: dict[int, cst.CSTNode] = {}  # node id -> loop to re-enter after it
        self._positions: Mapping[cst.CSTNode, object] | None = None
        # statement id -> the statements ``position`` may generate the code of, innermost
        # first, each with the indentation of the blocks around it
        self._places: dict[int, tuple[tuple[cst.CSTNode, tuple[str, ...]], ...]] = {}
        self._outermost_def: tuple[cst.CSTNode, tuple[str, ...]] | None = None
        self._indents: tuple[str, ...] = ()  # of the indented blocks around the node being walked
        self._statement_positions: dict[int, positions.Positions | None] = {}  # by statement id
        self.call_ordinal = 0  # how many Call nodes the walk has entered so far
        self._call_targets: dict[int, tuple[Frame, str | None]] = {}  # see ``_per_call``
        self._project_callees: dict[int, tuple[Frame, str | None]] = {}
        self._file_answers: dict[str, Any] = {}  # see ``file_answer``
        module_scope = Scope("module", None)
        self._push_frame(Frame(module, "module", False, module_scope, []))
        _scan_block(module.body, module_scope, self.module_name, self)
        if async_top_level:
            for statement in _statements_in(module, async_top_level):
                self._marks[id(statement)] = _ASYNC_TOP_LEVEL
        self.async_library = self._detect_async_library()

    # -- what rules ask -----------------------------------------------------------------
    @property
    def frame(self) -> Frame:
        """The innermost frame (module, function, lambda, class or comprehension)."""
        return self.frames[-1]

    @property
    def function(self) -> Frame:
        """The innermost frame that is not a comprehension."""
        return self._functions[-1]

    @property
    def in_async(self) -> bool:
        """True when code here runs on the event loop: directly inside an ``async def`` body (or
        at the top level of a statement in an ``async_top_level`` range).

        A nested sync ``def``, a ``lambda`` or a class body ends the async context.
        """
        function = self.function
        return function.is_async and function.kind in ("function", "module")

    @property
    def loops(self) -> Sequence[cst.CSTNode]:
        """Loops (``For``, ``While``, comprehensions) around this point in the current function
        whose bodies run once per iteration; the iterable of a ``for`` (and the first iterable
        of a comprehension) is evaluated once, outside its loop."""
        return self.function.loops

    @property
    def statement(self) -> cst.CSTNode | None:
        return self.statements[-1] if self.statements else None

    @property
    def parent(self) -> cst.CSTNode | None:
        return self.ancestors[-2] if len(self.ancestors) >= 2 else None

    def lookup(self, name: str) -> Binding | None:
        """The binding ``name`` refers to here, following Python's scoping rules."""
        frames = self.frames
        innermost = frames[-1]
        for frame in reversed(frames):
            if frame.kind == "class" and frame is not innermost:
                continue  # class bodies are not visible from the methods inside them
            binding = frame.scope.bindings.get(name)
            if binding is not None:
                if binding.kind == "global":
                    return frames[0].scope.bindings.get(name)
                return binding
        return None

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        """The dotted name an expression refers to through imports, or None.

        ``t.sleep`` -> ``time.sleep`` after ``import time as t``; ``open`` -> ``builtins.open``
        unless shadowed; a local variable -> None (see :meth:`value_type` for what it holds).
        """
        if isinstance(expr, cst.Name):
            binding = self.lookup(expr.value)
            if binding is None:
                return f"builtins.{expr.value}" if expr.value in _BUILTIN_NAMES else None
            if binding.kind in ("import", "def", "class"):
                return binding.qualname
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualified_name(expr.value)
            return None if base is None else f"{base}.{expr.attr.value}"
        return None

    def call_target(self, call: cst.Call) -> str | None:
        """What a call calls, as a dotted name: a function (``requests.get``), or a method on
        a value of known type (``requests.Session.get`` for ``s.get(...)`` where
        ``s = requests.Session()``)."""
        return self._per_call(self._call_targets, call, lambda: self.resolve(call.func))

    def resolve(self, expr: cst.BaseExpression) -> str | None:
        """Qualified name of ``expr`` itself, or ``<type>.<attr...>`` for attributes of typed
        values."""
        qualname = self.qualified_name(expr)
        if qualname is not None:
            return qualname
        if isinstance(expr, cst.Attribute):
            owner = self.value_type(expr.value)
            return None if owner is None else f"{owner}.{expr.attr.value}"
        return None

    def value_type(self, expr: cst.BaseExpression, _depth: int = 0) -> str | None:
        """The qualified name of the callable or class that produced ``expr``'s value."""
        if _depth > 8:
            return None
        if isinstance(expr, cst.Name):
            binding = self.lookup(expr.value)
            if binding is None:
                return None
            if binding.kind == "param" and self._is_self(expr.value):
                return None
            return self._binding_type(binding, _depth)
        if isinstance(expr, cst.Call):
            target = self.call_target(expr) if _depth == 0 else self._target_at(expr, _depth)
            if target is None:
                return None
            derived = self._derived_type(expr.func, _depth)
            return derived or self._returns_of(target, expr.func, _depth) or queries.return_type(self, target) or target
        if isinstance(expr, cst.Attribute):
            if isinstance(expr.value, cst.Name) and self._is_self(expr.value.value):
                info = self.function.class_info
                attr = info.attributes.get(expr.attr.value) if info else None
                found = self._binding_type(attr, _depth) if attr else None
                return found or queries.self_attribute_type(self, expr.attr.value)
            owner = self.value_type(expr.value, _depth + 1)
            if owner in _PATH_TYPES and expr.attr.value in _PATH_PRESERVING:
                return owner
            return queries.attribute_type(self, owner, expr.attr.value)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            left = self.value_type(expr.left, _depth + 1)
            return left if left in _PATH_TYPES else None
        if isinstance(expr, cst.Await):
            return None
        return None

    def type_of(self, expr: cst.BaseExpression) -> str | None:
        """The qualified type of ``expr``'s value (project or third-party): this file's facts
        first, then the project model (annotations, attributes and returns in other modules)."""
        return self.value_type(expr)

    def effect_of(self, call: cst.Call) -> Effect | None:
        """What the project function ``call`` runs does (blocking, round trips, in-process), or
        None when it calls no project function. See docs/project-model.md."""
        return queries.effect_of(self, call)

    def project_callee(self, call: cst.Call) -> str | None:
        """The qualified project function ``call`` runs, or None."""
        return self._per_call(self._project_callees, call, lambda: queries.project_callee(self, call))

    def file_answer(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()``'s answer, computed once per file and shared by the rules that ask
        (``key`` names the question: "is this module a run-once script?")."""
        if key not in self._file_answers:
            self._file_answers[key] = compute()
        return self._file_answers[key]  # type: ignore[no-any-return]

    def _per_call(self, answers: dict[int, tuple[Frame, Any]], call: cst.Call, compute: Callable[[], _T]) -> _T:
        """``compute()``'s answer for ``call``, computed once per frame: several rules ask the
        same question about the same call, and the answer depends only on the scopes around
        it (which the innermost frame decides)."""
        frame = self.frames[-1]
        known = answers.get(id(call))
        if known is not None and known[0] is frame:
            return known[1]
        answer = compute()
        answers[id(call)] = (frame, answer)
        return answer

    def annotation_type(self, annotation: cst.BaseExpression | None, scope: Scope | None = None) -> str | None:
        """``Path`` / ``Optional[Path]`` / ``Path | None`` / ``"Path"`` -> ``pathlib.Path``."""
        if annotation is None:
            return None
        if isinstance(annotation, cst.Annotation):
            annotation = annotation.annotation
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            for side in (annotation.left, annotation.right):
                if not (isinstance(side, cst.Name) and side.value == "None"):
                    return self.annotation_type(side, scope)
            return None
        if isinstance(annotation, cst.Subscript):
            outer = self.qualified_name(annotation.value)
            if outer in ("typing.Optional", "typing.Annotated") and annotation.slice:
                first = annotation.slice[0].slice
                if isinstance(first, cst.Index):
                    return self.annotation_type(first.value, scope)
            return None
        if isinstance(annotation, cst.SimpleString):
            try:
                inner = cst.parse_expression(annotation.evaluated_value)  # type: ignore[arg-type]
            except (cst.ParserSyntaxError, TypeError, ValueError):
                return None
            return self.annotation_type(inner, scope)
        return self._qualified_in(annotation, scope)

    def position(self, node: cst.CSTNode, within: cst.CSTNode | None = None) -> object:
        """The node's ``CodeRange`` (computed on first use, for files with findings only).

        ``within``, a statement the walk entered that holds ``node``, lets the ranges come from
        the code of that statement alone (or of the outermost function around it, or of its
        top-level statement, when the statement's code occurs twice) rather than of the whole
        module."""
        places = self._places.get(id(within)) if self._positions is None and within is not None else None
        if places is not None:
            for statement, around in places:
                part = self._statement_positions.get(id(statement), False)
                if part is False:
                    try:
                        part = positions.compute_statement(self.module, statement, self.source, around)
                    except RecursionError:
                        part = None
                    self._statement_positions[id(statement)] = part
                if part is not None and node in part:
                    return part[node]
        if self._positions is None:
            try:
                self._positions = compute_positions(self.module)
            except RecursionError:  # libcst's code generator recurses once per nesting level
                self._positions = _with_deep_stack(compute_positions, self.module)
        return self._positions[node]

    def iter_frames(self) -> Iterator[Frame]:
        return reversed(self.frames)

    # -- engine side: called by the walker on every node --------------------------------
    # Work to undo on the way out is registered by node id when it starts (``_leave_actions``),
    # so leaving the great majority of nodes costs one dictionary look-up.
    def enter(self, node: cst.CSTNode) -> None:
        self.ancestors.append(node)
        mark = self._marks.pop(id(node), None)
        if mark is not None:
            if isinstance(mark, Frame):
                self._push_frame(mark)
                self._on_leave(node, _POP_FRAME)
            elif mark is _ASYNC_TOP_LEVEL:  # the module frame is async while this statement runs
                self.frames[0].is_async = True
                self._on_leave(node, _END_ASYNC_TOP_LEVEL)
            elif isinstance(mark, _EvaluatedOnce):  # a comprehension's first iterable
                loops = self._functions[-1].loops
                if loops and loops[-1] is mark.loop:
                    loops.pop()
                    self._resume[id(node)] = mark.loop
                    self._on_leave(node, _RESUME_LOOP)
            else:  # a loop body begins: the loop's iterations start here
                self._functions[-1].loops.append(mark)
                self._on_leave(node, _POP_LOOP)
        handler = _ENTER.get(type(node))
        if handler is not None:
            handler(self, node)

    def leave(self, node: cst.CSTNode) -> None:
        self.ancestors.pop()
        actions = self._leave_actions.pop(id(node), None)
        if actions is None:
            return
        for action in reversed(actions):
            if action == _POP_STATEMENT:
                self.statements.pop()
            elif action == _POP_FRAME:
                frame = self.frames.pop()
                if frame.kind != "comprehension":
                    self._functions.pop()
            elif action == _RESUME_LOOP:
                self._functions[-1].loops.append(self._resume.pop(id(node)))
            elif action == _END_ASYNC_TOP_LEVEL:
                self.frames[0].is_async = False
            elif action == _END_OUTERMOST_DEF:
                self._outermost_def = None
            elif action == _POP_INDENT:
                self._indents = self._indents[:-1]
            else:
                self._functions[-1].loops.pop()

    # -- internals ----------------------------------------------------------------------
    def _push_frame(self, frame: Frame) -> None:
        self.frames.append(frame)
        if frame.kind != "comprehension":
            self._functions.append(frame)

    def _on_leave(self, node: cst.CSTNode, action: int) -> None:
        self._leave_actions.setdefault(id(node), []).append(action)

    def _enter_call(self, node: cst.Call) -> None:
        self.call_ordinal += 1

    def _enter_statement(self, node: cst.CSTNode) -> None:
        self.statements.append(node)
        parent = self.ancestors[-2]
        if type(node) is cst.If and type(parent) is cst.If:  # an ``elif``: its code reads ``if`` alone
            self._places[id(node)] = self._places[id(parent)]
        else:
            here = (node, self._indents)
            if self._outermost_def is None and type(node) is cst.FunctionDef:
                self._outermost_def = here
                self._on_leave(node, _END_OUTERMOST_DEF)
            self._places[id(node)] = (here, self._outermost_def or here, (self.ancestors[1], ()))
        self._on_leave(node, _POP_STATEMENT)

    def _enter_indented_block(self, node: cst.IndentedBlock) -> None:
        self._indents += (self.module.default_indent if node.indent is None else node.indent,)
        self._on_leave(node, _POP_INDENT)

    def _enter_function(self, node: cst.FunctionDef) -> None:
        self._enter_statement(node)
        parent = self.frames[-1]
        scope = Scope("function", parent.scope)
        class_info = parent.class_info if parent.kind == "class" else None
        self_name = None
        if class_info is not None and not _is_staticmethod(node):
            params = [*node.params.posonly_params, *node.params.params]
            self_name = params[0].name.value if params else None
        _bind_params(node.params, scope)
        _scan_block(_block_body(node.body), scope, None, self)
        frame = Frame(node, "function", node.asynchronous is not None, scope, [], class_info, self_name)
        self._marks[id(node.body)] = frame  # decorators, defaults and annotations run outside

    def _enter_lambda(self, node: cst.Lambda) -> None:
        scope = Scope("lambda", self.frames[-1].scope)
        _bind_params(node.params, scope)
        self._marks[id(node.body)] = Frame(node, "lambda", False, scope, [])

    def _enter_class(self, node: cst.ClassDef) -> None:
        self._enter_statement(node)
        scope = Scope("class", self.frames[-1].scope)
        info = ClassInfo(node.name.value)
        body = _block_body(node.body)
        _scan_block(body, scope, None, self)
        _scan_class_attributes(body, info, scope)
        self._marks[id(node.body)] = Frame(node, "class", False, scope, [], info)

    def _enter_comprehension(self, node: cst.CSTNode) -> None:
        scope = Scope("comprehension", self.frames[-1].scope)
        for_in = node.for_in  # type: ignore[attr-defined]
        while for_in is not None:
            for name in target_names(for_in.target):
                # as for ``for`` statements: a plain target remembers its iterable (``list[X]`` types it)
                values = [for_in.iter] if isinstance(for_in.target, cst.Name) else []
                scope.bind(name, Binding("loop", values=values, scope=scope))
            for_in = for_in.inner_for_in
        self._push_frame(Frame(node, "comprehension", False, scope, self.function.loops))
        self.function.loops.append(node)
        self._on_leave(node, _POP_LOOP)
        self._on_leave(node, _POP_FRAME)
        # the first iterable is evaluated once, before the first item: it is outside the loop
        self._marks[id(node.for_in.iter)] = _EvaluatedOnce(node)  # type: ignore[attr-defined]

    def _enter_for(self, node: cst.For) -> None:
        self._enter_statement(node)
        self._marks[id(node.body)] = node

    def _enter_while(self, node: cst.While) -> None:
        self._enter_statement(node)
        self.function.loops.append(node)  # the test runs once per iteration too
        self._on_leave(node, _POP_LOOP)

    def _is_self(self, name: str) -> bool:
        frame = self.function
        return frame.self_name is not None and frame.self_name == name

    def _binding_type(self, binding: Binding, depth: int) -> str | None:
        if binding.kind == "loop":
            types = {queries.element_type(self, value) for value in binding.values}
            return types.pop() if len(types) == 1 else None
        if binding.kind in ("param", "assign", "with") and binding.annotation is not None:
            found = self.annotation_type(binding.annotation, binding.scope)
            if found:
                return found
        if binding.kind in ("assign", "with", "param") and binding.values:
            # ``self.db = None`` beside ``self.db = connect()``: an Optional, not a second type
            values = [value for value in binding.values if not _is_none(value)] or binding.values
            types = {self._type_in(value, binding.scope, depth + 1) for value in values}
            if len(types) == 1:
                return types.pop()
        return None

    def _type_in(self, expr: cst.BaseExpression, scope: Scope | None, depth: int) -> str | None:
        """Type of an expression written in another scope (a class attribute set in
        ``__init__``): names resolve in that scope, then outward."""
        if scope is None or scope is self.frames[-1].scope:
            return self.value_type(expr, depth)
        with self._standing_in(scope):
            return self.value_type(expr, depth)

    def _qualified_in(self, expr: cst.BaseExpression, scope: Scope | None) -> str | None:
        if scope is None:
            return self.qualified_name(expr)
        with self._standing_in(scope):
            return self.qualified_name(expr)

    @contextmanager
    def _standing_in(self, scope: Scope) -> Iterator[None]:
        """Resolve names as if the walk stood in ``scope`` (for code written elsewhere)."""
        chain: list[Frame] = []
        current: Scope | None = scope
        while current is not None:
            chain.append(Frame(self.module, current.kind, False, current, []))
            current = current.parent
        saved = self.frames, self._functions
        self.frames = list(reversed(chain))
        self._functions = [frame for frame in self.frames if frame.kind != "comprehension"]
        try:
            yield
        finally:
            self.frames, self._functions = saved

    def _target_at(self, call: cst.Call, depth: int) -> str | None:
        qualname = self.qualified_name(call.func)
        if qualname is not None:
            return qualname
        if isinstance(call.func, cst.Attribute):
            owner = self.value_type(call.func.value, depth + 1)
            return None if owner is None else f"{owner}.{call.func.attr.value}"
        return None

    def _derived_type(self, func: cst.BaseExpression, depth: int) -> str | None:
        if isinstance(func, cst.Attribute) and func.attr.value in _PATH_PRESERVING:
            owner = self.value_type(func.value, depth + 1)
            if owner in _PATH_TYPES:
                return owner
        return None

    def _returns_of(self, target: str, func: cst.BaseExpression, depth: int) -> str | None:
        """The annotated return type of a function or method defined in this file."""
        definition: cst.FunctionDef | None = None
        if isinstance(func, cst.Name):
            binding = self.lookup(func.value)
            if binding is not None and binding.kind == "def" and isinstance(binding.node, cst.FunctionDef):
                definition = binding.node
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and self._is_self(func.value.value):
            info = self.function.class_info
            definition = info.methods.get(func.attr.value) if info else None
        if definition is None or definition.returns is None:
            return None
        return self.annotation_type(definition.returns, self.frames[0].scope)

    def _detect_async_library(self) -> str:
        bindings = self.frames[0].scope.bindings
        qualnames = {b.qualname.split(".")[0] for b in bindings.values() if b.qualname}
        for library in ("trio", "anyio"):
            if library in qualnames and "asyncio" not in qualnames:
                return library
        return "asyncio"


def compute_positions(module: cst.Module) -> Mapping[cst.CSTNode, object]:
    """Every node's ``CodeRange``, from one code-generation pass (``positions.compute``, which
    relies on libcst internals: any mismatch falls back to the public API)."""
    try:
        return positions.compute(module)
    except (ImportError, TypeError, AttributeError):
        from libcst.metadata import MetadataWrapper, PositionProvider

        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        return dict(wrapper.resolve(PositionProvider))


_POP_STATEMENT, _POP_FRAME, _POP_LOOP, _RESUME_LOOP, _END_ASYNC_TOP_LEVEL, _END_OUTERMOST_DEF, _POP_INDENT = range(1, 8)


class _AsyncTopLevel:
    """Marks a top-level statement that runs on an event loop (see ``async_top_level``)."""


_ASYNC_TOP_LEVEL = _AsyncTopLevel()


def _statements_in(module: cst.Module, ranges: Sequence[tuple[int, int]]) -> Iterator[cst.CSTNode]:
    """Top-level statements whose first line lies in one of ``ranges``, found by counting the
    lines each statement generates (one code generation: only files with ranges pay for it)."""
    line = 1 + len(module.header)
    for statement in module.body:
        start = line + len(statement.leading_lines)
        if any(first <= start <= last for first, last in ranges):
            yield statement
        line += module.code_for_node(statement).count("\n")


@dataclass(frozen=True, eq=False)
class _EvaluatedOnce:
    """Marks a comprehension's first iterable: code there runs before the loop starts."""

    loop: cst.CSTNode


def _with_deep_stack(function: Callable[[cst.Module], _T], module: cst.Module) -> _T:
    """Run ``function`` in a thread with a large stack and recursion limit, for the rare file
    nested deeper than the default limit allows (still valid Python: CPython nests to 200)."""
    outcome: list[Any] = []

    def target() -> None:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 60_000))
        try:
            outcome.append(function(module))
        except BaseException as error:  # re-raised in the caller's thread
            outcome.append(error)
        finally:
            sys.setrecursionlimit(limit)

    previous = threading.stack_size(512 * 1024 * 1024)
    try:
        worker = threading.Thread(target=target, name="agentperf-lint-deep-stack")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


_ENTER = {
    cst.Call: FileContext._enter_call,
    cst.IndentedBlock: FileContext._enter_indented_block,
    cst.SimpleStatementLine: FileContext._enter_statement,
    cst.If: FileContext._enter_statement,
    cst.With: FileContext._enter_statement,
    cst.Try: FileContext._enter_statement,
    cst.TryStar: FileContext._enter_statement,
    cst.Match: FileContext._enter_statement,
    cst.FunctionDef: FileContext._enter_function,
    cst.ClassDef: FileContext._enter_class,
    cst.Lambda: FileContext._enter_lambda,
    cst.For: FileContext._enter_for,
    cst.While: FileContext._enter_while,
    **{comp: FileContext._enter_comprehension for comp in COMPREHENSIONS},
}


# -- statement scanning: what a scope binds ---------------------------------------------
def _block_body(body: cst.BaseSuite) -> Sequence[cst.BaseStatement | cst.BaseSmallStatement]:
    return body.body


def _bind_params(params: cst.Parameters, scope: Scope) -> None:
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for param in every:
        scope.bind(
            param.name.value,
            Binding("param", annotation=param.annotation.annotation if param.annotation else None,
                    values=[param.default] if param.default is not None else [], scope=scope.parent),
        )
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            scope.bind(star.name.value, Binding("param", scope=scope))


def target_names(target: cst.BaseExpression) -> Iterator[str]:
    """Names an assignment or loop target binds: ``a``, ``(a, [b, *c])``."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def _dotted(expr: cst.BaseExpression | None) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""


def _resolve_relative(module_name: str, level: int, target: str, is_package: bool) -> str:
    parts = module_name.split(".") if module_name else []
    keep = len(parts) - level + (1 if is_package else 0)
    base = parts[: max(keep, 0)]
    return ".".join([*base, target] if target else base)


def _scan_block(body: Sequence[cst.CSTNode], scope: Scope, module_name: str | None, ctx: FileContext) -> None:
    """Bind every name the statements of one scope bind (not descending into nested scopes)."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                _scan_small(small, scope, module_name, ctx)
        elif isinstance(statement, cst.FunctionDef):
            qualname = f"{module_name}.{statement.name.value}" if module_name is not None else None
            scope.bind(statement.name.value, Binding("def", qualname=qualname, node=statement, scope=scope))
        elif isinstance(statement, cst.ClassDef):
            qualname = f"{module_name}.{statement.name.value}" if module_name is not None else None
            scope.bind(statement.name.value, Binding("class", qualname=qualname, node=statement, scope=scope))
        elif isinstance(statement, (cst.For, cst.While, cst.If, cst.With, cst.Try, cst.TryStar)):
            if isinstance(statement, cst.For):
                for name in target_names(statement.target):
                    # a plain ``for x in items`` remembers its iterable: ``items: list[X]`` types x
                    iterable = statement.iter if isinstance(statement.target, cst.Name) else cst.Name("None")
                    existing = scope.bindings.get(name)
                    if existing is not None and existing.kind == "loop":
                        existing.values.append(iterable)  # several loops: typed only if they agree
                    else:
                        scope.bind(name, Binding("loop", values=[iterable], scope=scope))
            if isinstance(statement, cst.With):
                for item in statement.items:
                    if item.asname is not None and isinstance(item.asname.name, cst.Name):
                        scope.bind(item.asname.name.value, Binding("with", values=[item.item], scope=scope))
                    elif item.asname is not None:
                        for name in target_names(item.asname.name):  # type: ignore[arg-type]
                            scope.bind(name, Binding("assign", scope=scope))
            for block in _child_blocks(statement):
                _scan_block(block, scope, module_name, ctx)
        elif isinstance(statement, cst.Match):
            for case in statement.cases:
                _scan_block(_block_body(case.body), scope, module_name, ctx)


def _child_blocks(statement: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    body = getattr(statement, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield body.body
    for handler in getattr(statement, "handlers", ()):
        yield handler.body.body
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        if isinstance(orelse, cst.If):
            yield orelse.body.body
            orelse = orelse.orelse
        else:
            yield orelse.body.body
            orelse = None
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield final.body.body


def _scan_small(small: cst.BaseSmallStatement, scope: Scope, module_name: str | None, ctx: FileContext) -> None:
    if isinstance(small, cst.Import):
        for alias in small.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                scope.bind(alias.asname.name.value, Binding("import", qualname=dotted))
            else:
                top = dotted.split(".")[0]
                scope.bind(top, Binding("import", qualname=top))
    elif isinstance(small, cst.ImportFrom):
        base = _dotted(small.module) if small.module is not None else ""
        if small.relative:
            is_package = Path(ctx.path).stem == "__init__"
            base = _resolve_relative(ctx.module_name, len(small.relative), base, is_package)
        if isinstance(small.names, cst.ImportStar):
            return
        for alias in small.names:
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            scope.bind(local, Binding("import", qualname=f"{base}.{name}" if base else name))
    elif isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                scope.bind(target.target.value, Binding("assign", values=[small.value], scope=scope))
            else:
                for name in target_names(target.target):
                    scope.bind(name, Binding("assign", scope=scope))
    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        values = [small.value] if small.value is not None else []
        scope.bind(small.target.value, Binding("assign", values=values, annotation=small.annotation.annotation, scope=scope))
    elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
        scope.bind(small.target.value, Binding("assign", scope=scope))
    elif isinstance(small, (cst.Global, cst.Nonlocal)):
        for item in small.names:
            scope.declared_global.add(item.name.value)
            if isinstance(small, cst.Global):
                scope.bindings[item.name.value] = Binding("global")
            else:
                scope.bindings.pop(item.name.value, None)


def _is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(_dotted(d.decorator) in ("staticmethod", "classmethod") for d in node.decorators)


def _scan_class_attributes(body: Sequence[cst.CSTNode], info: ClassInfo, class_scope: Scope) -> None:
    """``self.x = ...`` in any method, class-level annotations and method return types."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    info.attributes[small.target.value] = Binding(
                        "assign", annotation=small.annotation.annotation,
                        values=[small.value] if small.value else [], scope=class_scope.parent)
        elif isinstance(statement, cst.FunctionDef):
            name = statement.name.value
            info.methods[name] = statement
            if any(_dotted(d.decorator) in ("property", "functools.cached_property", "cached_property")
                   for d in statement.decorators) and statement.returns is not None:
                info.attributes.setdefault(name, Binding("assign", annotation=statement.returns.annotation,
                                                          scope=class_scope.parent))
            params = [*statement.params.posonly_params, *statement.params.params]
            if not params or _is_staticmethod(statement):
                continue
            self_name = params[0].name.value
            annotated = {p.name.value: p.annotation.annotation for p in params if p.annotation is not None}
            method_scope = Scope("function", class_scope.parent)
            _bind_params(statement.params, method_scope)
            for small in _self_assignments(_block_body(statement.body)):
                target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
                if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                        and target.value.value == self_name):
                    continue
                value = small.value
                annotation = small.annotation.annotation if isinstance(small, cst.AnnAssign) else None
                if isinstance(value, cst.Name) and value.value in annotated and annotation is None:
                    annotation = annotated[value.value]
                binding = Binding("assign", values=[value] if value is not None else [],
                                  annotation=annotation, scope=method_scope)
                previous = info.attributes.get(target.attr.value)
                if previous is not None and previous.annotation is None and binding.annotation is None:
                    previous.values.extend(binding.values)
                elif previous is None or binding.annotation is not None:
                    info.attributes[target.attr.value] = binding


def _self_assignments(body: Sequence[cst.CSTNode]) -> Iterator[cst.Assign | cst.AnnAssign]:
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    yield small
                elif isinstance(small, cst.AnnAssign):
                    yield small
        elif isinstance(statement, (cst.If, cst.With, cst.Try, cst.For, cst.While, cst.TryStar)):
            for block in _child_blocks(statement):
                yield from _self_assignments(block)


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
