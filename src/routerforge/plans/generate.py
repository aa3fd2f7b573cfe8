"""Synthetic route-plan data (`routerforge plan generate`).

Builds raw plan records (same schema as `plan prepare` input) for 15 route archetypes: single tools,
every ordered pair, four orders of all three tools, an escalation/fallback route (a step that
re-routes when verification fails) and a refine loop (`/code -> /math -> /code`). The query is
composed from theme clauses (`plans.templates`), and every plan field is derived from the same
clauses, so the rationale names each tool and the todo list and handoff cover every routed tool.
Same seed -> same records. The records then go through the `plan prepare` path.
"""

from __future__ import annotations

import random
from pathlib import Path

from routerforge.errors import InputError
from routerforge.plans.prepare import load_raw_plans, split_rows, write_splits
from routerforge.plans.templates import BEFORE, CLOSERS, FINALLY, OPENERS, SEARCH_MODES, THEMES, THEN, draw_slots
from routerforge.plans.format import DIFFICULTIES
from routerforge.io import atomic_write_jsonl, mark_complete, prepare_run_dir

# archetype -> step kinds in order. "verify" = /math checks the previous output; "fallback" =
# /general-search only when that check fails; "refine" = /code revises its first attempt.
ARCHETYPES: dict[str, tuple[str, ...]] = {
    "math_only": ("math",), "code_only": ("code",), "search_only": ("search",),
    "math_code": ("math", "code"), "code_math": ("code", "math"),
    "search_math": ("search", "math"), "math_search": ("math", "search"),
    "search_code": ("search", "code"), "code_search": ("code", "search"),
    "search_math_code": ("search", "math", "code"), "math_search_code": ("math", "search", "code"),
    "math_code_search": ("math", "code", "search"), "search_code_math": ("search", "code", "math"),
    "escalation": ("code", "verify", "fallback"),
    "refine_loop": ("code", "verify", "refine"),
}
TOOL_OF = {"math": "/math", "verify": "/math", "code": "/code", "refine": "/code",
           "search": "/general-search", "fallback": "/general-search"}
