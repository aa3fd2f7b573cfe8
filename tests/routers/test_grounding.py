"""Grounding: a spec is trusted only when the query supports it (routers/grounding.py)."""

import pytest

from routerforge.routers.grounding import grounded, told_fractions


@pytest.mark.parametrize("query,expert,spec", [
    ("What is 256 * 4?", "multiply", "256 * 4"),
    ("sixty plus forty", "add", "60 + 40"),
    ("neun mal sieben", "multiply", "9 * 7"),
    ("Combien font 20 fois 4 ?", "multiply", "20 * 4"),
    ("What is 15% of 80?", "multiply", "80 * 0.15"),
    ("Janet has 16 eggs, eats 3, bakes with 4 and doubles the rest.", "word_problem", "eggs:16 | -3 -4 *2"),
    ("A $40 shirt is 25% off. What does it cost?", "word_problem", "price:40 | *0.75"),
    ("A $40 shirt is 25% off. What does it cost?", "word_problem", "price:40 | -25%"),
    ("Ravi has 30 marbles and gives away two fifths.", "word_problem", "marbles:30 | *(1-2/5)"),
    ("Ada has 40 pens and sells a quarter of them.", "word_problem", "pens:40 | *(1-1/4)"),
    ("Lina pays with a $50 bill for 3 tickets at $9 each.", "word_problem", "money:50 | -3*9"),
    ("Wie spät ist es in Rom?", "time", "Rom"),
    ("What time is it in são paulo?", "time", "São Paulo"),
    ("Schedule Alice (2hr) and Bob (1hr), no overlap", "schedule", "Alice:2hr,Bob:1hr | no_overlap"),
    ("Plan chemistry for an hour and a half, then Lou for 30 minutes", "schedule",
     "chemistry:1.5hr,Lou:30min | sequential"),
    ("Qual è la media di 20, 860 e 995?", "divide", "(20 + 860 + 995) / 3"),  # / how many it lists
    # `701.9` is used as 701.9: it need not also be used as 7019 (a thousands-separator reading)
    ("Subtract 701.9 and then 95 from 19444.", "subtract", "19444 - 701.9 - 95"),
    ("Wie viel ist sechsundsechzig durch elf?", "divide", "66 / 11"),
    ("Quanto fa ventitré al cubo?", "multiply", "23 ** 3"),
    ("Ile to jest (653 + 11) razy 7?", "multiply", "(653 + 11) * 7"),
    ("Take the sum of 358 and 770 and multiply it by 11.", "multiply", "(358 + 770) * 11"),
    # spoken lengths are the spec's minutes or hours
    ("Once studying (half an hour) is over, do journaling (an hour and a quarter)", "schedule",
     "studying:30min,journaling:1.25hr | after(journaling,studying)"),
    ("Book Ana for three quarters of an hour and Bo for 2h30, one at a time", "schedule",
     "Ana:45min,Bo:2.5hr | no_overlap"),
    ("Schedule essay for 1 hr and piano for 15 min; essay can't start before 7:30 pm.", "schedule",
     "essay:1hr,piano:15min | no_overlap,not_before(essay,7:30pm)"),
])
def test_supported_specs_are_grounded(query, expert, spec):
    ok, reason = grounded(query, expert, spec)
    assert ok, reason


@pytest.mark.parametrize("query,expert,spec,why", [
    ("sixty plus forty", "add", "6 + 4", "is not in the query"),
    ("5 boxes with 8 apples each, 6 are eaten", "word_problem", "apples:5 | -7", "number 7"),
    ("Wie spät ist es in Rom?", "time", "Tokyo", "place"),
    ("Line up calls with Pablo (an hour) and Clara (2.5 hours)", "schedule", "Pablo:1.5hr,Clara:2.5hr | sequential",
     "number 1.5"),
    ("Schedule Lou (1hr) and chemistry (2hr)", "schedule", "Lu:1hr,chem:2hr | no_overlap", "name 'Lu'"),
    ("Schedule Alice (2hr) and Bob (1hr)", "schedule", "Alice:2hr,Bob:1hr | no_interactions", "schedule"),
    ("What is 12 / 0?", "divide", "12 / 0", "divide"),
    ("Subtract 701.9 and then 95 from 19444.", "subtract", "19444 - 701.9", "95 of the query is not used"),
    ("What do you get if you multiply 6, 784 and 3?", "multiply", "6 * 784", "3 of the query is not used"),
    ("Qual è la media di 20, 860 e 995?", "divide", "(20 + 860 + 995) / 4", "number 4"),
    ("Ravi has 30 marbles and gives away two fifths.", "word_problem", "marbles:30 | -2*5", "fraction 2/5"),
    ("Ada has 40 pens and sells one fifth of them.", "word_problem", "pens:40 | -5", "fraction 1/5"),
    ("Ada has 40 pens and sells a quarter of them.", "word_problem", "pens:40 | /4", "fraction 1/4"),
    ("What do you get if you multiply 6, 36 and 5?", "multiply", "6 * 36 + 5", "does not ask for"),
    ("What is the product of 12, 731 and 4?", "multiply", "(12 + 731 + 4) * 4", "does not ask for"),
])
def test_unsupported_specs_are_not(query, expert, spec, why):
    ok, reason = grounded(query, expert, spec)
    assert not ok and why in reason


def test_told_fractions():
    assert told_fractions("She sells one fifth, then gives three quarters of the rest away") == [(1, 5), (3, 4)]
    assert told_fractions("He reads for three quarters of an hour, a half of it in bed") == []
    assert told_fractions("two-thirds of them") == [(2, 3)]
    assert told_fractions("She sold a fifth.") == [(1, 5)]
    # ordinals are not fractions of the amount
    assert told_fractions("For a third time, the fifth-grade class of 30 won; a fifth grader left") == []
