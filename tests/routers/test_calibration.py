"""Confidence calibration (routers/calibration.py): temperature scaling, ECE, abstention thresholds,
and the name-score hook agreeing with what the runtime's constrained decoding reports."""

import numpy as np
import pytest

from routerforge.routers.calibration import (NameScores, abstention_stats, calibrate, ece, fit_temperature, nll,
                                           threshold_for_precision)

NAMES = ["add", "time", "chat"]


def _toy(scale: float, n: int = 3000, seed: int = 0):
    """Labels drawn from softmax(z); the scores are z * scale (scale > 1: overconfident)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, size=(n, 3))
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    labels = np.array([rng.choice(3, p=row) for row in p])
    return NameScores.flat(z * scale, NAMES), labels


def test_ece_of_known_bins():
    assert ece([0.9, 0.9, 0.9, 0.9], [1, 1, 1, 0]) == pytest.approx(0.15)
    assert ece([1.0, 0.0], [1, 0]) == pytest.approx(0.0)
    # two bins: (0.3 conf, 0 correct) and (0.8 conf, 1 correct) -> (0.3 + 0.2) / 2
    assert ece([0.3, 0.8], [0, 1]) == pytest.approx(0.25)
    assert ece([], []) == 0.0


@pytest.mark.parametrize("scale,expect", [(4.0, "up"), (0.3, "down")])
def test_temperature_scaling_fixes_a_miscalibrated_toy(scale, expect):
    scores, labels = _toy(scale)
    t = fit_temperature(scores, labels)
    assert (t > 2.0) if expect == "up" else (t < 0.6)
    assert t == pytest.approx(scale, rel=0.2)  # recovers the distortion
    assert nll(scores, labels, t) < nll(scores, labels, 1.0)
    correct = scores.predicted == labels
    assert ece(scores.confidence(t), correct) < ece(scores.confidence(1.0), correct)


def test_calibrated_toy_keeps_temperature_one():
    scores, labels = _toy(1.0)
    assert fit_temperature(scores, labels) == pytest.approx(1.0, abs=0.15)


def test_nested_trie_scores_are_a_distribution():
    # root picks between "s" (-> node 1) and "add"; node 1 picks subtract vs schedule
    rng = np.random.default_rng(1)
    root, sub = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    names = ["subtract", "schedule", "add"]
    paths = [[(0, 0), (1, 0)], [(0, 0), (1, 1)], [(0, 1)]]
    scores = NameScores(names, [root, sub], paths, np.zeros(5, int))
    for t in (0.5, 1.0, 3.0):
        assert np.exp(scores.log_probs(t)).sum(1) == pytest.approx(np.ones(5))


def test_class_confidence_adds_same_class_siblings():
    # root: "s" (-> subtract | schedule) vs "add" vs "chat"; subtract and add are both math
    root = np.log(np.array([[0.5, 0.3, 0.2]]))
    sub = np.log(np.array([[0.6, 0.4]]))
    names = ["subtract", "schedule", "add", "chat"]
    classes = ["math", "schedule", "math", "chat"]
    paths = [[(0, 0), (1, 0)], [(0, 0), (1, 1)], [(0, 1)], [(0, 2)]]
    below = [[frozenset({"subtract", "schedule"}), frozenset({"add"}), frozenset({"chat"})],
             [frozenset({"subtract"}), frozenset({"schedule"})]]
    scores = NameScores(names, [root, sub], paths, np.array([0]), below)
    assert scores.confidence(1.0)[0] == pytest.approx(0.3)  # subtract alone
    # subtract 0.3 + add 0.3 (a pure-math sibling at the root); the mixed "s" subtree is not counted twice
    assert scores.confidence(1.0, classes)[0] == pytest.approx(0.6)
    flat = NameScores.flat(np.log(np.array([[0.5, 0.1, 0.3, 0.1]])), names)
    assert flat.confidence(1.0, classes)[0] == pytest.approx(0.8)  # exact class mass for a flat softmax


def test_calibrate_at_class_level_ignores_doubts_within_a_class():
    # every row is math; the model hesitates between add and subtract (0.55 / 0.45) but never doubts the class
    logits = np.log(np.tile([[0.55, 0.45, 1e-6]], (50, 1)))
    names, classes = ["add", "subtract", "chat"], ["math", "math", "chat"]
    scores = NameScores.flat(logits, names)
    labels = ["add"] * 25 + ["subtract"] * 25
    by_name = calibrate(scores, labels, target_precision=0.99)
    by_class = calibrate(scores, labels, target_precision=0.99, classes=classes)
    assert by_name["expert_accuracy"] == 0.5 and by_name["abstain_below"] is None
    assert by_class["expert_accuracy"] == 1.0 and by_class["abstain_below"] == 0.0
    assert by_class["level"] == "class" and by_class["coverage"] == 1.0


def test_threshold_for_precision():
    conf = np.array([0.2, 0.4, 0.6, 0.8, 0.9])
    correct = np.array([0, 0, 1, 1, 1], bool)
    assert threshold_for_precision(conf, correct, 0.95) == pytest.approx(0.6)
    assert threshold_for_precision(conf, correct, 0.6) == 0.0  # 3/5 already meets it
    assert threshold_for_precision(conf, np.zeros(5, bool), 0.5) is None
    with pytest.raises(ValueError):
        threshold_for_precision(conf, correct, 1.5)


def test_abstention_counts_chat_truth_as_right():
    stats = abstention_stats([0.2, 0.9], [False, True], [True, False], abstain_below=0.5)
    assert stats == {"coverage": 0.5, "precision_kept": 1.0, "accuracy": 1.0}


def test_calibrate_report_fields():
    scores, labels = _toy(3.0, n=500)
    cal = calibrate(scores, [NAMES[i] for i in labels] + [], target_precision=0.9)
    for key in ("temperature", "abstain_below", "ece_before", "ece_after", "n"):
        assert key in cal
    assert cal["n"] == 500 and cal["ece_after"] < cal["ece_before"]
    assert cal["abstain_below"] is not None and cal["precision_kept"] >= 0.9
    fixed = calibrate(scores, [NAMES[i] for i in labels], abstain_below=0.5)
    assert fixed["abstain_below"] == 0.5
    with pytest.raises(ValueError):
        calibrate(scores, ["nope"] * 500)
    with pytest.raises(ValueError):
        calibrate(scores, [NAMES[i] for i in labels], abstain_below=1.5)


# ---------------------------------------------------------------- with the tiny model

QUERIES = ["What is 256 times 4?", "Current time in Tokyo", "Tell me a joke", "hi", "Schedule Bob for 1 hour",
           "Janet has 16 eggs and eats 3", "12 / 4", "How do vaccines work?"]


@pytest.fixture(scope="module")
def router(tiny_model_dir):
    from routerforge.models.loading import load_model
    from routerforge.routers.generated import Router

    return Router(*load_model(tiny_model_dir), max_spec_tokens=6)


@pytest.mark.parametrize("temperature", [1.0, 2.5])
def test_name_scores_match_runtime_confidence(router, temperature):
    from routerforge.routers.calibration import name_scores

    router.temperature = temperature
    try:
        decisions = router.decide_batch(QUERIES)
    finally:
        router.temperature = 1.0
    scores = name_scores(router, QUERIES)
    assert len(scores.node_logits) >= 2  # the tiny tokenizer's trie branches below the root too
    assert [scores.names[i] for i in scores.predicted] == [d[0] for d in decisions]
    # the runtime reports the class probability along the greedy path, exactly as calibration computes it
    assert scores.confidence(temperature, router.classes) == pytest.approx([d[3] for d in decisions], rel=1e-4)
    assert np.all(scores.confidence(temperature, router.classes) >= scores.confidence(temperature) - 1e-9)
    assert np.exp(scores.log_probs(temperature)).sum(1) == pytest.approx(np.ones(len(QUERIES)))


def test_abstain_threshold_routes_low_confidence_rows_to_chat(router):
    plain = router.route_batch(QUERIES)
    confs = sorted(r.confidence for r in plain)
    threshold = (confs[3] + confs[4]) / 2
    router.abstain_below = threshold
    try:
        gated = router.route_batch(QUERIES)
    finally:
        router.abstain_below = None
    assert sum(r.confidence < threshold for r in plain) == 4
    for p, g in zip(plain, gated):
        if p.confidence < threshold:
            assert (g.expert, g.spec) == ("chat", "")
        else:
            assert (g.expert, g.spec) == (p.expert, p.spec)
