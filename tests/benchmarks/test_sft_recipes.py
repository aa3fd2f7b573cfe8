"""benchmarks/sft_recipes.py: trains a recipe on one class of a run's data and scores it (tiny model)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import sft_recipes  # noqa: E402

ROWS = [("Tom has 10 marbles, loses 3 and finds 5.", "marbles:10 | -3 +5", "12"),
        ("Ana has 8 pens and buys 4 more.", "pens:8 | +4", "12"),
        ("A $40 shirt is 25% off.", "price:40 | -25%", "30"),
        ("Ben has 9 cards and gives away 2.", "cards:9 | -2", "7")]


def _run(tmp_path):
    data = tmp_path / "run" / "data"
    data.mkdir(parents=True)
    rows = [{"query": q, "expert": "word_problem", "expert_class": "word_problem", "spec": s, "result": r}
            for q, s, r in ROWS]
    for split, part in (("train", rows[:3]), ("test", rows[3:])):
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
    return tmp_path / "run"


def test_trains_each_recipe_and_writes_scores(tiny_model_dir, tmp_path):
    out = tmp_path / "recipes.json"
    rc = sft_recipes.main(["--run", str(_run(tmp_path)), "--model", str(tiny_model_dir), "--epochs", "1",
                           "--recipe", 'one={"lora_layers": 1, "lora_r": 4, "bf16": "no"}', "--out", str(out)])
    assert rc == 0
    (row,) = json.loads(out.read_text())["results"]
    assert row["recipe"] == "one" and row["train_rows"] == 3 and row["test_rows"] == 1
    assert all(0 <= row[k] <= 1 for k in ("test_exact", "test_answer", "seen_exact", "seen_answer"))


def test_a_dataset_directory_and_the_first_n_train_rows(tiny_model_dir, tmp_path):
    out = tmp_path / "recipes.json"
    rc = sft_recipes.main(["--run", str(_run(tmp_path) / "data"), "--model", str(tiny_model_dir), "--epochs", "1",
                           "--train-rows", "2", "--recipe", 'one={"lora_layers": 1, "lora_r": 4, "bf16": "no"}',
                           "--out", str(out)])
    assert rc == 0
    (row,) = json.loads(out.read_text())["results"]
    assert row["train_rows"] == 2 and row["test_rows"] == 1


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert sft_recipes.main(["--run", str(tmp_path / "nope")]) == 2
    assert "has no train.jsonl" in capsys.readouterr().err
    assert sft_recipes.main(["--run", str(_run(tmp_path)), "--classes", "schedule"]) == 2
    assert sft_recipes.main(["--run", str(tmp_path / "run"), "--train-rows", "0"]) == 2
    assert "--train-rows must be positive" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="expected NAME=JSON"):
        sft_recipes._recipe("no-json-here")
    with pytest.raises(SystemExit, match="not JSON"):
        sft_recipes._recipe("x={bad")
