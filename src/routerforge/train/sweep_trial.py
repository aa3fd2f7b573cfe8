"""One sweep trial, start to finish: its data, a normal pipeline run, and its logbook record.

The same function runs a trial in the sweep's own process (`--backend local`) and inside a Ray Tune
worker (`--backend ray`), so both backends write the same run directories and the same records.

Data. Trials that share a data config share one generated dataset, made once by the sweep driver in
`OUT/data/<hash>/data/` and sliced there (`limit` training rows, `eval_rows` val and eval rows, seeded
samples in file order); each trial's pipeline copies it in as its `init_run` data (`run_pipeline` copies
an init run's data/ instead of generating), so training is `run_pipeline`'s, unchanged.

Record: {"trial", "params", "status", "metrics", "wall_s", "run"} (+ "error", "stopped_at_step"). Status
`ok`, `stopped_format_drift` (train/drift.py) or `failed` (the trial raised; its traceback is in
`OUT/trial-NNN.error.txt`, and the sweep goes on).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console

from routerforge.configtools import from_dict, to_dict
from routerforge.io import atomic_write_jsonl, atomic_write_text, is_complete, mark_complete, partial_dir, read_jsonl
from routerforge.train.config import PipelineConfig

METRIC_KEYS = ("train_loss", "val_loss", "val_format_validity", "expert_accuracy", "answer_accuracy")


@dataclass
class TrialSpec:
    """Everything a worker needs to run one trial (plain values: it travels to Ray workers)."""

    trial: int
    params: dict
    config: dict  # the trial's resolved pipeline config (to_dict of PipelineConfig)
    out: str  # the sweep directory
    data: str  # the init run whose data/ the trial trains on (prepare_data)
    drift: dict  # DriftConfig fields
    threads: int | None = None  # torch threads (Ray: the trial's CPUs)

    @property
    def run_dir(self) -> Path:
        return Path(self.out) / trial_name(self.trial)


def trial_name(trial: int) -> str:
    return f"trial-{trial:03d}"


# ---- data ------------------------------------------------------------------------------------------
def prepare_data(out: Path, cfg: PipelineConfig, *, limit: int | None, eval_rows: int | None,
                 console: Console | None = None) -> Path:
    """The sweep's dataset for `cfg.data`, sliced; returns the init-run directory that holds `data/`.
    Built beside its place and renamed, so a killed sweep never leaves half a dataset."""
    from routerforge.data.generate import generate_dataset

    key = json.dumps({"data": to_dict(cfg.data), "limit": limit, "eval_rows": eval_rows, "split": cfg.eval.split},
                     sort_keys=True, default=str)
    home = Path(out) / "data" / hashlib.sha256(key.encode()).hexdigest()[:12]
    if is_complete(home / "data"):
        return home
    work = partial_dir(home)
    shutil.rmtree(work, ignore_errors=True)
    (console or Console()).print(f"sweep data: generating {cfg.data.examples} examples -> {home}")
    generate_dataset(cfg.data, work / "data", force=True)
    seed = cfg.data.seed
    for split, n in (("train", limit), ("val", eval_rows), (cfg.eval.split, eval_rows)):
        path = work / "data" / f"{split}.jsonl"
        rows = read_jsonl(path)
        if n is not None and n < len(rows):
            keep = sorted(random.Random(f"routerforge-sweep-slice:{seed}:{split}").sample(range(len(rows)), n))
            atomic_write_jsonl(path, [rows[i] for i in keep])
    atomic_write_text(work / "slice.json", key + "\n")
    mark_complete(work / "data")
    if home.exists():
        shutil.rmtree(home)
    work.rename(home)
    return home


# ---- one trial -------------------------------------------------------------------------------------
def run_trial(spec: TrialSpec, console: Console | None = None) -> dict:
    """Run (or finish, or read back) one trial and return its logbook record; never raises for the trial's
    own failure."""
    from routerforge.models.prompts import model_rows, system_prompt
    from routerforge.train.callbacks import step_hooks
    from routerforge.train.drift import FormatDrift, FormatDriftMonitor
    from routerforge.train.pipeline import read_metrics, run_pipeline

    console = console or Console()
    if spec.threads:
        import torch

        torch.set_num_threads(spec.threads)
    t0 = time.time()
    run_dir = spec.run_dir
    record = {"trial": spec.trial, "params": spec.params, "status": "failed", "metrics": {k: None for k in METRIC_KEYS},
              "wall_s": None, "run": run_dir.name}
    probe_log = run_dir / "format_probe.jsonl"
    if is_complete(run_dir):  # trained and published, but the sweep died before logging it
        record.update(status="ok", metrics=_metrics(run_dir, read_metrics(run_dir), _last_probe(probe_log)))
        record["wall_s"] = _wall(run_dir)
        return record
    try:
        cfg = from_dict(PipelineConfig, spec.config)
        drift = dict(spec.drift)
        val = model_rows(read_jsonl(Path(spec.data) / "data" / "val.jsonl"), cfg.read_numbers)
        monitor = FormatDriftMonitor(_spread(val, drift.pop("rows")), system_prompt(style=cfg.prompt_style),
                                     log_path=partial_dir(run_dir) / "format_probe.jsonl", **drift)
        with step_hooks(monitor):
            result = run_pipeline(cfg, run_dir, resume=True, init_run=spec.data, console=console)
        record.update(status="ok", metrics=_metrics(run_dir, result["metrics"], monitor.final))
    except FormatDrift as exc:
        # keep what the stopped run trained and logged where a reader finds it, marked as stopped
        work = partial_dir(run_dir)
        atomic_write_text(work / "STOPPED", f"{exc}\n")
        if work.is_dir() and not run_dir.exists():
            work.rename(run_dir)
        record.update(status="stopped_format_drift", error=str(exc), stopped_at_step=exc.step,
                      metrics=_metrics(run_dir, {}, monitor.history[-1] if monitor.history else None))
    except Exception as exc:  # noqa: BLE001 - a trial's failure is a logbook entry, not the sweep's end
        record["error"] = f"{type(exc).__name__}: {exc}"
        atomic_write_text(Path(spec.out) / f"{run_dir.name}.error.txt", traceback.format_exc())
        console.print(f"[red]trial {spec.trial} failed: {record['error']}[/red]")
    record["wall_s"] = round(time.time() - t0, 1)
    return record


def _spread(rows: list[dict], n: int) -> list[dict]:
    """`n` rows spread over the split (the generator writes it grouped by expert), in a fixed order."""
    if len(rows) <= n:
        return rows
    step = len(rows) / n
    return [rows[int(i * step)] for i in range(n)]


def _metrics(run_dir: Path, evaluated: dict, probe: dict | None) -> dict:
    out = {k: None for k in METRIC_KEYS}
    for key in ("expert_accuracy", "answer_accuracy", "zone_accuracy", "result_accuracy", "format_validity"):
        if evaluated.get(key) is not None:
            out[key] = evaluated[key]
    out["train_loss"] = _train_loss(run_dir if run_dir.exists() else partial_dir(run_dir))
    if probe:
        out["val_loss"], out["val_format_validity"] = probe["val_loss"], probe["format_validity"]
    return out


def _train_loss(run_dir: Path, last: int = 5) -> float | None:
    """The mean SFT loss of the last `last` logged steps (one step's loss is one batch's: noisy)."""
    path = run_dir / "train_log.jsonl"
    if not path.is_file():
        return None
    losses = [r["loss"] for r in read_jsonl(path, skip_bad=True) if r.get("stage") == "sft" and "loss" in r]
    return round(sum(losses[-last:]) / len(losses[-last:]), 5) if losses else None


def _last_probe(path: Path) -> dict | None:
    rows = read_jsonl(path, skip_bad=True) if path.is_file() else []
    return rows[-1] if rows else None


def _wall(run_dir: Path) -> float | None:
    path = run_dir / "timings.json"
    return round(json.loads(path.read_text()).get("total_s", 0.0), 1) if path.is_file() else None


def spec_dict(spec: TrialSpec) -> dict:
    return asdict(spec)
