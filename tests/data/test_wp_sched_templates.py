"""Word-problem and schedule templates, checked against the real experts and against the query text.

Word problems: every spec runs; for the multi-step stories (the ones that record `slots["steps"]`) the
answer is recomputed here from the numbers the template drew, without reading the spec, and every number
of the spec is told in the query, in order (as digits, a number word, a fraction word or a percentage).
Schedules: every spec solves; names are copied exactly; each duration in the spec is the duration the
query states (read here by an independent little parser); times of day agree; only known constraints.
"""

from __future__ import annotations

import os
import random
import re
from fractions import Fraction

import pytest

from routerforge.data.templates import split_views
from routerforge.experts import get_expert
from routerforge.experts.schedule import parse_duration

N_WP = 300
N_SCHED = int(os.environ.get("RF_SCHED_SAMPLES", "60"))  # each solve takes a few ms; set 200 for a full check


def _samples(expert: str, n: int):
    out = []
    for split, view in split_views(expert, 0.25).items():
        for t in view.templates:
            rng = random.Random(f"{t.id}:{split}:check")
            out.append((t, [t.render(rng, view.pools) for _ in range(n)]))
    return out


@pytest.fixture(scope="module")
def wp_samples():
    return _samples("word_problem", N_WP)


@pytest.fixture(scope="module")
def sched_samples():
    return _samples("schedule", N_SCHED)


# ------------------------------------------------------------------ word problems

WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "twelve": 12}
FRACTION_WORDS = {"a quarter": Fraction(1, 4), "one quarter": Fraction(1, 4), "three quarters": Fraction(3, 4),
                  "a fifth": Fraction(1, 5), "one fifth": Fraction(1, 5), "two fifths": Fraction(2, 5),
                  "three fifths": Fraction(3, 5), "a tenth": Fraction(1, 10), "three tenths": Fraction(3, 10)}
MULTIPLIER_WORDS = {"half": {Fraction(2), Fraction(1, 2)}, "double": {Fraction(2)}, "triple": {Fraction(3)}}

_TOLD = re.compile(
    r"(?P<frac>\b(?:" + "|".join(sorted(FRACTION_WORDS, key=len, reverse=True)) + r")\b)"
    r"|(?P<pct>\d+(?:\.\d+)?)\s*(?:%|percent\b)"
    r"|(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"|(?P<word>\b(?:" + "|".join(WORDS) + r")\b)"
    r"|(?P<mult>\b(?:half|doubl\w*|tripl\w*)\b)",
    re.IGNORECASE,
)


def told(query: str) -> list[set[Fraction]]:
    """The numbers a query tells, in order; each as the set of values a spec may write for it (a fraction
    or percentage taken away may be written as what remains: 'a quarter' -> 0.25 or 0.75)."""
    out = []
    for m in _TOLD.finditer(query):
        if m.group("frac"):
            f = FRACTION_WORDS[m.group("frac").lower()]
            out.append({f, 1 - f})
        elif m.group("pct"):
            p = Fraction(m.group("pct")) / 100
            out.append({p, 1 - p, 1 + p, p * 100})
        elif m.group("num"):
            out.append({Fraction(m.group("num").replace(",", ""))})
        elif m.group("word"):
            out.append({Fraction(WORDS[m.group("word").lower()])})
        else:
            word = m.group("mult").lower()
            key = "half" if word == "half" else "double" if word.startswith("doubl") else "triple"
            out.append(MULTIPLIER_WORDS[key])
    return out


def spec_numbers(spec: str) -> list[Fraction]:
    """The spec's numbers in order; a fraction taken away, `*(1-2/5)`, is the one number it copies (2/5)."""
    out = []
    for m in re.finditer(r"\(1-(\d+)/(\d+)\)|\d+(?:\.\d+)?", spec.split(":", 1)[1]):
        out.append(Fraction(int(m.group(1)), int(m.group(2))) if m.group(1) else Fraction(m.group()))
    return out


def answer(steps: list) -> Fraction:
    """The story's answer from what it says, step by step (never from the spec)."""
    value = Fraction(0)
    for kind, *nums in steps:
        a = Fraction(nums[0]) if nums else None
        b = Fraction(nums[1]) if len(nums) > 1 else None
        if kind == "start":
            value = a
        elif kind == "start_product":  # 5 boxes of 8; $12 an hour for 6 hours
            value = a * b
        elif kind == "add":
            value += a
        elif kind == "sub":
            value -= a
        elif kind == "add_product":
            value += a * b
        elif kind == "sub_product":
            value -= a * b
        elif kind == "take_fraction":  # gives away a/b of what there is
            value -= value * a / b
        elif kind == "take_percent":
            value -= value * a / 100
        elif kind == "take_half":
            value -= value / 2
        elif kind == "share":  # one share out of a
            value /= a
        elif kind == "share_sum":  # one share out of a + b
            value /= a + b
        else:
            raise AssertionError(f"unknown step {kind!r}")
        assert value > 0 and value.denominator == 1, (steps, value)
    return value


