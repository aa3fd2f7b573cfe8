"""Routing latency benchmark: naive generate-and-parse vs the cached constrained runtime vs the probe.

    python benchmarks/latency.py --run runs/NAME [--n 64] [--naive-n 16] [--out FILE.json]

On the first N queries of the run's held-out test split, in one process and on one machine:

- naive: `Router.route_naive` — `model.generate` on the full prompt, no prefix cache, parse the text;
- one_token: `Router.route` / `route_batch` with drafts off — cached system-prompt prefix, constrained
  greedy decoding, one token per forward pass (the reference the fast path must agree with);
- constrained: the same with drafted decoding (the served default): a pass feeds each row's next token and
  a draft (the rest of a forced name; what follows the spec's tail in the query) and keeps what greedy
  decoding would have picked; `same_as_one_token` counts the queries whose expert and spec agree;
- ungrounded: the constrained path without grounded decoding (no checks of the spec against the query,
  no beam candidates: the `ungrounded` router): what grounding costs in time, and buys in answers;
- chat_gate: the constrained path with the chat gate (RUN/chat_gate.json from `routerforge probe gate`):
  requests it is sure are chat are decided from the first layers of the prefill (routers/chat_gate.py);
  every other path runs without it;
- probe: `ProbeRouter.route` / `route_batch` — the expert from a linear probe on the prefill's hidden
  states, only the spec generated (needs RUN/probe.json from `routerforge probe fit`);
- llama.cpp: the constrained path with its passes (and grounding's beams) run by llama.cpp on the run's
  merged model exported to bf16 GGUF (`ROUTERFORGE_ENGINE=llama.cpp`; routers/llamacpp.py); needs
  llama-cpp-python (`make llamacpp`), skipped without it.

Single-query latency (p50/p95, wall time around each call, one warm-up call first) and batched
throughput (queries/s through `route_batch`), as absolute numbers and as ratios to naive, plus each
path's accuracy on the same queries (scored like `routerforge eval`). Naive is slow, so it runs on
the first `--naive-n` queries only. Writes JSON (with machine info and date) and a markdown table
snippet next to it (FILE.md); prints a rich table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict:
    import torch

    return {"cpu": cpu_model(), "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version(), "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def heldout_rows(run: Path) -> list[dict] | None:
    """The run's held-out test rows, or None (after a one-line error) when RUN is not a complete run."""
    from routerforge.evaluate.benchmarks import load_benchmark
    from routerforge.models.runs import RunError, read_run_info

    try:
        read_run_info(run)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return load_benchmark("heldout", run=run)


def percentile(values: list[float], q: float) -> float | None:
    import numpy as np

    return float(np.percentile(values, q)) if values else None


def time_single(route, queries: list[str]) -> tuple[list, list[float]]:
    """Route one query at a time; wall milliseconds per call."""
    routed, ms = [], []
    for q in queries:
        t0 = time.perf_counter()
        routed.append(route(q))
        ms.append((time.perf_counter() - t0) * 1000)
    return routed, ms


def time_batched(route_batch, queries: list[str], batch_size: int) -> float:
    """Queries per second through route_batch."""
    t0 = time.perf_counter()
    for i in range(0, len(queries), batch_size):
        route_batch(queries[i:i + batch_size])
    return len(queries) / (time.perf_counter() - t0)


def accuracy(rows: list[dict], routed: list) -> dict:
    from routerforge.evaluate.metrics import compute_metrics, score_row
    from routerforge.experts import expert_names

    preds = [{**r.to_dict(), "expert_class": r.expert_class} for r in routed]
    scores = [score_row(row, p, expert_names()) for row, p in zip(rows, preds)]
    m = compute_metrics(rows, preds, scores, None)
    exact = sum(r.expert == row.get("expected_expert") for row, r in zip(rows, routed)) / len(rows)
    return {"expert_accuracy": m["expert_accuracy"], "exact_expert_accuracy": exact,
            "answer_accuracy": m["answer_accuracy"], "result_accuracy": m["result_accuracy"],
            "format_validity": m["format_validity"]}


