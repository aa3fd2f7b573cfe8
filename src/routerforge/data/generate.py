"""Generate the router's train / val / test data: sample templates, vary the wording, execute the expert.

Every row's target is `render_decision(expert, spec, result)` where `result` comes from running the
expert on the spec (time results at a frozen instant), so `-> result` is always right; a spec the expert
rejects is a bad row, reported in stats.json and replaced, and too many bad rows stop the run.

Splits: `test` uses only held-out templates and held-out slot values (cities, chat prompts, entities,
people, task names); `val` is drawn from the train templates and pools but no val query equals a train
query. No query string (whitespace- and case-normalised) occurs in two splits. Each (expert, split) has
its own random stream seeded from the config seed, so the same seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routerforge.errors import UserError
from routerforge.data.config import SPLITS, DataConfig, class_experts, data_experts
from routerforge.experts import class_of
from routerforge.data.templates import SplitView, Template, split_views
from routerforge.data.variations import apply_variations
from routerforge.formats.decision import DecisionParseError, parse_decision, render_decision

FALLBACK_SYSTEM_PROMPT = "You are a router."
MAX_ATTEMPTS_PER_ROW = 50  # draws before giving up on finding a fresh, valid query for one row


class DataGenerationError(UserError, RuntimeError):
    """Generation cannot produce trustworthy data (too many bad rows, pools too small)."""


def normalize_query(text: str) -> str:
    """The form queries are compared in across splits: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def loose_query(text: str) -> str:
    """The form used against `exclude` lists: also ignores punctuation ("What's 2+2?" ~ "whats 22")."""
    return " ".join(re.sub(r"[^\w\s]", "", text.casefold()).split())


def load_excluded(paths: list[str]) -> set[str]:
    """Queries (loose form) from JSONL files with a `query` field or text files with one query a line."""
    from routerforge.io import iter_jsonl

    out: set[str] = set()
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise FileNotFoundError(f"data.exclude: no such file: {path}")
        if path.suffix == ".jsonl":
            out.update(loose_query(str(r["query"])) for r in iter_jsonl(path) if "query" in r)
        else:
            out.update(loose_query(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    out.discard("")
    return out


def default_system_prompt() -> str:
    try:
        from routerforge.models.prompts import system_prompt
    except ImportError:
        return FALLBACK_SYSTEM_PROMPT
    return system_prompt()


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integer counts summing to `total`, proportional to weights (ties: earlier keys first)."""
    wsum = sum(weights.values())
    if total <= 0 or wsum <= 0:
        return {k: 0 for k in weights}
    quotas = {k: total * w / wsum for k, w in weights.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    order = sorted(weights, key=lambda k: (-(quotas[k] - counts[k]), list(weights).index(k)))
    for k in order[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def plan_counts(config: DataConfig) -> dict[str, dict[str, int]]:
    """expert -> split -> rows. The total is split over the mix keys, a class's share evenly over its
    experts, then each expert's rows over train/val/test by the ratios."""
    per_key = largest_remainder(config.examples, {k: float(w) for k, w in config.mix.items()})
    per_expert: Counter[str] = Counter()
    classes = class_experts()
    for key, n in per_key.items():
        members = classes.get(key, (key,))
        per_expert.update(largest_remainder(n, {e: 1.0 for e in members}))
    ratios = {"train": 1 - config.val_ratio - config.test_ratio, "val": config.val_ratio, "test": config.test_ratio}
    ordered = [e for e in data_experts() if per_expert.get(e)]
    return {e: largest_remainder(per_expert[e], ratios) for e in ordered}


@dataclass
class _State:
    config: DataConfig
    system: str
    seen: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in SPLITS})
    attempts: int = 0
    bad: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    excluded: set[str] = field(default_factory=set)
    excluded_hits: int = 0


def _validate(expert_name: str, spec: str) -> tuple[str | None, str | None]:
    """(result, None) when the expert accepts the spec and the decision round-trips, else (None, reason)."""
    from routerforge.experts import get_expert

    res = get_expert(expert_name).run(spec)
    if not res.ok or res.value is None:
        return None, res.error or "expert returned no result"
    try:
        text = render_decision(expert_name, spec, res.value)
        back = parse_decision(text)
    except DecisionParseError as exc:
        return None, f"decision does not render/parse: {exc}"
    if (back.expert, back.spec, back.result) != (expert_name, spec.strip(), res.value.strip()):
        return None, f"decision does not round-trip: {text!r}"
    return res.value, None


def _row(state: _State, expert: str, split: str, template: Template, query: str, spec: str, result: str,
         variation: str, slots: dict) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": state.system},
            {"role": "user", "content": query},
            {"role": "assistant", "content": render_decision(expert, spec, result)},
        ],
        "query": query,
        "expert": expert,
        "expert_class": class_of(expert),
        "spec": spec,
        "result": result,
        "template_id": template.id,
        "variation": variation,
        "split": split,
        "slots": slots,
    }


