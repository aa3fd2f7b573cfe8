"""The time expert: gazetteer coverage, zone resolution and frozen-clock results."""

import zoneinfo
from collections import Counter
from datetime import datetime, timezone

import pytest

from routerforge.experts import clock, get_expert
from routerforge.experts.base import ExpertError
from routerforge.experts.gazetteer import ALIASES
from routerforge.experts.timezone import CITIES, normalise_place, resolve_zone, zone_of

WINTER = datetime(2025, 1, 15, 5, 30, tzinfo=timezone.utc)
SUMMER = datetime(2025, 7, 1, 12, 0, tzinfo=timezone.utc)


def test_gazetteer_has_300_cities_that_all_resolve():
    assert len(CITIES) >= 300
    for city in CITIES:
        zoneinfo.ZoneInfo(city.zone)  # a valid IANA key
        assert resolve_zone(city.name) == city.zone, city
    for name, zone in ALIASES.items():
        zoneinfo.ZoneInfo(zone)
        assert resolve_zone(name) == zone, name


def test_gazetteer_names_are_unambiguous():
    keys = Counter(normalise_place(c.name) for c in set(CITIES))
    assert [k for k, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("text, zone", [
    ("Asia/Tokyo", "Asia/Tokyo"), ("asia/tokyo", "Asia/Tokyo"), ("Tokyo", "Asia/Tokyo"), ("Japan", "Asia/Tokyo"),
    ("NYC", "America/New_York"), ("LA", "America/Los_Angeles"), ("SF", "America/Los_Angeles"),
    ("Mumbai", "Asia/Kolkata"), ("Bombay", "Asia/Kolkata"), ("India", "Asia/Kolkata"),
    ("France", "Europe/Paris"), ("Germany", "Europe/Berlin"), ("são paulo", "America/Sao_Paulo"),
    ("SAO PAULO", "America/Sao_Paulo"), ("Sao_Paulo", "America/Sao_Paulo"), ("ZÜRICH", "Europe/Zurich"),
    ("zurich", "Europe/Zurich"), ("  new   york ", "America/New_York"), ("kiritimati", "Pacific/Kiritimati"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"), ("EST", "America/New_York"), ("UTC", "UTC"),
    ("Reykjavik", "Atlantic/Reykjavik"), ("Malmo", "Europe/Stockholm"), ("Xi'an", "Asia/Shanghai"),
])
def test_resolve_zone(text, zone):
    assert resolve_zone(text) == zone
    assert zone_of(text) == zone


@pytest.mark.parametrize("text, fragment", [
    ("Atlantis", "unknown place 'Atlantis'"), ("Tokio", "did you mean Tokyo"), ("", "empty place"),
    ("x" * 81, "limit is 80"), ("USA", "spans several time zones"), ("australia", "name a city"),
])
def test_unknown_places(text, fragment):
    with pytest.raises(ExpertError, match=fragment):
        resolve_zone(text)
    assert zone_of(text) is None
    result = get_expert("time").run(text)
    assert not result.ok and len(result.error) < 200


@pytest.mark.parametrize("at, spec, expected", [
    (WINTER, "Asia/Tokyo", "14:30 JST"),
    (WINTER, "NYC", "00:30 EST"),
    (SUMMER, "New York", "08:00 EDT"),
    (WINTER, "London", "05:30 GMT"),
    (SUMMER, "London", "13:00 BST"),
    (WINTER, "Mumbai", "11:00 IST"),
    (WINTER, "Dubai", "09:30 +04"),  # numeric tzname kept
    (WINTER, "Kathmandu", "11:15 +0545"),
    (WINTER, "Sydney", "16:30 AEDT"),
    (WINTER, "UTC", "05:30 UTC"),
])
def test_frozen_clock(at, spec, expected):
    expert = get_expert("time")
    with clock.frozen(at):
        result = expert.run(spec)
    assert result.ok, result.error
    assert result.value == expected


def test_results_equal_and_examples():
    expert = get_expert("time")
    assert expert.label == "time"
    assert expert.results_equal("14:30 JST", " 14:30 JST")
    assert not expert.results_equal("14:30 JST", "14:31 JST")
    with clock.frozen(WINTER):
        assert [expert.run(spec).value for _, spec in expert.examples] == ["14:30 JST", "00:30 EST", "11:00 IST"]


def test_uses_the_injectable_clock():
    expert = get_expert("time")
    with clock.frozen(datetime(2025, 1, 15, 0, 0)):  # naive means UTC
        assert expert.run("UTC").value == "00:00 UTC"
    clock.set_clock(lambda: datetime(2025, 1, 15, 23, 59, tzinfo=timezone.utc))
    try:
        assert expert.run("UTC").value == "23:59 UTC"
    finally:
        clock.set_clock(None)
