"""One prefill of the query, pooled: the features the plan decision is made from.

`StateEncoder` runs the frozen base model over the raw query text (no chat template, no
instruction: the heads only need what the query says) and keeps the residual stream after the
chosen decoder layers, read by forward hooks. The layers above the deepest one kept are cut off
the model, and the LM head never runs, so a decision costs a fraction of a full forward pass.

Pooling, per layer: the mean over the query's tokens (the whole-query and difficulty heads) and, for
each clause span of the query (`plans.ground.segments`), the mean over the tokens that overlap it
next to the mean over its first `HEAD_TOKENS` content tokens (after a leading "then, could you"):
the verb that says what is asked ("derive", "cite", "implement") would otherwise be drowned by the
subject's many tokens. Clause features come from the same prefill: routing and grounding cost one pass.
Batches are right-padded: with causal attention a row's real tokens never see its padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routerforge.errors import InputError
from routerforge.plans.ground import lead_length

HEAD_TOKENS = 5


@dataclass
class Encoded:
    """Pooled states of one query: `query[layer]` [H], `clauses[layer]` [n_spans, 2H]."""

    query: dict[int, np.ndarray]
    clauses: dict[int, np.ndarray]
    tokens: int


def resolve_dtype(dtype: str) -> str:
    """`auto`: bfloat16 where the CPU has native bf16 (a prefill measured 1.8x faster here), else float32."""
    if dtype == "auto":
        from routerforge.models.build import bf16_supported

        return "bfloat16" if bf16_supported() else "float32"
    if dtype not in ("float32", "bfloat16"):
        raise InputError(f"dtype must be auto, float32 or bfloat16, got {dtype!r}")
    return dtype


class StateEncoder:
    """Hidden states after `layers` (hidden_states indices: 1 = after the first decoder layer)."""

    def __init__(self, model, tokenizer, layers: list[int], *, dtype: str = "float32", max_tokens: int = 512) -> None:
        import torch

        depth = int(model.config.num_hidden_layers)
        if not layers or any(not 1 <= layer <= depth for layer in layers):
            raise InputError(f"layers must be in 1..{depth}, got {layers}")
        self.layers, self.tok, self.max_tokens = sorted(set(layers)), tokenizer, max_tokens
        base = getattr(model, "model", model)
        base.layers = base.layers[: max(self.layers)]  # nothing above the deepest kept layer runs
        self.base = base.to(getattr(torch, dtype)).eval()
        self.dtype = dtype
        self._out: dict[int, object] = {}
        for layer in self.layers:
            base.layers[layer - 1].register_forward_hook(self._hook(layer))

    def _hook(self, layer: int):
        def grab(_module, _inputs, output):
            self._out[layer] = output[0] if isinstance(output, tuple) else output
        return grab

    def encode(self, queries: list[str], spans: list[list[tuple[int, int]]], batch_size: int = 16) -> list[Encoded]:
        import torch

        out: list[Encoded] = []
        for i in range(0, len(queries), batch_size):
            batch = queries[i:i + batch_size]
            enc = self.tok(batch, add_special_tokens=False, return_offsets_mapping=True, truncation=True,
                           max_length=self.max_tokens)
            lengths = [len(ids) for ids in enc["input_ids"]]
            width = max(max(lengths), 1)
            pad = self.tok.pad_token_id or 0
            ids = torch.tensor([row + [pad] * (width - len(row)) for row in enc["input_ids"]])
            mask = torch.tensor([[1] * n + [0] * (width - n) for n in lengths])
            with torch.no_grad():
                self.base(input_ids=ids, attention_mask=mask, use_cache=False)
            states = {layer: self._out[layer].float().numpy() for layer in self.layers}
            for b, query in enumerate(batch):
                n = max(lengths[b], 1)
                offsets = enc["offset_mapping"][b]
                qv = {layer: states[layer][b, :n].mean(0) for layer in self.layers}
                cv = {layer: np.stack([self._clause(states[layer][b, :n], offsets, s, query) for s in spans[i + b]])
                      for layer in self.layers}
                out.append(Encoded(qv, cv, lengths[b]))
        return out

    @staticmethod
    def _clause(states: np.ndarray, offsets, span: tuple[int, int], query: str) -> np.ndarray:
        a, b = span
        core = a + lead_length(query[a:b])
        idx = [t for t, (s, e) in enumerate(offsets[: len(states)]) if s < b and e > a]
        head = [t for t in idx if offsets[t][1] > core][:HEAD_TOKENS] or idx
        if not idx:  # a span with no token of its own (cut off by max_tokens): the query stands in
            idx = head = list(range(len(states)))
        return np.concatenate([states[idx].mean(0), states[head].mean(0)])
