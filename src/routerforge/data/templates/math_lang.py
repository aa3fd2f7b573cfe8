"""Arithmetic templates with numbers in words and in other languages.

English number words ("a hundred and five minus eighteen") and requests in German, French, Spanish,
Italian, Portuguese, Dutch, Swedish, Polish and Turkish, with digits ("9 mal 7", "¿Cuánto es 15 por 3?")
or number words ("neun mal sieben", "vingt plus trente"). The spec follows `math_ops.py` exactly: the
canonical expression in digits with a dot for decimals, the expert the top-level operation (`add: 60 + 40`,
`multiply: 80 * 0.15` for "15% of 80", `multiply: 2 ** 10` for powers, `divide: (12 + 6 + 9) / 3` for a
mean, `multiply: (8 + 4) * 3` for a bracketed sum times a number).

`number_words(lang, n)` spells 0-999 in each language; `WORD_VARIANTS` adds the other spellings people
use (`a hundred`, `einhundert`, `quatorze`), one of which a render may pick. Each sample's slots hold the
numbers in the order the query tells them (`numbers`), the operation they make (`op`, see `OPS`),
`language` and `form` (words or digits), so a check can recompute the answer without reading the spec.
Digits in other languages use a decimal comma (`3,5` is 3.5 in the spec) and no thousands separators.
"""

from __future__ import annotations

import dataclasses
import random
import string
from collections import Counter
from fractions import Fraction
from typing import Callable

from routerforge.data.slots import PERCENTS, cap, integer
from routerforge.data.templates.base import Pools, Sample, Template
from routerforge.experts.arithmetic import format_number
from routerforge.experts.numberwords import LANGUAGES, WORD_VARIANTS, number_words, word_variants  # noqa: F401

# total sampling weight of one expert's templates here, spread evenly over them; math_ops has 18 templates
# of weight about 1 per expert, so at 18 about half of all arithmetic rows keep its English-with-digits phrasing
SHARE = 18.0

# words that carry the operation: typos never touch them (like variations.PROTECTED_WORDS for English)
OP_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("plus", "minus", "times", "multiplied", "divided", "percent", "power", "squared", "cubed", "sum",
           "average", "take", "away", "divide", "multiply", "into"),
    "de": ("plus", "minus", "weniger", "mal", "multipliziert", "geteilt", "durch", "Prozent", "hoch", "Quadrat",
           "Addiere", "Zieh", "Teile", "Durchschnitt", "zusammen"),
    "fr": ("plus", "moins", "fois", "multiplié", "divisé", "Divise", "pour cent", "puissance", "carré", "cube",
           "Additionne", "Soustrais", "moyenne"),
    "es": ("más", "menos", "por", "multiplicado", "dividido", "entre", "Divide", "ciento", "elevado", "cuadrado",
           "cubo", "Suma", "Resta", "promedio"),
    "it": ("più", "meno", "per", "moltiplicato", "diviso", "Dividi", "cento", "elevato", "quadrato", "cubo",
           "Somma", "Sottrai", "media"),
    "pt": ("mais", "menos", "vezes", "multiplicado", "dividido", "Divida", "cento", "elevado", "quadrado", "cubo",
           "Some", "Subtraia", "média"),
    "nl": ("plus", "min", "keer", "maal", "vermenigvuldigd", "gedeeld", "Deel", "procent", "macht", "kwadraat",
           "derde", "Tel", "Trek", "gemiddelde"),
    "sv": ("plus", "minus", "gånger", "delat", "upphöjt", "kvadrat", "Addera", "Dra bort", "medelvärdet"),
    "pl": ("plus", "minus", "dodać", "odjąć", "razy", "podzielić", "podzielone", "przez", "potęgi", "kwadratu",
           "Dodaj", "Odejmij", "Podziel", "średnia"),
    "tr": ("artı", "eksi", "çarpı", "bölü", "üzeri"),
}

# ------------------------------------------------------------------ drawing numbers

# op -> the value from the numbers in the order the query tells them (an independent reading of the query)
OPS: dict[str, Callable[[list[Fraction]], Fraction]] = {
    "sum": lambda n: sum(n, Fraction(0)),
    "diff": lambda n: n[0] - sum(n[1:], Fraction(0)),
    "rdiff": lambda n: n[1] - n[0],  # "take b from a": b is told first
    "prod": lambda n: n[0] * n[1] * (n[2] if len(n) > 2 else 1),
    "quot": lambda n: n[0] / n[1],
    "rquot": lambda n: n[1] / n[0],  # "how many times does b go into a"
    "pct": lambda n: n[0] / 100 * n[1],  # "p% of a"
    "pow": lambda n: n[0] ** int(n[1]),
    "square": lambda n: n[0] ** 2,
    "cube": lambda n: n[0] ** 3,
    "sum_mul": lambda n: (n[0] + n[1]) * n[2],
    "diff_div": lambda n: (n[0] - n[1]) / n[2],
    "sum_div": lambda n: (n[0] + n[1]) / n[2],
    "minus_sum": lambda n: n[0] - (n[1] + n[2]),
    "mean": lambda n: sum(n, Fraction(0)) / len(n),
}


