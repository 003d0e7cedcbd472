"""APL304: ``functools.lru_cache``/``cache`` on an instance method (flake8-bugbear's B019)."""

from __future__ import annotations

import libcst as cst

from ..rule import Invalid, Option, Rule, Valid
from ._reuse import decorator_targets, may_apply_functools_cache, dotted_name, last_name

_CACHES = frozenset({"functools.lru_cache", "functools.cache"})
_NOT_INSTANCE = frozenset({"builtins.staticmethod", "builtins.classmethod", "staticmethod", "classmethod"})
_IMPLICIT_CLASS_LEVEL = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})
_ENUMS = frozenset({
    "enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag", "enum.ReprEnum",
})


class LruCacheOnMethod(Rule):
    """## What it does
    Reports an unbounded `functools.cache`/`functools.lru_cache(maxsize=None)` on an instance
    method. Bounded `lru_cache` is reported too with `report-bounded = true`. Not
    reported: `staticmethod`/`classmethod` (and `__new__`, `__init_subclass__`,
    `__class_getitem__`, which are implicitly), module-level functions, nested functions, methods of
    enums (their members live as long as the class anyway) and of classes that declare
    themselves singletons (a `Singleton` base or metaclass, a `__new__` that hands out
    `_instance`, or one instance made at module level: `MANAGER = Manager()`). `async def` methods are reported by APL303.

    ## Why is this bad?
    The cache lives on the function, which lives as long as the class, and its keys include
    `self`: every instance the method was ever called on stays alive (with its clients, buffers
    and conversation history) until the cache evicts it, which for `cache` and
    `lru_cache(maxsize=None)` is never. Agents created per task are never freed, and the cache
    is shared by all instances, so one busy agent evicts the others' entries.

    ## Example
    ```python
    import functools

    class Agent:
        @functools.lru_cache(maxsize=None)
        def system_prompt(self, role: str) -> str:
            return render_template(self.template, role)
    ```

    ## Use instead
    ```python
    import functools

    class Agent:
        def __init__(self, template: str) -> None:
            self.template = template
            self.system_prompt = functools.lru_cache(maxsize=64)(self._system_prompt)

        def _system_prompt(self, role: str) -> str:
            return render_template(self.template, role)
    ```
    A method without arguments is better as `functools.cached_property`.

    ## Fix safety
    No fix: the replacement depends on whether the method takes arguments.

    ## Options
    - `report-bounded`: also report bounded caches (`@lru_cache`, `@lru_cache(maxsize=128)`),
      as B019 does. Off by default: a bounded cache pins at most `maxsize` instances, and on real
      code such caches sit on long-lived objects (the 21 bounded hits in the evaluation corpus
      are SQLAlchemy dialects, the 4 in the standard library `ipaddress` properties).

    ## References
    flake8-bugbear and ruff report the same pattern as B019 (`cached-instance-method`), bounded
    or not; ruff exempts enum methods since 0.4.4 (astral-sh/ruff#9912); pylint's
    `method-cache-max-size-none` reports only unbounded caches, as this rule does by default.
    """

    code = "APL304"
    name = "lru-cache-on-method"
    message = (
        "`@{decorator}` on method `{method}` keeps every `self` it was called with alive{bound}; "
        "use `functools.cached_property` or a per-instance cache"
    )

    triggers = ("lru_cache", "functools")  # `cache` itself can only come from functools

    @classmethod
    def applies(cls, text: str) -> bool:
        return may_apply_functools_cache(text)
    options_table = "cache-methods"
    options = (Option("report-bounded", bool, False, "also report bounded lru_cache on methods (B019 parity)"),)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        ctx = self.ctx
        frame = ctx.frame
        if node.asynchronous is not None or frame.kind != "class" or not isinstance(frame.node, cst.ClassDef):
            return
        targets = list(decorator_targets(node, ctx))
        if any(target in _NOT_INSTANCE for _, target in targets):
            return
        params = [*node.params.posonly_params, *node.params.params]
        if not params or node.name.value in _IMPLICIT_CLASS_LEVEL:
            return
        for decorator, target in targets:
            if target in _CACHES:
                unbounded = target == "functools.cache" or _maxsize_none(decorator.decorator)
                if not (unbounded or self.settings["report-bounded"]) or self._lives_forever(frame.node):
                    return
                self.report(
                    decorator, decorator=target.split(".")[-1], method=node.name.value,
                    bound=" forever" if unbounded else " until evicted",
                )
                return

    def _lives_forever(self, cls: cst.ClassDef) -> bool:
        """An enum, or a class that says it is a singleton."""
        for base in cls.bases:
            qualified = self.ctx.qualified_name(base.value) or dotted_name(base.value)
            if qualified in _ENUMS or "Singleton" in qualified or qualified.endswith("Enum"):
                return True
        for keyword in cls.keywords:
            if keyword.keyword.value == "metaclass" and "Singleton" in dotted_name(keyword.value):
                return True
        for statement in cls.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "__new__":
                return "_instance" in cst.Module([]).code_for_node(statement)
        return self._has_module_instance(cls.name.value)

    def _has_module_instance(self, class_name: str) -> bool:
        """``MANAGER = Manager()`` at module level: the module's one shared instance."""
        module_scope = self.ctx.frames[0].scope
        if self.ctx.frame.scope.parent is not module_scope:
            return False  # a nested class: a module-level call of that name is another class
        for binding in module_scope.bindings.values():
            for value in binding.values if binding.kind == "assign" else ():
                if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == class_name:
                    return True
        return False


