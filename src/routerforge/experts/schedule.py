"""The `schedule` expert: place tasks on one day's timeline under constraints, with OR-Tools CP-SAT.

Spec: `Name:duration,Name:duration | constraint,constraint` (the `| constraints` part is optional).

* durations: `2hr`, `1.5hr`, `90min`, `1h`, `30m`, `1h30m` (whole minutes, at most 24 h each)
* times: `10`, `10:30`, `9am`, `2:30pm` (24-hour clock unless am/pm), except that a bare one-digit hour
  from 1 to 7 in a constraint is the afternoon (`by(5)` 17:00, `start(A,3)` 15:00): people say "done by
  5" for 17:00, and the day starts at 09:00; `5am` or `5:00` is five in the morning. A window is read
  as a whole (`read_window`): `window(9,5)` 9:00-17:00, `window(1,4)` 13:00-16:00, but `window(6,9)`
  and `window(7,11)` stay in the morning; one `from(T)` with one `by(T)` is read the same way
* constraints:
  `no_overlap` (no two tasks at once), `sequential` (in listed order, back to back allowed),
  `before(A,B)` (A ends before B starts), `after(A,B)` (A starts after B ends),
  `start(A,T)` / `at(A,T)` (A starts at T), `not_before(A,T)` (A starts at T or later),
  `end_by(A,T)` / `deadline(A,T)` / `by(A,T)` (A ends by T), `window(S,E)` (all tasks within S..E),
  `by(T)` (everything ends by T), `from(T)` (nothing starts before T).

The day runs from 09:00 (or an earlier `start`/`not_before` time) to 24:00 unless `window`/`by`/`from`
say otherwise; when several of those are given, all of them hold (the day is their intersection). The solver minimises the end of the last task, then (tie-break, so results are stable)
picks the lexicographically earliest starts in listed order (the first task as early as possible,
then the second...); it runs single-threaded with a fixed seed and a 2 s limit per stage.
The result lists every task in spec order, `Alice:9-11,Bob:11-12`, with `H:MM` for times off the
hour (`13-14:30`). `check_schedule` verifies any result independently of the solver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from routerforge.experts.base import Expert, ExpertError

MAX_TASKS = 12
MAX_CONSTRAINTS = 24
DAY_START, DAY_END = 9 * 60, 24 * 60
SOLVER_SECONDS = 2.0

_NAME = re.compile(r"\w[\w\-]*")
_DURATION = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours))?\s*(?:(\d+(?:\.\d+)?)\s*(?:m|min|mins|minute|minutes))?",
    re.IGNORECASE,
)
_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", re.IGNORECASE)
_CALL = re.compile(r"(\w+)\s*(?:\((.*)\))?", re.DOTALL)
_OPEN_CALL = re.compile(r"(\w+)\(([^()]*)$")  # a constraint whose argument list is still open
# constraint name -> (canonical kind, argument shapes: "t" task, "T" time)
_KINDS = {
    "no_overlap": ("no_overlap", ""), "sequential": ("sequential", ""), "in_order": ("sequential", ""),
    # common misspellings a small router produces; accepting them costs nothing and loses no meaning
    "no_overlaps": ("no_overlap", ""), "nooverlap": ("no_overlap", ""), "non_overlapping": ("no_overlap", ""),
    "before": ("before", "tt"), "after": ("after", "tt"),
    "start": ("start", "tT"), "at": ("start", "tT"), "starts_at": ("start", "tT"),
    "not_before": ("not_before", "tT"), "end_by": ("end_by", "tT"), "deadline": ("end_by", "tT"),
    "window": ("window", "TT"), "from": ("from", "T"),
}


@dataclass
class ScheduleSpec:
    tasks: list[tuple[str, int]]  # (name, minutes) in spec order
    constraints: list[tuple[str, tuple]] = field(default_factory=list)  # (kind, args); times in minutes
    day_start: int = DAY_START
    day_end: int = DAY_END


def parse_duration(text: str) -> int:
    m = _DURATION.fullmatch(text.strip())
    if not text.strip() or not m or not (m.group(1) or m.group(2)):
        raise ExpertError(f"bad duration {text.strip()!r}; use e.g. 2hr, 1.5hr, 90min, 1h30m")
    minutes = float(m.group(1) or 0) * 60 + float(m.group(2) or 0)
    if abs(minutes - round(minutes)) > 1e-6:
        raise ExpertError(f"duration {text.strip()!r} is not a whole number of minutes")
    if not 0 < round(minutes) <= 24 * 60:
        raise ExpertError(f"duration {text.strip()!r} must be more than 0 and at most 24h")
    return round(minutes)


AFTERNOON_BARE_HOURS = range(1, 8)  # a constraint's bare `1`..`7` (no minutes, no am/pm) is 13:00..19:00
HALF_DAY = 12 * 60


def is_bare_afternoon(text: str) -> bool:
    """`1` .. `7` written alone (not `05`, `5:00` or `5am`): the hours `parse_time` may move past noon."""
    text = text.strip()
    return len(text) == 1 and text.isdigit() and int(text) in AFTERNOON_BARE_HOURS


def parse_time(text: str, *, bare_afternoon: bool = False) -> int:
    """Minutes after midnight of `10`, `10:30`, `9am`, `2:30pm`; 24:00 is the end of the day. With
    `bare_afternoon` (a constraint's time, not a result's 24-hour times), `is_bare_afternoon` hours are
    the afternoon's."""
    if bare_afternoon and is_bare_afternoon(text):
        return parse_time(text) + HALF_DAY
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ExpertError(f"bad time {text.strip()!r}; use e.g. 10, 10:30, 2pm")
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ExpertError(f"bad time {text.strip()!r}")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ExpertError(f"bad time {text.strip()!r}")
    return hour * 60 + minute


