"""The `word_problem` expert: a quantity of something, changed by a chain of operations.

Spec: `entity:initial | op op ...`, the ops applied left to right to the running value:

    eggs:16 | -3 -4 *2      ->  18      (16, eat 3, bake with 4, double the rest)
    price:40 | *0.75        ->  30      (25% off)
    money:50 | -9*3         ->  23      (pay for 3 tickets at $9 from a $50 bill)
    apples:5*8 | -6         ->  34      (5 boxes of 8, 6 eaten)
    cake:24 | /(2+4)        ->  4       (share among 2 adults and 4 children)
    comics:35 | -60% -6     ->  8       (give away 60% of them, then 6 more)
    marbles:30 | *(1-2/5)   ->  18      (give away two fifths)

Grammar (whitespace may appear between ops and after an op sign, never inside a term):

    spec     := entity ":" initial "|" op*
    entity   := one word of letters, digits, `_`, `-`
    initial  := an arithmetic expression: numbers, + - * / (× ÷ too), unary minus and parentheses,
                with the usual precedence (`5*8`, `12*6+4`, `-5`, `(3+4)*2`)
    op       := "+" term ["%"] | "-" term ["%"] | "*" factor ["%"] | "/" factor ["%"]
                (`×` and `x` mean *, `÷` means /)
    term     := factor ( mul factor )*     mul is * / × ÷ x, written with no space on either side
    factor   := number | "(" expression ")"
    number   := digits, optionally with a decimal part (`3`, `0.75`)

So `+` and `-` take a whole product or quotient (`-9*3` subtracts 27, `+3/4` adds 0.75), while `*`
and `/` take one factor and any `*`/`/` after it is the next op; with left-to-right application that is
exactly ordinary precedence (`/4*3` is "divide by 4, then times 3"). A space ends a term: `-3 *2`
is "subtract 3, then double", `-3*2` is "subtract 6". A parenthesised expression holds only numbers,
`+ - * /` and parentheses; no letters, `**`, `//` or `%`. Before terms existed `-9*3` meant "-9 then *3";
every spec without a `+`/`-` operand written directly against `*`/`/` reads exactly as before.

A `%` written directly after an operand makes it a percent, the way people say it: with `+`/`-` a
percent *of the running value* (`-25%` is 25% off, the same as `*0.75`; `+10%` adds a tenth), with
`*`/`/` that many hundredths (`*80%` is `*0.8`). So the spec copies the story's numbers instead of
computing what remains (`-60%`, not `*0.4`), and a fraction taken away is `*(1-2/5)`.

Zero ops are allowed (`x:5 |` -> 5); the `|` is required so a malformed spec is not silently read as a
number. At most MAX_OPS ops, every number and intermediate value within 10**100. Arithmetic is exact
(fractions, through the shared safe evaluator of the arithmetic experts, never `eval`) and rendered
like the arithmetic experts (`format_number`).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import ClassVar

from routerforge.experts.arithmetic import MAX_MAGNITUDE, evaluate_expression, format_number, numbers_equal
from routerforge.experts.base import Expert, ExpertError

_NUM = re.compile(r"\d+(?:\.\d+)?")
_SPEC = re.compile(r"^([\w-]+)\s*:([^|]*)\|(.*)$", re.DOTALL)
_EXPR_CHARS = re.compile(r"[\d.+\-*/×÷()\s]+")  # what a parenthesised operand or the initial value may hold
_OPS = {"+": "+", "-": "-", "*": "*", "/": "/", "×": "*", "x": "*", "÷": "/"}
_MUL = {"*": "*", "/": "/", "×": "*", "x": "*", "÷": "/"}
MAX_OPS = 30


def _check(value: Fraction, what: str = "result") -> Fraction:
    if abs(value) > MAX_MAGNITUDE or value.denominator > MAX_MAGNITUDE:
        raise ExpertError(f"{what} is too large (limit 10**100)")
    return value


def _expression(text: str, what: str) -> Fraction:
    """A parenthesised operand's inside or the initial value: numbers, + - * / and parentheses only."""
    if not text.strip():
        raise ExpertError(f"empty {what}")
    if not _EXPR_CHARS.fullmatch(text):
        bad = sorted({c for c in text if not _EXPR_CHARS.fullmatch(c)})
        raise ExpertError(f"{what} {text.strip()!r} may hold only numbers, + - * / and parentheses, "
                          f"not {''.join(bad)!r}")
    if "**" in text or "//" in text:
        raise ExpertError(f"{what} {text.strip()!r} may use only + - * /, not ** or //")
    return _check(evaluate_expression(text), what)


