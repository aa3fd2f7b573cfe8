"""The run directory every recipe writes (the expert-router pipeline, the plan recipe, the distributed
launcher): set-up, the resolved config, stage timings and the atomic publish — mechanics only.

A run is built in a hidden sibling `.NAME.partial/` and renamed into place when complete (COMPLETE is
written last), so a killed run never looks finished. Opening a run:

- `NAME/` already complete: refused unless `force` (which rebuilds it and replaces it at publish);
- `.NAME.partial/` left by an interrupted run: continued with `resume`, started over with `force`,
  otherwise refused with both ways on named — an interrupted run is never discarded silently.
"""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

from routerforge.errors import RunDirError
from routerforge.io import atomic_write_json, atomic_write_text, partial_dir, publish


class RunDir:
    """A run being built in `work` (the hidden partial sibling of `out`); `publish()` puts it in place.
    `resumable=False` (a recipe with no resumable stage) names only `--force` for an interrupted run."""

    def __init__(self, out: str | Path, *, force: bool = False, resume: bool = False, resumable: bool = True) -> None:
        self.out = Path(out)
        self.work = partial_dir(self.out)
        if self.out.exists() and not force:
            raise RunDirError(f"{self.out} exists; pass --force to overwrite it")
        if self.work.exists() and not resume:
            if not force:
                ways = "pass --resume to continue it or --force to start over" if resumable else \
                    "pass --force to start over"
                raise RunDirError(f"{self.out}: an interrupted run is in {self.work}; {ways}")
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.started = time.time()
        self.timings: dict[str, float] = {}

    @staticmethod
    def interrupted(out: str | Path) -> Path | None:
        """The partial directory of an interrupted run of `out`, if there is one."""
        work = partial_dir(out)
        return work if work.is_dir() else None

    def write_config(self, config: dict) -> None:
        atomic_write_text(self.work / "config.yaml", yaml.safe_dump(config, sort_keys=False))

    @contextmanager
    def stage(self, name: str):
        """Time a stage: `timings[name + "_s"]` (also when it is skipped inside the block)."""
        t = time.time()
        try:
            yield
        finally:
            self.timings[f"{name}_s"] = time.time() - t

    def publish(self) -> Path:
        """timings.json, then COMPLETE, then the rename into place."""
        self.timings["total_s"] = time.time() - self.started
        atomic_write_json(self.work / "timings.json", self.timings)
        return publish(self.work, self.out)
