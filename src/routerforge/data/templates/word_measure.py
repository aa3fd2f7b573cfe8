"""Word problems about measures: time spent, distance at a speed, and averages.

Stories where the quantity is minutes, hours, kilometres, miles or points, told the way a person tells
them, often after a sentence that sets the scene and holds no number. They use the word-problem spec and
its conventions (word_problem.py, STEP_TEMPLATES):

    minutes:40*5 | +25 +30     practises 40 minutes a day for 5 days, then 25 and 30 minutes more
    minutes:120 | -45 -30      has 120 minutes, spends 45 and 30 of them: what is left
    km:60*3 | +80*2            drives 60 km/h for 3 hours, then 80 km/h for 2 hours: how far in all
    km:400 | -70*4             a 400 km trip, 70 km/h for 4 hours so far: how far is left
    points:78 | +85 +92 /3     scores 78, 85 and 92 on three tests: the average

A rate x time is one product term with the rate first; an average adds the values in the order told and
divides by how many there are, a number the story also says. Units never change inside a story (no
minutes-to-hours conversion), so every number of a spec is a number of the query. Durations and names
here are hard negatives for the schedule expert: a story asks how much time, never for a timetable.
Written for this project; no benchmark text.
"""

from __future__ import annotations

import random

from routerforge.data.slots import cap, join_and
from routerforge.data.templates.base import Pools, Sample, Template, pick
from routerforge.data.templates.word_problem import TENSE, Step, _count, _people, _sample

# (present, past) scene-setting sentences with no number in them
LEADS: dict[str, list[tuple[str, str]]] = {
    "time": [("{Name} keeps a diary of {poss} free time.", "{Name} kept a diary of {poss} free time last week."),
             ("{Name} wants to know where {poss} week goes.", "{Name} wanted to know where {poss} week went."),
             ("{Name} is getting ready for a music exam.", "{Name} was getting ready for a music exam."),
             ("{Name} is learning a new language.", "{Name} was learning a new language."), ("", "")],
    "distance": [("{Name} is on a road trip.", "{Name} went on a road trip."),
                 ("{Name} is training for a long ride.", "{Name} was training for a long ride."),
                 ("{Name} is visiting {poss} grandparents in the countryside.",
                  "{Name} visited {poss} grandparents in the countryside."), ("", "")],
    "average": [("{Name} keeps track of {poss} results.", "{Name} kept track of {poss} results."),
                ("{Name} wants to see how {pron} is doing this term.", "{Name} wanted to see how {pron} did last term."),
                ("", "")],
}

# activities (a time spent on them): (noun phrase, present verb, past verb)
ACTIVITIES: list[tuple[str, str, str]] = [
    ("piano", "practises piano", "practised piano"), ("reading", "reads", "read"),
    ("running", "runs", "ran"), ("homework", "does homework", "did homework"), ("yoga", "does yoga", "did yoga"),
    ("drawing", "draws", "drew"), ("swimming", "swims", "swam"), ("gardening", "works in the garden",
                                                                   "worked in the garden"),
    ("guitar", "plays the guitar", "played the guitar"), ("walking the dog", "walks the dog", "walked the dog"),
    ("cooking", "cooks", "cooked"), ("chess", "plays chess", "played chess"), ("knitting", "knits", "knitted"),
    ("studying", "studies", "studied"), ("cycling", "cycles", "cycled"), ("baking", "bakes", "baked"),
]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday"]
# (entity, speed unit, distance unit, vehicle phrases (present, past))
FAST, SLOW = [40, 45, 50, 60, 70, 80, 90, 100], [4, 5, 6, 8, 10, 12, 15, 18, 20]
TRAVEL: list[tuple[str, str, str, list[tuple[str, str, list[int]]]]] = [
    ("km", "km/h", "km", [("drives", "drove", FAST), ("cycles", "cycled", SLOW),
                          ("rides the train", "rode the train", FAST)]),
    ("km", "kilometres per hour", "kilometres", [("drives", "drove", FAST), ("walks", "walked", SLOW[:3])]),
    ("miles", "mph", "miles", [("drives", "drove", FAST), ("bikes", "biked", SLOW)]),
    ("miles", "miles per hour", "miles", [("drives", "drove", FAST), ("sails", "sailed", SLOW),
                                          ("jogs", "jogged", SLOW[:4])]),
]
# what is averaged: (entity, past verb, unit, plural of the things, question)
AVERAGED: list[tuple[str, str, str, str, str]] = [
    ("points", "scored", "points", "tests", "What is {poss} average score"),
    ("points", "scored", "points", "quizzes", "What is {poss} average mark"),
    ("km", "ran", "km", "days", "On average, how many km did {pron} run a day"),
    ("minutes", "read for", "minutes", "days", "How many minutes a day did {pron} read on average"),
    ("pages", "read", "pages", "days", "What was the average number of pages {pron} read a day"),
    ("steps", "walked", "steps", "days", "What was {poss} average number of steps a day"),
    ("dollars", "saved", "dollars", "weeks", "How many dollars did {pron} save a week on average"),
]


