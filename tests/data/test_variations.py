"""Variations rewrite the wording only: numbers, protected names and the target never change."""

import random
import re

import pytest

from routerforge.data.config import data_experts
from routerforge.data.templates import Sample, split_views
from routerforge.data.variations import VARIATIONS, apply_variations, typo

NUM = re.compile(r"\d+(?:[.,:]\d+)*")


def _samples():
    for expert in data_experts():
        view = split_views(expert, 0.25)["train"]
        for t in view.templates[:25]:
            rng = random.Random(t.id)
            yield expert, t.render(rng, view.pools)


@pytest.mark.parametrize("name", list(VARIATIONS))
def test_each_variation_keeps_numbers_and_protected_spans(name):
    changed = 0
    for i, (expert, s) in enumerate(_samples()):
        rng = random.Random(i)
        text, label = apply_variations(rng, s, rate=1.0, allowed=[name])
        assert label in (name, "none")
        changed += label == name
        assert (text != s.query) == (label == name)
        assert NUM.findall(text) == NUM.findall(s.query), (name, s.query, text)
        for k in s.keep:
            assert k.lower() not in s.query.lower() or k.lower() in text.lower(), (name, k, text)
        for k in s.keep_case:
            assert k not in s.query or k in text, (name, k, text)
    assert changed > 20  # the variation really does something


def test_typo_never_touches_digits_or_protected_words():
    s = Sample("Alice has 16 eggs and then doubles what remains of the dozen", "eggs:16 | *2", keep=("Alice", "eggs"))
    for seed in range(200):
        out = typo(random.Random(seed), s.query, s)
        assert "Alice" in out and " 16 " in out and "eggs" in out and "then" in out and "doubles" in out
        assert out != s.query or seed > 0


def test_rate_zero_is_plain_and_choice_is_deterministic():
    s = Sample("What is 12 plus 30?", "12 + 30")
    assert apply_variations(random.Random(1), s, rate=0.0) == ("What is 12 plus 30?", "none")
    a = [apply_variations(random.Random(5), s, rate=1.0) for _ in range(3)]
    assert a[0] == a[1] == a[2] and a[0][1] != "none"


def test_casing_and_instructions_change_text_but_not_target():
    s = Sample("Alice needs 2 hours and Bob needs 1 hour.", "Alice:2hr,Bob:1hr | no_overlap",
               keep=("Alice", "Bob"), keep_case=("Alice", "Bob"))
    up, label = apply_variations(random.Random(0), s, rate=1.0, allowed=["uppercase"])
    assert label == "uppercase" and "Alice" in up and "NEEDS" in up
    instr, label = apply_variations(random.Random(0), s, rate=1.0, allowed=["instruction"])
    assert label == "instruction" and instr.startswith(s.query) and len(instr) > len(s.query)
