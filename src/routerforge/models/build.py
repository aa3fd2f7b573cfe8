"""Model mechanics shared by training and serving (no control flow): device and bf16 choice, autocast,
and building the trainable model from an SFT config — LoRA (with `lora_layers`) or last-N unfreezing
(with `unfreeze_last`) — in one place, so SFT, RL, GRPO and every process of a distributed launch build
the same model."""

from __future__ import annotations

from routerforge.errors import InputError

import contextlib
from pathlib import Path
from typing import Any


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


def apply_unfreeze(model, last_n: int, head: bool = True):
    """Freeze everything but the last `last_n` decoder layers, the final norm and (with `head`) the LM
    head. A head tied to the input embeddings (SmolLM2) trains them too, so the layers below are not
    frozen: `head=False` keeps it fixed, which `sft.cache_frozen` needs."""
    for p in model.parameters():
        p.requires_grad_(False)
    layers = model.model.layers
    if not 0 < last_n <= len(layers):
        raise InputError(f"unfreeze_last must be in 1..{len(layers)}")
    for layer in layers[-last_n:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    for p in [*model.model.norm.parameters(), *(model.lm_head.parameters() if head else ())]:
        p.requires_grad_(True)
    return model


def make_trainable(model, sft: Any):
    """Wrap `model` as `sft` (an SFTConfig: method, lora_*, lora_layers, unfreeze_last) asks."""
    if sft.method == "lora":
        return apply_lora(model, sft.lora_r, sft.lora_alpha, sft.lora_dropout, sft.target_modules, sft.lora_layers)
    return apply_unfreeze(model, sft.unfreeze_last, sft.unfreeze_head)


def load_policy(model_ref: str, sft: Any, weights: str | Path):
    """A trained result re-opened as a trainable policy: the PEFT adapter at `weights` (trainable), or
    the full weights with the same `sft.unfreeze_last` layers unfrozen as SFT trained."""
    from routerforge.models.loading import load_model

    if sft.method == "lora":
        from peft import PeftModel

        base, tok = load_model(model_ref)
        return PeftModel.from_pretrained(base, str(weights), is_trainable=True), tok
    model, tok = load_model(weights)
    return apply_unfreeze(model, sft.unfreeze_last, sft.unfreeze_head), tok


def trainable_params(model) -> tuple[int, int]:
    total = sum(p.numel() for p in model.parameters())
    train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return train, total
