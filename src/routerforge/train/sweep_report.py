"""A sweep's logbook and what it concludes: `logbook.jsonl` (one record per trial), `logbook.md` (the
same as a table, for people and for the server's Sweeps page), `best.yaml` (the best trial's settings
as a ready pipeline config) and `plot.png` (the metric against each parameter).

Every file is rewritten whole and atomically each time a trial starts or finishes, so a reader (or a
killed sweep's rerun) only ever sees a complete logbook.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml

from routerforge.io import atomic_write_text, read_jsonl
from routerforge.train.sweep_config import SweepConfig, trial_dict

COLUMNS = [("train_loss", "train loss", "num"), ("val_loss", "val loss", "num"),
           ("val_format_validity", "val format", "pct"), ("expert_accuracy", "expert acc", "pct"),
           ("answer_accuracy", "answer acc", "pct")]


class Logbook:
    """The records of a sweep directory, by trial number."""

    def __init__(self, out: str | Path, sweep: SweepConfig, *, command: str = "") -> None:
        self.out, self.sweep, self.command = Path(out), sweep, command
        path = self.out / "logbook.jsonl"
        self.records: dict[int, dict] = {r["trial"]: r for r in read_jsonl(path)} if path.is_file() else {}

    def put(self, record: dict) -> None:
        self.records[record["trial"]] = record
        self.write()

    def write(self) -> None:
        rows = [self.records[i] for i in sorted(self.records)]
        atomic_write_text(self.out / "logbook.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        atomic_write_text(self.out / "logbook.md", self.markdown())

    # ---- conclusions --------------------------------------------------------------------------------
    def best(self) -> dict | None:
        scored = [r for r in self.records.values()
                  if r["status"] == "ok" and _finite(r["metrics"].get(self.sweep.metric))]
        if not scored:
            return None
        sign = 1 if self.sweep.mode == "max" else -1
        # ties: the earlier trial (grid order puts the base-like settings first)
        return max(scored, key=lambda r: (sign * r["metrics"][self.sweep.metric], -r["trial"]))

    def finish(self) -> dict | None:
        """Write best.yaml and plot.png (and the logbook once more); the best record or None."""
        best = self.best()
        if best is not None:
            config = trial_dict(self.sweep, best["params"])
            head = (f"# routerforge train --config {self.out / 'best.yaml'} --out runs/NAME\n"
                    f"# The best trial of `routerforge sweep` in {self.out}: trial {best['trial']}, "
                    f"{self.sweep.metric} {_fmt(best['metrics'][self.sweep.metric], _kind(self.sweep.metric))}"
                    f"{' on a ' + str(self.sweep.limit) + '-row training slice' if self.sweep.limit else ''}.\n"
                    f"# Its params: {', '.join(f'{k}={v}' for k, v in best['params'].items())}; the rest is the "
                    f"base config ({self.sweep.base}) with the sweep's `set`. Full data: the slice is not a "
                    "config key.\n")
            atomic_write_text(self.out / "best.yaml", head + yaml.safe_dump(config, sort_keys=False))
        if self.records:
            plot(self, self.out / "plot.png")
        self.write()
        return best

    # ---- markdown -----------------------------------------------------------------------------------
    def markdown(self) -> str:
        s = self.sweep
        done = sum(r["status"] != "running" for r in self.records.values())
        lines = [f"# Sweep logbook: {self.out.name}", ""]
        if self.command:
            lines += [f"`{self.command}`", ""]
        data = f"{s.limit} training rows (a seeded slice)" if s.limit else "all training rows"
        lines += [f"Base config `{s.base}`, method {s.method}, metric {s.metric} ({s.mode}), {data}"
                  f"{f', {s.eval_rows} val and eval rows' if s.eval_rows else ''}; format-drift stop: "
                  + (f"val format validity < {s.drift.threshold:g} from step {s.drift.after or s.drift.every}, every "
                     f"{s.drift.every} steps" if s.drift.threshold is not None else "off")
                  + f". {done} of {len(self.records)} trials finished.", ""]
        params = list(s.params)
        head = ["trial", "status", *params, *(title for _, title, _ in COLUMNS), "wall s"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * 2 + "---:|" * (len(head) - 2)]
        best = self.best()
        for i in sorted(self.records):
            r = self.records[i]
            mark = " **best**" if best is not None and r["trial"] == best["trial"] else ""
            status = r["status"] + (f" (step {r['stopped_at_step']})" if r.get("stopped_at_step") is not None else "")
            cells = [f"{i}{mark}", status, *(_value(r["params"].get(p)) for p in params),
                     *(_fmt(r["metrics"].get(k), kind) for k, _, kind in COLUMNS),
                     _fmt(r.get("wall_s"), "s")]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        if best is not None:
            value = _fmt(best["metrics"][s.metric], _kind(s.metric))
            lines += [f"**Best**: trial {best['trial']}, {s.metric} {value}: "
                      + ", ".join(f"`{k}={_value(v)}`" for k, v in best["params"].items())
                      + " → `best.yaml` (a pipeline config for the full run).", ""]
        failed = [r for r in self.records.values() if r["status"] == "failed"]
        for r in failed:
            lines.append(f"- trial {r['trial']} failed: {r.get('error', '?')}")
        if (self.out / "plot.png").is_file():
            lines += ["", f"![{s.metric} against each parameter](plot.png)"]
        return "\n".join(lines).rstrip() + "\n"


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _kind(metric: str) -> str:
    return "num" if metric.endswith("loss") else "pct"


def _fmt(v, kind: str) -> str:
    if not _finite(v):
        return "–"
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "s":
        return f"{v:.0f}"
    return f"{v:.3f}"


def _value(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def plot(book: Logbook, path: Path) -> None:
    """One panel per parameter: the metric of each finished trial against the parameter's value
    (categorical positions for non-numbers; a log axis for values that span 10x or more)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sweep, metric = book.sweep, book.sweep.metric
    records = [book.records[i] for i in sorted(book.records)]
    params = list(sweep.params)
    fig, axes = plt.subplots(1, len(params), figsize=(3.6 * len(params) + 0.6, 3.4), squeeze=False)
    for ax, key in zip(axes[0], params):
        ok = [r for r in records if r["status"] == "ok" and _finite(r["metrics"].get(metric))]
        xs = [r["params"].get(key) for r in ok]
        ys = [r["metrics"][metric] for r in ok]
        numeric = bool(xs) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs)
        if numeric and len(set(xs)) > 6:  # a range (random, optuna): a real axis
            positions = xs
            if min(xs) > 0 and max(xs) / min(xs) >= 10:
                ax.set_xscale("log")
        else:  # a few values (grid): one column each, in value order, with the mean marked
            labels = sorted(set(xs), key=lambda x: (not numeric, x if numeric else str(x)))
            positions = [labels.index(x) for x in xs]
            ax.set_xticks(range(len(labels)), [_value(x) for x in labels])
            ax.set_xlim(-0.5, len(labels) - 0.5)
            means = [sum(y for x, y in zip(xs, ys) if x == v) / xs.count(v) for v in labels]
            ax.plot(range(len(labels)), means, color="tab:orange", marker="_", markersize=18, lw=1, label="mean")
        ax.scatter(positions, ys, color="tab:blue", zorder=3, label="trial")
        stopped = sum(r["status"] == "stopped_format_drift" for r in records)
        failed = sum(r["status"] == "failed" for r in records)
        extra = ", ".join(t for t in (f"{stopped} stopped" if stopped else "",
                                      f"{failed} failed" if failed else "") if t)
        ax.set_title(key + (f"\n({extra})" if extra else ""), fontsize=9)
        ax.set_xlabel(key)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(metric)
    if any(ax.get_legend_handles_labels()[0] for ax in axes[0]):
        axes[0][0].legend(fontsize=8, loc="best")
    fig.suptitle(f"{book.out.name}: {metric} by parameter ({len(records)} trials)", fontsize=10)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
