"""The generator: exact counts, held-out splits, verified targets, determinism, loud failures."""

import json
import re
from datetime import datetime

import pytest

from conftest import REPO_ROOT

from routerforge.data import DataConfig, DataGenerationError, generate_dataset, generate_rows, normalize_query
from routerforge.data.config import SPLITS
from routerforge.data.generate import generate_with_stats, plan_counts
from routerforge.data.slots import NAMES
from routerforge.data.templates import split_views
from routerforge.experts import class_of, clock, get_expert, run_decision
from routerforge.formats.decision import render_decision

COT_CONFIG = str(REPO_ROOT / "configs" / "data_cot_mix.yaml")


@pytest.fixture(scope="module")
def generated():
    return generate_with_stats(DataConfig(examples=600, seed=11))


def _all(rows):
    return [r for s in SPLITS for r in rows[s]]


def test_row_schema_and_target(generated):
    rows, stats = generated
    assert sum(len(rows[s]) for s in SPLITS) == 600 == stats["examples"]
    for split in SPLITS:
        for r in rows[split]:
            sys_msg, user, assistant = r["messages"]
            assert (sys_msg["role"], user["role"], assistant["role"]) == ("system", "user", "assistant")
            assert user["content"] == r["query"] and r["split"] == split
            assert assistant["content"] == render_decision(r["expert"], r["spec"], r["result"])
            assert r["expert_class"] == class_of(r["expert"])
            assert r["template_id"].startswith(r["expert"] + ".") and r["variation"]


def test_every_target_re_executes_to_its_stored_result(generated):
    rows, stats = generated
    with clock.frozen(datetime.fromisoformat(stats["clock"])):
        for r in _all(rows):
            decision, res = run_decision(r["messages"][2]["content"])
            assert res.ok and decision.expert == r["expert"], r
            assert res.value == r["result"] == decision.result, r


def test_no_query_string_shared_between_splits(generated):
    rows, _ = generated
    keys = {s: {normalize_query(r["query"]) for r in rows[s]} for s in SPLITS}
    assert not keys["test"] & keys["train"] and not keys["test"] & keys["val"] and not keys["val"] & keys["train"]


def test_test_split_uses_only_held_out_templates_and_slot_values(generated):
    rows, stats = generated
    train = rows["train"] + rows["val"]
    train_templates = {r["template_id"] for r in train}
    assert not train_templates & {r["template_id"] for r in rows["test"]}
    for expert, h in stats["holdout"].items():
        assert h["templates"]["test"] >= 1 and not set(h["test_template_ids"]) & train_templates
    train_text = " ".join(r["query"].lower() for r in train)
    test_cities = {r["slots"]["city"] for r in rows["test"] if r["expert"] == "time"}
    assert test_cities and not test_cities & {r["slots"].get("city") for r in train}
    held_cities = [c for c, _ in split_views("time", 0.25)["test"].pools["cities"]]
    train_cities = {r["slots"]["city"] for r in train if r["expert"] == "time"}
    assert not set(held_cities) & train_cities
    assert not any(re.search(rf"\b{re.escape(c.lower())}\b", train_text) for c in held_cities)
    test_prompts = {r["slots"]["prompt"] for r in rows["test"] if "prompt" in r["slots"]}
    assert test_prompts and not test_prompts & {r["slots"].get("prompt") for r in train}
    test_names = {n for r in rows["test"] for n in r["slots"].get("names", [])}
    train_names = {n for r in train for n in r["slots"].get("names", [])}
    assert test_names and not test_names & train_names
    people = {n for n, _ in NAMES}
    assert not any(f" {n.lower()} " in f" {train_text} " for n in test_names & people)
    test_entities = {r["slots"]["entity"] for r in rows["test"] if "entity" in r["slots"]}
    assert test_entities and not test_entities & {r["slots"].get("entity") for r in train}


def test_hard_negatives_and_variations_appear(generated):
    rows, _ = generated
    chat = [r for r in _all(rows) if r["expert"] == "chat"]
    assert all(r["spec"] == "" and r["messages"][2]["content"].startswith("chat:") for r in chat)
    assert sum(r["slots"].get("category", "").startswith("hard_") for r in chat) >= len(chat) // 4
    variations = {v for r in _all(rows) for v in r["variation"].split("+")}
    assert {"none", "typo", "instruction", "polite", "chatter", "punctuation"} <= variations


def test_cot_mix_counts_are_exact():
    config = DataConfig.from_yaml(COT_CONFIG)
    rows = generate_rows(config)
    by_class = {}
    for r in _all(rows):
        by_class[r["expert_class"]] = by_class.get(r["expert_class"], 0) + 1
    assert by_class == {"math": 100, "word_problem": 100, "schedule": 50, "time": 100, "chat": 100}
    math = {e: sum(r["expert"] == e for r in _all(rows)) for e in ("add", "subtract", "multiply", "divide")}
    assert set(math.values()) == {25}


