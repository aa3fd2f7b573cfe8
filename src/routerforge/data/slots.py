"""Slot generators shared by the templates: numbers (as a user writes them and as a spec needs them),
people's names, and small helpers. Expert-specific pools live next to their templates.

Every function takes an explicit `random.Random`, so the generator is deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from routerforge.experts.arithmetic import format_number

# (name, subject pronoun); written for this project, mixed origins so the router does not key on one culture
NAMES: list[tuple[str, str]] = [
    ("Alice", "she"), ("Bob", "he"), ("Priya", "she"), ("Tomas", "he"), ("Mei", "she"), ("Kwame", "he"),
    ("Sofia", "she"), ("Liam", "he"), ("Aisha", "she"), ("Mateo", "he"), ("Yuki", "she"), ("Omar", "he"),
    ("Hannah", "she"), ("Diego", "he"), ("Fatima", "she"), ("Noah", "he"), ("Ingrid", "she"), ("Ravi", "he"),
    ("Chloe", "she"), ("Jonas", "he"), ("Amara", "she"), ("Felix", "he"), ("Lucia", "she"), ("Arjun", "he"),
    ("Nadia", "she"), ("Hugo", "he"), ("Zara", "she"), ("Emeka", "he"), ("Elena", "she"), ("Kenji", "he"),
    ("Maya", "she"), ("Pablo", "he"), ("Leila", "she"), ("Sven", "he"), ("Grace", "she"), ("Tariq", "he"),
    ("Olivia", "she"), ("Marco", "he"), ("Ana", "she"), ("Dmitri", "he"), ("Rosa", "she"), ("Samuel", "he"),
    ("Keiko", "she"), ("Victor", "he"), ("Imani", "she"), ("Oscar", "he"), ("Clara", "she"), ("Rahul", "he"),
    ("Nora", "she"), ("Elias", "he"), ("Beatriz", "she"), ("Chen", "he"), ("Freya", "she"), ("Andre", "he"),
    ("Layla", "she"), ("Mikhail", "he"), ("Tara", "she"), ("Jamal", "he"), ("Vera", "she"), ("Luca", "he"),
    ("Ruth", "she"), ("Kofi", "he"), ("Paula", "she"), ("Ivan", "he"), ("Wanjiru", "she"), ("Ethan", "he"),
    ("Mila", "she"), ("Hassan", "he"), ("Greta", "she"), ("Pedro", "he"), ("Sana", "she"), ("Anton", "he"),
    ("Lina", "she"), ("Malik", "he"), ("Eva", "she"), ("Joaquin", "he"), ("Asha", "she"), ("Declan", "he"),
    ("Iris", "she"), ("Bruno", "he"), ("Daria", "she"), ("Femi", "he"), ("Julia", "she"), ("Nikhil", "he"),
]

PERCENTS: list[Fraction] = [Fraction(x) for x in ("5", "10", "12.5", "15", "20", "25", "30", "35", "40", "45",
                                                    "50", "60", "65", "70", "75", "80", "90", "120", "150")]


@dataclass(frozen=True)
class Number:
    """One number as written in the query (`shown`) and in the spec (`spec`)."""

    value: Fraction
    shown: str
    spec: str


def show_int(rng: random.Random, n: int) -> str:
    """How a person writes an integer: large ones sometimes with thousands separators (12,500)."""
    return f"{n:,}" if abs(n) >= 1000 and rng.random() < 0.4 else str(n)


def integer(rng: random.Random) -> int:
    """A positive integer, mostly small, sometimes large (the mix a calculator sees)."""
    r = rng.random()
    if r < 0.55:
        return rng.randint(2, 99)
    if r < 0.85:
        return rng.randint(100, 999)
    return rng.randint(1000, 99_999)


def decimal(rng: random.Random) -> Fraction:
    places = 1 if rng.random() < 0.6 else 2
    whole = rng.randint(0, 999) if rng.random() < 0.8 else rng.randint(1000, 9999)
    frac = rng.randint(1, 10**places - 1)
    if frac % 10 == 0:  # keep the number of places honest (1.50 would be shown as 1.5 anyway)
        frac += 1
    return Fraction(whole) + Fraction(frac, 10**places)


def number(rng: random.Random, kind: str = "num") -> Number:
    """kind: int | small | num (mostly int, some decimals) | dec | pct (shown 25, spec 0.25) | exp | base."""
    if kind == "small":
        n = rng.randint(2, 12)
        return Number(Fraction(n), str(n), str(n))
    if kind == "exp":
        n = rng.randint(2, 6)
        return Number(Fraction(n), str(n), str(n))
    if kind == "base":
        n = rng.randint(2, 15)
        return Number(Fraction(n), str(n), str(n))
    if kind == "pct":
        p = rng.choice(PERCENTS)
        return Number(p / 100, format_number(p), format_number(p / 100))
    if kind == "dec" or (kind == "num" and rng.random() < 0.2):
        d = decimal(rng)
        return Number(d, format_number(d), format_number(d))
    if kind not in ("int", "num"):
        raise ValueError(f"unknown number kind {kind!r}")
    n = integer(rng)
    return Number(Fraction(n), show_int(rng, n), str(n))


def plain(value: Fraction | int) -> str:
    return format_number(Fraction(value))


def join_and(items: list[str], conj: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
