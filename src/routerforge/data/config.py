"""`DataConfig`: every knob of the synthetic data generator, with checks.

A config comes from defaults, a YAML file (`DataConfig.from_yaml`) or a dict (`from_dict`). The YAML may
be a plain data config or a whole pipeline config with a top-level `data:` section, in which case only
that section is read. Unknown keys are errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from routerforge.errors import ConfigError

SPLITS: tuple[str, ...] = ("train", "val", "test")


def class_experts() -> dict[str, tuple[str, ...]]:
    """Evaluation class -> the registered experts of that class that declare training templates, read
    from the expert registry (built-ins and plug-ins alike). A mix weight on a class is shared evenly by
    its experts (math -> add/subtract/multiply/divide); a weight on an expert name goes to it alone."""
    from routerforge.experts import all_experts

    out: dict[str, list[str]] = {}
    for expert in all_experts():
        if expert.templates or expert.fixed_queries():
            out.setdefault(expert.label, []).append(expert.name)
    return {c: tuple(names) for c, names in out.items()}


def data_experts() -> tuple[str, ...]:
    """Every expert that gets generated rows, in registry order."""
    return tuple(e for members in class_experts().values() for e in members)


def _default_mix() -> dict[str, float]:
    return {name: 1.0 for name in class_experts()}


@dataclass
class DataConfig:
    examples: int = 2000
    """Total number of rows over all three splits."""
    seed: int = 0
    """Seeds every random choice; the same seed gives byte-identical files."""
    mix: dict[str, float] = field(default_factory=_default_mix)
    """Relative weight per expert class (math, word_problem, schedule, time, chat) or per expert name
    (add, ...). Normalised, so only ratios matter. A class weight is split evenly among its experts."""
    val_ratio: float = 0.1
    """Share of each expert's rows in `val` (drawn from the train templates and slot pools)."""
    test_ratio: float = 0.2
    """Share of each expert's rows in `test` (only held-out templates and held-out slot values)."""
    holdout_ratio: float = 0.25
    """Share of each expert's templates and of each slot pool (cities, chat prompts, entities, names)
    reserved for `test`. The partition is a stable hash of the item, independent of `seed`."""
    variation_rate: float = 0.5
    """Probability that a row gets surface variations (instructions, casing, typos, chatter ...)."""
    variations: list[str] | None = None
    """Variation names allowed (see routerforge.data.variations.VARIATIONS); None = all of them."""
    max_bad_fraction: float = 0.03
    """Generation fails if more than this share of sampled rows fail validation by execution."""
    clock: str | None = None
    """ISO-8601 instant that time results are computed at; None = an instant derived from `seed`."""
    system_prompt: str | None = None
    """System message of every row; None = routerforge.models.prompts.system_prompt() (or a fallback)."""
    exclude: list[str] = field(default_factory=list)
    """Files of queries that must never be generated (evaluation benchmarks): JSONL with a `query` field,
    or plain text with one query per line. Matching ignores case, spacing and punctuation; a generated
    query that matches is redrawn and counted in stats.json."""

    def __post_init__(self) -> None:
        if isinstance(self.examples, bool) or not isinstance(self.examples, int) or self.examples <= 0:
            raise ConfigError(f"data.examples must be a positive integer, got {self.examples!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigError(f"data.seed must be an integer, got {self.seed!r}")
        self._check_mix()
        for name in ("val_ratio", "test_ratio", "variation_rate", "max_bad_fraction"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ConfigError(f"data.{name} must be a number in [0, 1], got {value!r}")
        if self.val_ratio + self.test_ratio >= 1:
            raise ConfigError("data.val_ratio + data.test_ratio must be below 1 (train needs rows)")
        if not isinstance(self.holdout_ratio, (int, float)) or not 0 < self.holdout_ratio < 1:
            raise ConfigError(f"data.holdout_ratio must be in (0, 1), got {self.holdout_ratio!r}")
        if self.variations is not None:
            from routerforge.data.variations import VARIATIONS

            if not isinstance(self.variations, list) or not all(isinstance(v, str) for v in self.variations):
                raise ConfigError("data.variations must be a list of variation names")
            unknown = [v for v in self.variations if v not in VARIATIONS]
            if unknown:
                raise ConfigError(f"unknown variation(s) {unknown}; known: {', '.join(VARIATIONS)}")
        if self.clock is not None:
            self.clock_instant()  # raises on a bad value
        if not isinstance(self.exclude, list) or not all(isinstance(p, str) for p in self.exclude):
            raise ConfigError("data.exclude must be a list of file paths")
        if self.system_prompt is not None and not isinstance(self.system_prompt, str):
            raise ConfigError("data.system_prompt must be text")

    def _check_mix(self) -> None:
        if not isinstance(self.mix, dict) or not self.mix:
            raise ConfigError("data.mix must be a non-empty mapping of expert class (or expert) -> weight")
        for key, weight in self.mix.items():
            classes, experts = class_experts(), data_experts()
            if key not in classes and key not in experts:
                known = ", ".join([*classes, *(e for e in experts if e not in classes)])
                raise ConfigError(f"data.mix: unknown expert class or expert {key!r}; known: {known}")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                raise ConfigError(f"data.mix[{key!r}] must be a non-negative number, got {weight!r}")
        if sum(self.mix.values()) <= 0:
            raise ConfigError("data.mix needs at least one positive weight")

    def expert_weights(self) -> dict[str, float]:
        """Weight per expert after sharing class weights among the class's experts (zero weights dropped)."""
        out: dict[str, float] = {}
        classes = class_experts()
        for key, weight in self.mix.items():
            members = classes.get(key, (key,))
            for expert in members:
                out[expert] = out.get(expert, 0.0) + weight / len(members)
        return {e: w for e, w in out.items() if w > 0}

    def clock_instant(self) -> datetime:
        """The frozen instant for time results: `clock`, or an instant in 2025 picked by the seed with a
        fixed formula (independent of Python's random module)."""
        if self.clock is None:
            base = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)
            return base + timedelta(days=self.seed * 7919 % 365, minutes=self.seed * 104729 % 1440)
        try:
            at = datetime.fromisoformat(str(self.clock).replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"data.clock must be an ISO-8601 instant like 2025-06-01T12:00:00Z, got {self.clock!r}")
        return at if at.tzinfo else at.replace(tzinfo=timezone.utc)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "DataConfig":
        """Build from a mapping; a pipeline-style mapping with a `data:` section uses that section only."""
        data = dict(data or {})
        if "data" in data:  # a full pipeline config: read only its data section
            data = data["data"] or {}
            if not isinstance(data, dict):
                raise ConfigError("the `data:` section must be a mapping")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown data config key(s): {', '.join(map(str, unknown))}; known: {', '.join(sorted(known))}")
        return cls(**data)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "DataConfig":
        from routerforge.configtools import read_yaml

        data = read_yaml(path)
        try:
            return cls.from_dict(data)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def replace(self, **changes: Any) -> "DataConfig":
        """A copy with some fields changed (None values are ignored: CLI flags that were not given)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

