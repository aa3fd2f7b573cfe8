"""The arithmetic experts and the shared exact evaluator."""

from fractions import Fraction

import pytest

from routerforge.experts import get_expert
from routerforge.experts.arithmetic import (
    ExpertError, evaluate_expression, format_number, normalise_expression, numbers_equal,
)

MATH = ["add", "subtract", "multiply", "divide"]


@pytest.mark.parametrize("spec, expected", [
    ("256 * 4", "1024"),
    ("(54+23)/2", "38.5"),
    ("25% of 80", "20"),
    ("0.1 + 0.2", "0.3"),
    ("7/2", "3.5"),
    ("1/3", "0.3333333333"),
    ("2/3", "0.6666666667"),
    ("-1/3", "-0.3333333333"),
    ("1,000 + 1", "1001"),
    ("1,234,567 * 2", "2469134"),
    ("6 × 7", "42"),
    ("84 ÷ 2", "42"),
    ("10 − 3", "7"),
    ("2^10", "1024"),
    ("2 ** -2", "0.25"),
    ("-(-3)", "3"),
    ("+5 - -5", "10"),
    ("17 // 5", "3"),
    ("17 % 5", "2"),
    ("1.5e3", "1500"),
    ("3.10 * 2", "6.2"),
    ("0.3 - 0.1", "0.2"),
    ("1e-11", "0"),
    ("16 ** 0.5", "4"),
    ("2 ** 0.5", "1.4142135624"),
    ("10 ** 100", "1" + "0" * 100),
    ("-" * 150 + "1", "1"),  # deep unary chains are fine within the length limit
])
def test_values(spec, expected):
    result = get_expert("multiply").run(spec)
    assert result.ok, result.error
    assert result.value == expected


@pytest.mark.parametrize("name", MATH)
def test_every_arithmetic_expert_evaluates_any_expression(name):
    expert = get_expert(name)
    assert expert.label == "math"
    assert expert.run("256 * 4").value == "1024"
    assert expert.run("(54+23)/2").value == "38.5"
    for _query, spec in expert.examples:
        assert expert.run(spec).ok


def test_exactness_is_rational():
    assert evaluate_expression("0.1 + 0.2") == Fraction(3, 10)
    assert evaluate_expression("1/3 * 3") == 1
    assert evaluate_expression("0.1 * 3") == Fraction(3, 10)


def test_format_number_rule():
    assert format_number(Fraction(1024)) == "1024"
    assert format_number(Fraction(7, 2)) == "3.5"
    assert format_number(Fraction(1, 8)) == "0.125"
    assert format_number(Fraction(5, 10**11)) == "0.0000000001"  # half rounds away from zero
    assert format_number(Fraction(-5, 10**11)) == "-0.0000000001"
    assert format_number(Fraction(-1, 10**12)) == "0"  # never "-0"
    assert format_number(Fraction(0)) == "0"


def test_percent_normalisation():
    assert normalise_expression("25% of 80") == "80 * 0.25"
    assert normalise_expression("12.5 % OF 40") == "40 * 0.125"
    assert normalise_expression("10 % 3") == "10 % 3"  # modulo stays modulo


@pytest.mark.parametrize("spec, fragment", [
    ("1/0", "division by zero"),
    ("5 // 0", "division by zero"),
    ("5 % (2-2)", "division by zero"),
    ("0 ** -1", "division by zero"),
    ("9**9**9", "exponent"),
    ("2 ** 1001", "exponent"),
    ("10 ** 101", "too large"),
    ("10**100 * 10", "too large"),
    ("1e999999", "too large"),
    ("1e-999999", "too small"),
    ("1.2.3", "not an arithmetic expression"),
    ("", "empty"),
    ("__import__('os')", "function calls"),
    ("x + 1", "names"),
    ("(1).real", "attributes"),
    ("[1][0]", "subscripts"),
    ("1 < 2", "comparisons"),
    ("'a' * 3", "unsupported value"),
    ("True + 1", "unsupported value"),
    ("1j", "unsupported value"),
    ("lambda: 1", "lambdas"),
    ("~1", "unsupported syntax"),
    ("(1 + 2", "unbalanced"),
    ("1 + 2)", "unbalanced"),
    ("(-8) ** 0.5", "not a real number"),
    ("(" * 40 + "1" + ")" * 40, "nested deeper"),
    ("1" * 201, "limit is 200"),
])
def test_errors(spec, fragment):
    with pytest.raises(ExpertError, match=fragment):
        evaluate_expression(spec)
    result = get_expert("add").run(spec)
    assert not result.ok and result.value is None
    assert result.error.startswith("add: ")


def test_results_equal_is_numeric():
    expert = get_expert("divide")
    assert expert.results_equal("3.5", "3.50")
    assert expert.results_equal("1024", "1,024")
    assert expert.results_equal("1000000000", "1000000000.5") is True  # relative 1e-9
    assert not expert.results_equal("3.5", "3.6")
    assert not expert.results_equal("3.5", None)
    assert not expert.results_equal("abc", "3.5")
    assert numbers_equal("0.3333333333", "1/3")