def _factor(text: str, pos: int, sign: str) -> tuple[Fraction, int]:
    """A number or a parenthesised expression starting at `pos`; returns (value, end)."""
    if pos < len(text) and text[pos] == "(":
        depth = 0
        for end in range(pos, len(text)):
            depth += (text[end] == "(") - (text[end] == ")")
            if depth == 0:
                return _expression(text[pos + 1:end], f"operand of {sign!r}"), end + 1
        raise ExpertError(f"unbalanced parentheses in {text[pos:].strip()!r}: '(' without ')'")
    m = _NUM.match(text, pos)
    if not m:
        bad = text[pos:].split()[0] if text[pos:].split() else ""
        if not bad or bad[0] in _OPS:
            raise ExpertError(f"bad operation {sign!r}: missing operand; use e.g. {sign}3, {sign}9*3 or {sign}(2+4)")
        if bad[0] == ")":
            raise ExpertError("unbalanced parentheses: ')' without '('")
        raise ExpertError(f"bad operation {sign + bad!r}: the operand must be a number, a product like 9*3 "
                          "or a parenthesised expression like (2+4)")
    return _check(Fraction(m.group()), "number"), m.end()


def _term(text: str, pos: int, sign: str) -> tuple[Fraction, int]:
    """factor (mul factor)*, each mul sign written directly against both of its factors."""
    value, pos = _factor(text, pos, sign)
    while pos + 1 < len(text) and text[pos] in _MUL and (text[pos + 1].isdigit() or text[pos + 1] == "("):
        mul = _MUL[text[pos]]
        right, pos = _factor(text, pos + 1, sign)
        value = _apply(value, mul, right)
    return value, pos


def _apply(value: Fraction, op: str, n: Fraction) -> Fraction:
    if op == "/" and n == 0:
        raise ExpertError("division by zero")
    value = value + n if op == "+" else value - n if op == "-" else value * n if op == "*" else value / n
    return _check(value)


class WordProblemExpert(Expert):
    name = "word_problem"
    description = ("tracks a quantity through steps: entity:initial | +N -N *N /N, applied left to right; "
                   "an operand or the initial value may be a product like 9*3 or (2+4); -25% takes 25% off")
    expert_class: ClassVar[str] = "word_problem"
    spec_charset: ClassVar[str | None] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:|+*/.()% "
    truth: ClassVar[str] = "number"
    templates: ClassVar[tuple[str, ...]] = ("routerforge.data.templates.word_problem",
                                           "routerforge.data.templates.word_measure")
    examples = [
        ("Janet has 16 eggs, eats 3, bakes with 4 and doubles the rest. How many?", "eggs:16 | -3 -4 *2"),
        ("A $40 shirt is 25% off. What does it cost?", "price:40 | -25%"),
        ("Tom has 10 marbles, loses 3 and finds 5. How many now?", "marbles:10 | -3 +5"),
        ("Ana pays for 3 tickets at $9 each with a $50 bill. What is her change?", "dollars:50 | -3*9"),
        ("5 boxes hold 8 apples each and 6 apples are eaten. How many are left?", "apples:5*8 | -6"),
    ]

    def parse(self, spec: str) -> tuple[str, Fraction, list[tuple[str, Fraction]]]:
        if not spec:
            raise ExpertError("empty spec; expected 'entity:initial | op op ...' e.g. 'eggs:16 | -3 *2'")
        if "|" not in spec:
            raise ExpertError(f"missing '|' in {spec!r}; expected 'entity:initial | op op ...'")
        m = _SPEC.match(spec)
        if not m or not m.group(2).strip() or not _EXPR_CHARS.fullmatch(m.group(2)):
            raise ExpertError("expected 'entity:initial | ...' with a one-word entity and a number or "
                              f"arithmetic expression, got {spec!r}")
        entity, rest = m.group(1), m.group(3)
        initial = _expression(m.group(2), "initial value")
        ops: list[tuple[str, Fraction]] = []
        pos = 0
        while True:
            while pos < len(rest) and rest[pos].isspace():
                pos += 1
            if pos >= len(rest):
                break
            sign = rest[pos]
            if sign not in _OPS:
                if sign == ")":
                    raise ExpertError("unbalanced parentheses: ')' without '('")
                raise ExpertError(f"bad operation {rest[pos:].split()[0]!r}; use +N, -N, *N or /N "
                                  "(N a number, a product like 9*3 or (2+4))")
            op = _OPS[sign]
            pos += 1
            while pos < len(rest) and rest[pos].isspace():
                pos += 1
            operand, pos = (_term if op in "+-" else _factor)(rest, pos, sign)
            if pos < len(rest) and rest[pos] == "%":  # a percent: of the running value for + and -
                pos += 1
                op, operand = ("*", 1 + operand / 100 if op == "+" else 1 - operand / 100) if op in "+-" \
                    else (op, operand / 100)
            ops.append((op, operand))
            if len(ops) > MAX_OPS:
                raise ExpertError(f"more than {MAX_OPS} operations")
        return entity, initial, ops

    def execute(self, parsed: tuple[str, Fraction, list[tuple[str, Fraction]]]) -> Fraction:
        _, value, ops = parsed
        for op, n in ops:
            value = _apply(value, op, n)
        return value

    def render(self, value: Fraction) -> str:
        return format_number(value)

    def results_equal(self, a: str | None, b: str | None) -> bool:
        return numbers_equal(a, b)
