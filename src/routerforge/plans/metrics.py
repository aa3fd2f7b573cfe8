"""Metrics for JSON route plans, as pure functions with the TRL reward signature
`(completions: list[str], **columns) -> list[float]` (one score in [0, 1] per completion, except
`length_ratio`). Gold-dependent metrics take `gold_completion=[...]` (aligned with `completions`).

`evaluate_plans` scores a prediction set against gold rows, overall and per `categories` value;
`check_gate` compares the aggregate with `{metric: {min: x} | {max: y}}` thresholds.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

from routerforge.errors import InputError
from routerforge.evaluate.gates import bound_failures, validate_bounds
from routerforge.plans.format import DEFAULT_TOOLS, PlanParseError, extract_json, plan_tools, validate_plan

# ---------------------------------------------------------------- parsing (cached: each metric re-reads)


def _text(completion: Any) -> str:
    """TRL passes conversational completions as message lists: score the last message's content."""
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    return completion if isinstance(completion, str) else ""


def _decode(completion: Any) -> dict | None:
    return _decode_text(_text(completion))


@lru_cache(maxsize=8192)
def _decode_text(text: str) -> dict | None:
    """The JSON object in a completion, or None (no repair: invalid output is scored as invalid)."""
    try:
        return json.loads(extract_json(text))
    except (PlanParseError, ValueError):
        return None


@lru_cache(maxsize=8192)
def _schema_ok(text: str, compact: bool, tools: tuple[str, ...]) -> bool:
    obj = _decode(text)
    if obj is None:
        return False
    try:
        validate_plan(obj, compact=compact, tools=tools)
        return True
    except PlanParseError:
        return False


def _tools(text: str) -> list[str]:
    obj = _decode(text)
    return plan_tools(obj) if obj is not None else []


def _steps(text: str) -> list | None:
    obj = _decode(text)
    steps = obj.get("route_plan") if obj is not None else None
    return steps if isinstance(steps, list) else None


def _mentions(tool: str, text: str) -> bool:
    # '/math' must not match '/mathematics'
    return re.search(re.escape(tool) + r"(?![\w-])", text) is not None


def _gold(gold_completion: Sequence[str] | None, n: int) -> Sequence[str]:
    if gold_completion is None or len(gold_completion) != n:
        raise InputError("gold_completion must be given, one per completion")
    return gold_completion


def _multiset_overlap(pred: list[str], gold: list[str]) -> int:
    remaining = list(gold)
    hits = 0
    for tool in pred:
        if tool in remaining:
            remaining.remove(tool)
            hits += 1
    return hits


# ---------------------------------------------------------------- per-row metrics (pure)


def json_valid(completions: list[str], **_: Any) -> list[float]:
    return [float(_decode(c) is not None) for c in completions]


def schema_valid(completions: list[str], *, compact: bool = False, tools: Iterable[str] = DEFAULT_TOOLS,
                 **_: Any) -> list[float]:
    key = tuple(tools)
    return [float(_schema_ok(_text(c), compact, key)) for c in completions]


def tool_precision(completions: list[str], gold_completion: Sequence[str] | None = None, **_: Any) -> list[float]:
    """Share of predicted tool calls that are in the gold multiset (empty prediction: 1 if gold empty)."""
    out = []
    for c, g in zip(completions, _gold(gold_completion, len(completions))):
        p, gt = _tools(c), _tools(g)
        out.append(_multiset_overlap(p, gt) / len(p) if p else float(not gt))
    return out


def tool_recall(completions: list[str], gold_completion: Sequence[str] | None = None, **_: Any) -> list[float]:
    """Share of gold tool calls found in the predicted multiset."""
    out = []
    for c, g in zip(completions, _gold(gold_completion, len(completions))):
        p, gt = _tools(c), _tools(g)
        out.append(_multiset_overlap(p, gt) / len(gt) if gt else float(not p))
    return out


def tool_f1(completions: list[str], gold_completion: Sequence[str] | None = None, **_: Any) -> list[float]:
    prec = tool_precision(completions, gold_completion)
    rec = tool_recall(completions, gold_completion)
    return [2 * p * r / (p + r) if p + r else 0.0 for p, r in zip(prec, rec)]


tool_f1_reward = tool_f1  # RL reward name used by the trainer


def _per_pair(name: str, fn: Callable[[str, str], bool]) -> Callable[..., list[float]]:
    def metric(completions: list[str], gold_completion: Sequence[str] | None = None, **_: Any) -> list[float]:
        return [float(fn(c, g)) for c, g in zip(completions, _gold(gold_completion, len(completions)))]

    metric.__doc__, metric.__name__ = fn.__doc__, name  # TRL logs rewards under __name__
    return metric


def _seq(c: str, g: str) -> bool:
    """Tool names and order equal."""
    return _decode(c) is not None and _tools(c) == _tools(g)


def _route_plan_equal(c: str, g: str) -> bool:
    """The full `route_plan` list of step strings equal."""
    steps = _steps(c)
    return steps is not None and steps == _steps(g)


def _first(c: str, g: str) -> bool:
    """Same first tool."""
    p, gt = _tools(c), _tools(g)
    return bool(p) and bool(gt) and p[0] == gt[0]


def _last(c: str, g: str) -> bool:
    """Same last tool."""
    p, gt = _tools(c), _tools(g)
    return bool(p) and bool(gt) and p[-1] == gt[-1]


def _length(c: str, g: str) -> bool:
    """Same number of route steps."""
    return _steps(c) is not None and len(_steps(c) or []) == len(_steps(g) or [])


tool_sequence_match = _per_pair("tool_sequence_match", _seq)
route_plan_match = _per_pair("route_plan_match", _route_plan_equal)
first_tool_match = _per_pair("first_tool_match", _first)
last_tool_match = _per_pair("last_tool_match", _last)
length_match = _per_pair("length_match", _length)


