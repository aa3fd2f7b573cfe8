"""Training: LoRA/unfreeze SFT (sft.py), RL with verified rewards (rl.py, rewards.py), and the
one-command pipeline data -> SFT -> RL -> eval (pipeline.py). Shared mechanics in common.py."""
