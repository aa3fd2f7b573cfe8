"""Route-plan data drawn from the original system's published policy (`routerforge plan generate --policy`).

Each record is drawn like the original generator's: a route variant (one of the seven tool sets,
uniform), a verification loop when the route has code (none 40%, check 30%, refine 15%, fallback
15%), a difficulty from its mix (advanced 6/9, intermediate 2/9, introductory 1/9) and an advanced
STEM/ML theme. The query is one clause per need in words that signal it (`plans.phrasings`), in a
random mention order 35% of the time (the route order comes from the policy, not from the wording),
with connectives and a context sentence that carries the difficulty. Half the need clauses are
hand-written phrasings, half composed from a verb, the subject and a modifier. The gold plan is the policy's
route, grounded in those clauses (`plans.ground`) and composed (`plans.compose`), i.e. exactly what
a perfect router would output.

Held out by `partition` (stable hashes, independent of the seed): every phrasing bank, connective
list and the themes are split into train / val / test parts, so the test split uses phrasings and
subjects the router never saw. No benchmark row is read here.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from routerforge.data.templates.base import partition
from routerforge.errors import InputError
from routerforge.io import atomic_write_json, atomic_write_jsonl, mark_complete, prepare_run_dir
from routerforge.plans import phrasings as P
from routerforge.plans.compose import Decision, compose_plan, topic_tags
from routerforge.plans.format import build_plan_prompt, render_plan, validate_plan
from routerforge.plans.ground import clean, label_segments, segments, step_text
from routerforge.plans.policy import NEED_ROLE, ROUTES, Route
from routerforge.plans.themes import THEMES, draw_numbers, fill

SPLITS = ("train", "val", "test")
SALT = "plans-policy-v1"
POOLS = {"search": P.SEARCH, "math": P.MATH, "code": P.CODE, "check": P.CHECK, "refine": P.REFINE,
         "fallback": P.FALLBACK, "noise": P.NOISE, "openers": P.OPENERS, "then": P.THEN, "finally": P.FINALLY,
         "before": P.BEFORE,
         **{f"context_{k}": v for k, v in P.CONTEXT.items()},
         **{f"{k}_verbs": v for k, v in P.VERBS.items()}, **{f"{k}_mods": v for k, v in P.MODS.items()}}
LOOP_WEIGHTS = {"none": 0.40, "check": 0.30, "refine": 0.15, "fallback": 0.15}
LEVELS = ("introductory", "intermediate", "advanced")
LEVEL_WEIGHTS = (1, 2, 6)


def split_pools(split: str) -> tuple[dict[str, list], list[dict]]:
    """The phrasings and themes one split may use: test 25%, val 12% of the rest, train the others."""
    if split not in SPLITS:
        raise InputError(f"split must be one of {SPLITS}")

    def side(items: list, name: str) -> list:
        rest, test = partition(items, 0.25, f"{SALT}:test:{name}")
        train, val = partition(rest, 0.12, f"{SALT}:val:{name}")
        return {"train": train, "val": val, "test": test}[split]

    pools = {name: side(list(items), name) for name, items in POOLS.items()}
    names = side([t["name"] for t in THEMES], "themes")
    return pools, [t for t in THEMES if t["name"] in names]


def draw_route(rng: random.Random) -> Route:
    variants = list(dict.fromkeys(r.needs for r in ROUTES))
    needs = rng.choice(variants)
    if "code" not in needs:
        return Route(needs, "none")
    loop = rng.choices(list(LOOP_WEIGHTS), weights=list(LOOP_WEIGHTS.values()))[0]
    return Route(needs, loop)


def _query(rng: random.Random, parts: list[tuple[str, str]], pools: dict, context: str | None,
           noise: str | None = None) -> tuple[str, list]:
    """Join (role, clause) parts into a query; returns it with the (start, end, role) span of each part."""
    text, spans = "", []

    def put(piece: str, role: str | None = None) -> None:
        nonlocal text
        if role is not None:
            spans.append((len(text), len(text) + len(piece), role))
        text += piece

    if context and rng.random() < 0.6:
        put(context, "other")
        put(" ")
        context = None
    sentences = rng.random() < 0.4  # one sentence per clause, else one chained sentence
    for i, (role, clause) in enumerate(parts):
        if i == 0:
            opener = rng.choice(pools["openers"])
            put(opener)
            put(clause[:1].upper() + clause[1:] if not opener else clause, role)
        elif sentences:
            put(". ")
            put(clause[:1].upper() + clause[1:], role)
        else:
            last = i == len(parts) - 1 and len(parts) > 2
            word = rng.choice(pools["finally"] if last else pools["before"] if rng.random() < 0.15 else pools["then"])
            put(f", {word} ")
            put(clause, role)
    put(".")
    if context:
        put(" ")
        put(context, "other")
    if noise:
        put(" ")
        put(noise, "other")
    return text, spans


def need_clause(need: str, pools: dict, rng: random.Random) -> str:
    """A hand-written phrasing, or (half the time) a composed one: verb + subject + modifier."""
    if rng.random() < 0.5:
        return rng.choice(pools[need])
    return f"{rng.choice(pools[need + '_verbs'])} {P.SUBJECT[need]}{rng.choice(pools[need + '_mods'])}"


def make_record(index: int, split: str, pools: dict, themes: list[dict], rng: random.Random, seed: int) -> dict:
    route = draw_route(rng)
    level = rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]
    theme = rng.choice(themes)
    nums = draw_numbers(rng)
    slots = {"m": fill(rng.choice(theme["math"]), nums), "c": fill(rng.choice(theme["code"]), nums),
             "s": rng.choice(theme["search"]), "theme": theme["name"], "fw": nums["fw"],
             "metric": fill(theme["metric"], nums)}
    parts = [(NEED_ROLE[n], need_clause(n, pools, rng).format(**slots)) for n in route.needs]
    if len(parts) > 1 and rng.random() < 0.35:
        rng.shuffle(parts)
    if route.loop != "none":
        parts.append(("check", rng.choice(pools["check"]).format(**slots)))
        if route.loop in ("refine", "fallback"):
            parts.append((route.loop, rng.choice(pools[route.loop]).format(**slots)))
    context = rng.choice(pools[f"context_{level}"]).format(**slots) if rng.random() < 0.85 else None
    noise = rng.choice(pools["noise"]).format(**slots) if rng.random() < 0.3 else None
    query, role_spans = _query(rng, parts, pools, context, noise)
    spans = segments(query)
    labels = label_segments(query, spans, role_spans)
    by_role = {lab: clean(query[a:b]) for (a, b), lab in zip(spans, labels) if lab != "other"}
    clauses = [by_role.get(r) for r in route.roles]
    steps = [step_text(r, c, query, by_role) for r, c in zip(route.roles, clauses)]
    decision = Decision(query, route, steps, clauses, difficulty=level, tags=topic_tags(query))
    plan = validate_plan(compose_plan(decision))  # a generator bug fails loudly here
    return {"id": f"policy-{split}-{seed}-{index:06d}", "query": query, "prompt": build_plan_prompt(query),
            "completion": render_plan(plan), "categories": [route.name], "tools": list(route.tools),
            "difficulty": level, "route": route.name, "needs": list(route.needs), "loop": route.loop,
            "segments": [[a, b, lab] for (a, b), lab in zip(spans, labels)], "theme": theme["name"], "split": split}


def generate_split(split: str, n: int, seed: int, *, avoid: set[str] | None = None) -> list[dict]:
    """`n` records of one split, no repeated query (also none from `avoid`, e.g. the other splits)."""
    pools, themes = split_pools(split)
    rng = random.Random(f"{seed}:{split}")
    seen = set(avoid or ())
    rows = []
    for i in range(n):
        for _ in range(50):  # redraw a duplicate; the space is large, so this rarely loops
            row = make_record(i, split, pools, themes, rng, seed)
            if row["query"] not in seen:
                break
        seen.add(row["query"])
        rows.append(row)
    return rows


def generate_policy_data(out_dir: str | Path, *, train: int, val: int, test: int, seed: int = 0,
                         force: bool = False) -> dict:
    """DIR/{train,val,test}.jsonl and summary.json (route, difficulty and theme counts per split)."""
    if train < 2 or val < 0 or test < 0:
        raise InputError("policy data needs at least 2 train rows and non-negative val/test sizes")
    rows: dict[str, list[dict]] = {}
    seen: set[str] = set()
    for split, n in (("train", train), ("val", val), ("test", test)):
        rows[split] = generate_split(split, n, seed, avoid=seen)
        seen |= {r["query"] for r in rows[split]}
    out = prepare_run_dir(out_dir, force=force)
    for split in SPLITS:
        atomic_write_jsonl(out / f"{split}.jsonl", rows[split])
    summary = {"seed": seed, "salt": SALT, "splits": {s: len(rows[s]) for s in SPLITS},
               "routes": {s: dict(Counter(r["route"] for r in rows[s]).most_common()) for s in SPLITS},
               "difficulty": {s: dict(Counter(r["difficulty"] for r in rows[s])) for s in SPLITS},
               "themes": {s: sorted({r["theme"] for r in rows[s]}) for s in SPLITS}}
    atomic_write_json(out / "summary.json", summary)
    mark_complete(out)
    return summary
