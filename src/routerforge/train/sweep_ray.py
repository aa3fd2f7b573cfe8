"""A sweep's trials as Ray Tune trials (`routerforge sweep --backend ray [--address auto]`).

Each trial is a Tune function trainable that calls the same `sweep_trial.run_trial` the local backend
calls, with its resources declared (`cpus_per_trial` CPUs, and torch in it uses that many threads), so
the run directories and records are the local backend's. Tune decides how many run at once from the
cluster's CPUs (local mode: `--workers` x `cpus_per_trial`). The trial reports its record once, when it
ends; a Tune callback in this (the driver's) process hands it to the logbook, which is written as each
trial finishes exactly as in a local sweep. A trial's console output goes to `OUT/logs/trial-NNN.log`.

Tune keeps its own experiment state in `OUT/ray/`; resuming is the sweep's (the logbook), not Tune's.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")  # no experiment banner: the sweep prints its own lines
from ray import tune  # noqa: E402  (this module is imported only for --backend ray)

from routerforge.train.raycluster import start_ray  # noqa: E402
from routerforge.train.sweep_trial import TrialSpec, run_trial, spec_dict  # noqa: E402


def _trainable(config: dict) -> None:
    """The Tune trainable: one trial, its record reported as JSON (Tune flattens nested results)."""
    from rich.console import Console

    spec = TrialSpec(**config["spec"])
    log = Path(spec.out) / "logs" / f"{spec.run_dir.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as fh:
        record = run_trial(spec, console=Console(file=fh, width=120, force_terminal=False))
    tune.report({"record_json": json.dumps(record), "trial_number": spec.trial})


def run_trials_ray(specs: list[TrialSpec], on_record: Callable[[dict], None], *, cpus_per_trial: int = 1,
                   address: str | None = None, workers: int | None = None, on_start=None) -> None:
    """Run `specs` as Tune trials; `on_record(record)` is called in this process as each one ends."""
    start_ray(address=address, num_cpus=None if address else (workers or 1) * cpus_per_trial)
    for spec in specs:
        spec.threads = cpus_per_trial
    # Tune pickles its callbacks with the experiment state: the callback keeps a key, and the driver-side
    # functions (which hold the logbook and a console) stay in this process's table
    key = f"{id(on_record)}-{time.time()}"
    _SINKS[key] = (on_record, on_start)
    out = Path(specs[0].out).resolve()
    tuner = tune.Tuner(
        tune.with_resources(_trainable, {"cpu": cpus_per_trial}),
        param_space={"spec": tune.grid_search([spec_dict(s) for s in specs])},
        tune_config=tune.TuneConfig(max_concurrent_trials=workers, reuse_actors=False,
                                    trial_name_creator=_trial_name, trial_dirname_creator=_trial_name),
        run_config=tune.RunConfig(name=f"trials-{specs[0].trial:03d}-{int(time.time())}", storage_path=str(out / "ray"),
                                  callbacks=[LogbookCallback(key)], verbose=0,
                                  failure_config=tune.FailureConfig(max_failures=0)),
    )
    try:
        tuner.fit()
    finally:
        _SINKS.pop(key, None)


_SINKS: dict[str, tuple] = {}


def _trial_name(trial) -> str:
    return f"trial-{trial.config['spec']['trial']:03d}"


class LogbookCallback(tune.Callback):
    """Hands each trial's start and record to the sweep driver. A module-level class holding only a key:
    Tune pickles its callbacks (by reference, here) and the driver's functions stay in `_SINKS`."""

    def __init__(self, key: str) -> None:
        self.key = key

    def on_trial_start(self, iteration, trials, trial, **info):
        on_start = _SINKS[self.key][1]
        if on_start is not None:
            on_start(trial.config["spec"]["trial"])

    def on_trial_result(self, iteration, trials, trial, result, **info):
        if "record_json" in result:
            _SINKS[self.key][0](json.loads(result["record_json"]))

    def on_trial_error(self, iteration, trials, trial, **info):
        # the worker died (killed, out of memory): run_trial itself never raises
        spec = trial.config["spec"]
        _SINKS[self.key][0]({"trial": spec["trial"], "params": spec["params"], "status": "failed",
                             "metrics": {}, "wall_s": None, "run": f"trial-{spec['trial']:03d}",
                             "error": f"Ray trial error: {trial.error_file or 'the worker died'}"})
