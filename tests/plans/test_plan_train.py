"""`routerforge plan train` end to end on the tiny random model: a complete run dir with metrics,
valid plans after decoding, refusal to overwrite, config errors as exit 2, and `plan route`."""

import json
from pathlib import Path

import pytest

from routerforge.cli import main

pytestmark = pytest.mark.e2e  # whole pipelines through the CLI

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "plan_compact.yaml")
FAST = ["--examples", "20", "--limit", "3", "--set", "sft.max_steps=2", "--set", "sft.batch_size=4",
        "--set", "sft.max_length=1024", "--set", "eval.max_new_tokens=16", "--set", "eval.dtype=float32"]


def _train(model_dir, out, *extra):
    return main(["plan", "train", "--config", CONFIG, "--out", str(out), "--model", model_dir, *FAST, *extra])


@pytest.fixture(scope="module")
def plan_run(tiny_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "plan"
    assert _train(tiny_model_dir, out) == 0
    return out


def test_run_dir_is_complete(plan_run):
    for name in ("COMPLETE", "run.json", "config.yaml", "timings.json", "train_log.jsonl",
                 "adapter/adapter_config.json", "data/train.jsonl", "data/raw.jsonl", "eval/summary.json",
                 "eval/report.md"):
        assert (plan_run / name).exists(), name
    info = json.loads((plan_run / "run.json").read_text())
    assert info["kind"] == "plan" and info["compact"] is True and info["adapter"] == "adapter"
    assert not (plan_run.parent / ".plan.partial").exists()


def test_benchmarks_are_scored_with_valid_plans(plan_run):
    summary = json.loads((plan_run / "eval" / "summary.json").read_text())["benchmarks"]
    assert set(summary) == {"deep_router_benchmark", "router_benchmark_hard", "synthetic_test"}
    for name in ("deep_router_benchmark", "router_benchmark_hard"):
        s = summary[name]
        assert s["n"] == 3 and s["json_valid"] == 1.0 and s["schema_valid"] == 1.0
        assert s["repaired"] + s["fallback"] + s["raw_schema_valid"] == pytest.approx(1.0)
        assert s["raw_schema_valid"] == 1.0  # the shipped config decodes by the plan grammar
        preds = (plan_run / "eval" / name / "predictions.jsonl").read_text().splitlines()
        assert len(preds) == 3 and {"index", "raw", "completion", "outcome"} <= set(json.loads(preds[0]))
        for f in ("plan_metrics.json", "plan_report.md", "plan_per_row.jsonl", "plan_metrics.png"):
            assert (plan_run / "eval" / name / f).is_file()
        metrics = json.loads((plan_run / "eval" / name / "plan_metrics.json").read_text())
        assert metrics["compact"] is True and "todo_covers_tools" not in metrics["overall"]


def test_training_data_is_synthetic_only(plan_run):
    from routerforge.io import read_jsonl

    bench = {r["prompt"].split("User query:\n", 1)[1].strip()
             for f in ("deep_router_benchmark", "router_benchmark_hard")
             for r in read_jsonl(ROOT / "benchmarks" / "data" / "coursegpt" / f"{f}.jsonl")}
    train = {r["prompt"].split("User query:\n", 1)[1].strip() for r in read_jsonl(plan_run / "data" / "train.jsonl")}
    assert train and not (train & bench)


def test_refuses_to_overwrite_without_force(tiny_model_dir, plan_run, capsys):
    before = (plan_run / "run.json").read_text()
    assert _train(tiny_model_dir, plan_run) == 2
    assert "--force" in capsys.readouterr().err
    assert (plan_run / "run.json").read_text() == before


@pytest.mark.parametrize("extra, yaml_text", [
    (["--set", "nope=1"], None),
    (["--set", "eval.limit=0"], None),
    (["--set", "eval.dtype=fp8"], None),
    (["--set", "threads=-1"], None),
    (["--set", "eval.benchmarks=[no_such_benchmark]"], None),
    ([], "sft:\n  not_a_key: 3\n"),
])
def test_bad_config_exits_2(tiny_model_dir, tmp_path, capsys, extra, yaml_text):
    argv = ["plan", "train", "--out", str(tmp_path / "r"), "--model", tiny_model_dir, *extra]
    if yaml_text:
        (tmp_path / "c.yaml").write_text(yaml_text)
        argv += ["--config", str(tmp_path / "c.yaml")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error:" in err
    assert not (tmp_path / "r").exists() and not (tmp_path / ".r.partial").exists()


def test_plan_route_prints_a_valid_plan(plan_run, capsys):
    from routerforge.plans.format import validate_plan

    assert main(["plan", "route", "--run", str(plan_run), "Solve x^2 = 4 and then write Python code"]) == 0
    validate_plan(json.loads(capsys.readouterr().out), compact=True)


def test_plan_bench_rescores_a_finished_run(plan_run, tmp_path, capsys):
    out = tmp_path / "bench"
    args = ["plan", "bench", "--run", str(plan_run), "--report", str(out), "--limit", "2", "--no-constrain",
            "--set", "eval.synthetic_test=false"]
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["constrained"] is False and set(summary["benchmarks"]) == {"deep_router_benchmark",
                                                                               "router_benchmark_hard"}
    assert all(b["n"] == 2 and b["json_valid"] == 1.0 for b in summary["benchmarks"].values())
    assert (out / "COMPLETE").is_file() and (out / "router_benchmark_hard" / "predictions.jsonl").is_file()
    assert main(args) == 2 and "--force" in capsys.readouterr().err  # never overwrites without --force
    assert main([*args, "--force", "--set", "sft.lr=0.1"]) == 2
    assert "eval.*" in capsys.readouterr().err


def test_plan_route_rejects_non_plan_runs(tmp_path, capsys):
    (tmp_path / "run.json").write_text('{"model": "m", "adapter": "adapter"}')
    (tmp_path / "COMPLETE").write_text("ok\n")
    assert main(["plan", "route", "--run", str(tmp_path), "hi"]) == 2
    assert "not a plan run" in capsys.readouterr().err


def test_shipped_configs_load_and_reward_is_registered():
    from routerforge.configtools import load_config
    from routerforge.plans.recipe import PlanTrainConfig
    from routerforge.train.rewards import REWARDS

    compact = load_config(PlanTrainConfig, CONFIG)
    full = load_config(PlanTrainConfig, ROOT / "configs" / "plan_full.yaml")
    assert compact.compact and not full.compact and full.sft.max_length > compact.sft.max_length
    gold = '{"route_plan":["/math(a)","/code(b)"],"route_rationale":"r","handoff_plan":"h"}'
    pred = '{"route_plan":["/math(x)"],"route_rationale":"r","handoff_plan":"h"}'
    assert REWARDS.resolve("tool_f1")([pred], gold_completion=[gold]) == [pytest.approx(2 / 3)]


def test_full_ten_key_plan_run_end_to_end(tiny_model_dir, tmp_path):
    """configs/plan_full.yaml's path (all ten keys, grammar-constrained) on the tiny model."""
    from routerforge.plans.format import PLAN_KEYS

    out = tmp_path / "full"
    full = str(ROOT / "configs" / "plan_full.yaml")
    args = ["plan", "train", "--config", full, "--out", str(out), "--model", tiny_model_dir, *FAST,
            "--set", "eval.batch_size=4", "--set", "sft.max_length=2048", "--set", "eval.synthetic_test=false"]
    assert main(args) == 0
    summary = json.loads((out / "eval" / "summary.json").read_text())
    assert summary["compact"] is False and summary["constrained"] is True
    for name, s in summary["benchmarks"].items():
        assert s["n"] == 3 and s["raw_schema_valid"] == 1.0 and s["fallback"] == 0.0, name
        row = json.loads((out / "eval" / name / "predictions.jsonl").read_text().splitlines()[0])
        assert list(json.loads(row["completion"])) == list(PLAN_KEYS)
