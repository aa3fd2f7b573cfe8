"""The schedule expert: parsing, solving with CP-SAT, and a property test that every returned
schedule satisfies every constraint (checked here independently of the expert's own checker)."""

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routerforge.experts import get_expert
from routerforge.experts.schedule import (
    check_schedule, format_time, parse_duration, parse_schedule_result, parse_schedule_spec, parse_time,
    read_window,
)


@pytest.fixture(scope="module")
def expert():
    return get_expert("schedule")


@pytest.mark.parametrize("spec, expected", [
    ("Alice:2hr,Bob:1hr | no_overlap", "Alice:9-11,Bob:11-12"),
    ("Alice:2hr,Bob:1hr", "Alice:9-11,Bob:9-10"),
    ("review:90min,sync:30m,lunch:1h | sequential", "review:9-10:30,sync:10:30-11,lunch:11-12"),
    ("gym:1h,writing:2hr | before(writing,gym),by(17)", "gym:11-12,writing:9-11"),
    ("a:1h,b:1h | no_overlap,after(a,b)", "a:10-11,b:9-10"),
    ("a:1h,b:1.5hr | no_overlap,start(b,13)", "a:9-10,b:13-14:30"),
    ("a:1h,b:1h | no_overlap,not_before(a,10:30)", "a:10:30-11:30,b:9-10"),
    ("a:1h,b:1h | no_overlap,at(a,8)", "a:8-9,b:9-10"),
    ("a:1h30m,b:45min | sequential,from(1pm)", "a:13-14:30,b:14:30-15:15"),
    ("a:2h,b:2h | no_overlap,window(8,12)", "a:8-10,b:10-12"),
    ("a:2h,b:1h | no_overlap,end_by(b,10)", "a:10-12,b:9-10"),
    ("a:2h,b:1h | no_overlap,deadline(b,10)", "a:10-12,b:9-10"),
])
def test_values(expert, spec, expected):
    result = expert.run(spec)
    assert result.ok, result.error
    assert result.value == expected


def test_examples_run_and_are_deterministic(expert):
    for _query, spec in expert.examples:
        first = expert.run(spec)
        assert first.ok, first.error
        assert all(expert.run(spec).value == first.value for _ in range(3))


def test_twelve_tasks_are_instant(expert):
    durs = [37, 53, 71, 29, 113, 47, 61, 83, 97, 41, 59, 67]
    spec = ",".join(f"t{i}:{d}m" for i, d in enumerate(durs))
    start = time.perf_counter()
    result = expert.run(spec + " | no_overlap")
    assert result.ok and time.perf_counter() - start < 1.5
    times = parse_schedule_result(result.value)
    assert max(e for _, e in times.values()) == 9 * 60 + sum(durs)  # optimal: back to back from 09:00


@pytest.mark.parametrize("spec, fragment", [
    ("a:5h,b:5h | no_overlap,window(9,17)", "no schedule satisfies"),
    ("a:1h,b:1h | before(a,b),before(b,a)", "no schedule satisfies"),
    ("a:1h | start(a,23:30)", "no schedule satisfies"),
    ("", "no tasks"),
    ("| no_overlap", "no tasks"),
    ("alice", "bad task"),
    ("a:1h,a:2h", "listed twice"),
    ("a:0.33hr", "whole number of minutes"),
    ("a:0h", "more than 0"),
    ("a:25h", "at most 24h"),
    ("a:2 hours", None),
    ("a:2parsecs", "bad duration"),
    ("a:1h | before(a,z)", "unknown task 'z'"),
    ("a:1h | foo(a)", "unknown constraint 'foo'"),
    ("a:1h | before(a)", "use before\\(task, task\\)"),
    ("a:1h | start(a,25)", "bad time '25'"),
    ("a:1h | start(a,10:75)", "bad time"),
    ("a:1h | window(17,9)", "empty window"),
    ("a:1h | before(a,(b)", "unbalanced"),
    ("a:1h | no_overlap(a)", "bad constraint"),
    (",".join(f"t{i}:10m" for i in range(13)), "more than 12 tasks"),
    (",".join(f"t{i}:3h" for i in range(9)), "more than 24h"),
    ("a:20h | window(9,17)", "does not fit"),
])
def test_errors(expert, spec, fragment):
    result = expert.run(spec)
    if fragment is None:  # accepted spelling
        assert result.ok, result.error
        return
    assert not result.ok
    import re

    assert re.search(fragment, result.error), result.error


