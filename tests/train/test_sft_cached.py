"""train/sft_cached.py: the cached-layer SFT loop trains what TRL's path trains, resumes, refuses bad configs."""

import json

import pytest
import torch

from routerforge.errors import ConfigError
from routerforge.models.loading import load_model
from routerforge.train.config import SFTConfig
from routerforge.train.sft import build_sft_trainer, sft_examples, train_sft
from routerforge.train.sft_cached import batches, shared_prefix, tokenize

ROWS = [{"query": f"What is {i} * 4?" + " please" * (i % 3), "expert": "multiply", "spec": f"{i} * 4"}
        for i in range(12)]
SYSTEM = "You are a router."


def test_tokenization_is_trls(tiny_model_dir, tmp_path):
    model, tok = load_model(tiny_model_dir)
    examples = sft_examples(ROWS[:3], SYSTEM)
    trainer = build_sft_trainer(SFTConfig(max_steps=1), model, tok, examples, tmp_path / "sft")
    for ex, row in zip(examples, trainer.train_dataset):
        ids, prompt_len = tokenize(tok, ex, 384)
        assert ids == row["input_ids"]
        labels = row["labels"] if "labels" in row else [-100 if m == 0 else t for t, m in zip(ids, row["completion_mask"])]
        assert prompt_len == next(i for i, t in enumerate(labels) if t != -100)


def test_length_grouped_batches_cover_every_row_once_and_change_each_epoch():
    lengths = [i % 7 for i in range(100)]
    one, two = batches(lengths, 8, 42, 0, True), batches(lengths, 8, 42, 1, True)
    assert sorted(i for b in one for i in b) == list(range(100))
    assert one != two and one == batches(lengths, 8, 42, 0, True)
    assert all(max(lengths[i] for i in b) - min(lengths[i] for i in b) <= 1 for b in one if len(b) == 8)
    # ...and the batches come in no length order: a window sorted longest to shortest was a curriculum
    longest = [max(lengths[i] for i in b) for b in one]
    assert longest != sorted(longest, reverse=True) and longest != sorted(longest)


def _adapter(path):
    from safetensors.torch import load_file

    return load_file(str(path / "adapter_model.safetensors"))


def test_one_step_matches_the_trl_path(tiny_model_dir, tmp_path):
    """Whole set in one batch, no dropout: the same loss, gradient and AdamW step as TRL's trainer."""
    common = dict(lora_r=4, lora_layers=1, lora_dropout=0.0, max_steps=1, batch_size=len(ROWS), lr=1e-2,
                  bf16="no", save_steps=100)
    examples = sft_examples(ROWS, SYSTEM)
    trl = train_sft(SFTConfig(**common), model_ref=tiny_model_dir, examples=examples, out_dir=tmp_path / "a" / "sft")
    cached = train_sft(SFTConfig(cache_frozen=True, **common), model_ref=tiny_model_dir, examples=examples,
                       out_dir=tmp_path / "b" / "sft")
    a, b = _adapter(trl), _adapter(cached)
    assert a.keys() == b.keys() and a
    for k in a:
        assert torch.allclose(a[k], b[k], atol=1e-5), k
    loss = lambda d: [r["loss"] for r in map(json.loads, (d / "train_log.jsonl").read_text().splitlines()) if "loss" in r]
    assert loss(tmp_path / "a")[0] == pytest.approx(loss(tmp_path / "b")[0], rel=1e-4)
    # ...although the cached path ran the rows' shared chat-template/system prefix only once
    end = json.loads((tmp_path / "b" / "train_log.jsonl").read_text().splitlines()[-1])
    assert end["shared_prefix_tokens"] > 5


def test_shared_prefix_leaves_every_row_its_last_prompt_token():
    assert shared_prefix([([1, 2, 3, 4, 9], 4), ([1, 2, 3, 5, 9], 4)]) == 3
    assert shared_prefix([([1, 2, 3, 4, 9], 3), ([1, 2, 3, 4, 8], 4)]) == 2  # prompt of 3: keep its token 3
    assert shared_prefix([([1, 2], 1), ([7, 2], 1)]) == 0 and shared_prefix([]) == 0


def test_trains_and_resumes_from_its_checkpoint(tiny_model_dir, tmp_path):
    out = tmp_path / "sft"
    cfg = dict(cache_frozen=True, lora_r=4, lora_layers=1, batch_size=4, save_steps=2, bf16="no", lr=5e-3)
    train_sft(SFTConfig(max_steps=2, **cfg), model_ref=tiny_model_dir, examples=sft_examples(ROWS, SYSTEM), out_dir=out)
    assert (out / "checkpoint-2" / "state.pt").is_file()
    train_sft(SFTConfig(max_steps=6, **cfg), model_ref=tiny_model_dir, examples=sft_examples(ROWS, SYSTEM), out_dir=out,
              resume=True)
    log = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if "loss" in r] == [1, 2, 3, 4, 5, 6]  # continued, not restarted
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-4", "checkpoint-6"]
    assert (out / "final" / "adapter_config.json").is_file()


def test_refuses_a_model_with_nothing_frozen(tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match="cache_frozen needs frozen lower layers"):
        train_sft(SFTConfig(cache_frozen=True, max_steps=1, bf16="no"), model_ref=tiny_model_dir,
                  examples=sft_examples(ROWS, SYSTEM), out_dir=tmp_path / "sft")


def test_a_multi_process_launch_names_the_flag(monkeypatch, tmp_path):
    from routerforge.train.__main__ import distributed_problem

    problem = distributed_problem(["--config", "configs/router.yaml", "--out", str(tmp_path / "r"),
                                   "--set", "sft.cache_frozen=true"])
    assert problem and "sft.cache_frozen=false" in problem
