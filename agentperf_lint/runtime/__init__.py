"""Runtime helpers that agentperf-lint's messages and fixes recommend.

Production code imports this package, so it must stay cheap to import and must never import
libcst. Every public name is resolved lazily (PEP 562 ``__getattr__``): ``from
agentperf_lint.runtime import IntelligentCache`` imports only the cache module, and optional
dependencies (aiohttp, psutil, pympler) are imported only by the helpers that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> submodule of agentperf_lint.runtime that defines it
_EXPORTS: dict[str, str] = {
    # issue 5: cache, batching, pooling
    "IntelligentCache": "cache",
    "BatchProcessor": "batch",
    "BatchError": "batch",
    "ConnectionPool": "pool",
    "PoolTimeoutError": "pool",
    "ResourcePool": "resource_pool",
    # issue 6: observability
    "PerformanceProfiler": "profiler",
    "AsyncPerformanceMonitor": "monitor",
    "LoopLagWatchdog": "monitor",
    "MemoryOptimizer": "memory",
    "OptimizationChecker": "detectors",
    "CallRecorder": "detectors",
    "PerformanceBudget": "budgets",
    "BudgetReport": "budgets",
    "assert_within_budget": "budgets",
    "PerformanceMiddleware": "middleware",
    # issue 7: load testing
    "LoadTester": "loadtest",
    "LoadTestResult": "loadtest",
    "set_label": "loadtest",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # let type checkers and IDEs see the real objects
    from .batch import BatchError, BatchProcessor
    from .budgets import BudgetReport, PerformanceBudget, assert_within_budget
    from .cache import IntelligentCache
    from .detectors import CallRecorder, OptimizationChecker
    from .loadtest import LoadTester, LoadTestResult, set_label
    from .memory import MemoryOptimizer
    from .middleware import PerformanceMiddleware
    from .monitor import AsyncPerformanceMonitor, LoopLagWatchdog
    from .pool import ConnectionPool, PoolTimeoutError
    from .profiler import PerformanceProfiler
    from .resource_pool import ResourcePool
