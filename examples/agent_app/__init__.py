"""A small multi-agent app, written the way agent code often is: full of the mistakes
agentperf-lint catches, each next to the correct way.

- ``main.py``: the entry point wiring everything together;
- ``orchestrator.py`` and ``store.py``: per-item awaits and queries (APL2xx);
- ``tools.py``, ``settings.py``, ``legacy_store.py``: blocking calls in async code (APL1xx);
- ``llm.py`` and ``http_api.py``: clients re-created per call, broken caches, no timeouts (APL3xx).

Lint it with ``agentperf-lint examples/``. It is never run by the tests, only linted.
"""