RATIONALE = {
    "math": ["/math does the formal work: {c}.", "The math agent (/math) is needed to {c}.",
             "/math comes in to {c}, which needs a derivation rather than code."],
    "code": ["/code turns it into a program: {c}.", "The code agent (/code) will {c}.",
             "/code is used to {c}, since this needs running code."],
    "search": ["/general-search gathers outside facts: {c}.", "The search agent (/general-search) will {c}.",
               "/general-search is used to {c}, which needs up-to-date sources."],
    "verify": ["/math then checks the result: {c}.", "A /math pass verifies the output: {c}."],
    "fallback": ["/general-search is only the fallback: {c}.", "If the /math check fails, /general-search takes over: {c}."],
    "refine": ["/code runs a second time to fix what the /math check found."],
}
ARTIFACT = {
    "math": "A step-by-step derivation for the {name} question with every step justified",
    "code": "A {lang} program for the {name} task with a short test",
    "search": "A list of cited sources on {name} with links and one-line summaries",
    "verify": "A written check stating whether {check}",
    "fallback": "Notes from the fallback search explaining any failed check",
    "refine": "The revised {lang} program with the fix explained",
}
ACCEPT = {
    "math": "- The derivation is complete and every step follows from the previous one.",
    "code": "- The {lang} code runs without errors and includes at least one test.",
    "search": "- At least two relevant sources are cited with working links.",
    "verify": "- The /math check states clearly whether {check}.",
    "fallback": "- If the check failed, the fallback search explains the cause.",
    "refine": "- The refined code passes the /math check.",
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check(theme: dict, kinds: tuple[str, ...], slots: dict) -> str:
    """What router QA verifies. The theme's check is about a program's output, so it only applies
    when /code runs; other routes get a check that fits their tools."""
    if "code" in kinds:
        return theme["check"].format(**slots)
    if "math" in kinds and "search" in kinds:
        return "the derivation is consistent with the cited sources"
    if "math" in kinds:
        return "every step of the derivation is justified and the result holds on a small case"
    return "every claim is backed by a recent, cited source"


def _primary_metric(theme: dict, kinds: tuple[str, ...]) -> str:
    if "code" in kinds:
        return theme["metric"]
    if "math" in kinds:
        return "share of derivation steps confirmed on a worked small case"
    return "share of claims backed by a cited source"


def _steps(kinds: tuple[str, ...], theme: dict, slots: dict, rng: random.Random) -> list[dict]:
    """One dict per step: tool, step text (route_plan), clause (query wording), kind."""
    math_c = rng.choice(theme["math"]).format(**slots)
    code_c = rng.choice(theme["code"]).format(**slots)
    search_c, terms = (s.format(**slots) for s in rng.choice(theme["search"]))
    check = _check(theme, kinds, slots)
    lang, mode = slots["lang"], rng.choice(SEARCH_MODES)
    out = []
    for kind in kinds:
        if kind == "math":
            out.append({"kind": kind, "clause": math_c, "step": f"/math({_cap(math_c)})"})
        elif kind == "code":
            out.append({"kind": kind, "clause": f"{code_c} in {lang}",
                        "step": f"/code({_cap(code_c)}, using {lang})"})
        elif kind == "search":
            out.append({"kind": kind, "clause": search_c,
                        "step": f'/general-search(query="{terms}", mode={mode})'})
        elif kind == "verify":
            out.append({"kind": kind, "clause": f"check mathematically that {check}",
                        "step": f"/math(Verify that {check}, using the /code output)"})
        elif kind == "fallback":
            out.append({"kind": kind, "clause": f"if that check fails, {search_c} to find out why",
                        "step": f'/general-search(query="{terms}", mode={mode}, only if the /math check fails)'})
        elif kind == "refine":
            out.append({"kind": kind, "clause": f"fix the code until {check}",
                        "step": f"/code(Refine the implementation until {check}, using {lang})"})
    return out


def _query(steps: list[dict], rng: random.Random) -> str:
    parts = [steps[0]["clause"]]
    for i, step in enumerate(steps[1:], 1):
        word = rng.choice(FINALLY if i == len(steps) - 1 and len(steps) > 2 else THEN)
        parts.append(f"{word} {step['clause']}")
    if len(steps) == 2 and rng.random() < 0.2:
        # mention order differs from route order, so the router must read the connective
        parts = [steps[1]["clause"], f"{rng.choice(BEFORE)} {steps[0]['clause']}"]
    opener = rng.choice(OPENERS)
    body = ", ".join(parts)
    text = opener + body if opener else _cap(body)
    closer = rng.choice(CLOSERS)
    if closer and not closer.startswith("."):
        text += "?" if opener.rstrip() in ("Can you", "Could you") else "."
    return text + closer


def make_record(index: int, archetype: str, rng: random.Random, *, seed: int) -> dict:
    """One raw plan record of the given archetype."""
    theme = rng.choice(THEMES)
    slots = draw_slots(rng)
    kinds = ARCHETYPES[archetype]
    steps = _steps(kinds, theme, slots, rng)
    tools = [TOOL_OF[k] for k in kinds]
    check = _check(theme, kinds, slots)
    fmt = {"name": theme["name"], "lang": slots["lang"], "check": check}
    rationale = " ".join(rng.choice(RATIONALE[s["kind"]]).format(c=s["clause"]) for s in steps)
    if "fallback" in kinds:
        fallback = "if the /math check fails, re-route to /general-search and then back to /code"
    else:
        fallback = f"if verification fails, return the task to {tools[0]}"
    outline = [f"{i}. {_cap(s['clause'])}." for i, s in enumerate(steps, 1)]
    outline.append(f"{len(steps) + 1}. Confirm that {check} before answering.")
    seen_kinds = list(dict.fromkeys(kinds))
    level = min(2, theme["level"] + (1 if len(kinds) >= 3 else 0))
    return {
        "id": f"gen-{seed}-{index:06d}",
        "user_query": _query(steps, rng),
        "route_plan": [s["step"] for s in steps],
        "route_rationale": rationale,
        "expected_artifacts": [ARTIFACT[k].format(**fmt) + "." for k in seen_kinds],
        "thinking_outline": outline,
        "handoff_plan": " -> ".join(tools) + f" -> router QA (verification: {check}; fallback: {fallback}).",
        "todo_list": [f"- [ ] {TOOL_OF[s['kind']]}: {_cap(s['clause'])}." for s in steps]
        + [f"- [ ] router QA: confirm that {check} and approve the answer."],
        "difficulty": DIFFICULTIES[level],
        "tags": list(theme["tags"]) + ["-".join(dict.fromkeys(t.lstrip("/") for t in tools))],
        "acceptance_criteria": [ACCEPT[k].format(**fmt) for k in seen_kinds] + [f"- {_cap(check)}."],
        "metrics": {"primary": [_cap(_primary_metric(theme, kinds)) + "."],
                    "secondary": ["Wall-clock time of each specialist step.", "Number of re-routes needed."]},
        "archetype": archetype,
    }


def generate_records(n: int, seed: int = 0) -> list[dict]:
    """`n` records, archetypes balanced (round-robin, shuffled), no repeated query."""
    if n < 1:
        raise InputError("--examples must be at least 1")
    rng = random.Random(seed)
    names = list(ARCHETYPES)
    schedule = [names[i % len(names)] for i in range(n)]
    rng.shuffle(schedule)
    records, seen = [], set()
    for i, arch in enumerate(schedule):
        for _ in range(50):  # redraw on a duplicate query; the space is large, so this rarely loops
            rec = make_record(i, arch, rng, seed=seed)
            if rec["user_query"] not in seen:
                break
        seen.add(rec["user_query"])
        records.append(rec)
    return records


def generate_plans(out_dir: str | Path, *, examples: int, seed: int = 0, compact: bool = False,
                   val_ratio: float = 0.1, test_ratio: float = 0.05, vertex: bool = False,
                   force: bool = False) -> dict:
    """Write DIR/raw.jsonl, then the prepared splits and summary.json (the `plan prepare` path)."""
    split_rows([], val_ratio=val_ratio, test_ratio=test_ratio)  # check ratios before touching DIR
    records = generate_records(examples, seed)
    out = prepare_run_dir(out_dir, force=force)
    raw = atomic_write_jsonl(out / "raw.jsonl", records)
    rows, errors = load_raw_plans(raw, compact=compact)
    if errors:  # a generator bug, not user input: fail loudly
        raise RuntimeError(f"generated records failed validation: {errors[:3]}")
    summary = write_splits(rows, errors, out, source=str(raw), seed=seed, val_ratio=val_ratio,
                           test_ratio=test_ratio, vertex=vertex, compact=compact)
    mark_complete(out)
    return summary
