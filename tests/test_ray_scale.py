"""Ray on this machine (a local Ray with 2 CPUs, started once for the module): batch routing with a pool of
2 router actors gives the local path's decisions in its order and resumes from its shards; a sweep runs
its trials as Ray Tune trials and writes the local backend's logbook."""

import json

import pytest
import yaml

from routerforge.cli import main

ray = pytest.importorskip("ray", reason="the scale extra (ray[data,tune]) is not installed")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    from routerforge.train.raycluster import start_ray

    start_ray(num_cpus=2)
    yield
    ray.shutdown()


def queries_file(run, path, n):
    """`n` queries from the run's own data, every class (the splits are grouped by expert)."""
    rows = [json.loads(line) for split in ("train", "val", "test")
            for line in (run / "data" / f"{split}.jsonl").read_text().splitlines()]
    step = max(len(rows) // n, 1)
    path.write_text("".join(json.dumps({"query": r["query"]}) + "\n" for r in rows[::step][:n]))
    return path


def decisions(path):
    """Every field but what the clock decides: latency, and the time expert's result (the time now)."""
    out = []
    for line in path.read_text().splitlines():
        row = {k: v for k, v in json.loads(line).items() if k != "latency_ms"}
        if row["expert"] == "time":
            row.pop("result"), row.pop("answer")
        out.append(row)
    return out


def test_ray_routing_gives_the_local_decisions_in_order(tiny_run, tmp_path):
    src = queries_file(tiny_run, tmp_path / "q.jsonl", 20)
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert main(["route", "--run", str(tiny_run), "--input", str(src), "--output", str(local)]) == 0
    assert main(["route", "--run", str(tiny_run), "--input", str(src), "--output", str(on_ray), "--backend", "ray",
                 "--workers", "2", "--shard-size", "16"]) == 0  # shards of 16 and 4 rows, one per actor
    assert decisions(on_ray) == decisions(local)
    asked = [json.loads(line)["query"] for line in src.read_text().splitlines()]
    assert [r["query"] for r in decisions(on_ray)] == asked
    assert not (tmp_path / ".ray.jsonl.shards").exists()


def test_ray_routing_resumes_from_its_shards(tiny_run, tmp_path, monkeypatch, capsys):
    """Killed after its first shard, the rerun routes only the missing ones and writes the whole file."""
    import routerforge.serve.route_ray as route_ray

    src = queries_file(tiny_run, tmp_path / "q.jsonl", 48)
    out = tmp_path / "out.jsonl"
    args = ["route", "--run", str(tiny_run), "--router", "rules", "--input", str(src), "--output", str(out),
            "--backend", "ray", "--workers", "2", "--shard-size", "16"]
    real_write, written = route_ray.atomic_write_text, []

    def dies_after_one(path, text):
        if written:
            raise KeyboardInterrupt  # the job is killed
        written.append(path)
        return real_write(path, text)

    monkeypatch.setattr(route_ray, "atomic_write_text", dies_after_one)
    assert main(args) == 130
    shards = tmp_path / ".out.jsonl.shards"
    assert not out.exists() and len(list(shards.glob("shard-*.jsonl"))) == 1
    monkeypatch.setattr(route_ray, "atomic_write_text", real_write)
    capsys.readouterr()
    assert main(args) == 0
    assert "(2 shards routed on Ray, 1 done before)" in capsys.readouterr().err
    assert main(["route", "--run", str(tiny_run), "--router", "rules", "--input", str(src), "--output",
                 str(tmp_path / "local.jsonl")]) == 0
    assert decisions(out) == decisions(tmp_path / "local.jsonl") and not shards.exists()
    # another job's shards are refused, not mixed in
    (tmp_path / ".other.jsonl.shards").mkdir()
    (tmp_path / ".other.jsonl.shards" / "meta.json").write_text("{}")
    assert main(["route", "--run", str(tiny_run), "--router", "rules", "--input", str(src), "--output",
                 str(tmp_path / "other.jsonl"), "--backend", "ray"]) == 2
    assert "another routing job" in capsys.readouterr().err


def test_sweep_trials_run_as_ray_tune_trials(tiny_model_dir, tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump({
        "model": str(tiny_model_dir), "seed": 0, "prompt_style": "minimal", "data": {"examples": 60, "seed": 0},
        "sft": {"lora_r": 4, "lora_alpha": 8, "lora_layers": 1, "cache_frozen": True, "max_steps": 2, "batch_size": 4},
        "rl": {"iterations": 0}, "eval": {"split": "test", "batch_size": 4}}))
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({"base": str(base), "params": {"sft.weight_decay": [0.0, 0.05]}, "limit": 16,
                                     "eval_rows": 4, "cpus_per_trial": 1, "drift": {"rows": 2, "max_new_tokens": 6}}))
    out = tmp_path / "sweep-ray"
    assert main(["sweep", "--config", str(sweep), "--out", str(out), "--backend", "ray", "--workers", "2"]) == 0
    book = [json.loads(line) for line in (out / "logbook.jsonl").read_text().splitlines()]
    assert [(r["trial"], r["status"]) for r in book] == [(0, "ok"), (1, "ok")]
    assert [r["params"]["sft.weight_decay"] for r in book] == [0.0, 0.05]
    for r in book:
        assert (out / r["run"] / "COMPLETE").is_file() and (out / "logs" / f"{r['run']}.log").is_file()
        assert r["metrics"]["val_loss"] > 0
    assert (out / "best.yaml").is_file() and (out / "plot.png").is_file()
    assert "--backend ray" in (out / "logbook.md").read_text()
