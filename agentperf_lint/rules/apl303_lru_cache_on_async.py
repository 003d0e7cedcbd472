"""APL303: ``functools.lru_cache``/``cache``/``cached_property`` on an ``async def``."""

from __future__ import annotations

import libcst as cst

from ..rule import Fix, FixAvailability, ImportNeeded, Invalid, Rule, Valid
from ._reuse import decorator_targets, may_apply_functools_cache

_CACHES = {
    "functools.lru_cache": "functools.lru_cache",
    "functools.cache": "functools.cache",
    "functools.cached_property": "functools.cached_property",
}
_DEFAULT_MAXSIZE = "128"  # functools.lru_cache's default


class LruCacheOnAsync(Rule):
    """## What it does
    Reports `functools.lru_cache`, `functools.cache` and `functools.cached_property` applied to
    an `async def`, however they were imported.

    ## Why is this bad?
    Calling an `async def` returns a coroutine object; these decorators cache *that object*, not
    the result. The first caller awaits it; every later call with the same arguments gets the
    same, already awaited coroutine back, and awaiting it raises
    `RuntimeError: cannot reuse already awaited coroutine`. The cache never saves any work and
    breaks the second call.

    ## Example
    ```python
    import functools

    @functools.lru_cache(maxsize=256)
    async def embed(text: str) -> list[float]:
        return await llm.embeddings(text)
    ```

    ## Use instead
    ```python
    from agentperf_lint.runtime import IntelligentCache

    @IntelligentCache(max_size=256, default_ttl=None).cached()
    async def embed(text: str) -> list[float]:
        return await llm.embeddings(text)
    ```
    `IntelligentCache` caches the awaited result, and concurrent callers with the same arguments
    share one computation. If the module already imports `async_lru`, the fix uses
    `alru_cache` with the same arguments instead.

    ## Fix safety
    The fix is unsafe: it changes what the function returns on a cache hit (a fresh awaitable of
    the cached result instead of the exhausted coroutine), and the cache's behaviour differs in
    details: `IntelligentCache` keys arguments its own way, and `functools.cache`'s unbounded
    cache becomes bounded at `IntelligentCache`'s default of 1000 entries; and the module now
    imports `agentperf_lint.runtime` (a runtime dependency, cheap to import and free of libcst).
    No fix is offered for
    `cached_property` or `typed=True` without `async_lru`, or when a name used by the fix is
    already bound to something else.

    ## Options
    None.
    """

    code = "APL303"
    name = "lru-cache-on-async"
    message = (
        "`@{decorator}` on `async def {function}` caches the coroutine, not its result: the second "
        "call's `await` raises RuntimeError; {advice}"
    )
    fix_availability = FixAvailability.SOMETIMES
    triggers = ("async",)

    @classmethod
    def applies(cls, text: str) -> bool:
        return "async" in text and may_apply_functools_cache(text)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        for decorator, target in decorator_targets(node, self.ctx):
            cache = _CACHES.get(target)
            if cache is None:
                continue
            fix = self._fix(decorator, cache)
            advice = (
                "use an async-aware cache such as `IntelligentCache().cached()`"
                if cache != "functools.cached_property"
                else "cache the awaited value on the instance (or use `async_lru.alru_cache`)"
            )
            self.report(decorator, fix=fix, decorator=cache.split(".")[-1], function=node.name.value, advice=advice)
            return

    def _fix(self, decorator: cst.Decorator, cache: str) -> Fix | None:
        if cache == "functools.cached_property":
            return None
        expr = decorator.decorator
        args = list(expr.args) if isinstance(expr, cst.Call) else []
        alru = self._alru_name()
        if alru is not None:
            if cache == "functools.cache":
                new_args = [cst.Arg(cst.Name("None"), keyword=cst.Name("maxsize"), equal=_EQUAL)]
                replacement: cst.BaseExpression = cst.Call(cst.parse_expression(alru), new_args)
            elif isinstance(expr, cst.Call):
                replacement = expr.with_changes(func=cst.parse_expression(alru))
            else:
                replacement = cst.parse_expression(alru)
            return Fix.replace(decorator, decorator.with_changes(decorator=replacement),
                               title=f"Replace with `@{alru}`", safe=False)
        if not self._name_free("IntelligentCache"):
            return None
        maxsize = _maxsize(args) if cache == "functools.lru_cache" else "1000"
        if maxsize is None or any(arg.keyword is not None and arg.keyword.value == "typed" for arg in args) \
                or len([a for a in args if a.keyword is None]) > 1:
            return None
        template = f"IntelligentCache(max_size={maxsize}, default_ttl=None).cached()"
        return Fix.replace(
            decorator, decorator.with_changes(decorator=cst.parse_expression(template)),
            title="Replace with `@IntelligentCache(...).cached()`", safe=False,
            imports=[ImportNeeded("agentperf_lint.runtime", "IntelligentCache")],
        )

    def _alru_name(self) -> str | None:
        """How this module spells ``async_lru.alru_cache``, if it imports it at module level."""
        for local, binding in self.ctx.frames[0].scope.bindings.items():
            if binding.kind != "import":
                continue
            if binding.qualname == "async_lru.alru_cache":
                return local
            if binding.qualname == "async_lru":
                return f"{local}.alru_cache"
        return None

    def _name_free(self, name: str) -> bool:
        binding = self.ctx.frames[0].scope.bindings.get(name)
        return binding is None or (binding.kind == "import" and binding.qualname == f"agentperf_lint.runtime.{name}")


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _maxsize(args: list[cst.Arg]) -> str | None:
    """The ``maxsize`` of an ``lru_cache(...)`` call as source, when it is a positive int literal
    (or absent: 128); None for ``maxsize=None`` or anything computed."""
    value: cst.BaseExpression | None = None
    for arg in args:
        if arg.keyword is None or arg.keyword.value == "maxsize":
            value = arg.value
    if value is None:
        return _DEFAULT_MAXSIZE
    if isinstance(value, cst.Integer) and value.evaluated_value >= 1:
        return value.value
    return None


