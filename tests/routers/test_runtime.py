"""The lead's fast runtime (routers/generated.py) on the tiny random model: the cached-prefix batched
decode equals plain full-prompt decoding, constrained output always parses, chat stops after its
name, and batching does not change results."""

import pytest

import torch

from routerforge.experts import expert_names  # noqa: E402
from routerforge.formats.decision import parse_decision, render_decision  # noqa: E402

QUERIES = [
    "What is 256 times 4?",
    "Janet has 16 eggs, eats 3, bakes 4, sells the rest for $2. How much does she make?",
    "Current time in Tokyo",
    "Tell me a joke",
    "hi",
    "Schedule Alice for 2 hours and Bob for 1 hour, no overlap please, thanks a lot!",
    "¿Qué hora es en Madrid? 🕑",
    "",
]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from routerforge.models.loading import load_model

    return load_model(tiny_model_dir)


@pytest.fixture(scope="module")
def router(tiny):
    from routerforge.routers.generated import Router

    return Router(*tiny, max_spec_tokens=12)


def reference_decide(router, query):
    """Greedy decoding of the full prompt with no KV cache at all, one row, same constraints."""
    from routerforge.routers.constrained import CopyIndex

    ids = router._prompt_ids(query)
    st = {"phase": "name", "node": router.trie, "tokens": [], "spec": [], "expert": None, "steps": [],
          "query": query}
    for _ in range(8 + router.max_spec_tokens):
        with torch.no_grad():
            logits = router.model(input_ids=torch.tensor([ids]), use_cache=False).logits[0, -1].float()
        tid = router._next_token(st, logits)
        if st["phase"] == "done":
            break
        ids.append(tid)
    return router._result(st)


@pytest.mark.parametrize("constrained", [True, False])
def test_cached_prefix_batch_decode_equals_full_prompt_decode(tiny, constrained):
    from routerforge.routers.generated import Router

    router = Router(*tiny, constrained=constrained, max_spec_tokens=10)
    batch = router.decide_batch(QUERIES)  # mixed lengths: left padding between prefix and suffix
    for q, got in zip(QUERIES, batch):
        want = reference_decide(router, q)
        assert got[:3] == want[:3], q
        if constrained:
            assert got[3] == pytest.approx(want[3], rel=1e-5)


def test_cached_prefill_states_equal_uncached_full_prompt(router):
    """A random model's decisions barely depend on the prefix, so compare the states themselves."""
    seen = {}

    def capture(hidden_states, qs):
        seen["last"] = [h[:, -1].clone() for h in hidden_states]
        return [("chat", 1.0)] * len(qs)

    router.decide_batch(QUERIES, choose=capture)
    for b, q in enumerate(QUERIES):
        with torch.no_grad():
            full = router.model(input_ids=torch.tensor([router._prompt_ids(q)]), use_cache=False,
                                output_hidden_states=True).hidden_states
        for layer, h in enumerate(full):
            assert torch.allclose(seen["last"][layer][b], h[0, -1], atol=1e-5, rtol=1e-4), (q, layer)


def test_prefix_is_a_prefix_of_every_prompt(router):
    n = len(router.prefix_ids)
    assert n > 0
    for q in QUERIES:
        assert router._prompt_ids(q)[:n] == router.prefix_ids


def test_constrained_output_always_parses_to_a_registered_expert(router):
    known = set(expert_names())
    for r in router.route_batch(QUERIES + [f"query number {i} with 12+{i}" for i in range(8)]):
        assert r.expert in known
        assert "->" not in r.spec and "\n" not in r.spec
        assert r.raw.startswith(f"{r.expert}:")
        assert parse_decision(render_decision(r.expert, r.spec, arrow=True)).expert == r.expert
        assert 0.0 < r.confidence <= 1.0


def test_batch_equals_single(router):
    batch = router.route_batch(QUERIES)
    for q, b in zip(QUERIES, batch):
        s = router.route(q)
        assert (s.expert, s.spec, s.raw) == (b.expert, b.spec, b.raw)
        assert s.confidence == pytest.approx(b.confidence, rel=1e-4)


class _Biased(torch.nn.Module):
    """Wraps a model: adds a bias to some tokens' logits and counts forward calls."""

    def __init__(self, inner, token_ids, bias=1000.0):
        super().__init__()
        self.inner, self.token_ids, self.bias, self.calls = inner, token_ids, bias, 0

    @property
    def config(self):
        return self.inner.config

    def forward(self, **kw):
        self.calls += 1
        out = self.inner(**kw)
        out.logits[..., self.token_ids] += self.bias
        return out


