"""Synthetic router data: templates per expert, surface variations, targets verified by execution.

    from routerforge.data import DataConfig, generate_dataset
    stats = generate_dataset(DataConfig(examples=500, seed=1), "runs/data")

`generate_rows(config)` returns the rows in memory ({"train": [...], "val": [...], "test": [...]});
the CLI is `routerforge data generate|show`.
"""

from routerforge.data.config import DataConfig, class_experts
from routerforge.data.generate import (
    DataGenerationError,
    generate_dataset,
    generate_rows,
    generate_with_stats,
    normalize_query,
    plan_counts,
)

__all__ = [
    "DataConfig", "class_experts", "DataGenerationError", "generate_dataset", "generate_rows",
    "generate_with_stats", "normalize_query", "plan_counts",
]
