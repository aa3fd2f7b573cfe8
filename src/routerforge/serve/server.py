"""The HTTP server: a FastAPI app around any `BaseRouter`.

Endpoints: `POST /v1/route`, `POST /v1/route/batch`, `POST /v1/chat/completions` (OpenAI-compatible,
with the routing decision in an extra `routerforge` field), `GET /healthz`, `GET /metrics` (Prometheus).

Hardening, because the router sits in front of everything: the body size is capped before any parsing
(Content-Length *and* the bytes actually received), only JSON bodies are accepted, queries are checked
for emptiness and length, and the router runs on one worker thread (models are not thread-safe) under a
per-request timeout with a bounded queue. Concurrent `/v1/route` requests are grouped into micro-batches
(serve/batcher.py): one `route_batch` call answers many. An overloaded server refuses at once with 503
and `Retry-After` (queue full, or a wait longer than the timeout expected) instead of timing requests
out. Every error is a 4xx/5xx JSON `{"error": {"type", "message"}}`; bad input never produces a 5xx.
See docs/serving.md.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from routerforge.errors import ConfigError
from routerforge.experts import expert_names
from routerforge.routers.base import BaseRouter, Routed
from routerforge.serve.batcher import BatcherClosed, MicroBatcher, retry_after_s
from routerforge.serve.gateway import Gateway, UpstreamsFailed, decision_headers

# A /v1/route request whose expected wait is over this share of the timeout is refused with 503: the
# estimate leaves out the batch window and HTTP overheads, so shedding at the timeout itself would be late.
SHED_AT = 0.8

# Reply used for chat passthrough when the router has no `chat_reply` (e.g. a rules baseline).
PASSTHROUGH_REPLY = "This request was routed to the chat model, but this server has no chat model attached."


@dataclass
class ServerLimits:
    max_body_bytes: int = 64 * 1024  # request bodies above this get 413, checked before parsing
    max_query_chars: int = 2000  # longer queries get 422
    max_batch: int = 32  # most queries in one /v1/route/batch request
    timeout_s: float = 30.0  # routing (and the chat reply) per request; over it -> 504
    max_pending: int = 64  # requests waiting for the router at once; over it -> 503 at once
    micro_batch: int = 16  # most /v1/route requests answered by one route_batch call; 1 = one at a time
    batch_window_ms: float = 5.0  # how long a batch that is not full waits for more requests to join

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_query_chars", "max_batch", "max_pending", "micro_batch"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"ServerLimits.{name} must be a positive integer, got {getattr(self, name)!r}")
        if not (isinstance(self.timeout_s, (int, float)) and 0 < self.timeout_s < math.inf):
            raise ConfigError(f"ServerLimits.timeout_s must be a positive number of seconds, got {self.timeout_s!r}")
        if not (isinstance(self.batch_window_ms, (int, float)) and 0 <= self.batch_window_ms < 1000):
            raise ConfigError(f"ServerLimits.batch_window_ms must be 0 to under 1000, got {self.batch_window_ms!r}")


class ApiError(Exception):
    """Raised by handlers; rendered as `{"error": {"type", "message"}}` with `status`."""

    def __init__(self, status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.message, self.headers = status, type_, message, headers


def error_response(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    message = message.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be sent as UTF-8
    return JSONResponse({"error": {"type": type_, "message": message}}, status_code=status, headers=headers)


# ---- request bodies -------------------------------------------------------------------------------

class RouteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: StrictStr


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queries: list[StrictStr] = Field(min_length=1)


class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text"]
    text: StrictStr


class ChatMessage(BaseModel):
    """One OpenAI message, validated strictly: known roles and fields only, text content only."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: StrictStr | list[TextPart] | None = None
    name: StrictStr | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: StrictStr | None = None
    refusal: StrictStr | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI chat-completions body. Unknown OpenAI extras (tools, seed, ...) are accepted and ignored;
    sampling fields are validated but do not change the answer (experts are deterministic)."""

    model_config = ConfigDict(extra="allow")
    messages: list[ChatMessage] = Field(min_length=1)
    model: StrictStr = ""
    stream: StrictBool = False
    n: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: StrictStr | list[StrictStr] | None = None
    user: StrictStr | None = None


# ---- middleware -----------------------------------------------------------------------------------

def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class GuardMiddleware:
    """Rejects non-JSON and oversized bodies before FastAPI reads them; replays the checked body."""

    def __init__(self, app: Any, limits: ServerLimits) -> None:
        self.app, self.limit, self.read_timeout = app, limits.max_body_bytes, limits.timeout_s

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if not _is_json(headers.get("content-type", "")):
            got = headers.get("content-type") or "none"
            return await error_response(415, "unsupported_media_type",
                                        f"Content-Type must be application/json, got {got}")(scope, receive, send)
        declared = headers.get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.limit):
            status, kind = (413, "payload_too_large") if declared.strip().isdigit() else (400, "bad_request")
            return await error_response(status, kind, f"body must be at most {self.limit} bytes "
                                        f"(Content-Length: {declared[:32]})")(scope, receive, send)
        chunks, size = [], 0
        deadline = time.monotonic() + self.read_timeout  # a client that stops sending must not hold us
        while True:  # count what actually arrives: Content-Length may be absent (chunked) or wrong
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0))
            except asyncio.TimeoutError:
                return await error_response(408, "request_timeout", f"the body did not arrive within "
                                            f"{self.read_timeout:g} s")(scope, receive, send)
            if message["type"] == "http.disconnect":
                return None
            size += len(message.get("body", b""))
            if size > self.limit:
                return await error_response(413, "payload_too_large",
                                            f"body must be at most {self.limit} bytes")(scope, receive, send)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for disconnect, as usual

        return await self.app(scope, replay, send)


class ObserveMiddleware:
    """Counts requests by route template and status and times them (outermost, so 413/415 count)."""

    def __init__(self, app: Any, metrics: "_Metrics") -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [500]

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            # known paths only (also for 413/415 answered before routing), so unknown URLs cannot
            # blow up the label cardinality
            path = scope["path"] if scope["path"] in self.metrics.paths else "unmatched"
            self.metrics.requests.labels(path, scope["method"], str(status[0])).inc()
            self.metrics.latency.labels(path).observe(time.perf_counter() - started)


class _Metrics:
    def __init__(self) -> None:
        self.paths: set[str] = set()  # the app's routes, filled in by create_app
        self.registry = CollectorRegistry()  # per app, so several apps in one process do not clash
        r = self.registry
        self.requests = Counter("routerforge_http_requests", "HTTP requests", ["route", "method", "status"], registry=r)
        self.latency = Histogram("routerforge_http_request_duration_seconds", "HTTP request latency", ["route"],
                                 registry=r, buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.routed = Counter("routerforge_routed", "Routed queries", ["expert", "expert_class", "ok"], registry=r)
        self.timeouts = Counter("routerforge_router_timeouts", "Router calls over the timeout", registry=r)
        self.pending = Gauge("routerforge_router_pending", "Requests waiting for or in the router", registry=r)
        self.shed = Counter("routerforge_router_shed", "Requests refused with 503 because the router was full",
                            registry=r)
        self.batch_size = Histogram("routerforge_micro_batch_size", "Queries per micro-batch of /v1/route",
                                    registry=r, buckets=(1, 2, 4, 8, 16, 32, 64))


# ---- the app ---------------------------------------------------------------------------------------

def decision_json(routed: Routed) -> dict:
    return {**routed.to_output_row(), "expert_class": routed.expert_class}


def create_app(router: BaseRouter, *, limits: ServerLimits | None = None, routes: Any = None,
               run_dir: Any = None, reports: Any = (), web: bool = True) -> FastAPI:
    """The FastAPI app serving `router`; run it with uvicorn (`routerforge serve`, or
    `routerforge.serve.server_cli.ServerThread` for a background thread). With `routes` (a
    `RoutesFile`) it is a gateway: chat requests routed to an upstream route are forwarded (gateway.py)."""
    limits = limits or ServerLimits()
    metrics = _Metrics()
    gateway = Gateway(routes, metrics.registry) if routes is not None else None
    # One worker thread + a lock: the model is not thread-safe, and the lock also guards against
    # anyone else in the process calling the same router object.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="routerforge-router")
    lock = threading.Lock()
    # call_s: a moving average of one unbatched router call (they run one at a time, under the lock)
    state: dict[str, Any] = {"pending": 0, "batcher": None, "call_s": None}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if state["batcher"] is not None:
            await state["batcher"].close()
            state["batcher"] = None  # a later lifespan (another loop) makes its own
        pool.shutdown(wait=False, cancel_futures=True)
        if gateway is not None:
            await gateway.aclose()

    app = FastAPI(title="routerforge", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.router, app.state.limits, app.state.metrics = router, limits, metrics
    app.add_middleware(GuardMiddleware, limits=limits)
    app.add_middleware(ObserveMiddleware, metrics=metrics)  # added last = outermost

    def locked(fn: Any, *args: Any) -> Any:
        with lock:
            return fn(*args)

    def shed(message: str, wait_s: float) -> ApiError:
        metrics.shed.inc()
        return ApiError(503, "overloaded", message, {"Retry-After": retry_after_s(wait_s)})

    def admit() -> None:
        if state["pending"] >= limits.max_pending:
            b = state["batcher"]  # retry when about one batch has drained
            raise shed(f"{state['pending']} requests are already waiting; retry later",
                       (b.batch_s or 1.0) if b is not None else 1.0)

    async def run_batch(queries: list[str]) -> list:
        return await asyncio.get_running_loop().run_in_executor(pool, locked, router.route_batch, queries)

    def batcher() -> MicroBatcher:
        if state["batcher"] is None:  # made in the running loop, which owns its task and futures
            state["batcher"] = MicroBatcher(run_batch, max_batch=limits.micro_batch,
                                            window_s=limits.batch_window_ms / 1000, max_queue=limits.max_pending,
                                            on_batch=metrics.batch_size.observe)
        return state["batcher"]

    def timed(ticket: dict, fn: Any, *args: Any) -> Any:  # locked(), keeping the average time of a call
        with lock:
            if ticket["abandoned"]:  # its request timed out while waiting and was answered with a 503
                return None
            ticket["started"] = True
            t0 = time.monotonic()
            try:
                return fn(*args)
            finally:
                took = time.monotonic() - t0
                state["call_s"] = took if state["call_s"] is None else 0.8 * state["call_s"] + 0.2 * took

    async def call_router(fn: Any, *args: Any, batched: bool = False) -> Any:
        admit()
        if batched:
            b = batcher()
            wait = b.expected_wait()
            # it would (nearly) time out: refuse now, and say when the backlog is short enough again
            if wait > SHED_AT * limits.timeout_s:
                raise shed(f"the router is {wait:.1f} s behind (timeout {limits.timeout_s:g} s); retry later",
                           wait - SHED_AT * limits.timeout_s)
            if b.full():
                raise shed(f"{b.waiting} requests are already queued; retry later", b.batch_s or 1.0)
        elif state["pending"]:
            # unbatched calls queue for the lock one by one: the same early refusal as the batcher's
            wait = state["pending"] * (state["call_s"] or 0.0)  # (no estimate before the first call)
            if wait > SHED_AT * limits.timeout_s:
                raise shed(f"the router is {wait:.1f} s behind (timeout {limits.timeout_s:g} s); retry later",
                           wait - SHED_AT * limits.timeout_s)
        state["pending"] += 1
        metrics.pending.inc()
        ticket = {"started": False, "abandoned": False}  # an unbatched call's progress
        try:
            if batched:
                return await asyncio.wait_for(b.submit(args[0]), limits.timeout_s)  # cancels a queued query
            future = asyncio.get_running_loop().run_in_executor(pool, timed, ticket, fn, *args)
            try:
                return await asyncio.wait_for(asyncio.shield(future), limits.timeout_s)
            except asyncio.TimeoutError:
                if not ticket["started"]:
                    raise
                # the call began late, after a wait for the lock: it gets its own timeout to finish
                return await asyncio.wait_for(future, limits.timeout_s)
        except BatcherClosed:
            raise ApiError(503, "shutting_down", "the server is shutting down; retry later",
                           {"Retry-After": "1"}) from None
        except asyncio.TimeoutError:
            if not batched and not ticket["started"]:  # it never reached the router: load, not a fault
                ticket["abandoned"] = True
                raise shed(f"waited {limits.timeout_s:g} s for the router; retry later", state["call_s"] or 1.0) \
                    from None
            metrics.timeouts.inc()
            raise ApiError(504, "timeout", f"routing took longer than {limits.timeout_s:g} s") from None
        except ApiError:
            raise
        except Exception as exc:  # a router bug: report it, keep serving
            raise ApiError(500, "router_error", f"{type(exc).__name__}: {str(exc)[:500]}") from None
        finally:
            state["pending"] -= 1
            metrics.pending.dec()

    def check_query(query: str, where: str) -> str:
        if not query.strip():
            raise ApiError(422, "invalid_request", f"{where} is empty")
        try:  # JSON "\ud800" decodes to a lone surrogate, which no response could encode back
            query.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(422, "invalid_request", f"{where} is not valid Unicode (lone surrogate)") from None
        if len(query) > limits.max_query_chars:
            raise ApiError(422, "invalid_request",
                           f"{where} is {len(query)} characters; the limit is {limits.max_query_chars}")
        return query

    def record(routed: Any) -> Routed:
        if not isinstance(routed, Routed):
            raise ApiError(500, "router_error", f"router returned {type(routed).__name__}, not Routed")
        # a model can emit any name; unknown ones share one label so metrics stay bounded
        expert = routed.expert if routed.expert in expert_names() else "unknown"
        metrics.routed.labels(expert, routed.expert_class if expert != "unknown" else "unknown",
                              str(routed.ok).lower()).inc()
        return routed

    def route_and_reply(query: str) -> tuple[Routed, str]:
        routed = router.route(query)
        if not isinstance(routed, Routed):
            return routed, ""
        if routed.expert_class == "chat":
            reply = getattr(router, "chat_reply", None)
            return routed, (reply(query) if callable(reply) else PASSTHROUGH_REPLY)
        if routed.ok:
            return routed, routed.answer if routed.answer is not None else (routed.result or "")
        return routed, f"The {routed.expert} expert could not answer: {routed.error}"

    def answer_locally(routed: Routed, query: str) -> tuple[Routed, str]:
        """Gateway mode, a route with an expert target: the expert's result, as without a gateway."""
        if routed.ok:
            return routed, routed.answer if routed.answer is not None else (routed.result or "")
        return routed, f"The {routed.expert} expert could not answer: {routed.error}"

    async def forward(route: Any, routed: Routed, body: ChatRequest) -> Response:
        """Send the client's body on to the route's upstream; the decision rides along in headers (and in
        a `routerforge` field of a JSON answer)."""
        payload = body.model_dump(mode="json", exclude_unset=True)
        try:
            got = await gateway.forward(route, payload, stream=body.stream)
        except UpstreamsFailed as exc:
            headers = decision_headers(route.name, routed.confidence, routed.latency_ms)
            return JSONResponse({"error": {"type": "upstream_failed", "message": str(exc), "failures": exc.failures},
                                 "routerforge": {**decision_json(routed), "route": route.name}},
                                status_code=502, headers=headers)
        headers = decision_headers(route.name, routed.confidence, routed.latency_ms,
                                   got.target if got.index else None)
        decision = {**decision_json(routed), "route": route.name, "upstream": got.target.label}
        response, media = got.response, got.response.headers.get("content-type", "application/json")
        if body.stream and response.status_code < 400:
            return StreamingResponse(response.aiter_raw(), status_code=response.status_code, media_type=media,
                                     headers=headers, background=BackgroundTask(response.aclose))
        try:
            data = response.json()
        except ValueError:  # not JSON: pass the bytes back as they came
            return Response(response.content, status_code=response.status_code, media_type=media, headers=headers)
        if isinstance(data, dict):
            data["routerforge"] = decision
        return JSONResponse(data, status_code=response.status_code, headers=headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Any, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.type, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Any, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "invalid_json", "request body is not valid JSON")
        parts = []
        for e in errors[:5]:  # loc + msg only: never echo the (possibly huge) input back
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
            parts.append(f"{loc}: {e.get('msg', 'invalid')}")
        return error_response(422, "invalid_request", "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Any, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's own body-parse failure (e.g. JSON nested too deeply)
            return error_response(400, "invalid_json", f"request body could not be parsed as JSON: {exc.detail}")
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, kind, str(exc.detail))

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "router": getattr(router, "name", type(router).__name__),
                "pending": state["pending"]}

    @app.get("/metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/route")
    async def route(body: RouteRequest) -> dict:
        query = check_query(body.query, "query")
        return decision_json(record(await call_router(router.route, query, batched=limits.micro_batch > 1)))

    @app.post("/v1/route/batch")
    async def route_batch(body: BatchRequest) -> list[dict]:
        if len(body.queries) > limits.max_batch:
            raise ApiError(422, "invalid_request",
                           f"{len(body.queries)} queries; the limit is {limits.max_batch} per request")
        queries = [check_query(q, f"queries[{i}]") for i, q in enumerate(body.queries)]
        results = await call_router(router.route_batch, queries)
        if not isinstance(results, list) or len(results) != len(queries):
            raise ApiError(500, "router_error", "route_batch did not return one result per query")
        return [decision_json(record(r)) for r in results]

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(body: ChatRequest) -> Any:
        if body.n not in (None, 1):
            raise ApiError(422, "invalid_request", "n: only n=1 is supported")
        users = [m for m in body.messages if m.role == "user"]
        if not users:
            raise ApiError(422, "invalid_request", "messages: no message with role 'user'")
        query = check_query(users[-1].text(), "the last user message")
        if gateway is not None:
            routed = record(await call_router(router.route, query, batched=limits.micro_batch > 1))
            upstream = gateway.upstream_route(routed.expert)
            if upstream is not None:
                return await forward(upstream, routed, body)
            routed, content = answer_locally(routed, query)
            headers = decision_headers(gateway.route_name(routed.expert), routed.confidence, routed.latency_ms)
        else:
            routed, content = await call_router(route_and_reply, query)
            headers = None
        decision = decision_json(record(routed) if gateway is None else routed)
        if gateway is not None:
            decision["route"] = headers["x-routerforge-route"]
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        model = getattr(router, "name", "routerforge")
        if body.stream:
            return StreamingResponse(_sse(completion_id, created, model, content, decision),
                                     media_type="text/event-stream", headers=headers)
        prompt_tokens, completion_tokens = len(query.split()), len(content.split())  # approximate
        return JSONResponse({
            "id": completion_id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
            "routerforge": decision,
        }, headers=headers)

    @app.get("/v1/models")
    async def models() -> dict:  # some OpenAI clients list models before chatting
        return {"object": "list", "data": [{"id": getattr(router, "name", "routerforge"), "object": "model",
                                            "created": 0, "owned_by": "routerforge"}]}

    if web:  # the page at / and its /api (serve/webapp.py): playground, reports of run_dir and `reports`
        from routerforge.serve.webapp import mount_web

        async def route_for_page(query: str) -> Routed:  # the /v1/route path: same queue, limits, metrics
            return record(await call_router(router.route, check_query(query, "query"),
                                            batched=limits.micro_batch > 1))

        mount_web(app, router, route=route_for_page, run_dir=run_dir, reports=reports,
                  max_query_chars=limits.max_query_chars)

    metrics.paths = {getattr(r, "path", "") for r in app.routes}
    return app


async def _sse(completion_id: str, created: int, model: str, content: str, decision: dict):
    """The whole answer is known before streaming starts, so: one content chunk, one final chunk."""
    base = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
    first = {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": content},
                                  "finish_reason": None}]}
    last = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "routerforge": decision}
    for chunk in (first, last):
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
