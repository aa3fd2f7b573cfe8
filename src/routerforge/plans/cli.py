"""`routerforge plan {prepare,generate,eval,train,bench,route}`: JSON route-plan data, evaluation, training, decoding.

`train` runs `plans.recipe.run_plan_train` (synthetic plans -> SFT -> run dir -> benchmark eval), or
with `router: decision` (configs/plan_router.yaml) `plans.decision_recipe.run_decision_train` (policy
data -> one prefill + linear heads -> grounded, composed plans -> benchmark eval);
`bench` scores the CourseGPT benchmarks again with a finished plan run of either kind (other limits,
unconstrained decoding), into a new report directory;
`route` prints the plan a trained plan run writes for one query (`plans.runtime` or `plans.decide`).

`eval` aligns PRED rows (`{"index"?, "completion"}`) with GOLD rows by order, or by `index` when
PRED rows carry one, scores them with `plans.metrics`, prints a rich table and writes
DIR/plan_metrics.json, DIR/plan_report.md, DIR/plan_per_row.jsonl and DIR/plan_metrics.png.
With `--gate FILE` it exits 1 and names each metric below/above its bound.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from routerforge.errors import UserError
from routerforge.configtools import read_yaml
from routerforge.io import read_jsonl
from routerforge.plans.report import print_table, write_report



def add_parser(subparsers) -> None:
    p = subparsers.add_parser("plan", help="JSON route plans: prepare, generate, eval, train, route")
    sub = p.add_subparsers(dest="plan_command", metavar="ACTION")
    p.set_defaults(func=lambda _args: (p.print_help(), 2)[1])

    pp = sub.add_parser("prepare", help="raw plan records -> prompt/completion splits")
    pp.add_argument("--input", required=True, help="raw JSONL (id, user_query, plan fields)")
    pp.add_argument("--out", required=True, help="output directory")
    _split_args(pp)
    pp.add_argument("--limit", type=int, default=None, help="keep the first N valid records")
    pp.set_defaults(func=_cmd_prepare)

    pg = sub.add_parser("generate", help="synthetic plan data (raw.jsonl + prepared splits)")
    pg.add_argument("--out", required=True)
    pg.add_argument("--examples", type=int, required=True, help="records (with --policy: train records)")
    pg.add_argument("--policy", action="store_true",
                    help="draw from the routing policy (plans.policy_data): train/val/test with held-out phrasings")
    pg.add_argument("--val-examples", type=int, default=400, help="--policy: val records (held-out phrasings)")
    pg.add_argument("--test-examples", type=int, default=400, help="--policy: test records (held-out phrasings, themes)")
    _split_args(pg, seed_default=0)
    pg.set_defaults(func=_cmd_generate)

    pe = sub.add_parser("eval", help="score predicted plans against gold plans")
    pe.add_argument("--pred", required=True, help="JSONL with completion (and optional index)")
    pe.add_argument("--gold", required=True, help="JSONL with completion (and optional categories)")
    pe.add_argument("--gate", default=None, help="YAML {metric: {min: x} | {max: y}}")
    pe.add_argument("--report", required=True, help="report directory")
    pe.add_argument("--compact", action="store_true", help="predictions are compact plans")
    pe.add_argument("--rubric", action="store_true", help="also score rationale completeness (plans/rubric.py)")
    pe.set_defaults(func=_cmd_eval)

    pt = sub.add_parser("train", help="train a plan router (synthetic plans -> SFT -> benchmark eval)")
    pt.add_argument("--config", help="YAML PlanTrainConfig (configs/plan_compact.yaml)")
    pt.add_argument("--out", required=True, help="run directory to create")
    pt.add_argument("--force", action="store_true", help="replace an existing run directory")
    pt.add_argument("--model", help="base model: smollm2-135m, a local HF dir, a .gguf file or a hub id")
    pt.add_argument("--examples", type=int, help="generated training plans (examples)")
    pt.add_argument("--limit", type=int, help="score only the first N rows of each benchmark (eval.limit)")
    pt.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override any config value, e.g. --set sft.lr=1e-4 (repeatable)")
    pt.set_defaults(func=_cmd_train)

    pb = sub.add_parser("bench", help="decode and score the CourseGPT benchmarks with a finished plan run")
    pb.add_argument("--run", required=True, help="run directory written by `plan train`")
    pb.add_argument("--report", required=True, help="report directory to create")
    pb.add_argument("--limit", type=int, help="score only the first N rows of each set (default: the run's eval.limit)")
    pb.add_argument("--all", action="store_true", help="score every row (overrides the run's eval.limit)")
    pb.add_argument("--no-constrain", action="store_true",
                    help="decode freely, then repair / fall back (measures the model without the grammar)")
    pb.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override an eval setting of the run's config, e.g. --set eval.batch_size=16")
    pb.add_argument("--force", action="store_true", help="replace an existing report directory")
    pb.set_defaults(func=_cmd_bench)

    pr = sub.add_parser("route", help="print the JSON plan a trained plan run writes for a query")
    pr.add_argument("--run", required=True, help="run directory written by `plan train`")
    pr.add_argument("query", nargs="+", help="the user query")
    pr.add_argument("--max-new-tokens", type=int, default=None)
    pr.add_argument("--raw", action="store_true", help="also print the raw model text and how it was finished")
    pr.set_defaults(func=_cmd_route)


def _split_args(p: argparse.ArgumentParser, seed_default: int = 42) -> None:
    p.add_argument("--seed", type=int, default=seed_default)
    p.add_argument("--val-ratio", type=float, default=0.1)
    p.add_argument("--test-ratio", type=float, default=0.05)
    p.add_argument("--vertex", action="store_true", help="also write Vertex AI tuning JSONL")
    p.add_argument("--compact", action="store_true", help="completions keep only the 3 routing keys")
    p.add_argument("--force", action="store_true", help="overwrite an existing output directory")


def _cmd_prepare(args) -> int:
    from routerforge.plans.prepare import prepare_plans

    summary = prepare_plans(args.input, args.out, seed=args.seed, val_ratio=args.val_ratio,
                            test_ratio=args.test_ratio, limit=args.limit, vertex=args.vertex,
                            force=args.force, compact=args.compact)
    for err in summary["errors"]:
        print(f"skipped {err}", file=sys.stderr)
    _print_summary(summary, args.out)
    return 0


def _cmd_generate(args) -> int:
    from routerforge.plans.generate import generate_plans

    if args.policy:
        from routerforge.plans.policy_data import generate_policy_data

        if args.examples < 2 or args.val_examples < 0 or args.test_examples < 0:
            raise UserError("--examples must be at least 2 and --val-examples/--test-examples at least 0")
        summary = generate_policy_data(args.out, train=args.examples, val=args.val_examples,
                                       test=args.test_examples, seed=args.seed, force=args.force)
        print(f"policy plans -> {args.out}: {summary['splits']}")
        return 0
    summary = generate_plans(args.out, examples=args.examples, seed=args.seed, compact=args.compact,
                             val_ratio=args.val_ratio, test_ratio=args.test_ratio, vertex=args.vertex,
                             force=args.force)
    _print_summary(summary, args.out)
    return 0


def _cmd_train(args) -> int:
    from routerforge.configtools import load_config
    from routerforge.plans.recipe import PlanTrainConfig, run_plan_train

    overrides = list(args.set)
    for flag, key in (("model", "model"), ("examples", "examples"), ("limit", "eval.limit")):
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{key}={value}")
    cfg = load_config(PlanTrainConfig, args.config, overrides)
    if cfg.router == "decision":
        from routerforge.plans.decision_recipe import run_decision_train

        result = run_decision_train(cfg, args.out, force=args.force)
    else:
        result = run_plan_train(cfg, args.out, force=args.force)
    print(f"plan run written to {result['out']} in {result['timings']['total_s']:.0f} s")
    return 0


def _cmd_bench(args) -> int:
    from routerforge.configtools import load_config
    from routerforge.io import partial_dir, publish
    from routerforge.models.runs import read_run_info
    from routerforge.plans.recipe import PlanTrainConfig, benchmark_path, evaluate_plan_run

    run, out = Path(args.run), Path(args.report)
    info = read_run_info(run)
    if info.get("kind") != "plan":
        raise UserError(f"{run} is not a plan run; train one with `routerforge plan train`")
    if out.exists() and not args.force:
        raise UserError(f"{out} exists; pass --force to overwrite it")
    if args.limit is not None and (args.limit < 1 or args.all):
        raise UserError("--limit must be at least 1 (and not combined with --all)")
    overrides = list(args.set)
    if any(not o.startswith("eval.") for o in overrides):
        raise UserError("--set changes eval.* settings only: the run is already trained")
    overrides += [f"eval.limit={args.limit}"] if args.limit else (["eval.limit=null"] if args.all else [])
    overrides += ["eval.constrained=false"] if args.no_constrain else []
    cfg = load_config(PlanTrainConfig, str(run / "config.yaml"), overrides)
    bench_files = [benchmark_path(cfg.eval.benchmark_dir, b) for b in cfg.eval.benchmarks]
    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    work = partial_dir(out)
    if work.exists():
        import shutil

        shutil.rmtree(work)
    if info.get("router") == "decision":
        from routerforge.plans.decide import PlanDecider
        from routerforge.plans.decision_eval import eval_sets, evaluate_decider

        if args.no_constrain:
            raise UserError("--no-constrain is for generative plan runs; a decision run writes no free text")
        flags = " --all" if args.all else f" --limit {args.limit}" if args.limit else ""
        evaluate_decider(PlanDecider.from_run(run), eval_sets(run, cfg, bench_files), work, cfg=cfg,
                         command=f"routerforge plan bench --run {run} --report {out}{flags}")
    else:
        evaluate_plan_run(run, cfg, bench_files, read_jsonl(run / "data" / "train.jsonl"), out_dir=work,
                          require_complete=True)
    publish(work, out)
    print(f"plan benchmark report written to {out / 'report.md'}")
    return 0


def _cmd_route(args) -> int:
    import json

    from routerforge.plans.format import plan_dict
    from routerforge.plans.runtime import PlanRouter

    from routerforge.models.runs import read_run_info

    if args.max_new_tokens is not None and args.max_new_tokens < 1:
        raise UserError("--max-new-tokens must be at least 1")
    info = read_run_info(Path(args.run))
    if info.get("kind") != "plan":
        raise UserError(f"{args.run} is not a plan run; train one with `routerforge plan train`")
    if info.get("router") == "decision":
        return _route_decision(args)
    kw = {"max_new_tokens": args.max_new_tokens} if args.max_new_tokens else {}
    router = PlanRouter.from_run(args.run, **kw)
    out = router.plan_batch([" ".join(args.query)])[0]
    print(json.dumps(plan_dict(out.plan), indent=2, ensure_ascii=False))
    if args.raw:
        print(f"outcome: {out.outcome} ({out.new_tokens} new tokens, {out.forced} forced by the grammar); "
              f"raw model text:\n{out.raw}", file=sys.stderr)
    elif out.outcome != "raw":
        print(f"note: the model output needed {out.outcome}", file=sys.stderr)
    return 0


def _route_decision(args) -> int:
    import json
    import time

    from routerforge.plans.decide import PlanDecider
    from routerforge.plans.format import plan_dict, validate_plan

    config = Path(args.run) / "config.yaml"
    threads = read_yaml(config).get("threads") if config.is_file() else 0
    if isinstance(threads, int) and threads > 0:  # the run's setting: 1 when other jobs share the CPU
        import torch

        torch.set_num_threads(threads)
    decider = PlanDecider.from_run(args.run)
    t = time.perf_counter()
    decision = decider.decide(" ".join(args.query))
    ms = (time.perf_counter() - t) * 1000
    print(json.dumps(plan_dict(validate_plan(decider.plan(decision))), indent=2, ensure_ascii=False))
    print(f"route {decision.route.name} (confidence {decision.confidence:.2f}, decided in {ms:.0f} ms, "
          f"first call included)", file=sys.stderr)
    if args.raw:
        for step, clause in zip(decision.steps, decision.clauses):
            print(f"  {step.split('(', 1)[0]} <- {clause if clause else '(composed: no clause fits)'}", file=sys.stderr)
    return 0


def _print_summary(summary: dict, out: str) -> None:
    from rich.console import Console

    s = summary["splits"]
    Console().print(f"[bold]{summary['valid']}[/] plans ({summary['skipped']} skipped) -> {out}: "
                    f"train {s['train']}, val {s['val']}, test {s['test']}; archetypes: "
                    + ", ".join(f"{k} {v}" for k, v in list(summary["archetypes"].items())[:8]))


def load_pairs(pred_path: str, gold_path: str) -> tuple[list[str], list[str], list[list[str]]]:
    """(pred completions, gold completions, gold categories), aligned."""
    pred_rows, gold_rows = read_jsonl(pred_path), read_jsonl(gold_path)
    gold = []
    for i, row in enumerate(gold_rows):
        if not isinstance(row.get("completion"), str):
            raise UserError(f"{gold_path}: row {i + 1} has no 'completion' string")
        cats = row.get("categories") or []
        gold.append((row.get("index", i), row["completion"], [str(c) for c in cats] if isinstance(cats, list) else [str(cats)]))
    for i, row in enumerate(pred_rows):
        if not isinstance(row.get("completion"), str):
            raise UserError(f"{pred_path}: row {i + 1} has no 'completion' string")
    if pred_rows and all("index" in r for r in pred_rows):
        by_index = {r["index"]: r["completion"] for r in pred_rows}
        missing = [idx for idx, _, _ in gold if idx not in by_index]
        if missing:
            print(f"warning: {len(missing)} gold rows have no prediction; scored as empty", file=sys.stderr)
        preds = [by_index.get(idx, "") for idx, _, _ in gold]
    else:
        if len(pred_rows) != len(gold):
            raise UserError(f"{len(pred_rows)} predictions for {len(gold)} gold rows; add 'index' to align them")
        preds = [r["completion"] for r in pred_rows]
    return preds, [g for _, g, _ in gold], [c for _, _, c in gold]


def _cmd_eval(args) -> int:
    from routerforge.plans.metrics import check_gate, evaluate_plans

    gate = read_yaml(args.gate) if args.gate else None  # fail on a bad gate before scoring
    preds, golds, cats = load_pairs(args.pred, args.gold)
    result = evaluate_plans(preds, golds, cats, compact=args.compact, rubric=args.rubric)
    failures = check_gate(result["overall"], gate, result["per_category"]) if gate is not None else []
    write_report(result, args.report, failures=failures, pred=args.pred, gold=args.gold)
    print_table(result)
    for line in failures:
        print(f"GATE FAILED: {line}", file=sys.stderr)
    return 1 if failures else 0
