"""routerforge: build small language-model routers that emit `expert: spec -> result` decisions
or JSON route plans, train them (LoRA SFT + verified RL), evaluate them honestly, and serve them."""

__version__ = "0.1.0"
