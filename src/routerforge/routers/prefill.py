"""The batched prompt prefill over a cached fixed prefix — one implementation for the generated router's
first decoding step, the hidden-state probe and calibration's name scores.

A router prompt splits into a fixed prefix (system prompt [+ few-shot turns]) and a per-query suffix.
The prefix is encoded once and its KV cache reused; a batch of suffixes is left-padded and masked, with
positions continuing the prefix, so each row computes exactly what its unbatched prompt would.
"""

from __future__ import annotations

import copy
from typing import Callable


class PrefixCache:
    """`prompt_ids(query) -> token ids` of a whole prompt; the cached prefix is their common start."""

    def __init__(self, model, tokenizer, prompt_ids: Callable[[str], list[int]]) -> None:
        import torch

        self.model, self.tok, self.prompt_ids = model, tokenizer, prompt_ids
        # The split point is the last special token two sample prompts share: text is tokenized
        # independently on each side of a special token, so the cached prefix ids never change.
        a, b = prompt_ids("a"), prompt_ids("b")
        n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        special = set(tokenizer.all_special_ids)
        while n > 0 and a[n - 1] not in special:
            n -= 1
        self.ids = a[:n]
        with torch.no_grad():
            self.cache = model(input_ids=torch.tensor([self.ids]), use_cache=True).past_key_values

    def suffix(self, query: str) -> list[int]:
        ids = self.prompt_ids(query)
        if ids[:len(self.ids)] != self.ids:
            raise RuntimeError("prompt does not start with the cached prefix tokens")
        return ids[len(self.ids):]

    def inputs(self, suffixes: list[list[int]]):
        """(input_ids, attention_mask, position_ids, cache) for a left-padded batch of suffixes; the cache
        is a fresh copy of the prefix's, repeated per row."""
        import torch

        B, L, P = len(suffixes), max(map(len, suffixes)), len(self.ids)
        pad = self.tok.pad_token_id
        ids = torch.tensor([[pad] * (L - len(s)) + s for s in suffixes])
        smask = torch.tensor([[0] * (L - len(s)) + [1] * len(s) for s in suffixes])
        attn = torch.cat([torch.ones(B, P, dtype=torch.long), smask], dim=1)
        pos = (P + torch.cumsum(smask, 1) - 1).clamp(min=P)
        cache = copy.deepcopy(self.cache)
        if B > 1:
            cache.batch_repeat_interleave(B)
        return ids, attn, pos, cache

    def prefill(self, queries: list[str], tails: list[list[int]] | None = None, *,
                output_hidden_states: bool = False):
        """One forward pass over the queries' prompts after the prefix, exactly as the first step of
        `Router.decide_batch`. `tails` appends token ids to each prompt (teacher forcing a name prefix).
        Returns (model output, suffix lengths)."""
        import torch

        suffixes = [self.suffix(q) + (list(tails[i]) if tails else []) for i, q in enumerate(queries)]
        ids, attn, pos, cache = self.inputs(suffixes)
        with torch.no_grad():
            out = self.model(input_ids=ids, attention_mask=attn, position_ids=pos, past_key_values=cache,
                             use_cache=True, output_hidden_states=output_hidden_states)
        return out, [len(s) for s in suffixes]
