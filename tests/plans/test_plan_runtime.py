"""Plan decoding: stop at the end of the JSON object, repair, deterministic fallback; every output
is a valid plan, for a scripted model, a random model and arbitrary text."""

import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from routerforge.plans.format import parse_plan, plan_tools
from routerforge.plans.runtime import JsonStop, PlanRouter, cut_at_object_end, fallback_plan, finish_plan


@pytest.mark.parametrize("text, kept", [
    ('{"a": 1} tail', '{"a": 1}'),
    ('Sure: ```json\n{"a": "x}y{"} more', 'Sure: ```json\n{"a": "x}y{"}'),
    ('{"a": "quote \\" } still string"}x', '{"a": "quote \\" } still string"}'),
    ('{"a": {"b": [1, {"c": 2}]}}}', '{"a": {"b": [1, {"c": 2}]}}'),
    ('{"open": "never closed', '{"open": "never closed'),
])
def test_cut_at_object_end(text, kept):
    assert cut_at_object_end(text) == kept


def test_scanner_is_incremental():
    scan = JsonStop()
    pieces = ['{"route', '_plan": ["/m', 'ath(a})"', ']', '}', ' junk']
    closed_at = [scan.feed(p) for p in pieces]
    assert closed_at == [False, False, False, False, True, True]


@pytest.mark.parametrize("raw, outcome, tools", [
    ('{"route_plan":["/math(x)","/code(y)"],"route_rationale":"r","handoff_plan":"h"}', "raw", ["/math", "/code"]),
    ('{"route_plan":["/math(x)","/code(y)"],"route_rationale":"r","handoff_plan":"h', "repaired", ["/math", "/code"]),
    ('{"route_plan":["/code(y)","/bogus(z)"],"route_rationale":"keep me"', "fallback", ["/code"]),
    ('{"route_plan":["/math (derive x)","/code run it"],"handoff_plan":"/general-search /math"', "fallback",
     ["/math", "/code"]),
    ("I would use /math then /math and /general-search, maybe /mathematics", "fallback",
     ["/math", "/general-search"]),
    ("", "fallback", ["/general-search"]),
])
def test_finish_plan_outcomes(raw, outcome, tools):
    plan, how = finish_plan(raw, "a query", compact=True)
    assert how == outcome
    assert plan_tools(plan) == tools
    if raw.startswith('{"route_plan":["/code(y)"'):
        assert plan.route_rationale == "keep me"  # valid decoded fields survive the fallback


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_fallback_is_always_a_valid_plan(text, compact):
    plan = fallback_plan(text, "q (x)", compact=compact)
    parse_plan(json.dumps(plan.model_dump()), compact=compact)  # raises if invalid
    plan2, how = finish_plan(text, "q", compact=compact)
    assert plan2 is not None and how in ("raw", "repaired", "fallback")


class _Cache:
    def __init__(self, rows):
        self.rows, self.step = rows, 0

    def batch_select_indices(self, sel):
        self.rows = [self.rows[i] for i in sel.tolist()]


class Scripted:
    """A fake causal LM that emits a fixed token script per prompt row (follows cache row selection)."""

    def __init__(self, scripts, vocab):
        self.scripts, self.vocab, self.calls = scripts, vocab, []

    def eval(self):
        return self

    def to(self, *_):
        return self

    def __call__(self, input_ids, past_key_values=None, **kw):
        import torch

        cache = past_key_values or _Cache(list(range(input_ids.shape[0])))
        if past_key_values is not None:
            cache.step += 1
        assert len(cache.rows) == input_ids.shape[0]
        self.calls.append(len(cache.rows))
        logits = torch.zeros(input_ids.shape[0], 1, self.vocab)
        for j, row in enumerate(cache.rows):
            script = self.scripts[row]
            logits[j, 0, script[min(cache.step, len(script) - 1)]] = 1.0
        return SimpleNamespace(logits=logits, past_key_values=cache)


