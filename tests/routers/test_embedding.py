"""The embedding (MiniLM kNN) router end to end on a tiny hand-written train file."""

import json

import pytest


from routerforge.routers.embedding import EmbeddingRouter, training_examples  # noqa: E402
from routerforge.evaluate.harness import evaluate_routers  # noqa: E402
from routerforge.routers.registry import build_routers  # noqa: E402
from routerforge.routers.base import ROUTERS, BaseRouter  # noqa: E402

TRAIN = {
    "multiply": ["what is 12 times 9", "multiply 45 by 3", "compute 7 * 8", "how much is 250 x 4"],
    "add": ["add 17 and 26", "what is 300 plus 45", "sum of 8 and 19"],
    "word_problem": [
        "Lena has 14 oranges, eats 2 and buys 5 more. How many oranges does she have?",
        "A farmer had 40 sheep and sold 12 of them. How many sheep are left?",
        "Sam bakes 24 cookies and gives 6 to each of his 3 friends. How many cookies remain?",
        "Priya saves 15 dollars a week for 6 weeks. How much has she saved?",
    ],
    "schedule": [
        "schedule Ava for 1 hour and Ben for 30 min without overlap",
        "book a 2 hour slot for Cleo and a 1 hour slot for Dev",
        "arrange meetings: Eli 45 min, Fay 1 hour, back to back",
        "plan my day with Gus for 2h and Hana for 1h",
    ],
    "time": ["what time is it in Berlin", "current time in Chicago", "local time in Mumbai right now",
             "tell me the time in Cairo"],
    "chat": ["write a haiku about rain", "who wrote Hamlet", "recommend a good sci-fi movie",
             "how do I make pancakes", "tell me something interesting about octopuses"],
}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    (run / "data").mkdir()
    rows = [{"query": q, "expert": e} for e, qs in TRAIN.items() for q in qs]
    rows.append({"query": "what is 12 times 9", "expert": "multiply"})  # duplicates are dropped
    (run / "data" / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return run


@pytest.fixture(scope="module")
def router(run_dir):
    return build_routers(["embedding"], run=run_dir)["embedding"]


def test_registered_and_protocol(router):
    assert "embedding" in ROUTERS and isinstance(router, BaseRouter) and router.name == "embedding"


def test_training_examples(run_dir):
    ex = training_examples(run_dir / "data" / "train.jsonl")
    assert len(ex) == sum(map(len, TRAIN.values()))
    assert ("add 17 and 26", "math", "add") in ex
    assert len(training_examples(run_dir / "data" / "train.jsonl", max_rows=5)) == 5


def test_routes_unseen_queries(router):
    queries = ["what's 64 times 5", "Omar has 30 stamps and gives away 8. How many stamps are left?",
               "what time is it in Madrid", "write a limerick about a cat"]
    out = router.route_batch(queries)
    assert [r.expert_class for r in out] == ["math", "word_problem", "time", "chat"]
    assert out[0].result == "320" and out[0].spec == "64 * 5"
    assert out[1].spec == "stamps:30 | -8" and out[1].result == "22"
    assert out[2].spec == "Europe/Madrid"
    assert all(r.raw is None and 0 < r.confidence <= 1 and r.latency_ms > 0 for r in out)
    assert router.route("multiply 9 by 6").result == "54"


def test_in_the_harness(router):
    rows = [{"query": "please multiply 11 by 11", "expert_class": "math", "answer": 121},
            {"query": "what is the time in Lima", "expert_class": "time", "zone": "America/Lima"}]
    m = evaluate_routers(rows, {"embedding": router}, progress=False)["routers"]["embedding"]
    assert m["expert_accuracy"] == 1.0 and m["answer_accuracy"] == 1.0 and m["zone_accuracy"] == 1.0
    assert m["format_validity"] == 1.0


def test_needs_training_data(tmp_path):
    with pytest.raises(ValueError, match="needs --run"):
        build_routers(["embedding"])
    with pytest.raises(FileNotFoundError, match="no training data"):
        build_routers(["embedding"], train_data=tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text('{"foo": 1}\n')
    with pytest.raises(ValueError, match="no training rows"):
        EmbeddingRouter.from_file(tmp_path / "empty.jsonl", encoder=object())
