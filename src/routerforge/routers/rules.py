"""The `rules` baseline: a regex/keyword router (like the original experiment's DirectCoTRewriter).

It decides in a fixed order: a time-in-a-place request (places resolved by the time expert's
gazetteer) -> a scheduling request with durations -> a word problem (a story with several
quantities) -> an arithmetic expression (symbols or number words) -> chat. `extract_spec(query, cls)`
is also used by the embedding router to write a best-effort spec for a class it predicted.

This is an honest baseline: the rules were written from the expert docs, never tuned on benchmarks.
"""

from __future__ import annotations

import ast
import re
import time

from routerforge.routers.base import Routed, finish

# ------------------------------------------------------------------ number words

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
# "and" is not a joiner: "add five and six" must stay two numbers
_NUMWORD = re.compile(r"\b(?:%s)\b(?:(?:\s+|-)\b(?:%s)\b)*" % (
    "|".join([*_UNITS, *_TENS, *_SCALES]), "|".join([*_UNITS, *_TENS, *_SCALES])), re.IGNORECASE)


def _words_value(words: list[str]) -> int:
    total = current = 0
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w in _SCALES:
            total += max(current, 1) * _SCALES[w]
            current = 0
    return total + current


def words_to_numbers(text: str) -> str:
    """'twenty five times thirty-eight' -> '25 times 38' (standalone 'a'/'an' are left alone)."""
    def repl(m: re.Match) -> str:
        words = re.split(r"[\s-]+", m.group().lower())
        return str(_words_value(words))

    return _NUMWORD.sub(repl, text)


# ------------------------------------------------------------------ arithmetic

_NUM = r"\d+(?:\.\d+)?"
_OPWORDS = [  # (pattern, replacement) applied after number words are digits
    (rf"(?:the\s+)?square\s+root\s+of\s+({_NUM})", r"(\1 ** 0.5)"),
    (rf"(?:the\s+)?sum\s+of\s+({_NUM})\s+and\s+({_NUM})", r"\1 + \2"),
    (rf"(?:the\s+)?product\s+of\s+({_NUM})\s+and\s+({_NUM})", r"\1 * \2"),
    (rf"(?:the\s+)?difference\s+between\s+({_NUM})\s+and\s+({_NUM})", r"\1 - \2"),
    (rf"\badd\s+({_NUM})\s+(?:and|to)\s+({_NUM})", r"\1 + \2"),
    (rf"\bsubtract\s+({_NUM})\s+from\s+({_NUM})", r"\2 - \1"),
    (rf"\bmultiply\s+({_NUM})\s+(?:by|and|with)\s+({_NUM})", r"\1 * \2"),
    (rf"\bdivide\s+({_NUM})\s+by\s+({_NUM})", r"\1 / \2"),
    (rf"({_NUM})\s*(?:%|percent)\s+of\s+({_NUM})", r"\2 * \1 / 100"),
    (r"\bmultiplied\s+by\b|\btimes\b", "*"), (r"\bdivided\s+by\b|\bover\b", "/"),
    (r"\bplus\b", "+"), (r"\bminus\b", "-"), (r"\bto\s+the\s+power\s+of\b", "**"), (r"\bsquared\b", "** 2"),
    (rf"(?<=\d)\s*[x×]\s*(?={_NUM})", " * "), (r"÷", "/"), (r"−", "-"), (r"\^", "**"),
]
_EXPR = re.compile(r"[\d(][\d\s.+\-*/()]*[\d)]")
_ROOT_OP = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide",
            ast.FloorDiv: "divide", ast.Mod: "divide", ast.Pow: "multiply"}


def find_expression(query: str) -> str | None:
    """The arithmetic expression in a query (symbols or words), or None."""
    text = words_to_numbers(query)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    for pat, rep in _OPWORDS:
        text = re.sub(pat, rep, text, flags=re.IGNORECASE)
    best = None
    for m in _EXPR.finditer(text):
        cand = " ".join(m.group().split())
        if re.search(r"\d\s*[-+*/]", cand) and len(cand) > len(best or ""):
            best = cand
    if best is None:
        return None
    try:  # keep only expressions that are well formed (ast parses, never evaluates)
        tree = ast.parse(best, mode="eval")
    except SyntaxError:
        return None
    return best if isinstance(tree.body, ast.BinOp) else None


def arithmetic_expert(expr: str) -> str:
    """The expert named after the root operation of the expression (`(54+23)/2` -> divide)."""
    body = ast.parse(expr, mode="eval").body
    return _ROOT_OP.get(type(getattr(body, "op", None)), "add")


# ------------------------------------------------------------------ word problems

_STORY = re.compile(r"\b(has|have|had|buys?|bought|sells?|sold|eats?|ate|gives?|gave|gets?|got|spends?|spent|"
                    r"earns?|makes?|made|pays?|paid|costs?|each|every|per|left|remain\w*|total|altogether|rest)\b", re.I)
