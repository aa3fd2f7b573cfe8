"""`routerforge eval`: compare routers on a benchmark or a file, write a report, check a gate.

    routerforge eval --run runs/NAME (--data FILE | --benchmark NAME) [--routers trained,rules,fewshot,embedding]
                     --report DIR [--gate FILE] [--limit N] [--force]

Exit codes: 0 done (and the gate, if any, passed); 1 the gate failed (each failed bound is named on
stderr); 2 a usage error (unknown router or benchmark, missing file, existing report without --force).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from routerforge.errors import InputError

DEFAULT_ROUTERS = "trained,rules,fewshot,embedding"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("eval", help="evaluate routers on a benchmark and write a report",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, help="JSONL rows: query, expert_class, answer?, zone?, group? "
                     "(or a generated split file)")
    src.add_argument("--benchmark", help="clinc150, gsm8k, robustness or heldout (<run>/data/test.jsonl)")
    p.add_argument("--run", type=Path, help="run directory (for the trained router, heldout, embedding train data)")
    p.add_argument("--routers", help=f"comma-separated router names or dotted paths (default: {DEFAULT_ROUTERS} "
                   "with --run, else rules)")
    p.add_argument("--compare", action="append", default=[], metavar="NAME=RUN",
                   help="also evaluate another run's trained router under NAME (e.g. reference=runs/reference)")
    p.add_argument("--report", type=Path, required=True, help="report directory to create")
    p.add_argument("--gate", type=Path, help="YAML of min/max per router and metric; exit 1 when one fails")
    p.add_argument("--limit", type=int, help="evaluate only the first N rows")
    p.add_argument("--force", action="store_true", help="replace an existing report directory")
    p.add_argument("--train-data", type=Path, help="training queries for the embedding router "
                   "(default <run>/data/train.jsonl)")
    p.add_argument("--model", help="base model for the fewshot router (default smollm2-135m)")
    p.add_argument("--batch-size", type=int, default=32, help="queries per route_batch call (default 32)")
    p.add_argument("--title", help="report title")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from routerforge.evaluate.benchmarks import load_benchmark, load_rows
    from routerforge.evaluate.gates import check_gate, load_gate
    from routerforge.evaluate.harness import evaluate_routers
    from routerforge.evaluate.report import print_summary, write_report
    from routerforge.routers.registry import build_routers

    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    # cheap checks first, so a typo never costs a model load
    if args.report.exists() and not args.force:
        raise FileExistsError(f"{args.report} exists; pass --force to overwrite it")
    if args.gate is not None:
        load_gate(args.gate)
    names = [n.strip() for n in (args.routers or (DEFAULT_ROUTERS if args.run else "rules")).split(",") if n.strip()]
    rows = load_benchmark(args.benchmark, run=args.run) if args.benchmark else load_rows(args.data)
    if args.limit:
        rows = rows[: args.limit]
    kw = {k: v for k, v in (("train_data", args.train_data), ("model", args.model)) if v is not None}
    compare = []
    for item in args.compare:
        name, sep, other = item.partition("=")
        if not sep or not name or not other:
            raise InputError(f"--compare {item!r} is not NAME=RUN")
        if name in names:
            raise InputError(f"--compare name {name!r} is already one of --routers")
        compare.append((name, Path(other)))
    routers = build_routers(names, run=args.run, **kw)
    for name, other in compare:  # the same trained router, of another run (e.g. the original budget)
        router = build_routers(["trained"], run=other)["trained"]
        router.name = name
        routers[name] = router

    console = Console(stderr=True)
    results = evaluate_routers(rows, routers, progress=not args.no_progress, batch_size=args.batch_size)
    source = f"benchmark {args.benchmark}" if args.benchmark else str(args.data)
    results["meta"] = {"source": source, "run": str(args.run) if args.run else None,
                       "routers": names + [n for n, _ in compare], "compare": {n: str(r) for n, r in compare},
                       "limit": args.limit}
    title = args.title or f"routerforge eval: {source}"
    write_report(results, args.report, title=title, force=args.force)
    print_summary(results, title=title)
    print(f"report: {args.report / 'report.md'}")
    if args.gate is not None:
        failures = check_gate(results, args.gate)
        if failures:
            for line in failures:
                console.print(f"[red]GATE FAIL[/red] {escape(line)}", highlight=False)
            print(f"gate {args.gate}: {len(failures)} bound(s) failed", file=sys.stderr)
            return 1
        print(f"gate {args.gate}: passed")
    return 0
