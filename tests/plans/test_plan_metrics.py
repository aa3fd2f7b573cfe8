"""Plan metrics: hand-made cases, pred == gold on the vendored benchmarks, gates and the eval CLI."""

import json
import math
from pathlib import Path

import pytest

from routerforge.cli import main
from routerforge.plans import metrics as pm

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "coursegpt"
STEP = {"/math": "/math(a)", "/code": "/code(b)", "/general-search": '/general-search(query="c", mode=web)'}


def plan(*tools, todo=None, handoff=None, **extra):
    obj = {
        "route_plan": [STEP[t] for t in tools], "route_rationale": "r",
        "expected_artifacts": ["x"], "thinking_outline": ["1. t"],
        "handoff_plan": handoff if handoff is not None else " -> ".join(tools),
        "todo_list": todo if todo is not None else [f"- [ ] {t}: go" for t in tools],
        "difficulty": "advanced", "tags": ["t"], "acceptance_criteria": ["- ok"],
        "metrics": {"primary": ["p"], "secondary": ["s"]},
    }
    obj.update(extra)
    return json.dumps(obj)


def test_multiset_precision_recall():
    pred = [plan("/math", "/math", "/code"), plan("/math"), plan("/code", "/math"), "not json"]
    gold = [plan("/math", "/code", "/code"), plan("/math", "/code"), plan("/math", "/code"), plan("/math")]
    assert pm.tool_precision(pred, gold_completion=gold) == pytest.approx([2 / 3, 1.0, 1.0, 0.0])
    assert pm.tool_recall(pred, gold_completion=gold) == pytest.approx([2 / 3, 0.5, 1.0, 0.0])
    assert pm.tool_f1_reward(pred, gold_completion=gold) == pytest.approx([2 / 3, 2 / 3, 1.0, 0.0])
    assert pm.tool_sequence_match(pred, gold_completion=gold) == [0.0, 0.0, 0.0, 0.0]
    assert pm.first_tool_match(pred, gold_completion=gold) == [1.0, 1.0, 0.0, 0.0]
    assert pm.last_tool_match(pred, gold_completion=gold) == [1.0, 0.0, 0.0, 0.0]
    assert pm.length_match(pred, gold_completion=gold) == [1.0, 0.0, 1.0, 0.0]
    assert pm.json_valid(pred) == [1.0, 1.0, 1.0, 0.0]


def test_order_and_exact_route_plan():
    gold = [plan("/general-search", "/math", "/code")]
    reordered = [plan("/math", "/general-search", "/code")]
    assert pm.tool_f1(reordered, gold_completion=gold) == [1.0]
    assert pm.tool_sequence_match(reordered, gold_completion=gold) == [0.0]
    other_args = [gold[0].replace("/math(a)", "/math(something else)")]
    assert pm.tool_sequence_match(other_args, gold_completion=gold) == [1.0]
    assert pm.route_plan_match(other_args, gold_completion=gold) == [0.0]
    assert pm.route_plan_match(["```json\n" + gold[0] + "\n```"], gold_completion=gold) == [1.0]


def test_coverage_nonempty_schema_and_length_ratio():
    preds = [plan("/math", "/code", todo=["- [ ] /math: x", "- [ ] /mathematics-ish /codex"],
                  handoff="/math -> /code"),
             plan("/math", acceptance_criteria=[], expected_artifacts=[""]),
             plan("/math", difficulty="hard")]
    assert pm.todo_covers_tools(preds) == [0.0, 1.0, 1.0]
    assert pm.handoff_covers_tools(preds) == [1.0, 1.0, 1.0]
    assert pm.acceptance_nonempty(preds) == [1.0, 0.0, 1.0]
    assert pm.artifacts_nonempty(preds) == [1.0, 0.0, 1.0]
    assert pm.schema_valid(preds) == [1.0, 0.0, 0.0]
    assert pm.length_ratio(["ab", "abcd"], gold_completion=["abcd", "ab"]) == [0.5, 2.0]


def test_trl_reward_signature_ignores_extra_columns():
    gold = [plan("/math")]
    out = pm.tool_f1_reward(completions=gold, prompts=["p"], gold_completion=gold, completion_ids=[[1]])
    assert out == [1.0]
    chat = [[{"role": "assistant", "content": gold[0]}]]  # TRL's conversational completions
    assert pm.tool_sequence_match(chat, gold_completion=gold) == [1.0]
    assert all(pm.METRICS[name].__name__ == name for name in pm.METRICS)  # TRL logs rewards by __name__
    with pytest.raises(ValueError):
        pm.tool_f1_reward(gold)  # the gold column is required


