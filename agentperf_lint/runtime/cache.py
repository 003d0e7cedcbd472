"""``IntelligentCache``: a thread-safe memoising decorator for sync and async functions.

What it adds over ``functools.lru_cache`` and ``cachetools``: one decorator for both sync and
``async def`` functions (async results are cached as values, never the coroutine), single flight
(concurrent misses on one key compute once, across threads and across asyncio tasks), TTL on an
injectable monotonic clock with optional jitter, a cost-aware eviction policy, and statistics that
stay correct after evictions. See docs/runtime-helpers.md for the semantics under errors and
cancellation.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import math
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from ._aliases import UNSET, Unset, either
from ._cache_keys import Unkeyable, freeze, make_ignoring_key, raw_key
from ._cache_store import CostStore, Entry, LRUStore

__all__ = ["IntelligentCache"]

F = TypeVar("F", bound=Callable[..., Any])
KeyFunc = Callable[..., Hashable]
ArgsKey = Callable[[tuple[Any, ...], dict[str, Any]], Any]


@dataclass(slots=True, eq=False)
class _SyncFlight:
    """A computation in progress in one thread; other threads wait on ``done``."""

    owner: int  # thread id of the computing caller, to detect same-thread recursion
    # Created by the first waiter (under the cache lock): most misses have no waiter, and an
    # Event costs more than the rest of a miss.
    done: threading.Event | None = None
    value: Any = None
    error: BaseException | None = None
    # the computing caller left with a non-Exception (KeyboardInterrupt, SystemExit)
    aborted: bool = False
    cost: float = 0.0


@dataclass(slots=True, eq=False)
class _AsyncFlight:
    """A computation in progress as a task on one event loop, shared by its awaiting callers."""

    task: asyncio.Task[Any]
    loop: asyncio.AbstractEventLoop
    waiters: int = 0
    cost: float = 0.0


def _caller_cancelling() -> bool:
    """True if the current task has a pending cancellation request (always False before 3.11)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


