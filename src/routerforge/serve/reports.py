"""What the server's web page browses on disk: the report directories of the run being served (its
`eval/` and any report directory below it, e.g. `eval/<benchmark>/` of a plan run) and of any `--reports`
directory, one report's tables, plots and predictions files, and the safe resolution of a path a browser
sent to a file inside them.

Pure functions over the file system, no HTTP: serve/webapp.py puts them behind `/api`. Paths from a
browser are never trusted: `..`, absolute paths and NUL bytes are refused (400), and a path that resolves
outside its root (a symlink) or outside every report directory is not found (404), so nothing but report
files (run.json, config.yaml, data/ and the weights are not) can be read through the page.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from routerforge.errors import InputError
from routerforge.evaluate.report import SUMMARY

# a directory holding one of these is a report: `routerforge eval` (metrics.json, report.md), the plan
# reports (plan_metrics.json, plan_report.md; summary.json + report.md over a plan run's benchmarks), and
# `make bench` (RESULTS.md)
MARKERS = ("metrics.json", "report.md", "plan_metrics.json", "plan_report.md", "summary.json", "RESULTS.md")
SKIP_DIRS = {"adapter", "merged", "data", "checkpoints", "predictions", "__pycache__"}  # no reports; big
MAX_DEPTH = 4
MAX_FILES = 2000  # entries looked at per root: a huge directory passed by mistake must not stall the page
MAX_TEXT_BYTES = 4 * 1024 * 1024  # report.md and the JSON files are small; refuse to inline anything bigger
TEXT_TYPES = {".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
              ".json": "application/json", ".jsonl": "application/x-ndjson", ".csv": "text/csv; charset=utf-8"}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
MEDIA_TYPES = {**TEXT_TYPES, **IMAGE_TYPES}  # what /api/files serves; SVG is left out: it can carry script


class WebPathError(Exception):
    """A request for a file or report that is refused (`status` 400) or not there (404)."""

    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


def make_roots(run_dir: str | Path | None, extra: list[str | Path] | tuple = ()) -> dict[str, Path]:
    """Root key -> directory: `run` for the served run, the base name for each `--reports` directory."""
    roots: dict[str, Path] = {}
    for i, d in enumerate([run_dir, *extra]):
        if d is None:
            continue
        path = Path(d)
        if not path.is_dir():
            raise InputError(f"report directory not found: {path}")
        key = "run" if i == 0 else (re.sub(r"[^\w.-]+", "_", path.resolve().name) or "reports")
        base, n = key, 2
        while key in roots:
            key, n = f"{base}-{n}", n + 1
        roots[key] = path.resolve()
    return roots


def _walk(root: Path):
    """Directories below `root` (itself first), depth-limited, hidden and model/data folders skipped."""
    seen = 0
    for current, dirs, files in os.walk(root):
        depth = len(Path(current).relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and depth < MAX_DEPTH)
        seen += len(dirs) + len(files)
        yield Path(current), set(files)
        if seen > MAX_FILES:
            return


def _title(path: Path, files: set[str], rel: str) -> str:
    if "metrics.json" in files:
        title = _read_json(path / "metrics.json").get("title")
        if isinstance(title, str) and title:
            return title
    for name in ("report.md", "plan_report.md", "RESULTS.md"):
        if name in files:
            for line in _read_text(path / name).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return rel if rel != "." else path.name


def _kind(files: set[str]) -> str:
    if "metrics.json" in files:
        return "routers"
    return "plans" if "plan_metrics.json" in files or "summary.json" in files else "summary"


def find_reports(roots: dict[str, Path]) -> list[dict]:
    """Every report directory under every root: id (`root/relative/path`), title, kind."""
    out = []
    for key, root in roots.items():
        for path, files in _walk(root):
            if not files & set(MARKERS):
                continue
            rel = path.relative_to(root).as_posix()
            out.append({"id": key if rel == "." else f"{key}/{rel}", "root": key,
                        "path": "" if rel == "." else rel, "title": _title(path, files, rel), "kind": _kind(files)})
    return out


def resolve(roots: dict[str, Path], ref: str, *, want: str = "file") -> Path:
    """`root/relative/path` -> a file (or a report directory, `want="dir"`) inside a report directory."""
    key, _, rel = ref.partition("/")
    if "\x00" in ref or "\\" in rel or rel.startswith("/") or ".." in rel.split("/"):
        raise WebPathError(400, "bad_path", "the path must be relative and stay inside the report directories")
    if key not in roots:
        raise WebPathError(404, "not_found", f"no report directory {key!r}")
    root = roots[key]
    path = (root / rel).resolve()
    if not path.is_relative_to(root):  # a symlink out of the run: as if it were not there
        raise WebPathError(404, "not_found", f"{ref} not found")
    reports = [root / r["path"] for r in find_reports({key: root})]
    if want == "dir":
        if path not in reports:
            raise WebPathError(404, "not_found", f"no report {ref!r}")
        return path
    # a report's own files and its predictions/, nothing deeper: a report at a run's top level must not
    # open the run's data/ or weights
    parent = path.parent.parent if path.parent.name == "predictions" else path.parent
    if not path.is_file() or path.suffix.lower() not in MEDIA_TYPES or parent not in reports:
        raise WebPathError(404, "not_found", f"{ref} not found")
    return path


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        return f"({path.name} is larger than {MAX_TEXT_BYTES // 1024 // 1024} MiB; open it directly)"
    return path.read_text(encoding="utf-8", errors="replace")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(_read_text(path))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _summary_table(metrics: dict) -> dict | None:
    """The headline table of a `routerforge eval` report (the columns of its report.md summary)."""
    routers = metrics.get("routers")
    if not isinstance(routers, dict):
        return None
    columns = [{"key": k, "title": t, "kind": kind} for k, t, kind in SUMMARY]
    rows = [{"name": n, "values": {k: m.get(k) for k, _, _ in SUMMARY}} for n, m in routers.items()
            if isinstance(m, dict)]
    classes = sorted({c for m in routers.values() if isinstance(m, dict) for c in m.get("per_class", {})})
    per_class = [{"name": n, "values": {c: m.get("per_class", {}).get(c) for c in classes}}
                 for n, m in routers.items() if isinstance(m, dict)]
    return {"columns": columns, "rows": rows, "classes": classes, "per_class": per_class}


def _plan_table(metrics: dict) -> dict | None:
    """plan_metrics.json: metric rows, one column overall and one per category."""
    overall = metrics.get("overall")
    if not isinstance(overall, dict):
        return None
    cats = metrics.get("per_category") or {}
    columns = ["overall"] + [f"{c} (n={v.get('n', '?')})" for c, v in cats.items()]
    rows = [{"name": m, "values": [v] + [cats[c].get(m) for c in cats]} for m, v in overall.items()]
    return {"columns": columns, "rows": rows, "n": metrics.get("n")}


def read_report(roots: dict[str, Path], report_id: str) -> dict:
    """One report: its tables (from metrics.json / plan_metrics.json), report markdown, plots and
    predictions files, each file named by the `root/path` reference /api/files accepts."""
    path = resolve(roots, report_id, want="dir")
    key = report_id.partition("/")[0]
    ref = lambda p: f"{key}/{p.relative_to(roots[key]).as_posix()}"  # noqa: E731
    files = {p.name for p in path.iterdir() if p.is_file()}
    metrics = _read_json(path / "metrics.json") if "metrics.json" in files else {}
    plan = _read_json(path / "plan_metrics.json") if "plan_metrics.json" in files else {}
    markdown_name = next((n for n in ("report.md", "plan_report.md", "RESULTS.md") if n in files), None)
    predictions = []
    if (path / "predictions").is_dir():  # routerforge eval: predictions/<router>.jsonl
        predictions = [{"label": p.stem, "ref": ref(p)} for p in sorted((path / "predictions").glob("*.jsonl"))]
    elif "plan_per_row.jsonl" in files:  # a plan report: per-row scores (queries joined from predictions.jsonl)
        predictions = [{"label": "plans", "ref": ref(path / "plan_per_row.jsonl")}]
    return {
        "id": report_id, "title": _title(path, files, report_id), "kind": _kind(files),
        "meta": metrics.get("meta") if isinstance(metrics.get("meta"), dict) else None,
        "n": metrics.get("n", plan.get("n")),
        "table": _summary_table(metrics), "plan_table": _plan_table(plan),
        "markdown": _read_text(path / markdown_name) if markdown_name else None,
        "markdown_ref": ref(path / markdown_name) if markdown_name else None,
        "images": [{"name": p.name, "ref": ref(p)} for p in sorted(path.iterdir())
                   if p.is_file() and p.suffix.lower() in IMAGE_TYPES],
        "predictions": predictions,
        "files": sorted(ref(path / n) for n in files if Path(n).suffix.lower() in MEDIA_TYPES),
    }