def get_expert_empty(expert: str) -> bool:
    """A decision with no spec to write (chat, a route to an upstream): one pass after the prefill."""
    from routerforge.experts import expert_names, get_expert

    return expert in expert_names() and get_expert(expert).empty_spec


def measure(args: argparse.Namespace) -> dict:
    from routerforge.evaluate.benchmarks import load_benchmark
    from routerforge.routers.generated import Router

    rows = load_benchmark("heldout", run=args.run)[: args.n]
    queries = [r["query"] for r in rows]
    naive_n = min(args.naive_n, len(queries))
    router = Router.from_run(args.run, batch_size=args.batch_size, engine="torch")
    drafts, gate = router.draft_tokens, router.chat_gate
    router.chat_gate = None  # only the chat_gate path has it (RUN/chat_gate.json, `routerforge probe gate`)

    def setting(fn, **attrs):  # the same loaded router, with these attributes while fn runs
        def call(*a):
            saved = {k: getattr(router, k) for k in attrs}
            router.__dict__.update(attrs)
            try:
                return fn(*a)
            finally:
                router.__dict__.update(saved)
        return call

    paths = {"naive": (router.route_naive, None, naive_n),
             "one_token": (setting(router.route, draft_tokens=0), setting(router.route_batch, draft_tokens=0),
                           len(queries)),
             "constrained": (setting(router.route, draft_tokens=drafts),
                             setting(router.route_batch, draft_tokens=drafts), len(queries)),
             "ungrounded": (setting(router.route, draft_tokens=drafts, grounding=False),
                            setting(router.route_batch, draft_tokens=drafts, grounding=False), len(queries))}
    if gate is not None:
        paths["chat_gate"] = (setting(router.route, draft_tokens=drafts, chat_gate=gate),
                              setting(router.route_batch, draft_tokens=drafts, chat_gate=gate), len(queries))
    if (Path(args.run) / "probe.json").is_file():
        from routerforge.routers.probe import ProbeRouter

        probe = ProbeRouter.from_run(args.run, router=router)  # shares the loaded model
        paths["probe"] = (probe.route, probe.route_batch, len(queries))
    else:
        print(f"no {args.run}/probe.json: skipping the probe path (run `routerforge probe fit --run {args.run}`)",
              file=sys.stderr)

    try:
        from routerforge.routers.llamacpp import LlamaCppDecoder, gguf_for_run

        engine = LlamaCppDecoder(router, gguf_for_run(router.model, Path(args.run)))
    except RuntimeError as exc:  # EngineError: llama-cpp-python is not installed
        engine = None
        print(f"skipping the llama.cpp path: {exc}", file=sys.stderr)
    if engine is not None:  # the same loaded router, its passes on llama.cpp
        paths["llama.cpp"] = (setting(router.route, engine=engine), setting(router.route_batch, engine=engine),
                              len(queries))

    results = {}
    for name, (single, batched, n) in paths.items():
        single(queries[0])  # warm-up: first-call allocations, lazy imports
        passes = router.passes
        routed, ms = time_single(single, queries[:n])
        chat = [m for m, r in zip(ms, routed) if r.expert_class == "chat" or get_expert_empty(r.expert)]
        spec = [m for m, r in zip(ms, routed) if not (r.expert_class == "chat" or get_expert_empty(r.expert))]
        entry = {"n": n, "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mean_ms": sum(ms) / n,
                 "chat_p50_ms": percentile(chat, 50), "expert_p50_ms": percentile(spec, 50),
                 "expert_p95_ms": percentile(spec, 95), "n_chat": len(chat),
                 "passes_per_query": (router.passes - passes) / n if name != "naive" else None,
                 "decisions": [[r.expert, r.spec] for r in routed],
                 "decode_paths": dict(Counter(r.extra.get("decode_path", "?") for r in routed)),
                 "single_qps": n / (sum(ms) / 1000),
                 "batched_qps": time_batched(batched, queries[:n], args.batch_size) if batched else None,
                 **accuracy(rows[:n], routed)}
        if n > naive_n:  # the same queries naive routed, for a like-for-like comparison
            entry["expert_accuracy_naive_subset"] = accuracy(rows[:naive_n], routed[:naive_n])["expert_accuracy"]
        results[name] = entry
        print(f"{name}: p50 {entry['p50_ms']:.1f} ms over {n} queries", file=sys.stderr)

    ref, fast = results["one_token"]["decisions"], results["constrained"]["decisions"]
    results["constrained"]["same_as_one_token"] = sum(a == b for a, b in zip(ref, fast))
    for name in ("chat_gate", "llama.cpp"):
        if name in results:
            results[name]["same_as_one_token"] = sum(a == b for a, b in zip(ref, results[name]["decisions"]))
    base = results["naive"]
    for entry in results.values():
        entry["speedup_p50_vs_naive"] = base["p50_ms"] / entry["p50_ms"]
        entry["speedup_p95_vs_naive"] = base["p95_ms"] / entry["p95_ms"]
        best = entry["batched_qps"] or entry["single_qps"]
        entry["throughput_vs_naive"] = best / base["single_qps"]
    return {"run": str(args.run), "n": len(queries), "naive_n": naive_n, "batch_size": args.batch_size,
            "machine": machine_info(), "paths": results}


