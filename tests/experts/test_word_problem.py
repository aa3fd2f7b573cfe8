"""The word_problem expert: entity:initial | ops applied left to right."""

import re

import pytest

from routerforge.experts import get_expert


@pytest.fixture
def expert():
    return get_expert("word_problem")


@pytest.mark.parametrize("spec, expected", [
    ("eggs:16 | -3 -4 *2", "18"),
    ("price:40 | *0.75", "30"),
    ("marbles:10 | -3 +5", "12"),
    ("x:5 |", "5"),
    ("cake:1 | /3", "0.3333333333"),
    ("money:0.1 | +0.2", "0.3"),
    ("debt:-5 | +2", "-3"),
    ("apples_2-red: 3 | + 2 x3 ÷ 2", "7.5"),
    ("cookies:24|/4*3", "18"),
])
def test_values(expert, spec, expected):
    result = expert.run(spec)
    assert result.ok, result.error
    assert result.value == expected


def test_examples_run(expert):
    assert expert.label == "word_problem"
    assert [expert.run(spec).value for _, spec in expert.examples] == ["18", "30", "12"]


@pytest.mark.parametrize("spec, fragment", [
    ("eggs:16 -3", "missing '|'"),
    ("", "empty spec"),
    ("eggs 16 | -3", "one-word entity"),
    (":16 | -3", "one-word entity"),
    ("eggs:abc | -3", "one-word entity"),
    ("eggs:16 | ^2", "bad operation '\\^2'"),
    ("eggs:16 | -3 -", "bad operation"),
    ("eggs:16 | -1.2.3", "bad operation"),
    ("eggs:16 | /0", "division by zero"),
    ("eggs:16 | " + "*9" * 40, "more than 30"),
    ("big:" + "9" * 120 + " |", "too large"),
    ("big:10 | " + " ".join(["*" + "9" * 30] * 5), "too large"),
])
def test_errors(expert, spec, fragment):
    result = expert.run(spec)
    assert not result.ok
    assert re.search(fragment, result.error), result.error


def test_results_equal_numeric(expert):
    assert expert.results_equal("18", "18.0")
    assert not expert.results_equal("18", "19")
