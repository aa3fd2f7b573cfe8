"""Format drift: score a few validation rows while the router trains, and stop a trial whose decisions
stop parsing (a sweep's early stop, `routerforge sweep`).

The served router decodes under constraints, so its format validity is 100% by construction and tells
nothing about training. This monitor decodes greedily *without* constraints — what the weights alone
emit — and counts the outputs that parse as `expert: spec` with a registered expert
(`evaluate.metrics.format_valid`, the eval's own definition), and takes the teacher-forced loss of the
same rows. It runs as a step hook (`train.callbacks.step_hooks`) every `every` optimizer steps from step
`after` on, and once when SFT ends; the probes are appended to `format_probe.jsonl` in the run.

A probe below the threshold raises `FormatDrift`, which leaves the pipeline; the sweep records the
trial as `stopped_format_drift` and moves on, as the CourseGPT-Pro sweeps stopped jobs whose JSON
drifted rather than paying for their evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path

from routerforge.evaluate.metrics import format_valid
from routerforge.experts import expert_names
from routerforge.models.prompts import router_messages, target_text


class FormatDrift(Exception):
    """Raised from inside training when the val format validity fell below the threshold."""

    def __init__(self, step: int, validity: float, threshold: float) -> None:
        super().__init__(f"format drift at step {step}: val format validity {validity:.2f} < {threshold:.2f}")
        self.step, self.validity, self.threshold = step, validity, threshold


class FormatDriftMonitor:
    """A step hook: probes `rows` (generated rows with query/expert/spec) every `every` steps from step
    `after` on; `threshold` None probes only at the end (the sweep's val metrics) and never stops."""

    def __init__(self, rows: list[dict], system: str, *, threshold: float | None = None, every: int = 10,
                 after: int | None = None, max_new_tokens: int = 32, log_path: str | Path | None = None) -> None:
        self.rows, self.system = rows, system
        self.threshold, self.every = threshold, every
        self.after = every if after is None else after
        self.max_new_tokens = max_new_tokens
        self.log_path = Path(log_path) if log_path else None
        self.history: list[dict] = []
        self.final: dict | None = None

    # ---- the hook -----------------------------------------------------------------------------
    def on_step(self, step: int, model, tok) -> None:
        if self.threshold is None or not self.rows or step < self.after or (step - self.after) % self.every:
            return
        probe = self.probe(step, model, tok)
        if probe["format_validity"] < self.threshold:
            raise FormatDrift(step, probe["format_validity"], self.threshold)

    def on_end(self, step: int, model, tok) -> None:
        if self.history and self.history[-1]["step"] == step:  # the last step was just probed
            self.final = self.history[-1]
        elif self.rows:
            self.final = self.probe(step, model, tok, final=True)

    # ---- scoring ------------------------------------------------------------------------------
    def probe(self, step: int, model, tok, *, final: bool = False) -> dict:
        import torch

        training = model.training
        model.eval()  # no LoRA dropout while scoring; restored below so the next step trains as before
        try:
            with torch.no_grad():
                texts = self._decode(model, tok)
                loss = self._loss(model, tok)
        finally:
            model.train(training)
        known = expert_names()
        valid = [format_valid({"raw": t.strip()}, known) for t in texts]
        record = {"step": step, "final": final, "rows": len(texts), "format_validity": sum(valid) / len(valid),
                  "val_loss": loss, "samples": [t.strip()[:80] for t in texts[:3]]}
        self.history.append(record)
        if self.log_path is not None and self.log_path.parent.is_dir():
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def _prompts(self, tok) -> list[str]:
        return [tok.apply_chat_template(router_messages(r["query"], system=self.system), tokenize=False,
                                        add_generation_prompt=True) for r in self.rows]

    def _decode(self, model, tok) -> list[str]:
        """Greedy, unconstrained, the rows in one left-padded batch."""
        side = tok.padding_side
        tok.padding_side = "left"
        try:
            enc = tok(self._prompts(tok), return_tensors="pt", padding=True, add_special_tokens=False)
        finally:
            tok.padding_side = side
        enc = {k: v.to(model.device) for k, v in enc.items()}
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        out = model.generate(**enc, max_new_tokens=self.max_new_tokens, do_sample=False, pad_token_id=pad,
                             eos_token_id=tok.eos_token_id)
        return tok.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)

    def _loss(self, model, tok) -> float:
        """Mean cross-entropy over the decision tokens, as SFT computes it (prompt tokens carry none)."""
        import torch

        from routerforge.train.sft_cached import tokenize

        rows = [tokenize(tok, {"prompt": router_messages(r["query"], system=self.system),
                               "completion": [{"role": "assistant", "content": target_text(r["expert"], r["spec"])}]},
                         4096) for r in self.rows]
        width = max(len(ids) for ids, _ in rows)
        pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in rows], device=model.device)
        mask = torch.tensor([[1] * len(ids_) + [0] * (width - len(ids_)) for ids_, _ in rows], device=model.device)
        labels = ids.clone()
        for j, (ids_, n_prompt) in enumerate(rows):
            labels[j, :n_prompt] = -100
            labels[j, len(ids_):] = -100
        logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
        return float(torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                        labels[:, 1:].reshape(-1), ignore_index=-100))