def test_chat_stops_right_after_its_name(tiny):
    from routerforge.routers.generated import Router

    lm, tok = tiny
    chat_ids = tok("chat:", add_special_tokens=False)["input_ids"]
    model = _Biased(lm, chat_ids[:1])
    router = Router(model, tok)
    model.calls = 0
    decisions = router.decide_batch(QUERIES[:3])
    assert [d[:3] for d in decisions] == [("chat", "", "chat:")] * 3
    # forwards only until the name trie leaves chat alone: its remaining tokens are forced and no spec
    # follows them (one forward when chat's first token is its own)
    node, needed = router.trie, 0
    for tid in chat_ids:
        node, needed = node.children[tid], needed + 1
        if router.names_below[id(node)] == {"chat"}:
            break
    assert model.calls == needed
    r = router.route("hello there")
    assert (r.expert, r.spec, r.result, r.ok) == ("chat", "", None, True)


def test_a_chat_decision_chosen_from_the_prefill_is_one_pass(tiny):
    from routerforge.routers.generated import Router

    lm, tok = tiny
    model = _Biased(lm, [])
    router = Router(model, tok)
    model.calls = 0
    out = router.decide_batch(QUERIES[:3], choose=lambda hs, qs: [("chat", 0.9)] * len(qs))
    assert [d[:3] for d in out] == [("chat", "", "chat:")] * 3 and model.calls == 1


def test_forced_name_generates_only_the_spec(router):
    forced = ["add", "chat", "time"]
    out = router.decide_batch(QUERIES[:3], choose=lambda hs, qs: [(e, 0.5) for e in forced])
    assert len(out) == 3
    for e, (expert, spec, raw, conf) in zip(forced, out):
        assert expert == e and conf == 0.5 and raw.startswith(f"{e}:")
    assert out[1][1] == ""


def test_read_numbers_shows_the_model_digits(tiny):
    from routerforge.routers.generated import Router

    plain, reading = Router(*tiny), Router(*tiny, read_numbers=True)
    assert "sixty plus forty" in plain._full_prompt("sixty plus forty")
    assert "60 plus 40" in reading._full_prompt("sixty plus forty")
    assert reading.prefix.ids == plain.prefix.ids  # the cached system prefix is the same


def test_grounded_decoding_records_its_path(router):
    routed = router.route_batch(["What is 256 times 4?", "Tell me a joke"])
    assert all(r.extra.get("decode_path") in ("greedy", "repaired", "ungrounded") or
               str(r.extra.get("decode_path", "")).startswith("candidate:") for r in routed if r.expert != "chat")
    for r in routed:
        if r.extra.get("decode_path") == "ungrounded":
            assert r.extra["grounding"]  # the reason is kept


def test_a_word_problem_no_candidate_grounds_is_repaired(router, monkeypatch):
    """When neither the greedy spec nor any beam is grounded, a repair of them that is (an invented number
    dropped) is taken, path `repaired`; with nothing to repair the greedy spec stays, `ungrounded`."""
    query = "A book has 216 pages. Asha reads 48 pages on Wednesday. How many pages are left to read?"
    monkeypatch.setattr(router, "spec_candidates_batch", lambda pairs, k: [["pages:216 | -47"] for _ in pairs])
    (spec, path, reason), = router._ground_batch([query], [("word_problem", "pages:216 | -48*10")])
    assert (spec, path) == ("pages:216 | -48", "repaired") and "10" in reason  # why the greedy spec failed
    (spec, path, reason), = router._ground_batch([query], [("word_problem", "pages:216 | -47")])
    assert (spec, path) == ("pages:216 | -47", "ungrounded") and "47" in reason  # nothing left once 47 goes
    # a beam is repaired too when the greedy spec has nothing to drop
    monkeypatch.setattr(router, "spec_candidates_batch", lambda pairs, k: [["pages:216 | -48 +7"] for _ in pairs])
    assert router._ground_batch([query], [("word_problem", "pages:216 | +47")])[0][:2] == ("pages:216 | -48", "repaired")


