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
    assert [expert.run(spec).value for _, spec in expert.examples] == ["18", "30", "12", "23", "34"]


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


@pytest.mark.parametrize("spec, expected", [
    # a + or - operand may be a product/quotient written without spaces, or a parenthesised expression
    ("money:50 | -9*3", "23"),
    ("money:50 | -3*9 -6", "17"),
    ("money:50 | - 9*3", "23"),
    ("apples:5*8 | -6", "34"),
    ("dollars:12*6 | -20", "52"),
    ("cake:24 | /(2+4)", "4"),
    ("cake:24 | / (2+4)", "4"),
    ("cake:24 | -(2+4)*2", "12"),
    ("cake:24 | -2*(1+2)", "18"),
    ("x:10 | +3/4", "10.75"),
    ("x:10 | +3×4 -2÷4", "21.5"),
    ("x:10 | +3x4", "22"),
    ("x:12 | *(1+2) /(10-7)", "12"),
    ("x:(3+4)*2 |", "14"),
    ("x:-5*2 | +1", "-9"),
    ("x: 2 * 3 | +1", "7"),
    ("x:10 | +((1+2)*(3+4))", "31"),
    ("x:10 | -1.5*2", "7"),
    # ... while every op whose operand is not written against * or / reads exactly as before
    ("eggs:16 | -3 -4 *2", "18"),
    ("eggs:16 | -3 -4*2", "5"),  # a term: 16 - 3 - 8
    ("eggs:16 | -3-4 *2", "18"),
    ("x:16 | -9 *3", "21"),
    ("x:16 | -9* 3", "21"),
    ("x:16 | -9 * 3", "21"),
    ("cookies:24|/4*3", "18"),  # * and / take one factor: divide by 4, then times 3
    ("x:24 | /3/4", "2"),
    ("x:24 | *3/4", "18"),
    ("stickers:80 | *0.75 +5", "65"),
])
def test_expression_operands(expert, spec, expected):
    result = expert.run(spec)
    assert result.ok, result.error
    assert result.value == expected


@pytest.mark.parametrize("spec, fragment", [
    ("cake:24 | /(2+4", "unbalanced parentheses"),
    ("cake:24 | /2+4)", "unbalanced parentheses"),
    ("cake:24 | -2)", "unbalanced parentheses"),
    ("cake:(24 | -2", "unbalanced parentheses"),
    ("cake:24 | /()", "empty operand"),
    ("cake:24 | -( )", "empty operand"),
    ("cake:24 | -", "missing operand"),
    ("cake:24 | - -3", "missing operand"),
    ("cake:24 | -3 * ", "missing operand"),
    ("cake:24 | -(a+1)", "only numbers"),
    ("cake:24 | -(2+x)", "only numbers"),
    ("cake:24 | -three", "bad operation"),
    ("cake:24 | -3*a", "bad operation"),
    ("cake:24 | -(2**3)", r"not \*\* or //"),
    ("cake:24 | -(7//2)", r"not \*\* or //"),
    ("cake:24 | -(50%)", "only numbers"),
    ("cake:24 | -3/0", "division by zero"),
    ("cake:24 | /(2-2)", "division by zero"),
    ("cake:two*3 | -1", "one-word entity"),
    ("cake: | -1", "one-word entity"),
    ("cake:3/0 | -1", "division by zero"),
    ("cake:1 | +" + "9" * 120, "too large"),
    ("cake:1 | +(" + "9" * 60 + "*" + "9" * 60 + ")", "too large"),
    ("cake:1 | " + "-1*2 " * 31, "more than 30"),
])
def test_expression_operand_errors(expert, spec, fragment):
    result = expert.run(spec)
    assert not result.ok
    assert re.search(fragment, result.error), result.error


def test_results_equal_numeric(expert):
    assert expert.results_equal("18", "18.0")
    assert not expert.results_equal("18", "19")


@pytest.mark.parametrize("spec, expected", [
    ("comics:35 | -60% -6", "8"),       # a percent of the running value, copied from the story
    ("price:40 | -25%", "30"),          # the same as *0.75
    ("x:50 | +10%", "55"),
    ("x:50 | *80%", "40"),              # with * and /: that many hundredths
    ("x:50 | /50%", "100"),
    ("x:20 | +5 -50%", "12.5"),          # of what there is at that point, not of the start
    ("x:10 | -9*3%", "7.3"),            # a % after a product: that product's percent
    ("marbles:30 | *(1-2/5)", "18"),    # a fraction taken away, its numbers copied
])
def test_percent_operands(expert, spec, expected):
    result = expert.run(spec)
    assert result.ok, result.error
    assert result.value == expected


@pytest.mark.parametrize("spec", ["x:10 | %", "x:10 | -%5", "x:10 | -5%%", "x:10% | -5"])
def test_a_stray_percent_sign_is_an_error(expert, spec):
    result = expert.run(spec)
    assert not result.ok and result.error
