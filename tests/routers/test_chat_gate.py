"""The chat gate (routers/chat_gate.py, `routerforge probe gate`) on the tiny trained run."""

import json

import numpy as np
import pytest

from routerforge.cli import main
from routerforge.io import read_jsonl
from routerforge.routers.chat_gate import (GATE_FILE, ChatGate, _threshold, fit_chat_gate, gate_features,
                                          shallow_states)
from routerforge.routers.probe import Probe, prefill


@pytest.fixture(scope="module")
def router(tiny_run):
    from routerforge.routers.generated import Router

    return Router.from_run(tiny_run, max_spec_tokens=8)


def _queries(run, split="test", n=6):
    return [r["query"] for r in read_jsonl(run / "data" / f"{split}.jsonl")[:n]]


def test_shallow_states_are_the_full_prefills_states_at_that_layer(router, tiny_run):
    queries = _queries(tiny_run)
    out, lengths = prefill(router, queries, output_hidden_states=True)
    states, got = shallow_states(router, queries, [1])  # (the tiny model has 2 layers)
    assert got == lengths and set(states) == {1}
    assert np.allclose(states[1].float().numpy(), out.hidden_states[1].float().numpy(), atol=1e-5)
    for bad in ([0], [2], []):  # an exit after the last layer skips nothing
        with pytest.raises(ValueError):
            shallow_states(router, queries, bad)


def test_threshold_lets_out_only_what_reaches_the_precision():
    p = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    chat = np.array([True, True, False, True, True, False])
    assert _threshold(p, chat, 1.0) == (0.9, 2)  # the expert row at 0.9 stops it: exits are p > 0.9
    assert _threshold(p, chat, 0.8) == (0.6, 4)  # 4 chat of 5 let out
    assert _threshold(np.array([0.9, 0.5]), np.array([False, True]), 1.0) == (1.0, 0)  # never exits
    tied = np.array([0.9, 0.9, 0.5])
    assert _threshold(tied, np.array([True, False, True]), 1.0) == (1.0, 0)  # a tie leaves together


def _gate(router, layer, exit_above, chat_weight):
    """A gate at `layer` whose P(chat) is the same for every query (zero weights, a bias)."""
    hidden = router.model.config.hidden_size
    probe = Probe(layer, "last", ["chat", "expert"], np.zeros((2, hidden)), np.array([chat_weight, 0.0]))
    return ChatGate(probe, exit_above)


def test_the_gate_decides_chat_and_leaves_the_rest_to_the_router(router, tiny_run):
    queries = _queries(tiny_run)
    plain = [(r.expert, r.spec) for r in router.route_batch(queries)]
    router.chat_gate = _gate(router, 1, 0.5, 5.0)  # P(chat) = 0.993 > 0.5 for every query
    try:
        passes = router.passes
        routed = router.route_batch(queries)
        assert router.passes == passes  # no full pass ran
        assert {(r.expert, r.spec, r.extra["decode_path"]) for r in routed} == {("chat", "", "chat_gate")}
        assert all(0.99 < r.confidence < 1 for r in routed)
        router.chat_gate = _gate(router, 1, 0.999, 5.0)  # below the threshold: the full router decides
        assert [(r.expert, r.spec) for r in router.route_batch(queries)] == plain
        assert all(r.extra["decode_path"] != "chat_gate" for r in router.route_batch(queries))
    finally:
        router.chat_gate = None


def _calls(module):
    """A counter of the module's forward calls (remove with .handle.remove())."""
    class Count:
        n = 0
    count = Count()

    def hook(*_):
        count.n += 1
    count.handle = module.register_forward_hook(hook)
    return count


def test_a_batch_the_gate_lets_nothing_out_of_is_one_pass_not_two(router, tiny_run):
    queries = _queries(tiny_run, n=1)
    first = _calls(router.model.model.layers[0])
    try:
        plain = router.route_batch(queries)
        without = first.n
        router.chat_gate = _gate(router, 1, 0.999, 5.0)  # lets nothing out
        first.n = 0
        gated = router.route_batch(queries)
        assert first.n == without  # the gate read the router's own prefill: layer 1 ran no extra time
        assert [(r.expert, r.spec) for r in gated] == [(r.expert, r.spec) for r in plain]
        router.chat_gate = _gate(router, 1, 0.5, 5.0)  # lets everything out: layer 2 never runs
        last = _calls(router.model.model.layers[1])
        try:
            assert router.route_batch(queries)[0].extra["decode_path"] == "chat_gate" and last.n == 0
        finally:
            last.handle.remove()
    finally:
        first.handle.remove()
        router.chat_gate = None


