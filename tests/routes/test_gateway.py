"""The gateway end to end over loopback HTTP: real upstream servers written here (a normal one, a slow one,
a failing one, one that checks the key), a real routerforge server in front, real HTTP clients. Nothing is
mocked: routing, forwarding, streaming, fallbacks, timeouts, 502s, headers and metrics are what a user gets."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from routerforge.experts.routes import activate, parse_routes
from routerforge.routers.base import Routed, finish
from routerforge.serve.server import ServerLimits
from routerforge.serve.server_cli import ServerThread, bind_socket


def upstream_app(name: str, *, delay: float = 0.0, status: int = 200, key: str | None = None) -> FastAPI:
    """An OpenAI-compatible chat server that says who it is and what model and message it got."""
    app = FastAPI()
    app.state.calls = 0

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        app.state.calls += 1
        body = await request.json()
        if key is not None and request.headers.get("authorization") != f"Bearer {key}":
            return JSONResponse({"error": {"message": "bad key"}}, status_code=401)
        await asyncio.sleep(delay)
        if status >= 400:
            return JSONResponse({"error": {"message": f"{name} is broken"}}, status_code=status)
        said = body["messages"][-1]["content"]
        text = f"{name}/{body['model']}: {said}"
        if body.get("stream"):
            async def events():
                for word in text.split(" "):
                    chunk = {"object": "chat.completion.chunk", "model": body["model"],
                             "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                yield "data: [DONE]\n\n"
            return StreamingResponse(events(), media_type="text/event-stream")
        return {"id": "up-1", "object": "chat.completion", "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "extra_from_upstream": body.get("temperature")}

    return app


class Upstream:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.sock = bind_socket("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "Upstream":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def closed_port_url() -> str:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


class WordRouter:
    """A deterministic router over the test's routes: keywords pick the route, 'N * M' is multiply."""

    name = "words"

    def route(self, query: str) -> Routed:
        started = time.perf_counter()
        if m := re.search(r"(\d+) \* (\d+)", query):
            return finish(query, "multiply", f"{m.group(1)} * {m.group(2)}", started=started, confidence=0.99)
        for word, route in (("charge", "billing"), ("crash", "bugs"), ("slow", "slowpoke"), ("broken", "broken"),
                            ("secret", "keyed")):
            if word in query:
                return finish(query, route, "", started=started, confidence=0.9)
        if "gibberish" in query:  # what an unparseable model output looks like
            return Routed(query, "", ok=False, error="unparseable decision", confidence=None)
        return finish(query, "talk", "", started=started, confidence=0.6)

    def route_batch(self, queries: list[str]) -> list[Routed]:
        return [self.route(q) for q in queries]


ROUTES = """
default: talk
routes:
  - name: billing
    description: bills
    examples: [a bill, my invoice, a refund please, charged twice, my card]
    target: {{upstream: "{a}", model: billing-llm}}
  - name: bugs
    description: crashes
    examples: [it crashed, blank page, error 500, cannot log in, button broken]
    target: {{upstream: "{b}", model: bug-llm}}
  - name: slowpoke
    description: a route whose upstream is too slow
    examples: [one, two, three, four, five]
    target: {{upstream: "{slow}", model: slow-llm, timeout_s: 0.5}}
    fallbacks: [{{upstream: "{b}", model: rescue-llm}}]
  - name: broken
    description: a route whose upstreams all fail
    examples: [six, seven, eight, nine, ten]
    target: {{upstream: "{fail}", model: x}}
    fallbacks: [{{upstream: "{closed}", model: y}}]
  - name: keyed
    description: an upstream that wants a key
    examples: [k1, k2, k3, k4, k5]
    target: {{upstream: "{keyed}", model: k, api_key_env: RF_TEST_KEY}}
    fallbacks: [{{upstream: "{closed}", model: y}}]
  - name: math
    description: arithmetic
    target: {{expert: math}}
  - name: talk
    description: chit-chat
    examples: [hi, hello, how are you, thanks, good night]
    target: {{upstream: "{fail}", model: general-llm}}
    fallbacks: [{{upstream: "{closed}", model: z}}, {{upstream: "{a}", model: general-llm}}]
"""


@pytest.fixture(scope="module")
def gateway():
    with Upstream(upstream_app("A")) as a, Upstream(upstream_app("B")) as b, \
            Upstream(upstream_app("SLOW", delay=3)) as slow, Upstream(upstream_app("FAIL", status=503)) as fail, \
            Upstream(upstream_app("KEYED", key="s3cret")) as keyed:
        routes = parse_routes(ROUTES.format(a=a.url, b=b.url, slow=slow.url, fail=fail.url, keyed=keyed.url,
                                            closed=closed_port_url()))
        activate(routes)
        with ServerThread(WordRouter(), limits=ServerLimits(timeout_s=10), routes=routes) as srv:
            yield srv, {"A": a, "B": b, "SLOW": slow, "FAIL": fail}
        from routerforge.experts import reset_experts

        reset_experts()


