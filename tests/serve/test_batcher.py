"""Micro-batching (serve/batcher.py): the collector on its own, then a real server under concurrent load."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import httpx
import pytest

from routerforge.routers.base import finish
from routerforge.serve.batcher import MicroBatcher, retry_after_s
from routerforge.serve.server import ServerLimits
from routerforge.serve.server_cli import ServerThread


def test_concurrent_submits_share_batches_and_keep_their_order():
    calls: list[list[str]] = []

    async def run_batch(queries):
        calls.append(list(queries))
        await asyncio.sleep(0.01)
        return [q.upper() for q in queries]

    async def main():
        b = MicroBatcher(run_batch, max_batch=4, window_s=0.01, max_queue=64)
        futures = [b.submit(f"q{i}") for i in range(10)]
        out = await asyncio.gather(*futures)
        await b.close()
        return out, b

    out, b = asyncio.run(main())
    assert out == [f"Q{i}" for i in range(10)]
    assert [len(c) for c in calls] == [4, 4, 2] and sum(calls, []) == [f"q{i}" for i in range(10)]
    assert b.sizes == [4, 4, 2] and b.batch_s is not None


def test_a_query_that_breaks_its_batch_fails_only_its_own_request():
    calls: list[list[str]] = []

    async def run_batch(queries):
        calls.append(list(queries))
        if "boom" in queries:
            raise RuntimeError("router exploded")
        return queries

    async def main():
        b = MicroBatcher(run_batch, max_batch=3, window_s=0.0)
        results = await asyncio.gather(b.submit("boom"), b.submit("x"), b.submit("z"), return_exceptions=True)
        good = await b.submit("y")
        await b.close()
        return results, good

    (boom, x, z), good = asyncio.run(main())
    assert isinstance(boom, RuntimeError) and (x, z, good) == ("x", "z", "y")
    assert calls == [["boom", "x", "z"], ["boom"], ["x"], ["z"], ["y"]]  # the batch, then one by one


def test_a_wrong_length_result_is_an_error_not_a_hang():
    async def run_batch(queries):
        return queries[:-1]

    async def main():
        b = MicroBatcher(run_batch, max_batch=2, window_s=0.0)
        r = await asyncio.gather(b.submit("a"), b.submit("b"), return_exceptions=True)
        await b.close()
        return r

    assert all("returned list of 0 for 1" in str(e) for e in asyncio.run(main()))  # retried one by one


def test_cancelled_requests_are_dropped_before_their_batch_runs():
    seen: list[list[str]] = []

    async def run_batch(queries):
        seen.append(list(queries))
        await asyncio.sleep(0.05)
        return queries

    async def main():
        b = MicroBatcher(run_batch, max_batch=1, window_s=0.0)
        first, second, third = b.submit("a"), b.submit("b"), b.submit("c")
        await asyncio.sleep(0.01)  # "a" is running, "b" and "c" wait
        second.cancel()
        assert await first == "a" and await third == "c"
        await b.close()

    asyncio.run(main())
    assert seen == [["a"], ["c"]]


def test_expected_wait_counts_the_batches_ahead():
    async def main():
        b = MicroBatcher(lambda q: asyncio.sleep(0, q), max_batch=4)
        assert b.expected_wait() == 0.0  # nothing timed yet
        b.batch_s = 30.0
        assert b.expected_wait() == 0.0  # idle: always admit, however slow the last batch was
        b.batch_s, b.running, b._run_started = 0.5, 3, time.perf_counter()
        for i in range(9):
            b._queue.append((f"q{i}", asyncio.get_running_loop().create_future()))
        fresh = b.expected_wait()
        b._run_started -= 2.0  # the running batch is 2 s in, past its usual 0.5 s: count 2 s more
        overdue = b.expected_wait()
        b._queue[0][1].cancel()  # a timed-out request no longer counts
        b._queue[1][1].cancel()
        return fresh, overdue, b.waiting

    fresh, overdue, waiting = asyncio.run(main())
    assert fresh == pytest.approx(0.5 * (1 + 2 + 1), abs=0.05)  # rest of running + 2 full batches + its own
    assert overdue == pytest.approx(2.0 + 0.5 * 3, abs=0.05) and waiting == 7
    assert [retry_after_s(x) for x in (0, 0.2, 1.0, 2.01)] == ["1", "1", "1", "3"]
    for bad in ({"max_batch": 0}, {"max_queue": 0}, {"window_s": -1}, {"window_s": 2}):
        with pytest.raises(ValueError):
            MicroBatcher(lambda q: q, **bad)


class CountingRouter:
    """`a * b` / `a + b` run by the real experts, with a fixed cost per route_batch call, as a model
    pass has: batching pays. Records each batch's size."""

    name = "counting"

    def __init__(self, cost_s: float = 0.05) -> None:
        self.cost_s, self.sizes, self.lock = cost_s, [], threading.Lock()

    def route(self, query: str):
        started = time.perf_counter()
        a, op, b = re.search(r"(\d+)\s*([*+])\s*(\d+)", query).groups()
        return finish(query, {"*": "multiply", "+": "add"}[op], f"{a} {op} {b}", started=started)

    def route_batch(self, queries):
        with self.lock:
            self.sizes.append(len(queries))
        time.sleep(self.cost_s)
        return [self.route(q) for q in queries]


