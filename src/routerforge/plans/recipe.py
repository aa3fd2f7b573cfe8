"""The plan stage, top to bottom: synthetic plans -> SFT (LoRA) -> run dir -> benchmark evaluation.

    routerforge plan train --config configs/plan_compact.yaml --out runs/plan

1. Data: `plans.generate` (our own query themes, never benchmark rows) -> prepared prompt/completion
   rows in data/. 2. SFT with the expert router's trainer (`train_sft`): the prompt is
   `build_plan_prompt(query)` as one user turn through the model's native chat template, the
   completion is the plan JSON (compact: `route_plan`, `route_rationale`, `handoff_plan`).
   3. Package run.json (`kind: plan`) + adapter/. 4. Decode the vendored CourseGPT benchmarks with
   `plans.runtime.PlanRouter` (and the held-out synthetic test split) and score with
   `plans.metrics`; eval/<name>/ gets predictions.jsonl and the `plan eval` report files,
   eval/summary.json and eval/report.md compare them.

In compact mode gold plans are reduced to their three compact fields before scoring, so only the
fields a compact model can produce are compared (`todo_list` etc. metrics are skipped). The run is
built in `.NAME.partial/` and renamed into place after COMPLETE is written (as train/pipeline.py).

Importing this module registers the RL reward `tool_f1` (plan tool-multiset F1) in REWARDS.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from routerforge.configtools import to_dict

from routerforge.errors import ConfigError
from routerforge.plans.decision_config import PlanDecisionConfig
from routerforge.plans.metrics import tool_f1_reward
from routerforge.plans.format import DEFAULT_TOOLS, PlanParseError, extract_json, render_plan, validate_plan
from routerforge.io import atomic_write_json, atomic_write_jsonl, atomic_write_text, read_jsonl
from routerforge.models.loading import DEFAULT_MODEL
from routerforge.rundir import RunDir
from routerforge.train.config import SFTConfig
from routerforge.train.rewards import REWARDS

if "tool_f1" not in REWARDS:
    REWARDS.register("tool_f1", tool_f1_reward)

BENCHMARKS = ["deep_router_benchmark", "router_benchmark_hard"]
BENCH_DIR = "benchmarks/data/coursegpt"
QUERY_MARK = "User query:\n"
SUMMARY_KEYS = ("n", "raw_json_valid", "raw_schema_valid", "json_valid", "schema_valid", "forced", "repaired", "fallback",
                "tool_sequence_match", "tool_sequence_match_no_fallback", "tool_precision", "tool_recall", "tool_f1", "route_plan_match",
                "first_tool_match", "handoff_covers_tools", "gold_route_in_training", "decode_s")


@dataclass
class PlanEvalConfig:
    benchmarks: list[str] = field(default_factory=lambda: list(BENCHMARKS))  # file stems in benchmark_dir, or paths
    benchmark_dir: str = BENCH_DIR  # relative to the working directory, else to the source checkout
    limit: int | None = None  # score the first N rows of each benchmark (None: all)
    synthetic_test: bool = True  # also score the held-out synthetic test split (in-distribution check)
    batch_size: int = 8
    max_new_tokens: int = 300  # decoding budget per plan; a cut-off plan is repaired (and counted)
    dtype: str = "auto"  # decoding weights: auto (bfloat16 where native, else float32), float32, bfloat16
    constrained: bool = True  # decode by the plan grammar (valid by construction); false: stop, repair, fall back
    top_k: int = 32  # constrained: the most likely of the model's top-k tokens that fits the grammar is taken

    def __post_init__(self) -> None:
        if not isinstance(self.constrained, bool):
            raise ConfigError("eval.constrained must be true or false")
        if not isinstance(self.top_k, int) or self.top_k < 1:
            raise ConfigError("eval.top_k must be a positive integer")
        if self.limit is not None and (isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1):
            raise ConfigError("eval.limit must be a positive integer or null")
        if self.batch_size < 1 or self.max_new_tokens < 1:
            raise ConfigError("eval.batch_size and eval.max_new_tokens must be at least 1")
        if self.dtype not in ("auto", "float32", "bfloat16"):
            raise ConfigError("eval.dtype must be auto, float32 or bfloat16")


ROUTERS = ("generative", "decision")


@dataclass
class PlanTrainConfig:
    # generative: the LM writes the plan (SFT, below); decision: heads pick the route from one prefill and
    # the plan is grounded and composed (plans.decision_recipe, configs/plan_router.yaml)
    router: str = "generative"
    model: str = DEFAULT_MODEL  # embedded name, local HF dir, GGUF file or hub id
    seed: int = 42  # data generation, splits and training
    compact: bool = True  # train the 3-key compact plan (CPU) instead of all 10 keys (GPU)
    examples: int = 200  # generated synthetic plans (before the val/test split)
    val_ratio: float = 0.0  # plan SFT has no early stopping, so no validation rows by default
    test_ratio: float = 0.05  # held-out synthetic rows scored as `synthetic_test`
    # torch CPU threads (0: torch's default, one per core). Use 1 when other jobs share the CPU:
    # oversubscribed threads made a 135M SFT step 2.5x and a decoding step 6x or more slower here.
    threads: int = 0
    sft: SFTConfig = field(default_factory=SFTConfig)  # set sft.max_length to fit prompt + plan (checked)
    eval: PlanEvalConfig = field(default_factory=PlanEvalConfig)
    decision: PlanDecisionConfig = field(default_factory=PlanDecisionConfig)  # router: decision only

    def __post_init__(self) -> None:
        if self.router not in ROUTERS:
            raise ConfigError(f"router must be one of {', '.join(ROUTERS)}, got {self.router!r}")
        if not isinstance(self.compact, bool):
            raise ConfigError("compact must be true or false")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ConfigError("seed must be an integer")
        if not isinstance(self.examples, int) or self.examples < 2:
            raise ConfigError("examples must be an integer >= 2")
        if not isinstance(self.threads, int) or self.threads < 0:
            raise ConfigError("threads must be an integer >= 0 (0: torch's default)")


def plan_sft_examples(rows: list[dict]) -> list[dict]:
    """Prepared plan rows -> TRL conversational prompt/completion examples (one user turn, no system:
    the chat template adds its own default, identically at training and decoding time)."""
    return [{"prompt": [{"role": "user", "content": r["prompt"]}],
             "completion": [{"role": "assistant", "content": r["completion"]}]} for r in rows]


def longest_example(model_ref: str, rows: list[dict]) -> int:
    """Tokens of the longest prompt + completion chat, through the chat template as TRL builds it."""
    from routerforge.models.loading import load_tokenizer

    tok = load_tokenizer(model_ref)

    def n_tokens(row: dict) -> int:
        chat = [{"role": "user", "content": row["prompt"]}, {"role": "assistant", "content": row["completion"]}]
        return len(tok(tok.apply_chat_template(chat, tokenize=False), add_special_tokens=False)["input_ids"])

    return max(map(n_tokens, rows), default=0)


def run_plan_train(cfg: PlanTrainConfig, out: str | Path, *, force: bool = False,
                   console: Console | None = None) -> dict:
    from routerforge.plans.generate import generate_plans
    from routerforge.train.sft import train_sft

    console = console or Console()
    out = Path(out)
    bench_files = [benchmark_path(cfg.eval.benchmark_dir, b) for b in cfg.eval.benchmarks]  # fail before training
    # a plan run has no resumable stage: an interrupted one is started over with --force
    run = RunDir(out, force=force, resumable=False)
    work = run.work
    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    run.write_config(to_dict(cfg))

    # 1. Data: synthetic plans only (the benchmarks are for measuring).
    with run.stage("data"):
        console.rule("plan data")
        summary = generate_plans(work / "data", examples=cfg.examples, seed=cfg.seed, compact=cfg.compact,
                                 val_ratio=cfg.val_ratio, test_ratio=cfg.test_ratio, force=True)
        train_rows = read_jsonl(work / "data" / "train.jsonl")
        console.print(f"data: {summary['splits']} ({len(summary['archetypes'])} route archetypes)")
        longest = longest_example(cfg.model, train_rows)
        if longest > cfg.sft.max_length:  # TRL would cut the plan's end off: the model would learn broken JSON
            console.print(f"[yellow]warning:[/] the longest training example has {longest} tokens but "
                          f"sft.max_length is {cfg.sft.max_length}; its plan will be truncated")

    # 2. SFT with the expert router's trainer (LoRA or last-N unfreeze), loss on the plan only.
    with run.stage("sft"):
        console.rule("plan SFT")
        weights = train_sft(cfg.sft, model_ref=cfg.model, examples=plan_sft_examples(train_rows),
                            out_dir=work / "sft", seed=cfg.seed, console=console, resume=False)

    # 3. Package: adapter + run.json (what PlanRouter.from_run reads).
    shutil.copytree(weights, work / "adapter")
    atomic_write_json(work / "run.json", {
        "kind": "plan", "model": cfg.model, "method": cfg.sft.method, "compact": cfg.compact, "adapter": "adapter",
        "tools": list(DEFAULT_TOOLS), "max_new_tokens": cfg.eval.max_new_tokens, "seed": cfg.seed,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    # 4. Evaluate: decode each benchmark with the run's router, score, report.
    with run.stage("eval"):
        console.rule("plan eval")
        results = evaluate_plan_run(work, cfg, bench_files, train_rows, console=console)

    # 5. Publish atomically: timings, COMPLETE last, then swap into place.
    run.publish()
    return {"out": str(out), "metrics": results, "timings": run.timings}


def benchmark_path(bench_dir: str, name: str) -> Path:
    """A benchmark file stem (in bench_dir) or path. bench_dir is tried as given, then inside the shared
    benchmarks folder (`evaluate.benchmarks.benchmarks_dir()`: `$ROUTERFORGE_BENCHMARKS` or the
    checkout's benchmarks/data), the same place the expert router's benchmarks come from."""
    from routerforge.evaluate.benchmarks import benchmarks_dir

    if name.endswith(".jsonl"):
        candidates = [Path(name)]
    else:
        rel = Path(bench_dir) / f"{name}.jsonl"
        shared = benchmarks_dir()
        candidates = [rel, shared / rel.relative_to("benchmarks/data") if rel.is_relative_to("benchmarks/data")
                      else shared / rel, shared.parents[1] / rel]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"benchmark {name!r} not found (looked for {candidates[0]})")


def load_benchmark(path: Path, *, limit: int | None = None, compact: bool = True) -> tuple[list[str], list[str], list[list[str]], list]:
    """(queries, gold completions, categories, indices). The query is the text after `User query:`;
    in compact mode the gold plan is reduced to its compact fields."""
    queries, golds, cats, idx = [], [], [], []
    for i, row in enumerate(read_jsonl(path)):
        if limit is not None and len(queries) >= limit:
            break
        prompt, gold = row.get("prompt"), row.get("completion")
        if not isinstance(prompt, str) or QUERY_MARK not in prompt or not isinstance(gold, str):
            raise ConfigError(f"{path}: row {i + 1} has no prompt with {QUERY_MARK.strip()!r} or no completion")
        if compact:
            try:
                gold = render_plan(validate_plan(json.loads(extract_json(gold)), compact=True))
            except (PlanParseError, ValueError):
                pass  # an unparseable gold row is scored as it is (and counts against nobody's validity)
        queries.append(prompt.split(QUERY_MARK, 1)[1].strip())
        golds.append(gold)
        c = row.get("categories") or []
        cats.append([str(x) for x in c] if isinstance(c, list) else [str(c)])
        idx.append(row.get("index", i))
    return queries, golds, cats, idx


def add_columns(result: dict, columns: dict[str, list[float]], categories: list[list[str]]) -> None:
    """Add per-row columns (decoding outcomes) to an evaluate_plans result: overall, per category, per row."""
    from routerforge.plans.metrics import _mean

    for name, values in columns.items():
        result["overall"][name] = _mean(values)
        for i, row in enumerate(result["per_row"]):
            row[name] = values[i]
        for cat, scores in result["per_category"].items():
            result["per_category"][cat][name] = _mean([values[i] for i, cs in enumerate(categories) if cat in cs])


def score_outputs(outputs, golds: list[str], cats: list[list[str]], *, compact: bool, train_routes: set) -> dict:
    """plan_metrics on the final plans, plus the decoding outcome rates and whether the gold route
    (tool sequence) occurs in the training data at all (a ceiling on tool_sequence_match)."""
    from routerforge.plans.metrics import _tools, evaluate_plans
    from routerforge.plans.format import parse_plan

    result = evaluate_plans([o.text for o in outputs], golds, cats, compact=compact)

    def schema_ok(text: str) -> float:
        try:
            parse_plan(text, compact=compact)
            return 1.0
        except PlanParseError:
            return 0.0

    add_columns(result, {
        "raw_json_valid": [float(o.raw_json_valid) for o in outputs],
        "raw_schema_valid": [schema_ok(o.raw) for o in outputs],
        "forced": [float(o.forced > 0) for o in outputs],
        "repaired": [float(o.outcome == "repaired") for o in outputs],
        "fallback": [float(o.outcome == "fallback") for o in outputs],
        "gold_route_in_training": [float(tuple(_tools(g)) in train_routes) for g in golds],
        # a fallback step can match by luck (the default tool): this version counts only model routes
        "tool_sequence_match_no_fallback": [r["tool_sequence_match"] * float(o.outcome != "fallback")
                                            for r, o in zip(result["per_row"], outputs)],
    }, cats)
    return result


def evaluate_plan_run(run_dir: Path, cfg: PlanTrainConfig, bench_files: list[Path], train_rows: list[dict],
                      *, console: Console | None = None, out_dir: Path | None = None,
                      require_complete: bool = False) -> dict:
    """Decode and score each benchmark (and the synthetic test split) with the run's plan router;
    reports go to `out_dir` (default RUN/eval): one directory per set, summary.json and report.md."""
    from routerforge.plans.report import write_report
    from routerforge.plans.runtime import PlanRouter

    console = console or Console()
    router = PlanRouter.from_run(run_dir, require_complete=require_complete, batch_size=cfg.eval.batch_size,
                                 max_new_tokens=cfg.eval.max_new_tokens, dtype=cfg.eval.dtype,
                                 constrained=cfg.eval.constrained, top_k=cfg.eval.top_k)
    eval_dir = Path(out_dir) if out_dir is not None else run_dir / "eval"
    train_routes = {tuple(r["tools"]) for r in train_rows}
    sets = [(p.stem, *load_benchmark(p, limit=cfg.eval.limit, compact=cfg.compact)) for p in bench_files]
    if cfg.eval.synthetic_test:
        rows = read_jsonl(run_dir / "data" / "test.jsonl")[: cfg.eval.limit]
        if rows:
            queries = [r["prompt"].split(QUERY_MARK, 1)[1].strip() for r in rows]
            sets.append(("synthetic_test", queries, [r["completion"] for r in rows],
                         [r["categories"] for r in rows], [r["id"] for r in rows]))
    summary = {}
    for name, queries, golds, cats, idx in sets:
        t = time.time()
        outputs = []
        for i in range(0, len(queries), cfg.eval.batch_size):
            outputs += router.plan_batch(queries[i : i + cfg.eval.batch_size])
            console.print(f"{name}: decoded {len(outputs)}/{len(queries)} in {time.time() - t:.0f} s")
        decode_s = time.time() - t
        result = score_outputs(outputs, golds, cats, compact=cfg.compact, train_routes=train_routes)
        out = eval_dir / name
        pred = atomic_write_jsonl(out / "predictions.jsonl", [{"index": i, **o.to_row()} for i, o in zip(idx, outputs)])
        write_report(result, str(out), failures=[], pred=str(pred), gold=name)
        summary[name] = {"n": result["n"], **{k: result["overall"][k] for k in SUMMARY_KEYS if k in result["overall"]},
                         "decode_s": round(decode_s, 1)}
    atomic_write_json(eval_dir / "summary.json", {"compact": cfg.compact, "dtype": router.dtype,
                                                  "constrained": cfg.eval.constrained, "benchmarks": summary})
    atomic_write_text(eval_dir / "report.md", summary_markdown(summary, cfg, router.dtype))
    print_summary(summary, console)
    return summary


def summary_markdown(summary: dict, cfg: PlanTrainConfig, router_dtype: str = "") -> str:
    names = list(summary)
    lines = ["# Plan router evaluation", "",
             f"- model `{cfg.model}`, {cfg.sft.method}, {'compact (route_plan, route_rationale, handoff_plan)' if cfg.compact else 'full 10-key'} plans, "
             f"{cfg.examples} synthetic training plans (no benchmark rows)",
             f"- rows per benchmark: {cfg.eval.limit or 'all'}; greedy decoding ({router_dtype}), max_new_tokens {cfg.eval.max_new_tokens}, "
             + (f"constrained by the plan grammar (top-{cfg.eval.top_k})" if cfg.eval.constrained
                else "unconstrained (stop at the closing brace, repair, fall back)"), "",
             "| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key in SUMMARY_KEYS:
        vals = [summary[n].get(key) for n in names]
        lines.append(f"| {key} | " + " | ".join("n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
                                                 for v in vals) + " |")
    lines += ["", "How to read it:", "",
              "- `raw_json_valid` / `raw_schema_valid` score the decoded text; `json_valid` / `schema_valid` "
              "are after deterministic repair and fallback (always 1.0 by construction); `repaired` and "
              "`fallback` are the shares of rows that needed each step. Under constrained decoding the "
              "decoded text is valid by construction; `forced` is the share of rows where the grammar had "
              "to write text itself (none of the model's top-k tokens fitted, or the token budget ran out).",
              "- Tool metrics compare the tool sequence of `route_plan` only; `route_plan_match` needs the "
              "step strings (tool arguments included) to be identical, which a model trained on synthetic "
              "queries is not expected to reproduce.",
              "- `gold_route_in_training`: share of gold rows whose tool sequence occurs in the synthetic "
              "training data; `tool_sequence_match` can hardly exceed it.",
              ("- Compact model: gold plans are reduced to route_plan, route_rationale and handoff_plan; the other "
               "seven fields are neither predicted nor scored." if cfg.compact else "- Full 10-key plans."), ""]
    return "\n".join(lines)


def print_summary(summary: dict, console: Console) -> None:
    from rich.table import Table

    table = Table(title="plan router")
    table.add_column("metric")
    for n in summary:
        table.add_column(f"{n} (n={summary[n]['n']})", justify="right")
    for key in SUMMARY_KEYS[1:]:
        table.add_row(key, *[f"{summary[n][key]:.3f}" if isinstance(summary[n].get(key), float) else str(summary[n].get(key))
                             for n in summary])
    console.print(table)
