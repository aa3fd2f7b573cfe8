"""`routerforge sweep` on the tiny model: the logbook, best.yaml and the plot; resuming; the format-drift
stop; and sweep files whose errors name the key. Ray's backend is in tests/test_ray_scale.py."""

import json

import pytest
import yaml

from routerforge.cli import main

ROUTER_YAML = "configs/router.yaml"


def tiny_base(tmp_path, model_dir):
    """A pipeline config that trains the tiny model in seconds: 2 SFT steps on the cached top layer, no RL."""
    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump({
        "model": str(model_dir), "seed": 0, "prompt_style": "minimal", "data": {"examples": 60, "seed": 0},
        "sft": {"lora_r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "lora_layers": 1, "cache_frozen": True,
                "max_steps": 2, "batch_size": 4, "save_steps": 1},
        "rl": {"iterations": 0}, "eval": {"split": "test", "batch_size": 4}}))
    return path


def write_sweep(tmp_path, base, **extra):
    data = {"base": str(base), "method": "grid", "params": {"sft.lora_r": [4, 8]}, "limit": 16, "eval_rows": 4,
            "drift": {"rows": 2, "max_new_tokens": 6}, **extra}
    path = tmp_path / "sweep.yaml"
    path.write_text("# routerforge sweep --config sweep.yaml --out OUT\n" + yaml.safe_dump(data))
    return path


def records(out):
    return [json.loads(line) for line in (out / "logbook.jsonl").read_text().splitlines()]


