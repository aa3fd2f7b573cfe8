"""The llama.cpp engine for the trained router's decoding passes (`Router(engine="llama.cpp")`).

On a small CPU the torch model is dispatch-bound: a one-token pass of the 135M model costs ~40 ms in
eager transformers, ~30 small kernels a layer; llama.cpp runs the same pass as one graph in ~9 ms
(benchmarks/engines.py). Latency is passes x the cost of a pass, so the decision logic stays the
router's own — the name trie, the spec charset and copy masks, drafts, the class confidence
(`Router._next_token`, `Router._draft`) — and only the forward pass moves here:

- the run's merged model is exported once to GGUF (models/gguf_export.py, bf16 by default: the weights
  the torch runtime serves) and cached by the adapter's hash;
- the system prefix is decoded once, as sequence 0; each row of a call starts from its cells (relabelled,
  not copied), and every sequence but 0 leaves the cache before and after each call
  (`llama_memory_seq_rm`);
- a batch of queries decodes as sequences of one llama.cpp batch, finished rows leaving it; a decision
  is a prefill of its suffix, then one pass per branching name token and per spec token, less what
  drafts save. A draft token here costs a third to a half of a one-token pass (llama.cpp's pass is
  memory-bound at one token, FLOP-bound from a few), so drafts are shorter than the torch path's;
- grounding's beam fallback runs here too (`spec_candidates_batch`), under the same masks.

Decisions are not bit-identical to the torch path's (other kernels, other rounding in bf16): on the
session-11 held-out split 275 of 280 decisions were the same (docs/runtime.md), so torch stays the
default and this engine is chosen with `ROUTERFORGE_ENGINE=llama.cpp`.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from routerforge.errors import UserError


EXPORT_VERSION = 1  # bump when models/gguf_export.py writes differently: cached exports are then redone


class EngineError(UserError, RuntimeError):
    """The llama.cpp engine cannot run here (not installed, a prompt too long for its context)."""


_QUIET = None  # llama.cpp's log callback: kept referenced, or the C side calls freed memory


def _quiet(llama_cpp) -> None:
    """Route llama.cpp's own logging (model and context set-up, written to stderr) to nowhere."""
    global _QUIET
    if _QUIET is None:
        _QUIET = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_QUIET, None)


def gguf_for_run(model, run_dir: Path, weight_type: str = "bf16") -> Path:
    """The run's merged model as GGUF, exported on first use into the routerforge cache. The base model
    must be a GGUF (the embedded model, or a .gguf file): its layout and tokenizer are what is written."""
    import json

    from routerforge.models.gguf_export import export_gguf
    from routerforge.models.loading import EMBEDDED, cache_dir, embedded_gguf

    base_ref = str(json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("model", ""))
    if base_ref in EMBEDDED:
        base = embedded_gguf(base_ref)
    elif base_ref.endswith(".gguf") and Path(base_ref).expanduser().is_file():
        base = Path(base_ref).expanduser()
    else:
        raise EngineError(f"the llama.cpp engine serves runs trained on a GGUF base model (the embedded "
                          f"model or a .gguf file); {run_dir} was trained on {base_ref!r}")
    # the key: the export's format, the base file, and everything of the adapter (weights and scaling)
    h = hashlib.sha256(f"export-v{EXPORT_VERSION}:{base.name}:{base.stat().st_size}".encode())
    for f in sorted((run_dir / "adapter").glob("*.safetensors")) + sorted((run_dir / "adapter").glob("*.json")) \
            or [run_dir / "run.json"]:
        h.update(f.name.encode() + f.read_bytes())
    out = cache_dir() / "gguf" / f"{h.hexdigest()[:16]}-{weight_type}.gguf"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            export_gguf(model, base, out, weight_type=weight_type)
        except ValueError as exc:  # a GGUF base of another architecture or layout
            raise EngineError(f"cannot export {run_dir} for llama.cpp: {exc}") from None
    return out


