"""The arithmetic experts (`add`, `subtract`, `multiply`, `divide`) and the shared safe evaluator.

A spec is an arithmetic expression: numbers, `+ - * / // % **` (`^` means `**`), unary signs and
parentheses. `×`, `÷` and `−` are accepted, `1,000` thousands separators are dropped and
`25% of 80` is rewritten to `80 * 0.25`. Any of the four experts evaluates any expression; the
name only documents the main operation the router picked.

The expression is parsed with `ast` and walked over a whitelist of node types (never `eval`), in
exact rational arithmetic (`fractions.Fraction`, decimal literals read from their source text), so
`0.1 + 0.2` is exactly `0.3`. Bounds keep every spec cheap: at most 200 characters, 32 nested
parentheses, integer exponents up to 1000, every intermediate magnitude up to 10**100 (checked
*before* a power is computed, so `9**9**9` fails at once).

Rendering rule (`format_number`): integers print as integers (`1024`); other values are rounded
half away from zero to at most 10 digits after the decimal point, trailing zeros stripped
(`7/2` -> `3.5`, `1/3` -> `0.3333333333`, `2/3` -> `0.6666666667`).
"""

from __future__ import annotations

import ast
import math
import re
from fractions import Fraction
from typing import ClassVar

from routerforge.experts.base import Expert, ExpertError

MAX_EXPR_CHARS = 200
MAX_DEPTH = 32  # nested parentheses
MAX_EXPONENT = 1000
MAX_MAGNITUDE = Fraction(10) ** 100
MAX_DENOMINATOR_BITS = 4096  # keeps tiny values like (1/7)**1000 from growing huge denominators
DECIMALS = 10

