"""Evaluation reports: `report.md`, `metrics.json`, `predictions/<router>.jsonl`, PNG plots (a
confusion matrix per router, accuracy vs p50 latency for all routers) and a rich terminal table.

The report directory is built next to its destination and renamed into place, so a reader never
sees half a report; an existing directory is replaced only with `force=True`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

from routerforge.io import atomic_write_json, atomic_write_jsonl, atomic_write_text

SUMMARY = [  # (metric key, column title, kind)
    ("n", "n", "int"), ("format_validity", "format", "pct"), ("expert_accuracy", "expert acc", "pct"),
    ("answer_accuracy", "answer acc", "pct"), ("zone_accuracy", "zone acc", "pct"),
    ("result_accuracy", "result acc", "pct"), ("robustness_consistency", "consistent", "pct"),
    ("flip_rate", "flip rate", "pct"), ("latency_p50_ms", "p50 ms", "ms"), ("latency_p95_ms", "p95 ms", "ms"),
    ("throughput_qps", "q/s", "num"),
]


def _fmt(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "int":
        return str(value)
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name) or "router"


def print_summary(results: dict, console=None, title: str = "routerforge eval") -> None:
    """A rich table of the headline metrics, one row per router."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("router", style="bold")
    for _, col, _ in SUMMARY:
        table.add_column(col, justify="right")
    for name, m in results["routers"].items():
        table.add_row(name, *(_fmt(m.get(key), kind) for key, _, kind in SUMMARY))
    if console is None:
        console = Console()
        if not console.is_terminal:  # piped output: do not squeeze the table into 80 columns
            console = Console(width=160)
    console.print(table)


# ------------------------------------------------------------------ plots

def plot_confusion(metrics: dict, router: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = metrics["confusion"]["labels"], metrics["confusion"]["matrix"]
    size = max(4.0, 1.1 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    im = ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    acc = metrics.get("expert_accuracy")
    ax.set_title(f"{router}: expert class confusion (n={metrics['n']}, acc={_fmt(acc, 'pct')})")
    top = max((max(r) for r in matrix), default=0) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center", color="white" if count > top / 2 else "black")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="queries")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_accuracy_latency(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, m in results["routers"].items():
        x, y = m.get("latency_p50_ms"), m.get("expert_accuracy")
        if x is None or y is None:
            continue
        x = max(x, 1e-3)  # a log axis cannot show 0 ms
        ax.scatter([x], [100 * y], s=60)
        ax.annotate(name, (x, 100 * y), textcoords="offset points", xytext=(6, 4))
    ax.set_xscale("log")
    ax.margins(x=0.2)  # room for the labels of the leftmost/rightmost routers
    ax.set_xlabel("p50 latency per query (ms, log scale)")
    ax.set_ylabel("expert-class accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"Accuracy vs latency (n={results['n']} queries)")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------ markdown

def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(results: dict, title: str, plots: dict[str, str]) -> str:
    routers = results["routers"]
    out = [f"# {title}", "", f"{results['n']} queries; generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}."]
    if results.get("meta"):
        out += ["", "```json", json.dumps(results["meta"], indent=2, default=str), "```"]
    out += ["", "## Summary", "",
            _md_table(["router"] + [c for _, c, _ in SUMMARY],
                      [[n] + [_fmt(m.get(k), kind) for k, _, kind in SUMMARY] for n, m in routers.items()])]
    if "accuracy_latency" in plots:
        out += ["", f"![accuracy vs latency]({plots['accuracy_latency']})"]
    classes = sorted({c for m in routers.values() for c in m["per_class"]})
    out += ["", "## Accuracy per class", "",
            _md_table(["router"] + classes, [[n] + [
                f"{_fmt(m['per_class'][c]['accuracy'], 'pct')} ({m['per_class'][c]['n']})" if c in m["per_class"] else "–"
                for c in classes] for n, m in routers.items()])]
    variations = sorted({v for m in routers.values() for v in m.get("by_variation", {})})
    if variations:
        out += ["", "## Expert accuracy by variation", "",
                _md_table(["router"] + variations, [[n] + [
                    _fmt(m["by_variation"].get(v, {}).get("accuracy"), "pct") for v in variations]
                    for n, m in routers.items()])]
    for name, m in routers.items():
        labels, matrix = m["confusion"]["labels"], m["confusion"]["matrix"]
        out += ["", f"## {name}", "", "Confusion (rows: true class, columns: predicted class):", "",
                _md_table(["true \\ predicted"] + labels, [[labels[i]] + [str(c) for c in row]
                                                         for i, row in enumerate(matrix)])]
        if name in plots:
            out += ["", f"![{name} confusion]({plots[name]})"]
        if m.get("expert_errors"):
            out += ["", "Expert errors: " + ", ".join(f"{k or 'error'} ×{v}" for k, v in m["expert_errors"].items())]
        out += ["", f"Predictions: `predictions/{safe_name(name)}.jsonl`"]
    return "\n".join(out) + "\n"


def write_report(results: dict, out_dir: str | Path, title: str = "routerforge evaluation", *,
                 force: bool = False, plots: bool = True) -> Path:
    """Write the report directory atomically; refuse an existing one unless `force`."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not force:
        raise FileExistsError(f"{out_dir} exists; pass --force to overwrite it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        pngs: dict[str, str] = {}
        for name, rows in results.get("predictions", {}).items():
            atomic_write_jsonl(tmp / "predictions" / f"{safe_name(name)}.jsonl", rows)
        if plots:
            for name, m in results["routers"].items():
                fname = f"confusion_{safe_name(name)}.png"
                plot_confusion(m, name, tmp / fname)
                pngs[name] = fname
            plot_accuracy_latency(results, tmp / "accuracy_latency.png")
            pngs["accuracy_latency"] = "accuracy_latency.png"
        summary = {k: v for k, v in results.items() if k != "predictions"}
        atomic_write_json(tmp / "metrics.json", {"title": title, **summary})
        atomic_write_text(tmp / "report.md", render_markdown(results, title, pngs))
        if out_dir.exists():  # force: swap the old report out only once the new one is complete
            trash = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            out_dir.rename(trash)
            tmp.rename(out_dir)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
