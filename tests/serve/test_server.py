"""The HTTP server, tested against a REAL uvicorn server on 127.0.0.1 (a free port) with httpx.

The router is a small deterministic keyword router built on `finish()`, so the experts really run.
"""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import pytest


from routerforge.routers.base import BaseRouter, Routed, finish  # noqa: E402
from routerforge.serve.server import PASSTHROUGH_REPLY, ServerLimits  # noqa: E402
from routerforge.serve.server_cli import ServerThread  # noqa: E402

ARITH = re.compile(r"(\d+)\s*([*+])\s*(\d+)")
TIME = re.compile(r"\btime in ([A-Za-z_/]+)", re.I)
OPS = {"*": "multiply", "+": "add"}


class KeywordRouter:
    """digits op digits -> multiply/add with the expression as spec; 'time in X' -> time; else chat.
    No `chat_reply`: the server answers chat with its fixed passthrough reply."""

    name = "keyword"

    def __init__(self, run=None) -> None:
        self.run = run

    def decide(self, query: str) -> tuple[str, str]:
        if m := ARITH.search(query):
            return OPS[m.group(2)], f"{m.group(1)} {m.group(2)} {m.group(3)}"
        if m := TIME.search(query):
            return "time", m.group(1)
        return "chat", ""

    def route(self, query: str) -> Routed:
        started = time.perf_counter()
        expert, spec = self.decide(query)
        return finish(query, expert, spec, started=started)

    def route_batch(self, queries: list[str]) -> list[Routed]:
        return [self.route(q) for q in queries]


class ChattyRouter(KeywordRouter):
    name = "keyword-chatty"

    def chat_reply(self, query: str) -> str:
        return f"chat model says hi to: {query}"


class EdgeRouter(KeywordRouter):
    """Blocks on 'slow' (until `release` is set, at most 5 s) and raises on 'boom'."""

    name = "edge"

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def route(self, query: str) -> Routed:
        if "slow" in query:
            self.release.wait(5)
        if "boom" in query:
            raise RuntimeError("router exploded")
        return super().route(query)


LIMITS = ServerLimits(max_body_bytes=48 * 1024, max_query_chars=200, max_batch=8, timeout_s=10)


def wait_healthy(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} never became healthy")


@pytest.fixture(scope="module")
def server():
    with ServerThread(ChattyRouter(), limits=LIMITS) as srv:
        wait_healthy(srv.url)
        yield srv
    assert not srv._thread.is_alive(), "server thread did not stop"


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


def test_router_satisfies_protocol():
    assert isinstance(KeywordRouter(), BaseRouter)


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["router"] == "keyword-chatty"