_ASK = re.compile(r"\bhow\s+(many|much|long|far|old)\b|\bin\s+total\b|\bwhat\s+is\s+the\s+total\b", re.I)
_MINUS = re.compile(r"\b(eats?|ate|gives?|gave|loses?|lost|spends?|spent|uses?|used|bakes?|baked|sells?|sold|"
                    r"fewer|less|away|off|out|leaves?|left|breaks?|broke|drops?|dropped|minus|removes?|removed|"
                    r"takes?|took)\b", re.I)
_PLUS = re.compile(r"\b(buys?|bought|gets?|got|finds?|found|more|adds?|added|receives?|received|gains?|"
                   r"gained|earns?|earned|plus|another|collects?|collected)\b", re.I)
_TIMES = re.compile(r"\b(each|per|apiece|every|times|a\s+piece)\b|\$\s*$|\bfor\s*\$?\s*$", re.I)
_DIVIDE = re.compile(r"\b(split|shares?|shared|divides?|divided|among|between|equally)\b", re.I)
_NUMTOK = re.compile(r"\$?\s?(\d+(?:\.\d+)?)\s*(%|percent\b)?")


def _entity(after: str) -> str:
    m = re.match(r"\s*([A-Za-z][A-Za-z_-]*)", after)
    word = m.group(1).lower() if m else "x"
    stop = {"and", "of", "the", "a", "an", "more", "in", "on", "at", "to", "for", "from", "with", "is", "are"}
    return "x" if word in stop else word


def _op_cue(clause: str, after: str, price: bool) -> str | None:
    """The operation the words around a number suggest (`clause` before it, `after` it), or None.
    `price`: the number is a $ amount."""
    if _DIVIDE.search(clause):
        return "/"
    if (re.match(r"\s*(each|apiece|per|a\s+piece|times)\b", after, re.I) or _TIMES.search(clause)
            or (price and re.search(r"\b(for|at)\s*$", clause, re.I))):
        return "*"
    for words in (clause, after):
        if _MINUS.search(words):
            return "-"
        if _PLUS.search(words):
            return "+"
    return None


def word_problem_spec(query: str) -> str | None:
    """Best-effort `entity:initial | ops` from a story: the first quantity, then one op per number,
    chosen by the verbs between numbers (each/per -> *, eats/sells -> -, buys/finds -> +)."""
    text = words_to_numbers(query)
    nums = list(_NUMTOK.finditer(text))
    if not nums:
        return None
    first = nums[0]
    entity = "dollars" if first.group().startswith("$") else _entity(text[first.end():])
    parts = [f"{entity}:{first.group(1)} |"]
    for prev, m in zip(nums, nums[1:]):
        between, value = text[prev.end():m.start()], m.group(1)
        if m.group(2):  # a percentage: "25% off" -> *0.75, else *0.25
            frac = float(value) / 100
            off = re.match(r"\s*(?:%|percent)?\s*(off|discount|less)", text[m.end() - 1:], re.I)
            parts.append(f"*{1 - frac:g}" if off else f"*{frac:g}")
            continue
        clause = re.split(r"[.,;!?]|\band\b|\bthen\b|\bbut\b", between)[-1]
        after = re.split(r"[.,;!?\d]", text[m.end():], maxsplit=1)[0]  # "10 drive away", "2 times as many"
        op = _op_cue(clause, " ".join(after.split()[:3]), m.group().lstrip().startswith("$"))
        if op is None:
            op = "-" if re.search(r"\b(left|rest|remain)", query, re.I) else "+"
        parts.append(f"{op}{value}")
    return " ".join(parts)


def looks_like_word_problem(query: str) -> bool:
    n = len(_NUMTOK.findall(words_to_numbers(query)))
    words = len(query.split())
    return n >= 2 and words >= 8 and (bool(_ASK.search(query)) or len(_STORY.findall(query)) >= 2)


# ------------------------------------------------------------------ schedules

_SCHED_CUE = re.compile(r"\b(schedul\w*|meetings?|calendar|slots?|appointments?|arrange|book|plan|agenda)\b", re.I)
_DUR = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(hours?|hrs?|h|minutes?|mins?|m)\b", re.I)
_NOT_NAMES = {"Schedule", "Book", "Can", "Could", "Find", "Plan", "Please", "Arrange", "Set", "I", "My", "A", "The",
              "Put", "Make", "Fit", "Add", "Then", "And", "With", "For", "Meeting", "Each", "Also"}


_FILLER = {"for", "a", "an", "needs", "need", "takes", "take", "lasting", "of", "about", "around", "is", "will",
           "should", "must", "would"}
_NOT_TASKS = {n.lower() for n in _NOT_NAMES} | {"schedule", "and", "then", "meeting", "slot", "session", "to", "in"}


def _name_before(text: str, taken: set[str]) -> str | None:
    """The task right before a duration: 'Alice (2hr)', 'piano for 1 hour', 'Bob: 30 min'."""
    for word in reversed(re.findall(r"[A-Za-z][\w-]*", text)[-4:]):
        if word.lower() in _FILLER:
            continue
        return None if word.lower() in _NOT_TASKS or word in taken else word
    return None


