"""The sweep file (`configs/sweeps/*.yaml`): which pipeline config the trials start from, which keys they
vary and how, on how much data, and when a trial is stopped early.

    # routerforge sweep --config configs/sweeps/NAME.yaml --out runs/sweep-NAME
    base: configs/router.yaml          # every trial starts from this pipeline config ...
    set: {rl.iterations: 0}            # ... with these overrides (dotted keys, as --set)
    method: grid                       # grid | random | optuna
    params:                            # any pipeline config key
      sft.lora_r: [8, 16]              #   a list: the values to try
      sft.lr: {scale: [0.5, 0.7, 1.0]} #   multiples of the base config's value
      sft.warmup_ratio: {low: 0.0, high: 0.1}   # a range (random, optuna; `log`, `integer`)
    limit: 64                          # training rows per trial (a smoke slice); null = all
    drift: {threshold: 0.5, every: 4}  # stop a trial whose val format validity falls below 0.5

Like the pipeline config, unknown keys and wrong types are errors that name the key, and every value a
trial could take is checked against the pipeline config when the file is loaded, before any trial runs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routerforge.configtools import apply_overrides, check_type, from_dict, read_yaml
from routerforge.errors import ConfigError
from routerforge.evaluate.gates import metric_value as _get  # a dotted key of a nested dict
from routerforge.train.config import PipelineConfig

METHODS = ("grid", "random", "optuna")
# what a trial's logbook entry measures (`metric` must be one of them): held-out eval of the trained run,
# training loss, and the drift monitor's unconstrained val probe after SFT
METRICS = ("answer_accuracy", "expert_accuracy", "zone_accuracy", "result_accuracy", "format_validity",
           "val_format_validity", "val_loss", "train_loss")
LOWER_IS_BETTER = ("val_loss", "train_loss")


@dataclass
class ParamSpec:
    """How one config key varies: `values`, or `scale` (multiples of the base value), or a range."""

    values: list | None = None
    """The values to try (a YAML list under the key is short for this)."""
    scale: list[float] | None = None
    """Multiples of the base config's value of the key: `sft.lr: {scale: [0.5, 1.0]}` tries half and all of it."""
    low: float | None = None
    """A range's lower bound (random and optuna only; grid needs values)."""
    high: float | None = None
    """A range's upper bound."""
    log: bool = False
    """Sample the range uniformly in log space (learning rates)."""
    integer: bool = False
    """Sample whole numbers from the range (ranks, layer counts)."""

    def __post_init__(self) -> None:
        kinds = [self.values is not None, self.scale is not None, self.low is not None or self.high is not None]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of values, scale, or low and high")
        if self.values is not None and not self.values:
            raise ValueError("values must not be empty")
        if self.scale is not None and (not self.scale or any(
                isinstance(s, bool) or not isinstance(s, (int, float)) or s <= 0 for s in self.scale)):
            raise ValueError("scale must be a non-empty list of positive numbers")
        if kinds[2]:
            if self.low is None or self.high is None or not self.low < self.high:
                raise ValueError("a range needs low < high")
            if self.log and self.low <= 0:
                raise ValueError("a log range needs low > 0")

    @property
    def is_range(self) -> bool:
        return self.low is not None


@dataclass
class DriftConfig:
    """Early stop for format drift (train/drift.py): greedy, unconstrained decoding of a few val rows."""

    threshold: float | None = None
    """Stop a trial whose val format validity falls below this (0-1); null never stops one."""
    every: int = 10
    """Probe every N optimizer steps."""
    after: int | None = None
    """First probe at this step (default: `every`); the untrained model starts near 0."""
    rows: int = 8
    """Val rows decoded per probe (also the trial's final val loss and format validity)."""
    max_new_tokens: int = 32
    """Tokens decoded per row; a decision is ~12."""

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0 <= self.threshold <= 1:
            raise ValueError("threshold must be in [0, 1] or null")
        if self.every <= 0 or self.rows <= 0 or self.max_new_tokens <= 0:
            raise ValueError("every, rows and max_new_tokens must be positive")
        if self.after is not None and self.after < 0:
            raise ValueError("after must be >= 0")


@dataclass
class SweepConfig:
    base: str
    """The pipeline config every trial starts from (a path, as `routerforge train --config` takes)."""
    params: dict[str, Any]
    """Config key -> a list of values or a `ParamSpec` mapping (values / scale / low, high, log, integer)."""
    method: str = "grid"
    """grid (every combination, in file order), random (seeded draws) or optuna (TPE, seeded)."""
    trials: int | None = None
    """How many trials: required for random and optuna; for grid null = every combination, N = the first N."""
    seed: int = 0
    """Seeds random draws and Optuna's sampler (each trial's own training seed is the pipeline's `seed`)."""
    set: dict[str, Any] = field(default_factory=dict)
    """Overrides applied to the base config before the trial's params (dotted keys, like --set)."""
    metric: str = "answer_accuracy"
    """What makes a trial best (see METRICS); only trials with status ok compete."""
    mode: str | None = None
    """max or min; null = min for losses, max otherwise."""
    limit: int | None = None
    """Training rows per trial (a seeded sample of the train split: a smoke slice); null = all."""
    eval_rows: int | None = None
    """Rows kept of the val split and of the evaluated split (a seeded sample); null = all."""
    cpus_per_trial: int = 1
    """CPUs a trial declares on Ray (`--backend ray`); torch in the trial uses as many threads."""
    drift: DriftConfig = field(default_factory=DriftConfig)
    """Early stop for format drift."""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not isinstance(self.params, dict) or not self.params:
            raise ConfigError("params must map at least one config key to its values")
        self.params = {str(k): _param(str(k), v) for k, v in self.params.items()}
        if self.method in ("random", "optuna") and self.trials is None:
            raise ConfigError(f"trials: method {self.method} needs a number of trials")
        if self.trials is not None and self.trials <= 0:
            raise ConfigError("trials must be positive")
        if self.method == "grid":
            ranges = [k for k, p in self.params.items() if p.is_range]
            if ranges:
                raise ConfigError(f"params.{ranges[0]}: grid needs values or scale, not a range (use method random "
                                  "or optuna)")
        if self.metric not in METRICS:
            raise ConfigError(f"metric must be one of {', '.join(METRICS)}, got {self.metric!r}")
        if self.mode is None:
            self.mode = "min" if self.metric in LOWER_IS_BETTER else "max"
        if self.mode not in ("max", "min"):
            raise ConfigError(f"mode must be max or min, got {self.mode!r}")
        for name in ("limit", "eval_rows", "cpus_per_trial"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"{name} must be positive")
        if not isinstance(self.set, dict):
            raise ConfigError("set must map config keys to values")


