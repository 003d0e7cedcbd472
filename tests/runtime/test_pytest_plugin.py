"""The agentperf_lint pytest plugin, driven with pytester: off by default, fails blocking tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

# other installed pytest plugins are re-imported by every in-process run; skip them for speed
QUIET = ["-p", "no:cacheprovider"] + [
    arg
    for name in ("locust", "hypothesispytest", "benchmark", "anyio")
    for arg in ("-p", f"no:{name}")
]

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture(autouse=True)
def quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)


BLOCKING_TESTS = """
import asyncio
import time

import pytest


@pytest.mark.asyncio
async def test_blocks():
    await asyncio.sleep(0)
    time.sleep(0.01)  # the blocking line


@pytest.mark.asyncio
async def test_polite():
    await asyncio.sleep(0.01)


def test_sync_may_sleep():
    time.sleep(0.01)
"""


def test_off_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=BLOCKING_TESTS)
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=3)


def test_option_fails_the_blocking_coroutine_with_apl101(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_app=BLOCKING_TESTS)
    result = pytester.runpytest(*QUIET, "--agentperf-blocking")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            (
                "*BlockingCallDetected: APL101: `time.sleep` blocks the event loop at "
                "*test_app.py:10 (time.sleep(0.01)  # the blocking line)*"
            )
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_app.py::test_blocks*"])


def test_ini_option_enables_it(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "agentperf_blocking = true\n")
    pytester.makepyfile(test_app=BLOCKING_TESTS)
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=2, failed=1)


def test_markers_enable_and_disable_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked="""
        import time
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.agentperf_blocking
        async def test_guarded():
            open(__file__).read()

        @pytest.mark.asyncio
        async def test_unguarded():
            time.sleep(0.01)

        @pytest.mark.asyncio
        @pytest.mark.agentperf_allow_blocking
        async def test_allowed():
            time.sleep(0.01)
        """
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*APL104: `io.TextIOWrapper.read` blocks the event loop at *test_marked.py:7*"]
    )
    everywhere = pytester.runpytest(*QUIET, "--agentperf-blocking")
    everywhere.assert_outcomes(passed=1, failed=2)


def test_watchdog_catches_cpu_bound_stalls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_cpu="""
        import time
        import pytest

        def crunch():
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                pass

        @pytest.mark.asyncio
        @pytest.mark.agentperf_blocking(threshold=0.1)
        async def test_spins():
            crunch()
        """
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*BlockingCallDetected: APL1xx: event loop blocked for * ms at *test_cpu.py:*"]
    )
    result.stdout.fnmatch_lines(["*in crunch*"])


def test_watchdog_alone_without_blockbuster(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import sys\nsys.modules['blockbuster'] = None\n")
    pytester.makepyfile(
        test_nobb="""
        import time
        import pytest

        @pytest.mark.asyncio
        async def test_sleeps():
            time.sleep(0.5)
        """
    )
    result = pytester.runpytest(
        *QUIET, "--agentperf-blocking", "--agentperf-stall-threshold=0.1"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*APL101: event loop blocked for * ms at *test_nobb.py:6*"]
    )


def test_passing_async_test_keeps_its_fixtures_and_result(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_fixtures="""
        import asyncio
        import pytest

        @pytest.fixture
        def number():
            return 41

        @pytest.mark.asyncio
        async def test_uses_fixture(number, tmp_path):
            await asyncio.sleep(0)
            assert number + 1 == 42
            assert tmp_path.name

        @pytest.mark.asyncio
        async def test_plain_failure():
            assert 1 == 2
        """
    )
    result = pytester.runpytest(*QUIET, "--agentperf-blocking")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*assert 1 == 2*"])
    result.stdout.no_fnmatch_line("*BlockingCallDetected*")


def test_guard_is_not_registered_when_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_probe="""
        def test_probe(pytestconfig):
            assert not pytestconfig.pluginmanager.has_plugin("agentperf-blocking-guard")
        """
    )
    pytester.runpytest(*QUIET).assert_outcomes(passed=1)


def test_plugin_imports_neither_libcst_nor_detectors() -> None:
    code = (
        "import sys, agentperf_lint.pytest_plugin\n"
        "heavy = {'libcst', 'blockbuster', 'agentperf_lint.runtime.monitor'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