def chat(url: str, text: str, **extra) -> httpx.Response:
    return httpx.post(url + "/v1/chat/completions", timeout=20,
                      json={"model": "anything", "messages": [{"role": "system", "content": "be nice"},
                                                              {"role": "user", "content": text}], **extra})


def test_routes_and_forwards_with_the_decision_attached(gateway):
    srv, _ = gateway
    r = chat(srv.url, "why the double charge?", temperature=0.3)
    assert r.status_code == 200
    body = r.json()
    assert body["choices"][0]["message"]["content"] == "A/billing-llm: why the double charge?"
    assert body["extra_from_upstream"] == 0.3  # the client's body went through, only `model` replaced
    assert body["routerforge"]["route"] == "billing" and body["routerforge"]["expert"] == "billing"
    assert r.headers["x-routerforge-route"] == "billing"
    assert float(r.headers["x-routerforge-confidence"]) == pytest.approx(0.9)
    assert float(r.headers["x-routerforge-router-ms"]) >= 0
    assert "x-routerforge-fallback" not in r.headers
    assert chat(srv.url, "the app crash again").json()["choices"][0]["message"]["content"].startswith("B/bug-llm")


def test_streaming_is_passed_through(gateway):
    srv, _ = gateway
    with httpx.stream("POST", srv.url + "/v1/chat/completions", timeout=20,
                      json={"messages": [{"role": "user", "content": "a charge I do not know"}], "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["x-routerforge-route"] == "billing"
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    text = "".join(json.loads(e)["choices"][0]["delta"]["content"] for e in events[:-1])
    assert text.strip() == "A/billing-llm: a charge I do not know"


def test_a_slow_upstream_falls_back_and_blocks_nobody(gateway):
    srv, ups = gateway
    with ThreadPoolExecutor(4) as pool:
        slow = pool.submit(chat, srv.url, "slow one")
        time.sleep(0.1)
        t0 = time.monotonic()
        quick = [pool.submit(chat, srv.url, f"charge {i}") for i in range(3)]
        assert all(f.result().status_code == 200 for f in quick)
        quick_s = time.monotonic() - t0
        r = slow.result()
    assert quick_s < 2.0, "other routes waited for the slow upstream"
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"].startswith("B/rescue-llm")
    assert r.headers["x-routerforge-fallback"] == f"{ups['B'].url}#rescue-llm"


def test_5xx_and_refused_connections_fall_back_in_order(gateway):
    srv, ups = gateway
    before = ups["FAIL"].app.state.calls
    r = chat(srv.url, "hello there")  # talk: FAIL (503) -> closed port -> A
    assert r.status_code == 200 and r.headers["x-routerforge-route"] == "talk"
    assert r.json()["choices"][0]["message"]["content"].startswith("A/general-llm")
    assert r.headers["x-routerforge-fallback"] == f"{ups['A'].url}#general-llm"
    assert ups["FAIL"].app.state.calls == before + 1


def test_when_every_upstream_fails_a_502_names_each(gateway):
    srv, ups = gateway
    r = chat(srv.url, "this is broken")
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["type"] == "upstream_failed" and "broken" in err["message"]
    assert err["failures"][0] == f"{ups['FAIL'].url}#x: server error (5xx)"
    assert err["failures"][1].endswith("#y: connection failed")
    assert r.headers["x-routerforge-route"] == "broken"


def test_api_key_from_the_environment(gateway, monkeypatch):
    srv, _ = gateway
    r = chat(srv.url, "secret stuff")
    assert r.status_code == 502 and "RF_TEST_KEY is not set" in r.json()["error"]["failures"][0]
    monkeypatch.setenv("RF_TEST_KEY", "wrong")
    r = chat(srv.url, "secret stuff")
    assert r.status_code == 401  # an upstream's 4xx is the request's fault: passed back, no fallback
    monkeypatch.setenv("RF_TEST_KEY", "s3cret")
    r = chat(srv.url, "secret stuff")
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"].startswith("KEYED/k")


def test_expert_routes_run_locally_and_failed_decisions_go_to_the_default(gateway):
    srv, _ = gateway
    r = chat(srv.url, "what is 6 * 7")
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "42"
    assert r.headers["x-routerforge-route"] == "math" and r.json()["routerforge"]["expert"] == "multiply"
    assert r.json()["routerforge"]["route"] == "math"
    r = chat(srv.url, "gibberish")
    assert r.status_code == 200 and r.headers["x-routerforge-route"] == "talk"


def test_metrics_count_route_upstream_and_outcome(gateway):
    srv, ups = gateway
    chat(srv.url, "another charge")
    text = httpx.get(srv.url + "/metrics").text
    ok = [line for line in text.splitlines() if line.startswith("routerforge_upstream_requests_total{")
          and 'route="billing"' in line and 'outcome="ok"' in line]
    assert ok and f'upstream="{ups["A"].url}#billing-llm"' in ok[0] and float(ok[0].split()[-1]) >= 1
    assert 'outcome="timeout"' in text and 'outcome="http_5xx"' in text and 'outcome="connect_error"' in text