LruCacheOnAsync.VALID = (
    Valid("import functools\n\n@functools.lru_cache\ndef f(x):\n    return x\n"),
    Valid("from async_lru import alru_cache\n\n@alru_cache(maxsize=32)\nasync def f(x):\n    return x\n"),
    Valid("import functools\n\nclass C:\n    @staticmethod\n    @functools.cache\n    def f(x):\n        return x\n"),
    Valid("def lru_cache(f):\n    return f\n\n@lru_cache\nasync def f(x):\n    return x\n"),
    Valid("from agentperf_lint.runtime import IntelligentCache\n\n@IntelligentCache().cached()\nasync def f(x):\n    return x\n"),
    Valid("import functools\n\n@functools.lru_cache\ndef f(x):\n    async def g():\n        return x\n    return g\n"),
)

LruCacheOnAsync.INVALID = (
    Invalid(
        "import functools\n\n@functools.lru_cache(maxsize=256)\nasync def embed(text):\n    return text\n",
        line=3, column=1, message_contains="RuntimeError",
        fixed="import functools\nfrom agentperf_lint.runtime import IntelligentCache\n\n"
              "@IntelligentCache(max_size=256, default_ttl=None).cached()\nasync def embed(text):\n    return text\n",
    ),
    Invalid(
        "from functools import lru_cache\n\n@lru_cache\nasync def f(x):\n    return x\n",
        line=3, column=1,
        fixed="from functools import lru_cache\nfrom agentperf_lint.runtime import IntelligentCache\n\n"
              "@IntelligentCache(max_size=128, default_ttl=None).cached()\nasync def f(x):\n    return x\n",
    ),
    Invalid(
        "from functools import cache as memo\n\n@memo\nasync def f(x):\n    return x\n",
        line=3, column=1,
        fixed="from functools import cache as memo\nfrom agentperf_lint.runtime import IntelligentCache\n\n"
              "@IntelligentCache(max_size=1000, default_ttl=None).cached()\nasync def f(x):\n    return x\n",
    ),
    Invalid(
        "import functools as ft\n\n@ft.lru_cache()\nasync def f(x):\n    return x\n",
        line=3, column=1,
        fixed="import functools as ft\nfrom agentperf_lint.runtime import IntelligentCache\n\n"
              "@IntelligentCache(max_size=128, default_ttl=None).cached()\nasync def f(x):\n    return x\n",
    ),
    Invalid(
        "import functools\n\n@functools.lru_cache(maxsize=None)\nasync def f(x):\n    return x\n",
        line=3, column=1,
    ),
    Invalid(
        "import functools\n\n@functools.lru_cache(maxsize=8, typed=True)\nasync def f(x):\n    return x\n",
        line=3, column=1,
    ),
    Invalid(
        "import functools\nfrom async_lru import alru_cache\n\n@functools.lru_cache(maxsize=8, typed=True)\nasync def f(x):\n    return x\n",
        line=4, column=1,
        fixed="import functools\nfrom async_lru import alru_cache\n\n@alru_cache(maxsize=8, typed=True)\nasync def f(x):\n    return x\n",
    ),
    Invalid(
        "import functools\nimport async_lru\n\n@functools.cache\nasync def f(x):\n    return x\n",
        line=4, column=1,
        fixed="import functools\nimport async_lru\n\n@async_lru.alru_cache(maxsize=None)\nasync def f(x):\n    return x\n",
    ),
    Invalid(
        "import functools\n\nclass Agent:\n    @functools.cached_property\n    async def config(self):\n        return {}\n",
        line=4, column=5, message_contains="cached_property",
    ),
    Invalid(
        "import functools\n\nIntelligentCache = object\n\n@functools.cache\nasync def f(x):\n    return x\n",
        line=5, column=1,
    ),
)
