"""Arithmetic templates for add / subtract / multiply / divide.

The spec is the arithmetic expression in canonical spelling (`256 * 4`, `(54 + 23) / 2`, `80 * 0.25` for
"25% of 80"); the expert is the top-level operation. A pattern's `{a}`, `{b}` ... are numbers of the kind
given in `kinds` (see routerforge.data.slots.number) or a fixed list of (shown, spec) choices.
"""

from __future__ import annotations

import random
import string
from fractions import Fraction
from typing import Any

from routerforge.data.slots import Number, number, show_int
from routerforge.data.templates.base import Pools, Sample, Template

FRACTION_WORDS = (("half", "2"), ("a third", "3"), ("a quarter", "4"), ("a fifth", "5"), ("a tenth", "10"),
                  ("one eighth", "8"))


def _fields(pattern: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(pattern) if f]


def op(tid: str, expert: str, pattern: str, spec: str, kinds: dict[str, Any] | None = None, *,
       desc: bool = False, divisible: bool = False, weight: float = 1.0) -> Template:
    """A template from a pattern. desc: operands sorted largest first (a difference that stays positive);
    divisible: `a` is made a multiple of `b` most of the time (clean quotients, as people usually ask)."""
    kinds = kinds or {}
    names = list(dict.fromkeys(_fields(pattern)))

    def render(rng: random.Random, pools: Pools) -> Sample:
        nums: dict[str, Number] = {}
        for name in names:
            kind = kinds.get(name, "num")
            if isinstance(kind, tuple):
                shown, spec_text = kind[rng.randrange(len(kind))]
                nums[name] = Number(Fraction(0), shown, spec_text)
            else:
                nums[name] = number(rng, kind)
        if desc:
            numeric = sorted(n for n in names if not isinstance(kinds.get(n, "num"), tuple))  # a >= b >= c
            ranked = sorted((nums[n] for n in numeric), key=lambda x: x.value, reverse=True)
            nums.update(zip(numeric, ranked))
        if divisible and rng.random() < 0.75 and nums["b"].value.denominator == 1 and nums["b"].value > 0:
            k = rng.randint(2, 60) if nums["b"].value < 100 else rng.randint(2, 12)
            a = int(nums["b"].value) * k
            nums["a"] = Number(Fraction(a), show_int(rng, a), str(a))
        query = pattern.format(**{n: v.shown for n, v in nums.items()})
        return Sample(query, spec.format(**{n: v.spec for n, v in nums.items()}),
                      keep=tuple(v.shown for v in nums.values()))

    return Template(f"{expert}.{tid}", expert, render, pattern, weight)


ADD = [
    op("what_is_plus", "add", "What is {a} plus {b}?", "{a} + {b}"),
    op("add_and", "add", "Add {a} and {b}.", "{a} + {b}"),
    op("symbol_equals", "add", "{a} + {b} = ?", "{a} + {b}"),
    op("sum_of", "add", "What's the sum of {a} and {b}?", "{a} + {b}"),
    op("total_three", "add", "What is the total of {a}, {b} and {c}?", "{a} + {b} + {c}"),
    op("calculate", "add", "Calculate {a} + {b}", "{a} + {b}"),
    op("together", "add", "How much are {a} and {b} together?", "{a} + {b}"),
    op("if_i_add", "add", "If I add {b} to {a}, what do I get?", "{a} + {b}"),
    op("compute_three", "add", "Compute {a} + {b} + {c}.", "{a} + {b} + {c}"),
    op("bare_plus", "add", "{a} plus {b}", "{a} + {b}"),
    op("more_than", "add", "What number is {b} more than {a}?", "{a} + {b}"),
    op("add_up_four", "add", "Add up {a}, {b}, {c} and {d}.", "{a} + {b} + {c} + {d}"),
    op("total_four", "add", "Total these four numbers: {a}, {b}, {c}, {d}.", "{a} + {b} + {c} + {d}"),
    op("plus_chain", "add", "What is {a} plus {b} plus {c} plus {d}?", "{a} + {b} + {c} + {d}"),
    op("solve", "add", "Solve: {a} + {b}", "{a} + {b}"),
    op("compact", "add", "whats {a}+{b}", "{a} + {b}"),
    op("quick_math", "add", "Quick math: {a} plus {b} equals what?", "{a} + {b}"),
    op("increase_by", "add", "Increase {a} by {b}. What's the result?", "{a} + {b}"),
    op("combined", "add", "What do {a} and {b} make when combined?", "{a} + {b}"),
    op("grand_total", "add", "Give me the grand total of {a} and {b} and {c}.", "{a} + {b} + {c}"),
]

SUBTRACT = [
    op("what_is_minus", "subtract", "What is {a} minus {b}?", "{a} - {b}"),
    op("subtract_from", "subtract", "Subtract {b} from {a}.", "{a} - {b}", desc=True),
    op("symbol_equals", "subtract", "{a} - {b} = ?", "{a} - {b}"),
    op("difference", "subtract", "What's the difference between {a} and {b}?", "{a} - {b}", desc=True),
    op("take_away", "subtract", "Take {b} away from {a}.", "{a} - {b}", desc=True),
    op("less", "subtract", "How much is {a} less {b}?", "{a} - {b}", desc=True),
    op("calculate", "subtract", "Calculate {a} - {b}", "{a} - {b}"),
    op("bare_minus", "subtract", "{a} minus {b}", "{a} - {b}"),
    op("what_do_you_get", "subtract", "What do you get when you subtract {b} from {a}?", "{a} - {b}", desc=True),
    op("decrease_by", "subtract", "Decrease {a} by {b}.", "{a} - {b}", desc=True),
    op("less_than", "subtract", "What number is {b} less than {a}?", "{a} - {b}", desc=True),
    op("compute_three", "subtract", "Compute {a} - {b} - {c}.", "{a} - {b} - {c}", desc=True),
    op("what_remains", "subtract", "If you take {b} off {a}, what remains?", "{a} - {b}", desc=True),
    op("solve", "subtract", "Solve: {a} - {b}", "{a} - {b}"),
    op("compact", "subtract", "whats {a}-{b}", "{a} - {b}"),
    op("then_from", "subtract", "Subtract {b} and then {c} from {a}.", "{a} - {b} - {c}", desc=True),
    op("quick_math", "subtract", "Quick math: {a} take away {b}?", "{a} - {b}", desc=True),
    op("how_far_apart", "subtract", "How far apart are the numbers {a} and {b}?", "{a} - {b}", desc=True),
]