def test_scripted_batch_stops_repairs_and_falls_back(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    enc = lambda s: tok(s, add_special_tokens=False)["input_ids"]  # noqa: E731
    texts = ['{"route_plan":["/math(a {b})"],"route_rationale":"r","handoff_plan":"h"} and then more text ' * 2,
             '{"route_plan":["/code(c)"],"handoff_plan":"h","route_rationale":"cut off, never clo' + "x" * 300,
             ""]
    scripts = [enc(texts[0]), enc(texts[1]), []]
    scripts = [s + [tok.eos_token_id] for s in scripts]
    model = Scripted(scripts, len(tok))
    router = PlanRouter(model, tok, compact=True, max_new_tokens=200, batch_size=8, dtype="float32",
                        constrained=False)
    outs = router.plan_batch(["q0", "q1", "q2"])
    assert outs[0].outcome == "raw" and outs[0].raw.endswith('"h"}') and outs[0].raw_json_valid
    assert outs[1].outcome == "repaired" and outs[1].new_tokens == 200 and not outs[1].raw_json_valid
    assert outs[2].outcome == "fallback" and outs[2].raw == ""
    assert [plan_tools(o.plan) for o in outs] == [["/math"], ["/code"], ["/general-search"]]
    assert model.calls[0] == 3 and model.calls[1] == 2 and model.calls[-1] == 1  # finished rows leave the batch
    for o in outs:
        parse_plan(o.text, compact=True)


def test_constrained_follows_a_valid_script_and_forces_the_rest(tiny_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    enc = lambda s: tok(s, add_special_tokens=False)["input_ids"]  # noqa: E731
    good = '{"route_plan":["/math(a {b})","/code(c)"],"route_rationale":"r","handoff_plan":"h"}'
    bogus = '{"route_plan":["/bogus(x)"],"route_rationale":"r","handoff_plan":"h"}'
    scripts = [enc(good + " trailing words"), enc(bogus), [tok.eos_token_id]]
    model = Scripted(scripts, len(tok))
    router = PlanRouter(model, tok, compact=True, max_new_tokens=120, batch_size=8, dtype="float32", top_k=1)
    outs = router.plan_batch(["q0", "q1", "q2"])
    # a valid plan is taken as the model wrote it, and decoding stops at its closing brace
    assert outs[0].raw == good and outs[0].forced == 0 and outs[0].new_tokens == len(enc(good))
    # top_k=1: the bogus tool and the end-of-turn token are refused, so the grammar forces text
    assert outs[1].forced > 0 and outs[2].forced > 0
    for o in outs:
        assert o.outcome == "raw" and o.raw_json_valid  # valid by construction: no repair, no fallback
        assert set(plan_tools(o.plan)) <= {"/math", "/code", "/general-search"}
    assert plan_tools(outs[0].plan) == ["/math", "/code"]


@pytest.mark.parametrize("constrained", [True, False])
@pytest.mark.parametrize("compact", [True, False])
def test_random_model_always_yields_valid_plans(tiny_model_dir, compact, constrained):
    from routerforge.plans.metrics import json_valid, schema_valid
    from routerforge.models.loading import load_model

    model, tok = load_model(tiny_model_dir)
    router = PlanRouter(model, tok, compact=compact, max_new_tokens=24, batch_size=2, constrained=constrained)
    outs = router.plan_batch(["Integrate x^2 then plot it in Python", "Find recent papers on RLHF", "hi"])
    texts = [o.text for o in outs]
    if constrained:
        assert all(o.outcome == "raw" for o in outs)  # the grammar completes what the budget cut off
    assert json_valid(texts) == [1.0] * 3 and schema_valid(texts, compact=compact) == [1.0] * 3
    text, plan = router.plan("hi")
    assert parse_plan(text, compact=compact) == plan


@pytest.mark.parametrize("constrained", [True, False])
def test_batched_decoding_matches_single_rows(tiny_model_dir, constrained):
    from routerforge.models.loading import load_model

    model, tok = load_model(tiny_model_dir)
    router = PlanRouter(model, tok, max_new_tokens=12, batch_size=4, dtype="float32", constrained=constrained)
    queries = ["short", "a much longer query that needs more prompt tokens than the others", "mid length q"]
    batched = [o.raw for o in router.plan_batch(queries)]
    single = [router.plan_batch([q])[0].raw for q in queries]
    assert batched == single