def _generate_split(state: _State, expert: str, split: str, view: SplitView, n: int) -> list[dict]:
    if n and not view.templates:
        raise DataGenerationError(f"{expert}: no templates for the {split} split")
    rng = random.Random(f"routerforge-data:{state.config.seed}:{expert}:{split}")
    weights = [t.weight for t in view.templates]
    others = [s for s in SPLITS if s != split]
    rows: list[dict] = []
    for _ in range(n):
        for attempt in range(MAX_ATTEMPTS_PER_ROW):
            state.attempts += 1
            template = rng.choices(view.templates, weights)[0]
            sample = template.render(rng, view.pools)
            query, variation = apply_variations(rng, sample, state.config.variation_rate, state.config.variations)
            key = normalize_query(query)
            if any(key in state.seen[o] for o in others):
                continue  # never share a query string across splits
            if state.excluded and loose_query(query) in state.excluded:
                state.excluded_hits += 1
                continue  # never emit a benchmark query
            if key in state.seen[split] and attempt < MAX_ATTEMPTS_PER_ROW // 2:
                continue  # prefer fresh queries; a repeat within one split is allowed late (tiny pools)
            result, reason = _validate(expert, sample.spec)
            if reason is not None:
                state.bad.append({"expert": expert, "split": split, "template_id": template.id,
                                  "spec": sample.spec, "query": query, "reason": reason})
                if len(state.bad) > 50 + state.config.max_bad_fraction * state.config.examples * 2:
                    raise DataGenerationError(_bad_summary(state))
                continue
            state.duplicates += key in state.seen[split]
            state.seen[split].add(key)
            rows.append(_row(state, expert, split, template, query, sample.spec, result, variation, sample.slots))
            break
        else:
            raise DataGenerationError(
                f"{expert}/{split}: no fresh valid query after {MAX_ATTEMPTS_PER_ROW} draws; "
                "the templates or slot pools are too small for this many examples")
    return rows


def _bad_summary(state: _State) -> str:
    reasons = Counter(b["reason"].split(":")[0] + ": " + b["reason"][:80] for b in state.bad).most_common(3)
    return (f"{len(state.bad)} of {state.attempts} generated rows failed validation by execution "
            f"(limit {state.config.max_bad_fraction:.0%}); most common: " + "; ".join(r for r, _ in reasons))


def _generate(config: DataConfig) -> tuple[dict[str, list[dict]], dict[str, Any]]:
    from routerforge.experts import clock

    state = _State(config, config.system_prompt if config.system_prompt is not None else default_system_prompt(),
                   excluded=load_excluded(config.exclude))
    counts = plan_counts(config)
    rows: dict[str, list[dict]] = {s: [] for s in SPLITS}
    holdout: dict[str, Any] = {}
    instant = config.clock_instant()
    with clock.frozen(instant):
        for expert, per_split in counts.items():
            views = split_views(expert, config.holdout_ratio)
            views["val"] = views["train"]
            holdout[expert] = {
                "templates": {"train": len(views["train"].templates), "test": len(views["test"].templates)},
                "test_template_ids": sorted(t.id for t in views["test"].templates),
                "pools": {p: {"train": len(views["train"].pools[p]), "test": len(views["test"].pools[p])}
                          for p in views["train"].pools},
            }
            for split in ("test", "val", "train"):  # held-out first: it owns its strings
                rows[split] += _generate_split(state, expert, split, views[split], per_split[split])
    if state.attempts and len(state.bad) / state.attempts > config.max_bad_fraction:
        raise DataGenerationError(_bad_summary(state))
    for split in SPLITS:  # interleave experts, deterministically
        random.Random(f"routerforge-data:{config.seed}:shuffle:{split}").shuffle(rows[split])
    stats = _stats(config, state, rows, holdout, instant.isoformat())
    return rows, stats


def _stats(config: DataConfig, state: _State, rows: dict[str, list[dict]], holdout: dict, instant: str) -> dict:
    def by(key: str) -> dict[str, dict[str, int]]:
        return {s: dict(sorted(Counter(r[key] for r in rows[s]).items())) for s in SPLITS}

    return {
        "seed": config.seed,
        "examples": sum(len(r) for r in rows.values()),
        "splits": {s: len(rows[s]) for s in SPLITS},
        "counts": by("expert"),
        "class_counts": by("expert_class"),
        "templates": by("template_id"),
        "variations": by("variation"),
        "clock": instant,
        "system_prompt_sha256": hashlib.sha256(state.system.encode()).hexdigest(),
        "holdout": holdout,
        "duplicates_within_split": state.duplicates,
        "excluded_matches": state.excluded_hits,
        "bad_rows": {"count": len(state.bad), "attempts": state.attempts, "rows": state.bad},
        "config": config.to_dict(),
    }


def generate_rows(config: DataConfig) -> dict[str, list[dict]]:
    """{"train": rows, "val": rows, "test": rows}; raises DataGenerationError when data cannot be trusted."""
    return _generate(config)[0]


def generate_with_stats(config: DataConfig) -> tuple[dict[str, list[dict]], dict[str, Any]]:
    return _generate(config)


def generate_dataset(config: DataConfig, out_dir: str | Path, force: bool = False) -> dict[str, Any]:
    """Write train/val/test.jsonl and stats.json into `out_dir` (atomically, COMPLETE written last) and
    return the stats. An existing non-empty `out_dir` is refused unless `force`."""
    from routerforge.io import atomic_write_json, atomic_write_jsonl, mark_complete, prepare_run_dir

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} exists and is not empty; pass --force to overwrite it")
    rows, stats = _generate(config)  # before touching the directory: a failed run destroys nothing
    if out.is_dir() and any(out.iterdir()):
        prepare_run_dir(out, force=True)
    out.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        atomic_write_jsonl(out / f"{split}.jsonl", rows[split])
    atomic_write_json(out / "stats.json", stats)
    mark_complete(out)
    return stats
