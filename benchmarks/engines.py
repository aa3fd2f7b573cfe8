"""Engines for the routing forward pass: eager bf16 (shipped), eager fp32 and torch.compile, compared.

    python benchmarks/engines.py --run runs/NAME [--n 48] [--engines eager-bf16,eager-fp32,compile-bf16]
                                 [--out FILE.json]

The model is dispatch-bound on a small CPU (a decoder layer costs about as much for 1 token as for 20),
so latency is forward passes x cost of a pass. Drafted decoding (issue 12) cuts the passes; this
benchmark measures what each engine does to the cost of a pass, on the same decisions:

- `eager-bf16`: `Router.from_run(..., dtype="bfloat16")`, what `serve`/`route` use on a CPU with bf16;
- `eager-fp32`: the same model in float32;
- `compile-bf16` / `compile-fp32`: the model wrapped in `torch.compile(dynamic=True)` (inductor's C++
  kernels fuse the small ops a pass is made of, which is where a dispatch-bound pass spends its time);
  the first calls compile, so their time is reported apart as `warmup_s`;
- `llamacpp-bf16` / `llamacpp-q8_0` / `llamacpp-q4_0`: the passes (and grounding's beams) on llama.cpp
  (routers/llamacpp.py), the merged model exported to GGUF with those weights (bf16: the weights the
  torch runtime serves; q8_0 and q4_0 round them once more); needs `make llamacpp`. The export's time
  is in `load_s`.

Each engine routes the first N queries of the run's held-out split one at a time (after the warm-up on
8 other queries of it), then as batches of 16. Reported: p50/p95 per decision, wall time over decoding
passes (`Router.passes`; the time of grounding's beam fallbacks is in the wall time, their passes are not
counted), batched queries/s, and how many decisions (expert and spec) equal the first engine's.
Writes JSON with machine info and a markdown table next to it (FILE.md). Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import heldout_rows, machine_info, percentile  # noqa: E402  (the same machine facts as the latency bench)

ENGINES = ("eager-bf16", "eager-fp32", "compile-bf16", "compile-fp32", "llamacpp-bf16", "llamacpp-q8_0",
           "llamacpp-q4_0")


def load(run: Path, engine: str):
    import torch

    from routerforge.routers.generated import Router

    kind, dtype = engine.split("-")
    if kind == "llamacpp":
        import tempfile

        from routerforge.models.gguf_export import export_gguf
        from routerforge.models.loading import embedded_gguf
        from routerforge.routers.llamacpp import LlamaCppDecoder

        router = Router.from_run(run, dtype="bfloat16", engine="torch")
        with tempfile.TemporaryDirectory() as tmp:  # a benchmark's own export, not the cached one;
            path = Path(tmp) / f"{dtype}.gguf"  # llama.cpp has read (or mapped) it once the decoder is built
            export_gguf(router.model, embedded_gguf(), path, weight_type=dtype)
            router.engine = LlamaCppDecoder(router, path)
        return router
    router = Router.from_run(run, dtype={"bf16": "bfloat16", "fp32": "float32"}[dtype], engine="torch")
    if kind == "compile":
        # the prefix cache was filled eagerly at construction; every later pass goes through the compiled
        # module (the router and its prefill share it)
        compiled = torch.compile(router.model, dynamic=True)
        router.model = router.prefix.model = compiled
    return router


def measure_engine(run: Path, engine: str, queries: list[str], warm: list[str], batch: int) -> dict:
    t0 = time.perf_counter()
    router = load(run, engine)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for q in warm:  # compile (or first-call allocations) on queries not measured
        router.route(q)
    router.route_batch(warm[: min(batch, len(warm))])
    warmup_s = time.perf_counter() - t0
    passes0, ms, routed = router.passes, [], []
    for q in queries:
        t = time.perf_counter()
        routed.append(router.route(q))
        ms.append((time.perf_counter() - t) * 1000)
    passes = router.passes - passes0
    t = time.perf_counter()
    for i in range(0, len(queries), batch):
        router.route_batch(queries[i:i + batch])
    qps = len(queries) / (time.perf_counter() - t)
    return {"engine": engine, "n": len(queries), "load_s": load_s, "warmup_s": warmup_s,
            "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mean_ms": sum(ms) / len(ms),
            "passes_per_query": passes / len(queries), "ms_per_pass": sum(ms) / passes,
            "batched_qps": qps, "decisions": [[r.expert, r.spec] for r in routed]}


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"Forward-pass engines on `{report['run']}` ({m['cpu']}, {m['cores']} cores, {m['torch_threads']} "
             f"torch threads, torch {m['torch']}, {m['date']}); {report['n']} held-out queries one at a time, "
             f"then in batches of {report['batch_size']}; agreement with `{report['engines'][0]['engine']}`.", "",
             "| engine | p50 ms | p95 ms | wall ms / decoding pass | passes/q | batched q/s | warm-up s | same decisions |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for e in report["engines"]:
        lines.append(f"| {e['engine']} | {e['p50_ms']:.1f} | {e['p95_ms']:.1f} | {e['ms_per_pass']:.1f} | "
                     f"{e['passes_per_query']:.2f} | {e['batched_qps']:.1f} | {e['warmup_s']:.1f} | "
                     f"{e['same_as_first']}/{e['n']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True, help="trained run directory (uses its test split)")
    p.add_argument("--n", type=int, default=48, help="queries measured (default 48)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--engines", default="eager-bf16,eager-fp32,compile-bf16",
                   help=f"comma-separated, the first is the reference; of {', '.join(ENGINES)}")
    p.add_argument("--out", type=Path, help="JSON output (default RUN/eval/engines.json); FILE.md alongside")
    args = p.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad = [e for e in engines if e not in ENGINES]
    if bad or not engines or min(args.n, args.batch_size) < 1:
        p.error(f"--engines takes {', '.join(ENGINES)} (got {', '.join(bad) or 'none'}); --n, --batch-size >= 1")
    from routerforge.io import atomic_write_json, atomic_write_text

    rows = heldout_rows(args.run)
    if rows is None:
        return 2
    queries, warm = [r["query"] for r in rows[: args.n]], [r["query"] for r in rows[args.n: args.n + 8]]
    results = []
    for engine in engines:
        print(f"{engine}: loading and warming up", file=sys.stderr)
        entry = measure_engine(args.run, engine, queries, warm, args.batch_size)
        entry["same_as_first"] = sum(a == b for a, b in zip(results[0]["decisions"] if results else
                                                          entry["decisions"], entry["decisions"]))
        results.append(entry)
        print(f"{engine}: p50 {entry['p50_ms']:.1f} ms, {entry['ms_per_pass']:.1f} ms/pass, "
              f"{entry['batched_qps']:.1f} q/s batched, same {entry['same_as_first']}/{entry['n']}", file=sys.stderr)
    report = {"run": str(args.run), "n": len(queries), "batch_size": args.batch_size, "machine": machine_info(),
              "engines": results}
    out = args.out or Path(args.run) / "eval" / "engines.json"
    atomic_write_json(out, report)
    atomic_write_text(out.with_suffix(".md"), markdown(report))
    print(markdown(report))
    print(f"written: {out} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
