"""The routing policy: 19 routes from 7 variants and 3 loops, ordered by what each tool is for."""

import pytest

from routerforge.plans.policy import CODE, MATH, ROUTE_BY_NAME, ROUTES, SEARCH, VARIANTS, check_policy, route


def test_nineteen_distinct_routes_no_tool_twice_in_a_row():
    check_policy()
    assert len(ROUTES) == 19 and len({r.tools for r in ROUTES}) == 19
    assert {r.needs for r in ROUTES} == set(VARIANTS.values())  # every original variant, nothing else


@pytest.mark.parametrize("needs, loop, tools", [
    (("math",), "none", (MATH,)),
    (("code", "math"), "none", (MATH, CODE)),  # math derives before code implements, whatever the order given
    (("code", "search"), "none", (SEARCH, CODE)),  # search gathers first
    (("code", "math", "search"), "none", (SEARCH, MATH, CODE)),
    (("search", "math", "code"), "check", (SEARCH, MATH, CODE, MATH)),  # a final check audits the code
    (("code",), "refine", (CODE, MATH, CODE)),
    (("math", "code"), "fallback", (MATH, CODE, MATH, SEARCH)),
])
def test_ordering_rules(needs, loop, tools):
    assert route(set(needs), loop).tools == tools


def test_loops_only_after_code_and_bad_input_rejected():
    for r in ROUTES:
        if r.loop != "none":
            assert r.tools[len(r.needs) - 1] == CODE  # the loop follows the /code step
            assert r.roles[len(r.needs)] == "check" and r.tools[len(r.needs)] == MATH  # and opens with the audit
    with pytest.raises(ValueError, match="needs /code"):
        route({"math", "search"}, "check")
    with pytest.raises(ValueError, match="subset"):
        route(set())
    with pytest.raises(ValueError, match="loop"):
        route({"code"}, "twice")


def test_names_roundtrip():
    for r in ROUTES:
        assert ROUTE_BY_NAME[r.name] is r
        assert r.variant in VARIANTS