def test_every_word_problem_template_runs(wp_samples):
    expert = get_expert("word_problem")
    for t, samples in wp_samples:
        for s in samples:
            res = expert.run(s.spec)
            assert res.ok, (t.id, s.query, s.spec, res.error)
            assert "\n" not in s.query and "->" not in s.spec and "  " not in s.query, (t.id, s.query)


def test_multi_step_answers_match_an_independent_computation(wp_samples):
    expert = get_expert("word_problem")
    checked = set()
    for t, samples in wp_samples:
        for s in samples:
            if "steps" not in s.slots:
                continue
            checked.add(t.id)
            res = expert.run(s.spec)
            assert res.ok and res.native == answer(s.slots["steps"]), (t.id, s.query, s.spec, res.value)
            # the numbers the template drew are the ones the query tells
            values = set().union(*told(s.query))
            for kind, *nums in s.slots["steps"]:
                if kind == "take_fraction":
                    nums = [Fraction(nums[0], nums[1])]
                elif kind == "take_percent":
                    nums = [Fraction(nums[0], 100)]
                elif kind == "take_half":
                    nums = [2]
                assert all(Fraction(x) in values for x in nums), (s.query, s.slots)
    assert len(checked) >= 20, sorted(checked)


def test_every_spec_number_is_told_in_the_query(wp_samples):
    for t, samples in wp_samples:
        for s in samples:
            values = set().union(*told(s.query)) if told(s.query) else set()
            for x in spec_numbers(s.spec):
                assert x in values, (t.id, s.query, s.spec, x)


def test_multi_step_specs_tell_their_numbers_in_query_order(wp_samples):
    for t, samples in wp_samples:
        for s in samples:
            if "steps" not in s.slots:
                continue
            nums, heard = spec_numbers(s.spec), told(s.query)
            assert len(nums) == len(heard), (t.id, s.query, s.spec)
            if s.slots["steps"][0][0] == "start" and nums[0] not in heard[0]:
                # the starting amount may be told later ("3 tickets cost $9 each ... paid with a $50 bill")
                heard.pop(next(i for i, h in enumerate(heard) if nums[0] in h))
                nums = nums[1:]
            assert all(x in h for x, h in zip(nums, heard)), (t.id, s.query, s.spec)


def test_multi_step_conventions(wp_samples):
    """A percentage taken away is copied, `-20%`; a fraction taken away is `*(1-a/b)` with the story's a/b
    (never `-80/4` or a computed `*0.75`); half is `/2`; a share is `/k` or `/(a+b)`; products are single
    terms; money is dollars or euros as the query writes it."""
    for t, samples in wp_samples:
        for s in samples:
            if "steps" not in s.slots:
                continue
            entity, ops = s.spec.split(" | ", 1) if " | " in s.spec else (s.spec[:-2], "")
            for op, (kind, *nums) in zip(ops.split(), s.slots["steps"][1:]):
                if kind == "take_fraction":
                    assert op == f"*(1-{nums[0]}/{nums[1]})", (s.spec, kind)
                elif kind == "take_percent":
                    assert op == f"-{nums[0]}%", (s.spec, kind)
                elif kind == "take_half":
                    assert op == "/2"
                elif kind == "share_sum":
                    assert op == f"/({nums[0]}+{nums[1]})"
                elif kind in ("add_product", "sub_product"):
                    assert re.fullmatch(r"[+-]\d+\*\d+", op), op
                else:
                    assert re.fullmatch(r"[+\-/]\d+", op), op
            if "$" in s.query or "dollar" in s.query:
                assert entity.startswith("dollars:"), (s.query, s.spec)
            if "€" in s.query or "euro" in s.query:
                assert entity.startswith("euros:"), (s.query, s.spec)


def test_told_reader():
    assert [sorted(v) for v in told("He has three tubes of 12 and gives a quarter away, then 25% more")] == [
        [3], [12], [Fraction(1, 4), Fraction(3, 4)], [Fraction(1, 4), Fraction(3, 4), Fraction(5, 4), 25]]
    assert answer([["start_product", 5, 8], ["sub", 6]]) == 34
    assert answer([["start", 80], ["take_fraction", 1, 4], ["add", 5]]) == 65
    assert answer([["start", 50], ["sub_product", 3, 9]]) == 23
    assert answer([["start", 24], ["share_sum", 2, 4]]) == 4


# ------------------------------------------------------------------ schedules

_NUMBER_WORD = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "twenty": 20, "thirty": 30}


