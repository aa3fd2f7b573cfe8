"""The `time` expert: the current local time of a place, via `zoneinfo` (+ the `tzdata` package).

Spec: an IANA zone (`Asia/Tokyo`) or a place name from the gazetteer (`Tokyo`, `NYC`, `Bombay`,
`Japan`, `são paulo`), matched case- and accent-insensitively; the last part of any IANA key also
works (`Kiritimati`); countries spanning several zones (USA, Russia) ask for a city. The time comes from `routerforge.experts.clock.now()` so tests can freeze it.

Result: `%H:%M` plus the zone's abbreviation, e.g. `14:30 JST`; zones without a lettered
abbreviation keep tzdata's numeric one (`13:30 +04`). Two results are equal when the rendered
strings are equal.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import zoneinfo
from datetime import datetime
from typing import ClassVar

from routerforge.experts import clock
from routerforge.experts.base import Expert, ExpertError
from routerforge.experts.gazetteer import ALIASES, CITIES, MULTI_ZONE, City

__all__ = ["CITIES", "City", "TimeExpert", "normalise_place", "resolve_zone", "zone_of"]

MAX_PLACE_CHARS = 80
_PLACE_WORD = re.compile(r"\w[\w\-]*")  # as routers.constrained.NAME_WORD (experts do not import routers)


def normalise_place(text: str) -> str:
    """Lower-case, accents stripped (NFKD), `_`/`-`/`.` as spaces, single spaces: `São_Paulo` -> `sao paulo`."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    for ch in "_-.,'’":
        plain = plain.replace(ch, " ")
    return " ".join(plain.split())


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(normalised name -> IANA key, normalised name -> display name). Earlier sources win."""
    index: dict[str, str] = {}
    display: dict[str, str] = {}

    def add(name: str, zone: str) -> None:
        key = normalise_place(name)
        if key not in index:
            index[key], display[key] = zone, name

    keys = sorted(zoneinfo.available_timezones())
    for key in keys:
        if "/" in key:
            add(key, key)
    for name, zone in CITIES:
        add(name, zone)
    for name, zone in ALIASES.items():
        add(name, zone)
    for key in keys:  # legacy keys (`EST`, `Japan`, `GB`) after our names: EST means New York to people
        add(key, key)
    for key in keys:  # `Kiritimati`, `Buenos Aires` from `America/Argentina/Buenos_Aires`
        if "/" in key and not key.startswith(("Etc/", "SystemV/")):
            add(key.rsplit("/", 1)[1].replace("_", " "), key)
    return index, display


def _index() -> dict[str, str]:
    return _tables()[0]


def resolve_zone(text: str) -> str:
    """IANA key for a zone name or place; raise ExpertError (with close matches) when unknown."""
    if not isinstance(text, str) or not text.strip():
        raise ExpertError("empty place; expected a city, country or IANA zone such as Asia/Tokyo")
    if len(text) > MAX_PLACE_CHARS:
        raise ExpertError(f"place name is {len(text)} characters; the limit is {MAX_PLACE_CHARS}")
    key = normalise_place(text)
    several = {normalise_place(k): v for k, v in MULTI_ZONE.items()}.get(key)
    if several:
        raise ExpertError(f"{text.strip()!r} spans several time zones; name a city, e.g. {several}")
    zone = _index().get(key)
    if zone is None:
        close = difflib.get_close_matches(key, list(_index()), n=3, cutoff=0.8)
        hint = f"; did you mean {', '.join(_tables()[1][c] for c in close)}?" if close else ""
        raise ExpertError(f"unknown place {text.strip()!r}{hint}")
    return zone


def zone_of(spec: str) -> str | None:
    """IANA key of a spec, or None when it names no known place."""
    try:
        return resolve_zone(spec)
    except ExpertError:
        return None


def local_time(zone: str) -> datetime:
    return clock.now().astimezone(zoneinfo.ZoneInfo(zone))


class TimeExpert(Expert):
    name = "time"
    description = "current local time of a place: a city, country or IANA zone such as Tokyo or Asia/Tokyo"
    expert_class: ClassVar[str] = "time"
    truth: ClassVar[str] = "zone"  # results depend on the clock: the zone the spec names is what is scored
    templates: ClassVar[tuple[str, ...]] = ("routerforge.data.templates.time", "routerforge.data.templates.time_lang")
    # spec_charset stays None: place names come in any script, with accents and apostrophes
    max_spec_chars: ClassVar[int] = MAX_PLACE_CHARS
    examples = [
        ("What time is it in Tokyo right now?", "Asia/Tokyo"),
        ("Is it late in New York?", "America/New_York"),
        ("What's the time in Mumbai?", "Asia/Kolkata"),
    ]

    # The place is copied from the query, whatever the query's case: decoding may not write a place
    # the query does not name (`KYOTO` became `Kiev`, `TEGUCIGALPA` `Tigigalpa`).
    copy_casefold: ClassVar[bool] = True

    def copy_field(self, spec_text: str) -> tuple[str, str] | None:
        """The whole spec is the field (a place of one or more words), ended by the decision's ` ->`."""
        return spec_text, " ->"

    def copy_words(self, query: str) -> list[str]:
        """The places a spec may copy: every run of up to four words of the query as written, with
        their inner `.`, `'` and `/` (`St. John's`, `Xi'an`, `Asia/Tokyo`, `Hong Kong`), without the
        punctuation at their edges (a final dot kept in one variant, for `St.`), and the letter runs
        inside a word (`Budapeşte` of `Budapeşte'de`)."""
        raw = query.split()
        spans = [" ".join(raw[i:i + n]) for i in range(len(raw)) for n in range(1, 5) if i + n <= len(raw)]
        cut = [v for span in spans for v in (re.sub(r"^\W+|\W+$", "", span), re.sub(r"^\W+|[^\w.]+$", "", span))]
        return list(dict.fromkeys(w for w in (*cut, *_PLACE_WORD.findall(query)) if w and not w[0].isdigit()))

    def parse(self, spec: str) -> str:
        return resolve_zone(spec)

    def execute(self, zone: str) -> datetime:
        return local_time(zone)

    def render(self, value: datetime) -> str:
        return f"{value:%H:%M} {value.tzname()}"
