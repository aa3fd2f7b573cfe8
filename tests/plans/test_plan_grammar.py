"""The plan grammar accepts exactly the training serialisation of valid plans, rejects what the schema
forbids, and can always complete an accepted prefix into a valid plan."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from routerforge.plans.generate import generate_records
from routerforge.plans.format import COMPACT_KEYS, PLAN_KEYS, parse_plan, render_plan, validate_plan
from routerforge.plans import grammar as g

COMPACT = g.compact_grammar()
FULL = g.full_grammar()


def _accepts(grammar, text):
    return g.is_complete(g.feed(g.start(grammar), text))


@pytest.mark.parametrize("compact", [True, False])
def test_accepts_every_generated_plan(compact):
    grammar = COMPACT if compact else FULL
    for rec in generate_records(60, seed=3):
        plan = validate_plan({k: rec[k] for k in (COMPACT_KEYS if compact else PLAN_KEYS)}, compact=compact)
        assert _accepts(grammar, render_plan(plan)), render_plan(plan)[:200]


GOOD = '{"route_plan":["/math(x)","/code(y)"],"route_rationale":"r","handoff_plan":"h"}'


@pytest.mark.parametrize("text", [
    GOOD.replace("/code(y)", "/cobol(y)"),  # unknown tool
    GOOD.replace("/code(y)", "/code(y"),  # a step must end with ")"
    GOOD.replace('"r"', '"  "'),  # blank text
    GOOD.replace('"r"', '"a\nb"'),  # raw control character inside a string
    GOOD.replace(":[", ": ["),  # whitespace outside strings (the training serialisation has none)
    GOOD.replace('["/math(x)","/code(y)"]', "[]"),  # empty route plan
    GOOD.replace('"r"', '"\\q"'),  # invalid escape
    GOOD[:-1] + ',"extra":"x"}',  # an unknown key
    GOOD.replace('"route_rationale":"r",', ""),  # a missing key
])
def test_rejects_invalid_plans(text):
    assert g.feed(g.start(COMPACT), text) is None or not _accepts(COMPACT, text)


def test_escapes_and_text_after_the_end():
    ok = '{"route_plan":["/general-search(query=\\"a \\u00e9\\", mode=web)"],"route_rationale":"r","handoff_plan":"h"}'
    assert _accepts(COMPACT, ok)
    assert g.feed(g.start(COMPACT), GOOD + " ") is None


def test_step_budget_leaves_only_the_close():
    grammar = g.compact_grammar(step_chars=8)
    state = g.feed(g.start(grammar), '{"route_plan":["/math(ab')  # 8 characters: the budget
    assert state is not None and g.feed(state, "d") is None and g.feed(state, '"') is None
    assert g.finish_text(state) == ')"' and g.feed(state, ')"') is not None
    blank = g.feed(g.start(g.compact_grammar(text_chars=2)), GOOD.split('"r"')[0] + '"  ')  # blank, at budget
    assert g.feed(blank, " ") is None and g.feed(blank, g.finish_text(blank)) is not None


TINY = {"step_chars": 3, "text_chars": 2}  # budgets small enough that random text runs past them


@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("budgets", [{}, TINY])
@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}[]",:/\\()mathcode-rsuelp_ nxy0')), max_size=160))
def test_any_accepted_prefix_completes_to_a_valid_plan(compact, budgets, text):
    if compact:
        grammar = g.compact_grammar(**budgets)
    else:
        grammar = g.full_grammar(**budgets, **({"item_chars": 1} if budgets else {}))
    state, kept = g.start(grammar), ""
    for ch in text:  # greedily keep the characters the grammar accepts
        nxt = g.feed(state, ch)
        if nxt is not None:
            state, kept = nxt, kept + ch
    done = kept + g.complete_text(state)
    plan = parse_plan(done, compact=compact)
    assert render_plan(plan) == json.dumps(json.loads(done), ensure_ascii=False, separators=(",", ":"))
