"""benchmarks/grounding_gold.py: counts the gold specs grounding refuses, per class; a missing run exits 2."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import grounding_gold  # noqa: E402


def test_counts_refused_gold_specs_per_class(tmp_path, capsys):
    rows = [
        {"query": "What is 256 * 4?", "expert": "multiply", "expert_class": "math", "spec": "256 * 4"},
        {"query": "sixty plus forty", "expert": "add", "expert_class": "math", "spec": "6 + 4"},  # refused
        {"query": "hello there", "expert": "chat", "expert_class": "chat", "spec": ""},  # not checked
        {"query": "Schedule Alice (2hr) and Bob (1hr), no overlap", "expert": "schedule",
         "expert_class": "schedule", "spec": "Alice:2hr,Bob:1hr | no_overlap"},
    ]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert grounding_gold.main(["--run", str(tmp_path), "--splits", "test"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 of 3 gold specs refused")
    assert "math: 1 of 2" in out and "schedule: 0 of 1" in out and "1 x math: number 4 is not in the query" in out


def test_a_missing_run_is_one_line_and_exit_2(tmp_path, capsys):
    assert grounding_gold.main(["--run", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.startswith("error:")
