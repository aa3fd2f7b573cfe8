"""Shared training mechanics (no control flow): seeding, the JSONL training log, checkpoints.
Model building (LoRA / unfreezing, bf16, autocast) lives in `routerforge.models.build`."""

from __future__ import annotations

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


class AutocastLoss:
    """Mixin for a TRL trainer: bf16 autocast around the loss. Trainer's own bf16 flag would cast the
    weights; autocast keeps fp32 master weights, which LoRA on a CPU needs."""

    use_bf16_autocast = False

    def compute_loss(self, model, inputs, *args, **kwargs):
        from routerforge.models.build import autocast

        with autocast(self.use_bf16_autocast):
            return super().compute_loss(model, inputs, *args, **kwargs)
