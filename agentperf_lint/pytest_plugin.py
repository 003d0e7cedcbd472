"""pytest plugin: fail async tests whose coroutine blocks the event loop (APL1xx at run time).

Off unless enabled, for every async test with ``--agentperf-blocking`` or the ini option
``agentperf_blocking = true``, or for one test with ``@pytest.mark.agentperf_blocking``
(``@pytest.mark.agentperf_allow_blocking`` opts a test out). When nothing enables it, the plugin
only registers its options and markers: the per-test guard is registered as a separate plugin
after collection, and only if some test needs it, so other suites pay nothing. It never imports
libcst, and imports blockbuster and the watchdog only when a guard is needed.

Two detectors run inside the test's coroutine:

- **blockbuster** (when installed) patches the known blocking functions (``time.sleep``, file and
  socket I/O, ``sqlite3``, lock waits, ``input``) to raise as soon as one is called on a thread
  with a running loop. It is deterministic, needs no timing threshold, catches calls of any
  length and points at the exact call, which is why it is the primary detector;
- the :class:`~agentperf_lint.runtime.LoopLagWatchdog` catches what blockbuster cannot know
  about: CPU-bound loops, blocking C extensions, libraries that block in ways not patched.
  It only reports stalls longer than ``agentperf_stall_threshold`` seconds (default 0.5; 0 turns
  it off), so a loaded CI machine does not produce false failures.

Either way the test fails with :class:`BlockingCallDetected` naming the static rule for the call
(APL101 ``time.sleep``, APL104 file I/O, APL108 sockets, ...; the APL1xx family when unknown)
and the blocking ``file:line``.
"""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

_ENABLE_MARKER = "agentperf_blocking"
_ALLOW_MARKER = "agentperf_allow_blocking"
_GUARD_NAME = "agentperf-blocking-guard"


class BlockingCallDetected(AssertionError):
    """An async test blocked its event loop."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agentperf", "agentperf-lint runtime checks")
    group.addoption(
        "--agentperf-blocking",
        action="store_true",
        default=None,
        help="fail async tests whose coroutine blocks the event loop (APL1xx at run time)",
    )
    group.addoption(
        "--agentperf-stall-threshold",
        type=float,
        default=None,
        metavar="SECONDS",
        help="loop stall that fails a guarded test (default 0.5; 0 disables the watchdog)",
    )
    parser.addini(
        "agentperf_blocking",
        type="bool",
        default=False,
        help="enable agentperf-lint's blocking-call detection for every async test",
    )
    parser.addini(
        "agentperf_stall_threshold",
        default="0.5",
        help="seconds of event-loop stall that fail a guarded test (0 disables the watchdog)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_ENABLE_MARKER}(threshold=None): fail this async test if its coroutine blocks the "
        "event loop (agentperf-lint APL1xx at run time)",
    )
    config.addinivalue_line(
        "markers",
        f"{_ALLOW_MARKER}: never apply agentperf-lint's blocking-call detection to this test",
    )


def _enabled_globally(config: pytest.Config) -> bool:
    option = config.getoption("--agentperf-blocking")
    return (
        bool(option)
        if option is not None
        else bool(config.getini("agentperf_blocking"))
    )


def _stall_threshold(config: pytest.Config) -> float:
    option = config.getoption("--agentperf-stall-threshold")
    return float(
        option if option is not None else config.getini("agentperf_stall_threshold")
    )


def _wants_guard(item: pytest.Item, everywhere: bool) -> bool:
    if item.get_closest_marker(_ALLOW_MARKER) is not None:
        return False
    return everywhere or item.get_closest_marker(_ENABLE_MARKER) is not None


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    everywhere = _enabled_globally(config)
    if config.pluginmanager.has_plugin(_GUARD_NAME):
        return
    if any(_wants_guard(item, everywhere) for item in items):
        config.pluginmanager.register(_BlockingGuard(config, everywhere), _GUARD_NAME)


class _BlockingGuard:
    """Wraps each selected async test function in :func:`_guarded` for the test call."""

    def __init__(self, config: pytest.Config, everywhere: bool) -> None:
        self.everywhere = everywhere
        self.threshold = _stall_threshold(config)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        __tracebackhide__ = True
        function = getattr(item, "obj", None)
        if not (
            isinstance(item, pytest.Function)
            and inspect.iscoroutinefunction(function)
            and _wants_guard(item, self.everywhere)
        ):
            return (yield)
        marker = item.get_closest_marker(_ENABLE_MARKER)
        threshold = self.threshold
        if marker is not None and marker.kwargs.get("threshold") is not None:
            threshold = float(marker.kwargs["threshold"])
        # pytest-asyncio wraps item.obj in its runner inside runtest(), i.e. after this point
        item.obj = _guarded(function, threshold)
        try:
            return (yield)
        finally:
            item.obj = function


def _guarded(
    function: Callable[..., Coroutine[Any, Any, Any]], threshold: float
) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(function)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        from agentperf_lint.runtime.monitor import LoopLagWatchdog

        buster = _start_blockbuster()
        watchdog = None
        if threshold > 0:
            watchdog = LoopLagWatchdog(
                threshold, interval=min(threshold / 2, 0.05)
            ).start()
        try:
            try:
                result = await function(*args, **kwargs)
            finally:
                if buster is not None:  # before anything below touches the file system
                    buster.deactivate()
        except Exception as exc:
            blocking = _as_blocking_call(exc)
            if blocking is None:
                raise
            raise blocking from None
        finally:
            if watchdog is not None:
                await watchdog.__aexit__(None, None, None)
        if watchdog is not None and watchdog.events:
            worst = max(watchdog.events, key=lambda event: event.duration)
            raise BlockingCallDetected(
                f"{worst.describe()}\n(stall threshold {threshold}s; loop thread stack when "
                "stuck:)\n" + "\n".join(f"  {entry}" for entry in worst.stack)
            )
        return result

    return guarded


def _start_blockbuster() -> Any:
    try:
        from blockbuster import BlockBuster
    except ImportError:  # the watchdog alone still catches long stalls
        return None
    buster = BlockBuster()
    # the watchdog's own short lock hand-off with its thread is not a blocking call
    monitor_file = "agentperf_lint/runtime/monitor.py"  # blockbuster compares "/" paths
    for name in ("threading.Lock.acquire", "threading.Lock.acquire_lock"):
        function = buster.functions.get(name)
        if function is not None:
            function.can_block_in(monitor_file, {"_beat", "stop"})
    buster.activate()
    return buster


def _as_blocking_call(exc: Exception) -> BlockingCallDetected | None:
    """Turn blockbuster's ``BlockingError`` into a failure naming the code and the call site."""
    try:
        from blockbuster import BlockingError
    except ImportError:
        return None
    if not isinstance(exc, BlockingError):
        return None
    from agentperf_lint.runtime.detectors import rule_code_for_call
    from agentperf_lint.runtime.monitor import is_library_file

    function = str(exc).removeprefix("Blocking call to ").strip()
    code = rule_code_for_call(function)

    # the innermost frame in user code: the test's line, not pathlib's or blockbuster's
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not is_library_file(frame.filename)
    ]
    where = "unknown"
    if frames:
        caller = frames[-1]
        where = f"{caller.filename}:{caller.lineno} ({(caller.line or '').strip()})"
    return BlockingCallDetected(
        f"{code}: `{function}` blocks the event loop at {where}; use the async API or "
        "`await asyncio.to_thread(...)` (detected by blockbuster)"
    )