MULTIPLY = [
    op("what_is_times", "multiply", "What is {a} times {b}?", "{a} * {b}"),
    op("multiply_by", "multiply", "Multiply {a} by {b}.", "{a} * {b}"),
    op("symbol_equals", "multiply", "{a} * {b} = ?", "{a} * {b}"),
    op("letter_x", "multiply", "{a} x {b}", "{a} * {b}", {"b": "int"}),
    op("product_of", "multiply", "What's the product of {a} and {b}?", "{a} * {b}"),
    op("percent_of", "multiply", "What is {p}% of {a}?", "{a} * {p}", {"p": "pct"}, weight=1.5),
    op("percent_word", "multiply", "Calculate {p} percent of {a}.", "{a} * {p}", {"p": "pct"}),
    op("find_percent", "multiply", "Find {p}% of {a}", "{a} * {p}", {"p": "pct"}),
    op("twice", "multiply", "What is {k} {a}?", "{a} * {k}",
       {"k": (("twice", "2"), ("three times", "3"), ("four times", "4"), ("ten times", "10"))}),
    op("multiplied_by", "multiply", "How much is {a} multiplied by {b}?", "{a} * {b}"),
    op("unicode_times", "multiply", "Compute {a} × {b}", "{a} * {b}"),
    op("bare_times", "multiply", "{a} times {b}", "{a} * {b}"),
    op("three_factors", "multiply", "What do you get if you multiply {a}, {b} and {c}?", "{a} * {b} * {c}",
       {"a": "small", "b": "int", "c": "small"}),
    op("product_three", "multiply", "What is the product of {a}, {b} and {c}?", "{a} * {b} * {c}",
       {"a": "small", "b": "int", "c": "small"}),
    op("times_times", "multiply", "{a} times {b} times {c}", "{a} * {b} * {c}", {"a": "small", "b": "int", "c": "small"}),
    op("squared", "multiply", "What is {a} squared?", "{a} ** 2", {"a": "int"}),
    op("power", "multiply", "What is {a} to the power {e}?", "{a} ** {e}", {"a": "base", "e": "exp"}),
    op("solve", "multiply", "Solve: {a} * {b}", "{a} * {b}"),
    op("quick_math", "multiply", "Quick math: {a} times {b}?", "{a} * {b}"),
    op("lots_of", "multiply", "What are {b} lots of {a}?", "{b} * {a}", {"b": "small"}),
]

DIVIDE = [
    op("divided_by", "divide", "What is {a} divided by {b}?", "{a} / {b}", divisible=True),
    op("divide_by", "divide", "Divide {a} by {b}.", "{a} / {b}", divisible=True),
    op("symbol_equals", "divide", "{a} / {b} = ?", "{a} / {b}", divisible=True),
    op("average_two", "divide", "What's the average of {a} and {b}?", "({a} + {b}) / 2", weight=1.5),
    op("mean_three", "divide", "What is the mean of {a}, {b} and {c}?", "({a} + {b} + {c}) / 3"),
    op("equal_parts", "divide", "Split {a} into {b} equal parts. How big is each part?", "{a} / {b}",
       {"b": "small"}, divisible=True),
    op("fraction_of", "divide", "What is {f} of {a}?", "{a} / {f}", {"f": FRACTION_WORDS, "a": "int"}),
    op("goes_into", "divide", "How many times does {b} go into {a}?", "{a} / {b}", {"b": "int"}, divisible=True),
    op("obelus", "divide", "{a} ÷ {b}", "{a} / {b}", divisible=True),
    op("calculate", "divide", "Calculate {a} / {b}", "{a} / {b}", divisible=True),
    op("ratio", "divide", "What's the ratio of {a} to {b} as a number?", "{a} / {b}"),
    op("bare_divided", "divide", "{a} divided by {b}", "{a} / {b}", divisible=True),
    op("solve", "divide", "Solve: {a} / {b}", "{a} / {b}", divisible=True),
    op("evenly_among", "divide", "Divide {a} evenly among {b}.", "{a} / {b}", {"b": "small"}, divisible=True),
    op("over", "divide", "Quick math: {a} over {b}?", "{a} / {b}", divisible=True),
    op("ways", "divide", "What's {a} split {b} ways?", "{a} / {b}", {"b": "small"}, divisible=True),
    op("average_four", "divide", "Find the average of {a}, {b}, {c} and {d}.", "({a} + {b} + {c} + {d}) / 4"),
    op("per_unit", "divide", "If {a} is shared equally by {b}, how much does each get?", "{a} / {b}",
       {"b": "small"}, divisible=True),
]

TEMPLATES: list[Template] = ADD + SUBTRACT + MULTIPLY + DIVIDE


def pools() -> dict[str, dict[str, list]]:
    """Arithmetic has no held-out slot pools: numbers are drawn fresh; test differs by template."""
    return {}


__all__ = ["TEMPLATES", "pools", "op"]
