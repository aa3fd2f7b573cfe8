"""Word-problem templates: a short story about a quantity that changes step by step.

The spec is `entity:start | op op ...` (`eggs:16 | -3 -4 *2`). A chain of operations is drawn first
(whole numbers at every step: nothing goes negative, divisions come out even), then each operation is
told as a clause in story order with a verb that means exactly that operation, so the story and the
spec always agree. Stories are written for this project, in present or past tense, in several voices:
a person with objects, a container, a shop, a crowd, a wallet, a book's pages and a discounted price.

The multi-step stories (STEP_TEMPLATES, below) also use the expert's expression operands: products
(`apples:5*8 | -6`), rates x time (`dollars:12*6 | -20`), a product taken from a total (`dollars:50 | -3*9`),
a fraction or percentage taken away (`stickers:80 | *(1-1/4) +5`, `comics:35 | -60% -6`) and equal shares (`cookies:24 | /4`,
`cookies:24 | /(2+4)`); their conventions are listed at STEP_TEMPLATES.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from routerforge.data.slots import NAMES, cap, join_and, plain
from routerforge.data.templates.base import Pools, Sample, Template, pick
from routerforge.data.templates.word_data import (BINS, CONTAINERS, CROWDS, EXTRAS, FRACTIONS, GOODS, GROUP_PHRASES,
                                                  GROUP_STEPS, GROUPS, ITEMS, MONEY, MONEY_RATE_STARTS, MONEY_STEPS,
                                                  NUMBER_WORDS, PERCENT_OFF, PRODUCTION, PRODUCTS, RATE_SCENES, SHARERS,
                                                  VOICES)

Op = tuple[str, int]  # ("+", 3)
TENSE = {"present": 0, "past": 1}


def chain(rng: random.Random, start: int, n_ops: int, allowed: str = "+-*/") -> list[Op]:
    """Operations applied left to right, keeping every intermediate a positive whole number."""
    ops: list[Op] = []
    value = start
    for _ in range(n_ops):
        choices: list[tuple[str, float]] = [("+", 0.35)]
        if value > 2 and "-" in allowed:
            choices.append(("-", 0.4))
        if "*" in allowed and value * 2 <= 600 and not any(o == "*" for o, _ in ops):
            choices.append(("*", 0.12))
        divisors = [k for k in (2, 3, 4, 5) if value % k == 0 and value // k >= 2]
        if "/" in allowed and divisors and not any(o == "/" for o, _ in ops):
            choices.append(("/", 0.13))
        op = rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        if op == "+":
            k = rng.randint(1, max(5, min(40, value)))
            value += k
        elif op == "-":
            k = rng.randint(1, min(40, value - 1))
            value -= k
        elif op == "*":
            k = rng.choice([m for m in (2, 2, 3, 4) if value * m <= 600])
            value *= k
        else:
            k = rng.choice(divisors)
            value //= k
        ops.append((op, k))
    return ops


def spec_of(entity: str, start: int | Fraction, ops: list[Op | tuple[str, str]]) -> str:
    return f"{entity}:{plain(Fraction(start))} | " + " ".join(f"{o}{k}" for o, k in ops)


def clause(rng: random.Random, voice: dict, op: Op, tense: str, ctx: dict[str, str]) -> str:
    """One story clause for an operation; `voice` maps op keys to (present, past) phrase pairs."""
    o, k = op
    keys = {"+": ["+"], "-": ["-"], "*": [f"*{k}", "*k"], "/": [f"/{k}", "/k"]}[o]
    bank = [p for key in keys for p in voice.get(key, ())]
    if not bank:
        raise ValueError(f"voice has no phrase for {o}{k}")
    phrase = bank[rng.randrange(len(bank))][TENSE[tense]]
    return phrase.format(n=k, k=k, **ctx)


def _person(rng: random.Random, pools: Pools, exclude: str = "") -> tuple[str, str]:
    for _ in range(20):
        name, pron = pick(rng, pools["names"])
        if name != exclude:
            return name, pron
    return name, pron


def _item_voice(item: dict) -> dict:
    """The person voice plus the item's own verbs (its own verbs twice as likely)."""
    voice = {k: list(v) for k, v in VOICES["person"].items()}
    for key in ("+", "-"):
        voice[key] = voice[key] + 2 * list(item.get(key, ()))
    return voice


