"""A decoder split in two at its first trainable layer (mechanics, no control flow).

With LoRA on the last N layers only (`sft.lora_layers`) or last-N unfreezing, the layers below the
split never change during training, so their output for a training row is the same in every epoch.
`bottom` runs them once (no grad); `top` runs the trainable rest — layers, final norm, LM head at the
positions asked for — from those saved hidden states. Both call the model's own modules the way
`LlamaModel.forward` does (rotary embeddings, the causal mask), so `top(bottom(x))` is the model's
forward; `tests/models/test_stack.py` checks the logits match.

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


def _layers(inner, layers, hidden, attention_mask):
    position_ids = _positions(hidden, attention_mask)
    mask = _mask(inner, hidden, attention_mask, position_ids)
    rotary = inner.model.rotary_emb(hidden, position_ids=position_ids)
    for layer in layers:
        hidden = layer(hidden, attention_mask=mask, position_embeddings=rotary, position_ids=position_ids)
    return hidden


def bottom(model, input_ids, attention_mask, split: int):
    """Hidden states entering layer `split` ([batch, length, width]), computed without grad."""
    import torch

    inner = decoder(model)
    with torch.no_grad():
        hidden = inner.model.embed_tokens(input_ids)
        return _layers(inner, inner.model.layers[:split], hidden, attention_mask)


def top(model, hidden, attention_mask, split: int, positions=None):
    """Logits from hidden states entering layer `split`: the remaining layers, the final norm and the
    LM head, the head only at `positions` (a 1-D index tensor over the sequence; None = all)."""
    inner = decoder(model)
    hidden = _layers(inner, inner.model.layers[split:], hidden, attention_mask)
    hidden = inner.model.norm(hidden)
    if positions is not None:
        hidden = hidden[:, positions]
    return inner.lm_head(hidden)
