"""Grounding (clauses, arguments copied from the query) and composition (prose that follows the route)."""

import json

import numpy as np
import pytest

from routerforge.plans.compose import Decision, compose_plan, topic_tags
from routerforge.plans.format import STEP_RE, validate_plan
from routerforge.plans.ground import ROLES, assign, clean, label_segments, search_mode, segments, step_text
from routerforge.plans.policy import ROUTES
from routerforge.plans.rubric import RUBRIC

Q = ("I need to derive the ELBO of a mixture, and implement it in JAX, then audit the results. "
     "Also cite recent arXiv papers; finally, if it fails, search the course notes.")


def test_segments_split_at_connectives_and_never_rewrite():
    spans = segments(Q)
    parts = [Q[a:b] for a, b in spans]
    assert [clean(p) for p in parts] == ["Derive the ELBO of a mixture", "Implement it in JAX", "Audit the results",
                                         "Cite recent arXiv papers", "If it fails, search the course notes"]
    assert all(Q[a:b].strip() == Q[a:b] for a, b in spans)
    assert segments("derive x") == [(0, 8)] and clean('say "hi" then') == "Say 'hi' then"


def test_search_mode_and_code_language():
    assert search_mode("cite recent arXiv papers") == "web"
    assert search_mode("pull passages from the lecture notes") == "rag"
    assert search_mode("search the lecture notes and recent papers") == "both"
    assert step_text("implement", "Implement it in JAX", Q, {}) == "/code(Implement it in JAX, using Python)"
    assert step_text("implement", "Port it to Rust", Q, {}) == "/code(Port it to Rust)"
    assert step_text("gather", "Cite recent arXiv papers", Q, {}) == '/general-search(query="Cite recent arXiv papers", mode=web)'
    check = step_text("check", None, Q, {"implement": "Implement it", "derive": "Derive x"})
    assert STEP_RE.fullmatch(check) and "/code results" in check and "Derive x" in check


def test_assign_prefers_distinct_clauses_and_leaves_unfit_roles_empty():
    p = np.zeros((3, len(ROLES)))
    p[0, ROLES.index("derive")] = 0.9
    p[1, ROLES.index("implement")] = 0.8
    p[1, ROLES.index("derive")] = 0.7
    p[2, ROLES.index("other")] = 1.0
    assert assign(["derive", "implement", "check"], p) == [0, 1, None]
    assert label_segments("ab cd", [(0, 2), (3, 5)], [(3, 5, "code")]) == ["other", "code"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_composed_plan_follows_the_route_and_scores_5(route):
    steps = [step_text(r, f"Clause for {r}", Q, {}) for r in route.roles]
    plan = compose_plan(Decision(Q, route, steps, [f"Clause for {r}" for r in route.roles], tags=topic_tags(Q)))
    validate_plan(plan)
    assert plan["handoff_plan"].startswith(" -> ".join(route.tools) + " -> router QA")
    assert plan["todo_list"][-1].startswith("- [ ] router QA")
    assert [t.split(":")[0][6:] for t in plan["todo_list"][:-1]] == list(route.tools)
    assert ("blue" in plan["route_rationale"]) == ("/general-search" in route.tools)
    assert RUBRIC["rubric_score"]([json.dumps(plan)]) == [5.0]
    assert "variational-inference" in plan["tags"] and "-".join(route.needs) in plan["tags"]
