"""RL mechanics on a tiny random Llama: completion masks, a few REINFORCE steps with verified rewards."""

import json

import torch

from routerforge.models.loading import load_model
from routerforge.models.build import apply_lora
from routerforge.train.config import RLConfig
from routerforge.train.rl import completion_mask, train_rl


def test_completion_mask_stops_after_first_stop_token():
    gen = torch.tensor([[5, 6, 2, 0, 0], [5, 6, 7, 8, 9], [2, 0, 0, 0, 0]])
    assert completion_mask(gen, {2, 0}).tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]


def test_reinforce_steps_log_rewards_and_save_adapter(tiny_model_dir, tmp_path):
    model, tok = load_model(tiny_model_dir)
    model = apply_lora(model, 4, 8, 0.0, ["q_proj", "v_proj"])
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    rows = [{"query": f"What is {i} * 4?", "expert": "multiply", "spec": f"{i} * 4"} for i in range(8)]
    cfg = RLConfig(iterations=3, prompts_per_step=2, samples_per_prompt=3, max_new_tokens=8, lr=1e-2,
                   kl_coef=0.1, rewards=["verified", "format"], bf16="no")
    final = train_rl(cfg, model=model, tokenizer=tok, rows=rows, system="You are a router.",
                     out_dir=tmp_path / "rl", seed=1)
    log = [json.loads(x) for x in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3]
    assert all(0.0 <= r["reward_mean"] <= 1.0 and len(r["samples"]) == 3 for r in log)
    assert (final / "adapter_config.json").is_file()
    assert set(before) == {n for n, p in model.named_parameters() if p.requires_grad}


def test_a_user_reward_drives_the_update(tiny_model_dir, tmp_path):
    """A reward registered by name (one line) reaches the policy gradient: varied rewards move the adapter."""
    from routerforge.train.rewards import REWARDS

    REWARDS.register("test_length", lambda completions, **_: [len(c) / 50 for c in completions], overwrite=True)
    model, tok = load_model(tiny_model_dir)
    model = apply_lora(model, 4, 8, 0.0, ["q_proj", "v_proj"])
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    rows = [{"query": f"What is {i} * 4?", "expert": "multiply", "spec": f"{i} * 4"} for i in range(4)]
    cfg = RLConfig(iterations=2, prompts_per_step=2, samples_per_prompt=4, max_new_tokens=12, lr=1e-2,
                   rewards=["test_length"], bf16="no")
    train_rl(cfg, model=model, tokenizer=tok, rows=rows, system="sys", out_dir=tmp_path / "rl", seed=0)
    assert any(not torch.equal(before[n], p) for n, p in model.named_parameters() if p.requires_grad)


def test_grpo_backend_runs_on_the_same_rewards(tiny_model_dir, tmp_path):
    """`rl.algorithm: grpo` hands the registry's rewards to TRL's GRPOTrainer and saves an adapter."""
    from routerforge.train.grpo import train_grpo
    from routerforge.train.sft import sft_examples, train_sft
    from routerforge.train.config import SFTConfig

    rows = [{"query": f"What is {i} * 4?", "expert": "multiply", "spec": f"{i} * 4"} for i in range(8)]
    sft = train_sft(SFTConfig(max_steps=1, batch_size=4, lora_r=4, bf16="no"), model_ref=tiny_model_dir,
                    examples=sft_examples(rows, "sys"), out_dir=tmp_path / "sft")
    cfg = RLConfig(algorithm="grpo", iterations=1, prompts_per_step=2, samples_per_prompt=2, max_new_tokens=6,
                   rewards=["verified"], bf16="no")
    final = train_grpo(cfg, model_ref=tiny_model_dir, sft=SFTConfig(lora_r=4), init_weights=sft, rows=rows, system="sys",
                       out_dir=tmp_path / "rl", seed=0)
    assert (final / "adapter_config.json").is_file()
    logged = [json.loads(x) for x in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert any(r["stage"] == "rl" and "reward" in r for r in logged)
