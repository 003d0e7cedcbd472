"""pytest plugin: fail tests whose coroutines block the event loop (off unless enabled)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agentperf", "agentperf-lint runtime checks")
    group.addoption(
        "--agentperf-blocking",
        action="store_true",
        default=None,
        help="fail tests whose coroutines block the event loop (APL1xx at run time)",
    )
    parser.addini(
        "agentperf_blocking",
        type="bool",
        default=False,
        help="enable agentperf-lint's blocking-call detection for every test",
    )
