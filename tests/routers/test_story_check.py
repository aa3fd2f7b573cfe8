"""Story and schedule checks: a spec whose steps or times contradict its query is not trusted
(routers/story_check.py, routers/schedule_check.py), and no correct spec the generator writes is refused."""

import pytest

from routerforge.data import DataConfig, generate_rows
from routerforge.routers.grounding import grounded, told_fractions
from routerforge.routers.schedule_check import query_durations, query_times, schedule_conflict
from routerforge.routers.story_check import story_conflict


def conflict(query: str, spec: str) -> str:
    return story_conflict(query, spec, told_fractions(query))


@pytest.mark.parametrize("query,spec", [
    ("Noor has 40 stickers. She is given 12 more by Sam and then loses 5.", "stickers:40 | +12 -5"),
    ("Omar had $60. He bought a kite for $15 and sold a book for $4.", "dollars:60 | -15 +4"),
    ("Omar had 10 kites. He bought 3 more and sold 4.", "kites:10 | +3 -4"),
    ("Bea has 30 buns, bakes 6 into a pudding and then bakes 12 more.", "buns:30 | -6 +12"),
    ("Kim has 2 jars of 9 nuts. She eats 9 and gets 2 more jars of 9.", "nuts:2*9 | -9 +2*9"),
    # the second 5 is the later mention: "picks 5" adds, whatever the first 5 was
    ("Ali starts with 5 bags of 7 figs, eats 4 a day for 2 days, then picks 5 more.", "figs:5*7 | -4*2 +5"),
    ("Ann has 21 cards, splits them into 3 piles and keeps one, loses 3, wins 3 and doubles them.",
     "cards:21 | /3 -3 +3 *2"),
    ("Zoe had 50 pins. She gave away three fifths of them.", "pins:50 | *(1-3/5)"),
    ("A $40 lamp is 25% off.", "price:40 | *0.75"),
    ("Leo had 18 coins, gave half of them to Mia and found 4 more.", "coins:18 | /2 +4"),
    ("There were 7 pens in a cup; Eva filled it until it held 3 times as many.", "pens:7 | *3"),
    ("He earns $12 an hour for 5 hours and plays chess for fun.", "dollars:12*5 |"),  # no verb, no rule
    ("Ana has $1,200 and spends $300 on a bike.", "dollars:1200 | -300"),  # a thousands separator
    # a sale at a price multiplies what is left; "times" multiplies even with a typo after it
    ("Ivy had 16 eggs, ate 3, used 4 and sold the rest for $2 each. How much did she make?", "eggs:16 | -3 -4 *2"),
    ("Jo has 20 figs, eats 5 and sells the rest at 3 euros apiece.", "figs:20 | -5 *3"),
    ("Jo had 12 figs and ended up with 3 times as mny.", "figs:12 | *3"),
    ("olivia gets 9 tubes, each holding 6 beads and loses 6.", "beads:9*6 | -6"),
    ("Ana buys 4 bags with 12 figs each, then 2 boxes of 5 figs.", "figs:12*4 | +2*5"),  # either order
    # what is no multiplier or group to these rules: a doubling said otherwise, a unit, a price in words,
    # a rate, "out of", a single box
    ("Max had 5 dollars and ended the week with twice that.", "dollars:5 | *2"),
    ("Lia bakes 3 dozen rolls and sells 10.", "rolls:3 | *12 -10"),
    ("Jo has 20 figs, eats 5 and sells the rest for five dollars each.", "figs:20 | -5 *5"),
    ("Ben works 3 hours at 12 an hour.", "dollars:3 | *12"),
    ("3 out of 4 seats are taken in a row of 20 seats.", "seats:20 | *3/4"),
    ("Ida buys one box of 12 eggs and uses 3.", "eggs:12 | -3"),
])
def test_consistent_stories_pass(query, spec):
    assert conflict(query, spec) == ""