def schedule_spec(query: str) -> str | None:
    """Best-effort `Name:dur,Name:dur | constraints` from a request naming people/tasks and durations."""
    text = words_to_numbers(query)
    tasks, taken = [], set()
    durs = list(_DUR.finditer(text))
    for i, d in enumerate(durs):
        lo = durs[i - 1].end() if i else 0
        hi = durs[i + 1].start() if i + 1 < len(durs) else len(text)
        name = _name_before(text[lo:d.start()], taken)
        if name is None:  # "a 2 hour meeting with Alice": a capitalised name anywhere in the clause
            names = [n for n in re.findall(r"\b[A-Z][a-z]+\b", text[lo:hi]) if n not in _NOT_NAMES and n not in taken]
            name = names[0] if names else f"task{i + 1}"
        taken.add(name)
        unit = "hr" if d.group(2).lower().startswith("h") else "min"
        tasks.append(f"{name}:{float(d.group(1)):g}{unit}")
    if not tasks:
        return None
    cons = []
    if re.search(r"overlap|same\s+time|conflict|clash|separate", query, re.I):
        cons.append("no_overlap")
    if re.search(r"back[\s-]to[\s-]back|one\s+after\s+(?:the\s+)?another|in\s+(?:that\s+)?order|sequential", query, re.I):
        cons.append("sequential")
    return ",".join(tasks) + (f" | {','.join(cons)}" if cons else "")


# ------------------------------------------------------------------ time

_TIME_ASK = re.compile(r"\bwhat\s+time\s+is\s+it\b|\bwhat(?:'s|\s+is)\s+the\s+time\b|\b(current|local)\s+time\b|"
                       r"\btime\s+(?:is\s+it\s+)?(?:right\s+)?now\b", re.I)
_TIME_WORD = re.compile(r"\btime\b|\bclock\b|\bo'?clock\b|\bhour\s+is\s+it\b", re.I)


def _resolve(text: str) -> str | None:
    try:
        from routerforge.experts.timezone import resolve_zone
    except ImportError:
        return None
    try:
        zone = resolve_zone(text)
    except Exception:  # unknown place: the gazetteer raises its own error
        return None
    return str(zone) if zone else None


def find_zone(query: str) -> str | None:
    """The zone of the place a query names: the phrase after in/at/for, longest words first."""
    for m in reversed(list(re.finditer(r"\b(?:in|at|for|of)\s+([^?.!;]+)", query, re.I))):
        words = re.sub(r"[^\w\s,'/-]", " ", m.group(1)).split()
        for n in range(min(4, len(words)), 0, -1):
            zone = _resolve(" ".join(words[:n]).strip(","))
            if zone:
                return zone
    for segment in re.split(r"[,;:?!()]", query):  # "current local time, Bogotá?"
        words = segment.split()
        for n in range(min(4, len(words)), 0, -1):
            zone = _resolve(" ".join(words[-n:]))
            if zone:
                return zone
    for m in re.finditer(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)", query):  # e.g. "Tokyo time now"
        zone = _resolve(m.group(1))
        if zone:
            return zone
    words = re.findall(r"[a-z]+", query.lower())  # lower-case "tokyo time now"
    for w in words:
        if len(w) > 3 and w not in {"time", "what", "tell", "current", "local", "clock", "right", "there"}:
            zone = _resolve(w)
            if zone:
                return zone
    return None


def time_spec(query: str) -> str | None:
    if not _TIME_WORD.search(query):
        return None
    zone = find_zone(query)
    if zone:
        return zone
    return "UTC" if _TIME_ASK.search(query) else None


# ------------------------------------------------------------------ the router

def classify(query: str) -> tuple[str, str]:
    """(expert, spec) for a query."""
    spec = time_spec(query)
    if spec:
        return "time", spec
    if _SCHED_CUE.search(query) or len(_DUR.findall(query)) >= 2:
        spec = schedule_spec(query)
        if spec:
            return "schedule", spec
    expr = find_expression(query)
    explicit = bool(re.search(r"\d\s*[-+*/×÷^]\s*\d", query))
    if looks_like_word_problem(query) and not (explicit and len(query.split()) < 12):
        spec = word_problem_spec(query)
        if spec:
            return "word_problem", spec
    if expr:
        return arithmetic_expert(expr), expr
    return "chat", ""


def extract_spec(query: str, expert_class: str) -> tuple[str, str]:
    """(expert, spec) for a query whose class is already decided (used by the embedding router)."""
    if expert_class == "math":
        expr = find_expression(query)
        return (arithmetic_expert(expr), expr) if expr else ("add", "0")
    if expert_class == "word_problem":
        return "word_problem", word_problem_spec(query) or "x:0 |"
    if expert_class == "schedule":
        return "schedule", schedule_spec(query) or "task:1hr"
    if expert_class == "time":
        return "time", find_zone(query) or "UTC"
    return expert_class, ""


class RulesRouter:
    """Keyword/regex router; non-generative (Routed.raw is None)."""

    name = "rules"

    def route(self, query: str) -> Routed:
        started = time.perf_counter()
        expert, spec = classify(query)
        return finish(query, expert, spec, started=started)

    def route_batch(self, queries: list[str]) -> list[Routed]:
        return [self.route(q) for q in queries]
