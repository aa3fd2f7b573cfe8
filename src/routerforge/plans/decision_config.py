"""Settings of the decision plan router (`router: decision` in a plan config, section `decision:`).

Kept apart from `plans.recipe` (which holds the plan config as a whole) so the recipe can name this
section without importing the decision router's modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from routerforge.errors import ConfigError

ROUTE_MODES = ("clauses", "query", "both")


@dataclass
class PlanDecisionConfig:
    layers: list[int] = field(default_factory=lambda: [14])  # candidate hidden_states indices; val picks one
    C: float = 0.05  # inverse L2 strength of every head (logistic regression)
    route_from: str = "clauses"  # clauses: roles found in the query's clauses; query: whole-query heads; both: mean
    val_examples: int = 400  # held-out phrasings: layer choice and temperatures
    test_examples: int = 400  # held-out phrasings and themes: the synthetic test split (>= 300)
    encode_batch: int = 16  # queries per prefill while encoding the training data
    dtype: str = "auto"  # auto: bfloat16 where the CPU has native bf16, else float32

    def __post_init__(self) -> None:
        if not self.layers or any(not isinstance(x, int) or isinstance(x, bool) or x < 1 for x in self.layers):
            raise ConfigError("decision.layers must be a non-empty list of positive layer indices")
        if self.route_from not in ROUTE_MODES:
            raise ConfigError(f"decision.route_from must be one of {', '.join(ROUTE_MODES)}")
        if not self.C > 0 or self.val_examples < 1 or self.test_examples < 0 or self.encode_batch < 1:
            raise ConfigError("decision.C must be > 0, val_examples >= 1, test_examples >= 0, encode_batch >= 1")
        if self.dtype not in ("auto", "float32", "bfloat16"):
            raise ConfigError("decision.dtype must be auto, float32 or bfloat16")
