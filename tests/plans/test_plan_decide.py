"""The decision plan router on the tiny random model: train (policy data -> heads), the run dir and its
report, `plan route` / `plan bench` on it, and the heads on their own."""

import json
from pathlib import Path

import numpy as np
import pytest

from routerforge.cli import main
from routerforge.errors import InputError
from routerforge.plans.format import PLAN_KEYS, validate_plan
from routerforge.plans.heads import LinearHead
from routerforge.plans.policy import ROUTE_BY_NAME

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs" / "plan_router.yaml")
FAST = ["--examples", "60", "--limit", "3", "--set", "decision.layers=[1,2]", "--set", "decision.val_examples=30",
        "--set", "decision.test_examples=10"]


@pytest.fixture(scope="module")
def decision_run(tiny_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "plan-router"
    assert main(["plan", "train", "--config", CONFIG, "--out", str(out), "--model", tiny_model_dir, *FAST]) == 0
    return out


@pytest.mark.e2e
def test_run_dir_and_report(decision_run):
    info = json.loads((decision_run / "run.json").read_text())
    assert info["kind"] == "plan" and info["router"] == "decision" and info["layer"] in (1, 2)
    heads = json.loads((decision_run / "heads.json").read_text())
    assert {"clause", "difficulty", "has_derive"} <= set(heads["heads"]) and heads["route_temperature"] > 0
    summary = json.loads((decision_run / "eval" / "summary.json").read_text())
    assert set(summary["benchmarks"]) == {"deep_router_benchmark", "router_benchmark_hard", "synthetic_test"}
    assert summary["machine"]["cores"] >= 1 and summary["command"].startswith("routerforge plan train")
    for name, s in summary["benchmarks"].items():
        assert s["n"] == 3 and s["json_valid"] == 1.0 and s["schema_valid"] == 1.0, name
        assert s["decide_ms_p50"] > 0 and s["plan_ms_p50"] >= s["decide_ms_p50"] * 0.5
        assert 1.0 <= s["rubric_score"] <= 5.0 and 0 < s["confidence"] <= 1
        assert sum(s["first_tool_confusion"].values()) == 3
        row = json.loads((decision_run / "eval" / name / "predictions.jsonl").read_text().splitlines()[0])
        assert row["route"] in ROUTE_BY_NAME and list(json.loads(row["completion"])) == list(PLAN_KEYS)
    report = (decision_run / "eval" / "report.md").read_text()
    for part in ("## Targets", "First-tool confusion", "Per category", "decision p50", "AMD" if "AMD" in
                 summary["machine"]["cpu"] else summary["machine"]["cpu"]):
        assert part in report


@pytest.mark.e2e
def test_route_and_bench_on_a_decision_run(decision_run, tmp_path, capsys):
    assert main(["plan", "route", "--run", str(decision_run), "--raw", "Derive the ELBO, then implement it in JAX"]) == 0
    captured = capsys.readouterr()
    plan = validate_plan(json.loads(captured.out))
    assert "confidence" in captured.err and "<-" in captured.err and plan.route_plan
    out = tmp_path / "bench"
    args = ["plan", "bench", "--run", str(decision_run), "--report", str(out), "--limit", "2",
            "--set", "eval.synthetic_test=false"]
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["benchmarks"]) == {"deep_router_benchmark", "router_benchmark_hard"}
    assert all(b["n"] == 2 for b in summary["benchmarks"].values()) and (out / "report.md").is_file()
    assert main([*args, "--force", "--no-constrain"]) == 2
    assert "generative" in capsys.readouterr().err


@pytest.mark.e2e
def test_decider_only_picks_policy_routes(decision_run):
    from routerforge.plans.decide import PlanDecider

    decider = PlanDecider.from_run(decision_run)
    for d in decider.decide_batch(["Survey recent papers on attention.", "Prove it; then code it up in PyTorch."]):
        assert d.route.name in ROUTE_BY_NAME and len(d.steps) == len(d.route.roles) and 0 < d.confidence <= 1
        validate_plan(decider.plan(d))
    with pytest.raises(InputError):
        decider.decide("   ")


@pytest.mark.parametrize("setting", ["decision.route_from=everything", "decision.layers=[]", "router=oracle",
                                     "decision.C=0"])
def test_bad_decision_config_exits_2(tmp_path, capsys, setting):
    assert main(["plan", "train", "--config", CONFIG, "--out", str(tmp_path / "r"), "--set", setting]) == 2
    assert "Traceback" not in capsys.readouterr().err and not (tmp_path / "r").exists()


def test_linear_head_fit_calibrate_roundtrip():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-1, 1, (60, 4)), rng.normal(1, 1, (60, 4))])
    y = ["a"] * 60 + ["b"] * 60
    head = LinearHead.fit(x, y, C=1.0)
    head.calibrate(x, y)
    assert head.accuracy(x, y) > 0.8 and head.temperature > 0 and "ece_after" in head.meta
    again = LinearHead.from_json(json.loads(json.dumps(head.to_json())))
    assert np.allclose(again.probs(x), head.probs(x))
    with pytest.raises(InputError):
        LinearHead.from_json({"classes": ["a"], "coef": [[1, 2]], "intercept": [0, 1]})
    with pytest.raises(InputError):
        LinearHead.fit(x, ["a"] * 120)
    noise = rng.normal(0, 1, (100, 4))  # a head with no signal on these rows: the common class wins
    labels = ["b"] * 80 + ["a"] * 20
    head.fit_fallback(noise, labels)
    assert head.meta["val_accuracy_with_fallback"] >= 0.8 and head.accuracy(noise, labels) >= 0.8
