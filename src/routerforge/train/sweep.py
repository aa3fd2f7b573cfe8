"""Hyperparameter sweeps with a logbook, top to bottom (`routerforge sweep`).

    routerforge sweep --config configs/sweeps/smoke.yaml --out runs/sweep-smoke [--limit N] [--backend ray]

A sweep directory holds `sweep.json` (what the sweep is: the resume check), one normal run directory per
trial (`trial-000/`, ... built by `run_pipeline`), the shared sliced data (`data/`), and the logbook
(`logbook.jsonl`, `logbook.md`), rewritten atomically whenever a trial starts or finishes; at the end the
best trial's settings as a pipeline config (`best.yaml`) and the metric against each parameter
(`plot.png`).

Rerunning the same command resumes: finished trials (ok, stopped for format drift) are skipped, a trial
left `running` by a killed sweep continues from its last SFT checkpoint, a `failed` one is tried again.
A different sweep file (or an edited base config) for the same directory is refused unless `--force`,
which starts over. The first time the sweep runs in a directory that is not a sweep, it is refused too.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from routerforge.configtools import to_dict
from routerforge.errors import ConfigError, RunDirError
from routerforge.io import atomic_write_json
from routerforge.train.sweep_config import SweepConfig, identity, trial_config
from routerforge.train.sweep_plan import FINISHED, make_planner
from routerforge.train.sweep_report import Logbook
from routerforge.train.sweep_trial import METRIC_KEYS, TrialSpec, prepare_data, run_trial, trial_name


def open_sweep_dir(out: Path, ident: dict, *, force: bool) -> None:
    """Create `out` for this sweep, or check that it already holds this very sweep."""
    marker = out / "sweep.json"
    if out.exists() and force:
        trash = out.with_name(f".{out.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        out.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    if marker.is_file():
        stored = json.loads(marker.read_text())["sweep"]
        now = json.loads(json.dumps(ident, default=str))
        diff = sorted(k for k in set(stored) | set(now) if stored.get(k) != now.get(k))
        if diff:
            raise RunDirError(f"{out} holds another sweep ({', '.join(diff)} differ); pass --force to start it over "
                              "or choose another --out")
        return
    if out.exists() and any(out.iterdir()):
        raise RunDirError(f"{out} exists and is not a sweep directory; pass --force to overwrite it")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(marker, {"sweep": ident, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})


def run_sweep(sweep: SweepConfig, out: str | Path, *, force: bool = False, backend: str = "local",
              address: str | None = None, workers: int | None = None, console: Console | None = None,
              command: str = "") -> dict:
    """Run (or resume) the sweep in `out`; returns {"out", "best", "records"}."""
    console = console or Console()
    out = Path(out).resolve()
    open_sweep_dir(out, identity(sweep), force=force)
    book = Logbook(out, sweep, command=command)
    planner = make_planner(sweep, book.records)
    skipped = sum(r["status"] in FINISHED for r in book.records.values())
    console.print(f"sweep {out}: {planner.total} trials ({sweep.method}, metric {sweep.metric} {sweep.mode})"
                  + (f"; {skipped} finished before, skipped" if skipped else "")
                  + f"; backend {backend}")

    def started(spec: TrialSpec) -> None:
        book.put({"trial": spec.trial, "params": spec.params, "status": "running",
                  "metrics": {k: None for k in METRIC_KEYS}, "wall_s": None, "run": trial_name(spec.trial)})

    def finished(record: dict) -> None:
        book.put(record)
        planner.tell(record)
        metric = record["metrics"].get(sweep.metric)
        console.print(f"trial {record['trial']}: {record['status']}, {sweep.metric} "
                      f"{'–' if metric is None else format(metric, '.4g')}, {record.get('wall_s') or 0:.0f} s"
                      + (f" ({record['error']})" if record.get("error") else ""))

    # local: one trial at a time, the next one planned after the last is told (Optuna learns from it);
    # ray: every known trial at once (grid, random), or waves of `workers` (Optuna)
    wave = 1 if backend == "local" else (max(workers or 2, 1) if sweep.method == "optuna" else None)
    while batch := planner.next(wave):
        specs = []
        for trial, params in batch:
            try:
                cfg = trial_config(sweep, params)
            except ConfigError as exc:  # an Optuna draw the config rejects: a failed trial, not a crash
                finished({"trial": trial, "params": params, "status": "failed", "metrics": {}, "wall_s": 0.0,
                          "run": trial_name(trial), "error": str(exc)})
                continue
            data = prepare_data(out, cfg, limit=sweep.limit, eval_rows=sweep.eval_rows, console=console)
            specs.append(TrialSpec(trial=trial, params=params, config=to_dict(cfg), out=str(out), data=str(data),
                                   drift=asdict(sweep.drift)))
        if backend == "local":
            for spec in specs:
                started(spec)
                console.rule(f"trial {spec.trial} of {planner.total}: "
                             + ", ".join(f"{k}={v}" for k, v in spec.params.items()))
                finished(run_trial(spec, console=console))
        elif specs:
            from routerforge.train.raycluster import require_ray

            require_ray()  # a one-line error before sweep_ray imports ray.tune
            from routerforge.train.sweep_ray import run_trials_ray

            for spec in specs:
                started(spec)
            run_trials_ray(specs, finished, cpus_per_trial=sweep.cpus_per_trial, address=address, workers=workers,
                           on_start=lambda i: console.print(f"trial {i} started on Ray"))
    best = book.finish()
    print_table(book, console)
    return {"out": str(out), "best": best, "records": [book.records[i] for i in sorted(book.records)]}


def print_table(book: Logbook, console: Console) -> None:
    from rich.table import Table

    sweep = book.sweep
    table = Table(title=f"sweep {book.out.name}: {sweep.metric} ({sweep.mode})")
    for col in ("trial", "status", *sweep.params, sweep.metric, "wall s"):
        table.add_column(col, justify="right" if col not in ("status",) else "left")
    best = book.best()
    for i in sorted(book.records):
        r = book.records[i]
        value = r["metrics"].get(sweep.metric)
        table.add_row(f"{i}{' *' if best and best['trial'] == i else ''}", r["status"],
                      *(str(r["params"].get(k)) for k in sweep.params),
                      "–" if value is None else f"{value:.4g}",
                      "–" if r.get("wall_s") is None else f"{r['wall_s']:.0f}")
    console.print(table)
    if best is not None:
        console.print(f"best: trial {best['trial']} -> {book.out / 'best.yaml'}; logbook {book.out / 'logbook.md'}")
    else:
        console.print(f"no trial finished with a {sweep.metric}; logbook {book.out / 'logbook.md'}")
