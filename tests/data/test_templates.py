"""Templates and slot pools: enough of them, valid specs, stories that tell their ops in order."""

import ast
import random
import re
from fractions import Fraction

import pytest

from routerforge.data.config import data_experts
from routerforge.data.templates import partition, pools_for, split_views, templates_for
from routerforge.data.templates.chat_pool import CHAT_POOL, HARD_CATEGORIES
from routerforge.experts import get_expert
from routerforge.experts.timezone import resolve_zone


@pytest.mark.parametrize("expert", data_experts())
def test_at_least_15_templates_per_expert_with_unique_ids(expert):
    templates = templates_for(expert)
    assert len(templates) >= 15
    assert len({t.id for t in templates}) == len(templates)
    assert all(t.id.startswith(expert + ".") and t.expert == expert for t in templates)


def test_pool_sizes():
    assert len(pools_for("time")["cities"]) >= 100
    assert len(CHAT_POOL) >= 150
    assert len({e["text"] for e in CHAT_POOL}) == len(CHAT_POOL)


def test_hard_negatives_present():
    texts = {e["text"] for e in CHAT_POOL}
    for must in ["How many legs does a spider have?", "What's the time complexity of quicksort?",
                 "Who won the 1998 World Cup?", "Explain the Pythagorean theorem.",
                 "What time zone should I use for a meeting with friends?"]:
        assert must in texts
    hard = [e for e in CHAT_POOL if e["category"] in HARD_CATEGORIES]
    assert len(hard) >= 60
    assert sum(bool(re.search(r"\d", e["text"])) for e in hard) >= 25  # numbers without arithmetic
    assert sum("time" in e["text"].lower() for e in hard) >= 10


def _samples(expert, n=12):
    for split, view in split_views(expert, 0.25).items():
        for t in view.templates:
            rng = random.Random(f"{t.id}:{split}")
            for _ in range(n):
                yield t, t.render(rng, view.pools)


@pytest.mark.parametrize("expert", data_experts())
def test_every_template_renders_specs_the_expert_accepts(expert):
    runner = get_expert(expert)
    for t, s in _samples(expert):
        res = runner.run(s.spec)
        assert res.ok, (t.id, s.query, s.spec, res.error)
        assert "->" not in s.spec and "\n" not in s.query


_TOP = {"add": (ast.Add,), "subtract": (ast.Sub,), "multiply": (ast.Mult, ast.Pow), "divide": (ast.Div,)}


@pytest.mark.parametrize("expert", list(_TOP))
def test_math_expert_matches_top_level_operation(expert):
    for t, s in _samples(expert, 5):
        node = ast.parse(s.spec, mode="eval").body
        assert isinstance(node, ast.BinOp) and isinstance(node.op, _TOP[expert]), (t.id, s.spec)


def _numbers(text):
    return [Fraction(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def test_word_problem_story_tells_each_operation_in_order():
    for t, s in _samples("word_problem", 20):
        if "steps" in s.slots:  # multi-step stories (products, shares): tests/data/test_wp_sched_templates.py
            continue
        entity_start, ops = s.spec.split("|")
        start = Fraction(entity_start.split(":")[1])
        operands = [Fraction(o[1:].rstrip("%")) for o in ops.split()]
        told = _numbers(s.query)
        if t.id.startswith("word_problem.sale"):  # price, percent off (copied: -25%), then fee/coupon
            assert told[0] == start and ops.split()[0] == f"-{told[1]}%" and operands[1:] == told[2:], s
        else:
            expected = [("start", start), *((o[0], Fraction(o[1:])) for o in ops.split())]
            assert _told_in_order(told, expected), (t.id, s.query, s.spec)


def _told_in_order(told, expected):
    """Every number of the story matches the spec's numbers in order; only a * or / may be told in
    words ("doubles", "half") and so be missing from the story."""
    if not expected:
        return not told
    (op, value), rest = expected[0], expected[1:]
    if told and told[0] == value and _told_in_order(told[1:], rest):
        return True
    return op in "*/" and _told_in_order(told, rest)


def test_schedule_lists_tasks_in_mention_order_with_known_constraints():
    for t, s in _samples("schedule"):
        tasks, cons = s.spec.split(" | ")
        names = [x.split(":")[0] for x in tasks.split(",")]
        positions = [s.query.index(n) for n in names]
        assert positions == sorted(positions), (s.query, s.spec)
        for c in re.split(r",(?![^(]*\))", cons):
            t_ = r"\d{1,2}(:\d\d)?(am|pm)?"  # a time copied as written
            assert (c in ("no_overlap", "sequential") or re.fullmatch(r"(before|after)\([\w-]+,[\w-]+\)", c)
                    or re.fullmatch(rf"(start|not_before|end_by)\([\w-]+,{t_}\)", c)
                    or re.fullmatch(rf"by\({t_}\)|window\({t_},{t_}\)", c)), c


def test_time_spec_is_the_place_as_written_and_resolves_to_its_zone():
    for t, s in _samples("time"):
        assert s.slots["city"] in s.query and s.spec == s.slots["city"]
        assert resolve_zone(s.spec) == s.slots["zone"]


def test_partition_is_stable_disjoint_and_sized():
    items = [f"item{i}" for i in range(40)]
    train, test = partition(items, 0.25, "salt")
    assert len(test) == 10 and not set(train) & set(test) and sorted(train + test) == sorted(items)
    assert partition(list(reversed(items)), 0.25, "salt")[1] == list(reversed(test))  # order-independent
    assert partition(items, 0.25, "other")[1] != test  # the salt matters


def test_held_out_people_and_cities_are_shared_across_experts():
    wp, sc = split_views("word_problem", 0.25), split_views("schedule", 0.25)
    assert {n for n, _ in wp["test"].pools["names"]} == set(sc["test"].pools["people"])
    tm, ch = split_views("time", 0.25), split_views("chat", 0.25)
    assert tm["test"].pools["cities"] == ch["test"].pools["places"]