@pytest.mark.parametrize("query,spec,why", [
    ("Noor has 40 stickers. She is given 12 more by Sam and then loses 5.", "stickers:40 | -12 -5", "adds"),
    ("Noor has 40 stickers. She was given three packs of 6 by Sam.", "stickers:40 | -3*6", "adds"),
    ("Omar had $60. He bought a kite for $15.", "dollars:60 | +15", "takes away"),
    ("Omar had 10 kites. He bought 3 more.", "kites:10 | -3", "adds"),
    ("Ali starts with 5 bags of 7 figs, eats 4 a day for 2 days, then picks 5 more.", "figs:5*7 | -4*2 -5", "adds"),
    ("Leo had 18 coins, gave half of them to Mia and found 4 more.", "coins:18 | +4", "half"),
    ("There were 7 pens in a cup; Eva doubled what was inside.", "pens:7 | +2", "multiplies by 2"),
    ("There were 7 pens in a cup; Eva filled it until it held 3 times as many.", "pens:7 | +3", "by 3"),
    ("Zoe had 60 pins. She gave away three quarters of them.", "pins:60 | *(1-1/4)", "takes 1/4"),
    ("Zoe had 60 pins, got 8 more and lost one quarter of what she had.", "pins:60 | +8 -1/4", "adds or subtracts"),
    ("Ken has 8 boxes, each holding 20 toys, and buys 2 boxes of 10.", "toys:8*2 | +2*10", "writes 20"),
    ("Ken has 9 tubs, each holding 4 beads, and loses 6.", "beads:9*4 | -4 -6", "used 2 times"),
    ("Tom had 90 euros. He gave 10 to Ada, got 10 back and tutored for two hours at 29 euros an hour.",
     "euros:90 | -10 +10*29", "no clause"),
    ("Bea had 57 cars, gave 5 to Sam and then sold 25% of the rest.", "cars:57 | -5 *25", "never multiplies by 25"),
    ("Sofia has 5 crates of 20 plums, uses 8 a day for 7 days, then picks 5 from the tree.",
     "plums:5*20 | -8*7 *5", "never multiplies by 5"),
    ("olivia gets 9 tubes, each holding 6 beads and loses 6. how many beads are left?", "beads:9 | -6 -6",
     "9*6 groups"),
    ("Ana buys 4 bags with 12 figs each and eats 5.", "figs:4 | +12 -5", "4*12 groups"),
])
def test_contradicting_stories_fail(query, spec, why):
    found = conflict(query, spec)
    assert why in found, found
    assert not grounded(query, "word_problem", spec)[0]


def test_query_times_and_durations():
    stated, explicit = query_times("Book Ana at 12:30 PM for 1h30 and Bo until 7 pm; the lab opens at 9, noon lunch")
    assert explicit == {12 * 60 + 30, 19 * 60, 12 * 60} and 9 * 60 in stated
    assert query_durations("an hour and a quarter for Ana, 1h30 for Bo, twenty minutes for Cy, half an hour "
                           "for Di, two and a half hours for Ed, 3 hrs for Flo, 9 am start") == [75, 90, 20, 30, 150, 180]


@pytest.mark.parametrize("query,spec,why", [
    ("Build a timetable for 4 hours of rehearsal and 75 min of physics, one at a time.",
     "rehearsal:4hr,physics:75min | no_overlap,start(rehearsal,12)", "time '12'"),
    ("Andre starts at 10:30 sharp and lasts 90 minutes; fit Nadia (2.5 hours) somewhere else.",
     "Andre:90min,Nadia:2.5hr | no_overlap,start(Andre,10:30pm)", "10:30pm"),
    ("Chloe starts at 20:30 sharp and lasts 45 minutes; fit Mei (2 hours) in too.",
     "Chloe:45min,Mei:2hr | no_overlap", "20:30 is in no constraint"),
    ("Ana needs an hour and a quarter and Bo 25 mins, never at once.", "Ana:1.5hr,Bo:25min | no_overlap",
     "task lengths"),
    # a time given as an end used as a start, and the other way round
    ("Can you fit 20 minutes for emails and 2 hours for filing before 7 pm, one at a time?",
     "emails:20min,filing:2hr | no_overlap,not_before(emails,7pm)", "the query gives it as an end"),
    ("Gym (1h) can't start before 6pm; reading (30 min) fits anywhere, no overlap.",
     "gym:1h,reading:30min | no_overlap,by(6pm)", "the query gives it as a start"),
    ("I'm free from 9am to 5pm. Schedule gym (1h) and reading (2h) without overlaps.",
     "gym:1h,reading:2h | no_overlap,window(5pm,9am)", "'5pm' as a start"),
])
def test_contradicting_schedules_fail(query, spec, why):
    found = schedule_conflict(query, spec)
    assert why in found, found
    assert not grounded(query, "schedule", spec)[0]


