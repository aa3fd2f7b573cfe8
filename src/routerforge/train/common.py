"""Shared training mechanics (no control flow): seeding, precision, LoRA / partial unfreezing,
trainer callbacks for a JSONL log and rich progress, checkpoints."""

from __future__ import annotations

import contextlib
import json
import random
import time
from pathlib import Path

import numpy as np


def set_seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def bf16_supported() -> bool:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    # CPU autocast to bf16 only pays off with native bf16 instructions (AVX512-BF16 / AMX)
    fn = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    return bool(fn and fn())


def use_bf16(setting: str) -> bool:
    return setting == "yes" or (setting == "auto" and bf16_supported())


def autocast(enabled: bool):
    import torch

    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device(), dtype=torch.bfloat16)


def apply_lora(model, r: int, alpha: int, dropout: float, target_modules: list[str], last_layers: int | None = None):
    """PEFT LoRA; `last_layers=N` adapts only the last N decoder layers, so backpropagation stops
    there (about twice as fast on a CPU for N = a third of the depth)."""
    from peft import LoraConfig, get_peft_model

    n = model.config.num_hidden_layers
    layers = list(range(max(0, n - last_layers), n)) if last_layers else None
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=target_modules,
                        layers_to_transform=layers, task_type="CAUSAL_LM", bias="none")
    return get_peft_model(model, config)


def apply_unfreeze(model, last_n: int):
    """Freeze everything but the last `last_n` decoder layers, the final norm and the LM head."""
    for p in model.parameters():
        p.requires_grad_(False)
    layers = model.model.layers
    if not 0 < last_n <= len(layers):
        raise ValueError(f"unfreeze_last must be in 1..{len(layers)}")
    for layer in layers[-last_n:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    for p in [*model.model.norm.parameters(), *model.lm_head.parameters()]:
        p.requires_grad_(True)
    return model


def trainable_params(model) -> tuple[int, int]:
    total = sum(p.numel() for p in model.parameters())
    train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return train, total


class JsonlLog:
    """Append-only JSONL training log (one object per logged step)."""

    def __init__(self, path: Path, stage: str) -> None:
        self.path, self.stage, self.t0 = Path(path), stage, time.time()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, **record) -> None:
        record = {"stage": self.stage, "time_s": round(time.time() - self.t0, 3), **record}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")


def last_checkpoint(out_dir: Path) -> Path | None:
    ckpts = [p for p in Path(out_dir).glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()]
    return max(ckpts, key=lambda p: int(p.name.split("-")[-1])) if ckpts else None
