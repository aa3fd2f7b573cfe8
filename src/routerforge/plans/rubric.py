"""Rationale completeness, scored deterministically (the CourseGPT-Pro reviewers' three parts).

The original reviewers scored rationales 1-5 on tool justification, handoff details and acceptance
criteria. These are the same three parts as pure metric functions with the TRL reward signature
`(completions, **columns) -> list[float]`, needing no gold plan:

- `rubric_tool_justification`: share of the distinct tools of `route_plan` that `route_rationale`
  justifies: one sentence names the tool (`/math` does not match `/mathematics`) *and* gives a reason
  (`because`, `since`, `so that`, `in order to`, `needed`, `requires`, or `to <verb>` such as
  "to derive", "to verify").
- `rubric_handoff`: share of the route's handoffs (each step -> the next, the last -> router QA)
  that `handoff_plan` names with its producer, its consumer and a check: one sentence mentions the
  producer, later the consumer, and a check word (verify, check, validate, audit, test, confirm,
  compare, fallback) after the producer. An arrow chain with a `(verification: ...)` clause names
  every handoff it passes through.
- `rubric_acceptance`: share of `acceptance_criteria` items that are checkable: a number, a
  comparison (at least, within, below, >=, ...), a pass/fail verb (passes, fails, matches, agrees,
  equals, cites, reproduces, converges, runs without errors) or a presence check (includes,
  contains, reports, lists, provides).
- `rubric_score`: 1 + 4 x the mean of the three: the reviewers' 1-5 scale (5 = all three complete).

A plan that does not parse scores 0 on each part (1 on `rubric_score`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from routerforge.plans.format import PlanParseError, extract_json, plan_tools

_SENT = re.compile(r"(?<=[.!?;])\s+")
_REASON = re.compile(r"\b(?:because|since|so that|in order to|needed|needs?|requires?|required|necessary|"
                     r"to (?:derive|prove|implement|gather|collect|cite|ground|verify|check|validate|audit|find|"
                     r"compute|run|simulate|test|benchmark|analy[sz]e|provide|ensure|confirm|formali[sz]e|"
                     r"establish|obtain|retrieve|source|build|code|execute|measure|evaluate|solve|model))\b", re.I)
_CHECK = re.compile(r"\b(?:verif\w*|check\w*|validat\w*|audit\w*|test\w*|confirm\w*|compar\w*|fallback|cross-check\w*)",
                    re.I)
_CHECKABLE = re.compile(
    r"\d|[<>≤≥]|\b(?:at least|at most|within|below|above|under|less than|more than|greater than|exceed\w*|"
    r"no more than|threshold|tolerance|pass(?:es|ed)?|fail(?:s|ed)?|match(?:es|ed)?|agree(?:s|d)?|equals?|"
    r"cite[sd]?|citing|reproduc\w+|runs? without|converge\w*|includes?|included|contains?|reports?|reported|"
    r"lists?|listed|provides?|provided)\b", re.I)


def _text(completion: Any) -> str:
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    return completion if isinstance(completion, str) else ""


@lru_cache(maxsize=8192)
def _plan(text: str) -> dict | None:
    try:
        obj = json.loads(extract_json(text))
    except (PlanParseError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def _mentions(name: str, text: str) -> list[int]:
    """Positions where a tool (or `router QA`) is named; '/math' never matches '/mathematics'."""
    return [m.start() for m in re.finditer(re.escape(name) + r"(?![\w-])", text, re.I)]


def _sentences(text: Any) -> list[str]:
    return [s for s in _SENT.split(text) if s.strip()] if isinstance(text, str) else []


def justified(plan: dict) -> float:
    tools = list(dict.fromkeys(plan_tools(plan)))
    sents = _sentences(plan.get("route_rationale"))
    if not tools or not sents:
        return 0.0
    ok = [any(_mentions(t, s) and _REASON.search(s) for s in sents) for t in tools]
    return sum(ok) / len(tools)


def handoffs_named(plan: dict) -> float:
    tools = plan_tools(plan)
    sents = _sentences(plan.get("handoff_plan"))
    if not tools or not sents:
        return 0.0
    pairs = list(zip(tools, tools[1:])) + [(tools[-1], "router QA")]

    def named(p: str, c: str) -> bool:
        for s in sents:
            for i in _mentions(p, s):
                after = s[i + len(p):]
                if _mentions(c, after) and _CHECK.search(after):
                    return True
        return False

    return sum(named(p, c) for p, c in pairs) / len(pairs)


def checkable(plan: dict) -> float:
    items = plan.get("acceptance_criteria")
    if not isinstance(items, list) or not items:
        return 0.0
    return sum(isinstance(x, str) and bool(_CHECKABLE.search(x)) for x in items) / len(items)


def _part(fn) -> Any:
    def metric(completions: list, **_: Any) -> list[float]:
        out = []
        for c in completions:
            plan = _plan(_text(c))
            out.append(fn(plan) if plan is not None else 0.0)
        return out

    return metric


rubric_tool_justification = _part(justified)
rubric_handoff = _part(handoffs_named)
rubric_acceptance = _part(checkable)
rubric_tool_justification.__name__ = "rubric_tool_justification"
rubric_handoff.__name__ = "rubric_handoff"
rubric_acceptance.__name__ = "rubric_acceptance"


def rubric_score(completions: list, **_: Any) -> list[float]:
    """1-5: 1 + 4 x the mean of the three parts."""
    parts = [f(completions) for f in (rubric_tool_justification, rubric_handoff, rubric_acceptance)]
    return [1 + 4 * sum(p) / 3 for p in zip(*parts)]


RUBRIC = {"rubric_tool_justification": rubric_tool_justification, "rubric_handoff": rubric_handoff,
          "rubric_acceptance": rubric_acceptance, "rubric_score": rubric_score}
