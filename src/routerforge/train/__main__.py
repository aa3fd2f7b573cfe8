"""`python -m routerforge.train ARGS` = `routerforge train ARGS`, and the entry point for
multi-process data-parallel SFT:

    accelerate launch --num_processes 2 -m routerforge.train --config FILE --out runs/NAME

Process 0 runs the whole pipeline exactly as `routerforge train` does (data, SFT, RL, eval,
packaging). The other processes only help with SFT: they rebuild the same training examples
(generation is deterministic in the config) and join process 0's TRL SFTTrainer, which shards every
batch across the processes (DistributedDataParallel). They write nothing of their own except the
per-process RNG state in the shared SFT checkpoints, which `--resume` needs, and exit when SFT ends;
RL (our own REINFORCE loop) and evaluation then run on process 0 alone.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path


def process_rank() -> int:
    """Global rank set by accelerate/torchrun (0 when not launched distributed)."""
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def world_size() -> int:
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def parse(argv: list[str]):
    """(args, cfg) as `routerforge train` builds them; None when they are bad (process 0 reports it)."""
    from routerforge.cli import build_parser
    from routerforge.train.cli import build_config

    try:
        with contextlib.redirect_stderr(io.StringIO()):  # process 0's own parse prints any error once
            args = build_parser().parse_args(["train", *argv])
        return args, build_config(args)
    except (SystemExit, ValueError, OSError):
        return None


def distributed_problem(argv: list[str]) -> str | None:
    """What a multi-process launch cannot do. TRL's GRPOTrainer would wrap the policy in DDP on
    process 0 while the other processes have left after SFT, and wait for them forever."""
    parsed = parse(argv)
    if parsed is None:
        return None
    args, cfg = parsed
    if args.backend == "local" and args.stage in ("all", "rl") and cfg.rl.algorithm == "grpo" and cfg.rl.iterations > 0:
        return ("rl.algorithm: grpo does not run under a multi-process launch: run `train sft` distributed, "
                "then `routerforge train rl --init RUN` in a single process")
    if args.backend == "local" and args.stage in ("all", "sft") and cfg.sft.cache_frozen:
        # the cached-layer loop (train/sft_cached.py) is single-process; DDP goes through TRL's trainer
        return "sft.cache_frozen runs in one process: pass --set sft.cache_frozen=false for a multi-process launch"
    return None


def wait_for_model_cache(model_ref: str, timeout_s: float = 1800) -> None:
    """The embedded model or a .gguf file is converted once into routerforge's cache; two processes
    converting at the same time would collide, so only process 0 converts and the others wait for the
    result (it appears atomically). Same cache paths as models.loading.resolve_model_dir."""
    import time

    from routerforge.models.loading import EMBEDDED, cache_dir

    path = Path(str(model_ref)).expanduser()
    if str(model_ref) in EMBEDDED:
        out = cache_dir() / "models" / str(model_ref)
    elif path.suffix == ".gguf" and path.is_file():
        out = cache_dir() / "models" / f"gguf-{path.stem}-{path.stat().st_size}"
    else:
        return
    deadline = time.monotonic() + timeout_s
    while not (out / "config.json").is_file() and time.monotonic() < deadline:
        time.sleep(1)


def assist_sft(argv: list[str]) -> int:
    """A non-zero rank: run SFT in step with process 0, then leave."""
    parsed = parse(argv)
    if parsed is None:
        return 2  # process 0 prints the error
    args, cfg = parsed
    if args.backend != "local" or args.stage == "rl":
        return 0  # nothing distributed to do: Vertex, or RL on an existing SFT run

    from routerforge.data.generate import generate_rows
    from routerforge.models.loading import load_model
    from routerforge.models.prompts import model_rows, system_prompt
    from routerforge.train.callbacks import LogCallback, RichProgressCallback
    from routerforge.models.build import make_trainable, use_bf16
    from routerforge.train.common import last_checkpoint, set_seed
    from routerforge.train.sft import build_sft_trainer, sft_examples
    from routerforge.io import partial_dir

    # Same rows, same order, same seed as process 0 (pipeline.run_pipeline + sft.train_sft): the
    # DistributedSampler then hands each process its own shard of every batch.
    if args.init:  # the pipeline trains on the init run's data then
        from routerforge.io import read_jsonl

        rows = read_jsonl(Path(args.init) / "data" / "train.jsonl")
    else:
        rows = generate_rows(cfg.data)["train"]
    examples = sft_examples(model_rows(rows, cfg.read_numbers), system_prompt(style=cfg.prompt_style))
    out = Path(args.out)
    sft_dir = partial_dir(out) / "sft"  # process 0's SFT dir: shared checkpoints
    set_seed(cfg.seed)
    wait_for_model_cache(cfg.model)
    model, tok = load_model(cfg.model)
    s = cfg.sft
    model = make_trainable(model, s)  # the same model process 0 builds, lora_layers included
    trainer = build_sft_trainer(s, model, tok, examples, sft_dir, seed=cfg.seed, bf16=use_bf16(s.bf16))
    trainer.remove_callback(LogCallback)  # process 0 writes train_log.jsonl
    trainer.remove_callback(RichProgressCallback)  # and shows the progress
    ckpt = last_checkpoint(sft_dir) if args.resume else None
    trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)
    return 0


def close_process_group() -> None:
    """Destroy the process group TRL/accelerate started, once this process needs it no more. A process
    that exits with it alive can die in interpreter teardown (Gloo's worker threads still hold work
    objects: "terminate called without an active exception", SIGABRT), and torchrun then fails the
    whole launch; seen once in CI on a rank that had finished SFT. Only on a normal return: destroying
    it while another rank is stuck in a collective could hang."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if world_size() > 1 and "-h" not in argv and "--help" not in argv:
        problem = distributed_problem(argv)
        if problem:
            if process_rank() == 0:
                print(f"error: {problem}", file=sys.stderr)
            return 2
        if process_rank() > 0:
            code = assist_sft(argv)
            close_process_group()
            return code
    from routerforge.cli import main as cli_main

    code = cli_main(["train", *argv])
    if world_size() > 1:
        close_process_group()
    return code


if __name__ == "__main__":
    sys.exit(main())
