"""Whether the code being linted is test code: a test module, a test directory, a test function
or a test double.

A blocking call or a sequential loop there slows a test run, not a service: the loop rules
(APL2xx) skip it, and the blocking family (APL1xx, APL114 included) does too unless the team
asks for fast test suites with ``check-tests = true`` in ``[tool.agentperf-lint.blocking]``.
"""

from __future__ import annotations

import os

import libcst as cst

from ..context import FileContext
from ..rule import Option, Rule

_TEST_PREFIXES = ("test", "Test", "Fake", "Mock", "Dummy", "Stub")
_TEST_DIRECTORIES = frozenset({"tests", "test"})

CHECK_TESTS = Option(
    "check-tests", bool, False,
    "also report blocking calls in test code (test modules, tests/ directories, test doubles)",
)


def _path_parts(path: str) -> list[str]:
    """The path's directories, relative to the working directory when it lies below it (a
    checkout at ``/home/me/test/project`` is not test code)."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            relative = path
        path = relative if not relative.startswith("..") else path
    return path.replace("\\", "/").split("/")[:-1]


def in_test_code(ctx: FileContext) -> bool:
    """Tests and test doubles (``test_*.py``, ``*_test.py``, ``conftest.py``, files under
    ``tests/`` or ``test/``, ``def test_...``, ``class FakeChatModel``): they run a few cases on
    purpose, often one at a time, and nobody waits on them but the test run."""
    path = ctx.path.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    if _TEST_DIRECTORIES.intersection(_path_parts(ctx.path)):
        return True
    for frame in ctx.frames:
        node_name = getattr(getattr(frame.node, "name", None), "value", "")
        if node_name.startswith(_TEST_PREFIXES):
            return True
    return False


def in_one_shot_module(ctx: FileContext, *, diagnostics: bool = True) -> bool:
    """Code that runs once per deployment or per click, not per request: migrations
    (``alembic/versions/``, ``migrations/``, ``migrate_*.py``) and, unless ``diagnostics`` is
    false, Home Assistant's ``diagnostics.py`` (run when a user downloads a dump: a loop of
    awaits there costs nobody, but a blocking call still stalls the running home, which is
    why Home Assistant reports those and the blocking rules pass ``diagnostics=False``)."""
    path = ctx.path.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    if diagnostics and name in _ONE_SHOT_MODULES:
        return True
    return any(part in path for part in _ONE_SHOT_DIRS) or name.startswith("migrate")


def in_set_up_hook(ctx: FileContext) -> bool:
    """Inside a framework's start-up hook, run once per process or per configured entry:
    discord.py's ``setup_hook``/``cog_load``, Home Assistant's ``async_setup``/
    ``async_setup_entry``/``async_setup_platform``, an ASGI ``lifespan`` or a function
    registered with ``on_event("startup")``. A loop of awaits there lengthens start-up once;
    nobody waits on it per request. (Blocking calls there still stall what already runs, so
    the blocking rules do not use this.)"""
    for frame in ctx.frames:
        node = frame.node
        if not isinstance(node, cst.FunctionDef):
            continue
        if node.name.value in SET_UP_HOOKS:
            return True
        for decorator in node.decorators:
            call = decorator.decorator
            if (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "on_event"
                    and call.args and isinstance(call.args[0].value, cst.SimpleString)
                    and call.args[0].value.evaluated_value == "startup"):
                return True
    return False


# framework start-up hooks, run once per process or configured entry (shared with the APL2xx reachability)
SET_UP_HOOKS = frozenset({
    "setup_hook", "cog_load", "async_setup", "async_setup_entry", "async_setup_platform", "lifespan",
})
_ONE_SHOT_DIRS = ("alembic/versions/", "/migrations/", "migrations/versions/")
_ONE_SHOT_MODULES = frozenset({"diagnostics.py"})


def skips_test_code(rule: Rule, ctx: FileContext) -> bool:
    """Whether a blocking-family rule stays silent here: test code, and the team did not set
    ``check-tests``."""
    return not rule.settings.get("check-tests", False) and in_test_code(ctx)
