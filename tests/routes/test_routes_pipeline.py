"""`routerforge train --routes` end to end on the tiny random model: the run remembers its routes, every
command that opens it decides over them, and constrained decoding can only name a route that exists."""

from __future__ import annotations

import json

import pytest

from routerforge.cli import main
from routerforge.experts import default_expert, expert_names, reset_experts
from routerforge.train.routes_init import write_example

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def routes_run(tiny_model_dir, tmp_path_factory):
    desk = tmp_path_factory.mktemp("desk")
    write_example(desk)
    out = tmp_path_factory.mktemp("runs") / "desk"
    code = main(["train", "--routes", str(desk / "routes.yaml"), "--data", str(desk / "labelled.jsonl"),
                 "--out", str(out), "--model", str(tiny_model_dir), "--examples", "120",
                 "--set", "sft.max_steps=2", "--set", "sft.batch_size=4", "--set", "sft.lora_layers=1"])
    reset_experts()  # as a fresh process would be: the run itself must bring its routes back
    assert code in (0, 1)  # a random model fails the gate; the run is complete either way
    return out


def test_the_run_stores_its_routes_and_traffic(routes_run):
    info = json.loads((routes_run / "run.json").read_text())
    assert [r["name"] for r in info["routes"]["routes"]] == ["billing", "bug_report", "math", "small_talk"]
    assert info["route_traffic"]["billing"] == ["I was charged in dollars instead of euros."]
    assert info["system"] == "Route to one of: billing bug_report add subtract multiply divide small_talk"
    test = [json.loads(line) for line in (routes_run / "data" / "test.jsonl").read_text().splitlines()]
    assert {r["expert_class"] for r in test} == {"billing", "bug_report", "math", "small_talk"}
    metrics = json.loads((routes_run / "eval" / "metrics.json").read_text())["routers"]["trained"]
    assert set(metrics["per_class"]) == {"billing", "bug_report", "math", "small_talk"}


def test_opening_the_run_brings_its_routes_and_decoding_names_only_them(routes_run):
    from routerforge.routers.generated import Router

    assert "chat" in expert_names()
    router = Router.from_run(routes_run)
    assert expert_names() == ["billing", "bug_report", "add", "subtract", "multiply", "divide", "small_talk"]
    assert default_expert() == "small_talk"
    queries = ["Why was I charged twice?", "The app crashes on start", "What is 12 * 4?", "hello!",
               "Tell me about the weather in Paris", "zzz qqq"]
    for routed in router.route_batch(queries):
        assert routed.expert in expert_names(), routed  # a random model, and still only route names


def test_serve_with_other_upstreams_must_keep_the_routes(routes_run, tmp_path, capsys):
    from routerforge.serve.server_cli import serve_routes
    from routerforge.train.routes_init import ROUTES_YAML

    other = tmp_path / "routes.yaml"
    other.write_text(ROUTES_YAML.replace("127.0.0.1:8001", "127.0.0.1:9001"))
    routes = serve_routes(str(routes_run), str(other))
    assert routes.route("billing").target.upstream == "http://127.0.0.1:9001/v1"
    other.write_text(ROUTES_YAML.replace("name: billing", "name: invoices"))
    assert main(["serve", "--run", str(routes_run), "--routes", str(other), "--port", "0"]) == 2
    assert "only upstreams may change" in capsys.readouterr().err
