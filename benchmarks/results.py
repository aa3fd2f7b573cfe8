"""Collect the numbers `make bench` produced into one markdown block for the README.

    python benchmarks/results.py [--bench runs/bench] [--run runs/demo] [--out runs/bench/RESULTS.md]

Every figure comes from a metrics.json written by `routerforge eval` / `benchmarks/latency.py`; this
script only formats them and stamps the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

COLUMNS = [("format_validity", "format"), ("expert_accuracy", "expert acc"), ("answer_accuracy", "answer acc"),
           ("zone_accuracy", "zone acc"), ("result_accuracy", "result acc"),
           ("robustness_consistency", "consistent groups"), ("flip_rate", "flip rate"),
           ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("throughput_qps", "q/s")]


def fmt(key: str, value) -> str:
    if value is None:
        return "–"
    if key.endswith(("_ms", "_qps")):
        return f"{value:.1f}"
    return f"{100 * value:.1f}%"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def table(title: str, metrics: dict) -> list[str]:
    routers = metrics.get("routers", {})
    n = metrics.get("n")
    lines = [f"**{title}** ({n} rows)", "", "| router | " + " | ".join(c for _, c in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for name, m in routers.items():
        lines.append(f"| {name} | " + " | ".join(fmt(k, m.get(k)) for k, _ in COLUMNS) + " |")
    return lines + [""]


# issue 11's targets: (benchmark, metric, router, bound, direction)
TARGETS = [("heldout", "expert_accuracy", "trained", 0.99, "min"), ("heldout", "answer_accuracy", "trained", 0.95, "min"),
           ("heldout", "result_accuracy", "trained", 0.90, "min"), ("heldout", "zone_accuracy", "trained", 0.99, "min"),
           ("clinc150", "expert_accuracy", "no_abstain", 0.97, "min"),
           ("gsm8k", "expert_accuracy", "trained", 0.98, "min"), ("robustness", "flip_rate", "trained", 0.0, "max")]
BASELINES = ("rules", "fewshot", "embedding", "probe", "reference")


def margins(results: dict) -> list[str]:
    """Trained minus each other router's expert accuracy per benchmark, then the targets, met or not."""
    lines = ["**trained vs. the others** (expert accuracy, percentage points; positive = trained is better)", "",
             "| benchmark | " + " | ".join(BASELINES) + " |", "|---|" + "---:|" * len(BASELINES)]
    for name, metrics in results.items():
        routers = metrics.get("routers", {})
        mine = routers.get("trained", {}).get("expert_accuracy")
        if mine is None:
            continue
        cells = []
        for b in BASELINES:
            other = routers.get(b, {}).get("expert_accuracy")
            cells.append("–" if other is None else f"{100 * (mine - other):+.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "**targets**", ""]
    for bench, key, router, bound, how in TARGETS:
        value = results.get(bench, {}).get("routers", {}).get(router, {}).get(key)
        if value is None:
            continue
        met = value >= bound if how == "min" else value <= bound
        sign = ">=" if how == "min" else "<="
        lines.append(f"- {bench} {key} ({router}) {fmt(key, value)} {sign} {fmt(key, bound)}: {'met' if met else 'NOT met'}")
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default="runs/bench")
    ap.add_argument("--run", default="runs/demo")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    bench, run = Path(args.bench), Path(args.run)
    out = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()} by `make bench`.", ""]
    timings = run / "timings.json"
    if timings.is_file():
        t = json.loads(timings.read_text())
        out += [f"Training `{run}`: " + ", ".join(f"{k.removesuffix('_s')} {v:.0f} s" for k, v in t.items()) + ".", ""]
    results = {}
    for name in ("heldout", "clinc150", "gsm8k", "robustness"):
        path = bench / name / "metrics.json"
        if path.is_file():
            results[name] = json.loads(path.read_text())
            out += table(name, results[name])
    out += margins(results)
    latency = bench / "latency.md"
    if latency.is_file():
        out += ["**latency**", "", latency.read_text().strip(), ""]
    text = "\n".join(out)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