def _param(key: str, value: Any) -> ParamSpec:
    if isinstance(value, ParamSpec):
        return value
    where = f"params.{key}"
    if isinstance(value, list):
        value = {"values": value}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a list of values or a mapping (values, scale, low/high), got {value!r}")
    return from_dict(ParamSpec, value, where)


# ---------------------------------------------------------------------------------------------------
def load_sweep(path: str | Path, *, limit: int | None | str = "config") -> SweepConfig:
    """Read and check a sweep file: its own keys, the base config, and every value a trial can take.
    `limit` (the CLI's --limit) replaces the file's: an int, None for all rows, "config" to keep it."""
    data = read_yaml(path, kind="sweep")
    if limit != "config":
        data["limit"] = limit
    if isinstance(data.get("params"), dict):  # here, so an error names params.KEY and nothing else
        data["params"] = {str(k): _param(str(k), v) for k, v in data["params"].items()}
    sweep = from_dict(SweepConfig, data)
    check_space(sweep)
    return sweep


def base_dict(sweep: SweepConfig) -> dict:
    """The base pipeline config as a mapping, with the sweep's `set` applied (not yet checked)."""
    data = read_yaml(sweep.base) if sweep.base else {}
    return apply_overrides(data, [f"{k}={_yaml(v)}" for k, v in sweep.set.items()])


def _yaml(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def base_value(sweep: SweepConfig, key: str):
    """The key's value in the base config (with `set`), falling back to the dataclass default."""
    from routerforge.configtools import to_dict

    value = _get(base_dict(sweep), key)
    return value if value is not None else _get(to_dict(from_dict(PipelineConfig, base_dict(sweep))), key)


def choices(sweep: SweepConfig, key: str) -> list | None:
    """The values a grid/categorical key takes (scale resolved against the base); None for a range."""
    spec = sweep.params[key]
    if spec.values is not None:
        return list(spec.values)
    if spec.scale is not None:
        base = base_value(sweep, key)
        check_type(f"params.{key}: scale needs a number in the base config; {key}", float, base)
        return [_round(base * s, int_=isinstance(base, int)) for s in spec.scale]
    return None


def _round(value: float, *, int_: bool) -> float | int:
    return int(round(value)) if int_ else float(f"{value:.10g}")  # 0.002 * 0.7 is 0.0014, not ...98


def trial_dict(sweep: SweepConfig, params: dict) -> dict:
    """The trial's pipeline config as a mapping: the base, `set`, then the params."""
    return apply_overrides(base_dict(sweep), [f"{k}={_yaml(v)}" for k, v in params.items()])


def trial_config(sweep: SweepConfig, params: dict) -> PipelineConfig:
    return from_dict(PipelineConfig, trial_dict(sweep, params))


def check_space(sweep: SweepConfig) -> None:
    """Build the base config and each value of each param on top of it, so a bad key or value fails now,
    naming the param, and not at trial 17."""
    from_dict(PipelineConfig, base_dict(sweep))
    for key, spec in sweep.params.items():
        values = choices(sweep, key)
        if values is None:
            values = [spec.low, spec.high]
        for value in values:
            if spec.is_range and spec.integer:
                value = int(value)
            try:
                trial_config(sweep, {key: value})
            except ConfigError as exc:
                raise ConfigError(f"params.{key}: {exc}") from None


def grid(sweep: SweepConfig) -> list[dict]:
    """Every combination of the params' values, the first key varying slowest; `trials` keeps the first N."""
    keys = list(sweep.params)
    combos = [dict(zip(keys, c)) for c in itertools.product(*(choices(sweep, k) for k in keys))]
    return combos[:sweep.trials] if sweep.trials else combos


def identity(sweep: SweepConfig) -> dict:
    """What makes two runs of a sweep the same sweep (the resume check): the file's settings that change
    a trial's result, and the base config's content (an edited base file is a different sweep)."""
    from dataclasses import asdict

    out = asdict(sweep)
    out.pop("cpus_per_trial")  # where a trial runs does not change what it computes
    out["params"] = {k: asdict(v) for k, v in sweep.params.items()}
    out["base_config"] = base_dict(sweep)
    return out
