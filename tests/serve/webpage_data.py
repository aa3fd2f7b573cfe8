"""A small served run for the web-page tests: eval/ written by the real harness and report writer
(`evaluate_routers` + `write_report`, the rules router on a dozen rows, so confusion and accuracy-vs-latency
PNGs and predictions/rules.jsonl exist), files the page must never serve, and a sweep logbook beside it."""

from __future__ import annotations

import json
from pathlib import Path

from routerforge.evaluate.benchmarks import normalise_row
from routerforge.evaluate.harness import evaluate_routers
from routerforge.evaluate.report import write_report
from routerforge.routers.rules import RulesRouter

ROWS = [  # the rules router gets most right; the last three it routes wrong (Italian math, "apart", Paris)
    {"query": "What is 256 * 4?", "expert_class": "math", "answer": "1024"},
    {"query": "What is 12 + 30?", "expert_class": "math", "answer": "42"},
    {"query": "what is 7 times 6", "expert_class": "math", "answer": "42"},
    {"query": "What time is it in Tokyo?", "expert_class": "time", "zone": "Asia/Tokyo"},
    {"query": "what's the time in London", "expert_class": "time", "zone": "Europe/London"},
    {"query": "Tell me a joke", "expert_class": "chat"},
    {"query": "hello there, how are you?", "expert_class": "chat"},
    {"query": "Write a haiku about autumn", "expert_class": "chat"},
    {"query": "Janet has 16 eggs. She eats 3 and bakes with 4. How many eggs are left?",
     "expert_class": "word_problem", "answer": "9"},
    {"query": "Qual è la media di 20, 860 e 995?", "expert_class": "math", "answer": "625"},
    {"query": "How far apart are the numbers 985 and 152.17?", "expert_class": "math", "answer": "832.83"},
    {"query": "Is it morning in Paris right now?", "expert_class": "time", "zone": "Europe/Paris"},
]

TRIALS = [
    {"trial": 0, "status": "ok", "params": {"lr": 0.0002, "epochs": 1.5}, "metrics": {"expert_accuracy": 0.97, "answer_accuracy": 0.61}},
    {"trial": 1, "status": "ok", "params": {"lr": 0.0004, "epochs": 1.5}, "metrics": {"expert_accuracy": 0.99, "answer_accuracy": 0.68}},
    {"trial": 2, "status": "failed", "params": {"lr": 0.0008, "epochs": 2}, "metrics": {}, "error": "diverged"},
]


def make_run(base: Path) -> Path:
    """base/sweep/trial-1 (the run, with eval/), base/sweep/logbook.{jsonl,md}, base/secret.txt."""
    run = base / "sweep" / "trial-1"
    run.mkdir(parents=True)
    rows = [normalise_row(r) for r in ROWS]
    results = evaluate_routers(rows, {"rules": RulesRouter()}, progress=False)
    results["meta"] = {"source": "tiny held-out sample", "run": str(run), "routers": ["rules"]}
    write_report(results, run / "eval", title="tiny: held-out evaluation")
    (run / "run.json").write_text(json.dumps({"model": "tiny", "method": "lora", "system": "secret prompt"}))
    (run / "config.yaml").write_text("secret: true\n")
    (run / "data").mkdir()
    (run / "data" / "train.jsonl").write_text('{"query": "secret"}\n')
    (base / "secret.txt").write_text("outside the run\n")
    sweep = run.parent
    (sweep / "logbook.jsonl").write_text("\n".join(json.dumps(t) for t in TRIALS) + "\nnot json\n")
    (sweep / "logbook.md").write_text("# Sweep logbook\n\n| trial | lr | expert acc |\n|---|---:|---:|\n"
                                      "| 0 | 0.0002 | 97.0% |\n| 1 | 0.0004 | 99.0% |\n")
    return run
