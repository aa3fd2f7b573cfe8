"""Plan decoding: `PlanRouter.from_run(run).plan(query) -> (json_text, plan)`.

Greedy, batched (left-padded) decoding of a JSON route plan with the run's model, prompted exactly
as in training (`build_plan_prompt` through the native chat template). Validity is guaranteed by
construction, in three deterministic steps, and each step is counted so reports stay honest:

1. `raw`: decoding stops at the closing brace of the first top-level JSON object (brace depth is
   tracked outside JSON strings) or at `max_new_tokens`; if that text parses as a plan, done.
2. `repaired`: otherwise `repair_plan_text` closes the quotes/brackets of a cut-off object and the
   result is parsed again.
3. `fallback`: otherwise a minimal valid plan is built from what was decoded: every field of the
   (repaired) object that is valid on its own is kept; `route_plan` keeps its valid steps, or else
   its steps that start with a known tool (`/math (x)` -> `/math(x)`), or else gets one step per
   known tool name found anywhere in the decoded text (in order, consecutive repeats merged, at
   most `MAX_FALLBACK_STEPS`), or else one `fallback_tool` step; the other fields get
   fixed placeholder text that says it is a fallback.

So `json_valid` after decoding is always 1.0; `raw_json_valid` / `raw_schema_valid` (before repair)
and the fallback rate are what measure the model.

With `constrained=True` (the default) decoding follows the plan grammar (`plans/grammar.py`): at each
step the most likely of the model's top-k tokens that keeps the text a prefix of a valid plan is
taken, so the decoded text is a valid plan by construction and the tools are always vocabulary tools
chosen by the model. When none of the top-k fits, or at `max_new_tokens`, the grammar's shortest
completion is forced; `forced` counts those interventions per row, so they are not hidden either.

No prefix-KV reuse here: plan prompts are short next to the plan itself, so the prefill is a small
share of the cost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from routerforge.plans.format import (COMPACT_KEYS, DEFAULT_TOOLS, PLAN_KEYS, STEP_HEAD_RE, STEP_RE, AnyPlan,
                                      PlanParseError, build_plan_prompt, extract_json, normalize_tools, parse_plan,
                                      render_plan, repair_plan_text, validate_plan)
from routerforge.routers.constrained import token_texts
from routerforge.plans.grammar import complete_text, feed, finish_text, is_complete, plan_grammar, start

MAX_FALLBACK_STEPS = 6


@dataclass
class PlanOutput:
    """One decoded plan: `raw` model text (cut at the closing brace), the final plan and its JSON
    text (canonical key order), and how it was obtained (`raw`, `repaired` or `fallback`)."""

    query: str
    raw: str
    text: str
    plan: AnyPlan | None
    outcome: str
    raw_json_valid: bool
    new_tokens: int
    forced: int = 0  # constrained decoding: times the grammar had to force text (0 = all model choices)

    def to_row(self) -> dict:
        return {"query": self.query, "raw": self.raw, "completion": self.text, "outcome": self.outcome,
                "raw_json_valid": self.raw_json_valid, "new_tokens": self.new_tokens, "forced": self.forced}


class JsonStop:
    """Incremental scanner: `feed(text)` returns True once the first top-level `{...}` is closed.
    Text before the first `{` (a code fence, a stray word) is ignored; braces inside strings do not count."""

    def __init__(self) -> None:
        self.depth, self.in_str, self.escape, self.closed = 0, False, False, False
        self.consumed = 0  # characters read so far (position of the end of the object once closed)

    def feed(self, text: str) -> bool:
        for ch in text:
            if self.closed:
                break
            self.consumed += 1
            if self.in_str:
                if self.escape:
                    self.escape = False
                elif ch == "\\":
                    self.escape = True
                elif ch == '"':
                    self.in_str = False
            elif ch == '"' and self.depth > 0:
                self.in_str = True
            elif ch == "{":
                self.depth += 1
            elif ch == "}" and self.depth > 0:
                self.depth -= 1
                self.closed = self.depth == 0
        return self.closed


def cut_at_object_end(text: str) -> str:
    """`text` up to and including the closing brace of its first top-level object (or all of it)."""
    scan = JsonStop()
    return text[: scan.consumed] if scan.feed(text) else text


# ---------------------------------------------------------------- deterministic finishing


def _placeholders(tools: list[str]) -> dict:
    route = " -> ".join(tools)
    return {
        "route_rationale": f"Fallback plan (the model output was not a valid plan): route {route}.",
        "expected_artifacts": [f"The output of {t}." for t in tools],
        "thinking_outline": [f"{i}. Run {t}." for i, t in enumerate(tools, 1)],
        "handoff_plan": f"{route} -> router QA (fallback plan).",
        "todo_list": [f"- [ ] {t}: complete the step." for t in tools],
        "difficulty": "intermediate",
        "tags": ["fallback-plan"],
        "acceptance_criteria": [f"- {t} returns a result." for t in tools],
        "metrics": {"primary": ["Task success judged by router QA."], "secondary": ["Latency of each step."]},
    }


def fallback_plan(raw: str, query: str, *, compact: bool = True, tools: Iterable[str] = DEFAULT_TOOLS,
                  fallback_tool: str | None = None) -> AnyPlan:
    """A valid plan built deterministically from decoded text (see the module docstring)."""
    tools = normalize_tools(tools)
    fallback_tool = fallback_tool or ("/general-search" if "/general-search" in tools else tools[0])
    repaired = repair_plan_text(raw)
    try:
        obj = json.loads(repaired) if repaired else {}
    except ValueError:
        obj = {}
    obj = obj if isinstance(obj, dict) else {}
    decoded = [s for s in obj.get("route_plan") or [] if isinstance(s, str)] \
        if isinstance(obj.get("route_plan"), list) else []
    steps = [s for s in decoded if (m := STEP_RE.fullmatch(s)) and m.group(1) in tools]
    if not steps:  # lenient: a step that starts with a known tool, e.g. "/math (derive x)" -> "/math(derive x)"
        for s in decoded:
            m = STEP_HEAD_RE.match(s)
            if m and m.group(1) in tools:
                args = s[m.end():].strip().removeprefix("(").removesuffix(")").strip() or "the request"
                steps.append(f"{m.group(1)}({args})")
        steps = steps[:MAX_FALLBACK_STEPS]
    if not steps:
        arg = " ".join(query.split())[:200] or "the request"
        pattern = r"(" + "|".join(re.escape(t) for t in sorted(tools, key=len, reverse=True)) + r")(?![\w-])"
        found: list[str] = []
        for m in re.finditer(pattern, raw):
            if not found or found[-1] != m.group(1):
                found.append(m.group(1))
        steps = [f"{t}({arg})" for t in (found[:MAX_FALLBACK_STEPS] or [fallback_tool])]
    step_tools = [STEP_RE.fullmatch(s).group(1) for s in steps]
    keys = COMPACT_KEYS if compact else PLAN_KEYS
    plan = {"route_plan": steps, **{k: v for k, v in _placeholders(step_tools).items() if k in keys}}
    for key in keys[1:]:  # keep each decoded field that is valid on its own, in a fixed order
        if key in obj:
            trial = {**plan, key: obj[key]}
            try:
                validate_plan(trial, compact=compact, tools=tools)
                plan = trial
            except PlanParseError:
                pass
    return validate_plan(plan, compact=compact, tools=tools)


def finish_plan(raw: str, query: str, *, compact: bool = True, tools: Iterable[str] = DEFAULT_TOOLS,
                fallback: bool = True, fallback_tool: str | None = None) -> tuple[AnyPlan | None, str]:
    """(plan, outcome) for decoded text: parse as is, else repair, else (if `fallback`) rebuild."""
    try:
        return parse_plan(raw, compact=compact, tools=tools), "raw"
    except PlanParseError:
        pass
    repaired = repair_plan_text(raw)
    if repaired is not None:
        try:
            return parse_plan(repaired, compact=compact, tools=tools), "repaired"
        except PlanParseError:
            pass
    if not fallback:
        return None, "invalid"
    return fallback_plan(raw, query, compact=compact, tools=tools, fallback_tool=fallback_tool), "fallback"


def _json_ok(text: str) -> bool:
    try:
        extract_json(text)
        return True
    except PlanParseError:
        return False


# ---------------------------------------------------------------- the router

DTYPES = ("auto", "float32", "bfloat16")


def resolve_dtype(dtype: str) -> str:
    """`auto` -> bfloat16 where the CPU/GPU has native bf16 (the SFT ran under bf16 autocast there;
    on such CPUs a bf16 greedy step measured 1.7x faster than float32), else float32."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    if dtype == "auto":
        from routerforge.models.build import bf16_supported

        return "bfloat16" if bf16_supported() else "float32"
    return dtype