def test_batched_spec_candidates_equal_one_row_at_a_time(router):
    """Left-padded beams over several rows, each under its own expert's mask, find what one unpadded
    beam search per row finds (the batched path is how grounding tries candidates)."""
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    from routerforge.experts import get_expert
    from routerforge.routers.constrained import CopyIndex, clean_spec

    pairs = [("What is 256 times 4?", "multiply"), ("Janet has 16 eggs and eats 3", "word_problem"),
             ("Schedule Alice (2hr) and Bob (1hr)", "schedule"), ("time in Tokyo", "time")]
    batched = router.spec_candidates_batch(pairs, 3)
    assert len(batched) == len(pairs)
    for (query, expert), got in zip(pairs, batched):
        ids = torch.tensor([router._prompt_ids(query) + router.name_tokens[expert]])
        mask = router.spec_masks.get(expert)  # none for an expert without a charset (time)
        words, width = router._copy_words(expert, query), ids.shape[1]

        class Mask(LogitsProcessor):
            def __call__(self, input_ids, scores):
                scores = scores if mask is None else scores.masked_fill(~mask, float("-inf"))
                for r in range(scores.shape[0]):  # the copy fields (schedule names, places), as the router does
                    scores[r] = router._copy_constraint(expert, input_ids[r, width:], words, scores[r])
                return scores

        out = router.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), num_beams=3,
                                    num_return_sequences=3, max_new_tokens=router.max_spec_tokens, do_sample=False,
                                    logits_processor=LogitsProcessorList([Mask()]), stop_strings=["->", "\n"],
                                    tokenizer=router.tok, pad_token_id=router.tok.pad_token_id)
        texts = router.tok.batch_decode(out[:, ids.shape[1]:], skip_special_tokens=True)
        assert got == list(dict.fromkeys(clean_spec(t) for t in texts))
        charset = get_expert(expert).spec_charset
        assert charset is None or all(set(c) <= set(charset) for c in got)


@pytest.mark.parametrize("expert, cap", [("add", 40), ("schedule", 72)])
def test_a_runaway_spec_stops_at_its_experts_cap(tiny, expert, cap):
    """A model that writes a digit forever: the spec ends at the expert's own max_spec_tokens."""
    from routerforge.experts import get_expert
    from routerforge.routers.generated import Router

    lm, tok = tiny
    assert get_expert(expert).max_spec_tokens == cap
    digit = tok("7", add_special_tokens=False)["input_ids"][-1:]
    router = Router(_Biased(lm, digit), tok, grounding=False)
    (_, spec, _, _), = router.decide_batch(["x"], choose=lambda hs, qs: [(expert, 1.0)])
    assert len(tok(spec, add_special_tokens=False)["input_ids"]) <= cap and len(spec) >= cap // 2


# ---- drafted decoding (prompt lookup): the same decisions in fewer passes ---------------------------

def test_prompt_lookup_draft_is_what_follows_the_spec_tail_in_the_query(router):
    source = router.prefix.suffix("What is 256 * 4?")
    i = len(source) // 2
    st = {"phase": "spec", "spec": source[i - 2:i], "expert": "multiply", "source": source}
    assert router._draft(st) == source[i:i + router.draft_tokens][:router.spec_cap["multiply"] - 3]
    assert router._draft({**st, "spec": []}) == []  # nothing to look up yet
    assert router._draft({**st, "spec": [router.tok.pad_token_id] * 3}) == []  # a tail the query lacks


@pytest.mark.parametrize("forced", [None, ["multiply", "word_problem", "schedule", "time", "add", "divide", "add",
                                           "schedule"]])
@pytest.mark.parametrize("budget", [2, 16, 1000])
def test_drafted_decoding_equals_one_token_a_pass(tiny, forced, budget):
    from routerforge.routers.generated import Router

    ref, fast = Router(*tiny, draft_tokens=0), Router(*tiny, draft_tokens=8, draft_budget=budget)
    choose = None if forced is None else (lambda hs, qs: [(e, 0.5) for e in forced[:len(qs)]])
    a, b = ref.decide_batch(QUERIES, choose=choose), fast.decide_batch(QUERIES, choose=choose)
    assert [x[:3] for x in a] == [x[:3] for x in b]
    for q, e in zip(QUERIES, forced or []):  # one row at a time too
        one = lambda r: r.decide_batch([q], choose=lambda hs, qs: [(e, 0.5)])[0][:3]  # noqa: E731
        assert one(ref) == one(fast), q
    assert fast.passes <= ref.passes


def test_finished_rows_leave_the_batch(tiny):
    """Rows that finish stop being fed: the batch a pass runs shrinks, and decisions do not change."""
    from routerforge.routers.generated import Router

    lm, tok = tiny
    router, sizes = Router(lm, tok), []
    lm_hook = lm.register_forward_pre_hook(lambda _m, _a, kw: sizes.append(kw["input_ids"].shape[0]),
                                           with_kwargs=True)
    try:
        pick = lambda hs, qs: [(e, 0.5) for e in ["chat", "multiply", "schedule", "time"]]  # noqa: E731
        got = router.decide_batch(QUERIES[:4], choose=pick)
    finally:
        lm_hook.remove()
    assert sizes[0] == 4 and sizes[1] == 3  # chat is decided by the prefill and leaves at once
    assert all(a >= b for a, b in zip(sizes, sizes[1:])) and sizes[-1] < 3
    alone = [Router(lm, tok).decide_batch([q], choose=lambda hs, qs, e=e: [(e, 0.5)])[0]
             for q, e in zip(QUERIES[:4], ["chat", "multiply", "schedule", "time"])]
    assert [x[:3] for x in got] == [x[:3] for x in alone]