def _covers(field: str) -> Callable[..., list[float]]:
    def metric(completions: list[str], **_: Any) -> list[float]:
        out = []
        for c in completions:
            obj = _decode(c)
            value = obj.get(field) if obj is not None else None
            text = "\n".join(v for v in value if isinstance(v, str)) if isinstance(value, list) else value
            tools = set(_tools(c))
            out.append(float(bool(tools) and isinstance(text, str) and all(_mentions(t, text) for t in tools)))
        return out

    metric.__doc__ = f"1 when `{field}` mentions every routed tool."
    metric.__name__ = f"{field.split('_')[0]}_covers_tools"
    return metric


def _nonempty(name: str, field: str) -> Callable[..., list[float]]:
    def metric(completions: list[str], **_: Any) -> list[float]:
        out = []
        for c in completions:
            obj = _decode(c)
            value = obj.get(field) if obj is not None else None
            out.append(float(isinstance(value, list) and any(isinstance(v, str) and v.strip() for v in value)))
        return out

    metric.__doc__ = f"1 when `{field}` is a non-empty list of text."
    metric.__name__ = name
    return metric


todo_covers_tools = _covers("todo_list")
handoff_covers_tools = _covers("handoff_plan")
acceptance_nonempty = _nonempty("acceptance_nonempty", "acceptance_criteria")
artifacts_nonempty = _nonempty("artifacts_nonempty", "expected_artifacts")


def length_ratio(completions: list[str], gold_completion: Sequence[str] | None = None, **_: Any) -> list[float]:
    """len(pred) / len(gold) in characters (not bounded by 1)."""
    return [len(_text(c)) / max(len(_text(g)), 1) for c, g in zip(completions, _gold(gold_completion, len(completions)))]


# name -> metric; COMPACT_SKIP are undefined for compact plans (fields absent by design)
METRICS: dict[str, Callable[..., list[float]]] = {
    "json_valid": json_valid,
    "schema_valid": schema_valid,
    "tool_precision": tool_precision,
    "tool_recall": tool_recall,
    "tool_f1": tool_f1,
    "tool_sequence_match": tool_sequence_match,
    "route_plan_match": route_plan_match,
    "first_tool_match": first_tool_match,
    "last_tool_match": last_tool_match,
    "length_match": length_match,
    "handoff_covers_tools": handoff_covers_tools,
    "todo_covers_tools": todo_covers_tools,
    "acceptance_nonempty": acceptance_nonempty,
    "artifacts_nonempty": artifacts_nonempty,
    "length_ratio": length_ratio,
}
COMPACT_SKIP = ("todo_covers_tools", "acceptance_nonempty", "artifacts_nonempty")
MAIN_METRICS = ("json_valid", "schema_valid", "tool_f1", "tool_sequence_match", "first_tool_match",
                "last_tool_match", "handoff_covers_tools", "todo_covers_tools")


def evaluate_plans(completions: list[str], gold_completions: list[str], categories: list[list[str]] | None = None,
                   *, compact: bool = False, tools: Iterable[str] = DEFAULT_TOOLS, rubric: bool = False) -> dict:
    """Score predictions. Returns {"n", "overall": {metric: mean}, "per_category": {cat: {...}},
    "per_row": [{metric: value, "pred_tools", "gold_tools", "categories"}]}. `rubric` adds the
    rationale-completeness metrics of `plans.rubric` (full plans; they need no gold)."""
    from routerforge.plans.rubric import RUBRIC

    if len(completions) != len(gold_completions):
        raise InputError(f"{len(completions)} predictions for {len(gold_completions)} gold rows")
    metrics = {**METRICS, **(RUBRIC if rubric and not compact else {})}
    names = [m for m in metrics if not (compact and m in COMPACT_SKIP)]
    cols = {m: metrics[m](completions, gold_completion=gold_completions, compact=compact, tools=tuple(tools))
            for m in names}
    cats = categories or [[] for _ in completions]
    per_row = []
    for i, (c, g) in enumerate(zip(completions, gold_completions)):
        row = {"row": i, "categories": list(cats[i] or []), **{m: cols[m][i] for m in names}}
        row["pred_tools"], row["gold_tools"] = _tools(c), _tools(g)
        per_row.append(row)
    groups: dict[str, list[int]] = {}
    for i, cs in enumerate(cats):
        for cat in cs or []:
            groups.setdefault(str(cat), []).append(i)
    return {
        "n": len(completions),
        "compact": compact,
        "overall": {m: _mean(cols[m]) for m in names},
        "per_category": {cat: {"n": len(idx), **{m: _mean([cols[m][i] for i in idx]) for m in names}}
                         for cat, idx in sorted(groups.items())},
        "per_row": per_row,
    }


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else float("nan")


def check_gate(overall: dict[str, float], gate: dict, per_category: dict | None = None) -> list[str]:
    """Failures as readable lines. A key is an overall metric name, or `category/metric` for one
    `categories` value. Unknown names, bound keys or non-numbers raise ValueError; a NaN value fails."""
    if not isinstance(gate, dict):
        raise InputError("a gate file must map metric names to {min: x} or {max: y}")
    failures = []
    for name, bounds in gate.items():
        cat, _, metric = str(name).rpartition("/")
        scope = (per_category or {}).get(cat) if cat else overall
        if scope is None or metric not in scope:
            raise InputError(f"gate names unknown metric {name!r}; known: {', '.join(overall)}"
                             + (f"; categories: {', '.join(per_category)}" if per_category else ""))
        limits = validate_bounds(f"gate for {name!r}", bounds)
        failures += bound_failures(str(name), scope[metric], limits)
    return failures

