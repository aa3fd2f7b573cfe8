"""The rules baseline on hand-written queries (deliberately not benchmark queries)."""

import pytest

from routerforge.routers import rules
from routerforge.routers.rules import RulesRouter, classify, extract_spec
from routerforge.routers.base import BaseRouter


@pytest.mark.parametrize("text,expected", [
    ("twenty five", "25"), ("three hundred twelve apples", "312 apples"), ("forty-two", "42"),
    ("add five and six", "add 5 and 6"), ("someone", "someone"),
])
def test_words_to_numbers(text, expected):
    assert rules.words_to_numbers(text) == expected


@pytest.mark.parametrize("query,expert,expr", [
    ("what is 12 plus 30", "add", "12 + 30"),
    ("divide 81 by 9 please", "divide", "81 / 9"),
    ("(10 + 5) / 3", "divide", "(10 + 5) / 3"),
    ("seventeen times three?", "multiply", "17 * 3"),
    ("calculate 1,500 - 275", "subtract", "1500 - 275"),
    ("9 x 7", "multiply", "9 * 7"),
])
def test_arithmetic(query, expert, expr):
    assert classify(query) == (expert, expr)


def test_word_problem_spec_and_result():
    q = "Maria has 20 apples. She gives away 5 and then buys 8 more. How many apples does she have now?"
    expert, spec = classify(q)
    assert expert == "word_problem"
    assert spec == "apples:20 | -5 +8"
    routed = RulesRouter().route(q)
    assert routed.ok and routed.result == "23"


def test_schedule_spec():
    q = "Please schedule Carol for 90 min and Dan for 2 hours with no overlap"
    expert, spec = classify(q)
    assert expert == "schedule"
    assert spec == "Carol:90min,Dan:2hr | no_overlap"
    assert RulesRouter().route(q).ok


@pytest.mark.parametrize("query,zone", [
    ("what's the time in Paris", "Europe/Paris"),
    ("time right now in Sydney?", "Australia/Sydney"),
    ("Could you tell me the current time for New York", "America/New_York"),
])
def test_time(query, zone):
    assert classify(query) == ("time", zone)


@pytest.mark.parametrize("query", [
    "Write a short poem about autumn leaves", "how are you doing today?", "Who painted the Mona Lisa?",
    "translate good morning into Spanish", "I had a great time at the party",
])
def test_chat(query):
    assert classify(query) == ("chat", "")


def test_router_protocol_and_batch():
    router = RulesRouter()
    assert isinstance(router, BaseRouter)
    out = router.route_batch(["what is 6 times 7", "tell me a story about a dragon"])
    assert [r.expert for r in out] == ["multiply", "chat"]
    assert out[0].result == "42" and out[0].raw is None and out[0].latency_ms >= 0
    assert out[1].result is None


def test_extract_spec_for_a_given_class():
    assert extract_spec("how much is 3 plus 4", "math") == ("add", "3 + 4")
    assert extract_spec("no numbers at all", "math")[0] in {"add", "subtract", "multiply", "divide"}
    assert extract_spec("hello", "chat") == ("chat", "")
    assert extract_spec("whatever", "time") == ("time", "UTC")


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 +-*/()x.,%$?abcdefhimnorstuwTPL")), max_size=80))
def test_never_raises_on_arbitrary_text(text):
    expert, spec = classify(text)
    assert expert in {"add", "subtract", "multiply", "divide", "word_problem", "schedule", "time", "chat"}
    routed = RulesRouter().route(text)
    assert routed.expert == expert and (routed.ok or routed.error)
