"""Route-plan reports: plan_metrics.json, plan_report.md, plan_per_row.jsonl and a PNG of the main
metrics, plus the terminal table. Used by `routerforge plan eval|bench` and the plan recipe."""

from __future__ import annotations

import math
from pathlib import Path

from routerforge.io import atomic_write_json, atomic_write_jsonl, atomic_write_text

MAX_CHART_CATEGORIES = 6  # beyond this a per-category grouped chart stops being readable


def _fmt(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    cats = list(result["per_category"])
    table = Table(title=f"plan metrics (n={result['n']})")
    table.add_column("metric", no_wrap=True, min_width=20)
    table.add_column("overall", justify="right")
    for c in cats:
        table.add_column(f"{c} (n={result['per_category'][c]['n']})", justify="right")
    for m, v in result["overall"].items():
        table.add_row(m, _fmt(v), *[_fmt(result["per_category"][c][m]) for c in cats])
    Console(width=max(100, 24 + 14 * (len(cats) + 1))).print(table)


def write_report(result: dict, report_dir: str, *, failures: list[str], pred: str = "", gold: str = "") -> Path:
    """plan_metrics.json, plan_report.md, plan_per_row.jsonl and plan_metrics.png in report_dir."""
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {k: v for k, v in result.items() if k != "per_row"}
    summary.update(pred=pred, gold=gold, gate_failures=failures)
    atomic_write_json(out / "plan_metrics.json", summary)
    atomic_write_jsonl(out / "plan_per_row.jsonl", result["per_row"])
    cats = list(result["per_category"])
    lines = [f"# Plan evaluation\n", f"- predictions: `{pred}`", f"- gold: `{gold}`", f"- rows: {result['n']}", ""]
    lines.append("| metric | overall | " + " | ".join(cats) + " |")
    lines.append("|---|---:|" + "---:|" * len(cats))
    for m, v in result["overall"].items():
        lines.append(f"| {m} | {_fmt(v)} | " + " | ".join(_fmt(result["per_category"][c][m]) for c in cats) + " |")
    lines += ["", "## Gate", ""] + ([f"- FAILED: {f}" for f in failures] or ["- passed (or no gate given)"])
    lines += ["", "![main metrics](plan_metrics.png)", ""]
    atomic_write_text(out / "plan_report.md", "\n".join(lines))
    _chart(result, out / "plan_metrics.png")
    return out


def _chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from routerforge.plans.metrics import MAIN_METRICS

    names = [m for m in MAIN_METRICS if m in result["overall"]]
    groups = [("overall", result["overall"])]
    if 1 < len(result["per_category"]) <= MAX_CHART_CATEGORIES:
        groups += list(result["per_category"].items())
    fig, ax = plt.subplots(figsize=(min(16, 4 + len(names) * (0.6 + 0.25 * len(groups))), 5))
    width = 0.8 / len(groups)
    for gi, (label, values) in enumerate(groups):
        xs = [i + gi * width - 0.4 + width / 2 for i in range(len(names))]
        ys = [0.0 if math.isnan(values[m]) else values[m] for m in names]
        bars = ax.bar(xs, ys, width, label=label)
        if len(groups) == 1:
            ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks(range(len(names)), [n.replace("_", "\n") for n in names], fontsize=8)
    ax.set_ylim(0, 1.08 if len(groups) == 1 else 1.22)  # headroom for the legend row
    ax.set_ylabel("score (mean over rows)")
    ax.set_title(f"Route-plan metrics (n={result['n']})")
    if len(groups) > 1:
        ax.legend(fontsize=8, ncols=len(groups), loc="upper center", frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