def test_consistent_schedule_passes():
    query = "Ana needs an hour and a quarter and must be done by 2 pm; Bo needs 25 mins. Never at once."
    assert schedule_conflict(query, "Ana:1.25hr,Bo:25min | no_overlap,end_by(Ana,2pm)") == ""
    assert schedule_conflict(query, "Ana:75min,Bo:25min | no_overlap,end_by(Ana,14:00)") == ""
    # "can't begin until" and "isn't free before" are starts; "before 7 pm" alone is an end
    assert schedule_conflict("Gym (1h) can't begin until 3pm; reading (2h) fits around it.",
                             "gym:1h,reading:2h | no_overlap,not_before(gym,3pm)") == ""
    assert schedule_conflict("Bo isn't free before 10:00. Book Bo for 1h and Ana for 2h, no overlap.",
                             "Bo:1h,Ana:2h | no_overlap,not_before(Bo,10:00)") == ""
    assert schedule_conflict("Fit 1h of gym and 2h of reading before 7 pm, one at a time.",
                             "gym:1h,reading:2h | no_overlap,by(7pm)") == ""
    assert schedule_conflict("I'm free from 9am to 5pm. Schedule gym (1h) and reading (2h) without overlaps.",
                             "gym:1h,reading:2h | no_overlap,window(9am,5pm)") == ""
    # a bare "at" or "to" says neither start nor end; a negated "after" is an end; "busy until" a start
    for query, spec in [("The gym closes at 6pm: fit gym (1h) and reading (2h), no overlap.",
                         "gym:1h,reading:2h | no_overlap,by(6pm)"),
                        ("Move the call (1h) to 3pm; reading (2h) fits around it.",
                         "call:1h,reading:2h | no_overlap,start(call,3pm)"),
                        ("Don't book anything after 5pm: gym (1h) and reading (2h), no overlap.",
                         "gym:1h,reading:2h | no_overlap,by(5pm)"),
                        ("I'm busy until 3pm. Book gym (1h) and reading (2h), no overlap.",
                         "gym:1h,reading:2h | no_overlap,not_before(gym,3pm)"),
                        ("Gym (1h) can’t start before 6pm; reading (30 min) fits anywhere, no overlap.",
                         "gym:1h,reading:30min | no_overlap,not_before(gym,6pm)")]:
        assert schedule_conflict(query, spec) == "", query


def test_english_words_are_not_foreign_numbers():
    # "on" is Turkish ten: a spec may not take a 10 from "on Sunday"
    ok, why = grounded("A book has 300 pages. Ida reads 40 pages on Sunday. How many are left?", "word_problem",
                       "pages:300 | -40*10")
    assert not ok and "number 10" in why


def test_generated_gold_specs_are_never_refused():
    """Every word problem and schedule the generator writes (its specs are right by construction) passes
    grounding with these checks: they only ever refuse wrong specs."""
    rows = generate_rows(DataConfig(examples=1200, seed=3, mix={"word_problem": 3, "schedule": 2}))
    checked = [r for split in rows.values() for r in split if r["expert"] in ("word_problem", "schedule")]
    assert len(checked) > 1000
    refused = [(r["query"], r["spec"], grounded(r["query"], r["expert"], r["spec"])[1]) for r in checked
               if not grounded(r["query"], r["expert"], r["spec"])[0]]
    assert refused == []


