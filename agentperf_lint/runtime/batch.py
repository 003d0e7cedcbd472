"""``BatchProcessor``: turn many single-item awaits into few batch calls (the N+1 fix).

Items submitted during one event-loop tick form one batch, as in DataLoader: the first item of a
batch schedules a flush with ``loop.call_soon`` (or ``call_later(max_wait_time)``), so nothing
polls and a lone item is dispatched on the next loop iteration. A batch that reaches
``batch_size`` is dispatched at once, and at most ``max_workers`` batches run concurrently per
event loop. The processor binds no event loop until it is used, and keeps separate state per loop.
See docs/runtime-helpers.md for the error and cancellation semantics.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["BatchError", "BatchProcessor"]

T = TypeVar("T")
R = TypeVar("R")

BatchResult = Sequence[Any] | Mapping[Any, Any]
BatchFn = Callable[[list[Any]], Awaitable[BatchResult] | BatchResult]


class BatchError(RuntimeError):
    """An item got no result: the batch function broke its contract, or the processor closed."""


@dataclass(slots=True, eq=False)
class _Pending:
    """Items queued for one batch function on one loop, waiting for the flush."""

    items: list[Any] = field(default_factory=list)
    futures: list[asyncio.Future[Any]] = field(default_factory=list)
    handle: asyncio.Handle | asyncio.TimerHandle | None = None


@dataclass(slots=True, eq=False)
class _LoopState:
    """Everything the processor keeps for one event loop.

    The loop is held weakly: this state is the value of a WeakKeyDictionary keyed by the loop,
    and a strong reference here would keep every loop (and its state) alive forever.
    """

    loop_ref: weakref.ReferenceType[asyncio.AbstractEventLoop]
    pending: dict[BatchFn, _Pending] = field(default_factory=dict)
    running: int = 0
    backlog: deque[tuple[BatchFn, list[Any], list[asyncio.Future[Any]]]] = field(
        default_factory=deque
    )
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self.loop_ref()
        assert loop is not None, "state is only used while its loop runs"
        return loop


class BatchProcessor(Generic[T, R]):
    """Collect items into batches and resolve each caller with its own result.

    Args:
        batch_fn: ``fn(items) -> results`` used when ``process`` gets no function. It may be sync
            (run in a worker thread) or async, and returns a sequence in item order or a mapping
            from key to result. An exception *instance* as one item's result fails only that item.
        batch_size: most items per call; a batch that fills up is dispatched at once.
        max_wait_time: seconds a batch may wait for more items after its first one. ``0`` (the
            default) dispatches at the end of the current loop tick, DataLoader style.
        max_workers: most batch calls running at once per event loop; others wait their turn.
        key: ``key(item) -> hashable`` used to send duplicate items once and to look results up
            in a mapping; defaults to the item itself.
    """

    def __init__(
        self,
        batch_fn: BatchFn | None = None,
        *,
        batch_size: int = 100,
        max_wait_time: float = 0.0,
        max_workers: int = 4,
        key: Callable[[T], Hashable] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if max_wait_time < 0:
            raise ValueError("max_wait_time must be >= 0")
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.batch_fn = batch_fn
        self.batch_size = batch_size
        self.max_wait_time = max_wait_time
        self.max_workers = max_workers
        self._key = key
        self._closed = False
        # Loops are weakly referenced so a processor outliving many asyncio.run() calls keeps none.
        self._states: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _LoopState
        ] = weakref.WeakKeyDictionary()
        # The last loop's state, which spares the weak-dict look-up on every item.
        self._last_state: _LoopState | None = None
        self._stats = {"batches": 0, "items": 0, "duplicates": 0, "largest_batch": 0}

    # ------------------------------------------------------------------ public API
    def process(
        self,
        item: T,
        batch_fn: BatchFn | None = None,
        *,
        processor_func: BatchFn | None = None,
    ) -> Awaitable[R]:
        """Queue ``item`` for the next batch of ``batch_fn``; await the result.

        With an event loop running, returns the caller's own future rather than a coroutine, as
        DataLoader's ``load`` does: ``gather(*(processor.process(i, fn) for i in ids))`` then
        wraps no task around each item, which was most of its cost. Every caller has its own
        future, so cancelling one (or the task awaiting it) drops only that item and touches no
        other caller. To run it as a task use ``asyncio.ensure_future`` (``create_task`` accepts
        only coroutines). With no loop running (``asyncio.run(processor.process(x))``) nothing
        can be queued yet, so it returns a coroutine that queues the item when awaited.

        ``processor_func`` is the origin guide's name for ``batch_fn``; pass one of them.
        """
        if processor_func is not None:
            if batch_fn is not None:
                raise TypeError(
                    "process() got both batch_fn and processor_func (synonyms); pass one"
                )
            batch_fn = processor_func
        try:
            return self._enqueue_one(item, batch_fn)
        except RuntimeError as exc:  # no running loop (checked only on this rare path)
            if isinstance(exc, BatchError) or _loop_is_running():
                raise
            return self._process_when_awaited(item, batch_fn)

    async def _process_when_awaited(self, item: T, batch_fn: BatchFn | None) -> R:
        result: R = await self._enqueue_one(item, batch_fn)
        return result

    def load(self, item: T, batch_fn: BatchFn | None = None) -> asyncio.Future[R]:
        """The same as :meth:`process`, under DataLoader's name."""
        return self._enqueue_one(item, batch_fn)

    async def process_many(
        self, items: Iterable[T], batch_fn: BatchFn | None = None
    ) -> list[R]:
        """Queue several items at once; results come back in order.

        The first failing item's exception is raised; the other items are still processed, and
        if this call is cancelled, its items still pending are dropped from their batches.
        """
        futures = self._enqueue(items, batch_fn)
        try:
            return [await fut for fut in futures]
        except asyncio.CancelledError:
            for fut in futures:
                fut.cancel()
            raise
        except BaseException:
            # Only the first error is raised: mark the others retrieved, now or when they come.
            for fut in futures:
                fut.add_done_callback(_retrieve)
            raise

    load_many = process_many

    def get_stats(self) -> dict[str, int]:
        """Batches dispatched, items received, duplicates sent once, and the largest batch."""
        return dict(self._stats)

    async def aclose(self) -> None:
        """Stop accepting items, dispatch everything queued, and wait for running batches.

        Items queued on another event loop are dispatched there; this call waits only for the
        batches of the running loop.
        """
        self._closed = True
        current = asyncio.get_running_loop()
        for loop, state in list(self._states.items()):
            if loop is current:
                self._flush_all(state)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(self._flush_all, state)
        state = self._states.get(current)
        while state is not None and state.tasks:
            await asyncio.wait(set(state.tasks))

    async def __aenter__(self) -> BatchProcessor[T, R]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ queueing
    def _enqueue_one(self, item: T, batch_fn: BatchFn | None) -> asyncio.Future[Any]:
        """The per-item path of ``process`` and ``load``, kept lean: it runs once per item."""
        state, fn, pending = self._queue_for(batch_fn)
        fut = state.loop.create_future()
        pending.items.append(item)
        pending.futures.append(fut)
        if len(pending.items) >= self.batch_size:
            self._dispatch(state, fn, pending)
        return fut

    def _enqueue(
        self, items: Iterable[T], batch_fn: BatchFn | None
    ) -> list[asyncio.Future[Any]]:
        state, fn, pending = self._queue_for(batch_fn)
        create_future, batch_size = state.loop.create_future, self.batch_size
        futures = []
        for item in items:
            if pending is None:
                pending = self._new_pending(state, fn)
            fut = create_future()
            pending.items.append(item)
            pending.futures.append(fut)
            futures.append(fut)
            if len(pending.items) >= batch_size:
                self._dispatch(state, fn, pending)
                pending = None
        return futures

    def _queue_for(
        self, batch_fn: BatchFn | None
    ) -> tuple[_LoopState, BatchFn, _Pending]:
        if self._closed:
            raise BatchError("BatchProcessor is closed")
        fn = batch_fn or self.batch_fn
        if fn is None:
            raise TypeError(
                "no batch function: pass one to BatchProcessor() or to process()"
            )
        loop = asyncio.get_running_loop()
        state = self._last_state
        if state is None or state.loop_ref() is not loop:
            state = self._states.get(loop)
            if state is None:
                state = self._states[loop] = _LoopState(weakref.ref(loop))
            self._last_state = state
        pending = state.pending.get(fn)
        if pending is None:
            pending = self._new_pending(state, fn)
        return state, fn, pending

    def _new_pending(self, state: _LoopState, fn: BatchFn) -> _Pending:
        """Open a queue and schedule its flush: end of this tick, or after max_wait_time."""
        pending = state.pending[fn] = _Pending()
        if self.max_wait_time:
            pending.handle = state.loop.call_later(
                self.max_wait_time, self._flush, state, fn
            )
        else:
            pending.handle = state.loop.call_soon(self._flush, state, fn)
        return pending

    def _flush(self, state: _LoopState, fn: BatchFn) -> None:
        pending = state.pending.get(fn)
        if pending is not None and pending.items:
            self._dispatch(state, fn, pending)

    def _flush_all(self, state: _LoopState) -> None:
        for fn, pending in list(state.pending.items()):
            if pending.items:
                self._dispatch(state, fn, pending)

    def _dispatch(self, state: _LoopState, fn: BatchFn, pending: _Pending) -> None:
        if pending.handle is not None:
            pending.handle.cancel()
        # Drop the queue: the next item starts a fresh one with its own flush.
        del state.pending[fn]
        if state.running < self.max_workers:
            self._start(state, fn, pending.items, pending.futures)
        else:
            state.backlog.append((fn, pending.items, pending.futures))

    def _start(
        self,
        state: _LoopState,
        fn: BatchFn,
        items: list[Any],
        futures: list[asyncio.Future[Any]],
    ) -> None:
        state.running += 1
        task = state.loop.create_task(self._run(state, fn, items, futures))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)

    # ------------------------------------------------------------------ running a batch
    async def _run(
        self,
        state: _LoopState,
        fn: BatchFn,
        items: list[Any],
        futures: list[asyncio.Future[Any]],
    ) -> None:
        try:
            await self._call(fn, items, futures)
        finally:
            state.running -= 1
            if state.backlog:
                self._start(state, *state.backlog.popleft())

    async def _call(
        self, fn: BatchFn, items: list[Any], futures: list[asyncio.Future[Any]]
    ) -> None:
        keys, unique, groups = self._group(items, futures)
        if not unique:
            return  # every caller of this batch was cancelled
        stats = self._stats
        stats["batches"] += 1
        stats["items"] += len(items)
        stats["duplicates"] += len(items) - len(unique)
        stats["largest_batch"] = max(stats["largest_batch"], len(unique))
        try:
            if _is_async(fn):
                result = await fn(unique)  # type: ignore[misc]
            else:
                result = await asyncio.to_thread(fn, unique)
                if inspect.isawaitable(result):  # e.g. a lambda returning a coroutine
                    result = await result
        except asyncio.CancelledError:
            for group in groups.values():
                _cancel(group)
            raise
        except Exception as exc:  # noqa: BLE001 - the batch failed: every caller gets it
            for group in groups.values():
                _settle(group, exc)
            return
        _distribute(fn, result, keys, groups)

    def _group(
        self, items: list[Any], futures: list[asyncio.Future[Any]]
    ) -> tuple[list[Hashable], list[Any], dict[Hashable, list[asyncio.Future[Any]]]]:
        """Skip cancelled callers and send each distinct key once."""
        key = self._key
        keys: list[Hashable] = []
        unique: list[Any] = []
        groups: dict[Hashable, list[asyncio.Future[Any]]] = {}
        for item, fut in zip(items, futures):
            if fut.done():
                continue
            k = key(item) if key is not None else item
            try:
                group = groups.get(k)
            except TypeError:  # unhashable item: never deduplicated
                k, group = object(), None
            if group is None:
                groups[k] = [fut]
                keys.append(k)
                unique.append(item)
            else:
                group.append(fut)
        return keys, unique, groups