def test_route_executes_expert(client):
    r = client.post("/v1/route", json={"query": "What is 256 * 4?"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["expert"], d["spec"], d["result"], d["answer"], d["ok"]) == ("multiply", "256 * 4", "1024", "1024", True)
    assert d["expert_class"] == "math" and d["query"] == "What is 256 * 4?"
    assert set(Routed("q", "chat").to_output_row()) | {"expert_class"} == set(d)


def test_route_chat_time_and_batch(client):
    assert client.post("/v1/route", json={"query": "tell me a joke"}).json()["expert_class"] == "chat"
    d = client.post("/v1/route", json={"query": "what's the time in Tokyo?"}).json()
    assert (d["expert"], d["spec"], d["ok"]) == ("time", "Tokyo", True) and re.fullmatch(r"\d\d:\d\d \w+", d["result"])
    r = client.post("/v1/route/batch", json={"queries": ["3 + 4", "hello", "12 * 12"]})
    assert r.status_code == 200, r.text
    assert [(d["expert"], d["result"]) for d in r.json()] == [("add", "7"), ("chat", None), ("multiply", "144")]


def _error(r: httpx.Response, status: int, kind: str) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    err = r.json()["error"]
    assert err["type"] == kind and isinstance(err["message"], str) and err["message"]
    return err["message"]


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("body, headers, status, kind, needle", [
    (b'{"query": ', JSON, 400, "invalid_json", "JSON"),
    (b'\xff\xfe{"query": "x"}', JSON, 400, "invalid_json", "JSON"),
    (b'{"query": "2 * 3"}', {"content-type": "text/plain"}, 415, "unsupported_media_type", "text/plain"),
    (b'{"query": "2 * 3"}', {}, 415, "unsupported_media_type", "application/json"),
    (b'{"query": "2 * 3", "foo": 1}', JSON, 422, "invalid_request", "foo"),
    (b'{}', JSON, 422, "invalid_request", "query"),
    (b'[1, 2]', JSON, 422, "invalid_request", "body"),
    (b'{"query": 5}', JSON, 422, "invalid_request", "query"),
    (b'{"query": null}', JSON, 422, "invalid_request", "query"),
    (b'{"query": ' + b"[" * 20000 + b"]" * 20000 + b"}", JSON, 400, "invalid_json", "JSON"),
    (b'{"query": "2 * 3 \\ud800"}', JSON, 422, "invalid_request", "surrogate"),
    (b'{"query": ""}', JSON, 422, "invalid_request", "empty"),
    (b'{"query": "  \\n\\t "}', JSON, 422, "invalid_request", "empty"),
    (json.dumps({"query": "x" * 201}).encode(), JSON, 422, "invalid_request", "limit is 200"),
    (json.dumps({"query": "x" * 50_000}).encode(), JSON, 413, "payload_too_large", "49152"),
])
def test_bad_route_requests_are_clear_4xx(client, body, headers, status, kind, needle):
    r = client.post("/v1/route", content=body, headers=headers)
    assert needle in _error(r, status, kind)


def test_streamed_body_over_limit_without_content_length(client):
    def chunks():  # no Content-Length: httpx sends it chunked, so the server must count
        yield b'{"query": "'
        for _ in range(50):
            yield b"x" * 1000
        yield b'"}'

    r = client.post("/v1/route", content=chunks(), headers=JSON)
    assert "content-length" not in r.request.headers
    _error(r, 413, "payload_too_large")
    # a small chunked body is fine
    r = client.post("/v1/route", content=iter([b'{"query": ', b'"6 * 7"}']), headers=JSON)
    assert r.status_code == 200 and r.json()["result"] == "42"


def test_stalled_body_times_out():
    import socket

    with ServerThread(KeywordRouter(), limits=ServerLimits(timeout_s=0.5)) as srv:
        with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
            sock.sendall(b"POST /v1/route HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"query\": ")  # ...and then nothing
            # headers and body may arrive in separate packets: read until the body is complete
            data = b""
            while True:
                head, sep, body = data.partition(b"\r\n\r\n")
                length = re.search(rb"content-length: *(\d+)", head, re.I) if sep else None
                if length and len(body) >= int(length.group(1)):
                    break
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            reply = data.decode()
        assert reply.startswith("HTTP/1.1 408") and "request_timeout" in reply
        assert httpx.post(f"{srv.url}/v1/route", json={"query": "2 * 21"}, timeout=5).json()["result"] == "42"


def test_unknown_path_and_method(client):
    _error(client.get("/nope"), 404, "not_found")
    _error(client.get("/v1/route"), 405, "method_not_allowed")


@pytest.mark.parametrize("payload, needle", [
    ({"queries": []}, "queries"),
    ({"queries": ["1 + 1"] * 9}, "limit is 8"),
    ({"queries": ["1 + 1", " "]}, "queries[1] is empty"),
    ({"queries": "1 + 1"}, "queries"),
    ({"queries": ["1 + 1"], "extra": True}, "extra"),
])
def test_bad_batches(client, payload, needle):
    assert needle in _error(client.post("/v1/route/batch", json=payload), 422, "invalid_request")


def test_chat_completions_openai_shape(client):
    r = client.post("/v1/chat/completions", json={
        "model": "whatever", "temperature": 0.2, "max_tokens": 50, "seed": 7, "tools": [],
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "1 + 1"},
                     {"role": "assistant", "content": "2"},
                     {"role": "user", "content": [{"type": "text", "text": "What is 256 * 4?"}]}]})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["object"] == "chat.completion" and d["id"].startswith("chatcmpl-") and isinstance(d["created"], int)
    assert d["model"] == "keyword-chatty"
    choice = d["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "1024"} and choice["finish_reason"] == "stop"
    assert d["usage"]["total_tokens"] == d["usage"]["prompt_tokens"] + d["usage"]["completion_tokens"]
    assert d["routerforge"]["expert"] == "multiply" and d["routerforge"]["spec"] == "256 * 4"


def test_chat_completions_passthrough_uses_chat_reply(client):
    r = client.post("/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "hi!"}]})
    d = r.json()
    assert d["routerforge"]["expert_class"] == "chat"
    assert d["choices"][0]["message"]["content"] == "chat model says hi to: hi!"


def test_chat_completions_stream(client):
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "12 * 12"}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = [line[len("data: "):] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "144"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["routerforge"]["expert"] == "multiply"


@pytest.mark.parametrize("payload, needle", [
    ({"model": "m", "messages": []}, "messages"),
    ({"model": "m"}, "messages"),
    ({"model": "m", "messages": [{"role": "system", "content": "x"}]}, "no message with role 'user'"),
    ({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}, "role"),
    ({"model": "m", "messages": [{"role": "user", "content": "x", "mood": "happy"}]}, "mood"),
    ({"model": "m", "messages": [{"role": "user", "content": 42}]}, "content"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
     "content"),
    ({"model": "m", "messages": [{"role": "user", "content": "   "}]}, "empty"),
    ({"model": "m", "messages": [{"role": "user", "content": "hi \ud800"}]}, "surrogate"),
    ({"model": "m", "messages": [{"role": "user", "content": "y" * 201}]}, "limit is 200"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2}, "n=1"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 9}, "temperature"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}, "stream"),
    ({"model": "m", "messages": "hello"}, "messages"),
])
def test_bad_chat_requests(client, payload, needle):
    body = json.dumps(payload).encode()  # ASCII-escaped, so a lone surrogate travels as \ud800
    assert needle in _error(client.post("/v1/chat/completions", content=body, headers=JSON), 422, "invalid_request")


