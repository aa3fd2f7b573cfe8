"""Named benchmarks and evaluation rows.

`load_benchmark(name, run=None)` resolves `clinc150`, `gsm8k`, `robustness` from the repository's
`benchmarks/data/` folder (found relative to this source file; `ROUTERFORGE_BENCHMARKS` overrides the
folder) and `heldout` from a run's generated test split. `load_rows(path)` reads any JSONL file in
either schema and `normalise_row` turns it into the truth row the metrics read:

- benchmark rows: `{"query", "expert_class", "answer"?, "zone"?, "group"?, "variation"?}`;
- generated split rows (`expert`, `spec`, `result`, `variation`...): `answer` = `result` for math and
  word_problem, `zone` from the spec for time (results depend on the clock), and for the other
  experts (schedule, plug-ins) `expected_result` compared with that expert's `results_equal`.
"""

from __future__ import annotations

import os
from pathlib import Path

from routerforge.errors import InputError
from routerforge.evaluate.metrics import classes, parse_number, zone_of_spec
from routerforge.io import read_jsonl

ENV_VAR = "ROUTERFORGE_BENCHMARKS"
BENCHMARK_FILES: dict[str, str] = {
    "clinc150": "clinc150/routing_test.jsonl",
    "gsm8k": "gsm8k/test_sample.jsonl",
    "robustness": "robustness/queries.jsonl",
}
RUN_BENCHMARKS = ("heldout",)  # resolved inside a run directory
KEEP = ("query", "expert_class", "answer", "zone", "group", "variation", "template_id", "clinc_intent")


def benchmark_names() -> list[str]:
    return [*BENCHMARK_FILES, *RUN_BENCHMARKS]


def benchmarks_dir() -> Path:
    """`$ROUTERFORGE_BENCHMARKS`, else `<repo>/benchmarks/data` next to the installed source tree."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    # src/routerforge/evaluate/benchmarks.py -> parents[3] is the repository root (editable install)
    return Path(__file__).resolve().parents[3] / "benchmarks" / "data"


def benchmark_path(name: str, run: str | Path | None = None) -> Path:
    if name == "heldout":
        if run is None:
            raise InputError("--benchmark heldout needs --run (it reads <run>/data/test.jsonl)")
        path = Path(run) / "data" / "test.jsonl"
    elif name in BENCHMARK_FILES:
        path = benchmarks_dir() / BENCHMARK_FILES[name]
    else:
        raise InputError(f"unknown benchmark {name!r}; known: {', '.join(benchmark_names())}")
    if not path.is_file():
        hint = f" (set {ENV_VAR} to the benchmarks/data folder)" if name != "heldout" else ""
        raise FileNotFoundError(f"benchmark {name!r}: no such file {path}{hint}")
    return path


def load_benchmark(name: str, run: str | Path | None = None) -> list[dict]:
    """Normalised truth rows of a named benchmark."""
    return load_rows(benchmark_path(name, run))


def load_rows(path: str | Path, limit: int | None = None) -> list[dict]:
    """Read and normalise an evaluation file; a bad row raises ValueError naming its line."""
    rows = []
    for i, raw in enumerate(read_jsonl(path), 1):
        try:
            rows.append(normalise_row(raw))
        except ValueError as exc:
            raise InputError(f"{path}: row {i}: {exc}") from None
        if limit is not None and len(rows) >= limit:
            break
    if not rows:
        raise InputError(f"{path}: no rows to evaluate")
    return rows


def _truth_kind(expert: str | None, cls: str) -> str:
    """How the expert's outcome is scored (`Expert.truth`): by its name, else by any expert of the class."""
    from routerforge.experts import all_experts, expert_names, get_expert

    if expert in expert_names():
        return get_expert(expert).truth
    return next((e.truth for e in all_experts() if e.label == cls), "result")


def _class_of(expert: str) -> str:
    from routerforge.experts import class_of

    return class_of(expert)


def normalise_row(raw: dict) -> dict:
    """The truth row for one input row of either schema (see the module docstring)."""
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise InputError("missing 'query' text")
    cls = raw.get("expert_class") or (_class_of(raw["expert"]) if raw.get("expert") else None)
    if not cls:
        raise InputError("missing 'expert_class' (or 'expert')")
    row = {k: raw[k] for k in KEEP if raw.get(k) is not None}
    row["expert_class"] = cls
    known = classes()
    if cls not in known and raw.get("expert") is None:
        raise InputError(f"unknown expert_class {cls!r}; expected one of {', '.join(known)}")
    if "answer" in row:
        if parse_number(row["answer"]) is None:
            raise InputError(f"'answer' is not a number: {row['answer']!r}")
    is_generated = "expert" in raw and "spec" in raw
    if is_generated:
        row["expected_expert"] = raw["expert"]
        result = raw.get("result")
        kind = _truth_kind(raw["expert"], cls)  # declared by the expert (Expert.truth)
        if kind == "number":
            if "answer" not in row and parse_number(result) is not None:
                row["answer"] = result
        elif kind == "zone":
            zone = zone_of_spec(raw.get("spec"))
            if zone and "zone" not in row:
                row["zone"] = zone
        elif kind == "result" and result is not None:
            row["expected_result"] = str(result)
    return row
