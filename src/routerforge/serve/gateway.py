"""The gateway: forward a routed chat request to its route's upstream model (OpenAI-compatible), with
fallbacks, per-upstream timeouts and connection limits, and streaming pass-through.

`routerforge serve --run RUN` serves a run trained on a routes file as a gateway: `POST
/v1/chat/completions` routes the last user turn, and a route whose target is an `upstream` gets the
request body (its `model` replaced by the target's) forwarded to `{upstream}/chat/completions`. On a
timeout, a connection error or a 5xx the route's fallbacks are tried in order; when all fail the client
gets a 502 naming each failure. A 4xx from an upstream is the request's fault and is passed back as it is.

Each upstream has its own async httpx client (its own connection pool and limits), so a slow upstream
only ever holds its own connections: other routes keep answering.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import httpx
from prometheus_client import CollectorRegistry, Counter

from routerforge.experts.routes import Route, RoutesFile, UpstreamTarget, route_of


class UpstreamsFailed(Exception):
    """Every target of a route failed; `failures` says how, one line each."""

    def __init__(self, route: str, failures: list[str]) -> None:
        super().__init__(f"route {route!r}: every upstream failed: " + "; ".join(failures))
        self.failures = failures


@dataclass
class Forwarded:
    """An upstream's answer: the open response (read it, or stream it and close it), and who answered."""

    response: httpx.Response
    target: UpstreamTarget
    index: int  # 0 = the route's target, 1.. = its fallbacks


@dataclass
class Gateway:
    routes: RoutesFile
    registry: CollectorRegistry | None = None
    _clients: dict[tuple, httpx.AsyncClient] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.owner = route_of(self.routes)  # expert name -> route name
        self.upstream_requests = Counter(
            "routerforge_upstream_requests", "Requests forwarded to upstreams, by route, upstream and outcome",
            ["route", "upstream", "outcome"], registry=self.registry)

    # ---- which route --------------------------------------------------------------------------------
    def route_name(self, expert: str) -> str:
        """The route a decision belongs to; a decision the router could not make goes to the default."""
        return self.owner.get(expert, self.routes.default)

    def upstream_route(self, expert: str) -> Route | None:
        route = self.routes.route(self.route_name(expert))
        return route if isinstance(route.target, UpstreamTarget) else None

    # ---- forwarding ---------------------------------------------------------------------------------
    def _client(self, t: UpstreamTarget) -> httpx.AsyncClient:
        key = (t.upstream, t.timeout_s, t.max_connections)
        if key not in self._clients:  # made lazily: a client belongs to the event loop that uses it
            self._clients[key] = httpx.AsyncClient(
                timeout=httpx.Timeout(t.timeout_s),
                limits=httpx.Limits(max_connections=t.max_connections,
                                    max_keepalive_connections=t.max_connections))
        return self._clients[key]

    async def forward(self, route: Route, body: dict, *, stream: bool) -> Forwarded:
        failures = []
        for index, t in enumerate([route.target, *route.fallbacks]):
            assert isinstance(t, UpstreamTarget)
            outcome, response = await self._try(t, body, stream)
            self.upstream_requests.labels(route.name, t.label, outcome).inc()
            if response is not None:
                return Forwarded(response, t, index)
            failures.append(f"{t.label}: {outcome_text(outcome, t)}")
        raise UpstreamsFailed(route.name, failures)

    async def _try(self, t: UpstreamTarget, body: dict, stream: bool) -> tuple[str, httpx.Response | None]:
        headers = {"content-type": "application/json"}
        if t.api_key_env:
            key = os.environ.get(t.api_key_env)
            if not key:
                return "no_key", None
            headers["authorization"] = f"Bearer {key}"
        client = self._client(t)
        request = client.build_request("POST", t.upstream.rstrip("/") + "/chat/completions",
                                       json={**body, "model": t.model}, headers=headers)
        try:
            # the whole exchange (headers, and the body unless streaming) within the target's timeout
            response = await asyncio.wait_for(client.send(request, stream=True), t.timeout_s)
            if not stream:
                await asyncio.wait_for(response.aread(), t.timeout_s)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            return "timeout", None
        except httpx.TransportError:
            return "connect_error", None
        if response.status_code >= 500:
            await response.aclose()
            return "http_5xx", None
        return ("ok" if response.status_code < 400 else "http_4xx"), response

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def outcome_text(outcome: str, t: UpstreamTarget) -> str:
    return {"timeout": f"no answer within {t.timeout_s:g} s", "connect_error": "connection failed",
            "http_5xx": "server error (5xx)", "no_key": f"environment variable {t.api_key_env} is not set"}[outcome]


def decision_headers(route: str, confidence: float | None, router_ms: float,
                     fallback: UpstreamTarget | None = None) -> dict[str, str]:
    """The headers every gateway answer carries (x-routerforge-fallback only when a fallback answered)."""
    out = {"x-routerforge-route": route, "x-routerforge-router-ms": f"{router_ms:.1f}",
           "x-routerforge-confidence": "" if confidence is None else f"{confidence:.4f}"}
    if fallback is not None:
        out["x-routerforge-fallback"] = fallback.label
    return out


def gateway_routes(info: dict, routes_path: str | None) -> RoutesFile | None:
    """The routes a run is served with: its own, or `routes_path` (other upstreams for the same routes)."""
    from routerforge.errors import UserError
    from routerforge.experts.routes import load_routes

    trained = RoutesFile.model_validate(info["routes"]) if info.get("routes") else None
    if routes_path is None:
        return trained
    if trained is None:
        raise UserError("--routes needs a run trained on a routes file (routerforge train --routes)")
    routes = load_routes(routes_path)

    def shape(rf: RoutesFile) -> list:  # what the model learned: names, default, local expert targets
        return [rf.default] + [(r.name, None if isinstance(r.target, UpstreamTarget) else r.target.expert)
                               for r in rf.routes]

    if shape(routes) != shape(trained):
        raise UserError(f"{routes_path}: its routes differ from the run's ({', '.join(r.name for r in trained.routes)},"
                        f" default {trained.default}); only upstreams may change without retraining")
    return routes
