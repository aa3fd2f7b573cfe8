"""Schedule checks: are the clock times in a schedule spec's constraints the ones the query states?

Grounding (`grounding.py`) checks a schedule spec's names and numbers. The router's most common wrong
schedule still passes that: a constraint the query never asked for (`start(rehearsal,12)` for "one thing
at a time"; 12 is a number people leave implicit), a time read on the wrong half of the day
(`start(Andre,10:30pm)` for "starts at 10:30 sharp"), or a fixed time dropped ("Chloe starts at 20:30
sharp" scheduled with `no_overlap` only), or a task length misread ("an hour and a quarter" as `1.5hr`).
Four rules:

- the task lengths are the lengths the query states ("1h30", "three quarters of an hour", "20 min"),
  as a multiset, whenever the query states any;
- every time in a constraint is a time the query states (`20:00`, `3pm`, `12:30 PM`, `noon`, or a bare
  hour after "at", "by", "until", "before", "after", "from", "to", "between", "and");
- every time the query states unambiguously (with a colon, am/pm, noon or midnight, or a range of two
  bare hours up to 12 that ends the phrase: "from 9 to 5", "between 1 and 4, ...", read as the schedule
  expert reads `window(9,5)` and `window(1,4)`: 9:00-17:00, 13:00-16:00) is used by some constraint;
- a constraint's time is compared as the expert reads it (a bare 1-7 is the afternoon, a window is read
  as a whole: `experts.schedule.read_window`), and a bare hour of the query may be either half of the day;
- a time the query gives as a start ("after 6pm", "from 9", "starts at 8", "can't start before 10", "no
  earlier than 8", "busy until 3") is not used as an end (`by`, `end_by`, `deadline`, a window's end), and
  a time it gives as an end ("before 7 pm", "by 5", "until noon", "from 9 to 17:00", "due at 5", "don't
  book anything after 6") not as a start (`start`, `at`, `not_before`, `from`, a window's start). A time
  the query also states without such a word ("at 3pm", "between 9 and 5") may be either.

`schedule_conflict(query, spec)` returns the first conflict as one line, or "" when there is none.
"""

from __future__ import annotations

import re

from routerforge.experts.base import ExpertError
from routerforge.experts.schedule import (
    HALF_DAY, is_bare_afternoon, parse_duration, parse_time, read_day_bounds, read_window,
)
from routerforge.routers.story_check import EN_NUMBERS

_N = r"(\d+(?:\.\d+)?|\b(?:" + "|".join(sorted(EN_NUMBERS, key=len, reverse=True)) + r"|an?)\b)"
# longest forms first; each match's span is masked before the shorter forms look
_DURATIONS = [
    (re.compile(r"\b(\d+)\s*h\s*(\d+)\s*(?:m|min|mins|minutes)?\b"), lambda h, m: h * 60 + m),
    (re.compile(_N + r"\s+hours?\s+and\s+" + _N + r"\s+(?:minutes|mins|min)\b"), lambda h, m: h * 60 + m),
    (re.compile(_N + r"\s+and\s+a\s+half\s+hours?\b"), lambda n: n * 60 + 30),
    (re.compile(_N + r"\s+and\s+a\s+quarter\s+hours?\b"), lambda n: n * 60 + 15),
    (re.compile(_N + r"\s+hours?\s+and\s+a\s+half\b"), lambda n: n * 60 + 30),
    (re.compile(_N + r"\s+hours?\s+and\s+a\s+quarter\b"), lambda n: n * 60 + 15),
    (re.compile(r"\bhalf\s+an\s+hour\b"), lambda: 30),
    (re.compile(r"\bthree\s+quarters\s+of\s+an\s+hour\b"), lambda: 45),
    (re.compile(r"\ba\s+quarter\s+of\s+an\s+hour\b"), lambda: 15),
    (re.compile(_N + r"\s*-?\s*(?:h|hr|hrs|hour|hours)\b"), lambda n: n * 60),
    (re.compile(_N + r"\s*-?\s*(?:m|min|mins|minute|minutes)\b"), lambda n: n),
]

_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})(?:\s*([ap])\.?m\b\.?)?", re.IGNORECASE)
_MERIDIEM = re.compile(r"\b(\d{1,2})\s*([ap])\.?\s*m\b\.?", re.IGNORECASE)
_BARE = re.compile(r"\b(?:at|by|until|till|before|after|from|to|between|and)\s+(\d{1,2})\b(?!\s*(?:[:.]\d|h\b|hr|hour|min|m\b|%))",
                   re.IGNORECASE)
