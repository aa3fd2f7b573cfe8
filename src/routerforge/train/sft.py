"""Supervised fine-tuning of the router, top to bottom.

LoRA (PEFT) or the original experiment's "unfreeze the last N layers + head", on the model's native
chat template, with the loss on the assistant tokens only (TRL prompt/completion data). The target
is `expert: spec ->`: the expert computes the result, so the model never learns to guess numbers.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from routerforge.models.loading import load_model
from routerforge.models.prompts import router_messages, target_text
from routerforge.models.build import autocast, make_trainable, trainable_params, use_bf16
from routerforge.train.common import AutocastLoss, JsonlLog, last_checkpoint, set_seed
from routerforge.train.config import SFTConfig


def sft_examples(rows: list[dict], system: str) -> list[dict]:
    """Generated rows -> TRL conversational prompt/completion examples."""
    return [{"prompt": router_messages(r["query"], system=system),
             "completion": [{"role": "assistant", "content": target_text(r["expert"], r["spec"])}]}
            for r in rows]


def train_sft(cfg: SFTConfig, *, model_ref: str, examples: list[dict], out_dir: Path, seed: int = 42,
              console: Console | None = None, resume: bool = True) -> Path:
    """Train on TRL prompt/completion `examples` (see `sft_examples`) and save the router weights to
    `out_dir/final` (a PEFT adapter, or a full model for method=unfreeze); checkpoints go to
    `out_dir/checkpoint-N` and are resumed from. With `cfg.cache_frozen` the frozen lower layers run
    once per row instead of once per epoch (`train.sft_cached`, same result format)."""
    if cfg.cache_frozen:
        from routerforge.train.sft_cached import train_sft_cached

        return train_sft_cached(cfg, model_ref=model_ref, examples=examples, out_dir=out_dir, seed=seed,
                                console=console, resume=resume)
    out_dir = Path(out_dir)
    console = console or Console()
    set_seed(seed)
    bf16 = use_bf16(cfg.bf16)

    # 1. The base model, wrapped so only the chosen weights train.
    model, tok = load_model(model_ref)
    model = make_trainable(model, cfg)
    n_train, n_total = trainable_params(model)
    console.print(f"SFT ({cfg.method}): {n_train:,} of {n_total:,} parameters train; bf16 autocast: {bf16}")

    # 2-3. Prompt/completion pairs through the native chat template, TRL's trainer (loss on the completion).
    trainer = build_sft_trainer(cfg, model, tok, examples, out_dir, seed=seed, bf16=bf16, console=console)

    # 4. Train, resuming from the last checkpoint of an interrupted run.
    ckpt = last_checkpoint(out_dir) if resume else None
    if ckpt:
        console.print(f"resuming SFT from {ckpt}")
    trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)

    # 5. Save the trained weights.
    final = out_dir / "final"
    trainer.model.save_pretrained(final)
    tok.save_pretrained(final)
    return final


def build_sft_trainer(cfg: SFTConfig, model, tok, examples: list[dict], out_dir: Path, *, seed: int = 42,
                      bf16: bool = False, console: Console | None = None):
    """TRL SFTTrainer on prompt/completion data (completion-only loss), CPU by default, GPU when present."""
    import datasets
    import torch
    from transformers import PrinterCallback
    from trl import SFTConfig as TRLSFTConfig

    from routerforge.train.callbacks import LogCallback, RichProgressCallback, StepHookCallback, active_step_hooks

    out_dir = Path(out_dir)
    dataset = datasets.Dataset.from_list(examples)
    args = TRLSFTConfig(
        output_dir=str(out_dir), num_train_epochs=cfg.epochs, max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.batch_size, gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.lr, weight_decay=cfg.weight_decay, warmup_steps=_warmup_steps(cfg, len(dataset)),
        lr_scheduler_type="linear",
        max_length=cfg.max_length, completion_only_loss=True, packing=False,
        logging_steps=1, save_strategy="steps", save_steps=cfg.save_steps, save_total_limit=2,
        report_to="none", seed=seed, data_seed=seed, bf16=False, fp16=False,
        use_cpu=not torch.cuda.is_available(), gradient_checkpointing=False,
        dataloader_num_workers=0, disable_tqdm=True, remove_unused_columns=True,
        train_sampling_strategy="group_by_length" if cfg.group_by_length else "random",
    )
    trainer = _AutocastSFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tok,
                                  callbacks=[LogCallback(JsonlLog(out_dir.parent / "train_log.jsonl", "sft")),
                                             RichProgressCallback("SFT", console)])
    if active_step_hooks():  # a sweep watching the model (format drift): see callbacks.step_hooks
        trainer.add_callback(StepHookCallback())
    trainer.use_bf16_autocast = bf16
    trainer.completion_logits_only = cfg.completion_logits_only
    trainer.remove_callback(PrinterCallback)  # rich progress + JSONL log replace the dict prints
    return trainer


def _warmup_steps(cfg: SFTConfig, n_rows: int) -> int:
    import math

    steps = math.ceil(n_rows / (cfg.batch_size * cfg.grad_accum)) * cfg.epochs
    if cfg.max_steps > 0:
        steps = min(steps, cfg.max_steps)
    return int(cfg.warmup_ratio * steps)


def _trainer_base():
    from trl import SFTTrainer

    return SFTTrainer


class _AutocastSFTTrainer(AutocastLoss, _trainer_base()):
    """TRL's SFTTrainer with bf16 autocast around the loss (`AutocastLoss`), and with the LM head
    applied only where the loss is read.

    A router row is a ~20-token prompt and a ~12-token decision; TRL's loss runs the 49k-vocabulary head
    (and its backward) at every position. `completion_logits_only` asks the model for logits at the
    positions that predict a completion token only (`logits_to_keep` with the batch's union of those
    positions) and takes the same mean cross-entropy over completion tokens."""

    completion_logits_only = False

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if not self.completion_logits_only or return_outputs or "labels" not in inputs:
            return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)
        import torch
        import torch.nn.functional as F

        targets = inputs["labels"][:, 1:]  # position t predicts token t + 1
        keep = (targets != -100).any(0).nonzero().squeeze(1)  # positions any row needs
        model_inputs = {k: v for k, v in inputs.items() if k not in ("labels", "completion_mask")}
        with autocast(self.use_bf16_autocast):
            out = model(**model_inputs, use_cache=False, logits_to_keep=keep)
        logits = out.logits.float()
        tgt = targets[:, keep]
        n = (tgt != -100).sum() if num_items_in_batch is None else num_items_in_batch
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100,
                               reduction="sum") / torch.as_tensor(n, device=logits.device).clamp(min=1)
        with torch.no_grad():  # the token accuracy TRL logs, on the same positions
            mask = tgt != -100
            acc = ((logits.argmax(-1) == tgt) & mask).sum() / mask.sum().clamp(min=1)
        self._metrics["train" if model.training else "eval"]["mean_token_accuracy"].append(acc.item())
        return loss