def minutes_said(text: str) -> int:
    """How long a duration phrase says, read without the templates' tables."""
    t = text.lower().strip()
    fixed = {"a quarter of an hour": 15, "half an hour": 30, "three quarters of an hour": 45,
             "an hour and a quarter": 75, "an hour and a half": 90}
    if t in fixed:
        return fixed[t]
    num = r"(\d+(?:\.\d+)?|a|an|one|two|three|four|five|twenty|thirty)"

    def value(s: str) -> float:
        return float(s) if s[0].isdigit() else float(_NUMBER_WORD[s])

    if m := re.fullmatch(num + r" and a half hours", t):
        return round((value(m.group(1)) + 0.5) * 60)
    if m := re.fullmatch(r"(\d+)h(\d+)", t):
        return int(m.group(1)) * 60 + int(m.group(2))
    if m := re.fullmatch(num + r"\s?(?:h|hr|hrs|hour|hours)", t):
        return round(value(m.group(1)) * 60)
    if m := re.fullmatch(num + r"\s?(?:min|mins|minute|minutes)", t):
        return round(value(m.group(1)))
    raise AssertionError(f"cannot read duration {text!r}")


_TIME = re.compile(r"\b(noon|\d{1,2}(?::\d{2})?\s?(?:am|pm)|\d{1,2}:\d{2})(?!\w|:\d)", re.IGNORECASE)


def clock_said(text: str) -> int:
    t = text.lower().replace(" ", "")
    if t == "noon":
        return 12 * 60
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", t)
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        hour = hour % 12 + (12 if m.group(3) == "pm" else 0)
    return hour * 60 + minute


KNOWN_CONSTRAINTS = {"no_overlap", "sequential", "before", "after", "start", "not_before", "end_by", "by", "window"}


def _split_spec(spec: str):
    tasks_text, cons_text = spec.split(" | ")
    tasks = [tuple(x.split(":", 1)) for x in tasks_text.split(",")]
    cons = re.findall(r"(\w+)(?:\(([^)]*)\))?(?:,|$)", cons_text)
    return tasks, cons


def test_every_schedule_template_solves(sched_samples):
    expert = get_expert("schedule")
    for t, samples in sched_samples:
        for s in samples:
            res = expert.run(s.spec)
            assert res.ok, (t.id, s.query, s.spec, res.error)


def test_schedule_names_are_copied_exactly_in_mention_order(sched_samples):
    for t, samples in sched_samples:
        for s in samples:
            tasks, cons = _split_spec(s.spec)
            assert 2 <= len(tasks) <= 6, s.spec
            positions = []
            for name, _ in tasks:
                m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", s.query)
                assert m, (t.id, s.query, name)
                positions.append(m.start())
            assert positions == sorted(positions), (s.query, s.spec)
            names = {n for n, _ in tasks}
            for kind, args in cons:
                assert kind in KNOWN_CONSTRAINTS, (t.id, kind)
                if kind in ("before", "after"):
                    assert set(args.split(",")) <= names and len(args.split(",")) == 2, (s.spec, args)
                if kind in ("start", "not_before", "end_by"):
                    assert args.split(",")[0] in names, s.spec


def test_schedule_durations_are_the_durations_the_query_states(sched_samples):
    for t, samples in sched_samples:
        for s in samples:
            tasks, _ = _split_spec(s.spec)
            shown = s.slots["durations"]
            assert len(shown) == len(tasks), s.slots
            pos = 0
            for (name, dur), said in zip(tasks, shown):
                at = s.query.find(said, pos)
                assert at >= 0, (t.id, s.query, said)
                pos = at + len(said)
                assert minutes_said(said) == parse_duration(dur), (t.id, s.query, name, said, dur)
                assert re.fullmatch(r"\d+(?:\.\d+)?(?:hr|min)", dur), dur  # one spelling per unit


def test_schedule_times_of_day_agree_with_the_query(sched_samples):
    for t, samples in sched_samples:
        for s in samples:
            _, cons = _split_spec(s.spec)
            spec_times = []
            for kind, args in cons:
                parts = args.split(",") if args else []
                if kind in ("start", "not_before", "end_by"):
                    spec_times.append(parts[1])
                elif kind in ("by", "window"):
                    spec_times += parts
            said = [clock_said(m.group(1)) for m in _TIME.finditer(s.query)]
            assert said == [clock_said(x) for x in spec_times], (t.id, s.query, s.spec)
            # copied as written, without spaces (noon is 12)
            written = [m.group(1).replace(" ", "") for m in _TIME.finditer(s.query)]
            assert spec_times == ["12" if w.lower() == "noon" else w for w in written], (t.id, s.query, s.spec)


def test_duration_and_clock_readers():
    assert [minutes_said(x) for x in ("90 minutes", "1.5 hours", "an hour and a half", "45 min", "2h",
                                      "half an hour", "1h30", "two and a half hours", "25 mins")] == \
        [90, 90, 90, 45, 120, 30, 90, 150, 25]
    assert [clock_said(x) for x in ("5pm", "2:30 pm", "noon", "17:00", "12am")] == [1020, 870, 720, 1020, 0]