def _lead(rng: random.Random, kind: str, t: int, fill: dict) -> tuple[str, str]:
    """(the scene sentence with a trailing space or "", who the next sentence starts with: the name, or
    the pronoun when the scene already said the name)."""
    lead = pick(rng, LEADS[kind])[t].format(**fill)
    return (f"{lead} ", fill["Pron"]) if lead else ("", fill["Name"])


def time_spent(tid: str, *, left: bool = False, tense: str = "present") -> Template:
    """Total time over activities (`minutes:40*5 | +25`), or time left of a budget (`minutes:150 | -40 -35`)."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron, other, ctx = _people(rng, pools)
        t = TENSE[tense]
        fill = {"Name": name, "pron": pron, "Pron": cap(pron), "poss": ctx["poss"]}
        unit = rng.choice(["minutes", "minutes", "hours"])
        acts = rng.sample(ACTIVITIES, rng.randint(2, 4))
        small = [10, 15, 20, 25, 30, 35, 40, 45, 50] if unit == "minutes" else [2, 3, 4, 5]
        if left:
            spent = [rng.choice(small) for _ in acts]
            budget = sum(spent) + (rng.choice(small) * rng.randint(1, 3))
            parts = [f"{s} {unit} on {a[0]}" for s, a in zip(spent, acts)]
            have = ("has", "had")[t]
            spends = ("spends", "spent")[t]
            q = (f"How many {unit} does {pron} have left?", f"How many {unit} did {pron} have left?")[t]
            lead, who = _lead(rng, "time", t, fill)
            when = "this afternoon" if unit == "minutes" else "this weekend"
            query = f"{lead}{who} {have} {budget} {unit} free {when}. {cap(pron)} {spends} {join_and(parts)}. {q}"
            steps = [Step(f"-{s}", ["sub", s], ("", "")) for s in spent]
            return _sample(query, unit, str(budget), steps, {"names": [name]}, [name], ["start", budget])
        # total: the first activity may be a daily habit (rate x days), the rest one-off sessions
        clauses: list[str] = []
        steps: list[Step] = []
        keep: list[str] = [name]
        first, *rest = acts
        r = rng.choice(small)
        if rng.random() < 0.6:
            days = rng.randint(2, 7)
            d_text, d_keep = _count(rng, days, words=0.3)
            keep += d_keep
            clauses.append(f"{first[1 + t]} for {r} {unit} a day for {d_text} days")
            start, record = f"{r}*{days}", ["start_product", r, days]
        else:
            clauses.append(f"{first[1 + t]} for {r} {unit} {rng.choice(DAYS)}")
            start, record = str(r), ["start", r]
        for act in rest:
            x = rng.choice(small)
            clauses.append(f"{act[1 + t]} for {x} {unit}")
            steps.append(Step(f"+{x}", ["add", x], ("", "")))
        q = rng.choice([(f"How many {unit} does {pron} spend on these in total?",
                         f"How many {unit} did {pron} spend on these in total?"),
                        (f"How many {unit} is that altogether?", f"How many {unit} was that altogether?")])[t]
        lead, who = _lead(rng, "time", t, fill)
        query = f"{lead}{who} {join_and(clauses, rng.choice(['and then', 'and']))}. {q}"
        return _sample(query, unit, start, steps, {"names": [name]}, keep, record)

    return Template(f"word_problem.{tid}", "word_problem", render, "time spent on activities")


def distance(tid: str, *, left: bool = False, tense: str = "present") -> Template:
    """Speed x time legs (`km:60*3 | +80*2`), or the distance still to go (`km:400 | -70*4 -60*2`)."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron, _, ctx = _people(rng, pools)
        t = TENSE[tense]
        fill = {"Name": name, "pron": pron, "Pron": cap(pron), "poss": ctx["poss"]}
        entity, speed, dist, verbs = pick(rng, TRAVEL)
        vehicle = pick(rng, verbs)
        verb, speeds = vehicle[t], vehicle[2]
        legs = []
        keep = [name]
        for _ in range(rng.randint(1, 2) if left else rng.randint(2, 3)):
            v, h = rng.choice(speeds), rng.randint(2, 6)
            h_text, h_keep = _count(rng, h, words=0.3)
            keep += h_keep
            legs.append((v, h, f"at {v} {speed} for {h_text} hours"))
        if left:
            total = sum(v * h for v, h, _ in legs) + rng.randint(5, 200)
            steps = [Step(f"-{v}*{h}", ["sub_product", v, h], ("", "")) for v, h, _ in legs]
            lead, _ = _lead(rng, "distance", t, fill)
            whose = f"{ctx['poss'].capitalize()}" if lead else f"{name}'s"
            trip = f"{whose} trip {('is', 'was')[t]} {total} {dist} long."
            said = join_and([leg for _, _, leg in legs], "and then")
            q = (f"How many {dist} are still to go?", f"How many {dist} were still to go?")[t]
            query = f"{lead}{trip} {cap(pron)} {verb} {said}. {q}"
            return _sample(query, entity, str(total), steps, {"names": [name]}, keep, ["start", total])
        (v0, h0, _), rest = legs[0], legs[1:]
        steps = [Step(f"+{v}*{h}", ["add_product", v, h], ("", "")) for v, h, _ in rest]
        said = join_and([leg for _, _, leg in legs], rng.choice(["and then", "then"]))
        q = rng.choice([(f"How many {dist} does {pron} cover in all?", f"How many {dist} did {pron} cover in all?"),
                        (f"How far does {pron} go, in {dist}?", f"How far did {pron} go, in {dist}?")])[t]
        lead, who = _lead(rng, "distance", t, fill)
        query = f"{lead}{who} {verb} {said}. {q}"
        return _sample(query, entity, f"{v0}*{h0}", steps, {"names": [name]}, keep, ["start_product", v0, h0])

    return Template(f"word_problem.{tid}", "word_problem", render, "distance at a speed")


