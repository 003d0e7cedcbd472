"""The ``json`` format: the machine-readable contract documented in docs/output-formats.md.

A top-level list, sorted by path, line, column and code, of :meth:`Finding.to_dict` objects.
The key set is :data:`~agentperf_lint.finding.JSON_KEYS`; adding a key is a compatible change,
renaming or removing one is not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..finding import Finding


def render_json(findings: Sequence[Finding]) -> str:
    records = [finding.to_dict() for finding in sorted(findings)]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
