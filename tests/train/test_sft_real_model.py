"""Slow: one short SFT epoch of the real embedded SmolLM2-135M on a small set reaches the format."""

import random

import pytest

from routerforge.formats.decision import parse_decision
from routerforge.models.prompts import system_prompt
from routerforge.train.config import SFTConfig
from routerforge.train.sft import sft_examples, train_sft

pytestmark = pytest.mark.model


def test_short_sft_reaches_the_decision_format(tmp_path):
    from routerforge.data import DataConfig, generate_rows
    from routerforge.routers.generated import Router
    from routerforge.models.loading import load_model
    from peft import PeftModel

    rows = generate_rows(DataConfig(examples=80, seed=3))
    train = rows["train"][:48]
    system = system_prompt()
    cfg = SFTConfig(epochs=2, batch_size=8, lr=2e-3, save_steps=1000)  # 12 steps
    final = train_sft(cfg, model_ref="smollm2-135m", examples=sft_examples(train, system), out_dir=tmp_path / "sft")
    base, tok = load_model("smollm2-135m")
    model = PeftModel.from_pretrained(base, str(final)).merge_and_unload()
    # free decoding (no constraints): the model itself must emit `expert: spec ->`
    router = Router(model, tok, constrained=False, system=system, max_spec_tokens=24)
    tests = random.Random(0).sample(rows["test"], 8)
    parsed = 0
    outs = router.decide_batch([r["query"] for r in tests])
    for (expert, spec, raw, _), row in zip(outs, tests):
        try:
            parse_decision(raw.split("\n")[0])
            parsed += 1
        except ValueError:
            pass
    assert parsed >= 6, f"only {parsed}/8 outputs parse after SFT: {[t[2] for t in outs]}"