def test_metrics(client):
    client.post("/v1/route", json={"query": "9 * 9"})
    client.post("/v1/route", content=b"{", headers=JSON)
    client.post("/v1/route", content=b"{}", headers={"content-type": "text/plain"})
    client.get("/no/such/path/123")
    text = client.get("/metrics").text
    assert re.search(r'routerforge_http_requests_total\{method="POST",route="/v1/route",status="415"\} [1-9]', text)
    assert re.search(r'routerforge_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]', text)
    assert "/no/such/path" not in text
    assert re.search(r'routerforge_http_requests_total\{method="POST",route="/v1/route",status="200"\} [1-9]', text)
    assert re.search(r'routerforge_http_requests_total\{method="POST",route="/v1/route",status="400"\} [1-9]', text)
    assert re.search(r'routerforge_routed_total\{expert="multiply",expert_class="math",ok="true"\} [1-9]', text)
    assert 'routerforge_http_request_duration_seconds_bucket{le="0.005",route="/v1/route"}' in text
    assert "routerforge_router_pending 0.0" in text


def test_timeout_overload_and_router_errors_keep_serving():
    router = EdgeRouter()
    limits = ServerLimits(timeout_s=1.5, max_pending=1)  # margin for the 503 check on a busy machine
    with ServerThread(router, limits=limits) as srv, httpx.Client(base_url=srv.url, timeout=10) as c:
        wait_healthy(srv.url)
        out: dict = {}
        slow = threading.Thread(target=lambda: out.update(r=c.post("/v1/route", json={"query": "slow 2 * 2"})))
        slow.start()
        deadline = time.monotonic() + 5
        while c.get("/healthz").json()["pending"] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        # the one slot is taken: refused at once, and health still answers while the router is stuck
        _error(c.post("/v1/route", json={"query": "3 * 3"}), 503, "overloaded")
        assert c.get("/healthz").status_code == 200
        slow.join(10)
        assert "1.5 s" in _error(out["r"], 504, "timeout")
        router.release.set()  # unblock the worker; the server recovers
        deadline = time.monotonic() + 5
        while (r := c.post("/v1/route", json={"query": "3 * 3"})).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert r.json()["result"] == "9"
        assert "exploded" in _error(c.post("/v1/route", json={"query": "boom"}), 500, "router_error")
        assert c.post("/v1/route", json={"query": "4 * 4"}).json()["result"] == "16"
        # no chat_reply on this router: the fixed passthrough reply
        r = c.post("/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "hey"}]})
        assert r.json()["choices"][0]["message"]["content"] == PASSTHROUGH_REPLY
        assert "routerforge_router_timeouts_total 1.0" in c.get("/metrics").text


def test_limits_are_checked():
    with pytest.raises(ValueError, match="max_query_chars"):
        ServerLimits(max_query_chars=0)
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout_s"):
            ServerLimits(timeout_s=bad)


def _load_cases(n: int):
    """n (method, path, kwargs, expected_status, check) mixing good and bad requests, deterministically."""
    import random

    rng = random.Random(0)
    big = json.dumps({"query": "z" * 50_000})
    for i in range(n):
        a, b = rng.randint(0, 999), rng.randint(0, 999)
        kind = i % 10
        if kind == 0:
            yield "/v1/route", {"json": {"query": f"what is {a} * {b}?"}}, 200, \
                lambda d, a=a, b=b: d["expert"] == "multiply" and d["result"] == str(a * b)
        elif kind == 1:
            yield "/v1/route", {"json": {"query": f"add {a} + {b} please"}}, 200, \
                lambda d, a=a, b=b: d["expert"] == "add" and d["result"] == str(a + b)
        elif kind == 2:
            if i % 20 == 2:
                yield "/v1/route", {"json": {"query": f"write a poem about cat number {i}"}}, 200, \
                    lambda d: d["expert"] == "chat" and d["expert_class"] == "chat"
            else:
                yield "/v1/route", {"json": {"query": "the time in Asia/Tokyo?"}}, 200, \
                    lambda d: d["expert"] == "time" and d["ok"] and d["result"].endswith("JST")
        elif kind == 3:
            yield "/v1/chat/completions", {"json": {"model": "m", "messages": [
                {"role": "user", "content": f"{a} * {b}"}]}}, 200, \
                lambda d, a=a, b=b: d["choices"][0]["message"]["content"] == str(a * b)
        elif kind == 4:
            yield "/v1/route/batch", {"json": {"queries": [f"{a} + {b}", "hello", f"{a} * {b}"]}}, 200, \
                lambda d, a=a, b=b: [x["result"] for x in d] == [str(a + b), None, str(a * b)]
        else:
            yield from [  # one bad request per remaining slot, cycling through the kinds
                ("/v1/route", {"content": b'{"query": "1 *', "headers": JSON}, 400, None),
                ("/v1/route", {"json": {"query": "   "}}, 422, None),
                ("/v1/route", {"content": b'{"query": "1 + 1"}', "headers": {"content-type": "text/plain"}},
                 415, None),
                ("/v1/route", {"json": {"query": "1 + 1", "x": 1}}, 422, None),
                ("/v1/route", {"content": big.encode(), "headers": JSON}, 413, None),
            ][kind - 5:kind - 4]


def test_load_1000_mixed_requests_no_5xx():
    import asyncio

    cases = list(_load_cases(1000))
    assert len(cases) == 1000

    async def main() -> list:
        sem = asyncio.Semaphore(16)
        async with httpx.AsyncClient(base_url=srv.url, timeout=15) as c:
            async def one(case):
                path, kwargs, _, _ = case
                async with sem:
                    r = await c.post(path, **kwargs)
                    return r.status_code, r.json()

            return await asyncio.gather(*(one(case) for case in cases))

    with ServerThread(ChattyRouter(), limits=LIMITS) as srv:
        wait_healthy(srv.url)
        started = time.monotonic()
        results = asyncio.run(asyncio.wait_for(main(), timeout=120))  # bounded: never hangs the suite
        elapsed = time.monotonic() - started
        statuses = [s for s, _ in results]
        assert max(statuses) < 500
        for (path, kwargs, want, check), (status, body) in zip(cases, results):
            assert status == want, (path, kwargs, status, body)
            if check is not None:
                assert check(body), (path, kwargs, body)
            else:
                assert set(body) == {"error"}
        # still healthy, and every request was counted
        assert httpx.get(f"{srv.url}/healthz", timeout=5).json() == {"status": "ok", "router": "keyword-chatty",
                                                                       "pending": 0}
        metrics = httpx.get(f"{srv.url}/metrics", timeout=5).text
        counted = sum(float(m) for m in re.findall(r'routerforge_http_requests_total\{method="POST"[^}]*\} (\S+)',
                                                   metrics))
        assert counted == 1000
        models = httpx.get(f"{srv.url}/v1/models", timeout=5).json()
        assert models["object"] == "list" and models["data"][0]["id"] == "keyword-chatty"
    print(f"1000 mixed requests in {elapsed:.1f} s")


def test_serves_the_rules_baseline_by_name():
    from routerforge.serve.server_cli import build_router

    with ServerThread(build_router(None, "rules")) as srv, httpx.Client(base_url=srv.url, timeout=10) as c:
        wait_healthy(srv.url)
        d = c.post("/v1/route", json={"query": "What is 256 times 4?"}).json()
        assert (d["expert"], d["result"]) == ("multiply", "1024")
        r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hello there"}]})
        assert r.json()["choices"][0]["message"]["content"] == PASSTHROUGH_REPLY  # rules has no chat model


def test_serves_the_model_runtime(tiny_model_dir):
    """The real runtime (a tiny random Llama): answers are arbitrary, but every one is a valid
    decision and chat passthrough goes through `Router.chat_reply` on the worker thread."""
    import transformers
    from routerforge.experts import expert_names
    from routerforge.routers.generated import Router

    router = Router(transformers.AutoModelForCausalLM.from_pretrained(tiny_model_dir),
                    transformers.AutoTokenizer.from_pretrained(tiny_model_dir))
    with ServerThread(router) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        wait_healthy(srv.url)
        r = c.post("/v1/route/batch", json={"queries": ["What is 256 * 4?", "hi"]})
        assert r.status_code == 200 and all(d["expert"] in expert_names() for d in r.json())
        r = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hello"}]})
        assert r.status_code == 200 and isinstance(r.json()["choices"][0]["message"]["content"], str)
