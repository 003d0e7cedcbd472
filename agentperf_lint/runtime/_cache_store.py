"""Bounded entry stores for :class:`~agentperf_lint.runtime.cache.IntelligentCache`.

Both stores evict in O(1) amortised time, so a miss costs the same at 100 entries as at 100,000
(the origin sketch scanned every entry on every insert). The stores are not thread-safe: the cache
holds its lock around every call.

* :class:`LRUStore` keeps entries in recency order in an ``OrderedDict``.
* :class:`CostStore` approximates "evict the least valuable entry" (value = hits x compute time /
  age) by sampling a few random entries, the way Redis approximates LRU: exact minimum search is
  O(n), and a sample of 5 already picks from the least valuable fraction with high probability.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Entry:
    """One cached value with what eviction and the statistics need to know about it."""

    value: Any
    expires_at: float  # on the cache's clock; math.inf when the entry never expires
    created_at: float
    cost: float  # seconds the computation took (perf_counter), credited to every later hit
    hits: int = 0
    slot: int = -1  # index in CostStore's sampling list


class LRUStore:
    """Least-recently-used eviction."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.data: OrderedDict[Hashable, Entry] = OrderedDict()
        self.evictions = 0
        self.expirations = 0

    def touch(self, key: Hashable) -> None:
        """Record a hit: the entry becomes the most recently used."""
        self.data.move_to_end(key)

    def insert(self, key: Hashable, entry: Entry, now: float) -> None:
        """Store ``entry``; replacing an existing (possibly expired) key never evicts another."""
        data = self.data
        if key in data:
            data[key] = entry
            data.move_to_end(key)
            return
        while len(data) >= self.max_size:
            _, old = data.popitem(last=False)
            if old.expires_at <= now:
                self.expirations += 1
            else:
                self.evictions += 1
        data[key] = entry

    def remove(self, key: Hashable) -> Entry | None:
        return self.data.pop(key, None)

    def clear(self) -> None:
        self.data.clear()


class CostStore:
    """Cost-aware eviction by sampling: evict the lowest (hits + 1) x cost / age among a few."""

    def __init__(
        self, max_size: int, sample_size: int = 5, rng: random.Random | None = None
    ) -> None:
        self.max_size = max_size
        self.sample_size = sample_size
        self.data: dict[Hashable, Entry] = {}
        self._keys: list[Hashable] = []  # dense list for O(1) random sampling
        self._rng = rng or random.Random()
        self.evictions = 0
        self.expirations = 0

    def touch(self, key: Hashable) -> None:
        """Hits are already counted on the entry; nothing to reorder."""

    def insert(self, key: Hashable, entry: Entry, now: float) -> None:
        data = self.data
        old = data.get(key)
        if old is not None:
            entry.slot = old.slot
            data[key] = entry
            return
        while len(data) >= self.max_size:
            victim = self._pick_victim(now)
            if data[victim].expires_at <= now:
                self.expirations += 1
            else:
                self.evictions += 1
            self.remove(victim)
        entry.slot = len(self._keys)
        self._keys.append(key)
        data[key] = entry

    def _pick_victim(self, now: float) -> Hashable:
        keys, data, rand = self._keys, self.data, self._rng.random
        size = len(keys)
        best_key: Hashable = None
        best_score = float("inf")
        for _ in range(min(self.sample_size, size)):
            key = keys[int(rand() * size)]  # 5x cheaper than randrange
            entry = data[key]
            if entry.expires_at <= now:
                return key
            score = (entry.hits + 1) * entry.cost / max(now - entry.created_at, 1e-9)
            if score < best_score:
                best_key, best_score = key, score
        return best_key

    def remove(self, key: Hashable) -> Entry | None:
        entry = self.data.pop(key, None)
        if entry is not None:
            # swap-remove keeps the sampling list dense
            last = self._keys.pop()
            if entry.slot < len(self._keys):
                self._keys[entry.slot] = last
                self.data[last].slot = entry.slot
        return entry

    def clear(self) -> None:
        self.data.clear()
        self._keys.clear()
