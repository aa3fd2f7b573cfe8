"""The one-command pipeline on a tiny model: run dir layout, refusal to overwrite, atomic publish,
and the `routerforge route` contract on the result."""

import json

import pytest

from conftest import DEMO_CONFIG as CONFIG
from conftest import train_tiny as _train
from routerforge.cli import main

pytestmark = pytest.mark.e2e  # whole pipelines through the CLI


def test_run_dir_layout(tiny_run):
    for name in ("COMPLETE", "run.json", "config.yaml", "train_log.jsonl", "timings.json",
                 "adapter/adapter_config.json", "data/train.jsonl", "data/test.jsonl", "data/manifest.json",
                 "eval/metrics.json", "eval/report.md", "calibration.json"):
        assert (tiny_run / name).exists(), name
    # the config asks for calibration: fitted on val before the evaluation, read back by from_run
    cal = json.loads((tiny_run / "calibration.json").read_text())
    assert cal["split"] == "val" and cal["target_precision"] == 0.99 and cal["temperature"] > 0
    manifest = json.loads((tiny_run / "data" / "manifest.json").read_text())
    assert set(manifest) == {"train.jsonl", "val.jsonl", "test.jsonl"}
    assert all(len(v["sha256"]) == 64 for v in manifest.values())
    stages = {json.loads(line)["stage"] for line in (tiny_run / "train_log.jsonl").read_text().splitlines()}
    assert stages == {"sft", "rl"}
    metrics = json.loads((tiny_run / "eval" / "metrics.json").read_text())
    assert metrics["routers"]["trained"]["format_validity"] == 1.0  # constrained decoding always parses


def test_refuses_to_overwrite_without_force(tiny_model_dir, tiny_run, capsys):
    before = (tiny_run / "run.json").read_text()
    assert _train(tiny_model_dir, tiny_run) == 2
    assert "--force" in capsys.readouterr().err
    assert (tiny_run / "run.json").read_text() == before


def _kill_during_eval(monkeypatch):
    import routerforge.train.pipeline as pipeline

    def boom(*a, **k):
        raise RuntimeError("killed during eval")

    monkeypatch.setattr(pipeline, "evaluate_run", boom)


def test_failed_run_never_looks_complete(tiny_model_dir, tmp_path, monkeypatch):
    _kill_during_eval(monkeypatch)
    out = tmp_path / "broken"
    with pytest.raises(RuntimeError):
        _train(tiny_model_dir, out)
    assert not out.exists()  # only the hidden .broken.partial exists, without COMPLETE
    partial = tmp_path / ".broken.partial"
    assert partial.is_dir() and not (partial / "COMPLETE").exists()


def test_interrupted_run_is_refused_then_resumed_or_restarted(tiny_model_dir, tmp_path, monkeypatch, capsys):
    """Rerunning after a kill never deletes the partial run silently: it names --resume and --force."""
    import routerforge.train.pipeline as pipeline

    real = pipeline.evaluate_run
    _kill_during_eval(monkeypatch)
    out = tmp_path / "run"
    with pytest.raises(RuntimeError):
        _train(tiny_model_dir, out)
    partial = tmp_path / ".run.partial"
    marker = partial / "data" / "keep.txt"
    marker.write_text("still here")
    capsys.readouterr()
    assert _train(tiny_model_dir, out) == 2  # refused, partial untouched
    err = capsys.readouterr().err
    assert "interrupted" in err and "--resume" in err and "--force" in err
    assert marker.read_text() == "still here"
    monkeypatch.setattr(pipeline, "evaluate_run", real)
    assert _train(tiny_model_dir, out, "--resume") == 0  # continues the same partial directory
    assert (out / "data" / "keep.txt").is_file() and (out / "COMPLETE").is_file() and not partial.exists()


def test_route_cli_contract(tiny_run, tmp_path, capsys):
    rc = main(["route", "--run", str(tiny_run), "--no-chat", "What is 256 * 4?"])
    row = json.loads(capsys.readouterr().out)
    assert set(row) >= {"query", "expert", "spec", "result", "answer", "ok", "error", "latency_ms"}
    assert rc in (0, 2) and (rc == 0) == row["ok"]
    queries = tmp_path / "q.jsonl"
    queries.write_text("".join(json.dumps({"query": q}) + "\n" for q in ["256 * 4", "Tell me a joke", "Time in Oslo"]))
    out = tmp_path / "d.jsonl"
    assert main(["route", "--run", str(tiny_run), "--no-chat", "--input", str(queries), "--output", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["query"] for r in rows] == ["256 * 4", "Tell me a joke", "Time in Oslo"]
    assert all(r["latency_ms"] > 0 for r in rows)


def test_route_cli_bad_input(tiny_run, tmp_path, capsys):
    assert main(["route", "--run", str(tmp_path / "nope"), "hi"]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["route", "--run", str(tiny_run), "   "]) == 2
    assert "non-empty" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "ok"}\nnot json\n')
    assert main(["route", "--run", str(tiny_run), "--input", str(bad)]) == 2
    assert "bad.jsonl:2: invalid JSON" in capsys.readouterr().err


