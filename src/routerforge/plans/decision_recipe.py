"""The decision plan router, top to bottom: policy data -> one prefill per query -> linear heads -> eval.

    routerforge plan train --config configs/plan_router.yaml --out runs/plan-router

1. **data/**: `plans.policy_data` (the original system's policy, our own phrasings; train / val / test
   phrasings and themes held apart by `partition`). No benchmark row is read.
2. **heads**: the frozen base model encodes every train and val query once (`plans.encoder`); for each
   candidate layer the heads are fitted on train, and the shallowest layer within half a point of the
   best val route accuracy is kept (a shallower layer decides faster). Temperatures are fitted on val. No fine-tuning, no LoRA.
3. **heads.json + run.json** (`{"kind": "plan", "router": "decision", ...}`).
4. **eval/**: both CourseGPT benchmarks and the held-out synthetic test split, every row decided one
   query at a time (so the latency is a single request's), scored and reported (`plans.decision_eval`).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from rich.console import Console

from routerforge.configtools import to_dict
from routerforge.plans.decision_config import PlanDecisionConfig
from routerforge.io import atomic_write_json, read_jsonl
from routerforge.rundir import RunDir

TIE = 0.005  # val route accuracies this close count as equal (400 val rows: 2 rows)


def _encode(model_ref: str, rows: dict[str, list[dict]], layers: list[int], dtype: str, batch: int, console):
    from routerforge.models.loading import load_model
    from routerforge.plans.encoder import StateEncoder

    model, tok = load_model(model_ref)
    enc = StateEncoder(model, tok, layers, dtype=dtype)
    out = {}
    for split, split_rows in rows.items():
        t = time.time()
        spans = [[(a, b) for a, b, _ in r["segments"]] for r in split_rows]
        out[split] = enc.encode([r["query"] for r in split_rows], spans, batch_size=batch)
        console.print(f"encoded {split}: {len(split_rows)} queries in {time.time() - t:.0f} s")
    return out


def fit_heads(rows: dict[str, list[dict]], encoded: dict, layer: int, cfg: PlanDecisionConfig, seed: int) -> dict:
    """Every head at one layer, fitted on train and calibrated on val: the clause-role head (on the
    clause spans the generator labelled), the whole-query yes/no role heads and the difficulty head."""
    from routerforge.plans.decide import fit_role_heads
    from routerforge.plans.heads import LinearHead

    splits = ("train", "val")
    xq = {s: np.stack([e.query[layer] for e in encoded[s]]) for s in splits}
    xc = {s: np.concatenate([e.clauses[layer] for e in encoded[s]]) for s in splits}
    yc = {s: [lab for r in rows[s] for _, _, lab in r["segments"]] for s in splits}
    heads = {"clause": LinearHead.fit(xc["train"], yc["train"], C=cfg.C, seed=seed)}
    heads["clause"].calibrate(xc["val"], yc["val"])
    heads.update(fit_role_heads(xq, {s: [r["route"] for r in rows[s]] for s in splits}, C=cfg.C, seed=seed))
    heads["difficulty"] = LinearHead.fit(xq["train"], [r["difficulty"] for r in rows["train"]], C=cfg.C, seed=seed)
    heads["difficulty"].calibrate(xq["val"], [r["difficulty"] for r in rows["val"]])
    # difficulty is signalled by context sentences only; where the head is unsure the common level wins
    heads["difficulty"].fit_fallback(xq["val"], [r["difficulty"] for r in rows["val"]])
    return heads


def run_decision_train(cfg, out: str | Path, *, force: bool = False, console: Console | None = None) -> dict:
    """`plan train` for `router: decision` (cfg is a PlanTrainConfig)."""
    from routerforge.plans.decide import HEADS_FILE, PlanDecider, fit_route_temperature, route_accuracy, save_heads
    from routerforge.plans.decision_eval import evaluate_decider, eval_sets
    from routerforge.plans.encoder import resolve_dtype
    from routerforge.plans.policy_data import generate_policy_data
    from routerforge.plans.recipe import benchmark_path

    console = console or Console()
    dcfg: PlanDecisionConfig = cfg.decision
    bench_files = [benchmark_path(cfg.eval.benchmark_dir, b) for b in cfg.eval.benchmarks]  # fail before work
    run = RunDir(out, force=force, resumable=False)
    work = run.work
    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    run.write_config(to_dict(cfg))
    dtype = resolve_dtype(dcfg.dtype)

    with run.stage("data"):
        console.rule("policy data")
        summary = generate_policy_data(work / "data", train=cfg.examples, val=dcfg.val_examples,
                                       test=dcfg.test_examples, seed=cfg.seed, force=True)
        console.print(f"data: {summary['splits']} over {len(summary['routes']['train'])} routes")
        rows = {s: read_jsonl(work / "data" / f"{s}.jsonl") for s in ("train", "val")}

    with run.stage("heads"):
        console.rule("encode + fit heads")
        encoded = _encode(cfg.model, rows, dcfg.layers, dtype, dcfg.encode_batch, console)
        scores, fitted = {}, {}
        for layer in sorted(dcfg.layers):
            fitted[layer] = fit_heads(rows, encoded, layer, dcfg, cfg.seed)
            scores[layer] = route_accuracy(fitted[layer], encoded["val"], rows["val"], layer=layer,
                                           route_from=dcfg.route_from)
            console.print(f"layer {layer}: val route accuracy {scores[layer]:.3f}")
        # the shallowest layer within TIE of the best: fewer layers run per decision
        layer = min(k for k, v in scores.items() if v >= max(scores.values()) - TIE)
        heads = fitted[layer]
        temperature = fit_route_temperature(heads, encoded["val"], rows["val"], layer=layer, route_from=dcfg.route_from)
        save_heads(work / HEADS_FILE, heads, layer=layer, model=cfg.model, dtype=dtype, route_from=dcfg.route_from,
                   route_temperature=temperature,
                   meta={"layer_val_route_accuracy": {str(k): v for k, v in scores.items()},
                         "n_train": len(rows["train"]), "n_val": len(rows["val"]),
                         "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        del encoded
    atomic_write_json(work / "run.json", {"kind": "plan", "router": "decision", "model": cfg.model, "layer": layer,
                                          "dtype": dtype, "heads": HEADS_FILE, "tools": ["/math", "/code", "/general-search"],
                                          "seed": cfg.seed, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    with run.stage("eval"):
        console.rule("plan eval")
        decider = PlanDecider.from_run(work)
        results = evaluate_decider(decider, eval_sets(work, cfg, bench_files), work / "eval", cfg=cfg,
                                   console=console, command=f"routerforge plan train --out {out}")
    run.publish()
    return {"out": str(out), "metrics": results, "timings": run.timings}
