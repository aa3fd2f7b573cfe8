"""Number words both ways: the templates spell numbers, routing reads them back (experts/numberwords.py)."""

import pytest

from routerforge.experts.numberwords import LANGUAGES, digits_for_words, number_words, spelled_numbers


@pytest.mark.parametrize("text,expected", [
    ("sixty plus forty", "60 plus 40"),
    ("neun mal sieben", "9 mal 7"),
    ("Combien font vingt fois quatre ?", "Combien font 20 fois 4 ?"),
    ("a hundred and five minus eighteen", "105 minus 18"),
    ("vierhundertsiebenundsiebzig plus dreiundvierzig", "477 plus 43"),
    ("Ile to jest trzysta sześćdziesiąt cztery minus piętnaście?", "Ile to jest 364 minus 15?"),
    ("Which one is better, cats or dogs?", "Which one is better, cats or dogs?"),  # one/zero stay words
    ("Tell me a joke", "Tell me a joke"),
])
def test_digits_for_words(text, expected):
    assert digits_for_words(text) == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_spelling_reads_back(lang):
    for n in (2, 7, 13, 21, 40, 71, 99, 100, 365, 999):
        assert n in spelled_numbers(number_words(lang, n)), (lang, n, number_words(lang, n))
