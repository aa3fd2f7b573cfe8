"""SFT cost per example on this machine: rows/s and tokens/s of the demo's own trainer, recipe by recipe.

    python benchmarks/sft_throughput.py [--model smollm2-135m] [--rows 64] [--steps 6] [--out FILE.json]

Each variant builds the real trainer (`routerforge.train.sft.build_sft_trainer`, TRL SFTTrainer + PEFT
LoRA) on the same generated rows and times `--steps` optimizer steps after one warm-up step:

- `before`: the previous demo recipe — compact system prompt (expert list, ~104 tokens), LoRA on every
  layer, TRL's loss over the whole vocabulary at every position, random batches;
- `short_prompt`: + the one-line `minimal` system prompt;
- `completion_logits`: + LM head and loss only at completion positions;
- `after`: + LoRA on the last `--lora-layers` layers only and length-grouped batches (the new default).

`--batch` sets the rows per step for every variant. Rows/s counts training rows per second of optimizer steps; tokens/s counts the rows' tokens (prompt +
completion, padding excluded). Run it on an idle machine: two torch processes slow each other 3-5x.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import machine_info  # noqa: E402

VARIANTS = {
    "before": dict(prompt_style="compact", completion_logits_only=False, lora_layers=None, group_by_length=False),
    "short_prompt": dict(prompt_style="minimal", completion_logits_only=False, lora_layers=None,
                         group_by_length=False),
    "completion_logits": dict(prompt_style="minimal", completion_logits_only=True, lora_layers=None,
                              group_by_length=False),
    "after": dict(prompt_style="minimal", completion_logits_only=True, lora_layers="LAST", group_by_length=True),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--rows", type=int, default=64, help="training rows per variant")
    p.add_argument("--batch", type=int, default=8, help="rows per optimizer step")
    p.add_argument("--steps", type=int, default=6, help="timed optimizer steps after one warm-up step")
    p.add_argument("--lora-layers", type=int, default=8)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    import tempfile

    import torch
    from rich.console import Console
    from rich.table import Table

    from routerforge.data import DataConfig, generate_rows
    from routerforge.models.build import make_trainable, use_bf16
    from routerforge.models.loading import load_model
    from routerforge.models.prompts import system_prompt
    from routerforge.train.config import SFTConfig
    from routerforge.train.sft import build_sft_trainer, sft_examples

    if args.threads:
        torch.set_num_threads(args.threads)
    console = Console()
    rows = generate_rows(DataConfig(examples=int(args.rows / 0.7) + 8, seed=7))["train"][: args.rows]
    results = {}
    for name in [v.strip() for v in args.variants.split(",") if v.strip()]:
        v = dict(VARIANTS[name])
        style = v.pop("prompt_style")
        if v["lora_layers"] == "LAST":
            v["lora_layers"] = args.lora_layers
        cfg = SFTConfig(batch_size=args.batch, lr=1e-3, max_steps=args.steps + 1, save_steps=10_000, **v)
        examples = sft_examples(rows, system_prompt(style=style))
        model, tok = load_model(args.model)
        model = make_trainable(model, cfg)
        with tempfile.TemporaryDirectory() as tmp:
            trainer = build_sft_trainer(cfg, model, tok, examples, Path(tmp) / "sft", bf16=use_bf16(cfg.bf16))
            trainer.remove_callback(trainer.callback_handler.callbacks[-1].__class__)  # no progress bar
            times: list[float] = []

            from transformers import TrainerCallback

            class Clock(TrainerCallback):
                def on_step_begin(self, *a, **k):
                    self.t = time.perf_counter()

                def on_step_end(self, *a, **k):
                    times.append(time.perf_counter() - self.t)

            trainer.add_callback(Clock())
            trainer.train()
        timed = times[1:]  # the first step pays one-off costs
        step_s = sum(timed) / len(timed)
        tokens = [len(tok(tok.apply_chat_template(e["prompt"] + e["completion"], tokenize=False),
                          add_special_tokens=False)["input_ids"]) for e in examples]
        mean_tokens = sum(tokens) / len(tokens)
        b = args.batch
        results[name] = {"step_s": step_s, "rows_per_s": b / step_s, "tokens_per_s": b * mean_tokens / step_s,
                         "mean_tokens_per_row": mean_tokens, "config": {"prompt_style": style, **v}}
        console.print(f"{name}: {step_s:.2f} s/step, {b / step_s:.1f} rows/s ({mean_tokens:.0f} tokens/row)")
    base = results.get("before")
    table = Table(title=f"SFT cost per step (batch {args.batch}, {args.steps} steps, {args.model})")
    for col in ("variant", "s/step", "rows/s", "tokens/row", "tokens/s", "rows/s x before"):
        table.add_column(col, justify="right")
    lines = ["| variant | s/step | rows/s | tokens/row | tokens/s | rows/s × before |", "|---|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        ratio = f"{r['rows_per_s'] / base['rows_per_s']:.1f}x" if base else "-"
        cells = [f"{r['step_s']:.2f}", f"{r['rows_per_s']:.1f}", f"{r['mean_tokens_per_row']:.0f}",
                 f"{r['tokens_per_s']:.0f}", ratio]
        table.add_row(name, *cells)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    console.print(table)
    if args.out:
        from routerforge.io import atomic_write_json, atomic_write_text

        info = machine_info()
        atomic_write_json(args.out, {"machine": info, "results": results, "args": vars(args)})
        atomic_write_text(Path(args.out).with_suffix(".md"), f"SFT throughput on {info.get('cpu')} "
                          f"({info.get('torch_threads')} torch threads, {info.get('date')}):\n\n" + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
