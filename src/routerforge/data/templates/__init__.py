"""Query templates, read from the expert registry: each expert declares the modules that hold its
templates (`Expert.templates`), so a plug-in expert gets training data with no edit here.

A `Template` (base.py) renders a `Sample` (the user's query, the spec the router must emit, and the slot
values it used) from a random generator and the slot pools of one split. Templates and slot pools are
split into a train part and a held-out test part by `partition` — a stable hash of each template id or
pool item, so the held-out set does not move when the seed changes or a pool grows.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from routerforge.data.templates.base import (Pools, Sample, SplitView, Template, partition, pick,  # noqa: F401
                                             stable_key)
from routerforge.experts import all_experts
from routerforge.registry import RegistryError


def fixed_templates(expert: str, queries: list[str]) -> list[Template]:
    """One template per fixed query (spec empty); the id hashes the text, so adding a query never moves
    another between train and test."""
    def fixed(text: str):
        return lambda rng, pools: Sample(text, "", {"example": text})

    return [Template(f"{expert}.ex.{hashlib.sha256(q.encode()).hexdigest()[:10]}", expert, fixed(q), q)
            for q in queries]


def _registry() -> tuple[dict[str, list[Template]], dict[str, dict[str, list[Any]]]]:
    import importlib

    templates: dict[str, list[Template]] = {}
    pools: dict[str, dict[str, list[Any]]] = {}
    modules: list[str] = []
    for expert in all_experts():
        if expert.fixed_queries():
            templates.setdefault(expert.name, []).extend(fixed_templates(expert.name, expert.fixed_queries()))
        for path in expert.templates:
            if path not in modules:
                modules.append(path)
    for path in modules:
        try:
            module = importlib.import_module(path)
        except ImportError as exc:
            raise RegistryError(f"cannot import template module {path!r}: {exc}") from None
        for t in getattr(module, "TEMPLATES", []):
            templates.setdefault(t.expert, []).append(t)
        if hasattr(module, "pools"):
            for expert, expert_pools in module.pools().items():
                pools.setdefault(expert, {}).update(expert_pools)
    ids = [t.id for ts in templates.values() for t in ts]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise AssertionError(f"duplicate template ids: {dup}")
    return templates, pools


_CACHE: tuple[dict[str, list[Template]], dict[str, dict[str, list[Any]]]] | None = None
_KEY: tuple | None = None


def registry() -> tuple[dict[str, list[Template]], dict[str, dict[str, list[Any]]]]:
    """(expert -> templates, expert -> pool name -> items), rebuilt when the expert registry changes."""
    global _CACHE, _KEY
    key = tuple((e.name, e.templates, tuple(e.fixed_queries())) for e in all_experts())
    if _CACHE is None or key != _KEY:
        _CACHE, _KEY = _registry(), key
    return _CACHE


def templates_for(expert: str) -> list[Template]:
    return list(registry()[0].get(expert, []))


def pools_for(expert: str) -> dict[str, list[Any]]:
    return {k: list(v) for k, v in registry()[1].get(expert, {}).items()}


# Pools that hold the same items under several experts share one partition, so a held-out person or city
# never appears in any train row (schedule "people" and word-problem "names"; time "cities", chat "places").
SHARED_POOLS: dict[str, str] = {"names": "names", "people": "names", "cities": "cities", "places": "cities"}


def split_views(expert: str, ratio: float) -> dict[str, SplitView]:
    """{"train": ..., "test": ...}: held-out templates and pool items go to test only (val uses train's)."""
    train_t, test_t = partition(templates_for(expert), ratio, f"template:{expert}")
    train_p: dict[str, list[Any]] = {}
    test_p: dict[str, list[Any]] = {}
    for name, items in pools_for(expert).items():
        salt = f"pool:{SHARED_POOLS[name]}" if name in SHARED_POOLS else f"pool:{expert}:{name}"
        train_p[name], test_p[name] = partition(items, ratio, salt)
    # A fixed text (a hand-written prompt) that names a held-out city or person is held out with it,
    # so no held-out value ever reaches a train row.
    held = {str(stable_key(x)).lower() for name in SHARED_POOLS for x in test_p.get(name, []) if stable_key(x)}
    if held:
        pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, held), key=len, reverse=True)) + r")\b")
        moved = [t for t in train_t if t.pattern and "{" not in t.pattern and pattern.search(t.pattern.lower())]
        train_t = [t for t in train_t if t not in moved]
        test_t = test_t + moved
    return {"train": SplitView(train_t, train_p), "test": SplitView(test_t, test_p)}