def _maxsize_none(expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    for arg in expr.args:
        if (arg.keyword is None or arg.keyword.value == "maxsize") and last_name(arg.value) == "None":
            return True
    return False


LruCacheOnMethod.VALID = (
    Valid("import functools\n\n@functools.lru_cache\ndef f(x):\n    return x\n"),
    Valid("import functools\n\nclass C:\n    @staticmethod\n    @functools.cache\n    def f(x):\n        return x\n"),
    Valid("import functools\n\nclass C:\n    @classmethod\n    @functools.lru_cache\n    def f(cls, x):\n        return x\n"),
    Valid("import functools\n\nclass C:\n    @functools.cached_property\n    def f(self):\n        return 1\n"),
    Valid("import enum, functools\n\nclass Color(enum.Enum):\n    RED = 1\n    @functools.cache\n    def label(self):\n        return self.name.lower()\n"),
    Valid("from enum import IntEnum\nfrom functools import cache\n\nclass Level(IntEnum):\n    LOW = 1\n    @cache\n    def label(self):\n        return str(self)\n"),
    Valid("import functools\n\nclass Config(metaclass=Singleton):\n    @functools.cache\n    def get(self, key):\n        return key\n"),
    Valid("import functools\n\nclass Registry:\n    _instance = None\n    def __new__(cls):\n        if cls._instance is None:\n            cls._instance = super().__new__(cls)\n        return cls._instance\n    @functools.cache\n    def get(self, key):\n        return key\n"),
    Valid("import functools\n\nclass C:\n    def m(self):\n        @functools.cache\n        def inner(x):\n            return x\n        return inner\n"),
    Valid("import functools\n\nclass C:\n    @functools.lru_cache\n    async def m(self, x):\n        return x\n"),
    Valid("def cache(f):\n    return f\n\nclass C:\n    @cache\n    def m(self, x):\n        return x\n"),
    Valid("import functools\n\nclass Dialect:\n    @functools.lru_cache()\n    def _columns_query(self):\n        return 'select'\n"),
    Valid("import functools\n\nclass Address:\n    @property\n    @functools.lru_cache(maxsize=128)\n    def is_private(self):\n        return False\n"),
    Valid("import functools\n\nclass Manager:\n    @functools.lru_cache(maxsize=None)\n    def schema(self, name):\n        return name\n\nMANAGER: Manager = Manager()\n"),
    Valid("import functools\n\nclass Lookup:\n    @functools.lru_cache\n    def __new__(cls, name):\n        return super().__new__(cls)\n"),
)

LruCacheOnMethod.INVALID = (
    Invalid("import functools\n\nclass Agent:\n    @functools.lru_cache(maxsize=None)\n    def prompt(self, role):\n        return role\n",
            line=4, column=5, message_contains="alive forever"),
    Invalid("from functools import lru_cache\n\nclass Agent:\n    @lru_cache\n    def prompt(self, role):\n        return role\n",
            line=4, column=5, message_contains="until evicted", options={"report-bounded": True}),
    Invalid("import functools as ft\n\nclass Agent:\n    @ft.cache\n    def tools(self):\n        return []\n",
            line=4, column=5),
    Invalid("import functools\n\nclass Agent(Base):\n    @functools.lru_cache(128)\n    def prompt(self, role):\n        return role\n",
            line=4, column=5, options={"report-bounded": True}),
    Invalid("import functools\n\nclass Agent(Base):\n    @functools.lru_cache(None)\n    def prompt(self, role):\n        return role\n",
            line=4, column=5, message_contains="forever"),
)
