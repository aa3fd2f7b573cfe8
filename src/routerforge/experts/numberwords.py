"""Number words 0-999 in ten languages (en, de, fr, es, it, pt, nl, sv, pl, tr): `number_words(lang, n)`
is the usual spelling, `word_variants(lang, n)` every spelling people use (`a hundred`, `einhundert`).

One table for both directions: the data templates spell numbers with it, and grounding
(`routerforge.routers.grounding`) reads spelled numbers in a query back with `word_values()`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "pl", "tr")

# ------------------------------------------------------------------ number words, 0-999


def _en(n: int) -> list[str]:
    ones = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen").split()
    tens = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()

    def below100(k: int, sep: str) -> str:
        if k < 20:
            return ones[k]
        t, u = divmod(k, 10)
        return tens[t] + (sep + ones[u] if u else "")

    if n < 100:
        return list(dict.fromkeys([below100(n, "-"), below100(n, " ")]))
    h, r = divmod(n, 100)
    heads = ["one hundred", "a hundred"] if h == 1 else [ones[h] + " hundred"]
    if not r:
        return heads
    # "one hundred and five", "a hundred and five", "one hundred five" (not "a hundred five")
    return list(dict.fromkeys(f"{head}{join}{below100(r, sep)}" for join in (" and ", " ") for head in heads
                              for sep in ("-", " ") if join == " and " or head != "a hundred"))


_DE_ONES = ("null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn "
            "sechzehn siebzehn achtzehn neunzehn").split()
_DE_TENS = "- - zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig".split()


def _de(n: int) -> list[str]:
    def below100(k: int) -> str:
        if k < 20:
            return _DE_ONES[k]
        t, u = divmod(k, 10)
        return (("ein" if u == 1 else _DE_ONES[u]) + "und" if u else "") + _DE_TENS[t]

    if n < 100:
        return [below100(n)]
    h, r = divmod(n, 100)
    heads = ["hundert", "einhundert"] if h == 1 else [_DE_ONES[h] + "hundert"]
    return [head + (below100(r) if r else "") for head in heads]


_FR_ONES = ("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
            "dix-sept dix-huit dix-neuf").split()
_FR_TENS = "- - vingt trente quarante cinquante soixante".split()


def _fr_below100(k: int) -> str:
    if k < 20:
        return _FR_ONES[k]
    t, u = divmod(k, 10)
    if t == 7:
        return "soixante et onze" if u == 1 else "soixante-" + _FR_ONES[10 + u]
    if t == 8:
        return "quatre-vingt-" + _FR_ONES[u] if u else "quatre-vingts"
    if t == 9:
        return "quatre-vingt-" + _FR_ONES[10 + u]
    return _FR_TENS[t] + ("" if u == 0 else " et un" if u == 1 else "-" + _FR_ONES[u])


def _fr(n: int) -> list[str]:
    """France's traditional spelling: vingt et un, soixante et onze, quatre-vingts, deux cents, deux cent un."""
    if n < 100:
        return [_fr_below100(n)]
    h, r = divmod(n, 100)
    head = "cent" if h == 1 else _FR_ONES[h] + " cent"
    return [head + (" " + _fr_below100(r) if r else "s" if h > 1 else "")]


_ES_ONES = ("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis "
            "diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro veinticinco "
            "veintiséis veintisiete veintiocho veintinueve").split()
_ES_TENS = "- - - treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_ES_HUNDREDS = ("- ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos "
                "novecientos").split()


def _es(n: int) -> list[str]:
    def below100(k: int) -> str:
        if k < 30:
            return _ES_ONES[k]
        t, u = divmod(k, 10)
        return _ES_TENS[t] + (" y " + _ES_ONES[u] if u else "")

    if n < 100:
        return [below100(n)]
    if n == 100:
        return ["cien"]
    h, r = divmod(n, 100)
    return [_ES_HUNDREDS[h] + (" " + below100(r) if r else "")]


_IT_ONES = ("zero uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici quattordici quindici "
            "sedici diciassette diciotto diciannove").split()
_IT_TENS = "- - venti trenta quaranta cinquanta sessanta settanta ottanta novanta".split()


