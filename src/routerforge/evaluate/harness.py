"""Run routers over truth rows and collect metrics and predictions.

`evaluate_routers(rows, routers)` routes every row with each router in batches (`route_batch`),
timing the batches for throughput, scores each prediction (`metrics.score_row`) and aggregates
(`metrics.compute_metrics`). A router that raises on a batch is not fatal: its rows become error
predictions, so one broken router never hides the others' results.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import Sequence

from routerforge.errors import InputError
from routerforge.evaluate.metrics import compute_metrics, score_row
from routerforge.routers.base import BaseRouter, Routed

DEFAULT_BATCH = 32


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # on stderr, so stdout stays the summary table (pipeable)
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=Console(stderr=True))


def _prediction(routed: Routed) -> dict:
    d = routed.to_dict()
    d["expert_class"] = routed.expert_class
    if "decode_path" in routed.extra:  # greedy / candidate:i / repaired / ungrounded (grounded decoding) / chat_gate
        d["decode_path"] = routed.extra["decode_path"]
    return d


def run_router(router: BaseRouter, queries: Sequence[str], *, batch_size: int = DEFAULT_BATCH,
               on_batch=None) -> tuple[list[dict], float]:
    """Predictions for all queries and the total route_batch wall time in seconds."""
    preds: list[dict] = []
    wall = 0.0
    for start in range(0, len(queries), batch_size):
        batch = list(queries[start:start + batch_size])
        t0 = time.perf_counter()
        try:
            routed = router.route_batch(batch)
            if len(routed) != len(batch):
                raise RuntimeError(f"route_batch returned {len(routed)} results for {len(batch)} queries")
        except Exception as exc:  # a router bug is recorded per row, not raised
            elapsed = (time.perf_counter() - t0) * 1000 / len(batch)
            routed = [Routed(q, "", ok=False, error=f"router error: {type(exc).__name__}: {exc}",
                             latency_ms=elapsed) for q in batch]
        wall += time.perf_counter() - t0
        preds.extend(_prediction(r) for r in routed)
        if on_batch:
            on_batch(len(batch))
    return preds, wall


def evaluate_routers(rows: Sequence[dict], routers: dict[str, BaseRouter], *, progress: bool = True,
                     batch_size: int = DEFAULT_BATCH) -> dict:
    """Metrics and predictions per router.

    Returns `{"n": N, "routers": {name: metrics}, "predictions": {name: [row + prediction + verdicts]}}`.
    """
    from routerforge.experts import expert_names

    if not rows:
        raise InputError("no rows to evaluate")
    if not routers:
        raise InputError("no routers to evaluate")
    known = expert_names()
    queries = [r["query"] for r in rows]
    results: dict = {"n": len(rows), "routers": {}, "predictions": {}}
    with _progress(progress) as bar:
        for name, router in routers.items():
            task = bar.add_task(name, total=len(rows)) if bar is not None else None
            step = (lambda n, t=task: bar.advance(t, n)) if bar is not None else None
            preds, wall = run_router(router, queries, batch_size=batch_size, on_batch=step)
            scores = [score_row(r, p, known) for r, p in zip(rows, preds)]
            results["routers"][name] = compute_metrics(rows, preds, scores, wall)
            results["routers"][name]["wall_s"] = wall
            results["predictions"][name] = [
                {"truth": {k: v for k, v in r.items() if k != "query"}, **p, **s}
                for r, p, s in zip(rows, preds, scores)
            ]
    return results