# "from 11 to 2", "between 1 and 4": two bare hours that end the phrase ("between 2 and 3 people", "2 and 3
# hours" and "from 1 to 10 guests" are counts), read as the expert reads window(11,2)
_BARE_RANGE = re.compile(r"\b(?:from|between)\s+(1[0-2]|0?[1-9])\s*(?:to|until|till|and|-)\s*(1[0-2]|0?[1-9])\b"
                         r"(?=\s*(?:$|[.,;!?)]|:(?!\d)|o['’]?clock\b|today\b|tomorrow\b|tonight\b|on\b|for\b|"
                         r"and\b|then\b|with\b|please\b))", re.IGNORECASE)
_NAMED = {"noon": 12 * 60, "midday": 12 * 60, "midnight": 24 * 60}
_SPEC_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def _minutes(hour: int, minute: int, half: str | None) -> int | None:
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower().startswith("p") else 0)
    return hour * 60 + minute if hour <= 24 and minute < 60 else None


# the words just before a time that make it a start or an end. A bare "at" or "to" says neither ("closes at
# 6pm", "move the call to 3pm"); "starts at", "from 9", "from 9 to 5", "due at", "by" do. "before"/"until"
# are ends and "after" a start unless a negation stands in the few words before them ("can't start
# before 10", "isn't free until noon", "don't book anything after 5pm"); "busy until 3" is a start.
_START_WORDS = re.compile(r"\b(?:from|since|no\s+earlier\s+than|not\s+before|(?:start|starts|starting|begin|begins|"
                          r"beginning|open|opens|opening)(?:\s+at|\s+from)?)\s*$", re.I)
_END_WORDS = re.compile(r"\b(?:by|no\s+later\s+than|(?:end|ends|ending|finish|finishes|finished|close|closes|closing|"
                        r"due|over|done)(?:\s+at|\s+by)?)\s*$", re.I)
_FROM_TO = re.compile(r"\bfrom\s+[\w:.]+(?:\s*[ap]\.?\s*m\b\.?)?\s*(?:to|until|till|-)\s*$", re.I)
_BUSY_UNTIL = re.compile(r"\b(?:busy|booked|occupied|away|out|tied\s+up)\s+(?:until|till)\s*$", re.I)
_FLIP_WORDS = re.compile(r"\b(before|until|till|after)\s*$", re.I)
_NEGATION = re.compile(r"n['’]t\b|\b(?:not|never|cannot|no)\b", re.I)
_CLAUSE_END = re.compile(r"[;,!?]|[.:](?!\d)")  # not the colon of 10:30 or the dot of 9.30


def _role(query: str, start: int) -> str | None:
    """"start", "end" or None: what the words right before the time at `start` make of it."""
    before = query[:start]
    if _FROM_TO.search(before):
        return "end"
    if _BUSY_UNTIL.search(before):
        return "start"
    if _START_WORDS.search(before):
        return "start"
    if _END_WORDS.search(before):
        return "end"
    m = _FLIP_WORDS.search(before)
    if m:
        plain = "start" if m.group(1).lower() == "after" else "end"
        near = " ".join(_CLAUSE_END.split(before[:m.start()])[-1].split()[-4:])
        return ("end" if plain == "start" else "start") if _NEGATION.search(near) else plain
    return None


def _mentions(query: str) -> list[tuple[int, bool, str | None]]:
    """(minutes, explicit, role) for every time of day the query may mean, in no particular order."""
    out: list[tuple[int | None, bool, str | None]] = []
    spans = []
    for m in _CLOCK.finditer(query):
        out.append((_minutes(int(m.group(1)), int(m.group(2)), m.group(3)), True, _role(query, m.start())))
        spans.append(m.span())
    for m in _MERIDIEM.finditer(query):
        if not any(a <= m.start() < b for a, b in spans):
            out.append((_minutes(int(m.group(1)), 0, m.group(2)), True, _role(query, m.start())))
            spans.append(m.span())
    for word, value in _NAMED.items():
        for m in re.finditer(rf"\b{word}\b", query, re.IGNORECASE):
            out.append((value, True, _role(query, m.start())))
    for m in _BARE_RANGE.finditer(query):
        if not any(a <= m.start(g) < b for a, b in spans for g in (1, 2)):
            for g, minutes in zip((1, 2), read_window(m.group(1), m.group(2))):
                out.append((minutes, True, _role(query, m.start(g))))
                spans.append(m.span(g))
    for m in _BARE.finditer(query):
        if not any(a <= m.start(1) < b for a, b in spans):
            hour, role = m.group(1), _role(query, m.start(1))
            out.append((_minutes(int(hour), 0, None), False, role))
            if is_bare_afternoon(hour):  # "at 5": five in the morning or in the afternoon
                out.append((_minutes(int(hour), 0, None) + HALF_DAY, False, role))
    out = [o for o in out if o[0] is not None]
    # midnight is also the day's 0:00 (stated, not required)
    return out + [(0, False, role) for minutes, _, role in out if minutes == 24 * 60]


