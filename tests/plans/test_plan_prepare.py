"""`plan prepare`: per-line validation, deterministic splits, summary counts, Vertex rows."""

import json

import pytest

from routerforge.cli import main
from routerforge.plans.prepare import load_raw_plans, prepare_plans, split_rows, to_vertex_row
from routerforge.plans.format import PLAN_PROMPT_HEADER, parse_plan, plan_tools

STEP = {"/math": "/math(Derive it)", "/code": "/code(Implement it, using Python)",
        "/general-search": '/general-search(query="it", mode=web)'}


def raw(i, tools=("/math", "/code"), difficulty="intermediate", **extra):
    rec = {
        "id": f"r{i}", "user_query": f"Question number {i}: derive and implement it.",
        "route_plan": [STEP[t] for t in tools],
        "route_rationale": " ".join(f"{t} does its part." for t in tools),
        "expected_artifacts": ["A derivation."], "thinking_outline": ["1. Think."],
        "handoff_plan": " -> ".join(tools) + " -> router QA",
        "todo_list": [f"- [ ] {t}: do it." for t in tools], "difficulty": difficulty, "tags": ["demo"],
        "acceptance_criteria": ["- Works."], "metrics": {"primary": ["Accuracy."], "secondary": ["Time."]},
    }
    rec.update(extra)
    return rec


def write_raw(path, records, bad_lines=()):
    lines = [json.dumps(r) for r in records]
    for lineno, text in bad_lines:  # 1-based position of each bad line
        lines.insert(lineno - 1, text)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_lines_are_reported_with_line_number_and_skipped(tmp_path, capsys):
    bad_schema = json.dumps(raw(99, difficulty="impossible"))
    no_query = json.dumps({k: v for k, v in raw(98).items() if k != "user_query"})
    src = write_raw(tmp_path / "raw.jsonl", [raw(i) for i in range(10)],
                    bad_lines=[(2, "{not json"), (5, bad_schema), (8, no_query), (9, json.dumps(raw(0)))])
    assert main(["plan", "prepare", "--input", str(src), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"{src}:2:" in err and f"{src}:5:" in err and "difficulty" in err
    assert f"{src}:8:" in err and "user_query" in err and f"{src}:9:" in err and "duplicate" in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["valid"] == 10 and summary["skipped"] == 4 and len(summary["errors"]) == 4
    assert (tmp_path / "out" / "COMPLETE").is_file()


def test_rows_use_the_benchmark_prompt_and_valid_compact_json(tmp_path):
    rows, errors = load_raw_plans(write_raw(tmp_path / "raw.jsonl", [raw(0)]))
    assert not errors
    row = rows[0]
    assert row["prompt"] == PLAN_PROMPT_HEADER + "User query:\nQuestion number 0: derive and implement it.\n"
    assert plan_tools(parse_plan(row["completion"])) == ["/math", "/code"]
    assert row["categories"] == ["math>code"] and row["tools"] == ["/math", "/code"]
    compact, _ = load_raw_plans(tmp_path / "raw.jsonl", compact=True)
    assert set(json.loads(compact[0]["completion"])) == {"route_plan", "route_rationale", "handoff_plan"}
    assert "- Keys: route_plan, route_rationale, handoff_plan." in compact[0]["prompt"]


def test_split_is_deterministic_and_order_independent():
    rows = [{"id": f"r{i:03d}"} for i in range(200)]
    a = split_rows(rows, seed=1, val_ratio=0.1, test_ratio=0.05)
    b = split_rows(list(reversed(rows)), seed=1, val_ratio=0.1, test_ratio=0.05)
    c = split_rows(rows, seed=2, val_ratio=0.1, test_ratio=0.05)
    assert a == b and a != c
    assert [len(a[k]) for k in ("train", "val", "test")] == [170, 20, 10]
    assert sorted(r["id"] for part in a.values() for r in part) == [r["id"] for r in rows]
    with pytest.raises(ValueError):
        split_rows(rows, val_ratio=0.6, test_ratio=0.5)


def test_summary_counts_limit_and_vertex(tmp_path):
    records = ([raw(i, ("/math",), "introductory") for i in range(4)]
               + [raw(10 + i, ("/general-search", "/math", "/code"), "advanced") for i in range(6)]
               + [raw(20 + i, ("/code", "/math", "/code")) for i in range(3)])
    src = write_raw(tmp_path / "raw.jsonl", records)
    s = prepare_plans(src, tmp_path / "out", seed=3, vertex=True, val_ratio=0.2, test_ratio=0.2)
    assert s["valid"] == 13 and sum(s["splits"].values()) == 13
    assert s["tool_calls"] == {"/code": 12, "/math": 13, "/general-search": 6}
    assert s["rows_using_tool"]["/code"] == 9
    assert s["archetypes"] == {"general-search>math>code": 6, "math": 4, "code>math>code": 3}
    assert s["difficulty"] == {"advanced": 6, "introductory": 4, "intermediate": 3}
    assert s["route_steps"] == {"1": 4, "3": 9}
    vertex = [json.loads(line) for line in (tmp_path / "out" / "vertex" / "train.jsonl").read_text().splitlines()]
    train = [json.loads(line) for line in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert len(vertex) == len(train) == s["splits"]["train"]
    assert vertex[0] == to_vertex_row(train[0]["prompt"], train[0]["completion"])
    assert vertex[0]["contents"][1] == {"role": "model", "parts": [{"text": train[0]["completion"]}]}
    limited = prepare_plans(src, tmp_path / "lim", limit=5)
    assert limited["valid"] == 5
    with pytest.raises(FileExistsError):
        prepare_plans(src, tmp_path / "lim", limit=5)


def test_all_bad_input_is_a_user_error(tmp_path, capsys):
    src = write_raw(tmp_path / "raw.jsonl", [], bad_lines=[(1, "{oops")])
    assert main(["plan", "prepare", "--input", str(src), "--out", str(tmp_path / "o")]) == 2
    assert "no valid records" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
