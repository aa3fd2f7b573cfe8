"""The fast router runtime: `Router.from_run(path).route(query) -> Routed`.

Speed comes from three things: the fixed system-prompt prefix is encoded once and its KV cache is
reused for every query; queries are decoded in batches with a hand-written greedy loop (no
`generate` overhead); and constrained decoding (constrained.py) makes every output parse, stops at
`->`, and skips generation entirely after `chat:`. The expert, not the model, computes the result.
"""

from __future__ import annotations

import json
import math
import time
from contextlib import nullcontext
from pathlib import Path

from routerforge.errors import InputError
from routerforge.experts import class_of, default_expert, expert_names, get_expert
from routerforge.experts.numberwords import digits_for_words
from routerforge.formats.decision import DecisionParseError, parse_decision
from routerforge.models.loading import contiguous_head_input
from routerforge.models.prompts import prompt_text, router_messages, system_prompt
from routerforge.routers.base import Routed, finish
from routerforge.routers.calibration import path_class_mass
from routerforge.routers.chat_gate import GATE_FILE, ChatGate, GateExit
from routerforge.routers.grounding import grounded, repairs
from routerforge.routers.prefill import PrefixCache
from routerforge.experts.base import Expert
from routerforge.routers.constrained import (CopyIndex, build_name_trie, charset_mask, clean_spec,
                                           names_below, spec_done, token_texts)


ENGINES = ("torch", "llama.cpp")  # what runs the decoding passes (Router.from_run(engine=...))


