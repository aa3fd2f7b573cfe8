"""Template primitives: the building blocks the generator samples from (no registry here).

A `Template` renders a `Sample` (the user's query, the spec the router must emit, and the slot values it
used) from a random generator and the slot pools of one split. Templates and slot pools are split into a
train part and a held-out test part by `partition` — a stable hash of each template id or pool item, so
the held-out set does not move when the seed changes or a pool grows.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

Pools = Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class Sample:
    query: str
    spec: str
    slots: dict[str, Any] = field(default_factory=dict)
    """Slot values that matter for held-out checks, e.g. {"city": "Tokyo"} or {"names": ["Alice"]}."""
    keep: tuple[str, ...] = ()
    """Substrings that typos must not touch (spec-defining names, cities); digits are always protected."""
    keep_case: tuple[str, ...] = ()
    """Substrings whose casing must survive casing variations (copied verbatim into the spec)."""


@dataclass(frozen=True)
class Template:
    id: str  # "<expert>.<name>", unique; template ids are what the held-out split is made of
    expert: str
    render: Callable[[random.Random, Pools], Sample]
    pattern: str = ""  # a readable form of the template, for docs and debugging
    weight: float = 1.0  # relative sampling weight among the expert's templates of a split


def stable_key(item: Any) -> str:
    """The text an item is hashed by: a template's id, a dict's noun/key/text, the first element of a
    tuple (a display name), else str(item)."""
    if isinstance(item, Template):
        return item.id
    if isinstance(item, dict):
        return str(item.get("noun") or item.get("key") or item.get("text") or sorted(item.items()))
    return str(item[0] if isinstance(item, (tuple, list)) else item)


def partition(items: Sequence[Any], ratio: float, salt: str) -> tuple[list[Any], list[Any]]:
    """Split items into (train, held_out) with ceil(ratio * n) held out (at least one, at most n - 1).
    Items are ordered by sha256(salt, key): stable across runs and Python versions, independent of seed."""
    items = list(items)
    if len(items) < 2:
        return items, []
    n_out = min(len(items) - 1, max(1, math.ceil(ratio * len(items))))
    rank = sorted(range(len(items)), key=lambda i: hashlib.sha256(f"{salt}\0{stable_key(items[i])}".encode()).hexdigest())
    out = set(rank[:n_out])
    return [x for i, x in enumerate(items) if i not in out], [x for i, x in enumerate(items) if i in out]


@dataclass(frozen=True)
class SplitView:
    """What one side of the held-out partition may use."""

    templates: list[Template]
    pools: dict[str, list[Any]]


def pick(rng: random.Random, pool: Sequence[Any]) -> Any:
    if not pool:
        raise ValueError("empty slot pool")
    return pool[rng.randrange(len(pool))]