def cast_model(model, dtype: str):
    import torch

    return model.to(getattr(torch, dtype))


class PlanRouter:
    name = "plan"

    def __init__(self, model, tokenizer, *, compact: bool = True, tools: Iterable[str] = DEFAULT_TOOLS,
                 max_new_tokens: int = 300, batch_size: int = 8, fallback: bool = True,
                 fallback_tool: str | None = None, dtype: str = "auto", constrained: bool = True,
                 top_k: int = 32) -> None:
        if max_new_tokens < 1 or batch_size < 1 or top_k < 1:
            raise ValueError("max_new_tokens, batch_size and top_k must be at least 1")
        self.constrained, self.top_k = constrained, top_k
        self.dtype = resolve_dtype(dtype)
        self.model, self.tok = cast_model(model, self.dtype).eval(), tokenizer
        self.compact, self.tools = compact, normalize_tools(tools)
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        self.fallback, self.fallback_tool = fallback, fallback_tool
        if self.tok.pad_token_id is None:
            self.tok.pad_token = self.tok.eos_token
        self.eos_ids = {i for i in (self.tok.eos_token_id, self.tok.pad_token_id) if i is not None}
        self._keep_last = True
        self.grammar = plan_grammar(compact=self.compact, tools=self.tools)
        self._texts: list[str] | None = None  # per-token text, built on first constrained use

    @classmethod
    def from_run(cls, run_dir: str | Path, *, require_complete: bool = True, **kw) -> "PlanRouter":
        """A plan run written by `routerforge plan train` (run.json `kind: plan`)."""
        from routerforge.models.runs import RunError, load_run_model, read_run_info

        info = read_run_info(run_dir, require_complete=require_complete)
        if info.get("kind") != "plan":
            raise RunError(f"{run_dir} is not a plan run (run.json kind is {info.get('kind')!r}); "
                           "train one with `routerforge plan train`")
        model, tok, info = load_run_model(run_dir, require_complete=require_complete)
        kw.setdefault("compact", bool(info.get("compact", True)))
        kw.setdefault("tools", info.get("tools", DEFAULT_TOOLS))
        if info.get("max_new_tokens"):
            kw.setdefault("max_new_tokens", int(info["max_new_tokens"]))
        return cls(model, tok, **kw)

    def prompt_text(self, query: str) -> str:
        msgs = [{"role": "user", "content": build_plan_prompt(query, compact=self.compact)}]
        return self.tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)

    def plan(self, query: str) -> tuple[str, AnyPlan | None]:
        out = self.plan_batch([query])[0]
        return out.text, out.plan

    def plan_batch(self, queries: list[str]) -> list[PlanOutput]:
        results: list[PlanOutput] = []
        for i in range(0, len(queries), self.batch_size):
            chunk = queries[i : i + self.batch_size]
            for q, (raw, n_new, forced) in zip(chunk, self.generate([self.prompt_text(q) for q in chunk])):
                plan, outcome = finish_plan(raw, q, compact=self.compact, tools=self.tools, fallback=self.fallback,
                                            fallback_tool=self.fallback_tool)
                text = render_plan(plan) if plan is not None else raw
                results.append(PlanOutput(q, raw, text, plan, outcome, _json_ok(raw), n_new, forced))
        return results

    def _forward(self, **kw):
        # only the last position's logits are needed: skipping the LM head over the whole prompt saves
        # a large share of the prefill (vocab x hidden per prompt token); older models lack the argument
        if self._keep_last:
            try:
                return self.model(**kw, logits_to_keep=1)
            except TypeError:
                self._keep_last = False
        return self.model(**kw)

    def token_texts(self) -> list[str]:
        if self._texts is None:
            self._texts = token_texts(self.tok)
        return self._texts

    def _constrained_step(self, row: dict, candidates: list[int]) -> int:
        """The next token of one row under the grammar: queued forced tokens first, else the most
        likely candidate the grammar accepts, else the grammar's shortest completion (forced)."""
        if row["queue"]:
            return row["queue"].pop(0)
        texts = self.token_texts()
        for tid in candidates:
            piece = texts[tid] if tid < len(texts) else ""
            state = feed(row["state"], piece) if piece else None
            if state is not None:
                row["state"] = state
                return tid
        piece = finish_text(row["state"])
        row["state"] = feed(row["state"], piece)
        row["forced"] += 1
        ids = self.tok(piece, add_special_tokens=False)["input_ids"]
        row["queue"] = ids[1:]
        return ids[0]

    def _close(self, row: dict) -> None:
        """Out of tokens: the queued forced tokens (already read by the grammar) plus the grammar's
        completion become the row's tail text."""
        queued = self.tok.decode(row["queue"], clean_up_tokenization_spaces=False) if row["queue"] else ""
        row["tail"], row["queue"] = queued + complete_text(row["state"]), []
        row["forced"] += 1

    def generate(self, prompts: list[str]) -> list[tuple[str, int, int]]:
        """Greedy decoding of a left-padded batch; each row stops at end of turn, at the closing brace
        of its first JSON object (constrained: when the grammar is complete), or after max_new_tokens.
        Returns (text, new token count, forced interventions) per row."""
        import torch

        pad = self.tok.pad_token_id
        rows = [self.tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
        L, B = max(map(len, rows)), len(rows)
        ids = torch.tensor([[pad] * (L - len(r)) + r for r in rows])
        attn = torch.tensor([[0] * (L - len(r)) + [1] * len(r) for r in rows])
        pos = (torch.cumsum(attn, 1) - 1).clamp(min=0)
        gen: list[list[int]] = [[] for _ in rows]
        scans = [JsonStop() for _ in rows]
        cons = [{"state": start(self.grammar), "queue": [], "forced": 0, "tail": ""} for _ in rows]
        active = list(range(B))  # batch position -> prompt row; finished rows leave the batch
        cache = None
        with torch.inference_mode():
            for _ in range(self.max_new_tokens):
                out = self._forward(input_ids=ids, attention_mask=attn, position_ids=pos, past_key_values=cache,
                                    use_cache=True)
                cache = out.past_key_values
                logits = out.logits[:, -1]
                if self.constrained:
                    top = torch.topk(logits, min(self.top_k, logits.shape[-1]), dim=-1).indices.tolist()
                else:
                    best = logits.argmax(-1).tolist()
                keep, feed_ids = [], []
                for j in range(len(active)):
                    b = active[j]
                    if self.constrained:
                        tid = self._constrained_step(cons[b], top[j])
                        gen[b].append(tid)
                        if is_complete(cons[b]["state"]) and not cons[b]["queue"]:
                            continue
                        if len(gen[b]) >= self.max_new_tokens:  # out of tokens: complete it by the grammar
                            self._close(cons[b])
                            continue
                    else:
                        tid = best[j]
                        if tid in self.eos_ids:
                            continue
                        gen[b].append(tid)
                        # braces/quotes are ASCII, so decoding one token at a time is exact for the scanner
                        if scans[b].feed(self.tok.decode([tid], skip_special_tokens=True)) or \
                                len(gen[b]) >= self.max_new_tokens:
                            continue
                    keep.append(j)
                    feed_ids.append(tid)
                if not keep:
                    break
                if len(keep) < len(active):  # drop finished rows from the cache: later steps get cheaper
                    sel = torch.tensor(keep)
                    cache.batch_select_indices(sel)
                    attn, pos = attn[sel], pos[sel]
                    active = [active[j] for j in keep]
                ids = torch.tensor([[t] for t in feed_ids])
                attn = torch.cat([attn, torch.ones(len(active), 1, dtype=attn.dtype)], dim=1)
                pos = pos[:, -1:] + 1
        if self.constrained:
            # rows still open when the loop ended (max_new_tokens reached with queued tokens) finish here
            for c in cons:
                if not c["tail"] and (c["queue"] or not is_complete(c["state"])):
                    self._close(c)
            return [(self.tok.decode(g, skip_special_tokens=True, clean_up_tokenization_spaces=False) + c["tail"],
                     len(g), c["forced"]) for g, c in zip(gen, cons)]
        return [(cut_at_object_end(self.tok.decode(g, skip_special_tokens=True)), len(g), 0) for g in gen]
