"""`python -m routerforge.train` under plain Python, `accelerate launch` and a 2-process torchrun
(DDP on CPU with gloo): process 0 runs the pipeline, the other rank joins SFT only."""

import importlib.util
import json
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

from routerforge.train.__main__ import main

pytestmark = pytest.mark.e2e  # whole pipelines through the CLI


def _run(*cmd, timeout=240):
    return subprocess.run([sys.executable, *cmd], capture_output=True, text=True, timeout=timeout)


def test_module_help():
    res = _run("-m", "routerforge.train", "--help")
    assert res.returncode == 0, res.stderr
    assert "--backend" in res.stdout and "--config" in res.stdout


@pytest.mark.skipif(importlib.util.find_spec("accelerate") is None, reason="accelerate not installed")
def test_accelerate_launch_help():
    res = _run("-m", "accelerate.commands.launch", "--cpu", "--num_processes", "1", "--num_machines", "1",
               "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "routerforge.train", "--help")
    assert res.returncode == 0, res.stderr
    assert "--backend" in res.stdout


def test_other_ranks_skip_what_is_not_distributed(tmp_path, monkeypatch):
    """Vertex and `train rl --init` run on process 0 only: rank 1 returns at once, touching nothing."""
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    out = tmp_path / "run"
    assert main(["--backend", "vertex", "--out", str(out), "--dry-run"]) == 0
    assert main(["rl", "--init", str(tmp_path), "--out", str(out)]) == 0
    assert not out.exists() and not (tmp_path / ".run.partial").exists()


@pytest.mark.parametrize("rank", ["0", "1"])
def test_grpo_is_refused_under_a_multi_process_launch(tmp_path, monkeypatch, capsys, rank):
    monkeypatch.setenv("RANK", rank)
    monkeypatch.setenv("WORLD_SIZE", "2")
    out = tmp_path / "run"
    assert main(["--out", str(out), "--set", "rl.algorithm=grpo"]) == 2
    err = capsys.readouterr().err
    assert ("grpo does not run under a multi-process launch" in err) == (rank == "0")
    assert not out.exists() and not (tmp_path / ".run.partial").exists()


def test_two_process_sft_is_data_parallel(tiny_model_dir, tmp_path):
    """Both ranks build the same model (regression, issue 10: rank 1 ignored `sft.lora_layers`, so DDP
    saw different parameters on each process)."""
    out = tmp_path / "run"
    res = _run("-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", "routerforge.train",
               "--config", str(REPO_ROOT / "configs" / "cot_standardization.yaml"), "--out", str(out), "--model", str(tiny_model_dir),
               "--examples", "60", "--set", "sft.max_steps=2", "--set", "sft.batch_size=2", "--set",
               "sft.save_steps=2", "--set", "sft.lora_layers=1", "--rl-iterations", "1", "--set", "rl.max_new_tokens=8")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    ckpt = out / "sft" / "checkpoint-2"
    # one RNG state per process = both ranks took part in the same Trainer run
    assert (ckpt / "rng_state_0.pth").is_file() and (ckpt / "rng_state_1.pth").is_file()
    assert (out / "COMPLETE").is_file() and (out / "eval" / "metrics.json").is_file()
    log = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if r["stage"] == "sft" and "loss" in r] == [1, 2]  # process 0 logs once
    assert [r["step"] for r in log if r["stage"] == "rl"] == [1]  # and runs RL alone
