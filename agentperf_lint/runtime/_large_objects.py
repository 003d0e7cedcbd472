"""Objects given to ``MemoryOptimizer.track_large_object``: size and type, never the object.

An entry holds a weak reference when the type allows one (class instances, sets, functions,
arrays...), so its report can say whether the object is still alive and the entry goes away
when the object dies. Built-in lists, dicts, tuples, strs and ints cannot be weakly referenced;
for them only ``id``, type and size are kept, so tracking can never keep the object alive, at
the price of not knowing when it dies (an ``id`` may be reused after that).
"""

from __future__ import annotations

import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LargeObjectTable", "approximate_size"]

# Items measured one by one before the size of a container is extrapolated from a sample.
_EXACT_ITEMS = 10_000


def approximate_size(obj: Any) -> tuple[int, bool]:
    """Bytes of ``obj`` plus the shallow size of its items (one level deep), and whether exact.

    Containers with more than 10,000 items are sized from an evenly spaced sample, so tracking
    a very large object stays cheap; the second value is then ``False``.
    """
    size = sys.getsizeof(obj)
    if isinstance(obj, Mapping):
        parts = (part for pair in obj.items() for part in pair)
        if len(obj) <= _EXACT_ITEMS:
            return size + sum(map(sys.getsizeof, parts)), True
        sample = [part for _, part in zip(range(2 * _EXACT_ITEMS), parts)]
        per_part = sum(map(sys.getsizeof, sample)) / len(sample)
        return size + int(per_part * 2 * len(obj)), False
    if isinstance(obj, (list, tuple, set, frozenset)):
        if len(obj) <= _EXACT_ITEMS:
            return size + sum(map(sys.getsizeof, obj)), True
        seq = obj if isinstance(obj, (list, tuple)) else list(obj)
        step = len(seq) // _EXACT_ITEMS
        sample = seq[::step]
        per_item = sum(map(sys.getsizeof, sample)) / len(sample)
        return size + int(per_item * len(seq)), False
    return size, True


@dataclass(slots=True)
class _Entry:
    type_name: str
    object_id: int
    size_bytes: int
    size_exact: bool
    tracked_at: float
    ref: weakref.ReferenceType[Any] | None

    def to_dict(self, obj_id: str) -> dict[str, Any]:
        return {
            "obj_id": obj_id,
            "type": self.type_name,
            "size_mb": self.size_bytes / (1024 * 1024),
            "size_bytes": self.size_bytes,
            "size_exact": self.size_exact,
            "weakly_referenced": self.ref is not None,
            # None: the type allows no weak reference, so whether it is alive is unknown
            "alive": None if self.ref is None else self.ref() is not None,
            "tracked_at": self.tracked_at,
        }


class LargeObjectTable:
    """``obj_id -> size, type`` for tracked objects; dead weakly referenced objects drop out.

    A weak reference's callback runs inside garbage collection, which may start in the middle of
    any allocation, even one made while this table holds its lock. So the callback only appends
    to a deque (atomic, no lock); the table drops the dead entries at its next call.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._dead: deque[tuple[str, _Entry]] = deque()
        self._lock = threading.Lock()
        self.freed = 0  # weakly referenced objects that died while tracked

    def track(self, obj_id: str, obj: Any) -> None:
        size, exact = approximate_size(obj)
        entry = _Entry(type(obj).__qualname__, id(obj), size, exact, time.time(), None)
        try:
            entry.ref = weakref.ref(obj, self._on_death(obj_id, entry))
        except TypeError:  # list, dict, tuple, str, int...: keep id and size only
            pass
        with self._lock:
            self._prune()
            self._entries[obj_id] = entry

    def _on_death(self, obj_id: str, entry: _Entry) -> Callable[[Any], None]:
        # The callback holds the entry, never the object.
        dead = self._dead
        return lambda _ref: dead.append((obj_id, entry))

    def _prune(self) -> None:
        """Drop entries whose object died (only if a later track() did not replace them)."""
        while self._dead:
            obj_id, entry = self._dead.popleft()
            if self._entries.get(obj_id) is entry:
                del self._entries[obj_id]
                self.freed += 1

    def untrack(self, obj_id: str) -> None:
        with self._lock:
            self._prune()
            self._entries.pop(obj_id, None)

    def __len__(self) -> int:
        with self._lock:
            self._prune()
            return len(self._entries)

    def report(self) -> dict[str, Any]:
        """Tracked objects, largest first, with their total size and how many have died."""
        with self._lock:
            self._prune()
            entries = list(self._entries.items())
            freed = self.freed
        rows = [entry.to_dict(obj_id) for obj_id, entry in entries]
        rows.sort(key=lambda row: row["size_bytes"], reverse=True)
        return {
            "large_objects_tracked": len(rows),
            "large_objects_mb": sum(row["size_bytes"] for row in rows) / (1024 * 1024),
            "large_objects_freed": freed,
            "large_objects": rows,
        }