def _word_int(rng: random.Random) -> int:
    """A number people would say in words: mostly up to a hundred."""
    r = rng.random()
    if r < 0.02:
        return 0
    if r < 0.35:
        return rng.randint(1, 20)
    if r < 0.75:
        return rng.randint(21, 100)
    return rng.randint(101, 999)


def _digit_num(rng: random.Random, decimals: bool) -> Fraction:
    if decimals and rng.random() < 0.15:
        whole, places = rng.randint(0, 999), rng.choice((1, 1, 2))
        frac = rng.randint(1, 10**places - 1)
        if frac % 10 == 0:
            frac += 1
        return Fraction(whole) + Fraction(frac, 10**places)
    r = rng.random()  # like slots.integer, with fewer five-digit numbers (no thousands separators here)
    return Fraction(rng.randint(2, 99) if r < 0.55 else rng.randint(100, 999) if r < 0.85 else
                    rng.randint(1000, 9999) if r < 0.97 else rng.randint(10_000, 99_999))


def _draw(rng: random.Random, shape: str, words: bool) -> list[Fraction]:
    """Numbers in query order for a shape: two, mul (two factors), desc2 (a >= b), rdesc2 (b told first),
    div (a a multiple of b), rdiv, three, pct (a percent, then its base), pow (base, exponent), one (a base
    to square or cube), sum_mul, diff_div and sum_div ((a -/+ b) a multiple of c), minus_sum (a > b + c)."""
    def num(dec: bool = True) -> Fraction:
        return Fraction(_word_int(rng)) if words else _digit_num(rng, dec)

    def small(lo: int = 2, hi: int = 12) -> Fraction:
        return Fraction(rng.randint(lo, hi))

    if shape == "two" or (shape == "mul" and not words):
        return [num(), num()]
    if shape == "mul":  # spoken products: one factor small, the other rarely above a hundred
        x = rng.randint(0, 100) if rng.random() < 0.9 else rng.randint(101, 999)
        y = rng.randint(2, 12) if rng.random() < 0.6 else rng.randint(13, 100)
        return [Fraction(x), Fraction(y)] if rng.random() < 0.5 else [Fraction(y), Fraction(x)]
    if shape in ("desc2", "rdesc2"):
        a, b = sorted([num(), num()], reverse=True)
        if a == b:
            a += 1
        return [a, b] if shape == "desc2" else [b, a]
    if shape in ("div", "rdiv"):
        if words:
            b = small() if rng.random() < 0.75 else small(13, 30)
            k = small(2, min(12, 999 // int(b)))
        else:
            b = small(2, 25) if rng.random() < 0.8 else small(26, 250)
            k = small(2, 60) if b < 100 else small(2, 12)
        return [b * k, b] if shape == "div" else [b, b * k]
    if shape == "three":
        return [num(False), num(False), num(False)]
    if shape == "pct":
        p = rng.choice([x for x in PERCENTS if x.denominator == 1] if words else PERCENTS)
        a = Fraction(rng.choice((20, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 800)) if rng.random() < 0.6
                     else (_word_int(rng) if words else integer(rng)))
        return [p, a]
    if shape == "pow":
        base = rng.randint(2, 15)
        top = 10 if base <= 3 else 6 if base <= 9 else 4
        return [Fraction(base), Fraction(rng.randint(2, top))]
    if shape == "one":
        return [Fraction(rng.randint(2, 30) if rng.random() < 0.8 else rng.randint(31, 99))]
    if shape == "sum_mul":
        return [num(False), num(False), small()]
    if shape in ("diff_div", "sum_div"):
        c, q = small(2, 9), small(2, 25)
        if shape == "diff_div":
            b = Fraction(rng.randint(1, 60))
            return [c * q + b, b, c]
        total = c * q
        a = Fraction(rng.randint(1, int(total) - 1))
        return [a, total - a, c]
    if shape == "minus_sum":
        if words:  # keep the total in words' range (up to 999)
            b, c = Fraction(rng.randint(1, 300)), Fraction(rng.randint(1, 300))
            return [b + c + rng.randint(1, int(999 - b - c)), b, c]
        b, c = num(False), num(False)
        return [b + c + integer(rng), b, c]
    raise ValueError(f"unknown shape {shape!r}")


def _show(lang: str, value: Fraction, words: bool, rng: random.Random) -> str:
    if words:
        variants = word_variants(lang, int(value))
        return variants[0] if len(variants) == 1 or rng.random() < 0.65 else rng.choice(variants[1:])
    text = format_number(value)
    return text if lang == "en" else text.replace(".", ",")


def _cap(lang: str, text: str) -> str:
    """Sentence case; Turkish capitalises i as İ and ı as I (İki, not Iki)."""
    if lang == "tr" and text[:1] in ("i", "ı"):
        return ("İ" if text[0] == "i" else "I") + text[1:]
    return cap(text)


def _fields(pattern: str) -> list[str]:
    return list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(pattern) if f))


