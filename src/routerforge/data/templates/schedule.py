"""Schedule templates: people or tasks with durations and an ordering constraint.

The spec is `Name:duration,... | constraint,...` with only constraints the expert parses: `no_overlap`,
`sequential`, `before(A,B)`, `after(A,B)`, `start(A,T)`, `not_before(A,T)`, `end_by(A,T)`, `by(T)` and
`window(S,E)`. Conventions:

* tasks are listed in the order the request mentions them, each name copied exactly as written
  (one word, or a hyphenated one like `check-in`; never abbreviated or re-cased);
* a duration keeps the unit the request used, spelled `hr` or `min`: `2 hours`/`2h` -> `2hr`,
  `90 minutes`/`90 min` -> `90min`, `an hour and a half`/`1h30` -> `1.5hr`, `half an hour` -> `30min`;
* "then", "first ... finally", "back to back in that order", "one after another" are `sequential`;
  "X before Y" / "Y after X" are `before(X,Y)` / `after(Y,X)` as said; "not at the same time" is `no_overlap`;
* a time of day is copied as the request writes it, without its space: `5pm` -> `5pm`, `2:30 pm` ->
  `2:30pm`, `17:00` -> `17:00`; only `noon` becomes `12`. (The 24-hour clock made the model convert
  `7:30pm` to `19:30` itself, and it got that wrong on held-out templates; copying it is the spec's job.)
"""
from __future__ import annotations

import random
import string

from routerforge.data.slots import NAMES, join_and
from routerforge.data.templates.base import Pools, Sample, Template

# (minutes, [(as written, as in the spec), ...])
DURATIONS: list[tuple[int, list[tuple[str, str]]]] = [
    (15, [("15 minutes", "15min"), ("15 min", "15min"), ("a quarter of an hour", "15min")]),
    (20, [("20 minutes", "20min"), ("20 min", "20min"), ("twenty minutes", "20min")]),
    (25, [("25 minutes", "25min"), ("25 mins", "25min")]),
    (30, [("30 minutes", "30min"), ("half an hour", "30min"), ("30 min", "30min"), ("thirty minutes", "30min")]),
    (40, [("40 minutes", "40min"), ("40 min", "40min")]),
    (45, [("45 minutes", "45min"), ("45 min", "45min"), ("three quarters of an hour", "45min")]),
    (60, [("1 hour", "1hr"), ("an hour", "1hr"), ("60 minutes", "60min"), ("one hour", "1hr"), ("1h", "1hr"),
          ("1 hr", "1hr"), ("60 min", "60min")]),
    (75, [("75 minutes", "75min"), ("75 min", "75min"), ("an hour and a quarter", "1.25hr")]),
    (90, [("90 minutes", "90min"), ("an hour and a half", "1.5hr"), ("1.5 hours", "1.5hr"), ("90 min", "90min"),
          ("1h30", "1.5hr"), ("one and a half hours", "1.5hr"), ("1.5h", "1.5hr")]),
    (120, [("2 hours", "2hr"), ("two hours", "2hr"), ("120 minutes", "120min"), ("2h", "2hr"), ("2 hrs", "2hr")]),
    (150, [("2.5 hours", "2.5hr"), ("150 minutes", "150min"), ("two and a half hours", "2.5hr"), ("2h30", "2.5hr")]),
    (180, [("3 hours", "3hr"), ("three hours", "3hr"), ("3h", "3hr")]),
    (210, [("3.5 hours", "3.5hr"), ("three and a half hours", "3.5hr")]),
    (240, [("4 hours", "4hr"), ("four hours", "4hr"), ("4h", "4hr")]),
]

# activities (the spec copies them, so they must match the expert's \w[\w-]* names; none is part of another)
TASKS: list[str] = [
    "writing", "reading", "coding", "laundry", "cleaning", "cooking", "practice", "homework", "studying",
    "gardening", "emails", "planning", "yoga", "painting", "piano", "errands", "shopping", "meditation",
    "research", "editing", "budgeting", "filing", "sketching", "baking", "stretching", "running", "swimming",
    "review", "admin", "packing", "ironing", "journaling", "revision", "rehearsal", "invoicing", "grading",
    "mopping", "vacuuming", "drafting", "testing",
    "chemistry", "physics", "biology", "history", "geography", "algebra", "French", "Spanish", "Latin",
    "check-in", "follow-up", "warm-up", "stand-up", "clean-up", "one-on-one", "e-mails", "debugging",
    "interviews", "groceries", "violin", "guitar", "essay", "presentation", "podcast", "accounts",
]

