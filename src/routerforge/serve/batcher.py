"""Micro-batching: concurrent `/v1/route` requests share one `route_batch` call.

A request is queued; one collector task takes what is waiting (at most `max_batch`), gives others
`window_s` to join when the batch is not full, and runs the batch as one call on the router's single
worker thread. The model is dispatch-bound on a CPU: a forward over 16 queries costs little more than
over one (docs/runtime.md), so under load many requests share each pass instead of queueing one by one.

Load is shed before it can time out: the batcher keeps a moving average of how long a batch takes, and
`expected_wait()` is how long a request joining now would wait (the batches ahead of it, plus its own).
The server refuses a request whose expected wait is over its timeout, or that finds `max_queue`
requests already waiting, with 503 and a `Retry-After` of that wait. A request whose client has gone
is dropped from its batch before the batch runs.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from typing import Any, Awaitable, Callable


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
        self.batch_s: float | None = None  # moving average of one batch's wall time
        self.batches = 0
        self.sizes: list[int] = []  # the size of each batch run, for metrics and tests

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def expected_wait(self) -> float:
        """Seconds a query queued now would wait for its answer: the rest of the running batch, every
        full batch ahead of it, and its own. 0 until a batch has been timed."""
        if self.batch_s is None:
            return 0.0
        ahead = len(self._queue) // self.max_batch
        return self.batch_s * (ahead + 1 + (1 if self.running else 0))

    def full(self) -> bool:
        return len(self._queue) >= self.max_queue

    def submit(self, query: str) -> asyncio.Future:
        """Queue `query`; the returned future gets its result (or the batch's exception). The caller
        checks `full()` / `expected_wait()` first; submitting to a full queue is a bug."""
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
                future.cancel()
        self._queue.clear()

    async def _collect(self) -> None:
        while True:
            while not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            if len(self._queue) < self.max_batch and self.window_s > 0:
                await asyncio.sleep(self.window_s)  # let requests arriving together join this batch
            batch = []
            while self._queue and len(batch) < self.max_batch:
                query, future = self._queue.popleft()
                if not future.done():  # cancelled: its client went away or timed out
                    batch.append((query, future))
            if batch:
                await self._run(batch)

    async def _run(self, batch: list[tuple[str, asyncio.Future]]) -> None:
        self.running = len(batch)
        started = time.perf_counter()
        try:
            results = await self.run_batch([q for q, _ in batch])
            if not isinstance(results, list) or len(results) != len(batch):
                raise RuntimeError(f"route_batch returned {type(results).__name__} of "
                                   f"{len(results) if isinstance(results, list) else '?'} for {len(batch)} queries")
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # a router bug: every request of the batch gets it; keep collecting
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
        finally:
            took = time.perf_counter() - started
            self.batch_s = took if self.batch_s is None else 0.7 * self.batch_s + 0.3 * took
            self.running = 0
            self.batches += 1
            self.sizes.append(len(batch))
            del self.sizes[:-1000]  # bounded
            if self.on_batch is not None:
                self.on_batch(len(batch))


def retry_after_s(seconds: float) -> str:
    """A `Retry-After` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