def average(tid: str, *, pattern: int = 0) -> Template:
    """The mean of 2-5 values told in a list, then how many there are: `points:78 | +85 +92 /3` (the sum
    divides evenly, so the mean is whole)."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron, _, ctx = _people(rng, pools)
        fill = {"Name": name, "pron": pron, "Pron": cap(pron), "poss": ctx["poss"]}
        entity, verb, unit, things, head = pick(rng, AVERAGED)
        n = rng.randint(2, 5)
        lo, hi = {"points": (50, 100), "km": (2, 15), "minutes": (10, 60), "pages": (5, 60), "steps": (3000, 12000),
                  "dollars": (5, 80)}[entity]
        values = [rng.randint(lo, hi) for _ in range(n)]
        values[-1] += (-sum(values)) % n  # the sum divides evenly
        if values[-1] > hi:
            values[-1] -= n
        n_text, keep = _count(rng, n, words=0.5)
        listed = join_and([str(v) for v in values])
        lead, who = _lead(rng, "average", 1, fill)
        if pattern == 0:
            told = f"{who} {verb} {listed} {unit} in {n_text} {things}."
        else:
            told = f"{who} {verb} {listed} {unit}, one result for each of {n_text} {things}."
        query = f"{lead}{told} {head.format(**fill)}?"
        steps = [Step(f"+{v}", ["add", v], ("", "")) for v in values[1:]]
        steps.append(Step(f"/{n}", ["share", n], ("", ""), keep))
        return _sample(query, entity, str(values[0]), steps, {"names": [name]}, [name, *keep], ["start", values[0]])

    return Template(f"word_problem.{tid}", "word_problem", render, "the average of a list")


TEMPLATES: list[Template] = [
    time_spent("time_total"),
    time_spent("time_total_past", tense="past"),
    time_spent("time_left", left=True),
    time_spent("time_left_past", left=True, tense="past"),
    distance("distance_legs"),
    distance("distance_legs_past", tense="past"),
    distance("distance_to_go", left=True),
    distance("distance_to_go_past", left=True, tense="past"),
    average("average_of_list"),
    average("average_each_of", pattern=1),
]
