"""Schedule templates: people or tasks with durations and an ordering constraint.

The spec is `Name:duration,... | constraint,...` with the constraints `no_overlap`, `sequential` and
`before(A,B)`. Tasks are listed in the order the request mentions them; a duration keeps the unit the
request used (`2 hours` -> `2hr`, `90 minutes` -> `90min`, `an hour and a half` -> `1.5hr`).
"""

from __future__ import annotations

import random
import string

from routerforge.data.slots import NAMES, join_and
from routerforge.data.templates import Pools, Sample, Template

# (minutes, [(as written, as in the spec), ...])
DURATIONS: list[tuple[int, list[tuple[str, str]]]] = [
    (15, [("15 minutes", "15min")]),
    (20, [("20 minutes", "20min")]),
    (30, [("30 minutes", "30min"), ("half an hour", "30min")]),
    (45, [("45 minutes", "45min")]),
    (60, [("1 hour", "1hr"), ("an hour", "1hr"), ("60 minutes", "60min"), ("one hour", "1hr")]),
    (75, [("75 minutes", "75min")]),
    (90, [("90 minutes", "90min"), ("an hour and a half", "1.5hr"), ("1.5 hours", "1.5hr")]),
    (120, [("2 hours", "2hr"), ("two hours", "2hr"), ("120 minutes", "120min")]),
    (150, [("2.5 hours", "2.5hr"), ("150 minutes", "150min")]),
    (180, [("3 hours", "3hr"), ("three hours", "3hr")]),
    (240, [("4 hours", "4hr")]),
]

# one-word activities (the spec copies them, so they must match the expert's \w[\w-]* names)
TASKS: list[str] = [
    "writing", "reading", "coding", "laundry", "cleaning", "cooking", "practice", "homework", "studying",
    "gardening", "emails", "planning", "yoga", "painting", "piano", "errands", "shopping", "meditation",
    "research", "editing", "budgeting", "filing", "sketching", "baking", "stretching", "running", "swimming",
    "review", "admin", "packing", "ironing", "journaling", "revision", "rehearsal", "invoicing", "grading",
    "mopping", "vacuuming", "drafting", "testing",
]


def _fields(pattern: str) -> list[str]:
    return list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(pattern) if f))


def sched(tid: str, pattern: str, constraints: str, *, who: str = "people", n: tuple[int, int] = (2, 4)) -> Template:
    """`pattern` names tasks {A} {B} {C} {D} with durations {dA} ...; or `{list}` for a variable-length list
    ("Alice (2 hours), Bob (1 hour) and Cleo (30 minutes)"). `constraints` is formatted with the names,
    e.g. "no_overlap,before({C},{A})". who: "people" (names) or "tasks" (activities)."""
    fields = _fields(pattern)
    letters = [f for f in "ABCD" if f in fields]

    def render(rng: random.Random, pools: Pools) -> Sample:
        count = rng.randint(*n) if "list" in fields else len(letters)
        pool = pools["people"] if who == "people" else pools["tasks"]
        names = rng.sample(pool, count)
        names = [nm[0] if isinstance(nm, tuple) else nm for nm in names]
        durs, budget = [], 10 * 60  # keep the day feasible with room to spare (09:00-24:00)
        for _ in names:
            options = [d for d in DURATIONS if d[0] <= budget - 15 * (count - len(durs) - 1)]
            minutes, forms = options[rng.randrange(len(options))]
            budget -= minutes
            durs.append(forms[rng.randrange(len(forms))])
        fill: dict[str, str] = {}
        for letter, name, (shown, _) in zip("ABCD", names, durs):
            fill[letter], fill[f"d{letter}"] = name, shown
        if "list" in fields:
            fill["list"] = join_and([f"{nm} ({shown})" for nm, (shown, _) in zip(names, durs)])
        tasks = ",".join(f"{nm}:{spec}" for nm, (_, spec) in zip(names, durs))
        cons = constraints.format(**{k: v for k, v in fill.items() if k in "ABCD"})
        return Sample(pattern.format(**fill), f"{tasks} | {cons}", {"names": names},
                      keep=tuple(names), keep_case=tuple(names))

    return Template(f"schedule.{tid}", "schedule", render, pattern)


TEMPLATES: list[Template] = [
    sched("need_room", "{A} needs {dA} and {B} needs {dB} in the meeting room, not at the same time.", "no_overlap"),
    sched("meetings_in_order", "Book meetings with {A} for {dA}, {B} for {dB} and {C} for {dC}, one after another "
          "in that order.", "sequential"),
    sched("without_overlaps", "Schedule {list} without any overlaps.", "no_overlap"),
    sched("interviews", "Arrange interviews: {A} takes {dA}, {B} takes {dB}. There is only one interviewer, so "
          "no overlap.", "no_overlap"),
    sched("studio", "Find slots for {A} ({dA}) and {B} ({dB}) in the studio; they can't overlap.", "no_overlap"),
    sched("car_first", "{A} needs the car for {dA} and {B} for {dB}. {B} has to go first.", "before({B},{A})"),
    sched("rehearsal", "The band needs rehearsal slots: {A} {dA}, {B} {dB}, {C} {dC}. No two at once, and {A} "
          "before {C}.", "no_overlap,before({A},{C})"),
    sched("one_room", "One meeting room, several people: {list}. Give me a plan with no overlap.", "no_overlap"),
    sched("lab_share", "When should {A} and {B} use the lab? {A} needs {dA}, {B} needs {dB}, and they can't "
          "share it.", "no_overlap"),
    sched("calls_in_order", "Line up calls with {A} ({dA}), {B} ({dB}) and {C} ({dC}), back to back in that order.",
          "sequential"),
    sched("plan_then", "Plan {dA} of {A}, then {dB} of {B}, then {dC} of {C}.", "sequential", who="tasks"),
    sched("must_come_before", "I have to do {A} ({dA}) and {B} ({dB}); {A} must come before {B}.",
          "before({A},{B})", who="tasks"),
    sched("fit_in_today", "Today I need to fit in {dA} of {A} and {dB} of {B}. Don't overlap them.", "no_overlap",
          who="tasks"),
    sched("first_next_last", "Set up my day: first {A} for {dA}, next {B} for {dB}, last {C} for {dC}.",
          "sequential", who="tasks"),
    sched("sequential_list", "Make a sequential schedule for {list}.", "sequential", who="tasks"),
    sched("back_to_back", "Put {A} ({dA}) and {B} ({dB}) back to back, {A} first.", "sequential", who="tasks"),
    sched("chores_order", "Order my chores: {A} takes {dA}, {B} takes {dB}. Do {B} before {A}.", "before({B},{A})",
          who="tasks"),
    sched("no_overlap_and_before", "Schedule {A} ({dA}), {B} ({dB}) and {C} ({dC}) with no overlaps, and make sure "
          "{C} happens before {A}.", "no_overlap,before({C},{A})", who="tasks"),
    sched("one_at_a_time", "Build me a timetable for {list}, one thing at a time.", "no_overlap", who="tasks"),
]


def pools() -> dict[str, dict[str, list]]:
    return {"schedule": {"people": [name for name, _ in NAMES], "tasks": list(TASKS)}}