class Router:
    name = "trained"

    def __init__(self, model, tokenizer, *, fewshot: bool = False, constrained: bool = True,
                 chat_model=None, max_spec_tokens: int = 72, batch_size: int = 16, name: str = "trained",
                 temperature: float = 1.0, abstain_below: float | None = None, system: str | None = None,
                 grounding: bool = True, candidates: int = 8, read_numbers: bool = False,
                 draft_tokens: int = 8, draft_budget: int = 16, engine=None, chat_gate=None) -> None:
        self.model, self.tok = model.eval(), tokenizer
        contiguous_head_input(self.model)  # (load_model does it too; a model built elsewhere may not have it)
        self.fewshot, self.constrained, self.name = fewshot, constrained, name
        self.max_spec_tokens, self.batch_size = max_spec_tokens, batch_size
        self.temperature, self.abstain_below = temperature, abstain_below
        # grounded decoding: a spec the query does not support is replaced by the best of the next
        # `candidates` beam candidates that is (grounding.py); only the constrained router does this
        self.grounding, self.candidates = grounding and constrained, candidates
        # spelled numbers reach the model as digits ("sixty plus forty" -> "60 plus 40"), so a spec copies
        # digits the prompt shows; grounding and the expert still read the user's own text
        self.read_numbers = read_numbers
        # tokens drafted per pass and verified together (decide_batch); 0 = one token per pass (the
        # reference loop the drafts must agree with)
        self.draft_tokens = draft_tokens if constrained else 0
        # tokens a batch pass may feed in all (rows x (1 + draft)): a one-token pass is dispatch-bound
        # (40 ms; a 24-token prefill 61 ms: benchmarks/pass_profile.py), but past a few dozen tokens a
        # pass is FLOP-bound and every draft token costs what a real one does
        self.draft_budget = draft_budget
        self._alternatives: list[list[dict]] = []  # per row of the last decide_batch: see _class_alternatives
        self.passes = 0  # forward passes of decide_batch so far (latency is passes x cost of a pass)
        self._chat_model = chat_model  # a model (or callable returning one) for chat passthrough replies
        self.experts = expert_names()
        self.system = system if system is not None else system_prompt()
        # The fixed prefix (system [+ few-shot turns]) is encoded once; see prefill.py.
        self.prefix = PrefixCache(self.model, self.tok, self._prompt_ids)
        self.prefix_ids = self.prefix.ids
        self.eos_ids = {i for i in (self.tok.eos_token_id, self.tok.pad_token_id) if i is not None}
        self.trie = build_name_trie(self.tok, self.experts)
        self.names_below = names_below(self.trie)
        self.classes = [class_of(e) for e in self.experts]  # aligned with self.experts
        self._class = dict(zip(self.experts, self.classes))
        self.name_tokens = {e: self.tok(f"{e}:", add_special_tokens=False)["input_ids"] for e in self.experts}
        texts = token_texts(self.tok)
        self.spec_masks = {}
        for e in self.experts:
            charset = get_expert(e).spec_charset
            if charset:
                self.spec_masks[e] = charset_mask(texts, charset, self.eos_ids)
        self.newline_ids = {i for i, t in enumerate(texts) if "\n" in t}
        # experts with fields that copy a word of the query (schedule task names): see constrained.py
        self.copy_experts = {e for e in self.experts if type(get_expert(e)).copy_field is not Expert.copy_field}
        self.copy_index = CopyIndex(texts) if self.copy_experts else None
        self._copy_cache: dict[tuple[str, str], list[str]] = {}
        self.empty_spec = {e for e in self.experts if get_expert(e).empty_spec}
        # each expert's own cap (Expert.max_spec_tokens: 72 for schedules, whose six-task specs run to ~50
        # tokens; at one cap of 40 for all, one schedule spec in fourteen was cut off), at most the router's
        self.spec_cap = {e: min(max_spec_tokens, get_expert(e).max_spec_tokens) for e in self.experts}
        # a decoder that runs decide_batch's passes elsewhere (routers/llamacpp.py), or None for torch
        self.engine = engine(self) if callable(engine) else engine
        # decides the requests it is sure are chat from the first layers of the prefill (chat_gate.py)
        self.chat_gate = chat_gate
        if chat_gate is not None:
            chat_gate.check_fits(self.model)

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_run(cls, run_dir: str | Path, *, require_complete: bool = True, dtype: str = "auto",
                 engine: str = "auto", **kw) -> "Router":
        from routerforge.models.runs import RunError, load_run_model, read_run_info

        if engine == "auto":  # ROUTERFORGE_ENGINE chooses for every command that serves a run
            import os

            engine = os.environ.get("ROUTERFORGE_ENGINE") or "torch"
        if engine not in ENGINES:  # (before minutes of loading)
            raise InputError(f"unknown engine {engine!r} (also in ROUTERFORGE_ENGINE); known: {', '.join(ENGINES)}")
        if read_run_info(run_dir, require_complete=require_complete).get("kind") == "plan":
            raise RunError(f"{run_dir} is a route-plan run; use `routerforge plan route --run {run_dir}`")
        model, tok, info = load_run_model(run_dir, require_complete=require_complete, dtype=dtype)
        kw.setdefault("system", info["system"])
        kw.setdefault("read_numbers", bool(info.get("read_numbers", False)))  # as it was trained
        calib = Path(run_dir) / "calibration.json"
        if calib.is_file():
            c = json.loads(calib.read_text())
            kw.setdefault("temperature", c.get("temperature", 1.0))
            kw.setdefault("abstain_below", c.get("abstain_below"))
        kw.setdefault("chat_model", info["base_loader"])
        gate = Path(run_dir) / GATE_FILE
        if "chat_gate" not in kw and gate.is_file():
            kw["chat_gate"] = ChatGate.load(gate)
        if engine == "llama.cpp":
            from routerforge.routers.llamacpp import LlamaCppDecoder, gguf_for_run

            path = gguf_for_run(model, Path(run_dir))
            kw["engine"] = lambda router: LlamaCppDecoder(router, path)
        return cls(model, tok, **kw)

    @classmethod
    def from_pretrained(cls, model: str = "smollm2-135m", *, fewshot: bool = True, constrained: bool = False,
                        name: str = "fewshot", **kw) -> "Router":
        from routerforge.models.loading import load_model

        lm, tok = load_model(model)
        return cls(lm, tok, fewshot=fewshot, constrained=constrained, name=name, chat_model=lm, **kw)

    def _full_prompt(self, query: str) -> str:
        text = digits_for_words(query) if self.read_numbers else query
        return prompt_text(self.tok, text, system=self.system, fewshot=self.fewshot)

    def _prompt_ids(self, query: str) -> list[int]:
        return self.tok(self._full_prompt(query), add_special_tokens=False)["input_ids"]

    # ---- routing ------------------------------------------------------------------------------
    def route(self, query: str) -> Routed:
        return self.route_batch([query])[0]

    def route_batch(self, queries: list[str], *, with_chat_answers: bool = False) -> list[Routed]:
        out: list[Routed] = []
        for i in range(0, len(queries), self.batch_size):
            chunk = queries[i : i + self.batch_size]
            t0 = time.perf_counter()
            decided = []  # (expert or None, spec, raw, confidence) after abstention
            decisions, alternatives, gated = self._decide_gated(chunk)
            for expert, spec, raw, conf in decisions:
                if expert is not None and self.abstain_below is not None and conf is not None \
                        and conf < self.abstain_below:
                    expert, spec = default_expert(), ""
                decided.append((expert, spec, raw, conf))
            grounding = self._ground_batch(chunk, [(e, s) for e, s, _, _ in decided])
            share = (time.perf_counter() - t0) / len(chunk)  # batch latency split evenly per query
            for q, (expert, spec, raw, conf), (gspec, path, reason), alts, gate in zip(chunk, decided, grounding,
                                                                                      alternatives, gated):
                started = time.perf_counter() - share
                if expert is None:
                    out.append(Routed(q, expert="", spec=spec, ok=False, raw=raw, confidence=conf,
                                      error=f"unparseable decision: {raw!r}", latency_ms=share * 1000))
                    continue
                chat = self.chat_reply if with_chat_answers else None
                routed = finish(q, expert, gspec, started=started, raw=raw, confidence=conf, chat_answer=chat)
                routed.extra["decode_path"] = "chat_gate" if gate else path
                if alts:
                    routed.extra["alternatives"] = alts
                if reason:
                    routed.extra["grounding"] = reason
                out.append(routed)
        return out

    def _decide_gated(self, queries: list[str]) -> tuple[list[tuple], list[list[dict]], list[bool]]:
        """decide_batch's (decisions, alternatives) with the chat gate first: the rows it lets out are
        chat, decided from its first layers; the others go through decide_batch as they would without it.
        On torch the gate reads decide_batch's own prefill, which goes on when it lets out no row."""
        n = len(queries)
        try:
            return self.decide_batch(queries, gate=self.chat_gate), self._alternatives, [False] * n
        except GateExit as stop:
            gate = stop.exits
        rest = [q for q, g in zip(queries, gate) if g is None]
        decided = iter(zip(self.decide_batch(rest), self._alternatives) if rest else ())
        chat = default_expert()
        out = [next(decided) if g is None else ((chat, "", f"{chat}:", g), []) for g in gate]
        return [d for d, _ in out], [a for _, a in out], [g is not None for g in gate]

    # ---- grounded decoding --------------------------------------------------------------------
    def _ground_batch(self, queries: list[str], decided: list[tuple[str | None, str]]) -> list[tuple[str, str, str]]:
        """(spec, path, reason) per row: the greedy spec if the query supports it (`greedy`); else the
        first beam candidate that is (`candidate:i`); else the first of the greedy spec's and the beams'
        repairs that is (`repaired`: a number the query never states dropped, `grounding.repairs`); else
        the greedy spec, `ungrounded`, with the reason.
        The beams of every row that needs them run as one batched search."""
        out = [(spec, "greedy", "") for _, spec in decided]
        if not self.grounding:
            return out
        todo = []
        for i, (q, (expert, spec)) in enumerate(zip(queries, decided)):
            if expert is None or expert in self.empty_spec:
                continue
            ok, reason = grounded(q, expert, spec)
            if not ok:
                out[i] = (spec, "ungrounded", reason)
                todo.append(i)
        if todo:
            search = self.engine if self.engine is not None else self  # beams on the engine that decodes
            cands = search.spec_candidates_batch([(queries[i], decided[i][0]) for i in todo], self.candidates)
            for i, found in zip(todo, cands):
                for j, cand in enumerate(found, 1):
                    if cand != decided[i][1] and grounded(queries[i], decided[i][0], cand)[0]:
                        out[i] = (cand, f"candidate:{j}", "")
                        break
                else:  # no candidate holds: the greedy spec, then each beam, without a number the query never states
                    fixed = (r for c in [decided[i][1], *found] for r in repairs(queries[i], decided[i][0], c))
                    cand = next((r for r in fixed if grounded(queries[i], decided[i][0], r)[0]), None)
                    if cand is not None:  # the greedy spec's reason stays with the row
                        out[i] = (cand, "repaired", out[i][2])
        return out

    def spec_candidates(self, query: str, expert: str, k: int) -> list[str]:
        """The k most likely specs for `expert` (beam search under its charset mask), best first."""
        return self.spec_candidates_batch([(query, expert)], k)[0]

    def spec_candidates_batch(self, pairs: list[tuple[str, str]], k: int) -> list[list[str]]:
        """`spec_candidates` for many (query, expert) pairs in one left-padded beam search, each row
        under its own expert's charset mask: the CPU is dispatch-bound, so a batch costs about one row."""
        import torch
        from transformers import LogitsProcessor, LogitsProcessorList

        # Each row's prompt (cached prefix, its suffix, the name) is prefilled here once, from the prefix
        # cache, and the cache repeated for the beams; `generate` then feeds only each prompt's last token.
        # (Given the whole prompts, generate would prefill every beam's copy of the whole prompt, system
        # prefix included: k x the work, the larger part of a grounding fallback.) The layout is
        # PrefixCache's: prefix, left padding, suffix; generate's position ids (the mask's cumsum) agree.
        suffixes = [self.prefix.suffix(q) + self.name_tokens[e] for q, e in pairs]
        pre_ids, pre_attn, pre_pos, cache = self.prefix.inputs([sfx[:-1] for sfx in suffixes])
        with torch.no_grad():
            cache = self.model(input_ids=pre_ids, attention_mask=pre_attn, position_ids=pre_pos,
                               past_key_values=cache, use_cache=True, logits_to_keep=1).past_key_values
        cache.batch_repeat_interleave(k)
        pad, P, L = self.tok.pad_token_id, len(self.prefix.ids), max(map(len, suffixes))
        ids = torch.tensor([self.prefix.ids + [pad] * (L - len(sfx)) + sfx for sfx in suffixes])
        attn = torch.cat([pre_attn, torch.ones(len(pairs), 1, dtype=pre_attn.dtype)], dim=1)
        width = P + L
        any_mask = next(iter(self.spec_masks.values()), None)
        masks = None
        if any_mask is not None:
            allow_all = torch.ones_like(any_mask)
            masks = torch.stack([self.spec_masks.get(e, allow_all) for _, e in pairs]).repeat_interleave(k, 0)

        words = [self._copy_words(e, q) for q, e in pairs]
        router = self

        class Mask(LogitsProcessor):  # rows are batch-major, beams inner (as generate expands them)
            def __call__(self, input_ids, scores):
                if masks is not None:
                    scores = scores.masked_fill(~masks.to(scores.device), -math.inf)
                for r in range(scores.shape[0]):  # copy fields, row by row (schedules, time)
                    q = r // k
                    if pairs[q][1] in router.copy_experts:
                        scores[r] = router._copy_constraint(pairs[q][1], input_ids[r, width:], words[q], scores[r])
                return scores

        with torch.no_grad():
            out = self.model.generate(input_ids=ids, attention_mask=attn, past_key_values=cache,
                                      num_beams=k, num_return_sequences=k,
                                      max_new_tokens=max(self.spec_cap[e] for _, e in pairs), do_sample=False,
                                      logits_processor=LogitsProcessorList([Mask()]), stop_strings=["->", "\n"],
                                      tokenizer=self.tok, pad_token_id=pad)
        texts = self.tok.batch_decode(out[:, width:], skip_special_tokens=True)
        return [list(dict.fromkeys(clean_spec(t) for t in texts[i * k:(i + 1) * k])) for i in range(len(pairs))]

    def decide_batch(self, queries: list[str], choose=None,
                     gate: ChatGate | None = None) -> list[tuple[str | None, str, str, float | None]]:
        """Greedy decode `expert: spec ->` for each query; returns (expert, spec, raw_text, confidence).

        `gate`, when given, reads the prefill after its layer and raises `GateExit` there if it lets out
        any row (ChatGate.watch; with an engine, a torch pass cut off at that layer first); a batch it
        lets out no row of is decoded as without it.

        `choose(hidden_states, queries) -> [(expert, confidence)]`, when given, picks the expert from the
        prefill's hidden states (a tuple per layer of [B, T, H] tensors; position -1 is the last prompt
        token): the name is then forced and only the spec is generated (hidden-state routing).

        With `draft_tokens` > 0 a step feeds each row its next token *and* a draft of the tokens after it
        (the rest of a name the trie forces; for a spec, what follows the same tokens in the query:
        prompt-lookup decoding), and keeps the longest draft prefix that greedy constrained decoding
        would have produced itself, position by position from the same logits. The model is dispatch-bound
        on a CPU (a pass over 8 tokens costs about one over 1), so a copied spec takes a pass or two
        instead of one per token, and the decisions are those of the one-token loop. A rejected draft
        token stays in the KV cache masked out (attention 0), so rows of a batch advance independently."""
        import torch

        if self.engine is not None and choose is None:  # the engine runs the passes (the same state machine)
            exits = gate.exits(self, queries) if gate is not None else []  # (the gate's layers in torch first)
            if any(e is not None for e in exits):
                raise GateExit(exits)
            states = self.engine.decide_batch(queries)
            self._alternatives = [self._class_alternatives(st) for st in states]
            return [self._result(st) for st in states]
        B = len(queries)
        suffixes = [self.prefix.suffix(q) for q in queries]
        ids, attn, pos, cache = self.prefix.inputs(suffixes)
        states = [self._new_state(q, s) for q, s in zip(queries, suffixes)]
        live = list(range(B))  # the rows still in the batch (finished ones leave it, with their cache)
        nxt_pos = (pos[:, -1] + 1).tolist()  # each live row's position id for the next token it feeds
        drafts: list[list[int]] = [[] for _ in range(B)]
        keep = 1  # the prefill's logits are read at its last position only
        watch = gate.watch(self.model, [len(s) for s in suffixes]) if gate is not None else nullcontext()
        with torch.no_grad(), watch:
            for _step in range(8 + self.max_spec_tokens):
                out = self.model(input_ids=ids, attention_mask=attn, position_ids=pos, past_key_values=cache,
                                 use_cache=True, output_hidden_states=choose is not None and _step == 0,
                                 logits_to_keep=keep)
                cache = out.past_key_values
                self.passes += 1
                if choose is not None and _step == 0:
                    for st, (expert, conf) in zip(states, choose(out.hidden_states, queries)):
                        st["queue"] = list(self.name_tokens[expert])
                        st["forced"], st["conf"] = expert, conf
                logits = out.logits.float()
                base = attn.shape[1] - ids.shape[1]  # where this step's tokens start in the mask
                nxt = []
                for b, i in enumerate(live):
                    st = states[i]
                    # column 0 follows the row's fed token, column i its i-th draft token: keep drafts
                    # while greedy constrained decoding picks exactly them from these logits
                    tid, used = self._next_token(st, logits[b, 0]), 0
                    while used < len(drafts[b]) and st["phase"] != "done" and tid == drafts[b][used]:
                        used += 1
                        tid = self._next_token(st, logits[b, used])
                    if _step:  # (the prefill has no drafts, and its padding is on the left)
                        attn[b, base + used + 1:] = 0  # rejected draft tokens (and padding) stay unseen
                        nxt_pos[b] += 1 + used
                    nxt.append(tid)
                going = [b for b, i in enumerate(live) if states[i]["phase"] != "done"]
                if not going:
                    break
                if len(going) < len(live):
                    # finished rows leave the batch: a batch pass costs FLOPs in proportion to its rows
                    # once it holds more than a few tokens, and the longest spec sets the number of passes
                    sel = torch.tensor(going)
                    cache.batch_select_indices(sel)
                    attn = attn[sel]
                    live, nxt, nxt_pos = [live[b] for b in going], [nxt[b] for b in going], [nxt_pos[b] for b in going]
                # drafts cost nothing while a pass is dispatch-bound (a few tokens in all); past that, every
                # draft token is paid in FLOPs, so a batch shares `draft_budget` tokens a pass between its rows
                room = max(self.draft_budget // len(live) - 1, 0)
                drafts = [self._draft(states[i])[:room] for i in live]
                feeds = [[t, *d] for t, d in zip(nxt, drafts)]
                width = max(map(len, feeds))
                pad = self.tok.pad_token_id
                ids = torch.tensor([f + [pad] * (width - len(f)) for f in feeds])
                fed = [[1] * len(f) + [0] * (width - len(f)) for f in feeds]
                attn = torch.cat([attn, torch.tensor(fed, dtype=attn.dtype)], dim=1)
                pos = torch.tensor([[p + i for i in range(width)] for p in nxt_pos])
                keep = width
        self._alternatives = [self._class_alternatives(st) for st in states]
        return [self._result(st) for st in states]

    def _new_state(self, query: str, suffix: list[int]) -> dict:
        """A row's decoding state before its first pass (what _next_token and _draft advance)."""
        return {"phase": "name", "node": self.trie, "tokens": [], "spec": [], "expert": None, "steps": [],
                "query": query, "source": suffix}

    def _class_alternatives(self, st: dict, top: int = 4) -> list[dict]:
        """The classes the model weighed at its first choice between names, with their probabilities (at
        this router's temperature): exact for a branch whose names all share a class, which is where the
        classes part; a branch shared by names of several classes is listed under all of them joined."""
        if not st["steps"]:
            return []
        probs, _, node = st["steps"][0]
        mass: dict[str, float] = {}
        for p, child in zip(probs, node.children.values()):
            label = "|".join(sorted({self._class[n] for n in self.names_below[id(child)]}))
            mass[label] = mass.get(label, 0.0) + p
        ranked = sorted(mass.items(), key=lambda kv: -kv[1])[:top]
        return [{"expert": c, "probability": round(p, 4)} for c, p in ranked]

    def _draft(self, st: dict) -> list[int]:
        """Tokens likely to follow a row's decoded tokens, checked by the next pass: the rest of a name
        when the trie allows one way on, else (in a spec) what follows the decoded spec's last tokens in
        the query itself (prompt lookup: specs copy numbers, names and places from the query)."""
        if self.draft_tokens <= 0:
            return []
        if st["phase"] == "name" and not st.get("queue"):
            node, out = st["node"], []
            while len(node.children) == 1 and node.expert is None:
                tid, node = next(iter(node.children.items()))
                out.append(tid)
            return out
        if st["phase"] != "spec" or not st["spec"]:
            return []
        src, spec = st["source"], st["spec"]
        for n in (3, 2, 1):  # the longest tail of the spec that occurs in the query, latest occurrence
            if len(spec) < n:
                continue
            tail = spec[-n:]
            for i in range(len(src) - n, -1, -1):
                if src[i:i + n] == tail and i + n < len(src):
                    room = self.spec_cap[st["expert"]] - len(spec) - 1
                    return src[i + n:i + n + min(self.draft_tokens, max(room, 0))]
        return []

    def _next_token(self, st: dict, logits) -> int:
        """Advance one row's state machine with this step's logits; return the token fed next."""
        import torch

        pad = self.tok.pad_token_id
        if st["phase"] == "done":
            return pad
        if st.get("queue") and st["forced"] in self.empty_spec:  # chat chosen outside: decided, no spec
            st["tokens"] += st.pop("queue")
            st["expert"], st["phase"] = st["forced"], "done"
            return pad
        if st.get("queue"):  # a name chosen outside the model (probe): feed its tokens
            tid = st["queue"].pop(0)
            st["tokens"].append(tid)
            if not st["queue"]:
                st["expert"] = st["forced"]
                st["phase"] = "done" if st["expert"] in self.empty_spec else "spec"
            return tid
        if not self.constrained:  # free decoding: stop at end of turn, a line break or the arrow
            tid = int(torch.argmax(logits))
            st["tokens"].append(tid)
            text = self.tok.decode(st["tokens"], skip_special_tokens=True)
            if tid in self.eos_ids or spec_done(text) or len(st["tokens"]) >= self.max_spec_tokens + 8:
                st["phase"] = "done"
            return tid
        if st["phase"] == "name":
            allowed = list(st["node"].children)
            scaled = logits[allowed] / self.temperature
            k = int(torch.argmax(scaled))
            if len(allowed) > 1:  # a branching node: keep its distribution for the class confidence
                st["steps"].append((torch.softmax(scaled, 0).tolist(), k, st["node"]))
            tid = allowed[k]
            st["tokens"].append(tid)
            st["node"] = st["node"].children[tid]
            below = self.names_below[id(st["node"])]
            if st["node"].expert is None and len(below) == 1 and next(iter(below)) in self.empty_spec:
                # only `chat:` is left below: its remaining tokens are forced and nothing follows them,
                # so the decision is made now (one forward for a chat decision, not one per token)
                st["expert"] = next(iter(below))
                st["tokens"] += self.name_tokens[st["expert"]][len(st["tokens"]):]
                st["phase"] = "done"
                return tid
            if st["node"].expert is not None:
                st["expert"] = st["node"].expert
                st["phase"] = "done" if st["expert"] in self.empty_spec else "spec"
            return tid
        # spec phase
        mask = self.spec_masks.get(st["expert"])
        if mask is not None:
            logits = logits.masked_fill(~mask, -math.inf)
        logits = self._copy_constraint(st["expert"], st["spec"], self._copy_words(st["expert"], st["query"]), logits)
        tid = int(torch.argmax(logits))
        st["tokens"].append(tid)
        if tid in self.eos_ids or tid in self.newline_ids:
            st["phase"] = "done"
            return tid
        st["spec"].append(tid)
        if spec_done(self.tok.decode(st["spec"])) or len(st["spec"]) >= self.spec_cap[st["expert"]]:
            st["phase"] = "done"
        return tid

    def _copy_words(self, expert: str | None, query: str) -> list[str]:
        """The words `expert`'s copy fields may hold for `query` (its own, or the query's words)."""
        if expert is None or expert not in self.copy_experts:
            return []
        key = (expert, query)
        if key not in self._copy_cache:
            if len(self._copy_cache) > 4096:
                self._copy_cache.clear()
            own = get_expert(expert).copy_words(query)
            self._copy_cache[key] = CopyIndex.words(query) if own is None else own
        return self._copy_cache[key]

    def _copy_constraint(self, expert: str, spec_ids, words: list[str], logits):
        """`logits` with every token masked that would leave a copy field off the query's words (when
        the spec so far ends inside one, and some allowed token is left)."""
        import torch

        if self.copy_index is None or expert not in self.copy_experts:
            return logits
        e = get_expert(expert)
        field = e.copy_field(self.tok.decode(spec_ids, skip_special_tokens=True))
        allow = self.copy_index.allowed(field[0], field[1], words, e.copy_casefold) if field is not None else None
        if allow is None:
            return logits
        masked = logits.masked_fill(~allow.to(logits.device), -math.inf)
        return masked if bool(torch.isfinite(masked).any()) else logits

    def _result(self, st: dict) -> tuple[str | None, str, str, float | None]:
        raw = self.tok.decode(st["tokens"], skip_special_tokens=True)
        if "forced" in st:
            return st["forced"], clean_spec(self.tok.decode(st["spec"])), raw, st["conf"]
        if self.constrained:
            if st["expert"] is None:
                return None, "", raw, None
            return st["expert"], clean_spec(self.tok.decode(st["spec"])), raw, self._class_confidence(st)
        try:
            d = parse_decision(raw.split("\n", 1)[0])
        except DecisionParseError:
            return None, "", raw, None
        return d.expert, d.spec, raw, None

    def _class_confidence(self, st: dict) -> float:
        """Probability of the decoded expert's class (math for any arithmetic expert) along the greedy
        path, at this router's temperature; the number abstention compares with its threshold."""
        c = self._class[st["expert"]]
        pure = lambda node: [all(self._class[n] == c for n in self.names_below[id(ch)])  # noqa: E731
                             for ch in node.children.values()]
        return path_class_mass([(probs, k, pure(node)) for probs, k, node in st["steps"]])

    # ---- chat passthrough ---------------------------------------------------------------------
    def chat_reply(self, query: str, max_new_tokens: int = 48) -> str:
        """A short reply from the base model (no adapter, its own default chat prompt)."""
        import torch

        if callable(self._chat_model) and not hasattr(self._chat_model, "generate"):
            self._chat_model = self._chat_model()
        lm = self._chat_model or self.model
        text = self.tok.apply_chat_template([{"role": "user", "content": query}], tokenize=False,
                                            add_generation_prompt=True)
        enc = self.tok(text, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            out = lm.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                              pad_token_id=self.tok.pad_token_id)
        return self.tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    # ---- the naive baseline (for benchmarks) ---------------------------------------------------
    def route_naive(self, query: str) -> Routed:
        """Generate-and-parse with `generate` and no prefix cache: the speed baseline."""
        import torch

        t0 = time.perf_counter()
        enc = self.tok(self._full_prompt(query), return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            out = self.model.generate(**enc, max_new_tokens=self.max_spec_tokens + 8, do_sample=False,
                                      stop_strings=["->"], tokenizer=self.tok, pad_token_id=self.tok.pad_token_id)
        raw = self.tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        try:
            d = parse_decision(raw.split("\n", 1)[0])
        except DecisionParseError as exc:
            return Routed(query, "", ok=False, error=str(exc), raw=raw, latency_ms=(time.perf_counter() - t0) * 1000)
        return finish(query, d.expert, d.spec, started=t0, raw=raw)


__all__ = ["Router", "router_messages"]