def read_window(start: str, end: str) -> tuple[int, int]:
    """A window's two times read together: on the 24-hour clock, except that a bare 1-7 end not after
    its start is the afternoon (`9,5` 9:00-17:00, `11,2` 11:00-14:00) and two bare 1-7 hours are both
    the afternoon (`1,4` 13:00-16:00); a bare start before a later morning end stays (`6,9`, `7,11`)."""
    s, e = parse_time(start), parse_time(end)
    if is_bare_afternoon(end) and e <= s:
        e += HALF_DAY
    elif is_bare_afternoon(start) and is_bare_afternoon(end):
        s, e = s + HALF_DAY, e + HALF_DAY
    return s, e


def read_day_bounds(froms: list[str], bys: list[str]) -> tuple[list[int], list[int]]:
    """The times of `from(T)` and `by(T)` constraints as the expert reads them: one of each is a window
    read as a whole (`from(7),by(11)` 7:00-11:00), any other mix time by time."""
    if len(froms) == len(bys) == 1:
        start, end = read_window(froms[0], bys[0])
        return [start], [end]
    return [parse_time(t, bare_afternoon=True) for t in froms], [parse_time(t, bare_afternoon=True) for t in bys]


def clock(minutes: int) -> str:
    """`H:MM` (a message's time, never read as a bare afternoon hour)."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def format_time(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return f"{hour}" if minute == 0 else f"{hour}:{minute:02d}"


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ExpertError("unbalanced parentheses in constraints")
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth:
        raise ExpertError("unbalanced parentheses in constraints")
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def parse_schedule_spec(spec: str) -> ScheduleSpec:
    tasks_text, _, cons_text = spec.partition("|")
    if not tasks_text.strip():
        raise ExpertError(
            "no tasks; expected 'Name:duration,... | constraint,...' e.g. 'Alice:2hr,Bob:1hr | no_overlap'"
        )
    tasks: list[tuple[str, int]] = []
    for item in tasks_text.split(","):
        name, colon, dur = item.strip().partition(":")
        name = name.strip()
        if not colon or not _NAME.fullmatch(name):
            raise ExpertError(f"bad task {item.strip()!r}; expected Name:duration, e.g. Alice:2hr")
        if any(n.casefold() == name.casefold() for n, _ in tasks):
            raise ExpertError(f"task {name!r} is listed twice")
        tasks.append((name, parse_duration(dur)))
        if len(tasks) > MAX_TASKS:
            raise ExpertError(f"more than {MAX_TASKS} tasks")
    names = {n.casefold(): n for n, _ in tasks}
    out = ScheduleSpec(tasks)
    starts: list[int] = []  # explicit day starts (window, from) and ends (window, by)
    ends: list[int] = []
    froms: list[str] = []  # from(T) and by(T) as written: read together after the loop (read_day_bounds)
    bys: list[str] = []
    for item in _split_top(cons_text) if cons_text.strip() else []:
        m = _CALL.fullmatch(item)
        if not item or not m:
            raise ExpertError(f"bad constraint {item!r}")
        key, raw = m.group(1).lower(), m.group(2)
        args = [a.strip() for a in raw.split(",")] if raw is not None and raw.strip() else []
        if key == "by":  # by(T) for the whole day, by(A,T) for one task
            kind, shape = ("end_by", "tT") if len(args) == 2 else ("by", "T")
        elif key in _KINDS:
            kind, shape = _KINDS[key]
        else:
            raise ExpertError(f"unknown constraint {key!r}; known: {', '.join(sorted({*_KINDS, 'by'}))}")
        if len(args) != len(shape) or (raw is not None and not shape):
            usage = f"{key}({', '.join('task' if s == 't' else 'time' for s in shape)})" if shape else key
            raise ExpertError(f"bad constraint {item!r}; use {usage}")
        values: list = []
        for arg, s in zip(args, shape):
            if s == "t":
                if arg.casefold() not in names:
                    known = ", ".join(names.values())
                    raise ExpertError(f"constraint {item!r} names unknown task {arg!r}; tasks: {known}")
                values.append(names[arg.casefold()])
            else:
                values.append(parse_time(arg, bare_afternoon=True))
        if kind == "window":
            values = list(read_window(*args))
            if values[0] >= values[1]:
                raise ExpertError(f"empty window {item!r}")
            starts.append(values[0])
            ends.append(values[1])
        elif kind == "by":
            bys.append(args[0])
        elif kind == "from":
            froms.append(args[0])
        else:
            out.constraints.append((kind, tuple(values)))
        if len(out.constraints) > MAX_CONSTRAINTS:
            raise ExpertError(f"more than {MAX_CONSTRAINTS} constraints")
    day_starts, day_ends = read_day_bounds(froms, bys)
    starts += day_starts
    ends += day_ends
    # every window/from/by holds at once, whatever their order: the day is their intersection
    window = bool(starts)
    if starts:
        out.day_start = max(starts)
    if ends:
        out.day_end = min(ends)
    if not window:  # an explicit early start (start(A,8)) widens the default 09:00 day start
        early = [v[1] for k, v in out.constraints if k in ("start", "not_before")]
        out.day_start = min([out.day_start, *early])
    if sum(d for _, d in tasks) > 24 * 60:
        raise ExpertError("tasks add up to more than 24h")
    return out


def check_schedule(spec: ScheduleSpec, times: dict[str, tuple[int, int]]) -> list[str]:
    """Every way `times` (name -> (start, end) minutes) breaks `spec`; empty when it is valid."""
    bad = []
    if set(times) != {n for n, _ in spec.tasks}:
        return [f"tasks {sorted(times)} differ from {[n for n, _ in spec.tasks]}"]
    for name, dur in spec.tasks:
        s, e = times[name]
        if e - s != dur:
            bad.append(f"{name} lasts {e - s} min, not {dur}")
        if s < spec.day_start or e > spec.day_end:
            bad.append(f"{name} is outside {clock(spec.day_start)}-{clock(spec.day_end)}")
    order = [n for n, _ in spec.tasks]
    for kind, args in spec.constraints:
        if kind == "no_overlap":
            for i, a in enumerate(order):
                for b in order[i + 1:]:
                    if times[a][0] < times[b][1] and times[b][0] < times[a][1]:
                        bad.append(f"{a} overlaps {b}")
        elif kind == "sequential":
            bad += [f"{a} does not end before {b} starts"
                    for a, b in zip(order, order[1:]) if times[a][1] > times[b][0]]
        elif kind == "before" and times[args[0]][1] > times[args[1]][0]:
            bad.append(f"{args[0]} is not before {args[1]}")
        elif kind == "after" and times[args[0]][0] < times[args[1]][1]:
            bad.append(f"{args[0]} is not after {args[1]}")
        elif kind == "start" and times[args[0]][0] != args[1]:
            bad.append(f"{args[0]} does not start at {clock(args[1])}")
        elif kind == "not_before" and times[args[0]][0] < args[1]:
            bad.append(f"{args[0]} starts before {clock(args[1])}")
        elif kind == "end_by" and times[args[0]][1] > args[1]:
            bad.append(f"{args[0]} ends after {clock(args[1])}")
    return bad


def render_schedule(spec: ScheduleSpec, times: dict[str, tuple[int, int]]) -> str:
    return ",".join(f"{n}:{format_time(times[n][0])}-{format_time(times[n][1])}" for n, _ in spec.tasks)


def parse_schedule_result(text: str) -> dict[str, tuple[int, int]]:
    """Read `Alice:9-11,Bob:11-12:30` back into name -> (start, end) minutes after midnight."""
    out: dict[str, tuple[int, int]] = {}
    for item in text.split(","):
        name, _, span = item.strip().partition(":")
        start, dash, end = span.partition("-")
        if not name or not dash:
            raise ExpertError(f"bad schedule entry {item.strip()!r}; expected Name:start-end")
        out[name.strip()] = (parse_time(start), parse_time(end))
    return out


def solve(spec: ScheduleSpec) -> dict[str, tuple[int, int]]:
    from ortools.sat.python import cp_model  # imported here: it is slow to import and optional for others

    model = cp_model.CpModel()
    lo, hi = spec.day_start, spec.day_end
    starts, ends, intervals = {}, {}, []
    for name, dur in spec.tasks:
        if dur > hi - lo:
            raise ExpertError(f"{name} ({dur} min) does not fit in {clock(lo)}-{clock(hi)}")
        starts[name] = model.NewIntVar(lo, hi - dur, f"s_{name}")
        ends[name] = model.NewIntVar(lo + dur, hi, f"e_{name}")
        intervals.append(model.NewIntervalVar(starts[name], dur, ends[name], f"i_{name}"))
    order = [n for n, _ in spec.tasks]
    for kind, args in spec.constraints:
        if kind == "no_overlap":
            model.AddNoOverlap(intervals)
        elif kind == "sequential":
            for a, b in zip(order, order[1:]):
                model.Add(ends[a] <= starts[b])
        elif kind == "before":
            model.Add(ends[args[0]] <= starts[args[1]])
        elif kind == "after":
            model.Add(starts[args[0]] >= ends[args[1]])
        elif kind == "start":
            model.Add(starts[args[0]] == args[1])
        elif kind == "not_before":
            model.Add(starts[args[0]] >= args[1])
        elif kind == "end_by":
            model.Add(ends[args[0]] <= args[1])
    # 1) the earliest possible end of the last task
    makespan = model.NewIntVar(lo, hi, "makespan")
    model.AddMaxEquality(makespan, list(ends.values()))
    model.Minimize(makespan)
    solver = _solver(cp_model)
    status = solver.Solve(model)
    if status == cp_model.INFEASIBLE:
        raise ExpertError("no schedule satisfies all constraints")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ExpertError(f"no schedule found within {SOLVER_SECONDS:g} s")
    # 2) among schedules with that end, the lexicographically earliest starts in listed order: a
    # fixed depth-first search (first task, smallest start first) returns it as its first solution,
    # which is deterministic and avoids proving optimality of a symmetric tie-break objective.
    best = {k: (solver.Value(starts[k]), solver.Value(ends[k])) for k in order}
    model.ClearObjective()
    model.Add(makespan <= solver.Value(makespan))
    model.AddDecisionStrategy([starts[k] for k in order], cp_model.CHOOSE_FIRST, cp_model.SELECT_MIN_VALUE)
    solver = _solver(cp_model)
    solver.parameters.search_branching = cp_model.FIXED_SEARCH
    if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return best
    return {k: (solver.Value(starts[k]), solver.Value(ends[k])) for k in order}


def _solver(cp_model):
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # single worker + fixed seed: the same spec gives the same answer
    solver.parameters.random_seed = 7
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS
    return solver


class ScheduleExpert(Expert):
    name = "schedule"
    description = "places tasks in a day: Name:duration,... | no_overlap, sequential, before(A,B), by(5pm) ..."
    expert_class: ClassVar[str] = "schedule"
    spec_charset: ClassVar[str | None] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:|,(). "
    templates: ClassVar[tuple[str, ...]] = ("routerforge.data.templates.schedule",)
    max_spec_chars: ClassVar[int] = 400
    max_spec_tokens: ClassVar[int] = 72  # six tasks and two constraints are ~50 tokens
    examples = [
        ("Alice needs 2 hours and Bob 1 hour in the room, not at the same time.", "Alice:2hr,Bob:1hr | no_overlap"),
        ("Plan a 90 minute review, then a 30 minute sync, then lunch for 1h.",
         "review:90min,sync:30m,lunch:1h | sequential"),
        ("Gym for an hour and 2h of writing, writing first, all done by 5pm.",
         "gym:1h,writing:2hr | before(writing,gym),by(5pm)"),
    ]

    def parse(self, spec: str) -> ScheduleSpec:
        return parse_schedule_spec(spec)

    def copy_field(self, spec_text: str) -> tuple[str, str] | None:
        """A task name: before `|` the text after the last comma until its `:`; after `|`, an open
        `before(`/`after(` argument or the first argument of `start(`/`not_before(`/`end_by(`."""
        tasks, bar, cons = spec_text.partition("|")
        if not bar:
            segment = tasks.rsplit(",", 1)[-1]
            return None if ":" in segment else (segment, ":")
        m = _OPEN_CALL.search(cons)
        if m is None:
            return None
        kind, args = m.group(1), m.group(2).split(",")
        names = {"before": 2, "after": 2, "start": 1, "at": 1, "not_before": 1, "end_by": 1}.get(kind, 0)
        if len(args) > names:
            return None
        return args[-1], ")" if len(args) == 2 else ","

    def execute(self, parsed: ScheduleSpec) -> tuple[ScheduleSpec, dict[str, tuple[int, int]]]:
        times = solve(parsed)
        problems = check_schedule(parsed, times)
        if problems:  # never hand out a schedule that breaks its own spec
            raise ExpertError(f"solver returned an invalid schedule: {problems[0]}")
        return parsed, times

    def render(self, value: tuple[ScheduleSpec, dict[str, tuple[int, int]]]) -> str:
        return render_schedule(*value)