class IntelligentCache:
    """A bounded, TTL-aware result cache shared by any number of decorated functions.

    Args:
        max_size: entries kept across all decorated functions (>= 1).
        default_ttl: seconds an entry lives, ``None`` for no expiry. ``cached(ttl_override=...)``
            overrides it per function; ``0`` means "do not cache". Default 3600.
        ttl_seconds: the origin guide's name for ``default_ttl`` (same meaning; pass one of them).
        policy: ``"lru"`` (default) evicts the least recently used entry; ``"cost"`` evicts the
            least valuable of ``sample_size`` random entries, value = (hits + 1) x compute time /
            age, so cheap, cold, old entries go first.
        jitter: fraction in [0, 1); each entry's TTL is drawn from ``[ttl * (1 - jitter), ttl]``
            so entries written together do not all expire (and recompute) together.
        clock: monotonic clock for TTLs, injectable for tests. Compute time is always measured
            with ``time.perf_counter``.
        sample_size: entries sampled per eviction by the ``"cost"`` policy.
        rng: random source for jitter and sampling, injectable for reproducible tests.
    """

    def __init__(
        self,
        max_size: int = 1000,
        default_ttl: float | None | Unset = UNSET,
        *,
        ttl_seconds: float | None | Unset = UNSET,
        policy: Literal["lru", "cost"] = "lru",
        jitter: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sample_size: int = 5,
        rng: random.Random | None = None,
    ) -> None:
        ttl: float | None = either(
            "default_ttl", default_ttl, "ttl_seconds", ttl_seconds, 3600.0,
            owner="IntelligentCache",
        )
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        if ttl is not None and ttl < 0:
            raise ValueError("default_ttl must be >= 0 or None")
        if not 0.0 <= jitter < 1.0:
            raise ValueError("jitter must be in [0, 1)")
        self._rng = rng or random.Random()
        self._store: LRUStore | CostStore
        if policy == "lru":
            self._store = LRUStore(max_size)
        elif policy == "cost":
            self._store = CostStore(max_size, sample_size, self._rng)
        else:
            raise ValueError(f"unknown policy {policy!r}; expected 'lru' or 'cost'")
        self.max_size = max_size
        self.default_ttl = ttl
        self._jitter = jitter
        self._clock = clock
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, _SyncFlight | _AsyncFlight] = {}
        self._serial = itertools.count()
        self._hits = 0
        self._misses = 0
        self._stampedes = 0
        self._bypassed = 0
        self._time_saved = 0.0
        self._compute_total = 0.0
        self._computed = 0

    @property
    def ttl_seconds(self) -> float | None:
        """The origin guide's name for :attr:`default_ttl`."""
        return self.default_ttl

    # ----------------------------------------------------------------- decorator
    def cached(
        self,
        ttl_override: float | None = None,
        key: KeyFunc | None = None,
        ignore: tuple[str, ...] | list[str] = (),
    ) -> Callable[[F], F]:
        """Decorate a sync or async function so its results are cached here.

        Args:
            ttl_override: seconds for this function's entries; ``0`` disables caching (calls go
                straight through and are counted as ``bypassed``).
            key: ``key(*args, **kwargs) -> hashable`` replacing the default argument key.
            ignore: parameter names left out of the key (a client, a logger, a session).
        """
        if ttl_override is not None and ttl_override < 0:
            raise ValueError("ttl_override must be >= 0")
        if key is not None and ignore:
            raise ValueError("give either key= or ignore=, not both")
        ttl = self.default_ttl if ttl_override is None else ttl_override

        def decorator(fn: F) -> F:
            # The decoration serial keeps two functions with one qualified name (closures made in
            # a loop, redefinitions) apart; the name makes keys readable when debugging.
            namespace = (f"{fn.__module__}.{fn.__qualname__}", next(self._serial))
            args_key = _build_args_key(fn, key, tuple(ignore))
            if inspect.iscoroutinefunction(fn):
                wrapper = self._wrap_async(fn, namespace, args_key, ttl)
            else:
                wrapper = self._wrap_sync(fn, namespace, args_key, ttl)
            functools.update_wrapper(wrapper, fn)
            wrapper.cache_key = functools.partial(_call_key, namespace, args_key)  # type: ignore[attr-defined]
            wrapper.invalidate = functools.partial(self.invalidate, wrapper)  # type: ignore[attr-defined]
            wrapper.cache = self  # type: ignore[attr-defined]
            return cast(F, wrapper)

        return decorator

    def _wrap_sync(
        self,
        fn: Callable[..., Any],
        namespace: Hashable,
        args_key: ArgsKey | None,
        ttl: float | None,
    ) -> Callable[..., Any]:
        if ttl == 0:
            return lambda *args, **kwargs: self._bypass(fn, args, kwargs)
        # The hit path is inlined: it is what every cached call pays.
        lock, data, clock = self._lock, self._store.data, self._clock
        move_to_end = data.move_to_end if isinstance(data, OrderedDict) else None

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args_key is None:
                k = (namespace, raw_key(args, kwargs) if kwargs else args)
            else:
                k = (namespace, args_key(args, kwargs))
            try:
                with lock:
                    entry = data.get(k)
                    if entry is not None and entry.expires_at > clock():
                        entry.hits += 1
                        self._hits += 1
                        self._time_saved += entry.cost
                        if move_to_end is not None:
                            move_to_end(k)
                        return entry.value
            except TypeError:  # an unhashable argument: only the look-up can raise here
                try:
                    k = (namespace, freeze(k[1]))
                except Unkeyable:
                    return self._bypass(fn, args, kwargs)
            return self._miss_sync(k, fn, args, kwargs, ttl)

        return wrapper

    def _wrap_async(
        self,
        fn: Callable[..., Awaitable[Any]],
        namespace: Hashable,
        args_key: ArgsKey | None,
        ttl: float | None,
    ) -> Callable[..., Any]:
        lock, data, clock = self._lock, self._store.data, self._clock
        move_to_end = data.move_to_end if isinstance(data, OrderedDict) else None

        async def bypass(*args: Any, **kwargs: Any) -> Any:
            with lock:
                self._bypassed += 1
            return await fn(*args, **kwargs)

        if ttl == 0:
            return bypass

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args_key is None:
                k = (namespace, raw_key(args, kwargs) if kwargs else args)
            else:
                k = (namespace, args_key(args, kwargs))
            try:
                with lock:
                    entry = data.get(k)
                    if entry is not None and entry.expires_at > clock():
                        entry.hits += 1
                        self._hits += 1
                        self._time_saved += entry.cost
                        if move_to_end is not None:
                            move_to_end(k)
                        return entry.value
            except TypeError:  # an unhashable argument: only the look-up can raise here
                try:
                    k = (namespace, freeze(k[1]))
                except Unkeyable:
                    return await bypass(*args, **kwargs)
            return await self._miss_async(k, fn, args, kwargs, ttl)

        return wrapper

    # ----------------------------------------------------------------- sync misses
    def _bypass(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        with self._lock:
            self._bypassed += 1
        return fn(*args, **kwargs)

    def _miss_sync(
        self,
        k: Hashable,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ttl: float | None,
    ) -> Any:
        me = threading.get_ident()
        while True:
            with self._lock:
                entry = self._live_entry(k)
                if entry is not None:
                    self._credit_hit(k, entry)
                    return entry.value
                flight = self._inflight.get(k)
                if flight is None:
                    flight = _SyncFlight(owner=me)
                    self._inflight[k] = flight
                    self._misses += 1
                    leader = True
                elif isinstance(flight, _SyncFlight) and flight.owner != me:
                    self._stampedes += 1
                    leader = False
                    if flight.done is None:
                        flight.done = threading.Event()
                else:  # the computing thread recursed into the same key: waiting would deadlock
                    self._misses += 1
                    flight = None
            if flight is None:
                return fn(*args, **kwargs)
            if leader:
                return self._compute_sync(k, flight, fn, args, kwargs, ttl)
            flight.done.wait()  # type: ignore[union-attr]
            if flight.error is not None:
                raise flight.error
            if not flight.aborted:
                with self._lock:
                    self._hits += 1
                    self._time_saved += flight.cost
                return flight.value
            # the computing thread was interrupted (not an ordinary error): compete again

    def _compute_sync(
        self,
        k: Hashable,
        flight: _SyncFlight,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ttl: float | None,
    ) -> Any:
        start = time.perf_counter()
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:
            if isinstance(exc, Exception):
                flight.error = exc
            else:
                flight.aborted = True
            with self._lock:
                self._forget_flight(k, flight)
                waiters = flight.done
            if waiters is not None:
                waiters.set()
            raise
        flight.cost = time.perf_counter() - start
        flight.value = value
        with self._lock:
            if self._forget_flight(k, flight):  # False if invalidated meanwhile
                self._store_value(k, value, flight.cost, ttl)
            self._record_computation(flight.cost)
            waiters = flight.done  # no waiter can join once the flight is forgotten
        if waiters is not None:
            waiters.set()
        return value

    # ----------------------------------------------------------------- async misses
    async def _miss_async(
        self,
        k: Hashable,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ttl: float | None,
    ) -> Any:
        loop = asyncio.get_running_loop()
        retried = False
        while True:
            with self._lock:
                entry = self._live_entry(k)
                if entry is not None:
                    self._credit_hit(k, entry)
                    return entry.value
                flight = self._inflight.get(k)
                joined = isinstance(flight, _AsyncFlight) and flight.loop is loop
                if joined:
                    self._stampedes += 1
                else:
                    self._misses += 1
                    if flight is None:
                        flight = self._start_async_flight(
                            k, loop, fn, args, kwargs, ttl
                        )
            if not isinstance(flight, _AsyncFlight) or flight.loop is not loop:
                # A flight on another event loop cannot be awaited from this one: compute alone.
                return await self._compute_async(k, None, fn, args, kwargs, ttl)
            flight.waiters += 1
            try:
                value = await asyncio.shield(flight.task)
            except asyncio.CancelledError:
                if flight.task.cancelled() and not retried and not _caller_cancelling():
                    # the computation itself was cancelled, not this caller: retry once
                    retried = True
                    continue
                flight.waiters -= 1
                if flight.waiters == 0 and not flight.task.done():
                    flight.task.cancel()  # nobody wants the result any more
                raise
            if joined:
                with self._lock:
                    self._hits += 1
                    self._time_saved += flight.cost
            return value

    def _start_async_flight(
        self,
        k: Hashable,
        loop: asyncio.AbstractEventLoop,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ttl: float | None,
    ) -> _AsyncFlight:
        """Run the computation as its own task so no single caller's cancellation kills it."""
        flight = _AsyncFlight(task=cast("asyncio.Task[Any]", None), loop=loop)
        flight.task = loop.create_task(
            self._compute_async(k, flight, fn, args, kwargs, ttl)
        )
        # A task cancelled before its first step never runs its body, so clean up in a callback.
        flight.task.add_done_callback(lambda _: self._forget_flight_locked(k, flight))
        self._inflight[k] = flight
        return flight

    async def _compute_async(
        self,
        k: Hashable,
        flight: _AsyncFlight | None,
        fn: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        ttl: float | None,
    ) -> Any:
        start = time.perf_counter()
        value = await fn(*args, **kwargs)
        cost = time.perf_counter() - start
        with self._lock:
            # store unless invalidated meanwhile
            if flight is None or self._inflight.get(k) is flight:
                self._store_value(k, value, cost, ttl)
            self._record_computation(cost)
        if flight is not None:
            flight.cost = cost
        return value

    # ----------------------------------------------------------------- bookkeeping (lock held)
    def _live_entry(self, k: Hashable) -> Entry | None:
        entry = self._store.data.get(k)
        if entry is not None and entry.expires_at <= self._clock():
            self._store.remove(k)
            self._store.expirations += 1
            return None
        return entry

    def _credit_hit(self, k: Hashable, entry: Entry) -> None:
        entry.hits += 1
        self._hits += 1
        self._time_saved += entry.cost
        self._store.touch(k)

    def _store_value(
        self, k: Hashable, value: Any, cost: float, ttl: float | None
    ) -> None:
        now = self._clock()
        if ttl is None:
            expires_at = math.inf
        else:
            expires_at = now + ttl * (1.0 - self._jitter * self._rng.random())
        self._store.insert(k, Entry(value, expires_at, now, cost), now)

    def _record_computation(self, cost: float) -> None:
        self._compute_total += cost
        self._computed += 1

    def _forget_flight(self, k: Hashable, flight: _SyncFlight | _AsyncFlight) -> bool:
        if self._inflight.get(k) is flight:
            del self._inflight[k]
            return True
        return False

    def _forget_flight_locked(self, k: Hashable, flight: _AsyncFlight) -> None:
        with self._lock:
            self._forget_flight(k, flight)

    # ----------------------------------------------------------------- public management
    def invalidate(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Drop the entry for ``func(*args, **kwargs)``; return whether one was cached.

        A computation of that key already running still returns to its callers but is not stored.
        """
        try:
            k = func.cache_key(*args, **kwargs)  # type: ignore[attr-defined]
        except AttributeError:
            raise TypeError(f"{func!r} is not decorated by this cache") from None
        except Unkeyable:
            return False
        with self._lock:
            self._inflight.pop(k, None)
            return self._store.remove(k) is not None

    def cache_clear(self) -> None:
        """Drop every entry and reset the statistics."""
        with self._lock:
            self._store.clear()
            self._inflight.clear()
            self._store.evictions = self._store.expirations = 0
            self._hits = self._misses = self._stampedes = self._bypassed = 0
            self._time_saved = self._compute_total = 0.0
            self._computed = 0

    def get_cache_stats(self) -> dict[str, Any]:
        """Counters since creation or the last ``cache_clear()``.

        ``hits`` counts calls served without computing, including callers that joined a
        computation already in flight (also counted in ``stampedes_avoided``); ``misses`` counts
        computations started. ``estimated_time_saved`` credits each hit with the compute time of
        the value it received.
        """
        with self._lock:
            lookups = self._hits + self._misses
            avg = self._compute_total / self._computed if self._computed else 0.0
            return {
                "size": len(self._store.data),
                "max_size": self.max_size,
                "hits": self._hits,
                "misses": self._misses,
                "hit_rate": self._hits / lookups if lookups else 0.0,
                "evictions": self._store.evictions,
                "expirations": self._store.expirations,
                "stampedes_avoided": self._stampedes,
                "bypassed": self._bypassed,
                "estimated_time_saved": self._time_saved,
                "avg_computation_time": avg,
            }

    def __len__(self) -> int:
        return len(self._store.data)


def _build_args_key(
    fn: Callable[..., Any], key: KeyFunc | None, ignore: tuple[str, ...]
) -> ArgsKey | None:
    """Pick the argument-key function once per decorated function; ``None`` is the default key."""
    if key is not None:
        user_key = key
        return lambda args, kwargs: (user_key(*args, **kwargs),)
    if ignore:
        return make_ignoring_key(fn, ignore)
    return None


def _call_key(
    namespace: Hashable, args_key: ArgsKey | None, *args: Any, **kwargs: Any
) -> Hashable:
    """The key a decorated call uses (for ``invalidate``); raises Unkeyable if it has none."""
    raw = args_key(args, kwargs) if args_key is not None else raw_key(args, kwargs)
    try:
        hash(raw)
    except TypeError:
        raw = freeze(raw)
    return (namespace, raw)
