"""The web page's JSON API (serve/webapp.py, reports.py, predictions.py), against a REAL uvicorn server
on 127.0.0.1 with httpx: the rules router (no mock), a run whose eval/ the real report writer made, and
raw HTTP (http.client) for the path-traversal checks, because httpx would normalise `..` away."""

from __future__ import annotations

import http.client
import json
import os

import httpx
import pytest

from routerforge.cli import main
from routerforge.errors import InputError
from routerforge.routers.base import Routed
from routerforge.routers.rules import RulesRouter
from routerforge.serve.server import create_app
from routerforge.serve.server_cli import ServerThread
from routerforge.serve.webapp import abstention, alternatives
from webpage_data import make_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def server(run_dir):
    with ServerThread(RulesRouter(), run_dir=run_dir) as srv:
        yield srv


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


def raw_get(server, path: str) -> tuple[int, dict]:
    """GET `path` byte for byte (no client-side normalisation of `..` or `//`)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


def test_page_and_assets(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert 'id="route-form"' in r.text and "/web/app.js" in r.text
    for name, kind in (("app.js", "javascript"), ("reports.js", "javascript"), ("markdown.js", "javascript"),
                       ("app.css", "text/css")):
        a = client.get(f"/web/{name}")
        assert a.status_code == 200 and kind in a.headers["content-type"], name
    assert client.get("/web/index.html").json()["error"]["type"] == "not_found"


def test_route_shows_the_decision(client):
    d = client.post("/api/route", json={"query": "What is 256 * 4?"}).json()
    assert (d["expert"], d["spec"], d["result"], d["ok"], d["expert_class"]) == ("multiply", "256 * 4", "1024", True, "math")
    assert d["confidence"] is None and d["latency_ms"] >= 0
    # the rules router reports neither probabilities nor abstention: said so, no number made up
    assert d["alternatives"] == {"available": False, "items": [], "note": d["alternatives"]["note"]}
    assert "no probabilities" in d["alternatives"]["note"]
    assert d["abstention"]["abstained"] is None and "rules" in d["abstention"]["reason"]
    # the page's requests are counted like /v1/route's
    assert 'routerforge_routed_total{expert="multiply"' in client.get("/metrics").text


@pytest.mark.parametrize("body,status,needle", [
    ({"query": "   "}, 422, "query is empty"),
    ({"query": "x" * 2001}, 422, "the limit is 2000"),
    ({"query": "hi", "n": 2}, 422, "n: Extra inputs are not permitted"),
    ({}, 422, "query: Field required"),
])
def test_route_errors(client, body, status, needle):
    r = client.post("/api/route", json=body)
    assert r.status_code == status
    assert r.json()["error"]["type"] == "invalid_request" and needle in r.json()["error"]["message"]


def test_route_needs_json(client):
    r = client.post("/api/route", content="query=hi", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and r.json()["error"]["type"] == "unsupported_media_type"


class Thresholded:
    """The attributes abstention() reads from the trained runtime: a name and its threshold."""

    name, abstain_below = "trained", 0.9


def test_abstention_is_read_from_raw_and_threshold():
    low = Routed("2 times 3", "chat", raw="multiply: 2 * 3", confidence=0.4)
    a = abstention(Thresholded(), low)
    assert a["abstained"] is True and a["model_choice"] == "multiply" and "0.400" in a["reason"]
    assert abstention(Thresholded(), Routed("q", "multiply", raw="multiply: 2 * 3", confidence=0.95))["abstained"] is False
    chose_chat = abstention(Thresholded(), Routed("hi", "chat", raw="chat:", confidence=0.5))
    assert chose_chat["abstained"] is False and "chose chat itself" in chose_chat["reason"]
    assert "no confidence" in abstention(Thresholded(), Routed("q", "chat"))["reason"]
    alts = alternatives(Routed("q", "add", confidence=0.7, extra={"alternatives": [{"expert": "multiply", "probability": 0.2}]}))
    assert alts["available"] is True and alts["items"][0]["expert"] == "multiply"
    assert "only the probability" in alternatives(Routed("q", "add", confidence=0.7))["note"]


def test_reports_list_and_one_report(client):
    listed = client.get("/api/reports").json()
    assert listed["roots"] == ["run"]
    (report,) = [r for r in listed["reports"] if r["id"] == "run/eval"]
    assert report["title"] == "tiny: held-out evaluation" and report["kind"] == "routers"
    r = client.get("/api/reports/run/eval").json()
    assert [row["name"] for row in r["table"]["rows"]] == ["rules"]
    row = r["table"]["rows"][0]["values"]
    assert row["n"] == 12 and row["expert_accuracy"] == pytest.approx(9 / 12)
    assert set(r["table"]["classes"]) == {"math", "time", "chat", "word_problem"}
    assert {i["name"] for i in r["images"]} == {"confusion_rules.png", "accuracy_latency.png"}
    assert r["predictions"] == [{"label": "rules", "ref": "run/eval/predictions/rules.jsonl"}]
    assert r["markdown"].startswith("# tiny: held-out evaluation")
    assert client.get("/api/reports/run/data").status_code == 404
    assert client.get("/api/reports/run/../eval").status_code in (400, 404)


def test_predictions_filter_by_class_and_outcome(client):
    url = "/api/predictions/run/eval/predictions/rules.jsonl"
    every = client.get(url).json()
    assert (every["total"], every["matched"], every["right"], every["wrong"]) == (12, 12, 9, 3)
    assert every["classes"] == ["chat", "math", "time", "word_problem"]
    wrong_math = client.get(url, params={"class": "math", "outcome": "wrong"}).json()
    assert wrong_math["matched"] == 2
    assert all(r["classes"] == ["math"] and r["right"] is False for r in wrong_math["rows"])
    assert {r["query"] for r in wrong_math["rows"]} == {"Qual è la media di 20, 860 e 995?",
                                                         "How far apart are the numbers 985 and 152.17?"}
    right = client.get(url, params={"outcome": "right", "q": "TOKYO"}).json()
    assert [r["query"] for r in right["rows"]] == ["What time is it in Tokyo?"]
    assert right["rows"][0]["verdicts"] == {"class_ok": True, "zone_ok": True}
    page = client.get(url, params={"offset": 10, "limit": 5}).json()
    assert [r["row"] for r in page["rows"]] == [10, 11]
    for params in ({"outcome": "maybe"}, {"limit": 0}, {"offset": -1}):
        bad = client.get(url, params=params)
        assert bad.status_code == 422 and bad.json()["error"]["type"] == "invalid_request", params
    assert client.get("/api/predictions/run/eval/report.md").json()["error"]["type"] == "bad_path"


def test_files_are_served_only_from_report_dirs(client, server, run_dir):
    png = client.get("/api/files/run/eval/confusion_rules.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert client.get("/api/files/run/eval/metrics.json").json()["title"] == "tiny: held-out evaluation"
    for path in ("/api/files/run/../secret.txt", "/api/files/run/eval/../../secret.txt",
                 "/api/files/run/%2e%2e/secret.txt", "/api/files/run//etc/passwd",
                 "/api/predictions/run/../secret.txt"):
        status, body = raw_get(server, path)
        assert status == 400 and body["error"]["type"] == "bad_path", path
    for path in ("/api/files/run/config.yaml", "/api/files/run/run.json", "/api/files/run/data/train.jsonl",
                 "/api/files/nope/eval/metrics.json", "/api/files/run/eval/missing.png"):
        status, body = raw_get(server, path)
        assert status == 404 and body["error"]["type"] == "not_found", path
    link = run_dir / "eval" / "escape.txt"
    if not link.exists():
        os.symlink(run_dir.parent.parent / "secret.txt", link)
    assert client.get("/api/files/run/eval/escape.txt").status_code == 404  # a symlink out of the run


def test_logbook_beside_the_run(client):
    (book,) = client.get("/api/logbooks").json()["logbooks"]
    assert book["dir"] == "sweep" and book["unreadable_lines"] == 1
    table = book["table"]
    assert table["columns"][:4] == ["trial", "status", "params.lr", "params.epochs"]
    assert "metrics.expert_accuracy" in table["columns"] and "error" in table["columns"]
    assert [r[table["columns"].index("status")] for r in table["rows"]] == ["ok", "ok", "failed"]
    assert book["markdown"].startswith("# Sweep logbook")


def test_info(client):
    info = client.get("/api/info").json()
    assert info["router"] == "rules" and info["run"]["name"] == "trial-1" and info["run"]["model"] == "tiny"
    assert info["max_query_chars"] == 2000 and "multiply" in {e["name"] for e in info["experts"]}
    assert "plan route" in info["plans_note"]


def test_without_a_run_and_without_the_page(tmp_path):
    from fastapi.testclient import TestClient

    with TestClient(create_app(RulesRouter())) as c:
        assert c.get("/api/reports").json() == {"reports": [], "roots": []}
        assert c.get("/api/info").json()["run"] is None
    with TestClient(create_app(RulesRouter(), web=False)) as c:
        assert c.get("/").json()["error"]["type"] == "not_found"
        assert c.post("/v1/route", json={"query": "3 + 4"}).json()["result"] == "7"
    with pytest.raises(InputError, match="report directory not found"):
        create_app(RulesRouter(), reports=[tmp_path / "missing"])


def test_serve_cli_refuses_a_missing_reports_dir(tmp_path, capsys):
    assert main(["serve", "--router", "rules", "--reports", str(tmp_path / "missing")]) == 2
    assert "--reports directory not found" in capsys.readouterr().err
