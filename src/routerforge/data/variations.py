"""Surface variations of a query that never change its target.

A variation rewrites the user's text only: extra instructions ("Answer in French."), politeness and
chatter around the request, casing, deterministic typos, and end punctuation. None of them touches a
number or a protected span (names, cities and entities that define the spec): `apply_variations`
re-checks that after every step and drops a variation that would, so the stored spec stays right.
"""

from __future__ import annotations

import random
import re
from typing import Callable

from routerforge.data.templates.base import Sample

INSTRUCTIONS = [
    "Answer in French.", "Please reply in Spanish.", "Respond in German.", "Be brief.", "Keep it short.",
    "Show your work.", "Reply in JSON.", "Explain step by step.", "Just give me the answer.", "Use simple words.",
    "Answer in one sentence.", "Format the answer as a bullet list.", "No emojis please.",
    "Reply in Italian if you can.", "Think it through carefully.",
]
POLITE_PREFIX = ["Could you help me out? ", "Please help: ", "Would you mind answering this? ", "Excuse me. ",
                 "If it's not too much trouble: "]
POLITE_SUFFIX = [" Thanks!", " Thank you.", " Thanks a lot.", " Much appreciated!", " Cheers."]
CHATTER_PREFIX = ["Hey! ", "Okay so. ", "Quick question: ", "Random one for you: ", "Hi there. ", "Hmm, ",
                  "Sorry to bother you. ", "So, ", "Right, next thing: ", "Morning! "]
CHATTER_SUFFIX = [" No rush.", " It's for a project I'm doing.", " My friend and I were arguing about it.",
                  " I'm curious.", " Asking for a friend.", " Need it soon."]

# words whose exact spelling carries the operation; typos never touch them
PROTECTED_WORDS = {
    "plus", "minus", "times", "divided", "divide", "multiply", "multiplied", "subtract", "percent", "half", "twice",
    "double", "doubles", "doubled", "triple", "triples", "tripled", "average", "mean", "quarter", "third", "fifth",
    "tenth", "eighth", "squared", "power", "product", "difference", "total", "less", "more", "before", "after",
    "then", "first", "next", "last", "overlap", "overlaps", "sequential", "order", "same", "time", "each",
}
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def _spans(text: str, needles: tuple[str, ...], *, ignore_case: bool) -> list[tuple[int, int]]:
    flags = re.IGNORECASE if ignore_case else 0
    out = []
    for needle in needles:
        if needle:
            out += [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, flags)]
    return out


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in spans)


def typo(rng: random.Random, text: str, sample: Sample) -> str:
    """One or two typos (swap, drop or double a letter) in ordinary words only."""
    protected = _spans(text, sample.keep + sample.keep_case, ignore_case=True)
    words = [m for m in _WORD.finditer(text)
             if m.group().lower() not in PROTECTED_WORDS and _outside(protected, m.start(), m.end())]
    if not words:
        return text
    chosen = sorted(rng.sample(words, min(len(words), rng.choice([1, 1, 2]))), key=lambda m: m.start(), reverse=True)
    for m in chosen:
        w, i = m.group(), rng.randrange(1, len(m.group()) - 2)
        kind = rng.choice(["swap", "drop", "double"])
        new = (w[:i] + w[i + 1] + w[i] + w[i + 2:] if kind == "swap" else
               w[:i] + w[i + 1:] if kind == "drop" else w[:i] + w[i] + w[i:])
        text = text[: m.start()] + new + text[m.end():]
    return text


def _end_sentence(text: str) -> str:
    return text if text.rstrip()[-1:] in ".?!" else text.rstrip() + "."


def instruction(rng: random.Random, text: str, sample: Sample) -> str:
    return f"{_end_sentence(text)} {rng.choice(INSTRUCTIONS)}"


def polite(rng: random.Random, text: str, sample: Sample) -> str:
    if rng.random() < 0.5:
        return rng.choice(POLITE_PREFIX) + text
    return _end_sentence(text) + rng.choice(POLITE_SUFFIX)


def chatter(rng: random.Random, text: str, sample: Sample) -> str:
    if rng.random() < 0.6:
        return rng.choice(CHATTER_PREFIX) + text
    return _end_sentence(text) + rng.choice(CHATTER_SUFFIX)


def _recase(text: str, sample: Sample, fn: Callable[[str], str]) -> str:
    spans = sorted(_spans(text, sample.keep_case, ignore_case=False))
    out, pos = [], 0
    for s, e in spans:
        if s >= pos:
            out += [fn(text[pos:s]), text[s:e]]
            pos = e
    return "".join(out) + fn(text[pos:])


def lowercase(rng: random.Random, text: str, sample: Sample) -> str:
    return _recase(text, sample, str.lower)


def uppercase(rng: random.Random, text: str, sample: Sample) -> str:
    return _recase(text, sample, str.upper)


def punctuation(rng: random.Random, text: str, sample: Sample) -> str:
    """Change only the end: drop the final mark, double it, or add one (never right after a digit)."""
    stripped = text.rstrip()
    if stripped[-1:] in ".?!":
        body, mark = stripped[:-1].rstrip(), stripped[-1]
        options = [body, body + mark * 2] + ([body + "?!"] if mark == "?" else [body + "!"])
        return rng.choice([o for o in options if not o[-1:].isdigit()] or [text])
    if stripped[-1:].isdigit():
        return text
    return stripped + rng.choice(["?", "!", "..."])


# application order: content first, then wrapping, then casing over everything
VARIATIONS: dict[str, Callable[[random.Random, str, Sample], str]] = {
    "typo": typo, "punctuation": punctuation, "instruction": instruction, "polite": polite, "chatter": chatter,
    "lowercase": lowercase, "uppercase": uppercase,
}
EXCLUSIVE = [{"lowercase", "uppercase"}]


def _safe(before: str, after: str, sample: Sample) -> bool:
    """The rewrite kept every number and every protected span."""
    if _NUMBER.findall(before) != _NUMBER.findall(after):
        return False
    if any(k and k.lower() in before.lower() and k.lower() not in after.lower() for k in sample.keep):
        return False
    return all(k in after for k in sample.keep_case if k in before)


def choose(rng: random.Random, rate: float, allowed: list[str]) -> list[str]:
    """Which variations a row gets (in application order); empty with probability 1 - rate."""
    if not allowed or rng.random() >= rate:
        return []
    k = min(len(allowed), rng.choices([1, 2, 3], [0.6, 0.3, 0.1])[0])
    picked: list[str] = []
    for name in rng.sample(allowed, len(allowed)):
        if len(picked) == k:
            break
        if any(name in group and picked_name in group for group in EXCLUSIVE for picked_name in picked):
            continue
        picked.append(name)
    return [n for n in VARIATIONS if n in picked]


def apply_variations(rng: random.Random, sample: Sample, rate: float, allowed: list[str] | None = None) -> tuple[str, str]:
    """(query, variation label). The label joins the variations that changed the text with '+', or 'none'."""
    names = choose(rng, rate, list(VARIATIONS) if allowed is None else [n for n in VARIATIONS if n in allowed])
    text, applied = sample.query, []
    for name in names:
        new = VARIATIONS[name](rng, text, sample)
        if new != text and _safe(text, new, sample):
            text = new
            applied.append(name)
    return text, "+".join(applied) or "none"
