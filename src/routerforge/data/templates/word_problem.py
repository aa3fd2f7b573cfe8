"""Word-problem templates: a short story about a quantity that changes step by step.

The spec is `entity:start | op op ...` (`eggs:16 | -3 -4 *2`). A chain of operations is drawn first
(whole numbers at every step: nothing goes negative, divisions come out even), then each operation is
told as a clause in story order with a verb that means exactly that operation, so the story and the
spec always agree. Stories are written for this project, in present or past tense, in several voices:
a person with objects, a container, a shop, a crowd, a wallet, a book's pages and a discounted price.
"""

from __future__ import annotations

import random
from fractions import Fraction
from routerforge.data.slots import NAMES, cap, join_and, plain
from routerforge.data.templates import Pools, Sample, Template, pick
from routerforge.data.templates.word_data import CONTAINERS, CROWDS, ITEMS, MONEY, PRODUCTS, VOICES

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
    """price:P | *F [+fee | -coupon]: a price, a percentage off, then maybe a fee or a coupon."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, pron = _person(rng, pools)
        product = pick(rng, pools["products"])
        price = rng.choice([rng.randint(8, 300), 5 * rng.randint(2, 80)])
        off = rng.choice([10, 15, 20, 25, 30, 40, 50, 60, 75])
        ops: list[tuple[str, str]] = [("*", plain(Fraction(100 - off, 100)))]
        fill = {"Name": name, "name": name, "pron": pron, "Pron": cap(pron), "product": product,
                "price": str(price), "off": str(off)}
        if extra:
            amount = rng.randint(2, 15)
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
]


def pools() -> dict[str, dict[str, list]]:
    return {"word_problem": {"names": list(NAMES), "items": list(ITEMS), "containers": list(CONTAINERS),
                             "crowds": list(CROWDS), "products": list(PRODUCTS)}}

