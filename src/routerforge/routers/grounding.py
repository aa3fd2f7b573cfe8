"""Grounding: is a decoded spec supported by its query? A pure check, run before a spec is trusted.

A spec is grounded when everything it names comes from the request:

- numbers: each number in the spec is a number of the query — written in digits (`1,000`, `3,5`) or
  spelled in any of ten languages (`sixty`, `neun`) — or derived from one the way the spec grammars
  say it (a percent `20%` as `0.2`/`0.8`, a fraction word `a quarter` as `4`/`0.25`/`0.75`, `half` as
  `2`/`0.5`, minutes as hours `/60`), or one of the small constants people leave implicit (1, 2, 60...), or how many numbers the query
  lists (an average divides by it);
- places (time): the place is in the query (case- and accent-insensitive);
- names (schedule): every task/person name is a word of the query, exactly as written;
- operators (math): a spec uses its expert's operator (and `+` in an average) unless the query groups
  its own sub-expression in parentheses or names the other operation ("the sum of");
- stories (word problems) and schedules: `story_check.py` and `schedule_check.py`;
- coverage (math, word problems): every number the query writes in digits is used by the spec, so a
  spec that drops a step ("subtract 95 and then 60 from 980" → `980 - 95`) is not trusted;
- fractions (word problems): a fraction the story says in English words ("gives away three fifths",
  "a quarter of the rest") is that fraction in the spec (`*(1-3/5)`), not its numbers used some other
  way (`-3*5`, `-5`, `/4`); "half" is left to the `/2` convention;
- and the expert accepts the spec (`Expert.run` is ok).

`grounded(query, expert, spec)` returns `(ok, reason)`. Experts with no rule here (chat, plug-ins) are
grounded when they execute. The generated router tries its next candidates when the best one fails.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from routerforge.experts import class_of, expert_names, get_expert
from routerforge.experts.numberwords import spelled_numbers
from routerforge.routers.schedule_check import query_durations, schedule_conflict
from routerforge.routers.story_check import story_conflict

_NUM = re.compile(r"\d+(?:[.,]\d+)*")
FRACTION_WORDS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
                  "fifths": 5, "tenth": 10, "tenths": 10, "eighth": 8, "eighths": 8, "twice": 2, "double": 2,
                  "doubles": 2, "doubled": 2, "triple": 3, "triples": 3, "tripled": 3, "dozen": 12, "hälfte": 2, "halb": 2, "moitié": 2, "mitad": 2, "metà": 2,
                  "metade": 2, "helft": 2, "viertel": 4, "quart": 4, "cuarto": 4, "quarto": 4,
                  "cube": 3, "cubed": 3, "cubo": 3, "cubes": 3, "kubik": 3}
IMPLICIT = {Fraction(0), Fraction(1), Fraction(2), Fraction(60), Fraction(100), Fraction(12), Fraction(24)}


_OPERATOR_WORDS = {"+": r"\b(?:sum|total|plus|add|added)\b", "-": r"\b(?:minus|difference|subtract|less)\b"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


_NUMERATORS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9}
_DENOMINATORS = {"third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5, "sixth": 6,
                 "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10}
# a fraction is a part *of* something ("three fifths of them") or ends the clause ("gives away two fifths.");
# "a third time", "a fifth-grade class" and "a quarter of an hour" (15 minutes) are not fractions of the amount
_FRACTION_PHRASE = re.compile(r"\b(" + "|".join(_NUMERATORS) + r")[\s-]+(" + "|".join(_DENOMINATORS) + r")\b"
                              r"(?!-)(?!\s+of\s+an?\s+hour)(?=\s+of\b|\s*[.,;:!?)]|\s*$)", re.IGNORECASE)
_SPEC_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")


def told_fractions(query: str) -> list[tuple[int, int]]:
    """Fractions a query says in English words, as (numerator, denominator): "three fifths" -> (3, 5)."""
    return [(_NUMERATORS[a.lower()], _DENOMINATORS[b.lower()]) for a, b in _FRACTION_PHRASE.findall(query)
            if _NUMERATORS[a.lower()] < _DENOMINATORS[b.lower()]]


def _readings(raw: str) -> set[Fraction]:
    """The values one number as written may mean: `1,000` is 1000, `3,5` is 3.5, `701.9` is 701.9 (or 7019
    with `.` as a thousands separator)."""
    out: set[Fraction] = set()
    for c in {raw.replace(",", ""), raw.replace(",", "."), raw.replace(".", "").replace(",", ".")}:
        try:
            out.add(Fraction(c))
        except (ValueError, ZeroDivisionError):
            continue
    return out


def _digit_numbers(text: str) -> set[Fraction]:
    return set().union(*(_readings(raw) for raw in _NUM.findall(text)))


# spellings of numbers in other languages that are everyday English words ("on" is Turkish ten, "once"
# Spanish eleven): read as numbers only inside a longer spelling ("on iki"), never alone. Rarer ones
# ("elf", "sept", "due") stay numbers: German, French and Italian requests use them.
ENGLISH_HOMOGRAPHS = frozenset({"on", "once"})


def _spelled(query: str) -> set[int]:
    return spelled_numbers(query, skip=ENGLISH_HOMOGRAPHS)


def query_numbers(query: str) -> set[Fraction]:
    """Every number the query states, and the values the spec grammars derive from them."""
    base = _digit_numbers(query) | {Fraction(n) for n in _spelled(query)}
    words = set(re.findall(r"\w+", _fold(query)))
    base |= {Fraction(k) for w, k in FRACTION_WORDS.items() if w in words}
    # "two and a half hours", "an hour and a quarter": only when the query says half / quarter
    parts = ([Fraction(1, 2)] if words & {"half", "halb", "halben", "demi", "media", "mezza", "meia", "half"} else []) + \
        ([Fraction(1, 4), Fraction(3, 4)] if words & {"quarter", "quarters", "viertel", "quart", "cuarto"} else [])
    # how many numbers the query lists: an average divides by it ("media di 20, 860 e 995" -> / 3)
    digits = len(_NUM.findall(query))
    out = set(base) | IMPLICIT | {Fraction(digits), Fraction(digits + len(_spelled(query)))}
    for x in base | {Fraction(1)}:  # 1: "an hour", "a box" are ones nobody writes in digits
        out |= {x / 100, 1 - x / 100, 1 + x / 100, x / 60}
        if x:
            out |= {1 / x, 1 - 1 / x}
        out |= {x * y for y in base} if len(base) <= 12 else set()
        if x.denominator == 1:
            out |= {x + p for p in parts}
    return out


def _derived(x: Fraction) -> set[Fraction]:
    out = {x, x / 100, 1 - x / 100, 1 + x / 100, x / 60}
    if x:
        out |= {1 / x, 1 - 1 / x}
    return out


def uncovered(query: str, spec: str) -> list[Fraction]:
    """Numbers the query writes in digits that the spec never uses (directly, as a percent or fraction
    of them, or inside a product): a spec that drops a step of the request."""
    used = _spec_numbers(spec)
    products = {a * b for a in used for b in used}

    def covered(x: Fraction) -> bool:
        return bool(_derived(x) & used) or x in products or any(x == p / q for p in used for q in used if q)

    # a number is used when any of its readings is (`701.9` is not also required as 7019)
    return [min(r) for r in (_readings(raw) for raw in _NUM.findall(query)) if r and not any(map(covered, r))]


def _spec_numbers(spec: str) -> set[Fraction]:
    return {Fraction(n) for n in re.findall(r"\d+(?:\.\d+)?", spec)}


def _has_word(query: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(_fold(word))}(?!\w)", _fold(query)) is not None


def grounded(query: str, expert: str, spec: str) -> tuple[bool, str]:
    """(ok, reason): whether `spec` for `expert` is supported by `query` (see the module docstring)."""
    if expert not in expert_names():
        return False, f"unknown expert {expert!r}"
    result = get_expert(expert).run(spec)
    if not result.ok:
        return False, result.error or "the expert rejected the spec"
    cls = class_of(expert)
    if cls in ("math", "word_problem", "schedule"):
        known = query_numbers(query)
        if cls == "schedule":  # "half an hour" is 30min or 0.5hr, "an hour and a quarter" 75min or 1.25hr
            known |= {f for d in query_durations(query) for f in (Fraction(d), Fraction(d, 60))}
        missing = [n for n in _spec_numbers(spec) if n not in known]
        if missing:
            return False, f"number {float(missing[0]):g} is not in the query"
    if cls == "math":
        # an expert's own operator, or `+` in an average; another one needs the query's parentheses
        # ("(653 + 11) razy 7") or its words ("the sum of 358 and 770, times 11"): `6 * 36 + 5` is not
        # "multiply 6, 36 and 5", nor `(12 + 731 + 4) * 4` "the product of 12, 731 and 4"
        own = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/+"}.get(expert, "+-*/")
        foreign = set(re.findall(r"(?<!\*)[+\-*/](?!\*)", spec)) - set(own)
        if "(" not in query and any(op not in _OPERATOR_WORDS or not re.search(_OPERATOR_WORDS[op], query, re.I)
                                    for op in foreign):
            return False, f"{expert} spec uses {''.join(sorted(foreign))}, which the query does not ask for"
    if cls in ("math", "word_problem"):
        dropped = uncovered(query, spec)
        if dropped:
            return False, f"number {float(dropped[0]):g} of the query is not used"
    if cls == "time" and not _fold(spec.strip()) in _fold(query):
        return False, f"place {spec.strip()!r} is not in the query"
    if cls == "schedule":
        conflict = schedule_conflict(query, spec)
        if conflict:
            return False, conflict
        tasks = spec.split("|", 1)[0]
        for part in tasks.split(","):
            name = part.split(":", 1)[0].strip()
            if name and not _has_word(query, name):
                return False, f"name {name!r} is not in the query"
    if cls == "word_problem":
        entity = spec.split(":", 1)[0].strip()
        if not entity:
            return False, "no entity"
        written = {(int(a), int(b)) for a, b in _SPEC_FRACTION.findall(spec)}
        for a, b in told_fractions(query):
            if (a, b) not in written and (b - a, b) not in written:
                return False, f"fraction {a}/{b} of the query is not in the spec"
        conflict = story_conflict(query, spec, told_fractions(query))
        if conflict:
            return False, conflict
    return True, ""


def repairs(query: str, expert: str, spec: str) -> list[str]:
    """Word problems only: `spec` without the numbers the query never states, the smallest edits first: a
    factor dropped from a product step (`-48*10` -> `-48` where the query has no 10), else the whole
    step when it adds or takes away (`+9`).
    Grounded decoding tries these on the greedy spec and the beams when no candidate is grounded: a number
    the query never states was invented, and the rest of the spec may still be right."""
    if class_of(expert) != "word_problem" or "|" not in spec:
        return []
    known = query_numbers(query)
    head, steps = spec.split("|", 1)
    terms = steps.split()
    if not terms or any(re.search(r"\d", t) is None for t in terms):
        return []

    def invented(text: str) -> bool:
        return any(Fraction(n) not in known for n in re.findall(r"\d+(?:\.\d+)?", text))

    def factor_dropped(term: str) -> str:
        sign, factors = term[0], term[1:].split("*")
        if len(factors) < 2 or "(" in term:
            return term
        kept = [f for f in factors if not invented(f)]
        return sign + "*".join(kept) if kept and len(kept) < len(factors) else term

    out = []
    fewer = [factor_dropped(t) for t in terms]
    if fewer != terms:
        out.append(f"{head}| " + " ".join(fewer))
    # a whole step goes only when it adds or takes away: a `*7` or `/12` may be a unit the query implies
    kept = [t for t in fewer if not (t[0] in "+-" and invented(t))]
    if kept != fewer and kept:
        out.append(f"{head}| " + " ".join(kept))
    return [c for c in out if c.strip() != spec.strip()]


__all__ = ["grounded", "query_numbers", "repairs", "told_fractions"]
