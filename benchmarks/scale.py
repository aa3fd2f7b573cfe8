"""Local vs Ray on this machine: batch-routing throughput and sweep wall time.

    python benchmarks/scale.py --run RUN [--rows 20000] [--routers rules,embedding] [--workers 1,2]
                               [--shard-size 256] [--trials 4] [--sweep-config FILE] [--out FILE.json]

Routing: a `--rows`-row JSONL file (the run's own queries, repeated in order) is routed by
`routerforge route --input/--output` with each router of `--routers`, once on the local path and once on
Ray with each worker count of `--workers` (a local Ray of max(workers) CPUs, started before the clock
runs; its start-up is reported apart). Each Ray time includes starting the actors and loading their
routers, as a user pays it. rows/s = rows / wall seconds. The decisions (query, expert, spec, confidence)
are checked equal to the local path's, row by row.

Sweep: `--trials` grid trials of a sweep, one after another (`--backend local`) and as Ray Tune trials
(`--backend ray --workers 2`, one CPU each). By default the trials train the tiny random model
(`routerforge.models.tiny`: 2 SFT steps, a few eval rows), which measures the machinery, not a recipe;
`--sweep-config configs/sweeps/smoke.yaml` times real trials instead (minutes each).

Run it on an idle machine: other jobs on the same 2 cores change every number here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import machine_info  # noqa: E402


def _queries(run: Path, rows: int) -> list[str]:
    pool = [json.loads(line)["query"] for split in ("train", "val", "test")
            for line in (run / "data" / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    return [pool[i % len(pool)] for i in range(rows)]


def _decisions(path: Path) -> list[tuple]:
    """What the router decided, row by row (not latency, nor the time expert's result: the clock's)."""
    return [(r["query"], r["expert"], r["spec"], r["confidence"])
            for r in map(json.loads, path.read_text().splitlines())]


def bench_routing(run: Path, rows: int, routers: list[str], workers: list[int], tmp: Path,
                  shard_size: int = 256) -> list[dict]:
    from routerforge.cli import main
    from routerforge.train.raycluster import start_ray

    src = tmp / "queries.jsonl"
    src.write_text("".join(json.dumps({"query": q}) + "\n" for q in _queries(run, rows)))
    t0 = time.perf_counter()
    start_ray(num_cpus=max(workers))
    ray_start = time.perf_counter() - t0
    results = []
    for router in routers:
        local = tmp / f"{router}-local.jsonl"
        t0 = time.perf_counter()
        assert main(["route", "--run", str(run), "--router", router, "--input", str(src), "--output", str(local)]) == 0
        wall = time.perf_counter() - t0
        results.append({"router": router, "backend": "local", "workers": 1, "rows": rows, "wall_s": round(wall, 2),
                        "rows_per_s": round(rows / wall, 1)})
        print(json.dumps(results[-1]), flush=True)
        for n in workers:
            out = tmp / f"{router}-ray{n}.jsonl"
            t0 = time.perf_counter()
            assert main(["route", "--run", str(run), "--router", router, "--input", str(src), "--output", str(out),
                         "--backend", "ray", "--workers", str(n), "--shard-size", str(shard_size)]) == 0
            wall = time.perf_counter() - t0
            same = _decisions(out) == _decisions(local)
            results.append({"router": router, "backend": "ray", "workers": n, "rows": rows, "wall_s": round(wall, 2),
                            "rows_per_s": round(rows / wall, 1), "same_as_local": same,
                            "ray_start_s": round(ray_start, 2)})
            print(json.dumps(results[-1]), flush=True)
    return results


def tiny_sweep(tmp: Path, trials: int) -> Path:
    """A grid of `trials` trials on the tiny random model (2 SFT steps, 4 eval rows each)."""
    import yaml

    from routerforge.models.tiny import save_tiny

    model = save_tiny(tmp / "tiny-model")
    base = tmp / "tiny-base.yaml"
    base.write_text(yaml.safe_dump({
        "model": str(model), "seed": 0, "prompt_style": "minimal", "data": {"examples": 60, "seed": 0},
        "sft": {"lora_r": 4, "lora_alpha": 8, "lora_layers": 1, "cache_frozen": True, "max_steps": 2, "batch_size": 4},
        "rl": {"iterations": 0}, "eval": {"split": "test", "batch_size": 4}}))
    sweep = tmp / "tiny-sweep.yaml"
    sweep.write_text(yaml.safe_dump({"base": str(base), "params": {"sft.lora_r": [4, 8, 16, 32][:max(trials, 1)]},
                                     "trials": trials, "limit": 16, "eval_rows": 4,
                                     "drift": {"rows": 2, "max_new_tokens": 6}}))
    return sweep


def bench_sweep(config: Path, tmp: Path) -> list[dict]:
    from routerforge.cli import main

    results = []
    for backend, extra in (("local", []), ("ray", ["--workers", "2"])):
        out = tmp / f"sweep-{backend}"
        t0 = time.perf_counter()
        assert main(["sweep", "--config", str(config), "--out", str(out), "--backend", backend, *extra]) == 0
        wall = time.perf_counter() - t0
        book = [json.loads(line) for line in (out / "logbook.jsonl").read_text().splitlines()]
        results.append({"backend": backend, "workers": 2 if extra else 1, "trials": len(book),
                        "statuses": sorted({r["status"] for r in book}), "wall_s": round(wall, 1),
                        "trial_wall_s": [r["wall_s"] for r in book]})
        print(json.dumps(results[-1]), flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True,
                   help="a run directory (its data/ gives the queries; `trained` uses its model)")
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--routers", default="rules", help="comma-separated router names (rules, embedding, trained, ...)")
    p.add_argument("--workers", default="1,2", help="Ray worker counts to time")
    p.add_argument("--shard-size", type=int, default=256, help="Ray rows per shard (smaller for a small file)")
    p.add_argument("--trials", type=int, default=4, help="sweep trials (0 skips the sweep part)")
    p.add_argument("--sweep-config", help="a sweep file to time instead of the tiny-model grid")
    p.add_argument("--out", help="write the results as JSON here")
    args = p.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    tmp = Path(tempfile.mkdtemp(prefix="rf-scale-"))
    result = {"machine": machine_info(), "load_avg_start": os.getloadavg(),
              "routing": bench_routing(Path(args.run), args.rows, args.routers.split(","),
                                       [int(w) for w in args.workers.split(",")], tmp, args.shard_size)}
    if args.trials:
        config = Path(args.sweep_config) if args.sweep_config else tiny_sweep(tmp, args.trials)
        result["sweep"] = {"config": str(args.sweep_config or "tiny model grid"), "runs": bench_sweep(config, tmp)}
    result["load_avg_end"] = os.getloadavg()

    print("\n| router | backend | workers | rows | wall s | rows/s |\n|---|---|---:|---:|---:|---:|")
    for r in result["routing"]:
        print(f"| {r['router']} | {r['backend']} | {r['workers']} | {r['rows']} | {r['wall_s']} | {r['rows_per_s']} |")
    for r in result.get("sweep", {}).get("runs", []):
        print(f"sweep {r['backend']} ({r['workers']} at once): {r['trials']} trials in {r['wall_s']} s")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
