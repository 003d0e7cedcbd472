"""The questions a rule's libcst walk asks the project model (behind ``FileContext``).

``FileContext`` keeps its in-file answers (imports, assignments, annotations in this file);
when those run out, these helpers ask the model for what other modules write down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from . import active, single_file
from .model import Effect, ProjectModel

if TYPE_CHECKING:
    from ..context import FileContext


def model_of(ctx: FileContext) -> ProjectModel:
    """The run's model when it holds this file, else a model of the file alone."""
    return ctx.file_answer("project model", lambda: _model_for(ctx))


def _model_for(ctx: FileContext) -> ProjectModel:
    model = active()
    if model is None or ctx.module_name not in model.sources:
        model = single_file(ctx.module_name, ctx.source, ctx.path.endswith("__init__.py"))
    return model


def own_class(ctx: FileContext) -> str | None:
    """``pkg.mod.Class`` for a method of a module-level class being walked, else None."""
    info = ctx.function.class_info
    frames = ctx.frames
    if info is None or len(frames) < 2 or frames[1].class_info is not info:
        return None
    return f"{ctx.module_name}.{info.name}"


def attribute_type(ctx: FileContext, owner: str | None, attr: str) -> str | None:
    """Type of ``<value of type owner>.attr`` from the model (project classes only)."""
    if owner is None or owner.startswith("builtins."):
        return None
    return model_of(ctx).attribute_type(owner, attr)


def self_attribute_type(ctx: FileContext, attr: str) -> str | None:
    owner = own_class(ctx)
    return attribute_type(ctx, owner, attr) if owner else None


def return_type(ctx: FileContext, target: str) -> str | None:
    if target.startswith("builtins."):
        return None
    return model_of(ctx).return_type(target)


def project_callee(ctx: FileContext, call: cst.Call) -> str | None:
    """The project function a call runs (``pkg.mod.f``, ``pkg.mod.Class.m``; a class call runs
    its ``__init__``), through imports, re-exports, typed receivers, ``self`` and the MRO."""
    func = call.func
    target = ctx.call_target(call)
    model = model_of(ctx)
    if target is None and isinstance(func, cst.Attribute):
        frame = ctx.function
        value = func.value
        owner = own_class(ctx)
        if owner is not None and isinstance(value, cst.Name) and value.value == frame.self_name:
            found = model.method(owner, func.attr.value)
            return found
        if (owner is not None and isinstance(value, cst.Call) and isinstance(value.func, cst.Name)
                and value.func.value == "super" and not value.args):
            return model.method(owner, func.attr.value, skip_first=True)
    if target is None:
        target = _module_global(ctx, func)
    if target is None or target.startswith("builtins."):
        return None
    return model.canonical_function(target)


def _module_global(ctx: FileContext, func: cst.BaseExpression) -> str | None:
    """``name(...)`` / ``name.attr(...)`` where ``name`` is a global of this module the in-file
    facts cannot type (star-imported, or assigned under ``global`` in a start-up function):
    ``<module>.name[.attr]``, for the model to resolve from the module's summary."""
    base = func.value if isinstance(func, cst.Attribute) else func
    if not isinstance(base, cst.Name):
        return None
    binding = ctx.lookup(base.value)
    if binding is not None and (binding.kind != "assign" or binding is not ctx.frames[0].scope.bindings.get(base.value)):
        return None  # a local, a parameter, an import the in-file facts already answered for
    name = f"{ctx.module_name}.{base.value}"
    return f"{name}.{func.attr.value}" if isinstance(func, cst.Attribute) else name


def effect_of(ctx: FileContext, call: cst.Call) -> Effect | None:
    """What the project function a call runs does, or None (not a project function)."""
    callee = ctx.project_callee(call)
    return model_of(ctx).effect(callee) if callee else None


# calls that run the function passed to them in a worker thread: (position of the function)
_THREAD_RUNNERS = {"asyncio.to_thread": 0, "anyio.to_thread.run_sync": 0, "starlette.concurrency.run_in_threadpool": 0,
                   "fastapi.concurrency.run_in_threadpool": 0, "asgiref.sync.sync_to_async": 0}


def per_item_effect(ctx: FileContext, call: cst.Call) -> Effect | None:
    """What one ``call`` in a loop does: the project function it runs, or, for
    ``asyncio.to_thread(self.embedder.embed, text)`` / ``loop.run_in_executor(None, f, x)``, the
    project function it runs in a worker thread (awaiting it waits for that function)."""
    effect = effect_of(ctx, call)
    if effect is not None:
        return effect
    position = _THREAD_RUNNERS.get(ctx.call_target(call) or "")
    if position is None and isinstance(call.func, cst.Attribute) and call.func.attr.value == "run_in_executor":
        position = 1
    if position is None or len(call.args) <= position or call.args[position].keyword or call.args[position].star:
        return None
    function = call.args[position].value
    target = ctx.resolve(function) if isinstance(function, (cst.Name, cst.Attribute)) else None
    if target is None and isinstance(function, cst.Attribute) and isinstance(function.value, cst.Name):
        owner = own_class(ctx)
        if owner is not None and function.value.value == ctx.function.self_name:
            target = model_of(ctx).method(owner, function.attr.value)
    if target is None or target.startswith("builtins."):
        return None
    model = model_of(ctx)
    callee = model.canonical_function(target)
    return model.effect(callee) if callee else None


_CONTAINERS = frozenset({
    "builtins.list", "builtins.set", "builtins.frozenset", "builtins.tuple", "typing.List", "typing.Set",
    "typing.FrozenSet", "typing.Tuple", "typing.Sequence", "typing.Iterable", "typing.Iterator",
    "typing.Collection", "typing.AbstractSet", "typing.MutableSequence", "collections.abc.Sequence",
    "collections.abc.Iterable", "collections.abc.Iterator", "collections.abc.Collection",
    "collections.abc.Set", "collections.abc.MutableSequence", "collections.deque", "typing.Deque",
})


def element_type(ctx: FileContext, iterable: cst.BaseExpression) -> str | None:
    """The item type of ``for x in items`` when ``items`` is annotated ``list[X]`` (or
    ``Sequence[X]``, ``Iterable[X]``, ``set[X]``, ``tuple[X, ...]``...): a parameter, an
    annotated local, or an attribute of ``self`` annotated in the class."""
    annotation: cst.BaseExpression | None = None
    scope = None
    if isinstance(iterable, cst.Name):
        binding = ctx.lookup(iterable.value)
        if binding is not None and binding.kind in ("param", "assign"):
            annotation, scope = binding.annotation, binding.scope
    elif (isinstance(iterable, cst.Attribute) and isinstance(iterable.value, cst.Name)
          and iterable.value.value == ctx.function.self_name):
        info = ctx.function.class_info
        binding = info.attributes.get(iterable.attr.value) if info else None
        if binding is not None:
            annotation, scope = binding.annotation, binding.scope
    if isinstance(annotation, cst.Annotation):
        annotation = annotation.annotation
    if not isinstance(annotation, cst.Subscript) or not annotation.slice:
        return None
    if ctx.qualified_name(annotation.value) not in _CONTAINERS:
        return None
    first = annotation.slice[0].slice
    return ctx.annotation_type(first.value, scope) if isinstance(first, cst.Index) else None
