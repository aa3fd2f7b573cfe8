"""The JSON route-plan schema: real benchmark completions, tolerant parsing, field-named errors, repair."""

import json
from pathlib import Path

import pytest

from routerforge.plans.format import (
    COMPACT_KEYS, PLAN_KEYS, CompactPlan, Plan, PlanParseError, build_plan_prompt, extract_json, parse_plan,
    plan_tools, render_plan, repair_plan_text,
)

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "coursegpt"
FILES = {"deep_router_benchmark.jsonl": 291, "router_benchmark_hard.jsonl": 322}


def _rows(name):
    return [json.loads(line) for line in (BENCH / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def sample():
    return _rows("deep_router_benchmark.jsonl")[0]["completion"]


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_benchmark_completion_validates_and_round_trips(name):
    rows = _rows(name)
    assert len(rows) == FILES[name]
    for row in rows:
        plan = parse_plan(row["completion"])
        assert isinstance(plan, Plan)
        assert parse_plan(render_plan(plan)) == plan
        assert plan_tools(plan) == plan_tools(json.loads(row["completion"]))
        # the prompt template is the benchmark's, byte for byte
        assert build_plan_prompt(row["prompt"].split("User query:\n", 1)[1]) == row["prompt"]


def test_plan_tools_and_render(sample):
    plan = parse_plan(sample)
    assert plan_tools(plan) == ["/general-search", "/math", "/code"]
    text = render_plan(plan)
    assert list(json.loads(text)) == list(PLAN_KEYS)
    assert '", "' not in text and text.startswith('{"route_plan":[')


@pytest.mark.parametrize("wrap", [
    "```json\n{}\n```",
    "```\n{}\n```",
    "<think>I should search {first}, then math.</think>\n{}",
    "reasoning whose opening tag was cut off {x}\n</think>{}",
    "Sure! Here is the plan: {} Hope this helps {:)}",
    "Plan {draft}:\n```json\n{}\n```\ntrailing text",
])
def test_parse_tolerates_wrappers(sample, wrap):
    text = wrap.replace("{}", sample, 1)
    assert plan_tools(parse_plan(text)) == ["/general-search", "/math", "/code"]
    assert json.loads(extract_json(text)) == json.loads(sample)


def _mutate(sample, **changes):
    obj = json.loads(sample)
    for key, value in changes.items():
        if value is ...:
            del obj[key]
        else:
            obj[key] = value
    return json.dumps(obj)


@pytest.mark.parametrize("changes, field", [
    ({"difficulty": "expert"}, "difficulty"),
    ({"tags": "ml"}, "tags"),
    ({"tags": []}, "tags"),
    ({"todo_list": ["ok", ""]}, "todo_list.1"),
    ({"handoff_plan": ...}, "handoff_plan"),
    ({"route_plan": ["/math(x)", "/sql(select 1)"]}, "route_plan.1"),
    ({"route_plan": ["math: do it"]}, "route_plan.0"),
    ({"route_plan": []}, "route_plan"),
    ({"metrics": {"primary": ["a"]}}, "metrics.secondary"),
    ({"metrics": {"primary": ["a"], "secondary": ["b"], "note": 3}}, "metrics"),
    ({"surprise": 1}, "surprise"),
])
def test_schema_errors_name_the_field(sample, changes, field):
    with pytest.raises(PlanParseError) as exc:
        parse_plan(_mutate(sample, **changes))
    assert exc.value.kind == "schema"
    assert exc.value.field == field
    assert field in str(exc.value)


@pytest.mark.parametrize("text", ["", "no plan here", "{route_plan: [1,]}", '["/math(x)"]'])
def test_json_errors(text):
    with pytest.raises(PlanParseError) as exc:
        parse_plan(text)
    assert exc.value.kind == "json"


def test_custom_tool_vocabulary_and_compact(sample):
    custom = _mutate(sample, route_plan=["/sql(select 1)"])
    assert plan_tools(parse_plan(custom, tools=("sql", "/math"))) == ["/sql"]
    with pytest.raises(PlanParseError):
        parse_plan(custom)
    compact = parse_plan(sample, compact=True)  # a full plan is also a valid compact plan
    assert isinstance(compact, CompactPlan) and list(json.loads(render_plan(compact))) == list(COMPACT_KEYS)
    with pytest.raises(PlanParseError) as exc:
        parse_plan(render_plan(compact))  # ...but not the other way round
    assert exc.value.field == "expected_artifacts"


def test_repair_closes_any_truncation(sample):
    assert repair_plan_text(sample) == sample
    assert repair_plan_text("no json") is None
    for cut in range(1, len(sample), 5):
        fixed = repair_plan_text("```json\n" + sample[:cut])
        assert fixed is not None, cut
        assert isinstance(json.loads(fixed), dict)
    fixed = repair_plan_text(sample[: sample.index('"route_rationale"') + 30])
    assert plan_tools(json.loads(fixed)) == ["/general-search", "/math", "/code"]
    assert json.loads(repair_plan_text('{"a": "x\\')) == {"a": "x"}


def test_repair_and_extract_properties():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from routerforge.plans.generate import generate_records

    texts = [render_plan(parse_plan(json.dumps({k: r[k] for k in PLAN_KEYS}))) for r in generate_records(15, 4)]

    @settings(max_examples=60, deadline=None)
    @given(st.sampled_from(texts), st.floats(0.02, 1.0), st.text(max_size=30), st.text(max_size=30))
    def check(text, frac, before, after):
        cut = text[: max(1, int(len(text) * frac))]
        fixed = repair_plan_text(cut)
        assert fixed is not None and isinstance(json.loads(fixed), dict)
        if frac == 1.0:
            assert fixed == text
        # a complete plan is found whatever plain text surrounds it (braces in the prefix included)
        wrapped = before.replace("{", "(") + text + after
        assert json.loads(extract_json(wrapped)) == json.loads(text)

    check()
