"""benchmarks/plan_val_sweep.py end to end on the tiny random model (small sizes): every cell scored."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import plan_val_sweep  # noqa: E402


def test_every_size_layer_and_C_gets_a_val_accuracy(tiny_model_dir, tmp_path):
    out = tmp_path / "sweep.json"
    assert plan_val_sweep.main(["--examples", "40,60", "--layers", "1,2", "--C", "0.05,0.5", "--model",
                                tiny_model_dir, "--out", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert {(r["examples"], r["layer"], r["C"]) for r in rows} == {(n, la, c) for n in (40, 60) for la in (1, 2)
                                                                   for c in (0.05, 0.5)}
    assert all(0 <= r["val_route_accuracy"] <= 1 for r in rows)
    assert "| 60 | 2 |" in out.with_suffix(".md").read_text()


def test_bad_arguments_are_a_usage_error():
    with pytest.raises(SystemExit):
        plan_val_sweep.main(["--C", "0"])


def test_concatenated_layers_are_scored_under_their_own_key(tiny_model_dir, tmp_path):
    out = tmp_path / "sweep.json"
    assert plan_val_sweep.main(["--examples", "40", "--layers", "1,2", "--C", "0.5", "--concat", "1+2",
                                "--model", tiny_model_dir, "--out", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["layer"] for r in rows] == [1, 2, "1+2"]
    assert "| 40 | 1+2 |" in out.with_suffix(".md").read_text()


def test_a_concat_layer_outside_layers_is_a_usage_error():
    with pytest.raises(SystemExit):
        plan_val_sweep.main(["--layers", "1,2", "--concat", "1+3"])
    with pytest.raises(SystemExit):
        plan_val_sweep.main(["--layers", "1,2", "--concat", "1+1"])
