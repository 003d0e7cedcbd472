"""The project model: types and effects across the modules of one run.

Built from :mod:`.summary` summaries, which are computed on demand: a module is parsed only
when a query reaches it. Every module a query touches (and every module name it looked for and
did not find) is recorded, so the runner can store a file's dependencies with its cached
findings and reuse them only while those modules are unchanged (:meth:`ProjectModel.recording`).

Unknown stays unknown: a name or attribute the code does not write a type for evaluates to
None, never to a guess from its spelling.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..rules._costs import Cost
from .knowledge import (
    DJANGO_LAZY, DJANGO_QUERYSET, BlockingCall, blocking_call, is_runtime, is_third_party, round_trip_kind,
)
from .summary import summarize

_MAX_DEPTH = 12
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePath"})
_PATH_ALIASES = {"pathlib.Path.cwd": "pathlib.Path", "pathlib.Path.home": "pathlib.Path",
                 "pathlib.PosixPath": "pathlib.Path", "pathlib.WindowsPath": "pathlib.Path"}
_PATH_PRESERVING = frozenset({"parent", "with_suffix", "with_name", "with_stem", "joinpath", "resolve",
                              "absolute", "expanduser", "relative_to"})


# -- what a value is -----------------------------------------------------------------------
@dataclass(frozen=True)
class Obj:
    """A value the model knows. ``kind``: ``module``, ``class`` and ``function`` (the object a
    project name denotes), ``instance`` (of project class ``name``), ``method`` (project
    function ``name`` bound to an instance), ``super`` (``super()`` in class ``name``),
    ``extern`` (a third-party or stdlib name: the call target ``name``, its receiver type
    ``receiver``) and ``extern_instance`` (a value of third-party type ``name``)."""

    kind: str
    name: str
    receiver: str | None = None


@dataclass(frozen=True)
class Blocking:
    call: BlockingCall
    chain: tuple[str, ...]  # project functions from the queried one down, then the call


@dataclass(frozen=True)
class RoundTrip:
    kind: str  # http, llm, db, cache, queue, io
    chain: tuple[str, ...]


@dataclass
class Effect:
    """What running a project function does, directly or through calls it makes."""

    function: str
    is_async: bool
    blocking: Blocking | None = None  # the costliest blocking call on its path
    round_trip: RoundTrip | None = None  # an awaited round trip on its path
    unknown: bool = False  # some call could not be resolved
    # the costliest blocking call outside any branch on an optional parameter, and the costliest
    # under each such branch, by guard ``(parameter, dict key or "", "omitted" | "given")``: the
    # default fill of a parameter the caller left out (``if options is None: options = load()``)
    # or a branch taken only when the caller passed it (``elif path is not None: open(path)``)
    unguarded: Blocking | None = None
    guarded: dict[tuple[str, str, str], Blocking] = field(default_factory=dict)

    def blocking_for(self, passed: list[list[Any]], positions: Mapping[str, int]) -> Blocking | None:
        """The costliest blocking call of a call passing ``passed`` (a summary's argument list):
        branches that call does not take are left out. ``positions``: the function's ``optional``."""
        if not self.guarded:
            return self.blocking
        found = self.unguarded
        for (name, key, mode), blocking in self.guarded.items():
            given = _passes(passed, positions.get(name, -2), name, key)
            runs = not given if mode == "omitted" else given or any(slot == "*" for slot, _ in passed)
            if runs and (found is None or _better(blocking, found)):
                found = blocking
        return found

    @property
    def in_process(self) -> bool:
        """Proven to do no I/O: every callee is known and none blocks or leaves the process."""
        return not self.unknown and self.blocking is None and self.round_trip is None

    @property
    def does_io(self) -> bool:
        """A round trip, or a blocking call that leaves the process (network, database, subprocess)."""
        return self.round_trip is not None or (
            self.blocking is not None and self.blocking.call.cost >= Cost.DATABASE)


@dataclass
class _Function:
    qualname: str
    module: str
    owner: str | None  # the class qualname for methods
    data: dict[str, Any]
    display: str = ""


@dataclass(eq=False)
class _Recorder:
    touched: set[str] = field(default_factory=set)


class ProjectModel:
    """Types and effects for the modules of one run.

    ``sources`` maps a module name to a loader of its source bytes; ``package_modules`` are the
    modules that are packages (``__init__.py``) so relative imports resolve.
    """

    def __init__(self, sources: Mapping[str, Callable[[], bytes]], packages: set[str] | None = None,
                 summaries: Mapping[str, dict[str, Any]] | None = None):
        self.sources = dict(sources)
        self.packages = packages or set()
        self._summaries: dict[str, dict[str, Any]] = dict(summaries or {})
        self._effects: dict[str, tuple[Effect, frozenset[str]]] = {}
        self._digests: dict[str, str | None] = {}  # like summaries, read once per model
        self._recorders: list[_Recorder] = []
        self.extra_blocking: frozenset[str] = frozenset()  # user-declared blocking calls (APL113 option)

    # -- modules and dependencies -------------------------------------------------------
    def _touch(self, module: str) -> None:
        for recorder in self._recorders:
            recorder.touched.add(module)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the module names queries look at (found or not) while the block runs."""
        recorder = _Recorder()
        self._recorders.append(recorder)
        try:
            yield recorder.touched
        finally:
            self._recorders.remove(recorder)

    def digest(self, module: str) -> str | None:
        """Content hash of a module's source, None when the run has no such module."""
        if module not in self._digests:
            loader = self.sources.get(module)
            self._digests[module] = None if loader is None else hashlib.blake2b(loader(), digest_size=12).hexdigest()
        return self._digests[module]

    def summary(self, module: str) -> dict[str, Any] | None:
        self._touch(module)
        found = self._summaries.get(module)
        if found is None and module in self.sources:
            found = self._summaries[module] = summarize(self.sources[module](), module, module in self.packages)
        return found

    def renewed(self, sources: Mapping[str, Callable[[], bytes]], packages: set[str],
                changed: set[str]) -> ProjectModel:
        """A model of new ``sources`` that keeps this one's summaries of the modules not in
        ``changed`` (effects are recomputed: they follow chains through changed modules)."""
        kept = {module: summary for module, summary in self._summaries.items()
                if module not in changed and module in sources}
        model = ProjectModel(sources, packages, kept)
        model.extra_blocking = self.extra_blocking
        return model

    @property
    def parsed(self) -> set[str]:
        """Modules summarised so far (what on-demand parsing reached)."""
        return set(self._summaries)

    # -- names --------------------------------------------------------------------------
    def lookup(self, qualname: str, _depth: int = 0) -> Obj | None:
        """What a dotted name denotes: a project module/class/function, a value defined at
        module level (its type), or an ``extern`` name when no project module holds it."""
        if _depth > _MAX_DEPTH or not qualname:
            return None
        parts = qualname.split(".")
        for end in range(len(parts), 0, -1):
            module = ".".join(parts[:end])
            if module in self.sources:
                self._touch(module)
                obj: Obj | None = Obj("module", module)
                for part in parts[end:]:
                    obj = self.attribute(obj, part, _depth + 1) if obj else None
                return obj
            self._touch(module)  # a module added later changes the answer
        return Obj("extern", qualname)

    def _member(self, module: str, name: str, depth: int) -> Obj | None:
        summary = self.summary(module)
        if summary is None:
            return None
        if name in summary["classes"]:
            return Obj("class", f"{module}.{name}")
        if name in summary["functions"]:
            return Obj("function", f"{module}.{name}")
        if name in summary["vars"]:
            return self.evaluate(summary["vars"][name], None, depth + 1)
        if name in summary["imports"]:
            return self.lookup(summary["imports"][name], depth + 1)
        if not name.startswith("_"):
            for star in summary.get("stars", ()):  # ``from .x import *`` binds x's public names
                found = self._member(star, name, depth + 1) if depth < _MAX_DEPTH else None
                if found is not None:
                    return found
        submodule = f"{module}.{name}"
        if submodule in self.sources:
            return Obj("module", submodule)
        return None

    def _class(self, qualname: str) -> dict[str, Any] | None:
        module, _, name = qualname.rpartition(".")
        summary = self.summary(module)
        return summary["classes"].get(name) if summary else None

    def mro(self, qualname: str, _depth: int = 0) -> list[str]:
        """Project classes of ``qualname``'s method resolution order (depth-first, as simple
        single inheritance resolves it; third-party bases end the walk)."""
        order: list[str] = []
        pending = [qualname]
        while pending and len(order) < 32:
            current = pending.pop(0)
            if current in order:
                continue
            data = self._class(current)
            if data is None:
                continue
            order.append(current)
            for base in data["bases"]:
                obj = self.evaluate(base, None, _depth + 1)
                if obj is not None and obj.kind == "class":
                    pending.append(obj.name)
        return order

    def extern_bases(self, qualname: str, _depth: int = 0) -> list[str]:
        """Third-party classes a project class derives from (``django.db.models.Model``), in
        method resolution order; an instance's method found in none of its project classes
        is one of theirs."""
        found: list[str] = []
        for owner in self.mro(qualname, _depth):
            data = self._class(owner)
            for base in data["bases"] if data else ():
                obj = self.evaluate(base, None, _depth + 1)
                if obj is not None and obj.kind == "extern" and obj.name not in found:
                    found.append(obj.name)
        return found

    def function(self, qualname: str) -> _Function | None:
        """The project function or method ``pkg.mod.f`` / ``pkg.mod.Class.m`` defines."""
        module, _, name = qualname.rpartition(".")
        summary = self.summary(module)
        if summary is not None and name in summary["functions"]:
            return _Function(qualname, module, None, summary["functions"][name], name)
        owner_module, _, owner = module.rpartition(".")
        summary = self.summary(owner_module) if owner_module else None
        if summary is not None and owner in summary["classes"]:
            data = summary["classes"][owner]["methods"].get(name)
            if data is not None:
                return _Function(qualname, owner_module, module, data, f"{owner}.{name}")
        return None

    def method(self, cls: str, name: str, skip_first: bool = False) -> str | None:
        """The qualname of the method ``name`` an instance of ``cls`` runs (through the MRO)."""
        for owner in self.mro(cls)[1 if skip_first else 0:]:
            data = self._class(owner)
            if data is not None and name in data["methods"]:
                return f"{owner}.{name}"
        return None

    def attribute(self, obj: Obj, name: str, depth: int = 0) -> Obj | None:
        if depth > _MAX_DEPTH:
            return None
        if obj.kind == "module":
            return self._member(obj.name, name, depth)
        if obj.kind in ("instance", "class", "super"):
            for owner in self.mro(obj.name)[1 if obj.kind == "super" else 0:]:
                data = self._class(owner)
                if data is None:
                    continue
                method = data["methods"].get(name)
                if method is not None:
                    if method["property"] and obj.kind != "class":
                        return self.evaluate(method["returns"], owner, depth + 1) if method["returns"] else None
                    return Obj("method" if obj.kind != "class" else "function", f"{owner}.{name}")
                if name in data["attrs"]:
                    return self.evaluate(data["attrs"][name], owner, depth + 1)
            if obj.kind == "instance":  # inherited from a third-party base: the catalogue knows it
                for base in self.extern_bases(obj.name, depth + 1):
                    return Obj("extern", f"{base}.{name}", base)
            elif obj.kind == "class" and name == "objects" and any(
                    base.startswith("django.db.models.") for base in self.extern_bases(obj.name, depth + 1)):
                return Obj("extern_instance", DJANGO_QUERYSET)  # a Django model's default manager
            return None
        if obj.kind == "extern":
            return Obj("extern", f"{obj.name}.{name}", obj.receiver)
        if obj.kind == "extern_instance":
            return Obj("extern", f"{obj.name}.{name}", obj.name)
        return None

    def call_result(self, callee: Obj, depth: int = 0) -> Obj | None:
        if callee.kind == "class":
            return Obj("instance", callee.name)
        if callee.kind in ("function", "method"):
            function = self.function(callee.name)
            returns = function.data["returns"] if function else None
            return self.evaluate(returns, function.owner if function else None, depth + 1) if returns else None
        if callee.kind == "extern":
            if callee.receiver == DJANGO_QUERYSET and callee.name.rpartition(".")[2] in DJANGO_LAZY:
                return Obj("extern_instance", DJANGO_QUERYSET)  # ``.filter(...)``: still a lazy queryset
            if callee.receiver in _PATH_TYPES and callee.name.rpartition(".")[2] in _PATH_PRESERVING:
                return Obj("extern_instance", callee.receiver)
            return Obj("extern_instance", _PATH_ALIASES.get(callee.name, callee.name))
        return None

    def evaluate(self, value: list[Any] | None, owner: str | None, depth: int = 0) -> Obj | None:
        """A summary's value reference -> what it is (``owner``: the class ``self`` is)."""
        if value is None or depth > _MAX_DEPTH:
            return None
        tag = value[0]
        if tag == "q":
            return self.lookup(value[1], depth + 1)
        if tag == "t":
            obj = self.lookup(value[1], depth + 1)
            if obj is None:
                return None
            if obj.kind == "class":
                return Obj("instance", obj.name)
            if obj.kind == "extern":
                return Obj("extern_instance", _PATH_ALIASES.get(obj.name, obj.name))
            return None
        if tag == "self":
            return Obj("instance", owner) if owner else None
        if tag == "cls":
            return Obj("class", owner) if owner else None
        if tag == "super":
            return Obj("super", owner) if owner else None
        if tag == "attr":
            base = self.evaluate(value[1], owner, depth + 1)
            return self.attribute(base, value[2], depth + 1) if base else None
        if tag == "call":
            callee = self.evaluate(value[1], owner, depth + 1)
            return self.call_result(callee, depth + 1) if callee else None
        if tag == "div":
            base = self.evaluate(value[1], owner, depth + 1)
            return base if base is not None and base.kind == "extern_instance" and base.name in _PATH_TYPES else None
        return None

    # -- types for rules ----------------------------------------------------------------
    def type_name(self, obj: Obj | None) -> str | None:
        """The qualified type of a value as rules spell it (``pkg.store.Store``, ``pathlib.Path``)."""
        if obj is None:
            return None
        if obj.kind in ("instance", "extern_instance"):
            return obj.name
        return None

    def attribute_type(self, type_name: str, attr: str) -> str | None:
        """``type_of(x.attr)`` for ``x`` of type ``type_name`` (a project class, else None)."""
        owner = self.lookup(type_name)
        if owner is None or owner.kind != "class":
            return None
        return self.type_name(self.attribute(Obj("instance", owner.name), attr))

    def return_type(self, callee: str) -> str | None:
        """``type_of(callee(...))`` for a project class or function named ``callee``."""
        obj = self.lookup(callee)
        if obj is None or obj.kind not in ("class", "function", "method"):
            return None
        return self.type_name(self.call_result(obj))

    def canonical_function(self, qualname: str) -> str | None:
        """The project function a dotted name runs when called: through re-exports, the MRO
        for ``Class.method`` and ``Class`` itself (its ``__init__``)."""
        obj = self.lookup(qualname)
        if obj is None:
            owner, _, name = qualname.rpartition(".")
            cls = self.lookup(owner) if owner else None
            if cls is not None and cls.kind == "class":
                found = self.method(cls.name, name)
                return found
            return None
        if obj.kind in ("function", "method"):
            return obj.name
        if obj.kind == "class":
            return self.method(obj.name, "__init__")
        return None

    # -- effects ------------------------------------------------------------------------
    def effect(self, qualname: str) -> Effect | None:
        """What running the project function ``qualname`` does (None if it is not one)."""
        cached = self._effects.get(qualname)
        if cached is not None:
            for module in cached[1]:
                self._touch(module)
            return cached[0]
        with self.recording() as touched:
            start = self.function(qualname)
            if start is None:
                return None
            self._solve(start)
        found = self._effects.get(qualname)
        return found[0] if found else None

    def _edges(self, function: _Function) -> tuple[Effect, list[_Edge]]:
        """Direct effects of a function and the project functions it calls."""
        effect = Effect(function.qualname, function.data["async"])
        callees: list[_Edge] = []
        if function.data.get("once"):
            effect.unknown = True  # ``@lru_cache`` without parameters: only the first call runs the body
            return effect, callees
        for callee_value, awaited, nonblocking, *extra in function.data["calls"]:
            guard, passed = (extra[0], extra[1]) if extra else (None, [])
            resource = len(extra) > 2  # reads a file the package ships (a path built from ``__file__``)
            if callee_value[0] == "iter":
                self._iteration(effect, callees, callee_value[1], function)
                continue
            obj = self.evaluate(callee_value, function.owner)
            if obj is not None and obj.kind == "class":
                init = self.method(obj.name, "__init__")
                if init is not None:
                    callees.append(_Edge(init, guard, passed))
                continue
            if obj is not None and obj.kind in ("function", "method"):
                if self.function(obj.name) is not None:
                    callees.append(_Edge(obj.name, guard, passed))
                else:
                    effect.unknown = True
                continue
            if obj is not None and obj.kind == "extern":
                method = obj.name.rpartition(".")[2]
                hit = blocking_call(obj.name, obj.receiver, method, nonblocking, self.extra_blocking)
                if hit is not None:
                    if not (resource and hit.cost <= Cost.DIRECTORY_TREE):  # a small file in the page cache
                        _add_blocking(effect, Blocking(hit, (hit.call,)), guard)
                    continue
                kind = round_trip_kind(obj.name, method) if awaited else None  # sync: the catalogue decides
                if kind is not None:
                    if effect.round_trip is None:
                        effect.round_trip = RoundTrip(kind, (f"{obj.name.removeprefix('builtins.')}()",))
                elif awaited and is_third_party(obj.name):
                    if effect.round_trip is None:  # a library's coroutine waits on the outside world
                        effect.round_trip = RoundTrip("io", (f"{obj.name}()",))
                elif awaited and not is_runtime(obj.name):
                    effect.unknown = True  # an awaited stdlib call nothing describes
                continue
            # unresolved: only a third-party method name can still say what it is
            method = callee_value[1] if callee_value[0] == "?" and len(callee_value) > 1 else (
                callee_value[2] if callee_value[0] == "attr" else "")
            kind = round_trip_kind(None, method) if awaited else None
            if kind is not None and effect.round_trip is None:
                effect.round_trip = RoundTrip(kind, (f"{method}()",))
            hit = blocking_call(None, None, method, nonblocking, self.extra_blocking) if method else None
            if hit is not None:
                _add_blocking(effect, Blocking(hit, (hit.call,)), guard)
            effect.unknown = True
        return effect, callees

    def _iteration(self, effect: Effect, callees: list[_Edge], iterable: list[Any], function: _Function) -> None:
        """A loop over ``iterable``: a project class's ``__iter__`` is a call; a third-party
        object whose iteration the catalogue lists (``django.db.models.QuerySet.__iter__``: the
        query runs there) blocks. Anything else is not a call at all."""
        obj = self.evaluate(["attr", iterable, "__iter__"], function.owner)
        if obj is None:
            return
        if obj.kind in ("function", "method") and self.function(obj.name) is not None:
            callees.append(_Edge(obj.name, None, []))
        elif obj.kind == "extern":
            hit = blocking_call(obj.name, None, "__iter__", False, self.extra_blocking)
            if hit is not None:
                _add_blocking(effect, Blocking(hit, (hit.call,)), None)

    def _solve(self, start: _Function) -> None:
        """Effects of every function reachable from ``start``, iterated to a fixpoint (cycles
        converge: a chain is replaced only by a costlier or shorter one)."""
        nodes: dict[str, tuple[_Function, Effect, list[_Edge]]] = {}
        pending = [start]
        while pending:
            function = pending.pop()
            if function.qualname in nodes:
                continue
            if function.qualname in self._effects:
                continue
            direct, callees = self._edges(function)
            nodes[function.qualname] = (function, direct, callees)
            for edge in callees:
                if edge.callee not in nodes and edge.callee not in self._effects:
                    found = self.function(edge.callee)
                    if found is not None:
                        pending.append(found)
        effects = {name: _copy(direct) for name, (_, direct, _) in nodes.items()}

        def known(name: str) -> Effect | None:
            if name in effects:
                return effects[name]
            cached = self._effects.get(name)
            if cached is None:
                return None
            for module in cached[1]:
                self._touch(module)
            return cached[0]

        changed = True
        while changed:
            changed = False
            for name, (function, _, callees) in nodes.items():
                effect = effects[name]
                for edge in callees:
                    callee = edge.callee
                    other = known(callee)
                    if other is None or callee == name:
                        continue
                    if other.is_async and not effect.is_async:
                        continue  # a sync caller only creates the coroutine: its body runs elsewhere, later
                    display = f"{self.function(callee).display}()"  # type: ignore[union-attr]
                    if other.unknown and not effect.unknown:
                        effect.unknown = changed = True
                    blocking = other.blocking_for(edge.passed, self.function(callee).data.get("optional", {}))  # type: ignore[union-attr]
                    if blocking is not None:
                        candidate = Blocking(blocking.call, (display, *blocking.chain))
                        if _add_blocking(effect, candidate, edge.guard):
                            changed = True
                    if other.round_trip is not None:
                        candidate_rt = RoundTrip(other.round_trip.kind, (display, *other.round_trip.chain))
                        if effect.round_trip is None or len(candidate_rt.chain) < len(effect.round_trip.chain):
                            effect.round_trip = candidate_rt
                            changed = True
        touched = frozenset(self._recorders[-1].touched) if self._recorders else frozenset()
        for name, effect in effects.items():
            self._effects[name] = (effect, touched)


@dataclass(frozen=True)
class _Edge:
    """A call of a project function: ``guard``, the branch on an optional parameter it is made in
    (``[parameter, dict key or None, "omitted" | "given"]``), ``passed``, the arguments it
    passes (see :mod:`.summary`)."""

    callee: str
    guard: list[Any] | None
    passed: list[list[Any]]


def _copy(effect: Effect) -> Effect:
    return Effect(effect.function, effect.is_async, effect.blocking, effect.round_trip, effect.unknown,
                  effect.unguarded, dict(effect.guarded))


def _passes(passed: list[list[Any]], position: int, name: str, key: str) -> bool:
    """A call's arguments pass parameter ``name`` (at ``position``) and, with a ``key``, a dict
    literal holding that key."""
    for slot, keys in passed:
        if slot == name or (position >= 0 and slot == position):
            return not key or (keys is not None and key in keys)
    return False


def _add_blocking(effect: Effect, candidate: Blocking, guard: list[Any] | None) -> bool:
    """Count a blocking call of the function; under a ``guard`` (a branch on an optional
    parameter) it is not part of ``unguarded``. True when the effect changed."""
    changed = _better_blocking(effect, candidate)
    if guard is None:
        if effect.unguarded is None or _better(candidate, effect.unguarded):
            effect.unguarded = candidate
            changed = True
    else:
        key = (guard[0], guard[1] or "", guard[2])
        current = effect.guarded.get(key)
        if current is None or _better(candidate, current):
            effect.guarded[key] = candidate
            changed = True
    return changed


def _better(candidate: Blocking, current: Blocking) -> bool:
    return candidate.call.cost > current.call.cost or (
        candidate.call.cost == current.call.cost and len(candidate.chain) < len(current.chain))


def _better_blocking(effect: Effect, candidate: Blocking) -> bool:
    """Keep the costliest blocking call (the shorter chain on a tie); True when it changed."""
    current = effect.blocking
    if current is None or _better(candidate, current):
        effect.blocking = candidate
        return True
    return False
