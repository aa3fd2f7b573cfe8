"""Time templates: "what time is it in <city>?" in many phrasings.

The spec is the place exactly as the query names it (`Tokyo`): the time expert's gazetteer resolves it
to a zone (`Asia/Tokyo`), so the router only copies a name and never has to know world geography. Cities come
from the expert's own gazetteer (`routerforge.experts.timezone.CITIES`); a city name that resolves to
a different zone than the gazetteer lists it under (an ambiguous name) is left out, so the target
never teaches a wrong mapping.
"""

from __future__ import annotations

import random

from routerforge.data.templates.base import Pools, Sample, Template, pick


def t(tid: str, pattern: str, weight: float = 1.0) -> Template:
    def render(rng: random.Random, pools: Pools) -> Sample:
        city, zone = pick(rng, pools["cities"])
        return Sample(pattern.format(city=city), city, {"city": city, "zone": zone}, keep=(city,))

    return Template(f"time.{tid}", "time", render, pattern, weight)


TEMPLATES: list[Template] = [
    t("what_time", "What time is it in {city}?", weight=2.0),
    t("current_time", "What's the current time in {city}?"),
    t("local_time", "Tell me the local time in {city}."),
    t("bare", "time in {city}"),
    t("right_now", "Do you know what time it is in {city} right now?"),
    t("colleague", "I have a colleague in {city}. What time is it there now?"),
    t("clock_showing", "What does the clock say in {city} at the moment?"),
    t("terse", "Current local time, {city}?"),
    t("is_it_late", "Is it late in {city} right now? What time is it there?"),
    t("sister", "My sister lives in {city} - what hour is it for her now?"),
    t("before_call", "Before I call {city}, what time is it over there?"),
    t("city_first", "{city} time now?"),
    t("how_late", "How late is it in {city} currently?"),
    t("check", "Could you check the time in {city}?"),
    t("what_hour", "What hour is it in {city}?"),
    t("present_time", "Give me the present time in {city}."),
    t("landing", "I'm about to land in {city}. What's the local time?"),
    t("clock_there", "What's the time on the clock in {city} today?"),
    t("awake", "Is anyone awake in {city}? What time is it there at the moment?"),
    t("now_in", "Now in {city}: what time?"),
]


def cities() -> list[tuple[str, str]]:
    """(display name, IANA zone) for every gazetteer city whose name resolves back to its own zone."""
    from routerforge.experts.timezone import CITIES, resolve_zone

    out, seen = [], set()
    for entry in CITIES:
        name, zone = entry[0], entry[1]
        if name in seen:
            continue
        seen.add(name)
        try:
            if resolve_zone(name) == zone:
                out.append((name, zone))
        except ValueError:
            continue
    return out


def pools() -> dict[str, dict[str, list]]:
    return {"time": {"cities": cities()}}
