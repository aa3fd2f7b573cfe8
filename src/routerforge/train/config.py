"""Training configuration: one dataclass per stage, one `PipelineConfig` for a whole run.

YAML gives defaults (`configs/*.yaml`), CLI flags win, unknown keys are errors, and each
`__post_init__` rejects values that cannot work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from routerforge.errors import ConfigError

from routerforge.models.loading import DEFAULT_MODEL

ALL_PROJ = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class SFTConfig:
    method: str = "lora"  # "lora" (PEFT adapter) or "unfreeze" (full weights of the last N layers + head)
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: list(ALL_PROJ))
    lora_layers: int | None = None  # LoRA on the last N decoder layers only (None = all); backprop stops there
    unfreeze_last: int = 6  # layers trained by method=unfreeze (the original experiment's setting)
    unfreeze_head: bool = True  # method=unfreeze also trains the LM head (tied to the embeddings: no cache_frozen)
    epochs: float = 1.0
    batch_size: int = 8
    grad_accum: int = 1
    lr: float = 2e-4
    weight_decay: float = 0.0  # AdamW's decoupled weight decay on the trained weights (the sweeps try 0.05)
    warmup_ratio: float = 0.05
    max_length: int = 384  # tokens per chat; longer rows are truncated (from the left of the prompt never)
    bf16: str = "auto"  # "auto" (bf16 autocast when the CPU/GPU supports it), "yes", "no"
    completion_logits_only: bool = True  # LM head + loss only at completion positions (CPU: the 49k-vocab head
    #   at every prompt position was most of a step); False = TRL's own loss over every position
    group_by_length: bool = True  # batches of rows of similar length (less padding)
    cache_frozen: bool = False  # run the frozen lower layers once per row and train the rest on their saved
    #   output every epoch (needs lora_layers or method unfreeze; train/sft_cached.py; single process)
    save_steps: int = 25  # checkpoint every N optimizer steps (resume picks the last one)
    max_steps: int = -1  # >0 caps the optimizer steps (tests, smoke runs)

    def __post_init__(self) -> None:
        if self.method not in ("lora", "unfreeze"):
            raise ConfigError(f"sft.method must be 'lora' or 'unfreeze', got {self.method!r}")
        if self.lora_r <= 0 or self.lora_alpha <= 0:
            raise ConfigError("sft.lora_r and sft.lora_alpha must be positive")
        if self.lora_layers is not None and self.lora_layers <= 0:
            raise ConfigError("sft.lora_layers must be a positive number of layers (or null for all)")
        if not 0 <= self.lora_dropout < 1:
            raise ConfigError("sft.lora_dropout must be in [0, 1)")
        if self.epochs <= 0 or self.batch_size <= 0 or self.grad_accum <= 0 or self.lr <= 0:
            raise ConfigError("sft.epochs, batch_size, grad_accum and lr must be positive")
        if not 0 <= self.weight_decay < 1:
            raise ConfigError("sft.weight_decay must be in [0, 1)")
        if self.bf16 not in ("auto", "yes", "no"):
            raise ConfigError("sft.bf16 must be auto, yes or no")
        if self.max_length < 32:
            raise ConfigError("sft.max_length must be at least 32")


@dataclass
class RLConfig:
    algorithm: str = "reinforce"  # "reinforce" (own loop, group-mean baseline) or "grpo" (TRL GRPOTrainer)
    iterations: int = 20  # optimizer steps
    prompts_per_step: int = 2  # distinct queries per step
    samples_per_prompt: int = 4  # sampled decisions per query (the group for the baseline)
    lr: float = 1e-5
    temperature: float = 1.0
    max_new_tokens: int = 40
    kl_coef: float = 0.0  # >0 adds a KL(policy || reference) penalty; reference = adapter disabled
    rewards: list[str] = field(default_factory=lambda: ["verified"])  # names in REWARDS or dotted paths
    bf16: str = "auto"

    def __post_init__(self) -> None:
        if self.algorithm not in ("reinforce", "grpo"):
            raise ConfigError(f"rl.algorithm must be 'reinforce' or 'grpo', got {self.algorithm!r}")
        if self.iterations < 0 or self.prompts_per_step <= 0 or self.samples_per_prompt <= 0:
            raise ConfigError("rl.iterations >= 0, prompts_per_step > 0, samples_per_prompt > 0")
        if self.algorithm == "grpo" and self.samples_per_prompt < 2:
            raise ConfigError("rl.samples_per_prompt must be >= 2 for grpo")
        if self.temperature <= 0 or self.lr <= 0 or self.kl_coef < 0:
            raise ConfigError("rl.temperature and rl.lr must be positive, rl.kl_coef >= 0")
        if not self.rewards:
            raise ConfigError("rl.rewards must name at least one reward")


@dataclass
class EvalConfig:
    split: str = "test"  # which generated split the run is evaluated on
    batch_size: int = 16
    gate: str | None = None  # YAML gate file checked after evaluation (exit 1 on failure)
    # Before evaluating, fit a temperature and an abstention threshold on the val split so that the
    # routes kept reach this precision there (below it the router answers chat; routers/calibration.py).
    # None: no calibration, the router never abstains.
    calibrate_precision: float | None = None

    def __post_init__(self) -> None:
        if self.split not in ("train", "val", "test"):
            raise ConfigError("eval.split must be train, val or test")
        if self.calibrate_precision is not None and not 0 < self.calibrate_precision <= 1:
            raise ConfigError("eval.calibrate_precision must be in (0, 1] or null")


@dataclass
class PipelineConfig:
    model: str = DEFAULT_MODEL  # embedded name, local HF dir, GGUF file or hub id
    seed: int = 42
    prompt_style: str = "compact"  # system prompt: "compact" (names + short descriptions), "full" (+ examples)
    #   or "minimal" (one line of names: the cheapest rows for a router that is trained)
    read_numbers: bool = False  # spelled numbers reach the model as digits ("sixty" -> "60"), in training
    #   and when served (run.json records it); grounding and the experts still read the user's text
    data: Any = None  # routerforge.data.config.DataConfig (built from the `data:` section)
    sft: SFTConfig = field(default_factory=SFTConfig)
    rl: RLConfig = field(default_factory=RLConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    vertex: Any = None  # routerforge.train.vertex.VertexConfig: the `vertex:` section (--backend vertex)

    def __post_init__(self) -> None:
        from routerforge.data.config import DataConfig

        if self.data is None:
            self.data = DataConfig()
        elif isinstance(self.data, dict):
            self.data = DataConfig.from_dict(self.data)
        if not isinstance(self.seed, int):
            raise ConfigError("seed must be an integer")
        if self.prompt_style not in ("compact", "full", "minimal"):
            raise ConfigError(f"prompt_style must be compact, full or minimal, got {self.prompt_style!r}")
        if self.vertex is not None:
            from routerforge.train.vertex import VertexConfig

            self.vertex = VertexConfig.resolve(self.vertex)