def test_the_lm_head_gets_a_fresh_layout(tiny):
    """transformers slices hidden[:, -1:, :] for the last position's logits; the head must see a tensor
    with the standard strides (a strided view takes a slow path in torch's CPU linear)."""
    import torch

    from routerforge.models.loading import contiguous_head_input

    lm, tok = tiny
    contiguous_head_input(lm)
    contiguous_head_input(lm)  # idempotent: one hook
    seen = []
    h = lm.get_output_embeddings().register_forward_hook(lambda _m, args, _o: seen.append(args[0].stride()))
    try:
        ids = torch.tensor([tok("What is 256 times 4?")["input_ids"]] * 2)
        with torch.no_grad():
            last = lm(input_ids=ids, logits_to_keep=1).logits
            full = lm(input_ids=ids).logits
    finally:
        h.remove()
    H = lm.config.hidden_size
    assert seen[0] == (H, H, 1)  # not (T * H, H, 1), the view's
    assert torch.allclose(last[:, 0], full[:, -1], atol=1e-5)


class _Copier(_Biased):
    """A model that continues copying its prompt: after a token of `source`, the next one of `source`
    wins (a stand-in for a router whose specs copy the query)."""

    def __init__(self, inner, source):
        super().__init__(inner, [])
        self.nxt = {a: b for a, b in zip(source, source[1:])}

    def forward(self, **kw):
        self.calls += 1
        out = self.inner(**kw)
        ids = kw["input_ids"][:, -out.logits.shape[1]:]
        for b in range(ids.shape[0]):
            for t in range(ids.shape[1]):
                if int(ids[b, t]) in self.nxt:
                    out.logits[b, t, self.nxt[int(ids[b, t])]] += 1000.0
        return out


def test_a_copied_spec_takes_far_fewer_passes(tiny):
    from routerforge.routers.generated import Router

    lm, tok = tiny
    query = "Please route this one as add:91 + 4 * 10 - 3 -> thanks"  # each spec token once (tiny tokenizer)
    probe = Router(lm, tok)
    model = _Copier(lm, probe.prefix.suffix(query))
    ref, fast = Router(model, tok, draft_tokens=0), Router(model, tok, draft_tokens=8)
    pick = lambda hs, qs: [("add", 0.5)]  # noqa: E731
    a, b = ref.decide_batch([query], choose=pick), fast.decide_batch([query], choose=pick)
    assert a[0][:2] == b[0][:2] == ("add", "91 + 4 * 10 - 3")
    assert fast.passes * 2 <= ref.passes, (fast.passes, ref.passes)


@pytest.mark.model
def test_drafted_decoding_gives_the_real_models_decisions():
    """The embedded 135M model (few-shot, constrained, fp32): drafted decoding and the one-token loop
    decide the same expert and spec for every query, alone and batched, in fewer passes."""
    from routerforge.routers.generated import Router

    queries = ["What is 256 * 4?", "What time is it in Tokyo?", "add 12 and 30 please", "What is 1234 divided by 2?"]
    ref = Router.from_pretrained(constrained=True, draft_tokens=0, max_spec_tokens=16)
    fast = Router(ref.model, ref.tok, fewshot=True, constrained=True, name="fewshot", draft_tokens=8,
                  max_spec_tokens=16)
    batch_ref, batch_fast = ref.decide_batch(queries), fast.decide_batch(queries)
    assert [d[:2] for d in batch_ref] == [d[:2] for d in batch_fast]
    ref.passes = fast.passes = 0
    for q in queries:
        assert ref.decide_batch([q])[0][:2] == fast.decide_batch([q])[0][:2], q
    assert fast.passes < ref.passes


def test_the_trained_router_reports_class_alternatives(router):
    from routerforge.experts import expert_classes

    for routed in router.route_batch(QUERIES[:4]):
        alts = routed.extra["alternatives"]
        probs = [a["probability"] for a in alts]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001 and len(alts) <= 4
        assert all(set(a["expert"].split("|")) <= set(expert_classes()) for a in alts)
        if routed.confidence is not None and "|" not in alts[0]["expert"] and routed.expert_class == alts[0]["expert"]:
            assert routed.confidence >= alts[0]["probability"] - 1e-3