def m(lang: str, expert: str, tid: str, pattern: str, spec: str, op: str, shape: str, *, words: bool,
      weight: float = 1.0) -> Template:
    """A template: pattern fields {a} {b} {c} ({p} a percent, {e} an exponent) are filled, in the order
    they appear, with the numbers `shape` draws; spec uses the same names, with {p} as a fraction (0.15)."""
    names = _fields(pattern)
    ops_words = OP_WORDS[lang]

    def render(rng: random.Random, pools: Pools) -> Sample:
        values = _draw(rng, shape, words)
        assert len(values) == len(names), (tid, names, values)
        nums = dict(zip(names, values))
        shown = {k: _show(lang, v, words, rng) for k, v in nums.items()}
        query = pattern.format(**shown)
        told = list(shown.values())
        if pattern.startswith("{") and pattern.rstrip()[-1:] in ".?":
            query = _cap(lang, query)
            told.append(_cap(lang, shown[names[0]]))  # as written at the start ("İki", "Neun")
        spec_vals = {k: format_number(v / 100 if k == "p" else v) for k, v in nums.items()}
        keep = tuple(dict.fromkeys([*told, *(w for w in ops_words if w.lower() in query.lower())]))
        slots = {"numbers": [int(v) if v.denominator == 1 else format_number(v) for v in values], "op": op,
                 "language": lang, "form": "words" if words else "digits"}
        return Sample(query, spec.format(**spec_vals), slots, keep=keep)

    form = "words" if words else "digits"
    return Template(f"{expert}.lang_{lang}_{form}_{tid}", expert, render, pattern, weight)


W, D = True, False  # number words / digits

# ------------------------------------------------------------------ templates

