"""The rationale-completeness rubric: three deterministic parts and the 1-5 score, TRL signature."""

import json

import pytest

from routerforge.plans.rubric import (RUBRIC, rubric_acceptance, rubric_handoff, rubric_score,
                                      rubric_tool_justification)

GOOD = {
    "route_plan": ["/general-search(query=\"x\", mode=web)", "/math(derive y)", "/code(run z, using Python)"],
    "route_rationale": "/general-search runs first because the derivation needs cited constants. /math is needed "
                       "to derive the bound. /code then runs it since only an experiment gives the numbers.",
    "handoff_plan": "/general-search -> /math -> /code -> router QA (verification: the code is checked against "
                    "the bound; fallback: back to /math).",
    "acceptance_criteria": ["At least 2 sources are cited.", "The code runs without errors.", "Gap below 5%."],
}


def _plan(**changes):
    return json.dumps({**GOOD, **changes})


def test_a_complete_plan_scores_5():
    assert [f([_plan()]) for f in RUBRIC.values()] == [[1.0], [1.0], [1.0], [5.0]]


def test_each_part_detects_what_is_missing():
    # /code is named but not justified; /math is justified only by a reason cue in its own sentence
    unjustified = _plan(route_rationale="/general-search gathers sources because they matter. /math derives. /code.")
    assert rubric_tool_justification([unjustified]) == [pytest.approx(1 / 3)]
    # handoffs named but no check anywhere; then a prose handoff that skips /math -> /code
    assert rubric_handoff([_plan(handoff_plan="/general-search -> /math -> /code -> router QA.")]) == [0.0]
    prose = ("/general-search hands sources to /math, which checks them. /code hands results to router QA, "
             "which verifies them.")
    assert rubric_handoff([_plan(handoff_plan=prose)]) == [pytest.approx(2 / 3)]
    vague = _plan(acceptance_criteria=["The derivation is rigorous.", "Results are reported in a table."])
    assert rubric_acceptance([vague]) == [0.5]
    # '/math' is not '/mathematics'
    assert rubric_tool_justification([_plan(route_rationale="/mathematics is needed because. /code because. "
                                                            "/general-search because.")]) == [pytest.approx(2 / 3)]


def test_unparseable_plans_and_chat_completions():
    assert rubric_score(["not json", _plan()]) == [1.0, 5.0]
    chat = [[{"role": "assistant", "content": _plan()}]]
    assert rubric_score(chat) == [5.0] and rubric_acceptance([_plan(acceptance_criteria=[])]) == [0.0]
    assert all(f.__name__ == name for name, f in RUBRIC.items())  # TRL logs rewards by __name__
