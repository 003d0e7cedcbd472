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
    model = getattr(ctx, "_project_model", None)
    if model is None:
        model = active()
        if model is None or ctx.module_name not in model.sources:
            model = single_file(ctx.module_name, ctx.source, ctx.path.endswith("__init__.py"))
        ctx._project_model = model  # type: ignore[attr-defined]
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
    if target is None or target.startswith("builtins."):
        return None
    return model.canonical_function(target)


def effect_of(ctx: FileContext, call: cst.Call) -> Effect | None:
    """What the project function a call runs does, or None (not a project function)."""
    callee = ctx.project_callee(call)
    return model_of(ctx).effect(callee) if callee else None


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
