"""Rows for the web page's report browser: a report's held-out predictions, filtered by class and by
right/wrong, and sweep logbooks flattened into a table.

Two kinds of predictions file are read:
- `routerforge eval`'s `predictions/<router>.jsonl` (evaluate/harness.py): the truth row, the decision and
  the verdicts `class_ok`, `answer_ok`, `zone_ok`, `result_ok` (None where the row has no such truth).
  A row is *right* when every verdict it has is true;
- a plan report's `plan_per_row.jsonl` (plans/report.py), its queries joined by order from the
  `predictions.jsonl` beside it; a row is *right* when its tool sequence matches the gold one.

A sweep (`routerforge sweep`) writes OUT/logbook.jsonl, one object per trial (params, metrics, status),
and OUT/logbook.md; the server looks in the run directory, the directory that holds the run, and each
`--reports` directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from routerforge.errors import InputError

VERDICTS = ("class_ok", "answer_ok", "zone_ok", "result_ok")
PLAN_VERDICTS = ("tool_sequence_match", "route_plan_match", "first_tool_match")
MAX_ROWS_FILE = 64 * 1024 * 1024  # bytes of JSONL read for one request; eval files are far smaller
MAX_LIMIT = 500
LOGBOOK_NAMES = ("logbook.jsonl", "logbook.md")


def _jsonl(path: Path) -> tuple[list[dict], int]:
    """The object rows of a JSONL file and how many lines were not JSON objects."""
    if path.stat().st_size > MAX_ROWS_FILE:
        raise InputError(f"{path.name} is larger than {MAX_ROWS_FILE // 1024 // 1024} MiB")
    rows, bad = [], 0
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if isinstance(row, dict):
                rows.append(row)
            else:
                bad += 1
    return rows, bad


def _eval_view(i: int, row: dict) -> dict:
    truth = row.get("truth") if isinstance(row.get("truth"), dict) else {}
    verdicts = {k: row[k] for k in VERDICTS if row.get(k) is not None}
    expected = next((truth[k] for k in ("answer", "expected_result", "zone") if truth.get(k) is not None), None)
    return {"row": i, "query": row.get("query"), "classes": [truth.get("expert_class")],
            "predicted": row.get("predicted_class"), "expert": row.get("expert"), "spec": row.get("spec"),
            "result": row.get("result"), "expected": expected, "error": row.get("error"),
            "confidence": row.get("confidence"), "latency_ms": row.get("latency_ms"),
            "verdicts": verdicts, "right": all(verdicts.values()) if verdicts else None}


def _plan_view(i: int, row: dict, query: str | None) -> dict:
    verdicts = {k: bool(row[k]) for k in PLAN_VERDICTS if isinstance(row.get(k), (int, float))}
    cats = row.get("categories") if isinstance(row.get("categories"), list) else []
    tools = lambda key: " → ".join(map(str, row.get(key) or [])) or None  # noqa: E731
    return {"row": row.get("row", i), "query": query, "classes": cats, "predicted": tools("pred_tools"),
            "expert": None, "spec": None, "result": tools("pred_tools"), "expected": tools("gold_tools"),
            "error": None, "confidence": None, "latency_ms": None, "verdicts": verdicts,
            "right": verdicts.get("tool_sequence_match")}


def load_views(path: Path) -> tuple[list[dict], int]:
    """Every row of a predictions file in one shape: query, classes (truth), predicted, expected,
    verdicts, right (True / False / None when the row has nothing to check)."""
    rows, bad = _jsonl(path)
    if path.name == "plan_per_row.jsonl":
        side = path.with_name("predictions.jsonl")
        queries = [r.get("query") for r in _jsonl(side)[0]] if side.is_file() else []
        queries = queries if len(queries) == len(rows) else []  # joined by order only when they align
        return [_plan_view(i, r, queries[i] if queries else None) for i, r in enumerate(rows)], bad
    return [_eval_view(i, r) for i, r in enumerate(rows)], bad


def filter_predictions(path: Path, *, cls: str | None = None, outcome: str | None = None,
                       text: str | None = None, offset: int = 0, limit: int = 50) -> dict:
    """The rows of one predictions file that match: true class `cls`, `outcome` right|wrong, `text` in
    the query (case-insensitive); a page of them from `offset`, with the counts the page shows."""
    if outcome not in (None, "", "right", "wrong"):
        raise InputError(f"outcome must be right or wrong, got {outcome!r}")
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"offset must be >= 0 and limit 1 to {MAX_LIMIT}")
    views, bad = load_views(path)
    classes = sorted({c for v in views for c in v["classes"] if c})
    needle = (text or "").strip().lower()
    hits = [v for v in views
            if (not cls or cls in v["classes"])
            and (not outcome or v["right"] is (outcome == "right"))
            and (not needle or needle in str(v["query"] or "").lower())]
    return {"total": len(views), "matched": len(hits), "offset": offset, "limit": limit,
            "right": sum(v["right"] is True for v in hits), "wrong": sum(v["right"] is False for v in hits),
            "classes": classes, "unreadable_lines": bad, "rows": hits[offset:offset + limit]}


def _cell(value: object) -> object:
    return value if value is None or isinstance(value, (str, int, float, bool)) else json.dumps(value)


def _logbook_table(rows: list[dict]) -> dict:
    """One row per trial; `params` and `metrics` objects become `params.x` / `metrics.y` columns."""
    flat = []
    for row in rows:
        cells: dict[str, object] = {}
        for k, v in row.items():
            if isinstance(v, dict) and k in ("params", "metrics"):
                cells.update({f"{k}.{kk}": _cell(vv) for kk, vv in v.items()})
            else:
                cells[k] = _cell(v)
        flat.append(cells)
    keys = list(dict.fromkeys(k for cells in flat for k in cells))
    first = [k for k in ("trial", "id", "name", "status") if k in keys]
    params = [k for k in keys if k.startswith("params.")]
    metrics = [k for k in keys if k.startswith("metrics.")]
    columns = first + params + metrics + [k for k in keys if k not in {*first, *params, *metrics}]
    return {"columns": columns, "rows": [[cells.get(c) for c in columns] for cells in flat]}


def find_logbooks(dirs: list[Path]) -> list[dict]:
    """The sweep logbooks in `dirs` (each directory once): its table (from logbook.jsonl) and markdown."""
    out, seen = [], set()
    for d in dirs:
        d = d.resolve()
        if d in seen or not d.is_dir():
            continue
        seen.add(d)
        jsonl, md = d / LOGBOOK_NAMES[0], d / LOGBOOK_NAMES[1]
        if not (jsonl.is_file() or md.is_file()):
            continue
        entry: dict = {"dir": d.name or str(d), "table": None, "markdown": None, "unreadable_lines": 0}
        if jsonl.is_file():
            try:
                rows, entry["unreadable_lines"] = _jsonl(jsonl)
                entry["table"] = _logbook_table(rows)
            except InputError as exc:  # too big to show: say so on the page, keep the other logbooks
                entry["error"] = str(exc)
        if md.is_file() and md.stat().st_size <= MAX_ROWS_FILE:
            entry["markdown"] = md.read_text(encoding="utf-8", errors="replace")
        out.append(entry)
    return out
