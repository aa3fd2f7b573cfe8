"""Chat templates: requests that go to no expert (spec empty, `chat:`).

Each prompt of the hand-written pool (`chat_pool.CHAT_POOL`) is its own template (`chat.prompt.<slug>`),
so holding out templates holds out prompts. Generative templates add variety with slots: writing
requests, tips with a count, and trips or hours in a city (hard negatives for the time expert; their
places share the time expert's city partition so held-out cities stay out of train).
"""

from __future__ import annotations

import random
import re

from routerforge.data.templates.base import Pools, Sample, Template, pick
from routerforge.data.templates.chat_pool import ACTIVITIES, CHAT_POOL, CONCEPTS, FORMS, LANGUAGES, PHRASES, TOPICS


def _slug(text: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", text.lower()))[:48].rstrip("_")


def prompt_template(entry: dict[str, str], tid: str) -> Template:
    text, category = entry["text"], entry["category"]

    def render(rng: random.Random, pools: Pools) -> Sample:
        return Sample(text, "", {"prompt": text, "category": category})

    return Template(tid, "chat", render, text)


def gen(tid: str, pattern: str, weight: float = 4.0, category: str = "generated") -> Template:
    """A slot-filled chat request; fields: {form} {topic} {n} {activity} {concept} {phrase} {language} {place}."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        fill = {"form": pick(rng, pools["forms"]), "topic": pick(rng, pools["topics"]), "n": str(rng.randint(3, 9)),
                "activity": pick(rng, pools["activities"]), "concept": pick(rng, pools["concepts"]),
                "phrase": pick(rng, pools["phrases"]), "language": pick(rng, pools["languages"]),
                "place": pick(rng, pools["places"])[0], "age": str(rng.randint(5, 12))}
        used = {k: v for k, v in fill.items() if "{" + k + "}" in pattern}
        return Sample(pattern.format(**fill), "", {"category": category, **used}, keep=tuple(used.values()))

    return Template(f"chat.{tid}", "chat", render, pattern, weight)


def _prompt_templates() -> list[Template]:
    out, seen = [], set()
    for entry in CHAT_POOL:
        tid = base = f"chat.prompt.{_slug(entry['text'])}"
        k = 2
        while tid in seen:
            tid, k = f"{base}_{k}", k + 1
        seen.add(tid)
        out.append(prompt_template(entry, tid))
    return out


GENERATED: list[Template] = [
    gen("write_form", "Write a {form} about {topic}."),
    gen("n_tips", "Give me {n} tips for {activity}.", category="hard_number"),
    gen("pack_trip", "What should I pack for a {n}-day trip to {place}?", category="hard_time"),
    gen("hours_in_city", "What can I do with {n} hours in {place}?", category="hard_time"),
    gen("explain_age", "Explain {concept} like I'm {age}.", category="hard_number"),
    gen("say_phrase", "How do you say '{phrase}' in {language}?"),
    gen("recommend_books", "Recommend {n} books about {concept}.", category="hard_number"),
    gen("best_time_visit", "When is the best time of year to visit {place}?", category="hard_time"),
    gen("famous_for", "What is {place} famous for?", category="hard_time"),
    gen("history_of", "Tell me the history of {concept} in {n} sentences.", category="hard_number"),
    gen("evening_plans", "Any ideas for a fun evening in {place}?", category="hard_time"),
]

TEMPLATES: list[Template] = _prompt_templates() + GENERATED


def pools() -> dict[str, dict[str, list]]:
    from routerforge.data.templates.time import cities

    return {"chat": {"topics": list(TOPICS), "forms": list(FORMS), "activities": list(ACTIVITIES),
                     "concepts": list(CONCEPTS), "phrases": list(PHRASES), "languages": list(LANGUAGES),
                     "places": cities()}}