@pytest.mark.e2e
def test_grid_sweep_writes_the_logbook_best_config_and_plot_then_resumes(tiny_model_dir, tmp_path, monkeypatch,
                                                                         capsys):
    sweep = write_sweep(tmp_path, tiny_base(tmp_path, tiny_model_dir), metric="val_loss")
    out = tmp_path / "sweep-tiny"
    assert main(["sweep", "--config", str(sweep), "--out", str(out)]) == 0

    book = records(out)
    assert [r["trial"] for r in book] == [0, 1]
    assert [r["params"] for r in book] == [{"sft.lora_r": 4}, {"sft.lora_r": 8}]
    for r in book:
        assert r["status"] == "ok" and r["wall_s"] > 0 and r["run"] == f"trial-{r['trial']:03d}"
        assert {"train_loss", "val_loss", "val_format_validity", "expert_accuracy",
                "answer_accuracy"} <= set(r["metrics"])
        assert r["metrics"]["val_loss"] > 0 and 0 <= r["metrics"]["val_format_validity"] <= 1
        run = out / r["run"]
        assert (run / "COMPLETE").is_file() and (run / "eval" / "metrics.json").is_file()
        assert len((run / "data" / "train.jsonl").read_text().splitlines()) == 16  # the --limit slice
        assert (run / "format_probe.jsonl").is_file()
    md = (out / "logbook.md").read_text()
    assert md.startswith("# Sweep logbook: sweep-tiny") and "| trial | status | sft.lora_r |" in md and "**best**" in md
    assert (out / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # best.yaml is a pipeline config with the winner's params: `routerforge train --config best.yaml` takes it
    from routerforge.configtools import load_config
    from routerforge.train.config import PipelineConfig

    winner = min(book, key=lambda r: (r["metrics"]["val_loss"], r["trial"]))
    best = load_config(PipelineConfig, out / "best.yaml")
    assert best.sft.lora_r == winner["params"]["sft.lora_r"] and best.model == str(tiny_model_dir)
    assert (out / "best.yaml").read_text().startswith("# routerforge train --config")

    # rerun: finished trials are skipped (nothing trains); a trial the logbook holds as running (the sweep was
    # killed after the run was published) is read back from its complete run, not retrained
    import routerforge.train.pipeline as pipeline

    monkeypatch.setattr(pipeline, "run_pipeline", lambda *a, **k: pytest.fail("a finished trial was retrained"))
    lines = (out / "logbook.jsonl").read_text().splitlines()
    running = dict(json.loads(lines[1]), status="running", metrics={})
    (out / "logbook.jsonl").write_text(lines[0] + "\n" + json.dumps(running) + "\n")
    capsys.readouterr()
    assert main(["sweep", "--config", str(sweep), "--out", str(out)]) == 0
    assert "1 finished before, skipped" in capsys.readouterr().out
    again = records(out)
    assert again[1]["status"] == "ok" and again[1]["metrics"]["val_loss"] == book[1]["metrics"]["val_loss"]

    # another sweep file for the same directory is refused (exit 2, names --force); nothing is touched
    other = write_sweep(tmp_path, tiny_base(tmp_path, tiny_model_dir), params={"sft.lora_r": [4, 16]})
    assert main(["sweep", "--config", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and "params" in err and records(out) == again


@pytest.mark.e2e
def test_format_drift_stops_a_trial_early(tiny_model_dir, tmp_path):
    """A random tiny model never writes a parseable decision: a threshold of 0.99 stops it at its first probe.
    Here on TRL's trainer (the grid test above trains with the cached-layers loop): both call the hook."""
    sweep = write_sweep(tmp_path, tiny_base(tmp_path, tiny_model_dir), params={"sft.lora_r": [4]},
                        set={"sft.cache_frozen": False},
                        drift={"threshold": 0.99, "every": 1, "rows": 2, "max_new_tokens": 6})
    out = tmp_path / "drift"
    assert main(["sweep", "--config", str(sweep), "--out", str(out)]) == 0
    (r,) = records(out)
    assert r["status"] == "stopped_format_drift" and r["stopped_at_step"] == 1
    assert r["metrics"]["val_format_validity"] < 0.99 and r["metrics"]["answer_accuracy"] is None
    run = out / "trial-000"
    assert (run / "STOPPED").is_file() and not (run / "COMPLETE").exists() and not (run / "eval").exists()
    assert "stopped_format_drift (step 1)" in (out / "logbook.md").read_text()
    assert not (out / "best.yaml").exists()  # no trial finished to compete


def test_random_and_optuna_sweeps_plan_resume_and_pick_the_best(tmp_path, monkeypatch, repo_root):
    """The planners and the driver without training: a fake trial scores its params."""
    import routerforge.train.sweep as sweep_mod
    from routerforge.train.sweep_config import load_sweep

    calls = []

    def fake_trial(spec, console=None):
        calls.append(spec.trial)
        lr, r = spec.params["sft.lr"], spec.params["sft.lora_r"]
        return {"trial": spec.trial, "params": spec.params, "status": "ok", "wall_s": 0.1, "run": spec.run_dir.name,
                "metrics": {"answer_accuracy": 1 - abs(lr - 0.002) * 100 + r / 1000, "val_loss": 1.0}}

    monkeypatch.setattr(sweep_mod, "run_trial", fake_trial)
    monkeypatch.setattr(sweep_mod, "prepare_data", lambda *a, **k: tmp_path / "data")
    monkeypatch.chdir(repo_root)
    for method in ("random", "optuna"):
        path = tmp_path / f"{method}.yaml"
        path.write_text(yaml.safe_dump({
            "base": ROUTER_YAML, "method": method, "trials": 5, "seed": 1,
            "params": {"sft.lr": {"low": 0.0005, "high": 0.004, "log": True},
                       "sft.lora_r": {"low": 4, "high": 32, "integer": True}}}))
        sweep = load_sweep(path)
        out = tmp_path / method
        calls.clear()
        result = sweep_mod.run_sweep(sweep, out)
        assert calls == [0, 1, 2, 3, 4]
        for r in result["records"]:
            assert 0.0005 <= r["params"]["sft.lr"] <= 0.004 and isinstance(r["params"]["sft.lora_r"], int)
        assert result["best"] == max(result["records"], key=lambda r: r["metrics"]["answer_accuracy"])
        # resume: nothing reruns (Optuna's study is rebuilt from the logbook, and asks for nothing more)
        calls.clear()
        sweep_mod.run_sweep(load_sweep(path), out)
        assert calls == []


@pytest.mark.parametrize("text,message", [
    ("base: configs/router.yaml\nparams: {sft.lora_r: [8]}\ntrails: 3\n", "unknown config key(s): trails"),
    ("base: configs/router.yaml\nparams: {sft.lora_r: [8]}\ntrials: many\n",
     "trials must be an integer (or null), got 'many'"),
    ("base: configs/router.yaml\nparams: {sft.lora_rr: [8]}\n",
     "params.sft.lora_rr: unknown config key(s): sft.lora_rr"),
    ("base: configs/router.yaml\nparams: {sft.lora_r: [0]}\n", "params.sft.lora_r:"),
    ("base: configs/router.yaml\nparams: {sft.lr: banana}\n", "params.sft.lr must be a list of values or a mapping"),
    ("base: configs/router.yaml\nparams: {sft.lr: {sclae: [0.5]}}\n", "unknown config key(s): params.sft.lr.sclae"),
    ("base: configs/router.yaml\nparams: {sft.lr: {low: 0.001, high: 0.01}}\n",
     "params.sft.lr: grid needs values or scale"),
    ("base: configs/router.yaml\nparams: {sft.method: {scale: [2]}}\n", "sft.method must be a number"),
    ("base: configs/router.yaml\nparams: {sft.lr: [0.001]}\ndrift: {threshold: high}\n",
     "drift.threshold must be a number (or null), got 'high'"),
    ("base: configs/router.yaml\nparams: {sft.lr: [0.001]}\nmethod: random\n", "trials: method random needs"),
    ("base: configs/router.yaml\nparams: {sft.lr: [0.001]}\nmetric: accuracy\n", "metric must be one of"),
])
def test_sweep_file_errors_name_the_key(text, message, tmp_path, monkeypatch, capsys, repo_root):
    monkeypatch.chdir(repo_root)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert main(["sweep", "--config", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()  # nothing is created for a sweep that cannot run
