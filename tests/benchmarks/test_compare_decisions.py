"""benchmarks/compare_decisions.py: counts shared decisions of two outputs, refuses mismatched files."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import compare_decisions  # noqa: E402


def _write(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"query": q, "expert": e, "spec": s}) + "\n" for q, e, s in rows))
    return path


def test_counts_same_expert_and_same_decision(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", [("q1", "add", "1 + 2"), ("q2", "chat", ""), ("q3", "time", "Rome")])
    b = _write(tmp_path / "b.jsonl", [("q1", "add", "1 + 3"), ("q2", "chat", ""), ("q3", "schedule", "x:1hr")])
    assert compare_decisions.main([str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 rows: same expert 2, same expert and spec 1")
    assert "'q1'" in out and "'q3'" in out and "'q2'" not in out


def test_other_queries_or_a_bad_file_are_one_line_and_exit_2(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", [("q1", "add", "1 + 2")])
    b = _write(tmp_path / "b.jsonl", [("other", "add", "1 + 2")])
    assert compare_decisions.main([str(a), str(b)]) == 2
    assert compare_decisions.main([str(a), str(tmp_path / "missing.jsonl")]) == 2
    assert capsys.readouterr().err.count("error:") == 2


def test_eval_predictions_add_paths_gold_and_a_markdown_file(tmp_path, capsys):
    def rows(path, decisions):
        path.write_text("".join(json.dumps({"query": q, "expert": e, "spec": s, "class_ok": ok, "decode_path": p,
                                            "truth": {"expert_class": g}}) + "\n"
                                for q, e, s, ok, p, g in decisions))
        return path

    a = rows(tmp_path / "a.jsonl", [("q1", "time", "time", True, "greedy", "time"), ("q2", "time", "Seattle", False,
                                                                                      "greedy", "chat")])
    b = rows(tmp_path / "b.jsonl", [("q1", "chat", "", False, "chat_gate", "time"), ("q2", "chat", "", True,
                                                                                    "chat_gate", "chat")])
    out = tmp_path / "cmp.md"
    assert compare_decisions.main([str(a), str(b), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "B's decode paths: chat_gate 2" in printed and "expert class right: A 1, B 1" in printed
    assert "'q1', gold time" in printed and "B chat:  (wrong) [chat_gate]" in printed
    assert out.read_text() == f"```\n{printed}```\n"
