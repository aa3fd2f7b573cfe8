"""`routerforge probe`: fit a hidden-state probe and calibrate routing confidence for a run.

    routerforge probe fit --run RUN [--layer L] [--position last|mean] [--split train] [--C 1.0]
    routerforge probe calibrate --run RUN [--target-precision 0.95 | --abstain-below X] [--split val]
    routerforge probe gate --run RUN [--layers 4,6,8,10,12] [--positions last,mean] [--precision 1.0]
                                     [--train-rows 2000]

`fit` writes RUN/probe.json (then `routerforge eval --run RUN --routers trained,probe` compares
hidden-state routing with generated routing). `calibrate` fits a temperature for the generated
router's expert-name confidence on the validation split, reports ECE (15 bins) before and after,
picks the abstention threshold (below it the router answers `chat`) and writes RUN/calibration.json,
which `Router.from_run` reads; when RUN/probe.json exists the probe is calibrated the same way.
`gate` fits the chat gate (routers/chat_gate.py) and writes RUN/chat_gate.json, which `Router.from_run`
reads: requests it is sure are chat are decided from the first layers of the prefill. Delete the file
to route without it.
"""

from __future__ import annotations

from routerforge.errors import InputError

import argparse
from pathlib import Path


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("probe", help="hidden-state routing probe and confidence calibration",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="probe_command", metavar="ACTION", required=True)

    f = sub.add_parser("fit", help="fit a linear probe on hidden states; writes RUN/probe.json")
    f.add_argument("--run", type=Path, required=True, help="trained run directory")
    f.add_argument("--layer", type=int, help="hidden_states index (0 = embeddings; default: best of 1/4, 1/2, "
                   "3/4, full depth by validation accuracy)")
    f.add_argument("--position", default="last", choices=("last", "mean"),
                   help="last prompt token (default) or the mean over the query's tokens")
    f.add_argument("--split", default="train", help="training split under RUN/data (default train)")
    f.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the logistic regression")
    f.set_defaults(func=run_fit)

    c = sub.add_parser("calibrate", help="temperature-scale confidences, pick an abstention threshold")
    c.add_argument("--run", type=Path, required=True, help="trained run directory")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--target-precision", type=float, default=None,
                   help="lowest threshold whose kept rows reach this accuracy (default 0.95)")
    g.add_argument("--abstain-below", type=float, help="use this confidence threshold as is")
    c.add_argument("--split", default="val", help="calibration split under RUN/data (default val)")
    c.add_argument("--no-probe", action="store_true", help="leave RUN/probe.json alone")
    c.set_defaults(func=run_calibrate)

    g = sub.add_parser("gate", help="fit the chat gate (chat decided from the first layers); writes RUN/chat_gate.json")
    g.add_argument("--run", type=Path, required=True, help="trained run directory")
    g.add_argument("--layers", default="4,6,8,10,12", help="candidate layers, comma-separated (default 4,6,8,10,12)")
    g.add_argument("--positions", default="last,mean",
                   help="candidate poolings, comma-separated: the last prompt token and/or the mean over the "
                        "query's tokens (default last,mean)")
    g.add_argument("--precision", type=float, default=1.0,
                   help="share of the val rows the gate lets out that must be chat (default 1.0: all)")
    g.add_argument("--train-rows", type=int, default=2000, help="train rows the probe is fitted on (default 2000)")
    g.add_argument("--C", type=float, nargs="+", default=[0.01, 0.1, 1.0],
                   help="candidate inverse L2 strengths of the logistic regression (default 0.01 0.1 1)")
    g.set_defaults(func=run_gate)