@pytest.mark.parametrize("spec, expected", [
    ("Alice:2hr,Bob:1hr | no_overlap,window(1,4)", "Alice:13-15,Bob:15-16"),  # "between 1 and 4"
    ("a:1h,b:1h | no_overlap,window(9,5)", "a:9-10,b:10-11"),  # "from 9 to 5": not an empty window
    ("a:1h,b:1h | no_overlap,start(a,3)", "a:15-16,b:9-10"),
    ("a:1h | by(7),from(6)", "a:18-19"),
    ("a:1h | start(a,5am)", "a:5-6"), ("a:1h | start(a,5:00)", "a:5-6"), ("a:1h | start(a,8)", "a:8-9"),
    ("a:1h | start(a,05)", "a:5-6"),  # a zero-padded hour is the 24-hour clock's
    # a window is read as a whole: a bare start before a later morning end stays in the morning
    ("a:1h,b:1h | no_overlap,window(6,9)", "a:6-7,b:7-8"), ("a:1h | window(7,11)", "a:7-8"),
    ("a:1h,b:1h | no_overlap,window(12,3)", "a:12-13,b:13-14"), ("a:1h | window(11,2)", "a:11-12"),
    ("a:1h | from(7),by(11)", "a:7-8"), ("a:1h | by(5),from(9)", "a:9-10"),  # one from + one by: a window
])
def test_a_bare_hour_from_1_to_7_in_a_constraint_is_the_afternoon(expert, spec, expected):
    result = expert.run(spec)
    assert result.ok, result.error
    assert result.value == expected
    assert parse_schedule_result(result.value)  # results stay on the 24-hour clock


def test_helpers():
    assert parse_duration("1.5hr") == parse_duration("90min") == parse_duration("1h30m") == 90
    assert parse_duration("30m") == 30 and parse_duration("2 hours") == 120
    assert parse_time("9") == 540 and parse_time("2:30pm") == 870 and parse_time("12am") == 0
    assert parse_time("12pm") == 720 and parse_time("24") == 1440
    assert parse_time("5") == 300 and parse_time("5", bare_afternoon=True) == 1020
    assert parse_time("5:00", bare_afternoon=True) == 300 and parse_time("8", bare_afternoon=True) == 480
    assert read_window("9", "5") == (540, 1020) and read_window("1", "4") == (780, 960)
    assert read_window("7", "11") == (420, 660) and read_window("9am", "5") == (540, 1020)
    assert format_time(570) == "9:30" and format_time(780) == "13"
    assert parse_schedule_result("A:9-11,B:13-14:30") == {"A": (540, 660), "B": (780, 870)}


# ---- property test: random specs; every returned schedule satisfies every constraint ----

DURATIONS = ["15m", "30m", "45min", "1h", "1.5hr", "2hr", "90min", "20m"]


@st.composite
def specs(draw):
    n = draw(st.integers(1, 6))
    names = [f"T{i}" for i in range(n)]
    durs = [draw(st.sampled_from(DURATIONS)) for _ in names]
    cons = []
    if draw(st.booleans()):
        cons.append(("no_overlap",))
    if draw(st.integers(0, 4)) == 0:
        cons.append(("sequential",))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["before", "after", "start", "not_before", "end_by", "by", "window"]))
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        hour = draw(st.integers(8, 20))
        minute = draw(st.sampled_from([0, 30]))
        t = f"{hour}:{minute:02d}" if minute else f"{hour}"
        if kind in ("before", "after"):
            if a != b:
                cons.append((kind, a, b))
        elif kind == "by":
            cons.append((kind, t))
        elif kind == "window":
            cons.append((kind, f"{hour - 2}:00", f"{hour + 4}"))  # "6:00": a bare 6 would be 18:00
        else:
            cons.append((kind, a, t))
    text = ",".join(f"{n_}:{d}" for n_, d in zip(names, durs))
    if cons:
        text += " | " + ",".join(c[0] + (f"({','.join(c[1:])})" if len(c) > 1 else "") for c in cons)
    return text, names, [parse_duration(d) for d in durs], cons