LIST_STYLES = ("{n} ({d})", "{n} for {d}", "{n}: {d}", "{n} - {d}")
LIST_STYLES_TASKS = LIST_STYLES + ("{d} of {n}", "{d} for {n}")
THEN_HEADS = ["then", "then", "after that", "next", "and then"]


def _fields(pattern: str) -> list[str]:
    return list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(pattern) if f))


def _clock(minutes: int, rng: random.Random) -> tuple[str, str]:
    """A time of day (minutes after midnight, before 24:00) as a user writes it, and as the spec writes it
    (copied without spaces; `noon` is `12`)."""
    hour, minute = divmod(minutes, 60)
    h12, half = (hour - 1) % 12 + 1, "am" if hour < 12 else "pm"
    forms = [f"{h12}{half}", f"{h12} {half}", f"{hour}:{minute:02d}"] if minute == 0 else \
        [f"{h12}:{minute:02d}{half}", f"{h12}:{minute:02d} {half}", f"{hour}:{minute:02d}"]
    if minutes == 12 * 60:
        forms.append("noon")
    shown = rng.choice(forms)
    return shown, "12" if shown == "noon" else shown.replace(" ", "")


def sched(tid: str, pattern: str, constraints: str, *, who: str = "people", n: tuple[int, int] = (2, 4),
          clock: str = "") -> Template:
    """`pattern` names tasks {A} .. {F} with durations {dA} ...; or one variable-length list of n tasks:
    `{list}` ("Alice (2 hours), Bob (1 hour) and Cleo (30 minutes)", in one of several styles),
    `{then}` ("writing for 2 hours, then piano for 45 min, then ...") or `{first_finally}` ("first writing
    (2h), then piano (45 min) and finally yoga (1 hour)"). `constraints` is formatted with the names and
    `{T}`/`{S}`/`{E}` (spec times); `{time}`, `{start}`, `{end}` are the times as written. `clock`: what the
    time is: "by" (everything ends by T), "start" ({A} starts at T), "not_before" ({A} starts at T or later),
    "end_by" ({A} ends by T), "window" (everything within S..E). who: "people" or "tasks"."""
    fields = _fields(pattern)
    letters = [f for f in "ABCDEF" if f in fields]
    variable = next((f for f in ("list", "then", "first_finally") if f in fields), "")

    def render(rng: random.Random, pools: Pools) -> Sample:
        count = rng.randint(*n) if variable else len(letters)
        pool = pools["people"] if who == "people" else pools["tasks"]
        names = rng.sample(pool, count)
        names = [nm[0] if isinstance(nm, tuple) else nm for nm in names]
        durs, minutes, budget = [], [], 10 * 60  # keep the day feasible with room to spare (09:00-24:00)
        for _ in names:
            options = [d for d in DURATIONS if d[0] <= budget - 15 * (count - len(durs) - 1)]
            mins, forms = options[rng.randrange(len(options))]
            budget -= mins
            minutes.append(mins)
            durs.append(forms[rng.randrange(len(forms))])
        fill: dict[str, str] = {}
        for letter, name, (shown, _) in zip("ABCDEF", names, durs):
            fill[letter], fill[f"d{letter}"] = name, shown
        fill[variable or "_"] = _variable(rng, variable, names, [shown for shown, _ in durs], who)
        times = _times(rng, clock, minutes)
        fill.update({k: v for k, v in times.items() if k in ("time", "start", "end")})
        tasks = ",".join(f"{nm}:{spec}" for nm, (_, spec) in zip(names, durs))
        cons = constraints.format(**{k: v for k, v in fill.items() if k in "ABCDEF"},
                                  **{k: v for k, v in times.items() if k in ("T", "S", "E")})
        keep = tuple(names) + tuple(shown for shown, _ in durs) + tuple(v for k, v in times.items() if k == "time")
        return Sample(pattern.format(**fill), f"{tasks} | {cons}",
                      {"names": names, "durations": [shown for shown, _ in durs]},
                      keep=keep, keep_case=tuple(names))

    return Template(f"schedule.{tid}", "schedule", render, pattern)


def _variable(rng: random.Random, kind: str, names: list[str], shown: list[str], who: str) -> str:
    if kind == "list":
        style = rng.choice(LIST_STYLES_TASKS if who == "tasks" else LIST_STYLES)
        return join_and([style.format(n=nm, d=d) for nm, d in zip(names, shown)])
    if kind == "then":
        parts = [f"{nm} for {d}" for nm, d in zip(names, shown)]
        return parts[0] + "".join(f", {rng.choice(THEN_HEADS)} {p}" for p in parts[1:])
    if kind == "first_finally":
        parts = [f"{nm} ({d})" if rng.random() < 0.5 else f"{nm} for {d}" for nm, d in zip(names, shown)]
        middle = "".join(f", {rng.choice(THEN_HEADS)} {p}" for p in parts[1:-1])
        return f"first {parts[0]}{middle} and finally {parts[-1]}"
    return ""


