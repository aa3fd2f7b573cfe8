"""Multilingual time templates and number-word / multilingual arithmetic templates: every rendered spec
runs with the real expert and means what the query says."""

import ast
import random
import re
from fractions import Fraction

import pytest

from routerforge.data.templates import math_lang, time_lang
from routerforge.data.templates.base import partition
from routerforge.experts import get_expert
from routerforge.experts.arithmetic import evaluate_expression, format_number
from routerforge.experts.gazetteer import ALIASES
from routerforge.experts.timezone import CITIES, normalise_place, resolve_zone

N = 200  # samples per template


def _samples(template, pools, n=N):
    rng = random.Random(f"test:{template.id}")
    return [template.render(rng, pools) for _ in range(n)]


# ------------------------------------------------------------------ time


@pytest.fixture(scope="module")
def time_pools():
    return time_lang.pools()["time"]


def test_time_template_ids_are_unique_and_prefixed():
    ids = [t.id for t in time_lang.TEMPLATES]
    assert len(ids) == len(set(ids))
    assert all(t.expert == "time" and t.id.startswith("time.lang_") for t in time_lang.TEMPLATES)


@pytest.mark.parametrize("template", time_lang.TEMPLATES, ids=lambda t: t.id)
def test_time_spec_is_the_place_as_written_and_runs(template, time_pools):
    expert = get_expert("time")
    lang = template.id.split("_")[1]
    for s in _samples(template, time_pools):
        assert s.spec == s.slots["city"] and s.spec in s.query, (s.query, s.spec)
        assert s.slots["language"] == lang and s.keep == (s.spec,)
        assert resolve_zone(s.spec) == s.slots["zone"], s
        res = expert.run(s.spec)
        assert res.ok, (s.query, s.spec, res.error)


def test_time_covers_every_language_with_five_phrasings(time_pools):
    assert {"de", "fr", "es", "it", "pt", "nl"} <= set(time_lang.LANGUAGES)
    local_names = {p.name for p in time_pools["lang_places"]}
    english = {c for c, _ in time_pools["cities"]}
    for lang in time_lang.LANGUAGES:
        templates = [t for t in time_lang.TEMPLATES if t.id.startswith(f"time.lang_{lang}_")]
        assert len(templates) >= 5, lang
        cities = {s.slots["city"] for t in templates for s in _samples(t, time_pools, 50)}
        assert cities & local_names and cities & english, lang  # both local and gazetteer names


def test_local_names_resolve_to_their_zone_and_are_no_gazetteer_city():
    city_keys = {normalise_place(c.name) for c in CITIES}
    for p in time_lang.lang_places():
        assert resolve_zone(p.name) == p.zone, p
        assert normalise_place(p.name) not in city_keys, p  # else it would dodge the shared city partition
    by_name = {c.name: c.zone for c in CITIES}
    for lang, spellings in time_lang.LOCAL_SPELLING.items():
        for english, local in spellings.items():
            assert resolve_zone(local) == by_name[english], (lang, local)
    for name, zone in ALIASES.items():
        assert resolve_zone(name) == zone, name  # no new alias is shadowed by an older name


@pytest.mark.parametrize("name, zone", [
    ("Rom", "Europe/Rome"), ("Mailand", "Europe/Rome"), ("Londres", "Europe/London"), ("Lisboa", "Europe/Lisbon"),
    ("Pekín", "Asia/Shanghai"), ("Moskau", "Europe/Moscow"), ("Nueva York", "America/New_York"),
    ("Varsovia", "Europe/Warsaw"), ("Wien", "Europe/Vienna"), ("Viena", "Europe/Vienna"), ("Praga", "Europe/Prague"),
    ("Atenas", "Europe/Athens"), ("Kairo", "Africa/Cairo"), ("Wenen", "Europe/Vienna"),
    ("Köpenhamn", "Europe/Copenhagen"),
    ("Warszawie", "Europe/Warsaw"), ("Nowym Jorku", "America/New_York"), ("Londra", "Europe/London"),
])
def test_exonyms_resolve(name, zone):
    assert resolve_zone(name) == zone


def _tr_suffix(name):
    """Turkish locative: vowel harmony on the last vowel, t after a voiceless consonant."""
    vowels = [c for c in name.lower() if c in "aıoueiöü"]
    back = vowels[-1] in "aıou"
    voiceless = name[-1].lower() in "fstkçşhp"
    return "'" + ("t" if voiceless else "d") + ("a" if back else "e")


