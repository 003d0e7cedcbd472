"""The cyclic garbage collector's pace during a command-line lint run.

A libcst parse allocates a whole tree at once. The trees hold no reference cycles and are freed
by reference counting, but at Python's default thresholds (700, 10, 10) their allocation set
off full collections that walked everything alive each time: the file's tree, the rule tables,
the project model's summaries. Those took 10-15% of a cold run on the agent repositories of
bench/engine.md. Collecting less often keeps them to a few per run, for some 10-25 MB more
memory at the peak; the language server keeps Python's defaults.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

LINT_THRESHOLDS = (5000, 20, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage at :data:`LINT_THRESHOLDS` while the block runs (the previous
    thresholds come back after it)."""
    previous = gc.get_threshold()
    gc.set_threshold(*LINT_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