def _it_below100(k: int) -> str:
    if k < 20:
        return _IT_ONES[k]
    t, u = divmod(k, 10)
    tens = _IT_TENS[t]
    if u == 0:
        return tens
    if u in (1, 8):  # ventuno, ventotto: the tens drop their vowel before uno and otto
        tens = tens[:-1]
    return tens + ("tré" if u == 3 else _IT_ONES[u])


def _it(n: int) -> list[str]:
    if n < 100:
        return [_it_below100(n)]
    h, r = divmod(n, 100)
    head = "cento" if h == 1 else _IT_ONES[h] + "cento"
    if not r:
        return [head]
    tail = "tré" if r == 3 else _it_below100(r)
    if tail.startswith("ott"):  # centotto, duecentottanta
        return [head[:-1] + tail]
    if r == 1:
        return [head + tail, head[:-1] + tail]  # centouno, centuno
    return [head + tail]


_PT_ONES = ("zero um dois três quatro cinco seis sete oito nove dez onze doze treze catorze quinze dezesseis "
            "dezessete dezoito dezenove").split()
_PT_TENS = "- - vinte trinta quarenta cinquenta sessenta setenta oitenta noventa".split()
_PT_HUNDREDS = ("- cento duzentos trezentos quatrocentos quinhentos seiscentos setecentos oitocentos "
                "novecentos").split()


def _pt(n: int) -> list[str]:
    """Brazilian spelling (dezesseis, dezenove); catorze and quatorze are both used."""
    def below100(k: int) -> str:
        if k < 20:
            return _PT_ONES[k]
        t, u = divmod(k, 10)
        return _PT_TENS[t] + (" e " + _PT_ONES[u] if u else "")

    if n < 100:
        out = [below100(n)]
    elif n == 100:
        out = ["cem"]
    else:
        h, r = divmod(n, 100)
        out = [_PT_HUNDREDS[h] + (" e " + below100(r) if r else "")]
    return out + [w.replace("catorze", "quatorze") for w in out if "catorze" in w]


_NL_ONES = ("nul een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien "
            "zeventien achttien negentien").split()
_NL_TENS = "- - twintig dertig veertig vijftig zestig zeventig tachtig negentig".split()


def _nl(n: int) -> list[str]:
    def below100(k: int) -> str:
        if k < 20:
            return _NL_ONES[k]
        t, u = divmod(k, 10)
        if not u:
            return _NL_TENS[t]
        unit = _NL_ONES[u]
        return unit + ("ën" if unit.endswith("e") else "en") + _NL_TENS[t]  # tweeëntwintig, eenentwintig

    if n == 1:
        return ["één", "een"]
    if n < 100:
        return [below100(n)]
    h, r = divmod(n, 100)
    return [("honderd" if h == 1 else _NL_ONES[h] + "honderd") + (below100(r) if r else "")]


_SV_ONES = ("noll ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton sexton sjutton arton "
            "nitton").split()
_SV_TENS = "- - tjugo trettio fyrtio femtio sextio sjuttio åttio nittio".split()


def _sv(n: int) -> list[str]:
    def below100(k: int) -> str:
        if k < 20:
            return _SV_ONES[k]
        t, u = divmod(k, 10)
        return _SV_TENS[t] + (_SV_ONES[u] if u else "")

    if n < 100:
        return [below100(n)]
    h, r = divmod(n, 100)
    heads = ["hundra", "etthundra"] if h == 1 else [_SV_ONES[h] + "hundra"]
    return [head + (below100(r) if r else "") for head in heads]


_PL_ONES = ("zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć dziesięć jedenaście dwanaście "
            "trzynaście czternaście piętnaście szesnaście siedemnaście osiemnaście dziewiętnaście").split()
_PL_TENS = ("- - dwadzieścia trzydzieści czterdzieści pięćdziesiąt sześćdziesiąt siedemdziesiąt "
            "osiemdziesiąt dziewięćdziesiąt").split()
_PL_HUNDREDS = "- sto dwieście trzysta czterysta pięćset sześćset siedemset osiemset dziewięćset".split()


