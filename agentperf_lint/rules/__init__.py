"""The rules: one class per module, discovered by :func:`agentperf_lint.registry.all_rules`.

Codes: ``APL0xx`` engine findings, ``APL1xx`` blocking calls in async code, ``APL2xx`` per-item
work in loops (N+1), ``APL3xx`` resource reuse and caching. Modules starting with ``_`` hold
shared helpers and are not scanned for rules.
"""
