"""The `expert: spec -> result` format: parsing, rendering, errors with positions, round trips."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routerforge.formats.decision import ARROW, Decision, DecisionParseError, parse_decision, render_decision


@pytest.mark.parametrize(
    "text, want",
    [
        ("multiply: 256 * 4 -> 1024", Decision("multiply", "256 * 4", "1024")),
        ("multiply: 256 * 4 ->", Decision("multiply", "256 * 4", None)),
        ("multiply: 256 * 4", Decision("multiply", "256 * 4", None)),
        ("word_problem: eggs:16 | -3 -4 *2 -> 18", Decision("word_problem", "eggs:16 | -3 -4 *2", "18")),
        ("schedule: Alice:2hr,Bob:1hr | no_overlap -> Alice:9-11,Bob:11-12",
         Decision("schedule", "Alice:2hr,Bob:1hr | no_overlap", "Alice:9-11,Bob:11-12")),
        ("chat:", Decision("chat", "", None)),
        ("chat: ->", Decision("chat", "", None)),
        ("  time: Asia/Tokyo -> 14:30 JST  ", Decision("time", "Asia/Tokyo", "14:30 JST")),
    ],
)
def test_parse(text, want):
    assert parse_decision(text) == want


@pytest.mark.parametrize(
    "text, reason, position",
    [
        ("", "empty decision", 0),
        ("   ", "empty decision", 0),
        ("Multiply: 2 * 2", "expected an expert name", 0),
        ("multiply 2 * 2", "expected ':'", 8),
        ("multiply: 2 -> 4 -> 5", "more than one '->'", 12),
        ("multiply: 2\nadd: 3", "one line", 11),
        ("9lives: x", "expected an expert name", 0),
    ],
)
def test_parse_errors_say_what_and_where(text, reason, position):
    with pytest.raises(DecisionParseError) as info:
        parse_decision(text)
    assert reason in info.value.reason and info.value.position == position


def test_huge_and_non_text_input():
    with pytest.raises(DecisionParseError, match="limit"):
        parse_decision("add: " + "1+" * 10_000)
    with pytest.raises(DecisionParseError):
        parse_decision(None)  # type: ignore[arg-type]


def test_render_rules():
    assert render_decision("multiply", "256 * 4", "1024") == "multiply: 256 * 4 -> 1024"
    assert render_decision("multiply", "256 * 4", arrow=True) == "multiply: 256 * 4 ->"
    assert render_decision("chat", "", arrow=True) == "chat: ->"
    with pytest.raises(DecisionParseError):
        render_decision("multiply", "a -> b")
    with pytest.raises(DecisionParseError):
        render_decision("Bad Name", "x")


names = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
specs = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60).filter(
    lambda s: ARROW not in s and not s.endswith("-")).map(str.strip)
results = st.none() | st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
                              ).map(str.strip).filter(lambda s: s and ARROW not in s)


@given(names, specs, results)
def test_round_trip(name, spec, result):
    d = Decision(name, spec, result)
    text = d.render()
    assert parse_decision(text) == d
    assert parse_decision(text).render() == text
