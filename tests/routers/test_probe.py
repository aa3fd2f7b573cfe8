"""Hidden-state routing (routers/probe.py) and `routerforge probe fit|calibrate` on a tiny trained run."""

import json
import shutil

import numpy as np
import pytest


from routerforge.cli import main  # noqa: E402
from routerforge.experts import expert_names  # noqa: E402
from routerforge.formats.decision import parse_decision, render_decision  # noqa: E402
from routerforge.io import read_jsonl  # noqa: E402
from routerforge.routers.probe import Probe, ProbeRouter, fit_probe, prefill  # noqa: E402


@pytest.fixture()
def run_copy(tiny_run_copy):
    return tiny_run_copy


@pytest.fixture(scope="module")
def router(tiny_run):
    from routerforge.routers.generated import Router

    return Router.from_run(tiny_run, max_spec_tokens=8)


def _rows(run, split):
    return read_jsonl(run / "data" / f"{split}.jsonl")


def test_probe_features_are_the_routing_hidden_states(router, tiny_run):
    queries = [r["query"] for r in _rows(tiny_run, "test")[:5]]
    seen = {}

    def capture(hidden_states, qs):
        seen["hs"] = [h.clone() for h in hidden_states]
        return [("chat", 1.0)] * len(qs)

    router.decide_batch(queries, choose=capture)
    out, _ = prefill(router, queries, output_hidden_states=True)
    assert len(seen["hs"]) == len(out.hidden_states) == router.model.config.num_hidden_layers + 1
    for a, b in zip(seen["hs"], out.hidden_states):
        assert np.allclose(a.float().numpy(), b.float().numpy(), atol=1e-5)


def test_fit_cli_writes_a_probe_that_routes(run_copy):
    assert main(["probe", "fit", "--run", str(run_copy)]) == 0
    data = json.loads((run_copy / "probe.json").read_text())
    for key in ("layer", "position", "classes", "coef", "intercept", "val_accuracy", "temperature"):
        assert key in data
    router = ProbeRouter.from_run(run_copy)
    assert set(router.probe.classes) <= set(expert_names())
    queries = [r["query"] for r in _rows(run_copy, "test")[:6]]
    routed = router.route_batch(queries)
    assert len(routed) == len(queries)
    for r in routed:
        assert r.expert in expert_names()
        assert r.raw.startswith(f"{r.expert}:")
        assert parse_decision(render_decision(r.expert, r.spec, arrow=True)).expert == r.expert
        assert 0 < r.confidence <= 1
        assert r.expert != "chat" or r.spec == ""
    single = router.route(queries[0])
    assert (single.expert, single.spec) == (routed[0].expert, routed[0].spec)


def test_probe_fixed_layer_mean_position_and_abstention(router, tiny_run):
    probe = fit_probe(router, _rows(tiny_run, "train"), _rows(tiny_run, "val"), layer=1, position="mean")
    assert probe.layer == 1 and probe.position == "mean" and list(probe.meta["layer_val_accuracy"]) == ["1"]
    again = Probe.from_json(json.loads(json.dumps(probe.to_json())))
    assert again.classes == probe.classes and np.allclose(again.coef, probe.coef)
    pr = ProbeRouter(router, again)
    queries = [r["query"] for r in _rows(tiny_run, "test")[:6]]
    assert all(r.expert in expert_names() for r in pr.route_batch(queries))
    again.abstain_below = 1.01  # every confidence is below: all abstain to chat, no spec generated
    assert {(r.expert, r.spec) for r in pr.route_batch(queries)} == {("chat", "")}
    with pytest.raises(ValueError):
        fit_probe(router, _rows(tiny_run, "train"), [], layer=99)


def test_probe_linear_map_matches_sklearn_probabilities():
    from sklearn.linear_model import LogisticRegression

    from routerforge.routers.probe import _fit_linear

    rng = np.random.default_rng(0)
    for k in (2, 3):
        x = rng.normal(size=(90, 5)) * 3 + 1
        y = [["add", "chat", "time"][i % k] for i in range(90)]
        classes, coef, b = _fit_linear(x, y, 1.0, 0)
        z = x @ coef.T + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        mu, sd = x.mean(0), x.std(0) + 1e-6
        ref = LogisticRegression(C=1.0, max_iter=2000, random_state=0).fit((x - mu) / sd, y)
        assert classes == list(ref.classes_)
        assert np.allclose(p, ref.predict_proba((x - mu) / sd), atol=1e-6)


def test_malformed_probe_is_a_value_error(tmp_path):
    bad = {"layer": 1, "classes": ["add", "chat"], "coef": [[0.0, 1.0]], "intercept": [0.0, 0.0]}
    with pytest.raises(ValueError):
        Probe.from_json(bad)
    (tmp_path / "probe.json").write_text("{nope")
    with pytest.raises(ValueError):
        Probe.load(tmp_path / "probe.json")
    with pytest.raises(FileNotFoundError):
        Probe.load(tmp_path / "missing.json")


