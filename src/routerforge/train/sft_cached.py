"""Supervised fine-tuning with the frozen lower layers computed once, top to bottom (`sft.cache_frozen`).

With LoRA on the last N layers (`sft.lora_layers`) or last-N unfreezing, the layers below never change,
so their output for a row is the same in every epoch. This stage runs them once per row (no grad),
keeps the hidden states entering the first trainable layer (fp32, ~100 KB a row), and trains only the
top of the model on them, epoch after epoch: the loss, targets and saved weights are those of
`train.sft.train_sft` (same chat-template tokenization as TRL's prompt/completion path, mean
cross-entropy over the completion tokens, AdamW with linear warmup/decay, gradient clipping at 1.0),
and the result is the same PEFT adapter (or full model) the runtime loads. TRL's trainer cannot reuse
activations across epochs, so the loop is written here; PEFT still builds the adapter.

The tokens every row starts with (chat template and system line: 24 of a ~65-token row with the
minimal prompt) are run once per step and their keys/values shared by the batch (`models/stack.py`):
same loss and gradient, about half the work.

Checkpoints (`checkpoint-N/`: trainable weights + optimizer + scheduler) every `save_steps`; a resumed
run recomputes the cache and skips the batches already trained (the batch order is a function of the
seed and the epoch).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from rich.console import Console

from routerforge.errors import ConfigError
from routerforge.models import stack
from routerforge.models.build import autocast, make_trainable, trainable_params, use_bf16
from routerforge.models.loading import load_model
from routerforge.train.callbacks import fire_end, fire_step, make_progress
from routerforge.train.common import JsonlLog, last_checkpoint, set_seed
from routerforge.train.config import SFTConfig

MEGABATCH = 50  # length grouping: sort each window of 50 batches by length (as transformers' sampler)
MAX_GRAD_NORM = 1.0  # transformers.Trainer's default, so both SFT paths clip alike


def tokenize(tok, example: dict, max_length: int) -> tuple[list[int], int]:
    """(token ids, prompt length) for a TRL conversational prompt/completion example, the way TRL's
    SFTTrainer does it: the prompt with the generation prompt, the whole chat, the completion starting
    where the two diverge; truncated to `max_length` from the right."""
    prompt = tok.apply_chat_template(example["prompt"], add_generation_prompt=True, tokenize=True)
    full = tok.apply_chat_template(example["prompt"] + example["completion"], tokenize=True)
    prompt, full = list(_ids(prompt)), list(_ids(full))
    n = 0
    while n < min(len(prompt), len(full)) and prompt[n] == full[n]:
        n += 1
    return full[:max_length], min(n, max_length)


def _ids(out):
    return out["input_ids"] if isinstance(out, dict) or hasattr(out, "keys") else out


def shared_prefix(rows: list[tuple[list[int], int]]) -> int:
    """How many leading tokens every row has in common (the chat template and system line), leaving
    each row at least its last prompt token, the position that predicts the first completion token."""
    if not rows:
        return 0
    first = rows[0][0]
    n = min(p for _, p in rows) - 1
    for ids, _ in rows[1:]:
        n = min(n, len(ids))
        while n > 0 and ids[:n] != first[:n]:
            n -= 1
    return max(n, 0)


def batches(lengths: list[int], batch_size: int, seed: int, epoch: int, group: bool) -> list[list[int]]:
    """Row indices in batches for one epoch: shuffled by (seed, epoch); with `group`, each window of
    MEGABATCH batches sorted by length so a batch pads little, and then the batches shuffled: in
    length order a window runs from the longest rows (schedules, word problems) to the shortest (chat),
    a curriculum that undid itself every window (the loss jumped from 0.07 to 3.6 at each new one)."""
    rng = random.Random(f"routerforge-sft:{seed}:{epoch}")
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if group:
        window = batch_size * MEGABATCH
        order = [i for s in range(0, len(order), window)
                 for i in sorted(order[s:s + window], key=lambda i: -lengths[i])]
    out = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    if group:
        rng.shuffle(out)
    return out


def _pad(seqs, value):
    import torch

    width = max(len(s) for s in seqs)
    return torch.stack([torch.nn.functional.pad(s, (0, 0) * (s.dim() - 1) + (0, width - len(s)), value=value)
                        for s in seqs])


def train_sft_cached(cfg: SFTConfig, *, model_ref: str, examples: list[dict], out_dir: Path, seed: int = 42,
                     console: Console | None = None, resume: bool = True) -> Path:
    """`train.sft.train_sft` with the frozen layers run once: same arguments, same `out_dir/final`."""
    import math

    import torch
    import torch.nn.functional as F
    from transformers import get_linear_schedule_with_warmup

    out_dir = Path(out_dir)
    console = console or Console()
    set_seed(seed)
    bf16 = use_bf16(cfg.bf16)

    # 1. The base model, wrapped so only the chosen weights train; the split is the first trainable layer.
    model, tok = load_model(model_ref)
    model = make_trainable(model, cfg)
    split = stack.split_layer(model)
    if split == 0 or not stack.frozen_below_split(model):
        n = len(stack.decoder(model).model.layers)
        raise ConfigError(f"sft.cache_frozen needs frozen lower layers, but all {n} layers of this model train: "
                          "set sft.lora_layers (or unfreeze_last) below that, or --set sft.cache_frozen=false")
    n_train, n_total = trainable_params(model)
    console.print(f"SFT ({cfg.method}, layers below {split} cached): {n_train:,} of {n_total:,} parameters "
                  f"train; bf16 autocast: {bf16}")

    # 2. Tokenize as TRL does; labels are the completion tokens (position t predicts token t + 1).
    rows = [tokenize(tok, ex, cfg.max_length) for ex in examples]
    lengths = [len(ids) for ids, _ in rows]

    # 3. The prefix every row starts with (chat template, system line) is run once, for every layer and
    #    every step: each row is kept and trained from the first token where the rows differ.
    n_pre = shared_prefix(rows)
    prefix_ids = torch.tensor(rows[0][0][:n_pre]) if n_pre else None
    rows = [(ids[n_pre:], p - n_pre) for ids, p in rows]
    lengths = [len(ids) for ids, _ in rows]

    # 4. The frozen layers, once per row: the hidden states entering layer `split`.
    model.eval()  # no dropout below the split (there is none in the frozen base; be explicit)
    cache: list = [None] * len(rows)
    prefix = None
    with make_progress(console) as progress:
        task = progress.add_task("cache frozen layers", total=len(rows),
                                 info=f"layers 0-{split - 1}, {n_pre}-token shared prefix once")
        with autocast(bf16):
            if n_pre:
                prefix = stack.bottom(model, prefix_ids[None], torch.ones(1, n_pre, dtype=torch.long), split).float()
        for batch in batches(lengths, cfg.batch_size, seed, -1, True):
            ids = _pad([torch.tensor(rows[i][0]) for i in batch], tok.pad_token_id or 0)
            mask = _pad([torch.ones(lengths[i], dtype=torch.long) for i in batch], 0)
            with autocast(bf16):
                hidden = stack.bottom(model, ids, mask, split, prefix_ids)
            for j, i in enumerate(batch):
                cache[i] = hidden[j, :lengths[i]].float().clone()  # fp32: the residual stream's dtype
            progress.update(task, advance=len(batch))

    # 5. Optimizer and schedule as the TRL path sets them (AdamW, linear warmup then decay).
    per_epoch = math.ceil(len(rows) / cfg.batch_size)
    total = math.ceil(per_epoch * cfg.epochs) if cfg.max_steps <= 0 else cfg.max_steps
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total), total)
    step = 0
    ckpt = last_checkpoint(out_dir) if resume else None
    if ckpt:
        state = torch.load(ckpt / "state.pt", weights_only=False)
        model.load_state_dict(state["weights"], strict=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        console.print(f"resuming SFT from {ckpt} (step {step})")

    # 6. Train the top of the model on the cached hidden states (after the shared prefix's). Eager
    #    attention there: on a CPU, SDPA's flash-attention backward cost a fifth of a step on these
    #    short rows (profiled), eager's matmuls a few percent; the same attention, the same loss.
    log = JsonlLog(out_dir.parent / "train_log.jsonl", "sft")
    attn = stack.attention(model, "eager")
    model.train()
    with make_progress(console) as progress:
        task = progress.add_task("SFT", total=total, completed=step, info="")
        epoch = step // per_epoch
        while step < total:
            for batch in batches(lengths, cfg.batch_size, seed, epoch, cfg.group_by_length)[step % per_epoch:]:
                ids = _pad([torch.tensor(rows[i][0]) for i in batch], -100)
                labels = ids.clone()
                for j, i in enumerate(batch):
                    labels[j, :rows[i][1]] = -100  # the prompt carries no loss
                targets = labels[:, 1:]
                scored = (targets != -100).nonzero(as_tuple=True)  # (row, position) of every target token
                hidden = _pad([cache[i] for i in batch], 0.0)
                mask = _pad([torch.ones(lengths[i], dtype=torch.long) for i in batch], 0)
                with autocast(bf16):
                    logits = stack.top(model, hidden, mask, split, scored, prefix).float()
                tgt = targets[scored]
                n = tgt.numel() if tgt.numel() else 1
                loss = F.cross_entropy(logits, tgt, reduction="sum") / n
                loss.backward()
                grad_norm = torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                with torch.no_grad():
                    acc = ((logits.argmax(-1) == tgt).sum() / n).item()
                log.write(step=step, epoch=round(step / per_epoch, 4), loss=loss.item(), grad_norm=grad_norm.item(),
                          learning_rate=scheduler.get_last_lr()[0], mean_token_accuracy=acc)
                progress.update(task, completed=step, info=f"loss {loss.item():.3f}")
                if step % cfg.save_steps == 0 or step == total:
                    _save_checkpoint(model, optimizer, scheduler, step, out_dir)
                fire_step(step, model, tok)  # a sweep's format-drift monitor may stop the run here
                if step >= total:
                    break
            epoch += 1
    stack.attention(model, attn)
    log.write(step=step, train_rows=len(rows), cached_layers=split, shared_prefix_tokens=n_pre)
    fire_end(step, model, tok)

    # 7. Save the trained weights where train_sft saves them.
    final = out_dir / "final"
    model.save_pretrained(final)
    tok.save_pretrained(final)
    return final


def _save_checkpoint(model, optimizer, scheduler, step: int, out_dir: Path, keep: int = 2) -> None:
    """checkpoint-N/state.pt (trainable weights, optimizer, scheduler, step), written then renamed."""
    import torch

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".checkpoint-{step}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    torch.save({"weights": weights, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "step": step}, tmp / "state.pt")
    final = out_dir / f"checkpoint-{step}"
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    old = sorted((p for p in out_dir.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                 key=lambda p: int(p.name.split("-")[-1]))
    for p in old[:-keep]:
        shutil.rmtree(p, ignore_errors=True)
