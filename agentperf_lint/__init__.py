"""agentperf-lint: a performance linter for async and multi-agent Python.

The package root stays import-light on purpose: ``agentperf_lint.runtime`` is imported by
production code and must never pull in libcst, so nothing here imports the linter.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
