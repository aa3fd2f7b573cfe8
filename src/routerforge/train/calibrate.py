"""Calibration, a recipe step: fit a run's temperature and abstention threshold on its val split.

Used by `routerforge probe calibrate` and by the training pipeline's calibration stage. The math
(temperature scaling, thresholds, name scores) lives in `routerforge.routers.calibration`.
"""

from __future__ import annotations

import time
from pathlib import Path

from routerforge.errors import UserError
from routerforge.experts import class_of
from routerforge.io import atomic_write_json, read_jsonl
from routerforge.routers.calibration import calibrate, name_scores
from routerforge.routers.generated import Router
from routerforge.routers.probe import PROBE_FILE, Probe, probe_scores


def split_rows(run: Path, split: str) -> list[dict]:
    """The labelled rows (`query`, `expert`) of RUN/data/<split>.jsonl."""
    path = run / "data" / f"{split}.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"no {split} split at {path}")
    rows = [r for r in read_jsonl(path) if isinstance(r.get("query"), str) and r.get("expert")]
    if not rows:
        raise UserError(f"{path} has no rows with 'query' and 'expert'")
    return rows


def calibrate_run(run: Path, *, split: str = "val", target_precision: float | None = 0.95,
                  abstain_below: float | None = None, use_probe: bool = True,
                  require_complete: bool = True) -> dict:
    """Fit the generated router's (and the probe's, when RUN/probe.json exists) temperature and
    abstention threshold on RUN/data/<split>.jsonl; write RUN/calibration.json (and update the probe).
    Returns {"generated": stats, "probe"?: stats}. Used by `probe calibrate` and the training pipeline."""
    rows = split_rows(run, split)
    probe_path = run / PROBE_FILE
    probe = Probe.load(probe_path) if use_probe and probe_path.is_file() else None
    # uncalibrated router: the fit must not start from a previous calibration.json
    router = Router.from_run(run, temperature=1.0, abstain_below=None, require_complete=require_complete)
    labels = [r["expert"] for r in rows]
    scores = name_scores(router, [r["query"] for r in rows])
    results = {"generated": calibrate(scores, labels, target_precision=target_precision, abstain_below=abstain_below,
                                      classes=[class_of(n) for n in scores.names])}
    if probe is not None:
        pscores, plabels = probe_scores(router, probe, rows)
        results["probe"] = calibrate(pscores, plabels, target_precision=target_precision, abstain_below=abstain_below,
                                     classes=[class_of(n) for n in pscores.names])
    stamp = {"split": split, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    atomic_write_json(run / "calibration.json", {**results["generated"], **stamp})
    if probe is not None:
        cal = results["probe"]
        probe.temperature, probe.abstain_below = cal["temperature"], cal["abstain_below"]
        probe.meta.update(ece_before=cal["ece_before"], ece_after=cal["ece_after"], calibration=stamp)
        probe.save(probe_path)
    return results
