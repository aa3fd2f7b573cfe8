"""Time templates in other languages: "what time is it in <city>?" in German, French, Spanish, Italian,
Portuguese, Dutch, Swedish, Polish and Turkish.

As in `time.py`, the spec is the place exactly as the query writes it; the time expert's gazetteer
resolves it. Most rows use the gazetteer's own (English) city names from the shared `cities` pool, so a
held-out city stays held out in every language; the rest use the local name of a city (`Rom`,
`Londres`, `Pekín`, `Wenen`, `Köpenhamn`) from the `lang_places` pool. Every local name resolves to its
city's zone through `routerforge.experts.gazetteer.ALIASES`, and none equals (accents and case
ignored) a gazetteer city name, so the two pools never hold the same string under different partitions.

Two languages inflect the place:
- Polish puts it in the locative after `w`/`we` ("w Warszawie", "we Wrocławiu", "w Nowym Jorku"); the
  spec is the inflected form as written (`Warszawie`), which the gazetteer knows. Polish templates with
  a nominative slot ("dla miasta Kraków", "Tokyo – która godzina?") use the plain name.
- Turkish attaches the locative suffix after an apostrophe ("Londra'da", "Paris'te"); the spec is the
  name before the apostrophe (`Londra`). Suffixes follow vowel harmony and consonant assimilation of
  the name as Turks pronounce it, listed per name (`TR_SUFFIX` for gazetteer names).

`pools()` returns `cities` (the same list as `time.py`'s) and `lang_places`, so the module also works
on its own; the registry merges it with `time.py`'s pools.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from routerforge.data.templates.base import Pools, Sample, Template, pick

# relative sampling weight of one foreign-language template; about 70 of them against time.py's 20
# English ones (total weight 21), so at 0.3 roughly half of all time rows stay English
WEIGHT = 0.3
LOCAL_SHARE = 0.4  # share of rows naming the city by its local name, where the language has one

LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "sv", "pl", "tr")


class Place(NamedTuple):
    name: str  # as written in the query and the spec
    zone: str
    lang: str  # ISO 639-1; "pl-loc" for Polish locatives
    extra: str = ""  # Polish locative: the preposition (w / we); Turkish: the locative suffix ('da ...)


# (name, zone) per language; names that equal a gazetteer city up to accents are spelling variants and
# live in LOCAL_SPELLING instead (they must share the English name's partition)
_LOCAL: dict[str, list[tuple[str, str]]] = {
    "de": [
        ("Rom", "Europe/Rome"), ("Mailand", "Europe/Rome"), ("Neapel", "Europe/Rome"), ("Florenz", "Europe/Rome"),
        ("Venedig", "Europe/Rome"), ("Genua", "Europe/Rome"), ("München", "Europe/Berlin"),
        ("Köln", "Europe/Berlin"), ("Nürnberg", "Europe/Berlin"), ("Hannover", "Europe/Berlin"),
        ("Moskau", "Europe/Moscow"), ("Sankt Petersburg", "Europe/Moscow"), ("Peking", "Asia/Shanghai"),
        ("Warschau", "Europe/Warsaw"), ("Krakau", "Europe/Warsaw"), ("Prag", "Europe/Prague"),
        ("Wien", "Europe/Vienna"), ("Athen", "Europe/Athens"), ("Kairo", "Africa/Cairo"),
        ("Lissabon", "Europe/Lisbon"), ("Brüssel", "Europe/Brussels"), ("Antwerpen", "Europe/Brussels"),
        ("Kopenhagen", "Europe/Copenhagen"), ("Genf", "Europe/Zurich"), ("Kiew", "Europe/Kyiv"),
        ("Belgrad", "Europe/Belgrade"), ("Bukarest", "Europe/Bucharest"), ("Mexiko-Stadt", "America/Mexico_City"),
        ("Den Haag", "Europe/Amsterdam"), ("Straßburg", "Europe/Paris"), ("Nizza", "Europe/Paris"),
        ("Sevilla", "Europe/Madrid"), ("Teheran", "Asia/Tehran"), ("Damaskus", "Asia/Damascus"),
        ("Kapstadt", "Africa/Johannesburg"), ("Algier", "Africa/Algiers"), ("Singapur", "Asia/Singapore"),
        ("Tiflis", "Asia/Tbilisi"), ("Bagdad", "Asia/Baghdad"),
    ],
    "fr": [
        ("Londres", "Europe/London"), ("Édimbourg", "Europe/London"), ("Moscou", "Europe/Moscow"),
        ("Saint-Pétersbourg", "Europe/Moscow"), ("Pékin", "Asia/Shanghai"), ("Varsovie", "Europe/Warsaw"),
        ("Cracovie", "Europe/Warsaw"), ("Vienne", "Europe/Vienna"), ("Athènes", "Europe/Athens"),
        ("Lisbonne", "Europe/Lisbon"), ("Venise", "Europe/Rome"), ("Gênes", "Europe/Rome"),
        ("Bruxelles", "Europe/Brussels"), ("Anvers", "Europe/Brussels"), ("Gand", "Europe/Brussels"),
        ("Genève", "Europe/Zurich"), ("Bâle", "Europe/Zurich"), ("Berne", "Europe/Zurich"),
        ("Copenhague", "Europe/Copenhagen"), ("Barcelone", "Europe/Madrid"), ("Saragosse", "Europe/Madrid"),
        ("Bucarest", "Europe/Bucharest"), ("Téhéran", "Asia/Tehran"),
        ("Bagdad", "Asia/Baghdad"), ("Damas", "Asia/Damascus"), ("Beyrouth", "Asia/Beirut"),
        ("Singapour", "Asia/Singapore"), ("Hambourg", "Europe/Berlin"), ("Francfort", "Europe/Berlin"),
        ("Alger", "Africa/Algiers"), ("Marrakech", "Africa/Casablanca"), ("Tanger", "Africa/Casablanca"),
        ("Bombay", "Asia/Kolkata"),
    ],
    "es": [
        ("Londres", "Europe/London"), ("Edimburgo", "Europe/London"), ("Nueva York", "America/New_York"),
        ("Filadelfia", "America/New_York"), ("Nueva Orleans", "America/Chicago"), ("Pekín", "Asia/Shanghai"),
        ("Moscú", "Europe/Moscow"), ("San Petersburgo", "Europe/Moscow"), ("Varsovia", "Europe/Warsaw"),
        ("Cracovia", "Europe/Warsaw"), ("Viena", "Europe/Vienna"), ("Praga", "Europe/Prague"),
        ("Atenas", "Europe/Athens"), ("El Cairo", "Africa/Cairo"), ("Lisboa", "Europe/Lisbon"),
        ("Roma", "Europe/Rome"), ("Nápoles", "Europe/Rome"), ("Florencia", "Europe/Rome"),
        ("Venecia", "Europe/Rome"), ("Ginebra", "Europe/Zurich"), ("Estocolmo", "Europe/Stockholm"),
        ("Copenhague", "Europe/Copenhagen"), ("Bruselas", "Europe/Brussels"), ("Estambul", "Europe/Istanbul"),
        ("Ciudad de México", "America/Mexico_City"), ("Jerusalén", "Asia/Jerusalem"),
        ("Singapur", "Asia/Singapore"), ("Yakarta", "Asia/Jakarta"), ("Teherán", "Asia/Tehran"),
        ("Bagdad", "Asia/Baghdad"), ("Damasco", "Asia/Damascus"), ("Riad", "Asia/Riyadh"),
        ("Ciudad del Cabo", "Africa/Johannesburg"), ("Johannesburgo", "Africa/Johannesburg"),
        ("Argel", "Africa/Algiers"), ("Túnez", "Africa/Tunis"), ("Burdeos", "Europe/Paris"),
        ("Marsella", "Europe/Paris"), ("Estrasburgo", "Europe/Paris"), ("Bucarest", "Europe/Bucharest"),
        ("Belgrado", "Europe/Belgrade"), ("Fráncfort", "Europe/Berlin"), ("Hamburgo", "Europe/Berlin"),
    ],
    "it": [
        ("Londra", "Europe/London"), ("Edimburgo", "Europe/London"), ("Parigi", "Europe/Paris"),
        ("Marsiglia", "Europe/Paris"), ("Lione", "Europe/Paris"), ("Nizza", "Europe/Paris"),
        ("Strasburgo", "Europe/Paris"), ("Berlino", "Europe/Berlin"), ("Francoforte", "Europe/Berlin"),
        ("Amburgo", "Europe/Berlin"), ("Praga", "Europe/Prague"), ("Varsavia", "Europe/Warsaw"),
        ("Cracovia", "Europe/Warsaw"), ("Mosca", "Europe/Moscow"), ("San Pietroburgo", "Europe/Moscow"),
        ("Pechino", "Asia/Shanghai"), ("Lisbona", "Europe/Lisbon"), ("Barcellona", "Europe/Madrid"),
        ("Siviglia", "Europe/Madrid"), ("Atene", "Europe/Athens"), ("Ginevra", "Europe/Zurich"),
        ("Zurigo", "Europe/Zurich"), ("Basilea", "Europe/Zurich"), ("Berna", "Europe/Zurich"),
        ("Bruxelles", "Europe/Brussels"), ("Copenaghen", "Europe/Copenhagen"), ("Stoccolma", "Europe/Stockholm"),
        ("Città del Messico", "America/Mexico_City"), ("Gerusalemme", "Asia/Jerusalem"), ("Seul", "Asia/Seoul"),
        ("Bucarest", "Europe/Bucharest"), ("Belgrado", "Europe/Belgrade"), ("Filadelfia", "America/New_York"),
        ("Roma", "Europe/Rome"), ("Milano", "Europe/Rome"), ("Firenze", "Europe/Rome"), ("Napoli", "Europe/Rome"),
        ("Torino", "Europe/Rome"), ("Venezia", "Europe/Rome"), ("Genova", "Europe/Rome"),
    ],
    "pt": [
        ("Londres", "Europe/London"), ("Edimburgo", "Europe/London"), ("Nova York", "America/New_York"),
        ("Nova Iorque", "America/New_York"), ("Filadélfia", "America/New_York"),
        ("Nova Orleans", "America/Chicago"), ("Pequim", "Asia/Shanghai"), ("Xangai", "Asia/Shanghai"),
        ("Moscou", "Europe/Moscow"), ("Moscovo", "Europe/Moscow"), ("São Petersburgo", "Europe/Moscow"),
        ("Varsóvia", "Europe/Warsaw"), ("Cracóvia", "Europe/Warsaw"), ("Viena", "Europe/Vienna"),
        ("Praga", "Europe/Prague"), ("Atenas", "Europe/Athens"), ("Lisboa", "Europe/Lisbon"),
        ("Roma", "Europe/Rome"), ("Milão", "Europe/Rome"), ("Nápoles", "Europe/Rome"),
        ("Florença", "Europe/Rome"), ("Veneza", "Europe/Rome"), ("Turim", "Europe/Rome"),
        ("Munique", "Europe/Berlin"), ("Berlim", "Europe/Berlin"), ("Hamburgo", "Europe/Berlin"),
        ("Genebra", "Europe/Zurich"), ("Zurique", "Europe/Zurich"), ("Estocolmo", "Europe/Stockholm"),
        ("Copenhague", "Europe/Copenhagen"), ("Copenhaga", "Europe/Copenhagen"), ("Bruxelas", "Europe/Brussels"),
        ("Amsterdã", "Europe/Amsterdam"), ("Amesterdão", "Europe/Amsterdam"), ("Istambul", "Europe/Istanbul"),
        ("Seul", "Asia/Seoul"), ("Tóquio", "Asia/Tokyo"),
        ("Singapura", "Asia/Singapore"), ("Jacarta", "Asia/Jakarta"), ("Teerã", "Asia/Tehran"),
        ("Beirute", "Asia/Beirut"), ("Damasco", "Asia/Damascus"), ("Joanesburgo", "Africa/Johannesburg"),
        ("Argel", "Africa/Algiers"), ("Marselha", "Europe/Paris"), ("Bordéus", "Europe/Paris"),
        ("Bucareste", "Europe/Bucharest"), ("Belgrado", "Europe/Belgrade"),
    ],
    "nl": [
        ("Londen", "Europe/London"), ("Parijs", "Europe/Paris"), ("Rijsel", "Europe/Paris"),
        ("Straatsburg", "Europe/Paris"), ("Berlijn", "Europe/Berlin"), ("München", "Europe/Berlin"),
        ("Keulen", "Europe/Berlin"), ("Neurenberg", "Europe/Berlin"), ("Milaan", "Europe/Rome"),
        ("Napels", "Europe/Rome"), ("Venetië", "Europe/Rome"), ("Moskou", "Europe/Moscow"),
        ("Sint-Petersburg", "Europe/Moscow"), ("Peking", "Asia/Shanghai"), ("Warschau", "Europe/Warsaw"),
        ("Krakau", "Europe/Warsaw"), ("Praag", "Europe/Prague"), ("Wenen", "Europe/Vienna"),
        ("Athene", "Europe/Athens"), ("Lissabon", "Europe/Lisbon"), ("Brussel", "Europe/Brussels"),
        ("Antwerpen", "Europe/Brussels"), ("Gent", "Europe/Brussels"), ("Kopenhagen", "Europe/Copenhagen"),
        ("Genève", "Europe/Zurich"), ("Bazel", "Europe/Zurich"), ("Kaapstad", "Africa/Johannesburg"),
        ("Jeruzalem", "Asia/Jerusalem"), ("Boekarest", "Europe/Bucharest"), ("Belgrado", "Europe/Belgrade"),
        ("Den Haag", "Europe/Amsterdam"), ("Teheran", "Asia/Tehran"), ("Bagdad", "Asia/Baghdad"),
        ("Mexico-Stad", "America/Mexico_City"),
    ],
    "sv": [
        ("Köpenhamn", "Europe/Copenhagen"), ("Moskva", "Europe/Moscow"), ("Sankt Petersburg", "Europe/Moscow"),
        ("Rom", "Europe/Rome"), ("Milano", "Europe/Rome"), ("Neapel", "Europe/Rome"), ("Aten", "Europe/Athens"),
        ("Prag", "Europe/Prague"), ("Warszawa", "Europe/Warsaw"), ("Wien", "Europe/Vienna"),
        ("Bryssel", "Europe/Brussels"), ("Lissabon", "Europe/Lisbon"), ("Peking", "Asia/Shanghai"),
        ("Göteborg", "Europe/Stockholm"), ("Helsingfors", "Europe/Helsinki"),
        ("Kairo", "Africa/Cairo"), ("München", "Europe/Berlin"), ("Genève", "Europe/Zurich"),
        ("Kiev", "Europe/Kyiv"), ("Bukarest", "Europe/Bucharest"), ("Belgrad", "Europe/Belgrade"),
    ],
    "pl": [
        ("Warszawa", "Europe/Warsaw"), ("Londyn", "Europe/London"), ("Paryż", "Europe/Paris"),
        ("Rzym", "Europe/Rome"), ("Madryt", "Europe/Madrid"), ("Lizbona", "Europe/Lisbon"),
        ("Wiedeń", "Europe/Vienna"), ("Praga", "Europe/Prague"), ("Moskwa", "Europe/Moscow"),
        ("Pekin", "Asia/Shanghai"), ("Nowy Jork", "America/New_York"), ("Ateny", "Europe/Athens"),
        ("Kair", "Africa/Cairo"), ("Mediolan", "Europe/Rome"), ("Monachium", "Europe/Berlin"),
        ("Wilno", "Europe/Vilnius"), ("Lwów", "Europe/Kyiv"), ("Kijów", "Europe/Kyiv"),
        ("Bruksela", "Europe/Brussels"), ("Sztokholm", "Europe/Stockholm"), ("Kopenhaga", "Europe/Copenhagen"),
        ("Budapeszt", "Europe/Budapest"), ("Waszyngton", "America/New_York"), ("Bukareszt", "Europe/Bucharest"),
        ("Stambuł", "Europe/Istanbul"), ("Wenecja", "Europe/Rome"), ("Neapol", "Europe/Rome"),
        ("Genewa", "Europe/Zurich"), ("Zurych", "Europe/Zurich"), ("Seul", "Asia/Seoul"),
        ("Szanghaj", "Asia/Shanghai"), ("Dubaj", "Asia/Dubai"), ("Singapur", "Asia/Singapore"),
        ("Tel Awiw", "Asia/Jerusalem"), ("Jerozolima", "Asia/Jerusalem"),
    ],
}

# Polish locatives after w / we: (form as written, zone, preposition)
_PL_LOC: list[tuple[str, str, str]] = [
    ("Warszawie", "Europe/Warsaw", "w"), ("Krakowie", "Europe/Warsaw", "w"), ("Gdańsku", "Europe/Warsaw", "w"),
    ("Wrocławiu", "Europe/Warsaw", "we"), ("Poznaniu", "Europe/Warsaw", "w"), ("Łodzi", "Europe/Warsaw", "w"),
    ("Londynie", "Europe/London", "w"), ("Paryżu", "Europe/Paris", "w"), ("Berlinie", "Europe/Berlin", "w"),
    ("Rzymie", "Europe/Rome", "w"), ("Madrycie", "Europe/Madrid", "w"), ("Lizbonie", "Europe/Lisbon", "w"),
    ("Wiedniu", "Europe/Vienna", "w"), ("Pradze", "Europe/Prague", "w"), ("Moskwie", "Europe/Moscow", "w"),
    ("Pekinie", "Asia/Shanghai", "w"), ("Nowym Jorku", "America/New_York", "w"), ("Atenach", "Europe/Athens", "w"),
    ("Kairze", "Africa/Cairo", "w"), ("Mediolanie", "Europe/Rome", "w"), ("Monachium", "Europe/Berlin", "w"),
    ("Wilnie", "Europe/Vilnius", "w"), ("Lwowie", "Europe/Kyiv", "we"), ("Kijowie", "Europe/Kyiv", "w"),
    ("Brukseli", "Europe/Brussels", "w"), ("Amsterdamie", "Europe/Amsterdam", "w"),
    ("Sztokholmie", "Europe/Stockholm", "w"), ("Kopenhadze", "Europe/Copenhagen", "w"),
    ("Budapeszcie", "Europe/Budapest", "w"), ("Dublinie", "Europe/Dublin", "w"),
    ("Waszyngtonie", "America/New_York", "w"), ("Bukareszcie", "Europe/Bucharest", "w"),
    ("Stambule", "Europe/Istanbul", "w"), ("Wenecji", "Europe/Rome", "w"), ("Florencji", "Europe/Rome", "we"),
    ("Neapolu", "Europe/Rome", "w"), ("Genewie", "Europe/Zurich", "w"), ("Zurychu", "Europe/Zurich", "w"),
    ("Seulu", "Asia/Seoul", "w"), ("Szanghaju", "Asia/Shanghai", "w"), ("Dubaju", "Asia/Dubai", "w"),
    ("Bangkoku", "Asia/Bangkok", "w"), ("Singapurze", "Asia/Singapore", "w"), ("Tel Awiwie", "Asia/Jerusalem", "w"),
    ("Jerozolimie", "Asia/Jerusalem", "w"), ("Barcelonie", "Europe/Madrid", "w"), ("Hamburgu", "Europe/Berlin", "w"),
    ("Frankfurcie", "Europe/Berlin", "we"), ("Kolonii", "Europe/Berlin", "w"), ("Helsinkach", "Europe/Helsinki", "w"),
]
# gazetteer names Polish does not decline: "w Chicago", "w Toronto" (drawn from the shared cities pool)
PL_INDECLINABLE = frozenset({
    "Chicago", "Toronto", "Oslo", "Sydney", "Los Angeles", "Rio de Janeiro", "Buenos Aires", "Honolulu",
    "San Francisco", "San Diego", "Las Vegas", "Miami", "Montevideo", "Santiago", "Porto", "Nairobi", "Hanoi",
    "Orlando", "Sacramento", "Sapporo", "Delhi", "New Delhi", "Kyoto", "Soweto", "Baku", "Tbilisi",
})

# Turkish names: (name, zone, locative suffix)
_TR: list[tuple[str, str, str]] = [
    ("Londra", "Europe/London", "'da"), ("Münih", "Europe/Berlin", "'te"), ("Roma", "Europe/Rome", "'da"),
    ("Milano", "Europe/Rome", "'da"), ("Napoli", "Europe/Rome", "'de"), ("Venedik", "Europe/Rome", "'te"),
    ("Floransa", "Europe/Rome", "'da"), ("Moskova", "Europe/Moscow", "'da"), ("Pekin", "Asia/Shanghai", "'de"),
    ("Şanghay", "Asia/Shanghai", "'da"), ("Varşova", "Europe/Warsaw", "'da"), ("Viyana", "Europe/Vienna", "'da"),
    ("Prag", "Europe/Prague", "'da"), ("Atina", "Europe/Athens", "'da"), ("Kahire", "Africa/Cairo", "'de"),
    ("Lizbon", "Europe/Lisbon", "'da"), ("Barselona", "Europe/Madrid", "'da"), ("Brüksel", "Europe/Brussels", "'de"),
    ("Kopenhag", "Europe/Copenhagen", "'da"), ("Cenevre", "Europe/Zurich", "'de"), ("Zürih", "Europe/Zurich", "'te"),
    ("Tahran", "Asia/Tehran", "'da"), ("Bağdat", "Asia/Baghdad", "'ta"), ("Beyrut", "Asia/Beirut", "'ta"),
    ("Kudüs", "Asia/Jerusalem", "'te"), ("Riyad", "Asia/Riyadh", "'da"), ("Cezayir", "Africa/Algiers", "'de"),
    ("Tunus", "Africa/Tunis", "'ta"), ("Bükreş", "Europe/Bucharest", "'te"), ("Sofya", "Europe/Sofia", "'da"),
    ("Belgrad", "Europe/Belgrade", "'da"), ("Kiev", "Europe/Kyiv", "'de"), ("Budapeşte", "Europe/Budapest", "'de"),
    ("Saraybosna", "Europe/Sarajevo", "'da"), ("Üsküp", "Europe/Skopje", "'te"), ("Tiflis", "Asia/Tbilisi", "'te"),
    ("Erivan", "Asia/Yerevan", "'da"), ("Taşkent", "Asia/Tashkent", "'te"), ("Kabil", "Asia/Kabul", "'de"),
    ("Karaçi", "Asia/Karachi", "'de"), ("Cakarta", "Asia/Jakarta", "'da"), ("Singapur", "Asia/Singapore", "'da"),
    ("Köln", "Europe/Berlin", "'de"),
]
# gazetteer names as Turkish writes them, with their suffix; Istanbul/Izmir/Baku get their Turkish letters
TR_SUFFIX: dict[str, str] = {
    "Istanbul": "'da", "Izmir": "'de", "Ankara": "'da", "Antalya": "'da", "Baku": "'de", "Paris": "'te",
    "Berlin": "'de", "Madrid": "'de", "Amsterdam": "'da", "New York": "'ta", "Washington": "'da",
    "Chicago": "'da", "Toronto": "'da", "Tokyo": "'da", "Osaka": "'da", "Kyoto": "'da", "Dubai": "'de",
    "Doha": "'da", "Hong Kong": "'da", "Bangkok": "'ta", "Helsinki": "'de", "Oslo": "'da", "Dublin": "'de",
    "Frankfurt": "'ta", "Hamburg": "'da", "Manila": "'da", "Nairobi": "'de", "Lagos": "'ta", "Lima": "'da",
    "Miami": "'de", "Delhi": "'de", "Mumbai": "'de", "Sydney": "'de", "Riga": "'da", "Tallinn": "'de",
    "Vilnius": "'ta", "Minsk": "'te", "Manama": "'da", "Bali": "'de", "Havana": "'da",
}

# gazetteer names the language spells differently only by accents or letters the gazetteer ignores;
# they are drawn from the shared cities pool (same partition as the English name) and written locally
LOCAL_SPELLING: dict[str, dict[str, str]] = {
    "fr": {"Seville": "Séville", "Jerusalem": "Jérusalem", "Seoul": "Séoul", "Montreal": "Montréal",
           "Hanoi": "Hanoï"},
    "es": {"Milan": "Milán", "Munich": "Múnich", "Berlin": "Berlín", "Amsterdam": "Ámsterdam", "Turin": "Turín",
           "Zürich": "Zúrich", "Shanghai": "Shanghái", "Seoul": "Seúl", "Rio de Janeiro": "Río de Janeiro",
           "Dublin": "Dublín", "Dubai": "Dubái", "Hanoi": "Hanói", "Sydney": "Sídney"},
    "pt": {"Hanoi": "Hanói", "Tunis": "Túnis", "Jerusalem": "Jerusalém"},
    "nl": {"Cairo": "Caïro"},
    "tr": {"Istanbul": "İstanbul", "Izmir": "İzmir", "Baku": "Bakü"},
}

# gazetteer names a language would not put after its plain preposition (article-bearing in that language)
SKIP: dict[str, frozenset[str]] = {
    "fr": frozenset({"The Hague", "Cairo", "Havana"}),
    "es": frozenset({"The Hague", "Cairo"}),
    "it": frozenset({"The Hague", "Cairo"}),
    "pt": frozenset({"The Hague", "Cairo", "Porto", "Rio de Janeiro", "Recife"}),
    "de": frozenset({"The Hague"}), "nl": frozenset({"The Hague"}), "sv": frozenset({"The Hague"}),
    "pl": frozenset({"The Hague"}),
}


def lang_places() -> list[Place]:
    out = [Place(name, zone, lang) for lang, items in _LOCAL.items() for name, zone in items]
    out += [Place(name, zone, "pl-loc", prep) for name, zone, prep in _PL_LOC]
    out += [Place(name, zone, "tr", suffix) for name, zone, suffix in _TR]
    return out


def _draw(rng: random.Random, pools: Pools, lang: str, form: str) -> tuple[str, str, str]:
    """(name as written, zone, text to put in the query). form: nom (a plain name), loc (Polish
    locative with its preposition, Turkish name with its suffix)."""
    local_lang = "pl-loc" if (lang, form) == ("pl", "loc") else lang
    local = [p for p in pools["lang_places"] if p.lang == local_lang]
    if lang == "pl" and form == "loc":
        cities = [c for c in pools["cities"] if c[0] in PL_INDECLINABLE]
    elif lang == "tr" and form == "loc":
        cities = [c for c in pools["cities"] if c[0] in TR_SUFFIX]
    else:
        skip = SKIP.get(lang, frozenset())
        cities = [c for c in pools["cities"] if c[0] not in skip]
    share = LOCAL_SHARE if form == "nom" else 0.5  # the inflected pools are mostly local names
    if local and (not cities or rng.random() < share):
        p = pick(rng, local)
        name, zone, extra = p.name, p.zone, p.extra
    else:
        english, zone = pick(rng, cities)
        name = LOCAL_SPELLING.get(lang, {}).get(english, english)
        extra = TR_SUFFIX.get(english, "") if lang == "tr" else ("w" if lang == "pl" else "")
    if form == "loc" and lang == "pl":
        return name, zone, f"{extra} {name}"
    if form == "loc" and lang == "tr":
        return name, zone, name + extra
    return name, zone, name


def _italian_a(place: str) -> str:
    """`a Roma`, `ad Atene` (the euphonic d before a word starting with a)."""
    return ("ad " if place[:1].lower() in "aà" else "a ") + place


def t(lang: str, tid: str, pattern: str, form: str = "nom", weight: float = WEIGHT) -> Template:
    """A template; `{city}` is the place as written ("Rom", "w Warszawie" for Polish form=loc with the
    preposition, "Londra'da" for Turkish form=loc); `{a_city}` is Italian `a/ad` + city."""

    def render(rng: random.Random, pools: Pools) -> Sample:
        name, zone, shown = _draw(rng, pools, lang, form)
        query = pattern.format(city=shown, a_city=_italian_a(shown))
        return Sample(query, name, {"city": name, "zone": zone, "language": lang}, keep=(name,))

    return Template(f"time.lang_{lang}_{tid}", "time", render, pattern, weight)


TEMPLATES: list[Template] = [
    # German
    t("de", "wie_spaet", "Wie spät ist es in {city}?"),
    t("de", "wie_viel_uhr", "Wie viel Uhr ist es in {city}?"),
    t("de", "gerade", "Wieviel Uhr ist es gerade in {city}?"),
    t("de", "weisst_du", "Weißt du, wie spät es jetzt in {city} ist?"),
    t("de", "formal", "Können Sie mir sagen, wie spät es in {city} ist?"),
    t("de", "uhrzeit", "Uhrzeit in {city}?"),
    t("de", "anrufen", "Ich will gleich jemanden in {city} anrufen. Wie spät ist es dort?"),
    t("de", "aktuell", "aktuelle Uhrzeit {city}"),
    # French
    t("fr", "quelle_heure", "Quelle heure est-il à {city} ?"),
    t("fr", "il_est", "Il est quelle heure à {city} ?"),
    t("fr", "en_ce_moment", "Quelle heure est-il en ce moment à {city}?"),
    t("fr", "formal", "Pouvez-vous me dire quelle heure il est à {city} ?"),
    t("fr", "tu_sais", "Tu sais quelle heure il est à {city} ?"),
    t("fr", "heure_locale", "Heure locale à {city} ?"),
    t("fr", "collegue", "J'ai un collègue à {city}, il est quelle heure là-bas ?"),
    t("fr", "actuelle", "Quelle est l'heure actuelle à {city} ?"),
    # Spanish
    t("es", "que_hora", "¿Qué hora es en {city}?"),
    t("es", "ahora_mismo", "¿Qué hora es ahora mismo en {city}?"),
    t("es", "formal", "¿Me podría decir qué hora es en {city}?"),
    t("es", "sabes", "¿Sabes qué hora es en {city}?"),
    t("es", "hora_actual", "Hora actual en {city}"),
    t("es", "tienen", "¿Qué hora tienen en {city} ahorita?"),
    t("es", "familia", "Tengo familia en {city}, ¿qué hora es allí ahora?"),
    t("es", "corto", "que hora es en {city}"),
    # Italian
    t("it", "che_ore", "Che ore sono {a_city}?"),
    t("it", "che_ora", "Che ora è {a_city}?"),
    t("it", "adesso", "Che ore sono adesso {a_city}?"),
    t("it", "formal", "Mi sa dire che ore sono {a_city}?"),
    t("it", "sai", "Sai che ore sono {a_city} in questo momento?"),
    t("it", "ora_locale", "Ora locale {a_city}?"),
    t("it", "amico", "Devo chiamare un amico {a_city}: che ore sono lì?"),
    # Portuguese
    t("pt", "que_horas", "Que horas são em {city}?"),
    t("pt", "agora", "Que horas são agora em {city}?"),
    t("pt", "voce_sabe", "Você sabe que horas são em {city}?"),
    t("pt", "sabes", "Sabes que horas são em {city}?"),
    t("pt", "formal", "Poderia me dizer que horas são em {city}?"),
    t("pt", "hora_local", "Hora local em {city}?"),
    t("pt", "amigo", "Tenho um amigo em {city}. Que horas são lá agora?"),
    t("pt", "qual_hora", "Qual é a hora atual em {city}?"),
    # Dutch
    t("nl", "hoe_laat", "Hoe laat is het in {city}?"),
    t("nl", "nu", "Hoe laat is het nu in {city}?"),
    t("nl", "weet_jij", "Weet jij hoe laat het in {city} is?"),
    t("nl", "formal", "Kunt u mij vertellen hoe laat het in {city} is?"),
    t("nl", "tijd", "Tijd in {city}?"),
    t("nl", "huidige", "Wat is de huidige tijd in {city}?"),
    t("nl", "bellen", "Ik moet iemand in {city} bellen. Hoe laat is het daar nu?"),
    t("nl", "kort", "hoe laat is 't in {city}"),
    # Swedish
    t("sv", "vad_ar_klockan", "Vad är klockan i {city}?"),
    t("sv", "hur_mycket", "Hur mycket är klockan i {city}?"),
    t("sv", "just_nu", "Vad är klockan i {city} just nu?"),
    t("sv", "vet_du", "Vet du vad klockan är i {city}?"),
    t("sv", "formal", "Kan du säga mig vad klockan är i {city}?"),
    t("sv", "lokaltid", "Lokaltid i {city}?"),
    t("sv", "ringa", "Jag ska ringa en kompis i {city}. Vad är klockan där nu?"),
    # Polish ({city} includes w / we for form=loc)
    t("pl", "ktora", "Która jest godzina {city}?", form="loc"),
    t("pl", "teraz", "Która godzina jest teraz {city}?", form="loc"),
    t("pl", "wiesz", "Czy wiesz, która jest teraz godzina {city}?", form="loc"),
    t("pl", "formal", "Czy może mi Pan powiedzieć, która jest godzina {city}?", form="loc"),
    t("pl", "znajomy", "Mam znajomego {city}. Która tam jest teraz godzina?", form="loc"),
    t("pl", "aktualny", "Aktualny czas {city}?", form="loc"),
    t("pl", "dla_miasta", "Podaj aktualną godzinę dla miasta {city}."),
    t("pl", "krotko", "{city} – która godzina?"),
    # Turkish ({city} carries the locative suffix for form=loc)
    t("tr", "saat_kac", "{city} saat kaç?", form="loc"),
    t("tr", "su_an", "Şu an {city} saat kaç?", form="loc"),
    t("tr", "biliyor_musun", "{city} şu anda saat kaç, biliyor musun?", form="loc"),
    t("tr", "yerel", "{city} yerel saat kaç?", form="loc"),
    t("tr", "formal", "{city} için yerel saati söyler misiniz?"),
    t("tr", "arama", "{city} saat kaç"),
    t("tr", "oldu", "{city} saat kaç oldu acaba?", form="loc"),
]


def pools() -> dict[str, dict[str, list]]:
    """The whole time pool set: `cities` exactly as time.py has it, plus the local names."""
    from routerforge.data.templates.time import cities

    return {"time": {"cities": cities(), "lang_places": lang_places()}}


__all__ = ["LANGUAGES", "TEMPLATES", "Place", "lang_places", "pools"]
