"""Load a trained run directory for serving: the base model + the run's adapter, merged for speed.

A run dir written by `routerforge train` holds `run.json` (base model reference, method, prompt
style, system prompt) and `adapter/` (a PEFT adapter, or full weights for method=unfreeze).
"""

from __future__ import annotations

import json
from pathlib import Path

from routerforge.errors import InputError, RunDirError
from routerforge.io import is_complete
from routerforge.models.loading import load_model


class RunError(RunDirError):
    """A run directory that cannot be served (missing, not a run, interrupted)."""


def read_run_info(run_dir: str | Path, *, require_complete: bool = True) -> dict:
    """run.json of a run. A run trained on a routes file (`routerforge train --routes`) also activates its
    routes, so every command that opens the run (route, eval, serve) decides over that vocabulary."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunError(f"run directory not found: {run_dir}")
    info_path = run_dir / "run.json"
    if not info_path.is_file():
        raise RunError(f"{run_dir} is not a routerforge run (no run.json); train one with `routerforge train`")
    if require_complete and not is_complete(run_dir):
        raise RunError(f"{run_dir} is an interrupted run (no COMPLETE marker); finish it by training again with "
                       "`--resume`, or start over with `--force`")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("routes"):  # trained on a routes file: its routes are the vocabulary this run decides over
        from routerforge.experts.routes import RoutesFile, activate

        activate(RoutesFile.model_validate(info["routes"]), info.get("route_traffic"))
    return info


def load_run_model(run_dir: str | Path, *, merge: bool = True, require_complete: bool = True,
                   dtype: str = "auto"):
    """Return (model, tokenizer, info); info["base_loader"] lazily loads the untouched base model
    (used for chat passthrough replies, i.e. the base model with the adapter disabled). `dtype`
    ("float32", "bfloat16", or "auto": $ROUTERFORGE_DTYPE if set, else bf16 where the CPU/GPU has native
    bf16) is the merged model's;
    the adapter is merged in fp32 first. On the 2-core dev CPU bf16 routed the demo's held-out split
    1.5x faster (143 s against ~210 s) with the same accuracy to within a row (docs/runtime.md)."""
    if dtype == "auto":  # ROUTERFORGE_DTYPE=float32|bfloat16 chooses for every command that serves a run
        import os

        from routerforge.models.build import bf16_supported

        dtype = os.environ.get("ROUTERFORGE_DTYPE") or ("bfloat16" if bf16_supported() else "float32")
    if dtype not in ("float32", "bfloat16"):
        raise InputError(f"dtype must be auto, float32 or bfloat16 (also in ROUTERFORGE_DTYPE), got {dtype!r}")
    run_dir = Path(run_dir)
    info = read_run_info(run_dir, require_complete=require_complete)
    adapter = run_dir / info.get("adapter", "adapter")
    base_ref = info["model"]
    if info.get("method", "lora") == "lora":
        from peft import PeftModel

        base, tok = load_model(base_ref)
        model = PeftModel.from_pretrained(base, str(adapter))
        if merge:
            model = model.merge_and_unload()  # one matmul per projection instead of three
    else:
        model, tok = load_model(adapter)
    if dtype == "bfloat16":
        import torch

        model = model.to(torch.bfloat16)
    info["base_loader"] = lambda: load_model(base_ref)[0]
    return model.eval(), tok, info