def test_turkish_suffixes_follow_vowel_harmony():
    for p in time_lang.lang_places():
        if p.lang == "tr":
            assert p.extra == _tr_suffix(p.name), p
    for name, suffix in time_lang.TR_SUFFIX.items():
        written = time_lang.LOCAL_SPELLING["tr"].get(name, name)
        assert suffix == _tr_suffix(written), name


def test_polish_locatives_take_we_before_a_consonant_cluster():
    for p in time_lang.lang_places():
        if p.lang == "pl-loc":
            cluster = p.name[0] in "WF" and p.name[1] not in "aeiouyąęó" or p.name.startswith("Lw")
            assert p.extra == ("we" if cluster else "w"), p


def test_time_renders_only_from_the_pools_it_is_given(time_pools):
    """A train view never yields a held-out name (so the held-out split stays held out)."""
    train_cities, test_cities = partition(time_pools["cities"], 0.25, "pool:cities")
    train_local, test_local = partition(time_pools["lang_places"], 0.25, "pool:time:lang_places")
    held = {p.name for p in test_local} | {c for c, _ in test_cities}
    held |= {spelling.get(c, c) for spelling in time_lang.LOCAL_SPELLING.values() for c, _ in test_cities}
    view = {"cities": train_cities, "lang_places": train_local}
    for t in time_lang.TEMPLATES:
        for s in _samples(t, view, 50):
            assert s.spec not in held, (t.id, s.spec)


# ------------------------------------------------------------------ arithmetic

_TOP = {"add": (ast.Add,), "subtract": (ast.Sub,), "multiply": (ast.Mult, ast.Pow), "divide": (ast.Div,)}

# what each op means, written here independently of the module
_VALUE = {
    "sum": lambda n: sum(n),
    "diff": lambda n: n[0] - sum(n[1:]),
    "rdiff": lambda n: n[1] - n[0],
    "prod": lambda n: n[0] * n[1] * (n[2] if len(n) == 3 else 1),
    "quot": lambda n: n[0] / n[1],
    "rquot": lambda n: n[1] / n[0],
    "pct": lambda n: n[1] * n[0] / 100,
    "pow": lambda n: n[0] ** int(n[1]),
    "square": lambda n: n[0] * n[0],
    "cube": lambda n: n[0] * n[0] * n[0],
    "sum_mul": lambda n: (n[0] + n[1]) * n[2],
    "diff_div": lambda n: (n[0] - n[1]) / n[2],
    "sum_div": lambda n: (n[0] + n[1]) / n[2],
    "minus_sum": lambda n: n[0] - n[1] - n[2],
    "mean": lambda n: sum(n) / len(n),
}


def test_math_template_ids_are_unique_and_prefixed():
    ids = [t.id for t in math_lang.TEMPLATES]
    assert len(ids) == len(set(ids))
    assert all(t.id.startswith(f"{t.expert}.lang_") and t.expert in _TOP for t in math_lang.TEMPLATES)
    assert set(math_lang.OPS) == set(_VALUE)


def _told(lang, value, words):
    if words:
        return math_lang.word_variants(lang, int(value))
    text = format_number(value)
    return [text if lang == "en" else text.replace(".", ",")]


@pytest.mark.parametrize("template", math_lang.TEMPLATES, ids=lambda t: t.id)
def test_math_spec_runs_and_equals_the_value_the_query_asks_for(template):
    expert = get_expert(template.expert)
    lang = template.id.split(".lang_")[1].split("_")[0]
    for s in _samples(template, math_lang.pools()):
        res = expert.run(s.spec)
        assert res.ok, (s.query, s.spec, res.error)
        node = ast.parse(s.spec, mode="eval").body
        assert isinstance(node, ast.BinOp) and isinstance(node.op, _TOP[template.expert]), s.spec
        assert set(s.spec) <= set("0123456789+-*/(). "), s.spec  # digits and operators only
        assert s.slots["language"] == lang and s.slots["form"] in ("words", "digits")
        numbers = [Fraction(str(x)) for x in s.slots["numbers"]]
        want = _VALUE[s.slots["op"]](numbers)
        assert evaluate_expression(s.spec) == want, (s.query, s.spec, numbers)
        assert res.value == format_number(want)
        # the query tells these numbers, in this order
        pos, text = 0, s.query.replace("İ", "i").lower()  # Turkish İki; str.lower would add a combining dot
        for value in numbers:
            spellings = _told(lang, value, s.slots["form"] == "words")
            patterns = [re.compile(rf"(?<![\w,.-]){re.escape(w.lower())}(?![\w-]|[.,]\d)") for w in spellings]
            found = [m for m in (p.search(text, pos) for p in patterns) if m]
            assert found, (s.query, value, spellings)
            pos = min(found, key=lambda m: m.start()).end()
        for word in s.keep:
            assert word.replace("İ", "i").lower() in text