def query_times(query: str) -> tuple[set[int], set[int]]:
    """(stated, explicit): every time of day the query may mean, and those it states unambiguously."""
    mentions = _mentions(query)
    return {m for m, _, _ in mentions}, {m for m, explicit, _ in mentions if explicit}


def _number(text: str) -> float:
    text = text.lower()
    return 1.0 if text in ("a", "an") else float(text) if text[0].isdigit() else float(EN_NUMBERS[text])


def query_durations(query: str) -> list[int]:
    """Every task length the query states, in minutes, in the order written."""
    text = query.lower()
    found = []
    for pattern, value in _DURATIONS:
        for m in pattern.finditer(text):
            found.append((m.start(), round(value(*map(_number, m.groups())))))
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return [v for _, v in sorted(found)]


def _spec_durations(spec: str) -> list[int] | None:
    try:
        return [parse_duration(part.split(":", 1)[1]) for part in spec.split("|", 1)[0].split(",") if ":" in part]
    except ExpertError:  # the expert reports a malformed spec; this check has nothing to say
        return None


_SPEC_START = {"start", "at", "starts_at", "not_before", "from"}
_SPEC_END = {"by", "end_by", "deadline"}


def _constraint_times(spec: str) -> list[tuple[str, int | None, str | None, str]]:
    """(as written, minutes, role, constraint) for every time argument of the spec's constraints; role is
    "start", "end" or None (a constraint this check does not know)."""
    if "|" not in spec:
        return []
    calls = [(name.lower(), args) for name, args in re.findall(r"(\w+)\s*\(([^()]*)\)", spec.split("|", 1)[1])]
    bounds = {k: [a for n, a in calls if n == k and "," not in a and _SPEC_TIME.match(a)] for k in ("from", "by")}
    try:  # from(T) and by(T) as the expert reads them (one of each: a window)
        day = dict(zip(("from", "by"), map(iter, read_day_bounds(bounds["from"], bounds["by"]))))
    except ExpertError:
        day = {"from": iter(()), "by": iter(())}
    out = []
    for name, args in calls:
        parts = args.split(",")
        window = name == "window" and len(parts) == 2 and all(_SPEC_TIME.match(p) for p in parts)
        for i, arg in enumerate(parts):
            if _SPEC_TIME.match(arg):
                role = ("start" if i == 0 else "end") if window else \
                    "start" if name in _SPEC_START else "end" if name in _SPEC_END else None
                bound = name in day and len(parts) == 1
                minutes = next(day[name], None) if bound else _expert_minutes(parts, i, window)
                out.append((arg.strip(), minutes, role, f"{name}({args})"))
    return out


def _expert_minutes(parts: list[str], i: int, window: bool) -> int | None:
    """The time `parts[i]` of a constraint as the schedule expert reads it (None: it does not)."""
    try:
        return read_window(*parts)[i] if window else parse_time(parts[i], bare_afternoon=True)
    except ExpertError:
        return None


def schedule_conflict(query: str, spec: str) -> str:
    """The first task length or time in `spec` the query does not state, or a time it states that `spec`
    drops, as one line; or "" (see the module docstring)."""
    wanted, got = sorted(query_durations(query)), _spec_durations(spec)
    if wanted and got is not None and sorted(got) != wanted:
        return f"task lengths {sorted(got)} min are not the query's {wanted}"
    mentions = _mentions(query)
    stated, explicit = {m for m, _, _ in mentions}, {m for m, e, _ in mentions if e}
    used = _constraint_times(spec)
    for written, minutes, role, constraint in used:
        if minutes not in stated:
            return f"time {written!r} is not a time the query states"
        roles = {r for m, _, r in mentions if m == minutes}
        if role and None not in roles and role not in roles:
            return f"{constraint} uses {written!r} as {'a' if role == 'start' else 'an'} {role}; the query gives it as " \
                   f"{'an end' if role == 'start' else 'a start'}"
    missing = sorted(explicit - {m for _, m, _, _ in used})
    if missing:
        h, m = divmod(missing[0], 60)
        return f"the query's time {h}:{m:02d} is in no constraint"
    return ""


__all__ = ["query_durations", "query_times", "schedule_conflict"]