COLUMNS = [("path", None), ("n", "n"), ("p50 ms", "p50_ms"), ("p95 ms", "p95_ms"),
           ("chat p50", "chat_p50_ms"), ("expert p50", "expert_p50_ms"), ("expert p95", "expert_p95_ms"),
           ("passes/q", "passes_per_query"),
           ("p50 × naive", "speedup_p50_vs_naive"), ("batched q/s", "batched_qps"),
           ("q/s × naive", "throughput_vs_naive"), ("expert acc", "expert_accuracy"),
           ("answer acc", "answer_accuracy")]


def _cell(key: str, value) -> str:
    if value is None:
        return "–"
    if key in ("expert_accuracy", "answer_accuracy"):
        return f"{value:.1%}"
    if key.startswith(("speedup", "throughput")):
        return f"{value:.1f}×"
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def _agree(e: dict) -> str:
    return "" if "same_as_one_token" not in e else f" (same expert and spec as one_token: {e['same_as_one_token']}/{e['n']})"


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"Routing latency on `{report['run']}` ({m['cpu']}, {m['cores']} cores, {m['torch_threads']} torch "
             f"threads, {m['date']}); naive on the first {report['naive_n']} queries, batches of "
             f"{report['batch_size']}.", "",
             "| " + " | ".join(c for c, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for name, e in report["paths"].items():
        lines.append("| " + " | ".join([name] + [_cell(k, e.get(k)) for _, k in COLUMNS[1:]]) + " |")
    lines += ["", *(f"{n}{_agree(e)}" for n, e in report["paths"].items() if _agree(e))]
    return "\n".join(lines) + "\n"


def print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"routing latency ({report['machine']['cpu']}, {report['machine']['torch_threads']} threads)")
    for col, _ in COLUMNS:
        table.add_column(col, justify="left" if col == "path" else "right")
    for name, e in report["paths"].items():
        table.add_row(name, *[_cell(k, e.get(k)) for _, k in COLUMNS[1:]])
    Console().print(table)
    for name, e in report["paths"].items():
        if _agree(e):
            Console().print(f"{name}{_agree(e)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True, help="trained run directory (uses its test split)")
    p.add_argument("--n", type=int, default=64, help="queries for the constrained and probe paths (default 64)")
    p.add_argument("--naive-n", type=int, default=16, help="queries for the slow naive path (default 16)")
    p.add_argument("--batch-size", type=int, default=16, help="route_batch size for throughput (default 16)")
    p.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    p.add_argument("--out", type=Path, help="JSON output (default RUN/eval/latency.json); FILE.md alongside")
    args = p.parse_args(argv)
    if min(args.n, args.naive_n, args.batch_size) < 1:
        p.error("--n, --naive-n and --batch-size must be at least 1")
    from routerforge.io import atomic_write_json, atomic_write_text

    if heldout_rows(args.run) is None:
        return 2
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    report = measure(args)
    out = args.out or Path(args.run) / "eval" / "latency.json"
    atomic_write_json(out, report)
    atomic_write_text(out.with_suffix(".md"), markdown(report))
    print_table(report)
    print(f"written: {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
