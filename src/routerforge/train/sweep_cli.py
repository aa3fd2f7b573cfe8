"""`routerforge sweep`: a hyperparameter sweep over any pipeline config key, with a logbook.

    routerforge sweep --config configs/sweeps/smoke.yaml --out runs/sweep-smoke
    routerforge sweep --config configs/sweeps/coursegpt.yaml --out runs/sweep-cgpt --limit all   (full data)
    routerforge sweep --config FILE --out DIR --backend ray [--address auto] [--workers 2] [--cpus-per-trial 1]

Each trial is a normal run directory (OUT/trial-NNN); OUT/logbook.md and logbook.jsonl record every
trial as it finishes; OUT/best.yaml is the best trial's pipeline config, OUT/plot.png the metric
against each parameter. Rerun the same command to resume (finished trials are skipped); --force
starts over. The sweep file format: routerforge.train.sweep_config and docs/scale.md.
"""

from __future__ import annotations

import argparse
import os
import shlex


def _limit(text: str) -> int | str:
    if text == "all":
        return "all"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--limit must be a number of rows or 'all', got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("--limit must be positive (or 'all')")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="hyperparameter sweep with a logbook (local or on Ray)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="sweep file (configs/sweeps/*.yaml)")
    p.add_argument("--out", required=True, help="sweep directory (trials, logbook, best.yaml, plot.png)")
    p.add_argument("--limit", type=_limit, metavar="N|all",
                   help="training rows per trial (a seeded slice); 'all' = the full split; default: the file's `limit`")
    p.add_argument("--force", action="store_true", help="start over: discard what OUT holds")
    p.add_argument("--backend", choices=["local", "ray"], default="local",
                   help="local: trials one after another here; ray: Ray Tune trials")
    p.add_argument("--address", help="ray: join this cluster (auto, ray://HOST:PORT); default a local Ray")
    p.add_argument("--workers", type=_positive,
                   help="ray: trials at once (a local Ray gets workers x cpus-per-trial CPUs; default: this "
                        "machine's CPUs / cpus-per-trial, or as the cluster's CPUs allow with --address)")
    p.add_argument("--cpus-per-trial", type=_positive, help="ray: CPUs each trial declares (default: the file's)")
    p.set_defaults(func=run)


def run(args) -> int:
    from routerforge.errors import UserError
    from routerforge.train.sweep import run_sweep
    from routerforge.train.sweep_config import load_sweep

    if args.backend == "local" and (args.address or args.workers or args.cpus_per_trial):
        raise UserError("--address, --workers and --cpus-per-trial apply to --backend ray")
    limit = "config" if args.limit is None else None if args.limit == "all" else args.limit
    sweep = load_sweep(args.config, limit=limit)
    if args.cpus_per_trial:
        sweep.cpus_per_trial = args.cpus_per_trial
    command = "routerforge sweep " + " ".join(shlex.quote(a) for a in _argv(args))
    workers = args.workers
    if args.backend == "ray" and not workers and not args.address:
        workers = max(1, (os.cpu_count() or 1) // sweep.cpus_per_trial)
    result = run_sweep(sweep, args.out, force=args.force, backend=args.backend, address=args.address,
                       workers=workers, command=command)
    statuses = [r["status"] for r in result["records"]]
    return 1 if statuses and all(s == "failed" for s in statuses) else 0


def _argv(args) -> list[str]:
    """The command, rebuilt from the arguments that change what it does (for the logbook's heading)."""
    out = ["--config", args.config, "--out", args.out]
    if args.limit is not None:
        out += ["--limit", str(args.limit)]
    if args.backend != "local":
        out += ["--backend", args.backend]
    return out
