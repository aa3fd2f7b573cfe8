"""Raw route-plan records -> prompt/completion JSONL splits (`routerforge plan prepare`).

A raw record is one JSON line: `id`, `user_query`, the plan fields (see `plans.format.PLAN_KEYS`),
and optionally `archetype` (a label) and `categories` (a list of labels). Each line is validated on
its own; a bad line is reported with its line number and skipped. Valid records are shuffled with a
seeded RNG and split into train/val/test. The prompt is the benchmark prompt template
(`plans.format.build_plan_prompt`); the completion is the plan rendered as compact JSON.

Outputs in DIR: train.jsonl, val.jsonl, test.jsonl, summary.json, with `--vertex` also
vertex/{train,val,test}.jsonl in Vertex AI supervised-tuning format (`to_vertex_row`).
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from routerforge.errors import InputError
from routerforge.plans.format import (
    DEFAULT_TOOLS, PLAN_KEYS, PlanParseError, build_plan_prompt, plan_tools, render_plan, validate_plan,
)
from routerforge.io import atomic_write_json, atomic_write_jsonl, mark_complete, prepare_run_dir
from routerforge.train.vertex import to_vertex_row

SPLITS = ("train", "val", "test")


def archetype_of(tools: list[str]) -> str:
    """Route archetype label = the tool sequence, e.g. `general-search>math>code`."""
    return ">".join(t.lstrip("/") for t in tools)


def record_to_row(record: dict, *, compact: bool = False, tools=DEFAULT_TOOLS) -> dict:
    """Validate one raw record and return its prompt/completion row (ValueError names the problem)."""
    if not isinstance(record.get("user_query"), str) or not record["user_query"].strip():
        raise InputError("field user_query: missing or empty")
    if "id" not in record or not isinstance(record["id"], (str, int)) or isinstance(record["id"], bool):
        raise InputError("field id: missing or not a string/integer")
    plan_fields = {k: record[k] for k in PLAN_KEYS if k in record}
    try:
        # raw records always carry the full plan; compact only changes what the model is taught
        plan = validate_plan(plan_fields, compact=False, tools=tools)
    except PlanParseError as exc:
        raise InputError(str(exc)) from None
    shown = validate_plan(plan_fields, compact=True, tools=tools) if compact else plan
    seq = plan_tools(plan)
    cats = record.get("categories")
    if cats is not None and not (isinstance(cats, list) and all(isinstance(c, str) for c in cats)):
        raise InputError("field categories: must be a list of strings")
    return {
        "id": str(record["id"]),
        "prompt": build_plan_prompt(record["user_query"], compact=compact),
        "completion": render_plan(shown),
        "categories": cats or [str(record.get("archetype") or archetype_of(seq))],
        "tools": seq,
        "difficulty": plan.difficulty,
    }


def load_raw_plans(path: str | Path, *, compact: bool = False, limit: int | None = None,
                   tools=DEFAULT_TOOLS) -> tuple[list[dict], list[str]]:
    """(rows, errors). Reads lines itself (not io.iter_jsonl) because schema errors must carry the
    line number too, not only JSON errors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    rows: list[dict] = []
    errors: list[str] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            if limit is not None and len(rows) >= limit:
                break
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise InputError("not a JSON object")
                row = record_to_row(record, compact=compact, tools=tools)
                if row["id"] in seen:
                    raise InputError(f"duplicate id {row['id']!r}")
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                errors.append(f"{path}:{lineno}: {exc}")
                continue
            seen.add(row["id"])
            rows.append(row)
    return rows, errors


def split_rows(rows: list[dict], *, seed: int = 42, val_ratio: float = 0.1,
               test_ratio: float = 0.05) -> dict[str, list[dict]]:
    """Deterministic shuffle (sorted by id first, so input order does not matter) and split."""
    if not (0 <= val_ratio < 1 and 0 <= test_ratio < 1 and val_ratio + test_ratio < 1):
        raise InputError("--val-ratio and --test-ratio must be in [0, 1) and sum to less than 1")
    ordered = sorted(rows, key=lambda r: r["id"])
    random.Random(seed).shuffle(ordered)
    n = len(ordered)
    n_test, n_val = round(n * test_ratio), round(n * val_ratio)
    return {"test": ordered[:n_test], "val": ordered[n_test:n_test + n_val], "train": ordered[n_test + n_val:]}


def _lengths(values: list[int]) -> dict[str, float]:
    if not values:
        return {"min": 0, "mean": 0.0, "max": 0}
    return {"min": min(values), "mean": round(statistics.fmean(values), 1), "max": max(values)}


def summarize(rows: list[dict]) -> dict[str, Any]:
    """Tool frequencies, route archetype counts, difficulty counts and lengths of a row set."""
    return {
        "rows": len(rows),
        "tool_calls": dict(Counter(t for r in rows for t in r["tools"]).most_common()),
        "rows_using_tool": dict(Counter(t for r in rows for t in set(r["tools"])).most_common()),
        "archetypes": dict(Counter(archetype_of(r["tools"]) for r in rows).most_common()),
        "difficulty": dict(Counter(r["difficulty"] for r in rows).most_common()),
        "route_steps": {str(k): v for k, v in sorted(Counter(len(r["tools"]) for r in rows).items())},
        "prompt_chars": _lengths([len(r["prompt"]) for r in rows]),
        "completion_chars": _lengths([len(r["completion"]) for r in rows]),
    }


def write_splits(rows: list[dict], errors: list[str], out_dir: str | Path, *, source: str, seed: int = 42,
                 val_ratio: float = 0.1, test_ratio: float = 0.05, vertex: bool = False,
                 compact: bool = False) -> dict:
    """Write the splits + summary.json into an existing directory; returns the summary."""
    out = Path(out_dir)
    if not rows:
        raise InputError(f"no valid records in {source} ({len(errors)} bad lines)")
    splits = split_rows(rows, seed=seed, val_ratio=val_ratio, test_ratio=test_ratio)
    for name in SPLITS:
        atomic_write_jsonl(out / f"{name}.jsonl", splits[name])
        if vertex:
            atomic_write_jsonl(out / "vertex" / f"{name}.jsonl",
                               [to_vertex_row(r["prompt"], r["completion"]) for r in splits[name]])
    summary = {
        "source": source, "seed": seed, "val_ratio": val_ratio, "test_ratio": test_ratio, "compact": compact,
        "valid": len(rows), "skipped": len(errors), "errors": errors[:200],
        "splits": {name: len(splits[name]) for name in SPLITS},
        **summarize(rows),
        "per_split": {name: summarize(splits[name]) for name in SPLITS},
    }
    atomic_write_json(out / "summary.json", summary)
    return summary


def prepare_plans(input_path: str | Path, out_dir: str | Path, *, seed: int = 42, val_ratio: float = 0.1,
                  test_ratio: float = 0.05, limit: int | None = None, vertex: bool = False,
                  force: bool = False, compact: bool = False) -> dict:
    """The whole `plan prepare` step; returns the summary (bad lines are in summary['errors'])."""
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    split_rows([], val_ratio=val_ratio, test_ratio=test_ratio)  # check ratios before touching DIR
    rows, errors = load_raw_plans(input_path, compact=compact, limit=limit)
    if not rows:
        raise InputError(f"no valid records in {input_path} ({len(errors)} bad lines)"
                         + (f"; first: {errors[0]}" if errors else ""))
    out = prepare_run_dir(out_dir, force=force)
    summary = write_splits(rows, errors, out, source=str(input_path), seed=seed, val_ratio=val_ratio,
                           test_ratio=test_ratio, vertex=vertex, compact=compact)
    mark_complete(out)
    return summary
