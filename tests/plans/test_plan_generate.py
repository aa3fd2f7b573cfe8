"""Synthetic plan data: archetype coverage, field consistency, determinism, prepared output."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from routerforge.plans.generate import ARCHETYPES, TOOL_OF, generate_plans, generate_records
from routerforge.plans.format import CompactPlan, parse_plan, plan_tools, validate_plan

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "coursegpt"


@pytest.fixture(scope="module")
def records():
    return generate_records(600, seed=7)


def _mentions(tool, text):
    return re.search(re.escape(tool) + r"(?![\w-])", text) is not None


def test_covers_at_least_nine_archetypes_with_expected_routes(records):
    counts = Counter(r["archetype"] for r in records)
    assert len(counts) == len(ARCHETYPES) >= 9
    assert max(counts.values()) - min(counts.values()) <= 1  # balanced
    sequences = {tuple(plan_tools(r)) for r in records}
    for needed in [("/math",), ("/code",), ("/general-search",), ("/math", "/code"), ("/math", "/general-search"),
                   ("/code", "/general-search"), ("/code", "/math", "/code")]:
        assert needed in sequences
    assert len({s for s in sequences if len(set(s)) == 3}) >= 3  # all three tools in varied orders
    for r in records:
        assert plan_tools(r) == [TOOL_OF[k] for k in ARCHETYPES[r["archetype"]]]
    escalation = [r for r in records if r["archetype"] == "escalation"]
    assert all("fails" in r["route_plan"][-1] and "fallback" in r["handoff_plan"] for r in escalation)


def test_fields_are_valid_and_consistent(records):
    for r in records:
        plan = validate_plan({k: v for k, v in r.items() if k not in ("id", "user_query", "archetype")})
        tools = set(plan_tools(plan))
        for tool in tools:
            assert _mentions(tool, plan.route_rationale), (tool, plan.route_rationale)
            assert _mentions(tool, plan.handoff_plan)
            assert any(_mentions(tool, item) for item in plan.todo_list)
        assert len(plan.todo_list) == len(plan.route_plan) + 1  # one per step + router QA


def test_deterministic_varied_and_not_copied(records):
    assert generate_records(600, seed=7) == records
    assert generate_records(600, seed=8) != records
    queries = [r["user_query"] for r in records]
    assert len(set(queries)) == len(queries)
    assert len({q.split(",")[0] for q in queries}) > 200  # many distinct openings
    bench = {json.loads(line)["prompt"].split("User query:\n", 1)[1].strip()
             for f in BENCH.glob("*.jsonl") for line in f.read_text().splitlines()}
    assert not bench & set(queries)


def test_generate_writes_prepared_splits(tmp_path):
    s = generate_plans(tmp_path / "g", examples=60, seed=1, compact=True)
    assert s["valid"] == 60 and s["skipped"] == 0 and len(s["archetypes"]) >= 9
    rows = [json.loads(line) for line in (tmp_path / "g" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == s["splits"]["train"]
    assert isinstance(parse_plan(rows[0]["completion"], compact=True), CompactPlan)
    assert set(json.loads(rows[0]["completion"])) == {"route_plan", "route_rationale", "handoff_plan"}
    assert rows[0]["categories"][0] in ARCHETYPES
    assert (tmp_path / "g" / "raw.jsonl").is_file() and (tmp_path / "g" / "COMPLETE").is_file()