class SlowRouter(CountingRouter):
    """The fixed cost on every single-query call too (the server's unbatched path calls `route`)."""

    def route(self, query: str):
        time.sleep(self.cost_s)
        return super().route(query)


async def _fire(url: str, queries: list[str], clients: int) -> list[httpx.Response]:
    sem = asyncio.Semaphore(clients)
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        async def one(q):
            async with sem:
                return await c.post("/v1/route", json={"query": q})
        return await asyncio.gather(*(one(q) for q in queries))


def test_the_server_answers_concurrent_routes_in_micro_batches():
    router = CountingRouter(cost_s=0.05)
    queries = [f"what is {i} * {i + 1}?" for i in range(64)]
    with ServerThread(router, limits=ServerLimits(micro_batch=16, batch_window_ms=5)) as srv:  # started
        replies = asyncio.run(asyncio.wait_for(_fire(srv.url, queries, clients=32), 60))
        metrics = httpx.get(f"{srv.url}/metrics", timeout=5).text
    assert [r.status_code for r in replies] == [200] * 64
    assert [r.json()["result"] for r in replies] == [str(i * (i + 1)) for i in range(64)]
    assert sum(router.sizes) == 64 and max(router.sizes) > 1 and len(router.sizes) < 64
    assert "routerforge_micro_batch_size_count" in metrics


@pytest.mark.parametrize("micro_batch", [2, 1])  # 1: one call at a time, no batcher (its own estimate)
def test_an_overloaded_server_sheds_with_503_and_retry_after_never_a_timeout(micro_batch):
    # 0.3 s a call (a batch of at most 2, or one query): far behind 48 clients
    router = CountingRouter(cost_s=0.3) if micro_batch > 1 else SlowRouter(cost_s=0.3)
    limits = ServerLimits(micro_batch=micro_batch, batch_window_ms=1, max_pending=8, timeout_s=2.0)
    queries = [f"{i} + 1" for i in range(96)]
    with ServerThread(router, limits=limits) as srv:
        replies = asyncio.run(asyncio.wait_for(_fire(srv.url, queries, clients=48), 90))
        shed = [r for r in replies if r.status_code == 503]
        ok = [r for r in replies if r.status_code == 200]
        assert len(shed) + len(ok) == 96, sorted({r.status_code for r in replies})  # no 504, no 500
        assert shed and ok
        assert all(r.json()["error"]["type"] == "overloaded" and int(r.headers["Retry-After"]) >= 1 for r in shed)
        assert all(r.json()["result"] == str(int(r.json()["spec"].split(" + ")[0]) + 1) for r in ok)
        assert "routerforge_router_timeouts_total 0.0" in httpx.get(f"{srv.url}/metrics", timeout=5).text
        assert httpx.post(f"{srv.url}/v1/route", json={"query": "2 * 21"}, timeout=10).json()["result"] == "42"


class PoisonRouter(CountingRouter):
    """Raises on a batch holding 'boom' (as a router bug on one input would)."""

    def route_batch(self, queries):
        if any("boom" in q for q in queries):
            raise RuntimeError("router exploded")
        return super().route_batch(queries)


def test_one_bad_query_in_a_micro_batch_fails_only_itself():
    router = PoisonRouter(cost_s=0.05)
    queries = [f"{i} * 2" for i in range(7)] + ["boom 1 + 1"]
    with ServerThread(router, limits=ServerLimits(micro_batch=8, batch_window_ms=20)) as srv:
        replies = asyncio.run(asyncio.wait_for(_fire(srv.url, queries, clients=8), 60))
    assert [r.status_code for r in replies] == [200] * 7 + [500]
    assert replies[-1].json()["error"]["type"] == "router_error"
    assert [r.json()["result"] for r in replies[:7]] == [str(2 * i) for i in range(7)]


class HangingRouter(CountingRouter):
    """Every batch blocks until `release` (at most 3 s): a stuck model."""

    def __init__(self) -> None:
        super().__init__(cost_s=0.0)
        self.release = threading.Event()

    def route_batch(self, queries):
        self.release.wait(3)
        return super().route_batch(queries)


def test_a_hung_router_gives_503_and_504_never_500_and_recovers():
    router = HangingRouter()
    limits = ServerLimits(micro_batch=2, batch_window_ms=1, max_pending=6, timeout_s=0.5)
    with ServerThread(router, limits=limits) as srv:
        replies = asyncio.run(asyncio.wait_for(_fire(srv.url, [f"{i} + 1" for i in range(30)], clients=12), 60))
        statuses = {r.status_code for r in replies}
        assert statuses <= {503, 504} and 504 in statuses, statuses  # shed or timed out, never a 500
        router.release.set()
        deadline = time.monotonic() + 10
        while (r := httpx.post(f"{srv.url}/v1/route", json={"query": "2 * 21"}, timeout=10)).status_code != 200 \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert r.json()["result"] == "42"  # not locked out by the slow batches it just timed