@pytest.mark.parametrize("position", ["last", "mean"])
def test_a_mixed_batch_decides_each_row_as_it_would_alone(router, tiny_run, position):
    queries = _queries(tiny_run, n=6)
    hidden = router.model.config.hidden_size
    coef = np.zeros((2, hidden))
    coef[0] = np.random.default_rng(0).normal(size=hidden)  # P(chat) differs from row to row
    gate = ChatGate(Probe(1, position, ["chat", "expert"], coef, np.zeros(2)), 0.5)
    p = np.sort(gate.p_chat(gate_features(router, queries, [1], (position,))[1, position]))
    gate.exit_above = float(p[2] + p[3]) / 2  # half the rows leave at the gate, none near the threshold
    p = gate.p_chat(gate_features(router, queries, [1], (position,))[1, position])
    assert 0 < (p > gate.exit_above).sum() < len(queries)
    router.chat_gate = gate
    try:
        alone = [router.route_batch([q])[0] for q in queries]
        batch = router.route_batch(queries)
    finally:
        router.chat_gate = None
    for a, b, out in zip(alone, batch, p > gate.exit_above):
        assert (a.expert, a.spec, a.extra["decode_path"]) == (b.expert, b.spec, b.extra["decode_path"])
        assert (b.extra["decode_path"] == "chat_gate") == bool(out)


def test_gate_cli_fits_saves_and_the_run_loads_it(tiny_run_copy, capsys):
    from routerforge.routers.generated import Router

    assert main(["probe", "gate", "--run", str(tiny_run_copy), "--layers", "1", "--train-rows", "40"]) == 0
    assert "chat gate written" in capsys.readouterr().out
    data = json.loads((tiny_run_copy / GATE_FILE).read_text())
    assert data["layer"] == 1 and {c["layer"] for c in data["candidates"].values()} == {1} and data["n_fit"] <= 40
    assert len(data["candidates"]) == 6 and data["n_threshold"] > 0  # two positions x three Cs; rest of train + val
    assert {c["position"] for c in data["candidates"].values()} == {"last", "mean"}
    gate = ChatGate.load(tiny_run_copy / GATE_FILE)
    router = Router.from_run(tiny_run_copy, max_spec_tokens=8)
    assert router.chat_gate is not None and router.chat_gate.exit_above == gate.exit_above
    routed = router.route_batch(_queries(tiny_run_copy))
    assert all(r.expert != "" for r in routed)
    assert Router.from_run(tiny_run_copy, chat_gate=None).chat_gate is None


def test_fit_chat_gate_meets_its_precision_on_the_threshold_rows(router, tiny_run):
    from routerforge.experts import class_of
    from routerforge.routers.chat_gate import gate_features

    train, val = read_jsonl(tiny_run / "data" / "train.jsonl"), read_jsonl(tiny_run / "data" / "val.jsonl")
    gate = fit_chat_gate(router, train, val, layers=[1], Cs=(0.1,), max_train=20, max_threshold=1000)
    assert gate.probe.meta["n_fit"] == 20 and gate.probe.meta["n_threshold"] == len(train) - 20 + len(val)
    layer, position = gate.probe.layer, gate.probe.position
    x = gate_features(router, [r["query"] for r in val], [layer], (position,))[layer, position]
    out = gate.p_chat(x) > gate.exit_above
    assert all(class_of(r["expert"]) == "chat" for r, o in zip(val, out) if o)
    with pytest.raises(ValueError):
        fit_chat_gate(router, train, [], layers=[1])


@pytest.mark.parametrize("argv", [
    ["probe", "gate", "--run", "/nonexistent/run"],
    ["probe", "gate", "--run", "/nonexistent/run", "--layers", "a,b"],
    ["probe", "gate", "--run", "/nonexistent/run", "--precision", "0"],
    ["probe", "gate", "--run", "/nonexistent/run", "--positions", "first"],
])
def test_gate_cli_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_malformed_gate_file_is_a_clear_error(tmp_path):
    path = tmp_path / GATE_FILE
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        ChatGate.load(path)
    path.write_text(json.dumps({"layer": 1, "classes": ["chat", "expert"], "coef": [[0.0], [0.0]],
                                "intercept": [0.0, 0.0]}))
    with pytest.raises(ValueError, match="exit_above"):
        ChatGate.load(path)


def test_latency_benchmark_measures_the_gate_beside_the_paths_without_it(tiny_run_copy, tmp_path, monkeypatch):
    import runpy
    from pathlib import Path

    from routerforge.routers.generated import Router

    assert main(["probe", "gate", "--run", str(tiny_run_copy), "--layers", "1", "--train-rows", "20"]) == 0
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "latency.py"
    bench = runpy.run_path(str(script), run_name="latency_bench")
    monkeypatch.setattr(Router, "route_naive", Router.route)
    out = tmp_path / "lat.json"
    assert bench["main"](["--run", str(tiny_run_copy), "--n", "3", "--naive-n", "2", "--out", str(out)]) == 0
    paths = json.loads(out.read_text())["paths"]
    assert set(paths) == {"naive", "one_token", "constrained", "ungrounded", "chat_gate"}
    assert 0 <= paths["chat_gate"]["same_as_one_token"] <= 3
    assert sum(paths["chat_gate"]["decode_paths"].values()) == 3


def test_a_gate_fitted_on_another_model_is_a_clear_error(router):
    hidden = router.model.config.hidden_size
    with pytest.raises(ValueError, match="refit it"):
        ChatGate(Probe(1, "last", ["chat", "expert"], np.zeros((2, hidden + 1)), np.zeros(2)), 0.5).check_fits(
            router.model)
    with pytest.raises(ValueError, match="refit it"):
        _gate(router, 5, 0.5, 0.0).check_fits(router.model)  # the tiny model has 2 layers
    _gate(router, 1, 0.5, 0.0).check_fits(router.model)
