"""RL on sampled decisions with verified rewards, top to bottom (REINFORCE with a group baseline;
`algorithm: grpo` hands the same rewards to TRL's GRPOTrainer instead — see grpo.py).

Each step: draw `prompts_per_step` training queries, sample `samples_per_prompt` decisions for each
(generation stops at `->`), score them by executing the chosen expert (rewards.py), and push up the
log-probability of samples that beat their group's mean reward. An optional KL term keeps the policy
near the reference (the base model with the adapter disabled).
"""

from __future__ import annotations

import random
from pathlib import Path

from rich.console import Console

from routerforge.models.prompts import prompt_text
from routerforge.models.build import autocast, use_bf16
from routerforge.train.common import JsonlLog, set_seed
from routerforge.train.config import RLConfig
from routerforge.train.rewards import combined_reward


def completion_mask(gen_ids, stop_ids: set[int]):
    """1 for generated tokens up to and including the first stop (eos/pad) token, else 0."""
    import torch

    is_stop = torch.zeros_like(gen_ids, dtype=torch.bool)
    for t in stop_ids:
        is_stop |= gen_ids == t
    # positions strictly after the first stop token are padding
    after = torch.cumsum(is_stop.int(), dim=1) - is_stop.int()
    return (after == 0).long()


def sequence_logprobs(model, input_ids, attention_mask, n_prompt: int):
    """Per-token log-probs of input_ids[:, n_prompt:] under the model."""
    import torch

    logits = model(input_ids=input_ids, attention_mask=attention_mask).logits[:, n_prompt - 1 : -1].float()
    logp = torch.log_softmax(logits, dim=-1)
    return logp.gather(-1, input_ids[:, n_prompt:].unsqueeze(-1)).squeeze(-1)


def train_rl(cfg: RLConfig, *, model, tokenizer, rows: list[dict], system: str, out_dir: Path, seed: int = 42,
             console: Console | None = None) -> Path:
    """`model` is the SFT policy with trainable parameters (a PEFT model for LoRA). Saves to out_dir/final."""
    import torch

    from routerforge.train.callbacks import make_progress

    console = console or Console()
    out_dir = Path(out_dir)
    set_seed(seed)
    rng = random.Random(seed)
    bf16 = use_bf16(cfg.bf16)
    reward_fn = combined_reward(cfg.rewards)
    log = JsonlLog(out_dir.parent / "train_log.jsonl", "rl")
    tokenizer.padding_side = "left"
    stop_ids = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr)
    has_reference = cfg.kl_coef > 0 and hasattr(model, "disable_adapter")

    with make_progress(console) as progress:
        task = progress.add_task("RL", total=cfg.iterations, info="")
        for step in range(1, cfg.iterations + 1):
            # 1. Sample a group of decisions for each of a few training queries.
            batch = rng.sample(rows, min(cfg.prompts_per_step, len(rows)))
            prompts = [prompt_text(tokenizer, r["query"], system=system) for r in batch for _ in range(cfg.samples_per_prompt)]
            enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
            model.eval()
            with torch.no_grad(), autocast(bf16):
                seqs = model.generate(**enc, do_sample=True, temperature=cfg.temperature, top_k=0, top_p=1.0,
                                      max_new_tokens=cfg.max_new_tokens, stop_strings=["->"], tokenizer=tokenizer,
                                      pad_token_id=tokenizer.pad_token_id)
            n_prompt = enc["input_ids"].shape[1]
            gen = seqs[:, n_prompt:]
            mask = completion_mask(gen, stop_ids)
            texts = tokenizer.batch_decode(gen * mask + tokenizer.pad_token_id * (1 - mask), skip_special_tokens=True)

            # 2. Verified rewards: execute each sampled decision and compare with the truth.
            columns = {k: [r[k] for r in batch for _ in range(cfg.samples_per_prompt)] for k in batch[0]}
            rewards = torch.tensor(reward_fn(texts, **columns), dtype=torch.float32)
            groups = rewards.view(len(batch), cfg.samples_per_prompt)
            advantages = (groups - groups.mean(dim=1, keepdim=True)).view(-1)

            # 3. Policy gradient: raise log p of above-baseline samples (+ optional KL to the reference).
            model.train()
            attn = torch.cat([enc["attention_mask"], mask], dim=1)
            with autocast(bf16):
                logp = sequence_logprobs(model, seqs, attn, n_prompt)
            pg_loss = -((advantages.unsqueeze(1) * logp * mask).sum(1) / mask.sum(1).clamp(min=1)).mean()
            kl = torch.tensor(0.0)
            if has_reference:
                with torch.no_grad(), model.disable_adapter(), autocast(bf16):
                    ref = sequence_logprobs(model, seqs, attn, n_prompt)
                delta = ref - logp
                kl = ((torch.exp(delta) - delta - 1) * mask).sum() / mask.sum().clamp(min=1)
            loss = pg_loss + cfg.kl_coef * kl
            optimizer.zero_grad()
            if advantages.abs().sum() > 0 or has_reference:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()

            mean_r = rewards.mean().item()
            log.write(step=step, reward_mean=mean_r, reward_min=rewards.min().item(), loss=loss.item(),
                      kl=kl.item(), samples=texts[: cfg.samples_per_prompt])
            progress.update(task, advance=1, info=f"reward {mean_r:.3f}")

    final = out_dir / "final"
    model.save_pretrained(final)
    tokenizer.padding_side = "right"
    tokenizer.save_pretrained(final)
    return final