@pytest.mark.parametrize("name", ["deep_router_benchmark.jsonl", "router_benchmark_hard.jsonl"])
def test_pred_equal_gold_scores_one(name):
    rows = [json.loads(line) for line in (BENCH / name).read_text().splitlines() if line.strip()]
    comps = [r["completion"] for r in rows]
    result = pm.evaluate_plans(comps, comps, [r["categories"] for r in rows])
    assert result["n"] == len(rows)
    for metric, value in result["overall"].items():
        assert value == pytest.approx(1.0), metric
    for cat, values in result["per_category"].items():
        assert all(math.isclose(v, 1.0) for k, v in values.items() if k != "n"), cat


def test_gate_check():
    overall = {"tool_f1": 0.5, "length_ratio": 4.0}
    fails = pm.check_gate(overall, {"tool_f1": {"min": 0.8}, "length_ratio": {"min": 0.3, "max": 3}})
    assert len(fails) == 2 and fails[0].startswith("tool_f1") and fails[1].startswith("length_ratio")
    assert pm.check_gate(overall, {"tool_f1": {"min": 0.5}}) == []
    per_cat = {"math": {"tool_f1": 0.9}}
    assert pm.check_gate(overall, {"math/tool_f1": {"min": 0.95}}, per_cat)[0].startswith("math/tool_f1")
    assert pm.check_gate({"tool_f1": float("nan")}, {"tool_f1": {"min": 0}})  # NaN value fails
    for bad in ({"nope": {"min": 1}}, {"tool_f1": {"at_least": 1}}, {"tool_f1": 0.5},
                {"tool_f1": {"min": "high"}}, {"code/tool_f1": {"min": 1}}):
        with pytest.raises(ValueError):
            pm.check_gate(overall, bad, per_cat)


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_eval_cli_reports_and_gate_exit_codes(tmp_path, capsys):
    gold = _write(tmp_path / "gold.jsonl", [
        {"completion": plan("/math", "/code"), "categories": ["a"]},
        {"completion": plan("/general-search"), "categories": ["b"]},
    ])
    # indexed predictions in another order; the second is truncated garbage
    pred = _write(tmp_path / "pred.jsonl", [{"index": 1, "completion": "{\"route_plan\": [\"/gen"},
                                             {"index": 0, "completion": plan("/math", "/code")}])
    gate = tmp_path / "gate.yaml"
    gate.write_text("tool_f1: {min: 0.9}\njson_valid: {min: 0.5}\n")
    rc = main(["plan", "eval", "--pred", str(pred), "--gold", str(gold), "--report", str(tmp_path / "r"),
               "--gate", str(gate)])
    captured = capsys.readouterr()
    assert rc == 1
    assert "GATE FAILED: tool_f1" in captured.err and "json_valid" not in captured.err
    assert "tool_sequence_match" in captured.out  # the rich table
    report = json.loads((tmp_path / "r" / "plan_metrics.json").read_text())
    assert report["overall"]["json_valid"] == 0.5 and report["per_category"]["a"]["tool_f1"] == 1.0
    assert len((tmp_path / "r" / "plan_per_row.jsonl").read_text().splitlines()) == 2
    assert (tmp_path / "r" / "plan_metrics.png").read_bytes()[:4] == b"\x89PNG"
    assert "tool_f1" in (tmp_path / "r" / "plan_report.md").read_text()
    gate.write_text("tool_f1: {min: 0.4}\n")
    assert main(["plan", "eval", "--pred", str(pred), "--gold", str(gold), "--report", str(tmp_path / "r2"),
                 "--gate", str(gate)]) == 0
    gate.write_text("no_such_metric: {min: 0.4}\n")
    assert main(["plan", "eval", "--pred", str(pred), "--gold", str(gold), "--report", str(tmp_path / "r3"),
                 "--gate", str(gate)]) == 2
    assert "no_such_metric" in capsys.readouterr().err
    short = _write(tmp_path / "short.jsonl", [{"completion": "x"}])
    assert main(["plan", "eval", "--pred", str(short), "--gold", str(gold), "--report", str(tmp_path / "r4")]) == 2
