"""The `word_problem` expert: a quantity of something, changed by a chain of operations.

Spec: `entity:initial | op op ...` where each op is `+N`, `-N`, `*N` or `/N` (N a non-negative
integer or decimal; `×`, `÷` and `x` also mean multiply/divide), applied left to right:

    eggs:16 | -3 -4 *2    ->  18
    price:40 | *0.75      ->  30

The entity is one word (letters, digits, `_`, `-`) and only names the quantity. Zero ops are allowed
(`x:5 |` -> 5); the `|` is required so a malformed spec is not silently read as a number. Arithmetic
is exact (fractions) and rendered like the arithmetic experts (`format_number`).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import ClassVar

from routerforge.experts.arithmetic import MAX_MAGNITUDE, format_number, numbers_equal
from routerforge.experts.base import Expert, ExpertError

_NUM = r"\d+(?:\.\d+)?"
_SPEC = re.compile(rf"^([\w-]+)\s*:\s*(-?{_NUM})\s*\|(.*)$", re.DOTALL)
_OP = re.compile(rf"\s*([+\-*/×÷x])\s*({_NUM})\s*")
_CANON = {"×": "*", "x": "*", "÷": "/"}
MAX_OPS = 30


class WordProblemExpert(Expert):
    name = "word_problem"
    description = "tracks a quantity through steps: entity:initial | +N -N *N /N, applied left to right"
    expert_class: ClassVar[str] = "word_problem"
    examples = [
        ("Janet has 16 eggs, eats 3, bakes with 4 and doubles the rest. How many?", "eggs:16 | -3 -4 *2"),
        ("A $40 shirt is 25% off. What does it cost?", "price:40 | *0.75"),
        ("Tom has 10 marbles, loses 3 and finds 5. How many now?", "marbles:10 | -3 +5"),
    ]

    def parse(self, spec: str) -> tuple[str, Fraction, list[tuple[str, Fraction]]]:
        if not spec:
            raise ExpertError("empty spec; expected 'entity:initial | op op ...' e.g. 'eggs:16 | -3 *2'")
        if "|" not in spec:
            raise ExpertError(f"missing '|' in {spec!r}; expected 'entity:initial | op op ...'")
        m = _SPEC.match(spec)
        if not m:
            raise ExpertError(f"expected 'entity:initial | ...' with a one-word entity and a number, got {spec!r}")
        entity, initial, rest = m.group(1), Fraction(m.group(2)), m.group(3)
        if abs(initial) > MAX_MAGNITUDE:
            raise ExpertError("initial value is too large (limit 10**100)")
        ops: list[tuple[str, Fraction]] = []
        pos = 0
        while pos < len(rest):
            if not rest[pos:].strip():
                break
            op = _OP.match(rest, pos)
            if not op:
                bad = rest[pos:].split()[0] if rest[pos:].split() else rest[pos:]
                raise ExpertError(f"bad operation {bad!r}; use +N, -N, *N or /N")
            ops.append((_CANON.get(op.group(1), op.group(1)), Fraction(op.group(2))))
            pos = op.end()
            if len(ops) > MAX_OPS:
                raise ExpertError(f"more than {MAX_OPS} operations")
        return entity, initial, ops

    def execute(self, parsed: tuple[str, Fraction, list[tuple[str, Fraction]]]) -> Fraction:
        _, value, ops = parsed
        for op, n in ops:
            if op == "/" and n == 0:
                raise ExpertError("division by zero")
            value = value + n if op == "+" else value - n if op == "-" else value * n if op == "*" else value / n
            if abs(value) > MAX_MAGNITUDE or value.denominator > MAX_MAGNITUDE:
                raise ExpertError("result is too large (limit 10**100)")
        return value

    def render(self, value: Fraction) -> str:
        return format_number(value)

    def results_equal(self, a: str | None, b: str | None) -> bool:
        return numbers_equal(a, b)
