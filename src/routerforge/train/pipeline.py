"""One command, one run directory: data -> SFT -> RL -> eval, top to bottom.

    routerforge train --config configs/router.yaml --out runs/NAME

The run is built in a hidden sibling `.NAME.partial/` and renamed into place only when complete, so
a killed run never leaves a directory that looks finished (`routerforge.rundir.RunDir`): an existing
run is replaced only with `force`; an interrupted one is continued from its last SFT checkpoint with
`resume`, started over with `force`, and otherwise refused.

Run layout: config.yaml (resolved), run.json, data/ (+ manifest.json with hashes), sft/, rl/,
adapter/ (PEFT), merged/ (with merge), train_log.jsonl, eval/ (metrics.json, report.md, PNGs), COMPLETE.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

from rich.console import Console

from routerforge.configtools import to_dict
from routerforge.evaluate.benchmarks import load_rows
from routerforge.io import atomic_write_json, read_jsonl
from routerforge.models.build import load_policy
from routerforge.models.prompts import model_rows, system_prompt
from routerforge.rundir import RunDir
from routerforge.train.config import PipelineConfig


def file_manifest(directory: Path) -> dict:
    return {p.name: {"sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
            for p in sorted(directory.glob("*.jsonl"))}


def run_pipeline(cfg: PipelineConfig, out: str | Path, *, force: bool = False, resume: bool = False,
                 merge: bool = False, stages: tuple[str, ...] = ("sft", "rl"), init_run: str | Path | None = None,
                 console: Console | None = None, routes=None, traffic: dict | None = None) -> dict:
    """`routes` (an active `experts.routes.RoutesFile`) and `traffic` (route -> labelled queries) are
    stored in run.json, so every command that opens the run decides over the same routes."""
    from routerforge.data.generate import generate_dataset
    from routerforge.train.rl import train_rl
    from routerforge.train.sft import sft_examples, train_sft

    console = console or Console()
    out = Path(out)
    run = RunDir(out, force=force, resume=resume)  # refuses an existing or interrupted run without a flag
    work = run.work
    system = system_prompt(style=cfg.prompt_style)
    run.write_config(to_dict(cfg))

    # 1. Data: deterministic synthetic splits, every target verified by execution (or the init run's data).
    with run.stage("data"):
        data_dir = work / "data"
        if init_run is not None:
            if not data_dir.exists():
                shutil.copytree(Path(init_run) / "data", data_dir)
        elif not (data_dir / "COMPLETE").exists():
            console.rule("data")
            generate_dataset(cfg.data, data_dir, force=True)
        atomic_write_json(data_dir / "manifest.json", file_manifest(data_dir))
        train_rows = read_jsonl(data_dir / "train.jsonl")
        train_rows = model_rows(train_rows, cfg.read_numbers)  # what the model reads (read_numbers)
        eval_rows = load_rows(data_dir / f"{cfg.eval.split}.jsonl")  # with answer/zone truth columns
        console.print(f"data: {len(train_rows)} train rows, {len(eval_rows)} {cfg.eval.split} rows")

    # 2. SFT: LoRA (or last-N unfreeze) on the native chat template, loss on the decision only.
    with run.stage("sft"):
        if "sft" in stages:
            console.rule("SFT")
            weights = train_sft(cfg.sft, model_ref=cfg.model, examples=sft_examples(train_rows, system),
                                out_dir=work / "sft", seed=cfg.seed, console=console, resume=resume)
        else:
            weights = Path(init_run) / "adapter"

    # 3. RL: sampled decisions, rewarded by executing them with the experts.
    with run.stage("rl"):
        if "rl" in stages and cfg.rl.iterations > 0:
            console.rule("RL")
            if cfg.rl.algorithm == "grpo":
                from routerforge.train.grpo import train_grpo

                weights = train_grpo(cfg.rl, model_ref=cfg.model, sft=cfg.sft, init_weights=weights,
                                     rows=train_rows, system=system, out_dir=work / "rl", seed=cfg.seed,
                                     console=console)
            else:
                policy, tok = load_policy(cfg.model, cfg.sft, weights)
                weights = train_rl(cfg.rl, model=policy, tokenizer=tok, rows=train_rows, system=system,
                                   out_dir=work / "rl", seed=cfg.seed, console=console)

    # 4. Package: the adapter (PEFT format), optionally a merged model, and run.json.
    adapter = work / "adapter"
    if adapter.exists():
        shutil.rmtree(adapter)
    shutil.copytree(weights, adapter)
    info = {"model": cfg.model, "method": cfg.sft.method, "adapter": "adapter", "prompt_style": cfg.prompt_style,
            "system": system, "read_numbers": cfg.read_numbers, "seed": cfg.seed,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if routes is not None:
        info.update(routes=routes.model_dump(mode="json"), route_traffic=traffic or {})
    atomic_write_json(work / "run.json", info)
    if merge:
        save_merged(cfg.model, cfg.sft.method, adapter, work / "merged")

    # 5. Calibrate (optional): temperature + abstention threshold on the val split, so the evaluation
    #    below scores the router exactly as `Router.from_run` serves it.
    with run.stage("calibrate"):
        if cfg.eval.calibrate_precision is not None and (work / "data" / "val.jsonl").is_file():
            from routerforge.train.calibrate import calibrate_run

            console.rule("calibration (val split)")
            cal = calibrate_run(work, split="val", target_precision=cfg.eval.calibrate_precision, use_probe=False,
                                require_complete=False)["generated"]
            console.print(f"temperature {cal['temperature']:.2f}, abstain below "
                          f"{'-' if cal['abstain_below'] is None else format(cal['abstain_below'], '.3f')}, "
                          f"val coverage {cal['coverage']:.3f}")

    # 6. Evaluate on the held-out split with the fast runtime, like a user would route.
    with run.stage("eval"):
        console.rule(f"eval ({cfg.eval.split} split)")
        metrics = evaluate_run(work, eval_rows, batch_size=cfg.eval.batch_size, console=console, title=out.name)
        gate_failures: list[str] = []
        if cfg.eval.gate:
            from routerforge.evaluate.gates import check_gate

            gate_failures = check_gate({"trained": metrics}, cfg.eval.gate)
            atomic_write_json(work / "eval" / "gate.json", {"gate": cfg.eval.gate, "failures": gate_failures})

    # 7. Publish atomically: timings, COMPLETE last, then swap into place.
    run.publish()
    return {"out": str(out), "metrics": metrics, "timings": run.timings, "gate_failures": gate_failures}


def save_merged(model_ref: str, method: str, adapter: Path, out: Path) -> None:
    from routerforge.models.loading import load_model

    if method != "lora":
        shutil.copytree(adapter, out)
        return
    from peft import PeftModel

    base, tok = load_model(model_ref)
    PeftModel.from_pretrained(base, str(adapter)).merge_and_unload().save_pretrained(out)
    tok.save_pretrained(out)


def evaluate_run(run_dir: Path, rows: list[dict], *, batch_size: int = 16, console: Console | None = None,
                 title: str | None = None) -> dict:
    """Route `rows` with the run's router and write eval/ (metrics.json, report.md, PNGs)."""
    from routerforge.evaluate.harness import evaluate_routers
    from routerforge.evaluate.report import print_summary, write_report
    from routerforge.routers.generated import Router

    router = Router.from_run(run_dir, require_complete=False)
    results = evaluate_routers(rows, {"trained": router}, batch_size=batch_size)
    write_report(results, run_dir / "eval", title=f"{title or run_dir.name}: held-out evaluation", force=True)
    print_summary(results, console=console)
    return results["routers"]["trained"]


def read_metrics(run_dir: str | Path) -> dict:
    return json.loads((Path(run_dir) / "eval" / "metrics.json").read_text())