def story(tid: str, pattern: str, *, voice: str = "item", tense: str = "present", n_ops: tuple[int, int] = (1, 4),
          allowed: str = "+-*/", steps: str = "inline") -> Template:
    """A story template. `pattern` placeholders: {Name} {name} {Pron} {pron} {poss} {start} {noun}
    {place} {steps}; `voice` picks the verb bank and the entity pool; `steps` how clauses are joined
    (inline: "eats 3, buys 4 and then doubles them"; sentences: "First ... Then ... Finally ...")."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron = _person(rng, pools)
        other, _ = _person(rng, pools, exclude=name)
        ctx = {"pron": pron, "poss": "her" if pron == "she" else "his", "other": other}
        slots: dict = {"names": [name]}
        if voice == "item":
            item = pick(rng, pools["items"])
            entity, noun, bank, place = item["key"], item["noun"], _item_voice(item), ""
            slots["entity"] = noun
        elif voice == "container":
            item, place = pick(rng, pools["items"]), pick(rng, pools["containers"])
            entity, noun, bank = item["key"], item["noun"], VOICES["container"]
            ctx["place"] = place
            slots["entity"] = noun
        elif voice == "crowd":
            crowd = pick(rng, pools["crowds"])
            entity, noun, place = crowd["key"], crowd["noun"], crowd["place"]
            bank = {"+": crowd["+"], "-": crowd["-"]}
            slots["entity"] = noun
        elif voice == "money":
            entity, noun, place, bank = "dollars", "dollars", "", MONEY
            ctx["thing"] = pick(rng, pools["products"])
        else:
            raise ValueError(voice)
        start = rng.randint(8, 120) if voice != "money" else rng.choice([rng.randint(10, 200), 5 * rng.randint(4, 60)])
        ops = chain(rng, start, rng.randint(*n_ops), allowed if voice != "crowd" else "+-")
        clauses = [clause(rng, bank, op, tense, {**ctx, "thing": pick(rng, pools["products"])}) for op in ops]
        if steps == "inline":
            text = join_and(clauses, rng.choice(["and then", "then", "and"])) if len(clauses) > 1 else clauses[0]
        elif steps == "sentences":
            text = _sentences(clauses, pron, rng)
        else:  # "stops": a crowd changing at each stop or hour
            text = " ".join(f"{cap(when)}, {c}." for when, c in zip(_ordinals(noun, len(clauses)), clauses))
        fill = {"Name": name, "name": name, "Pron": cap(pron), "pron": pron, "poss": ctx["poss"],
                "start": str(start), "noun": noun, "place": place, "steps": text, "other": other}
        query = pattern.format(**fill)
        return Sample(query, spec_of(entity, start, ops), slots, keep=tuple(k for k in (name, other, noun) if k in query),
                      keep_case=(noun,) if noun in query else ())

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


def _sentences(clauses: list[str], pron: str, rng: random.Random) -> str:
    heads = ["First", "Then", "After that", "Next", "Later"]
    out = []
    for i, c in enumerate(clauses):
        head = heads[min(i, len(heads) - 1)] if i < len(clauses) - 1 or i == 0 else rng.choice(["Finally", "Last"])
        out.append(f"{head} {pron} {c}.")
    return " ".join(out)


def _ordinals(noun: str, n: int) -> list[str]:
    if noun == "passengers":
        return ["at the first stop", "at the second stop", "at the third stop", "at the fourth stop"][:n]
    return ["in the first hour", "in the second hour", "in the third hour", "in the fourth hour"][:n]


def discount(tid: str, pattern: str, extra: str = "") -> Template:
    """price:P | -F% [+fee | -coupon]: a price, a percentage off, then maybe a fee or a coupon."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron = _person(rng, pools)
        product = pick(rng, pools["products"])
        price = rng.choice([rng.randint(8, 300), 5 * rng.randint(2, 80)])
        off = rng.choice([10, 15, 20, 25, 30, 40, 50, 60, 75])
        ops: list[tuple[str, str]] = [("-", f"{off}%")]  # copied from the story, not 100 - off
        fill = {"Name": name, "name": name, "pron": pron, "Pron": cap(pron), "product": product,
                "price": str(price), "off": str(off)}
        if extra:  # a coupon never exceeds the sale price (a $15 coupon on a $9 bottle made prices negative)
            amount = rng.randint(2, max(2, min(15, price * (100 - off) // 100 - 1)))
            ops.append(("+" if extra == "fee" else "-", str(amount)))
            fill["amount"] = str(amount)
        return Sample(pattern.format(**fill), spec_of("price", price, ops), {"names": [name]}, keep=(name, product))

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


def pages(tid: str, pattern: str) -> Template:
    """pages:N | -a -b ...: reading a book over several days."""
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron = _person(rng, pools)
        total = rng.randint(120, 600)
        n = rng.randint(1, 4)
        first = rng.randrange(len(days) - n + 1)
        reads = [rng.randint(10, total // (n + 1)) for _ in range(n)]
        parts = [f"{r} pages on {d}" if i == 0 else f"{r} on {d}" for i, (r, d) in enumerate(zip(reads, days[first:]))]
        fill = {"Name": name, "name": name, "pron": pron, "total": str(total), "reads": join_and(parts)}
        return Sample(pattern.format(**fill), spec_of("pages", total, [("-", r) for r in reads]), {"names": [name]},
                      keep=(name,))

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


# ------------------------------------------------------------------ multi-step stories
# Products, rates x time, a fraction or percentage of the current amount, products taken from a total and
# equal shares, mixed 2-4 steps. Conventions (the spec a careful person writes, one way for each idea):
#   * a product or rate is one term, its factors in the order the story states them: "5 boxes of 8 apples"
#     -> `apples:5*8`, "works 6 hours at $12 an hour" -> `6*12`, "buys 3 tickets at $9 each" -> `-3*9`;
#   * a percentage of what there is is copied as a percent (`-20%`: "spends 20% of it", "25% off"), and
#     a fraction taken away multiplies by what remains, its numbers copied: "gives away two fifths" ->
#     `*(1-2/5)`; the model never computes 100 - 20 or 1 - 2/5 itself. Only "half" keeps `/2`;
#   * an equal share is a division by the number of sharers: "among 4 friends" -> `/4`, "between 2 adults
#     and 3 children" -> `/(2+3)`; the question then asks for one share.
# Every value along the way is a positive whole number. `slots["steps"]` records what the story says
# ([kind, numbers...]) so tests can recompute the answer without reading the spec.


@dataclass
class Step:
    op: str  # the spec op: "-6", "+3*6", "-20%", "*(1-1/4)", "/4", "/(2+3)"
    record: list  # [kind, numbers...] as told: ["sub_product", 3, 9], ["take_fraction", 1, 4]
    phrase: tuple[str, str]  # (present, past), already filled in
    keep: tuple[str, ...] = ()


def _count(rng: random.Random, n: int, words: float = 0.2) -> tuple[str, tuple[str, ...]]:
    """A small count as a user writes it: mostly digits, sometimes a word ("three")."""
    if n in NUMBER_WORDS and rng.random() < words:
        return NUMBER_WORDS[n], (NUMBER_WORDS[n],)
    return str(n), ()


def _fill(pair: tuple[str, str], **kw) -> tuple[str, str]:
    return pair[0].format(**kw), pair[1].format(**kw)


class _Money:
    """How one story writes amounts: `$12`, `€12`, `12 dollars` or `12 euros`; the spec's entity follows."""

    def __init__(self, rng: random.Random):
        self.style = rng.choice(["$", "$", "€", "dollars", "euros"])
        self.entity = "euros" if self.style in ("€", "euros") else "dollars"

    def __call__(self, value: Fraction | int) -> str:
        value = Fraction(value)
        text = plain(value) if value.denominator == 1 else f"{float(value):.2f}"
        if self.style in ("$", "€"):
            return f"{self.style}{text}"
        return f"{text} {self.style[:-1] if value == 1 else self.style}"  # 1 dollar, 2 dollars

    @property
    def keep(self) -> tuple[str, ...]:
        return (self.style,) if self.style in ("dollars", "euros") else ()


def _take_fraction(rng: random.Random, value: int, bank: list[tuple[str, str]], ctx: dict) -> Step | None:
    options = [(w, a, b) for w, a, b in FRACTIONS if (value * a) % b == 0 and value - value * a // b >= 1]
    if not options:
        return None
    word, a, b = options[rng.randrange(len(options))]
    return Step(f"*(1-{a}/{b})", ["take_fraction", a, b], _fill(pick(rng, bank), frac=word, **ctx),
                (word,))


def _take_percent(rng: random.Random, value: int, bank: list[tuple[str, str]], ctx: dict) -> Step | None:
    options = [p for p in PERCENT_OFF if (value * p) % 100 == 0 and value - value * p // 100 >= 1]
    if not options:
        return None
    p = rng.choice(options)
    return Step(f"-{p}%", ["take_percent", p], _fill(pick(rng, bank), pct=p, **ctx))


def _take_half(rng: random.Random, value: int, bank: list[tuple[str, str]], ctx: dict) -> Step | None:
    if value % 2 or value < 2:
        return None
    return Step("/2", ["take_half"], _fill(pick(rng, bank), **ctx), ("half",))


def _item_step(rng: random.Random, kind: str, value: int, ctx: dict) -> Step | None:
    """One step of a story about countable items (GROUP_STEPS), or None when it cannot apply to `value`."""
    bank = GROUP_STEPS.get(kind, [])
    if kind == "+":
        n = rng.randint(1, max(5, min(30, value)))
        return Step(f"+{n}", ["add", n], _fill(pick(rng, bank + ctx["gain"]), n=n, **ctx))
    if kind == "-":
        if value < 3:
            return None
        n = rng.randint(1, min(30, value - 1))
        return Step(f"-{n}", ["sub", n], _fill(pick(rng, bank + ctx["loss"]), n=n, **ctx))
    if kind == "+k*m":
        k, m = rng.randint(2, 5), rng.choice([4, 5, 6, 8, 10, 12])
        k_text, keep = _count(rng, k)
        return Step(f"+{k}*{m}", ["add_product", k, m], _fill(pick(rng, bank), k=k_text, m=m, **ctx), keep)
    if kind == "-r*t":
        pairs = [(r, t) for r in range(2, 11) for t in range(2, 8) if r * t < value]
        if not pairs:
            return None
        r, t = pairs[rng.randrange(len(pairs))]
        t_text, keep = _count(rng, t)
        return Step(f"-{r}*{t}", ["sub_product", r, t], _fill(pick(rng, bank), r=r, t=t_text, **ctx), keep)
    if kind == "frac":
        return _take_fraction(rng, value, bank, ctx)
    if kind == "pct":
        return _take_percent(rng, value, bank, ctx)
    if kind == "half":
        return _take_half(rng, value, bank, ctx)
    raise ValueError(kind)


def _money_step(rng: random.Random, kind: str, value: int, ctx: dict) -> Step | None:
    """One step of a money story (MONEY_STEPS); amounts are whole and the money never runs out."""
    bank, c = MONEY_STEPS[kind], ctx["money"]
    if kind == "+":
        n = rng.randint(2, 60)
        return Step(f"+{n}", ["add", n], _fill(pick(rng, bank), c=c(n), **ctx))
    if kind == "-":
        if value < 3:
            return None
        n = rng.randint(1, min(60, value - 1))
        return Step(f"-{n}", ["sub", n], _fill(pick(rng, bank), c=c(n), **ctx))
    if kind in ("-k*p", "-p*k"):
        pairs = [(k, p) for k in range(2, 7) for p in range(2, 41) if k * p < value]
        if not pairs:
            return None
        k, p = pairs[rng.randrange(len(pairs))]
        k_text, keep = _count(rng, k)
        op = f"-{k}*{p}" if kind == "-k*p" else f"-{p}*{k}"
        return Step(op, ["sub_product", k, p], _fill(pick(rng, bank), k=k_text, p=c(p), **ctx), keep)
    if kind in ("+r*t", "+t*r"):
        r, t = rng.randint(5, 30), rng.randint(2, 9)
        t_text, keep = _count(rng, t)
        op = f"+{r}*{t}" if kind == "+r*t" else f"+{t}*{r}"
        return Step(op, ["add_product", r, t], _fill(pick(rng, bank), r=c(r), t=t_text, **ctx), keep)
    if kind == "frac":
        return _take_fraction(rng, value, bank, ctx)
    if kind == "pct":
        return _take_percent(rng, value, bank, ctx)
    if kind == "half":
        return _take_half(rng, value, bank, ctx)
    raise ValueError(kind)


def _share(rng: random.Random, value: int, noun: str, after_steps: str, mixed: bool = False,
           money: bool = False, everything: str = "them") -> tuple[Step, tuple[str, str]] | None:
    """The last step, an equal share: (step, (present question, past question)), or None if nothing
    divides `value` evenly. `after_steps`: "" (nothing happened before), "added" or "removed" (what
    came before took some away: "the rest"); `everything`: how to say all of it ("all the apples" when
    the story counted boxes). `mixed`: the sharers are two groups, `/(a+b)`."""
    if after_steps == "removed":
        them, them_past = ("what is left", "what was left") if money else ("the rest", "the rest")
    elif after_steps or everything != "them":
        them = them_past = "it all" if money else everything if everything != "them" else "them all"
    else:
        them = them_past = "the money" if money else "them"
    how = "How much money" if money else f"How many {noun}"
    if mixed:
        (g1, _), (g2, _) = rng.sample(SHARERS, 2)
        splits = [(a, b) for a in range(2, 7) for b in range(2, 7) if value % (a + b) == 0 and value // (a + b) >= 2]
        if not splits:
            return None
        a, b = splits[rng.randrange(len(splits))]
        (at, ka), (bt, kb) = _count(rng, a), _count(rng, b)
        verb = rng.choice([("shares", "shared"), ("splits", "split"), ("divides", "divided")])
        phrase = (f"{verb[0]} {them} equally between {at} {g1} and {bt} {g2}",
                  f"{verb[1]} {them_past} equally between {at} {g1} and {bt} {g2}")
        q = (f"{how} does each of them get?", f"{how} did each of them get?")
        return Step(f"/({a}+{b})", ["share_sum", a, b], phrase, ka + kb), q
    ks = [k for k in range(2, 9) if value % k == 0 and value // k >= 2]
    if not ks:
        return None
    k = rng.choice(ks)
    kt, keep = _count(rng, k)
    if not money and rng.random() < 0.35:
        bins, one = pick(rng, BINS)
        verb = rng.choice([("packs", "packed"), ("puts", "put"), ("sorts", "sorted")])
        phrase = (f"{verb[0]} {them} equally into {kt} {bins}", f"{verb[1]} {them_past} equally into {kt} {bins}")
        q = (f"How many {noun} go in each {one}?", f"How many {noun} went in each {one}?")
    else:
        group, one = pick(rng, SHARERS)
        verb = rng.choice([("shares", "shared"), ("splits", "split"), ("divides", "divided")])
        prep = rng.choice(["among", "between"])
        phrase = (f"{verb[0]} {them} equally {prep} {kt} {group}", f"{verb[1]} {them_past} equally {prep} {kt} {group}")
        q = (f"{how} does each {one} get?", f"{how} did each {one} get?")
    return Step(f"/{k}", ["share", k], phrase, keep), q


REMOVING = {"-", "-k*p", "-p*k", "-r*t", "frac", "pct", "half"}  # step kinds that take something away


def _draw(rng: random.Random, make, start: int, kinds: list[str], n: int, ctx: dict,
          need: str = "") -> list[Step] | None:
    """n steps drawn from `kinds` (at most one fraction-like step), at least one of the kinds in `need`
    when it is set; None when the draw runs into a value that is not a positive whole number."""
    steps: list[Step] = []
    chosen: list[str] = []
    needed = set(need.split())
    value = Fraction(start)
    for i in range(n):
        options = [k for k in kinds if not (k in ("frac", "pct", "half") and set(chosen) & {"frac", "pct", "half"})]
        if needed and i == n - 1 and not needed & set(chosen):
            options = [k for k in options if k in needed] or options
        removed = bool(set(chosen) & REMOVING)
        if removed:
            rest = rng.choice([("what is left", "what was left"), ("the rest", "the rest")])
            words = {"them": rest[0], "them_past": rest[1], "it": rest[0], "it_past": rest[1]}
        elif steps:  # only added to so far: say it is everything now, not just what was added
            has, had = f"what {ctx['pron']} has", f"what {ctx['pron']} had"
            words = {"them": has, "them_past": had, "it": has, "it_past": had}
        else:  # the first step: all of it ("the apples" after "5 boxes of 8 apples", not the boxes)
            them = ctx.get("all", "them")
            words = {"them": them, "them_past": them, "it": "the money", "it_past": "the money"}
        for _ in range(8):
            kind = rng.choice(options)
            step = make(rng, kind, int(value), {**ctx, **words})
            if step is not None:
                break
        else:
            return None
        steps.append(step)
        chosen.append(kind)
        value = _apply_record(value, step.record)
        if value.denominator != 1 or value < 1:
            return None
    if needed and not needed & set(chosen):
        return None
    return steps


def _apply_record(value: Fraction, record: list) -> Fraction:
    kind, *nums = record
    if kind == "add":
        return value + nums[0]
    if kind == "sub":
        return value - nums[0]
    if kind == "add_product":
        return value + nums[0] * nums[1]
    if kind == "sub_product":
        return value - nums[0] * nums[1]
    if kind == "take_fraction":
        return value * (nums[1] - nums[0]) / nums[1]
    if kind == "take_percent":
        return value * (100 - nums[0]) / 100
    if kind == "take_half":
        return value / 2
    if kind == "share":
        return value / nums[0]
    if kind == "share_sum":
        return value / (nums[0] + nums[1])
    raise ValueError(kind)


def _before(steps: list[Step]) -> str:
    if not steps:
        return ""
    return "removed" if any(s.record[0] not in ("add", "add_product") for s in steps) else "added"


def _join(rng: random.Random, clauses: list[str]) -> str:
    return join_and(clauses, rng.choice(["and then", "then", "and"])) if len(clauses) > 1 else clauses[0]


def _sentences_of(rng: random.Random, clauses: list[str], pron: str) -> str:
    heads = ["First", "Then", rng.choice(["After that", "Next"])]
    out = []
    for i, c in enumerate(clauses):
        head = heads[min(i, len(heads) - 1)] if i < len(clauses) - 1 or i == 0 else rng.choice(["Finally", "Last"])
        out.append(f"{head} {pron} {c}.")
    return " ".join(out)


def _people(rng: random.Random, pools: Pools) -> tuple[str, str, str, dict]:
    name, pron = _person(rng, pools)
    other, _ = _person(rng, pools, exclude=name)
    return name, pron, other, {"pron": pron, "poss": "her" if pron == "she" else "his", "other": other}


def _group_item(rng: random.Random, pools: Pools) -> tuple[dict, tuple[str, str]]:
    items = [it for it in pools["items"] if it["key"] in GROUPS]
    item = pick(rng, items)
    return item, pick(rng, GROUPS[item["key"]])


def _sample(query: str, entity: str, start: str, steps: list[Step], slots: dict, keep: list[str],
            start_record: list) -> Sample:
    spec = f"{entity}:{start} | " + " ".join(s.op for s in steps)
    slots = {**slots, "steps": [start_record, *(s.record for s in steps)]}
    words = [k for s in steps for k in s.keep]
    keep_all = tuple(dict.fromkeys(k for k in [*keep, *words] if k and k in query))
    return Sample(query, spec.rstrip(), slots, keep=keep_all,
                  keep_case=tuple(k for k in (slots.get("entity", ""),) if k and k in query))


def items_story(tid: str, pattern: str, *, start: str = "group", tense: str = "present", n: tuple[int, int] = (1, 3),
                kinds: tuple[str, ...] = ("+", "-", "+k*m", "-r*t", "frac", "pct", "half"), need: str = "",
                share: str = "", steps: str = "inline") -> Template:
    """A story about countable items. `start`: "group" (`{start}` is "5 boxes of 8 apples", spec `5*8`) or
    "plain" (`{start}` is "40 apples"); then n steps from `kinds` (`need`: at least one of these kinds);
    `share`: "" | "plain" | "mixed" ends with an equal share and `{question}` asks for one share.
    Placeholders: {Name} {name} {Pron} {pron} {start} {noun} {steps} {question}."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        for _ in range(50):
            name, pron, other, ctx = _people(rng, pools)
            item, (_, groups) = _group_item(rng, pools)
            noun = item["noun"]
            ctx = {**ctx, "noun": noun, "groups": groups, "gain": item["+"], "loss": item["-"],
                   "all": f"the {noun}" if start == "group" else "them"}
            keep = [name, other, noun]
            if start == "group":
                k, m = rng.randint(2, 9), rng.choice([4, 5, 6, 8, 10, 12, 12, 15, 20, 24])
                k_text, k_keep = _count(rng, k)
                keep += k_keep
                start_text = pick(rng, GROUP_PHRASES).format(k=k_text, m=m, groups=groups, noun=noun)
                value, start_spec, record = k * m, f"{k}*{m}", ["start_product", k, m]
            else:
                value = rng.randint(8, 120)
                start_text, start_spec, record = f"{value} {noun}", str(value), ["start", value]
            drawn = _draw(rng, _item_step, value, list(kinds), rng.randint(*n), ctx, need)
            if drawn is None:
                continue
            question = ("", "")
            if share:
                after = Fraction(value)
                for s in drawn:
                    after = _apply_record(after, s.record)
                shared = _share(rng, int(after), noun, _before(drawn), mixed=share == "mixed",
                                everything=f"all the {noun}" if start == "group" else "them")
                if shared is None:
                    continue
                drawn.append(shared[0])
                question = shared[1]
            t = TENSE[tense]
            clauses = [s.phrase[t] for s in drawn]
            text = _join(rng, clauses) if steps == "inline" else _sentences_of(rng, clauses, pron)
            fill = {"Name": name, "name": name, "Pron": cap(pron), "pron": pron, "start": start_text, "noun": noun,
                    "steps": text, "question": question[t]}
            return _sample(pattern.format(**fill), item["key"], start_spec, drawn,
                           {"names": [name], "entity": noun}, keep, record)
        raise RuntimeError(f"{tid}: no story after 50 tries")

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


def money_story(tid: str, pattern: str, *, start: str = "plain", tense: str = "present", n: tuple[int, int] = (1, 3),
                kinds: tuple[str, ...] = ("+", "-", "-k*p", "-p*k", "+r*t", "+t*r", "frac", "pct", "half"),
                need: str = "", share: bool = False, steps: str = "inline") -> Template:
    """A money story. `start`: "plain" (`{start}` is "$50") or "rate" (`{start}` is "earns $12 an hour for 6
    hours", spec `12*6`); n steps from `kinds`; `share`: ends splitting the money equally, `{question}`.
    Placeholders: {Name} {name} {Pron} {pron} {poss} {start} {steps} {question}."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        for _ in range(50):
            name, pron, other, ctx = _people(rng, pools)
            money = _Money(rng)
            ctx = {**ctx, "money": money}
            keep = [name, other, *money.keep]
            t = TENSE[tense]
            if start == "rate":
                order, *phrase = pick(rng, MONEY_RATE_STARTS)
                r, hours = rng.randint(5, 30), rng.randint(2, 10)
                h_text, h_keep = _count(rng, hours)
                keep += h_keep
                start_text = phrase[t].format(r=money(r), t=h_text)
                value = r * hours
                start_spec = f"{r}*{hours}" if order == "r*t" else f"{hours}*{r}"
                record = ["start_product", r, hours]
            else:
                value = rng.choice([rng.randint(20, 200), 10 * rng.randint(3, 30)])
                start_text, start_spec, record = money(value), str(value), ["start", value]
            draw_ctx = {**ctx, "thing": pick(rng, pools["products"])}

            def make(rng_, kind, v, c):
                goods = pick(rng_, GOODS)[1]
                return _money_step(rng_, kind, v, {**c, "goods": goods, "thing": pick(rng_, pools["products"])})

            drawn = _draw(rng, make, value, list(kinds), rng.randint(*n), draw_ctx, need)
            if drawn is None:
                continue
            question = ("", "")
            if share:
                after = Fraction(value)
                for s in drawn:
                    after = _apply_record(after, s.record)
                shared = _share(rng, int(after), "dollars", _before(drawn), money=True)
                if shared is None:
                    continue
                drawn.append(shared[0])
                question = shared[1]
            clauses = [s.phrase[t] for s in drawn]
            text = _join(rng, clauses) if steps == "inline" else _sentences_of(rng, clauses, pron)
            fill = {"Name": name, "name": name, "Pron": cap(pron), "pron": pron, "poss": ctx["poss"],
                    "start": start_text, "steps": text, "question": question[t]}
            return _sample(pattern.format(**fill), money.entity, start_spec, drawn, {"names": [name]}, keep, record)
        raise RuntimeError(f"{tid}: no story after 50 tries")

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


def _note(money: _Money, value: int) -> str:
    """A bank note: "a $50 bill", "a €20 note", "a 50-dollar bill", "a 100-euro note"."""
    kind = "bill" if money.entity == "dollars" else "note"
    if money.style in ("$", "€"):
        return f"a {money(value)} {kind}"
    return f"a {value}-{money.style[:-1]} {kind}"


def change_from_note(tid: str, pattern: str) -> Template:
    """dollars:NOTE | -k*p [-x]: paying for k things at p each (and maybe one more thing) with one note.
    Placeholders: {Name} {name} {Pron} {pron} {k} {K} {goods} {p} {note} ("a $50 bill") {extra}
    (" and a lamp for $6" or "")."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron, _, _ = _people(rng, pools)
        money = _Money(rng)
        note = rng.choice([20, 50, 50, 100, 100])
        k = rng.randint(2, 6)
        p = rng.choice([x for x in range(2, 41) if k * x < note - 1] or [2])
        k_text, keep = _count(rng, k)
        goods = pick(rng, GOODS)[1]
        steps = [Step(f"-{k}*{p}", ["sub_product", k, p], ("", ""), keep)]
        extra = ""
        if rng.random() < 0.4 and note - k * p > 2:
            x = rng.randint(1, min(15, note - k * p - 1))
            thing = pick(rng, EXTRAS)
            extra = rng.choice([f" and a {thing} for {money(x)}", f", plus a {thing} for {money(x)}"])
            steps.append(Step(f"-{x}", ["sub", x], ("", "")))
        fill = {"Name": name, "name": name, "Pron": cap(pron), "pron": pron, "k": k_text, "K": cap(k_text),
                "goods": goods, "p": money(p), "note": _note(money, note), "extra": extra}
        query = pattern.format(**fill)
        return _sample(query, money.entity, str(note), steps, {"names": [name]},
                       [name, *money.keep, *keep, cap(k_text)], ["start", note])

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


def rate_scene(tid: str, pattern: str, *, tense: str = "present") -> Template:
    """An amount that runs down (or builds up) at a rate for a time: `pages:300 | -20*5 [-30]`.
    Placeholders: {start} (the scene's opening sentence), {rate} (the rate clause, maybe "and then" more), {q}."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, _, other, _ = _people(rng, pools)
        scene = pick(rng, RATE_SCENES)
        t = TENSE[tense]
        r, units = rng.choice([5, 6, 8, 10, 12, 15, 20, 25, 30, 40]), rng.randint(2, 9)
        u_text, keep = _count(rng, units)
        spent = r * units
        total = spent + rng.randint(10, 200) if scene["sign"] == "-" else rng.randint(5, 150)
        fmt = {"Name": name, "name": name, "other": other, "r": r, "t": u_text, "start": total}
        kind = "add_product" if scene["sign"] == "+" else "sub_product"
        steps = [Step(f"{scene['sign']}{r}*{units}", [kind, r, units], ("", ""), keep)]
        rate = scene["rate"][t].format(**fmt)
        if rng.random() < 0.5:
            n = rng.randint(1, max(1, min(50, total - spent - 1))) if scene["sign"] == "-" else rng.randint(1, 50)
            rate += rng.choice([", and then ", " and then ", ", then "]) + scene["more"][t].format(n=n, **fmt)
            steps.append(Step(f"{scene['sign']}{n}", ["add" if scene["sign"] == "+" else "sub", n], ("", "")))
        query = pattern.format(start=scene["start"][t].format(**fmt), rate=cap(rate), q=scene["q"][t])
        return _sample(query, scene["key"], str(total), steps, {"names": [name]}, [name, other, *keep],
                       ["start", total])

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


def production(tid: str, pattern: str, *, tense: str = "present") -> Template:
    """Made at a rate, then some used: `loaves:24*5 | -40` (or `km:15*3 | +4`). Placeholders: {who} {make} {use} {q}."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron, _, _ = _people(rng, pools)
        scene = pick(rng, PRODUCTION)
        t = TENSE[tense]
        r, units = rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20, 24]), rng.randint(2, 9)
        u_text, keep = _count(rng, units)
        sign = scene.get("sign", "-")
        n = rng.randint(1, r * units - 1) if sign == "-" else rng.randint(1, 20)
        fmt = {"Name": name, "pron": pron, "r": r, "t": u_text, "n": n}
        steps = [Step(f"{sign}{n}", ["add" if sign == "+" else "sub", n], ("", ""))]
        query = pattern.format(who=scene["who"].format(**fmt), make=scene["make"][t].format(**fmt),
                               use=scene["use"][t].format(**fmt), q=scene["q"][t].format(**fmt))
        return _sample(query, scene["key"], f"{r}*{units}", steps, {"names": [name]}, [name, *keep],
                       ["start_product", r, units])

    return Template(f"word_problem.{tid}", "word_problem", render, pattern)


STEP_TEMPLATES: list[Template] = [
    items_story("group_start", "{Name} has {start}. {Pron} {steps}. How many {noun} does {pron} have now?"),
    items_story("group_start_past", "{Name} bought {start}. Then {pron} {steps}. How many {noun} did {pron} end up "
                "with?",
                tense="past"),
    items_story("group_question_first", "How many {noun} does {name} end up with if {pron} starts with {start} and "
                "{steps}?", n=(1, 2)),
    items_story("group_sentences", "{Name} starts with {start}. {steps} How many {noun} are there at the end?",
                steps="sentences", n=(2, 4)),
    items_story("group_only", "{Name} gets {start} and {steps}. How many {noun} are left?", n=(1, 1),
                kinds=("-",)),
    items_story("fraction_steps", "{Name} has {start}. {Pron} {steps}. How many {noun} does {pron} have now?",
                start="plain", n=(1, 3), need="frac pct"),
    items_story("fraction_steps_past", "{Name} had {start}. {Pron} {steps}. How many {noun} did {pron} have after "
                "that?", start="plain", tense="past", n=(2, 3), need="frac pct", kinds=("+", "-", "frac", "pct")),
    # more stories that take a fraction or percentage of a plain count, in other words than the two above:
    # a fraction taken away was the step held-out rows got wrong most often (docs/training.md, session 10)
    items_story("fraction_owned", "{Name} owns {start}. {Pron} {steps}. How many {noun} are left now?", start="plain",
                n=(1, 3), need="frac pct"),
    items_story("fraction_week", "{Name} starts the week with {start}. {steps} How many {noun} are there at the end of "
                "the week?", start="plain", n=(2, 3), need="frac pct", steps="sentences"),
    items_story("fraction_question_first", "If {name} had {start} and {steps}, how many {noun} did {pron} have then?",
                start="plain", tense="past", n=(1, 2), need="frac pct"),
    items_story("share_equally", "{Name} has {start} and {steps}. {question}", start="plain", n=(0, 0), share="plain"),
    items_story("share_equally_past", "{Name} had {start}. {Pron} {steps}. {question}", start="plain", n=(0, 0),
                share="plain", tense="past"),
    items_story("share_two_groups", "{Name} has {start} and {steps}. {question}", start="plain", n=(0, 0),
                share="mixed"),
    items_story("steps_then_share", "{Name} has {start}. {Pron} {steps}. {question}", n=(1, 2),
                kinds=("+", "-", "+k*m", "-r*t"), share="plain"),
    items_story("steps_then_share_past", "{Name} bought {start}, {steps}. {question}", n=(1, 2), tense="past",
                kinds=("+", "-"), share="plain"),
    money_story("wage_then_spend", "{Name} {start}. {Pron} {steps}. How much money does {pron} have now?",
                start="rate", n=(1, 2), kinds=("+", "-", "-k*p", "-p*k", "frac", "pct", "half")),
    money_story("wage_then_spend_past", "Last month {name} {start}. Then {pron} {steps}. How much of that money "
                "did {pron} have left?", start="rate", tense="past", n=(1, 2), kinds=("-", "-k*p", "-p*k", "pct")),
    money_story("wallet_steps", "{Name} has {start}. {Pron} {steps}. How much money does {pron} have now?",
                n=(2, 4), need="-k*p -p*k +r*t +t*r frac pct"),
    money_story("wallet_steps_past", "{Name} had {start}. {steps} How much money did {pron} have at the end?",
                tense="past", n=(2, 4), steps="sentences", need="-k*p -p*k +r*t +t*r frac pct"),
    money_story("money_question_first", "How much money does {name} have left if {pron} starts with {start} and "
                "{steps}?", n=(1, 3), kinds=("-", "-k*p", "-p*k", "frac", "pct", "half"), need="-k*p -p*k frac pct"),
    money_story("money_then_split", "{Name} {start} and {steps}. {question}", start="rate", n=(0, 1),
                kinds=("-", "-k*p"), share=True),
    change_from_note("change_from_note", "{Name} pays with {note} for {k} {goods} at {p} each{extra}. "
                     "How much change does {pron} get?"),
    change_from_note("change_question_first", "How much change does {name} get from {note} after buying {k} {goods} "
                     "that cost {p} each{extra}?"),
    change_from_note("change_past", "{K} {goods} cost {p} each. {Name} bought them{extra} and paid with {note}. "
                     "What change did {pron} get back?"),
    rate_scene("rate_for_a_time", "{start} {rate}. {q}"),
    rate_scene("rate_for_a_time_past", "{start} {rate}. {q}", tense="past"),
    production("made_at_a_rate", "{who} {make} and {use}. {q}"),
    production("made_at_a_rate_past", "{who} {make}, and {use}. {q}", tense="past"),
]


TEMPLATES: list[Template] = [
    story("has_now", "{Name} has {start} {noun}. {Pron} {steps}. How many {noun} does {name} have now?"),
    story("inline_left", "{Name} has {start} {noun}, {steps}. How many {noun} does {pron} have?"),
    story("past_end", "{Name} had {start} {noun}. Then {pron} {steps}. How many {noun} did {pron} end up with?",
          tense="past"),
    story("start_of_day", "At the start of the day {name} had {start} {noun}. During the day {pron} {steps}. "
          "How many {noun} does {pron} have at the end of the day?", tense="past"),
    story("question_first", "How many {noun} does {name} have if {pron} starts with {start}, {steps}?"),
    story("ordered_steps", "{Name} starts with {start} {noun}. {steps} How many {noun} are there now?",
          steps="sentences", n_ops=(2, 4)),
    story("final_count", "{Name} started with {start} {noun}, {steps}. What's the final count of {noun}?",
          tense="past"),
    story("collection", "{Name}'s collection has {start} {noun}. {Pron} {steps}. How big is the collection now?"),
    story("container", "A {place} holds {start} {noun}. {Name} {steps}. How many {noun} are in the {place} now?",
          voice="container"),
    story("container_past", "There were {start} {noun} in the {place}. {Name} {steps}. "
          "How many {noun} are in the {place} now?", voice="container", tense="past"),
    story("crowd", "There are {start} {noun} {place}. {steps} How many {noun} are {place} now?",
          voice="crowd", steps="stops", n_ops=(1, 4)),
    story("crowd_inline", "{start} {noun} are {place} at noon; {steps}. How many {noun} are there?",
          voice="crowd", n_ops=(1, 3)),
    story("savings", "{Name} has ${start} saved. {Pron} {steps}. How much money does {pron} have now?",
          voice="money", allowed="+-/"),
    story("wallet_past", "{Name} had ${start} in {poss} wallet. {Pron} {steps}. How many dollars are left?",
          voice="money", tense="past", allowed="+-/"),
    story("labelled", "Word problem: {name} owns {start} {noun}. {Pron} {steps}. How many {noun} now?"),
    pages("reading", "A book has {total} pages. {Name} reads {reads}. How many pages are left to read?"),
    discount("sale_price", "A {product} costs ${price} but is on sale for {off}% off. What is the sale price?"),
    discount("sale_with_fee", "{Name} buys a {product} priced at ${price}. It's {off}% off, and shipping then "
             "adds ${amount}. What does {pron} pay?", extra="fee"),
    discount("sale_with_coupon", "The {product} {name} wants is ${price}. The store takes {off}% off and "
             "{pron} also has a ${amount} coupon. What is the final price?", extra="coupon"),
    *STEP_TEMPLATES,
]


def pools() -> dict[str, dict[str, list]]:
    return {"word_problem": {"names": list(NAMES), "items": list(ITEMS), "containers": list(CONTAINERS),
                             "crowds": list(CROWDS), "products": list(PRODUCTS)}}

