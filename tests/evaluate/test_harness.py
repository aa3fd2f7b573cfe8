"""The harness end to end with a small deterministic generative router, and the report files."""

import json
import re
import time

import pytest

from routerforge.evaluate.harness import evaluate_routers
from routerforge.evaluate.report import write_report
from routerforge.routers.rules import RulesRouter
from routerforge.formats.decision import DecisionParseError, parse_decision
from routerforge.routers.base import BaseRouter, Routed, finish


class TinyTextRouter:
    """Writes a decision *text* (like a model would), parses it and runs the expert. Knows three
    patterns; 'mumble' queries produce unparseable text."""

    name = "tiny"

    def _write(self, query: str) -> str:
        if "mumble" in query:
            return "I would use the calculator"
        m = re.search(r"\d+\s*[*+/-]\s*\d+", query)
        if m:
            return f"multiply: {m.group()} ->"
        m = re.search(r"time in (\w+)", query)
        if m:
            return f"time: {m.group(1)} ->"
        return "chat:"

    def route(self, query: str) -> Routed:
        started = time.perf_counter()
        raw = self._write(query)
        try:
            d = parse_decision(raw)
        except DecisionParseError as exc:
            return Routed(query, "", ok=False, error=f"malformed decision: {exc}", raw=raw,
                          latency_ms=(time.perf_counter() - started) * 1000)
        return finish(query, d.expert, d.spec, started=started, raw=raw)

    def route_batch(self, queries):
        return [self.route(q) for q in queries]


class BrokenRouter:
    name = "broken"

    def route(self, query):
        raise RuntimeError("boom")

    def route_batch(self, queries):
        raise RuntimeError("boom")


ROWS = [
    {"query": "please compute 6 * 7", "expert_class": "math", "answer": 42, "group": "g1", "variation": "plain"},
    {"query": "6 * 7 now", "expert_class": "math", "answer": 42, "group": "g1", "variation": "terse"},
    {"query": "mumble 6 * 7", "expert_class": "math", "answer": 42, "group": "g1", "variation": "noisy"},
    {"query": "what is the time in Lisbon", "expert_class": "time", "zone": "Europe/London"},
    {"query": "tell me a story", "expert_class": "chat"},
]


@pytest.fixture(scope="module")
def results():
    routers = {"tiny": TinyTextRouter(), "rules": RulesRouter(), "broken": BrokenRouter()}
    assert all(isinstance(r, BaseRouter) for r in routers.values())
    return evaluate_routers(ROWS, routers, progress=False, batch_size=2)


def test_metrics_of_a_generative_router(results):
    m = results["routers"]["tiny"]
    assert m["n"] == 5
    assert m["format_validity"] == pytest.approx(0.8)  # the mumble row does not parse
    assert m["expert_accuracy"] == pytest.approx(0.8)
    assert m["answer_accuracy"] == pytest.approx(2 / 3)
    assert m["zone_accuracy"] == 1.0  # Lisbon has London's offsets in January and July
    assert m["robustness_consistency"] == 0.0 and m["flip_rate"] == 0.5
    assert m["throughput_qps"] > 0 and m["latency_p95_ms"] >= m["latency_p50_ms"] >= 0
    assert set(m["by_variation"]) == {"plain", "terse", "noisy"}


def test_a_broken_router_is_recorded_not_raised(results):
    m = results["routers"]["broken"]
    assert m["expert_accuracy"] == 0.0
    preds = results["predictions"]["broken"]
    assert all(p["error"].startswith("router error: RuntimeError") for p in preds)


def test_predictions_align_with_rows(results):
    preds = results["predictions"]["tiny"]
    assert [p["query"] for p in preds] == [r["query"] for r in ROWS]
    assert preds[0]["truth"]["answer"] == 42 and preds[0]["class_ok"] and preds[0]["answer_ok"]
    assert preds[2]["format_valid"] is False


def test_write_report(results, tmp_path):
    out = write_report(results, tmp_path / "rep", title="unit test")
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "metrics.json", "predictions", "accuracy_latency.png", "confusion_tiny.png",
            "confusion_rules.png", "confusion_broken.png"} <= names
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["title"] == "unit test" and "predictions" not in metrics
    assert metrics["routers"]["tiny"]["expert_accuracy"] == pytest.approx(0.8)
    lines = (out / "predictions" / "tiny.jsonl").read_text().splitlines()
    assert len(lines) == 5 and json.loads(lines[3])["expert"] == "time"
    md = (out / "report.md").read_text()
    assert "# unit test" in md and "| tiny |" in md and "confusion_tiny.png" in md
    # no stray temporary directories next to the report
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]


def test_report_dir_is_not_overwritten_without_force(results, tmp_path):
    out = tmp_path / "rep"
    write_report(results, out, plots=False)
    (out / "marker").write_text("old")
    with pytest.raises(FileExistsError, match="--force"):
        write_report(results, out, plots=False)
    assert (out / "marker").exists()
    write_report(results, out, plots=False, force=True)
    assert not (out / "marker").exists() and (out / "report.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_empty_inputs_are_errors():
    with pytest.raises(ValueError):
        evaluate_routers([], {"rules": RulesRouter()}, progress=False)
    with pytest.raises(ValueError):
        evaluate_routers(ROWS, {}, progress=False)
