"""The server's web page and its JSON API: a playground that routes a request and explains the decision,
and a browser of the run's evaluation reports, predictions and sweep logbooks.

`mount_web(app, router, route=..., run_dir=..., reports=...)` adds, to the app `create_app` builds:

    GET  /                        the page (serve/web/: plain HTML, CSS and JS, no build step, no CDN)
    GET  /web/{name}              its assets (app.js, reports.js, markdown.js, app.css)
    GET  /api/info                the router, the run, the experts, the limits
    POST /api/route               {"query"} -> the decision with raw output, extra, abstention, alternatives
    GET  /api/reports             the report directories of the run (and of --reports directories)
    GET  /api/reports/{id}        one report: tables, markdown, plots, predictions files
    GET  /api/predictions/{ref}   rows of a predictions file; ?class=&outcome=right|wrong&q=&offset=&limit=
    GET  /api/files/{ref}         a report file (PNG, markdown, JSON, JSONL), never anything outside them
    GET  /api/logbooks            sweep logbooks (logbook.jsonl as a table, logbook.md)

`route` is the server's own path to the router (its worker thread, queue, timeout and metrics), so a
request from the page is served exactly as `POST /v1/route` is. Errors use the server's JSON shape
`{"error": {"type", "message"}}`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Awaitable, Callable

from fastapi import FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StrictStr

from routerforge.errors import InputError
from routerforge.experts import class_of, expert_names
from routerforge.routers.base import BaseRouter, Routed
from routerforge.serve.predictions import MAX_LIMIT, filter_predictions, find_logbooks
from routerforge.serve.reports import MEDIA_TYPES, WebPathError, find_reports, make_roots, read_report, resolve

WEB_DIR = Path(__file__).with_name("web")
ASSETS = {"app.js": "text/javascript; charset=utf-8", "reports.js": "text/javascript; charset=utf-8",
          "markdown.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
# the page loads nothing but its own files and report images; no inline script, no other origin
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; "
                "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
PLANS_NOTE = ("`routerforge serve` serves expert routers; a route-plan run is decoded with "
              "`routerforge plan route --run RUN` and has no HTTP endpoint. Its reports can still be browsed here.")


class PageRouteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: StrictStr


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _run_json(run_dir: Path | None) -> dict:
    """run.json and calibration.json as they are on disk (read directly: loading the run is the router's job)."""
    out: dict = {}
    for name in ("run.json", "calibration.json"):
        try:
            data = json.loads((run_dir / name).read_text(encoding="utf-8")) if run_dir else None
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict):
            out[name] = data
    return out


def abstention(router: BaseRouter, routed: Routed) -> dict:
    """Whether the router abstained (answered the fallback expert for want of confidence) and why.

    The trained runtime abstains when the confidence of the class it decoded is below `abstain_below`,
    keeping the model's own decision in `raw`; other routers say nothing, and the page says so."""
    name = getattr(router, "name", type(router).__name__)
    if not hasattr(router, "abstain_below"):
        return {"known": False, "abstained": None, "threshold": None,
                "reason": f"the {name} router has no abstention threshold, or does not report one"}
    threshold, conf = router.abstain_below, routed.confidence
    if threshold is None:
        return {"known": True, "abstained": False, "threshold": None,
                "reason": "no abstention threshold is set (the run has no calibrated abstain_below)"}
    if conf is None:
        return {"known": False, "abstained": None, "threshold": threshold,
                "reason": "this decision has no confidence to compare with the threshold"}
    if conf >= threshold:
        return {"known": True, "abstained": False, "threshold": threshold,
                "reason": f"confidence {conf:.3f} is at or above the threshold {threshold:.3f}"}
    chosen = routed.raw.split(":", 1)[0].strip() if routed.raw and ":" in routed.raw else None
    if chosen and chosen != routed.expert:
        return {"known": True, "abstained": True, "threshold": threshold, "model_choice": chosen,
                "reason": f"the model chose {chosen} with confidence {conf:.3f}, below the threshold "
                          f"{threshold:.3f}, so the router answered {routed.expert} instead"}
    return {"known": True, "abstained": False, "threshold": threshold,
            "reason": f"confidence {conf:.3f} is below the threshold {threshold:.3f}, but the model chose "
                      f"{routed.expert} itself"}