def _times(rng: random.Random, clock: str, minutes: list[int]) -> dict[str, str]:
    """Times for a `clock` template, chosen so the day stays feasible; {} when there is no clock."""
    total = sum(minutes)
    if clock == "by":  # everything done by T: the tasks fit after 09:00 with at least half an hour spare
        first = -(-(9 * 60 + total + 30) // 60) * 60
        shown, spec = _clock(rng.randrange(min(first, 23 * 60), 23 * 60 + 1, 60), rng)
        return {"time": shown, "T": spec}
    if clock in ("start", "not_before"):  # A from T, and every task still fits after it
        latest = 24 * 60 - total
        shown, spec = _clock(rng.randrange(10 * 60, max(10 * 60, latest) + 1, 30), rng)
        return {"time": shown, "T": spec}
    if clock == "end_by":  # A ends by T: it can go first
        first = -(-(9 * 60 + minutes[0] + 30) // 60) * 60
        shown, spec = _clock(rng.randrange(first, min(24 * 60, first + 4 * 60) + 1, 60), rng)
        return {"time": shown, "T": spec}
    if clock == "window":
        start = rng.choice([8, 9, 9, 10, 11, 12]) * 60
        end = min(23 * 60, -(-(start + total + 30) // 60) * 60 + rng.choice([0, 60, 120]))
        (s_shown, s_spec), (e_shown, e_spec) = _clock(start, rng), _clock(end, rng)
        return {"start": s_shown, "end": e_shown, "S": s_spec, "E": e_spec, "time": s_shown, "time2": e_shown}
    return {}


TEMPLATES: list[Template] = [
    sched("need_room", "{A} needs {dA} and {B} needs {dB} in the meeting room, not at the same time.", "no_overlap"),
    sched("meetings_in_order", "Book meetings with {A} for {dA}, {B} for {dB} and {C} for {dC}, one after another "
          "in that order.", "sequential"),
    sched("without_overlaps", "Schedule {list} without any overlaps.", "no_overlap", n=(2, 6)),
    sched("interviews", "Arrange interviews: {A} takes {dA}, {B} takes {dB}. There is only one interviewer, so "
          "no overlap.", "no_overlap"),
    sched("studio", "Find slots for {A} ({dA}) and {B} ({dB}) in the studio; they can't overlap.", "no_overlap"),
    sched("car_first", "{A} needs the car for {dA} and {B} for {dB}. {B} has to go first.", "before({B},{A})"),
    sched("rehearsal", "The band needs rehearsal slots: {A} {dA}, {B} {dB}, {C} {dC}. No two at once, and {A} "
          "before {C}.", "no_overlap,before({A},{C})"),
    sched("one_room", "One meeting room, several people: {list}. Give me a plan with no overlap.", "no_overlap",
          n=(2, 6)),
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
    sched("sequential_list", "Make a sequential schedule for {list}.", "sequential", who="tasks", n=(2, 6)),
    sched("back_to_back", "Put {A} ({dA}) and {B} ({dB}) back to back, {A} first.", "sequential", who="tasks"),
    sched("chores_order", "Order my chores: {A} takes {dA}, {B} takes {dB}. Do {B} before {A}.", "before({B},{A})",
          who="tasks"),
    sched("no_overlap_and_before", "Schedule {A} ({dA}), {B} ({dB}) and {C} ({dC}) with no overlaps, and make sure "
          "{C} happens before {A}.", "no_overlap,before({C},{A})", who="tasks"),
    sched("one_at_a_time", "Build me a timetable for {list}, one thing at a time.", "no_overlap", who="tasks"),
    # orders told with then / after / back to back / first ... finally, 2-6 tasks
    sched("then_chain", "Plan my day: {then}.", "sequential", who="tasks", n=(2, 6)),
    sched("then_chain_people", "Meet {then}, in that order.", "sequential", n=(2, 5)),
    sched("first_finally", "Tomorrow I'll do {first_finally}. Please schedule it.", "sequential", who="tasks",
          n=(3, 6)),
    sched("first_finally_people", "Set up the calls: {first_finally}.", "sequential", n=(3, 5)),
    sched("back_to_back_list", "Schedule {list} back to back, in this order.", "sequential", who="tasks",
          n=(2, 6)),
    sched("back_to_back_people", "Book {list} back to back in the order I gave.", "sequential", n=(2, 6)),
    sched("after_task", "I need {dA} for {A} and {dB} for {B}, and {B} should come after {A}.", "after({B},{A})",
          who="tasks"),
    sched("only_after", "Please schedule {A} ({dA}); it can only start after {B} ({dB}) is finished.",
          "after({A},{B})", who="tasks"),
    sched("after_people", "{A} needs the studio for {dA}, {B} for {dB} and {C} for {dC}. No overlaps, and {C} "
          "has to be after {B}.", "no_overlap,after({C},{B})"),
    sched("study_session", "Study plan: {dA} of {A}, {dB} of {B} and {dC} of {C}. One subject at a time, {B} "
          "before {A}.", "no_overlap,before({B},{A})", who="tasks"),
    sched("one_after_another", "Do {list} one after another in that order.", "sequential", who="tasks", n=(2, 6)),
    # times of day: only the expert's by / start / not_before / end_by / window
    sched("done_by", "Fit in {list}, one at a time, all done by {time}.", "no_overlap,by({T})", who="tasks",
          n=(2, 5), clock="by"),
    sched("sequence_done_by", "I want to finish by {time}: {then}.", "sequential,by({T})", who="tasks", n=(2, 4),
          clock="by"),
    sched("fixed_start", "Slot in {A} ({dA}) at exactly {time}; {B} ({dB}) and {C} ({dC}) can go whenever, but "
          "nothing may overlap.", "no_overlap,start({A},{T})", who="tasks", clock="start"),
    sched("meeting_at", "Book {A} for {dA} starting at {time}, and {B} for {dB} at a time that doesn't clash.",
          "no_overlap,start({A},{T})", clock="start"),
    sched("not_before_time", "Schedule {A} for {dA} and {B} for {dB} without overlap; {A} can't start before "
          "{time}.", "no_overlap,not_before({A},{T})", who="tasks", clock="not_before"),
    sched("finish_by_time", "{A} needs {dA} and must be finished by {time}; {B} needs {dB}. Not at the same time.",
          "no_overlap,end_by({A},{T})", clock="end_by"),
    sched("within_window", "Between {start} and {end} I need {list}, one at a time.", "no_overlap,window({S},{E})",
          who="tasks", n=(2, 4), clock="window"),
    # every constraint kind has several phrasings, so a held-out template never holds the only one
    sched("not_before_begin", "{A} ({dA}) can't begin until {time}; {B} ({dB}) and {C} ({dC}) fit around it, one "
          "at a time.", "no_overlap,not_before({A},{T})", who="tasks", clock="not_before"),
    sched("not_free_before", "{A} isn't free before {time}. Book {A} for {dA} and {B} for {dB}, no overlap.",
          "no_overlap,not_before({A},{T})", clock="not_before"),
    sched("no_earlier_than", "Put {dA} of {A} and {dB} of {B} on my calendar, not at the same time, with {A} no "
          "earlier than {time}.", "no_overlap,not_before({A},{T})", who="tasks", clock="not_before"),
    sched("starts_sharp", "{A} starts at {time} sharp and lasts {dA}; fit {B} ({dB}) in somewhere else.",
          "no_overlap,start({A},{T})", clock="start"),
    sched("begin_at", "Begin {A} at {time} for {dA}, and schedule {B} for {dB} without a clash.",
          "no_overlap,start({A},{T})", who="tasks", clock="start"),
    sched("done_by_deadline", "{A} ({dA}) has to be done by {time}, and {B} ({dB}) can be any time; no overlap.",
          "no_overlap,end_by({A},{T})", who="tasks", clock="end_by"),
    sched("leave_by", "{A} must be finished by {time} and needs {dA}; {B} needs {dB}. One at a time.",
          "no_overlap,end_by({A},{T})", clock="end_by"),
    sched("over_by", "Everything has to be over by {time}: {list}, one at a time.", "no_overlap,by({T})",
          who="tasks", n=(2, 5), clock="by"),
    sched("people_by", "Book {list} with no overlaps; the last one must end by {time}.", "no_overlap,by({T})",
          n=(2, 4), clock="by"),
    sched("free_from_to", "I'm free from {start} to {end}. Schedule {list} without overlaps.",
          "no_overlap,window({S},{E})", who="tasks", n=(2, 4), clock="window"),
    sched("room_window", "The room is available from {start} until {end}: book {list}, no two at once.",
          "no_overlap,window({S},{E})", n=(2, 4), clock="window"),
    sched("go_after", "Book {A} ({dA}) and {B} ({dB}); {A} has to go after {B}.", "after({A},{B})"),
    sched("earlier_than", "{A} ({dA}) should be earlier than {B} ({dB}), and {C} ({dC}) fits anywhere; nothing "
          "overlaps.", "no_overlap,before({A},{B})", who="tasks"),
    # more phrasings of each constraint (a held-out phrasing was answered with an invented start(...) or a
    # dropped "fits anywhere" task when only one or two train templates said it that way)
    sched("cant_start_until", "{A} ({dA}) can't start until {B} ({dB}) is done.", "after({A},{B})", who="tasks"),
    sched("once_over", "Once {A} ({dA}) is over, do {B} ({dB}).", "after({B},{A})", who="tasks"),
    sched("wait_until_finished", "{A} for {dA} has to wait until {B} for {dB} has finished; {C} ({dC}) can go "
          "whenever. One thing at a time.", "no_overlap,after({A},{B})", who="tasks"),
    sched("book_right_after", "Book {A} ({dA}) after {B} ({dB}), and {C} ({dC}) anywhere that doesn't clash.",
          "no_overlap,after({A},{B})"),
    sched("out_of_the_way", "Get {A} ({dA}) out of the way before {B} ({dB}).", "before({A},{B})", who="tasks"),
    sched("ahead_of", "{A} ({dA}) needs to happen ahead of {B} ({dB}); {C} ({dC}) can go at any time. No overlaps.",
          "no_overlap,before({A},{B})", who="tasks"),
    sched("squeeze_in", "{A} ({dA}) goes before {B} ({dB}). Squeeze {C} ({dC}) in wherever it fits, one at a time.",
          "no_overlap,before({A},{B})", who="tasks"),
    sched("must_follow", "Plan {A} ({dA}), {B} ({dB}) and {C} ({dC}) so none overlap; {A} must come after {C}.",
          "no_overlap,after({A},{C})", who="tasks"),
    sched("people_earlier", "Meet {A} for {dA} earlier than {B} for {dB}; {C} needs {dC} at any point. No "
          "double-booking.", "no_overlap,before({A},{B})"),
    sched("dont_start_before", "Don't start {A} before {time}; it takes {dA}. {B} ({dB}) can be any time, but no "
          "overlaps.", "no_overlap,not_before({A},{T})", who="tasks", clock="not_before"),
    sched("at_or_later", "{A} ({dA}) at {time} or later, and {B} ({dB}) whenever; one at a time.",
          "no_overlap,not_before({A},{T})", who="tasks", clock="not_before"),
    sched("fixed_at", "{A} is fixed at {time} for {dA}. Also fit in {B} ({dB}) and {C} ({dC}), no clashes.",
          "no_overlap,start({A},{T})", who="tasks", clock="start"),
    sched("plan_around", "At {time} I have {A} ({dA}); plan {B} ({dB}) around it.", "no_overlap,start({A},{T})",
          who="tasks", clock="start"),
    sched("wrap_up_by", "{A} ({dA}) needs to wrap up by {time}; {B} takes {dB}. Don't overlap them.",
          "no_overlap,end_by({A},{T})", who="tasks", clock="end_by"),
    sched("fit_before_time", "Can you fit {list} before {time}, one at a time?", "no_overlap,by({T})",
          who="tasks", n=(2, 5), clock="by"),
    sched("deadline_then", "Deadline {time}: {then}.", "sequential,by({T})", who="tasks", n=(2, 4), clock="by"),
    sched("only_free_between", "I'm only free between {start} and {end}: {list}, never two at once.",
          "no_overlap,window({S},{E})", who="tasks", n=(2, 4), clock="window"),
    sched("in_exact_order", "Run through {list} in exactly that order.", "sequential", who="tasks", n=(2, 6)),
    sched("followed_by", "{A} for {dA}, followed by {B} for {dB}, followed by {C} for {dC}. Make me a plan.",
          "sequential", who="tasks"),
    sched("queue_people", "Queue up {then}; keep that order.", "sequential", n=(2, 5)),
    sched("never_two_at_once", "I've got {list} to get through today; never two at once.", "no_overlap",
          who="tasks", n=(2, 6)),
    sched("timetable_no_overlap", "Can you make a timetable for {list} where nothing overlaps?", "no_overlap",
          n=(2, 6)),
    sched("one_at_a_time_help", "Help me plan {list}. I can only do one at a time.", "no_overlap", who="tasks",
          n=(2, 6)),
]


def pools() -> dict[str, dict[str, list]]:
    return {"schedule": {"people": [name for name, _ in NAMES], "tasks": list(TASKS)}}