def test_calibrate_cli_writes_what_the_router_reads(run_copy, capsys):
    from routerforge.routers.generated import Router

    assert main(["probe", "fit", "--run", str(run_copy), "--layer", "2"]) == 0
    assert main(["probe", "calibrate", "--run", str(run_copy), "--target-precision", "0.9"]) == 0
    cal = json.loads((run_copy / "calibration.json").read_text())
    for key in ("temperature", "abstain_below", "ece_before", "ece_after", "n"):
        assert key in cal
    assert cal["n"] == len(_rows(run_copy, "val")) and cal["temperature"] > 0
    probe = json.loads((run_copy / "probe.json").read_text())
    assert "ece_after" in probe and "calibration" in probe
    assert main(["probe", "calibrate", "--run", str(run_copy), "--abstain-below", "0.4", "--no-probe"]) == 0
    router = Router.from_run(run_copy)
    assert router.abstain_below == 0.4
    assert router.temperature == pytest.approx(json.loads((run_copy / "calibration.json").read_text())["temperature"])
    assert "ECE" in capsys.readouterr().out


def test_eval_compares_trained_and_probe(run_copy, tmp_path):
    assert main(["probe", "fit", "--run", str(run_copy), "--layer", "1"]) == 0
    report = tmp_path / "report"
    assert main(["eval", "--run", str(run_copy), "--benchmark", "heldout", "--routers", "trained,probe",
                 "--report", str(report), "--limit", "6", "--no-progress"]) == 0
    metrics = json.loads((report / "metrics.json").read_text())
    routers = metrics.get("routers", metrics)
    assert {"trained", "probe"} <= set(routers)


@pytest.mark.parametrize("argv", [
    ["probe", "fit", "--run", "/nonexistent/run"],
    ["probe", "calibrate", "--run", "/nonexistent/run"],
    ["probe", "calibrate", "--run", "/nonexistent/run", "--target-precision", "0.9", "--abstain-below", "0.5"],
    ["probe", "calibrate", "--run", "/nonexistent/run", "--target-precision", "1.5"],
    ["probe", "fit", "--run", "/nonexistent/run", "--position", "first"],
    ["probe"],
])
def test_cli_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_probe_needs_a_fitted_probe(run_copy, capsys):
    assert main(["eval", "--run", str(run_copy), "--benchmark", "heldout", "--routers", "probe",
                 "--report", str(run_copy / "rep"), "--no-progress"]) == 2
    assert "probe fit" in capsys.readouterr().err


def test_latency_benchmark_script_plumbing(run_copy, tmp_path, monkeypatch):
    """benchmarks/latency.py end to end on the tiny run (naive stubbed: generate is the slow part)."""
    import runpy
    from pathlib import Path

    from routerforge.routers.generated import Router

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "latency.py"
    bench = runpy.run_path(str(script), run_name="latency_bench")
    monkeypatch.setattr(Router, "route_naive", Router.route)
    out = tmp_path / "lat.json"
    assert bench["main"](["--run", str(run_copy), "--n", "3", "--naive-n", "2", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert set(report["paths"]) == {"naive", "one_token", "constrained", "ungrounded"}  # no probe.json: no probe path
    assert report["paths"]["constrained"]["same_as_one_token"] == 3  # drafts change no decision
    assert report["paths"]["naive"]["n"] == 2 and report["paths"]["constrained"]["n"] == 3
    for key in ("cpu", "cores", "torch_threads", "date"):
        assert key in report["machine"]
    assert report["paths"]["constrained"]["speedup_p50_vs_naive"] > 0
    assert "| constrained |" in out.with_suffix(".md").read_text()
    assert bench["main"](["--run", str(tmp_path / "missing")]) == 2


def test_engines_benchmark_script_plumbing(run_copy, tmp_path, capsys):
    """benchmarks/engines.py end to end on the tiny run, the eager engines (compiling takes minutes)."""
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "engines.py"
    bench = runpy.run_path(str(script), run_name="engines_bench")
    out = tmp_path / "engines.json"
    assert bench["main"](["--run", str(run_copy), "--n", "3", "--batch-size", "2",
                          "--engines", "eager-fp32,eager-bf16", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    fp32, bf16 = report["engines"]
    assert (fp32["engine"], bf16["engine"]) == ("eager-fp32", "eager-bf16")
    assert fp32["same_as_first"] == 3 and 0 <= bf16["same_as_first"] <= 3
    assert fp32["passes_per_query"] >= 1 and fp32["batched_qps"] > 0 and fp32["p50_ms"] > 0
    assert "| eager-bf16 |" in out.with_suffix(".md").read_text()
    with pytest.raises(SystemExit):  # an unknown engine is a usage error
        bench["main"](["--run", str(run_copy), "--engines", "tensorrt"])
    assert "--engines takes" in capsys.readouterr().err
    assert bench["main"](["--run", str(tmp_path / "missing")]) == 2


def test_pass_profile_benchmark_script_plumbing(run_copy, tmp_path):
    """benchmarks/pass_profile.py end to end on the tiny run: every figure docs/runtime.md reads is there."""
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "pass_profile.py"
    bench = runpy.run_path(str(script), run_name="pass_profile_bench")
    out = tmp_path / "profile.json"
    assert bench["main"](["--run", str(run_copy), "--rows", "4", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    for key in ("pass_1_token_ms", "prefill_ms", "head_row_strided_view_ms", "head_row_contiguous_ms",
                "head_beams_strided_view_ms", "head_beams_contiguous_ms", "linear_gflops_batch", "route_input_s"):
        assert report[key] > 0, key
    assert report["route_input_rows"] == 4 and 0 <= report["beams_s"] <= report["route_input_s"]
    assert bench["main"](["--run", str(tmp_path / "missing")]) == 2
