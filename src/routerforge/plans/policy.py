"""The routing policy: which tool sequences a plan may have, and why in that order.

The original CourseGPT-Pro generator drew every example from seven route variants (the tool *sets*
math, code, search, math + code, math + search, code + search, all three) and let plans add
verification/fallback loops after the code. This module turns that into a closed list of routes
(`ROUTES`), each a (needs, loop) pair with one tool sequence, so a router *picks* a route instead of
writing one. The order is decided from what each tool is for, never from benchmark rows:

1. `/general-search` gathers first: sources, constants and prior results are inputs to the
   derivation and to the code, so they must exist before either starts.
2. `/math` derives before `/code` implements: the code implements (and validates) what was derived.
   Mention order in the query does not change this; a derivation asked for "after" the code is still
   the plan's input unless it is a check of the code's output (rule 3).
3. Loops exist only after a `/code` step, because only code produces results that can fail a check:
   - `check`: a final `/math` step audits the code's results against the derivation or theory;
   - `refine`: `/math` checks, then `/code` revises its implementation (code -> math -> code);
   - `fallback`: `/math` checks, then `/general-search` runs only if the check fails.
   Without code there is no loop: a derivation's own sanity checks are part of its `/math` step.
4. No tool twice in a row (the original's rule): a second call of a tool is always a loop step.

That gives 7 + 3 x 4 = 19 routes. Each step has a *role* (gather, derive, implement, check, refine,
fallback) that the argument grounding and the narrative fields are written from.
"""

from __future__ import annotations

from dataclasses import dataclass

SEARCH, MATH, CODE = "/general-search", "/math", "/code"
NEEDS: tuple[str, ...] = ("search", "math", "code")  # canonical order = ordering rules 1 and 2
LOOPS: tuple[str, ...] = ("none", "check", "refine", "fallback")
NEED_ROLE = {"search": "gather", "math": "derive", "code": "implement"}
ROLE_TOOL = {"gather": SEARCH, "derive": MATH, "implement": CODE,
             "check": MATH, "refine": CODE, "fallback": SEARCH}
LOOP_ROLES = {"none": (), "check": ("check",), "refine": ("check", "refine"), "fallback": ("check", "fallback")}
# What each tool is for, as the narrative fields state it (and the rubric expects every tool justified).
PURPOSE = {
    "gather": "gathers the sources, constants and prior results the later steps rely on",
    "derive": "derives the result formally, so the later steps implement and check a stated formula",
    "implement": "implements and runs the method, producing numbers that can be checked",
    "check": "audits the code's results against the derivation, as only a check catches a silent bug",
    "refine": "revises the implementation where the check found a disagreement",
    "fallback": "looks for the cause in the literature, only if the check fails",
}
# The original generator's seven variants (names as it used them) -> the needed tools.
VARIANTS: dict[str, tuple[str, ...]] = {
    "math_only": ("math",), "code_only": ("code",), "general_only": ("search",),
    "math_plus_code": ("math", "code"), "math_plus_general": ("search", "math"),
    "code_plus_general": ("search", "code"), "tri_route": ("search", "math", "code"),
}


@dataclass(frozen=True)
class Route:
    """One allowed route: the needed tools (a variant), the loop, and the resulting steps."""

    needs: tuple[str, ...]  # subset of NEEDS in canonical order
    loop: str  # one of LOOPS

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(NEED_ROLE[n] for n in self.needs) + LOOP_ROLES[self.loop]

    @property
    def tools(self) -> tuple[str, ...]:
        return tuple(ROLE_TOOL[r] for r in self.roles)

    @property
    def name(self) -> str:
        """`search+math+code/check`: the variant's tools and the loop (the synthetic data's category)."""
        return "+".join(self.needs) + ("" if self.loop == "none" else f"/{self.loop}")

    @property
    def variant(self) -> str:
        return next(k for k, v in VARIANTS.items() if v == self.needs)


def _routes() -> list[Route]:
    out = []
    for needs in VARIANTS.values():
        loops = LOOPS if "code" in needs else ("none",)  # rule 3: loops follow code only
        out += [Route(needs, loop) for loop in loops]
    return out


ROUTES: list[Route] = _routes()
ROUTE_BY_NAME: dict[str, Route] = {r.name: r for r in ROUTES}


def route(needs: set[str] | tuple[str, ...], loop: str = "none") -> Route:
    """The route of a need set and a loop, in policy order; ValueError for a route the policy forbids."""
    ordered = tuple(n for n in NEEDS if n in set(needs))
    if not ordered or set(needs) - set(NEEDS):
        raise ValueError(f"needs must be a non-empty subset of {NEEDS}, got {sorted(needs)}")
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, got {loop!r}")
    if loop != "none" and "code" not in ordered:
        raise ValueError(f"a {loop!r} loop needs /code in the route (it checks the code's results)")
    return Route(ordered, loop)


def tools_of(roles: tuple[str, ...] | list[str]) -> list[str]:
    return [ROLE_TOOL[r] for r in roles]


def check_policy() -> None:
    """The invariants the docs promise (tested): 19 distinct sequences, no tool twice in a row."""
    seqs = [r.tools for r in ROUTES]
    assert len(seqs) == len(set(seqs)) == 19, seqs
    for seq in seqs:
        assert all(a != b for a, b in zip(seq, seq[1:])), seq
