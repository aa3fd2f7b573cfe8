"""RL through TRL's GRPOTrainer (`rl.algorithm: grpo`), with the same verified rewards as rl.py.

The SFT adapter is re-opened trainable and handed to GRPOTrainer; each step samples
`samples_per_prompt` completions for `prompts_per_step` queries (SFT taught the model to end its turn
right after `->`, so no stop string is needed), scores them with the
reward registry (TRL's reward signature: the dataset's `expert`/`spec` columns arrive as kwargs),
and takes one group-normalised policy-gradient step. `kl_coef` maps to GRPO's `beta`.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from routerforge.models.prompts import router_messages
from routerforge.models.build import load_policy, use_bf16
from routerforge.train.common import AutocastLoss, JsonlLog, set_seed
from routerforge.train.config import RLConfig, SFTConfig
from routerforge.train.rewards import REWARDS


def train_grpo(cfg: RLConfig, *, model_ref: str, sft: SFTConfig, init_weights: Path, rows: list[dict], system: str,
               out_dir: Path, seed: int = 42, console: Console | None = None) -> Path:
    import datasets
    import torch
    from transformers import PrinterCallback
    from trl import GRPOConfig

    from routerforge.train.callbacks import LogCallback, RichProgressCallback

    console = console or Console()
    out_dir = Path(out_dir)
    set_seed(seed)

    # 1. The policy (SFT result, trainable) and prompts in the native chat template.
    policy, tok = load_policy(model_ref, sft, init_weights)
    dataset = datasets.Dataset.from_list(
        [{"prompt": router_messages(r["query"], system=system), "expert": r["expert"], "spec": r["spec"]} for r in rows]
    ).shuffle(seed=seed)

    # 2. GRPO: one generation batch = prompts_per_step x samples_per_prompt completions per step.
    n = cfg.prompts_per_step * cfg.samples_per_prompt
    args = GRPOConfig(
        output_dir=str(out_dir), max_steps=cfg.iterations, learning_rate=cfg.lr, beta=cfg.kl_coef,
        num_generations=cfg.samples_per_prompt, per_device_train_batch_size=n, generation_batch_size=n,
        max_completion_length=cfg.max_new_tokens, temperature=cfg.temperature,
        logging_steps=1, save_strategy="no", report_to="none",
        seed=seed, bf16=False, fp16=False, use_cpu=not torch.cuda.is_available(), gradient_checkpointing=False,
        disable_tqdm=True, dataloader_num_workers=0,
    )
    reward_funcs = [REWARDS.resolve(name) for name in cfg.rewards]
    trainer = _AutocastGRPOTrainer(model=policy, reward_funcs=reward_funcs, args=args, train_dataset=dataset,
                                   processing_class=tok,
                                   callbacks=[LogCallback(JsonlLog(out_dir.parent / "train_log.jsonl", "rl")),
                                              RichProgressCallback("RL (GRPO)", console)])
    trainer.use_bf16_autocast = use_bf16(cfg.bf16)
    trainer.remove_callback(PrinterCallback)

    # 3. Train and save the adapter.
    trainer.train()
    final = out_dir / "final"
    trainer.model.save_pretrained(final)
    tok.save_pretrained(final)
    return final


def _base():
    from trl import GRPOTrainer

    return GRPOTrainer


class _AutocastGRPOTrainer(AutocastLoss, _base()):
    """TRL's GRPOTrainer with bf16 autocast around the loss."""