EN = [
    m("en", "add", "bare_plus", "{a} plus {b}", "{a} + {b}", "sum", "two", words=W),
    m("en", "add", "whats_plus", "What's {a} plus {b}?", "{a} + {b}", "sum", "two", words=W),
    m("en", "add", "add_to", "What do you get if you add {a} to {b}?", "{b} + {a}", "sum", "two", words=W),
    m("en", "add", "three_plus", "{a} plus {b} plus {c}", "{a} + {b} + {c}", "sum", "three", words=W),
    m("en", "add", "sum_of_three", "What is the sum of {a}, {b} and {c}?", "{a} + {b} + {c}", "sum", "three", words=W),
    m("en", "add", "add_list", "add {a}, {b} and {c}", "{a} + {b} + {c}", "sum", "three", words=D),
    m("en", "subtract", "bare_minus", "{a} minus {b}", "{a} - {b}", "diff", "desc2", words=W),
    m("en", "subtract", "whats_minus", "What's {a} minus {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("en", "subtract", "take_away", "Take {b} away from {a}.", "{a} - {b}", "rdiff", "rdesc2", words=W),
    m("en", "subtract", "minus_sum", "What is {a} minus the sum of {b} and {c}?", "{a} - ({b} + {c})", "minus_sum",
      "minus_sum", words=W),
    m("en", "subtract", "minus_paren", "{a} minus ({b} plus {c})", "{a} - ({b} + {c})", "minus_sum", "minus_sum",
      words=D),
    m("en", "multiply", "bare_times", "{a} times {b}", "{a} * {b}", "prod", "mul", words=W),
    m("en", "multiply", "whats_times", "What's {a} times {b}?", "{a} * {b}", "prod", "mul", words=W),
    m("en", "multiply", "multiplied_by", "What is {a} multiplied by {b}?", "{a} * {b}", "prod", "mul", words=W),
    m("en", "multiply", "percent_of", "What's {p} percent of {a}?", "{a} * {p}", "pct", "pct", words=W),
    m("en", "multiply", "power_of", "What is {a} to the power of {e}?", "{a} ** {e}", "pow", "pow", words=W),
    m("en", "multiply", "power_of", "{a} to the power of {e}", "{a} ** {e}", "pow", "pow", words=D),
    m("en", "multiply", "squared", "What's {a} squared?", "{a} ** 2", "square", "one", words=W),
    m("en", "multiply", "cubed", "{a} cubed", "{a} ** 3", "cube", "one", words=W),
    m("en", "multiply", "paren_times", "({a} + {b}) times {c}", "({a} + {b}) * {c}", "sum_mul", "sum_mul", words=D),
    m("en", "multiply", "sum_times", "Take the sum of {a} and {b} and multiply it by {c}.", "({a} + {b}) * {c}",
      "sum_mul", "sum_mul", words=W),
    m("en", "divide", "whats_divided", "what's {a} divided by {b}", "{a} / {b}", "quot", "div", words=W),
    m("en", "divide", "divided_by", "What is {a} divided by {b}?", "{a} / {b}", "quot", "div", words=W),
    m("en", "divide", "bare_divided", "{a} divided by {b}", "{a} / {b}", "quot", "div", words=W),
    m("en", "divide", "goes_into", "How many times does {b} go into {a}?", "{a} / {b}", "rquot", "rdiv", words=W),
    m("en", "divide", "paren_divided", "({a} - {b}) divided by {c}", "({a} - {b}) / {c}", "diff_div", "diff_div",
      words=D),
    m("en", "divide", "add_then_divide", "Add {a} and {b}, then divide by {c}.", "({a} + {b}) / {c}", "sum_div",
      "sum_div", words=W),
    m("en", "divide", "average", "What's the average of {a}, {b} and {c}?", "({a} + {b} + {c}) / 3", "mean", "three",
      words=W),
]

DE = [
    m("de", "add", "was_ist_plus", "Was ist {a} plus {b}?", "{a} + {b}", "sum", "two", words=W),
    m("de", "add", "bare_plus", "{a} plus {b}", "{a} + {b}", "sum", "two", words=W),
    m("de", "add", "wie_viel_plus", "Wie viel ist {a} plus {b}?", "{a} + {b}", "sum", "two", words=D),
    m("de", "add", "zusammen", "Was ergeben {a} und {b} zusammen?", "{a} + {b}", "sum", "two", words=D),
    m("de", "add", "addiere", "Addiere {a}, {b} und {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("de", "subtract", "was_ist_minus", "Was ist {a} minus {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("de", "subtract", "weniger", "{a} weniger {b}", "{a} - {b}", "diff", "desc2", words=W),
    m("de", "subtract", "ergibt_minus", "Was ergibt {a} minus {b}?", "{a} - {b}", "diff", "desc2", words=D),
    m("de", "subtract", "zieh_ab", "Zieh {b} von {a} ab.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("de", "multiply", "bare_mal", "{a} mal {b}", "{a} * {b}", "prod", "mul", words=W),
    m("de", "multiply", "was_ist_mal", "Was ist {a} mal {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("de", "multiply", "multipliziert", "Wie viel ist {a} multipliziert mit {b}?", "{a} * {b}", "prod", "mul",
      words=D),
    m("de", "multiply", "prozent_zeichen", "Was sind {p} % von {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("de", "multiply", "prozent", "Wie viel sind {p} Prozent von {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("de", "multiply", "hoch", "Was ist {a} hoch {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("de", "multiply", "hoch", "{a} hoch {e}", "{a} ** {e}", "pow", "pow", words=W),
    m("de", "multiply", "quadrat", "Was ist {a} zum Quadrat?", "{a} ** 2", "square", "one", words=W),
    m("de", "multiply", "klammer_mal", "Rechne ({a} + {b}) mal {c}.", "({a} + {b}) * {c}", "sum_mul", "sum_mul",
      words=D),
    m("de", "divide", "geteilt", "Was ist {a} geteilt durch {b}?", "{a} / {b}", "quot", "div", words=D),
    m("de", "divide", "bare_geteilt", "{a} geteilt durch {b}", "{a} / {b}", "quot", "div", words=W),
    m("de", "divide", "durch", "Wie viel ist {a} durch {b}?", "{a} / {b}", "quot", "div", words=W),
    m("de", "divide", "teile", "Teile {a} durch {b}.", "{a} / {b}", "quot", "div", words=D),
    m("de", "divide", "klammer_geteilt", "Was ist ({a} - {b}) geteilt durch {c}?", "({a} - {b}) / {c}", "diff_div",
      "diff_div", words=D),
    m("de", "divide", "durchschnitt", "Was ist der Durchschnitt von {a}, {b} und {c}?", "({a} + {b} + {c}) / 3",
      "mean", "three", words=D),
]

FR = [
    m("fr", "add", "combien_plus", "Combien font {a} plus {b} ?", "{a} + {b}", "sum", "two", words=W),
    m("fr", "add", "bare_plus", "{a} plus {b}", "{a} + {b}", "sum", "two", words=W),
    m("fr", "add", "combien_fait_plus", "Combien fait {a} plus {b} ?", "{a} + {b}", "sum", "two", words=D),
    m("fr", "add", "additionne", "Additionne {a}, {b} et {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("fr", "subtract", "combien_moins", "Combien font {a} moins {b} ?", "{a} - {b}", "diff", "desc2", words=W),
    m("fr", "subtract", "calcule_moins", "Calcule {a} moins {b}.", "{a} - {b}", "diff", "desc2", words=D),
    m("fr", "subtract", "soustrais", "Soustrais {b} de {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("fr", "multiply", "combien_fois", "Combien font {a} fois {b} ?", "{a} * {b}", "prod", "mul", words=D),
    m("fr", "multiply", "bare_fois", "{a} fois {b}", "{a} * {b}", "prod", "mul", words=W),
    m("fr", "multiply", "multiplie", "Combien fait {a} multiplié par {b} ?", "{a} * {b}", "prod", "mul", words=D),
    m("fr", "multiply", "pourcent_signe", "Combien font {p} % de {a} ?", "{a} * {p}", "pct", "pct", words=D),
    m("fr", "multiply", "pour_cent", "Calcule {p} pour cent de {a}.", "{a} * {p}", "pct", "pct", words=D),
    m("fr", "multiply", "puissance", "Combien fait {a} puissance {e} ?", "{a} ** {e}", "pow", "pow", words=D),
    m("fr", "multiply", "carre", "{a} au carré", "{a} ** 2", "square", "one", words=W),
    m("fr", "multiply", "cube", "Combien fait {a} au cube ?", "{a} ** 3", "cube", "one", words=W),
    m("fr", "multiply", "parentheses_fois", "Combien font ({a} + {b}) fois {c} ?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("fr", "divide", "combien_divise", "Combien font {a} divisé par {b} ?", "{a} / {b}", "quot", "div", words=W),
    m("fr", "divide", "resultat_divise", "Quel est le résultat de {a} divisé par {b} ?", "{a} / {b}", "quot", "div",
      words=D),
    m("fr", "divide", "divise", "Divise {a} par {b}.", "{a} / {b}", "quot", "div", words=D),
    m("fr", "divide", "parentheses_divise", "Combien fait ({a} - {b}) divisé par {c} ?", "({a} - {b}) / {c}",
      "diff_div", "diff_div", words=D),
    m("fr", "divide", "moyenne", "Quelle est la moyenne de {a}, {b} et {c} ?", "({a} + {b} + {c}) / 3", "mean",
      "three", words=D),
]

ES = [
    m("es", "add", "cuanto_mas", "¿Cuánto es {a} más {b}?", "{a} + {b}", "sum", "two", words=W),
    m("es", "add", "bare_mas", "{a} más {b}", "{a} + {b}", "sum", "two", words=W),
    m("es", "add", "cuanto_da_mas", "¿Cuánto da {a} más {b}?", "{a} + {b}", "sum", "two", words=D),
    m("es", "add", "suma", "Suma {a}, {b} y {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("es", "subtract", "cuanto_menos", "¿Cuánto es {a} menos {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("es", "subtract", "bare_menos", "{a} menos {b}", "{a} - {b}", "diff", "desc2", words=W),
    m("es", "subtract", "resta", "Resta {b} a {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("es", "multiply", "cuanto_por", "¿Cuánto es {a} por {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("es", "multiply", "bare_por", "{a} por {b}", "{a} * {b}", "prod", "mul", words=W),
    m("es", "multiply", "multiplicado", "¿Cuánto da {a} multiplicado por {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("es", "multiply", "porcentaje_signo", "¿Cuánto es el {p} % de {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("es", "multiply", "por_ciento", "Calcula el {p} por ciento de {a}.", "{a} * {p}", "pct", "pct", words=D),
    m("es", "multiply", "elevado", "¿Cuánto es {a} elevado a {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("es", "multiply", "cuadrado", "{a} al cuadrado", "{a} ** 2", "square", "one", words=W),
    m("es", "multiply", "cubo", "¿Cuánto es {a} al cubo?", "{a} ** 3", "cube", "one", words=W),
    m("es", "multiply", "parentesis_por", "¿Cuánto es ({a} + {b}) por {c}?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("es", "divide", "cuanto_entre", "¿Cuánto es {a} entre {b}?", "{a} / {b}", "quot", "div", words=W),
    m("es", "divide", "dividido", "¿Cuánto es {a} dividido por {b}?", "{a} / {b}", "quot", "div", words=D),
    m("es", "divide", "divide_entre", "Divide {a} entre {b}.", "{a} / {b}", "quot", "div", words=D),
    m("es", "divide", "parentesis_entre", "¿Cuánto es ({a} - {b}) entre {c}?", "({a} - {b}) / {c}", "diff_div",
      "diff_div", words=D),
    m("es", "divide", "promedio", "¿Cuál es el promedio de {a}, {b} y {c}?", "({a} + {b} + {c}) / 3", "mean",
      "three", words=D),
]

IT = [
    m("it", "add", "quanto_piu", "Quanto fa {a} più {b}?", "{a} + {b}", "sum", "two", words=W),
    m("it", "add", "bare_piu", "{a} più {b}", "{a} + {b}", "sum", "two", words=W),
    m("it", "add", "quanto_piu", "Quanto fa {a} più {b}?", "{a} + {b}", "sum", "two", words=D),
    m("it", "add", "somma", "Somma {a}, {b} e {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("it", "subtract", "quanto_meno", "Quanto fa {a} meno {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("it", "subtract", "bare_meno", "{a} meno {b}", "{a} - {b}", "diff", "desc2", words=W),
    m("it", "subtract", "sottrai", "Sottrai {b} da {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("it", "multiply", "quanto_per", "Quanto fa {a} per {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("it", "multiply", "bare_per", "{a} per {b}", "{a} * {b}", "prod", "mul", words=W),
    m("it", "multiply", "moltiplicato", "Quanto fa {a} moltiplicato per {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("it", "multiply", "percento_segno", "Quanto fa il {p}% di {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("it", "multiply", "per_cento", "Calcola il {p} per cento di {a}.", "{a} * {p}", "pct", "pct", words=D),
    m("it", "multiply", "elevato", "Quanto fa {a} elevato alla {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("it", "multiply", "quadrato", "{a} al quadrato", "{a} ** 2", "square", "one", words=W),
    m("it", "multiply", "cubo", "Quanto fa {a} al cubo?", "{a} ** 3", "cube", "one", words=W),
    m("it", "multiply", "parentesi_per", "Quanto fa ({a} + {b}) per {c}?", "({a} + {b}) * {c}", "sum_mul", "sum_mul",
      words=D),
    m("it", "divide", "quanto_diviso", "Quanto fa {a} diviso {b}?", "{a} / {b}", "quot", "div", words=W),
    m("it", "divide", "diviso_per", "Quanto fa {a} diviso per {b}?", "{a} / {b}", "quot", "div", words=D),
    m("it", "divide", "dividi", "Dividi {a} per {b}.", "{a} / {b}", "quot", "div", words=D),
    m("it", "divide", "parentesi_diviso", "Quanto fa ({a} - {b}) diviso {c}?", "({a} - {b}) / {c}", "diff_div",
      "diff_div", words=D),
    m("it", "divide", "media", "Qual è la media di {a}, {b} e {c}?", "({a} + {b} + {c}) / 3", "mean", "three",
      words=D),
]

PT = [
    m("pt", "add", "quanto_mais", "Quanto é {a} mais {b}?", "{a} + {b}", "sum", "two", words=W),
    m("pt", "add", "bare_mais", "{a} mais {b}", "{a} + {b}", "sum", "two", words=W),
    m("pt", "add", "quanto_da_mais", "Quanto dá {a} mais {b}?", "{a} + {b}", "sum", "two", words=D),
    m("pt", "add", "some", "Some {a}, {b} e {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("pt", "subtract", "quanto_menos", "Quanto é {a} menos {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("pt", "subtract", "bare_menos", "{a} menos {b}", "{a} - {b}", "diff", "desc2", words=W),
    m("pt", "subtract", "subtraia", "Subtraia {b} de {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("pt", "multiply", "quanto_vezes", "Quanto é {a} vezes {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("pt", "multiply", "bare_vezes", "{a} vezes {b}", "{a} * {b}", "prod", "mul", words=W),
    m("pt", "multiply", "multiplicado", "Quanto dá {a} multiplicado por {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("pt", "multiply", "porcento_sinal", "Quanto é {p}% de {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("pt", "multiply", "por_cento", "Calcule {p} por cento de {a}.", "{a} * {p}", "pct", "pct", words=D),
    m("pt", "multiply", "elevado", "Quanto é {a} elevado a {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("pt", "multiply", "quadrado", "{a} ao quadrado", "{a} ** 2", "square", "one", words=W),
    m("pt", "multiply", "cubo", "Quanto é {a} ao cubo?", "{a} ** 3", "cube", "one", words=W),
    m("pt", "multiply", "parenteses_vezes", "Quanto é ({a} + {b}) vezes {c}?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("pt", "divide", "quanto_dividido", "Quanto é {a} dividido por {b}?", "{a} / {b}", "quot", "div", words=W),
    m("pt", "divide", "quanto_da_dividido", "Quanto dá {a} dividido por {b}?", "{a} / {b}", "quot", "div", words=D),
    m("pt", "divide", "divida", "Divida {a} por {b}.", "{a} / {b}", "quot", "div", words=D),
    m("pt", "divide", "parenteses_dividido", "Quanto é ({a} - {b}) dividido por {c}?", "({a} - {b}) / {c}",
      "diff_div", "diff_div", words=D),
    m("pt", "divide", "media", "Qual é a média de {a}, {b} e {c}?", "({a} + {b} + {c}) / 3", "mean", "three",
      words=D),
]

NL = [
    m("nl", "add", "hoeveel_plus", "Hoeveel is {a} plus {b}?", "{a} + {b}", "sum", "two", words=W),
    m("nl", "add", "bare_plus", "{a} plus {b}", "{a} + {b}", "sum", "two", words=W),
    m("nl", "add", "wat_is_plus", "Wat is {a} plus {b}?", "{a} + {b}", "sum", "two", words=D),
    m("nl", "add", "tel_op", "Tel {a}, {b} en {c} bij elkaar op.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("nl", "subtract", "hoeveel_min", "Hoeveel is {a} min {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("nl", "subtract", "bare_min", "{a} min {b}", "{a} - {b}", "diff", "desc2", words=W),
    m("nl", "subtract", "trek_af", "Trek {b} af van {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("nl", "multiply", "hoeveel_keer", "Hoeveel is {a} keer {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("nl", "multiply", "bare_maal", "{a} maal {b}", "{a} * {b}", "prod", "mul", words=W),
    m("nl", "multiply", "vermenigvuldigd", "Wat is {a} vermenigvuldigd met {b}?", "{a} * {b}", "prod", "mul",
      words=D),
    m("nl", "multiply", "procent_teken", "Hoeveel is {p}% van {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("nl", "multiply", "procent", "Bereken {p} procent van {a}.", "{a} * {p}", "pct", "pct", words=D),
    m("nl", "multiply", "macht", "Wat is {a} tot de macht {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("nl", "multiply", "kwadraat", "{a} in het kwadraat", "{a} ** 2", "square", "one", words=W),
    m("nl", "multiply", "derde_macht", "Wat is {a} tot de derde macht?", "{a} ** 3", "cube", "one", words=W),
    m("nl", "multiply", "haakjes_keer", "Hoeveel is ({a} + {b}) keer {c}?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("nl", "divide", "hoeveel_gedeeld", "Hoeveel is {a} gedeeld door {b}?", "{a} / {b}", "quot", "div", words=W),
    m("nl", "divide", "wat_is_gedeeld", "Wat is {a} gedeeld door {b}?", "{a} / {b}", "quot", "div", words=D),
    m("nl", "divide", "deel", "Deel {a} door {b}.", "{a} / {b}", "quot", "div", words=D),
    m("nl", "divide", "haakjes_gedeeld", "Wat is ({a} - {b}) gedeeld door {c}?", "({a} - {b}) / {c}", "diff_div",
      "diff_div", words=D),
    m("nl", "divide", "gemiddelde", "Wat is het gemiddelde van {a}, {b} en {c}?", "({a} + {b} + {c}) / 3", "mean",
      "three", words=D),
]

SV = [
    m("sv", "add", "vad_ar_plus", "Vad är {a} plus {b}?", "{a} + {b}", "sum", "two", words=W),
    m("sv", "add", "bare_plus", "{a} plus {b}", "{a} + {b}", "sum", "two", words=W),
    m("sv", "add", "vad_blir_plus", "Vad blir {a} plus {b}?", "{a} + {b}", "sum", "two", words=D),
    m("sv", "add", "addera", "Addera {a}, {b} och {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("sv", "subtract", "vad_ar_minus", "Vad är {a} minus {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("sv", "subtract", "vad_blir_minus", "Vad blir {a} minus {b}?", "{a} - {b}", "diff", "desc2", words=D),
    m("sv", "subtract", "dra_bort", "Dra bort {b} från {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("sv", "multiply", "vad_blir_ganger", "Vad blir {a} gånger {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("sv", "multiply", "bare_ganger", "{a} gånger {b}", "{a} * {b}", "prod", "mul", words=W),
    m("sv", "multiply", "procent", "Hur mycket är {p} % av {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("sv", "multiply", "upphojt", "Vad är {a} upphöjt till {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("sv", "multiply", "kvadrat", "{a} i kvadrat", "{a} ** 2", "square", "one", words=W),
    m("sv", "multiply", "parentes_ganger", "Vad är ({a} + {b}) gånger {c}?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("sv", "divide", "vad_ar_delat", "Vad är {a} delat med {b}?", "{a} / {b}", "quot", "div", words=W),
    m("sv", "divide", "vad_blir_delat", "Vad blir {a} delat med {b}?", "{a} / {b}", "quot", "div", words=D),
    m("sv", "divide", "parentes_delat", "Vad är ({a} - {b}) delat med {c}?", "({a} - {b}) / {c}", "diff_div",
      "diff_div", words=D),
    m("sv", "divide", "medelvarde", "Vad är medelvärdet av {a}, {b} och {c}?", "({a} + {b} + {c}) / 3", "mean",
      "three", words=D),
]

PL = [
    m("pl", "add", "ile_plus", "Ile to jest {a} plus {b}?", "{a} + {b}", "sum", "two", words=W),
    m("pl", "add", "bare_plus", "{a} plus {b}", "{a} + {b}", "sum", "two", words=W),
    m("pl", "add", "dodac", "Ile jest {a} dodać {b}?", "{a} + {b}", "sum", "two", words=D),
    m("pl", "add", "dodaj", "Dodaj {a}, {b} i {c}.", "{a} + {b} + {c}", "sum", "three", words=D),
    m("pl", "subtract", "ile_minus", "Ile to jest {a} minus {b}?", "{a} - {b}", "diff", "desc2", words=W),
    m("pl", "subtract", "odjac", "Ile jest {a} odjąć {b}?", "{a} - {b}", "diff", "desc2", words=D),
    m("pl", "subtract", "odejmij", "Odejmij {b} od {a}.", "{a} - {b}", "rdiff", "rdesc2", words=D),
    m("pl", "multiply", "ile_razy", "Ile to jest {a} razy {b}?", "{a} * {b}", "prod", "mul", words=D),
    m("pl", "multiply", "bare_razy", "{a} razy {b}", "{a} * {b}", "prod", "mul", words=W),
    m("pl", "multiply", "procent", "Ile wynosi {p}% z {a}?", "{a} * {p}", "pct", "pct", words=D),
    m("pl", "multiply", "potega", "Ile to jest {a} do potęgi {e}?", "{a} ** {e}", "pow", "pow", words=D),
    m("pl", "multiply", "kwadrat", "{a} do kwadratu", "{a} ** 2", "square", "one", words=W),
    m("pl", "multiply", "nawias_razy", "Ile to jest ({a} + {b}) razy {c}?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("pl", "divide", "podzielic", "Ile to jest {a} podzielić przez {b}?", "{a} / {b}", "quot", "div", words=W),
    m("pl", "divide", "podzielone", "Ile wynosi {a} podzielone przez {b}?", "{a} / {b}", "quot", "div", words=D),
    m("pl", "divide", "podziel", "Podziel {a} przez {b}.", "{a} / {b}", "quot", "div", words=D),
    m("pl", "divide", "srednia", "Jaka jest średnia z {a}, {b} i {c}?", "({a} + {b} + {c}) / 3", "mean", "three",
      words=D),
]

TR = [
    m("tr", "add", "arti", "{a} artı {b} kaç eder?", "{a} + {b}", "sum", "two", words=W),
    m("tr", "add", "arti", "{a} artı {b} kaç?", "{a} + {b}", "sum", "two", words=D),
    m("tr", "add", "arti_uc", "{a} artı {b} artı {c} kaçtır?", "{a} + {b} + {c}", "sum", "three", words=D),
    m("tr", "subtract", "eksi", "{a} eksi {b} kaç eder?", "{a} - {b}", "diff", "desc2", words=W),
    m("tr", "subtract", "eksi", "{a} eksi {b} kaç?", "{a} - {b}", "diff", "desc2", words=D),
    m("tr", "multiply", "carpi", "{a} çarpı {b} kaç eder?", "{a} * {b}", "prod", "mul", words=W),
    m("tr", "multiply", "carpi", "{a} çarpı {b} kaç?", "{a} * {b}", "prod", "mul", words=D),
    m("tr", "multiply", "uzeri", "{a} üzeri {e} kaç?", "{a} ** {e}", "pow", "pow", words=D),
    m("tr", "multiply", "parantez_carpi", "({a} + {b}) çarpı {c} kaç eder?", "({a} + {b}) * {c}", "sum_mul",
      "sum_mul", words=D),
    m("tr", "divide", "bolu", "{a} bölü {b} kaç eder?", "{a} / {b}", "quot", "div", words=W),
    m("tr", "divide", "bolu", "{a} bölü {b} kaç?", "{a} / {b}", "quot", "div", words=D),
]



def _share(templates: list[Template], total: float = SHARE) -> list[Template]:
    """Scale weights so each expert's templates sum to `total` (experts have different template counts)."""
    per_expert: Counter[str] = Counter()
    for t in templates:
        per_expert[t.expert] += t.weight
    return [dataclasses.replace(t, weight=t.weight * total / per_expert[t.expert]) for t in templates]


TEMPLATES: list[Template] = _share(EN + DE + FR + ES + IT + PT + NL + SV + PL + TR)


def pools() -> dict[str, dict[str, list]]:
    """Like math_ops: numbers are drawn fresh, so no held-out slot pools; test differs by template."""
    return {}


__all__ = ["LANGUAGES", "OPS", "OP_WORDS", "TEMPLATES", "number_words", "pools", "word_variants"]
