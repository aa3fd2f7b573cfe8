"""Micro-batching: concurrent `/v1/route` requests share one `route_batch` call.

A request is queued; one collector task takes what is waiting (at most `max_batch`), gives others
`window_s` to join when the batch is not full, and runs the batch as one call on the router's single
worker thread. The model is dispatch-bound on a CPU: a forward over 16 queries costs little more than
over one (docs/runtime.md), so under load many requests share each pass instead of queueing one by one.

Load is shed before it can time out: the batcher keeps a moving average of how long a batch takes, and
`expected_wait()` is how long a request joining now would wait (the rest of the running batch, the
batches ahead of it, and its own). The server refuses a request whose expected wait is over its
timeout, or that finds `max_queue` requests already waiting, with 503 and a `Retry-After`. An idle
batcher always admits (so one slow batch cannot lock the server out), and a batch running longer than
usual counts as at least as long again. A request that timed out is dropped from the queue before its
batch runs. When a batch raises, its queries are retried one by one, so one query that breaks the
router fails only its own request.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from typing import Any, Awaitable, Callable

log = logging.getLogger(__name__)


class BatcherClosed(RuntimeError):
    """The server is shutting down: a queued request will not be answered."""


class MicroBatcher:
    """Groups queued queries into batches for `run_batch(queries) -> results` (one result per query, in
    order). Create it inside the running event loop (its task and futures belong to that loop)."""

    def __init__(self, run_batch: Callable[[list[str]], Awaitable[list[Any]]], *, max_batch: int = 16,
                 window_s: float = 0.005, max_queue: int = 64,
                 on_batch: Callable[[int], None] | None = None) -> None:
        if not isinstance(max_batch, int) or max_batch < 1:
            raise ValueError(f"max_batch must be a positive integer, got {max_batch!r}")
        if not isinstance(max_queue, int) or max_queue < 1:
            raise ValueError(f"max_queue must be a positive integer, got {max_queue!r}")
        if not (isinstance(window_s, (int, float)) and 0 <= window_s < 1):
            raise ValueError(f"window_s must be at least 0 and under 1 second, got {window_s!r}")
        self.run_batch, self.max_batch, self.window_s, self.max_queue = run_batch, max_batch, window_s, max_queue
        self.on_batch = on_batch  # called with each batch's size (the server's histogram)
        self._queue: deque[tuple[str, asyncio.Future]] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.running = 0  # queries in the batch being run now
        self._run_started = 0.0
        self.batch_s: float | None = None  # moving average of one batch's wall time
        self.batches = 0
        self.sizes: list[int] = []  # the size of each batch run, for metrics and tests

    @property
    def waiting(self) -> int:
        """Queued requests still waiting (timed-out ones are dropped first)."""
        self._drop_done()
        return len(self._queue)

    def _drop_done(self) -> None:
        if any(f.done() for _, f in self._queue):
            self._queue = deque((q, f) for q, f in self._queue if not f.done())

    def expected_wait(self) -> float:
        """Seconds a query queued now would wait for its answer: the rest of the running batch (a batch
        past its usual time counts as running as long again), every full batch ahead, and its own.
        0 while nothing runs or waits, and until a batch has been timed."""
        waiting = self.waiting
        if self.batch_s is None or (not self.running and not waiting):
            return 0.0
        rest = 0.0
        if self.running:
            ran = time.perf_counter() - self._run_started
            rest = self.batch_s - ran if ran < self.batch_s else ran
        return rest + self.batch_s * (waiting // self.max_batch + 1)

    def full(self) -> bool:
        return self.waiting >= self.max_queue

    def submit(self, query: str) -> asyncio.Future:
        """Queue `query`; the returned future gets its result (or the exception its query raised). The
        caller checks `full()` / `expected_wait()` first; submitting to a full queue is a bug."""
        if self.full():
            raise RuntimeError("submit() on a full queue")
        future = asyncio.get_running_loop().create_future()
        self._queue.append((query, future))
        self._wakeup.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._collect())
        return future

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        for _, future in self._queue:
            if not future.done():
                future.set_exception(BatcherClosed("the server is shutting down"))
        self._queue.clear()

    async def _collect(self) -> None:
        try:
            while True:
                while not self._queue:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                if len(self._queue) < self.max_batch and self.window_s > 0:
                    await asyncio.sleep(self.window_s)  # let requests arriving together join this batch
                batch = []
                while self._queue and len(batch) < self.max_batch:
                    query, future = self._queue.popleft()
                    if not future.done():  # timed out while queued
                        batch.append((query, future))
                if batch:
                    await self._run(batch)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a bug here must not leave requests waiting for their timeout
            log.exception("micro-batch collector failed")
            for _, future in self._queue:
                if not future.done():
                    future.set_exception(exc)
            self._queue.clear()
            raise

    async def _run(self, batch: list[tuple[str, asyncio.Future]]) -> None:
        self.running, self._run_started = len(batch), time.perf_counter()
        try:
            try:
                results = await self._call([q for q, _ in batch])
            except asyncio.CancelledError:
                raise
            except Exception:
                if len(batch) == 1:
                    raise
                # one query may have broken the batch: run each alone, so only it fails
                for query, future in batch:
                    await self._resolve(future, [query])
            else:
                for (_, future), result in zip(batch, results):
                    if not future.done():
                        future.set_result(result)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # a router bug on a single query: that request gets it
            if not batch[0][1].done():
                batch[0][1].set_exception(exc)
        finally:
            took = time.perf_counter() - self._run_started
            self.batch_s = took if self.batch_s is None else 0.7 * self.batch_s + 0.3 * took
            self.running = 0
            self.batches += 1
            self.sizes.append(len(batch))
            del self.sizes[:-1000]  # bounded
            if self.on_batch is not None:
                self.on_batch(len(batch))

    async def _call(self, queries: list[str]) -> list[Any]:
        results = await self.run_batch(queries)
        if not isinstance(results, list) or len(results) != len(queries):
            raise RuntimeError(f"route_batch returned {type(results).__name__} of "
                               f"{len(results) if isinstance(results, list) else '?'} for {len(queries)} queries")
        return results

    async def _resolve(self, future: asyncio.Future, queries: list[str]) -> None:
        if future.done():
            return
        try:
            (result,) = await self._call(queries)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(result)


def retry_after_s(seconds: float) -> str:
    """A `Retry-After` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