class LlamaCppDecoder:
    """Greedy constrained decoding on a llama.cpp context: sequence 0 holds the system prefix; a batch of
    queries decodes as sequences 1..B that share the prefix's KV cells (a unified cache, so `seq_cp` is
    a relabelling, not a copy)."""

    def __init__(self, router, gguf_path: str | Path, *, n_threads: int | None = None, max_rows: int = 16,
                 n_ctx: int = 8192, draft_tokens: int = 2, draft_budget: int = 6) -> None:
        import os

        try:
            import llama_cpp
            from llama_cpp._internals import LlamaBatch, LlamaContext, LlamaModel
        except ImportError as exc:
            raise EngineError(f"the llama.cpp engine needs llama-cpp-python (`make llamacpp`): {exc}") from None
        _quiet(llama_cpp)
        self.router, self.max_rows = router, max_rows
        # a draft token costs a third to a half of a one-token pass here (8-9 ms; 3 tokens 15-17 ms), so one
        # query drafts 2 tokens a pass and a batch shares `draft_budget` fed tokens a row-pass between its rows
        self.draft_tokens, self.draft_budget = draft_tokens, draft_budget
        if 2 * getattr(router, "candidates", 0) > max_rows:
            raise EngineError(f"{router.candidates} grounding beams need {2 * router.candidates} sequences; "
                              f"the llama.cpp engine has {max_rows}")
        self.lock = threading.Lock()  # one context, batch and logits buffer: one call at a time
        self.n_ctx = n_ctx
        threads = n_threads or len(os.sched_getaffinity(0))
        try:
            self.model = LlamaModel(path_model=str(gguf_path), params=llama_cpp.llama_model_default_params(),
                                    verbose=False)
        except ValueError as exc:  # a truncated or foreign file (an interrupted export is never renamed in)
            raise EngineError(f"llama.cpp cannot load {gguf_path} ({exc}); delete it to export it again") from None
        cp = llama_cpp.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, 2048, 512
        cp.n_seq_max, cp.kv_unified = max_rows + 1, True
        cp.n_threads = cp.n_threads_batch = threads
        self.ctx = LlamaContext(model=self.model, params=cp, verbose=False)
        self.capacity = 2048
        self.batch = LlamaBatch(n_tokens=self.capacity, embd=0, n_seq_max=1, verbose=False)
        self.n_vocab = self.model.n_vocab()
        self.prefix = list(router.prefix.ids)
        if len(self.prefix) >= self.capacity:
            raise EngineError(f"the system prefix is {len(self.prefix)} tokens; the llama.cpp engine feeds at "
                              f"most {self.capacity - 1} at once")
        self._feed([(0, self.prefix, len(self.prefix) - 1)], 0)

    def _feed(self, rows: list[tuple[int, list[int], int]], start_pos: list[int] | int):
        """One pass: each (seq, tokens, first_output) feeds `tokens` to its sequence from its position;
        logits come back for the tokens from index `first_output` on. Returns one [n, V] tensor per row."""
        import numpy as np
        import torch

        b = self.batch.batch
        b.n_tokens, outs = 0, []
        for r, (seq, tokens, first_out) in enumerate(rows):
            pos0 = start_pos if isinstance(start_pos, int) else start_pos[r]
            for i, t in enumerate(tokens):
                j = b.n_tokens
                b.token[j], b.pos[j], b.seq_id[j][0], b.n_seq_id[j] = t, pos0 + i, seq, 1
                b.logits[j] = i >= first_out
                b.n_tokens += 1
            outs.append(len(tokens) - first_out)
        self.ctx.decode(self.batch)
        buf = torch.from_numpy(np.ctypeslib.as_array(self.ctx.get_logits(), shape=(sum(outs), self.n_vocab)).copy())
        return list(torch.split(buf, outs))  # (the buffer is the context's, rewritten by the next pass)

    def _forget(self) -> None:
        """Every sequence but the prefix's leaves the cache (after each call, also one that failed)."""
        for seq in range(1, self.max_rows + 1):
            self.ctx.kv_cache_seq_rm(seq, -1, -1)

    def _cells(self, suffix: list[int]) -> int:
        return len(suffix) + self.router.max_spec_tokens + 16  # what a row may hold: its prompt, its spec, drafts

    def decide_batch(self, queries: list[str]) -> list[dict]:
        """The router's decoding state per query after greedy constrained decoding (Router._result reads it).
        Rows go in groups of at most `max_rows` whose cells fit the context next to the prefix."""
        r, P = self.router, len(self.prefix)
        suffixes = [r.prefix.suffix(q) for q in queries]
        room = min(self.capacity, self.n_ctx - P)
        for sfx in suffixes:
            if self._cells(sfx) > room:
                raise EngineError(f"a query of {len(sfx)} tokens is too long for the llama.cpp engine "
                                  f"(at most {room - self._cells([])})")
        groups, used = [[]], 0
        for i, sfx in enumerate(suffixes):
            if groups[-1] and (len(groups[-1]) == self.max_rows or used + self._cells(sfx) > self.n_ctx - P):
                groups.append([])
                used = 0
            groups[-1].append(i)
            used += self._cells(sfx)
        out = []
        with self.lock:
            for g in groups:
                self._forget()  # (also what a caller feeding sequences itself may have left)
                try:
                    out += self._decide_rows([queries[i] for i in g], [suffixes[i] for i in g])
                finally:
                    self._forget()
        return out

    def _decide_rows(self, queries: list[str], suffixes: list[list[int]]) -> list[dict]:
        r, P = self.router, len(self.prefix)
        states = [r._new_state(q, sfx) for q, sfx in zip(queries, suffixes)]
        for seq in range(1, len(queries) + 1):  # each row starts from the prefix's cells
            self.ctx.kv_cache_seq_cp(0, seq, 0, P)
        logits, group = [], []  # the prefill, in passes of at most `capacity` tokens
        for b, sfx in enumerate(suffixes):
            if group and sum(len(s) for _, s, _ in group) + len(sfx) > self.capacity:
                logits += self._feed(group, P)
                r.passes += 1
                group = []
            group.append((b + 1, sfx, len(sfx) - 1))
        logits += self._feed(group, P)
        r.passes += 1
        live = list(range(len(queries)))
        pos = [P + len(s) for s in suffixes]
        drafts: list[list[int]] = [[] for _ in queries]
        for _step in range(8 + r.max_spec_tokens):
            feeds = []
            for k, b in enumerate(live):
                st, rows = states[b], logits[k]
                tid, used = r._next_token(st, rows[0]), 0
                while used < len(drafts[b]) and st["phase"] != "done" and tid == drafts[b][used]:
                    used += 1
                    tid = r._next_token(st, rows[used])
                if drafts[b]:
                    pos[b] += used  # accepted draft tokens stay in the cache; rejected ones leave it
                    self.ctx.kv_cache_seq_rm(b + 1, pos[b], -1)
                feeds.append(tid)
            going = [(b, tid) for b, tid in zip(live, feeds) if states[b]["phase"] != "done"]
            if not going:
                break
            live = [b for b, _ in going]
            room = min(self.draft_tokens, max(self.draft_budget // len(live) - 1, 0))
            rows = []
            for b, tid in going:
                drafts[b] = r._draft(states[b])[:room]
                rows.append((b + 1, [tid, *drafts[b]], 0))
            logits = self._feed(rows, [pos[b] for b in live])
            r.passes += 1
            for b in live:
                pos[b] += 1
        return states

    # ---- grounding's fallback: beam search on the engine ----------------------------------------
    def spec_candidates_batch(self, pairs: list[tuple[str, str]], k: int) -> list[list[str]]:
        """`Router.spec_candidates_batch` on llama.cpp: the k best specs for each (query, expert), best
        first, by a beam search under the same masks. Beams are sequences 1..k sharing the prompt's cells;
        a beam that extends another takes a fresh sequence id copied from its parent's (a relabelling).
        Finished specs rank by log-probability over their length (transformers' length_penalty=1)."""
        if 2 * k > self.max_rows:
            raise EngineError(f"{k} beams need {2 * k} sequences; the llama.cpp engine has {self.max_rows}")
        out = []
        with self.lock:
            for q, e in pairs:
                self._forget()
                try:
                    out.append(self._beams(q, e, k))
                finally:
                    self._forget()
        return out

    def _beams(self, query: str, expert: str, k: int) -> list[str]:
        import math

        import torch

        from routerforge.routers.constrained import clean_spec, spec_done

        r, P = self.router, len(self.prefix)
        prompt = r.prefix.suffix(query) + r.name_tokens[expert]
        mask, words = r.spec_masks.get(expert), r._copy_words(expert, query)
        cap = r.spec_cap[expert]
        free = list(range(1, 2 * k + 1))
        seq = free.pop(0)
        self.ctx.kv_cache_seq_cp(0, seq, 0, P)
        logits = self._feed([(seq, prompt, len(prompt) - 1)], P)[0]
        r.passes += 1
        start = P + len(prompt)
        beams = [(0.0, [], seq)]  # (sum of log-probabilities, spec tokens, sequence id), all fed
        rows, finished = [logits[0]], {}  # finished: spec text -> its best score (log-prob over length)

        def logprobs(row, spec):
            if mask is not None:
                row = row.masked_fill(~mask, -math.inf)
            return torch.log_softmax(r._copy_constraint(expert, spec, words, row).float(), -1)

        for _ in range(cap):
            cands = []
            for (score, spec, sq), row in zip(beams, rows):
                lp = logprobs(row, spec)
                top = torch.topk(lp, 2 * k)
                cands += [(score + v, spec, sq, t) for v, t in zip(top.values.tolist(), top.indices.tolist())
                          if v > -math.inf]
            cands.sort(key=lambda c: -c[0])
            nxt = []
            for rank, (score, spec, sq, t) in enumerate(cands):
                new = spec + [t]
                if t in r.eos_ids or t in r.newline_ids or spec_done(r.tok.decode(new)) or len(new) >= cap:
                    if rank < k:  # as transformers: a hypothesis ends only from among the best k
                        text = clean_spec(r.tok.decode(new, skip_special_tokens=True))
                        finished[text] = max(finished.get(text, -math.inf), score / len(new))
                    continue
                nxt.append((score, new, sq))
                if len(nxt) == k:
                    break
            best_open = max((s / len(sp) for s, sp, _ in nxt), default=-math.inf)
            if not nxt or len(finished) >= k and best_open < sorted(finished.values())[-k]:
                break
            # each surviving beam gets its own sequence: a parent's cells relabelled (no copying)
            olds, beams, feed = [sq for _s, _sp, sq in beams], [], []
            for score, spec, parent in nxt:
                sq = free.pop(0)
                self.ctx.kv_cache_seq_rm(sq, -1, -1)
                self.ctx.kv_cache_seq_cp(parent, sq, -1, -1)
                beams.append((score, spec, sq))
                feed.append((sq, [spec[-1]], 0))
            for old in olds:  # the last step's beams leave, with the cells no new beam shares
                self.ctx.kv_cache_seq_rm(old, -1, -1)
                free.append(old)
            rows = [x[0] for x in self._feed(feed, [start + len(sp) - 1 for _s, sp, _q in beams])]
            r.passes += 1
        return sorted(finished, key=lambda text: -finished[text])[:k]
