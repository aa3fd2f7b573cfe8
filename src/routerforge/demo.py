"""`routerforge demo` (what `make demo` runs): train the default router on the embedded model,
evaluate it on the held-out test split, check the default gate, and route the original experiment's
eight robustness queries end to end.

A complete `runs/demo` is reused (nothing is retrained or overwritten) unless `--force`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROBUSTNESS_QUERIES = [
    "256 * 4",
    "What is 256 * 4? Answer briefly.",
    "Janet has 16 eggs, eats 3, bakes 4, sells rest for $2. How much?",
    "Schedule Alice (2hr) and Bob (1hr), no overlap",
    "Current time in Tokyo",
    "Time in London, answer in french",
    "Tell me a joke",
    "What's the capital of France? Be brief",
]
DEFAULT_CONFIG = "configs/router.yaml"
DEFAULT_GATE = "configs/gates/default.yaml"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("demo", help="train, evaluate and try the default router (make demo)",
                              description=__doc__)
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--out", default="runs/demo")
    p.add_argument("--gate", default=DEFAULT_GATE)
    p.add_argument("--force", action="store_true", help="retrain even if the run exists")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override")
    p.set_defaults(func=run)


def run(args) -> int:
    from routerforge.configtools import load_config
    from routerforge.evaluate.gates import check_gate
    from routerforge.io import is_complete
    from routerforge.routers.generated import Router
    from routerforge.rundir import RunDir
    from routerforge.train.config import PipelineConfig
    from routerforge.train.pipeline import run_pipeline

    console = Console()
    t0 = time.time()
    out = Path(args.out)
    if is_complete(out) and not args.force:
        console.print(f"[bold]reusing the trained run {out}[/] (pass --force, or FORCE=1 with make, to retrain)")
    else:
        cfg = load_config(PipelineConfig, args.config, args.set)
        resume = not args.force and RunDir.interrupted(out) is not None
        if resume:  # an interrupted `make demo` is continued, never thrown away
            console.print(f"[bold]continuing the interrupted run in {RunDir.interrupted(out)}[/] (FORCE=1 starts over)")
        run_pipeline(cfg, out, force=args.force, resume=resume, console=console)

    metrics = json.loads((out / "eval" / "metrics.json").read_text())
    console.rule("held-out test split")
    _metrics_table(console, metrics)
    console.print(f"report: {out / 'eval' / 'report.md'} (plots: {out / 'eval'}/*.png)")

    console.rule("the original experiment's eight robustness queries")
    router = Router.from_run(out)
    routed = router.route_batch(ROBUSTNESS_QUERIES, with_chat_answers=True)
    table = Table(show_lines=False)
    for col in ("query", "decision", "answer", "ms"):
        table.add_column(col, overflow="fold")
    for r in routed:
        decision = f"{r.expert}: {r.spec} -> {r.result}" if r.result is not None else f"{r.expert}:"
        answer = r.answer if r.ok else f"[red]error: {r.error}[/]"
        table.add_row(r.query, decision, (answer or "")[:160], f"{r.latency_ms:.0f}")
    console.print(table)

    failures = check_gate(metrics, args.gate) if args.gate else []
    for line in failures:
        console.print(f"[red]GATE FAILED[/] {line}")
    console.print(f"demo finished in {time.time() - t0:.0f} s")
    return 1 if failures else 0


def _metrics_table(console: Console, metrics: dict) -> None:
    routers = metrics.get("routers", metrics)
    table = Table()
    keys = [("format_validity", "format"), ("expert_accuracy", "expert acc"), ("answer_accuracy", "answer acc"),
            ("zone_accuracy", "zone acc"), ("result_accuracy", "result acc"), ("latency_p50_ms", "p50 ms"),
            ("throughput_qps", "q/s")]
    table.add_column("router")
    for _, label in keys:
        table.add_column(label, justify="right")
    for name, m in routers.items():
        if not isinstance(m, dict):
            continue
        cells = []
        for key, _ in keys:
            v = m.get(key)
            cells.append("–" if v is None else (f"{v:.1f}" if key.endswith(("_ms", "_qps")) else f"{100 * v:.1f}%"))
        table.add_row(name, *cells)
    console.print(table)
    per_class = routers.get("trained", {}).get("per_class") if isinstance(routers.get("trained"), dict) else None
    if per_class:
        console.print("per class: " + ", ".join(f"{k} {100 * v['accuracy']:.0f}% (n={v['n']})" if isinstance(v, dict)
                                                else f"{k} {v}" for k, v in per_class.items()))
