"""`routerforge train`: the whole pipeline (data -> SFT -> RL -> eval) or one stage of it.

    routerforge train --config configs/router.yaml --out runs/NAME [--force] [--merge]
    routerforge train sft --config FILE --out runs/NAME          (data -> SFT -> eval)
    routerforge train rl --init runs/SFT_RUN --out runs/NAME     (RL on an existing run -> eval)
    routerforge train --backend vertex --config FILE --out DIR [--dry-run]
    routerforge train --routes routes.yaml [--data labelled.jsonl] --out runs/NAME   (your own routes)
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a router (data -> SFT -> RL -> eval)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stage", nargs="?", choices=["all", "sft", "rl"], default="all",
                   help="all (default), sft only, or rl on top of --init")
    p.add_argument("--config", help="YAML pipeline config (configs/*.yaml); with --routes the default is the "
                   "routes preset (routerforge.train.routes_init.TRAIN_YAML)")
    p.add_argument("--routes", help="a routes file (routerforge init writes one): the router decides over its routes")
    p.add_argument("--data", help="with --routes: your own labelled traffic, JSONL rows {query, route}")
    p.add_argument("--out", required=True, help="run directory to create")
    p.add_argument("--force", action="store_true", help="replace an existing run directory")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its last checkpoint")
    p.add_argument("--merge", action="store_true", help="also save a merged full model (merged/)")
    p.add_argument("--init", help="existing run whose data and adapter `train rl` starts from")
    p.add_argument("--model", help="base model: smollm2-135m, a local HF dir, a .gguf file or a hub id")
    p.add_argument("--seed", type=int)
    p.add_argument("--examples", type=int, help="total generated examples (data.examples)")
    p.add_argument("--sft-epochs", type=float)
    p.add_argument("--rl-iterations", type=int)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override any config value, e.g. --set sft.lr=1e-4 (repeatable)")
    p.add_argument("--backend", choices=["local", "vertex"], default="local")
    p.add_argument("--dry-run", action="store_true", help="vertex: print the tuning request, launch nothing")
    p.set_defaults(func=run)


def build_config(args):
    from routerforge.configtools import apply_overrides, from_dict, load_config
    from routerforge.train.config import PipelineConfig

    overrides = list(args.set)
    for flag, key in (("model", "model"), ("seed", "seed"), ("examples", "data.examples"),
                      ("sft_epochs", "sft.epochs"), ("rl_iterations", "rl.iterations")):
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{key}={value}")
    if getattr(args, "routes", None) and not args.config:
        from routerforge.train.routes_init import preset_config

        return from_dict(PipelineConfig, apply_overrides(preset_config(), overrides))
    return load_config(PipelineConfig, args.config, overrides)


def activate_routes(args):
    """--routes/--data: read and check both, then make the routes the expert registry before the config
    is read (its data.mix names routes). Returns (routes, traffic) or (None, None)."""
    from routerforge.errors import UserError

    if args.data and not args.routes:
        raise UserError("--data adds labelled traffic to a routes file; pass --routes too")
    if not args.routes:
        return None, None
    from routerforge.experts.routes import activate, load_routes
    from routerforge.train.routes_init import read_labelled

    routes = load_routes(args.routes)
    traffic = read_labelled(args.data, routes) if args.data else {}
    activate(routes, traffic)
    return routes, traffic


def run(args) -> int:
    from routerforge.errors import UserError

    routes, traffic = activate_routes(args)
    cfg = build_config(args)
    if args.backend == "vertex":
        from routerforge.train.vertex import run_vertex

        return run_vertex(cfg, Path(args.out), dry_run=args.dry_run, force=args.force)
    if args.dry_run:
        raise UserError("--dry-run applies to --backend vertex")
    if args.stage == "rl" and not args.init:
        raise UserError("`train rl` needs --init RUN (a run with an SFT adapter)")
    if args.init and not (Path(args.init) / "adapter").is_dir():
        raise UserError(f"--init {args.init}: no adapter/ in that run")
    from routerforge.train.pipeline import run_pipeline

    stages = {"all": ("sft", "rl"), "sft": ("sft",), "rl": ("rl",)}[args.stage]
    result = run_pipeline(cfg, args.out, force=args.force, resume=args.resume, merge=args.merge,
                          stages=stages, init_run=args.init, routes=routes, traffic=traffic)
    m = result["metrics"]
    print(f"run written to {result['out']} in {result['timings']['total_s']:.0f} s; "
          f"expert accuracy {m.get('expert_accuracy')}, answer accuracy {m.get('answer_accuracy')}")
    for line in result["gate_failures"]:
        print(f"GATE FAILED: {line}", file=__import__("sys").stderr)
    return 1 if result["gate_failures"] else 0
