"""Policy data: gold plans are the policy's routes grounded in the query; held-out phrasings and themes;
deterministic; and never a benchmark query (nor a 10-word run of one)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from routerforge.plans.format import STEP_RE, parse_plan, plan_tools
from routerforge.plans.ground import segments
from routerforge.plans.policy import ROUTE_BY_NAME, ROUTES
from routerforge.plans.policy_data import POOLS, generate_policy_data, generate_split, split_pools
from routerforge.plans.rubric import RUBRIC

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "coursegpt"


@pytest.fixture(scope="module")
def rows():
    return {s: generate_split(s, n, 0) for s, n in (("train", 600), ("val", 120), ("test", 300))}


def test_gold_plans_follow_the_policy_and_are_grounded(rows):
    for r in rows["train"] + rows["test"]:
        plan = parse_plan(r["completion"])
        route = ROUTE_BY_NAME[r["route"]]
        assert tuple(plan_tools(plan)) == route.tools == tuple(r["tools"])
        labels = [lab for _, _, lab in r["segments"]]
        assert set(route.roles) <= set(labels)  # every step has a clause of its own in the query
        assert [(a, b) for a, b, _ in r["segments"]] == segments(r["query"])
        for step, role in zip(plan.route_plan, route.roles):
            arg = STEP_RE.fullmatch(step).group(2)
            if role == "gather":
                assert re.fullmatch(r'query="[^"]+", mode=(web|rag|both)', arg), arg
            clause = arg.split('"')[1] if role in ("gather", "fallback") else arg.removesuffix(", using Python")
            assert clause[1:].lower() in r["query"].lower(), (clause, r["query"])  # copied, not paraphrased
        assert plan.difficulty == r["difficulty"]


def test_every_route_and_difficulty_occurs_and_the_prose_is_complete(rows):
    counts = Counter(r["route"] for r in rows["train"])
    assert set(counts) == {r.name for r in ROUTES}
    assert set(Counter(r["difficulty"] for r in rows["train"])) == {"introductory", "intermediate", "advanced"}
    comps = [r["completion"] for r in rows["test"]]
    for name, metric in RUBRIC.items():
        assert min(metric(comps)) == (5.0 if name == "rubric_score" else 1.0), name


def test_phrasings_and_themes_are_held_out():
    views = {s: split_pools(s) for s in ("train", "val", "test")}
    for name in POOLS:
        train, val, test = (set(views[s][0][name]) for s in ("train", "val", "test"))
        assert test and not (test & train) and not (val & train), name
    themes = {s: {t["name"] for t in views[s][1]} for s in views}
    assert themes["test"] and not themes["test"] & themes["train"]


def test_test_split_is_large_deterministic_and_disjoint(tmp_path, rows):
    assert len(rows["test"]) >= 300
    assert generate_split("test", 50, 0) == rows["test"][:50]
    assert generate_split("test", 50, 1) != rows["test"][:50]
    s = generate_policy_data(tmp_path / "d", train=40, val=10, test=30, seed=3)
    assert s["splits"] == {"train": 40, "val": 10, "test": 30}
    queries = [json.loads(x)["query"] for f in ("train", "val", "test")
               for x in (tmp_path / "d" / f"{f}.jsonl").read_text().splitlines()]
    assert len(queries) == len(set(queries)) == 80 and (tmp_path / "d" / "COMPLETE").is_file()


def _shingles(text, n=10):
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_generated_data_never_contains_benchmark_queries(rows):
    bench = [json.loads(line)["prompt"].split("User query:\n", 1)[1].strip()
             for f in BENCH.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert len(bench) == 613
    generated = [r["query"] for split in rows.values() for r in split]
    assert not set(bench) & set(generated)
    bench_runs = set().union(*map(_shingles, bench))
    assert not bench_runs & set().union(*map(_shingles, generated))  # not even a 10-word run of one
