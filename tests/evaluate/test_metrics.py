"""Each evaluation metric on hand-made rows."""

import pytest

from routerforge.evaluate import metrics as M

KNOWN = ["add", "subtract", "multiply", "divide", "word_problem", "schedule", "time", "chat"]


@pytest.mark.parametrize("text,value", [
    ("1024", 1024.0), ("1,024", 1024.0), ("$18.50", 18.5), ("3.5 hours", 3.5), ("7/2", 3.5), ("-4", -4.0),
    (12, 12.0), ("no number", None), (None, None), (True, None),
])
def test_parse_number(text, value):
    assert M.parse_number(text) == value


def test_numbers_equal_relative_tolerance():
    assert M.numbers_equal("1000000", 1000000.5)  # 5e-7 relative
    assert not M.numbers_equal("1000000", 1000002)  # 2e-6 relative
    assert M.numbers_equal("0.3333333333", "1/3")
    assert M.numbers_equal(0, "0")
    assert not M.numbers_equal(None, 3)
    assert not M.numbers_equal("18", 19)


def test_same_zone_uses_january_and_july_offsets():
    assert M.same_zone("Europe/London", "Europe/London")
    assert M.same_zone("Europe/Lisbon", "Europe/London")  # same DST rules
    assert M.same_zone("America/Toronto", "America/New_York")
    # same offset in January but not in July (London has DST, Abidjan does not)
    assert not M.same_zone("Africa/Abidjan", "Europe/London")
    # Phoenix has no DST: equal to Denver in January only
    assert not M.same_zone("America/Phoenix", "America/Denver")
    assert M.same_zone("Asia/Tokyo", "Asia/Seoul")  # both UTC+9 all year
    assert not M.same_zone("Not/AZone", "Europe/London")
    assert not M.same_zone(None, "Europe/London")


def test_zone_of_spec_reads_iana_keys_and_places():
    assert M.zone_of_spec("Asia/Tokyo") == "Asia/Tokyo"
    assert M.zone_of_spec("Europe/Paris | fr") == "Europe/Paris"
    assert M.zone_of_spec("") is None
    assert M.same_zone(M.zone_of_spec("Tokyo"), "Asia/Tokyo")


def test_format_valid_generative_and_not():
    assert M.format_valid({"expert": "multiply", "raw": None}, KNOWN)  # non-generative, registered expert
    assert not M.format_valid({"expert": "teleport", "raw": None}, KNOWN)
    assert M.format_valid({"expert": "multiply", "raw": "multiply: 256 * 4 ->"}, KNOWN)
    assert M.format_valid({"expert": "chat", "raw": "chat:"}, KNOWN)
    assert not M.format_valid({"expert": "multiply", "raw": "The answer is 1024"}, KNOWN)
    assert not M.format_valid({"expert": "teleport", "raw": "teleport: Mars ->"}, KNOWN)


def test_class_accuracy_and_confusion():
    truth = ["math", "math", "time", "chat"]
    pred = ["math", "word_problem", "time", "other"]
    acc = M.class_accuracy(truth, pred)
    assert acc["overall"] == 0.5
    assert acc["per_class"]["math"] == {"accuracy": 0.5, "n": 2}
    assert acc["per_class"]["chat"] == {"accuracy": 0.0, "n": 1}
    cm = M.confusion_matrix(truth, pred)
    assert cm["labels"] == ["math", "word_problem", "time", "chat", "other"]
    assert cm["matrix"][0] == [1, 1, 0, 0, 0]
    assert cm["matrix"][3] == [0, 0, 0, 0, 1]
    assert sum(map(sum, cm["matrix"])) == 4


def test_robustness_consistency_and_flips():
    groups = ["a", "a", "a", "b", "b", "c", None]
    pred = ["math", "math", "chat", "time", "time", "chat", "math"]
    rob = M.robustness(groups, pred)
    assert rob["groups"] == 2  # "c" has one row, None is ungrouped
    assert rob["consistency"] == 0.5  # b consistent, a not
    assert rob["flip_rate"] == pytest.approx(1 / 3)  # a: one of two flips from the anchor; b: none
    assert M.robustness([None, None], ["math", "chat"])["consistency"] is None


def test_percentile_and_latency():
    assert M.percentile([1, 2, 3, 4, 5], 50) == 3
    assert M.percentile([0, 10], 95) == pytest.approx(9.5)
    assert M.percentile([], 50) is None
    lat = M.latency([1.0, 3.0], wall_s=0.5)
    assert lat["latency_p50_ms"] == 2.0 and lat["throughput_qps"] == 4.0
    assert M.latency([1.0], wall_s=0)["throughput_qps"] is None


def test_score_row_and_compute_metrics():
    rows = [
        {"query": "q1", "expert_class": "math", "answer": 1024, "group": "g", "variation": "plain"},
        {"query": "q2", "expert_class": "math", "answer": 1024, "group": "g", "variation": "noisy"},
        {"query": "q3", "expert_class": "time", "zone": "Europe/London"},
        {"query": "q4", "expert_class": "time", "zone": "Europe/London"},
        {"query": "q5", "expert_class": "chat"},
    ]
    preds = [
        {"expert": "multiply", "expert_class": "math", "spec": "256*4", "result": "1024", "raw": None, "latency_ms": 1},
        {"expert": "chat", "expert_class": "chat", "spec": "", "result": None, "raw": None, "latency_ms": 3},
        {"expert": "time", "expert_class": "time", "spec": "Europe/Lisbon", "result": "12:00 WET", "raw": None,
         "latency_ms": 2},
        {"expert": "time", "expert_class": "time", "spec": "Africa/Abidjan", "result": "12:00 GMT", "raw": None,
         "latency_ms": 2},
        {"expert": "bogus", "expert_class": "bogus", "spec": "", "result": None, "raw": "bogus:", "latency_ms": 2,
         "error": "unknown expert 'bogus'"},
    ]
    scores = [M.score_row(r, p, KNOWN) for r, p in zip(rows, preds)]
    assert [s["zone_ok"] for s in scores] == [None, None, True, False, None]
    assert [s["answer_ok"] for s in scores] == [True, False, None, None, None]
    m = M.compute_metrics(rows, preds, scores, wall_s=0.01)
    assert m["n"] == 5
    assert m["format_validity"] == 0.8
    assert m["expert_accuracy"] == 0.6
    assert m["answer_accuracy"] == 0.5 and m["n_answer"] == 2
    assert m["zone_accuracy"] == 0.5 and m["n_zone"] == 2
    assert m["result_accuracy"] is None
    assert m["robustness_consistency"] == 0.0 and m["flip_rate"] == 1.0
    assert m["latency_p50_ms"] == 2 and m["throughput_qps"] == pytest.approx(500)
    assert m["by_variation"] == {"noisy": {"accuracy": 0.0, "n": 1}, "plain": {"accuracy": 1.0, "n": 1}}
    assert m["confusion"]["labels"][-1] == "other"
    assert m["expert_errors"] == {"unknown expert 'bogus'": 1}