_NUMBER = r"\d+(?:\.\d+)?"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PERCENT_OF = re.compile(rf"({_NUMBER})\s*%\s*of\s+({_NUMBER})", re.IGNORECASE)
_LITERAL = re.compile(r"(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_TRANSLATE = str.maketrans({"×": "*", "÷": "/", "−": "-", "–": "-", "^": "**", "\u00a0": " "})

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_FORBIDDEN = {
    ast.Name: "names", ast.Call: "function calls", ast.Attribute: "attributes", ast.Subscript: "subscripts",
    ast.Compare: "comparisons", ast.BoolOp: "boolean operators", ast.Lambda: "lambdas",
}


def format_number(value: Fraction) -> str:
    """Render a number: integers exactly, others rounded to at most 10 decimals, zeros stripped."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    scale = 10**DECIMALS
    num, den = abs(value.numerator), value.denominator
    scaled = (2 * num * scale + den) // (2 * den)  # round half away from zero, exactly
    whole, frac = divmod(scaled, scale)
    text = str(whole) + ("." + str(frac).rjust(DECIMALS, "0").rstrip("0") if frac else "")
    return text if value > 0 or text == "0" else "-" + text


def normalise_expression(text: str) -> str:
    """Canonical spelling of an expression: unicode operators, separators and `x% of y` rewritten."""
    text = " ".join(text.translate(_TRANSLATE).split())
    text = _THOUSANDS.sub("", text)

    def percent_of(m: re.Match) -> str:
        return f"{m.group(2)} * {format_number(Fraction(m.group(1)) / 100)}"

    return _PERCENT_OF.sub(percent_of, text)


def _literal(text: str) -> Fraction:
    """Read a numeric literal from its source text, exactly, refusing absurd exponents early."""
    text = text.replace("_", "")
    m = _LITERAL.fullmatch(text)
    if not m or not (m.group(1) or m.group(2)):
        raise ExpertError(f"unsupported number {text!r}")
    exponent = int(m.group(3) or 0)
    digits = len((m.group(1) or "").lstrip("0"))
    if exponent + digits > 101:
        raise ExpertError(f"number {text!r} is too large (limit 10**100)")
    if exponent < -200:
        raise ExpertError(f"number {text!r} is too small")
    return Fraction(text)


def _check(value: Fraction) -> Fraction:
    if abs(value) > MAX_MAGNITUDE:
        raise ExpertError("result is too large (limit 10**100)")
    if value.denominator.bit_length() > MAX_DENOMINATOR_BITS:
        raise ExpertError("result needs too much precision")
    return value


def _log10(value: Fraction) -> float:
    return math.log10(value.numerator) - math.log10(value.denominator)


def _power(base: Fraction, exp: Fraction) -> Fraction:
    if exp.denominator != 1:
        # a fractional exponent has no exact rational result in general: use a float, then round
        if base < 0:
            raise ExpertError("a negative number to a fractional power is not a real number")
        if base == 0:
            return Fraction(0)
        if abs(float(exp) * _log10(base)) > 100:
            raise ExpertError("result is too large (limit 10**100)")
        return _check(Fraction(float(base) ** float(exp)).limit_denominator(10**12))
    n = exp.numerator
    if abs(n) > MAX_EXPONENT:
        raise ExpertError(f"exponent {n} is too large (limit {MAX_EXPONENT})")
    if base == 0:
        if n < 0:
            raise ExpertError("division by zero")
        return Fraction(int(n == 0))
    # predict the size of the result before computing it, so 9**9**9 or 10**999 cost nothing
    grows = (abs(base) > 1) == (n > 0)
    if grows and abs(n) * abs(_log10(abs(base))) > 100 + 1e-9:
        raise ExpertError("result is too large (limit 10**100)")
    bottom = base.denominator if n > 0 else abs(base.numerator)
    if bottom.bit_length() * abs(n) > MAX_DENOMINATOR_BITS:
        raise ExpertError("result needs too much precision")
    return _check(base**n)


def _eval(node: ast.AST, source: str) -> Fraction:
    if isinstance(node, ast.Expression):
        return _eval(node.body, source)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpertError(f"unsupported value {ast.get_source_segment(source, node)!r}")
        return _check(_literal(ast.get_source_segment(source, node) or str(node.value)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand, source)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left, source), _eval(node.right, source)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        if right == 0 and isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            raise ExpertError("division by zero")
        ops = {ast.Add: lambda: left + right, ast.Sub: lambda: left - right, ast.Mult: lambda: left * right,
               ast.Div: lambda: left / right, ast.FloorDiv: lambda: Fraction(left // right),
               ast.Mod: lambda: left % right}
        return _check(ops[type(node.op)]())
    for kind, what in _FORBIDDEN.items():
        if isinstance(node, kind):
            raise ExpertError(f"{what} are not allowed; only numbers, + - * / // % ** and parentheses")
    op = getattr(node, "op", None)
    raise ExpertError(f"unsupported syntax {type(op or node).__name__}; only numbers, + - * / // % ** and parentheses")


def parse_expression(text: str) -> tuple[ast.Expression, str]:
    """Validate and parse an expression; returns the AST and the normalised source it came from."""
    if not isinstance(text, str):
        raise ExpertError("expression must be text")
    if len(text) > MAX_EXPR_CHARS:  # before any other work, so a 10 MB spec costs nothing
        raise ExpertError(f"expression is {len(text)} characters; the limit is {MAX_EXPR_CHARS}")
    source = normalise_expression(text)
    if not source:
        raise ExpertError("empty expression; expected e.g. '256 * 4'")
    depth = 0
    for ch in source:  # cheap pre-scan: ast.parse itself can blow the stack on deep nesting
        depth += (ch == "(") - (ch == ")")
        if depth > MAX_DEPTH:
            raise ExpertError(f"parentheses nested deeper than {MAX_DEPTH}")
        if depth < 0:
            raise ExpertError("unbalanced parentheses: ')' without '('")
    if depth:
        raise ExpertError("unbalanced parentheses: '(' without ')'")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ExpertError(f"not an arithmetic expression: {source!r} ({getattr(exc, 'msg', exc)})") from None
    return tree, source


def evaluate_expression(text: str) -> Fraction:
    """Evaluate an arithmetic expression exactly; raise ExpertError with a clear message."""
    tree, source = parse_expression(text)
    try:
        return _eval(tree, source)
    except ZeroDivisionError:
        raise ExpertError("division by zero") from None
    except (RecursionError, MemoryError, OverflowError):
        raise ExpertError("expression is too complex") from None


def numbers_equal(a: str | None, b: str | None, rel: float = 1e-9) -> bool:
    """Whether two rendered numbers agree (relative 1e-9, or within the 10-decimal rounding)."""
    if a is None or b is None:
        return False
    try:
        x, y = evaluate_expression(a.strip()), evaluate_expression(b.strip())
    except ExpertError:
        return a.strip() == b.strip()
    tol = max(Fraction(rel) * max(abs(x), abs(y)), Fraction(1, 10**DECIMALS))
    return abs(x - y) <= tol


class ArithmeticExpert(Expert):
    """Shared behaviour of the four arithmetic experts; not registered itself."""

    expert_class: ClassVar[str] = "math"
    spec_charset: ClassVar[str | None] = "0123456789+-*/().%, "
    truth: ClassVar[str] = "number"
    templates: ClassVar[tuple[str, ...]] = ("routerforge.data.templates.math_ops", "routerforge.data.templates.math_lang")
    max_spec_chars: ClassVar[int] = MAX_EXPR_CHARS

    def parse(self, spec: str) -> tuple[ast.Expression, str]:
        return parse_expression(spec)

    def execute(self, parsed: tuple[ast.Expression, str]) -> Fraction:
        tree, source = parsed
        try:
            return _eval(tree, source)
        except ZeroDivisionError:
            raise ExpertError("division by zero") from None

    def render(self, value: Fraction) -> str:
        return format_number(value)

    def results_equal(self, a: str | None, b: str | None) -> bool:
        return numbers_equal(a, b)


class AddExpert(ArithmeticExpert):
    name = "add"
    description = "adds numbers: an arithmetic expression such as 12 + 30"
    examples = [("What is 12 plus 30?", "12 + 30"), ("Add 1,250 and 375.", "1250 + 375"),
                ("What's 0.1 + 0.2?", "0.1 + 0.2")]


class SubtractExpert(ArithmeticExpert):
    name = "subtract"
    description = "subtracts numbers: an arithmetic expression such as 100 - 37"
    examples = [("What is 100 minus 37?", "100 - 37"), ("How much is 5.5 less 2.25?", "5.5 - 2.25")]


class MultiplyExpert(ArithmeticExpert):
    name = "multiply"
    description = "multiplies numbers or takes percentages: an expression such as 256 * 4 or 80 * 0.25"
    examples = [("What is 256 times 4?", "256 * 4"), ("What is 25% of 80?", "80 * 0.25"),
                ("What is 2 to the power 10?", "2 ** 10")]


class DivideExpert(ArithmeticExpert):
    name = "divide"
    description = "divides numbers or averages them: an expression such as 7 / 2 or (54 + 23) / 2"
    examples = [("What is the average of 54 and 23?", "(54 + 23) / 2"), ("Split 7 pizzas between 2 people.", "7 / 2")]
