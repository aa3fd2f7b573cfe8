"""The decision plan router's settings, scored on its val split: route accuracy per train size, layer and C.

    python benchmarks/plan_val_sweep.py [--examples 2400,7200] [--layers 8,10,12] [--C 0.02,0.05,0.1,0.2]
                                        [--concat 8+10,10+12] [--route-from clauses] [--model smollm2-135m]
                                        [--out FILE.json]

What `configs/plan_router.yaml`'s `examples`, `decision.layers` and `decision.C` were chosen by (docs/plans.md):
for each train size the policy data is generated as `plan train` does (seed 42; the val split is the same
for every size), train and val queries are encoded once at every layer (`plans.decision_recipe._encode`),
and for each (layer, C) the recipe's own `fit_heads` are fitted on train and scored on val with
`route_accuracy`. The test split and the benchmarks are never read. Writes JSON with machine info and a
markdown table next to it (FILE.md). `--concat 8+10` also scores the heads on two layers' pooled states
side by side (every layer of a combination must be in `--layers`). Encoding dominates: ~4 minutes for
7,200 queries on 2 idle cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import machine_info  # noqa: E402  (the same machine facts as the latency bench)


def sweep(sizes: list[int], layers: list[int], Cs: list[float], route_from: str, model: str, seed: int = 42,
          concat: list[tuple[int, ...]] = ()) -> list[dict]:
    import numpy as np

    from rich.console import Console

    from routerforge.io import read_jsonl
    from routerforge.plans.decide import route_accuracy
    from routerforge.plans.decision_config import PlanDecisionConfig
    from routerforge.plans.decision_recipe import _encode, fit_heads
    from routerforge.plans.policy_data import generate_policy_data

    console, out = Console(stderr=True), []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            generate_policy_data(Path(tmp) / "data", train=n, val=400, test=0, seed=seed, force=True)
            rows = {s: read_jsonl(Path(tmp) / "data" / f"{s}.jsonl") for s in ("train", "val")}
        t0 = time.time()
        encoded = _encode(model, rows, layers, "bfloat16", 16, console)
        encode_s = time.time() - t0
        for combo in concat:  # the pooled states of several layers side by side, under the key "8+10"
            key = "+".join(map(str, combo))
            for e in (e for split in encoded.values() for e in split):
                e.query[key] = np.concatenate([e.query[k] for k in combo])
                e.clauses[key] = np.concatenate([e.clauses[k] for k in combo], axis=1)
        for layer in [*layers, *("+".join(map(str, c)) for c in concat)]:
            for C in Cs:
                cfg = PlanDecisionConfig(layers=layers, C=C, route_from=route_from)
                heads = fit_heads(rows, encoded, layer, cfg, seed)
                acc = route_accuracy(heads, encoded["val"], rows["val"], layer=layer, route_from=route_from)
                out.append({"examples": n, "layer": layer, "C": C, "val_route_accuracy": acc, "encode_s": encode_s})
                console.print(f"examples {n} layer {layer} C {C}: val {acc:.4f}")
    return out


def markdown(report: dict) -> str:
    m, rows = report["machine"], report["rows"]
    Cs = sorted({r["C"] for r in rows})
    lines = [f"Plan router val route accuracy ({report['model']}, route from {report['route_from']}; {m['cpu']}, "
             f"{m['cores']} cores, {m['date']}).", "",
             "| train records | layer | " + " | ".join(f"C {c:g}" for c in Cs) + " |",
             "|---|---:|" + "---:|" * len(Cs)]
    for n, layer in dict.fromkeys((r["examples"], r["layer"]) for r in rows):
        acc = {r["C"]: r["val_route_accuracy"] for r in rows if (r["examples"], r["layer"]) == (n, layer)}
        lines.append(f"| {n:,} | {layer} | " + " | ".join(f"{acc[c]:.2%}" for c in Cs) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ints = lambda s: [int(x) for x in s.split(",") if x.strip()]  # noqa: E731
    p.add_argument("--examples", type=ints, default=[2400, 7200], help="train sizes (default 2400,7200)")
    p.add_argument("--layers", type=ints, default=[8, 10, 12], help="hidden_states indices (default 8,10,12)")
    p.add_argument("--C", type=lambda s: [float(x) for x in s.split(",") if x.strip()], default=[0.02, 0.05, 0.1, 0.2])
    p.add_argument("--concat", default=[], help="layer combinations to score side by side, e.g. 8+10,10+12",
                   type=lambda s: [tuple(int(x) for x in c.split("+")) for c in s.split(",") if c.strip()])
    p.add_argument("--route-from", default="clauses", choices=["clauses", "query", "both"])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--out", type=Path, default=Path("runs/plan_val_sweep.json"))
    args = p.parse_args(argv)
    if not args.examples or min(args.examples) < 20 or not args.layers or min(args.layers) < 1 or not args.C \
            or min(args.C) <= 0:
        p.error("--examples >= 20 each, --layers >= 1 each, --C > 0 each")
    if any(len(set(c)) != len(c) or len(c) < 2 or not set(c) <= set(args.layers) for c in args.concat):
        p.error("--concat: each combination names two or more different layers of --layers, e.g. 8+10")
    args.concat = list(dict.fromkeys(args.concat))
    import torch

    from routerforge.io import atomic_write_json, atomic_write_text

    torch.set_num_threads(max(1, torch.get_num_threads()))
    report = {"model": args.model, "route_from": args.route_from, "machine": machine_info(),
              "rows": sweep(args.examples, args.layers, args.C, args.route_from, args.model,
                                concat=args.concat)}
    atomic_write_json(args.out, report)
    atomic_write_text(args.out.with_suffix(".md"), markdown(report))
    print(markdown(report))
    print(f"written: {args.out} and {args.out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
