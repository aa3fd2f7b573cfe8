"""Hidden-state routing: a linear probe picks the expert from one prefill; only the spec is generated.

    routerforge probe fit --run RUN        # writes RUN/probe.json
    routerforge eval --run RUN --benchmark heldout --routers trained,probe

The probe is a multinomial logistic regression (scikit-learn) on the hidden state of the last
prompt token (or the mean over the query's tokens) at one layer of the run's fine-tuned model,
trained on `RUN/data/train.jsonl` with the expert name as label. The features are taken with the
router's own prompt and cached system-prompt prefix (`prefill`), so they are the very states
`Router.decide_batch(queries, choose=...)` hands the probe at routing time. The feature
standardisation is folded into the saved weights, so `probe.json` is a plain linear map.

Default layer: among 1/4, 1/2, 3/4 and the full depth (hidden_states index; 0 = embeddings), the one
with the best validation accuracy (ties go to the deeper layer); 3/4 depth when there are no
validation rows. The probe's temperature is fitted on the validation rows (calibration.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from routerforge.errors import InputError
from routerforge.routers.base import Routed, finish
from routerforge.routers.linear_probe import POSITIONS, Probe, _fit_linear, pool

DEPTH_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
PROBE_FILE = "probe.json"


# ---------------------------------------------------------------- features

def prefill(router, queries: list[str], tails: list[list[int]] | None = None, *, output_hidden_states: bool = False):
    """The router's batched prefill (`router.prefix.prefill`): (model output, suffix lengths)."""
    return router.prefix.prefill(queries, tails, output_hidden_states=output_hidden_states)


def features(router, queries: list[str], layers: list[int], position: str = "last",
             batch_size: int | None = None) -> dict[int, np.ndarray]:
    """layer -> [N, H] probe features of the queries."""
    bs = batch_size or router.batch_size
    parts: dict[int, list] = {layer: [] for layer in layers}
    for i in range(0, len(queries), bs):
        out, lengths = prefill(router, queries[i:i + bs], output_hidden_states=True)
        for layer in layers:
            parts[layer].append(pool(out.hidden_states[layer], lengths, position))
    return {layer: np.concatenate(p) for layer, p in parts.items()}


def n_layers(router) -> int:
    return int(router.model.config.num_hidden_layers)


def candidate_layers(depth: int) -> list[int]:
    return sorted({max(1, round(f * depth)) for f in DEPTH_FRACTIONS})


# ---------------------------------------------------------------- the probe

def _accuracy(probe: Probe, x: np.ndarray, y: list[str]) -> float:
    pred = probe.logits(x).argmax(1)
    return float(np.mean([probe.classes[k] == t for k, t in zip(pred, y)])) if y else 0.0