def alternatives(routed: Routed) -> dict:
    """The runner-up experts when the router reports them (`Routed.extra["alternatives"]`: a list of
    {"expert", "probability"}); otherwise what there is, said plainly: no number is made up here."""
    alts = routed.extra.get("alternatives")
    if isinstance(alts, list) and alts:
        return {"available": True, "items": _json_safe(alts), "note": None}
    if routed.confidence is not None:
        note = ("this router reports only the probability of the class it chose (the confidence); it does "
                "not score the other experts, so there are no alternatives to show")
    else:
        note = "this router reports no probabilities: no confidence and no alternatives"
    return {"available": False, "items": [], "note": note}


def decision_view(router: BaseRouter, routed: Routed) -> dict:
    return {**routed.to_output_row(), "expert_class": routed.expert_class, "raw": routed.raw,
            "extra": _json_safe(routed.extra), "abstention": abstention(router, routed),
            "alternatives": alternatives(routed)}


def mount_web(app: FastAPI, router: BaseRouter, *, route: Callable[[str], Awaitable[Routed]],
              run_dir: str | Path | None = None, reports: list[str | Path] | tuple = (),
              max_query_chars: int | None = None) -> None:
    """Add the page and its /api routes to `app`; `route(query)` decides one query the server's way."""
    roots = make_roots(run_dir, reports)  # a missing directory is an InputError before serving starts
    run_path = roots.get("run")
    logbook_dirs = [d for d in (run_path, run_path.parent if run_path else None) if d] + \
        [p for k, p in roots.items() if k != "run"]
    page = (WEB_DIR / "index.html").read_bytes()

    @app.exception_handler(WebPathError)
    async def _refused(request: Any, exc: WebPathError) -> JSONResponse:
        return JSONResponse({"error": {"type": exc.type, "message": exc.message}}, status_code=exc.status)

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @app.get("/web/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            raise WebPathError(404, "not_found", f"no asset {name!r}")
        return FileResponse(WEB_DIR / name, media_type=ASSETS[name], headers=PAGE_HEADERS)

    @app.get("/api/info")
    def info() -> dict:
        on_disk = _run_json(run_path)
        run = on_disk.get("run.json", {})
        return {"router": getattr(router, "name", type(router).__name__), "router_type": type(router).__name__,
                "run": {"name": run_path.name, "kind": run.get("kind", "router"), "model": run.get("model"),
                        "method": run.get("method"), "calibration": on_disk.get("calibration.json")}
                if run_path else None,
                "abstain_below": getattr(router, "abstain_below", None),
                "experts": [{"name": e, "class": class_of(e)} for e in expert_names()],
                "max_query_chars": max_query_chars, "report_roots": sorted(roots),
                "plans_note": PLANS_NOTE}

    @app.post("/api/route")
    async def page_route(body: PageRouteRequest) -> dict:
        return decision_view(router, await route(body.query))

    @app.get("/api/reports")
    def list_reports() -> dict:
        return {"reports": find_reports(roots), "roots": sorted(roots)}

    @app.get("/api/reports/{ref:path}")
    def one_report(ref: str) -> dict:
        return read_report(roots, ref)

    @app.get("/api/predictions/{ref:path}")
    def predictions(ref: str, cls: str | None = Query(None, alias="class", max_length=200),
                    outcome: str | None = Query(None, pattern="^(right|wrong)?$"),
                    q: str | None = Query(None, max_length=500), offset: int = Query(0, ge=0),
                    limit: int = Query(50, ge=1, le=MAX_LIMIT)) -> dict:
        path = resolve(roots, ref)
        if path.suffix != ".jsonl":
            raise WebPathError(400, "bad_path", f"{ref} is not a predictions file (.jsonl)")
        try:
            return {"ref": ref, **filter_predictions(path, cls=cls, outcome=outcome or None, text=q,
                                                     offset=offset, limit=limit)}
        except InputError as exc:
            raise WebPathError(422, "invalid_request", str(exc)) from None

    @app.get("/api/files/{ref:path}")
    def files(ref: str) -> Response:
        path = resolve(roots, ref)
        return FileResponse(path, media_type=MEDIA_TYPES[path.suffix.lower()],
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    @app.get("/api/logbooks")
    def logbooks() -> dict:
        return {"logbooks": find_logbooks(logbook_dirs)}