def _violations(times, names, durs, cons):
    """An independent checker of the rendered schedule (not the expert's check_schedule)."""
    bad = []
    lo, hi = 9 * 60, 24 * 60
    explicit = [parse_time(c[2]) for c in cons if c[0] in ("start", "not_before")]
    if any(c[0] == "window" for c in cons):
        lo, hi = [(parse_time(c[1]), parse_time(c[2])) for c in cons if c[0] == "window"][-1]
    else:
        lo = min([lo, *explicit])
    for c in cons:
        if c[0] == "by":
            hi = parse_time(c[1])
    for name, dur in zip(names, durs):
        s, e = times[name]
        bad += [f"{name} duration"] if e - s != dur else []
        bad += [f"{name} outside day"] if s < lo or e > hi else []
    for c in cons:
        if c[0] == "no_overlap":
            bad += [f"{a}/{b} overlap" for i, a in enumerate(names) for b in names[i + 1:]
                    if max(times[a][0], times[b][0]) < min(times[a][1], times[b][1])]
        elif c[0] == "sequential":
            bad += [f"{a}<{b}" for a, b in zip(names, names[1:]) if times[a][1] > times[b][0]]
        elif c[0] == "before" and times[c[1]][1] > times[c[2]][0]:
            bad.append(str(c))
        elif c[0] == "after" and times[c[1]][0] < times[c[2]][1]:
            bad.append(str(c))
        elif c[0] == "start" and times[c[1]][0] != parse_time(c[2]):
            bad.append(str(c))
        elif c[0] == "not_before" and times[c[1]][0] < parse_time(c[2]):
            bad.append(str(c))
        elif c[0] == "end_by" and times[c[1]][1] > parse_time(c[2]):
            bad.append(str(c))
    return bad


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_every_returned_schedule_satisfies_every_constraint(case):
    text, names, durs, cons = case
    expert = get_expert("schedule")
    result = expert.run(text)
    if not result.ok:
        assert "no schedule satisfies" in result.error or "does not fit" in result.error, result.error
        return
    times = parse_schedule_result(result.value)
    assert list(times) == names  # task order is kept
    assert _violations(times, names, durs, cons) == [], (text, result.value)
    assert check_schedule(parse_schedule_spec(text), times) == []


def test_unconstrained_no_overlap_is_always_feasible_and_tight():
    rng = random.Random(0)
    expert = get_expert("schedule")
    for _ in range(20):
        durs = [rng.choice([15, 30, 45, 60, 90]) for _ in range(rng.randint(1, 8))]
        result = expert.run(",".join(f"t{i}:{d}m" for i, d in enumerate(durs)) + " | no_overlap")
        assert result.ok, result.error
        times = parse_schedule_result(result.value)
        assert max(e for _, e in times.values()) == 540 + sum(durs)


def test_window_by_and_from_all_hold_in_any_order():
    expert = get_expert("schedule")
    for spec in ("A:1h,B:1h | no_overlap,window(9,12),by(10:30)", "A:1h,B:1h | no_overlap,by(10:30),window(9,12)"):
        result = expert.run(spec)  # two hours cannot fit in 9:00-10:30, whichever comes first
        assert not result.ok and "no schedule satisfies" in result.error, result
    assert expert.run("A:1h | window(9,12),by(17)").value == "A:9-10"
    assert expert.run("A:1h | by(17),from(10),window(8,12)").value == "A:10-11"
    assert not expert.run("T0:15m | sequential,by(8),window(8,14)").ok  # ends by 8 yet starts at 8 or later

