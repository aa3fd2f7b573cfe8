"""`routerforge data generate|show`: write a synthetic dataset, or print the stats of one.

    routerforge data generate --out runs/data --examples 2000 --seed 0 [--config FILE] [--force]
    routerforge data show runs/data
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from routerforge.errors import InputError
from routerforge.data.config import SPLITS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="generate or inspect synthetic router data")
    sub = parser.add_subparsers(dest="data_command", metavar="{generate,show}")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    gen = sub.add_parser("generate", help="write train/val/test.jsonl and stats.json")
    gen.add_argument("--out", required=True, help="output directory (refused if non-empty, unless --force)")
    gen.add_argument("--examples", type=int, help="total rows over all splits (default: config or 2000)")
    gen.add_argument("--seed", type=int, help="random seed (default: config or 0)")
    gen.add_argument("--config", help="YAML data config, or a pipeline config with a `data:` section")
    gen.add_argument("--val-ratio", type=float, help="share of rows in val")
    gen.add_argument("--test-ratio", type=float, help="share of rows in test")
    gen.add_argument("--holdout-ratio", type=float, help="share of templates and slot pools held out for test")
    gen.add_argument("--force", action="store_true", help="overwrite a non-empty output directory")
    gen.set_defaults(func=run_generate)

    show = sub.add_parser("show", help="print the stats.json of a generated dataset", aliases=["stats"])
    show.add_argument("dir", help="a directory written by `routerforge data generate`")
    show.set_defaults(func=run_show)


def load_config(args: argparse.Namespace):
    from routerforge.data.config import DataConfig

    config = DataConfig.from_yaml(args.config) if args.config else DataConfig()
    return config.replace(examples=args.examples, seed=args.seed, val_ratio=args.val_ratio,
                          test_ratio=args.test_ratio, holdout_ratio=args.holdout_ratio)


def run_generate(args: argparse.Namespace) -> int:
    from routerforge.data.generate import DataGenerationError, generate_dataset

    config = load_config(args)  # ValueError -> one line, exit 2 (routerforge.cli.main)
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not args.force:
        raise FileExistsError(f"{out} exists and is not empty; pass --force to overwrite it")
    started = time.perf_counter()
    try:
        stats = generate_dataset(config, out, force=args.force)
    except DataGenerationError as exc:
        print(f"error: data generation failed: {exc}", file=sys.stderr)
        return 1
    print_stats(stats, title=f"{out} ({time.perf_counter() - started:.1f} s)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    path = Path(args.dir) / "stats.json"
    if not path.is_file():
        raise FileNotFoundError(f"no stats.json in {args.dir}; generate data with `routerforge data generate`")
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{path}: invalid JSON: {exc}") from None
    print_stats(stats, title=str(args.dir))
    return 0


def print_stats(stats: dict, title: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    counts = stats.get("counts", {})
    experts = sorted({e for s in SPLITS for e in counts.get(s, {})})
    table = Table(title=f"rows by split x expert {title}".strip())
    table.add_column("expert")
    for split in SPLITS:
        table.add_column(split, justify="right")
    table.add_column("total", justify="right")
    for expert in experts:
        per = [counts.get(s, {}).get(expert, 0) for s in SPLITS]
        table.add_row(expert, *map(str, per), str(sum(per)))
    totals = [sum(counts.get(s, {}).values()) for s in SPLITS]
    table.add_row("[bold]total", *map(str, totals), str(sum(totals)))
    console.print(table)

    variations = stats.get("variations", {})
    single: dict[str, dict[str, int]] = {}
    for split in SPLITS:  # count each variation once per row it appears in ("typo+polite" -> typo, polite)
        for label, n in variations.get(split, {}).items():
            for name in label.split("+"):
                single.setdefault(name, {}).setdefault(split, 0)
                single[name][split] += n
    vt = Table(title="variations (rows containing each)")
    vt.add_column("variation")
    for split in SPLITS:
        vt.add_column(split, justify="right")
    for name in sorted(single):
        vt.add_row(name, *(str(single[name].get(s, 0)) for s in SPLITS))
    console.print(vt)

    holdout = stats.get("holdout", {})
    ht = Table(title="held out for test (templates, slot pools train/test)")
    ht.add_column("expert")
    ht.add_column("templates", justify="right")
    ht.add_column("pools")
    for expert, h in holdout.items():
        t = h.get("templates", {})
        pools = ", ".join(f"{p} {v['train']}/{v['test']}" for p, v in h.get("pools", {}).items())
        ht.add_row(expert, f"{t.get('train', 0)}/{t.get('test', 0)}", pools or "-")
    console.print(ht)

    bad = stats.get("bad_rows", {})
    console.print(f"seed {stats.get('seed')}  clock {stats.get('clock')}  bad rows {bad.get('count', 0)} of "
                  f"{bad.get('attempts', 0)} draws  duplicates within a split {stats.get('duplicates_within_split', 0)}")
    for row in bad.get("rows", [])[:5]:
        console.print(f"  bad: {row.get('expert')} {row.get('template_id')}: {row.get('reason')}")
