"""Behaviour of BatchProcessor: tick batching, windows, limits, results, errors, cancellation."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

import pytest

from agentperf_lint.runtime.batch import BatchError, BatchProcessor


class Recorder:
    """An async batch function that records each batch and can be held at a gate."""

    def __init__(self) -> None:
        self.batches: list[list[object]] = []
        self.gate: asyncio.Event | None = None
        self.running = 0
        self.max_running = 0

    async def __call__(self, items: list[int]) -> list[object]:
        self.batches.append(list(items))
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            if self.gate is not None:
                await self.gate.wait()
            return [x * 10 for x in items]
        finally:
            self.running -= 1


@pytest.mark.asyncio
async def test_same_tick_items_form_one_batch() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn)
    results = await asyncio.gather(*(bp.process(i) for i in range(7)))
    assert results == [0, 10, 20, 30, 40, 50, 60]
    assert fn.batches == [list(range(7))]


@pytest.mark.asyncio
async def test_lone_item_is_dispatched_without_waiting_for_the_window() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn)
    # bounded: a processor that waited or polled would miss this deadline by far
    assert await asyncio.wait_for(bp.process(3), 5) == 30
    assert fn.batches == [[3]]


@pytest.mark.asyncio
async def test_full_batches_dispatch_at_once_and_window_collects_stragglers() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn, batch_size=3, max_wait_time=0.05)
    first = [asyncio.ensure_future(bp.process(i)) for i in range(4)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert fn.batches == [[0, 1, 2]]  # full batch went out before the window closed
    late = asyncio.ensure_future(bp.process(4))  # joins item 3 inside the window
    assert await asyncio.gather(*first, late) == [0, 10, 20, 30, 40]
    assert fn.batches == [[0, 1, 2], [3, 4]]


@pytest.mark.asyncio
async def test_max_workers_bounds_concurrent_batches() -> None:
    fn = Recorder()
    fn.gate = asyncio.Event()
    bp: BatchProcessor[int, int] = BatchProcessor(fn, batch_size=2, max_workers=2)
    tasks = asyncio.gather(*(bp.process(i) for i in range(10)))
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(fn.batches) == 2 and fn.running == 2
    fn.gate.set()
    assert await tasks == [i * 10 for i in range(10)]
    assert fn.max_running == 2 and len(fn.batches) == 5


@pytest.mark.asyncio
async def test_per_call_functions_are_batched_separately() -> None:
    a, b = Recorder(), Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor()
    results = await asyncio.gather(bp.process(1, a), bp.process(2, b), bp.process(3, a))
    assert results == [10, 20, 30]
    assert a.batches == [[1, 3]] and b.batches == [[2]]
    with pytest.raises(TypeError):
        await bp.process(1)


@pytest.mark.asyncio
async def test_sync_batch_function_runs_in_a_thread() -> None:
    seen: list[int] = []

    def sync_fn(items: list[int]) -> list[int]:
        seen.append(threading.get_ident())
        return [-x for x in items]

    bp: BatchProcessor[int, int] = BatchProcessor(sync_fn)
    assert await bp.process_many([1, 2]) == [-1, -2]
    assert seen and seen[0] != threading.get_ident()


@pytest.mark.asyncio
async def test_mapping_results_and_duplicates_sent_once() -> None:
    batches: list[list[str]] = []

    async def by_key(keys: list[str]) -> dict[str, str]:
        batches.append(keys)
        return {k: k.upper() for k in keys if k != "missing"}

    bp: BatchProcessor[str, str] = BatchProcessor(by_key)
    results = await asyncio.gather(
        bp.load("a"),
        bp.load("b"),
        bp.load("a"),
        bp.load("missing"),
        return_exceptions=True,
    )
    assert results[:3] == ["A", "B", "A"]
    assert isinstance(results[3], BatchError) and "missing" in str(results[3])
    assert batches == [["a", "b", "missing"]]
    assert bp.get_stats()["duplicates"] == 1


@pytest.mark.asyncio
async def test_custom_key_and_unhashable_items() -> None:
    async def ident(items: list[dict[str, int]]) -> list[int]:
        return [i["id"] for i in items]

    bp: BatchProcessor[dict[str, int], int] = BatchProcessor(
        ident, key=lambda d: d["id"]
    )
    assert await bp.load_many([{"id": 1}, {"id": 1}, {"id": 2}]) == [1, 1, 2]
    plain: BatchProcessor[list[int], int] = BatchProcessor(
        lambda items: [len(i) for i in items]
    )
    assert await plain.process_many([[1], [1, 2]]) == [1, 2]


@pytest.mark.asyncio
async def test_batch_exception_reaches_every_caller() -> None:
    async def broken(items: list[int]) -> list[int]:
        raise ConnectionError("db down")

    bp: BatchProcessor[int, int] = BatchProcessor(broken)
    results = await asyncio.gather(
        *(bp.process(i) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)


@pytest.mark.asyncio
@pytest.mark.parametrize("returned", [[1], [1, 2, 3, 4], None])
async def test_wrong_result_shape_is_a_clear_error_never_a_hang(
    returned: object,
) -> None:
    async def wrong(items: list[int]) -> object:
        return returned

    bp: BatchProcessor[int, int] = BatchProcessor(wrong)
    results = await asyncio.wait_for(
        asyncio.gather(*(bp.process(i) for i in range(3)), return_exceptions=True), 5
    )
    assert all(isinstance(r, BatchError) for r in results)
    assert "for 3 items" in str(results[0])


@pytest.mark.asyncio
async def test_exception_instance_fails_only_its_item() -> None:
    async def partial(items: list[int]) -> list[object]:
        return [ValueError(f"bad {x}") if x == 2 else x for x in items]

    bp: BatchProcessor[int, int] = BatchProcessor(partial)
    results = await asyncio.gather(
        *(bp.process(i) for i in range(4)), return_exceptions=True
    )
    assert results[0] == 0 and results[1] == 1 and results[3] == 3
    assert isinstance(results[2], ValueError)
    with pytest.raises(ValueError):
        await bp.process_many([1, 2, 3])


@pytest.mark.asyncio
async def test_cancelled_caller_does_not_disturb_others() -> None:
    fn = Recorder()
    fn.gate = asyncio.Event()
    bp: BatchProcessor[int, int] = BatchProcessor(fn)
    tasks = [asyncio.ensure_future(bp.process(i)) for i in range(3)]
    early = asyncio.ensure_future(bp.process(99))
    await asyncio.sleep(0)
    early.cancel()  # cancelled before the flush: its item is dropped from the batch
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    tasks[1].cancel()  # cancelled while the batch runs
    fn.gate.set()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert done[0] == 0 and done[2] == 20
    assert isinstance(done[1], asyncio.CancelledError)
    assert fn.batches == [[0, 1, 2]]


@pytest.mark.asyncio
async def test_aclose_flushes_pending_items_and_rejects_new_ones() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn, max_wait_time=60)
    waiting = [asyncio.ensure_future(bp.process(i)) for i in range(3)]
    await asyncio.sleep(0)
    assert fn.batches == []  # held by the 60 s window
    await asyncio.wait_for(bp.aclose(), 5)
    assert [t.result() for t in waiting] == [0, 10, 20]
    with pytest.raises(BatchError):
        await bp.process(1)


@pytest.mark.asyncio
async def test_async_with_waits_for_running_batches() -> None:
    fn = Recorder()
    async with BatchProcessor(fn, batch_size=2, max_workers=1) as bp:
        futs = [asyncio.ensure_future(bp.process(i)) for i in range(5)]
        await asyncio.sleep(0)
    assert all(f.done() for f in futs)
    assert len(fn.batches) == 3


def test_no_event_loop_bound_at_construction_and_reuse_across_loops() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(
        fn
    )  # no running loop here: must not fail
    assert asyncio.run(bp.process(1)) == 10
    assert asyncio.run(bp.process(2)) == 20


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        BatchProcessor(batch_size=0)
    with pytest.raises(ValueError):
        BatchProcessor(max_wait_time=-1)
    with pytest.raises(ValueError):
        BatchProcessor(max_workers=0)


@pytest.mark.asyncio
async def test_load_returns_a_future_for_cheap_gather() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn)
    futures = [bp.load(i) for i in range(3)]
    assert all(isinstance(f, asyncio.Future) for f in futures)
    assert await asyncio.gather(*futures) == [0, 10, 20]
    assert fn.batches == [[0, 1, 2]]


def test_finished_event_loops_are_not_kept_alive() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn)
    refs = []

    async def use() -> None:
        refs.append(weakref.ref(asyncio.get_running_loop()))
        await bp.process(1)

    for _ in range(3):
        asyncio.run(use())
    gc.collect()
    assert (
        sum(r() is not None for r in refs) <= 1
    )  # at most the last one, via a cached state


@pytest.mark.asyncio
async def test_process_many_raises_first_error_others_still_processed() -> None:
    seen: list[list[int]] = []

    async def partial(items: list[int]) -> list[object]:
        seen.append(items)
        return [ValueError(x) if x < 2 else x for x in items]

    bp: BatchProcessor[int, int] = BatchProcessor(partial, batch_size=2)
    with pytest.raises(ValueError, match="0"):
        await bp.process_many(range(6))
    await bp.aclose()
    assert seen == [[0, 1], [2, 3], [4, 5]]


@pytest.mark.asyncio
async def test_cancelled_process_many_drops_its_pending_items() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn, max_wait_time=60)
    task = asyncio.ensure_future(bp.process_many([1, 2]))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await bp.aclose()
    assert fn.batches == []


@pytest.mark.asyncio
async def test_process_returns_the_callers_future_so_gather_makes_no_task() -> None:
    bp: BatchProcessor[int, int] = BatchProcessor(Recorder())
    pending = bp.process(1)
    assert isinstance(pending, asyncio.Future)  # gather uses it as is: no task per item
    assert await pending == 10


@pytest.mark.asyncio
async def test_cancelling_one_process_caller_leaves_the_others_alone() -> None:
    fn = Recorder()
    bp: BatchProcessor[int, int] = BatchProcessor(fn)

    async def caller(i: int) -> int:
        return await bp.process(i)

    callers = [asyncio.ensure_future(caller(i)) for i in range(4)]
    direct = bp.process(4)
    assert isinstance(direct, asyncio.Future)
    await asyncio.sleep(0)  # the callers now wait on their futures; the batch is not sent yet
    callers[1].cancel()
    direct.cancel()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert results[0] == 0 and results[2] == 20 and results[3] == 30
    assert isinstance(results[1], asyncio.CancelledError)
    assert fn.batches == [[0, 2, 3]]  # cancelled items are not sent


@pytest.mark.asyncio
async def test_cancelling_a_caller_while_its_batch_runs_leaves_the_others_alone() -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(items: list[int]) -> list[int]:
        started.set()
        await release.wait()
        return [i * 10 for i in items]

    bp: BatchProcessor[int, int] = BatchProcessor(slow)
    futures = [bp.process(i) for i in range(3)]
    assert all(isinstance(f, asyncio.Future) for f in futures)
    await started.wait()
    futures[0].cancel()  # type: ignore[attr-defined]
    release.set()
    assert await asyncio.gather(*futures[1:]) == [10, 20]
    assert futures[0].cancelled()  # type: ignore[attr-defined]
