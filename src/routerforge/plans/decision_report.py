"""The decision plan router's report (eval/report.md): the issue's targets (reached, missed and by
how much), latency, the overall metrics with the rationale rubric, a per-category table and the
first-tool confusion of every set, and the machine the numbers were measured on."""

from __future__ import annotations

import math
import os
import platform
import time

TOOLS = ("/general-search", "/math", "/code")
OVERALL = ("tool_sequence_match", "first_tool_match", "last_tool_match", "length_match", "tool_precision",
           "tool_recall", "tool_f1", "route_plan_match", "json_valid", "schema_valid", "handoff_covers_tools",
           "todo_covers_tools", "rubric_tool_justification", "rubric_handoff", "rubric_acceptance", "rubric_score",
           "difficulty_match", "gold_route_in_policy", "confidence", "route_ece")


def machine() -> dict:
    """CPU model, cores, torch threads, load average and date: who measured the numbers, and how busy."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        import torch

        threads = torch.get_num_threads()
    except ImportError:
        threads = None
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": threads, "load": load,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "python": platform.python_version()}


def _f(v, pct: bool = True) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{100 * v:.1f}%" if pct else f"{v:.2f}"


def _targets(info: dict) -> list[str]:
    lines = ["| target | reached | gap | met |", "|---|---:|---:|:---:|"]
    for name, metric, bound, text in info["targets"]:
        v = info["benchmarks"].get(name, {}).get(metric)
        if v is None:
            lines.append(f"| {text} | not run | | |")
            continue
        lines.append(f"| {text} | {_f(v)} | {100 * (v - bound):+.1f} pts | {'yes' if v >= bound else 'no'} |")
    for name, s in info["benchmarks"].items():
        p50 = s["decide_ms_p50"]
        lines.append(f"| decision p50 <= {info['latency_target_ms']:.0f} ms ({name}) | {p50:.0f} ms | "
                     f"{p50 - info['latency_target_ms']:+.0f} ms | {'yes' if p50 <= info['latency_target_ms'] else 'no'} |")
    return lines


def _confusion(s: dict) -> list[str]:
    cells = {tuple(k.split(" -> ")): n for k, n in s["first_tool_confusion"].items()}
    lines = ["| gold first \\ predicted first | " + " | ".join(TOOLS) + " | rows | right |", "|---|" + "---:|" * (len(TOOLS) + 2)]
    for g in TOOLS:
        row = [cells.get((g, p), 0) for p in TOOLS]
        if sum(row):
            lines.append(f"| {g} | " + " | ".join(map(str, row)) + f" | {sum(row)} | {_f(cells.get((g, g), 0) / sum(row))} |")
    return lines


def _categories(s: dict) -> list[str]:
    keys = ("n", "tool_sequence_match", "first_tool_match", "tool_precision", "tool_recall", "length_match",
            "rubric_score", "confidence")
    lines = ["| category | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for cat, m in s["per_category"].items():
        vals = [str(m.get("n")) if k == "n" else _f(m.get(k), pct=k not in ("rubric_score",)) for k in keys]
        lines.append(f"| {cat} | " + " | ".join(vals) + " |")
    return lines


def report_markdown(info: dict) -> str:
    m, names = info["machine"], list(info["benchmarks"])
    b = info["benchmarks"]
    out = ["# Plan router (decision) evaluation", "",
           f"- command: `{info['command']}`" if info.get("command") else "- command: n/a",
           f"- machine: {m['cpu']}, {m['cores']} cores, torch threads {m['torch_threads']}, {m['date']}; "
           f"load average {m['load']} before, {info['load_after']} after (other jobs share the CPU)",
           f"- router: frozen base model, hidden states after layer {info['layer']} ({info['dtype']}), linear heads; "
           f"route from {info['route_from']}; every row decided alone (batch 1)", "",
           "## Targets", "", *_targets(info), "",
           "## Latency (ms, one query at a time)", "",
           "| set | rows | decision p50 | decision p95 | full plan p50 | full plan p95 |", "|---|---:|---:|---:|---:|---:|"]
    for n in names:
        out.append(f"| {n} | {b[n]['n']} | {b[n]['decide_ms_p50']:.0f} | {b[n]['decide_ms_p95']:.0f} | "
                   f"{b[n]['plan_ms_p50']:.0f} | {b[n]['plan_ms_p95']:.0f} |")
    out += ["", "## Overall", "", "| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for k in OVERALL:
        out.append(f"| {k} | " + " | ".join(_f(b[n].get(k), pct=k not in ("rubric_score",)) for n in names) + " |")
    for k in ("rubric_tool_justification", "rubric_handoff", "rubric_acceptance", "rubric_score"):
        out.append(f"| gold plans' {k} (reference) | " + " | ".join(
            _f(b[n]["gold_rubric"][k], pct=k != "rubric_score") for n in names) + " |")
    for n in names:
        out += ["", f"## {n}", "", "Per category:", "", *_categories(b[n]), "", "First-tool confusion:", "",
                *_confusion(b[n]), "", "Predicted routes: " + ", ".join(f"{k} {v}" for k, v in b[n]["predicted_routes"].items()),
                "", "Most common gold tool sequences: " + ", ".join(f"{k} {v}" for k, v in b[n].get("gold_routes", {}).items())]
    out += ["", "How to read it: `tool_sequence_match` is the exact tool sequence; `route_plan_match` needs identical "
            "step strings (arguments too), which only the synthetic split can reach. `rubric_*` score the prose "
            "(plans/rubric.py, 1-5 for `rubric_score`); the gold row scores the benchmark's own plans with the same rubric. "
            "The rubric needs each tool named as in `route_plan` (\"the math agent\" does not count). "
            "`confidence` is the mean calibrated route probability and `route_ece` its calibration error against "
            "an exact tool-sequence match. The benchmarks were never used for training, templates or rules.", ""]
    return "\n".join(out)
