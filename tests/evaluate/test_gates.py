"""Gates (pure checks and exit codes through `routerforge eval`) and CLI usage errors."""

import json
from pathlib import Path

import pytest
import yaml

from routerforge.cli import main
from routerforge.evaluate.gates import check_gate, load_gate

REPO = Path(__file__).resolve().parents[2]
METRICS = {"routers": {
    "trained": {"expert_accuracy": 0.97, "format_validity": 1.0, "answer_accuracy": None,
                "per_class": {"math": {"accuracy": 0.5, "n": 2}}},
    "rules": {"expert_accuracy": 0.80, "format_validity": 1.0, "answer_accuracy": 0.4},
}}


def test_check_gate_pass_and_fail_lines():
    assert check_gate(METRICS, {"trained": {"expert_accuracy": {"min": 0.95}, "format_validity": {"min": 1.0}}}) == []
    fails = check_gate(METRICS, {"*": {"expert_accuracy": {"min": 0.9}}, "rules": {"answer_accuracy": {"max": 0.3}}})
    assert fails == ["rules: expert_accuracy = 0.8000 < min 0.9000", "rules: answer_accuracy = 0.4000 > max 0.3000"]
    # nested metric by dotted path; a plain {router: metrics} mapping works too
    assert check_gate(METRICS["routers"], {"trained": {"per_class.math.accuracy": {"min": 0.6}}}) == [
        "trained: per_class.math.accuracy = 0.5000 < min 0.6000"]


def test_unmeasured_metric_or_router_fails():
    fails = check_gate(METRICS, {"trained": {"answer_accuracy": {"min": 0.5}}, "fewshot": {"n": {"min": 1}}})
    assert fails[0].startswith("trained: answer_accuracy not measured")
    assert fails[1].startswith("fewshot: not evaluated")


@pytest.mark.parametrize("gate,msg", [
    ({"trained": {"expert_accuracy": {"minimum": 0.9}}}, "unknown key"),
    ({"trained": {"expert_accuracy": {"min": "high"}}}, "expected a number"),
    ({"trained": {"expert_accuracy": 0.9}}, "expected {min"),
    ({"trained": []}, "expected a mapping"),
])
def test_bad_gates_are_rejected(gate, msg):
    with pytest.raises(ValueError, match=msg):
        load_gate(gate)


def test_default_gate_is_valid_and_documented():
    path = REPO / "configs" / "gates" / "default.yaml"
    assert path.read_text().startswith("# routerforge eval")
    gate = load_gate(path)
    assert gate["trained"]["format_validity"]["min"] >= 0.99
    assert gate["trained"]["expert_accuracy"]["min"] >= 0.9


def _eval(tmp_path, *extra):
    return main(["eval", "--benchmark", "robustness", "--routers", "rules", "--no-progress", *extra])


def test_cli_gate_exit_codes(tmp_path, capsys):
    ok = tmp_path / "ok.yaml"
    ok.write_text(yaml.safe_dump({"rules": {"n": {"min": 40}, "format_validity": {"min": 1.0}}}))
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"*": {"n": {"min": 1000}, "latency_p50_ms": {"max": 1e9}}}))
    assert _eval(tmp_path, "--report", str(tmp_path / "r1"), "--gate", str(ok)) == 0
    assert "passed" in capsys.readouterr().out
    assert _eval(tmp_path, "--report", str(tmp_path / "r2"), "--gate", str(bad)) == 1
    err = capsys.readouterr().err
    assert "rules: n = 40.0000 < min 1000.0000" in err and "latency_p50_ms" not in err
    metrics = json.loads((tmp_path / "r2" / "metrics.json").read_text())
    assert metrics["routers"]["rules"]["n"] == 40  # the report is written even when the gate fails


def test_cli_usage_errors_exit_2(tmp_path, capsys):
    assert _eval(tmp_path, "--report", str(tmp_path / "r"), "--limit", "5") == 0
    capsys.readouterr()
    # existing report without --force
    assert _eval(tmp_path, "--report", str(tmp_path / "r")) == 2
    assert "--force" in capsys.readouterr().err
    assert _eval(tmp_path, "--report", str(tmp_path / "r"), "--force", "--limit", "3") == 0
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())["n"] == 3
    capsys.readouterr()
    code = main(["eval", "--benchmark", "robustness", "--routers", "rules,telepathy", "--report", str(tmp_path / "x")])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown router 'telepathy'" in err and "rules" in err and "Traceback" not in err
    code = main(["eval", "--benchmark", "mmlu", "--routers", "rules", "--report", str(tmp_path / "x")])
    assert code == 2
    assert "unknown benchmark 'mmlu'; known: clinc150, gsm8k, robustness, heldout" in capsys.readouterr().err
    code = main(["eval", "--benchmark", "heldout", "--routers", "rules", "--report", str(tmp_path / "x")])
    assert code == 2 and "needs --run" in capsys.readouterr().err
    code = main(["eval", "--data", str(tmp_path / "nope.jsonl"), "--routers", "rules", "--report", str(tmp_path / "x")])
    assert code == 2 and "no such file" in capsys.readouterr().err
    bad_gate = tmp_path / "g.yaml"
    bad_gate.write_text("rules: {n: {least: 3}}\n")
    code = main(["eval", "--benchmark", "robustness", "--routers", "rules", "--report", str(tmp_path / "x"),
                 "--gate", str(bad_gate)])
    assert code == 2 and "unknown key" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
