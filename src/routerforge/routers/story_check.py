"""Story checks for word-problem specs: does each step of the spec do what its clause of the query says?

Grounding (`grounding.py`) checks that a spec's numbers come from the query. A spec can pass that and
still be wrong in the way a 135M router most often is: the right numbers with the wrong sign
(`-3*12` for "was given three trays of 12"), or a step left out ("doubled what was inside" with no
`*2`). These checks read the query the way a person checks an answer, clause by clause, in English:

- **direction**: a `+`/`-` step whose numbers sit in one clause of the query must agree with that
  clause's verb when the verb says which way the amount moves ("gave away", "lost", "spent" take away;
  "was given", "found", "earned" add). Buying and paying add things but take money away, selling the
  reverse, so the direction depends on whether the step counts money. A clause with no such verb, or
  with verbs both ways, constrains nothing;
- **multipliers**: "doubles", "twice as many", "triples", "4 times as many", "multiplies ... by 3" need
  that factor in the spec; "half of ..." needs a half (`/2`, `*0.5`, `50%`, `1/2`);
- **fractions**: "gives away three quarters" is `*(1-3/4)`, never `*(1-1/4)` (what remains written as
  if it were what was taken);
- **unsaid multipliers**: a whole-number `*n` step is a factor the query says ("twice", "3 times"), a
  price or rate it states next to n ("$2", "five euros", "4 each", "12 an hour") or the constant of a
  unit it names ("dozen" 12): "sold 25% of the rest" is not `*25`;
- **groups**: "9 tubes, each holding 6 beads", "5 boxes of 8", "4 bags with 12 figs each" is the product
  `9*6` (either order) somewhere in the spec ("3 out of 4", "6 of them", one box: no group);
- **products**: the numbers of a product step (`-8*7`) are stated in one clause ("8 a day for 7 days");
- **counts**: every number the query writes in digits is used as often as it is written (a step is
  not dropped or folded into a product of other numbers), and a number the query states once (>= 3, not
  a unit constant) is not used twice.

`story_conflict(query, spec)` returns the first conflict as one line, or "" when there is none. It only
ever rejects: the router then tries its next beam candidates (`generated.Router._ground_batch`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from routerforge.experts.numberwords import word_variants

# English number words 0-99 as one token ("seven", "twenty-one"), from the shared number-word table
_EN = {w: n for n in range(100) for w in word_variants("en", n) if " " not in w}
EN_NUMBERS = _EN  # English number words 0-99, as one reads them in a query

_MONEY_WORDS = {"dollars", "dollar", "euros", "euro", "pounds", "pound", "money", "cash", "cents", "yen",
                "francs", "rupees", "savings", "usd", "eur", "gbp"}
_CURRENCY = re.compile(r"[$€£¥]\s*$")

# verbs that move the amount, as the words people write (every tense spelled out: no stemming guesses)
_GAIN = set("""
buys buy bought buying gets get got getting finds find found receives receive received earns earn earned
wins win won picks pick picked collects collect collected makes make made adds add added
saves save saved arrive arrives arrived board boards boarded join joins joined orders order ordered
grows grow grew gains gain gained catches catch caught borrows borrow borrowed brings bring brought
""".split())
_LOSS = set("""
gives give gave giving loses lose lost sells sell sold eats eat ate uses use used spends spend spent pays pay
paid removes remove removed donates donate donated lends lend lent pops pop popped plants plant planted
mails mail mailed deletes delete deleted drinks drink drank burns burn burned burnt feeds feed fed breaks
break broke throws throw threw leave leaves left shares share shared sends send sent returns return returned
trades traded squeezes squeezed threads threaded sews sewed ties tied sticks stuck drops drop dropped
""".split())
_MONEY_FLIP = {"buys", "buy", "bought", "buying", "sells", "sell", "sold"}  # paying takes money away either way
# passives and phrasal verbs that reverse the bare verb: "was given 5" adds, "took out 5" removes
_PHRASES = [(re.compile(r"\b(?:is|was|are|were|gets?|got|been)\s+(?:given|paid|sent|handed|lent|awarded)\b"), "+"),
            (re.compile(r"\b(?:takes?|took|taking)\s+(?:out|away)\b|\bbak(?:es?|ed)\s+(?:\S+\s+)?(?:with|into)\b"), "-"),
            # "bakes 12 more" adds; "bakes 4" alone may use 4 eggs or make 4 cakes: no rule
            (re.compile(r"\bbak(?:es?|ed)\s+\S+\s+more\b"), "+"),
            (re.compile(r"\b(?:more\s+)?(?:fly|flies|flew|get|gets|got|step|steps|stepped)\s+(?:off|out)\b"), "-"),
            (re.compile(r"\b(?:get|gets|got|hop|hops|hopped)\s+on\b|\bland(?:s|ed)?\b"), "+"),
            (re.compile(r"\b(?:trades?|traded)\s+for\b|\btakes?\s+\w*\s*more\b|\btook\s+\w*\s*more\b"), "+")]
_CLAUSE_SPLIT = re.compile(r"[.;!?,]|\b(?:and|then|but|after that|later|next|finally|last|first)\b",
                           re.IGNORECASE)
_WORD_OR_NUM = re.compile(r"\d+(?:\.\d+)?|[a-zA-Z]+(?:-[a-zA-Z]+)?")


def _numbers(text: str) -> list[tuple[float, int]]:
    """(value, offset) of every number written in digits or in English words (0-99)."""
    out = []
    for m in _WORD_OR_NUM.finditer(text):
        tok = m.group(0)
        if tok[0].isdigit():
            out.append((float(tok), m.start()))
        elif tok.lower() in _EN:
            out.append((float(_EN[tok.lower()]), m.start()))
    return out


def _clauses(query: str) -> list[tuple[int, int]]:
    bounds = [0] + [p for m in _CLAUSE_SPLIT.finditer(query) for p in (m.start(), m.end())] + [len(query)]
    spans = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2)]
    return [(a, b) for a, b in spans if b > a]


# the question's own verb moves nothing: "how much change does Ruth get from a 50-euro note after ..."
_QUESTION = re.compile(r"\b(?:does|do|did|will|would|can)\s+(?:\w+\s+){0,2}?(?:get|have|make|earn|receive|end)\b")


def _direction(clause: str, money: bool) -> str:
    """'+', '-' or '' (no verb, or verbs both ways) for one clause."""
    text = _QUESTION.sub(" ", clause.lower())
    found = set()
    for pattern, sign in _PHRASES:
        if pattern.search(text):
            found.add(sign)
            text = pattern.sub(" ", text)
    for w in re.findall(r"[a-z]+", text):
        if w in _GAIN or w in _LOSS:
            sign = "+" if w in _GAIN else "-"
            if money and w in _MONEY_FLIP:
                sign = "-" if sign == "+" else "+"
            found.add(sign)
    return found.pop() if len(found) == 1 else ""


def _ops(spec: str) -> tuple[str, str, list[tuple[str, str]]] | None:
    """(entity, initial, [(sign, term)]) of a word-problem spec, or None when it does not split cleanly."""
    if ":" not in spec or "|" not in spec:
        return None
    entity, rest = spec.split(":", 1)
    initial, text = rest.split("|", 1)
    ops, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        sign = text[i]
        if sign not in "+-*/×÷x":
            return None
        i += 1
        while i < len(text) and text[i].isspace():
            i += 1
        depth, start = 0, i
        while i < len(text) and (depth or not text[i].isspace()):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        ops.append((sign, text[start:i]))
    return entity.strip().lower(), initial, ops


def _direction_conflict(query: str, entity: str, initial: str, ops: list[tuple[str, str]]) -> str:
    nums = _numbers(query)
    clauses = _clauses(query)
    money_entity = entity in _MONEY_WORDS
    taken: set[int] = set()
    cursor = 0

    def clause(place: int) -> str:
        return next((query[a:b] for a, b in clauses if a <= place < b), query)

    def way(place: int) -> str:
        return _direction(clause(place), money_entity or bool(_CURRENCY.search(query[:place])))

    for n in re.findall(r"\d+(?:\.\d+)?", initial):  # the starting amount uses its own mentions
        taken.update(next(([off] for val, off in nums if val == float(n) and off not in taken), []))
    for sign, term in ops:
        if sign not in "+-" or "(" in term or term.endswith("%"):  # products, divisions, percents: no verb
            continue
        values = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", term)]
        if not values:
            continue
        # the mentions this step can be: unused ones of its first number, later in the story first (it is
        # told in the order the spec follows it), in a clause that holds all the step's numbers
        unused = [off for val, off in nums if val == values[0] and off not in taken]
        later = [o for o in unused if o >= cursor] or unused
        places = [o for o in later if all(v in [x for x, p in nums if clause(p) == clause(o)] for v in values)]
        if len(values) > 1 and not any(all(v in [x for x, p in nums if clause(p) == clause(o)] for v in values)
                                       for _, o in nums):
            # "3 boxes of 12", "8 a day for 7 days", "2 hours at $29": a product is stated in one clause
            return f"step {sign}{term} multiplies numbers that no clause of the query states together"
        places = places or later
        if not places:
            continue
        ways = [way(o) for o in places]
        agree = [o for o, w in zip(places, ways) if w in ("", sign)]
        taken.add((agree or places)[0])
        cursor = max(cursor, (agree or places)[0])
        if not agree:  # every mention this step can be moves the amount the other way
            text = clause(places[0]).strip()
            return (f"step {sign}{term} {'adds' if sign == '+' else 'takes away'} what the query's "
                    f"\"{text}\" {'adds' if ways[0] == '+' else 'takes away'}")
    return ""


_TIMES = re.compile(r"\b(\d+|" + "|".join(_EN) + r")\s+times\s+(?:as\s+(?:many|much)|more)\b"
                    r"|\bmultipl(?:y|ies|ied)\b[^.,;]*?\bby\s+(\d+|" + "|".join(_EN) + r")\b", re.IGNORECASE)
_DOUBLE = re.compile(r"\b(?:doubles|doubled|double (?:what|the|it|them|her|his|its)|twice as (?:many|much))\b", re.I)
_TRIPLE = re.compile(r"\b(?:triples|tripled|triple (?:what|the|it|them|her|his|its)|three times as (?:many|much))\b", re.I)
_HALF = re.compile(r"\bhalf\s+(?:of|what)\b", re.IGNORECASE)


def _value(word: str) -> float:
    return float(word) if word[0].isdigit() else float(_EN[word.lower()])


def _multiplier_conflict(query: str, spec: str) -> str:
    factors = {float(f) for f in re.findall(r"[*×x]\s*\(?\s*(\d+(?:\.\d+)?)", spec)}
    wanted = []
    if _DOUBLE.search(query):
        wanted.append((2.0, "doubles"))
    if _TRIPLE.search(query):
        wanted.append((3.0, "triples"))
    for m in _TIMES.finditer(query):
        wanted.append((_value(m.group(1) or m.group(2)), m.group(0)))
    for k, said in wanted:
        if k not in factors:
            return f"the query says \"{said}\" but the spec never multiplies by {k:g}"
    if _HALF.search(query) and not re.search(r"/\s*2\b|\*\s*0?\.5\b|\b50%|\b1/2\b", spec):
        return "the query takes half but the spec never halves"
    return ""


def _fraction_conflict(spec: str, told: list[tuple[int, int]]) -> str:
    ops = spec.split("|", 1)[1]
    for a, b in told:
        if a * 2 != b and re.search(rf"1\s*-\s*{b - a}\s*/\s*{b}\b", ops) and not re.search(rf"1\s*-\s*{a}\s*/\s*{b}\b", ops):
            return f"the query takes {a}/{b} but the spec takes {b - a}/{b}"
        if re.search(rf"(?:^|\s)[+-]\s*{a}/{b}(?![\d*/])", ops) and not re.search(rf"[*/]\s*\(?\s*(?:1\s*-\s*)?{a}/{b}", ops):
            return f"the query takes {a}/{b} of the amount but the spec adds or subtracts the number {a}/{b}"
    return ""


def _written(query: str) -> list[Fraction]:
    """The numbers a query writes in digits: `1,200` is 1200, `3,5` is 3.5."""
    out = []
    for raw in re.findall(r"\d+(?:[.,]\d+)*", query):
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
            raw = raw.replace(",", "")
        try:
            out.append(Fraction(raw.replace(",", ".")))
        except ValueError:  # "1.2.3": not one number; other checks see it
            continue
    return out


def _count_conflict(query: str, spec: str) -> str:
    body = spec.split(":", 1)[1]
    # a number the query states once is not used twice (fractions say theirs in words: "a quarter")
    stated = [v for v, _ in _numbers(query)] + [2.0] * len(_DOUBLE.findall(query)) + [3.0] * len(_TRIPLE.findall(query))
    plain = re.sub(r"\d+/\d+", " ", body)
    for n in set(re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", plain)):
        v, uses = float(n), len(re.findall(rf"(?<![\d.]){re.escape(n)}(?![\d.])", plain))
        if v >= 3 and v not in (12, 24, 60, 100) and 0 < stated.count(v) < uses:
            return f"{n} is used {uses} times but the query says it {stated.count(v)}"
    # every number written in digits is a step: "8 boxes, each holding 20" is not `8*2 | +2*10`
    written = _written(query)
    used = [Fraction(x) for x in re.findall(r"\d+(?:\.\d+)?", body)]
    for v in dict.fromkeys(written):
        forms = {v, v / 100, 1 - v / 100, 1 + v / 100, v / 60} | ({1 / v, 1 - 1 / v} if v else set())  # 25% off: *0.75
        if sum(u in forms for u in used) < written.count(v):
            return f"the query writes {float(v):g} {written.count(v)} time(s), the spec uses it fewer"
    return ""


# a number the amount is multiplied by as a price or a rate: "$2", "€5", "3 dollars", "four euros", "4 each",
# "6 apiece", "12 an hour"
_PRICE = (r"(?:[$€£¥]\s*{n}\b|\b{n}\s*(?:dollars?|euros?|pounds?|bucks?|cents?|each|apiece|a\s+piece|per\b|"
          r"for\s+each|an?\s+(?:hour|day|week|month|year|minute)\b))")
_N_TIMES = re.compile(r"\b(\d+|" + "|".join(_EN) + r")(?:\s+times|\s*-?\s*fold)\b", re.IGNORECASE)
_SAID = [(2.0, re.compile(r"\b(?:twice|double[sd]?)\b", re.I)), (3.0, re.compile(r"\b(?:thrice|triple[sd]?)\b", re.I)),
         (4.0, re.compile(r"\bquadruple[sd]?\b", re.I))]
# the constants a unit carries, said by its word: "3 dozen" is `*12`, hours to minutes `*60`
_UNITS = [(12.0, r"dozens?"), (60.0, r"hours?|minutes?"), (7.0, r"weeks?"), (24.0, r"days?|hours?"),
          (100.0, r"percent|%|cents?|dollars?|euros?")]


def _unsaid_multiplier(query: str, ops: list[tuple[str, str]]) -> str:
    """A whole-number `*n` step the query never multiplies by: n is neither a factor it says ("doubles",
    "twice", "4 times as many", "multiplies by 3"), a price or rate ("sells the rest at $2 each", "12 an
    hour"), nor the constant of a unit it names ("dozen" 12, "hours" 60); "sold 25% of the rest" is not
    `*25`, "picks 5 more" not `*5`."""
    said = {k for k, pattern in _SAID if pattern.search(query)}
    said |= {_value(m.group(1) or m.group(2)) for m in _TIMES.finditer(query)}
    said |= {_value(m.group(1)) for m in _N_TIMES.finditer(query)}  # "2 times as mny": typos after "times"
    said |= {k for k, unit in _UNITS if re.search(rf"(?:\b|(?<=\d))(?:{unit})(?!\w)", query, re.IGNORECASE)}
    for sign, term in ops:
        if sign not in "*×x" or not re.fullmatch(r"\d+", term.strip()):
            continue
        n = term.strip()
        forms = "|".join([re.escape(n), *(w for w, v in _EN.items() if v == int(n))])
        if float(n) not in said and not re.search(_PRICE.format(n=f"(?:{forms})"), query, re.IGNORECASE):
            return f"step *{n}: the query never multiplies by {n} (no \"{n} times\", price or rate)"
    return ""


_NUM = r"(\d+|" + "|".join(sorted(_EN, key=len, reverse=True)) + r")"
# k groups of m things: "5 boxes of 8 apples", "4 bags with 12 figs (in) each", "9 tubes, each holding 6 beads";
# not "3 out of 4", "24 marbles with 6 of them blue", "one box of 12" (a single group is no product)
_GROUPS = re.compile(r"\b" + _NUM + r"\s+(?!out\b)[a-z]+(?:\s*,\s*each\s+(?:holding|containing|with|of)\s+|"
                     r"\s+(?:of|with)\s+)" + _NUM +
                     r"\b(?!\s*(?:%|percent|times|hours?|minutes?|days?|weeks?|of\s+them))", re.IGNORECASE)


def _group_conflict(query: str, spec: str) -> str:
    """A group phrase of the query ("9 tubes, each holding 6 beads") whose product `9*6` the spec never
    writes (in either order)."""
    products = {tuple(sorted((float(a), float(b))))
                for a, b in re.findall(r"(\d+(?:\.\d+)?)\s*[*×x]\s*(\d+(?:\.\d+)?)", spec)}
    for m in _GROUPS.finditer(query):
        k, n = _value(m.group(1)), _value(m.group(2))
        if k > 1 and tuple(sorted((k, n))) not in products:
            return f"the query's \"{m.group(0).strip()}\" is {k:g}*{n:g} groups, a product the spec never writes"
    return ""


def story_conflict(query: str, spec: str, told: list[tuple[int, int]] = ()) -> str:
    """The first way `spec` (a word_problem spec) contradicts `query`, or "" (see the module docstring).
    `told`: the fractions the query says in words (`grounding.told_fractions`)."""
    parsed = _ops(spec)
    if parsed is None:
        return ""
    entity, initial, ops = parsed
    return (_fraction_conflict(spec, told) or _count_conflict(query, spec) or _multiplier_conflict(query, spec)
            or _unsaid_multiplier(query, ops) or _group_conflict(query, spec)
            or _direction_conflict(query, entity, initial, ops))


__all__ = ["EN_NUMBERS", "story_conflict"]
