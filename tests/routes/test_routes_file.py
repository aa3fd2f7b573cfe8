"""Routes files: validation errors name the line and the field; activation makes the routes the vocabulary;
the data of an upstream route comes from its examples, and held-out examples only reach the test split."""

from __future__ import annotations

import json

import pytest

from routerforge.cli import main
from routerforge.errors import ConfigError
from routerforge.experts import default_expert, expert_names, reset_experts
from routerforge.experts.routes import activate, load_routes, parse_routes, route_of
from routerforge.train.routes_init import ROUTES_YAML, read_labelled

EXAMPLES = "[" + ", ".join(f'"question number {i} about a bill"' for i in range(6)) + "]"


def _file(routes: str, default: str = "talk") -> str:
    return f"default: {default}\nroutes:\n{routes}"


TALK = ("  - name: talk\n    description: chit-chat\n"
        "    examples: [hi, hello there, good morning, how are you, thanks a lot]\n"
        "    target: {upstream: 'http://127.0.0.1:9/v1', model: m}\n")


@pytest.mark.parametrize("text, needle", [
    (_file("  - name: bill\n    description: bills\n    examples: [a, b]\n"
           "    target: {upstream: 'http://127.0.0.1:9/v1', model: m}\n" + TALK),
     ":3: routes[0]: an upstream route needs at least 5 examples"),
    (_file("  - name: Bill\n    description: bills\n    examples: " + EXAMPLES + "\n"
           "    target: {upstream: 'http://127.0.0.1:9/v1', model: m}\n" + TALK),
     ":3: routes[0].name: 'Bill' is not a route name"),
    (_file(TALK + "  - name: sums\n    description: maths\n    target: {expert: algebra}\n"),
     ":9: routes[1].target.expert: unknown expert or class 'algebra'"),
    (_file(TALK + "  - name: sums\n    description: maths\n    target: {expert: math}\n", default="sums"),
     "default 'sums' must have an upstream target"),
    (_file(TALK + TALK), "route names repeat: talk"),
    (_file(TALK + "  - name: bill\n    description: bills\n    examples: " + EXAMPLES + "\n"
           "    target: {upstream: 'ftp://x', model: m}\n"), ":10: routes[1].target.upstream"),
    (_file(TALK + "  - name: bill\n    description: bills\n    examples: " + EXAMPLES + "\n"
           "    target: {upstream: 'http://x/v1', model: m}\n    colour: red\n"), ":11: routes[1].colour: Extra inputs"),
    ("default: talk\nroutes: [\n", ": not valid YAML"),
    (_file(TALK + "  - name: sums\n    description: maths\n    target: {expert: chat}\n"), "built-in passthrough"),
])
def test_errors_name_line_and_field(tmp_path, text, needle):
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_routes(path)
    assert needle in str(err.value) and str(path) in str(err.value)


def test_train_with_a_bad_routes_file_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "routes.yaml"
    path.write_text("default: x\nroutes: []\n")
    assert main(["train", "--routes", str(path), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "routes" in err and "Traceback" not in err and err.count("\n") == 1


def test_activation_makes_the_routes_the_vocabulary():
    routes = parse_routes(ROUTES_YAML)
    activate(routes)
    assert expert_names() == ["billing", "bug_report", "add", "subtract", "multiply", "divide", "small_talk"]
    assert default_expert() == "small_talk"
    assert route_of(routes)["multiply"] == "math" and route_of(routes)["billing"] == "billing"
    from routerforge.models.prompts import system_prompt

    assert system_prompt(style="minimal").split(": ", 1)[1].split() == expert_names()
    reset_experts()
    assert "chat" in expert_names() and "billing" not in expert_names() and default_expert() == "chat"


def test_route_data_comes_from_examples_and_holds_them_out():
    from routerforge.data.config import DataConfig
    from routerforge.data.generate import generate_with_stats, normalize_query

    routes = parse_routes(ROUTES_YAML)
    activate(routes)
    rows, stats = generate_with_stats(DataConfig(examples=600, test_ratio=0.2))
    assert set(stats["class_counts"]["test"]) == {"billing", "bug_report", "math", "small_talk"}
    examples = {normalize_query(q) for r in routes.routes for q in r.examples}
    held = set(stats["holdout"]["billing"]["test_template_ids"])
    assert len(held) == 5  # a quarter of 20 examples
    train_templates = {r["template_id"] for r in rows["train"] if r["expert"] == "billing"}
    assert held.isdisjoint(train_templates)
    assert {r["template_id"] for r in rows["test"] if r["expert"] == "billing"} <= held
    # every billing row is an example, possibly with surface variations around it
    plain = [r for r in rows["train"] if r["expert"] == "billing" and r["variation"] == "none"]
    assert plain and all(normalize_query(r["query"]) in examples for r in plain)
    assert all(r["messages"][-1]["content"] == "billing: -> <upstream:billing>" for r in plain)


def test_labelled_traffic(tmp_path):
    routes = parse_routes(ROUTES_YAML)
    path = tmp_path / "traffic.jsonl"
    path.write_text(json.dumps({"query": "Refund  please", "route": "billing"}) + "\n\n"
                    + json.dumps({"query": "hey", "route": "small_talk"}) + "\n")
    assert read_labelled(path, routes) == {"billing": ["Refund please"], "small_talk": ["hey"]}
    for line, needle in [('{"query": "x", "route": "math"}', "an expert route"),
                         ('{"query": "x", "route": "nope"}', "not a route"),
                         ('{"query": 3, "route": "billing"}', "text fields"), ("{oops", "not valid JSON")]:
        path.write_text('{"query": "ok", "route": "billing"}\n' + line + "\n")
        with pytest.raises(ConfigError, match=rf"traffic.jsonl:2: .*{needle}"):
            read_labelled(path, routes)


def test_init_writes_an_example_that_parses_and_refuses_to_overwrite(tmp_path, capsys):
    assert main(["init", str(tmp_path / "desk")]) == 0
    names = sorted(p.name for p in (tmp_path / "desk").iterdir())
    assert names == ["gate.yaml", "labelled.jsonl", "routes.yaml", "train.yaml", "upstream.py"]
    routes = load_routes(tmp_path / "desk" / "routes.yaml")
    assert routes.default == "small_talk" and len(routes.routes) == 4
    read_labelled(tmp_path / "desk" / "labelled.jsonl", routes)
    capsys.readouterr()
    assert main(["init", str(tmp_path / "desk")]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "desk"), "--force"]) == 0
