"""Framework calls under canonical names, so that catalogue rows can name them.

Some blocking APIs are not reached through one importable name: a Django query is spelled
``<the project's model>.objects.filter(...).count()``, a LangChain chat model comes from any of
dozens of provider packages, and a LangChain chain is a ``prompt | model | parser`` expression.
:func:`canonical_target` recognises these shapes from what the code writes down and renames the
call (``django.db.models.QuerySet.count``, ``langchain_core.runnables.RunnableSequence.invoke``),
and the catalogue rows in :mod:`._blocking_catalogue` decide whether and how it is reported.

Nothing is guessed from a variable's name, with one exception Django itself documents: a
reverse relation's default manager is called ``<model>_set``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import libcst as cst

from ..context import FileContext
from ..project.knowledge import (  # shared with the project model (no libcst there)

# -- Django ORM -----------------------------------------------------------------------------
    DJANGO_INSTANCE_QUERIES as _INSTANCE,
    DJANGO_LAZY as _LAZY,
    DJANGO_MODEL as MODEL,
    DJANGO_QUERIES as _QUERIES,
    DJANGO_QUERYSET as QUERYSET,
    DJANGO_RELATED_MANAGER as RELATED_MANAGER,
)
_RELATED_NAME = re.compile(r"[a-z][a-z0-9_]*_set")


def _queryset_source(func: cst.Attribute) -> cst.BaseExpression:
    """``X.objects.filter(a).order_by(b).count`` -> ``X.objects``: peel lazy queryset calls."""
    expr = func.value
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _LAZY:
        expr = expr.func.value
    return expr


def _is_model_class(qualname: str | None) -> bool:
    return qualname is not None and qualname.rpartition(".")[2][:1].isupper()


def _django_model_instance(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """A value whose type is a class this file uses as a Django model: it queries
    ``<Class>.objects`` somewhere, or defines the class on a ``django.db.models`` base."""
    type_name = ctx.value_type(expr)
    if not _is_model_class(type_name):
        return False
    short = type_name.rpartition(".")[2]  # type: ignore[union-attr]
    if re.search(rf"\b{re.escape(short)}\.objects\.", ctx.source):
        return True
    binding = ctx.frames[0].scope.bindings.get(short)
    node = binding.node if binding is not None and binding.kind == "class" else None
    if not isinstance(node, cst.ClassDef):
        return False
    return any((ctx.qualified_name(base.value) or "").startswith("django.") for base in node.bases)


def _django(ctx: FileContext, call: cst.Call, method: str) -> str | None:
    func = call.func
    assert isinstance(func, cst.Attribute)
    if method == "count" and call.args:  # ``list.count(x)``; a queryset's count takes none
        return None
    if method in _LAZY or method in _QUERIES:
        source = _queryset_source(func)
        if isinstance(source, cst.Attribute):
            if source.attr.value == "objects" and _is_model_class(ctx.qualified_name(source.value)):
                return QUERYSET
            if _RELATED_NAME.fullmatch(source.attr.value):
                return RELATED_MANAGER
    if method in _INSTANCE and _django_model_instance(ctx, func.value):
        return MODEL
    return None


# -- LangChain ------------------------------------------------------------------------------
CHAT_MODEL = "langchain_core.language_models.BaseChatModel"
SEQUENCE = "langchain_core.runnables.RunnableSequence"
_RUNNABLE_METHODS = frozenset({"invoke", "batch", "stream", "predict", "generate"})
_CHAT_FACTORIES = ("langchain.chat_models.init_chat_model", "langchain.chat_models.base.init_chat_model")
_NOT_MODELS = ("Prompt", "Message", "History", "Generation", "Result", "Session", "Loader", "Parser")
# components of a pipe that run in process: templates, parsers, passthroughs, lambdas
_IN_PROCESS = ("Prompt", "Parser", "Runnable")
_CHAT_CLASS = re.compile(r"Chat[A-Z]\w*")
# the base types code annotates a model with (``llm: BaseChatModel``)
_MODEL_BASES = frozenset({"BaseChatModel", "BaseLanguageModel", "BaseLLM", "LanguageModelLike", "SimpleChatModel"})


def _chat_model_prefix(type_name: str) -> str | None:
    """The part of ``type_name`` naming a LangChain chat model class or factory, or None:
    ``langchain_openai.ChatOpenAI.with_structured_output`` -> ``langchain_openai.ChatOpenAI``."""
    if not type_name.startswith("langchain"):
        return None
    for factory in _CHAT_FACTORIES:
        if type_name == factory or type_name.startswith(factory + "."):
            return factory
    parts = type_name.split(".")
    for index, part in enumerate(parts[1:], 1):
        if part in _MODEL_BASES or (_CHAT_CLASS.fullmatch(part) and not any(word in part for word in _NOT_MODELS)):
            return ".".join(parts[: index + 1])
    return None


def _pipe_value(ctx: FileContext, expr: cst.BaseExpression) -> tuple[cst.BinaryOperation, object] | None:
    """The ``a | b | c`` expression ``expr`` is or holds (a local name or ``self`` attribute
    assigned exactly once), with the scope its names resolve in."""
    if isinstance(expr, cst.BinaryOperation):
        return (expr, None) if isinstance(expr.operator, cst.BitOr) else None
    binding = None
    if isinstance(expr, cst.Name):
        binding = ctx.lookup(expr.value)
    elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and ctx._is_self(expr.value.value):
        info = ctx.function.class_info
        binding = info.attributes.get(expr.attr.value) if info else None
    if binding is None or binding.kind != "assign" or len(binding.values) != 1:
        return None
    value = binding.values[0]
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.BitOr):
        return value, binding.scope
    return None


def _operands(pipe: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(pipe, cst.BinaryOperation) and isinstance(pipe.operator, cst.BitOr):
        return [*_operands(pipe.left), *_operands(pipe.right)]
    return [pipe]


def _calls_a_model(ctx: FileContext, pipe: cst.BinaryOperation, scope: object) -> bool:
    """A LangChain pipe (one operand is a LangChain template, parser, runnable or chat model)
    with a chat model in it, or an untyped value between LangChain components (the model
    passed in: a pipe of templates and parsers alone runs in process)."""
    langchain = model = False
    for operand in _operands(pipe):
        type_name = ctx._type_in(operand, scope, 1)  # type: ignore[arg-type]
        if type_name is not None and _chat_model_prefix(type_name):
            langchain = model = True
        elif type_name is not None and type_name.startswith("langchain"):
            langchain = langchain or any(word in type_name for word in _IN_PROCESS)
        elif type_name is None and isinstance(operand, (cst.Name, cst.Attribute)):
            qualname = ctx._qualified_in(operand, scope)  # type: ignore[arg-type]
            model = model or qualname is None  # a function or class is not the model
        elif type_name is None and isinstance(operand, cst.Call):
            model = True  # ``self.llm.with_structured_output(Plan)``, ``self.get_llm()``
    return langchain and model


def _langchain(ctx: FileContext, call: cst.Call, receiver: str | None) -> str | None:
    if receiver is not None:
        prefix = _chat_model_prefix(receiver)
        return None if prefix is None else CHAT_MODEL + receiver[len(prefix):]
    func = call.func
    assert isinstance(func, cst.Attribute)
    found = _pipe_value(ctx, func.value)
    if found is not None and _calls_a_model(ctx, *found):
        return SEQUENCE
    return None


def _returned_queryset(ctx: FileContext, call: cst.Call) -> bool:
    """``for row in Adapters.all_configs():`` where ``all_configs`` is defined in this file
    (a function, a method of a class of this file, or ``self.method``) and only returns a lazy
    ``<Model>.objects...`` queryset: the query runs here, when the loop iterates it."""
    func = call.func
    definition: cst.CSTNode | None = None
    if isinstance(func, cst.Name):
        binding = ctx.lookup(func.value)
        definition = binding.node if binding is not None and binding.kind == "def" else None
    elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        if ctx._is_self(func.value.value):
            info = ctx.function.class_info
            definition = info.methods.get(func.attr.value) if info else None
        else:
            binding = ctx.lookup(func.value.value)
            owner = binding.node if binding is not None and binding.kind == "class" else None
            if isinstance(owner, cst.ClassDef):
                definition = next((item for item in owner.body.body if isinstance(item, cst.FunctionDef)
                                   and item.name.value == func.attr.value), None)
    if not isinstance(definition, cst.FunctionDef) or definition.asynchronous is not None:
        return False
    returns = [small.value for line in definition.body.body if isinstance(line, cst.SimpleStatementLine)
               for small in line.body if isinstance(small, cst.Return)]
    if len(returns) != 1 or not isinstance(returns[0], cst.Call) or not isinstance(returns[0].func, cst.Attribute):
        return False
    value = returns[0]
    if value.func.attr.value not in _LAZY:  # type: ignore[attr-defined]
        return False
    source = _queryset_source(value.func)  # type: ignore[arg-type]
    return (isinstance(source, cst.Attribute) and source.attr.value == "objects"
            and _is_model_class(ctx.qualified_name(source.value)))


# -- the hook -------------------------------------------------------------------------------
def canonical_name(ctx: FileContext, call: cst.Call, receiver: str | None, method: str) -> tuple[str, str] | None:
    """The canonical receiver and method of a framework call (``django.db.models.QuerySet``,
    ``langchain_core.language_models.BaseChatModel.with_structured_output``), or None."""
    if method in _RUNNABLE_METHODS and isinstance(call.func, cst.Attribute):
        found = _langchain(ctx, call, receiver)
        if found is not None:
            return found, method
    if (method in _LAZY or method in _QUERIES or method in _INSTANCE) and isinstance(call.func, cst.Attribute):
        found = _django(ctx, call, method)
        return None if found is None else (found, method)
    if not _not_iterated_here(ctx, call, None) and _returned_queryset(ctx, call):
        return QUERYSET, "all"
    return None


# -- argument and context tests (``unless`` of the rows) ------------------------------------
_CONSUMERS = frozenset(
    f"builtins.{name}" for name in
    ("list", "tuple", "set", "frozenset", "dict", "sorted", "len", "any", "all", "sum", "min", "max", "next", "iter")
)


def _not_iterated_here(ctx: FileContext, call: cst.Call, target: object) -> bool:
    """A lazy queryset runs its query only when evaluated: it blocks here only as the iterable
    of a (sync) ``for`` or comprehension, or as the argument of ``list()``, ``len()`` and the
    like. Kept in a variable, returned or awaited through an async method, it does not."""
    ancestors = ctx.ancestors
    if not ancestors or ancestors[-1] is not call:
        return True
    parent = ancestors[-2] if len(ancestors) >= 2 else None
    if isinstance(parent, cst.For):
        return parent.iter is not call or parent.asynchronous is not None
    if isinstance(parent, cst.CompFor):
        return parent.iter is not call or parent.asynchronous is not None
    if isinstance(parent, cst.Arg) and len(ancestors) >= 3 and isinstance(ancestors[-3], cst.Call):
        return ctx.qualified_name(ancestors[-3].func) not in _CONSUMERS  # type: ignore[attr-defined]
    return True


def _utc_zone(ctx: FileContext, call: cst.Call, target: object) -> bool:
    """``pytz.timezone("UTC")`` returns the built-in UTC zone without reading a file."""
    args = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    first = args[0] if args else None
    return isinstance(first, cst.SimpleString) and str(first.evaluated_value).upper() == "UTC"


def _delayed_open(ctx: FileContext, call: cst.Call, target: object) -> bool:
    """``FileHandler(path, delay=True)`` opens the file on the first record, not here."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "delay":
            return not (isinstance(arg.value, cst.Name) and arg.value.value == "False")
    return False


UNLESS: Mapping[str, Callable[[FileContext, cst.Call, object], bool]] = {
    "not_iterated_here": _not_iterated_here,
    "utc_zone": _utc_zone,
    "delayed_open": _delayed_open,
}