def test_unknown_config_key_is_an_error(tiny_model_dir, tmp_path, capsys):
    assert main(["train", "--config", str(CONFIG), "--out", str(tmp_path / "x"), "--set", "sft.lr_typo=1"]) == 2
    assert "sft.lr_typo" in capsys.readouterr().err


def test_no_abstain_router_ignores_the_abstention_threshold(tiny_run_copy):
    from routerforge.routers.registry import build_routers

    run = tiny_run_copy
    cal = json.loads((run / "calibration.json").read_text())
    (run / "calibration.json").write_text(json.dumps({**cal, "abstain_below": 0.999999}))
    routers = build_routers(["trained", "no_abstain"], run=run)
    queries = ["256 * 4", "Current time in Tokyo", "Schedule Alice (2hr)", "hi"]
    gated, free = (routers[n].route_batch(queries) for n in ("trained", "no_abstain"))
    assert all(r.expert == "chat" for r in gated)  # nothing reaches an almost-certain threshold
    for g, f in zip(gated, free):
        assert f.raw.startswith(f.expert) and g.confidence == pytest.approx(f.confidence)


def test_ungrounded_router_keeps_the_greedy_spec(tiny_run, monkeypatch):
    """`ungrounded` decodes as `trained` does but never checks or replaces the spec: the same greedy text,
    always the `greedy` path, and the same spec wherever `trained` kept its greedy one. Grounding here
    refuses every spec, so `trained` leaves the greedy path on every expert row."""
    import routerforge.routers.generated as generated
    from routerforge.routers.registry import build_routers

    monkeypatch.setattr(generated, "grounded", lambda query, expert, spec: (False, "refused in this test"))
    routers = build_routers(["trained", "ungrounded"], run=tiny_run)
    queries = ["256 * 4", "Tom has 5 apples and eats 2. How many are left?", "Schedule Alice (2hr) and Bo (1hr)",
               "Current time in Tokyo", "hi"]
    kept, free = (routers[n].route_batch(queries) for n in ("trained", "ungrounded"))
    assert routers["ungrounded"].name == "ungrounded" and not routers["ungrounded"].grounding
    for k, f in zip(kept, free):
        assert f.extra["decode_path"] == "greedy" and f.raw == k.raw and "grounding" not in f.extra
        if k.extra["decode_path"] == "greedy":
            assert (f.expert, f.spec) == (k.expert, k.spec)
    # on an expert row (the tiny model may route every query above to chat), trained refuses and searches,
    # ungrounded keeps the spec it was given
    decided = [("multiply", "256 * 4")]
    assert routers["ungrounded"]._ground_batch(["256 * 4"], decided) == [("256 * 4", "greedy", "")]
    spec, path, reason = routers["trained"]._ground_batch(["256 * 4"], decided)[0]
    assert path == "ungrounded" and reason == "refused in this test"


def test_route_input_routes_only_and_streams_to_stdout(tiny_run, tmp_path, capsys, monkeypatch):
    """`--input` decides and never generates chat replies unless --chat-replies; rows come out in order,
    batch after batch."""
    from routerforge.routers.generated import Router

    def no_reply(self, query, max_new_tokens=48):
        raise AssertionError("route --input generated a chat reply without --chat-replies")

    monkeypatch.setattr(Router, "chat_reply", no_reply)
    monkeypatch.setattr(Router, "route_batch", _force_chat(Router.route_batch))
    queries = tmp_path / "q.jsonl"
    texts = [f"Tell me a joke number {i}" for i in range(20)]  # two batches of the router's 16
    queries.write_text("".join(json.dumps({"query": q}) + "\n" for q in texts))
    assert main(["route", "--run", str(tiny_run), "--input", str(queries)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["query"] for r in rows] == texts and all(r["expert"] == "chat" for r in rows)
    monkeypatch.setattr(Router, "chat_reply", lambda self, q, max_new_tokens=48: "a reply")
    out = tmp_path / "d.jsonl"
    assert main(["route", "--run", str(tiny_run), "--input", str(queries), "--chat-replies", "--output", str(out)]) == 0
    assert {json.loads(x)["answer"] for x in out.read_text().splitlines()} == {"a reply"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".d.jsonl")] == []  # temp file renamed


def _force_chat(route_batch):
    """The tiny random model's decisions are arbitrary: make every row a chat decision, keeping the
    router's own chat-reply plumbing (with_chat_answers -> chat_reply)."""
    def wrapped(self, queries, *, with_chat_answers=False):
        from routerforge.routers.base import finish

        return [finish(q, "chat", "", started=0.0, chat_answer=self.chat_reply if with_chat_answers else None)
                for q in queries]
    return wrapped
