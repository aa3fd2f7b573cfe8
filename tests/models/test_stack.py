"""models/stack.py: the decoder split at its first trainable layer computes the model's own forward."""

import pytest
import torch

from routerforge.models import stack
from routerforge.models.build import apply_lora
from routerforge.models.loading import load_model


def _lora(tiny_model_dir, last_layers):
    model, tok = load_model(tiny_model_dir)
    model = apply_lora(model, 4, 8, 0.0, ["q_proj", "v_proj", "down_proj"], last_layers)
    torch.manual_seed(0)
    for name, p in model.named_parameters():
        if "lora_B" in name:  # PEFT starts B at zero (adapter = identity): make it a real change
            p.data.normal_(0, 0.5)
    return model.eval(), tok


def test_top_of_bottom_equals_the_full_forward_on_a_right_padded_batch(tiny_model_dir):
    model, _ = _lora(tiny_model_dir, 1)
    split = stack.split_layer(model)
    assert split == 1 and stack.frozen_below_split(model)
    ids = torch.randint(5, 300, (3, 9))
    mask = torch.ones(3, 9, dtype=torch.long)
    mask[1, 6:] = 0  # right padding
    mask[2, 3:] = 0
    with torch.no_grad():
        want = model(input_ids=ids, attention_mask=mask).logits
        got = stack.top(model, stack.bottom(model, ids, mask, split), mask, split)
        keep = torch.tensor([0, 2])
        some = stack.top(model, stack.bottom(model, ids, mask, split), mask, split, keep)
    real = mask.bool()
    assert torch.allclose(got[real], want[real], atol=1e-4)
    assert torch.allclose(some, want[:, keep], atol=1e-4)
    # the real tokens' states do not depend on the padding: row 2 alone gives the same logits
    with torch.no_grad():
        alone = stack.top(model, stack.bottom(model, ids[2:, :3], mask[2:, :3], split), mask[2:, :3], split)
    assert torch.allclose(alone[0], want[2, :3], atol=1e-4)


def test_lora_everywhere_has_nothing_to_cache(tiny_model_dir):
    model, _ = _lora(tiny_model_dir, None)
    assert stack.split_layer(model) == 0
    with pytest.raises(TypeError, match="not a decoder"):
        stack.decoder(torch.nn.Linear(2, 2))


def test_a_shared_prefix_run_once_gives_the_full_forward_and_its_gradient(tiny_model_dir):
    model, _ = _lora(tiny_model_dir, 1)
    model.train()
    split = stack.split_layer(model)
    prefix = torch.randint(5, 300, (4,))
    rows = torch.randint(5, 300, (3, 6))
    mask = torch.ones(3, 6, dtype=torch.long)
    mask[1, 4:] = 0  # right padding after the row's own tokens
    full_ids = torch.cat([prefix.expand(3, -1), rows], 1)
    full_mask = torch.cat([torch.ones(3, 4, dtype=torch.long), mask], 1)
    params = [p for p in model.parameters() if p.requires_grad]

    want = stack.top(model, stack.bottom(model, full_ids, full_mask, split), full_mask, split)[:, 4:]
    want[mask.bool()].square().sum().backward()
    want_grads = [p.grad.clone() for p in params]
    model.zero_grad()

    pre = stack.bottom(model, prefix.unsqueeze(0), torch.ones(1, 4, dtype=torch.long), split)
    hidden = stack.bottom(model, rows, mask, split, prefix_ids=prefix)
    got = stack.top(model, hidden, mask, split, prefix=pre)
    got[mask.bool()].square().sum().backward()
    real = mask.bool()
    assert got.shape == want.shape and torch.allclose(got[real], want[real], atol=1e-4)
    assert all(torch.allclose(p.grad, g, atol=1e-4, rtol=1e-4) for p, g in zip(params, want_grads))
    assert any(g.abs().sum() > 0 for g in want_grads)
    some = stack.top(model, hidden, mask, split, torch.tensor([0, 3]), prefix=pre)
    assert torch.allclose(some, want[:, [0, 3]], atol=1e-4)


def test_row_position_pairs_and_eager_attention_give_the_same_logits_and_gradients(tiny_model_dir):
    """The trainer scores only (row, position) pairs that carry a target, under eager attention: the
    same numbers as the SDPA forward over every position, read at those pairs."""
    model, _ = _lora(tiny_model_dir, 1)
    model.train()
    split = stack.split_layer(model)
    ids = torch.randint(5, 300, (3, 7))
    mask = torch.ones(3, 7, dtype=torch.long)
    mask[0, 5:] = 0
    params = [p for p in model.parameters() if p.requires_grad]
    rows, cols = torch.tensor([0, 1, 1, 2]), torch.tensor([4, 2, 6, 0])

    hidden = stack.bottom(model, ids, mask, split)
    want = stack.top(model, hidden, mask, split)[rows, cols]
    want.square().sum().backward()
    want_grads = [p.grad.clone() for p in params]
    model.zero_grad()

    before = stack.attention(model, "eager")
    try:
        got = stack.top(model, hidden, mask, split, (rows, cols))
    finally:
        assert stack.attention(model, before) == "eager"
    got.square().sum().backward()
    assert got.shape == (4, want.shape[-1]) and torch.allclose(got, want, atol=1e-4)
    assert all(torch.allclose(p.grad, g, atol=1e-4, rtol=1e-4) for p, g in zip(params, want_grads))
    assert stack.decoder(model).config._attn_implementation == before