def run_fit(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from routerforge.train.calibrate import split_rows
    from routerforge.models.runs import read_run_info
    from routerforge.routers.probe import PROBE_FILE, fit_probe

    if args.C <= 0:
        raise InputError("--C must be positive")
    read_run_info(args.run)  # fail fast: no model load for a bad path
    train = split_rows(args.run, args.split)
    val_path = args.run / "data" / "val.jsonl"
    val = split_rows(args.run, "val") if val_path.is_file() and args.split != "val" else []
    from routerforge.routers.generated import Router

    console = Console()
    router = Router.from_run(args.run)
    with console.status(f"fitting a probe on {len(train)} {args.split} rows"):
        probe = fit_probe(router, train, val, layer=args.layer, position=args.position, C=args.C)
    path = probe.save(args.run / PROBE_FILE)
    table = Table(title=f"probe ({args.position} token)")
    table.add_column("layer", justify="right")
    table.add_column("val accuracy", justify="right")
    for layer, acc in probe.meta["layer_val_accuracy"].items():
        mark = " *" if int(layer) == probe.layer else ""
        table.add_row(f"{layer}{mark}", "–" if acc is None else f"{acc:.3f}")
    console.print(table)
    ece = (f"; ECE {probe.meta['ece_before']:.3f} -> {probe.meta['ece_after']:.3f} at T={probe.temperature:.2f}"
           if "ece_after" in probe.meta else "")
    console.print(f"layer {probe.layer} of {probe.meta['n_layers']}, train accuracy "
                  f"{probe.meta['train_accuracy']:.3f}{ece}")
    print(f"probe written to {path}")
    return 0


def run_gate(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from routerforge.models.runs import read_run_info
    from routerforge.routers.chat_gate import GATE_FILE, fit_chat_gate
    from routerforge.train.calibrate import split_rows

    try:
        layers = [int(x) for x in args.layers.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"--layers must be comma-separated integers, got {args.layers!r}") from None
    positions = tuple(p.strip() for p in args.positions.split(",") if p.strip())
    if not positions or any(p not in ("last", "mean") for p in positions):
        raise InputError(f"--positions must be last and/or mean, comma-separated, got {args.positions!r}")
    if not layers or min(args.C) <= 0 or args.train_rows < 2 or not 0 < args.precision <= 1:
        raise InputError("--layers needs a layer, --C must be positive, --train-rows at least 2, "
                         "--precision in (0, 1]")
    read_run_info(args.run)  # fail fast: no model load for a bad path
    train, val = split_rows(args.run, "train"), split_rows(args.run, "val")
    from routerforge.routers.generated import Router

    console = Console()
    router = Router.from_run(args.run, chat_gate=None)
    with console.status(f"fitting the chat gate on {min(len(train), args.train_rows)} train rows"):
        gate = fit_chat_gate(router, train, val, layers=layers, Cs=tuple(args.C), positions=positions,
                             precision=args.precision, max_train=args.train_rows)
    path = gate.save(args.run / GATE_FILE)
    meta = gate.probe.meta
    table = Table(title=f"chat gate (threshold set: {meta['n_threshold_chat']} chat rows of {meta['n_threshold']})")
    for col in ("layer", "position", "C", "exit above", "chat rows let out", "layer passes saved"):
        table.add_column(col, justify="right")
    chosen = (gate.probe.layer, gate.probe.position, meta["C"])
    for row in meta["candidates"].values():
        mark = " *" if (row["layer"], row["position"], row["C"]) == chosen else ""
        table.add_row(f"{row['layer']}{mark}", row["position"], f"{row['C']:g}", f"{row['exit_above']:.4f}",
                      str(row["chat_out"]), f"{row['passes_saved']:.1f}")
    console.print(table)
    print(f"chat gate written to {path} (layer {gate.probe.layer} of {meta['n_layers']}, {gate.probe.position} "
          f"position, C {meta['C']:g}, exit above {gate.exit_above:.4f}); delete it to route without the gate")
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from routerforge.train.calibrate import calibrate_run, split_rows
    from routerforge.models.runs import read_run_info
    from routerforge.routers.probe import PROBE_FILE

    if args.target_precision is not None and not 0 < args.target_precision <= 1:
        raise InputError("--target-precision must be in (0, 1]")
    if args.abstain_below is not None and not 0 <= args.abstain_below <= 1:
        raise InputError("--abstain-below must be in [0, 1]")
    target = None if args.abstain_below is not None else (args.target_precision or 0.95)
    read_run_info(args.run)
    split_rows(args.run, args.split)  # fail fast on a missing split, before loading the model
    console = Console()
    with console.status(f"scoring the {args.split} rows"):
        results = calibrate_run(args.run, split=args.split, target_precision=target, abstain_below=args.abstain_below,
                                use_probe=not args.no_probe)
    _print(console, results, Table)
    for name, cal in results.items():
        if cal["abstain_below"] is None and target is not None:
            console.print(f"[yellow]warning[/yellow]: {name}: no threshold reaches precision {target} on "
                          f"{args.split}; it will not abstain")
    probe_path = args.run / PROBE_FILE
    print(f"calibration written to {args.run / 'calibration.json'}" + (f" and {probe_path}" if "probe" in results else ""))
    return 0


def _print(console, results: dict, Table) -> None:
    table = Table(title="confidence calibration (temperature scaling, 15-bin ECE)")
    for col in ("router", "n", "accuracy", "T", "ECE", "NLL", "abstain below", "coverage", "acc. w/ abstention"):
        table.add_column(col, justify="left" if col == "router" else "right")

    def f(x):
        return "–" if x is None else f"{x:.3f}"

    for name, c in results.items():
        table.add_row(name, str(c["n"]), f(c["expert_accuracy"]), f"{c['temperature']:.2f}",
                      f"{f(c['ece_before'])} → {f(c['ece_after'])}", f"{f(c['nll_before'])} → {f(c['nll_after'])}",
                      f(c["abstain_below"]), f(c["coverage"]), f(c["accuracy"]))
    console.print(table)
