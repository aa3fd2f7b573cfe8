"""Which params each trial of a sweep gets: grid, seeded random draws, or Optuna's TPE sampler.

A planner hands out `(trial, params)` pairs and is told each finished logbook record. Grid and random
trials are a pure function of the sweep file and the trial number, so a resumed sweep gets the same
ones; Optuna's depend on the results so far, so a resumed study is rebuilt from the logbook (finished
trials are added to it with their params and metric; stopped and failed ones as pruned / failed).
Trials the logbook holds as `running` or `failed` (a sweep killed mid-trial, a crash) are handed out
again first, with the params they were given, once per sweep invocation.
"""

from __future__ import annotations

import math
import random

from routerforge.train.sweep_config import SweepConfig, choices, grid

FINISHED = ("ok", "stopped_format_drift")  # never rerun; `failed` and `running` are


class Planner:
    def __init__(self, sweep: SweepConfig, records: dict[int, dict]) -> None:
        self.sweep = sweep
        self.records = dict(records)
        # interrupted or failed trials, rerun first with the params they were given
        self.retry = [i for i in sorted(records) if records[i].get("status") not in FINISHED]

    @property
    def total(self) -> int:
        raise NotImplementedError

    def next(self, k: int | None) -> list[tuple[int, dict]]:
        """Up to `k` (None: all that can be known now) trials to run next."""
        out = []
        while self.retry and (k is None or len(out) < k):
            i = self.retry.pop(0)
            out.append((i, self.records[i]["params"]))
        out += self.fresh(None if k is None else k - len(out))
        for i, _ in out:
            self.records.setdefault(i, {"status": "running"})
        return out

    def fresh(self, k: int | None) -> list[tuple[int, dict]]:
        raise NotImplementedError

    def tell(self, record: dict) -> None:
        self.records[record["trial"]] = record


class ListPlanner(Planner):
    """Grid and random: the whole list is known up front."""

    def __init__(self, sweep: SweepConfig, records: dict[int, dict]) -> None:
        super().__init__(sweep, records)
        self.plan = grid(sweep) if sweep.method == "grid" else [random_params(sweep, i) for i in range(sweep.trials)]

    @property
    def total(self) -> int:
        return len(self.plan)

    def fresh(self, k):
        todo = [(i, p) for i, p in enumerate(self.plan) if i not in self.records]
        return todo if k is None else todo[:max(k, 0)]


def random_params(sweep: SweepConfig, trial: int) -> dict:
    """Trial `trial`'s draw: its own RNG (seed, trial), so no trial's params depend on another's."""
    rng = random.Random(f"routerforge-sweep:{sweep.seed}:{trial}")
    out = {}
    for key, spec in sweep.params.items():
        values = choices(sweep, key)
        if values is not None:
            out[key] = rng.choice(values)
        elif spec.log:
            out[key] = math.exp(rng.uniform(math.log(spec.low), math.log(spec.high)))
        else:
            out[key] = rng.uniform(spec.low, spec.high)
        if spec.is_range:
            out[key] = int(round(out[key])) if spec.integer else float(f"{out[key]:.6g}")
    return out


class OptunaPlanner(Planner):
    """TPE (seeded) over the params; the study lives in memory and is rebuilt from the logbook."""

    def __init__(self, sweep: SweepConfig, records: dict[int, dict]) -> None:
        super().__init__(sweep, records)
        try:
            import optuna
        except ImportError:
            from routerforge.errors import UserError

            raise UserError("method optuna needs Optuna: pip install 'routerforge[scale]'") from None
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.dists = {key: self._dist(key) for key in sweep.params}
        self.study = optuna.create_study(direction="maximize" if sweep.mode == "max" else "minimize",
                                         sampler=optuna.samplers.TPESampler(seed=sweep.seed))
        self.asked = max(records, default=-1) + 1
        for record in records.values():
            if record.get("status") in FINISHED:
                self._add(record)

    @property
    def total(self) -> int:
        return self.sweep.trials

    def _dist(self, key: str):
        d = self.optuna.distributions
        spec, values = self.sweep.params[key], choices(self.sweep, key)
        if values is not None:
            return d.CategoricalDistribution(values)
        if spec.integer:
            return d.IntDistribution(int(spec.low), int(spec.high), log=spec.log)
        return d.FloatDistribution(spec.low, spec.high, log=spec.log)

    def fresh(self, k):
        out = []
        while self.asked < self.sweep.trials and (k is None or len(out) < k):
            trial = self.study.ask(self.dists)
            # the study is told by _add when the record arrives; the ask-side trial is left running
            self.study.tell(trial, state=self.optuna.trial.TrialState.FAIL)
            out.append((self.asked, dict(trial.params)))
            self.asked += 1
        return out

    def tell(self, record: dict) -> None:
        super().tell(record)
        if record.get("status") in FINISHED:
            self._add(record)

    def _add(self, record: dict) -> None:
        state = self.optuna.trial.TrialState
        value = (record.get("metrics") or {}).get(self.sweep.metric)
        ok = record["status"] == "ok" and isinstance(value, (int, float)) and math.isfinite(value)
        params = {k: v for k, v in record["params"].items() if k in self.dists}
        if set(params) != set(self.dists):
            return  # a record from another params set: the identity check keeps this from happening
        try:
            self.study.add_trial(self.optuna.trial.create_trial(
                params=params, distributions=self.dists, value=float(value) if ok else None,
                state=state.COMPLETE if ok else state.PRUNED))
        except ValueError:
            pass  # a value outside the current distribution (edited file): leave it out of the model


def make_planner(sweep: SweepConfig, records: dict[int, dict]) -> Planner:
    return OptunaPlanner(sweep, records) if sweep.method == "optuna" else ListPlanner(sweep, records)