def test_repairs_drop_only_numbers_the_query_never_states():
    from routerforge.routers.grounding import repairs

    query = "A BOOK HAS 216 PAGES. ASHA READS 48 PAGES ON WEDNESDAY. HOW MANY PAGES ARE LEFT TO READ?"
    assert repairs(query, "word_problem", "pages:216 | -48*10") == ["pages:216 | -48"]
    assert grounded(query, "word_problem", "pages:216 | -48")[0]
    assert repairs("Kim has 30 figs, eats 4 and gets 7 more.", "word_problem", "figs:30 | -4 +9 +7") == \
        ["figs:30 | -4 +7"]  # a whole invented step goes
    assert repairs(query, "word_problem", "pages:216 | -48") == []  # nothing invented, nothing to repair
    assert repairs("What is 66 / 11?", "divide", "66 / 12") == []  # word problems only


def test_a_range_of_bare_hours_must_be_a_window():
    # "from 11 to 2" can only be a window (the expert reads it as 11:00-14:00): a spec that drops it fails
    query = "Book yoga (1 hour) and lunch (45 min) from 11 to 2"
    assert "11:00 is in no constraint" in schedule_conflict(query, "yoga:1hr,lunch:45min | sequential")
    assert schedule_conflict(query, "yoga:1hr,lunch:45min | no_overlap,window(11,2)") == ""
    assert "17:00 is in no constraint" in schedule_conflict("Plan gym (1h) and reading (30 min) between 9 and 5",
                                                            "gym:1hr,reading:30min | no_overlap,start(gym,9)")
    assert schedule_conflict("Plan gym (1h) and reading (30 min) between 9 and 5",
                             "gym:1hr,reading:30min | no_overlap,window(9,5)") == ""
    assert query_times("I'm free from 9 to 5: fit in laundry (45 min)")[1] == {9 * 60, 17 * 60}
    # two bare numbers that are counts, not clock times: lengths, people, a number to pick
    for text in ("Pick between 2 and 3 hours of reading", "between 10 and 20 min of stretching",
                 "a table for between 2 and 3 people", "from 10 to 12 guests", "between 6 and 8 tasks"):
        assert query_times(text)[1] == set(), text
    assert query_times("Book Ana from 9 to 5pm")[1] == {17 * 60}  # only the am/pm one is explicit


def test_spec_times_are_compared_as_the_expert_reads_them():
    # start(Ana,5) is 17:00 to the expert: not the "5:00" the query states
    assert "is not a time the query states" in schedule_conflict(
        "Meet Ana (1 hour) at 5:00, then Bob (30 min)", "Ana:1hr,Bob:30min | sequential,start(Ana,5)")


@pytest.mark.parametrize("query,spec", [
    ("Meet Ana (1 hour) at 5:00, then Bob (30 min)", "Ana:1hr,Bob:30min | sequential,start(Ana,5:00)"),
    ("Meet Ana (1 hour) at 5, then Bob (30 min)", "Ana:1hr,Bob:30min | sequential,start(Ana,5)"),  # a bare "at 5"
    # from(7),by(11) is the window 7:00-11:00, as the expert reads it
    ("Fit laundry (45 min) and emails (1 hour) from 7am to 11am",
     "laundry:45min,emails:1hr | no_overlap,from(7),by(11)"),
    # window(1,4) is 13:00-16:00: the query's "1pm" and "4pm"
    ("Alice (2hr) and Bob (1hr) between 1pm and 4pm, no overlap", "Alice:2hr,Bob:1hr | no_overlap,window(1,4)"),
])
def test_spec_times_the_query_states_as_the_expert_reads_them_pass(query, spec):
    assert schedule_conflict(query, spec) == ""
