"""A decoder split in two at its first trainable layer (mechanics, no control flow).

With LoRA on the last N layers only (`sft.lora_layers`) or last-N unfreezing, the layers below the
split never change during training, so their output for a training row is the same in every epoch.
`bottom` runs them once (no grad); `top` runs the trainable rest — layers, final norm, LM head at the
positions asked for — from those saved hidden states. Both call the model's own modules the way
`LlamaModel.forward` does (rotary embeddings, the causal mask), so `top(bottom(x))` is the model's
forward; `tests/models/test_stack.py` checks the logits match.

Rows that all start with the same tokens (the chat template and system line: about half of a short
row) can be run after that prefix: its states are computed once and its keys and values shared by
the whole batch (`prefix_ids` / `prefix`), the same numbers for about half the work.

Right padding only: under a causal mask a real token never attends to the pads after it, so the
hidden states of the real tokens do not depend on how much padding the batch had.
"""

from __future__ import annotations


def decoder(model):
    """The `LlamaForCausalLM`-like module under a PEFT wrapper (or the model itself)."""
    inner = model
    while not hasattr(inner, "lm_head") and hasattr(inner, "base_model") and inner.base_model is not inner:
        inner = inner.base_model
    if hasattr(inner, "model") and not hasattr(inner.model, "layers") and hasattr(inner.model, "model"):
        inner = inner.model
    if not hasattr(inner, "lm_head") or not hasattr(inner.model, "layers"):
        raise TypeError(f"{type(model).__name__}: not a decoder with model.layers and lm_head")
    return inner


def attention(model, implementation: str) -> str:
    """Switch the decoder's attention implementation ("eager", "sdpa"); returns the one it had."""
    inner = decoder(model)
    before = inner.config._attn_implementation
    if implementation != before:
        inner.set_attn_implementation(implementation)
    return before


def split_layer(model) -> int:
    """Index of the first decoder layer with a trainable parameter (everything below is frozen)."""
    inner = decoder(model)
    for i, layer in enumerate(inner.model.layers):
        if any(p.requires_grad for p in layer.parameters()):
            return i
    return len(inner.model.layers)


def frozen_below_split(model) -> bool:
    """True when nothing below the split (embeddings included) trains, so caching is exact."""
    inner = decoder(model)
    k = split_layer(model)
    below = [*inner.model.embed_tokens.parameters(), *(p for l in inner.model.layers[:k] for p in l.parameters())]
    return not any(p.requires_grad for p in below)


def _positions(hidden, attention_mask):
    import torch

    return torch.arange(hidden.shape[1], device=hidden.device).unsqueeze(0)


def _mask(inner, hidden, attention_mask, position_ids):
    from transformers.masking_utils import create_causal_mask

    return create_causal_mask(config=inner.config, inputs_embeds=hidden, attention_mask=attention_mask,
                              cache=None, position_ids=position_ids)


def _layers(inner, layers, hidden, attention_mask, prefix=None):
    if prefix is not None:
        return _layers_after_prefix(inner, layers, hidden, attention_mask, prefix)
    position_ids = _positions(hidden, attention_mask)
    mask = _mask(inner, hidden, attention_mask, position_ids)
    rotary = inner.model.rotary_emb(hidden, position_ids=position_ids)
    for layer in layers:
        hidden = layer(hidden, attention_mask=mask, position_embeddings=rotary, position_ids=position_ids)
    return hidden


def _layers_after_prefix(inner, layers, hidden, attention_mask, prefix):
    """`layers` over [prefix; row] for every row, the shared prefix ([1, P, width]) run once: its keys
    and values, computed for one row, are expanded over the batch (expand's backward sums the rows'
    gradients into them, so this is the batch's own forward and gradient, without B copies of P)."""
    import torch
    from transformers import DynamicCache
    from transformers.masking_utils import create_causal_mask

    first = layers[0].self_attn.layer_idx
    cache = DynamicCache(config=inner.config)
    n_prefix, (batch, length) = prefix.shape[1], hidden.shape[:2]
    for states, mask_2d, start in ((prefix, torch.ones(1, n_prefix, dtype=torch.long), 0),
                                   (hidden, torch.cat([attention_mask.new_ones(batch, n_prefix), attention_mask], 1),
                                    n_prefix)):
        pos = torch.arange(start, start + states.shape[1], device=states.device).unsqueeze(0).expand(states.shape[0], -1)
        mask = create_causal_mask(config=inner.config, inputs_embeds=states, attention_mask=mask_2d, cache=cache,
                                  position_ids=pos, layer_idx=first)
        rotary = inner.model.rotary_emb(states, position_ids=pos)
        for layer in layers:
            states = layer(states, attention_mask=mask, position_embeddings=rotary, position_ids=pos, cache=cache,
                           use_cache=True)
        if start == 0:  # the prefix's keys and values, shared by every row
            for i in range(first, first + len(layers)):
                kv = cache.layers[i]
                kv.keys, kv.values = kv.keys.expand(batch, -1, -1, -1), kv.values.expand(batch, -1, -1, -1)
    return states


def bottom(model, input_ids, attention_mask, split: int, prefix_ids=None):
    """Hidden states entering layer `split` ([batch, length, width]), computed without grad. With
    `prefix_ids` (1-D), every row is read after that shared prefix and only the rows' own positions
    come back (the prefix's are `bottom(model, prefix_ids[None], ..)`, the same for every row)."""
    import torch

    inner = decoder(model)
    with torch.no_grad():
        hidden = inner.model.embed_tokens(input_ids)
        prefix = None if prefix_ids is None else inner.model.embed_tokens(prefix_ids.unsqueeze(0))
        return _layers(inner, inner.model.layers[:split], hidden, attention_mask, prefix)


def top(model, hidden, attention_mask, split: int, positions=None, prefix=None):
    """Logits from hidden states entering layer `split`: the remaining layers, the final norm and the
    LM head, the head only at `positions`: a 1-D index tensor over the sequence (logits [batch, len(positions),
    vocab]), a `(rows, cols)` pair of index tensors (logits [len(rows), vocab], one per pair: the head
    and the loss only where a row has a target, not at every position any row of the batch has one), or
    None (all). With `prefix` ([1, P, width], the shared prefix's states entering layer `split`),
    `hidden` holds the rows' positions after it, and so do the logits."""
    inner = decoder(model)
    hidden = _layers(inner, inner.model.layers[split:], hidden, attention_mask, prefix)
    if isinstance(positions, tuple):
        rows, cols = positions
        hidden = hidden[rows, cols]
    elif positions is not None:
        hidden = hidden[:, positions]
    return inner.lm_head(inner.model.norm(hidden))
