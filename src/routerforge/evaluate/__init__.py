"""Evaluation: compare routers (trained, few-shot, rules, embedding, users' own) on benchmarks.

Public API (imported lazily so `import routerforge.evaluate` stays cheap):

- `evaluate_routers(rows, routers, *, progress=True) -> dict` (harness.py)
- `load_benchmark(name, run=None) -> list[dict]`, `load_rows(path)` (benchmarks.py)
- `write_report(results, out_dir, title=..., force=False)`, `print_summary(results)` (report.py)
- `check_gate(metrics, gate_path_or_dict) -> list[str]` (gates.py)

Routers are built by `routerforge.routers.registry.build_routers`. Metrics are pure functions in
metrics.py; route-plan metrics live in `routerforge.plans.metrics`.
"""

from __future__ import annotations

import importlib

_API = {
    "evaluate_routers": "harness", "run_router": "harness",
    "load_benchmark": "benchmarks", "load_rows": "benchmarks", "benchmark_names": "benchmarks",
    "benchmarks_dir": "benchmarks", "normalise_row": "benchmarks",
    "write_report": "report", "print_summary": "report",
    "check_gate": "gates", "load_gate": "gates",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(f"routerforge.evaluate.{_API[name]}"), name)
    raise AttributeError(f"module 'routerforge.evaluate' has no attribute {name!r}")
