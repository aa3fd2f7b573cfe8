"""SFT mechanics on a tiny random Llama: assistant-only loss mask, loss going down, resume."""

import json
from pathlib import Path

import pytest

from routerforge.models.loading import load_model
from routerforge.train.config import SFTConfig
from routerforge.train.sft import build_sft_trainer, sft_examples, train_sft

ROWS = [{"query": f"What is {i} * 4?", "expert": "multiply", "spec": f"{i} * 4"} for i in range(16)]
SYSTEM = "You are a router."


def test_loss_mask_covers_only_the_assistant_decision(tiny_model_dir, tmp_path):
    model, tok = load_model(tiny_model_dir)
    trainer = build_sft_trainer(SFTConfig(max_steps=1), model, tok, sft_examples(ROWS[:2], SYSTEM), tmp_path / "sft")
    row = trainer.train_dataset[0]
    ids, mask = row["input_ids"], [label != -100 for label in row["labels"]]
    trained = tok.decode([t for t, m in zip(ids, mask) if m])
    prompt = tok.decode([t for t, m in zip(ids, mask) if not m])
    assert trained.startswith("multiply: 0 * 4 ->")
    assert "What is 0 * 4?" in prompt and "You are a router." in prompt
    assert "What is" not in trained and "router" not in trained


def test_loss_goes_down_on_a_fixed_tiny_set(tiny_model_dir, tmp_path):
    cfg = SFTConfig(method="unfreeze", unfreeze_last=2, epochs=6, batch_size=8, lr=1e-2, save_steps=1000, bf16="no")
    train_sft(cfg, model_ref=tiny_model_dir, examples=sft_examples(ROWS, SYSTEM), out_dir=tmp_path / "sft")
    losses = [r["loss"] for r in map(json.loads, (tmp_path / "train_log.jsonl").read_text().splitlines()) if "loss" in r]
    assert len(losses) == 12
    assert sum(losses[-3:]) / 3 < 0.5 * sum(losses[:3]) / 3
    assert (tmp_path / "sft" / "final" / "config.json").is_file()  # unfreeze saves full weights


def test_resume_from_last_checkpoint(tiny_model_dir, tmp_path):
    out = tmp_path / "sft"
    first = SFTConfig(max_steps=2, batch_size=4, save_steps=2, bf16="no")
    train_sft(first, model_ref=tiny_model_dir, examples=sft_examples(ROWS, SYSTEM), out_dir=out)
    assert (out / "checkpoint-2").is_dir()
    second = SFTConfig(max_steps=4, batch_size=4, save_steps=2, bf16="no")
    train_sft(second, model_ref=tiny_model_dir, examples=sft_examples(ROWS, SYSTEM), out_dir=out, resume=True)
    steps = [r["step"] for r in map(json.loads, (tmp_path / "train_log.jsonl").read_text().splitlines()) if "loss" in r]
    assert steps == [1, 2, 3, 4]  # steps 3-4 continue from the checkpoint instead of restarting at 1
    state = json.loads((out / "checkpoint-4" / "trainer_state.json").read_text())
    assert state["global_step"] == 4


def test_unfreeze_mode_trains_only_the_last_layers(tiny_model_dir):
    from routerforge.models.build import apply_unfreeze, trainable_params

    model, _ = load_model(tiny_model_dir)
    apply_unfreeze(model, 1)
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("layers.0." not in n for n in names)
    assert any("layers.1." in n for n in names)
    assert 0 < trainable_params(model)[0] < trainable_params(model)[1]


def test_config_checks():
    with pytest.raises(ValueError, match="method"):
        SFTConfig(method="full")
    with pytest.raises(ValueError, match="bf16"):
        SFTConfig(bf16="maybe")


def test_load_policy_unfreezes_the_layers_sft_trained(tiny_model_dir):
    """Regression (issue 10): RL's policy re-opening used a hard-coded 6 instead of `sft.unfreeze_last`."""
    from routerforge.models.build import load_policy
    from routerforge.train.config import SFTConfig

    policy, _ = load_policy(tiny_model_dir, SFTConfig(method="unfreeze", unfreeze_last=1), tiny_model_dir)
    trainable = {n.split(".")[2] for n, p in policy.named_parameters() if p.requires_grad and ".layers." in n}
    assert trainable == {"1"}  # the last of the tiny model's 2 layers, as SFT trained it


def test_make_trainable_honours_lora_layers(tiny_model_dir):
    """Every process of a distributed launch builds its model with `make_trainable`, lora_layers included."""
    from routerforge.models.build import make_trainable
    from routerforge.models.loading import load_model
    from routerforge.train.config import SFTConfig

    model = make_trainable(load_model(tiny_model_dir)[0], SFTConfig(lora_r=4, lora_layers=1))
    adapted = {n.split("layers.")[1].split(".")[0] for n, _ in model.named_parameters() if "lora_" in n}
    assert adapted == {"1"}