def _loop_is_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _is_async(fn: BatchFn) -> bool:
    """``async def`` functions, partials of them, and objects with an ``async def __call__``."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        type(fn).__call__
    )


def _distribute(
    fn: BatchFn,
    result: Any,
    keys: list[Hashable],
    groups: dict[Hashable, list[asyncio.Future[Any]]],
) -> None:
    name = getattr(fn, "__qualname__", repr(fn))
    if isinstance(result, Mapping):
        for k in keys:
            try:
                value = result[k]
            except (KeyError, TypeError):
                value = BatchError(
                    f"batch function {name} returned no result for key {k!r}"
                )
            _settle(groups[k], value)
        return
    try:
        values = result if isinstance(result, Sequence) else list(result)
    except TypeError:
        values = None
    if values is None or len(values) != len(keys):
        got = "a non-sequence" if values is None else f"{len(values)} results"
        error = BatchError(
            f"batch function {name} returned {got} for {len(keys)} items"
        )
        for group in groups.values():
            _settle(group, error)
        return
    for k, value in zip(keys, values):
        group = groups[k]
        if len(group) == 1 and not isinstance(
            value, Exception
        ):  # the common case, inlined
            fut = group[0]
            if not fut.done():
                fut.set_result(value)
        else:
            _settle(group, value)


def _settle(futures: list[asyncio.Future[Any]], value: Any) -> None:
    """Resolve the callers still waiting; an exception instance fails them instead."""
    fail = isinstance(value, Exception)
    for fut in futures:
        if not fut.done():
            if fail:
                fut.set_exception(value)
            else:
                fut.set_result(value)


def _retrieve(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled():
        fut.exception()


def _cancel(futures: list[asyncio.Future[Any]]) -> None:
    for fut in futures:
        fut.cancel()
