"""Copy fields (Expert.copy_field + constrained.CopyIndex): a schedule's task names and a time's place
are decoded as copies of words of the query (places whatever the case), whatever the model prefers."""

import pytest

from routerforge.experts import get_expert
from routerforge.routers.constrained import CopyIndex, token_texts


@pytest.mark.parametrize("spec, field", [
    ("", ("", ":")), (" pi", (" pi", ":")), ("piano:4hr,em", ("em", ":")), ("piano:4hr", None),
    ("a:1hr | no_overlap", None), ("a:1hr | no_overlap,before(", ("", ",")),
    ("a:1hr | before(essay,pi", ("pi", ")")), ("a:1hr | after(x,y)", None), ("a:1hr | start(ess", ("ess", ",")),
    ("a:1hr | start(essay,", None), ("a:1hr | window(9am,", None),
    ("a:1hr | not_before(a,7:30pm),end_by(b", ("b", ",")),
])
def test_schedule_copy_fields_are_its_task_names(spec, field):
    assert get_expert("schedule").copy_field(spec) == field


def test_other_experts_have_no_copy_fields():
    assert all(get_expert(e).copy_field("x") is None for e in ("add", "word_problem", "chat"))


def test_a_place_is_copied_from_the_query_as_a_span_of_its_words_with_their_inner_punctuation():
    time = get_expert("time")
    assert time.copy_casefold and not get_expert("schedule").copy_casefold
    assert [time.copy_field(s) for s in ("", " Hong Ko")] == [("", " ->"), (" Hong Ko", " ->")]
    words = time.copy_words("Do you know the time in St. John's? Or in BUDAPEŞTE'DE, Hong Kong or Asia/Tokyo.")
    assert {"St.", "St. John's", "John's", "BUDAPEŞTE'DE", "BUDAPEŞTE", "Hong Kong", "Asia/Tokyo", "Tokyo"} <= set(words)
    assert "John's?" not in words and "Asia/Tokyo." in words  # edge punctuation off, a final dot kept once
    assert "Hong Asia/Tokyo" not in words  # spans of the query only


def test_a_casefolded_copy_takes_any_case_of_a_query_word(tiny):
    _, tok = tiny
    texts = token_texts(tok)
    index = CopyIndex(texts)
    words = ["QUE", "HORAS", "TEGUCIGALPA"]
    assert index.allowed("Teg", " ->", words) is None  # case-sensitive: `Teg` is no query word's start
    folded = {texts[i] for i in index.allowed("Teg", " ->", words, fold=True).nonzero().flatten().tolist()}
    assert folded and all("tegucigalpa".startswith("teg" + t.casefold()) for t in folded)
    done = {texts[i] for i in index.allowed("Tegucigalpa", " ->", words, fold=True).nonzero().flatten().tolist()}
    assert done and all(t.startswith(" ->") for t in done)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from routerforge.models.loading import load_model

    return load_model(tiny_model_dir)


def test_allowed_tokens_continue_a_query_word_or_end_a_whole_one(tiny):
    _, tok = tiny
    texts = token_texts(tok)
    index = CopyIndex(texts)
    words = CopyIndex.words("Schedule Latin (2h) and errands for 20 min")
    allowed = lambda field: {texts[i] for i in index.allowed(field, ":", words).nonzero().flatten().tolist()}  # noqa: E731
    start = allowed("")
    assert start and all(any(w.startswith(t.lstrip(" ").removesuffix(":")) for w in words) for t in start)
    middle = allowed("Lat")
    assert middle and all("Latin".startswith("Lat" + t.removesuffix(":")) for t in middle)
    done = allowed("Latin")  # a whole word: it may only end with the field's end, never run on
    assert ":" in done and all(t[0] == ":" for t in done)
    assert "2h" not in words and "20" not in words  # numbers and durations are not names
    assert index.allowed("xyz", ":", words) is None  # the field left the query already: nothing to enforce


def test_decoded_schedule_names_are_words_of_the_query(tiny):
    """The tiny random model writes garbage, but every schedule name it writes is a query word."""
    from routerforge.routers.generated import Router

    router = Router(*tiny, grounding=False)
    queries = ["Schedule Latin (2h) and errands (20 min) with no overlap",
               "Tomorrow: first packing for 3h, then violin for an hour"]
    for query, (expert, spec, _, _) in zip(queries, router.decide_batch(
            queries, choose=lambda hs, qs: [("schedule", 1.0)] * len(qs))):
        words = set(CopyIndex.words(query))
        tasks = spec.split("|", 1)[0]
        names = [part.split(":", 1)[0].strip() for part in tasks.split(",") if ":" in part]
        assert expert == "schedule" and names and all(n in words for n in names), (spec, names)
    cands = router.spec_candidates_batch([(queries[0], "schedule")], 3)[0]
    for c in cands:
        names = [p.split(":", 1)[0].strip() for p in c.split("|", 1)[0].split(",") if ":" in p]
        assert all(n in set(CopyIndex.words(queries[0])) for n in names), c


def test_decoded_places_are_query_words_whatever_their_case(tiny):
    """The tiny random model writes garbage, but every word of a place it writes is a query word."""
    from routerforge.routers.generated import Router

    router = Router(*tiny, grounding=False)
    queries = ["WHAT TIME IS IT IN KYOTO?", "Heure locale à Tegucigalpa ?"]
    for query, (expert, spec, _, _) in zip(queries, router.decide_batch(
            queries, choose=lambda hs, qs: [("time", 1.0)] * len(qs))):
        spans = {w.casefold() for w in get_expert("time").copy_words(query)}
        assert expert == "time" and spec.strip().casefold() in spans, spec
    spans = {w.casefold() for w in get_expert("time").copy_words(queries[0])}
    for c in router.spec_candidates_batch([(queries[0], "time")], 3)[0]:
        assert c.strip().casefold() in spans, c