def fit_probe(router, train_rows: list[dict], val_rows: list[dict], *, layer: int | None = None,
              position: str = "last", C: float = 1.0, seed: int = 0) -> Probe:
    """Fit the probe; `layer=None` picks among `candidate_layers` by validation accuracy."""
    from routerforge.experts import expert_names
    from routerforge.routers.calibration import NameScores, calibrate

    if position not in POSITIONS:
        raise InputError(f"position must be one of {POSITIONS}, got {position!r}")
    known = set(expert_names())
    train = [r for r in train_rows if r.get("expert") in known]
    val = [r for r in val_rows if r.get("expert") in known]
    if len({r["expert"] for r in train}) < 2:
        raise InputError("a probe needs training rows of at least two registered experts")
    depth = n_layers(router)
    if layer is not None:
        if not -depth - 1 <= layer <= depth:
            raise InputError(f"--layer must be in 0..{depth} (hidden_states index; 0 = embeddings), got {layer}")
        layers = [layer % (depth + 1)]
    else:
        layers = candidate_layers(depth) if val else [max(1, round(0.75 * depth))]
    t0 = time.perf_counter()
    xtr = features(router, [r["query"] for r in train], layers, position)
    xva = features(router, [r["query"] for r in val], layers, position) if val else {}
    ytr, yva = [r["expert"] for r in train], [r["expert"] for r in val]
    scores, best = {}, None
    for lay in layers:
        probe = Probe(lay, position, *_fit_linear(xtr[lay], ytr, C, seed))
        scores[lay] = _accuracy(probe, xva[lay], yva) if val else None
        if best is None or (scores[lay] or 0) >= (scores[best.layer] or 0):
            best = probe
    best.meta = {"val_accuracy": scores[best.layer], "train_accuracy": _accuracy(best, xtr[best.layer], ytr),
                 "layer_val_accuracy": {str(k): v for k, v in scores.items()}, "n_layers": depth,
                 "n_train": len(train), "n_val": len(val), "C": C, "fit_s": round(time.perf_counter() - t0, 2),
                 "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if val:  # temperature scaling on the validation rows; no abstention unless `probe calibrate` sets one
        cal = calibrate(NameScores.flat(best.logits(xva[best.layer]), best.classes), yva, target_precision=None)
        best.temperature = cal["temperature"]
        best.meta.update(ece_before=cal["ece_before"], ece_after=cal["ece_after"])
    return best


def probe_scores(router, probe: Probe, rows: list[dict]):
    """`NameScores` of the probe on rows (for calibration), and their labels."""
    from routerforge.routers.calibration import NameScores

    x = features(router, [r["query"] for r in rows], [probe.layer], probe.position)[probe.layer]
    return NameScores.flat(probe.logits(x), probe.classes), [r.get("expert") for r in rows]


# ---------------------------------------------------------------- the router

class ProbeRouter:
    """Route with the probe's expert and the model's generated spec, from one shared prefill."""

    name = "probe"

    def __init__(self, router, probe: Probe, *, name: str = "probe") -> None:
        from routerforge.experts import expert_names

        unknown = set(probe.classes) - set(expert_names())
        if unknown:
            raise InputError(f"the probe names experts that are not registered: {', '.join(sorted(unknown))}")
        depth = n_layers(router)
        if not 0 <= probe.layer <= depth:
            raise InputError(f"the probe reads layer {probe.layer} but the model has {depth} layers")
        self.router, self.probe, self.name = router, probe, name

    @classmethod
    def from_run(cls, run_dir: str | Path, *, router=None, **kw) -> "ProbeRouter":
        """Load RUN/probe.json and the run's model (or reuse `router`, a `Router` of the same run)."""
        from routerforge.models.runs import read_run_info

        read_run_info(run_dir)  # a clear error for a missing/incomplete run before anything else
        probe = Probe.load(Path(run_dir) / PROBE_FILE)
        if router is None:
            from routerforge.routers.generated import Router

            router = Router.from_run(run_dir)
        return cls(router, probe, **kw)

    def choose(self, hidden_states, queries: list[str]) -> list[tuple[str, float]]:
        """The `choose` hook of `Router.decide_batch`."""
        lengths = [len(self.router.prefix.suffix(q)) for q in queries] if self.probe.position == "mean" else []
        return self.probe.choose(pool(hidden_states[self.probe.layer], lengths, self.probe.position))

    def route(self, query: str) -> Routed:
        return self.route_batch([query])[0]

    def route_batch(self, queries: list[str], *, with_chat_answers: bool = False) -> list[Routed]:
        out: list[Routed] = []
        bs = self.router.batch_size
        for i in range(0, len(queries), bs):
            chunk = queries[i:i + bs]
            t0 = time.perf_counter()
            decisions = self.router.decide_batch(chunk, choose=self.choose)
            share = (time.perf_counter() - t0) / len(chunk)  # batch latency split evenly, as the runtime does
            for q, (expert, spec, raw, conf) in zip(chunk, decisions):
                chat = self.router.chat_reply if with_chat_answers else None
                r = finish(q, expert, spec, started=time.perf_counter() - share, raw=raw, confidence=conf,
                           chat_answer=chat)
                r.extra["probe_layer"] = self.probe.layer
                out.append(r)
        return out


__all__ = ["POSITIONS", "Probe", "ProbeRouter", "candidate_layers", "features", "fit_probe", "pool", "prefill",
           "probe_scores"]
