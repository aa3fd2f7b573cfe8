"""Vendored benchmarks, generated-split rows, and the no-leakage check against generated data."""

import importlib.util
import json
import re

import pytest

from routerforge.evaluate import benchmarks as B
from routerforge.evaluate.harness import evaluate_routers
from routerforge.routers.rules import RulesRouter

CLASSES = {"math", "word_problem", "schedule", "time", "chat"}


@pytest.mark.parametrize("name,n", [("clinc150", 444), ("gsm8k", 200), ("robustness", 40)])
def test_vendored_benchmarks_load(name, n):
    rows = B.load_benchmark(name)
    assert len(rows) == n
    assert all(r["query"].strip() and r["expert_class"] in CLASSES for r in rows)
    folder = B.benchmark_path(name).parent
    assert (folder / "SOURCE.md").is_file()


def test_benchmark_labels():
    gsm = B.load_benchmark("gsm8k")
    assert all(r["expert_class"] == "word_problem" and isinstance(r["answer"], (int, float)) for r in gsm)
    rob = B.load_benchmark("robustness")
    groups = {r["group"] for r in rob}
    assert len(groups) == 8 and all(sum(r["group"] == g for r in rob) >= 4 for g in groups)
    assert sum(r["variation"] == "original" for r in rob) == 8
    assert {r["zone"] for r in rob if "zone" in r} == {"Asia/Tokyo", "Europe/London"}
    for name in ("clinc150", "gsm8k"):
        assert "LICENSE" in {p.name for p in B.benchmark_path(name).parent.iterdir()}


def test_env_override_and_unknown_names(tmp_path, monkeypatch):
    (tmp_path / "gsm8k").mkdir()
    (tmp_path / "gsm8k" / "test_sample.jsonl").write_text(
        json.dumps({"query": "Ann has 3 pens and buys 2. How many?", "expert_class": "word_problem", "answer": 5}) + "\n")
    monkeypatch.setenv(B.ENV_VAR, str(tmp_path))
    assert B.load_benchmark("gsm8k")[0]["answer"] == 5
    with pytest.raises(FileNotFoundError, match="ROUTERFORGE_BENCHMARKS"):
        B.load_benchmark("clinc150")
    with pytest.raises(ValueError, match="unknown benchmark 'nope'"):
        B.load_benchmark("nope")
    with pytest.raises(ValueError, match="needs --run"):
        B.load_benchmark("heldout")


def test_bad_rows_name_their_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"query": "hi", "expert_class": "chat"}\n{"query": "x", "expert_class": "astrology"}\n')
    with pytest.raises(ValueError, match=r"row 2: unknown expert_class 'astrology'"):
        B.load_rows(path)
    path.write_text('{"query": "x", "expert_class": "math", "answer": "lots"}\n')
    with pytest.raises(ValueError, match="not a number"):
        B.load_rows(path)


GENERATED = [
    {"query": "what is 256 times 4", "expert": "multiply", "spec": "256 * 4", "result": "1024",
     "expert_class": "math", "variation": "plain", "template_id": "m1", "messages": []},
    {"query": "Schedule Erin for 2 hours and Femi for 1 hour, no overlap", "expert": "schedule",
     "spec": "Erin:2hr,Femi:1hr | no_overlap", "result": "Erin:9-11,Femi:11-12", "expert_class": "schedule",
     "variation": "plain", "template_id": "s1", "messages": []},
    {"query": "current time in Osaka", "expert": "time", "spec": "Osaka", "result": "20:00 JST",
     "expert_class": "time", "variation": "typo", "template_id": "t1", "messages": []},
    {"query": "tell me about volcanoes", "expert": "chat", "spec": "", "result": None,
     "expert_class": "chat", "variation": "plain", "template_id": "c1", "messages": []},
]


def test_generated_split_rows_become_truth_rows(tmp_path):
    run = tmp_path / "run"
    (run / "data").mkdir(parents=True)
    (run / "data" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in GENERATED))
    rows = B.load_benchmark("heldout", run=run)
    assert rows[0]["answer"] == "1024" and rows[0]["expected_expert"] == "multiply"
    assert rows[1]["expected_result"] == "Erin:9-11,Femi:11-12" and "answer" not in rows[1]
    assert rows[2]["zone"] == "Asia/Tokyo" and "expected_result" not in rows[2]  # time results follow the clock
    assert set(rows[3]) >= {"query", "expert_class"} and "answer" not in rows[3]
    m = evaluate_routers(rows, {"rules": RulesRouter()}, progress=False)["routers"]["rules"]
    assert m["answer_accuracy"] == 1.0 and m["result_accuracy"] == 1.0 and m["zone_accuracy"] == 1.0
    assert set(m["by_variation"]) == {"plain", "typo"}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_no_benchmark_query_in_generated_training_data(tmp_path):
    if importlib.util.find_spec("routerforge.data.cli") is None:
        pytest.skip("the data generator (routerforge.data.cli) is not in this checkout yet")
    from routerforge.cli import main

    out = tmp_path / "data"
    assert main(["data", "generate", "--out", str(out), "--examples", "1500", "--seed", "7"]) == 0
    generated = [json.loads(line)["query"] for split in ("train", "val", "test")
                 for line in (out / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    assert len(generated) >= 1000
    seen = {_norm(q) for q in generated}
    blob = "\n".join(_norm(q) for q in generated)
    for name in ("clinc150", "gsm8k"):
        for row in B.load_benchmark(name):
            q = _norm(row["query"])
            assert q not in seen, f"{name} query in generated data: {row['query']!r}"
            if len(q) >= 60:  # a long benchmark sentence must not be pasted inside a template either
                assert q[:60] not in blob, f"{name} query text inside generated data: {row['query']!r}"


def test_hand_written_chat_pool_is_broad_and_holds_no_benchmark_query():
    """Deliver 2's floor (>= 1,000 distinct requests from >= 30 domains), and none of them is a benchmark
    query, compared with punctuation and case removed ("That's right." vs "thats right")."""
    from routerforge.data.templates.chat_pool import CHAT_POOL

    def squash(text: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())

    texts = {squash(e["text"]) for e in CHAT_POOL}
    assert len(texts) >= 1000
    assert len({e["category"].removeprefix("hard_") for e in CHAT_POOL}) >= 30
    for name in ("clinc150", "gsm8k"):
        for row in B.load_benchmark(name):
            assert squash(row["query"]) not in texts, f"{name} query in the chat pool: {row['query']!r}"
