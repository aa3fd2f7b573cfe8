"""Server under load: concurrent clients against `routerforge serve`, with and without micro-batching.

    python benchmarks/server_load.py --run runs/NAME [--clients 32] [--n 96] [--out FILE.json]

Serves the run's trained router in this process (a real uvicorn server on 127.0.0.1, as `routerforge
serve` does) and sends the first N queries of its held-out split to `POST /v1/route` from `--clients`
concurrent httpx clients, once per mode:

- `one_at_a_time`: `--micro-batch 1`, each request its own router call (the server before micro-batching);
- `micro_batched`: `--micro-batch 16` (the default), concurrent requests answered by one `route_batch`.

Reports answered requests/s (200s only), p50/p95 latency of the answered ones, the status codes (503s
are shed load with `Retry-After`; any other 5xx is a failure; 0 a transport error), the number and mean
size of micro-batches (none in `one_at_a_time`), and the answers' accuracy against the held-out truth.
The clients run in the server's process, as the latency bench does: on 2 cores they take some CPU. Writes
JSON (machine info and date) and a markdown table next to it (FILE.md). Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import heldout_rows, machine_info, percentile  # noqa: E402  (the same machine facts as the latency bench)

MODES = {"one_at_a_time": 1, "micro_batched": 16}


async def _fire(url: str, queries: list[str], clients: int, timeout: float) -> list[tuple[int, dict, float]]:
    import httpx

    sem = asyncio.Semaphore(clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as c:
        async def one(q: str):
            async with sem:
                t0 = time.perf_counter()
                try:
                    r = await c.post("/v1/route", json={"query": q})
                except httpx.TransportError as exc:  # counted as status 0, never aborts the run
                    return 0, {"error": {"type": type(exc).__name__}}, (time.perf_counter() - t0) * 1000
                try:
                    body = r.json()
                except ValueError:
                    body = {"error": {"type": "not_json"}}
                return r.status_code, body, (time.perf_counter() - t0) * 1000
        return await asyncio.gather(*(one(q) for q in queries))


def run_mode(router, rows: list[dict], micro_batch: int, clients: int, timeout: float) -> dict:
    import httpx

    from routerforge.evaluate.metrics import score_row
    from routerforge.experts import expert_names
    from routerforge.serve.server import ServerLimits
    from routerforge.serve.server_cli import ServerThread

    limits = ServerLimits(micro_batch=micro_batch, timeout_s=timeout, max_pending=max(64, clients))
    queries = [r["query"] for r in rows]
    with ServerThread(router, limits=limits) as srv:  # returns once uvicorn has started
        asyncio.run(_fire(srv.url, queries[:2], 2, timeout))  # warm-up
        before = httpx.get(f"{srv.url}/metrics", timeout=5).text
        warm = {k: float(v) for k, v in re.findall(r"^routerforge_micro_batch_size_(sum|count) (\S+)$", before, re.M)}
        warm = {"count": warm.get("count", 0.0), "sum": warm.get("sum", 0.0)}
        t0 = time.perf_counter()
        replies = asyncio.run(_fire(srv.url, queries, clients, timeout + 30))
        wall = time.perf_counter() - t0
        metrics = httpx.get(f"{srv.url}/metrics", timeout=5).text
    statuses = Counter(s for s, _, _ in replies)
    ms = [m for s, _, m in replies if s == 200]
    ok_rows = [(row, body) for row, (s, body, _) in zip(rows, replies) if s == 200]
    scores = [score_row(row, body, expert_names()) for row, body in ok_rows]
    answered = [sc for sc in scores if sc.get("answer_ok") is not None]
    found = {k: float(v) for k, v in re.findall(r"^routerforge_micro_batch_size_(sum|count) (\S+)$", metrics, re.M)}
    # the histogram counts the warm-up's batches too: take them out
    batches, batched = found.get("count", 0.0) - warm["count"], found.get("sum", 0.0) - warm["sum"]
    return {"micro_batch": micro_batch, "requests": len(rows), "clients": clients, "wall_s": wall,
            "requests_per_s": len(rows) / wall, "answered_per_s": statuses.get(200, 0) / wall,
            "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "other_5xx": sum(v for k, v in statuses.items() if k >= 500 and k != 503),
            "micro_batches": int(batches), "mean_batch": batched / batches if batches else None,
            "expert_accuracy": sum(sc["class_ok"] for sc in scores) / len(scores) if scores else None,
            "answer_accuracy": sum(sc["answer_ok"] for sc in answered) / len(answered) if answered else None}


COLUMNS = [("mode", None), ("micro-batch", "micro_batch"), ("clients", "clients"), ("answered/s", "answered_per_s"),
           ("p50 ms", "p50_ms"), ("p95 ms", "p95_ms"), ("mean batch", "mean_batch"), ("statuses", "statuses"),
           ("expert acc", "expert_accuracy"), ("answer acc", "answer_accuracy")]


def _cell(key: str, value) -> str:
    if value is None:
        return "–"
    if key == "statuses":
        return ", ".join(f"{k}×{v}" for k, v in value.items())
    if key.endswith("accuracy"):
        return f"{value:.1%}"
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"`POST /v1/route` under {report['clients']} concurrent clients, {report['n']} held-out queries of "
             f"`{report['run']}` ({m['cpu']}, {m['cores']} cores, {m['date']}; engine "
             f"{report.get('engine', 'torch')}).", "",
             "| " + " | ".join(c for c, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for name, e in report["modes"].items():
        lines.append("| " + " | ".join([name] + [_cell(k, e.get(k)) for _, k in COLUMNS[1:]]) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True, help="trained run directory (uses its test split)")
    p.add_argument("--n", type=int, default=96, help="requests per mode (default 96)")
    p.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    p.add_argument("--timeout", type=float, default=30.0, help="the server's --timeout (default 30)")
    p.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    p.add_argument("--engine", default="auto", choices=["auto", "torch", "llama.cpp"],
                   help="what runs the router's passes (default $ROUTERFORGE_ENGINE, else torch)")
    p.add_argument("--out", type=Path, help="JSON output (default RUN/eval/server_load.json); FILE.md alongside")
    args = p.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if min(args.n, args.clients) < 1 or args.timeout <= 0 or not modes or set(modes) - set(MODES):
        p.error(f"--n and --clients must be at least 1, --timeout positive, --modes of {', '.join(MODES)}")
    from rich.console import Console

    from routerforge.io import atomic_write_json, atomic_write_text

    rows = heldout_rows(args.run)
    if rows is None:
        return 2
    from routerforge.routers.generated import Router

    rows = (rows * (args.n // len(rows) + 1))[: args.n]
    router = Router.from_run(args.run, engine=args.engine)
    engine = "llama.cpp" if router.engine is not None else "torch"
    report = {"run": str(args.run), "n": len(rows), "clients": args.clients, "engine": engine,
              "machine": machine_info(), "modes": {}}
    for name in modes:
        report["modes"][name] = entry = run_mode(router, rows, MODES[name], args.clients, args.timeout)
        print(f"{name}: {entry['requests_per_s']:.2f} req/s, p95 {entry['p95_ms'] or 0:.0f} ms, "
              f"{entry['statuses']}", file=sys.stderr)
    out = args.out or Path(args.run) / "eval" / "server_load.json"
    atomic_write_json(out, report)
    atomic_write_text(out.with_suffix(".md"), markdown(report))
    Console().print(markdown(report))
    print(f"written: {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