@pytest.mark.parametrize("n", [1, 7, 13, 1000])
def test_examples_is_the_total_and_mix_shares_are_proportional(n):
    config = DataConfig(examples=n, mix={"math": 2, "chat": 1, "time": 1})
    counts = plan_counts(config)
    assert sum(sum(v.values()) for v in counts.values()) == n
    if n == 1000:
        assert sum(sum(counts[e].values()) for e in ("add", "subtract", "multiply", "divide")) == 500
        assert set(counts) == {"add", "subtract", "multiply", "divide", "time", "chat"}


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    config = DataConfig(examples=160, seed=3)
    generate_dataset(config, tmp_path / "a")
    generate_dataset(config, tmp_path / "b")
    generate_dataset(DataConfig(examples=160, seed=4), tmp_path / "c")
    for name in ("train.jsonl", "val.jsonl", "test.jsonl", "stats.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "train.jsonl").read_bytes() != (tmp_path / "c" / "train.jsonl").read_bytes()
    assert (tmp_path / "a" / "COMPLETE").is_file()


def test_stats_and_overwrite_protection(tmp_path):
    out = tmp_path / "run"
    stats = generate_dataset(DataConfig(examples=80, seed=1, clock="2025-03-04T05:06:00Z"), out)
    on_disk = json.loads((out / "stats.json").read_text())
    assert on_disk == json.loads(json.dumps(stats))
    assert stats["clock"].startswith("2025-03-04T05:06") and stats["seed"] == 1
    assert stats["bad_rows"]["count"] == 0 and stats["config"]["examples"] == 80
    assert sum(stats["counts"]["train"].values()) == stats["splits"]["train"]
    assert sum(stats["variations"]["test"].values()) == stats["splits"]["test"]
    with pytest.raises(FileExistsError):
        generate_dataset(DataConfig(examples=80), out)
    generate_dataset(DataConfig(examples=40), out, force=True)
    assert json.loads((out / "stats.json").read_text())["examples"] == 40
    empty = tmp_path / "empty"
    empty.mkdir()
    generate_dataset(DataConfig(examples=10), empty)  # an existing empty directory is fine


def test_system_prompt_parameter():
    rows = generate_rows(DataConfig(examples=10, system_prompt="Route it."))
    assert {r["messages"][0]["content"] for r in _all(rows)} == {"Route it."}


def _break_expert(monkeypatch, expert, every):
    """Make the expert reject every `every`-th spec, as a buggy template would produce."""
    real = get_expert(expert)
    calls = {"n": 0}
    original = type(real).run

    def run(self, spec):
        calls["n"] += 1
        if calls["n"] % every == 0:
            from routerforge.experts.base import ExpertResult
            return ExpertResult(False, error=f"{self.name}: broken on purpose")
        return original(self, spec)

    monkeypatch.setattr(type(real), "run", run)


def test_bad_rows_are_reported_and_replaced(monkeypatch):
    _break_expert(monkeypatch, "time", every=25)
    rows, stats = generate_with_stats(DataConfig(examples=400, seed=2, max_bad_fraction=0.05))
    assert sum(len(v) for v in rows.values()) == 400
    bad = stats["bad_rows"]
    assert bad["count"] >= 1 and bad["count"] == len(bad["rows"])
    assert all(b["reason"] == "time: broken on purpose" and b["expert"] == "time" for b in bad["rows"])
    assert not any("broken" in str(r["result"]) for r in rows["train"])


def test_too_many_bad_rows_fail_loudly(monkeypatch):
    _break_expert(monkeypatch, "time", every=2)
    with pytest.raises(DataGenerationError, match="failed validation"):
        generate_rows(DataConfig(examples=300, seed=2))


def test_excluded_queries_are_never_generated(tmp_path):
    rows = generate_rows(DataConfig(examples=300, seed=5))
    banned = [r["query"] for r in rows["train"][:20]]
    path = tmp_path / "bench.jsonl"
    path.write_text("".join(json.dumps({"query": q.upper() + "!!"}) + "\n" for q in banned))
    rows2, stats = generate_with_stats(DataConfig(examples=300, seed=5, exclude=[str(path)]))
    queries = {normalize_query(r["query"]) for r in _all(rows2)}
    assert not queries & {normalize_query(q) for q in banned} and stats["excluded_matches"] >= 1
    with pytest.raises(FileNotFoundError):
        generate_rows(DataConfig(examples=10, exclude=[str(tmp_path / "missing.jsonl")]))
