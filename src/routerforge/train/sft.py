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
from routerforge.train.common import (JsonlLog, apply_lora, apply_unfreeze, autocast, last_checkpoint,
                                      set_seed, trainable_params, use_bf16)
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
    `out_dir/checkpoint-N` and are resumed from."""
    out_dir = Path(out_dir)
    console = console or Console()
    set_seed(seed)
    bf16 = use_bf16(cfg.bf16)

    # 1. The base model, wrapped so only the chosen weights train.
    model, tok = load_model(model_ref)
    if cfg.method == "lora":
        model = apply_lora(model, cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout, cfg.target_modules, cfg.lora_layers)
    else:
        model = apply_unfreeze(model, cfg.unfreeze_last)
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

    from routerforge.train.callbacks import LogCallback, RichProgressCallback

    out_dir = Path(out_dir)
    dataset = datasets.Dataset.from_list(examples)
    args = TRLSFTConfig(
        output_dir=str(out_dir), num_train_epochs=cfg.epochs, max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.batch_size, gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.lr, warmup_steps=_warmup_steps(cfg, len(dataset)), lr_scheduler_type="linear",
        max_length=cfg.max_length, completion_only_loss=True, packing=False,
        logging_steps=1, save_strategy="steps", save_steps=cfg.save_steps, save_total_limit=2,
        report_to="none", seed=seed, data_seed=seed, bf16=False, fp16=False,
        use_cpu=not torch.cuda.is_available(), gradient_checkpointing=False,
        dataloader_num_workers=0, disable_tqdm=True, remove_unused_columns=True,
    )
    trainer = _AutocastSFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tok,
                                  callbacks=[LogCallback(JsonlLog(out_dir.parent / "train_log.jsonl", "sft")),
                                             RichProgressCallback("SFT", console)])
    trainer.use_bf16_autocast = bf16
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


class _AutocastSFTTrainer(_trainer_base()):
    """TRL's SFTTrainer with CPU/GPU bf16 autocast around the loss (Trainer's own bf16 flag
    would cast the weights; autocast keeps fp32 master weights, which LoRA on CPU needs)."""

    use_bf16_autocast = False

    def compute_loss(self, model, inputs, *args, **kwargs):
        with autocast(self.use_bf16_autocast):
            return super().compute_loss(model, inputs, *args, **kwargs)