def _pl(n: int) -> list[str]:
    def below100(k: int) -> str:
        if k < 20:
            return _PL_ONES[k]
        t, u = divmod(k, 10)
        return _PL_TENS[t] + (" " + _PL_ONES[u] if u else "")

    if n < 100:
        return [below100(n)]
    h, r = divmod(n, 100)
    return [_PL_HUNDREDS[h] + (" " + below100(r) if r else "")]


_TR_ONES = "sıfır bir iki üç dört beş altı yedi sekiz dokuz".split()
_TR_TENS = "- on yirmi otuz kırk elli altmış yetmiş seksen doksan".split()


def _tr(n: int) -> list[str]:
    """Written apart, as the Turkish Language Association spells them: yirmi bir, iki yüz elli."""
    if n == 0:
        return ["sıfır"]
    h, r = divmod(n, 100)
    t, u = divmod(r, 10)
    parts = ([] if not h else ["yüz"] if h == 1 else [_TR_ONES[h], "yüz"]) + ([_TR_TENS[t]] if t else []) + (
        [_TR_ONES[u]] if u else [])
    return [" ".join(parts)]


WORD_VARIANTS: dict[str, Callable[[int], list[str]]] = {
    "en": _en, "de": _de, "fr": _fr, "es": _es, "it": _it, "pt": _pt, "nl": _nl, "sv": _sv, "pl": _pl, "tr": _tr,
}


def number_words(lang: str, n: int) -> str:
    """The usual spelling of 0 <= n <= 999 in `lang`."""
    return word_variants(lang, n)[0]


def word_variants(lang: str, n: int) -> list[str]:
    """Every spelling of n a render may use, the usual one first."""
    if not (isinstance(n, int) and 0 <= n <= 999):
        raise ValueError(f"number words cover 0-999, not {n!r}")
    return WORD_VARIANTS[lang](n)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", " ", text).strip()


@lru_cache(maxsize=1)
def word_values() -> dict[str, int]:
    """Normalised spelling (lower case, no accents, hyphens as spaces) -> value, every language, 0-999.
    A spelling two languages use for different numbers keeps the smaller one (rare: `en`/`nl` `een`)."""
    out: dict[str, int] = {}
    for lang in LANGUAGES:
        for n in range(1000):
            for w in word_variants(lang, n):
                key = _norm(w)
                if key not in out or n < out[key]:
                    out[key] = n
    return out


def spelled_numbers(text: str, max_words: int = 6, skip: frozenset[str] = frozenset()) -> set[int]:
    """Every number 0-999 spelled in `text` (longest spellings first, any language); a one-word spelling
    in `skip` is not read alone (a longer spelling that starts with it still is)."""
    table = word_values()
    words = _norm(re.sub(r"[^\w\s\-]", " ", text)).split()
    found: set[int] = set()
    for i in range(len(words)):
        for j in range(min(len(words), i + max_words), i, -1):
            value = table.get(" ".join(words[i:j]))
            if value is not None and not (j == i + 1 and words[i] in skip):
                found.add(value)
                break
    return found


_AMBIGUOUS = {0, 1}  # "one of", "un café", "een boek", "bir gün": articles in many languages; left as words


def digits_for_words(text: str, max_words: int = 6) -> str:
    """`text` with every spelled number 2-999 (any of the ten languages, longest spelling first) written
    in digits: "sixty plus forty" -> "60 plus 40", "neun mal sieben" -> "9 mal 7". Zero and one stay
    words (they are articles in several languages). Punctuation and the other words are kept."""
    table = word_values()
    tokens = re.findall(r"\w+(?:-\w+)*|\W+", text)
    words = [(i, t) for i, t in enumerate(tokens) if re.match(r"\w", t)]
    out = list(tokens)
    k = 0
    while k < len(words):
        for j in range(min(len(words), k + max_words), k, -1):
            span = words[k:j]
            # a spelling is contiguous words separated by spaces or hyphens only
            if any(tokens[a + 1:b] != [" "] and tokens[a + 1:b] != ["-"] for (a, _), (b, _) in zip(span, span[1:])):
                continue
            value = table.get(_norm(" ".join(w for _, w in span)))
            if value is not None and not (value in _AMBIGUOUS and j - k == 1):
                start, end = span[0][0], span[-1][0]
                out[start:end + 1] = [str(value)] + [""] * (end - start)
                k = j
                break
        else:
            k += 1
    return "".join(out)