def test_math_covers_every_language_operation_and_form():
    assert {"de", "fr", "es", "it", "pt", "nl"} <= set(math_lang.LANGUAGES)
    seen = {(t.id.split(".lang_")[1].split("_")[0], t.expert, t.id.split(".lang_")[1].split("_")[1])
            for t in math_lang.TEMPLATES}
    for lang in math_lang.LANGUAGES:
        assert {e for lg, e, _ in seen if lg == lang} == set(_TOP), lang
        assert {f for lg, _, f in seen if lg == lang} == {"words", "digits"}, lang
    ops = {}
    for t in math_lang.TEMPLATES:
        s = t.render(random.Random(0), {})
        ops.setdefault(s.slots["language"], set()).add(s.slots["op"])
    for lang in ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "pl"):
        assert {"pct", "pow", "square", "sum_mul", "mean"} <= ops[lang], lang
    assert {"pow", "sum_mul"} <= ops["tr"]


KNOWN = {
    "en": {0: "zero", 7: "seven", 13: "thirteen", 21: "twenty-one", 40: "forty", 99: "ninety-nine",
           100: "one hundred", 105: "one hundred and five", 999: "nine hundred and ninety-nine"},
    "de": {0: "null", 1: "eins", 16: "sechzehn", 17: "siebzehn", 21: "einundzwanzig", 30: "dreißig",
           67: "siebenundsechzig", 100: "hundert", 101: "hunderteins", 121: "hunderteinundzwanzig",
           777: "siebenhundertsiebenundsiebzig"},
    "fr": {0: "zéro", 17: "dix-sept", 21: "vingt et un", 22: "vingt-deux", 71: "soixante et onze",
           72: "soixante-douze", 77: "soixante-dix-sept", 80: "quatre-vingts", 81: "quatre-vingt-un",
           91: "quatre-vingt-onze", 99: "quatre-vingt-dix-neuf", 100: "cent", 101: "cent un", 200: "deux cents",
           201: "deux cent un", 280: "deux cent quatre-vingts", 371: "trois cent soixante et onze"},
    "es": {0: "cero", 16: "dieciséis", 21: "veintiuno", 22: "veintidós", 31: "treinta y uno", 100: "cien",
           101: "ciento uno", 115: "ciento quince", 500: "quinientos", 700: "setecientos",
           999: "novecientos noventa y nueve"},
    "it": {0: "zero", 17: "diciassette", 21: "ventuno", 23: "ventitré", 28: "ventotto", 38: "trentotto",
           100: "cento", 103: "centotré", 108: "centotto", 180: "centottanta", 999: "novecentonovantanove"},
    "pt": {0: "zero", 16: "dezesseis", 19: "dezenove", 21: "vinte e um", 100: "cem", 101: "cento e um",
           200: "duzentos", 345: "trezentos e quarenta e cinco", 500: "quinhentos"},
    "nl": {0: "nul", 1: "één", 21: "eenentwintig", 22: "tweeëntwintig", 23: "drieëntwintig", 80: "tachtig",
           100: "honderd", 101: "honderdeen", 234: "tweehonderdvierendertig"},
    "sv": {0: "noll", 1: "ett", 18: "arton", 21: "tjugoett", 40: "fyrtio", 100: "hundra",
           999: "niohundranittionio"},
    "pl": {0: "zero", 5: "pięć", 15: "piętnaście", 21: "dwadzieścia jeden", 40: "czterdzieści", 100: "sto",
           200: "dwieście", 300: "trzysta", 555: "pięćset pięćdziesiąt pięć"},
    "tr": {0: "sıfır", 6: "altı", 11: "on bir", 40: "kırk", 60: "altmış", 100: "yüz", 101: "yüz bir",
           250: "iki yüz elli"},
}


@pytest.mark.parametrize("lang", list(KNOWN))
def test_number_words(lang):
    for n, text in KNOWN[lang].items():
        assert math_lang.number_words(lang, n) == text, (lang, n)
    owner = {}
    for n in range(1000):  # every spelling names one number only
        for w in math_lang.word_variants(lang, n):
            assert owner.setdefault(w, n) == n, (lang, w, n, owner[w])
    with pytest.raises(ValueError):
        math_lang.number_words(lang, 1000)
